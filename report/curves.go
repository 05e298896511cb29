package report

import (
	"fmt"
	"math"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// CurveFigure is a figure of curves over x (typically epochs), one or more
// panels stacked top to bottom that share the x axis label, such as the
// paper's "top: first pass, bottom: second pass".
type CurveFigure struct {
	Title          string
	XLabel, YLabel string
	// LogY draws the y axis on a log scale. Mean values must then be > 0;
	// band and error-bar ends ≤ 0 are clipped to the panel's smallest
	// positive value.
	LogY bool
	// ErrorBars draws the [Low, High] range as error bars instead of a
	// shaded band.
	ErrorBars bool
	Panels    []CurvePanel
	Size      // zero: 7 in wide, 3.2 in per panel
}

// CurvePanel is one panel of a CurveFigure.
type CurvePanel struct {
	Title  string // e.g. "pass 1"
	Series []Series
}

// Series is one curve: a mean line and an optional band.
//
// Series with the same Name get the same colour in every panel, and one
// legend entry; series without a name get no legend entry. Non-finite values
// leave gaps: a NaN mean (a run that stopped early) breaks the line, a
// non-finite Low or High (a confidence interval of one repeat) breaks the band.
// Series with at most 25 points also get a marker at each point.
type Series struct {
	Name string
	// X holds the x values, increasing; nil means 1, 2, …, len(Mean).
	X    []float64
	Mean []float64
	// Low and High bound the band (for example a confidence interval); both
	// nil (no band) or both as long as Mean.
	Low, High []float64
}

// maxMarkers is the largest series length that gets point markers.
const maxMarkers = 25

// Curves draws fig to path's PNG and SVG files (see Paths).
func Curves(path string, fig CurveFigure) error {
	if err := fig.validate(); err != nil {
		return fmt.Errorf("report: curves %s: %w", path, err)
	}
	names := make([][]string, len(fig.Panels))
	for i, p := range fig.Panels {
		names[i] = seriesNames(p.Series)
	}
	seriesColor, named := colorIndices(names)
	n := len(fig.Panels)
	h := 3.2*vg.Inch*vg.Length(n) + 0.4*vg.Inch
	return save(path, "curves", fig.Size, 7*vg.Inch, h, func(dc draw.Canvas) error {
		leg := newLegend()
		inLegend := map[string]bool{}
		plots := make([][]*plot.Plot, n)
		for i, panel := range fig.Panels {
			xlabel := ""
			if i == n-1 {
				xlabel = fig.XLabel
			}
			p := newPlot(panel.Title, xlabel, fig.YLabel)
			addGrid(p)
			if fig.LogY {
				p.Y.Scale = plot.LogScale{}
				p.Y.Tick.Marker = logTicks{}
			}
			floor := math.Inf(1) // smallest positive value in the panel, for LogY
			for _, s := range panel.Series {
				for _, vs := range [][]float64{s.Mean, s.Low, s.High} {
					for _, v := range vs {
						if v > 0 && v < floor && isFinite(v) {
							floor = v
						}
					}
				}
			}
			for j, s := range panel.Series {
				thumbs := addSeries(p, s, seriesColor[i][j], fig.ErrorBars, fig.LogY, floor)
				if s.Name != "" && !inLegend[s.Name] {
					inLegend[s.Name] = true
					leg.Add(s.Name, thumbs...)
				}
			}
			plots[i] = []*plot.Plot{p}
		}
		c := frame(dc, fig.Title, leg, named)
		tiles := draw.Tiles{Rows: n, Cols: 1, PadY: vg.Points(8)}
		canvases := plot.Align(plots, tiles, c)
		for i := range plots {
			plots[i][0].Draw(canvases[i][0])
		}
		return nil
	})
}

// addSeries adds one series' band or error bars, line and markers to p and
// returns the legend thumbnails.
func addSeries(p *plot.Plot, s Series, colorIndex int, errorBars, logY bool, floor float64) []plot.Thumbnailer {
	c := Colors[colorIndex%len(Colors)]
	x := func(i int) float64 {
		if s.X == nil {
			return float64(i + 1)
		}
		return s.X[i]
	}
	clip := func(v float64) float64 {
		if logY && v <= 0 {
			return floor
		}
		return v
	}
	var thumbs []plot.Thumbnailer
	band := s.Low != nil
	line := draw.LineStyle{Color: c, Width: vg.Points(1.6)}
	if colorIndex >= len(Colors) { // colours repeat: tell them apart by dashes
		line.Dashes = []vg.Length{vg.Points(5), vg.Points(3)}
	}
	if band && !errorBars {
		fill := withAlpha(c, 0.22)
		for _, run := range runs(len(s.Mean), func(i int) bool { return isFinite(s.Low[i]) && isFinite(s.High[i]) }) {
			pts := make(plotter.XYs, 0, 2*len(run))
			for _, i := range run {
				pts = append(pts, plotter.XY{X: x(i), Y: clip(s.High[i])})
			}
			for k := len(run) - 1; k >= 0; k-- {
				i := run[k]
				pts = append(pts, plotter.XY{X: x(i), Y: clip(s.Low[i])})
			}
			if len(run) == 1 { // a one-point band is a vertical segment
				pts = append(pts, pts[0])
			}
			poly, err := plotter.NewPolygon(pts)
			if err != nil {
				continue
			}
			poly.Color = fill
			poly.LineStyle.Width = 0
			p.Add(poly)
		}
		thumbs = append(thumbs, swatch{fill: fill})
	}
	if band && errorBars {
		var pts errPoints
		for i := range s.Mean {
			if isFinite(s.Mean[i]) && isFinite(s.Low[i]) && isFinite(s.High[i]) {
				lo, hi := clip(s.Low[i]), clip(s.High[i])
				pts = append(pts, errPoint{x: x(i), y: s.Mean[i], lo: s.Mean[i] - lo, hi: hi - s.Mean[i]})
			}
		}
		if len(pts) > 0 {
			eb, err := plotter.NewYErrorBars(pts)
			if err == nil {
				eb.LineStyle = draw.LineStyle{Color: c, Width: vg.Points(1)}
				eb.CapWidth = vg.Points(4)
				p.Add(eb)
			}
		}
	}
	markers := len(s.Mean) <= maxMarkers
	glyph := draw.GlyphStyle{Color: c, Radius: vg.Points(2.5), Shape: draw.CircleGlyph{}}
	for _, run := range runs(len(s.Mean), func(i int) bool { return isFinite(s.Mean[i]) }) {
		pts := make(plotter.XYs, len(run))
		for k, i := range run {
			pts[k] = plotter.XY{X: x(i), Y: s.Mean[i]}
		}
		l, err := plotter.NewLine(pts)
		if err != nil {
			continue
		}
		l.LineStyle = line
		p.Add(l)
		if markers || len(run) == 1 {
			sc, err := plotter.NewScatter(pts)
			if err == nil {
				sc.GlyphStyle = glyph
				p.Add(sc)
			}
		}
	}
	l := &plotter.Line{LineStyle: line}
	thumbs = append(thumbs, l)
	if markers {
		thumbs = append(thumbs, &plotter.Scatter{GlyphStyle: glyph})
	}
	return thumbs
}

// runs splits 0..n-1 into maximal runs of consecutive indices where ok holds.
func runs(n int, ok func(int) bool) [][]int {
	var out [][]int
	var cur []int
	for i := range n {
		if ok(i) {
			cur = append(cur, i)
			continue
		}
		if len(cur) > 0 {
			out = append(out, cur)
			cur = nil
		}
	}
	if len(cur) > 0 {
		out = append(out, cur)
	}
	return out
}

// errPoint and errPoints implement plotter.XYer and plotter.YErrorer.
type errPoint struct{ x, y, lo, hi float64 }
type errPoints []errPoint

func (e errPoints) Len() int                        { return len(e) }
func (e errPoints) XY(i int) (float64, float64)     { return e[i].x, e[i].y }
func (e errPoints) YError(i int) (float64, float64) { return e[i].lo, e[i].hi }

func (fig CurveFigure) validate() error {
	if len(fig.Panels) == 0 {
		return fmt.Errorf("no panels")
	}
	for i, p := range fig.Panels {
		if len(p.Series) == 0 {
			return fmt.Errorf("panel %d (%q) has no series", i+1, p.Title)
		}
		for j, s := range p.Series {
			where := fmt.Sprintf("panel %d series %d (%q)", i+1, j+1, s.Name)
			n := len(s.Mean)
			if n == 0 {
				return fmt.Errorf("%s: no values", where)
			}
			if s.X != nil && len(s.X) != n {
				return fmt.Errorf("%s: %d x values for %d means", where, len(s.X), n)
			}
			if (s.Low == nil) != (s.High == nil) {
				return fmt.Errorf("%s: Low and High must both be set or both nil", where)
			}
			if s.Low != nil && (len(s.Low) != n || len(s.High) != n) {
				return fmt.Errorf("%s: %d low and %d high values for %d means", where, len(s.Low), len(s.High), n)
			}
			finite := 0
			for k, v := range s.Mean {
				if !isFinite(v) {
					continue
				}
				finite++
				if fig.LogY && v <= 0 {
					return fmt.Errorf("%s: mean %d is %v, not positive, on a log scale", where, k+1, v)
				}
			}
			if finite == 0 {
				return fmt.Errorf("%s: no finite mean", where)
			}
			for k, v := range s.X {
				if !isFinite(v) {
					return fmt.Errorf("%s: x %d is %v", where, k+1, v)
				}
			}
		}
	}
	return nil
}

package report

import (
	"fmt"
	"image/color"

	"github.com/fgrelu/fgrelu/stats"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// StripFigure shows every repeat's value, one column of points per group,
// with the group's median as a bar: a reader sees at once how many values
// there are and whether they are lumpy (several clusters) before trusting a
// mean. Panels (one per measurement) are stacked top to bottom.
type StripFigure struct {
	Title  string
	Panels []StripPanel
	Size   // zero: 7 in wide, 2.8 in per panel
}

// StripPanel is one measurement: a y label and its groups, left to right.
type StripPanel struct {
	Title, YLabel string
	Groups        []StripGroup
	// Paired draws a thin line through the values of the same index in
	// neighbouring groups (runs with the same seed).
	Paired bool
}

// StripGroup is one variant's per-repeat values.
type StripGroup struct {
	Name   string
	Values []float64
}

// Strip draws fig to path's PNG and SVG files (see Paths).
func Strip(path string, fig StripFigure) error {
	if err := fig.validate(); err != nil {
		return fmt.Errorf("report: strip %s: %w", path, err)
	}
	n := len(fig.Panels)
	h := 2.8*vg.Inch*vg.Length(n) + 0.4*vg.Inch
	return save(path, "strip", fig.Size, 7*vg.Inch, h, func(dc draw.Canvas) error {
		plots := make([][]*plot.Plot, n)
		for i, panel := range fig.Panels {
			p := newPlot(panel.Title, "", panel.YLabel)
			addGrid(p)
			var names []string
			for g, grp := range panel.Groups {
				names = append(names, grp.Name)
				col := Colors[g%len(Colors)]
				pts := make(plotter.XYs, len(grp.Values))
				for k, v := range grp.Values {
					// A small fixed offset per repeat keeps equal values apart.
					pts[k] = plotter.XY{X: float64(g) + jitter(k, len(grp.Values)), Y: v}
				}
				sc, err := plotter.NewScatter(pts)
				if err != nil {
					return err
				}
				sc.GlyphStyle = draw.GlyphStyle{Color: col, Radius: vg.Points(3), Shape: draw.CircleGlyph{}}
				p.Add(sc)
				med := stats.Median(grp.Values)
				bar, err := plotter.NewLine(plotter.XYs{{X: float64(g) - 0.3, Y: med}, {X: float64(g) + 0.3, Y: med}})
				if err != nil {
					return err
				}
				bar.LineStyle = draw.LineStyle{Color: color.Black, Width: vg.Points(1.5)}
				p.Add(bar)
				if panel.Paired && g > 0 {
					prev := panel.Groups[g-1].Values
					for k := range min(len(prev), len(grp.Values)) {
						l, err := plotter.NewLine(plotter.XYs{
							{X: float64(g-1) + jitter(k, len(prev)), Y: prev[k]},
							{X: float64(g) + jitter(k, len(grp.Values)), Y: grp.Values[k]}})
						if err != nil {
							return err
						}
						l.LineStyle = draw.LineStyle{Color: color.Gray{Y: 190}, Width: vg.Points(0.5)}
						p.Add(l)
					}
				}
			}
			p.NominalX(names...)
			p.X.Min, p.X.Max = -0.6, float64(len(names))-0.4
			plots[i] = []*plot.Plot{p}
		}
		c := frame(dc, fig.Title, nil, 0)
		canvases := plot.Align(plots, draw.Tiles{Rows: n, Cols: 1, PadY: vg.Points(8)}, c)
		for i := range plots {
			plots[i][0].Draw(canvases[i][0])
		}
		return nil
	})
}

// jitter spreads n points of a group over ±0.15 around its column.
func jitter(k, n int) float64 {
	if n < 2 {
		return 0
	}
	return -0.15 + 0.3*float64(k)/float64(n-1)
}

func (fig StripFigure) validate() error {
	if len(fig.Panels) == 0 {
		return fmt.Errorf("no panels")
	}
	for i, p := range fig.Panels {
		if len(p.Groups) == 0 {
			return fmt.Errorf("panel %d (%q) has no groups", i+1, p.Title)
		}
		for j, g := range p.Groups {
			if len(g.Values) == 0 {
				return fmt.Errorf("panel %d (%q) group %d (%q) has no values", i+1, p.Title, j+1, g.Name)
			}
			for k, v := range g.Values {
				if !isFinite(v) {
					return fmt.Errorf("panel %d (%q) group %d (%q): value %d is %v", i+1, p.Title, j+1, g.Name, k+1, v)
				}
			}
		}
	}
	return nil
}

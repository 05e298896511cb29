package report

import (
	"fmt"
	"math"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// HistFigure is one or more histogram panels stacked top to bottom (for
// example μ_D on top and the gain below).
type HistFigure struct {
	Title  string
	Panels []HistPanel
	Size   // zero: 7 in wide, 2.8 in per panel
}

// HistPanel is one histogram panel. Its series share the same bins, spanning
// the range of all their values, and are drawn as translucent bars one over
// the other.
type HistPanel struct {
	Title, XLabel string
	Series        []HistSeries
	// Bins is the number of bins; zero: DefaultBins.
	Bins int
	// Density scales each series to unit area (count / (n · bin width))
	// instead of counts.
	Density bool
	// LogY draws the counts on a log scale (for example when one bin, such as
	// the maximal gain, holds most values); empty bins are then not drawn.
	LogY bool
	// Min and Max fix the binned range when Max > Min; otherwise it spans the values.
	Min, Max float64
}

// HistSeries is one sample in a histogram panel. Its values must be finite.
// A named series gets a legend entry; series with the same name share a
// colour across panels.
type HistSeries struct {
	Name   string
	Values []float64
	// Weights, when set, gives each value a weight (a count) instead of 1: a histogram
	// binned elsewhere is drawn by passing its bin centres and counts, with the panel's
	// Min and Max set to the outer bin edges.
	Weights []float64
}

// DefaultBins is the number of bins when HistPanel.Bins is 0.
const DefaultBins = 50

// Histogram draws fig to path's PNG and SVG files (see Paths).
func Histogram(path string, fig HistFigure) error {
	if err := fig.validate(); err != nil {
		return fmt.Errorf("report: histogram %s: %w", path, err)
	}
	names := make([][]string, len(fig.Panels))
	for i, p := range fig.Panels {
		names[i] = seriesNames(p.Series)
	}
	colorIdx, named := colorIndices(names)
	n := len(fig.Panels)
	h := 2.8*vg.Inch*vg.Length(n) + 0.4*vg.Inch
	return save(path, "histogram", fig.Size, 7*vg.Inch, h, func(dc draw.Canvas) error {
		leg := newLegend()
		inLegend := map[string]bool{}
		plots := make([][]*plot.Plot, n)
		for i, panel := range fig.Panels {
			ylabel := "count"
			if panel.Density {
				ylabel = "density"
			}
			p := newPlot(panel.Title, panel.XLabel, ylabel)
			addGrid(p)
			if panel.LogY {
				p.Y.Scale = plot.LogScale{}
				p.Y.Tick.Marker = logTicks{}
			}
			lo, hi := math.Inf(1), math.Inf(-1)
			for _, s := range panel.Series {
				for _, v := range s.Values {
					lo, hi = min(lo, v), max(hi, v)
				}
			}
			if panel.Max > panel.Min {
				lo, hi = panel.Min, panel.Max
			}
			if lo == hi { // a single value: one bin of unit width around it
				d := math.Max(math.Abs(lo)*0.01, 0.5)
				lo, hi = lo-d, hi+d
			}
			bins := panel.Bins
			if bins == 0 {
				bins = DefaultBins
			}
			width := (hi - lo) / float64(bins)
			for j, s := range panel.Series {
				hb := make([]plotter.HistogramBin, bins)
				for b := range hb {
					hb[b].Min = lo + float64(b)*width
					hb[b].Max = lo + float64(b+1)*width
				}
				hb[bins-1].Max = hi
				total := 0.0
				for k, v := range s.Values {
					b := int((v - lo) / width)
					b = min(max(b, 0), bins-1) // the maximum falls in the last bin
					w := 1.0
					if s.Weights != nil {
						w = s.Weights[k]
					}
					hb[b].Weight += w
					total += w
				}
				if panel.Density {
					for b := range hb {
						hb[b].Weight /= total * width
					}
				}
				col := Colors[colorIdx[i][j]%len(Colors)]
				alpha := 0.55 // translucent, so overlaid series stay visible
				hist := &plotter.Histogram{
					Bins: hb, Width: width, FillColor: withAlpha(col, alpha),
					LineStyle: draw.LineStyle{Color: col, Width: vg.Points(0.5)},
					LogY:      panel.LogY,
				}
				if panel.LogY {
					// Empty bins have no place on a log axis: drop them.
					kept := hist.Bins[:0:0]
					for _, b := range hb {
						if b.Weight > 0 {
							kept = append(kept, b)
						}
					}
					hist.Bins = kept
				}
				p.Add(hist)
				if s.Name != "" && !inLegend[s.Name] {
					inLegend[s.Name] = true
					leg.Add(s.Name, swatch{fill: hist.FillColor, line: col})
				}
			}
			plots[i] = []*plot.Plot{p}
		}
		c := frame(dc, fig.Title, leg, named)
		canvases := plot.Align(plots, draw.Tiles{Rows: n, Cols: 1, PadY: vg.Points(8)}, c)
		for i := range plots {
			plots[i][0].Draw(canvases[i][0])
		}
		return nil
	})
}

func (fig HistFigure) validate() error {
	if len(fig.Panels) == 0 {
		return fmt.Errorf("no panels")
	}
	for i, p := range fig.Panels {
		if len(p.Series) == 0 {
			return fmt.Errorf("panel %d (%q) has no series", i+1, p.Title)
		}
		if p.Bins < 0 {
			return fmt.Errorf("panel %d (%q): %d bins", i+1, p.Title, p.Bins)
		}
		for j, s := range p.Series {
			if len(s.Values) == 0 {
				return fmt.Errorf("panel %d (%q) series %d (%q) has no values", i+1, p.Title, j+1, s.Name)
			}
			for k, v := range s.Values {
				if !isFinite(v) {
					return fmt.Errorf("panel %d (%q) series %d (%q): value %d is %v", i+1, p.Title, j+1, s.Name, k+1, v)
				}
			}
			if s.Weights != nil && len(s.Weights) != len(s.Values) {
				return fmt.Errorf("panel %d (%q) series %d (%q): %d weights for %d values", i+1, p.Title, j+1, s.Name, len(s.Weights), len(s.Values))
			}
		}
	}
	return nil
}

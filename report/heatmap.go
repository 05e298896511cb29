package report

import (
	"fmt"
	"image/color"
	"math"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/palette"
	"gonum.org/v1/plot/palette/moreland"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// HeatmapFigure is a grid of values (for example rows = β_max values,
// columns = η values) coloured by value, with the value printed in each cell
// and a colour bar; one or more panels stacked top to bottom (pass 1, pass 2).
// Row 0 is drawn at the top, as in a printed table.
type HeatmapFigure struct {
	Title          string
	XLabel, YLabel string   // axis labels, e.g. "η" and "β_max"
	Cols, Rows     []string // column and row labels; nil: 1, 2, …
	ValueLabel     string   // colour bar label, e.g. "test loss"
	Format         string   // fmt verb for cell values; "": "%.3g"
	// Min and Max fix the colour scale; when equal, the scale spans the
	// finite values of all panels (of each panel with SeparateScales).
	// Values outside the scale get its end colours.
	Min, Max       float64
	SeparateScales bool
	// Reverse flips the colour map (by default low values are dark).
	Reverse bool
	Panels  []HeatmapPanel
	Size    // zero: sized to fit the cells
}

// HeatmapPanel is one panel of a HeatmapFigure. Values is indexed
// [row][column]; non-finite values are drawn grey with their value printed.
type HeatmapPanel struct {
	Title  string
	Values [][]float64
}

// missingColor fills cells without a finite value.
var missingColor = color.Gray{Y: 0xdd}

// Heatmap draws fig to path's PNG and SVG files (see Paths).
func Heatmap(path string, fig HeatmapFigure) error {
	rows, cols, err := fig.validate()
	if err != nil {
		return fmt.Errorf("report: heatmap %s: %w", path, err)
	}
	format := fig.Format
	if format == "" {
		format = "%.3g"
	}
	rowNames := labelsOrIndices(fig.Rows, rows)
	colNames := labelsOrIndices(fig.Cols, cols)

	// Colour scales.
	scale := func(panels []HeatmapPanel) (lo, hi float64) {
		if fig.Min != fig.Max {
			return min(fig.Min, fig.Max), max(fig.Min, fig.Max)
		}
		lo, hi = math.Inf(1), math.Inf(-1)
		for _, p := range panels {
			for _, row := range p.Values {
				for _, v := range row {
					if isFinite(v) {
						lo, hi = min(lo, v), max(hi, v)
					}
				}
			}
		}
		switch {
		case lo > hi: // no finite value
			return 0, 1
		case lo == hi:
			d := math.Max(math.Abs(lo)*0.01, 1e-9)
			return lo - d, hi + d
		}
		return lo, hi
	}
	ranges := make([][2]float64, len(fig.Panels))
	for i := range fig.Panels {
		var lo, hi float64
		if fig.SeparateScales {
			lo, hi = scale(fig.Panels[i : i+1])
		} else {
			lo, hi = scale(fig.Panels)
		}
		ranges[i] = [2]float64{lo, hi}
	}

	cellW, cellH := 0.62*vg.Inch, 0.34*vg.Inch
	rowLabelW := maxWidth(textStyle(9, 0, 0), rowNames)
	cbW := 1.3 * vg.Inch
	w := max(5*vg.Inch, 0.9*vg.Inch+rowLabelW+vg.Length(cols)*cellW+cbW)
	panelH := vg.Length(rows)*cellH + 1.1*vg.Inch
	h := vg.Length(len(fig.Panels))*panelH + 0.5*vg.Inch
	return save(path, "heatmap", fig.Size, w, h, func(dc draw.Canvas) error {
		c := frame(dc, fig.Title, nil, 0)
		n := len(fig.Panels)
		ph := (c.Max.Y - c.Min.Y) / vg.Length(n)
		for i, panel := range fig.Panels {
			pc := c
			pc.Max.Y = c.Max.Y - vg.Length(i)*ph
			pc.Min.Y = pc.Max.Y - ph
			if i > 0 {
				pc.Max.Y -= defaultPad
			}
			cm := colorMap(fig.Reverse)
			cm.SetMin(ranges[i][0])
			cm.SetMax(ranges[i][1])
			values := panel.Values
			grid := &cellGrid{rows: rows, cols: cols, fontSize: 9, cell: func(r, col int) (color.Color, string) {
				v := values[r][col]
				label := fmt.Sprintf(format, v)
				if !isFinite(v) {
					return missingColor, label
				}
				clamped := math.Min(math.Max(v, cm.Min()), cm.Max())
				fill, err := cm.At(clamped)
				if err != nil {
					return missingColor, label
				}
				return fill, label
			}}
			xlabel := ""
			if i == n-1 {
				xlabel = fig.XLabel
			}
			p := gridPlot(panel.Title, xlabel, fig.YLabel, colNames, rowNames, cellW)
			p.Add(grid)
			hc := pc
			hc.Max.X -= cbW
			p.Draw(hc)

			// The colour bar, level with the grid's data area.
			da := p.DataCanvas(hc)
			cb := plot.New()
			cb.HideX()
			cb.Y.Padding = 0
			cb.Y.Label.Text = fig.ValueLabel
			cb.Y.Label.TextStyle.Font = fontOf(10)
			cb.Y.Tick.Label.Font = fontOf(9)
			cb.Add(&plotter.ColorBar{ColorMap: cm, Vertical: true})
			cbc := pc
			cbc.Min.X = hc.Max.X + defaultPad
			cbc.Max.X = cbc.Min.X + 1.0*vg.Inch // 0.75 in of axis and label, then the bar
			cbc.Min.Y, cbc.Max.Y = da.Min.Y, da.Max.Y
			cb.Draw(cbc)
		}
		return nil
	})
}

// colorMap returns the default sequential colour map: Kindlmann's, dark to
// light with increasing value, perceptually ordered (Moreland 2016).
func colorMap(reverse bool) palette.ColorMap {
	cm := moreland.Kindlmann()
	if reverse {
		return palette.Reverse(cm)
	}
	return cm
}

func (fig HeatmapFigure) validate() (rows, cols int, err error) {
	if len(fig.Panels) == 0 {
		return 0, 0, fmt.Errorf("no panels")
	}
	rows, cols = len(fig.Rows), len(fig.Cols)
	if rows == 0 {
		rows = len(fig.Panels[0].Values)
	}
	if cols == 0 && len(fig.Panels[0].Values) > 0 {
		cols = len(fig.Panels[0].Values[0])
	}
	if rows == 0 || cols == 0 {
		return 0, 0, fmt.Errorf("empty grid (%d rows, %d columns)", rows, cols)
	}
	for i, p := range fig.Panels {
		if len(p.Values) != rows {
			return 0, 0, fmt.Errorf("panel %d (%q) has %d rows, want %d", i+1, p.Title, len(p.Values), rows)
		}
		for r, row := range p.Values {
			if len(row) != cols {
				return 0, 0, fmt.Errorf("panel %d (%q) row %d has %d values, want %d", i+1, p.Title, r+1, len(row), cols)
			}
		}
	}
	if math.IsNaN(fig.Min) || math.IsNaN(fig.Max) || math.IsInf(fig.Min, 0) || math.IsInf(fig.Max, 0) {
		return 0, 0, fmt.Errorf("colour scale [%v, %v] is not finite", fig.Min, fig.Max)
	}
	return rows, cols, nil
}

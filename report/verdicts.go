package report

import (
	"fmt"
	"image/color"
	"math"

	"github.com/fgrelu/fgrelu/stats"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// VerdictFigure is a claims × settings matrix, each cell coloured by the
// verdict on that claim under that setting (green supported, red
// contradicted, grey inconclusive, near-white not run) with an effect size
// printed in it: the overview of a sensitivity study.
type VerdictFigure struct {
	Title          string
	XLabel, YLabel string
	Claims         []string // rows, top to bottom
	Settings       []string // columns
	// Cells is indexed [claim][setting].
	Cells [][]VerdictCell
	// Format is the fmt verb for Effect; "": "%.2f".
	Format string
	Size   // zero: sized to fit the cells and labels
}

// VerdictCell is one cell of a VerdictFigure.
type VerdictCell struct {
	// Verdict is stats.Supported, stats.Contradicted, stats.Inconclusive or
	// stats.NotRun; "" means stats.NotRun.
	Verdict string
	// Effect is printed in the cell (for example Cohen's d); NaN prints
	// nothing. Not-run cells print nothing.
	Effect float64
	// Text, when set, is printed instead of Effect.
	Text string
}

// VerdictColors maps each verdict to its cell colour (also the badge colours
// of the HTML report).
var VerdictColors = map[string]color.Color{
	stats.Supported:    rgb(0x43a047),
	stats.Contradicted: rgb(0xe53935),
	stats.Inconclusive: rgb(0xb0b0b0),
	stats.NotRun:       rgb(0xf2f2f2),
	stats.NoClaim:      rgb(0xf2f2f2),
}

// verdictOrder is the legend order.
var verdictOrder = []string{stats.Supported, stats.Contradicted, stats.Inconclusive, stats.NotRun}

// Verdicts draws fig to path's PNG and SVG files (see Paths).
func Verdicts(path string, fig VerdictFigure) error {
	if err := fig.validate(); err != nil {
		return fmt.Errorf("report: verdicts %s: %w", path, err)
	}
	format := fig.Format
	if format == "" {
		format = "%.2f"
	}
	rows, cols := len(fig.Claims), len(fig.Settings)
	cellW, cellH := 0.8*vg.Inch, 0.36*vg.Inch
	rowLabelW := maxWidth(textStyle(9, 0, 0), fig.Claims)
	legendW := 1.4 * vg.Inch
	w := max(5*vg.Inch, 0.9*vg.Inch+rowLabelW+vg.Length(cols)*cellW+legendW)
	h := vg.Length(rows)*cellH + 1.6*vg.Inch
	return save(path, "verdicts", fig.Size, w, h, func(dc draw.Canvas) error {
		leg := newLegend()
		for _, v := range verdictOrder {
			leg.Add(v, swatch{fill: VerdictColors[v], line: color.Gray{Y: 0x80}})
		}
		c := frame(dc, fig.Title, leg, len(verdictOrder))
		grid := &cellGrid{rows: rows, cols: cols, fontSize: 9, cell: func(r, col int) (color.Color, string) {
			cell := fig.Cells[r][col]
			v := cell.Verdict
			if v == "" {
				v = stats.NotRun
			}
			label := cell.Text
			if label == "" && v != stats.NotRun && !math.IsNaN(cell.Effect) {
				label = fmt.Sprintf(format, cell.Effect)
			}
			return VerdictColors[v], label
		}}
		p := gridPlot("", fig.XLabel, fig.YLabel, fig.Settings, fig.Claims, cellW)
		p.Add(grid)
		p.Draw(c)
		return nil
	})
}

func (fig VerdictFigure) validate() error {
	if len(fig.Claims) == 0 || len(fig.Settings) == 0 {
		return fmt.Errorf("empty matrix (%d claims, %d settings)", len(fig.Claims), len(fig.Settings))
	}
	if len(fig.Cells) != len(fig.Claims) {
		return fmt.Errorf("%d rows of cells for %d claims", len(fig.Cells), len(fig.Claims))
	}
	for r, row := range fig.Cells {
		if len(row) != len(fig.Settings) {
			return fmt.Errorf("claim %d (%q): %d cells for %d settings", r+1, fig.Claims[r], len(row), len(fig.Settings))
		}
		for s, cell := range row {
			if _, ok := VerdictColors[cell.Verdict]; !ok && cell.Verdict != "" {
				return fmt.Errorf("claim %d (%q), setting %d (%q): unknown verdict %q (want %q)",
					r+1, fig.Claims[r], s+1, fig.Settings[s], cell.Verdict, verdictOrder)
			}
		}
	}
	return nil
}

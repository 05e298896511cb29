package report

import (
	"image/color"
	"math"
	"strconv"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/text"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// cellGrid is a plotter for a rows × cols table of coloured cells with text,
// row 0 at the top (as a table is printed). Column j spans x ∈ [j−½, j+½] and
// row i spans y ∈ [rows−1−i−½, rows−1−i+½], so plot.NominalX/NominalY label them.
type cellGrid struct {
	rows, cols int
	cell       func(r, c int) (fill color.Color, label string)
	fontSize   vg.Length
}

func (g *cellGrid) Plot(c draw.Canvas, p *plot.Plot) {
	trX, trY := p.Transforms(&c)
	sty := textStyle(g.fontSize, draw.XCenter, draw.YCenter)
	border := draw.LineStyle{Color: color.White, Width: vg.Points(1)}
	for r := range g.rows {
		y := float64(g.rows - 1 - r)
		for col := range g.cols {
			x := float64(col)
			fill, label := g.cell(r, col)
			pts := []vg.Point{
				{X: trX(x - 0.5), Y: trY(y - 0.5)}, {X: trX(x + 0.5), Y: trY(y - 0.5)},
				{X: trX(x + 0.5), Y: trY(y + 0.5)}, {X: trX(x - 0.5), Y: trY(y + 0.5)},
			}
			c.FillPolygon(fill, pts)
			c.StrokeLines(border, append(pts, pts[0]))
			if label != "" {
				s := sty
				s.Color = textOn(fill)
				c.FillText(s, vg.Point{X: trX(x), Y: trY(y)}, label)
			}
		}
	}
}

func (g *cellGrid) DataRange() (xmin, xmax, ymin, ymax float64) {
	return -0.5, float64(g.cols) - 0.5, -0.5, float64(g.rows) - 0.5
}

// gridPlot returns a plot for a cellGrid with nominal axes: column names
// along x, row names along y with row 0 at the top. Long column names are
// rotated.
func gridPlot(title, xlabel, ylabel string, colNames, rowNames []string, cellW vg.Length) *plot.Plot {
	p := newPlot(title, xlabel, ylabel)
	p.X.Padding, p.Y.Padding = 0, 0
	p.NominalX(colNames...)
	rev := make([]string, len(rowNames))
	for i, n := range rowNames {
		rev[len(rowNames)-1-i] = n
	}
	p.NominalY(rev...)
	if maxWidth(p.X.Tick.Label, colNames) > cellW*0.95 {
		p.X.Tick.Label.Rotation = math.Pi / 6
		p.X.Tick.Label.XAlign = text.XRight
		p.X.Tick.Label.YAlign = text.YTop
	}
	return p
}

// labelsOrIndices returns names if it has n entries, else "1", "2", … n.
func labelsOrIndices(names []string, n int) []string {
	if len(names) == n {
		return names
	}
	out := make([]string, n)
	for i := range out {
		out[i] = strconv.Itoa(i + 1)
	}
	return out
}

// maxWidth returns the width of the widest of names in sty.
func maxWidth(sty text.Style, names []string) vg.Length {
	w := vg.Length(0)
	for _, n := range names {
		w = max(w, sty.Width(n))
	}
	return w
}

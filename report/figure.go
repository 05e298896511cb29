package report

import (
	"fmt"
	"image/color"
	"io"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/font"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/text"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
	"gonum.org/v1/plot/vg/vgsvg"
)

// Size sets a figure's size and PNG resolution. Its zero value means the
// figure's default size (which depends on the figure and its number of panels)
// and DefaultDPI.
type Size struct {
	Width, Height vg.Length // zero: the figure's default
	DPI           int       // PNG resolution in dots per inch; zero: DefaultDPI
}

// DefaultDPI is the PNG resolution used when Size.DPI is 0.
const DefaultDPI = 150

// Colors is the palette series and classes are drawn with, in order: the ten
// "Tableau 10" colours (matplotlib's tab10), distinct for up to 10 series.
var Colors = []color.Color{
	rgb(0x1f77b4), rgb(0xff7f0e), rgb(0x2ca02c), rgb(0xd62728), rgb(0x9467bd),
	rgb(0x8c564b), rgb(0xe377c2), rgb(0x7f7f7f), rgb(0xbcbd22), rgb(0x17becf),
}

func rgb(v uint32) color.RGBA {
	return color.RGBA{R: uint8(v >> 16), G: uint8(v >> 8), B: uint8(v), A: 0xff}
}

// withAlpha returns c with opacity a in [0, 1] (premultiplied, as color.RGBA requires).
func withAlpha(c color.Color, a float64) color.Color {
	r, g, b, _ := c.RGBA()
	f := func(v uint32) uint8 { return uint8(math.Round(float64(v>>8) * a)) }
	return color.RGBA{R: f(r), G: f(g), B: f(b), A: uint8(math.Round(255 * a))}
}

// luminance returns the relative luminance of c in [0, 1] (ITU-R BT.709 weights).
func luminance(c color.Color) float64 {
	r, g, b, _ := c.RGBA()
	return (0.2126*float64(r) + 0.7152*float64(g) + 0.0722*float64(b)) / 0xffff
}

// textOn returns black or white, whichever reads better on background bg.
func textOn(bg color.Color) color.Color {
	if luminance(bg) > 0.45 {
		return color.Black
	}
	return color.White
}

// Paths returns the PNG and SVG file names a figure function writes for path:
// path with its extension (.png or .svg, if any) replaced.
func Paths(path string) (png, svg string) {
	base := path
	if ext := strings.ToLower(filepath.Ext(path)); ext == ".png" || ext == ".svg" {
		base = strings.TrimSuffix(path, filepath.Ext(path))
	}
	return base + ".png", base + ".svg"
}

// fontOf returns the default plot font (Liberation Serif, embedded in
// gonum/plot) at the given size.
func fontOf(size vg.Length) font.Font {
	return font.From(plot.DefaultFont, size)
}

// textStyle returns a plain-text style in the default font.
func textStyle(size vg.Length, xa text.XAlignment, ya text.YAlignment) text.Style {
	return text.Style{
		Color: color.Black, Font: fontOf(size), Handler: plot.DefaultTextHandler,
		XAlign: xa, YAlign: ya,
	}
}

// save renders a figure twice, to PNG at dpi and to SVG, next to each other.
// drawFn draws onto a canvas of size w×h; it is called once per format and
// must build its plots afresh each time. A panic inside gonum/plot (which
// panics on some bad input) is returned as an error.
func save(path, what string, sz Size, w, h vg.Length, drawFn func(dc draw.Canvas) error) (err error) {
	if sz.Width > 0 {
		w = sz.Width
	}
	if sz.Height > 0 {
		h = sz.Height
	}
	dpi := sz.DPI
	if dpi == 0 {
		dpi = DefaultDPI
	}
	if dpi < 0 || w <= 0 || h <= 0 {
		return fmt.Errorf("report: %s %s: bad size %v×%v at %d dpi", what, path, w, h, dpi)
	}
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("report: %s %s: drawing failed: %v", what, path, r)
		}
	}()
	pngPath, svgPath := Paths(path)

	img := vgimg.NewWith(vgimg.UseWH(w, h), vgimg.UseDPI(dpi), vgimg.UseBackgroundColor(color.White))
	if err := drawFn(draw.New(img)); err != nil {
		return err
	}
	if err := writeFile(pngPath, vgimg.PngCanvas{Canvas: img}); err != nil {
		return err
	}

	svg := vgsvg.New(w, h)
	dc := draw.New(svg)
	// SVG canvases are transparent: paint the background so the figure reads
	// the same on a dark page.
	dc.FillPolygon(color.White, []vg.Point{dc.Min, {X: dc.Max.X, Y: dc.Min.Y}, dc.Max, {X: dc.Min.X, Y: dc.Max.Y}})
	if err := drawFn(dc); err != nil {
		return err
	}
	return writeFile(svgPath, svg)
}

// writeFile writes w's output to path through a temporary file in the same
// folder, so a failed write never leaves a truncated figure behind.
func writeFile(path string, w io.WriterTo) error {
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp*")
	if err != nil {
		return fmt.Errorf("report: %w", err)
	}
	tmp := f.Name()
	if _, err := w.WriteTo(f); err != nil {
		f.Close()
		os.Remove(tmp)
		return fmt.Errorf("report: writing %s: %w", path, err)
	}
	if err := f.Close(); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("report: writing %s: %w", path, err)
	}
	if err := os.Chmod(tmp, 0o644); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("report: %w", err)
	}
	if err := os.Rename(tmp, path); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("report: %w", err)
	}
	return nil
}

// Layout constants, in points.
const (
	titleSize  = 14
	labelSize  = 11 // legend entries, row labels
	margin     = vg.Length(6)
	legendGap  = vg.Length(10)
	defaultPad = vg.Length(8)
)

// frame paints the figure title (if any) across the top of dc and the legend
// (if it has entries) in a column on the right, and returns the canvas left
// for the panels.
func frame(dc draw.Canvas, title string, leg *plot.Legend, nLegend int) draw.Canvas {
	c := draw.Crop(dc, margin, -margin, margin, -margin)
	if title != "" {
		sty := textStyle(titleSize, draw.XCenter, draw.YTop)
		c.FillText(sty, vg.Point{X: (c.Min.X + c.Max.X) / 2, Y: c.Max.Y}, title)
		c.Max.Y -= sty.Height(title) + defaultPad
	}
	if leg != nil && nLegend > 0 {
		r := leg.Rectangle(c)
		lw := r.Max.X - r.Min.X
		lc := c
		lc.Min.X = c.Max.X - lw
		// Start the legend about level with the top of the first panel's
		// data area, below its title.
		lc.Max.Y -= 20
		leg.Draw(lc)
		c.Max.X -= lw + legendGap
	}
	return c
}

// newLegend returns a legend whose entries sit on the left edge of their
// canvas, stacked from the top.
func newLegend() *plot.Legend {
	l := plot.NewLegend()
	l.Top, l.Left = true, true
	l.TextStyle.Font = fontOf(labelSize)
	l.Padding = vg.Points(3)
	l.ThumbnailWidth = vg.Points(22)
	return &l
}

// newPlot returns a plot with the project's styling: light grid, title and
// labels in the default font.
func newPlot(title, xlabel, ylabel string) *plot.Plot {
	p := plot.New()
	p.Title.Text = title
	p.Title.TextStyle.Font = fontOf(12)
	p.X.Label.Text = xlabel
	p.Y.Label.Text = ylabel
	p.X.Label.TextStyle.Font = fontOf(11)
	p.Y.Label.TextStyle.Font = fontOf(11)
	p.X.Tick.Label.Font = fontOf(9)
	p.Y.Tick.Label.Font = fontOf(9)
	return p
}

// addGrid adds light grid lines to p.
func addGrid(p *plot.Plot) {
	g := plotter.NewGrid()
	g.Horizontal.Color = color.Gray{Y: 225}
	g.Vertical.Color = color.Gray{Y: 225}
	p.Add(g)
}

// isFinite reports whether v is neither NaN nor infinite.
func isFinite(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }

// swatch is a legend thumbnail: a filled rectangle with an optional outline.
type swatch struct {
	fill, line color.Color
}

func (s swatch) Thumbnail(c *draw.Canvas) {
	pts := []vg.Point{c.Min, {X: c.Max.X, Y: c.Min.Y}, c.Max, {X: c.Min.X, Y: c.Max.Y}}
	c.FillPolygon(s.fill, pts)
	if s.line != nil {
		c.StrokeLines(draw.LineStyle{Color: s.line, Width: 0.5}, append(pts, pts[0]))
	}
}

// logTicks labels a log axis at 1, 2 and 5 times powers of ten when it spans
// fewer than three decades (plot.LogTicks labels powers of ten only, which can
// leave such an axis with one label), and defers to plot.LogTicks otherwise.
type logTicks struct{}

func (logTicks) Ticks(min, max float64) []plot.Tick {
	if !(min > 0) || max/min >= 1000 {
		return plot.LogTicks{Prec: -1}.Ticks(min, max)
	}
	build := func(major []float64) ([]plot.Tick, int) {
		var ticks []plot.Tick
		labelled := 0
		for k := math.Floor(math.Log10(min)); math.Pow(10, k) <= max; k++ {
			p := math.Pow(10, k)
			for m := 1.0; m <= 9; m++ {
				v := m * p
				if v < min*(1-1e-12) || v > max*(1+1e-12) {
					continue
				}
				t := plot.Tick{Value: v}
				for _, mj := range major {
					if m == mj {
						t.Label = strconv.FormatFloat(v, 'g', 6, 64)
						labelled++
					}
				}
				ticks = append(ticks, t)
			}
		}
		return ticks, labelled
	}
	if ticks, n := build([]float64{1, 2, 5}); n >= 3 {
		return ticks
	}
	if ticks, n := build([]float64{1, 2, 3, 4, 5, 6, 7, 8, 9}); n >= 2 {
		return ticks
	}
	return plot.DefaultTicks{}.Ticks(min, max)
}

// colorIndices gives each series (names per panel) a colour index by order of first appearance;
// a named series keeps its colour across panels, unnamed ones get their own. It also returns how
// many distinct names there are (legend entries).
func colorIndices(names [][]string) (idx [][]int, named int) {
	index := map[string]int{}
	idx = make([][]int, len(names))
	next := 0
	for i, panel := range names {
		for _, name := range panel {
			k, ok := index[name]
			if !ok || name == "" {
				k = next
				next++
				if name != "" {
					index[name] = k
					named++
				}
			}
			idx[i] = append(idx[i], k)
		}
	}
	return idx, named
}

// seriesNames lists the names of a panel's series (curves or histograms).
func seriesNames[S interface{ name() string }](series []S) []string {
	out := make([]string, len(series))
	for i, s := range series {
		out[i] = s.name()
	}
	return out
}

func (s Series) name() string     { return s.Name }
func (s HistSeries) name() string { return s.Name }

package report

import (
	"fmt"
	"image"
	"image/color"
	"strconv"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
	"gonum.org/v1/plot/vg/vgsvg"
)

// ScatterFigure is 2-D points coloured by class (for example a t-SNE of the
// bottleneck, coloured by digit), one or more panels side by side (pass 1,
// pass 2) with one legend.
//
// Points are drawn in the order given, as small filled circles. In the SVG
// file, panels with more than SVGVectorLimit points have their points drawn
// as an embedded PNG image (at the PNG file's resolution) under vector axes
// and text, which keeps 10 000-point files small; the PNG file is always
// drawn directly.
type ScatterFigure struct {
	Title          string
	XLabel, YLabel string
	// ClassNames names the classes for the legend; nil: "0", "1", ….
	ClassNames []string
	// Radius is the glyph radius; zero: 1.2 points.
	Radius vg.Length
	// SVGVectorLimit is the largest number of points per panel drawn as
	// vector glyphs in the SVG file; zero: 2000; negative: no limit.
	SVGVectorLimit int
	Panels         []ScatterPanel
	Size           // zero: 4.2 in per panel plus the legend, 4.4 in high
}

// ScatterPanel is one panel of a ScatterFigure: point i is at (X[i], Y[i])
// and belongs to class Class[i] ∈ [0, len(Colors)).
type ScatterPanel struct {
	Title string
	X, Y  []float64
	Class []int
}

// Scatter draws fig to path's PNG and SVG files (see Paths).
func Scatter(path string, fig ScatterFigure) error {
	nClasses, err := fig.validate()
	if err != nil {
		return fmt.Errorf("report: scatter %s: %w", path, err)
	}
	radius := fig.Radius
	if radius == 0 {
		radius = 1.2
	}
	limit := fig.SVGVectorLimit
	if limit == 0 {
		limit = 2000
	}
	names := fig.ClassNames
	if names == nil {
		for k := range nClasses {
			names = append(names, strconv.Itoa(k))
		}
	}
	n := len(fig.Panels)
	w := 4.2*vg.Inch*vg.Length(n) + 1.2*vg.Inch
	dpi := fig.DPI
	if dpi == 0 {
		dpi = DefaultDPI
	}
	return save(path, "scatter", fig.Size, w, 4.4*vg.Inch, func(dc draw.Canvas) error {
		_, isSVG := dc.Canvas.(*vgsvg.Canvas)
		leg := newLegend()
		leg.ThumbnailWidth = vg.Points(10)
		for k, name := range names {
			leg.Add(name, glyphThumb{draw.GlyphStyle{Color: Colors[k], Radius: 3.5, Shape: draw.CircleGlyph{}}})
		}
		plots := make([][]*plot.Plot, 1)
		for _, panel := range fig.Panels {
			p := newPlot(panel.Title, fig.XLabel, fig.YLabel)
			pts := &points{panel: panel, radius: radius}
			if isSVG && limit > 0 && len(panel.X) > limit {
				pts.rasterDPI = dpi
			}
			p.Add(pts)
			plots[0] = append(plots[0], p)
		}
		c := frame(dc, fig.Title, leg, len(names))
		canvases := plot.Align(plots, draw.Tiles{Rows: 1, Cols: n, PadX: vg.Points(14)}, c)
		for i, p := range plots[0] {
			p.Draw(canvases[0][i])
		}
		return nil
	})
}

// points draws one panel's points; with rasterDPI > 0 it draws them into an
// image of the data area at that resolution and places the image instead.
type points struct {
	panel     ScatterPanel
	radius    vg.Length
	rasterDPI int
}

func (s *points) Plot(c draw.Canvas, p *plot.Plot) {
	target := c
	var img *vgimg.Canvas
	if s.rasterDPI > 0 {
		w, h := c.Max.X-c.Min.X, c.Max.Y-c.Min.Y
		img = vgimg.NewWith(vgimg.UseWH(w, h), vgimg.UseDPI(s.rasterDPI),
			vgimg.UseBackgroundColor(color.Transparent))
		target = draw.Canvas{Canvas: img, Rectangle: vg.Rectangle{Max: vg.Point{X: w, Y: h}}}
	}
	trX, trY := p.Transforms(&c)
	off := c.Min
	sty := draw.GlyphStyle{Radius: s.radius, Shape: draw.CircleGlyph{}}
	for i := range s.panel.X {
		pt := vg.Point{X: trX(s.panel.X[i]), Y: trY(s.panel.Y[i])}
		if img != nil {
			pt = pt.Sub(off)
		}
		sty.Color = Colors[s.panel.Class[i]]
		target.DrawGlyphNoClip(sty, pt)
	}
	if img != nil {
		c.DrawImage(c.Rectangle, img.Image().(image.Image))
	}
}

func (s *points) DataRange() (xmin, xmax, ymin, ymax float64) {
	xmin, xmax, ymin, ymax = s.panel.X[0], s.panel.X[0], s.panel.Y[0], s.panel.Y[0]
	for i := range s.panel.X {
		xmin, xmax = min(xmin, s.panel.X[i]), max(xmax, s.panel.X[i])
		ymin, ymax = min(ymin, s.panel.Y[i]), max(ymax, s.panel.Y[i])
	}
	return
}

// glyphThumb is a legend thumbnail: one glyph in the middle of the box.
type glyphThumb struct{ sty draw.GlyphStyle }

func (g glyphThumb) Thumbnail(c *draw.Canvas) {
	c.DrawGlyphNoClip(g.sty, c.Center())
}

func (fig ScatterFigure) validate() (nClasses int, err error) {
	if len(fig.Panels) == 0 {
		return 0, fmt.Errorf("no panels")
	}
	for i, p := range fig.Panels {
		if len(p.X) == 0 {
			return 0, fmt.Errorf("panel %d (%q) has no points", i+1, p.Title)
		}
		if len(p.Y) != len(p.X) || len(p.Class) != len(p.X) {
			return 0, fmt.Errorf("panel %d (%q): %d x, %d y and %d classes", i+1, p.Title, len(p.X), len(p.Y), len(p.Class))
		}
		for k := range p.X {
			if !isFinite(p.X[k]) || !isFinite(p.Y[k]) {
				return 0, fmt.Errorf("panel %d (%q): point %d is (%v, %v)", i+1, p.Title, k+1, p.X[k], p.Y[k])
			}
			c := p.Class[k]
			if c < 0 || c >= len(Colors) {
				return 0, fmt.Errorf("panel %d (%q): point %d has class %d, outside [0, %d)", i+1, p.Title, k+1, c, len(Colors))
			}
			nClasses = max(nClasses, c+1)
		}
	}
	if fig.ClassNames != nil && len(fig.ClassNames) < nClasses {
		return 0, fmt.Errorf("%d class names for %d classes", len(fig.ClassNames), nClasses)
	}
	return nClasses, nil
}

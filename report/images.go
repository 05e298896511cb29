package report

import (
	"fmt"
	"image"
	"image/color"
	"math"

	"gonum.org/v1/plot/text"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// ImageRowsFigure shows rows of small images, each row with a label on its
// left (for example "input", "no feedback", "feedback"), enlarged with
// nearest-neighbour scaling so that single pixels stay visible. Its size
// follows from its content.
type ImageRowsFigure struct {
	Title string
	Rows  []ImageRow
	// CellSize is about the displayed size of the widest image; the
	// enlargement is a whole number of pixels per image pixel at DPI, so the
	// actual size is within half an image pixel of it. Zero: 0.6 in.
	CellSize vg.Length
	// DPI is the PNG resolution; zero: DefaultDPI.
	DPI int
}

// ImageRow is one labelled row of images.
type ImageRow struct {
	Label  string
	Images []Image
}

// Image is a small image stored channels-last (H, W, C) as float32 in [0, 1]:
// C = 1 for grayscale (MNIST, 28×28×1), C = 3 for RGB (CIFAR-10, 32×32×3).
// Values outside [0, 1] are clamped; NaN is an error.
type Image struct {
	H, W, C int
	Pix     []float32
}

// ImageRows draws fig to path's PNG and SVG files (see Paths). The PNG places
// every image pixel on whole output pixels; the SVG embeds the enlarged
// images as PNG.
func ImageRows(path string, fig ImageRowsFigure) error {
	if err := fig.validate(); err != nil {
		return fmt.Errorf("report: image rows %s: %w", path, err)
	}
	dpi := fig.DPI
	if dpi == 0 {
		dpi = DefaultDPI
	}
	if dpi < 0 {
		return fmt.Errorf("report: image rows %s: DPI %d", path, dpi)
	}
	cell := fig.CellSize
	if cell == 0 {
		cell = 0.6 * vg.Inch
	}
	maxW, maxH, maxCols := 0, 0, 0
	for _, r := range fig.Rows {
		maxCols = max(maxCols, len(r.Images))
		for _, im := range r.Images {
			maxW, maxH = max(maxW, im.W), max(maxH, im.H)
		}
	}
	// Work in whole output pixels so each image pixel covers k×k of them.
	px := func(l vg.Length) int { return int(math.Round(l.Dots(float64(dpi)))) }
	pt := func(p int) vg.Length { return vg.Length(float64(p) * vg.Inch.Points() / float64(dpi)) }
	k := max(1, int(math.Round(float64(px(cell))/float64(maxW))))
	gap := max(2, px(0.06*vg.Inch))
	pad := px(margin)
	labelSty := textStyle(labelSize, text.XRight, text.YCenter)
	titleSty := textStyle(titleSize, text.XCenter, text.YTop)
	labelW := 0
	for _, r := range fig.Rows {
		labelW = max(labelW, px(labelSty.Width(r.Label)))
	}
	if labelW > 0 {
		labelW += px(defaultPad)
	}
	titleH := 0
	if fig.Title != "" {
		titleH = px(titleSty.Height(fig.Title) + defaultPad)
	}
	cellW, cellH := k*maxW, k*maxH
	wPx := 2*pad + labelW + maxCols*cellW + (maxCols-1)*gap
	hPx := 2*pad + titleH + len(fig.Rows)*cellH + (len(fig.Rows)-1)*gap
	wPx = max(wPx, 2*pad+px(titleSty.Width(fig.Title)))

	scaled := make([][]image.Image, len(fig.Rows))
	for i, r := range fig.Rows {
		for _, im := range r.Images {
			scaled[i] = append(scaled[i], im.enlarge(k))
		}
	}
	sz := Size{Width: pt(wPx), Height: pt(hPx), DPI: dpi}
	return save(path, "image rows", sz, sz.Width, sz.Height, func(dc draw.Canvas) error {
		top := hPx - pad // in pixels from the bottom
		if fig.Title != "" {
			dc.FillText(titleSty, vg.Point{X: pt(wPx / 2), Y: pt(top)}, fig.Title)
			top -= titleH
		}
		for i, r := range fig.Rows {
			y0 := top - i*(cellH+gap) // the row's top edge
			if r.Label != "" {
				dc.FillText(labelSty, vg.Point{X: pt(pad + labelW - px(defaultPad)), Y: pt(y0) - pt(cellH)/2}, r.Label)
			}
			for j, im := range scaled[i] {
				b := im.Bounds()
				x0 := pad + labelW + j*(cellW+gap)
				rect := vg.Rectangle{
					Min: vg.Point{X: pt(x0), Y: pt(y0 - b.Dy())},
					Max: vg.Point{X: pt(x0 + b.Dx()), Y: pt(y0)},
				}
				dc.DrawImage(rect, im)
			}
		}
		return nil
	})
}

// enlarge converts the image to 8-bit and repeats each pixel k×k times.
func (im Image) enlarge(k int) image.Image {
	clamp := func(v float32) uint8 {
		return uint8(math.Round(float64(min(max(v, 0), 1)) * 255))
	}
	if im.C == 1 {
		out := image.NewGray(image.Rect(0, 0, im.W*k, im.H*k))
		for y := range im.H * k {
			for x := range im.W * k {
				out.Pix[y*out.Stride+x] = clamp(im.Pix[(y/k)*im.W+x/k])
			}
		}
		return out
	}
	out := image.NewRGBA(image.Rect(0, 0, im.W*k, im.H*k))
	for y := range im.H * k {
		for x := range im.W * k {
			i := ((y/k)*im.W + x/k) * 3
			out.SetRGBA(x, y, color.RGBA{R: clamp(im.Pix[i]), G: clamp(im.Pix[i+1]), B: clamp(im.Pix[i+2]), A: 0xff})
		}
	}
	return out
}

func (fig ImageRowsFigure) validate() error {
	if len(fig.Rows) == 0 {
		return fmt.Errorf("no rows")
	}
	if fig.CellSize < 0 {
		return fmt.Errorf("negative cell size %v", fig.CellSize)
	}
	for i, r := range fig.Rows {
		if len(r.Images) == 0 {
			return fmt.Errorf("row %d (%q) has no images", i+1, r.Label)
		}
		for j, im := range r.Images {
			where := fmt.Sprintf("row %d (%q) image %d", i+1, r.Label, j+1)
			if im.H <= 0 || im.W <= 0 || (im.C != 1 && im.C != 3) {
				return fmt.Errorf("%s: shape %d×%d×%d, want H×W×1 or H×W×3", where, im.H, im.W, im.C)
			}
			if len(im.Pix) != im.H*im.W*im.C {
				return fmt.Errorf("%s: %d values for shape %d×%d×%d", where, len(im.Pix), im.H, im.W, im.C)
			}
			for k, v := range im.Pix {
				if v != v {
					return fmt.Errorf("%s: value %d is NaN", where, k)
				}
			}
		}
	}
	return nil
}

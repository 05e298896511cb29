package kernels

import "fmt"

// Patches describes the patches a convolution reads: an image of H×W×C (channels-last), a K×K
// window moved with Stride over a grid of OH×OW positions, the image padded by Pad zeros on each
// side. Grid position (oh, ow) and window offset (kh, kw) read image pixel
// (oh·Stride − Pad + kh, ow·Stride − Pad + kw); pixels outside the image read zero.
type Patches struct {
	H, W, C        int
	K, Stride, Pad int
	OH, OW         int
}

// PatchLen is the length of one patch: K·K·C values ordered (kh, kw, c).
func (g Patches) PatchLen() int { return g.K * g.K * g.C }

// ImageLen is the number of values of one image.
func (g Patches) ImageLen() int { return g.H * g.W * g.C }

// GridLen is the number of grid positions of one image.
func (g Patches) GridLen() int { return g.OH * g.OW }

func (g Patches) check(images []float32, n1 int, cols []float32, n0 int) {
	if g.H < 1 || g.W < 1 || g.C < 1 || g.K < 1 || g.Stride < 1 || g.Pad < 0 || g.OH < 1 || g.OW < 1 {
		panic(fmt.Sprintf("kernels: patches %+v", g))
	}
	if n0 < 0 || n1 < n0 || len(images) < n1*g.ImageLen() || len(cols) < (n1-n0)*g.GridLen()*g.PatchLen() {
		panic(fmt.Sprintf("kernels: patches %+v of images [%d, %d): %d image values, %d patch values", g, n0, n1, len(images), len(cols)))
	}
}

// Im2Col writes the patches of images [n0, n1) of x into cols, one row per grid position:
// cols is ((n1−n0)·OH·OW) × PatchLen.
func Im2Col(g Patches, x []float32, n0, n1 int, cols []float32) {
	g.check(x, n1, cols, n0)
	if n1 > n0 {
		im2col(g, x, n0, n1, cols)
	}
}

// Col2Im adds every patch row of cols back onto the image pixels it was read from, for images
// [n0, n1) of x: the adjoint of Im2Col. x is not cleared first. Rows are added in order, so the
// result is the same in every version.
func Col2Im(g Patches, cols []float32, n0, n1 int, x []float32) {
	g.check(x, n1, cols, n0)
	if n1 > n0 {
		col2im(g, cols, n0, n1, x)
	}
}

// im2colGo and col2imGo are the Go versions (the fallback without cgo, and the tests' reference).
func im2colGo(g Patches, x []float32, n0, n1 int, cols []float32) {
	pl := g.PatchLen()
	row := 0
	for n := n0; n < n1; n++ {
		img := x[n*g.ImageLen() : (n+1)*g.ImageLen()]
		for oh := range g.OH {
			for ow := range g.OW {
				dst := cols[row*pl : (row+1)*pl]
				row++
				for kh := range g.K {
					ih := oh*g.Stride - g.Pad + kh
					seg := dst[kh*g.K*g.C : (kh+1)*g.K*g.C]
					if ih < 0 || ih >= g.H {
						clear(seg)
						continue
					}
					iw0 := ow*g.Stride - g.Pad
					if iw0 >= 0 && iw0+g.K <= g.W {
						// The whole window row lies inside: one contiguous copy.
						copy(seg, img[(ih*g.W+iw0)*g.C:(ih*g.W+iw0+g.K)*g.C])
						continue
					}
					for kw := range g.K {
						iw := iw0 + kw
						d := seg[kw*g.C : (kw+1)*g.C]
						if iw < 0 || iw >= g.W {
							clear(d)
						} else {
							copy(d, img[(ih*g.W+iw)*g.C:(ih*g.W+iw+1)*g.C])
						}
					}
				}
			}
		}
	}
}

func col2imGo(g Patches, cols []float32, n0, n1 int, x []float32) {
	pl := g.PatchLen()
	row := 0
	for n := n0; n < n1; n++ {
		img := x[n*g.ImageLen() : (n+1)*g.ImageLen()]
		for oh := range g.OH {
			for ow := range g.OW {
				src := cols[row*pl : (row+1)*pl]
				row++
				for kh := range g.K {
					ih := oh*g.Stride - g.Pad + kh
					if ih < 0 || ih >= g.H {
						continue
					}
					for kw := range g.K {
						iw := ow*g.Stride - g.Pad + kw
						if iw < 0 || iw >= g.W {
							continue
						}
						d := img[(ih*g.W+iw)*g.C : (ih*g.W+iw+1)*g.C]
						s := src[(kh*g.K+kw)*g.C : (kh*g.K+kw+1)*g.C]
						for c, v := range s {
							d[c] += v
						}
					}
				}
			}
		}
	}
}

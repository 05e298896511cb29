package nn

// patchGeom describes the patches a convolution reads: an image of H×W×C (channels-last),
// a K×K window moved with Stride over a grid of OH×OW positions, the image padded by Pad
// zeros on each side. Grid position (oh, ow) and window offset (kh, kw) read image pixel
// (oh·Stride − Pad + kh, ow·Stride − Pad + kw); pixels outside the image read zero.
//
// A convolution maps an image to its grid; a transposed convolution maps a grid to an image
// (its "output" is the image), so both share this one description and the two routines below.
type patchGeom struct {
	H, W, C        int
	K, Stride, Pad int
	OH, OW         int
}

// patchLen is the length of one patch: K·K·C values ordered (kh, kw, c).
func (g patchGeom) patchLen() int { return g.K * g.K * g.C }

// imageLen and gridLen are the values per example of the image and the number of grid
// positions per example.
func (g patchGeom) imageLen() int { return g.H * g.W * g.C }
func (g patchGeom) gridLen() int  { return g.OH * g.OW }

// im2col writes the patches of images [n0, n1) of x into cols, one row per grid position:
// cols is ((n1−n0)·OH·OW) × patchLen.
func im2col(g patchGeom, x []float32, n0, n1 int, cols []float32) {
	pl := g.patchLen()
	row := 0
	for n := n0; n < n1; n++ {
		img := x[n*g.imageLen() : (n+1)*g.imageLen()]
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

// col2im adds every patch row of cols back onto the image pixels it was read from, for
// images [n0, n1) of x: the adjoint of im2col. x is not cleared first.
func col2im(g patchGeom, cols []float32, n0, n1 int, x []float32) {
	pl := g.patchLen()
	row := 0
	for n := n0; n < n1; n++ {
		img := x[n*g.imageLen() : (n+1)*g.imageLen()]
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

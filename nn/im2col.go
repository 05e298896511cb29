package nn

import "github.com/fgrelu/fgrelu/internal/kernels"

// patchGeom describes the patches a convolution reads (see kernels.Patches). A convolution
// maps an image to its grid; a transposed convolution maps a grid to an image (its "output" is
// the image), so both share this one description and the two routines below.
type patchGeom = kernels.Patches

// im2col writes the patches of images [n0, n1) of x into cols, one row per grid position.
func im2col(g patchGeom, x []float32, n0, n1 int, cols []float32) { kernels.Im2Col(g, x, n0, n1, cols) }

// col2im adds every patch row of cols back onto the image pixels it was read from, for
// images [n0, n1) of x: the adjoint of im2col. x is not cleared first.
func col2im(g patchGeom, cols []float32, n0, n1 int, x []float32) {
	kernels.Col2Im(g, cols, n0, n1, x)
}

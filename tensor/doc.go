// Package tensor holds the one data type every other package passes around: a dense,
// row-major float32 array with a shape.
//
// It deliberately has no maths zoo. Arithmetic lives next to the layer that needs it (package
// nn), and matrix products live in package gemm; this package only allocates, reshapes and
// checks shapes.
//
// Image tensors are stored channels-last (N, H, W, C): a per-channel quantity (bias, batch-norm
// statistic, filter-wise feedback gain) is then the innermost index, and a convolution over a
// whole batch is one matrix product with N·H·W rows.
//
// Owns: the Tensor type. Imports no package of this module; every other package may import it.
package tensor

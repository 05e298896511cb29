// Package optim updates parameters from their gradients: Adam and SGD with momentum, in the
// forms PyTorch uses, so results can be compared with PyTorch step for step.
//
// Owns: the optimisers and their state. Imports nn, tensor, internal/par and internal/kernels
// only; it must not import net or anything above it.
package optim

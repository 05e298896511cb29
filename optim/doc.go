// Package optim updates parameters from their gradients: Adam and SGD with momentum, in the
// forms PyTorch uses, so results can be compared with PyTorch step for step.
package optim

// Package nn holds the layers of fgrelu's networks, one file per layer, each with its forward
// and backward pass written next to each other in plain loops and matrix products.
//
// There is no general automatic differentiation: a layer saves what its backward pass needs in
// a State, one per (pass, layer), and its Backward turns the gradient of its output into the
// gradient of its input while adding the gradients of its parameters into Param.Grad. Layers
// know nothing of passes or feedback; package net unrolls them over passes.
//
// The feedback-gated ReLU (FGReLU) takes two inputs, the feedforward pre-activation μ_S and the
// feedback signal μ_D, and is therefore not a Layer but a Gate; see fgrelu.go. A plain
// activation is a Gate without feedback (Ungated). A layer keeps nothing of a call in itself,
// only in its State (which also carries the gemm.Context its products run on), so one layer
// may serve several calls at once.
//
// Tensors are float32 and channels-last; see package tensor.
//
// Owns: the layers, their States and parameters, the losses and initialisers. Imports tensor,
// gemm, internal/par and internal/kernels only; it must not import net, optim, train or any
// package above them (a layer knows nothing of passes, feedback or training).
package nn

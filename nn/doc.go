// Package nn holds the layers of fgrelu's networks, one file per layer, each with its forward
// and backward pass written next to each other in plain loops and matrix products.
//
// There is no general automatic differentiation: a layer saves what its backward pass needs in
// a State, one per (pass, layer), and its Backward turns the gradient of its output into the
// gradient of its input while adding the gradients of its parameters into Param.Grad. Layers
// know nothing of passes or feedback; package net unrolls them over passes.
//
// The feedback-gated ReLU (FGReLU) takes two inputs, the feedforward pre-activation μ_S and the
// feedback signal μ_D, and is therefore not a Layer; see fgrelu.go.
//
// Tensors are float32 and channels-last; see package tensor.
package nn

// Package net is the feedback network of the paper: layers in hierarchy order, feedback edges
// from higher layers to lower ones, and T passes over the same input with shared weights.
//
// Pass t runs the layers bottom to top. A gated layer's feedback signal on pass t is
//
//	μ_D[t][l] = Σ over edges e into l of  W_e · src(h[t−1][e.From])
//
// and zero on the first pass, where h is a layer's output and src reduces a convolutional
// source to one value per channel (its spatial mean; or flattens it). Backward is the same
// loop reversed: the gradient of μ_D[t][l] flows into W_e and into h[t−1] of the source layer,
// so the loss of a late pass trains what earlier passes computed (backpropagation through all
// passes). Parameters are shared by all passes; only the per-pass state is not.
//
// A Net is the definition and the parameters; a call's work lives in a Tape. Forward returns
// the tape of its passes (per pass and stage: μ_S, μ_D, outputs, the layers' saved values),
// Losses and Backward read it, and callers read outputs and μ_D from it. Evaluations may run
// on one Net from several goroutines at once, each with its own tape; a training step (which
// writes gradients, batch-norm running averages and, through the optimiser, parameters) must
// not overlap other calls on the same Net. Each stage has one gate (nn.Gate): an FG-ReLU where
// feedback arrives or a constant gain is asked for, else its plain activation.
//
// Layers below the first one that receives feedback see the same input on every pass, and so
// does that layer's own feedforward product μ_S. They are computed once per step, and their
// gradients are the sums over passes: the same numbers as recomputing them T times, for less
// work. (With activation noise, evaluation recomputes every pass, since noise differs by pass.)
//
// A training step's forward is lean (Mode.Lean, lean.go): inside a stage, outputs that no
// backward reads share one buffer across the passes and then hold the next layer's input
// gradient, so a step keeps one such buffer, not one per pass and one more for the gradient.
// Where such a stage's μ_S is shared and a max pooling follows a gate that commutes with it
// (nn.CommutesWithMaxPool), the lean step also pools μ_S once, before the gate, so that every
// pass gates a quarter of the values (cifar-cls: C1's 8.4 M values per pass become 2.1 M). The
// outputs are the same bits; the gate's gradient sums can round differently
// (TestPoolFirstGradients).
//
// Activity, the dead-unit probe, counts from the activations a forward pass keeps how often
// each rectifier unit (a convolution's channel) is active on each pass. A gain gate multiplies
// max(0, μ_S) by a positive gain, so it never changes which units are active given μ_S; and the
// first layer that receives feedback has the same μ_S on every pass. So in that layer a unit
// dead on pass 1 stays dead on every pass unless the gate has a threshold (α·μ_D); feedback can
// revive units only in the layers above it (E2 and D1 under partial feedback D1 → E1).
//
// Owns: the network definition (stages, edges, parameters), its specification and layout
// (Spec, Check, Build), the per-call Tape, and the dead-unit probe. Imports nn, tensor, gemm
// and internal/par only; it must not import optim, train, config, data or checkpoint.
package net

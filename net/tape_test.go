package net

import (
	"math"
	"math/rand/v2"
	"sync"
	"testing"

	"github.com/fgrelu/fgrelu/nn"
	"github.com/fgrelu/fgrelu/tensor"
)

// tapeSpec has every kind of per-call state: batch norm below and above the first gated
// layer, dropout (a mask kept for the step), pooling, convolutions (scratch memory) and
// feedback into convolutional and dense layers.
var tapeSpec = Spec{
	Input: []int{6, 6, 2},
	Layers: []LayerSpec{
		{Name: "C1", Type: "conv", Units: 4, Kernel: 3, Pad: 1, Pool: 2, BatchNorm: true, Dropout: 0.3},
		{Name: "C2", Type: "conv", Units: 3, Kernel: 3, Pad: 1, BatchNorm: true},
		{Name: "F", Type: "dense", Units: 5, Dropout: 0.2},
		{Name: "O", Type: "dense", Units: 3},
	},
	Edges:  []EdgeSpec{{From: "F", To: "C2"}, {From: "O", To: "F"}, {From: "O", To: "C2"}},
	Passes: 3, Gate: "gain+threshold", BetaMax: 0.9, Eta: 0.5, Loss: "softmax-ce", Init: "torch",
}

func tapeBatch(seed uint64, n int) (*tensor.Tensor, nn.Target) {
	r := rand.New(rand.NewPCG(seed, 1))
	x := tensor.New(n, 6, 6, 2)
	for i := range x.Data {
		x.Data[i] = r.Float32()
	}
	t := nn.Target{Labels: make([]int, n)}
	for i := range t.Labels {
		t.Labels[i] = r.IntN(3)
	}
	return x, t
}

// A training step's tape is the step's alone: evaluating the network on other data between
// its Forward and its Backward, with another tape, changes no gradient. (Before the tape, the
// Net held the passes' state and the evaluation overwrote it.)
func TestEvaluateBetweenForwardAndBackward(t *testing.T) {
	grads := func(interleave bool) []float32 {
		n, err := Build(tapeSpec, rand.New(rand.NewPCG(1, 2)))
		if err != nil {
			t.Fatal(err)
		}
		x, tgt := tapeBatch(3, 4)
		tp := n.Forward(x, Mode{Train: true, Rand: rand.New(rand.NewPCG(5, 5))}, nil)
		if interleave {
			ex, etgt := tapeBatch(4, 7)
			ev := n.Forward(ex, Mode{}, nil)
			n.Losses(ev, etgt, nil)
		}
		return backwardGradients(n, tp, tgt)
	}
	plain, mixed := grads(false), grads(true)
	for i := range plain {
		if math.Float32bits(plain[i]) != math.Float32bits(mixed[i]) {
			t.Fatalf("gradient %d: %v alone, %v with an evaluation in between", i, plain[i], mixed[i])
		}
	}
}

// Evaluations of one network on several goroutines, each with its own tape, give what one
// gives alone. Run with -race.
func TestConcurrentEvaluations(t *testing.T) {
	n, err := Build(tapeSpec, rand.New(rand.NewPCG(1, 2)))
	if err != nil {
		t.Fatal(err)
	}
	x, tgt := tapeBatch(3, 5)
	alone := n.Losses(n.Forward(x, Mode{}, nil), tgt, nil)
	got := make([][]float64, 4)
	var wg sync.WaitGroup
	for g := range got {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var tp *Tape
			for range 3 {
				tp = n.Forward(x, Mode{}, tp)
			}
			got[g] = n.Losses(tp, tgt, nil)
		}()
	}
	wg.Wait()
	for g, l := range got {
		for p := range l {
			if l[p] != alone[p] {
				t.Errorf("goroutine %d, pass %d: loss %v, alone %v", g, p+1, l[p], alone[p])
			}
		}
	}
}

// A tape belongs to the network that made it.
func TestTapeOfAnotherNetwork(t *testing.T) {
	a, _ := Build(tapeSpec, rand.New(rand.NewPCG(1, 2)))
	b, _ := Build(tapeSpec, rand.New(rand.NewPCG(1, 2)))
	x, _ := tapeBatch(3, 2)
	tp := a.Forward(x, Mode{}, nil)
	defer func() {
		if recover() == nil {
			t.Error("Backward accepted another network's tape")
		}
	}()
	b.Backward(tp)
}

// backwardGradients clears the gradients, runs the losses (weights 0.2, 0.3, 0.5) and the
// backward of tp, and returns every parameter's gradient, one after the other.
func backwardGradients(n *Net, tp *Tape, tgt nn.Target) []float32 {
	nn.ZeroGrads(n.Params())
	n.Losses(tp, tgt, []float64{0.2, 0.3, 0.5})
	n.Backward(tp)
	var g []float32
	for _, p := range n.Params() {
		g = append(g, p.Grad.Data...)
	}
	return g
}

package net

import (
	"math/rand/v2"
	"testing"

	"github.com/fgrelu/fgrelu/gemm"
	"github.com/fgrelu/fgrelu/nn"
)

// Timing the stages of a step records time for every stage that works, and splits the
// products' count among them without losing any.
func TestStageTimesAddUp(t *testing.T) {
	n, err := Build(tapeSpec, rand.New(rand.NewPCG(1, 2)))
	if err != nil {
		t.Fatal(err)
	}
	var k gemm.Counter
	n.Gemm = gemm.Default().Counting(&k)
	x, target := tapeBatch(3, 4)
	tp := n.Forward(x, Mode{Train: true, Rand: rand.New(rand.NewPCG(1, 1))}, nil)
	times := tp.TimeStages(true)
	k.Take()
	for range 2 {
		tp = n.Forward(x, Mode{Train: true, Rand: rand.New(rand.NewPCG(1, 1))}, tp)
		nn.ZeroGrads(n.Params())
		n.Losses(tp, target, []float64{0, 0, 1})
		n.Backward(tp)
	}
	var sum int64
	for l, st := range n.Stages {
		if times.Forward[l] <= 0 || times.Backward[l] <= 0 || times.ForwardFLOPs[l] <= 0 || times.BackwardFLOPs[l] <= 0 {
			t.Errorf("%s: forward %v (%d FLOPs), backward %v (%d FLOPs)", st.Name, times.Forward[l], times.ForwardFLOPs[l], times.Backward[l], times.BackwardFLOPs[l])
		}
		sum += times.ForwardFLOPs[l] + times.BackwardFLOPs[l]
	}
	if total := k.Take(); sum != total {
		t.Errorf("stages count %d FLOPs, the context %d", sum, total)
	}
	if tp.TimeStages(false) != nil || tp.times != nil {
		t.Error("timing not stopped")
	}
}

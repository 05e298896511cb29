package net

import (
	"math/rand/v2"
	"testing"

	"github.com/fgrelu/fgrelu/tensor"
)

// zeros returns which entries of t are exactly zero.
func zeros(t *tensor.Tensor) []bool {
	out := make([]bool, len(t.Data))
	for i, v := range t.Data {
		out[i] = v == 0
	}
	return out
}

// The dropout mask is drawn once per training step and reused in every pass (paper section
// 3.1; docs/METHODS.md, "Defaults where the paper is silent"): a unit dropped on pass 1 stays dropped on every later pass, and a
// unit kept stays kept. Redrawing the mask per pass fails this test: with rate 0.5 over 64×48
// units, two independent masks agree everywhere with probability 2^−3072.
func TestDropoutMaskIsReusedAcrossPasses(t *testing.T) {
	s := Spec{
		Input: []int{1, 1, 12},
		Layers: []LayerSpec{
			{Name: "H1", Type: "dense", Units: 48, Dropout: 0.5},
			{Name: "H2", Type: "dense", Units: 16},
			{Name: "O", Type: "dense", Units: 12},
		},
		Edges:  []EdgeSpec{{From: "H2", To: "H1"}},
		Passes: 3, Gate: "gain", BetaMax: 0.9, Eta: 1, Loss: "mse", Init: "glorot",
	}
	n, err := Build(s, rand.New(rand.NewPCG(1, 2)))
	if err != nil {
		t.Fatal(err)
	}
	x := tensor.New(64, 1, 1, 12)
	for i := range x.Data {
		x.Data[i] = 0.5 + 0.5*float32(i%7)/7 // positive inputs: few units are zero before dropout
	}
	rng := rand.New(rand.NewPCG(3, 4))
	l := n.StageIndex("H1")
	tp := n.Forward(x, Mode{Train: true, Rand: rng}, nil)
	first := zeros(tp.StageOutput(0, l))
	dropped := 0
	for _, z := range first {
		if z {
			dropped++
		}
	}
	if dropped < len(first)/4 || dropped > 3*len(first)/4 {
		t.Fatalf("%d of %d units zero on pass 1: dropout at rate 0.5 is not active", dropped, len(first))
	}
	for p := 1; p < s.Passes; p++ {
		zp := zeros(tp.StageOutput(p, l))
		for i := range first {
			if zp[i] != first[i] {
				t.Fatalf("pass %d: unit %d is zero %v, on pass 1 %v: the dropout mask was redrawn", p+1, i, zp[i], first[i])
			}
		}
	}
	// The next training step (on the same tape) draws a new mask.
	tp = n.Forward(x, Mode{Train: true, Rand: rng}, tp)
	again := zeros(tp.StageOutput(0, l))
	same := true
	for i := range first {
		same = same && again[i] == first[i]
	}
	if same {
		t.Error("the next training step reused the previous step's mask")
	}
}

package experiment

import (
	"math"

	"github.com/fgrelu/fgrelu/net"
)

// Dead units (issue 14, docs/METHODS.md "Dead units"). The bottleneck is the narrowest rectifier
// layer of a run (E2 of the MNIST autoencoder); a unit is dead when it is active on no test
// example after the last epoch.

// bottleneckOf returns the probe's record of the narrowest rectifier layer on a pass after the
// last epoch.
func bottleneckOf(r *Result, pass int) (net.LayerActivity, bool) {
	name := bottleneckName(r)
	for _, a := range r.Activity {
		if a.Layer == name && a.Pass == pass {
			return a, true
		}
	}
	return net.LayerActivity{}, false
}

// bottleneckName is the layer with the fewest units among the probed ones (the first on ties).
func bottleneckName(r *Result) string {
	name, units := "", math.MaxInt
	for _, a := range r.Activity {
		if a.Units < units {
			name, units = a.Layer, a.Units
		}
	}
	return name
}

// deadOverEpochs returns the dead bottleneck units of a pass after every epoch (index epoch−1).
func deadOverEpochs(r *Result, pass int) []float64 {
	name := bottleneckName(r)
	var out []float64
	for _, d := range r.Dead {
		if d.Layer == name && d.Pass == pass && d.Epoch >= 1 {
			for len(out) < d.Epoch {
				out = append(out, math.NaN())
			}
			out[d.Epoch-1] = float64(d.Dead)
		}
	}
	return out
}

var (
	// deadBottleneck is the number of dead bottleneck units on the pass that stands for the model.
	deadBottleneck = measure{"dead bottleneck units", func(r *Result, p int) (float64, bool) {
		a, ok := bottleneckOf(r, p)
		return float64(a.Dead), ok
	}}
	// revived counts the bottleneck units dead on pass 1 and active on the pass that stands for
	// the model: units that feedback brought back. A network with one pass revives none.
	revived = measure{"bottleneck units dead in pass 1 and alive in the last pass", func(r *Result, p int) (float64, bool) {
		first, ok1 := bottleneckOf(r, 1)
		last, ok2 := bottleneckOf(r, p)
		if !ok1 || !ok2 || len(first.Active) == 0 || len(first.Active) != len(last.Active) {
			return math.NaN(), false
		}
		n := 0
		for u := range first.Active {
			if first.Active[u] == 0 && last.Active[u] > 0 {
				n++
			}
		}
		return float64(n), true
	}}
)

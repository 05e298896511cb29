package net

import (
	"fmt"

	"github.com/fgrelu/fgrelu/nn"
)

// Dead units (issue 14). A rectifier unit whose output is never positive passes no gradient to
// its weights (with a plain ReLU), so once dead over the data it stays dead; in the MNIST
// autoencoder the number of dead bottleneck units decides the final loss. The probe counts, for
// every rectifier stage (ReLU, leaky ReLU or feedback gate) and every pass, in how many examples
// each unit was active: its activation output, before pooling, batch norm and dropout, was > 0.
// A dense layer's unit is one output; a convolution's unit is a channel, active in an example
// when it is active at any position. A unit active in no example is dead.

// LayerActivity is the probe's record of one stage on one pass.
type LayerActivity struct {
	Layer    string  `json:"layer"`
	Pass     int     `json:"pass"` // 1-based
	Units    int     `json:"units"`
	Dead     int     `json:"dead"`     // units active in no example
	Examples int64   `json:"examples"` // examples seen
	Active   []int64 `json:"active,omitempty"`
	// Active[u] is the number of examples in which unit u was active; its share is
	// Active[u]/Examples. It may be left out (nil) to keep a record small.
}

// DeadFraction is Dead/Units.
func (a LayerActivity) DeadFraction() float64 { return float64(a.Dead) / float64(max(a.Units, 1)) }

// Share is the fraction of examples in which unit u was active.
func (a LayerActivity) Share(u int) float64 {
	return float64(a.Active[u]) / float64(max(a.Examples, 1))
}

// MeanShare is the mean over units of Share: the fraction of (unit, example) pairs active.
func (a LayerActivity) MeanShare() float64 {
	var s int64
	for _, c := range a.Active {
		s += c
	}
	return float64(s) / float64(max(a.Examples, 1)) / float64(max(len(a.Active), 1))
}

// DeadUnits lists the indices of the dead units.
func (a LayerActivity) DeadUnits() []int {
	var out []int
	for u, c := range a.Active {
		if c == 0 {
			out = append(out, u)
		}
	}
	return out
}

// Activity accumulates the probe over the batches of an evaluation: call Add after each
// Forward, then Layers.
type Activity struct {
	stages   []int       // indices of the rectifier stages
	units    []int       // their units (channels)
	active   [][][]int64 // [probed stage][pass][unit]
	examples int64
	seen     []bool // scratch: the channels active in one example
}

// NewActivity prepares the probe for n's rectifier stages.
func NewActivity(n *Net) *Activity {
	a := &Activity{}
	for l, s := range n.Stages {
		if !nn.Rectifier(s.Gate) || l == len(n.Stages)-1 {
			continue
		}
		c := s.sShape[len(s.sShape)-1]
		a.stages = append(a.stages, l)
		a.units = append(a.units, c)
		per := make([][]int64, n.Passes)
		for t := range per {
			per[t] = make([]int64, c)
		}
		a.active = append(a.active, per)
		a.seen = make([]bool, max(len(a.seen), c))
	}
	return a
}

// Add counts the examples of the Forward that tp records. It reads the activation outputs the
// forward pass kept, so it costs one comparison per value and no second forward pass.
func (a *Activity) Add(tp *Tape) {
	n := tp.net
	for i, l := range a.stages {
		for t := range n.Passes {
			y := tp.ActivationOutput(t, l)
			c := a.units[i]
			per := y.Cols()
			if per%c != 0 {
				panic(fmt.Sprintf("net: activity of %s: %d values per example, %d channels", n.Stages[l].Name, per, c))
			}
			count := a.active[i][t]
			seen := a.seen[:c]
			for b := range y.Rows() {
				row := y.Data[b*per : (b+1)*per]
				if per == c { // dense: one value per unit
					for u, v := range row {
						if v > 0 {
							count[u]++
						}
					}
					continue
				}
				clear(seen)
				for p := 0; p < per; p += c {
					for u, v := range row[p : p+c] {
						if v > 0 {
							seen[u] = true
						}
					}
				}
				for u, s := range seen {
					if s {
						count[u]++
					}
				}
			}
		}
	}
	if len(a.stages) > 0 {
		a.examples += int64(tp.ActivationOutput(0, a.stages[0]).Rows())
	}
}

// Layers returns the records, stage by stage bottom to top and within a stage pass by pass.
// Each holds its own copy of the counts.
func (a *Activity) Layers(n *Net) []LayerActivity {
	var out []LayerActivity
	for i, l := range a.stages {
		for t, count := range a.active[i] {
			r := LayerActivity{Layer: n.Stages[l].Name, Pass: t + 1, Units: a.units[i], Examples: a.examples,
				Active: append([]int64(nil), count...)}
			for _, c := range count {
				if c == 0 {
					r.Dead++
				}
			}
			out = append(out, r)
		}
	}
	return out
}

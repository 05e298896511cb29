package stats

import (
	"fmt"
	"math"
)

// Kind is what a claim says about the shift δ between two samples (or a
// sample and a threshold), measured in the claimed direction.
type Kind int

// Kinds of claim (docs/METHODS.md, "Three verdicts").
const (
	// Superiority: δ lies beyond the margin in the claimed direction
	// ("feedback lowers the loss": δ < −margin).
	Superiority Kind = iota
	// NonSuperiority: δ does not lie beyond the margin in the claimed
	// direction ("more passes bring no more than a negligible improvement":
	// δ > −margin). It is the mirror image of Superiority: the same two
	// one-sided tests, with supported and contradicted swapped.
	NonSuperiority
	// Equivalence: |δ| < margin ("on par"), by two one-sided tests
	// (Schuirmann 1987).
	Equivalence
)

func (k Kind) String() string {
	switch k {
	case Superiority:
		return "superiority"
	case NonSuperiority:
		return "non-superiority"
	case Equivalence:
		return "equivalence"
	}
	return fmt.Sprintf("Kind(%d)", int(k))
}

// Design says how the two samples relate.
type Design int

// Designs of a comparison.
const (
	// Paired: a[i] and b[i] come from the same seed; the test is the exact
	// sign-flip permutation test of the differences a[i] − b[i].
	Paired Design = iota
	// Unpaired: independent samples; the exact two-sample permutation test.
	Unpaired
	// OneSample: a against a fixed threshold; the exact sign-flip test of
	// a[i] − threshold.
	OneSample
)

func (d Design) String() string {
	switch d {
	case Paired:
		return "paired"
	case Unpaired:
		return "unpaired"
	case OneSample:
		return "one-sample"
	}
	return fmt.Sprintf("Design(%d)", int(d))
}

// Hypothesis is a claim about δ = mean(a) − mean(b) (or mean(a) − threshold).
type Hypothesis struct {
	Kind Kind
	// Direction is Less (the claim is about δ < 0, e.g. a lower loss) or
	// Greater. Equivalence ignores it.
	Direction Direction
	// Margin ≥ 0 in the data's units; Equivalence needs Margin > 0.
	Margin float64
	// Alpha is the one-sided level of each test; 0 means DefaultAlpha.
	Alpha float64
}

// boundary is the value of δ that separates the claim from its negation.
func (h Hypothesis) boundary() float64 {
	if h.Direction == Less {
		return -h.Margin
	}
	return h.Margin
}

func (h Hypothesis) validate() error {
	switch {
	case h.Kind < Superiority || h.Kind > Equivalence:
		return fmt.Errorf("stats: unknown kind of claim %d", int(h.Kind))
	case h.Kind != Equivalence && h.Direction != Less && h.Direction != Greater:
		return fmt.Errorf("stats: a %v claim needs the direction Less or Greater, not %v", h.Kind, h.Direction)
	case !(h.Margin >= 0) || math.IsInf(h.Margin, 1):
		return fmt.Errorf("stats: margin %v is not ≥ 0 and finite", h.Margin)
	case h.Kind == Equivalence && h.Margin == 0:
		return fmt.Errorf("stats: an equivalence claim needs a margin > 0")
	case h.Alpha != 0 && !(h.Alpha > 0 && h.Alpha < 0.5):
		return fmt.Errorf("stats: one-sided level alpha %v outside (0, 0.5)", h.Alpha)
	}
	return nil
}

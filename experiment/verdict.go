package experiment

import (
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/fgrelu/fgrelu/report"
	"github.com/fgrelu/fgrelu/stats"
)

// outcome is a claim tested on one set of runs.
type outcome struct {
	claim Claim
	test  stats.Test
	ok    bool // false: too few runs to test (the claim was not run)
	// values are the per-seed values of A and B (B empty for one-sample claims), for the
	// strip plots; divA and divB count the diverged runs of each side.
	values     [2][]float64
	divA, divB int
	note       string
}

// bySeed returns an arm's measure per seed of its finished runs.
func (a *analysis) bySeed(x arm, m measure) map[uint64]float64 {
	out := map[uint64]float64{}
	for _, r := range a.byLabel[x.label] {
		p := x.pass
		if p == 0 {
			p = lastPass(r)
		}
		if v, ok := m.of(r, p); ok && !math.IsNaN(v) && !math.IsInf(v, 0) {
			out[r.Spec.Config.Seed] = v
		}
	}
	return out
}

// evaluate tests one claim on the runs whose labels start with prefix (the sensitivity
// study's settings; "" elsewhere). Runs of two configurations pair up by seed: repeat r of
// every configuration has seed r + 1, the same initial weights where layers match and the same
// data order. The test is paired on the seeds both sides finished, two-sample when fewer than
// two such pairs exist.
func (a *analysis) evaluate(c Claim, prefix string) outcome {
	o := outcome{claim: c}
	v := a.verdicts.WithDefaults()
	h := stats.Hypothesis{Kind: c.Kind, Direction: c.Dir, Alpha: v.Alpha}
	var xa, xb map[uint64]float64
	switch {
	case c.PerSeed != nil:
		xa, o.divA = c.PerSeed(a, prefix)
	default:
		A := arm{prefix + c.A.label, c.A.pass}
		xa, o.divA = a.bySeed(A, c.Measure), a.diverged[A.label]
		if c.B.label != "" {
			B := arm{prefix + c.B.label, c.B.pass}
			xb, o.divB = a.bySeed(B, c.Measure), a.diverged[B.label]
		}
	}
	var err error
	if xb == nil { // one-sample
		va := values(xa, nil)
		o.values[0] = va
		if len(va) < 2 {
			return o
		}
		o.test, err = stats.DecideOneSample(va, c.Threshold(v), h)
	} else {
		va, vb := values(xa, nil), values(xb, nil)
		if len(va) < 2 || len(vb) < 2 {
			o.values = [2][]float64{va, vb}
			return o
		}
		if c.Margin != nil {
			h.Margin = c.Margin(v) * math.Abs(stats.Mean(vb))
		}
		if c.Kind == stats.Equivalence && h.Margin == 0 {
			o.note = "an equivalence claim needs a margin > 0"
			return o
		}
		// Pairs are the seeds both sides finished; runs without a partner are left out of a
		// paired test (and said so), unless fewer than two pairs remain.
		design := stats.Unpaired
		if pa, pb := values(xa, xb), values(xb, xa); len(pa) >= 2 {
			if lost := len(va) + len(vb) - 2*len(pa); lost > 0 {
				o.note = fmt.Sprintf("%d run(s) without a partner of the same seed left out of the pairs", lost)
			}
			design, va, vb = stats.Paired, pa, pb
		}
		o.values = [2][]float64{va, vb}
		o.test, err = stats.Decide(va, vb, design, h)
	}
	if err != nil {
		o.note = err.Error()
		return o
	}
	o.ok = true
	return o
}

// values returns the values of x in seed order, only the seeds that also is in other
// (nil: all).
func values(x, other map[uint64]float64) []float64 {
	seeds := make([]uint64, 0, len(x))
	for s := range x {
		if _, ok := other[s]; other == nil || ok {
			seeds = append(seeds, s)
		}
	}
	slices.Sort(seeds)
	out := make([]float64, len(seeds))
	for i, s := range seeds {
		out[i] = x[s]
	}
	return out
}

// decideFamily adjusts the outcomes' p-values with Holm (one family: a section, or one setting
// of the sensitivity study), then withholds a decision where runs diverged: a diverged run has
// no value, and the verdict of the runs that remain could hide it (docs/METHODS.md, "Diverged
// runs"). A claim that could not be tested stays in the family with p = 1: the family is the
// section's claims as defined, and missing runs must not make the others easier to decide.
func decideFamily(outs []outcome) {
	ts := make([]stats.Test, len(outs))
	for k, o := range outs {
		ts[k] = o.test
		if !o.ok {
			ts[k] = stats.Test{P: 1, PSupport: 1, PContradict: 1}
		}
	}
	stats.AdjustHolm(ts)
	for k := range outs {
		if !outs[k].ok {
			continue
		}
		outs[k].test = ts[k]
		if d := outs[k].divA + outs[k].divB; d > 0 && outs[k].test.Verdict != stats.Inconclusive {
			outs[k].note = joinNotes(outs[k].note, fmt.Sprintf("%d diverged run(s) leave it undecided; the finished runs alone would say %s", d, outs[k].test.Verdict))
			outs[k].test.Verdict = stats.Inconclusive
		}
	}
}

// combine gives a section's verdict from its claims' verdicts: contradicted if any claim is
// (whatever the others), else not run if any could not be tested, supported if all are,
// inconclusive otherwise. Nothing short of every claim being supported makes a section supported.
func combine(outs []outcome) string {
	if len(outs) == 0 {
		return stats.NotRun
	}
	for _, o := range outs {
		if o.ok && o.test.Verdict == stats.Contradicted {
			return stats.Contradicted
		}
	}
	all := true
	for _, o := range outs {
		if !o.ok {
			return stats.NotRun
		}
		all = all && o.test.Verdict == stats.Supported
	}
	if all {
		return stats.Supported
	}
	return stats.Inconclusive
}

// row is the report row of an outcome.
func (o outcome) row(label string) report.Row {
	if !o.ok {
		nan := math.NaN()
		r := report.Row{Label: label, Mean: nan, CILow: nan, CIHigh: nan, Median: nan, P: nan, PAdj: nan,
			Verdict: stats.NotRun, Method: "not tested: fewer than two finished runs of a side"}
		if o.note != "" {
			r.Method = "not tested: " + o.note
		}
		r.Diverged = o.divA + o.divB
		return r
	}
	r := report.TestRow(label, o.test)
	r.Diverged = o.divA + o.divB
	if o.note != "" {
		r.Method += "; " + o.note
	}
	return r
}

// testSection tests a section's claims as one Holm family and returns its verdict and rows.
func (a *analysis) testSection(cs []Claim) (string, []report.Row, []outcome) {
	outs := make([]outcome, len(cs))
	for i, c := range cs {
		outs[i] = a.evaluate(c, "")
	}
	decideFamily(outs)
	var rows []report.Row
	for _, o := range outs {
		rows = append(rows, o.row(o.claim.Text))
		a.note("%s — %s", o.claim.Text, o.claim.Why)
	}
	if len(outs) > 1 {
		a.note("The p-values of the %d claims are adjusted together by Holm–Bonferroni; the verdict uses the adjusted value.", len(outs))
	}
	return combine(outs), rows, outs
}

// divergedNote lists the diverged runs per configuration, or "" when none diverged.
func (a *analysis) divergedNote() string {
	var parts []string
	for _, l := range a.order {
		if d := a.diverged[l]; d > 0 {
			parts = append(parts, fmt.Sprintf("%s: %d of %d", l, d, a.runs[l]))
		}
	}
	if len(parts) == 0 {
		return ""
	}
	return "Diverged runs (the loss became non-finite; counted, not dropped): " + strings.Join(parts, "; ") + "."
}

func joinNotes(a, b string) string {
	if a == "" {
		return b
	}
	return a + "; " + b
}

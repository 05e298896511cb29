package experiment

import (
	"fmt"
	"io"
	"math"
	"text/tabwriter"

	"github.com/fgrelu/fgrelu/stats"
)

// PowerRow plans one claim's design from runs already made (docs/METHODS.md, "How the standard
// profile was sized"): the spread of its per-seed differences, and what a design with more
// repeats would detect.
type PowerRow struct {
	Claim  string
	N      int // pairs (or runs per side, or one-sample values) in the runs at hand
	Design stats.Design
	SD     float64 // standard deviation of the per-seed differences (pooled SD when unpaired)
	Diff   float64 // observed δ̂ − the claim's boundary
	Ref    float64 // |mean of the reference variant| for claims on a loss, else 0
	// MDE is the distance from the boundary detected with 80 % power by Target repeats.
	MDE    float64
	Target int
	// ForMargin is the repeats that detect a distance of Fraction·Ref (0 when unknown);
	// ForObserved the repeats that detect the observed distance.
	ForMargin, ForObserved int
	Fraction               float64
}

// Power plans every claim of the plan from the results in out: for each, the spread of its
// per-seed differences, the distance target repeats would detect with 80 % power, and the
// repeats needed to detect a distance of fraction (e.g. 0.01) of the reference's mean, and the
// observed one (for equivalence, its distance to the nearer margin). The Holm adjustment within
// a section, and the two one-sided tests of equivalence, are not part of this normal-theory
// approximation (Cohen 1988, §2.4): the design it suggests is a lower bound.
func (p Plan) Power(out string, target int, fraction float64) ([]PowerRow, error) {
	var rows []PowerRow
	seen := map[string]bool{}
	for _, it := range p.Items {
		specs, err := it.Exp.Runs(p.Profile, it.Dataset)
		if err != nil {
			return nil, err
		}
		a := newAnalysis(it.Exp, p.Profile, out, it.Dataset, specs, Collect(out, specs))
		a.verdicts = p.Verdicts.WithDefaults()
		for _, c := range claimsOf(p.Profile, it.Exp.Name) {
			id := c.ID
			if it.Dataset != "mnist" && !it.Exp.CIFAR {
				id += " (" + it.Dataset + ")"
			}
			if seen[id] {
				continue
			}
			seen[id] = true
			o := a.evaluate(c, "")
			if !o.ok {
				continue
			}
			rows = append(rows, powerRow(id, o, target, fraction, a.verdicts.Alpha))
		}
	}
	return rows, nil
}

func powerRow(id string, o outcome, target int, fraction, alpha float64) PowerRow {
	t := o.test
	r := PowerRow{Claim: id, N: t.NA, Design: t.Design, Target: target, Fraction: fraction}
	va, vb := o.values[0], o.values[1]
	switch t.Design {
	case stats.Paired:
		r.SD = stats.StdDev(diff(va, vb))
	case stats.OneSample:
		r.SD = stats.StdDev(va)
	default:
		na, nb := float64(len(va)), float64(len(vb))
		r.SD = math.Sqrt(((na-1)*stats.Variance(va) + (nb-1)*stats.Variance(vb)) / (na + nb - 2))
	}
	// A fraction of the reference is a size for losses; a count of dead units or a rise under
	// noise has no such natural scale.
	if m := o.claim.Measure.name; t.Design != stats.OneSample && (m == finalLoss.name || m == lossAtEpoch1.name) {
		r.Ref = math.Abs(stats.Mean(vb))
	}
	paired := t.Design != stats.Unpaired
	m := t.Hypothesis.Margin
	switch {
	case t.Hypothesis.Kind == stats.Equivalence: // the distance to the nearer margin
		r.Diff = m - math.Abs(t.MeanDiff)
	case t.Hypothesis.Direction == stats.Less:
		r.Diff = t.MeanDiff + m
	default:
		r.Diff = t.MeanDiff - m
	}
	r.MDE = stats.Detectable(r.SD, target, alpha, paired)
	if r.Ref > 0 {
		r.ForMargin = stats.Needed(r.SD, fraction*r.Ref, alpha, paired)
	}
	r.ForObserved = stats.Needed(r.SD, math.Abs(r.Diff), alpha, paired)
	return r
}

// WritePower prints the plan as a Markdown table.
func WritePower(w io.Writer, rows []PowerRow) {
	if len(rows) == 0 {
		fmt.Fprintln(w, "no claim has two or more finished runs per side: nothing to plan from")
		return
	}
	tw := tabwriter.NewWriter(w, 0, 0, 1, ' ', tabwriter.Debug)
	t, f := rows[0].Target, rows[0].Fraction
	fmt.Fprintf(tw, "claim\tn\tdesign\tsd of differences\tobserved distance\tdetectable with %d\t%.3g %% of the reference\trepeats for that\trepeats for the observed\n", t, 100*f)
	for _, r := range rows {
		design := r.Design.String()
		margin, forMargin := "–", "–"
		if r.Ref > 0 {
			margin, forMargin = fmt.Sprintf("%.3g", f*r.Ref), repeats(r.ForMargin, r.SD, f*r.Ref)
		}
		fmt.Fprintf(tw, "%s\t%d\t%s\t%.3g\t%.3g\t%.3g\t%s\t%s\t%s\n", r.Claim, r.N, design, r.SD, r.Diff, r.MDE, margin, forMargin, repeats(r.ForObserved, r.SD, r.Diff))
	}
	tw.Flush()
}

// repeats writes a number of repeats; none is needed for no spread, none suffices for no distance.
func repeats(n int, sd, dist float64) string {
	switch {
	case n > 0:
		return fmt.Sprint(n)
	case !(sd > 0) || dist == 0 || math.IsNaN(dist):
		return "–"
	}
	return "> 1000"
}

package experiment

import (
	"fmt"
	"maps"
	"math"
	"slices"
	"strings"

	"github.com/fgrelu/fgrelu/report"
	"github.com/fgrelu/fgrelu/stats"
)

// analyzeDeadUnits is the section "What dead units explain" (issue 14): the dead bottleneck
// units of every model, the loss against them, their course over the epochs, and the tests of
// deadUnitClaims.
func analyzeDeadUnits(a *analysis) section {
	var figs []report.Figure
	var labels []string
	for _, l := range deadUnitVariants {
		if len(a.byLabel[l]) > 0 {
			labels = append(labels, l)
		}
	}
	fig, err := a.deadOverEpochs(labels)
	figs = a.add(figs, fig, err)
	var rows []report.Row
	for _, l := range labels {
		dead := a.bySeed(arm{l, 0}, deadBottleneck)
		vs := values(dead, nil)
		if len(vs) == 0 {
			continue
		}
		rows = append(rows, a.summary(fmt.Sprintf("%s: dead bottleneck units after the last epoch (median %s)", l, fmtDead(stats.Median(vs))), vs))
	}
	if len(rows) == 0 {
		a.note("No run of this reproduction recorded dead units (results written before the probe existed): delete their result files to measure them.")
	}
	a.note("A unit is dead when it is active (output > 0) on no test example after the last epoch; the bottleneck is the narrowest rectifier layer (E2, %s). The model stands for its last pass.", bottleneckUnits(a, labels))
	a.note("Partial feedback gates E1 with a gain: E1's input is the same on every pass and a gain only scales max(0, μ_S), so E1 units dead on pass 1 stay dead on every pass. Revival can only happen further up, as in the bottleneck, whose input E1 changes with the gain.")
	s := a.sectionOf(figs, rows...)
	if s.Verdict == stats.NotRun {
		s.Verdict = verdictOfTested(s.Numbers)
	}
	s.Notes = plainAnswers(s.Numbers) + "\n\n" + s.Notes
	return s
}

// plainAnswers says in words what the rows of the three questions found.
func plainAnswers(rows []report.Row) string {
	byLabel := map[string]report.Row{}
	for _, r := range rows {
		byLabel[r.Label] = r
	}
	say := func(c Claim) string {
		r, ok := byLabel[c.Text]
		if !ok || r.Verdict == stats.NotRun || r.Verdict == "" {
			return "not tested"
		}
		return fmt.Sprintf("%s (mean %.3g, n = %d)", r.Verdict, r.Mean, r.N)
	}
	var fewer, kept, revive []string
	for _, c := range deadUnitClaims() {
		switch {
		case c.Measure.name == deadBottleneck.name:
			fewer = append(fewer, c.A.label+": "+say(c))
		case c.Measure.name == revived.name:
			revive = append(revive, c.A.label+": "+say(c))
		case c.PerSeed != nil:
			kept = append(kept, strings.TrimPrefix(c.ID, deadSection+"/")+": "+say(c))
		}
	}
	return "In plain words. Does a model leave fewer dead bottleneck units than the standard one? " +
		strings.Join(fewer, "; ") + ". Is feedback's lower loss still there when dead units are taken out " +
		"(matched: only seeds with equal dead units; adjusted: by the within-model slope of loss on dead units)? " +
		strings.Join(kept, "; ") + ". Does the last pass revive bottleneck units the first left dead? " +
		strings.Join(revive, "; ") + "."
}

// verdictOfTested combines the rows that could be tested: the stratified comparison has no pairs
// when no seed ends with as many dead units in both models, which leaves that question open but
// does not void the others. Contradicted if any is, inconclusive otherwise (one is untested);
// not run when none was tested.
func verdictOfTested(rows []report.Row) string {
	v := stats.NotRun
	for _, r := range rows {
		switch r.Verdict {
		case stats.Contradicted:
			return stats.Contradicted
		case stats.Supported, stats.Inconclusive:
			v = stats.Inconclusive
		}
	}
	return v
}

// bottleneckUnits names the bottleneck's width from the first run with a probe record.
func bottleneckUnits(a *analysis, labels []string) string {
	for _, l := range labels {
		for _, r := range a.byLabel[l] {
			if b, ok := bottleneckOf(r, 1); ok {
				return fmt.Sprintf("%d units", b.Units)
			}
		}
	}
	return "no record"
}

// hasDeadRecords reports whether any run of the labels recorded the dead-unit probe.
func (a *analysis) hasDeadRecords(labels []string) bool {
	for _, l := range labels {
		for _, r := range a.byLabel[l] {
			if len(r.Activity) > 0 {
				return true
			}
		}
	}
	return false
}

// deadFigures shows, for the models of an MNIST section (two or more), every repeat's dead
// bottleneck units and its final loss against them: how much of the spread of the loss the dead
// units carry.
func (a *analysis) deadFigures(labels []string) []report.Figure {
	if len(labels) < 2 || len(labels) > len(report.Colors) || !a.hasDeadRecords(labels) {
		return nil
	}
	strip := report.StripFigure{Title: "Dead bottleneck units, every repeat",
		Panels: []report.StripPanel{{YLabel: "dead units (of the bottleneck)", Paired: true}}}
	sc := report.ScatterFigure{Title: "Final test loss against dead bottleneck units", XLabel: "dead bottleneck units",
		YLabel: "final test loss", Radius: 3, Panels: []report.ScatterPanel{{}}}
	for i, l := range labels {
		x := arm{l, 0}
		dead, loss := a.bySeed(x, deadBottleneck), a.bySeed(x, finalLoss)
		g := report.StripGroup{Name: l}
		for k, s := range sortedSeeds(dead) {
			g.Values = append(g.Values, dead[s])
			if y, ok := loss[s]; ok {
				p := &sc.Panels[0]
				// A small fixed offset per model and repeat keeps integer counts apart.
				p.X = append(p.X, dead[s]+0.25*(float64(i)-float64(len(labels)-1)/2)/float64(len(labels))+0.02*float64(k%3-1))
				p.Y = append(p.Y, y)
				p.Class = append(p.Class, i)
			}
		}
		strip.Panels[0].Groups = append(strip.Panels[0].Groups, g)
		sc.ClassNames = append(sc.ClassNames, l)
	}
	var figs []report.Figure
	path, rel := a.figure("dead-strip")
	figs = a.add(figs, report.Figure{File: rel + ".png", Caption: "Dead bottleneck units (active on no test example) after the last epoch, one point per repeat, the median as a bar; grey lines join runs with the same seed."},
		report.Strip(path, strip))
	if len(sc.Panels[0].X) > 0 {
		path, rel = a.figure("dead-loss")
		figs = a.add(figs, report.Figure{File: rel + ".png", Caption: "Final test loss of every repeat against its dead bottleneck units (slightly offset per model to keep the points apart), coloured by model. Points that line up by dead units, whatever the model, mean the units, not the model, set the loss."},
			report.Scatter(path, sc))
	}
	return figs
}

// sortedSeeds returns the seeds of a per-seed map in increasing order.
func sortedSeeds(m map[uint64]float64) []uint64 {
	return slices.Sorted(maps.Keys(m))
}

// deadOverEpochs draws the mean dead bottleneck units of each model after every epoch, with
// 95 % intervals over the repeats.
func (a *analysis) deadOverEpochs(labels []string) (report.Figure, error) {
	fig := report.CurveFigure{Title: "Dead bottleneck units over training", XLabel: "epoch", YLabel: "dead bottleneck units"}
	panel := report.CurvePanel{}
	for _, l := range labels {
		var perRun [][]float64
		epochs, units := 0, 0.0
		for _, r := range a.byLabel[l] {
			d := deadOverEpochs(r, lastPass(r))
			if len(d) > 0 {
				perRun = append(perRun, d)
				epochs = max(epochs, len(d))
			}
			if b, ok := bottleneckOf(r, 1); ok {
				units = max(units, float64(b.Units))
			}
		}
		if len(perRun) == 0 {
			continue
		}
		s := report.Series{Name: l}
		for e := range epochs {
			var xs []float64
			for _, d := range perRun {
				if e < len(d) && !math.IsNaN(d[e]) {
					xs = append(xs, d[e])
				}
			}
			sum := stats.Summarize(xs, 0.95)
			// A count lies in [0, units]: the band stops there.
			lo, hi := max(clipCI(sum.CILow, sum.Mean), 0), min(clipCI(sum.CIHigh, sum.Mean), units)
			s.X = append(s.X, float64(e+1))
			s.Mean, s.Low, s.High = append(s.Mean, sum.Mean), append(s.Low, lo), append(s.High, hi)
		}
		panel.Series = append(panel.Series, s)
	}
	if len(panel.Series) == 0 {
		return report.Figure{}, fmt.Errorf("no run recorded dead units per epoch")
	}
	fig.Panels = []report.CurvePanel{panel}
	path, rel := a.figure("dead-epochs")
	if err := report.Curves(path, fig); err != nil {
		return report.Figure{}, err
	}
	return report.Figure{File: rel + ".png", Caption: "Mean dead bottleneck units of each model (its last pass) after every epoch, with 95 % intervals over the repeats: units die early and some come back."}, nil
}

// deadSectionLabels are the labels of a section whose dead units the report shows beside its
// claims: MNIST experiments with a few models, not the study (its labels carry a setting) or
// the grid (too many cells for one legend).
func (a *analysis) deadSectionLabels() []string {
	if a.exp.CIFAR || a.exp.Name == "sensitivity" || a.exp.Name == "grid" {
		return nil
	}
	var out []string
	for _, l := range a.order {
		if !strings.Contains(l, " | ") {
			out = append(out, l)
		}
	}
	return out
}

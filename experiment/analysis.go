package experiment

import (
	"fmt"
	"math"
	"path/filepath"
	"slices"
	"strings"

	"github.com/fgrelu/fgrelu/config"
	"github.com/fgrelu/fgrelu/report"
	"github.com/fgrelu/fgrelu/stats"
)

type section = report.Section

// analysis gives an experiment's analyze function its results and where to put figures.
type analysis struct {
	exp     *Experiment
	profile Profile
	dir     string // output folder; figures go to dir/figures
	dataset string
	byLabel map[string][]*Result // finished runs, by label
	// diverged counts, by label, the runs whose loss became non-finite: they have no
	// measurements but are counted and reported (docs/METHODS.md, "Diverged runs").
	diverged map[string]int
	runs     map[string]int // runs planned, by label
	order    []string       // labels in run order
	notes    []string
	verdicts config.Verdicts
}

func newAnalysis(e *Experiment, p Profile, dir, dataset string, specs []RunSpec, got map[string]*Result) *analysis {
	a := &analysis{exp: e, profile: p, dir: dir, dataset: dataset, byLabel: map[string][]*Result{},
		diverged: map[string]int{}, runs: map[string]int{}, verdicts: config.DefaultVerdicts()}
	for _, s := range specs {
		a.runs[s.Label]++
		r, ok := got[s.Key()]
		if !ok {
			continue
		}
		if _, seen := a.byLabel[s.Label]; !seen && a.diverged[s.Label] == 0 {
			a.order = append(a.order, s.Label)
		}
		if r.Diverged != "" {
			a.diverged[s.Label]++
			continue
		}
		a.byLabel[s.Label] = append(a.byLabel[s.Label], r)
	}
	return a
}

// id is the section and file prefix: the experiment, and the dataset when not MNIST.
func (a *analysis) id() string {
	if a.exp.CIFAR || a.dataset == "mnist" {
		return a.exp.Name
	}
	return a.exp.Name + "-" + a.dataset
}

// figure returns the path (without extension) of a figure file and its page-relative name.
func (a *analysis) figure(name string) (path, rel string) {
	rel = filepath.Join("figures", a.id()+"-"+name)
	return filepath.Join(a.dir, rel), rel
}

func (a *analysis) note(format string, args ...any) {
	a.notes = append(a.notes, fmt.Sprintf(format, args...))
}

// lastPass is the pass that stands for a run's model: its last.
func lastPass(r *Result) int { return r.Spec.Config.Model.Passes }

// final returns, per repeat of label, the test loss of a pass (0 = the run's last pass) after
// the last epoch.
func (a *analysis) final(label string, pass int) []float64 {
	return a.atEpoch(label, pass, -1, "loss")
}

// atEpoch returns per repeat the test metric ("loss" or "accuracy") of a pass at an epoch
// (−1 = the last).
func (a *analysis) atEpoch(label string, pass, epoch int, metric string) []float64 {
	var out []float64
	for _, r := range a.byLabel[label] {
		p := pass
		if p == 0 {
			p = lastPass(r)
		}
		e := epoch
		if e < 0 {
			e = r.Spec.Config.Train.Epochs
		}
		for _, row := range r.History {
			if row.Split == "test" && row.Pass == p && row.Epoch == e {
				if metric == "accuracy" {
					out = append(out, row.Accuracy)
				} else {
					out = append(out, row.Loss)
				}
			}
		}
	}
	return out
}

// series is the mean test metric over repeats with its 95 % interval, by epoch.
func (a *analysis) series(name, label string, pass int, metric string) report.Series {
	s := report.Series{Name: name}
	rs := a.byLabel[label]
	if len(rs) == 0 {
		return s
	}
	for e := 1; e <= rs[0].Spec.Config.Train.Epochs; e++ {
		sum := stats.Summarize(a.atEpoch(label, pass, e, metric), 0.95)
		s.X = append(s.X, float64(e))
		s.Mean, s.Low, s.High = append(s.Mean, sum.Mean), append(s.Low, clipCI(sum.CILow, sum.Mean)), append(s.High, clipCI(sum.CIHigh, sum.Mean))
	}
	return s
}

// clipCI replaces an infinite interval end (one repeat) by the mean, so the band collapses.
func clipCI(v, mean float64) float64 {
	if math.IsInf(v, 0) || math.IsNaN(v) {
		return mean
	}
	return v
}

type curveSpec struct {
	name  string // legend
	label string // run label
	pass  int    // 0 = the run's last pass
}

// curves draws test loss (or accuracy) curves over epochs and returns the report figure.
func (a *analysis) curves(file, title, metric string, caption string, panels ...[]curveSpec) (report.Figure, error) {
	fig := report.CurveFigure{Title: title, XLabel: "epoch", YLabel: "test " + metric}
	for i, p := range panels {
		panel := report.CurvePanel{}
		if len(panels) > 1 {
			panel.Title = fmt.Sprintf("pass %d", i+1)
		}
		for _, c := range p {
			if len(a.byLabel[c.label]) == 0 {
				continue
			}
			panel.Series = append(panel.Series, a.series(c.name, c.label, c.pass, metric))
		}
		fig.Panels = append(fig.Panels, panel)
	}
	path, rel := a.figure(file)
	if err := report.Curves(path, fig); err != nil {
		return report.Figure{}, err
	}
	return report.Figure{File: rel + ".png", Caption: caption}, nil
}

func (a *analysis) summary(text string, xs []float64) report.Row {
	return report.SummaryRow(text, stats.Summarize(xs, 0.95))
}

// sectionOf assembles the report section of an experiment: its claims (claims.go) tested as
// one Holm family, a strip plot of their per-repeat values, the figures and extra rows.
func (a *analysis) sectionOf(figs []report.Figure, extra ...report.Row) section {
	s := section{ID: a.id(), Title: a.exp.Title, PaperClaim: a.exp.Claim, Figures: figs}
	if a.dataset != "mnist" && !a.exp.CIFAR {
		s.Title += " (" + a.dataset + ")"
	}
	cs := claimsOf(a.profile, a.exp.Name)
	var outs []outcome
	s.Verdict, s.Numbers, outs = a.testSection(cs)
	if fig, ok, err := a.strips(outs); ok {
		s.Figures = a.add(s.Figures, fig, err)
	}
	s.Figures = append(s.Figures, a.deadFigures(a.deadSectionLabels())...)
	s.Numbers = append(s.Numbers, extra...)
	if n := a.divergedNote(); n != "" {
		a.notes = append([]string{n}, a.notes...)
	}
	s.Notes = strings.Join(a.notes, "\n\n")
	return s
}

// strips draws the per-repeat values of every variant the section's claims compare, a panel
// per measurement; ok is false when there is nothing to draw.
func (a *analysis) strips(outs []outcome) (fig report.Figure, ok bool, err error) {
	type key struct {
		m string
		x arm
	}
	var sf report.StripFigure
	panelOf := map[string]int{}
	seen := map[key]bool{}
	seeds := map[string][]uint64{}
	paired := map[string]bool{}
	for _, o := range outs {
		c := o.claim
		if c.PerSeed != nil {
			continue
		}
		for _, x := range []arm{c.A, c.B} {
			k := key{c.Measure.name, x}
			if x.label == "" || seen[k] || len(a.byLabel[x.label]) == 0 {
				continue
			}
			seen[k] = true
			bySeed := a.bySeed(x, c.Measure)
			var ss []uint64
			for s := range bySeed {
				ss = append(ss, s)
			}
			slices.Sort(ss)
			g := report.StripGroup{Name: armName(x)}
			for _, s := range ss {
				g.Values = append(g.Values, bySeed[s])
			}
			if len(g.Values) == 0 {
				continue
			}
			i, ok := panelOf[c.Measure.name]
			if !ok {
				i = len(sf.Panels)
				panelOf[c.Measure.name] = i
				sf.Panels = append(sf.Panels, report.StripPanel{Title: c.Measure.name, YLabel: "per repeat"})
				seeds[c.Measure.name], paired[c.Measure.name] = ss, true
			}
			paired[c.Measure.name] = paired[c.Measure.name] && slices.Equal(ss, seeds[c.Measure.name])
			sf.Panels[i].Groups = append(sf.Panels[i].Groups, g)
		}
	}
	if len(sf.Panels) == 0 {
		return report.Figure{}, false, nil
	}
	for i := range sf.Panels {
		sf.Panels[i].Paired = paired[sf.Panels[i].Title]
	}
	sf.Title = "Every repeat's value"
	path, rel := a.figure("strip")
	if err := report.Strip(path, sf); err != nil {
		return report.Figure{}, true, err
	}
	return report.Figure{File: rel + ".png", Caption: "The value of every repeat that the claims compare, with the median as a bar; grey lines join runs with the same seed. A few lumpy values (say, 0 or 2 dead bottleneck units) show here before they move a mean."}, true, nil
}

// armName names a variant in a figure: its label, and the pass when it is not the last.
func armName(x arm) string {
	if x.pass == 0 {
		return x.label
	}
	return fmt.Sprintf("%s, pass %d", x.label, x.pass)
}

package experiment

import (
	"fmt"
	"math"
	"path/filepath"
	"strings"

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
	byLabel map[string][]*Result
	order   []string // labels in run order
	notes   []string
}

func newAnalysis(e *Experiment, p Profile, dir, dataset string, specs []RunSpec, got map[string]*Result) *analysis {
	a := &analysis{exp: e, profile: p, dir: dir, dataset: dataset, byLabel: map[string][]*Result{}}
	for _, s := range specs {
		r, ok := got[s.Key()]
		if !ok {
			continue
		}
		if _, seen := a.byLabel[s.Label]; !seen {
			a.order = append(a.order, s.Label)
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

// claim is one tested statement and its comparison.
type claim struct {
	text string
	cmp  stats.Comparison
	ok   bool // false when the runs needed are missing
}

func compare(text string, a, b []float64, dir stats.Direction) claim {
	if len(a) < 2 || len(b) < 2 {
		return claim{text: text}
	}
	return claim{text: text, cmp: stats.Compare(a, b, stats.DefaultAlpha, dir), ok: true}
}

func equivalent(text string, a, b []float64, margin float64) claim {
	if len(a) < 2 || len(b) < 2 {
		return claim{text: text}
	}
	return claim{text: text, cmp: stats.Equivalent(a, b, margin, stats.DefaultAlpha), ok: true}
}

// verdict combines sub-claims: supported if all are, contradicted if any is, else inconclusive.
func verdict(cs []claim) string {
	if len(cs) == 0 {
		return stats.NotRun
	}
	all := true
	for _, c := range cs {
		if !c.ok {
			return stats.NotRun
		}
		if c.cmp.Verdict == stats.Contradicted {
			return stats.Contradicted
		}
		if c.cmp.Verdict != stats.Supported {
			all = false
		}
	}
	if all {
		return stats.Supported
	}
	return stats.Inconclusive
}

// sectionOf assembles the report section of an experiment.
func (a *analysis) sectionOf(cs []claim, figs []report.Figure, extra ...report.Row) section {
	s := section{ID: a.id(), Title: a.exp.Title, PaperClaim: a.exp.Claim, Verdict: verdict(cs), Figures: figs}
	if a.dataset != "mnist" && !a.exp.CIFAR {
		s.Title += " (" + a.dataset + ")"
	}
	for _, c := range cs {
		if c.ok {
			s.Numbers = append(s.Numbers, report.ComparisonRow(c.text, c.cmp))
			a.note("%s: %s (difference %.4g, 95%% CI [%.4g, %.4g], d = %.2f, p = %.3g).", c.text, c.cmp.Verdict,
				c.cmp.Diff, c.cmp.CILow, c.cmp.CIHigh, c.cmp.D, c.cmp.P)
		} else {
			a.note("%s: not run (fewer than two repeats of a side).", c.text)
		}
	}
	s.Numbers = append(s.Numbers, extra...)
	s.Notes = strings.Join(a.notes, "\n\n")
	return s
}

func (a *analysis) summary(text string, xs []float64) report.Row {
	return report.SummaryRow(text, stats.Summarize(xs, 0.95))
}

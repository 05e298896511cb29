package experiment

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"time"

	"github.com/fgrelu/fgrelu/gemm"
	"github.com/fgrelu/fgrelu/internal/sysinfo"
	"github.com/fgrelu/fgrelu/report"
)

// Plan is an ordered selection of experiments with the dataset each runs on.
type Plan struct {
	Profile Profile
	Items   []PlanItem
}

// PlanItem is one experiment on one dataset.
type PlanItem struct {
	Exp     *Experiment
	Dataset string
}

// Specs lists the plan's runs, deduplicated, in a fixed order: the unit list that --index
// addresses.
func (p Plan) Specs() ([]RunSpec, error) {
	var all []RunSpec
	for _, it := range p.Items {
		specs, err := it.Exp.Runs(p.Profile, it.Dataset)
		if err != nil {
			return nil, err
		}
		all = append(all, specs...)
	}
	return Unique(all), nil
}

// Analyze builds every figure and the report from the results under out.
func (p Plan) Analyze(out string, env map[string]string) (*report.Report, error) {
	if err := os.MkdirAll(filepath.Join(out, "figures"), 0o755); err != nil {
		return nil, fmt.Errorf("experiment: %w", err)
	}
	r := &report.Report{
		Title:     "Feedback-gated ReLUs: what reproduces",
		Subtitle:  "Kemmerling, “Feedback-Gated Rectified Linear Units” (arXiv 2301.02610), claim by claim",
		Generated: time.Now(),
		Environment: map[string]string{
			"profile": p.Profile.Name, "go": runtime.Version(), "GOMAXPROCS": fmt.Sprint(runtime.GOMAXPROCS(0)),
			"gemm": gemm.Describe(), "cpu": sysinfo.CPUModel(),
		},
	}
	for k, v := range env {
		r.Environment[k] = v
	}
	total, missing := 0, 0
	var seconds float64
	for _, it := range p.Items {
		specs, err := it.Exp.Runs(p.Profile, it.Dataset)
		if err != nil {
			return nil, err
		}
		got := Collect(out, specs)
		total += len(specs)
		missing += len(specs) - len(got)
		for _, res := range got {
			seconds += res.Seconds
		}
		a := newAnalysis(it.Exp, p.Profile, out, it.Dataset, specs, got)
		s := it.Exp.analyze(a)
		if len(got) < len(specs) {
			s.Notes = fmt.Sprintf("%d of %d runs have results; the numbers use those.\n\n", len(got), len(specs)) + s.Notes
		}
		r.Sections = append(r.Sections, s)
	}
	r.Environment["runs"] = fmt.Sprintf("%d results of %d runs (shared runs counted per experiment)", total-missing, total)
	r.Environment["compute"] = fmt.Sprintf("%.0f s of run time in the results (training and probes)", seconds)
	if err := report.WriteHTML(out, r); err != nil {
		return nil, err
	}
	return r, nil
}

package experiment

import (
	"bytes"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strconv"
	"time"

	"github.com/fgrelu/fgrelu/config"
	"github.com/fgrelu/fgrelu/docs"
	"github.com/fgrelu/fgrelu/internal/atomicfile"

	"github.com/fgrelu/fgrelu/gemm"
	"github.com/fgrelu/fgrelu/internal/sysinfo"
	"github.com/fgrelu/fgrelu/report"
)

// Plan is an ordered selection of experiments with the dataset each runs on.
type Plan struct {
	Profile Profile
	Items   []PlanItem
	// Verdicts are the levels, margins and thresholds of the verdicts; zero fields take their
	// defaults (config.DefaultVerdicts, docs/METHODS.md).
	Verdicts config.Verdicts
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

// MethodsFile is the name of the method document written beside the report.
const MethodsFile = "METHODS.md"

// Analyze builds every figure and the report from the results under out, and writes beside
// report.html the verdict table (verdicts.md) and the method document it links (METHODS.md).
func (p Plan) Analyze(out string, env map[string]string) (*report.Report, error) {
	if err := os.MkdirAll(filepath.Join(out, "figures"), 0o755); err != nil {
		return nil, fmt.Errorf("experiment: %w", err)
	}
	r := &report.Report{
		Title:     "Feedback-gated ReLUs: what reproduces",
		Subtitle:  "Kemmerling, “Feedback-Gated Rectified Linear Units” (arXiv 2301.02610), claim by claim",
		Generated: time.Now(),
		Methods:   MethodsFile,
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
	all := map[string]*Result{}
	for _, it := range p.Items {
		specs, err := it.Exp.Runs(p.Profile, it.Dataset)
		if err != nil {
			return nil, err
		}
		got := Collect(out, specs)
		n := len(Unique(specs)) // a cell in both grids is one run
		total += n
		missing += n - len(got)
		for k, res := range got {
			if all[k] == nil {
				seconds += res.Seconds
			}
			all[k] = res
		}
		a := newAnalysis(it.Exp, p.Profile, out, it.Dataset, specs, got)
		a.verdicts = p.Verdicts.WithDefaults()
		s := it.Exp.analyze(a)
		if len(got) < n {
			s.Notes = fmt.Sprintf("%d of %d runs have results; the numbers use those.\n\n", len(got), n) + s.Notes
		}
		r.Sections = append(r.Sections, s)
	}
	if err := writeTables(out, all); err != nil {
		return nil, err
	}
	r.Environment["runs"] = fmt.Sprintf("%d results of %d runs (shared runs counted per experiment)", total-missing, total)
	diverged := 0
	for _, res := range all {
		if res.Diverged != "" {
			diverged++
		}
	}
	r.Environment["diverged runs"] = fmt.Sprintf("%d of the results (each section lists them per configuration)", diverged)
	v := p.Verdicts.WithDefaults()
	r.Environment["verdict settings"] = fmt.Sprintf("alpha %g one-sided; margins: improvement %g, negligible %g, on par %g, cannot improve %g, grid %g; majority %g",
		v.Alpha, v.ImprovementMargin, v.Negligible, v.OnPar, v.CannotImprove, v.GridMargin, v.Majority)
	r.Environment["compute"] = fmt.Sprintf("%.0f s of run time in the results (training and probes)", seconds)
	if err := atomicfile.WriteBytes(filepath.Join(out, MethodsFile), docs.Methods); err != nil {
		return nil, err
	}
	if err := report.WriteHTML(out, r); err != nil {
		return nil, err
	}
	if err := report.WriteMarkdown(out, r); err != nil {
		return nil, err
	}
	return r, nil
}

// writeTables writes every result's metrics as one CSV (a row per run, epoch, split and pass),
// the probes' noise sweeps as another, and the dead units as a third (a row per run, epoch,
// rectifier layer and pass), for analysis outside fgrelu.
func writeTables(out string, results map[string]*Result) error {
	keys := make([]string, 0, len(results))
	for k := range results {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var m, n, d bytes.Buffer
	m.WriteString("run,label,repeat,dataset,arch,passes,epoch,split,pass,loss,accuracy\n")
	d.WriteString("run,label,repeat,dataset,arch,passes,epoch,layer,pass,units,dead\n")
	n.WriteString("run,label,repeat,dataset,arch,passes,sigma,pass,loss\n")
	for _, k := range keys {
		r := results[k]
		c := r.Spec.Config
		id := fmt.Sprintf("%s,%q,%d,%s,%s,%d", k, r.Spec.Label, r.Spec.Repeat, c.Dataset(), c.Model.Arch, c.Model.Passes)
		for _, row := range r.History {
			acc := ""
			if !math.IsNaN(row.Accuracy) {
				acc = strconv.FormatFloat(row.Accuracy, 'g', -1, 64)
			}
			fmt.Fprintf(&m, "%s,%d,%s,%d,%s,%s\n", id, row.Epoch, row.Split, row.Pass, strconv.FormatFloat(row.Loss, 'g', -1, 64), acc)
		}
		for _, row := range r.Dead {
			fmt.Fprintf(&d, "%s,%d,%s,%d,%d,%d\n", id, row.Epoch, row.Layer, row.Pass, row.Units, row.Dead)
		}
		for _, pt := range r.Noise {
			for p, l := range pt.Loss {
				fmt.Fprintf(&n, "%s,%g,%d,%s\n", id, pt.Sigma, p+1, strconv.FormatFloat(l, 'g', -1, 64))
			}
		}
	}
	if err := atomicfile.WriteBytes(filepath.Join(out, "metrics.csv"), m.Bytes()); err != nil {
		return err
	}
	if err := atomicfile.WriteBytes(filepath.Join(out, "deadunits.csv"), d.Bytes()); err != nil {
		return err
	}
	return atomicfile.WriteBytes(filepath.Join(out, "noise.csv"), n.Bytes())
}

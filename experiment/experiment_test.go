package experiment

import (
	"context"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/fgrelu/fgrelu/internal/browsertest"
	"github.com/fgrelu/fgrelu/report"
	"github.com/fgrelu/fgrelu/stats"
)

// tiny is a profile small enough for a test: every mechanism, no meaningful numbers.
var tiny = Profile{Name: "test", Repeats: 2, GridRepeats: 1, Epochs: 1, TrainLimit: 300, TestLimit: 200,
	CIFAREpochs: 1, ClsEpochs: 1, CIFARLimit: 64, CIFARTest: 64, TSNEPoints: 60,
	Noise: []float64{0, 2}, Contrast: []float64{0, 0.5, 1}}

func TestRunsAreDeterministicAndShared(t *testing.T) {
	var all []RunSpec
	for _, e := range All() {
		specs, err := e.Runs(Profiles["quick"], "mnist")
		if err != nil {
			t.Fatalf("%s: %v", e.Name, err)
		}
		again, _ := e.Runs(Profiles["quick"], "mnist")
		for i := range specs {
			if specs[i].Key() != again[i].Key() {
				t.Fatalf("%s: run %d changes key between expansions", e.Name, i)
			}
		}
		all = append(all, specs...)
	}
	if u := Unique(all); len(u) >= len(all) {
		t.Errorf("no runs shared between experiments (%d runs)", len(all))
	}
	if _, err := ByName("nope"); err == nil {
		t.Error("unknown experiment accepted")
	}
	if _, err := All()[0].Runs(tiny, "imagenet"); err == nil {
		t.Error("unknown dataset accepted")
	}
}

// A plan runs, skips what is done, runs one index alone, and builds a report whose claims carry
// verdicts and whose page loads in a browser.
func TestPlanEndToEnd(t *testing.T) {
	out := t.TempDir()
	var items []PlanItem
	for _, name := range []string{"mnist-ae-b10", "noise", "histogram", "contrast", "tsne"} {
		e, err := ByName(name)
		if err != nil {
			t.Fatal(err)
		}
		items = append(items, PlanItem{Exp: e, Dataset: "mnist"})
	}
	plan := Plan{Profile: tiny, Items: items}
	specs, err := plan.Specs()
	if err != nil {
		t.Fatal(err)
	}
	if len(specs) != 4 { // standard and partial feedback, two repeats each, shared by all five
		t.Fatalf("%d runs, want 4 shared ones", len(specs))
	}
	// One index alone, as a cluster array job would.
	if err := Execute(context.Background(), specs[1:2], Options{Out: out, Jobs: 1}); err != nil {
		t.Fatal(err)
	}
	if !Done(out, specs[1]) || Done(out, specs[0]) {
		t.Fatal("--index ran the wrong run")
	}
	info, _ := os.Stat(filepath.Join(out, ResultsDir, specs[1].FileName()))
	if err := Execute(context.Background(), specs, Options{Out: out, Jobs: 2}); err != nil {
		t.Fatal(err)
	}
	again, _ := os.Stat(filepath.Join(out, ResultsDir, specs[1].FileName()))
	if !again.ModTime().Equal(info.ModTime()) {
		t.Error("a finished run was redone")
	}
	rep, err := plan.Analyze(out, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Sections) != 5 {
		t.Fatalf("%d sections", len(rep.Sections))
	}
	for _, s := range rep.Sections {
		if s.Verdict == "" || len(s.Figures) == 0 {
			t.Errorf("section %s: verdict %q, %d figures", s.ID, s.Verdict, len(s.Figures))
		}
		if s.ID != "tsne" && s.Verdict == stats.NotRun {
			t.Errorf("section %s has no verdict although its runs exist: %s", s.ID, s.Notes)
		}
		if s.ID == "tsne" && s.Verdict != stats.NoClaim { // it ran; the paper states no claim
			t.Errorf("t-SNE section: verdict %q, want %q", s.Verdict, stats.NoClaim)
		}
	}
	table, err := os.ReadFile(filepath.Join(out, "metrics.csv"))
	if err != nil || strings.Count(string(table), "\n") != 1+2*2+2*4 { // header, 2 one-pass and 2 two-pass runs × 1 epoch × 2 splits
		t.Errorf("metrics.csv: %v, %d lines", err, strings.Count(string(table), "\n"))
	}
	dead, err := os.ReadFile(filepath.Join(out, "deadunits.csv"))
	if err != nil || strings.Count(string(dead), "\n") != 1+2*3+2*3*2 { // header, 3 rectifier layers × 1 or 2 passes × 2 runs each
		t.Errorf("deadunits.csv: %v, %d lines", err, strings.Count(string(dead), "\n"))
	}
	page, err := os.ReadFile(filepath.Join(out, report.HTMLFile))
	if err != nil || !strings.Contains(string(page), "noise") {
		t.Fatalf("report: %v", err)
	}
	if !strings.Contains(string(page), `href="METHODS.md"`) {
		t.Error("the report does not link METHODS.md")
	}
	for _, f := range []string{MethodsFile, report.VerdictsFile} {
		if b, err := os.ReadFile(filepath.Join(out, f)); err != nil || len(b) < 100 {
			t.Errorf("%s: %v, %d bytes", f, err, len(b))
		}
	}
	if os.Getenv("FGRELU_KEEP_REPORT") != "" {
		os.CopyFS(os.Getenv("FGRELU_KEEP_REPORT"), os.DirFS(out))
	}
	check, err := browsertest.CheckInBrowser(filepath.Join(out, report.HTMLFile))
	if err == browsertest.ErrNoBrowser {
		t.Skip("skipped the browser check: chromium is not installed (apt-get install -y chromium)")
	}
	if err != nil {
		t.Fatal(err)
	}
	if !check.OK() || check.Images == 0 {
		t.Errorf("browser: %+v", check)
	}
}

// A run interrupted mid-training continues from its checkpoint and ends with the same result
// as one never interrupted.
func TestInterruptedRunResumes(t *testing.T) {
	e, _ := ByName("mnist-ae-b10")
	specs, err := e.Runs(tiny, "mnist")
	if err != nil {
		t.Fatal(err)
	}
	spec := specs[len(specs)-1] // partial feedback
	whole, cut := t.TempDir(), t.TempDir()
	if err := RunOne(context.Background(), spec, nil, Options{Out: whole}); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	stop := func(step int64) {
		if step == 2 {
			cancel()
		}
	}
	err = RunOne(ctx, spec, nil, Options{Out: cut, OnStep: stop})
	if err == nil {
		t.Fatal("the interrupted run reported success")
	}
	if Done(cut, spec) {
		t.Fatal("an interrupted run left a result")
	}
	if err := RunOne(context.Background(), spec, nil, Options{Out: cut}); err != nil {
		t.Fatal(err)
	}
	a, _ := load(resultPath(whole, spec))
	b, _ := load(resultPath(cut, spec))
	if len(a.History) == 0 || len(a.History) != len(b.History) {
		t.Fatalf("histories of %d and %d rows", len(a.History), len(b.History))
	}
	for i := range a.History {
		x, y := a.History[i], b.History[i]
		if x.Epoch != y.Epoch || x.Split != y.Split || x.Pass != y.Pass || x.Loss != y.Loss { // accuracy is NaN for autoencoders
			t.Fatalf("row %d: %+v vs %+v", i, a.History[i], b.History[i])
		}
	}
	// The dead units: a row per rectifier layer (E1, E2, D1) and pass for the one epoch, the
	// same in both; per-unit counts for the 10-unit bottleneck only.
	if len(a.Dead) != 3*2 || !reflect.DeepEqual(a.Dead, b.Dead) || !reflect.DeepEqual(a.Activity, b.Activity) {
		t.Fatalf("dead rows %v and %v, activity %v and %v", a.Dead, b.Dead, a.Activity, b.Activity)
	}
	for _, act := range a.Activity {
		if kept := act.Active != nil; kept != (act.Layer == "E2") || act.Examples != int64(tiny.TestLimit) {
			t.Errorf("%s pass %d: per-unit counts kept %v over %d examples", act.Layer, act.Pass, kept, act.Examples)
		}
	}
	if _, err := os.Stat(filepath.Join(cut, "checkpoints", spec.Key())); !os.IsNotExist(err) {
		t.Error("the run's checkpoint folder was not removed after its result was saved")
	}
}

// A run whose loss becomes non-finite is saved as diverged (and Execute does not fail): the
// analysis counts it instead of losing it.
func TestDivergedRunIsSaved(t *testing.T) {
	e, _ := ByName("mnist-ae-b10")
	specs, err := e.Runs(tiny, "mnist")
	if err != nil {
		t.Fatal(err)
	}
	spec := specs[len(specs)-1]
	spec.Config.Train.LR = 1e30 // diverges in the first steps
	out := t.TempDir()
	if err := Execute(context.Background(), []RunSpec{spec}, Options{Out: out, Jobs: 1}); err != nil {
		t.Fatalf("a diverged run failed the plan: %v", err)
	}
	if !Done(out, spec) {
		t.Fatal("the diverged run left no result")
	}
	r, err := load(resultPath(out, spec))
	if err != nil || r.Diverged == "" || len(r.History) != 0 {
		t.Fatalf("result: %v, diverged %q, %d history rows", err, r.Diverged, len(r.History))
	}
}

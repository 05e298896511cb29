package experiment

import (
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/fgrelu/fgrelu/report"
	"github.com/fgrelu/fgrelu/stats"
	"github.com/fgrelu/fgrelu/train"
)

// The whole quick plan analysed on hand-built results (no training): every section gets a
// verdict and its sub-claim rows, the diverged run is counted, and verdicts.md lists every
// section. Three repeats can never reach the level with an exact test, so nothing is decided.
func TestAnalyzeQuickPlanOnHandBuiltResults(t *testing.T) {
	out := t.TempDir()
	p := Profiles["quick"]
	var plan Plan
	plan.Profile = p
	for _, e := range All() {
		plan.Items = append(plan.Items, PlanItem{Exp: e, Dataset: "mnist"})
	}
	specs, err := plan.Specs()
	if err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(1, 1))
	for i, s := range specs {
		r := &Result{Key: s.Key(), Spec: s}
		if i == 7 {
			r.Diverged = "train: the loss became non-finite at epoch 2"
			if err := save(out, r); err != nil {
				t.Fatal(err)
			}
			continue
		}
		c := s.Config
		for e := 1; e <= c.Train.Epochs; e++ {
			for pass := 1; pass <= c.Model.Passes; pass++ {
				v := 0.1 + 0.01/float64(e) + 0.002*rng.NormFloat64()
				r.History = append(r.History, train.Row{Epoch: e, Split: "test", Pass: pass, Loss: v, Accuracy: 0.5 + v})
			}
		}
		for _, sg := range s.Probes.Noise {
			l := make([]float64, c.Model.Passes)
			for k := range l {
				l[k] = 0.1 + sg*0.01 + 0.001*rng.NormFloat64()
			}
			r.Noise = append(r.Noise, NoisePoint{Sigma: sg, Loss: l})
		}
		for _, cc := range s.Probes.Contrast {
			r.Contrast = append(r.Contrast, ContrastPt{C: cc, MeanPixel: []float64{0.1, 0.1 + cc*0.01 + 0.001*rng.NormFloat64()}, Loss: []float64{0.1, 0.1}})
		}
		if c.Model.Arch == "mnist-ae" { // the dead-unit probe: 0 to 2 dead bottleneck units
			r.Activity, r.Dead = fakeActivity(c.Model.Passes, c.Train.Epochs, rng.IntN(3))
		}
		if s.Probes.Histograms {
			r.Hists = []Hist{{Layer: "E1", Pass: 2, MuEdges: []float64{0, 1}, MuCounts: []int64{5}, GainEdges: []float64{1, 20}, GainCount: []int64{5}, AtMax: 0.02 + 0.01*rng.Float64(), MaxGain: 20}}
		}
		if err := save(out, r); err != nil {
			t.Fatal(err)
		}
	}
	rep, err := plan.Analyze(out, nil)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(rep.Environment["diverged runs"], "1 ") {
		t.Errorf("diverged runs: %q", rep.Environment["diverged runs"])
	}
	md, err := os.ReadFile(filepath.Join(out, report.VerdictsFile))
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range rep.Sections {
		want := stats.Inconclusive
		if s.ID == "tsne" {
			want = stats.NotRun
		}
		if s.Verdict != want {
			t.Errorf("section %s: %s, want %s", s.ID, s.Verdict, want)
		}
		tested := 0
		for _, r := range s.Numbers {
			if r.Verdict != "" {
				tested++
			}
		}
		if n := len(claimsOf(p, s.ID)); tested < n {
			t.Errorf("section %s: %d tested rows for %d claims", s.ID, tested, n)
		}
		if !strings.Contains(string(md), "| "+s.Title+" |") {
			t.Errorf("verdicts.md lacks section %q", s.Title)
		}
	}
	if os.Getenv("FGRELU_KEEP_REPORT") != "" {
		os.CopyFS(os.Getenv("FGRELU_KEEP_REPORT"), os.DirFS(out))
	}
}

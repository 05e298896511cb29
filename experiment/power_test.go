package experiment

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/fgrelu/fgrelu/stats"
	"github.com/fgrelu/fgrelu/train"
)

// Power plans from the per-seed differences of the results on disk: their SD, what the target
// repeats detect, and the repeats a 1 % effect needs.
func TestPowerPlansFromResults(t *testing.T) {
	out := t.TempDir()
	e, _ := ByName("mnist-ae-b10")
	p := Profiles["quick"]
	specs, err := e.Runs(p, "mnist")
	if err != nil {
		t.Fatal(err)
	}
	diffs := []float64{-0.004, -0.001, -0.002} // partial − standard, seeds 1…3
	for _, s := range specs {
		loss := 0.11
		if s.Label == lPartial {
			loss += diffs[s.Repeat]
		}
		r := &Result{Key: s.Key(), Spec: s}
		for pass := 1; pass <= s.Config.Model.Passes; pass++ {
			r.History = append(r.History, train.Row{Epoch: s.Config.Train.Epochs, Split: "test", Pass: pass, Loss: loss})
		}
		if err := save(out, r); err != nil {
			t.Fatal(err)
		}
	}
	plan := Plan{Profile: p, Items: []PlanItem{{Exp: e, Dataset: "mnist"}}}
	rows, err := plan.Power(out, 10, 0.01)
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 1 || rows[0].Claim != "mnist-ae-b10/lower-loss" {
		t.Fatalf("rows %+v", rows)
	}
	r := rows[0]
	sd := stats.StdDev(diffs)
	if r.Design != stats.Paired || r.N != 3 || math.Abs(r.SD-sd) > 1e-12 || math.Abs(r.Diff-stats.Mean(diffs)) > 1e-12 {
		t.Errorf("row %+v, want paired, 3 pairs, sd %v", r, sd)
	}
	if math.Abs(r.MDE-stats.Detectable(sd, 10, 0.05, true)) > 1e-9 || r.ForMargin != stats.Needed(sd, 0.01*0.11, 0.05, true) || r.ForMargin < 10 {
		t.Errorf("MDE %v, repeats for 1 %% %d", r.MDE, r.ForMargin)
	}
	var b bytes.Buffer
	WritePower(&b, rows)
	if !strings.Contains(b.String(), "mnist-ae-b10/lower-loss") || !strings.Contains(b.String(), "detectable with 10") {
		t.Errorf("table:\n%s", b.String())
	}
}

// Compacted results read back as the originals, and count as done.
func TestCompactReadsBack(t *testing.T) {
	out, dst := t.TempDir(), t.TempDir()
	e, _ := ByName("mnist-ae-b10")
	specs, err := e.Runs(Profiles["quick"], "mnist")
	if err != nil {
		t.Fatal(err)
	}
	for i, s := range specs[:2] {
		r := &Result{Key: s.Key(), Spec: s, Seconds: float64(i),
			History: []train.Row{{Epoch: 1, Split: "test", Pass: 1, Loss: 0.1 + float64(i)}}}
		if err := save(out, r); err != nil {
			t.Fatal(err)
		}
	}
	n, err := Compact(out, dst, specs)
	if err != nil || n != 2 {
		t.Fatalf("Compact: %d, %v", n, err)
	}
	orig, back := Collect(out, specs), Collect(dst, specs)
	if len(back) != 2 {
		t.Fatalf("read back %d results", len(back))
	}
	for k, r := range orig {
		a, _ := json.Marshal(r)
		b, _ := json.Marshal(back[k])
		if !bytes.Equal(a, b) {
			t.Errorf("%s differs after compaction", k)
		}
	}
	if !Done(dst, specs[0]) || Done(dst, specs[2]) {
		t.Error("Done on compacted results is wrong")
	}
	if _, err := os.Stat(filepath.Join(dst, ResultsDir, specs[0].FileName()+".gz")); err != nil {
		t.Error(err)
	}
}

// The study's settings in the help are the ones its runs use (found in review: the help said
// 30 epochs of long training where the standard profile's runs train 9).
func TestStudySettingsAreTheRunsSettings(t *testing.T) {
	for name, p := range Profiles {
		e, _ := ByName("sensitivity")
		specs, err := e.Runs(p, "mnist")
		if err != nil {
			t.Fatal(err)
		}
		for _, s := range StudySettings(p) {
			for _, set := range s.Sets {
				k, v, _ := strings.Cut(set, "=")
				if k != "train.epochs" {
					continue
				}
				found := false
				for _, spec := range specs {
					if strings.HasPrefix(spec.Label, s.Name+" | ") && fmt.Sprint(spec.Config.Train.Epochs) == v {
						found = true
					}
				}
				if !found {
					t.Errorf("%s profile, setting %s: no run trains %s epochs", name, s.Name, v)
				}
			}
		}
	}
}

// Compacting a folder into itself (a plan resumed in its committed folder) leaves only the
// compressed results, which still read back.
func TestCompactInPlace(t *testing.T) {
	out := t.TempDir()
	e, _ := ByName("mnist-ae-b10")
	specs, err := e.Runs(Profiles["quick"], "mnist")
	if err != nil {
		t.Fatal(err)
	}
	r := &Result{Key: specs[0].Key(), Spec: specs[0], History: []train.Row{{Epoch: 1, Split: "test", Pass: 1, Loss: 0.1}}}
	if err := save(out, r); err != nil {
		t.Fatal(err)
	}
	if n, err := Compact(out, out, specs); err != nil || n != 1 {
		t.Fatalf("Compact in place: %d, %v", n, err)
	}
	if _, err := os.Stat(resultPath(out, specs[0])); !os.IsNotExist(err) {
		t.Errorf("the uncompressed result is still there: %v", err)
	}
	if len(Collect(out, specs)) != 1 || !Done(out, specs[0]) {
		t.Error("the compressed result does not read back")
	}
}

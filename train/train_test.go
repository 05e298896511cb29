package train

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/fgrelu/fgrelu/config"
	"github.com/fgrelu/fgrelu/data"
	"github.com/fgrelu/fgrelu/gemm"
)

// smallData is the first examples of MNIST: enough for a few real steps.
func smallData(t *testing.T, n, m int) (*data.Dataset, *data.Dataset) {
	t.Helper()
	tr, te, err := data.Load("mnist", "")
	if err != nil {
		t.Fatal(err)
	}
	return tr.Head(n), te.Head(m)
}

func smallConfig(t *testing.T, sets ...string) config.Config {
	t.Helper()
	c, err := config.Load("", append([]string{"train.epochs=2", "train.batch_size=50", "model.topology=comprehensive"}, sets...)...)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func paramsOf(r *Result) []float32 {
	var out []float32
	for _, p := range r.Net.Params() {
		out = append(out, p.Value.Data...)
	}
	return out
}

// The same config and seed give the same bits whatever GOMAXPROCS is.
func TestDeterministicAcrossGOMAXPROCS(t *testing.T) {
	tr, te := smallData(t, 400, 100)
	cfg := smallConfig(t)
	var first []float32
	var firstHist []Row
	for _, procs := range []int{1, 2, 3} {
		old := runtime.GOMAXPROCS(procs)
		res, err := Run(context.Background(), cfg, tr, te, Options{})
		runtime.GOMAXPROCS(old)
		if err != nil {
			t.Fatal(err)
		}
		got := paramsOf(res)
		if first == nil {
			first, firstHist = got, res.History
			continue
		}
		for i := range got {
			if math.Float32bits(got[i]) != math.Float32bits(first[i]) {
				t.Fatalf("GOMAXPROCS=%d: parameter value %d differs (%v vs %v)", procs, i, got[i], first[i])
			}
		}
		for i := range res.History {
			if res.History[i].Loss != firstHist[i].Loss {
				t.Fatalf("GOMAXPROCS=%d: metrics row %d differs", procs, i)
			}
		}
	}
}

// The matrix-product providers agree within float32 rounding after a few steps.
func TestProvidersAgree(t *testing.T) {
	if len(gemm.Providers()) < 2 {
		t.Skip("skipped: built without cgo, only the gonum provider exists")
	}
	tr, te := smallData(t, 200, 100)
	cfg := smallConfig(t, "train.epochs=1")
	var results [][]float32
	var losses []float64
	for _, name := range gemm.Providers() {
		ctx, err := gemm.New(name)
		if err != nil {
			t.Fatal(err)
		}
		res, err := Run(context.Background(), cfg, tr, te, Options{Gemm: ctx})
		if err != nil {
			t.Fatal(err)
		}
		results = append(results, paramsOf(res))
		losses = append(losses, res.History[len(res.History)-1].Loss)
	}
	// Four Adam steps move each weight by at most ~4e-3; rounding differences in the products
	// change the moments slightly, so the weights agree to about 1e-4.
	names := gemm.Providers()
	for p := 1; p < len(results); p++ {
		for i := range results[0] {
			if d := math.Abs(float64(results[0][i] - results[p][i])); d > 2e-4 {
				t.Fatalf("parameter %d: %v (%s) vs %v (%s)", i, results[0][i], names[0], results[p][i], names[p])
			}
		}
		if math.Abs(losses[0]-losses[p]) > 1e-4*losses[0] {
			t.Errorf("test loss %v (%s) vs %v (%s)", losses[0], names[0], losses[p], names[p])
		}
	}
}

// A diverging run stops with a message naming the epoch, step and layer, and keeps the last
// good checkpoint.
func TestNaNStopsTheRun(t *testing.T) {
	tr, te := smallData(t, 400, 100)
	out := t.TempDir()
	cfg := smallConfig(t, "train.lr=1e30", "train.checkpoint_every=1", "train.optimizer=sgd", "train.momentum=0")
	_, err := Run(context.Background(), cfg, tr, te, Options{Out: out})
	if err == nil {
		t.Fatal("a run with lr 1e30 finished without error")
	}
	var nf *NonFinite
	if !errors.As(err, &nf) {
		t.Errorf("error %v does not carry the step's NonFinite", err)
	}
	msg := err.Error()
	for _, want := range []string{"non-finite", "epoch", "step", "layer", "last good checkpoint"} {
		if !strings.Contains(msg, want) {
			t.Errorf("error %q does not mention %q", msg, want)
		}
	}
	c, err := Open(filepath.Join(out, CheckpointFile))
	if err != nil {
		t.Fatalf("the last good checkpoint cannot be opened: %v", err)
	}
	n, err := c.Net()
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range n.Params() {
		if !finite(p.Value.Data) {
			t.Fatalf("the kept checkpoint has non-finite %s", p.Name)
		}
	}
}

// A run resumed from a mid-epoch checkpoint ends with the same bytes as one never stopped.
func TestResumeInProcessIsBitIdentical(t *testing.T) {
	tr, te := smallData(t, 400, 100)
	cfg := smallConfig(t, "train.checkpoint_every=3")
	whole, cut := t.TempDir(), t.TempDir()
	if _, err := Run(context.Background(), cfg, tr, te, Options{Out: whole}); err != nil {
		t.Fatal(err)
	}
	// Stop after 5 steps by cancelling the context from the progress writer.
	ctx, cancel := context.WithCancel(context.Background())
	stop := func(step int64) {
		if step == 5 {
			cancel()
		}
	}
	if _, err := Run(ctx, cfg, tr, te, Options{Out: cut, OnStep: stop}); err == nil {
		t.Fatal("the interrupted run did not report its interruption")
	}
	if _, err := Run(context.Background(), cfg, tr, te, Options{Out: cut, Resume: true}); err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{CheckpointFile, "metrics.csv", "deadunits.csv", ActivityFile, "config.json"} {
		a, _ := os.ReadFile(filepath.Join(whole, f))
		b, _ := os.ReadFile(filepath.Join(cut, f))
		if len(a) == 0 || !bytes.Equal(a, b) {
			t.Errorf("%s differs between the whole and the resumed run", f)
		}
	}
}

func TestRefusals(t *testing.T) {
	tr, te := smallData(t, 100, 50)
	out := t.TempDir()
	cfg := smallConfig(t, "train.epochs=1")
	if _, err := Run(context.Background(), cfg, tr, te, Options{Out: out}); err != nil {
		t.Fatal(err)
	}
	if _, err := Run(context.Background(), cfg, tr, te, Options{Out: out}); err == nil || !strings.Contains(err.Error(), "--resume") {
		t.Errorf("a second run into the same folder: %v", err)
	}
	other := smallConfig(t, "train.epochs=3")
	saved, err := os.ReadFile(filepath.Join(out, "config.json"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Run(context.Background(), other, tr, te, Options{Out: out, Resume: true}); err == nil {
		t.Error("resumed with another config")
	}
	if after, err := os.ReadFile(filepath.Join(out, "config.json")); err != nil || !bytes.Equal(after, saved) {
		t.Errorf("a refused --resume rewrote config.json (err %v)", err)
	}
	cifar := smallConfig(t, "model.arch=cifar-ae")
	if _, err := Run(context.Background(), cifar, tr, te, Options{}); err == nil || !strings.Contains(err.Error(), "32×32×3") {
		t.Errorf("MNIST into the CIFAR model: %v", err)
	}
}

// Contrast 0 (black inputs) is a contrast, not "unchanged".
func TestEvaluateContrastZero(t *testing.T) {
	tr, te := smallData(t, 100, 50)
	res, err := Run(context.Background(), smallConfig(t, "train.epochs=1"), tr, te, Options{})
	if err != nil {
		t.Fatal(err)
	}
	zero, one := 0.0, 1.0
	a := Evaluate(res.Net, te, EvalOptions{Contrast: &zero})
	b := Evaluate(res.Net, te, EvalOptions{Contrast: &one})
	c := Evaluate(res.Net, te, EvalOptions{})
	if a.Loss[0] == b.Loss[0] {
		t.Error("contrast 0 evaluated as the original images")
	}
	if b.Loss[0] != c.Loss[0] {
		t.Error("contrast 1 differs from no contrast")
	}
}

// The dead-unit probe after every epoch: one row per rectifier layer (E1, E2, D1; D2 is the
// sigmoid output) and pass in the log file of either format and in the checkpoint, a summary
// in the epoch's log line, and the per-unit shares of the last epoch in activity.csv, all
// agreeing with the probe's own counts.
func TestDeadUnitLogs(t *testing.T) {
	tr, te := smallData(t, 200, 100)
	for _, format := range []string{"csv", "jsonl"} {
		out := t.TempDir()
		var log bytes.Buffer
		res, err := Run(context.Background(), smallConfig(t, "train.log_format="+format), tr, te, Options{Out: out, Log: &log})
		if err != nil {
			t.Fatal(err)
		}
		if len(res.Dead) != 2*3*2 || len(res.Activity) != 3*2 {
			t.Fatalf("%s: %d dead rows, %d activity records; want 12 and 6", format, len(res.Dead), len(res.Activity))
		}
		for i, a := range res.Activity {
			r := res.Dead[6+i]
			if r.Epoch != 2 || r.Layer != a.Layer || r.Pass != a.Pass || r.Units != a.Units || r.Dead != len(a.DeadUnits()) {
				t.Errorf("%s: row %+v, probe %s pass %d: %d of %d dead", format, r, a.Layer, a.Pass, len(a.DeadUnits()), a.Units)
			}
		}
		if want := "dead units (pass 1 2): E1 "; strings.Count(log.String(), want) != 2 {
			t.Errorf("%s: the log does not give the dead units at each epoch's end:\n%s", format, log.String())
		}
		file, err := os.ReadFile(filepath.Join(out, DeadFile(format)))
		if err != nil {
			t.Fatal(err)
		}
		lines := strings.Split(strings.TrimSpace(string(file)), "\n")
		header := 0
		if format == "csv" {
			header = 1
			if lines[0] != "epoch,step,layer,pass,units,dead,dead_fraction,mean_active" {
				t.Errorf("header %q", lines[0])
			}
		}
		if len(lines) != header+12 || !strings.Contains(lines[header+2], "E2") {
			t.Errorf("%s: %d lines, the third row %q; want 12 rows, E2 third", DeadFile(format), len(lines), lines[header+2])
		}
		c, err := Open(filepath.Join(out, CheckpointFile))
		if err != nil {
			t.Fatal(err)
		}
		if len(c.Progress.Dead) != 12 || c.Progress.Dead[11] != res.Dead[11] {
			t.Errorf("the checkpoint holds %d dead rows", len(c.Progress.Dead))
		}
		units, err := os.ReadFile(filepath.Join(out, ActivityFile))
		if err != nil || strings.Count(string(units), "\n") != 1+2*(392+10+392) {
			t.Errorf("%s: %v, %d lines", ActivityFile, err, strings.Count(string(units), "\n"))
		}
	}
}

func TestReadDead(t *testing.T) {
	row := func(epoch, units, dead int) string {
		return fmt.Sprintf(`{"epoch": %d, "layer": "E2", "pass": 1, "units": %d, "dead": %d}`, epoch, units, dead)
	}
	for _, c := range []struct {
		s    string
		ok   bool
		rows int
	}{
		{"", true, 0}, {"null", true, 0},
		{"[" + row(1, 10, 2) + "," + row(1, 10, 3) + "," + row(2, 10, 1) + "]", true, 3},
		{"[" + row(3, 10, 0) + "]", false, 0},                                        // beyond the epochs done
		{"[" + row(2, 10, 0) + "," + row(1, 10, 0) + "]", false, 0},                  // out of order
		{"[" + row(1, 10, 11) + "]", false, 0},                                       // more dead than units
		{"[" + strings.Repeat(row(1, 10, 0)+",", 2) + row(1, 10, 0) + "]", false, 0}, // 3 rows, 2 allowed
		{"{}", false, 0}, {"[] x", false, 0},
	} {
		rows, err := readDead(c.s, 2, 2)
		if (err == nil) != c.ok || len(rows) != c.rows {
			t.Errorf("%q: %d rows, error %v", c.s, len(rows), err)
		}
	}
}

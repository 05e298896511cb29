package experiment

import (
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/fgrelu/fgrelu/config"
	"github.com/fgrelu/fgrelu/net"
	"github.com/fgrelu/fgrelu/stats"
	"github.com/fgrelu/fgrelu/train"
)

// fakeActivity is the dead-unit probe of a run whose 10-unit bottleneck E2 ends with dead units
// 0…dead−1 dead on every pass (and E1 with none), logged after every epoch.
func fakeActivity(passes, epochs, dead int) ([]net.LayerActivity, []train.DeadRow) {
	var acts []net.LayerActivity
	for _, layer := range []struct {
		name        string
		units, dead int
	}{{"E1", 392, 0}, {"E2", 10, dead}} {
		for p := 1; p <= passes; p++ {
			a := net.LayerActivity{Layer: layer.name, Pass: p, Units: layer.units, Dead: layer.dead, Examples: 100}
			if layer.units <= ActivityUnitsKept {
				a.Active = make([]int64, layer.units)
				for u := range a.Active {
					if u >= layer.dead {
						a.Active[u] = 50
					}
				}
			}
			acts = append(acts, a)
		}
	}
	var rows []train.DeadRow
	for e := 1; e <= epochs; e++ {
		rows = append(rows, train.DeadRows(e, int64(e), acts)...)
	}
	return acts, rows
}

// deadRun adds a run of label and seed with a final test loss, dead bottleneck units on every
// pass, and revived of them alive again on the last pass.
func (f *fakeRuns) deadRun(label string, seed uint64, passes int, loss float64, dead, revived int) {
	if f.got == nil {
		f.got = map[string]*Result{}
	}
	c := config.Default()
	c.Seed, c.Model.Passes, c.Train.Epochs = seed, passes, 1
	c.Data.Dir = label
	s := RunSpec{Label: label, Repeat: int(seed) - 1, Config: c}
	r := &Result{Key: s.Key(), Spec: s, Complete: true}
	for p := 1; p <= passes; p++ {
		r.History = append(r.History, train.Row{Epoch: 1, Split: "test", Pass: p, Loss: loss})
	}
	r.Activity, r.Dead = fakeActivity(passes, 1, dead)
	for i := range r.Activity {
		a := &r.Activity[i]
		if a.Layer == "E2" && a.Pass == passes && passes > 1 {
			for u := range revived {
				a.Active[u] = 7
			}
			a.Dead -= revived
		}
	}
	f.specs = append(f.specs, s)
	f.got[s.Key()] = r
}

func mustClaim(t *testing.T, id string) Claim {
	t.Helper()
	c, err := claimByID(Profiles["quick"], id)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func verdictOf(t *testing.T, f *fakeRuns, c Claim) outcome {
	t.Helper()
	outs := []outcome{f.analysis(t, Profiles["quick"], deadSection).evaluate(c, "")}
	decideFamily(outs)
	return outs[0]
}

// Every dead-unit claim gives each verdict its data call for.
func TestDeadUnitClaims(t *testing.T) {
	const n = 6 // 64 sign flips: one-sided p down to 1/64
	t.Run("fewer dead units", func(t *testing.T) {
		for _, c := range deadUnitClaims() {
			if c.Measure.name != deadBottleneck.name {
				continue
			}
			for want, deadA := range map[string][]int{
				stats.Supported:    {0, 0, 0, 0, 0, 0},
				stats.Contradicted: {4, 4, 4, 4, 4, 4},
				stats.Inconclusive: {1, 3, 1, 3, 2, 2},
			} {
				var f fakeRuns
				for i := range n {
					f.deadRun(lStandard, uint64(i+1), 1, 0.11, 2, 0)
					f.deadRun(c.A.label, uint64(i+1), 2, 0.11, deadA[i], 0)
				}
				if o := verdictOf(t, &f, c); !o.ok || o.test.Verdict != want || o.test.Design != stats.Paired {
					t.Errorf("%s: %s (%v), want %s", c.ID, o.test.Verdict, o.test.Design, want)
				}
			}
		}
	})
	t.Run("matched on dead units", func(t *testing.T) {
		c := mustClaim(t, deadSection+"/matched")
		for want, d := range map[string]float64{stats.Supported: -0.01, stats.Contradicted: 0.01} {
			var f fakeRuns
			for i := range n {
				f.deadRun(lStandard, uint64(i+1), 1, 0.11, 1, 0)
				f.deadRun(lPartial, uint64(i+1), 2, 0.11+d+0.0001*float64(i), 1, 0)
			}
			// Two seeds with unequal dead units and the opposite difference are left out.
			for s := uint64(n + 1); s <= n+2; s++ {
				f.deadRun(lStandard, s, 1, 0.11, 0, 0)
				f.deadRun(lPartial, s, 2, 0.11-50*d, 2, 0)
			}
			o := verdictOf(t, &f, c)
			if !o.ok || o.test.Verdict != want || o.test.NA != n {
				t.Errorf("matched, %s: %s on %d seeds, want %s on %d", want, o.test.Verdict, o.test.NA, want, n)
			}
		}
	})
	t.Run("adjusted for dead units", func(t *testing.T) {
		c := mustClaim(t, deadSection+"/adjusted")
		raw := mustClaim(t, "mnist-ae-b10/lower-loss")
		// The loss is 0.004 per dead unit and feedback leaves one fewer dead: the raw loss is
		// lower, the adjusted one is not.
		var f fakeRuns
		for i := range n {
			jitter := 0.0002 * float64(i%3-1)
			f.deadRun(lStandard, uint64(i+1), 1, 0.11+0.004*float64(1+i%2)+jitter, 1+i%2, 0)
			f.deadRun(lPartial, uint64(i+1), 2, 0.11+0.004*float64(i%2)-jitter, i%2, 0)
		}
		if o := verdictOf(t, &f, raw); o.test.Verdict != stats.Supported {
			t.Fatalf("raw comparison: %s, want supported", o.test.Verdict)
		}
		if o := verdictOf(t, &f, c); !o.ok || o.test.Verdict != stats.Inconclusive {
			t.Errorf("adjusted, no effect beyond dead units: %s (%+v), want inconclusive", o.test.Verdict, o.test)
		}
		// With a real effect of −0.01 on top, the adjustment keeps it.
		var g fakeRuns
		for i := range n {
			g.deadRun(lStandard, uint64(i+1), 1, 0.11+0.004*float64(1+i%2), 1+i%2, 0)
			g.deadRun(lPartial, uint64(i+1), 2, 0.10+0.004*float64(i%2)+0.0001*float64(i), i%2, 0)
		}
		if o := verdictOf(t, &g, c); !o.ok || o.test.Verdict != stats.Supported {
			t.Errorf("adjusted, effect −0.01: %s, want supported", o.test.Verdict)
		}
	})
	t.Run("revived units", func(t *testing.T) {
		for _, id := range []string{"revive-partial", "revive-comprehensive"} {
			c := mustClaim(t, deadSection+"/"+id)
			for want, revived := range map[string]int{stats.Supported: 1, stats.Inconclusive: 0} {
				var f fakeRuns
				for i := range n {
					f.deadRun(c.A.label, uint64(i+1), 2, 0.11, 2, revived)
				}
				if o := verdictOf(t, &f, c); !o.ok || o.test.Verdict != want {
					t.Errorf("%s with %d revived: %s, want %s", id, revived, o.test.Verdict, want)
				}
			}
		}
	})
}

// The measures read the narrowest probed layer and count revival per unit.
func TestDeadUnitMeasures(t *testing.T) {
	var f fakeRuns
	f.deadRun(lPartial, 1, 2, 0.11, 3, 2)
	r := f.got[f.specs[0].Key()]
	if name := bottleneckName(r); name != "E2" {
		t.Fatalf("bottleneck %q, want E2", name)
	}
	if v, ok := deadBottleneck.of(r, 2); !ok || v != 1 {
		t.Errorf("dead on the last pass: %v, want 1", v)
	}
	if v, ok := deadBottleneck.of(r, 1); !ok || v != 3 {
		t.Errorf("dead on pass 1: %v, want 3", v)
	}
	if v, ok := revived.of(r, 2); !ok || v != 2 {
		t.Errorf("revived: %v, want 2", v)
	}
	if d := deadOverEpochs(r, 1); !slices.Equal(d, []float64{3}) {
		t.Errorf("dead over epochs: %v", d)
	}
	var old Result // written before the probe: no value, not zero
	if _, ok := deadBottleneck.of(&old, 1); ok {
		t.Error("a result without a probe record gave a dead-unit count")
	}
}

// The report draws the dead-unit figures of a section from hand-built runs.
func TestDeadUnitFigures(t *testing.T) {
	var f fakeRuns
	rng := rand.New(rand.NewPCG(2, 2))
	for i := range 4 {
		for _, l := range deadUnitVariants {
			f.deadRun(l, uint64(i+1), 2, 0.11+0.004*rng.Float64(), rng.IntN(3), 0)
		}
	}
	a := f.analysis(t, Profiles["quick"], deadSection)
	if err := os.MkdirAll(filepath.Join(a.dir, "figures"), 0o755); err != nil {
		t.Fatal(err)
	}
	s := analyzeDeadUnits(a)
	var files []string
	for _, fig := range s.Figures {
		files = append(files, fig.File)
	}
	for _, want := range []string{"dead-epochs", "dead-strip", "dead-loss", "strip"} {
		if !slices.ContainsFunc(files, func(f string) bool { return slices.Contains([]string{"figures/dead-units-" + want + ".png"}, f) }) {
			t.Errorf("figure %s missing from %v", want, files)
		}
	}
	if len(s.Numbers) < len(deadUnitClaims())+len(deadUnitVariants) {
		t.Errorf("%d rows, want a row per claim and a summary per model", len(s.Numbers))
	}
}

// The last epoch's relative drop of the test loss says how far from converged a run stopped.
func TestLastEpochDrop(t *testing.T) {
	var f fakeRuns
	f.deadRun(lStandard, 1, 1, 0.19, 0, 0)
	r := f.got[f.specs[0].Key()]
	r.Spec.Config.Train.Epochs = 2
	r.History = []train.Row{{Epoch: 1, Split: "test", Pass: 1, Loss: 0.2}, {Epoch: 2, Split: "test", Pass: 1, Loss: 0.19}}
	a := f.analysis(t, Profiles["quick"], "mnist-ae-b10")
	if d := a.lastEpochDrop(lStandard); len(d) != 1 || math.Abs(d[0]-0.05) > 1e-12 {
		t.Errorf("last-epoch drop %v, want [0.05]", d)
	}
}

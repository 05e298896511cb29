package experiment

import (
	"fmt"
	"math"
	"slices"
	"strings"
	"testing"

	"github.com/fgrelu/fgrelu/config"
	"github.com/fgrelu/fgrelu/report"
	"github.com/fgrelu/fgrelu/stats"
	"github.com/fgrelu/fgrelu/train"
)

// The verdict logic is tested on hand-built results: no training.

const nSeeds = 6 // 64 sign flips: the smallest p-value, 1/64, is below 0.05

// fakeRuns collects hand-built results as newAnalysis receives them.
type fakeRuns struct {
	specs []RunSpec
	got   map[string]*Result
}

// add records a run of label with seed whose every measure equals v: final and epoch-1 loss
// and accuracy of every pass, rise of the loss under noise (σ = 0.5 and 2), fraction of gains
// at the maximum, and slope of the pass difference over the contrast factor.
func (f *fakeRuns) add(label string, seed uint64, v float64) {
	if f.got == nil {
		f.got = map[string]*Result{}
	}
	c := config.Default()
	c.Seed, c.Model.Passes, c.Train.Epochs = seed, 2, 1
	c.Data.Dir = label // a distinct key per label
	s := RunSpec{Label: label, Repeat: int(seed) - 1, Config: c}
	r := &Result{Key: s.Key(), Spec: s, Complete: true}
	for p := 1; p <= 2; p++ {
		r.History = append(r.History, train.Row{Epoch: 1, Split: "test", Pass: p, Loss: v, Accuracy: v})
	}
	r.Noise = []NoisePoint{{Sigma: 0, Loss: []float64{0.1, 0.1}}, {Sigma: 0.5, Loss: []float64{0.1 + v, 0.1 + v}}, {Sigma: 2, Loss: []float64{0.1 + v, 0.1 + v}}}
	r.Hists = []Hist{{Layer: "E1", Pass: 2, AtMax: v}}
	r.Contrast = []ContrastPt{{C: 0, MeanPixel: []float64{0, 1}}, {C: 1, MeanPixel: []float64{0, 1 + v}}}
	f.specs = append(f.specs, s)
	f.got[s.Key()] = r
}

// diverge records a run of label with seed that diverged.
func (f *fakeRuns) diverge(label string, seed uint64) {
	c := config.Default()
	c.Seed, c.Data.Dir = seed, label
	s := RunSpec{Label: label, Repeat: int(seed) - 1, Config: c}
	f.specs = append(f.specs, s)
	f.got[s.Key()] = &Result{Key: s.Key(), Spec: s, Complete: true, Diverged: "train: the loss became non-finite at epoch 1"}
}

func (f *fakeRuns) analysis(t *testing.T, p Profile, section string) *analysis {
	t.Helper()
	e, err := ByName(section)
	if err != nil {
		t.Fatal(err)
	}
	return newAnalysis(e, p, t.TempDir(), "mnist", f.specs, f.got)
}

// deltas returns per seed the shift from the claim's boundary that must give want.
func deltas(c Claim, want string) []float64 {
	far := func(sign float64) []float64 {
		d := make([]float64, nSeeds)
		for i := range d {
			d[i] = sign * (0.01 + 0.0003*float64(i))
		}
		return d
	}
	undecided := []float64{0.004, -0.004, 0.003, -0.003, 0.002, -0.002}
	if c.Kind == stats.Equivalence {
		switch want {
		case stats.Supported: // well inside the margin: the boundary is the margin, so go back past it
			return nil
		case stats.Contradicted:
			return far(1)
		}
		return undecided
	}
	toward := float64(c.Dir) // Less: −1
	if c.Kind == stats.NonSuperiority {
		toward = -toward
	}
	switch want {
	case stats.Supported:
		return far(toward)
	case stats.Contradicted:
		return far(-toward)
	}
	return undecided
}

// build makes runs for one claim such that it must give want.
func build(c Claim, p Profile, want string) *fakeRuns {
	f := &fakeRuns{}
	d := deltas(c, want)
	base := func(i int) float64 { return 0.1 + 0.0005*float64(i) }
	meanB := 0.0
	for i := range nSeeds {
		meanB += base(i) / nSeeds
	}
	v := config.DefaultVerdicts()
	switch {
	case c.PerSeed != nil: // the grid's trends: a slope per seed
		g1, g2 := gridCells(p)
		for i := range nSeeds {
			s := d[i]
			for gi, cells := range [][][2]float64{g1, g2} {
				for _, cell := range cells {
					x := cell[1]
					if c.ID == "grid/higher-beta" {
						x = cell[0]
					}
					f.add(gridLabel(gi+1, cell[0], cell[1]), uint64(i+1), 0.1+s*x)
				}
			}
		}
	case c.B.label == "": // one-sample against the threshold
		for i := range nSeeds {
			f.add(c.A.label, uint64(i+1), c.Threshold(v)+d[i])
		}
	default:
		m := 0.0
		if c.Margin != nil {
			m = c.Margin(v) * meanB
		}
		b0 := m
		if c.Dir == stats.Less {
			b0 = -m
		}
		for i := range nSeeds {
			var delta float64
			switch {
			case c.Kind == stats.Equivalence && d == nil:
				delta = 0.00005 * float64(i-3)
			case c.Kind == stats.Equivalence:
				delta = m + d[i]
			default:
				delta = b0 + d[i]
			}
			f.add(c.B.label, uint64(i+1), base(i))
			f.add(c.A.label, uint64(i+1), base(i)+delta)
		}
	}
	return f
}

func TestEveryClaimEveryVerdict(t *testing.T) {
	for _, p := range []Profile{Profiles["quick"], Profiles["paper"]} {
		seen := map[string]bool{}
		for _, c := range claims(p) {
			if seen[c.ID] {
				t.Errorf("claim %s defined twice", c.ID)
			}
			seen[c.ID] = true
			if c.Why == "" || c.Text == "" {
				t.Errorf("claim %s has no text or reason", c.ID)
			}
			if _, err := ByName(c.Section); err != nil {
				t.Errorf("claim %s: %v", c.ID, err)
			}
			if c.Section == deadSection {
				continue // counts of dead units, not losses: TestDeadUnitClaims builds their data
			}
			for _, want := range []string{stats.Supported, stats.Contradicted, stats.Inconclusive} {
				a := build(c, p, want).analysis(t, p, c.Section)
				o := a.evaluate(c, "")
				outs := []outcome{o}
				decideFamily(outs)
				if !outs[0].ok || outs[0].test.Verdict != want {
					t.Errorf("%s profile, claim %s: %q, want %q (%s; %+v)", p.Name, c.ID, outs[0].test.Verdict, want, outs[0].note, outs[0].test)
				}
			}
		}
	}
}

func TestEverySectionHasClaims(t *testing.T) {
	for _, e := range All() {
		n := len(claimsOf(Profiles["quick"], e.Name))
		switch e.Name {
		case "tsne", "sensitivity":
			if n != 0 {
				t.Errorf("%s: %d claims of its own", e.Name, n)
			}
		default:
			if n == 0 {
				t.Errorf("%s: no claims", e.Name)
			}
		}
	}
	if _, err := studyClaims(Profiles["paper"]); err != nil {
		t.Error(err)
	}
}

// Swapping the two variants of a superiority claim turns supported into contradicted, and a
// paired design is used when every run has its partner.
func TestSwapFlipsSuperiority(t *testing.T) {
	p := Profiles["quick"]
	for _, c := range claims(p) {
		if c.Kind != stats.Superiority || c.PerSeed != nil || c.B.label == "" || c.Section == deadSection {
			continue
		}
		a := build(c, p, stats.Supported).analysis(t, p, c.Section)
		o := a.evaluate(c, "")
		if o.test.Verdict != stats.Supported || o.test.Design != stats.Paired {
			t.Fatalf("%s: %s, %v", c.ID, o.test.Verdict, o.test.Design)
		}
		c.A, c.B = c.B, c.A
		if v := a.evaluate(c, "").test.Verdict; v != stats.Contradicted {
			t.Errorf("%s swapped: %s, want contradicted", c.ID, v)
		}
	}
}

// A diverged run is counted, shown and keeps the verdict undecided; it is never dropped
// silently, and its partner of the same seed leaves the pairs with a note.
func TestDivergedRunIsCounted(t *testing.T) {
	p := Profiles["quick"]
	c, err := claimByID(p, "mnist-ae-b10/lower-loss")
	if err != nil {
		t.Fatal(err)
	}
	f := build(c, p, stats.Supported)
	f.diverge(lPartial, nSeeds+1)
	f.add(lStandard, nSeeds+1, 0.1)
	a := f.analysis(t, p, c.Section)
	if a.diverged[lPartial] != 1 || len(a.byLabel[lPartial]) != nSeeds {
		t.Fatalf("diverged %d, finished %d", a.diverged[lPartial], len(a.byLabel[lPartial]))
	}
	verdict, rows, outs := a.testSection([]Claim{c})
	if verdict != stats.Inconclusive || outs[0].divA != 1 || rows[0].Diverged != 1 {
		t.Errorf("verdict %s, diverged %d, row %+v", verdict, outs[0].divA, rows[0])
	}
	if outs[0].test.Design != stats.Paired || outs[0].test.NA != nSeeds || !strings.Contains(rows[0].Method, "without a partner") {
		t.Errorf("design %v, %d pairs, %q: want the %d complete pairs, saying one run was left out", outs[0].test.Design, outs[0].test.NA, rows[0].Method, nSeeds)
	}
	if n := a.divergedNote(); !strings.Contains(n, "partial feedback: 1 of 7") {
		t.Errorf("note %q", n)
	}
}

// Too few repeats never decide, whatever the data: missing evidence is not evidence.
func TestFewRepeatsStayInconclusive(t *testing.T) {
	p := Profiles["quick"]
	for _, c := range claims(p) {
		if c.Section == deadSection {
			continue // TestDeadUnitClaims
		}
		f := build(c, p, stats.Supported)
		var keep fakeRuns
		for _, s := range f.specs {
			if s.Config.Seed <= 3 {
				keep.specs = append(keep.specs, s)
			}
		}
		keep.got = f.got
		o := keep.analysis(t, p, c.Section).evaluate(c, "")
		if o.ok && o.test.Verdict != stats.Inconclusive {
			t.Errorf("%s with 3 repeats: %s", c.ID, o.test.Verdict)
		}
		if o.ok && !math.IsInf(o.test.MDE, 1) {
			t.Errorf("%s with 3 repeats: detectable effect %v, want none", c.ID, o.test.MDE)
		}
	}
}

// Holm within a section: a family of claims can be inconclusive although each alone is
// supported at the raw level.
func TestSectionAdjustsWithHolm(t *testing.T) {
	p := Profiles["quick"]
	var f fakeRuns
	var cs []Claim
	for _, id := range []string{"threshold/gain-vs-both", "threshold/gain-vs-threshold", "threshold/both-beat-standard", "threshold/only-beats-standard"} {
		c, err := claimByID(p, id)
		if err != nil {
			t.Fatal(err)
		}
		cs = append(cs, c)
	}
	// Five seeds: one-sided p = 1/32 each, below 0.05 alone, 4/32 after Holm over four claims.
	for i := range 5 {
		s := uint64(i + 1)
		f.add(lStandard, s, 0.13)
		f.add(lThreshold, s, 0.12+0.0001*float64(i))
		f.add(lThresholdOnly, s, 0.12+0.0002*float64(i))
		f.add(lPartial, s, 0.11)
	}
	a := f.analysis(t, p, "threshold")
	verdict, rows, outs := a.testSection(cs)
	for i, o := range outs {
		if o.test.P != 1.0/32 || o.test.PAdj != 4.0/32 || o.test.Verdict != stats.Inconclusive {
			t.Errorf("%s: p %v, adjusted %v, %s", o.claim.ID, o.test.P, o.test.PAdj, o.test.Verdict)
		}
		if rows[i].PAdj != o.test.PAdj || rows[i].Verdict != stats.Inconclusive || rows[i].Needed == 0 {
			t.Errorf("row %+v", rows[i])
		}
	}
	if verdict != stats.Inconclusive {
		t.Errorf("section %s", verdict)
	}
}

// Claims that cannot be tested stay in the Holm family (found in review): without the runs of
// "gain + threshold", the two claims that remain are adjusted over four, not two. And a
// contradicted claim makes the section contradicted whatever comes before it.
func TestUntestedClaimsStayInTheFamily(t *testing.T) {
	p := Profiles["quick"]
	cs := claimsOf(p, "threshold")
	var f fakeRuns
	// Six seeds: one-sided p = 1/64 each; ×4 = 0.0625 > 0.05, ×2 would be 0.031 < 0.05.
	for i := range 6 {
		s := uint64(i + 1)
		f.add(lStandard, s, 0.12)
		f.add(lThresholdOnly, s, 0.13+0.0001*float64(i)) // threshold only is worse than standard
		f.add(lPartial, s, 0.11)
	}
	verdict, _, outs := f.analysis(t, p, "threshold").testSection(cs)
	tested := 0
	for _, o := range outs {
		if !o.ok {
			continue
		}
		tested++
		if o.test.PAdj != 4.0/64 || o.test.Verdict != stats.Inconclusive {
			t.Errorf("%s: adjusted p %v (%s), want 4/64 and inconclusive", o.claim.ID, o.test.PAdj, o.test.Verdict)
		}
	}
	if tested != 2 || verdict != stats.NotRun {
		t.Errorf("%d tested, section %s; want 2 and not run", tested, verdict)
	}
	// With more seeds the remaining claim is contradicted, and the section says so although an
	// untested claim comes first.
	for i := 6; i < 10; i++ {
		s := uint64(i + 1)
		f.add(lStandard, s, 0.12)
		f.add(lThresholdOnly, s, 0.13+0.0001*float64(i))
		f.add(lPartial, s, 0.11)
	}
	if verdict, _, _ := f.analysis(t, p, "threshold").testSection(cs); verdict != stats.Contradicted {
		t.Errorf("section %s, want contradicted", verdict)
	}
}

// The sensitivity study reports per claim how many settings support, contradict or leave it
// open, and an all-inconclusive matrix is inconclusive, not contradicted.
func TestSensitivityCounts(t *testing.T) {
	p := Profiles["quick"]
	cs, err := studyClaims(p)
	if err != nil {
		t.Fatal(err)
	}
	var f fakeRuns
	settings := []string{"default", "He init"}
	for _, set := range settings {
		for _, c := range cs {
			g := build(c, p, stats.Inconclusive)
			for _, s := range g.specs {
				r := g.got[s.Key()]
				s.Label = set + " | " + s.Label
				s.Config.Data.Dir = s.Label
				r2 := *r
				r2.Spec, r2.Key = s, s.Key()
				if _, dup := f.got[s.Key()]; dup {
					continue // a variant shared by two claims
				}
				if f.got == nil {
					f.got = map[string]*Result{}
				}
				f.specs = append(f.specs, s)
				f.got[s.Key()] = &r2
			}
		}
	}
	a := f.analysis(t, p, "sensitivity")
	s := analyzeSensitivity(a)
	if s.Verdict != stats.Inconclusive {
		t.Errorf("all-inconclusive matrix: %s", s.Verdict)
	}
	if !strings.Contains(s.Notes, fmt.Sprintf("of %d settings", len(settings))) {
		t.Errorf("notes do not count the settings: %s", s.Notes)
	}
	if len(s.Numbers) != len(cs)*len(settings) {
		t.Errorf("%d rows for %d claims × %d settings", len(s.Numbers), len(cs), len(settings))
	}
	if !slices.ContainsFunc(s.Numbers, func(r report.Row) bool { return r.Verdict == stats.Inconclusive }) {
		t.Error("no inconclusive row")
	}
}

// Runs with different seeds are not pairs: the two-sample permutation test decides.
func TestUnpairedWhenSeedsDiffer(t *testing.T) {
	p := Profiles["quick"]
	c, err := claimByID(p, "mnist-ae-b10/lower-loss")
	if err != nil {
		t.Fatal(err)
	}
	var f fakeRuns
	for i := range nSeeds {
		f.add(lPartial, uint64(i+1), 0.105+0.0001*float64(i))
		f.add(lStandard, uint64(i+101), 0.115+0.0001*float64(i))
	}
	o := f.analysis(t, p, c.Section).evaluate(c, "")
	if o.test.Design != stats.Unpaired || o.test.Verdict != stats.Supported || o.test.P != 1.0/924 {
		t.Errorf("design %v, verdict %s, p %v (want unpaired, supported, 1/C(12, 6))", o.test.Design, o.test.Verdict, o.test.P)
	}
	if !strings.Contains(o.test.Method(), "two-sample") {
		t.Errorf("method %q", o.test.Method())
	}
}

// A claim that could not be tested shows no numbers: no p-value, no median.
func TestUntestedRowShowsNoNumbers(t *testing.T) {
	r := outcome{claim: Claim{Text: "x"}}.row("x")
	if r.Verdict != stats.NotRun || !math.IsNaN(r.P) || !math.IsNaN(r.PAdj) || !math.IsNaN(r.Median) || !math.IsNaN(r.Mean) {
		t.Errorf("untested row %+v", r)
	}
}

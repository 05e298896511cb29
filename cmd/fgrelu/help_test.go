package main

import (
	"bytes"
	"fmt"
	"runtime"
	"strings"
	"testing"

	"github.com/fgrelu/fgrelu/experiment"
)

// The help of experiment, reproduce and study must name what they offer.
func TestHelpListsExperimentsProfilesAndSettings(t *testing.T) {
	t.Setenv("XDG_CACHE_HOME", t.TempDir()) // no estimate cached
	help := func(args ...string) string {
		var out, errb bytes.Buffer
		if code := run(args, &out, &errb); code != 0 {
			t.Fatalf("%v: exit %d: %s", args, code, errb.String())
		}
		return out.String() + errb.String()
	}
	exp := help("experiment", "-h")
	for _, e := range experiment.All() {
		if !strings.Contains(exp, "  "+e.Name+" ") || !strings.Contains(exp, e.Title) {
			t.Errorf("experiment -h does not list %s (%s)", e.Name, e.Title)
		}
	}
	for _, h := range []string{exp, help("reproduce", "-h"), help("study", "-h")} {
		for _, name := range experiment.ProfileNames() {
			if !strings.Contains(h, experiment.Profiles[name].Describe()) {
				t.Errorf("help does not describe profile %s:\n%s", name, h)
			}
			if !strings.Contains(h, "--profile "+name+" --estimate") {
				t.Errorf("help does not say how to estimate profile %s", name)
			}
		}
	}
	study := help("study", "-h")
	for _, s := range experiment.StudySettings(experiment.Profiles["quick"]) {
		if !strings.Contains(study, s.Name) {
			t.Errorf("study -h does not list setting %q", s.Name)
		}
	}
}

// Once --estimate has measured a profile, the help shows its wall time.
func TestHelpShowsCachedEstimate(t *testing.T) {
	t.Setenv("XDG_CACHE_HOME", t.TempDir())
	saveEstimate("quick", 0.25, 131)
	var out, errb bytes.Buffer
	run([]string{"reproduce", "-h"}, &out, &errb)
	if !strings.Contains(errb.String(), "estimated 15 minutes for `reproduce` (131 runs)") {
		t.Errorf("reproduce -h does not show the cached estimate:\n%s", errb.String())
	}
}

func TestProfileDescribe(t *testing.T) {
	got := experiment.Profiles["paper"].Describe()
	for _, want := range []string{"10 repeats", "MNIST 30 epochs on all 60 000 images", "classifier 512 epochs", "the full grids"} {
		if !strings.Contains(got, want) {
			t.Errorf("paper profile description %q lacks %q", got, want)
		}
	}
}

// The peak is measured once per environment and then read from the cache.
func TestMeasuredPeakIsCached(t *testing.T) {
	t.Setenv("XDG_CACHE_HOME", t.TempDir())
	first := measuredPeak(false)
	if !(first.GFLOPS > 0) || first.Env != peakEnv() {
		t.Fatalf("measured peak %+v", first)
	}
	again := measuredPeak(false)
	if again != first {
		t.Errorf("second call measured again: %+v, then %+v", first, again)
	}
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(runtime.GOMAXPROCS(0) + 1)) // another environment: measured anew
	if other := measuredPeak(false); other.Env == first.Env {
		t.Errorf("a changed environment reused the cached peak")
	}
}

// bench --layers times every stage: a row per layer and the rest of the step, shares that add
// up to the whole step.
func TestBenchLayers(t *testing.T) {
	t.Setenv("XDG_CACHE_HOME", t.TempDir())
	code, stdout, stderr := runCLI("bench", "mnist-ae", "--windows", "1", "--seconds", "0.2", "--warmup", "0.1", "--layers")
	if code != 0 {
		t.Fatalf("exit %d\n%s%s", code, stdout, stderr)
	}
	total := 0.0
	for _, layer := range []string{"E1", "E2", "D1", "D2", "rest"} {
		found := false
		for _, line := range strings.Split(stdout, "\n") {
			f := strings.Fields(line)
			if len(f) > 0 && f[0] == layer {
				found = true
				for i, x := range f {
					if x == "%" && i > 0 {
						var v float64
						fmt.Sscan(f[i-1], &v)
						total += v
						break
					}
				}
			}
		}
		if !found {
			t.Errorf("no row for %s:\n%s", layer, stdout)
		}
	}
	if total < 99 || total > 101 {
		t.Errorf("shares add up to %.1f %%:\n%s", total, stdout)
	}
}

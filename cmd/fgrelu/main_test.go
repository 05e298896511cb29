package main

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/fgrelu/fgrelu/internal/testenv"
	"github.com/fgrelu/fgrelu/train"
)

// runCLI runs the command in-process and returns its exit code and output.
func runCLI(args ...string) (int, string, string) {
	var out, errb bytes.Buffer
	code := run(args, &out, &errb)
	return code, out.String(), errb.String()
}

// Bad input gives a clear error and a non-zero exit, never a panic or a stack trace.
func TestBadInputExitsCleanly(t *testing.T) {
	ro := t.TempDir()
	blocker := filepath.Join(ro, "file")
	os.WriteFile(blocker, []byte("x"), 0o644)
	for _, c := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"frobnicate"}, 2, "unknown command"},
		{[]string{"train", "--data", "/nonexistent/folder", "--epochs", "1"}, 1, "/nonexistent/folder"},
		{[]string{"train", "--arch", "cifar-ae", "--dataset", "mnist", "--epochs", "1"}, 1, "32×32×3"},
		{[]string{"train", "--beta-max", "1"}, 1, "beta_max"},
		{[]string{"train", "--set", "model.bogus=1"}, 1, "unknown key model.bogus"},
		{[]string{"train", "--epochs", "1", "--train-limit", "100", "--test-limit", "50", "--out", filepath.Join(blocker, "run")}, 1, "output folder"},
		{[]string{"train", "--resume"}, 2, "--out"},
		{[]string{"experiment", "no-such-experiment"}, 2, "unknown experiment"},
		{[]string{"experiment", "noise", "--profile", "huge"}, 2, "profile"},
		{[]string{"eval"}, 2, "--run"},
		{[]string{"eval", "--run", t.TempDir()}, 1, "checkpoint"},
		{[]string{"bench", "resnet"}, 2, "unknown workload"},
		{[]string{"data", "download", "imagenet"}, 2, "cifar10"},
	} {
		code, stdout, stderr := runCLI(c.args...)
		all := stdout + stderr
		if code != c.code {
			t.Errorf("%v: exit %d, want %d\n%s", c.args, code, c.code, all)
		}
		if !strings.Contains(all, c.want) {
			t.Errorf("%v: output does not mention %q:\n%s", c.args, c.want, all)
		}
		if strings.Contains(all, "goroutine ") || strings.Contains(all, "panic") {
			t.Errorf("%v: a stack trace or panic:\n%s", c.args, all)
		}
	}
}

// buildBinary builds the command once for the tests that run it as a process.
func buildBinary(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "fgrelu")
	cmd := exec.Command("go", "build", "-o", bin, ".")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// A training process killed with SIGKILL mid-epoch, then resumed, ends with the same
// checkpoint and metrics, byte for byte, as a run that was never interrupted.
func TestKillAndResumeIsBitIdentical(t *testing.T) {
	if testing.Short() {
		t.Skip("skipped in -short mode: builds and runs the command")
	}
	testenv.RepoRoot(t)
	bin := buildBinary(t)
	args := []string{"train", "--quiet", "--epochs", "2", "--train-limit", "3000", "--test-limit", "300",
		"--batch-size", "32", "--topology", "comprehensive", "--passes", "3", "--set", "train.checkpoint_every=5"}
	whole, cut := filepath.Join(t.TempDir(), "whole"), filepath.Join(t.TempDir(), "cut")
	if out, err := exec.Command(bin, append(args, "--out", whole)...).CombinedOutput(); err != nil {
		t.Fatalf("uninterrupted run: %v\n%s", err, out)
	}
	cmd := exec.Command(bin, append(args, "--out", cut)...)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	// Wait for a checkpoint in the first epoch, let the run go on a little, then kill it.
	deadline := time.Now().Add(60 * time.Second)
	killed := false
	for time.Now().Before(deadline) {
		if c, err := train.Open(filepath.Join(cut, train.CheckpointFile)); err == nil && c.Progress.Step >= 10 && !c.Progress.Finished {
			time.Sleep(37 * time.Millisecond)
			cmd.Process.Signal(syscall.SIGKILL)
			killed = true
			break
		}
		time.Sleep(5 * time.Millisecond)
	}
	cmd.Wait()
	if !killed {
		t.Fatal("the run finished or never checkpointed before it could be killed")
	}
	c, err := train.Open(filepath.Join(cut, train.CheckpointFile))
	if err != nil {
		t.Fatalf("the checkpoint left by the killed run: %v", err)
	}
	if c.Progress.Finished {
		t.Skip("the run finished before the kill landed; nothing to resume")
	}
	t.Logf("killed at or after step %d (epoch %d, batch %d)", c.Progress.Step, c.Progress.Epoch+1, c.Progress.Batch)
	if out, err := exec.Command(bin, "train", "--quiet", "--resume", "--out", cut).CombinedOutput(); err != nil {
		t.Fatalf("resume: %v\n%s", err, out)
	}
	for _, f := range []string{train.CheckpointFile, "metrics.csv", "deadunits.csv", train.ActivityFile, "config.json"} {
		a, _ := os.ReadFile(filepath.Join(whole, f))
		b, _ := os.ReadFile(filepath.Join(cut, f))
		if len(a) == 0 || !bytes.Equal(a, b) {
			t.Errorf("%s differs between the uninterrupted and the killed-and-resumed run", f)
		}
	}
}

// `fgrelu train` gives the dead units at each epoch's end and after the last, and `fgrelu
// eval` gives them per layer and pass, as the run's dead-unit log has them.
func TestTrainAndEvalPrintDeadUnits(t *testing.T) {
	out := filepath.Join(t.TempDir(), "run")
	code, stdout, stderr := runCLI("train", "--quiet", "--epochs", "2", "--train-limit", "200", "--test-limit", "100", "--out", out)
	if code != 0 {
		t.Fatalf("train: exit %d\n%s%s", code, stdout, stderr)
	}
	if n := strings.Count(stderr, "dead units (pass 1 2): E1 "); n != 2 {
		t.Errorf("train: %d epoch lines give the dead units, want 2:\n%s", n, stderr)
	}
	if !strings.Contains(stdout, "dead units (never active on the test set):") || !strings.Contains(stdout, "  E2    2    ") {
		t.Errorf("train: no dead-unit table after the last epoch:\n%s", stdout)
	}
	log, err := os.ReadFile(filepath.Join(out, train.DeadFile("csv")))
	if err != nil {
		t.Fatal(err)
	}
	code, stdout, stderr = runCLI("eval", "--run", out, "--test-limit", "100")
	if code != 0 {
		t.Fatalf("eval: exit %d\n%s%s", code, stdout, stderr)
	}
	// The eval's E2 rows give the same dead count as the log's last E2 rows.
	for _, line := range strings.Split(string(log), "\n") {
		f := strings.Split(line, ",")
		if len(f) < 6 || f[0] != "2" || f[2] != "E2" {
			continue
		}
		want := fmt.Sprintf("  E2    %-5s %-6s %-6s", f[3], f[5], f[4])
		if !strings.Contains(stdout, want) {
			t.Errorf("eval does not print %q:\n%s", want, stdout)
		}
	}
}

// A FGRELU_GEMM that names no provider is refused with a message, not an exit from a package's init.
func TestBadGemmEnvironmentIsAnError(t *testing.T) {
	bin := buildBinary(t)
	cmd := exec.Command(bin, "config")
	cmd.Env = append(os.Environ(), "FGRELU_GEMM=cublas")
	out, err := cmd.CombinedOutput()
	var exit *exec.ExitError
	if !errors.As(err, &exit) || exit.ExitCode() != 2 {
		t.Fatalf("FGRELU_GEMM=cublas fgrelu config: %v, want exit 2\n%s", err, out)
	}
	if !strings.Contains(string(out), "FGRELU_GEMM") || !strings.Contains(string(out), `"cublas"`) {
		t.Errorf("message does not name the variable and its value:\n%s", out)
	}
}

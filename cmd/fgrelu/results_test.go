package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// committedResults is where the standard profile's findings are committed (issue 10).
var committedResults = filepath.Join("..", "..", "results", "standard")

// The committed standard-profile results rebuild the committed verdicts.md with
// `fgrelu reproduce --analyze-only`, and the README's verdict table is that file's.
func TestCommittedResultsRebuildTheirVerdicts(t *testing.T) {
	want, err := os.ReadFile(filepath.Join(committedResults, "verdicts.md"))
	if os.IsNotExist(err) {
		t.Skipf("skipped: %s holds no verdicts.md yet (the standard profile's results are not committed)", committedResults)
	}
	if err != nil {
		t.Fatal(err)
	}
	out := t.TempDir()
	if err := os.CopyFS(filepath.Join(out, "results"), os.DirFS(filepath.Join(committedResults, "results"))); err != nil {
		t.Fatal(err)
	}
	code, stdout, stderr := runCLI("reproduce", "--profile", "standard", "--out", out, "--analyze-only")
	if code != 0 {
		t.Fatalf("reproduce --analyze-only: exit %d\n%s%s", code, stdout, stderr)
	}
	got, err := os.ReadFile(filepath.Join(out, "verdicts.md"))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("verdicts.md rebuilt from the committed results differs from the committed one")
	}
	readme, err := os.ReadFile(filepath.Join("..", "..", "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	if table := verdictTable(string(want)); table == "" || !strings.Contains(string(readme), table) {
		t.Errorf("the README does not hold the verdict table of %s/verdicts.md:\n%s", committedResults, table)
	}
}

// verdictTable is the first Markdown table of verdicts.md: one row per claim.
func verdictTable(md string) string {
	var lines []string
	for _, l := range strings.Split(md, "\n") {
		if strings.HasPrefix(l, "|") {
			lines = append(lines, l)
		} else if len(lines) > 0 {
			break
		}
	}
	return strings.Join(lines, "\n")
}

// Every invocation that trains appends itself to the folder's RUN.md: command, commit, machine,
// wall time and how far the plan got; --compact-to carries it along.
func TestRunLog(t *testing.T) {
	out := filepath.Join(t.TempDir(), "out")
	for range 2 {
		if code, stdout, stderr := runCLI("experiment", "mnist-ae-b10", "--profile", "tiny", "--out", out); code != 0 {
			t.Fatalf("exit %d\n%s%s", code, stdout, stderr)
		}
	}
	log, err := os.ReadFile(filepath.Join(out, RunLogFile))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"- command: `fgrelu experiment mnist-ae-b10 --profile tiny --out " + out + "`",
		"runs with results: 0 → 4 of 4", "runs with results: 4 → 4 of 4", "- commit: ", "- machine: "} {
		if !strings.Contains(string(log), want) {
			t.Errorf("RUN.md lacks %q:\n%s", want, log)
		}
	}
	if n := strings.Count(string(log), "\n## "); n != 2 {
		t.Errorf("%d invocations logged, want 2", n)
	}
	dst := filepath.Join(t.TempDir(), "compact")
	if code, stdout, stderr := runCLI("experiment", "mnist-ae-b10", "--profile", "tiny", "--out", out, "--compact-to", dst); code != 0 {
		t.Fatalf("compact: exit %d\n%s%s", code, stdout, stderr)
	}
	if b, err := os.ReadFile(filepath.Join(dst, RunLogFile)); err != nil || !bytes.Equal(b, log) {
		t.Errorf("RUN.md not carried to the compacted folder: %v", err)
	}
	// A second sitting in another folder, compacted into the same one, adds its entry and keeps
	// the first two; a run of one index (a cluster task) logs itself too.
	other := filepath.Join(t.TempDir(), "other")
	if code, stdout, stderr := runCLI("experiment", "mnist-ae-b10", "--profile", "tiny", "--out", other, "--index", "0"); code != 0 {
		t.Fatalf("--index 0: exit %d\n%s%s", code, stdout, stderr)
	}
	if code, stdout, stderr := runCLI("experiment", "mnist-ae-b10", "--profile", "tiny", "--out", other, "--compact-to", dst); code != 0 {
		t.Fatalf("second compact: exit %d\n%s%s", code, stdout, stderr)
	}
	b, _ := os.ReadFile(filepath.Join(dst, RunLogFile))
	if n := strings.Count(string(b), "\n## "); n != 3 || !strings.Contains(string(b), "runs with results: 0 → 1 of 1") {
		t.Errorf("merged RUN.md has %d entries, want 3:\n%s", n, b)
	}
}

package report

import (
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/fgrelu/fgrelu/stats"
)

// claimReport is testReport with a tested claim, an inconclusive one and the method linked.
func claimReport(t *testing.T, dir string) *Report {
	t.Helper()
	r := testReport(t, dir)
	a := []float64{0.092, 0.095, 0.093, 0.096, 0.094, 0.091}
	b := []float64{0.101, 0.098, 0.104, 0.099, 0.103, 0.100}
	sup, err := stats.Decide(a, b, stats.Paired, stats.Hypothesis{Kind: stats.Superiority, Direction: stats.Less})
	if err != nil {
		t.Fatal(err)
	}
	inc, err := stats.Decide(a[:3], b[:3], stats.Paired, stats.Hypothesis{Kind: stats.Superiority, Direction: stats.Less})
	if err != nil {
		t.Fatal(err)
	}
	r.Methods = "METHODS.md"
	r.Sections[0].Numbers = append(r.Sections[0].Numbers, TestRow("feedback − none | paired", sup), TestRow("three seeds", inc))
	return r
}

func TestTestRow(t *testing.T) {
	r := claimReport(t, t.TempDir())
	rows := r.Sections[0].Numbers
	sup, inc := rows[len(rows)-2], rows[len(rows)-1]
	if sup.Verdict != stats.Supported || sup.Level != 0.9 || sup.NB != 0 || sup.P != 1.0/64 || !math.IsNaN(sup.MDE) {
		t.Errorf("supported row %+v", sup)
	}
	if inc.Verdict != stats.Inconclusive || !math.IsInf(inc.MDE, 1) || inc.Needed == 0 {
		t.Errorf("inconclusive row %+v", inc)
	}
	d := fmtDetails(inc)
	for _, want := range []string{"paired sign-flip permutation (exact), 3 pairs", "δ < 0", "80 % power", "repeats would detect", "(90 %)"} {
		if !strings.Contains(d, want) {
			t.Errorf("details %q lack %q", d, want)
		}
	}
	if got := fmtPs(Row{Verdict: stats.Supported, P: 0.01, PAdj: 0.03}); got != "0.01 / 0.03" {
		t.Errorf("raw / Holm p %q", got)
	}
}

func TestWriteMarkdownAndMethodsLink(t *testing.T) {
	dir := t.TempDir()
	r := claimReport(t, dir)
	if err := WriteHTML(dir, r); err != nil {
		t.Fatal(err)
	}
	page, _ := os.ReadFile(filepath.Join(dir, HTMLFile))
	if !strings.Contains(string(page), `href="METHODS.md"`) || !strings.Contains(string(page), "p (raw / Holm)") {
		t.Error("the page does not link the method or lacks the Holm column")
	}
	if err := WriteMarkdown(dir, r); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(filepath.Join(dir, VerdictsFile))
	if err != nil {
		t.Fatal(err)
	}
	md := string(b)
	for _, want := range []string{"| MNIST autoencoder | feedback D1→E1 lowers the test loss | **supported** |",
		"| Noise | feedback is more robust to noise | **not run** |", `feedback − none \| paired`, "| inconclusive |"} {
		if !strings.Contains(md, want) {
			t.Errorf("verdicts.md lacks %q:\n%s", want, md)
		}
	}
	for i, line := range strings.Split(strings.TrimSpace(md), "\n") {
		// Every row of the two tables has 3 or 7 cells: 4 or 8 unescaped pipes.
		if pipes := strings.Count(line, "|") - strings.Count(line, `\|`); strings.HasPrefix(line, "|") && pipes != 4 && pipes != 8 {
			t.Errorf("line %d has %d cell separators: %q", i+1, pipes, line)
		}
	}
	r.Methods = "../METHODS.md"
	if err := WriteHTML(dir, r); err == nil {
		t.Error("a methods link outside the report folder was accepted")
	}
}

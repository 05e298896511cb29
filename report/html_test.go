package report

import (
	"math"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/fgrelu/fgrelu/stats"
)

// testReport draws two small figures into dir and returns a report that
// shows them.
func testReport(t *testing.T, dir string) *Report {
	t.Helper()
	if err := Verdicts(filepath.Join(dir, "verdicts"), testVerdictFigure()); err != nil {
		t.Fatal(err)
	}
	im := ring(0)
	if err := ImageRows(filepath.Join(dir, "rows.png"), ImageRowsFigure{Rows: []ImageRow{{Label: "input", Images: []Image{im, im}}}}); err != nil {
		t.Fatal(err)
	}
	a := []float64{0.092, 0.095, 0.093, 0.096, 0.094}
	b := []float64{0.101, 0.098, 0.104, 0.099, 0.103}
	return &Report{
		Title:       "FG-ReLU <reproduction> & checks",
		Subtitle:    `Kemmerling (2023), "Feedback-gated ReLUs"`,
		Generated:   time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC),
		Environment: map[string]string{"machine": "2 cores", "go": "go1.26.8", "wall time": "12 min"},
		Sections: []Section{
			{
				ID: "mnist-ae", Title: "MNIST autoencoder", PaperClaim: "feedback D1→E1 lowers the test loss",
				Verdict: stats.Supported,
				Numbers: []Row{
					SummaryRow("feedback", stats.Summarize(a, 0)),
					SummaryRow("none", stats.Summarize(b, 0)),
					ComparisonRow("feedback − none", stats.Compare(a, b, 0, stats.Less)),
					ComparisonRow("equivalence", stats.Equivalent(a, b, 0.02, 0)),
				},
				Figures: []Figure{
					{File: "verdicts", Caption: "Verdicts <script>alert(1)</script>"},
					{File: "rows.png", Caption: "Inputs"},
				},
				Notes: "First paragraph,\nsecond line.\n\n  Second <b>paragraph</b>.  ",
			},
			{Title: "Timesteps", PaperClaim: "T > 2 gives no gain", Verdict: stats.Inconclusive},
			{Title: "Noise", PaperClaim: "feedback is more robust to noise"},
			{ID: "cifar_cls", Title: "CIFAR classifier", PaperClaim: "+0.7 %", Verdict: stats.Contradicted},
		},
	}
}

func TestWriteHTML(t *testing.T) {
	dir := t.TempDir()
	if err := WriteHTML(dir, testReport(t, dir)); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(filepath.Join(dir, HTMLFile))
	if err != nil {
		t.Fatal(err)
	}
	page := string(data)
	for _, want := range []string{
		"<title>FG-ReLU &lt;reproduction&gt; &amp; checks</title>",
		"Kemmerling (2023), &#34;Feedback-gated ReLUs&#34;",
		"Generated 2026-01-02 03:04:05 UTC",
		`<a href="#mnist-ae">MNIST autoencoder</a>`,
		`<a href="#section-2">Timesteps</a>`,
		`<section id="section-3">`,
		`<section id="cifar_cls">`,
		`<span class="badge v-supported">supported</span>`,
		`<span class="badge v-inconclusive">inconclusive</span>`,
		`<span class="badge v-notrun">not run</span>`,
		`<span class="badge v-contradicted">contradicted</span>`,
		`<img src="verdicts.png" alt="Verdicts &lt;script&gt;alert(1)&lt;/script&gt;" width=`,
		`(<a href="verdicts.svg">SVG</a>)`,
		`<img src="rows.png"`,
		"Verdicts &lt;script&gt;alert(1)&lt;/script&gt;",
		"<p>First paragraph,\nsecond line.</p>",
		"<p>Second &lt;b&gt;paragraph&lt;/b&gt;.</p>",
		"<td>go</td><td>go1.26.8</td>",
		`<td class="num">5 / 5</td>`,
		`<td class="num">−0.007</td>`,
		"(90 %)", // the equivalence row's interval level
		`<div id="img-check" data-ok="pending"`,
	} {
		if !strings.Contains(page, want) {
			t.Errorf("page lacks %q", want)
		}
	}
	// Environment keys are sorted.
	if strings.Index(page, "<td>go</td>") > strings.Index(page, "<td>machine</td>") {
		t.Error("environment not sorted by key")
	}
	// Self-contained: no external URL, no external script or stylesheet, one inline script.
	if m := regexp.MustCompile(`(?i)(src|href)\s*=\s*"(https?:|//|file:)`).FindString(page); m != "" {
		t.Errorf("external reference %q", m)
	}
	if strings.Contains(page, "<link") || regexp.MustCompile(`<script[^>]+src`).MatchString(page) {
		t.Error("page loads an external resource")
	}
	if n := strings.Count(page, "<script"); n != 1 {
		t.Errorf("%d script elements, want the one inline check", n)
	}
	if strings.Contains(page, "<script>alert") {
		t.Error("caption not escaped")
	}
}

func TestWriteHTMLErrors(t *testing.T) {
	dir := t.TempDir()
	base := testReport(t, dir)
	mutate := func(f func(r *Report)) *Report {
		r := *base
		r.Sections = append([]Section(nil), base.Sections...)
		f(&r)
		return &r
	}
	for name, r := range map[string]*Report{
		"nil":             nil,
		"unknown verdict": mutate(func(r *Report) { r.Sections[1].Verdict = "partly" }),
		"duplicate id":    mutate(func(r *Report) { r.Sections[3].ID = "mnist-ae" }),
		"bad id":          mutate(func(r *Report) { r.Sections[3].ID = "has space" }),
		"reserved id":     mutate(func(r *Report) { r.Sections[3].ID = "summary" }),
		"missing figure":  mutate(func(r *Report) { r.Sections[1].Figures = []Figure{{File: "nope"}} }),
		"parent folder":   mutate(func(r *Report) { r.Sections[1].Figures = []Figure{{File: "../verdicts"}} }),
		"absolute path":   mutate(func(r *Report) { r.Sections[1].Figures = []Figure{{File: filepath.Join(dir, "verdicts")}} }),
		"empty file name": mutate(func(r *Report) { r.Sections[1].Figures = []Figure{{}} }),
	} {
		if err := WriteHTML(dir, r); err == nil || !strings.HasPrefix(err.Error(), "report: WriteHTML") {
			t.Errorf("%s: error %v", name, err)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, HTMLFile)); err == nil {
		t.Error("a page was written despite the errors")
	}
}

func TestFormatting(t *testing.T) {
	for _, c := range []struct{ got, want string }{
		{fmtNum(math.NaN()), "—"},
		{fmtNum(math.Inf(1)), "∞"},
		{fmtNum(math.Inf(-1)), "−∞"},
		{fmtNum(-0.0123456), "−0.01235"},
		{fmtNum(1234567), "1.235e+06"},
		{fmtP(0.00001), "< 0.0001"},
		{fmtP(0.0213), "0.021"},
		{fmtP(math.NaN()), "—"},
		{fmtCI(Row{CILow: 1, CIHigh: 2}), "[1, 2]"},
		{fmtCI(Row{CILow: 1, CIHigh: 2, Level: 0.95}), "[1, 2]"},
		{fmtCI(Row{CILow: 1, CIHigh: 2, Level: 0.9}), "[1, 2] (90 %)"},
		{fmtN(Row{N: 10}), "10"},
		{fmtN(Row{N: 10, NB: 9}), "10 / 9"},
	} {
		if c.got != c.want {
			t.Errorf("got %q, want %q", c.got, c.want)
		}
	}
}

package report

import (
	"bytes"
	_ "embed"
	"fmt"
	"html/template"
	"image"
	_ "image/png" // image.DecodeConfig of PNG figures
	"math"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"time"

	"github.com/fgrelu/fgrelu/stats"
)

// HTMLFile is the name of the page WriteHTML writes.
const HTMLFile = "report.html"

// Report is the content of the HTML report.
type Report struct {
	Title, Subtitle string
	// Generated is when the report was made; zero: not shown.
	Generated time.Time
	// Environment describes the run (machine, Go version, profile, wall
	// time, …), shown as a table sorted by key.
	Environment map[string]string
	// Methods, when set, is the relative path of the document that says how
	// each claim is read and tested (docs/METHODS.md, copied beside the
	// report); the page links it under the title.
	Methods  string
	Sections []Section
}

// Section reports on one claim of the paper.
type Section struct {
	// ID is the section's anchor: a letter, then letters, digits, '-' or
	// '_'. Empty: "section-N" (N counts from 1).
	ID    string
	Title string
	// PaperClaim is what the paper says, to be tested.
	PaperClaim string
	// Verdict is stats.Supported, stats.Contradicted, stats.Inconclusive or
	// stats.NotRun; "" means stats.NotRun.
	Verdict string
	Numbers []Row
	Figures []Figure
	// Notes is plain text; blank lines separate paragraphs.
	Notes string
}

// Row is one line of a section's table of numbers: a sample's mean and
// confidence interval, or a difference between two samples with its test.
// SummaryRow and ComparisonRow fill one in.
type Row struct {
	Label string
	// N is the sample size; for a comparison, N and NB are the two sizes.
	N, NB int
	// Mean is the sample mean, or the difference of means for a comparison;
	// [CILow, CIHigh] its confidence interval at Level (0: 0.95; the level
	// is printed only when it differs from 0.95).
	Mean, CILow, CIHigh float64
	Level               float64
	// HasTest marks Effect (Cohen's d, or whatever the section's notes say)
	// and P (the test's p-value) as set; without it they print as "—".
	HasTest   bool
	Effect, P float64
	// The fields below describe a claim's test (TestRow fills them in); a
	// row with an empty Verdict shows none of them.
	//
	// Verdict is the row's own verdict; Method names the test, the design
	// and the claim with its margin; Median is the median difference;
	// [TLow, THigh] the t-based interval at Level; PAdj the Holm-adjusted p
	// (NaN: none); MDE the smallest effect the design detects at 80 % power
	// and Needed the repeats that would detect the observed one (0:
	// unknown); Diverged the runs that diverged on either side.
	Verdict     string
	Method      string
	Median      float64
	TLow, THigh float64
	PAdj        float64
	MDE         float64
	Needed      int
	Diverged    int
}

// SummaryRow returns the row for one sample's summary.
func SummaryRow(label string, s stats.Summary) Row {
	return Row{Label: label, N: s.N, Mean: s.Mean, CILow: s.CILow, CIHigh: s.CIHigh, Level: s.Level}
}

// ComparisonRow returns the row for a comparison: the difference of means,
// its interval, Cohen's d and the p-value.
func ComparisonRow(label string, c stats.Comparison) Row {
	return Row{
		Label: label, N: c.NA, NB: c.NB, Mean: c.Diff, CILow: c.CILow, CIHigh: c.CIHigh, Level: c.Level,
		HasTest: true, Effect: c.D, P: c.P,
	}
}

// TestRow returns the row of a claim's test: the mean difference with its
// exact permutation interval, the median difference, the t interval, the
// effect size, raw and adjusted p, the verdict and, for an undecided claim,
// the power of the design.
func TestRow(label string, t stats.Test) Row {
	r := Row{
		Label: label, N: t.NA, NB: t.NB, Mean: t.MeanDiff, CILow: t.Low, CIHigh: t.High, Level: t.Level,
		HasTest: true, Effect: t.Effect, P: t.P, PAdj: t.PAdj, Verdict: t.Verdict,
		Method: t.Method() + "; claim " + t.Claim() + ", " + t.Hypothesis.Kind.String(),
		Median: t.MedianDiff, TLow: t.TLow, THigh: t.THigh, MDE: math.NaN(),
	}
	if t.Design == stats.Paired {
		r.NB = 0
	}
	if t.Verdict == stats.Inconclusive {
		r.MDE, r.Needed = t.MDE, t.Needed
	}
	return r
}

// Figure is a figure file in the report's folder, shown with a caption.
// File is the name given to a figure function ("curves-mnist", with or without
// .png/.svg): the page shows the PNG and links the SVG when it exists. A
// File with another extension (".jpg") is shown as it is.
type Figure struct {
	File, Caption string
}

var idPattern = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9_-]*$`)

// reservedIDs are element ids the page itself uses.
var reservedIDs = map[string]bool{"summary": true, "environment": true, "img-check": true, "top": true}

// WriteHTML writes dir/report.html: a static, self-contained page (inline
// CSS, no external URLs) with a summary table of claims and verdicts linked
// to one section per claim, each with its numbers, figures and notes. Figures
// are referenced by relative path and must already be in dir. All text is
// escaped. An inline script checks, on load, that every image loaded and
// records the result on the element #img-check (data-ok="true"/"false",
// data-count, data-failed), which CheckInBrowser reads.
func WriteHTML(dir string, r *Report) error {
	if r == nil {
		return fmt.Errorf("report: WriteHTML %s: nil report", dir)
	}
	page, err := buildPage(dir, r)
	if err != nil {
		return fmt.Errorf("report: WriteHTML %s: %w", dir, err)
	}
	var buf bytes.Buffer
	if err := pageTemplate.Execute(&buf, page); err != nil {
		return fmt.Errorf("report: WriteHTML %s: %w", dir, err)
	}
	return writeFile(filepath.Join(dir, HTMLFile), &buf)
}

// The template's view of the report.
type page struct {
	Title, Subtitle, Generated string
	Methods                    string
	Environment                [][2]string
	Sections                   []pageSection
}

type pageSection struct {
	Section
	Verdict string
	Figures []pageFigure
}

type pageFigure struct {
	Src, SVG, Caption string
	Width, Height     int
}

func buildPage(dir string, r *Report) (*page, error) {
	p := &page{Title: r.Title, Subtitle: r.Subtitle, Methods: filepath.ToSlash(r.Methods)}
	if p.Methods != "" && (filepath.IsAbs(r.Methods) || strings.Contains(p.Methods, ":") || strings.HasPrefix(p.Methods, "/") || strings.Contains(p.Methods, "..")) {
		return nil, fmt.Errorf("methods %q is not a relative path inside the report folder", r.Methods)
	}
	if p.Title == "" {
		p.Title = "Report"
	}
	if !r.Generated.IsZero() {
		p.Generated = r.Generated.UTC().Format("2006-01-02 15:04:05 UTC")
	}
	keys := make([]string, 0, len(r.Environment))
	for k := range r.Environment {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		p.Environment = append(p.Environment, [2]string{k, r.Environment[k]})
	}
	seen := map[string]bool{}
	for i, s := range r.Sections {
		ps := pageSection{Section: s, Verdict: s.Verdict}
		if ps.ID == "" {
			ps.ID = fmt.Sprintf("section-%d", i+1)
		}
		where := fmt.Sprintf("section %d (%q)", i+1, s.Title)
		switch {
		case !idPattern.MatchString(ps.ID):
			return nil, fmt.Errorf("%s: id %q is not a letter followed by letters, digits, '-' or '_'", where, ps.ID)
		case reservedIDs[ps.ID]:
			return nil, fmt.Errorf("%s: id %q is used by the page itself", where, ps.ID)
		case seen[ps.ID]:
			return nil, fmt.Errorf("%s: duplicate id %q", where, ps.ID)
		}
		seen[ps.ID] = true
		if ps.Verdict == "" {
			ps.Verdict = stats.NotRun
		}
		if _, ok := VerdictColors[ps.Verdict]; !ok {
			return nil, fmt.Errorf("%s: unknown verdict %q (want %q)", where, s.Verdict, verdictOrder)
		}
		for j, f := range s.Figures {
			pf, err := pageFig(dir, f)
			if err != nil {
				return nil, fmt.Errorf("%s figure %d: %w", where, j+1, err)
			}
			ps.Figures = append(ps.Figures, pf)
		}
		p.Sections = append(p.Sections, ps)
	}
	return p, nil
}

// pageFig resolves a Figure against the files in dir.
func pageFig(dir string, f Figure) (pageFigure, error) {
	name := filepath.ToSlash(f.File)
	if name == "" || filepath.IsAbs(f.File) || strings.HasPrefix(name, "/") {
		return pageFigure{}, fmt.Errorf("file %q is not a relative path", f.File)
	}
	for _, part := range strings.Split(name, "/") {
		if part == ".." {
			return pageFigure{}, fmt.Errorf("file %q leaves the report folder", f.File)
		}
	}
	pf := pageFigure{Caption: f.Caption, Src: name}
	if ext := strings.ToLower(filepath.Ext(name)); ext == "" || ext == ".png" || ext == ".svg" {
		pf.Src, pf.SVG = Paths(name)
		if _, err := os.Stat(filepath.Join(dir, filepath.FromSlash(pf.SVG))); err != nil {
			pf.SVG = ""
		}
	}
	file, err := os.Open(filepath.Join(dir, filepath.FromSlash(pf.Src)))
	if err != nil {
		return pageFigure{}, fmt.Errorf("%w", err)
	}
	defer file.Close()
	if cfg, _, err := image.DecodeConfig(file); err == nil {
		pf.Width, pf.Height = cfg.Width, cfg.Height
	}
	return pf, nil
}

// Number formatting for the tables.

func fmtNum(v float64) string {
	switch {
	case math.IsNaN(v):
		return "—"
	case math.IsInf(v, 1):
		return "∞"
	case math.IsInf(v, -1):
		return "−∞"
	}
	return strings.ReplaceAll(fmt.Sprintf("%.4g", v), "-", "−")
}

func fmtP(v float64) string {
	switch {
	case math.IsNaN(v):
		return "—"
	case v < 1e-4:
		return "< 0.0001"
	}
	return fmt.Sprintf("%.2g", v)
}

func fmtN(r Row) string {
	if r.NB > 0 {
		return fmt.Sprintf("%d / %d", r.N, r.NB)
	}
	return fmt.Sprint(r.N)
}

func fmtCI(r Row) string {
	s := "[" + fmtNum(r.CILow) + ", " + fmtNum(r.CIHigh) + "]"
	if r.Level != 0 && math.Abs(r.Level-0.95) > 1e-9 {
		s += fmt.Sprintf(" (%g %%)", 100*r.Level)
	}
	return s
}

// fmtDetails is the small print under a tested row's label: the test, the
// t-based interval, the power of an undecided claim and the diverged runs.
func fmtDetails(r Row) string {
	if r.Verdict == "" {
		return ""
	}
	parts := []string{r.Method}
	if r.HasTest {
		parts = append(parts, "t interval "+fmtCI(Row{CILow: r.TLow, CIHigh: r.THigh, Level: r.Level}))
	}
	if r.Verdict == stats.Inconclusive && !math.IsNaN(r.MDE) {
		pw := "smallest effect this design detects (80 % power): "
		if math.IsInf(r.MDE, 1) {
			pw += "none (too few repeats for the exact test to reach the level)"
		} else {
			pw += fmtNum(r.MDE)
		}
		if r.Needed > 0 {
			pw += fmt.Sprintf("; about %d repeats would detect the observed effect", r.Needed)
		}
		parts = append(parts, pw)
	}
	if r.Diverged > 0 {
		parts = append(parts, fmt.Sprintf("%d diverged run(s)", r.Diverged))
	}
	return strings.Join(parts, "; ")
}

// fmtPs prints the raw and, when it differs, the Holm-adjusted p-value.
func fmtPs(r Row) string {
	if r.Verdict == "" || math.IsNaN(r.PAdj) || r.PAdj == r.P {
		return fmtP(r.P)
	}
	return fmtP(r.P) + " / " + fmtP(r.PAdj)
}

func badgeClass(v string) string {
	switch v {
	case stats.Supported:
		return "v-supported"
	case stats.Contradicted:
		return "v-contradicted"
	case stats.Inconclusive:
		return "v-inconclusive"
	}
	return "v-notrun"
}

func paragraphs(s string) []string {
	var out []string
	for _, p := range regexp.MustCompile(`\n[ \t]*\n`).Split(strings.TrimSpace(s), -1) {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

//go:embed report.tmpl
var pageSource string

var pageTemplate = template.Must(template.New("report").Funcs(template.FuncMap{
	"num": fmtNum, "pval": fmtP, "n": fmtN, "ci": fmtCI, "badge": badgeClass, "paragraphs": paragraphs,
	"details": fmtDetails, "ps": fmtPs,
}).Parse(pageSource))

package report

import (
	"bytes"
	"fmt"
	"path/filepath"
	"strings"

	"github.com/fgrelu/fgrelu/stats"
)

// VerdictsFile is the name of the Markdown verdict table WriteMarkdown writes.
const VerdictsFile = "verdicts.md"

// WriteMarkdown writes dir/verdicts.md: the report's claims and verdicts as
// Markdown tables (one line per section, then one per tested sub-claim), so a
// README's verdict table can be generated rather than typed.
func WriteMarkdown(dir string, r *Report) error {
	if r == nil {
		return fmt.Errorf("report: WriteMarkdown %s: nil report", dir)
	}
	var b bytes.Buffer
	fmt.Fprintf(&b, "# %s\n\n", mdText(r.Title))
	if r.Subtitle != "" {
		fmt.Fprintf(&b, "%s\n\n", mdText(r.Subtitle))
	}
	if p := r.Environment["profile"]; p != "" {
		fmt.Fprintf(&b, "Profile: %s. ", mdText(p))
	}
	if r.Methods != "" {
		fmt.Fprintf(&b, "How each claim is read and tested: %s.", mdText(r.Methods))
	}
	b.WriteString("\n\n| Claim | The paper says | Verdict |\n|---|---|---|\n")
	for _, s := range r.Sections {
		fmt.Fprintf(&b, "| %s | %s | **%s** |\n", mdText(s.Title), mdText(s.PaperClaim), verdictOf(s.Verdict))
	}
	b.WriteString("\n## Sub-claims\n\n| Claim | Tested | Test | Difference [interval] | Median | p (raw / Holm) | Verdict |\n|---|---|---|---|---|---|---|\n")
	for _, s := range r.Sections {
		for _, row := range s.Numbers {
			if row.Verdict == "" {
				continue
			}
			fmt.Fprintf(&b, "| %s | %s | %s | %s %s | %s | %s | %s |\n", mdText(s.Title), mdText(row.Label), mdText(fmtDetails(row)),
				fmtNum(row.Mean), fmtCI(row), fmtNum(row.Median), fmtPs(row), row.Verdict)
		}
	}
	return writeFile(filepath.Join(dir, VerdictsFile), &b)
}

func verdictOf(v string) string {
	if v == "" {
		return stats.NotRun
	}
	return v
}

// mdText keeps text on one table line: no newlines, no unescaped pipes.
func mdText(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	return strings.ReplaceAll(s, "|", `\|`)
}

package report

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/fgrelu/fgrelu/internal/browsertest"
)

// TestReportInBrowser loads a rendered report in headless Chromium and checks
// that it is clean, then proves the check can fail: a page whose script
// throws and logs an error, and the report with a figure file removed.
func TestReportInBrowser(t *testing.T) {
	if _, err := os.Stat(browsertest.Chromium); err != nil {
		t.Skipf("skipped: %s is absent; install it with apt-get install -y chromium", browsertest.Chromium)
	}
	dir := t.TempDir()
	if err := WriteHTML(dir, testReport(t, dir)); err != nil {
		t.Fatal(err)
	}
	htmlPath := filepath.Join(dir, HTMLFile)

	page, err := os.ReadFile(htmlPath)
	if err != nil {
		t.Fatal(err)
	}
	// A script that logs an error and throws, with every image present.
	throws := strings.Replace(string(page), "</body>",
		`<script>console.error("deliberate console error"); throw new Error("deliberate throw");</script></body>`, 1)
	// A figure file that is missing.
	missing := strings.Replace(string(page), `<img src="rows.png"`, `<img src="absent.png"`, 1)
	if throws == string(page) || missing == string(page) {
		t.Fatal("could not make the broken pages")
	}
	throwsPath, missingPath := filepath.Join(dir, "throws.html"), filepath.Join(dir, "missing.html")
	for p, s := range map[string]string{throwsPath: throws, missingPath: missing} {
		if err := os.WriteFile(p, []byte(s), 0o644); err != nil {
			t.Fatal(err)
		}
	}

	res, err := browsertest.CheckPagesInBrowser(htmlPath, throwsPath, missingPath)
	if err != nil {
		t.Fatal(err)
	}
	if clean := res[0]; !clean.OK() || clean.Images != 2 || clean.PageCheck != "true" {
		t.Errorf("clean report: %v", clean)
	}

	th := res[1]
	joined := strings.Join(th.Errors, "\n")
	if th.OK() || !strings.Contains(joined, "deliberate throw") || !strings.Contains(joined, "deliberate console error") {
		t.Errorf("throwing script not detected: %v", th)
	}
	if len(th.BrokenImages) != 0 || th.PageCheck != "true" {
		t.Errorf("throwing script: the images should all load: %v", th)
	}

	mi := res[2]
	if mi.OK() || mi.PageCheck != "false" || len(mi.BrokenImages) != 1 || mi.BrokenImages[0] != "absent.png" ||
		!strings.Contains(strings.Join(mi.Errors, "\n"), "absent.png") {
		t.Errorf("missing image not detected: %v", mi)
	}
}

package report

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestReportInBrowser loads a rendered report in headless Chromium and checks
// that it is clean, then proves the check can fail: a page whose script
// throws and logs an error, and the report with a figure file removed.
func TestReportInBrowser(t *testing.T) {
	if _, err := os.Stat(Chromium); err != nil {
		t.Skipf("skipped: %s is absent; install it with apt-get install -y chromium", Chromium)
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

	res, err := CheckPagesInBrowser(htmlPath, throwsPath, missingPath)
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

func TestCheckInBrowserErrors(t *testing.T) {
	_, err := CheckInBrowser(filepath.Join(t.TempDir(), "absent.html"))
	if err == nil {
		t.Errorf("absent page: error %v", err)
	}
}

func TestBrowserCheckOK(t *testing.T) {
	for _, c := range []struct {
		b  BrowserCheck
		ok bool
	}{
		{BrowserCheck{PageCheck: "true", Images: 3}, true},
		{BrowserCheck{}, true}, // a page without #img-check
		{BrowserCheck{PageCheck: "pending"}, false},
		{BrowserCheck{PageCheck: "false"}, false},
		{BrowserCheck{PageCheck: "true", Errors: []string{"x"}}, false},
		{BrowserCheck{PageCheck: "true", BrokenImages: []string{"a.png"}}, false},
	} {
		if c.b.OK() != c.ok {
			t.Errorf("%v: OK = %v", c.b, !c.ok)
		}
	}
}

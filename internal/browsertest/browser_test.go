package browsertest

import (
	"path/filepath"
	"testing"
)

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

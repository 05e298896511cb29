package testenv

import (
	"os"
	"path/filepath"
	"testing"
)

// RepoRoot returns the folder that holds go.mod, found by walking up from the working
// directory (go test runs each package in its own folder).
func RepoRoot(t testing.TB) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("testenv: no go.mod above the working directory")
		}
		dir = parent
	}
}

// SharedDir returns the project's shared folder ($FGRELU_SHARED, else ../shared beside the
// repository) or skips the test when it is absent.
func SharedDir(t testing.TB) string {
	t.Helper()
	dir := os.Getenv("FGRELU_SHARED")
	if dir == "" {
		dir = filepath.Join(RepoRoot(t), "..", "shared")
	}
	if _, err := os.Stat(dir); err != nil {
		t.Skipf("skipped: the shared data folder %s is absent (set FGRELU_SHARED to point at it)", dir)
	}
	return dir
}

// SharedFile returns a file under the shared folder or skips the test when it is absent.
func SharedFile(t testing.TB, rel string) string {
	t.Helper()
	p := filepath.Join(SharedDir(t), rel)
	if _, err := os.Stat(p); err != nil {
		t.Skipf("skipped: %s is absent", p)
	}
	return p
}

package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"testing"
)

// The library and the command build for Windows and macOS without cgo (pure-Go matrix
// products, no Unix-only system calls outside test support).
func TestBuildsForOtherSystems(t *testing.T) {
	if testing.Short() {
		t.Skip("skipped in -short: cross-compiles the module twice")
	}
	gobin := filepath.Join(runtime.GOROOT(), "bin", "go")
	if _, err := os.Stat(gobin); err != nil {
		t.Skipf("skipped: no go command at %s", gobin)
	}
	for _, goos := range []string{"windows", "darwin"} {
		cmd := exec.Command(gobin, "build", "-o", os.DevNull, "./...")
		cmd.Dir = filepath.Join("..", "..")
		cmd.Env = append(os.Environ(), "GOOS="+goos, "GOARCH=amd64", "CGO_ENABLED=0")
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Errorf("GOOS=%s go build ./...: %v\n%s", goos, err, out)
		}
	}
}

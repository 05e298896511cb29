package main

import (
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/fgrelu/fgrelu/internal/testenv"
)

// moduleImports says which packages of the module each package may import, outside its tests:
// the one-way stack that the packages' doc.go files describe,
//
//	tensor, data, stats, tsne, docs, internal/* → gemm → nn → net → optim, config, checkpoint
//	  → train → report, experiment → cmd/fgrelu
//
// A package that is not listed fails the test: add it, with its doc.go saying the same.
var moduleImports = map[string][]string{
	"tensor":               nil,
	"docs":                 nil,
	"data":                 nil,
	"stats":                nil,
	"tsne":                 nil,
	"internal/atomicfile":  nil,
	"internal/browsertest": nil,
	"internal/kernels":     nil,
	"internal/par":         nil,
	"internal/progress":    nil,
	"internal/sysinfo":     nil,
	"internal/testenv":     nil,
	"gemm":                 {"internal/par"},
	"nn":                   {"tensor", "gemm", "internal/par", "internal/kernels"},
	"net":                  {"tensor", "gemm", "nn", "internal/par"},
	"optim":                {"tensor", "nn", "internal/par", "internal/kernels"},
	"checkpoint":           {"internal/atomicfile"},
	"config":               {"net"},
	"report":               {"stats"},
	"train": {"tensor", "data", "gemm", "nn", "net", "optim", "config", "checkpoint",
		"internal/atomicfile", "internal/progress"},
	"experiment": {"tensor", "data", "gemm", "nn", "net", "optim", "config", "checkpoint", "train",
		"report", "stats", "tsne", "docs", "internal/atomicfile", "internal/progress", "internal/sysinfo",
		"internal/par"},
	"cmd/fgrelu": {"tensor", "data", "gemm", "nn", "net", "optim", "config", "checkpoint", "train",
		"report", "stats", "tsne", "docs", "experiment", "internal/atomicfile", "internal/progress", "internal/sysinfo",
		"internal/kernels"},
}

// TestImportStack reads the imports of every non-test Go file of the module (whatever its
// build tags) and checks them against moduleImports.
func TestImportStack(t *testing.T) {
	root := testenv.RepoRoot(t)
	const module = "github.com/fgrelu/fgrelu/"
	fset := token.NewFileSet()
	seen := map[string]bool{}
	err := filepath.WalkDir(root, func(path string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if name := d.Name(); path != root && (strings.HasPrefix(name, ".") || name == "testdata") {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		rel, _ := filepath.Rel(root, filepath.Dir(path))
		pkg := filepath.ToSlash(rel)
		allowed, ok := moduleImports[pkg]
		if !ok {
			if !seen[pkg] {
				t.Errorf("package %s is not in moduleImports: add it and say in its doc.go what it may import", pkg)
			}
			seen[pkg] = true
			return nil
		}
		f, err := parser.ParseFile(fset, path, nil, parser.ImportsOnly)
		if err != nil {
			return err
		}
		for _, imp := range f.Imports {
			p, _ := strconv.Unquote(imp.Path.Value)
			dep, ok := strings.CutPrefix(p, module)
			if ok && !slices.Contains(allowed, dep) {
				t.Errorf("%s imports %s: against the stack (%s may import %v)", filepath.ToSlash(path[len(root)+1:]), dep, pkg, allowed)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

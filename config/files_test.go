package config

import (
	"path/filepath"
	"testing"

	"github.com/fgrelu/fgrelu/internal/testenv"
)

// Every config that ships in configs/ loads and validates.
func TestShippedConfigs(t *testing.T) {
	files, err := filepath.Glob(filepath.Join(testenv.RepoRoot(t), "configs", "*.yaml"))
	if err != nil || len(files) < 5 {
		t.Fatalf("configs/: %v, %d files", err, len(files))
	}
	for _, f := range files {
		c, err := Load(f)
		if err != nil {
			t.Errorf("%s: %v", filepath.Base(f), err)
			continue
		}
		if _, err := c.Spec(); err != nil {
			t.Errorf("%s: %v", filepath.Base(f), err)
		}
	}
}

package experiment

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"

	"github.com/fgrelu/fgrelu/internal/atomicfile"
)

// ResultsDir is the folder of run results inside an output folder.
const ResultsDir = "results"

// resultPath is where spec's result lives under out.
func resultPath(out string, s RunSpec) string {
	return filepath.Join(out, ResultsDir, s.FileName())
}

// Done reports whether spec already has a complete result under out.
func Done(out string, s RunSpec) bool {
	r, err := load(resultPath(out, s))
	return err == nil && r.Complete && r.Key == s.Key()
}

func load(path string) (*Result, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var r Result
	if err := json.Unmarshal(b, &r); err != nil {
		return nil, fmt.Errorf("experiment: %s: %w", path, err)
	}
	return &r, nil
}

// save writes a result atomically; Complete is set last, as the completion marker.
func save(out string, r *Result) error {
	r.Complete = true
	b, err := json.Marshal(r)
	if err != nil {
		return fmt.Errorf("experiment: %w", err)
	}
	if err := os.MkdirAll(filepath.Join(out, ResultsDir), 0o755); err != nil {
		return fmt.Errorf("experiment: %w", err)
	}
	return atomicfile.WriteBytes(resultPath(out, r.Spec), b)
}

// Collect loads the complete results of the given specs that exist under out, by key.
func Collect(out string, specs []RunSpec) map[string]*Result {
	got := map[string]*Result{}
	for _, s := range specs {
		if r, err := load(resultPath(out, s)); err == nil && r.Complete && r.Key == s.Key() {
			got[s.Key()] = r
		}
	}
	return got
}

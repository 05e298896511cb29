package experiment

import (
	"encoding/json"
	"fmt"
	"io"
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

// Done reports whether spec already has a complete result under out. Results are written
// atomically and begin with their completion marker and key, so the first bytes tell: listing
// thousands of runs on a network filesystem reads no more.
func Done(out string, s RunSpec) bool {
	f, err := os.Open(resultPath(out, s))
	if err != nil {
		return false
	}
	defer f.Close()
	want := `{"complete":true,"key":"` + s.Key() + `"`
	head := make([]byte, len(want))
	if _, err := io.ReadFull(f, head); err != nil {
		return false
	}
	return string(head) == want
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

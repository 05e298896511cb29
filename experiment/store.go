package experiment

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
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
	f, err := openResult(resultPath(out, s))
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

// openResult opens a result file, or its gzip-compressed copy (path + ".gz", as Compact writes
// them) when the file itself is absent.
func openResult(path string) (io.ReadCloser, error) {
	f, err := os.Open(path)
	if err == nil || !errors.Is(err, fs.ErrNotExist) {
		return f, err
	}
	gz, err2 := os.Open(path + ".gz")
	if err2 != nil {
		return nil, err
	}
	zr, err := gzip.NewReader(gz)
	if err != nil {
		gz.Close()
		return nil, fmt.Errorf("experiment: %s.gz: %w", path, err)
	}
	return readCloser{zr, gz}, nil
}

// readCloser reads from a gzip stream and closes the file under it.
type readCloser struct {
	*gzip.Reader
	file *os.File
}

func (r readCloser) Close() error {
	r.Reader.Close()
	return r.file.Close()
}

func load(path string) (*Result, error) {
	f, err := openResult(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	b, err := io.ReadAll(f)
	if err != nil {
		return nil, fmt.Errorf("experiment: %s: %w", path, err)
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

// Compact copies the complete results of specs from out to dst, gzip-compressed (a result's
// floats compress about threefold), for a results folder to commit: the analysis reads them
// as it reads the originals. It returns how many it copied. When dst is out itself (a plan
// resumed in its committed folder), the uncompressed originals are removed once compressed.
func Compact(out, dst string, specs []RunSpec) (int, error) {
	inPlace := sameDir(out, dst)
	if err := os.MkdirAll(filepath.Join(dst, ResultsDir), 0o755); err != nil {
		return 0, fmt.Errorf("experiment: %w", err)
	}
	n := 0
	for key, r := range Collect(out, specs) {
		b, err := json.Marshal(r)
		if err != nil {
			return n, fmt.Errorf("experiment: %w", err)
		}
		var z bytes.Buffer
		zw, _ := gzip.NewWriterLevel(&z, gzip.BestCompression) // no name, no time: the same bytes every time
		zw.Write(b)
		if err := zw.Close(); err != nil {
			return n, fmt.Errorf("experiment: %w", err)
		}
		// Named by the key the result was found under, so that Done finds it again.
		name := filepath.Join(ResultsDir, key+".json")
		if err := atomicfile.WriteBytes(filepath.Join(dst, name)+".gz", z.Bytes()); err != nil {
			return n, err
		}
		if inPlace {
			if err := os.Remove(filepath.Join(out, name)); err != nil && !errors.Is(err, fs.ErrNotExist) {
				return n, fmt.Errorf("experiment: %w", err)
			}
		}
		n++
	}
	return n, nil
}

// sameDir reports whether two paths name the same existing folder (links included).
func sameDir(a, b string) bool {
	x, err1 := os.Stat(a)
	y, err2 := os.Stat(b)
	return err1 == nil && err2 == nil && os.SameFile(x, y)
}

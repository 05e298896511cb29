package checkpoint

import (
	"bytes"
	"encoding/json"
	"math"
	"math/big"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"testing"

	"github.com/fgrelu/fgrelu/internal/testenv"
)

// pySummary is what bench/read_safetensors.py prints.
type pySummary struct {
	Metadata map[string]string
	Tensors  map[string]struct {
		DType string
		Shape []int
		Sum   any
		First []any
	}
	SafetensorsPackage string `json:"safetensors_package"`
}

// TestPythonReader writes a checkpoint and has an independent reader, written in Python from
// the format's spec (and the safetensors package too, when installed), read it back. The
// comparison is exact: first elements bit for bit, integer sums exactly, float sums as the
// correctly rounded float64 of the exact sum (Python's math.fsum against math/big here).
func TestPythonReader(t *testing.T) {
	const py = "/usr/bin/python3"
	if _, err := os.Stat(py); err != nil {
		t.Skipf("skipped: %s is absent", py)
	}
	if out, err := exec.Command(py, "-c", "import numpy").CombinedOutput(); err != nil {
		t.Skipf("skipped: %s cannot import numpy: %s", py, bytes.TrimSpace(out))
	}
	script := filepath.Join(testenv.RepoRoot(t), "bench", "read_safetensors.py")
	f := sample()
	path := filepath.Join(t.TempDir(), "sample.safetensors")
	if err := Save(path, f); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(py, script, path)
	cmd.Env = append(os.Environ(), "PYTHONDONTWRITEBYTECODE=1")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("%s: %v\n%s", script, err, stderr.Bytes())
	}
	dec := json.NewDecoder(bytes.NewReader(out))
	dec.UseNumber()
	var got pySummary
	if err := dec.Decode(&got); err != nil {
		t.Fatalf("decoding the script's output: %v\n%s", err, out)
	}
	t.Logf("safetensors package: %s", got.SafetensorsPackage)

	if len(got.Metadata) != len(f.Metadata) {
		t.Errorf("metadata %q, want %q", got.Metadata, f.Metadata)
	}
	for k, v := range f.Metadata {
		if got.Metadata[k] != v {
			t.Errorf("metadata %q = %q, want %q", k, got.Metadata[k], v)
		}
	}
	if len(got.Tensors) != len(f.Tensors) {
		t.Errorf("Python sees %d tensors, want %d", len(got.Tensors), len(f.Tensors))
	}
	for _, tn := range f.Tensors {
		p, ok := got.Tensors[tn.Name]
		if !ok {
			t.Errorf("Python does not see tensor %s", tn.Name)
			continue
		}
		if p.DType != string(tn.DType) || !slices.Equal(p.Shape, tn.Shape) {
			t.Errorf("%s: Python sees %s %v, want %s %v", tn.Name, p.DType, p.Shape, tn.DType, tn.Shape)
		}
		vals := values(&tn)
		if len(p.First) != min(8, len(vals)) {
			t.Errorf("%s: Python gives %d first values, want %d", tn.Name, len(p.First), min(8, len(vals)))
			continue
		}
		for i, pv := range p.First {
			if want := exact(vals[i]); !sameJSON(pv, want) {
				t.Errorf("%s[%d]: Python reads %v, want %v", tn.Name, i, pv, want)
			}
		}
		if want := exactSum(vals); !sameJSON(p.Sum, want) {
			t.Errorf("%s: Python's sum is %v, want %v", tn.Name, p.Sum, want)
		}
	}
}

// values returns a tensor's elements as float64 or *big.Int, exactly.
func values(t *Tensor) []any {
	var vs []any
	for _, v := range t.F32 {
		vs = append(vs, float64(v))
	}
	for _, v := range t.F64 {
		vs = append(vs, v)
	}
	for _, v := range t.I64 {
		vs = append(vs, big.NewInt(v))
	}
	for _, v := range t.U8 {
		vs = append(vs, big.NewInt(int64(v)))
	}
	return vs
}

// exact renders a value as the script does: integers in full, non-finite floats as strings.
func exact(v any) any {
	switch v := v.(type) {
	case *big.Int:
		return v.String()
	case float64:
		switch {
		case math.IsNaN(v):
			return "nan"
		case math.IsInf(v, 1):
			return "inf"
		case math.IsInf(v, -1):
			return "-inf"
		}
		return v
	}
	panic("unreachable")
}

// exactSum is the script's "sum": exact for integers; for floats the exact sum rounded once
// to float64 (math.fsum), or nan/±inf when a value is not finite.
func exactSum(vs []any) any {
	ints := new(big.Int)
	floats := new(big.Float).SetPrec(4096) // wide enough to add any float64s without rounding
	naive, isInt := 0.0, len(vs) > 0
	for _, v := range vs {
		switch v := v.(type) {
		case *big.Int:
			ints.Add(ints, v)
		case float64:
			isInt = false
			naive += v // nan or ±inf when a value is not finite, the script's answer then
			if !math.IsInf(v, 0) && !math.IsNaN(v) {
				floats.Add(floats, big.NewFloat(v))
			}
		}
	}
	if isInt {
		return ints.String()
	}
	if math.IsInf(naive, 0) || math.IsNaN(naive) {
		return exact(naive)
	}
	f, _ := floats.Float64()
	return f
}

// sameJSON compares a decoded JSON value (json.Number or string) with exact's rendering.
func sameJSON(got, want any) bool {
	switch want := want.(type) {
	case string: // an integer in full, or a non-finite float
		switch g := got.(type) {
		case string:
			return g == want
		case json.Number:
			return string(g) == want
		}
	case float64:
		g, ok := got.(json.Number)
		if !ok {
			return false
		}
		f, err := strconv.ParseFloat(string(g), 64)
		return err == nil && math.Float64bits(f) == math.Float64bits(want)
	}
	return false
}

package checkpoint

import (
	"bytes"
	"encoding/binary"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// rawFile assembles a safetensors file by hand: the size of header, header, data.
func rawFile(header string, data []byte) []byte {
	b := binary.LittleEndian.AppendUint64(nil, uint64(len(header)))
	b = append(b, header...)
	return append(b, data...)
}

func readBytes(b []byte) (*File, error) { return Read(bytes.NewReader(b), int64(len(b))) }

func writeBytes(t testing.TB, f *File) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := Write(&buf, f); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// sameFile reports whether two files hold the same names, dtypes, shapes, bit patterns and
// metadata, in the same order (nil and empty maps and shapes are the same).
func sameFile(a, b *File) bool {
	if len(a.Metadata) != len(b.Metadata) || len(a.Tensors) != len(b.Tensors) {
		return false
	}
	for k, v := range a.Metadata {
		if w, ok := b.Metadata[k]; !ok || v != w {
			return false
		}
	}
	for i := range a.Tensors {
		x, y := &a.Tensors[i], &b.Tensors[i]
		if x.Name != y.Name || x.DType != y.DType || len(x.Shape) != len(y.Shape) ||
			len(x.F32) != len(y.F32) || len(x.F64) != len(y.F64) || len(x.I64) != len(y.I64) || len(x.U8) != len(y.U8) {
			return false
		}
		for j := range x.Shape {
			if x.Shape[j] != y.Shape[j] {
				return false
			}
		}
		for j := range x.F32 {
			if math.Float32bits(x.F32[j]) != math.Float32bits(y.F32[j]) {
				return false
			}
		}
		for j := range x.F64 {
			if math.Float64bits(x.F64[j]) != math.Float64bits(y.F64[j]) {
				return false
			}
		}
		if !slices.Equal(x.I64, y.I64) || !bytes.Equal(x.U8, y.U8) {
			return false
		}
	}
	return true
}

// TestHandComputedFile checks Write against bytes worked out by hand from the spec.
func TestHandComputedFile(t *testing.T) {
	var f File
	f.AddF32("a", []int{2}, []float32{1, 2})
	header := `{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}` // 54 bytes
	header += "  "                                                     // padded to 56: 8+56 = 64 = 8·8
	want := rawFile(header, []byte{
		0x00, 0x00, 0x80, 0x3f, // 1.0f: sign 0, exponent 127, mantissa 0, little-endian
		0x00, 0x00, 0x00, 0x40, // 2.0f: exponent 128
	})
	if want[0] != 56 {
		t.Fatalf("test is wrong: header size %d", want[0])
	}
	got := writeBytes(t, &f)
	if !bytes.Equal(got, want) {
		t.Fatalf("Write gave\n%q\nwant\n%q", got, want)
	}
	back, err := readBytes(want)
	if err != nil {
		t.Fatal(err)
	}
	if !sameFile(back, &f) {
		t.Fatalf("Read gave %+v, want %+v", back, f)
	}
}

// TestForeignLayout reads a file as another writer might lay it out: whitespace in the
// header, metadata last, tensors listed out of data order, no padding.
func TestForeignLayout(t *testing.T) {
	header := "{ \"b\" : {\"shape\": [], \"data_offsets\": [2, 10], \"dtype\": \"I64\"},\n" +
		"  \"a\\u00e9\": {\"dtype\": \"U8\", \"data_offsets\": [0, 2], \"shape\": [2, 1]},\n" +
		"  \"empty\": {\"dtype\": \"F64\", \"data_offsets\": [10, 10], \"shape\": [0, 3]},\n" +
		"  \"__metadata__\": {\"format\": \"pt\", \"note\": \"line\\nbreak\"} }\n\t"
	data := []byte{7, 9, 0xfe, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff} // U8 7, 9; I64 -2
	f, err := readBytes(rawFile(header, data))
	if err != nil {
		t.Fatal(err)
	}
	want := &File{Metadata: map[string]string{"format": "pt", "note": "line\nbreak"}}
	want.AddU8("aé", []int{2, 1}, []uint8{7, 9})
	want.AddI64("b", nil, []int64{-2})
	want.AddF64("empty", []int{0, 3}, nil)
	if !sameFile(f, want) {
		t.Fatalf("Read gave %+v, want %+v", f, want)
	}
}

// sample builds a file with every dtype, a scalar, an empty tensor, special values and a
// tensor larger than the chunk size.
func sample() *File {
	f := &File{Metadata: map[string]string{
		"config":  `{"layers": [784, 392], "lr": 1e-3}`,
		"epoch":   "3",
		"unicode": "α→β \u2028 \"quoted\" \\ <html>",
	}}
	big := make([]float32, 3*chunkSize/4+3)
	for i := range big {
		big[i] = float32(i)*0.25 - 7
	}
	f.AddF32("E1.weight", []int{len(big) / 3, 3}, big)
	f.AddF32("fb.D1->E1.weight", []int{2, 3}, []float32{
		float32(math.Inf(1)), float32(math.Inf(-1)), float32(math.Copysign(0, -1)),
		math.Float32frombits(0x7fc00001), math.SmallestNonzeroFloat32, math.MaxFloat32})
	f.AddF32("scalar", nil, []float32{0.5})
	f.AddF32("empty", []int{0, 4}, []float32{})
	f.AddF64("f64", []int{3}, []float64{math.Pi, -math.MaxFloat64, math.Float64frombits(0x7ff8000000000abc)})
	f.AddI64("step", []int{4}, []int64{math.MinInt64, -1, 0, math.MaxInt64})
	rng := make([]uint8, 256)
	for i := range rng {
		rng[i] = uint8(i)
	}
	f.AddU8("rng", []int{256}, rng)
	return f
}

func TestRoundTrip(t *testing.T) {
	f := sample()
	b := writeBytes(t, f)
	back, err := readBytes(b)
	if err != nil {
		t.Fatal(err)
	}
	if !sameFile(back, f) {
		t.Fatal("the file read back differs from the one written")
	}
	// Layout: header padded to a multiple of 8, the data buffer follows it exactly.
	n := binary.LittleEndian.Uint64(b)
	if n%8 != 0 || b[8] != '{' {
		t.Errorf("header size %d is not a multiple of 8, or the header does not start with '{'", n)
	}
	var dataLen int
	for _, tn := range f.Tensors {
		dataLen += len(tn.F32)*4 + len(tn.F64)*8 + len(tn.I64)*8 + len(tn.U8)
	}
	if len(b) != 8+int(n)+dataLen {
		t.Errorf("file is %d bytes, want 8 + %d + %d", len(b), n, dataLen)
	}
}

func TestDeterministic(t *testing.T) {
	a := writeBytes(t, sample())
	// The same content with its metadata map filled in another order.
	f := sample()
	f.Metadata = map[string]string{}
	for _, k := range []string{"unicode", "epoch", "config"} {
		f.Metadata[k] = sample().Metadata[k]
	}
	if b := writeBytes(t, f); !bytes.Equal(a, b) {
		t.Fatal("two writes of the same content differ")
	}
	back, err := readBytes(a)
	if err != nil {
		t.Fatal(err)
	}
	if b := writeBytes(t, back); !bytes.Equal(a, b) {
		t.Fatal("writing what was read gives other bytes")
	}
}

func TestEmptyFile(t *testing.T) {
	b := writeBytes(t, &File{})
	if want := rawFile("{}      ", nil); !bytes.Equal(b, want) {
		t.Fatalf("empty file is %q, want %q", b, want)
	}
	f, err := readBytes(b)
	if err != nil || len(f.Tensors) != 0 || f.Metadata == nil {
		t.Fatalf("Read = %+v, %v; want no tensors and an empty, non-nil Metadata", f, err)
	}
}

func TestWriteRejects(t *testing.T) {
	cases := []struct {
		name string
		f    File
		want string
	}{
		{"duplicate", File{Tensors: []Tensor{{Name: "w", DType: U8, U8: []uint8{1}}, {Name: "w", DType: U8, U8: []uint8{2}}}}, "two tensors named w"},
		{"reserved", File{Tensors: []Tensor{{Name: "__metadata__", DType: U8, U8: []uint8{1}}}}, "reserved"},
		{"bad UTF-8 name", File{Tensors: []Tensor{{Name: "\xff", DType: U8, U8: []uint8{1}}}}, "UTF-8"},
		{"bad UTF-8 metadata", File{Metadata: map[string]string{"k": "\xc3"}}, "UTF-8"},
		{"length", File{Tensors: []Tensor{{Name: "w", DType: F32, Shape: []int{2, 2}, F32: make([]float32, 3)}}}, "tensor w: shape [2 2] holds 4 elements, F32 data has 3"},
		{"other slice", File{Tensors: []Tensor{{Name: "w", DType: F32, F32: []float32{1}, U8: []uint8{1}}}}, "tensor w has dtype F32 but 1 U8 elements"},
		{"dtype", File{Tensors: []Tensor{{Name: "w", DType: "F16", U8: []uint8{1, 2}}}}, `unsupported dtype "F16"`},
		{"no dtype", File{Tensors: []Tensor{{Name: "w"}}}, `unsupported dtype ""`},
		{"negative", File{Tensors: []Tensor{{Name: "w", DType: U8, Shape: []int{-1}}}}, "negative dimension"},
		{"overflow", File{Tensors: []Tensor{{Name: "w", DType: U8, Shape: []int{1 << 40, 1 << 40}}}}, "too many elements"},
	}
	for _, c := range cases {
		var buf bytes.Buffer
		err := Write(&buf, &c.f)
		if err == nil || !strings.HasPrefix(err.Error(), "checkpoint: ") || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: err = %v, want one containing %q", c.name, err, c.want)
		}
		if buf.Len() != 0 {
			t.Errorf("%s: Write wrote %d bytes before failing", c.name, buf.Len())
		}
	}
}

func TestAddPanicsOnMismatch(t *testing.T) {
	for _, add := range []func(*File){
		func(f *File) { f.AddF32("w", []int{2, 3}, make([]float32, 5)) },
		func(f *File) { f.AddU8("w", []int{-1}, nil) },
		func(f *File) { f.AddI64("w", nil, nil) }, // a scalar has one element
	} {
		func() {
			defer func() {
				if recover() == nil {
					t.Error("no panic")
				}
			}()
			add(&File{})
		}()
	}
}

func TestAddCopiesShape(t *testing.T) {
	var f File
	shape := []int{1, 2}
	f.AddF32("w", shape, []float32{1, 2})
	shape[0] = 9
	if _, err := f.F32("w", 1, 2); err != nil {
		t.Fatal(err)
	}
}

func TestAccessors(t *testing.T) {
	f := &File{}
	f.AddF32("E1.weight", []int{392, 784}, make([]float32, 392*784))
	f.AddF32("scalar", nil, []float32{3})
	f.AddU8("rng", []int{3}, []uint8{1, 2, 3})
	f.AddI64("step", nil, []int64{12})
	f.AddF64("d", []int{1}, []float64{2})

	if w, err := f.F32("E1.weight", 392, 784); err != nil || len(w) != 392*784 {
		t.Errorf("F32 = %d values, %v", len(w), err)
	}
	if s, err := f.F32("scalar"); err != nil || s[0] != 3 {
		t.Errorf("F32(scalar) = %v, %v", s, err)
	}
	if b, err := f.U8("rng", 3); err != nil || b[2] != 3 {
		t.Errorf("U8 = %v, %v", b, err)
	}
	if s, err := f.I64("step"); err != nil || s[0] != 12 {
		t.Errorf("I64 = %v, %v", s, err)
	}
	if d, err := f.F64("d", 1); err != nil || d[0] != 2 {
		t.Errorf("F64 = %v, %v", d, err)
	}
	for _, c := range []struct {
		err  error
		want string
	}{
		{second(f.F32("E1.weight", 196, 784)), "checkpoint: tensor E1.weight has shape [392 784], model wants [196 784]"},
		{second(f.F32("scalar", 1)), "checkpoint: tensor scalar has shape [], model wants [1]"},
		{second(f.F32("E2.weight", 1)), "checkpoint: no tensor E2.weight"},
		{second(f.F32("rng", 3)), "checkpoint: tensor rng has dtype U8, model wants F32"},
		{second(f.I64("rng", 3)), "checkpoint: tensor rng has dtype U8, model wants I64"},
	} {
		if c.err == nil || c.err.Error() != c.want {
			t.Errorf("err = %v, want %q", c.err, c.want)
		}
	}
	// A tensor edited by hand into an inconsistent state is reported, not returned.
	tn, _ := f.Get("rng")
	tn.U8 = tn.U8[:2]
	if _, err := f.U8("rng", 3); err == nil || !strings.Contains(err.Error(), "holds 3 elements, U8 data has 2") {
		t.Errorf("err = %v", err)
	}
}

func second[T any](_ T, err error) error { return err }

func TestSaveLoad(t *testing.T) {
	path := filepath.Join(t.TempDir(), "model.safetensors")
	if err := Save(path, sample()); err != nil {
		t.Fatal(err)
	}
	f, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	if !sameFile(f, sample()) {
		t.Fatal("loaded file differs from the saved one")
	}
	// A failing save leaves the previous file in place.
	bad := &File{Tensors: []Tensor{{Name: "w", DType: F32, Shape: []int{2}}}}
	if err := Save(path, bad); err == nil || !strings.Contains(err.Error(), path) {
		t.Fatalf("err = %v, want one naming %s", err, path)
	}
	if f, err := Load(path); err != nil || !sameFile(f, sample()) {
		t.Fatalf("after a failed save: %v", err)
	}
}

func TestLoadErrors(t *testing.T) {
	dir := t.TempDir()
	missing := filepath.Join(dir, "missing")
	if _, err := Load(missing); err == nil || !strings.Contains(err.Error(), missing) {
		t.Errorf("err = %v, want one naming %s", err, missing)
	}
	if _, err := Load(dir); err == nil || !strings.Contains(err.Error(), "not a regular file") {
		t.Errorf("err = %v, want not a regular file", err)
	}
	bad := filepath.Join(dir, "bad")
	if err := os.WriteFile(bad, rawFile("{}", []byte{1}), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err := Load(bad)
	if want := "checkpoint: " + bad + ": bytes [0, 1) of the data buffer belong to no tensor"; err == nil || err.Error() != want {
		t.Errorf("err = %v, want %q", err, want)
	}
}

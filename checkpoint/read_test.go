package checkpoint

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"
)

// entryJSON is one tensor's header entry.
func entryJSON(name, dtype, shape, offsets string) string {
	return `"` + name + `":{"dtype":"` + dtype + `","shape":` + shape + `,"data_offsets":` + offsets + `}`
}

// badFile is a malformed file and a piece of the error Read must give for it.
type badFile struct {
	name string
	file []byte
	want string
}

func badFiles() []badFile {
	u64 := func(n uint64, rest string) []byte {
		return append(binary.LittleEndian.AppendUint64(nil, n), rest...)
	}
	one := func(dtype, shape, offsets string, data int) []byte {
		return rawFile("{"+entryJSON("w", dtype, shape, offsets)+"}", make([]byte, data))
	}
	two := func(offA, offB string, data int) []byte {
		return rawFile("{"+entryJSON("a", "U8", "[4]", offA)+","+entryJSON("b", "U8", "[4]", offB)+"}", make([]byte, data))
	}
	return []badFile{
		{"empty", nil, "file of 0 bytes is too short"},
		{"short", []byte{1, 0, 0}, "file of 3 bytes is too short"},
		{"header size huge", u64(math64, "{}"), "exceeds the limit"},
		{"header size over limit", u64(MaxHeaderSize+1, "{}"), "exceeds the limit of 100000000 bytes"},
		{"header size past end", u64(3, "{}"), "header size 3 exceeds the 2 bytes that follow it"},
		{"header size zero", u64(0, ""), "does not start with '{'"},
		{"leading space", rawFile(" {}", nil), "does not start with '{'"},
		{"not UTF-8", rawFile("{\"\xff\":{}}", nil), "not valid UTF-8"},
		{"not JSON", rawFile("{nope}", nil), "invalid character"},
		{"truncated JSON", rawFile(`{"w":{"dtype":"U8"`, nil), `tensor "w": unexpected EOF`},
		{"truncated array", rawFile(`{"w":{"shape":[1,`, nil), `tensor "w": unexpected EOF`},
		{"truncated metadata", rawFile(`{"__metadata__":{"a":"b"`, nil), `__metadata__: unexpected EOF`},
		{"truncated top level", rawFile(`{"__metadata__":{}`, nil), `header: unexpected EOF`},
		{"trailing data", rawFile("{} {}", nil), "'{' after the header object"},
		{"trailing garbage", rawFile("{}x", nil), "invalid character 'x'"},
		{"top-level array", rawFile("[1]", nil), "does not start with '{'"},
		{"entry not object", rawFile(`{"w":[1]}`, nil), `tensor "w": want '{', got '['`},
		{"entry null", rawFile(`{"w":null}`, nil), `tensor "w": want '{', got null`},
		{"duplicate tensor", rawFile("{"+entryJSON("w", "U8", "[0]", "[0,0]")+","+entryJSON("w", "U8", "[0]", "[0,0]")+"}", nil), `tensor "w" appears twice`},
		{"duplicate metadata", rawFile(`{"__metadata__":{},"__metadata__":{}}`, nil), "__metadata__ appears twice"},
		{"duplicate metadata key", rawFile(`{"__metadata__":{"a":"1","a":"2"}}`, nil), `key "a" appears twice`},
		{"metadata number", rawFile(`{"__metadata__":{"epoch":3}}`, nil), `key "epoch": want a string, got number 3`},
		{"metadata nested", rawFile(`{"__metadata__":{"cfg":{"a":"b"}}}`, nil), `key "cfg": want a string, got '{'`},
		{"metadata not object", rawFile(`{"__metadata__":"x"}`, nil), `__metadata__: want '{', got string "x"`},
		{"unknown dtype", one("F16", "[2]", "[0,4]", 4), `tensor "w": unsupported dtype "F16"`},
		{"lower-case dtype", one("f32", "[1]", "[0,4]", 4), `unsupported dtype "f32"`},
		{"dtype not string", rawFile(`{"w":{"dtype":4,"shape":[1],"data_offsets":[0,4]}}`, make([]byte, 4)), "dtype: want a string, got number 4"},
		{"duplicate field", rawFile(`{"w":{"dtype":"U8","dtype":"U8","shape":[1],"data_offsets":[0,1]}}`, make([]byte, 1)), "dtype appears twice"},
		{"unknown field", rawFile(`{"w":{"dtype":"U8","shape":[1],"data_offsets":[0,1],"x":1}}`, make([]byte, 1)), `unknown field "x"`},
		{"missing dtype", rawFile(`{"w":{"shape":[1],"data_offsets":[0,1]}}`, make([]byte, 1)), `tensor "w": no dtype`},
		{"missing shape", rawFile(`{"w":{"dtype":"U8","data_offsets":[0,1]}}`, make([]byte, 1)), `tensor "w": no shape`},
		{"missing offsets", rawFile(`{"w":{"dtype":"U8","shape":[1]}}`, make([]byte, 1)), `tensor "w": no data_offsets`},
		{"negative dim", one("U8", "[-1]", "[0,1]", 1), "shape: want an array of non-negative integers, got number -1"},
		{"fractional dim", one("U8", "[1.0]", "[0,1]", 1), "got number 1.0"},
		{"exponent dim", one("U8", "[1e0]", "[0,1]", 1), "got number 1e0"},
		{"string dim", one("U8", `["1"]`, "[0,1]", 1), `got string "1"`},
		{"shape not array", one("U8", "1", "[0,1]", 1), "shape: want an array of non-negative integers, got number 1"},
		{"dim past int", one("U8", "[9223372036854775808]", "[0,1]", 1), "dimension 9223372036854775808 is too large"},
		{"dim past u64", one("U8", "[18446744073709551616]", "[0,1]", 1), "got number 18446744073709551616"},
		{"numel overflow", one("U8", "[4294967296,4294967296]", "[0,1]", 1), "too many elements"},
		{"bytes overflow", one("I64", "[4611686018427387904]", "[0,1]", 1), "hold 1 bytes"},
		{"one offset", one("U8", "[1]", "[1]", 1), "data_offsets: want an array of 2 non-negative integers, got 1"},
		{"three offsets", one("U8", "[1]", "[0,1,1]", 1), "got more"},
		{"negative offset", one("U8", "[1]", "[-1,0]", 1), "got number -1"},
		{"reversed offsets", one("U8", "[0]", "[1,0]", 1), "data_offsets [1, 0] end before they begin"},
		{"offsets out of range", one("U8", "[4]", "[0,4]", 3), "data_offsets [0, 4] reach past the 3-byte data buffer"},
		{"offsets far out of range", one("U8", "[1]", "[18446744073709551614,18446744073709551615]", 1), "reach past"},
		{"dtype/shape mismatch", one("F32", "[2,3]", "[0,20]", 20), "dtype F32 and shape [2 3] need 6 elements of 4 bytes, data_offsets [0, 20] hold 20 bytes"},
		{"scalar mismatch", one("F64", "[]", "[0,4]", 4), "need 1 elements of 8 bytes"},
		{"overlap", two("[0,4]", "[2,6]", 6), `tensor "b": data_offsets [2, 6] overlap tensor "a"`},
		{"same range", two("[0,4]", "[0,4]", 4), "overlap"},
		{"hole at start", one("U8", "[2]", "[1,3]", 3), "bytes [0, 1) of the data buffer belong to no tensor"},
		{"hole between", two("[0,4]", "[5,9]", 9), "bytes [4, 5) of the data buffer belong to no tensor"},
		{"trailing bytes", one("U8", "[2]", "[0,2]", 5), "bytes [2, 5) of the data buffer belong to no tensor"},
		{"data without tensors", rawFile(`{"__metadata__":{"a":"b"}}`, []byte{0}), "bytes [0, 1) of the data buffer belong to no tensor"},
		{"empty inside another", rawFile("{"+entryJSON("a", "U8", "[4]", "[0,4]")+","+entryJSON("e", "U8", "[0]", "[2,2]")+"}", make([]byte, 4)), `tensor "e": data_offsets [2, 2] overlap tensor "a"`},
	}
}

const math64 = ^uint64(0)

func TestReadRejects(t *testing.T) {
	for _, c := range badFiles() {
		f, err := readBytes(c.file)
		if err == nil {
			t.Errorf("%s: Read accepted it: %+v", c.name, f)
			continue
		}
		t.Logf("%-28s %v", c.name, err)
		if !strings.HasPrefix(err.Error(), "checkpoint: ") || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: err = %v\n\twant one containing %q", c.name, err, c.want)
		}
	}
}

// TestReadAcceptsEdgeCases pins down what the spec allows and Read must therefore accept.
func TestReadAcceptsEdgeCases(t *testing.T) {
	for _, c := range []struct {
		name   string
		file   []byte
		shapes string
	}{
		{"no tensors", rawFile("{}", nil), ""},
		{"zero-size tensors share an offset", rawFile("{"+entryJSON("b", "F32", "[0]", "[0,0]")+","+entryJSON("a", "I64", "[3,0]", "[0,0]")+"}", nil), "a[3 0] b[0]"},
		{"zero-size at the end", rawFile("{"+entryJSON("x", "U8", "[1]", "[0,1]")+","+entryJSON("e", "U8", "[0]", "[1,1]")+"}", []byte{5}), "x[1] e[0]"},
		{"large zero-size shape", rawFile("{"+entryJSON("z", "F64", "[0,9223372036854775807]", "[0,0]")+"}", nil), "z[0 9223372036854775807]"},
		{"padding and empty metadata", rawFile(`{"__metadata__":{}}`+"   \t\n", nil), ""},
	} {
		f, err := readBytes(c.file)
		if err != nil {
			t.Errorf("%s: %v", c.name, err)
			continue
		}
		var got []string
		for _, tn := range f.Tensors {
			got = append(got, tn.Name+fmt.Sprint(tn.Shape))
		}
		if strings.Join(got, " ") != c.shapes {
			t.Errorf("%s: tensors %q, want %q", c.name, got, c.shapes)
		}
	}
}

// TestReadShortFile claims more bytes than the reader has, as a caller with a wrong size
// would: Read must fail before it allocates for the absent data.
func TestReadShortFile(t *testing.T) {
	b := rawFile("{"+entryJSON("w", "U8", "[1000000]", "[0,1000000]")+"}", nil)
	_, err := Read(bytes.NewReader(b), int64(len(b))+1_000_000)
	if err == nil || !strings.Contains(err.Error(), "file shorter than its stated") || !errors.Is(err, io.ErrUnexpectedEOF) {
		t.Fatalf("err = %v, want a short-file error", err)
	}
}

// failingReader fails every read past a point, as a broken disk would.
type failingReader struct {
	b    []byte
	fail int64
}

var errDisk = errors.New("disk error")

func (r failingReader) ReadAt(p []byte, off int64) (int, error) {
	if off+int64(len(p)) > r.fail {
		return 0, errDisk
	}
	return copy(p, r.b[off:]), nil
}

func TestReadIOErrors(t *testing.T) {
	b := writeBytes(t, sample())
	for _, fail := range []int64{4, 20, int64(len(b)) - 1000, int64(len(b)) - 1} {
		_, err := Read(failingReader{b, fail}, int64(len(b)))
		if !errors.Is(err, errDisk) {
			t.Errorf("failing at %d: err = %v, want the disk error", fail, err)
		}
	}
}

package data

import (
	"bytes"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func TestReadIDXGood(t *testing.T) {
	raw := idxBytes(0x08, []uint32{2, 3, 4}, synthImages(2, 3, 4))
	for name, b := range map[string][]byte{"plain": raw, "gzip": gzipBytes(t, raw)} {
		dims, vals, err := ReadIDX(bytes.NewReader(b))
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if !slices.Equal(dims, []int{2, 3, 4}) || !bytes.Equal(vals, synthImages(2, 3, 4)) {
			t.Errorf("%s: dims %v, values %v", name, dims, vals)
		}
		if cap(vals) != len(vals) {
			t.Errorf("%s: %d bytes of spare capacity", name, cap(vals)-len(vals))
		}
	}
	// A gzip file of two members is one stream (RFC 1952 §2.2).
	two := append(gzipBytes(t, raw[:10]), gzipBytes(t, raw[10:])...)
	if _, vals, err := ReadIDX(bytes.NewReader(two)); err != nil || !bytes.Equal(vals, synthImages(2, 3, 4)) {
		t.Errorf("two gzip members: %v", err)
	}
	// Zero-length dimensions are a valid, empty array.
	if dims, vals, err := ReadIDX(bytes.NewReader(idxBytes(0x08, []uint32{0, 28, 28}, nil))); err != nil || len(vals) != 0 || dims[0] != 0 {
		t.Errorf("empty array: %v %v %v", dims, vals, err)
	}
}

func TestReadIDXBad(t *testing.T) {
	good := idxBytes(0x08, []uint32{2, 3, 4}, synthImages(2, 3, 4))
	gz := gzipBytes(t, good)
	// A gzip header (RFC 1952 §2.3) followed by a deflate block of the reserved type 11
	// (RFC 1951 §3.2.3): BFINAL = 1, BTYPE = 11 is the byte 0b111.
	corrupt := append(slices.Clone(gz[:10]), 0x07, 0, 0, 0)
	badCRC := slices.Clone(gz)
	badCRC[len(badCRC)-8] ^= 0x01 // the CRC-32 is the trailer's first 4 bytes (RFC 1952 §2.3.1)
	for _, tc := range []struct {
		name string
		in   []byte
		want string
	}{
		{"empty", nil, "empty file"},
		{"short magic", []byte{0, 0}, "truncated"},
		{"wrong magic", append([]byte{1, 0}, good[2:]...), "bad magic 01 00 08 03"},
		{"text", []byte("hello world"), "neither IDX"},
		{"gzipped text", gzipBytes(t, []byte("hello world")), "gunzipped data is neither IDX"},
		{"float type", idxBytes(0x0D, []uint32{2}, make([]byte, 8)), "unsupported IDX element type 0x0d (float32)"},
		{"unknown type", idxBytes(0x42, []uint32{2}, make([]byte, 2)), "0x42 (unknown)"},
		{"no dims", idxBytes(0x08, nil, nil), "0 dimensions"},
		{"too many dims", idxBytes(0x08, make([]uint32, 17), nil), "17 dimensions"},
		{"truncated dims", good[:9], "truncated: 5 of 12 dimension bytes"},
		{"truncated data", good[:len(good)-1], "truncated: 23 of 24 data bytes"},
		{"trailing garbage", append(slices.Clone(good), 0), "trailing garbage after the 24 data bytes"},
		{"absurd dims", idxBytes(0x08, []uint32{1 << 31, 28, 28}, nil), "absurd IDX dimensions"},
		{"absurd product", idxBytes(0x08, []uint32{1 << 16, 1 << 16}, nil), "absurd IDX dimensions [65536 65536]"},
		{"truncated gzip", gz[:len(gz)-4], "truncated: the gzip stream ends before its trailer"},
		{"truncated gzip data", gz[:len(gz)/2], "truncated"},
		{"not gzip after", append(slices.Clone(gz), 0x1f), "bytes after the end of the gzip stream are not gzip"},
		{"second member broken", append(slices.Clone(gz), 0x1f, 0x8b, 1), "corrupt gzip"},
		{"corrupt gzip", corrupt, "corrupt gzip"},
		{"gzip checksum", badCRC, "corrupt gzip stream: gzip: invalid checksum"},
		{"gzip header", []byte{0x1f, 0x8b, 9}, "corrupt gzip header"},
		{"after gzip", append(slices.Clone(gz), "junk"...), "bytes after the end of the gzip stream"},
		{"garbage in gzip", gzipBytes(t, append(slices.Clone(good), 1, 2)), "trailing garbage"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, _, err := ReadIDX(bytes.NewReader(tc.in))
			wantErr(t, err, "data: IDX: ", tc.want)
		})
	}
}

// A 20-byte file that claims 2^29 one-byte elements, plain or gzipped, must fail without
// allocating for them.
func TestReadIDXAllocatesForTheInputOnly(t *testing.T) {
	claim := idxBytes(0x08, []uint32{1 << 13, 1 << 8, 1 << 8}, []byte("12345678"))
	dir := t.TempDir()
	for name, b := range map[string][]byte{"plain": claim, "gzip": gzipBytes(t, claim)} {
		p := filepath.Join(dir, name)
		writeFile(t, p, b)
		var err error
		got := allocatedDuring(func() {
			_, _, err = ReadIDXFile(p)
			_, _, err2 := ReadIDX(bytes.NewReader(b))
			wantErr(t, err2, "truncated")
		})
		wantErr(t, err, p, "8 of 536870912 data bytes")
		if got > 8<<20 {
			t.Errorf("%s: allocated %d bytes for a %d-byte input", name, got, len(b))
		}
	}
	// Nor may 2^31 images of 28×28, which is over the element limit.
	b := idxBytes(0x08, []uint32{1 << 31, 28, 28}, []byte("x"))
	if got := allocatedDuring(func() { ReadIDX(bytes.NewReader(b)) }); got > 1<<20 {
		t.Errorf("absurd dimensions: allocated %d bytes", got)
	}
}

func TestLoadIDXDir(t *testing.T) {
	for _, gz := range []bool{true, false} {
		dir := t.TempDir()
		writeIDXDir(t, dir, gz)
		train, test, err := LoadIDXDir(dir, "toy", 10)
		if err != nil {
			t.Fatalf("gz=%v: %v", gz, err)
		}
		if train.Name != "toy/train" || test.Name != "toy/test" {
			t.Errorf("names %q, %q", train.Name, test.Name)
		}
		if train.N != 5 || test.N != 3 || train.H != 4 || train.W != 3 || train.C != 1 || train.Classes != 10 {
			t.Errorf("train %+v", *train.Head(0))
		}
		if !bytes.Equal(train.Pixels, synthImages(5, 4, 3)) || !bytes.Equal(test.Labels, synthLabels(3, 10)) {
			t.Error("pixels or labels differ from what was written")
		}
		if err := train.Validate(); err != nil {
			t.Error(err)
		}
	}
}

func TestLoadIDXDirBad(t *testing.T) {
	for _, tc := range []struct {
		name  string
		edit  func(dir string)
		file  string // the file the error must name
		want  string
		class int
	}{
		{"missing labels", func(dir string) { os.Remove(filepath.Join(dir, testLabelsIDX)) },
			testLabelsIDX, "neither t10k-labels-idx1-ubyte.gz nor t10k-labels-idx1-ubyte", 10},
		{"count mismatch", func(dir string) {
			writeFile(t, filepath.Join(dir, trainLabelsIDX), idxBytes(0x08, []uint32{4}, synthLabels(4, 10)))
		}, trainLabelsIDX, "holds 4 labels but", 10},
		{"label out of range", func(dir string) {
			writeFile(t, filepath.Join(dir, testLabelsIDX), idxBytes(0x08, []uint32{3}, []byte{0, 10, 1}))
		}, testLabelsIDX, "label 10 at index 1, want < 10 classes", 10},
		{"labels are 2-d", func(dir string) {
			writeFile(t, filepath.Join(dir, trainLabelsIDX), idxBytes(0x08, []uint32{5, 1}, synthLabels(5, 10)))
		}, trainLabelsIDX, "label dimensions [5 1]", 10},
		{"images are 2-d", func(dir string) {
			writeFile(t, filepath.Join(dir, trainImagesIDX), idxBytes(0x08, []uint32{5, 12}, synthImages(5, 4, 3)))
		}, trainImagesIDX, "image dimensions [5 12]", 10},
		{"no images", func(dir string) {
			writeFile(t, filepath.Join(dir, trainImagesIDX), idxBytes(0x08, []uint32{0, 4, 3}, nil))
		}, trainImagesIDX, "hold no images", 10},
		{"test size differs", func(dir string) {
			writeFile(t, filepath.Join(dir, testImagesIDX), idxBytes(0x08, []uint32{3, 3, 4}, synthImages(3, 4, 3)))
		}, "", "training images are 4×3×1 but test images 3×4×1", 10},
		{"truncated", func(dir string) {
			b := idxBytes(0x08, []uint32{5, 4, 3}, synthImages(5, 4, 3))
			writeFile(t, filepath.Join(dir, trainImagesIDX), b[:len(b)-3])
		}, trainImagesIDX, "truncated", 10},
		{"not gzip", func(dir string) {
			os.Remove(filepath.Join(dir, testImagesIDX))
			writeFile(t, filepath.Join(dir, testImagesIDX+".gz"), []byte("<html>404 Not Found</html>"))
		}, testImagesIDX + ".gz", "neither IDX (00 00 type ndims) nor gzip (1f 8b)", 10},
		{"classes", func(string) {}, "", "300 classes", 300},
		{"few classes", func(string) {}, trainLabelsIDX, "want < 2 classes", 2},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			writeIDXDir(t, dir, false)
			tc.edit(dir)
			_, _, err := LoadIDXDir(dir, "toy", tc.class)
			wantErr(t, err, "data: ", tc.want, tc.file)
		})
	}
}

func TestFindIDXPrefersGzip(t *testing.T) {
	dir := t.TempDir()
	writeIDXDir(t, dir, true)
	// A plain file beside the gzipped one is ignored, even when it is broken.
	writeFile(t, filepath.Join(dir, trainImagesIDX), []byte("broken"))
	if _, _, err := LoadIDXDir(dir, "toy", 10); err != nil {
		t.Fatal(err)
	}
	if p, _ := findIDX(dir, trainImagesIDX); !strings.HasSuffix(p, ".gz") {
		t.Errorf("findIDX = %s", p)
	}
}

// readExact grows its buffer as data arrives when the hint is smaller than the claim, and
// ends with exactly the bytes asked for and no spare capacity.
func TestReadExactGrows(t *testing.T) {
	want := synthImages(10, 100, 10) // 10 000 bytes
	got, n, err := readExact(bytes.NewReader(append(slices.Clone(want), 1, 2, 3)), len(want), 1)
	if err != nil || n != len(want) || !bytes.Equal(got, want) || cap(got) != len(want) {
		t.Fatalf("readExact: %d bytes (cap %d), %v", n, cap(got), err)
	}
	_, n, err = readExact(bytes.NewReader(want), 20000, 1)
	if n != len(want) || err == nil {
		t.Fatalf("short input: n = %d, err = %v", n, err)
	}
}

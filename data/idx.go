package data

// The IDX format, as described with the MNIST database (LeCun, Cortes, Burges, "The MNIST
// database of handwritten digits", section "The IDX file format",
// http://yann.lecun.com/exdb/mnist/):
//
//	byte 0, 1   0x00 0x00
//	byte 2      element type: 0x08 unsigned byte, 0x09 signed byte, 0x0B int16,
//	            0x0C int32, 0x0D float32, 0x0E float64
//	byte 3      number of dimensions
//	4 bytes     each dimension, big-endian (MSB first) unsigned 32-bit
//	then        the elements, row-major (last index fastest)
//
// Image files are (N, rows, cols), label files (N). Only unsigned bytes are read here.

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
)

// maxIDXDims bounds the number of dimensions: the format allows 255, data sets use 1 to 4.
const maxIDXDims = 16

var idxTypeNames = map[byte]string{
	0x08: "unsigned byte", 0x09: "signed byte", 0x0B: "int16",
	0x0C: "int32", 0x0D: "float32", 0x0E: "float64",
}

// ReadIDX reads an IDX file of unsigned bytes, gzipped or plain (told apart by the gzip magic
// bytes), and returns its dimensions and elements. The whole input must be one IDX file:
// trailing bytes are an error. At most 2^30 elements are accepted, and memory is allocated as
// the data arrives, so a short input that declares huge dimensions fails without allocating
// for them.
func ReadIDX(r io.Reader) (dims []int, values []uint8, err error) {
	dims, values, err = readIDX(r, -1)
	if err != nil {
		return nil, nil, fmt.Errorf("data: IDX: %w", err)
	}
	return dims, values, nil
}

// ReadIDXFile is ReadIDX on a file; errors name the file.
func ReadIDXFile(path string) (dims []int, values []uint8, err error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, nil, fmt.Errorf("data: %w", err)
	}
	defer f.Close()
	size := int64(-1)
	if st, err := f.Stat(); err == nil && st.Mode().IsRegular() {
		size = st.Size()
	}
	dims, values, err = readIDX(f, size)
	if err != nil {
		return nil, nil, fmt.Errorf("data: %s: %w", path, err)
	}
	return dims, values, nil
}

// readIDX does the work of ReadIDX; size is the raw input's length or -1. Its errors carry no
// prefix: the callers add the file name.
func readIDX(r io.Reader, size int64) ([]int, []uint8, error) {
	d, err := decode(bufio.NewReaderSize(r, 64<<10), size)
	if err != nil {
		return nil, nil, err
	}
	var head [4]byte
	if n, err := io.ReadFull(d.r, head[:]); err != nil {
		if n == 0 && d.gz == nil && errors.Is(err, io.EOF) {
			return nil, nil, errors.New("empty file")
		}
		if d.gz != nil && !errors.Is(err, io.EOF) && !errors.Is(err, io.ErrUnexpectedEOF) {
			return nil, nil, fmt.Errorf("corrupt gzip stream: %v", err)
		}
		return nil, nil, fmt.Errorf("truncated: %d bytes, shorter than the 4-byte IDX header", n)
	}
	if head[0] != 0 || head[1] != 0 {
		what := "file"
		if d.gz != nil {
			what = "gunzipped data"
		}
		return nil, nil, fmt.Errorf("bad magic % x: %s is neither IDX (00 00 type ndims) nor gzip (1f 8b)", head, what)
	}
	if head[2] != 0x08 {
		name, ok := idxTypeNames[head[2]]
		if !ok {
			name = "unknown"
		}
		return nil, nil, fmt.Errorf("unsupported IDX element type 0x%02x (%s); only unsigned byte 0x08 is read", head[2], name)
	}
	nd := int(head[3])
	if nd < 1 || nd > maxIDXDims {
		return nil, nil, fmt.Errorf("absurd IDX header: %d dimensions, want 1…%d", nd, maxIDXDims)
	}
	raw := make([]byte, 4*nd)
	if n, err := io.ReadFull(d.r, raw); err != nil {
		return nil, nil, d.streamErr(err, int64(n), int64(len(raw)), "dimension bytes")
	}
	raw32 := make([]uint32, nd)
	count := int64(1)
	for i := range raw32 {
		raw32[i] = binary.BigEndian.Uint32(raw[4*i:])
		count *= int64(raw32[i]) // ≤ 2^30 · 2^32: no overflow
		// Checking each dimension too keeps it a non-negative int on 32-bit platforms.
		if raw32[i] > maxBytes || count > maxBytes {
			return nil, nil, fmt.Errorf("absurd IDX dimensions %v: over the limit of %d elements", raw32[:i+1], maxBytes)
		}
	}
	dims := make([]int, nd)
	for i, v := range raw32 {
		dims[i] = int(v)
	}
	values, got, err := readExact(d.r, int(count), d.hint)
	if err != nil {
		return nil, nil, d.streamErr(err, int64(got), count, "data bytes")
	}
	if err := d.expectEOF(count); err != nil {
		return nil, nil, err
	}
	return dims, values, nil
}

// IDX file names of the MNIST layout, shared by MNIST and Fashion-MNIST; each may be gzipped
// (name + ".gz") or plain.
const (
	trainImagesIDX = "train-images-idx3-ubyte"
	trainLabelsIDX = "train-labels-idx1-ubyte"
	testImagesIDX  = "t10k-images-idx3-ubyte"
	testLabelsIDX  = "t10k-labels-idx1-ubyte"
)

// LoadIDXDir reads the four MNIST-layout IDX files in dir (train-images-idx3-ubyte,
// train-labels-idx1-ubyte, t10k-images-idx3-ubyte, t10k-labels-idx1-ubyte, each with or
// without .gz; the gzipped one wins when both exist). Image files have dimensions
// (N, rows, cols), or (N, rows, cols, channels). Label files have dimension (N) and every label
// must be below classes (1…256). The datasets are called name+"/train" and name+"/test"
// and have no class names.
func LoadIDXDir(dir, name string, classes int) (train, test *Dataset, err error) {
	if classes < 1 || classes > 256 {
		return nil, nil, fmt.Errorf("data: %s: %d classes, want 1…256 (labels are bytes)", name, classes)
	}
	train, err = loadIDXPair(dir, name+"/train", trainImagesIDX, trainLabelsIDX, classes)
	if err != nil {
		return nil, nil, err
	}
	test, err = loadIDXPair(dir, name+"/test", testImagesIDX, testLabelsIDX, classes)
	if err != nil {
		return nil, nil, err
	}
	if train.H != test.H || train.W != test.W || train.C != test.C {
		return nil, nil, fmt.Errorf("data: %s: training images are %d×%d×%d but test images %d×%d×%d",
			dir, train.H, train.W, train.C, test.H, test.W, test.C)
	}
	return train, test, nil
}

// findIDX returns dir/base.gz or else dir/base, whichever exists first.
func findIDX(dir, base string) (string, error) {
	for _, p := range []string{filepath.Join(dir, base+".gz"), filepath.Join(dir, base)} {
		st, err := os.Stat(p)
		if err == nil && !st.IsDir() {
			return p, nil
		}
		if err != nil && !errors.Is(err, fs.ErrNotExist) {
			return "", fmt.Errorf("data: %w", err)
		}
	}
	return "", fmt.Errorf("data: neither %s.gz nor %s is in %s", base, base, dir)
}

func loadIDXPair(dir, name, imagesBase, labelsBase string, classes int) (*Dataset, error) {
	ipath, err := findIDX(dir, imagesBase)
	if err != nil {
		return nil, err
	}
	lpath, err := findIDX(dir, labelsBase)
	if err != nil {
		return nil, err
	}
	idims, pixels, err := ReadIDXFile(ipath)
	if err != nil {
		return nil, err
	}
	if len(idims) != 3 && len(idims) != 4 {
		return nil, fmt.Errorf("data: %s: image dimensions %v, want (N, rows, cols) or (N, rows, cols, channels)", ipath, idims)
	}
	ds := &Dataset{Name: name, Pixels: pixels, N: idims[0], H: idims[1], W: idims[2], C: 1, Classes: classes}
	if len(idims) == 4 {
		ds.C = idims[3]
	}
	if ds.N == 0 || ds.H == 0 || ds.W == 0 || ds.C == 0 {
		return nil, fmt.Errorf("data: %s: image dimensions %v hold no images", ipath, idims)
	}
	ldims, labels, err := ReadIDXFile(lpath)
	if err != nil {
		return nil, err
	}
	if len(ldims) != 1 {
		return nil, fmt.Errorf("data: %s: label dimensions %v, want (N)", lpath, ldims)
	}
	if ldims[0] != ds.N {
		return nil, fmt.Errorf("data: %s holds %d labels but %s holds %d images", lpath, ldims[0], ipath, ds.N)
	}
	for i, l := range labels {
		if int(l) >= classes {
			return nil, fmt.Errorf("data: %s: label %d at index %d, want < %d classes", lpath, l, i, classes)
		}
	}
	ds.Labels = labels
	if err := ds.Validate(); err != nil { // cannot fail after the checks above; kept as a guard
		return nil, err
	}
	return ds, nil
}

package data

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"encoding/binary"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// idxBytes builds an IDX file by hand, following the layout in idx.go: two zero bytes, the
// type code, the number of dimensions, big-endian dimensions, then the data.
func idxBytes(typ byte, dims []uint32, payload []byte) []byte {
	b := []byte{0, 0, typ, byte(len(dims))}
	for _, d := range dims {
		b = binary.BigEndian.AppendUint32(b, d)
	}
	return append(b, payload...)
}

func gzipBytes(t testing.TB, b []byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	if _, err := zw.Write(b); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// synthImages returns n images of h×w bytes with pixel (i, y, x) = (7i + 3y + x) mod 256.
func synthImages(n, h, w int) []byte {
	b := make([]byte, 0, n*h*w)
	for i := range n {
		for y := range h {
			for x := range w {
				b = append(b, byte(7*i+3*y+x))
			}
		}
	}
	return b
}

func synthLabels(n, classes int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte((3*i + 1) % classes)
	}
	return b
}

// writeIDXDir writes a small MNIST-layout folder: 5 training and 3 test images of 4×3.
func writeIDXDir(t testing.TB, dir string, gz bool) {
	t.Helper()
	files := map[string][]byte{
		trainImagesIDX: idxBytes(0x08, []uint32{5, 4, 3}, synthImages(5, 4, 3)),
		trainLabelsIDX: idxBytes(0x08, []uint32{5}, synthLabels(5, 10)),
		testImagesIDX:  idxBytes(0x08, []uint32{3, 4, 3}, synthImages(3, 4, 3)),
		testLabelsIDX:  idxBytes(0x08, []uint32{3}, synthLabels(3, 10)),
	}
	for name, b := range files {
		if gz {
			name, b = name+".gz", gzipBytes(t, b)
		}
		writeFile(t, filepath.Join(dir, name), b)
	}
}

func writeFile(t testing.TB, p string, b []byte) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, b, 0o644); err != nil {
		t.Fatal(err)
	}
}

// cifarValue is the synthetic value of plane c, pixel p of record r of a batch.
func cifarValue(batch, r, c, p int) byte { return byte(31*batch + 13*r + 101*c + p) }

// cifarLabel is the synthetic label of record r of a batch.
func cifarLabel(batch, r int) byte { return byte((batch + 3*r) % 10) }

// cifarBatch builds k records in the CIFAR-10 binary layout: label, then the R, G and B planes.
func cifarBatch(batch, k int) []byte {
	b := make([]byte, 0, k*cifarRecord)
	for r := range k {
		b = append(b, cifarLabel(batch, r))
		for c := range 3 {
			for p := range 1024 {
				b = append(b, cifarValue(batch, r, c, p))
			}
		}
	}
	return b
}

type tarMember struct {
	name string
	data []byte
	typ  byte // 0 means a regular file
}

// cifarMembers is a complete small archive with k records per batch, in the scrambled member
// order of the shared archive (4, 5, 2, meta, 1, 3, test).
func cifarMembers(k int) []tarMember {
	dir := CIFAR10Folder + "/"
	ms := []tarMember{{name: dir, typ: tar.TypeDir}}
	for _, i := range []int{3, 4, 1, -1, 0, 2, 5} {
		if i < 0 {
			ms = append(ms, tarMember{name: dir + cifarMetaFile, data: []byte(strings.Join(CIFAR10ClassNames, "\n") + "\n\n")})
			continue
		}
		ms = append(ms, tarMember{name: dir + cifarFiles[i], data: cifarBatch(i, k)})
	}
	return ms
}

func tarBytes(t testing.TB, ms []tarMember) []byte {
	t.Helper()
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	for _, m := range ms {
		typ := m.typ
		if typ == 0 {
			typ = tar.TypeReg
		}
		hdr := &tar.Header{Name: m.name, Typeflag: typ, Mode: 0o644, Size: int64(len(m.data))}
		if typ != tar.TypeReg {
			hdr.Size = 0
			hdr.Mode = 0o755
		}
		if err := tw.WriteHeader(hdr); err != nil {
			t.Fatal(err)
		}
		if _, err := tw.Write(m.data); err != nil {
			t.Fatal(err)
		}
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// cifarArchive is a small CIFAR-format tar.gz with k records per batch.
func cifarArchive(t testing.TB, k int) []byte { return gzipBytes(t, tarBytes(t, cifarMembers(k))) }

// allocatedDuring returns the bytes allocated on the heap while f runs.
func allocatedDuring(f func()) uint64 {
	var a, b runtime.MemStats
	runtime.ReadMemStats(&a)
	f()
	runtime.ReadMemStats(&b)
	return b.TotalAlloc - a.TotalAlloc
}

func wantErr(t testing.TB, err error, parts ...string) {
	t.Helper()
	if err == nil {
		t.Fatalf("no error, want one containing %q", parts)
	}
	for _, p := range parts {
		if !strings.Contains(err.Error(), p) {
			t.Fatalf("error %q does not contain %q", err, p)
		}
	}
}

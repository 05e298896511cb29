package data

import (
	"archive/tar"
	"bytes"
	"slices"
	"testing"
)

// FuzzReadIDX feeds arbitrary bytes, plain or gzipped, to the IDX reader. It must never panic,
// and what it accepts must be self-consistent: as many values as the dimensions say and, for a
// plain input, exactly the bytes after the header.
func FuzzReadIDX(f *testing.F) {
	good := idxBytes(0x08, []uint32{2, 3, 4}, synthImages(2, 3, 4))
	for _, b := range [][]byte{
		good,
		gzipBytes(f, good),
		idxBytes(0x08, []uint32{5}, synthLabels(5, 10)),
		idxBytes(0x08, []uint32{2, 2, 2, 3}, make([]byte, 24)),
		idxBytes(0x08, []uint32{0, 28, 28}, nil),
		idxBytes(0x08, []uint32{1 << 29, 2}, []byte("1234")),
		idxBytes(0x0D, []uint32{1}, make([]byte, 4)),
		good[:len(good)-1],
		append(slices.Clone(good), 0),
		append(gzipBytes(f, good[:7]), gzipBytes(f, good[7:])...),
		{0x1f, 0x8b},
		nil,
	} {
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		dims, vals, err := readIDX(bytes.NewReader(b), int64(len(b)))
		if err != nil {
			return
		}
		if len(dims) < 1 || len(dims) > maxIDXDims {
			t.Fatalf("accepted %d dimensions", len(dims))
		}
		n := 1
		for _, d := range dims {
			n *= d
		}
		if n != len(vals) || n > maxBytes {
			t.Fatalf("dimensions %v but %d values", dims, len(vals))
		}
		if len(b) >= 2 && b[0] == 0x1f && b[1] == 0x8b {
			return
		}
		if head := 4 + 4*len(dims); len(b) != head+n || !bytes.Equal(b[head:], vals) {
			t.Fatalf("plain input of %d bytes gave dimensions %v", len(b), dims)
		}
	})
}

// FuzzReadCIFAR feeds arbitrary bytes to the CIFAR-10 reader three times: as the
// uncompressed tar stream (so that mutations reach the tar and record parsers instead of
// breaking the gzip checksum), as the archive itself (the gzip layer), and as one batch file
// (the record parser alone). None may panic; accepted input must give valid datasets whose
// records fit in the input, and a batch file's pixels must be its planes interleaved.
func FuzzReadCIFAR(f *testing.F) {
	tb := tarBytes(f, cifarMembers(1))
	var claim bytes.Buffer
	tw := tar.NewWriter(&claim)
	tw.WriteHeader(&tar.Header{Name: "data_batch_1.bin", Typeflag: tar.TypeReg, Mode: 0o644, Size: 300000 * cifarRecord})
	tw.Write(make([]byte, cifarRecord+7))
	for _, b := range [][]byte{
		tb,
		cifarArchive(f, 1),
		cifarArchive(f, 2),
		tb[:len(tb)/2],
		claim.Bytes(),
		gzipBytes(f, claim.Bytes()),
		cifarBatch(3, 2),
		cifarBatch(3, 2)[:cifarRecord+5],
		nil,
	} {
		f.Add(b)
	}
	check := func(t *testing.T, train, test *Dataset, limit int) {
		for _, d := range []*Dataset{train, test} {
			if err := d.Validate(); err != nil {
				t.Fatal(err)
			}
		}
		if train.N < 5 || test.N < 1 {
			t.Fatalf("accepted %d training and %d test records", train.N, test.N)
		}
		if limit >= 0 && (train.N+test.N)*cifarRecord > limit {
			t.Fatalf("%d records from %d bytes", train.N+test.N, limit)
		}
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		opt := CIFAROptions{AnyCount: true}
		c := &cifarParts{opt: opt}
		if err := c.readTar(bytes.NewReader(b), int64(len(b))); err == nil {
			if train, test, err := c.assemble(); err == nil {
				check(t, train, test, len(b))
			}
		}
		if train, test, err := readCIFARArchive(bytes.NewReader(b), int64(len(b)), opt); err == nil {
			check(t, train, test, -1)
		}
		c = &cifarParts{opt: opt}
		if err := c.readBatch(bytes.NewReader(b), 5, int64(len(b)), int64(len(b))); err == nil {
			px, lb := c.pixels[5], c.labels[5]
			if len(b) == 0 || len(b)%cifarRecord != 0 || len(lb)*cifarRecord != len(b) || len(px) != len(lb)*cifarPixels {
				t.Fatalf("%d bytes gave %d labels and %d pixels", len(b), len(lb), len(px))
			}
			for r := range lb {
				rec := b[r*cifarRecord:]
				if lb[r] != rec[0] || lb[r] >= cifarClasses {
					t.Fatalf("record %d: label %d from byte %d", r, lb[r], rec[0])
				}
				for i := range cifarPixels { // pixel i/3, channel i%3 comes from plane i%3
					if px[r*cifarPixels+i] != rec[1+(i%3)*1024+i/3] {
						t.Fatalf("record %d: pixel byte %d misplaced", r, i)
					}
				}
			}
		}
	})
}

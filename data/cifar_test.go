package data

import (
	"archive/tar"
	"bytes"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/fgrelu/fgrelu/internal/testenv"
)

// checkSynthCIFAR compares a loaded small archive with the values cifarBatch wrote: pixel
// (y, x, c) of record r is plane c's byte y*32+x, the layout conversion done by hand.
func checkSynthCIFAR(t *testing.T, train, test *Dataset, k int) {
	t.Helper()
	if train.N != 5*k || test.N != k || train.H != 32 || train.W != 32 || train.C != 3 || train.Classes != 10 {
		t.Fatalf("train N %d %d×%d×%d, test N %d", train.N, train.H, train.W, train.C, test.N)
	}
	if err := train.Validate(); err != nil {
		t.Fatal(err)
	}
	if err := test.Validate(); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(train.ClassNames, CIFAR10ClassNames) || train.Name != "cifar10/train" || test.Name != "cifar10/test" {
		t.Errorf("names %q %q %v", train.Name, test.Name, train.ClassNames)
	}
	check := func(d *Dataset, i, batch, r int) {
		if d.Labels[i] != cifarLabel(batch, r) {
			t.Fatalf("%s[%d]: label %d, want %d", d.Name, i, d.Labels[i], cifarLabel(batch, r))
		}
		img := d.Pixels[i*3072 : (i+1)*3072]
		for y := range 32 {
			for x := range 32 {
				for c := range 3 {
					if got, want := img[(y*32+x)*3+c], cifarValue(batch, r, c, y*32+x); got != want {
						t.Fatalf("%s[%d] (y %d, x %d, c %d) = %d, want %d", d.Name, i, y, x, c, got, want)
					}
				}
			}
		}
	}
	for b := range 5 {
		for r := range k {
			check(train, b*k+r, b, r)
		}
	}
	for r := range k {
		check(test, r, 5, r)
	}
}

func TestReadCIFAR10Small(t *testing.T) {
	const k = 3
	train, test, err := ReadCIFAR10(bytes.NewReader(cifarArchive(t, k)), CIFAROptions{AnyCount: true})
	if err != nil {
		t.Fatal(err)
	}
	checkSynthCIFAR(t, train, test, k)
	if cap(train.Pixels) != len(train.Pixels) {
		t.Errorf("train pixels have %d bytes of spare capacity", cap(train.Pixels)-len(train.Pixels))
	}
	// The strict reader wants the official 10 000 records per batch.
	_, _, err = ReadCIFAR10(bytes.NewReader(cifarArchive(t, k)), CIFAROptions{})
	wantErr(t, err, "data: CIFAR-10 archive: ", "data_batch_4.bin", "3 records, want 10000")
}

// The strict reader, with the official layout shrunk to 3 records per batch so that it runs
// on a small archive: training batches are then read straight into the training set.
func TestReadCIFAR10Strict(t *testing.T) {
	defer func(n int) { cifarPerBatch = n }(cifarPerBatch)
	cifarPerBatch = 3
	archive := cifarArchive(t, 3)
	train, test, err := ReadCIFAR10(bytes.NewReader(archive), CIFAROptions{})
	if err != nil {
		t.Fatal(err)
	}
	checkSynthCIFAR(t, train, test, 3)
	dir := t.TempDir()
	for _, m := range cifarMembers(3) {
		if m.typ == 0 {
			writeFile(t, filepath.Join(dir, filepath.Base(m.name)), m.data)
		}
	}
	if train, test, err = LoadCIFAR10(dir); err != nil {
		t.Fatal(err)
	}
	checkSynthCIFAR(t, train, test, 3)
	_, _, err = ReadCIFAR10(bytes.NewReader(cifarArchive(t, 2)), CIFAROptions{})
	wantErr(t, err, "2 records, want 3")
}

func TestLoadCIFAR10Paths(t *testing.T) {
	const k = 2
	dir := t.TempDir()
	archive := filepath.Join(dir, "dl", CIFAR10Archive)
	writeFile(t, archive, cifarArchive(t, k))
	// The extracted folder, written member by member.
	for _, m := range cifarMembers(k) {
		if m.typ == 0 {
			writeFile(t, filepath.Join(dir, "x", filepath.FromSlash(m.name)), m.data)
		}
	}
	opt := CIFAROptions{AnyCount: true}
	for _, p := range []string{
		archive, filepath.Dir(archive), // the archive, the folder that holds it
		filepath.Join(dir, "x", CIFAR10Folder), filepath.Join(dir, "x"), // the batches, their parent
	} {
		train, test, err := LoadCIFAR10With(p, opt)
		if err != nil {
			t.Fatalf("%s: %v", p, err)
		}
		checkSynthCIFAR(t, train, test, k)
	}
	// Without batches.meta.txt the folder still loads, with the built-in names.
	os.Remove(filepath.Join(dir, "x", CIFAR10Folder, cifarMetaFile))
	if train, _, err := LoadCIFAR10With(filepath.Join(dir, "x"), opt); err != nil || !slices.Equal(train.ClassNames, CIFAR10ClassNames) {
		t.Errorf("no meta: %v", err)
	}
	os.Remove(filepath.Join(dir, "x", CIFAR10Folder, "data_batch_3.bin"))
	_, _, err := LoadCIFAR10With(filepath.Join(dir, "x"), opt)
	wantErr(t, err, "missing data_batch_3.bin", CIFAR10Folder)
	_, _, err = LoadCIFAR10With(t.TempDir(), opt)
	wantErr(t, err, "holds neither the CIFAR-10 batch files")
	_, _, err = LoadCIFAR10With(filepath.Join(dir, "nothing"), opt)
	wantErr(t, err, "data: CIFAR-10: ", "nothing")

	// A bad batch file in a folder names the file.
	bad := filepath.Join(dir, "bad")
	for _, m := range cifarMembers(k) {
		if m.typ == 0 {
			writeFile(t, filepath.Join(bad, filepath.Base(m.name)), m.data)
		}
	}
	writeFile(t, filepath.Join(bad, "test_batch.bin"), make([]byte, 3072))
	_, _, err = LoadCIFAR10With(bad, opt)
	wantErr(t, err, filepath.Join(bad, "test_batch.bin"), "not a whole number of 3073-byte records")
}

func TestReadCIFAR10Bad(t *testing.T) {
	const k = 2
	edit := func(f func(ms []tarMember) []tarMember) []byte {
		return gzipBytes(t, tarBytes(t, f(cifarMembers(k))))
	}
	find := func(ms []tarMember, base string) int {
		for i, m := range ms {
			if filepath.Base(m.name) == base {
				return i
			}
		}
		t.Fatalf("no member %s", base)
		return -1
	}
	good := cifarArchive(t, k)
	badCRC := slices.Clone(good)
	badCRC[len(badCRC)-8] ^= 1
	for _, tc := range []struct {
		name string
		in   []byte
		want []string
	}{
		{"not gzip", tarBytes(t, cifarMembers(k)), []string{"not gzip (starts with", "want 1f 8b"}},
		{"empty", nil, []string{"not gzip"}},
		{"truncated", good[:len(good)/2], []string{"truncated"}},
		{"gzip checksum", badCRC, []string{"corrupt gzip stream after the tar archive", "checksum"}},
		{"not a record multiple", edit(func(ms []tarMember) []tarMember {
			i := find(ms, "data_batch_2.bin")
			ms[i].data = ms[i].data[:len(ms[i].data)-1]
			return ms
		}), []string{"data_batch_2.bin", "size 6145 bytes is not a whole number of 3073-byte records (1 records and 3072 bytes over)"}},
		{"empty member", edit(func(ms []tarMember) []tarMember {
			ms[find(ms, "test_batch.bin")].data = nil
			return ms
		}), []string{"test_batch.bin", "empty batch file"}},
		{"label", edit(func(ms []tarMember) []tarMember {
			i := find(ms, "data_batch_5.bin")
			ms[i].data = slices.Clone(ms[i].data)
			ms[i].data[cifarRecord] = 10 // the second record's label
			return ms
		}), []string{"data_batch_5.bin", "record 1: label 10, want 0…9"}},
		{"missing", edit(func(ms []tarMember) []tarMember {
			return slices.Delete(ms, find(ms, "data_batch_1.bin"), find(ms, "data_batch_1.bin")+1)
		}), []string{"missing data_batch_1.bin"}},
		{"missing all", edit(func(ms []tarMember) []tarMember { return ms[:1] }),
			[]string{"missing data_batch_1.bin, data_batch_2.bin, data_batch_3.bin, data_batch_4.bin, data_batch_5.bin, test_batch.bin"}},
		{"duplicate", edit(func(ms []tarMember) []tarMember {
			return append(ms, tarMember{name: "other/data_batch_2.bin", data: cifarBatch(1, k)})
		}), []string{`"other/data_batch_2.bin": a second data_batch_2.bin`}},
		{"symlink", edit(func(ms []tarMember) []tarMember {
			i := find(ms, "data_batch_3.bin")
			ms[i] = tarMember{name: ms[i].name, typ: tar.TypeSymlink}
			return ms
		}), []string{"data_batch_3.bin", "not a regular file"}},
		{"meta", edit(func(ms []tarMember) []tarMember {
			ms[find(ms, cifarMetaFile)].data = []byte("cat\ndog\n")
			return ms
		}), []string{"batches.meta.txt", "2 class names, want 10"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, _, err := ReadCIFAR10(bytes.NewReader(tc.in), CIFAROptions{AnyCount: true})
			wantErr(t, err, append([]string{"data: CIFAR-10 archive: "}, tc.want...)...)
		})
	}
}

// A tar member cut short, and one whose header claims far more records than the input holds:
// both are truncated, and the second must not allocate for its claim.
func TestReadCIFAR10Truncated(t *testing.T) {
	tb := tarBytes(t, cifarMembers(2))
	// Cut the tar inside the first batch's data: 512-byte directory header, 512-byte member
	// header, then 100 bytes of data_batch_4.bin.
	cut := gzipBytes(t, tb[:1024+100])
	_, _, err := ReadCIFAR10(bytes.NewReader(cut), CIFAROptions{AnyCount: true})
	wantErr(t, err, "data_batch_4.bin", "truncated record 0: the data ends after 100 of 6146 bytes")

	// A header claiming 300 000 records (922 MB of pixels, under the 1 GiB limit) and 4 KiB of data.
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	tw.WriteHeader(&tar.Header{Name: "cifar-10-batches-bin/data_batch_1.bin", Typeflag: tar.TypeReg, Mode: 0o644, Size: 300000 * cifarRecord})
	tw.Write(make([]byte, 4096))
	claim := gzipBytes(t, buf.Bytes())
	got := allocatedDuring(func() {
		_, _, err = ReadCIFAR10(bytes.NewReader(claim), CIFAROptions{AnyCount: true})
	})
	wantErr(t, err, "truncated record 1")
	if got > 16<<20 {
		t.Errorf("allocated %d bytes for a %d-byte input", got, len(claim))
	}
	// Over the limit, it fails before reading.
	buf.Reset()
	tw = tar.NewWriter(&buf)
	tw.WriteHeader(&tar.Header{Name: "data_batch_1.bin", Typeflag: tar.TypeReg, Mode: 0o644, Size: 400000 * cifarRecord})
	_, _, err = ReadCIFAR10(bytes.NewReader(gzipBytes(t, buf.Bytes())), CIFAROptions{AnyCount: true})
	wantErr(t, err, "400000 records are over the limit")
}

// The shared copy of the real archive: counts, class balance and the published per-channel
// means (0.4914, 0.4822, 0.4465 over the training set, e.g. the normalisation constants of
// torchvision's CIFAR examples).
func TestCIFAR10Real(t *testing.T) {
	p := testenv.SharedFile(t, "data/cifar-10-binary.tar.gz")
	start := time.Now()
	train, test, err := LoadCIFAR10(p)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("loaded %s in %v", p, time.Since(start))
	if train.N != 50000 || test.N != 10000 {
		t.Fatalf("train %d, test %d", train.N, test.N)
	}
	for _, d := range []*Dataset{train, test} {
		if err := d.Validate(); err != nil {
			t.Fatal(err)
		}
		var counts [10]int
		for _, l := range d.Labels {
			counts[l]++
		}
		for c, n := range counts {
			if n != d.N/10 {
				t.Errorf("%s: class %d has %d images, want %d", d.Name, c, n, d.N/10)
			}
		}
	}
	if !slices.Equal(train.ClassNames, CIFAR10ClassNames) {
		t.Errorf("class names %v", train.ClassNames)
	}
	var sum [3]int64
	for i, b := range train.Pixels {
		sum[i%3] += int64(b)
	}
	for c, want := range []float64{0.4914, 0.4822, 0.4465} {
		got := float64(sum[c]) / 255 / float64(train.N*1024)
		if got < want-5e-4 || got > want+5e-4 {
			t.Errorf("channel %d mean %.5f, want %.4f ± 5e-4", c, got, want)
		}
	}
}

package data

// CIFAR-10 "binary version" (Krizhevsky, "Learning Multiple Layers of Features from Tiny
// Images", 2009; layout as documented at https://www.cs.toronto.edu/~kriz/cifar.html):
// cifar-10-binary.tar.gz holds the folder cifar-10-batches-bin/ with data_batch_1.bin …
// data_batch_5.bin, test_batch.bin (10 000 records each) and batches.meta.txt (the class
// names, one a line). A record is 3073 bytes: the label (0…9), then 1024 red, 1024 green and
// 1024 blue bytes of a 32×32 image, each plane row-major.

import (
	"archive/tar"
	"bufio"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"
)

const (
	cifarSide    = 32
	cifarPixels  = cifarSide * cifarSide * 3 // bytes per image
	cifarRecord  = 1 + cifarPixels           // bytes per record
	cifarClasses = 10
	cifarMetaMax = 64 << 10 // batches.meta.txt is 61 bytes; anything past 64 KiB is not it

	// CIFAR10Archive is the file name of the official archive.
	CIFAR10Archive = "cifar-10-binary.tar.gz"
	// CIFAR10Folder is the folder the archive extracts to.
	CIFAR10Folder = "cifar-10-batches-bin"
)

// cifarPerBatch is the number of records per batch file in the official layout; a variable
// only so that tests can shrink the official layout.
var cifarPerBatch = 10000

// cifarFiles are the batch files in dataset order: five training batches, then the test batch.
var cifarFiles = [6]string{
	"data_batch_1.bin", "data_batch_2.bin", "data_batch_3.bin",
	"data_batch_4.bin", "data_batch_5.bin", "test_batch.bin",
}

const cifarMetaFile = "batches.meta.txt"

// CIFAR10ClassNames are the class names of batches.meta.txt, used when the file is absent.
var CIFAR10ClassNames = []string{
	"airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck",
}

// CIFAROptions tunes the CIFAR-10 reader. The zero value reads the official layout strictly.
type CIFAROptions struct {
	// AnyCount accepts any positive number of records per batch file (small test archives).
	// When false, each of the six batch files must hold exactly 10 000 records.
	AnyCount bool
}

// LoadCIFAR10 reads CIFAR-10 in the official binary layout (10 000 records per batch file)
// from path, which is the archive cifar-10-binary.tar.gz, the extracted folder
// cifar-10-batches-bin, or a folder holding either. Train is data_batch_1 … data_batch_5 in
// that order (50 000 images), test is test_batch (10 000 images); images are 32×32×3,
// channels-last. The archive is read in one streaming pass without extracting it, and the
// training batches are read straight into place (the 150 MiB training set is allocated once).
// ClassNames come from batches.meta.txt, or are CIFAR10ClassNames where it is absent. Errors
// name the file and member at fault: not gzip, a corrupt or truncated stream, a batch that is
// not a whole number of records or holds another count, a label above 9, a missing batch.
func LoadCIFAR10(path string) (train, test *Dataset, err error) {
	return LoadCIFAR10With(path, CIFAROptions{})
}

// LoadCIFAR10With is LoadCIFAR10 with options; with AnyCount it reads small test archives,
// joining batches of any sizes (which costs one copy of the training set).
func LoadCIFAR10With(p string, opt CIFAROptions) (train, test *Dataset, err error) {
	st, err := os.Stat(p)
	if err != nil {
		return nil, nil, fmt.Errorf("data: CIFAR-10: %w", err)
	}
	if !st.IsDir() {
		return loadCIFARArchive(p, opt)
	}
	for _, name := range append(cifarFiles[:], cifarMetaFile) {
		if fileExists(filepath.Join(p, name)) {
			return loadCIFARDir(p, opt)
		}
	}
	if sub := filepath.Join(p, CIFAR10Folder); dirExists(sub) {
		return loadCIFARDir(sub, opt)
	}
	if a := filepath.Join(p, CIFAR10Archive); fileExists(a) {
		return loadCIFARArchive(a, opt)
	}
	return nil, nil, fmt.Errorf("data: %s holds neither the CIFAR-10 batch files (%s …), nor %s/, nor %s",
		p, cifarFiles[0], CIFAR10Folder, CIFAR10Archive)
}

// ReadCIFAR10 reads the archive cifar-10-binary.tar.gz (a gzip-compressed tar) from r in one
// pass. Members are found by their base names, in any order; other members are skipped.
func ReadCIFAR10(r io.Reader, opt CIFAROptions) (train, test *Dataset, err error) {
	train, test, err = readCIFARArchive(r, -1, opt)
	if err != nil {
		return nil, nil, fmt.Errorf("data: CIFAR-10 archive: %w", err)
	}
	return train, test, nil
}

func loadCIFARArchive(p string, opt CIFAROptions) (train, test *Dataset, err error) {
	f, err := os.Open(p)
	if err != nil {
		return nil, nil, fmt.Errorf("data: %w", err)
	}
	defer f.Close()
	size := int64(-1)
	if st, err := f.Stat(); err == nil && st.Mode().IsRegular() {
		size = st.Size()
	}
	train, test, err = readCIFARArchive(f, size, opt)
	if err != nil {
		return nil, nil, fmt.Errorf("data: %s: %w", p, err)
	}
	return train, test, nil
}

// cifarParts collects the batches as they arrive, in whatever order.
type cifarParts struct {
	opt     CIFAROptions
	pixels  [6][]uint8
	labels  [6][]uint8
	seen    [6]bool
	names   []string
	trainPx int // pixel bytes of the training batches read so far

	// train is the whole training set's pixels, allocated at the first training batch when
	// the layout is strict (so every batch's place is known) and the input is large enough
	// to hold it. The batches are then read straight into place, sparing a 150 MB copy.
	train []uint8
}

// readCIFARArchive reads a gzip-compressed tar; size is its length or -1. Errors carry no
// prefix.
func readCIFARArchive(r io.Reader, size int64, opt CIFAROptions) (train, test *Dataset, err error) {
	br := bufio.NewReaderSize(r, 64<<10)
	if !isGzip(br) {
		b, _ := br.Peek(4)
		return nil, nil, fmt.Errorf("not gzip (starts with % x, want 1f 8b): expected the gzip-compressed tar %s", b, CIFAR10Archive)
	}
	d, err := decode(br, size)
	if err != nil {
		return nil, nil, err
	}
	parts := &cifarParts{opt: opt}
	if err := parts.readTar(d.r, d.hint); err != nil {
		return nil, nil, err
	}
	// Read the gzip stream to its end: its CRC-32 is only checked there (RFC 1952, §2.3.1).
	if _, err := io.Copy(io.Discard, d.r); err != nil {
		if errors.Is(err, io.ErrUnexpectedEOF) {
			return nil, nil, fmt.Errorf("truncated: the gzip stream ends early, after the last tar member")
		}
		return nil, nil, fmt.Errorf("corrupt gzip stream after the tar archive: %v", err)
	}
	return parts.assemble()
}

// readTar reads the members of a tar stream (POSIX.1-2001 / GNU tar, as archive/tar reads).
func (c *cifarParts) readTar(r io.Reader, hint int64) error {
	tr := tar.NewReader(r)
	last := "the start"
	for {
		hdr, err := tr.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			if errors.Is(err, io.ErrUnexpectedEOF) {
				return fmt.Errorf("truncated archive after %s", last)
			}
			return fmt.Errorf("corrupt archive after %s: %v", last, err)
		}
		last = fmt.Sprintf("member %q", hdr.Name)
		base := path.Base(hdr.Name)
		slot := memberSlot(base)
		if slot < 0 && base != cifarMetaFile {
			continue
		}
		if !hdr.FileInfo().Mode().IsRegular() {
			return fmt.Errorf("member %q is not a regular file", hdr.Name)
		}
		if slot < 0 {
			if c.names != nil {
				return fmt.Errorf("member %q: a second %s", hdr.Name, cifarMetaFile)
			}
			if err := c.readMeta(tr, hdr.Size); err != nil {
				return fmt.Errorf("member %q: %w", hdr.Name, err)
			}
			continue
		}
		if c.seen[slot] {
			return fmt.Errorf("member %q: a second %s", hdr.Name, base)
		}
		if err := c.readBatch(tr, slot, hdr.Size, hint); err != nil {
			return fmt.Errorf("member %q: %w", hdr.Name, err)
		}
	}
	return nil
}

// memberSlot is the index of a batch file in cifarFiles, or -1.
func memberSlot(base string) int {
	for i, name := range cifarFiles {
		if base == name {
			return i
		}
	}
	return -1
}

// readBatch reads one batch file of size bytes from r into its slot, converting each record's
// planes (R, G, B, each 32×32 row-major) to channels-last pixels. Memory grows as records
// arrive; hint bounds what is allocated ahead of them.
func (c *cifarParts) readBatch(r io.Reader, slot int, size, hint int64) error {
	if size <= 0 {
		return errors.New("empty batch file")
	}
	if size%cifarRecord != 0 {
		return fmt.Errorf("size %d bytes is not a whole number of %d-byte records (%d records and %d bytes over)",
			size, cifarRecord, size/cifarRecord, size%cifarRecord)
	}
	n64 := size / cifarRecord
	if !c.opt.AnyCount && n64 != int64(cifarPerBatch) {
		return fmt.Errorf("%d records, want %d (the official layout)", n64, cifarPerBatch)
	}
	budget := int64(maxBytes)
	if slot < 5 {
		budget -= int64(c.trainPx)
	}
	if n64*cifarPixels > budget {
		return fmt.Errorf("%d records are over the limit of %d pixel bytes per dataset", n64, maxBytes)
	}
	n := int(n64)
	var pixels []uint8
	if slot < 5 && !c.opt.AnyCount && hint >= 5*int64(cifarPerBatch)*cifarRecord {
		if c.train == nil {
			c.train = make([]uint8, 5*cifarPerBatch*cifarPixels)
		}
		lo := slot * cifarPerBatch * cifarPixels
		pixels = c.train[lo : lo : lo+cifarPerBatch*cifarPixels]
	} else {
		pixels = make([]uint8, 0, min(n64*cifarPixels, max(hint, 4096)))
	}
	labels := make([]uint8, 0, min(n64, max(hint/cifarRecord, 64)))
	const chunk = 64 // records read at a time
	buf := make([]byte, min(chunk, n)*cifarRecord)
	for done := 0; done < n; {
		k := min(chunk, n-done)
		m, err := io.ReadFull(r, buf[:k*cifarRecord])
		if err != nil {
			if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
				return fmt.Errorf("truncated record %d: the data ends after %d of %d bytes",
					done+m/cifarRecord, int64(done)*cifarRecord+int64(m), size)
			}
			return fmt.Errorf("reading record %d: %v", done+m/cifarRecord, err)
		}
		pixels = grow(pixels, len(pixels)+k*cifarPixels, n*cifarPixels)
		labels = grow(labels, len(labels)+k, n)
		for j := range k {
			rec := buf[j*cifarRecord : (j+1)*cifarRecord]
			if rec[0] >= cifarClasses {
				return fmt.Errorf("record %d: label %d, want 0…%d", done+j, rec[0], cifarClasses-1)
			}
			labels = append(labels, rec[0])
			at := len(pixels)
			pixels = pixels[:at+cifarPixels]
			planesToHWC(pixels[at:], rec[1:])
		}
		done += k
	}
	c.pixels[slot], c.labels[slot], c.seen[slot] = pixels, labels, true
	if slot < 5 {
		c.trainPx += len(pixels)
	}
	return nil
}

// planesToHWC interleaves one image's three 32×32 planes (R, then G, then B) into
// channels-last order: dst[3p+c] = src[1024c+p].
func planesToHWC(dst, src []byte) {
	const plane = cifarSide * cifarSide
	in := (*[3 * plane]byte)(src)
	out := (*[3 * plane]byte)(dst)
	for p := range plane {
		out[3*p], out[3*p+1], out[3*p+2] = in[p], in[plane+p], in[2*plane+p]
	}
}

// readMeta reads batches.meta.txt: the ten class names, one a line; blank lines are ignored.
func (c *cifarParts) readMeta(r io.Reader, size int64) error {
	if size > cifarMetaMax {
		return fmt.Errorf("%d bytes, too large for a list of class names", size)
	}
	b, err := io.ReadAll(io.LimitReader(r, cifarMetaMax+1))
	if err != nil {
		return fmt.Errorf("reading: %v", err)
	}
	if int64(len(b)) > cifarMetaMax {
		return fmt.Errorf("over %d bytes, too large for a list of class names", cifarMetaMax)
	}
	var names []string
	for line := range strings.Lines(string(b)) {
		if s := strings.TrimSpace(line); s != "" {
			names = append(names, s)
		}
	}
	if len(names) != cifarClasses {
		return fmt.Errorf("%d class names, want %d", len(names), cifarClasses)
	}
	c.names = names
	return nil
}

// assemble checks that every batch arrived and joins the five training batches in order.
func (c *cifarParts) assemble() (train, test *Dataset, err error) {
	var missing []string
	for i, ok := range c.seen {
		if !ok {
			missing = append(missing, cifarFiles[i])
		}
	}
	if len(missing) > 0 {
		return nil, nil, fmt.Errorf("missing %s", strings.Join(missing, ", "))
	}
	names := c.names
	if names == nil {
		names = CIFAR10ClassNames
	}
	newSet := func(name string, pixels, labels []uint8) *Dataset {
		return &Dataset{Name: name, Pixels: pixels, Labels: labels, N: len(labels),
			H: cifarSide, W: cifarSide, C: 3, Classes: cifarClasses, ClassNames: append([]string(nil), names...)}
	}
	px := c.train // already in place when allocated
	if px == nil {
		px = make([]uint8, 0, c.trainPx)
		for i := range 5 {
			px = append(px, c.pixels[i]...)
			c.pixels[i] = nil // let the collector have each batch as soon as it is copied
		}
	}
	var lb []uint8
	for i := range 5 {
		lb = append(lb, c.labels[i]...)
	}
	train = newSet("cifar10/train", px, lb)
	test = newSet("cifar10/test", c.pixels[5], c.labels[5])
	return train, test, nil
}

// loadCIFARDir reads the extracted batch files from dir. batches.meta.txt is optional.
func loadCIFARDir(dir string, opt CIFAROptions) (train, test *Dataset, err error) {
	c := &cifarParts{opt: opt}
	// Check that every batch file is there before reading any; their total size is what
	// the input can justify allocating.
	var total int64
	var missing []string
	for _, name := range cifarFiles {
		st, err := os.Stat(filepath.Join(dir, name))
		switch {
		case errors.Is(err, fs.ErrNotExist):
			missing = append(missing, name)
		case err != nil:
			return nil, nil, fmt.Errorf("data: %w", err)
		case !st.Mode().IsRegular():
			return nil, nil, fmt.Errorf("data: %s: not a regular file", filepath.Join(dir, name))
		default:
			total += st.Size()
		}
	}
	if len(missing) > 0 {
		return nil, nil, fmt.Errorf("data: %s: missing %s", dir, strings.Join(missing, ", "))
	}
	for slot, name := range cifarFiles {
		p := filepath.Join(dir, name)
		if err := c.readBatchFile(p, slot, total); err != nil {
			return nil, nil, fmt.Errorf("data: %s: %w", p, err)
		}
	}
	mp := filepath.Join(dir, cifarMetaFile)
	if f, err := os.Open(mp); err == nil {
		st, serr := f.Stat()
		if serr == nil {
			serr = c.readMeta(f, st.Size())
		}
		f.Close()
		if serr != nil {
			return nil, nil, fmt.Errorf("data: %s: %w", mp, serr)
		}
	} else if !errors.Is(err, fs.ErrNotExist) {
		return nil, nil, fmt.Errorf("data: %w", err)
	}
	train, test, err = c.assemble()
	if err != nil {
		return nil, nil, fmt.Errorf("data: %s: %w", dir, err)
	}
	return train, test, nil
}

func (c *cifarParts) readBatchFile(p string, slot int, hint int64) error {
	f, err := os.Open(p)
	if err != nil {
		return err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return err
	}
	return c.readBatch(bufio.NewReaderSize(f, 64<<10), slot, st.Size(), hint)
}

func fileExists(p string) bool {
	st, err := os.Stat(p)
	return err == nil && !st.IsDir()
}

func dirExists(p string) bool {
	st, err := os.Stat(p)
	return err == nil && st.IsDir()
}

package atomicfile

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"syscall"
)

// tempFile is what WriteFile needs from the temporary file; tests replace openTemp to
// inject failures (disk full, fsync errors) that a test cannot provoke on a real disk.
type tempFile interface {
	io.Writer
	Sync() error
	Close() error
	Name() string
}

// openTemp creates a new, empty, uniquely named file in dir. It is a variable only so that
// tests can wrap the file it returns.
var openTemp = func(dir, base string) (tempFile, error) {
	return createTemp(dir, base)
}

// bufferSize is the size of the buffer between the write function and the file.
const bufferSize = 64 << 10

// WriteFile replaces the file at path with what write writes. write gets a buffered writer
// over a temporary file in path's folder; WriteFile then flushes, fsyncs and closes that
// file, renames it over path and fsyncs the folder.
//
// When write or any step before the rename fails (or write panics), the temporary file is
// removed and the file at path is left as it was. An error from the final folder fsync is
// reported too, but by then path already holds the new content.
//
// A new file gets permissions 0666 less the umask, as os.Create gives. If path is a symbolic
// link, the link itself is replaced, not its target.
func WriteFile(path string, write func(w io.Writer) error) (err error) {
	dir, base := filepath.Split(path)
	if base == "" {
		return fmt.Errorf("atomicfile: write %s: the path names a folder", path)
	}
	if dir == "" {
		dir = "."
	}
	f, err := openTemp(dir, base)
	if err != nil {
		return fmt.Errorf("atomicfile: write %s: create temporary file: %w", path, err)
	}
	tmp := f.Name()
	closed, renamed := false, false
	defer func() {
		// Runs on every return and on a panic from write: whatever went wrong before the
		// rename, the temporary file must not stay behind.
		if renamed {
			return
		}
		if !closed {
			f.Close()
		}
		os.Remove(tmp)
	}()

	bw := bufio.NewWriterSize(f, bufferSize)
	if err := write(bw); err != nil {
		return fmt.Errorf("atomicfile: write %s: %w", path, err)
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("atomicfile: write %s: %w", path, err)
	}
	if err := f.Sync(); err != nil {
		return fmt.Errorf("atomicfile: write %s: fsync: %w", path, err)
	}
	closed = true
	if err := f.Close(); err != nil {
		return fmt.Errorf("atomicfile: write %s: close: %w", path, err)
	}
	if err := os.Rename(tmp, path); err != nil {
		return fmt.Errorf("atomicfile: write %s: %w", path, err)
	}
	renamed = true
	if err := syncDir(dir); err != nil {
		return fmt.Errorf("atomicfile: write %s: fsync folder %s: %w", path, dir, err)
	}
	return nil
}

// WriteBytes replaces the file at path with b, as WriteFile does.
func WriteBytes(path string, b []byte) error {
	return WriteFile(path, func(w io.Writer) error {
		_, err := w.Write(b)
		return err
	})
}

// createTemp creates dir/.tmp-<base>-<random> with O_EXCL, so that two writers never share a
// temporary file. Unlike os.CreateTemp it asks for mode 0666 (less the umask), so the file
// that replaces path has the permissions os.Create would give it.
func createTemp(dir, base string) (*os.File, error) {
	// Keep the name within the usual 255-byte limit of one path component.
	if len(base) > 200 {
		base = base[:200]
	}
	for range 10000 {
		name := filepath.Join(dir, ".tmp-"+base+"-"+strconv.FormatUint(rand.Uint64(), 36))
		f, err := os.OpenFile(name, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o666)
		if errors.Is(err, os.ErrExist) {
			continue
		}
		return f, err
	}
	return nil, fmt.Errorf("no unused temporary name in %s", dir)
}

// syncDir fsyncs a folder so that a rename inside it survives a crash. File systems that
// cannot fsync a folder answer EINVAL; there is nothing more to do on those.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	err = d.Sync()
	if errors.Is(err, syscall.EINVAL) {
		err = nil
	}
	if cerr := d.Close(); err == nil {
		err = cerr
	}
	return err
}

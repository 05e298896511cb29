package atomicfile

import (
	"bytes"
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// assertOnly fails unless dir holds exactly the named files (so no temporary file is left).
func assertOnly(t *testing.T, dir string, names ...string) {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range entries {
		got = append(got, e.Name())
	}
	if strings.Join(got, ",") != strings.Join(names, ",") {
		t.Fatalf("folder holds %q, want %q", got, names)
	}
}

func assertContent(t *testing.T, path, want string) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if string(b) != want {
		t.Fatalf("%s holds %q, want %q", path, b, want)
	}
}

func TestWriteFileCreatesAndReplaces(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "ckpt.safetensors")
	big := bytes.Repeat([]byte("0123456789abcdef"), 3*bufferSize/16+5) // several buffer flushes
	if err := WriteBytes(path, big); err != nil {
		t.Fatal(err)
	}
	assertContent(t, path, string(big))
	if err := WriteFile(path, func(w io.Writer) error {
		_, err := io.WriteString(w, "new")
		return err
	}); err != nil {
		t.Fatal(err)
	}
	assertContent(t, path, "new")
	assertOnly(t, dir, "ckpt.safetensors")

	// The new file gets what os.Create would give it, not os.CreateTemp's 0600.
	umask := syscall.Umask(0)
	syscall.Umask(umask)
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if want := fs.FileMode(0o666 &^ umask); fi.Mode().Perm() != want {
		t.Errorf("mode %v, want %v", fi.Mode().Perm(), want)
	}
}

func TestWriteFileRelativePath(t *testing.T) {
	t.Chdir(t.TempDir())
	if err := WriteBytes("plain", []byte("x")); err != nil {
		t.Fatal(err)
	}
	assertContent(t, "plain", "x")
	assertOnly(t, ".", "plain")
}

func TestFailingWriterKeepsOldFile(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "f")
	if err := WriteBytes(path, []byte("old")); err != nil {
		t.Fatal(err)
	}
	boom := errors.New("boom")
	for _, n := range []int{10, 5 * bufferSize} { // fails before and after a buffer flush
		err := WriteFile(path, func(w io.Writer) error {
			w.Write(bytes.Repeat([]byte{'x'}, n))
			return boom
		})
		if !errors.Is(err, boom) || !strings.Contains(err.Error(), path) {
			t.Fatalf("err = %v, want one wrapping %v and naming %s", err, boom, path)
		}
		assertContent(t, path, "old")
		assertOnly(t, dir, "f")
	}
}

func TestWriterReportingDiskFull(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "f")
	err := WriteFile(path, func(w io.Writer) error { return syscall.ENOSPC })
	if !errors.Is(err, syscall.ENOSPC) {
		t.Fatalf("err = %v, want ENOSPC", err)
	}
	if _, err := os.Stat(path); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("a failed first write left %s behind: %v", path, err)
	}
	assertOnly(t, dir)
}

func TestPanickingWriterLeavesNoTemp(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "f")
	func() {
		defer func() {
			if recover() == nil {
				t.Fatal("the panic did not propagate")
			}
		}()
		WriteFile(path, func(w io.Writer) error { panic("writer bug") })
	}()
	assertOnly(t, dir)
}

// faultyFile wraps the real temporary file and fails as a full disk or a broken device would.
type faultyFile struct {
	*os.File
	room    int   // bytes accepted before writes fail with ENOSPC; <0 for no limit
	syncErr error // returned by Sync when set
}

func (f *faultyFile) Write(p []byte) (int, error) {
	if f.room < 0 {
		return f.File.Write(p)
	}
	n := min(len(p), f.room)
	f.room -= n
	if _, err := f.File.Write(p[:n]); err != nil {
		return 0, err
	}
	if n < len(p) {
		return n, &fs.PathError{Op: "write", Path: f.Name(), Err: syscall.ENOSPC}
	}
	return n, nil
}

func (f *faultyFile) Sync() error {
	if f.syncErr != nil {
		return &fs.PathError{Op: "sync", Path: f.Name(), Err: f.syncErr}
	}
	return f.File.Sync()
}

func withFaults(t *testing.T, room int, syncErr error) {
	old := openTemp
	t.Cleanup(func() { openTemp = old })
	openTemp = func(dir, base string) (tempFile, error) {
		f, err := createTemp(dir, base)
		if err != nil {
			return nil, err
		}
		return &faultyFile{File: f, room: room, syncErr: syncErr}, nil
	}
}

func TestDiskFullKeepsOldFile(t *testing.T) {
	for _, size := range []int{100, 5 * bufferSize} { // fails in Flush; fails inside write
		dir := t.TempDir()
		path := filepath.Join(dir, "f")
		if err := WriteBytes(path, []byte("old")); err != nil {
			t.Fatal(err)
		}
		withFaults(t, 50, nil)
		err := WriteBytes(path, bytes.Repeat([]byte{'x'}, size))
		if !errors.Is(err, syscall.ENOSPC) || !strings.Contains(err.Error(), path) {
			t.Fatalf("size %d: err = %v, want ENOSPC naming %s", size, err, path)
		}
		assertContent(t, path, "old")
		assertOnly(t, dir, "f")
	}
}

func TestFsyncFailureKeepsOldFile(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "f")
	if err := WriteBytes(path, []byte("old")); err != nil {
		t.Fatal(err)
	}
	withFaults(t, -1, syscall.EIO)
	err := WriteBytes(path, []byte("new"))
	if !errors.Is(err, syscall.EIO) || !strings.Contains(err.Error(), "fsync") {
		t.Fatalf("err = %v, want an fsync EIO", err)
	}
	assertContent(t, path, "old")
	assertOnly(t, dir, "f")
}

func TestMissingFolder(t *testing.T) {
	path := filepath.Join(t.TempDir(), "no", "such", "f")
	err := WriteBytes(path, []byte("x"))
	if !errors.Is(err, fs.ErrNotExist) || !strings.Contains(err.Error(), path) {
		t.Fatalf("err = %v, want ErrNotExist naming %s", err, path)
	}
}

func TestPathIsFolder(t *testing.T) {
	dir := t.TempDir()
	if err := WriteBytes(dir+"/", []byte("x")); err == nil || !strings.Contains(err.Error(), "folder") {
		t.Fatalf("err = %v, want one saying the path names a folder", err)
	}
	// A rename over an existing folder fails too, and leaves nothing behind.
	sub := filepath.Join(dir, "sub")
	if err := os.Mkdir(sub, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := WriteBytes(sub, []byte("x")); err == nil {
		t.Fatal("replacing a folder succeeded")
	}
	assertOnly(t, dir, "sub")
}

func TestReadOnlyFolder(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "f")
	if err := WriteBytes(path, []byte("old")); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(dir, 0o555); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.Chmod(dir, 0o755) })
	if f, err := os.Create(filepath.Join(dir, "probe")); err == nil {
		f.Close()
		os.Remove(f.Name())
		t.Skip("skipped: this user (root?) can write into a read-only folder")
	}
	err := WriteBytes(path, []byte("new"))
	if !errors.Is(err, fs.ErrPermission) || !strings.Contains(err.Error(), path) {
		t.Fatalf("err = %v, want a permission error naming %s", err, path)
	}
	assertContent(t, path, "old")
	assertOnly(t, dir, "f")
}

// TestParentIsFile is the unwritable-folder case that runs as root too: the folder part of
// the path is a regular file.
func TestParentIsFile(t *testing.T) {
	file := filepath.Join(t.TempDir(), "file")
	if err := WriteBytes(file, []byte("x")); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(file, "f")
	err := WriteBytes(path, []byte("y"))
	if !errors.Is(err, syscall.ENOTDIR) || !strings.Contains(err.Error(), path) {
		t.Fatalf("err = %v, want ENOTDIR naming %s", err, path)
	}
	t.Logf("error: %v", err)
	assertContent(t, file, "x")
}

package data

import (
	"context"
	"crypto/md5"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"testing"
)

// serveArchive starts a server on 127.0.0.1 whose paths behave as their names say.
func serveArchive(t *testing.T, body []byte) *httptest.Server {
	t.Helper()
	release := make(chan struct{})
	mux := http.NewServeMux()
	mux.HandleFunc("/ok.tar.gz", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Length", strconv.Itoa(len(body)))
		w.Write(body)
	})
	mux.HandleFunc("/short.tar.gz", func(w http.ResponseWriter, r *http.Request) {
		// Promise the whole body, send half, then end the handler: the server closes the
		// connection and the client sees the body end early.
		w.Header().Set("Content-Length", strconv.Itoa(len(body)))
		w.Write(body[:len(body)/2])
	})
	mux.HandleFunc("/cut.tar.gz", func(w http.ResponseWriter, r *http.Request) {
		// Chunked (no Content-Length), then the connection is cut mid-stream.
		w.Write(body[:len(body)/2])
		w.(http.Flusher).Flush()
		conn, _, err := w.(http.Hijacker).Hijack()
		if err == nil {
			conn.Close()
		}
	})
	mux.HandleFunc("/stall.tar.gz", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Length", strconv.Itoa(len(body)))
		w.Write(body[:len(body)/2])
		w.(http.Flusher).Flush()
		select { // hold the rest back until the client gives up or the test ends
		case <-r.Context().Done():
		case <-release:
		}
	})
	srv := httptest.NewServer(mux) // listens on 127.0.0.1
	t.Cleanup(func() { close(release); srv.Close() })
	return srv
}

func TestDownload(t *testing.T) {
	body := cifarArchive(t, 2)
	m, s := md5.Sum(body), sha256.Sum256(body)
	md5hex, shahex := hex.EncodeToString(m[:]), hex.EncodeToString(s[:])
	srv := serveArchive(t, body)

	dest := filepath.Join(t.TempDir(), "sub", CIFAR10Archive)
	var calls int
	var last, lastTotal int64
	err := Download(context.Background(), srv.URL+"/ok.tar.gz", dest, DownloadOptions{
		MD5: md5hex, SHA256: shahex,
		Progress: func(done, total int64) { calls++; last, lastTotal = done, total },
	})
	if err != nil {
		t.Fatal(err)
	}
	if calls == 0 || last != int64(len(body)) || lastTotal != int64(len(body)) {
		t.Errorf("progress: %d calls, last (%d, %d), want (%d, %d)", calls, last, lastTotal, len(body), len(body))
	}
	if _, err := os.Stat(dest + ".part"); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("the .part file is left: %v", err)
	}
	// The loader reads what was downloaded.
	train, test, err := LoadCIFAR10With(dest, CIFAROptions{AnyCount: true})
	if err != nil {
		t.Fatal(err)
	}
	checkSynthCIFAR(t, train, test, 2)

	// Without checksums, into an existing file: replaced whole.
	writeFile(t, dest, []byte("old"))
	if err := Download(context.Background(), srv.URL+"/ok.tar.gz", dest, DownloadOptions{}); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(dest); len(b) != len(body) {
		t.Errorf("dest has %d bytes, want %d", len(b), len(body))
	}
}

func TestDownloadFailures(t *testing.T) {
	body := cifarArchive(t, 2)
	m := md5.Sum(body)
	md5hex := hex.EncodeToString(m[:])
	srv := serveArchive(t, body)
	for _, tc := range []struct {
		name, path string
		opt        DownloadOptions
		cancel     bool // cancel the context after the first chunk
		want       string
	}{
		{"bad md5", "/ok.tar.gz", DownloadOptions{MD5: CIFAR10MD5}, false, "MD5 is " + md5hex + ", want " + CIFAR10MD5},
		{"bad sha256", "/ok.tar.gz", DownloadOptions{MD5: md5hex, SHA256: "00" + md5hex + md5hex[2:]}, false, "SHA-256 is"},
		{"malformed md5", "/ok.tar.gz", DownloadOptions{MD5: "xyz"}, false, `the expected MD5 "xyz" is not 32 hex digits`},
		{"404", "/missing.tar.gz", DownloadOptions{}, false, "HTTP 404 Not Found"},
		{"short body", "/short.tar.gz", DownloadOptions{MD5: md5hex}, false, "the body broke off after"},
		{"connection cut", "/cut.tar.gz", DownloadOptions{MD5: md5hex}, false, "the body broke off after"},
		{"cancelled", "/stall.tar.gz", DownloadOptions{MD5: md5hex}, true, "cancelled after"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dest := filepath.Join(t.TempDir(), CIFAR10Archive)
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			if tc.cancel {
				tc.opt.Progress = func(int64, int64) { cancel() }
			}
			err := Download(ctx, srv.URL+tc.path, dest, tc.opt)
			wantErr(t, err, "data: download "+srv.URL+tc.path, tc.want)
			entries, _ := os.ReadDir(filepath.Dir(dest))
			for _, e := range entries {
				t.Errorf("left %s behind", e.Name())
			}
		})
	}
	// A failed download leaves an existing dest as it was.
	dest := filepath.Join(t.TempDir(), CIFAR10Archive)
	writeFile(t, dest, []byte("keep"))
	if err := Download(context.Background(), srv.URL+"/short.tar.gz", dest, DownloadOptions{}); err == nil {
		t.Fatal("short body: no error")
	}
	if b, _ := os.ReadFile(dest); string(b) != "keep" {
		t.Errorf("dest now holds %q", b)
	}
}

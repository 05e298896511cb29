package data

import (
	"context"
	"crypto/md5"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
)

const (
	// CIFAR10URL is the official CIFAR-10 binary archive
	// (https://www.cs.toronto.edu/~kriz/cifar.html).
	CIFAR10URL = "https://www.cs.toronto.edu/~kriz/cifar-10-binary.tar.gz"
	// CIFAR10MD5 is the archive's MD5 as published on that page.
	CIFAR10MD5 = "c32a1d4ab5d03f1284b67883e8d87530"
)

// DownloadOptions tunes Download. The zero value checks nothing, reports nothing and uses
// http.DefaultClient.
type DownloadOptions struct {
	MD5      string                  // expected MD5 of the body, hex; "" skips the check
	SHA256   string                  // expected SHA-256 of the body, hex; "" skips the check
	Progress func(done, total int64) // called after each chunk; total is -1 when unknown
	Client   *http.Client            // nil means http.DefaultClient
}

// Download fetches url into dest. The body streams into dest+".part" in the same folder
// (created if needed) while being hashed; only when the whole body arrived and the checksums
// match is the file synced and renamed to dest, so dest is either absent, as it was, or
// complete. On any failure — HTTP status other than 200, a body shorter than its
// Content-Length, a checksum mismatch, ctx being cancelled — the .part file is removed and
// an error returned.
func Download(ctx context.Context, url, dest string, opt DownloadOptions) (err error) {
	type check struct {
		name, want string
		h          hash.Hash
	}
	var checks []check
	for _, c := range []check{{"MD5", opt.MD5, md5.New()}, {"SHA-256", opt.SHA256, sha256.New()}} {
		if c.want == "" {
			continue
		}
		c.want = strings.ToLower(c.want)
		if b, err := hex.DecodeString(c.want); err != nil || len(b) != c.h.Size() {
			return fmt.Errorf("data: download %s: the expected %s %q is not %d hex digits", url, c.name, c.want, 2*c.h.Size())
		}
		checks = append(checks, c)
	}

	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return fmt.Errorf("data: download %s: %w", url, err)
	}
	// Ask for the bytes as stored: a server that gzips a .tar.gz on the fly would make the
	// transport hand back something else than what the checksum is of.
	req.Header.Set("Accept-Encoding", "identity")
	client := opt.Client
	if client == nil {
		client = http.DefaultClient
	}
	resp, err := client.Do(req)
	if err != nil {
		return fmt.Errorf("data: download %s: %w", url, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("data: download %s: HTTP %s", url, resp.Status)
	}

	if err := os.MkdirAll(filepath.Dir(dest), 0o755); err != nil {
		return fmt.Errorf("data: download %s: %w", url, err)
	}
	part := dest + ".part"
	f, err := os.OpenFile(part, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o644)
	if err != nil {
		return fmt.Errorf("data: download %s: %w", url, err)
	}
	defer func() {
		if err != nil {
			f.Close() // a second Close after a successful one only returns an error
			os.Remove(part)
		}
	}()

	writers := []io.Writer{f}
	for _, c := range checks {
		writers = append(writers, c.h)
	}
	w := io.MultiWriter(writers...)
	total := resp.ContentLength
	var done int64
	buf := make([]byte, 256<<10)
	for {
		n, rerr := resp.Body.Read(buf)
		if n > 0 {
			if _, err := w.Write(buf[:n]); err != nil {
				return fmt.Errorf("data: download %s: writing %s: %w", url, part, err)
			}
			done += int64(n)
			if opt.Progress != nil {
				opt.Progress(done, total)
			}
		}
		if errors.Is(rerr, io.EOF) {
			break
		}
		if rerr != nil {
			if ctx.Err() != nil {
				return fmt.Errorf("data: download %s: cancelled after %d bytes: %w", url, done, ctx.Err())
			}
			return fmt.Errorf("data: download %s: the body broke off after %d of %s bytes: %w", url, done, sizeText(total), rerr)
		}
	}
	if total >= 0 && done != total {
		return fmt.Errorf("data: download %s: got %d of %d bytes", url, done, total)
	}
	for _, c := range checks {
		if got := hex.EncodeToString(c.h.Sum(nil)); got != c.want {
			return fmt.Errorf("data: download %s: %s is %s, want %s (corrupt or different file)", url, c.name, got, c.want)
		}
	}
	if err := f.Sync(); err != nil {
		return fmt.Errorf("data: download %s: syncing %s: %w", url, part, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("data: download %s: closing %s: %w", url, part, err)
	}
	if err := os.Rename(part, dest); err != nil {
		return fmt.Errorf("data: download %s: %w", url, err)
	}
	// Make the rename itself durable; not every system can sync a folder, so this is best effort.
	if d, err := os.Open(filepath.Dir(dest)); err == nil {
		d.Sync()
		d.Close()
	}
	return nil
}

func sizeText(n int64) string {
	if n < 0 {
		return "an unknown number of"
	}
	return fmt.Sprint(n)
}

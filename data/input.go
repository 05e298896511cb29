package data

import (
	"bufio"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
)

// maxDeflateRatio bounds how many bytes one compressed byte can inflate to: "the limit is
// 1032:1" (zlib technical details, https://zlib.net/zlib_tech.html, "Maximum Compression
// Factor"). Only used to size buffers ahead of the data, never to accept or reject input.
const maxDeflateRatio = 1032

// unknownSizeHint is how much a reader of unknown length may allocate ahead of the data.
const unknownSizeHint = 1 << 20

// isGzip reports whether br starts with the gzip member header magic ID1 = 0x1f, ID2 = 0x8b
// (RFC 1952, §2.3.1).
func isGzip(br *bufio.Reader) bool {
	b, _ := br.Peek(2)
	return len(b) == 2 && b[0] == 0x1f && b[1] == 0x8b
}

// decoded is an input after optional gunzipping, with a bound on how many bytes it can yield.
type decoded struct {
	r    io.Reader
	gz   *gzip.Reader // nil for plain input
	hint int64        // most bytes worth allocating ahead of the data
}

// decode wraps br in a gzip reader when it starts with the gzip magic. size is the length of
// the raw input, or -1 when unknown.
func decode(br *bufio.Reader, size int64) (decoded, error) {
	d := decoded{r: br, hint: size}
	if size < 0 {
		d.hint = unknownSizeHint
	}
	if !isGzip(br) {
		return d, nil
	}
	zr, err := gzip.NewReader(br)
	if err != nil {
		return d, fmt.Errorf("corrupt gzip header: %v", err)
	}
	zr.Multistream(false)
	d.r, d.gz = &gzipMembers{br: br, zr: zr}, zr
	if size >= 0 && size < (1<<62)/maxDeflateRatio {
		d.hint = size * maxDeflateRatio
	}
	return d, nil
}

// errNotGzipAfter reports bytes after a gzip member that do not start another member.
var errNotGzipAfter = errors.New("bytes after the end of the gzip stream are not gzip")

// gzipMembers reads a gzip file as the concatenation of its members (RFC 1952, §2.2), one
// member at a time, so that what follows the last member is told apart: nothing (the end),
// another member, or anything else (errNotGzipAfter), where gzip.Reader in multistream mode
// reports a short tail as a truncated header.
type gzipMembers struct {
	br *bufio.Reader
	zr *gzip.Reader
}

func (g *gzipMembers) Read(p []byte) (int, error) {
	for {
		n, err := g.zr.Read(p)
		if n > 0 && errors.Is(err, io.EOF) {
			return n, nil // the next call finds the member's end again
		}
		if !errors.Is(err, io.EOF) {
			return n, err
		}
		if _, err := g.br.Peek(1); errors.Is(err, io.EOF) {
			return 0, io.EOF
		}
		if !isGzip(g.br) {
			return 0, errNotGzipAfter
		}
		if err := g.zr.Reset(g.br); err != nil {
			return 0, fmt.Errorf("corrupt header of a further gzip member: %v", err)
		}
		g.zr.Multistream(false)
	}
}

// streamErr describes an error met while reading want bytes of what (e.g. "data bytes"):
// the end of the data means the input is truncated, anything else from a gzip reader means
// it is corrupt.
func (d decoded) streamErr(err error, got, want int64, what string) error {
	if errors.Is(err, errNotGzipAfter) {
		return fmt.Errorf("truncated: the gzip stream ends after %d of %d %s and is followed by bytes that are not gzip", got, want, what)
	}
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		if d.gz != nil {
			return fmt.Errorf("truncated: the gzip stream ends after %d of %d %s", got, want, what)
		}
		return fmt.Errorf("truncated: %d of %d %s", got, want, what)
	}
	if d.gz != nil {
		return fmt.Errorf("corrupt gzip stream after %d of %d %s: %v", got, want, what, err)
	}
	return err
}

// expectEOF checks that nothing follows the payload and, for gzip, that the stream is whole:
// the CRC-32 and length in the gzip trailer are only checked when the reader reaches EOF.
func (d decoded) expectEOF(payload int64) error {
	var b [1]byte
	n, err := io.ReadFull(d.r, b[:])
	switch {
	case n > 0:
		return fmt.Errorf("trailing garbage after the %d data bytes", payload)
	case errors.Is(err, io.EOF):
		return nil
	case errors.Is(err, errNotGzipAfter):
		return err
	case d.gz != nil && errors.Is(err, io.ErrUnexpectedEOF):
		return errors.New("truncated: the gzip stream ends before its trailer")
	case d.gz != nil:
		return fmt.Errorf("corrupt gzip stream: %v", err)
	default:
		return err
	}
}

// grow returns buf with capacity for at least need bytes, doubling but never beyond limit:
// a buffer grown this way to its declared size ends with no spare capacity.
func grow(buf []byte, need, limit int) []byte {
	if need <= cap(buf) {
		return buf
	}
	c := min(max(2*cap(buf), need, 4096), limit)
	nb := make([]byte, len(buf), c)
	copy(nb, buf)
	return nb
}

// readExact reads exactly n bytes from r. It allocates at most hint bytes (and at least 4 KiB)
// before data arrives and grows as it does, so a short input that declares a huge n costs
// little. On error it returns how many bytes arrived.
func readExact(r io.Reader, n int, hint int64) ([]byte, int, error) {
	buf := make([]byte, 0, min(int64(n), max(hint, 4096)))
	for len(buf) < n {
		buf = grow(buf, len(buf)+1, n)
		m, err := io.ReadFull(r, buf[len(buf):cap(buf)])
		buf = buf[:len(buf)+m]
		if err != nil {
			return nil, len(buf), err
		}
	}
	return buf, n, nil
}

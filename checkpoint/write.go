package checkpoint

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"io"
	"math"
	"math/bits"
	"slices"
	"strconv"
	"unicode/utf8"

	"github.com/fgrelu/fgrelu/internal/atomicfile"
)

// MaxHeaderSize is the largest JSON header Read accepts and Write produces: 100 MB, the
// limit of the reference implementation (MAX_HEADER_SIZE in safetensors/src/tensor.rs).
const MaxHeaderSize = 100_000_000

// metadataKey is the reserved header key of the string-to-string metadata object.
const metadataKey = "__metadata__"

// chunkSize is the size of the buffer through which tensor data is encoded and decoded; a
// multiple of every element size.
const chunkSize = 64 << 10

// Save writes f to path in the safetensors format, atomically: path holds either its old
// content or all of f, never part of it (see package atomicfile).
func Save(path string, f *File) error {
	header, err := encodeHeader(f)
	if err != nil {
		return fmt.Errorf("checkpoint: save %s: %w", path, err)
	}
	return atomicfile.WriteFile(path, func(w io.Writer) error {
		return writeEncoded(w, header, f)
	})
}

// Write writes f to w in the safetensors format. The output depends only on f: the tensors'
// data follow each other in the order of f.Tensors, the header lists "__metadata__" (keys
// sorted) and then the tensors in that order, and the header is padded with spaces so that
// the data buffer starts 8-byte aligned, as the format allows.
//
// Write does not reorder tensors, so a tensor is aligned to its element size in the file
// only if the bytes before it are a multiple of that size. Readers that map the file rather
// than copy it prefer aligned tensors (the reference writer orders by alignment, widest
// first); putting F64/I64, then F32, then U8 tensors gives that.
func Write(w io.Writer, f *File) error {
	header, err := encodeHeader(f)
	if err != nil {
		return fmt.Errorf("checkpoint: %w", err)
	}
	return writeEncoded(w, header, f)
}

func writeEncoded(w io.Writer, header []byte, f *File) error {
	// The first 8 bytes: the header size as a little-endian u64 (safetensors README, "Format").
	var size [8]byte
	binary.LittleEndian.PutUint64(size[:], uint64(len(header)))
	if _, err := w.Write(size[:]); err != nil {
		return fmt.Errorf("checkpoint: %w", err)
	}
	if _, err := w.Write(header); err != nil {
		return fmt.Errorf("checkpoint: %w", err)
	}
	buf := make([]byte, 0, chunkSize)
	for i := range f.Tensors {
		if err := writeData(w, &f.Tensors[i], buf); err != nil {
			return fmt.Errorf("checkpoint: tensor %s: %w", f.Tensors[i].Name, err)
		}
	}
	return nil
}

// encodeHeader checks f and returns its JSON header, padded with spaces to a multiple of 8.
func encodeHeader(f *File) ([]byte, error) {
	var h bytes.Buffer
	h.WriteByte('{')
	if len(f.Metadata) > 0 {
		keys := make([]string, 0, len(f.Metadata))
		for k := range f.Metadata {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		writeJSONString(&h, metadataKey)
		h.WriteString(":{")
		for i, k := range keys {
			v := f.Metadata[k]
			if !utf8.ValidString(k) || !utf8.ValidString(v) {
				return nil, fmt.Errorf("metadata %q: key or value is not valid UTF-8", k)
			}
			if i > 0 {
				h.WriteByte(',')
			}
			writeJSONString(&h, k)
			h.WriteByte(':')
			writeJSONString(&h, v)
		}
		h.WriteByte('}')
	}
	seen := make(map[string]bool, len(f.Tensors))
	var offset uint64
	for i := range f.Tensors {
		t := &f.Tensors[i]
		switch {
		case t.Name == metadataKey:
			return nil, fmt.Errorf("tensor name %s is reserved for metadata", metadataKey)
		case !utf8.ValidString(t.Name):
			return nil, fmt.Errorf("tensor name %q is not valid UTF-8", t.Name)
		case seen[t.Name]:
			return nil, fmt.Errorf("two tensors named %s", t.Name)
		}
		seen[t.Name] = true
		if err := t.check(); err != nil {
			return nil, err
		}
		n, _ := numel(t.Shape) // checked above
		hi, nbytes := bits.Mul64(n, uint64(t.DType.Size()))
		end, carry := bits.Add64(offset, nbytes, 0)
		if hi != 0 || carry != 0 || end > math.MaxInt64 {
			return nil, fmt.Errorf("tensor %s: data too large", t.Name)
		}
		if h.Len() > 1 {
			h.WriteByte(',')
		}
		writeJSONString(&h, t.Name)
		h.WriteString(`:{"dtype":`)
		writeJSONString(&h, string(t.DType))
		h.WriteString(`,"shape":[`)
		for j, d := range t.Shape {
			if j > 0 {
				h.WriteByte(',')
			}
			h.WriteString(strconv.Itoa(d))
		}
		h.WriteString(`],"data_offsets":[`)
		h.WriteString(strconv.FormatUint(offset, 10))
		h.WriteByte(',')
		h.WriteString(strconv.FormatUint(end, 10))
		h.WriteString("]}")
		offset = end
	}
	h.WriteByte('}')
	// Pad with spaces so that 8+N, the start of the data buffer, is a multiple of 8.
	for h.Len()%8 != 0 {
		h.WriteByte(' ')
	}
	if h.Len() > MaxHeaderSize {
		return nil, fmt.Errorf("header of %d bytes exceeds the limit of %d", h.Len(), MaxHeaderSize)
	}
	return h.Bytes(), nil
}

// writeJSONString writes s, valid UTF-8, as a JSON string (RFC 8259, section 7): quote,
// backslash and control characters escaped, everything else as is.
func writeJSONString(b *bytes.Buffer, s string) {
	const hex = "0123456789abcdef"
	b.WriteByte('"')
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '"' || c == '\\':
			b.WriteByte('\\')
			b.WriteByte(c)
		case c < 0x20:
			b.WriteString(`\u00`)
			b.WriteByte(hex[c>>4])
			b.WriteByte(hex[c&0xf])
		default:
			b.WriteByte(c)
		}
	}
	b.WriteByte('"')
}

// writeData writes t's elements little-endian through buf, a chunk at a time.
func writeData(w io.Writer, t *Tensor, buf []byte) error {
	flush := func() error {
		_, err := w.Write(buf)
		buf = buf[:0]
		return err
	}
	le := binary.LittleEndian
	switch t.DType {
	case U8:
		_, err := w.Write(t.U8)
		return err
	case F32:
		for _, v := range t.F32 {
			if len(buf)+4 > cap(buf) {
				if err := flush(); err != nil {
					return err
				}
			}
			buf = le.AppendUint32(buf, math.Float32bits(v))
		}
	case F64:
		for _, v := range t.F64 {
			if len(buf)+8 > cap(buf) {
				if err := flush(); err != nil {
					return err
				}
			}
			buf = le.AppendUint64(buf, math.Float64bits(v))
		}
	case I64:
		for _, v := range t.I64 {
			if len(buf)+8 > cap(buf) {
				if err := flush(); err != nil {
					return err
				}
			}
			buf = le.AppendUint64(buf, uint64(v))
		}
	}
	if len(buf) > 0 {
		return flush()
	}
	return nil
}

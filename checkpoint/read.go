package checkpoint

import (
	"cmp"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"math/bits"
	"os"
	"slices"
)

// Load reads the safetensors file at path; see Read.
func Load(path string) (*File, error) {
	fh, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("checkpoint: %w", err)
	}
	defer fh.Close()
	fi, err := fh.Stat()
	if err != nil {
		return nil, fmt.Errorf("checkpoint: %w", err)
	}
	if !fi.Mode().IsRegular() {
		return nil, fmt.Errorf("checkpoint: %s: not a regular file", path)
	}
	f, err := read(fh, fi.Size())
	if err != nil {
		return nil, fmt.Errorf("checkpoint: %s: %w", path, err)
	}
	return f, nil
}

// Read reads a safetensors file of size bytes from r. It checks everything the format
// requires before it trusts it: the header size against the file and MaxHeaderSize; the
// header as strict UTF-8 JSON (unknown fields, duplicate names, unsupported dtypes and values
// of the wrong type are errors); each tensor's shape, dtype and data_offsets against each
// other, with overflow checks, and against the data buffer; and that the tensors cover the
// data buffer exactly, with no hole or overlap. Only then does it allocate the tensors, which
// together take exactly the data buffer's size.
//
// size must be r's size: a file shorter than size is an error, bytes after it are not read.
// The tensors come back in data-offset order, and Metadata is never nil.
func Read(r io.ReaderAt, size int64) (*File, error) {
	f, err := read(r, size)
	if err != nil {
		return nil, fmt.Errorf("checkpoint: %w", err)
	}
	return f, nil
}

func read(r io.ReaderAt, size int64) (*File, error) {
	// Layout (safetensors README, "Format"): an 8-byte little-endian u64 N, N bytes of JSON
	// header, then the data buffer, the rest of the file.
	if size < 8 {
		return nil, fmt.Errorf("file of %d bytes is too short for the 8-byte header size", size)
	}
	var nb [8]byte
	if err := readAt(r, nb[:], 0); err != nil {
		return nil, fmt.Errorf("reading the header size: %w", err)
	}
	n := binary.LittleEndian.Uint64(nb[:])
	if n > MaxHeaderSize {
		return nil, fmt.Errorf("header size %d exceeds the limit of %d bytes", n, MaxHeaderSize)
	}
	if n > uint64(size-8) {
		return nil, fmt.Errorf("header size %d exceeds the %d bytes that follow it", n, size-8)
	}
	header := make([]byte, n)
	if err := readAt(r, header, 8); err != nil {
		return nil, fmt.Errorf("reading the %d-byte header: %w", n, err)
	}
	meta, entries, err := parseHeader(header)
	if err != nil {
		return nil, fmt.Errorf("header: %w", err)
	}
	dataStart := 8 + int64(n)
	dataLen := uint64(size - dataStart)
	if err := checkLayout(entries, dataLen); err != nil {
		return nil, err
	}

	// Everything is consistent with size; make sure the file really is that long before
	// allocating for it, so that a wrong size cannot make us allocate for absent data.
	if dataLen > 0 {
		var last [1]byte
		if err := readAt(r, last[:], size-1); err != nil {
			return nil, fmt.Errorf("file shorter than its stated %d bytes: %w", size, err)
		}
	}

	f := &File{Metadata: meta, Tensors: make([]Tensor, len(entries))}
	data := io.NewSectionReader(r, dataStart, int64(dataLen))
	buf := make([]byte, min(chunkSize, max(dataLen, 8))) // room for one element at least
	for i, e := range entries {
		t := &f.Tensors[i]
		t.Name, t.DType, t.Shape = e.name, e.dtype, e.shape
		if err := readData(data, t, e.numel, buf); err != nil {
			return nil, fmt.Errorf("tensor %q: reading its data: %w", e.name, err)
		}
	}
	return f, nil
}

// readAt fills p from r at off; a short read is an error, an io.EOF with a full p is not.
func readAt(r io.ReaderAt, p []byte, off int64) error {
	n, err := r.ReadAt(p, off)
	if n == len(p) {
		return nil
	}
	if err == nil || errors.Is(err, io.EOF) {
		err = io.ErrUnexpectedEOF
	}
	return err
}

// checkLayout checks each tensor's byte count against its dtype and shape, and that the
// tensors, sorted by offset, cover [0, dataLen) exactly: safetensors README, "the byte
// buffer needs to be entirely indexed, and cannot contain holes", and no two tensors may
// share bytes. It sorts entries into data-offset order.
func checkLayout(entries []entry, dataLen uint64) error {
	for i := range entries {
		e := &entries[i]
		numel, err := numel(e.shape)
		if err != nil {
			return fmt.Errorf("tensor %q: %v", e.name, err)
		}
		hi, nbytes := bits.Mul64(numel, uint64(e.dtype.Size()))
		switch {
		case e.begin > e.end:
			return fmt.Errorf("tensor %q: data_offsets [%d, %d] end before they begin", e.name, e.begin, e.end)
		case e.end > dataLen:
			return fmt.Errorf("tensor %q: data_offsets [%d, %d] reach past the %d-byte data buffer", e.name, e.begin, e.end, dataLen)
		case hi != 0 || nbytes != e.end-e.begin:
			return fmt.Errorf("tensor %q: dtype %s and shape %v need %d elements of %d bytes, data_offsets [%d, %d] hold %d bytes",
				e.name, e.dtype, e.shape, numel, e.dtype.Size(), e.begin, e.end, e.end-e.begin)
		}
		e.numel = int(numel) // numel <= nbytes <= dataLen, which fits an int64
	}
	slices.SortFunc(entries, func(a, b entry) int {
		return cmp.Or(cmp.Compare(a.begin, b.begin), cmp.Compare(a.end, b.end), cmp.Compare(a.name, b.name))
	})
	var pos uint64
	for i, e := range entries {
		switch {
		case e.begin < pos:
			return fmt.Errorf("tensor %q: data_offsets [%d, %d] overlap tensor %q", e.name, e.begin, e.end, entries[i-1].name)
		case e.begin > pos:
			return fmt.Errorf("bytes [%d, %d) of the data buffer belong to no tensor", pos, e.begin)
		}
		pos = e.end
	}
	if pos != dataLen {
		return fmt.Errorf("bytes [%d, %d) of the data buffer belong to no tensor", pos, dataLen)
	}
	return nil
}

// readData allocates t's elements and reads them, little-endian, from r through buf.
func readData(r io.Reader, t *Tensor, numel int, buf []byte) error {
	if t.DType == U8 {
		t.U8 = make([]uint8, numel)
		_, err := io.ReadFull(r, t.U8)
		return err
	}
	size := t.DType.Size()
	switch t.DType {
	case F32:
		t.F32 = make([]float32, numel)
	case F64:
		t.F64 = make([]float64, numel)
	case I64:
		t.I64 = make([]int64, numel)
	}
	le := binary.LittleEndian
	for i := 0; i < numel; {
		k := min(numel-i, len(buf)/size)
		chunk := buf[:k*size]
		if _, err := io.ReadFull(r, chunk); err != nil {
			return err
		}
		for j := range k {
			b := chunk[j*size:]
			switch t.DType {
			case F32:
				t.F32[i+j] = math.Float32frombits(le.Uint32(b))
			case F64:
				t.F64[i+j] = math.Float64frombits(le.Uint64(b))
			case I64:
				t.I64[i+j] = int64(le.Uint64(b))
			}
		}
		i += k
	}
	return nil
}

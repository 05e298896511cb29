package checkpoint

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"unicode/utf8"
)

// entry is one tensor as the header describes it, before its data is read.
type entry struct {
	name       string
	dtype      DType
	shape      []int
	begin, end uint64 // data_offsets, relative to the start of the data buffer
	numel      int    // set by checkLayout
}

// parseHeader parses the JSON header strictly: one object whose keys are unique tensor names
// plus an optional "__metadata__" object of strings (safetensors README, "Format"); each
// tensor is an object with exactly "dtype" (a supported dtype), "shape" (non-negative
// integers) and "data_offsets" (two non-negative integers). Anything else is an error.
//
// It walks the tokens itself, rather than unmarshalling into Go values, because
// encoding/json accepts duplicate keys (the last one wins) and would hide them.
func parseHeader(header []byte) (map[string]string, []entry, error) {
	// The reference implementation also requires the JSON to start at the first byte.
	if len(header) == 0 || header[0] != '{' {
		return nil, nil, errors.New("does not start with '{'")
	}
	// encoding/json replaces invalid UTF-8 silently; the format requires UTF-8.
	if !utf8.Valid(header) {
		return nil, nil, errors.New("is not valid UTF-8")
	}
	d := json.NewDecoder(bytes.NewReader(header))
	d.UseNumber()
	if err := expectDelim(d, '{'); err != nil {
		return nil, nil, err
	}
	meta := map[string]string{}
	var entries []entry
	seen := map[string]bool{}
	for d.More() {
		name, err := key(d)
		if err != nil {
			return nil, nil, err
		}
		if seen[name] {
			if name == metadataKey {
				return nil, nil, fmt.Errorf("%s appears twice", metadataKey)
			}
			return nil, nil, fmt.Errorf("tensor %q appears twice", name)
		}
		seen[name] = true
		if name == metadataKey {
			if meta, err = parseMetadata(d); err != nil {
				return nil, nil, fmt.Errorf("%s: %w", metadataKey, err)
			}
			continue
		}
		e, err := parseEntry(d, name)
		if err != nil {
			return nil, nil, fmt.Errorf("tensor %q: %w", name, err)
		}
		entries = append(entries, e)
	}
	if err := expectDelim(d, '}'); err != nil {
		return nil, nil, err
	}
	// Only whitespace (the format pads with spaces) may follow the object.
	if tok, err := d.Token(); err != io.EOF { // the one place where the end is expected
		if err != nil {
			return nil, nil, err
		}
		return nil, nil, fmt.Errorf("%s after the header object", describe(tok))
	}
	return meta, entries, nil
}

func parseMetadata(d *json.Decoder) (map[string]string, error) {
	if err := expectDelim(d, '{'); err != nil {
		return nil, err
	}
	meta := map[string]string{}
	for d.More() {
		k, err := key(d)
		if err != nil {
			return nil, err
		}
		if _, dup := meta[k]; dup {
			return nil, fmt.Errorf("key %q appears twice", k)
		}
		tok, err := next(d)
		if err != nil {
			return nil, err
		}
		v, ok := tok.(string)
		if !ok {
			return nil, fmt.Errorf("key %q: want a string, got %s", k, describe(tok))
		}
		meta[k] = v
	}
	return meta, expectDelim(d, '}')
}

func parseEntry(d *json.Decoder, name string) (entry, error) {
	e := entry{name: name}
	if err := expectDelim(d, '{'); err != nil {
		return e, err
	}
	var haveDType, haveShape, haveOffsets bool
	for d.More() {
		k, err := key(d)
		if err != nil {
			return e, err
		}
		switch k {
		case "dtype":
			if haveDType {
				return e, errors.New("dtype appears twice")
			}
			haveDType = true
			tok, err := next(d)
			if err != nil {
				return e, err
			}
			s, ok := tok.(string)
			if !ok {
				return e, fmt.Errorf("dtype: want a string, got %s", describe(tok))
			}
			e.dtype = DType(s)
			if e.dtype.Size() == 0 {
				return e, fmt.Errorf("unsupported dtype %q (want F32, F64, I64 or U8)", s)
			}
		case "shape":
			if haveShape {
				return e, errors.New("shape appears twice")
			}
			haveShape = true
			dims, err := uints(d, "shape", -1)
			if err != nil {
				return e, err
			}
			e.shape = make([]int, len(dims))
			for i, v := range dims {
				if v > maxInt {
					return e, fmt.Errorf("shape: dimension %d is too large", v)
				}
				e.shape[i] = int(v)
			}
		case "data_offsets":
			if haveOffsets {
				return e, errors.New("data_offsets appears twice")
			}
			haveOffsets = true
			offs, err := uints(d, "data_offsets", 2)
			if err != nil {
				return e, err
			}
			e.begin, e.end = offs[0], offs[1]
		default:
			return e, fmt.Errorf("unknown field %q", k)
		}
	}
	if err := expectDelim(d, '}'); err != nil {
		return e, err
	}
	switch {
	case !haveDType:
		return e, errors.New("no dtype")
	case !haveShape:
		return e, errors.New("no shape")
	case !haveOffsets:
		return e, errors.New("no data_offsets")
	}
	return e, nil
}

// uints reads an array of non-negative integers; n >= 0 requires exactly n of them.
func uints(d *json.Decoder, field string, n int) ([]uint64, error) {
	want := "an array of non-negative integers"
	if n >= 0 {
		want = fmt.Sprintf("an array of %d non-negative integers", n)
	}
	tok, err := next(d)
	if err != nil {
		return nil, err
	}
	if tok != json.Delim('[') {
		return nil, fmt.Errorf("%s: want %s, got %s", field, want, describe(tok))
	}
	var vs []uint64
	for d.More() {
		tok, err := next(d)
		if err != nil {
			return nil, err
		}
		num, ok := tok.(json.Number)
		if !ok {
			return nil, fmt.Errorf("%s: want %s, got %s", field, want, describe(tok))
		}
		v, err := strconv.ParseUint(string(num), 10, 64)
		if err != nil {
			return nil, fmt.Errorf("%s: want %s, got %s", field, want, describe(tok))
		}
		if n >= 0 && len(vs) == n {
			return nil, fmt.Errorf("%s: want %s, got more", field, want)
		}
		vs = append(vs, v)
	}
	if n >= 0 && len(vs) != n {
		return nil, fmt.Errorf("%s: want %s, got %d", field, want, len(vs))
	}
	return vs, expectDelim(d, ']')
}

// key reads an object key; inside an object the decoder only ever returns strings there.
func key(d *json.Decoder) (string, error) {
	tok, err := next(d)
	if err != nil {
		return "", err
	}
	k, ok := tok.(string)
	if !ok {
		return "", fmt.Errorf("want an object key, got %s", describe(tok))
	}
	return k, nil
}

func expectDelim(d *json.Decoder, want json.Delim) error {
	tok, err := next(d)
	if err != nil {
		return err
	}
	if tok != want {
		return fmt.Errorf("want '%v', got %s", want, describe(tok))
	}
	return nil
}

// describe names a JSON token for an error message, cut short if long.
func describe(tok json.Token) string {
	const max = 40
	var s string
	switch v := tok.(type) {
	case json.Delim:
		return fmt.Sprintf("'%v'", v)
	case string:
		s = "string " + strconv.Quote(v)
	case json.Number:
		s = "number " + string(v)
	case bool:
		return fmt.Sprintf("%v", v)
	case nil:
		return "null"
	default:
		s = fmt.Sprintf("%v", v)
	}
	if len(s) > max {
		i := max
		for !utf8.RuneStart(s[i]) {
			i--
		}
		s = s[:i] + "…"
	}
	return s
}

// next reads a token; the header ending inside the object is an unexpected EOF.
func next(d *json.Decoder) (json.Token, error) {
	tok, err := d.Token()
	if err == io.EOF {
		err = io.ErrUnexpectedEOF
	}
	return tok, err
}

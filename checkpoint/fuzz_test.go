package checkpoint

import (
	"bytes"
	"encoding/binary"
	"testing"
)

// smallSample is a valid file with every dtype, kept small so that the fuzzer mutates it fast.
func smallSample() *File {
	f := &File{Metadata: map[string]string{"format_version": "1", "config": `{"lr":0.001}`}}
	f.AddF32("E1.weight", []int{2, 3}, []float32{1, -2, 3.5, 0, -0.25, 1e-8})
	f.AddF32("E1.bias", []int{2}, []float32{0.5, -0.5})
	f.AddF64("f64", nil, []float64{2.5})
	f.AddI64("step", []int{1}, []int64{1234})
	f.AddF32("empty", []int{0}, nil)
	f.AddU8("rng", []int{5}, []uint8{1, 2, 3, 4, 5})
	return f
}

// FuzzRead feeds Read arbitrary bytes. Whatever it is given, Read must return an error or a
// file, never panic; and a file it accepts must account for every byte of the input and
// survive a Write/Read round trip unchanged.
func FuzzRead(f *testing.F) {
	f.Add(writeBytes(f, smallSample()))
	f.Add(writeBytes(f, &File{}))
	f.Add(rawFile(`{"__metadata__":{"a":"b"},"x":{"dtype":"U8","shape":[2],"data_offsets":[0,2]}}`, []byte{1, 2}))
	for _, c := range badFiles() {
		f.Add(c.file)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		got, err := readBytes(b)
		if err != nil {
			return
		}
		n := binary.LittleEndian.Uint64(b)
		var data int
		for i := range got.Tensors {
			tn := &got.Tensors[i]
			data += 4*len(tn.F32) + 8*len(tn.F64) + 8*len(tn.I64) + len(tn.U8)
		}
		if uint64(data) != uint64(len(b))-8-n {
			t.Fatalf("accepted a file of %d bytes with an %d-byte header and %d bytes of tensors", len(b), n, data)
		}
		var w bytes.Buffer
		if err := Write(&w, got); err != nil {
			t.Fatalf("Write refused what Read accepted: %v", err)
		}
		again, err := readBytes(w.Bytes())
		if err != nil {
			t.Fatalf("Read refused what Write wrote: %v", err)
		}
		if !sameFile(got, again) {
			t.Fatal("a Write/Read round trip changed the file")
		}
		var w2 bytes.Buffer
		if err := Write(&w2, again); err != nil || !bytes.Equal(w.Bytes(), w2.Bytes()) {
			t.Fatalf("writing the same file twice gave different bytes (%v)", err)
		}
	})
}

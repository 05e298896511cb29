package checkpoint_test

import (
	"fmt"
	"log"
	"os"
	"path/filepath"

	"github.com/fgrelu/fgrelu/checkpoint"
)

func ExampleSave() {
	dir, err := os.MkdirTemp("", "checkpoint-example")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "model.safetensors")

	f := &checkpoint.File{Metadata: map[string]string{"format_version": "1", "epoch": "3"}}
	f.AddF32("E1.weight", []int{2, 3}, []float32{1, 2, 3, 4, 5, 6})
	f.AddF32("E1.bias", []int{2}, []float32{0.5, -0.5})
	f.AddU8("rng", []int{4}, []uint8{0xde, 0xad, 0xbe, 0xef})
	if err := checkpoint.Save(path, f); err != nil {
		log.Fatal(err)
	}

	g, err := checkpoint.Load(path)
	if err != nil {
		log.Fatal(err)
	}
	w, err := g.F32("E1.weight", 2, 3)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("E1.weight:", w)
	fmt.Println("epoch:", g.Metadata["epoch"])
	_, err = g.F32("E1.weight", 3, 2)
	fmt.Println(err)
	// Output:
	// E1.weight: [1 2 3 4 5 6]
	// epoch: 3
	// checkpoint: tensor E1.weight has shape [2 3], model wants [3 2]
}

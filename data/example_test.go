package data_test

import (
	"fmt"
	"math/rand/v2"

	"github.com/fgrelu/fgrelu/data"
)

// Load finds MNIST in the module cache: the files come with the GoMNIST module this package
// requires.
func ExampleLoad() {
	train, test, err := data.Load("mnist", "")
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(train.Name, train.N, "images of", train.H, "×", train.W, "×", train.C)
	fmt.Println(test.Name, test.N, "images in", test.Classes, "classes:", test.ClassNames)
	// Output:
	// mnist/train 60000 images of 28 × 28 × 1
	// mnist/test 10000 images in 10 classes: [0 1 2 3 4 5 6 7 8 9]
}

// One epoch: shuffle with a seeded generator, cut batches, gather each as float32.
func ExamplePermutation() {
	// Five 1×1 grey images.
	ds := &data.Dataset{Name: "toy", Pixels: []uint8{0, 51, 102, 153, 255}, Labels: []uint8{0, 1, 0, 1, 1},
		N: 5, H: 1, W: 1, C: 1, Classes: 2}
	r := rand.New(rand.NewPCG(1, 2)) // seeded from the run's configuration
	for _, idx := range data.Batches(data.Permutation(ds.N, r), 2) {
		x := make([]float32, len(idx)*ds.Features()) // a (len(idx), H, W, C) batch
		y := make([]int, len(idx))
		ds.Gather(x, idx)
		ds.GatherLabels(y, idx)
		fmt.Println(idx, x, y)
	}
	// Output:
	// [1 4] [0.2 1] [1 1]
	// [2 0] [0.4 0] [0 0]
	// [3] [0.6] [1]
}

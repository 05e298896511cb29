package train_test

import (
	"context"
	"fmt"

	"github.com/fgrelu/fgrelu/config"
	"github.com/fgrelu/fgrelu/data"
	"github.com/fgrelu/fgrelu/train"
)

// Train a small feedback autoencoder on the first 300 MNIST training images for two epochs,
// evaluating both passes on 100 test images after each epoch. The history holds one row per
// epoch, split and pass.
func ExampleRun() {
	trainSet, testSet, err := data.Load("mnist", "")
	if err != nil {
		fmt.Println(err)
		return
	}
	cfg, err := config.Load("",
		"model.arch=custom", "model.input=[28, 28, 1]", "model.loss=bce",
		"model.layers=[{name: E1, type: dense, units: 64}, {name: E2, type: dense, units: 10}, "+
			"{name: D1, type: dense, units: 64}, {name: D2, type: dense, units: 784}]",
		"model.topology=partial", // D1 → E1
		"model.passes=2", "train.epochs=2", "train.batch_size=50")
	if err != nil {
		fmt.Println(err)
		return
	}
	res, err := train.Run(context.Background(), cfg, trainSet.Head(300), testSet.Head(100), train.Options{})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(len(res.History), "rows")
	var last []float64 // test loss of the last pass, by epoch
	for _, r := range res.History {
		fmt.Printf("epoch %d  step %2d  %-5s  pass %d\n", r.Epoch, r.Step, r.Split, r.Pass)
		if r.Split == "test" && r.Pass == cfg.Model.Passes {
			last = append(last, r.Loss)
		}
	}
	fmt.Printf("test loss of pass 2 by epoch: %.2f\n", last)
	// Output:
	// 8 rows
	// epoch 1  step  6  train  pass 1
	// epoch 1  step  6  train  pass 2
	// epoch 1  step  6  test   pass 1
	// epoch 1  step  6  test   pass 2
	// epoch 2  step 12  train  pass 1
	// epoch 2  step 12  train  pass 2
	// epoch 2  step 12  test   pass 1
	// epoch 2  step 12  test   pass 2
	// test loss of pass 2 by epoch: [0.67 0.59]
}

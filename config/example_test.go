package config_test

import (
	"fmt"
	"strings"

	"github.com/fgrelu/fgrelu/config"
)

// Load starts from the defaults, merges a file (none here) and applies overrides, then
// validates the result.
func ExampleLoad() {
	c, err := config.Load("", "model.beta_max=0.9", "train.lr=5e-4", "model.topology=comprehensive", "model.passes=4")
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(c.Model.Arch, c.Model.Topology, "T =", c.Model.Passes, "β_max =", c.Model.BetaMax, "η =", c.Model.Eta)
	fmt.Println("lr", c.Train.LR, "batch", c.Train.BatchSize, "dataset", c.Dataset())
	fmt.Println("loss weights per pass", c.LossWeights())
	// Output:
	// mnist-ae comprehensive T = 4 β_max = 0.9 η = 5
	// lr 0.0005 batch 128 dataset mnist
	// loss weights per pass [0.25 0.25 0.25 0.25]
}

// Unknown keys and invalid values are refused by name.
func ExampleLoad_errors() {
	_, err := config.Load("", "model.bogus=1")
	msg, _, _ := strings.Cut(err.Error(), " (known here") // the rest lists the keys there are
	fmt.Println(msg)
	_, err = config.Load("", "model.beta_max=1")
	fmt.Println(err)
	_, err = config.Load("", "train.epochs=three")
	fmt.Println(err)
	// Output:
	// config: unknown key model.bogus
	// config: model.beta_max: 1, must lie in (0, 1): 1 divides by zero, more gives a negative slope
	// config: train.epochs: a string cannot be int
}

// A Builder layers a YAML document and overrides on any base.
func ExampleBuilder() {
	b := config.NewBuilder(config.Default())
	err := b.Bytes([]byte("model:\n  bottleneck: 196\n  topology: none\n  passes: 1\ntrain:\n  epochs: 30\n"), false)
	if err != nil {
		fmt.Println(err)
		return
	}
	if err := b.Set("seed=7"); err != nil {
		fmt.Println(err)
		return
	}
	c, err := b.Config()
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("seed", c.Seed, "bottleneck", c.Model.Bottleneck, "topology", c.Model.Topology, "epochs", c.Train.Epochs)
	// Output:
	// seed 7 bottleneck 196 topology none epochs 30
}

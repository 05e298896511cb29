package experiment_test

import (
	"fmt"

	"github.com/fgrelu/fgrelu/experiment"
)

// The paper's experiments in the paper's order; the CIFAR-10 ones need the CIFAR-10 archive.
func ExampleAll() {
	for _, e := range experiment.All() {
		dataset := "MNIST"
		if e.CIFAR {
			dataset = "CIFAR-10"
		}
		fmt.Printf("%-14s %s\n", e.Name, dataset)
	}
	// Output:
	// mnist-ae       MNIST
	// mnist-ae-b10   MNIST
	// timesteps      MNIST
	// comprehensive  MNIST
	// histogram      MNIST
	// constant-gain  MNIST
	// noise          MNIST
	// grid           MNIST
	// threshold      MNIST
	// tsne           MNIST
	// contrast       MNIST
	// dead-units     MNIST
	// sensitivity    MNIST
	// cifar-ae       CIFAR-10
	// cifar-noise    CIFAR-10
	// cifar-cls      CIFAR-10
}

// An experiment expands, for a profile, into runs: one configuration and one repeat each.
// Index i of the plan's list is what `fgrelu experiment NAME --index i` runs.
func ExampleExperiment_Runs() {
	e, err := experiment.ByName("noise")
	if err != nil {
		fmt.Println(err)
		return
	}
	// A profile of one's own: two repeats of one epoch on 2000 images. The named ones are
	// experiment.Profiles["quick"] and ["paper"].
	tiny := experiment.Profile{Name: "tiny", Repeats: 2, GridRepeats: 1, Epochs: 1, TrainLimit: 2000, TestLimit: 500,
		Noise: []float64{0, 1, 2}, Contrast: []float64{0.5, 1}, TSNEPoints: 100}
	plan := experiment.Plan{Profile: tiny, Items: []experiment.PlanItem{{Exp: e, Dataset: "mnist"}}}
	specs, err := plan.Specs()
	if err != nil {
		fmt.Println(err)
		return
	}
	for i, s := range specs {
		c := s.Config
		fmt.Printf("%d  %-16s repeat %d  seed %d  topology %-7s  passes %d  epochs %d\n",
			i, s.Label, s.Repeat, c.Seed, c.Model.Topology, c.Model.Passes, c.Train.Epochs)
	}
	// Output:
	// 0  standard         repeat 0  seed 1  topology none     passes 1  epochs 1
	// 1  standard         repeat 1  seed 2  topology none     passes 1  epochs 1
	// 2  partial feedback repeat 0  seed 1  topology partial  passes 2  epochs 1
	// 3  partial feedback repeat 1  seed 2  topology partial  passes 2  epochs 1
}

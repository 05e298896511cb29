package experiment

import "fmt"

// Profile sets the scale of a reproduction.
type Profile struct {
	Name        string
	Purpose     string    // what the profile is for, in a few words
	Repeats     int       // repeats of every configuration (grid cells: GridRepeats)
	GridRepeats int       // repeats of each grid cell
	Epochs      int       // MNIST epochs
	TrainLimit  int       // MNIST training examples (0 = all 60 000)
	TestLimit   int       // MNIST test examples (0 = all 10 000)
	CIFAREpochs int       // CIFAR autoencoder epochs
	ClsEpochs   int       // CIFAR classifier epochs
	CIFARLimit  int       // CIFAR autoencoder training examples (0 = all 50 000)
	ClsLimit    int       // CIFAR classifier training examples (0 = all 50 000)
	CIFARTest   int       // CIFAR test examples (0 = all 10 000)
	FullGrid    bool      // every cell of both grids (and the full sensitivity study), or a labelled subset
	TSNEPoints  int       // test points embedded by t-SNE
	Noise       []float64 // σ of the noise sweeps
	Contrast    []float64 // contrast factors

	// Optional sizes; zero values keep the sizes above.
	GridEpochs   int       // epochs of a grid cell (0: Epochs)
	Grid         *GridAxes // the grids' axes (nil: all of them with FullGrid, else the quick subset)
	CIFARRepeats int       // repeats of the CIFAR-10 runs (0: Repeats)
	StudyEpochs  int       // MNIST epochs of the sensitivity study without FullGrid (0: 2)
	StudyLimit   int       // its training examples (0: 6 000)
}

// GridAxes are the β_max and η values of the two grids of appendix 7.1; each grid is every
// pair of its values.
type GridAxes struct {
	Betas1, Etas1, Betas2, Etas2 []float64
}

// Profiles are the named scales. Quick shows everything in about a quarter of an hour on two
// cores; paper runs the paper's scale (10 repeats, full grids, the whole test set in t-SNE).
var Profiles = map[string]Profile{
	"quick": {Name: "quick", Purpose: "shows every figure and number; with 3 pairs it decides nothing",
		Repeats: 3, GridRepeats: 2, Epochs: 3, TrainLimit: 10000,
		CIFAREpochs: 2, ClsEpochs: 2, CIFARLimit: 4000, ClsLimit: 2000, CIFARTest: 1000, TSNEPoints: 2000,
		Noise: []float64{0, 0.5, 1, 2, 3}, Contrast: []float64{0, 0.25, 0.5, 0.75, 1}},
	// tiny is for testing the machinery (the cluster scripts on a real Slurm), not for
	// conclusions: the same experiments and probes at minimal sizes, just large enough that
	// an MNIST run lasts a few epochs of about half a second, so that a test can cancel one
	// mid-run. Its numbers mean nothing.
	"tiny": {Name: "tiny", Purpose: "tests the machinery (the cluster scripts); its numbers mean nothing",
		Repeats: 2, GridRepeats: 1, Epochs: 4, TrainLimit: 6000, TestLimit: 500,
		CIFAREpochs: 1, ClsEpochs: 1, CIFARLimit: 200, ClsLimit: 200, CIFARTest: 100, TSNEPoints: 100,
		Noise: []float64{0, 1, 2}, Contrast: []float64{0, 0.5, 1}},
	// standard settles what a workstation can settle overnight (docs/METHODS.md, "How the
	// standard profile was sized"): ten paired repeats of every MNIST model on the whole of
	// MNIST, long enough for the standard model's loss to have nearly stopped falling; a
	// labelled part of the grids, shorter; the CIFAR-10 autoencoder on all of CIFAR-10; the
	// classifier on a short schedule that cannot test the paper's 512-epoch claim.
	"standard": {Name: "standard", Purpose: "settles what a workstation can overnight",
		Repeats: 10, GridRepeats: 8, Epochs: 10, TrainLimit: 0,
		CIFAREpochs: 5, ClsEpochs: 4, CIFARLimit: 0, ClsLimit: 10000, CIFARTest: 0, TSNEPoints: 5000,
		Noise:      []float64{0, 0.5, 1, 1.5, 2, 3},
		Contrast:   []float64{0, 0.25, 0.5, 0.75, 1},
		GridEpochs: 4, CIFARRepeats: 6, StudyEpochs: 3, StudyLimit: 20000,
		Grid: &GridAxes{Betas1: []float64{0.2, 0.8}, Etas1: []float64{5, 25, 50},
			Betas2: []float64{0.85, 0.95}, Etas2: []float64{1, 3, 5}}},
	"paper": {Name: "paper", Purpose: "the paper's scale, for a cluster",
		Repeats: 10, GridRepeats: 10, Epochs: 30, TrainLimit: 0,
		CIFAREpochs: 30, ClsEpochs: 512, CIFARLimit: 0, CIFARTest: 0, FullGrid: true, TSNEPoints: 10000,
		Noise:    []float64{0, 0.25, 0.5, 0.75, 1, 1.5, 2, 2.5, 3},
		Contrast: []float64{0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1}},
}

// ProfileByName returns a named profile.
func ProfileByName(name string) (Profile, error) {
	p, ok := Profiles[name]
	if !ok {
		return Profile{}, fmt.Errorf("experiment: unknown profile %q (want quick, standard or paper, or tiny for tests)", name)
	}
	return p, nil
}

// FashionSubset lists the MNIST experiments repeated on Fashion-MNIST (beyond the paper: does
// feedback's benefit depend on MNIST's simple structure?). Quick takes the central claims;
// paper takes them all.
func FashionSubset(p Profile) []string {
	if p.FullGrid {
		return []string{"mnist-ae-b10", "timesteps", "comprehensive", "histogram", "constant-gain", "noise", "threshold", "contrast"}
	}
	return []string{"mnist-ae-b10", "comprehensive", "noise"}
}

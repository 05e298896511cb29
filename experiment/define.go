package experiment

import (
	"fmt"

	"github.com/fgrelu/fgrelu/config"
)

// Experiment is one experiment of the paper: the runs it needs and how to judge its claim.
type Experiment struct {
	Name  string
	Title string
	Claim string // the paper's claim, quoted or paraphrased, with its section
	CIFAR bool   // needs CIFAR-10
	// runs lists the runs for a profile and dataset (MNIST experiments take mnist or
	// fashion-mnist).
	runs func(b *builder) []RunSpec
	// analyze turns the runs' results into figures, numbers and a verdict.
	analyze func(a *analysis) section
}

// builder makes run specs for one profile and dataset.
type builder struct {
	p       Profile
	dataset string
	extra   []string // overrides applied to every MNIST config (a sensitivity setting)
	err     error
}

// config returns the base config of the dataset's experiments with overrides.
func (b *builder) config(cifar bool, sets ...string) config.Config {
	var base []string
	if cifar {
		base = []string{"model.arch=cifar-ae", fmt.Sprintf("train.epochs=%d", b.p.CIFAREpochs),
			fmt.Sprintf("data.train_limit=%d", b.p.CIFARLimit), fmt.Sprintf("data.test_limit=%d", b.p.CIFARTest)}
	} else {
		base = []string{"model.arch=mnist-ae", "model.bottleneck=10", "data.dataset=" + b.dataset,
			fmt.Sprintf("train.epochs=%d", b.p.Epochs), fmt.Sprintf("data.train_limit=%d", b.p.TrainLimit),
			fmt.Sprintf("data.test_limit=%d", b.p.TestLimit)}
	}
	if !cifar {
		sets = append(append([]string(nil), sets...), b.extra...)
	}
	c, err := config.Load("", append(base, sets...)...)
	if err != nil && b.err == nil {
		b.err = fmt.Errorf("experiment: %v: %w", sets, err)
	}
	return c
}

// repeats expands a configuration into its repeats; repeat r has seed r+1. Images and codes
// are recorded on the first repeat only.
func (b *builder) repeats(n int, label string, c config.Config, p Probes) []RunSpec {
	var out []RunSpec
	for r := range n {
		c := c
		c.Seed = uint64(r + 1)
		pr := p
		if r > 0 {
			pr.Images, pr.Codes = 0, 0
		}
		out = append(out, RunSpec{Label: label, Repeat: r, Config: c, Probes: pr})
	}
	return out
}

// mnistProbes are taken on every MNIST network of the experiments (not the grid cells), so that
// experiments share them.
func (b *builder) mnistProbes() Probes {
	return Probes{Noise: b.p.Noise, Contrast: b.p.Contrast, Histograms: true, Images: 10, Codes: b.p.TSNEPoints}
}

// The MNIST variants (bottleneck 10 unless said).
const (
	lStandard      = "standard"
	lPartial       = "partial feedback"
	lComprehensive = "comprehensive feedback"
	lConstSingle   = "constant gain, single"
	lConstMulti    = "constant gain, multiple"
	lThreshold     = "gain + threshold"
	lThresholdOnly = "threshold only"
)

func (b *builder) mnist(label string, sets ...string) []RunSpec {
	return b.repeats(b.p.Repeats, label, b.config(false, sets...), b.mnistProbes())
}

func (b *builder) standard() []RunSpec {
	return b.mnist(lStandard, "model.topology=none", "model.passes=1")
}
func (b *builder) partial() []RunSpec {
	return b.mnist(lPartial, "model.topology=partial", "model.passes=2")
}
func (b *builder) comprehensive() []RunSpec {
	return b.mnist(lComprehensive, "model.topology=comprehensive", "model.passes=2")
}

func (b *builder) constSingle() []RunSpec {
	return b.mnist(lConstSingle, "model.topology=none", "model.passes=1", "model.constant_gain=10", "model.constant_gain_layers=[E1]")
}
func (b *builder) constMulti() []RunSpec {
	return b.mnist(lConstMulti, "model.topology=none", "model.passes=1", "model.constant_gain=10", "model.constant_gain_layers=[E1, E2, D1]")
}

// passes is the partial-feedback autoencoder with t passes, labelled "T=t".
func (b *builder) passes(t int) []RunSpec {
	return b.mnist(timestepsLabel(t), "model.topology=partial", fmt.Sprintf("model.passes=%d", t))
}

func concat(lists ...[]RunSpec) []RunSpec {
	var out []RunSpec
	for _, l := range lists {
		out = append(out, l...)
	}
	return out
}

// timestepsLabel names the run with T passes.
func timestepsLabel(t int) string { return fmt.Sprintf("T=%d", t) }

// gridLabel names a grid cell.
func gridLabel(grid int, beta, eta float64) string {
	return fmt.Sprintf("grid%d beta%g eta%g", grid, beta, eta)
}

// gridCells returns the (β_max, η) cells of grids 1 and 2 (paper appendix 7.1), or the
// profile's labelled subset of them.
func gridCells(p Profile) (g1, g2 [][2]float64) {
	etas1, betas1 := []float64{5, 10, 15, 20, 25, 30, 35, 40, 45, 50}, []float64{0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8}
	etas2, betas2 := []float64{1, 2, 3, 4, 5}, []float64{0.8, 0.85, 0.9, 0.95}
	switch {
	case p.Grid != nil:
		etas1, betas1, etas2, betas2 = p.Grid.Etas1, p.Grid.Betas1, p.Grid.Etas2, p.Grid.Betas2
	case !p.FullGrid:
		etas1, betas1 = []float64{5, 50}, []float64{0.2, 0.8}
		etas2, betas2 = []float64{1, 5}, []float64{0.8, 0.95}
	}
	for _, b := range betas1 {
		for _, e := range etas1 {
			g1 = append(g1, [2]float64{b, e})
		}
	}
	for _, b := range betas2 {
		for _, e := range etas2 {
			g2 = append(g2, [2]float64{b, e})
		}
	}
	return g1, g2
}

func (b *builder) grid() []RunSpec {
	g1, g2 := gridCells(b.p)
	gb := *b // the grid's own training length
	if b.p.GridEpochs > 0 {
		gb.p.Epochs = b.p.GridEpochs
	}
	var out []RunSpec
	for gi, cells := range [][][2]float64{g1, g2} {
		for _, c := range cells {
			cfg := gb.config(false, "model.topology=partial", "model.passes=2",
				fmt.Sprintf("model.beta_max=%g", c[0]), fmt.Sprintf("model.eta=%g", c[1]))
			out = append(out, gb.repeats(b.p.GridRepeats, gridLabel(gi+1, c[0], c[1]), cfg, Probes{})...)
		}
	}
	if b.err == nil {
		b.err = gb.err
	}
	return out
}

// CIFAR variants.
const (
	lCifarStd     = "standard"
	lCifarFB      = "feedback"
	lCifarStdBN   = "standard + BN"
	lCifarFBBN    = "feedback + BN"
	lCifarClsStd  = "classifier"
	lCifarClsFB   = "classifier + feedback"
	cifarImageSet = 8
)

func (b *builder) cifarAE(label string, bn bool, fb bool) []RunSpec {
	sets := []string{fmt.Sprintf("model.batch_norm=%v", bn), "model.topology=none", "model.passes=1"}
	if fb {
		sets = append(sets, "model.topology=partial", "model.passes=2")
	}
	probes := Probes{Images: cifarImageSet}
	if !bn {
		probes.Noise = b.p.Noise
	}
	return b.repeats(b.cifarRepeats(), label, b.config(true, sets...), probes)
}

// cifarRepeats is the repeats of the CIFAR-10 runs.
func (b *builder) cifarRepeats() int {
	if b.p.CIFARRepeats > 0 {
		return b.p.CIFARRepeats
	}
	return b.p.Repeats
}

func (b *builder) cifarCls(label string, fb bool) []RunSpec {
	sets := []string{"model.arch=cifar-cls", fmt.Sprintf("train.epochs=%d", b.p.ClsEpochs),
		fmt.Sprintf("data.train_limit=%d", b.p.ClsLimit), "model.topology=none", "model.passes=1"}
	if fb {
		sets = append(sets, "model.topology=partial", "model.passes=2")
	}
	return b.repeats(b.cifarRepeats(), label, b.config(true, sets...), Probes{})
}

package experiment

import (
	"fmt"
	"slices"
)

// All lists the experiments in the paper's order.
func All() []*Experiment {
	return []*Experiment{
		{Name: "mnist-ae", Title: "MNIST autoencoder, bottleneck 196",
			Claim: "An autoencoder with one feedback connection (D1 → E1) reaches a lower test loss than the standard autoencoder (section 4).",
			runs: func(b *builder) []RunSpec {
				return concat(b.mnist(lStandard, "model.bottleneck=196", "model.topology=none", "model.passes=1"),
					b.mnist(lPartial, "model.bottleneck=196", "model.topology=partial", "model.passes=2"))
			}, analyze: analyzeFeedbackVsStandard},
		{Name: "mnist-ae-b10", Title: "MNIST autoencoder, bottleneck 10",
			Claim: "With the bottleneck reduced to 10, feedback still lowers the test loss (section 4).",
			runs:  func(b *builder) []RunSpec { return concat(b.standard(), b.partial()) }, analyze: analyzeFeedbackVsStandard},
		{Name: "timesteps", Title: "More than two passes",
			Claim: "More than two timesteps yield no or negligible improvement (section 4.1, figure 3).",
			runs: func(b *builder) []RunSpec {
				out := b.standard()
				for i := range out {
					out[i].Label = timestepsLabel(1)
				}
				out = append(out, relabel(b.partial(), timestepsLabel(2))...)
				for _, t := range []int{4, 6, 8} {
					out = append(out, b.passes(t)...)
				}
				return out
			}, analyze: analyzeTimesteps},
		{Name: "comprehensive", Title: "Comprehensive feedback",
			Claim: "Every layer receiving feedback from every layer above converges faster than the standard autoencoder and settles to a better loss than partial feedback (section 4.2, figure 4).",
			runs:  func(b *builder) []RunSpec { return concat(b.standard(), b.partial(), b.comprehensive()) }, analyze: analyzeComprehensive},
		{Name: "histogram", Title: "Distribution of feedback and gain",
			Claim: "Over the MNIST test set the overwhelming majority of gains are the maximum gain the network can produce (section 4.3, figure 5).",
			runs:  func(b *builder) []RunSpec { return b.partial() }, analyze: analyzeHistogram},
		{Name: "constant-gain", Title: "Are we just learning a constant gain?",
			Claim: "A constant gain of 10 in the receiving layer gives a steeper early loss curve than the standard autoencoder but a worse final loss; with several connections it converges fastest early and ends on par with the standard autoencoder (section 4.3, figures 6 and 7).",
			runs: func(b *builder) []RunSpec {
				return concat(b.standard(), b.partial(), b.comprehensive(), b.constSingle(), b.constMulti())
			}, analyze: analyzeConstantGain},
		{Name: "noise", Title: "Noisy activations",
			Claim: "Feedback significantly increases the network's robustness to Gaussian noise added to the pre-activations (section 4.4, figures 8 and 9).",
			runs:  func(b *builder) []RunSpec { return concat(b.standard(), b.partial()) }, analyze: analyzeNoise},
		{Name: "grid", Title: "Hyperparameter grid",
			Claim: "Higher β_max and lower η perform better; the best setting is β_max = 0.95, η = 5 (appendix 7.1, figures 14 and 15).",
			runs:  func(b *builder) []RunSpec { return b.grid() }, analyze: analyzeGrid},
		{Name: "threshold", Title: "Feedback-controlled threshold",
			Claim: "Gain only performs best; both threshold models (threshold only, gain + threshold) still beat the standard autoencoder (appendix 7.3, figure 17).",
			runs: func(b *builder) []RunSpec {
				return concat(b.standard(), b.partial(),
					b.mnist(lThreshold, "model.topology=partial", "model.passes=2", "model.gate=gain+threshold"),
					b.mnist(lThresholdOnly, "model.topology=partial", "model.passes=2", "model.gate=threshold-only"))
			}, analyze: analyzeThreshold},
		{Name: "tsne", Title: "t-SNE of the bottleneck",
			Claim: "t-SNE of the bottleneck over the test set, first pass against second pass (appendix 7.4, figures 18 and 19; no claim is stated).",
			runs:  func(b *builder) []RunSpec { return b.partial() }, analyze: analyzeTSNE},
		{Name: "contrast", Title: "Input with reduced contrast",
			Claim: "The absolute difference in mean pixel value between the first- and second-pass reconstructions grows with the contrast factor (appendix 7.5, figures 20 and 21).",
			runs:  func(b *builder) []RunSpec { return b.partial() }, analyze: analyzeContrast},
		{Name: "dead-units", Title: "What dead units explain",
			Claim: "Not a claim of the paper: bottleneck units that end training dead (active on no test example) set much of the spread of the MNIST losses. Does feedback leave fewer of them dead, does its effect on the loss survive among runs with as many dead units, and does the second pass revive units the first left dead? (Issue 14; the runs are those of the other MNIST experiments.)",
			runs: func(b *builder) []RunSpec {
				return concat(b.standard(), b.partial(), b.comprehensive(), b.constSingle(), b.constMulti(), b.passes(4))
			}, analyze: analyzeDeadUnits},
		{Name: "sensitivity", Title: "What the unspecified choices decide",
			Claim: "Not a claim of the paper: under which settings of what the paper leaves open (loss passes, optimizer, initialisation, training length, batch size), and with the remedies against dead units (a positive initial bias, leaky ReLUs), do its MNIST claims hold, fail or reverse? Supported here means some setting reproduces every tested claim (Holm over the claims of each setting), contradicted that every setting contradicts at least one.",
			runs:  sensitivityRuns, analyze: analyzeSensitivity},
		{Name: "cifar-ae", Title: "CIFAR-10 convolutional autoencoder", CIFAR: true,
			Claim: "Without batch normalisation the autoencoder with feedback performs better than the one without; with batch normalisation after the activations feedback cannot improve on the standard autoencoder (section 5.1, figures 10 and 11).",
			runs: func(b *builder) []RunSpec {
				return concat(b.cifarAE(lCifarStd, false, false), b.cifarAE(lCifarFB, false, true),
					b.cifarAE(lCifarStdBN, true, false), b.cifarAE(lCifarFBBN, true, true))
			}, analyze: analyzeCifarAE},
		{Name: "cifar-noise", Title: "CIFAR-10 noisy activations", CIFAR: true,
			Claim: "On CIFAR-10 the autoencoder with feedback is much more sensitive to (even small amounts of) noise than the one without (section 5.2, figure 12).",
			runs: func(b *builder) []RunSpec {
				return concat(b.cifarAE(lCifarStd, false, false), b.cifarAE(lCifarFB, false, true))
			}, analyze: analyzeCifarNoise},
		{Name: "cifar-cls", Title: "CIFAR-10 classification", CIFAR: true,
			Claim: "The classifier with feedback is marginally better than the one without (about 0.7 % accuracy; section 5.3, figure 13).",
			runs: func(b *builder) []RunSpec {
				return concat(b.cifarCls(lCifarClsStd, false), b.cifarCls(lCifarClsFB, true))
			}, analyze: analyzeCifarCls},
	}
}

func relabel(specs []RunSpec, label string) []RunSpec {
	for i := range specs {
		specs[i].Label = label
	}
	return specs
}

// ByName returns an experiment.
func ByName(name string) (*Experiment, error) {
	var names []string
	for _, e := range All() {
		if e.Name == name {
			return e, nil
		}
		names = append(names, e.Name)
	}
	return nil, fmt.Errorf("experiment: unknown experiment %q (known: %v)", name, names)
}

// Runs expands the experiment for a profile and dataset (mnist or fashion-mnist; CIFAR
// experiments ignore it).
func (e *Experiment) Runs(p Profile, dataset string) ([]RunSpec, error) {
	if !slices.Contains([]string{"mnist", "fashion-mnist"}, dataset) {
		return nil, fmt.Errorf("experiment: dataset %q, want mnist or fashion-mnist", dataset)
	}
	b := builder{p: p, dataset: dataset}
	specs := e.runs(&b)
	if b.err != nil {
		return nil, b.err
	}
	return specs, nil
}

// Unique removes runs that compute the same thing (same key), keeping the first.
func Unique(specs []RunSpec) []RunSpec {
	seen := map[string]bool{}
	var out []RunSpec
	for _, s := range specs {
		if k := s.Key(); !seen[k] {
			seen[k] = true
			out = append(out, s)
		}
	}
	return out
}

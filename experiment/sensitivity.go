package experiment

import (
	"fmt"
	"math"
	"strings"

	"github.com/fgrelu/fgrelu/report"
	"github.com/fgrelu/fgrelu/stats"
)

// A setting is one choice of what the paper leaves unspecified (docs/METHODS.md, "Defaults
// where the paper is silent").
type setting struct {
	Name string
	Sets []string // config overrides
}

// studySettings are the settings of the sensitivity study. The quick profile varies one choice
// at a time around the project's defaults (and labels itself a subset); the paper profile
// crosses every choice: loss on every pass or the last; Adam or SGD with momentum; Glorot, He
// or PyTorch's initialisation; short or long training; batch 128 or 32. Both then add the
// remedies against dead units (issue 14), each alone on the defaults: a positive initial bias
// of 0.01 in the hidden layers, and leaky ReLUs of slope 0.01 (PyTorch's default) in the
// layers without feedback — do the claims survive when fewer units die?
func studySettings(p Profile) []setting {
	long := fmt.Sprintf("train.epochs=%d", 3*max(p.Epochs, 1))
	sgd := []string{"train.optimizer=sgd", "train.lr=0.05", "train.momentum=0.9"}
	deadUnits := []setting{
		{"ReLU bias 0.01", []string{"model.relu_bias_init=0.01"}},
		{"leaky ReLU 0.01", []string{"model.leaky_slope=0.01"}},
	}
	if !p.FullGrid {
		return append([]setting{
			{"default", nil},
			{"last-pass loss", []string{"train.loss_passes=last"}},
			{"SGD+momentum", sgd},
			{"He init", []string{"model.init=he"}},
			{"batch 32", []string{"train.batch_size=32"}},
			{"long training", []string{long}},
		}, deadUnits...)
	}
	var out []setting
	for _, loss := range []string{"all", "last"} {
		for _, opt := range []string{"adam", "sgd"} {
			for _, init := range []string{"glorot", "he", "torch"} {
				for _, length := range []string{"short", "long"} {
					for _, batch := range []int{128, 32} {
						s := setting{Name: fmt.Sprintf("%s/%s/%s/%s/b%d", loss, opt, init, length, batch),
							Sets: []string{"train.loss_passes=" + loss, "model.init=" + init, fmt.Sprintf("train.batch_size=%d", batch)}}
						if opt == "sgd" {
							s.Sets = append(s.Sets, sgd...)
						}
						if length == "long" {
							s.Sets = append(s.Sets, long)
						}
						out = append(out, s)
					}
				}
			}
		}
	}
	return append(out, deadUnits...)
}

// studyVariants are the networks each setting trains. The quick subset leaves out the
// comprehensive and T = 4 networks.
func studyVariants(b *builder) []RunSpec {
	probes := Probes{Noise: []float64{0, 2}, Contrast: []float64{0, 1}, Histograms: true}
	mk := func(label string, sets ...string) []RunSpec {
		return b.repeats(b.p.Repeats, label, b.config(false, sets...), probes)
	}
	out := concat(mk(lStandard, "model.topology=none", "model.passes=1"),
		mk(lPartial, "model.topology=partial", "model.passes=2"),
		mk(lConstSingle, "model.topology=none", "model.passes=1", "model.constant_gain=10", "model.constant_gain_layers=[E1]"))
	if b.p.FullGrid {
		out = append(out, mk(lComprehensive, "model.topology=comprehensive", "model.passes=2")...)
		out = append(out, mk(timestepsLabel(4), "model.topology=partial", "model.passes=4")...)
	}
	return out
}

// studyProfile is the profile the study trains under: without the full grids, the subset of
// settings also trains less (StudyEpochs on StudyLimit images, by default 2 on 6 000).
func studyProfile(p Profile) Profile {
	if p.FullGrid {
		return p
	}
	p.Epochs, p.TrainLimit = 2, 6000
	if p.StudyEpochs > 0 {
		p.Epochs = p.StudyEpochs
	}
	if p.StudyLimit > 0 {
		p.TrainLimit = p.StudyLimit
	}
	return p
}

func sensitivityRuns(b *builder) []RunSpec {
	var out []RunSpec
	p := studyProfile(b.p)
	for _, s := range studySettings(p) {
		sb := &builder{p: p, dataset: b.dataset, extra: s.Sets}
		for _, spec := range studyVariants(sb) {
			spec.Label = s.Name + " | " + spec.Label
			out = append(out, spec)
		}
		if sb.err != nil && b.err == nil {
			b.err = sb.err
		}
	}
	return out
}

// studyClaimIDs are the claims (claims.go) the study tests under every setting. The quick
// subset leaves out those of the comprehensive and T = 4 networks, which it does not train.
func studyClaimIDs(full bool) []string {
	ids := []string{"mnist-ae-b10/lower-loss", "noise/rise", "histogram/majority", "constant-gain/single-final", "contrast/grows"}
	if full {
		ids = append(ids, "comprehensive/beats-partial", "timesteps/T4")
	}
	return ids
}

// studyAlias maps the labels of the experiments to the study's: its two-pass network is the
// partial feedback network.
var studyAlias = map[string]string{timestepsLabel(2): lPartial}

func studyClaims(p Profile) ([]Claim, error) {
	var out []Claim
	for _, id := range studyClaimIDs(p.FullGrid) {
		c, err := claimByID(p, id)
		if err != nil {
			return nil, err
		}
		for _, x := range []*arm{&c.A, &c.B} {
			if l, ok := studyAlias[x.label]; ok {
				x.label = l
			}
		}
		out = append(out, c)
	}
	return out, nil
}

func analyzeSensitivity(a *analysis) section {
	var settings []string
	for _, label := range a.order {
		name, _, _ := strings.Cut(label, " | ")
		if len(settings) == 0 || settings[len(settings)-1] != name {
			settings = append(settings, name)
		}
	}
	s := section{ID: a.id(), Title: a.exp.Title, PaperClaim: a.exp.Claim, Verdict: stats.NotRun}
	cs, err := studyClaims(a.profile)
	if err != nil {
		a.note("%v", err)
		s.Notes = strings.Join(a.notes, "\n\n")
		return s
	}
	// Each setting is one Holm family, as a section is: the claims tested on its runs. (One
	// family over the whole matrix would ask, in the paper profile, for p < 0.05/336 from ten
	// repeats whose smallest exact p is 1/1024: nothing could ever be decided.)
	outs := make([]outcome, len(cs)*len(settings))
	for j, set := range settings {
		family := make([]outcome, len(cs))
		for i, c := range cs {
			family[i] = a.evaluate(c, set+" | ")
		}
		decideFamily(family)
		for i := range cs {
			outs[i*len(settings)+j] = family[i]
		}
	}
	fig := report.VerdictFigure{Title: "Which claims hold under which unspecified choices", XLabel: "setting", YLabel: "claim"}
	fig.Settings = settings
	allSupported := make([]bool, len(settings))
	anyContradicted := make([]bool, len(settings))
	for j := range settings {
		allSupported[j] = true
	}
	for i, c := range cs {
		fig.Claims = append(fig.Claims, c.Text)
		var cells []report.VerdictCell
		count := map[string]int{}
		for j, set := range settings {
			o := outs[i*len(settings)+j]
			cell := report.VerdictCell{Verdict: stats.NotRun, Effect: math.NaN()}
			if o.ok {
				cell = report.VerdictCell{Verdict: o.test.Verdict, Effect: o.test.Effect}
			}
			count[cell.Verdict]++
			allSupported[j] = allSupported[j] && cell.Verdict == stats.Supported
			anyContradicted[j] = anyContradicted[j] || cell.Verdict == stats.Contradicted
			cells = append(cells, cell)
			s.Numbers = append(s.Numbers, o.row(c.Text+" — "+set))
		}
		fig.Cells = append(fig.Cells, cells)
		a.note("%s: supported in %d, contradicted in %d, inconclusive in %d, not run in %d of %d settings.", c.Text,
			count[stats.Supported], count[stats.Contradicted], count[stats.Inconclusive], count[stats.NotRun], len(settings))
	}
	if len(settings) > 0 {
		path, rel := a.figure("verdicts")
		err := report.Verdicts(path, fig)
		s.Figures = a.add(nil, report.Figure{File: rel + ".png", Caption: "Verdict of each MNIST claim (rows) under each setting of the choices the paper leaves open (columns), Holm-adjusted over the claims of each setting; the number is the standardised effect (d_z for paired runs)."}, err)
	}
	var winners []string
	everyContradicted := len(settings) > 0
	for j, ok := range allSupported {
		if ok {
			winners = append(winners, settings[j])
		}
		everyContradicted = everyContradicted && anyContradicted[j]
	}
	switch {
	case len(settings) == 0 || len(cs) == 0:
	case len(winners) > 0:
		s.Verdict = stats.Supported
		a.note("Settings under which every tested claim is supported: %s (of %d tried).", strings.Join(winners, ", "), len(settings))
	case everyContradicted:
		s.Verdict = stats.Contradicted
		a.note("In every one of the %d settings tried at least one claim is contradicted.", len(settings))
	default:
		s.Verdict = stats.Inconclusive
		a.note("No setting of the %d tried has every claim supported, and not every setting contradicts one: the data do not decide.", len(settings))
	}
	if !a.profile.FullGrid {
		a.note("Quick profile: a labelled subset — one choice varied at a time around the defaults, five claims, the comprehensive and T > 2 networks left out. The paper profile crosses every choice (48 settings) and tests seven claims.")
	}
	a.note("The defaults of the reproduction (loss on every pass, Adam lr 1e-3, Glorot, batch 128) follow docs/METHODS.md: the paper plots pass-1 and pass-2 losses and reconstructions, which only makes sense when pass 1 is trained too. SGD uses lr 0.05 with momentum 0.9.")
	if n := a.divergedNote(); n != "" {
		a.notes = append([]string{n}, a.notes...)
	}
	s.Notes = strings.Join(a.notes, "\n\n")
	return s
}

package experiment

import (
	"fmt"
	"math"
	"strings"

	"github.com/fgrelu/fgrelu/report"
	"github.com/fgrelu/fgrelu/stats"
)

// A setting is one choice of what the paper leaves unspecified (SPEC.md section 3).
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

func sensitivityRuns(b *builder) []RunSpec {
	var out []RunSpec
	p := b.p
	if !p.FullGrid { // the quick subset also trains less
		p.Epochs, p.TrainLimit = 2, 6000
	}
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

// studyClaim evaluates one claim under one setting from that setting's runs.
type studyClaim struct {
	name string
	eval func(a *analysis, prefix string) claim
}

func studyClaims(full bool) []studyClaim {
	l := func(prefix, label string) string { return prefix + " | " + label }
	cs := []studyClaim{
		{"feedback beats standard", func(a *analysis, p string) claim {
			return compare("", a.final(l(p, lPartial), 0), a.final(l(p, lStandard), 0), stats.Less)
		}},
		{"feedback more robust to noise (σ = 2)", func(a *analysis, p string) claim {
			return compare("", noiseAt(a.byLabel[l(p, lPartial)], 2, 0), noiseAt(a.byLabel[l(p, lStandard)], 2, 1), stats.Less)
		}},
		{"most gains at the maximum", func(a *analysis, p string) claim {
			at := atMaxOf(a.byLabel[l(p, lPartial)])
			return compare("", at, constant(0.5, len(at)), stats.Greater)
		}},
		{"constant gain ends worse than standard", func(a *analysis, p string) claim {
			return compare("", a.final(l(p, lConstSingle), 0), a.final(l(p, lStandard), 0), stats.Greater)
		}},
		{"pass-difference grows with contrast", func(a *analysis, p string) claim {
			return compare("", contrastDiff(a.byLabel[l(p, lPartial)], -1), contrastDiff(a.byLabel[l(p, lPartial)], 0), stats.Greater)
		}},
	}
	if full {
		cs = append(cs,
			studyClaim{"comprehensive beats partial", func(a *analysis, p string) claim {
				return compare("", a.final(l(p, lComprehensive), 0), a.final(l(p, lPartial), 0), stats.Less)
			}},
			studyClaim{"T = 4 ≈ T = 2 (±1 %)", func(a *analysis, p string) claim {
				t2 := a.final(l(p, lPartial), 0)
				return equivalent("", a.final(l(p, timestepsLabel(4)), 0), t2, 0.01*stats.Mean(t2))
			}})
	}
	return cs
}

func atMaxOf(rs []*Result) []float64 {
	var out []float64
	for _, r := range rs {
		for _, h := range r.Hists {
			out = append(out, h.AtMax)
		}
	}
	return out
}

// constant is a sample equal to v (with a vanishing spread, so a t-test against it is a
// one-sample test).
func constant(v float64, n int) []float64 {
	out := make([]float64, max(n, 2))
	for i := range out {
		out[i] = v + 1e-12*float64(i)
	}
	return out
}

// contrastDiff returns per repeat |mean pixel of the last pass − the first| at the contrast
// point i (−1 = the last).
func contrastDiff(rs []*Result, i int) []float64 {
	var out []float64
	for _, r := range rs {
		if len(r.Contrast) == 0 {
			continue
		}
		k := i
		if k < 0 {
			k = len(r.Contrast) - 1
		}
		p := r.Contrast[k]
		out = append(out, math.Abs(p.MeanPixel[len(p.MeanPixel)-1]-p.MeanPixel[0]))
	}
	return out
}

func analyzeSensitivity(a *analysis) section {
	full := a.profile.FullGrid
	var settings []string
	for _, label := range a.order {
		name, _, _ := strings.Cut(label, " | ")
		if len(settings) == 0 || settings[len(settings)-1] != name {
			settings = append(settings, name)
		}
	}
	claims := studyClaims(full)
	fig := report.VerdictFigure{Title: "Which claims hold under which unspecified choices", XLabel: "setting", YLabel: "claim"}
	all := make([]bool, len(settings))
	for i := range all {
		all[i] = true
	}
	var rows []report.Row
	for _, c := range claims {
		fig.Claims = append(fig.Claims, c.name)
		var cells []report.VerdictCell
		for j, s := range settings {
			cl := c.eval(a, s)
			cell := report.VerdictCell{Verdict: stats.NotRun, Effect: math.NaN()}
			if cl.ok {
				cell = report.VerdictCell{Verdict: cl.cmp.Verdict, Effect: cl.cmp.D}
				rows = append(rows, report.ComparisonRow(c.name+" — "+s, cl.cmp))
			}
			if cell.Verdict != stats.Supported {
				all[j] = false
			}
			cells = append(cells, cell)
		}
		fig.Cells = append(fig.Cells, cells)
	}
	fig.Settings = settings
	path, rel := a.figure("verdicts")
	err := report.Verdicts(path, fig)
	figs := a.add(nil, report.Figure{File: rel + ".png", Caption: "Verdict of each MNIST claim (rows) under each setting of the choices the paper leaves open (columns); the number is Cohen's d of the comparison."}, err)
	var winners []string
	for j, ok := range all {
		if ok {
			winners = append(winners, settings[j])
		}
	}
	s := section{ID: a.id(), Title: a.exp.Title, PaperClaim: a.exp.Claim, Figures: figs, Numbers: rows}
	switch {
	case len(settings) == 0:
		s.Verdict = stats.NotRun
	case len(winners) > 0:
		s.Verdict = stats.Supported
		a.note("Settings under which every tested claim holds: %s.", strings.Join(winners, ", "))
	default:
		s.Verdict = stats.Contradicted
		a.note("No setting reproduces every tested claim at once.")
	}
	if !full {
		a.note("Quick profile: a labelled subset — one choice varied at a time around the defaults, five claims, the comprehensive and T > 2 networks left out. The paper profile crosses every choice (48 settings) and tests seven claims.")
	}
	a.note("The defaults of the reproduction (loss on every pass, Adam lr 1e-3, Glorot, batch 128) follow SPEC.md: the paper plots pass-1 and pass-2 losses and reconstructions, which only makes sense when pass 1 is trained too. SGD uses lr 0.05 with momentum 0.9.")
	s.Notes = strings.Join(a.notes, "\n\n")
	return s
}

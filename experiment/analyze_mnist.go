package experiment

import (
	"fmt"
	"math"
	"slices"

	"github.com/fgrelu/fgrelu/report"
	"github.com/fgrelu/fgrelu/stats"
)

// figureOrNote appends fig, or notes the error (a figure that cannot be drawn is reported, not
// fatal: the numbers still stand).
func (a *analysis) add(figs []report.Figure, fig report.Figure, err error) []report.Figure {
	if err != nil {
		a.note("figure not drawn: %v", err)
		return figs
	}
	return append(figs, fig)
}

func analyzeFeedbackVsStandard(a *analysis) section {
	fig, err := a.curves("curves", "Test loss with and without feedback", "loss",
		"Mean test loss over repeats with 95 % intervals: standard autoencoder, and both passes of the autoencoder with feedback.",
		[]curveSpec{{"standard", lStandard, 1}, {"feedback, pass 1", lPartial, 1}, {"feedback, pass 2", lPartial, 2}})
	cs := []claim{compare("feedback (pass 2) − standard, final test loss", a.final(lPartial, 2), a.final(lStandard, 1), stats.Less)}
	return a.sectionOf(cs, a.add(nil, fig, err), a.summary("pass 1 − pass 2 of the feedback model (mean of the difference is in the comparison above)", diff(a.final(lPartial, 1), a.final(lPartial, 2))))
}

func diff(x, y []float64) []float64 {
	n := min(len(x), len(y))
	out := make([]float64, n)
	for i := range n {
		out[i] = x[i] - y[i]
	}
	return out
}

func analyzeTimesteps(a *analysis) section {
	var specs []curveSpec
	for _, t := range []int{1, 2, 4, 6, 8} {
		specs = append(specs, curveSpec{timestepsLabel(t), timestepsLabel(t), 0})
	}
	fig, err := a.curves("curves", "Test loss of the last pass for T passes", "loss",
		"Mean test loss of each model's last pass over repeats, with 95 % intervals.", specs)
	t2 := a.final(timestepsLabel(2), 0)
	margin := 0.01 * stats.Mean(t2)
	var cs []claim
	for _, t := range []int{4, 6, 8} {
		cs = append(cs, equivalent(fmt.Sprintf("T=%d − T=2 within ±1 %% of the T=2 loss", t), a.final(timestepsLabel(t), 0), t2, margin))
	}
	cs = append(cs, compare("T=2 − T=1 (two passes help)", t2, a.final(timestepsLabel(1), 0), stats.Less))
	a.note("“No or negligible improvement” is tested as equivalence (two one-sided tests) within ±1 %% of the T=2 loss (margin %.4g).", margin)
	return a.sectionOf(cs, a.add(nil, fig, err))
}

func analyzeComprehensive(a *analysis) section {
	fig, err := a.curves("curves", "Comprehensive against partial feedback", "loss",
		"Mean test loss of the last pass over repeats, with 95 % intervals.",
		[]curveSpec{{"standard", lStandard, 0}, {"partial feedback", lPartial, 0}, {"comprehensive feedback", lComprehensive, 0}})
	cs := []claim{
		compare("comprehensive − standard after epoch 1 (converges faster)", a.atEpoch(lComprehensive, 0, 1, "loss"), a.atEpoch(lStandard, 0, 1, "loss"), stats.Less),
		compare("comprehensive − partial, final test loss", a.final(lComprehensive, 0), a.final(lPartial, 0), stats.Less),
	}
	return a.sectionOf(cs, a.add(nil, fig, err))
}

func analyzeHistogram(a *analysis) section {
	var atMax []float64
	var figs []report.Figure
	for i, r := range a.byLabel[lPartial] {
		for _, h := range r.Hists {
			atMax = append(atMax, h.AtMax)
			if i > 0 {
				continue
			}
			fig := report.HistFigure{Title: fmt.Sprintf("Feedback μ_D and gain of %s on pass %d over the test set", h.Layer, h.Pass)}
			fig.Panels = []report.HistPanel{
				histPanel("feedback μ_D", "μ_D", false, h.MuEdges, h.MuCounts),
				histPanel("gain", "gain", true, h.GainEdges, h.GainCount),
			}
			path, rel := a.figure("hist")
			err := report.Histogram(path, fig)
			figs = a.add(figs, report.Figure{File: rel + ".png", Caption: fmt.Sprintf("μ_D (top) and gain (bottom, log scale) of %s on the test set, first repeat; %.1f %% of gains are within 0.1 %% of the maximum %.0f.", h.Layer, 100*h.AtMax, h.MaxGain)}, err)
		}
	}
	var cs []claim
	if len(atMax) >= 2 {
		half := make([]float64, len(atMax))
		for i := range half {
			half[i] = 0.5 + 1e-9*float64(i) // a constant sample: the claim's threshold
		}
		cs = append(cs, claim{text: "fraction of gains at the maximum − 0.5 (“the overwhelming majority”)",
			cmp: stats.Compare(atMax, half, stats.DefaultAlpha, stats.Greater), ok: true})
	} else {
		cs = append(cs, claim{text: "fraction of gains at the maximum"})
	}
	return a.sectionOf(cs, figs, a.summary("fraction of gains at the maximum", atMax))
}

// histPanel draws counts binned by the probe: bin centres weighted by their counts.
func histPanel(title, xlabel string, logY bool, edges []float64, counts []int64) report.HistPanel {
	s := report.HistSeries{Name: xlabel}
	for i, c := range counts {
		s.Values = append(s.Values, (edges[i]+edges[i+1])/2)
		s.Weights = append(s.Weights, float64(c))
	}
	return report.HistPanel{Title: title, XLabel: xlabel, LogY: logY, Bins: len(counts),
		Min: edges[0], Max: edges[len(edges)-1], Series: []report.HistSeries{s}}
}

func analyzeConstantGain(a *analysis) section {
	fig1, err1 := a.curves("single", "Constant gain in the receiving layer", "loss",
		"Standard autoencoder, partial feedback (last pass) and a constant gain of 10 in E1.",
		[]curveSpec{{"standard", lStandard, 0}, {"partial feedback", lPartial, 0}, {"constant gain 10 in E1", lConstSingle, 0}})
	fig2, err2 := a.curves("multiple", "Constant gain in several layers", "loss",
		"Standard autoencoder, comprehensive feedback (last pass) and a constant gain of 10 in E1, E2 and D1.",
		[]curveSpec{{"standard", lStandard, 0}, {"comprehensive feedback", lComprehensive, 0}, {"constant gain 10 in E1, E2, D1", lConstMulti, 0}})
	std := a.final(lStandard, 0)
	cs := []claim{
		compare("single constant gain − standard after epoch 1 (steeper early)", a.atEpoch(lConstSingle, 0, 1, "loss"), a.atEpoch(lStandard, 0, 1, "loss"), stats.Less),
		compare("single constant gain − standard, final (worse final)", a.final(lConstSingle, 0), std, stats.Greater),
		compare("multiple constant gains − comprehensive feedback after epoch 1 (fastest early)", a.atEpoch(lConstMulti, 0, 1, "loss"), a.atEpoch(lComprehensive, 0, 1, "loss"), stats.Less),
		equivalent("multiple constant gains − standard, final, within ±2 % (on par)", a.final(lConstMulti, 0), std, 0.02*stats.Mean(std)),
	}
	figs := a.add(nil, fig1, err1)
	return a.sectionOf(cs, a.add(figs, fig2, err2))
}

// noiseAt returns per repeat the loss of a pass at noise σ.
func noiseAt(rs []*Result, sigma float64, pass int) []float64 {
	var out []float64
	for _, r := range rs {
		p := pass
		if p == 0 {
			p = lastPass(r)
		}
		for _, n := range r.Noise {
			if n.Sigma == sigma {
				out = append(out, n.Loss[p-1])
			}
		}
	}
	return out
}

// noiseMean returns per repeat the mean loss of a pass over the noise levels σ > 0: the area
// under the noise curve, a summary of robustness over the whole sweep.
func noiseMean(rs []*Result, pass int) []float64 {
	var out []float64
	for _, r := range rs {
		p := pass
		if p == 0 {
			p = lastPass(r)
		}
		sum, n := 0.0, 0
		for _, pt := range r.Noise {
			if pt.Sigma > 0 {
				sum += pt.Loss[p-1]
				n++
			}
		}
		if n > 0 {
			out = append(out, sum/float64(n))
		}
	}
	return out
}

func (a *analysis) noiseFigure(title string, std, fb string) (report.Figure, error) {
	fig := report.CurveFigure{Title: title, XLabel: "noise σ", YLabel: "test loss"}
	panel := report.CurvePanel{}
	for _, c := range []curveSpec{{"standard", std, 1}, {"feedback, pass 1", fb, 1}, {"feedback, last pass", fb, 0}} {
		rs := a.byLabel[c.label]
		if len(rs) == 0 {
			continue
		}
		s := report.Series{Name: c.name}
		for _, n := range rs[0].Noise {
			sum := stats.Summarize(noiseAt(rs, n.Sigma, c.pass), 0.95)
			s.X, s.Mean = append(s.X, n.Sigma), append(s.Mean, sum.Mean)
			s.Low, s.High = append(s.Low, clipCI(sum.CILow, sum.Mean)), append(s.High, clipCI(sum.CIHigh, sum.Mean))
		}
		panel.Series = append(panel.Series, s)
	}
	fig.Panels = []report.CurvePanel{panel}
	path, rel := a.figure("noise")
	if err := report.Curves(path, fig); err != nil {
		return report.Figure{}, err
	}
	return report.Figure{File: rel + ".png", Caption: "Test loss under Gaussian noise on every hidden pre-activation in every pass (training without noise); mean over repeats with 95 % intervals."}, nil
}

// imageRows draws input and reconstructions of the first repeat under one condition.
func (a *analysis) imageRows(file, caption, condition string, rows []curveSpec, showScaledInput float64) (report.Figure, error) {
	fig := report.ImageRowsFigure{}
	var shape []int
	for _, c := range rows {
		rs := a.byLabel[c.label]
		if len(rs) == 0 || rs[0].Images == nil {
			continue
		}
		set := rs[0].Images
		shape = set.Shape
		if len(fig.Rows) == 0 {
			fig.Rows = append(fig.Rows, imageRow("input", set.Input, shape, 1))
			if showScaledInput > 0 {
				fig.Rows = append(fig.Rows, imageRow(fmt.Sprintf("input × %g", showScaledInput), set.Input, shape, showScaledInput))
			}
		}
		p := c.pass
		if p == 0 {
			p = lastPass(rs[0])
		}
		fig.Rows = append(fig.Rows, imageRow(c.name, set.Recon[condition][p-1], shape, 1))
	}
	if len(fig.Rows) == 0 {
		return report.Figure{}, fmt.Errorf("no reconstructions recorded")
	}
	path, rel := a.figure(file)
	if err := report.ImageRows(path, fig); err != nil {
		return report.Figure{}, err
	}
	return report.Figure{File: rel + ".png", Caption: caption}, nil
}

func imageRow(label string, imgs [][]float32, shape []int, scale float64) report.ImageRow {
	row := report.ImageRow{Label: label}
	for _, px := range imgs {
		p := px
		if scale != 1 {
			p = make([]float32, len(px))
			for i, v := range px {
				p[i] = float32(scale) * v
			}
		}
		row.Images = append(row.Images, report.Image{H: shape[0], W: shape[1], C: shape[2], Pix: p})
	}
	return row
}

func analyzeNoise(a *analysis) section {
	fig, err := a.noiseFigure("Robustness to activation noise", lStandard, lPartial)
	figs := a.add(nil, fig, err)
	img, err := a.imageRows("noise-images", "Inputs, then reconstructions with noise σ = 2 of the standard autoencoder and of the feedback autoencoder (last pass); first repeat.",
		"noise", []curveSpec{{"standard", lStandard, 1}, {"feedback", lPartial, 0}}, 0)
	figs = a.add(figs, img, err)
	cs := []claim{
		compare("feedback (last pass) − standard, test loss at σ = 2", noiseAt(a.byLabel[lPartial], 2, 0), noiseAt(a.byLabel[lStandard], 2, 1), stats.Less),
		compare("feedback (last pass) − standard, mean test loss over the noise levels σ > 0", noiseMean(a.byLabel[lPartial], 0), noiseMean(a.byLabel[lStandard], 1), stats.Less),
	}
	return a.sectionOf(cs, figs)
}

func analyzeGrid(a *analysis) section {
	var figs []report.Figure
	var cs []claim
	g1, g2 := gridCells(a.profile.FullGrid)
	for gi, cells := range [][][2]float64{g1, g2} {
		var betas, etas []float64
		for _, c := range cells {
			if !slices.Contains(betas, c[0]) {
				betas = append(betas, c[0])
			}
			if !slices.Contains(etas, c[1]) {
				etas = append(etas, c[1])
			}
		}
		fig := report.HeatmapFigure{Title: fmt.Sprintf("Grid %d: final test loss", gi+1), XLabel: "η", YLabel: "β_max",
			ValueLabel: "test loss (lower is better)", Format: "%.4f"}
		for _, e := range etas {
			fig.Cols = append(fig.Cols, fmt.Sprintf("η=%g", e))
		}
		for _, b := range betas {
			fig.Rows = append(fig.Rows, fmt.Sprintf("β=%g", b))
		}
		best, bestCell := math.Inf(1), [2]float64{}
		for pass := 1; pass <= 2; pass++ {
			panel := report.HeatmapPanel{Title: fmt.Sprintf("pass %d", pass)}
			for _, b := range betas {
				var row []float64
				for _, e := range etas {
					v := stats.Mean(a.final(gridLabel(gi+1, b, e), pass))
					row = append(row, v)
					if pass == 2 && v < best {
						best, bestCell = v, [2]float64{b, e}
					}
				}
				panel.Values = append(panel.Values, row)
			}
			fig.Panels = append(fig.Panels, panel)
		}
		path, rel := a.figure(fmt.Sprintf("grid%d", gi+1))
		err := report.Heatmap(path, fig)
		figs = a.add(figs, report.Figure{File: rel + ".png", Caption: fmt.Sprintf("Grid %d: mean final test loss of pass 1 (top) and pass 2 (bottom) for each β_max and η.", gi+1)}, err)
		if gi == 1 && !math.IsInf(best, 1) {
			a.note("Best cell of grid 2 (pass 2): β_max = %g, η = %g (loss %.5f).", bestCell[0], bestCell[1], best)
			hi, lo := max(betas[0], betas[len(betas)-1]), min(etas[0], etas[len(etas)-1])
			cs = append(cs, compare(fmt.Sprintf("β_max %g − β_max %g at η = %g (higher β_max better)", hi, min(betas[0], betas[len(betas)-1]), lo),
				a.final(gridLabel(2, hi, lo), 2), a.final(gridLabel(2, min(betas[0], betas[len(betas)-1]), lo), 2), stats.Less))
			if bestCell != [2]float64{0.95, 5} {
				a.note("The paper's best cell (0.95, 5) is not the best here.")
			}
			cs = append(cs, compare(fmt.Sprintf("(β_max 0.95, η 5) − (β_max %g, η %g): is the paper's cell at least as good as the best?", bestCell[0], bestCell[1]),
				a.final(gridLabel(2, 0.95, 5), 2), a.final(gridLabel(2, bestCell[0], bestCell[1]), 2), stats.Greater))
			cs[len(cs)-1] = invert(cs[len(cs)-1])
		}
	}
	return a.sectionOf(cs, figs)
}

// invert turns "a worse than b" into "a not worse than b": a significant difference in the
// worse direction contradicts the claim, anything else does not refute it.
func invert(c claim) claim {
	if !c.ok {
		return c
	}
	switch c.cmp.Verdict {
	case stats.Supported:
		c.cmp.Verdict = stats.Contradicted
	case stats.Inconclusive:
		c.cmp.Verdict = stats.Supported
		if c.cmp.NA < 2 || math.IsNaN(c.cmp.P) {
			c.cmp.Verdict = stats.Inconclusive
		}
	}
	return c
}

func analyzeThreshold(a *analysis) section {
	fig, err := a.curves("curves", "Feedback-controlled threshold", "loss",
		"Mean test loss of the last pass over repeats, with 95 % intervals.",
		[]curveSpec{{"standard", lStandard, 0}, {"threshold only", lThresholdOnly, 0}, {"gain only", lPartial, 0}, {"gain + threshold", lThreshold, 0}})
	gain := a.final(lPartial, 0)
	std := a.final(lStandard, 0)
	cs := []claim{
		compare("gain only − gain + threshold (gain only best)", gain, a.final(lThreshold, 0), stats.Less),
		compare("gain only − threshold only (gain only best)", gain, a.final(lThresholdOnly, 0), stats.Less),
		compare("gain + threshold − standard", a.final(lThreshold, 0), std, stats.Less),
		compare("threshold only − standard", a.final(lThresholdOnly, 0), std, stats.Less),
	}
	return a.sectionOf(cs, a.add(nil, fig, err))
}

func analyzeContrast(a *analysis) section {
	rs := a.byLabel[lPartial]
	var figs []report.Figure
	var cs []claim
	if len(rs) > 0 {
		fig := report.CurveFigure{Title: "Mean-pixel difference between passes against contrast", XLabel: "contrast factor c",
			YLabel: "|mean pixel pass 2 − pass 1|"}
		s := report.Series{Name: "feedback autoencoder"}
		var lowC, highC []float64
		for i, pt := range rs[0].Contrast {
			var ds []float64
			for _, r := range rs {
				p := r.Contrast[i]
				ds = append(ds, math.Abs(p.MeanPixel[len(p.MeanPixel)-1]-p.MeanPixel[0]))
			}
			sum := stats.Summarize(ds, 0.95)
			s.X, s.Mean = append(s.X, pt.C), append(s.Mean, sum.Mean)
			s.Low, s.High = append(s.Low, clipCI(sum.CILow, sum.Mean)), append(s.High, clipCI(sum.CIHigh, sum.Mean))
			if i == 0 {
				lowC = ds
			}
			highC = ds
		}
		fig.Panels = []report.CurvePanel{{Series: []report.Series{s}}}
		path, rel := a.figure("contrast")
		err := report.Curves(path, fig)
		figs = a.add(figs, report.Figure{File: rel + ".png", Caption: "Absolute difference of the mean reconstructed pixel between the last and the first pass, over the test set, per contrast factor; mean over repeats with 95 % intervals."}, err)
		cs = append(cs, compare(fmt.Sprintf("difference at c = %g − at c = %g (grows with c)", rs[0].Contrast[len(rs[0].Contrast)-1].C, rs[0].Contrast[0].C), highC, lowC, stats.Greater))
	}
	img, err := a.imageRows("contrast-images", "Original, contrast-reduced input (c = 0.5), first-pass and second-pass reconstructions; first repeat.",
		"contrast", []curveSpec{{"pass 1", lPartial, 1}, {"pass 2", lPartial, 2}}, 0.5)
	figs = a.add(figs, img, err)
	if len(cs) == 0 {
		cs = append(cs, claim{text: "difference grows with c"})
	}
	return a.sectionOf(cs, figs)
}

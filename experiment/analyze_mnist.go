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
	rows := []report.Row{a.summary("pass 1 − pass 2 of the feedback model, final test loss (a description, not a claim)", diff(a.final(lPartial, 1), a.final(lPartial, 2)))}
	if drop := a.lastEpochDrop(lStandard); len(drop) > 0 {
		rows = append(rows, a.summary("the standard model's relative drop of the test loss over the last epoch (has training converged?)", drop))
	}
	return a.sectionOf(a.add(nil, fig, err), rows...)
}

// lastEpochDrop is, per repeat, (loss before the last epoch − loss after it) / loss before it,
// of the model's last pass: how far from converged the run stopped.
func (a *analysis) lastEpochDrop(label string) []float64 {
	var out []float64
	for _, r := range a.byLabel[label] {
		e := r.Spec.Config.Train.Epochs
		if e < 2 {
			continue
		}
		before, ok1 := testMetric(r, lastPass(r), e-1, false)
		after, ok2 := testMetric(r, lastPass(r), e, false)
		if ok1 && ok2 && before > 0 {
			out = append(out, (before-after)/before)
		}
	}
	return out
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
	return a.sectionOf(a.add(nil, fig, err))
}

func analyzeComprehensive(a *analysis) section {
	fig, err := a.curves("curves", "Comprehensive against partial feedback", "loss",
		"Mean test loss of the last pass over repeats, with 95 % intervals.",
		[]curveSpec{{"standard", lStandard, 0}, {"partial feedback", lPartial, 0}, {"comprehensive feedback", lComprehensive, 0}})
	return a.sectionOf(a.add(nil, fig, err))
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
	return a.sectionOf(figs, a.summary("fraction of gains at the maximum, every gated layer and repeat", atMax))
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
	figs := a.add(nil, fig1, err1)
	return a.sectionOf(a.add(figs, fig2, err2))
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
	return a.sectionOf(figs)
}

func analyzeGrid(a *analysis) section {
	var figs []report.Figure
	g1, g2 := gridCells(a.profile)
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
			a.note("Lowest mean loss of grid 2 (pass 2): β_max = %g, η = %g (%.5f). A description only: the claims test the paper's cell, fixed in advance, against every other cell, so no cell is chosen on the runs that then test it.", bestCell[0], bestCell[1], best)
		}
	}
	return a.sectionOf(figs)
}

func analyzeThreshold(a *analysis) section {
	fig, err := a.curves("curves", "Feedback-controlled threshold", "loss",
		"Mean test loss of the last pass over repeats, with 95 % intervals.",
		[]curveSpec{{"standard", lStandard, 0}, {"threshold only", lThresholdOnly, 0}, {"gain only", lPartial, 0}, {"gain + threshold", lThreshold, 0}})
	return a.sectionOf(a.add(nil, fig, err))
}

func analyzeContrast(a *analysis) section {
	rs := a.byLabel[lPartial]
	var figs []report.Figure
	if len(rs) > 0 {
		fig := report.CurveFigure{Title: "Mean-pixel difference between passes against contrast", XLabel: "contrast factor c",
			YLabel: "|mean pixel pass 2 − pass 1|"}
		s := report.Series{Name: "feedback autoencoder"}
		for i, pt := range rs[0].Contrast {
			var ds []float64
			for _, r := range rs {
				p := r.Contrast[i]
				ds = append(ds, math.Abs(p.MeanPixel[len(p.MeanPixel)-1]-p.MeanPixel[0]))
			}
			sum := stats.Summarize(ds, 0.95)
			s.X, s.Mean = append(s.X, pt.C), append(s.Mean, sum.Mean)
			s.Low, s.High = append(s.Low, clipCI(sum.CILow, sum.Mean)), append(s.High, clipCI(sum.CIHigh, sum.Mean))
		}
		fig.Panels = []report.CurvePanel{{Series: []report.Series{s}}}
		path, rel := a.figure("contrast")
		err := report.Curves(path, fig)
		figs = a.add(figs, report.Figure{File: rel + ".png", Caption: "Absolute difference of the mean reconstructed pixel between the last and the first pass, over the test set, per contrast factor; mean over repeats with 95 % intervals."}, err)
	}
	img, err := a.imageRows("contrast-images", "Original, contrast-reduced input (c = 0.5), first-pass and second-pass reconstructions; first repeat.",
		"contrast", []curveSpec{{"pass 1", lPartial, 1}, {"pass 2", lPartial, 2}}, 0.5)
	figs = a.add(figs, img, err)
	return a.sectionOf(figs)
}

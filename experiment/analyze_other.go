package experiment

import (
	"fmt"
	"math"

	"github.com/fgrelu/fgrelu/report"
	"github.com/fgrelu/fgrelu/stats"
	"github.com/fgrelu/fgrelu/tsne"
)

func analyzeTSNE(a *analysis) section {
	rs := a.byLabel[lPartial]
	if len(rs) == 0 || rs[0].Codes == nil {
		return a.sectionOf(nil)
	}
	codes := rs[0].Codes
	n := len(codes.Labels)
	fig := report.ScatterFigure{Title: fmt.Sprintf("t-SNE of %s (%d test images, first repeat)", codes.Layer, n)}
	var rows []report.Row
	for t, pass := range codes.Pass {
		y, err := tsne.Embed(pass, n, codes.Dim, tsne.Options{Seed: 1})
		if err != nil {
			a.note("t-SNE of pass %d failed: %v", t+1, err)
			continue
		}
		panel := report.ScatterPanel{Title: fmt.Sprintf("pass %d", t+1), Class: codes.Labels}
		for i := range n {
			panel.X, panel.Y = append(panel.X, y[2*i]), append(panel.Y, y[2*i+1])
		}
		fig.Panels = append(fig.Panels, panel)
		acc := knnAccuracy(y, codes.Labels)
		// One embedding of one repeat: a single number, no interval (its points are not
		// independent draws, so a binomial interval would mislead).
		rows = append(rows, report.Row{Label: fmt.Sprintf("pass %d: 1-nearest-neighbour digit accuracy in the embedding (first repeat)", t+1), N: n, Mean: acc, CILow: math.NaN(), CIHigh: math.NaN()})
	}
	path, rel := a.figure("tsne")
	err := report.Scatter(path, fig)
	figs := a.add(nil, report.Figure{File: rel + ".png", Caption: "t-SNE (Barnes-Hut, perplexity 30, seed 1) of the bottleneck codes, coloured by digit: pass 1 and pass 2."}, err)
	a.note("The paper states no claim for this figure. As a number, the table gives how often a point's nearest neighbour in the embedding has the same digit.")
	s := a.sectionOf(figs, rows...)
	s.Verdict = stats.NoClaim
	s.Notes = "No claim to test. " + s.Notes
	return s
}

// knnAccuracy is the fraction of points whose nearest other point in 2-D has the same label.
func knnAccuracy(y []float64, labels []int) float64 {
	n := len(labels)
	hits := 0
	for i := range n {
		best, bi := 0.0, -1
		for j := range n {
			if j == i {
				continue
			}
			dx, dy := y[2*i]-y[2*j], y[2*i+1]-y[2*j+1]
			if d := dx*dx + dy*dy; bi < 0 || d < best {
				best, bi = d, j
			}
		}
		if labels[bi] == labels[i] {
			hits++
		}
	}
	return float64(hits) / float64(n)
}

func analyzeCifarAE(a *analysis) section {
	fig1, err1 := a.curves("nobn", "CIFAR-10 autoencoder without batch norm", "loss",
		"Mean test loss (last pass) over repeats with 95 % intervals, without batch normalisation.",
		[]curveSpec{{"standard", lCifarStd, 0}, {"feedback", lCifarFB, 0}})
	fig2, err2 := a.curves("bn", "CIFAR-10 autoencoder with batch norm", "loss",
		"The same with batch normalisation after the activations.",
		[]curveSpec{{"standard + BN", lCifarStdBN, 0}, {"feedback + BN", lCifarFBBN, 0}})
	figs := a.add(a.add(nil, fig1, err1), fig2, err2)
	img, err := a.imageRows("images", "Test images and reconstructions (no batch norm), first repeat.", "clean",
		[]curveSpec{{"standard", lCifarStd, 1}, {"feedback", lCifarFB, 0}}, 0)
	figs = a.add(figs, img, err)
	return a.sectionOf(figs)
}

func analyzeCifarNoise(a *analysis) section {
	fig, err := a.noiseFigure("CIFAR-10: robustness to activation noise", lCifarStd, lCifarFB)
	return a.sectionOf(a.add(nil, fig, err))
}

func analyzeCifarCls(a *analysis) section {
	fig1, err1 := a.curves("loss", "CIFAR-10 classification loss", "loss", "Mean test loss over repeats with 95 % intervals (last pass).",
		[]curveSpec{{"without feedback", lCifarClsStd, 0}, {"with feedback", lCifarClsFB, 0}})
	fig2, err2 := a.curves("accuracy", "CIFAR-10 classification accuracy", "accuracy", "Mean test accuracy over repeats with 95 % intervals (last pass).",
		[]curveSpec{{"without feedback", lCifarClsStd, 0}, {"with feedback", lCifarClsFB, 0}})
	if p := a.profile; p.ClsEpochs < paperClsEpochs {
		a.note("This profile trains the classifier for %s on %s, not the paper's %d epochs (200 000 batches): it tests whether feedback is better after this short schedule, not the paper's claim of about 0.7 %% after the full one. Only the paper profile (docs/CLUSTER.md) can test that.",
			epochs(p.ClsEpochs), sizeOf(p.ClsLimit, 50000), paperClsEpochs)
	}
	s := a.sectionOf(a.add(a.add(nil, fig1, err1), fig2, err2))
	if a.profile.ClsEpochs < paperClsEpochs {
		s.Title += fmt.Sprintf(" (after %s, not the paper's %d)", epochs(a.profile.ClsEpochs), paperClsEpochs)
	}
	return s
}

// paperClsEpochs is the classifier's schedule in the paper (section 5.3).
const paperClsEpochs = 512

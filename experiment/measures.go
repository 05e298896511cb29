package experiment

import (
	"math"
)

// A measure is what a claim measures on one run: one number per run, so that runs of two
// configurations with the same seed pair up (docs/METHODS.md, "Measurements").
type measure struct {
	name string // in words, for rows and figure axes
	of   func(r *Result, pass int) (float64, bool)
}

// testMetric is the test-set loss or accuracy of a pass at an epoch (−1 = the last).
func testMetric(r *Result, pass, epoch int, accuracy bool) (float64, bool) {
	if epoch < 0 {
		epoch = r.Spec.Config.Train.Epochs
	}
	for _, row := range r.History {
		if row.Split == "test" && row.Pass == pass && row.Epoch == epoch {
			if accuracy {
				return row.Accuracy, true
			}
			return row.Loss, true
		}
	}
	return math.NaN(), false
}

var (
	finalLoss = measure{"final test loss", func(r *Result, p int) (float64, bool) {
		return testMetric(r, p, -1, false)
	}}
	lossAtEpoch1 = measure{"test loss after epoch 1", func(r *Result, p int) (float64, bool) {
		return testMetric(r, p, 1, false)
	}}
	finalAccuracy = measure{"final test accuracy", func(r *Result, p int) (float64, bool) {
		return testMetric(r, p, -1, true)
	}}
	// atMax is the fraction of gains within 0.1 % of the maximum, averaged over the run's gated
	// layers.
	atMax = measure{"fraction of gains at the maximum", func(r *Result, _ int) (float64, bool) {
		if len(r.Hists) == 0 {
			return math.NaN(), false
		}
		sum := 0.0
		for _, h := range r.Hists {
			sum += h.AtMax
		}
		return sum / float64(len(r.Hists)), true
	}}
	// contrastSlope is the least-squares slope of |mean pixel of the last pass − the first|
	// over the contrast factor: positive when the difference grows with c.
	contrastSlope = measure{"slope of |mean pixel, last − first pass| over the contrast factor", func(r *Result, _ int) (float64, bool) {
		var xs, ys []float64
		for _, p := range r.Contrast {
			xs = append(xs, p.C)
			ys = append(ys, math.Abs(p.MeanPixel[len(p.MeanPixel)-1]-p.MeanPixel[0]))
		}
		return slope(xs, ys)
	}}
	meanNoiseRise = measure{"mean rise of the test loss from σ = 0 over the noise levels σ > 0", func(r *Result, p int) (float64, bool) {
		clean, ok := noiseLoss(r, 0, p)
		if !ok {
			return math.NaN(), false
		}
		sum, n := 0.0, 0
		for _, pt := range r.Noise {
			if pt.Sigma > 0 {
				sum += pt.Loss[p-1] - clean
				n++
			}
		}
		if n == 0 {
			return math.NaN(), false
		}
		return sum / float64(n), true
	}}
)

// noiseRise is the rise of the test loss from σ = 0 to σ: robustness, whatever the clean loss.
func noiseRise(sigma float64) measure {
	return measure{"rise of the test loss from σ = 0 to σ = " + fmtG(sigma), func(r *Result, p int) (float64, bool) {
		clean, ok0 := noiseLoss(r, 0, p)
		noisy, ok1 := noiseLoss(r, sigma, p)
		return noisy - clean, ok0 && ok1
	}}
}

func noiseLoss(r *Result, sigma float64, pass int) (float64, bool) {
	for _, n := range r.Noise {
		if n.Sigma == sigma && pass-1 < len(n.Loss) {
			return n.Loss[pass-1], true
		}
	}
	return math.NaN(), false
}

// slope is the ordinary least-squares slope Σ(x−x̄)(y−ȳ) / Σ(x−x̄)² (Gauss; any statistics
// text, e.g. Draper & Smith 1998, §1.2), false for fewer than two distinct x.
func slope(xs, ys []float64) (float64, bool) {
	n := float64(len(xs))
	if len(xs) < 2 {
		return math.NaN(), false
	}
	mx, my := 0.0, 0.0
	for i := range xs {
		mx += xs[i] / n
		my += ys[i] / n
	}
	sxy, sxx := 0.0, 0.0
	for i := range xs {
		sxy += (xs[i] - mx) * (ys[i] - my)
		sxx += (xs[i] - mx) * (xs[i] - mx)
	}
	if sxx == 0 {
		return math.NaN(), false
	}
	return sxy / sxx, true
}

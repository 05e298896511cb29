package experiment

import (
	"math"

	"github.com/fgrelu/fgrelu/data"
	"github.com/fgrelu/fgrelu/net"
	"github.com/fgrelu/fgrelu/tensor"
	"github.com/fgrelu/fgrelu/train"
)

// probeBatch is the evaluation batch of the probes.
const probeBatch = 500

// ActivityUnitsKept bounds the layers whose per-unit counts a Result keeps: the bottleneck and
// the classifier's dense layer, not the autoencoders' 392-unit layers.
const ActivityUnitsKept = 256

// finalActivity is the dead-unit probe of the trained network: the last epoch's evaluation,
// or a new one when this process ran none (a finished run resumed), with the per-unit counts
// of the layers above ActivityUnitsKept units left out.
func finalActivity(res *train.Result, test *data.Dataset) []net.LayerActivity {
	acts := res.Activity
	if acts == nil {
		acts = train.Evaluate(res.Net, test, train.EvalOptions{BatchSize: probeBatch}).Activity
	}
	out := make([]net.LayerActivity, len(acts))
	for i, a := range acts {
		if a.Units > ActivityUnitsKept {
			a.Active = nil
		}
		out[i] = a
	}
	return out
}

// runProbes takes the measurements p asks for on the trained network n.
func runProbes(res *Result, n *net.Net, test *data.Dataset, p Probes, seed uint64) {
	for i, s := range p.Noise {
		ev := train.Evaluate(n, test, train.EvalOptions{BatchSize: probeBatch, SkipActivity: true, Noise: s, Rand: train.NoiseStream(seed, uint64(i))})
		res.Noise = append(res.Noise, NoisePoint{Sigma: s, Loss: ev.Loss, Accuracy: ev.Accuracy})
	}
	for _, c := range p.Contrast {
		sums := make([]float64, n.Passes)
		ev := train.Evaluate(n, test, train.EvalOptions{BatchSize: probeBatch, SkipActivity: true, Contrast: &c,
			Visit: func(tp *net.Tape, _ int, _ *tensor.Tensor) {
				for t := range n.Passes {
					_, y := tp.Output(t)
					var s float64
					for _, v := range y.Data {
						s += float64(v)
					}
					sums[t] += s / float64(y.Cols())
				}
			}})
		pt := ContrastPt{C: c, Loss: ev.Loss}
		for t := range sums {
			pt.MeanPixel = append(pt.MeanPixel, sums[t]/float64(test.N))
		}
		res.Contrast = append(res.Contrast, pt)
	}
	if p.Histograms {
		res.Hists = histograms(n, test)
	}
	if p.Images > 0 {
		res.Images = images(n, test, p.Images, seed)
	}
	if p.Codes > 0 {
		res.Codes = codes(n, test, p.Codes)
	}
}

// histograms of μ_D and gain of every layer that receives feedback, on the last pass.
func histograms(n *net.Net, test *data.Dataset) []Hist {
	last := n.Passes - 1
	var out []Hist
	for l, s := range n.Stages {
		gate := s.FGReLU()
		if gate == nil || !gate.Mode.UsesFeedback() || last == 0 {
			continue
		}
		var mus []float32
		train.Evaluate(n, test, train.EvalOptions{BatchSize: probeBatch, SkipActivity: true, Visit: func(tp *net.Tape, _ int, _ *tensor.Tensor) {
			if mu := tp.MuD(last, l); mu != nil {
				mus = append(mus, mu.Data...)
			}
		}})
		if len(mus) == 0 {
			continue
		}
		maxGain, _ := gate.GainOf(math.Inf(1))
		gains := make([]float64, len(mus))
		atMax := 0
		lo, hi := math.Inf(1), math.Inf(-1)
		for i, m := range mus {
			g, _ := gate.GainOf(float64(m))
			gains[i] = g
			if g >= maxGain*(1-1e-3) {
				atMax++
			}
			lo, hi = math.Min(lo, float64(m)), math.Max(hi, float64(m))
		}
		h := Hist{Layer: s.Name, Pass: last + 1, AtMax: float64(atMax) / float64(len(mus)), MaxGain: maxGain}
		// μ_D over its range clipped to [−4η, 4η], where the gain changes; gain over [0, max].
		eta := gate.Eta
		h.MuEdges, h.MuCounts = bins(func(yield func(float64)) {
			for _, m := range mus {
				yield(float64(m))
			}
		}, math.Max(lo, -4*eta), math.Min(hi, 4*eta)+1e-9, 60)
		h.GainEdges, h.GainCount = bins(func(yield func(float64)) {
			for _, g := range gains {
				yield(g)
			}
		}, 0, maxGain*1.0001, 60)
		out = append(out, h)
	}
	return out
}

// bins counts values into k equal bins over [lo, hi]; values outside go to the end bins.
func bins(values func(func(float64)), lo, hi float64, k int) ([]float64, []int64) {
	if !(hi > lo) {
		hi = lo + 1
	}
	edges := make([]float64, k+1)
	for i := range edges {
		edges[i] = lo + (hi-lo)*float64(i)/float64(k)
	}
	counts := make([]int64, k)
	values(func(v float64) {
		i := int((v - lo) / (hi - lo) * float64(k))
		counts[max(0, min(k-1, i))]++
	})
	return edges, counts
}

// images reconstructs the first k test images, clean, with noise σ = 2 and at contrast 0.5 (the
// paper's figures 8 and 21).
func images(n *net.Net, test *data.Dataset, k int, seed uint64) *ImageSet {
	sub := test.Head(k)
	set := &ImageSet{Shape: []int{test.H, test.W, test.C}, Recon: map[string][][][]float32{}, Contrast: 0.5, Sigma: 2}
	x := make([]float32, sub.N*sub.Features())
	idx := make([]int, sub.N)
	for i := range idx {
		idx[i] = i
	}
	sub.Gather(x, idx)
	set.Index = idx
	for i := range sub.N {
		set.Input = append(set.Input, x[i*sub.Features():(i+1)*sub.Features()])
	}
	half := 0.5
	conditions := []struct {
		name string
		opt  train.EvalOptions
	}{
		{"clean", train.EvalOptions{}},
		{"noise", train.EvalOptions{Noise: 2, Rand: train.NoiseStream(seed, 1000)}},
		{"contrast", train.EvalOptions{Contrast: &half}},
	}
	for _, c := range conditions {
		opt := c.opt
		opt.BatchSize, opt.SkipActivity = sub.N, true
		recon := make([][][]float32, n.Passes)
		opt.Visit = func(tp *net.Tape, _ int, _ *tensor.Tensor) {
			for t := range n.Passes {
				_, y := tp.Output(t)
				for i := range y.Rows() {
					recon[t] = append(recon[t], append([]float32(nil), y.Data[i*y.Cols():(i+1)*y.Cols()]...))
				}
			}
		}
		train.Evaluate(n, sub, opt)
		set.Recon[c.name] = recon
	}
	return set
}

// codes records the bottleneck (the narrowest layer's output) of the first k test images.
func codes(n *net.Net, test *data.Dataset, k int) *CodeSet {
	sub := test.Head(k)
	narrow := 0
	for l := range n.Stages {
		if tensor.Numel(n.StageShape(l)) < tensor.Numel(n.StageShape(narrow)) {
			narrow = l
		}
	}
	set := &CodeSet{Layer: n.Stages[narrow].Name, Dim: tensor.Numel(n.StageShape(narrow)), Pass: make([][]float32, n.Passes)}
	for i := range sub.N {
		set.Labels = append(set.Labels, int(sub.Labels[i]))
	}
	train.Evaluate(n, sub, train.EvalOptions{BatchSize: probeBatch, SkipActivity: true, Visit: func(tp *net.Tape, _ int, _ *tensor.Tensor) {
		for t := range n.Passes {
			set.Pass[t] = append(set.Pass[t], tp.StageOutput(t, narrow).Data...)
		}
	}})
	return set
}

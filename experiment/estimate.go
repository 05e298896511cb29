package experiment

import (
	"fmt"
	"io"
	"math/rand/v2"
	"sort"
	"time"

	"github.com/fgrelu/fgrelu/config"
	"github.com/fgrelu/fgrelu/train"
)

// Dataset sizes of the full datasets, for estimates.
var fullSizes = map[string][2]int{"mnist": {60000, 10000}, "fashion-mnist": {60000, 10000}, "cifar10": {50000, 10000}}

// shape is what the cost of a training step depends on.
type shape struct {
	arch                   string
	passes, batch, gates   int
	batchNorm, constGain   bool
	topology, gate, losses string
}

func shapeOf(c config.Config) shape {
	return shape{arch: c.Model.Arch, passes: c.Model.Passes, batch: c.Train.BatchSize, batchNorm: c.Model.BatchNorm,
		topology: c.Model.Topology, gate: c.Model.Gate, constGain: len(c.Model.ConstantLayers) > 0, losses: c.Train.LossPasses}
}

// stepTime measures the seconds per training example of a configuration: a few warm-up
// steps, then steps for about a second, on one batch of random data.
func stepTime(c config.Config) (float64, error) {
	step, err := train.Setup(c)
	if err != nil {
		return 0, err
	}
	bs := c.Train.BatchSize
	x, t := train.RandomBatch(step.Net, bs, rand.New(rand.NewPCG(1, 1)))
	run := func(i int) error {
		_, err := step.Do(x, t, train.StepStream(c.Seed, 0, i))
		return err
	}
	for i := range 2 {
		if err := run(i); err != nil {
			return 0, err
		}
	}
	start, steps := time.Now(), 0
	for time.Since(start) < time.Second || steps < 2 {
		if err := run(2 + steps); err != nil {
			return 0, err
		}
		steps++
	}
	return time.Since(start).Seconds() / float64(steps*bs), nil
}

// Estimate measures the step time of every kind of run in the plan (on random data, about a
// second each) and extrapolates the plan's wall time on this machine, one run after another,
// printing the arithmetic. Evaluation of the test set after each epoch is counted at a third
// of a training example per test example (a forward pass without backward), and the probes
// at evalsPerProbe test-set passes.
func Estimate(w io.Writer, p Plan) (float64, error) {
	specs, err := p.Specs()
	if err != nil {
		return 0, err
	}
	perShape := map[shape]float64{}
	type line struct {
		s          shape
		runs       int
		trainEx    float64
		evalEx     float64
		secPerEx   float64
		totalHours float64
	}
	lines := map[shape]*line{}
	for _, s := range specs {
		c := s.Config
		k := shapeOf(c)
		if _, ok := perShape[k]; !ok {
			t, err := stepTime(c)
			if err != nil {
				return 0, err
			}
			perShape[k] = t
		}
		sizes := fullSizes[c.Dataset()]
		trainN, testN := sizes[0], sizes[1]
		if l := c.Data.TrainLimit; l > 0 && l < trainN {
			trainN = l
		}
		if l := c.Data.TestLimit; l > 0 && l < testN {
			testN = l
		}
		probes := len(s.Probes.Noise) + len(s.Probes.Contrast)
		if s.Probes.Histograms {
			probes++
		}
		ex := float64(c.Train.Epochs * trainN)
		ev := float64(c.Train.Epochs*testN+probes*testN) / 3
		l := lines[k]
		if l == nil {
			l = &line{s: k, secPerEx: perShape[k]}
			lines[k] = l
		}
		l.runs++
		l.trainEx += ex
		l.evalEx += ev
		l.totalHours += (ex + ev) * perShape[k] / 3600
	}
	var ls []*line
	total := 0.0
	for _, l := range lines {
		ls = append(ls, l)
		total += l.totalHours
	}
	sort.Slice(ls, func(i, j int) bool { return ls[i].totalHours > ls[j].totalHours })
	fmt.Fprintf(w, "%s profile: %d runs; per kind of run: measured ms per training example × (training examples + test examples/3) = hours\n", p.Profile.Name, len(specs))
	for _, l := range ls {
		fmt.Fprintf(w, "  %-9s T=%d batch %3d %-13s %-14s bn=%-5v const=%-5v loss=%-4s %4d runs: %.4f ms × (%.3g + %.3g) = %8.2f h\n",
			l.s.arch, l.s.passes, l.s.batch, l.s.topology, l.s.gate, l.s.batchNorm, l.s.constGain, l.s.losses, l.runs,
			1000*l.secPerEx, l.trainEx, l.evalEx, l.totalHours)
	}
	fmt.Fprintf(w, "total: %.1f hours = %.1f days on this machine, one run after another\n", total, total/24)
	return total, nil
}

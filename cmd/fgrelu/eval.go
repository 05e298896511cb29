package main

import (
	"context"
	"fmt"
	"io"
	"math"
	"path/filepath"
	"slices"

	"github.com/fgrelu/fgrelu/checkpoint"
	"github.com/fgrelu/fgrelu/net"
	"github.com/fgrelu/fgrelu/tensor"
	"github.com/fgrelu/fgrelu/train"
)

func runEval(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("eval", "eval (--run DIR | --checkpoint FILE) [--noise σ] [--contrast c] [--dump-layer E1 --dump FILE]", stderr)
	run := fs.String("run", "", "a run's output folder (its checkpoint.safetensors)")
	ckpt := fs.String("checkpoint", "", "a checkpoint file")
	noise := fs.Float64("noise", 0, "σ of Gaussian noise added to every hidden pre-activation in every pass")
	contrast := fs.Float64("contrast", 1, "multiply the inputs by this factor in [0, 1] (targets stay the originals)")
	dumpLayer := fs.String("dump-layer", "", "a gated layer whose μ_D and gain to dump")
	dump := fs.String("dump", "", "safetensors file for --dump-layer (tensors pass{t}.mu_d and pass{t}.gain)")
	dataDir := fs.String("data", "", "dataset folder or archive (default: the checkpoint's)")
	limit := fs.Int("test-limit", 0, "evaluate only the first N test examples")
	seed := fs.Uint64("seed", 1, "seed of the noise")
	if err := parse(fs, args); err != nil {
		return err
	}
	switch {
	case (*run == "") == (*ckpt == ""):
		return usageError{"give exactly one of --run DIR and --checkpoint FILE"}
	case *noise < 0 || math.IsNaN(*noise):
		return usageError{"--noise must be ≥ 0"}
	case *contrast < 0 || *contrast > 1 || math.IsNaN(*contrast):
		return usageError{"--contrast must lie in [0, 1]"}
	case (*dumpLayer == "") != (*dump == ""):
		return usageError{"--dump-layer and --dump go together"}
	}
	path := *ckpt
	if *run != "" {
		path = filepath.Join(*run, train.CheckpointFile)
	}
	c, err := train.Open(path)
	if err != nil {
		return err
	}
	n, err := c.Net()
	if err != nil {
		return err
	}
	cfg := c.Config
	if *dataDir != "" {
		cfg.Data.Dir = *dataDir
	}
	cfg.Data.TestLimit = *limit
	_, testSet, err := loadData(cfg, stderr)
	if err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	dumpAt := -1
	var dumped []*tensor.Tensor
	if *dumpLayer != "" {
		dumpAt = n.StageIndex(*dumpLayer)
		if dumpAt < 0 || n.Stages[dumpAt].FGReLU() == nil || !n.Stages[dumpAt].FGReLU().Mode.UsesFeedback() {
			return usageError{fmt.Sprintf("--dump-layer %s: not a layer that receives feedback in this model", *dumpLayer)}
		}
		for range n.Passes {
			dumped = append(dumped, nil)
		}
	}
	opt := train.EvalOptions{BatchSize: 1000, Noise: *noise, Contrast: contrast, Rand: train.NoiseStream(*seed, 0)}
	if dumpAt >= 0 {
		opt.Visit = func(tp *net.Tape, start int, _ *tensor.Tensor) {
			for t := range n.Passes {
				if mu := tp.MuD(t, dumpAt); mu != nil {
					if dumped[t] == nil {
						dumped[t] = tensor.New(testSet.N, mu.Cols())
					}
					copy(dumped[t].Data[start*mu.Cols():], mu.Data)
				}
			}
		}
	}
	ev := train.Evaluate(n, testSet, opt)
	fmt.Fprintf(stdout, "%s on %s (%d test images), noise σ = %g, contrast %g\n", path, testSet.Name, testSet.N, *noise, *contrast)
	for t, l := range ev.Loss {
		line := fmt.Sprintf("  pass %d: loss %.6f", t+1, l)
		if ev.Accuracy != nil {
			line += fmt.Sprintf("  accuracy %.4f", ev.Accuracy[t])
		}
		fmt.Fprintln(stdout, line)
	}
	printDead(stdout, train.DeadRows(c.Progress.Epoch, c.Progress.Step, ev.Activity), ev.Activity)
	if dumpAt >= 0 {
		return writeDump(stdout, *dump, n.Stages[dumpAt], dumped)
	}
	return nil
}

// writeDump saves μ_D and the gain per pass and prints their quantiles.
func writeDump(w io.Writer, path string, s *net.Stage, mus []*tensor.Tensor) error {
	var f checkpoint.File
	gate := s.FGReLU()
	f.Metadata = map[string]string{"layer": s.Name, "gate": gate.Mode.String(),
		"beta_max": fmt.Sprint(gate.BetaMax), "eta": fmt.Sprint(gate.Eta)}
	for t, mu := range mus {
		if mu == nil {
			continue
		}
		gain := tensor.New(mu.Shape...)
		for i, m := range mu.Data {
			g, _ := gate.GainOf(float64(m))
			gain.Data[i] = float32(g)
		}
		f.AddF32(fmt.Sprintf("pass%d.mu_d", t+1), mu.Shape, mu.Data)
		f.AddF32(fmt.Sprintf("pass%d.gain", t+1), gain.Shape, gain.Data)
		fmt.Fprintf(w, "  pass %d %s μ_D: %s\n  pass %d %s gain: %s\n", t+1, s.Name, quantiles(mu.Data), t+1, s.Name, quantiles(gain.Data))
	}
	if err := checkpoint.Save(path, &f); err != nil {
		return err
	}
	fmt.Fprintf(w, "wrote %s\n", path)
	return nil
}

func quantiles(xs []float32) string {
	s := slices.Clone(xs)
	slices.Sort(s)
	q := func(p float64) float32 { return s[int(p*float64(len(s)-1))] }
	return fmt.Sprintf("min %.4g  q25 %.4g  median %.4g  q75 %.4g  max %.4g", q(0), q(0.25), q(0.5), q(0.75), q(1))
}

package main

import (
	"context"
	"fmt"
	"io"
	"path/filepath"
	"time"

	"github.com/fgrelu/fgrelu/config"
	"github.com/fgrelu/fgrelu/data"
	"github.com/fgrelu/fgrelu/net"
	"github.com/fgrelu/fgrelu/nn"
	"github.com/fgrelu/fgrelu/train"
)

func runTrain(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("train", "train [--config FILE] [--set key=value ...] [--out DIR] [--resume]", stderr)
	cf := addConfigFlags(fs)
	out := fs.String("out", "", "output folder (default runs/ARCH-TOPOLOGY-T-SEED-TIME)")
	resume := fs.Bool("resume", false, "continue the run in --out from its checkpoint")
	quiet := fs.Bool("quiet", false, "no progress bar")
	if err := parse(fs, args); err != nil {
		return err
	}
	var cfg config.Config
	var err error
	if *resume {
		if *out == "" {
			return usageError{"--resume needs --out DIR, the folder of the run to continue"}
		}
		if cf.given() {
			return usageError{"--resume continues the run with its own config; drop the config flags"}
		}
		ck, err := train.Open(filepath.Join(*out, train.CheckpointFile))
		if err != nil {
			return err
		}
		cfg = ck.Config
		if ck.Progress.Finished {
			fmt.Fprintf(stdout, "the run in %s has finished (%d epochs); nothing to do\n", *out, ck.Progress.Epoch)
			return nil
		}
		fmt.Fprintf(stdout, "resuming %s at epoch %d, batch %d\n", *out, ck.Progress.Epoch+1, ck.Progress.Batch+1)
	} else if cfg, err = cf.load(); err != nil {
		return err
	}
	if *out == "" {
		*out = filepath.Join("runs", fmt.Sprintf("%s-%s-T%d-seed%d-%s", cfg.Model.Arch, cfg.Model.Topology,
			cfg.Model.Passes, cfg.Seed, time.Now().Format("20060102-150405")))
	}
	trainSet, testSet, err := loadData(cfg, stderr)
	if err != nil {
		return err
	}
	if err := describeModel(stdout, cfg); err != nil {
		return err
	}
	opt := train.Options{Out: *out, Resume: *resume, Progress: stderr}
	if *quiet {
		opt.Progress = nil
		opt.Log = stderr
	}
	res, err := train.Run(ctx, cfg, trainSet, testSet, opt)
	if err != nil {
		return err
	}
	printFinal(stdout, res.History)
	printDead(stdout, lastEpoch(res.Dead), nil)
	fmt.Fprintf(stdout, "wrote %s (config.json, %s, %s, %s, %s)\n", *out, train.MetricsFile(cfg.Train.LogFormat),
		train.DeadFile(cfg.Train.LogFormat), train.ActivityFile, train.CheckpointFile)
	return nil
}

// loadData loads the configured dataset with its limits.
func loadData(cfg config.Config, stderr io.Writer) (trainSet, testSet *data.Dataset, err error) {
	began := time.Now()
	trainSet, testSet, err = data.Load(cfg.Dataset(), cfg.Data.Dir)
	if err != nil {
		return nil, nil, err
	}
	if l := cfg.Data.TrainLimit; l > 0 && l < trainSet.N {
		trainSet = trainSet.Head(l)
	}
	if l := cfg.Data.TestLimit; l > 0 && l < testSet.N {
		testSet = testSet.Head(l)
	}
	fmt.Fprintf(stderr, "data: %s, %d training and %d test images of %d×%d×%d (%.1fs)\n", trainSet.Name,
		trainSet.N, testSet.N, trainSet.H, trainSet.W, trainSet.C, time.Since(began).Seconds())
	return trainSet, testSet, nil
}

// describeModel prints the layers, the feedback edges and the parameter count.
func describeModel(w io.Writer, cfg config.Config) error {
	spec, err := cfg.Spec()
	if err != nil {
		return err
	}
	n, err := net.Build(spec, train.InitStream(cfg.Seed))
	if err != nil {
		return cfg.ModelError(err)
	}
	params := 0
	for _, p := range n.Params() {
		params += p.Value.Len()
	}
	fmt.Fprintf(w, "model: %s, %d passes, loss %s on %s passes, %d parameters\n", cfg.Model.Arch, n.Passes, spec.Loss, cfg.Train.LossPasses, params)
	for l, s := range n.Stages {
		var act string
		switch g := s.Gate.(type) {
		case *nn.FGReLU:
			act = fmt.Sprintf("FG-ReLU %s (β_max %g, η %g)", g.Mode, g.BetaMax, g.Eta)
			if g.Mode == nn.ConstantGain {
				act = fmt.Sprintf("ReLU × constant gain %g", g.Constant)
			}
		case *nn.Ungated:
			act = g.Kind.String()
		}
		fmt.Fprintf(w, "  %-4s %v → %v, %s\n", s.Name, shapeIn(n, l), n.StageShape(l), act)
	}
	for _, e := range n.Edges {
		fmt.Fprintf(w, "  feedback %s → %s (%s, %v weights)\n", n.Stages[e.From].Name, n.Stages[e.To].Name, e.Reduce, e.Weight.Value.Shape)
	}
	return nil
}

func shapeIn(n *net.Net, l int) []int {
	if l == 0 {
		return n.Input
	}
	return n.StageShape(l - 1)
}

// printFinal prints the last epoch's per-pass losses.
func printFinal(w io.Writer, rows []train.Row) {
	if len(rows) == 0 {
		return
	}
	last := rows[len(rows)-1].Epoch
	fmt.Fprintf(w, "after epoch %d:\n  %-5s %-6s %-12s %s\n", last, "pass", "split", "loss", "accuracy")
	for _, r := range rows {
		if r.Epoch != last {
			continue
		}
		acc := ""
		if r.Accuracy == r.Accuracy { // not NaN
			acc = fmt.Sprintf("%.4f", r.Accuracy)
		}
		fmt.Fprintf(w, "  %-5d %-6s %-12.6f %s\n", r.Pass, r.Split, r.Loss, acc)
	}
}

// lastEpoch returns the dead-unit rows of the last epoch.
func lastEpoch(rows []train.DeadRow) []train.DeadRow {
	if len(rows) == 0 {
		return nil
	}
	last := rows[len(rows)-1].Epoch
	i := len(rows)
	for i > 0 && rows[i-1].Epoch == last {
		i--
	}
	return rows[i:]
}

// printDead prints the dead units of every rectifier layer and pass: units never active on the
// test set (a convolution's units are its channels). With the probe's records (acts, in the
// same order as rows) it also names the dead units of layers of at most 32 units.
func printDead(w io.Writer, rows []train.DeadRow, acts []net.LayerActivity) {
	if len(rows) == 0 {
		return
	}
	fmt.Fprintf(w, "dead units (never active on the test set):\n  %-5s %-5s %-6s %-6s %-9s %s\n",
		"layer", "pass", "dead", "units", "fraction", "mean active")
	for i, r := range rows {
		line := fmt.Sprintf("  %-5s %-5d %-6d %-6d %-9.4f %.4f", r.Layer, r.Pass, r.Dead, r.Units, r.Fraction, r.MeanActive)
		if i < len(acts) && acts[i].Units <= 32 && r.Dead > 0 {
			line += fmt.Sprintf("   dead: %v", acts[i].DeadUnits())
		}
		fmt.Fprintln(w, line)
	}
}

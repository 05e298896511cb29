package train

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"time"

	"github.com/fgrelu/fgrelu/config"
	"github.com/fgrelu/fgrelu/data"
	"github.com/fgrelu/fgrelu/gemm"
	"github.com/fgrelu/fgrelu/internal/atomicfile"
	"github.com/fgrelu/fgrelu/internal/progress"
	"github.com/fgrelu/fgrelu/net"
	"github.com/fgrelu/fgrelu/nn"
	"github.com/fgrelu/fgrelu/optim"
	"github.com/fgrelu/fgrelu/tensor"
)

// CheckpointFile is the checkpoint's name inside a run's output folder.
const CheckpointFile = "checkpoint.safetensors"

// Options says where a run writes and what it shows.
type Options struct {
	Out      string           // output folder: config.json, metrics, checkpoint; "" writes nothing
	Resume   bool             // continue from Out's checkpoint
	Progress io.Writer        // progress bar (nil: none)
	Log      io.Writer        // one summary line per epoch (nil: none)
	OnStep   func(step int64) // called after every optimizer step (nil: none)
	Gemm     *gemm.Context    // where the network's products run (nil: gemm.Default())
}

// Result is a finished run.
type Result struct {
	Config  config.Config
	Net     *net.Net
	History []Row
	Dead    []DeadRow // dead units of every rectifier layer and pass after every epoch
	// Activity is the probe of the last test-set evaluation this process ran, per unit: nil
	// when it ran none (a finished run resumed).
	Activity []net.LayerActivity
	Seconds  float64 // wall time of the epochs this process ran
}

// Run trains cfg's network on trainSet, evaluating every pass on testSet after each epoch.
// With opt.Resume it continues the run saved in opt.Out, whose config must equal cfg.
func Run(ctx context.Context, cfg config.Config, trainSet, testSet *data.Dataset, opt Options) (*Result, error) {
	spec, err := cfg.Spec()
	if err != nil {
		return nil, err
	}
	if err := checkData(spec, trainSet); err != nil {
		return nil, err
	}
	step, err := Setup(cfg)
	if err != nil {
		return nil, err
	}
	n, optimizer := step.Net, step.Opt
	if opt.Gemm != nil {
		n.Gemm = opt.Gemm
	}
	p := Progress{TrainSums: make([]float64, n.Passes)}
	ckpt := filepath.Join(opt.Out, CheckpointFile)
	if err := prepareOut(cfg, opt, ckpt); err != nil {
		return nil, err
	}
	if opt.Resume {
		c, err := Open(ckpt)
		if err != nil {
			return nil, err
		}
		if c.Config.JSON() != cfg.JSON() {
			return nil, fmt.Errorf("train: --resume: the checkpoint in %s was made with another config; resume with its own (%s)", opt.Out, filepath.Join(opt.Out, "config.json"))
		}
		if err := c.load(append(n.Params(), n.Buffers()...), ""); err != nil {
			return nil, err
		}
		if err := c.RestoreOptimizer(n, optimizer); err != nil {
			return nil, err
		}
		p = c.Progress
		if err := writeMetrics(opt.Out, cfg, p); err != nil {
			return nil, err
		}
	}
	// Only now, with a resumed checkpoint's config found equal, is config.json (re)written.
	if err := writeConfig(cfg, opt.Out); err != nil {
		return nil, err
	}
	r := &runner{cfg: cfg, n: n, opt: optimizer, step: step, p: p,
		out: opt.Out, ckpt: ckpt, train: trainSet, test: testSet, o: opt}
	start := time.Now()
	err = r.loop(ctx)
	res := &Result{Config: cfg, Net: n, History: r.p.History, Dead: r.p.Dead, Activity: r.activity,
		Seconds: time.Since(start).Seconds()}
	return res, err
}

func checkData(spec net.Spec, ds *data.Dataset) error {
	in := spec.Input
	if ds.H != in[0] || ds.W != in[1] || ds.C != in[2] {
		return fmt.Errorf("train: dataset %s has images %d×%d×%d, the model wants %d×%d×%d (choose a matching model.arch or data.dataset)",
			ds.Name, ds.H, ds.W, ds.C, in[0], in[1], in[2])
	}
	if spec.Loss == "softmax-ce" {
		if out := spec.Layers[len(spec.Layers)-1].Units; out != ds.Classes {
			return fmt.Errorf("train: dataset %s has %d classes, the model's output has %d units", ds.Name, ds.Classes, out)
		}
	}
	return nil
}

func prepareOut(cfg config.Config, opt Options, ckpt string) error {
	if opt.Out == "" {
		if opt.Resume {
			return errors.New("train: --resume needs the output folder of the run to continue")
		}
		return nil
	}
	if err := os.MkdirAll(opt.Out, 0o755); err != nil {
		return fmt.Errorf("train: output folder: %w", err)
	}
	_, err := os.Stat(ckpt)
	switch {
	case opt.Resume && err != nil:
		return fmt.Errorf("train: --resume: no checkpoint in %s (%v)", opt.Out, err)
	case !opt.Resume && err == nil:
		return fmt.Errorf("train: %s already holds a run; continue it with --resume or choose another --out", opt.Out)
	}
	return nil
}

// writeConfig writes the run's config.json into out (nothing when out is "").
func writeConfig(cfg config.Config, out string) error {
	if out == "" {
		return nil
	}
	if err := atomicfile.WriteBytes(filepath.Join(out, "config.json"), []byte(cfg.JSON()+"\n")); err != nil {
		return fmt.Errorf("train: %w", err)
	}
	return nil
}

type runner struct {
	cfg         config.Config
	n           *net.Net
	opt         optim.Optimizer
	step        *Step
	p           Progress
	out, ckpt   string
	train, test *data.Dataset
	o           Options
	activity    []net.LayerActivity // the last evaluation's dead-unit probe
}

func (r *runner) loop(ctx context.Context) error {
	cfg := r.cfg
	bs := cfg.Train.BatchSize
	classify := r.n.Loss.Name() == "softmax-ce"
	x := tensor.New(bs, r.train.H, r.train.W, r.train.C)
	labels := make([]int, bs)
	for r.p.Epoch < cfg.Train.Epochs {
		epoch := r.p.Epoch
		began := time.Now()
		perm := data.Permutation(r.train.N, Stream(cfg.Seed, StreamShuffle, uint64(epoch), 0))
		batches := data.Batches(perm, bs)
		bar := progress.New(r.o.Progress, fmt.Sprintf("epoch %d/%d", epoch+1, cfg.Train.Epochs), int64(r.train.N), "samples")
		bar.Add(int64(r.p.TrainCount), "")
		for b := r.p.Batch; b < len(batches); b++ {
			if err := ctx.Err(); err != nil {
				return r.interrupted(err)
			}
			idx := batches[b]
			xb := x.RowSlice(0, len(idx))
			r.train.Gather(xb.Data, idx)
			target := nn.Target{X: xb}
			if classify {
				target = nn.Target{Labels: labels[:len(idx)]}
				r.train.GatherLabels(target.Labels, idx)
			}
			losses, err := r.step.Do(xb, target, StepStream(cfg.Seed, epoch, b))
			if err != nil {
				return r.nonFinite(err, epoch, b)
			}
			for t, l := range losses {
				r.p.TrainSums[t] += l * float64(len(idx))
			}
			r.p.TrainCount += len(idx)
			r.p.Batch = b + 1
			r.p.Step++
			bar.Add(int64(len(idx)), fmt.Sprintf("loss %.4f", losses[len(losses)-1]))
			if r.o.OnStep != nil {
				r.o.OnStep(r.p.Step)
			}
			if every := cfg.Train.CheckpointEvery; every > 0 && r.p.Step%int64(every) == 0 && b+1 < len(batches) {
				if err := r.save(); err != nil {
					return err
				}
			}
		}
		if err := r.endEpoch(bar, time.Since(began)); err != nil {
			return err
		}
	}
	r.p.Finished = true
	return r.save()
}

// endEpoch evaluates the test set, records the epoch's rows and saves a checkpoint.
func (r *runner) endEpoch(bar *progress.Bar, took time.Duration) error {
	epoch := r.p.Epoch + 1
	nanAcc := math.NaN()
	for t, s := range r.p.TrainSums {
		r.p.History = append(r.p.History, Row{Epoch: epoch, Step: r.p.Step, Split: "train", Pass: t + 1,
			Loss: s / float64(max(r.p.TrainCount, 1)), Accuracy: nanAcc})
	}
	ev := Evaluate(r.n, r.test, EvalOptions{BatchSize: r.evalBatch()})
	summary := ""
	for t, l := range ev.Loss {
		acc := nanAcc
		if ev.Accuracy != nil {
			acc = ev.Accuracy[t]
		}
		r.p.History = append(r.p.History, Row{Epoch: epoch, Step: r.p.Step, Split: "test", Pass: t + 1, Loss: l, Accuracy: acc})
		summary += fmt.Sprintf(" pass%d %.5f", t+1, l)
		if ev.Accuracy != nil {
			summary += fmt.Sprintf(" (acc %.4f)", acc)
		}
	}
	r.activity = ev.Activity
	r.p.Dead = append(r.p.Dead, DeadRows(epoch, r.p.Step, ev.Activity)...)
	if d := DeadSummary(ev.Activity); d != "" {
		summary += "; " + d
	}
	bar.Done("test loss" + summary)
	if r.o.Log != nil {
		fmt.Fprintf(r.o.Log, "epoch %d/%d  %.1fs  test loss%s\n", epoch, r.cfg.Train.Epochs, took.Seconds(), summary)
	}
	r.p.Epoch, r.p.Batch, r.p.TrainCount = epoch, 0, 0
	clear(r.p.TrainSums)
	if err := writeMetrics(r.out, r.cfg, r.p); err != nil {
		return err
	}
	if r.out != "" {
		var buf bytes.Buffer
		if err := WriteActivity(&buf, epoch, ev.Activity); err != nil {
			return err
		}
		if err := atomicfile.WriteBytes(filepath.Join(r.out, ActivityFile), buf.Bytes()); err != nil {
			return fmt.Errorf("train: %w", err)
		}
	}
	if r.out != "" {
		line := fmt.Sprintf("%d,%.3f\n", epoch, took.Seconds())
		if err := appendFile(filepath.Join(r.out, "timing.csv"), "epoch,seconds\n", line); err != nil {
			return err
		}
	}
	return r.save()
}

func (r *runner) evalBatch() int {
	if b := r.cfg.Train.EvalBatchSize; b > 0 {
		return b
	}
	return r.cfg.Train.BatchSize
}

// Diverged is the error of a run stopped by a non-finite loss: its message says where and what
// was kept; errors.As finds the step's NonFinite in it.
type Diverged struct {
	*NonFinite
	Msg string
}

func (e *Diverged) Error() string { return e.Msg }
func (e *Diverged) Unwrap() error { return e.NonFinite }

// nonFinite is the error that stops the run when a step's loss is NaN or infinite (a
// NonFinite), naming where it first appears and what was kept.
func (r *runner) nonFinite(err error, epoch, batch int) error {
	var nf *NonFinite
	if !errors.As(err, &nf) {
		return err
	}
	kept := "no checkpoint was written (no output folder)"
	if r.out != "" {
		kept = "the last good checkpoint is kept in " + r.ckpt
	}
	return &Diverged{NonFinite: nf, Msg: fmt.Sprintf("train: the loss became non-finite at epoch %d, step %d (batch %d): first in %s; %s. Try a lower train.lr",
		epoch+1, r.p.Step+1, batch+1, nf.Where, kept)}
}

// interrupted saves where the run stands, so --resume continues it, and returns err.
func (r *runner) interrupted(err error) error {
	if serr := r.save(); serr != nil {
		return errors.Join(err, serr)
	}
	if r.out != "" {
		return fmt.Errorf("train: interrupted (%w); continue with --resume --out %s", err, r.out)
	}
	return err
}

func (r *runner) save() error {
	if r.out == "" {
		return nil
	}
	for _, p := range r.n.Params() {
		if !finite(p.Value.Data) {
			return fmt.Errorf("train: parameter %s is not finite; the checkpoint %s was not overwritten", p.Name, r.ckpt)
		}
	}
	if err := Save(r.ckpt, r.cfg, r.n, r.opt, r.p); err != nil {
		return fmt.Errorf("train: saving the checkpoint: %w", err)
	}
	return nil
}

// writeMetrics rewrites the metrics log and the dead-unit log from the progress.
func writeMetrics(out string, cfg config.Config, p Progress) error {
	if out == "" {
		return nil
	}
	format := cfg.Train.LogFormat
	var buf, dead bytes.Buffer
	if err := WriteMetrics(&buf, p.History, format); err != nil {
		return err
	}
	if err := WriteDead(&dead, p.Dead, format); err != nil {
		return err
	}
	if err := atomicfile.WriteBytes(filepath.Join(out, MetricsFile(format)), buf.Bytes()); err != nil {
		return err
	}
	return atomicfile.WriteBytes(filepath.Join(out, DeadFile(format)), dead.Bytes())
}

func appendFile(path, header, line string) error {
	f, err := os.OpenFile(path, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return fmt.Errorf("train: %w", err)
	}
	if st, err := f.Stat(); err == nil && st.Size() == 0 {
		line = header + line
	}
	if _, err := f.WriteString(line); err != nil {
		f.Close()
		return fmt.Errorf("train: %s: %w", path, err)
	}
	return f.Close()
}

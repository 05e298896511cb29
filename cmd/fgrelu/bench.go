package main

import (
	"context"
	"fmt"
	"io"
	"maps"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/fgrelu/fgrelu/config"
	"github.com/fgrelu/fgrelu/gemm"
	"github.com/fgrelu/fgrelu/internal/kernels"
	"github.com/fgrelu/fgrelu/internal/sysinfo"
	"github.com/fgrelu/fgrelu/nn"
	"github.com/fgrelu/fgrelu/tensor"
	"github.com/fgrelu/fgrelu/train"
)

// The benchmark workloads (bench/README.md, "Benchmark references"): T = 2, batch 128, FG-ReLU gain (β_max 0.95,
// η 5) on the gated layer, Adam lr 1e-3, random inputs in [0, 1), loss on the last pass,
// backward through both passes.
var benchWorkloads = map[string][]string{
	"mnist-ae":  {"model.arch=mnist-ae", "model.bottleneck=10"},
	"cifar-ae":  {"model.arch=cifar-ae", "model.batch_norm=false"},
	"cifar-cls": {"model.arch=cifar-cls", "model.dropout=0.5"},
}

func benchConfig(name string) (config.Config, error) {
	sets, ok := benchWorkloads[name]
	if !ok {
		names := slices.Sorted(maps.Keys(benchWorkloads))
		return config.Config{}, usageError{fmt.Sprintf("unknown workload %q (want one of %s)", name, strings.Join(names, ", "))}
	}
	return config.Load("", append(sets, "model.topology=partial", "model.passes=2", "model.gate=gain",
		"model.beta_max=0.95", "model.eta=5", "train.batch_size=128", "train.optimizer=adam",
		"train.lr=0.001", "train.loss_passes=last")...)
}

// benchSetup is a workload ready to step.
type benchSetup struct {
	step    *train.Step
	xs      []*tensor.Tensor
	targets []nn.Target
	seed    uint64
	next    int // the index of the next step
}

func newBench(cfg config.Config) (*benchSetup, error) {
	step, err := train.Setup(cfg)
	if err != nil {
		return nil, err
	}
	b := &benchSetup{step: step, seed: cfg.Seed}
	r := rand.New(rand.NewPCG(cfg.Seed, 99))
	for range 8 { // eight batches made before timing and cycled, as the PyTorch references do
		x, t := train.RandomBatch(step.Net, cfg.Train.BatchSize, r)
		b.xs, b.targets = append(b.xs, x), append(b.targets, t)
	}
	return b, nil
}

// do runs the next training step, step i on batch i mod 8, its dropout masks from the step
// stream (epoch 0).
func (b *benchSetup) do() error {
	i := b.next
	b.next++
	k := i % len(b.xs)
	_, err := b.step.Do(b.xs[k], b.targets[k], train.StepStream(b.seed, 0, i))
	return err
}

// run runs steps for at least the given seconds and at least minSteps steps, and returns how
// many it ran.
func (b *benchSetup) run(seconds float64, minSteps int) (int, error) {
	start, steps := time.Now(), 0
	for time.Since(start).Seconds() < seconds || steps < minSteps {
		if err := b.do(); err != nil {
			return steps, err
		}
		steps++
	}
	return steps, nil
}

// counted runs the next step and returns the floating-point operations of its products.
func (b *benchSetup) counted() (int64, error) {
	n := b.step.Net
	plain := n.Gemm
	var k gemm.Counter
	n.Gemm = plain.Counting(&k)
	defer func() { n.Gemm = plain }()
	err := b.do()
	return k.Take(), err
}

func runBench(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("bench", "bench WORKLOAD [--windows 7] [--seconds 2] [--compare]   (WORKLOAD: mnist-ae, cifar-ae, cifar-cls)", stderr)
	windows := fs.Int("windows", 7, "timed windows; the median is reported")
	seconds := fs.Float64("seconds", 2, "length of a timed window")
	warmup := fs.Float64("warmup", 2, "seconds of untimed warm-up steps")
	compare := fs.Bool("compare", false, "then run the PyTorch reference (bench/torch_WORKLOAD.py) in the same environment and print the ratio")
	python := fs.String("python", "/usr/bin/python3", "Python with torch, for --compare")
	cpuprofile := fs.String("cpuprofile", "", "write a CPU profile of the timed windows")
	remeasure := fs.Bool("remeasure-peak", false, "measure this machine's peak again instead of using the cached value")
	memprofile := fs.String("memprofile", "", "write a heap profile (in-use memory) after the timed windows")
	layers := fs.Bool("layers", false, "then time one more window stage by stage: forward and backward milliseconds per step, share and GFLOP/s of each layer")
	if len(args) == 0 || strings.HasPrefix(args[0], "-") {
		if err := parse(fs, args); err != nil {
			return err
		}
		return usageError{"name a workload: mnist-ae, cifar-ae or cifar-cls"}
	}
	name := args[0]
	if err := parse(fs, args[1:]); err != nil {
		return err
	}
	if *windows < 1 || !(*seconds > 0) {
		return usageError{"--windows must be ≥ 1 and --seconds > 0"}
	}
	cfg, err := benchConfig(name)
	if err != nil {
		return err
	}
	b, err := newBench(cfg)
	if err != nil {
		return err
	}
	peak := measuredPeak(*remeasure) // before the workload, so its products are not counted
	bs := cfg.Train.BatchSize
	if _, err := b.run(*warmup, 3); err != nil {
		return err
	}
	flops, err := b.counted()
	if err != nil {
		return err
	}
	flopsPerSample := float64(flops) / float64(bs)
	if *cpuprofile != "" {
		stop, err := startProfile(*cpuprofile)
		if err != nil {
			return err
		}
		defer stop()
	}
	rates := make([]float64, 0, *windows)
	for w := range *windows {
		if err := ctx.Err(); err != nil {
			return err
		}
		start := time.Now()
		steps, err := b.run(*seconds, 0)
		if err != nil {
			return err
		}
		rate := float64(steps*bs) / time.Since(start).Seconds()
		rates = append(rates, rate)
		fmt.Fprintf(stdout, "window %d: %d steps, %.0f samples/s\n", w+1, steps, rate)
	}
	med := printRates(stdout, rates, flopsPerSample, peak)
	if *memprofile != "" {
		if err := writeHeapProfile(*memprofile); err != nil {
			return err
		}
	}
	if *layers {
		if err := b.layers(stdout, *seconds, peak.GFLOPS); err != nil {
			return err
		}
	}
	if *compare {
		torch, err := runTorchReference(ctx, name, *python, *windows, *seconds, stdout)
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "pytorch samples/s: %.0f\nratio fgrelu/pytorch: %.2f\n", torch, med/torch)
	}
	fmt.Fprintf(stdout, "samples/s: %.0f\n", med)
	return nil
}

// printRates prints the spread of the windows' rates, the work per sample and the share of
// the machine's peak it achieved, and returns the median rate.
func printRates(w io.Writer, rates []float64, flopsPerSample float64, peak machinePeak) float64 {
	med := median(rates)
	fmt.Fprintf(w, "spread: min %.0f, median %.0f, max %.0f samples/s\n", slices.Min(rates), med, slices.Max(rates))
	gflops := med * flopsPerSample / 1e9
	fmt.Fprintf(w, "flops/sample: %.4g (matrix products as executed, counted; a Winograd convolution as the direct one it replaces)\n", flopsPerSample)
	fmt.Fprintf(w, "achieved: %.1f GFLOP/s, %.0f%% of this machine's peak of %.0f GFLOP/s (the faster of a %d³ product and a 64→64 5×5 convolution on %d cores, measured %s)\n",
		gflops, 100*gflops/peak.GFLOPS, peak.GFLOPS, peakSize, runtime.GOMAXPROCS(0), peak.Date)
	fmt.Fprintf(w, "env: %s\n", benchEnv())
	return med
}

func median(xs []float64) float64 {
	s := slices.Clone(xs)
	slices.Sort(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

// benchEnv describes what the numbers depend on.
func benchEnv() string {
	return fmt.Sprintf("%s, GOMAXPROCS=%d, gemm=%s, elementwise kernels %s, OPENBLAS_CORETYPE=%s, OPENBLAS_L2_SIZE=%s, OPENBLAS_NUM_THREADS=%s, cpu=%q",
		runtime.Version(), runtime.GOMAXPROCS(0), gemm.Describe(), kernels.ISA(), envOr("OPENBLAS_CORETYPE"), envOr("OPENBLAS_L2_SIZE"),
		envOr("OPENBLAS_NUM_THREADS"), sysinfo.CPUModel())
}

// runTorchReference runs bench/torch_NAME.py and returns its samples/s (its last line).
func runTorchReference(ctx context.Context, name, python string, windows int, seconds float64, stdout io.Writer) (float64, error) {
	script := filepath.Join("bench", "torch_"+strings.ReplaceAll(name, "-", "_")+".py")
	if _, err := os.Stat(script); err != nil {
		return 0, fmt.Errorf("--compare: %s not found; run from the repository root", script)
	}
	cmd := exec.CommandContext(ctx, python, script, "--windows", strconv.Itoa(windows), "--seconds", strconv.FormatFloat(seconds, 'g', -1, 64))
	cmd.Env = append(os.Environ(), "OPENBLAS_NUM_THREADS=1")
	outb, err := cmd.CombinedOutput()
	if err != nil {
		return 0, fmt.Errorf("--compare: %s: %v\n%s", script, err, outb)
	}
	fmt.Fprintf(stdout, "--- PyTorch reference (%s) ---\n%s--- end of PyTorch reference ---\n", script, outb)
	lines := strings.Split(strings.TrimSpace(string(outb)), "\n")
	last := lines[len(lines)-1]
	v, ok := strings.CutPrefix(last, "samples/s: ")
	if !ok {
		return 0, fmt.Errorf("--compare: %s did not end with 'samples/s: N' (%q)", script, last)
	}
	return strconv.ParseFloat(strings.TrimSpace(v), 64)
}

// layers runs one more window with the tape timing every stage and counting its products, and
// prints the breakdown; the rest of a step (losses, clearing gradients, the optimiser) is the
// last row.
func (b *benchSetup) layers(w io.Writer, seconds, peak float64) error {
	n := b.step.Net
	plain := n.Gemm
	var k gemm.Counter
	n.Gemm = plain.Counting(&k)
	defer func() { n.Gemm = plain }()
	tp := b.step.Tape()
	times := tp.TimeStages(true)
	defer tp.TimeStages(false)
	start := time.Now()
	steps, err := b.run(seconds, 3)
	if err != nil {
		return err
	}
	total := time.Since(start)
	ms := func(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 / float64(steps) }
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintf(w, "per layer (%d steps; milliseconds per step; GFLOP/s of the layer's matrix products over its time):\n", steps)
	fmt.Fprintln(tw, "layer\tforward\tbackward\tshare\tGFLOP/s\t% of peak\t")
	var staged time.Duration
	for l, st := range n.Stages {
		d := times.Forward[l] + times.Backward[l]
		staged += d
		g := float64(times.ForwardFLOPs[l]+times.BackwardFLOPs[l]) / d.Seconds() / 1e9
		fmt.Fprintf(tw, "%s\t%.3f\t%.3f\t%.1f %%\t%.1f\t%.0f %%\t\n", st.Name, ms(times.Forward[l]), ms(times.Backward[l]),
			100*d.Seconds()/total.Seconds(), g, 100*g/peak)
	}
	rest := total - staged
	fmt.Fprintf(tw, "rest\t\t%.3f\t%.1f %%\t\t\t\n", ms(rest), 100*rest.Seconds()/total.Seconds())
	return tw.Flush()
}

package experiment

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/fgrelu/fgrelu/data"
	"github.com/fgrelu/fgrelu/internal/par"
	"github.com/fgrelu/fgrelu/internal/progress"
	"github.com/fgrelu/fgrelu/train"
)

// datasets loads each dataset once and shares it between runs.
type datasets struct {
	mu    sync.Mutex
	cache map[string][2]*data.Dataset
	dirs  map[string]string // dataset name → folder or archive ("" = default place)
}

func (d *datasets) get(name, dir string) (train, test *data.Dataset, err error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.cache == nil {
		d.cache = map[string][2]*data.Dataset{}
	}
	if dir == "" {
		dir = d.dirs[name]
	}
	key := name + "\x00" + dir
	if c, ok := d.cache[key]; ok {
		return c[0], c[1], nil
	}
	tr, te, err := data.Load(name, dir)
	if err != nil {
		return nil, nil, err
	}
	d.cache[key] = [2]*data.Dataset{tr, te}
	return tr, te, nil
}

// Options control how runs are executed.
type Options struct {
	Out      string            // output folder (results/ and figures)
	Jobs     int               // runs at once (0 → 1)
	Data     map[string]string // dataset name → folder or archive
	Progress io.Writer         // overall progress (nil: none)
	Log      io.Writer         // a line per finished run (nil: none)
	OnStep   func(step int64)  // called after every optimiser step of a run (nil: none)
}

// Execute runs every spec that has no complete result yet, Jobs at a time. A failed run does
// not stop the others; the errors are returned together.
func Execute(ctx context.Context, specs []RunSpec, opt Options) error {
	var todo []RunSpec
	for _, s := range Unique(specs) {
		if !Done(opt.Out, s) {
			todo = append(todo, s)
		}
	}
	if opt.Log != nil {
		fmt.Fprintf(opt.Log, "%d runs, %d already done, %d to run\n", len(Unique(specs)), len(Unique(specs))-len(todo), len(todo))
	}
	if len(todo) == 0 {
		return nil
	}
	jobs := max(1, opt.Jobs)
	if jobs > 1 {
		// Several trainings share the cores: a helper spinning for its training's next loop
		// would take a core from another's work (the quick profile's runs, two at a time:
		// 5 min 9 s with spinning helpers, 4 min 27 s with helpers that sleep at once).
		defer par.SetIdleSpin(par.SetIdleSpin(0))
	}
	ds := &datasets{dirs: opt.Data}
	bar := progress.New(opt.Progress, "runs", int64(len(todo)), "runs")
	var mu sync.Mutex
	var errs []error
	next := make(chan RunSpec)
	var wg sync.WaitGroup
	for range jobs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for s := range next {
				start := time.Now()
				err := RunOne(ctx, s, ds, opt)
				mu.Lock()
				switch {
				case errors.Is(err, ErrDiverged):
					if opt.Log != nil {
						fmt.Fprintf(opt.Log, "diverged %-24s repeat %d  %s\n", s.Label, s.Repeat, err)
					}
				case err != nil:
					errs = append(errs, fmt.Errorf("%s (repeat %d): %w", s.Label, s.Repeat, err))
				case opt.Log != nil:
					fmt.Fprintf(opt.Log, "done %-28s repeat %d  %5.1fs  %s\n", s.Label, s.Repeat, time.Since(start).Seconds(), s.FileName())
				}
				mu.Unlock()
				bar.Add(1, s.Label)
			}
		}()
	}
	for _, s := range todo {
		if ctx.Err() != nil {
			break
		}
		next <- s
	}
	close(next)
	wg.Wait()
	bar.Done("")
	if ctx.Err() != nil {
		errs = append(errs, ctx.Err())
	}
	if len(errs) > 0 {
		return fmt.Errorf("experiment: %d runs failed: %v", len(errs), errs)
	}
	return nil
}

// RunOne trains one spec, takes its probes and writes its result into opt.Out.
func RunOne(ctx context.Context, s RunSpec, ds *datasets, opt Options) error {
	out := opt.Out
	if ds == nil {
		ds = &datasets{}
	}
	cfg := s.Config
	trainSet, testSet, err := ds.get(cfg.Dataset(), cfg.Data.Dir)
	if err != nil {
		return err
	}
	if l := cfg.Data.TrainLimit; l > 0 && l < trainSet.N {
		trainSet = trainSet.Head(l)
	}
	if l := cfg.Data.TestLimit; l > 0 && l < testSet.N {
		testSet = testSet.Head(l)
	}
	start := time.Now()
	// The run checkpoints into its own folder, so a run killed by a cluster's time limit
	// continues where it stopped when its index is launched again; the folder goes once the
	// result is saved.
	ckptDir := filepath.Join(out, "checkpoints", s.Key())
	resume := false
	if _, err := os.Stat(filepath.Join(ckptDir, train.CheckpointFile)); err == nil {
		resume = true
	}
	res, err := train.Run(ctx, cfg, trainSet, testSet, train.Options{Out: ckptDir, Resume: resume, OnStep: opt.OnStep})
	if err != nil && diverged(err) {
		// A diverged run is an outcome, not a failure: it is saved (and its last good
		// checkpoint kept) so that the analysis counts it per configuration.
		r := &Result{Key: s.Key(), Spec: s, Diverged: err.Error(), Seconds: time.Since(start).Seconds()}
		if serr := save(out, r); serr != nil {
			return serr
		}
		return fmt.Errorf("%w: %v", ErrDiverged, err)
	}
	if err != nil {
		return err
	}
	r := &Result{Key: s.Key(), Spec: s, History: res.History, Dead: res.Dead}
	r.Activity = finalActivity(res, testSet)
	runProbes(r, res.Net, testSet, s.Probes, cfg.Seed)
	r.Seconds = time.Since(start).Seconds()
	if err := save(out, r); err != nil {
		return err
	}
	return os.RemoveAll(ckptDir)
}

// ErrDiverged marks a run whose loss became non-finite. RunOne has saved its result (marked
// diverged, counted by the analysis), so Execute logs it instead of failing.
var ErrDiverged = errors.New("experiment: the run diverged (saved and counted)")

// diverged reports whether a training error is the loss becoming NaN or infinite.
func diverged(err error) bool {
	var nf *train.NonFinite
	return errors.As(err, &nf)
}

package train

import (
	"encoding/json"
	"fmt"
	"runtime"
	"strconv"

	"github.com/fgrelu/fgrelu/checkpoint"
	"github.com/fgrelu/fgrelu/config"
	"github.com/fgrelu/fgrelu/gemm"
	"github.com/fgrelu/fgrelu/net"
	"github.com/fgrelu/fgrelu/nn"
	"github.com/fgrelu/fgrelu/optim"
	"github.com/fgrelu/fgrelu/tensor"
)

// Format names the checkpoint layout, stored in its metadata.
const Format = "fgrelu-checkpoint-1"

// Progress is where a run stands: what a checkpoint needs besides the tensors.
type Progress struct {
	Epoch      int       // epochs completed
	Batch      int       // batches done in the current epoch
	Step       int64     // optimizer steps done
	TrainSums  []float64 // current epoch: Σ examples·loss per pass so far
	TrainCount int       // current epoch: examples so far
	History    []Row     // every metrics row so far
	Finished   bool
}

// Save writes the network's parameters and buffers, the optimizer's state, the progress and
// the config into one safetensors file, atomically. Tensor names are the parameters' paths
// ("E1.weight", "fb.D1->E1.weight"); the optimizer's are prefixed ("adam.m.E1.weight").
//
// The random-number state is the seed (in the config) and the epoch and step (in the
// progress): every stream is derived from them, see Stream.
func Save(path string, cfg config.Config, n *net.Net, opt optim.Optimizer, p Progress) error {
	var f checkpoint.File
	for _, t := range append(n.Params(), n.Buffers()...) {
		f.AddF32(t.Name, t.Value.Shape, t.Value.Data)
	}
	step := int64(0)
	if opt != nil {
		var st map[string]*tensor.Tensor
		st, step = opt.State()
		for _, t := range n.Params() { // in parameter order, so the file's bytes are reproducible
			for _, prefix := range []string{"adam.m.", "adam.v.", "sgd.momentum."} {
				if s, ok := st[prefix+t.Name]; ok {
					f.AddF32(prefix+t.Name, s.Shape, s.Data)
				}
			}
		}
	}
	f.AddF64("progress.train_sums", []int{len(p.TrainSums)}, p.TrainSums)
	hist, err := json.Marshal(p.History)
	if err != nil {
		return fmt.Errorf("train: %w", err)
	}
	f.Metadata = map[string]string{
		"format":         Format,
		"config":         cfg.JSON(),
		"epoch":          strconv.Itoa(p.Epoch),
		"batch":          strconv.Itoa(p.Batch),
		"step":           strconv.FormatInt(p.Step, 10),
		"optimizer_step": strconv.FormatInt(step, 10),
		"train_count":    strconv.Itoa(p.TrainCount),
		"history":        string(hist),
		"finished":       strconv.FormatBool(p.Finished),
		"rng":            "every stream is derived from (seed, kind, epoch, step); see train.Stream",
		"gemm":           gemm.Current().Name(),
		"go":             runtime.Version(),
	}
	return checkpoint.Save(path, &f)
}

// Checkpoint is a loaded checkpoint file.
type Checkpoint struct {
	Config   config.Config
	Progress Progress
	file     *checkpoint.File
	optStep  int64
}

// Open reads a checkpoint and its metadata.
func Open(path string) (*Checkpoint, error) {
	f, err := checkpoint.Load(path)
	if err != nil {
		return nil, err
	}
	md := f.Metadata
	if md["format"] != Format {
		return nil, fmt.Errorf("train: %s is not an fgrelu checkpoint (format %q, want %q)", path, md["format"], Format)
	}
	cfg, err := config.FromJSON(md["config"])
	if err != nil {
		return nil, fmt.Errorf("train: %s: %w", path, err)
	}
	c := &Checkpoint{Config: cfg, file: f}
	ints := map[string]*int64{}
	var epoch, batch, count int64
	ints["epoch"], ints["batch"], ints["train_count"] = &epoch, &batch, &count
	ints["step"], ints["optimizer_step"] = &c.Progress.Step, &c.optStep
	for k, dst := range ints {
		v, err := strconv.ParseInt(md[k], 10, 64)
		if err != nil || v < 0 {
			return nil, fmt.Errorf("train: %s: metadata %s = %q is not a count", path, k, md[k])
		}
		*dst = v
	}
	c.Progress.Epoch, c.Progress.Batch, c.Progress.TrainCount = int(epoch), int(batch), int(count)
	c.Progress.Finished = md["finished"] == "true"
	if err := json.Unmarshal([]byte(md["history"]), &c.Progress.History); err != nil {
		return nil, fmt.Errorf("train: %s: metadata history: %w", path, err)
	}
	sums, err := f.F64("progress.train_sums", cfg.Model.Passes)
	if err != nil {
		return nil, fmt.Errorf("train: %s: %w", path, err)
	}
	c.Progress.TrainSums = append([]float64(nil), sums...)
	return c, nil
}

// Net builds the checkpoint's network and loads its weights.
func (c *Checkpoint) Net() (*net.Net, error) {
	spec, err := c.Config.Spec()
	if err != nil {
		return nil, err
	}
	n, err := net.Build(spec, InitStream(c.Config.Seed))
	if err != nil {
		return nil, err
	}
	if err := c.load(append(n.Params(), n.Buffers()...), ""); err != nil {
		return nil, err
	}
	return n, nil
}

// RestoreOptimizer loads the optimizer state saved for the network's parameters.
func (c *Checkpoint) RestoreOptimizer(n *net.Net, opt optim.Optimizer) error {
	st, _ := opt.State()
	for name, t := range st {
		data, err := c.file.F32(name, t.Shape...)
		if err != nil {
			return fmt.Errorf("train: optimizer state: %w", err)
		}
		copy(t.Data, data)
	}
	opt.SetStep(c.optStep)
	return nil
}

func (c *Checkpoint) load(params []*nn.Param, prefix string) error {
	for _, p := range params {
		data, err := c.file.F32(prefix+p.Name, p.Value.Shape...)
		if err != nil {
			return fmt.Errorf("train: %w", err)
		}
		copy(p.Value.Data, data)
	}
	return nil
}

package train

import (
	"encoding/json"
	"fmt"
	"io"
	"runtime"
	"strconv"
	"strings"

	"github.com/fgrelu/fgrelu/checkpoint"
	"github.com/fgrelu/fgrelu/config"
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
	Dead       []DeadRow // every dead-unit row so far
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
	dead, err := json.Marshal(p.Dead)
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
		"dead_units":     string(dead),
		"finished":       strconv.FormatBool(p.Finished),
		"rng":            "every stream is derived from (seed, kind, epoch, step); see train.Stream",
		"gemm":           n.Gemm.Name(),
		"convolutions":   n.Gemm.ConvName(),
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
	// The sums, one per pass, come first: they bound the passes by the file's size.
	sums, err := f.F64("progress.train_sums", cfg.Model.Passes)
	if err != nil {
		return nil, fmt.Errorf("train: %s: %w", path, err)
	}
	c.Progress.TrainSums = append([]float64(nil), sums...)
	if c.Progress.History, err = readHistory(md["history"], epoch, cfg.Model.Passes); err != nil {
		return nil, fmt.Errorf("train: %s: metadata history: %w", path, err)
	}
	spec, err := cfg.Spec()
	if err != nil {
		return nil, fmt.Errorf("train: %s: %w", path, err)
	}
	if c.Progress.Dead, err = readDead(md["dead_units"], epoch, len(spec.Layers)*cfg.Model.Passes); err != nil {
		return nil, fmt.Errorf("train: %s: metadata dead_units: %w", path, err)
	}
	return c, nil
}

// readDead decodes the dead-unit rows saved with a checkpoint, one at a time: epochs 1 to
// epochs in order, at most perEpoch rows each (a row per rectifier layer and pass), so that it
// cannot allocate for more rows than the counts allow. Checkpoints written before the probe
// have none: then the log starts again at the epoch the run resumes.
func readDead(s string, epochs int64, perEpoch int) ([]DeadRow, error) {
	if s == "" || strings.TrimSpace(s) == "null" {
		return nil, nil
	}
	d := json.NewDecoder(strings.NewReader(s))
	if tok, err := d.Token(); err != nil || tok != json.Delim('[') {
		return nil, fmt.Errorf("not a list of rows")
	}
	var rows []DeadRow
	epoch, inEpoch := 0, 0
	for d.More() {
		var r DeadRow
		if err := d.Decode(&r); err != nil {
			return nil, fmt.Errorf("row %d: %w", len(rows), err)
		}
		if r.Epoch == epoch {
			inEpoch++
		} else {
			epoch, inEpoch = r.Epoch, 1
		}
		switch {
		case r.Epoch < 1 || int64(r.Epoch) > epochs:
			return nil, fmt.Errorf("row %d is of epoch %d; the run has done %d", len(rows), r.Epoch, epochs)
		case len(rows) > 0 && r.Epoch < rows[len(rows)-1].Epoch:
			return nil, fmt.Errorf("row %d: epoch %d after epoch %d", len(rows), r.Epoch, rows[len(rows)-1].Epoch)
		case inEpoch > perEpoch:
			return nil, fmt.Errorf("more than %d rows for epoch %d", perEpoch, r.Epoch)
		case r.Units < 0 || r.Dead < 0 || r.Dead > r.Units:
			return nil, fmt.Errorf("row %d: %d dead of %d units", len(rows), r.Dead, r.Units)
		}
		rows = append(rows, r)
	}
	if _, err := d.Token(); err != nil { // the closing bracket
		return nil, err
	}
	if _, err := d.Token(); err != io.EOF {
		return nil, fmt.Errorf("text after the list of rows")
	}
	return rows, nil
}

// readHistory decodes the metrics rows saved with a checkpoint: for each of the epochs done,
// a train row then a test row for every pass (endEpoch appends them so), nothing else. It
// decodes and checks one row at a time and stops at the first row too many, so that a
// history cannot make it allocate for more rows than it really holds and the counts allow; a
// valid row takes about as many bytes in the file as in memory.
func readHistory(s string, epochs int64, passes int) ([]Row, error) {
	if strings.TrimSpace(s) == "null" && epochs == 0 { // Save writes an empty history so
		return nil, nil
	}
	d := json.NewDecoder(strings.NewReader(s))
	if tok, err := d.Token(); err != nil || tok != json.Delim('[') {
		return nil, fmt.Errorf("not a list of rows")
	}
	perEpoch := 2 * passes // passes ≤ the file's size, so this does not overflow
	var rows []Row
	for d.More() {
		k := len(rows)
		if int64(k/perEpoch) >= epochs {
			return nil, fmt.Errorf("more rows than %d epochs of %d passes have", epochs, passes)
		}
		var r Row
		if err := d.Decode(&r); err != nil {
			return nil, fmt.Errorf("row %d: %w", k, err)
		}
		epoch, split, pass := k/perEpoch+1, "train", k%passes+1
		if k%perEpoch >= passes {
			split = "test"
		}
		if r.Epoch != epoch || r.Split != split || r.Pass != pass {
			return nil, fmt.Errorf("row %d is epoch %d, %s, pass %d; want epoch %d, %s, pass %d", k, r.Epoch, r.Split, r.Pass, epoch, split, pass)
		}
		rows = append(rows, r)
	}
	if _, err := d.Token(); err != nil { // the closing bracket
		return nil, err
	}
	if _, err := d.Token(); err != io.EOF {
		return nil, fmt.Errorf("text after the list of rows")
	}
	if len(rows)%perEpoch != 0 || int64(len(rows)/perEpoch) != epochs { // a product could overflow
		return nil, fmt.Errorf("%d rows for %d epochs of %d passes, want 2 per pass and epoch", len(rows), epochs, passes)
	}
	return rows, nil
}

// Net builds the checkpoint's network and loads its weights. Before it allocates the network
// it checks that the file holds at least as many float32 values as the network needs, so that
// a config that asks for a large network in a small file costs no memory.
func (c *Checkpoint) Net() (*net.Net, error) {
	spec, err := c.Config.Spec()
	if err != nil {
		return nil, err
	}
	size, err := net.Check(spec)
	if err != nil {
		return nil, c.Config.ModelError(err)
	}
	held := 0
	for _, t := range c.file.Tensors {
		held += len(t.F32)
	}
	if size > held {
		return nil, fmt.Errorf("train: the config's network has %d parameters and buffers, the checkpoint holds %d float32 values", size, held)
	}
	n, err := net.Build(spec, InitStream(c.Config.Seed))
	if err != nil {
		return nil, c.Config.ModelError(err)
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

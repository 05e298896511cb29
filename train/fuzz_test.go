package train

import (
	"bytes"
	"math"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"testing"

	"github.com/fgrelu/fgrelu/checkpoint"
	"github.com/fgrelu/fgrelu/config"
	"github.com/fgrelu/fgrelu/net"
	"github.com/fgrelu/fgrelu/optim"
)

// tinyConfig is a custom network small enough for the fuzzer to mutate its checkpoint fast:
// a convolution with batch norm (so the file holds buffers), threshold gates (α parameters)
// and flattened feedback.
func tinyConfig(tb testing.TB, extra ...string) config.Config {
	tb.Helper()
	c, err := config.Load("", append([]string{
		"model.arch=custom", "model.input=[2, 2, 1]", "model.loss=mse", "model.passes=2",
		"model.layers=[{name: C, type: conv, units: 2, kernel: 1, batch_norm: true}, {name: H, type: dense, units: 2}, {name: O, type: dense, units: 4}]",
		"model.topology=custom", "model.edges=[{from: H, to: C}, {from: O, to: C, source: flatten}]",
		"model.gate=gain+threshold",
	}, extra...)...)
	if err != nil {
		tb.Fatal(err)
	}
	return c
}

// saveBytes is the file Save writes for cfg after steps optimizer steps and epochs epochs.
func saveBytes(tb testing.TB, cfg config.Config, optimizer string, epochs int, finished bool) []byte {
	tb.Helper()
	spec, err := cfg.Spec()
	if err != nil {
		tb.Fatal(err)
	}
	n, err := net.Build(spec, InitStream(cfg.Seed))
	if err != nil {
		tb.Fatal(err)
	}
	var opt optim.Optimizer
	if optimizer != "" {
		if opt, err = optim.New(optimizer, n.Params(), cfg.Train.LR, cfg.Train.Momentum); err != nil {
			tb.Fatal(err)
		}
		st, _ := opt.State()
		for _, t := range st {
			for i := range t.Data {
				t.Data[i] = float32(i) + 0.5
			}
		}
		opt.SetStep(int64(3 * epochs))
	}
	p := Progress{Epoch: epochs, Step: int64(3 * epochs), TrainSums: make([]float64, n.Passes), Finished: finished}
	for e := 1; e <= epochs; e++ {
		for _, split := range []string{"train", "test"} {
			for t := 1; t <= n.Passes; t++ {
				p.History = append(p.History, Row{Epoch: e, Step: int64(3 * e), Split: split, Pass: t, Loss: 1 / float64(e+t), Accuracy: math.NaN()})
			}
		}
	}
	path := filepath.Join(tb.TempDir(), CheckpointFile)
	if err := Save(path, cfg, n, opt, p); err != nil {
		tb.Fatal(err)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		tb.Fatal(err)
	}
	return b
}

// withMetadata rewrites the metadata of a checkpoint's bytes: set maps keys to new values
// ("" deletes the key).
func withMetadata(tb testing.TB, b []byte, set map[string]string) []byte {
	tb.Helper()
	f, err := checkpoint.Read(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		tb.Fatal(err)
	}
	for k, v := range set {
		if v == "" {
			delete(f.Metadata, k)
		} else {
			f.Metadata[k] = v
		}
	}
	var w bytes.Buffer
	if err := checkpoint.Write(&w, f); err != nil {
		tb.Fatal(err)
	}
	return w.Bytes()
}

// FuzzOpenCheckpoint feeds arbitrary bytes, written to a file, to Open, then to Net and
// RestoreOptimizer, as `fgrelu eval` and `--resume` do with a checkpoint from anywhere. None
// may panic; errors name the package; what Net returns holds the file's values; and together
// they allocate memory in proportion to the file, whatever sizes, counts and histories its
// metadata claims.
func FuzzOpenCheckpoint(f *testing.F) {
	cfg := tinyConfig(f)
	good := saveBytes(f, cfg, "adam", 2, false)
	f.Add(good)
	f.Add(saveBytes(f, tinyConfig(f, "train.optimizer=sgd", "model.passes=1", "seed=18446744073709551615"), "sgd", 1, true))
	f.Add(saveBytes(f, cfg, "", 0, false))
	f.Add(good[:len(good)-1])
	for _, md := range []map[string]string{
		{"format": "fgrelu-checkpoint-0"},
		{"format": ""},
		{"epoch": "9223372036854775807", "step": "9223372036854775807", "batch": "-1"},
		{"train_count": "1e9"},
		{"history": "null"},
		{"history": "[" + strings.Repeat("{},", 1000) + "{}]"},
		{"history": `[{"epoch": 1, "split": "train", "pass": 1, "accuracy": null}]`},
		{"dead_units": "[" + strings.Repeat(`{"epoch": 1},`, 1000) + "{}]"},
		{"dead_units": `[{"epoch": 2, "units": 3, "dead": 4}]`},
		{"config": strings.Replace(cfg.JSON(), `"passes": 2`, `"passes": 3`, 1)},
		{"config": strings.Replace(cfg.JSON(), `"input": [`, `"input": [4611686018427387904, `, 1)},
		{"config": `{"model": {"bottleneck": 100000}}`},
		{"config": ""},
	} {
		f.Add(withMetadata(f, good, md))
	}
	path := filepath.Join(f.TempDir(), CheckpointFile) // one file, rewritten: a directory per input is slow
	f.Fuzz(func(t *testing.T, b []byte) {
		if err := os.WriteFile(path, b, 0o600); err != nil {
			t.Fatal(err)
		}
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		defer func() {
			runtime.ReadMemStats(&after)
			// Open copies the header a few times and the tensors once; Net allocates each
			// parameter twice (value and gradient) and must find all of them in the file.
			if got, limit := after.TotalAlloc-before.TotalAlloc, 64*uint64(len(b))+4<<20; got > limit {
				t.Fatalf("a %d-byte file made Open, Net and RestoreOptimizer allocate %d bytes", len(b), got)
			}
		}()
		c, err := Open(path)
		if err != nil {
			checkErr(t, "Open", err)
			return
		}
		n, err := c.Net()
		if err != nil {
			checkErr(t, "Net", err)
			return
		}
		file, err := checkpoint.Read(bytes.NewReader(b), int64(len(b)))
		if err != nil {
			t.Fatalf("Open accepted what checkpoint.Load refuses: %v", err)
		}
		for _, p := range append(n.Params(), n.Buffers()...) {
			want, err := file.F32(p.Name, p.Value.Shape...)
			if err != nil {
				t.Fatalf("Net returned %s, which the file does not hold: %v", p.Name, err)
			}
			for i, v := range p.Value.Data {
				if math.Float32bits(v) != math.Float32bits(want[i]) {
					t.Fatalf("%s[%d] = %v, the file holds %v", p.Name, i, v, want[i])
				}
			}
		}
		opt, err := optim.New(c.Config.Train.Optimizer, n.Params(), c.Config.Train.LR, c.Config.Train.Momentum)
		if err != nil {
			t.Fatalf("the checkpoint's validated config makes no optimizer: %v", err)
		}
		if err := c.RestoreOptimizer(n, opt); err != nil {
			checkErr(t, "RestoreOptimizer", err)
		}
	})
}

// checkErr requires an error to be a message that names its package.
func checkErr(t *testing.T, what string, err error) {
	t.Helper()
	msg := err.Error()
	for _, prefix := range []string{"train: ", "checkpoint: ", "config: "} {
		if strings.HasPrefix(msg, prefix) && len(msg) > len(prefix) {
			return
		}
	}
	t.Fatalf("%s: error %q does not start with a package name", what, msg)
}

// TestFuzzSeedsAreValid makes sure that the fuzzer starts from checkpoints that load: a
// change to Save or Open that broke them would leave FuzzOpenCheckpoint mutating rejects.
func TestFuzzSeedsAreValid(t *testing.T) {
	for _, b := range [][]byte{
		saveBytes(t, tinyConfig(t), "adam", 2, false),
		saveBytes(t, tinyConfig(t, "train.optimizer=sgd", "model.passes=1"), "sgd", 1, true),
	} {
		path := filepath.Join(t.TempDir(), CheckpointFile)
		if err := os.WriteFile(path, b, 0o600); err != nil {
			t.Fatal(err)
		}
		c, err := Open(path)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := c.Net(); err != nil {
			t.Fatal(err)
		}
	}
}

// TestReadHistory checks the history a checkpoint may hold: 2 rows per pass and epoch, in
// the order endEpoch appends them, whatever the counts claim.
func TestReadHistory(t *testing.T) {
	row := func(e int, split string, p int) string {
		return `{"epoch":` + strconv.Itoa(e) + `,"step":3,"split":"` + split + `","pass":` + strconv.Itoa(p) + `,"loss":0.5,"accuracy":null}`
	}
	one := "[" + row(1, "train", 1) + "," + row(1, "test", 1) + "]"
	for _, c := range []struct {
		history string
		epochs  int64
		ok      bool
		passes  int
	}{
		{"null", 0, true, 1},
		{"[]", 0, true, 1},
		{one, 1, true, 1},
		{" " + one + "\n", 1, true, 1},
		{"null", 1, false, 1},
		{"[]", 1, false, 1},
		{"[]", 1 << 62, false, 2}, // 2·2·2^62 rows would wrap to 0
		{one, 0, false, 1},
		{one, 2, false, 1},
		{"[" + row(1, "test", 1) + "," + row(1, "train", 1) + "]", 1, false, 1},
		{"[" + row(1, "train", 1) + "," + row(1, "test", 2) + "]", 1, false, 1},
		{"[" + row(1, "train", 1) + "," + row(2, "test", 1) + "]", 1, false, 1},
		{"[{},{}]", 1, false, 1},
		{one + "]", 1, false, 1},
		{one + " []", 1, false, 1},
		{"[" + row(1, "train", 1) + ",", 1, false, 1},
		{`{"epoch":1}`, 1, false, 1},
		{"", 0, false, 1},
	} {
		rows, err := readHistory(c.history, c.epochs, c.passes)
		if (err == nil) != c.ok {
			t.Errorf("%q with %d epochs: rows %v, error %v", c.history, c.epochs, rows, err)
		}
	}
}

package config

import (
	"fmt"
	"reflect"
	"runtime"
	"strings"
	"testing"
)

// fuzzYAML are the YAML seeds: valid configs that between them set every key, custom layers
// and edges, and near misses that each break one rule.
var fuzzYAML = []string{
	"",
	"seed: 7\n",
	`seed: 42
data: {dataset: fashion-mnist, dir: /tmp/mnist, train_limit: 100, test_limit: 50}
model:
  arch: mnist-ae
  bottleneck: 32
  batch_norm: false
  dropout: 0.25
  topology: comprehensive
  feedback_source: flatten
  passes: 3
  gate: gain+threshold
  beta_max: 0.9
  eta: 2.5
  constant_gain: 10
  constant_gain_layers: []
  loss: mse
  init: he
train:
  epochs: 2
  batch_size: 16
  optimizer: sgd
  lr: 0.01
  momentum: 0.5
  loss_passes: last
  eval_batch_size: 64
  checkpoint_every: 10
  log_format: jsonl
`,
	`model:
  arch: custom
  input: [6, 6, 1]
  loss: bce
  topology: custom
  layers:
    - {name: C1, type: conv, units: 2, kernel: 3, stride: 1, pad: 1, pool: 2, batch_norm: true, dropout: 0.1}
    - {name: T1, type: convT, units: 2, kernel: 2, stride: 2, out_pad: 1}
    - {name: F1, type: dense, units: 5}
    - {name: OUT, type: dense, units: 36}
  edges:
    - {from: F1, to: C1, source: mean}
    - {from: T1, to: C1, source: flatten}
`,
	"model: {arch: cifar-ae, batch_norm: true, topology: none}\ntrain: {lr: 5e-4}\n",
	"model: {arch: cifar-cls, dropout: 0.3, topology: partial}\n",
	"model: {topology: none, constant_gain_layers: [E1, D1], constant_gain: 4}\n",
	// Anchors and merge keys are legitimate YAML.
	"model:\n  arch: custom\n  input: [2, 2, 1]\n  loss: mse\n  topology: none\n  layers:\n    - &h {name: A, type: dense, units: 3}\n    - {<<: *h, name: B}\n    - {name: OUT, type: dense, units: 4}\n",
	// Near misses.
	"model:\n  beta_max: 1\n",
	"model:\n  betamax: 0.9\n",
	"trian:\n  epochs: 3\n",
	"model: [1, 2]\n",
	"- 1\n- 2\n",
	"seed: -1\n",
	"seed: 18446744073709551615\n",
	"seed: 1e400\n",
	"train: {epochs: 1.5}\n",
	"train: {lr: .nan}\n",
	"model: {bottleneck: 0}\n",
	"model: {topology: custom, edges: [{from: E1, to: D1}]}\n",
	"model: {topology: custom, edges: [{from: D1, to: E1}, {from: D1, to: E1}]}\n",
	"model: {arch: custom, input: [28, 28, 1], loss: bce, layers: [{name: A, type: conv, units: 1, kernel: 29}]}\n",
	"model: {arch: custom, input: [28, 28, 1], loss: bce, topology: none, layers: [{name: A, type: dense, units: 1}, {name: A, type: dense, units: 1}]}\n",
	"model: {arch: custom, input: [28, 28, 1], loss: bce, topology: none, layers: [{name: A, type: convT, units: 1, kernel: 2, stride: 1, out_pad: 1}]}\n",
	"model: {1: 2}\n",
	"seed: {1: 2}\n",
	"seed: 1\nseed: 2\n",
	"model:\n\tpasses: 2\n",
	"model: {passes: &p 3, eta: *p}\n",
	"model: {passes: *undefined}\n",
	billionLaughs(9, 9),
}

// billionLaughs nests width aliases of the level below, levels deep, inside model.input, where
// the keys are not checked against a struct: expanded, it would hold width^levels values.
func billionLaughs(levels, width int) string {
	var b strings.Builder
	b.WriteString("model:\n  input:\n    - &a0 [1")
	b.WriteString(strings.Repeat(", 1", width-1))
	b.WriteString("]\n")
	for i := 1; i < levels; i++ {
		fmt.Fprintf(&b, "    - &a%d [*a%d", i, i-1)
		b.WriteString(strings.Repeat(fmt.Sprintf(", *a%d", i-1), width-1))
		b.WriteString("]\n")
	}
	return b.String()
}

// fuzzJSON are the JSON seeds: the resolved form of every valid YAML seed, as it travels with
// a checkpoint, and near misses.
func fuzzJSON(f *testing.F) []string {
	seeds := []string{
		"{}",
		`{"seed": 18446744073709551615}`,
		`{"seed": 9007199254740993}`,
		`{"seed": 1e3}`,
		`{"seed": 1.5}`,
		`{"seed": 1e400}`,
		`{"seed": 1} trailing`,
		`{"seed": 1, "seed": 2}`,
		`{"model": {"layers": null, "edges": []}}`,
		`{"model": {"input": [1, 2, 3]}}`,
		`{"train": {"epochs": "3"}}`,
		`[1, 2]`,
		`null`,
		`"config"`,
	}
	for _, y := range fuzzYAML {
		b := NewBuilder(Default())
		if b.Bytes([]byte(y), false) != nil {
			continue
		}
		if c, err := b.Config(); err == nil {
			seeds = append(seeds, c.JSON())
		}
	}
	if len(seeds) < 20 {
		f.Fatalf("only %d JSON seeds: the valid YAML seeds no longer load", len(seeds))
	}
	return seeds
}

// checkAccepted checks what the fuzz targets require of every config that Config returns:
// it validates, and its JSON, as saved with checkpoints, loads back to an equal config.
func checkAccepted(t *testing.T, c Config) {
	t.Helper()
	if err := c.Validate(); err != nil {
		t.Fatalf("Config returned a config that does not validate: %v", err)
	}
	back, err := FromJSON(c.JSON())
	if err != nil {
		t.Fatalf("FromJSON refuses the JSON of an accepted config: %v\n%s", err, c.JSON())
	}
	if !reflect.DeepEqual(back, c) {
		t.Fatalf("a JSON round trip changed the config:\n%s\nbecame\n%s", c.JSON(), back.JSON())
	}
}

// checkErr checks an error meant for the user: non-empty, and prefixed with the package name
// exactly once when prefixed is set (Bytes leaves the prefix to File and FromJSON).
func checkErr(t *testing.T, err error, prefixed bool) {
	t.Helper()
	msg := err.Error()
	switch {
	case strings.TrimSpace(strings.TrimPrefix(msg, "config:")) == "":
		t.Fatalf("empty error %q", msg)
	case prefixed && !strings.HasPrefix(msg, "config: "):
		t.Fatalf("error %q does not start with \"config: \"", msg)
	case strings.HasPrefix(strings.TrimPrefix(msg, "config: "), "config:"):
		t.Fatalf("error %q has the prefix twice", msg)
	case !prefixed && strings.HasPrefix(msg, "config:"):
		t.Fatalf("Bytes error %q is prefixed; File and FromJSON add the prefix", msg)
	}
}

// FuzzConfigYAML feeds arbitrary bytes to the config-file parser as YAML, as File does with
// a .yaml file. It must never panic; a config it accepts must validate and survive the JSON
// round trip of checkpoints; its errors must be usable messages.
func FuzzConfigYAML(f *testing.F) {
	for _, s := range fuzzYAML {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		if len(raw) > maxFileSize {
			return // File refuses these before parsing
		}
		b := NewBuilder(Default())
		if err := b.Bytes(raw, false); err != nil {
			checkErr(t, err, false)
			return
		}
		c, err := b.Config()
		if err != nil {
			checkErr(t, err, true)
			return
		}
		checkAccepted(t, c)
	})
}

// FuzzConfigJSON feeds arbitrary text to FromJSON, which reads the config saved in a
// checkpoint or result, as it does with a file from anywhere. Besides the properties of
// FuzzConfigYAML, a JSON document that the YAML parser also reads (JSON is nearly a subset of
// YAML) must give the same config both ways.
func FuzzConfigJSON(f *testing.F) {
	for _, s := range fuzzJSON(f) {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if len(s) > maxFileSize {
			return
		}
		c, err := FromJSON(s)
		if err != nil {
			checkErr(t, err, true)
			return
		}
		checkAccepted(t, c)
		b := NewBuilder(Default())
		if b.Bytes([]byte(s), false) != nil {
			return
		}
		if y, err := b.Config(); err == nil && !reflect.DeepEqual(y, c) {
			t.Fatalf("read as JSON and as YAML, %q gives two configs:\n%s\n%s", s, c.JSON(), y.JSON())
		}
	})
}

// FuzzConfigSet feeds two arbitrary overrides to Set, as `--set` does (two, so that pairs
// such as model.topology=custom and model.edges=[…] are reachable). Set and Config must
// never panic, their errors start with "config: ", and what they accept must validate and
// round-trip.
func FuzzConfigSet(f *testing.F) {
	for _, p := range [][2]string{
		{"model.beta_max=0.9", ""},
		{"train.epochs=5", "model.topology=comprehensive"},
		{"model.topology=custom", "model.edges=[{from: D2, to: E1}, {from: D1, to: E2, source: flatten}]"},
		{"model.arch=custom", "model.layers=[{name: A, type: dense, units: 3}]"},
		{"model.arch=cifar-cls", "model.dropout=0.2"},
		{"model.constant_gain_layers=[E1]", "model.topology=none"},
		{"data={dataset: cifar10, dir: x}", "model.arch=cifar-ae"},
		{"seed=18446744073709551615", "data.dir="},
		{"seed", "="},
		{"train.epoch=3", "model..passes=2"},
		{"train.epochs=three", "model.edges=[{from: D1, to: E1, sorce: mean}]"},
		{"model=~", "train={}"},
		{"model.input=&a [1, *a]", "seed=*b"},
		{"model.passes=0", "model.eta=-1"},
	} {
		f.Add(p[0], p[1])
	}
	f.Fuzz(func(t *testing.T, a, b string) {
		bl := NewBuilder(Default())
		for _, s := range []string{a, b} {
			if s == "" {
				continue
			}
			if err := bl.Set(s); err != nil {
				checkErr(t, err, true)
				return
			}
		}
		c, err := bl.Config()
		if err != nil {
			checkErr(t, err, true)
			return
		}
		checkAccepted(t, c)
	})
}

// TestFromJSONSizeLimit: a saved configuration, which may come from a checkpoint's large
// header, is held to the size of a config file.
func TestFromJSONSizeLimit(t *testing.T) {
	pad := strings.Repeat(" ", maxFileSize)
	if _, err := FromJSON("{}" + pad[:maxFileSize-2]); err != nil {
		t.Errorf("%d bytes: %v", maxFileSize, err)
	}
	if _, err := FromJSON("{}" + pad[:maxFileSize-1]); err == nil || !strings.Contains(err.Error(), "at most") {
		t.Errorf("%d bytes: %v, want a refusal for the size", maxFileSize+1, err)
	}
}

// TestAliasBomb: a "billion laughs" document of a few hundred bytes, which would expand to
// 9^9 values, is refused by yaml.v3's limit on the share of values decoded through aliases,
// before it costs memory.
func TestAliasBomb(t *testing.T) {
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	err := NewBuilder(Default()).Bytes([]byte(billionLaughs(9, 9)), false)
	runtime.ReadMemStats(&after)
	if err == nil || !strings.Contains(err.Error(), "aliasing") {
		t.Fatalf("got %v, want a refusal for excessive aliasing", err)
	}
	if b := after.TotalAlloc - before.TotalAlloc; b > 64<<20 {
		t.Errorf("refusing it allocated %d bytes", b)
	}
}

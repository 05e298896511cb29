package config

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

func TestDefaultIsValid(t *testing.T) {
	c, err := Load("")
	if err != nil {
		t.Fatal(err)
	}
	if c.Model.BetaMax != 0.95 || c.Model.Eta != 5 || c.Model.Passes != 2 || c.Train.BatchSize != 128 {
		t.Errorf("defaults changed: %+v", c.Model)
	}
	if c.Dataset() != "mnist" {
		t.Errorf("dataset %q", c.Dataset())
	}
}

func write(t *testing.T, name, content string) string {
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestFilesAndOverrides(t *testing.T) {
	yml := write(t, "c.yaml", "seed: 7\nmodel:\n  passes: 4\n  beta_max: 0.9\ntrain:\n  epochs: 3\n")
	c, err := Load(yml, "train.epochs=5", "model.topology=comprehensive")
	if err != nil {
		t.Fatal(err)
	}
	if c.Seed != 7 || c.Model.Passes != 4 || c.Model.BetaMax != 0.9 || c.Train.Epochs != 5 || c.Model.Topology != "comprehensive" {
		t.Errorf("got %+v", c)
	}
	if c.Model.Eta != 5 {
		t.Errorf("a key the file does not set lost its default: eta = %v", c.Model.Eta)
	}
	js := write(t, "c.json", `{"model": {"arch": "cifar-ae", "batch_norm": true}, "train": {"lr": 0.0005}}`)
	c, err = Load(js)
	if err != nil {
		t.Fatal(err)
	}
	if c.Model.Arch != "cifar-ae" || !c.Model.BatchNorm || c.Train.LR != 0.0005 || c.Dataset() != "cifar10" {
		t.Errorf("got %+v", c)
	}
	// Round trip through the JSON that travels with checkpoints.
	back, err := FromJSON(c.JSON())
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(back, c) {
		t.Errorf("round trip changed the config:\n%s\n%s", c.JSON(), back.JSON())
	}
}

func TestCustomEdges(t *testing.T) {
	c, err := Load("", "model.topology=custom", "model.edges=[{from: D2, to: E1}, {from: D1, to: E2}]")
	if err != nil {
		t.Fatal(err)
	}
	s, err := c.Spec()
	if err != nil {
		t.Fatal(err)
	}
	if len(s.Edges) != 2 || s.Edges[0].From != "D2" || s.Edges[1].To != "E2" {
		t.Errorf("edges %+v", s.Edges)
	}
}

func TestRefusals(t *testing.T) {
	for _, c := range []struct {
		file      string
		overrides []string
		want      string // the error must name this
	}{
		{file: "model:\n  beta_max: 1\n", want: "beta_max"},
		{overrides: []string{"model.beta_max=1.5"}, want: "beta_max"},
		{overrides: []string{"model.beta_max=0"}, want: "beta_max"},
		{overrides: []string{"model.eta=0"}, want: "eta"},
		{overrides: []string{"model.passes=0"}, want: "passes"},
		{file: "model:\n  betamax: 0.9\n", want: "unknown key model.betamax"},
		{file: "trian:\n  epochs: 3\n", want: "unknown key trian"},
		{overrides: []string{"train.epoch=3"}, want: "unknown key train.epoch"},
		{overrides: []string{"model.topology=custom", "model.edges=[{from: E1, to: D1}]"}, want: "points down the hierarchy"},
		{overrides: []string{"model.topology=custom", "model.edges=[{from: X9, to: E1}]"}, want: `model.edges[0].from: no layer "X9"`},
		{overrides: []string{"model.topology=custom", "model.edges=[{from: D1, to: X9}]"}, want: `model.edges[0].to: no layer "X9"`},
		{overrides: []string{"model.beta_max=1"}, want: "config: model.beta_max: 1, must lie in (0, 1)"},
		{overrides: []string{"model.arch=custom", "model.input=[4, 4, 1]", "model.loss=mse", "model.topology=none",
			"model.layers=[{name: A, type: dense, units: 3}, {name: B, type: conv, units: 2, kernel: 3}]"}, want: "config: model.layers[1] (B): type conv needs an image input"},
		{overrides: []string{"model.constant_gain_layers=[Q]", "model.topology=none"}, want: `config: model.constant_gain_layers: no layer "Q"`},
		{overrides: []string{"model.topology=custom", "model.edges=[{from: D1, to: E1, sorce: mean}]"}, want: "unknown key model.edges[0].sorce"},
		{overrides: []string{"model.topology=partal"}, want: "topology"},
		{overrides: []string{"model.edges=[{from: D1, to: E1}]"}, want: "model.edges"},
		{overrides: []string{"model.gate=gian"}, want: "gate"},
		{overrides: []string{"train.lr=-1"}, want: "train.lr"},
		{overrides: []string{"train.batch_size=0"}, want: "train.batch_size"},
		{overrides: []string{"train.loss_passes=first"}, want: "loss_passes"},
		{overrides: []string{"train.epochs=three"}, want: "train.epochs"},
		{overrides: []string{"data.dataset=imagenet"}, want: "data.dataset"},
		{overrides: []string{"model.constant_gain_layers=[E1]", "model.constant_gain=0", "model.topology=none"}, want: "constant_gain"},
		{overrides: []string{"model.constant_gain_layers=[E1]"}, want: "receives feedback"},
		{overrides: []string{"model.arch=resnet"}, want: "arch"},
		{overrides: []string{"seed"}, want: "not key=value"},
		{file: "- 1\n- 2\n", want: "top level"},
		{file: "model: [1, 2]\n", want: "model"},
	} {
		file := ""
		if c.file != "" {
			file = write(t, "bad.yaml", c.file)
		}
		_, err := Load(file, c.overrides...)
		if err == nil {
			t.Errorf("%q %v: accepted", c.file, c.overrides)
			continue
		}
		if !strings.Contains(err.Error(), c.want) {
			t.Errorf("%q %v: error %q does not name %q", c.file, c.overrides, err, c.want)
		}
	}
}

// Every key has a line of documentation, and every documented key exists.
func TestDocsCoverEveryKey(t *testing.T) {
	var walk func(tp reflect.Type, prefix string) []string
	walk = func(tp reflect.Type, prefix string) []string {
		var keys []string
		for i := range tp.NumField() {
			f := tp.Field(i)
			name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
			if f.Type.Kind() == reflect.Struct {
				keys = append(keys, walk(f.Type, prefix+name+".")...)
			} else {
				keys = append(keys, prefix+name)
			}
		}
		return keys
	}
	keys := walk(reflect.TypeOf(Config{}), "")
	for _, k := range keys {
		if Docs[k] == "" {
			t.Errorf("key %s has no documentation", k)
		}
	}
	if len(Docs) != len(keys) {
		t.Errorf("%d documented keys, %d keys", len(Docs), len(keys))
	}
}

// The options against dead units: off by default and then absent from the saved JSON (so run
// keys of existing configs do not change), set by name, kept through the JSON round trip,
// refused by name when out of range.
func TestDeadUnitOptions(t *testing.T) {
	def, err := Load("")
	if err != nil {
		t.Fatal(err)
	}
	if js := def.JSON(); strings.Contains(js, "relu_bias_init") || strings.Contains(js, "leaky_slope") {
		t.Errorf("the default config's JSON names the new keys:\n%s", js)
	}
	c, err := Load("", "model.relu_bias_init=0.01", "model.leaky_slope=0.01")
	if err != nil {
		t.Fatal(err)
	}
	spec, err := c.Spec()
	if err != nil || spec.ReLUBiasInit != 0.01 || spec.LeakySlope != 0.01 {
		t.Errorf("spec %+v, %v", spec, err)
	}
	if back, err := FromJSON(c.JSON()); err != nil || !reflect.DeepEqual(back, c) {
		t.Errorf("round trip: %v\n%s", err, c.JSON())
	}
	for _, set := range []string{"model.leaky_slope=-0.1", "model.leaky_slope=1"} {
		key, _, _ := strings.Cut(set, "=")
		if _, err := Load("", set); err == nil || !strings.Contains(err.Error(), key) {
			t.Errorf("%s: error %v, want one naming %s", set, err, key)
		}
	}
}

package main

import (
	"flag"
	"fmt"
	"strings"

	"github.com/fgrelu/fgrelu/config"
)

// configFlags are the flags every command that builds a configuration shares: a file, generic
// overrides, and shorthands for the most used keys. A shorthand is the same as --set.
type configFlags struct {
	file string
	sets multiFlag
	fs   *flag.FlagSet
}

var shorthands = []struct{ flag, key, help string }{
	{"arch", "model.arch", "mnist-ae, cifar-ae, cifar-cls or custom"},
	{"dataset", "data.dataset", "mnist, fashion-mnist or cifar10"},
	{"data", "data.dir", "dataset folder or archive"},
	{"topology", "model.topology", "feedback: none, partial, comprehensive or custom"},
	{"passes", "model.passes", "passes T over the same input"},
	{"gate", "model.gate", "gain, gain+threshold or threshold-only"},
	{"beta-max", "model.beta_max", "β_max in (0, 1)"},
	{"eta", "model.eta", "η > 0"},
	{"bottleneck", "model.bottleneck", "mnist-ae bottleneck units"},
	{"epochs", "train.epochs", "training epochs"},
	{"batch-size", "train.batch_size", "examples per step"},
	{"lr", "train.lr", "learning rate"},
	{"loss-passes", "train.loss_passes", "all or last"},
	{"seed", "seed", "random seed"},
	{"train-limit", "data.train_limit", "use only the first N training examples"},
	{"test-limit", "data.test_limit", "use only the first N test examples"},
}

type multiFlag []string

func (m *multiFlag) String() string     { return strings.Join(*m, " ") }
func (m *multiFlag) Set(v string) error { *m = append(*m, v); return nil }

func addConfigFlags(fs *flag.FlagSet) *configFlags {
	c := &configFlags{fs: fs}
	fs.StringVar(&c.file, "config", "", "config file (YAML or JSON); see 'fgrelu config'")
	fs.Var(&c.sets, "set", "override a key, e.g. --set model.beta_max=0.9 (repeatable)")
	for _, s := range shorthands {
		fs.String(s.flag, "", fmt.Sprintf("%s (same as --set %s=…)", s.help, s.key))
	}
	return c
}

// overrides returns the --set values and the shorthands given on the command line, in order.
func (c *configFlags) overrides() []string {
	var out []string
	c.fs.Visit(func(f *flag.Flag) {
		for _, s := range shorthands {
			if s.flag == f.Name {
				out = append(out, s.key+"="+f.Value.String())
			}
		}
	})
	return append(out, c.sets...)
}

func (c *configFlags) load() (config.Config, error) {
	return config.Load(c.file, c.overrides()...)
}

// given reports whether any configuration flag was used.
func (c *configFlags) given() bool { return c.file != "" || len(c.overrides()) > 0 }

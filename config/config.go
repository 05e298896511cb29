package config

import (
	"encoding/json"
	"fmt"

	"github.com/fgrelu/fgrelu/net"
)

// Config is the whole configuration of a run.
type Config struct {
	Seed  uint64 `json:"seed"`
	Data  Data   `json:"data"`
	Model Model  `json:"model"`
	Train Train  `json:"train"`
}

// Data selects the dataset.
type Data struct {
	Dataset    string `json:"dataset"`     // mnist, fashion-mnist or cifar10; "" → the architecture's
	Dir        string `json:"dir"`         // folder or archive; "" → the dataset's default place
	TrainLimit int    `json:"train_limit"` // use only the first N training examples; 0 = all
	TestLimit  int    `json:"test_limit"`  // use only the first N test examples; 0 = all
}

// Model describes the network.
type Model struct {
	Arch           string          `json:"arch"`            // mnist-ae, cifar-ae, cifar-cls or custom
	Bottleneck     int             `json:"bottleneck"`      // mnist-ae: units of E2
	BatchNorm      bool            `json:"batch_norm"`      // cifar-ae: batch norm after hidden activations
	Dropout        float64         `json:"dropout"`         // cifar-cls: dropout rate
	Input          []int           `json:"input"`           // custom: [H, W, C]
	Layers         []net.LayerSpec `json:"layers"`          // custom: the layers
	Topology       string          `json:"topology"`        // none, partial, comprehensive or custom
	Edges          []net.EdgeSpec  `json:"edges"`           // custom topology: the edges
	FeedbackSource string          `json:"feedback_source"` // mean or flatten, for convolutional sources
	Passes         int             `json:"passes"`          // T
	Gate           string          `json:"gate"`            // gain, gain+threshold or threshold-only
	BetaMax        float64         `json:"beta_max"`
	Eta            float64         `json:"eta"`
	ConstantGain   float64         `json:"constant_gain"`
	ConstantLayers []string        `json:"constant_gain_layers"`
	Loss           string          `json:"loss"` // "" → the architecture's
	Init           string          `json:"init"`
	// Options against dead units (issue 14). Left out of the saved JSON when 0, so configs
	// without them keep their JSON, and experiment runs their keys.
	ReLUBiasInit float64 `json:"relu_bias_init,omitempty"` // added to the initial biases of hidden layers
	LeakySlope   float64 `json:"leaky_slope,omitempty"`    // leaky ReLU in hidden layers without feedback
}

// Train sets the optimisation.
type Train struct {
	Epochs          int     `json:"epochs"`
	BatchSize       int     `json:"batch_size"`
	Optimizer       string  `json:"optimizer"` // adam or sgd
	LR              float64 `json:"lr"`
	Momentum        float64 `json:"momentum"`         // sgd only
	LossPasses      string  `json:"loss_passes"`      // all (mean over passes) or last
	EvalBatchSize   int     `json:"eval_batch_size"`  // batch size of test-set evaluation; 0 → batch_size
	CheckpointEvery int     `json:"checkpoint_every"` // steps between checkpoints; 0 = at epoch ends only
	LogFormat       string  `json:"log_format"`       // csv or jsonl
}

// Default returns the project's defaults: the paper's MNIST autoencoder with bottleneck 10 and
// partial feedback, T = 2, β_max = 0.95, η = 5, and for what the paper leaves open the
// defaults of docs/METHODS.md ("Defaults where the paper is silent"): Adam, lr 1e-3, batch 128, Glorot weights, the loss of every pass.
func Default() Config {
	return Config{
		Seed: 1,
		Data: Data{},
		Model: Model{
			Arch: "mnist-ae", Bottleneck: 10, Dropout: 0.5,
			Topology: "partial", FeedbackSource: "mean", Passes: 2,
			Gate: "gain", BetaMax: 0.95, Eta: 5, ConstantGain: 10,
			Init: "glorot",
		},
		Train: Train{
			Epochs: 10, BatchSize: 128, Optimizer: "adam", LR: 1e-3, Momentum: 0.9,
			LossPasses: "all", LogFormat: "csv",
		},
	}
}

// Docs explains every key, for `fgrelu config` and the README.
var Docs = map[string]string{
	"seed":                       "seed of every random stream: weights, shuffling, dropout, noise",
	"data.dataset":               `mnist, fashion-mnist or cifar10 ("" = the architecture's)`,
	"data.dir":                   "folder with the IDX-gz files, or the CIFAR-10 archive/folder (\"\" = default place)",
	"data.train_limit":           "use only the first N training examples (0 = all)",
	"data.test_limit":            "use only the first N test examples (0 = all)",
	"model.arch":                 "mnist-ae, cifar-ae, cifar-cls, or custom (then model.input and model.layers)",
	"model.bottleneck":           "mnist-ae: units of the bottleneck E2 (paper: 196, then 10)",
	"model.batch_norm":           "cifar-ae: batch norm after every hidden activation",
	"model.dropout":              "cifar-cls: dropout rate after the poolings and the dense layer",
	"model.input":                "custom: per-example input shape [H, W, C]",
	"model.layers":               "custom: layers bottom to top (name, type dense|conv|convT, units, kernel, stride, pad, out_pad, pool, batch_norm, dropout)",
	"model.topology":             "feedback: none, partial (layer below the output → first layer), comprehensive, or custom (model.edges)",
	"model.edges":                "custom topology: edges [{from: D1, to: E1, source: mean|flatten}]",
	"model.feedback_source":      "how a convolutional source sends feedback: mean (channels averaged over space) or flatten",
	"model.passes":               "T, passes over the same input (1 = no feedback)",
	"model.gate":                 "gate of layers that receive feedback: gain, gain+threshold or threshold-only",
	"model.beta_max":             "β_max in (0, 1); the gain saturates at 1/(1 − β_max)",
	"model.eta":                  "η > 0, the μ_D at which the gain saturates",
	"model.constant_gain":        "the fixed gain of model.constant_gain_layers (the paper's control: 10)",
	"model.constant_gain_layers": "layers whose gain is fixed to model.constant_gain (no feedback to them)",
	"model.loss":                 `bce, mse or softmax-ce ("" = the architecture's)`,
	"model.init":                 "weight initialisation: glorot, he or torch (PyTorch's default)",
	"model.relu_bias_init":       "added to the initial bias of every hidden (rectifier) layer, e.g. 0.01 against dead units (default 0)",
	"model.leaky_slope":          "negative slope in [0, 1) of a leaky ReLU in hidden layers without feedback (default 0: plain ReLU)",
	"train.epochs":               "passes over the training set",
	"train.batch_size":           "examples per step",
	"train.optimizer":            "adam or sgd (with train.momentum)",
	"train.lr":                   "learning rate",
	"train.momentum":             "sgd momentum",
	"train.loss_passes":          "all (mean of every pass's loss) or last (the last pass only)",
	"train.eval_batch_size":      "batch size of test-set evaluation (0 = train.batch_size)",
	"train.checkpoint_every":     "steps between checkpoints (0 = at the end of every epoch only)",
	"train.log_format":           "metrics file: csv or jsonl",
}

// JSON renders the configuration, indented, as it travels with checkpoints and results.
func (c Config) JSON() string {
	b, err := json.MarshalIndent(c, "", "  ")
	if err != nil {
		panic(fmt.Sprintf("config: %v", err)) // only plain data: cannot fail
	}
	return string(b)
}

// Dataset returns the dataset name, the architecture's when data.dataset is empty.
func (c Config) Dataset() string {
	if c.Data.Dataset != "" {
		return c.Data.Dataset
	}
	if c.Model.Arch == "cifar-ae" || c.Model.Arch == "cifar-cls" {
		return "cifar10"
	}
	return "mnist"
}

// LossWeights returns the weight of each pass's loss in the training loss.
func (c Config) LossWeights() []float64 {
	t := c.Model.Passes
	w := make([]float64, t)
	if c.Train.LossPasses == "last" {
		w[t-1] = 1
		return w
	}
	for i := range w {
		w[i] = 1 / float64(t)
	}
	return w
}

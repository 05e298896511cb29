package experiment

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"

	"github.com/fgrelu/fgrelu/config"
	"github.com/fgrelu/fgrelu/net"
	"github.com/fgrelu/fgrelu/train"
)

// Probes are the measurements taken on a trained network.
type Probes struct {
	Noise      []float64 `json:"noise,omitempty"`      // σ values: per-pass test loss under activation noise
	Contrast   []float64 `json:"contrast,omitempty"`   // factors: per-pass mean pixel of the reconstructions
	Histograms bool      `json:"histograms,omitempty"` // μ_D and gain of every gated layer, last pass
	Images     int       `json:"images,omitempty"`     // reconstructions of this many test images (clean, σ = 2, c = 0.5)
	Codes      int       `json:"codes,omitempty"`      // bottleneck codes of this many test images, every pass
}

// RunSpec is one unit of work: a configuration, a repeat and its probes.
type RunSpec struct {
	Label  string        `json:"label"` // what the run stands for in figures, e.g. "partial feedback"
	Repeat int           `json:"repeat"`
	Config config.Config `json:"config"`
	Probes Probes        `json:"probes"`
}

// Key identifies what a run computes: the hash of its config and probes. The label is left out,
// so two experiments asking for the same network share one run.
func (s RunSpec) Key() string {
	b, err := json.Marshal(struct {
		C config.Config
		P Probes
	}{s.Config, s.Probes})
	if err != nil {
		panic(err)
	}
	h := sha256.Sum256(b)
	return hex.EncodeToString(h[:6])
}

// FileName is the result's file name. It is the key alone: runs that compute the same thing
// under different labels (a grid cell that is also another grid's cell) share one file.
func (s RunSpec) FileName() string { return s.Key() + ".json" }

// Result is what a finished run wrote.
type Result struct {
	Complete bool        `json:"complete"` // written last: the completion marker
	Key      string      `json:"key"`
	Spec     RunSpec     `json:"spec"`
	Diverged string      `json:"diverged,omitempty"` // why training stopped, when the loss became non-finite: no measurements, but counted
	History  []train.Row `json:"history"`
	// Dead is the dead-unit record after every epoch: for every rectifier layer and pass, how
	// many units were never active on the test set (the rows of the run's deadunits.csv).
	Dead []train.DeadRow `json:"dead,omitempty"`
	// Activity is the dead-unit probe after the last epoch, every rectifier layer and pass, with
	// each unit's count of active test examples (Active) for layers of at most
	// ActivityUnitsKept units, such as the bottleneck: a unit dead in pass 1 and alive in pass 2
	// has Active 0 in the pass-1 record and more in the pass-2 one.
	Activity []net.LayerActivity `json:"activity,omitempty"`
	Seconds  float64             `json:"seconds"` // wall time of training and probes
	Noise    []NoisePoint        `json:"noise,omitempty"`
	Contrast []ContrastPt        `json:"contrast,omitempty"`
	Hists    []Hist              `json:"hists,omitempty"`
	Images   *ImageSet           `json:"images,omitempty"`
	Codes    *CodeSet            `json:"codes,omitempty"`
}

// NoisePoint is the per-pass test loss (and accuracy) at one noise level.
type NoisePoint struct {
	Sigma    float64   `json:"sigma"`
	Loss     []float64 `json:"loss"`
	Accuracy []float64 `json:"accuracy,omitempty"`
}

// ContrastPt is, at one contrast factor, each pass's mean reconstructed pixel over the test set.
type ContrastPt struct {
	C         float64   `json:"c"`
	MeanPixel []float64 `json:"mean_pixel"`
	Loss      []float64 `json:"loss"`
}

// Hist is a histogram of one gated layer's μ_D and gain on one pass over the test set.
type Hist struct {
	Layer     string    `json:"layer"`
	Pass      int       `json:"pass"`
	MuEdges   []float64 `json:"mu_edges"`
	MuCounts  []int64   `json:"mu_counts"`
	GainEdges []float64 `json:"gain_edges"`
	GainCount []int64   `json:"gain_counts"`
	AtMax     float64   `json:"at_max"` // fraction of gains within 0.1 % of the maximum 1/(1−β_max)
	MaxGain   float64   `json:"max_gain"`
}

// ImageSet holds a few test images and their reconstructions on every pass.
type ImageSet struct {
	H, W, C  int                      `json:"-"`
	Shape    []int                    `json:"shape"` // H, W, C
	Index    []int                    `json:"index"`
	Input    [][]float32              `json:"input"`
	Recon    map[string][][][]float32 `json:"recon"` // condition → pass → image → pixels
	Contrast float64                  `json:"contrast"`
	Sigma    float64                  `json:"sigma"`
}

// CodeSet holds bottleneck codes of test images on every pass, for t-SNE.
type CodeSet struct {
	Layer  string      `json:"layer"`
	Dim    int         `json:"dim"`
	Labels []int       `json:"labels"`
	Pass   [][]float32 `json:"pass"` // pass → N×Dim values
}

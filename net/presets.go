package net

import (
	"fmt"
	"slices"
)

// Arch describes one of the paper's networks.
type Arch struct {
	Name       string  // mnist-ae, cifar-ae or cifar-cls
	Bottleneck int     // mnist-ae: units of E2 (paper: 196, then 10)
	BatchNorm  bool    // cifar-ae: batch norm after every hidden activation
	Dropout    float64 // cifar-cls: dropout rate after each pooling and the dense layer
}

// Archs lists the named architectures.
var Archs = []string{"mnist-ae", "cifar-ae", "cifar-cls"}

// Layers returns the input shape, the layers and the loss of a named architecture.
//
//   - mnist-ae: dense 784 → 392 → B → 392 → 784, ReLU hidden, sigmoid output, binary
//     cross-entropy (paper section 4). Layers E1, E2, D1, D2.
//   - cifar-ae: conv 3→16 5×5 stride 2 pad 2 → conv 16→16 (same) → transposed conv 16→16 5×5
//     stride 2 pad 2 output pad 1 → transposed conv 16→3 (same), 32×32 → 16×16 → 8×8 → 16×16 →
//     32×32 (paper section 5.1; strides and padding are the project's default). E1 E2 D1 D2.
//   - cifar-cls: conv 64@5×5 pad 2 → max pool 2 → BN → dropout → conv 64@5×5 pad 2 → max pool 2
//     → BN → dropout → dense 200 → dropout → dense 10, softmax cross-entropy (paper section
//     5.3). Layers C1, C2, F1, OUT.
func (a Arch) Layers() (input []int, layers []LayerSpec, loss string, err error) {
	switch a.Name {
	case "mnist-ae":
		b := a.Bottleneck
		if b < 1 {
			return nil, nil, "", fmt.Errorf("bottleneck: %d, must be ≥ 1", b)
		}
		return []int{28, 28, 1}, []LayerSpec{
			{Name: "E1", Type: "dense", Units: 392},
			{Name: "E2", Type: "dense", Units: b},
			{Name: "D1", Type: "dense", Units: 392},
			{Name: "D2", Type: "dense", Units: 784},
		}, "bce", nil
	case "cifar-ae":
		conv := func(name, typ string, units int) LayerSpec {
			l := LayerSpec{Name: name, Type: typ, Units: units, Kernel: 5, Stride: 2, Pad: 2, BatchNorm: a.BatchNorm}
			if typ == "convT" {
				l.OutPad = 1
			}
			return l
		}
		layers := []LayerSpec{conv("E1", "conv", 16), conv("E2", "conv", 16), conv("D1", "convT", 16), conv("D2", "convT", 3)}
		layers[3].BatchNorm = false
		return []int{32, 32, 3}, layers, "bce", nil
	case "cifar-cls":
		p := a.Dropout
		if p < 0 || p >= 1 {
			return nil, nil, "", fmt.Errorf("dropout: %v, must lie in [0, 1)", p)
		}
		return []int{32, 32, 3}, []LayerSpec{
			{Name: "C1", Type: "conv", Units: 64, Kernel: 5, Pad: 2, Pool: 2, BatchNorm: true, Dropout: p},
			{Name: "C2", Type: "conv", Units: 64, Kernel: 5, Pad: 2, Pool: 2, BatchNorm: true, Dropout: p},
			{Name: "F1", Type: "dense", Units: 200, Dropout: p},
			{Name: "OUT", Type: "dense", Units: 10},
		}, "softmax-ce", nil
	}
	return nil, nil, "", fmt.Errorf("arch: %q, want one of %v", a.Name, Archs)
}

// Topologies lists the named feedback topologies.
var Topologies = []string{"none", "partial", "comprehensive"}

// TopologyEdges expands a named topology over layers:
//   - none: no feedback;
//   - partial: one edge from the layer below the output to the first layer (D1 → E1 in the
//     autoencoders, F1 → C1 in the classifier);
//   - comprehensive: every layer but the output receives from every layer above it, the
//     output included (the output sends but is not gated).
func TopologyEdges(topology string, layers []LayerSpec) ([]EdgeSpec, error) {
	n := len(layers)
	switch topology {
	case "none":
		return nil, nil
	case "partial":
		if n < 3 {
			return nil, fmt.Errorf("topology: partial feedback needs at least 3 layers, have %d", n)
		}
		return []EdgeSpec{{From: layers[n-2].Name, To: layers[0].Name}}, nil
	case "comprehensive":
		var edges []EdgeSpec
		for to := 0; to < n-1; to++ {
			for from := to + 1; from < n; from++ {
				edges = append(edges, EdgeSpec{From: layers[from].Name, To: layers[to].Name})
			}
		}
		return edges, nil
	}
	return nil, fmt.Errorf("topology: %q, want one of %v or an explicit edge list", topology, Topologies)
}

// IsTopology reports whether name is a named topology.
func IsTopology(name string) bool { return slices.Contains(Topologies, name) }

package tsne_test

import (
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/fgrelu/fgrelu/tsne"
)

// Embed three well-separated clusters of 8-dimensional points and check that each point's
// nearest neighbour in the plane comes from its own cluster.
func Example() {
	const n, d, clusters = 150, 8, 3
	rng := rand.New(rand.NewPCG(1, 2))
	x := make([]float32, n*d)
	for i := range n {
		for t := range d {
			centre := 0.0
			if t == i%clusters {
				centre = 10 // cluster c sits 10 units out along axis c
			}
			x[i*d+t] = float32(centre + rng.NormFloat64())
		}
	}

	y, err := tsne.Embed(x, n, d, tsne.Options{Perplexity: 20, Seed: 7})
	if err != nil {
		fmt.Println(err)
		return
	}

	same := 0
	for i := range n {
		best, bestD := -1, math.Inf(1)
		for j := range n {
			if dx, dy := y[2*i]-y[2*j], y[2*i+1]-y[2*j+1]; j != i && dx*dx+dy*dy < bestD {
				best, bestD = j, dx*dx+dy*dy
			}
		}
		if best%clusters == i%clusters {
			same++
		}
	}
	fmt.Printf("%d points embedded as %d coordinates\n", n, len(y))
	fmt.Printf("%d of %d nearest neighbours share the cluster\n", same, n)
	// Output:
	// 150 points embedded as 300 coordinates
	// 150 of 150 nearest neighbours share the cluster
}

package tsne

import "math"

// workspace holds the per-iteration buffers of the optimiser.
type workspace struct {
	p       *sparseP
	workers int
	tree    quadtree
	attr    []float64 // 2n: Σ_j p_ij w_ij (y_i − y_j)
	rep     []float64 // 2n: Σ_j w_ij² (y_i − y_j)
	zi      []float64 // n: Σ_{j≠i} w_ij
}

func newWorkspace(p *sparseP, workers int) *workspace {
	return &workspace{
		p: p, workers: workers,
		attr: make([]float64, 2*p.n), rep: make([]float64, 2*p.n), zi: make([]float64, p.n),
	}
}

// gradient writes into grad the gradient of KL(αP‖Q) with respect to the embedding y
// (α = exag) and returns the normalisation Z = Σ_{i≠j} w_ij, w_ij = (1 + ‖y_i − y_j‖²)⁻¹.
// With q_ij = w_ij / Z (van der Maaten & Hinton 2008, eq. 4) the gradient is (ibid., eq. 5)
//
//	∂C/∂y_i = 4 Σ_j (α p_ij − q_ij) w_ij (y_i − y_j)
//	        = 4 [ α Σ_j p_ij w_ij (y_i − y_j) − (1/Z) Σ_j w_ij² (y_i − y_j) ],
//
// the split into attractive and repulsive forces of van der Maaten (2014), "Approximating
// t-SNE Gradients". The repulsive sums come from the quadtree when theta ≥ 0 and
// from all pairs when theta < 0.
func (ws *workspace) gradient(y []float64, exag, theta float64, grad []float64) float64 {
	p, n := ws.p, ws.p.n
	exact := theta < 0
	if !exact {
		ws.tree.build(y, n)
	}
	theta2 := theta * theta
	parallelFor(n, ws.workers, func(lo, hi int) {
		for i := lo; i < hi; i++ {
			px, py := y[2*i], y[2*i+1]
			var ax, ay float64
			for m := p.rowPtr[i]; m < p.rowPtr[i+1]; m++ {
				j := p.col[m]
				dx, dy := px-y[2*j], py-y[2*j+1]
				pw := p.val[m] / (1 + dx*dx + dy*dy)
				ax += pw * dx
				ay += pw * dy
			}
			ws.attr[2*i], ws.attr[2*i+1] = ax, ay
			var rx, ry, z float64
			if exact {
				rx, ry, z = exactRepulsion(y, n, i)
			} else {
				rx, ry, z = ws.tree.repulsion(i, px, py, theta2)
			}
			ws.rep[2*i], ws.rep[2*i+1], ws.zi[i] = rx, ry, z
		}
	})
	// Z in point order, whatever the number of workers.
	var z float64
	for _, v := range ws.zi {
		z += v
	}
	for t := range grad[:2*n] {
		grad[t] = 4 * (exag*ws.attr[t] - ws.rep[t]/z)
	}
	return z
}

// exactRepulsion is repulsion's O(N) sum over every other point.
func exactRepulsion(y []float64, n, i int) (fx, fy, z float64) {
	px, py := y[2*i], y[2*i+1]
	for j := range n {
		if j == i {
			continue
		}
		dx, dy := px-y[2*j], py-y[2*j+1]
		w := 1 / (1 + dx*dx + dy*dy)
		z += w
		fx += w * w * dx
		fy += w * w * dy
	}
	return fx, fy, z
}

// kl returns KL(P‖Q) = Σ p_ij log(p_ij / q_ij) for the embedding y, given Z. With
// q_ij = w_ij / Z and Σ p_ij = 1 it is
//
//	Σ p_ij log p_ij + Σ p_ij log(1 + ‖y_i − y_j‖²) + log Z
//
// (van der Maaten & Hinton 2008, §3.1, with q_ij from eq. 4). Per-point partial sums are
// added in point order.
func (ws *workspace) kl(y []float64, z float64) float64 {
	p := ws.p
	part := ws.zi // free between gradient evaluations
	parallelFor(p.n, ws.workers, func(lo, hi int) {
		for i := lo; i < hi; i++ {
			var s float64
			for m := p.rowPtr[i]; m < p.rowPtr[i+1]; m++ {
				j := p.col[m]
				dx, dy := y[2*i]-y[2*j], y[2*i+1]-y[2*j+1]
				s += p.val[m] * math.Log1p(dx*dx+dy*dy)
			}
			part[i] = s
		}
	})
	var s float64
	for _, v := range part {
		s += v
	}
	return p.plogp + s + math.Log(z)
}

// exactZ is Σ_{i≠j} (1 + ‖y_i − y_j‖²)⁻¹ over all pairs, per-point sums added in point order.
func (ws *workspace) exactZ(y []float64) float64 {
	n := ws.p.n
	parallelFor(n, ws.workers, func(lo, hi int) {
		for i := lo; i < hi; i++ {
			_, _, ws.zi[i] = exactRepulsion(y, n, i)
		}
	})
	var z float64
	for _, v := range ws.zi {
		z += v
	}
	return z
}

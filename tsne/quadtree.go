package tsne

import "math"

// maxDepth bounds the quadtree: points closer than 2^-maxDepth of the embedding's extent share
// a leaf and are treated as one mass at their centre.
const maxDepth = 48

// qnode is one square cell of the quadtree.
type qnode struct {
	cx, cy     float64 // centre of mass (a sum of positions while building)
	mass       float64 // number of points in the cell
	midX, midY float64 // geometric centre of the cell
	half       float64 // half the side length
	child      int32   // index of the first of four consecutive children; -1 for a leaf
	head       int32   // leaf: first point of its list (next links the rest); -1 when empty
}

// quadtree is the space-partitioning tree of van der Maaten (2014), "Approximating t-SNE
// Gradients" (there for any dimension, here for 2-D), stored flat so one allocation serves
// every iteration. A leaf holds a single point, or several that coincide.
type quadtree struct {
	nodes []qnode
	next  []int32 // next[i]: the point after i in its leaf's list, or -1
	flat  []fnode // the non-empty cells in preorder, for the force walk
	leaf  []int32 // leaf[i]: the flat index of the leaf that holds point i
}

// build makes the tree of the n points y (x, y interleaved). Points are inserted in index
// order, so the tree — and every sum taken while walking it — is a function of y alone.
func (t *quadtree) build(y []float64, n int) {
	minX, minY := math.Inf(1), math.Inf(1)
	maxX, maxY := math.Inf(-1), math.Inf(-1)
	for i := range n {
		minX, maxX = min(minX, y[2*i]), max(maxX, y[2*i])
		minY, maxY = min(minY, y[2*i+1]), max(maxY, y[2*i+1])
	}
	half := max(maxX-minX, maxY-minY) / 2
	// Widen a little so that no point lies on the outer boundary; any positive size will do
	// when all points coincide.
	half = half*(1+1e-6) + 1e-12
	t.nodes = append(t.nodes[:0], qnode{
		midX: (minX + maxX) / 2, midY: (minY + maxY) / 2, half: half, child: -1, head: -1,
	})
	t.next = resize(t.next, n)
	t.leaf = resize(t.leaf, n)
	for i := range n {
		t.insert(y, i)
	}
	for c := range t.nodes {
		if nd := &t.nodes[c]; nd.mass > 0 {
			nd.cx /= nd.mass
			nd.cy /= nd.mass
		}
	}
	t.flat = t.flat[:0]
	t.flatten(0)
}

func resize(s []int32, n int) []int32 {
	if cap(s) < n {
		return make([]int32, n)
	}
	return s[:n]
}

func (t *quadtree) insert(y []float64, i int) {
	px, py := y[2*i], y[2*i+1]
	c, depth := int32(0), 0
	for {
		nd := &t.nodes[c]
		if nd.child < 0 {
			h := nd.head
			if h < 0 || (y[2*h] == px && y[2*h+1] == py) || depth >= maxDepth {
				nd.mass++
				nd.cx += px
				nd.cy += py
				t.next[i] = h
				nd.head = int32(i)
				return
			}
			t.split(c, y)
			continue // c is now an internal node; go round again
		}
		nd.mass++
		nd.cx += px
		nd.cy += py
		c = nd.child + quadrant(nd, px, py)
		depth++
	}
}

// quadrant is 0..3: bit 0 set east of the centre, bit 1 set north of it.
func quadrant(nd *qnode, px, py float64) int32 {
	var q int32
	if px >= nd.midX {
		q |= 1
	}
	if py >= nd.midY {
		q |= 2
	}
	return q
}

// split turns leaf c into an internal node with four empty children, then moves its points
// (which all coincide) with their mass and position sums into the child that contains them.
func (t *quadtree) split(c int32, y []float64) {
	first := int32(len(t.nodes))
	nd := t.nodes[c]
	q := nd.half / 2
	for k := range int32(4) {
		mx, my := nd.midX-q, nd.midY-q
		if k&1 != 0 {
			mx = nd.midX + q
		}
		if k&2 != 0 {
			my = nd.midY + q
		}
		t.nodes = append(t.nodes, qnode{midX: mx, midY: my, half: q, child: -1, head: -1})
	}
	h := nd.head
	ch := &t.nodes[first+quadrant(&nd, y[2*h], y[2*h+1])]
	ch.mass, ch.cx, ch.cy, ch.head = nd.mass, nd.cx, nd.cy, h
	t.nodes[c].child = first
	t.nodes[c].head = -1
}

// fnode is a non-empty cell in the flattened tree, which lists cells in depth-first preorder
// (children in quadrant order 0..3): a cell's subtree occupies flat[c : skip], so a walk that
// summarises a cell jumps to skip and one that opens it steps to c+1. A leaf has skip = c+1.
type fnode struct {
	cx, cy float64 // centre of mass
	mass   float64
	diag2  float64 // squared length of the cell's diagonal: 2·(2·half)²
	skip   int32
}

// flatten lists the non-empty cells of the built tree in preorder and points leaf[i] at the
// flat index of the leaf holding point i.
func (t *quadtree) flatten(c int32) {
	nd := &t.nodes[c]
	me := int32(len(t.flat))
	t.flat = append(t.flat, fnode{cx: nd.cx, cy: nd.cy, mass: nd.mass, diag2: 8 * nd.half * nd.half})
	if nd.child < 0 {
		for p := nd.head; p >= 0; p = t.next[p] {
			t.leaf[p] = me
		}
	} else {
		for k := range int32(4) {
			if t.nodes[nd.child+k].mass > 0 {
				t.flatten(nd.child + k)
			}
		}
	}
	t.flat[me].skip = int32(len(t.flat))
}

// repulsion returns, for point i at (px, py), the Barnes-Hut estimates of
//
//	Σ_{j≠i} w_ij² (y_i − y_j)   and   z_i = Σ_{j≠i} w_ij,   w_ij = 1/(1 + ‖y_i − y_j‖²),
//
// so that the repulsive force is F_rep,i = (Σ_j w_ij² (y_i − y_j)) / Z with Z = Σ_i z_i
// (van der Maaten 2014, "Approximating t-SNE Gradients": F_rep = −Σ_j q_ij² Z (y_i − y_j),
// written there with the opposite sign convention for the force direction). A cell is
// summarised by its centre of mass when r_cell² < θ²·‖y_i − y_cell‖², where r_cell is the
// length of the cell's diagonal as in the paper. (The reference bhtsne code compares the
// largest half-width instead, a criterion √8 times looser for the same θ.) Since y_i and a
// cell's centre of mass both lie in the cell when the cell contains i, such a cell is never
// summarised for θ ≤ 1, so i never repels itself.
func (t *quadtree) repulsion(i int, px, py, theta2 float64) (fx, fy, z float64) {
	flat := t.flat
	self := t.leaf[i]
	for c := int32(0); int(c) < len(flat); {
		nd := &flat[c]
		dx, dy := px-nd.cx, py-nd.cy
		d2 := dx*dx + dy*dy
		if nd.skip != c+1 && nd.diag2 >= theta2*d2 {
			c++ // open the cell: its first child follows it
			continue
		}
		m := nd.mass
		if c == self {
			m-- // the other points coinciding with i
		}
		c = nd.skip
		w := 1 / (1 + d2)
		z += m * w
		mw2 := m * w * w
		fx += mw2 * dx
		fy += mw2 * dy
	}
	return fx, fy, z
}

package tsne

import (
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"
)

// blobs returns n points in d dimensions drawn from k isotropic unit Gaussians whose centres
// are drawn from N(0, spread²·I), with each point's cluster label.
func blobs(n, d, k int, spread float64, seed uint64) ([]float32, []int) {
	rng := rand.New(rand.NewPCG(seed, 1))
	centres := make([]float64, k*d)
	for t := range centres {
		centres[t] = spread * rng.NormFloat64()
	}
	x := make([]float32, n*d)
	labels := make([]int, n)
	for i := range n {
		c := i % k
		labels[i] = c
		for t := range d {
			x[i*d+t] = float32(centres[c*d+t] + rng.NormFloat64())
		}
	}
	return x, labels
}

func randomEmbedding(n int, scale float64, seed uint64) []float64 {
	rng := rand.New(rand.NewPCG(seed, 2))
	y := make([]float64, 2*n)
	for t := range y {
		y[t] = scale * rng.NormFloat64()
	}
	return y
}

// oneNNAccuracy is the leave-one-out accuracy of a 1-nearest-neighbour classifier on y.
func oneNNAccuracy(y []float64, labels []int) float64 {
	n := len(labels)
	correct := 0
	for i := range n {
		best, bestD := -1, math.Inf(1)
		for j := range n {
			if j == i {
				continue
			}
			dx, dy := y[2*i]-y[2*j], y[2*i+1]-y[2*j+1]
			if d2 := dx*dx + dy*dy; d2 < bestD {
				best, bestD = j, d2
			}
		}
		if labels[best] == labels[i] {
			correct++
		}
	}
	return float64(correct) / float64(n)
}

// The nearest neighbours match a full sort of all distances.
func TestNearestNeighbours(t *testing.T) {
	const n, d, k = 150, 7, 12
	x, _ := blobs(n, d, 3, 2, 1)
	// Duplicate a point to create exact ties.
	copy(x[5*d:6*d], x[9*d:10*d])
	idx, sq := nearestNeighbours(x, n, d, k, 3)
	for i := range n {
		type cand struct {
			d float64
			j int32
		}
		var all []cand
		for j := range n {
			if j != i {
				var s float64
				for t := range d {
					diff := float64(x[i*d+t]) - float64(x[j*d+t])
					s += diff * diff
				}
				all = append(all, cand{s, int32(j)})
			}
		}
		slices.SortFunc(all, func(a, b cand) int {
			if a.d != b.d {
				if a.d < b.d {
					return -1
				}
				return 1
			}
			return int(a.j - b.j)
		})
		for m := range k {
			if idx[i*k+m] != all[m].j || math.Abs(sq[i*k+m]-all[m].d) > 1e-12*all[m].d {
				t.Fatalf("point %d neighbour %d: got (%d, %g), want (%d, %g)", i, m, idx[i*k+m], sq[i*k+m], all[m].j, all[m].d)
			}
		}
	}
}

// Each conditional distribution has the requested perplexity, and P is symmetric, sums to 1.
func TestAffinities(t *testing.T) {
	const n, d, perp = 200, 5, 10.0
	x, _ := blobs(n, d, 4, 3, 2)
	k := int(3 * perp)
	idx, sq := nearestNeighbours(x, n, d, k, 2)
	for i := range n {
		p := make([]float64, k)
		conditional(sq[i*k:(i+1)*k], perp, p)
		var h, s float64
		for _, v := range p {
			s += v
			if v > 0 {
				h -= v * math.Log(v)
			}
		}
		if math.Abs(s-1) > 1e-12 || math.Abs(math.Exp(h)-perp) > 1e-3 {
			t.Fatalf("point %d: Σp = %g, perplexity %g, want 1 and %g", i, s, math.Exp(h), perp)
		}
	}
	_ = idx
	p := affinities(x, n, d, perp, 2)
	dense := make([]float64, n*n)
	var total float64
	for i := range n {
		for m := p.rowPtr[i]; m < p.rowPtr[i+1]; m++ {
			j := int(p.col[m])
			if j == i || (m > p.rowPtr[i] && p.col[m-1] >= p.col[m]) {
				t.Fatalf("row %d: bad column order at %d", i, j)
			}
			dense[i*n+j] = p.val[m]
			total += p.val[m]
		}
	}
	if math.Abs(total-1) > 1e-12 {
		t.Errorf("Σ P = %g, want 1", total)
	}
	for i := range n {
		for j := range n {
			if math.Abs(dense[i*n+j]-dense[j*n+i]) > 1e-15 {
				t.Fatalf("P[%d,%d] = %g ≠ P[%d,%d] = %g", i, j, dense[i*n+j], j, i, dense[j*n+i])
			}
		}
	}
}

// The exact gradient matches central finite differences of the KL divergence, the
// independent oracle; tolerance 1e-6 relative to the largest component (the truncation error
// of h = 1e-5 differences is about h² times the third derivative, ≈ 1e-10).
func TestExactGradientFiniteDifferences(t *testing.T) {
	const n, d = 60, 5
	x, _ := blobs(n, d, 3, 3, 3)
	ws := newWorkspace(affinities(x, n, d, 10, 2), 2)
	y := randomEmbedding(n, 2, 4)
	grad := make([]float64, 2*n)
	ws.gradient(y, 1, -1, grad)
	cost := func() float64 { return ws.kl(y, ws.exactZ(y)) }
	const h = 1e-5
	var maxG, maxErr float64
	for c := range y {
		orig := y[c]
		y[c] = orig + h
		up := cost()
		y[c] = orig - h
		down := cost()
		y[c] = orig
		fd := (up - down) / (2 * h)
		maxG = max(maxG, math.Abs(fd))
		maxErr = max(maxErr, math.Abs(fd-grad[c]))
	}
	if maxErr > 1e-6*maxG {
		t.Errorf("max |analytic − finite difference| = %g, max |gradient| = %g", maxErr, maxG)
	}
}

// The Barnes-Hut gradient equals the exact one as θ → 0 (to rounding) and stays close at the
// default θ = 0.5; coinciding points are handled like the exact sum (w_ij = 1, no force),
// and so are points closer than the tree's finest cell.
func TestBarnesHutMatchesExact(t *testing.T) {
	const n, d = 100, 10
	x, _ := blobs(n, d, 4, 3, 5)
	ws := newWorkspace(affinities(x, n, d, 15, 2), 2)
	y := randomEmbedding(n, 5, 6)
	copy(y[2*7:2*8], y[2*3:2*4]) // points 3, 7 and 20 coincide
	copy(y[2*20:2*21], y[2*3:2*4])
	// Point 30 is closer to them than the quadtree resolves (2^-maxDepth of the extent), so
	// it shares their leaf.
	y[2*30], y[2*30+1] = y[2*3]*(1+1e-15), y[2*3+1]
	exact := make([]float64, 2*n)
	zExact := ws.gradient(y, 12, -1, exact)
	norm := 0.0
	for _, g := range exact {
		norm = math.Hypot(norm, g)
	}
	for _, tc := range []struct{ theta, tol float64 }{{1e-6, 1e-12}, {0.5, 0.02}} {
		bh := make([]float64, 2*n)
		z := ws.gradient(y, 12, tc.theta, bh)
		diff := 0.0
		for c := range bh {
			diff = math.Hypot(diff, bh[c]-exact[c])
		}
		t.Logf("θ = %g: ‖g_BH − g‖/‖g‖ = %.3g, Z relative error %.3g", tc.theta, diff/norm, math.Abs(z-zExact)/zExact)
		if diff > tc.tol*norm || math.Abs(z-zExact) > tc.tol*zExact {
			t.Errorf("θ = %g: relative gradient error %g, Z %g vs exact %g (tolerance %g)", tc.theta, diff/norm, z, zExact, tc.tol)
		}
	}
	if l := ws.tree.leaf; y[2*30] == y[2*3] || l[30] != l[3] || l[7] != l[3] || l[1] == l[3] {
		t.Errorf("the test did not make the intended leaf {3, 7, 20, 30}: leaves %d %d %d %d", l[3], l[7], l[20], l[30])
	}
}

// Well-separated clusters stay separated, and the KL divergence falls.
func TestClustersSeparated(t *testing.T) {
	const n, d = 500, 10
	x, labels := blobs(n, d, 5, 4, 7)
	var iters []int
	var kls []float64
	start := time.Now()
	y, err := Embed(x, n, d, Options{Seed: 1, Progress: func(it int, kl float64) {
		iters, kls = append(iters, it), append(kls, kl)
	}})
	if err != nil {
		t.Fatal(err)
	}
	acc := oneNNAccuracy(y, labels)
	t.Logf("%d points in %v; 1-NN accuracy %.3f; KL at steps %v: %.3f", n, time.Since(start), acc, iters, kls)
	if acc < 0.98 {
		t.Errorf("1-NN accuracy %.3f < 0.98", acc)
	}
	if iters[0] != 0 || iters[len(iters)-1] != 1000 || len(iters) != 21 {
		t.Errorf("Progress called at steps %v, want 0, 50, …, 1000", iters)
	}
	last := kls[len(kls)-1]
	if last >= kls[0] || last >= kls[6] { // kls[6] is just after early exaggeration (step 300)
		t.Errorf("KL did not decrease: %v", kls)
	}
	for m := 6; m < len(kls); m++ { // after exaggeration, KL only goes down (1% slack)
		if kls[m] > kls[m-1]*1.01 {
			t.Errorf("KL rose from %g at step %d to %g at step %d", kls[m-1], iters[m-1], kls[m], iters[m])
		}
	}
	exactKL, err := KL(x, n, d, y, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if math.Abs(exactKL-last) > 0.02*exactKL {
		t.Errorf("KL with exact Z %g, Barnes-Hut estimate %g", exactKL, last)
	}
}

// The same seed gives the same bits whatever the number of workers; another seed differs.
// Both the Barnes-Hut and the exact gradient are checked.
func TestDeterministic(t *testing.T) {
	const n, d = 300, 10
	x, _ := blobs(n, d, 4, 3, 8)
	run := func(workers int, seed uint64, theta float64) []float64 {
		opt := Options{Iterations: 300, Workers: workers, Seed: seed, Theta: theta}
		if workers == 3 { // asking for progress reports must not change the result either
			opt.Progress = func(int, float64) {}
		}
		y, err := Embed(x, n, d, opt)
		if err != nil {
			t.Fatal(err)
		}
		return y
	}
	for _, theta := range []float64{0.5, -1} {
		ref := run(1, 42, theta)
		for _, w := range []int{4, 3} {
			y := run(w, 42, theta)
			for c := range ref {
				if math.Float64bits(y[c]) != math.Float64bits(ref[c]) {
					t.Fatalf("θ = %g: Workers %d differs from Workers 1 at value %d: %v vs %v", theta, w, c, y[c], ref[c])
				}
			}
		}
		if slices.Equal(run(2, 43, theta), ref) {
			t.Errorf("θ = %g: seeds 42 and 43 gave the same embedding", theta)
		}
	}
}

func TestBadInput(t *testing.T) {
	good := func() []float32 { x, _ := blobs(20, 3, 2, 3, 9); return x }
	nan := good()
	nan[13] = float32(math.NaN())
	inf := good()
	inf[4] = float32(math.Inf(-1))
	for _, tc := range []struct {
		name string
		x    []float32
		n, d int
		opt  Options
		want string
	}{
		{"one point", []float32{1, 2, 3}, 1, 3, Options{}, "at least 2 points"},
		{"no dimensions", nil, 20, 0, Options{}, "at least 1 dimension"},
		{"short input", good()[:59], 20, 3, Options{}, "59 values"},
		{"NaN", nan, 20, 3, Options{Perplexity: 5}, "point 4, dimension 1"},
		{"Inf", inf, 20, 3, Options{Perplexity: 5}, "point 1, dimension 1"},
		{"default perplexity too large", good(), 20, 3, Options{}, "Perplexity 30"},
		{"perplexity n", good(), 20, 3, Options{Perplexity: 20}, "Perplexity 20"},
		{"perplexity negative", good(), 20, 3, Options{Perplexity: -1}, "Perplexity -1"},
		{"perplexity below 1", good(), 20, 3, Options{Perplexity: 0.5}, "below 1"},
		{"theta", good(), 20, 3, Options{Perplexity: 5, Theta: 1.5}, "Theta 1.5"},
		{"theta NaN", good(), 20, 3, Options{Perplexity: 5, Theta: math.NaN()}, "Theta NaN"},
		{"iterations", good(), 20, 3, Options{Perplexity: 5, Iterations: -1}, "Iterations -1"},
		{"exaggeration", good(), 20, 3, Options{Perplexity: 5, EarlyExaggeration: -2}, "EarlyExaggeration -2"},
		{"exaggeration iters", good(), 20, 3, Options{Perplexity: 5, ExaggerationIters: -2}, "ExaggerationIters -2"},
		{"learning rate", good(), 20, 3, Options{Perplexity: 5, LearningRate: math.Inf(1)}, "LearningRate +Inf"},
		{"workers", good(), 20, 3, Options{Perplexity: 5, Workers: -1}, "Workers -1"},
	} {
		_, err := Embed(tc.x, tc.n, tc.d, tc.opt)
		if err == nil || !strings.HasPrefix(err.Error(), "tsne: ") || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: got error %v, want one containing %q", tc.name, err, tc.want)
		}
	}
	if _, err := KL(good(), 20, 3, make([]float64, 39), Options{Perplexity: 5}); err == nil || !strings.Contains(err.Error(), "39 values") {
		t.Errorf("KL with a short embedding: got %v", err)
	}
	// Coinciding input points and the smallest legal problem still work.
	same := make([]float32, 40)
	if y, err := Embed(same, 20, 2, Options{Perplexity: 5, Iterations: 50}); err != nil || hasNonFinite(y) {
		t.Errorf("identical points: %v, %v", err, y)
	}
	if y, err := Embed([]float32{0, 1}, 2, 1, Options{Perplexity: 1, Iterations: 50}); err != nil || hasNonFinite(y) {
		t.Errorf("two points: %v, %v", err, y)
	}
}

func hasNonFinite(y []float64) bool {
	for _, v := range y {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return true
		}
	}
	return false
}

// BenchmarkEmbed10k embeds 10 000 points of 10 dimensions (ten overlapping Gaussian blobs)
// with the default options: the size of the MNIST test set's bottleneck codes. It takes 30 s to
// a minute on two cores; use -benchtime=1x.
func BenchmarkEmbed10k(b *testing.B) {
	const n, d = 10000, 10
	x, labels := blobs(n, d, 10, 2.5, 10)
	var y []float64
	for b.Loop() {
		var err error
		if y, err = Embed(x, n, d, Options{Seed: 1}); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(oneNNAccuracy(y, labels), "1nn-acc")
}

package tsne

import (
	"fmt"
	"math"
	"math/rand/v2"
	"runtime"
)

// Options configures Embed. The zero value of every field means the documented default.
type Options struct {
	// Perplexity is the effective number of neighbours of each point; 0 means 30. It must be
	// at least 1 and at most n−1. Each point's neighbourhood is its ⌊3·Perplexity⌋ nearest
	// neighbours (van der Maaten 2014).
	Perplexity float64

	// Theta is the Barnes-Hut accuracy: a quadtree cell is summarised by its centre of mass
	// when its diagonal is less than Theta times its distance to the point. 0 means 0.5
	// (van der Maaten 2014, whose experiments favour θ = 0.5); it must be at most 1. A
	// negative Theta computes the repulsive forces exactly in O(N²) per iteration; P stays
	// the sparse nearest-neighbour approximation either way.
	Theta float64

	// Iterations is the number of gradient-descent steps; 0 means 1000 (van der Maaten and
	// Hinton 2008 use 1000).
	Iterations int

	// EarlyExaggeration multiplies P during the first ExaggerationIters steps; 0 means 12
	// (van der Maaten 2014). Set it to 1 to switch exaggeration off.
	EarlyExaggeration float64

	// ExaggerationIters is the length of the early-exaggeration phase; 0 means 250
	// (van der Maaten 2014). The momentum switches from 0.5 to 0.8 at the same step.
	ExaggerationIters int

	// LearningRate is the step size η; 0 means max(N / EarlyExaggeration / 4, 50). Belkina et
	// al. ("Automated optimized parameters for t-distributed stochastic neighbor embedding
	// improve visualization and analysis of large datasets", Nature Communications 10, 2019)
	// recommend η = N/α for implementations whose gradient omits the factor 4 of
	// ∂C/∂y_i (bhtsne, FIt-SNE, openTSNE); this package's gradient includes it, hence the /4, as
	// in scikit-learn's learning_rate="auto". The floor of 50 (200 in the unscaled convention,
	// the classic default) keeps small data sets from crawling.
	LearningRate float64

	// Seed seeds the PCG generator that draws the initial embedding.
	Seed uint64

	// Workers is the number of goroutines; 0 means runtime.GOMAXPROCS(0). It does not change
	// the result.
	Workers int

	// Progress, when not nil, is called with the number of steps taken so far and the
	// KL divergence KL(P‖Q) of the current embedding (with the unexaggerated P and, unless
	// Theta < 0, the Barnes-Hut estimate of Z) when that number is 0, 50, 100, … and at the
	// end. It runs on Embed's goroutine.
	Progress func(iter int, kl float64)
}

// Defaults and constants of the optimiser.
const (
	defaultPerplexity   = 30   // van der Maaten 2014, experimental setup
	defaultTheta        = 0.5  // van der Maaten 2014, speed/accuracy experiments
	defaultIterations   = 1000 // van der Maaten & Hinton 2008, §3.4
	defaultExaggeration = 12   // van der Maaten 2014, experimental setup
	defaultExagIters    = 250  // van der Maaten 2014, experimental setup
	minLearningRate     = 50   // see Options.LearningRate

	// Momentum 0.5 during early exaggeration and 0.8 afterwards (van der Maaten & Hinton
	// 2008, §3.4, switching there at iteration 250).
	initialMomentum = 0.5
	finalMomentum   = 0.8

	// Delta-bar-delta gains (R. A. Jacobs, "Increased rates of convergence through learning
	// rate adaptation", Neural Networks 1, 1988), with the +0.2 / ×0.8 / floor 0.01 of the
	// reference implementations.
	gainIncrease = 0.2
	gainDecay    = 0.8
	minGain      = 0.01

	// Initial coordinates are N(0, initStd²), initStd = 1e-4 as in bhtsne and scikit-learn
	// (van der Maaten & Hinton 2008, Algorithm 1, sample the initial solution from a small
	// isotropic Gaussian).
	initStd = 1e-4

	progressEvery = 50 // as the reference implementation reports its error

	// pcgStream is the second PCG seed word, fixed so that Options.Seed alone decides the run.
	pcgStream = 0x7453_4e45_5f69_6e69
)

// resolved returns o with defaults filled in, or an error naming the offending field.
func (o Options) resolved(n int) (Options, error) {
	switch {
	case math.IsNaN(o.Perplexity) || o.Perplexity < 0:
		return o, fmt.Errorf("tsne: Perplexity %g is negative or NaN", o.Perplexity)
	case o.Perplexity == 0:
		o.Perplexity = defaultPerplexity
	}
	if o.Perplexity < 1 {
		return o, fmt.Errorf("tsne: Perplexity %g is below 1", o.Perplexity)
	}
	if o.Perplexity > float64(n-1) {
		return o, fmt.Errorf("tsne: Perplexity %g needs more than %d points (at least %d)",
			o.Perplexity, n, int(math.Ceil(o.Perplexity))+1)
	}
	switch {
	case math.IsNaN(o.Theta) || o.Theta > 1:
		return o, fmt.Errorf("tsne: Theta %g is above 1 or NaN", o.Theta)
	case o.Theta == 0:
		o.Theta = defaultTheta
	}
	switch {
	case o.Iterations < 0:
		return o, fmt.Errorf("tsne: Iterations %d is negative", o.Iterations)
	case o.Iterations == 0:
		o.Iterations = defaultIterations
	}
	switch {
	case math.IsNaN(o.EarlyExaggeration) || math.IsInf(o.EarlyExaggeration, 0) || o.EarlyExaggeration < 0:
		return o, fmt.Errorf("tsne: EarlyExaggeration %g is negative or not finite", o.EarlyExaggeration)
	case o.EarlyExaggeration == 0:
		o.EarlyExaggeration = defaultExaggeration
	}
	switch {
	case o.ExaggerationIters < 0:
		return o, fmt.Errorf("tsne: ExaggerationIters %d is negative", o.ExaggerationIters)
	case o.ExaggerationIters == 0:
		o.ExaggerationIters = defaultExagIters
	}
	switch {
	case math.IsNaN(o.LearningRate) || math.IsInf(o.LearningRate, 0) || o.LearningRate < 0:
		return o, fmt.Errorf("tsne: LearningRate %g is negative or not finite", o.LearningRate)
	case o.LearningRate == 0:
		o.LearningRate = max(float64(n)/o.EarlyExaggeration/4, minLearningRate)
	}
	switch {
	case o.Workers < 0:
		return o, fmt.Errorf("tsne: Workers %d is negative", o.Workers)
	case o.Workers == 0:
		o.Workers = runtime.GOMAXPROCS(0)
	}
	return o, nil
}

// checkInput validates the n×d row-major matrix x.
func checkInput(x []float32, n, d int) error {
	if n < 2 {
		return fmt.Errorf("tsne: need at least 2 points, have n = %d", n)
	}
	if d < 1 {
		return fmt.Errorf("tsne: need at least 1 dimension, have d = %d", d)
	}
	if len(x) != n*d {
		return fmt.Errorf("tsne: input has %d values, want n·d = %d·%d = %d", len(x), n, d, n*d)
	}
	for t, v := range x {
		if math.IsNaN(float64(v)) || math.IsInf(float64(v), 0) {
			return fmt.Errorf("tsne: input value %g at point %d, dimension %d is not finite", v, t/d, t%d)
		}
	}
	return nil
}

// Embed returns a 2-D t-SNE embedding of the n points of dimension d stored row-major in x,
// as n×2 row-major coordinates (x_0, y_0, x_1, y_1, …) centred on the origin.
//
// It errors when n < 2, d < 1, len(x) ≠ n·d, a value is NaN or infinite, or an option is out
// of range.
func Embed(x []float32, n, d int, opt Options) ([]float64, error) {
	if err := checkInput(x, n, d); err != nil {
		return nil, err
	}
	o, err := opt.resolved(n)
	if err != nil {
		return nil, err
	}
	p := affinities(x, n, d, o.Perplexity, o.Workers)

	rng := rand.New(rand.NewPCG(o.Seed, pcgStream))
	y := make([]float64, 2*n)
	for t := range y {
		y[t] = initStd * rng.NormFloat64()
	}
	optimise(newWorkspace(p, o.Workers), y, o)
	return y, nil
}

// optimise runs o.Iterations steps of gradient descent with momentum and gains on y
// (van der Maaten & Hinton 2008, §3.4; van der Maaten 2014, experimental setup):
//
//	g_t ← g_t + 0.2 if sign(∂C/∂y_t) ≠ sign(u_t), else 0.8·g_t; g_t ≥ 0.01
//	u_t ← μ·u_t − η·g_t·∂C/∂y_t
//	y_t ← y_t + u_t
//
// then recentres y on the origin, which leaves C unchanged.
func optimise(ws *workspace, y []float64, o Options) {
	n := ws.p.n
	grad := make([]float64, 2*n)
	upd := make([]float64, 2*n)
	gains := make([]float64, 2*n)
	for t := range gains {
		gains[t] = 1
	}
	report := func(iter int, z float64) {
		if o.Progress != nil && (iter%progressEvery == 0 || iter == o.Iterations) {
			o.Progress(iter, ws.kl(y, z))
		}
	}
	for iter := range o.Iterations {
		exag, mom := o.EarlyExaggeration, initialMomentum
		if iter >= o.ExaggerationIters {
			exag, mom = 1, finalMomentum
		}
		z := ws.gradient(y, exag, o.Theta, grad)
		report(iter, z)
		for t, g := range grad {
			if sign(g) != sign(upd[t]) {
				gains[t] += gainIncrease
			} else {
				gains[t] = max(gains[t]*gainDecay, minGain)
			}
			upd[t] = mom*upd[t] - o.LearningRate*gains[t]*g
			y[t] += upd[t]
		}
		centre(y, n)
	}
	if o.Progress != nil {
		report(o.Iterations, ws.gradient(y, 1, o.Theta, grad))
	}
}

func sign(v float64) int {
	switch {
	case v > 0:
		return 1
	case v < 0:
		return -1
	}
	return 0
}

// centre subtracts the mean of the n points y, summed in point order.
func centre(y []float64, n int) {
	var mx, my float64
	for i := range n {
		mx += y[2*i]
		my += y[2*i+1]
	}
	mx /= float64(n)
	my /= float64(n)
	for i := range n {
		y[2*i] -= mx
		y[2*i+1] -= my
	}
}

// KL returns the Kullback-Leibler divergence KL(P‖Q) (van der Maaten & Hinton 2008, §3.1)
// between the sparse input similarities P of x (built as Embed builds them, with
// opt.Perplexity) and the Student-t similarities Q of the embedding y (n×2, as Embed
// returns), with Q's normalisation summed exactly over all pairs: O(N²), a second or so for
// 10 000 points. Only opt.Perplexity and opt.Workers are used.
func KL(x []float32, n, d int, y []float64, opt Options) (float64, error) {
	if err := checkInput(x, n, d); err != nil {
		return 0, err
	}
	if len(y) != 2*n {
		return 0, fmt.Errorf("tsne: embedding has %d values, want 2·n = %d", len(y), 2*n)
	}
	for t, v := range y {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return 0, fmt.Errorf("tsne: embedding value %g at point %d, coordinate %d is not finite", v, t/2, t%2)
		}
	}
	o, err := opt.resolved(n)
	if err != nil {
		return 0, err
	}
	ws := newWorkspace(affinities(x, n, d, o.Perplexity, o.Workers), o.Workers)
	return ws.kl(y, ws.exactZ(y)), nil
}

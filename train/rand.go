package train

import "math/rand/v2"

// StreamKind names a kind of randomness; each kind has its own generators.
type StreamKind uint64

// The stream kinds. Their values are part of every run's results: do not renumber them.
const (
	StreamInit    StreamKind = iota + 1 // the initial weights
	StreamShuffle                       // the order of the training examples, per epoch
	StreamStep                          // a training step's dropout masks, per (epoch, step)
	StreamNoise                         // evaluation noise, per use
)

// splitmix64 scrambles a counter into a well-spread 64-bit value (Steele, Lea & Flood,
// "Fast splittable pseudorandom number generators", OOPSLA 2014).
func splitmix64(x uint64) uint64 {
	x += 0x9e3779b97f4a7c15
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9
	x = (x ^ (x >> 27)) * 0x94d049bb133111eb
	return x ^ (x >> 31)
}

// Stream returns the generator for (seed, kind, a, b), e.g. (seed, StreamStep, epoch, step).
func Stream(seed uint64, kind StreamKind, a, b uint64) *rand.Rand {
	return rand.New(rand.NewPCG(splitmix64(seed^splitmix64(uint64(kind))), splitmix64(splitmix64(a)^b)))
}

// InitStream is the generator of the initial weights.
func InitStream(seed uint64) *rand.Rand { return Stream(seed, StreamInit, 0, 0) }

// StepStream is the generator of the training step with the given index in an epoch.
func StepStream(seed uint64, epoch, step int) *rand.Rand {
	return Stream(seed, StreamStep, uint64(epoch), uint64(step))
}

// NoiseStream is the generator of evaluation noise for a given use (an experiment's σ index).
func NoiseStream(seed, use uint64) *rand.Rand { return Stream(seed, StreamNoise, use, 0) }

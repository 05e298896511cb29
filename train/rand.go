package train

import "math/rand/v2"

// Stream kinds: each kind of randomness has its own generator.
const (
	streamInit uint64 = iota + 1
	streamShuffle
	streamStep
	streamNoise
)

// splitmix64 scrambles a counter into a well-spread 64-bit value (Steele, Lea & Flood,
// "Fast splittable pseudorandom number generators", OOPSLA 2014).
func splitmix64(x uint64) uint64 {
	x += 0x9e3779b97f4a7c15
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9
	x = (x ^ (x >> 27)) * 0x94d049bb133111eb
	return x ^ (x >> 31)
}

// Stream returns the generator for (seed, kind, a, b), e.g. (seed, streamStep, epoch, step).
func Stream(seed, kind, a, b uint64) *rand.Rand {
	return rand.New(rand.NewPCG(splitmix64(seed^splitmix64(kind)), splitmix64(splitmix64(a)^b)))
}

// InitStream is the generator of the initial weights.
func InitStream(seed uint64) *rand.Rand { return Stream(seed, streamInit, 0, 0) }

// NoiseStream is the generator of evaluation noise for a given use (an experiment's σ index).
func NoiseStream(seed, use uint64) *rand.Rand { return Stream(seed, streamNoise, use, 0) }

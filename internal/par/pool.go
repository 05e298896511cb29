package par

import (
	"runtime"
	"sync"
	"sync/atomic"
	"time"
)

// A training step runs many short parallel loops, a few tens of microseconds each, with serial
// work between them. A goroutine started for each loop, as DoWorker once did, finds the other
// cores asleep: waking one (a futex, and on a virtual machine an interrupt to a halted vCPU)
// took long enough that the caller often ran both halves of a loop itself (a 2-item loop of
// 50 µs items took 133 µs, not 50). So loops run on helpers that stay awake between loops,
// spinning for spinFor before they sleep: a step keeps them awake, an idle program does not.
const spinFor = 200 * time.Microsecond

// pool holds the helpers; one loop at a time uses them (busy), others start goroutines.
type pool struct {
	spin    atomic.Int64 // nanoseconds an idle helper spins before it sleeps
	busy    sync.Mutex
	helpers []*helper
	job     atomic.Pointer[job] // the latest loop; a new pointer for each
	hush    atomic.Uint64       // Quiesce's count: a change sends spinning helpers to sleep
	// afterStore, in tests, delays the caller between handing out a loop and waking the
	// helpers, as a caller descheduled there would be.
	afterStore func()
}

// job is one loop handed to the helpers: items [0, n), taken in turn from next. Helpers
// 1..active take part (the caller is worker 0); pending counts those not yet done.
type job struct {
	n       int
	body    func(w, i int)
	next    atomic.Int64
	active  int
	pending atomic.Int32
}

func (j *job) work(w int) {
	for i := int(j.next.Add(1) - 1); i < j.n; i = int(j.next.Add(1) - 1) {
		j.body(w, i)
	}
}

// helper is worker w ≥ 1. sleeping is set while it waits on wake; whoever clears it sends.
type helper struct {
	w        int
	sleeping atomic.Bool
	wake     chan struct{}
}

var helpers = newPool(spinFor)

func newPool(spin time.Duration) *pool {
	p := &pool{}
	p.spin.Store(int64(spin))
	return p
}

// SetIdleSpin sets how long idle helpers spin for the next loop before they sleep (0: they
// sleep at once) and returns the previous setting. A program that runs several computations at
// once on all cores (several trainings) should set 0: a spinning helper takes a core from the
// others' work, and a helper is rarely idle for long there anyway.
func SetIdleSpin(d time.Duration) (old time.Duration) {
	return time.Duration(helpers.spin.Swap(int64(d)))
}

// run is a helper's life: wait for a loop it takes part in, work, say so, again.
func (h *helper) run(p *pool) {
	var last *job
	for {
		j := p.wait(h, last)
		if j == last {
			// Woken for a loop it had already worked on: it saw the loop while spinning,
			// finished, and fell asleep before the caller's wake-up round reached it.
			continue
		}
		last = j
		if h.w <= j.active {
			j.work(h.w)
			j.pending.Add(-1)
		}
	}
}

// wait returns the first loop after last: spinning for p.spin, then asleep until woken.
func (p *pool) wait(h *helper, last *job) *job {
	start, hush := time.Now(), p.hush.Load()
	for i := 1; p.spin.Load() > 0; i++ {
		if j := p.job.Load(); j != last {
			return j
		}
		if p.hush.Load() != hush {
			break
		}
		if i%256 == 0 && time.Since(start) > time.Duration(p.spin.Load()) {
			break
		}
		if i%4096 == 0 {
			runtime.Gosched() // every few microseconds: let other goroutines of this P run
		}
	}
	h.sleeping.Store(true)
	if j := p.job.Load(); j != last && h.sleeping.CompareAndSwap(true, false) {
		return j // a loop came in between: nobody will send
	}
	<-h.wake
	return p.job.Load()
}

// do runs body over [0, n) on the caller and workers−1 helpers. It reports false, having done
// nothing, when another loop holds the helpers (a nested or concurrent loop).
func (p *pool) do(n, workers int, body func(w, i int)) bool {
	if !p.busy.TryLock() {
		return false
	}
	defer p.busy.Unlock()
	for len(p.helpers) < workers-1 {
		h := &helper{w: len(p.helpers) + 1, wake: make(chan struct{}, 1)}
		p.helpers = append(p.helpers, h)
		go h.run(p)
	}
	j := &job{n: n, body: body, active: workers - 1}
	j.pending.Store(int32(workers - 1))
	p.job.Store(j)
	if p.afterStore != nil {
		p.afterStore()
	}
	for _, h := range p.helpers[:workers-1] {
		if h.sleeping.Load() && h.sleeping.CompareAndSwap(true, false) {
			h.wake <- struct{}{}
		}
	}
	j.work(0)
	for i := 1; j.pending.Load() > 0; i++ {
		if i%4096 == 0 {
			runtime.Gosched() // a helper may need this P (GOMAXPROCS lowered since it started)
		}
	}
	return true
}

// Quiesce sends the helpers that spin waiting for a loop to sleep now, for a caller about to
// run threads of its own on the other cores (oneDNN's OpenMP convolutions), which spinning
// helpers would compete with.
func Quiesce() { helpers.hush.Add(1) }

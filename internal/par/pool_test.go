package par

import (
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// Loops from several goroutines at once, each with loops nested in its items (which find the
// helpers busy and start goroutines): every item runs once, on a worker index below Workers.
func TestDoWorkerConcurrentAndNested(t *testing.T) {
	old := runtime.GOMAXPROCS(4)
	defer runtime.GOMAXPROCS(old)
	var wg sync.WaitGroup
	var bad atomic.Int64
	for g := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for round := range 200 {
				n := 1 + (g*7+round)%13
				hits := make([]atomic.Int32, n*3)
				DoWorker(n, Workers(n), func(w, i int) {
					if w < 0 || w >= Workers(n) {
						bad.Add(1)
					}
					Do(3, func(k int) { hits[i*3+k].Add(1) })
				})
				for i := range hits {
					if hits[i].Load() != 1 {
						bad.Add(1)
					}
				}
			}
		}()
	}
	wg.Wait()
	if bad.Load() != 0 {
		t.Fatalf("%d items ran other than once or on a worker index out of range", bad.Load())
	}
}

// GOMAXPROCS raised between sizing scratch memory by Workers and the loop: DoWorker keeps to
// the count it is given, so no body sees a worker index beyond the scratch.
func TestDoWorkerKeepsItsCount(t *testing.T) {
	old := runtime.GOMAXPROCS(2)
	defer runtime.GOMAXPROCS(old)
	workers := Workers(64)
	runtime.GOMAXPROCS(6)
	var bad atomic.Int64
	for range 50 {
		DoWorker(64, workers, func(w, i int) {
			if w >= workers {
				bad.Add(1)
			}
		})
	}
	if bad.Load() != 0 {
		t.Fatalf("%d items ran on a worker index ≥ %d", bad.Load(), workers)
	}
}

// More cores than when the helpers started: the pool grows to them.
func TestPoolGrowsWithGOMAXPROCS(t *testing.T) {
	old := runtime.GOMAXPROCS(2)
	defer runtime.GOMAXPROCS(old)
	p := newPool(time.Millisecond)
	var used [8]atomic.Int32
	for _, procs := range []int{2, 5} {
		runtime.GOMAXPROCS(procs)
		if !p.do(40, Workers(40), func(w, i int) { used[w].Add(1); time.Sleep(100 * time.Microsecond) }) {
			t.Fatal("a fresh pool reported busy")
		}
		if len(p.helpers) != procs-1 {
			t.Fatalf("GOMAXPROCS %d: %d helpers, want %d", procs, len(p.helpers), procs-1)
		}
	}
	if used[4].Load() == 0 {
		t.Error("the helper added for GOMAXPROCS 5 never worked")
	}
}

// Idle helpers stop spinning: after the spin time they sleep, and Quiesce sends them to sleep
// at once; a loop after either wakes them.
func TestHelpersSleepWhenIdle(t *testing.T) {
	old := runtime.GOMAXPROCS(3)
	defer runtime.GOMAXPROCS(old)
	waitAsleep := func(p *pool, within time.Duration) bool {
		for start := time.Now(); time.Since(start) < within; time.Sleep(time.Millisecond) {
			if p.asleep() == len(p.helpers) {
				return true
			}
		}
		return false
	}
	sum := func(p *pool) int64 {
		var s atomic.Int64
		p.do(100, 3, func(_, i int) { s.Add(int64(i)) })
		return s.Load()
	}
	short := newPool(time.Millisecond)
	for range 3 {
		if got := sum(short); got != 4950 {
			t.Fatalf("sum %d, want 4950", got)
		}
		if !waitAsleep(short, 2*time.Second) {
			t.Fatalf("%d of %d helpers asleep 2 s after a loop, with 1 ms of spinning", short.asleep(), len(short.helpers))
		}
	}
	none := newPool(0) // SetIdleSpin(0): asleep as soon as a loop is done
	for range 3 {
		if got := sum(none); got != 4950 {
			t.Fatalf("sum %d, want 4950", got)
		}
		if !waitAsleep(none, 2*time.Second) {
			t.Fatalf("%d of %d helpers asleep 2 s after a loop, without spinning", none.asleep(), len(none.helpers))
		}
	}
	long := newPool(time.Minute)
	for range 3 {
		if got := sum(long); got != 4950 {
			t.Fatalf("sum %d, want 4950", got)
		}
		time.Sleep(10 * time.Millisecond)
		if long.asleep() != 0 {
			t.Fatal("a helper slept within its minute of spinning")
		}
		long.hush.Add(1) // what Quiesce does to the package's pool
		if !waitAsleep(long, 2*time.Second) {
			t.Fatalf("%d of %d helpers asleep 2 s after Quiesce", long.asleep(), len(long.helpers))
		}
	}
}

// A caller held up between handing out a loop and waking the helpers (descheduled, say): a
// helper that saw the loop while spinning, finished it and fell asleep is then woken for a loop
// it already worked on. It must not count itself done a second time, or the loop returns while
// another helper is still in an item of it (seen with the caller held 5 ms and helpers that
// spin 1 ms: 4 of 10 loops returned early).
func TestHelperWokenForAFinishedLoop(t *testing.T) {
	old := runtime.GOMAXPROCS(3)
	defer runtime.GOMAXPROCS(old)
	p := newPool(time.Millisecond)
	p.do(2, 3, func(int, int) {}) // start both helpers
	p.afterStore = func() { time.Sleep(5 * time.Millisecond) }
	var running atomic.Int32
	for round := range 30 {
		p.do(3, 3, func(w, i int) {
			running.Add(1)
			if w == 2 {
				time.Sleep(20 * time.Millisecond)
			}
			running.Add(-1)
		})
		if r := running.Load(); r != 0 {
			t.Fatalf("round %d: the loop returned with %d items still running", round, r)
		}
	}
}

// asleep counts the helpers that sleep.
func (p *pool) asleep() int {
	n := 0
	for _, h := range p.helpers {
		if h.sleeping.Load() {
			n++
		}
	}
	return n
}

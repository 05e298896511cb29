package net

import (
	"time"

	"github.com/fgrelu/fgrelu/gemm"
)

// StageTimes accumulates, per stage, the wall time and the matrix-product floating-point
// operations of its forward and backward work over the calls of a tape that holds it (the
// feedback edges into a stage count with that stage): what `fgrelu bench --layers` prints.
// Products are counted when the network's gemm context has a Counter.
type StageTimes struct {
	Forward, Backward           []time.Duration // [stage]
	ForwardFLOPs, BackwardFLOPs []int64         // [stage]
	counter                     *gemm.Counter
}

// TimeStages makes tp record per-stage times from its next call on (nil stops it) and
// returns the record.
func (tp *Tape) TimeStages(on bool) *StageTimes {
	if !on {
		tp.times = nil
		return nil
	}
	k := len(tp.net.Stages)
	tp.times = &StageTimes{Forward: make([]time.Duration, k), Backward: make([]time.Duration, k),
		ForwardFLOPs: make([]int64, k), BackwardFLOPs: make([]int64, k)}
	if tp.net.Gemm != nil {
		tp.times.counter = tp.net.Gemm.Counter
	}
	return tp.times
}

// stageClock times one stage's work; start and stop are no-ops without a record.
type stageClock struct {
	t     time.Time
	flops int64
}

func (st *StageTimes) start() stageClock {
	if st == nil {
		return stageClock{}
	}
	return stageClock{time.Now(), st.count()}
}

// stop adds the time and products since c to stage l's forward or backward record.
func (st *StageTimes) stop(c stageClock, backward bool, l int) {
	if st == nil {
		return
	}
	dur, flops := &st.Forward[l], &st.ForwardFLOPs[l]
	if backward {
		dur, flops = &st.Backward[l], &st.BackwardFLOPs[l]
	}
	*dur += time.Since(c.t)
	*flops += st.count() - c.flops
}

func (st *StageTimes) count() int64 {
	if st.counter == nil {
		return 0
	}
	return st.counter.Load()
}

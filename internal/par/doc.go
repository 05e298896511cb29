// Package par splits loops over goroutines so that the result never depends on scheduling.
//
// A loop over [0, n) is cut into chunks whose boundaries depend only on n and the grain the
// caller gives, never on GOMAXPROCS; the chunks then run on up to GOMAXPROCS goroutines. When
// each chunk writes only its own outputs, and partial sums are combined in chunk order, the
// result is the same bits on 1 core or 64.
//
// The goroutines beside the caller are helpers that outlive a loop: they spin a little while
// for the next one before they sleep (pool.go), since a step's loops are short and waking a
// sleeping core costs about as much as one of them.
//
// Owns: the chunking of loops, the grains (ElementGrain, ColumnGrain, UpdateGrain) and the
// helpers (SetIdleSpin, Quiesce). Imports no package of this module.
package par

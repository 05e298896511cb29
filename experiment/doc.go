// Package experiment runs the paper's experiments as units that can be spread over machines.
//
// An experiment expands, for a profile (quick or paper) and a dataset, into a deterministic
// list of runs: one configuration and one repeat each, plus the measurements to take on the
// trained network (probes: noise and contrast sweeps, μ_D and gain histograms, reconstructions,
// bottleneck codes). A run is identified by the hash of what it computes, so experiments that
// need the same network share one run. Runs are addressed by their index in the list
// (`--index I`, for cluster array jobs), each writes its result atomically, a finished run is
// never redone, and the analysis builds figures and verdicts from whatever results exist.
//
// The paper's claims are defined once, as data (claims.go, claims_grid.go): variants, a
// measurement per run, the kind of test and its margin. verdict.go tests them — paired by seed,
// exact permutation tests, Holm within a section, diverged runs counted — for the sections,
// the sensitivity study and verdicts.md alike. docs/METHODS.md explains each choice.
//
// Owns: experiment definitions, the run pool, probes, analyses and estimates. It may import
// every library package (train and below, report, stats, tsne) but never the command.
package experiment

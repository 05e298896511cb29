// Package stats summarises repeated runs and tests the paper's claims against
// them: means with Student-t confidence intervals, Welch's two-sample t-test,
// Cohen's d and Hedges' g, and verdicts ("supported", "contradicted",
// "inconclusive") for directional and equivalence claims.
//
// The verdicts of the reproduction come from Decide and DecideOneSample: a
// claim of superiority, non-superiority or equivalence with a margin
// (Hypothesis), tested on per-seed samples that are paired (same seed),
// unpaired or compared with a threshold, by exact permutation tests (sign
// flips of paired differences, or every split of two samples). A Test holds
// the verdict, the raw and Holm-adjusted p-values (AdjustHolm adjusts a
// family), the exact confidence interval of the shift and the t interval, the
// mean and median differences, the effect size, and the smallest effect the
// design detects with 80 % power. docs/METHODS.md says why each choice.
//
// Every function takes plain []float64 samples (one value per repeat, for
// example the final test loss of each of 10 seeds) and never modifies them.
// Degenerate samples (too few values, NaN) give NaN or infinite results as
// documented on each function, never a panic; a verdict on such samples is
// "inconclusive".
//
// Formulas and their sources:
//
//   - sample variance s² = Σ(xᵢ − x̄)² / (n − 1) (Bessel's correction), via gonum's stat.MeanVariance;
//   - confidence interval of a mean: x̄ ± t_{1−(1−L)/2, n−1} · s/√n (Student 1908);
//   - Welch's t = (x̄_a − x̄_b) / √(s_a²/n_a + s_b²/n_b) with the Welch–Satterthwaite
//     degrees of freedom ν = (s_a²/n_a + s_b²/n_b)² / ((s_a²/n_a)²/(n_a−1) + (s_b²/n_b)²/(n_b−1))
//     (Welch 1947; Satterthwaite 1946);
//   - Cohen's d = (x̄_a − x̄_b) / s_p, s_p² = ((n_a−1)s_a² + (n_b−1)s_b²)/(n_a+n_b−2) (Cohen 1988, §2.2);
//   - Hedges' g = J(n_a+n_b−2) · d with the exact bias correction
//     J(m) = Γ(m/2) / (√(m/2) Γ((m−1)/2)) (Hedges 1981, eq. 6e);
//   - equivalence: two one-sided tests (TOST), equivalent at level α when the
//     (1−2α) confidence interval of the difference lies inside (−margin, +margin)
//     (Schuirmann 1987).
//   - permutation tests: the sign-flip test of paired differences (Fisher 1935,
//     §21) and the two-sample permutation test; their exact confidence bounds
//     are order statistics of subset means (Hartigan 1969; Lehmann & Romano 2005,
//     §5.9), see permutation.go;
//   - Holm–Bonferroni adjustment (Holm 1979);
//   - power: Δ = (t_{1−α,ν} + t_{0.8,ν})·sd·√(k/n) (Cohen 1988, §2.4).
//
// Student-t quantiles and tail probabilities come from
// gonum.org/v1/gonum/stat/distuv.StudentsT, which accepts fractional degrees
// of freedom. The tests check them against an independent standard-library
// Python oracle (testdata/oracle.py) and published values.
package stats

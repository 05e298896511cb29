package experiment

import (
	"fmt"
	"slices"

	"github.com/fgrelu/fgrelu/config"
	"github.com/fgrelu/fgrelu/stats"
)

// paperCell is the paper's best cell of the grid: β_max = 0.95, η = 5 (appendix 7.1).
var paperCell = [2]float64{0.95, 5}

// gridClaims are the grid's claims (appendix 7.1, figures 14 and 15): two trends, each a
// least-squares slope per seed tested one-sample against 0, and the paper's cell against every
// other cell of grid 2. The paper's cell is fixed in advance, so no cell is chosen on the runs
// that then test it; Holm over the section takes care of the many comparisons.
func gridClaims(p Profile) []Claim {
	g1, g2 := gridCells(p)
	zero := func(config.Verdicts) float64 { return 0 }
	cs := []Claim{
		{ID: "grid/lower-eta", Section: "grid", Text: "slope of the final test loss over η in grid 1, averaged over β_max (lower η better)",
			PerSeed: func(a *analysis, prefix string) (map[uint64]float64, int) {
				return a.gridSlope(prefix, g1, 1, func(c [2]float64) (row, x float64) { return c[0], c[1] })
			},
			Kind: stats.Superiority, Dir: stats.Greater, Threshold: zero,
			Why: "A trend over every η of grid 1: one slope per seed and β_max row, averaged over the rows, tested one-sample against 0."},
		{ID: "grid/higher-beta", Section: "grid", Text: "slope of the final test loss over β_max at η = 5, both grids (higher β_max better)",
			PerSeed: func(a *analysis, prefix string) (map[uint64]float64, int) {
				var cells [][2]float64
				for _, c := range slices.Concat(g1, g2) {
					if c[1] == 5 && !slices.Contains(cells, c) {
						cells = append(cells, c)
					}
				}
				return a.gridSlope(prefix, cells, 0, func(c [2]float64) (row, x float64) { return 0, c[0] })
			},
			Kind: stats.Superiority, Dir: stats.Less, Threshold: zero,
			Why: "A trend over every β_max at η = 5: one slope per seed, tested one-sample against 0."},
	}
	if !slices.Contains(g2, paperCell) {
		return cs
	}
	for _, c := range g2 {
		if c == paperCell {
			continue
		}
		cs = append(cs, Claim{ID: fmt.Sprintf("grid/paper-vs-%g-%g", c[0], c[1]), Section: "grid",
			Text: fmt.Sprintf("(β_max 0.95, η 5) − (β_max %g, η %g), final test loss (the paper's cell at least as good)", c[0], c[1]),
			A:    arm{gridLabel(2, paperCell[0], paperCell[1]), 0}, B: arm{gridLabel(2, c[0], c[1]), 0}, Measure: finalLoss,
			Kind: stats.NonSuperiority, Dir: stats.Greater,
			Margin: func(v config.Verdicts) float64 { return v.GridMargin },
			Why:    "“The best setting” is read as: not worse than any other cell by more than verdicts.grid_margin of its loss (non-inferiority)."})
	}
	return cs
}

// gridSlope returns per seed the least-squares slope of the final test loss over x, averaged
// over the rows (cells with the same row value), for the cells of one grid (0: look the cell up
// in either grid), and the number of diverged runs among those cells.
func (a *analysis) gridSlope(prefix string, cells [][2]float64, grid int, coords func([2]float64) (row, x float64)) (map[uint64]float64, int) {
	type pts struct{ xs, ys []float64 }
	bySeed := map[uint64]map[float64]*pts{}
	div := 0
	for _, c := range cells {
		label := ""
		for _, g := range []int{1, 2} {
			if l := prefix + gridLabel(g, c[0], c[1]); (grid == 0 || grid == g) && label == "" && (len(a.byLabel[l]) > 0 || a.diverged[l] > 0) {
				label = l
			}
		}
		if label == "" {
			continue
		}
		div += a.diverged[label]
		row, x := coords(c)
		for seed, v := range a.bySeed(arm{label, 0}, finalLoss) {
			if bySeed[seed] == nil {
				bySeed[seed] = map[float64]*pts{}
			}
			p := bySeed[seed][row]
			if p == nil {
				p = &pts{}
				bySeed[seed][row] = p
			}
			p.xs, p.ys = append(p.xs, x), append(p.ys, v)
		}
	}
	out := map[uint64]float64{}
	for seed, rows := range bySeed {
		sum, n := 0.0, 0
		for _, p := range rows {
			if s, ok := slope(p.xs, p.ys); ok {
				sum += s
				n++
			}
		}
		if n > 0 {
			out[seed] = sum / float64(n)
		}
	}
	return out, div
}

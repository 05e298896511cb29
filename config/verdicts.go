package config

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// Verdicts holds the levels, margins and thresholds that decide the
// reproduction's verdicts (docs/METHODS.md gives the reason for each). They
// are analysis settings, not part of a run's Config, so changing one never
// invalidates a result. A zero field means its default (DefaultVerdicts) unless
// Set gave it explicitly: `--verdict negligible=0` means no margin.
// Relative margins are fractions of the reference model's mean.
type Verdicts struct {
	Alpha             float64 `json:"alpha"`
	ImprovementMargin float64 `json:"improvement_margin"`
	Negligible        float64 `json:"negligible"`
	OnPar             float64 `json:"on_par"`
	CannotImprove     float64 `json:"cannot_improve"`
	GridMargin        float64 `json:"grid_margin"`
	Majority          float64 `json:"majority"`

	explicit uint16 // bit i: field i of fields() was given by Set, kept even when zero
}

// DefaultVerdicts returns the project's defaults.
func DefaultVerdicts() Verdicts {
	return Verdicts{Alpha: 0.05, ImprovementMargin: 0, Negligible: 0.01, OnPar: 0.02,
		CannotImprove: 0.01, GridMargin: 0.01, Majority: 0.9}
}

// VerdictDocs explains every verdict key (set with `--verdict key=value`).
var VerdictDocs = map[string]string{
	"verdicts.alpha":              "one-sided level of every test, before the Holm adjustment (default 0.05)",
	"verdicts.improvement_margin": "an improvement claimed by the paper must exceed this fraction of the reference's mean (default 0: any improvement)",
	"verdicts.negligible":         "“no or negligible improvement” from more passes: T > 2 not better than T = 2 by more than this fraction (default 0.01)",
	"verdicts.on_par":             "“on par”: equal within ± this fraction of the standard model's loss (default 0.02)",
	"verdicts.cannot_improve":     "“feedback cannot improve” with batch norm: not better by more than this fraction (default 0.01)",
	"verdicts.grid_margin":        "the paper's best grid cell is at least as good as each other cell up to this fraction (default 0.01)",
	"verdicts.majority":           "“the overwhelming majority” of gains at the maximum: a fraction above this (default 0.9)",
}

// verdictField is one setting: its key and where it lives.
type verdictField struct {
	key string
	p   *float64
}

// fields lists v's settings in a fixed order (the bits of explicit).
func (v *Verdicts) fields() []verdictField {
	return []verdictField{{"verdicts.alpha", &v.Alpha}, {"verdicts.improvement_margin", &v.ImprovementMargin},
		{"verdicts.negligible", &v.Negligible}, {"verdicts.on_par", &v.OnPar}, {"verdicts.cannot_improve", &v.CannotImprove},
		{"verdicts.grid_margin", &v.GridMargin}, {"verdicts.majority", &v.Majority}}
}

// WithDefaults returns v with every zero field that Set did not give set to its default.
func (v Verdicts) WithDefaults() Verdicts {
	d := DefaultVerdicts()
	def := d.fields()
	for i, f := range v.fields() {
		if *f.p == 0 && v.explicit&(1<<i) == 0 {
			*f.p = *def[i].p
		}
	}
	return v
}

// Set applies one "verdicts.key=value" assignment (the prefix is optional).
func (v *Verdicts) Set(assignment string) error {
	k, val, ok := strings.Cut(assignment, "=")
	if !ok {
		return fmt.Errorf("config: verdict setting %q is not key=value", assignment)
	}
	k = "verdicts." + strings.TrimPrefix(strings.TrimSpace(k), "verdicts.")
	i := slices.IndexFunc(v.fields(), func(f verdictField) bool { return f.key == k })
	if i < 0 {
		var known []string
		for _, f := range v.fields() {
			known = append(known, f.key)
		}
		slices.Sort(known)
		return fmt.Errorf("config: unknown verdict key %s (known: %s)", k, strings.Join(known, ", "))
	}
	p := v.fields()[i].p
	x, err := strconv.ParseFloat(strings.TrimSpace(val), 64)
	if err != nil || x < 0 || x >= 1 || (k == "verdicts.alpha" && (x <= 0 || x >= 0.5)) {
		return fmt.Errorf("config: %s=%s: want a number in [0, 1) (alpha in (0, 0.5))", k, val)
	}
	*p = x
	v.explicit |= 1 << i
	return nil
}

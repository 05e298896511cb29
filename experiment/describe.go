package experiment

import (
	"fmt"
	"sort"
	"strings"
)

// ProfileNames lists the named profiles, smallest first (by MNIST epochs × repeats).
func ProfileNames() []string {
	var names []string
	for n := range Profiles {
		names = append(names, n)
	}
	sort.Slice(names, func(i, j int) bool {
		a, b := Profiles[names[i]], Profiles[names[j]]
		if wa, wb := a.Epochs*a.Repeats, b.Epochs*b.Repeats; wa != wb {
			return wa < wb
		}
		return names[i] < names[j]
	})
	return names
}

// Describe says in one line what a profile trains: repeats, epochs and data sizes of the MNIST
// experiments, the CIFAR-10 autoencoder and the classifier, and whether the grids are whole.
func (p Profile) Describe() string {
	g1, g2 := gridCells(p)
	grid := fmt.Sprintf("%d + %d grid cells (a labelled subset)", len(g1), len(g2))
	if p.FullGrid {
		grid = "the full grids"
	}
	if p.GridEpochs > 0 && p.GridEpochs != p.Epochs {
		grid += fmt.Sprintf(", %d epochs each", p.GridEpochs)
	}
	cifar := ""
	if p.CIFARRepeats > 0 && p.CIFARRepeats != p.Repeats {
		cifar = fmt.Sprintf("%d repeats of ", p.CIFARRepeats)
	}
	return fmt.Sprintf("%d repeats (grid %d); MNIST %s on %s; %sCIFAR AE %s on %s, classifier %s on %s; %s",
		p.Repeats, p.GridRepeats, epochs(p.Epochs), sizeOf(p.TrainLimit, 60000), cifar, epochs(p.CIFAREpochs), sizeOf(p.CIFARLimit, 50000),
		epochs(p.ClsEpochs), sizeOf(p.ClsLimit, 50000), grid)
}

func epochs(n int) string {
	if n == 1 {
		return "1 epoch"
	}
	return fmt.Sprintf("%d epochs", n)
}

// sizeOf names a training-set size: the limit, or the whole set.
func sizeOf(limit, full int) string {
	if limit <= 0 || limit >= full {
		return fmt.Sprintf("all %s images", thousands(full))
	}
	return thousands(limit) + " images"
}

// thousands writes n with a thin space between groups of three digits, as the report does.
func thousands(n int) string {
	s := fmt.Sprint(n)
	var b strings.Builder
	for i, r := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteString(" ")
		}
		b.WriteRune(r)
	}
	return b.String()
}

// Setting is one setting of the sensitivity study: a name and the config overrides it applies
// to every network of the study.
type Setting struct {
	Name string
	Sets []string
}

// StudySettings lists the settings the sensitivity study tries under a profile.
func StudySettings(p Profile) []Setting {
	var out []Setting
	for _, s := range studySettings(studyProfile(p)) {
		out = append(out, Setting{Name: s.Name, Sets: s.Sets})
	}
	return out
}

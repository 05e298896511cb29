package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/fgrelu/fgrelu/experiment"
)

// The help of experiment, reproduce and study lists what they offer: the experiments, the
// profiles with their sizes and estimated wall time, and the study's settings.

// withHelp appends sections to a flag set's usage text.
func withHelp(fs *flag.FlagSet, w io.Writer, sections ...func(io.Writer)) {
	usage := fs.Usage
	fs.Usage = func() {
		usage()
		for _, s := range sections {
			fmt.Fprintln(w)
			s(w)
		}
	}
}

// experimentsHelp lists every experiment with its title, one a line.
func experimentsHelp(w io.Writer) {
	fmt.Fprintln(w, "Experiments:")
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	for _, e := range experiment.All() {
		title := e.Title
		if e.CIFAR {
			title += " (needs CIFAR-10)"
		}
		fmt.Fprintf(tw, "  %s\t%s\n", e.Name, title)
	}
	tw.Flush()
}

// profilesHelp lists the profiles with their sizes and, where this machine has measured it with
// --estimate, the estimated wall time of the whole reproduction.
func profilesHelp(w io.Writer) {
	fmt.Fprintln(w, "Profiles:")
	for _, name := range experiment.ProfileNames() {
		p := experiment.Profiles[name]
		fmt.Fprintf(w, "  %-8s %s: %s\n", name, p.Purpose, p.Describe())
		if e, err := readEstimate(name); err == nil && e.Sizes == profileFingerprint(p) {
			fmt.Fprintf(w, "  %-8s estimated %s for `reproduce` (%d runs), measured here on %s\n", "", hours(e.Hours), e.Runs, e.Date)
		} else {
			fmt.Fprintf(w, "  %-8s wall time on this machine: run `fgrelu reproduce --profile %s --estimate` (about a minute)\n", "", name)
		}
	}
}

// studyHelp lists the sensitivity study's settings under each profile.
func studyHelp(w io.Writer) {
	for _, name := range experiment.ProfileNames() {
		settings := experiment.StudySettings(experiment.Profiles[name])
		fmt.Fprintf(w, "Settings of the study, %s profile (%d):\n", name, len(settings))
		if len(settings) > 12 {
			fmt.Fprintf(w, "  every combination of: loss passes, optimizer, initialisation, training length, batch size; e.g. %s = %s\n",
				settings[0].Name, strings.Join(settings[0].Sets, " "))
			continue
		}
		tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
		for _, s := range settings {
			sets := strings.Join(s.Sets, " ")
			if sets == "" {
				sets = "(the project's defaults)"
			}
			fmt.Fprintf(tw, "  %s\t%s\n", s.Name, sets)
		}
		tw.Flush()
	}
}

func hours(h float64) string {
	if h < 1 {
		return fmt.Sprintf("%.0f minutes", 60*h)
	}
	if h < 48 {
		return fmt.Sprintf("%.1f hours", h)
	}
	return fmt.Sprintf("%.1f days", h/24)
}

// savedEstimate is what --estimate leaves in the user's cache for the help to show.
type savedEstimate struct {
	Profile string  `json:"profile"`
	Sizes   string  `json:"sizes"` // the profile's fingerprint: a changed profile is estimated anew
	Hours   float64 `json:"hours"`
	Runs    int     `json:"runs"`
	Date    string  `json:"date"`
}

func estimatePath(profile string) (string, error) {
	dir, err := os.UserCacheDir()
	if err != nil {
		return "", err
	}
	return filepath.Join(dir, "fgrelu", "estimate-"+profile+".json"), nil
}

// saveEstimate records an estimate; a cache that cannot be written only costs the help a line.
func saveEstimate(profile string, hours float64, runs int) {
	path, err := estimatePath(profile)
	if err != nil {
		return
	}
	b, _ := json.Marshal(savedEstimate{Profile: profile, Sizes: profileFingerprint(experiment.Profiles[profile]), Hours: hours, Runs: runs,
		Date: time.Now().Format("2006-01-02")})
	if os.MkdirAll(filepath.Dir(path), 0o755) == nil {
		_ = os.WriteFile(path, b, 0o644)
	}
}

func readEstimate(profile string) (savedEstimate, error) {
	var e savedEstimate
	path, err := estimatePath(profile)
	if err != nil {
		return e, err
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return e, err
	}
	return e, json.Unmarshal(b, &e)
}

// profileFingerprint identifies every size of a profile (its JSON), so that an estimate cached
// for an earlier version of the profile is not shown for this one.
func profileFingerprint(p experiment.Profile) string {
	b, _ := json.Marshal(p)
	return string(b)
}

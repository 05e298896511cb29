package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"time"

	"github.com/fgrelu/fgrelu/config"
	"github.com/fgrelu/fgrelu/data"
	"github.com/fgrelu/fgrelu/experiment"
	"github.com/fgrelu/fgrelu/report"
)

// planFlags are shared by experiment and reproduce.
type planFlags struct {
	profile, out, dataset, cifar string
	jobs, index                  int
	list, analyzeOnly, estimate  bool
	verdicts                     config.Verdicts // --verdict settings (docs/METHODS.md)
	power                        int
	compactTo                    string
	cpuprofile                   string
	args                         []string // the command line, for RUN.md
}

func addPlanFlags(fs *flag.FlagSet, defOut string) *planFlags {
	p := &planFlags{}
	fs.StringVar(&p.profile, "profile", "quick", "profile: "+strings.Join(experiment.ProfileNames(), ", ")+" (sizes below)")
	fs.StringVar(&p.out, "out", defOut, "output folder: results/, figures/, report.html")
	fs.StringVar(&p.dataset, "dataset", "mnist", "dataset of the MNIST experiments: mnist or fashion-mnist")
	fs.StringVar(&p.cifar, "cifar", "", "CIFAR-10 archive or folder (default: where fgrelu data where finds it)")
	fs.IntVar(&p.jobs, "jobs", runtime.GOMAXPROCS(0), "runs at once")
	fs.IntVar(&p.index, "index", -1, "run only the run with this index in the list (cluster array jobs), then stop")
	fs.BoolVar(&p.list, "list", false, "list the runs with their indices and whether they are done, then stop")
	fs.BoolVar(&p.analyzeOnly, "analyze-only", false, "build figures and report from the results there are; run nothing")
	fs.Func("verdict", "a verdict setting key=value, repeatable (keys: "+verdictKeys()+"; see docs/METHODS.md)", p.verdicts.Set)
	fs.BoolVar(&p.estimate, "estimate", false, "measure each kind of run briefly and extrapolate the wall time of the plan, then stop")
	fs.StringVar(&p.compactTo, "compact-to", "", "copy the results in --out, gzip-compressed, to this folder and build the report there from them alone; runs nothing")
	fs.StringVar(&p.cpuprofile, "cpuprofile", "", "write a CPU profile of the runs to this file")
	fs.IntVar(&p.power, "power", 0, "plan from the results in --out: per claim, what N repeats would detect with 80 % power and the repeats a 1 % effect needs; runs nothing")
	return p
}

func runExperiment(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("experiment", "experiment NAME [--profile NAME] [--dataset mnist|fashion-mnist] [--out DIR] [--jobs N] [--index I] [--list]", stderr)
	pf := addPlanFlags(fs, "")
	pf.args = append([]string{"experiment"}, args...)
	withHelp(fs, stderr, experimentsHelp, profilesHelp)
	if len(args) == 0 || strings.HasPrefix(args[0], "-") {
		if err := parse(fs, args); err != nil {
			return err
		}
		var names []string
		for _, e := range experiment.All() {
			names = append(names, e.Name)
		}
		return usageError{"name an experiment: " + strings.Join(names, ", ")}
	}
	e, err := experiment.ByName(args[0])
	if err != nil {
		return usageError{err.Error()}
	}
	if err := parse(fs, args[1:]); err != nil {
		return err
	}
	if pf.out == "" {
		pf.out = filepath.Join("out", e.Name+"-"+pf.profile)
	}
	p, err := experiment.ProfileByName(pf.profile)
	if err != nil {
		return usageError{err.Error()}
	}
	plan := experiment.Plan{Profile: p, Items: []experiment.PlanItem{{Exp: e, Dataset: pf.dataset}}, Verdicts: pf.verdicts}
	return runPlan(ctx, plan, pf, stdout, stderr)
}

func runReproduce(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("reproduce", "reproduce [--profile NAME] [--out DIR] [--jobs N] [--index I] [--list] [--no-fashion]", stderr)
	pf := addPlanFlags(fs, "")
	pf.args = append([]string{"reproduce"}, args...)
	withHelp(fs, stderr, profilesHelp)
	noFashion := fs.Bool("no-fashion", false, "skip the Fashion-MNIST repetition of the MNIST experiments")
	if err := parse(fs, args); err != nil {
		return err
	}
	if pf.out == "" {
		pf.out = filepath.Join("out", "reproduce-"+pf.profile)
	}
	p, err := experiment.ProfileByName(pf.profile)
	if err != nil {
		return usageError{err.Error()}
	}
	plan := experiment.Plan{Profile: p, Verdicts: pf.verdicts}
	for _, e := range experiment.All() {
		if !e.CIFAR {
			plan.Items = append(plan.Items, experiment.PlanItem{Exp: e, Dataset: "mnist"})
		}
	}
	// Analysing results needs no data: the plan is the whole plan, so that a report rebuilt
	// from committed results on another machine is the same report.
	analyzing := pf.analyzeOnly || pf.compactTo != "" || pf.power > 0
	if !*noFashion {
		if err := data.FashionAvailable(); err == nil || analyzing {
			for _, name := range experiment.FashionSubset(p) {
				e, _ := experiment.ByName(name)
				plan.Items = append(plan.Items, experiment.PlanItem{Exp: e, Dataset: "fashion-mnist"})
			}
		} else {
			fmt.Fprintf(stderr, "skipping Fashion-MNIST: %v\n", err)
		}
	}
	cifar := pf.cifar
	if cifar == "" {
		cifar, _ = data.CIFAR10Path()
	}
	if cifar != "" || analyzing {
		pf.cifar = cifar
		for _, e := range experiment.All() {
			if e.CIFAR {
				plan.Items = append(plan.Items, experiment.PlanItem{Exp: e, Dataset: "mnist"})
			}
		}
	} else {
		fmt.Fprintln(stderr, "skipping the CIFAR-10 experiments: no archive found (fgrelu data download cifar10, or --cifar PATH)")
	}
	return runPlan(ctx, plan, pf, stdout, stderr)
}

func runPlan(ctx context.Context, plan experiment.Plan, pf *planFlags, stdout, stderr io.Writer) error {
	specs, err := plan.Specs()
	if err != nil {
		return err
	}
	opt := experiment.Options{Out: pf.out, Jobs: pf.jobs, Progress: stderr, Log: stderr,
		Data: map[string]string{"cifar10": pf.cifar}}
	switch {
	case pf.estimate:
		h, err := experiment.Estimate(stdout, plan)
		if err == nil && len(plan.Items) > 1 {
			saveEstimate(plan.Profile.Name, h, len(specs))
		}
		return err
	case pf.compactTo != "":
		n, err := experiment.Compact(pf.out, pf.compactTo, specs)
		if err != nil {
			return err
		}
		fmt.Fprintf(stderr, "%d results of %d runs compacted into %s\n", n, len(specs), pf.compactTo)
		if err := mergeRunLog(pf.out, pf.compactTo); err != nil { // the runs' history travels with them
			return err
		}
		pf.out, pf.analyzeOnly = pf.compactTo, true
	case pf.power > 0:
		rows, err := plan.Power(pf.out, pf.power, 0.01)
		if err != nil {
			return err
		}
		experiment.WritePower(stdout, rows)
		return nil
	case pf.list:
		for i, s := range specs {
			state := "to run"
			if experiment.Done(pf.out, s) {
				state = "done"
			}
			fmt.Fprintf(stdout, "%4d  %-34s repeat %d  %-6s  %s\n", i, s.Label, s.Repeat, state, s.FileName())
		}
		fmt.Fprintf(stdout, "%d runs; run one with --index I (0…%d)\n", len(specs), len(specs)-1)
		return nil
	case pf.index >= 0:
		if pf.index >= len(specs) {
			return usageError{fmt.Sprintf("--index %d: the plan has %d runs (0…%d)", pf.index, len(specs), len(specs)-1)}
		}
		opt.Jobs = 1
		one := specs[pf.index : pf.index+1]
		began, before := time.Now(), countDone(pf.out, one)
		err := experiment.Execute(ctx, one, opt)
		if lerr := appendRunLog(pf.out, pf.args, began, before, countDone(pf.out, one), 1, err); lerr != nil {
			fmt.Fprintf(stderr, "warning: %s not written: %v\n", RunLogFile, lerr)
		}
		return err
	}
	if err := os.MkdirAll(pf.out, 0o755); err != nil {
		return fmt.Errorf("output folder: %w", err)
	}
	began := time.Now()
	if !pf.analyzeOnly {
		fmt.Fprintf(stderr, "%s profile: %d runs into %s\n", plan.Profile.Name, len(specs), pf.out)
		before := countDone(pf.out, specs)
		stop := func() {}
		if pf.cpuprofile != "" {
			if stop, err = startProfile(pf.cpuprofile); err != nil {
				return err
			}
		}
		err := experiment.Execute(ctx, specs, opt)
		stop()
		if lerr := appendRunLog(pf.out, pf.args, began, before, countDone(pf.out, specs), len(specs), err); lerr != nil {
			fmt.Fprintf(stderr, "warning: %s not written: %v\n", RunLogFile, lerr)
		}
		if err != nil {
			return err
		}
	}
	wall := time.Since(began)
	env := map[string]string{}
	if !pf.analyzeOnly {
		env["wall time of this invocation"] = wall.Round(time.Second).String()
	}
	rep, err := plan.Analyze(pf.out, env)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "claim by claim (%s profile):\n", plan.Profile.Name)
	for _, s := range rep.Sections {
		fmt.Fprintf(stdout, "  %-14s %-26s %s\n", s.Verdict, s.ID, s.Title)
	}
	fmt.Fprintf(stdout, "report: %s, verdicts: %s (runs took %s)\n", filepath.Join(pf.out, "report.html"),
		filepath.Join(pf.out, report.VerdictsFile), wall.Round(time.Second))
	return nil
}

// runStudy is `fgrelu experiment sensitivity`, whose help lists the settings it tries.
func runStudy(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	for _, a := range args {
		if a == "-h" || a == "--help" || a == "-help" {
			fmt.Fprintln(stderr, "Usage: fgrelu study [--profile NAME] [--dataset mnist|fashion-mnist] [--out DIR] [--jobs N] [--index I] [--list] [--estimate]")
			fmt.Fprintln(stderr, "\nThe sensitivity study trains the standard, feedback and constant-gain autoencoders under each")
			fmt.Fprintln(stderr, "setting of what the paper leaves open, and says per claim in how many settings it holds.")
			fmt.Fprintln(stderr, "It takes the flags of `fgrelu experiment`.")
			fmt.Fprintln(stderr)
			studyHelp(stderr)
			fmt.Fprintln(stderr)
			profilesHelp(stderr)
			return flag.ErrHelp
		}
	}
	return runExperiment(ctx, append([]string{"sensitivity"}, args...), stdout, stderr)
}

// verdictKeys lists the verdict settings for the --verdict help.
func verdictKeys() string {
	keys := make([]string, 0, len(config.VerdictDocs))
	for k := range config.VerdictDocs {
		keys = append(keys, strings.TrimPrefix(k, "verdicts."))
	}
	sort.Strings(keys)
	return strings.Join(keys, ", ")
}

// Command fgrelu trains and evaluates networks with feedback-gated ReLUs, benchmarks them, and
// reproduces the experiments of Kemmerling, "Feedback-Gated Rectified Linear Units"
// (arXiv 2301.02610).
//
//	fgrelu train      train a model from a config and flags
//	fgrelu eval       per-pass test loss of a checkpoint, with noise or reduced contrast
//	fgrelu bench      training throughput of a benchmark workload
//	fgrelu experiment run one of the paper's experiments
//	fgrelu reproduce  run every experiment and write the report
//	fgrelu study      the sensitivity study of the choices the paper leaves open
//	fgrelu data       locate or download datasets
//	fgrelu config     list every configuration key with its default
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime/debug"
	"syscall"

	"github.com/fgrelu/fgrelu/gemm"
)

type command struct {
	name, summary string
	run           func(ctx context.Context, args []string, stdout, stderr io.Writer) error
}

func commands() []command {
	return []command{
		{"train", "train a model from a config and flags", runTrain},
		{"eval", "per-pass test loss of a checkpoint, with noise or reduced contrast", runEval},
		{"bench", "training throughput of a benchmark workload (mnist-ae, cifar-ae, cifar-cls)", runBench},
		{"experiment", "run one of the paper's experiments", runExperiment},
		{"reproduce", "run every experiment and write the report", runReproduce},
		{"study", "the sensitivity study: which unspecified choices decide the paper's claims", runStudy},
		{"data", "locate or download datasets", runData},
		{"config", "list every configuration key with its default", runConfig},
	}
}

// usageError is a mistake in the command line: exit status 2.
type usageError struct{ msg string }

func (e usageError) Error() string { return e.msg }

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

func run(args []string, stdout, stderr io.Writer) (code int) {
	defer func() {
		if v := recover(); v != nil {
			fmt.Fprintf(stderr, "fgrelu: internal error: %v\nPlease report this with the command you ran.\n", v)
			if os.Getenv("FGRELU_DEBUG") != "" {
				fmt.Fprintf(stderr, "%s", debug.Stack())
			}
			code = 3
		}
	}()
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		usage(stdout)
		return 0
	}
	if err := gemm.EnvError(); err != nil {
		fmt.Fprintf(stderr, "fgrelu: %v\n", err)
		return 2
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	for _, c := range commands() {
		if c.name == args[0] {
			err := c.run(ctx, args[1:], stdout, stderr)
			var ue usageError
			switch {
			case err == nil:
				return 0
			case errors.Is(err, flag.ErrHelp):
				return 0
			case errors.As(err, &ue):
				fmt.Fprintf(stderr, "fgrelu %s: %v\nRun 'fgrelu %s -h' for help.\n", c.name, err, c.name)
				return 2
			default:
				fmt.Fprintf(stderr, "fgrelu %s: %v\n", c.name, err)
				return 1
			}
		}
	}
	fmt.Fprintf(stderr, "fgrelu: unknown command %q\n\n", args[0])
	usage(stderr)
	return 2
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "fgrelu: networks with feedback-gated ReLUs (Kemmerling, arXiv 2301.02610)")
	fmt.Fprintln(w, "\nUsage: fgrelu COMMAND [flags]\n\nCommands:")
	for _, c := range commands() {
		fmt.Fprintf(w, "  %-11s %s\n", c.name, c.summary)
	}
	fmt.Fprintln(w, "\nRun 'fgrelu COMMAND -h' for a command's flags.")
}

// newFlags makes a flag set that reports errors instead of exiting.
func newFlags(name, synopsis string, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintf(stderr, "Usage: fgrelu %s\n\nFlags:\n", synopsis)
		fs.PrintDefaults()
	}
	return fs
}

// parse parses flags, turning flag errors into usage errors, and refuses extra arguments.
func parse(fs *flag.FlagSet, args []string) error {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return usageError{err.Error()}
	}
	if fs.NArg() > 0 {
		return usageError{fmt.Sprintf("unexpected argument %q", fs.Arg(0))}
	}
	return nil
}

package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"strings"
	"time"

	"github.com/fgrelu/fgrelu/experiment"
	"github.com/fgrelu/fgrelu/gemm"
	"github.com/fgrelu/fgrelu/internal/sysinfo"
)

// RunLogFile records, in an output folder, every invocation that trained there: the command,
// the commit it was built from, the machine, its wall time and how far the plan got. A plan
// that takes several sittings (or sessions) keeps all of them, so its cost can be added up.
const RunLogFile = "RUN.md"

// countDone is how many of specs have a complete result in out.
func countDone(out string, specs []experiment.RunSpec) int {
	n := 0
	for _, s := range specs {
		if experiment.Done(out, s) {
			n++
		}
	}
	return n
}

// appendRunLog appends one invocation to out's RUN.md; a log that cannot be written costs a
// warning, not the results.
func appendRunLog(out string, args []string, began time.Time, doneBefore, doneAfter, total int, runErr error) error {
	path := filepath.Join(out, RunLogFile)
	var b strings.Builder
	if _, err := os.Stat(path); os.IsNotExist(err) {
		b.WriteString("# Runs of this folder\n\nEvery invocation that trained here, appended when it ended. Runs are deterministic and\nresume, so a plan may take several invocations; its cost is their sum.\n")
	}
	ended := time.Now().UTC()
	fmt.Fprintf(&b, "\n## %s\n\n", began.UTC().Format("2006-01-02 15:04 UTC"))
	fmt.Fprintf(&b, "- command: `fgrelu %s`\n", strings.Join(args, " "))
	fmt.Fprintf(&b, "- commit: %s\n", buildCommit())
	fmt.Fprintf(&b, "- machine: %s, %d cores (GOMAXPROCS %d); %s; OPENBLAS_CORETYPE=%s, OPENBLAS_L2_SIZE=%s; %s\n",
		sysinfo.CPUModel(), runtime.NumCPU(), runtime.GOMAXPROCS(0), gemm.Default().Describe(),
		envOr("OPENBLAS_CORETYPE"), envOr("OPENBLAS_L2_SIZE"), runtime.Version())
	fmt.Fprintf(&b, "- wall time: %s (until %s); runs with results: %d → %d of %d\n",
		ended.Sub(began).Round(time.Second), ended.Format("2006-01-02 15:04 UTC"), doneBefore, doneAfter, total)
	if runErr != nil {
		fmt.Fprintf(&b, "- ended early: %v\n", runErr)
	}
	return appendFile(path, b.String())
}

// appendFile appends text to the file at path, creating it if needed.
func appendFile(path, text string) error {
	f, err := os.OpenFile(path, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
	if err != nil {
		return err
	}
	if _, err := f.WriteString(text); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// buildCommit is the commit the binary was built from, as go build records it.
func buildCommit() string {
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return "unknown"
	}
	rev, modified := "", ""
	for _, s := range info.Settings {
		switch s.Key {
		case "vcs.revision":
			rev = s.Value
		case "vcs.modified":
			modified = s.Value
		}
	}
	if rev == "" {
		// Go leaves it out when the build ran outside the repository or with -buildvcs=false
		// (a GOFLAGS setting some machines have): say what the checkout it ran in holds.
		const why = "not recorded in the binary (built outside the repository or with -buildvcs=false)"
		if out, err := exec.Command("git", "rev-parse", "HEAD").Output(); err == nil {
			head := strings.TrimSpace(string(out))
			if st, err := exec.Command("git", "status", "--porcelain", "--untracked-files=no").Output(); err == nil && len(st) > 0 {
				head += " with uncommitted changes"
			}
			return fmt.Sprintf("%s; the checkout it ran in: %s", why, head)
		}
		return "unknown: " + why
	}
	if modified == "true" {
		return rev + " with uncommitted changes"
	}
	return rev
}

func envOr(k string) string {
	if v, ok := os.LookupEnv(k); ok {
		return v
	}
	return "unset"
}

// mergeRunLog adds to dst's RUN.md the invocations of src's that it does not hold yet, so that
// compacting several sittings into one folder keeps all of them (src = dst adds nothing).
func mergeRunLog(src, dst string) error {
	from, err := os.ReadFile(filepath.Join(src, RunLogFile))
	if err != nil {
		return nil // nothing to carry
	}
	to, err := os.ReadFile(filepath.Join(dst, RunLogFile))
	if os.IsNotExist(err) {
		return os.WriteFile(filepath.Join(dst, RunLogFile), from, 0o644)
	}
	if err != nil {
		return err
	}
	var add strings.Builder
	parts := strings.Split(string(from), "\n## ")
	for _, p := range parts[1:] {
		if entry := "\n## " + p; !strings.Contains(string(to), strings.TrimRight(entry, "\n")) {
			add.WriteString(entry)
		}
	}
	if add.Len() == 0 {
		return nil
	}
	return appendFile(filepath.Join(dst, RunLogFile), add.String())
}

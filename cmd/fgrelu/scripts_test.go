package main

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"

	"github.com/fgrelu/fgrelu/internal/testenv"
)

// The cluster recipes of scripts/ (docs/CLUSTER.md), checked without a cluster: the Slurm
// script against a fake sbatch and a fake fgrelu, the Kubernetes manifest by its structure and
// by running its pod script against a fake fgrelu.

// scriptEnv is the test's environment without the settings the scripts read, so that a test
// run inside a Slurm job or with FGRELU_… settings exported sees only what it sets.
func scriptEnv(path string, set ...string) []string {
	var env []string
	for _, kv := range os.Environ() {
		name, _, _ := strings.Cut(kv, "=")
		switch {
		case strings.HasPrefix(name, "SLURM_"), strings.HasPrefix(name, "SBATCH_"), name == "PATH", name == "GOMAXPROCS":
			continue
		case strings.HasPrefix(name, "FGRELU_") && name != "FGRELU_MNIST_DIR" && name != "FGRELU_FASHION_DIR" && name != "FGRELU_SHARED":
			continue
		}
		env = append(env, kv)
	}
	if path != "" {
		path += string(os.PathListSeparator)
	}
	return append(append(env, "PATH="+path+os.Getenv("PATH")), set...)
}

func needTool(t *testing.T, name string) {
	t.Helper()
	if _, err := exec.LookPath(name); err != nil {
		t.Skipf("skipped: %s is not installed", name)
	}
}

func writeExecutable(t *testing.T, path, text string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(text), 0o755); err != nil {
		t.Fatal(err)
	}
}

// fakeSbatch records each call's arguments, one per line, in DIR/call-N and prints a job id
// the way `sbatch --parsable` does on a multi-cluster setup ("id;cluster").
const fakeSbatch = `#!/bin/sh
n=$(cat "$FAKE_DIR/count" 2>/dev/null || echo 4000)
n=$((n + 1))
echo "$n" >"$FAKE_DIR/count"
for a in "$@"; do echo "$a"; done >"$FAKE_DIR/call-$n"
echo "$n;cluster"
`

// fakeFgrelu prints $FAKE_PLAN for --list and otherwise records GOMAXPROCS and its arguments.
const fakeFgrelu = `#!/bin/sh
for a in "$@"; do
	if [ "$a" = --list ]; then cat "$FAKE_PLAN"; exit 0; fi
done
{ echo "GOMAXPROCS=${GOMAXPROCS:-}"; for a in "$@"; do echo "$a"; done; } >"$FAKE_LOG"
`

// fakePlan is a --list output of n runs whose result files are key<i>.json.
func fakePlan(n int) string {
	var b strings.Builder
	for i := range n {
		fmt.Fprintf(&b, "%4d  %-34s repeat %d  %-6s  key%d.json\n", i, "partial feedback", i%2, "to run", i)
	}
	fmt.Fprintf(&b, "%d runs; run one with --index I (0…%d)\n", n, n-1)
	return b.String()
}

func slurmScript(t *testing.T) string {
	t.Helper()
	return filepath.Join(testenv.RepoRoot(t), "scripts", "slurm-reproduce.sh")
}

func TestSlurmScriptParses(t *testing.T) {
	needTool(t, "bash")
	if out, err := exec.Command("bash", "-n", slurmScript(t)).CombinedOutput(); err != nil {
		t.Fatalf("bash -n: %v\n%s", err, out)
	}
	// No mode outside a job: the usage, exit status 2.
	cmd := exec.Command("bash", slurmScript(t))
	cmd.Env = scriptEnv(t.TempDir())
	out, err := cmd.CombinedOutput()
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.ExitCode() != 2 || !strings.Contains(string(out), "Usage:") {
		t.Errorf("no mode: %v, want exit status 2 and the usage\n%s", err, out)
	}
}

// An array task runs index offset + SLURM_ARRAY_TASK_ID with GOMAXPROCS from
// SLURM_CPUS_PER_TASK and --cifar from FGRELU_CIFAR, and refuses to run when its node sees
// another run at that index than the plan recorded at submission.
func TestSlurmTaskRunsItsIndex(t *testing.T) {
	needTool(t, "bash")
	dir := t.TempDir()
	bin, plan, log := filepath.Join(dir, "fgrelu"), filepath.Join(dir, "plan.txt"), filepath.Join(dir, "args")
	writeExecutable(t, bin, fakeFgrelu)
	os.WriteFile(plan, []byte(fakePlan(12)), 0o644)
	out := filepath.Join(dir, "out")
	env := scriptEnv(dir, "FGRELU_BIN="+bin, "FGRELU_OUT="+out, "FGRELU_PROFILE=quick",
		"FGRELU_CIFAR=/data/cifar", "FGRELU_ARGS=--no-fashion", "FGRELU_PLAN="+plan, "FAKE_PLAN="+plan, "FAKE_LOG="+log,
		"SLURM_JOB_ID=77", "SLURM_ARRAY_TASK_ID=2", "SLURM_CPUS_PER_TASK=3")

	cmd := exec.Command("bash", slurmScript(t), "task", "5")
	cmd.Env = env
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("task: %v\n%s", err, b)
	}
	got, _ := os.ReadFile(log)
	want := strings.Join([]string{"GOMAXPROCS=3", "reproduce", "--profile", "quick", "--cifar", "/data/cifar",
		"--no-fashion", "--out", out, "--index", "7"}, "\n") + "\n"
	if string(got) != want {
		t.Errorf("task 5 with SLURM_ARRAY_TASK_ID=2 ran\n%s\nwant\n%s", got, want)
	}

	// Started by sbatch without a mode (the hand-made array job): offset 0.
	os.Remove(log)
	cmd = exec.Command("bash", slurmScript(t))
	cmd.Env = env
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("no mode in an array job: %v\n%s", err, b)
	}
	if got, _ := os.ReadFile(log); !strings.HasSuffix(string(got), "--index\n2\n") {
		t.Errorf("no mode in an array job ran\n%s\nwant --index 2", got)
	}

	// The node sees run 7 as another run: the task stops before running anything.
	os.Remove(log)
	other := filepath.Join(dir, "other.txt")
	os.WriteFile(other, []byte(strings.Replace(fakePlan(12), "key7.json", "key99.json", 1)), 0o644)
	cmd = exec.Command("bash", slurmScript(t), "task", "5")
	cmd.Env = append(env, "FAKE_PLAN="+other)
	b, err := cmd.CombinedOutput()
	if err == nil || !strings.Contains(string(b), "another plan") {
		t.Errorf("task on a node with another plan: %v, want an error that says so\n%s", err, b)
	}
	if _, err := os.Stat(log); err == nil {
		t.Error("task on a node with another plan ran fgrelu")
	}
}

// sbatchCall is one recorded sbatch call.
type sbatchCall struct {
	id   int
	args []string
}

func (c sbatchCall) option(name string) string {
	for _, a := range c.args {
		if v, ok := strings.CutPrefix(a, name+"="); ok {
			return v
		}
	}
	return ""
}

func readCalls(t *testing.T, dir string) []sbatchCall {
	t.Helper()
	files, _ := filepath.Glob(filepath.Join(dir, "call-*"))
	var calls []sbatchCall
	for _, f := range files {
		id, _ := strconv.Atoi(strings.TrimPrefix(filepath.Base(f), "call-"))
		b, _ := os.ReadFile(f)
		calls = append(calls, sbatchCall{id, strings.Split(strings.TrimSuffix(string(b), "\n"), "\n")})
	}
	slices.SortFunc(calls, func(a, b sbatchCall) int { return a.id - b.id })
	return calls
}

// submit mode counts the plan's runs with the real binary and submits arrays covering every
// index once, then an analysis job that depends on all of them.
func TestSlurmSubmitSizesTheArray(t *testing.T) {
	if testing.Short() {
		t.Skip("skipped in -short mode: builds the command")
	}
	needTool(t, "bash")
	root := testenv.RepoRoot(t)
	bin := buildBinary(t)

	// The plan as the binary lists it, from the same folder the script runs in.
	list := exec.Command(bin, "reproduce", "--profile", "quick", "--list", "--out", filepath.Join(t.TempDir(), "none"))
	list.Dir = root
	list.Env = scriptEnv("")
	var stdout bytes.Buffer
	list.Stdout, list.Stderr = &stdout, io.Discard
	if err := list.Run(); err != nil {
		t.Fatalf("fgrelu reproduce --list: %v", err)
	}
	m := regexp.MustCompile(`(?m)^(\d+) runs; run one with --index`).FindStringSubmatch(stdout.String())
	if m == nil {
		t.Fatalf("no run count in the list:\n%s", stdout.String())
	}
	n, _ := strconv.Atoi(m[1])

	for _, c := range []struct {
		maxArray, parallel int
	}{{1000, 7}, {n/3 + 1, 7}} {
		t.Run(fmt.Sprintf("max-array-%d", c.maxArray), func(t *testing.T) {
			fake, out := t.TempDir(), t.TempDir()
			writeExecutable(t, filepath.Join(fake, "sbatch"), fakeSbatch)
			writeExecutable(t, filepath.Join(fake, "squeue"), fakeSqueue)
			cmd := exec.Command("bash", slurmScript(t), "submit", "--time=1:00:00", "--partition=cpu")
			cmd.Dir = root
			cmd.Env = scriptEnv(fake, "FAKE_DIR="+fake, "FGRELU_BIN="+bin, "FGRELU_OUT="+out, "FGRELU_PROFILE=quick",
				"FGRELU_PARALLEL="+strconv.Itoa(c.parallel), "FGRELU_MAX_ARRAY="+strconv.Itoa(c.maxArray))
			if b, err := cmd.CombinedOutput(); err != nil {
				t.Fatalf("submit: %v\n%s", err, b)
			}
			calls := readCalls(t, fake)
			chunks := (n + c.maxArray - 1) / c.maxArray
			if len(calls) != chunks+1 {
				t.Fatalf("%d sbatch calls, want %d arrays and the analysis: %v", len(calls), chunks, calls)
			}
			per := (c.parallel + chunks - 1) / chunks
			covered, ids := 0, []string{}
			for i, call := range calls[:chunks] {
				size := min(c.maxArray, n-i*c.maxArray)
				if got, want := call.option("--array"), fmt.Sprintf("0-%d%%%d", size-1, per); got != want {
					t.Errorf("array %d: --array=%s, want %s", i, got, want)
				}
				tail := call.args[len(call.args)-3:]
				if filepath.Base(tail[0]) != "slurm-reproduce.sh" || tail[1] != "task" || tail[2] != strconv.Itoa(covered) {
					t.Errorf("array %d runs %v, want the script's task mode with offset %d", i, tail, covered)
				}
				covered += size
				ids = append(ids, strconv.Itoa(call.id))
			}
			if covered != n {
				t.Errorf("the arrays cover %d runs, the plan has %d", covered, n)
			}
			analysis := calls[chunks]
			if got, want := analysis.option("--dependency"), "afterany:"+strings.Join(ids, ":"); got != want {
				t.Errorf("analysis: --dependency=%s, want %s", got, want)
			}
			if analysis.args[len(analysis.args)-1] != "analyze" {
				t.Errorf("analysis job runs %v, want the script's analyze mode", analysis.args)
			}
			for _, call := range calls {
				if call.option("--cpus-per-task") != "2" || !slices.Contains(call.args, "--time=1:00:00") ||
					!slices.Contains(call.args, "--partition=cpu") || !slices.Contains(call.args, "--parsable") {
					t.Errorf("sbatch %v: want --parsable, --cpus-per-task=2 and the options given to submit", call.args)
				}
			}
			plans, _ := filepath.Glob(filepath.Join(out, "slurm", "*", "plan.txt"))
			if len(plans) != 1 {
				t.Fatalf("recorded plans: %v, want one", plans)
			}
			if b, _ := os.ReadFile(plans[0]); !strings.Contains(string(b), m[0]) {
				t.Errorf("the recorded plan does not say %q", m[0])
			}
		})
	}
}

// fakeSqueue prints $FAKE_QUEUE, lines of "JOBID COMMENT" as `squeue -o '%i %k'` would.
const fakeSqueue = `#!/bin/sh
printf '%s' "${FAKE_QUEUE:-}"
`

// submit submits only the runs the output folder has no result for, each window of
// FGRELU_MAX_ARRAY indices as one array job of ranges; a finished plan submits nothing, and
// jobs of the same output folder still in the queue stop it.
func TestSlurmSubmitOnlyWhatIsLeft(t *testing.T) {
	needTool(t, "bash")
	dir := t.TempDir()
	bin, plan := filepath.Join(dir, "fgrelu"), filepath.Join(dir, "plan.txt")
	writeExecutable(t, bin, fakeFgrelu)
	writeExecutable(t, filepath.Join(dir, "sbatch"), fakeSbatch)
	writeExecutable(t, filepath.Join(dir, "squeue"), fakeSqueue)
	out := filepath.Join(dir, "out")
	// withDone is a plan of 12 runs whose runs in done are marked done.
	withDone := func(done ...int) string {
		lines := strings.Split(fakePlan(12), "\n")
		for _, i := range done {
			lines[i] = strings.Replace(lines[i], "to run", "done  ", 1)
		}
		return strings.Join(lines, "\n")
	}
	submit := func(planText string, extra ...string) (string, []sbatchCall, error) {
		t.Helper()
		fake := t.TempDir()
		os.WriteFile(plan, []byte(planText), 0o644)
		cmd := exec.Command("bash", slurmScript(t), "submit")
		cmd.Env = scriptEnv(dir, append([]string{"FAKE_DIR=" + fake, "FAKE_PLAN=" + plan, "FAKE_LOG=" + filepath.Join(fake, "log"),
			"FGRELU_BIN=" + bin, "FGRELU_OUT=" + out, "FGRELU_MNIST_DIR=/data/mnist", "FGRELU_PARALLEL=4", "FGRELU_MAX_ARRAY=5"}, extra...)...)
		b, err := cmd.CombinedOutput()
		return string(b), readCalls(t, fake), err
	}

	// Runs 1, 4, 5 and 11 done: windows 0…4 and 5…9 hold runs to do, 10…14 holds 10.
	o, calls, err := submit(withDone(1, 4, 5, 11))
	if err != nil {
		t.Fatalf("submit: %v\n%s", err, o)
	}
	want := []struct{ array, offset string }{{"0,2-3%2", "0"}, {"1-4%2", "5"}, {"0%2", "10"}}
	if len(calls) != len(want)+1 {
		t.Fatalf("%d sbatch calls, want %d arrays and the analysis\n%s", len(calls), len(want), o)
	}
	for i, w := range want {
		args := calls[i].args
		if got := calls[i].option("--array"); got != w.array || args[len(args)-1] != w.offset {
			t.Errorf("array %d: --array=%s, offset %s; want %s, %s", i, got, args[len(args)-1], w.array, w.offset)
		}
	}
	if !strings.Contains(o, "8 of 12 runs") {
		t.Errorf("submit does not say it submitted 8 of 12 runs:\n%s", o)
	}

	// Every run done: nothing is submitted, and no submission folder is left.
	os.RemoveAll(out)
	all := make([]int, 12)
	for i := range all {
		all[i] = i
	}
	o, calls, err = submit(withDone(all...))
	if err != nil || len(calls) != 0 || !strings.Contains(o, "nothing to submit") {
		t.Errorf("a finished plan: %v, %d sbatch calls, want none\n%s", err, len(calls), o)
	}
	if stamps, _ := filepath.Glob(filepath.Join(out, "slurm", "*")); len(stamps) != 0 {
		t.Errorf("a finished plan left %v", stamps)
	}

	// Jobs of this output folder in the queue: submit stops and names them.
	o, calls, err = submit(withDone(1), "FAKE_QUEUE=77 fgrelu:"+out+"\n78 something else\n")
	// (The list in parentheses: the temporary folder's name may contain "78" itself.)
	if err == nil || len(calls) != 0 || !strings.Contains(o, "(77)") {
		t.Errorf("jobs of the folder queued: %v, %d sbatch calls; want an error naming job 77 only\n%s", err, len(calls), o)
	}
}

// The subset of Kubernetes' objects the manifest uses. Decoding with KnownFields refuses any
// other field, so a misspelt one (completionmode, resourceFieldref) fails here rather than be
// ignored by a lenient reader.
type k8sObject struct {
	APIVersion string    `yaml:"apiVersion"`
	Kind       string    `yaml:"kind"`
	Metadata   k8sMeta   `yaml:"metadata"`
	Spec       yaml.Node `yaml:"spec"`
}

type k8sMeta struct {
	Name   string            `yaml:"name"`
	Labels map[string]string `yaml:"labels"`
}

type k8sPVCSpec struct {
	AccessModes      []string `yaml:"accessModes"`
	StorageClassName string   `yaml:"storageClassName"`
	Resources        struct {
		Requests map[string]string `yaml:"requests"`
	} `yaml:"resources"`
}

type k8sJobSpec struct {
	CompletionMode       string `yaml:"completionMode"`
	Completions          *int   `yaml:"completions"`
	Parallelism          *int   `yaml:"parallelism"`
	BackoffLimit         *int   `yaml:"backoffLimit"`
	BackoffLimitPerIndex *int   `yaml:"backoffLimitPerIndex"`
	Suspend              bool   `yaml:"suspend"`
	Template             struct {
		Metadata k8sMeta `yaml:"metadata"`
		Spec     struct {
			RestartPolicy string         `yaml:"restartPolicy"`
			Containers    []k8sContainer `yaml:"containers"`
			Volumes       []struct {
				Name                  string `yaml:"name"`
				PersistentVolumeClaim struct {
					ClaimName string `yaml:"claimName"`
				} `yaml:"persistentVolumeClaim"`
			} `yaml:"volumes"`
		} `yaml:"spec"`
	} `yaml:"template"`
}

type k8sContainer struct {
	Name    string   `yaml:"name"`
	Image   string   `yaml:"image"`
	Command []string `yaml:"command"`
	Args    []string `yaml:"args"`
	Env     []struct {
		Name      string `yaml:"name"`
		Value     string `yaml:"value"`
		ValueFrom *struct {
			ResourceFieldRef struct {
				ContainerName string `yaml:"containerName"`
				Resource      string `yaml:"resource"`
			} `yaml:"resourceFieldRef"`
		} `yaml:"valueFrom"`
	} `yaml:"env"`
	Resources struct {
		Requests map[string]string `yaml:"requests"`
		Limits   map[string]string `yaml:"limits"`
	} `yaml:"resources"`
	VolumeMounts []struct {
		Name      string `yaml:"name"`
		MountPath string `yaml:"mountPath"`
	} `yaml:"volumeMounts"`
}

func (c k8sContainer) env(name string) string {
	for _, e := range c.Env {
		if e.Name == name {
			return e.Value
		}
	}
	return ""
}

func decodeStrict(t *testing.T, n *yaml.Node, v any, what string) {
	t.Helper()
	b, err := yaml.Marshal(n)
	if err != nil {
		t.Fatal(err)
	}
	dec := yaml.NewDecoder(bytes.NewReader(b))
	dec.KnownFields(true)
	if err := dec.Decode(v); err != nil {
		t.Fatalf("%s: %v", what, err)
	}
}

func TestK8sManifest(t *testing.T) {
	f, err := os.Open(filepath.Join(testenv.RepoRoot(t), "scripts", "k8s-reproduce.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	dec := yaml.NewDecoder(f)
	dec.KnownFields(true)
	pvcs := map[string]k8sPVCSpec{}
	var indexed, analysis []k8sJobSpec
	for {
		var o k8sObject
		if err := dec.Decode(&o); errors.Is(err, io.EOF) {
			break
		} else if err != nil {
			t.Fatalf("scripts/k8s-reproduce.yaml: %v", err)
		}
		switch {
		case o.APIVersion == "v1" && o.Kind == "PersistentVolumeClaim":
			var s k8sPVCSpec
			decodeStrict(t, &o.Spec, &s, "PersistentVolumeClaim "+o.Metadata.Name)
			pvcs[o.Metadata.Name] = s
		case o.APIVersion == "batch/v1" && o.Kind == "Job":
			var s k8sJobSpec
			decodeStrict(t, &o.Spec, &s, "Job "+o.Metadata.Name)
			if s.CompletionMode == "Indexed" {
				indexed = append(indexed, s)
			} else {
				analysis = append(analysis, s)
			}
		default:
			t.Errorf("unexpected object %s %s %s", o.APIVersion, o.Kind, o.Metadata.Name)
		}
	}
	if len(indexed) != 1 || len(analysis) != 1 {
		t.Fatalf("%d Indexed Jobs and %d other Jobs, want one of each", len(indexed), len(analysis))
	}
	for name, p := range pvcs {
		if !slices.Contains(p.AccessModes, "ReadWriteMany") {
			t.Errorf("volume claim %s: access modes %v, want ReadWriteMany (pods on many nodes write)", name, p.AccessModes)
		}
	}
	check := func(what string, s k8sJobSpec, want string) k8sContainer {
		t.Helper()
		ps := s.Template.Spec
		if ps.RestartPolicy != "Never" || len(ps.Containers) != 1 {
			t.Fatalf("%s: restartPolicy %q and %d containers, want Never and one", what, ps.RestartPolicy, len(ps.Containers))
		}
		c := ps.Containers[0]
		if len(c.Args) != 1 || !strings.Contains(c.Args[0], want) || !strings.Contains(c.Args[0], "fgrelu reproduce") {
			t.Errorf("%s: the pod runs %q, want fgrelu reproduce … %s", what, c.Args, want)
		}
		for _, m := range []map[string]string{c.Resources.Requests, c.Resources.Limits} {
			if m["cpu"] != "2" {
				t.Errorf("%s: cpu %q in requests and limits, want 2", what, m["cpu"])
			}
		}
		gomaxprocs := false
		for _, e := range c.Env {
			if e.Name == "GOMAXPROCS" && e.ValueFrom != nil {
				r := e.ValueFrom.ResourceFieldRef
				gomaxprocs = r.Resource == "limits.cpu" && r.ContainerName == c.Name
			}
		}
		if !gomaxprocs {
			t.Errorf("%s: GOMAXPROCS does not come from the container's CPU limit", what)
		}
		if len(ps.Volumes) != 1 || len(c.VolumeMounts) != 1 || c.VolumeMounts[0].Name != ps.Volumes[0].Name {
			t.Fatalf("%s: want one volume, mounted", what)
		}
		if _, ok := pvcs[ps.Volumes[0].PersistentVolumeClaim.ClaimName]; !ok {
			t.Errorf("%s: the volume claim %q is not in the manifest", what, ps.Volumes[0].PersistentVolumeClaim.ClaimName)
		}
		if out := c.env("FGRELU_OUT"); !strings.HasPrefix(out, c.VolumeMounts[0].MountPath+"/") {
			t.Errorf("%s: FGRELU_OUT=%s is not on the shared volume at %s", what, out, c.VolumeMounts[0].MountPath)
		}
		return c
	}
	job := indexed[0]
	if job.Completions == nil || *job.Completions < 1 || job.Parallelism == nil || *job.Parallelism < 1 {
		t.Fatal("the Indexed Job needs completions and parallelism")
	}
	run := check("Indexed Job", job, `--index "$JOB_COMPLETION_INDEX"`)
	if run.env("FGRELU_RUNS") != strconv.Itoa(*job.Completions) {
		t.Errorf("FGRELU_RUNS=%s, completions %d: they must agree", run.env("FGRELU_RUNS"), *job.Completions)
	}
	if !analysis[0].Suspend {
		t.Error("the analysis Job should be created suspended, to start once the runs have ended")
	}
	check("analysis Job", analysis[0], "--analyze-only")

	// The pod's script, against a fake fgrelu: it runs its index when the plan has as many
	// runs as completions, and stops, naming the count, when it has not.
	needTool(t, "sh")
	dir := t.TempDir()
	writeExecutable(t, filepath.Join(dir, "fgrelu"), fakeFgrelu)
	for _, c := range []struct {
		runs int
		ok   bool
	}{{*job.Completions, true}, {*job.Completions - 1, false}} {
		plan, log := filepath.Join(dir, "plan.txt"), filepath.Join(dir, "args")
		os.WriteFile(plan, []byte(fakePlan(c.runs)), 0o644)
		os.Remove(log)
		cmd := exec.Command(run.Command[0], append(run.Command[1:], run.Args...)...)
		cmd.Env = scriptEnv(dir, "FAKE_PLAN="+plan, "FAKE_LOG="+log, "JOB_COMPLETION_INDEX=7", "GOMAXPROCS=2")
		for _, e := range run.Env {
			if e.ValueFrom == nil {
				cmd.Env = append(cmd.Env, e.Name+"="+e.Value)
			}
		}
		b, err := cmd.CombinedOutput()
		got, _ := os.ReadFile(log)
		switch {
		case c.ok && (err != nil || !strings.HasSuffix(string(got), "--index\n7\n")):
			t.Errorf("pod 7, plan of %d runs: %v, ran %q\n%s", c.runs, err, got, b)
		case !c.ok && (err == nil || len(got) > 0 || !strings.Contains(string(b), strconv.Itoa(c.runs))):
			t.Errorf("pod 7, plan of %d runs against completions %d: %v, ran %q; want an error naming %d\n%s",
				c.runs, *job.Completions, err, got, c.runs, b)
		}
	}
}

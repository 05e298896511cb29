package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/fgrelu/fgrelu/internal/testenv"
	"github.com/fgrelu/fgrelu/train"
)

// The cluster path on a real scheduler: a single-node Slurm (slurmctld, slurmd, munged)
// started by the test in a temporary folder, and the plan submitted through
// scripts/slurm-reproduce.sh the way docs/CLUSTER.md tells a user to. Needs root and the
// Debian 12 packages slurm-wlm and munge (Slurm 22.05); .ci/run installs them.

// slurmPlan is the plan the test submits: one experiment of the tiny profile, six runs.
var slurmPlan = []string{"experiment", "comprehensive", "--profile", "tiny"}

// slurmCluster is a running single-node Slurm.
type slurmCluster struct {
	dir  string // slurm.conf, state, spool, logs and pid files
	conf string
	node string
}

// sbin finds a daemon in PATH or in /usr/sbin (not always in a non-root PATH).
func sbin(name string) (string, error) {
	if p, err := exec.LookPath(name); err == nil {
		return p, nil
	}
	return exec.LookPath(filepath.Join("/usr/sbin", name))
}

// needSlurm skips the test unless it can start a cluster: root, the daemons of slurm-wlm
// and munge, and their client commands in PATH, where the script finds them.
func needSlurm(t *testing.T) {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("skipped: starting slurmctld, slurmd and munged needs root (CI runs as root)")
	}
	for _, name := range []string{"slurmctld", "slurmd", "munged", "runuser"} {
		if _, err := sbin(name); err != nil {
			t.Skipf("skipped: %s is not installed (apt-get install slurm-wlm munge)", name)
		}
	}
	for _, name := range []string{"sbatch", "squeue", "scontrol", "scancel", "sinfo", "munge", "unmunge", "bash"} {
		if _, err := exec.LookPath(name); err != nil {
			t.Skipf("skipped: %s is not in PATH (apt-get install slurm-wlm munge)", name)
		}
	}
}

// freePort returns a TCP port nothing listens on now, so that the test's cluster does not
// meet another Slurm on the default ports.
func freePort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// waitFor polls cond every 100 ms until it holds or timeout passes.
func waitFor(t *testing.T, what string, timeout time.Duration, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("waited %v for %s", timeout, what)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// stopByPidFile ends the daemon whose pid the file holds: SIGTERM, then SIGKILL if it is
// still there after ten seconds. A missing pid file means it never started.
func stopByPidFile(t *testing.T, pidFile string) {
	b, err := os.ReadFile(pidFile)
	if err != nil {
		return
	}
	pid, err := strconv.Atoi(strings.TrimSpace(string(b)))
	if err != nil || pid <= 1 {
		t.Errorf("pid file %s: %q", pidFile, b)
		return
	}
	alive := func() bool { return syscall.Kill(pid, 0) == nil }
	if !alive() {
		return
	}
	syscall.Kill(pid, syscall.SIGTERM)
	for deadline := time.Now().Add(10 * time.Second); alive() && time.Now().Before(deadline); {
		time.Sleep(100 * time.Millisecond)
	}
	if alive() {
		t.Logf("%s: pid %d ignored SIGTERM; killing it", pidFile, pid)
		syscall.Kill(pid, syscall.SIGKILL)
	}
}

// startMunge starts munged as the munge user, as the Debian package would, unless one
// already answers; it is stopped by its pid file when the test ends.
func startMunge(t *testing.T) {
	t.Helper()
	works := func() bool {
		return exec.Command("bash", "-c", "munge -n | unmunge").Run() == nil
	}
	if works() {
		t.Log("munged is already running; the test uses it and leaves it running")
		return
	}
	u, err := user.Lookup("munge")
	if err != nil {
		t.Fatalf("no munge user (is the munge package installed?): %v", err)
	}
	uid, _ := strconv.Atoi(u.Uid)
	gid, _ := strconv.Atoi(u.Gid)
	if err := os.MkdirAll("/run/munge", 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Chown("/run/munge", uid, gid); err != nil {
		t.Fatal(err)
	}
	munged, _ := sbin("munged")
	runuser, _ := sbin("runuser")
	t.Cleanup(func() { stopByPidFile(t, "/run/munge/munged.pid") })
	if out, err := exec.Command(runuser, "-u", "munge", "--", munged).CombinedOutput(); err != nil {
		t.Fatalf("munged: %v\n%s", err, out)
	}
	waitFor(t, "munged to answer", 10*time.Second, works)
}

// startSlurm writes a slurm.conf for one node with 2 CPUs into dir and starts slurmctld
// and slurmd. Everything Slurm writes stays in dir. When the test ends, its jobs are
// cancelled and the daemons stopped by their pid files, whether it passed or not.
func startSlurm(t *testing.T, dir string) *slurmCluster {
	t.Helper()
	startMunge(t)
	host, err := os.Hostname()
	if err != nil {
		t.Fatal(err)
	}
	host, _, _ = strings.Cut(host, ".")
	c := &slurmCluster{dir: dir, conf: filepath.Join(dir, "slurm.conf"), node: host}
	for _, d := range []string{"state", "spool", "log"} {
		if err := os.MkdirAll(filepath.Join(dir, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	// What the issue found to work on a machine without systemd and cgroup setup. No
	// accounting database: job states come from scontrol, which keeps ended jobs for
	// MinJobAge seconds.
	conf := fmt.Sprintf(`ClusterName=fgrelutest
SlurmctldHost=%[1]s(127.0.0.1)
SlurmctldPort=%[3]d
SlurmdPort=%[4]d
SlurmUser=root
AuthType=auth/munge
AuthInfo=cred_expire=10
StateSaveLocation=%[2]s/state
SlurmdSpoolDir=%[2]s/spool
SlurmctldPidFile=%[2]s/slurmctld.pid
SlurmdPidFile=%[2]s/slurmd.pid
SlurmctldLogFile=%[2]s/log/slurmctld.log
SlurmdLogFile=%[2]s/log/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
MpiDefault=none
MailProg=/bin/true
DependencyParameters=kill_invalid_depend
ReturnToService=2
KillWait=5
MinJobAge=3600
NodeName=%[1]s NodeAddr=127.0.0.1 CPUs=2 RealMemory=1000 State=UNKNOWN
PartitionName=test Nodes=%[1]s Default=YES MaxTime=INFINITE State=UP
`, host, dir, freePort(t), freePort(t))
	if err := os.WriteFile(c.conf, []byte(conf), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.stop(t) })
	slurmctld, _ := sbin("slurmctld")
	slurmd, _ := sbin("slurmd")
	for _, args := range [][]string{{slurmctld, "-f", c.conf}, {slurmd, "-f", c.conf, "-N", host}} {
		// The daemons fork and the command returns; their output goes to a file, not a
		// pipe that the forked daemon would hold open.
		f, err := os.Create(filepath.Join(dir, "log", filepath.Base(args[0])+".out"))
		if err != nil {
			t.Fatal(err)
		}
		cmd := exec.Command(args[0], args[1:]...)
		cmd.Env = c.env(os.Environ())
		cmd.Stdout, cmd.Stderr = f, f
		err = cmd.Run()
		f.Close()
		if err != nil {
			c.dumpLogs(t)
			t.Fatalf("%s: %v", args[0], err)
		}
	}
	waitFor(t, "sinfo to show the node idle", 60*time.Second, func() bool {
		out, _ := c.command("sinfo", "-h", "-o", "%t").Output()
		return strings.TrimSpace(string(out)) == "idle"
	})
	if v, err := c.command("sinfo", "--version").Output(); err == nil {
		t.Logf("%s, node %s idle", strings.TrimSpace(string(v)), host)
	}
	return c
}

// env is the environment with SLURM_CONF pointing at the test's cluster.
func (c *slurmCluster) env(base []string) []string {
	return append(slices.DeleteFunc(slices.Clone(base), func(kv string) bool {
		return strings.HasPrefix(kv, "SLURM_CONF=")
	}), "SLURM_CONF="+c.conf)
}

// command is a Slurm client command talking to the test's cluster.
func (c *slurmCluster) command(name string, args ...string) *exec.Cmd {
	cmd := exec.Command(name, args...)
	cmd.Env = c.env(os.Environ())
	return cmd
}

// stop cancels every job, waits for them to go, and stops slurmd and slurmctld.
func (c *slurmCluster) stop(t *testing.T) {
	if _, err := os.Stat(filepath.Join(c.dir, "slurmctld.pid")); err == nil {
		c.command("scancel", "--user=root").Run()
		deadline := time.Now().Add(30 * time.Second)
		for time.Now().Before(deadline) {
			out, err := c.command("squeue", "-h", "-o", "%i").Output()
			if err != nil || len(bytes.TrimSpace(out)) == 0 {
				break
			}
			time.Sleep(200 * time.Millisecond)
		}
	}
	if t.Failed() {
		c.dumpLogs(t)
	}
	stopByPidFile(t, filepath.Join(c.dir, "slurmd.pid"))
	stopByPidFile(t, filepath.Join(c.dir, "slurmctld.pid"))
}

func (c *slurmCluster) dumpLogs(t *testing.T) {
	logs, _ := filepath.Glob(filepath.Join(c.dir, "log", "*"))
	for _, l := range logs {
		b, _ := os.ReadFile(l)
		lines := strings.Split(strings.TrimSpace(string(b)), "\n")
		t.Logf("last lines of %s:\n%s", l, strings.Join(lines[max(0, len(lines)-25):], "\n"))
	}
}

// slurmJob is one record of `scontrol show job`: a job, or one task of an array.
type slurmJob struct {
	Task, State, ExitCode string
}

var scontrolField = regexp.MustCompile(`\b(JobId|ArrayTaskId|JobState|ExitCode)=(\S+)`)

// jobs returns the records of job id (every task of an array job), keyed by array task id
// ("" for a job that is no array).
func (c *slurmCluster) jobs(t *testing.T, id string) map[string]slurmJob {
	t.Helper()
	out, err := c.command("scontrol", "-o", "show", "job", id).Output()
	if err != nil {
		t.Fatalf("scontrol show job %s: %v", id, err)
	}
	recs := map[string]slurmJob{}
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		var j slurmJob
		for _, m := range scontrolField.FindAllStringSubmatch(line, -1) {
			switch m[1] {
			case "ArrayTaskId":
				j.Task = m[2]
			case "JobState":
				j.State = m[2]
			case "ExitCode":
				j.ExitCode = m[2]
			}
		}
		recs[j.Task] = j
	}
	return recs
}

// ended reports whether every record of job id has ended.
func (c *slurmCluster) ended(t *testing.T, id string) bool {
	for _, j := range c.jobs(t, id) {
		switch j.State {
		case "PENDING", "RUNNING", "CONFIGURING", "COMPLETING", "SUSPENDED", "REQUEUED", "RESIZING", "":
			return false
		}
	}
	return true
}

// submission is what one `slurm-reproduce.sh submit` printed: the array jobs' and the
// analysis job's ids.
type submission struct {
	arrays   []string
	analysis string
	output   string
}

var (
	arrayLine    = regexp.MustCompile(`(?m)^array job (\d+): `)
	analysisLine = regexp.MustCompile(`(?m)^analysis job (\d+): `)
)

// TestSlurmClusterReproduce runs a plan on a real single-node Slurm through the documented
// script: an array job with a throttle and the dependent analysis job. One task fails on a
// corrupt input and one is cancelled mid-run; the analysis job names both, and submitting
// again (the documented recovery) finishes the plan with results bit-identical to a local
// `fgrelu experiment` run. A third submission of the finished plan submits nothing.
func TestSlurmClusterReproduce(t *testing.T) {
	if testing.Short() {
		t.Skip("skipped in -short mode: starts a Slurm cluster")
	}
	needSlurm(t)
	began := time.Now()
	root := testenv.RepoRoot(t)
	bin := buildBinary(t)
	// One temporary folder for everything, made before the cluster so that the cluster
	// stops (a later t.Cleanup runs first) before the folder goes.
	base := t.TempDir()
	local, out := filepath.Join(base, "local"), filepath.Join(base, "out")

	// The same plan run locally: the reference every result must equal.
	ref := exec.Command(bin, append(slurmPlan, "--out", local)...)
	ref.Dir, ref.Env = root, scriptEnv("")
	if b, err := ref.CombinedOutput(); err != nil {
		t.Fatalf("local run: %v\n%s", err, b)
	}
	t.Logf("local run: %v", time.Since(began).Round(time.Second))

	// The plan's runs by index: the one that will fail and the one to cancel.
	lister := exec.Command(bin, append(slurmPlan, "--list", "--out", filepath.Join(base, "none"))...)
	lister.Dir, lister.Env = root, scriptEnv("")
	list, err := lister.Output()
	if err != nil {
		t.Fatalf("--list: %v", err)
	}
	keys := map[int]string{}     // index → key
	failIdx, cancelIdx := -1, -1 // partial feedback repeat 0, comprehensive feedback repeat 0
	for _, m := range regexp.MustCompile(`(?m)^\s*(\d+)\s+(.+?)\s+repeat (\d+)\s+to run\s+(\w+)\.json$`).FindAllStringSubmatch(string(list), -1) {
		i, _ := strconv.Atoi(m[1])
		keys[i] = m[4]
		switch {
		case m[2] == "partial feedback" && m[3] == "0":
			failIdx = i
		case m[2] == "comprehensive feedback" && m[3] == "0":
			cancelIdx = i
		}
	}
	if len(keys) != 6 || failIdx < 0 || cancelIdx < 0 {
		t.Fatalf("unexpected plan:\n%s", list)
	}

	c := startSlurm(t, filepath.Join(base, "slurm"))
	t.Logf("cluster up: %v", time.Since(began).Round(time.Second))

	// The documented use: settings in the environment, options after submit.
	env := c.env(scriptEnv("", "FGRELU_BIN="+bin, "FGRELU_OUT="+out, "FGRELU_EXPERIMENT=comprehensive",
		"FGRELU_PROFILE=tiny", "FGRELU_PARALLEL=2"))
	script := func(args ...string) (string, error) {
		cmd := exec.Command("bash", append([]string{slurmScript(t)}, args...)...)
		cmd.Dir, cmd.Env = root, env
		b, err := cmd.CombinedOutput()
		return string(b), err
	}
	submit := func() submission {
		t.Helper()
		o, err := script("submit", "--time=10:00")
		if err != nil {
			t.Fatalf("submit: %v\n%s", err, o)
		}
		s := submission{output: o}
		for _, m := range arrayLine.FindAllStringSubmatch(o, -1) {
			s.arrays = append(s.arrays, m[1])
		}
		if m := analysisLine.FindStringSubmatch(o); m != nil {
			s.analysis = m[1]
		}
		return s
	}
	waitAnalysis := func(s submission) {
		t.Helper()
		if s.analysis == "" {
			t.Fatalf("submit printed no analysis job:\n%s", s.output)
		}
		waitFor(t, "the analysis job "+s.analysis, 5*time.Minute, func() bool { return c.ended(t, s.analysis) })
	}
	analysisLog := func(id string) string {
		t.Helper()
		logs, _ := filepath.Glob(filepath.Join(out, "slurm", "*", "logs", "*-analyze-"+id+".out"))
		if len(logs) != 1 {
			t.Fatalf("log of the analysis job %s: %v, want one", id, logs)
		}
		b, _ := os.ReadFile(logs[0])
		return string(b)
	}
	result := func(i int) string { return filepath.Join(out, "results", keys[i]+".json") }

	// Corrupt input for one run: a checkpoint that is not one, where the run resumes from.
	corrupt := filepath.Join(out, "checkpoints", keys[failIdx])
	os.MkdirAll(corrupt, 0o755)
	os.WriteFile(filepath.Join(corrupt, train.CheckpointFile), []byte("not a checkpoint\n"), 0o644)

	// 1. The whole plan, with a task cancelled once it has saved its first checkpoint.
	first := submit()
	t.Logf("first submission (%v):\n%s", time.Since(began).Round(time.Second), first.output)
	if len(first.arrays) != 1 || first.analysis == "" || !strings.Contains(first.output, "6 runs (0-5), 2 at a time") {
		t.Fatalf("submit printed no array job of runs 0-5 with a throttle of 2 and an analysis job")
	}
	// While its jobs are in the queue, the same folder cannot be submitted again.
	if o, err := script("submit", "--time=10:00"); err == nil || !strings.Contains(o, "still queued or running") {
		t.Errorf("submit while the first submission's jobs are queued: %v, want a refusal\n%s", err, o)
	}
	ckpt := filepath.Join(out, "checkpoints", keys[cancelIdx], train.CheckpointFile)
	waitFor(t, "a checkpoint of run "+strconv.Itoa(cancelIdx), 3*time.Minute, func() bool {
		_, err := os.Stat(ckpt)
		return err == nil
	})
	task := fmt.Sprintf("%s_%d", first.arrays[0], cancelIdx)
	if b, err := c.command("scancel", task).CombinedOutput(); err != nil {
		t.Fatalf("scancel %s: %v\n%s", task, err, b)
	}
	waitAnalysis(first)
	t.Logf("first submission ended: %v", time.Since(began).Round(time.Second))

	tasks := c.jobs(t, first.arrays[0])
	for i := range keys {
		want := "COMPLETED"
		switch i {
		case failIdx:
			want = "FAILED"
		case cancelIdx:
			want = "CANCELLED"
		}
		if got := tasks[strconv.Itoa(i)].State; got != want {
			t.Errorf("array task %d: %s, want %s", i, got, want)
		}
	}
	if _, err := os.Stat(result(cancelIdx)); err == nil {
		t.Fatalf("run %d finished before it was cancelled: the tiny profile is too short for this test", cancelIdx)
	}
	cp, err := train.Open(ckpt)
	if err != nil {
		t.Fatalf("the cancelled run left no usable checkpoint: %v", err)
	}
	t.Logf("run %d cancelled at step %d (epoch %d)", cancelIdx, cp.Progress.Step, cp.Progress.Epoch)
	if cp.Progress.Step == 0 || cp.Progress.Finished {
		t.Errorf("the cancelled run's checkpoint is at step %d, finished %v: want one midway", cp.Progress.Step, cp.Progress.Finished)
	}
	// The analysis ran, wrote the report, and named both runs without a result.
	an := c.jobs(t, first.analysis)[""]
	alog := analysisLog(first.analysis)
	if an.State != "FAILED" || an.ExitCode != "1:0" {
		t.Errorf("analysis job with two runs missing: %s, exit code %s; want FAILED with 1:0", an.State, an.ExitCode)
	}
	for _, want := range []string{"report: ", "2 of 6 runs have no result",
		fmt.Sprintf("run %d: partial feedback repeat 0", failIdx), "checkpoints/" + keys[failIdx] + "/" + train.CheckpointFile,
		fmt.Sprintf("run %d: comprehensive feedback repeat 0", cancelIdx), "CANCELLED AT",
		"submit again"} {
		if !strings.Contains(alog, want) {
			t.Errorf("the analysis log does not say %q:\n%s", want, alog)
		}
	}
	if _, err := os.Stat(filepath.Join(out, "report.html")); err != nil {
		t.Errorf("no report after the analysis job: %v", err)
	}
	st, err := script("status")
	if want := fmt.Sprintf("4 of 6 runs done, 2 to run\nto run: %d,%d\n", min(failIdx, cancelIdx), max(failIdx, cancelIdx)); err != nil || st != want {
		t.Errorf("status: %v\n%s\nwant\n%s", err, st, want)
	}

	// 2. The documented recovery: fix the cause (remove the corrupt checkpoint), then the
	// same submit command; it submits the two runs, and the cancelled one resumes.
	os.RemoveAll(corrupt)
	reportBefore, _ := os.Stat(filepath.Join(out, "report.html"))
	second := submit()
	t.Logf("recovery (%v):\n%s", time.Since(began).Round(time.Second), second.output)
	if want := fmt.Sprintf("2 runs (%d,%d), 2 at a time", min(failIdx, cancelIdx), max(failIdx, cancelIdx)); len(second.arrays) != 1 || !strings.Contains(second.output, want) {
		t.Fatalf("the recovery submitted %v, want one array job of %q", second.arrays, want)
	}
	waitAnalysis(second)
	t.Logf("recovery ended: %v", time.Since(began).Round(time.Second))
	for task, j := range c.jobs(t, second.arrays[0]) {
		if j.State != "COMPLETED" {
			t.Errorf("recovery task %s: %s", task, j.State)
		}
	}
	if an := c.jobs(t, second.analysis)[""]; an.State != "COMPLETED" || an.ExitCode != "0:0" {
		t.Errorf("analysis job after the recovery: %s, exit code %s; want COMPLETED 0:0\n%s", an.State, an.ExitCode, analysisLog(second.analysis))
	}
	if r, err := os.Stat(filepath.Join(out, "report.html")); err != nil || !r.ModTime().After(reportBefore.ModTime()) {
		t.Errorf("the analysis job after the recovery wrote no new report.html (%v)", err)
	}
	compareResults(t, filepath.Join(local, "results"), filepath.Join(out, "results"))

	// 3. A finished plan: submit runs nothing.
	stamps, _ := filepath.Glob(filepath.Join(out, "slurm", "*"))
	third := submit()
	if len(third.arrays) != 0 || third.analysis != "" || !strings.Contains(third.output, "nothing to submit") {
		t.Errorf("a finished plan submitted again:\n%s", third.output)
	}
	if q, _ := c.command("squeue", "-h").Output(); len(bytes.TrimSpace(q)) > 0 {
		t.Errorf("jobs queued after submitting a finished plan:\n%s", q)
	}
	if again, _ := filepath.Glob(filepath.Join(out, "slurm", "*")); len(again) != len(stamps) {
		t.Errorf("submitting a finished plan left a submission folder: %v", again)
	}
	t.Logf("wall time: %v", time.Since(began).Round(time.Second))
}

// compareResults checks that the two folders hold the same result files and that each
// pair is identical, byte for byte, in every field but "seconds" (the wall time of the
// run, which differs from machine to machine, and for a resumed run counts only the time
// after the resumption).
func compareResults(t *testing.T, want, got string) {
	t.Helper()
	names := func(dir string) []string {
		files, _ := filepath.Glob(filepath.Join(dir, "*.json"))
		for i, f := range files {
			files[i] = filepath.Base(f)
		}
		return files
	}
	if w, g := names(want), names(got); !slices.Equal(w, g) || len(w) == 0 {
		t.Fatalf("results: local %v, on Slurm %v", w, g)
	}
	fields := func(path string) map[string]json.RawMessage {
		b, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		var m map[string]json.RawMessage
		if err := json.Unmarshal(b, &m); err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		if _, ok := m["seconds"]; !ok {
			t.Fatalf("%s: no seconds field; compare whole files instead", path)
		}
		delete(m, "seconds")
		return m
	}
	for _, name := range names(want) {
		w, g := fields(filepath.Join(want, name)), fields(filepath.Join(got, name))
		if len(w) != len(g) {
			t.Errorf("%s: fields differ: local %d, Slurm %d", name, len(w), len(g))
		}
		for k, wv := range w {
			if !bytes.Equal(wv, g[k]) {
				t.Errorf("%s: field %q differs between the local run and the run on Slurm", name, k)
			}
		}
	}
}

// The README's test command is what .ci/run runs, and it installs slurm-wlm and munge, so
// that CI runs TestSlurmClusterReproduce instead of skipping it.
func TestCIRunsTheREADMETestCommand(t *testing.T) {
	root := testenv.RepoRoot(t)
	readme, err := os.ReadFile(filepath.Join(root, "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	ci, err := os.ReadFile(filepath.Join(root, ".ci", "run"))
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile("\\*\\*Run the tests\\*\\*:\\s*```sh\\n([^\\n]+)\\n```").FindSubmatch(readme)
	if m == nil {
		t.Fatal("README.md: no test command under **Run the tests**")
	}
	lines := strings.Split(strings.TrimSpace(string(ci)), "\n")
	if got, want := lines[len(lines)-1], string(m[1]); got != want {
		t.Errorf(".ci/run runs\n  %s\nthe README says\n  %s", got, want)
	}
	for _, pkg := range []string{" slurm-wlm", " munge"} {
		if !strings.Contains(string(m[1]), pkg) {
			t.Errorf("the test command does not install%s: the Slurm test would skip in CI", pkg)
		}
	}
}

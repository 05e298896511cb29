#!/usr/bin/env bash
# Runs fgrelu's experiment plan on a Slurm cluster: one run per array task, results in one
# output folder on a shared filesystem, then the analysis. See docs/CLUSTER.md.
#
# Quick start, from the repository root on a login node:
#
#   FGRELU_CIFAR=/shared/data/cifar-10-binary.tar.gz FGRELU_OUT=/shared/$USER/fgrelu-paper \
#     scripts/slurm-reproduce.sh submit --time=12:00:00 --partition=cpu
#
# or by hand, with N and P read from `bin/fgrelu reproduce --profile paper --list`:
#
#   sbatch --array=0-$((N - 1))%P scripts/slurm-reproduce.sh
#
# The #SBATCH lines below are the defaults of both ways; options given to sbatch (or after
# `submit`) override them.
#
#SBATCH --job-name=fgrelu
#SBATCH --ntasks=1
#SBATCH --cpus-per-task=2
#SBATCH --output=fgrelu-%A_%a.out

set -euo pipefail

prog=slurm-reproduce.sh

usage() {
	cat <<EOF
Usage: scripts/$prog MODE [ARGS]

Modes:
  submit [SBATCH-OPTION...]  build bin/fgrelu if it is missing, list the plan, and submit its
                             runs that have no result yet as an array job (one run per task,
                             FGRELU_PARALLEL at a time) plus an analysis job that starts when
                             every task has ended (--dependency=afterany). Nothing when every
                             run has a result; submit again to finish a plan after failures.
                             Options are passed to every sbatch call,
                             e.g. --time=12:00:00 --partition=cpu --account=proj.
  task [OFFSET]              inside an array job: run the run with index OFFSET+SLURM_ARRAY_TASK_ID
                             (OFFSET defaults to \$FGRELU_INDEX_OFFSET, else 0). This is also what
                             the script does when sbatch starts it with no mode.
  run INDEX                  run exactly run INDEX
                             (e.g. sbatch --output=fgrelu-run-%j.out scripts/$prog run 2345)
  analyze                    build figures and report.html from the results there are, then
                             name the runs without a result (exit status 1 if there are any)
  status                     how many runs are done and which indices are still to run
  build                      go build -o \$FGRELU_BIN ./cmd/fgrelu (the repository's bin/fgrelu)
  help                       this message

Settings (environment; submit passes them on to the jobs):
  FGRELU_PROFILE     quick or paper (default paper); tiny only tests the machinery
  FGRELU_EXPERIMENT  one experiment (fgrelu experiment NAME) instead of the whole reproduction
  FGRELU_OUT         output folder on a filesystem every node shares
                     (default: out/reproduce-PROFILE, or out/NAME-PROFILE, in the repository)
  FGRELU_CIFAR       CIFAR-10 archive or folder, passed as --cifar (default: what
                     \`fgrelu data where\` finds at submission)
  FGRELU_ARGS        more flags for fgrelu, e.g. --no-fashion
  FGRELU_BIN         the fgrelu binary (default: bin/fgrelu in the repository)
  FGRELU_PARALLEL    array tasks running at once (default 50)
  FGRELU_CPUS        CPUs per task (default 2); GOMAXPROCS follows SLURM_CPUS_PER_TASK
  FGRELU_MAX_ARRAY   indices per array job (default: Slurm's MaxArraySize, else 1001); a
                     larger plan is split into several array jobs
EOF
}

die() {
	echo "$prog: $*" >&2
	exit 1
}

# The repository: the submit folder inside a job (sbatch runs a copy of this script from its
# spool folder), the folder above scripts/ outside one.
if [[ -n ${SLURM_JOB_ID:-} ]]; then
	repo=${FGRELU_REPO:-${SLURM_SUBMIT_DIR:-$PWD}}
else
	repo=${FGRELU_REPO:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}
fi
profile=${FGRELU_PROFILE:-paper}
experiment=${FGRELU_EXPERIMENT:-}
bin=${FGRELU_BIN:-$repo/bin/fgrelu}
if [[ -n $experiment ]]; then
	out=${FGRELU_OUT:-$repo/out/$experiment-$profile}
else
	out=${FGRELU_OUT:-$repo/out/reproduce-$profile}
fi
cifar=${FGRELU_CIFAR:-}
parallel=${FGRELU_PARALLEL:-50}
cpus=${FGRELU_CPUS:-2}
read -r -a extra <<<"${FGRELU_ARGS:-}"

is_count() { [[ $1 =~ ^[0-9]+$ ]]; }
is_positive() { is_count "$1" && ((10#$1 > 0)); }

# plan_cmd sets cmd to the fgrelu command line that names the plan, without --out.
plan_cmd() {
	if [[ -n $experiment ]]; then
		cmd=("$bin" experiment "$experiment" --profile "$profile")
	else
		cmd=("$bin" reproduce --profile "$profile")
	fi
	if [[ -n $cifar ]]; then
		cmd+=(--cifar "$cifar")
	fi
	# (The +-form keeps bash < 4.4 from calling an empty array unbound under set -u.)
	cmd+=(${extra[@]+"${extra[@]}"})
}

need_binary() {
	[[ -x $bin ]] || die "no fgrelu binary at $bin: run 'scripts/$prog build' (or go build -o bin/fgrelu ./cmd/fgrelu) on a machine with Go, or set FGRELU_BIN"
}

# list_plan DIR prints `fgrelu … --list` for output folder DIR.
list_plan() {
	plan_cmd
	"${cmd[@]}" --list --out "$1"
}

# plan_keys prints "INDEX FILE" for every run of a --list output on stdin.
plan_keys() { awk '$1 ~ /^[0-9]+$/ && $NF ~ /\.json$/ { print $1, $NF }'; }

# todo_indices prints the index of every run that a --list output on stdin marks "to run".
todo_indices() { awk '$1 ~ /^[0-9]+$/ && $NF ~ /\.json$/ && $(NF-1) != "done" { print $1 }'; }

# array_windows MAX reads ascending run indices and prints, for every window of MAX indices
# that holds any, "OFFSET RANGES COUNT": the window's first index, its indices less OFFSET as
# an --array list ("0-3,7,9-12") and how many there are.
array_windows() {
	awk -v max="$1" '
		function flush() {
			if (n == 0) return
			r = r sep (s == l ? s : s "-" l)
			print off, r, n
		}
		{
			o = int($1 / max) * max
			i = $1 - o
			if (n > 0 && o != off) { flush(); n = 0 }
			if (n == 0) { off = o; r = ""; sep = ""; s = i; l = i; n = 1; next }
			n++
			if (i == l + 1) { l = i; next }
			r = r sep (s == l ? s : s "-" l)
			sep = ","
			s = i
			l = i
		}
		END { flush() }'
}

# fresh_plan prints the plan as this machine sees it, without reading any result.
fresh_plan() {
	local empty
	empty=$(mktemp -d)
	list_plan "$empty/none"
	rmdir "$empty"
}

threads() {
	export GOMAXPROCS=${SLURM_CPUS_PER_TASK:-${GOMAXPROCS:-$cpus}}
}

build() {
	command -v go >/dev/null || die "go is not on PATH: build the binary where Go is installed, or set FGRELU_BIN"
	mkdir -p "$(dirname "$bin")"
	echo "building $bin" >&2
	(cd "$repo" && go build -o "$bin" ./cmd/fgrelu)
}

max_array_size() {
	local m=""
	if command -v scontrol >/dev/null; then
		m=$(scontrol show config 2>/dev/null | awk -F= '$1 ~ /^MaxArraySize/ { gsub(/ /, "", $2); print $2 }') || true
	fi
	if is_count "$m" && ((m > 0)); then echo "$m"; else echo 1001; fi
}

submit() {
	command -v sbatch >/dev/null || die "sbatch is not on PATH: submit from a Slurm login node"
	is_positive "$parallel" || die "FGRELU_PARALLEL=$parallel: want a positive number"
	is_positive "$cpus" || die "FGRELU_CPUS=$cpus: want a positive number"
	if [[ ! -x $bin ]]; then
		build
	fi
	mkdir -p "$out"
	out=$(cd "$out" && pwd)

	# Freeze what the jobs use: a copy of the binary and the plan it makes here, so that a
	# rebuild or a change of settings during the run cannot change what an index means.
	local sub
	sub="$out/slurm/$(date +%Y%m%d-%H%M%S)-$$"
	mkdir -p "$sub/logs"
	cp "$bin" "$sub/fgrelu"
	bin="$sub/fgrelu"

	# Pin the datasets to what this machine finds, as absolute paths, so every node uses the
	# same files (the defaults depend on the working directory and on local installs).
	local where
	where=$("$bin" data where) || die "fgrelu data where failed"
	if [[ -z ${FGRELU_MNIST_DIR:-} ]]; then
		FGRELU_MNIST_DIR=$(awk '$1 == "mnist" && $2 != "missing:" { sub(/^mnist[ \t]+/, ""); print }' <<<"$where")
		[[ -n $FGRELU_MNIST_DIR ]] || die "MNIST not found: $(grep '^mnist' <<<"$where")"
		export FGRELU_MNIST_DIR
	fi
	if [[ -z ${FGRELU_FASHION_DIR:-} ]]; then
		local fashion
		fashion=$(awk '$1 == "fashion-mnist" && $2 != "missing:" { sub(/^fashion-mnist[ \t]+/, ""); print }' <<<"$where")
		if [[ -n $fashion ]]; then
			export FGRELU_FASHION_DIR=$fashion
		fi
	fi
	if [[ -z $cifar ]]; then
		cifar=$(awk '$1 == "cifar10" && $2 != "missing:" { sub(/^cifar10[ \t]+/, ""); print }' <<<"$where")
	fi
	if [[ -n $cifar ]]; then
		[[ -e $cifar ]] || die "FGRELU_CIFAR=$cifar does not exist"
		cifar=$(cd "$(dirname "$cifar")" && pwd)/$(basename "$cifar")
	fi

	# The plan, and which of its runs the output folder already holds: only the others are
	# submitted, so submitting again after failures, cancellations or time limits is the
	# way to finish a plan, and a finished plan submits nothing.
	list_plan "$out" >"$sub/plan.txt"
	local n
	n=$(awk '/ runs; run one with --index/ { print $1 }' "$sub/plan.txt")
	is_count "$n" || die "could not read the number of runs from $sub/plan.txt"
	((n > 0)) || die "the plan has no runs"
	local todo
	todo=$(todo_indices <"$sub/plan.txt")
	if [[ -z $todo ]]; then
		rm -r "$sub"
		echo "all $n runs of the plan are done in $out: nothing to submit (the report: $out/report.html; 'scripts/$prog analyze' builds it again)" >&2
		return 0
	fi

	# Jobs of this output folder still queued or running would run the same runs twice.
	local tag="fgrelu:$out" queued=""
	if command -v squeue >/dev/null; then
		queued=$(squeue -h -u "$(id -un)" -o '%i %k' 2>/dev/null | awk -v tag="$tag" '{ id = $1; $1 = "" } substr($0, 2) == tag { print id }') || true
	fi
	if [[ -n $queued ]]; then
		rm -r "$sub"
		die "jobs for $out are still queued or running ($(echo $queued)): wait until squeue no longer lists them, or scancel them, then submit again"
	fi

	local max windows chunks per
	max=${FGRELU_MAX_ARRAY:-$(max_array_size)}
	is_positive "$max" || die "FGRELU_MAX_ARRAY=$max: want a positive number"
	windows=$(array_windows "$max" <<<"$todo")
	chunks=$(wc -l <<<"$windows")
	# Each array job has its own throttle: split FGRELU_PARALLEL between them.
	per=$(((parallel + chunks - 1) / chunks))

	export FGRELU_BIN=$bin FGRELU_OUT=$out FGRELU_PROFILE=$profile FGRELU_EXPERIMENT=$experiment \
		FGRELU_CIFAR=$cifar FGRELU_ARGS=${FGRELU_ARGS:-} FGRELU_PLAN=$sub/plan.txt FGRELU_CPUS=$cpus
	local self name ids=() offset ranges count id total=0
	self=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/$(basename "${BASH_SOURCE[0]}")
	name=fgrelu-${experiment:-reproduce}-$profile
	while read -r offset ranges count; do
		id=$(sbatch --parsable --export=ALL --job-name="$name" --comment="$tag" --ntasks=1 --cpus-per-task="$cpus" \
			--array="$ranges%$per" --output="$sub/logs/%x-%A_%a.out" "$@" "$self" task "$offset")
		id=${id%%;*}
		is_count "$id" || die "sbatch printed no job id (got '$id')"
		ids+=("$id")
		total=$((total + count))
		if ((offset == 0)); then
			echo "array job $id: $count runs ($ranges), $per at a time" >&2
		else
			echo "array job $id: $count runs ($offset + $ranges), $per at a time" >&2
		fi
	done <<<"$windows"
	local dep aid
	dep=afterany:$(
		IFS=:
		echo "${ids[*]}"
	)
	aid=$(sbatch --parsable --export=ALL --job-name="$name-analyze" --comment="$tag" --ntasks=1 --cpus-per-task="$cpus" \
		--dependency="$dep" --output="$sub/logs/%x-%j.out" "$@" "$self" analyze)
	aid=${aid%%;*}
	is_count "$aid" || die "sbatch printed no job id for the analysis (got '$aid')"
	cat >&2 <<EOF
analysis job $aid: starts when every run has ended
$total of $n runs into $out ($((n - total)) done already; logs, binary and plan in $sub)
progress: $(printf '%q=%q ' FGRELU_BIN "$bin" FGRELU_OUT "$out" FGRELU_PROFILE "$profile" \
		FGRELU_EXPERIMENT "$experiment" FGRELU_CIFAR "$cifar" FGRELU_ARGS "${FGRELU_ARGS:-}")scripts/$prog status
EOF
}

run_index() {
	local idx=$1 want have
	is_count "$idx" || die "run index '$idx' is not a number"
	need_binary
	threads
	# The first line of every task's log: the analysis finds a run's log by it.
	echo "run $idx on ${HOSTNAME:-this node} with GOMAXPROCS=$GOMAXPROCS" >&2
	if [[ -n ${FGRELU_PLAN:-} ]]; then
		# The plan this node sees must be the one submitted: Fashion-MNIST and CIFAR-10 are
		# part of it only where they are found.
		[[ -r $FGRELU_PLAN ]] || die "cannot read the submitted plan $FGRELU_PLAN"
		want=$(plan_keys <"$FGRELU_PLAN" | awk -v i="$idx" '$1 == i { print $2 }')
		[[ -n $want ]] || die "run $idx is not in the submitted plan $FGRELU_PLAN"
		have=$(fresh_plan | plan_keys | awk -v i="$idx" '$1 == i { print $2 }')
		if [[ $have != "$want" ]]; then
			die "run $idx is ${have:-absent} on ${HOSTNAME:-this node} but was $want at submission: this node sees another plan. Put the datasets where every node finds them (FGRELU_FASHION_DIR, FGRELU_CIFAR on the shared filesystem) or leave Fashion-MNIST out (FGRELU_ARGS=--no-fashion), then submit again"
		fi
	fi
	plan_cmd
	exec "${cmd[@]}" --out "$out" --index "$idx"
}

task() {
	local offset=${1:-${FGRELU_INDEX_OFFSET:-0}}
	[[ -n ${SLURM_ARRAY_TASK_ID:-} ]] || die "task: SLURM_ARRAY_TASK_ID is not set; this mode runs inside a Slurm array job (see '$prog help')"
	is_count "$offset" || die "task: offset '$offset' is not a number"
	is_count "$SLURM_ARRAY_TASK_ID" || die "task: SLURM_ARRAY_TASK_ID=$SLURM_ARRAY_TASK_ID is not a number"
	run_index $((10#$offset + 10#$SLURM_ARRAY_TASK_ID))
}

analyze() {
	need_binary
	threads
	plan_cmd
	local rc=0
	"${cmd[@]}" --out "$out" --analyze-only || rc=$?
	missing_runs || rc=1
	return "$rc"
}

# run_logs prints "INDEX LOG" with the newest log of every run that has one under
# $out/slurm: every task's log starts with "run INDEX on HOST". One pass over the logs, oldest
# first, so that a plan of thousands of runs submitted several times stays quick.
run_logs() {
	find "$out/slurm" -path '*/logs/*.out' -printf '%T@ %p\n' 2>/dev/null | sort -n | cut -d' ' -f2- |
		xargs -r -d '\n' grep -m 1 -H '^run [0-9]* on ' 2>/dev/null |
		awk '{
			f = $0; sub(/:run [0-9]+ on .*$/, "", f)
			i = substr($0, length(f) + 6); sub(/ .*/, "", i)
			newest[i] = f
		} END { for (i in newest) print i, newest[i] }'
}

# missing_runs names every run of the plan without a result, each with the end of its newest
# log, and fails when there is any. In the analysis job every task has ended, so these runs
# failed or were cancelled: they must not go missing from the report unnoticed.
missing_runs() {
	local list todo logs shown=0 idx log
	list=$(list_plan "$out") || return 1
	todo=$(todo_indices <<<"$list")
	[[ -n $todo ]] || return 0
	logs=$(run_logs) || true
	echo "$(wc -l <<<"$todo") of $(awk '/ runs; run one with --index/ { print $1 }' <<<"$list") runs have no result:" >&2
	while read -r idx; do
		if ((++shown > 20)); then
			echo "  … and $(($(wc -l <<<"$todo") - 20)) more (scripts/$prog status lists them all)" >&2
			break
		fi
		awk -v i="$idx" '$1 == i { $1 = ""; sub(/ to run /, ", "); print "  run " i ":" $0 }' <<<"$list" >&2
		log=$(awk -v i="$idx" '$1 == i { sub(/^[0-9]+ /, ""); print; exit }' <<<"$logs")
		if [[ -n $log ]]; then
			echo "    $log ends:" >&2
			# Its last two lines other than progress: fgrelu's error, Slurm's note of a
			# cancellation or time limit.
			tr '\r' '\n' <"$log" | grep -E -v '^[[:space:]]*$|^(runs|epoch [0-9]+/[0-9]+) ' | tail -n 2 | sed 's/^/      /' >&2
		else
			echo "    no log: the run has not been started" >&2
		fi
	done <<<"$todo"
	echo "fix what made them fail (a cancelled or timed-out run continues from its checkpoint), then submit again with the same settings: only these runs are submitted" >&2
	return 1
}

status() {
	need_binary
	local list
	list=$(list_plan "$out")
	awk '
		$1 ~ /^[0-9]+$/ && $NF ~ /\.json$/ {
			if ($(NF-1) == "done") { done++; next }
			todo++
			if (start != "" && $1 == last + 1) { last = $1; next }
			if (start != "") ranges = ranges sep (start == last ? start : start "-" last)
			if (start != "") sep = ","
			start = $1; last = $1
		}
		END {
			if (start != "") ranges = ranges sep (start == last ? start : start "-" last)
			printf "%d of %d runs done, %d to run\n", done, done + todo, todo
			if (todo > 0) printf "to run: %s\n", ranges
		}' <<<"$list"
}

mode=${1:-}
if [[ -z $mode && -n ${SLURM_ARRAY_TASK_ID:-} ]]; then
	mode=task
fi
if [[ $# -gt 0 ]]; then
	shift
fi
case $mode in
submit) submit "$@" ;;
task) task "$@" ;;
run)
	[[ $# -eq 1 ]] || die "run: give one index (see '$prog help')"
	run_index "$1"
	;;
analyze) analyze ;;
status) status ;;
build) build ;;
help | -h | --help) usage ;;
"")
	usage >&2
	exit 2
	;;
*)
	echo "$prog: unknown mode '$mode'" >&2
	usage >&2
	exit 2
	;;
esac

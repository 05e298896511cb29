#!/bin/sh
# bench/compare.sh: fgrelu against the PyTorch references, side by side, in one run.
#
# For each workload: PAIRS alternating pairs (fgrelu, then PyTorch) of `fgrelu bench W` and
# bench/torch_W.py, both in the same environment, with the peak resident memory of each
# (/usr/bin/time); then `fgrelu bench W --layers` once. Run it twice to cover both OpenBLAS
# settings a machine may have, e.g.
#
#   bench/compare.sh                                                   # the shell's environment
#   env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE bench/compare.sh      # without the OpenBLAS variables
#
# and, on an AVX-512 machine, what an AVX2-only one would run (oneDNN on both sides, fgrelu's
# elementwise kernels; OpenBLAS follows OPENBLAS_CORETYPE=Haswell):
#
#   ONEDNN_MAX_CPU_ISA=AVX2 FGRELU_KERNEL_ISA=avx2 OPENBLAS_CORETYPE=Haswell bench/compare.sh
#
# on an otherwise idle machine. Output: one line per measurement, then a markdown table with the
# medians (samples/s), the ratio and the peak RSS of both. docs/PERFORMANCE.md quotes it.
set -eu
PAIRS=${PAIRS:-2}
WORKLOADS=${WORKLOADS:-"mnist-ae cifar-ae cifar-cls"}
PY=${PY:-/usr/bin/python3}
FG=${FG:-bin/fgrelu}
WINDOWS=${WINDOWS:-5}
SECONDS_PER_WINDOW=${SECONDS_PER_WINDOW:-2}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

[ -x "$FG" ] || go build -o "$FG" ./cmd/fgrelu
echo "env: OPENBLAS_CORETYPE=${OPENBLAS_CORETYPE:-unset} OPENBLAS_L2_SIZE=${OPENBLAS_L2_SIZE:-unset}; $(lscpu | sed -n 's/^Model name: *//p'), $(nproc) cores; $(date -u +%Y-%m-%dT%H:%MZ)"

# The first bench in an environment measures this machine's peak (a 2048³ product and a convolution, cached
# per CPU and OpenBLAS variables); do it here so that no timed run's memory includes it.
"$FG" bench mnist-ae --windows 1 --seconds 0.2 --warmup 0.2 > /dev/null 2>&1

# last value of "samples/s: N" in a log
rate() { sed -n 's/^samples\/s: *//p' "$1" | tail -n 1; }
# peak RSS in MB from /usr/bin/time -f '%M'
rss() { awk '/^rss_kb / {printf "%.0f", $2/1024}' "$1"; }
median() { sort -n | awk '{a[NR]=$1} END {if (NR%2) print a[(NR+1)/2]; else printf "%.1f\n", (a[NR/2]+a[NR/2+1])/2}'; }

for w in $WORKLOADS; do
  py=bench/torch_$(echo "$w" | tr - _).py
  : > "$tmp/$w.fg"; : > "$tmp/$w.pt"; : > "$tmp/$w.fgm"; : > "$tmp/$w.ptm"
  for i in $(seq "$PAIRS"); do
    /usr/bin/time -f 'rss_kb %M' "$FG" bench "$w" --windows "$WINDOWS" --seconds "$SECONDS_PER_WINDOW" > "$tmp/log" 2>&1
    echo "$w pair $i fgrelu  $(rate "$tmp/log") samples/s, $(rss "$tmp/log") MB"
    rate "$tmp/log" >> "$tmp/$w.fg"; rss "$tmp/log" >> "$tmp/$w.fgm"; echo >> "$tmp/$w.fgm"
    OPENBLAS_NUM_THREADS=1 /usr/bin/time -f 'rss_kb %M' "$PY" "$py" --threads 2 --windows "$WINDOWS" --seconds "$SECONDS_PER_WINDOW" > "$tmp/log" 2>&1
    echo "$w pair $i pytorch $(rate "$tmp/log") samples/s, $(rss "$tmp/log") MB  ($(grep -o 'loadavg1[^,]*' "$tmp/log" | tail -n 1))"
    rate "$tmp/log" >> "$tmp/$w.pt"; rss "$tmp/log" >> "$tmp/$w.ptm"; echo >> "$tmp/$w.ptm"
  done
  "$FG" bench "$w" --windows 1 --seconds "$SECONDS_PER_WINDOW" --layers > "$tmp/$w.layers" 2>&1
  sed -n '/^flops\/sample/,$p' "$tmp/$w.layers"
done

echo
echo "| workload | fgrelu samples/s | PyTorch samples/s | ratio | fgrelu peak RSS | PyTorch peak RSS | RSS ratio |"
echo "|---|---|---|---|---|---|---|"
for w in $WORKLOADS; do
  fg=$(median < "$tmp/$w.fg"); pt=$(median < "$tmp/$w.pt")
  fgm=$(grep . "$tmp/$w.fgm" | median); ptm=$(grep . "$tmp/$w.ptm" | median)
  awk -v w="$w" -v fg="$fg" -v pt="$pt" -v fgm="$fgm" -v ptm="$ptm" 'BEGIN {
    printf "| %s | %.0f | %.0f | %.2f× | %.0f MB | %.0f MB | %.0f %% |\n", w, fg, pt, fg/pt, fgm, ptm, 100*fgm/ptm }'
done

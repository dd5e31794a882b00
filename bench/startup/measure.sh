#!/usr/bin/env bash
# Times a command's wall clock over repeated runs, like hyperfine: one warm-up run (not counted:
# it fills the page cache), then N runs; prints the wall clock's median, p90, min and max and the median
# CPU time (user + system) in milliseconds. On a busy machine the CPU time moves less than the wall clock.
# Usage: bench/startup/measure.sh [-n RUNS] [-l LABEL] -- COMMAND [ARGS...]
# The command's output goes to /dev/null; a run that exits non-zero stops the measurement.
set -euo pipefail
runs=20
label=""
while [[ $# -gt 0 && "$1" != "--" ]]; do
  case "$1" in
    -n) runs="$2"; shift 2 ;;
    -l) label="$2"; shift 2 ;;
    *) echo "usage: $0 [-n RUNS] [-l LABEL] -- COMMAND [ARGS...]" >&2; exit 2 ;;
  esac
done
[[ "${1:-}" == "--" ]] && shift
(($# > 0)) || { echo "usage: $0 [-n RUNS] [-l LABEL] -- COMMAND [ARGS...]" >&2; exit 2; }

"$@" >/dev/null 2>&1 || { echo "warm-up run failed: $*" >&2; exit 1; }
times=()
cpus=()
TIMEFORMAT='%3R %3U %3S'
for ((i = 0; i < runs; i++)); do
  measured=$({ time "$@" >/dev/null 2>&1 || echo "failed" >&2; } 2>&1)
  [[ "$measured" != *failed* ]] || { echo "run $((i + 1)) failed: $*" >&2; exit 1; }
  read -r real user sys <<<"$measured"
  times+=($(awk -v r="$real" 'BEGIN { printf "%d", r * 1000 }'))
  cpus+=($(awk -v u="$user" -v s="$sys" 'BEGIN { printf "%d", (u + s) * 1000 }'))
done
sorted=($(printf '%s\n' "${times[@]}" | sort -n))
sorted_cpu=($(printf '%s\n' "${cpus[@]}" | sort -n))
n=${#sorted[@]}
# Nearest-rank percentiles: the median is the middle run (the lower of the two for an even count).
median=${sorted[$(((n - 1) / 2))]}
p90=${sorted[$(((n * 9 + 9) / 10 - 1))]}
load=$(cut -d' ' -f1-3 /proc/loadavg)
echo "${label:-$*}: median ${median} ms, p90 ${p90} ms, min ${sorted[0]} ms, max ${sorted[$((n - 1))]} ms; CPU median ${sorted_cpu[$(((n - 1) / 2))]} ms (${n} runs, load ${load})"

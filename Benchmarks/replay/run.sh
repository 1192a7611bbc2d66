#!/usr/bin/env bash
# Replay throughput: how many recorded runs and exchanges per second `tdf run --replay` gets through at pace fast,
# with no service running (release build, whole command timed: start, proxy, harness, comparison, exit).
#
#   bash Benchmarks/replay/run.sh [RECORDING] [REPEATS]
#
# RECORDING defaults to the committed cassettes/demo; pass any artifact tree of `tdf run` (for a bigger one:
# `tdf run --stack embedded --runs 50 --out /tmp/rec50`). REPEATS defaults to 10; the median is reported.
set -euo pipefail
cd "$(dirname "$0")/../.."
recording=${1:-cassettes/demo}
repeats=${2:-10}
swift build -c release --product tdf >/dev/null
tdf=.build/release/tdf
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

runs=$(grep -c . "$recording/runs.jsonl")
exchanges=$(python3 -c 'import json,sys; print(sum(r["exchanges"] for r in json.load(open(sys.argv[1]))["runs"]))' \
  "$recording/cassettes/index.json")
times=()
for i in $(seq 1 "$repeats"); do
  start=$(date +%s.%N)
  "$tdf" run --replay "$recording" --out "$work/$i" >"$work/log" 2>&1 || { cat "$work/log"; exit 1; }
  end=$(date +%s.%N)
  grep -q "$runs identical, 0 divergent" "$work/log" || { cat "$work/log"; exit 1; }
  times+=("$(echo "$end - $start" | bc -l)")
done
median=$(printf '%s\n' "${times[@]}" | sort -n | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}')
printf 'recording %s: %d runs, %d exchanges; %d replays, median %.3f s\n' "$recording" "$runs" "$exchanges" "$repeats" "$median"
printf 'replay throughput: %.1f runs/s, %.0f exchanges/s (every run identical)\n' \
  "$(echo "$runs / $median" | bc -l)" "$(echo "$exchanges / $median" | bc -l)"

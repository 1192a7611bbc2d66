#!/usr/bin/env bash
# How `tdf run --replay` scales with the number of recorded runs: for each size N, records N runs on the embedded
# stack (`tdf run --stack embedded --runs N --out DIR`), replays them all at pace fast, and prints a table of the
# replay's total and per-run seconds (whole command: index the recording, start the proxy, replay, compare, exit).
# A linear replay keeps the per-run time flat as N grows.
#
#   bash Benchmarks/replay-scale/run.sh [N ...]        (default: 10 20 40 1000)
#
# env: TDF=binary      the tdf to measure (default: a release build of this checkout)
#      TIMEOUT=seconds a replay still running after this long is stopped and shown as "> TIMEOUT" (default 600),
#                      so a super-linear build can be measured without waiting hours for its 1,000 runs
# A 1,000-run recording is about 1 GB, and its replay as much again; each size's trees are removed once measured.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
. "$ROOT/Benchmarks/lib.sh"
sizes=("$@")
[ ${#sizes[@]} -gt 0 ] || sizes=(10 20 40 1000)
limit=${TIMEOUT:-600}

echo "# $TDF, $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg) at $(date -u '+%Y-%m-%d %H:%M UTC')"
rows=()
for runs in "${sizes[@]}"; do
    recording="$WORK/recording-$runs"
    replayed="$WORK/replayed-$runs"
    echo "\$ tdf run --stack embedded --runs $runs --out $recording"
    start=$(date +%s.%N)
    "$TDF" run --stack embedded --runs "$runs" --out "$recording" >"$WORK/record.log" 2>&1 || {
        cat "$WORK/record.log"
        exit 1
    }
    recorded=$(echo "$(date +%s.%N) - $start" | bc -l)
    echo "\$ tdf run --replay $recording --out $replayed"
    start=$(date +%s.%N)
    status=0
    timeout "$limit" "$TDF" run --replay "$recording" --out "$replayed" >"$WORK/replay.log" 2>&1 || status=$?
    seconds=$(echo "$(date +%s.%N) - $start" | bc -l)
    if [ "$status" -eq 124 ]; then
        rows+=("$(printf '| %d | %.1f | > %d (stopped) | > %.3f |' "$runs" "$recorded" "$limit" "$(echo "$limit / $runs" | bc -l)")")
    else
        grep -q "$runs runs replayed: $runs identical, 0 divergent" "$WORK/replay.log" || {
            tail -5 "$WORK/replay.log"
            exit 1
        }
        rows+=("$(printf '| %d | %.1f | %.2f | %.3f |' "$runs" "$recorded" "$seconds" "$(echo "$seconds / $runs" | bc -l)")")
    fi
    rm -rf "$recording" "$replayed"
done
echo
echo "| runs | record s | replay s | replay s per run |"
echo "|---:|---:|---:|---:|"
printf '%s\n' "${rows[@]}"
echo "# load average $(cut -d' ' -f1-3 /proc/loadavg) at the end; every replay that finished was identical for every run"

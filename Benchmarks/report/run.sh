#!/usr/bin/env bash
# How long `tdf report` takes to rebuild the database and every report from a large recording.
# Usage: bash Benchmarks/report/run.sh [RUNS]     (default 1000 runs; the recording is kept in $TREE, default
#        /tmp/tdf-report-bench-RUNS, so later runs of this script skip generating it; delete it after a change to
#        what `tdf run` writes). Prints the tree's size, by part, then three timed `tdf report` runs.
set -euo pipefail
cd "$(dirname "$0")/../.."
runs=${1:-1000}
tree=${TREE:-/tmp/tdf-report-bench-$runs}
swift build -c release --product tdf >/dev/null
tdf=.build/release/tdf
if [ ! -f "$tree/runs.jsonl" ] || [ "$(wc -l < "$tree/runs.jsonl")" -ne "$runs" ]; then
    rm -rf "$tree"
    echo "# generating $runs runs with the embedded stack into $tree"
    /usr/bin/time -f "# generated in %e s, peak RSS %M KB" \
        "$tdf" run --stack embedded --runs "$runs" --concurrency 4 --out "$tree" >/dev/null
fi
echo "# $(du -sh "$tree" | cut -f1) tree ($(du -sb "$tree" | cut -f1) bytes, $(( $(du -sb "$tree" | cut -f1) / runs )) per run), $(ls "$tree/cassettes" | grep -c jsonl.gz) cassettes"
echo "# by part: $(cd "$tree" && du -sb -- * | sort -rn | awk '{printf "%s %.1f MB; ", $2, $1 / 1e6}')"
for attempt in 1 2 3; do
    /usr/bin/time -f "tdf report --in (release): %e s, peak RSS %M KB" "$tdf" report --in "$tree" >/dev/null
done

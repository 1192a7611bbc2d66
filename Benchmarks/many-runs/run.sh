#!/usr/bin/env bash
# Many runs through one long-running recording proxy: RUNS distinct X-TDF-Run values (one cassette each), sent as
# fast as CLIENTS keep-alive clients can, through `tdf proxy --mode record` (release build) under `ulimit -n 1024`,
# in front of the tdf HelloServer. Prints the proxy's open descriptors, RSS and median request latency every STEP
# runs, and once more after the idle timeout has finished every cassette; then checks every cassette with
# `tdf cassette verify`.
#
# Usage: bash Benchmarks/many-runs/run.sh [RUNS] [STEP]      (default 3000 1000; needs python3)
#   TDF=/path/to/tdf   use this binary instead of `swift build -c release --product tdf`
#   CLIENTS=8          concurrent clients
#   IDLE=5             the proxy's --cassette-idle, in seconds
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
RUNS=${1:-3000}
STEP=${2:-1000}
CLIENTS=${CLIENTS:-8}
IDLE=${IDLE:-5}
# shellcheck source=../lib.sh
. "$ROOT/Benchmarks/lib.sh"
(cd "$ROOT" && swift build -c release --product HelloServer >/dev/null)

wait_line() {  # file pattern
    for _ in $(seq 400); do grep -q "$2" "$1" 2>/dev/null && return 0; sleep 0.05; done
    echo "no '$2' in $1:" >&2
    cat "$1" "$1.err" >&2 2>/dev/null || true
    exit 1
}

"$ROOT/.build/release/HelloServer" 0 >"$WORK/upstream" &
PIDS+=($!)
wait_line "$WORK/upstream" "^listening"
UPSTREAM=$(sed -n 's/^listening \(.*\)/\1/p' "$WORK/upstream")

bash -c "ulimit -n 1024 && exec \"\$0\" \"\$@\"" "$TDF" proxy --verbose --cassette-idle "$IDLE" \
    --cassettes "$WORK/cassettes" --service "api=127.0.0.1:0=$UPSTREAM" >"$WORK/proxy" 2>"$WORK/proxy.err" &
PROXY_PID=$!
PIDS+=($PROXY_PID)
wait_line "$WORK/proxy" "^proxy ready"
PROXY_URL=$(sed -n 's/^proxy ready api=\([^ ]*\).*/\1/p' "$WORK/proxy")

echo "# $RUNS runs, $CLIENTS clients, ulimit -n 1024, --cassette-idle $IDLE ($(date -u +%FT%TZ), $(git -C "$ROOT" rev-parse --short HEAD))"
sed -n 's/^tdf proxy: //p' "$WORK/proxy.err"
python3 "$ROOT/Benchmarks/many-runs/runs.py" "$PROXY_URL" "$PROXY_PID" "$RUNS" "$STEP" "$CLIENTS" $((IDLE + 2))

kill -TERM "$PROXY_PID"
wait "$PROXY_PID"
"$TDF" cassette verify "$WORK/cassettes" | tail -1

#!/usr/bin/env bash
# Bad clients against real processes, with the default timeouts: a release `tdf stack`, and a release
# `tdf proxy --mode record` in front of its Maestro. For each target and each attack (none, slowloris, 1,000 idle
# connections, pipelined garbage, 1 GB uploads) it starts fresh processes, runs the attack for ATTACK_SECONDS while
# a well-behaved client makes REQUESTS sequential GET /api/v1/health (new connection each), and prints
#   target  attack  well-behaved p50/p99/max ms and failures  the attacker's outcome  peak RSS (VmHWM) of the target
#
# Usage: bash Benchmarks/bad-clients/run.sh          (needs python3)
#   TDF=/path/to/tdf   use this tdf binary; otherwise `swift build -c release` of this checkout.
#   REQUESTS=200 ATTACK_SECONDS=15 IDLE_CONNECTIONS=1000 SLOW_CONNECTIONS=200 adjust the runs.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
HERE="$ROOT/Benchmarks/bad-clients"
REQUESTS=${REQUESTS:-200}
ATTACK_SECONDS=${ATTACK_SECONDS:-15}
IDLE_CONNECTIONS=${IDLE_CONNECTIONS:-1000}
SLOW_CONNECTIONS=${SLOW_CONNECTIONS:-200}

command -v python3 >/dev/null || { echo "python3 is not installed"; exit 1; }
if [ -z "${TDF:-}" ]; then
    (cd "$ROOT" && swift build -c release --product tdf >/dev/null)
    TDF="$ROOT/.build/release/tdf"
fi
needed=$((IDLE_CONNECTIONS * 2 + 256))
[ "$(ulimit -n)" -ge "$needed" ] || ulimit -n "$needed" || { echo "ulimit -n must be at least $needed"; exit 1; }
echo "tdf: $TDF; ulimit -n $(ulimit -n); $REQUESTS requests per measurement; attacks last ${ATTACK_SECONDS}s"

WORK=$(mktemp -d)
PIDS=()
stop_all() {
    for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
    for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
    PIDS=()
}
trap 'stop_all; rm -rf "$WORK"' EXIT

# Starts `$@`, waits for its ready line (PREFIX) in its stdout, and sets STARTED_PID and READY_LINE.
start() {
    local prefix=$1 log=$WORK/$2.log
    shift 2
    "$@" >"$log" 2>&1 &
    STARTED_PID=$!
    PIDS+=("$STARTED_PID")
    for _ in $(seq 1 200); do
        READY_LINE=$(grep -m1 "^$prefix" "$log" || true)
        [ -n "$READY_LINE" ] && return 0
        sleep 0.05
    done
    echo "$* never printed '$prefix':"; cat "$log"; exit 1
}

# Starts the target fresh; sets TARGET_PORT and TARGET_PID (the process whose RSS is measured).
start_target() {
    start "stack ready" stack "$TDF" stack --maestro 127.0.0.1:0 --storpheus 127.0.0.1:0
    local maestro
    maestro=$(echo "$READY_LINE" | sed -E 's/.*maestro=(http:[^ ]+).*/\1/')
    TARGET_PID=$STARTED_PID
    if [ "$1" = proxy ]; then
        rm -rf "$WORK/cassettes"
        start "proxy ready" proxy "$TDF" proxy --mode record --cassettes "$WORK/cassettes" \
            --service "maestro=127.0.0.1:0=$maestro"
        TARGET_PID=$STARTED_PID
        maestro=$(echo "$READY_LINE" | sed -E 's/.*maestro=(http:[^ ]+).*/\1/')
    fi
    TARGET_PORT=${maestro##*:}
}

peak_rss() { awk '/VmHWM/ {print $2 " kB"}' "/proc/$1/status"; }

run_attack() {
    local target=$1 attack=$2 attacker="" outcome="-"
    start_target "$target"
    case $attack in
        none) ;;
        slowloris) python3 "$HERE/clients.py" slowloris "$TARGET_PORT" "$SLOW_CONNECTIONS" "$ATTACK_SECONDS" >"$WORK/a" & attacker=$! ;;
        idle) python3 "$HERE/clients.py" idle "$TARGET_PORT" "$IDLE_CONNECTIONS" "$ATTACK_SECONDS" >"$WORK/a" & attacker=$! ;;
        garbage) python3 "$HERE/clients.py" garbage "$TARGET_PORT" "$ATTACK_SECONDS" >"$WORK/a" & attacker=$! ;;
        upload) python3 "$HERE/clients.py" upload "$TARGET_PORT" "$ATTACK_SECONDS" >"$WORK/a" & attacker=$! ;;
    esac
    [ -n "$attacker" ] && sleep 2  # let the attack build up before measuring
    local measured
    measured=$(python3 "$HERE/clients.py" measure "$TARGET_PORT" "$REQUESTS")
    if [ -n "$attacker" ]; then
        wait "$attacker"
        outcome=$(cat "$WORK/a")
    fi
    printf '%-6s %-10s %s %s rss=%s\n' "$target" "$attack" "$measured" "$outcome" "$(peak_rss "$TARGET_PID")"
    stop_all
}

for target in stack proxy; do
    for attack in none slowloris idle garbage upload; do
        run_attack "$target" "$attack"
    done
done

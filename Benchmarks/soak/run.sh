#!/usr/bin/env bash
# Soak: 64 concurrent SSE clients stream compose requests through `tdf proxy --mode record` in front of
# `tdf stack` (real processes, release build) for SECONDS, then the cassettes are checked against what the
# clients sent: every (run, ordinal) recorded exactly once, none lost, none duplicated. The proxy's VmRSS is
# sampled every 10 s; first, last and max are reported, and how long the proxy took to stop after SIGTERM.
#
# Usage: bash Benchmarks/soak/run.sh [SECONDS]      (default 300; needs python3 and curl)
#   TDF=/path/to/tdf   use this binary instead of `swift build -c release --product tdf`
#   CLIENTS=64         concurrent SSE clients
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
SECONDS_TO_RUN=${1:-300}
CLIENTS=${CLIENTS:-64}
# shellcheck source=../lib.sh
. "$ROOT/Benchmarks/lib.sh"

wait_line() {  # file pattern
    for _ in $(seq 400); do grep -q "$2" "$1" 2>/dev/null && return 0; sleep 0.05; done
    echo "no '$2' in $1:" >&2
    cat "$1" "$1.err" >&2 2>/dev/null || true
    exit 1
}

# The rate and concurrency limits of the simulator would turn most streams into 429s: the soak is about the proxy.
"$TDF" stack --maestro 127.0.0.1:0 --storpheus 127.0.0.1:0 --rate-limit 0 --max-compositions 0 \
    >"$WORK/stack" 2>"$WORK/stack.err" &
PIDS+=($!)
wait_line "$WORK/stack" "^stack ready"
MAESTRO=$(sed -n 's/^stack ready maestro=\([^ ]*\).*/\1/p' "$WORK/stack")

"$TDF" proxy --mode record --cassettes "$WORK/cassettes" --service "maestro=127.0.0.1:0=$MAESTRO" \
    >"$WORK/proxy" 2>"$WORK/proxy.err" &
PROXY_PID=$!
PIDS+=($PROXY_PID)
wait_line "$WORK/proxy" "^proxy ready"
PROXY_URL=$(sed -n 's/^proxy ready maestro=\([^ ]*\).*/\1/p' "$WORK/proxy")

rss() { awk '/^VmRSS/ {print $2}' "/proc/$PROXY_PID/status"; }
(
    while kill -0 "$PROXY_PID" 2>/dev/null; do
        echo "$(date +%s) $(rss)"
        sleep 10
    done
) >"$WORK/rss" 2>/dev/null &
PIDS+=($!)

TOKEN=$("$TDF" stack token --sub soak)
echo "# $CLIENTS SSE clients for $SECONDS_TO_RUN s through $PROXY_URL (tdf proxy --mode record) to $MAESTRO (tdf stack)"
echo "# load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
python3 "$ROOT/Benchmarks/soak/sse_clients.py" "$PROXY_URL" "$TOKEN" "$CLIENTS" "$SECONDS_TO_RUN" "$WORK/clients.json"
echo "# load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "$(date +%s) $(rss)" >>"$WORK/rss"
STOPPING=$(date +%s.%N)
kill -TERM "$PROXY_PID"
wait "$PROXY_PID" || { echo "tdf proxy exited with $?" >&2; cat "$WORK/proxy.err" >&2; exit 1; }
# Closing the cassettes and the secret scan of everything recorded happen between SIGTERM and the exit.
echo "proxy shutdown after SIGTERM: $(python3 -c "import sys; print('%.1f s' % (float(sys.argv[2]) - float(sys.argv[1])))" \
    "$STOPPING" "$(date +%s.%N)")"
grep -h "^proxy stopped\|^recording failed\|^problem" "$WORK/proxy" "$WORK/proxy.err" || true

python3 - "$WORK/clients.json" "$WORK/cassettes" "$WORK/rss" <<'PY'
import collections, gzip, json, os, sys
clients = json.load(open(sys.argv[1]))
directory = sys.argv[2]
problems = []
recorded_total = 0
for run, result in sorted(clients.items()):
    path = os.path.join(directory, run + ".jsonl.gz")
    ordinals = []
    ended = False
    with gzip.open(path, "rt") as file:
        for line in file:
            record = json.loads(line)
            if record["type"] == "exchange":
                ordinals.append(record["ordinal"])
            elif record["type"] == "end":
                ended = record["exchanges"] == len(ordinals)
    recorded_total += len(ordinals)
    duplicates = [o for o, n in collections.Counter(ordinals).items() if n > 1]
    lost = sorted(set(result["sent"]) - set(ordinals))
    extra = sorted(set(ordinals) - set(result["sent"]))
    if duplicates or lost or extra or not ended:
        problems.append("%s: %d sent, %d recorded, duplicated %s, lost %s, unexpected %s, end record %s"
                        % (run, len(result["sent"]), len(ordinals), duplicates[:5], lost[:5], extra[:5],
                           "matches" if ended else "missing or wrong"))
sent = sum(len(r["sent"]) for r in clients.values())
complete = sum(r["complete"] for r in clients.values())
failed = sum(r["failed"] for r in clients.values())
samples = [int(line.split()[1]) for line in open(sys.argv[3]) if len(line.split()) == 2]
print("streams: %d sent, %d complete, %d failed; %d exchanges recorded in %d cassettes"
      % (sent, complete, failed, recorded_total, len(clients)))
for run, result in sorted(clients.items()):
    for failure in result["failures"][:3]:
        print("  client failure: " + failure)
print("lost or duplicated exchanges: %s" % ("none" if not problems else len(problems)))
for problem in problems:
    print("  " + problem)
print("proxy VmRSS (kB), %d samples every 10 s: first %d, last %d, max %d"
      % (len(samples), samples[0], samples[-1], max(samples)))
print("VmRSS samples: " + " ".join(str(s) for s in samples))
sys.exit(1 if problems or failed else 0)
PY

#!/usr/bin/env bash
# Throughput of the tdf HTTP server alone: a release-build hello-world server under wrk.
# Usage: bash Benchmarks/http-server/run.sh   (needs wrk: apt-get install wrk)
set -euo pipefail
cd "$(dirname "$0")/../.."
command -v wrk >/dev/null || { echo "wrk is not installed (apt-get install wrk)"; exit 1; }
swift build -c release --product HelloServer >/dev/null
log=$(mktemp)
.build/release/HelloServer 0 >"$log" &
pid=$!
trap 'kill $pid 2>/dev/null || true; rm -f "$log"' EXIT
for _ in $(seq 100); do grep -q listening "$log" && break; sleep 0.05; done
url=$(sed -n 's/^listening //p' "$log")
echo "# wrk -t2 -c16 -d10s $url/  (tdf HelloServer, release)"
wrk -t2 -c16 -d10s --latency "$url/"
echo "# peak RSS of the server: $(grep VmHWM /proc/$pid/status | awk '{print $2, $3}')"

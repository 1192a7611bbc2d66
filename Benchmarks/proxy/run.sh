#!/usr/bin/env bash
# The recording proxy under load, against nginx: one script run measures
#   - wrk -t2 -c16 -d10s against an nginx origin directly, through nginx as a reverse proxy (the reference), and
#     through `tdf proxy` in passthrough, record and replay modes: req/s, p50, p99 and each ratio to nginx-proxy;
#   - the SSE per-event delay (median, p99) an event stream gets directly and through `tdf proxy` recording it.
#
# Usage: bash Benchmarks/proxy/run.sh            (needs wrk, nginx, python3, curl)
#   TDF=/path/to/tdf       use this tdf binary; otherwise `swift build -c release` of this checkout.
#   DURATION=10s CONNECTIONS=16 THREADS=2 SSE_EVENTS=200 SSE_GAP_MS=20 adjust the runs.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
HERE="$ROOT/Benchmarks/proxy"
DURATION=${DURATION:-10s}
CONNECTIONS=${CONNECTIONS:-16}
THREADS=${THREADS:-2}
SSE_EVENTS=${SSE_EVENTS:-200}
SSE_GAP_MS=${SSE_GAP_MS:-20}
NGINX=${NGINX:-$(command -v nginx || echo /usr/sbin/nginx)}

for tool in wrk python3 curl; do
    command -v "$tool" >/dev/null || { echo "$tool is not installed (apt-get install $tool)"; exit 1; }
done
[ -x "$NGINX" ] || { echo "nginx is not installed (apt-get install nginx)"; exit 1; }

has_proxy() { [ -x "$1" ] && "$1" proxy --help 2>/dev/null | grep -q -- "--cassettes"; }
# shellcheck source=../lib.sh
. "$ROOT/Benchmarks/lib.sh"
has_proxy "$TDF" || { echo "$TDF has no proxy command"; exit 1; }
chmod 755 "$WORK"  # nginx workers drop to an unprivileged user and must read the document root

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
wait_http() { for _ in $(seq 200); do curl -s -o /dev/null "$1" && return 0; sleep 0.05; done; echo "no answer from $1"; exit 1; }

# nginx: an origin serving a 512-byte JSON document, and a reverse proxy to it with upstream keep-alive.
ORIGIN=$(free_port)
NGINX_PROXY=$(free_port)
mkdir -p "$WORK/nginx/www" "$WORK/nginx/tmp"
python3 -c 'import json; print(json.dumps({"prompts": [{"id": "p%03d" % i, "style": "boom bap", "bars": 8} for i in range(12)]})[:511])' \
    >"$WORK/nginx/www/prompts.json"
cat >"$WORK/nginx/nginx.conf" <<EOF
daemon off;
worker_processes 1;
pid $WORK/nginx/nginx.pid;
error_log $WORK/nginx/error.log warn;
events { worker_connections 4096; }
http {
    access_log off;
    client_body_temp_path $WORK/nginx/tmp/body;
    proxy_temp_path $WORK/nginx/tmp/proxy;
    fastcgi_temp_path $WORK/nginx/tmp/fastcgi;
    uwsgi_temp_path $WORK/nginx/tmp/uwsgi;
    scgi_temp_path $WORK/nginx/tmp/scgi;
    keepalive_requests 1000000;
    upstream origin { server 127.0.0.1:$ORIGIN; keepalive 64; }
    server {
        listen 127.0.0.1:$ORIGIN;
        root $WORK/nginx/www;
        default_type application/json;
    }
    server {
        listen 127.0.0.1:$NGINX_PROXY;
        location / {
            proxy_pass http://origin;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
        }
    }
}
EOF
"$NGINX" -p "$WORK/nginx" -c "$WORK/nginx/nginx.conf" &
PIDS+=($!)
wait_http "http://127.0.0.1:$ORIGIN/prompts.json"
wait_http "http://127.0.0.1:$NGINX_PROXY/prompts.json"
status=$(curl -s -o /dev/null -w "%{http_code}" "http://127.0.0.1:$ORIGIN/prompts.json")
[ "$status" = 200 ] || { echo "nginx answers $status for the test document"; cat "$WORK/nginx/error.log"; exit 1; }

# Starts `tdf proxy` with the given arguments; sets PROXY_URL to the service's base URL.
start_tdf() {
    local log="$WORK/tdf-$1.log"
    shift
    "$TDF" proxy "$@" >"$log.out" 2>"$log" &
    PIDS+=($!)
    TDF_PID=$!
    for _ in $(seq 200); do grep -q "^proxy ready" "$log.out" 2>/dev/null && break; sleep 0.05; done
    PROXY_URL=$(sed -n 's/^proxy ready [a-z]*=\([^ ]*\).*/\1/p' "$log.out")
    [ -n "$PROXY_URL" ] || { echo "tdf proxy did not start:"; cat "$log"; exit 1; }
}
stop_tdf() { kill -INT "$TDF_PID"; wait "$TDF_PID" 2>/dev/null || true; }

declare -A RPS P50 P99
measure() {
    local name=$1 url=$2 out="$WORK/wrk-$1.txt"
    wrk -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" --latency "$url" >"$out"
    RPS[$name]=$(awk '/^Requests\/sec:/ {print $2}' "$out")
    P50[$name]=$(awk '$1 == "50%" {print $2}' "$out")
    P99[$name]=$(awk '$1 == "99%" {print $2}' "$out")
    local errors
    errors=$(grep -E "Non-2xx|Socket errors" "$out" || true)
    [ -z "$errors" ] || echo "# $name: $errors"
}

echo "# tdf: $TDF"
echo "# wrk -t$THREADS -c$CONNECTIONS -d$DURATION, 512-byte JSON from nginx (worker_processes 1), $(nproc) cores"
measure nginx-direct "http://127.0.0.1:$ORIGIN/prompts.json"
measure nginx-proxy "http://127.0.0.1:$NGINX_PROXY/prompts.json"

start_tdf passthrough --mode passthrough --service api=127.0.0.1:0=http://127.0.0.1:$ORIGIN
measure tdf-passthrough "$PROXY_URL/prompts.json"
stop_tdf

start_tdf record --mode record --cassettes "$WORK/cassettes" --service api=127.0.0.1:0=http://127.0.0.1:$ORIGIN
measure tdf-record "$PROXY_URL/prompts.json"
stop_tdf
RECORDED=$(python3 -c "import json; print(sum(r['exchanges'] for r in json.load(open('$WORK/cassettes/index.json'))['runs']))")
CASSETTE_BYTES=$(stat -c %s "$WORK/cassettes/_default.jsonl.gz")

start_tdf replay --mode replay --cassettes "$WORK/cassettes" --service api=127.0.0.1:0
status=$(curl -s -o /dev/null -w "%{http_code}" "$PROXY_URL/prompts.json")  # loads the cassette before timing
[ "$status" = 200 ] || { echo "tdf replay answers $status"; exit 1; }
measure tdf-replay "$PROXY_URL/prompts.json"
stop_tdf

echo
printf "%-16s %10s %10s %10s %14s\n" target req/s p50 p99 "vs nginx-proxy"
for name in nginx-direct nginx-proxy tdf-passthrough tdf-record tdf-replay; do
    ratio=$(python3 -c "print('%.2f' % (float('${RPS[$name]}') / float('${RPS[nginx-proxy]}')))")
    printf "%-16s %10s %10s %10s %14s\n" "$name" "${RPS[$name]}" "${P50[$name]}" "${P99[$name]}" "${ratio}x"
done
echo "# record mode wrote $RECORDED exchanges into a ${CASSETTE_BYTES}-byte cassette ($((CASSETTE_BYTES / (RECORDED > 0 ? RECORDED : 1))) bytes each)"

# SSE: one event every SSE_GAP_MS ms, the delay from the upstream's send to the client's receipt.
python3 "$HERE/sse_delay.py" serve >"$WORK/sse.port" &
PIDS+=($!)
for _ in $(seq 100); do [ -s "$WORK/sse.port" ] && break; sleep 0.05; done
SSE_PORT=$(cat "$WORK/sse.port")
DIRECT=$(python3 "$HERE/sse_delay.py" measure "http://127.0.0.1:$SSE_PORT/stream" "$SSE_EVENTS" "$SSE_GAP_MS")
start_tdf sse --mode record --cassettes "$WORK/sse-cassettes" --service maestro=127.0.0.1:0=http://127.0.0.1:$SSE_PORT
PROXIED=$(python3 "$HERE/sse_delay.py" measure "$PROXY_URL/stream" "$SSE_EVENTS" "$SSE_GAP_MS")
stop_tdf
echo
echo "# SSE, $SSE_EVENTS events $SSE_GAP_MS ms apart, delay from upstream send to client receipt (ms)"
python3 - "$DIRECT" "$PROXIED" <<'EOF'
import json, sys
direct, proxied = json.loads(sys.argv[1]), json.loads(sys.argv[2])
print("%-24s %8s %8s %8s %6s" % ("path", "median", "p99", "max", "n"))
for name, row in [("direct", direct), ("tdf proxy (record)", proxied)]:
    print("%-24s %8.3f %8.3f %8.3f %6d" % (name, row["median_ms"], row["p99_ms"], row["max_ms"], row["n"]))
print("added by the proxy: median %.3f ms, p99 %.3f ms" % (
    proxied["median_ms"] - direct["median_ms"], proxied["p99_ms"] - direct["p99_ms"]))
EOF

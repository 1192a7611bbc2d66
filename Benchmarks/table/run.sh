#!/usr/bin/env bash
# The performance table of Benchmarks/README.md, every figure measured in this one run on this machine, printed as
# Markdown:
#   - throughput (wrk -t2 -c16 -d10s) of /small (300 B JSON), /big (64 KiB JSON), /bin64k (64 KiB random bytes)
#     and /bin1m (1 MiB random bytes) from an nginx origin: direct, through nginx as a reverse proxy, through
#     mitmdump (reverse mode; passthrough and recording with -w), and through `tdf proxy` in passthrough, record
#     and replay modes, with ratios to nginx and to mitmdump, and the proxy's CPU time per request (user + system
#     of the proxy process, from /proc). Every configuration is measured in each of ROUNDS interleaved rounds and
#     the median round is reported (this 2-core VM varies by ±10% from one 10 s run to the next), with each
#     round's record/nginx ratio listed;
#   - added latency with one request in flight (wrk -t1 -c1): nginx proxy and tdf record against direct;
#   - bytes on disk per exchange of 64 KiB random bytes that differ every time (a Python upstream), so no two
#     bodies share a blob;
#   - the SSE per-event delay `tdf proxy --mode record` adds (p50, p99);
#   - cassette bytes per /small exchange beside mitmdump's flow-file bytes per flow;
#   - replay runs/s (Benchmarks/replay/run.sh, when this checkout has it);
#   - MIDI analysis beside mido (Benchmarks/midi/run.sh).
#
# Usage: bash Benchmarks/table/run.sh          (installs wrk, nginx, mitmproxy and mido when missing)
#   TDF=/path/to/tdf         use this binary instead of `swift build -c release --product tdf`
#   DURATION=10s ROUNDS=3 CONNECTIONS=16 THREADS=2 MIDI_NOTES=300000 REPLAY_REPEATS=5 SSE_EVENTS=300 SSE_GAP_MS=10
#   PATHS="small big bin64k bin1m" (the bodies measured)  LATENCY_DURATION=5s
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
DURATION=${DURATION:-10s}
ROUNDS=${ROUNDS:-3}
CONNECTIONS=${CONNECTIONS:-16}
THREADS=${THREADS:-2}
MIDI_NOTES=${MIDI_NOTES:-300000}
REPLAY_REPEATS=${REPLAY_REPEATS:-5}
SSE_EVENTS=${SSE_EVENTS:-300}
SSE_GAP_MS=${SSE_GAP_MS:-10}
PATHS=${PATHS:-small big bin64k bin1m}
LATENCY_DURATION=${LATENCY_DURATION:-5s}

install_missing() {
    local missing=()
    command -v wrk >/dev/null || missing+=(wrk)
    command -v nginx >/dev/null || [ -x /usr/sbin/nginx ] || missing+=(nginx)
    command -v curl >/dev/null || missing+=(curl)
    if [ ${#missing[@]} -gt 0 ]; then
        echo "installing ${missing[*]}" >&2
        apt-get update -qq >&2 && apt-get install -y -qq "${missing[@]}" >&2
    fi
    command -v mitmdump >/dev/null || { echo "installing mitmproxy" >&2; pip install -q mitmproxy >&2; }
    python3 -c 'import mido' 2>/dev/null || { echo "installing mido" >&2; pip install -q mido >&2; }
}
install_missing
NGINX=$(command -v nginx || echo /usr/sbin/nginx)

# shellcheck source=../lib.sh
. "$ROOT/Benchmarks/lib.sh"
chmod 755 "$WORK"  # nginx workers drop to an unprivileged user and must read the document root

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
wait_http() {
    for _ in $(seq 400); do curl -s -o /dev/null "$1" && return 0; sleep 0.05; done
    echo "no answer from $1" >&2
    exit 1
}

# Two nginx processes of one worker each: the origin, and a reverse proxy to it with upstream keep-alive.
ORIGIN=$(free_port)
NGINX_PROXY=$(free_port)
mkdir -p "$WORK/www" "$WORK/nginx-origin" "$WORK/nginx-proxy"
python3 - "$WORK/www" <<'EOF'
import json, random, sys
prompts = json.dumps({"prompts": [{"id": "p%03d" % i, "style": "boom bap", "bars": 8} for i in range(12)]})
open(sys.argv[1] + "/small", "w").write(prompts[:299] + "\n")
random.seed(7)
notes = [{"pitch": random.randint(36, 84), "beat": i / 4, "velocity": random.randint(60, 120)} for i in range(4000)]
open(sys.argv[1] + "/big", "w").write(json.dumps({"notes": notes})[:65535] + "\n")
open(sys.argv[1] + "/bin64k", "wb").write(random.randbytes(65536))
open(sys.argv[1] + "/bin1m", "wb").write(random.randbytes(1 << 20))
EOF
nginx_conf() {  # name listen-port server-block
    cat >"$WORK/nginx-$1/nginx.conf" <<EOF
daemon off;
worker_processes 1;
pid $WORK/nginx-$1/nginx.pid;
error_log $WORK/nginx-$1/error.log warn;
events { worker_connections 4096; }
http {
    access_log off;
    client_body_temp_path $WORK/nginx-$1/body;
    proxy_temp_path $WORK/nginx-$1/proxy;
    fastcgi_temp_path $WORK/nginx-$1/fastcgi;
    uwsgi_temp_path $WORK/nginx-$1/uwsgi;
    scgi_temp_path $WORK/nginx-$1/scgi;
    keepalive_requests 1000000;
    default_type application/json;
    $3
}
EOF
    "$NGINX" -p "$WORK/nginx-$1" -c "$WORK/nginx-$1/nginx.conf" &
    PIDS+=($!)
    wait_http "http://127.0.0.1:$2/small"
}
nginx_conf origin "$ORIGIN" "server { listen 127.0.0.1:$ORIGIN; root $WORK/www; }"
nginx_conf proxy "$NGINX_PROXY" "upstream origin { server 127.0.0.1:$ORIGIN; keepalive 64; }
    server { listen 127.0.0.1:$NGINX_PROXY; location / { proxy_pass http://origin; proxy_http_version 1.1;
        proxy_set_header Connection \"\"; } }"
NGINX_PROXY_WORKER=$(pgrep -P "${PIDS[-1]}" | head -1)

# Starts `tdf proxy`; sets PROXY_URL and TDF_PID.
start_tdf() {
    local log="$WORK/tdf-$1"
    shift
    "$TDF" proxy "$@" >"$log.out" 2>"$log.err" &
    TDF_PID=$!
    PIDS+=($TDF_PID)
    for _ in $(seq 400); do grep -q "^proxy ready" "$log.out" 2>/dev/null && break; sleep 0.05; done
    PROXY_URL=$(sed -n 's/^proxy ready [a-z]*=\([^ ]*\).*/\1/p' "$log.out")
    [ -n "$PROXY_URL" ] || { echo "tdf proxy did not start:" >&2; cat "$log.err" >&2; exit 1; }
}
stop_tdf() { kill -TERM "$TDF_PID"; wait "$TDF_PID" 2>/dev/null || true; }

# Starts mitmdump as a reverse proxy to the origin (extra arguments: -w FILE); sets MITM_URL and MITM_PID.
start_mitm() {
    local port
    port=$(free_port)
    mitmdump --mode "reverse:http://127.0.0.1:$ORIGIN" --listen-host 127.0.0.1 -p "$port" -q "$@" \
        >"$WORK/mitm.log" 2>&1 &
    MITM_PID=$!
    PIDS+=($MITM_PID)
    MITM_URL="http://127.0.0.1:$port"
    wait_http "$MITM_URL/small"
}
stop_mitm() { kill -INT "$MITM_PID"; wait "$MITM_PID" 2>/dev/null || true; }

# CPU time (user + system, in clock ticks) a process has used so far.
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }

declare -A RPS P99 CPU
# name url [pid]: appends this round's req/s and p99 to the name's lists, and the CPU microseconds per request
# of process pid (the proxy) when given.
measure() {
    local out="$WORK/wrk-$1.txt" before=0
    [ -z "${3:-}" ] || before=$(cpu_ticks "$3")
    wrk -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" --latency "$2" >"$out"
    RPS[$1]+="$(awk '/^Requests\/sec:/ {printf "%.0f", $2}' "$out"), "
    P99[$1]+="\"$(awk '$1 == "99%" {print $2}' "$out")\", "
    if [ -n "${3:-}" ]; then
        local requests
        requests=$(awk '/requests in/ {print $1}' "$out")
        CPU[$1]+="$(( ($(cpu_ticks "$3") - before) * 1000000 / $(getconf CLK_TCK) / (requests > 0 ? requests : 1) )), "
    fi
    local errors
    errors=$(grep -E "Non-2xx|Socket errors" "$out" || true)
    [ -z "$errors" ] || echo "# $1: $errors" >&2
}

LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)
for round in $(seq "$ROUNDS"); do
echo "round $round of $ROUNDS" >&2
for path in $PATHS; do
    measure "direct-$path" "http://127.0.0.1:$ORIGIN/$path"
    measure "nginx-$path" "http://127.0.0.1:$NGINX_PROXY/$path" "$NGINX_PROXY_WORKER"

    start_mitm
    measure "mitm-$path" "$MITM_URL/$path" "$MITM_PID"
    stop_mitm
    start_mitm -w "$WORK/flows-$path"
    measure "mitm-record-$path" "$MITM_URL/$path" "$MITM_PID"
    stop_mitm

    start_tdf "pass-$path" --mode passthrough --service api=127.0.0.1:0=http://127.0.0.1:$ORIGIN
    measure "tdf-pass-$path" "$PROXY_URL/$path" "$TDF_PID"
    stop_tdf
    rm -rf "$WORK/cassettes-$path"  # each round records afresh (replay then serves that round's recording)
    start_tdf "record-$path" --mode record --cassettes "$WORK/cassettes-$path" \
        --service api=127.0.0.1:0=http://127.0.0.1:$ORIGIN
    measure "tdf-record-$path" "$PROXY_URL/$path" "$TDF_PID"
    # wrk cuts its last requests when it stops, and those are recorded as cut; once replay has used every
    # recording it serves the last one again, which must therefore be a whole one.
    curl -s -o /dev/null "$PROXY_URL/$path"
    stop_tdf
    start_tdf "replay-$path" --mode replay --cassettes "$WORK/cassettes-$path" --service api=127.0.0.1:0
    wait_http "$PROXY_URL/$path"  # loads the cassette before timing
    measure "tdf-replay-$path" "$PROXY_URL/$path" "$TDF_PID"
    stop_tdf
done
done
LOAD_AFTER=$(cut -d' ' -f1-3 /proc/loadavg)

# Added latency with one request in flight: the median of wrk -t1 -c1, direct, through nginx and through tdf record.
declare -A LATENCY
latency() {  # name url
    wrk -t1 -c1 -d"$LATENCY_DURATION" --latency "$2" >"$WORK/latency-$1.txt"
    LATENCY[$1]=$(awk '$1 == "50%" {print $2}' "$WORK/latency-$1.txt")
}
for path in small bin64k; do
    latency "direct-$path" "http://127.0.0.1:$ORIGIN/$path"
    latency "nginx-$path" "http://127.0.0.1:$NGINX_PROXY/$path"
    start_tdf "latency-$path" --mode record --cassettes "$WORK/latency-cassettes-$path" \
        --service api=127.0.0.1:0=http://127.0.0.1:$ORIGIN
    latency "tdf-record-$path" "$PROXY_URL/$path"
    stop_tdf
done

# Bytes on disk per exchange of 64 KiB random bytes that differ every time, so that no two share a blob.
RANDOM_EXCHANGES=200
python3 "$ROOT/Benchmarks/table/random_upstream.py" serve "$WORK/random.port" &
PIDS+=($!)
for _ in $(seq 100); do [ -s "$WORK/random.port" ] && break; sleep 0.05; done
start_tdf random --mode record --cassettes "$WORK/random-cassettes" \
    --service api=127.0.0.1:0=http://127.0.0.1:$(cat "$WORK/random.port")
python3 "$ROOT/Benchmarks/table/random_upstream.py" fetch "$PROXY_URL" "$RANDOM_EXCHANGES"
stop_tdf
RANDOM_BYTES=$(du -sb --exclude=index.json --exclude='index.journal.jsonl' "$WORK/random-cassettes" | cut -f1)
RANDOM_BLOBS=$(find "$WORK/random-cassettes/blobs" -type f 2>/dev/null | wc -l)

# Bytes per recorded exchange: tdf's cassette against mitmdump's flow file, both of the /small run.
read -r CASSETTE_EXCHANGES CASSETTE_BYTES < <(python3 - "$WORK/cassettes-small" <<'EOF'
import json, os, sys
index = json.load(open(sys.argv[1] + "/index.json"))
print(sum(r["exchanges"] for r in index["runs"]),
      sum(os.path.getsize(sys.argv[1] + "/" + r["file"]) for r in index["runs"]))
EOF
)
read -r MITM_FLOWS MITM_BYTES < <(python3 - "$WORK/flows-small" <<'EOF'
import os, sys
from mitmproxy import io
with open(sys.argv[1], "rb") as file:
    flows = sum(1 for _ in io.FlowReader(file).stream())
print(flows, os.path.getsize(sys.argv[1]))
EOF
)

# SSE: one event every SSE_GAP_MS ms; the delay from the upstream's send to the client's receipt.
python3 "$ROOT/Benchmarks/proxy/sse_delay.py" serve >"$WORK/sse.port" &
PIDS+=($!)
for _ in $(seq 100); do [ -s "$WORK/sse.port" ] && break; sleep 0.05; done
SSE_PORT=$(cat "$WORK/sse.port")
SSE_DIRECT=$(python3 "$ROOT/Benchmarks/proxy/sse_delay.py" measure "http://127.0.0.1:$SSE_PORT/stream" \
    "$SSE_EVENTS" "$SSE_GAP_MS")
start_tdf sse --mode record --cassettes "$WORK/sse-cassettes" --service maestro=127.0.0.1:0=http://127.0.0.1:$SSE_PORT
SSE_PROXIED=$(python3 "$ROOT/Benchmarks/proxy/sse_delay.py" measure "$PROXY_URL/stream" "$SSE_EVENTS" "$SSE_GAP_MS")
stop_tdf

# Replay runs/s, from the lead's replay benchmark when this checkout has it.
REPLAY_ROW="| replay runs/s | Benchmarks/replay/run.sh is not in this checkout yet | | |"
if [ -x "$ROOT/Benchmarks/replay/run.sh" ] || [ -f "$ROOT/Benchmarks/replay/run.sh" ]; then
    if replay_line=$(bash "$ROOT/Benchmarks/replay/run.sh" "" "$REPLAY_REPEATS" 2>&1 | tail -1); then
        REPLAY_ROW=$(python3 - "$replay_line" <<'EOF'
import re, sys
line = sys.argv[1]
match = re.search(r"(\d+) runs, (\d+) exchanges; \d+ replays, median ([\d.]+) s", line)
if match:
    runs, exchanges, seconds = int(match[1]), int(match[2]), float(match[3])
    print("| replay runs/s (`tdf run --replay`, process included) | %.1f runs/s, %.0f exchanges/s | | %s |"
          % (runs / seconds, exchanges / seconds, line.split(":")[0]))
else:
    print("| replay runs/s | Benchmarks/replay/run.sh said: %s | | |" % line)
EOF
)
    else
        REPLAY_ROW="| replay runs/s | Benchmarks/replay/run.sh failed: $replay_line | | |"
    fi
fi

# MIDI: tdf midi analyze against mido on one generated file.
MIDI_OUT=$(TDF="$TDF" BIG="$WORK/big.mid" bash "$ROOT/Benchmarks/midi/run.sh" "$MIDI_NOTES" 2>&1)

python3 - <<EOF
import json
rounds = {$(for k in "${!RPS[@]}"; do printf '"%s": [%s], ' "$k" "${RPS[$k]}"; done)}
round_p99 = {$(for k in "${!P99[@]}"; do printf '"%s": [%s], ' "$k" "${P99[$k]}"; done)}
median_round = {k: sorted(range(len(v)), key=lambda i: v[i])[len(v) // 2] for k, v in rounds.items()}
rps = {k: rounds[k][i] for k, i in median_round.items()}
p99 = {k: round_p99[k][i] for k, i in median_round.items()}
round_cpu = {$(for k in "${!CPU[@]}"; do printf '"%s": [%s], ' "$k" "${CPU[$k]}"; done)}
cpu = {k: round_cpu[k][median_round[k]] for k in round_cpu}
latency = {$(for k in "${!LATENCY[@]}"; do printf '"%s": "%s", ' "$k" "${LATENCY[$k]}"; done)}
def microseconds(text):
    for unit, scale in (("us", 1), ("ms", 1000), ("s", 1000000)):
        if text.endswith(unit):
            return float(text[:-len(unit)]) * scale
    raise ValueError(text)
print("Measured $(date -u '+%Y-%m-%d %H:%M UTC') on $(nproc) cores; load average $LOAD_BEFORE before the wrk runs, "
      "$LOAD_AFTER after. wrk -t$THREADS -c$CONNECTIONS -d$DURATION, each configuration in $ROUNDS interleaved "
      "rounds, the median round shown; nginx 1 worker each (origin and proxy);"
      " mitmdump $(mitmdump --version 2>/dev/null | awk '/Mitmproxy/ {print $2}') in reverse mode.")
print()
print("| path | via | req/s | p99 | proxy CPU per request | vs nginx proxy | vs mitmdump (same mode) |")
print("|---|---|---:|---:|---:|---:|---:|")
rows = [("direct", "direct (nginx origin)", None), ("nginx", "nginx reverse proxy", None),
        ("mitm", "mitmdump passthrough", None), ("mitm-record", "mitmdump -w (record)", None),
        ("tdf-pass", "tdf proxy passthrough", "mitm"), ("tdf-record", "tdf proxy record", "mitm-record"),
        ("tdf-replay", "tdf proxy replay", "mitm")]
paths = "$PATHS".split()
for path in paths:
    for key, label, mitm in rows:
        name = "%s-%s" % (key, path)
        value = rps[name]
        nginx = value / rps["nginx-" + path]
        against = "%.1fx" % (value / rps["%s-%s" % (mitm, path)]) if mitm else ""
        used = "%d µs" % cpu[name] if name in cpu else ""
        print("| /%s | %s | %d | %s | %s | %.2fx | %s |" % (path, label, value, p99[name], used, nginx, against))
print()
for path in paths:
    ratios = ", ".join("%.2f" % (tdf / nginx)
                       for tdf, nginx in zip(rounds["tdf-record-" + path], rounds["nginx-" + path]))
    print("- tdf proxy record / nginx reverse proxy on /%s, round by round: %s" % (path, ratios))
print()
direct, proxied = json.loads('''$SSE_DIRECT'''), json.loads('''$SSE_PROXIED''')
print("| measure | tdf | reference | note |")
print("|---|---:|---:|---|")
print("| SSE per-event delay added by tdf record, p50 | %.3f ms | | %d events %d ms apart; direct p50 %.3f ms, "
      "through tdf %.3f ms |" % (proxied["median_ms"] - direct["median_ms"], $SSE_EVENTS, $SSE_GAP_MS,
                                 direct["median_ms"], proxied["median_ms"]))
print("| SSE per-event delay added by tdf record, p99 | %.3f ms | | direct p99 %.3f ms, through tdf %.3f ms |"
      % (proxied["p99_ms"] - direct["p99_ms"], direct["p99_ms"], proxied["p99_ms"]))
cassette = $CASSETTE_BYTES / max(1, $CASSETTE_EXCHANGES)
flows = $MITM_BYTES / max(1, $MITM_FLOWS)
print("| bytes per recorded /small exchange | %.1f B | %.1f B (mitmdump flow file) | %.3fx; %d exchanges in %d B, "
      "%d flows in %d B |" % (cassette, flows, cassette / flows, $CASSETTE_EXCHANGES, $CASSETTE_BYTES,
                              $MITM_FLOWS, $MITM_BYTES))
for path in ["small", "bin64k"]:
    direct = microseconds(latency["direct-" + path])
    for key, label in (("nginx", "nginx reverse proxy"), ("tdf-record", "tdf proxy record")):
        added = microseconds(latency["%s-%s" % (key, path)]) - direct
        print("| added latency, one request in flight, /%s, %s | +%.0f µs | | wrk -t1 -c1 median; direct %.0f µs |"
              % (path, label, added, direct))
random_bytes, random_blobs = $RANDOM_BYTES, $RANDOM_BLOBS
print("| bytes on disk per exchange of 64 KiB random bytes, all different | %.0f B (%.3fx the body) | | "
      "%d exchanges, %d blobs, cassettes and blobs %d B |"
      % (random_bytes / $RANDOM_EXCHANGES, random_bytes / $RANDOM_EXCHANGES / 65536, $RANDOM_EXCHANGES,
         random_blobs, random_bytes))
print("""$REPLAY_ROW""")
midi = """$MIDI_OUT""".splitlines()
swift = next((l for l in midi if l.startswith("swift tdf")), "swift: no result")
mido = next((l for l in midi if l.startswith("mido parse+notes")), "mido: no result")
print("| MIDI analysis, $MIDI_NOTES notes | %s | %s | Benchmarks/midi/run.sh |"
      % (swift.split(":", 1)[-1].strip(), mido.split(":", 1)[-1].strip()))
EOF

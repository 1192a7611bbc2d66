#!/bin/sh
# Renders OUT_DIR/report/report.html in headless Chromium with every request sent to a closed proxy port, saves a
# screenshot, and exits 1 if the page logged to the console or asked for anything over the network (Chromium's own
# background traffic to Google hosts is ignored). Usage: Scripts/screenshot-report.sh OUT_DIR [PNG]
# Needs Debian's chromium (apt-get install chromium).
set -eu
dir=${1:?usage: screenshot-report.sh OUT_DIR [PNG]}
png=${2:-$dir/report/screenshot.png}
html=$(cd "$dir/report" && pwd)/report.html
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
chromium --headless --no-sandbox --disable-gpu --user-data-dir="$work/profile" \
    --disable-background-networking --disable-component-update --disable-sync --no-first-run \
    --proxy-server=127.0.0.1:9 --log-net-log="$work/net.json" \
    --enable-logging=stderr --v=0 --window-size=1280,4000 \
    --screenshot="$png" "file://$html" 2>"$work/log" || { cat "$work/log" >&2; exit 1; }
echo "$png"
status=0
if grep -i 'CONSOLE' "$work/log" >&2; then status=1; fi
requests=$(grep -o '"url":"[a-z]*://[^"]*"' "$work/net.json" | grep -v '"url":"file://' \
    | grep -v -E '://([a-z0-9-]+\.)*(google\.com|googleapis\.com|gvt1\.com)[/:"]' | sort -u || true)
if [ -n "$requests" ]; then echo "network requests: $requests" >&2; status=1; fi
[ "$status" = 0 ] && echo "no console messages, no network requests" >&2
exit "$status"

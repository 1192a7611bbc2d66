#!/bin/sh
# Renders OUT_DIR/report/report.html in headless Chromium with every request sent to a closed proxy port, saves a
# screenshot of the whole page (1280 CSS px wide, as tall as the page, cut at 60,000 px with a note), prints the PNG's
# path and pixel size, and exits 1 if the page logged to the console or asked for anything over the network (Chromium's
# own background traffic to Google hosts is ignored); exits 2 when chromium, python3 or the report is missing.
# Usage: Scripts/screenshot-report.sh OUT_DIR [PNG]
# Needs Debian's chromium (apt-get install chromium) and python3; the work is done by screenshot_report.py beside this
# script, which drives Chromium over the DevTools protocol (standard library only).
set -eu
dir=${1:?usage: screenshot-report.sh OUT_DIR [PNG]}
png=${2:-$dir/report/screenshot.png}
command -v chromium >/dev/null 2>&1 \
    || { echo "screenshot-report: chromium is not installed (Debian: apt-get install -y chromium)" >&2; exit 2; }
command -v python3 >/dev/null 2>&1 || { echo "screenshot-report: python3 is not installed" >&2; exit 2; }
[ -f "$dir/report/report.html" ] || { echo "screenshot-report: no $dir/report/report.html" >&2; exit 2; }
html=$(cd "$dir/report" && pwd)/report.html
exec python3 "$(dirname "$0")/screenshot_report.py" "$html" "$png"

#!/bin/sh
# Regenerates Docs/cli.md from the command tree ('tdf help --markdown'), so the reference is every command's
# --help word for word. Run it after adding or changing a command; the TourDeForceCLITests CLI reference test
# fails until Docs/cli.md matches. Usage: Scripts/cli-reference.sh [TDF]  (default: builds .build/debug/tdf)
set -eu
cd "$(dirname "$0")/.."
tdf=${1:-}
if [ -z "$tdf" ]; then
    swift build --product tdf >&2
    tdf=.build/debug/tdf
fi
"$tdf" help --markdown > Docs/cli.md.tmp
mv Docs/cli.md.tmp Docs/cli.md
echo "wrote Docs/cli.md" >&2

#!/usr/bin/env bash
# Regenerates cassettes/demo: a three-run recording of the embedded simulator (seed 1337) that `swift test`
# replays offline. It keeps what replay needs (config.json, runs.jsonl, manifest.json, cassettes/) and what the
# replay is compared with beyond runs.jsonl (midi/, muse/); events, metrics, logs and payloads are left out to keep
# the recording small, and the replay regenerates them.
set -euo pipefail
cd "$(dirname "$0")/.."
out=cassettes/demo
rm -rf "$out"
swift run tdf run --stack embedded --runs 3 --seed 1337 --concurrency 1 --out "$out"
rm -rf "$out"/events.jsonl* "$out"/metrics.jsonl* "$out"/logs "$out"/payloads
du -sh "$out"

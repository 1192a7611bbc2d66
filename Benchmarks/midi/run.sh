#!/usr/bin/env bash
# MIDI benchmark: `tdf midi analyze FILE --json` (read + every metric + JSON) beside mido (read +
# note pairing) on one large generated file; prints seconds, notes/s and MB/s for both.
#
# usage: Benchmarks/midi/run.sh [NOTES]        (default 1,000,000 notes; needs `pip install mido`)
# env:   BIG=path      the file (default Benchmarks/midi/big.mid, generated when missing)
#        TDF=binary    use this tdf instead of building `swift build -c release --product tdf`
#        REPEATS=n     Swift runs, best taken (default 3); mido runs once (it takes seconds)
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
notes="${1:-1000000}"
big="${BIG:-$here/big.mid}"
repeats="${REPEATS:-3}"

python3 -c 'import mido' 2>/dev/null || { echo "run.sh: needs mido (pip install mido)" >&2; exit 2; }
if [ ! -f "$big" ] || [ ! -f "$big.count" ] || [ "$(cat "$big.count")" != "$notes" ]; then
    python3 "$here/gen_big.py" "$big" "$notes"
fi
count="$(cat "$big.count")"
bytes="$(stat -c %s "$big")"

if [ -z "${TDF:-}" ]; then
    (cd "$root" && swift build -c release --product tdf)
    TDF="$root/.build/release/tdf"
fi

best=""
for _ in $(seq "$repeats"); do
    start=$(date +%s%N)
    "$TDF" midi analyze "$big" --json >/dev/null
    end=$(date +%s%N)
    elapsed=$((end - start))
    if [ -z "$best" ] || [ "$elapsed" -lt "$best" ]; then best=$elapsed; fi
done
python3 - "$best" "$count" "$bytes" "$repeats" <<'PY'
import sys
nanoseconds, notes, size, repeats = (int(arg) for arg in sys.argv[1:])
seconds = nanoseconds / 1e9
print(f'swift: {notes} notes, {size} bytes')
print(f'swift tdf midi analyze --json (best of {repeats}, process included): '
      f'{seconds:.3f} s  {notes / seconds:.0f} notes/s  {size / 1e6 / seconds:.2f} MB/s')
PY
python3 "$here/mido_bench.py" "$big" 1

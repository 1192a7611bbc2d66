# Shared by the benchmark scripts (sourced, after ROOT is set): the tdf binary, a work directory and the
# background processes that die with the script.

# TDF is the binary to measure: $TDF when given, else a release build of this checkout.
if [ -z "${TDF:-}" ]; then
    (cd "$ROOT" && swift build -c release --product tdf >/dev/null)
    TDF="$ROOT/.build/release/tdf"
fi

WORK=$(mktemp -d)
# Background processes to stop on exit: append with PIDS+=($!).
PIDS=()
cleanup() {
    for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
    wait 2>/dev/null || true
    rm -rf "$WORK"
}
trap cleanup EXIT

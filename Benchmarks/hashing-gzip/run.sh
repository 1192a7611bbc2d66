#!/usr/bin/env bash
# Throughput of the Hashing and Gzip modules beside sha256sum and gzip, on the same data.
#
# Usage: Benchmarks/hashing-gzip/run.sh [size in MiB, default 256]
#
# Builds a throwaway SwiftPM package in a temporary directory whose targets are symlinks to
# Sources/{CZlib,CSHA256,Vocabulary,Hashing,Gzip} plus this directory's main.swift, in release mode, so nothing is
# added to the project's Package.swift. Needs ~1 GiB of memory and 3x the size in /tmp.
set -euo pipefail

size_mib="${1:-256}"
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
work="${TDF_BENCH_DIR:-${TMPDIR:-/tmp}/tdf-hashing-gzip-bench}"
data_dir="$(mktemp -d)"
trap 'rm -rf "$data_dir"' EXIT

mkdir -p "$work/Sources/hg-bench"
for module in CZlib CSHA256 Vocabulary Hashing Gzip; do
    ln -sfn "$root/Sources/$module" "$work/Sources/$module"
done
ln -sfn "$here/main.swift" "$work/Sources/hg-bench/main.swift"
cat > "$work/Package.swift" <<'SWIFT'
// swift-tools-version: 6.2
import PackageDescription

let package = Package(
    name: "HashingGzipBench",
    targets: [
        .systemLibrary(name: "CZlib", path: "Sources/CZlib"),
        .target(name: "Vocabulary"),
        .target(name: "CSHA256"),
        .target(name: "Hashing", dependencies: ["CSHA256"]),
        .target(name: "Gzip", dependencies: ["Vocabulary", "CZlib"]),
        .executableTarget(name: "hg-bench", dependencies: ["Hashing", "Gzip"]),
    ]
)

for target in package.targets where [.executable, .regular].contains(target.type) {
    var settings = target.swiftSettings ?? []
    settings.append(.swiftLanguageMode(.v6))
    settings.append(.enableUpcomingFeature("ExistentialAny"))
    settings.append(.enableUpcomingFeature("MemberImportVisibility"))
    settings.append(.enableUpcomingFeature("InternalImportsByDefault"))
    target.swiftSettings = settings
}
SWIFT

echo "building hg-bench (release) in $work ..." >&2
swift build -c release --package-path "$work" --product hg-bench >&2
bench="$(swift build -c release --package-path "$work" --show-bin-path)/hg-bench"

# Wall-clock seconds of a command, to nanoseconds.
time_of() {
    local start end
    start=$(date +%s.%N)
    "$@"
    end=$(date +%s.%N)
    awk -v a="$start" -v b="$end" 'BEGIN { printf "%.6f", b - a }' 
}

rate() { # bytes seconds -> MB/s (MiB/s)
    awk -v n="$1" -v s="$2" 'BEGIN { printf "%.1f", n / 1048576 / s }' 
}

echo "measuring on ${size_mib} MiB of JSON lines ..." >&2
results="$("$bench" "$size_mib" "$data_dir")"
data="$data_dir/data.jsonl"
bytes=$(stat -c %s "$data")

swift_digest=$(printf '%s\n' "$results" | awk -F'\t' '$1 ~ /^SHA256/ {print $3}')
tool_digest=$(sha256sum "$data" | cut -c1-64)
if [[ "$swift_digest" != "$tool_digest" ]]; then
    echo "MISMATCH: SHA256 $swift_digest, sha256sum $tool_digest" >&2
    exit 1
fi

sha_tool=$(time_of sh -c "sha256sum '$data' >/dev/null")
gzip1=$(time_of sh -c "gzip -1 -c '$data' > '$data_dir/tool.gz'")
gzip1_ratio=$(awk -v n="$bytes" -v c="$(stat -c %s "$data_dir/tool.gz")" 'BEGIN { printf "%.2f", n / c }')
gunzip=$(time_of sh -c "gzip -dc '$data_dir/tool.gz' >/dev/null")
cmp <(gzip -dc "$data_dir/data.jsonl.gz") "$data" || { echo "MISMATCH: gzip -dc of our output" >&2; exit 1; }

{
    printf 'measurement\tMiB/s\tnote\n'
    printf '%s\n' "$results" | awk -F'\t' 'BEGIN{OFS="\t"} $1 ~ /^SHA256/ {$3="digest matches sha256sum"} {print}'
    printf 'sha256sum\t%s\t%s\n' "$(rate "$bytes" "$sha_tool")" "coreutils"
    printf 'gzip -1\t%s\tratio %s\n' "$(rate "$bytes" "$gzip1")" "$gzip1_ratio"
    printf 'gzip -dc\t%s\toutput MiB/s\n' "$(rate "$bytes" "$gunzip")"
} | column -t -s $'\t'
echo "(${size_mib} MiB, $(nproc) cores, $(date -u +%Y-%m-%dT%H:%MZ))"

#!/usr/bin/env bash
# Builds the libFuzzer targets under Fuzz/.build and runs them.
#
#   Fuzz/run.sh TARGET SECONDS [extra libFuzzer flags]   fuzz one target for SECONDS of wall time
#   Fuzz/run.sh --all SECONDS                            fuzz every target in turn (what CI runs)
#   Fuzz/run.sh --build                                  only build every target
#   Fuzz/run.sh --list                                   print the target names
#
# The project's module sources are compiled straight with swiftc (not SwiftPM) so that every module,
# not only the fuzz entry point, carries coverage instrumentation and AddressSanitizer. New inputs go to
# Fuzz/.build/corpus/TARGET (never committed); the committed seed corpus Fuzz/corpus/TARGET is only
# read. A crash is written to Fuzz/artifacts/TARGET/ and makes the script exit non-zero.
set -euo pipefail
fuzz_dir="$(cd "$(dirname "$0")" && pwd)"
root="$(dirname "$fuzz_dir")"
build="$fuzz_dir/.build"
targets=(request-head response-head chunked-body sse smf cassette value-threads proxy-request)

# The modules the targets use, each after the modules it imports.
modules=(Vocabulary HTTPWire MIDI JSON Hashing Gzip Cassettes Sockets HTTPTransport HTTPSClient RecordingProxy)

# The modules a target links, dependencies included.
target_modules() {
    case "$1" in
        request-head | response-head | chunked-body | sse) echo "HTTPWire" ;;
        smf) echo "MIDI" ;;
        cassette | value-threads) echo "Vocabulary HTTPWire JSON Hashing Gzip Cassettes" ;;
        proxy-request) echo "Vocabulary HTTPWire JSON Hashing Gzip Cassettes Sockets HTTPTransport HTTPSClient RecordingProxy" ;;
        *) echo "unknown target '$1'; targets: ${targets[*]}" >&2; exit 2 ;;
    esac
}

swift_flags=(
    -swift-version 6 -O -g -parse-as-library -sanitize=fuzzer,address -package-name tdf
    -enable-upcoming-feature ExistentialAny -enable-upcoming-feature MemberImportVisibility
    -enable-upcoming-feature InternalImportsByDefault
    -I "$build/modules" -I "$root/Sources/CZlib" -I "$root/Sources/CLinux" -I "$root/Sources/CSHA256/include"
)

# Set once a module is rebuilt: every module after it is rebuilt too, since it may import the one that changed.
rebuilt_earlier=false

# Compiles one module into a static library unless the library is newer than its sources (and nothing
# before it in `modules` was rebuilt).
build_module() {
    local name="$1"
    local sources=("$root/Sources/$name"/*.swift)
    local library="$build/modules/lib$name.a"
    if ! $rebuilt_earlier && [ -f "$library" ] \
        && [ -z "$(find "$root/Sources/$name" -newer "$library" -print -quit)" ]; then
        return
    fi
    rebuilt_earlier=true
    echo "fuzz: compiling module $name" >&2
    swiftc "${swift_flags[@]}" -module-name "$name" -emit-library -static -wmo \
        -emit-module -emit-module-path "$build/modules/$name.swiftmodule" \
        -o "$library" "${sources[@]}"
}

# The C block function Hashing calls (Sources/CSHA256), as a static library every target links.
build_csha256() {
    local library="$build/modules/libCSHA256.a" source="$root/Sources/CSHA256/sha256.c"
    if [ -f "$library" ] && [ -z "$(find "$root/Sources/CSHA256" -newer "$library" -print -quit)" ]; then
        return
    fi
    echo "fuzz: compiling C module CSHA256" >&2
    clang -O2 -g -fsanitize=fuzzer-no-link,address -I "$root/Sources/CSHA256/include" -c "$source" \
        -o "$build/modules/sha256.o"
    rm -f "$library"
    ar rcs "$library" "$build/modules/sha256.o"
    rebuilt_earlier=true
}

build_all() {
    mkdir -p "$build/modules" "$build/bin"
    build_csha256
    local module
    for module in "${modules[@]}"; do
        build_module "$module"
    done
    local target
    for target in "$@"; do
        local binary="$build/bin/$target" source="$fuzz_dir/Targets/$target.swift"
        if [ -f "$binary" ] && [ -z "$(find "$fuzz_dir/Targets" "$build/modules" "$0" -newer "$binary" -print -quit)" ]; then
            continue
        fi
        echo "fuzz: linking $target" >&2
        local sources=("$source" "$fuzz_dir"/Targets/Support/*.swift) libraries=() module
        case "$target" in
            # The parse loops the unit tests use, so a crash input replays in a test unchanged.
            request-head | response-head | chunked-body | sse) sources+=("$root/Tests/HTTPWireTests/WireTestHelpers.swift") ;;
        esac
        for module in $(target_modules "$target"); do
            libraries+=("$build/modules/lib$module.a")
        done
        swiftc "${swift_flags[@]}" -module-name FuzzTarget "${sources[@]}" "${libraries[@]}" \
            "$build/modules/libCSHA256.a" -use-ld=lld -lz -o "$binary"
    done
}

run_target() {
    local target="$1" seconds="$2"
    shift 2
    target_modules "$target" >/dev/null
    mkdir -p "$build/corpus/$target" "$fuzz_dir/artifacts/$target"
    # Without SWIFT_BACKTRACE, a crash starts swift-backtrace, which waits 30 s for a debugger.
    SWIFT_BACKTRACE=enable=no LSAN_OPTIONS="suppressions=$fuzz_dir/lsan.supp:print_suppressions=0" \
        "$build/bin/$target" \
        -max_total_time="$seconds" -max_len=16384 -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
        -artifact_prefix="$fuzz_dir/artifacts/$target/" "$@" \
        "$build/corpus/$target" "$fuzz_dir/corpus/$target"
}

case "${1:-}" in
    --list)
        printf '%s\n' "${targets[@]}"
        ;;
    --build)
        build_all "${targets[@]}"
        ;;
    --all)
        seconds="${2:?usage: Fuzz/run.sh --all SECONDS}"
        build_all "${targets[@]}"
        for target in "${targets[@]}"; do
            echo "fuzz: $target for ${seconds}s" >&2
            run_target "$target" "$seconds"
        done
        ;;
    "" | -h | --help)
        sed -n '2,12p' "$0" | sed 's/^# \{0,1\}//'
        ;;
    *)
        target="$1"
        seconds="${2:?usage: Fuzz/run.sh TARGET SECONDS}"
        shift 2
        target_modules "$target" >/dev/null
        build_all "$target"
        run_target "$target" "$seconds" "$@"
        ;;
esac

#!/usr/bin/env bash
# Coverage-guided fuzzing of every parser of untrusted input (Fuzz/Sources, SECURITY.md) with
# libFuzzer and AddressSanitizer, from the Swift toolchain.
#
#   scripts/fuzz.sh [--seconds N] [--jobs J] [--debug] [TARGET...]
#
# Builds Fuzz/ into .build-fuzz (release, or debug with --debug: quicker to build, slower to
# run), then runs each target for N seconds (default 60), J at a time (default 1), starting from
# its seeds (Fuzz/corpus/<target>) and every input that once crashed it (Fuzz/regressions/<target>).
# New interesting inputs go to .build-fuzz/corpus/<target>, crashes to
# .build-fuzz/artifacts/<target>/. Prints, per target, the executions, the coverage reached
# (libFuzzer's cov: edges and ft: features) and whether it crashed; exits 1 if any target did.
# `make fuzz` runs this; `make test` runs a short pass (--debug --seconds 3).
set -euo pipefail
cd "$(dirname "$0")/.."

seconds=60
jobs=1
config=release
targets=()
while [ $# -gt 0 ]; do
    case "$1" in
        --seconds) seconds="$2"; shift 2 ;;
        --jobs) jobs="$2"; shift 2 ;;
        --debug) config=debug; shift ;;
        -h|--help) sed -n '2,15p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        -*) echo "fuzz.sh: unknown option $1" >&2; exit 2 ;;
        *) targets+=("$1"); shift ;;
    esac
done
all=(front-matter markdown xliff legacy json channel zip gzip)
[ ${#targets[@]} -gt 0 ] || targets=("${all[@]}")
for t in "${targets[@]}"; do
    [[ " ${all[*]} " == *" $t "* ]] || { echo "fuzz.sh: no target '$t'; targets are ${all[*]}" >&2; exit 2; }
done

SWIFT="${SWIFT:-swift}"
echo "fuzz.sh: building the fuzz targets ($config, -sanitize=fuzzer,address) in .build-fuzz" >&2
LESSONC_FUZZ=1 "$SWIFT" build -c "$config" --scratch-path .build-fuzz --product lessonc-fuzz \
    --sanitize=fuzzer --sanitize=address -Xswiftc -sanitize=fuzzer,address -Xswiftc -enable-testing >&2
binary=".build-fuzz/$config/lessonc-fuzz"

# Longest input per target: enough for the nesting and size limits to be reached.
max_len() {
    case "$1" in
        markdown|legacy|zip) echo 65536 ;;
        xliff) echo 32768 ;;
        *) echo 16384 ;;
    esac
}

run_one() {
    local t="$1" log=".build-fuzz/logs/$1.log"
    mkdir -p ".build-fuzz/corpus/$t" ".build-fuzz/artifacts/$t" .build-fuzz/logs
    local dirs=(".build-fuzz/corpus/$t" "Fuzz/corpus/$t")
    [ -d "Fuzz/regressions/$t" ] && dirs+=("Fuzz/regressions/$t")
    # Leaks at exit are Swift's and Foundation's caches, not findings; a leak per input shows
    # as the RSS limit instead. The backtracer would spend seconds on every crash.
    # Shorter allocation stacks: recording them was a fifth of the time.
    if LESSONC_FUZZ_TARGET="$t" SWIFT_BACKTRACE=enable=no ASAN_OPTIONS=detect_leaks=0:allocator_may_return_null=1:malloc_context_size=8 \
        "$binary" -max_total_time="$seconds" -timeout=20 -rss_limit_mb=3072 -max_len="$(max_len "$t")" \
        -print_final_stats=1 -artifact_prefix=".build-fuzz/artifacts/$t/" "${dirs[@]}" >"$log" 2>&1; then
        echo ok >".build-fuzz/logs/$t.status"
    else
        echo crashed >".build-fuzz/logs/$t.status"
    fi
}

running=0
for t in "${targets[@]}"; do
    echo "fuzz.sh: $t for ${seconds} s" >&2
    run_one "$t" &
    running=$((running + 1))
    if [ "$running" -ge "$jobs" ]; then wait -n; running=$((running - 1)); fi
done
wait

failed=0
printf '%-13s %12s %8s %9s %8s  %s\n' TARGET EXECUTIONS COV FEATURES CORPUS RESULT
for t in "${targets[@]}"; do
    log=".build-fuzz/logs/$t.log"
    execs=$(grep -o 'stat::number_of_executed_units: [0-9]*' "$log" | awk '{print $2}' | tail -1)
    last=$(grep -E '^#[0-9]+' "$log" | grep -E 'cov: ' | tail -1)
    cov=$(echo "$last" | grep -o 'cov: [0-9]*' | awk '{print $2}')
    ft=$(echo "$last" | grep -o 'ft: [0-9]*' | awk '{print $2}')
    corp=$(echo "$last" | grep -o 'corp: [0-9]*' | awk '{print $2}')
    status=$(cat ".build-fuzz/logs/$t.status")
    if [ "$status" != ok ]; then
        failed=1
        artifact=$(ls -t ".build-fuzz/artifacts/$t"/* 2>/dev/null | head -1 || true)
        status="CRASHED: $(grep -m1 -E 'ERROR:|Fatal error|panic|deadly signal' "$log" | cut -c1-120)${artifact:+ (input: $artifact)}"
    fi
    printf '%-13s %12s %8s %9s %8s  %s\n' "$t" "${execs:-?}" "${cov:-?}" "${ft:-?}" "${corp:-?}" "$status"
done
[ "$failed" -eq 0 ] || { echo "fuzz.sh: crashes found; logs in .build-fuzz/logs/. Add each input to Fuzz/regressions/<target>/ and a test." >&2; exit 1; }

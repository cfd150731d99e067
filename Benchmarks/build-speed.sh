#!/usr/bin/env bash
# Cold `lessonc build` (no compile cache) on a synthetic corpus against Hugo on the same Markdown, in one run.
# Prints wall time, lessons per second and peak RSS (from /usr/bin/time -v).
#   Benchmarks/build-speed.sh [LESSONS]      (default 10000; needs: make lessonc, hugo, /usr/bin/time)
set -euo pipefail
cd "$(dirname "$0")/.."
lessons="${1:-10000}"
lessonc="$PWD/.build/release/lessonc"
[ -x "$lessonc" ] || { echo "build lessonc first: make lessonc" >&2; exit 2; }
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

python3 Benchmarks/gen_corpus.py "$work" --lessons "$lessons"

measure() {   # measure NAME COMMAND... → sets WALL and RSS_MB
    local log="$work/time-$1.log"
    /usr/bin/time -v "${@:2}" >"$work/out-$1.log" 2>"$log" || { cat "$work/out-$1.log" "$log" >&2; exit 1; }
    WALL=$(awk -F': ' '/Elapsed \(wall clock\)/ {n=split($2,a,":"); s=0; for(i=1;i<=n;i++) s=s*60+a[i]; print s}' "$log")
    RSS_MB=$(awk -F': ' '/Maximum resident set size/ {printf "%.0f", $2/1024}' "$log")
}

# A cold build: without lessonc's compile cache (ROOT/.lessonc-cache), which would otherwise make
# every run after the first incremental. An older lessonc without the cache has no --no-cache.
nocache=()
"$lessonc" build --help | grep -q -- --no-cache && nocache=(--no-cache)

# Alternate the two tools, each into a fresh output folder (nothing is deleted between runs:
# ext4 slows file creation right after deletions, which would favour whichever runs later),
# and report the median of RUNS runs of each.
runs="${RUNS:-3}"
lc_walls=() lc_rsss=() hugo_walls=() hugo_rsss=()
have_hugo=$(command -v hugo >/dev/null && echo yes || echo no)
for r in $(seq 1 "$runs"); do
    if [ "$have_hugo" = yes ]; then
        measure "hugo-$r" hugo --quiet -s "$work/hugo" -d "$work/hugo/public-$r"
        hugo_walls+=("$WALL") hugo_rsss+=("$RSS_MB")
    fi
    measure "lessonc-$r" "$lessonc" build --root "$work/lessonc" --out "$work/lessonc/build-$r" "${nocache[@]}"
    lc_walls+=("$WALL") lc_rsss+=("$RSS_MB")
done
median() { printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
lc_wall=$(median "${lc_walls[@]}") lc_rss=$(median "${lc_rsss[@]}")
files=$(find "$work/lessonc/build-1" -name '*.json' | wc -l)
if [ "$have_hugo" = yes ]; then
    hugo_wall=$(median "${hugo_walls[@]}") hugo_rss=$(median "${hugo_rsss[@]}")
else
    hugo_wall="" hugo_rss=""
fi
echo "runs (wall s):   lessonc ${lc_walls[*]} | hugo ${hugo_walls[*]:-n/a}"
echo "corpus:          $lessons lessons ($(du -sh "$work/lessonc/content" | cut -f1) on disk), $(nproc) cores"
echo "lessonc build:   ${lc_wall} s wall (median of $runs), $(awk -v n="$lessons" -v t="$lc_wall" 'BEGIN{printf "%.0f", n/t}') lessons/s, peak RSS ${lc_rss} MB, $files JSON files"
if [ -n "$hugo_wall" ]; then
    echo "hugo:            ${hugo_wall} s wall (median of $runs), peak RSS ${hugo_rss} MB"
    echo "ratio:           lessonc takes $(awk -v a="$lc_wall" -v b="$hugo_wall" 'BEGIN{printf "%.2f", a/b}') of Hugo's wall time (target: at most 0.50), peak RSS target under 150 MB"
else
    echo "hugo:            not installed (apt-get install hugo) — no ratio"
fi

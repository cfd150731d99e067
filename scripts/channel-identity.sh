#!/usr/bin/env bash
# Checks that two lessonc builds write byte-identical build folders and channels from the same
# sources (issue 12: behaviour unchanged by the in-memory pipeline and the compile cache).
#
#   scripts/channel-identity.sh OLD_LESSONC NEW_LESSONC [PROJECT_ROOT]
#
# Copies PROJECT_ROOT's content/ and locales/ (default: this repository's) twice and, with each
# lessonc, on one signing key and fixed SOURCE_DATE_EPOCHs: builds and publishes release 1, edits
# a lesson and a translation, builds and publishes release 2, deletes a lesson, builds and
# publishes release 3. Each lessonc keeps its default compile cache between runs, so the second
# and third runs of a cached lessonc are incremental. Then compares the two build folders and the
# two channels file by file. Prints what differs; exits 0 when nothing does, 1 otherwise.
set -euo pipefail

[ $# -ge 2 ] || { sed -n '2,12p' "$0" | sed 's/^# \{0,1\}//'; exit 2; }
old="$(realpath "$1")"; new="$(realpath "$2")"
src="$(realpath "${3:-$(dirname "$0")/..}")"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

"$new" keygen --out "$work/key" --no-passphrase >/dev/null

run() { # NAME LESSONC
    local name="$1" lessonc="$2" root="$work/$1"
    mkdir -p "$root"
    cp -R "$src/content" "$root/content"
    [ -d "$src/locales" ] && cp -R "$src/locales" "$root/locales"
    # The edited lesson: the first lesson file in sorted order. The deleted one: the last that
    # no other file links to and no translation names (deleting it leaves the sources valid).
    local lessons first last="" xlf candidate curriculum
    lessons="$(cd "$root" && find content -name '*.md' ! -name '_*' ! -name 'README.md' ! -name 'curriculum.md' | LC_ALL=C sort)"
    first="$(head -n 1 <<<"$lessons")"
    for candidate in $(tac <<<"$lessons"); do
        curriculum="$(cut -d/ -f2 <<<"$candidate")"
        compgen -G "$root/locales/*/$curriculum.xlf" >/dev/null && continue
        grep -rqF "$(basename "$candidate")" "$root/content" && continue
        last="$candidate"; break
    done
    [ -n "$last" ] || { echo "no lesson can be deleted without breaking a link or a translation" >&2; exit 1; }
    xlf="$(cd "$root" && { find locales -name '*.xlf' 2>/dev/null || true; } | LC_ALL=C sort | head -n 1)"
    for release in 1 2 3; do
        case $release in
            2) printf '\nOne more sentence, added for release 2.\n' >> "$root/$first"
               [ -n "$xlf" ] && sed -i '0,/<target>/s//<target>Edited: /' "$root/$xlf" ;;
            3) rm "$root/$last" ;;
        esac
        export SOURCE_DATE_EPOCH=$((1700000000 + release * 86400))
        "$lessonc" build --root "$root" --out "$root/build-$release" >/dev/null 2>"$work/$name-build-$release.err" || true
        "$lessonc" publish --root "$root" --channel "$root/channel" --key "$work/key.key" >/dev/null 2>"$work/$name-publish-$release.err" \
            || { echo "$name: publish of release $release failed:"; cat "$work/$name-publish-$release.err"; exit 1; }
    done
}
run old "$old"
run new "$new"

status=0
for release in 1 2 3; do
    diff -r "$work/old/build-$release" "$work/new/build-$release" >/dev/null \
        || { echo "build folders of release $release differ:"; diff -rq "$work/old/build-$release" "$work/new/build-$release" | head -20; status=1; }
done
diff -r "$work/old/channel" "$work/new/channel" >/dev/null \
    || { echo "channels differ:"; diff -rq "$work/old/channel" "$work/new/channel" | head -20; status=1; }
files=$(find "$work/new/channel" -type f | wc -l)
releases=$(ls "$work/new/channel/releases" | wc -l)
if [ $status -eq 0 ]; then
    echo "identical: 3 build folders and one channel ($releases releases, $files files) from $old and $new"
fi
exit $status

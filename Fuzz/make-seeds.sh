#!/usr/bin/env bash
# Regenerates the seed corpora in Fuzz/corpus/<target>/ from what the tests use: the golden
# Markdown constructs, a small project published into a channel with lessonc itself (its
# documents, signatures, objects, a delta and a pack), the XLIFF extract writes, and a legacy
# file trimmed from the shared test corpus. Seeds are small on purpose: libFuzzer grows them.
#   Fuzz/make-seeds.sh [LESSONC]     (default .build/debug/lessonc)
set -euo pipefail
cd "$(dirname "$0")/.."
lessonc="$(realpath "${1:-.build/debug/lessonc}")"
out=Fuzz/corpus
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
rm -rf "$out"
mkdir -p "$out"/{front-matter,markdown,xliff,legacy,json,channel,zip,gzip}

# Markdown: every golden construct, wrapped as a lesson; front matter: the repository's headers.
python3 - "$out" <<'EOF'
import glob, json, os, sys
out = sys.argv[1]
for path in sorted(glob.glob("Tests/LessonCompilerTests/Golden/*.json")):
    doc = json.load(open(path))
    name = os.path.basename(path)[:-5]
    if isinstance(doc, dict) and "markdown" in doc:
        open(f"{out}/markdown/{name}.md", "w").write("---\ntitle: Seed\n---\n" + doc["markdown"])
    # Golden documents are JSON seeds too.
    open(f"{out}/json/{name}.json", "w").write(json.dumps(doc, ensure_ascii=False))
seen = 0
for path in sorted(glob.glob("content/*/curriculum.md") + glob.glob("content/*/*/*.md"))[:40]:
    text = open(path, encoding="utf-8").read()
    if text.startswith("---\n"):
        end = text.index("\n---", 4) + 4
        open(f"{out}/front-matter/{seen:02d}.md", "w").write(text[:end] + "\n")
        seen += 1
for name, text in {
    "nested": "---\ntitle: Deep\n---\n" + ">" * 40 + " deep\n\n" + "*" * 40 + "x" + "*" * 40 + "\n",
    "lists": "---\ntitle: Lists\n---\n" + "".join("  " * i + "- item\n" for i in range(12)),
    "assets": "---\ntitle: Assets\n---\n![A map](../assets/map.png)\n\n[Next](02-rules.md) and [far](../../x.md) and ![bad](/etc/passwd)\n",
}.items():
    open(f"{out}/markdown/{name}.md", "w").write(text)
EOF

# A small project: the fuzz targets' sample lesson and a second one.
project="$work/project"
mkdir -p "$project/content/demo/01-unit" "$project/content/demo/assets"
cat > "$project/content/demo/curriculum.md" <<'EOF'
---
id: demo
title: Demo
version: 1.0.0
language: en
license: CC-BY-4.0
authors: [Seed Author]
legacy_file: demo
---
A curriculum for fuzz seeds.
EOF
sed -n '/static let sampleLesson = """/,/^        """/p' Fuzz/Sources/Targets.swift | sed '1d;$d' | sed 's/^        //' > "$project/content/demo/01-unit/01-first.md"
printf -- '---\ntitle: The rules\nid: rules\n---\nWe meet every week.\n\n> [!NOTE]\n> Bring the book.\n' > "$project/content/demo/01-unit/02-rules.md"
printf '<svg xmlns="http://www.w3.org/2000/svg"/>\n' > "$project/content/demo/assets/map.png"
cp "$project/content/demo/01-unit/01-first.md" "$out/markdown/sample.md"

"$lessonc" translate extract --locale fr --root "$project" >/dev/null
cp "$project/locales/fr/demo.xlf" "$out/xliff/extracted.xlf"
# The same with every target filled, as a translator's tool returns it.
python3 - "$project/locales/fr/demo.xlf" "$out/xliff/translated.xlf" <<'EOF'
import re, sys
text = open(sys.argv[1], encoding="utf-8").read()
text = re.sub(r'(<source>(.*?)</source>)', lambda m: m.group(1) + '<target state="translated">' + m.group(2) + '</target>', text, flags=re.S)
open(sys.argv[2], "w", encoding="utf-8").write(text)
EOF

"$lessonc" export rcc-json --root "$project" --out "$work/export" >/dev/null
cp "$work"/export/rcc-json/v1/*/demo.json "$out/legacy/exported.json"
if [ -f ../shared/corpus/rcc-legacy/advocate-training.json ]; then
    python3 - ../shared/corpus/rcc-legacy/advocate-training.json "$out/legacy/advocate-training-start.json" <<'EOF'
import json, sys
doc = json.load(open(sys.argv[1], encoding="utf-8"))
content = doc["curriculum"]["content"]
doc["curriculum"]["content"] = [dict(content[0], subsections=content[0].get("subsections", [])[:2])]
json.dump(doc, open(sys.argv[2], "w", encoding="utf-8"), ensure_ascii=False)
EOF
fi

# A channel of two releases (so there is a diff and a delta), with a development key.
"$lessonc" keygen --out "$work/key" --no-passphrase >/dev/null
export SOURCE_DATE_EPOCH=1700000000
"$lessonc" publish --root "$project" --channel "$work/channel" --key "$work/key.key" >/dev/null 2>&1
sed -i 's/We meet every week./We meet every week, on Monday./' "$project/content/demo/01-unit/02-rules.md"
export SOURCE_DATE_EPOCH=1700000060
"$lessonc" publish --root "$project" --channel "$work/channel" --key "$work/key.key" >/dev/null 2>&1
ch="$work/channel"
cp "$ch/latest.json" "$out/channel/latest.json"
cp "$ch/latest.json.minisig" "$out/channel/latest.json.minisig"
cp "$ch/releases/2/manifest.json" "$out/channel/manifest.json"
cp "$ch/diffs/1-2.json" "$out/channel/diff.json"
cp "$ch/keys.json" "$out/channel/keys.json"
cp "$work/key.pub" "$out/channel/key.pub"
for f in "$out"/channel/*.json; do cp "$f" "$out/json/channel-$(basename "$f")"; done
cp "$ch/packs/2/demo-en.zip" "$out/zip/pack.zip"
unzip -p "$ch/packs/2/demo-en.zip" pack.json > "$out/channel/pack.json"
n=0
for object in $(find "$ch/objects" -type f | sort); do
    size=$(stat -c %s "$object")
    if [ "$size" -lt 2048 ] && [ $n -lt 6 ]; then cp "$object" "$out/gzip/object-$n"; n=$((n + 1)); fi
done
# The delta the diff names, and a plain deflate stream.
python3 - "$ch" "$out/gzip" <<'EOF'
import json, os, sys, zlib
ch, out = sys.argv[1], sys.argv[2]
diff = json.load(open(f"{ch}/diffs/1-2.json"))
for c in diff["changes"]:
    if c.get("delta"):
        sha = c["delta"]["object"]
        open(f"{out}/delta", "wb").write(open(f"{ch}/objects/{sha[:2]}/{sha}", "rb").read())
        break
open(f"{out}/zlib", "wb").write(zlib.compress(b"We meet every week." * 3))
EOF
echo "seeds written to $out: $(find "$out" -type f | wc -l) files, $(du -sh "$out" | cut -f1)"

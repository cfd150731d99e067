#!/usr/bin/env python3
"""Generates a synthetic lessonc corpus (and the same corpus as a Hugo site) for benchmarks.

Each lesson: paragraphs with emphasis and links, a numbered list, a PROMPT callout, an image
every fourth lesson, and a quiz. Deterministic: the same arguments give the same files.

usage: gen_corpus.py OUT_DIR [--lessons N]
  OUT_DIR/lessonc/content/...   a lessonc project
  OUT_DIR/hugo/...              a Hugo site with the same Markdown
"""
import argparse, os, random

WORDS = ("group savings share fund member loan interest record meeting treasurer cash box key "
         "business price cost profit market customer plan family risk phone money safety week "
         "together rules vote leader passbook social emergency repay kindly firmly small bulk "
         "portion sell buy reinvest shock illness drought theft budget school needs wants").split()
PER_UNIT = 100
PNG = bytes.fromhex("89504e470d0a1a0a0000000d4948445200000001000000010806000000"
                    "1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082")


def sentence(rng, n=None):
    n = n or rng.randint(8, 16)
    words = [rng.choice(WORDS) for _ in range(n)]
    words[0] = words[0].capitalize()
    return " ".join(words) + "."


def lesson(rng, i, total):
    unit = i // PER_UNIT
    other = rng.randrange(total)
    link = f"../{other // PER_UNIT + 1:03d}-unit-{other // PER_UNIT + 1}/{other % PER_UNIT + 1:03d}-lesson-{other + 1}.md"
    parts = [f"---\ntitle: \"Lesson {i + 1}: {rng.choice(WORDS)} and {rng.choice(WORDS)}\"\n"
             f"id: lesson-{i + 1}\nduration: {rng.randint(10, 60)} min\naudience: [facilitator, members]\n---\n"]
    parts.append(f"## Why this matters\n\n{sentence(rng)} *{sentence(rng, 4)}* {sentence(rng)} "
                 f"See [a related lesson]({link}). {sentence(rng)} **{sentence(rng, 3)}** {sentence(rng)}\n")
    parts.append(f"{sentence(rng)} {sentence(rng)} {sentence(rng)} {sentence(rng)}\n")
    parts.append("## Steps\n\n" + "".join(f"{n}. {sentence(rng, 7)}\n" for n in range(1, 6)))
    parts.append(f"> [!PROMPT]\n> \"{sentence(rng, 10)[:-1]}?\"\n")
    if i % 4 == 0:
        parts.append(f"![A diagram of {rng.choice(WORDS)} and {rng.choice(WORDS)}](../assets/picture-{unit % 10}.png)\n")
    parts.append(f"## Practice\n\n{sentence(rng)} {sentence(rng)} {sentence(rng)}\n\n{sentence(rng)} _{sentence(rng, 5)}_ {sentence(rng)}\n")
    parts.append(f"> [!QUIZ]\n> {sentence(rng, 9)[:-1]}?\n>\n> - [ ] {sentence(rng, 4)}\n> - [x] {sentence(rng, 4)}\n> - [ ] {sentence(rng, 4)}\n>\n> {sentence(rng)}\n")
    return "\n".join(parts)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("out")
    ap.add_argument("--lessons", type=int, default=10000)
    args = ap.parse_args()
    rng = random.Random(20261123)
    cur = os.path.join(args.out, "lessonc", "content", "bench")
    hugo = os.path.join(args.out, "hugo")
    os.makedirs(os.path.join(cur, "assets"), exist_ok=True)
    os.makedirs(os.path.join(hugo, "content", "assets"), exist_ok=True)
    for d in ("layouts/_default",):
        os.makedirs(os.path.join(hugo, d), exist_ok=True)
    with open(os.path.join(cur, "curriculum.md"), "w") as f:
        f.write("---\nid: bench\ntitle: Benchmark corpus\nversion: 1.0.0\nlanguage: en\nlicense: CC-BY-4.0\n"
                "authors: [lessonc benchmarks]\nlevel_titles: [Unit, Lesson]\n---\nSynthetic lessons for timing builds.\n")
    for k in range(10):
        for base in (os.path.join(cur, "assets"), os.path.join(hugo, "content", "assets")):
            with open(os.path.join(base, f"picture-{k}.png"), "wb") as f:
                f.write(PNG)
    with open(os.path.join(hugo, "hugo.toml"), "w") as f:
        f.write('baseURL = "http://localhost/"\ntitle = "bench"\ndisableKinds = ["taxonomy", "term", "RSS", "sitemap"]\n')
    with open(os.path.join(hugo, "layouts/_default/single.html"), "w") as f:
        f.write("<!doctype html><title>{{ .Title }}</title>{{ .Content }}\n")
    with open(os.path.join(hugo, "layouts/_default/list.html"), "w") as f:
        f.write("<!doctype html><title>{{ .Title }}</title>{{ .Content }}\n")
    total_bytes = 0
    for i in range(args.lessons):
        unit = i // PER_UNIT + 1
        name = f"{unit:03d}-unit-{unit}"
        text = lesson(rng, i, args.lessons)
        total_bytes += len(text.encode())
        for base in (cur, os.path.join(hugo, "content")):
            d = os.path.join(base, name)
            os.makedirs(d, exist_ok=True)
            with open(os.path.join(d, f"{i % PER_UNIT + 1:03d}-lesson-{i + 1}.md"), "w") as f:
                f.write(text)
    print(f"generated {args.lessons} lessons, {total_bytes / 1e6:.1f} MB of Markdown, in {args.out}")


if __name__ == "__main__":
    main()

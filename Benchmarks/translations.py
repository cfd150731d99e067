#!/usr/bin/env python3
"""What translations cost: build, status and extract on a large corpus with a large XLIFF file.

Generates the synthetic corpus (gen_corpus.py, default 10,000 lessons: 192,500 texts), extracts
one locale, and measures with /usr/bin/time -v:

    build without translations       the corpus alone
    translate extract (create)       no XLIFF file yet
    build, status: extracted file    every target still to translate (the file extract writes)
    build, status: translated file   every target filled the way a finished translation is (each
                                     text upper-cased, codes kept, state="translated"), so every
                                     unit is checked and every lesson is written twice
    translate extract (again)        re-extract over the translated file
    build --no-cache, without / translated   the same builds compiling every lesson

Builds use the project's compile cache (ROOT/.lessonc-cache) as lessonc does by default: the
first round fills it, so their medians are builds whose lessons come from the cache into a new
output folder (still reading every XLIFF file that changed, and the curriculum texts of those
that did not). The --no-cache rows compile and translate all 10,000 lessons every time.

Prints wall time and peak RSS of each: the median of --runs rounds, each round running every
case once in turn (a busy machine slows them alike), every build into a fresh folder (ext4
slows file creation right after deletions); and the ratios issue 14 sets goals for: a build
with translations at most 1.5x the time and 2x the peak RSS of the build without.

    Benchmarks/translations.py [--lessonc PATH] [--lessons N] [--runs R] [--keep DIR]

Needs: python3, /usr/bin/time, a built lessonc (default .build/release/lessonc).
"""
import argparse
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile

from benchlib import ROOT, find_lessonc

LOCALE = "fr"


def measure(args):
    """Runs a command under /usr/bin/time -v; returns (wall seconds, peak RSS in MB)."""
    r = subprocess.run(["/usr/bin/time", "-v"] + args, capture_output=True, text=True)
    if r.returncode != 0:
        sys.exit(f"{' '.join(args)} failed ({r.returncode}):\n{r.stdout[-3000:]}{r.stderr[-3000:]}")
    wall = rss = None
    for line in r.stderr.splitlines():
        line = line.strip()
        if line.startswith("Elapsed (wall clock) time"):
            parts = line.rsplit(": ", 1)[1].split(":")
            wall = 0.0
            for p in parts:
                wall = wall * 60 + float(p)
        elif line.startswith("Maximum resident set size"):
            rss = int(line.rsplit(": ", 1)[1]) / 1024
    return wall, rss


ENTITY = re.compile(r"&[#a-zA-Z0-9]+;")
TARGET = re.compile(r'(<source>(.*?)</source>\n\s*)<target state="new"/>')


def upper_text(inline):
    """Upper-cases the text of XLIFF inline content, leaving tags and entity references alone."""
    out = []
    for i, part in enumerate(re.split(r"(<[^>]*>)", inline)):
        if i % 2:
            out.append(part)
        else:
            pieces = ENTITY.split(part)
            refs = ENTITY.findall(part)
            out.append("".join(p.upper() + (refs[k] if k < len(refs) else "") for k, p in enumerate(pieces)))
    return "".join(out)


def fill(path):
    """Gives every new unit a translated target; returns the file's size in bytes and the units filled."""
    with open(path, encoding="utf-8") as f:
        text = f.read()
    text, n = TARGET.subn(lambda m: f'{m.group(1)}<target state="translated">{upper_text(m.group(2))}</target>', text)
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)
    return os.path.getsize(path), n


def median_of(runs, args):
    results = [measure(args) for _ in range(runs)]
    return statistics.median(r[0] for r in results), statistics.median(r[1] for r in results)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--lessonc")
    ap.add_argument("--lessons", type=int, default=10000)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--keep", help="generate into this folder and keep it (default: a temporary folder)")
    args = ap.parse_args()
    lessonc = find_lessonc(args.lessonc)
    if not os.access("/usr/bin/time", os.X_OK):
        sys.exit("needs /usr/bin/time (Debian: time)")
    work = args.keep or tempfile.mkdtemp(prefix="lessonc-translations-")
    try:
        subprocess.run([sys.executable, os.path.join(ROOT, "Benchmarks", "gen_corpus.py"), work, "--lessons", str(args.lessons)],
                       check=True, capture_output=True)
        project = os.path.join(work, "lessonc")
        shutil.rmtree(os.path.join(work, "hugo"), ignore_errors=True)
        outs = iter(range(1_000_000))

        def build(root, *extra):
            return [lessonc, "build", "--root", root, "--out", os.path.join(work, f"build-{next(outs)}"), *extra]

        def status(root):
            return [lessonc, "translate", "status", "--root", root]

        def extract(root):
            return [lessonc, "translate", "extract", "--locale", LOCALE, "--root", root]

        # Three copies of the project: without translations, with the file as extracted, and with
        # it translated. Each round measures every case once, in turn, so a busy machine slows
        # them alike, and the medians are compared.
        plain = os.path.join(work, "plain")
        extracted = os.path.join(work, "extracted")
        translated = os.path.join(work, "translated")
        shutil.copytree(project, plain)
        created = measure(extract(project))
        xlf = os.path.join(project, "locales", LOCALE, "bench.xlf")
        extracted_size = os.path.getsize(xlf)
        shutil.copytree(project, extracted)
        size, units = fill(xlf)
        shutil.move(project, translated)
        cases = [("build without translations", lambda: build(plain)),
                 ("build, extracted file", lambda: build(extracted)),
                 ("build, translated file", lambda: build(translated)),
                 ("status, extracted file", lambda: status(extracted)),
                 ("status, translated file", lambda: status(translated)),
                 ("build --no-cache, without", lambda: build(plain, "--no-cache")),
                 ("build --no-cache, translated", lambda: build(translated, "--no-cache"))]
        results = {name: [] for name, _ in cases}
        for _ in range(args.runs):
            for name, command in cases:
                results[name].append(measure(command()))
        again = median_of(args.runs, extract(translated))

        def med(name):
            return statistics.median(r[0] for r in results[name]), statistics.median(r[1] for r in results[name])

        print(f"corpus: {args.lessons} lessons; locales/{LOCALE}/bench.xlf {units} units, {extracted_size / 1e6:.1f} MB as extracted, "
              f"{size / 1e6:.1f} MB translated; {os.cpu_count()} cores; median of {args.runs} rounds")
        rows = [(name, med(name)) for name, _ in cases[:3]] + [("translate extract (create)", created)] + \
               [(name, med(name)) for name, _ in cases[3:5]] + [("translate extract (again)", again)] + \
               [(name, med(name)) for name, _ in cases[5:]]
        for name, (wall, rss) in rows:
            print(f"{name:<28} {wall:6.2f} s   peak RSS {rss:6.0f} MB")
        base = med("build without translations")
        for name in ("build, extracted file", "build, translated file"):
            wall, rss = med(name)
            print(f"{name} / without translations: {wall / base[0]:.2f}x time (goal <= 1.5), {rss / base[1]:.2f}x peak RSS (goal <= 2)")
        cold, wall_rss = med("build --no-cache, without"), med("build --no-cache, translated")
        print(f"build --no-cache, translated / without: {wall_rss[0] / cold[0]:.2f}x time, {wall_rss[1] / cold[1]:.2f}x peak RSS "
              "(every lesson compiled, translated and written twice)")
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()

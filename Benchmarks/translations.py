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

Prints wall time and peak RSS of each (median of --runs runs; every build into a fresh folder,
as ext4 slows file creation right after deletions), and the ratios issue 14 sets goals for:
a build with translations at most 1.5x the time and 2x the peak RSS of the build without.

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

        def build():
            return [lessonc, "build", "--root", project, "--out", os.path.join(work, f"build-{next(outs)}")]

        def median_build(runs):
            results = [measure(build()) for _ in range(runs)]
            return statistics.median(r[0] for r in results), statistics.median(r[1] for r in results)

        status = [lessonc, "translate", "status", "--root", project]
        extract = [lessonc, "translate", "extract", "--locale", LOCALE, "--root", project]
        rows = []
        plain = median_build(args.runs)
        rows.append(("build without translations", plain))
        rows.append(("translate extract (create)", measure(extract)))
        xlf = os.path.join(project, "locales", LOCALE, "bench.xlf")
        extracted_size = os.path.getsize(xlf)
        extracted = median_build(args.runs)
        rows.append(("build, extracted file", extracted))
        rows.append(("status, extracted file", median_of(args.runs, status)))
        size, units = fill(xlf)
        translated = median_build(args.runs)
        rows.append(("build, translated file", translated))
        rows.append(("status, translated file", median_of(args.runs, status)))
        rows.append(("translate extract (again)", median_of(args.runs, extract)))

        print(f"corpus: {args.lessons} lessons; locales/{LOCALE}/bench.xlf {units} units, {extracted_size / 1e6:.1f} MB as extracted, "
              f"{size / 1e6:.1f} MB translated; {os.cpu_count()} cores; median of {args.runs} runs")
        for name, (wall, rss) in rows:
            print(f"{name:<28} {wall:6.2f} s   peak RSS {rss:6.0f} MB")
        for name, (wall, rss) in (("extracted", extracted), ("translated", translated)):
            print(f"build with the {name} file / without translations: {wall / plain[0]:.2f}x time (goal <= 1.5), "
                  f"{rss / plain[1]:.2f}x peak RSS (goal <= 2)")
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()

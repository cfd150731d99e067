#!/usr/bin/env python3
"""What translations cost: build, status and extract on a large corpus with a large XLIFF file.

Generates the synthetic corpus (gen_corpus.py, default 10,000 lessons), extracts one locale,
fills every target the way a finished translation would (each text upper-cased, codes kept,
state="translated"), which makes a file of about 45 MB, and measures with /usr/bin/time -v:

    build without translations   (the corpus alone)
    translate extract (create)   (no XLIFF file yet)
    build with translations      (the filled XLIFF file)
    translate status
    translate extract (again)    (re-extract over the filled file)

Prints wall time and peak RSS of each (median of --runs runs), and the ratios the issue sets
goals for: build with translations at most 1.5x the time and 2x the peak RSS of the build
without.

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
    """Gives every new unit a translated target; returns the file's size in bytes."""
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
        out = os.path.join(work, "build")
        build = [lessonc, "build", "--root", project, "--out", out]
        rows = []

        plain = median_of(args.runs, build)
        rows.append(("build without translations", plain))
        extract = [lessonc, "translate", "extract", "--locale", LOCALE, "--root", project]
        created = measure(extract)
        rows.append(("translate extract (create)", created))
        xlf = os.path.join(project, "locales", LOCALE, "bench.xlf")
        size, units = fill(xlf)
        translated = median_of(args.runs, build)
        rows.append(("build with translations", translated))
        rows.append(("translate status", median_of(args.runs, [lessonc, "translate", "status", "--root", project])))
        rows.append(("translate extract (again)", median_of(args.runs, extract)))

        print(f"corpus: {args.lessons} lessons; locales/{LOCALE}/bench.xlf {size / 1e6:.1f} MB, {units} units; "
              f"{os.cpu_count()} cores; median of {args.runs} runs")
        for name, (wall, rss) in rows:
            print(f"{name:<28} {wall:6.2f} s   peak RSS {rss:6.0f} MB")
        print(f"build with / without translations: {translated[0] / plain[0]:.2f}x time (goal <= 1.5), "
              f"{translated[1] / plain[1]:.2f}x peak RSS (goal <= 2)")
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()

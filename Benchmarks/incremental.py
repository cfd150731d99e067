#!/usr/bin/env python3
"""Incremental build and publish on a synthetic corpus (issues 12 and 13), in one run.

Generates LESSONS lessons with gen_corpus.py, then for each lessonc given (the one measured and,
with --baseline, an older build to compare with, interleaved so both see the same machine):

    build   cold (no compile cache), again with nothing changed, and after a one-lesson edit
    publish cold (into a new channel), again with nothing changed, and after a one-lesson edit

Each edit appends a sentence to a different lesson; every figure is the median of --runs runs
(wall time from time.monotonic around the process, peak RSS from getrusage of the child).
It checks as it goes that the incremental build equals a cold build byte for byte, and that a
one-lesson edit makes a release naming exactly that lesson.

    Benchmarks/incremental.py [--lessons N] [--runs R] [--lessonc PATH] [--baseline PATH]

Targets (10,000 lessons): publish with no change <= 0.5 s, after a one-lesson edit <= 1 s;
one-lesson rebuild <= 100 ms and >= 20x faster than a cold build.
"""
import argparse
import filecmp
import hashlib
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

from benchlib import ROOT, find_lessonc

EPOCH = 1_700_000_000


def timed(args, env=None):
    """Runs a command; returns (wall seconds, peak RSS in KB of that process, its stderr)."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        start = time.monotonic()
        p = subprocess.Popen(args, stdout=out, stderr=err, env=env)
        _, status, usage = os.wait4(p.pid, 0)
        seconds = time.monotonic() - start
        p.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0); err.seek(0)
        stdout, stderr = out.read().decode(), err.read().decode()
    if p.returncode != 0:
        sys.exit(f"{' '.join(args)} failed ({p.returncode}):\n{stdout}{stderr}")
    return seconds, usage.ru_maxrss, stderr


def tree_digest(folder):
    h = hashlib.sha256()
    for dirpath, dirnames, filenames in os.walk(folder):
        dirnames.sort()
        for name in sorted(filenames):
            path = os.path.join(dirpath, name)
            h.update(os.path.relpath(path, folder).encode() + b"\0")
            with open(path, "rb") as f:
                h.update(f.read())
    return h.hexdigest()


class Subject:
    """One lessonc binary with its own copy of the corpus, cache, build folder and channel."""

    def __init__(self, name, lessonc, corpus, work, key):
        self.name, self.lessonc, self.key = name, lessonc, key
        self.root = os.path.join(work, name, "project")
        shutil.copytree(corpus, self.root)
        self.out = os.path.join(work, name, "build")
        self.channel = os.path.join(work, name, "channel")
        self.lessons = sorted(os.path.join(d, f) for d, _, fs in os.walk(os.path.join(self.root, "content")) for f in fs if f.endswith(".md") and f != "curriculum.md")
        self.edits = 0
        self.step = 0

    def build(self, *extra):
        return timed([self.lessonc, "build", "--root", self.root, "--out", self.out, *extra])

    def publish(self):
        self.step += 1
        env = dict(os.environ, SOURCE_DATE_EPOCH=str(EPOCH + self.step))
        return timed([self.lessonc, "publish", "--root", self.root, "--channel", self.channel, "--key", self.key], env=env)

    def edit_one_lesson(self):
        """Appends a sentence to the next lesson (spread over the corpus); returns its id."""
        path = self.lessons[(self.edits * 7919) % len(self.lessons)]
        self.edits += 1
        with open(path, "a", encoding="utf-8") as f:
            f.write(f"\nOne more sentence, number {self.edits}.\n")
        with open(path, encoding="utf-8") as f:
            for line in f:
                if line.startswith("id: "):
                    return line[4:].strip()
        return None


def median(values):
    return statistics.median(values) if values else float("nan")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--lessons", type=int, default=10000)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--lessonc")
    ap.add_argument("--baseline", help="an older lessonc to measure in the same run (e.g. one built from main)")
    a = ap.parse_args()
    lessonc = find_lessonc(a.lessonc)
    work = tempfile.mkdtemp(prefix="lessonc-incremental-")
    try:
        subprocess.run([sys.executable, os.path.join(ROOT, "Benchmarks", "gen_corpus.py"), work, "--lessons", str(a.lessons)],
                       check=True, capture_output=True)
        corpus = os.path.join(work, "lessonc")
        key = os.path.join(work, "bench")
        subprocess.run([lessonc, "keygen", "--out", key, "--no-passphrase"], check=True, capture_output=True)
        subjects = [Subject("lessonc", lessonc, corpus, work, key + ".key")]
        if a.baseline:
            subjects.append(Subject("baseline", os.path.abspath(a.baseline), corpus, work, key + ".key"))
        has_cache = {s.name: "--no-cache" in subprocess.run([s.lessonc, "build", "--help"], capture_output=True, text=True).stdout for s in subjects}
        figures = {s.name: {} for s in subjects}

        def record(s, what, seconds, rss):
            figures[s.name].setdefault(what, []).append((seconds, rss))

        # Builds: cold (without the cache, each into a fresh folder), then incremental.
        for r in range(a.runs):
            for s in subjects:
                shutil.rmtree(s.out, ignore_errors=True)
                shutil.rmtree(os.path.join(s.root, ".lessonc-cache"), ignore_errors=True)
                t, rss, _ = s.build(*(["--no-cache"] if has_cache[s.name] else []))
                record(s, "build cold", t, rss)
        for s in subjects:
            s.build()   # fills the cache and the build folder
        for r in range(a.runs):
            for s in subjects:
                t, rss, _ = s.build()
                record(s, "build, nothing changed", t, rss)
        for r in range(a.runs):
            for s in subjects:
                s.edit_one_lesson()
                t, rss, err = s.build()
                record(s, "build, one lesson edited", t, rss)
        # The incremental result equals a cold build.
        for s in subjects:
            cold = os.path.join(work, s.name, "cold")
            timed([s.lessonc, "build", "--root", s.root, "--out", cold, *(["--no-cache"] if has_cache[s.name] else [])])
            if tree_digest(cold) != tree_digest(s.out):
                sys.exit(f"{s.name}: the incremental build differs from a cold build")

        # Publishes: the first into a new channel, then unchanged, then one-lesson edits.
        for s in subjects:
            t, rss, _ = s.publish()
            record(s, "publish cold (first release)", t, rss)
        for r in range(a.runs):
            for s in subjects:
                t, rss, _ = s.publish()
                record(s, "publish, nothing changed", t, rss)
        for r in range(a.runs):
            for s in subjects:
                lesson = s.edit_one_lesson()
                t, rss, _ = s.publish()
                record(s, "publish, one lesson edited", t, rss)
                latest = json.load(open(os.path.join(s.channel, "latest.json")))
                n = latest["release"]
                diff = json.load(open(os.path.join(s.channel, f"diffs/{n - 1}-{n}.json")))
                changed = sorted({c["id"] for c in diff["changes"]})
                if changed != [lesson]:
                    sys.exit(f"{s.name}: a one-lesson edit of {lesson} released {changed}")

        print(f"corpus:   {a.lessons} lessons (gen_corpus.py), {os.cpu_count()} cores, work folder {work}")
        print(f"runs:     median of {a.runs} (the cold publish: 1)")
        print()
        names = [s.name for s in subjects]
        print(f"{'':34}" + "".join(f"{n:>22}" for n in names))
        for what in figures[names[0]]:
            cells = []
            for n in names:
                runs = figures[n].get(what, [])
                t = median([x[0] for x in runs])
                rss = [x[1] for x in runs if x[1]]
                cells.append(f"{t:8.3f} s" + (f" {max(rss) / 1024:5.0f} MB" if rss else "         "))
            print(f"{what:34}" + "".join(f"{c:>22}" for c in cells))
        mine = figures["lessonc"]
        cold, one = median([x[0] for x in mine["build cold"]]), median([x[0] for x in mine["build, one lesson edited"]])
        print()
        print(f"one-lesson rebuild: {one * 1000:.0f} ms, {cold / one:.1f}x faster than a cold build (targets: <= 100 ms, >= 20x)")
        print(f"publish: {median([x[0] for x in mine['publish, nothing changed']]):.2f} s with nothing changed (target <= 0.5 s), "
              f"{median([x[0] for x in mine['publish, one lesson edited']]):.2f} s after a one-lesson edit (target <= 1 s)")
        print("checked: each incremental build equals a cold build; each one-lesson edit released exactly that lesson")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()

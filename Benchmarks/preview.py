#!/usr/bin/env python3
"""The preview (issue 13): `lessonc preview` on a synthetic corpus, and `lessonc serve`'s
edit-to-reload latency, in one run.

Generates LESSONS lessons with gen_corpus.py, then prints:

    preview, cold        no compile cache, empty output folder
    preview, unchanged   again, with the cache and the site from the cold run
    preview, one edit    after appending a sentence to one lesson
    serve edit-to-reload from writing a lesson file to the moment a page waiting on
                         /__lessonc/wait is told to reload and then fetches the lesson's page
                         with the edit in it (what a browser does), median of --edits edits

Wall times from time.monotonic around the process (or around the edit); peak RSS from getrusage.
The machine may be shared: `uptime` is printed with the figures.

    Benchmarks/preview.py [--lessons N] [--edits E] [--lessonc PATH]
"""
import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request

from benchlib import ROOT, find_lessonc


def timed(args):
    start = time.monotonic()
    p = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(p.pid, 0)
    seconds = time.monotonic() - start
    code = os.waitstatus_to_exitcode(status)
    err = p.stderr.read().decode()
    if code != 0:
        sys.exit(f"{' '.join(args)} failed ({code}):\n{err}")
    return seconds, usage.ru_maxrss, err.strip().splitlines()[-1]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--lessons", type=int, default=10000)
    ap.add_argument("--edits", type=int, default=5)
    ap.add_argument("--lessonc")
    a = ap.parse_args()
    lessonc = find_lessonc(a.lessonc)
    work = tempfile.mkdtemp(prefix="lessonc-preview-bench-")
    try:
        subprocess.run([sys.executable, os.path.join(ROOT, "Benchmarks/gen_corpus.py"), work, "--lessons", str(a.lessons)],
                       check=True, stdout=subprocess.DEVNULL)
        root = os.path.join(work, "lessonc")
        out = os.path.join(work, "preview")
        lessons = sorted(os.path.join(d, f) for d, _, fs in os.walk(os.path.join(root, "content")) for f in fs
                         if f.endswith(".md") and f != "curriculum.md" and not f.startswith("_"))
        print(f"lessonc: {lessonc}")
        print(f"corpus: {len(lessons):,} lessons")
        print(f"load: {subprocess.run(['uptime'], capture_output=True, text=True).stdout.strip()}")

        s, rss, line = timed([lessonc, "preview", "--root", root, "--out", out, "--no-cache"])
        print(f"preview, cold (--no-cache):   {s:6.2f} s  peak RSS {rss / 1024:.0f} MB  ({line})")
        s, rss, line = timed([lessonc, "preview", "--root", root, "--out", out])
        print(f"preview, filling the cache:   {s:6.2f} s  peak RSS {rss / 1024:.0f} MB  ({line})")
        s, rss, line = timed([lessonc, "preview", "--root", root, "--out", out])
        print(f"preview, unchanged:           {s:6.2f} s  peak RSS {rss / 1024:.0f} MB  ({line})")
        with open(lessons[len(lessons) // 2], "a", encoding="utf-8") as f:
            f.write("\nOne more sentence for the benchmark.\n")
        s, rss, line = timed([lessonc, "preview", "--root", root, "--out", out])
        print(f"preview, one lesson edited:   {s:6.2f} s  peak RSS {rss / 1024:.0f} MB  ({line})")

        server = subprocess.Popen([lessonc, "serve", "--root", root, "--out", out, "--port", "0"],
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        try:
            url = server.stdout.readline().strip().split(" ", 1)[1]
            latencies = []
            for n in range(a.edits):
                path = lessons[(n * 7919) % len(lessons)]
                rel = os.path.relpath(path, os.path.join(root, "content")).split(os.sep)
                lesson_id = open(path, encoding="utf-8").read().split("\nid: ", 1)[1].split("\n", 1)[0]
                page = f"{url}{rel[0]}/en/{lesson_id}.html"
                html = urllib.request.urlopen(page).read().decode()
                version = int(html.split("window.__lessoncVersion = ", 1)[1].split(";", 1)[0])
                marker = f"Edited for the benchmark, number {n}."
                time.sleep(0.5)
                start = time.monotonic()
                with open(path, "a", encoding="utf-8") as f:
                    f.write(f"\n{marker}\n")
                state = json.loads(urllib.request.urlopen(f"{url}__lessonc/wait?v={version}", timeout=60).read())
                html = urllib.request.urlopen(page).read().decode()
                seconds = time.monotonic() - start
                if state["version"] == version or marker not in html:
                    sys.exit(f"edit {n}: the page did not change")
                latencies.append(seconds)
            print(f"serve edit-to-reload:         {statistics.median(latencies) * 1000:6.0f} ms median of {len(latencies)} "
                  f"(min {min(latencies) * 1000:.0f}, max {max(latencies) * 1000:.0f}; the watcher polls every 200 ms)")
        finally:
            server.send_signal(2)
            server.wait(timeout=30)
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()

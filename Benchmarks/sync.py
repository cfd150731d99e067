#!/usr/bin/env python3
"""What `lessonc sync` downloads over loopback HTTP, and how long it takes.

Publishes a copy of the repository's content/ and locales/ into a fresh channel, serves it with
Tests/Fixtures/channel_server.py on 127.0.0.1, and syncs a device store subscribed to one
curriculum in one locale through:

    1. a first sync (the manifest and every object of that curriculum in that locale);
    2. an up-to-date check (nothing published since);
    3. a one-lesson edit in the subscribed curriculum;
    4. a one-lesson edit in a curriculum the device does not subscribe to.

For each it prints the bytes downloaded (every body byte: latest.json, signatures, diffs,
manifests, objects; from `--report json`, cross-checked against the server's request log), the
objects fetched, and the wall and CPU time of the `lessonc sync` process (with --repeat N, the
median of N runs of the same sync from the same store).

With --corpus N the channel holds N synthetic lessons in one curriculum (Benchmarks/gen_corpus.py,
curriculum `bench`) instead, so the first sync downloads N objects: what the download
concurrency and the thread model cost. The fourth case needs a second curriculum and is left out.

    Benchmarks/sync.py [--lessonc PATH] [--curriculum ID] [--locale LL] [--other ID] [--repeat N] [--corpus N]

Needs: python3 and a built lessonc (default .build/release/lessonc, else .build/debug/lessonc).
"""
import argparse
import json
import os
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import time

from benchlib import ROOT, find_lessonc, run
SERVER = os.path.join(ROOT, "Tests", "Fixtures", "channel_server.py")


def edit_one_lesson(project, curriculum, word):
    """Changes one word in the first long paragraph of the curriculum's first lesson file."""
    base = os.path.join(project, "content", curriculum)
    for unit in sorted(os.listdir(base)):
        folder = os.path.join(base, unit)
        if not os.path.isdir(folder) or unit == "assets":
            continue
        for name in sorted(os.listdir(folder)):
            if not name.endswith(".md") or name.startswith("_"):
                continue
            path = os.path.join(folder, name)
            with open(path, encoding="utf-8") as f:
                text = f.read()
            body = text.index("\n---\n", 4) + 5
            m = re.search(r"(?m)^[A-Z][^\n]{80,}$", text[body:])
            if not m:
                continue
            line = m.group(0)
            w = re.search(r"\b[a-z]{5,}\b", line)
            edited = line[:w.start()] + word + line[w.end():]
            with open(path, "w", encoding="utf-8") as f:
                f.write(text[:body + m.start()] + edited + text[body + m.end():])
            return os.path.relpath(path, project)
    sys.exit(f"{curriculum}: no paragraph to edit")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--lessonc")
    ap.add_argument("--curriculum", default="shg-business-skills")
    ap.add_argument("--locale", default="en")
    ap.add_argument("--other", default="rcc-advocate-training", help="a curriculum the device does not subscribe to")
    ap.add_argument("--repeat", type=int, default=1, help="runs of each sync; the median wall time is printed")
    ap.add_argument("--corpus", type=int, help="a synthetic curriculum of this many lessons instead of content/")
    a = ap.parse_args()
    if a.corpus:
        a.curriculum, a.locale, a.other = "bench", "en", None
    lessonc = find_lessonc(a.lessonc)

    work = tempfile.mkdtemp(prefix="lessonc-sync-bench-")
    server = None
    try:
        project, channel, store, key = (os.path.join(work, n) for n in ("project", "channel", "store", "bench"))
        if a.corpus:
            generated = os.path.join(work, "corpus")
            run([sys.executable, os.path.join(ROOT, "Benchmarks", "gen_corpus.py"), generated, "--lessons", str(a.corpus)])
            shutil.copytree(os.path.join(generated, "lessonc"), project)
            shutil.rmtree(generated)
        else:
            for folder in ("content", "locales"):
                if os.path.isdir(os.path.join(ROOT, folder)):
                    shutil.copytree(os.path.join(ROOT, folder), os.path.join(project, folder))
        run([lessonc, "keygen", "--out", key, "--no-passphrase"])
        env = dict(os.environ)
        epoch = int(time.time()) // 60 * 60

        def publish(step):
            env["SOURCE_DATE_EPOCH"] = str(epoch + 60 * step)
            run([lessonc, "publish", "--root", project, "--channel", channel, "--key", key + ".key"], env=env)

        publish(0)
        log = os.path.join(work, "requests.jsonl")
        server = subprocess.Popen([sys.executable, SERVER, channel, "--log", log, "--lifetime", "600"],
                                  stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        port = int(server.stdout.readline().split()[1])
        url = f"http://127.0.0.1:{port}"

        def served():
            """Bytes of the files the server was asked for since the last call."""
            if not os.path.exists(log):
                return 0, []
            with open(log) as f:
                paths = [json.loads(line)["path"].lstrip("/") for line in f]
            os.remove(log)
            return sum(os.path.getsize(os.path.join(channel, p)) for p in paths), paths

        def sync(name, extra=(), note=""):
            """Runs the same sync `--repeat` times from the same store; records the median wall time."""
            before = os.path.join(work, "store-before")
            if os.path.isdir(store):
                shutil.copytree(store, before, symlinks=True)
            walls, cpus = [], []
            for attempt in range(a.repeat):
                if attempt > 0:
                    shutil.rmtree(store)
                    if os.path.isdir(before):
                        shutil.copytree(before, store, symlinks=True)
                usage, start = resource.getrusage(resource.RUSAGE_CHILDREN), time.monotonic()
                r = run([lessonc, "sync", "--from", url, "--into", store, "--pubkey", key + ".pub", "--report", "json", *extra])
                walls.append(time.monotonic() - start)
                after = resource.getrusage(resource.RUSAGE_CHILDREN)
                cpus.append(after.ru_utime - usage.ru_utime + after.ru_stime - usage.ru_stime)
                report = json.loads(r.stdout)
                bytes_served, paths = served()
                if bytes_served != report["bytes_downloaded"]:
                    sys.exit(f"{name}: lessonc counted {report['bytes_downloaded']} bytes, the server sent {bytes_served}")
            shutil.rmtree(before, ignore_errors=True)
            rows.append((name, report, (sorted(walls)[len(walls) // 2], sorted(cpus)[len(cpus) // 2]), note, paths))

        rows = []

        sync(f"first sync ({a.curriculum}, {a.locale})", ["--curricula", a.curriculum, "--locales", a.locale])
        sync("up-to-date check")

        edited = edit_one_lesson(project, a.curriculum, "carefully")
        publish(1)
        sync("one-lesson edit (subscribed)", note=edited)

        if a.other:
            edited = edit_one_lesson(project, a.other, "carefully")
            publish(2)
            sync("one-lesson edit (not subscribed)", note=edited)

        latest = sum(os.path.getsize(os.path.join(channel, p)) for p in ("latest.json", "latest.json.minisig"))
        print(f"lessonc:  {lessonc}")
        what = f"{a.corpus} synthetic lessons (gen_corpus.py)" if a.corpus else "content/ and locales/ of this repository"
        print(f"channel:  {what}, served by channel_server.py on {url}")
        print()
        print(f"{'case':36} {'release':>9} {'method':>9} {'lessons':>13} {'objects':>8} {'bytes':>9} {'wall s':>7} {'cpu s':>6}")
        for name, r, (wall, cpu), note, paths in rows:
            lessons = f"+{r['lessons_added']} ~{r['lessons_changed']} -{r['lessons_removed']}"
            print(f"{name:36} {r['from_release']:>4}->{r['to_release']:<4} {r['method']:>9} {lessons:>13} {r['objects_fetched']:>8} "
                  f"{r['bytes_downloaded']:>9} {wall:>7.3f} {cpu:>6.3f}")
        print()
        for name, r, wall, note, paths in rows[1:]:
            print(f"{name}: {', '.join(paths)}" + (f"  (edited {note})" if note else ""))
        print()
        print(f"latest.json + signature alone: {latest} bytes. Bytes are HTTP bodies (what lessonc reports as")
        print("bytes_downloaded, checked against the server's log); wall time is the whole lessonc process, cpu")
        print("its user + system time (less sensitive to other work on the machine)"
              + (f"; each the median of {a.repeat} runs." if a.repeat > 1 else "."))
    finally:
        if server:
            server.terminate()
            server.wait()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()

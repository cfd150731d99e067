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
manifests, objects, pack spans; from `--report json`, cross-checked against the bytes the server
logs as sent), the HTTP requests, the objects fetched (and of them those read from packs with
Range requests: bulk transfer), and the wall and CPU time of the `lessonc sync` process (with
--repeat N, the median of N runs of the same sync from the same store).

It also measures:
    - the first sync again with one request per object (`--bulk off`), and installing the same
      curriculum from its offline pack on this machine (the bound bulk transfer aims at);
    - what one release for a one-lesson edit adds to the channel (new or rewritten files; the
      rewritten offline packs, whole snapshots, are given apart);
    - with --behind N (default 20), a device N releases behind (N one-lesson-edit releases
      published after its sync): the metadata it downloads (everything but content objects and
      pack spans: with manifest format 2 that includes the listing and bucket objects) and the
      whole update.

--latency S makes the server wait S seconds before every answer (a slow link's round trip).

With --corpus N the channel holds N synthetic lessons in one curriculum (Benchmarks/gen_corpus.py,
curriculum `bench`) instead, so the first sync downloads N objects: what the download
concurrency, bulk transfer and the thread model cost. The not-subscribed case needs a second
curriculum and is left out.

    Benchmarks/sync.py [--lessonc PATH] [--curriculum ID] [--locale LL] [--other ID] [--repeat N]
                       [--corpus N] [--latency S] [--behind N] [--skip-single]

Needs: python3 and a built lessonc (default .build/release/lessonc, else .build/debug/lessonc).
"""
import argparse
import gzip
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


def is_listing(path):
    """True for a listing or bucket object (manifest format 2): metadata, not content."""
    try:
        with open(path, "rb") as f:
            head = gzip.decompress(f.read())[:40]
    except OSError:
        return False
    # Canonical JSON sorts members: a listing starts with "buckets", a bucket with "format".
    return head.startswith(b'{"buckets":[') or head.startswith(b'{"format":"lessonc-bucket/')


def short(path):
    """objects/ab/abcdef… → objects/ab/abcdef12… (listing/bucket) for printing."""
    return path[:22] + "…" if path.startswith("objects/") else path


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--lessonc")
    ap.add_argument("--curriculum", default="shg-business-skills")
    ap.add_argument("--locale", default="en")
    ap.add_argument("--other", default="rcc-advocate-training", help="a curriculum the device does not subscribe to")
    ap.add_argument("--repeat", type=int, default=1, help="runs of each sync; the median wall time is printed")
    ap.add_argument("--corpus", type=int, help="a synthetic curriculum of this many lessons instead of content/")
    ap.add_argument("--latency", type=float, default=0, help="seconds the server waits before every answer")
    ap.add_argument("--skip-single", action="store_true", help="leave out the first sync with one request per object (slow with --latency)")
    ap.add_argument("--behind", type=int, default=20, help="releases a far-behind device misses (0: leave the case out)")
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
        server = subprocess.Popen([sys.executable, SERVER, channel, "--log", log, "--lifetime", "3600", "--latency", str(a.latency)],
                                  stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        port = int(server.stdout.readline().split()[1])
        url = f"http://127.0.0.1:{port}"

        def served():
            """The requests the server answered since the last call: (body bytes sent, paths)."""
            if not os.path.exists(log):
                return 0, []
            with open(log) as f:
                entries = [json.loads(line) for line in f]
            os.remove(log)
            connections.append(len({e["client_port"] for e in entries if "client_port" in e}))
            return sum(e.get("bytes", 0) for e in entries), [e["path"].lstrip("/") for e in entries if "method" in e]

        def sync(name, extra=(), note="", into=None, source=None):
            """Runs the same sync `--repeat` times from the same store; records the median wall time."""
            target = into or store
            before = os.path.join(work, "store-before")
            if os.path.isdir(target):
                shutil.copytree(target, before, symlinks=True)
            walls, cpus = [], []
            for attempt in range(a.repeat):
                if attempt > 0:
                    shutil.rmtree(target)
                    if os.path.isdir(before):
                        shutil.copytree(before, target, symlinks=True)
                usage, start = resource.getrusage(resource.RUSAGE_CHILDREN), time.monotonic()
                r = run([lessonc, "sync", "--from", source or url, "--into", target, "--pubkey", key + ".pub", "--report", "json", *extra])
                walls.append(time.monotonic() - start)
                after = resource.getrusage(resource.RUSAGE_CHILDREN)
                cpus.append(after.ru_utime - usage.ru_utime + after.ru_stime - usage.ru_stime)
                report = json.loads(r.stdout)
                bytes_served, paths = served()
                if source is None and bytes_served != report["bytes_downloaded"]:
                    sys.exit(f"{name}: lessonc counted {report['bytes_downloaded']} bytes, the server sent {bytes_served}")
            shutil.rmtree(before, ignore_errors=True)
            rows.append((name, report, (sorted(walls)[len(walls) // 2], sorted(cpus)[len(cpus) // 2]), note, paths, connections[-1]))
            return report, paths

        def files():
            """Every file of the channel with its size (hidden ones left out)."""
            out = {}
            for folder, dirs, names in os.walk(channel):
                dirs[:] = [d for d in dirs if not d.startswith(".")]
                for n in names:
                    path = os.path.join(folder, n)
                    out[os.path.relpath(path, channel)] = os.path.getsize(path)
            return out

        rows = []
        connections = []

        subscribe = ["--curricula", a.curriculum, "--locales", a.locale]
        sync(f"first sync ({a.curriculum}, {a.locale})", subscribe)
        if not a.skip_single:
            sync("first sync, one request per object", [*subscribe, "--bulk", "off"], into=os.path.join(work, "store-single"))
        latest_release = json.load(open(os.path.join(channel, "latest.json")))["release"]
        pack = os.path.join(channel, "packs", str(latest_release), f"{a.curriculum}-{a.locale}.zip")
        sync("install from the pack on this machine", into=os.path.join(work, "store-pack"), source=pack)
        sync("up-to-date check")
        behind = os.path.join(work, "store-behind")
        shutil.copytree(store, behind, symlinks=True)

        before = files()
        edited = edit_one_lesson(project, a.curriculum, "carefully")
        publish(1)
        after = files()
        added = {p: s for p, s in after.items() if before.get(p) != s}
        # Packs are whole snapshots (sideloading, bulk first sync): counted apart.
        packs = {p: s for p, s in added.items() if p.startswith("packs/")}
        added = {p: s for p, s in added.items() if not p.startswith("packs/")}
        growth = (sum(added.values()), len(added),
                  sorted(((s, p) for p, s in added.items()), reverse=True)[:4], sum(packs.values()), len(packs))
        sync("one-lesson edit (subscribed)", note=edited)

        step = 2
        if a.other:
            edited = edit_one_lesson(project, a.other, "carefully")
            publish(step)
            step += 1
            sync("one-lesson edit (not subscribed)", note=edited)

        far = None
        if a.behind:
            # Words the synthetic corpus never uses, so no edit brings back an earlier text.
            words = ["zephyr", "quokka", "jovial", "sprocket", "wombat", "fjords", "glyphs", "kayaks"]
            missed = step - 1
            while missed < a.behind:
                edit_one_lesson(project, a.curriculum, words[missed % len(words)])
                publish(step)
                step += 1
                missed += 1
            report, paths = sync(f"{missed} releases behind", into=behind)
            meta_paths = [p for p in paths if (not p.startswith("objects/") and not p.startswith("packs/")) or is_listing(os.path.join(channel, p))]
            metadata = sum(os.path.getsize(os.path.join(channel, p)) for p in meta_paths)
            far = (missed, metadata, report["bytes_downloaded"], [short(p) for p in meta_paths])

        latest = sum(os.path.getsize(os.path.join(channel, p)) for p in ("latest.json", "latest.json.minisig"))
        print(f"lessonc:  {lessonc}")
        what = f"{a.corpus} synthetic lessons (gen_corpus.py)" if a.corpus else "content/ and locales/ of this repository"
        print(f"channel:  {what}, served by channel_server.py on {url}")
        print()
        if a.latency:
            print(f"latency:  {a.latency:.3f} s before every answer")
        print()
        print(f"{'case':38} {'release':>9} {'method':>9} {'lessons':>13} {'objects':>8} {'of packs':>8} {'requests':>8} {'conns':>5} {'bytes':>10} {'wall s':>7} {'cpu s':>6}")
        for name, r, (wall, cpu), note, paths, conns in rows:
            lessons = f"+{r['lessons_added']} ~{r['lessons_changed']} -{r['lessons_removed']}"
            local = "pack on this machine" in name
            requests, conns = ("-", "-") if local else (len(paths), conns)
            print(f"{name:38} {r['from_release']:>4}->{r['to_release']:<4} {r['method']:>9} {lessons:>13} {r['objects_fetched']:>8} "
                  f"{r.get('objects_from_packs', 0):>8} {requests:>8} {conns:>5} {r['bytes_downloaded']:>10} {wall:>7.3f} {cpu:>6.3f}")
        print()
        for name, r, wall, note, paths, conns in rows:
            if len(paths) <= 12 and "pack on this machine" not in name:
                print(f"{name}: {', '.join(paths)}" + (f"  (edited {note})" if note else ""))
        print()
        total, count, largest, pack_bytes, pack_count = growth
        print(f"one release for a one-lesson edit adds {total} bytes to the channel in {count} new or rewritten files (packs apart); largest: "
              + ", ".join(f"{short(p)} {s}" for s, p in largest))
        print(f"  and rewrites {pack_count} offline pack{'s' if pack_count != 1 else ''} (whole snapshots for sideloading and bulk first sync): {pack_bytes} bytes")
        if far:
            missed, metadata, whole, meta_paths = far
            print(f"a device {missed} releases behind downloads {metadata} bytes of metadata ({', '.join(meta_paths)}), {whole} bytes in all")
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

#!/usr/bin/env python3
"""Bytes a device downloads for a one-lesson edit, against the whole curriculum.

Publishes a copy of content/ into a fresh channel, then makes three kinds of edit to one lesson
of one curriculum (a word, a sentence, a paragraph), publishing after each. For a device that
holds the previous release of CURRICULUM in LOCALE it counts what sync fetches:

    latest.json + .minisig + diffs/<M>-<N>.json + .minisig + each changed object of its part
    (the delta object when the diff offers one, else the full object)

and compares it with all of that curriculum's objects in that locale (what a fresh install or the
old "re-download the whole file" approach fetches).

    Benchmarks/one-lesson-edit.py [--lessonc PATH] [--curriculum ID] [--locale LL] [--lesson FILE]

Needs: python3, a built lessonc (default .build/release/lessonc, else .build/debug/lessonc).
Target: under 2 KB for a typical one-lesson edit.
"""
import argparse
import json
import os
import re
import shutil
import sys
import tempfile

from benchlib import ROOT, find_lessonc, run


def size(channel, path):
    return os.path.getsize(os.path.join(channel, path))


def load(channel, path):
    with open(os.path.join(channel, path), encoding="utf-8") as f:
        return json.load(f)


def device_bytes(channel, curriculum, locale):
    """What a device on the previous release fetches to reach the latest one."""
    latest = load(channel, "latest.json")
    n, m = latest["release"], latest["release"] - 1
    diff_path = f"diffs/{m}-{n}.json"
    diff = load(channel, diff_path)
    mine = [c for c in diff["changes"] if c["curriculum"] == curriculum and c["locale"] == locale]
    metadata = {p: size(channel, p) for p in ["latest.json", "latest.json.minisig", diff_path, diff_path + ".minisig"]}
    with_deltas = sum(c["delta"]["size"] if c.get("delta") else c["size"] for c in mine)
    without = sum(c["size"] for c in mine)
    return metadata, with_deltas, without, mine, diff


def curriculum_bytes(channel, curriculum, locale):
    latest = load(channel, "latest.json")
    manifest = load(channel, latest["manifest"]["path"])
    c = manifest["curricula"][curriculum]
    refs = [c["index"]] + list(c["assets"].values()) + list(c["locales"][locale]["lessons"].values())
    return sum(r["size"] for r in refs), len(refs), latest["manifest"]["size"]


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--lessonc")
    ap.add_argument("--curriculum", default="rcc-advocate-training")
    ap.add_argument("--locale", default="en")
    ap.add_argument("--lesson", default="02-being-with-a-survivor/02-listening-skills.md")
    a = ap.parse_args()
    lessonc = find_lessonc(a.lessonc)

    work = tempfile.mkdtemp(prefix="lessonc-bench-")
    try:
        project, channel, key = os.path.join(work, "project"), os.path.join(work, "channel"), os.path.join(work, "bench")
        shutil.copytree(os.path.join(ROOT, "content"), os.path.join(project, "content"))
        run([lessonc, "keygen", "--out", key, "--no-passphrase"])
        env = dict(os.environ)
        epoch = int(env.get("SOURCE_DATE_EPOCH", "0")) or int(__import__("time").time())

        def publish(step):
            env["SOURCE_DATE_EPOCH"] = str(epoch + step)
            run([lessonc, "publish", "--root", project, "--channel", channel, "--key", key + ".key"], env=env)

        publish(0)
        whole, objects, manifest_size = curriculum_bytes(channel, a.curriculum, a.locale)
        lesson_path = os.path.join(project, "content", a.curriculum, a.lesson)
        with open(lesson_path, encoding="utf-8") as f:
            original = f.read()
        body_start = original.index("\n---\n", 4) + 5
        paragraphs = [m for m in re.finditer(r"(?m)^[A-Z][^\n]{80,}$", original[body_start:])]
        if not paragraphs:
            sys.exit(f"{a.lesson}: no plain paragraph to edit")
        p = paragraphs[0]
        start, end = body_start + p.start(), body_start + p.end()
        text = original[start:end]
        word = re.search(r"\b[a-z]{5,}\b", text)
        edits = [
            ("one word changed", original[:start] + text[:word.start()] + "carefully" + text[word.end():] + original[end:]),
            ("one sentence added", original[:start] + text + " Ask what would help most today, and write it down." + original[end:]),
            ("one paragraph rewritten", original[:start] + "Listen first. Let the person speak at their own pace, without "
             "interrupting, and show with small words and nods that you are following. When they stop, wait a moment "
             "before you answer; silence is often where the most important things are said." + original[end:]),
        ]
        print(f"curriculum:      {a.curriculum} ({a.locale}), {objects} objects, {whole} bytes in all (gzip, as downloaded)")
        print(f"edited lesson:   {a.lesson}")
        print(f"lessonc:         {lessonc}")
        print()
        print(f"{'edit':26} {'latest+sig':>10} {'diff+sig':>9} {'objects':>8} {'total':>7} {'of whole':>9} {'no deltas':>10}")
        for step, (name, edited) in enumerate(edits, start=1):
            with open(lesson_path, "w", encoding="utf-8") as f:
                f.write(edited)
            publish(step)
            metadata, with_deltas, without, mine, diff = device_bytes(channel, a.curriculum, a.locale)
            ids = sorted({c["id"] for c in mine})
            if [c["kind"] for c in mine] != ["lesson"]:
                sys.exit(f"{name}: expected exactly one changed lesson, got {[(c['kind'], c['id']) for c in mine]}")
            latest = metadata["latest.json"] + metadata["latest.json.minisig"]
            diffs = sum(v for k, v in metadata.items() if k.startswith("diffs/"))
            total = latest + diffs + with_deltas
            print(f"{name:26} {latest:>10} {diffs:>9} {with_deltas:>8} {total:>7} {100 * total / whole:>8.1f}% {latest + diffs + without:>10}"
                  f"   ({', '.join(ids)})")
        print()
        print("latest+sig: latest.json and its minisig; diff+sig: diffs/<M>-<N>.json and its minisig;")
        print("objects: the delta the diff offers for the changed lesson (or the object itself); no deltas: the")
        print("total if the device fetched the full changed object. A device without a usable diff fetches the")
        print(f"manifest instead ({manifest_size} bytes + signature). Target: under 2048 bytes for a typical edit.")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""Do two builds of lessonc publish byte-identical channels, and verify each other's?

Publishes the same sequence into two channels, one with each lessonc, from the same copy of
content/ and locales/, the same key and the same SOURCE_DATE_EPOCH at every step:

    1. release 1 into an empty channel;
    2. an edited lesson, a removed lesson and an added one: release 2, with a diff and deltas;
    3. nothing changed, a day later: no release, latest.json renewed;
    4. a key rotation (--rotate-to) with an edit: release 3, signed by the new key;
    5. another edit with --keep 1: release 4, older releases and objects pruned.

After each step it compares the two channel folders file by file (hidden files, such as the
lock, aside), runs each lessonc's `verify` on the other's channel, and syncs a store (kept from
step to step, so later steps go through diffs and deltas) from each channel with the other
lessonc, comparing what the stores hold. Prints one line per step and
exits 1 at the first difference.

    scripts/compare-channels.py OLD_LESSONC NEW_LESSONC

For example, with the code on main built in /tmp/main (`git archive main | tar -x -C /tmp/main`,
then `swift build -c release` there): scripts/compare-channels.py /tmp/main/.build/release/lessonc .build/release/lessonc
"""
import hashlib
import os
import shutil
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def run(args, env=None):
    r = subprocess.run(args, capture_output=True, text=True, env=env)
    if r.returncode != 0:
        sys.exit(f"{' '.join(args)} failed ({r.returncode}):\n{r.stdout}{r.stderr}")
    return r


def listing(folder, skip=()):
    """path -> sha256 of every file under folder, hidden files and `skip` prefixes aside."""
    out = {}
    for base, dirs, files in os.walk(folder):
        dirs[:] = [d for d in dirs if not d.startswith(".")]
        for name in files:
            if name.startswith("."):
                continue
            path = os.path.join(base, name)
            rel = os.path.relpath(path, folder)
            if rel.startswith(skip):
                continue
            with open(path, "rb") as f:
                out[rel] = hashlib.sha256(f.read()).hexdigest()
    return out


def lesson_files(project, curriculum):
    base = os.path.join(project, "content", curriculum)
    return sorted(os.path.join(root, f) for root, _, files in os.walk(base)
                  for f in files if f.endswith(".md") and not f.startswith("_") and f != "curriculum.md")


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    old, new = (os.path.abspath(p) for p in sys.argv[1:])
    work = tempfile.mkdtemp(prefix="lessonc-compare-")
    try:
        project = os.path.join(work, "project")
        for folder in ("content", "locales"):
            if os.path.isdir(os.path.join(ROOT, folder)):
                shutil.copytree(os.path.join(ROOT, folder), os.path.join(project, folder))
        run([new, "keygen", "--out", os.path.join(work, "first"), "--no-passphrase"])
        run([new, "keygen", "--out", os.path.join(work, "second"), "--no-passphrase"])
        channels = {"old": os.path.join(work, "channel-old"), "new": os.path.join(work, "channel-new")}
        binaries = {"old": old, "new": new}
        # A few days ago, whole minutes: every step is in the past, and none has expired yet.
        epoch = (int(time.time()) - 5 * 86400) // 60 * 60
        key = os.path.join(work, "first")
        curricula = sorted(os.listdir(os.path.join(project, "content")))
        everything = [p for c in curricula for p in lesson_files(project, c)]
        texts = "".join(open(p, encoding="utf-8").read() for p in everything)
        # A lesson no other lesson links to can be removed without breaking the build.
        unlinked = next(p for p in everything if os.path.basename(p) not in texts)
        lessons = [p for p in everything if p != unlinked]

        def publish(step, day, extra=()):
            env = dict(os.environ, SOURCE_DATE_EPOCH=str(epoch + day * 86400))
            for name, lessonc in binaries.items():
                run([lessonc, "publish", "--root", project, "--channel", channels[name], "--key", key + ".key", *extra], env=env)
            a, b = listing(channels["old"]), listing(channels["new"])
            if a != b:
                differ = sorted(p for p in set(a) | set(b) if a.get(p) != b.get(p))
                sys.exit(f"step {step}: the channels differ in {len(differ)} files: " + ", ".join(differ[:20]))
            for name, lessonc in binaries.items():
                other = channels["new" if name == "old" else "old"]
                run([lessonc, "verify", "--channel", other, "--pubkey", key + ".pub"])
            stores = {}
            for name, lessonc in binaries.items():
                other = channels["new" if name == "old" else "old"]
                store = os.path.join(work, f"store-{name}")  # kept from step to step: diffs and deltas
                run([lessonc, "sync", "--from", other, "--into", store, "--pubkey", os.path.join(work, "first.pub")])
                # A state folder's name is random, and CURRENT names it: compare what it holds.
                held = listing(store, skip=("CURRENT",))
                stores[name] = {("state/" + p.split("/", 2)[2] if p.startswith("states/") else p): h for p, h in held.items()}
            if stores["old"] != stores["new"]:
                a, b = stores["old"], stores["new"]
                differ = sorted(p for p in set(a) | set(b) if a.get(p) != b.get(p))
                sys.exit(f"step {step}: the stores synced by the two builds differ in " + ", ".join(differ[:20]))
            print(f"step {step}: {len(a)} files, byte-identical; each build verifies and syncs the other's channel")

        publish(1, 0)
        with open(lessons[0], "a", encoding="utf-8") as f:
            f.write("\nOne more sentence, for the comparison.\n")
        os.remove(unlinked)
        with open(os.path.join(os.path.dirname(lessons[0]), "99-added-for-comparison.md"), "w", encoding="utf-8") as f:
            f.write("---\ntitle: Added for the comparison\n---\n## New\n\nA short lesson.\n")
        publish(2, 1)
        publish(3, 2)
        with open(lessons[2], "a", encoding="utf-8") as f:
            f.write("\nEdited again, with a new key.\n")
        publish(4, 3, ["--rotate-to", os.path.join(work, "second.key")])
        key = os.path.join(work, "second")
        with open(lessons[3], "a", encoding="utf-8") as f:
            f.write("\nEdited once more.\n")
        publish(5, 4, ["--keep", "1"])
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()

"""Helpers the benchmark scripts share: finding lessonc and running it."""
import os
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def find_lessonc(given=None):
    """The lessonc to measure: the one given, else the release build, else the debug build."""
    lessonc = given or next((p for p in (os.path.join(ROOT, ".build/release/lessonc"), os.path.join(ROOT, ".build/debug/lessonc"))
                             if os.access(p, os.X_OK)), None)
    if not lessonc:
        sys.exit("build lessonc first: make lessonc (or swift build)")
    return lessonc


def run(args, env=None):
    """Runs a command, exiting with its output when it fails."""
    r = subprocess.run(args, capture_output=True, text=True, env=env)
    if r.returncode != 0:
        sys.exit(f"{' '.join(args)} failed ({r.returncode}):\n{r.stdout}{r.stderr}")
    return r

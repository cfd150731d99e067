#!/usr/bin/env bash
# Installs the Debian packages lessonc needs — only those that are missing — so that
# `make build` and `make test` work on a fresh Debian machine.
#   scripts/setup.sh build   libraries for compiling lessonc
#   scripts/setup.sh test    the same, plus the tools the tests run against (minisign, xmllint, ...)
set -euo pipefail

mode="${1:-build}"
packages=(pkg-config libcmark-gfm-dev libcmark-gfm-extensions-dev libxml2-dev libsodium-dev zlib1g-dev)
if [ "$mode" = "test" ]; then
    # minisign: signature interop; libxml2-utils: xmllint; translate-toolkit: XLIFF interop;
    # python3: the HTTP servers the sync tests start on 127.0.0.1; cmark-gfm: its spec.txt
    # (/usr/share/doc/cmark-gfm/spec.txt.gz), the Markdown corpus of SpecCorpusTests;
    # python3-jsonschema: docs/schemas/validate.py (SchemaTests); nginx, openssl, curl: a channel
    # served over TLS with Examples/nginx.conf (NginxTests).
    packages+=(minisign libxml2-utils translate-toolkit python3 unzip cmark-gfm python3-jsonschema nginx openssl curl)
    # chromium, chromium-driver, python3-selenium: the preview's browser tests (PreviewBrowserTests);
    # python3-pip: fetches axe-core for them (below).
    packages+=(chromium chromium-driver python3-selenium python3-pip)
fi
if [ "$mode" = "bench" ]; then
    packages+=(hugo time python3)
fi

missing=()
for p in "${packages[@]}"; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
        missing+=("$p")
    fi
done

if [ "${#missing[@]}" -gt 0 ]; then
    echo "setup: installing missing Debian packages: ${missing[*]}" >&2
    if [ "$(id -u)" -eq 0 ]; then sudo=""; elif command -v sudo >/dev/null; then sudo="sudo"; else
        echo "setup: not root and no sudo; please install: ${missing[*]}" >&2
        exit 1
    fi
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# axe-core, the accessibility checker the browser tests run in the page: the copy PyPI's
# axe-playwright-python ships (axe.min.js only; nothing is installed into Python).
if [ "$mode" = "test" ]; then
    tools="$(cd "$(dirname "$0")/.." && pwd)/.build/test-tools"
    if [ ! -f "$tools/axe.min.js" ]; then
        echo "setup: fetching axe-core (axe-playwright-python 0.1.8 from PyPI) into $tools" >&2
        mkdir -p "$tools"
        /usr/bin/python3 -m pip download --no-deps --disable-pip-version-check -q --dest "$tools" axe-playwright-python==0.1.8
        unzip -o -q -j "$tools"/axe_playwright_python-0.1.8-*.whl 'axe_playwright_python/axe.min.js' -d "$tools"
    fi
fi

if ! command -v swift >/dev/null; then
    echo "setup: the Swift toolchain (6.0 or newer) is not on PATH; install it from swift.org" >&2
    exit 1
fi

#!/usr/bin/env python3
"""Validates lessonc JSON documents against the JSON Schemas in this folder.

    docs/schemas/validate.py [--expect-invalid] [--quiet] PATH...

PATH is a JSON file, a folder (a build output, a channel, a device store) or an offline pack
(.zip). Folders and packs are walked: every *.json file, every object under objects/ that is
gzip-compressed JSON (lessons and indexes; assets are skipped), and every JSON entry of every
pack. Each document is matched to its schema by its "format" member; a document without a
known format is an error. Documents are also refused when they repeat a member name, and
signed channel documents (latest, manifest, diff, keys, pack) and listing and bucket objects
when their bytes are not the canonical JSON of docs/channel-format.md.

Prints one line per invalid document and a summary per format; exit status 0 when every
document is valid (with --expect-invalid: when every document is invalid), 1 otherwise, 2 on
wrong usage. Needs python3-jsonschema (Debian) 4.x.
"""
import argparse
import gzip
import io
import json
import os
import sys
import zipfile

try:
    import jsonschema
except ImportError:
    sys.exit("validate.py: python3-jsonschema is not installed (apt-get install python3-jsonschema)")

HERE = os.path.dirname(os.path.abspath(__file__))

# "format" prefix → schema file. A newer version of a format needs its schema updated here.
SCHEMAS = {
    "lessonc-lesson/": "lesson.schema.json",
    "lessonc-index/": "index.schema.json",
    "lessonc-build/": "build.schema.json",
    "lessonc-latest/": "latest.schema.json",
    "lessonc-manifest/": "manifest.schema.json",
    "lessonc-diff/": "diff.schema.json",
    "lessonc-keys/": "keys.schema.json",
    "lessonc-pack/": "pack.schema.json",
    "lessonc-listing/": "listing.schema.json",
    "lessonc-bucket/": "bucket.schema.json",
}
# Written as canonical JSON: the signed documents, and the listing and bucket objects (hashed).
SIGNED = {"lessonc-latest/", "lessonc-manifest/", "lessonc-diff/", "lessonc-keys/", "lessonc-pack/", "lessonc-listing/", "lessonc-bucket/"}


class Duplicate(ValueError):
    pass


def no_duplicates(pairs):
    out = {}
    for k, v in pairs:
        if k in out:
            raise Duplicate("duplicate member '%s'" % k)
        out[k] = v
    return out


def canonical(obj):
    return (json.dumps(obj, ensure_ascii=False, separators=(",", ":"), sort_keys=True) + "\n").encode()


def load_validators():
    store, validators = {}, {}
    for name in os.listdir(HERE):
        if name.endswith(".schema.json"):
            with open(os.path.join(HERE, name)) as f:
                schema = json.load(f)
            jsonschema.Draft202012Validator.check_schema(schema)
            store[schema["$id"]] = schema
    try:
        # jsonschema 4.18 and later resolve $ref through the referencing library.
        import referencing
        registry = referencing.Registry().with_resources(
            (uri, referencing.Resource.from_contents(s)) for uri, s in store.items())
        make = lambda schema: jsonschema.Draft202012Validator(schema, registry=registry)
    except ImportError:
        # Debian 12's python3-jsonschema (4.10).
        make = lambda schema: jsonschema.Draft202012Validator(
            schema, resolver=jsonschema.RefResolver(base_uri=schema["$id"], referrer=schema, store=store))
    for prefix, name in SCHEMAS.items():
        validators[prefix] = make(next(s for s in store.values() if s["$id"].endswith("/" + name)))
    return validators


def problems(data, validators):
    """(format, [problem]) for one document's bytes."""
    try:
        doc = json.loads(data.decode("utf-8"), object_pairs_hook=no_duplicates)
    except Duplicate as e:
        return "?", [str(e)]
    except ValueError as e:
        return "?", ["not JSON: %s" % e]
    fmt = doc.get("format") if isinstance(doc, dict) else None
    prefix = next((p for p in SCHEMAS if isinstance(fmt, str) and fmt.startswith(p)), None)
    if prefix is None:
        return str(fmt), ["no schema for format %r" % fmt]
    out = []
    for error in sorted(validators[prefix].iter_errors(doc), key=lambda e: [str(p) for p in e.absolute_path]):
        # oneOf and anyOf: name the closest branch's problem, not only "valid under none".
        while error.context:
            error = jsonschema.exceptions.best_match(error.context)
        where = "/".join(str(p) for p in error.absolute_path) or "(top)"
        out.append("%s: %s" % (where, error.message[:300]))
    if prefix in SIGNED and data != canonical(doc):
        out.append("not canonical JSON (compact, members sorted, one final newline)")
    return fmt, out


def documents(path):
    """(name, bytes) of every JSON document under path."""
    if os.path.isdir(path):
        for dirpath, dirnames, filenames in os.walk(path):
            dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
            for f in sorted(filenames):
                full = os.path.join(dirpath, f)
                yield from documents_in_file(full, os.path.relpath(full, path))
    else:
        yield from documents_in_file(path, path)


def documents_in_file(full, name):
    with open(full, "rb") as f:
        data = f.read()
    yield from documents_in_bytes(data, name)


def documents_in_bytes(data, name):
    base = os.path.basename(name)
    if name.endswith(".json"):
        yield name, data
    elif name.endswith(".zip"):
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            for entry in z.namelist():
                yield from documents_in_bytes(z.read(entry), name + "!" + entry)
    elif len(base) == 64 and data[:2] == b"\x1f\x8b":
        content = gzip.decompress(data)
        if content[:1] == b"{":
            yield name + " (gunzipped)", content


def main():
    ap = argparse.ArgumentParser(description="Validate lessonc JSON documents against docs/schemas.")
    ap.add_argument("--expect-invalid", action="store_true", help="succeed only when every document is invalid")
    ap.add_argument("--quiet", action="store_true", help="print the summary only")
    ap.add_argument("paths", nargs="+")
    args = ap.parse_args()
    validators = load_validators()
    counts, valid, invalid = {}, 0, 0
    for path in args.paths:
        if not os.path.exists(path):
            print("validate.py: %s does not exist" % path, file=sys.stderr)
            return 2
        for name, data in documents(path):
            fmt, found = problems(data, validators)
            counts[fmt] = counts.get(fmt, 0) + 1
            if found:
                invalid += 1
                if not args.quiet or args.expect_invalid:
                    for p in found[:5]:
                        print("%s: invalid: %s" % (name, p))
            else:
                valid += 1
                if args.expect_invalid:
                    print("%s: valid, but it should not be" % name)
    summary = ", ".join("%d %s" % (n, f) for f, n in sorted(counts.items()))
    print("validated %d documents: %d valid, %d invalid (%s)" % (valid + invalid, valid, invalid, summary))
    if valid + invalid == 0:
        return 1
    return 0 if (invalid == 0 if not args.expect_invalid else valid == 0) else 1


if __name__ == "__main__":
    sys.exit(main())

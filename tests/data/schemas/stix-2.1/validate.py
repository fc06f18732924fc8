#!/usr/bin/env python3
"""Validates STIX 2.1 bundles against the OASIS STIX 2.1 JSON schemas.

usage: validate.py SCHEMA_DIR FILE...

SCHEMA_DIR is the folder holding common/, sdos/, sros/ and observables/. The schemas refer
to each other by relative paths resolved against their $id, so every schema of the folder
is loaded into the resolver's store (by its $id and by its file URI) with the folder as the
base URI; nothing is fetched from the network. Each file must be a valid bundle
(common/bundle.json), and each object in it must also be valid against the schema of its
own type when the folder has one (the bundle schema alone lets an object of a type it does
not list, such as location, pass as a custom object).

Exit status 0 when every file is valid, 1 when one is not (each error printed with its path
in the document), 2 on a usage or setup error (python3-jsonschema missing).
"""
import json
import pathlib
import sys

try:
    from jsonschema import Draft202012Validator, RefResolver
except ImportError:
    print("validate.py: python3-jsonschema is not installed", file=sys.stderr)
    sys.exit(2)


def load_store(root):
    store = {}
    by_type = {}
    for path in sorted(root.rglob("*.json")):
        with open(path, encoding="utf-8") as f:
            schema = json.load(f)
        store[path.resolve().as_uri()] = schema
        if "$id" in schema:
            store[schema["$id"]] = schema
        if path.parent.name in ("sdos", "sros", "observables") or path.name in (
            "marking-definition.json",
            "language-content.json",
            "extension-definition.json",
        ):
            by_type[path.stem] = schema
    return store, by_type


def validator_for(schema, store, root):
    base = schema.get("$id", (root / "common" / "bundle.json").resolve().as_uri())
    resolver = RefResolver(base_uri=base, referrer=schema, store=store)
    return Draft202012Validator(schema, resolver=resolver)


def report(path, where, errors):
    for e in errors[:20]:
        loc = "/".join(str(p) for p in e.absolute_path)
        print(f"{path}: {where}/{loc}: {e.message[:300]}", file=sys.stderr)


def main(argv):
    if len(argv) < 3:
        print(__doc__, file=sys.stderr)
        return 2
    root = pathlib.Path(argv[1])
    if not (root / "common" / "bundle.json").is_file():
        print(f"validate.py: no common/bundle.json under {root}", file=sys.stderr)
        return 2
    store, by_type = load_store(root)
    bundle = validator_for(store[(root / "common" / "bundle.json").resolve().as_uri()], store, root)
    typed = {t: validator_for(s, store, root) for t, s in by_type.items()}
    bad = 0
    for path in argv[2:]:
        with open(path, encoding="utf-8") as f:
            doc = json.load(f)
        errors = sorted(bundle.iter_errors(doc), key=lambda e: list(e.absolute_path))
        report(path, "", errors)
        failed = bool(errors)
        for i, obj in enumerate(doc.get("objects", [])):
            v = typed.get(obj.get("type"))
            if v is None:
                continue
            errs = sorted(v.iter_errors(obj), key=lambda e: list(e.absolute_path))
            report(path, f"/objects/{i}({obj.get('type')})", errs)
            failed = failed or bool(errs)
        if failed:
            bad += 1
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))

#!/usr/bin/env python3
"""Validates JSON files against an OSCAL JSON schema (draft-07).

usage: validate.py SCHEMA FILE...

Exit status 0 when every file is valid, 1 when one is not (each error printed with its
path in the document), 2 on a usage or setup error (python3-jsonschema missing).
"""
import json
import sys

try:
    import jsonschema
    from jsonschema import validators
except ImportError:
    print("validate.py: python3-jsonschema is not installed", file=sys.stderr)
    sys.exit(2)

try:
    import regex as _re  # knows \p{L}; optional
except ImportError:
    import re as _re

    _PATTERN_FIXES = (("\\p{L}", "[^\\W\\d_]"), ("\\p{N}", "\\d"))
else:
    _PATTERN_FIXES = ()


def _fix(pattern):
    for old, new in _PATTERN_FIXES:
        pattern = pattern.replace(old, new)
    return pattern


def _pattern(validator, pattern, instance, schema):
    if not validator.is_type(instance, "string"):
        return
    if not _re.search(_fix(pattern), instance):
        yield jsonschema.ValidationError(f"{instance!r} does not match {pattern!r}")


def main(argv):
    if len(argv) < 3:
        print(__doc__, file=sys.stderr)
        return 2
    with open(argv[1], encoding="utf-8") as f:
        schema = json.load(f)
    base = validators.validator_for(schema)
    checker = validators.extend(base, {"pattern": _pattern})
    validator = checker(schema, format_checker=base.FORMAT_CHECKER)
    bad = 0
    for path in argv[2:]:
        with open(path, encoding="utf-8") as f:
            doc = json.load(f)
        errors = sorted(validator.iter_errors(doc), key=lambda e: list(e.absolute_path))
        for e in errors[:20]:
            where = "/".join(str(p) for p in e.absolute_path)
            print(f"{path}: /{where}: {e.message[:300]}", file=sys.stderr)
        if errors:
            bad += 1
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))

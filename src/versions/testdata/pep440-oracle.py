# Reference oracle for src/versions/pep440.ts: Python `packaging.version.Version` (run it with
# Debian's /usr/bin/python3 and python3-packaging). Reads one JSON array [a, b] per line on stdin,
# writes one JSON array per line: [a_valid, b_valid, cmp] with cmp -1/0/1, or null when either
# side is invalid. Used by scripts/vectors/pep440-generate.mjs and src/versions/pep440.test.ts.
import json
import sys

from packaging.version import InvalidVersion, Version


def parse(text):
    try:
        return Version(text)
    except (InvalidVersion, ValueError):
        return None


for line in sys.stdin:
    a, b = json.loads(line)
    va, vb = parse(a), parse(b)
    cmp = None if va is None or vb is None else (va > vb) - (va < vb)
    sys.stdout.write(json.dumps([va is not None, vb is not None, cmp]) + "\n")

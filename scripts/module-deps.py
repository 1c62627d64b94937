#!/usr/bin/env python3
"""Check that shadowmap's objects call one way: each object of Kbuild's
shadowmap-y list may use symbols of the objects listed before it only, so
the files have no call cycle and the list reads as the dependency order.

Usage: module-deps.py KBUILD OBJDIR   (OBJDIR: a tree built with Kbuild)
Prints one line per object and "host: N passed, N failed".
"""
import os
import re
import subprocess
import sys


def objects(kbuild):
    text = open(kbuild).read().replace("\\\n", " ")
    m = re.search(r"^shadowmap-y\s*:=(.*)$", text, re.M)
    if not m:
        sys.exit("module-deps: no shadowmap-y list in " + kbuild)
    return m.group(1).split()


def symbols(nm, path):
    defined, used = set(), set()
    out = subprocess.run([nm, path], capture_output=True, text=True,
                         check=True).stdout
    for line in out.splitlines():
        f = line.split()
        if len(f) == 3 and f[1] in "TDRB":
            defined.add(f[2])
        elif len(f) == 2 and f[0] == "U":
            used.add(f[1])
    return defined, used


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__.strip().splitlines()[-2])
    kbuild, objdir = sys.argv[1:]
    nm = os.environ.get("CROSS_COMPILE", "aarch64-linux-gnu-") + "nm"
    order = objects(kbuild)
    owner, uses = {}, {}
    for o in order:
        path = os.path.join(objdir, o)
        if not os.path.exists(path):
            sys.exit(f"module-deps: {path} missing: build the module first")
        defined, uses[o] = symbols(nm, path)
        for s in defined:
            owner[s] = o
    passed = failed = 0
    for i, o in enumerate(order):
        calls = sorted({owner[s] for s in uses[o] if owner.get(s, o) != o})
        later = [c for c in calls if order.index(c) > i]
        print(f"{'FAIL' if later else 'ok  '} {o} -> {' '.join(calls) or '-'}"
              + (f"  (listed later: {' '.join(later)})" if later else ""))
        failed += bool(later)
        passed += not later
    print(f"host: {passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())

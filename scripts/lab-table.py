#!/usr/bin/env python3
"""Print the lab table from a guest console log.

The guest prints "SM: LAST <walker> <key>: <value>" for every line of
/sys/kernel/debug/shadowmap/last after each run (scripts/guest/test.sh).

Usage: lab-table.py [--hotplug] CONSOLE_LOG
"""
import re
import sys

LAST = re.compile(r"^SM: LAST (\S+) ([a-z0-9_]+): (.*)$")


def runs_of(path):
    runs = {}
    order = []
    with open(path, errors="replace") as log:
        for line in log:
            m = LAST.match(line.rstrip("\n"))
            if not m:
                continue
            tag, key, value = m.groups()
            if tag not in runs:
                runs[tag] = {}
                order.append(tag)
            runs[tag][key] = value
    return order, runs


def num(run, key):
    try:
        return int(run.get(key, "0"))
    except ValueError:
        return 0


def median_ms(run):
    if "build_ns_median" in run:
        return num(run, "build_ns_median") / 1e6
    return sum(num(run, f"{p}_ns_median")
               for p in ("alloc", "zero", "populate")) / 1e6


def human(size):
    for unit, shift in (("GiB", 30), ("MiB", 20), ("KiB", 10)):
        if size >= 1 << shift:
            return f"{size / (1 << shift):.2f} {unit}"
    return f"{size} B"


def main():
    args = sys.argv[1:]
    if args and args[0] == "--hotplug":
        args = args[1:]
    if len(args) != 1:
        sys.exit(__doc__)
    order, runs = runs_of(args[0])
    if not order:
        print(f"lab: no results in {args[0]}")
        return 1
    first = runs[order[0]]
    print(f"shadowmap lab: {first.get('region', '?')} "
          f"{human(num(first, 'size_mapped'))}, kernel {first.get('kernel', '?')}, "
          f"{num(first, 'page_size') // 1024}K pages, {first.get('levels', '?')} levels, "
          f"repeat {first.get('repeat', '?')}")
    cols = ("walker", "tables", "remaps", "TLBIs", "DSBs", "ISBs",
            "median ms", "x v6.1", "verified")
    fmt = "{:<11} {:>7} {:>8} {:>8} {:>9} {:>9} {:>10} {:>7} {:>16}"
    print(fmt.format(*cols))
    base = median_ms(runs["v6.1"]) if "v6.1" in runs else None
    for tag in order:
        run = runs[tag]
        tables = sum(v for k, v in ((k, num(run, k)) for k in run)
                     if k.startswith("tables_"))
        ms = median_ms(run)
        ratio = f"{ms / base:.2f}" if base else "-"
        pages = num(run, "verify_pages")
        verified = f"{run.get('verify_percent', '?')}% of {pages}"
        if run.get("status") != "pass":
            verified = "FAIL " + verified
        print(fmt.format(tag, tables, num(run, "remap_maps"), num(run, "tlbi"),
                         num(run, "dsb"), num(run, "isb"), f"{ms:.2f}", ratio,
                         verified))
    return 0


if __name__ == "__main__":
    sys.exit(main())

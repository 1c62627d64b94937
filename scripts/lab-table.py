#!/usr/bin/env python3
"""Print the lab table from a guest console log.

The guest prints "# SM: LAST <tag> <key>: <value>" for every line of
/sys/kernel/debug/shadowmap/last after each run (run_walker in
selftests/ktap.sh), as KTAP diagnostics, indented in a subtest.

Every run with PTE leaves in one chunk is also checked against the closed
forms of the README ("Counter formulas"), computed here from the table
counts and the region's geometry that `last` reports; --check prints only
that verdict, as "host: N passed, N failed".

Usage: lab-table.py [--hotplug | --check] CONSOLE_LOG
"""
import re
import sys

LAST = re.compile(r"^\s*(?:# )?SM: LAST (\S+) ([a-z0-9_]+): (.*)$")
DATA = re.compile(r"^\s*(?:# )?SM: (LIVE|HOTPLUG) ")
KEYS = re.compile(r"([a-z_]+)=(\S+)")


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


def expected(run):
    """The README's closed forms for remaps, TLBIs, DSBs and ISBs, or None
    where they do not apply (block or cont leaves, several chunks).  Raises
    ValueError when `last` lacks what a form needs."""
    if run.get("leaf") != "pte" or num(run, "chunks") != 1:
        return None
    t_pte, t_pmd = num(run, "tables_pte"), num(run, "tables_pmd")
    t_pud, t_p4d = num(run, "tables_pud"), num(run, "tables_p4d")
    tables = t_pte + t_pmd + t_pud + t_p4d
    pages = num(run, "leaf_pte")
    remap, zero = run.get("remap"), run.get("zero")
    if remap == "cont":
        cont_pmd = num(run, "span_cont_pmd_blocks") if t_pmd else 0
        maps = num(run, "span_cont_pte_blocks") + cont_pmd + t_pud + t_p4d
    elif remap == "none":
        maps = 0
    else:
        maps = tables
    if zero == "separate" and remap != "none":
        maps += tables
    flushes = 0 if remap == "lazy" else maps
    if run.get("barrier") == "entry":
        extra = pages
    elif remap in ("lazy", "none"):
        extra = t_pte
    else:
        extra = 0
    x = {
        "remap_maps": maps,
        "tlbi": flushes,
        "dsb": maps + 2 * flushes + tables + extra +
               (0 if zero == "separate" else tables),
        "isb": maps + flushes + tables + extra,
    }
    if remap == "lazy":
        # The ring flushes when it runs out of clean slots: F flushes of
        # one TLBI per slot, 2 DSBs and 1 ISB each; F is read from the run.
        ring = num(run, "lazy_ring")
        if ring <= 0:
            raise ValueError("last has no lazy_ring (slots in the lazy ring)")
        ring_flushes, rest = divmod(num(run, "tlbi"), ring)
        if rest or not ring_flushes:
            ring_flushes = -1  # cannot match: not whole flushes
        x["tlbi"] = ring * ring_flushes
        x["dsb"] += 2 * ring_flushes
        x["isb"] += ring_flushes
    return x


def formula_verdict(run):
    """'ok', 'n/a', or what differs."""
    try:
        x = expected(run)
    except ValueError as err:
        return f"MISMATCH {err}"
    if x is None:
        return "n/a"
    bad = [f"{k} {num(run, k)}!={v}" for k, v in x.items() if num(run, k) != v]
    return "MISMATCH " + ",".join(bad) if bad else "ok"


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


def hotplug_table(path):
    """The kernel's own hot-add against every preset over the same ranges."""
    live = None
    rows = []
    with open(path, errors="replace") as log:
        for line in log:
            m = DATA.match(line)
            if m and m.group(1) == "LIVE":
                live = dict(KEYS.findall(line))
            elif m:
                rows.append(dict(KEYS.findall(line)))
    order, runs = runs_of(path)
    if not live or not rows:
        print(f"lab: no hot-add results in {path}")
        return 1
    first = runs[order[0]] if order else {}
    map_ns = int(live.get("map_ns", 0))
    probe_ns = int(live.get("map_probe_ns", 0))
    own_ns = max(map_ns - probe_ns, 1)
    print(f"shadowmap hot-add: {human(int(live.get('size', 0)))} in "
          f"{live.get('events', '?')} arch_add_memory() calls, kernel "
          f"{first.get('kernel', '?')}, {first.get('levels', '?')} levels")
    print(f"live kernel: {live.get('map_tlbi')} TLBIs, page tables "
          f"{map_ns / 1e6:.2f} ms measured, {own_ns / 1e6:.2f} ms less the "
          f"probes' estimated cost")
    fmt = "{:<11} {:>8} {:>11} {:>10} {:>12}"
    print(fmt.format("walker", "TLBIs", "= live?", "median ms", "x live"))
    print(fmt.format("live", live.get("map_tlbi"), "", f"{own_ns / 1e6:.2f}",
                     "1.00"))
    for row in rows:
        ns = int(row.get("build_ns_median", 0))
        same = "yes" if row.get("tlbi") == live.get("map_tlbi") else "no"
        print(fmt.format(row.get("walker"), row.get("tlbi"), same,
                         f"{ns / 1e6:.2f}", f"{ns / own_ns:.2f}"))
    return 0


def main():
    args = sys.argv[1:]
    if args and args[0] in ("--hotplug", "--check"):
        if len(args) != 2:
            sys.exit(__doc__)
        return (hotplug_table if args[0] == "--hotplug" else check)(args[1])
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
            "median ms", f"x {order[0]}", "verified", "formulas")
    fmt = "{:<11} {:>7} {:>8} {:>8} {:>9} {:>9} {:>10} {:>7} {:>16}  {}"
    print(fmt.format(*cols))
    base = median_ms(first)
    status = 0
    for tag in order:
        run = runs[tag]
        tables = sum(num(run, k) for k in run if k.startswith("tables_"))
        ms = median_ms(run)
        ratio = f"{ms / base:.2f}" if base else "-"
        pages = num(run, "verify_pages")
        verified = f"{run.get('verify_percent', '?')}% of {pages}"
        if run.get("status") != "pass":
            verified = "FAIL " + verified
        verdict = formula_verdict(run)
        if verdict.startswith("MISMATCH") or run.get("status") != "pass":
            status = 1
        print(fmt.format(tag, tables, num(run, "remap_maps"), num(run, "tlbi"),
                         num(run, "dsb"), num(run, "isb"), f"{ms:.2f}", ratio,
                         verified, verdict))
    return status


def check(path):
    """Every run's counters against the closed forms."""
    order, runs = runs_of(path)
    passed = failed = 0
    for tag in order:
        verdict = formula_verdict(runs[tag])
        if verdict == "ok":
            passed += 1
        elif verdict != "n/a":
            failed += 1
            print(f"FAIL formulas {tag}: {verdict}")
    print(f"host: {passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/env python3
"""Print the lab table from a guest console log.

The guest prints "# SM: LAST <tag> <key>: <value>" for every line of
/sys/kernel/debug/shadowmap/last after each run (run_walker in
selftests/ktap.sh), as KTAP diagnostics, indented in a subtest.

Every run with PTE leaves in one chunk is also checked against the closed
forms of docs/counters.md ("Counter formulas"), computed here from the table
counts and the region's geometry that `last` reports; --check prints only
that verdict, as "host: N passed, N failed".

With --judge, every run's predicted_build_ns must be within
ACCURATE of its measured median (make bench), and with --hotplug the
kernel's own preset within FAITHFUL of the live kernel.  --icount says
the log is of the deterministic clock (QEMU -icount: 1 ns = 1
instruction), whose targets are the tighter ICOUNT_ACCURATE and
ICOUNT_FAITHFUL.

The seeds' steps ("SM: STEPSCSV" lines, the CLI's `steps --format csv`)
follow the table when the log has them.

Usage: lab-table.py [--judge] [--icount] [--hotplug | --check] CONSOLE_LOG
"""
import csv
import os
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
    """The closed forms of docs/counters.md for remaps, TLBIs, DSBs and ISBs, or None
    where they do not apply (block or cont leaves, several chunks, a split
    build that maps PMD tables once per span: threads>1 with remap table
    or lazy, or cont with zero=combined; the count walk covers those).
    Raises ValueError when `last` lacks what a form needs."""
    if run.get("leaf") != "pte" or num(run, "chunks") != 1:
        return None
    if num(run, "threads") > 1 and (
            run.get("remap") in ("table", "lazy") or
            (run.get("remap") == "cont" and run.get("zero") == "combined")):
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


# predicted_build_ns over the measured median, for make bench to pass.
ACCURATE = (0.75, 1.25)
ICOUNT_ACCURATE = (0.9, 1.1)


def prediction(run):
    """Predicted build ms and predicted/measured, or None where `last` has
    no prediction (no costs)."""
    pred = run.get("predicted_build_ns", "")
    meas = num(run, "build_ns_median")
    if not pred.isdigit() or not meas:
        return None, None
    return int(pred) / 1e6, int(pred) / meas


def human(size):
    for unit, shift in (("GiB", 30), ("MiB", 20), ("KiB", 10)):
        if size >= 1 << shift:
            return f"{size / (1 << shift):.2f} {unit}"
    return f"{size} B"


# The preset that mirrors each kernel's hot-add path.
# Live over preset, in one boot, for the replica to count as faithful.
FAITHFUL = (0.8, 1.25)
ICOUNT_FAITHFUL = (0.9, 1.1)


def live_tlbi_for(live, row):
    """The live kernel's TLBIs for the ranges a preset row mapped: the
    counted hot-add's, or, where the timed hot-add mapped fewer blocks
    (virtio-mem kept one it could not unplug), the counted hot-add's per
    block times the timed blocks, when every counted block issued the
    same number; else None."""
    count_size = live.get("count_size", live.get("size"))
    if row.get("size", count_size) == count_size:
        return live.get("map_tlbi")
    lo, hi = live.get("count_tlbi_min"), live.get("count_tlbi_max")
    if lo is None or lo != hi or not live.get("events", "").isdigit():
        return None
    return str(int(lo) * int(live["events"]))


def hotplug_rows(path):
    """The hot-add log's live line and preset rows: (live, rows)."""
    live = None
    rows = []
    with open(path, errors="replace") as log:
        for line in log:
            m = DATA.match(line)
            if m and m.group(1) == "LIVE":
                live = dict(KEYS.findall(line))
            elif m:
                rows.append(dict(KEYS.findall(line)))
    return live, rows


def live_over_preset(path):
    """(preset, live ns, preset ns): the kernel's own hot-add time, less
    the probes' estimated cost, and that of the preset that models it, or
    None (no such log, or no such rows in it)."""
    if not os.path.isfile(path):
        return None
    live, rows = hotplug_rows(path)
    order, runs = runs_of(path)
    if not live or not order:
        return None
    ref = live.get("preset")
    own = max(int(live.get("map_ns", 0)) - int(live.get("map_probe_ns", 0)), 1)
    for row in rows:
        if row.get("walker") == ref:
            return ref, own, int(row.get("build_ns_median", 0) or 0)
    return None


def hotplug_table(path, judge=False, icount=False):
    """The kernel's own hot-add against every preset over the same ranges:
    counts from a hot-add with the counting probes armed, times from one
    with them disarmed (counted=0)."""
    live, rows = hotplug_rows(path)
    order, runs = runs_of(path)
    if not live or not rows:
        print(f"lab: no hot-add results in {path}")
        return 1
    first = runs[order[0]] if order else {}
    kernel = first.get("kernel", "?")
    # the module's hotplug_preset, as the guest's selftest printed it
    ref = live.get("preset")
    map_ns = int(live.get("map_ns", 0))
    probe_ns = int(live.get("map_probe_ns", 0))
    own_ns = max(map_ns - probe_ns, 1)
    print(f"shadowmap hot-add: {human(int(live.get('size', 0)))} in "
          f"{live.get('events', '?')} arch_add_memory() calls, kernel "
          f"{kernel}, {first.get('levels', '?')} levels")
    if "count_map_ns" in live and live.get("counted") == "0":
        cnt_ns = int(live["count_map_ns"])
        cnt_probe = int(live.get("count_probe_ns", 0))
        print(f"live kernel, counted hot-add of "
              f"{human(int(live.get('count_size', 0)))} (counting probes "
              f"armed): {live.get('map_tlbi')} TLBIs; page tables "
              f"{cnt_ns / 1e6:.2f} ms, {max(cnt_ns - cnt_probe, 0) / 1e6:.2f}"
              f" ms less the probes' estimated cost")
        print(f"live kernel, timed hot-add (counting probes disarmed): page "
              f"tables {map_ns / 1e6:.2f} ms, of which the return probes' "
              f"estimated cost {probe_ns / 1e6:.3f} ms "
              f"({100 * probe_ns / max(map_ns, 1):.2f}%)")
    else:
        print(f"live kernel: {live.get('map_tlbi')} TLBIs, page tables "
              f"{map_ns / 1e6:.2f} ms measured, {own_ns / 1e6:.2f} ms less "
              f"the probes' estimated cost (counting probes armed)")
    unit = "M instr" if icount else "ms"
    fmt = "{:<11} {:>8} {:>11} {:>14} {:>16} {:>12}"
    print(fmt.format("walker", "TLBIs", "= live?", f"median {unit}",
                     f"predicted {unit}", "live/preset"))
    timed = live_tlbi_for(live, rows[0]) if rows else None
    print(fmt.format("live", timed or live.get("map_tlbi"), "",
                     f"{own_ns / 1e6:.2f}", "", "1.00"))
    if timed and timed != live.get("map_tlbi"):
        print(f"(the timed hot-add mapped {live.get('events')} blocks, the "
              f"counted one {live.get('count_events')}: live TLBIs "
              f"{live.get('count_tlbi_min')} per block, as counted)")
    verdict = None
    for row in rows:
        ns = int(row.get("build_ns_median", 0) or 0)
        pred = row.get("predicted_build_ns") or ""
        pred = f"{int(pred) / 1e6:.2f}" if pred.isdigit() else "-"
        # the kernel's TLBIs for the same ranges as the preset's
        want = live_tlbi_for(live, row)
        same = "-" if want is None else (
            "yes" if row.get("tlbi") == want else "no")
        ratio = own_ns / ns if ns else 0
        name = row.get("walker", "?")
        if name == ref:
            verdict = ratio
            name += "*"
        print(fmt.format(name, row.get("tlbi"), same, f"{ns / 1e6:.2f}",
                         pred, f"{ratio:.2f}"))
    if verdict is None:
        print(f"no {ref} row: no verdict on the replica's times")
        return 1
    lo, hi = ICOUNT_FAITHFUL if icount else FAITHFUL
    inside = lo <= verdict <= hi
    print(f"* {ref}, the kernel's own path: live/preset {verdict:.2f}, "
          f"{'inside' if inside else 'OUTSIDE'} {lo}..{hi}"
          f"{'' if judge else ' (not judged)'}")
    return 1 if judge and not inside else 0


def steps_of(path):
    """The steps' CSV rows (dicts), as the CLI printed them, and its notes
    (a row it left out, and why)."""
    lines, notes = [], []
    with open(path, errors="replace") as log:
        for line in log:
            for mark, into in (("SM: STEPSCSV ", lines),
                               ("SM: STEPSNOTE ", notes)):
                i = line.find(mark)
                if i >= 0:
                    into.append(line[i + len(mark):].rstrip("\n"))
    return (list(csv.DictReader(lines)) if lines else []), notes


def steps_rows(steps):
    """Per step: label, measured ms, % of base, predicted ms, TLBIs,
    barriers, tables."""
    rows = []
    base = None
    for s in steps:
        ms = int(s.get("build_ns_median") or 0) / 1e6
        base = base or ms
        pred = s.get("predicted_build_ns", "")
        tables = sum(int(v or 0) for k, v in s.items()
                     if k.startswith("tables_"))
        rows.append({
            "step": s.get("step", "?"), "ms": round(ms, 4),
            "percent": round(100 * ms / base, 1) if base else None,
            "predicted_ms": int(pred) / 1e6 if pred.isdigit() else None,
            "tlbi": int(s.get("tlbi") or 0),
            "barriers": int(s.get("dsb") or 0) + int(s.get("isb") or 0),
            "tables": tables, "status": s.get("status", "?"),
        })
    return rows


def print_steps(rows, first, notes=()):
    if not rows:
        return
    print(f"\nthe seeds' steps, {first.get('region', '?')} "
          f"{human(int(first.get('size_mapped') or 0))}, repeat "
          f"{first.get('repeat', '?')} (ms: measured median; % of base)")
    fmt = "{:<26} {:>10} {:>6} {:>10} {:>10} {:>8} {:>10}"
    print(fmt.format("step", "ms", "%", "TLBIs", "barriers", "tables",
                     "pred ms"))
    for r in rows:
        pred = "-" if r["predicted_ms"] is None else f"{r['predicted_ms']:.2f}"
        print(fmt.format(r["step"], f"{r['ms']:.2f}", f"{r['percent']:.0f}%",
                         r["tlbi"], r["barriers"], r["tables"], pred))
    for note in notes:
        print(note)


def main():
    global ACCURATE
    args = sys.argv[1:]
    judge = "--judge" in args
    icount = "--icount" in args
    args = [a for a in args if a not in ("--judge", "--icount")]
    if icount:
        ACCURATE = ICOUNT_ACCURATE
    if args and args[0] == "--hotplug":
        if len(args) != 2:
            sys.exit(__doc__)
        return hotplug_table(args[1], judge, icount)
    if args and args[0] == "--check":
        if len(args) != 2:
            sys.exit(__doc__)
        return check(args[1])
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
            "median ms", f"x {order[0]}", "pred ms", "pred/meas", "verified",
            "formulas")
    fmt = ("{:<11} {:>7} {:>8} {:>8} {:>9} {:>9} {:>10} {:>7} {:>9} {:>9} "
           "{:>16}  {}")
    print(fmt.format(*cols))
    outside = []
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
        pred, acc = prediction(run)
        if acc is not None and not ACCURATE[0] <= acc <= ACCURATE[1]:
            outside.append(f"{tag} {acc:.2f}")
        print(fmt.format(tag, tables, num(run, "remap_maps"), num(run, "tlbi"),
                         num(run, "dsb"), num(run, "isb"), f"{ms:.2f}", ratio,
                         "-" if pred is None else f"{pred:.2f}",
                         "-" if acc is None else f"{acc:.2f}",
                         verified, verdict))
    steps, notes = steps_of(args[0])
    print_steps(steps_rows(steps), steps[0] if steps else {}, notes)
    if any(s.get("status") != "pass" for s in steps):
        status = 1
    if judge:
        if outside:
            print(f"prediction OUTSIDE {ACCURATE[0]}..{ACCURATE[1]} of the "
                  f"measured median: {', '.join(outside)}")
            status = 1
        else:
            print(f"prediction: every run within {ACCURATE[0]}..{ACCURATE[1]}"
                  f" of its measured median")
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

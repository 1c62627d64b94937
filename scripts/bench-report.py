#!/usr/bin/env python3
"""make bench's results, from the bench guest's console log.

The guest (scripts/guest/lab.sh with cases=, steps= and hotplug=1) ran
every preset over each region:size of the matrix, the seeds' steps, and a
hot-add, in one boot; each run's `last` is in the log as "SM: LAST
WALKER@REGION:SIZE key: value" lines, the steps as "SM: STEPSCSV" lines.

This prints the matrix (median build ms, predicted/measured, TLBIs per
GiB) and the steps table, and writes into OUTDIR:
  runs.csv         one row per run, every key of its `last`
  summary.json     per run the figures the tables show, the steps, the
                   kernel, and the verdict on the predictions
  *.dat, plots.gp  the plots' data and the gnuplot script
  *.png, *.svg     time against size (log-log), time per GiB against
                   size, TLBIs per GiB, the steps, measured against
                   predicted

With the guest's parallel= runs (`direct` at several thread counts,
tags parallel:REGION:SIZE:tN:ROUND) it prints their table and the line
"parallel: direct SIZE threads=2 speedup X.XX", X the median build time
at threads=1 over that at threads=2 (medians over the rounds), the lower
of the regions'; SCALING_LOG, a second guest's (more vCPUs), gives the
scaling table.  No time is judged.

Two clocks (docs/rig.md):
  wall-clock (the default)  QEMU TCG's emulation time.  The targets are
                 printed, each with whether it holds (predictions within
                 WALL_ACCURATE of the median); they do not set the exit
                 status, since the emulator's TLB makes a TLBI's cost
                 depend on its history.
  --icount       the deterministic mode: 1 ns of guest time is one
                 instruction executed.  Predictions must be within
                 ICOUNT_ACCURATE of the median, and the time per GiB of
                 each preset and region flat within ICOUNT_FLAT from
                 256 MiB to 8 GiB; the exit status says whether they are.

  --causes RESULTS  after both: for each wall-clock target that does not
                 hold, its measured cause.  A run's time per instruction
                 is its wall-clock median over its median instruction
                 count (the same run in the --icount boot); where the
                 instructions meet the target and the wall clock does
                 not, the time per instruction moved, and this prints by
                 how much.  RESULTS holds both boots' summary.json and
                 hotplug-live.log (icount/ for the second).

Exit status 1 when a run failed (either clock) or, with --icount, a
target does not hold; 2 on bad usage or input.

Usage: bench-report.py [--icount] CONSOLE_LOG OUTDIR [SCALING_LOG]
       bench-report.py --causes RESULTS
"""
import csv
import importlib.util
import json
import os
import shutil
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
_spec = importlib.util.spec_from_file_location(
    "lab_table", os.path.join(HERE, "lab-table.py"))
lab = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(lab)

GIB = 1 << 30
# predicted / measured, per clock
WALL_ACCURATE = (0.75, 1.25)
ICOUNT_ACCURATE = (0.9, 1.1)
# largest over smallest ms per GiB of one preset and region, 256M..8G
ICOUNT_FLAT = 1.05
FLAT_SIZES = (256 << 20, 8 * GIB)
TERMINALS = (("png", "pngcairo size 960,640 font ',11'"),
             ("svg", "svg size 960,640 font 'sans,11' dynamic"))


def size_label(nbytes):
    if nbytes >= GIB and nbytes % GIB == 0:
        return f"{nbytes // GIB}G"
    return f"{nbytes >> 20}M"


def collect(path):
    """The matrix's runs: [(walker, region, size_bytes, last)], in order."""
    order, runs = lab.runs_of(path)
    out = []
    for tag in order:
        if "@" not in tag:
            continue
        walker = tag.split("@", 1)[0]
        run = runs[tag]
        out.append((walker, run.get("region", "?"),
                    lab.num(run, "size_mapped"), run))
    return out


def figures(walker, region, size, run):
    ms = lab.median_ms(run)
    pred, acc = lab.prediction(run)
    gib = size / GIB if size else 0
    tables = sum(lab.num(run, k) for k in run if k.startswith("tables_"))
    # the tables above the PTE level, made and zeroed whatever the size:
    # their share of the predicted alloc and zero phases
    upper = tables - lab.num(run, "tables_pte")
    upper_ns = ((lab.num(run, "predicted_alloc_ns") +
                 lab.num(run, "predicted_zero_ns")) * upper / tables
                if tables else 0)
    return {
        "walker": walker, "region": region, "size_bytes": size,
        "case": f"{region} {size_label(size)}",
        "median_ms": round(ms, 4),
        "min_ms": lab.num(run, "build_ns_min") / 1e6,
        "max_ms": lab.num(run, "build_ns_max") / 1e6,
        "spread_percent": round(100 * (lab.num(run, "build_ns_max") -
                                       lab.num(run, "build_ns_min")) /
                                (ms * 1e6), 2) if ms else None,
        "predicted_ms": None if pred is None else round(pred, 4),
        "predicted_over_measured": None if acc is None else round(acc, 4),
        "ms_per_gib": round(ms / gib, 4) if gib else None,
        "tlbi": lab.num(run, "tlbi"),
        "tlbi_per_gib": round(lab.num(run, "tlbi") / gib, 1) if gib else None,
        "dsb": lab.num(run, "dsb"), "isb": lab.num(run, "isb"),
        "tables": tables, "upper_tables_ms": round(upper_ns / 1e6, 6),
        "repeat": lab.num(run, "repeat"),
        "status": run.get("status", "?"),
    }


def costs_of(path):
    """The calibrated medians the guest printed ("SM: COSTS NAME
    median_ps=PS ..."), in ps by name."""
    costs = {}
    with open(path, errors="replace") as log:
        for line in log:
            i = line.find("SM: COSTS ")
            if i < 0:
                continue
            words = line[i + len("SM: COSTS "):].split()
            for w in words[1:]:
                if w.startswith("median_ps=") and w[10:].isdigit():
                    costs[words[0]] = int(w[10:])
    return costs


# The case whose PTE-leaf runs are held to the floor (else the first
# vmalloc case there is).
FLOOR_CASE = "vmalloc 1G"


def floor_case(runs):
    cases = [f"{r} {size_label(s)}" for _, r, s, _ in runs]
    if FLOOR_CASE in cases:
        return FLOOR_CASE
    return next((c for c in cases if c.startswith("vmalloc ")), None)


def floor_ratios(runs, costs, case):
    """Per PTE-leaf walker of FLOOR_CASE: what its build took beyond the
    page allocator, over the floor of making its tables, clear_page plus
    fill_page (a memset of the same table bytes, zero and fill) per table,
    both calibrated in the same boot.  The allocator's zeroing, for
    zero=allocator, counts as the walker's (table_alloc_zero less
    table_alloc per table)."""
    need = ("clear_page", "fill_page", "table_alloc", "table_alloc_zero")
    if any(k not in costs for k in need):
        return []
    out = []
    for walker, region, size, run in runs:
        if f"{region} {size_label(size)}" != case or \
                run.get("leaf") != "pte":
            continue
        tables = sum(lab.num(run, k) for k in run if k.startswith("tables_"))
        floor_ns = tables * (costs["clear_page"] + costs["fill_page"]) / 1e3
        made_ns = lab.num(run, "build_ns_median") - \
            lab.num(run, "alloc_ns_median")
        if run.get("zero") == "allocator":
            made_ns += tables * max(costs["table_alloc_zero"] -
                                    costs["table_alloc"], 0) / 1e3
        if floor_ns > 0:
            out.append((walker, made_ns / floor_ns, made_ns, floor_ns))
    return out


def print_matrix(figs, walkers, cases, accurate, unit):
    by = {(f["walker"], f["case"]): f for f in figs}
    width = max(12, *(len(c) + 1 for c in cases))
    head = "{:<11}" + "".join(f" {{:>{width}}}" for _ in cases)
    for title, key, fmt in (
            (f"median build {unit}", "median_ms", "{:.2f}"),
            (f"spread of the repeats, (max - min) / median, %",
             "spread_percent", "{:.1f}"),
            ("predicted / measured (target "
             f"{accurate[0]}..{accurate[1]})",
             "predicted_over_measured", "{:.2f}"),
            ("TLBIs per GiB", "tlbi_per_gib", "{:.0f}"),
            (f"{unit} per GiB", "ms_per_gib", "{:.2f}")):
        print(f"\n{title}")
        print(head.format("walker", *cases))
        for w in walkers:
            cells = []
            for c in cases:
                v = by.get((w, c), {}).get(key)
                cell = "-" if v is None else fmt.format(v)
                if by.get((w, c), {}).get("status", "pass") != "pass":
                    cell = "FAIL " + cell
                cells.append(cell)
            print(head.format(w, *cells))


def write_csv(path, runs):
    keys = []
    for walker, region, size, run in runs:
        for k in run:
            if k not in keys:
                keys.append(k)
    with open(path, "w", newline="") as f:
        out = csv.writer(f)
        out.writerow(["tag"] + keys)
        for walker, region, size, run in runs:
            out.writerow([f"{walker}@{region}:{size_label(size)}"] +
                         [run.get(k, "") for k in keys])


def parallel_runs(path):
    """{(region, size_label): {threads: [(median_ms, status), ...]}} of
    the parallel:REGION:SIZE:tN:ROUND tags, and the guest's vCPUs."""
    order, runs = lab.runs_of(path)
    out = {}
    for tag in order:
        parts = tag.split(":")
        if parts[0] != "parallel" or len(parts) < 4 or \
                not parts[3].startswith("t"):
            continue
        run = runs[tag]
        key = (parts[1], parts[2])
        threads = int(parts[3][1:])
        out.setdefault(key, {}).setdefault(threads, []).append(
            (lab.median_ms(run), run.get("status", "?")))
    return out, cpus_of(path)


def cpus_of(path):
    """The guest's CPUs, from its boot log (or None)."""
    with open(path, errors="replace") as log:
        for line in log:
            i = line.find("smp: Brought up ")
            if i >= 0:
                words = line[i:].split()
                for w, nxt in zip(words, words[1:]):
                    if nxt.startswith("CPU") and w.isdigit():
                        return int(w)
    return None


def median(values):
    v = sorted(values)
    n = len(v)
    if not n:
        return None
    return v[n // 2] if n % 2 else (v[n // 2 - 1] + v[n // 2]) / 2


PARALLEL_NOTE = ("Hot-add runs on many CPUs; boot-time map_mem() does not "
                 "(secondaries are not up yet).")


def print_parallel(par, cpus, title):
    """One row per region: median ms per thread count, speedups over
    threads=1.  Returns {region: {threads: speedup}} and the failures."""
    counts = sorted({t for per in par.values() for t in per})
    rounds = max(len(v) for per in par.values() for v in per.values())
    print(f"\n{title} ({cpus or '?'} vCPUs, one boot; median build ms, "
          f"the median of {rounds} round(s) of the runs' medians)")
    head = "{:<14}" + "".join(" {:>11}" for _ in counts) + \
        "".join(" {:>7}" for t in counts if t > 1)
    print(head.format("case", *[f"threads={t}" for t in counts],
                      *[f"x{t}" for t in counts if t > 1]))
    speed, failed = {}, []
    for (region, size), per in par.items():
        ms = {t: median([m for m, _ in per[t]]) for t in per}
        for t in per:
            failed += [f"parallel {region} {size} threads={t}"
                       for _, st in per[t] if st != "pass"]
        one = ms.get(1)
        sp = {t: one / ms[t] for t in ms if t > 1 and one and ms[t]}
        speed[(region, size)] = sp
        print(head.format(f"{region} {size}",
                          *[f"{ms[t]:.2f}" if ms.get(t) else "-"
                            for t in counts],
                          *[f"{sp[t]:.2f}" if t in sp else "-"
                            for t in counts if t > 1]))
    return speed, failed


def report_parallel(log, scaling_log):
    """The parallel table and line, and the scaling table: their summary
    and failed runs."""
    summary, failed = {}, []
    par, cpus = parallel_runs(log)
    if par:
        speed, failed = print_parallel(par, cpus,
                                       "parallel: direct, split walker")
        two = {k: v[2] for k, v in speed.items() if 2 in v}
        if two:
            (region, size), x = min(two.items(), key=lambda kv: kv[1])
            each = ", ".join(f"{r} {v:.2f}" for (r, _), v in two.items())
            print(f"parallel: direct {size} threads=2 speedup {x:.2f} "
                  f"(the lower of {each})")
        summary["parallel"] = {f"{r} {s}": v for (r, s), v in speed.items()}
        summary["parallel_vcpus"] = cpus
    if scaling_log and os.path.exists(scaling_log):
        scal, scpus = parallel_runs(scaling_log)
        if scal:
            speed, f = print_parallel(scal, scpus,
                                      "scaling: direct, split walker")
            failed += f
            summary["scaling"] = {f"{r} {s}": v
                                  for (r, s), v in speed.items()}
            summary["scaling_vcpus"] = scpus
            print(f"(this host has {os.cpu_count()} CPUs: the emulator "
                  "runs each vCPU on a host thread of its own)")
    if summary:
        print(PARALLEL_NOTE)
    return summary, failed


def dat(v):
    return "NaN" if v is None else f"{v:.6g}"


def write_plot_data(outdir, figs, walkers, steps):
    """One table per region: size in GiB, then a column per walker."""
    regions = []
    for f in figs:
        if f["region"] not in regions:
            regions.append(f["region"])
    for region in regions:
        sizes = sorted({f["size_bytes"] for f in figs if f["region"] == region})
        by = {(f["walker"], f["size_bytes"]): f for f in figs
              if f["region"] == region}
        with open(os.path.join(outdir, f"time-{region}.dat"), "w") as out:
            out.write("size_gib " + " ".join(walkers) + "\n")
            for s in sizes:
                out.write(f"{s / GIB:.6g} " + " ".join(
                    dat(by.get((w, s), {}).get("median_ms")) for w in walkers)
                    + "\n")
    # TLBIs per GiB: a row per walker, a column per case.
    cases = []
    for f in figs:
        if f["case"] not in cases:
            cases.append(f["case"])
    by = {(f["walker"], f["case"]): f for f in figs}
    no_tlbi = []
    with open(os.path.join(outdir, "tlbi.dat"), "w") as out:
        out.write("walker " + " ".join(f'"{c}"' for c in cases) + "\n")
        for w in walkers:
            vals = [by.get((w, c), {}).get("tlbi_per_gib") for c in cases]
            if not any(vals):
                no_tlbi.append(w)
                continue
            out.write(w + " " + " ".join(
                "NaN" if not v else dat(v) for v in vals) + "\n")
    with open(os.path.join(outdir, "predicted.dat"), "w") as out:
        out.write("# measured_ms predicted_ms walker case\n")
        for w in walkers:
            for f in figs:
                if f["walker"] == w and f["predicted_ms"]:
                    out.write(f'{dat(f["median_ms"])} '
                              f'{dat(f["predicted_ms"])} {w} "{f["case"]}"\n')
            out.write("\n\n")
    with open(os.path.join(outdir, "steps.dat"), "w") as out:
        out.write('# step measured predicted percent\n')
        for r in steps:
            out.write(f'"{r["step"]}" {dat(r["ms"])} '
                      f'{dat(r["predicted_ms"])} {r["percent"]:.0f}\n')
    return regions, cases, no_tlbi


# Dark, distinct colours: gnuplot's default yellow is unreadable on white.
COLOURS = ("#1b9e77", "#d95f02", "#7570b3", "#e7298a", "#66a61e",
           "#a6761d", "#1f78b4", "#666666")


def gnuplot_script(regions, cases, walkers, steps, no_tlbi, title,
                   unit="ms"):
    """Every plot, each once per terminal of TERMINALS; times in UNIT."""
    n = len(walkers)
    g = [f'# gnuplot script written by scripts/bench-report.py; {title}',
         'set grid', 'set key outside right top', 'set datafile missing "NaN"',
         'set style data linespoints', 'set pointsize 1.2']
    g += [f"set linetype {i + 1} lc rgb '{c}' lw 2"
          for i, c in enumerate(COLOURS)]
    g += [f"set linetype cycle {len(COLOURS)}"]
    dashes = {r: i + 1 for i, r in enumerate(regions)}
    none = f" (no TLBI: {', '.join(no_tlbi)})" if no_tlbi else ""
    for ext, term in TERMINALS:
        g += [f'set terminal {term}', '']
        # 1: time against size, log-log
        g += [f"set output 'time-vs-size.{ext}'",
              f"set title \"Median build time against size\\n{title}\"",
              "set xlabel 'size mapped (GiB)'", f"set ylabel 'median build time ({unit})'",
              'set logscale xy', 'set format x "%g"', 'set format y "%g"',
              'set offsets graph 0.05, graph 0.05, graph 0.05, graph 0.05']
        plots = []
        for r in regions:
            plots.append(f"for [c=2:{n + 1}] 'time-{r}.dat' using 1:c "
                         f"title sprintf('%s, {r}', columnhead(c)) "
                         f"lc (c-1) dt {dashes[r]} pt {dashes[r] + 5}")
        g += ['plot ' + ', \\\n     '.join(plots), '']
        # 2: time per GiB against size
        g += [f"set output 'time-per-gib.{ext}'",
              f"set title \"Time per GiB against size (flat: linear in size)\\n{title}\"",
              f"set ylabel 'median build time per GiB ({unit}/GiB)'"]
        plots = [p.replace("using 1:c", "using 1:(column(c)/$1)")
                 for p in plots]
        g += ['plot ' + ', \\\n     '.join(plots), '', 'unset logscale',
              'set offsets 0, 0, 0, 0']
        # 3: TLBIs per GiB, bars per walker, one per case
        g += [f"set output 'tlbi-per-gib.{ext}'",
              f"set title \"TLBIs per GiB mapped{none}\\n{title}\"",
              'set style data histograms', 'set style histogram clustered gap 1',
              'set style fill solid 0.8 border -1', 'set logscale y',
              "set xlabel 'walker'", "set ylabel 'TLBIs per GiB'",
              'set xtics rotate by -30', 'set yrange [1:*]',
              f"plot for [c=2:{len(cases) + 1}] 'tlbi.dat' using c:xtic(1) "
              "title columnhead(c)", '',
              'unset logscale', 'set yrange [*:*]', 'set style data linespoints']
        # 4: the steps, in the seeds' shape
        if steps:
            g += [f"set output 'steps.{ext}'",
                  f"set title \"The seeds' steps: median build time, % of base\\n{title}\"",
                  'set style data histograms', 'set style histogram clustered gap 1',
                  'set style fill solid 0.8 border -1', "set xlabel ''",
                  f"set ylabel 'build time ({unit})'", 'set xtics rotate by -30',
                  f'set yrange [0:*]', f'set xrange [-0.6:{len(steps) - 0.4}]',
                  "plot 'steps.dat' using 2:xtic(1) title 'measured', "
                  "'' using 3 title 'predicted', "
                  "'' using ($0-0.15):2:(sprintf('%d%%', $4)) with labels "
                  "offset 0,0.8 notitle", '',
                  'set yrange [*:*]', 'set xrange [*:*]',
                  'set style data linespoints']
        # 5: measured against predicted
        g += [f"set output 'predicted-vs-measured.{ext}'",
              f"set title \"Predicted against measured build time (lines: equal, +-25%)\\n{title}\"",
              f"set xlabel 'measured median ({unit})'", f"set ylabel 'predicted ({unit})'",
              'set logscale xy', 'set xtics norotate', 'set key outside right top',
              "plot for [i=0:%d] 'predicted.dat' index i using 1:2 with points "
              "pt (i+5) lc (i+1) title '%s'.word('%s', i+1), "
              "x title 'predicted = measured' lc rgb 'black' dt 1, "
              "1.25*x title '+25%%' lc rgb 'gray' dt 2, "
              "0.75*x title '-25%%' lc rgb 'gray' dt 2"
              % (n - 1, "", " ".join(walkers)), '', 'unset logscale', '']
    return "\n".join(g) + "\n"


def flatness(figs, fixed_ms):
    """Per preset and region with runs at two or more sizes within
    FLAT_SIZES: (walker, region, largest / smallest ms per GiB, sizes).
    The per-GiB figure is of what scales with size: each median less
    @fixed_ms, the build's fixed part as this boot calibrated it
    (build_fixed), and less the predicted making of the tables above the
    PTE level, as many at 256M as at 1G.  A build of a few hundred block
    leaves is more than half those; a PTE build, a thousandth."""
    out = []
    keys = []
    for f in figs:
        if (f["walker"], f["region"]) not in keys:
            keys.append((f["walker"], f["region"]))
    for w, r in keys:
        per = [(f["size_bytes"], (f["median_ms"] - fixed_ms -
                                  f["upper_tables_ms"]) *
                GIB / f["size_bytes"]) for f in figs
               if f["walker"] == w and f["region"] == r and f["ms_per_gib"]
               and FLAT_SIZES[0] <= f["size_bytes"] <= FLAT_SIZES[1]]
        if len(per) < 2 or min(v for _, v in per) <= 0:
            continue
        vals = [v for _, v in per]
        out.append((w, r, max(vals) / min(vals),
                    [size_label(sz) for sz, _ in sorted(per)]))
    return out


def ns_per_instr(wall, icount):
    """{(walker, case): wall ns per instruction} for the runs both boots
    made."""
    instr = {(f["walker"], f["case"]): f["median_ms"] for f in icount["runs"]}
    return {(f["walker"], f["case"]): f["median_ms"] / instr[k]
            for f in wall["runs"]
            for k in [(f["walker"], f["case"])]
            if instr.get(k) and f["median_ms"]}


def causes(results):
    """Each wall-clock target of the bench that does not hold, and its
    cause measured against the --icount boot's instruction counts."""
    try:
        with open(os.path.join(results, "summary.json")) as f:
            wall = json.load(f)
        with open(os.path.join(results, "icount", "summary.json")) as f:
            icount = json.load(f)
    except (OSError, ValueError) as e:
        print(f"bench: no summaries of both clocks in {results}: {e}",
              file=sys.stderr)
        return 2
    per = ns_per_instr(wall, icount)
    if not per:
        print("bench: no run in both boots", file=sys.stderr)
        return 2
    mid = sorted(per.values())[len(per) // 2]
    acc = {(f["walker"], f["case"]): f["predicted_over_measured"]
           for f in icount["runs"]}
    print("the wall-clock targets, and the measured cause of each miss.  In"
          " instructions\n(the --icount boot) each is predicted; in time "
          "each instruction of a run, or of\nthe calibration's builds, "
          "costs what the emulator's TLB state makes it: the time\nper "
          "instruction (wall-clock median over the same run's instruction "
          f"count) moves.\nThis boot's median: {mid:.2f} ns per instruction")
    lo, hi = WALL_ACCURATE
    out = [f for f in wall["runs"] if f["predicted_over_measured"] is not None
           and not lo <= f["predicted_over_measured"] <= hi]
    print(f"predictions within {lo}..{hi}: "
          f"{len(wall['runs']) - len(out)} of {len(wall['runs'])} runs hold")
    for f in out:
        k = (f["walker"], f["case"])
        if k not in per:
            continue
        a = acc.get(k)
        a = "-" if a is None else f"{a:.2f}"
        print(f"  {f['walker']}@{f['case']}: {f['predicted_over_measured']:.2f}"
              f"; in instructions {a}; {per[k]:.2f} ns per instruction, "
              f"{per[k] / mid:.2f}x the median")
    flat = {(x["walker"], x["region"]): x["max_over_min_per_gib"]
            for x in wall.get("flatness", [])}
    iflat = {(x["walker"], x["region"]): x["max_over_min_per_gib"]
             for x in icount.get("flatness", [])}
    bad = [k for k, v in flat.items() if v > ICOUNT_FLAT]
    print(f"per GiB flat within {100 * (ICOUNT_FLAT - 1):.0f}%: "
          f"{len(flat) - len(bad)} of {len(flat)} hold")
    for w, r in bad:
        sizes = sorted((f["size_bytes"], per[(f["walker"], f["case"])])
                       for f in wall["runs"]
                       if f["walker"] == w and f["region"] == r and
                       (f["walker"], f["case"]) in per)
        if len(sizes) < 2:
            continue
        print(f"  {w}@{r}: {flat[(w, r)]:.3f}; in instructions "
              f"{iflat.get((w, r), 0):.3f}; ns per instruction "
              + " -> ".join(f"{size_label(sz)} {v:.2f}" for sz, v in sizes))
    lw = lab.live_over_preset(os.path.join(results, "hotplug-live.log"))
    li = lab.live_over_preset(os.path.join(results, "icount",
                                           "hotplug-live.log"))
    if lw and li and lw[2] and li[2]:
        ratio = lw[1] / lw[2]
        lo, hi = lab.FAITHFUL
        held = "holds" if lo <= ratio <= hi else "does not hold"
        print(f"live/preset within {lo}..{hi} ({lw[0]}): {ratio:.2f}, "
              f"{held}; in instructions {li[1] / li[2]:.2f}; ns per "
              f"instruction live {lw[1] / li[1]:.2f}, {lw[0]} "
              f"{lw[2] / li[2]:.2f}")
    return 0


def main():
    args = sys.argv[1:]
    if len(args) == 2 and args[0] == "--causes":
        return causes(args[1])
    icount = bool(args) and args[0] == "--icount"
    if icount:
        args = args[1:]
    if len(args) not in (2, 3):
        sys.exit(__doc__)
    log, outdir = args[:2]
    scaling_log = args[2] if len(args) == 3 else None
    accurate = ICOUNT_ACCURATE if icount else WALL_ACCURATE
    # icount: a guest nanosecond is one instruction, so ms are millions of
    # instructions
    unit = "M instructions" if icount else "ms"
    runs = collect(log)
    if not runs:
        print(f"bench: no matrix results in {log}", file=sys.stderr)
        return 2
    os.makedirs(outdir, exist_ok=True)
    first = runs[0][3]
    walkers = []
    cases = []
    figs = []
    for walker, region, size, run in runs:
        f = figures(walker, region, size, run)
        figs.append(f)
        if walker not in walkers:
            walkers.append(walker)
        if f["case"] not in cases:
            cases.append(f["case"])
    clock = ("deterministic: QEMU -icount, 1 ns = 1 instruction" if icount
             else "wall-clock: QEMU TCG's emulation time")
    title = (f"kernel {first.get('kernel', '?')}, "
             f"{lab.num(first, 'page_size') // 1024}K pages, "
             f"{first.get('levels', '?')} levels, one boot, {clock}")
    print(f"shadowmap bench: {title}, repeat {first.get('repeat', '?')}")
    print_matrix(figs, walkers, cases, accurate, unit)
    steps_csv, notes = lab.steps_of(log)
    steps = lab.steps_rows(steps_csv)
    lab.print_steps(steps, steps_csv[0] if steps_csv else {}, notes)
    fcase = floor_case(runs)
    costs = costs_of(log)
    floors = floor_ratios(runs, costs, fcase)
    if floors:
        print(f"\nthe floor, {fcase}: a build beyond the page allocator "
              "over clear_page + fill_page per table (this boot's costs)")
        for walker, ratio, made_ns, floor_ns in floors:
            print(f"floor: {walker} {ratio:.2f} ({made_ns / 1e6:.2f} ms "
                  f"over {floor_ns / 1e6:.2f} ms)")
        best = min(floors, key=lambda f: f[1])
        print(f"floor: best {best[0]} {best[1]:.2f}")
    else:
        print("\nfloor: no vmalloc run with PTE leaves, or no "
              "clear_page/fill_page costs")

    par_summary, par_failed = report_parallel(log, scaling_log)

    outside = [f"{f['walker']}@{f['case']} {f['predicted_over_measured']:.2f}"
               for f in figs if f["predicted_over_measured"] is not None and
               not accurate[0] <= f["predicted_over_measured"] <= accurate[1]]
    fixed_ms = costs.get("build_fixed", 0) / 1e9
    flat = flatness(figs, fixed_ms)
    flat_limit = ICOUNT_FLAT
    not_flat = [f"{w}@{r} {x:.3f}" for w, r, x, _ in flat if x > flat_limit]
    failed = [f"{f['walker']}@{f['case']}" for f in figs
              if f["status"] != "pass"]
    failed += [r["step"] for r in steps if r["status"] != "pass"]
    failed += par_failed
    write_csv(os.path.join(outdir, "runs.csv"), runs)
    with open(os.path.join(outdir, "summary.json"), "w") as out:
        json.dump({"kernel": first.get("kernel"),
                   "page_size": lab.num(first, "page_size"),
                   "levels": lab.num(first, "levels"),
                   "emulated": "QEMU TCG: compare ratios within this boot only",
                   "clock": "icount" if icount else "wall",
                   "accurate": list(accurate),
                   "predictions_outside": outside, "failed": failed,
                   "flat_limit": flat_limit,
                   "flat_less_fixed_ms": round(fixed_ms, 6),
                   "flatness": [{"walker": w, "region": r,
                                 "max_over_min_per_gib": round(x, 4),
                                 "sizes": sz} for w, r, x, sz in flat],
                   "floor": [{"walker": w, "ratio": round(r, 3),
                              "made_ms": round(m / 1e6, 4),
                              "floor_ms": round(f / 1e6, 4)}
                             for w, r, m, f in floors],
                   "runs": figs, "steps": steps, **par_summary}, out,
                  indent=1)
    regions, plot_cases, no_tlbi = write_plot_data(outdir, figs, walkers,
                                                   steps)
    with open(os.path.join(outdir, "plots.gp"), "w") as out:
        out.write(gnuplot_script(regions, plot_cases, walkers, steps, no_tlbi,
                                 title, unit))
    status = 0
    if shutil.which("gnuplot"):
        res = subprocess.run(["gnuplot", "plots.gp"], cwd=outdir,
                             capture_output=True, text=True)
        if res.returncode:
            print(f"bench: gnuplot failed: {res.stderr.strip()}",
                  file=sys.stderr)
            status = 1
    else:
        print("bench: no gnuplot: plots.gp written, no plot drawn",
              file=sys.stderr)
        status = 1
    if failed:
        print(f"\nFAILED runs: {', '.join(failed)}")
        status = 1
    # The targets, each said to hold or not; only the deterministic
    # clock's set the exit status.
    judged = "" if icount else " (wall-clock: printed, not judged)"
    if outside:
        print(f"\nprediction OUTSIDE {accurate[0]}..{accurate[1]} of "
              f"the measured median{judged}: {', '.join(outside)}")
    else:
        print(f"\nprediction: every run within {accurate[0]}.."
              f"{accurate[1]} of its measured median{judged}")
    if flat:
        worst = max(flat, key=lambda f: f[2])
        print(f"per GiB, less the fixed part (build_fixed "
              f"{fixed_ms:.4f} {unit}, and the upper tables' making): "
              f"flat within "
              f"{100 * (flat_limit - 1):.0f}% "
              f"({FLAT_SIZES[0] >> 20}M to {FLAT_SIZES[1] // GIB}G) for "
              f"{len(flat) - len(not_flat)} of {len(flat)} presets and "
              f"regions; the worst, {worst[0]}@{worst[1]}, "
              f"{worst[2]:.3f}{judged}")
        if not_flat:
            print(f"per GiB: NOT flat{judged}: {', '.join(not_flat)}")
    if icount and (outside or not_flat):
        status = 1
    return status


if __name__ == "__main__":
    sys.exit(main())

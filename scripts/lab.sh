#!/bin/sh
# make lab: the main job.  Sets everything up, boots the default guest
# (Debian 6.1 under QEMU TCG), maps a 1 GiB vmalloc region with every walker
# preset the module publishes, verifies every page against the live tables,
# and prints one table; then the seeds' steps (shadowmap steps) over as
# much physically contiguous memory, where the blocks row applies.
#
# Usage: lab.sh [--kernel K] [--size S] [--repeat N] [--region R]
#               [--walkers all|a,b,...] [--hotplug [SIZE]] [--icount]
#               [--bench]
#   --kernel   a kernel of scripts/kernels (default debian-6.1)
#   --walkers  all (default): every preset of the module's presets file
#   --hotplug  also boot with virtio-mem, hot-add SIZE (default 2G) and
#              compare the kernel's own linear-map creation with each preset
#   --icount   the deterministic clock: QEMU's -icount shift=0, where a
#              nanosecond of guest time is one instruction executed (the
#              times then count work; docs/rig.md)
#   --bench    the benchmark matrix (make bench), in one 12 GiB guest:
#              every preset over vmalloc 256M, 1G, 4G, 8G and contig 256M,
#              1G, the seeds' steps over contig 1G (blocks apply there),
#              and a 2G hot-add, 5 repeats each, and `direct` over vmalloc
#              and contig 2G at threads=1 and 2 (two rounds); then `direct`
#              2G at threads=1, 2 and 4 in a 4-vCPU guest; then the
#              kernel's own hot-add against the presets in a guest of its
#              own.  Then the matrix and the hot-add again with the
#              deterministic clock (--icount).  Prints the tables of
#              both clocks, writes CSV, JSON and gnuplot plots (PNG, SVG)
#              into a folder under the cache (icount/ for the second),
#              and ends with "results: DIR".  Fails unless every run
#              verified and the deterministic targets hold: predictions
#              within 0.9..1.1 of the median, time per GiB flat within
#              5%, live/preset within 0.9..1.1; the wall-clock ones are
#              printed with their ratios
set -eu
. "$(dirname "$0")/lib.sh"

kernel=debian-6.1 size=1G repeat=3 region=vmalloc walkers=all
hotplug= bench= icount=
while [ $# -gt 0 ]; do
	case "$1" in
	--kernel|--size|--repeat|--region|--walkers)
		[ $# -gt 1 ] || die "lab.sh: $1 wants a value"
		eval "${1#--}=\$2"
		shift
		;;
	--hotplug)
		hotplug=2G
		case "${2:-}" in
		[0-9]*) hotplug=$2; shift ;;
		esac
		;;
	--bench) bench=1 ;;
	--icount) icount=--icount ;;
	*) die "lab.sh: unknown option '$1' (see the header of $0)" ;;
	esac
	shift
done
case "$repeat" in
''|*[!0-9]*) die "--repeat wants a number, got '$repeat'" ;;
esac
kernel "$kernel"

out=$SHADOWMAP_CACHE/lab
mkdir -p "$out"
status=0
if [ -n "$bench" ]; then
	need_pkgs gnuplot-nox
	# the 2G hot-add: the kernel's own against the presets, too
	[ -n "$hotplug" ] || hotplug=2G
	results=$SHADOWMAP_CACHE/bench/$(date +%Y%m%d-%H%M%S)-$kernel
	mkdir -p "$results/icount"
	# One boot for the matrix, so that its ratios compare (TCG's speed
	# differs from boot to boot).
	cases=$region:256M,$region:1G,$region:4G,$region:8G,contig:256M,contig:1G
	# the split walker over 2 GiB: threads=2 against 1 on the 2 vCPUs
	par="parallel=vmalloc:2G,contig:2G pthreads=1,2 prounds=2"
	matrix="cases=$cases steps=contig:1G hotplug=1 walkers=$walkers"
	# guest TAG ARGS...: one guest of the bench, its console in TAG.log
	guest() {
		t=$1
		shift
		sh "$SHADOWMAP_TOP/scripts/guest-run.sh" --kernel "$kernel" --log "$results/$t.log" \
			"$@" >"$results/$t.out" 2>&1 ||
			{ status=1; grep -E 'FAIL|error' "$results/$t.out" >&2 || true; }
	}
	guest bench --mode bench --mem 12G --grow 2G --timeout 3600 \
		--args "$matrix repeat=5 $par"
	# and its scaling, threads=1, 2 and 4, on 4 vCPUs
	guest parallel-smp4 --mode bench --mem 6G --smp 4 --timeout 1200 \
		--args "walkers=none parallel=vmalloc:2G,contig:2G pthreads=1,2,4 repeat=5"
	guest hotplug-live --mode hotplug --mem 1G --grow "$hotplug" --args hotplug-live
	# The same matrix and hot-add with the deterministic clock: one
	# vCPU runs at a time there, so the split walker has nothing to show,
	# and its repeats agree, so three show the spread.
	guest icount/bench --icount --mode bench --mem 12G --grow 2G --timeout 5400 \
		--args "$matrix repeat=3"
	guest icount/hotplug-live --icount --mode hotplug --mem 1G --grow "$hotplug" \
		--args hotplug-live --timeout 1800
	echo "== wall-clock: QEMU TCG's emulation time (the targets printed, not judged)"
	python3 "$SHADOWMAP_TOP/scripts/bench-report.py" "$results/bench.log" "$results" \
		"$results/parallel-smp4.log" || status=1
	echo
	python3 "$SHADOWMAP_TOP/scripts/lab-table.py" --hotplug "$results/hotplug-live.log" ||
		status=1
	echo
	echo "== deterministic: QEMU -icount, 1 ns = 1 instruction (the targets judged)"
	python3 "$SHADOWMAP_TOP/scripts/bench-report.py" --icount "$results/icount/bench.log" \
		"$results/icount" || status=1
	echo
	python3 "$SHADOWMAP_TOP/scripts/lab-table.py" --judge --icount --hotplug \
		"$results/icount/hotplug-live.log" || status=1
	echo
	python3 "$SHADOWMAP_TOP/scripts/bench-report.py" --causes "$results" || status=1
	echo "results: $results"
	exit "$status"
fi

sh "$SHADOWMAP_TOP/scripts/guest-run.sh" --kernel "$kernel" --mode lab $icount --log "$out/lab.log" \
	--args "region=$region size=$size repeat=$repeat walkers=$walkers steps=contig:$size report=contig:$size" \
	>"$out/lab.out" 2>&1 ||
	{ status=1; grep -E 'FAIL|error' "$out/lab.out" >&2 || true; }
python3 "$SHADOWMAP_TOP/scripts/lab-table.py" $icount "$out/lab.log" || status=1
# The guest's `shadowmap report`, as a server would write it, and in HTML
# where python3's markdown is (the CLI's report stays sh and awk).
report=$out/report-$kernel.md
sed -n 's/^# SM: REPORT \{0,1\}//p' "$out/lab.log" >"$report"
if [ -s "$report" ]; then
	/usr/bin/python3 -c 'import sys, markdown
open(sys.argv[2], "w").write(markdown.markdown(open(sys.argv[1]).read(),
                                               extensions=["tables"]))' \
		"$report" "${report%.md}.html" 2>/dev/null || rm -f "${report%.md}.html"
	html=
	[ ! -f "${report%.md}.html" ] || html=" (HTML: ${report%.md}.html)"
	echo "report: $report$html"
else
	echo "report: none (the guest wrote none; see $out/lab.log)" >&2
	status=1
fi
if [ -n "$hotplug" ]; then
	sh "$SHADOWMAP_TOP/scripts/guest-run.sh" --kernel "$kernel" --mode hotplug $icount --mem 1G \
		--grow "$hotplug" --log "$out/hotplug.log" >"$out/hotplug.out" 2>&1 ||
		{ status=1; grep -E 'FAIL|error' "$out/hotplug.out" >&2 || true; }
	python3 "$SHADOWMAP_TOP/scripts/lab-table.py" $icount --hotplug "$out/hotplug.log" || status=1
fi
echo "console logs: $out"
exit "$status"

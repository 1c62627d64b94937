#!/bin/sh
# make lab: the main job.  Sets everything up, boots the default guest
# (Debian 6.1 under QEMU TCG), maps a 1 GiB vmalloc region with every walker
# preset the module publishes, verifies every page against the live tables,
# and prints one table.
#
# Usage: lab.sh [--kernel K] [--size S] [--repeat N] [--region R]
#               [--walkers all|a,b,...] [--hotplug [SIZE]] [--bench]
#   --kernel   a kernel of scripts/kernels (default debian-6.1)
#   --walkers  all (default): every preset of the module's presets file
#   --hotplug  also boot with virtio-mem, hot-add SIZE (default 2G) and
#              compare the kernel's own linear-map creation with each preset
#   --bench    more repeats and sizes, for figures (make bench): vmalloc
#              and contig from 64M to 1G (and with --hotplug, the hot-add);
#              fails unless every run's predicted build time is within
#              0.75..1.25 of its measured median
set -eu
. "$(dirname "$0")/lib.sh"

kernel=debian-6.1 size=1G repeat=3 region=vmalloc walkers=all
hotplug= bench=
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
	# The region's sizes, then physically contiguous memory, where cont
	# and block leaves apply.
	for rs in "$region 64M" "$region 256M" "$region 1G" "contig 64M" \
		"contig 256M" "contig 1G"; do
		r=${rs% *} s=${rs#* }
		sh "$SHADOWMAP_TOP/scripts/guest-run.sh" --kernel "$kernel" --mode lab \
			--log "$out/bench-$r-$s.log" \
			--args "region=$r size=$s repeat=9 walkers=$walkers" >"$out/bench-$r-$s.out" 2>&1 ||
			{ status=1; grep FAIL "$out/bench-$r-$s.out" >&2 || true; }
		python3 "$SHADOWMAP_TOP/scripts/lab-table.py" --judge "$out/bench-$r-$s.log" || status=1
	done
	if [ -n "$hotplug" ]; then
		sh "$SHADOWMAP_TOP/scripts/guest-run.sh" --kernel "$kernel" --mode hotplug --mem 1G \
			--grow "$hotplug" --args hotplug-live --log "$out/bench-hotplug.log" \
			>"$out/bench-hotplug.out" 2>&1 ||
			{ status=1; grep -E 'FAIL|error' "$out/bench-hotplug.out" >&2 || true; }
		python3 "$SHADOWMAP_TOP/scripts/lab-table.py" --hotplug "$out/bench-hotplug.log" || status=1
		python3 "$SHADOWMAP_TOP/scripts/lab-table.py" --judge "$out/bench-hotplug.log" || status=1
	fi
	exit "$status"
fi

sh "$SHADOWMAP_TOP/scripts/guest-run.sh" --kernel "$kernel" --mode lab --log "$out/lab.log" \
	--args "region=$region size=$size repeat=$repeat walkers=$walkers" >"$out/lab.out" 2>&1 ||
	{ status=1; grep -E 'FAIL|error' "$out/lab.out" >&2 || true; }
python3 "$SHADOWMAP_TOP/scripts/lab-table.py" "$out/lab.log" || status=1
if [ -n "$hotplug" ]; then
	sh "$SHADOWMAP_TOP/scripts/guest-run.sh" --kernel "$kernel" --mode hotplug --mem 1G \
		--grow "$hotplug" --log "$out/hotplug.log" >"$out/hotplug.out" 2>&1 ||
		{ status=1; grep -E 'FAIL|error' "$out/hotplug.out" >&2 || true; }
	python3 "$SHADOWMAP_TOP/scripts/lab-table.py" --hotplug "$out/hotplug.log" || status=1
fi
echo "console logs: $out"
exit "$status"

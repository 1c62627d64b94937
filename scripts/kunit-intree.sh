#!/bin/sh
# The in-tree KUnit route, as a kernel developer with a tree would take it:
# put shadowmap under drivers/misc/shadowmap of a scratch copy of Debian's
# linux-source tree, hook its Kconfig, and run
#   kunit.py run --arch=arm64 --cross_compile=aarch64-linux-gnu- \
#       --kunitconfig=drivers/misc/shadowmap/kunit/.kunitconfig
# Usage: kunit-intree.sh [--page 16K|64K] [SERIES [SUITE]]   (default
# 6.12 with 4K pages; make check runs it on the newest Debian kernel's
# series, 7.3 of trixie-backports today, with 16K pages: its one KUnit
# kernel at 16K; see scripts/kernel-source.sh)
set -eu
. "$(dirname "$0")/lib.sh"

page=4K
if [ "${1:-}" = --page ]; then
	[ $# -ge 2 ] || die "--page wants 4K, 16K or 64K"
	page=$2
	shift 2
fi
case "$page" in
4K) kconfig_add= ;;
16K) kconfig_add=--kconfig_add=CONFIG_ARM64_16K_PAGES=y ;;
64K) kconfig_add=--kconfig_add=CONFIG_ARM64_64K_PAGES=y ;;
*) die "--page '$page': want 4K, 16K or 64K" ;;
esac
ver=${1:-6.12}
need_host_tools
src=$(sh "$SHADOWMAP_TOP/scripts/kernel-source.sh" "$ver" ${2:+"$2"})
tag=${src##*/linux-source-}
tree=$SHADOWMAP_CACHE/intree/$ver-$tag/linux
build=$SHADOWMAP_CACHE/intree/$ver-$tag/build
[ "$page" = 4K ] || build=$build-$page

# A hard-linked copy costs no space; the files edited below are replaced,
# not written in place, so the cached source stays pristine.
fresh=
if [ ! -f "$tree/.shadowmap-scratch" ]; then
	fresh=1
	log "making scratch tree $tree"
	rm -rf "$tree"
	mkdir -p "${tree%/linux}"
	cp -al "$src" "$tree"
	kc=$tree/drivers/misc/Kconfig
	mk=$tree/drivers/misc/Makefile
	tail -n 1 "$kc" | grep -qx endmenu || die "$kc does not end with endmenu"
	# mv replaces the hard link, so the cached source keeps its files.
	{ sed '$d' "$kc"; printf '\nsource "drivers/misc/shadowmap/Kconfig"\nendmenu\n'; } >"$kc.new"
	mv "$kc.new" "$kc"
	{ cat "$mk"; echo 'obj-$(CONFIG_SHADOWMAP)		+= shadowmap/'; } >"$mk.new"
	mv "$mk.new" "$mk"
	touch "$tree/.shadowmap-scratch"
fi
# Unchanged files keep their times, so a warm run rebuilds little.
mkdir -p "$tree/drivers/misc/shadowmap"
rsync -a --checksum --delete "$SHADOWMAP_TOP/Kbuild" "$SHADOWMAP_TOP/Kconfig" \
	"$SHADOWMAP_TOP/src" "$SHADOWMAP_TOP/debugfs" "$SHADOWMAP_TOP/kunit" \
	"$tree/drivers/misc/shadowmap/"

log "kunit.py run ($ver, in tree, $page pages) in $build"
cd "$tree"
rc=0
python3 tools/testing/kunit/kunit.py run --arch=arm64 \
	--cross_compile="$CROSS_COMPILE" --jobs="$JOBS" --build_dir="$build" \
	--kunitconfig=drivers/misc/shadowmap/kunit/.kunitconfig --timeout=600 \
	${kconfig_add:+"$kconfig_add"} >"$build.log" 2>&1 || rc=$?
grep -vE '^\[[0-9:]+\] (Building|Populating|Generating|Regenerating|Starting)' "$build.log" |
	sed 's/^\[[0-9:]*\] //' | grep -E 'PASSED|FAILED|CRASHED|SKIPPED|Testing complete|ERROR|error' || true
[ "$rc" -eq 0 ] || echo "kunit.py run failed ($rc): see $build.log"
# kunit.py's "Elapsed time: Ts total, Cs configuring, Bs building, Rs
# running": configuring and building a fresh tree are what a warm cache
# skips (a warm tree rebuilds only shadowmap).
[ -z "$fresh" ] || sed -n 's/.*Elapsed time: .* \([0-9.]*\)s configuring, \([0-9.]*\)s building.*/\1 \2/p' \
	"$build.log" | awk '{ printf "setup: %d s\n", $1 + $2 }' >&2
# "Ran N tests: passed: P, failed: F, crashed: C, skipped: S" -> the rig's
# counts; a skip (a level or page size that does not apply) is no failure.
sed -n 's/.*Testing complete\. Ran \([0-9]*\) tests*: *\(.*\)/\1 \2/p' "$build.log" |
	tail -n 1 | awk -v rc="$rc" '{
		total = $1; ok = 0; skipped = 0
		for (i = 2; i <= NF; i++) {
			n = $(i + 1); sub(/,/, "", n)
			if ($i == "passed:") ok = n
			if ($i == "skipped:") skipped = n
		}
		bad = total - ok - skipped
		if (rc != 0 && bad == 0) bad = 1
		printf "host: %d passed, %d failed\n", ok, bad
	}'

exit "$rc"

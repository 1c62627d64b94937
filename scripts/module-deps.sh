#!/bin/sh
# Build shadowmap.ko against Debian's 6.12 arm64 headers and check that its
# objects call one way, in Kbuild's order (scripts/module-deps.py).
# Usage: module-deps.sh
set -eu
. "$(dirname "$0")/lib.sh"

[ $# -eq 0 ] || die "usage: module-deps.sh (no arguments)"
root=$(sh "$SHADOWMAP_TOP/scripts/debian-kernels.sh" debian-6.12)
image=$(ls "$root"/boot/vmlinuz-*)
kver=${image##*/vmlinuz-}
# the same directory each time, for ccache (the path is in the debug info)
work=$SHADOWMAP_CACHE/module-deps
rm -rf "$work"
mkdir -p "$work"
trap 'rm -rf "$work"' EXIT
cp -r "$SHADOWMAP_TOP/Kbuild" "$SHADOWMAP_TOP/Makefile" "$SHADOWMAP_TOP/src" \
	"$SHADOWMAP_TOP/debugfs" "$SHADOWMAP_TOP/kunit" "$work/"
hdr=$root/usr/src/linux-headers-$kver
make -C "$work" KDIR="$hdr" ARCH=arm64 CROSS_COMPILE="$CROSS_COMPILE" \
	CC="$(ccache_cc "$(kbuild_cc "$hdr")")" CONFIG_DEBUG_INFO_BTF_MODULES= \
	>"$work/build.log" 2>&1 ||
	{ tail -20 "$work/build.log" >&2; die "module build against $kver failed"; }
python3 "$SHADOWMAP_TOP/scripts/module-deps.py" "$SHADOWMAP_TOP/Kbuild" "$work"

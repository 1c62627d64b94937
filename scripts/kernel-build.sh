#!/bin/sh
# Build a minimal arm64 KUnit kernel from Debian's linux-source-VER.
# Usage: kernel-build.sh 6.1|6.12
# Prints the build directory.  Cached by source version and config hash,
# so a warm run rebuilds nothing.
set -eu
. "$(dirname "$0")/lib.sh"

ver=${1:?usage: kernel-build.sh 6.1|6.12}
case "$ver" in
6.1|6.12) ;;
*) die "unknown kernel series '$ver' (want 6.1 or 6.12)" ;;
esac
need_host_tools
need_pkgs "linux-source-$ver"

frag=$SHADOWMAP_TOP/configs/kunit-arm64.config
pkgver=$(dpkg-query -W -f='${Version}' "linux-source-$ver")
# Keep the paths free of "~" and "+", which some tools mishandle.
pkgtag=$(echo "$pkgver" | tr "~+" "__")
src=$SHADOWMAP_CACHE/src/linux-source-$pkgtag
# Bump when the recipe below changes what gets built.
recipe=1
key=$(echo "$recipe" | key_of "$frag" -)
out=$SHADOWMAP_CACHE/kbuild/$ver-$pkgtag-$key

if [ -f "$out/.shadowmap-done" ]; then
	echo "$out"
	exit 0
fi

if [ ! -f "$src/.shadowmap-extracted" ]; then
	log "extracting linux-source-$ver $pkgver"
	rm -rf "$src" "$src.tmp"
	mkdir -p "$src.tmp"
	tar -xJf "/usr/src/linux-source-$ver.tar.xz" -C "$src.tmp"
	mv "$src.tmp/linux-source-$ver" "$src"
	rmdir "$src.tmp"
	touch "$src/.shadowmap-extracted"
fi

log "building $ver kernel ($pkgver, config $key) in $out"
rm -rf "$out"
mkdir -p "$out"
mk() {
	make -s -C "$src" O="$out" ARCH=arm64 CROSS_COMPILE="$CROSS_COMPILE" "$@"
}
KCONFIG_ALLCONFIG=$frag mk allnoconfig >"$out/config.log" 2>&1 ||
	die "allnoconfig failed: see $out/config.log"
# Every option in the fragment must have survived Kconfig.
grep '^CONFIG_' "$frag" | while IFS= read -r line; do
	grep -qx "$line" "$out/.config" ||
		die "$ver: '$line' did not stick (dependency missing?)"
done
mk -j"$JOBS" Image modules >"$out/build.log" 2>&1 ||
	{ tail -20 "$out/build.log" >&2; die "kernel build failed: see $out/build.log"; }
touch "$out/.shadowmap-done"
echo "$out"

#!/bin/sh
# Build a minimal arm64 KUnit kernel from Debian's linux-source-VER, or the
# debug kernel (the same plus configs/debug.config).
# Usage: kernel-build.sh KERNEL   (a "kunit" or "debug" kernel of scripts/kernels)
# Prints the build directory.  Cached by source version and config hash,
# so a warm run rebuilds nothing.
set -eu
. "$(dirname "$0")/lib.sh"

kernel "${1:?usage: kernel-build.sh KERNEL (one of: $(kernel_names kunit) $(kernel_names debug) $(kernel_names secure))}"
case "$k_build" in
kunit|debug|secure) ;;
*) die "'$1' is not one of our own kernels (want one of: $(kernel_names kunit) $(kernel_names debug) $(kernel_names secure))" ;;
esac
ver=$k_series
need_host_tools
src=$(sh "$SHADOWMAP_TOP/scripts/kernel-source.sh" "$ver")
pkgtag=${src##*/linux-source-}
# The KUnit fragment, and the page size's (4K is arm64's default).
frags=$SHADOWMAP_TOP/configs/kunit-arm64.config
[ "$k_build" != debug ] || frags="$frags $SHADOWMAP_TOP/configs/debug.config"
if [ "$k_build" = secure ]; then
	keys=$(sh "$SHADOWMAP_TOP/scripts/mok-key.sh")
	trusted=$SHADOWMAP_CACHE/trusted-keys.config
	echo "CONFIG_SYSTEM_TRUSTED_KEYS=\"$keys/mok.pem\"" >"$trusted"
	frags="$frags $SHADOWMAP_TOP/configs/secure.config $trusted $keys/mok.pem"
fi
case "$k_page" in
4096) ;;
16384) frags="$frags $SHADOWMAP_TOP/configs/arm64-16k.config" ;;
65536) frags="$frags $SHADOWMAP_TOP/configs/arm64-64k.config" ;;
*) die "$1: no config fragment for $k_page-byte pages" ;;
esac
# Bump when the recipe below changes what gets built.
recipe=1
# shellcheck disable=SC2086
key=$(echo "$recipe" | key_of $frags -)
out=$SHADOWMAP_CACHE/kbuild/$ver-$pkgtag-$key

if [ -f "$out/.shadowmap-done" ]; then
	echo "$out"
	exit 0
fi
# Two stages that boot this kernel build it once: the second waits.
mkdir -p "${out%/*}"
exec 9>"$out.lock"
flock 9 || die "could not lock $out.lock"
if [ -f "$out/.shadowmap-done" ]; then
	echo "$out"
	exit 0
fi

log "building $ver kernel ($pkgtag, config $key) in $out"
rm -rf "$out"
mkdir -p "$out"
frag=$out/fragment.config
# shellcheck disable=SC2086
cat $(echo $frags | tr ' ' '\n' | grep '\.config$') >"$frag"
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

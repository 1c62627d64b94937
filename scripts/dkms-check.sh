#!/bin/sh
# A real "dkms add / build" of shadowmap against Debian's arm64 headers,
# cross-compiled through the environment, in a private dkms tree, one per
# package (the stages that boot one package share it, one at a time).
# Usage: dkms-check.sh KERNEL [DIR]   (a "debian" kernel of scripts/kernels)
#   DIR  copy the built shadowmap.ko there (guest-run.sh boots it)
set -eu
. "$(dirname "$0")/lib.sh"

name=${1:?usage: dkms-check.sh KERNEL [DIR] (KERNEL one of: $(kernel_names debian))}
out=${2:-}
[ -z "$out" ] || [ -d "$out" ] || die "dkms-check.sh: no directory '$out'"
need_pkgs dkms ccache
root=$(sh "$SHADOWMAP_TOP/scripts/debian-kernels.sh" "$name")
image=$(ls "$root"/boot/vmlinuz-*)
kver=${image##*/vmlinuz-}
ver=$(sed -n 's/^PACKAGE_VERSION="\(.*\)"/\1/p' "$SHADOWMAP_TOP/dkms.conf")
src_ver=$(sed -n 's/^#define SHADOWMAP_VERSION "\(.*\)"/\1/p' "$SHADOWMAP_TOP/src/shadowmap.h")
[ "$ver" = "$src_ver" ] ||
	die "dkms.conf PACKAGE_VERSION $ver differs from SHADOWMAP_VERSION $src_ver"

d=$SHADOWMAP_CACHE/dkms/$kver
mkdir -p "$SHADOWMAP_CACHE/dkms"
exec 9>"$d.lock"
flock 9
rm -rf "$d"
mkdir -p "$d/tree" "$d/source" "$d/install" "$d/src"
# dkms wants a clean source directory of its own.
git -C "$SHADOWMAP_TOP" ls-files -z --cached --others --exclude-standard | (cd "$SHADOWMAP_TOP" && xargs -0 tar -cf -) |
	tar -xf - -C "$d/src"
trees="--dkmstree $d/tree --sourcetree $d/source --installtree $d/install"
# shellcheck disable=SC2086
dkms add $trees "$d/src" >"$d/log" 2>&1 || { cat "$d/log" >&2; die "dkms add failed"; }
hdr=$root/usr/src/linux-headers-$kver
overrides=$(kbuild_overrides "$hdr")
cc=$(kbuild_cc "$hdr")
[ -z "$overrides" ] || log "dkms build for $kver with $cc,$overrides"
wrap=$(ccache_cc "$cc")
# W=1, and no warning, as checkpatch's stage asks of the sources
# shellcheck disable=SC2086
MAKEFLAGS="W=1 CC=$wrap $overrides" ARCH=arm64 CROSS_COMPILE=$CROSS_COMPILE dkms build $trees \
	-m shadowmap -v "$ver" -k "$kver" -a aarch64 --kernelsourcedir "$hdr" \
	>>"$d/log" 2>&1 || { tail -30 "$d/log" >&2; find "$d/tree/shadowmap/$ver" -name make.log -exec tail -30 {} + >&2; die "dkms build failed for $kver"; }
mlog=$(find "$d/tree/shadowmap/$ver" -name make.log | head -n 1)
[ -n "$mlog" ] || die "dkms build left no make.log"
if kbuild_warnings "$mlog" >&2; then
	die "dkms build (W=1) for $kver warned"
fi
ko=$(find "$d/tree/shadowmap/$ver/$kver" -name 'shadowmap.ko*' | head -n 1)
[ -n "$ko" ] || die "dkms build left no shadowmap.ko"
vermagic=$(modinfo -F vermagic "$ko")
case "$vermagic" in
"$kver "*) ;;
*) die "dkms-built module has vermagic '$vermagic', want $kver" ;;
esac
[ -z "$out" ] || cp "$ko" "$out/" || die "could not copy $ko to $out"
echo "dkms: built shadowmap/$ver for $kver ($vermagic)"

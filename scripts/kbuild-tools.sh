#!/bin/sh
# The host tools of a Debian kernel's linux-kbuild that this host's C
# library cannot run (trixie's and sid's need glibc 2.38, bookworm has
# 2.36), rebuilt from the same suite's linux-source-SERIES and put in their
# place.  Only what building a module needs: modpost (its real-lsb-64, the
# one for arm64), and fixdep, and genksyms where the kernel versions its
# symbols, should they fail too; BTF's resolve_btfids and objtool, which
# arm64 modules do not use here, are left.
#
# Usage: kbuild-tools.sh ROOT ABI SUITE   (debian-kernels.sh calls it)
# The rebuilt tools are cached by ABI under $SHADOWMAP_CACHE/kbuild-tools.
set -eu
. "$(dirname "$0")/lib.sh"

root=${1:?usage: kbuild-tools.sh ROOT ABI SUITE}
abi=${2:?usage: kbuild-tools.sh ROOT ABI SUITE}
suite=${3:?usage: kbuild-tools.sh ROOT ABI SUITE}
kb=$(ls -d "$root"/usr/lib/linux-kbuild-* 2>/dev/null | head -n 1)
[ -n "$kb" ] || die "no linux-kbuild tree under $root"

# runs FILE: FILE starts with this host's C library (its usage message
# and exit status aside)
runs() {
	! "$1" </dev/null 2>&1 | grep -q 'GLIBC_[0-9.]*.* not found'
}
config=$(ls "$root"/usr/src/linux-headers-"$abi"-*/.config | head -n 1)
# genksyms only for symbol versions (off from 7.x)
tools="scripts/mod/modpost.real-lsb-64 scripts/mod/modpost scripts/basic/fixdep"
! grep -q '^CONFIG_MODVERSIONS=y' "$config" || tools="$tools scripts/genksyms/genksyms"
broken=
for t in $tools; do
	[ ! -x "$kb/$t" ] || runs "$kb/$t" || broken="$broken $t"
done
[ -n "$broken" ] || exit 0

out=$SHADOWMAP_CACHE/kbuild-tools/$(echo "$abi" | tr '+~' '__')
if [ ! -f "$out/.shadowmap-done" ]; then
	# linux-source-MAJOR.MINOR of the suite (kept: kunit-intree.sh may
	# build it), built out of tree
	ser=$(echo "$abi" | sed 's/^\([0-9]*\.[0-9]*\).*/\1/')
	src=$(sh "$SHADOWMAP_TOP/scripts/kernel-source.sh" "$ser" "$suite") ||
		die "no linux-source-$ser for $suite (scripts/kernel-source.sh)"
	need_pkgs gcc make flex bison libelf-dev libssl-dev bc
	log "rebuilding$broken of linux-kbuild-$abi from $suite's linux-source-$ser"
	rm -rf "$out"
	mkdir -p "$out/build"
	# Debian's own config; gcc-12's lack of gcc-14's options changes no
	# host tool.
	cp "$config" "$out/build/.config"
	make -C "$src" O="$out/build" ARCH=arm64 CROSS_COMPILE="$CROSS_COMPILE" \
		olddefconfig >"$out/build.log" 2>&1 &&
		make -C "$src" O="$out/build" ARCH=arm64 CROSS_COMPILE="$CROSS_COMPILE" \
			CONFIG_DEBUG_INFO_BTF_MODULES= -j"$(nproc)" modules_prepare >>"$out/build.log" 2>&1 ||
		{ tail -20 "$out/build.log" >&2; die "make modules_prepare in linux-source-$ser failed (see $out/build.log)"; }
	mkdir -p "$out/bin"
	for t in scripts/mod/modpost scripts/genksyms/genksyms scripts/basic/fixdep; do
		[ ! -x "$out/build/$t" ] || cp "$out/build/$t" "$out/bin/${t##*/}"
	done
	rm -rf "$out/build"
	touch "$out/.shadowmap-done"
fi
for t in $broken; do
	base=${t##*/}
	base=${base%%.real-*}
	[ -x "$out/bin/$base" ] || die "linux-source built no $base for $t"
	cp "$out/bin/$base" "$kb/$t"
	runs "$kb/$t" || die "the rebuilt $t does not run either"
done
log "linux-kbuild-$abi:$broken rebuilt for this host"

#!/bin/sh
# Unpack Debian's linux-source-VER into the cache; print its path.
# Usage: kernel-source.sh SERIES     (a series of scripts/kernels: 6.1, 6.12)
set -eu
. "$(dirname "$0")/lib.sh"

ver=${1:?usage: kernel-source.sh SERIES (one of: $(kernel_series))}
case " $(kernel_series) " in
*" $ver "*) ;;
*) die "unknown kernel series '$ver' (want one of: $(kernel_series))" ;;
esac
need_pkgs "linux-source-$ver" xz-utils
pkgver=$(dpkg-query -W -f='${Version}' "linux-source-$ver")
# Keep the paths free of "~" and "+", which some tools mishandle.
src=$SHADOWMAP_CACHE/src/linux-source-$(echo "$pkgver" | tr '~+' '__')
if [ ! -f "$src/.shadowmap-extracted" ]; then
	log "extracting linux-source-$ver $pkgver"
	rm -rf "$src" "$src.tmp"
	mkdir -p "$src.tmp"
	tar -xJf "/usr/src/linux-source-$ver.tar.xz" -C "$src.tmp"
	mv "$src.tmp/linux-source-$ver" "$src"
	rmdir "$src.tmp"
	touch "$src/.shadowmap-extracted"
fi
echo "$src"

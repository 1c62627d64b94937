#!/bin/sh
# Unpack Debian's linux-source-SERIES into the cache; print its path.
# Usage: kernel-source.sh SERIES [SUITE]
#   SERIES  6.1 or 6.12 (our builds, scripts/kernels), from the host's apt;
#           with SUITE, the major.minor of a kernel of that suite (7.3)
#   SUITE   a suite of scripts/kernels other than bookworm: the package
#           comes with the private apt state debian-kernels.sh keeps
set -eu
. "$(dirname "$0")/lib.sh"

ver=${1:?usage: kernel-source.sh SERIES [SUITE] (SERIES one of: $(kernel_series))}
suite=${2:-bookworm}
case "$ver" in
[0-9]*.[0-9]*) ;;
*) die "kernel-source.sh: '$ver' is not a series (want MAJOR.MINOR, such as 6.12)" ;;
esac
if [ "$suite" = bookworm ]; then
	case " $(kernel_series) " in
	*" $ver "*) ;;
	*) die "unknown kernel series '$ver' (want one of: $(kernel_series))" ;;
	esac
	need_pkgs "linux-source-$ver" xz-utils
	pkgver=$(dpkg-query -W -f='${Version}' "linux-source-$ver")
	tarball=/usr/src/linux-source-$ver.tar.xz
else
	apt_dir=$SHADOWMAP_CACHE/apt-$suite
	[ -f "$apt_dir/sources.list" ] ||
		die "no apt state for $suite (scripts/debian-kernels.sh makes it with a kernel of $suite)"
	need_pkgs xz-utils
	opts=$(apt_suite_opts "$apt_dir")
	# shellcheck disable=SC2086
	pkgver=$(apt-cache $opts show "linux-source-$ver" 2>/dev/null |
		sed -n 's/^Version: //p' | sort -V | tail -n 1)
	[ -n "$pkgver" ] || die "no package linux-source-$ver in $suite"
fi
# Keep the paths free of "~" and "+", which some tools mishandle.
src=$SHADOWMAP_CACHE/src/linux-source-$(echo "$pkgver" | tr '~+' '__')
if [ ! -f "$src/.shadowmap-extracted" ]; then
	rm -rf "$src" "$src.tmp"
	mkdir -p "$src.tmp"
	if [ "$suite" != bookworm ]; then
		log "downloading linux-source-$ver $pkgver ($suite)"
		# shellcheck disable=SC2086
		(cd "$src.tmp" && apt-get -q $opts download "linux-source-$ver=$pkgver" \
			>"$src.tmp/download.log" 2>&1) ||
			{ tail -3 "$src.tmp/download.log" >&2; rm -rf "$src.tmp"
			  die "apt-get download linux-source-$ver=$pkgver ($suite) failed"; }
		dpkg-deb --fsys-tarfile "$src.tmp"/linux-source-"$ver"_*.deb |
			tar -xf - -C "$src.tmp" "./usr/src/linux-source-$ver.tar.xz" ||
			{ rm -rf "$src.tmp"; die "no linux-source-$ver.tar.xz in linux-source-$ver $pkgver"; }
		tarball=$src.tmp/usr/src/linux-source-$ver.tar.xz
	fi
	log "extracting linux-source-$ver $pkgver"
	tar -xJf "$tarball" -C "$src.tmp" ||
		{ rm -rf "$src.tmp"; die "could not unpack $tarball"; }
	mv "$src.tmp/linux-source-$ver" "$src"
	rm -rf "$src.tmp"
	touch "$src/.shadowmap-extracted"
fi
echo "$src"

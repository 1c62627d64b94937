#!/bin/sh
# Fetch a Debian arm64 kernel with private apt state (the host's dpkg
# architecture list and sources are left alone) and unpack it into the
# cache.
#
# Usage: debian-kernels.sh KERNEL
#   KERNEL: a "debian" kernel of scripts/kernels (debian-6.1, debian13-7, ...)
# Prints the unpacked root: boot/vmlinuz-*, lib/modules/*, and the headers
# tree usr/src/linux-headers-*-FLAVOUR with its Makefile made relocatable.
#
# The row's suite and series pick the package: the newest ABI of the series
# in the suite (series 7: any 7.x), unless pinned with SHADOWMAP_<NAME>=ABI,
# NAME the row's name in capitals with "-" and "." as "_" (for example
# SHADOWMAP_DEBIAN_6_1=6.1.0-NN, SHADOWMAP_DEBIAN13_BPO_7=7.3.4+deb13).
# Kernels of a newer suite than the host's need more than bookworm has:
#   - from 6.19 the image package is a metapackage; the image is in
#     linux-binary-*, config and System.map in linux-base-*, the modules
#     in linux-modules-*, all under
#     /usr/lib/modules: boot/ and lib/modules/ here point there;
#   - their headers Makefile names KBUILD_OUTPUT as well as -common;
#   - their linux-kbuild's modpost needs glibc 2.38: it is rebuilt from the
#     suite's linux-source-SERIES (kbuild-tools.sh), once per ABI.
set -eu
. "$(dirname "$0")/lib.sh"

kernel "${1:?usage: debian-kernels.sh KERNEL (one of: $(kernel_names debian))}"
[ "$k_build" = debian ] || die "'$1' is not a Debian kernel (want one of: $(kernel_names debian))"
ser=$k_series flavour=$k_flavour suite=$k_suite
need_pkgs apt dpkg xz-utils

host_arch=$(dpkg --print-architecture)
if [ "$suite" = bookworm ]; then
	# the host's own sources, and its linux-kbuild
	apt_dir=$SHADOWMAP_CACHE/apt
else
	apt_dir=$SHADOWMAP_CACHE/apt-$suite
	uri=$(debian_archive_uri)
	[ -n "$uri" ] || die "no Debian archive in this host's apt sources, for $suite's kernels"
	mkdir -p "$apt_dir"
	# a backports suite has only what was backported: its base too, as a
	# server with backports enabled has
	{ echo "deb $uri $suite main"
	  case "$suite" in
	  *-backports) echo "deb $uri ${suite%-backports} main" ;;
	  esac; } >"$apt_dir/sources.list.tmp"
	cmp -s "$apt_dir/sources.list.tmp" "$apt_dir/sources.list" ||
		rm -f "$apt_dir"/.updated-* "$apt_dir"/pkgnames-*
	mv "$apt_dir/sources.list.tmp" "$apt_dir/sources.list"
fi
# apt_opts ARCH: private state for ARCH's lists (lib.sh's apt_suite_opts)
apt_opts() {
	mkdir -p "$apt_dir/lists-$1/partial" "$apt_dir/archives/partial"
	apt_suite_opts "$apt_dir" "$1"
}
ARM_OPTS=$(apt_opts arm64)
HOST_OPTS=
[ "$suite" = bookworm ] || HOST_OPTS=$(apt_opts "$host_arch")

# The package lists are refreshed at most twice a day, and never while
# make check's stages run (SHADOWMAP_APT_FROZEN): they read them at once.
# update OPTS NAME
update() {
	stamp=$apt_dir/.updated-$2
	[ -z "${SHADOWMAP_APT_FROZEN:-}" ] || return 0
	[ ! -f "$stamp" ] || [ -n "$(find "$stamp" -mmin +720)" ] || return 0
	log "refreshing $suite's $2 package lists"
	# shellcheck disable=SC2086
	apt-get -q $1 update >"$apt_dir/update-$2.log" 2>&1 ||
		{ tail -5 "$apt_dir/update-$2.log" >&2; die "apt-get update ($suite, $2) failed"; }
	touch "$stamp"
}
update "$ARM_OPTS" arm64
[ -z "$HOST_OPTS" ] || update "$HOST_OPTS" "$host_arch"

# shellcheck disable=SC2086
# names PREFIX: the arm64 packages whose names start with PREFIX.  One
# apt-cache call per refresh of the lists, kept beside them: each call
# loads the whole cache (seconds), and every stage of make check resolves
# its kernel again.
pkgnames=$apt_dir/pkgnames-arm64
if [ ! -s "$pkgnames" ] || [ "$apt_dir/.updated-arm64" -nt "$pkgnames" ]; then
	# shellcheck disable=SC2086
	apt-cache $ARM_OPTS pkgnames linux- >"$pkgnames.$$" 2>/dev/null ||
		{ rm -f "$pkgnames.$$"; die "apt-cache pkgnames failed ($suite, arm64)"; }
	mv "$pkgnames.$$" "$pkgnames"
fi
names() { awk -v p="$1" 'index($0, p) == 1' "$pkgnames"; }

# The newest ABI of the series: 6.1.0-NN, 6.12.NN+deb12, 7.3.4+deb13, ...
# (a kbuild linux-kbuild-ABI, or linux-kbuild-SERIES for 6.1), unless pinned.
pin=SHADOWMAP_$(echo "$k_name" | tr 'a-z.-' 'A-Z__')
eval "abi=\${$pin:-}"
serre=$(echo "$ser" | sed 's/\./\\./g')
[ -n "$abi" ] || abi=$(names "linux-image-$ser." | sed -n \
	"s/^linux-image-\($serre\(\.[0-9]*\)*\(-[0-9]*\|+deb[0-9]*\)\)-$flavour\$/\1/p" |
	sort -V | tail -n 1)
[ -n "$abi" ] || die "no Debian arm64 kernel package of series $ser ($flavour) in $suite"
[ -n "$(names "linux-image-$abi-$flavour")" ] ||
	die "no package linux-image-$abi-$flavour in $suite (is $pin=$abi right?)"
kbuild=linux-kbuild-$abi
[ -n "$(names "$kbuild")" ] || kbuild=linux-kbuild-$ser

# 6.19+: the image, config and System.map are in linux-binary and linux-base,
# the modules (virtio_mem) in linux-modules
pkgs="linux-image-$abi-$flavour linux-headers-$abi-$flavour linux-headers-$abi-common"
for p in linux-binary-$abi-$flavour linux-base-$abi-$flavour linux-modules-$abi-$flavour; do
	[ -z "$(names "$p")" ] || pkgs="$pkgs $p"
done
root=$SHADOWMAP_CACHE/debian/$(echo "$abi" | tr '+' '_')${flavour#arm64}
# The marker names the packages unpacked: a root that lacks one is redone.
if [ -f "$root/.shadowmap-done" ] && [ "$(cat "$root/.shadowmap-done")" = "$pkgs" ]; then
	echo "$root"
	exit 0
fi

log "downloading $pkgs $kbuild busybox-static ($suite)"
# One directory per suite: busybox-static and linux-kbuild-SERIES have the
# same names in several suites, and the newest download must be this one's.
dl=$SHADOWMAP_CACHE/debs/$suite
mkdir -p "$dl"
# linux-kbuild runs on the host, so it comes for the host's architecture.
# shellcheck disable=SC2086
(cd "$dl" && apt-get -q $ARM_OPTS download $pkgs busybox-static >"$dl/download.log" 2>&1 &&
	if [ -n "$HOST_OPTS" ]; then
		apt-get -q $HOST_OPTS download "$kbuild" >>"$dl/download.log" 2>&1
	else
		apt-get -q -o APT::Sandbox::User=root download "$kbuild:$host_arch" >>"$dl/download.log" 2>&1
	fi) || { tail -5 "$dl/download.log" >&2; die "apt-get download failed for $pkgs $kbuild ($suite)"; }

rm -rf "$root"
mkdir -p "$root"
for p in $pkgs busybox-static "$kbuild"; do
	# The newest download of that package (apt keeps "+" in file names).
	deb=$(ls -t "$dl/${p}"_*.deb | head -n 1)
	dpkg-deb -x "$deb" "$root" || die "dpkg-deb -x $deb failed"
done

# 6.19+ keeps the kernel under usr/lib/modules/ABI: the rig looks in boot/
# and lib/modules/.
kver=$abi-$flavour
if [ -f "$root/usr/lib/modules/$kver/vmlinuz" ]; then
	mkdir -p "$root/boot"
	ln -sf "../usr/lib/modules/$kver/vmlinuz" "$root/boot/vmlinuz-$kver"
	for f in config System.map; do
		[ ! -f "$root/usr/lib/modules/$kver/$f" ] ||
			ln -sf "../usr/lib/modules/$kver/$f" "$root/boot/$f-$kver"
	done
fi
[ -e "$root/lib/modules" ] || [ ! -d "$root/usr/lib/modules" ] ||
	{ mkdir -p "$root/lib" && ln -s ../usr/lib/modules "$root/lib/modules"; }

# The arm64 headers include the -common tree by absolute path, and from
# 7.x name themselves as KBUILD_OUTPUT: make both ours.
hdr=$root/usr/src/linux-headers-$kver
sed -i -e "s|/usr/src/linux-headers-$abi-common|$root/usr/src/linux-headers-$abi-common|g" \
	-e "s|^KBUILD_OUTPUT=/usr/src/|KBUILD_OUTPUT=$root/usr/src/|" "$hdr/Makefile"
ls "$root"/boot/vmlinuz-* >/dev/null 2>&1 || die "no vmlinuz in $pkgs"

# Host tools the host's C library cannot run: rebuilt from source.
sh "$SHADOWMAP_TOP/scripts/kbuild-tools.sh" "$root" "$abi" "$suite" ||
	die "the host tools of $kbuild could not be rebuilt (scripts/kbuild-tools.sh)"
echo "$pkgs" >"$root/.shadowmap-done"
echo "$root"

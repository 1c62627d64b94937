#!/bin/sh
# Fetch Debian 12's stock arm64 kernels with private apt state (the host's
# dpkg architecture list is left alone) and unpack them into the cache.
#
# Usage: debian-kernels.sh 6.1|6.12|6.12-16k
# (6.12-16k: Debian's arm64-16k flavour, 16K pages.)
# Prints the unpacked root: boot/vmlinuz-*, lib/modules/*, and the headers
# tree usr/src/linux-headers-*-arm64 with its Makefile made relocatable.
# Pin an ABI with SHADOWMAP_DEBIAN_6_1=6.1.0-NN or SHADOWMAP_DEBIAN_6_12=6.12.NN+deb12.
set -eu
. "$(dirname "$0")/lib.sh"

ser=${1:?usage: debian-kernels.sh 6.1|6.12|6.12-16k}
flavour=arm64
case "$ser" in
6.1|6.12) ;;
6.12-16k) flavour=arm64-16k ser=6.12 ;;
*) die "unknown kernel series '$ser' (want 6.1, 6.12 or 6.12-16k)" ;;
esac
need_pkgs apt dpkg xz-utils

apt_dir=$SHADOWMAP_CACHE/apt
mkdir -p "$apt_dir/lists/partial" "$apt_dir/archives/partial"
# shellcheck disable=SC2086
APT_OPTS="-o APT::Architectures::=arm64 -o APT::Architecture=arm64 \
 -o Dir::State::Lists=$apt_dir/lists -o Dir::State::status=/dev/null \
 -o Dir::Cache=$apt_dir -o Dir::Cache::archives=$apt_dir/archives \
 -o Debug::NoLocking=1 -o APT::Sandbox::User=root"

# The package lists are refreshed at most twice a day.
stamp=$apt_dir/lists/.updated
if [ ! -f "$stamp" ] || [ -n "$(find "$stamp" -mmin +720)" ]; then
	log "refreshing arm64 package lists"
	# shellcheck disable=SC2086
	apt-get -q $APT_OPTS update >"$apt_dir/update.log" 2>&1 ||
		{ tail -5 "$apt_dir/update.log" >&2; die "apt-get update (arm64) failed"; }
	touch "$stamp"
fi

# shellcheck disable=SC2086
names() { apt-cache $APT_OPTS pkgnames "$1" 2>/dev/null; }

case "$ser" in
6.1)
	abi=${SHADOWMAP_DEBIAN_6_1:-$(names linux-image-6.1.0- |
		sed -n "s/^linux-image-\(6\.1\.0-[0-9]*\)-$flavour\$/\1/p" | sort -V | tail -n 1)}
	kbuild=linux-kbuild-6.1
	;;
6.12)
	abi=${SHADOWMAP_DEBIAN_6_12:-$(names linux-image-6.12. |
		sed -n "s/^linux-image-\(6\.12\.[0-9]*+deb12\)-$flavour\$/\1/p" | sort -V | tail -n 1)}
	kbuild=linux-kbuild-$abi
	;;
esac
[ -n "$abi" ] || die "no Debian arm64 kernel package found for $ser"

root=$SHADOWMAP_CACHE/debian/$(echo "$abi" | tr '+' '_')${flavour#arm64}
if [ -f "$root/.shadowmap-done" ]; then
	echo "$root"
	exit 0
fi

pkgs="linux-image-$abi-$flavour linux-headers-$abi-$flavour linux-headers-$abi-common"
log "downloading $pkgs $kbuild busybox-static"
dl=$SHADOWMAP_CACHE/debs
mkdir -p "$dl"
# linux-kbuild runs on the host, so it comes for the host's architecture.
# shellcheck disable=SC2086
(cd "$dl" && apt-get -q $APT_OPTS download $pkgs busybox-static >/dev/null &&
	apt-get -q -o APT::Sandbox::User=root download "$kbuild:$(dpkg --print-architecture)" >/dev/null) ||
	die "apt-get download failed for $abi"

rm -rf "$root"
mkdir -p "$root"
for p in $pkgs busybox-static "$kbuild"; do
	# The newest download of that package (apt keeps "+" in file names).
	deb=$(ls -t "$dl/${p}"_*.deb | head -n 1)
	dpkg-deb -x "$deb" "$root"
done

# The arm64 headers include the -common tree by absolute path: make it ours.
hdr=$root/usr/src/linux-headers-$abi-$flavour
sed -i "s|/usr/src/linux-headers-$abi-common|$root/usr/src/linux-headers-$abi-common|g" \
	"$hdr/Makefile"
ls "$root"/boot/vmlinuz-* >/dev/null || die "no vmlinuz in linux-image-$abi-$flavour"
touch "$root/.shadowmap-done"
echo "$root"

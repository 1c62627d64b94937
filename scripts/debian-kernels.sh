#!/bin/sh
# Fetch Debian 12's stock arm64 kernels with private apt state (the host's
# dpkg architecture list is left alone) and unpack them into the cache.
#
# Usage: debian-kernels.sh KERNEL
#   KERNEL: a "debian" kernel of scripts/kernels (debian-6.1, debian-6.12-16k, ...)
# Prints the unpacked root: boot/vmlinuz-*, lib/modules/*, and the headers
# tree usr/src/linux-headers-*-FLAVOUR with its Makefile made relocatable.
# Pin an ABI with SHADOWMAP_DEBIAN_6_1=6.1.0-NN or SHADOWMAP_DEBIAN_6_12=6.12.NN+deb12.
set -eu
. "$(dirname "$0")/lib.sh"

kernel "${1:?usage: debian-kernels.sh KERNEL (one of: $(kernel_names debian))}"
[ "$k_build" = debian ] || die "'$1' is not a Debian kernel (want one of: $(kernel_names debian))"
ser=$k_series flavour=$k_flavour
need_pkgs apt dpkg xz-utils

apt_dir=$SHADOWMAP_CACHE/apt
mkdir -p "$apt_dir/lists/partial" "$apt_dir/archives/partial"
# shellcheck disable=SC2086
APT_OPTS="-o APT::Architectures::=arm64 -o APT::Architecture=arm64 \
 -o Dir::State::Lists=$apt_dir/lists -o Dir::State::status=/dev/null \
 -o Dir::Cache=$apt_dir -o Dir::Cache::archives=$apt_dir/archives \
 -o Debug::NoLocking=1 -o APT::Sandbox::User=root"

# The package lists are refreshed at most twice a day, and never while
# make check's stages run (SHADOWMAP_APT_FROZEN): they read them at once.
stamp=$apt_dir/lists/.updated
if [ -z "${SHADOWMAP_APT_FROZEN:-}" ] &&
   { [ ! -f "$stamp" ] || [ -n "$(find "$stamp" -mmin +720)" ]; }; then
	log "refreshing arm64 package lists"
	# shellcheck disable=SC2086
	apt-get -q $APT_OPTS update >"$apt_dir/update.log" 2>&1 ||
		{ tail -5 "$apt_dir/update.log" >&2; die "apt-get update (arm64) failed"; }
	touch "$stamp"
fi

# shellcheck disable=SC2086
names() { apt-cache $APT_OPTS pkgnames "$1" 2>/dev/null; }

# The newest ABI of the series: 6.1.0-NN (kbuild linux-kbuild-6.1) or
# 6.12.NN+deb12 (kbuild linux-kbuild-6.12.NN+deb12), unless pinned.
pin=SHADOWMAP_DEBIAN_$(echo "$ser" | tr . _)
eval "abi=\${$pin:-}"
[ -n "$abi" ] || abi=$(names "linux-image-$ser." | sed -n \
	"s/^linux-image-\($(echo "$ser" | sed 's/\./\\./g')\.[0-9]*\(-[0-9]*\|+deb12\)\)-$flavour\$/\1/p" |
	sort -V | tail -n 1)
kbuild=linux-kbuild-$abi
[ -n "$(names "$kbuild")" ] || kbuild=linux-kbuild-$ser
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

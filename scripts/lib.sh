# shellcheck shell=sh
# Common helpers for shadowmap's scripts.  POSIX sh: sourced by host scripts.

SHADOWMAP_TOP=${SHADOWMAP_TOP:-$(cd "$(dirname "$0")/.." && pwd)}
SHADOWMAP_CACHE=${SHADOWMAP_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/shadowmap}
CROSS_COMPILE=${CROSS_COMPILE:-aarch64-linux-gnu-}
JOBS=${JOBS:-$(nproc 2>/dev/null || echo 2)}
export SHADOWMAP_TOP SHADOWMAP_CACHE CROSS_COMPILE

log() { printf '[%s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }

# need_pkgs PKG...: install missing Debian packages (needs root).
need_pkgs() {
	missing=
	for p in "$@"; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null |
			grep -q 'install ok installed' || missing="$missing $p"
	done
	[ -z "$missing" ] && return 0
	[ "$(id -u)" = 0 ] || die "missing packages:$missing (run as root or install them)"
	log "installing:$missing"
	if [ ! -f "$SHADOWMAP_CACHE/.apt-updated" ] ||
	   [ -n "$(find "$SHADOWMAP_CACHE/.apt-updated" -mmin +720 2>/dev/null)" ]; then
		apt-get update -q >/dev/null || die "apt-get update failed"
		mkdir -p "$SHADOWMAP_CACHE" && touch "$SHADOWMAP_CACHE/.apt-updated"
	fi
	# shellcheck disable=SC2086
	DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends \
		-o DPkg::Lock::Timeout=600 $missing >/dev/null ||
		die "apt-get install failed:$missing"
}

# The host packages every stage needs.
need_host_tools() {
	need_pkgs make gcc gcc-aarch64-linux-gnu libc6-dev-arm64-cross \
		bc bison flex libssl-dev libelf-dev cpio kmod ccache \
		xz-utils rsync python3 dwarves dkms perl gnuplot-nox python3-markdown
	need_qemu
}

# The QEMU the guests run on, chosen with QEMU= (docs/rig.md, "QEMU"):
#   10 (the default)  qemu-system-aarch64 10.x, installed from
#                     bookworm-backports on Debian 12 (Debian 13 has it)
#   7.2               Debian 12's own QEMU, unpacked into the cache
#   /path/to/qemu-system-aarch64  that binary
# Sets QEMU_BIN and QEMU_VERSION, and puts the binary's directory first
# on PATH, so that kunit.py's qemu-system-aarch64 is the same one.
need_qemu() {
	[ -z "${QEMU_BIN:-}" ] || [ -z "${QEMU_VERSION:-}" ] || return 0
	case "${QEMU:-10}" in
	10) qemu_backports ;;
	7.2) qemu_unpacked bookworm 7.2 ;;
	/*) [ -x "$QEMU" ] || die "QEMU=$QEMU: not an executable"
	    QEMU_BIN=$QEMU ;;
	*) die "QEMU=$QEMU: want 10, 7.2 or the path of a qemu-system-aarch64" ;;
	esac
	QEMU_VERSION=$(qemu_version "$QEMU_BIN")
	[ -n "$QEMU_VERSION" ] || die "$QEMU_BIN --version says no version"
	PATH=${QEMU_BIN%/*}:$PATH
	export QEMU_BIN QEMU_VERSION PATH
}

# qemu_version BIN: the version of a qemu-system-aarch64 (10.0.2), or
# nothing; qemu_major BIN: its first number.
qemu_version() {
	"$1" --version 2>/dev/null | sed -n '1s/.*version \([0-9][0-9.]*\).*/\1/p'
}
qemu_major() {
	v=$(qemu_version "$1")
	echo "${v%%.*}"
}

# The archive's URI for Debian 12 main, as this host's apt already uses it
# (the rig names no archive host of its own).
debian_archive_uri() {
	apt-cache policy 2>/dev/null |
		awk '$3 ~ /^bookworm\/main$/ && $2 ~ /^[a-z]+:/ { print $2; exit }'
}

# apt_suite_opts APT_DIR [ARCH]: apt options for the private state
# debian-kernels.sh keeps in APT_DIR, for ARCH's lists (default arm64);
# with APT_DIR/sources.list (a suite other than the host's) its sources.
apt_suite_opts() {
	a=${2:-arm64}
	src=
	[ ! -f "$1/sources.list" ] ||
		src="-o Dir::Etc::SourceList=$1/sources.list -o Dir::Etc::SourceParts=/dev/null"
	echo "-o APT::Architectures::=$a -o APT::Architecture=$a \
 -o Dir::State::Lists=$1/lists-$a -o Dir::State::status=/dev/null \
 -o Dir::Cache=$1 -o Dir::Cache::archives=$1/archives \
 -o Debug::NoLocking=1 -o APT::Sandbox::User=root $src"
}

# QEMU 10: the system's qemu-system-aarch64 when it is 10 or newer, else
# qemu-system-arm from bookworm-backports (a sources file of the rig's
# own; only qemu-system-arm, -common and -data come from there).
qemu_backports() {
	QEMU_BIN=/usr/bin/qemu-system-aarch64
	major=$(qemu_major "$QEMU_BIN")
	[ "${major:-0}" -lt 10 ] || return 0
	# A release whose own QEMU is 10 or newer (Debian 13) installs that.
	candidate=$(apt-cache policy qemu-system-arm 2>/dev/null |
		sed -n 's/^ *Candidate: \([0-9]*:\)\{0,1\}\([0-9]*\)\..*/\2/p')
	if [ "${candidate:-0}" -ge 10 ]; then
		need_pkgs qemu-system-arm
		return 0
	fi
	[ "$(id -u)" = 0 ] || die "QEMU 10 is not installed (run as root, or QEMU=7.2)"
	list=/etc/apt/sources.list.d/shadowmap-bookworm-backports.list
	if [ ! -f "$list" ]; then
		uri=$(debian_archive_uri)
		[ -n "$uri" ] || die "no bookworm archive in this host's apt sources, for QEMU 10 from bookworm-backports"
		echo "deb $uri bookworm-backports main" >"$list.tmp" && mv "$list.tmp" "$list"
		rm -f "$SHADOWMAP_CACHE/.apt-updated"
	fi
	log "installing qemu-system-arm 10 from bookworm-backports"
	apt-get update -q >/dev/null || die "apt-get update failed"
	DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends \
		-t bookworm-backports qemu-system-arm >/dev/null ||
		die "apt-get install -t bookworm-backports qemu-system-arm failed"
	major=$(qemu_major "$QEMU_BIN")
	[ "${major:-0}" -ge 10 ] || die "bookworm-backports gave QEMU ${major:-none}, not 10"
}

# qemu_unpacked SUITE VERSION: SUITE's qemu-system-arm (and -common,
# -data), downloaded with private apt state and unpacked into the cache,
# its libraries installed from Debian; the system's QEMU is left alone.
qemu_unpacked() {
	uri=$(debian_archive_uri)
	[ -n "$uri" ] || die "no bookworm archive in this host's apt sources, for QEMU $2"
	dir=$SHADOWMAP_CACHE/qemu/$1
	QEMU_BIN=$dir/root/usr/bin/qemu-system-aarch64
	if [ ! -f "$dir/.shadowmap-done" ]; then
		log "downloading QEMU $2 ($1's qemu-system-arm)"
		rm -rf "$dir"
		mkdir -p "$dir/lists/partial" "$dir/archives/partial" "$dir/debs" "$dir/root"
		echo "deb $uri $1 main" >"$dir/sources.list"
		opts="-o Dir::State::Lists=$dir/lists -o Dir::State::status=/dev/null
		      -o Dir::Cache=$dir -o Dir::Cache::archives=$dir/archives
		      -o Dir::Etc::SourceList=$dir/sources.list -o Dir::Etc::SourceParts=/dev/null
		      -o Debug::NoLocking=1 -o APT::Sandbox::User=root"
		# shellcheck disable=SC2086
		{ apt-get -q $opts update >"$dir/update.log" 2>&1 &&
		  (cd "$dir/debs" && apt-get -q $opts download qemu-system-arm \
			qemu-system-common qemu-system-data >/dev/null); } ||
			die "apt-get download of QEMU $2 failed (see $dir/update.log)"
		for deb in "$dir"/debs/*.deb; do
			dpkg-deb -x "$deb" "$dir/root" || die "dpkg-deb -x $deb failed"
		done
		# its shared libraries, by the package's own Depends
		# shellcheck disable=SC2046
		need_pkgs $(dpkg-deb -f "$dir"/debs/qemu-system-arm_*.deb Depends |
			tr ',' '\n' | sed 's/[(|].*//; s/ //g' | grep -v '^qemu-')
		touch "$dir/.shadowmap-done"
	fi
	v=$(qemu_version "$QEMU_BIN")
	case "$v" in
	"$2".*) ;;
	*) die "$QEMU_BIN is QEMU ${v:-?}, not $2 (rm -rf $dir to fetch it again)" ;;
	esac
}

# kernel NAME: look NAME up in scripts/kernels; sets k_name, k_build,
# k_suite, k_series, k_flavour, k_page, k_levels and k_append, or dies
# naming the known ones.
kernel() {
	while read -r k_name k_build k_suite k_series k_flavour k_page k_levels k_append; do
		[ "$k_name" = "$1" ] || continue
		[ "$k_append" != - ] || k_append=
		return 0
	done <"$SHADOWMAP_TOP/scripts/kernels"
	die "unknown kernel '$1' (want one of: $(kernel_names))"
}

# kernel_names [BUILD]: the kernels of the table (of that build), one line.
# kernel_series: the series of our own builds (6.1 6.12), one line.
kernel_names() {
	awk -v b="${1:-}" '!/^#/ && NF && (b == "" || $2 == b) { printf "%s%s", s, $1; s = " " }' \
		"$SHADOWMAP_TOP/scripts/kernels"
}
kernel_series() {
	awk '!/^#/ && NF && $2 != "debian" && !seen[$4]++ { printf "%s%s", s, $4; s = " " }' \
		"$SHADOWMAP_TOP/scripts/kernels"
}

# kernel_abi NAME: the ABI of a Debian kernel of the table as fetched
# (7.3.4+deb13), fetching it if need be.
kernel_abi() {
	kernel "$1"
	image=$(ls "$(sh "$SHADOWMAP_TOP/scripts/debian-kernels.sh" "$1")"/boot/vmlinuz-*)
	image=${image##*/vmlinuz-}
	echo "${image%-"$k_flavour"}"
}

# kbuild_cc KDIR: the compiler for a module build against the headers at
# KDIR: the one their .kernelvariables names when this host has it, else
# this host's cross gcc (kbuild_overrides then says what to turn off).
# kbuild_named_cc KDIR: the gcc-N the headers' .kernelvariables names, or
# nothing.
kbuild_named_cc() {
	# our own builds have no .kernelvariables: nothing named (and no
	# failing status, under set -e)
	[ -f "$1/.kernelvariables" ] || return 0
	sed -n 's/^CC = .*[)]\(gcc-[0-9]*\)$/\1/p' "$1/.kernelvariables"
}

kbuild_cc() {
	cc=$(kbuild_named_cc "$1")
	if [ -n "$cc" ] && command -v "$CROSS_COMPILE$cc" >/dev/null 2>&1; then
		echo "$CROSS_COMPILE$cc"
	else
		echo "${CROSS_COMPILE}gcc"
	fi
}

# ccache_cc CC: a compiler that is CC through ccache, its cache in
# $SHADOWMAP_CACHE/ccache: the same sources against the same headers, built
# in the same directory, compile once (a make check that changed no source
# compiles nothing in its dkms and module-deps stages).
ccache_cc() {
	need_pkgs ccache
	d=$SHADOWMAP_CACHE/ccache
	mkdir -p "$d/bin"
	printf '#!/bin/sh\nCCACHE_DIR=%s exec ccache %s "$@"\n' "$d" "$(command -v "$1")" \
		>"$d/bin/$1.$$"
	chmod +x "$d/bin/$1.$$" && mv "$d/bin/$1.$$" "$d/bin/$1"
	echo "$d/bin/$1"
}

# kbuild_overrides KDIR: the make variables a module build against the
# kernel headers at KDIR needs on this host, one line (for MAKEFLAGS, which
# dkms's make inherits), besides CC=$(kbuild_cc KDIR).  Newer Debian
# headers name a newer gcc (.kernelvariables: gcc-14 on trixie, gcc-16 on
# sid) than bookworm has: with its cross gcc, each CONFIG_CC_HAS_* of the
# headers'
# .config that it lacks turned off for the Makefiles, as Kconfig would have
# found it (the features newer than gcc 12 that the headers use, each
# tested here).  autoconf.h still says the C attributes are there: gcc 12
# ignores those it does not know, and says so for every file, so their
# warning is off then (-Wno-attributes, said on stderr); the older
# kernels' builds keep it on for the module's own code.
# Module BTF needs a pahole as new as the kernel's (CONFIG_PAHOLE_VERSION):
# with an older one (bookworm's 1.24 against 6.12+deb13 and 7.x) it is
# left out, and said on stderr.
kbuild_overrides() {
	ov=
	cc=$(kbuild_named_cc "$1")
	if [ -n "$cc" ] && [ "$(kbuild_cc "$1")" != "$CROSS_COMPILE$cc" ]; then
		# OPTION|KIND|FLAGS|CODE: the compiler has OPTION when CODE
		# compiles; KIND attr: a C attribute of the headers
		attrs=
		while IFS='|' read -r opt kind flags code; do
			grep -q "^CONFIG_$opt=y" "$1/.config" || continue
			# shellcheck disable=SC2086
			printf '%s\n' "$code" | "${CROSS_COMPILE}gcc" -Werror $flags \
				-x c -c -o /dev/null - 2>/dev/null && continue
			ov="$ov CONFIG_$opt="
			[ "$kind" != attr ] || attrs="$attrs $opt"
		done <<-EOF
		CC_HAS_MIN_FUNCTION_ALIGNMENT|flag|-fmin-function-alignment=8|int f(void) { return 0; }
		CC_HAS_COUNTED_BY|attr||struct s { int n; int a[] __attribute__((__counted_by__(n))); };
		CC_HAS_COUNTED_BY_PTR|attr||struct s { int n; int *p __attribute__((__counted_by__(n))); };
		CC_HAS_MULTIDIMENSIONAL_NONSTRING|attr||char a[2][4] __attribute__((__nonstring__));
		CC_HAS_ASSUME|attr||int f(int x) { __attribute__((__assume__(x > 0))); return x; }
		EOF
		# gcc 12 aligns functions with -falign-functions, which skips cold
		# ones (__init): the kernel's ftrace with CALL_OPS needs every
		# patched function 8-byte aligned and, finding one that is not,
		# WARNs and then BUGs at the module's load (7.3, under QEMU).  A
		# kernel built by gcc 12 drops __cold for this; the headers
		# cannot, so the module goes without ftrace call sites.
		case "$ov" in
		*CONFIG_CC_HAS_MIN_FUNCTION_ALIGNMENT=*)
			if grep -q '^CONFIG_DYNAMIC_FTRACE_WITH_CALL_OPS=y' "$1/.config"; then
				ov="$ov CC_FLAGS_FTRACE="
				echo "no ftrace call sites in the module: ${CROSS_COMPILE}gcc cannot align cold functions as the headers' $cc does (-fmin-function-alignment)" >&2
			fi ;;
		esac
		if [ -n "$attrs" ]; then
			ov="$ov KCFLAGS=-Wno-attributes"
			echo "-Wno-attributes: ${CROSS_COMPILE}gcc lacks what the headers' $cc has:$attrs" >&2
		fi
	fi
	want=$(sed -n 's/^CONFIG_PAHOLE_VERSION=//p' "$1/.config" 2>/dev/null)
	if grep -q '^CONFIG_DEBUG_INFO_BTF_MODULES=y' "$1/.config" 2>/dev/null; then
		have=$(pahole --version 2>/dev/null | sed 's/^v//')
		if [ "$(echo "${have:-0}" | tr -d .)" -lt "${want:-0}" ]; then
			ov="$ov CONFIG_DEBUG_INFO_BTF_MODULES="
			echo "no BTF for the module: pahole ${have:-(none)} is older than the kernel's $((want / 100)).$((want % 100)) (CONFIG_PAHOLE_VERSION)" >&2
		fi
	fi
	echo "$ov"
}

# kbuild_warnings LOG: the compiler's and modpost's warnings in a module
# build's log, if any (make's and kbuild's own notes, such as the pahole
# one when BTF is left out, are not the module's).
kbuild_warnings() {
	grep -E ':[0-9]+:([0-9]+:)? warning:|^WARNING:' "$1"
}

# key_of FILE...: short content hash, used to key caches.
key_of() {
	cat "$@" | sha256sum | cut -c1-12
}

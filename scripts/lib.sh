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
		$missing >/dev/null || die "apt-get install failed:$missing"
}

# The host packages every stage needs.
need_host_tools() {
	need_pkgs make gcc gcc-aarch64-linux-gnu libc6-dev-arm64-cross \
		qemu-system-arm bc bison flex libssl-dev libelf-dev cpio kmod \
		xz-utils rsync python3 dwarves dkms perl gnuplot-nox python3-markdown
}

# kernel NAME: look NAME up in scripts/kernels; sets k_build, k_series,
# k_flavour, k_page, k_levels and k_append, or dies naming the known ones.
kernel() {
	while read -r k_name k_build k_series k_flavour k_page k_levels k_append; do
		[ "$k_name" = "$1" ] || continue
		[ "$k_append" != - ] || k_append=
		return 0
	done <"$SHADOWMAP_TOP/scripts/kernels"
	die "unknown kernel '$1' (want one of: $(kernel_names))"
}

# kernel_names [BUILD]: the kernels of the table (of that build), one line.
# kernel_series: the series of the table (6.1 6.12), one line.
kernel_names() {
	awk -v b="${1:-}" '!/^#/ && NF && (b == "" || $2 == b) { printf "%s%s", s, $1; s = " " }' \
		"$SHADOWMAP_TOP/scripts/kernels"
}
kernel_series() {
	awk '!/^#/ && NF && !seen[$3]++ { printf "%s%s", s, $3; s = " " }' \
		"$SHADOWMAP_TOP/scripts/kernels"
}

# key_of FILE...: short content hash, used to key caches.
key_of() {
	cat "$@" | sha256sum | cut -c1-12
}

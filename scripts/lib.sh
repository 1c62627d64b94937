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
		xz-utils rsync python3 dwarves dkms perl
}

# key_of FILE...: short content hash, used to key caches.
key_of() {
	cat "$@" | sha256sum | cut -c1-12
}

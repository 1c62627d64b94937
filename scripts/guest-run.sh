#!/bin/sh
# Boot an arm64 QEMU (TCG) guest with shadowmap, run the selftests, the lab
# or KUnit in it, and judge the console.
#
# Usage: guest-run.sh [options]
#   --kernel K      a kernel of scripts/kernels (default debian-6.1)
#   --mode M        check (default: every selftest), hotplug (the hotplug
#                   selftests: hotplug-live hotplug-remove, or those --args
#                   names), lab, bench, kunit, idle
#   --mem SIZE      guest boot memory (default 2G)
#   --smp N         virtual CPUs (default 2)
#   --grow SIZE     boot with virtio-mem; grow it by SIZE over QMP each time
#                   the guest asks ("SM: GROW"), unplug it all on "SM: SHRINK",
#                   add and take back SIZE2 N times on "SM: CYCLE N SIZE2"
#   --append ARGS   extra kernel command line (after the kernel's own)
#   --args ARGS     arguments for the guest's lab script, or in check and
#                   hotplug mode the selftests to run
#   --timeout SEC   give up after SEC seconds (default 900)
#   --tag NAME      names this run's console log (default: the mode)
#   --icount        deterministic time: QEMU's -icount shift=0, one
#                   nanosecond of guest time per instruction executed
#   --env NAME=VAL  one more variable for the selftests' environment
#                   (SM_HP_STRESS_ITERS=40, say); may be repeated
#   --log FILE      console log (default: under the cache, by tag)
#
# Exit status 0 only when the guest finished, its KTAP parses with no
# failure, and the console shows no Oops, BUG, WARNING or call trace (see
# parse-console.sh, which prints the last line "guest: N passed, N failed").
set -eu
. "$(dirname "$0")/lib.sh"

parse_args() {
	kernel=debian-6.1 mode=check mem=2G smp=2 grow= append= gargs= timeout=900 logfile= tag=
	clock=wall genv=
	while [ $# -gt 0 ]; do
		case "$1" in
		--icount) clock=icount; shift; continue ;;
		--kernel|--mode|--mem|--smp|--grow|--append|--args|--timeout|--log|--tag|--env) ;;
		*) die "guest-run.sh: unknown option '$1' (see the header of $0)" ;;
		esac
		[ $# -gt 1 ] || die "guest-run.sh: '$1' wants a value (see the header of $0)"
		case "$1" in
		--args) gargs=$2 ;;
		--log) logfile=$2 ;;
		--env)
			case "${2%%=*}" in
			SM_*[!A-Z0-9_]*|SM_) die "--env wants SM_NAME=VALUE, got '$2'" ;;
			SM_*) [ "${2%%=*}" != "$2" ] || die "--env wants SM_NAME=VALUE, got '$2'" ;;
			*) die "--env wants SM_NAME=VALUE, got '$2'" ;;
			esac
			case "${2#*=}" in
			*[!A-Za-z0-9._,:/-]*) die "--env $2: the value may hold only letters, digits and ._,:/-" ;;
			esac
			genv="$genv
$2" ;;
		*) eval "${1#--}=\$2" ;;
		esac
		shift 2
	done
	case "$mode" in
	check|lab|bench|kunit|hotplug|idle) ;;
	*) die "unknown mode '$mode' (want check, hotplug, lab, bench, kunit or idle)" ;;
	esac
	kernel "$kernel"
	case "$mem$grow" in
	*[!0-9KMG]*) die "--mem and --grow want sizes like 2G or 512M" ;;
	esac
	[ "$mode" != hotplug ] || [ -n "$grow" ] || die "--mode hotplug needs --grow SIZE"
	case "$timeout" in
	''|*[!0-9]*) die "--timeout wants seconds, got '$timeout'" ;;
	esac
	case "$smp" in
	''|0|*[!0-9]*) die "--smp wants a number of CPUs, got '$smp'" ;;
	esac
}

# resolve_kernel: image, kver, kdir (headers or build tree), moddir
# (Debian's modules, empty for our builds).
resolve_kernel() {
	if [ "$k_build" = debian ]; then
		root=$(sh "$SHADOWMAP_TOP/scripts/debian-kernels.sh" "$kernel")
		image=$(ls "$root"/boot/vmlinuz-*)
		kver=${image##*/vmlinuz-}
		kdir=$root/usr/src/linux-headers-$kver
		moddir=$root/lib/modules/$kver
	else
		kdir=$(sh "$SHADOWMAP_TOP/scripts/kernel-build.sh" "$kernel")
		image=$kdir/arch/arm64/boot/Image
		kver=$(cat "$kdir/include/config/kernel.release")
		moddir=
	fi
}

# modules_key: what a module build depends on: the sources (names and
# contents), the kernel tree and its config, the compiler and what the
# headers need of it (kbuild_overrides).
modules_key() {
	{
		echo "$kdir $kver"
		cat "$kdir/.config" 2>/dev/null
		"$(kbuild_cc "$kdir")" --version | head -n 1
		kbuild_overrides "$kdir" 2>/dev/null
		(cd "$SHADOWMAP_TOP" && find Kbuild Makefile src debugfs kunit -type f |
			LC_ALL=C sort | while read -r f; do echo "$f"; cat "$f"; done)
	} | sha256sum | cut -c1-16
}

# build_modules: in a private copy, so the work tree stays clean and
# neither builds against different kernels nor concurrent runs mix.  The
# build is kept in the cache by modules_key, so that the stages that boot
# one kernel build its modules once.
build_modules() {
	modcache=$SHADOWMAP_CACHE/modules/$(modules_key)
	mkdir -p "$work/mod"
	if [ -f "$modcache/.shadowmap-done" ] &&
	   cp "$modcache"/*.ko "$work/mod/" 2>/dev/null &&
	   cp "$modcache/modbuild.log" "$work/modbuild.log" 2>/dev/null; then
		log "modules for $kernel from the cache ($(tail -n 1 "$work/modbuild.log"))"
		cp "$work/modbuild.log" "$logdir/modbuild.log"
		[ "$k_build" != secure ] || sign_modules
		return 0
	fi
	log "building modules for $kernel"
	if [ "$k_build" = debian ]; then
		# Debian's kernels: the route a server takes, a real dkms build
		# (W=1, no warning), shared with the other stages of the package
		sh "$SHADOWMAP_TOP/scripts/dkms-check.sh" "$kernel" "$work/mod" \
			>"$work/modbuild.log" 2>&1 ||
			{ tail -20 "$work/modbuild.log" >&2; die "dkms build against $kernel failed"; }
		log "$(tail -n 1 "$work/modbuild.log")"
	else
		# Our kernels: a build directory of its own per kernel tree,
		# kept, so that a changed source rebuilds only what depends on
		# it (kbuild's .cmd files catch changed flags); one build in it
		# at a time.  Copied by content (-c, no times): a file that did
		# not change keeps the time of its object, even from a fresh
		# clone.
		bdir=$SHADOWMAP_CACHE/modbuild/${kdir##*/}
		mkdir -p "$bdir"
		exec 9>"$bdir.lock"
		flock 9
		rsync -rlc --delete --exclude='*.o' --exclude='*.ko' --exclude='.*.cmd' \
			"$SHADOWMAP_TOP/Kbuild" "$SHADOWMAP_TOP/Makefile" "$SHADOWMAP_TOP/src" \
			"$SHADOWMAP_TOP/debugfs" "$SHADOWMAP_TOP/kunit" "$bdir/"
		overrides=$(kbuild_overrides "$kdir" 2>"$work/overrides.log")
		# shellcheck disable=SC2086
		make -C "$bdir" KDIR="$kdir" ARCH=arm64 CROSS_COMPILE="$CROSS_COMPILE" \
			CC="$(kbuild_cc "$kdir")" $overrides >"$work/modbuild.log" 2>&1 ||
			{ tail -20 "$work/modbuild.log" >&2; exec 9>&-; die "module build against $kernel failed"; }
		cp "$bdir"/*.ko "$work/mod/"
		exec 9>&-
		cat "$work/overrides.log" >>"$work/modbuild.log"
		if kbuild_warnings "$work/modbuild.log" >&2; then
			cp "$work/modbuild.log" "$logdir/modbuild.log"
			# Its objects would not warn again: the next build starts
			# afresh.
			[ -z "${bdir:-}" ] || rm -rf "$bdir"
			die "module build against $kernel has warnings"
		fi
	fi
	cp "$work/modbuild.log" "$logdir/modbuild.log"
	# Kept only when it built clean, and only if no other run kept the
	# same build meanwhile; the 16 newest finished builds stay.
	if [ ! -f "$modcache/.shadowmap-done" ]; then
		rm -rf "$modcache" "$modcache.$$"
		mkdir -p "$modcache.$$"
		cp "$work"/mod/*.ko "$work/modbuild.log" "$modcache.$$/" &&
			touch "$modcache.$$/.shadowmap-done" &&
			mv "$modcache.$$" "$modcache" || rm -rf "$modcache.$$"
	fi
	# shellcheck disable=SC2012
	ls -dt "$SHADOWMAP_CACHE"/modules/*/.shadowmap-done | tail -n +17 |
		while read -r d; do
			rm -rf "${d%/.shadowmap-done}"
		done
	[ "$k_build" != secure ] || sign_modules
}

# sign_modules: as dkms 3.0.10 signs, with the kernel's sign-file and a
# MOK-style key pair (scripts/mok-key.sh); the Secure Boot kernel trusts
# that key.  An unsigned copy is kept, to show that it is refused.
sign_modules() {
	keys=$(sh "$SHADOWMAP_TOP/scripts/mok-key.sh")
	mkdir -p "$work/mod/unsigned"
	for ko in "$work"/mod/*.ko; do
		cp "$ko" "$work/mod/unsigned/"
		"$kdir/scripts/sign-file" sha512 "$keys/mok.key" "$keys/mok.der" "$ko" ||
			die "sign-file failed on $ko"
	done
}

# pack_initramfs: busybox (Debian's busybox-static:arm64, unpacked with
# 6.1), selftests/ and cli/ as in the repository, and in /shadowmap the
# modules, the guest scripts and the environment the selftests read.
pack_initramfs() {
	busybox=$(sh "$SHADOWMAP_TOP/scripts/debian-kernels.sh" debian-6.1)/bin/busybox
	[ -f "$busybox" ] || die "no busybox at $busybox (debian-kernels.sh debian-6.1)"
	ird=$work/initramfs
	mkdir -p "$ird/bin" "$ird/shadowmap" "$ird/proc" "$ird/sys" "$ird/dev" "$ird/tmp"
	cp "$busybox" "$ird/bin/busybox"
	cp "$SHADOWMAP_TOP/scripts/guest/init" "$ird/init"
	chmod +x "$ird/init"
	cp -r "$SHADOWMAP_TOP/selftests" "$SHADOWMAP_TOP/cli" "$ird/"
	# the files and lists selftests/module.sh holds the module to
	mkdir -p "$ird/docs"
	cp "$SHADOWMAP_TOP/docs/debugfs.md" "$ird/docs/"
	cp "$SHADOWMAP_TOP/scripts/guest/lab.sh" \
		"$SHADOWMAP_TOP/configs/costs-altra" \
		"$work/mod/shadowmap.ko" "$ird/shadowmap/"
	[ ! -f "$work/mod/shadowmap_kunit.ko" ] || cp "$work/mod/shadowmap_kunit.ko" "$ird/shadowmap/"
	[ ! -d "$work/mod/unsigned" ] || cp -r "$work/mod/unsigned" "$ird/shadowmap/"
	# Debian builds the virtio PCI transport (6.1) and virtio-mem as
	# modules; they are loaded in this order.  Those built in are not found.
	if [ -n "$moddir" ]; then
		mkdir -p "$ird/lib/modules"
		for m in virtio_pci_legacy_dev virtio_pci_modern_dev virtio_pci virtio_mem; do
			path=$(find "$moddir/kernel" -name "$m.ko*" | head -n 1)
			[ -n "$path" ] || continue
			case "$path" in
			*.xz) xz -dc "$path" >"$ird/lib/modules/$m.ko" ;;
			*) cp "$path" "$ird/lib/modules/$m.ko" ;;
			esac
			echo "$m" >>"$ird/lib/modules/load-order"
		done
	fi
	cat >"$ird/shadowmap/env" <<ENV
SM_MODE='$mode'
SM_ARGS='$gargs'
SM_KO=/shadowmap
SM_PAGE_SIZE='$k_page'
SM_LEVELS='$k_levels'
SM_LOCKDOWN_RAISE=1$genv
${grow:+SM_GROW='$grow'}
ENV
	(cd "$ird" && find . | cpio -o -H newc --quiet | gzip -1) >"$work/initramfs.cpio.gz"
}

# boot: start QEMU in the background ($qpid), console to $console.
boot() {
	memopt="-m $mem"
	if [ -n "$grow" ]; then
		# room for the 8G virtio-mem device (and 1G to align it) beside the
		# boot memory
		case "$mem" in
		*G) maxmem=$((${mem%G} * 1024 + 9216))M ;;
		*M) maxmem=$((${mem%M} + 9216))M ;;
		*) maxmem=$((${mem%K} / 1024 + 9216))M ;;
		esac
		memopt="-m $mem,maxmem=$maxmem -object memory-backend-ram,id=vmem0,size=8G"
		memopt="$memopt -device virtio-mem-pci,id=vm0,memdev=vmem0,requested-size=0"
	fi
	cmdline="console=ttyAMA0 rdinit=/init panic=-1 memhp_default_state=online $k_append $append"
	# The deterministic mode: guest time is the count of instructions
	# executed (1 ns each), whatever the host does.  It counts work, not
	# what a TLBI or a cache miss costs (docs/rig.md).  An idle guest's
	# clock jumps to its next timer (sleep=off), except where the guest
	# waits for the host to answer over QMP (--grow): there it runs at
	# the host's pace while idle, or the guest's waits would end at once.
	icount=
	if [ "$clock" = icount ]; then
		icount="-icount shift=0,align=off,sleep=off"
		[ -z "$grow" ] || icount="-icount shift=0,align=off,sleep=on"
	fi
	# pauth-impdef=on where times are taken (lab, bench): QEMU's
	# architected PAC (QARMA5) is so slow under TCG that Debian's pac-ret
	# kernels spend most of a hot-add signing return addresses, a cost no
	# server pays (docs/rig.md, "Why pauth-impdef=on").  Where nothing is
	# timed, no PAC at all, as on the servers this tool is for (Neoverse
	# N1): even the cheap algorithm is a helper call per signed return.
	cpu=max,pauth-impdef=on
	case "$mode" in
	check|hotplug|kunit|idle) cpu=max,pauth=off ;;
	esac
	log "booting $kernel ($kver), mode $mode, QEMU $QEMU_VERSION, -cpu $cpu, clock $clock"
	# shellcheck disable=SC2086
	"$QEMU_BIN" -M virt -cpu "$cpu" -smp "$smp" $memopt $icount -nographic -no-reboot -nic none \
		-kernel "$image" -initrd "$work/initramfs.cpio.gz" -append "$cmdline" \
		-qmp "unix:$qmp,server=on,wait=off" </dev/null >"$console" 2>&1 &
	qpid=$!
}

# requests WORD: how many "SM: WORD" requests the guest has printed.
requests() {
	grep -c "SM: $1" "$console" 2>/dev/null || true
}

# watch: until the guest says "SM: DONE" (then let it power off), exits or
# times out; answer its grow and shrink requests over QMP meanwhile.
watch() {
	grown=0 shrunk=0 cycled=0
	start=$(date +%s)
	while kill -0 "$qpid" 2>/dev/null; do
		if grep -q '^SM: DONE' "$console" 2>/dev/null; then
			for _ in 1 2 3 4 5 6 7 8 9 10; do
				kill -0 "$qpid" 2>/dev/null || break
				sleep 1
			done
			break
		fi
		if [ -n "$grow" ] && [ "$(requests GROW)" -gt "$grown" ]; then
			python3 "$SHADOWMAP_TOP/scripts/qmp-grow.py" "$qmp" "$grow" >&2 ||
				die "QMP grow of virtio-mem failed"
			grown=$((grown + 1))
		fi
		if [ -n "$grow" ] && [ "$(requests SHRINK)" -gt "$shrunk" ]; then
			python3 "$SHADOWMAP_TOP/scripts/qmp-grow.py" "$qmp" --to 0 >&2 ||
				die "QMP unplug of virtio-mem failed"
			shrunk=$((shrunk + 1))
		fi
		# "SM: CYCLE N SIZE": N hot-adds and hot-removes of SIZE.
		if [ -n "$grow" ] && [ "$(requests CYCLE)" -gt "$cycled" ]; then
			# shellcheck disable=SC2046
			python3 "$SHADOWMAP_TOP/scripts/qmp-grow.py" "$qmp" --cycle \
				$(grep "SM: CYCLE" "$console" | sed -n "$((cycled + 1))s/.*SM: CYCLE \([0-9]*\) \([0-9]*[KMG]\).*/\1 \2/p") >&2 ||
				die "QMP cycles of virtio-mem failed"
			cycled=$((cycled + 1))
		fi
		[ $(($(date +%s) - start)) -lt "$timeout" ] || break
		sleep 1
	done
	kill "$qpid" 2>/dev/null || true
	wait "$qpid" 2>/dev/null || true
	qpid=
}

# judge: keep the console under a stable name and judge it.
judge() {
	status=timeout
	grep -q '^SM: DONE' "$console" && status=done
	[ -n "$logfile" ] || logfile=$logdir/console-${tag:-$mode}.log
	tr -d '\r' <"$console" >"$logfile.$$"
	mv "$logfile.$$" "$logfile"
	sh "$SHADOWMAP_TOP/scripts/parse-console.sh" "$logfile" "$kernel" "$status" "$kdir"
}

parse_args "$@"
t_setup=$(date +%s)
need_host_tools
resolve_kernel
logdir=$SHADOWMAP_CACHE/run/$kernel
mkdir -p "$logdir"
work=$(mktemp -d "$logdir.XXXXXX")
# The console goes to the private work dir first, so that concurrent runs
# never read each other's.
console=$work/console.log
qmp=$work/qmp.sock
qpid=
# However the script ends, no guest is left running and no work dir behind.
trap '[ -z "$qpid" ] || kill "$qpid" 2>/dev/null; rm -rf "$work"' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM HUP
build_modules
# What a cold cache costs (installs, kernel downloads and builds, module
# builds): check.sh's time table sets it apart.
log "setup: $(($(date +%s) - t_setup)) s"
pack_initramfs
boot
watch
judge

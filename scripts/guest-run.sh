#!/bin/sh
# Boot an arm64 QEMU (TCG) guest with shadowmap and run the guest-side
# script in one mode, then check the console.
#
# Usage: guest-run.sh [options]
#   --kernel K      debian-6.1 (default), debian-6.12, debian-6.12-16k,
#                   kunit-6.1, kunit-6.12
#   --mode M        check (default), lab, bench, kunit, hotplug, idle
#   --mem SIZE      guest boot memory (default 2G)
#   --grow SIZE     boot with virtio-mem and grow it by SIZE over QMP when the
#                   guest asks ("SM: GROW"); unplug it all on "SM: SHRINK"
#   --append ARGS   extra kernel command line
#   --args ARGS     arguments for the guest script (e.g. lab options)
#   --timeout SEC   give up after SEC seconds (default 900)
#   --tag NAME      names this run's work files (default: the mode)
#   --log FILE      console log (default: under the cache, by tag)
#
# Exit status 0 only when the guest reached "SM: DONE", no test failed, and
# the console shows no Oops, BUG, WARNING or call trace.  The guest's
# "SM: PASS"/"SM: FAIL" lines and, in kunit mode, kunit.py's parsed summary
# are printed; the last line is "guest: N passed, N failed".
set -eu
. "$(dirname "$0")/lib.sh"

kernel=debian-6.1
mode=check
mem=2G
grow=
append=
gargs=
timeout=900
logfile=
tag=
while [ $# -gt 0 ]; do
	case "$1" in
	--kernel) kernel=$2; shift ;;
	--mode) mode=$2; shift ;;
	--mem) mem=$2; shift ;;
	--grow) grow=$2; shift ;;
	--append) append=$2; shift ;;
	--args) gargs=$2; shift ;;
	--timeout) timeout=$2; shift ;;
	--log) logfile=$2; shift ;;
	--tag) tag=$2; shift ;;
	*) die "guest-run.sh: unknown option '$1' (see the header of $0)" ;;
	esac
	shift
done
case "$mode" in
check|lab|bench|kunit|hotplug|idle) ;;
*) die "unknown mode '$mode' (want check, lab, bench, kunit, hotplug or idle)" ;;
esac
case "$kernel" in
debian-6.1|debian-6.12|debian-6.12-16k|kunit-6.1|kunit-6.12) ;;
*) die "unknown kernel '$kernel' (want debian-6.1, debian-6.12, debian-6.12-16k, kunit-6.1 or kunit-6.12)" ;;
esac
case "$mem$grow" in
*[!0-9KMG]*) die "--mem and --grow want sizes like 2G or 512M" ;;
esac
[ "$mode" != hotplug ] || [ -n "$grow" ] || die "--mode hotplug needs --grow SIZE"
case "$timeout" in
''|*[!0-9]*) die "--timeout wants seconds, got '$timeout'" ;;
esac

need_host_tools

# Busybox comes from Debian's busybox-static:arm64, unpacked with 6.1.
busybox=$(sh "$SHADOWMAP_TOP/scripts/debian-kernels.sh" 6.1)/bin/busybox
case "$kernel" in
debian-*)
	root=$(sh "$SHADOWMAP_TOP/scripts/debian-kernels.sh" "${kernel#debian-}")
	image=$(ls "$root"/boot/vmlinuz-*)
	kver=${image##*/vmlinuz-}
	kdir=$root/usr/src/linux-headers-$kver
	moddir=$root/lib/modules/$kver
	;;
*)
	kdir=$(sh "$SHADOWMAP_TOP/scripts/kernel-build.sh" "${kernel#kunit-}")
	image=$kdir/arch/arm64/boot/Image
	kver=$(cat "$kdir/include/config/kernel.release")
	moddir=
	# KUNIT_DEFAULT_ENABLED (6.2+) is off in a minimal config.
	append="kunit.enable=1 $append"
	;;
esac

# Build the modules in a private copy so the work tree stays clean and
# neither builds against different kernels nor concurrent runs mix.
logdir=$SHADOWMAP_CACHE/run/$kernel
mkdir -p "$logdir"
work=$(mktemp -d "$logdir.XXXXXX")
qpid=
# However the script ends, no guest is left running and no work dir behind.
trap '[ -z "$qpid" ] || kill "$qpid" 2>/dev/null; rm -rf "$work"' EXIT
mkdir -p "$work/mod"
rsync -a --delete --exclude='*.o' --exclude='*.ko' --exclude='.*.cmd' \
	"$SHADOWMAP_TOP/Kbuild" "$SHADOWMAP_TOP/Makefile" "$SHADOWMAP_TOP/src" \
	"$SHADOWMAP_TOP/debugfs" "$SHADOWMAP_TOP/kunit" "$work/mod/"
make -C "$work/mod" KDIR="$kdir" ARCH=arm64 CROSS_COMPILE="$CROSS_COMPILE" \
	>"$work/modbuild.log" 2>&1 ||
	{ tail -20 "$work/modbuild.log" >&2; die "module build against $kernel failed"; }
cp "$work/modbuild.log" "$logdir/modbuild.log"
if grep -q 'warning:' "$work/modbuild.log"; then
	grep 'warning:' "$work/modbuild.log" >&2
	die "module build against $kernel has warnings"
fi

# The initramfs: busybox, the modules, the guest script.
ird=$work/initramfs
mkdir -p "$ird/bin" "$ird/shadowmap" "$ird/proc" "$ird/sys" "$ird/dev" "$ird/tmp"
cp "$busybox" "$ird/bin/busybox"
cp "$SHADOWMAP_TOP/scripts/guest/init" "$ird/init"
cp "$SHADOWMAP_TOP/scripts/shadowmap" "$ird/bin/shadowmap"
cp "$SHADOWMAP_TOP/scripts/guest/"*.sh "$ird/shadowmap/"
chmod +x "$ird/init"
cp "$work/mod/shadowmap.ko" "$ird/shadowmap/"
[ -f "$work/mod/shadowmap_kunit.ko" ] && cp "$work/mod/shadowmap_kunit.ko" "$ird/shadowmap/"
# Debian builds the virtio PCI transport (6.1) and virtio-mem as modules;
# they are loaded in this order.  Those built in are simply not found.
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
SM_GROW='$grow'
ENV
(cd "$ird" && find . | cpio -o -H newc --quiet | gzip -1) >"$work/initramfs.cpio.gz"

# The console goes to the private work dir first, so that concurrent runs
# never read each other's; it is kept under a stable name afterwards.
[ -n "$logfile" ] || logfile=$logdir/console-${tag:-$mode}.log
console=$work/console.log
qmp=$work/qmp.sock
rm -f "$qmp"
memopt="-m $mem"
if [ -n "$grow" ]; then
	memopt="-m $mem,maxmem=16G -object memory-backend-ram,id=vmem0,size=8G"
	memopt="$memopt -device virtio-mem-pci,id=vm0,memdev=vmem0,requested-size=0"
fi
cmdline="console=ttyAMA0 rdinit=/init panic=-1 memhp_default_state=online $append"

log "booting $kernel ($kver), mode $mode"
# shellcheck disable=SC2086
qemu-system-aarch64 -M virt -cpu max -smp 2 $memopt -nographic -no-reboot -nic none \
	-kernel "$image" -initrd "$work/initramfs.cpio.gz" -append "$cmdline" \
	-qmp "unix:$qmp,server=on,wait=off" </dev/null >"$console" 2>&1 &
qpid=$!

grown=
shrunk=
start=$(date +%s)
while kill -0 "$qpid" 2>/dev/null; do
	if grep -q '^SM: DONE' "$console" 2>/dev/null; then
		# Let the guest power off by itself.
		for _ in 1 2 3 4 5 6 7 8 9 10; do
			kill -0 "$qpid" 2>/dev/null || break
			sleep 1
		done
		break
	fi
	if [ -n "$grow" ] && [ -z "$grown" ] && grep -q '^SM: GROW' "$console"; then
		python3 "$SHADOWMAP_TOP/scripts/qmp-grow.py" "$qmp" "$grow" >&2 ||
			die "QMP grow of virtio-mem failed"
		grown=1
	fi
	if [ -n "$grown" ] && [ -z "$shrunk" ] && grep -q '^SM: SHRINK' "$console"; then
		python3 "$SHADOWMAP_TOP/scripts/qmp-grow.py" "$qmp" --to 0 >&2 ||
			die "QMP unplug of virtio-mem failed"
		shrunk=1
	fi
	if [ $(($(date +%s) - start)) -ge "$timeout" ]; then
		break
	fi
	sleep 1
done
kill "$qpid" 2>/dev/null || true
wait "$qpid" 2>/dev/null || true
qpid=
status=timeout
grep -q '^SM: DONE' "$console" && status=done

tr -d '\r' <"$console" >"$logfile.$$"
mv "$logfile.$$" "$logfile"
sh "$SHADOWMAP_TOP/scripts/parse-console.sh" "$logfile" "$kernel" "$status" "$kdir"

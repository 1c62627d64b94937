#!/bin/sh
# make check: every test shadowmap has, on a fresh Debian 12 machine.
# Installs what it needs (as root), caches kernels outside the repo, prints
# the time of each stage and ends with "N passed, N failed".
#
# Usage: check.sh [--quick|--full]
#   --quick  skips our own kernels (KUnit, debug) and the in-tree kunit.py
#   --full   adds the long proofs: a 12 GiB guest (at-size), the soak, and
#            the Secure Boot kernel (make check-full)
set -u
. "$(dirname "$0")/lib.sh"

quick= full=
case "${1:-}" in
--quick) quick=1 ;;
--full) full=1 ;;
"") ;;
*) die "usage: check.sh [--quick|--full]" ;;
esac

need_host_tools
passed=0
failed=0
failures=
results=$(mktemp -d)
trap 'rm -rf "$results"' EXIT

# stage NAME CMD...: run one stage; its own "guest: N passed, N failed" or
# "checks: ..." line adds its counts, otherwise it counts as one test.
stage() {
	name=$1
	shift
	t0=$(date +%s)
	log "stage $name: start"
	"$@" >"$results/$name.out" 2>&1
	rc=$?
	t1=$(date +%s)
	sed 's/^/  /' "$results/$name.out" | grep -vE '^  \[[0-9:]+\] (refreshing|booting|building|downloading|extracting)' || true
	counts=$(sed -n 's/^\(guest\|host\): \([0-9]*\) passed, \([0-9]*\) failed$/\2 \3/p' \
		"$results/$name.out" | tail -n 1)
	if [ -n "$counts" ]; then
		p=${counts% *}
		f=${counts#* }
	elif [ "$rc" -eq 0 ]; then
		p=1 f=0
	else
		p=0 f=1
	fi
	# A stage that failed without saying which test did still fails.
	[ "$rc" -ne 0 ] && [ "$f" -eq 0 ] && f=1
	passed=$((passed + p))
	failed=$((failed + f))
	if [ "$rc" -eq 0 ]; then
		log "stage $name: ok ($p passed) in $((t1 - t0)) s"
	else
		log "stage $name: FAILED ($f failed) in $((t1 - t0)) s"
		failures="$failures $name"
	fi
}

T0=$(date +%s)
stage host-tests sh "$SHADOWMAP_TOP/scripts/host-tests.sh"
stage checkpatch sh "$SHADOWMAP_TOP/scripts/checkpatch.sh"
stage dkms-6.1 sh "$SHADOWMAP_TOP/scripts/dkms-check.sh" debian-6.1
stage dkms-6.12 sh "$SHADOWMAP_TOP/scripts/dkms-check.sh" debian-6.12
stage module-deps sh "$SHADOWMAP_TOP/scripts/module-deps.sh"
# Every selftest on every Debian kernel of scripts/kernels.
for k in $(kernel_names debian); do
	stage "$k" sh "$SHADOWMAP_TOP/scripts/guest-run.sh" --kernel "$k" --mode check
done
# Stress: the long selftests, on one kernel (the soak with --full).
stage stress-6.12 sh "$SHADOWMAP_TOP/scripts/guest-run.sh" --kernel debian-6.12 \
	--mode check --args "fuzz concurrency${full:+ soak}" --tag stress --timeout 1800
# At size: a 12 GiB guest; atsize sets the lockup detectors to their
# shortest for its runs.
[ -z "$full" ] ||
	stage at-size-6.12 sh "$SHADOWMAP_TOP/scripts/guest-run.sh" --kernel debian-6.12 \
		--mem 12G --mode check --args "atsize" --tag atsize --timeout 1500
# Hot-plug: live events, hot-remove under a kept shadow, and on 6.12 (both
# kernels with --full) hotplug-stress: hundreds of offlines, hot-adds and
# hot-removes during runs.
stage hotplug-6.1 sh "$SHADOWMAP_TOP/scripts/guest-run.sh" --kernel debian-6.1 \
	--mem 1G --grow 2G --mode hotplug --timeout 1500 \
	--args "hotplug-live ${full:+hotplug-stress }hotplug-remove"
stage hotplug-6.12 sh "$SHADOWMAP_TOP/scripts/guest-run.sh" --kernel debian-6.12 \
	--mem 1G --grow 2G --mode hotplug --timeout 1500 \
	--args "hotplug-live hotplug-stress hotplug-remove"
# The debug kernel (configs/debug.config), with memory to hot-add: the
# selftests of the control file, calibration, safety, a failure at every
# allocation, the load-time parameters, the module's files and the CLI,
# then KUnit; any KASAN, lockdep, kmemleak, hung-task, lockup, stall or
# WARN report fails the stage.  The 1 GiB walker runs and the stress tests
# stay on Debian's kernels.
debug_tests="control calibrate safety failnth params module cli repaint"
if [ -z "$quick" ]; then
	for k in $(kernel_names debug); do
		stage "$k" sh "$SHADOWMAP_TOP/scripts/guest-run.sh" --kernel "$k" \
			--mem 2G --grow 512M --mode check --args "$debug_tests" \
			--timeout 2400
		stage "$k-kunit" sh "$SHADOWMAP_TOP/scripts/guest-run.sh" --kernel "$k" \
			--mode kunit --tag kunit --timeout 1200
	done
	# 64K pages, which no Debian kernel has: our own 6.12 build runs every
	# selftest, and the hot-plug ones (virtio-mem adds 512 MiB blocks
	# there); its KUnit stage is in the loop below.
	stage kunit-6.12-64k-selftests sh "$SHADOWMAP_TOP/scripts/guest-run.sh" \
		--kernel kunit-6.12-64k --mem 4G --mode check --tag selftests
	stage kunit-6.12-64k-hotplug sh "$SHADOWMAP_TOP/scripts/guest-run.sh" \
		--kernel kunit-6.12-64k --mem 1G --grow 1G --mode hotplug \
		--timeout 1500 --args "hotplug-live hotplug-remove" --tag hotplug
	# Secure Boot: signed module, MODULE_SIG_FORCE, lockdown=integrity.
	[ -z "$full" ] || for k in $(kernel_names secure); do
		stage "$k" sh "$SHADOWMAP_TOP/scripts/guest-run.sh" --kernel "$k" \
			--mode check --args "secureboot params module"
	done
	# KUnit on our kernels: 6.1, 6.12 with 16K and 64K pages (6.12 with 4K
	# pages and 5 levels is the debug kernel's KUnit stage above; the
	# plain build of it only with --full, one kernel build less).
	for k in $(kernel_names kunit); do
		[ -n "$full" ] || [ "$k" != kunit-6.12 ] || continue
		stage "$k" sh "$SHADOWMAP_TOP/scripts/guest-run.sh" --kernel "$k" --mode kunit
	done
	stage kunit-intree sh "$SHADOWMAP_TOP/scripts/kunit-intree.sh"
fi

log "all stages took $(($(date +%s) - T0)) s"
[ -z "$failures" ] || echo "failed stages:$failures"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]

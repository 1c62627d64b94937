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

jobs=${CHECK_JOBS:-2}
case "$jobs" in
''|0|*[!0-9]*) die "CHECK_JOBS wants a number of stages at a time, got '$jobs'" ;;
esac
t_setup=$(date +%s)
need_host_tools
# Everything the stages install or unpack comes first, one at a time:
# the stages then run two at a time (CHECK_JOBS) without racing for apt.
need_pkgs $(for s in $(kernel_series); do echo "linux-source-$s"; done)
for s in $(kernel_series); do
	sh "$SHADOWMAP_TOP/scripts/kernel-source.sh" "$s" >/dev/null || die "kernel-source.sh $s failed"
done
for k in $(kernel_names debian); do
	sh "$SHADOWMAP_TOP/scripts/debian-kernels.sh" "$k" >/dev/null || die "debian-kernels.sh $k failed"
done
# The in-tree kunit.py builds the newest Debian kernel's linux-source
# (7.3 from trixie-backports today; issue 19).
# ABI suite name, the oldest first: the CLI's tests run on the oldest and
# the newest 4K kernel (below).
by_age=$(for k in $(kernel_names debian); do
	kernel "$k"
	echo "$(kernel_abi "$k") $k_suite $k $k_page"
done | sort -V)
newest=$(echo "$by_age" | tail -n 1)
intree_series=$(echo "${newest%% *}" | sed 's/^\([0-9]*\.[0-9]*\).*/\1/')
intree_suite=$(echo "$newest" | cut -d ' ' -f 2)
cli_kernels=$(echo "$by_age" | awk '$4 == 4096 {
	if (first == "") first = $3
	if ($1 != abi) { newest = $3; abi = $1 } } END { print first, newest }')
sh "$SHADOWMAP_TOP/scripts/kernel-source.sh" "$intree_series" "$intree_suite" >/dev/null ||
	die "kernel-source.sh $intree_series $intree_suite failed"
# The private package lists stay as they are now, so that no stage
# refreshes them under another (debian-kernels.sh).
SHADOWMAP_APT_FROZEN=1
export SHADOWMAP_APT_FROZEN
t_setup=$(($(date +%s) - t_setup))
results=$(mktemp -d)
running=
# However check.sh ends, no stage is left running: each runs in a session
# of its own (setsid), which is killed whole, guests and builds with it.
trap 'for f in "$results"/*.pid; do [ ! -f "$f" ] || kill -s TERM -- "-$(cat "$f")" 2>/dev/null; done
      wait; rm -rf "$results"' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM HUP

# run_stage NAME CMD...: one stage, in the background.  Its own "guest: N
# passed, N failed" (or "host: ...") line gives its counts, otherwise it
# counts as one test.  Leaves its report in NAME.report, its line for the
# time table (name, seconds, of which set-up, passed, failed, verdict) in
# NAME.time, and then NAME.done.
run_stage() {
	name=$1
	shift
	t0=$(date +%s)
	setsid "$@" >"$results/$name.out" 2>&1 </dev/null &
	echo $! >"$results/$name.pid"
	wait $!
	rc=$?
	rm -f "$results/$name.pid"
	t1=$(date +%s)
	{
		sed 's/^/  /' "$results/$name.out" |
			grep -vE '^  \[[0-9:]+\] (refreshing|booting|building|downloading|extracting|setup|modules)' || true
	} >"$results/$name.report"
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
	# "setup: N s" lines (guest-run.sh, kunit-intree.sh): the part of the
	# stage that a warm cache skips.
	su=$(sed -n 's/^\(\[[0-9:]*\] \)\{0,1\}setup: \([0-9]*\) s$/\2/p' "$results/$name.out" |
		awk '{ s += $1 } END { print s + 0 }')
	if [ "$rc" -eq 0 ] && [ "$f" -eq 0 ]; then
		v=ok
		msg="ok ($p passed) in $((t1 - t0)) s"
	else
		v=FAILED
		msg="FAILED ($f failed) in $((t1 - t0)) s"
	fi
	echo "$name $((t1 - t0)) $su $p $f $v" >"$results/$name.time"
	echo "$msg" >"$results/$name.verdict"
	: >"$results/$name.done"
}

# reap: print the report of each stage that ended, in the order they end.
reap() {
	still=
	for j in $running; do
		n=${j#*:}
		if [ -f "$results/$n.done" ]; then
			wait "${j%%:*}" 2>/dev/null
			cat "$results/$n.report"
			log "stage $n: $(cat "$results/$n.verdict")"
		else
			still="$still $j"
		fi
	done
	running=$still
}

# wait_below N: reap until fewer than N stages run.
wait_below() {
	# shellcheck disable=SC2086
	while [ "$(echo $running | wc -w)" -ge "$1" ]; do
		sleep 1
		reap
	done
}

# stage NAME CMD...: start one stage as soon as fewer than $jobs run.  The
# longest stages come first, so that the two lanes end together.
stage() {
	wait_below "$jobs"
	log "stage $1: start"
	echo "$1" >>"$results/.order"
	run_stage "$@" &
	running="$running $!:$1"
}

T0=$(date +%s)
# The longest stages first, and those that build a kernel before them, so
# that the two lanes end together, warm or cold (docs/rig.md).
#
# The debug kernel (configs/debug.config), with memory to hot-add: the
# selftests of the control file, calibration, safety, a failure at every
# allocation, the load-time parameters, the module's files, then KUnit, in
# one boot; any KASAN, lockdep, kmemleak, hung-task, lockup, stall or WARN
# report fails the stage.  The 1 GiB walker runs, the CLI (with --full:
# here too) and the stress tests stay on Debian's kernels.
# failnth tries every preset over vmalloc and two over the other regions
# (the whole matrix with --full).  KUnit leaves the count walk's matrices
# (marked slow, 100 s under KASAN) to the other kernels' KUnit; --full runs
# them here too.
debug_tests="control calibrate safety failnth params module repaint${full:+ cli} kunit"
failnth_env=
[ -n "$full" ] || failnth_env="--env SM_FAILNTH_CROSS=v6.1,bbml2"
kunit_filter="kunit.filter=speed>slow kunit.filter_action=skip"
[ -z "$full" ] || kunit_filter=
if [ -z "$quick" ]; then
	for k in $(kernel_names debug); do
		# shellcheck disable=SC2086
		stage "$k" sh "$SHADOWMAP_TOP/scripts/guest-run.sh" --kernel "$k" \
			--mem 2G --grow 512M --mode check --args "$debug_tests" \
			--timeout 2400 $failnth_env \
			${kunit_filter:+--append "$kunit_filter"}
	done
	# 64K pages, which no Debian kernel has: our own 6.12 build runs every
	# selftest, the hot-plug ones (virtio-mem adds 512 MiB blocks there)
	# and KUnit, in one boot.
	tests=--except=cli,report
	[ -z "$full" ] || tests=
	stage kunit-6.12-64k sh "$SHADOWMAP_TOP/scripts/guest-run.sh" \
		--kernel kunit-6.12-64k --mem 4G --grow 1G --mode check \
		${tests:+--args "$tests"}
	# KUnit on our other kernels: 6.1 (6.12 with 4K pages and 5 levels is
	# the debug kernel's, and with 16K pages the in-tree kunit.py's; our
	# builds of those only with --full, two kernel builds less).
	for k in $(kernel_names kunit); do
		case "$k" in
		kunit-6.12-64k) continue ;;
		kunit-6.12|kunit-6.12-16k) [ -n "$full" ] || continue ;;
		esac
		stage "$k" sh "$SHADOWMAP_TOP/scripts/guest-run.sh" --kernel "$k" --mode kunit
	done
	# kunit.py in the newest Debian kernel's tree, with 16K pages.
	stage kunit-intree sh "$SHADOWMAP_TOP/scripts/kunit-intree.sh" --page 16K \
		"$intree_series" "$intree_suite"
fi
# Hot-plug: live events, hot-remove under a kept shadow, and on 6.12 (both
# kernels with --full) hotplug-stress: offlines, hot-adds and hot-removes
# during runs, 15 of each here and 100 with --full.
stress_env=
[ -n "$full" ] || stress_env="--env SM_HP_STRESS_ITERS=15 --env SM_HP_STRESS_CYCLES=15"
# shellcheck disable=SC2086
stage hotplug-6.12 sh "$SHADOWMAP_TOP/scripts/guest-run.sh" --kernel debian-6.12 \
	--mem 1G --grow 2G --mode hotplug --timeout 1500 $stress_env \
	--args "hotplug-live hotplug-stress hotplug-remove"
# Every selftest on every Debian kernel of scripts/kernels.  A row that
# boots a package another row runs in full (debian-6.12-4level: the same
# kernel with arm64.nolva) runs the selftests whose results depend on the
# page-table levels; with --full, all of them.  The CLI's tests (`cli`
# and `report`: a POSIX sh front to the same files) run on the oldest and
# the newest 4K kernel; on the others with --full.  The newer suites' 4K
# kernels (trixie's 6.12, trixie-backports' newest) hot-add in the same
# boot: hotplug-live runs there with memory to add (issue 19), and on 7.x
# again with rodata=noalias and KFENCE sampling, where the kernel maps
# hot-added memory with blocks (debian13-bpo-7-block).
level_tests="walker control repaint predict module safety"
booted=
for k in $(kernel_names debian); do
	kernel "$k"
	except= grow=
	case " $cli_kernels " in
	*" $k "*) ;;
	*) except=cli,report ;;
	esac
	case "$k_suite/$k_page" in
	trixie/4096|trixie-backports/4096)
		# the hot-add and its counts; hot-remove under a kept shadow
		# is the older kernels' stages' (here with --full)
		grow=2G except=${except:+$except,}hotplug-remove ;;
	esac
	[ -z "$full" ] || except=
	tests=${except:+--except=$except}
	case " $booted " in
	*" $k_suite/$k_series/$k_flavour "*) [ -n "$full" ] || tests=$level_tests ;;
	esac
	# 7.3's block path (force_pte_mapping() false): its hot-add, live
	case "$k_append" in
	*rodata=noalias*) grow=2G tests=hotplug-live ;;
	esac
	booted="$booted $k_suite/$k_series/$k_flavour"
	stage "$k" sh "$SHADOWMAP_TOP/scripts/guest-run.sh" --kernel "$k" --mode check \
		${grow:+--grow "$grow"} ${tests:+--args "$tests"}
done
# Stress: the long selftests, on one kernel (the soak with --full): the
# fuzz corpus's every class, a third of its items (all with --full).
fuzz_env="--env SM_FUZZ_EVERY=3"
[ -z "$full" ] || fuzz_env=
# shellcheck disable=SC2086
stage stress-6.12 sh "$SHADOWMAP_TOP/scripts/guest-run.sh" --kernel debian-6.12 \
	--mode check --args "fuzz concurrency${full:+ soak}" --tag stress --timeout 1800 \
	$fuzz_env
# At size: a 12 GiB guest; atsize sets the lockup detectors to their
# shortest for its runs.
[ -z "$full" ] ||
	stage at-size-6.12 sh "$SHADOWMAP_TOP/scripts/guest-run.sh" --kernel debian-6.12 \
		--mem 12G --mode check --args "atsize" --tag atsize --timeout 1500
if [ -z "$quick" ]; then
	# Secure Boot: signed module, MODULE_SIG_FORCE, lockdown=integrity.
	[ -z "$full" ] || for k in $(kernel_names secure); do
		stage "$k" sh "$SHADOWMAP_TOP/scripts/guest-run.sh" --kernel "$k" \
			--mode check --args "secureboot params module"
	done
fi
# shellcheck disable=SC2086
stage hotplug-6.1 sh "$SHADOWMAP_TOP/scripts/guest-run.sh" --kernel debian-6.1 \
	--mem 1G --grow 2G --mode hotplug --timeout 1500 $stress_env \
	--args "hotplug-live ${full:+hotplug-stress }hotplug-remove"
# The short ones last, to fill the lanes.
stage host-tests sh "$SHADOWMAP_TOP/scripts/host-tests.sh"
stage checkpatch sh "$SHADOWMAP_TOP/scripts/checkpatch.sh"
# The real "dkms build" (W=1, no warning) against each Debian package is
# the first thing its stages do (guest-run.sh, scripts/dkms-check.sh): the
# module they boot is the one dkms built.
stage module-deps sh "$SHADOWMAP_TOP/scripts/module-deps.sh"

wait_below 1
wall=$(($(date +%s) - T0))
log "all stages took $wall s"
while read -r n; do cat "$results/$n.time"; done <"$results/.order" >"$results/.times"
passed=$(awk '{ s += $4 } END { print s + 0 }' "$results/.times")
failed=$(awk '{ s += $5 } END { print s + 0 }' "$results/.times")
failures=$(awk '$6 != "ok" { printf " %s", $1 }' "$results/.times")
# The time table: set-up is what an empty cache adds (downloads, kernel and
# module builds); "warm s" is the stage less it.  The stages ran $jobs at a
# time, so they add up to more than the wall time.
awk -v inst="$t_setup" -v wall="$wall" -v jobs="$jobs" '
	BEGIN { printf "\n%-28s %8s %8s %8s %7s %7s  %s\n", "stage", "s", "setup s", "warm s", "passed", "failed", "result" }
	{ printf "%-28s %8d %8d %8d %7d %7d  %s\n", $1, $2, $3, $2 - $3, $4, $5, $6
	  t += $2; su += $3 }
	END {
		printf "%-28s %8d %8d %8d\n", "stages, summed", t, su, t - su
		printf "make check: %d s (%.1f min): %d s of host packages, sources and Debian kernels first, then %d s of stages, %d at a time\n\n",
			inst + wall, (inst + wall) / 60, inst, wall, jobs
	}' "$results/.times"
[ -z "$failures" ] || echo "failed stages:$failures"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]

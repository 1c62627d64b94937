#!/bin/sh
# shadowmap's guest-side tests: runs inside the QEMU guest under busybox.
# Usage: test.sh check|lab|bench|kunit|idle [args]
# Prints "SM: PASS name", "SM: FAIL name: why", and mode-specific lines; the
# host (scripts/parse-console.sh) reads them.
SM_DIR=/sys/kernel/debug/shadowmap
KO=/shadowmap

pass() { echo "SM: PASS $1"; }
fail() { echo "SM: FAIL $1: $2"; }
# check NAME CMD...: pass when CMD succeeds.
check() {
	name=$1
	shift
	if out=$("$@" 2>&1); then
		pass "$name"
	else
		fail "$name" "$(echo "$out" | tail -n 1)"
	fi
}

# ctl_expect_errno NAME ERRTEXT COMMAND: a control write must fail so.
ctl_expect_errno() {
	if echo "$3" >"$SM_DIR/control" 2>/tmp/ctl.err; then
		fail "$1" "'$3' was accepted"
	elif grep -q "$2" /tmp/ctl.err; then
		pass "$1"
	else
		fail "$1" "'$3': $(cat /tmp/ctl.err)"
	fi
}

load() {
	insmod "$KO/shadowmap.ko" "$@"
}

unload() {
	rmmod shadowmap
}

mode_of() {
	stat -c %a "$1" 2>/dev/null
}

# expect_mode FILE MODE: a file of $SM_DIR has that mode.
expect_mode() {
	m=$(mode_of "$SM_DIR/$1")
	[ "$m" = "$2" ] && pass "mode_$1_$2" || fail "mode_$1_$2" "mode is $m"
}

test_skeleton() {
	for bad in "walker=v5.0" "repeat=0" "size=12345" "region=disk" \
		   "axes=remap=fast"; do
		if load "$bad" 2>/dev/null; then
			fail "param_rejects_$bad" "module loaded"
			unload
		else
			pass "param_rejects_$bad"
		fi
	done
	check module_loads load
	[ -d "$SM_DIR" ] && pass debugfs_dir || fail debugfs_dir "no $SM_DIR"
	expect_mode version 444
	grep -q '^shadowmap [0-9]' "$SM_DIR/version" && pass version_content ||
		fail version_content "$(head -n 1 "$SM_DIR/version")"
	check module_unloads unload
	[ ! -d "$SM_DIR" ] && pass debugfs_removed || fail debugfs_removed "still there"
}

run_kunit() {
	check kunit_load_shadowmap load
	check kunit_load_tests insmod "$KO/shadowmap_kunit.ko"
	found=
	for d in /sys/kernel/debug/kunit/shadowmap*; do
		[ -f "$d/results" ] || continue
		found=1
		echo "SM: KUNIT-BEGIN ${d##*/}"
		cat "$d/results"
		echo "SM: KUNIT-END ${d##*/}"
	done
	[ -n "$found" ] && pass kunit_suites_found || fail kunit_suites_found "no suites in debugfs"
	rmmod shadowmap_kunit
	check kunit_unload unload
}

memtotal_kib() {
	sed -n 's/^MemTotal: *\([0-9]*\) kB/\1/p' /proc/meminfo
}

# Ask the host to grow virtio-mem by $SM_GROW and wait until the kernel has
# onlined all of it.
grow_memory() {
	case "$SM_GROW" in
	*G) want=$((${SM_GROW%G} * 1024 * 1024)) ;;
	*M) want=$((${SM_GROW%M} * 1024)) ;;
	*) fail hotplug_grow "bad size '$SM_GROW'"; return ;;
	esac
	before=$(memtotal_kib)
	echo "SM: GROW $SM_GROW"
	i=0
	while [ $(($(memtotal_kib) - before)) -lt "$want" ] && [ $i -lt 300 ]; do
		sleep 1
		i=$((i + 1))
	done
	got=$(($(memtotal_kib) - before))
	if [ "$got" -ge "$want" ]; then
		pass hotplug_grow
	else
		fail hotplug_grow "MemTotal grew by $got KiB of $want in ${i}s"
	fi
	echo "SM: INFO hot-added $got KiB in ${i}s"
}

# run_walker TAG COMMAND: one control command; its "last" goes to the console
# as "SM: LAST TAG key: value" lines for the host's table.
run_walker() {
	if echo "$2" >"$SM_DIR/control" 2>/tmp/ctl.err; then
		report_run "$1"
	else
		report_refused "$1" "$2"
	fi
}

# expect_last_error NAME PATTERN: last_error matches the grep PATTERN.
expect_last_error() {
	grep -q "^last_error: $2" "$SM_DIR/last" && pass "$1" ||
		fail "$1" "$(grep '^last_error' "$SM_DIR/last")"
}

# report_refused TAG COMMAND: the control write of COMMAND failed.
report_refused() {
	fail "run_$1" "'$2': $(cat /tmp/ctl.err); $(grep '^last_error' "$SM_DIR/last")"
}

# report_run TAG: judge and print the "last" of a run that was accepted.
report_run() {
	sed "s/^/SM: LAST $1 /" "$SM_DIR/last"
	if grep -q '^status: pass' "$SM_DIR/last"; then
		pass "run_$1"
	else
		fail "run_$1" "$(grep -E '^(status|verify_first_mismatch|last_error)' "$SM_DIR/last" | tr '\n' ' ')"
	fi
}

# The default experiment: every preset over one vmalloc region.
# Options: region=R size=S repeat=N walkers=a,b,c
run_lab() {
	region=vmalloc size=1G repeat=3 walkers=v6.1,v6.1-late,v6.10,lazy,direct,bbml2
	for a in "$@"; do
		case "$a" in
		region=*) region=${a#region=} ;;
		size=*) size=${a#size=} ;;
		repeat=*) repeat=${a#repeat=} ;;
		walkers=*) walkers=${a#walkers=} ;;
		*) fail lab_args "unknown lab option '$a'"; return ;;
		esac
	done
	check module_loads load
	for w in $(echo "$walkers" | tr ',' ' '); do
		run_walker "$w" "run region=$region size=$size walker=$w repeat=$repeat"
	done
	check module_unloads unload
}

mode=${1:-check}
[ $# -gt 0 ] && shift
case "$mode" in
check)
	test_skeleton
	for t in /shadowmap/check-*.sh; do
		[ -f "$t" ] && . "$t"
	done
	;;
kunit)
	run_kunit
	;;
lab|bench)
	run_lab "$@"
	;;
hotplug)
	check module_loads load
	grow_memory
	for t in /shadowmap/hotplug-*.sh; do
		[ -f "$t" ] && . "$t"
	done
	check module_unloads unload
	;;
idle)
	;;
*)
	fail guest_mode "unknown mode $mode"
	;;
esac
# The host requires this line: without it the script died half-way.
echo "SM: END-OF-TESTS $mode"

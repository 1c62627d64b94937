#!/bin/sh
# The control file: bad input gets a clear errno and a reason in last_error,
# a second writer gets EBUSY, free and reset do what they say; history,
# ptdump and no kernel addresses in the 0444 files.
# Precondition: none (a loaded shadowmap is unloaded first).  Not under
# lockdown: control refuses writes there.
. "$(dirname "$0")/ktap.sh"
sm_require
sm_load_or_bail
sm_require_control

ktap_plan 32
ok module_loads

ctl_expect_errno ctl_bad_preset "Invalid argument" "run walker=v5.0"
expect_last_error ctl_bad_preset_reason '.*v5.0'
ctl_expect_errno ctl_bad_command "Invalid argument" "frobnicate"
ctl_expect_errno ctl_bad_size "Invalid argument" "run size=0"
ctl_expect_errno ctl_bad_size_unaligned "Invalid argument" "run size=4097"
ctl_expect_errno ctl_bad_axis "Invalid argument" "run remap=sideways"
ctl_expect_errno ctl_bad_repeat "Invalid argument" "run repeat=100000"
ctl_expect_errno ctl_bad_word "Invalid argument" "run size"
ctl_expect_errno ctl_too_long "Invalid argument" "run $(printf '%01100d' 0)"
expect_last_error ctl_too_long_reason 'command of [0-9]* bytes'
# A NUL byte would hide what follows it: refused, not truncated.
# (busybox's printf says nothing when its write fails: judge by last.)
if printf 'run size=4M\000size=0' >"$SM_DIR/control" 2>/dev/null; then
	not_ok ctl_nul_byte "'run size=4M<NUL>size=0' was accepted"
else
	ok ctl_nul_byte
fi
expect_last ctl_nul_byte_errno last_errno -22
expect_last_error ctl_nul_byte_reason 'command holds a NUL byte'
ctl_expect_errno ctl_verify_without_shadow "No such file" "verify"
ctl_expect_errno ctl_hotplug_without_ranges "No such file" "run region=hotplug"
expect_last_error ctl_hotplug_without_ranges_reason \
	'region=hotplug: no memory came online'

# A few runs: one history line each, a kept shadow for ptdump.
for w in v6.1 v6.10 direct; do
	run_walker "ctl_$w" "run size=4M walker=$w"
done
n=$(wc -l <"$SM_DIR/history")
expect history_lines "$n lines after 3 runs" [ "$n" -ge 3 ]
expect ptdump_format "$(head -n 2 "$SM_DIR/ptdump" | tr '\n' '|')" \
	grep -qE '^0x[0-9a-f]{16}-0x[0-9a-f]{16} +[0-9]+[KMGT] +' "$SM_DIR/ptdump"
addr=$(grep -iE 'ffff[0-9a-f]{12}' "$SM_DIR/last" "$SM_DIR/history" | head -n 1)
expect no_kernel_addresses "$addr" [ -z "$addr" ]
# A run that fails frees the kept shadow: last must not still say pass.
ctl_expect_errno ctl_failed_run "Cannot allocate memory" \
	"run size=$((($(memtotal_kib) - 32768) / 4096 * 4))M"
status=$(sm_last status)
expect ctl_failed_run_not_pass "status: $status after a failed run" [ "$status" != pass ]

# A second writer during a run gets EBUSY.  It writes as soon as `last`
# says the first run is in progress; a machine that finished the run by
# then is given a ten times longer one.  (A fixed 20 repeats kept the
# debug kernel waiting 40 s for the first writer.)
repeat=1
while :; do
	echo "run size=64M walker=v6.1 repeat=$repeat" >"$SM_DIR/control" 2>/dev/null &
	bg=$!
	sm_wait_running 10 "$bg"
	if ! echo free >"$SM_DIR/control" 2>"$ktap_tmp/busy.err"; then
		expect ctl_second_writer_ebusy "$(cat "$ktap_tmp/busy.err")" grep -q busy "$ktap_tmp/busy.err"
		break
	fi
	if kill -0 "$bg" 2>/dev/null || [ "$repeat" -ge 1000 ]; then
		not_ok ctl_second_writer_ebusy "a second writer was let in (repeat=$repeat)"
		break
	fi
	wait "$bg" || true
	repeat=$((repeat * 10 > 1000 ? 1000 : repeat * 10))
done
expect ctl_first_writer_finishes "run failed" wait "$bg"

check ctl_free sh -c "echo free >$SM_DIR/control"
expect_last ctl_free_kept_no kept no
check ctl_reset sh -c "echo reset >$SM_DIR/control"
expect reset_clears_history "history kept" [ ! -s "$SM_DIR/history" ]
unload_result
ktap_finished

#!/bin/sh
# Calibration: `calibrate` fills `costs` with every cost, each with
# min <= median <= max and a non-zero median; it takes the module as a run
# does (EBUSY either way), `cancel` and a fatal signal stop it and leave the
# costs as they were, readers of `costs` never wait behind it, and the
# calibrate=1 parameter calibrates at load.  The costs go out as
# "# SM: COSTS" lines.
# Precondition: none (a loaded shadowmap is unloaded first).  Not under
# lockdown: control refuses writes there (params.sh's route is the load
# parameter, tested here too).
. "$(dirname "$0")/ktap.sh"
sm_require
sm_load_or_bail
sm_require_control

# Every cost the module publishes, in its order.
names="remap_pair remap_map lazy_flush tlbi flush sync desc
entry_entry_kernel entry_entry_none entry_table_kernel entry_table_none
entry_entry_kernel_cold entry_entry_none_cold entry_table_kernel_cold
entry_table_none_cold entry_stepped entry_stepped_cold
entry_table_none_listed entry_stepped_listed clear_page
clear_page_cold fill_page table_alloc table_alloc_zero
build_fixed table_rest_cont table_rest_table table_rest_lazy table_rest_none
block_rest"

# costs_ok SAMPLES: every name once, in order, min <= median <= max, a
# non-zero median, SAMPLES samples; says what is wrong.  The costs that are
# differences may be 0: what builds took beyond the model (build_fixed,
# table_rest_*, block_rest), and tlbi, a 16-page flush less a one-page
# one, which cost the same under TCG at 16K pages (median 0 of 5).
costs_ok() {
	got=$(grep -v '^#' "$SM_DIR/costs" | cut -d ' ' -f 1 | tr '\n' ' ')
	want=$(echo "$names" | tr '\n' ' ')
	[ "$got" = "$want" ] || { echo "names '$got', want '$want'"; return 1; }
	grep -v '^#' "$SM_DIR/costs" | awk -v n="$1" '
		{ for (i = 2; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] } }
		!(v["min_ps"] + 0 <= v["median_ps"] + 0 &&
		  v["median_ps"] + 0 <= v["max_ps"] + 0 &&
		  (v["median_ps"] > 0 || $1 ~ /^(table_rest_|build_fixed|block_rest|tlbi$)/) &&
		  v["samples"] == n && v["batch"] > 0) { print "bad: " $0; bad = 1 }
		END { exit bad }'
}

# costs_snapshot: the costs without the in-progress line.
costs_snapshot() {
	grep -v '^# calibrating now' "$SM_DIR/costs"
}

# start_bg COMMAND: COMMAND to control in the background (bg), and wait
# until `last` names it.
start_bg() {
	echo "$1" >"$SM_DIR/control" 2>"$ktap_tmp/bg.err" &
	bg=$!
	sm_wait_running 20 "$bg"
}

ktap_plan 29
ok module_loads

expect costs_not_yet "$(head -n 1 "$SM_DIR/costs")" \
	grep -q '^# costs in ps per operation; not yet calibrated' "$SM_DIR/costs"
n=$(grep -vc '^#' "$SM_DIR/costs")
expect costs_not_yet_no_lines "$n cost lines before any calibration" [ "$n" -eq 0 ]

ctl_expect_errno calibrate_bad_samples "Invalid argument" "calibrate samples=1"
expect_last_error calibrate_bad_samples_reason 'calibrate: samples=.1.: want 3..10000'
ctl_expect_errno calibrate_bad_word "Invalid argument" "calibrate now"
ctl_expect_errno calibrate_samples_twice "Invalid argument" \
	"calibrate samples=5 samples=6"

# (Not named "calibrate": kunit.py takes a result named as the test for the
# test's own.)
# Five samples: the default's 15 are the load-time route's, below (a
# calibration costs the debug kernel 20 s).
check calibrate_command sh -c "echo calibrate samples=5 >$SM_DIR/control"
expect_last calibrate_last_errno last_errno 0
sed 's/^/# SM: COSTS /' "$SM_DIR/costs"
ps=$(sed -n 's/^page_size: //p' "$SM_DIR/version")
expect costs_header "$(head -n 1 "$SM_DIR/costs")" \
	grep -q "^# costs in ps per operation; calibrated by calibrate, .*, page_size $ps, init_on_alloc [01]\$" "$SM_DIR/costs"
expect costs_every_name "$(costs_ok 5)" costs_ok 5

# A run holds the module: calibrate is refused with EBUSY, and says who.
start_bg "run size=64M walker=v6.1 repeat=$(sm_repeats 4000)"
ctl_expect_errno calibrate_during_run_ebusy "busy" "calibrate"
expect_last_error calibrate_during_run_names_holder 'busy: run region=vmalloc'
echo cancel >"$SM_DIR/control"
wait "$bg"

# A long calibration holds the module: a run is refused, readers of costs
# never wait and see it in progress, cancel stops it, the costs stay.
before=$(costs_snapshot)
start_bg "calibrate samples=10000"
r=$(sm_last running)
expect calibrate_running "running: $r" \
	[ "${r%% (pid *}" = "calibrate samples=10000" ]
ctl_expect_errno run_during_calibrate_ebusy "busy" "run size=4M"
expect_last_error run_during_calibrate_names_holder 'busy: calibrate samples=10000'
# Twenty reads, all done while the calibration still runs: none waited for
# it (its end).  Not timed: a cat takes a second on the debug kernel.
t0=$(date +%s) fails=0 i=0
while [ $i -lt 20 ]; do
	cat "$SM_DIR/costs" >"$ktap_tmp/costs" || fails=$((fails + 1))
	i=$((i + 1))
done
t=$(($(date +%s) - t0)) r=$(sm_last running)
still=no
[ "${r%% (pid *}" != "calibrate samples=10000" ] || still=yes
expect costs_reader_never_waits "20 reads took $t s, $fails failed; running after them: $r" \
	[ "$fails$still" = 0yes ]
expect costs_shows_calibrating "$(head -n 2 "$ktap_tmp/costs" | tr '\n' '|')" \
	grep -q '^# calibrating now (by calibrate)' "$ktap_tmp/costs"
check cancel_calibrate sh -c "echo cancel >$SM_DIR/control"
if wait "$bg"; then
	not_ok cancelled_calibrate_fails "the cancelled calibration succeeded"
else
	expect cancelled_calibrate_fails "$(cat "$ktap_tmp/bg.err")" \
		grep -qi 'cancel' "$ktap_tmp/bg.err"
fi
expect_last cancelled_calibrate_errno last_errno -125
expect cancelled_calibrate_keeps_costs "costs changed" \
	[ "$(costs_snapshot)" = "$before" ]

# A fatal signal stops it too.
start_bg "calibrate samples=10000"
kill -KILL "$bg" 2>/dev/null
wait "$bg" 2>/dev/null
sm_wait_idle 10
expect_last killed_calibrate_errno last_errno -4
expect killed_calibrate_keeps_costs "costs changed" \
	[ "$(costs_snapshot)" = "$before" ]
unload_result

# The load-time route (lockdown): calibrate=1.
if sm_load calibrate=1 2>"$ktap_tmp/load.err"; then
	ok module_loads_calibrate
	expect param_costs_header "$(head -n 1 "$SM_DIR/costs")" \
		grep -q '^# costs in ps per operation; calibrated at load' "$SM_DIR/costs"
	expect param_costs_every_name "$(costs_ok 15)" costs_ok 15
	unload_result
else
	not_ok module_loads_calibrate "$(cat "$ktap_tmp/load.err")"
	skip param_costs_header "not loaded"
	skip param_costs_every_name "not loaded"
	skip module_unloads "not loaded"
fi
ktap_finished

#!/bin/sh
# The lockdown route: module parameters run an experiment at load time;
# its results go to `last` and to dmesg.  calibrate=1 calibrates the costs
# first, into `costs`.  Works under lockdown too (with a
# signed module).
# Precondition: none (a loaded shadowmap is unloaded first).
. "$(dirname "$0")/ktap.sh"
sm_require
perf_lines() {
	dmesg | grep -c 'shadowmap: vmalloc v6\.1: build' || true
}
before=$(perf_lines)
sm_load_or_bail calibrate=1 run=1 region=vmalloc size=8M walker=v6.1 repeat=2
ktap_plan 8
ok module_loads
expect_last params_walker walker v6.1
report_run params
expect_last params_verify_percent_100 verify_percent 100
after=$(perf_lines)
expect params_run_dmesg "no new perf line in dmesg" [ "$after" -gt "$before" ]
expect params_calibrated "$(head -n 1 "$SM_DIR/costs")" \
	grep -q '^# costs in ps per operation; calibrated at load' "$SM_DIR/costs"
n=$(grep -c ' median_ps=[1-9]' "$SM_DIR/costs")
expect params_costs "$n costs with a non-zero median" [ "$n" -ge 19 ]
unload_result
ktap_finished

#!/bin/sh
# The lockdown route: module parameters run an experiment at load time;
# its results go to `last` and to dmesg.  Works under lockdown too (with a
# signed module).
# Precondition: none (a loaded shadowmap is unloaded first).
. "$(dirname "$0")/ktap.sh"
sm_require
perf_lines() {
	dmesg | grep -c 'shadowmap: vmalloc v6\.1: build' || true
}
before=$(perf_lines)
sm_load_or_bail run=1 region=vmalloc size=8M walker=v6.1 repeat=2
ktap_plan 6
ok module_loads
expect_last params_walker walker v6.1
report_run params
expect_last params_verify_percent_100 verify_percent 100
after=$(perf_lines)
expect params_run_dmesg "no new perf line in dmesg" [ "$after" -gt "$before" ]
unload_result
ktap_finished

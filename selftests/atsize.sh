#!/bin/sh
# At size: the runs a tired user starts on a big machine, with the lockup
# detectors at their shortest (watchdog_thresh=1 and a
# 3 s RCU stall timeout, set here for the runs): all of RAM with v6.1 and
# verify, vmalloc of half of RAM, contig asked for twice the RAM.  No lockup, stall, hung task or
# OOM kill may follow (the rig judges the console; on a server, dmesg).
# Precondition: at least 11 GiB of RAM; skips otherwise.
. "$(dirname "$0")/ktap.sh"
ram_kib=$(memtotal_kib)
[ "$ram_kib" -ge $((11 * 1024 * 1024)) ] ||
	ktap_skip_all "needs at least 11 GiB of RAM (has $((ram_kib / 1024)) MiB)"
sm_require
sm_load_or_bail
sm_require_control

ktap_plan 9
ok module_loads
# The lockup detectors at their shortest for the runs only: at boot the
# kernel's own W^X check walks all of the linear map without a break.
wd=/proc/sys/kernel/watchdog_thresh
rcu=/sys/module/rcupdate/parameters/rcu_cpu_stall_timeout
wd0=$(cat $wd 2>/dev/null) rcu0=$(cat $rcu 2>/dev/null)
echo 1 >$wd 2>/dev/null || echo "# cannot set $wd"
echo 3 >$rcu 2>/dev/null || echo "# cannot set $rcu"
echo "# watchdog_thresh=$(cat $wd 2>/dev/null) rcu_cpu_stall_timeout=$(cat $rcu 2>/dev/null)"
echo "# SM: ATSIZE ram_mib=$((ram_kib / 1024)) cpus=$(grep -c ^processor /proc/cpuinfo)"
run_walker atsize_ram_v6.1 "run region=ram walker=v6.1"
echo "# SM: ATSIZE ram size_mapped=$(sm_last size_mapped) build_ns=$(sm_last build_ns_median) verify_ns=$(sm_last verify_ns_median)"
check atsize_ram_verify sh -c "echo verify >$SM_DIR/control"
expect_last atsize_ram_verify_pass status pass
half=$((ram_kib / 2 / 4096 * 4))
run_walker atsize_vmalloc_half "run size=${half}M walker=v6.10"
echo "# SM: ATSIZE vmalloc size_mapped=$(sm_last size_mapped) build_ns=$(sm_last build_ns_median)"
run_walker atsize_contig_twice "run region=contig size=$((ram_kib * 2))K walker=v6.10"
echo "# SM: ATSIZE contig $(sm_last region_note)"
echo free >"$SM_DIR/control"
[ -z "$wd0" ] || echo "$wd0" >$wd
[ -z "$rcu0" ] || echo "$rcu0" >$rcu
oom=$(dmesg | grep -iE 'oom-kill|out of memory' | head -n 1)
expect atsize_no_oom "$oom" [ -z "$oom" ]
expect_last atsize_nothing_held pages_held 0
unload_result
ktap_finished

#!/bin/sh
# What the module promises a production server: a memory budget (sizes
# over RAM or over what is available are refused, contig never drains the
# machine), sizes that cannot overflow, refused commands that change
# nothing, `cancel` and a fatal signal that stop a run, readers that never
# wait behind one, EBUSY that names the holder, and the __set_fixmap probe
# disarmed until asked for.
# Precondition: none (a loaded shadowmap is unloaded first).  Not under
# lockdown: control refuses writes there.
. "$(dirname "$0")/ktap.sh"
sm_require
sm_load_or_bail
sm_require_control

ktap_plan 37
ok module_loads

ram_kib=$(memtotal_kib)
# state: the parts of `last` and `history` a refused command must not change
state() {
	grep -vE '^(last_error|last_errno|running):' "$SM_DIR/last" | cksum
	cksum <"$SM_DIR/history"
}

# The budget.
ctl_expect_errno budget_over_ram "Invalid argument" "run size=$((ram_kib * 2))K"
expect_last_error budget_over_ram_reason ".*more than this machine's RAM"
run_walker budget_kept "run size=4M"
ctl_expect_errno budget_over_available "Cannot allocate memory" \
	"run size=$(((ram_kib - 32768) / 4096 * 4))M"
expect_last_error budget_over_available_reason \
	'region=vmalloc size=[0-9]*M needs [0-9]* MiB; [0-9]* MiB available, keeping [0-9]* MiB free'
run_walker contig_twice_ram "run region=contig size=$((ram_kib * 2))K walker=v6.10"
note=$(sm_last region_note)
expect contig_capped "region_note: $note" sh -c "echo '$note' | grep -q capped"
oom=$(dmesg | grep -iE 'out of memory|oom-kill' | head -n 1)
expect no_oom_killer "$oom" [ -z "$oom" ]

# Sizes and keys: refused, and nothing changes.
run_walker size_hex "run size=0x400000"
expect_last size_hex_bytes size_requested 4194304
before=$(state)
ctl_expect_errno size_overflow "Invalid argument" "run size=17E"
expect_last_error size_overflow_reason '.*does not fit in 64 bits'
ctl_expect_errno size_overflow_hex "Invalid argument" "run size=0x10000000000000000"
ctl_expect_errno key_twice "Invalid argument" "run size=4M size=8M"
expect_last_error key_twice_reason "key 'size' given twice"
ctl_expect_errno hotplug_no_range "No such file" "run region=hotplug index=999"
expect refused_changes_nothing "last or history changed" [ "$(state)" = "$before" ]
expect_last refused_keeps_shadow kept yes
run_walker axis_before_preset "run remap=none size=4M walker=v6.1"
expect_last axis_overrides_preset remap none

# One command per open(): the rest of a split command is refused.
exec 3>"$SM_DIR/control"
printf 'free' >&3 2>/dev/null
printf 'free' >&3 2>/dev/null
exec 3>&-
expect_last_error split_write_refused 'one command per open'

ctl_expect_errno cancel_nothing "No such process" "cancel"

# A long run (minutes under TCG, cancelled or killed in seconds), started
# in the background; waits until `last` names it.  Its length is in its
# repeats: 64 MiB, as a 1 GiB area took the debug kernel 40 s to make and
# free.  start_run sets bg.
start_run() {
	echo "run size=64M walker=v6.1 repeat=$(sm_repeats 4000)" >"$SM_DIR/control" 2>/dev/null &
	bg=$!
	sm_wait_running 10 "$bg"
}
free0=$(free_kib)
start_run
r=$(sm_last running)
expect reader_sees_running "running: $r" sh -c "echo '$r' | grep -q '^run region=vmalloc'"
# A reader that waited for the lab would return only after the run: the
# read must come back while the run still holds it (a bound in seconds
# failed on the debug kernel beside another guest: 3 s).
t0=$(date +%s)
cat "$SM_DIR/last" "$SM_DIR/history" >/dev/null
r=$(sm_last running)
expect reader_never_waits "reading took $(($(date +%s) - t0)) s; running after it: $r" \
	sh -c "kill -0 $bg 2>/dev/null && echo '$r' | grep -q '^run region=vmalloc'"
ctl_expect_errno busy_second_writer "busy" "free"
expect_last_error busy_names_holder 'busy: run region=vmalloc .*(pid [0-9]*) holds the lab'
check cancel_during_run sh -c "echo cancel >$SM_DIR/control"
if wait "$bg"; then
	not_ok cancelled_run_fails "the cancelled run succeeded"
else
	ok cancelled_run_fails
fi
expect_last cancelled_errno last_errno -125
expect_last cancelled_nothing_running running none

start_run
kill -KILL "$bg" 2>/dev/null
wait "$bg" 2>/dev/null
sm_wait_idle 10
expect_last killed_errno last_errno -4
expect_last_error killed_reason 'interrupted: a fatal signal'
echo free >"$SM_DIR/control"
expect_last pages_held_after_free pages_held 0
# Nothing held.  pages_held above is the exact count of table pages; here
# MemFree must come back to within 16 MiB of before: far less than the
# 64 MiB area a leak would keep, while the kernel keeps the page tables of
# each vmalloc area it used (2 MiB per GiB) and freed pages sit on the
# per-CPU lists for a while (6.7+ grows them after a burst of frees).
sync
echo 3 >/proc/sys/vm/drop_caches
i=0
while d=$((free0 - $(free_kib))) && [ "$d" -ge 16384 ] && [ $i -lt 30 ]; do
	sleep 1
	i=$((i + 1))
done
echo "# MemFree $d KiB lower after cancel and kill (waited $i s)"
expect memory_returned "MemFree $d KiB lower" [ "$d" -lt 16384 ]

expect fixmap_probe_disarmed "$(grep '^# probes' "$SM_DIR/events")" \
	grep -q 'fixmap=off' "$SM_DIR/events"
unload_result
ktap_finished

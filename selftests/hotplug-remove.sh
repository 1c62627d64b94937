#!/bin/sh
# Hot-remove while the module holds a shadow of the hot-added memory: the
# kept shadow is freed before the memory goes, with the reason in
# last_error; remove events are recorded; runs after it see only what is
# left.  The kernel must not complain (the rig scans the console).
# Precondition: the rig (SM_GROW set), which hot-adds memory on "SM: GROW"
# and unplugs all of it on "SM: SHRINK"; skips otherwise.  Loads and
# unloads the module itself.  Not under lockdown.
. "$(dirname "$0")/ktap.sh"
[ -n "${SM_GROW:-}" ] ||
	ktap_skip_all "needs the rig's host to add and unplug memory (SM_GROW unset)"
sm_require
sm_load_or_bail
sm_require_control
ktap_plan 14
ok module_loads
sm_grow

ev=$SM_DIR/events
run_walker hotplug-keep "run region=hotplug index=all walker=v6.10"
expect_last hotplug_shadow_kept kept yes
before=$(memtotal_kib)
sm_arm_fixmap
echo "# SM: SHRINK"
# Judge the reading that ended the wait: virtio-mem may give memory back
# (a block it could not offline) between two readings.
i=0 gone=0
while [ "$gone" -lt 131072 ] && [ $i -lt 120 ]; do
	sleep 1
	i=$((i + 1))
	gone=$((before - $(memtotal_kib)))
done
echo "# hot-removed $gone KiB in ${i}s"
expect hotplug_removed "MemTotal fell by $gone KiB" [ "$gone" -ge 131072 ]
# Offlining comes first; arch_remove_memory() follows block by block.
removes=0
while [ "${removes:-0}" -lt 1 ] && [ $i -lt 180 ]; do
	sleep 1
	i=$((i + 1))
	removes=$(sm_events_total remove)
done
expect hotplug_remove_events "no remove event: $(grep '^total kind=remove' "$ev")" \
	[ "${removes:-0}" -ge 1 ]
grep '^total kind=remove' "$ev" | sed 's/^/# /'
expect_last hotplug_kept_shadow_freed kept no
expect_last_error hotplug_freed_reason '.*went offline'

# virtio-mem unplugs block by block and retries the blocks it could not
# offline after a back-off, so let it settle first: no range going offline
# and MemTotal still for 2 s, looked at every half second ($i counts
# seconds).
settle_removal() {
	still=0 half=0
	was=$(memtotal_kib)
	while [ $still -lt 4 ] && [ $i -lt 300 ]; do
		sleep 0.5
		half=$((half + 1))
		[ $((half % 2)) -ne 0 ] || i=$((i + 1))
		now=$(memtotal_kib)
		if [ "$now" = "$was" ] &&
		   ! grep -q 'state=going-offline' "$SM_DIR/ranges"; then
			still=$((still + 1))
		else
			still=0
		fi
		was=$now
	done
}
settle_removal
echo "# removal settled after ${i}s: $(grep -c '^index=' "$SM_DIR/ranges") ranges left"
# run_after_remove COMMAND: run_walker, but a refusal because a block went
# offline during the run's start (a back-off retry) is the right answer
# then: settle and try again.
run_after_remove() {
	tries=1
	while ! echo "$1" >"$SM_DIR/control" 2>"$ktap_tmp/ctl.err"; do
		if [ $tries -ge 10 ] || ! grep -qE 'busy|[Cc]anceled' "$ktap_tmp/ctl.err" ||
		   ! grep -q '^last_error: .*going offline' "$SM_DIR/last"; then
			report_refused hotplug-after-remove "$1 (try $tries)"
			return
		fi
		tries=$((tries + 1))
		sleep 2
		settle_removal
	done
	report_run hotplug-after-remove
}
# What is left (virtio-mem may keep blocks it could not unplug) still maps
# and verifies; with nothing left the run is refused cleanly.
if grep -q 'state=online' "$SM_DIR/ranges"; then
	run_after_remove "run region=hotplug index=all walker=v6.1-late"
else
	ctl_expect_errno hotplug_after_remove_empty "No such file" "run region=hotplug index=all"
fi

# shrink_during CMD [first]: grow and start CMD (long) in the background,
# CMD first with "first" (so that its memory is not the memory that comes
# and goes), then shrink; sets bg, and moved to how much MemTotal fell
# within 90 s.
shrink_during() {
	[ "${2:-}" = first ] || sm_grow_again
	echo "$1" >"$SM_DIR/control" 2>"$ktap_tmp/long.err" &
	bg=$!
	[ "${2:-}" != first ] || sm_grow_again
	sm_wait_running 30 "$bg"
	was=$(memtotal_kib)
	sm_arm_fixmap
	echo "# SM: SHRINK"
	i=0 moved=0
	while [ "$moved" -lt 131072 ] && [ $i -lt 90 ]; do
		sleep 1
		i=$((i + 1))
		moved=$((was - $(memtotal_kib)))
	done
}
# Offlining memory that no run uses never waits for the run: it is gone
# while a vmalloc run still holds the module.
shrink_during "run size=256M walker=v6.1 repeat=$(sm_repeats 1000)" first
running=$(sm_last running)
expect offline_never_waits_for_other_run \
	"MemTotal fell by $moved KiB in ${i}s; running: $running" \
	sh -c "[ $moved -ge 131072 ] && echo '$running' | grep -q '^run region=vmalloc'"
echo cancel >"$SM_DIR/control" 2>/dev/null
wait "$bg"
settle_removal
# Offlining memory that a run maps stops that run, with the reason.
shrink_during "run region=hotplug index=all walker=v6.1 repeat=$(sm_repeats 1000)"
wait "$bg"
expect_last offline_stops_run_using_it last_errno -125
expect_last_error offline_stop_reason 'cancelled: memory it maps .* is going offline'
settle_removal
echo free >"$SM_DIR/control"
expect_last offline_nothing_held pages_held 0
unload_result
ktap_finished

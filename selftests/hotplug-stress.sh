#!/bin/sh
# Memory going offline and coming back under runs, hundreds of times.  One
# hot-added memory block is taken offline and online again through sysfs
# while a run is in progress, alternately:
#   - a vmalloc run, which cannot map the block: offlining completes while
#     the run still holds the module (it never waits for it), and the run
#     is cancelled afterwards;
#   - a hotplug-region run that maps the block: offlining stops the run
#     with ECANCELED and the reason (or, if the run had not picked its
#     ranges yet, the run is refused with the reason), and completes.
# Meanwhile a reader reads every file of the module; no read may fail.
# Nothing stays held, and the kernel must not complain (the rig judges the
# console: lockdep, KASAN, hung task, RCU stall).
# Precondition: an online memory block that can go offline (the rig's
# SM_GROW: the host hot-adds it through virtio-mem); skips otherwise.
# Loads and unloads the module itself.  Not under lockdown.
# With the rig (SM_GROW), also hot-add and hot-remove: the host adds and
# takes back one block SM_HP_STRESS_CYCLES times while runs of every
# region go on.
# Environment: SM_HP_STRESS_ITERS (default 100 of each kind),
# SM_HP_STRESS_CYCLES (default 100), SM_HP_STRESS_CYCLE_SIZE (default 128M).
. "$(dirname "$0")/ktap.sh"
sm_require
sm_load_or_bail
sm_require_control
iters=${SM_HP_STRESS_ITERS:-100}
cycles=${SM_HP_STRESS_CYCLES:-100}
cycle_size=${SM_HP_STRESS_CYCLE_SIZE:-128M}
mem=/sys/devices/system/memory
[ -d $mem ] || ktap_skip_all "no memory hotplug here ($mem missing)"

# The grow and the hot-add cycles with the rig: three more results.
more=0
[ -z "${SM_GROW:-}" ] || more=1
[ -z "${SM_GROW:-}" ] || [ "$cycles" -le 0 ] || more=3
ktap_plan $((7 + more))
ok module_loads
[ -z "${SM_GROW:-}" ] || sm_grow

# The highest block that goes offline; it comes back movable, so that no
# kernel allocation can pin it from then on.  The module records it as a
# hot-plug range when it comes online.
block=
for n in $(ls $mem | sed -n 's/^memory\([0-9]*\)$/\1/p' | sort -n -r | head -n 8); do
	[ "$(cat $mem/memory$n/state)" = online ] || continue
	if echo offline >$mem/memory$n/state 2>/dev/null; then
		echo online_movable >$mem/memory$n/state 2>/dev/null ||
			echo online >$mem/memory$n/state
		block=$mem/memory$n
		break
	fi
done
[ -n "$block" ] && grep -q '^index=' "$SM_DIR/ranges" ||
	ktap_bail "no memory block went offline and came back (tried the 8 highest)"
ok block_cycles "${block##*/} ($(cat "$block/valid_zones" 2>/dev/null))"

# reader: reads every file until $ktap_tmp/stop appears; a failed read
# goes to reader.bad, each round to reader.rounds.
reader() {
	while [ ! -e "$ktap_tmp/stop" ]; do
		for f in last history ranges events counters presets steps axes version; do
			cat "$SM_DIR/$f" >/dev/null 2>"$ktap_tmp/read.err" ||
				echo "$f: $(cat "$ktap_tmp/read.err")" >>"$ktap_tmp/reader.bad"
		done
		echo >>"$ktap_tmp/reader.rounds"
	done
}
reader &
rpid=$!

presets=$(sm_presets)
np=$(echo $presets | wc -w)
other_bad= mapped_bad= stopped=0 refused=0 i=0
while [ $i -lt "$iters" ]; do
	i=$((i + 1))
	w=$(echo $presets | cut -d ' ' -f $((i % np + 1)))

	# A run that cannot map the block: offlining never waits for it.
	echo "run size=16M walker=$w repeat=1000" >"$SM_DIR/control" 2>/dev/null &
	bg=$!
	sm_wait_running 30 "$bg"
	if ! echo offline >"$block/state" 2>"$ktap_tmp/off.err"; then
		other_bad="$other_bad $i:offline:$(cat "$ktap_tmp/off.err")"
	else
		r=$(sm_last running)
		case "$r" in
		"run region=vmalloc"*) ;;
		*) other_bad="$other_bad $i:not-running-after-offline:$r" ;;
		esac
	fi
	echo online_movable >"$block/state" 2>/dev/null || echo online >"$block/state"
	echo cancel >"$SM_DIR/control" 2>/dev/null
	wait $bg
	e=$(sm_last last_errno)
	[ "$e" = -125 ] || other_bad="$other_bad $i:errno=$e"

	# A run that maps the block: offlining stops it, with the reason.
	echo "run region=hotplug index=all walker=$w repeat=1000" \
		>"$SM_DIR/control" 2>/dev/null &
	bg=$!
	sm_wait_running 30 "$bg"
	echo offline >"$block/state" 2>"$ktap_tmp/off.err" ||
		mapped_bad="$mapped_bad $i:offline:$(cat "$ktap_tmp/off.err")"
	wait $bg
	e=$(sm_last last_errno) why=$(sm_last last_error)
	case "$e:$why" in
	"-125:cancelled: memory it maps "*" is going offline"*)
		stopped=$((stopped + 1)) ;;
	-16:*"going offline"*|-2:*)
		refused=$((refused + 1)) ;;
	*) mapped_bad="$mapped_bad $i:errno=$e($why)" ;;
	esac
	echo online_movable >"$block/state" 2>/dev/null || echo online >"$block/state"
done
echo "# SM: HOTPLUG_STRESS offline_during_other_run=$iters offline_during_mapping_run=$iters stopped=$stopped refused_before_mapping=$refused"
expect offline_never_waits_for_other_run "$iters cycles:$other_bad" [ -z "$other_bad" ]
expect offline_stops_run_using_it "$iters cycles ($stopped stopped, $refused refused):$mapped_bad" \
	[ -z "$mapped_bad" ]

# Hot-add and hot-remove through virtio-mem, the rig's host doing $cycles
# rounds of one block, while runs of every region go on: each run passes,
# or is stopped or refused for memory going offline, with the reason.
# Hot-added memory comes online movable, so that virtio-mem can always
# take it back.
if [ -n "${SM_GROW:-}" ] && [ "$cycles" -gt 0 ]; then
	policy=$(cat $mem/auto_online_blocks)
	echo online_movable >$mem/auto_online_blocks
	adds=$(($(sm_events_total add) + cycles))
	removes=$(($(sm_events_total remove) + cycles))
	sm_arm_fixmap
	echo "# SM: CYCLE $cycles $cycle_size"
	runs=0 passed=0 stopped=0 cycle_bad= t0=$(date +%s)
	while { [ "$(sm_events_total add)" -lt $adds ] ||
		[ "$(sm_events_total remove)" -lt $removes ]; } &&
	      [ $(($(date +%s) - t0)) -lt 900 ]; do
		runs=$((runs + 1))
		w=$(echo $presets | cut -d ' ' -f $((runs % np + 1)))
		case $((runs % 3)) in
		0) cmd="run region=ram walker=$w" ;;
		1) cmd="run region=hotplug index=all walker=$w" ;;
		*) cmd="run size=16M walker=$w repeat=4" ;;
		esac
		if echo "$cmd" >"$SM_DIR/control" 2>"$ktap_tmp/cycle.err"; then
			[ "$(sm_last status)" = pass ] &&
				passed=$((passed + 1)) ||
				cycle_bad="$cycle_bad $runs:$cmd:$(sm_last status)"
			continue
		fi
		e=$(sm_last last_errno) why=$(sm_last last_error)
		case "$e:$why" in
		"-125:cancelled: memory it maps "*|-16:*"going offline"*|-2:*)
			stopped=$((stopped + 1)) ;;
		# The offline that cancelled the run (the write failed so) may
		# then free the shadow the run left, and say so, before `last`
		# is read here.
		"-19:the kept shadow was freed: its memory went offline")
			if grep -qi 'cancel' "$ktap_tmp/cycle.err"; then
				stopped=$((stopped + 1))
			else
				cycle_bad="$cycle_bad $runs:$cmd:errno=$e($why), the write: $(cat "$ktap_tmp/cycle.err")"
			fi ;;
		*) cycle_bad="$cycle_bad $runs:$cmd:errno=$e($why)" ;;
		esac
	done
	echo "$policy" >$mem/auto_online_blocks
	got_adds=$(($(sm_events_total add) - adds + cycles))
	got_removes=$(($(sm_events_total remove) - removes + cycles))
	echo "# SM: HOTPLUG_CYCLES hot_adds=$got_adds hot_removes=$got_removes runs=$runs passed=$passed stopped_or_refused=$stopped in $(($(date +%s) - t0)) s"
	[ "$got_adds" -ge "$cycles" ] && [ "$got_removes" -ge "$cycles" ] ||
		cycles_short=1
	expect hotadd_remove_cycles "$got_adds adds, $got_removes removes of $cycles" \
		[ -z "${cycles_short:-}" ]
	[ "$passed" -gt 0 ] || cycle_bad="$cycle_bad no-run-passed"
	expect runs_during_hotadd_remove "$runs runs, $passed passed, $stopped stopped or refused:$(echo "$cycle_bad" | cut -c 1-300)" \
		[ -z "$cycle_bad" ]
fi
touch "$ktap_tmp/stop"
wait $rpid
rounds=$(wc -l <"$ktap_tmp/reader.rounds")
expect readers_never_fail "$rounds rounds: $(head -n 3 "$ktap_tmp/reader.bad" 2>/dev/null)" \
	[ ! -s "$ktap_tmp/reader.bad" ]
echo free >"$SM_DIR/control"
expect_last nothing_held pages_held 0
unload_result
ktap_finished

#!/bin/sh
# Many hands at once: four writers issuing runs, verify, free, reset and
# cancel; readers of every file; ptdump during runs; rmmod during runs.
# Every write either succeeds or fails with an errno docs/debugfs.md lists
# for it, readers always finish, nothing stays held, and the kernel reports
# nothing (the rig judges the console).
# Precondition: none (a loaded shadowmap is unloaded first).  Not under
# lockdown: control refuses writes there.
# Environment: SM_CONC_ITERS (default 200 per writer).
. "$(dirname "$0")/ktap.sh"
sm_require
sm_load_or_bail
sm_require_control
iters=${SM_CONC_ITERS:-200}

ktap_plan 8
ok module_loads

# writer ID: ITERS commands, round robin over runs of every preset,
# verify, cancel, free and contig runs; prints one line per error the
# docs/debugfs.md does not list.  Runs are small: they finish, and often overlap.
presets=$(sm_presets)
np=$(echo $presets | wc -w)
writer() {
	i=0
	while [ $i -lt "$iters" ]; do
		case $(((i + $1) % 7)) in
		0|1|2)
			w=$(echo $presets | cut -d ' ' -f $(((i * 3 + $1) % np + 1)))
			cmd="run size=4M walker=$w repeat=2" ;;
		3) cmd=verify ;;
		4) cmd=cancel ;;
		5) cmd=free ;;
		*) cmd="run region=contig size=4M" ;;
		esac
		if ! echo "$cmd" >"$SM_DIR/control" 2>"$ktap_tmp/w$1.err"; then
			case $(cat "$ktap_tmp/w$1.err") in
			*busy*|*"No such process"*|*[Cc]anceled*|*"No such file"*) ;;
			*) echo "writer $1: '$cmd': $(cat "$ktap_tmp/w$1.err")" ;;
			esac
		fi
		i=$((i + 1))
	done
}
for w in 1 2 3 4; do
	writer "$w" >"$ktap_tmp/writer$w.out" 2>&1 &
	eval "pid_w$w=\$!"
done
# Readers of every file, while the writers go.
reads=0 slow=0
while kill -0 "$pid_w1" 2>/dev/null || kill -0 "$pid_w2" 2>/dev/null ||
	kill -0 "$pid_w3" 2>/dev/null || kill -0 "$pid_w4" 2>/dev/null; do
	t0=$(date +%s)
	for f in last history ptdump events ranges version presets steps axes counters; do
		cat "$SM_DIR/$f" >/dev/null 2>&1
	done
	[ $(($(date +%s) - t0)) -le 5 ] || slow=$((slow + 1))
	reads=$((reads + 1))
done
wait
bad=$(cat "$ktap_tmp"/writer*.out)
echo "# SM: CONCURRENCY writers=4 commands=$((4 * iters)) reader_rounds=$reads"
expect writers_get_documented_errnos "$(echo "$bad" | head -n 5)" [ -z "$bad" ]
expect readers_never_stuck "$slow reader rounds took over 5 s" [ "$slow" -eq 0 ]
echo free >"$SM_DIR/control"
expect_last nothing_held_after_writers pages_held 0

# rmmod during a run: refused while the writer holds control open, and the
# run goes on; a later rmmod works.  Then load again.
refused=0 unloaded=0 n=0
while [ $n -lt $((iters / 2)) ]; do
	echo "run size=16M repeat=3" >"$SM_DIR/control" 2>/dev/null &
	bg=$!
	if rmmod shadowmap 2>/dev/null; then
		unloaded=$((unloaded + 1))
		wait "$bg" 2>/dev/null
		sm_load 2>/dev/null || break
	else
		refused=$((refused + 1))
		wait "$bg" 2>/dev/null
	fi
	n=$((n + 1))
done
echo "# SM: RMMOD_DURING_RUN tries=$n refused=$refused unloaded=$unloaded"
expect rmmod_during_runs "stopped after $n of $((iters / 2)) (reload failed?)" \
	[ "$n" -eq $((iters / 2)) ]
expect module_still_there "not loaded after the rmmod loop" sm_loaded

# cancel during a run, many times: the run stops or had finished.
n=0 cancelled=0
while [ $n -lt $((iters / 2)) ]; do
	echo "run size=64M walker=v6.1 repeat=5" >"$SM_DIR/control" 2>/dev/null &
	bg=$!
	# Cancel once the run holds the module (or has finished already).
	k=0
	while [ $k -lt 20 ] && kill -0 "$bg" 2>/dev/null &&
		! grep -q '^running: run' "$SM_DIR/last"; do
		k=$((k + 1))
	done
	echo cancel >"$SM_DIR/control" 2>/dev/null && cancelled=$((cancelled + 1))
	wait "$bg" 2>/dev/null
	n=$((n + 1))
done
echo "# SM: CANCEL_DURING_RUN tries=$n cancelled=$cancelled"
echo free >"$SM_DIR/control"
expect_last nothing_held_after_cancels pages_held 0
unload_result
ktap_finished

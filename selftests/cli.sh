#!/bin/sh
# The user CLI (cli/shadowmap), run as a user would run it: the cause of
# each failure it can meet here, by its exit status and message (module not
# loaded 5, debugfs missing 4, not root 3, usage 2, a refused command 1 with
# the module's reason and errno, busy 7, cancelled or interrupted 8, Ctrl-C
# reaching the module's write), and compare, run, verify, ptdump, free.
# Lockdown (6) is selftests/lockdown.sh's, which runs last.
# Precondition: none (a loaded shadowmap is unloaded first).  Not under
# lockdown.  SM_CLI names the CLI (default: ../cli/shadowmap from here).
. "$(dirname "$0")/ktap.sh"
SM_CLI=${SM_CLI:-$(dirname "$0")/../cli/shadowmap}
[ -f "$SM_CLI" ] || ktap_skip_all "no $SM_CLI (set SM_CLI)"
sm_require
sm_load_or_bail
sm_require_control
presets=$(sm_presets)
# The module tells who holds it (and can be cancelled) when `last` has a
# running: line.
running=
! grep -q '^running: ' "$SM_DIR/last" || running=1
sm_unload
ktap_plan 23

# compare_rows NAME WALKERS ARGS...: compare prints one row per walker.
compare_rows() {
	name=$1 want=$2
	shift 2
	if out=$(shadowmap compare "$@"); then
		echo "$out" | sed 's/^/# /'
		rows=$(echo "$out" | awk -v w="$want" 'BEGIN { n = split(w, a, " "); for (i = 1; i <= n; i++) ok[a[i]] = 1 }
			$2 ~ /^[0-9]+$/ && ok[$1] { print $1 }' | tr '\n' ' ')
		expect "$name" "rows '$rows', want '$want '" [ "$rows" = "$want " ]
	else
		not_ok "$name" "$out"
	fi
}

# A run that takes minutes unless it is stopped.
long_run="run size=256M walker=v6.1 repeat=1000"

# holder_pid: the pid in `last`'s running: line, once a command holds the
# module (up to 30 s), else nothing.
holder_pid() {
	i=0
	while [ $i -lt 30 ]; do
		h=$(sm_last running)
		case "$h" in
		*"(pid "[0-9]*")"*)
			h=${h##*(pid }
			echo "${h%%)*}"
			return
			;;
		esac
		sleep 1
		i=$((i + 1))
	done
}

# settle PID: wait for the background CLI PID, stopping its write if
# cancel has not within 30 s; its exit status is in $rc.
settle() {
	i=0
	while kill -0 "$1" 2>/dev/null && [ $i -lt 30 ]; do
		sleep 1
		i=$((i + 1))
	done
	if kill -0 "$1" 2>/dev/null; then
		p=$(holder_pid)
		echo "# still running after 30 s: killing pid ${p:-?}"
		[ -z "$p" ] || kill -KILL "$p"
	fi
	wait "$1"
	rc=$?
}

# sigint_ignored: this shell ignores SIGINT (started in the background), and
# so would the CLI it starts.
sigint_ignored() {
	ign=$(sed -n 's/^SigIgn:[[:space:]]*//p' /proc/$$/status)
	[ $((0x${ign#"${ign%?}"} & 2)) -ne 0 ]
}

# ctrl_c_stopped STATUS: the CLI died of SIGINT, and so did the run.
ctrl_c_stopped() {
	[ "$1" = 130 ] && grep -q '^last_error: interrupted' "$SM_DIR/last"
}

cli_status cli_no_module 5 "not loaded" shadowmap last
cli_status cli_no_debugfs 4 "debugfs is not mounted" \
	env SHADOWMAP_DEBUGFS=/nonexistent-debugfs/shadowmap sh "$SM_CLI" run size=4M
check cli_module_loads sm_load
if sm_find_unprivileged; then
	cli_status cli_not_root 3 "needs root" sm_unprivileged sh "$SM_CLI" run size=4M
else
	skip cli_not_root "no way to drop to an unprivileged user here (setpriv --reuid or nsenter -S)"
fi
cli_status cli_usage 2 "Usage" shadowmap bogus
cli_status cli_bad_preset 1 "'run walker=v5.0': .*v5.0.* (EINVAL)" shadowmap run walker=v5.0
cli_status cli_bad_size 1 "multiple of the page size.* (EINVAL)" shadowmap run size=4097
cli_status cli_compare_walker 2 "pick them with walkers" shadowmap compare walker=v6.1
cli_status cli_extra_args 2 "takes no arguments" shadowmap free now
compare_rows cli_compare_table "v6.1 v6.10 direct" size=8M walkers=v6.1,v6.10,direct
compare_rows cli_compare_every_preset "$(echo "$presets" | tr '\n' ' ' | sed 's/ $//')" size=4M
check cli_run shadowmap run size=4M walker=lazy
check cli_verify shadowmap verify
check cli_ptdump shadowmap ptdump
check cli_free shadowmap free
cli_status cli_verify_after_free 1 "'verify': .* (ENOENT)" shadowmap verify

if [ -z "$running" ]; then
	why="the module has no running: line in last (no cancel yet)"
	for t in cli_cancel_idle cli_busy cli_cancel cli_cancelled cli_ctrl_c cli_holder_killed; do
		skip "$t" "$why"
	done
else
	cli_status cli_cancel_idle 1 "no command is running.* (ESRCH)" shadowmap cancel

	# busy, then cancelled
	# shellcheck disable=SC2086
	shadowmap $long_run >"$ktap_tmp/bg" 2>&1 &
	bg=$!
	pid=$(holder_pid)
	if [ -n "$pid" ]; then
		cli_status cli_busy 7 "busy: run.*(pid $pid).* (EBUSY).*shadowmap cancel" shadowmap run size=4M
		check cli_cancel shadowmap cancel
	else
		not_ok cli_busy "'$long_run' never showed in running: ($(sm_last running))"
		skip cli_cancel "no command to cancel"
	fi
	settle "$bg"
	cp "$ktap_tmp/bg" "$ktap_tmp/out"
	sed 's/^/# /' "$ktap_tmp/out"
	expect cli_cancelled "exit status $rc, want 8 with (ECANCELED)" cli_said "$rc" 8 "(ECANCELED)"

	# Ctrl-C: SIGINT to the CLI and to its writer, as a terminal sends it
	# to the foreground process group.  It is a fatal signal in the write
	# only if the writer has SIGINT's default action (the shells catch it).
	if sigint_ignored; then
		skip cli_ctrl_c "SIGINT is ignored here (started in the background?)"
	else
		(
			# The writer and its parents up to this shell.
			p=$(holder_pid) pids=
			while [ -n "$p" ] && [ "$p" != $$ ] && [ "$p" -gt 1 ]; do
				pids="$pids $p"
				p=$(awk '{ print $4 }' "/proc/$p/stat")
			done
			echo "# SIGINT to$pids"
			# shellcheck disable=SC2086
			[ -z "$pids" ] || kill -INT $pids
			# A run the signal did not stop is cancelled after 30 s.
			sm_wait_idle 30
			[ $sm_idle_waited -lt 30 ] || echo cancel >"$SM_DIR/control"
		) &
		helper=$!
		start=$(date +%s)
		# shellcheck disable=SC2086
		shadowmap $long_run >"$ktap_tmp/out" 2>&1
		rc=$?
		took=$(($(date +%s) - start))
		wait "$helper"
		sed 's/^/# /' "$ktap_tmp/out"
		expect cli_ctrl_c "exit status $rc after ${took}s, $(grep '^last_error' "$SM_DIR/last"); want 130 and interrupted" \
			ctrl_c_stopped "$rc"
	fi

	# kill HOLDER-PID, the pid named in running: the CLI lives on and says so
	# shellcheck disable=SC2086
	shadowmap $long_run >"$ktap_tmp/bg" 2>&1 &
	bg=$!
	pid=$(holder_pid)
	[ -z "$pid" ] || kill "$pid"
	settle "$bg"
	cp "$ktap_tmp/bg" "$ktap_tmp/out"
	sed 's/^/# /' "$ktap_tmp/out"
	expect cli_holder_killed "exit status $rc, want 8 with interrupted (EINTR)" \
		cli_said "$rc" 8 "interrupted.* (EINTR)"
fi
unload_result
ktap_finished

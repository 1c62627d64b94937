#!/bin/sh
# The user CLI (cli/shadowmap), run as a user would run it: the cause of
# each failure it can meet here, by its exit status and message (module not
# loaded 5, debugfs missing 4, not root 3, usage 2, a refused command 1 with
# the module's reason and errno, busy 7, cancelled or interrupted 8, Ctrl-C
# reaching the module's write), and compare, run, verify, ptdump, free;
# --format csv and json parsed back (awk) against last, history and
# prediction; steps' table, its rows the module's steps file's.
# Lockdown (6) is selftests/lockdown.sh's, which runs last.
# Precondition: none (a loaded shadowmap is unloaded first).  Not under
# lockdown.  SM_CLI names the CLI (default: ../cli/shadowmap from here).
. "$(dirname "$0")/ktap.sh"
sm_require_cli
sm_require
sm_load_or_bail
sm_require_control
presets=$(sm_presets)
# The module tells who holds it (and can be cancelled) when `last` has a
# running: line.
running=
! grep -q '^running: ' "$SM_DIR/last" || running=1
sm_unload
ktap_plan 32

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
# --format, parsed back here with awk (the guest has no python3; the host's
# scripts/host-tests.sh parses it with python's csv and json) and compared
# with the module's own files.

# csv_records: CSV (RFC 4180, no newline inside a field) on stdin as
# "key: value" records, a blank line after each.
csv_records() {
	awk '
	function fields(line, f,    n, i, c, q, cur) {
		n = 0
		cur = ""
		q = 0
		for (i = 1; i <= length(line); i++) {
			c = substr(line, i, 1)
			if (q) {
				if (c != "\"")
					cur = cur c
				else if (substr(line, i + 1, 1) == "\"") {
					cur = cur c
					i++
				} else
					q = 0
			} else if (c == "\"")
				q = 1
			else if (c == ",") {
				f[++n] = cur
				cur = ""
			} else
				cur = cur c
		}
		f[++n] = cur
		return n
	}
	NR == 1 { nh = fields($0, h); next }
	{
		if (fields($0, f) != nh)
			print "# row " NR - 1 ": fields, not " nh
		for (i = 1; i <= nh; i++)
			print h[i] ": " f[i]
		print ""
	}'
}

# json_records: a JSON object or array of flat objects on stdin as
# "key: value" records; a number that comes as a string, or a bare token
# that is no number, is a "#" line (which no comparison passes).
json_records() {
	awk '
	function hex(h,    i, v) {
		v = 0
		for (i = 1; i <= 4; i++)
			v = v * 16 + index("0123456789abcdef", tolower(substr(h, i, 1))) - 1
		return v
	}
	{ s = s $0 "\n" }
	END {
		n = length(s)
		i = 1
		want = "key"
		while (i <= n) {
			c = substr(s, i, 1)
			if (c == ":")
				want = "value"
			if (index(" \t\r\n,:{[]", c)) {
				i++
				continue
			}
			if (c == "}") {
				print ""
				want = "key"
				i++
				continue
			}
			if (c == "\"") {
				v = ""
				i++
				while (i <= n && (c = substr(s, i, 1)) != "\"") {
					if (c == "\\") {
						c = substr(s, ++i, 1)
						if (c == "t")
							c = "\t"
						else if (c == "r")
							c = "\r"
						else if (c == "n")
							c = "\n"
						else if (c == "u") {
							c = sprintf("%c", hex(substr(s, i + 1, 4)))
							i += 4
						}
					}
					v = v c
					i++
				}
				i++
				if (want == "key") {
					k = v
					continue
				}
				if (v ~ /^-?[0-9]+$/)
					print "# " k ": a number as a string"
				print k ": " v
				want = "key"
				continue
			}
			t = ""
			while (i <= n && !index(" \t\r\n,:}]", substr(s, i, 1))) {
				c = substr(s, i, 1)
				t = t c
				i++
			}
			if (t !~ /^-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][-+]?[0-9]+)?$/)
				print "# " k ": " t " is no JSON number"
			print k ": " t
			want = "key"
		}
	}'
}

# last_record: the last record of records on stdin, less KEY's line when
# one is named.
last_record() {
	awk -v drop="${1:-}" '
	/^$/ { if (cur != "") rec = cur; cur = ""; next }
	drop != "" && index($0, drop ": ") == 1 { next }
	{ cur = cur $0 "\n" }
	END { if (cur != "") rec = cur; printf "%s", rec }'
}

# same_as_last NAME FORMAT [DROP]: the last record of $ktap_tmp/fmt, parsed
# from FORMAT, is `last` line for line (DROP: a key `last` has not).
same_as_last() {
	"${2}_records" <"$ktap_tmp/fmt" | last_record "${3:-}" >"$ktap_tmp/got"
	if cmp -s "$ktap_tmp/got" "$SM_DIR/last"; then
		ok "$1"
	else
		not_ok "$1" "$(diff "$SM_DIR/last" "$ktap_tmp/got" | head -20)"
	fi
}

# cli_format NAME FORMAT [DROP] -- CLI-ARGS: the CLI's FORMAT output of
# CLI-ARGS, parsed back, ends with a record that is `last`.
cli_format() {
	name=$1 f=$2 drop=
	[ "$3" = -- ] || { drop=$3; shift; }
	shift 3
	if shadowmap "$@" >"$ktap_tmp/fmt" 2>"$ktap_tmp/err"; then
		sed -n '1,3s/^/# /p' "$ktap_tmp/fmt"
		same_as_last "$name" "$f" "$drop"
	else
		not_ok "$name" "exit status $?: $(cat "$ktap_tmp/err")"
	fi
}

# steps_ok FILE: the records of `steps --format json` in FILE are the
# module's steps file, row for row: its names in its order (the step with
# leaf=block may be missing, when last), each run with its step's axes,
# as its preset when the step names one, and every run verified.
steps_ok() {
	json_records <"$1" | awk -F ': ' -v steps="$SM_DIR/steps" '
	BEGIN {
		while ((getline l < steps) > 0) {
			m = split(l, w, " ")
			want[++ns] = w[1]
			preset[ns] = "-"
			axes[ns] = ""
			nk = 0
			for (i = 2; i <= m; i++) {
				if (w[i] ~ /^commit=/)
					continue
				if (w[i] ~ /^preset=/) {
					preset[ns] = substr(w[i], 8)
					continue
				}
				axes[ns] = axes[ns] (nk ? " " : "") w[i]
				key[++nk] = substr(w[i], 1, index(w[i], "=") - 1)
			}
			block[ns] = (" " axes[ns] " ") ~ / leaf=block /
		}
	}
	/^#/ { print; bad = 1; next }
	/^$/ {
		n++
		lab[n] = a["step"]
		walker[n] = a["walker"]
		# every axis the steps name, in their order
		ax[n] = ""
		for (i = 1; i <= nk; i++)
			ax[n] = ax[n] (i > 1 ? " " : "") key[i] "=" a[key[i]]
		if (a["status"] != "pass") {
			print "# " lab[n] ": status " a["status"]
			bad = 1
		}
		split("", a)
		next
	}
	{ k = $1; sub(/^[^:]*: /, ""); a[k] = $0 }
	END {
		if (!ns || (n != ns && !(n == ns - 1 && block[ns]))) {
			print "# " n " rows, want the " ns " steps of " steps (block[ns] ? ", or all but " want[ns] : "")
			exit 1
		}
		for (i = 1; i <= n; i++) {
			if (lab[i] != want[i]) {
				print "# row " i ": " lab[i] ", want " want[i]
				bad = 1
			}
			if (ax[i] != axes[i]) {
				print "# " lab[i] ": " ax[i] ", want " axes[i]
				bad = 1
			}
			if (preset[i] != "-" && walker[i] != preset[i]) {
				print "# " lab[i] ": walker " walker[i] ", want its preset " preset[i]
				bad = 1
			}
		}
		exit bad
	}'
}

cli_format cli_format_run_csv csv -- run size=4M walker=lazy --format csv
cli_format cli_format_run_json json -- --format json run size=4M walker=v6.10
cli_format cli_format_compare_csv csv -- --format=csv compare size=4M walkers=v6.1,direct
# history: every line, key for key
shadowmap --format json history >"$ktap_tmp/fmt" 2>"$ktap_tmp/err"
json_records <"$ktap_tmp/fmt" | awk '/^$/ { print line; line = ""; next }
	{ k = $0; sub(/: .*/, "", k); v = substr($0, length(k) + 3); line = line (line == "" ? "" : " ") k "=" v }' >"$ktap_tmp/got"
if cmp -s "$ktap_tmp/got" "$SM_DIR/history"; then
	ok cli_format_history_json
else
	not_ok cli_format_history_json "$(cat "$ktap_tmp/err"; diff "$SM_DIR/history" "$ktap_tmp/got" | head)"
fi
# predict: a record per step of the table, each with every column
if shadowmap --format json predict size=1G >"$ktap_tmp/fmt" 2>"$ktap_tmp/err"; then
	rows=$(grep -v '^#' "$SM_DIR/prediction" | awk 'NR == 1 { nh = NF } END { print NR - 1 }')
	nh=$(grep -v '^#' "$SM_DIR/prediction" | awk 'NR == 1 { print NF }')
	got=$(json_records <"$ktap_tmp/fmt" | awk -v nh="$nh" '/^#/ { bad = 1 } /^$/ { n++; if (k != nh) bad = 1; k = 0; next }
		/^step: / && !first { first = $0 } { k++ } END { print n, bad + 0, first }')
	first=$(sed -n '1s/ .*//p' "$SM_DIR/steps")
	expect cli_format_predict_json "records, bad, first step '$got', want '$rows 0 step: $first'" \
		[ "$got" = "$rows 0 step: $first" ]
else
	not_ok cli_format_predict_json "$(cat "$ktap_tmp/err")"
fi
cli_status cli_format_bad 2 "want table, csv or json" shadowmap --format yaml run size=4M
# steps: the seeds' table (vmalloc, where blocks rarely apply; contig,
# where they do), then its rows' axes and verification.  The rows are the
# module's steps, by name; the one with leaf=block may be left out with a
# note, when the region gave it no block.
step_names=$(cut -d ' ' -f 1 "$SM_DIR/steps" | tr '\n' ' ')
block_step=$(awk '/ leaf=block( |$)/ { print $1; exit }' "$SM_DIR/steps")
but_block=$(awk '!/ leaf=block( |$)/ { printf "%s ", $1 }' "$SM_DIR/steps")
for r in vmalloc contig; do
	if shadowmap steps region=$r size=8M repeat=3 >"$ktap_tmp/out" 2>&1; then
		sed 's/^/# /' "$ktap_tmp/out"
		rows=$(awk '$NF ~ /^([0-9]+\.[0-9][0-9]|-)$/ && $(NF - 4) ~ /%$/ { printf "%s ", $1 }' "$ktap_tmp/out")
		expect cli_steps_table_$r "rows '$rows' with ms and %, want '$step_names', or '$but_block' and a note for $block_step" \
			[ "$rows" = "$step_names" -o \( "$rows" = "$but_block" -a -n "$block_step" -a -n "$(grep "^note: $block_step: skipped" "$ktap_tmp/out")" \) ]
	else
		not_ok cli_steps_table_$r "$(cat "$ktap_tmp/out")"
	fi
done
if shadowmap --format json steps region=contig size=8M >"$ktap_tmp/fmt" 2>"$ktap_tmp/err"; then
	sed -n 's/^\(.\{0,160\}\).*/# \1/p' "$ktap_tmp/fmt"
	sed 's/^/# /' "$ktap_tmp/err"
	if why=$(steps_ok "$ktap_tmp/fmt"); then
		# The last record is the last run's when no row was left out.
		if grep -q "\"step\": \"$(sed -n '$s/ .*//p' "$SM_DIR/steps")\"" "$ktap_tmp/fmt"; then
			same_as_last cli_steps_json json step
		else
			ok cli_steps_json
		fi
	else
		not_ok cli_steps_json "$why"
	fi
else
	not_ok cli_steps_json "exit status $?: $(cat "$ktap_tmp/err")"
fi
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

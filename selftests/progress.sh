#!/bin/sh
# Progress: the 0444 `progress` file says "state: idle" with no command;
# during a run, a reader that polls it sees each build of the run, the
# region and walker, and tables made never past the number expected, which
# equals the tables the run made; readers never fail or wait; a cancel
# leaves it idle.  The CLI draws its progress line on stderr when asked
# (SHADOWMAP_PROGRESS=always), and not when stderr is no terminal.
# Precondition: none (a loaded shadowmap is unloaded first).  Not under
# lockdown: control refuses writes there.
. "$(dirname "$0")/ktap.sh"
sm_require_cli
sm_require
sm_load_or_bail
sm_require_control
ktap_plan 17
ok module_loads

expect progress_idle "$(cat "$SM_DIR/progress")" \
	[ "$(cat "$SM_DIR/progress")" = "state: idle" ]
# Calibrate now, so that the runs below do not.
check progress_calibrate sh -c "echo calibrate >'$SM_DIR/control'"

# poll FILE: append snapshots of `progress` to FILE, separated by "--",
# as fast as it can while the background writer bg lives; count failed
# reads.
poll() {
	bad=0
	while kill -0 "$bg" 2>/dev/null; do
		cat "$SM_DIR/progress" >>"$1" 2>>"$ktap_tmp/poll.err" || bad=$((bad + 1))
		echo -- >>"$1"
	done
	wait "$bg"
	bg_rc=$?
}

snap=$ktap_tmp/progress.snap
: >"$snap"
# No TLBI: under TCG each one stops every vCPU, so a TLBI-heavy build
# (v6.1's) starves the reader; the kernel's per-entry check and a barrier
# per entry make the builds long enough to be seen.  How many builds is
# sized from this machine, by one repeat's time (a build and its verify):
# enough for about two seconds (a 256 MiB build takes a tenth of a
# millisecond at 64K pages, and a reader on a busy host may be slow), at
# least 6, at most the module's limit.  256 MiB, not 1 GiB: making and freeing the
# region is what a size costs here, and the repeats give the length.
build="run size=256M walker=direct check=kernel barrier=entry"
# rep_ns: the last run's build and verify, one repeat's time
rep_ns() {
	b=$(sm_last build_ns_median) v=$(sm_last verify_ns_median)
	echo $((${b:-0} + ${v:-0}))
}
# five repeats: their median, not the first build's cold one (6.7 ms
# against 0.1 at 64K pages, which sized the run 60 times too short)
echo "$build repeat=5" >"$SM_DIR/control" 2>"$ktap_tmp/bg.err" ||
	echo "# the sizing run failed: $(cat "$ktap_tmp/bg.err")"
one_ns=$(rep_ns)
nbuilds=$((2000000000 / (${one_ns:-0} + 1) + 1))
[ "$nbuilds" -ge 6 ] || nbuilds=6
max=$(sm_limit repeat)
[ "$nbuilds" -le "$max" ] || nbuilds=$max
echo "# one build and its verify took ${one_ns:-?} ns: $nbuilds builds"
cmd="$build repeat=$nbuilds"
echo "$cmd" >"$SM_DIR/control" 2>"$ktap_tmp/bg.err" &
bg=$!
poll "$snap"
expect progress_run_passes "rc $bg_rc: $(cat "$ktap_tmp/bg.err")" \
	[ "$bg_rc" -eq 0 -a "$(sm_last status)" = pass ]
build_ns=$(rep_ns)
expect progress_reads_never_fail "$bad failed reads: $(head -n 3 "$ktap_tmp/poll.err")" \
	[ "$bad" -eq 0 ]
tables=0
for l in pgd p4d pud pmd pte; do
	tables=$((tables + $(sm_last "tables_$l")))
done
# One line per snapshot taken while building:
# "BUILD BUILDS MADE EXPECTED REGION WALKER".
awk '/^--$/ {
		if (v["state"] == "build") {
			split(v["repeat"], r, "/")
			split(v["tables"], t, "/")
			print r[1], r[2], t[1], t[2], v["region"], v["walker"]
		}
		split("", v)
		next
	}
	{ i = index($0, ": "); v[substr($0, 1, i - 1)] = substr($0, i + 2) }' \
	"$snap" >"$ktap_tmp/builds"
n=$(wc -l <"$ktap_tmp/builds")
echo "# snapshots by state: $(sed -n 's/^state: //p' "$snap" | sort | uniq -c | tr '\n' ' ')"
echo "# first and last while building: $(head -n 1 "$ktap_tmp/builds") | $(tail -n 1 "$ktap_tmp/builds")"
builds=$(cut -d ' ' -f 1 "$ktap_tmp/builds" | sort -u | wc -l)
expect progress_saw_builds "$n snapshots while building, of $builds builds" \
	[ "$n" -ge 2 -a "$builds" -ge 2 ]
expect progress_repeat_of_n "$(cut -d ' ' -f 1,2 "$ktap_tmp/builds" | sort -u | tr '\n' ' ')" \
	awk -v n="$nbuilds" '$2 != n || $1 < 1 || $1 > n { bad = 1 } END { exit bad || !NR }' "$ktap_tmp/builds"
expect progress_names_run "$(head -n 1 "$ktap_tmp/builds")" \
	awk '$5 != "vmalloc" || $6 !~ /^remap=none,barrier=entry,.*check=kernel/ { bad = 1 } END { exit bad || !NR }' "$ktap_tmp/builds"
# The number expected is what the run made: from the count walk before
# the first build, or "unknown" in it when the pages are scattered over
# more than 65536 extents (256M at 4K: 65536 pages, so known), then the
# first build's.
expect progress_expected_is_made "want $tables: $(cut -d ' ' -f 4 "$ktap_tmp/builds" | sort -u | tr '\n' ' ')" \
	awk -v t="$tables" '$4 != t && !($1 == 1 && $4 == "unknown") { bad = 1 }
		END { exit bad || !NR }' "$ktap_tmp/builds"
expect progress_made_within_expected "$(awk '$4 != "unknown" && $3 > $4' "$ktap_tmp/builds" | head -n 1)" \
	awk '$4 != "unknown" && $3 + 0 > $4 + 0 { bad = 1 } END { exit bad || !NR }' "$ktap_tmp/builds"
expect progress_elapsed_grows "$(grep '^elapsed_ms' "$snap" | tr '\n' ' ' | cut -c 1-200)" \
	sh -c "grep '^elapsed_ms' '$snap' | awk '\$2 < p { exit 1 } { p = \$2 }'"
expect progress_idle_after_run "$(cat "$SM_DIR/progress")" \
	[ "$(cat "$SM_DIR/progress")" = "state: idle" ]

# A cancelled run leaves it idle (the run outlasts the second before it).
echo "run size=256M walker=v6.1 repeat=$(sm_repeats 80)" >"$SM_DIR/control" 2>"$ktap_tmp/bg.err" &
bg=$!
sm_wait_running 20 "$bg"
sleep 1
running=$(sed -n 's/^state: //p' "$SM_DIR/progress")
echo cancel >"$SM_DIR/control"
wait "$bg"
expect progress_cancelled_was_running "state was '$running'" \
	[ -n "$running" -a "$running" != idle ]
expect progress_idle_after_cancel "$(cat "$SM_DIR/progress")" \
	[ "$(cat "$SM_DIR/progress")" = "state: idle" ]

# The CLI: a line when asked, none when stderr is a file.  It draws after a
# second, so the run repeats the build above (no TLBIs) for about 3 s by its
# median repeat (build and verify), within the module's limit of repeats.
reps=$((3000000000 / (${build_ns:-0} + 1) + 1))
[ "$reps" -le "$max" ] || reps=$max
slow="run size=256M walker=direct check=kernel barrier=entry repeat=$reps"
if [ $((reps * ${build_ns:-0})) -lt 1500000000 ]; then
	why="$reps repeats of ${build_ns:-?} ns last less than the line's first second"
	skip cli_progress_always "$why"
	skip cli_progress_quiet_off_terminal "$why"
else
	# shellcheck disable=SC2086
	SHADOWMAP_PROGRESS=always sh "$SM_CLI" $slow >/dev/null 2>"$ktap_tmp/cli.err"
	expect cli_progress_always "$(tr '\r' '\n' <"$ktap_tmp/cli.err" | grep -v '^$' | tail -n 2 | tr '\n' '|')" \
		sh -c "tr '\\r' '\\n' <'$ktap_tmp/cli.err' | grep -q '^shadowmap: [a-z]* [0-9]*/$reps [^ ]* vmalloc, tables [0-9]*/[0-9a-z]*.*, [0-9.]* s'"
	# shellcheck disable=SC2086
	sh "$SM_CLI" $slow >/dev/null 2>"$ktap_tmp/cli.err"
	expect cli_progress_quiet_off_terminal "stderr: $(head -c 200 "$ktap_tmp/cli.err")" \
		[ ! -s "$ktap_tmp/cli.err" ]
fi
unload_result
ktap_finished

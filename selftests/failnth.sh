#!/bin/sh
# A failure at every allocation.  For a run of each region and preset, the
# Nth allocation the run makes in the writer's task fails, for every N up
# to the number the run makes (/proc/thread-self/fail-nth with failslab and
# fail_page_alloc).  Each failure ends the run with ENOMEM and a reason, or
# is one the module does without, or fails the write before the module
# sees it (then nothing may have changed); either way nothing stays held
# and the module stays usable.  fail-nth counts only the writer's task, so
# the table pages the walker's helper threads allocate (threads=2) are failed
# through the module's own injection point, fail_table, one at a time.
# Precondition: a kernel with CONFIG_FAULT_INJECTION, CONFIG_FAILSLAB and
# CONFIG_FAIL_PAGE_ALLOC (the rig's debug kernel); skips otherwise.
# ram and hotplug take size= too: the first SIZE of what they map.  hotplug is tried when the rig can add
# memory (SM_GROW set: one more result, the grow).
# Environment: SM_FAILNTH_REGIONS (default "contig vmalloc ram", and
# hotplug with SM_GROW), SM_FAILNTH_SIZE (default 4M), SM_FAILNTH_CROSS
# (default unset: every preset over every region): PRESET,PRESET,... tries
# every preset over the first region and only those over the others, and
# only those with threads=2.  The regions' own allocations come before the
# walk's and are the same for every preset, and the walker's are the same
# for every region, so a cross still fails each of them; contig comes
# first as the cheapest to make (make check: the whole matrix takes the
# debug kernel four minutes; make check-full runs it).
. "$(dirname "$0")/ktap.sh"
fi_dir=/sys/kernel/debug
nth=/proc/thread-self/fail-nth
[ -w "$nth" ] && [ -d $fi_dir/failslab ] && [ -d $fi_dir/fail_page_alloc ] ||
	ktap_skip_all "no fault injection here (needs CONFIG_FAULT_INJECTION, CONFIG_FAILSLAB, CONFIG_FAIL_PAGE_ALLOC; the rig's debug-6.12 kernel has them)"
sm_require
sm_load_or_bail
sm_require_control
regions=${SM_FAILNTH_REGIONS:-contig vmalloc ram${SM_GROW:+ hotplug}}
size=${SM_FAILNTH_SIZE:-4M}
presets=$(sm_presets)
cross=$(echo "${SM_FAILNTH_CROSS:-}" | tr ',' ' ')
for w in $cross; do
	echo "$presets" | grep -qx -- "$w" ||
		ktap_bail failnth_cross "SM_FAILNTH_CROSS names '$w', which is no preset of the module's: $(echo $presets)"
done
# combos: "REGION:PRESET" for each run tried
combos=
first=
for r in $regions; do
	ws=$presets
	[ -z "$first" ] || [ -z "$cross" ] || ws=$cross
	first=$r
	for w in $ws; do combos="$combos $r:$w"; done
done
grows=0
case " $regions " in *" hotplug "*) [ -z "${SM_GROW:-}" ] || grows=1 ;; esac
# shellcheck disable=SC2086
set -- $combos
nc=$#
# The walker's own injection point reaches threads>1's helpers too.
tpresets=${cross:-$presets}
# shellcheck disable=SC2086
set -- $tpresets
ft=$SM_DIR/fail_table
threaded=0
[ ! -d "$ft" ] || threaded=$#
ktap_plan $((nc + 3 + grows + threaded))
ok module_loads
[ "$grows" = 0 ] || sm_grow
# The first run would calibrate, and a failure there only costs the run
# its prediction: calibrate now, so that the Nth allocation is the run's.
echo calibrate >"$SM_DIR/control" || echo "# calibrate: $(sm_last last_error)"

# Only fail-nth injects (probability stays 0), at every order, quietly
# (a forced failure's stack dump would read as an alarm).  fail-nth counts
# the module's fail_table too: one more point per table.
if [ "$threaded" -gt 0 ]; then
	echo 0 >"$ft/verbose"
	echo 1 >"$ft/interval"
fi
for d in failslab fail_page_alloc; do
	echo N >$fi_dir/$d/ignore-gfp-wait
	echo 0 >$fi_dir/$d/verbose
done
echo 0 >$fi_dir/fail_page_alloc/min-order
echo N >$fi_dir/fail_page_alloc/ignore-gfp-highmem

# Stop any countdown left: the open of fail-nth may take the last count.
nth_off() {
	echo 0 >"$nth" 2>/dev/null
	true
}
# count CMD: allocations a successful run of CMD makes in this task.  The
# open of fail-nth for reading makes the same number each time, so two
# readings, with and without the run between, differ by the run's.
count() {
	exec 3>"$SM_DIR/control"
	echo 1000000 >"$nth"
	read -r r0 <"$nth"
	echo 1000000 >"$nth"
	echo "$1" >&3 2>/dev/null
	read -r r1 <"$nth"
	nth_off
	exec 3>&-
	echo $((r0 - r1))
}

# read_last: the values of `last` this test judges, as l_KEY, in one read
# and without a fork: the loop below runs hundreds of times.
read_last() {
	l_last_error= l_last_errno= l_kept= l_pages_held= l_table_bytes=0 l_page_size=1
	while IFS= read -r line; do
		case "$line" in
		"last_error: "*) l_last_error=${line#*: } ;;
		"last_errno: "*) l_last_errno=${line#*: } ;;
		"kept: "*) l_kept=${line#*: } ;;
		"pages_held: "*) l_pages_held=${line#*: } ;;
		"table_bytes: "*) l_table_bytes=${line#*: } ;;
		"page_size: "*) l_page_size=${line#*: } ;;
		esac
	done <"$SM_DIR/last"
}

# judge_enomem N: the run failed at point N (read_last done): ENOMEM with
# its reason, and nothing held but the tables of a shadow still kept.
judge_enomem() {
	[ "$l_last_errno" = -12 ] ||
		bad="$bad n=$1:errno=$l_last_errno($l_last_error;$(cat "$ktap_tmp/w.err"))"
	want=0
	[ "$l_kept" != yes ] || want=$((l_table_bytes / l_page_size))
	[ "$l_pages_held" = "$want" ] ||
		bad="$bad n=$1:pages_held=$l_pages_held,want=$want"
}
# still_usable: the same run $cmd passes afterwards.
still_usable() {
	echo "$cmd" >"$SM_DIR/control" 2>/dev/null &&
		[ "$(sm_last status)" = pass ] ||
		bad="$bad unusable-after($(sm_last last_errno) $(sm_last last_error))"
}

total=0 failures=0 tolerated=0 outside=0
for rw in $combos; do
	r=${rw%%:*} w=${rw#*:}
	cmd="run region=$r size=$size walker=$w"
	[ "$r" != hotplug ] || cmd="$cmd index=all"
	echo "$cmd" >"$SM_DIR/control" 2>/dev/null
	m=$(count "$cmd")
	bad=
	n=1
	while [ $n -le "$m" ]; do
		# A refused marker command first: every command the
		# module sees replaces its last_error.
		echo "failnth-marker-$n" >"$SM_DIR/control" 2>/dev/null
		# Opened before arming: only the write is counted.
		exec 3>"$SM_DIR/control" 4>"$ktap_tmp/w.err"
		echo "$n" >"$nth"
		if echo "$cmd" >&3 2>&4; then
			nth_off
			tolerated=$((tolerated + 1))
		else
			nth_off
			read_last
			case "$l_last_error" in
			*"failnth-marker-$n'"*)
				# failed before the module saw it
				outside=$((outside + 1)) ;;
			*)
				failures=$((failures + 1))
				judge_enomem "$n" ;;
			esac
		fi
		exec 3>&- 4>&-
		n=$((n + 1))
	done
	total=$((total + m))
	still_usable
	expect "failnth_${r}_$w" "$m allocations:$bad" [ -z "$bad" ]
done
# threads=2: the Nth table page fails, in whichever task allocates it
# (fail_table: the first N-1 calls pass on "space", then "times" allows
# one failure), for N = 1, 2, ... until the run passes: then it allocated
# fewer than N.  Each failed run must end with ENOMEM and its reason and
# hold nothing but a kept shadow's tables; the module stays usable.
ft_off() {
	echo 0 >"$ft/times"
	echo 0 >"$ft/space"
	echo 0 >"$ft/probability"
}
tpoints=0
if [ "$threaded" -gt 0 ]; then
	for w in $tpresets; do
		cmd="run size=16M walker=$w threads=2"
		bad=
		echo "$cmd" >"$SM_DIR/control" 2>/dev/null ||
			bad=" refused:$(sm_last last_error)"
		ps=$(sm_last page_size)
		# the most it can allocate: every table the shadow has
		m=$(($(sm_last table_bytes) / ps))
		n=1
		while [ -z "$bad" ] && [ $n -le $((m + 1)) ]; do
			# should_fail() passes while space > one page
			echo $(((n - 1) * ps + 1)) >"$ft/space"
			echo 100 >"$ft/probability"
			echo 1 >"$ft/times"
			if echo "$cmd" >"$SM_DIR/control" 2>"$ktap_tmp/w.err"; then
				ft_off
				break
			fi
			ft_off
			read_last
			judge_enomem "$n"
			n=$((n + 1))
		done
		[ $n -gt 1 ] && [ $n -le $((m + 1)) ] ||
			bad="$bad failed-at-$((n - 1))-of-$m-tables"
		tpoints=$((tpoints + n - 1))
		still_usable
		expect "fail_table_threads2_$w" "$((n - 1)) table allocations:$bad" [ -z "$bad" ]
	done
fi
echo free >"$SM_DIR/control"
echo "# SM: FAILNTH points=$total failed_enomem=$failures tolerated=$tolerated failed_before_the_module=$outside threads2_table_points=$tpoints"
expect_last failnth_nothing_held pages_held 0
unload_result
ktap_finished

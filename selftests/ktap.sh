# shellcheck shell=sh
# KTAP output and shadowmap helpers, sourced by every selftest.  POSIX sh:
# busybox ash in the rig's guest, dash or bash on a server.
#
# A test sources this, checks its preconditions (ktap_skip_all if one
# fails), prints its plan (ktap_plan N), one result per planned test, and
# ends with ktap_finished.  It shares nothing with the other tests but the
# module itself: it loads and unloads shadowmap on its own and keeps its
# files in its own mktemp directory.
#
# Environment (all optional):
#   SM_KO         directory holding shadowmap.ko: insmod it from there
#                 (default: modprobe the installed module)
#   SM_GROW       size the rig's host hot-adds through virtio-mem when a
#                 test prints "SM: GROW"; unset on a real server
#   SM_PAGE_SIZE  page size the kernel must report (the rig's kernel table)
#   SM_LEVELS     page-table levels the kernel must report
#   SM_LOCKDOWN_RAISE  1: lockdown.sh may raise kernel lockdown (until
#                 reboot); the rig's guests set it
#   SHADOWMAP_DEBUGFS  default /sys/kernel/debug/shadowmap

SM_DIR=${SHADOWMAP_DEBUGFS:-/sys/kernel/debug/shadowmap}
ktap_name=${0##*/}
ktap_name=${ktap_name%.sh}
ktap_n=0
ktap_plan=
ktap_bad=0
ktap_tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$ktap_tmp"' EXIT

# ktap_plan N: the header and the plan.
ktap_plan() {
	ktap_plan=$1
	echo "KTAP version 1"
	echo "1..$1"
}

# ktap_skip_all REASON: the whole test does not apply here (before the plan).
ktap_skip_all() {
	ktap_plan 1
	echo "ok 1 requirements # SKIP $1"
	exit 4
}

# ktap_bail NAME WHY: a failure that leaves nothing to test (before the plan).
ktap_bail() {
	ktap_plan 1
	not_ok "$1" "$2"
	exit 1
}

ok() {
	ktap_n=$((ktap_n + 1))
	echo "ok $ktap_n $1"
}

# not_ok NAME WHY
not_ok() {
	ktap_n=$((ktap_n + 1))
	ktap_bad=$((ktap_bad + 1))
	echo "$2" | sed 's/^/# /'
	echo "not ok $ktap_n $1"
}

# skip NAME REASON
skip() {
	ktap_n=$((ktap_n + 1))
	echo "ok $ktap_n $1 # SKIP $2"
}

# expect NAME WHY CMD...: ok when CMD succeeds, else not_ok WHY.
expect() {
	name=$1 why=$2
	shift 2
	if "$@"; then ok "$name"; else not_ok "$name" "$why"; fi
}

# check NAME CMD...: ok when CMD succeeds.
check() {
	name=$1
	shift
	if out=$("$@" 2>&1); then
		ok "$name"
	else
		not_ok "$name" "$(echo "$out" | tail -n 1)"
	fi
}

# ktap_finished: exit 0 when every planned test ran and none failed.
ktap_finished() {
	if [ "$ktap_n" -ne "${ktap_plan:-0}" ]; then
		echo "# planned ${ktap_plan:-no} tests, ran $ktap_n"
		exit 1
	fi
	echo "# $ktap_name: $((ktap_n - ktap_bad)) ok, $ktap_bad not ok"
	[ "$ktap_bad" -eq 0 ]
}

# --- shadowmap ---

sm_load() {
	if [ -n "${SM_KO:-}" ]; then
		insmod "$SM_KO/shadowmap.ko" "$@"
	else
		modprobe shadowmap "$@"
	fi
}

sm_unload() {
	rmmod shadowmap
}

sm_loaded() {
	grep -q '^shadowmap ' /proc/modules
}

# sm_require: root, debugfs and the module are there, and the module is not
# loaded (a loaded one is unloaded first); otherwise skip the whole test.
# sm_require_cli: SM_CLI names the user CLI (default ../cli/shadowmap
# from the test); skip every test when it is not there.
sm_require_cli() {
	SM_CLI=${SM_CLI:-$(dirname "$0")/../cli/shadowmap}
	[ -f "$SM_CLI" ] || ktap_skip_all "no $SM_CLI (set SM_CLI)"
}

sm_require() {
	[ "$(id -u)" = 0 ] || ktap_skip_all "needs root"
	grep -q ' debugfs ' /proc/mounts ||
		ktap_skip_all "debugfs is not mounted (mount -t debugfs none /sys/kernel/debug)"
	if [ -n "${SM_KO:-}" ]; then
		[ -f "$SM_KO/shadowmap.ko" ] || ktap_skip_all "no $SM_KO/shadowmap.ko"
	else
		modinfo shadowmap >/dev/null 2>&1 ||
			ktap_skip_all "shadowmap is not installed (dkms install, or set SM_KO)"
	fi
	if sm_loaded && ! sm_unload 2>/dev/null; then
		ktap_skip_all "shadowmap is loaded and cannot be unloaded"
	fi
}

# sm_load_or_bail [PARAMS]: load the module before the plan, or report the
# failed load as the only result.
sm_own=
sm_load_or_bail() {
	sm_load "$@" 2>"$ktap_tmp/load.err" ||
		ktap_bail module_loads "insmod/modprobe: $(cat "$ktap_tmp/load.err")"
	sm_own=1
}

# sm_require_control: control takes writes (not under lockdown).
sm_require_control() {
	# Opening for writing writes nothing; lockdown refuses the open.
	{ true >"$SM_DIR/control"; } 2>/dev/null && return 0
	[ -z "$sm_own" ] || sm_unload
	ktap_skip_all "control refuses writes (kernel lockdown?): only load-time runs work here"
}

# sm_presets: the module's presets, one per line.
sm_presets() {
	cut -d ' ' -f 1 "$SM_DIR/presets"
}

# sm_last KEY: a value of `last`.
# sm_repeats N: N repeats at 4K pages, times page_size / 4K (at most the
# module's limit): a region has that many times fewer entries at larger
# pages, so a run meant to last as long repeats that many times more.
sm_repeats() {
	set -- "$1" "$(sed -n 's/^page_size: //p' "$SM_DIR/version")" "$(sm_limit repeat)"
	set -- $(($1 * ${2:-4096} / 4096)) "$3"
	echo $(($1 > $2 ? $2 : $1))
}

# sm_limit KEY: the most KEY (repeat, threads, samples) may be, from the
# module's limits file.
sm_limit() {
	while read -r sm_key _ sm_max; do
		[ "$sm_key" != "$1" ] || { echo "$sm_max"; return 0; }
	done <"$SM_DIR/limits"
	echo "# no $1 in $SM_DIR/limits" >&2
	return 1
}

sm_last() {
	# a read loop, no sed: a fork and exec cost the debug kernel 0.1 s
	while IFS= read -r sm_line; do
		case "$sm_line" in
		"$1: "*) printf '%s\n' "${sm_line#"$1: "}"; return 0 ;;
		esac
	done <"$SM_DIR/last"
}

# expect_last NAME KEY VALUE: the last run's KEY is VALUE.
expect_last() {
	v=$(sm_last "$2")
	expect "$1" "$2 is '$v', want '$3'" [ "$v" = "$3" ]
}

# expect_last_error NAME PATTERN: last_error matches the grep PATTERN.
expect_last_error() {
	expect "$1" "$(grep '^last_error' "$SM_DIR/last")" grep -q "^last_error: $2" "$SM_DIR/last"
}

# ctl_expect_errno NAME ERRTEXT COMMAND: a control write must fail so.
ctl_expect_errno() {
	if echo "$3" >"$SM_DIR/control" 2>"$ktap_tmp/ctl.err"; then
		not_ok "$1" "'$3' was accepted"
	else
		expect "$1" "'$3': $(cat "$ktap_tmp/ctl.err")" grep -q "$2" "$ktap_tmp/ctl.err"
	fi
}

# run_walker TAG COMMAND: one control command, one result "run_TAG" (the
# run verified every page); its `last` goes out as "# SM: LAST TAG key:
# value" lines, from which the host recomputes the counters.
run_walker() {
	if echo "$2" >"$SM_DIR/control" 2>"$ktap_tmp/ctl.err"; then
		report_run "$1"
	else
		report_refused "$1" "$2"
	fi
}

# report_refused TAG COMMAND: the control write of COMMAND failed.
report_refused() {
	not_ok "run_$1" "'$2': $(cat "$ktap_tmp/ctl.err"); $(grep '^last_error' "$SM_DIR/last")"
}

# report_run TAG: judge and print the `last` of a run that was accepted.
report_run() {
	sed "s/^/# SM: LAST $1 /" "$SM_DIR/last"
	expect "run_$1" "$(grep -E '^(status|verify_first_mismatch|last_error)' "$SM_DIR/last" | tr '\n' ' ')" \
		[ "$(sm_last status)" = pass ]
}

# unload_result: the closing result of a test that loaded the module.
unload_result() {
	check module_unloads sm_unload
}

# sm_wait_running SECONDS PID: wait until `last` names a command in
# progress, or until PID, the writer of that command, has exited (its
# command was over before it was seen).  Polls every 0.1 s: stress tests
# wait for hundreds of commands.
sm_wait_running() {
	sm_waited=0
	while [ "$(sm_last running)" = none ] && kill -0 "$2" 2>/dev/null &&
	      [ $sm_waited -lt $(($1 * 10)) ]; do
		sleep 0.1
		sm_waited=$((sm_waited + 1))
	done
}

# sm_wait_idle SECONDS: wait until `last` names no command in progress;
# sm_idle_waited says how many seconds it took (SECONDS: it never came).
sm_wait_idle() {
	sm_idle_waited=0
	while [ "$(sm_last running)" != none ] &&
	      [ $sm_idle_waited -lt "$1" ]; do
		sleep 1
		sm_idle_waited=$((sm_idle_waited + 1))
	done
}

# sm_events_total KIND: the live kernel's add or remove events so far.
sm_events_total() {
	n=$(sed -n "s/^total kind=$1 events=\([0-9]*\).*/\1/p" "$SM_DIR/events")
	echo "${n:-0}"
}

# free_kib: MemFree, plus the free pages on the per-CPU lists, which
# MemFree leaves out (6.7+ lets them grow large after a burst of frees).
free_kib() {
	pcp=$(awk '$1 == "count:" { n += $2 } END { print n + 0 }' /proc/zoneinfo)
	echo $(($(sed -n 's/^MemFree: *\([0-9]*\) kB/\1/p' /proc/meminfo) +
		pcp * $(sm_last page_size) / 1024))
}

# The CLI at $SM_CLI (the tests that use it set it), and its checks.
shadowmap() {
	sh "$SM_CLI" "$@"
}

# cli_status NAME STATUS PATTERN CMD...: CMD exits STATUS and says PATTERN
# (a grep pattern); its output is kept in $ktap_tmp/out.
cli_status() {
	name=$1 want=$2 pattern=$3
	shift 3
	"$@" >"$ktap_tmp/out" 2>&1
	rc=$?
	sed -n '1,4s/^/# /p' "$ktap_tmp/out"
	expect "$name" "exit status $rc, want $want with '$pattern'" \
		cli_said "$rc" "$want" "$pattern"
}

cli_said() {
	[ "$1" = "$2" ] && grep -q "$3" "$ktap_tmp/out"
}

memtotal_kib() {
	sed -n 's/^MemTotal: *\([0-9]*\) kB/\1/p' /proc/meminfo
}

# sm_arm_fixmap: arm the module's counting probes for the hot-add or
# hot-remove that follows (they disarm themselves when those stop).
sm_arm_fixmap() {
	echo 1 >/sys/module/shadowmap/parameters/live_fixmap ||
		echo "# could not arm the counting probes"
}

# sm_grow_again: ask the rig's host for SM_GROW more memory once more, and
# wait until MemTotal has grown and then stayed still for 2 s (virtio-mem
# plugs block after block with no pause, and may have kept blocks it could
# not unplug, so the growth can fall short of SM_GROW); with no growth in
# 10 s, it kept them all.  No result.
sm_grow_again() {
	sm_arm_fixmap
	echo "# SM: GROW $SM_GROW"
	from=$(memtotal_kib) was=$from still=0 i=0
	while [ $still -lt 4 ] && [ $i -lt 240 ]; do
		sleep 0.5
		i=$((i + 1))
		now=$(memtotal_kib)
		if [ $((now - from)) -lt 131072 ]; then
			[ $i -lt 20 ] || break
		elif [ "$now" = "$was" ]; then
			still=$((still + 1))
		else
			still=0
		fi
		was=$now
	done
	echo "# grew again to $(memtotal_kib) KiB in $((i / 2))s"
}

# sm_shrink: ask the rig's host to unplug all it added ("SM: SHRINK") and
# wait until a block or more is gone and the rest stays (virtio-mem keeps
# blocks it cannot offline): nothing going offline, MemTotal still for 5 s.
# Sets sm_shrunk_from, the MemTotal before; no result.
sm_shrink() {
	sm_shrunk_from=$(memtotal_kib)
	echo "# SM: SHRINK"
	i=0 still=0
	while [ $still -lt 5 ] && [ $i -lt 300 ]; do
		sleep 1
		i=$((i + 1))
		if [ $((sm_shrunk_from - $(memtotal_kib))) -ge 131072 ] &&
		   ! grep -q 'state=going-offline' "$SM_DIR/ranges"; then
			still=$((still + 1))
		else
			still=0
		fi
	done
	echo "# hot-removed $((sm_shrunk_from - $(memtotal_kib))) KiB in ${i}s"
}

# sm_grow [timed]: ask the rig's host for SM_GROW more memory ("SM: GROW",
# answered over QMP) and wait until the kernel has onlined all of it; one
# result.  The counting probes are armed for it, unless "timed": then they
# are disarmed, so that nothing traps inside the kernel's page-table loops,
# and the memory sm_shrink took is what comes back.
sm_grow() {
	case "$SM_GROW" in
	*G) want=$((${SM_GROW%G} * 1024 * 1024)) ;;
	*M) want=$((${SM_GROW%M} * 1024)) ;;
	*) not_ok "hotplug_grow${1:+_$1}" "bad SM_GROW '$SM_GROW'"; return ;;
	esac
	before=$(memtotal_kib)
	if [ "${1:-}" = timed ]; then
		echo 0 >/sys/module/shadowmap/parameters/live_fixmap ||
			echo "# could not disarm the counting probes"
		# virtio-mem may have kept blocks it could not unplug: back to
		# where the last shrink started, not SM_GROW more.
		want=$((${sm_shrunk_from:-0} - before))
	else
		sm_arm_fixmap
	fi
	echo "# SM: GROW $SM_GROW"
	i=0
	while [ $(($(memtotal_kib) - before)) -lt "$want" ] && [ $i -lt 300 ]; do
		sleep 1
		i=$((i + 1))
	done
	got=$(($(memtotal_kib) - before))
	echo "# hot-added $got KiB in ${i}s"
	expect "hotplug_grow${1:+_$1}" "MemTotal grew by $got KiB of $want in ${i}s" \
		[ "$got" -ge "$want" ]
}

# sm_find_unprivileged: find how to run a command as uid and gid 65534
# here (util-linux setpriv, or nsenter -S/-G, busybox's too); false if none.
sm_unprivileged_how=
sm_find_unprivileged() {
	for how in "setpriv --reuid=65534 --regid=65534 --clear-groups --" \
		"nsenter -S 65534 -G 65534 --"; do
		# shellcheck disable=SC2086
		if [ "$($how id -u 2>/dev/null)" = 65534 ]; then
			sm_unprivileged_how=$how
			return 0
		fi
	done
	return 1
}

# sm_unprivileged CMD...: run CMD as uid and gid 65534 (after
# sm_find_unprivileged).
sm_unprivileged() {
	# shellcheck disable=SC2086
	$sm_unprivileged_how "$@"
}

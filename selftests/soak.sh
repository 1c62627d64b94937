#!/bin/sh
# Soak: many mixed runs (every preset, vmalloc and contig, 4 to 16 MiB,
# verify and ptdump between them).  Afterwards MemFree and Slab come back
# to within 1 MiB of where they were after a warm-up, and nothing is held.
# Precondition: none (a loaded shadowmap is unloaded first).  Not under
# lockdown.  Environment: SM_SOAK_RUNS (default 1000).
. "$(dirname "$0")/ktap.sh"
sm_require
sm_load_or_bail
sm_require_control
runs=${SM_SOAK_RUNS:-1000}
presets=$(sm_presets)
np=$(echo $presets | wc -w)

ktap_plan 5
ok module_loads
meminfo() {
	sed -n "s/^$1: *\([0-9]*\) kB/\1/p" /proc/meminfo
}
# settle: drop caches and wait until MemFree stops moving (freed pages
# drain from the per-CPU lists over a few seconds).
settle() {
	sync
	echo 3 >/proc/sys/vm/drop_caches
	last=0 n=0
	while [ $n -lt 20 ]; do
		sleep 1
		now=$(meminfo MemFree)
		[ $((now - last)) -gt 256 ] || [ $((last - now)) -gt 256 ] || break
		last=$now
		n=$((n + 1))
	done
}
# soak N: N mixed runs; prints the failures.
soak() {
	i=0
	while [ $i -lt "$1" ]; do
		w=$(echo $presets | cut -d ' ' -f $((i % np + 1)))
		case $((i % 3)) in
		0|1) cmd="run size=$((4 << (i % 3)))M walker=$w" ;;
		*) cmd="run region=contig size=16M walker=$w" ;;
		esac
		echo "$cmd" >"$SM_DIR/control" 2>/dev/null || echo "'$cmd': $(sm_last last_error)"
		[ $((i % 10)) -ne 9 ] || echo verify >"$SM_DIR/control" || echo "verify after '$cmd'"
		[ $((i % 50)) -ne 49 ] || cat "$SM_DIR/ptdump" >/dev/null || echo "ptdump after '$cmd'"
		i=$((i + 1))
	done
	echo free >"$SM_DIR/control"
}
warm=$(soak 20)
settle
free0=$(free_kib) slab0=$(meminfo Slab)
bad=$(soak "$runs")
settle
free1=$(free_kib) slab1=$(meminfo Slab)
echo "# SM: SOAK runs=$runs memfree_drift_kib=$((free0 - free1)) slab_drift_kib=$((slab1 - slab0))"
expect soak_runs_pass "$(echo "$warm$bad" | head -n 3)" [ -z "$warm$bad" ]
# Within 1 MiB either way: a leak lowers free memory, and a rise would
# mean the first reading was not settled.
within_1m() {
	[ "$1" -lt 1024 ] && [ "$1" -gt -1024 ]
}
d=$((free0 - free1))
expect soak_memfree_returns "free memory $d KiB lower after $runs runs" within_1m "$d"
d=$((slab1 - slab0))
expect soak_slab_returns "Slab $d KiB higher after $runs runs" within_1m "$d"
unload_result
ktap_finished

#!/bin/sh
# The lab in the guest: walkers over one region or a matrix of them, in
# KTAP, each run's `last` as "# SM: LAST TAG key: value" lines for
# scripts/lab-table.py and scripts/bench-report.py.
# Usage: lab.sh [region=R] [size=S] [repeat=N] [walkers=all|none|a,b,...]
#               [cases=R:S,R:S,...] [steps=R:S] [hotplug=1] [report=R:S]
#               [parallel=R:S,R:S,...] [pthreads=N,N,...]
#   walkers=all (the default): every preset the module publishes; none:
#            no preset runs (parallel= alone, say).
#   cases    a matrix: every walker over each region:size; tags are
#            WALKER@REGION:SIZE (one case: the walker's name alone)
#   steps    also `shadowmap steps` over R:S, its CSV as "# SM: STEPSCSV"
#            lines (the host prints the table), its notes as "# SM:
#            STEPSNOTE" lines
#   hotplug  also hot-add SM_GROW (the rig answers) and run every walker
#            over it (tags WALKER@hotplug:SIZE)
#   report   also `shadowmap report` over R:S, the file as "# SM: REPORT"
#            lines
#   parallel also `direct` over each R:S with each thread count of
#            pthreads (default 1,2), prounds times in turn (default 1),
#            tags parallel:R:S:tN:ROUND
. /selftests/ktap.sh
SM_CLI=${SM_CLI:-/cli/shadowmap}
region=vmalloc size=1G repeat=3 walkers=all cases= steps= hotplug= report=
parallel= pthreads=1,2 prounds=1
for a in "$@"; do
	case "$a" in
	region=*) region=${a#region=} ;;
	size=*) size=${a#size=} ;;
	repeat=*) repeat=${a#repeat=} ;;
	walkers=*) walkers=${a#walkers=} ;;
	cases=*) cases=${a#cases=} ;;
	steps=*) steps=${a#steps=} ;;
	hotplug=1) hotplug=1 ;;
	report=*:*) report=${a#report=} ;;
	parallel=*:*) parallel=${a#parallel=} ;;
	pthreads=[1-9]*) pthreads=${a#pthreads=} ;;
	prounds=[1-9]*) prounds=${a#prounds=} ;;
	*) ktap_bail lab_args "unknown lab option '$a'" ;;
	esac
done
case "$steps" in
''|*:*) ;;
*) ktap_bail lab_args "steps=$steps: want REGION:SIZE" ;;
esac
[ -z "$hotplug" ] || [ -n "${SM_GROW:-}" ] ||
	ktap_bail lab_args "hotplug=1 needs the rig's virtio-mem (guest-run.sh --grow)"
sm_require
sm_load_or_bail
sm_require_control
if [ "$walkers" = all ]; then
	walkers=$(sm_presets)
elif [ "$walkers" = none ]; then
	walkers=
else
	walkers=$(echo "$walkers" | tr ',' ' ')
fi
matrix=1
[ -n "$cases" ] || { cases=$region:$size matrix=; }
cases=$(echo "$cases" | tr ',' ' ')
# shellcheck disable=SC2086
nw=$(echo $walkers | wc -w)
# shellcheck disable=SC2086
nc=$(echo $cases | wc -w)
plan=$((2 + nw * nc))
[ -z "$steps" ] || plan=$((plan + 1))
[ -z "$hotplug" ] || plan=$((plan + 1 + nw))
[ -z "$report" ] || plan=$((plan + 1))
parallel=$(echo "$parallel" | tr ',' ' ')
pthreads=$(echo "$pthreads" | tr ',' ' ')
# shellcheck disable=SC2086
[ -z "$parallel" ] || plan=$((plan + $(echo $parallel | wc -w) * $(echo $pthreads | wc -w) * prounds))
ktap_plan "$plan"
ok module_loads
for c in $cases; do
	r=${c%%:*} s=${c#*:}
	for w in $walkers; do
		tag=$w
		[ -z "$matrix" ] || tag=$w@$c
		run_walker "$tag" "run region=$r size=$s walker=$w repeat=$repeat"
	done
done
# The split walker: the same region at each thread count in turn, and
# again each round, so that a slow spell of the emulator hits all alike.
for c in $parallel; do
	r=${c%%:*} s=${c#*:}
	k=1
	while [ "$k" -le "$prounds" ]; do
		for t in $pthreads; do
			run_walker "parallel:$c:t$t:$k" \
				"run region=$r size=$s walker=direct threads=$t repeat=$repeat"
		done
		k=$((k + 1))
	done
done
if [ -n "$steps" ]; then
	r=${steps%%:*} s=${steps#*:}
	args="region=$r size=$s repeat=$repeat"
	check steps sh -c "sh '$SM_CLI' --format csv steps $args >'$ktap_tmp/steps.csv' 2>'$ktap_tmp/steps.err'"
	sed 's/^/# SM: STEPSCSV /' "$ktap_tmp/steps.csv"
	sed 's/^/# SM: STEPSNOTE /' "$ktap_tmp/steps.err"
fi
if [ -n "$hotplug" ]; then
	sm_grow
	for w in $walkers; do
		run_walker "$w@hotplug:$SM_GROW" \
			"run region=hotplug index=all walker=$w repeat=$repeat"
	done
fi
if [ -n "$report" ]; then
	r=${report%%:*} s=${report#*:}
	check report sh -c "sh '$SM_CLI' report region=$r size=$s repeat=$repeat out='$ktap_tmp/report.md' >'$ktap_tmp/report.out' 2>&1 || { tail -n 3 '$ktap_tmp/report.out'; exit 1; }"
	[ ! -f "$ktap_tmp/report.md" ] || sed 's/^/# SM: REPORT /' "$ktap_tmp/report.md"
fi
# The costs the predictions used: this boot's.
sed 's/^/# SM: COSTS /' "$SM_DIR/costs"
unload_result
ktap_finished

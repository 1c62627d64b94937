#!/bin/sh
# The lab in the guest: walkers over one region, in KTAP, each run's `last`
# as "# SM: LAST WALKER key: value" lines for scripts/lab-table.py.
# Usage: lab.sh [region=R] [size=S] [repeat=N] [walkers=all|a,b,...]
#   walkers=all (the default): every preset the module publishes.
. /selftests/ktap.sh
region=vmalloc size=1G repeat=3 walkers=all
for a in "$@"; do
	case "$a" in
	region=*) region=${a#region=} ;;
	size=*) size=${a#size=} ;;
	repeat=*) repeat=${a#repeat=} ;;
	walkers=*) walkers=${a#walkers=} ;;
	*) ktap_bail lab_args "unknown lab option '$a'" ;;
	esac
done
sm_require
sm_load_or_bail
sm_require_control
if [ "$walkers" = all ]; then
	walkers=$(sm_presets)
else
	walkers=$(echo "$walkers" | tr ',' ' ')
fi
# shellcheck disable=SC2086
ktap_plan $((2 + $(echo $walkers | wc -w)))
ok module_loads
for w in $walkers; do
	run_walker "$w" "run region=$region size=$size walker=$w repeat=$repeat"
done
# The costs the predictions used: this boot's.
sed 's/^/# SM: COSTS /' "$SM_DIR/costs"
unload_result
ktap_finished

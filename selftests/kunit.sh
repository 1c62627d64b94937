#!/bin/sh
# KUnit: load shadowmap_kunit.ko, the suites of kunit/, beside shadowmap.ko;
# each suite passes when its debugfs results end "ok".  The suites run as
# the module loads.  Each is named "# SM: KUNIT-SUITE NAME" for the rig,
# which also judges, case by case, the KTAP the kernel printed
# (scripts/parse-console.sh).  Runs before lockdown (run.sh): a locked-down
# kernel loads no unsigned module.
# Precondition: shadowmap_kunit.ko in SM_KO, or installed; it is built only
# against a kernel with CONFIG_KUNIT, which Debian's kernels do not have.
. "$(dirname "$0")/ktap.sh"
sm_require
if [ -n "${SM_KO:-}" ]; then
	[ -f "$SM_KO/shadowmap_kunit.ko" ] ||
		ktap_skip_all "no $SM_KO/shadowmap_kunit.ko (built only against a kernel with CONFIG_KUNIT)"
	load_kunit() { insmod "$SM_KO/shadowmap_kunit.ko"; }
else
	modinfo shadowmap_kunit >/dev/null 2>&1 ||
		ktap_skip_all "no shadowmap_kunit module installed (built only against a kernel with CONFIG_KUNIT)"
	load_kunit() { modprobe shadowmap_kunit; }
fi
sm_load_or_bail
# The suites are known once loaded: the plan follows the load.  They
# print their KTAP at KERN_INFO, which the rig reads on the console: let
# it through while they run (nothing else writes then).
console_level=$(cut -f 1 /proc/sys/kernel/printk)
dmesg -n 7 2>/dev/null
load_kunit >"$ktap_tmp/kunit.err" 2>&1
loaded=$?
dmesg -n "$console_level" 2>/dev/null
suites=
for d in /sys/kernel/debug/kunit/shadowmap*; do
	[ -f "$d/results" ] && suites="$suites ${d##*/}"
done
# shellcheck disable=SC2086
set -- $suites
ktap_plan $((4 + $#))
ok module_loads
expect kunit_loads "$(cat "$ktap_tmp/kunit.err")" [ "$loaded" -eq 0 ]
expect kunit_suites_found "no shadowmap suites in /sys/kernel/debug/kunit" \
	[ $# -gt 0 ]
for s in "$@"; do
	echo "# SM: KUNIT-SUITE $s"
	verdict=$(grep -E "^(not )?ok [0-9]+ $s( |\$)" "/sys/kernel/debug/kunit/$s/results" |
		tail -n 1)
	expect "$s" "results end '$verdict'" [ "${verdict%% *}" = ok ]
done
[ "$loaded" -ne 0 ] || rmmod shadowmap_kunit
unload_result
ktap_finished

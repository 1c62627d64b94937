#!/bin/sh
# KUnit in the guest: load shadowmap.ko and shadowmap_kunit.ko and print
# every suite's /sys/kernel/debug/kunit/<suite>/results between
# "# SM: KUNIT-BEGIN SUITE" and "# SM: KUNIT-END SUITE", each line behind
# "# SM: KUNIT " (so that it stays out of this script's own KTAP); the host
# parses them with the kernel tree's kunit.py.
. /selftests/ktap.sh
sm_require
sm_load_or_bail
ktap_plan 4
ok module_loads
check kunit_load_tests insmod "$SM_KO/shadowmap_kunit.ko"
found=
for d in /sys/kernel/debug/kunit/shadowmap*; do
	[ -f "$d/results" ] || continue
	found=1
	echo "# SM: KUNIT-BEGIN ${d##*/}"
	sed 's/^/# SM: KUNIT /' "$d/results"
	echo "# SM: KUNIT-END ${d##*/}"
done
expect kunit_suites_found "no suites in debugfs" [ -n "$found" ]
rmmod shadowmap_kunit
unload_result
ktap_finished

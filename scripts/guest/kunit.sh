#!/bin/sh
# KUnit in the guest: load shadowmap.ko and shadowmap_kunit.ko and name
# every suite found in /sys/kernel/debug/kunit/ as "# SM: KUNIT-SUITE NAME".
# The host judges the suites' KTAP that the kernel printed on the console
# (parse-console.sh) and checks it holds each suite named here.
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
	echo "# SM: KUNIT-SUITE ${d##*/}"
done
expect kunit_suites_found "no suites in debugfs" [ -n "$found" ]
rmmod shadowmap_kunit
unload_result
ktap_finished

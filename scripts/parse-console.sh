#!/bin/sh
# Judge a guest console log.
# Usage: parse-console.sh LOG KERNEL STATUS KDIR
#   STATUS is "done" when the guest printed "SM: DONE", else "timeout".
#   KDIR is the kernel build/headers tree; its source tree's kunit.py parses
#   the KUnit results that the guest printed.
# Prints the guest's results, then "guest: N passed, N failed".
set -eu
. "$(dirname "$0")/lib.sh"

log=$1 kernel=$2 status=$3 kdir=$4
passed=0
failed=0
ok() { passed=$((passed + 1)); }
bad() { failed=$((failed + 1)); echo "FAIL [$kernel] $*"; }

if [ "$status" != done ]; then
	bad "guest did not finish (timeout or hang); last console lines:"
	tail -n 15 "$log" | sed 's/^/    /'
fi
if ! grep -q '^SM: BOOTED' "$log"; then
	bad "guest never reached the test script (kernel or initramfs problem)"
elif ! grep -q '^SM: END-OF-TESTS' "$log"; then
	bad "guest test script stopped before its end (results missing)"
fi

# The kernel's own alarms, wherever they are printed.
alarms=$(grep -nE 'Oops|BUG:|WARNING:|Call trace:|Kernel panic|kernel BUG' "$log" | head -n 8 || true)
if [ -n "$alarms" ]; then
	bad "kernel console shows Oops/BUG/WARNING/Call trace:"
	echo "$alarms" | sed 's/^/    /'
fi

# Guest test lines.
while IFS= read -r line; do
	case "$line" in
	"SM: PASS "*) ok ;;
	"SM: FAIL "*) bad "${line#SM: FAIL }" ;;
	esac
done <"$log"

# KUnit: the results files, judged case by case and summarised by the
# tree's own kunit.py.
if grep -q '^SM: KUNIT-BEGIN' "$log"; then
	ktap=${log%.log}.ktap
	suites=$(grep -c '^SM: KUNIT-BEGIN' "$log")
	{
		echo "KTAP version 1"
		echo "1..$suites"
		# Each results file is a KTAP document of its own: drop their
		# top-level headers and renumber the suite lines.
		awk '/^SM: KUNIT-BEGIN/ { on = 1; n++; next }
		     /^SM: KUNIT-END/ { on = 0 }
		     !on { next }
		     /^(KTAP|TAP) version/ || /^1\.\.[0-9]+$/ { next }
		     /^(not )?ok [0-9]+/ { sub(/ok [0-9]+/, "ok " n) }
		     { print }' "$log"
	} >"$ktap"
	# Case results are indented one level, suite results are not.
	cases_ok=$(grep -cE '^[[:space:]]+ok [0-9]' "$ktap" || true)
	cases_bad=$(grep -cE '^[[:space:]]+not ok [0-9]' "$ktap" || true)
	passed=$((passed + cases_ok))
	failed=$((failed + cases_bad))
	[ "$cases_bad" -eq 0 ] ||
		grep -E '^[[:space:]]+not ok [0-9]|^[[:space:]]+# .*(Expected|EXPECTATION|ASSERTION)' "$ktap" |
		head -n 20 | sed "s/^/FAIL [$kernel] kunit: /"
	src=$(readlink -f "$kdir/source" 2>/dev/null || echo "$kdir")
	kunitpy=$src/tools/testing/kunit/kunit.py
	if [ -f "$kunitpy" ]; then
		if python3 "$kunitpy" parse <"$ktap" >"$ktap.parsed" 2>&1; then
			ok
		else
			bad "kunit.py parse reports failures"
		fi
		sed "s/^\[[0-9:]*\] //" "$ktap.parsed" |
			sed "s/^/[$kernel] kunit.py: /"
	else
		bad "no kunit.py in $src"
	fi
	[ "$cases_ok" -gt 0 ] || bad "KUnit printed no passing case"
fi

# The counters of every run against the README's closed forms.
if grep -q '^SM: LAST ' "$log"; then
	python3 "$SHADOWMAP_TOP/scripts/lab-table.py" --check "$log" >"$log.formulas" || true
	grep '^FAIL' "$log.formulas" | sed "s/^FAIL /FAIL [$kernel] /" || true
	counts=$(sed -n 's/^host: \([0-9]*\) passed, \([0-9]*\) failed$/\1 \2/p' "$log.formulas")
	if [ -n "$counts" ]; then
		passed=$((passed + ${counts% *}))
		failed=$((failed + ${counts#* }))
		[ "$counts" = "0 0" ] ||
			echo "[$kernel] formulas: ${counts% *} runs match the README's closed forms"
	else
		bad "lab-table.py --check printed no verdict"
	fi
fi

grep -E '^SM: (PASS|INFO|TABLE|NOTE) ' "$log" | sed "s/^SM: /[$kernel] /"
echo "guest: $passed passed, $failed failed"
[ "$failed" -eq 0 ]

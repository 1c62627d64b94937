#!/bin/sh
# Judge a guest console log.
# Usage: parse-console.sh LOG KERNEL STATUS KDIR
#   STATUS is "done" when the guest printed "SM: DONE", else "timeout".
#   KDIR is the kernel build/headers tree; in kunit mode its source tree's
#   kunit.py parses the KUnit results that the guest printed.
# The guest's own KTAP (selftests/run.sh, or the lab and KUnit scripts) is
# parsed by linux-source-6.12's kunit.py; every leaf test counts.  Prints
# the results, then "guest: N passed, N failed".
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
grep -q '^SM: BOOTED' "$log" ||
	bad "guest never reached its script (kernel or initramfs problem)"

# The kernel's own alarms, wherever they are printed.
# KASAN and soft lockups say BUG:, lockdep WARNING:; hung tasks, RCU stalls,
# kmemleak (the guest's explicit scan) and the OOM killer have their own.
alarms=$(grep -nE 'Oops|BUG:|WARNING:|Call trace:|Kernel panic|kernel BUG|blocked for more than|detected stalls|rcu_.*self-detected stall|unreferenced object|invoked oom-killer|Out of memory:' "$log" | head -n 8 || true)
if [ -n "$alarms" ]; then
	bad "kernel console shows Oops/BUG/WARNING/Call trace/hung task/stall/leak/OOM:"
	echo "$alarms" | sed 's/^/    /'
fi

# kunit_parse KUNIT_PY KTAP LABEL: kunit.py's verdict on a KTAP file (fed
# on stdin: kunit.py changes directory) is one result; its leaf counts add
# to ours.  Prints its failures and summary.
kunit_parse() {
	if python3 "$1" parse <"$2" >"$2.parsed" 2>&1; then ok; else bad "$3: kunit.py parse reports failures"; fi
	sed 's/^\[[0-9:]*\] //' "$2.parsed" | grep -vE '^\[PASSED\]|^=+$' | sed "s/^/[$kernel] $3: /"
	summary=$(grep -o 'Ran [0-9]* tests*:.*' "$2.parsed" | tail -n 1)
	[ -n "$summary" ] || { bad "$3: kunit.py printed no summary"; return 0; }
	for k in passed failed crashed errors; do
		n=$(echo "$summary" | sed -n "s/.*$k: \([0-9]*\).*/\1/p")
		case "$k" in
		passed) passed=$((passed + ${n:-0})) ;;
		*) failed=$((failed + ${n:-0})) ;;
		esac
	done
}

# The guest's KTAP: the console without the kernel's messages (they carry
# a printk time stamp; KUnit's own KTAP among them would confuse the parse).
if ! grep -q '^SM: BOOTED .* mode=idle' "$log"; then
	grep -v '^\[ *[0-9]*\.[0-9]*\] ' "$log" >"$log.guest" || true
	kunit_parse "$(sh "$SHADOWMAP_TOP/scripts/kernel-source.sh" 6.12)/tools/testing/kunit/kunit.py" \
		"$log.guest" ktap
	awk '/^[[:space:]]*not ok [0-9]+ / { sub(/^[[:space:]]*not ok [0-9]+ /, ""); print $0 ": " why }
	     { why = $0; sub(/^[[:space:]]*# /, "", why) }' "$log.guest" | sed "s/^/FAIL [$kernel] /"
fi

# KUnit: the suites' KTAP as the kernel printed it on the console, judged
# case by case and summarised by the tree's own kunit.py.  Not the debugfs
# results files: 6.1 keeps only a parameterised case's last parameter there
# (the log is cleared per parameter), and so would miss failures.  Module
# suites print no top-level header: give them one and number them in turn.
if grep -q '^[[:space:]]*# SM: KUNIT-SUITE' "$log"; then
	ktap=${log%.log}.ktap
	sed -n 's/^\[ *[0-9]*\.[0-9]*\] //p' "$log" | awk '
		/^    KTAP version 1$/ { on = 1 }
		on && /^(not )?ok [0-9]+ shadowmap_/ {
			n++; sub(/ok [0-9]+/, "ok " n); out = out $0 "\n"; on = 0; next }
		on && /^    / { out = out $0 "\n" }
		END { printf "KTAP version 1\n1..%d\n%s", n, out }' >"$ktap"
	suites=$(sed -n 2p "$ktap")
	want=1..$(grep -c '^[[:space:]]*# SM: KUNIT-SUITE' "$log")
	[ "$suites" = "$want" ] ||
		bad "kunit: the console has $suites suites, debugfs $want"
	# Case and parameter results are indented, suite results are not.
	# A case a kunit.filter left out says "# SKIP": no pass.
	cases_ok=$(grep -E '^[[:space:]]+ok [0-9]' "$ktap" | grep -cv ' # SKIP' || true)
	cases_skipped=$(grep -cE '^[[:space:]]+ok [0-9].* # SKIP' "$ktap" || true)
	cases_bad=$(grep -cE '^[[:space:]]+not ok [0-9]' "$ktap" || true)
	[ "$cases_skipped" -eq 0 ] || echo "[$kernel] kunit: $cases_skipped cases skipped"
	passed=$((passed + cases_ok))
	failed=$((failed + cases_bad))
	[ "$cases_bad" -eq 0 ] ||
		grep -E '^[[:space:]]+not ok [0-9]|^[[:space:]]+# .*(Expected|EXPECTATION|ASSERTION)' "$ktap" |
		head -n 20 | sed "s/^/FAIL [$kernel] kunit: /"
	src=$(readlink -f "$kdir/source" 2>/dev/null || echo "$kdir")
	if [ -f "$src/tools/testing/kunit/kunit.py" ]; then
		# kunit.py exits 0 on some parse errors: read its words too.
		if python3 "$src/tools/testing/kunit/kunit.py" parse <"$ktap" >"$ktap.parsed" 2>&1 &&
		   ! grep -qE '\[ERROR\]|CRASHED|\[FAILED\]' "$ktap.parsed"; then
			ok
		else
			bad "kunit.py parse reports failures or parse errors"
		fi
		sed "s/^\[[0-9:]*\] //" "$ktap.parsed" | sed "s/^/[$kernel] kunit.py: /"
	else
		bad "no kunit.py in $src"
	fi
	[ "$cases_ok" -gt 0 ] || bad "KUnit printed no passing case"
fi

# The counters of every run against the closed forms of docs/counters.md.
if grep -q 'SM: LAST ' "$log"; then
	python3 "$SHADOWMAP_TOP/scripts/lab-table.py" --check "$log" >"$log.formulas" || true
	grep '^FAIL' "$log.formulas" | sed "s/^FAIL /FAIL [$kernel] /" || true
	counts=$(sed -n 's/^host: \([0-9]*\) passed, \([0-9]*\) failed$/\1 \2/p' "$log.formulas")
	if [ -n "$counts" ]; then
		passed=$((passed + ${counts% *}))
		failed=$((failed + ${counts#* }))
		[ "$counts" = "0 0" ] ||
			echo "[$kernel] formulas: ${counts% *} runs match the closed forms (docs/counters.md)"
	else
		bad "lab-table.py --check printed no verdict"
	fi
fi

# Where the guest's time went: seconds per selftest (selftests/run.sh).
times=$(sed -n 's/^# SM: TIME \([^ ]*\) \([0-9]*\)$/\1 \2/p' "$log" | tr '\n' ' ' |
	sed 's/\([^ ]*\) \([0-9]*\) /\1 \2, /g; s/, $//')
[ -z "$times" ] || echo "[$kernel] seconds per test: $times"

# The guest's notes: diagnostics other than data lines, and what it skipped.
grep -E '^SM: NOTE |^[[:space:]]*# |^ok [0-9]+ .* # SKIP ' "$log" |
	grep -vE '# (SM: |Subtest: )' |
	sed "s/^[[:space:]]*# //; s/^ok [0-9]* \(.*\) # SKIP /skipped \1: /; s/^/[$kernel] /" || true
echo "guest: $passed passed, $failed failed"
[ "$failed" -eq 0 ]

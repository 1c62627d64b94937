#!/bin/sh
# Run shadowmap's selftests and print one KTAP document, each test a
# subtest, then a totals line.  Exit status 0 when none failed.
#
# Usage: sh selftests/run.sh [TEST...]     (default: every test here but
#                                          the long ones: soak,
#                                          concurrency, fuzz and
#                                          hotplug-stress)
#        sh selftests/run.sh --except=TEST[,TEST...]   (the default less
#                                          those)
#
# As root on an arm64 machine, with the module installed (dkms install) or
# SM_KO=DIR naming a directory with shadowmap.ko; see ktap.sh for the rest
# of the environment.  hotplug-live runs first, so that it can use memory
# hot-added while an already loaded shadowmap recorded it; every other test
# unloads a loaded shadowmap and loads its own.  lockdown runs last, however
# the tests are named: it raises kernel lockdown, which lasts until reboot.
set -u
here=$(cd "$(dirname "$0")" && pwd)
# Long tests run only when named (the rig gives them stages of their own).
long='soak|concurrency|fuzz|hotplug-stress'
# The tests here, hotplug-live first, on one line.
tests() {
	for f in "$here"/*.sh; do
		f=${f##*/}
		echo "${f%.sh}"
	done | grep -vxE "ktap|run|hotplug-live|$long" | tr '\n' ' ' | sed 's/^/hotplug-live /; s/ $//'
}
except=
case "${1:-}" in
--except=*)
	except=$(echo "${1#--except=}" | tr ',' ' ')
	shift
	[ $# -eq 0 ] || {
		echo "run.sh: --except takes no test names after it" >&2
		exit 2
	}
	for t in $except; do
		case " $(tests) " in
		*" $t "*) ;;
		*) echo "run.sh: --except: no test '$t' in the default set (have: $(tests))" >&2
		   exit 2 ;;
		esac
	done ;;
--*)
	echo "run.sh: unknown option '$1' (run.sh [TEST...] or run.sh --except=TEST[,TEST...])" >&2
	exit 2 ;;
esac
if [ $# -eq 0 ]; then
	for t in $(tests); do
		case " $except " in
		*" $t "*) ;;
		*) set -- "$@" "$t" ;;
		esac
	done
fi
lockdown=
for t in "$@"; do
	[ -f "$here/$t.sh" ] || {
		echo "run.sh: no test '$t' (have: $(tests))" >&2
		exit 2
	}
	shift
	if [ "$t" = lockdown ]; then lockdown=1; else set -- "$@" "$t"; fi
done
[ -z "$lockdown" ] || set -- "$@" lockdown
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT

echo "KTAP version 1"
echo "1..$#"
n=0 pass=0 fail=0 skipped=0
for t in "$@"; do
	n=$((n + 1))
	rm -f "$tmp/skip"
	t0=$(date +%s)
	# The test's own KTAP, indented as a subtest, with its name after
	# the version line; a skip reason is kept for the result line.
	{ sh "$here/$t.sh"; echo $? >"$tmp/rc"; } 2>&1 | awk -v t="$t" -v f="$tmp/skip" '
		{ print "    " $0; fflush() }
		NR == 1 { print "    # Subtest: " t; fflush() }
		/^ok [0-9]+ .* # SKIP / { r = $0; sub(/.* # SKIP /, "", r) }
		END { if (r != "") print r >f }'
	case "$(cat "$tmp/rc")" in
	0) pass=$((pass + 1)); echo "ok $n $t" ;;
	4) skipped=$((skipped + 1)); echo "ok $n $t # SKIP $(cat "$tmp/skip" 2>/dev/null)" ;;
	*) fail=$((fail + 1)); echo "not ok $n $t" ;;
	esac
	# where a stage's time goes (the rig prints these in one line)
	echo "# SM: TIME $t $(($(date +%s) - t0))"
done
echo "# Totals: pass:$pass fail:$fail skip:$skipped"
[ "$fail" -eq 0 ]

#!/bin/sh
# Host-side tests of the rig itself: syntax, bad input to every script gets
# a clear message and a non-zero exit, and versions agree.
set -u
. "$(dirname "$0")/lib.sh"

passed=0
failed=0
t_ok() { passed=$((passed + 1)); }
t_bad() { failed=$((failed + 1)); echo "FAIL host: $*"; }

cd "$SHADOWMAP_TOP" || exit 1
# Runs first on a fresh machine: nothing of the cache exists yet.
err=$(mktemp)
trap 'rm -f "$err"' EXIT
# POSIX sh: every script must parse under dash, the guest ones under
# busybox's ash as well (dash is the stricter of the two here).
for f in scripts/*.sh scripts/shadowmap scripts/guest/*.sh scripts/guest/init .ci/run; do
	[ -f "$f" ] || continue
	case "$f" in
	.ci/run) sh_=bash ;;
	*) sh_=dash ;;
	esac
	if $sh_ -n "$f" 2>"$err"; then
		t_ok
	else
		t_bad "$f: $(cat "$err")"
	fi
done
python3 -m py_compile scripts/qmp-grow.py && t_ok || t_bad "qmp-grow.py does not compile"

# expect_error NAME PATTERN CMD...: CMD must fail and say PATTERN.
expect_error() {
	name=$1 pattern=$2
	shift 2
	if out=$("$@" 2>&1); then
		t_bad "$name: succeeded, expected an error"
	elif echo "$out" | grep -q "$pattern"; then
		t_ok
	else
		t_bad "$name: message '$out' lacks '$pattern'"
	fi
}
expect_error guest-run-kernel "unknown kernel" sh scripts/guest-run.sh --kernel debian-5.10 --mode idle
expect_error guest-run-mode "unknown mode" sh scripts/guest-run.sh --mode bogus
expect_error guest-run-option "unknown option" sh scripts/guest-run.sh --frobnicate
expect_error guest-run-timeout "wants seconds" sh scripts/guest-run.sh --timeout soon
expect_error kernel-build-ver "unknown kernel series" sh scripts/kernel-build.sh 5.10
expect_error debian-kernels-ver "unknown kernel series" sh scripts/debian-kernels.sh 4.19
expect_error lab-option "unknown option" sh scripts/lab.sh --frobnicate
expect_error check-option "usage" sh scripts/check.sh --frobnicate
expect_error qmp-grow-args "Usage" python3 scripts/qmp-grow.py
expect_error cli-usage "Usage" sh scripts/shadowmap bogus
SHADOWMAP_DEBUGFS=/nonexistent/shadowmap expect_error cli-no-module "load the module\|debugfs is not mounted" \
	sh scripts/shadowmap last
expect_error make-arch "arm64 only" make -s ARCH=x86 KDIR=/nonexistent
expect_error make-kdir "does not exist" make -s KDIR=/nonexistent

ver=$(sed -n 's/^PACKAGE_VERSION="\(.*\)"/\1/p' dkms.conf)
src_ver=$(sed -n 's/^#define SHADOWMAP_VERSION "\(.*\)"/\1/p' src/shadowmap.h)
[ -n "$ver" ] && [ "$ver" = "$src_ver" ] && t_ok ||
	t_bad "dkms.conf version '$ver' != SHADOWMAP_VERSION '$src_ver'"
grep -q '^BUILD_EXCLUSIVE_ARCH=' dkms.conf && t_ok || t_bad "dkms.conf lacks BUILD_EXCLUSIVE_ARCH"

echo "host: $passed passed, $failed failed"
[ "$failed" -eq 0 ]

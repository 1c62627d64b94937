#!/bin/sh
# Secure Boot, for real: a kernel that forces module signatures, trusts the
# signing key (as shim's MOK list does), and runs under lockdown.  The
# unsigned module is refused; the signed one loads and its load-time run
# works; only the files debugfs allows under lockdown open; the CLI says
# what to do instead of writing control.
# Precondition: kernel lockdown on; skips otherwise.  The rig signs the
# module as dkms does and keeps an unsigned copy in $SM_KO/unsigned.
. "$(dirname "$0")/ktap.sh"
sec=/sys/kernel/security
[ -f $sec/lockdown ] || mount -t securityfs securityfs $sec 2>/dev/null
grep -qE '\[(integrity|confidentiality)\]' $sec/lockdown 2>/dev/null ||
	ktap_skip_all "kernel lockdown is off ($(cat $sec/lockdown 2>/dev/null || echo 'no securityfs'))"
sm_require

ktap_plan 9
if [ -f "${SM_KO:-}/unsigned/shadowmap.ko" ]; then
	if insmod "$SM_KO/unsigned/shadowmap.ko" 2>"$ktap_tmp/unsigned.err"; then
		rmmod shadowmap
		not_ok unsigned_module_refused "the unsigned module loaded"
	else
		ok unsigned_module_refused
		echo "# insmod unsigned: $(cat "$ktap_tmp/unsigned.err")"
	fi
else
	skip unsigned_module_refused "no unsigned copy (the rig keeps one in \$SM_KO/unsigned)"
fi
if ! sm_load run=1 region=vmalloc size=4M walker=v6.1 2>"$ktap_tmp/load.err"; then
	echo "# insmod: $(cat "$ktap_tmp/load.err")"
	dmesg | tail -n 8 | sed 's/^/# /'
	ktap_bail module_loads_signed "the signed module did not load"
fi
sm_own=1
ok module_loads_signed
expect_last load_time_run_passes status pass
if { true >"$SM_DIR/control"; } 2>/dev/null; then
	not_ok control_closed "control opened for writing under lockdown"
else
	ok control_closed
fi
bad=
for f in last history presets axes counters version events ptdump; do
	cat "$SM_DIR/$f" >/dev/null 2>&1 || bad="$bad $f"
done
expect readable_files_open "not readable:$bad" [ -z "$bad" ]
sh "$(dirname "$0")/../cli/shadowmap" run size=4M >"$ktap_tmp/cli.out" 2>&1
rc=$?
sed "s/^/# cli: /" "$ktap_tmp/cli.out"
expect cli_names_lockdown "rc=$rc" grep -qi 'locked down' "$ktap_tmp/cli.out"
expect cli_exits_6 "rc=$rc, want 6 (lockdown)" [ "$rc" -eq 6 ]
expect cli_names_the_way_in "no 'run=1' in the advice" grep -q 'run=1' "$ktap_tmp/cli.out"
unload_result
ktap_finished

#!/bin/sh
# The CLI under kernel lockdown: control is closed (exit status 6, naming
# lockdown and the module-parameter route, never a stale last_error), the
# read-only files still read, and the causes checked before lockdown (not
# root 3, module not loaded 5) still come first.
# Raising lockdown lasts until reboot and unsigned modules no longer load
# after it: run.sh runs this test last, and it raises lockdown only when
# SM_LOCKDOWN_RAISE=1 (the rig's guests) or tests a kernel locked down
# already.  SM_CLI names the CLI (default: ../cli/shadowmap from here).
. "$(dirname "$0")/ktap.sh"
SM_CLI=${SM_CLI:-$(dirname "$0")/../cli/shadowmap}
lockdown=/sys/kernel/security/lockdown
[ -f "$SM_CLI" ] || ktap_skip_all "no $SM_CLI (set SM_CLI)"
sm_require
[ -r "$lockdown" ] || mount -t securityfs securityfs /sys/kernel/security 2>/dev/null
[ -r "$lockdown" ] || ktap_skip_all "no $lockdown (a kernel without the lockdown LSM)"
level=$(sed -n 's/.*\[\(.*\)\].*/\1/p' "$lockdown")
[ "$level" != none ] || [ "${SM_LOCKDOWN_RAISE:-}" = 1 ] ||
	ktap_skip_all "not locked down, and raising lockdown lasts until reboot (SM_LOCKDOWN_RAISE=1 to raise it)"
# Loaded before lockdown, with a run at load time for `last` to show.
sm_load_or_bail run=1 region=vmalloc size=4M walker=v6.1
ktap_plan 10

# names_the_way_in: the CLI's output names the load-time run of the same
# size, then `last`, and no stale last_error ("'run size=4M': none").
names_the_way_in() {
	grep -q "modprobe shadowmap run=1 size=4M; then: shadowmap last" "$ktap_tmp/out" &&
		! grep -q ": none" "$ktap_tmp/out"
}

# every_axis_passed: the hint for a run that names every axis (a preset's
# values, from the module's presets file) hands each word to axes=, and
# names every axis the module's axes file lists.
every_axis_passed() {
	hint=$(grep -o 'axes="[^"]*"' "$ktap_tmp/out") || return 1
	while read -r key _; do
		[ "$key" != region ] || continue
		case " ${hint#axes=\"} " in
		*" $key="*) ;;
		*) echo "# no $key= in $hint"; return 1 ;;
		esac
	done <"$SM_DIR/axes"
	[ "$hint" = "axes=\"$preset_words\"" ]
}
preset_words=$(sed -n '1s/^[^ ]* //p' "$SM_DIR/presets")

if [ "$level" = none ]; then
	# The kernel's notice would land in the middle of a KTAP line on a
	# shared console: keep it to the log while lockdown goes up.
	console_level=$(cut -f 1 /proc/sys/kernel/printk)
	dmesg -n 1 2>/dev/null
	echo integrity >"$lockdown"
	dmesg -n "$console_level" 2>/dev/null
	level=$(sed -n 's/.*\[\(.*\)\].*/\1/p' "$lockdown")
	expect lockdown_raised "lockdown is '$(cat "$lockdown")' after writing integrity" \
		[ "$level" = integrity ]
else
	skip lockdown_raised "locked down already ($level)"
fi
cli_status cli_lockdown_run 6 "'run size=4M': control is closed: the kernel is locked down ($level)" \
	shadowmap run size=4M
expect cli_lockdown_modprobe "no 'modprobe shadowmap run=1 size=4M' and 'shadowmap last', or a stale 'none'" \
	names_the_way_in
# shellcheck disable=SC2086
shadowmap run size=4M $preset_words >"$ktap_tmp/out" 2>&1
sed -n '2s/^/# /p' "$ktap_tmp/out"
expect cli_lockdown_every_axis "no axes=\"$preset_words\" with every key of axes" \
	every_axis_passed
cli_status cli_lockdown_cancel 6 "control is closed" shadowmap cancel
cli_status cli_lockdown_last 0 "^status: pass" shadowmap last
cli_status cli_lockdown_presets 0 "^v6.1 " shadowmap presets
if sm_find_unprivileged; then
	cli_status cli_lockdown_not_root 3 "needs root" sm_unprivileged sh "$SM_CLI" run size=4M
else
	skip cli_lockdown_not_root "no way to drop to an unprivileged user here (setpriv --reuid or nsenter -S)"
fi
unload_result
cli_status cli_lockdown_no_module 5 "not loaded" shadowmap run size=4M
ktap_finished

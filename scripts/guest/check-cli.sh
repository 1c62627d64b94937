# shellcheck shell=sh
# Guest checks of the user CLI, scripts/shadowmap (installed as
# /bin/shadowmap), run under busybox as a user would run it.

# cli_fails NAME PATTERN ARGS...: the CLI must fail and say PATTERN.
cli_fails() {
	name=$1 pattern=$2
	shift 2
	if out=$(shadowmap "$@" 2>&1); then
		fail "$name" "succeeded: $(echo "$out" | tail -n 1)"
	elif echo "$out" | grep -q "$pattern"; then
		pass "$name"
	else
		fail "$name" "said '$(echo "$out" | tail -n 1)', want '$pattern'"
	fi
}

cli_fails cli_no_module "load the module first" last
check cli_module_loads load
cli_fails cli_usage "Usage" bogus
cli_fails cli_bad_preset "unknown preset" run walker=v5.0
cli_fails cli_bad_size "multiple of the page size" run size=4097
cli_fails cli_compare_walker "pick them with walkers" compare walker=v6.1
cli_fails cli_extra_args "takes no arguments" free now
if out=$(shadowmap compare size=8M walkers=v6.1,v6.10,direct); then
	rows=$(echo "$out" | grep -cE '^(v6\.1|v6\.10|direct) +[0-9]+ +[0-9]+ ')
	[ "$rows" = 3 ] && pass cli_compare_table || fail cli_compare_table "$rows rows: $out"
	echo "$out" | sed 's/^/SM: INFO cli: /'
else
	fail cli_compare_table "$out"
fi
check cli_run shadowmap run size=4M walker=lazy
check cli_verify shadowmap verify
check cli_ptdump shadowmap ptdump
check cli_free shadowmap free
cli_fails cli_verify_after_free "No such file\|no shadow" verify
check cli_module_unloads unload

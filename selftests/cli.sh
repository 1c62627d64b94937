#!/bin/sh
# The user CLI (cli/shadowmap), run as a user would run it: its refusals,
# compare, run, verify, ptdump, free.
# Precondition: none (a loaded shadowmap is unloaded first).  Not under
# lockdown.  SM_CLI names the CLI (default: ../cli/shadowmap from here).
. "$(dirname "$0")/ktap.sh"
SM_CLI=${SM_CLI:-$(dirname "$0")/../cli/shadowmap}
[ -f "$SM_CLI" ] || ktap_skip_all "no CLI at $SM_CLI (set SM_CLI)"
sm_require
sm_load_or_bail
sm_require_control
presets=$(sm_presets)
sm_unload
ktap_plan 15

shadowmap() {
	sh "$SM_CLI" "$@"
}

# cli_fails NAME PATTERN ARGS...: the CLI must fail and say PATTERN.
cli_fails() {
	name=$1 pattern=$2
	shift 2
	if out=$(shadowmap "$@" 2>&1); then
		not_ok "$name" "succeeded: $(echo "$out" | tail -n 1)"
	else
		echo "$out" >"$ktap_tmp/out"
		expect "$name" "said '$(tail -n 1 "$ktap_tmp/out")', want '$pattern'" \
			grep -q "$pattern" "$ktap_tmp/out"
	fi
}

# compare_rows NAME WALKERS ARGS...: compare prints one row per walker.
compare_rows() {
	name=$1 want=$2
	shift 2
	if out=$(shadowmap compare "$@"); then
		echo "$out" | sed 's/^/# /'
		rows=$(echo "$out" | awk -v w="$want" 'BEGIN { n = split(w, a, " "); for (i = 1; i <= n; i++) ok[a[i]] = 1 }
			$2 ~ /^[0-9]+$/ && ok[$1] { print $1 }' | tr '\n' ' ')
		expect "$name" "rows '$rows', want '$want '" [ "$rows" = "$want " ]
	else
		not_ok "$name" "$out"
	fi
}

cli_fails cli_no_module "load the module first" last
check cli_module_loads sm_load
cli_fails cli_usage "Usage" bogus
cli_fails cli_bad_preset "unknown preset" run walker=v5.0
cli_fails cli_bad_size "multiple of the page size" run size=4097
cli_fails cli_compare_walker "pick them with walkers" compare walker=v6.1
cli_fails cli_extra_args "takes no arguments" free now
compare_rows cli_compare_table "v6.1 v6.10 direct" size=8M walkers=v6.1,v6.10,direct
compare_rows cli_compare_every_preset "$(echo "$presets" | tr '\n' ' ' | sed 's/ $//')" size=4M
check cli_run shadowmap run size=4M walker=lazy
check cli_verify shadowmap verify
check cli_ptdump shadowmap ptdump
check cli_free shadowmap free
cli_fails cli_verify_after_free "No such file\|no shadow" verify
unload_result
ktap_finished

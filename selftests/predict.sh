#!/bin/sh
# Predictions: `predict` refuses bad input with EINVAL and a reason; with
# this machine's costs it gives the seeds' seven steps (the module's steps
# file, by name), counted exactly (the PTE tables of S bytes:
# S / (PTRS_PER_PTE * page_size)); with the Altra costs of
# configs/costs-altra, through the CLI, it gives back the seeds' 512 GiB
# base and v6.10 figures (4K pages only: the fit is for 4K); blocks save
# the PTE tables' memory (the seed's ~500 MB at 256 GiB); and a run's
# `last` carries its predicted build time.  The prediction goes out as
# "# SM: PREDICTION" lines.
# Precondition: none (a loaded shadowmap is unloaded first).  Not under
# lockdown: control refuses writes there.
. "$(dirname "$0")/ktap.sh"
sm_require
sm_load_or_bail
sm_require_control
ktap_plan 17
ok module_loads

ctl_expect_errno predict_needs_size "Invalid argument" "predict"
expect_last_error predict_needs_size_reason 'predict: size= is required'
ctl_expect_errno predict_bad_layout "Invalid argument" "predict size=1G layout=moon"
ctl_expect_errno predict_bad_key "Invalid argument" "predict size=1G colour=red"
ctl_expect_errno predict_partial_costs "Invalid argument" "predict size=1G remap_pair=1000"
expect_last_error predict_partial_costs_reason 'predict: cost .* not given'

page=$(sed -n 's/^page_size: //p' "$SM_DIR/version")
check predict_512g sh -c "echo predict size=512G >$SM_DIR/control"
sed 's/^/# SM: PREDICTION /' "$SM_DIR/prediction"
# row STEP: the prediction's line for STEP (its first word).
row() { grep "^$1 " "$SM_DIR/prediction"; }
# The rows are the module's steps: the first is the base, and one is the
# v6.10 preset (the seeds' 1223 ms).
base_step=$(sed -n '1s/ .*//p' "$SM_DIR/steps")
v610_step=$(awk '/ preset=v6\.10 / { print $1; exit }' "$SM_DIR/steps")
rows=$(grep -v '^#\|^step' "$SM_DIR/prediction" | cut -d ' ' -f 1 | tr '\n' ' ')
steps=$(cut -d ' ' -f 1 "$SM_DIR/steps" | tr '\n' ' ')
expect predict_seven_steps "rows $rows, want the module's steps $steps" \
	[ "$rows" = "$steps" -a "$(echo "$rows" | wc -w)" = 7 ]
# 512 GiB of PTEs: this many PTE tables, and a few upper ones.
ptes=$((512 * 1073741824 * 8 / (page * page)))
tables=$(row "$v610_step" | awk '{ print $(NF - 9) }')
expect predict_tables_exact "$tables tables, $ptes PTE tables" \
	[ "$tables" -ge "$ptes" -a "$tables" -lt $((ptes + ptes / 256 + 8)) ]
expect predict_base_100 "$(row "$base_step")" sh -c "grep '^$base_step ' $SM_DIR/prediction | grep -q ' 100%\$'"
# Blocks save the PTE tables (8 bytes a page) and the PMD tables above
# them: 512 GiB / page_size * 8 bytes, and at most 1/256 of that more.
want=$((4194304 / page))
saved=$(sed -n 's/^# tables: blocks take \([0-9]*\)\.[0-9] MiB less .*/\1/p' "$SM_DIR/prediction")
expect predict_blocks_save_tables "blocks save ${saved:-?} MiB, want $want to $((want + want / 256 + 1))" \
	[ "${saved:-0}" -ge "$want" -a "${saved:-0}" -le $((want + want / 256 + 1)) ]

if [ "$page" = 4096 ]; then
	cli_status predict_cli_altra 0 "^$base_step " \
		/cli/shadowmap predict size=512G costs=/shadowmap/costs-altra
	sed 's/^/# SM: PREDICTION altra /' "$ktap_tmp/out"
	# within 1% of the seeds' 17447 and 1223 ms
	base=$(awk -v s="$base_step" '$1 == s { print int($(NF - 1)) }' "$ktap_tmp/out")
	v610=$(awk -v s="$v610_step" '$1 == s { print int($(NF - 1)) }' "$ktap_tmp/out")
	expect predict_altra_seeds "base $base ms (17447), v6.10 $v610 ms (1223)" \
		[ "${base:-0}" -ge 17272 -a "${base:-0}" -le 17622 -a \
		  "${v610:-0}" -ge 1210 -a "${v610:-0}" -le 1236 ]
else
	skip predict_cli_altra "the Altra costs are for 4K pages; page_size $page"
	skip predict_altra_seeds "the Altra costs are for 4K pages"
fi

check predict_run sh -c "echo run size=16M walker=v6.10 >$SM_DIR/control"
p=$(sm_last predicted_build_ns)
expect last_has_prediction "predicted_build_ns: $p" [ "${p:-0}" -gt 0 ]
unload_result
ktap_finished

#!/bin/sh
# Repaint (issue 11, "BBML2's repaint, measured"): split and collapse of a
# kept shadow of contiguous memory mapped with blocks, with both sequences
# (seq=bbm, seq=bbml2).  Every counter is checked against what the run's
# own geometry says (its block and contiguous-entry counts and the page
# size); every page is verified after each; table memory grows by a page
# per split block and shrinks back.  Then the refusals (no shadow, bad
# arguments, nothing to split or collapse), and a cancelled split that
# leaves a shadow that still verifies and leaks nothing.
# Precondition: none (a loaded shadowmap is unloaded first).  Not under
# lockdown: control refuses writes there.
. "$(dirname "$0")/ktap.sh"
sm_require
sm_load_or_bail
sm_require_control
page=$(sed -n 's/^page_size: //p' "$SM_DIR/version")
ptrs=$((page / 8))			# PTRS_PER_PTE, PTRS_PER_PMD
# CONT_PTES and CONT_PMDS: 16/16 at 4K, 128/32 at 16K, 32/32 at 64K.
case "$page" in
4096) cont_ptes=16 cont_pmds=16 ;;
16384) cont_ptes=128 cont_pmds=32 ;;
*) cont_ptes=32 cont_pmds=32 ;;
esac
pmd_size=$((ptrs * page))
# Sizes, at most 1 GiB each: 32 blocks (2 at 64K); the stopped splits 512
# (1 GiB at 4K; 32 blocks at 16K, 2 at 64K).
size=$((32 * pmd_size / 1048576))
[ "$size" -le 1024 ] || size=1024
size=${size}M
big=$((512 * pmd_size / 1048576))
[ "$big" -le 1024 ] || big=1024

# Blocks need free buddy blocks of PMD size (512 MiB at 64K pages), which
# earlier tests may have broken up: compact first, then see whether contig
# memory comes in blocks at all; where it does not, nothing here can run.
echo 1 >/proc/sys/vm/compact_memory 2>/dev/null || true
echo "run region=contig size=$size walker=bbml2" >"$SM_DIR/control" 2>/dev/null
pmd=$(sm_last leaf_pmd_block) pmdc=$(sm_last leaf_pmd_block_cont)
pud=$(sm_last leaf_pud_block)
blocks=$((${pmd:-0} + ${pmdc:-0} + ${pud:-0}))
echo free >"$SM_DIR/control" 2>/dev/null
if [ "$blocks" -eq 0 ]; then
	sm_unload
	ktap_skip_all "contig $size came with no block-aligned memory, even after compaction: nothing to split"
fi
ktap_plan 75
ok module_loads

# tlbi_of PAGES: flush_tlb_kernel_range()'s TLBIs for PAGES pages: one per
# page, or one TLBI VMALLE1IS past PTRS_PER_PTE pages.
tlbi_of() {
	if [ "$1" -gt "$ptrs" ]; then echo 1; else echo "$1"; fi
}

# expect_counters TAG NAME=VALUE...: each counter of `last` is VALUE.
expect_counters() {
	tag=$1
	shift
	bad=
	for kv in "$@"; do
		v=$(sm_last "${kv%%=*}")
		[ "$v" = "${kv#*=}" ] || bad="$bad ${kv%%=*}=$v(want ${kv#*=})"
	done
	expect "${tag}_counters" "counters:$bad" [ -z "$bad" ]
}

# --- refusals before any shadow ---
ctl_expect_errno split_without_shadow "No such file" "split"
expect_last_error split_without_shadow_says "split: no shadow is kept"
ctl_expect_errno collapse_without_shadow "No such file" "collapse seq=bbml2"
ctl_expect_errno split_bad_seq "Invalid argument" "split seq=fast"
expect_last_error split_bad_seq_says "split: seq=fast: want bbm or bbml2"
ctl_expect_errno collapse_bad_key "Invalid argument" "collapse when=now"
ctl_expect_errno split_seq_twice "Invalid argument" "split seq=bbm seq=bbml2"

# --- split then collapse, each sequence, over contig blocks ---
for seq in bbm bbml2; do
	run_walker "contig_blocks_$seq" "run region=contig size=$size walker=bbml2"
	pmd=$(sm_last leaf_pmd_block) pmdc=$(sm_last leaf_pmd_block_cont)
	pud=$(sm_last leaf_pud_block) ptec=$(sm_last leaf_pte_cont)
	before=$(sm_last table_bytes)
	expect "contig_has_blocks_$seq" "leaf_pmd_block=$pmd leaf_pmd_block_cont=$pmdc" \
		[ $((pmd + pmdc + pud)) -gt 0 ]
	# split: a unit per block, per contiguous group of blocks, per
	# contiguous group of PTEs; a PTE table per PMD block, a PMD table
	# and PTRS_PER_PMD PTE tables per PUD block.
	gpmdc=$((pmdc / cont_pmds)) gptec=$((ptec / cont_ptes))
	ptes=$((pmd + pmdc + pud * ptrs))
	units=$((pmd + gpmdc + pud + gptec))
	tlbi=$((pmd * $(tlbi_of "$ptrs") + gpmdc * $(tlbi_of $((cont_pmds * ptrs))) +
		pud * $(tlbi_of $((ptrs * ptrs))) + gptec * $(tlbi_of "$cont_ptes")))
	# per unit: the flush's DSB, DSB, ISB; DSB + ISB per entry written;
	# one DSB for the new tables of a block unit
	dsb=$(((pmd + pud) * 4 + gpmdc * (3 + cont_pmds) + gptec * (2 + cont_ptes)))
	isb=$(((pmd + pud) * 2 + gpmdc * (1 + cont_pmds) + gptec * (1 + cont_ptes)))
	breaks=0
	[ "$seq" = bbml2 ] || breaks=$((pmd + pmdc + pud + ptec))
	if echo "split seq=$seq" >"$SM_DIR/control" 2>"$ktap_tmp/ctl.err"; then
		report_run "split_$seq"
	else
		report_refused "split_$seq" "split seq=$seq"
	fi
	expect_counters "split_$seq" command=split repaint_seq="$seq" \
		repaint_units=$units tables_pte=$ptes tables_pmd="$pud" \
		tables_freed=0 desc_pmd=$ptes desc_pud="$pud" \
		leaf_pte=$((ptes * ptrs + ptec)) leaf_pmd_block=0 \
		tlbi=$tlbi dsb=$dsb isb=$isb bbm_breaks=$breaks \
		table_bytes_before="$before" \
		table_bytes_after=$((before + (ptes + pud) * page)) \
		table_bytes=$((before + (ptes + pud) * page))
	expect_last "split_${seq}_verify_100" verify_percent 100
	expect "split_${seq}_leaves_no_block" "$(grep -c ' PMD \| PUD ' "$SM_DIR/ptdump") block lines in ptdump" \
		sh -c "! grep -q ' PMD \| PUD ' '$SM_DIR/ptdump'"
	ctl_expect_errno "split_${seq}_again" "No data available" "split seq=$seq"
	# collapse: every table split made (contig chunks are maximal
	# contiguous runs, so no other table maps a whole aligned block)
	after=$(sm_last table_bytes_after)
	if echo "collapse seq=$seq" >"$SM_DIR/control" 2>"$ktap_tmp/ctl.err"; then
		report_run "collapse_$seq"
	else
		report_refused "collapse_$seq" "collapse seq=$seq"
	fi
	[ "$seq" = bbml2 ] && breaks=0 || breaks=$ptes
	expect_counters "collapse_$seq" command=collapse repaint_units=$ptes \
		tables_pte=0 tables_freed=$ptes leaf_pmd_block=$ptes \
		tlbi=$((ptes * ($(tlbi_of "$ptrs") + 1))) dsb=$((ptes * 5)) \
		isb=$((ptes * 3)) bbm_breaks=$breaks \
		table_bytes_after=$((after - ptes * page))
	expect_last "collapse_${seq}_verify_100" verify_percent 100
	expect_last "collapse_${seq}_back_to_blocks_bytes" table_bytes_after \
		$((before + pud * page))
done
# predict's tables line, and beside it the measured one, scaled to 256G:
# the split's table bytes per byte mapped (the kernel's rounding to tenths).
mib=${size%M}
v=$((ptes * page * 262144 / mib))
t=$(((v * 10 + 524288) / 1048576))
want="# tables, measured by split of a kept shadow of $mib MiB: $((before / 1024)) -> $(((before + ptes * page) / 1024)) KiB; at this size blocks take $((t / 10)).$((t % 10)) MiB less"
check predict_256G sh -c "echo predict size=256G >'$SM_DIR/control'"
grep '^# tables' "$SM_DIR/prediction" | sed 's/^/# /'
expect predict_says_blocks_save "$(grep '^# tables' "$SM_DIR/prediction")" \
	grep -q '^# tables: blocks take [0-9.]* MiB less' "$SM_DIR/prediction"
expect predict_says_measured "want: $want" grep -qxF "$want" "$SM_DIR/prediction"
ctl_expect_errno collapse_nothing_left "No data available" "collapse"
expect_last_error collapse_nothing_says "collapse: no PTE table"

# A shadow without blocks: nothing to split; vmalloc pages are not one
# contiguous block: nothing to collapse.
run_walker vmalloc_ptes "run region=vmalloc size=8M walker=v6.10"
ctl_expect_errno split_no_blocks "No data available" "split"
expect_last_error split_no_blocks_says "split: the kept shadow has no blocks"
ctl_expect_errno collapse_nothing "No data available" "collapse seq=bbml2"
check free_after_refusals sh -c "echo free >'$SM_DIR/control'"

# --- cancel and kill: a split stopped half-way leaves a consistent shadow ---
# 1 GiB at 4K; split and collapse it first, so that its blocks are plain
# (contig's contiguous groups split in one TLBI each, too fast to stop).
run_walker contig_big "run region=contig size=${big}M walker=bbml2"
run_walker big_split_bbml2 "split seq=bbml2"
run_walker big_collapse_bbml2 "collapse seq=bbml2"
blocks=$(sm_last repaint_units)
run_walker big_split_bbm "split seq=bbm"
run_walker big_collapse_bbm "collapse seq=bbm"
run_walker big_split_bbml2_plain "split seq=bbml2"
run_walker big_collapse_bbml2_plain "collapse seq=bbml2"
held=$(sm_last pages_held)

# repainting: `progress` says the split repaints now; read without a
# fork, which costs the debug kernel 0.1 s, longer than a split of 512
# blocks repaints there.
repainting() {
	while IFS= read -r line; do
		[ "$line" != "state: repaint" ] || return 0
	done <"$SM_DIR/progress"
	return 1
}

# stop_split HOW: start a split, wait until it repaints (or has ended),
# stop it with HOW (cancel, or kill: a fatal signal); rc is the split's
# exit status.
stop_split() {
	sh -c "echo split seq=bbm >'$SM_DIR/control'" 2>"$ktap_tmp/split.err" &
	bg=$!
	# no sleep between reads (a fork too): a busy wait of 20 s at most
	read -r t0 _ </proc/uptime
	t0=${t0%.*} now=$t0
	while ! repainting && kill -0 "$bg" 2>/dev/null && [ $((now - t0)) -lt 20 ]; do
		read -r now _ </proc/uptime
		now=${now%.*}
	done
	if [ "$1" = cancel ]; then
		echo cancel >"$SM_DIR/control" 2>/dev/null
	else
		kill -KILL "$bg"
	fi
	wait "$bg"
	rc=$?
	# how far it got (read after the stop: a fork would delay it)
	grep '^units:' "$SM_DIR/progress" | sed 's/^/# progress: /'
}

stop_split cancel
# The cancel lands in the split, or (a slow kernel, few blocks) after it,
# in its verify: either way the shadow is consistent and says how far.
case "$(sm_last last_error)" in
"split cancelled after "*)
	done_units=$(sm_last last_error | sed 's/^split cancelled after \([0-9]*\) of.*/\1/') ;;
*) done_units=$blocks ;;
esac
if [ "$rc" -ne 0 ]; then
	expect cancel_stops_split "$(cat "$ktap_tmp/split.err")" \
		grep -q "[Cc]anceled" "$ktap_tmp/split.err"
	expect_last_error cancel_says_consistent "split \(cancelled after [0-9]* of $blocks units\|done ($blocks units), then its verify was cancelled\); the kept shadow is consistent"
else
	skip cancel_stops_split "the split finished before the cancel"
	skip cancel_says_consistent "the split finished before the cancel"
fi
check verify_after_cancel sh -c "echo verify >'$SM_DIR/control'"
expect_last verify_after_cancel_100 verify_percent 100
# the split goes on from where it stopped: the units left, no more
if [ "$done_units" -lt "$blocks" ]; then
	run_walker split_after_cancel "split seq=bbml2"
	expect_last split_after_cancel_units repaint_units $((blocks - done_units))
else
	skip run_split_after_cancel "the cancel came after the split"
	skip split_after_cancel_units "the cancel came after the split"
fi
expect split_after_cancel_grew "pages_held $(sm_last pages_held), was $held" \
	[ "$(sm_last pages_held)" -eq $((held + blocks)) ]
run_walker collapse_after_cancel "collapse seq=bbml2"
stop_split kill
# (16K pages: 32 blocks split and verify in under half a second, and the
# kill may come after)
if [ "$rc" -ne 0 ] || [ "$(sm_last command)" != split ]; then
	expect kill_stops_split "split exited $rc; $(grep '^last_error' "$SM_DIR/last")" \
		[ "$rc" -ne 0 ]
else
	skip kill_stops_split "the split and its verify finished before the kill"
fi
check verify_after_kill sh -c "echo verify >'$SM_DIR/control'"
expect_last verify_after_kill_100 verify_percent 100
check free_after_kill sh -c "echo free >'$SM_DIR/control'"
expect_last no_table_leaked pages_held 0
expect history_has_repaints "$(grep -c 'command=' "$SM_DIR/history") repaint lines" \
	[ "$(grep -c 'command=\(split\|collapse\)' "$SM_DIR/history")" -ge 5 ]

# --- out of memory half-way: the debug kernel's fail_table fails the
# fifth table page; four blocks stay split, the rest are blocks ---
ft=$SM_DIR/fail_table
if [ -d "$ft" ]; then
	echo 0 >"$ft/verbose"
	echo 1 >"$ft/interval"
	run_walker oom_blocks "run region=contig size=$size walker=bbml2"
	echo split seq=bbml2 >"$SM_DIR/control" &&
		echo collapse seq=bbml2 >"$SM_DIR/control"
	n=$(sm_last repaint_units)
	held=$(sm_last pages_held)
	# should_fail() passes while space is more than a page
	echo $((4 * page + 1)) >"$ft/space"
	echo 100 >"$ft/probability"
	echo 1 >"$ft/times"
	ctl_expect_errno oom_split_fails "Cannot allocate memory" "split seq=bbm"
	echo 0 >"$ft/times"
	echo 0 >"$ft/space"
	echo 0 >"$ft/probability"
	expect_last_error oom_says_consistent "split: out of memory after 4 of $n units; the kept shadow is consistent"
	check verify_after_oom sh -c "echo verify >'$SM_DIR/control'"
	expect_last verify_after_oom_100 verify_percent 100
	expect oom_holds_four_tables "pages_held $(sm_last pages_held), was $held" \
		[ "$(sm_last pages_held)" -eq $((held + 4)) ]
	run_walker split_after_oom "split seq=bbm"
else
	for t in run_oom_blocks oom_split_fails oom_says_consistent verify_after_oom \
		 verify_after_oom_100 oom_holds_four_tables run_split_after_oom; do
		skip "$t" "no fail_table (CONFIG_FAULT_INJECTION_DEBUG_FS)"
	done
fi

# --- the CLI wraps both commands ---
SM_CLI=${SM_CLI:-$(dirname "$0")/../cli/shadowmap}
if [ -f "$SM_CLI" ]; then
	cli_status cli_run 0 "^status: pass" shadowmap run region=contig size=$size walker=bbml2
	cli_status cli_split 0 "^command: split" shadowmap split seq=bbml2
	cli_status cli_split_again 1 "ENODATA" shadowmap split
	cli_status cli_collapse_bad_seq 1 "seq=fast" shadowmap collapse seq=fast
	cli_status cli_collapse 0 "table_bytes_after" shadowmap --format csv collapse
	check cli_free shadowmap free
else
	for t in cli_run cli_split cli_split_again cli_collapse_bad_seq cli_collapse cli_free; do
		skip "$t" "no CLI at $SM_CLI"
	done
fi
unload_result
ktap_finished

#!/bin/sh
# The walker: every preset the module publishes and several axis mixes
# build shadows that verify page by page, on sizes that are not multiples
# of a cont block or a PMD; 1 GiB of vmalloc; physically contiguous memory
# with cont and block leaves, and fill=stepped; walker threads.  Each
# run's `last` goes out as "# SM: LAST" lines: the rig recomputes its
# counters on the host.
# Precondition: none (a loaded shadowmap is unloaded first).  Not under
# lockdown.  1 GiB of vmalloc wants about 2 GiB of memory.
. "$(dirname "$0")/ktap.sh"
sm_require
sm_load_or_bail
sm_require_control
presets=$(sm_presets)
ktap_plan $((32 + 2 * $(echo "$presets" | wc -l)))
ok module_loads

# expect_100 TAG: the run verified every page.
expect_100() {
	expect_last "${1}_verify_percent_100" verify_percent 100
}

# Every preset on 16 MiB and three pages.
page_kib=$(($(sed -n 's/^page_size: //p' "$SM_DIR/version") / 1024))
odd=$((16 * 1024 + 3 * page_kib))K
for w in $presets; do
	run_walker "${w}_16M+3p" "run region=vmalloc size=$odd walker=$w"
	expect_100 "${w}_16M+3p"
done
levels=$(sm_last levels)
if [ -n "${SM_LEVELS:-}" ]; then
	expect "levels_$SM_LEVELS" "last says levels $levels" [ "$levels" = "$SM_LEVELS" ]
else
	expect levels_known "last says levels '$levels'" [ "${levels:-0}" -ge 2 ]
fi
# Every counter the module names is in `last`, in its order.
got=$(sed -n 's/^\([a-z0-9_]*\): .*/\1/p' "$SM_DIR/last" | grep -xF -f "$SM_DIR/counters")
expect counters_in_last "last has: $(echo "$got" | tr '\n' ' ')" [ "$got" = "$(cat "$SM_DIR/counters")" ]

for axes in "remap=lazy leaf=cont" "remap=cont barrier=table zero=combined" \
	    "remap=table barrier=entry zero=separate" "remap=none leaf=block zero=allocator"; do
	run_walker "axes_$(echo "$axes" | tr ' =' '_-')" "run size=5M $axes"
done

# The acceptance size: 1 GiB of vmalloc in a 2 GiB guest.
run_walker v6.1_1G "run region=vmalloc size=1G walker=v6.1"
expect_100 v6.1_1G
run_walker v6.10_1G "run region=vmalloc size=1G walker=v6.10 repeat=3"
expect_100 v6.10_1G

# Physically contiguous memory at its linear-map VA, with blocks.
run_walker contig_bbml2 "run region=contig size=64M walker=bbml2"
expect_100 contig_bbml2
run_walker contig_cont "run region=contig size=8M walker=v6.10 leaf=cont"
# fill=stepped steps the entries of a contiguous run (vmalloc's pfns are
# each computed, above), from odd entries too; it needs check=none and
# barrier=table.
run_walker contig_stepped "run region=contig size=$odd walker=stepped"
expect_100 contig_stepped
ctl_expect_errno fill_stepped_alone "Invalid argument" "run size=4M walker=v6.10 fill=stepped"
expect_last_error fill_stepped_reason 'fill=stepped: needs check=none and barrier=table'
# More than the kernel can give contiguously: it takes what it can and says so.
run_walker contig_greedy "run region=contig size=1536M walker=v6.10 leaf=block"
expect contig_says_how_much "$(grep '^region_note' "$SM_DIR/last")" \
	grep -qE '^region_note: contig got [0-9]+K of 1572864K( \(capped\))? in [0-9]+ chunks' "$SM_DIR/last"

# Walker threads (split at top-level entries) build a shadow that verifies.
run_walker threads_2 "run size=8M walker=v6.10 threads=2"
expect_last threads_2_ran_2_threads threads 2
# Split below the top level: 64 MiB lies in one top-level entry, yet each
# thread takes spans of its PMD entries.  The shadow verifies, and direct
# (no remap, no blocks) counts exactly as threads=1 does.
counts() {
	grep -E '^(tables_|desc_|leaf_|remap_|tlbi|dsb|isb|bytes_zeroed|table_bytes)' "$SM_DIR/last"
}
run_walker direct_t1 "run size=64M walker=direct"
one=$(counts)
for t in 2 4; do
	run_walker "direct_t$t" "run size=64M walker=direct threads=$t"
	expect_100 "direct_t$t"
	expect "direct_t${t}_counts_as_t1" "$(counts | tr '\n' ' ')" \
		[ "$(counts)" = "$one" ]
done
run_walker v6.1_contig_t4 "run region=contig size=64M walker=v6.1 leaf=block threads=4"
expect_100 v6.1_contig_t4
unload_result
ktap_finished

#!/bin/sh
# The kernel's own hot-add, measured live, against every preset over the
# same ranges: the TLBIs the kernel issued in its page-table code equal the
# matching preset's (version's hotplug_preset: v6.1-late on 6.1, v6.10
# from 6.10 on); then, under the rig,
# the same memory removed and added again with the counting probes
# disarmed, for the kernel's time without a trap in its loops, and every
# preset over those ranges; and the ram region.
# Precondition, either of:
# - shadowmap is loaded and memory was hot-added while it was (virtio-mem,
#   dax/kmem, ACPI): the test uses that module and leaves it loaded;
# - under the rig (SM_GROW set): the test loads the module, asks the host
#   for SM_GROW of virtio-mem, and unloads the module at the end.
# Otherwise it skips.  Not under lockdown.
. "$(dirname "$0")/ktap.sh"
if sm_loaded && grep -q 'state=online' "$SM_DIR/ranges" 2>/dev/null; then
	sm_require_control
elif [ -n "${SM_GROW:-}" ]; then
	sm_require
	sm_load_or_bail
	sm_require_control
else
	ktap_skip_all "no hot-added memory: load shadowmap, hot-add memory, run again"
fi
presets=$(sm_presets)
ktap_plan $((14 + $(echo "$presets" | wc -l)))
if [ -n "$sm_own" ]; then
	ok module_loads
	sm_grow
else
	skip module_loads "shadowmap was loaded already"
	skip hotplug_grow "memory was hot-added already"
fi

ev=$SM_DIR/events
addr=$(grep -i 'ffff[0-9a-f]\{8\}' "$ev" | head -n 1)
expect events_no_addresses "kernel address in events: $addr" [ -z "$addr" ]
sed 's/^/# SM: EVENTS /' "$ev"
sed 's/^/# SM: RANGES /' "$SM_DIR/ranges"
# add_sum KEY [FIRST]: KEY summed over the successful add events numbered
# FIRST (default 1) and later, counted or not as COUNTED says (default 1).
add_sum() {
	awk -v key="$1" -v first="${2:-1}" -v counted="${COUNTED:-1}" '
		$1 ~ /^event=/ && / kind=add / && / ret=0 / &&
		$0 ~ (" counted=" counted " ") {
			n = substr($1, 7) + 0
			for (f = 2; f <= NF; f++)
				if (n >= first && index($f, key "=") == 1)
					s += substr($f, length(key) + 2)
		}
		END { print s + 0 }' "$ev"
}
# The walker that models this kernel's hot-add: the module says which, a
# preset and, where the kernel mapped the memory with blocks, leaf=block
# (7.3 with rodata=noalias and KFENCE sampling).  In names and data lines
# its words are joined by "+".
ref=$(sed -n 's/^hotplug_preset: //p' "$SM_DIR/version")
reftag=$(echo "$ref" | tr ' ' '+')
walkers=$(echo "$presets" | tr '\n' ' ')
case " $walkers " in
*" $reftag "*) ref_row= ;;
*) walkers="$walkers$reftag" ref_row=1 ;;
esac

# Counts: the hot-add above, with the counting probes armed.
live_tlbi=$(add_sum map_tlbi)
live_maps=$(add_sum map_fixmap_maps)
live_tables=$(add_sum map_pgtables)
expect live_map_probe "no __create_pgd_mapping probe" \
	sh -c "! grep -q ' map=unavailable.* map_locked=unavailable' '$ev'"
run_walker "hotplug-count-$reftag" "run region=hotplug index=all walker=$ref"
ref_tlbi=$(sm_last tlbi)
ref_maps=$(sm_last remap_maps)
# Tables: the shadow makes every level afresh below its own top table;
# the kernel made only those its linear map did not have already
# (live_tables_had: at 4K the upper levels over boot memory, at 64K the PMD
# table beside the block).
ref_tables=0
for l in p4d pud pmd pte; do
	t=$(sm_last "tables_$l")
	ref_tables=$((ref_tables + ${t:-0}))
done
had=$(sm_last live_tables_had)
expect "hotplug_live_tlbi_equals_$reftag" "preset $ref_tlbi, live $live_tlbi" \
	[ -n "$ref_tlbi" -a "$ref_tlbi" = "$live_tlbi" ]
expect "hotplug_live_fixmap_maps_equal_$reftag" "preset $ref_maps, live $live_maps" \
	[ -n "$ref_maps" -a "$ref_maps" = "$live_maps" ]
expect "hotplug_live_tables_equal_$reftag" "preset $ref_tables less $had the kernel had, live $live_tables" \
	[ -n "$had" -a "$((ref_tables - ${had:-0}))" = "$live_tables" ]
echo "# SM: LIVE-COUNTS preset=$reftag tlbi=$live_tlbi/$ref_tlbi fixmap_maps=$live_maps/$ref_maps tables=$live_tables/$((ref_tables - ${had:-0})) tables_had=${had:-none}"

# Times: under the rig, the memory goes and comes back with the counting
# probes disarmed, so the kernel's loops run without a trap, and every
# preset maps the same ranges.  Otherwise the counted hot-add's time, less
# the probes' estimated cost, is all there is.
first=1 from=all counted=1
if [ -n "$sm_own" ]; then
	sm_shrink
	first=$(($(sm_events_total add) + $(sm_events_total remove) + 1))
	sm_grow timed
	idx=$(sed -n 's/^index=\([0-9]*\) .* add_event=\([0-9]*\) .*/\1 \2/p' \
		"$SM_DIR/ranges" | awk -v f="$first" '$2 >= f { print $1; exit }')
	[ -z "$idx" ] || from=$idx+ counted=0
	sed 's/^/# SM: EVENTS /' "$ev"
else
	skip hotplug_grow_timed "memory was hot-added already: no second hot-add"
fi
size=$(COUNTED=$counted add_sum size "$first")
live_ns=$(COUNTED=$counted add_sum map_ns "$first")
probe_ns=$(COUNTED=$counted add_sum map_probe_ns "$first")
count_ns=$(add_sum map_ns)
count_probe_ns=$(add_sum map_probe_ns)
count_size=$(add_sum size)
# The counted hot-add per block, so that the host can compare like with
# like when the timed one mapped fewer blocks.
count_blocks=$(awk '$1 ~ /^event=/ && / kind=add / && / ret=0 / && / counted=1 / {
		for (f = 2; f <= NF; f++)
			if (index($f, "map_tlbi=") == 1) print substr($f, 10)
	}' "$ev" | sort -n | awk 'NR == 1 { lo = $1 } { hi = $1; n++ }
		END { if (n) printf "count_events=%d count_tlbi_min=%d count_tlbi_max=%d", n, lo, hi }')
echo "# SM: LIVE preset=$reftag events=$(grep -c "^event=.* kind=add .*ret=0 .*counted=$counted " "$ev") size=$size map_tlbi=$live_tlbi map_ns=$live_ns map_probe_ns=$probe_ns counted=$counted count_map_ns=$count_ns count_probe_ns=$count_probe_ns count_size=$count_size $count_blocks"
expect live_timed_without_counting_probes "counted=$counted, index=$from" \
	[ "$counted" = 0 -o -z "$sm_own" ]
for t in $walkers; do
	w=$(echo "$t" | tr '+' ' ')
	run_walker "hotplug-$t" "run region=hotplug index=$from walker=$w repeat=3"
	echo "# SM: HOTPLUG walker=$t tlbi=$(sm_last tlbi) build_ns_median=$(sm_last build_ns_median) predicted_build_ns=$(sm_last predicted_build_ns) size=$(sm_last size_mapped) live_map_ns=$live_ns live_probe_ns=$probe_ns"
done
[ -n "$ref_row" ] || skip "hotplug-$reftag-row" "the kernel's walker is a preset, a row above"
run_walker ram "run region=ram walker=v6.10"
expect ram_verifies_100 "$(grep -E '^(verify_|region_note)' "$SM_DIR/last" | tr '\n' ' ')" \
	[ "$(sm_last verify_percent)" = 100 ]
if [ -n "$sm_own" ]; then
	unload_result
else
	skip module_unloads "shadowmap was loaded before the test"
fi
ktap_finished

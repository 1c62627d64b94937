#!/bin/sh
# The kernel's own hot-add, measured live, against every preset over the
# same ranges: the TLBIs the kernel issued in its page-table code equal the
# matching preset's (v6.1-late on 6.1, v6.10 on 6.12); and the ram region.
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
ktap_plan $((8 + $(echo "$presets" | wc -l)))
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
# key NAME: a NAME=N of the line on stdin.
key() { sed -n "s/.* $1=\([0-9]*\).*/\1/p"; }
tot=$(grep '^total kind=add' "$ev")
live_tlbi=$(echo "$tot" | key map_tlbi)
live_ns=$(echo "$tot" | key map_ns)
probe_ns=$(echo "$tot" | key map_probe_ns)
echo "# SM: LIVE events=$(echo "$tot" | key events) size=$(echo "$tot" | key size) map_tlbi=$live_tlbi map_ns=$live_ns map_probe_ns=$probe_ns"
expect live_map_probe "no __create_pgd_mapping probe" \
	sh -c "! grep -q ' map=unavailable.* map_locked=unavailable' '$ev'"
case "$(uname -r)" in
6.1.*) ref=v6.1-late ;;
*) ref=v6.10 ;;
esac
ref_tlbi=
for w in $presets; do
	run_walker "hotplug-$w" "run region=hotplug index=all walker=$w repeat=3"
	t=$(sm_last tlbi)
	echo "# SM: HOTPLUG walker=$w tlbi=$t build_ns_median=$(sm_last build_ns_median) live_tlbi=$live_tlbi live_map_ns=$live_ns live_probe_ns=$probe_ns"
	[ "$w" != "$ref" ] || ref_tlbi=$t
done
expect "hotplug_live_tlbi_equals_$ref" "preset $ref_tlbi, live $live_tlbi" \
	[ -n "$ref_tlbi" -a "$ref_tlbi" = "$live_tlbi" ]
run_walker ram "run region=ram walker=v6.10"
expect ram_verifies_100 "$(grep -E '^(verify_|region_note)' "$SM_DIR/last" | tr '\n' ' ')" \
	[ "$(sm_last verify_percent)" = 100 ]
if [ -n "$sm_own" ]; then
	unload_result
else
	skip module_unloads "shadowmap was loaded before the test"
fi
ktap_finished

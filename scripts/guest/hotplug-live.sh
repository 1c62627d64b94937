# Issue 4: the kernel's own hot-add, measured live, against every preset over
# the same ranges, and the ram region.  Sourced by test.sh "hotplug" mode
# after the module is loaded and virtio-mem has grown (uses SM_DIR, pass,
# fail, run_walker).
ev=$SM_DIR/events
expect_mode events 444
expect_mode ranges 400
grep -qi 'ffff[0-9a-f]\{8\}' "$ev" && fail events_no_addresses "kernel address in events" ||
	pass events_no_addresses
sed 's/^/SM: EVENTS /' "$ev"
sed 's/^/SM: RANGES /' "$SM_DIR/ranges"
key() { sed -n "s/.* $1=\([0-9]*\).*/\1/p"; }
tot=$(grep '^total kind=add' "$ev")
live_tlbi=$(echo "$tot" | key map_tlbi)
live_ns=$(echo "$tot" | key map_ns)
probe_ns=$(echo "$tot" | key map_probe_ns)
echo "SM: LIVE events=$(echo "$tot" | key events) size=$(echo "$tot" | key size) map_tlbi=$live_tlbi map_ns=$live_ns map_probe_ns=$probe_ns"
grep -q ' map=unavailable.* map_locked=unavailable' "$ev" &&
	fail live_map_probe "no __create_pgd_mapping probe" || pass live_map_probe
case "$(uname -r)" in
6.1.*) ref=v6.1-late ;;
*) ref=v6.10 ;;
esac
for w in v6.1 v6.1-late v6.10 lazy direct bbml2; do
	run_walker "hotplug-$w" "run region=hotplug index=all walker=$w repeat=3"
	t=$(sed -n 's/^tlbi: //p' "$SM_DIR/last")
	b=$(sed -n 's/^build_ns_median: //p' "$SM_DIR/last")
	echo "SM: HOTPLUG walker=$w tlbi=$t build_ns_median=$b live_tlbi=$live_tlbi live_map_ns=$live_ns live_probe_ns=$probe_ns"
	if [ "$w" = "$ref" ]; then
		[ -n "$t" ] && [ "$t" = "$live_tlbi" ] && pass "hotplug_live_tlbi_equals_$ref" ||
			fail "hotplug_live_tlbi_equals_$ref" "preset $t, live $live_tlbi"
	fi
done
run_walker ram "run region=ram walker=v6.10"
grep -q '^verify_percent: 100$' "$SM_DIR/last" && pass ram_verifies_100 ||
	fail ram_verifies_100 "$(grep -E '^(verify_|region_note)' "$SM_DIR/last" | tr '\n' ' ')"

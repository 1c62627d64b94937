# shellcheck shell=sh
# Guest checks of the walker and its debugfs interface (sourced by test.sh
# in check mode, after the skeleton checks; the module is not loaded).

# expect_last KEY VALUE: the last run's KEY is VALUE.
expect_last() {
	v=$(sed -n "s/^$1: //p" "$SM_DIR/last")
	[ "$v" = "$2" ] && pass "${tag}_${1}_$2" || fail "${tag}_${1}_$2" "$1 is '$v'"
}

check walker_module_loads load
expect_mode control 200
expect_mode last 444
expect_mode history 444
expect_mode ptdump 400

# Bad input: a clear errno, a reason in last_error, nothing left behind.
ctl_expect_errno ctl_bad_preset "Invalid argument" "run walker=v5.0"
expect_last_error ctl_bad_preset_reason '.*v5.0'
ctl_expect_errno ctl_bad_command "Invalid argument" "frobnicate"
ctl_expect_errno ctl_bad_size "Invalid argument" "run size=0"
ctl_expect_errno ctl_bad_size_unaligned "Invalid argument" "run size=4097"
ctl_expect_errno ctl_bad_axis "Invalid argument" "run remap=sideways"
ctl_expect_errno ctl_bad_repeat "Invalid argument" "run repeat=100000"
ctl_expect_errno ctl_bad_word "Invalid argument" "run size"
ctl_expect_errno ctl_too_long "Invalid argument" "run $(printf '%0600d' 0)"
expect_last_error ctl_too_long_reason 'command of [0-9]* bytes'
ctl_expect_errno ctl_verify_without_shadow "No such file" "verify"
ctl_expect_errno ctl_hotplug_without_ranges "No such file" "run region=hotplug"
expect_last_error ctl_hotplug_without_ranges_reason \
	'region=hotplug: no memory came online'

# Every preset on sizes that are not multiples of a cont block or a PMD:
# 16 MiB and three pages.
page_kib=$(($(sed -n 's/^page_size: //p' "$SM_DIR/version") / 1024))
odd=$((16 * 1024 + 3 * page_kib))K
for w in v6.1 v6.1-late v6.10 lazy direct bbml2; do
	run_walker "${w}_16M+3p" "run region=vmalloc size=$odd walker=$w"
	expect_last verify_percent 100
done
for axes in "remap=lazy leaf=cont" "remap=cont barrier=table zero=combined" \
	    "remap=table barrier=entry zero=separate" "remap=none leaf=block zero=allocator"; do
	run_walker "axes_$(echo "$axes" | tr ' =' '_-')" "run size=5M $axes"
done

# The acceptance size: 1 GiB of vmalloc in a 2 GiB guest.
run_walker v6.1_1G "run region=vmalloc size=1G walker=v6.1"
expect_last verify_percent 100
run_walker v6.10_1G "run region=vmalloc size=1G walker=v6.10 repeat=3"
expect_last verify_percent 100

# Physically contiguous memory at its linear-map VA, with blocks.
run_walker contig_bbml2 "run region=contig size=64M walker=bbml2"
expect_last verify_percent 100
run_walker contig_cont "run region=contig size=8M walker=v6.10 leaf=cont"

# More than the kernel can give contiguously: it takes what it can and says so.
run_walker contig_greedy "run region=contig size=1536M walker=v6.10 leaf=block"
grep -qE '^region_note: contig got [0-9]+K of 1572864K in [0-9]+ chunks' "$SM_DIR/last" &&
	pass contig_says_how_much || fail contig_says_how_much "$(grep '^region_note' "$SM_DIR/last")"

# Walker threads (split at top-level entries) build a shadow that verifies.
run_walker threads_2 "run size=8M walker=v6.10 threads=2"
expect_last threads 2

# ptdump of the kept shadow, in kernel_page_tables format.
if head -n 3 "$SM_DIR/ptdump" | grep -qE '^0x[0-9a-f]{16}-0x[0-9a-f]{16} +[0-9]+[KMGT] +'; then
	pass ptdump_format
else
	fail ptdump_format "$(head -n 2 "$SM_DIR/ptdump" | tr '\n' '|')"
fi

# No kernel addresses in the 0444 files.
if grep -qiE 'ffff[0-9a-f]{12}' "$SM_DIR/last" "$SM_DIR/history"; then
	fail no_kernel_addresses "$(grep -iE 'ffff[0-9a-f]{12}' "$SM_DIR/last" "$SM_DIR/history" | head -n 1)"
else
	pass no_kernel_addresses
fi
[ "$(wc -l <"$SM_DIR/history")" -ge 10 ] && pass history_lines ||
	fail history_lines "$(wc -l <"$SM_DIR/history") lines"

# A second writer during a run gets EBUSY.  The first run is long (tens of
# seconds under TCG) and is given a second to start.
echo "run size=1G walker=v6.1 repeat=20" >"$SM_DIR/control" 2>/dev/null &
bg=$!
sleep 1
if echo free >"$SM_DIR/control" 2>/tmp/busy.err; then
	fail ctl_second_writer_ebusy "a second writer was let in"
elif grep -q 'busy' /tmp/busy.err; then
	pass ctl_second_writer_ebusy
else
	fail ctl_second_writer_ebusy "$(cat /tmp/busy.err)"
fi
wait "$bg" && pass ctl_first_writer_finishes || fail ctl_first_writer_finishes "run failed"

tag=ctl_free
check ctl_free sh -c "echo free >$SM_DIR/control"
expect_last kept no
check ctl_reset sh -c "echo reset >$SM_DIR/control"
[ ! -s "$SM_DIR/history" ] && pass reset_clears_history || fail reset_clears_history "history kept"
check walker_module_unloads unload

# Lockdown route: the experiment runs from module parameters at load.
tag=params
check params_run_at_load load run=1 region=vmalloc size=8M walker=v6.1 repeat=2
expect_last walker v6.1
expect_last status pass
expect_last verify_percent 100
dmesg | grep -q 'shadowmap: .*v6.1' && pass params_run_dmesg || fail params_run_dmesg "no perf line in dmesg"
check params_module_unloads unload

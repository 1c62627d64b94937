#!/bin/sh
# The module and its debugfs directory: bad parameters fail the load, the
# files exist with their modes, version, presets, steps, axes and counters
# read as documented, and unload removes the directory.
# Precondition: none (a loaded shadowmap is unloaded first).
. "$(dirname "$0")/ktap.sh"
sm_require

bad_params="walker=v5.0 repeat=0 size=12345 region=disk axes=remap=fast"
modes="version:444 control:200 last:444 history:444 ptdump:400 events:444
ranges:400 presets:444 steps:444 axes:444 counters:444"
# shellcheck disable=SC2086
ktap_plan $((5 + 2 + 2 + $(echo $modes | wc -w) + 2 + 6 + 2))

# param_rejects NAME PARAM: loading with PARAM must fail.
param_rejects() {
	if sm_load "$2" 2>/dev/null; then
		not_ok "param_rejects_$1" "module loaded with $2"
		sm_unload
	else
		ok "param_rejects_$1"
	fi
}

for bad in $bad_params; do
	param_rejects "$bad" "$bad"
done
# Values that would smuggle in other keys, had the parameters been joined.
param_rejects injected_walker 'walker="v6.10 repeat=5"'
param_rejects injected_axes 'axes="leaf=cont region=ram"'
check module_loads sm_load
expect debugfs_dir "no $SM_DIR" [ -d "$SM_DIR" ]
for fm in $modes; do
	m=$(stat -c %a "$SM_DIR/${fm%:*}" 2>&1)
	expect "mode_${fm%:*}_${fm#*:}" "mode is $m" [ "$m" = "${fm#*:}" ]
done
expect version_content "$(head -n 1 "$SM_DIR/version")" \
	grep -q '^shadowmap [0-9]' "$SM_DIR/version"
page=$(sed -n 's/^page_size: //p' "$SM_DIR/version")
if [ -n "${SM_PAGE_SIZE:-}" ]; then
	expect "page_size_$SM_PAGE_SIZE" "version says page_size $page" [ "$page" = "$SM_PAGE_SIZE" ]
else
	expect page_size_known "version says page_size '$page'" [ "${page:-0}" -gt 0 ]
fi

# axes: "AXIS value...", one line each, the documented axes and region.
axes=$(cut -d ' ' -f 1 "$SM_DIR/axes" | tr '\n' ' ')
expect axes_listed "axes lists: $axes" [ "$axes" = "remap barrier zero leaf check fill region " ]
# presets: "NAME remap=X barrier=X zero=X leaf=X check=X fill=X threads=N",
# every value one of its axis's.
bad=$(awk 'NR == FNR { for (i = 2; i <= NF; i++) ok[$1 "=" $i] = 1; next }
	NF != 8 { print "line " FNR ": " $0; next }
	{ for (i = 2; i <= 7; i++) if (!ok[$i]) print $1 ": " $i
	  if ($8 !~ /^threads=[0-9]+$/) print $1 ": " $8 }' "$SM_DIR/axes" "$SM_DIR/presets")
expect presets_format "$bad" [ -z "$bad" ]
n=$(wc -l <"$SM_DIR/presets")
expect presets_listed "$n presets" [ "$n" -ge 1 ]
# steps: "NAME commit=ID|- preset=NAME|- AXIS=VALUE...", a commit of 12 hex
# digits, a preset of presets, then every axis of axes (but region) in its
# order, each value one of its axis's.
bad=$(awk 'FILENAME == ARGV[1] { if ($1 != "region") { keys = keys " " $1
		for (i = 2; i <= NF; i++) ok[$1 "=" $i] = 1 }; next }
	FILENAME == ARGV[2] { preset["preset=" $1] = 1; next }
	{ c = substr($2, 8)
	  if ($2 !~ /^commit=/ || (c != "-" && (length(c) != 12 || c ~ /[^0-9a-f]/)))
		print $1 ": " $2
	  if ($3 != "preset=-" && !preset[$3]) print $1 ": " $3
	  k = ""
	  for (i = 4; i <= NF; i++) {
		if (!ok[$i]) print $1 ": " $i
		k = k " " substr($i, 1, index($i, "=") - 1)
	  }
	  if (k != keys) print $1 ": axes" k ", want" keys }' \
	"$SM_DIR/axes" "$SM_DIR/presets" "$SM_DIR/steps")
n=$(wc -l <"$SM_DIR/steps")
expect steps_format "$n steps; $bad" [ "$n" -ge 1 -a -z "$bad" ]
# Every preset and only presets load as walker=.
bad=
for w in $(sm_presets); do
	sm_unload && sm_load walker="$w" 2>/dev/null || bad="$bad $w"
done
expect presets_load_as_walker "refused:$bad" [ -z "$bad" ]
lines=$(wc -l <"$SM_DIR/counters")
n=$(grep -c '^[a-z][a-z0-9_]*$' "$SM_DIR/counters")
expect counters_listed "$lines lines, $n counter names" [ "$n" -ge 1 -a "$n" = "$lines" ]

unload_result
expect debugfs_removed "still there" [ ! -d "$SM_DIR" ]
ktap_finished

#!/bin/sh
# The module and its debugfs directory: bad parameters fail the load, the
# files exist with their modes, version, presets, steps, axes and counters
# read as documented, and unload removes the directory.
# Precondition: none (a loaded shadowmap is unloaded first).
. "$(dirname "$0")/ktap.sh"
sm_require

bad_params="walker=v5.0 repeat=0 size=12345 region=disk axes=remap=fast"
# docs/debugfs.md is the one description of the module's files: its table
# lists them with their modes ("| `NAME` | 0MODE | ..."; `fail_table/`
# only on kernels with fault injection), and its control grammar each
# axis's and the region's values and every preset.  The module must match
# it (beside the selftests in the source tree, dkms's included).
doc=$(dirname "$0")/../docs/debugfs.md
# files_table: the rows of the doc's table of files.
files_table() {
	sed -n '/^## Files$/,/^## /p' "$doc" | grep '^| `'
}
modes=
[ ! -f "$doc" ] ||
	modes=$(files_table | sed -n 's/^| `\([a-z_]*\)` | 0\([0-7][0-7]*\) |.*/\1:\2/p')
# shellcheck disable=SC2086
ktap_plan $((5 + 2 + 2 + $(echo $modes | wc -w) + 2 + 6 + 2 + 2))

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
# files_documented: every file here is a row of the doc's table.
files_documented() {
	for f in "$SM_DIR"/*; do
		f=${f##*/}
		[ -d "$SM_DIR/$f" ] && f=$f/
		files_table | grep -q "^| \`$f\` | 0" || { echo "$f"; return 1; }
	done
}
if [ -n "$modes" ]; then
	expect docs_list_every_file "$(files_documented) is not in $doc" \
		files_documented
else
	skip docs_list_every_file "no $doc (the source tree's docs/) or no files in its table"
fi
expect version_content "$(head -n 1 "$SM_DIR/version")" \
	grep -q '^shadowmap [0-9]' "$SM_DIR/version"
page=$(sed -n 's/^page_size: //p' "$SM_DIR/version")
if [ -n "${SM_PAGE_SIZE:-}" ]; then
	expect "page_size_$SM_PAGE_SIZE" "version says page_size $page" [ "$page" = "$SM_PAGE_SIZE" ]
else
	expect page_size_known "version says page_size '$page'" [ "${page:-0}" -gt 0 ]
fi

# axes: "AXIS value...", one line each, then region; the doc's grammar of
# run has "[AXIS=V1|V2|...]" for each, its values in the module's order, and
# "[walker=P1|P2|...]" for the presets.
grammar() {
	sed -n '/^run \[/,/^verify/p' "$doc" | tr -s ' \n' '  ' |
		grep -o '\[[a-z]*=[a-z0-9.|-]*\]' | tr '\n' ' '
}
module_lists() {
	awk '$1 == "region" { r = $0; next }
	     { printf "[%s=%s", $1, $2; for (i = 3; i <= NF; i++) printf "|%s", $i; printf "] " }
	     END { n = split(r, a, " "); printf "[region=%s", a[2]
		   for (i = 3; i <= n; i++) printf "|%s", a[i]; printf "] " }' "$SM_DIR/axes"
	printf '[walker=%s] ' "$(sm_presets | tr '\n' '|' | sed 's/|$//')"
}
if [ -f "$doc" ]; then
	want=$(module_lists)
	got=$(grammar)
	missing=
	for w in $want; do
		case " $got " in
		*" $w "*) ;;
		*) missing="$missing $w" ;;
		esac
	done
	expect docs_grammar_lists "$doc's run grammar lacks:$missing (has: $got)" \
		[ -z "$missing" ]
else
	skip docs_grammar_lists "no $doc (the source tree's docs/)"
fi
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
# limits: "KEY MIN MAX", numbers, MIN <= MAX, repeat among them.
bad=$(awk 'NF != 3 || $2 !~ /^[0-9]+$/ || $3 !~ /^[0-9]+$/ || $2 + 0 > $3 + 0 { print }
	$1 == "repeat" { r = 1 } END { if (!r) print "no repeat" }' "$SM_DIR/limits")
expect limits_format "$bad" [ -z "$bad" ]
lines=$(wc -l <"$SM_DIR/counters")
n=$(grep -c '^[a-z][a-z0-9_]*$' "$SM_DIR/counters")
expect counters_listed "$lines lines, $n counter names" [ "$n" -ge 1 -a "$n" = "$lines" ]

unload_result
expect debugfs_removed "still there" [ ! -d "$SM_DIR" ]
ktap_finished

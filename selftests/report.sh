#!/bin/sh
# The CLI's `report`: one Markdown file about this machine.  A report of
# 64 MiB of vmalloc, repeat 1: the file is where the last line of stdout
# says, with every section; its steps table has every row `steps` prints
# for the same region; the machine section names the kernel, page size and
# levels; every table row has its header's columns; emulation is said when
# the CPU is a software one; no .tmp is left, by a report or by a failed
# one; bad input is status 2; the default name.  The report goes to the
# console as "# REPORT " lines, from which the host can render it.
# Precondition: none (a loaded shadowmap is unloaded first).  Not under
# lockdown.  SM_CLI names the CLI (default: ../cli/shadowmap from here).
. "$(dirname "$0")/ktap.sh"
sm_require_cli
sm_require
sm_load_or_bail
sm_require_control
ktap_plan 17

# The first CPU's identification, for the names the report gives.
sed -n '/^CPU implementer/,/^CPU revision/s/^/# cpuinfo: /p' /proc/cpuinfo | head -n 5

# section NAME: the lines of section "## NAME" of the report.
section() {
	awk -v s="## $1" '$0 == s { on = 1; next } /^## / { on = 0 } on' "$rep"
}

# table_rows: the first cells of the body rows of the Markdown table on
# stdin (not its header or separator), trimmed.
table_rows() {
	awk -F '|' '/^\|/ { n++; if (n > 2) { c = $2; sub(/^ +/, "", c); sub(/ +$/, "", c); print c } }'
}

# tables_ok FILE: every row of every table in FILE has its header's
# number of cells (an escaped \| is no separator).
tables_ok() {
	awk '
	function cells(s,    t) { t = s; gsub(/\\\|/, "", t); return gsub(/\|/, "", t) }
	/^\|/ { n = cells($0); if (!in_t) { want = n; in_t = 1 } else if (n != want) { print "line " NR ": " n " bars, want " want ": " $0; bad = 1 }; next }
	{ in_t = 0 }
	END { exit bad }' "$1"
}

words="region=vmalloc size=64M repeat=1"
rep=$ktap_tmp/r/report.md
mkdir -p "$ktap_tmp/r"
# shellcheck disable=SC2086
shadowmap report $words out="$rep" >"$ktap_tmp/out" 2>"$ktap_tmp/err"
rc=$?
sed 's/^/# stderr: /' "$ktap_tmp/err"
expect report_runs "exit status $rc, want 0: $(tail -n 3 "$ktap_tmp/err")" [ "$rc" -eq 0 ]
last=$(tail -n 1 "$ktap_tmp/out")
expect report_prints_path "last line '$last', want 'report: $rep'" [ "$last" = "report: $rep" ]
if [ -f "$rep" ]; then
	ok report_file_exists
	sed 's/^/# REPORT /' "$rep"
else
	not_ok report_file_exists "no $rep: $(ls -la "$ktap_tmp/r")"
	: >"$rep"
fi
missing=
for s in Machine Steps "Hot-add events" Predictions Plots "How this was produced"; do
	grep -qx "## $s" "$rep" || missing="$missing '## $s'"
done
expect report_sections "missing:$missing" [ -z "$missing" ]

# The steps table has every row that `steps` prints for the same words.
# shellcheck disable=SC2086
if shadowmap steps $words >"$ktap_tmp/steps" 2>&1; then
	sed 's/^/# steps: /' "$ktap_tmp/steps"
	want=$(awk '$NF ~ /^([0-9]+\.[0-9][0-9]|-)$/ && $(NF - 4) ~ /%$/ {
		s = $1; for (i = 2; i <= NF - 6; i++) s = s " " $i; print s }' "$ktap_tmp/steps" | tr '\n' '|')
	got=$(section Steps | table_rows | tr '\n' '|')
	if [ -n "$want" ] && [ "$got" = "$want" ]; then
		ok report_steps_rows
	else
		not_ok report_steps_rows "rows '$got', want '$want'"
	fi
else
	not_ok report_steps_rows "steps: $(cat "$ktap_tmp/steps")"
fi

# The machine: kernel, page size, levels, as the module and uname say.
page=$(sed -n 's/^page_size: //p' "$SM_DIR/version")
levels=$(sm_last levels)
machine=$(section Machine)
why=
echo "$machine" | grep -q "^| kernel | $(uname -r) |" || why="$why kernel $(uname -r);"
echo "$machine" | grep -q "^| page size | $page bytes" || why="$why page size $page;"
echo "$machine" | grep -q "^| levels | ${levels}[ |]" || why="$why levels $levels;"
echo "$machine" | grep -q "^| CPU | [^|]" || why="$why CPU;"
echo "$machine" | grep -q "^| RAM | [0-9.]* GiB" || why="$why RAM;"
expect report_machine "the machine section lacks:$why" [ -z "$why" ]

expect report_tables_well_formed "$(tables_ok "$rep")" tables_ok "$rep"

# Predictions: a column per size, a row per step, numbers in the 64G one.
pred=$(section Predictions)
head=$(echo "$pred" | grep -m 1 '^| step |')
n=$(echo "$pred" | table_rows | wc -l)
num=$(echo "$pred" | awk -F '|' '/^\| base/ { print $3 }' | tr -d ' ')
if [ "$head" = "| step | 64G | 256G | 512G | 1T |" ] && [ "$n" -ge 6 ] &&
	echo "$num" | grep -Eq '^[0-9]+(\.[0-9]+)?$'; then
	ok report_predictions
else
	not_ok report_predictions "header '$head', $n rows, base at 64G '$num'"
fi

if command -v gnuplot >/dev/null 2>&1; then
	if [ -s "${rep%.md}-steps.png" ] && [ -s "${rep%.md}-predict.png" ]; then
		ok report_plots
	else
		not_ok report_plots "no plots beside the report: $(ls "$ktap_tmp/r")"
	fi
else
	expect report_plots "$(section Plots)" grep -q '^None: gnuplot was absent\.$' "$rep"
fi

# An emulated CPU (implementer 0, as QEMU's TCG) is said to be one.
if grep -q '^CPU implementer[[:space:]]*: 0x00$' /proc/cpuinfo; then
	expect report_emulation "no emulation note" grep -q '^\*\*Not hardware figures\.\*\*' "$rep"
else
	if grep -q 'Not hardware figures' "$rep"; then
		not_ok report_emulation "an emulation note on a hardware CPU"
	else
		ok report_emulation
	fi
fi

tmps=$(find "$ktap_tmp/r" -name '*.tmp')
expect report_no_tmp "left: $tmps" [ -z "$tmps" ]

cli_status report_bad_word 2 "not key=value" shadowmap report now
cli_status report_bad_repeat 2 "repeat=0: want 1..$(sm_limit repeat)" shadowmap report repeat=0
cli_status report_bad_out 2 "no directory" shadowmap report out=/nonexistent-dir/r.md

# A failed report leaves nothing: no hot-added range here (the module was
# loaded just now), so region=hotplug is refused (ENOENT).
shadowmap report region=hotplug out="$ktap_tmp/r/hp.md" >"$ktap_tmp/out" 2>&1
rc=$?
sed -n '1,3s/^/# /p' "$ktap_tmp/out"
left=$(cd "$ktap_tmp/r" && ls hp.md* 2>/dev/null)
if [ "$rc" -eq 1 ] && [ -z "$left" ]; then
	ok report_failed_leaves_nothing
else
	not_ok report_failed_leaves_nothing "exit status $rc (want 1), left: $left"
fi

# The default name: shadowmap-report-HOST-YYYYmmdd-HHMMSS.md here.
mkdir -p "$ktap_tmp/d"
out=$(cd "$ktap_tmp/d" && sh "$SM_CLI" report region=vmalloc size=4M repeat=1 2>&1)
rc=$?
name=$(ls "$ktap_tmp/d")
host=$( (hostname 2>/dev/null || uname -n) | tr -cd 'A-Za-z0-9._-')
host=${host:-unknown}
if [ "$rc" -eq 0 ] && echo "$name" | grep -Eqx "shadowmap-report-$host-[0-9]{8}-[0-9]{6}\.md" &&
	[ "$(echo "$out" | tail -n 1)" = "report: $name" ]; then
	ok report_default_name
else
	not_ok report_default_name "exit status $rc, made '$name': $(echo "$out" | tail -n 1)"
fi
unload_result
ktap_finished

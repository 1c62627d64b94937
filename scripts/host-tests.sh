#!/bin/sh
# Host-side tests of the rig itself: syntax, bad input to every script gets
# a clear message and a non-zero exit, and versions agree.
set -u
. "$(dirname "$0")/lib.sh"

passed=0
failed=0
t_ok() { passed=$((passed + 1)); }
t_bad() { failed=$((failed + 1)); echo "FAIL host: $*"; }

cd "$SHADOWMAP_TOP" || exit 1
# Runs first on a fresh machine: nothing of the cache exists yet.
err=$(mktemp)
trap 'rm -f "$err"' EXIT
# POSIX sh: every script must parse under dash; the guest's (the CLI, the
# selftests, scripts/guest/) under busybox's ash as well, where the host
# has busybox.
bb=$(command -v busybox || true)
for f in scripts/*.sh cli/shadowmap selftests/*.sh scripts/guest/*.sh scripts/guest/init .ci/run; do
	[ -f "$f" ] || continue
	case "$f" in
	.ci/run) shells=bash ;;
	scripts/guest/*|cli/*|selftests/*) shells="dash${bb:+ $bb}" ;;
	*) shells=dash ;;
	esac
	for sh_ in $shells; do
		[ "$sh_" != "$bb" ] || sh_="$bb sh"
		# shellcheck disable=SC2086
		if $sh_ -n "$f" 2>"$err"; then
			t_ok
		else
			t_bad "$f ($sh_): $(cat "$err")"
		fi
	done
done
for f in scripts/*.py; do
	python3 -m py_compile "$f" && t_ok || t_bad "$f does not compile"
done

# The kernel table: eight fields (the last, append, may have more words),
# unique names, a known build, a suite for Debian's rows alone, an arm64
# page size and 2 to 5 levels.
bad=$(awk '!/^#/ && NF { if (NF < 8 || seen[$1]++ || $2 !~ /^(debian|kunit|debug|secure)$/ ||
	($2 == "debian") != ($3 != "-") || $6 !~ /^(4096|16384|65536)$/ || $7 !~ /^[2-5]$/)
	print FILENAME ":" NR ": " $0 }' scripts/kernels 2>&1)
[ -z "$bad" ] && t_ok || t_bad "scripts/kernels: $bad"

# expect_error NAME PATTERN CMD...: CMD must fail and say PATTERN.
expect_error() {
	name=$1 pattern=$2
	shift 2
	if out=$("$@" 2>&1); then
		t_bad "$name: succeeded, expected an error"
	elif echo "$out" | grep -q "$pattern"; then
		t_ok
	else
		t_bad "$name: message '$out' lacks '$pattern'"
	fi
}
expect_error guest-run-kernel "unknown kernel" sh scripts/guest-run.sh --kernel debian-5.10 --mode idle
expect_error guest-run-mode "unknown mode" sh scripts/guest-run.sh --mode bogus
expect_error guest-run-option "unknown option" sh scripts/guest-run.sh --frobnicate
expect_error guest-run-timeout "wants seconds" sh scripts/guest-run.sh --timeout soon
expect_error guest-run-smp "wants a number of CPUs" sh scripts/guest-run.sh --smp many
expect_error guest-run-value "wants a value" sh scripts/guest-run.sh --kernel
expect_error check-jobs "CHECK_JOBS wants a number" env CHECK_JOBS=two sh scripts/check.sh
expect_error qemu-choice "want 10, 7.2 or the path" env -u QEMU_BIN -u QEMU_VERSION QEMU=9 sh scripts/guest-run.sh --mode idle
expect_error qemu-path "not an executable" env -u QEMU_BIN -u QEMU_VERSION QEMU=/nonexistent/qemu sh scripts/guest-run.sh --mode idle
expect_error guest-run-env-name "wants SM_NAME=VALUE" sh scripts/guest-run.sh --env 'SM_A B=1'
expect_error guest-run-env-prefix "wants SM_NAME=VALUE" sh scripts/guest-run.sh --env PATH=/tmp
expect_error guest-run-env-bare "wants SM_NAME=VALUE" sh scripts/guest-run.sh --env SM_ITERS
expect_error guest-run-env-value "may hold only" sh scripts/guest-run.sh --env "SM_ITERS=1;reboot"
expect_error kernel-build-name "unknown kernel" sh scripts/kernel-build.sh 5.10
expect_error kernel-build-debian "not one of our own kernels" sh scripts/kernel-build.sh debian-6.1
expect_error kernel-source-ver "unknown kernel series" sh scripts/kernel-source.sh 4.19
expect_error kernel-source-option "not a series" sh scripts/kernel-source.sh --help
expect_error kernel-source-suite "no apt state for no-such-suite" sh scripts/kernel-source.sh 7.3 no-such-suite
expect_error debian-kernels-name "unknown kernel" sh scripts/debian-kernels.sh 4.19
expect_error debian-kernels-kunit "not a Debian kernel" sh scripts/debian-kernels.sh kunit-6.1
expect_error dkms-check-kunit "not a Debian kernel" sh scripts/dkms-check.sh kunit-6.12
expect_error lab-option "unknown option" sh scripts/lab.sh --frobnicate
expect_error lab-kernel "unknown kernel" sh scripts/lab.sh --kernel debian-5.10
expect_error lab-value "wants a value" sh scripts/lab.sh --walkers
expect_error check-option "usage" sh scripts/check.sh --frobnicate
expect_error module-deps-args "no arguments" sh scripts/module-deps.sh now
expect_error qmp-grow-args "Usage" python3 scripts/qmp-grow.py
expect_error lab-table-args "Usage" python3 scripts/lab-table.py
expect_error cli-usage "Usage" sh cli/shadowmap bogus
SHADOWMAP_DEBUGFS=/nonexistent/shadowmap expect_error cli-no-module "load the module\|debugfs is not mounted" \
	sh cli/shadowmap last
expect_error selftest-name "no test 'bogus'" sh selftests/run.sh bogus
# The CLI's exit status names the cause: 2 usage, 4 debugfs (3 not root).
want=4
[ "$(id -u)" = 0 ] || want=3
for c in "2 bogus" "$want last" "$want run size=4M"; do
	# shellcheck disable=SC2086
	SHADOWMAP_DEBUGFS=/nonexistent/shadowmap sh cli/shadowmap ${c#* } >/dev/null 2>&1
	rc=$?
	[ "$rc" = "${c%% *}" ] && t_ok || t_bad "cli ${c#* }: exit status $rc, want ${c%% *}"
done

# One source for every list: the CLI names none of the module's presets
# and steps (sm_preset_names[] and sm_steps[] of src/config.c) as a
# literal; it reads them from the presets and steps files.  A literal is
# the name in code (comments aside) where it stands as a value: after =, a
# quote, a comma or a bar, and before a quote, a comma, a bar, ) or a
# blank; or as a case label.
config_names() {
	awk -v decl="$1" -v pat="$2" 'index($0, decl) == 1 { on = 1; next }
		on && /^};/ { exit }
		on && $0 ~ pat { split($0, q, "\""); print q[2] }' src/config.c
}
preset_names=$(config_names 'const char * const sm_preset_names[]' '\] = "')
step_names=$(config_names 'const struct sm_step_desc sm_steps[]' '\.name = "')
# each name once: direct and bbml2 are both presets and steps
# shellcheck disable=SC2086
cli_names=$(printf '%s\n' $preset_names $step_names | sort -u)
# cli_literals FILE: FILE's lines that name one of them as a literal.
cli_literals() {
	for n in $cli_names; do
		re=$(printf '%s' "$n" | sed 's/[].[*^$\\]/\\&/g')
		grep -nE "(^|[=\"',|])$re([\"',|)[:space:]]|\$)|^[[:space:]]*${re}[|)]" "$1" |
			grep -v '^[0-9]*:[[:space:]]*#'
	done
}
# The names are src/config.c's, as the fixture's presets and steps list
# them (which also proves the awk found them).
for f in presets:"$preset_names" steps:"$step_names"; do
	got=$(cut -d ' ' -f 1 "scripts/cli-fixture/${f%%:*}")
	[ -n "${f#*:}" ] && [ "$got" = "${f#*:}" ] && t_ok ||
		t_bad "src/config.c's ${f%%:*} '$(echo "${f#*:}" | tr '\n' ' ')', scripts/cli-fixture/${f%%:*}'s '$(echo "$got" | tr '\n' ' ')'"
done
hits=$(cli_literals cli/shadowmap)
[ -z "$hits" ] && t_ok || t_bad "cli/shadowmap names presets or steps as literals: $hits"
# ... and the check finds a name written as a value, a quoted label and a
# case label.
st=$(mktemp)
for n in $cli_names; do
	printf '\trun "walker=%s"\n\trows="%s (x)|y"\n\t%s|z) ;;\n' "$n" "$n" "$n"
done >"$st"
n=$(cli_literals "$st" | wc -l)
want=$((3 * $(echo "$cli_names" | wc -w)))
[ "$n" = "$want" ] && t_ok || t_bad "the literal check found $n of $want literals"
rm -f "$st"

# The CLI's --format csv|json, parsed back by python's csv and json modules
# (scripts/cli-format-check.py) and compared with the files they came from:
# scripts/cli-fixture/ holds a `last` (from a guest's hot-add run, with a
# last_error that needs quoting and escaping), a history (a walker with
# commas), events and a prediction, read through SHADOWMAP_DEBUGFS.  As
# root, run, compare and steps too: their writes to control go to a plain
# file there, so `last` stays the fixture's.
fx=$(mktemp -d)
cp scripts/cli-fixture/* "$fx/"
: >"$fx/control"
# The fixture's steps, as the module lists them: the one with leaf=block
# maps no block here (the fixture's last has leaf_pmd_block 0), so steps
# leaves it out with a note; the others are its rows, in order.
block_step=$(awk '/ leaf=block( |$)/ { print $1; exit }' "$fx/steps")
step_rows=$(awk '!/ leaf=block( |$)/ { printf "%s%s", n++ ? "," : "", $1 }' "$fx/steps")
nrows=$(awk '!/ leaf=block( |$)/' "$fx/steps" | wc -l)
# A control character for JSON's \u escapes.
printf 'x_control: a\001b\177c\n' >>"$fx/last"
# cli_format NAME CLI-ARGS CHECK-ARGS...: the CLI's output of CLI-ARGS (one
# string, split at blanks) passes cli-format-check.py CHECK-ARGS (format,
# kind, then its options; the source and the output go in between).
cli_format() {
	name=$1 cli=$2 f=$3 k=$4
	shift 4
	# shellcheck disable=SC2086
	if ! SHADOWMAP_DEBUGFS=$fx sh cli/shadowmap $cli >"$fx/out" 2>"$err"; then
		t_bad "cli-format $name: exit status $?: $(cat "$err")"
	elif why=$(python3 scripts/cli-format-check.py "$f" "$k" "$fx/$k" "$fx/out" "$@" 2>&1); then
		t_ok
	else
		t_bad "cli-format $name: $why"
	fi
}
for f in csv json; do
	cli_format "last $f" "--format $f last" "$f" last
	cli_format "history $f" "history --format=$f" "$f" history --list
	cli_format "events $f" "--format $f events" "$f" events --list
	cli_format "prediction $f" "prediction --format $f" "$f" prediction --list
	if [ "$(id -u)" = 0 ]; then
		cli_format "run $f" "run size=4M --format $f" "$f" last
		cli_format "compare $f" "--format $f compare walkers=v6.1,v6.10" "$f" last --list --copies 2
		cli_format "steps $f" "--format $f steps size=8M" "$f" last --list --copies "$nrows" \
			--key "step=$step_rows"
	fi
done
# The table is today's output: `last` and `history` as the module prints
# them.
for c in last history events prediction; do
	if SHADOWMAP_DEBUGFS=$fx sh cli/shadowmap "$c" | cmp -s - "$fx/$c"; then
		t_ok
	else
		t_bad "cli $c: the table format is not the file as it is"
	fi
done
if [ "$(id -u)" = 0 ]; then
	# The steps' run words: the module's steps in order, each as its
	# preset (walker=) when it is one, else as its axis words.
	got=$(SHADOWMAP_DEBUGFS=$fx sh -x cli/shadowmap steps size=8M 2>&1 >/dev/null |
		sed -n "s/^+ ctl 'run size=8M \(.*\)'$/\1/p; s/^+ ctl run size=8M \(.*\)$/\1/p" | tr '\n' '|')
	# the block step's run is the last write to control (its trace is
	# in a subshell)
	got="$got$(sed 's/^run size=8M //' "$fx/control")|"
	want=$(awk '{ w = ""; p = ""
		for (i = 2; i <= NF; i++)
			if ($i ~ /^preset=/) p = substr($i, 8)
			else if ($i !~ /^commit=/) w = w (w == "" ? "" : " ") $i
		printf "%s|", p != "-" ? "walker=" p : w }' "$fx/steps")
	[ "$got" = "$want" ] && t_ok || t_bad "cli steps: runs '$got', want '$want'"
	SHADOWMAP_DEBUGFS=$fx sh cli/shadowmap steps size=8M >"$fx/out" 2>&1
	grep -q "^note: $block_step: skipped, the run mapped no block" "$fx/out" && t_ok ||
		t_bad "cli steps: no note for $block_step without a block: $(cat "$fx/out")"
	# Every row is labelled with its step's name, in the module's order.
	got=$(awk '$NF ~ /^([0-9]+\.[0-9][0-9]|-)$/ && $(NF - 4) ~ /%$/ { printf "%s%s", n++ ? "," : "", $1 }' "$fx/out")
	[ "$got" = "$step_rows" ] && t_ok || t_bad "cli steps: rows '$got', want '$step_rows'"
fi
for c in "xml last:want table, csv or json" "json ptdump:prints no results to format" ":wants a value"; do
	# shellcheck disable=SC2086
	SHADOWMAP_DEBUGFS=$fx sh cli/shadowmap --format ${c%%:*} >/dev/null 2>"$err"
	rc=$?
	[ "$rc" = 2 ] && grep -q "${c#*:}" "$err" && t_ok ||
		t_bad "cli --format ${c%%:*}: exit status $rc ($(cat "$err")), want 2 and '${c#*:}'"
done
# steps refuses the walker's keys: walker=, walkers= and every axis of the
# module's axes file (not region).
c="steps now:not key=value"
for k in walker walkers $(awk '$1 != "region" { print $1 }' scripts/cli-fixture/axes); do
	c="$c|steps size=8M $k=x:is not for it"
done
ifs=$IFS
IFS='|'
# shellcheck disable=SC2086
set -- $c
IFS=$ifs
for c in "$@"; do
	# shellcheck disable=SC2086
	SHADOWMAP_DEBUGFS=$fx sh cli/shadowmap ${c%%:*} >/dev/null 2>"$err"
	rc=$?
	[ "$rc" = 2 ] && grep -q "${c#*:}" "$err" && t_ok ||
		t_bad "cli ${c%%:*}: exit status $rc ($(cat "$err")), want 2 and '${c#*:}'"
done
# report: bad input is a usage error (2) before anything is touched.
# The fixture's limits are the module's #defines.
lim=$(printf 'repeat 1 %s\nthreads 1 %s\nsamples %s %s' \
	"$(sed -n 's/^#define SM_MAX_REPEAT[[:space:]]*\([0-9]*\).*/\1/p' src/shadowmap.h)" \
	"$(sed -n 's/^#define SM_MAX_THREADS[[:space:]]*\([0-9]*\).*/\1/p' src/shadowmap.h)" \
	"$(sed -n 's/^#define SM_CAL_SAMPLES_MIN[[:space:]]*\([0-9]*\).*/\1/p' src/calibrate.h)" \
	"$(sed -n 's/^#define SM_CAL_SAMPLES_MAX[[:space:]]*\([0-9]*\).*/\1/p' src/calibrate.h)")
[ "$lim" = "$(cat scripts/cli-fixture/limits)" ] && t_ok ||
	t_bad "scripts/cli-fixture/limits is not the module's: want '$lim'"
rmax=$(sed -n 's/^repeat 1 //p' scripts/cli-fixture/limits)
for c in "report now:not key=value" "report walker=v6.1:is not for it" "report repeat=0:want 1..$rmax" \
	"report region=swap:want one of: $(sed -n 's/^region //p' scripts/cli-fixture/axes)" "report size=lots:want a number" "report out=/nonexistent/r.md:no directory" \
	"report repeat=1 repeat=2:given twice" "report out=:has no value"; do
	# shellcheck disable=SC2086
	SHADOWMAP_DEBUGFS=$fx sh cli/shadowmap ${c%%:*} >/dev/null 2>"$err"
	rc=$?
	[ "$rc" = 2 ] && grep -q "${c#*:}" "$err" && t_ok ||
		t_bad "cli ${c%%:*}: exit status $rc ($(cat "$err")), want 2 and '${c#*:}'"
done
# report, as root, from the fixture (SHADOWMAP_PROC=$fx: its cpuinfo,
# meminfo and cmdline): a Neoverse-N1, an emulated CPU and an unknown one.
# Each report's tables must have their header's column count (awk), and
# where python3 has the markdown module, render to HTML with 6 sections
# and 4 tables (machine, steps, events, predictions), every row with its
# header's cells.  A failed report (control a directory) leaves nothing;
# a report killed by SIGTERM (control a FIFO: the first run blocks) leaves
# no .tmp.
md_py=
for p in python3 /usr/bin/python3; do
	! "$p" -c 'import markdown' 2>/dev/null || { md_py=$p; break; }
done
# report_md_ok FILE: the Markdown report FILE is well-formed.
report_md_ok() {
	awk 'function cells(s,    t) { t = s; gsub(/\\\|/, "", t); return gsub(/\|/, "", t) }
	/^\|/ { n = cells($0); if (!in_t) { want = n; in_t = 1 } else if (n != want) { print "line " NR ": " n " bars, want " want; bad = 1 }; next }
	{ in_t = 0 }
	END { exit bad }' "$1" || return 1
	[ -n "$md_py" ] || return 0
	"$md_py" - "$1" <<'PY'
import re, sys, markdown
html = markdown.markdown(open(sys.argv[1]).read(), extensions=["tables"])
open(sys.argv[1][:-3] + ".html", "w").write(html)
h2 = re.findall(r"<h2>(.*?)</h2>", html)
want = ["Machine", "Steps", "Hot-add events", "Predictions", "Plots", "How this was produced"]
if h2 != want:
    sys.exit("sections %s, want %s" % (h2, want))
tables = re.findall(r"<table>(.*?)</table>", html, re.S)
if len(tables) != 4:
    sys.exit("%d tables, want 4" % len(tables))
for t in tables:
    rows = re.findall(r"<tr>(.*?)</tr>", t, re.S)
    n = [len(re.findall(r"<t[hd][ >]", r)) for r in rows]
    if len(rows) < 2 or len(set(n)) != 1:
        sys.exit("a table's rows have %s cells" % n)
PY
}
if [ "$(id -u)" = 0 ]; then
	mkdir "$fx/r"
	for c in "0x41 0xd0c:Neoverse-N1 (implementer 0x41, part 0xd0c)" "0x00 0x051:QEMU max (implementer 0x00, part 0x051)" \
		"0x99 0x123:unknown (implementer 0x99 part 0x123)"; do
		# shellcheck disable=SC2086
		set -- ${c%%:*}
		sed "s/^CPU implementer.*/CPU implementer\t: $1/; s/^CPU part.*/CPU part\t: $2/" scripts/cli-fixture/cpuinfo >"$fx/cpuinfo"
		rep=$fx/r/report-$2.md
		out=$(SHADOWMAP_DEBUGFS=$fx SHADOWMAP_PROC=$fx sh cli/shadowmap report region=vmalloc size=8M out="$rep" 2>"$err")
		rc=$?
		if [ "$rc" != 0 ] || [ "$(echo "$out" | tail -n 1)" != "report: $rep" ]; then
			t_bad "cli report ($2): exit status $rc, said '$out' ($(cat "$err"))"
			continue
		fi
		t_ok
		why=$(report_md_ok "$rep" 2>&1) && t_ok || t_bad "cli report ($2): $why"
		grep -q "^| CPU | ${c#*:} |$" "$rep" && t_ok || t_bad "cli report ($2): CPU '$(grep '^| CPU' "$rep")', want '${c#*:}'"
		# The emulation note: with implementer 0x00, and only then.
		n=$(grep -c '^\*\*Not hardware figures' "$rep")
		[ "$n" = "$([ "$1" = 0x00 ] && echo 1 || echo 0)" ] && t_ok || t_bad "cli report ($2): $n emulation notes"
		# The steps table: the six rows steps has here, as `steps` says.
		rows=$(awk '/^## Steps/ { on = 1; next } /^## / { on = 0 } on && /^\| / { n++ } END { print n - 1 }' "$rep")
		[ "$rows" = 6 ] && t_ok || t_bad "cli report ($2): $rows rows in its steps table, want 6"
		if command -v gnuplot >/dev/null 2>&1; then
			[ -s "${rep%.md}-steps.png" ] && [ -s "${rep%.md}-predict.png" ] && grep -q '^!\[.*\](report-0x[0-9a-f]*-steps.png)$' "$rep" &&
				t_ok || t_bad "cli report ($2): no plots beside it: $(ls "$fx/r")"
		fi
	done
	[ -z "$(find "$fx/r" -name '*.tmp')" ] && t_ok || t_bad "cli report: left $(find "$fx/r" -name '*.tmp')"
	# Runs that did not verify: the report still, saying so, and status 1.
	mkdir "$fx/fail"
	cp "$fx"/* "$fx/fail/" 2>/dev/null
	sed -i 's/^status: pass$/status: FAIL/' "$fx/fail/last"
	SHADOWMAP_DEBUGFS=$fx/fail SHADOWMAP_PROC=$fx sh cli/shadowmap report size=8M out="$fx/r/fail.md" >/dev/null 2>"$err"
	rc=$?
	first2=$(awk 'NR == 1 { printf "%s (status FAIL), ", $1 } NR == 2 { print $1; exit }' "$fx/steps")
	[ "$rc" = 1 ] && grep -q "^\*\*Did not verify:\*\* $first2" "$fx/r/fail.md" &&
		report_md_ok "$fx/r/fail.md" && t_ok ||
		t_bad "cli report, runs that did not verify: exit status $rc ($(cat "$err")); $(grep -i 'verify' "$fx/r/fail.md" 2>&1)"
	# A failed report leaves nothing, and says why with the CLI's status
	# (here: no steps to read, 1).
	mkdir "$fx/bad"
	cp "$fx"/version "$fx"/last "$fx"/axes "$fx/bad/"
	: >"$fx/bad/control"
	SHADOWMAP_DEBUGFS=$fx/bad sh cli/shadowmap report out="$fx/r/bad.md" >/dev/null 2>"$err"
	rc=$?
	[ "$rc" = 1 ] && grep -q "cannot read .*steps" "$err" && [ -z "$(cd "$fx/r" && ls bad.md* 2>/dev/null)" ] && t_ok ||
		t_bad "cli report, no steps: exit status $rc ($(cat "$err")), left $(cd "$fx/r" && ls bad.md* 2>/dev/null)"
	rm -f "$fx/bad/control"
	cp "$fx/steps" "$fx/bad/"
	if command -v setsid >/dev/null 2>&1; then
		mkfifo "$fx/bad/control"
		SHADOWMAP_DEBUGFS=$fx/bad setsid sh cli/shadowmap report out="$fx/r/term.md" </dev/null >/dev/null 2>&1 &
		pid=$!
		i=0
		while [ ! -e "$fx/r/term.md.tmp" ] && [ $i -lt 50 ]; do
			sleep 0.1
			i=$((i + 1))
		done
		kill -TERM "-$pid" 2>/dev/null
		wait "$pid" 2>/dev/null
		rc=$?
		[ "$rc" = 143 ] && [ $i -lt 50 ] && [ -z "$(cd "$fx/r" && ls term.md* 2>/dev/null)" ] && t_ok ||
			t_bad "cli report, SIGTERM: exit status $rc after $i polls, left $(cd "$fx/r" && ls term.md* 2>/dev/null)"
	fi
	[ -z "${SHADOWMAP_REPORT_SAMPLE:-}" ] || cp "$fx/r/report-0xd0c.md" "$fx/r/report-0xd0c.html" "$fx/r/report-0xd0c-"*.png "$SHADOWMAP_REPORT_SAMPLE/" 2>/dev/null
fi
rm -rf "$fx"

# lab-table.py: a lazy run whose last lacks lazy_ring is a clear failure.
printf '# SM: LAST t %s\n' "remap: lazy" "leaf: pte" "chunks: 1" "tlbi: 16" >"$err"
expect_error lab-table-lazy-ring "no lazy_ring" python3 scripts/lab-table.py --check "$err"

# lab-table.py --hotplug: the timed hot-add mapped 15 blocks, the counted
# one 16 of 67 TLBIs each, so a preset's 1005 TLBIs equal the live
# kernel's for the same ranges; the kernel's preset (v6.10, 6.12) at 0.86
# of the live time holds for the wall clock and not for --icount.
hp=$(mktemp -d)
{
	echo "# SM: LAST hotplug-v6.10 kernel: 6.12.118+deb12-arm64"
	echo "# SM: LIVE preset=v6.10 events=15 size=2013265920 map_tlbi=1072 map_ns=9500000 map_probe_ns=0 counted=0 count_map_ns=20000000 count_probe_ns=1000 count_size=2147483648 count_events=16 count_tlbi_min=67 count_tlbi_max=67"
	echo "# SM: HOTPLUG walker=v6.10 tlbi=1005 build_ns_median=11000000 predicted_build_ns=12000000 size=2013265920 live_map_ns=9500000 live_probe_ns=0"
	echo "# SM: HOTPLUG walker=direct tlbi=0 build_ns_median=5000000 predicted_build_ns= size=2013265920 live_map_ns=9500000 live_probe_ns=0"
} >"$hp/hotplug.log"
python3 scripts/lab-table.py --judge --hotplug "$hp/hotplug.log" >"$hp/out" 2>&1
rc=$?
grep -q '^v6.10\*  *1005  *yes  *11.00  *12.00  *0.86$' "$hp/out" &&
	grep -q '^direct  *0  *no ' "$hp/out" && grep -q '^live  *1005 ' "$hp/out" &&
	grep -q 'live/preset 0.86, inside 0.8..1.25$' "$hp/out" && [ "$rc" = 0 ] && t_ok ||
	t_bad "lab-table --hotplug like with like: rc $rc: $(cat "$hp/out")"
python3 scripts/lab-table.py --judge --icount --hotplug "$hp/hotplug.log" >"$hp/out" 2>&1
rc=$?
grep -q '^walker .* median M instr ' "$hp/out" &&
	grep -q 'live/preset 0.86, OUTSIDE 0.9..1.1$' "$hp/out" && [ "$rc" = 1 ] && t_ok ||
	t_bad "lab-table --judge --icount --hotplug: rc $rc, want 1: $(cat "$hp/out")"
# blocks that issued different counts: no like-for-like figure
sed -i 's/count_tlbi_max=67/count_tlbi_max=68/' "$hp/hotplug.log"
python3 scripts/lab-table.py --hotplug "$hp/hotplug.log" >"$hp/out" 2>&1
grep -q '^v6.10\*  *1005  *-  ' "$hp/out" && t_ok ||
	t_bad "lab-table --hotplug, blocks unlike: want '-': $(cat "$hp/out")"
rm -rf "$hp"

# bench-report.py over a made-up matrix (the fixture's `last`, two walkers
# at two sizes, predictions exact but one, the time per GiB flat but one),
# and the steps: the tables, CSV, JSON and plots it writes, each read back.
bench=$(mktemp -d)
for w in v6.1 v6.10; do
	for s in 256 512; do
		ns=$((s * 1000000 + ${#w}))
		pred=$ns
		if [ "$w$s" = v6.10512 ]; then
			ns=$((s * 1100000 + ${#w}))
			pred=$((ns * 2))
		fi
		sed -e "s/^size_mapped: .*/size_mapped: $((s << 20))/" \
			-e "s/^region: .*/region: vmalloc/" \
			-e "s/^build_ns_median: .*/build_ns_median: $ns/" \
			-e "s/^predicted_build_ns: .*/predicted_build_ns: $pred/" \
			scripts/cli-fixture/last | sed "s/^/# SM: LAST $w@vmalloc:${s}M /"
	done
done >"$bench/bench.log"
{
	echo "# SM: STEPSCSV step,build_ns_median,predicted_build_ns,tlbi,dsb,isb,tables_pte,status"
	echo "# SM: STEPSCSV base,2000000,2100000,100,300,200,9,pass"
	echo "# SM: STEPSCSV \"no-cont-remap\",1000000,,10,30,20,9,pass"
	echo "# SM: STEPSNOTE shadowmap: bbml2: skipped"
	for c in clear_page:1000 fill_page:3000 table_alloc:500 table_alloc_zero:700; do
		echo "# SM: COSTS ${c%:*} min_ps=1 median_ps=${c#*:}000 max_ps=9 samples=3 batch=1"
	done
} >>"$bench/bench.log"
# the split walker's runs, two rounds (threads=2: vmalloc 2.00, contig
# 1.80), and a 4-vCPU guest's scaling
par() {
	sed -e "s/^build_ns_median: .*/build_ns_median: $2/" scripts/cli-fixture/last |
		sed "s/^/# SM: LAST parallel:$1 /"
}
for k in 1 2; do
	par "vmalloc:2G:t1:$k" 20000000
	par "vmalloc:2G:t2:$k" 10000000
	par "contig:2G:t1:$k" 18000000
	par "contig:2G:t2:$k" 10000000
done >>"$bench/bench.log"
{
	echo "[    0.29] smp: Brought up 1 node, 4 CPUs"
	par vmalloc:2G:t1:1 20000000
	par vmalloc:2G:t2:1 11000000
	par vmalloc:2G:t4:1 8000000
} >"$bench/smp4.log"
python3 scripts/bench-report.py "$bench/bench.log" "$bench/out" "$bench/smp4.log" >"$bench/stdout" 2>"$err"
rc=$?
grep -q '^parallel: direct 2G threads=2 speedup 1.80 (the lower of vmalloc 2.00, contig 1.80)$' "$bench/stdout" &&
	grep -q '^vmalloc 2G  *20.00  *11.00  *8.00  *1.82  *2.50$' "$bench/stdout" &&
	grep -q '^Hot-add runs on many CPUs; boot-time map_mem() does not' "$bench/stdout" && t_ok ||
	t_bad "bench-report parallel: $(grep -iE 'parallel|scaling|^vmalloc 2G' "$bench/stdout" | tr '\n' ' ')"
# The wall clock's targets are printed, not judged; the deterministic
# clock's judge: a prediction outside 0.9..1.1, a time per GiB not flat.
grep -q 'OUTSIDE 0.75..1.25 of the measured median (wall-clock: printed, not judged): v6.10@vmalloc 512M 2.00$' "$bench/stdout" &&
	grep -q '^per GiB: NOT flat (wall-clock: printed, not judged): v6.10@vmalloc 1.100$' "$bench/stdout" &&
	[ "$rc" = 0 ] && t_ok || t_bad "bench-report: rc $rc, want 0 and one prediction OUTSIDE: $(tail -n 3 "$bench/stdout")"
python3 scripts/bench-report.py --icount "$bench/bench.log" "$bench/out-icount" >"$bench/stdout-icount" 2>"$err"
rc=$?
grep -q 'OUTSIDE 0.9..1.1 of the measured median: v6.10@vmalloc 512M 2.00$' "$bench/stdout-icount" &&
	grep -q "^per GiB, less the fixed part (build_fixed 0.0000 M instructions, and the upper tables' making): flat within 5% (256M to 8G) for 1 of 2 presets and regions; the worst, v6.10@vmalloc, 1.100\$" "$bench/stdout-icount" &&
	grep -q '^per GiB: NOT flat: v6.10@vmalloc 1.100$' "$bench/stdout-icount" &&
	grep -q '^median build M instructions$' "$bench/stdout-icount" &&
	[ "$rc" = 1 ] && t_ok || t_bad "bench-report --icount: rc $rc, want 1, OUTSIDE and NOT flat: $(tail -n 4 "$bench/stdout-icount")"
# The causes of the wall-clock misses: the time per instruction, from the
# two boots' summaries (the same log twice here: 1 ns per instruction).
mkdir -p "$bench/both/icount"
cp "$bench/out/summary.json" "$bench/both/" &&
	cp "$bench/out-icount/summary.json" "$bench/both/icount/"
python3 scripts/bench-report.py --causes "$bench/both" >"$bench/stdout-causes" 2>"$err"
rc=$?
grep -q '^predictions within 0.75..1.25: 3 of 4 runs hold$' "$bench/stdout-causes" &&
	grep -q '^  v6.10@vmalloc 512M: 2.00; in instructions 2.00; 1.00 ns per instruction, 1.00x the median$' "$bench/stdout-causes" &&
	grep -q '^  v6.10@vmalloc: 1.100; in instructions 1.100; ns per instruction 256M 1.00 -> 512M 1.00$' "$bench/stdout-causes" &&
	[ "$rc" = 0 ] && t_ok || t_bad "bench-report --causes: rc $rc: $(cat "$bench/stdout-causes" "$err")"
expect_error "bench-report --causes, no summaries" "no summaries of both clocks" \
	python3 scripts/bench-report.py --causes "$bench/nonexistent"
# The per-GiB figure is of what scales with size: a build of blocks whose
# fixed part (build_fixed, 3 ms here, and its upper tables' making, 1.5 ms
# predicted) is most of it at 256M is flat once those are taken off, and
# would not be with either left in.
fx=$(mktemp -d)
blocks() {
	for s in 256 1024; do
		sed -e "s/^size_mapped: .*/size_mapped: $((s << 20))/" \
			-e "s/^region: .*/region: contig/" \
			-e "s/^tables_pmd: .*/tables_pmd: 1/" \
			-e "s/^tables_pte: .*/tables_pte: 0/" \
			-e "s/^predicted_alloc_ns: .*/predicted_alloc_ns: $1/" \
			-e "s/^predicted_zero_ns: .*/predicted_zero_ns: 500000/" \
			-e "s/^build_ns_median: .*/build_ns_median: $((4500000 + s * 4000))/" \
			-e "s/^predicted_build_ns: .*/predicted_build_ns: $((4500000 + s * 4000))/" \
			scripts/cli-fixture/last | sed "s/^/# SM: LAST bbml2@contig:${s}M /"
	done
	[ -z "${2-}" ] || echo "# SM: COSTS build_fixed min_ps=1 median_ps=$2 max_ps=9 samples=3 batch=1"
}
blocks 1000000 3000000000 >"$fx/bench.log"
python3 scripts/bench-report.py --icount "$fx/bench.log" "$fx/out" >"$fx/stdout" 2>"$err"
grep -q "^per GiB, less the fixed part (build_fixed 3.0000 M instructions, and the upper tables' making): flat within 5% (256M to 8G) for 1 of 1 presets and regions; the worst, bbml2@contig, 1.000\$" "$fx/stdout" &&
	! grep -q 'NOT flat' "$fx/stdout" && t_ok ||
	t_bad "bench-report: the fixed part not taken off the per-GiB figure: $(grep 'per GiB' "$fx/stdout")"
blocks 1000000 >"$fx/bench.log"
python3 scripts/bench-report.py --icount "$fx/bench.log" "$fx/out" >"$fx/stdout" 2>"$err"
grep -q '^per GiB: NOT flat: bbml2@contig 2.268$' "$fx/stdout" && t_ok ||
	t_bad "bench-report: blocks with no build_fixed should not be flat: $(grep 'per GiB' "$fx/stdout")"
blocks 0 3000000000 >"$fx/bench.log"
python3 scripts/bench-report.py --icount "$fx/bench.log" "$fx/out" >"$fx/stdout" 2>"$err"
grep -q '^per GiB: NOT flat: bbml2@contig 1.589$' "$fx/stdout" && t_ok ||
	t_bad "bench-report: blocks with the upper tables left in should not be flat: $(grep 'per GiB' "$fx/stdout")"
rm -rf "$fx"
# floor: (build - alloc [+ the allocator's zeroing]) / (tables * 4 us);
# v6.1 at 64M was built in 64000004 ns above
fl=$(awk -F ': ' '$1 ~ /^(tables_|build_ns_median|alloc_ns_median|zero)/ { v[$1] = $2 }
	END { for (k in v) if (k ~ /^tables_/) t += v[k]
	      z = v["zero"] == "allocator" ? t * 200 : 0
	      printf "%.2f", (256000004 - v["alloc_ns_median"] + z) / (t * 4000) }' scripts/cli-fixture/last)
grep -q "^floor: v6.1 $fl (" "$bench/stdout" && grep -q '^floor: best v6.1 ' "$bench/stdout" && t_ok ||
	t_bad "bench-report floor: want v6.1 $fl: $(grep '^floor' "$bench/stdout" | tr '\n' ' ')"
grep -q '^no-cont-remap  *1.00  *50% .* -$' "$bench/stdout" &&
	grep -q '^shadowmap: bbml2: skipped' "$bench/stdout" && t_ok ||
	t_bad "bench-report: no steps table with its note: $(grep -A4 'steps' "$bench/stdout")"
if python3 - "$bench/out" <<'PY' 2>"$err"
import csv, json, os, sys, xml.dom.minidom
d = sys.argv[1]
rows = list(csv.DictReader(open(os.path.join(d, "runs.csv"))))
assert len(rows) == 4, f"runs.csv has {len(rows)} rows"
assert {r["tag"] for r in rows} == {"v6.1@vmalloc:256M", "v6.1@vmalloc:512M",
                                    "v6.10@vmalloc:256M", "v6.10@vmalloc:512M"}
s = json.load(open(os.path.join(d, "summary.json")))
assert len(s["runs"]) == 4 and len(s["steps"]) == 2, "summary.json counts"
assert s["predictions_outside"] == ["v6.10@vmalloc 512M 2.00"], s["predictions_outside"]
assert s["clock"] == "wall" and s["flat_limit"] == 1.05, s["clock"]
assert [(f["walker"], f["max_over_min_per_gib"]) for f in s["flatness"]] == \
    [("v6.1", 1.0002), ("v6.10", 1.1002)], s["flatness"]
for name in ("time-vs-size", "time-per-gib", "tlbi-per-gib", "steps",
             "predicted-vs-measured"):
    png = open(os.path.join(d, name + ".png"), "rb").read()
    assert png[:8] == b"\x89PNG\r\n\x1a\n" and len(png) > 4096, name + ".png"
    xml.dom.minidom.parse(os.path.join(d, name + ".svg"))
PY
then t_ok; else t_bad "bench-report outputs: $(tail -n 3 "$err")"; fi
expect_error bench-report-args "Usage" python3 scripts/bench-report.py
: >"$bench/empty.log"
expect_error bench-report-empty "no matrix results" python3 scripts/bench-report.py "$bench/empty.log" "$bench/out2"
rm -rf "$bench"

# The selftests' KTAP, as selftests/run.sh nests it, through kunit.py parse:
# a passing, a failing, a skipped and a short test are each counted so.
kunitpy=$(sh scripts/kernel-source.sh 6.12)/tools/testing/kunit/kunit.py
st=$(mktemp -d)
cp selftests/ktap.sh selftests/run.sh "$st/"
for t in pass fail hotplug-live short; do
	printf '. "$(dirname "$0")/ktap.sh"\n' >"$st/$t.sh"
done
echo 'ktap_plan 3; ok a; check b true; skip c "not here"; ktap_finished' >>"$st/pass.sh"
echo 'ktap_plan 2; ok a; expect b "b is false" false; ktap_finished' >>"$st/fail.sh"
echo 'ktap_skip_all "does not apply"' >>"$st/hotplug-live.sh"
echo 'ktap_plan 3; ok a; ktap_finished' >>"$st/short.sh"
got=$( (sh "$st/run.sh"; echo "rc=$?") 2>&1 | tee "$st/out" | tail -n 1)
summary=$(python3 "$kunitpy" parse <"$st/out" 2>&1 | grep -o 'Ran [0-9]* tests.*')
# pass: a, b; fail: a; short: a (and two missing: crashed, an error each).
want="Ran 9 tests: passed: 4, failed: 1, crashed: 2, skipped: 2, errors: 2"
[ "$got" = rc=1 ] && [ "$summary" = "$want" ] && t_ok ||
	t_bad "selftests KTAP: run.sh $got, kunit.py '$summary', want rc=1 and '$want'"
rm -rf "$st"
# run.sh runs lockdown last (it raises kernel lockdown), however named.
st=$(mktemp -d)
cp selftests/ktap.sh selftests/run.sh "$st/"
for t in a hotplug-live lockdown z; do
	printf '. "$(dirname "$0")/ktap.sh"\nktap_skip_all "not here"\n' >"$st/$t.sh"
done
for c in "hotplug-live a z lockdown:" "a z lockdown:lockdown a z"; do
	# shellcheck disable=SC2086
	got=$(sh "$st/run.sh" ${c#*:} | sed -n 's/^    # Subtest: //p' | tr '\n' ' ')
	[ "$got" = "${c%%:*} " ] && t_ok || t_bad "run.sh ${c#*:}: order '$got', want '${c%%:*} '"
done
rm -rf "$st"
expect_error make-arch "arm64 only" make -s ARCH=x86 KDIR=/nonexistent
expect_error make-kdir "does not exist" make -s KDIR=/nonexistent
expect_error make-selftest "no test 'bogus'" make -s selftest TESTS=bogus

# kbuild_overrides and kbuild_cc under set -e, as guest-run.sh calls them:
# our own kernel builds have no .kernelvariables, a Debian headers tree
# naming a gcc this host lacks gets the host's cross gcc.
st=$(mktemp -d)
mkdir -p "$st/own" "$st/deb"
printf 'CONFIG_CC_IS_GCC=y\n' >"$st/own/.config"
cp "$st/own/.config" "$st/deb/.config"
printf 'CC = $(CROSS_COMPILE)gcc-99\n' >"$st/deb/.kernelvariables"
for d in own deb; do
	got=$(set -e; . scripts/lib.sh; o=$(kbuild_overrides "$st/$d"); c=$(kbuild_cc "$st/$d"); echo "rc=0 [$o] $c") 2>&1
	[ "$got" = "rc=0 [] ${CROSS_COMPILE}gcc" ] && t_ok ||
		t_bad "kbuild_overrides/kbuild_cc on a $d tree under set -e: '$got'"
done
rm -rf "$st"

ver=$(sed -n 's/^PACKAGE_VERSION="\(.*\)"/\1/p' dkms.conf)
src_ver=$(sed -n 's/^#define SHADOWMAP_VERSION "\(.*\)"/\1/p' src/shadowmap.h)
[ -n "$ver" ] && [ "$ver" = "$src_ver" ] && t_ok ||
	t_bad "dkms.conf version '$ver' != SHADOWMAP_VERSION '$src_ver'"
grep -q '^BUILD_EXCLUSIVE_ARCH=' dkms.conf && t_ok || t_bad "dkms.conf lacks BUILD_EXCLUSIVE_ARCH"

echo "host: $passed passed, $failed failed"
[ "$failed" -eq 0 ]

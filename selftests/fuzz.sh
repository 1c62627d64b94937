#!/bin/sh
# A fuzz corpus (issue 8): over a thousand malformed control commands and
# over a hundred malformed module parameter sets, drawn from a seeded
# generator (fuzz-gen.awk; FUZZ_SEED picks another corpus, SM_FUZZ_EVERY=N
# keeps one item in N of each class: make check's third).  Each command
# must be refused with the documented errno and reason and change no state:
# `last`'s result lines, `history` and the kept shadow stay as one good run
# left them.  Each parameter set must fail the load with a dmesg line and
# leave no module behind.  One result per class of input; the first
# FUZZ_SHOW (20) failures, three a class at most, are shown in detail, the
# rest counted.  The summary line's counts are for the closing note.
# Precondition: none (a loaded shadowmap is unloaded first).  Not under
# lockdown: control refuses writes there.
. "$(dirname "$0")/ktap.sh"
every=${SM_FUZZ_EVERY:-1}
case "$every" in
''|0*|*[!0-9]*) ktap_bail corpus_generated "SM_FUZZ_EVERY='$every': want a positive number" ;;
esac
sm_require
sm_load_or_bail
sm_require_control

here=$(dirname "$0")
seed=${FUZZ_SEED:-8003}
show=${FUZZ_SHOW:-20}
page=$(sed -n 's/^page_size: //p' "$SM_DIR/version")
ctl=$ktap_tmp/ctl par=$ktap_tmp/par
if ! awk -v seed="$seed" -v axes="$SM_DIR/axes" -v presets="$SM_DIR/presets" \
	-v page="${page:-4096}" -v ctl="$ctl" -v par="$par" -v every="$every" \
	-f "$here/fuzz-gen.awk" 2>"$ktap_tmp/gen.err"; then
	sm_unload
	ktap_bail corpus_generated "fuzz-gen.awk: $(cat "$ktap_tmp/gen.err")"
fi
nctl=$(wc -l <"$ctl")
npar=$(wc -l <"$par")
ctl_classes=$(cut -f 1 "$ctl" | uniq | wc -l)
par_classes=$(cut -f 1 "$par" | uniq | wc -l)
ktap_plan $((2 + ctl_classes + 1 + par_classes + 1))
ok module_loads
echo "# fuzz: seed $seed, one item in $every of each class, page size $page: $nctl control commands in $ctl_classes classes, $npar parameter sets in $par_classes classes"

TAB=$(printf '\t')
good="run region=vmalloc size=4M"
# The state a refused command must leave alone, as one text: `last` but
# for last_error and last_errno, then `history`.  read_state sets it in
# $cur, with $eno, $err and $kept (the shadow kept), by the shell's own
# reads: a fork per command less, about a third of the corpus's time.
read_state() {
	eno= err= cur= kept=
	while IFS= read -r l; do
		case "$l" in
		"last_errno: "*) eno=${l#last_errno: } ;;
		"last_error: "*) err=${l#last_error: } ;;
		*)
			[ "$l" != "kept: yes" ] || kept=1
			cur="$cur$l
" ;;
		esac
	done <"$SM_DIR/last"
	while IFS= read -r l; do
		cur="${cur}history: $l
"
	done <"$SM_DIR/history"
}
snapshot() {
	read_state
	base=$cur
	printf '%s' "$base" >"$ktap_tmp/base"
}
# restore: a command changed the state; make a new baseline to go on with.
restores=0
restore() {
	restores=$((restores + 1))
	echo "$good" >"$SM_DIR/control" 2>/dev/null
	snapshot
}

# The baseline: one good run that keeps its shadow.
echo "$good" >"$SM_DIR/control" 2>"$ktap_tmp/ctl.err"
snapshot
expect baseline_run_kept \
	"'$good': $(cat "$ktap_tmp/ctl.err") $(grep -E '^(status|kept|last_error)' "$SM_DIR/last" | tr '\n' ' ')" \
	grep -qx 'kept: yes' "$ktap_tmp/base"

# printable STRING: STRING with every unprintable byte as '?', cut short.
printable() {
	printf '%s' "$1" | tr -c ' -~' '?' | cut -c 1-"${2:-100}"
}

shown=0 failed=0
cls='' cn=0 cf=0
: >"$ktap_tmp/why"
# class_result PREFIX: the result of the class just finished.
class_result() {
	echo "# fuzz: $cls: $cn, $cf failed"
	if [ "$cf" -eq 0 ]; then
		ok "$1_$cls"
	else
		# printf, not echo: some echos take the escapes in commands.
		sed 's/^/# /' "$ktap_tmp/why"
		not_ok "$1_$cls" "$cf of $cn failed"
	fi
	: >"$ktap_tmp/why"
}
# failure DETAIL: count one failure of the class; show the first ones
# (three a class at most, so that every failing class shows some).
failure() {
	cf=$((cf + 1))
	failed=$((failed + 1))
	[ "$shown" -lt "$show" ] && [ "$cf" -le 3 ] || return 0
	shown=$((shown + 1))
	echo "$1" >>"$ktap_tmp/why"
}

t0=$(date +%s)
while IFS=$TAB read -r class errno glob first second; do
	if [ "$class" != "$cls" ]; then
		[ -z "$cls" ] || class_result ctl
		cls=$class cn=0 cf=0
	fi
	cn=$((cn + 1))
	# One write() each, whatever the bytes: dd writes what it read from
	# the file in one go (a shell's printf may flush at a newline).
	# shellcheck disable=SC2059 # the corpus is printf formats
	printf "$first" >"$ktap_tmp/c1"
	if [ -n "$second" ]; then
		# shellcheck disable=SC2059
		printf "$second" >"$ktap_tmp/c2"
		{
			dd if="$ktap_tmp/c1" bs=4096 2>/dev/null
			dd if="$ktap_tmp/c2" bs=4096 2>"$ktap_tmp/dd.err"
		} >"$SM_DIR/control"
	else
		dd if="$ktap_tmp/c1" bs=4096 2>"$ktap_tmp/dd.err" >"$SM_DIR/control"
	fi
	rc=$?
	read_state
	gerrno=$eno gerr=$err gstate=changed
	[ "$cur" != "$base" ] || [ -z "$kept" ] || gstate=same
	bad=
	[ "$rc" -ne 0 ] || bad=" write succeeded;"
	[ "$gerrno" = "$errno" ] || bad="$bad errno $gerrno;"
	# shellcheck disable=SC2254
	case "$gerr" in
	none|'') bad="$bad no reason;" ;;
	$glob) ;;
	*) bad="$bad reason '$(printable "$gerr")';" ;;
	esac
	[ "$gstate" = same ] || bad="$bad state changed;"
	if [ -n "$bad" ]; then
		failure "'$(printable "$first" 120)'${second:+ then '$second'}: want errno $errno, reason $glob, no change; got$bad dd: $(printable "$(head -n 1 "$ktap_tmp/dd.err")" 80)"
		[ "$gstate" = same ] || restore
	fi
done <"$ctl"
class_result ctl
cls=
t1=$(date +%s)
ctl_failed=$failed

unload_result

# The parameter sets.  A marker in the kernel log (debug level, off the
# console) before each load finds the lines that load printed.
n=0
while IFS=$TAB read -r class args; do
	if [ "$class" != "$cls" ]; then
		[ -z "$cls" ] || class_result param
		cls=$class cn=0 cf=0
	fi
	cn=$((cn + 1))
	n=$((n + 1))
	echo "<7>shadowmap-fuzz: parameter set $n" >/dev/kmsg
	bad=
	if eval "sm_load $args" 2>"$ktap_tmp/load.err"; then
		bad=" loaded;"
	fi
	if sm_loaded; then
		sm_unload
		[ -n "$bad" ] || bad=" left loaded;"
	fi
	dmesg | awk -v m="shadowmap-fuzz: parameter set $n" '
		!on && substr($0, length($0) - length(m) + 1) == m { on = 1; next }
		on && /shadowmap: (bad module parameter|.*invalid for parameter)/ { found = 1 }
		END { exit !found }' || bad="$bad no 'bad module parameter' in dmesg;"
	[ -z "$bad" ] ||
		failure "insmod shadowmap.ko $(printable "$args" 120): want refused with a dmesg line; got$bad $(printable "$(head -n 1 "$ktap_tmp/load.err")" 80)"
done <"$par"
class_result param
t2=$(date +%s)
par_failed=$((failed - ctl_failed))

# Over a thousand commands and a hundred parameter sets, or that share of
# them with SM_FUZZ_EVERY.
want_ctl=$((1000 / every)) want_par=$((100 / every))
expect corpus_size "$nctl control commands, $npar parameter sets: want $want_ctl and $want_par" \
	[ "$nctl" -ge "$want_ctl" -a "$npar" -ge "$want_par" ]
echo "# fuzz: control corpus $((t1 - t0))s, parameter sets $((t2 - t1))s; $restores baseline runs redone after a state change"
if [ "$failed" -eq 0 ]; then
	echo "# fuzz: $nctl control commands, $npar parameter sets, all refused"
else
	echo "# fuzz: $nctl control commands ($ctl_failed not refused as documented), $npar parameter sets ($par_failed not refused); $shown shown"
fi
ktap_finished

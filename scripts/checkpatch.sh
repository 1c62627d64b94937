#!/bin/sh
# checkpatch --strict over every C source and header of ours, with the
# checkpatch.pl of Debian's linux-source-6.12.
set -eu
. "$(dirname "$0")/lib.sh"

src=$(sh "$SHADOWMAP_TOP/scripts/kernel-source.sh" 6.12)
cd "$SHADOWMAP_TOP"
files=$(git ls-files --cached --others --exclude-standard -- '*.c' '*.h')
[ -n "$files" ] || die "no C files found"
# A file found clean is remembered by its name, its contents and
# checkpatch.pl's:
# a run that changed nothing checks nothing again (a second a file).
clean=$SHADOWMAP_CACHE/checkpatch-clean
mkdir -p "$clean"
opts="--strict --no-tree --terse --show-types"
tool=$({ echo "$opts"; cat "$src/scripts/checkpatch.pl" "$src/scripts/spelling.txt" \
	"$src/scripts/const_structs.checkpatch" .checkpatch.conf 2>/dev/null; } |
	sha256sum | cut -c1-16)
status=0
for f in $files; do
	key=$clean/$({ echo "$f"; cat "$f"; } | sha256sum | cut -c1-16)-$tool
	[ ! -f "$key" ] || continue
	# shellcheck disable=SC2086
	if out=$(perl "$src/scripts/checkpatch.pl" $opts -f "$f" 2>&1); then
		: >"$key"
	else
		echo "$out" | grep -v '^total:' >&2
		status=1
	fi
done
[ "$status" -eq 0 ] && echo "checkpatch: $(echo "$files" | wc -w) files clean"
exit "$status"

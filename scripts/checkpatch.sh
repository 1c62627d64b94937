#!/bin/sh
# checkpatch --strict over every C source and header of ours, with the
# checkpatch.pl of Debian's linux-source-6.12.
set -eu
. "$(dirname "$0")/lib.sh"

src=$(sh "$SHADOWMAP_TOP/scripts/kernel-source.sh" 6.12)
cd "$SHADOWMAP_TOP"
files=$(git ls-files --cached --others --exclude-standard -- '*.c' '*.h')
[ -n "$files" ] || die "no C files found"
status=0
for f in $files; do
	if ! out=$(perl "$src/scripts/checkpatch.pl" --strict --no-tree --terse \
			--show-types -f "$f" 2>&1); then
		echo "$out" | grep -v '^total:' >&2
		status=1
	fi
done
[ "$status" -eq 0 ] && echo "checkpatch: $(echo "$files" | wc -w) files clean"
exit "$status"

#!/usr/bin/env bash
# tools/check-pure.sh: every file DESIGN.md calls pure (lib/*.c, mm/alloc/*.c,
# and the other sources the host tests link: boot/multiboot2.c,
# drivers/scancode.c, mm/frame.c, task/'s core; make test passes the
# Makefile's list in PURE_FILES) compiles with the host compiler and only
# include/ on the include path, and neither it nor a kiln header it includes
# holds inline assembly. One TAP line per file, so tools/test.sh counts each
# file as a case; exit status 1 when any fails.
set -u
cd "$(dirname "$0")/.." || exit 2
HOSTCC=${HOSTCC:-gcc}
files=${PURE_FILES:-$(ls lib/*.c mm/alloc/*.c boot/multiboot2.c drivers/scancode.c mm/frame.c 2>/dev/null)}
files=$(echo "$files" | tr ' ' '\n' | grep . | sort -u)
echo "1..$(echo "$files" | wc -l)"
n=0 bad=0
for f in $files; do
    n=$((n + 1))
    # -E keeps line markers: the awk reports asm on lines of this file or of
    # include/ (the C library's headers may use asm for symbol aliases).
    if ! out=$("$HOSTCC" -std=gnu11 -Wall -Wextra -Werror -DKILN_HOST -Iinclude -E "$f" 2>&1); then
        echo "not ok $n - $f does not compile with only include/ on the path"
        echo "$out" | grep -E 'error' | head -5 | sed 's/^/# /'
        bad=$((bad + 1)); continue
    fi
    asm=$(echo "$out" | awk -v self="$f" '
        /^# [0-9]+ "/ { file = $3; gsub(/"/, "", file); next }
        (file == self || file ~ /^include\//) && /(^|[^A-Za-z0-9_])(__asm__|asm|__asm)([^A-Za-z0-9_]|$)/ {
            print file ": " $0; exit }')
    if [ -n "$asm" ]; then
        echo "not ok $n - $f holds inline assembly: $asm"
        bad=$((bad + 1)); continue
    fi
    if ! out=$("$HOSTCC" -std=gnu11 -Wall -Wextra -Werror -DKILN_HOST -Iinclude -fsyntax-only "$f" 2>&1); then
        echo "not ok $n - $f: $(echo "$out" | grep -m1 error)"
        bad=$((bad + 1)); continue
    fi
    echo "ok $n - $f"
done
[ "$bad" -eq 0 ]

#!/usr/bin/env bash
# tests/readme/check_output.sh [ISO]: boot kiln's main ISO (build/kiln.iso)
# and compare what it prints on COM1 with the output blocks of README.md and
# docs/demos.md, so the documentation cannot drift from kiln.
#
# A block is marked by the line before it, "<!-- output: NAME -->", where
# NAME is "main" (the normal boot, checked on BIOS and on UEFI) or
# "demo=NAME" (that kernel command line, on BIOS). The serial output from
# its "Hello World!" line on must equal the block line for line, up to
# numbers: every 0x... and every decimal number matches any other (addresses,
# counts and source lines vary). A block line of three or more dots (or
# hyphens) matches a line of one or more of them: the timer's dots and the
# deadlock demo's hyphens. A line "[...]" (indented or not) stands for any
# lines up to one that matches the block's next line (a long backtrace). A demo's output must then stay that way for a
# second (nothing more printed); the normal boot goes on printing the
# executor's line every second, so its block is compared with the first
# lines only. Under UEFI kiln prints one more line, the note that "New!" is
# skipped; it must be there, and be quoted in README.md.
#
# The blocks show the default build: a kiln.iso built with make ALLOCATOR=NAME
# prints "heap: NAME allocator" where they say "heap: default allocator"
# (KILN_ISO_ALLOCATOR, set by make test, names it).
#
# kiln never exits here (it halts or loops), so QEMU runs until the output
# matches or TEST_TIMEOUT (60 s) passes. Prints TAP ("ok N - ..."), which
# tools/test.sh counts like a host test's cases; exits 1 on any failure.
set -u
cd "$(dirname "$0")/../.."
ISO=${1:-${KILN_ISO:-build/kiln.iso}}
QEMU=${QEMU:-qemu-system-x86_64}
OVMF=${OVMF:-/usr/share/ovmf/OVMF.fd}
TIMEOUT=${TEST_TIMEOUT:-60}
ALLOCATOR=${KILN_ISO_ALLOCATOR:-default}
[[ $ALLOCATOR =~ ^[a-z_]+$ ]] || { echo "not ok 1 - KILN_ISO_ALLOCATOR='$ALLOCATOR' is not a design's name"; exit 1; }
UEFI_NOTE='(no VGA text buffer on this display: the "New!" write is skipped)'
work=$(mktemp -d)
trap 'rm -rf "$work"; kill $(jobs -p) 2>/dev/null' EXIT

[ -f "$ISO" ] || { echo "not ok 1 - $ISO is missing (make $ISO)"; exit 1; }

# Write each marked block of $1 to $work/block-NAME; list the names.
extract() {
    awk -v dir="$work" '
        /^<!-- output: .* -->$/ { name = $3; want = 1; next }
        want && /^```/ { want = 0; inside = 1; file = dir "/block-" name; printf "" > file; print name; next }
        inside && /^```/ { inside = 0; close(file); next }
        inside { print > file }
        { want = 0 }' "$1"
}

# Every number becomes <hex> or <n>.
normalize() {
    sed -E 's/0x[0-9a-fA-F]+/<hex>/g; s/[0-9]+/<n>/g'
}

# Does the serial log $1 match block $2 (both raw)? $3: "uefi" drops the note.
matches() {
    local log=$1 block=$2 mode=$3
    # From "Hello World!" on, without carriage returns and escape codes.
    sed -E 's/\r//g; s/\x1b\[[0-9;=?]*[A-Za-z]//g' "$log" |
        awk '!on && /Hello World!/ { sub(/.*Hello World!/, "Hello World!"); on = 1 } on' >"$work/actual.raw"
    if [ "$mode" = uefi ]; then
        grep -qxF "$UEFI_NOTE" "$work/actual.raw" || return 1
        grep -vxF "$UEFI_NOTE" "$work/actual.raw" >"$work/actual.tmp"; mv "$work/actual.tmp" "$work/actual.raw"
    fi
    normalize <"$work/actual.raw" >"$work/actual"
    sed "s/^heap: default allocator,/heap: $ALLOCATOR allocator,/" "$block" | normalize >"$work/expected"
    awk -v prefix="$([ "$mode" = demo ] && echo 0 || echo 1)" '
         NR == FNR { want[++n] = $0; next }
         { got[++m] = $0 }
         function same(w, g) {
             if (w ~ /^\.\.\.+$/) return g ~ /^\.+$/
             if (w ~ /^---+$/) return g ~ /^-+$/
             return w == g
         }
         END {
             j = 1
             for (i = 1; i <= n; i++) {
                 if (want[i] ~ /^ *\[\.\.\.\]$/) { # skip to the line that matches the next
                     while (j <= m && (i == n || !same(want[i + 1], got[j]))) j++
                     continue
                 }
                 if (j > m || !same(want[i], got[j])) exit 1
                 j++
             }
             if (!prefix && j <= m) exit 1
         }' "$work/expected" "$work/actual"
}

# Boot one ISO and print its TAP line (and, on failure, the two outputs).
check() { # number label block mode cmdline
    local n=$1 label=$2 block=$3 mode=$4 cmdline=$5 log="$work/serial-$1.log" args=()
    work="$work/$n" && mkdir -p "$work" # matches() keeps its files apart
    [ "$mode" = uefi ] && args+=(-bios "$OVMF")
    [ -n "$cmdline" ] && args+=(-smbios "type=11,value=$cmdline") # read by tools/grub.cfg
    : >"$log"
    timeout -k 5 "$TIMEOUT" "$QEMU" -accel tcg -no-reboot -display none -monitor none -m 256M \
        -device isa-debug-exit,iobase=0xf4,iosize=0x04 -serial "file:$log" -cdrom "$ISO" \
        "${args[@]}" </dev/null >"$work/qemu-$n.err" 2>&1 &
    local qemu=$! waited=0 ok=0
    while kill -0 "$qemu" 2>/dev/null; do
        if matches "$log" "$block" "$mode"; then
            sleep 1 # and nothing more comes
            matches "$log" "$block" "$mode" && ok=1
            break
        fi
        sleep 0.25
    done
    kill "$qemu" 2>/dev/null; wait "$qemu" 2>/dev/null
    if [ $ok -eq 1 ]; then
        echo "ok $n - $label"
    else
        matches "$log" "$block" "$mode"
        echo "not ok $n - $label: the output differs from its block (numbers ignored)"
        echo "# diff -u <the block> <what kiln printed>, numbers normalized:"
        diff -u "$work/expected" "$work/actual" | tail -n +3 | sed 's/^/#   /'
        [ "$mode" = uefi ] && ! tr -d "\r" <"$log" | grep -qxF "$UEFI_NOTE" && echo "# (the UEFI note line is missing)"
    fi
}

blocks=$(extract README.md; extract docs/demos.md)
[ -f "$work/block-main" ] || { echo "not ok 1 - README.md has no <!-- output: main --> block"; exit 1; }
grep -qF "$UEFI_NOTE" README.md || { echo "not ok 1 - README.md does not quote the UEFI note"; exit 1; }
# The boots run side by side, one per core (TEST_JOBS overrides), each
# printing into its own file; the results are shown in order.
jobs_max=${TEST_JOBS:-$(nproc 2>/dev/null || echo 1)}
n=0
launch() {
    n=$((n + 1))
    while [ "$(jobs -rp | wc -l)" -ge "$jobs_max" ]; do wait -n; done
    check "$n" "$@" >"$work/result-$n" &
}
for name in $blocks; do
    if [ "$name" = main ]; then
        launch "make run prints README.md's block (BIOS)" "$work/block-main" bios ""
        launch "make run-uefi prints README.md's block and the UEFI note" "$work/block-main" uefi ""
    else
        launch "make run DEMO=${name#demo=} prints its block in docs/demos.md" "$work/block-$name" demo "$name"
    fi
done
wait
failed=0
for i in $(seq 1 "$n"); do
    cat "$work/result-$i"
    grep -q '^ok ' "$work/result-$i" || failed=$((failed + 1))
done
echo "1..$n"
[ "$failed" -eq 0 ]

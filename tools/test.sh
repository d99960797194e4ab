#!/usr/bin/env bash
# The test runner: tools/test.sh [HOST_TEST...] -- [TEST_ISO...]
#
# Host tests are cmocka binaries; each test case counts once (read from TAP).
# A kernel test image passes only when QEMU exits with status 33 (kiln wrote
# 0x10 to isa-debug-exit). 35 (0x11, a failed test), 0 (a triple fault: QEMU
# runs with -no-reboot), any other status and a timeout are failures.
# A test source may ask for several boots with lines like
#   // run: 2g -m 2G          (a variant name, then extra QEMU arguments)
#   // run: uefi @uefi        (@uefi boots on OVMF)
#   // run: pvh @kernel @halts (@kernel: qemu -kernel IMAGE.elf instead of the
#                              ISO; @halts: pass only if QEMU is still running
#                              after HALT_SECONDS and the log holds the
#                              source's "// halt-message: TEXT")
# Every image's serial log is kept in build/test-logs/; a failure prints it.
# The last line is "N passed, N failed"; the exit status is 1 on any failure.
set -u
TIMEOUT=${TEST_TIMEOUT:-60}
HALT_SECONDS=${HALT_SECONDS:-5}
QEMU=${QEMU:-qemu-system-x86_64}
OVMF=${OVMF:-/usr/share/ovmf/OVMF.fd}
LOGS=build/test-logs
mkdir -p "$LOGS"
passed=0 failed=0 failures=()

host=() isos=()
while [ $# -gt 0 ] && [ "$1" != "--" ]; do host+=("$1"); shift; done
[ $# -gt 0 ] && shift
isos=("$@")

now() { date +%s.%N; }
secs() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", b - a }'; }

for t in "${host[@]}"; do
    name=$(basename "$t")
    log="$LOGS/host-$name.log"
    start=$(now)
    CMOCKA_MESSAGE_OUTPUT=TAP ASAN_OPTIONS=detect_leaks=1 "$t" >"$log" 2>&1
    rc=$?
    ok=$(grep -c '^ok ' "$log")
    bad=$(grep -c '^not ok ' "$log")
    if [ "$rc" -ne 0 ] && [ "$bad" -eq 0 ]; then bad=1; fi # crashed outside a test case
    passed=$((passed + ok)); failed=$((failed + bad))
    if [ "$bad" -eq 0 ] && [ "$ok" -gt 0 ]; then
        printf '%-40s %6ss  ok (%d cases)\n' "host/$name" "$(secs "$start" "$(now)")" "$ok"
    else
        [ "$ok" -eq 0 ] && [ "$bad" -eq 0 ] && { bad=1; failed=$((failed + 1)); }
        printf '%-40s %6ss  FAILED (%d ok, %d failed)\n' "host/$name" "$(secs "$start" "$(now)")" "$ok" "$bad"
        sed 's/^/    | /' "$log"
        failures+=("host/$name")
    fi
done

# Boot one image; print its line (and, on failure, its log) in one piece, and
# leave "ok" or "FAILED" in $results/<label>.
run_image() { # name iso variant extra-args...
    local name=$1 iso=$2 variant=$3; shift 3
    local label=$name log args=() bios=() out boot=(-cdrom "$iso") halts="" limit=$TIMEOUT
    [ -n "$variant" ] && label="$name[$variant]"
    log="$LOGS/$name${variant:+-$variant}.log"
    out="$results/$label.out"
    for a in "$@"; do
        case $a in
        @uefi) bios=(-bios "$OVMF") ;;
        @kernel) boot=(-kernel "${iso%.iso}.elf") ;;
        @halts)
            halts=$(grep -m1 '^// halt-message: ' "tests/kernel/$(basename "$iso" .iso).c" 2>/dev/null | sed 's|^// halt-message: ||')
            limit=$HALT_SECONDS ;;
        *) args+=("$a") ;;
        esac
    done
    local start rc
    start=$(now)
    timeout --foreground -k 5 "$limit" "$QEMU" -accel tcg -no-reboot -serial stdio \
        -display none -monitor none -device isa-debug-exit,iobase=0xf4,iosize=0x04 \
        "${bios[@]}" "${args[@]}" "${boot[@]}" </dev/null 2>&1 | tr -d '\r' >"$log"
    rc=${PIPESTATUS[0]}
    if [ -n "$halts" ]; then # a halt with the message is this image's success
        if [ "$rc" -eq 124 ] && grep -qF "$halts" "$log"; then rc=33
        elif [ "$rc" -eq 124 ]; then rc=200; fi # halted, but silent
    fi
    local t; t=$(secs "$start" "$(now)")
    if [ "$rc" -eq 33 ]; then
        echo ok >"$results/$label"
        printf '%-40s %6ss  ok\n' "$label" "$t" >"$out"
    else
        echo FAILED >"$results/$label"
        local why="QEMU exit status $rc"
        case $rc in
        35) why="a test failed (status 35)" ;;
        0) why="triple fault or reset (status 0)" ;;
        124 | 137) why="timed out after ${limit}s" ;;
        200) why="halted, but the log lacks: $halts" ;;
        esac
        { printf '%-40s %6ss  FAILED: %s\n' "$label" "$t" "$why"; sed 's/^/    | /' "$log"; } >"$out"
    fi
    cat "$out"
}

# Kernel images run side by side, one per core (TEST_JOBS overrides): each
# QEMU is single-threaded under TCG.
results=$(mktemp -d)
trap 'rm -rf "$results"' EXIT
jobs_max=${TEST_JOBS:-$(nproc 2>/dev/null || echo 1)}
launch() {
    while [ "$(jobs -rp | wc -l)" -ge "$jobs_max" ]; do wait -n; done
    run_image "$@" &
}
for iso in "${isos[@]}"; do
    base=$(basename "$iso" .iso)
    name=$base
    # An image from another build tree (build/clang/...) is labelled by it.
    case $iso in build/*/tests/*) name="$(echo "$iso" | cut -d/ -f2)-$base" ;; esac
    src="tests/kernel/$base.c"
    variants=$(grep -E '^// run: ' "$src" 2>/dev/null | sed 's|^// run: ||')
    if [ -z "$variants" ]; then
        launch "$name" "$iso" ""
    else
        while read -r variant extra; do
            # shellcheck disable=SC2086
            launch "$name" "$iso" "$variant" $extra
        done <<<"$variants"
    fi
done
wait
for r in "$results"/*; do
    [ -f "$r" ] && [ "${r%.out}" = "$r" ] || continue
    if [ "$(cat "$r")" = ok ]; then passed=$((passed + 1))
    else failed=$((failed + 1)); failures+=("$(basename "$r")"); fi
done

if [ ${#failures[@]} -gt 0 ]; then
    echo "failed: ${failures[*]}"
fi
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]

#!/usr/bin/env bash
# The test runner. Usage: tools/test.sh --help
#
# Host tests are cmocka binaries; each test case counts once (read from TAP).
# A kernel test image passes only when QEMU exits with status 33 (kiln wrote
# 0x10 to isa-debug-exit). 35 (0x11, a failed test), 0 (a triple fault: QEMU
# runs with -no-reboot), any other status and a timeout are failures.
# A test source may ask for several boots with lines like
#   // run: 2g -m 2G          (a variant name, then extra QEMU arguments)
#   // run: uefi @uefi        (@uefi boots on OVMF)
#   // run: bump @cmdline=alloc=bump (words for the kernel command line)
#   // run: pvh @kernel @halts (@kernel: qemu -kernel IMAGE.elf instead of the
#                              ISO; @halts: pass only if the log shows the
#                              source's "// halt-message: TEXT" and QEMU is
#                              still running HALT_SECONDS after that)
# A source with "// serial-input: TEXT" is sent TEXT (printf %b escapes) on
# COM1 once its log holds "ready for serial input".
# Without "// run:" lines an image boots once, on BIOS.
# The kernel command line reaches GRUB at run time through QEMU's SMBIOS OEM
# strings (-smbios type=11, read by tools/grub.cfg), so one ISO serves every
# filter: ktest=NAME runs one case, ktest_verbose=1 leaves output uncaptured.
# Every image's serial log is kept in build/test-logs/ (firmware escape codes
# stripped); a failure prints it.
# The last line is "N passed, N failed (...)"; the exit status is 1 on any failure.
set -u

usage() {
    cat <<'EOF'
usage: tools/test.sh [--only T] [--build-log FILE] [HOST_TEST...] -- [TEST_ISO...]

Runs host test binaries (cmocka) and kernel test images (QEMU), one line per
binary or boot as it finishes, then "N passed, N failed (...)".

  --only T          host            the host tests only
                    NAME            the kernel image NAME and the host test
                                    test_NAME (and test_NAME_tsan), whichever
                                    exist
                    NAME::CASE      one case: passed to the image as ktest=CASE
                                    on its command line, to test_NAME as
                                    KILN_TEST_FILTER=CASE
  --build-log FILE  make -k's output: a listed binary or image that make could
                    not build is one failed line, with the errors
  -h, --help        this text

Environment: TEST_TIMEOUT (seconds per boot, 60), TEST_JOBS (host tests and
boots side by side, the number of cores), HALT_SECONDS (5), KTEST_VERBOSE=1 (boots one at a
time and prints every serial line live, test output included), QEMU, OVMF.
make test T=... is the usual way in: see make help.
EOF
}

TIMEOUT=${TEST_TIMEOUT:-60}
HALT_SECONDS=${HALT_SECONDS:-5}
QEMU=${QEMU:-qemu-system-x86_64}
OVMF=${OVMF:-/usr/share/ovmf/OVMF.fd}
VERBOSE=${KTEST_VERBOSE:-0}
LOGS=build/test-logs

die() { printf 'tools/test.sh: %s\n' "$*" >&2; exit 2; }

only="" build_log="" host=() isos=()
while [ $# -gt 0 ] && [ "$1" != "--" ]; do
    case $1 in
    -h | --help) usage; exit 0 ;;
    --only) [ $# -ge 2 ] || die "--only needs an argument (try --help)"; only=$2; shift ;;
    --only=*) only=${1#--only=} ;;
    --build-log) [ $# -ge 2 ] || die "--build-log needs a file"; build_log=$2; shift ;;
    -*) die "unknown option $1 (try --help)" ;;
    *) host+=("$1") ;;
    esac
    shift
done
[ $# -gt 0 ] && shift
isos=("$@")
case $TIMEOUT in '' | *[!0-9]*) die "TEST_TIMEOUT must be a number of seconds, not '$TIMEOUT'" ;; esac
case $HALT_SECONDS in '' | *[!0-9]*) die "HALT_SECONDS must be a number of seconds, not '$HALT_SECONDS'" ;; esac

# ---- choose what --only names, or say at once why nothing matches -------------
image_name() { basename "$1" .iso; }
host_name() { basename "$1" .sh; }
kernel_filter="" host_filter=""
if [ -n "$only" ]; then
    name=${only%%::*} case_name=""
    [ "$name" != "$only" ] && case_name=${only#*::}
    [[ $name =~ ^[A-Za-z0-9_]+$ ]] || die "T=$only: expected host, NAME or NAME::CASE"
    if [ "$name" = host ]; then
        [ -z "$case_name" ] || die "T=host takes no ::CASE; use T=NAME::CASE with NAME from test_NAME"
        isos=()
    else
        keep_isos=() keep_host=()
        for i in "${isos[@]}"; do [ "$(image_name "$i")" = "$name" ] && keep_isos+=("$i"); done
        for h in "${host[@]}"; do
            case $(host_name "$h") in "test_$name" | "test_${name}_tsan" | "$name") keep_host+=("$h") ;; esac
        done
        if [ ${#keep_isos[@]} -eq 0 ] && [ ${#keep_host[@]} -eq 0 ]; then
            {
                echo "tools/test.sh: T=$only: no kernel image tests/kernel/$name.c and no host test tests/host/test_$name.c"
                echo "kernel images: $(for i in "${isos[@]}"; do image_name "$i"; done | sort -u | tr '\n' ' ')"
                echo "host tests:    $(for h in "${host[@]}"; do host_name "$h" | sed 's/^test_//'; done | tr '\n' ' ')"
            } >&2
            exit 2
        fi
        if [ -n "$case_name" ]; then
            [[ $case_name =~ ^[A-Za-z0-9_]+$ ]] || die "T=$only: a case is a C identifier"
            src="tests/kernel/$name.c" hsrc="tests/host/test_$name.c"
            in_kernel=0 in_host=0
            [ ${#keep_isos[@]} -gt 0 ] && grep -qE "^KTEST\($case_name\)" "$src" 2>/dev/null && in_kernel=1
            [ ${#keep_host[@]} -gt 0 ] && grep -qE "cmocka_unit_test[a-z_]*\(${case_name}[,)]" "$hsrc" 2>/dev/null && in_host=1
            if [ $in_kernel -eq 0 ] && [ $in_host -eq 0 ]; then
                {
                    echo "tools/test.sh: T=$only: no case $case_name in $name"
                    [ -f "$src" ] && echo "kernel cases: $(grep -oE '^KTEST\([A-Za-z0-9_]+\)' "$src" | sed 's/KTEST(\(.*\))/\1/' | tr '\n' ' ')"
                    [ -f "$src" ] && ! grep -q '^KTEST(' "$src" && echo "($src has a single test of its own and no KTEST cases: run T=$name)"
                    [ -f "$hsrc" ] && echo "host cases:   $(grep -oE 'cmocka_unit_test[a-z_]*\([A-Za-z0-9_]+' "$hsrc" | sed 's/.*(//' | tr '\n' ' ')"
                } >&2
                exit 2
            fi
            [ $in_kernel -eq 1 ] || keep_isos=()
            [ $in_host -eq 1 ] || keep_host=()
            kernel_filter="ktest=$case_name" host_filter=$case_name
        fi
        isos=("${keep_isos[@]}") host=("${keep_host[@]}")
    fi
fi

mkdir -p "$LOGS"
results=$(mktemp -d)
trap 'rm -rf "$results"' EXIT

# Which targets make -k gave up on: 'Target 'X' not remade because of errors.'
not_built() {
    [ -n "$build_log" ] && [ -f "$build_log" ] &&
        grep -qF "Target '$1' not remade because of errors" "$build_log" && return 0
    [ ! -e "$1" ]
}
build_errors() {
    if [ -n "$build_log" ] && [ -f "$build_log" ]; then
        grep -E '(error|warning):|undefined reference|\*\*\* ' "$build_log" | grep -v 'not remade' | head -20
    fi | grep . || echo "(no error in the build log for it: was it built at all?)"
}

# ---- count the lines to come, for [k/N] --------------------------------------
variants_of() { # ISO: one line per boot, "variant extra-args" ("" for a plain boot)
    local src
    src="tests/kernel/$(image_name "$1").c"
    if grep -qE '^// run: ' "$src" 2>/dev/null; then grep -E '^// run: ' "$src" | sed 's|^// run: ||'
    else echo ""; fi
}
total=${#host[@]}
for iso in "${isos[@]}"; do
    if not_built "$iso"; then total=$((total + 1))
    else total=$((total + $(variants_of "$iso" | wc -l))); fi
done
[ "$total" -gt 0 ] || die "nothing to run: no host tests and no kernel images given (try --help)"

now() { date +%s.%N; }
secs() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", b - a }'; }
echo 0 >"$results/count"
# Print one finished line (and its details), numbered in finishing order.
# Background boots call it too, so it takes a lock.
report() { # status(ok|FAILED) label seconds summary detail-file
    (
        flock 9
        k=$(($(cat "$results/count") + 1))
        echo "$k" >"$results/count"
        printf '[%*d/%d] %-34s %5ss  %s\n' "${#total}" "$k" "$total" "$2" "$3" "$4"
        [ -n "$5" ] && [ -s "$5" ] && sed 's/^/    | /' "$5"
        [ "$1" = ok ] || echo "$2" >>"$results/failures"
    ) 9>"$results/lock"
}
plural() { [ "$1" -eq 1 ] && echo "$1 $2" || echo "$1 ${2}s"; }

# Host tests and kernel boots share one pool, one job per core (TEST_JOBS
# overrides): each QEMU is single-threaded under TCG, and most host tests are too. KTEST_VERBOSE=1 runs them one at a time.
jobs_max=${TEST_JOBS:-$(nproc 2>/dev/null || echo 1)}
case $jobs_max in '' | *[!0-9]* | 0) die "TEST_JOBS must be a positive number, not '$jobs_max'" ;; esac
[ "$VERBOSE" = 1 ] && jobs_max=1
launch() {
    while [ "$(jobs -rp | wc -l)" -ge "$jobs_max" ]; do wait -n; done
    "$@" &
}
# ---- host tests ----------------------------------------------------------------
run_host() { # binary
    local t=$1 name log start rc ok bad t_s
    name=$(host_name "$t")
    log="$LOGS/host-$name.log"
    if not_built "$t"; then
        build_errors >"$log"
        report FAILED "host/$name" 0.0 "FAILED: did not build (first errors:)" "$log"
        echo 1 >>"$results/host_failed"
        return
    fi
    start=$(now)
    env ${host_filter:+KILN_TEST_FILTER=$host_filter} CMOCKA_MESSAGE_OUTPUT=TAP \
        ASAN_OPTIONS=detect_leaks=1 "$t" >"$log" 2>&1
    rc=$?
    ok=$(grep -c '^ok ' "$log")
    bad=$(grep -c '^not ok ' "$log")
    if [ "$rc" -ne 0 ] && [ "$bad" -eq 0 ]; then bad=1; fi # crashed outside a test case
    if [ "$ok" -eq 0 ] && [ "$bad" -eq 0 ]; then bad=1; fi  # ran nothing
    echo "$ok" >>"$results/host_passed"
    echo "$bad" >>"$results/host_failed"
    t_s=$(secs "$start" "$(now)")
    if [ "$bad" -eq 0 ]; then
        report ok "host/$name" "$t_s" "ok ($(plural "$ok" case))" ""
    else
        report FAILED "host/$name" "$t_s" "FAILED ($ok ok, $bad failed)" "$log"
    fi
}

for t in "${host[@]}"; do launch run_host "$t"; done

# ---- kernel images -------------------------------------------------------------
# Unbuffered, so a feeder can watch the log grow.
strip_log() { sed -u -E 's/\r//g; s/\x1b\[[0-9;=?]*[A-Za-z]//g'; }

# QEMU's stdin, and the watch over a running image: a "// serial-input: TEXT"
# image is sent TEXT on COM1 (printf %b escapes) once its log holds "ready for
# serial input"; a @halts image passes once its log holds the halt message and
# QEMU is still running HALT_SECONDS later (the watcher then stops QEMU and
# leaves LOG.halted). Waiting for the message, not for a fixed time from the
# start, keeps a slow (loaded) machine from failing a correct halt. Returns as
# soon as QEMU is gone.
qemu_alive() { [ -f "$1.pid" ] && kill -0 "$(cat "$1.pid" 2>/dev/null)" 2>/dev/null; }
wait_for_log() { # log text limit: 0 once the log holds text, 1 if QEMU ended or time ran out
    local i
    for ((i = 0; i < $3 * 5; i++)); do
        grep -qF "$2" "$1" 2>/dev/null && return 0
        [ "$i" -gt 25 ] && ! qemu_alive "$1" && return 1 # started 5 s ago and gone
        sleep 0.2
    done
    return 1
}
watch_image() { # input log limit halts
    if [ -n "$1" ] && wait_for_log "$2" 'ready for serial input' "$3"; then printf '%b' "$1"; fi
    if [ -n "$4" ] && wait_for_log "$2" "$4" "$3"; then
        sleep "$HALT_SECONDS"
        if qemu_alive "$2"; then
            : >"$2.halted"
            kill "$(cat "$2.pid")" 2>/dev/null
        fi
    fi
    return 0
}

# Boot one image and report it: the cases that ran, and after a failure how
# many did not, from the protocol lines in its serial log.
run_image() { # name iso variant extra-args...
    local name=$1 iso=$2 variant=$3; shift 3
    local words="" label=$name log args=() bios=() boot=(-cdrom "$iso") halts="" limit=$TIMEOUT
    [ -n "$variant" ] && label="${name}[$variant]"
    log="$LOGS/$name${variant:+-$variant}.log"
    for a in "$@"; do
        case $a in
        @uefi) bios=(-bios "$OVMF") ;;
        @cmdline=*) words="${words:+$words }${a#@cmdline=}" ;; # kernel command-line words
        @kernel) boot=(-kernel "${iso%.iso}.elf") ;;
        @halts)
            halts=$(grep -m1 '^// halt-message: ' "tests/kernel/$(image_name "$iso").c" 2>/dev/null | sed 's|^// halt-message: ||')
            [ -n "$halts" ] || halts="(no // halt-message: line in the source)" ;;
        *) args+=("$a") ;;
        esac
    done
    local cmdline="${words:+$words }$kernel_filter"
    cmdline="${cmdline% }"
    [ "$VERBOSE" = 1 ] && cmdline="${cmdline:+$cmdline }ktest_verbose=1"
    # SMBIOS strings escape a comma by doubling it. The string is never empty
    # (the bare word kiln leads it), so GRUB always finds the table and prints
    # no "no structure matched" error on UEFI's console.
    cmdline="kiln${cmdline:+ $cmdline}"
    args+=(-smbios "type=11,value=${cmdline//,/,,}")
    local start rc input
    input=$(grep -m1 '^// serial-input: ' "tests/kernel/$(image_name "$iso").c" 2>/dev/null | sed 's|^// serial-input: ||')
    : >"$log"
    rm -f "$log.pid" "$log.halted"
    start=$(now)
    if [ "$VERBOSE" = 1 ]; then
        echo "---- $label: serial output ----"
        watch_image "$input" "$log" "$limit" "$halts" |
            timeout --foreground -k 5 "$limit" "$QEMU" -accel tcg -no-reboot -serial stdio \
                -display none -monitor none -device isa-debug-exit,iobase=0xf4,iosize=0x04 \
                -pidfile "$log.pid" "${bios[@]}" "${args[@]}" "${boot[@]}" 2>&1 | strip_log | tee "$log"
    else
        watch_image "$input" "$log" "$limit" "$halts" |
            timeout --foreground -k 5 "$limit" "$QEMU" -accel tcg -no-reboot -serial stdio \
                -display none -monitor none -device isa-debug-exit,iobase=0xf4,iosize=0x04 \
                -pidfile "$log.pid" "${bios[@]}" "${args[@]}" "${boot[@]}" 2>&1 | strip_log >"$log"
    fi
    rc=${PIPESTATUS[1]}
    if [ -n "$halts" ]; then # a halt with the message is this image's success
        if [ -f "$log.halted" ] && grep -qF "$halts" "$log"; then rc=33
        elif [ "$rc" -eq 124 ]; then rc=200; fi # never printed the message
    fi
    rm -f "$log.pid" "$log.halted"
    local t announced ran not_run cases
    t=$(secs "$start" "$(now)")
    announced=$(sed -nE 's/^Running ([0-9]+) tests$/\1/p' "$log" | head -1)
    ran=$(grep -cE '\[ok\]$' "$log")
    # A case that ends in its build's known failure (ktest_expect_panic:
    # bump's allocation errors) is counted apart, and only in a passing boot.
    expected=$(grep -cF '[failed as expected]' "$log")
    cases="$(plural "$ran" test)"
    echo "$ran" >>"$results/kernel_cases"
    if [ "$rc" -eq 33 ]; then
        echo 1 >>"$results/boot_passed"
        if [ -n "$halts" ]; then report ok "$label" "$t" "ok (halted as expected)" ""
        else
            [ "$expected" -gt 0 ] && cases="$cases, $expected failed as expected"
            echo "$expected" >>"$results/kernel_expected"
            report ok "$label" "$t" "ok ($cases)" ""
        fi
    else
        local why="QEMU exit status $rc"
        case $rc in
        35) why="a test failed (status 35)" ;;
        0) why="triple fault or reset (status 0)" ;;
        124 | 137) why="timed out after ${limit}s" ;;
        200) why="ran ${limit}s, and the log lacks: $halts" ;;
        esac
        if [ -n "$announced" ]; then
            not_run=$((announced - ran - 1))
            [ "$not_run" -lt 0 ] && not_run=0
            why="$why; $ran passed, 1 failed, $not_run not run"
        fi
        echo 1 >>"$results/boot_failed"
        report FAILED "$label" "$t" "FAILED: $why" "$log"
    fi
}

for iso in "${isos[@]}"; do
    base=$(image_name "$iso")
    name=$base
    # An image from another build tree (build/clang/...) is labelled by it.
    case $iso in build/*/tests/*) name="$(echo "$iso" | cut -d/ -f2)-$base" ;; esac
    if not_built "$iso"; then
        build_errors >"$results/build-$name"
        echo 1 >>"$results/boot_failed"
        report FAILED "$name" 0.0 "FAILED: did not build (first errors:)" "$results/build-$name"
        continue
    fi
    while read -r variant extra; do
        # shellcheck disable=SC2086
        launch run_image "$name" "$iso" "$variant" $extra
    done < <(variants_of "$iso")
done
wait

sum() { if [ -f "$1" ]; then awk '{ s += $1 } END { print s + 0 }' "$1"; else echo 0; fi; }
host_passed=$(sum "$results/host_passed") host_failed=$(sum "$results/host_failed")
boot_passed=$(sum "$results/boot_passed") boot_failed=$(sum "$results/boot_failed")
kernel_cases=$(sum "$results/kernel_cases") kernel_expected=$(sum "$results/kernel_expected")
passed=$((host_passed + boot_passed)) failed=$((host_failed + boot_failed))
[ -f "$results/failures" ] && echo "failed: $(sort "$results/failures" | tr '\n' ' ')"
# "N passed, N failed" first: CI reads it. N counts host test cases and
# kernel boots (a boot runs all of an image's cases; they are listed apart).
echo "$passed passed, $failed failed ($((host_passed + host_failed)) host cases, $((boot_passed + boot_failed)) kernel boots; $kernel_cases kernel cases ran in them$([ "$kernel_expected" -gt 0 ] && echo ", $kernel_expected more failed as expected"))"
[ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]

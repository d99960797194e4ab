#!/usr/bin/env bash
# make fuzz: run every libFuzzer target for FUZZ_SECONDS (default 60) from its
# committed seed corpus, then print one line per target: executions,
# executions per second, corpus size and findings (crash, leak, timeout and
# OOM artifacts in build/fuzz/artifacts/). The allocator target runs once per
# registered design. FUZZ_ONLY=name runs only the targets whose label
# contains name (alloc-linked_list, multiboot2, scancode, ...).
# Exit status 1 when anything was found.
set -u
B=${B:-build}
SECS=${FUZZ_SECONDS:-60}
SEEDS=tests/host/fuzz/corpus
OUT=$B/fuzz
mkdir -p "$OUT/artifacts" "$OUT/logs"

runs=() # label|binary|seed dir|design
for d in $(KILN_FUZZ_DESIGN=list "$OUT/fuzz_alloc"); do
    runs+=("alloc-$d|$OUT/fuzz_alloc|$SEEDS/alloc|$d")
done
runs+=("multiboot2|$OUT/fuzz_multiboot2|$SEEDS/multiboot2|" "scancode|$OUT/fuzz_scancode|$SEEDS/scancode|")

summary=() found=0
for r in "${runs[@]}"; do
    IFS='|' read -r label bin seeds design <<<"$r"
    case $label in *"${FUZZ_ONLY:-}"*) ;; *) continue ;; esac
    corpus=$OUT/corpus/$label log=$OUT/logs/$label.log
    mkdir -p "$corpus"
    before=$(find "$OUT/artifacts" -name "$label-*" | wc -l)
    echo "== $label: $SECS s"
    KILN_FUZZ_DESIGN=$design "$bin" "$corpus" "$seeds" -max_total_time="$SECS" \
        -print_final_stats=1 -artifact_prefix="$OUT/artifacts/$label-" -max_len=4096 \
        -timeout=10 -rss_limit_mb=1024 >"$log" 2>&1
    execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
    rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -1)
    after=$(find "$OUT/artifacts" -name "$label-*" | wc -l)
    new=$((after - before)) found=$((found + after - before))
    [ "$new" -gt 0 ] && grep -m3 -E 'ERROR|fuzz_|panicked' "$log" | sed 's/^/    | /'
    summary+=("$(printf '%-22s %12s execs %8s/s %6s inputs  %d findings' "$label" \
        "${execs:-?}" "${rate:-?}" "$(find "$corpus" -type f | wc -l)" "$new")")
done
echo
printf '%s\n' "${summary[@]}"
[ "$found" -eq 0 ] || { echo "findings: see $OUT/artifacts and $OUT/logs"; exit 1; }

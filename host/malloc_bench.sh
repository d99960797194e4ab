#!/usr/bin/env bash
# host/malloc_bench.sh BENCH_BINARY KILN_SO: the malloc library against glibc,
# jemalloc and mimalloc, each through LD_PRELOAD into the same workload
# binary (bench/malloc_bench.c), in one run. Each allocator runs RUNS times
# (default 3), interleaved so that load from elsewhere falls on all of them
# alike; the table shows the median ns/op and the median peak RSS. First,
# once each, the designs' single-threaded workloads through the malloc API.
# MALLOC_BENCH_OPS (default 1000000) operations per thread, 2 threads.
# "kiln default 1lock" is the same library without its thread caches
# (KILN_THREAD_CACHE=0): every call takes the one lock.
set -u
bin=$1 kiln=$2
RUNS=${RUNS:-3}
OPS=${MALLOC_BENCH_OPS:-1000000}
LIBS=/usr/lib/x86_64-linux-gnu
names=() preloads=() designs=() ops=()
add() { names+=("$1"); preloads+=("$2"); designs+=("$3"); ops+=("$4"); }
add glibc "" "" "$OPS"
if [ -e "$LIBS/libjemalloc.so.2" ]; then add jemalloc "$LIBS/libjemalloc.so.2" "" "$OPS"
else echo "note: libjemalloc2 is not installed: jemalloc skipped"; fi
if [ -e "$LIBS/libmimalloc.so.2" ]; then add mimalloc "$LIBS/libmimalloc.so.2" "" "$OPS"
else echo "note: libmimalloc2.0 is not installed: mimalloc skipped"; fi
add "kiln default" "$kiln" default "$OPS"
add "kiln default 1lock" "$kiln" "default KILN_THREAD_CACHE=0" "$OPS"
# linked_list is O(holes) per operation: a tenth of the operations keeps the
# run short; ns/op stays comparable (the workload is a steady state).
add "kiln linked_list" "$kiln" linked_list $((OPS / 10))

declare -A ns rss
for ((r = 0; r < RUNS; r++)); do
    for i in "${!names[@]}"; do
        read -r design extra <<<"${designs[$i]}"
        # shellcheck disable=SC2086
        out=$(env $extra LD_PRELOAD="${preloads[$i]}" KILN_ALLOCATOR="$design" "$bin" mt 2 "${ops[$i]}") ||
            { echo "malloc_bench failed under ${names[$i]}"; exit 1; }
        ns[$i]+="${out%% *} " rss[$i]+="${out##* } "
    done
done
echo "the designs' single-threaded workloads (bench/workloads.h) through malloc/free/realloc"
printf '%-26s' "ns/op"
for i in "${!names[@]}"; do printf ' %12s' "${names[$i]#kiln }"; done
echo
declare -A st
for i in "${!names[@]}"; do
    read -r design extra <<<"${designs[$i]}"
    # shellcheck disable=SC2086
    st[$i]=$(env $extra LD_PRELOAD="${preloads[$i]}" KILN_ALLOCATOR="$design" "$bin" st) ||
        { echo "malloc_bench st failed under ${names[$i]}"; exit 1; }
done
for w in $(echo "${st[0]}" | awk '{ print $1 }'); do
    printf '%-26s' "$w"
    for i in "${!names[@]}"; do printf ' %12s' "$(echo "${st[$i]}" | awk -v w="$w" '$1 == w { print $2 }')"; done
    echo
done
echo

median() { tr ' ' '\n' | grep . | sort -g | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
echo "malloc under LD_PRELOAD: 2 threads, ~1000 blocks live each, sizes 24..4096 (1 in 64 to"
echo "64 KiB), 1 in 16 a realloc, 1 in 8 freed by the other thread; median of $RUNS runs"
printf '%-18s %10s %8s %14s %8s\n' allocator "ns/op" "x glibc" "peak RSS KiB" "x glibc"
base_ns=$(echo "${ns[0]}" | median) base_rss=$(echo "${rss[0]}" | median)
for i in "${!names[@]}"; do
    n=$(echo "${ns[$i]}" | median) m=$(echo "${rss[$i]}" | median)
    printf '%-18s %10s %8.2f %14s %8.2f\n' "${names[$i]}" "$n" "$(awk -v a="$n" -v b="$base_ns" 'BEGIN{print a/b}')" \
        "$m" "$(awk -v a="$m" -v b="$base_rss" 'BEGIN{print a/b}')"
done

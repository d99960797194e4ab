# The chart of make bench: ns per operation of every contender on every
# workload, log scale. gnuplot -c bench/bench.gp DATA OUT.svg
# DATA (heap_bench --dat): a header row of contender names, then a row per
# workload; "-" where the contender ran out of memory.
set terminal svg size 1000,460 dynamic noenhanced font "sans,12" background "white"
set output ARG2
set datafile missing "-"
set style data histograms
set style histogram clustered gap 1
set style fill solid 0.85 border -1
set boxwidth 0.9
set logscale y
set yrange [0.5:*]
set grid ytics mytics
set ylabel "ns per operation (log scale; lower is better)"
set xlabel "workload (a: the blog's heap tests; b: mixed, sizes 8..4096, 1000, 100 and 100,000 live blocks; no bar: out of memory)"
set key outside right top vertical
set title "kiln's allocator designs against glibc, jemalloc and mimalloc (make bench)"
n = system("head -1 ".ARG1." | wc -w") + 0
plot for [i=2:n] ARG1 using i:xtic(1) title columnheader(i)

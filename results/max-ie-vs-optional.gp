# Plots max-ie-vs-optional.tsv (written by `statictls sweep --results`):
# the largest initial-exec block against glibc.rtld.optional_static_tls,
# one line per glibc.  Run from results/ by scripts/regenerate-results.sh.
set terminal svg size 760,440 dynamic noenhanced font "sans,12"
set output 'max-ie-vs-optional.svg'
set datafile separator "\t"
set title "Largest initial-exec block a dlopen accepts (measured)"
set xlabel "glibc.rtld.optional_static_tls (bytes)"
set ylabel "largest IE block (bytes)"
set key top left
set grid
stats 'max-ie-vs-optional.tsv' skip 1 nooutput
columns = STATS_columns
plot for [i=2:columns] 'max-ie-vs-optional.tsv' using 1:i with linespoints \
     title columnhead(i)

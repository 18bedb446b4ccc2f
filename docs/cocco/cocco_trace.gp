set terminal pngcairo size 900,600 noenhanced
set output 'cocco_trace.png'
set datafile separator ','
set title 'Cocco convergence on googlenet (cf. paper Fig. 12)'
set xlabel 'samples'
set ylabel 'best cost so far'
set grid
set key top right
plot for [m in ' ga  sa  gs+ga  rs+ga '] 'cocco_trace.csv' using (strcol(1) eq m ? $3 : 1/0):4 with lines lw 2 title m

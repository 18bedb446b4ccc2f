# accelgen cvu-dse: CVU area per 8b x 8b MAC relative to one conventional scalar 8-bit MAC (thesis Fig. 3.4 metric).
set terminal pngcairo size 800,500 noenhanced
set output 'docs/cvu_dse/cvu_dse.png'
set title 'CVU (B = 8) area per 8b x 8b MAC / scalar 8-bit MAC area (OSU 0.18 um cells)'
set xlabel 'lanes per NBVE (L)'
set ylabel 'area ratio (1 = scalar MAC)'
set logscale xy 2
set yrange [0.25:*]
set key top right
set grid
titles = "b=1 b=2 b=4"
plot for [i=0:2] 'docs/cvu_dse/cvu_dse.dat' index i using 1:2 with linespoints lw 2 title word(titles, i + 1), \
     1 with lines dashtype 2 lc rgb 'gray' title 'scalar MAC'

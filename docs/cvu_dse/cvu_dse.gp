# accelgen cvu-dse: CVU area relative to a conventional 8-bit dot-product unit of the same lanes.
set terminal pngcairo size 800,500 noenhanced
set output 'docs/cvu_dse/cvu_dse.png'
set title 'CVU (B = 8) area / conventional 8-bit unit area (Yosys stat -tech cmos)'
set xlabel 'lanes per NBVE (L)'
set ylabel 'transistor ratio (1 = conventional)'
set logscale xy 2
set yrange [0.5:*]
set key top right
set grid
titles = "b=1 b=2 b=4"
plot for [i=0:2] 'docs/cvu_dse/cvu_dse.dat' index i using 1:2 with linespoints lw 2 title word(titles, i + 1), \
     1 with lines dashtype 2 lc rgb 'gray' title 'conventional'

set terminal pngcairo size 1200,500 noenhanced
set datafile separator ','
set style data histograms
set style histogram clustered gap 1
set style fill solid 0.8 border -1
set boxwidth 0.9
set xtics rotate by -30 scale 0
set grid ytics
set key top left
set logscale y
set output 'pipeorgan_fig13.png'
set title 'PipeOrgan (AMP) speedup, normalized to each baseline (Fig. 13 analogue; higher is better)'
set ylabel 'speedup (x, log scale)'
set yrange [0.1:*]
plot 'pipeorgan.csv' using 2:xtic(1) title 'vs TANGRAM-like', '' using 3 title 'vs SIMBA-like', 1 with lines lt 0 notitle

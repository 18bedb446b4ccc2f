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
set output 'pipeorgan_fig14.png'
set title 'PipeOrgan DRAM accesses normalized to each baseline (Fig. 14 analogue; lower is better)'
set ylabel 'normalized DRAM accesses (log scale)'
set yrange [0.1:2]
plot 'pipeorgan.csv' using 4:xtic(1) title 'vs TANGRAM-like', '' using 5 title 'vs SIMBA-like', 1 with lines lt 0 notitle

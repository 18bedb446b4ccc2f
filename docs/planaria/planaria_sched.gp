set terminal pngcairo size 1200,800 noenhanced
set output 'planaria_sched.png'
set datafile separator ','
set logscale x
set format x '%g'
set xtics (10, 100, 1000, 10000, 100000)
set xlabel 'arrival rate (queries/s)'
set ylabel 'SLA met (share of workloads)'
set yrange [-0.05:1.05]
set key top right
set multiplot layout 3,3 title 'Planaria (spatial) vs PREMA-like (temporal): SLA satisfaction'
set title 'workload A, QoS-S'
plot 'planaria_sched.csv' using ((strcol(1) eq 'A' && strcol(2) eq 'S') ? $3 : 1/0):4 with linespoints title 'Planaria', '' using ((strcol(1) eq 'A' && strcol(2) eq 'S') ? $3 : 1/0):5 with linespoints title 'PREMA-like'
set title 'workload A, QoS-M'
plot 'planaria_sched.csv' using ((strcol(1) eq 'A' && strcol(2) eq 'M') ? $3 : 1/0):4 with linespoints title 'Planaria', '' using ((strcol(1) eq 'A' && strcol(2) eq 'M') ? $3 : 1/0):5 with linespoints title 'PREMA-like'
set title 'workload A, QoS-H'
plot 'planaria_sched.csv' using ((strcol(1) eq 'A' && strcol(2) eq 'H') ? $3 : 1/0):4 with linespoints title 'Planaria', '' using ((strcol(1) eq 'A' && strcol(2) eq 'H') ? $3 : 1/0):5 with linespoints title 'PREMA-like'
set title 'workload B, QoS-S'
plot 'planaria_sched.csv' using ((strcol(1) eq 'B' && strcol(2) eq 'S') ? $3 : 1/0):4 with linespoints title 'Planaria', '' using ((strcol(1) eq 'B' && strcol(2) eq 'S') ? $3 : 1/0):5 with linespoints title 'PREMA-like'
set title 'workload B, QoS-M'
plot 'planaria_sched.csv' using ((strcol(1) eq 'B' && strcol(2) eq 'M') ? $3 : 1/0):4 with linespoints title 'Planaria', '' using ((strcol(1) eq 'B' && strcol(2) eq 'M') ? $3 : 1/0):5 with linespoints title 'PREMA-like'
set title 'workload B, QoS-H'
plot 'planaria_sched.csv' using ((strcol(1) eq 'B' && strcol(2) eq 'H') ? $3 : 1/0):4 with linespoints title 'Planaria', '' using ((strcol(1) eq 'B' && strcol(2) eq 'H') ? $3 : 1/0):5 with linespoints title 'PREMA-like'
set title 'workload C, QoS-S'
plot 'planaria_sched.csv' using ((strcol(1) eq 'C' && strcol(2) eq 'S') ? $3 : 1/0):4 with linespoints title 'Planaria', '' using ((strcol(1) eq 'C' && strcol(2) eq 'S') ? $3 : 1/0):5 with linespoints title 'PREMA-like'
set title 'workload C, QoS-M'
plot 'planaria_sched.csv' using ((strcol(1) eq 'C' && strcol(2) eq 'M') ? $3 : 1/0):4 with linespoints title 'Planaria', '' using ((strcol(1) eq 'C' && strcol(2) eq 'M') ? $3 : 1/0):5 with linespoints title 'PREMA-like'
set title 'workload C, QoS-H'
plot 'planaria_sched.csv' using ((strcol(1) eq 'C' && strcol(2) eq 'H') ? $3 : 1/0):4 with linespoints title 'Planaria', '' using ((strcol(1) eq 'C' && strcol(2) eq 'H') ? $3 : 1/0):5 with linespoints title 'PREMA-like'
unset multiplot

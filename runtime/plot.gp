# PNG plots of a run directory (the trainer's --save DIR), by `make plot RUN=DIR`:
#   loss.png       batch loss per step, and the epochs' train and validation loss
#   accuracy.png   train and validation accuracy per epoch (r2.png: validation R² in regression)
#   confusion.png  the test set's confusion matrix (rows: true class), when the run has one
# usage: gnuplot -e "run='DIR'" runtime/plot.gp
set datafile separator ","
set terminal pngcairo size 900,560 noenhanced font ",11"
set grid
set key top right

set output run."/loss.png"
set title "loss: ".run
set xlabel "step"
set ylabel "loss"
plot run."/steps.csv" using 2:3 with lines lc rgb "#a6c8e8" title "batch loss", \
     run."/log.csv" using 2:3 with linespoints lw 2 pt 7 lc rgb "#1f5fa8" title "train loss (epoch mean)", \
     run."/log.csv" using 2:5 with linespoints lw 2 pt 7 lc rgb "#d0542c" title "validation loss"

# regression runs log no accuracy (an empty train_acc column) but the validation R²
regression = system("awk -F, 'NR == 2 { print ($4 == \"\") }' ".run."/log.csv") eq "1"
set xlabel "epoch"
set xtics 1
set key bottom right
if (regression) {
    set output run."/r2.png"
    set title "validation R2: ".run
    set ylabel "R2"
    plot run."/log.csv" using 1:10 with linespoints lw 2 pt 7 lc rgb "#d0542c" title "validation"
} else {
    set output run."/accuracy.png"
    set title "accuracy: ".run
    set ylabel "accuracy (%)"
    plot run."/log.csv" using 1:($4 * 100) with linespoints lw 2 pt 7 lc rgb "#1f5fa8" title "train", \
         run."/log.csv" using 1:($6 * 100) with linespoints lw 2 pt 7 lc rgb "#d0542c" title "validation"
}

if (system("test -f ".run."/confusion.csv && echo yes") ne "yes") exit
set output run."/confusion.png"
set terminal pngcairo size 700,640 noenhanced font ",11"
set title "confusion matrix (test set): ".run
set xlabel "predicted class"
set ylabel "true class"
unset grid
unset key
set yrange [] reverse
set palette defined (0 "#ffffff", 1 "#1f5fa8")
set tics scale 0
plot run."/confusion.csv" matrix rowheaders columnheaders with image, \
     run."/confusion.csv" matrix rowheaders columnheaders using 1:2:(sprintf("%d", $3)) with labels font ",9"

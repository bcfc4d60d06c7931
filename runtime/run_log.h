/* The record of a training run in its --save directory: log.csv (one row
 * per epoch), steps.csv (one row per update: batch loss, learning rate),
 * both continued across resumed runs, and a TensorBoard event file with the
 * same figures (train/batch_loss, train/lr; epoch/...). The first write that
 * fails (a full disk) is reported in one line, and the logs stop there while
 * the run goes on. */
#ifndef NN_RUN_LOG_H
#define NN_RUN_LOG_H

#include "tb_events.h"

#include <stdio.h>

typedef struct {
    int epoch;
    long step;
    double train_loss, train_acc, val_loss, val_acc; /* val: NaN without a validation split */
    double lr, img_per_s, seconds;
    double val_r2; /* regression's validation R² (NaN otherwise; accuracies are NaN in regression) */
} nn_epoch_record;

typedef struct {
    FILE *csv, *steps;
    nn_tb_writer tb;
    char dir[4096];
    int broken; /* a write failed (reported once): the logs stop there */
} nn_run_log;

/* Opens DIR/log.csv and DIR/steps.csv keeping the rows of epochs up to last_epoch and of
 * updates up to last_step (those a resumed run continues from; 0 for a fresh run), and a
 * new event file. Returns 0, or -1 with the reason in err. */
int nn_run_log_open(nn_run_log *l, const char *dir, int last_epoch, long last_step, char *err, size_t errlen);
void nn_run_log_step(nn_run_log *l, int epoch, long step, double batch_loss, double lr);
void nn_run_log_epoch(nn_run_log *l, const nn_epoch_record *r);
void nn_run_log_close(nn_run_log *l);

#endif

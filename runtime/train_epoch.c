#include "train_run.h"

#include "gradients.h"
#include "stop_signals.h"

#include <math.h>
#include <string.h>

/* The size of the batch at `start` of the epoch's order. */
static int batch_at(const nn_train_run *r, size_t start)
{
    const size_t batch = (size_t)r->m->batch;
    return (int)(r->n_used - start < batch ? r->n_used - start : batch);
}

/* Has the batch at `start` read in the background (the prefetch thread is idle). */
static void prefetch(nn_train_run *r, size_t start)
{
    r->augment_next = r->augment_rng; /* what a checkpoint saved before that batch trains must carry */
    nn_prefetch_request(&r->reader, &r->data.train, r->order + start, batch_at(r, start), r->augment);
}

/* Makes the batch at `start` of the epoch's order the trainer's, and has the next one read in the background. */
static void next_batch(nn_train_run *r, size_t start)
{
    if (!r->prefetching) {
        nn_trainer_gather(&r->t, &r->data.train, r->order + start, batch_at(r, start), r->augment);
        return;
    }
    nn_prefetch_take(&r->reader);
    const size_t next = start + (size_t)r->m->batch;
    if (next < r->n_used) prefetch(r, next);
}

/* Records of the epoch trained before a resume: none but in a resumed run's first epoch. */
static size_t skipped(const nn_train_run *r, int epoch)
{
    return epoch == r->first_epoch ? r->resumed.tally.seen : 0;
}

/* The gradients of the micro-batches [begin, end) of the epoch's order: each
 * seeded with its share (its size over the union's) of the mean loss's
 * gradient, so that they add up to that of their union. Adds their loss to
 * *update_loss and to c. */
static int accumulate_gradients(nn_train_run *r, int epoch, size_t begin, size_t end, nn_tally *c,
                                double *update_loss)
{
    const nn_model *m = r->m;
    nn_trainer *t = &r->t;
    const size_t batch = (size_t)m->batch;
    for (size_t start = begin; start < end; start += batch) {
        const int n = (int)(end - start < batch ? end - start : batch);
        next_batch(r, start);
        m->forward(&t->s, t->x, n, 1);
        double loss = m->loss(&t->s, t->target, n);
        if (r->opt.teacher_spec) loss = nn_teacher_distill(&r->teacher, t, n, r->data.train.channels, &r->opt);
        if (!isfinite(loss)) {
            nn_progress_clear(&r->bar);
            fprintf(stderr, "train: epoch %d step %ld: the loss is %f; stopping (learning rate %g; try a "
                    "lower --lr)\n", epoch, r->step, loss, r->lr);
            return -1;
        }
        nn_trainer_count(c, t, &r->data.train, r->order + start, n, loss);
        *update_loss += loss * n / (double)(end - begin);
        if (end - begin != (size_t)n) {
            float *dz = t->s.dacts + m->output_offset;
            const float share = (float)((double)n / (double)(end - begin));
            for (size_t i = 0; i < (size_t)n * m->output_size; ++i) dz[i] *= share;
        }
        t->s.accumulate_grads = start != begin; /* the first micro-batch writes the gradients */
        if (r->fuse_updates) nn_fused_begin(&r->fused, r->lr);
        m->backward(&t->s, n, NULL);
    }
    return 0;
}

/* The optimizer step from the accumulated gradients, unless one is NaN or infinite. */
static int apply_update(nn_train_run *r, int epoch)
{
    const nn_model *m = r->m;
    nn_trainer *t = &r->t;
    /* a tensor updated in backward was checked there; the run stops either way */
    const int bad = r->fuse_updates && r->fused.nonfinite >= 0
                        ? r->fused.nonfinite
                        : nn_grad_first_nonfinite(m->tensors, m->n_tensors, t->s.grads, r->lr_mult,
                                                  r->fuse_updates ? r->fused.done : NULL);
    if (bad >= 0) {
        nn_progress_clear(&r->bar);
        fprintf(stderr, "train: epoch %d step %ld: the gradient of %s is NaN or infinite; stopping "
                "(learning rate %g; try a lower --lr or --clip-norm)\n", epoch, r->step, m->tensors[bad].name, r->lr);
        return -1;
    }
    if (r->opt.clip_norm > 0) {
        const double norm2 = nn_grad_global_norm(m->tensors, m->n_tensors, t->s.grads, r->lr_mult);
        if (norm2 > r->opt.clip_norm)
            nn_grad_scale(m->tensors, m->n_tensors, t->s.grads, r->lr_mult, r->opt.clip_norm / norm2);
    }
    if (r->fuse_updates)
        nn_fused_finish(&r->fused, t->s.params, t->s.grads);
    else
        nn_optim_step(&r->optimizer, m->tensors, m->n_tensors, t->s.params, t->s.grads, r->lr, r->lr_mult);
    return 0;
}

/* The update's row in steps.csv, its printed loss (--print-every) and the progress line. */
static void report_update(nn_train_run *r, int epoch, double update_loss, const nn_tally *c, double epoch_start)
{
    if (r->opt.save_dir) nn_run_log_step(&r->log, epoch, r->step, update_loss, r->lr);
    if (r->opt.print_every && r->step % r->opt.print_every == 0) {
        nn_progress_clear(&r->bar);
        printf("epoch %d step %ld: batch loss %.4f, lr %.3g\n", epoch, r->step, update_loss, r->lr);
        fflush(stdout);
    }
    const double now = nn_now();
    const size_t before = skipped(r, r->first_epoch); /* images trained before a resume are not this run's */
    const size_t run_images = r->n_used * (size_t)(r->opt.epochs - r->first_epoch + 1) - before;
    const size_t done_run = (size_t)(epoch - r->first_epoch) * r->n_used + c->seen - before;
    const double rate = (double)(c->seen - skipped(r, epoch)) / (now - epoch_start + 1e-9);
    const double eta = (now - r->run_start) / (double)done_run * (double)(run_images - done_run);
    nn_progress_update(&r->bar, epoch, r->opt.epochs, c->seen, r->n_used, c->loss_sum / c->seen,
                       r->t.task != NN_TASK_REGRESSION ? (double)c->correct / c->seen : NAN, rate, eta);
}

/* One update: opt.accum micro-batches from batch number `first` of the epoch. */
static int train_update(nn_train_run *r, int epoch, size_t first, nn_tally *c, double epoch_start)
{
    const size_t batch = (size_t)r->m->batch, accum = (size_t)r->opt.accum;
    const size_t begin = first * batch;
    const size_t end = (first + accum) * batch < r->n_used ? (first + accum) * batch : r->n_used;
    double update_loss = 0.0;
    r->lr = nn_schedule_lr(&r->opt.schedule, r->step);
    ++r->step;
    if (accumulate_gradients(r, epoch, begin, end, c, &update_loss) != 0 || apply_update(r, epoch) != 0) return -1;
    report_update(r, epoch, update_loss, c, epoch_start);
    return 0;
}

/* The validation split's loss, and its accuracy or (in regression) R², into rec. */
static void validate(nn_train_run *r, nn_epoch_record *rec)
{
    nn_trainer *t = &r->t;
    nn_eval e;
    const int regression = t->task == NN_TASK_REGRESSION;
    const int have = regression && nn_eval_init(&e, t->task, (int)t->m->output_size, r->n_val) == 0;
    const nn_tally v = nn_trainer_evaluate(t, &r->data.train, r->order + r->n_train, r->n_val, have ? &e : NULL);
    rec->val_loss = v.loss_sum / v.seen;
    printf(" | val loss %.4f", rec->val_loss);
    if (regression) {
        rec->val_r2 = have ? nn_eval_r2(&e) : NAN;
        printf(" R2 %.4f", rec->val_r2);
    } else {
        rec->val_acc = (double)v.correct / v.seen;
        printf(" acc %.2f%%", 100.0 * rec->val_acc);
    }
    if (have) nn_eval_free(&e);
}

/* The epoch's row in log.csv, DIR/best.safetensors when the epoch is the best so far, DIR/last.safetensors. */
static int record_epoch(nn_train_run *r, const nn_epoch_record *rec)
{
    const nn_keep_best keep = r->opt.keep_best;
    char path[4352];
    nn_run_log_epoch(&r->log, rec);
    const double figure = keep == NN_KEEP_ACC ? rec->val_acc : keep == NN_KEEP_R2 ? rec->val_r2 : rec->val_loss;
    const int improved = keep && (nn_keep_best_higher(keep) ? figure > r->best : figure < r->best);
    if (improved) r->best = figure;
    snprintf(path, sizeof path, "%s/best.safetensors", r->opt.save_dir);
    if (improved) {
        if (nn_train_save(r, path, rec->epoch, NULL) != 0) return -1;
        if (keep == NN_KEEP_ACC) printf("best so far (val acc %.2f%%): %s\n", 100.0 * r->best, path);
        else if (keep == NN_KEEP_R2) printf("best so far (val R2 %.4f): %s\n", r->best, path);
        else printf("best so far (val loss %.4f): %s\n", r->best, path);
    }
    return nn_train_save_last(r, rec->epoch, NULL);
}

/* The epoch's line, validation and (with --save) its records. */
static int end_epoch(nn_train_run *r, int epoch, const nn_tally *c, double seconds)
{
    const int classifying = r->t.task != NN_TASK_REGRESSION;
    nn_progress_clear(&r->bar);
    nn_epoch_record rec = { .epoch = epoch, .step = r->step, .train_loss = c->loss_sum / c->seen,
                            .train_acc = classifying ? (double)c->correct / c->seen : NAN, .val_loss = NAN,
                            .val_acc = NAN, .val_r2 = NAN, .lr = r->lr,
                            .img_per_s = (double)(r->n_used - skipped(r, epoch)) / seconds,
                            .seconds = seconds };
    printf("epoch %d/%d: train loss %.4f", epoch, r->opt.epochs, rec.train_loss);
    if (classifying) printf(" acc %.2f%%", 100.0 * rec.train_acc);
    if (r->n_val > 0) validate(r, &rec);
    printf(" | lr %.3g | %.1f s, %.0f img/s\n", r->lr, seconds, rec.img_per_s);
    if (r->opt.save_dir && record_epoch(r, &rec) != 0) return -1;
    fflush(stdout);
    return 0;
}

int nn_train_epoch(nn_train_run *r, int epoch)
{
    const size_t accum = (size_t)r->opt.accum;
    /* at its first update, or where a checkpoint saved mid-epoch stopped */
    r->epoch_updates = epoch == r->first_epoch ? r->resumed.updates : 0;
    nn_tally c = r->epoch_updates ? r->resumed.tally : (nn_tally){ 0 };
    const size_t begin = (size_t)r->epoch_updates * accum; /* batches trained before a resume */
    /* each epoch shuffles the split's own order, so the order depends on the RNG state alone
       and a resumed run sees the same batches */
    r->epoch_shuffle = r->shuffle_rng;
    memcpy(r->order, r->split_order, sizeof(uint32_t) * r->n_train);
    nn_rng_shuffle(&r->shuffle_rng, r->order, (uint32_t)r->n_train);
    const double epoch_start = nn_now();
    if (r->prefetching) prefetch(r, begin * (size_t)r->m->batch);
    for (size_t first = begin; first < r->n_batches; first += accum) {
        if (train_update(r, epoch, first, &c, epoch_start) != 0) return -1;
        ++r->epoch_updates;
        /* the main thread alone handles the signals (stop_signals.h); after the last update, the epoch ends */
        if (nn_stop_signal() && first + accum < r->n_batches) return nn_train_stop_mid_epoch(r, epoch, &c);
    }
    if (end_epoch(r, epoch, &c, nn_now() - epoch_start) != 0) return -1;
    r->done_epoch = epoch;
    r->epoch_updates = 0;
    return 0;
}

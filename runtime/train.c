#include "train.h"

#include "augment.h"
#include "checkpoint.h"
#include "cifar.h"
#include "dataset.h"
#include "init.h"
#include "metrics.h"
#include "options.h"
#include "progress.h"
#include "rng.h"

#include <cblas.h>
#include <math.h>
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

typedef struct {
    const nn_model *m;
    nn_state s;
    float *x, *target; /* one batch of inputs and one-hot targets */
    const nn_augment *augment; /* NULL: none (evaluation) */
    nn_rng *augment_rng;
    float fill[NN_MAX_CHANNELS]; /* a black pixel, normalized */
    float *scratch;
} trainer;

typedef struct {
    double loss_sum;
    size_t correct, seen;
} tally;

static void *alloc(size_t count, size_t size, const char *what)
{
    void *p = calloc(count ? count : 1, size);
    if (!p) {
        fprintf(stderr, "train: out of memory allocating %s (%zu x %zu bytes)\n", what, count, size);
        exit(1);
    }
    return p;
}

static void gather(trainer *t, const nn_dataset *ds, const uint32_t *samples, int n, const nn_augment *augment)
{
    const nn_model *m = t->m;
    memset(t->target, 0, sizeof(float) * (size_t)n * m->output_size);
    for (int i = 0; i < n; ++i) {
        float *x = t->x + (size_t)i * m->input_size;
        memcpy(x, ds->x + (size_t)samples[i] * ds->sample_size, sizeof(float) * m->input_size);
        if (augment)
            nn_augment_image(augment, x, ds->channels, ds->height, ds->width, t->fill, t->augment_rng, t->scratch);
        t->target[(size_t)i * m->output_size + ds->y[samples[i]]] = 1.0f;
    }
}

static void count(tally *c, const trainer *t, const nn_dataset *ds, const uint32_t *samples, int n, double loss)
{
    const float *out = t->s.acts + t->m->output_offset;
    const size_t k = t->m->output_size;
    for (int i = 0; i < n; ++i) {
        size_t best = 0;
        for (size_t j = 1; j < k; ++j)
            if (out[i * k + j] > out[i * k + best]) best = j;
        c->correct += best == ds->y[samples[i]];
    }
    c->loss_sum += loss * n;
    c->seen += (size_t)n;
}

/* Loss and accuracy in evaluation mode; also fills `confusion` when given. */
static tally evaluate(trainer *t, const nn_dataset *ds, const uint32_t *samples, size_t total, nn_confusion *confusion)
{
    tally c = { 0 };
    for (size_t start = 0; start < total; start += (size_t)t->m->batch) {
        const int n = (int)(total - start < (size_t)t->m->batch ? total - start : (size_t)t->m->batch);
        gather(t, ds, samples + start, n, NULL);
        t->m->forward(&t->s, t->x, n, 0);
        count(&c, t, ds, samples + start, n, t->m->loss(&t->s, t->target, n));
        if (confusion) nn_confusion_add(confusion, t->s.acts + t->m->output_offset, ds->y, samples + start, n);
    }
    return c;
}

static int check_data(const nn_model *m, const nn_dataset *ds, const char *what)
{
    if (ds->sample_size != m->input_size) {
        fprintf(stderr, "train: %s images are %dx%dx%d (%zu values) but model %s takes %zu values per input\n",
                what, ds->channels, ds->height, ds->width, ds->sample_size, m->name, m->input_size);
        return -1;
    }
    for (size_t i = 0; i < ds->count; ++i) {
        if (ds->y[i] >= m->output_size) {
            fprintf(stderr, "train: %s record %zu has label %d but model %s has %zu outputs\n", what, i,
                    ds->y[i], m->name, m->output_size);
            return -1;
        }
    }
    return 0;
}

/* The training and test sets in the chosen (or detected) format. */
static int load_data(const nn_options *opt, nn_dataset *train_set, nn_dataset *test_set)
{
    char err[4352], probe[4096];
    nn_data_format format = opt->format;
    if (format == NN_FORMAT_AUTO) {
        snprintf(probe, sizeof probe, "%s/data_batch_1.bin", opt->data_dir);
        format = access(probe, F_OK) == 0 ? NN_FORMAT_CIFAR10 : NN_FORMAT_IDX;
    }
    const int cifar = format == NN_FORMAT_CIFAR10;
    if ((cifar ? nn_cifar10_load_dir(opt->data_dir, 1, train_set, err, sizeof err)
               : nn_dataset_load_idx_dir(opt->data_dir, "train", train_set, err, sizeof err)) != 0) {
        fprintf(stderr, "train: %s\n", err);
        return -1;
    }
    if ((cifar ? nn_cifar10_load_dir(opt->data_dir, 0, test_set, err, sizeof err)
               : nn_dataset_load_idx_dir(opt->data_dir, "t10k", test_set, err, sizeof err)) != 0) {
        fprintf(stderr, "train: %s\n", err);
        nn_dataset_free(train_set);
        return -1;
    }
    return 0;
}

/* RNGs whose state a checkpoint carries, so that a resumed run draws what the
 * uninterrupted one would have drawn. */
enum { N_RUN_RNGS = 3 };
static const char *const RUN_RNG_KEYS[N_RUN_RNGS] = { "rng_shuffle", "rng_model", "rng_augment" };

/* DIR/last.safetensors after `epoch`: weights, buffers, optimizer state, and the
 * metadata that --resume needs. */
static int save_run(const char *dir, const nn_model *m, const float *params, const nn_optimizer *opt, int epoch,
                    long step, nn_rng *const *rngs)
{
    nn_ckpt_meta meta = { 0 };
    char text[96], path[4096], err[4352];
    nn_ckpt_meta_set(&meta, "spec", m->name);
    snprintf(text, sizeof text, "%d", epoch);
    nn_ckpt_meta_set(&meta, "epoch", text);
    snprintf(text, sizeof text, "%ld", step);
    nn_ckpt_meta_set(&meta, "step", text);
    snprintf(text, sizeof text, "%ld", opt->step);
    nn_ckpt_meta_set(&meta, "optimizer_step", text);
    nn_ckpt_meta_set(&meta, "optimizer", nn_optim_name(opt->cfg.kind));
    for (int i = 0; i < N_RUN_RNGS; ++i) {
        nn_rng_format(rngs[i], text, sizeof text);
        nn_ckpt_meta_set(&meta, RUN_RNG_KEYS[i], text);
    }
    snprintf(path, sizeof path, "%s/last.safetensors", dir);
    if (nn_checkpoint_save(path, m, params, opt, &meta, err, sizeof err) != 0) {
        fprintf(stderr, "train: %s\n", err);
        return -1;
    }
    return 0;
}

static uint32_t *range(size_t n)
{
    uint32_t *a = alloc(n, sizeof(uint32_t), "sample indices");
    for (size_t i = 0; i < n; ++i) a[i] = (uint32_t)i;
    return a;
}

int nn_train_main(const nn_model *m, int argc, char **argv)
{
    nn_options opt;
    const int parsed = nn_options_parse(&opt, argc, argv, argv[0]);
    if (parsed != 0) return parsed > 0 ? 0 : 2;
    openblas_set_num_threads(opt.threads);
    omp_set_num_threads(opt.threads);

    printf("%s\n", m->summary);
    nn_dataset train_set, test_set;
    if (load_data(&opt, &train_set, &test_set) != 0) return 1;
    if (check_data(m, &train_set, "training") || check_data(m, &test_set, "test")) return 1;

    nn_rng init_rng, split_rng, shuffle_rng, model_rng, augment_rng;
    nn_rng_seed(&augment_rng, opt.seed ^ 0xa09e667fULL);
    nn_rng_seed(&init_rng, opt.seed);
    nn_rng_seed(&split_rng, opt.seed ^ 0x5ca1ab1eULL);
    nn_rng_seed(&shuffle_rng, opt.seed ^ 0x5eedf00dULL);
    nn_rng_seed(&model_rng, opt.seed ^ 0xd20b0c4bULL); /* dropout masks */

    size_t available = train_set.count;
    if (opt.limit > 0 && (size_t)opt.limit < available) available = (size_t)opt.limit;
    uint32_t *order = range(available);
    nn_rng_shuffle(&split_rng, order, (uint32_t)available);
    const size_t n_val = (size_t)(opt.val_split * (double)available);
    const size_t n_train = available - n_val;
    if (n_train == 0) {
        fprintf(stderr, "train: no training images left after a validation split of %g\n", opt.val_split);
        return 1;
    }
    uint32_t *train_idx = order, *val_idx = order + n_train;
    uint32_t *split_order = alloc(n_train, sizeof(uint32_t), "sample indices");
    memcpy(split_order, train_idx, sizeof(uint32_t) * n_train);
    uint32_t *test_idx = range(test_set.count);

    if (train_set.channels > NN_MAX_CHANNELS || (opt.n_mean && opt.n_mean != train_set.channels)) {
        fprintf(stderr, "train: the images have %d channels; --mean/--std gave %d values\n", train_set.channels,
                opt.n_mean);
        return 1;
    }
    double mean[NN_MAX_CHANNELS], std[NN_MAX_CHANNELS];
    if (opt.n_mean) {
        memcpy(mean, opt.mean, sizeof mean);
        memcpy(std, opt.std, sizeof std);
    } else {
        nn_dataset_stats(&train_set, train_idx, n_train, mean, std);
    }
    nn_dataset_normalize(&train_set, mean, std);
    nn_dataset_normalize(&test_set, mean, std);
    printf("data: %s: %zu training, %zu validation, %zu test images of %dx%dx%d; normalized with mean", opt.data_dir,
           n_train, n_val, test_set.count, train_set.channels, train_set.height, train_set.width);
    for (int c = 0; c < train_set.channels; ++c) printf("%s%.4f", c ? "," : " ", mean[c]);
    printf(", std");
    for (int c = 0; c < train_set.channels; ++c) printf("%s%.4f", c ? "," : " ", std[c]);
    printf("\n");
    if (nn_augment_enabled(&opt.augment))
        printf("augmentation: crop padding %d, flips %s, noise %g\n", opt.augment.crop_pad,
               opt.augment.flip ? "on" : "off", opt.augment.noise);

    trainer t = { .m = m };
    t.s.params = alloc(m->n_params, sizeof(float), "parameters");
    t.s.grads = alloc(m->n_params, sizeof(float), "gradients");
    t.s.acts = alloc(m->n_acts, sizeof(float), "activations");
    t.s.dacts = alloc(m->n_acts, sizeof(float), "activation gradients");
    t.s.work = alloc(m->n_work, sizeof(float), "workspace");
    t.s.index = alloc(m->n_index, sizeof(int32_t), "pooling indices");
    t.s.rng = &model_rng;
    t.x = alloc((size_t)m->batch * m->input_size, sizeof(float), "input batch");
    t.scratch = alloc(m->input_size, sizeof(float), "augmentation scratch");
    t.augment_rng = &augment_rng;
    for (int c = 0; c < train_set.channels; ++c) t.fill[c] = (float)((0.0 - mean[c]) / std[c]);
    t.target = alloc((size_t)m->batch * m->output_size, sizeof(float), "target batch");
    nn_init_params(m->tensors, m->n_tensors, t.s.params, &init_rng);

    nn_optimizer opt_state;
    if (nn_optim_init(&opt_state, &opt.optim, m->n_params) != 0) {
        fprintf(stderr, "train: out of memory for the optimizer state\n");
        return 1;
    }
    printf("training: %d epochs, %s lr %g", opt.epochs, nn_optim_name(opt.optim.kind), opt.optim.lr);
    if (opt.optim.kind == NN_SGD && opt.optim.momentum > 0)
        printf(", momentum %g%s", opt.optim.momentum, opt.optim.nesterov ? " (Nesterov)" : "");
    if (opt.optim.weight_decay > 0) printf(", weight decay %g", opt.optim.weight_decay);
    if (opt.schedule.kind != NN_SCHED_CONSTANT) printf(", %s schedule", nn_schedule_name(opt.schedule.kind));
    if (opt.schedule.warmup_epochs > 0) printf(", %g warmup epochs", opt.schedule.warmup_epochs);
    printf(", batch %d, seed %llu, %d threads\n", m->batch, (unsigned long long)opt.seed, opt.threads);
    fflush(stdout);

    int first_epoch = 1;
    long step = 0;
    nn_rng *const run_rngs[N_RUN_RNGS] = { &shuffle_rng, &model_rng, &augment_rng };
    if (opt.resume_path) {
        nn_ckpt_meta meta = { 0 };
        char err[1024];
        if (nn_checkpoint_load(opt.resume_path, m, t.s.params, &opt_state, &meta, err, sizeof err) != 0) {
            fprintf(stderr, "train: %s\n", err);
            return 1;
        }
        const char *spec = nn_ckpt_meta_get(&meta, "spec"), *epoch = nn_ckpt_meta_get(&meta, "epoch");
        const char *steps = nn_ckpt_meta_get(&meta, "step");
        int rngs_ok = 1;
        for (int i = 0; i < N_RUN_RNGS; ++i)
            rngs_ok = rngs_ok && nn_rng_parse(run_rngs[i], nn_ckpt_meta_get(&meta, RUN_RNG_KEYS[i])) == 0;
        if (!spec || strcmp(spec, m->name) || !epoch || !steps || !rngs_ok) {
            fprintf(stderr, "train: %s: not a training checkpoint of %s (spec, epoch, step or RNG state missing)\n",
                    opt.resume_path, m->name);
            return 1;
        }
        first_epoch = atoi(epoch) + 1;
        step = atol(steps);
        printf("resumed from %s after epoch %d (step %ld)\n", opt.resume_path, first_epoch - 1, step);
    }
    nn_progress bar;
    nn_progress_init(&bar);
    const double run_start = nn_now();
    const size_t run_images = n_train * (size_t)(opt.epochs - first_epoch + 1);
    opt.schedule.steps_per_epoch = (long)((n_train + (size_t)m->batch - 1) / (size_t)m->batch);
    double lr = opt.optim.lr;
    for (int epoch = first_epoch; epoch <= opt.epochs; ++epoch) {
        /* each epoch shuffles the split's own order, so the order depends on the RNG state alone
           and a resumed run sees the same batches */
        memcpy(train_idx, split_order, sizeof(uint32_t) * n_train);
        nn_rng_shuffle(&shuffle_rng, train_idx, (uint32_t)n_train);
        tally c = { 0 };
        const double epoch_start = nn_now();
        for (size_t start = 0; start < n_train; start += (size_t)m->batch) {
            const int n = (int)(n_train - start < (size_t)m->batch ? n_train - start : (size_t)m->batch);
            gather(&t, &train_set, train_idx + start, n, nn_augment_enabled(&opt.augment) ? &opt.augment : NULL);
            m->forward(&t.s, t.x, n, 1);
            const float loss = m->loss(&t.s, t.target, n);
            lr = nn_schedule_lr(&opt.schedule, step);
            ++step;
            if (!isfinite(loss)) {
                nn_progress_clear(&bar);
                fprintf(stderr, "train: epoch %d step %ld: the loss is %f; stopping (learning rate %g; try a lower --lr)\n",
                        epoch, step, loss, lr);
                return 1;
            }
            count(&c, &t, &train_set, train_idx + start, n, loss);
            if (opt.print_every && step % opt.print_every == 0) {
                nn_progress_clear(&bar);
                printf("epoch %d step %ld: batch loss %.4f, lr %.3g\n", epoch, step, loss, lr);
                fflush(stdout);
            }
            memset(t.s.grads, 0, sizeof(float) * m->n_params);
            m->backward(&t.s, n, NULL);
            nn_optim_step(&opt_state, m->tensors, m->n_tensors, t.s.params, t.s.grads, lr);
            const double now = nn_now();
            const size_t done_run = (size_t)(epoch - first_epoch) * n_train + c.seen;
            const double rate = c.seen / (now - epoch_start + 1e-9);
            const double eta = (now - run_start) / (double)done_run * (double)(run_images - done_run);
            nn_progress_update(&bar, epoch, opt.epochs, c.seen, n_train, c.loss_sum / c.seen,
                               (double)c.correct / c.seen, rate, eta);
        }
        const double seconds = nn_now() - epoch_start;
        nn_progress_clear(&bar);
        printf("epoch %d/%d: train loss %.4f acc %.2f%%", epoch, opt.epochs, c.loss_sum / c.seen,
               100.0 * c.correct / c.seen);
        if (n_val > 0) {
            const tally v = evaluate(&t, &train_set, val_idx, n_val, NULL);
            printf(" | val loss %.4f acc %.2f%%", v.loss_sum / v.seen, 100.0 * v.correct / v.seen);
        }
        printf(" | lr %.3g | %.1f s, %.0f img/s\n", lr, seconds, n_train / seconds);
        fflush(stdout);
        if (opt.save_dir && save_run(opt.save_dir, m, t.s.params, &opt_state, epoch, step, run_rngs) != 0) return 1;
        if (opt.stop_after == epoch && epoch < opt.epochs) {
            printf("stopped after epoch %d of %d, as asked\n", epoch, opt.epochs);
            break;
        }
    }
    nn_confusion confusion;
    if (nn_confusion_init(&confusion, (int)m->output_size) != 0) {
        fprintf(stderr, "train: out of memory for the confusion matrix\n");
        return 1;
    }
    const tally r = evaluate(&t, &test_set, test_idx, test_set.count, &confusion);
    char total[32];
    nn_format_duration(total, sizeof total, nn_now() - run_start);
    printf("test: loss %.4f accuracy %.2f%% (%zu of %zu images) after %s\n", r.loss_sum / r.seen,
           100.0 * r.correct / r.seen, r.correct, r.seen, total);
    nn_metrics_print(&confusion, stdout);
    nn_confusion_free(&confusion);

    nn_optim_free(&opt_state);
    free(t.s.params);
    free(t.s.grads);
    free(t.s.acts);
    free(t.s.dacts);
    free(t.s.work);
    free(t.s.index);
    free(t.x);
    free(t.scratch);
    free(t.target);
    free(order);
    free(split_order);
    free(test_idx);
    nn_dataset_free(&train_set);
    nn_dataset_free(&test_set);
    return 0;
}

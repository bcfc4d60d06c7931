#include "train.h"

#include "checkpoint.h"
#include "distill.h"
#include "fpmode.h"
#include "gradients.h"
#include "init.h"
#include "lr_rules.h"
#include "options.h"
#include "progress.h"
#include "rng.h"
#include "run_data.h"
#include "predict.h"
#include "prefetch.h"
#include "run_log.h"
#include "trainer.h"

#include <cblas.h>
#include <errno.h>
#include <math.h>
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* RNGs whose state a checkpoint carries, so that a resumed run draws what the
 * uninterrupted one would have drawn. */
enum { N_RUN_RNGS = 3 };
static const char *const RUN_RNG_KEYS[N_RUN_RNGS] = { "rng_shuffle", "rng_model", "rng_augment" };

/* What a checkpoint of a run records besides the tensors. */
typedef struct {
    int epoch;
    long step;
    double best; /* the best validation figure so far (--keep-best) */
    const nn_normalization *norm;
    const char *classes; /* "a,b,c", or NULL */
    nn_rng *const *rngs;
} run_point;

static int save_run(const char *path, const nn_model *m, const float *params, const nn_optimizer *opt,
                    const run_point *at)
{
    nn_ckpt_meta meta = { 0 };
    char text[96], err[4352];
    nn_ckpt_meta_set(&meta, "spec", m->name);
    snprintf(text, sizeof text, "%d", at->epoch);
    nn_ckpt_meta_set(&meta, "epoch", text);
    snprintf(text, sizeof text, "%ld", at->step);
    nn_ckpt_meta_set(&meta, "step", text);
    snprintf(text, sizeof text, "%ld", opt->step);
    nn_ckpt_meta_set(&meta, "optimizer_step", text);
    nn_ckpt_meta_set(&meta, "optimizer", nn_optim_name(opt->cfg.kind));
    if (isfinite(at->best)) { /* --keep-best: the figure a resumed run must beat */
        snprintf(text, sizeof text, "%.17g", at->best);
        nn_ckpt_meta_set(&meta, "best_val", text);
    }
    nn_normalization_to_meta(at->norm, &meta);
    if (at->classes) nn_ckpt_meta_set(&meta, "classes", at->classes);
    for (int i = 0; i < N_RUN_RNGS; ++i) {
        nn_rng_format(at->rngs[i], text, sizeof text);
        nn_ckpt_meta_set(&meta, RUN_RNG_KEYS[i], text);
    }
    if (nn_checkpoint_save(path, m, params, opt, &meta, err, sizeof err) != 0) {
        fprintf(stderr, "train: %s\n", err);
        return -1;
    }
    return 0;
}

/* mkdir -p: the run directory and any missing parents. */
static int make_dirs(const char *path)
{
    char partial[4096];
    const size_t len = strlen(path);
    if (len == 0 || len >= sizeof partial) {
        errno = ENAMETOOLONG;
        return -1;
    }
    memcpy(partial, path, len + 1);
    for (char *p = partial + 1; *p; ++p) {
        if (*p != '/') continue;
        *p = '\0';
        if (mkdir(partial, 0777) != 0 && errno != EEXIST) return -1;
        *p = '/';
    }
    return mkdir(partial, 0777) != 0 && errno != EEXIST ? -1 : 0;
}

/* The test set's loss, hits and the task's metrics, printed and (with a run directory) written as CSV. */
static int report_test(nn_trainer *t, const nn_run_data *d, const char *save_dir, const char *after)
{
    nn_eval e;
    if (nn_eval_init(&e, t->task, (int)t->m->output_size, d->n_test) != 0) {
        fprintf(stderr, "train: out of memory for the test metrics\n");
        return -1;
    }
    const nn_tally r = nn_trainer_evaluate(t, d->test_set, d->test_idx, d->n_test, &e);
    printf("test: loss %.4f", r.loss_sum / r.seen);
    if (t->task == NN_TASK_REGRESSION) printf(" (%zu records)%s\n", r.seen, after);
    else printf(" accuracy %.2f%% (%zu of %zu records)%s\n", 100.0 * r.correct / r.seen, r.correct, r.seen, after);
    nn_eval_print(&e, d->test_set, stdout);
    int rc = 0;
    char err[4352];
    if (save_dir && make_dirs(save_dir) != 0) {
        fprintf(stderr, "train: cannot create %s: %s\n", save_dir, strerror(errno));
        rc = -1;
    } else if (save_dir && nn_eval_write_csv(&e, d->test_set, save_dir, err, sizeof err) != 0) {
        fprintf(stderr, "train: %s\n", err);
        rc = -1;
    } else if (save_dir) {
        printf("metrics: %s/metrics.csv%s\n", save_dir, t->task == NN_TASK_CLASS ? ", confusion.csv" : "");
    }
    nn_eval_free(&e);
    return rc;
}

/* Makes the batch at `start` of the epoch's order the trainer's, and has the next one read in the background. */
static void next_batch(nn_prefetch *reader, int prefetching, nn_trainer *t, const nn_dataset *ds,
                       const uint32_t *order, size_t start, size_t total, size_t batch, const nn_augment *augment)
{
    const int n = (int)(total - start < batch ? total - start : batch);
    if (!prefetching) {
        nn_trainer_gather(t, ds, order + start, n, augment);
        return;
    }
    nn_prefetch_take(reader);
    const size_t next = start + batch;
    if (next < total)
        nn_prefetch_request(reader, ds, order + next, (int)(total - next < batch ? total - next : batch), augment);
}

/* The validation split's loss, and its accuracy or (in regression) R², into rec. */
static void validate(nn_trainer *t, const nn_dataset *ds, const uint32_t *idx, size_t n, nn_epoch_record *rec)
{
    nn_eval e;
    const int regression = t->task == NN_TASK_REGRESSION;
    const int have = regression && nn_eval_init(&e, t->task, (int)t->m->output_size, n) == 0;
    const nn_tally v = nn_trainer_evaluate(t, ds, idx, n, have ? &e : NULL);
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

/* --eval: a checkpoint on the test set. */
static int run_eval(const nn_model *m, const nn_options *opt)
{
    nn_run_data d;
    if (nn_run_data_load(opt, m, &d) != 0) return 1;
    nn_trainer t;
    nn_trainer_init(&t, m, 0);
    nn_normalization norm;
    int rc = nn_run_load_weights(opt->checkpoint, m, t.s.params, &norm, d.train.channels, NULL) != 0;
    if (!rc) {
        nn_dataset_normalize(&d.train, norm.mean, norm.std);
        nn_dataset_normalize(&d.test, norm.mean, norm.std);
        printf("eval: %s on %zu test records of %s, ", opt->checkpoint, d.n_test, opt->data_path);
        nn_normalization_print(&norm, stdout);
        printf("\n");
        rc = report_test(&t, &d, opt->save_dir, "") != 0;
    }
    nn_trainer_free(&t);
    nn_run_data_free(&d);
    return rc;
}

/* A distillation teacher: its own buffers, weights and input normalization. */
typedef struct {
    nn_trainer t;
    double scale[NN_MAX_CHANNELS], shift[NN_MAX_CHANNELS]; /* student input -> teacher input */
    double *zs, *zt, *target, *dz;                         /* one batch, in double */
} teacher;

static int teacher_init(teacher *te, const nn_model *student, const nn_model *const *teachers, int n_teachers,
                        const nn_options *opt, const nn_normalization *norm)
{
    const nn_model *m = NULL;
    for (int i = 0; i < n_teachers; ++i)
        if (!strcmp(teachers[i]->name, opt->teacher_spec)) m = teachers[i];
    if (!m) {
        fprintf(stderr, "train: --teacher %s: this trainer has no teacher %s linked in; build one with "
                "make build SPEC=%s TEACHER=%s\n", opt->teacher_spec, opt->teacher_spec, student->name,
                opt->teacher_spec);
        return -1;
    }
    if (m->input_size != student->input_size || m->output_size != student->output_size ||
        strcmp(student->loss_name, "softmax_cross_entropy") != 0) {
        fprintf(stderr, "train: --teacher %s: distillation needs the same input size and classes as %s "
                "(%zu and %zu, teacher %zu and %zu) and a softmax_cross_entropy student\n", m->name, student->name,
                student->input_size, student->output_size, m->input_size, m->output_size);
        return -1;
    }
    nn_trainer_init(&te->t, m, 0);
    nn_normalization tn;
    if (nn_run_load_weights(opt->teacher_path, m, te->t.s.params, &tn, norm->channels, NULL) != 0) return -1;
    for (int c = 0; c < norm->channels; ++c) {
        te->scale[c] = norm->std[c] / tn.std[c];
        te->shift[c] = (norm->mean[c] - tn.mean[c]) / tn.std[c];
    }
    const size_t batch = (size_t)student->batch * student->output_size;
    te->zs = nn_alloc(batch, sizeof(double), "distillation logits");
    te->zt = nn_alloc(batch, sizeof(double), "distillation logits");
    te->target = nn_alloc(batch, sizeof(double), "distillation targets");
    te->dz = nn_alloc(batch, sizeof(double), "distillation gradient");
    printf("distillation: teacher %s from %s, alpha %g, temperature %g\n", m->name, opt->teacher_path, opt->kd_alpha,
           opt->kd_temp);
    return 0;
}

/* Replaces the student's loss and output gradient by the distillation loss's. */
static double distill(teacher *te, const nn_trainer *st, int n, int channels, const nn_options *opt)
{
    const nn_model *m = st->m;
    const size_t plane = m->input_size / (size_t)channels, k = m->output_size;
    for (int i = 0; i < n; ++i)
        for (int c = 0; c < channels; ++c)
            for (size_t j = 0; j < plane; ++j) {
                const size_t at = (size_t)i * m->input_size + (size_t)c * plane + j;
                te->t.x[at] = (float)(st->x[at] * te->scale[c] + te->shift[c]);
            }
    te->t.m->forward(&te->t.s, te->t.x, n, 0);
    const float *zs = st->s.acts + m->output_offset, *zt = te->t.s.acts + te->t.m->output_offset;
    for (size_t i = 0; i < (size_t)n * k; ++i) {
        te->zs[i] = zs[i];
        te->zt[i] = zt[i];
        te->target[i] = st->target[i];
    }
    const double loss = nn_kd_loss(te->zs, te->zt, te->target, n, (int)k, opt->kd_alpha, opt->kd_temp, te->dz);
    float *dz = st->s.dacts + m->output_offset;
    for (size_t i = 0; i < (size_t)n * k; ++i) dz[i] = (float)te->dz[i];
    return loss;
}

static void teacher_free(teacher *te)
{
    nn_trainer_free(&te->t);
    free(te->zs);
    free(te->zt);
    free(te->target);
    free(te->dz);
}

static void print_recipe(const nn_model *m, const nn_options *opt)
{
    printf("training: %d epochs, %s lr %g", opt->epochs, nn_optim_name(opt->optim.kind), opt->optim.lr);
    if (opt->optim.kind == NN_SGD && opt->optim.momentum > 0)
        printf(", momentum %g%s", opt->optim.momentum, opt->optim.nesterov ? " (Nesterov)" : "");
    if (opt->optim.weight_decay > 0) printf(", weight decay %g", opt->optim.weight_decay);
    if (opt->optim.l1 > 0) printf(", L1 %g", opt->optim.l1);
    if (opt->schedule.kind != NN_SCHED_CONSTANT) printf(", %s schedule", nn_schedule_name(opt->schedule.kind));
    if (opt->schedule.warmup_epochs > 0) printf(", %g warmup epochs", opt->schedule.warmup_epochs);
    if (opt->clip_norm > 0) printf(", gradient norm clipped to %g", opt->clip_norm);
    printf(", batch %d", m->batch);
    if (opt->accum > 1) printf(" x %d accumulated", opt->accum);
    printf(", seed %llu, %d threads, OpenBLAS %s kernels\n", (unsigned long long)opt->seed, opt->threads,
           openblas_get_corename());
}

/* Learning-rate multipliers (spec rules, then the command line's) and the
 * frozen flags the generated backward reads. Returns the number of frozen
 * tensors, or -1 after printing the reason. */
static int resolve_lr_rules(const nn_model *m, const nn_options *opt, double *mult, unsigned char *frozen)
{
    nn_lr_rule rules[2 * NN_MAX_LR_RULES];
    int n = 0;
    for (int i = 0; i < m->n_lr_rules && n < NN_MAX_LR_RULES; ++i) rules[n++] = m->lr_rules[i];
    for (int i = 0; i < opt->n_lr_rules; ++i) rules[n++] = opt->lr_rules[i];
    char err[512];
    if (nn_lr_rules_apply(m->tensors, m->n_tensors, rules, n, mult, err, sizeof err) != 0) {
        fprintf(stderr, "train: %s\n", err);
        return -1;
    }
    int n_frozen = 0;
    for (int t = 0; t < m->n_tensors; ++t) {
        frozen[t] = (m->tensors[t].flags & NN_TRAINABLE) && mult[t] == 0.0;
        n_frozen += frozen[t];
    }
    for (int i = 0; i < n; ++i) {
        printf("%s %s ", i ? "," : "learning rates:", rules[i].pattern);
        if (rules[i].mult == 0.0) printf("frozen");
        else printf("x%g", rules[i].mult);
    }
    if (n) printf(" (%d of %d tensors frozen)\n", n_frozen, m->n_tensors);
    return n_frozen;
}

int nn_train_main_teachers(const nn_model *m, const nn_model *const *teachers, int n_teachers, int argc,
                           char **argv)
{
    setvbuf(stdout, NULL, _IOLBF, 0); /* progress and errors interleave in order in logs and pipes */
    nn_flush_subnormals();
    nn_options opt;
    const int parsed = nn_options_parse(&opt, argc, argv, argv[0]);
    if (parsed != 0) return parsed > 0 ? 0 : 2;
    openblas_set_num_threads(opt.threads);
    omp_set_num_threads(opt.threads);
    if (opt.mode == NN_MODE_EVAL) return run_eval(m, &opt);
    if (opt.mode == NN_MODE_PREDICT) return nn_predict_main(m, &opt);

    printf("%s\n", m->summary);
    nn_run_data data;
    if (nn_run_data_load(&opt, m, &data) != 0) return 1;
    nn_dataset *const train_set = &data.train;

    nn_rng init_rng, split_rng, shuffle_rng, model_rng, augment_rng;
    nn_rng_seed(&augment_rng, opt.seed ^ 0xa09e667fULL);
    nn_rng_seed(&init_rng, opt.seed);
    nn_rng_seed(&split_rng, opt.seed ^ 0x5ca1ab1eULL);
    nn_rng_seed(&shuffle_rng, opt.seed ^ 0x5eedf00dULL);
    nn_rng_seed(&model_rng, opt.seed ^ 0xd20b0c4bULL); /* dropout masks */

    size_t available = data.n_pool;
    if (opt.limit > 0 && (size_t)opt.limit < available) available = (size_t)opt.limit;
    uint32_t *order = nn_alloc(available, sizeof(uint32_t), "sample indices");
    memcpy(order, data.pool, sizeof(uint32_t) * available);
    nn_rng_shuffle(&split_rng, order, (uint32_t)available);
    const size_t n_val = (size_t)(opt.val_split * (double)available);
    const size_t n_train = available - n_val;
    if (n_train == 0) {
        fprintf(stderr, "train: no training records left after a validation split of %g\n", opt.val_split);
        return 1;
    }
    uint32_t *train_idx = order, *val_idx = order + n_train;
    uint32_t *split_order = nn_alloc(n_train, sizeof(uint32_t), "sample indices");
    memcpy(split_order, train_idx, sizeof(uint32_t) * n_train);

    nn_normalization norm = { .channels = train_set->channels };
    if (opt.n_mean && opt.n_mean != train_set->channels) {
        fprintf(stderr, "train: the inputs have %d channels; --mean/--std gave %d values\n", train_set->channels,
                opt.n_mean);
        return 1;
    }
    if (opt.n_mean) {
        memcpy(norm.mean, opt.mean, sizeof norm.mean);
        memcpy(norm.std, opt.std, sizeof norm.std);
    } else {
        nn_dataset_stats(train_set, train_idx, n_train, norm.mean, norm.std);
    }
    nn_dataset_normalize(&data.train, norm.mean, norm.std);
    nn_dataset_normalize(&data.test, norm.mean, norm.std);
    char input_text[64];
    nn_model_input_text(m, input_text, sizeof input_text);
    printf("data: %s: %zu training, %zu validation, %zu test records of %s for %s; ", opt.data_path, n_train,
           n_val, data.n_test, input_text, nn_task_name(data.task));
    nn_normalization_print(&norm, stdout);
    printf("\n");
    if (nn_augment_enabled(&opt.augment))
        printf("augmentation: crop padding %d, flips %s, noise %g\n", opt.augment.crop_pad,
               opt.augment.flip ? "on" : "off", opt.augment.noise);

    nn_trainer t;
    nn_trainer_init(&t, m, 1);
    t.s.rng = &model_rng;
    t.augment_rng = &augment_rng;
    for (int c = 0; c < train_set->channels; ++c) t.fill[c] = (float)((0.0 - norm.mean[c]) / norm.std[c]);
    nn_init_params(m->tensors, m->n_tensors, t.s.params, &init_rng);
    if (opt.init_path && nn_run_load_weights(opt.init_path, m, t.s.params, NULL, 0, NULL) != 0) return 1;
    if (opt.init_path) printf("weights from %s\n", opt.init_path);

    double *lr_mult = nn_alloc((size_t)m->n_tensors, sizeof(double), "learning-rate multipliers");
    unsigned char *frozen = nn_alloc((size_t)m->n_tensors, 1, "frozen flags");
    const int n_frozen = resolve_lr_rules(m, &opt, lr_mult, frozen);
    if (n_frozen < 0) return 1;
    t.s.frozen = n_frozen ? frozen : NULL;

    teacher te = { 0 };
    if (opt.teacher_spec && teacher_init(&te, m, teachers, n_teachers, &opt, &norm) != 0) return 1;

    nn_optimizer opt_state;
    nn_fused_update fused;
    if (nn_optim_init(&opt_state, &opt.optim, m->n_params) != 0 ||
        nn_fused_init(&fused, &opt_state, m->tensors, m->n_tensors, lr_mult) != 0) {
        fprintf(stderr, "train: out of memory for the optimizer state\n");
        return 1;
    }
    /* backward applies updates itself where it can, unless something reads the whole gradient first */
    const int fuse_updates = opt.accum == 1 && !(opt.clip_norm > 0);
    t.s.fuse = fuse_updates ? &fused : NULL;
    print_recipe(m, &opt);
    fflush(stdout);

    int first_epoch = 1;
    long step = 0;
    const int higher_better = opt.keep_best == NN_KEEP_ACC || opt.keep_best == NN_KEEP_R2;
    double best = higher_better ? -INFINITY : INFINITY;
    nn_rng *const run_rngs[N_RUN_RNGS] = { &shuffle_rng, &model_rng, &augment_rng };
    if (opt.resume_path) {
        nn_ckpt_meta meta = { 0 };
        char err[4352];
        if (nn_checkpoint_load(opt.resume_path, m, t.s.params, &opt_state, &meta, err, sizeof err) != 0) {
            fprintf(stderr, "train: %s\n", err);
            return 1;
        }
        const char *spec = nn_ckpt_meta_get(&meta, "spec"), *epoch = nn_ckpt_meta_get(&meta, "epoch");
        const char *steps = nn_ckpt_meta_get(&meta, "step"), *best_val = nn_ckpt_meta_get(&meta, "best_val");
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
        if (best_val) best = strtod(best_val, NULL);
        printf("resumed from %s after epoch %d (step %ld)\n", opt.resume_path, first_epoch - 1, step);
    }
    nn_run_log log = { 0 };
    if (opt.save_dir) {
        char err[4352];
        if (make_dirs(opt.save_dir) != 0) {
            fprintf(stderr, "train: cannot create %s: %s\n", opt.save_dir, strerror(errno));
            return 1;
        }
        if (nn_run_log_open(&log, opt.save_dir, first_epoch - 1, err, sizeof err) != 0) {
            fprintf(stderr, "train: %s\n", err);
            return 1;
        }
        printf("run directory: %s (last.safetensors%s, log.csv, steps.csv, %s)\n", opt.save_dir,
               opt.keep_best ? ", best.safetensors" : "", strrchr(log.tb.path, '/') + 1);
    }

    nn_progress bar;
    nn_progress_init(&bar);
    const double run_start = nn_now();
    const size_t batch = (size_t)m->batch;
    const int classifying = t.task != NN_TASK_REGRESSION;
    const nn_augment *augment = nn_augment_enabled(&opt.augment) ? &opt.augment : NULL;
    nn_prefetch reader;
    const int prefetching = nn_prefetch_start(&reader, &t) == 0;
    char class_list[NN_CKPT_META_VALUE];
    nn_class_list(train_set, class_list, sizeof class_list);
    /* BatchNorm cannot normalize a batch of one vector (PyTorch refuses it; the output would be
       beta): with BN in the model such a last batch is left out of each epoch, a different image
       each time as the order is reshuffled */
    size_t n_used = n_train;
    int has_bn = 0;
    for (int i = 0; i < m->n_tensors; ++i) has_bn |= (m->tensors[i].flags & NN_BUFFER) != 0;
    if (has_bn && n_train > 1 && n_train % batch == 1) {
        n_used = n_train - 1;
        printf("note: %zu training records leave a last batch of 1, which BatchNorm cannot normalize; each epoch "
               "trains on %zu of them\n", n_train, n_used);
    }
    const size_t run_images = n_used * (size_t)(opt.epochs - first_epoch + 1);
    const size_t n_batches = (n_used + batch - 1) / batch;
    opt.schedule.steps_per_epoch = (long)((n_batches + (size_t)opt.accum - 1) / (size_t)opt.accum);
    double lr = opt.optim.lr;
    int failed = 0;
    for (int epoch = first_epoch; epoch <= opt.epochs && !failed; ++epoch) {
        /* each epoch shuffles the split's own order, so the order depends on the RNG state alone
           and a resumed run sees the same batches */
        memcpy(train_idx, split_order, sizeof(uint32_t) * n_train);
        nn_rng_shuffle(&shuffle_rng, train_idx, (uint32_t)n_train);
        nn_tally c = { 0 };
        const double epoch_start = nn_now();
        if (prefetching) nn_prefetch_request(&reader, train_set, train_idx, (int)(n_used < batch ? n_used : batch), augment);
        for (size_t first = 0; first < n_batches && !failed; first += (size_t)opt.accum) {
            /* one update: accum micro-batches whose gradients add up to that of their union,
               each seeded with its share (its size over the union's) of the mean loss's gradient */
            const size_t begin = first * batch;
            const size_t end = (first + (size_t)opt.accum) * batch < n_used ? (first + (size_t)opt.accum) * batch
                                                                            : n_used;
            double update_loss = 0.0;
            lr = nn_schedule_lr(&opt.schedule, step);
            ++step;
            for (size_t start = begin; start < end; start += batch) {
                const int n = (int)(end - start < batch ? end - start : batch);
                next_batch(&reader, prefetching, &t, train_set, train_idx, start, n_used, batch, augment);
                m->forward(&t.s, t.x, n, 1);
                double loss = m->loss(&t.s, t.target, n);
                if (opt.teacher_spec) loss = distill(&te, &t, n, train_set->channels, &opt);
                if (!isfinite(loss)) {
                    nn_progress_clear(&bar);
                    fprintf(stderr, "train: epoch %d step %ld: the loss is %f; stopping (learning rate %g; try a "
                            "lower --lr)\n", epoch, step, loss, lr);
                    failed = 1;
                    break;
                }
                nn_trainer_count(&c, &t, train_set, train_idx + start, n, loss);
                update_loss += loss * n / (double)(end - begin);
                if (end - begin != (size_t)n) {
                    float *dz = t.s.dacts + m->output_offset;
                    const float share = (float)((double)n / (double)(end - begin));
                    for (size_t i = 0; i < (size_t)n * m->output_size; ++i) dz[i] *= share;
                }
                t.s.accumulate_grads = start != begin; /* the first micro-batch writes the gradients */
                if (fuse_updates) nn_fused_begin(&fused, lr);
                m->backward(&t.s, n, NULL);
            }
            if (failed) break;
            /* a tensor updated in backward was checked there; the run stops either way */
            const int bad = fuse_updates && fused.nonfinite >= 0
                                ? fused.nonfinite
                                : nn_grad_first_nonfinite(m->tensors, m->n_tensors, t.s.grads, lr_mult,
                                                          fuse_updates ? fused.done : NULL);
            if (bad >= 0) {
                nn_progress_clear(&bar);
                fprintf(stderr, "train: epoch %d step %ld: the gradient of %s is NaN or infinite; stopping "
                        "(learning rate %g; try a lower --lr or --clip-norm)\n", epoch, step, m->tensors[bad].name,
                        lr);
                failed = 1;
                break;
            }
            if (opt.clip_norm > 0) {
                const double norm2 = nn_grad_global_norm(m->tensors, m->n_tensors, t.s.grads, lr_mult);
                if (norm2 > opt.clip_norm)
                    nn_grad_scale(m->tensors, m->n_tensors, t.s.grads, lr_mult, opt.clip_norm / norm2);
            }
            if (fuse_updates)
                nn_fused_finish(&fused, t.s.params, t.s.grads);
            else
                nn_optim_step(&opt_state, m->tensors, m->n_tensors, t.s.params, t.s.grads, lr, lr_mult);
            if (opt.save_dir) nn_run_log_step(&log, epoch, step, update_loss, lr);
            if (opt.print_every && step % opt.print_every == 0) {
                nn_progress_clear(&bar);
                printf("epoch %d step %ld: batch loss %.4f, lr %.3g\n", epoch, step, update_loss, lr);
                fflush(stdout);
            }
            const double now = nn_now();
            const size_t done_run = (size_t)(epoch - first_epoch) * n_used + c.seen;
            const double rate = c.seen / (now - epoch_start + 1e-9);
            const double eta = (now - run_start) / (double)done_run * (double)(run_images - done_run);
            nn_progress_update(&bar, epoch, opt.epochs, c.seen, n_used, c.loss_sum / c.seen,
                               classifying ? (double)c.correct / c.seen : NAN, rate, eta);
        }
        if (failed) break;
        const double seconds = nn_now() - epoch_start;
        nn_progress_clear(&bar);
        nn_epoch_record rec = { .epoch = epoch, .step = step, .train_loss = c.loss_sum / c.seen,
                                .train_acc = classifying ? (double)c.correct / c.seen : NAN, .val_loss = NAN,
                                .val_acc = NAN, .val_r2 = NAN, .lr = lr, .img_per_s = n_used / seconds,
                                .seconds = seconds };
        printf("epoch %d/%d: train loss %.4f", epoch, opt.epochs, rec.train_loss);
        if (classifying) printf(" acc %.2f%%", 100.0 * rec.train_acc);
        if (n_val > 0) validate(&t, train_set, val_idx, n_val, &rec);
        printf(" | lr %.3g | %.1f s, %.0f img/s\n", lr, seconds, rec.img_per_s);
        if (opt.save_dir) {
            nn_run_log_epoch(&log, &rec);
            char path[4352];
            const double figure = opt.keep_best == NN_KEEP_ACC ? rec.val_acc
                                  : opt.keep_best == NN_KEEP_R2 ? rec.val_r2 : rec.val_loss;
            const int improved = opt.keep_best && (higher_better ? figure > best : figure < best);
            if (improved) best = figure;
            const run_point at = { .epoch = epoch, .step = step, .best = best, .norm = &norm,
                                   .classes = class_list[0] ? class_list : NULL, .rngs = run_rngs };
            snprintf(path, sizeof path, "%s/best.safetensors", opt.save_dir);
            if (improved) {
                if (save_run(path, m, t.s.params, &opt_state, &at) != 0) return 1;
                if (opt.keep_best == NN_KEEP_ACC) printf("best so far (val acc %.2f%%): %s\n", 100.0 * best, path);
                else if (opt.keep_best == NN_KEEP_R2) printf("best so far (val R2 %.4f): %s\n", best, path);
                else printf("best so far (val loss %.4f): %s\n", best, path);
            }
            snprintf(path, sizeof path, "%s/last.safetensors", opt.save_dir);
            if (save_run(path, m, t.s.params, &opt_state, &at) != 0) return 1;
        }
        fflush(stdout);
        if (opt.stop_after == epoch && epoch < opt.epochs) {
            printf("stopped after epoch %d of %d, as asked\n", epoch, opt.epochs);
            break;
        }
    }
    if (!failed) {
        char total[32], after[48];
        nn_format_duration(total, sizeof total, nn_now() - run_start);
        snprintf(after, sizeof after, " after %s", total);
        failed = report_test(&t, &data, opt.save_dir, after) != 0;
    }

    if (prefetching) nn_prefetch_stop(&reader);
    nn_run_log_close(&log);
    if (opt.teacher_spec) teacher_free(&te);
    nn_fused_free(&fused);
    nn_optim_free(&opt_state);
    nn_trainer_free(&t);
    free(lr_mult);
    free(frozen);
    free(order);
    free(split_order);
    nn_run_data_free(&data);
    return failed;
}

int nn_train_main(const nn_model *m, int argc, char **argv)
{
    return nn_train_main_teachers(m, NULL, 0, argc, argv);
}

#include "train_run.h"

#include "init.h"
#include "lr_rules.h"

#include <cblas.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int nn_make_dirs(const char *path)
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

/* The per-channel normalization: given, or the training split's. */
static int normalize(nn_train_run *r)
{
    const nn_dataset *train_set = &r->data.train;
    r->norm = (nn_normalization){ .channels = train_set->channels };
    if (r->opt.n_mean && r->opt.n_mean != train_set->channels) {
        fprintf(stderr, "train: the inputs have %d channels; --mean/--std gave %d values\n", train_set->channels,
                r->opt.n_mean);
        return -1;
    }
    if (r->opt.n_mean) {
        memcpy(r->norm.mean, r->opt.mean, sizeof r->norm.mean);
        memcpy(r->norm.std, r->opt.std, sizeof r->norm.std);
    } else {
        nn_dataset_stats(train_set, r->order, r->n_train, r->norm.mean, r->norm.std);
    }
    nn_dataset_normalize(&r->data.train, r->norm.mean, r->norm.std);
    nn_dataset_normalize(&r->data.test, r->norm.mean, r->norm.std);
    return 0;
}

int nn_train_setup_data(nn_train_run *r)
{
    const nn_options *opt = &r->opt;
    printf("%s\n", r->m->summary);
    if (nn_run_data_load(opt, r->m, &r->data) != 0) return -1;
    nn_rng_seed(&r->augment_rng, opt->seed ^ 0xa09e667fULL);
    nn_rng_seed(&r->init_rng, opt->seed);
    nn_rng_seed(&r->split_rng, opt->seed ^ 0x5ca1ab1eULL);
    nn_rng_seed(&r->shuffle_rng, opt->seed ^ 0x5eedf00dULL);
    nn_rng_seed(&r->model_rng, opt->seed ^ 0xd20b0c4bULL); /* dropout masks */

    size_t available = r->data.n_pool;
    if (opt->limit > 0 && (size_t)opt->limit < available) available = (size_t)opt->limit;
    r->order = nn_alloc(available, sizeof(uint32_t), "sample indices");
    memcpy(r->order, r->data.pool, sizeof(uint32_t) * available);
    nn_rng_shuffle(&r->split_rng, r->order, (uint32_t)available);
    r->n_val = (size_t)(opt->val_split * (double)available);
    r->n_train = available - r->n_val; /* at least 1: --val-split is at most 0.9 */
    r->split_order = nn_alloc(r->n_train, sizeof(uint32_t), "sample indices");
    memcpy(r->split_order, r->order, sizeof(uint32_t) * r->n_train);
    if (normalize(r) != 0) return -1;

    char input_text[64];
    nn_model_input_text(r->m, input_text, sizeof input_text);
    printf("data: %s: %zu training, %zu validation, %zu test records of %s for %s; ", opt->data_path, r->n_train,
           r->n_val, r->data.n_test, input_text, nn_task_name(r->data.task));
    nn_normalization_print(&r->norm, stdout);
    printf("\n");
    if (nn_augment_enabled(&opt->augment))
        printf("augmentation: crop padding %d, flips %s, noise %g\n", opt->augment.crop_pad,
               opt->augment.flip ? "on" : "off", opt->augment.noise);
    return 0;
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

/* --init FILE, but for the tensors --init-skip leaves as initialized. */
static int load_init(const nn_model *m, const nn_options *opt, float *params)
{
    char err[4352];
    const int loaded = nn_checkpoint_init(opt->init_path, m, params, opt->init_skip, opt->n_init_skip, err, sizeof err);
    if (loaded < 0) {
        fprintf(stderr, "train: %s\n", err);
        return -1;
    }
    printf("weights from %s: %d of %d tensors", opt->init_path, loaded, m->n_tensors);
    if (loaded < m->n_tensors) printf(", the other %d freshly initialized (--init-skip)", m->n_tensors - loaded);
    printf("\n");
    return 0;
}

int nn_train_setup_model(nn_train_run *r, const nn_model *const *teachers, int n_teachers)
{
    const nn_model *m = r->m;
    const nn_options *opt = &r->opt;
    nn_trainer *t = &r->t;
    nn_trainer_init(t, m, 1);
    t->s.rng = &r->model_rng;
    t->augment_rng = &r->augment_rng;
    for (int c = 0; c < r->data.train.channels; ++c) t->fill[c] = (float)((0.0 - r->norm.mean[c]) / r->norm.std[c]);
    nn_init_params(m->tensors, m->n_tensors, t->s.params, &r->init_rng);
    if (opt->init_path && load_init(m, opt, t->s.params) != 0) return -1;

    r->lr_mult = nn_alloc((size_t)m->n_tensors, sizeof(double), "learning-rate multipliers");
    r->frozen = nn_alloc((size_t)m->n_tensors, 1, "frozen flags");
    const int n_frozen = resolve_lr_rules(m, opt, r->lr_mult, r->frozen);
    if (n_frozen < 0) return -1;
    t->s.frozen = n_frozen ? r->frozen : NULL;

    if (opt->teacher_spec && nn_teacher_init(&r->teacher, m, teachers, n_teachers, opt, &r->norm) != 0) return -1;
    if (nn_optim_init(&r->optimizer, &opt->optim, m->n_params) != 0 ||
        nn_fused_init(&r->fused, &r->optimizer, m->tensors, m->n_tensors, r->lr_mult) != 0) {
        fprintf(stderr, "train: out of memory for the optimizer state\n");
        return -1;
    }
    /* backward applies updates itself where it can, unless something reads the whole gradient first */
    r->fuse_updates = opt->accum == 1 && !(opt->clip_norm > 0);
    t->s.fuse = r->fuse_updates ? &r->fused : NULL;
    print_recipe(m, opt);
    fflush(stdout);
    return 0;
}

int nn_train_open_run_dir(nn_train_run *r)
{
    const char *dir = r->opt.save_dir;
    char err[4352];
    if (nn_make_dirs(dir) != 0) {
        fprintf(stderr, "train: cannot create %s: %s\n", dir, strerror(errno));
        return -1;
    }
    if (nn_run_log_open(&r->log, dir, r->done_epoch, r->step, err, sizeof err) != 0) {
        fprintf(stderr, "train: %s\n", err);
        return -1;
    }
    printf("run directory: %s (last.safetensors%s, log.csv, steps.csv, %s)\n", dir,
           r->opt.keep_best ? ", best.safetensors" : "", strrchr(r->log.tb.path, '/') + 1);
    return 0;
}

void nn_train_plan_epochs(nn_train_run *r)
{
    const size_t batch = (size_t)r->m->batch;
    nn_progress_init(&r->bar);
    r->run_start = nn_now();
    r->augment = nn_augment_enabled(&r->opt.augment) ? &r->opt.augment : NULL;
    r->prefetching = nn_prefetch_start(&r->reader, &r->t) == 0;
    nn_class_list(&r->data.train, r->class_list, sizeof r->class_list);
    /* BatchNorm cannot normalize a batch of one vector (PyTorch refuses it; the output would be
       beta): with BN in the model such a last batch is left out of each epoch, a different image
       each time as the order is reshuffled */
    int has_bn = 0;
    for (int i = 0; i < r->m->n_tensors; ++i) has_bn |= (r->m->tensors[i].flags & NN_BUFFER) != 0;
    r->n_used = r->n_train;
    if (has_bn && r->n_train > 1 && r->n_train % batch == 1) {
        r->n_used = r->n_train - 1;
        printf("note: %zu training records leave a last batch of 1, which BatchNorm cannot normalize; each epoch "
               "trains on %zu of them\n", r->n_train, r->n_used);
    }
    r->n_batches = (r->n_used + batch - 1) / batch;
    r->opt.schedule.steps_per_epoch = (long)((r->n_batches + (size_t)r->opt.accum - 1) / (size_t)r->opt.accum);
    r->lr = r->opt.optim.lr;
}

/* --resume: the checkpoint read and checked whole (its origin, its tensors
 * against the model and the optimizer, the fields a run continues from), and
 * only then applied, so that a refused file leaves the run as it was set up. */
#include "train_run.h"

#include "checkpoint_fields.h"

#include <string.h>

/* What a resumed run continues from. */
typedef struct {
    long long epoch, step, optimizer_step;
    nn_rng rngs[N_RUN_RNGS];
    int has_best;
    double best;
    nn_epoch_progress progress; /* a checkpoint saved mid-epoch: how far into `epoch` */
} resume_point;

static int missing(char *why, size_t len, const char *key)
{
    snprintf(why, len, "field '%s' is missing (a weights-only file cannot resume training)", key);
    return -1;
}

/* The file was written by a run of this spec with this optimizer; checked
 * before the tensors, whose mismatch would blame the wrong thing. */
static int check_origin(const nn_ckpt_meta *meta, const nn_train_run *r, char *why, size_t len)
{
    const char *spec = nn_ckpt_meta_get(meta, "spec"), *optimizer = nn_ckpt_meta_get(meta, "optimizer");
    const char *ours = nn_optim_name(r->opt.optim.kind);
    if (!spec) return missing(why, len, "spec");
    if (strcmp(spec, r->m->name)) {
        snprintf(why, len, "field 'spec': a checkpoint of %s; this trainer is for %s", spec, r->m->name);
        return -1;
    }
    if (!optimizer) return missing(why, len, "optimizer");
    if (strcmp(optimizer, ours)) {
        snprintf(why, len, "field 'optimizer': a checkpoint of an %s run; this run uses %s (resume with "
                 "--optimizer %s)", optimizer, ours, optimizer);
        return -1;
    }
    return 0;
}

/* The fields that nn_checkpoint_read checked, all required here. */
static int read_point(const nn_ckpt_meta *meta, resume_point *p, char *why, size_t len)
{
    if (nn_ckpt_field_integer(meta, "epoch", &p->epoch) != 0) return missing(why, len, "epoch");
    if (nn_ckpt_field_integer(meta, "step", &p->step) != 0) return missing(why, len, "step");
    if (nn_ckpt_field_integer(meta, "optimizer_step", &p->optimizer_step) != 0)
        return missing(why, len, "optimizer_step");
    for (int i = 0; i < N_RUN_RNGS; ++i)
        if (nn_ckpt_field_rng(meta, NN_RUN_RNG_KEYS[i], &p->rngs[i]) != 0) return missing(why, len, NN_RUN_RNG_KEYS[i]);
    p->has_best = nn_ckpt_field_number(meta, "best_val", &p->best) == 0;
    long long updates = 0, records = 0, correct = 0;
    p->progress = (nn_epoch_progress){ 0 };
    if (nn_ckpt_field_integer(meta, "epoch_updates", &updates) != 0) return 0; /* saved after a whole epoch */
    /* nn_ckpt_check_fields made sure the others come with it */
    nn_ckpt_field_integer(meta, "epoch_records", &records);
    nn_ckpt_field_integer(meta, "epoch_correct", &correct);
    nn_ckpt_field_number(meta, "epoch_loss_sum", &p->progress.tally.loss_sum);
    p->progress.updates = (long)updates;
    p->progress.tally.seen = (size_t)records;
    p->progress.tally.correct = (size_t)correct;
    return 0;
}

/* A checkpoint saved mid-epoch fits an epoch of this run (same data, --limit, --val-split and --accum). */
static int check_progress(const nn_train_run *r, const resume_point *p, char *why, size_t len)
{
    if (p->progress.updates < r->opt.schedule.steps_per_epoch) return 0;
    snprintf(why, len, "field 'epoch_updates': %ld updates into epoch %lld, but an epoch of this run has %ld (resume "
             "with the run's --data, --limit, --val-split and --accum)", p->progress.updates, p->epoch,
             r->opt.schedule.steps_per_epoch);
    return -1;
}

static void commit(nn_train_run *r, const resume_point *p)
{
    r->resumed = p->progress;
    r->first_epoch = (int)p->epoch + (p->progress.updates ? 0 : 1); /* mid-epoch: that epoch again, from there */
    r->done_epoch = r->first_epoch - 1;
    r->step = (long)p->step;
    r->optimizer.step = (long)p->optimizer_step;
    for (int i = 0; i < N_RUN_RNGS; ++i) *r->rngs[i] = p->rngs[i];
    if (p->has_best) r->best = p->best;
}

int nn_train_resume(nn_train_run *r)
{
    const char *path = r->opt.resume_path;
    char err[4352], why[512] = "";
    nn_checkpoint c;
    resume_point p;
    if (nn_checkpoint_read(&c, path, err, sizeof err) != 0) {
        fprintf(stderr, "train: %s\n", err);
        return -1;
    }
    int bad = check_origin(&c.meta, r, why, sizeof why) != 0;
    bad = bad || nn_checkpoint_match(&c, r->m, &r->optimizer, err, sizeof err) != 0;
    bad = bad || read_point(&c.meta, &p, why, sizeof why) != 0 || check_progress(r, &p, why, sizeof why) != 0;
    if (why[0]) snprintf(err, sizeof err, "%s: %s", path, why);
    if (!bad) {
        nn_checkpoint_apply(&c, r->m, r->t.s.params, &r->optimizer);
        commit(r, &p);
    }
    nn_checkpoint_free(&c);
    if (bad) {
        fprintf(stderr, "train: %s\n", err);
        return -1;
    }
    if (r->resumed.updates)
        printf("resumed from %s in epoch %d after %ld of its updates (step %ld)\n", path, r->first_epoch,
               r->resumed.updates, r->step);
    else
        printf("resumed from %s after epoch %d (step %ld)\n", path, r->done_epoch, r->step);
    snprintf(r->checkpoint, sizeof r->checkpoint, "%s", path);
    return 0;
}

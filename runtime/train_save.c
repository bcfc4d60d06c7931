/* A run's checkpoints: the tensors, the optimizer state and what a resumed
 * run continues from (train_resume.c reads it back). */
#include "train_run.h"

#include <math.h>
#include <string.h>

const char *const NN_RUN_RNG_KEYS[N_RUN_RNGS] = { "rng_shuffle", "rng_model", "rng_augment" };

/* Mid-epoch, the RNGs as the rest of the epoch needs them: the shuffling one
 * before the epoch's shuffle (the resumed run shuffles again), the
 * augmentation one before the batch that the prefetch thread already drew. */
static void progress_meta(const nn_train_run *r, const nn_epoch_progress *p, nn_ckpt_meta *meta,
                          const nn_rng **rngs)
{
    char text[64];
    snprintf(text, sizeof text, "%ld", p->updates);
    nn_ckpt_meta_set(meta, "epoch_updates", text);
    snprintf(text, sizeof text, "%zu", p->tally.seen);
    nn_ckpt_meta_set(meta, "epoch_records", text);
    snprintf(text, sizeof text, "%zu", p->tally.correct);
    nn_ckpt_meta_set(meta, "epoch_correct", text);
    snprintf(text, sizeof text, "%.17g", p->tally.loss_sum);
    nn_ckpt_meta_set(meta, "epoch_loss_sum", text);
    rngs[0] = &r->epoch_shuffle;
    if (r->prefetching) rngs[2] = &r->augment_next;
}

int nn_train_save(nn_train_run *r, const char *path, int epoch, const nn_epoch_progress *progress)
{
    nn_ckpt_meta meta = { 0 };
    char text[96], err[4352];
    const nn_rng *rngs[N_RUN_RNGS] = { r->rngs[0], r->rngs[1], r->rngs[2] };
    nn_ckpt_meta_set(&meta, "spec", r->m->name);
    snprintf(text, sizeof text, "%d", epoch);
    nn_ckpt_meta_set(&meta, "epoch", text);
    snprintf(text, sizeof text, "%ld", r->step);
    nn_ckpt_meta_set(&meta, "step", text);
    snprintf(text, sizeof text, "%ld", r->optimizer.step);
    nn_ckpt_meta_set(&meta, "optimizer_step", text);
    nn_ckpt_meta_set(&meta, "optimizer", nn_optim_name(r->optimizer.cfg.kind));
    if (isfinite(r->best)) { /* --keep-best: the figure a resumed run must beat */
        snprintf(text, sizeof text, "%.17g", r->best);
        nn_ckpt_meta_set(&meta, "best_val", text);
    }
    nn_normalization_to_meta(&r->norm, &meta);
    if (r->class_list[0]) nn_ckpt_meta_set(&meta, "classes", r->class_list);
    if (progress && progress->updates > 0) progress_meta(r, progress, &meta, rngs);
    for (int i = 0; i < N_RUN_RNGS; ++i) {
        nn_rng_format(rngs[i], text, sizeof text);
        nn_ckpt_meta_set(&meta, NN_RUN_RNG_KEYS[i], text);
    }
    if (nn_checkpoint_save(path, r->m, r->t.s.params, &r->optimizer, &meta, err, sizeof err) != 0) {
        fprintf(stderr, "train: %s\n", err);
        return -1;
    }
    return 0;
}

int nn_train_save_last(nn_train_run *r, int epoch, const nn_epoch_progress *progress)
{
    char path[sizeof r->checkpoint];
    snprintf(path, sizeof path, "%s/last.safetensors", r->opt.save_dir);
    if (nn_train_save(r, path, epoch, progress) != 0) return -1;
    memcpy(r->checkpoint, path, sizeof path);
    return 0;
}

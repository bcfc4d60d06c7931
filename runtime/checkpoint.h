/* Checkpoints in the safetensors format: an 8-byte little-endian header
 * length, a JSON header (per tensor: dtype, shape, data_offsets; and
 * "__metadata__" with string values), then the raw little-endian data.
 * Tensors: the model's tensor table under its PyTorch names (parameters and
 * buffers), then the optimizer state as "optimizer.m.NAME" / "optimizer.v.NAME".
 * Writing goes to PATH.tmp, flushed and synced, then renamed over PATH, so a
 * crash never leaves a half-written file in place of a good one. */
#ifndef NN_CHECKPOINT_H
#define NN_CHECKPOINT_H

#include "nn_model.h"
#include "optim.h"

#define NN_CKPT_MAX_META 16
#define NN_CKPT_META_VALUE 1100 /* 64 channels' means at %.9g, or a list of class names */

typedef struct {
    int count;
    char key[NN_CKPT_MAX_META][32];
    char value[NN_CKPT_MAX_META][NN_CKPT_META_VALUE];
} nn_ckpt_meta;

void nn_ckpt_meta_set(nn_ckpt_meta *meta, const char *key, const char *value);
const char *nn_ckpt_meta_get(const nn_ckpt_meta *meta, const char *key);

/* opt may be NULL (weights only). Returns 0, or -1 with the reason in err. */
int nn_checkpoint_save(const char *path, const nn_model *m, const float *params, const nn_optimizer *opt,
                       const nn_ckpt_meta *meta, char *err, size_t errlen);
/* Checks every name, dtype and shape against the model (and the optimizer
 * state against opt, when given and present in the file) before changing
 * anything: on error nothing is loaded. meta may be NULL. */
int nn_checkpoint_load(const char *path, const nn_model *m, float *params, nn_optimizer *opt, nn_ckpt_meta *meta,
                       char *err, size_t errlen);

#endif

/* Checkpoints in the safetensors format: an 8-byte little-endian header
 * length, a JSON header (per tensor: dtype, shape, data_offsets; and
 * "__metadata__" with string values), then the raw little-endian data.
 * Tensors: the model's tensor table under its PyTorch names (parameters and
 * buffers), then the optimizer state as "optimizer.m.NAME" / "optimizer.v.NAME".
 * Writing goes to PATH.tmp, flushed and synced, then renamed over PATH, so a
 * crash never leaves a half-written file in place of a good one.
 *
 * A file is untrusted input. Reading it (nn_checkpoint_read) checks it on its
 * own: the header, that the tensors tile the data exactly, that every value is
 * finite, and every metadata field the runtime writes (checkpoint_fields.c).
 * Matching it against a model checks names and shapes; only then does
 * nn_checkpoint_apply copy anything, so a refused file changes nothing. */
#ifndef NN_CHECKPOINT_H
#define NN_CHECKPOINT_H

#include "nn_model.h"
#include "optim.h"

#define NN_CKPT_MAX_META 24
#define NN_CKPT_META_KEY 32
#define NN_CKPT_META_VALUE 1100 /* 64 channels' means at %.9g, or a list of class names */
#define NN_CKPT_NAME 160

typedef struct {
    int count;
    char key[NN_CKPT_MAX_META][NN_CKPT_META_KEY];
    char value[NN_CKPT_MAX_META][NN_CKPT_META_VALUE];
} nn_ckpt_meta;

void nn_ckpt_meta_set(nn_ckpt_meta *meta, const char *key, const char *value);
const char *nn_ckpt_meta_get(const nn_ckpt_meta *meta, const char *key);

/* opt may be NULL (weights only). Returns 0, or -1 with the reason in err. */
int nn_checkpoint_save(const char *path, const nn_model *m, const float *params, const nn_optimizer *opt,
                       const nn_ckpt_meta *meta, char *err, size_t errlen);

/* One tensor of a file: its name, shape and bytes [begin, end) of the data section. */
typedef struct {
    char name[NN_CKPT_NAME];
    int rank;
    long long shape[4];
    size_t begin, end;
} nn_ckpt_tensor;

/* A checkpoint file in memory, checked on its own. */
typedef struct {
    const char *path;
    unsigned char *bytes;
    const unsigned char *data; /* the data section */
    size_t data_len;
    nn_ckpt_tensor *tensors;   /* sorted by name */
    int n_tensors;
    nn_ckpt_meta meta;         /* every field but "format", which the writer always writes */
} nn_checkpoint;

/* Returns 0, or -1 with "path: reason" in err (and nothing to free). */
int nn_checkpoint_read(nn_checkpoint *c, const char *path, char *err, size_t errlen);
void nn_checkpoint_free(nn_checkpoint *c);
/* The file's tensor called name, or NULL. */
const nn_ckpt_tensor *nn_checkpoint_find(const nn_checkpoint *c, const char *name);
/* Checks that the file holds every tensor of the model with its shape (and,
 * with opt, the optimizer state) and nothing else. Returns 0, or -1 with
 * "path: reason" in err. */
int nn_checkpoint_match(const nn_checkpoint *c, const nn_model *m, const nn_optimizer *opt, char *err,
                        size_t errlen);
/* Copies the tensors of a file that nn_checkpoint_match accepted (for the
 * same m and opt) into params and the optimizer state. */
void nn_checkpoint_apply(const nn_checkpoint *c, const nn_model *m, float *params, nn_optimizer *opt);

/* "[64, 3, 7, 7]" */
void nn_ckpt_shape_text(char *out, size_t len, const long long *shape, int rank);

/* --init with --init-skip: loads into params every tensor of the model that
 * no pattern of skip (globs, as --freeze's) matches, by name and shape; the
 * others keep their values. Refused, with nothing loaded: a file that fails
 * nn_checkpoint_read, a tensor not skipped that the file lacks or holds in
 * another shape, a tensor of the file (optimizer.m./v. state by the name it
 * follows) neither in the model nor skipped, a pattern that matches nothing.
 * Returns the number of tensors loaded, or -1 with "path: reason" in err. */
int nn_checkpoint_init(const char *path, const nn_model *m, float *params, const char *const *skip, int n_skip,
                       char *err, size_t errlen);

/* Read, match and apply in one: on error nothing is loaded. With opt, its step
 * comes from the metadata's optimizer_step. meta may be NULL. */
int nn_checkpoint_load(const char *path, const nn_model *m, float *params, nn_optimizer *opt, nn_ckpt_meta *meta,
                       char *err, size_t errlen);

#endif

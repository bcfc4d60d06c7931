/* The contract between generated models and the runtime: a model is a
 * descriptor (sizes, a tensor table, and forward/loss/backward functions)
 * over flat arrays the runtime owns. The runtime never needs to know the
 * network; two models can live in one program because every generated
 * symbol carries the spec's name. */
#ifndef NN_MODEL_H
#define NN_MODEL_H

#include "rng.h"

#include <stddef.h>
#include <stdint.h>

enum nn_tensor_flags {
    NN_TRAINABLE = 1u << 0, /* updated by the optimizer */
    NN_DECAY = 1u << 1,     /* weight decay applies by default (weights, not biases or BN) */
    NN_BUFFER = 1u << 2,    /* state that is saved but not optimized (BN running statistics) */
};

enum nn_init {
    NN_INIT_ZEROS,
    NN_INIT_ONES,
    NN_INIT_UNIFORM_FAN_IN, /* PyTorch's default: U(-1/sqrt(fan_in), 1/sqrt(fan_in)) */
    NN_INIT_XAVIER_UNIFORM, /* Glorot: U(-a, a), a = sqrt(6 / (fan_in + fan_out)) */
    NN_INIT_XAVIER_NORMAL,  /* Glorot: N(0, 2 / (fan_in + fan_out)) */
    NN_INIT_KAIMING_NORMAL, /* He: N(0, 2 / fan_in) */
};

typedef struct {
    const char *name; /* PyTorch state_dict name, e.g. "layer1.0.conv1.weight" */
    int rank;
    int shape[4];     /* PyTorch layout: conv [out][in][kh][kw], linear [out][in] */
    size_t offset;    /* in elements, into params / grads / optimizer state */
    size_t size;
    unsigned flags;
    int init;
    int fan_in, fan_out;
} nn_tensor;

/* A learning-rate multiplier for the tensors whose names match a glob
 * pattern (`*` any run of characters, `?` one character); 0 freezes them.
 * A spec's freeze/lr_mult rules come first, the command line's after them. */
typedef struct {
    const char *pattern;
    double mult;
} nn_lr_rule;

/* The runtime's side of a fused optimizer step (optim.c), called by generated
 * backward code when its state's `fuse` is set: count elements of tensor t's
 * gradient g, from element first on, applied to the parameters p there; then
 * the tensor marked as updated, once all of its gradient went through apply. */
struct nn_fused_update;
void nn_fused_apply(struct nn_fused_update *f, int t, size_t first, size_t count, float *p, const float *g);
void nn_fused_done(struct nn_fused_update *f, int t);

/* State and descriptor for one scalar type: float for training, double for
 * the gradient checks. Activations inside are channel-major (C x n x H x W);
 * forward takes the user's n x C x H x W input, 1 <= n <= batch. */
#define NN_MODEL_TYPES(real, model, state)                                      \
    typedef struct {                                                            \
        real *params, *grads; /* n_params each */                              \
        real *acts, *dacts;   /* n_acts each: activations and their gradients */ \
        real *work;           /* n_work: im2col columns */                     \
        int32_t *index;       /* n_index: max-pool argmax */                   \
        nn_rng *rng;          /* dropout and DropBlock masks */                \
        const unsigned char *frozen; /* per tensor: 1 = compute no gradient    \
                                        (NULL: all train) */                   \
        int accumulate_grads; /* 0: backward writes the parameter gradients; \
                                 1: adds to them (--accum's later batches) */  \
        struct nn_fused_update *fuse; /* non-NULL (float, never while          \
                                 accumulating): backward may apply the         \
                                 optimizer's update to a tensor itself,        \
                                 without writing its gradient (optim.h) */     \
    } state;                                                                    \
    typedef struct {                                                            \
        const char *name, *loss_name, *summary;                                 \
        int batch, input_rank, input_shape[3];                                  \
        size_t input_size, output_size, output_offset;                          \
        size_t n_params, n_acts, n_work, n_index;                               \
        const nn_tensor *tensors;                                               \
        int n_tensors;                                                          \
        const nn_lr_rule *lr_rules; /* the spec's freeze and lr_mult */         \
        int n_lr_rules;                                                         \
        long long total_params, macs;                                           \
        void (*forward)(const state *s, const real *input, int n, int training); \
        real (*loss)(const state *s, const real *target, int n);                \
        void (*backward)(const state *s, int n, real *d_input);                 \
    } model;

NN_MODEL_TYPES(float, nn_model, nn_state)
NN_MODEL_TYPES(double, nn_model64, nn_state64)

#undef NN_MODEL_TYPES

#endif

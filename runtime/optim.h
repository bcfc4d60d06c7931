/* Optimizers over the flat parameter array, with PyTorch's update rules:
 * SGD (momentum, Nesterov, L2 weight decay), Adam (L2 decay, bias
 * correction) and AdamW (decoupled decay). Decay applies to tensors flagged
 * NN_DECAY (weights, not biases) unless decay_all is set; so does L1. */
#ifndef NN_OPTIM_H
#define NN_OPTIM_H

#include "nn_model.h"

typedef enum { NN_SGD, NN_ADAM, NN_ADAMW } nn_optim_kind;

typedef struct {
    nn_optim_kind kind;
    double lr, momentum, weight_decay;
    double l1;     /* L1 regularization: l1 * sign(w) added to the gradient, on the tensors decay applies to */
    double beta1, beta2, eps;
    int nesterov;
    int decay_all; /* decay biases too */
} nn_optim_config;

typedef struct {
    nn_optim_config cfg;
    size_t n;
    long step;     /* updates done so far */
    float *m, *v;  /* momentum buffer / Adam moments, n each (v only for Adam) */
} nn_optimizer;

nn_optim_config nn_optim_defaults(nn_optim_kind kind);
const char *nn_optim_name(nn_optim_kind kind);
/* Returns 0, or -1 when memory runs out. */
int nn_optim_init(nn_optimizer *o, const nn_optim_config *cfg, size_t n_params);
void nn_optim_free(nn_optimizer *o);
/* One update of every trainable tensor with learning rate lr, times
 * lr_mult[t] for tensor t when lr_mult is given; a multiplier of 0 freezes
 * the tensor (no update, no decay, its optimizer state untouched). */
void nn_optim_step(nn_optimizer *o, const nn_tensor *tensors, int n_tensors, float *params,
                   const float *grads, double lr, const double *lr_mult);

/* The same step with backward's help: set as the state's `fuse`, it lets the
 * generated backward apply a tensor's update itself, piece by piece as it forms
 * the gradient, which it then never stores (a batch-1 dense layer's weight
 * gradient, which would otherwise go through memory twice: written by backward,
 * read back by the step). nn_fused_finish updates the other tensors from the
 * gradients backward wrote. The result is the same as nn_optim_step's; only for
 * steps whose gradients nothing else reads (no accumulation, no clipping). */
typedef struct nn_fused_update {
    nn_optimizer *opt;
    const nn_tensor *tensors;
    int n_tensors;
    const double *lr_mult; /* as nn_optim_step's, or NULL */
    double lr;             /* this step's */
    unsigned char *done;   /* per tensor: updated by backward (its gradient not written) */
    int nonfinite;         /* a tensor that a NaN or infinite gradient went into, or -1 */
} nn_fused_update;

/* Returns 0, or -1 when memory runs out. */
int nn_fused_init(nn_fused_update *f, nn_optimizer *o, const nn_tensor *tensors, int n_tensors,
                  const double *lr_mult);
void nn_fused_free(nn_fused_update *f);
/* Before backward: counts the step, with learning rate lr. */
void nn_fused_begin(nn_fused_update *f, double lr);
/* After backward: updates the tensors that backward did not. */
void nn_fused_finish(nn_fused_update *f, float *params, const float *grads);

#endif

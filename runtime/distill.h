/* The knowledge-distillation loss on a batch of logits, in double:
 *   L = (1 - alpha) * CE(y, softmax(z_s)) + alpha * T^2 * CE(softmax(z_t / T), softmax(z_s / T)),
 * averaged over the batch, with z_s the student's logits, z_t the teacher's
 * and y the targets (one-hot or soft). The T^2 factor keeps the soft term's
 * gradient on the scale of the hard one (Hinton et al., 2015). */
#ifndef NN_DISTILL_H
#define NN_DISTILL_H

/* zs, zt, target and dz are n x k. Writes dL/dz_s into dz (when not NULL). */
double nn_kd_loss(const double *zs, const double *zt, const double *target, int n, int k, double alpha, double temp,
                  double *dz);

#endif

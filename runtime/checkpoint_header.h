/* The JSON header of a safetensors file, parsed for checkpoint_read.c. */
#ifndef NN_CHECKPOINT_HEADER_H
#define NN_CHECKPOINT_HEADER_H

#include "checkpoint.h"

/* The header text[0 .. len) into c->tensors (allocated, in the file's order),
 * c->n_tensors and c->meta. Returns 0, or -1 with the reason in why (and
 * c->tensors still to free). */
int nn_ckpt_parse_header(const char *text, size_t len, nn_checkpoint *c, char *why, size_t whylen);

#endif

/* A checkpoint file read whole and checked on its own, before any model sees
 * it: the header (checkpoint_header.c), every tensor's bytes against its
 * shape, the tensors tiling the data section with no overlap and no gap (as
 * the safetensors format requires), every value, and the metadata fields
 * (checkpoint_fields.c). */
#include "checkpoint.h"

#include "checkpoint_fields.h"
#include "checkpoint_header.h"
#include "regular_file.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int fail(char *err, size_t errlen, const char *path, const char *why)
{
    snprintf(err, errlen, "%s: %s", path, why);
    return -1;
}

/* The whole file into c->bytes. */
static int read_bytes(nn_checkpoint *c, size_t *size, char *err, size_t errlen)
{
    FILE *f = nn_open_regular(c->path, size, err, errlen);
    if (!f) return -1;
    c->bytes = *size >= 8 ? malloc(*size) : NULL;
    const int ok = c->bytes && fread(c->bytes, 1, *size, f) == *size;
    fclose(f);
    if (ok) return 0;
    char why[96];
    if (*size < 8) snprintf(why, sizeof why, "too short for a safetensors file");
    else if (!c->bytes) snprintf(why, sizeof why, "out of memory for its %zu bytes", *size);
    else snprintf(why, sizeof why, "read error");
    return fail(err, errlen, c->path, why);
}

static int by_name(const void *a, const void *b)
{
    return strcmp(((const nn_ckpt_tensor *)a)->name, ((const nn_ckpt_tensor *)b)->name);
}

/* By place in the data section; empty tensors before the others at the same offset. */
static int by_offset(const void *a, const void *b)
{
    const nn_ckpt_tensor *x = *(const nn_ckpt_tensor *const *)a, *y = *(const nn_ckpt_tensor *const *)b;
    if (x->begin != y->begin) return x->begin < y->begin ? -1 : 1;
    return x->end < y->end ? -1 : x->end > y->end;
}

/* The bytes that F32 values of t's shape take, or SIZE_MAX when that overflows. */
static size_t shape_bytes(const nn_ckpt_tensor *t)
{
    size_t n = 4;
    for (int i = 0; i < t->rank; ++i) {
        const size_t d = (size_t)t->shape[i];
        if (d && n > SIZE_MAX / d) return SIZE_MAX;
        n *= d;
    }
    return n;
}

/* Every tensor's bytes fit its shape and the data section, once each. */
static int check_sizes(const nn_checkpoint *c, char *why, size_t len)
{
    size_t described = 0;
    for (int i = 0; i < c->n_tensors; ++i) {
        const nn_ckpt_tensor *t = &c->tensors[i];
        if (i > 0 && !strcmp(t->name, t[-1].name)) {
            snprintf(why, len, "tensor %s appears twice", t->name);
            return -1;
        }
        if (t->end < t->begin || t->end - t->begin != shape_bytes(t)) {
            snprintf(why, len, "tensor %s: data_offsets [%zu, %zu] do not fit its shape (%zu bytes of F32)", t->name,
                     t->begin, t->end, shape_bytes(t));
            return -1;
        }
        if (t->end > described) described = t->end;
    }
    if (described == c->data_len) return 0;
    snprintf(why, len, "the header describes %zu data bytes but the file holds %zu (truncated?)", described,
             c->data_len);
    return -1;
}

/* Walked in order of offset, the tensors leave no gap and do not overlap. */
static int check_tiling(const nn_checkpoint *c, char *why, size_t len)
{
    const nn_ckpt_tensor **order = malloc(sizeof *order * (size_t)(c->n_tensors + 1));
    if (!order) {
        snprintf(why, len, "out of memory for the tensor list");
        return -1;
    }
    for (int i = 0; i < c->n_tensors; ++i) order[i] = &c->tensors[i];
    qsort(order, (size_t)c->n_tensors, sizeof *order, by_offset);
    size_t covered = 0;
    for (int i = 0; i < c->n_tensors && !why[0]; ++i) {
        const nn_ckpt_tensor *t = order[i];
        if (t->begin < covered)
            snprintf(why, len, "tensors %s and %s overlap: data_offsets [%zu, %zu] and [%zu, %zu]", order[i - 1]->name,
                     t->name, order[i - 1]->begin, order[i - 1]->end, t->begin, t->end);
        else if (t->begin > covered)
            snprintf(why, len, "data bytes [%zu, %zu) belong to no tensor", covered, t->begin);
        covered = t->end;
    }
    free(order);
    return why[0] ? -1 : 0;
}

static int ends_with(const char *s, const char *tail)
{
    const size_t n = strlen(s), k = strlen(tail);
    return n >= k && !strcmp(s + n - k, tail);
}

/* Every value is finite; Adam's second moments and BN's running variances are not negative. */
static int check_values(const nn_checkpoint *c, char *why, size_t len)
{
    for (int k = 0; k < c->n_tensors; ++k) {
        const nn_ckpt_tensor *t = &c->tensors[k];
        const char *what = !strncmp(t->name, "optimizer.v.", 12) ? "a second moment"
                           : ends_with(t->name, ".running_var")  ? "a variance"
                                                                 : NULL;
        for (size_t i = 0; i < (t->end - t->begin) / 4; ++i) {
            float v;
            memcpy(&v, c->data + t->begin + 4 * i, 4); /* the data need not be aligned */
            if (isfinite(v) && !(what && v < 0)) continue;
            if (isfinite(v))
                snprintf(why, len, "tensor %s: element %zu is %g, but %s is never negative", t->name, i, v, what);
            else
                snprintf(why, len, "tensor %s: element %zu is %s", t->name, i, isnan(v) ? "NaN" : "infinite");
            return -1;
        }
    }
    return 0;
}

/* c->bytes (size of them) split into header and data, and checked. */
static int parse(nn_checkpoint *c, size_t size, char *why, size_t len)
{
    unsigned long long hlen = 0;
    for (int i = 0; i < 8; ++i) hlen |= (unsigned long long)c->bytes[i] << (8 * i);
    if (hlen > (unsigned long long)size - 8) {
        snprintf(why, len, "header length beyond the end of the file (truncated or not safetensors)");
        return -1;
    }
    c->data = c->bytes + 8 + hlen;
    c->data_len = size - 8 - (size_t)hlen;
    if (nn_ckpt_parse_header((const char *)c->bytes + 8, (size_t)hlen, c, why, len) != 0) return -1;
    /* A file of no tensors (a model without parameters) has tensors == NULL, which qsort must not get. */
    if (c->n_tensors > 1) qsort(c->tensors, (size_t)c->n_tensors, sizeof *c->tensors, by_name);
    why[0] = '\0';
    return check_sizes(c, why, len) || check_tiling(c, why, len) || check_values(c, why, len) ||
                   nn_ckpt_check_fields(&c->meta, why, len)
               ? -1
               : 0;
}

int nn_checkpoint_read(nn_checkpoint *c, const char *path, char *err, size_t errlen)
{
    *c = (nn_checkpoint){ .path = path };
    size_t size;
    char why[512];
    if (read_bytes(c, &size, err, errlen) != 0) {
        nn_checkpoint_free(c);
        return -1;
    }
    if (parse(c, size, why, sizeof why) == 0) return 0;
    nn_checkpoint_free(c);
    return fail(err, errlen, path, why);
}

void nn_checkpoint_free(nn_checkpoint *c)
{
    free(c->bytes);
    free(c->tensors);
    c->bytes = NULL;
    c->tensors = NULL;
    c->n_tensors = 0;
}

static int name_is(const void *key, const void *t) { return strcmp(key, ((const nn_ckpt_tensor *)t)->name); }

const nn_ckpt_tensor *nn_checkpoint_find(const nn_checkpoint *c, const char *name)
{
    return c->n_tensors ? bsearch(name, c->tensors, (size_t)c->n_tensors, sizeof *c->tensors, name_is) : NULL;
}

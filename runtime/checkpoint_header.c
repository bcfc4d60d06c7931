/* A strict reader of the JSON that safetensors headers use: one object whose
 * members are tensors ({"dtype", "shape", "data_offsets"} in any order) and
 * "__metadata__" (an object of strings). Strings escape only \" and \\ and
 * hold no control characters, integers are non-negative, and nothing but
 * white space follows the object (writers pad the header with spaces). */
#include "checkpoint_header.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    const char *start, *p, *end;
    char *why;
    size_t whylen;
    int seen_format;
} json;

static void skip_ws(json *j)
{
    while (j->p < j->end && (*j->p == ' ' || *j->p == '\n' || *j->p == '\r' || *j->p == '\t')) j->p++;
}

static int expect(json *j, char c)
{
    skip_ws(j);
    if (j->p >= j->end || *j->p != c) return -1;
    j->p++;
    return 0;
}

/* Consumes c if it comes next. */
static int next_is(json *j, char c) { return expect(j, c) == 0; }

/* A string into out (cap bytes, cut short and terminated if longer). Returns
 * its full length, or -1 when malformed. */
static long string(json *j, char *out, size_t cap)
{
    if (expect(j, '"')) return -1;
    size_t n = 0;
    while (j->p < j->end && *j->p != '"') {
        char c = *j->p++;
        if ((unsigned char)c < 0x20) return -1;
        if (c == '\\') {
            if (j->p >= j->end || (*j->p != '"' && *j->p != '\\')) return -1;
            c = *j->p++;
        }
        if (n + 1 < cap) out[n] = c;
        ++n;
    }
    out[n < cap ? n : cap - 1] = '\0';
    return j->p < j->end ? (j->p++, (long)n) : -1;
}

static int integer(json *j, long long *out)
{
    skip_ws(j);
    if (j->p >= j->end || *j->p < '0' || *j->p > '9') return -1;
    long long v = 0;
    while (j->p < j->end && *j->p >= '0' && *j->p <= '9') {
        if (v > (1LL << 50)) return -1;
        v = v * 10 + (*j->p++ - '0');
    }
    *out = v;
    return 0;
}

static int int_array(json *j, long long *out, int max, int *count)
{
    if (expect(j, '[')) return -1;
    *count = 0;
    if (next_is(j, ']')) return 0;
    do {
        if (*count == max || integer(j, &out[(*count)++])) return -1;
    } while (next_is(j, ','));
    return expect(j, ']');
}

/* {"dtype": "F32", "shape": [..], "data_offsets": [b, e]} of tensor t. */
static int tensor_info(json *j, nn_ckpt_tensor *t)
{
    if (expect(j, '{')) return -1;
    int seen = 0;
    do {
        char key[16], dtype[16];
        long long off[2];
        int count, bit;
        const long key_len = string(j, key, sizeof key);
        if (key_len < 0 || key_len >= (long)sizeof key || expect(j, ':')) return -1;
        if (!strcmp(key, "dtype")) {
            bit = 1;
            if (string(j, dtype, sizeof dtype) < 0) return -1;
            if (strcmp(dtype, "F32")) {
                snprintf(j->why, j->whylen, "tensor %s has dtype %s; this model is F32", t->name, dtype);
                return -1;
            }
        } else if (!strcmp(key, "shape")) {
            bit = 2;
            if (int_array(j, t->shape, 4, &t->rank)) return -1;
        } else if (!strcmp(key, "data_offsets")) {
            bit = 4;
            if (int_array(j, off, 2, &count) || count != 2) return -1;
            t->begin = (size_t)off[0];
            t->end = (size_t)off[1];
        } else {
            return -1;
        }
        if (seen & bit) return -1;
        seen |= bit;
    } while (next_is(j, ','));
    return expect(j, '}') || seen != 7 ? -1 : 0;
}

/* The member "key": "value" of __metadata__, added to meta; "format" (the
 * writer's, which it always writes itself) is checked but not kept. */
static int meta_member(json *j, nn_ckpt_meta *meta)
{
    char key[NN_CKPT_META_KEY], value[NN_CKPT_META_VALUE];
    const long key_len = string(j, key, sizeof key);
    if (key_len < 0 || expect(j, ':')) return -1;
    const long value_len = string(j, value, sizeof value);
    if (value_len < 0) return -1;
    const int format = !strcmp(key, "format");
    if (key_len >= (long)sizeof key)
        snprintf(j->why, j->whylen, "metadata key '%s...' is longer than %zu characters", key, sizeof key - 1);
    else if (nn_ckpt_meta_get(meta, key) || (format && j->seen_format++))
        snprintf(j->why, j->whylen, "field '%s' appears twice", key);
    else if (value_len >= (long)sizeof value)
        snprintf(j->why, j->whylen, "field '%s' is longer than %zu characters", key, sizeof value - 1);
    else if (!format && meta->count == NN_CKPT_MAX_META)
        snprintf(j->why, j->whylen, "more than %d metadata fields besides format", NN_CKPT_MAX_META);
    else if (!format)
        nn_ckpt_meta_set(meta, key, value);
    return j->why[0] ? -1 : 0;
}

static int metadata(json *j, nn_ckpt_meta *meta)
{
    if (expect(j, '{')) return -1;
    if (next_is(j, '}')) return 0;
    do {
        if (meta_member(j, meta)) return -1;
    } while (next_is(j, ','));
    return expect(j, '}');
}

/* A new tensor at the end of c->tensors, which grows as needed; NULL when out of memory. */
static nn_ckpt_tensor *add_tensor(nn_checkpoint *c, int *cap)
{
    if (c->n_tensors == *cap) {
        const int grown = *cap ? 2 * *cap : 64;
        nn_ckpt_tensor *t = realloc(c->tensors, sizeof *t * (size_t)grown);
        if (!t) return NULL;
        c->tensors = t;
        *cap = grown;
    }
    nn_ckpt_tensor *t = &c->tensors[c->n_tensors++];
    memset(t, 0, sizeof *t);
    return t;
}

/* One member of the header: a tensor, or the metadata (at most once). */
static int member(json *j, nn_checkpoint *c, int *cap, int *seen_meta)
{
    char name[NN_CKPT_NAME];
    const long len = string(j, name, sizeof name);
    if (len < 0 || expect(j, ':')) return -1;
    if (!strcmp(name, "__metadata__")) {
        if ((*seen_meta)++) snprintf(j->why, j->whylen, "__metadata__ appears twice");
        return *seen_meta > 1 ? -1 : metadata(j, &c->meta);
    }
    if (len >= (long)sizeof name) {
        snprintf(j->why, j->whylen, "tensor name '%s...' is longer than %zu characters", name, sizeof name - 1);
        return -1;
    }
    nn_ckpt_tensor *t = add_tensor(c, cap);
    if (!t) {
        snprintf(j->why, j->whylen, "out of memory for the tensor list");
        return -1;
    }
    memcpy(t->name, name, (size_t)len + 1);
    return tensor_info(j, t);
}

int nn_ckpt_parse_header(const char *text, size_t len, nn_checkpoint *c, char *why, size_t whylen)
{
    json j = { text, text, text + len, why, whylen, 0 };
    int cap = 0, seen_meta = 0, bad = expect(&j, '{');
    why[0] = '\0';
    if (!bad && !next_is(&j, '}')) {
        do {
            bad = member(&j, c, &cap, &seen_meta);
        } while (!bad && next_is(&j, ','));
        bad = bad || expect(&j, '}');
    }
    skip_ws(&j);
    bad = bad || j.p != j.end;
    if (bad && !why[0])
        snprintf(why, whylen, "malformed safetensors header at byte %zu of %zu", (size_t)(j.p - j.start), len);
    return bad ? -1 : 0;
}

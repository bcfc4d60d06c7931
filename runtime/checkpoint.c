#include "checkpoint.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define MAX_ENTRIES 4096
#define NAME_LEN 160

void nn_ckpt_meta_set(nn_ckpt_meta *meta, const char *key, const char *value)
{
    int i = 0;
    while (i < meta->count && strcmp(meta->key[i], key)) ++i;
    if (i == NN_CKPT_MAX_META) return;
    if (i == meta->count) meta->count++;
    /* bounded on purpose: keys and values are short, fixed-size fields */
    snprintf(meta->key[i], sizeof meta->key[i], "%.*s", (int)sizeof meta->key[i] - 1, key);
    snprintf(meta->value[i], sizeof meta->value[i], "%.*s", (int)sizeof meta->value[i] - 1, value);
}

const char *nn_ckpt_meta_get(const nn_ckpt_meta *meta, const char *key)
{
    for (int i = 0; i < meta->count; ++i)
        if (!strcmp(meta->key[i], key)) return meta->value[i];
    return NULL;
}

/* One tensor of the file: where its data lives in memory and in the file. */
typedef struct {
    char name[NAME_LEN];
    int rank;
    long long shape[4];
    float *data;
    size_t size;
    size_t begin, end; /* byte offsets in the data section */
} entry;

/* The file's tensors in a fixed order: the model's table, then the optimizer state. */
static int list_entries(const nn_model *m, float *params, const nn_optimizer *opt, entry *out)
{
    int n = 0;
    for (int pass = 0; pass < 3; ++pass) {
        if (pass > 0 && (!opt || (pass == 2 && !opt->v))) break;
        for (int t = 0; t < m->n_tensors; ++t) {
            const nn_tensor *d = &m->tensors[t];
            if (pass > 0 && !(d->flags & NN_TRAINABLE)) continue;
            entry *e = &out[n++];
            snprintf(e->name, sizeof e->name, "%s%s", pass == 0 ? "" : pass == 1 ? "optimizer.m." : "optimizer.v.",
                     d->name);
            e->rank = d->rank;
            for (int i = 0; i < d->rank; ++i) e->shape[i] = d->shape[i];
            e->data = (pass == 0 ? params : pass == 1 ? opt->m : opt->v) + d->offset;
            e->size = d->size;
        }
    }
    return n;
}

static int fail(char *err, size_t errlen, const char *path, const char *why)
{
    snprintf(err, errlen, "%s: %s", path, why);
    return -1;
}

/* Appends value as a JSON string (quotes and backslashes escaped, control characters dropped) to h at len;
 * h has room for twice its length. Returns the new length. */
static size_t json_string(char *h, size_t len, const char *value)
{
    h[len++] = '"';
    for (const char *p = value; *p; ++p) {
        if ((unsigned char)*p < 0x20) continue;
        if (*p == '"' || *p == '\\') h[len++] = '\\';
        h[len++] = *p;
    }
    h[len++] = '"';
    h[len] = '\0';
    return len;
}

int nn_checkpoint_save(const char *path, const nn_model *m, const float *params, const nn_optimizer *opt,
                       const nn_ckpt_meta *meta, char *err, size_t errlen)
{
    static entry entries[MAX_ENTRIES];
    if (m->n_tensors * 3 > MAX_ENTRIES) return fail(err, errlen, path, "too many tensors");
    const int n = list_entries(m, (float *)params, opt, entries);
    size_t cap = 4096 + (size_t)n * 256 + NN_CKPT_MAX_META * (size_t)(2 * NN_CKPT_META_VALUE), len = 0;
    char *h = malloc(cap);
    if (!h) return fail(err, errlen, path, "out of memory");
    len += (size_t)snprintf(h + len, cap - len, "{\"__metadata__\":{\"format\":\"pt\"");
    for (int i = 0; meta && i < meta->count; ++i) {
        len += (size_t)snprintf(h + len, cap - len, ",\"%s\":", meta->key[i]);
        len = json_string(h, len, meta->value[i]);
    }
    len += (size_t)snprintf(h + len, cap - len, "}");
    size_t offset = 0;
    for (int i = 0; i < n; ++i) {
        entry *e = &entries[i];
        len += (size_t)snprintf(h + len, cap - len, ",\"%s\":{\"dtype\":\"F32\",\"shape\":[", e->name);
        for (int r = 0; r < e->rank; ++r) len += (size_t)snprintf(h + len, cap - len, "%s%lld", r ? "," : "", e->shape[r]);
        len += (size_t)snprintf(h + len, cap - len, "],\"data_offsets\":[%zu,%zu]}", offset, offset + 4 * e->size);
        offset += 4 * e->size;
    }
    len += (size_t)snprintf(h + len, cap - len, "}");
    while (len % 8) h[len++] = ' '; /* the data section starts 8-byte aligned */

    char tmp[4096];
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    FILE *f = fopen(tmp, "wb");
    if (!f) {
        free(h);
        return fail(err, errlen, tmp, "cannot create");
    }
    unsigned char size_le[8];
    for (int i = 0; i < 8; ++i) size_le[i] = (unsigned char)((unsigned long long)len >> (8 * i));
    int ok = fwrite(size_le, 1, 8, f) == 8 && fwrite(h, 1, len, f) == len;
    for (int i = 0; ok && i < n; ++i) ok = fwrite(entries[i].data, sizeof(float), entries[i].size, f) == entries[i].size;
    ok = fflush(f) == 0 && ok;
    ok = fsync(fileno(f)) == 0 && ok;
    ok = fclose(f) == 0 && ok;
    free(h);
    if (!ok || rename(tmp, path) != 0) {
        unlink(tmp);
        return fail(err, errlen, path, "write failed (disk full?); the previous checkpoint is unchanged");
    }
    return 0;
}

/* A minimal JSON reader for the safetensors header: objects, arrays, strings
 * without escapes other than \" and \\, and non-negative integers. */
typedef struct {
    const char *p, *end;
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

static int string(json *j, char *out, size_t len)
{
    if (expect(j, '"')) return -1;
    size_t n = 0;
    while (j->p < j->end && *j->p != '"') {
        char c = *j->p++;
        if (c == '\\') {
            if (j->p >= j->end || (*j->p != '"' && *j->p != '\\')) return -1;
            c = *j->p++;
        }
        if (n + 1 >= len) return -1;
        out[n++] = c;
    }
    out[n] = '\0';
    return j->p < j->end ? (j->p++, 0) : -1;
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
    skip_ws(j);
    if (j->p < j->end && *j->p == ']') return (j->p++, 0);
    for (;;) {
        if (*count == max || integer(j, &out[(*count)++])) return -1;
        skip_ws(j);
        if (j->p < j->end && *j->p == ',') {
            j->p++;
            continue;
        }
        return expect(j, ']');
    }
}

/* {"dtype": "F32", "shape": [..], "data_offsets": [b, e]} in any order. */
static int tensor_info(json *j, entry *e, char *dtype, size_t dtype_len)
{
    if (expect(j, '{')) return -1;
    int seen = 0;
    for (;;) {
        char key[32];
        if (string(j, key, sizeof key) || expect(j, ':')) return -1;
        if (!strcmp(key, "dtype")) {
            if (string(j, dtype, dtype_len)) return -1;
            seen |= 1;
        } else if (!strcmp(key, "shape")) {
            if (int_array(j, e->shape, 4, &e->rank)) return -1;
            seen |= 2;
        } else if (!strcmp(key, "data_offsets")) {
            long long off[2];
            int count;
            if (int_array(j, off, 2, &count) || count != 2) return -1;
            e->begin = (size_t)off[0];
            e->end = (size_t)off[1];
            seen |= 4;
        } else {
            return -1;
        }
        skip_ws(j);
        if (j->p < j->end && *j->p == ',') {
            j->p++;
            continue;
        }
        return expect(j, '}') || seen != 7 ? -1 : 0;
    }
}

static int metadata(json *j, nn_ckpt_meta *meta)
{
    if (expect(j, '{')) return -1;
    skip_ws(j);
    if (j->p < j->end && *j->p == '}') return (j->p++, 0);
    for (;;) {
        char key[64], value[NN_CKPT_META_VALUE + 32];
        if (string(j, key, sizeof key) || expect(j, ':') || string(j, value, sizeof value)) return -1;
        if (meta) nn_ckpt_meta_set(meta, key, value);
        skip_ws(j);
        if (j->p < j->end && *j->p == ',') {
            j->p++;
            continue;
        }
        return expect(j, '}');
    }
}

static void shape_text(char *out, size_t len, const long long *shape, int rank)
{
    size_t n = (size_t)snprintf(out, len, "[");
    for (int i = 0; i < rank && n < len; ++i) n += (size_t)snprintf(out + n, len - n, "%s%lld", i ? ", " : "", shape[i]);
    if (n < len) snprintf(out + n, len - n, "]");
}

/* The whole file, in a buffer the caller frees. */
static int read_whole(const char *path, unsigned char **buf, size_t *size, char *err, size_t errlen)
{
    FILE *f = fopen(path, "rb");
    if (!f) return fail(err, errlen, path, "cannot open");
    fseek(f, 0, SEEK_END);
    const long len = ftell(f);
    rewind(f);
    *buf = len > 0 ? malloc((size_t)len) : NULL;
    const int read_ok = *buf && fread(*buf, 1, (size_t)len, f) == (size_t)len;
    fclose(f);
    if (!read_ok || len < 8) {
        free(*buf);
        return fail(err, errlen, path, len < 8 ? "too short for a safetensors file" : "read error");
    }
    *size = (size_t)len;
    return 0;
}

/* The header's tensors into have (*n_have of them) and its metadata into meta.
 * Returns 0, or -1 with the reason in why. */
static int read_header(json *j, entry *have, int *n_have, nn_ckpt_meta *meta, char *why, size_t whylen)
{
    int bad = expect(j, '{');
    while (!bad) {
        char name[NAME_LEN], dtype[16];
        if (string(j, name, sizeof name) || expect(j, ':')) {
            bad = 1;
            break;
        }
        if (!strcmp(name, "__metadata__")) {
            bad = metadata(j, meta);
        } else if (*n_have == MAX_ENTRIES) {
            bad = 1;
        } else {
            entry *e = &have[(*n_have)++];
            snprintf(e->name, sizeof e->name, "%s", name);
            bad = tensor_info(j, e, dtype, sizeof dtype);
            if (!bad && strcmp(dtype, "F32")) {
                snprintf(why, whylen, "tensor %.159s has dtype %s; this model is F32", name, dtype);
                return -1;
            }
        }
        skip_ws(j);
        if (!bad && j->p < j->end && *j->p == ',') {
            j->p++;
            continue;
        }
        bad = bad || expect(j, '}');
        break;
    }
    if (bad) snprintf(why, whylen, "malformed safetensors header");
    return bad ? -1 : 0;
}

/* Finds each tensor the model wants among those the file has, checks its
 * shape and place, and sets its begin; every tensor of the file but the
 * optimizer state must be wanted. Returns 0, or -1 with the reason in why. */
static int match_entries(entry *want, int n_want, const entry *have, int n_have, size_t data_len,
                         const nn_model *m, char *why, size_t whylen)
{
    for (int i = 0; i < n_want; ++i) {
        entry *w = &want[i];
        const entry *h = NULL;
        for (int k = 0; k < n_have && !h; ++k)
            if (!strcmp(have[k].name, w->name)) h = &have[k];
        char a[96], b[96];
        if (!h) {
            snprintf(why, whylen, "has no tensor %.159s%s", w->name,
                     !strncmp(w->name, "optimizer.", 10) ? " (a weights-only file cannot resume training)" : "");
            return -1;
        } else if (h->rank != w->rank || memcmp(h->shape, w->shape, sizeof(long long) * (size_t)w->rank)) {
            shape_text(a, sizeof a, h->shape, h->rank);
            shape_text(b, sizeof b, w->shape, w->rank);
            snprintf(why, whylen, "tensor %.159s has shape %s in the file but %s in model %s", w->name, a, b, m->name);
            return -1;
        } else if (h->end < h->begin || h->end - h->begin != 4 * w->size || h->end > data_len) {
            snprintf(why, whylen, "tensor %.159s: data_offsets [%zu, %zu] do not fit its shape or the %zu data bytes",
                     w->name, h->begin, h->end, data_len);
            return -1;
        }
        w->begin = h->begin;
    }
    for (int k = 0; k < n_have; ++k) {
        int known = !strncmp(have[k].name, "optimizer.", 10);
        for (int i = 0; i < n_want && !known; ++i) known = !strcmp(want[i].name, have[k].name);
        if (!known) {
            snprintf(why, whylen, "tensor %.159s is not in model %s", have[k].name, m->name);
            return -1;
        }
    }
    return 0;
}

/* nn_checkpoint_load on the file's bytes. */
static int load_bytes(const unsigned char *buf, size_t size, const char *path, const nn_model *m, float *params,
                      nn_optimizer *opt, nn_ckpt_meta *meta, char *err, size_t errlen)
{
    static entry want[MAX_ENTRIES], have[MAX_ENTRIES];
    char why[512];
    unsigned long long hlen = 0;
    for (int i = 0; i < 8; ++i) hlen |= (unsigned long long)buf[i] << (8 * i);
    if (hlen > (unsigned long long)size - 8)
        return fail(err, errlen, path, "header length beyond the end of the file (truncated or not safetensors)");
    const size_t data_len = size - 8 - (size_t)hlen;
    const unsigned char *data = buf + 8 + hlen;
    json j = { (const char *)buf + 8, (const char *)buf + 8 + hlen };
    nn_ckpt_meta file_meta = { 0 };
    int n_have = 0;
    if (read_header(&j, have, &n_have, &file_meta, why, sizeof why) != 0) return fail(err, errlen, path, why);
    size_t described = 0;
    for (int k = 0; k < n_have; ++k)
        if (have[k].end > described) described = have[k].end;
    if (described != data_len) {
        snprintf(why, sizeof why, "the header describes %zu data bytes but the file holds %zu (truncated?)", described,
                 data_len);
        return fail(err, errlen, path, why);
    }
    const int n_want = list_entries(m, params, opt, want);
    if (match_entries(want, n_want, have, n_have, data_len, m, why, sizeof why) != 0)
        return fail(err, errlen, path, why);
    for (int i = 0; i < n_want; ++i) memcpy(want[i].data, data + want[i].begin, 4 * want[i].size);
    if (opt) {
        const char *step = nn_ckpt_meta_get(&file_meta, "optimizer_step");
        opt->step = step ? atol(step) : 0;
    }
    if (meta) *meta = file_meta;
    return 0;
}

int nn_checkpoint_load(const char *path, const nn_model *m, float *params, nn_optimizer *opt, nn_ckpt_meta *meta,
                       char *err, size_t errlen)
{
    unsigned char *buf;
    size_t size;
    if (read_whole(path, &buf, &size, err, errlen) != 0) return -1;
    const int rc = load_bytes(buf, size, path, m, params, opt, meta, err, errlen);
    free(buf);
    return rc;
}

/* Writing a checkpoint: the header, then every group's tensors
 * (checkpoint_groups.h), to PATH.tmp, synced and renamed over PATH, then the
 * directory synced. PATH.tmp is registered with stop_signals while it exists. */
#include "checkpoint.h"

#include "checkpoint_groups.h"
#include "stop_signals.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

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

static int save_error(char *err, size_t errlen, const char *path, const char *why)
{
    snprintf(err, errlen, "%s: %s", path, why);
    return -1;
}

/* value as a JSON string: quotes and backslashes escaped, control characters dropped. */
static void json_string(FILE *f, const char *value)
{
    fputc('"', f);
    for (const char *p = value; *p; ++p) {
        if ((unsigned char)*p < 0x20) continue;
        if (*p == '"' || *p == '\\') fputc('\\', f);
        fputc(*p, f);
    }
    fputc('"', f);
}

/* The JSON header, padded with spaces so that the data section starts 8-byte
 * aligned; its length in *len. Returns NULL when memory runs out. */
static char *header(const nn_model *m, const nn_optimizer *opt, const nn_ckpt_meta *meta, size_t *len)
{
    char *h = NULL;
    FILE *f = open_memstream(&h, len);
    if (!f) return NULL;
    fprintf(f, "{\"__metadata__\":{\"format\":\"pt\"");
    for (int i = 0; meta && i < meta->count; ++i) {
        if (!strcmp(meta->key[i], "format")) continue; /* written above, once */
        fputc(',', f);
        json_string(f, meta->key[i]);
        fputc(':', f);
        json_string(f, meta->value[i]);
    }
    fputc('}', f);
    size_t offset = 0;
    for (int g = 0; g < NN_CKPT_GROUPS; ++g)
        for (int t = 0; t < m->n_tensors && nn_ckpt_has_group(g, opt); ++t) {
            const nn_tensor *d = &m->tensors[t];
            if (!nn_ckpt_in_group(g, d)) continue;
            fprintf(f, ",\"%s%s\":{\"dtype\":\"F32\",\"shape\":[", NN_CKPT_PREFIX[g], d->name);
            for (int r = 0; r < d->rank; ++r) fprintf(f, "%s%d", r ? "," : "", d->shape[r]);
            fprintf(f, "],\"data_offsets\":[%zu,%zu]}", offset, offset + sizeof(float) * d->size);
            offset += sizeof(float) * d->size;
        }
    fputc('}', f);
    for (long n = ftell(f); n % 8; ++n) fputc(' ', f);
    if (fclose(f) != 0) {
        free(h);
        return NULL;
    }
    return h;
}

/* The header's length, the header and the data to f; 0 when every write succeeded. */
static int write_all(FILE *f, const char *h, size_t len, const nn_model *m, const float *params,
                     const nn_optimizer *opt)
{
    unsigned char size_le[8];
    for (int i = 0; i < 8; ++i) size_le[i] = (unsigned char)((unsigned long long)len >> (8 * i));
    int ok = fwrite(size_le, 1, 8, f) == 8 && fwrite(h, 1, len, f) == len;
    for (int g = 0; g < NN_CKPT_GROUPS && ok; ++g) {
        const float *base = nn_ckpt_group_base(g, (float *)params, opt);
        for (int t = 0; t < m->n_tensors && base && ok; ++t) {
            const nn_tensor *d = &m->tensors[t];
            ok = !nn_ckpt_in_group(g, d) || fwrite(base + d->offset, sizeof(float), d->size, f) == d->size;
        }
    }
    return ok ? 0 : -1;
}

/* The checkpoint into tmp, flushed and synced; 0, or the errno of the first failure. */
static int write_temp(const char *tmp, const char *h, size_t len, const nn_model *m, const float *params,
                      const nn_optimizer *opt)
{
    errno = 0;
    FILE *f = fopen(tmp, "wb");
    if (!f) return errno ? errno : EIO;
    int e = write_all(f, h, len, m, params, opt) == 0 ? 0 : errno ? errno : EIO;
    if (fflush(f) != 0 && !e) e = errno;
    if (fsync(fileno(f)) != 0 && !e) e = errno;
    if (fclose(f) != 0 && !e) e = errno;
    return e;
}

/* tests/test_signals.c: NNCC_TEST_SAVE_DELAY_MS holds a written checkpoint
 * this long before its rename, so that signals reach the trainer mid-save. */
static void test_delay(void)
{
    const char *ms = getenv("NNCC_TEST_SAVE_DELAY_MS");
    struct timespec left = { .tv_sec = ms ? atol(ms) / 1000 : 0, .tv_nsec = ms ? atol(ms) % 1000 * 1000000L : 0 };
    while (nanosleep(&left, &left) != 0 && errno == EINTR) continue; /* the whole delay, signals or not */
}

/* The directory entry of a renamed file is durable only once its directory is synced. */
static int sync_dir(const char *path)
{
    char dir[4096];
    const char *slash = strrchr(path, '/');
    if (slash) snprintf(dir, sizeof dir, "%.*s", slash == path ? 1 : (int)(slash - path), path);
    else snprintf(dir, sizeof dir, ".");
    const int fd = open(dir, O_RDONLY | O_DIRECTORY);
    if (fd < 0) return -1;
    const int rc = fsync(fd) == 0 || errno == EINVAL ? 0 : -1; /* EINVAL: a file system that cannot sync directories */
    close(fd);
    return rc;
}

static int save_failed(char *err, size_t errlen, const char *path, const char *what, int e)
{
    const int earlier = access(path, F_OK) == 0;
    snprintf(err, errlen, "%s: %s (%s); %s", path, what, strerror(e),
             earlier ? "the previous checkpoint is unchanged" : "there is no earlier checkpoint");
    return -1;
}

int nn_checkpoint_save(const char *path, const nn_model *m, const float *params, const nn_optimizer *opt,
                       const nn_ckpt_meta *meta, char *err, size_t errlen)
{
    size_t len;
    char *h = header(m, opt, meta, &len);
    if (!h) return save_error(err, errlen, path, "out of memory");
    char tmp[4096];
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    nn_stop_temp_file(tmp);
    int e = write_temp(tmp, h, len, m, params, opt);
    free(h);
    const char *what = "cannot write it";
    if (!e) test_delay();
    if (!e && rename(tmp, path) != 0) {
        e = errno;
        what = "cannot rename the written file over it";
    }
    if (e) unlink(tmp);
    nn_stop_temp_file(NULL);
    if (e) return save_failed(err, errlen, path, what, e);
    if (sync_dir(path) != 0) {
        snprintf(err, errlen, "%s: written, but its directory could not be synced (%s)", path, strerror(errno));
        return -1;
    }
    return 0;
}

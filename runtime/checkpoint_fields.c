#include "checkpoint_fields.h"

#include "dataset.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef enum { INTEGER, NUMBER, NUMBERS, POSITIVES, CHOICE, NAMES, RNG } field_kind;

typedef struct {
    const char *key;
    field_kind kind;
    long long lo, hi; /* INTEGER: the range */
} field;

static const char *const OPTIMIZERS[] = { "sgd", "adam", "adamw", NULL }; /* nn_optim_name's */

static const field FIELDS[] = {
    { "epoch", INTEGER, 1, NN_CKPT_MAX_EPOCH },
    { "step", INTEGER, 1, NN_CKPT_MAX_STEP },
    { "optimizer_step", INTEGER, 1, NN_CKPT_MAX_STEP },
    { "optimizer", CHOICE, 0, 0 },
    { "best_val", NUMBER, 0, 0 },
    { "mean", NUMBERS, 0, 0 },
    { "std", POSITIVES, 0, 0 },
    { "classes", NAMES, 0, 0 },
    { "epoch_updates", INTEGER, 1, NN_CKPT_MAX_STEP },
    { "epoch_records", INTEGER, 1, NN_CKPT_MAX_STEP },
    { "epoch_correct", INTEGER, 0, NN_CKPT_MAX_STEP },
    { "epoch_loss_sum", NUMBER, 0, 0 },
};
/* The fields of a checkpoint saved mid-epoch: all of them, or none. */
static const char *const PROGRESS[] = { "epoch_updates", "epoch_records", "epoch_correct", "epoch_loss_sum" };
enum { N_PROGRESS = sizeof PROGRESS / sizeof *PROGRESS };
static const field RNG_FIELD = { "rng_*", RNG, 0, 0 }; /* every key that starts with rng_ */

/* text, all of it, as a decimal integer in [lo, hi]; 0 or -1. */
static int parse_integer(const char *text, long long lo, long long hi, long long *out)
{
    long long v = 0;
    if (!text || !*text || strlen(text) > 18) return -1; /* 18 digits cannot overflow */
    for (const char *p = text; *p; ++p) {
        if (*p < '0' || *p > '9') return -1;
        v = v * 10 + (*p - '0');
    }
    if (v < lo || v > hi) return -1;
    *out = v;
    return 0;
}

/* A finite number at the start of text (no leading space); 0 or -1, *end after it. */
static int parse_number(const char *text, const char **end, double *out)
{
    char *after;
    if (!text || *text == ' ' || (*text >= '\t' && *text <= '\r')) return -1;
    const double v = strtod(text, &after);
    if (after == text || !isfinite(v)) return -1;
    *out = v;
    *end = after;
    return 0;
}

/* text as 1 to max comma-separated finite numbers (positive ones if asked) into out,
 * which may be NULL; their count, or -1. */
static int parse_numbers(const char *text, double *out, int max, int positive)
{
    for (int n = 0; n < max; ++n) {
        const char *end;
        double v;
        if (parse_number(text, &end, &v) != 0 || (positive && !(v > 0))) return -1;
        if (out) out[n] = v;
        if (*end == '\0') return n + 1;
        if (*end != ',') return -1;
        text = end + 1;
    }
    return -1;
}

static int is_choice(const char *text, const char *const *choices)
{
    for (; *choices; ++choices)
        if (!strcmp(text, *choices)) return 1;
    return 0;
}

static int valid(const field *f, const char *text)
{
    const size_t len = strlen(text);
    long long i;
    double x;
    const char *end;
    nn_rng r;
    switch (f->kind) {
    case INTEGER: return parse_integer(text, f->lo, f->hi, &i) == 0;
    case NUMBER: return parse_number(text, &end, &x) == 0 && *end == '\0';
    case NUMBERS: return parse_numbers(text, NULL, NN_MAX_CHANNELS, 0) > 0;
    case POSITIVES: return parse_numbers(text, NULL, NN_MAX_CHANNELS, 1) > 0;
    case CHOICE: return is_choice(text, OPTIMIZERS);
    case NAMES: return len > 0 && text[0] != ',' && text[len - 1] != ',' && !strstr(text, ",,");
    default: return nn_rng_parse(&r, text) == 0;
    }
}

/* What a field must be, for its message. */
static void rule_text(const field *f, char *out, size_t len)
{
    switch (f->kind) {
    case INTEGER: snprintf(out, len, "an integer in [%lld, %lld]", f->lo, f->hi); break;
    case NUMBER: snprintf(out, len, "a finite number"); break;
    case NUMBERS: snprintf(out, len, "1 to %d finite numbers separated by commas", NN_MAX_CHANNELS); break;
    case POSITIVES: snprintf(out, len, "1 to %d finite positive numbers separated by commas", NN_MAX_CHANNELS); break;
    case CHOICE:
        for (size_t i = 0, n = 0; OPTIMIZERS[i] && n < len; ++i)
            n += (size_t)snprintf(out + n, len - n, "%s %s", i ? "," : "one of", OPTIMIZERS[i]);
        break;
    case NAMES: snprintf(out, len, "names separated by commas, none empty"); break;
    default: snprintf(out, len, "64 hex digits, not all zero (an RNG state)"); break;
    }
}

static const field *field_of(const char *key)
{
    for (size_t i = 0; i < sizeof FIELDS / sizeof *FIELDS; ++i)
        if (!strcmp(FIELDS[i].key, key)) return &FIELDS[i];
    return strncmp(key, "rng_", 4) ? NULL : &RNG_FIELD;
}

/* A checkpoint saved mid-epoch: its progress fields together, and within the epoch and the run. */
static int check_progress(const nn_ckpt_meta *meta, char *why, size_t len)
{
    int present = 0;
    for (int i = 0; i < N_PROGRESS; ++i) present += nn_ckpt_meta_get(meta, PROGRESS[i]) != NULL;
    for (int i = 0; i < N_PROGRESS && present; ++i)
        if (!nn_ckpt_meta_get(meta, PROGRESS[i]))
            return snprintf(why, len, "field '%s' is missing (a checkpoint saved mid-epoch has %s, %s, %s and %s)",
                            PROGRESS[i], PROGRESS[0], PROGRESS[1], PROGRESS[2], PROGRESS[3]), -1;
    long long updates = 0, records = 0, correct = 0, epoch, step;
    if (!present) return 0;
    nn_ckpt_field_integer(meta, "epoch_updates", &updates);
    nn_ckpt_field_integer(meta, "epoch_records", &records);
    nn_ckpt_field_integer(meta, "epoch_correct", &correct);
    if (correct > records)
        snprintf(why, len, "field 'epoch_correct': %lld hits in %lld records", correct, records);
    else if (records < updates)
        snprintf(why, len, "field 'epoch_records': %lld records cannot make %lld updates", records, updates);
    else if (nn_ckpt_field_integer(meta, "epoch", &epoch) == 0 && nn_ckpt_field_integer(meta, "step", &step) == 0 &&
             step < epoch - 1 + updates)
        snprintf(why, len, "field 'step': %lld updates cannot reach update %lld of epoch %lld (field 'epoch_updates')",
                 step, updates, epoch);
    else
        return 0;
    return -1;
}

/* The fields that must agree with each other, when present. */
static int check_consistency(const nn_ckpt_meta *meta, char *why, size_t len)
{
    const int n_mean = nn_ckpt_field_numbers(meta, "mean", NULL, NN_MAX_CHANNELS);
    const int n_std = nn_ckpt_field_numbers(meta, "std", NULL, NN_MAX_CHANNELS);
    long long epoch, step, optimizer_step;
    const int has_step = nn_ckpt_field_integer(meta, "step", &step) == 0;
    if (n_mean >= 0 && n_std >= 0 && n_mean != n_std)
        snprintf(why, len, "field 'std': %d values, but field 'mean' has %d", n_std, n_mean);
    else if (has_step && nn_ckpt_field_integer(meta, "epoch", &epoch) == 0 && step < epoch)
        snprintf(why, len, "field 'step': %lld updates cannot make %lld epochs (each epoch makes at least one)",
                 step, epoch);
    else if (has_step && nn_ckpt_field_integer(meta, "optimizer_step", &optimizer_step) == 0 &&
             optimizer_step != step)
        snprintf(why, len, "field 'optimizer_step': %lld, but field 'step' is %lld (both count the updates)",
                 optimizer_step, step);
    else
        return 0;
    return -1;
}

int nn_ckpt_check_fields(const nn_ckpt_meta *meta, char *why, size_t len)
{
    for (int i = 0; i < meta->count; ++i) {
        const field *f = field_of(meta->key[i]);
        const char *text = meta->value[i];
        if (!f || valid(f, text)) continue;
        char rule[96];
        rule_text(f, rule, sizeof rule);
        snprintf(why, len, "field '%s': must be %s, got \"%.64s%s\"", meta->key[i], rule, text,
                 strlen(text) > 64 ? "..." : "");
        return -1;
    }
    return check_consistency(meta, why, len) != 0 || check_progress(meta, why, len) != 0 ? -1 : 0;
}

int nn_ckpt_field_integer(const nn_ckpt_meta *meta, const char *key, long long *out)
{
    return parse_integer(nn_ckpt_meta_get(meta, key), 0, 999999999999999999LL, out);
}

int nn_ckpt_field_number(const nn_ckpt_meta *meta, const char *key, double *out)
{
    const char *end;
    double v;
    if (parse_number(nn_ckpt_meta_get(meta, key), &end, &v) != 0 || *end) return -1;
    *out = v;
    return 0;
}

int nn_ckpt_field_rng(const nn_ckpt_meta *meta, const char *key, nn_rng *out)
{
    return nn_rng_parse(out, nn_ckpt_meta_get(meta, key));
}

int nn_ckpt_field_numbers(const nn_ckpt_meta *meta, const char *key, double *out, int max)
{
    const char *text = nn_ckpt_meta_get(meta, key);
    return text ? parse_numbers(text, out, max, 0) : -1;
}

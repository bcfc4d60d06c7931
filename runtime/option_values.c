#include "option_values.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

int nn_opt_number(const char *program, const char *opt, const char *text, double lo, double hi, double *out)
{
    char *end;
    errno = 0;
    const double v = text ? strtod(text, &end) : 0.0;
    if (!text || *text == '\0' || *end != '\0' || errno || !(v >= lo && v <= hi)) {
        fprintf(stderr, "%s: %s needs a number in [%g, %g], got '%s'\n", program, opt, lo, hi, text ? text : "");
        return -1;
    }
    *out = v;
    return 0;
}

int nn_opt_whole(const char *program, const char *opt, const char *text, double lo, double hi, long *out)
{
    double v;
    if (nn_opt_number(program, opt, text, lo, hi, &v) != 0) return -1;
    if (v != (double)(long)v) {
        fprintf(stderr, "%s: %s needs a whole number, got '%s'\n", program, opt, text);
        return -1;
    }
    *out = (long)v;
    return 0;
}

/* "a|b|c" -> "a, b or c" */
static void print_choices(FILE *out, const char *choices)
{
    for (const char *p = choices; *p;) {
        const size_t len = strcspn(p, "|");
        fprintf(out, "%.*s", (int)len, p);
        p += len;
        if (!*p) break;
        ++p;
        fputs(strchr(p, '|') ? ", " : " or ", out);
    }
}

int nn_opt_choice(const char *program, const char *opt, const char *choices, const char *text)
{
    int index = 0;
    for (const char *p = choices; text && *p; ++index) {
        const size_t len = strcspn(p, "|");
        if (strlen(text) == len && !strncmp(p, text, len)) return index;
        p += len + (p[len] == '|');
    }
    fprintf(stderr, "%s: %s must be ", program, opt);
    print_choices(stderr, choices);
    fprintf(stderr, ", got '%s'\n", text ? text : "");
    return -1;
}

int nn_opt_channels(const char *program, const char *opt, const char *text, int positive, double *out, int *n)
{
    *n = 0;
    const char *p = text ? text : "";
    while (*p) {
        char *end;
        const double v = strtod(p, &end);
        if (end == p || *n == NN_MAX_CHANNELS || !isfinite(v) || (positive && !(v > 0)) || (*end && *end != ',')) {
            fprintf(stderr, "%s: %s needs one finite %snumber per channel like 0.5,0.5,0.5, got '%s'\n", program, opt,
                    positive ? "positive " : "", text ? text : "");
            return -1;
        }
        out[(*n)++] = v;
        p = *end ? end + 1 : end;
    }
    if (*n == 0) {
        fprintf(stderr, "%s: %s needs one number per channel like 0.5,0.5,0.5\n", program, opt);
        return -1;
    }
    return 0;
}

int nn_opt_milestones(const char *program, const char *opt, const char *text, nn_schedule *s)
{
    s->n_milestones = 0;
    const char *p = text ? text : "";
    while (*p) {
        char *end;
        const long e = strtol(p, &end, 10);
        if (end == p || e < 1 || s->n_milestones == NN_MAX_MILESTONES ||
            (s->n_milestones > 0 && e <= s->milestones[s->n_milestones - 1]) || (*end && *end != ',')) {
            fprintf(stderr, "%s: %s needs increasing epochs like 3,6 (at most %d), got '%s'\n", program, opt,
                    NN_MAX_MILESTONES, text ? text : "");
            return -1;
        }
        s->milestones[s->n_milestones++] = (int)e;
        p = *end ? end + 1 : end;
    }
    if (s->n_milestones == 0) {
        fprintf(stderr, "%s: %s needs increasing epochs like 3,6\n", program, opt);
        return -1;
    }
    return 0;
}

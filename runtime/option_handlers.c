#include "option_handlers.h"

#include "option_values.h"

#include <stdlib.h>
#include <string.h>

int nn_opt_read_format(nn_option_parse *p, const nn_option_spec *spec, const char *value)
{
    if (nn_format_parse(value, &p->o->format) == 0) return 0;
    fprintf(stderr, "%s: %s must be auto, idx, cifar10, npz, npy, csv or images, got '%s'\n", p->program, spec->name,
            value ? value : "");
    return -1;
}

/* X,Y,XT,YT: four array names, copied so that each can end in a '\0'. */
int nn_opt_read_arrays(nn_option_parse *p, const nn_option_spec *spec, const char *value)
{
    nn_options *o = p->o;
    const size_t len = value ? strlen(value) : 0;
    int commas = 0;
    for (size_t i = 0; i < len; ++i) commas += value[i] == ',';
    if (commas != 3 || len >= sizeof o->arrays_buf || strstr(value, ",,") || value[0] == ',' ||
        value[len - 1] == ',') {
        fprintf(stderr, "%s: %s needs four names like x_train,y_train,x_test,y_test, got '%s'\n", p->program,
                spec->name, value ? value : "");
        return -1;
    }
    memcpy(o->arrays_buf, value, len + 1);
    char *name = o->arrays_buf;
    for (int k = 0; k < 4; ++k) {
        o->arrays[k] = name;
        name += strcspn(name, ",");
        if (*name) *name++ = '\0';
    }
    return 0;
}

int nn_opt_read_mean(nn_option_parse *p, const nn_option_spec *spec, const char *value)
{
    return nn_opt_channels(p->program, spec->name, value, 0, p->o->mean, &p->o->n_mean);
}

int nn_opt_read_std(nn_option_parse *p, const nn_option_spec *spec, const char *value)
{
    return nn_opt_channels(p->program, spec->name, value, 1, p->o->std, &p->o->n_std);
}

/* The optimizer's defaults, keeping the momentum options given before it. */
int nn_opt_read_optimizer(nn_option_parse *p, const nn_option_spec *spec, const char *value)
{
    static const nn_optim_kind kinds[] = { NN_SGD, NN_ADAM, NN_ADAMW }; /* in the order of spec->value */
    const int k = nn_opt_choice(p->program, spec->name, spec->value, value);
    if (k < 0) return -1;
    const nn_optim_config keep = p->o->optim;
    p->o->optim = nn_optim_defaults(kinds[k]);
    p->o->optim.momentum = keep.momentum;
    p->o->optim.nesterov = keep.nesterov;
    p->o->optim.decay_all = keep.decay_all;
    return 0;
}

int nn_opt_read_lr(nn_option_parse *p, const nn_option_spec *spec, const char *value)
{
    return nn_opt_number(p->program, spec->name, value, spec->lo, spec->hi, &p->lr);
}

int nn_opt_read_weight_decay(nn_option_parse *p, const nn_option_spec *spec, const char *value)
{
    return nn_opt_number(p->program, spec->name, value, spec->lo, spec->hi, &p->weight_decay);
}

int nn_opt_read_schedule(nn_option_parse *p, const nn_option_spec *spec, const char *value)
{
    static const nn_schedule_kind kinds[] = { NN_SCHED_CONSTANT, NN_SCHED_STEP, NN_SCHED_MULTISTEP,
                                              NN_SCHED_COSINE }; /* in the order of spec->value */
    const int k = nn_opt_choice(p->program, spec->name, spec->value, value);
    if (k < 0) return -1;
    p->o->schedule.kind = kinds[k];
    return 0;
}

int nn_opt_read_milestones(nn_option_parse *p, const nn_option_spec *spec, const char *value)
{
    return nn_opt_milestones(p->program, spec->name, value, &p->o->schedule);
}

int nn_opt_read_seed(nn_option_parse *p, const nn_option_spec *spec, const char *value)
{
    long seed;
    if (nn_opt_whole(p->program, spec->name, value, spec->lo, spec->hi, &seed) != 0) return -1;
    p->o->seed = (uint64_t)seed;
    return 0;
}

int nn_opt_read_keep_best(nn_option_parse *p, const nn_option_spec *spec, const char *value)
{
    static const nn_keep_best kinds[] = { NN_KEEP_ACC, NN_KEEP_LOSS, NN_KEEP_R2 }; /* in the order of spec->value */
    const int k = nn_opt_choice(p->program, spec->name, spec->value, value);
    if (k < 0) return -1;
    p->o->keep_best = kinds[k];
    return 0;
}

/* The next learning-rate rule, or NULL after printing that there is no room. */
static nn_lr_rule *new_lr_rule(nn_option_parse *p)
{
    if (p->o->n_lr_rules < NN_MAX_LR_RULES) return &p->o->lr_rules[p->o->n_lr_rules];
    fprintf(stderr, "%s: at most %d --freeze and --lr-mult rules\n", p->program, NN_MAX_LR_RULES);
    return NULL;
}

/* PATTERN */
int nn_opt_read_freeze(nn_option_parse *p, const nn_option_spec *spec, const char *value)
{
    nn_lr_rule *r = new_lr_rule(p);
    if (!r) return -1;
    if (!value || !*value) {
        fprintf(stderr, "%s: %s needs a tensor name pattern like 'layer1.*', got '%s'\n", p->program, spec->name,
                value ? value : "");
        return -1;
    }
    *r = (nn_lr_rule){ .pattern = value, .mult = 0.0 };
    p->o->n_lr_rules++;
    return 0;
}

/* PATTERN, repeatable */
int nn_opt_read_init_skip(nn_option_parse *p, const nn_option_spec *spec, const char *value)
{
    nn_options *o = p->o;
    if (!value || !*value) {
        fprintf(stderr, "%s: %s needs a tensor name pattern like 'fc.*', got '%s'\n", p->program, spec->name,
                value ? value : "");
        return -1;
    }
    if (o->n_init_skip == NN_MAX_LR_RULES) {
        fprintf(stderr, "%s: at most %d %s patterns\n", p->program, NN_MAX_LR_RULES, spec->name);
        return -1;
    }
    o->init_skip[o->n_init_skip++] = value;
    return 0;
}

/* HxW or N (square) */
int nn_opt_read_resize(nn_option_parse *p, const nn_option_spec *spec, const char *value)
{
    char *end = NULL;
    long h = 0, w = 0;
    if (value && value[0] >= '0' && value[0] <= '9') {
        h = w = strtol(value, &end, 10);
        if (*end == 'x' && end[1] >= '0' && end[1] <= '9') w = strtol(end + 1, &end, 10);
    }
    if (!end || *end || h < 1 || w < 1 || h > spec->hi || w > spec->hi) {
        fprintf(stderr, "%s: %s needs HxW or N, e.g. 224x224 or 224, at most %g, got '%s'\n", p->program, spec->name,
                spec->hi, value ? value : "");
        return -1;
    }
    p->o->resize_h = (int)h;
    p->o->resize_w = (int)w;
    return 0;
}

/* PATTERN=X: the pattern is copied, to end it before the '='. */
int nn_opt_read_lr_mult(nn_option_parse *p, const nn_option_spec *spec, const char *value)
{
    nn_lr_rule *r = new_lr_rule(p);
    if (!r) return -1;
    const char *eq = value ? strrchr(value, '=') : NULL;
    if (!eq || eq == value) {
        fprintf(stderr, "%s: %s needs PATTERN=X like 'linear.*=10', got '%s'\n", p->program, spec->name,
                value ? value : "");
        return -1;
    }
    const size_t len = (size_t)(eq - value);
    char *pattern = p->o->pattern_buf[p->o->n_lr_rules];
    if (len >= sizeof p->o->pattern_buf[0]) {
        fprintf(stderr, "%s: %s pattern too long: '%s'\n", p->program, spec->name, value);
        return -1;
    }
    memcpy(pattern, value, len);
    pattern[len] = '\0';
    if (nn_opt_number(p->program, spec->name, eq + 1, spec->lo, spec->hi, &r->mult) != 0) return -1;
    r->pattern = pattern;
    p->o->n_lr_rules++;
    return 0;
}

/* SPEC:CHECKPOINT */
int nn_opt_read_teacher(nn_option_parse *p, const nn_option_spec *spec, const char *value)
{
    nn_options *o = p->o;
    const char *colon = value ? strchr(value, ':') : NULL;
    if (!colon || colon == value || !colon[1] || (size_t)(colon - value) >= sizeof o->teacher_spec_buf) {
        fprintf(stderr, "%s: %s needs SPEC:CHECKPOINT, e.g. fmnist_cnn:runs/cnn/best.safetensors, got '%s'\n",
                p->program, spec->name, value ? value : "");
        return -1;
    }
    memcpy(o->teacher_spec_buf, value, (size_t)(colon - value));
    o->teacher_spec_buf[colon - value] = '\0';
    o->teacher_spec = o->teacher_spec_buf;
    o->teacher_path = colon + 1;
    return 0;
}

static int read_mode(nn_option_parse *p, const nn_option_spec *spec, const char *value, nn_mode mode)
{
    if (!value || !*value) {
        fprintf(stderr, "%s: %s needs a checkpoint file\n", p->program, spec->name);
        return -1;
    }
    p->o->mode = mode;
    p->o->checkpoint = value;
    return 0;
}

int nn_opt_read_eval(nn_option_parse *p, const nn_option_spec *spec, const char *value)
{
    return read_mode(p, spec, value, NN_MODE_EVAL);
}

int nn_opt_read_predict(nn_option_parse *p, const nn_option_spec *spec, const char *value)
{
    return read_mode(p, spec, value, NN_MODE_PREDICT);
}

int nn_opt_show_help(nn_option_parse *p, const nn_option_spec *spec, const char *value)
{
    (void)spec, (void)value;
    nn_options_usage(stdout, p->program);
    return 1;
}

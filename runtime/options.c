#include "options.h"

#include "option_values.h"

#include <string.h>
#include <unistd.h>

static void set_defaults(nn_options *o)
{
    const long cores = sysconf(_SC_NPROCESSORS_ONLN);
    *o = (nn_options){ .data_path = "/usr/share/datasets/fashion-mnist", .epochs = 3, .test_split = 0.2,
                       .arrays = { "x_train", "y_train", "x_test", "y_test" },
                       .optim = nn_optim_defaults(NN_ADAM), .val_split = 0.1, .seed = 1,
                       .threads = cores > 0 ? (int)cores : 1, .limit = 0, .accum = 1,
                       .kd_alpha = 0.5, .kd_temp = 4.0, .out_path = "predictions.csv",
                       .schedule = { .kind = NN_SCHED_CONSTANT, .gamma = 0.1, .step_epochs = 1 } };
}

static const nn_option_spec *find_option(const char *arg)
{
    int count;
    const nn_option_spec *table = nn_option_table(&count);
    for (int i = 0; i < count; ++i)
        if (!strcmp(arg, table[i].name) || (table[i].alias && !strcmp(arg, table[i].alias))) return &table[i];
    return NULL;
}

/* Reads one option's value (NULL when the command line ended) into its field, or through its handler. */
static int read_option(nn_option_parse *p, const nn_option_spec *spec, const char *value)
{
    void *field = (char *)p->o + spec->field;
    long whole;
    switch (spec->kind) {
    case NN_OPT_FLAG:
        *(int *)field = 1;
        return 0;
    case NN_OPT_TEXT:
        if (!value || !*value) {
            fprintf(stderr, "%s: %s needs %s\n", p->program, spec->name, spec->needs);
            return -1;
        }
        *(const char **)field = value;
        return 0;
    case NN_OPT_INT:
    case NN_OPT_LONG:
        if (nn_opt_whole(p->program, spec->name, value, spec->lo, spec->hi, &whole) != 0) return -1;
        if (spec->kind == NN_OPT_INT) *(int *)field = (int)whole;
        else *(long *)field = whole;
        return 0;
    case NN_OPT_DOUBLE:
        return nn_opt_number(p->program, spec->name, value, spec->lo, spec->hi, (double *)field);
    case NN_OPT_CUSTOM:
        return spec->read(p, spec, value);
    }
    return -1;
}

/* What one option cannot judge alone. */
static int check_together(const nn_options *o, const char *program)
{
    if ((o->n_mean > 0) != (o->n_std > 0) || o->n_mean != o->n_std) {
        fprintf(stderr, "%s: --mean and --std go together, with one value per channel each\n", program);
        return -1;
    }
    if (o->keep_best && (!o->save_dir || o->val_split <= 0)) {
        fprintf(stderr, "%s: --keep-best needs --save DIR and a validation split (--val-split > 0)\n", program);
        return -1;
    }
    if (o->optim.nesterov && (o->optim.kind != NN_SGD || o->optim.momentum <= 0)) {
        fprintf(stderr, "%s: --nesterov needs --optimizer sgd and --momentum > 0\n", program);
        return -1;
    }
    if (o->n_init_skip && !o->init_path) {
        fprintf(stderr, "%s: --init-skip needs --init FILE\n", program);
        return -1;
    }
    return 0;
}

int nn_options_parse(nn_options *o, int argc, char **argv, const char *program)
{
    set_defaults(o);
    nn_option_parse p = { .o = o, .program = program, .lr = -1.0, .weight_decay = -1.0 };
    for (int i = 1; i < argc; ++i) {
        const nn_option_spec *spec = find_option(argv[i]);
        if (!spec) {
            fprintf(stderr, "%s: unknown option '%s' (see --help)\n", program, argv[i]);
            return -1;
        }
        const char *value = NULL;
        if (spec->value) value = i + 1 < argc ? argv[++i] : NULL;
        const int rc = read_option(&p, spec, value);
        if (rc != 0) return rc;
    }
    if (p.lr >= 0) o->optim.lr = p.lr;
    if (p.weight_decay >= 0) o->optim.weight_decay = p.weight_decay;
    o->schedule.lr = o->optim.lr;
    o->schedule.epochs = o->epochs;
    return check_together(o, program);
}

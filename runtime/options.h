/* The trainer's command line. */
#ifndef NN_OPTIONS_H
#define NN_OPTIONS_H

#include "augment.h"
#include "data_source.h"
#include "dataset.h"
#include "optim.h"
#include "schedule.h"

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

typedef enum { NN_KEEP_NONE, NN_KEEP_ACC, NN_KEEP_LOSS, NN_KEEP_R2 } nn_keep_best;
typedef enum { NN_MODE_TRAIN, NN_MODE_EVAL, NN_MODE_PREDICT } nn_mode;

#define NN_MAX_LR_RULES 32

typedef struct {
    const char *data_path;   /* a data directory or file */
    nn_data_format format;
    const char *arrays[4];   /* npz/npy array names: x_train, y_train, x_test, y_test */
    char arrays_buf[256];
    const char *targets;     /* CSV target columns (NULL: the last column) */
    const char *classes;     /* class names "a,b,c" (NULL: from the data, or numbers) */
    double test_split;       /* held out for testing when the data has no test split */
    int skip_bad;            /* skip undecodable images instead of stopping */
    const char *input_path;  /* --predict: the inputs (NULL: the test set) */
    nn_augment augment;
    int n_mean, n_std; /* given per-channel normalization (0: computed) */
    double mean[NN_MAX_CHANNELS], std[NN_MAX_CHANNELS];
    int epochs;
    nn_optim_config optim;
    nn_schedule schedule; /* its lr is optim.lr */
    double val_split;
    uint64_t seed;
    int threads;
    long limit; /* use only the first N training images (0: all) */
    long print_every; /* print the batch loss every N steps (0: never) */
    const char *save_dir;    /* write DIR/last.safetensors after every epoch */
    const char *resume_path; /* continue the run saved in this checkpoint */
    const char *init_path;   /* start from this checkpoint's weights (fine-tuning) */
    int n_init_skip;         /* --init-skip: tensors left freshly initialized */
    const char *init_skip[NN_MAX_LR_RULES];
    int resize_h, resize_w;  /* --resize: records resized to the model's input (0: none) */
    int stop_after;          /* end after this epoch, as an interrupted run would (0: run all) */
    nn_keep_best keep_best;  /* also keep DIR/best.safetensors by validation accuracy or loss */
    int accum;               /* micro-batches per update */
    double clip_norm;        /* clip the global gradient norm to this (0: no clipping) */
    int n_lr_rules;          /* --freeze and --lr-mult, in command-line order */
    nn_lr_rule lr_rules[NN_MAX_LR_RULES];
    const char *teacher_spec, *teacher_path; /* --teacher SPEC:CKPT */
    double kd_alpha, kd_temp;
    nn_mode mode;
    const char *checkpoint;  /* --eval / --predict FILE */
    const char *out_path;    /* --predict: the CSV to write */
    char teacher_spec_buf[64];
    char pattern_buf[NN_MAX_LR_RULES][128];
} nn_options;

/* Returns 0 to run, 1 when --help was printed, -1 on a bad option (message printed). */
int nn_options_parse(nn_options *o, int argc, char **argv, const char *program);

/* One table (option_table.c) lists every option: the parser walks it, and
 * --help and the README's option table are printed from it. */

/* How an option's value is read. */
typedef enum {
    NN_OPT_FLAG,   /* no value: sets an int field to 1 */
    NN_OPT_TEXT,   /* a non-empty string, kept as given, into a const char * field */
    NN_OPT_INT,    /* a whole number in [lo, hi] into an int field */
    NN_OPT_LONG,   /* the same into a long field */
    NN_OPT_DOUBLE, /* a number in [lo, hi] into a double field */
    NN_OPT_CUSTOM  /* read by the option's handler */
} nn_option_kind;

/* What the parser reads into: the options, and the --lr and --weight-decay
 * given (-1: none), which win over the optimizer's defaults in any order. */
typedef struct {
    nn_options *o;
    const char *program;
    double lr, weight_decay;
} nn_option_parse;

typedef struct nn_option_spec nn_option_spec;
struct nn_option_spec {
    const char *name;     /* "--epochs" */
    const char *alias;    /* another spelling ("-h"), or NULL */
    const char *value;    /* the value's placeholder ("N"; "a|b|c" for a choice), NULL for a flag */
    const char *fallback; /* the default, as --help and the README show it ("" for none) */
    const char *help;     /* one line for --help and the README (markdown code spans allowed) */
    const char *details;  /* more for the README only (markdown), or NULL */
    nn_option_kind kind;
    size_t field;         /* offsetof(nn_options, ...) for the kinds other than NN_OPT_CUSTOM */
    double lo, hi;        /* the range of a number */
    const char *needs;    /* NN_OPT_TEXT: what a missing value should have been ("a file") */
    /* NN_OPT_CUSTOM: returns 0, 1 to stop without error (--help), or -1 after printing why */
    int (*read)(nn_option_parse *p, const nn_option_spec *spec, const char *value);
};

/* The table, in --help order; *count is set to its length. */
const nn_option_spec *nn_option_table(int *count);
/* --help */
void nn_options_usage(FILE *out, const char *program);
/* The README's option section (between its options:begin and options:end
 * marker lines): a blank line, the markdown table, a blank line. */
void nn_options_markdown(FILE *out);

#endif

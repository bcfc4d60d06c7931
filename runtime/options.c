#include "options.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void usage(FILE *out, const char *program)
{
    fprintf(out,
            "usage: %s [options]\n"
            "  --data PATH          a data directory or file (default /usr/share/datasets/fashion-mnist)\n"
            "  --format F           auto (default: detected), idx, cifar10, npz, npy, csv or images\n"
            "  --arrays X,Y,XT,YT   npz/npy array names (default x_train,y_train,x_test,y_test)\n"
            "  --target A,B         CSV target columns (default: the last column)\n"
            "  --classes A,B,C      class names (default: image folder names, else numbers)\n"
            "  --test-split F       fraction held out for testing when the data has no test split (default 0.2)\n"
            "  --skip-bad           skip images that do not decode, and count them (default: stop)\n"
            "  --crop-pad P         augment: random crops of the image zero-padded by P pixels\n"
            "  --flip               augment: random horizontal flips\n"
            "  --noise S            augment: Gaussian noise of standard deviation S (normalized units)\n"
            "  --mean A,B,C         per-channel normalization mean (default: computed on the training split)\n"
            "  --std A,B,C          per-channel normalization standard deviation (default: computed)\n"
            "  --epochs N           passes over the training set (default 3)\n"
            "  --optimizer NAME     sgd, adam or adamw (default adam)\n"
            "  --lr X               learning rate (default 0.001 for adam/adamw, 0.01 for sgd)\n"
            "  --momentum M         SGD momentum (default 0)\n"
            "  --nesterov           Nesterov momentum for SGD\n"
            "  --weight-decay W     L2 decay (sgd, adam) or decoupled decay (adamw; default 0.01)\n"
            "  --decay-bias         apply weight decay to biases too (default: weights only)\n"
            "  --beta1 B --beta2 B --eps E   Adam parameters (default 0.9, 0.999, 1e-8)\n"
            "  --schedule NAME      learning-rate schedule: constant, step, multistep or cosine\n"
            "                       (default constant)\n"
            "  --lr-step N          step: multiply the rate by --lr-gamma every N epochs (default 1)\n"
            "  --lr-milestones A,B  multistep: multiply the rate by --lr-gamma at these epochs\n"
            "  --lr-gamma G         step/multistep factor (default 0.1)\n"
            "  --lr-min X           cosine: final learning rate (default 0)\n"
            "  --warmup-epochs F    linear warmup over the first F epochs (default 0)\n"
            "  --val-split F        fraction of the training set held out for validation (default 0.1)\n"
            "  --seed S             seed for initialization, split and shuffling (default 1)\n"
            "  --threads T          threads for OpenBLAS and OpenMP (default: all cores)\n"
            "  --limit N            train on the first N training images only\n"
            "  --print-every N      print the loss of every Nth training batch\n"
            "  --save DIR           write DIR/last.safetensors (weights, buffers, optimizer state) every epoch\n"
            "  --resume FILE        continue the run saved in FILE (same spec, seed and options)\n"
            "  --init FILE          start from the weights and buffers in FILE (e.g. converted from PyTorch)\n"
            "  --stop-after K       end after epoch K of the --epochs planned (a run to resume later)\n"
            "  --keep-best M        with --save: also keep DIR/best.safetensors, best by validation acc, loss or r2\n"
            "  --accum K            accumulate K batches per update (an update sees K times the batch)\n"
            "  --clip-norm X        scale the gradient down when its global L2 norm exceeds X\n"
            "  --l1 X               L1 regularization: adds X * sign(w) to the gradient of decayed tensors\n"
            "  --freeze PATTERN     no updates for tensors whose names match (glob: * and ?), e.g. 'layer1.*'\n"
            "  --lr-mult PATTERN=X  learning rate times X for matching tensors, e.g. 'linear.*=10'\n"
            "                       (--freeze and --lr-mult repeat; for a tensor, the last matching one wins,\n"
            "                       after the spec's own freeze/lr_mult rules)\n"
            "  --teacher SPEC:CKPT  distill from the teacher SPEC (linked into this trainer) loaded from CKPT\n"
            "  --kd-alpha A         distillation weight of the teacher's soft targets (default 0.5)\n"
            "  --kd-temp T          distillation temperature (default 4)\n"
            "  --eval CKPT          no training: evaluate CKPT on the test set and print the metrics\n"
            "  --predict CKPT       no training: write predictions with CKPT for --input (default: the test set)\n"
            "  --input PATH         --predict: an image, a folder of images, an .npy file or a CSV file\n"
            "  --out FILE           --predict: the CSV to write (default predictions.csv)\n"
            "  --help               this text\n",
            program);
}

static int number(const char *program, const char *opt, const char *text, double lo, double hi, double *out)
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

static int integer(const char *program, const char *opt, const char *text, double lo, double hi, long *out)
{
    double v;
    if (number(program, opt, text, lo, hi, &v) != 0) return -1;
    if (v != (double)(long)v) {
        fprintf(stderr, "%s: %s needs a whole number, got '%s'\n", program, opt, text);
        return -1;
    }
    *out = (long)v;
    return 0;
}

/* "0.49,0.48,0.45": one positive (or, for means, any) number per channel. */
static int channel_list(const char *program, const char *opt, const char *text, int positive, double *out, int *n)
{
    *n = 0;
    const char *p = text ? text : "";
    while (*p) {
        char *end;
        const double v = strtod(p, &end);
        if (end == p || *n == NN_MAX_CHANNELS || (positive && !(v > 0)) || (*end && *end != ',')) {
            fprintf(stderr, "%s: %s needs one %snumber per channel like 0.5,0.5,0.5, got '%s'\n", program, opt,
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

/* --arrays X,Y,XT,YT: four array names. */
static int array_names(const char *program, const char *text, nn_options *o)
{
    const size_t len = text ? strlen(text) : 0;
    int commas = 0;
    for (size_t i = 0; i < len; ++i) commas += text[i] == ',';
    if (commas != 3 || len >= sizeof o->arrays_buf || strstr(text, ",,") || text[0] == ',' || text[len - 1] == ',') {
        fprintf(stderr, "%s: --arrays needs four names like x_train,y_train,x_test,y_test, got '%s'\n", program,
                text ? text : "");
        return -1;
    }
    memcpy(o->arrays_buf, text, len + 1);
    char *p = o->arrays_buf;
    for (int k = 0; k < 4; ++k) {
        o->arrays[k] = p;
        p += strcspn(p, ",");
        if (*p) *p++ = '\0';
    }
    return 0;
}

/* "2,5,8": increasing epochs. */
static int milestones(const char *program, const char *text, nn_schedule *s)
{
    s->n_milestones = 0;
    const char *p = text ? text : "";
    while (*p) {
        char *end;
        const long e = strtol(p, &end, 10);
        if (end == p || e < 1 || s->n_milestones == NN_MAX_MILESTONES ||
            (s->n_milestones > 0 && e <= s->milestones[s->n_milestones - 1]) || (*end && *end != ',')) {
            fprintf(stderr, "%s: --lr-milestones needs increasing epochs like 3,6 (at most %d), got '%s'\n", program,
                    NN_MAX_MILESTONES, text ? text : "");
            return -1;
        }
        s->milestones[s->n_milestones++] = (int)e;
        p = *end ? end + 1 : end;
    }
    if (s->n_milestones == 0) {
        fprintf(stderr, "%s: --lr-milestones needs increasing epochs like 3,6\n", program);
        return -1;
    }
    return 0;
}

/* --freeze PATTERN or --lr-mult PATTERN=X */
static int lr_rule(const char *program, const char *opt, const char *text, nn_options *o)
{
    const int freeze = !strcmp(opt, "--freeze");
    if (o->n_lr_rules == NN_MAX_LR_RULES) {
        fprintf(stderr, "%s: at most %d --freeze and --lr-mult rules\n", program, NN_MAX_LR_RULES);
        return -1;
    }
    nn_lr_rule *r = &o->lr_rules[o->n_lr_rules];
    const char *eq = text ? strrchr(text, '=') : NULL;
    if (!text || !*text || (!freeze && (!eq || eq == text))) {
        fprintf(stderr, "%s: %s needs %s, got '%s'\n", program, opt,
                freeze ? "a tensor name pattern like 'layer1.*'" : "PATTERN=X like 'linear.*=10'", text ? text : "");
        return -1;
    }
    if (freeze) {
        r->pattern = text;
        r->mult = 0.0;
    } else {
        const size_t len = (size_t)(eq - text);
        char *pattern = o->pattern_buf[o->n_lr_rules];
        if (len >= sizeof o->pattern_buf[0]) {
            fprintf(stderr, "%s: %s pattern too long: '%s'\n", program, opt, text);
            return -1;
        }
        memcpy(pattern, text, len);
        pattern[len] = '\0';
        if (number(program, opt, eq + 1, 0, 1e6, &r->mult)) return -1;
        r->pattern = pattern;
    }
    o->n_lr_rules++;
    return 0;
}

int nn_options_parse(nn_options *o, int argc, char **argv, const char *program)
{
    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    *o = (nn_options){ .data_path = "/usr/share/datasets/fashion-mnist", .epochs = 3, .test_split = 0.2,
                       .arrays = { "x_train", "y_train", "x_test", "y_test" },
                       .optim = nn_optim_defaults(NN_ADAM), .val_split = 0.1, .seed = 1,
                       .threads = cores > 0 ? (int)cores : 1, .limit = 0, .accum = 1,
                       .kd_alpha = 0.5, .kd_temp = 4.0, .out_path = "predictions.csv",
                       .schedule = { .kind = NN_SCHED_CONSTANT, .gamma = 0.1, .step_epochs = 1 } };
    double lr = -1.0, wd = -1.0;
    for (int i = 1; i < argc; ++i) {
        const char *a = argv[i];
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
        double d;
        long l;
        int takes_value = 1;
        if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
            usage(stdout, program);
            return 1;
        } else if (!strcmp(a, "--nesterov")) {
            o->optim.nesterov = 1;
            takes_value = 0;
        } else if (!strcmp(a, "--decay-bias")) {
            o->optim.decay_all = 1;
            takes_value = 0;
        } else if (!strcmp(a, "--skip-bad")) {
            o->skip_bad = 1;
            takes_value = 0;
        } else if (!strcmp(a, "--data") || !strcmp(a, "--target") || !strcmp(a, "--classes") ||
                   !strcmp(a, "--input")) {
            if (!v || !*v) {
                fprintf(stderr, "%s: %s needs a value\n", program, a);
                return -1;
            }
            const char **field = a[2] == 'd' ? &o->data_path : a[2] == 't' ? &o->targets
                                 : a[2] == 'c' ? &o->classes : &o->input_path;
            *field = v;
        } else if (!strcmp(a, "--arrays")) {
            if (array_names(program, v, o)) return -1;
        } else if (!strcmp(a, "--test-split")) {
            if (number(program, a, v, 0, 0.9, &o->test_split)) return -1;
        } else if (!strcmp(a, "--format")) {
            if (nn_format_parse(v, &o->format) != 0) {
                fprintf(stderr, "%s: --format must be auto, idx, cifar10, npz, npy, csv or images, got '%s'\n",
                        program, v ? v : "");
                return -1;
            }
        } else if (!strcmp(a, "--flip")) {
            o->augment.flip = 1;
            takes_value = 0;
        } else if (!strcmp(a, "--crop-pad")) {
            if (integer(program, a, v, 0, 64, &l)) return -1;
            o->augment.crop_pad = (int)l;
        } else if (!strcmp(a, "--noise")) {
            if (number(program, a, v, 0, 100, &o->augment.noise)) return -1;
        } else if (!strcmp(a, "--mean")) {
            if (channel_list(program, a, v, 0, o->mean, &o->n_mean)) return -1;
        } else if (!strcmp(a, "--std")) {
            if (channel_list(program, a, v, 1, o->std, &o->n_std)) return -1;
        } else if (!strcmp(a, "--optimizer")) {
            nn_optim_kind k;
            if (v && !strcmp(v, "sgd")) k = NN_SGD;
            else if (v && !strcmp(v, "adam")) k = NN_ADAM;
            else if (v && !strcmp(v, "adamw")) k = NN_ADAMW;
            else {
                fprintf(stderr, "%s: --optimizer must be sgd, adam or adamw, got '%s'\n", program, v ? v : "");
                return -1;
            }
            const nn_optim_config keep = o->optim;
            o->optim = nn_optim_defaults(k);
            o->optim.momentum = keep.momentum;
            o->optim.nesterov = keep.nesterov;
            o->optim.decay_all = keep.decay_all;
        } else if (!strcmp(a, "--schedule")) {
            if (v && !strcmp(v, "constant")) o->schedule.kind = NN_SCHED_CONSTANT;
            else if (v && !strcmp(v, "step")) o->schedule.kind = NN_SCHED_STEP;
            else if (v && !strcmp(v, "multistep")) o->schedule.kind = NN_SCHED_MULTISTEP;
            else if (v && !strcmp(v, "cosine")) o->schedule.kind = NN_SCHED_COSINE;
            else {
                fprintf(stderr, "%s: --schedule must be constant, step, multistep or cosine, got '%s'\n", program,
                        v ? v : "");
                return -1;
            }
        } else if (!strcmp(a, "--lr-step")) {
            if (integer(program, a, v, 1, 1e6, &l)) return -1;
            o->schedule.step_epochs = (int)l;
        } else if (!strcmp(a, "--lr-gamma")) {
            if (number(program, a, v, 0, 1, &o->schedule.gamma)) return -1;
        } else if (!strcmp(a, "--lr-min")) {
            if (number(program, a, v, 0, 1e3, &o->schedule.lr_min)) return -1;
        } else if (!strcmp(a, "--warmup-epochs")) {
            if (number(program, a, v, 0, 1e6, &o->schedule.warmup_epochs)) return -1;
        } else if (!strcmp(a, "--lr-milestones")) {
            if (milestones(program, v, &o->schedule)) return -1;
        } else if (!strcmp(a, "--epochs")) {
            if (integer(program, a, v, 0, 1e6, &l)) return -1;
            o->epochs = (int)l;
        } else if (!strcmp(a, "--lr")) {
            if (number(program, a, v, 0, 1e3, &lr)) return -1;
        } else if (!strcmp(a, "--momentum")) {
            if (number(program, a, v, 0, 1, &d)) return -1;
            o->optim.momentum = d;
        } else if (!strcmp(a, "--weight-decay")) {
            if (number(program, a, v, 0, 1e3, &wd)) return -1;
        } else if (!strcmp(a, "--beta1")) {
            if (number(program, a, v, 0, 0.999999, &d)) return -1;
            o->optim.beta1 = d;
        } else if (!strcmp(a, "--beta2")) {
            if (number(program, a, v, 0, 0.99999999, &d)) return -1;
            o->optim.beta2 = d;
        } else if (!strcmp(a, "--eps")) {
            if (number(program, a, v, 0, 1, &d)) return -1;
            o->optim.eps = d;
        } else if (!strcmp(a, "--val-split")) {
            if (number(program, a, v, 0, 0.9, &o->val_split)) return -1;
        } else if (!strcmp(a, "--seed")) {
            if (integer(program, a, v, 0, 9007199254740992.0, &l)) return -1;
            o->seed = (uint64_t)l;
        } else if (!strcmp(a, "--threads")) {
            if (integer(program, a, v, 1, 256, &l)) return -1;
            o->threads = (int)l;
        } else if (!strcmp(a, "--save") || !strcmp(a, "--resume")) {
            if (!v) {
                fprintf(stderr, "%s: %s needs a %s\n", program, a, a[2] == 's' ? "directory" : "file");
                return -1;
            }
            if (a[2] == 's') o->save_dir = v;
            else o->resume_path = v;
        } else if (!strcmp(a, "--init")) {
            if (!v) {
                fprintf(stderr, "%s: --init needs a checkpoint file\n", program);
                return -1;
            }
            o->init_path = v;
        } else if (!strcmp(a, "--stop-after")) {
            if (integer(program, a, v, 1, 1e6, &l)) return -1;
            o->stop_after = (int)l;
        } else if (!strcmp(a, "--print-every")) {
            if (integer(program, a, v, 1, 1e9, &l)) return -1;
            o->print_every = l;
        } else if (!strcmp(a, "--keep-best")) {
            if (v && !strcmp(v, "acc")) o->keep_best = NN_KEEP_ACC;
            else if (v && !strcmp(v, "loss")) o->keep_best = NN_KEEP_LOSS;
            else if (v && !strcmp(v, "r2")) o->keep_best = NN_KEEP_R2;
            else {
                fprintf(stderr, "%s: --keep-best must be acc, loss or r2, got '%s'\n", program, v ? v : "");
                return -1;
            }
        } else if (!strcmp(a, "--accum")) {
            if (integer(program, a, v, 1, 1e6, &l)) return -1;
            o->accum = (int)l;
        } else if (!strcmp(a, "--clip-norm")) {
            if (number(program, a, v, 0, 1e9, &o->clip_norm)) return -1;
        } else if (!strcmp(a, "--l1")) {
            if (number(program, a, v, 0, 1e3, &o->optim.l1)) return -1;
        } else if (!strcmp(a, "--freeze") || !strcmp(a, "--lr-mult")) {
            if (lr_rule(program, a, v, o)) return -1;
        } else if (!strcmp(a, "--teacher")) {
            const char *colon = v ? strchr(v, ':') : NULL;
            if (!colon || colon == v || !colon[1] || (size_t)(colon - v) >= sizeof o->teacher_spec_buf) {
                fprintf(stderr, "%s: --teacher needs SPEC:CHECKPOINT, e.g. fmnist_cnn:runs/cnn/best.safetensors, got '%s'\n",
                        program, v ? v : "");
                return -1;
            }
            memcpy(o->teacher_spec_buf, v, (size_t)(colon - v));
            o->teacher_spec_buf[colon - v] = '\0';
            o->teacher_spec = o->teacher_spec_buf;
            o->teacher_path = colon + 1;
        } else if (!strcmp(a, "--kd-alpha")) {
            if (number(program, a, v, 0, 1, &o->kd_alpha)) return -1;
        } else if (!strcmp(a, "--kd-temp")) {
            if (number(program, a, v, 0.01, 100, &o->kd_temp)) return -1;
        } else if (!strcmp(a, "--eval") || !strcmp(a, "--predict")) {
            if (!v) {
                fprintf(stderr, "%s: %s needs a checkpoint file\n", program, a);
                return -1;
            }
            o->mode = a[2] == 'e' ? NN_MODE_EVAL : NN_MODE_PREDICT;
            o->checkpoint = v;
        } else if (!strcmp(a, "--out")) {
            if (!v) {
                fprintf(stderr, "%s: --out needs a file\n", program);
                return -1;
            }
            o->out_path = v;
        } else if (!strcmp(a, "--limit")) {
            if (integer(program, a, v, 1, 1e9, &l)) return -1;
            o->limit = l;
        } else {
            fprintf(stderr, "%s: unknown option '%s' (see --help)\n", program, a);
            return -1;
        }
        i += takes_value;
    }
    /* --lr and --weight-decay win over the optimizer's defaults, in any order. */
    if (lr >= 0) o->optim.lr = lr;
    if (wd >= 0) o->optim.weight_decay = wd;
    o->schedule.lr = o->optim.lr;
    o->schedule.epochs = o->epochs;
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
    return 0;
}

#include "data_source.h"

#include "cifar.h"
#include "csv.h"
#include "dataset.h"
#include "idx.h"
#include "image_folder.h"
#include "npy.h"
#include "npz.h"
#include "regular_file.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const char *const FORMAT_NAMES[] = { "auto", "idx", "cifar10", "npz", "npy", "csv", "images" };

const char *nn_format_name(nn_data_format f) { return FORMAT_NAMES[f]; }

int nn_format_parse(const char *name, nn_data_format *f)
{
    for (int i = 0; i < (int)(sizeof FORMAT_NAMES / sizeof FORMAT_NAMES[0]); ++i)
        if (name && !strcmp(name, FORMAT_NAMES[i])) return (*f = (nn_data_format)i), 0;
    return -1;
}

static int exists(const char *dir, const char *name)
{
    char path[4200];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    return access(path, F_OK) == 0;
}

static int has_suffix(const char *s, const char *suffix)
{
    const size_t n = strlen(s), k = strlen(suffix);
    return n >= k && !strcmp(s + n - k, suffix);
}

/* Inputs from 8-bit arrays are pixels, scaled to [0, 1]. */
static float scale_of(const nn_array *x) { return x->dtype == NN_U8 ? 1.0f / 255.0f : 1.0f; }

/* The first n bytes of a regular file into magic; how many it has, or -1 with the reason in err. */
static long read_magic(const char *path, unsigned char *magic, size_t n, char *err, size_t errlen)
{
    size_t size;
    FILE *in = nn_open_regular(path, &size, err, errlen);
    if (!in) return -1;
    const size_t got = fread(magic, 1, n, in);
    fclose(in);
    return (long)got;
}

/* A file's format from its first bytes (npz, npy) or its name (csv). */
static int detect_file(const char *path, nn_data_format *f, char *err, size_t errlen)
{
    unsigned char magic[6] = { 0 };
    const long got = read_magic(path, magic, sizeof magic, err, errlen);
    if (got < 0) return -1;
    if (got >= 4 && !memcmp(magic, "PK\x03\x04", 4)) *f = NN_FORMAT_NPZ;
    else if (got == 6 && !memcmp(magic, "\x93NUMPY", 6)) *f = NN_FORMAT_NPY;
    else if (has_suffix(path, ".csv") || has_suffix(path, ".CSV")) *f = NN_FORMAT_CSV;
    else {
        snprintf(err, errlen, "%s: not a format this trainer reads (expected an .npz, .npy or .csv file, or a data "
                 "directory)", path);
        return -1;
    }
    return 0;
}

static int detect_dir(const char *dir, nn_data_format *f, char *err, size_t errlen)
{
    struct stat st;
    char sub[4200];
    snprintf(sub, sizeof sub, "%s/train", dir);
    if (exists(dir, "data_batch_1.bin")) *f = NN_FORMAT_CIFAR10;
    else if (exists(dir, "train-images-idx3-ubyte") || exists(dir, "train-images-idx3-ubyte.gz")) *f = NN_FORMAT_IDX;
    else if (exists(dir, "x_train.npy")) *f = NN_FORMAT_NPY;
    else if (exists(dir, "train.csv")) *f = NN_FORMAT_CSV;
    else if (stat(sub, &st) == 0 && S_ISDIR(st.st_mode)) *f = NN_FORMAT_IMAGES;
    else {
        snprintf(err, errlen, "%s: no data found (looked for data_batch_1.bin, train-images-idx3-ubyte[.gz], "
                 "x_train.npy, train.csv and an image folder train/)", dir);
        return -1;
    }
    return 0;
}

int nn_source_detect(const nn_source_options *o, nn_data_format *f, char *err, size_t errlen)
{
    struct stat st;
    if (stat(o->path, &st) != 0) {
        snprintf(err, errlen, "%s: no such file or directory", o->path);
        return -1;
    }
    if (o->format != NN_FORMAT_AUTO) return (*f = o->format), 0;
    return S_ISDIR(st.st_mode) ? detect_dir(o->path, f, err, errlen) : detect_file(o->path, f, err, errlen);
}

/* The plain file if present, else the gzipped one. */
static void idx_path(char *out, size_t len, const char *dir, const char *prefix, const char *kind)
{
    snprintf(out, len, "%s/%s-%s", dir, prefix, kind);
    if (access(out, R_OK) != 0) snprintf(out, len, "%s/%s-%s.gz", dir, prefix, kind);
}

static int read_idx(const nn_source_options *o, int training, nn_split *s, char *err, size_t errlen)
{
    const char *prefix = training ? "train" : "t10k";
    idx_path(s->x_what, sizeof s->x_what, o->path, prefix, "images-idx3-ubyte");
    idx_path(s->y_what, sizeof s->y_what, o->path, prefix, "labels-idx1-ubyte");
    if (nn_idx_read(s->x_what, &s->x, err, errlen) != 0 || nn_idx_read(s->y_what, &s->labels, err, errlen) != 0)
        return -1;
    s->x_scale = scale_of(&s->x);
    return 0;
}

static int read_cifar(const nn_source_options *o, int training, nn_split *s, char *err, size_t errlen)
{
    snprintf(s->x_what, sizeof s->x_what, "%s/%s", o->path, training ? "data_batch_*.bin" : "test_batch.bin");
    snprintf(s->y_what, sizeof s->y_what, "%s", s->x_what);
    s->x_scale = 1.0f / 255.0f;
    return nn_cifar10_load_dir(o->path, training, &s->x, &s->labels, err, errlen);
}

/* Arrays arrays[0], arrays[1] (training) or arrays[2], arrays[3] (test) of an .npz file. */
static int read_npz(const nn_source_options *o, int training, nn_split *s, char *err, size_t errlen)
{
    const char *xname = o->arrays[training ? 0 : 2], *yname = o->arrays[training ? 1 : 3];
    nn_npz z;
    if (nn_npz_open(o->path, &z, err, errlen) != 0) return -1;
    snprintf(s->x_what, sizeof s->x_what, "%s: %s", o->path, xname);
    snprintf(s->y_what, sizeof s->y_what, "%s: %s", o->path, yname);
    int rc = 0, other = -1;
    for (int i = 0; i < nn_npz_count(&z) && other < 0; ++i)
        if (!nn_npz_is_array(&z, i)) other = i;
    if (other >= 0) {
        snprintf(err, errlen, "%s: member %s is not a .npy array (an .npz holds arrays only)", o->path,
                 nn_npz_name(&z, other));
        rc = -1;
    } else if (nn_npz_find(&z, xname) < 0 && !training) {
        rc = 1;
    } else if (nn_npz_find(&z, xname) < 0 || nn_npz_find(&z, yname) < 0) {
        snprintf(err, errlen, "%s: no array %s (arrays are named %s, %s, %s and %s; see --arrays)", o->path,
                 nn_npz_find(&z, xname) < 0 ? xname : yname, o->arrays[0], o->arrays[1], o->arrays[2], o->arrays[3]);
        rc = -1;
    } else {
        rc = nn_npz_read(&z, xname, &s->x, err, errlen) || nn_npz_read(&z, yname, &s->labels, err, errlen) ? -1 : 0;
        s->x_scale = scale_of(&s->x);
    }
    nn_npz_close(&z);
    return rc;
}

/* DIR/x_train.npy and DIR/y_train.npy (names from arrays), or the test pair. */
static int read_npy_dir(const nn_source_options *o, int training, nn_split *s, char *err, size_t errlen)
{
    snprintf(s->x_what, sizeof s->x_what, "%s/%s.npy", o->path, o->arrays[training ? 0 : 2]);
    snprintf(s->y_what, sizeof s->y_what, "%s/%s.npy", o->path, o->arrays[training ? 1 : 3]);
    if (!training && access(s->x_what, F_OK) != 0) return 1;
    if (nn_npy_read(s->x_what, &s->x, err, errlen) != 0 || nn_npy_read(s->y_what, &s->labels, err, errlen) != 0)
        return -1;
    s->x_scale = scale_of(&s->x);
    return 0;
}

/* A CSV file's features and targets (targets: NN_CSV_LAST_COLUMN, a list or NN_CSV_NO_TARGETS). */
static int read_csv_file(const char *path, const char *targets, nn_split *s, char *err, size_t errlen)
{
    nn_csv c;
    if (nn_csv_read(path, &c, err, errlen) != 0) return -1;
    const int rc = nn_csv_split(&c, targets, NN_F32, &s->x, &s->labels, err, errlen);
    nn_csv_free(&c);
    snprintf(s->x_what, sizeof s->x_what, "%s", path);
    snprintf(s->y_what, sizeof s->y_what, "%s", path);
    return rc;
}

/* PATH.csv is the training split alone; a directory holds train.csv and, optionally, test.csv. */
static int read_csv(const nn_source_options *o, int training, nn_split *s, char *err, size_t errlen)
{
    struct stat st;
    char path[4200];
    const int dir = stat(o->path, &st) == 0 && S_ISDIR(st.st_mode);
    if (!dir && !training) return 1;
    snprintf(path, sizeof path, "%s%s", o->path, dir ? (training ? "/train.csv" : "/test.csv") : "");
    if (dir && !training && access(path, F_OK) != 0) return 1;
    return read_csv_file(path, o->targets, s, err, errlen);
}

/* Moves an image set's pixels, labels and names into the split. */
static int take_images(nn_image_set *set, nn_split *s, char *err, size_t errlen)
{
    int rc = 0;
    if (set->labels && nn_array_alloc_f32(&s->labels, 1, &set->count) == 0) {
        for (size_t i = 0; i < set->count; ++i) ((float *)s->labels.owned)[i] = (float)set->labels[i];
    } else if (set->labels) {
        snprintf(err, errlen, "%s: out of memory for the labels", s->x_what);
        rc = -1;
    }
    s->x = set->x;
    s->x_scale = 1.0f / 255.0f;
    s->names = set->names;
    s->class_names = set->class_names;
    s->n_classes = set->n_classes;
    s->skipped = set->skipped;
    *set = (nn_image_set){ .labels = set->labels }; /* what moved is the split's now */
    nn_image_set_free(set);
    return rc;
}

/* DIR/train/CLASS/... and, optionally, DIR/test/CLASS/... */
static int read_images(const nn_source_options *o, int training, nn_split *s, char *err, size_t errlen)
{
    snprintf(s->x_what, sizeof s->x_what, "%s/%s", o->path, training ? "train" : "test");
    snprintf(s->y_what, sizeof s->y_what, "%s", s->x_what);
    if (!training && access(s->x_what, F_OK) != 0) return 1;
    const nn_image_options io = { .channels = o->channels, .height = o->height, .width = o->width,
                                  .skip_bad = o->skip_bad };
    nn_image_set set;
    if (nn_image_folder_load(s->x_what, &io, &set, err, errlen) != 0) return -1;
    return take_images(&set, s, err, errlen);
}

int nn_source_read(const nn_source_options *o, nn_data_format f, int training, nn_split *out, char *err,
                   size_t errlen)
{
    *out = (nn_split){ .x_scale = 1.0f };
    int rc = -1;
    switch (f) {
    case NN_FORMAT_IDX: rc = read_idx(o, training, out, err, errlen); break;
    case NN_FORMAT_CIFAR10: rc = read_cifar(o, training, out, err, errlen); break;
    case NN_FORMAT_NPZ: rc = read_npz(o, training, out, err, errlen); break;
    case NN_FORMAT_NPY: rc = read_npy_dir(o, training, out, err, errlen); break;
    case NN_FORMAT_CSV: rc = read_csv(o, training, out, err, errlen); break;
    case NN_FORMAT_IMAGES: rc = read_images(o, training, out, err, errlen); break;
    case NN_FORMAT_AUTO: snprintf(err, errlen, "%s: no format detected", o->path); break;
    }
    if (rc != 0) nn_split_free(out);
    return rc;
}

void nn_split_free(nn_split *s)
{
    nn_free_names(s->names, s->x.ndims ? s->x.dims[0] : 0);
    nn_free_names(s->class_names, (size_t)s->n_classes);
    nn_array_free(&s->x);
    nn_array_free(&s->labels);
    *s = (nn_split){ 0 };
}

/* A CSV of inputs to predict: every column a feature, or with the target columns dropped when the file has them. */
static int read_csv_inputs(const nn_source_options *o, nn_split *s, char *err, size_t errlen)
{
    nn_csv c;
    if (nn_csv_read(o->path, &c, err, errlen) != 0) return -1;
    const char *targets = (size_t)c.cols == o->input_size ? NN_CSV_NO_TARGETS : o->targets;
    const int rc = nn_csv_split(&c, targets, NN_F32, &s->x, &s->labels, err, errlen);
    nn_csv_free(&c);
    nn_array_free(&s->labels);
    snprintf(s->x_what, sizeof s->x_what, "%s", o->path);
    return rc;
}

int nn_source_read_inputs(const nn_source_options *o, nn_split *out, char *err, size_t errlen)
{
    *out = (nn_split){ .x_scale = 1.0f };
    snprintf(out->x_what, sizeof out->x_what, "%s", o->path);
    unsigned char magic[8] = { 0 };
    struct stat st;
    const int is_dir = stat(o->path, &st) == 0 && S_ISDIR(st.st_mode);
    const long got = is_dir ? 0 : read_magic(o->path, magic, sizeof magic, err, errlen);
    int rc;
    if (got < 0) {
        rc = -1;
    } else if (got >= 6 && !memcmp(magic, "\x93NUMPY", 6)) {
        rc = nn_npy_read(o->path, &out->x, err, errlen);
        out->x_scale = scale_of(&out->x);
    } else if (has_suffix(o->path, ".csv") || has_suffix(o->path, ".CSV")) {
        rc = read_csv_inputs(o, out, err, errlen);
    } else {
        const nn_image_options io = { .channels = o->channels, .height = o->height, .width = o->width,
                                      .skip_bad = o->skip_bad };
        nn_image_set set;
        rc = nn_image_files_load(o->path, &io, &set, err, errlen);
        if (rc == 0) rc = take_images(&set, out, err, errlen);
    }
    if (rc != 0) nn_split_free(out);
    return rc;
}

#include "image_folder.h"

#include "image.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#define PATH_BYTES 4096
#define MAX_NESTING 8 /* folders deeper in a class folder are ignored (symlink loops end) */

typedef struct {
    char **items;
    size_t count, cap;
} name_list;

typedef struct {
    size_t hidden, ignored;
} scan_counts;

static int list_push(name_list *l, const char *s)
{
    if (l->count == l->cap) {
        const size_t cap = l->cap ? 2 * l->cap : 64;
        char **items = realloc(l->items, cap * sizeof *items);
        if (!items) return -1;
        l->items = items, l->cap = cap;
    }
    if (!(l->items[l->count] = strdup(s))) return -1;
    ++l->count;
    return 0;
}

static int by_strcmp(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* torchvision's order, sorted(os.walk()): by folder path, then by file name. */
static int by_folder_then_name(const void *a, const void *b)
{
    const char *x = *(char *const *)a, *y = *(char *const *)b;
    const size_t fx = (size_t)(strrchr(x, '/') - x), fy = (size_t)(strrchr(y, '/') - y);
    const int c = memcmp(x, y, fx < fy ? fx : fy);
    if (c != 0 || fx == fy) return c != 0 ? c : strcmp(x + fx, y + fy);
    return fx < fy ? -1 : 1;
}

static int has_image_extension(const char *name)
{
    const char *dot = strrchr(name, '.');
    return dot && (!strcasecmp(dot, ".png") || !strcasecmp(dot, ".jpg") || !strcasecmp(dot, ".jpeg"));
}

/* a/b, or b alone when a is NULL. */
static int join(char *out, const char *a, const char *b, char *err, size_t errlen)
{
    if (snprintf(out, PATH_BYTES, "%s%s%s", a ? a : "", a ? "/" : "", b) < PATH_BYTES) return 0;
    snprintf(err, errlen, "%s/%s: path too long", a ? a : "", b);
    return -1;
}

/* Appends the image files in ROOT/REL (ROOT when rel is NULL) to `files` as
 * paths relative to ROOT, descending `depth` more folder levels. */
static int scan_images(const char *root, const char *rel, int depth, name_list *files, scan_counts *counts,
                       char *err, size_t errlen)
{
    char folder[PATH_BYTES], child[PATH_BYTES], path[PATH_BYTES];
    if (join(folder, rel ? root : NULL, rel ? rel : root, err, errlen) != 0) return -1;
    DIR *d = opendir(folder);
    if (!d) return snprintf(err, errlen, "%s: cannot read the folder", folder), -1;
    int status = 0;
    struct stat st;
    for (struct dirent *e; status == 0 && (e = readdir(d));) {
        if (e->d_name[0] == '.') {
            counts->hidden += strcmp(e->d_name, ".") && strcmp(e->d_name, "..");
            continue;
        }
        status = join(child, rel, e->d_name, err, errlen) || join(path, root, child, err, errlen) ? -1 : 0;
        if (status != 0) continue;
        if (stat(path, &st) != 0) ++counts->ignored; /* a broken link */
        else if (S_ISDIR(st.st_mode) && depth > 0)
            status = scan_images(root, child, depth - 1, files, counts, err, errlen);
        else if (S_ISREG(st.st_mode) && has_image_extension(e->d_name)) status = list_push(files, child);
        else ++counts->ignored;
        if (status != 0 && !*err) snprintf(err, errlen, "%s: out of memory", folder);
    }
    closedir(d);
    return status;
}

/* The names of the visible subfolders of `dir`, sorted. */
static int list_classes(const char *dir, name_list *classes, char *err, size_t errlen)
{
    DIR *d = opendir(dir);
    if (!d) return snprintf(err, errlen, "%s: cannot read the folder", dir), -1;
    char path[PATH_BYTES];
    struct stat st;
    int status = 0;
    for (struct dirent *e; status == 0 && (e = readdir(d));) {
        if (e->d_name[0] == '.') continue;
        if (join(path, dir, e->d_name, err, errlen) != 0) {
            status = -1;
        } else if (stat(path, &st) == 0 && S_ISDIR(st.st_mode) && list_push(classes, e->d_name) != 0) {
            snprintf(err, errlen, "%s: out of memory", dir);
            status = -1;
        }
    }
    closedir(d);
    if (status != 0) return -1;
    if (classes->count == 0)
        return snprintf(err, errlen, "%s: no class folders (expected %s/CLASS/IMAGE.png)", dir, dir), -1;
    qsort(classes->items, classes->count, sizeof *classes->items, by_strcmp);
    return 0;
}

static int no_images(const char *folder, const scan_counts *counts, char *err, size_t errlen)
{
    snprintf(err, errlen, "%s: no .png/.jpg/.jpeg images (%zu hidden files skipped, %zu other files ignored)", folder,
             counts->hidden, counts->ignored);
    return -1;
}

static int check_folder(const char *dir, char *err, size_t errlen)
{
    struct stat st;
    if (stat(dir, &st) != 0) return snprintf(err, errlen, "%s: no such folder", dir), -1;
    if (!S_ISDIR(st.st_mode)) return snprintf(err, errlen, "%s: not a folder", dir), -1;
    return 0;
}

/* The full path of an image, under root when there is one (the length was checked by join). */
static void image_path(const char *root, const char *name, char *out)
{
    snprintf(out, PATH_BYTES, "%s%s%s", root ? root : "", root ? "/" : "", name);
}

/* Decodes every image into s->x in parallel; failed[i] marks the files that did not decode. */
static void decode_all(const char *root, nn_image_set *s, const nn_image_options *opt, unsigned char *failed)
{
    const size_t sample = (size_t)opt->channels * opt->height * opt->width;
    uint8_t *x = s->x.owned;
    const long n = (long)s->count;
#pragma omp parallel for schedule(dynamic)
    for (long i = 0; i < n; ++i) {
        char path[PATH_BYTES], ignored[8]; /* the message of the first failure is made again, in file order */
        image_path(root, s->names[i], path);
        failed[i] = nn_image_load(path, opt->channels, opt->height, opt->width, x + i * sample, ignored,
                                  sizeof ignored) != 0;
    }
}

/* The message of a file that did not decode, by decoding it again. */
static int report_failure(const char *root, const char *name, int channels, char *err, size_t errlen)
{
    char path[PATH_BYTES];
    nn_image im;
    image_path(root, name, path);
    if (nn_image_read(path, channels, &im, err, errlen) == 0) snprintf(err, errlen, "%s: out of memory", path);
    nn_image_free(&im);
    return -1;
}

/* Moves the images that decoded to the front; returns how many did. */
static size_t drop_failed(nn_image_set *s, const unsigned char *failed, size_t sample)
{
    uint8_t *x = s->x.owned;
    size_t kept = 0;
    for (size_t i = 0; i < s->count; ++i) {
        if (failed[i]) {
            free(s->names[i]);
            continue;
        }
        memmove(x + kept * sample, x + i * sample, sample);
        s->names[kept] = s->names[i];
        if (s->labels) s->labels[kept] = s->labels[i];
        ++kept;
    }
    return kept;
}

/* Fills s->x from the files s->names (relative to root, if any); the first
 * failure is the error unless skip_bad (and some images decode). */
static int load_images(const char *root, nn_image_set *s, const nn_image_options *opt, char *err, size_t errlen)
{
    const size_t sample = (size_t)opt->channels * opt->height * opt->width;
    unsigned char *failed = malloc(s->count);
    s->x = (nn_array){ .dtype = NN_U8, .ndims = 4, .count = s->count * sample,
                       .dims = { s->count, (size_t)opt->channels, (size_t)opt->height, (size_t)opt->width } };
    s->x.data = s->x.owned = malloc(s->x.count ? s->x.count : 1);
    if (!failed || !s->x.owned) {
        free(failed);
        return snprintf(err, errlen, "%s: out of memory for %zu images", root ? root : s->names[0], s->count), -1;
    }
    decode_all(root, s, opt, failed);
    size_t first = 0, bad = 0;
    for (size_t i = s->count; i-- > 0;)
        if (failed[i]) first = i, ++bad;
    int status = 0;
    if (bad > 0 && (!opt->skip_bad || bad == s->count))
        status = report_failure(root, s->names[first], opt->channels, err, errlen);
    else if (bad > 0) s->count = s->x.dims[0] = drop_failed(s, failed, sample);
    free(failed);
    s->skipped = bad;
    s->x.count = s->count * sample;
    return status;
}

static int check_options(const char *path, const nn_image_options *opt, char *err, size_t errlen)
{
    if ((opt->channels == 1 || opt->channels == 3) && opt->height > 0 && opt->width > 0 &&
        (size_t)opt->height * opt->width <= NN_IMAGE_MAX_PIXELS)
        return 0;
    snprintf(err, errlen, "%s: cannot load images as %d x %d x %d (channels 1 or 3, a positive size)", path,
             opt->channels, opt->height, opt->width);
    return -1;
}

/* The images of every class folder, in order, with their labels. */
static int scan_classes(const char *dir, nn_image_set *s, char *err, size_t errlen)
{
    name_list files = { 0 };
    for (int c = 0; c < s->n_classes; ++c) {
        scan_counts counts = { 0 };
        const size_t before = files.count;
        if (scan_images(dir, s->class_names[c], MAX_NESTING, &files, &counts, err, errlen) != 0) break;
        s->ignored += counts.ignored;
        if (files.count == before) {
            char folder[PATH_BYTES];
            image_path(dir, s->class_names[c], folder);
            no_images(folder, &counts, err, errlen);
            break;
        }
        qsort(files.items + before, files.count - before, sizeof *files.items, by_folder_then_name);
        int *labels = realloc(s->labels, sizeof(int) * (files.count ? files.count : 1));
        if (!labels) {
            snprintf(err, errlen, "%s: out of memory", dir);
            break;
        }
        s->labels = labels;
        for (size_t i = before; i < files.count; ++i) s->labels[i] = c;
    }
    s->names = files.items, s->count = files.count;
    return *err ? -1 : 0;
}

int nn_image_folder_load(const char *dir, const nn_image_options *opt, nn_image_set *out, char *err, size_t errlen)
{
    name_list classes = { 0 };
    *out = (nn_image_set){ 0 };
    err[0] = '\0';
    if (check_options(dir, opt, err, errlen) != 0 || check_folder(dir, err, errlen) != 0) return -1;
    const int listed = list_classes(dir, &classes, err, errlen);
    out->class_names = classes.items, out->n_classes = (int)classes.count;
    if (listed != 0 || scan_classes(dir, out, err, errlen) != 0 || load_images(dir, out, opt, err, errlen) != 0) {
        nn_image_set_free(out);
        return -1;
    }
    return 0;
}

/* The image files directly in folder `dir`, sorted. */
static int scan_flat(const char *dir, nn_image_set *s, char *err, size_t errlen)
{
    name_list files = { 0 };
    scan_counts counts = { 0 };
    const int status = scan_images(dir, NULL, 0, &files, &counts, err, errlen);
    s->names = files.items, s->count = files.count, s->ignored = counts.ignored;
    if (status != 0) return -1;
    if (files.count == 0) return no_images(dir, &counts, err, errlen);
    qsort(files.items, files.count, sizeof *files.items, by_strcmp);
    return 0;
}

static int single_file(const char *path, nn_image_set *s, char *err, size_t errlen)
{
    name_list files = { 0 };
    const int status = list_push(&files, path);
    s->names = files.items, s->count = files.count;
    if (status != 0) snprintf(err, errlen, "%s: out of memory", path);
    return status;
}

int nn_image_files_load(const char *path, const nn_image_options *opt, nn_image_set *out, char *err, size_t errlen)
{
    struct stat st;
    *out = (nn_image_set){ 0 };
    err[0] = '\0';
    if (check_options(path, opt, err, errlen) != 0) return -1;
    if (stat(path, &st) != 0) return snprintf(err, errlen, "%s: no such file or folder", path), -1;
    const int folder = S_ISDIR(st.st_mode);
    if ((folder ? scan_flat(path, out, err, errlen) : single_file(path, out, err, errlen)) != 0 ||
        load_images(folder ? path : NULL, out, opt, err, errlen) != 0) {
        nn_image_set_free(out);
        return -1;
    }
    return 0;
}

void nn_image_set_free(nn_image_set *s)
{
    nn_array_free(&s->x);
    for (size_t i = 0; i < s->count; ++i) free(s->names[i]);
    for (int c = 0; c < s->n_classes; ++c) free(s->class_names[c]);
    free(s->names);
    free(s->labels);
    free(s->class_names);
    *s = (nn_image_set){ 0 };
}

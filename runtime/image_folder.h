/* Image data sets in torchvision's ImageFolder layout, DIR/CLASS/.../IMAGE:
 * the classes are DIR's subfolders in strcmp order (torchvision's sorted
 * class_to_idx), a class's images are its .png/.jpg/.jpeg files (any case)
 * in subfolders too, ordered as torchvision's sorted(os.walk()) (by folder
 * path, then by name). Names beginning with '.' are skipped, files with other
 * extensions ignored (and counted). Also unlabelled images for prediction:
 * one file, or a flat folder of them.
 *
 * Every image is decoded (in parallel, OpenMP), converted to `channels` and
 * resized to height x width (image.h) into one uint8 array [N][C][H][W]. The
 * first file that fails, in file order, is the error, unless skip_bad skips
 * and counts such files. Errors are one line, "PATH: what is wrong". */
#ifndef NN_IMAGE_FOLDER_H
#define NN_IMAGE_FOLDER_H

#include "array.h"

#include <stddef.h>

typedef struct {
    int channels, height, width; /* every image is converted and resized to these */
    int skip_bad;                /* skip (and count) files that do not decode, rather than fail */
} nn_image_options;

typedef struct {
    nn_array x;         /* uint8 [count][channels][height][width], owned */
    size_t count;
    int *labels;        /* count class indices, or NULL for unlabelled images */
    char **names;       /* count paths relative to the folder ("cat/001.png"); a lone file's path as given */
    int n_classes;
    char **class_names; /* n_classes folder names, in class index order */
    size_t skipped;     /* files that did not decode, skipped under skip_bad */
    size_t ignored;     /* files with other extensions (and, in a flat folder, subfolders) */
} nn_image_set;

/* The labelled images of DIR/CLASS/... (e.g. DIR = data/train). */
int nn_image_folder_load(const char *dir, const nn_image_options *opt, nn_image_set *out, char *err, size_t errlen);
/* Unlabelled images: the file `path`, or the image files directly in the folder `path`. */
int nn_image_files_load(const char *path, const nn_image_options *opt, nn_image_set *out, char *err, size_t errlen);
void nn_image_set_free(nn_image_set *s);

#endif

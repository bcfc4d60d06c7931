/* For harnesses of readers that take a path: the fuzz input written to a
 * file of this process, created on the first call and removed at exit. The
 * file lives under /dev/shm (memory) when there is one: on disk, writing it
 * takes most of a harness's time. */
#ifndef NN_FUZZ_INPUT_FILE_H
#define NN_FUZZ_INPUT_FILE_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* A new empty file named after tag, under /dev/shm or else /tmp, its name into path (64 chars); aborts on failure. */
static void make_temp_file(char *path, const char *tag)
{
    const char *const dirs[] = { "/dev/shm", "/tmp" };
    for (int i = 0; i < 2; ++i) {
        snprintf(path, 64, "%s/nncc-fuzz-%s-XXXXXX", dirs[i], tag);
        const int fd = mkstemp(path);
        if (fd >= 0) {
            close(fd);
            return;
        }
    }
    perror(path);
    abort();
}

static char input_path[64];

static void remove_input_file(void)
{
    unlink(input_path);
}

/* The path of this process's input file, created empty on the first call. */
static const char *input_file(void)
{
    if (!input_path[0]) {
        make_temp_file(input_path, "input");
        atexit(remove_input_file);
    }
    return input_path;
}

/* Replaces the file's contents with data[0 .. size). */
static const char *write_input(const unsigned char *data, size_t size)
{
    FILE *f = fopen(input_file(), "wb");
    if (!f || fwrite(data, 1, size, f) != size || fclose(f) != 0) abort();
    return input_path;
}

#endif

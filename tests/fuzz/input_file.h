/* For harnesses of readers that take a path: the fuzz input written to a
 * file of this process under /tmp, created on the first call and removed at
 * exit. */
#ifndef NN_FUZZ_INPUT_FILE_H
#define NN_FUZZ_INPUT_FILE_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char input_path[] = "/tmp/nncc-fuzz-XXXXXX";

static void remove_input_file(void)
{
    unlink(input_path);
}

/* The path of this process's input file, created empty on the first call. */
static const char *input_file(void)
{
    static int created;
    if (!created) {
        const int fd = mkstemp(input_path);
        if (fd < 0) {
            perror(input_path);
            abort();
        }
        close(fd);
        atexit(remove_input_file);
        created = 1;
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

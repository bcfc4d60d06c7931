/* NumPy .npz archives (numpy.savez and numpy.savez_compressed): zip files
 * whose members NAME.npy are .npy arrays. The central directory is read at
 * open, zip64 included (end record, locator and per-member extra fields).
 *
 * Stored members are not copied: their array memory-maps the member's pages
 * of the file itself, so it outlives nn_npz_close (their CRC-32 is not
 * checked, which would read every byte). Deflated members are inflated into
 * a buffer the array owns and checked against their CRC-32. Encrypted,
 * multi-disk and other compression methods are refused.
 *
 * Errors are one line: "PATH: what is wrong" for the archive, "PATH: member
 * NAME: what is wrong" for a member. */
#ifndef NN_NPZ_H
#define NN_NPZ_H

#include "array.h"

#include <stddef.h>
#include <stdint.h>

typedef struct {
    const char *name;   /* the array's name: the member's without ".npy" */
    const char *member; /* the member's name in the archive */
    int is_npy;
    uint16_t flags, method;
    uint32_t crc;
    uint64_t comp_size, size, local_offset;
} nn_npz_member;

typedef struct {
    char *what; /* the path, in errors */
    const unsigned char *buf;
    size_t len;
    void *map; /* the file's mapping (buf), or NULL for nn_npz_open_mem */
    int fd;    /* the file, for the arrays' own mappings, or -1 */
    int count;
    nn_npz_member *members;
    char *names;
} nn_npz;

/* Opens the archive at path (memory-mapped). Returns 0, or -1 with the error
 * in err and nothing to close. */
int nn_npz_open(const char *path, nn_npz *z, char *err, size_t errlen);
/* The same on an archive in memory, named what in errors; arrays read from
 * stored members then point into buf, which the caller keeps alive. */
int nn_npz_open_mem(const unsigned char *buf, size_t len, const char *what, nn_npz *z, char *err,
                    size_t errlen);
/* The number of members, and member i's array name (i in 0 .. count-1). */
int nn_npz_count(const nn_npz *z);
const char *nn_npz_name(const nn_npz *z, int i);
/* Whether member i is a .npy array (numpy writes nothing else into an .npz). */
int nn_npz_is_array(const nn_npz *z, int i);
/* The index of the member holding array name ("x_train" for x_train.npy), or -1. */
int nn_npz_find(const nn_npz *z, const char *name);
/* Reads array name into out (free it with nn_array_free, before or after
 * nn_npz_close). Returns 0, or -1 with the error in err. */
int nn_npz_read(nn_npz *z, const char *name, nn_array *out, char *err, size_t errlen);
void nn_npz_close(nn_npz *z);

#endif

/* libFuzzer harness of the IDX reader. The first input byte picks how the
 * rest reaches the reader: as it is (odd) or gzip-compressed by the harness
 * (even), so that mutations reach the gzip path as readable streams too.
 * Every element of an array read is loaded (integers must come out
 * finite), and its count checked. */
#include "../../runtime/array.c"
#include "../../runtime/gz_stream.c"
#include "../../runtime/idx.c"
#include "../../runtime/regular_file.c"
#include "input_file.h"

#include <stdint.h>

static const char *write_gzipped(const uint8_t *data, size_t size)
{
    gzFile f = gzopen(input_file(), "wb");
    if (!f || (size && gzwrite(f, data, (unsigned)size) != (int)size) || gzclose(f) != Z_OK) abort();
    return input_path;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0) return 0;
    const char *path = data[0] & 1 ? write_input(data + 1, size - 1) : write_gzipped(data + 1, size - 1);
    nn_array a;
    char err[256];
    if (nn_idx_read(path, &a, err, sizeof err) != 0) return 0;
    size_t count = 1;
    for (int d = 0; d < a.ndims; ++d) count *= a.dims[d];
    if (count != a.count) __builtin_trap();
    for (size_t i = 0; i < a.count; ++i)
        if (!nn_dtype_is_float(a.dtype) && !isfinite(nn_array_at(&a, i))) __builtin_trap();
    nn_array_free(&a);
    return 0;
}

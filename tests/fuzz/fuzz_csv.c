/* libFuzzer harness of the CSV reader: parses the input from memory and,
 * when it is a table, checks its shape and values and splits it as a trainer
 * would: on the last column, on none, on the first column's name (a list
 * when the name holds commas), to float32 and float64. */
#include "../../runtime/array.c"
#include "../../runtime/csv.c"
#include "../../runtime/regular_file.c"

#include <stdint.h>

static void split_every_way(const nn_csv *c)
{
    const char *const targets[] = { NN_CSV_LAST_COLUMN, NN_CSV_NO_TARGETS, c->names[0] };
    const nn_dtype dtypes[] = { NN_F32, NN_F64 };
    char err[256];
    for (int t = 0; t < 3; ++t)
        for (int d = 0; d < 2; ++d) {
            nn_array x, y;
            if (nn_csv_split(c, targets[t], dtypes[d], &x, &y, err, sizeof err) != 0) continue;
            if (x.dims[0] != c->values.dims[0] || x.dims[1] + y.dims[1] != (size_t)c->cols) __builtin_trap();
            nn_array_free(&x);
            nn_array_free(&y);
        }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    nn_csv c;
    char err[256];
    if (nn_csv_parse("fuzz.csv", (const char *)data, size, &c, err, sizeof err) != 0) {
        if (strchr(err, '\n')) __builtin_trap(); /* messages are one line */
        return 0;
    }
    if (c.cols < 1 || c.values.dims[0] < 1 || c.values.count != c.values.dims[0] * (size_t)c.cols ||
        nn_array_first_nonfinite(&c.values) != c.values.count || nn_csv_column(&c, c.names[c.cols - 1]) != c.cols - 1)
        __builtin_trap();
    split_every_way(&c);
    nn_csv_free(&c);
    return 0;
}

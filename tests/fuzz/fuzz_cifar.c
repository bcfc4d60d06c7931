/* libFuzzer harness of the CIFAR-10 reader: the input as a batch file,
 * appended twice to one data set (the second append grows it); every pixel
 * must come out in [0, 1] and every label in 0 .. 9. */
#include "../../runtime/array.c"
#include "../../runtime/idx.c"
#include "../../runtime/dataset.c"
#include "../../runtime/cifar.c"
#include "input_file.h"

#include <stdint.h>

static void check(const nn_dataset *ds)
{
    for (size_t i = 0; i < ds->count; ++i) {
        if (ds->y[i] > 9) __builtin_trap();
        for (size_t j = 0; j < ds->sample_size; ++j) {
            const float v = ds->x[i * ds->sample_size + j];
            if (!(v >= 0.0f && v <= 1.0f)) __builtin_trap();
        }
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *path = write_input(data, size);
    nn_dataset ds = { 0 };
    char err[4352];
    if (nn_cifar10_append(path, &ds, err, sizeof err) == 0) {
        const size_t once = ds.count;
        if (nn_cifar10_append(path, &ds, err, sizeof err) != 0 || ds.count != 2 * once) __builtin_trap();
        check(&ds);
    }
    nn_dataset_free(&ds);
    return 0;
}

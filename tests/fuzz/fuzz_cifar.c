/* libFuzzer harness of the CIFAR-10 reader: the input as a batch file,
 * appended twice to one data set (the second append grows it); every label
 * must come out in 0 .. 9 and the records must repeat. */
#include "../../runtime/array.c"
#include "../../runtime/cifar.c"
#include "../../runtime/regular_file.c"
#include "input_file.h"

#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *path = write_input(data, size);
    nn_array x = { 0 }, y = { 0 };
    char err[4352];
    if (nn_cifar10_append(path, &x, &y, err, sizeof err) == 0) {
        const size_t once = y.count;
        if (nn_cifar10_append(path, &x, &y, err, sizeof err) != 0 || y.count != 2 * once) __builtin_trap();
        for (size_t i = 0; i < y.count; ++i)
            if (y.data[i] > 9 || memcmp(x.data + i * 3072, x.data + (i % once) * 3072, 3072)) __builtin_trap();
    }
    nn_array_free(&x);
    nn_array_free(&y);
    return 0;
}

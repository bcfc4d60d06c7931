/* libFuzzer harness for the .npy parser: parses the input from memory and,
 * when it is accepted, reads every element (so a wrong size or offset shows
 * up under AddressSanitizer) and frees the array. */
#include "../../runtime/array.c"
#include "../../runtime/npy.c"
#include "../../runtime/regular_file.c"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    nn_array a;
    char err[256];
    if (nn_npy_parse(data, size, "fuzz", &a, err, sizeof err) != 0) return 0;
    double sum = 0;
    for (size_t i = 0; i < a.count; ++i) sum += nn_array_at(&a, i);
    (void)sum;
    nn_array_free(&a);
    return 0;
}

/* libFuzzer harness for the .npz reader: opens the input as an archive in
 * memory, reads every member (reading every element of those accepted, so a
 * wrong size or offset shows up under AddressSanitizer) and closes it. */
#include "../../runtime/array.c"
#include "../../runtime/npy.c"
#include "../../runtime/npz.c"
#include "../../runtime/regular_file.c"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    nn_npz z;
    char err[256];
    if (nn_npz_open_mem(data, size, "fuzz", &z, err, sizeof err) != 0) return 0;
    for (int m = 0; m < nn_npz_count(&z); ++m) {
        nn_array a;
        if (nn_npz_read(&z, nn_npz_name(&z, m), &a, err, sizeof err) != 0) continue;
        double sum = 0;
        for (size_t i = 0; i < a.count; ++i) sum += nn_array_at(&a, i);
        (void)sum;
        nn_array_free(&a);
    }
    nn_npz_close(&z);
    return 0;
}

/* Runs an exported inference library (generator/main.lua --infer) on raw
 * 8-bit records, scaled to [0, 1] as the trainer reads them, and prints one
 * CSV row per record: the class, then the outputs with 9 significant digits.
 * With BENCH set, times REPEAT passes over the records instead and prints
 * records per second. Built per model:
 *   -DINFER_HEADER='"NAME_infer.h"' -DPREDICT=NAME_predict -DIN_SIZE=... -DOUT_SIZE=...
 *   [-DLOAD_WEIGHTS=NAME_load_weights]
 * usage: run_infer RECORDS.u8 FILE_HEADER_BYTES RECORD_PREFIX_BYTES N [WEIGHTS] [BENCH_REPEAT] */
#define _POSIX_C_SOURCE 200809L
#include INFER_HEADER

#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static unsigned char *read_records(const char *path, long head, long prefix, long n)
{
    FILE *f = fopen(path, "rb");
    unsigned char *x = malloc((size_t)n * IN_SIZE);
    if (!f || !x || fseek(f, head, SEEK_SET) != 0) {
        perror(path);
        exit(1);
    }
    for (long i = 0; i < n; ++i)
        if (fseek(f, prefix, SEEK_CUR) != 0 || fread(x + i * IN_SIZE, 1, IN_SIZE, f) != IN_SIZE) {
            fprintf(stderr, "%s: record %ld is cut short\n", path, i);
            exit(1);
        }
    fclose(f);
    return x;
}

int main(int argc, char **argv)
{
    if (argc < 5) {
        fprintf(stderr, "usage: %s RECORDS.u8 FILE_HEADER_BYTES RECORD_PREFIX_BYTES N [WEIGHTS] [BENCH_REPEAT]\n",
                argv[0]);
        return 2;
    }
    const long n = atol(argv[4]);
    unsigned char *bytes = read_records(argv[1], atol(argv[2]), atol(argv[3]), n);
#ifdef LOAD_WEIGHTS
    if (argc < 6 || LOAD_WEIGHTS(argv[5]) != 0) {
        fprintf(stderr, "%s: cannot load the weights %s\n", argv[0], argc < 6 ? "(none given)" : argv[5]);
        return 1;
    }
#endif
    float *x = malloc(sizeof(float) * (size_t)n * IN_SIZE), y[OUT_SIZE];
    for (long i = 0; x && i < n * IN_SIZE; ++i) x[i] = bytes[i] * (1.0f / 255.0f);
    const int repeat = argc > 6 ? atoi(argv[6]) : 0;
    if (repeat > 0) {
        struct timespec t0, t1;
        clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t0);
        for (int r = 0; r < repeat; ++r)
            for (long i = 0; i < n; ++i) PREDICT(x + i * IN_SIZE, y);
        clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t1);
        const double s = (double)(t1.tv_sec - t0.tv_sec) + 1e-9 * (double)(t1.tv_nsec - t0.tv_nsec);
        printf("%.1f records/s\n", (double)n * repeat / s);
        return 0;
    }
    for (long i = 0; i < n; ++i) {
        printf("%d", PREDICT(x + i * IN_SIZE, y));
        for (int k = 0; k < OUT_SIZE; ++k) printf(",%.9g", y[k]);
        printf("\n");
    }
    free(x);
    free(bytes);
    return 0;
}

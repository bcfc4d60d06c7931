/* Times one generated float model: a training step (forward, loss, backward,
 * SGD-momentum update) or an evaluation-mode forward, on random data.
 * Built per model with -DMODEL=NAME_model -DMODEL_HEADER='"NAME.h"' (and,
 * for PROFILE=1, -DPROFILE_TABLE=NAME_profile from a --profile generation).
 * usage: bench_model train|infer BATCH THREADS WARMUP REPEATS
 * prints: "seconds MEDIAN MIN MAX peak_rss_mib R kernels NAME" and, with a profile, one
 * line per layer and direction: "layer PATH|DESC|DIR|MS_PER_STEP|GFLOPS". */
#include MODEL_HEADER
#include "fpmode.h"
#include "init.h"
#include "optim.h"
#include "progress.h"
#include "rng.h"

#include <cblas.h>
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

static void *must(size_t count, size_t size)
{
    void *p = calloc(count ? count : 1, size);
    if (!p) {
        fprintf(stderr, "bench_model: out of memory\n");
        exit(1);
    }
    return p;
}

static int by_value(const void *a, const void *b)
{
    const double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

int main(int argc, char **argv)
{
    if (argc != 6 || (strcmp(argv[1], "train") && strcmp(argv[1], "infer"))) {
        fprintf(stderr, "usage: %s train|infer BATCH THREADS WARMUP REPEATS\n", argv[0]);
        return 2;
    }
    const nn_model *m = &MODEL;
    const int training = !strcmp(argv[1], "train"), n = atoi(argv[2]), threads = atoi(argv[3]);
    const int warmup = atoi(argv[4]), repeats = atoi(argv[5]);
    if (n < 1 || n > m->batch || threads < 1 || repeats < 1) {
        fprintf(stderr, "bench_model: batch must be 1..%d, threads and repeats positive\n", m->batch);
        return 2;
    }
    nn_flush_subnormals(); /* as the trainer does */
    openblas_set_num_threads(threads);
    omp_set_num_threads(threads);
    nn_rng rng;
    nn_rng_seed(&rng, 1);
    nn_state s = { .params = must(m->n_params, sizeof(float)), .grads = must(m->n_params, sizeof(float)),
                   .acts = must(m->n_acts, sizeof(float)), .dacts = must(m->n_acts, sizeof(float)),
                   .work = must(m->n_work, sizeof(float)), .index = must(m->n_index, sizeof(int32_t)),
                   .rng = &rng };
    nn_init_params(m->tensors, m->n_tensors, s.params, &rng);
    float *x = must((size_t)n * m->input_size, sizeof(float)), *target = must((size_t)n * m->output_size, sizeof(float));
    for (size_t i = 0; i < (size_t)n * m->input_size; ++i) x[i] = (float)(nn_rng_uniform(&rng) * 2.0 - 1.0);
    for (int i = 0; i < n; ++i) target[(size_t)i * m->output_size + (size_t)i % m->output_size] = 1.0f;
    nn_optim_config cfg = nn_optim_defaults(NN_SGD);
    cfg.momentum = 0.9;
    nn_optimizer opt;
    nn_fused_update fused; /* the trainer's step when it neither accumulates nor clips */
    double *times = must((size_t)repeats, sizeof(double));
    int rc = 1;
    if (nn_optim_init(&opt, &cfg, m->n_params) != 0) goto out;
    if (nn_fused_init(&fused, &opt, m->tensors, m->n_tensors, NULL) != 0) goto out_optim;

    for (int r = -warmup; r < repeats; ++r) {
#ifdef PROFILE_TABLE
        if (r == 0)
            for (int l = 0; l < (int)(sizeof PROFILE_TABLE / sizeof PROFILE_TABLE[0]); ++l)
                memset(PROFILE_TABLE[l].seconds, 0, sizeof PROFILE_TABLE[l].seconds);
#endif
        const double t0 = nn_now();
        m->forward(&s, x, n, training);
        if (training) {
            m->loss(&s, target, n);
            nn_fused_begin(&fused, 0.001);
            s.fuse = &fused;
            m->backward(&s, n, NULL);
            nn_fused_finish(&fused, s.params, s.grads);
        }
        if (r >= 0) times[r] = nn_now() - t0;
    }
    qsort(times, (size_t)repeats, sizeof(double), by_value);
    struct rusage usage;
    getrusage(RUSAGE_SELF, &usage);
    printf("seconds %.6g %.6g %.6g peak_rss_mib %.1f kernels %s\n", times[repeats / 2], times[0], times[repeats - 1],
           usage.ru_maxrss / 1024.0, openblas_get_corename());
#ifdef PROFILE_TABLE
    for (int l = 0; l < (int)(sizeof PROFILE_TABLE / sizeof PROFILE_TABLE[0]); ++l) {
        const nn_profile_entry *e = &PROFILE_TABLE[l];
        for (int dir = 0; dir < (training ? 2 : 1); ++dir) {
            const double per_step = e->seconds[dir] / repeats;
            /* forward: 2 flops per MAC; backward: weight and input gradients, 2 each (no input gradient for the first layer) */
            const double flops = 2.0 * (double)e->macs * n * (dir == 0 ? 1.0 : (e->from_input ? 1.0 : 2.0));
            printf("layer %s|%s|%s|%.4f|%.2f\n", e->path, e->desc, dir ? "backward" : "forward", 1e3 * per_step,
                   per_step > 0 ? flops / per_step * 1e-9 : 0.0);
        }
    }
#endif
    rc = 0;
    nn_fused_free(&fused);
out_optim:
    nn_optim_free(&opt);
out:
    free(times);
    free(x);
    free(target);
    free(s.params);
    free(s.grads);
    free(s.acts);
    free(s.dacts);
    free(s.work);
    free(s.index);
    return rc;
}

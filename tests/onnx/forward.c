/* Runs one generated float model forward in evaluation mode: weights from a
 * safetensors file (as the trainer's --init loads them), n records of raw
 * little-endian float32 in, the output (n x output_size float32) out.
 * Built per model with -DMODEL=NAME_model -DMODEL_HEADER='"NAME.h"' by
 * tests/onnx/node_tests.py. */
#include MODEL_HEADER
#include "checkpoint.h"
#include "rng.h"

#include <stdio.h>
#include <stdlib.h>

static float *read_floats(const char *path, size_t count)
{
    FILE *f = fopen(path, "rb");
    float *v = malloc(sizeof(float) * (count + 1));
    size_t got = f && v ? fread(v, sizeof(float), count + 1, f) : 0;
    if (f) fclose(f);
    if (got != count) {
        fprintf(stderr, "%s: expected %zu float32 values\n", path, count);
        free(v);
        return NULL;
    }
    return v;
}

/* Loads the weights, runs forward, writes the output; 0 or 1 after saying why. */
static int run(const nn_model *m, nn_state *s, char **argv, int n)
{
    float *input = read_floats(argv[3], (size_t)n * m->input_size);
    if (!input) return 1;
    char err[512];
    if (nn_checkpoint_load(argv[1], m, s->params, NULL, NULL, err, sizeof err) != 0) {
        fprintf(stderr, "%s\n", err);
        free(input);
        return 1;
    }
    m->forward(s, input, n, 0);
    free(input);
    FILE *f = fopen(argv[4], "wb");
    const size_t count = (size_t)n * m->output_size;
    const int ok = f && fwrite(s->acts + m->output_offset, sizeof(float), count, f) == count;
    if (!(f && fclose(f) == 0 && ok)) {
        perror(argv[4]);
        return 1;
    }
    return 0;
}

int main(int argc, char **argv)
{
    if (argc != 5) {
        fprintf(stderr, "usage: %s WEIGHTS.safetensors N INPUT.f32 OUTPUT.f32\n", argv[0]);
        return 2;
    }
    const nn_model *m = &MODEL;
    const int n = atoi(argv[2]);
    if (n < 1 || n > m->batch) {
        fprintf(stderr, "N must be 1 to %d\n", m->batch);
        return 2;
    }
    nn_rng rng;
    nn_rng_seed(&rng, 1);
    nn_state s = {
        .params = calloc(m->n_params + 1, sizeof(float)), .grads = calloc(m->n_params + 1, sizeof(float)),
        .acts = calloc(m->n_acts + 1, sizeof(float)), .dacts = calloc(m->n_acts + 1, sizeof(float)),
        .work = calloc(m->n_work + 1, sizeof(float)), .index = calloc(m->n_index + 1, sizeof(int32_t)), .rng = &rng,
    };
    int status = 1;
    if (s.params && s.grads && s.acts && s.dacts && s.work && s.index) status = run(m, &s, argv, n);
    else fprintf(stderr, "out of memory\n");
    free(s.index);
    free(s.work);
    free(s.dacts);
    free(s.acts);
    free(s.grads);
    free(s.params);
    return status;
}

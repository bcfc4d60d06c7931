/* Runs one float model once (runtime initialization, a random partial batch,
 * forward, loss, backward) and writes everything PyTorch needs to redo and
 * check it: tests/torch/reference.py reads this file.
 * Built per model with -DMODEL=NAME_model -DMODEL_HEADER='"NAME.h"'.
 * Format (little-endian): "NNDUMP1\n", u32 n_tensors, per tensor: u32 name
 * length, name, u32 size, f32 values before forward, f32 gradient, f32 values
 * after forward and backward (they differ for BN running statistics); then u32 n,
 * u32 input_size, u32 output_size, f32 input, f32 target, f32 output,
 * f32 loss, f32 d_input.
 * With a third argument, the weights and buffers come from that checkpoint
 * (tests/onnx/roundtrip_tv.py: an imported model with PyTorch's weights). */
#include MODEL_HEADER
#include "checkpoint.h"
#include "init.h"
#include "rng.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void put_u32(FILE *f, uint32_t v) { fwrite(&v, sizeof v, 1, f); }
static void put_f32(FILE *f, const float *v, size_t n) { fwrite(v, sizeof(float), n, f); }

/* Writes the dump; 0, or 1 after saying why not. */
static int write_dump(const char *path, const nn_model *m, const nn_state *s, const float *before, int n,
                      const float *input, const float *target, float loss, const float *d_input)
{
    FILE *f = fopen(path, "wb");
    if (!f) {
        perror(path);
        return 1;
    }
    fputs("NNDUMP1\n", f);
    put_u32(f, (uint32_t)m->n_tensors);
    for (int t = 0; t < m->n_tensors; ++t) {
        const nn_tensor *d = &m->tensors[t];
        put_u32(f, (uint32_t)strlen(d->name));
        fputs(d->name, f);
        put_u32(f, (uint32_t)d->size);
        put_f32(f, before + d->offset, d->size);
        put_f32(f, s->grads + d->offset, d->size);
        put_f32(f, s->params + d->offset, d->size);
    }
    put_u32(f, (uint32_t)n);
    put_u32(f, (uint32_t)m->input_size);
    put_u32(f, (uint32_t)m->output_size);
    put_f32(f, input, (size_t)n * m->input_size);
    put_f32(f, target, (size_t)n * m->output_size);
    put_f32(f, s->acts + m->output_offset, (size_t)n * m->output_size);
    put_f32(f, &loss, 1);
    put_f32(f, d_input, (size_t)n * m->input_size);
    if (fclose(f) != 0) {
        perror(path);
        return 1;
    }
    return 0;
}

static void *must(void *p)
{
    if (!p) {
        fprintf(stderr, "dump_model: out of memory\n");
        exit(1);
    }
    return p;
}

int main(int argc, char **argv)
{
    if (argc != 3 && argc != 4) {
        fprintf(stderr, "usage: %s OUT.bin TRAINING(0|1) [WEIGHTS.safetensors]\n", argv[0]);
        return 2;
    }
    const nn_model *m = &MODEL;
    const int n = m->batch > 3 ? m->batch - 3 : m->batch; /* a partial batch where there is room */
    nn_state s = {
        .params = must(calloc(m->n_params + 1, sizeof(float))),
        .grads = must(calloc(m->n_params + 1, sizeof(float))),
        .acts = must(calloc(m->n_acts + 1, sizeof(float))),
        .dacts = must(calloc(m->n_acts + 1, sizeof(float))),
        .work = must(calloc(m->n_work + 1, sizeof(float))),
        .index = must(calloc(m->n_index + 1, sizeof(int32_t))),
    };
    float *input = must(calloc((size_t)n * m->input_size, sizeof(float)));
    float *d_input = must(calloc((size_t)n * m->input_size, sizeof(float)));
    float *target = must(calloc((size_t)n * m->output_size, sizeof(float)));
    nn_rng rng, model_rng;
    nn_rng_seed(&rng, 7);
    nn_rng_seed(&model_rng, 8);
    s.rng = &model_rng;
    nn_init_params(m->tensors, m->n_tensors, s.params, &rng);
    char err[512];
    if (argc == 4 && nn_checkpoint_load(argv[3], m, s.params, NULL, NULL, err, sizeof err) != 0) {
        fprintf(stderr, "dump_model: %s\n", err);
        return 1;
    }
    for (size_t i = 0; i < (size_t)n * m->input_size; ++i) input[i] = (float)nn_rng_normal(&rng);
    const int classify = !strcmp(m->loss_name, "softmax_cross_entropy");
    for (int i = 0; i < n; ++i)
        for (size_t j = 0; j < m->output_size; ++j)
            target[(size_t)i * m->output_size + j] =
                classify ? 0.0f
                         : (float)(!strcmp(m->loss_name, "binary_cross_entropy") ? nn_rng_uniform(&rng) : nn_rng_normal(&rng));
    if (classify)
        for (int i = 0; i < n; ++i) target[(size_t)i * m->output_size + nn_rng_below(&rng, (uint32_t)m->output_size)] = 1.0f;

    float *before = must(malloc(sizeof(float) * (m->n_params + 1)));
    memcpy(before, s.params, sizeof(float) * m->n_params);
    const int training = atoi(argv[2]);
    m->forward(&s, input, n, training);
    const float loss = m->loss(&s, target, n);
    m->backward(&s, n, d_input);

    const int status = write_dump(argv[1], m, &s, before, n, input, target, loss, d_input);
    free(before);
    free(target);
    free(d_input);
    free(input);
    free(s.index);
    free(s.work);
    free(s.dacts);
    free(s.acts);
    free(s.grads);
    free(s.params);
    return status;
}

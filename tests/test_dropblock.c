/* DropBlock's masks (tests/gradcheck/dropblock_plain.lua, p = 0.1, 3x3
 * blocks on 16x16 planes): over many masks the dropped fraction is within
 * 10% of p, every dropped value lies in a fully dropped 3x3 square, and the
 * kept values are scaled so that the batch keeps its sum. */
#include "dropblock_plain/dropblock_plain.h"

#include <criterion/criterion.h>
#include <stdlib.h>

enum { C = 3, H = 16, W = 16, B = 8, BLOCK = 3 };

static int in_dropped_square(const double *plane, int h, int w)
{
    for (int top = h - BLOCK + 1; top <= h; ++top)
        for (int left = w - BLOCK + 1; left <= w; ++left) {
            if (top < 0 || left < 0 || top + BLOCK > H || left + BLOCK > W) continue;
            int all = 1;
            for (int i = 0; i < BLOCK && all; ++i)
                for (int j = 0; j < BLOCK && all; ++j) all = plane[(top + i) * W + left + j] == 0.0;
            if (all) return 1;
        }
    return 0;
}

Test(dropblock, rate_block_shape_and_scale)
{
    const nn_model64 *m = &dropblock_plain_model;
    nn_rng rng;
    nn_rng_seed(&rng, 11);
    nn_state64 s = { .params = calloc(m->n_params + 1, sizeof(double)), .grads = calloc(m->n_params + 1, sizeof(double)),
                     .acts = calloc(m->n_acts, sizeof(double)), .dacts = calloc(m->n_acts, sizeof(double)),
                     .work = calloc(m->n_work + 1, sizeof(double)), .index = calloc(m->n_index + 1, sizeof(int32_t)),
                     .rng = &rng };
    double *ones = malloc(sizeof(double) * B * m->input_size);
    cr_assert(s.acts && ones);
    for (size_t i = 0; i < B * m->input_size; ++i) ones[i] = 1.0;
    const int masks = 200;
    long dropped = 0, total = 0, stray = 0;
    for (int k = 0; k < masks; ++k) {
        m->forward(&s, ones, B, 1);
        const double *y = s.acts + m->output_offset;
        double sum = 0.0;
        for (size_t i = 0; i < B * m->input_size; ++i) sum += y[i];
        cr_assert_float_eq(sum, (double)(B * m->input_size), 1e-6, "mask %d: the scaled sum changed", k);
        for (int q = 0; q < B * C; ++q) { /* output is the flattened n x C x H x W */
            const double *plane = y + (size_t)q * H * W;
            for (int h = 0; h < H; ++h)
                for (int w = 0; w < W; ++w) {
                    if (plane[h * W + w] != 0.0) continue;
                    ++dropped;
                    stray += !in_dropped_square(plane, h, w);
                }
        }
        total += B * C * H * W;
    }
    const double rate = (double)dropped / (double)total;
    cr_log_info("DropBlock p = 0.1, block 3 on 16x16: measured drop rate %.4f over %d masks", rate, masks);
    cr_expect(rate >= 0.09 && rate <= 0.11, "drop rate %.4f is not within 10%% of 0.1", rate);
    cr_expect_eq(stray, 0, "%ld dropped values outside a dropped 3x3 square", stray);
    m->forward(&s, ones, B, 0);
    for (size_t i = 0; i < B * m->input_size; ++i)
        cr_assert_float_eq(s.acts[m->output_offset + i], 1.0, 0, "evaluation mode is not the identity");
    free(ones);
    free(s.params);
    free(s.grads);
    free(s.acts);
    free(s.dacts);
    free(s.work);
    free(s.index);
}

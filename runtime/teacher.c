#include "teacher.h"

#include "distill.h"
#include "interpolate.h"

#include <stdlib.h>
#include <string.h>

/* Equal inputs, or images of the same channels (of any size: they are resized). */
static int same_channels(const nn_model *a, const nn_model *b)
{
    if (a->input_size == b->input_size) return 1;
    return a->input_rank == 3 && b->input_rank == 3 && a->input_shape[0] == b->input_shape[0];
}

int nn_teacher_init(nn_teacher *te, const nn_model *student, const nn_model *const *teachers, int n_teachers,
                    const nn_options *opt, const nn_normalization *norm)
{
    const nn_model *m = NULL;
    for (int i = 0; i < n_teachers; ++i)
        if (!strcmp(teachers[i]->name, opt->teacher_spec)) m = teachers[i];
    if (!m) {
        fprintf(stderr, "train: --teacher %s: this trainer has no teacher %s linked in; build one with "
                "make build SPEC=%s TEACHER=%s\n", opt->teacher_spec, opt->teacher_spec, student->name,
                opt->teacher_spec);
        return -1;
    }
    if (!same_channels(m, student) || m->output_size != student->output_size ||
        strcmp(student->loss_name, "softmax_cross_entropy") != 0) {
        char a[64], b[64];
        nn_model_input_text(student, a, sizeof a);
        nn_model_input_text(m, b, sizeof b);
        fprintf(stderr, "train: --teacher %s: distillation needs the input channels (images of another size are "
                "resized) and classes of %s (%s and %zu, teacher %s and %zu) and a softmax_cross_entropy student\n",
                m->name, student->name, a, student->output_size, b, m->output_size);
        return -1;
    }
    nn_trainer_init(&te->t, m, 0);
    nn_normalization tn;
    if (nn_run_load_weights(opt->teacher_path, m, te->t.s.params, &tn, norm->channels, NULL) != 0) return -1;
    for (int c = 0; c < norm->channels; ++c) {
        te->scale[c] = norm->std[c] / tn.std[c];
        te->shift[c] = (norm->mean[c] - tn.mean[c]) / tn.std[c];
    }
    te->resize = m->input_size != student->input_size;
    if (te->resize) {
        te->plane = nn_alloc(student->input_size / (size_t)norm->channels, sizeof(float), "teacher resizing");
        printf("distillation: the teacher sees the batch resized from %dx%d to %dx%d (bilinear)\n",
               student->input_shape[1], student->input_shape[2], m->input_shape[1], m->input_shape[2]);
    }
    const size_t batch = (size_t)student->batch * student->output_size;
    te->zs = nn_alloc(batch, sizeof(double), "distillation logits");
    te->zt = nn_alloc(batch, sizeof(double), "distillation logits");
    te->target = nn_alloc(batch, sizeof(double), "distillation targets");
    te->dz = nn_alloc(batch, sizeof(double), "distillation gradient");
    printf("distillation: teacher %s from %s, alpha %g, temperature %g\n", m->name, opt->teacher_path, opt->kd_alpha,
           opt->kd_temp);
    return 0;
}

/* Student images [first, first + n) renormalized to the teacher's statistics
 * (and resized to its input) into the teacher's batch. */
static void teacher_batch(nn_teacher *te, const nn_trainer *student, int first, int n, int channels)
{
    const nn_model *m = student->m, *tm = te->t.m;
    const size_t plane = m->input_size / (size_t)channels, tplane = tm->input_size / (size_t)channels;
    for (int i = 0; i < n; ++i)
        for (int c = 0; c < channels; ++c) {
            const float *in = student->x + (size_t)(first + i) * m->input_size + (size_t)c * plane;
            float *out = te->t.x + (size_t)i * tm->input_size + (size_t)c * tplane, *to = te->resize ? te->plane : out;
            for (size_t j = 0; j < plane; ++j) to[j] = (float)(in[j] * te->scale[c] + te->shift[c]);
            if (te->resize)
                nn_interpolate_bilinear(te->plane, m->input_shape[1], m->input_shape[2], out, tm->input_shape[1],
                                        tm->input_shape[2]);
        }
}

double nn_teacher_distill(nn_teacher *te, const nn_trainer *student, int n, int channels, const nn_options *opt)
{
    const nn_model *m = student->m, *tm = te->t.m;
    const size_t k = m->output_size;
    /* the teacher's batch may be smaller than the student's: it runs in pieces */
    for (int first = 0; first < n; first += tm->batch) {
        const int piece = n - first < tm->batch ? n - first : tm->batch;
        teacher_batch(te, student, first, piece, channels);
        tm->forward(&te->t.s, te->t.x, piece, 0);
        const float *zt = te->t.s.acts + tm->output_offset;
        for (size_t i = 0; i < (size_t)piece * k; ++i) te->zt[(size_t)first * k + i] = zt[i];
    }
    const float *zs = student->s.acts + m->output_offset;
    for (size_t i = 0; i < (size_t)n * k; ++i) {
        te->zs[i] = zs[i];
        te->target[i] = student->target[i];
    }
    const double loss = nn_kd_loss(te->zs, te->zt, te->target, n, (int)k, opt->kd_alpha, opt->kd_temp, te->dz);
    float *dz = student->s.dacts + m->output_offset;
    for (size_t i = 0; i < (size_t)n * k; ++i) dz[i] = (float)te->dz[i];
    return loss;
}

void nn_teacher_free(nn_teacher *te)
{
    nn_trainer_free(&te->t);
    free(te->zs);
    free(te->zt);
    free(te->target);
    free(te->dz);
    free(te->plane);
    *te = (nn_teacher){ 0 };
}

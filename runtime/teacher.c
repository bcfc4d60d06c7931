#include "teacher.h"

#include "distill.h"

#include <stdlib.h>
#include <string.h>

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
    if (m->input_size != student->input_size || m->output_size != student->output_size ||
        strcmp(student->loss_name, "softmax_cross_entropy") != 0) {
        fprintf(stderr, "train: --teacher %s: distillation needs the same input size and classes as %s "
                "(%zu and %zu, teacher %zu and %zu) and a softmax_cross_entropy student\n", m->name, student->name,
                student->input_size, student->output_size, m->input_size, m->output_size);
        return -1;
    }
    nn_trainer_init(&te->t, m, 0);
    nn_normalization tn;
    if (nn_run_load_weights(opt->teacher_path, m, te->t.s.params, &tn, norm->channels, NULL) != 0) return -1;
    for (int c = 0; c < norm->channels; ++c) {
        te->scale[c] = norm->std[c] / tn.std[c];
        te->shift[c] = (norm->mean[c] - tn.mean[c]) / tn.std[c];
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

double nn_teacher_distill(nn_teacher *te, const nn_trainer *student, int n, int channels, const nn_options *opt)
{
    const nn_model *m = student->m;
    const size_t plane = m->input_size / (size_t)channels, k = m->output_size;
    for (int i = 0; i < n; ++i)
        for (int c = 0; c < channels; ++c)
            for (size_t j = 0; j < plane; ++j) {
                const size_t at = (size_t)i * m->input_size + (size_t)c * plane + j;
                te->t.x[at] = (float)(student->x[at] * te->scale[c] + te->shift[c]);
            }
    te->t.m->forward(&te->t.s, te->t.x, n, 0);
    const float *zs = student->s.acts + m->output_offset, *zt = te->t.s.acts + te->t.m->output_offset;
    for (size_t i = 0; i < (size_t)n * k; ++i) {
        te->zs[i] = zs[i];
        te->zt[i] = zt[i];
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
    *te = (nn_teacher){ 0 };
}

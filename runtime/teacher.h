/* A distillation teacher (--teacher SPEC:CKPT): another model linked into
 * the trainer, run in evaluation mode on the student's batches renormalized
 * to its own training statistics (and resized to its input when it takes
 * images of another size: bilinear on the floats, interpolate.h), a teacher
 * batch at a time, whose logits replace the student's loss by the
 * distillation loss (distill.h). */
#ifndef NN_TEACHER_H
#define NN_TEACHER_H

#include "options.h"
#include "run_data.h"
#include "trainer.h"

typedef struct {
    nn_trainer t;
    double scale[NN_MAX_CHANNELS], shift[NN_MAX_CHANNELS]; /* student input -> teacher input */
    double *zs, *zt, *target, *dz;                         /* one batch, in double */
    int resize;   /* the teacher takes images of another size: the batch is resized (interpolate.h) */
    float *plane; /* one renormalized student plane, before resizing */
} nn_teacher;

/* Finds opt->teacher_spec among teachers and loads it from opt->teacher_path.
 * Returns 0, or -1 after printing the reason; nn_teacher_free either way. */
int nn_teacher_init(nn_teacher *te, const nn_model *student, const nn_model *const *teachers, int n_teachers,
                    const nn_options *opt, const nn_normalization *norm);
/* Replaces the student's loss and output gradient by the distillation loss's; returns that loss. */
double nn_teacher_distill(nn_teacher *te, const nn_trainer *student, int n, int channels, const nn_options *opt);
/* Also safe on a zeroed teacher. */
void nn_teacher_free(nn_teacher *te);

#endif

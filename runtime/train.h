/* The trainer: one program for any generated model (see --help). */
#ifndef NN_TRAIN_H
#define NN_TRAIN_H

#include "nn_model.h"

int nn_train_main(const nn_model *m, int argc, char **argv);
/* The same, with distillation teachers linked in (chosen by --teacher SPEC:CKPT). */
int nn_train_main_teachers(const nn_model *m, const nn_model *const *teachers, int n_teachers, int argc,
                           char **argv);

#endif

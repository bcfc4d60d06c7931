/* The trainer: one program for any generated model (see --help). */
#ifndef NN_TRAIN_H
#define NN_TRAIN_H

#include "nn_model.h"

int nn_train_main(const nn_model *m, int argc, char **argv);

#endif

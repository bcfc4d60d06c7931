/* --predict CKPT: a checkpoint's predictions on the user's inputs (--input:
 * an image, a folder of images, an .npy file or a CSV file) or on the test
 * set, one CSV row per record: its file name or index, then the predicted
 * class's name and probability and every class's probability; the positive
 * class's probability; every label's probability; or the regression outputs. */
#ifndef NN_PREDICT_H
#define NN_PREDICT_H

#include "nn_model.h"
#include "options.h"

int nn_predict_main(const nn_model *m, const nn_options *opt);

#endif

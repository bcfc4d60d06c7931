/* The readers of the options whose values need more than a number or a
 * string stored (option_table.c names them): each as nn_option_spec.read. */
#ifndef NN_OPTION_HANDLERS_H
#define NN_OPTION_HANDLERS_H

#include "options.h"

int nn_opt_read_format(nn_option_parse *p, const nn_option_spec *spec, const char *value);
int nn_opt_read_arrays(nn_option_parse *p, const nn_option_spec *spec, const char *value);
int nn_opt_read_mean(nn_option_parse *p, const nn_option_spec *spec, const char *value);
int nn_opt_read_std(nn_option_parse *p, const nn_option_spec *spec, const char *value);
int nn_opt_read_optimizer(nn_option_parse *p, const nn_option_spec *spec, const char *value);
int nn_opt_read_lr(nn_option_parse *p, const nn_option_spec *spec, const char *value);
int nn_opt_read_weight_decay(nn_option_parse *p, const nn_option_spec *spec, const char *value);
int nn_opt_read_schedule(nn_option_parse *p, const nn_option_spec *spec, const char *value);
int nn_opt_read_milestones(nn_option_parse *p, const nn_option_spec *spec, const char *value);
int nn_opt_read_seed(nn_option_parse *p, const nn_option_spec *spec, const char *value);
int nn_opt_read_keep_best(nn_option_parse *p, const nn_option_spec *spec, const char *value);
int nn_opt_read_freeze(nn_option_parse *p, const nn_option_spec *spec, const char *value);
int nn_opt_read_init_skip(nn_option_parse *p, const nn_option_spec *spec, const char *value);
int nn_opt_read_resize(nn_option_parse *p, const nn_option_spec *spec, const char *value);
int nn_opt_read_lr_mult(nn_option_parse *p, const nn_option_spec *spec, const char *value);
int nn_opt_read_teacher(nn_option_parse *p, const nn_option_spec *spec, const char *value);
int nn_opt_read_eval(nn_option_parse *p, const nn_option_spec *spec, const char *value);
int nn_opt_read_predict(nn_option_parse *p, const nn_option_spec *spec, const char *value);
int nn_opt_show_help(nn_option_parse *p, const nn_option_spec *spec, const char *value);

#endif

#include "train.h"

#include "fpmode.h"
#include "predict.h"
#include "stop_signals.h"
#include "train_run.h"

#include <cblas.h>
#include <errno.h>
#include <math.h>
#include <omp.h>
#include <stdlib.h>
#include <string.h>

/* The test set's loss, hits and the task's metrics, printed and (with a run directory) written as CSV. */
static int report_test(nn_trainer *t, const nn_run_data *d, const char *save_dir, const char *after)
{
    nn_eval e;
    if (nn_eval_init(&e, t->task, (int)t->m->output_size, d->n_test) != 0) {
        fprintf(stderr, "train: out of memory for the test metrics\n");
        return -1;
    }
    const nn_tally r = nn_trainer_evaluate(t, d->test_set, d->test_idx, d->n_test, &e);
    printf("test: loss %.4f", r.loss_sum / r.seen);
    if (t->task == NN_TASK_REGRESSION) printf(" (%zu records)%s\n", r.seen, after);
    else printf(" accuracy %.2f%% (%zu of %zu records)%s\n", 100.0 * r.correct / r.seen, r.correct, r.seen, after);
    nn_eval_print(&e, d->test_set, stdout);
    int rc = 0;
    char err[4352];
    if (save_dir && nn_make_dirs(save_dir) != 0) {
        fprintf(stderr, "train: cannot create %s: %s\n", save_dir, strerror(errno));
        rc = -1;
    } else if (save_dir && nn_eval_write_csv(&e, d->test_set, save_dir, err, sizeof err) != 0) {
        fprintf(stderr, "train: %s\n", err);
        rc = -1;
    } else if (save_dir) {
        printf("metrics: %s/metrics.csv%s\n", save_dir, t->task == NN_TASK_CLASS ? ", confusion.csv" : "");
    }
    nn_eval_free(&e);
    return rc;
}

/* --eval: a checkpoint on the test set. */
static int run_eval(const nn_model *m, const nn_options *opt)
{
    nn_run_data d;
    if (nn_run_data_load(opt, m, &d) != 0) return 1;
    nn_trainer t;
    nn_trainer_init(&t, m, 0);
    nn_normalization norm;
    int rc = nn_run_load_weights(opt->checkpoint, m, t.s.params, &norm, d.train.channels, NULL) != 0;
    if (!rc) {
        nn_dataset_normalize(&d.train, norm.mean, norm.std);
        nn_dataset_normalize(&d.test, norm.mean, norm.std);
        printf("eval: %s on %zu test records of %s, ", opt->checkpoint, d.n_test, opt->data_path);
        nn_normalization_print(&norm, stdout);
        printf("\n");
        rc = report_test(&t, &d, opt->save_dir, "") != 0;
    }
    nn_trainer_free(&t);
    nn_run_data_free(&d);
    return rc;
}

/* A run before setup: nothing allocated, so that teardown can follow any stage. */
static void start_run(nn_train_run *r, const nn_model *m, const nn_options *opt, int argc, char **argv)
{
    *r = (nn_train_run){ .m = m, .opt = *opt, .first_epoch = 1, .argc = argc, .argv = argv,
                         .best = nn_keep_best_higher(opt->keep_best) ? -INFINITY : INFINITY };
    r->rngs[0] = &r->shuffle_rng;
    r->rngs[1] = &r->model_rng;
    r->rngs[2] = &r->augment_rng;
}

/* Setup, the epochs and the test report. Returns 0, NN_RUN_STOPPED when a
 * signal stopped the run, or -1 at the first stage that failed. */
static int run_stages(nn_train_run *r, const nn_model *const *teachers, int n_teachers)
{
    if (nn_train_setup_data(r) != 0 || nn_train_setup_model(r, teachers, n_teachers) != 0) return -1;
    nn_train_plan_epochs(r); /* before resuming, which checks a mid-epoch checkpoint against the epoch's size */
    if (r->opt.resume_path && nn_train_resume(r) != 0) return -1;
    if (r->opt.save_dir && nn_train_open_run_dir(r) != 0) return -1;
    for (int epoch = r->first_epoch; epoch <= r->opt.epochs; ++epoch) {
        if (nn_stop_signal()) return NN_RUN_STOPPED; /* between epochs: the last one is saved */
        const int rc = nn_train_epoch(r, epoch);
        if (rc != 0) return rc;
        if (r->opt.stop_after == epoch && epoch < r->opt.epochs) {
            printf("stopped after epoch %d of %d, as asked\n", epoch, r->opt.epochs);
            break;
        }
    }
    if (nn_stop_signal()) return NN_RUN_STOPPED;
    char total[32], after[48];
    nn_format_duration(total, sizeof total, nn_now() - r->run_start);
    snprintf(after, sizeof after, " after %s", total);
    return report_test(&r->t, &r->data, r->opt.save_dir, after);
}

static void teardown(nn_train_run *r)
{
    if (r->prefetching) nn_prefetch_stop(&r->reader);
    nn_run_log_close(&r->log);
    nn_teacher_free(&r->teacher);
    nn_fused_free(&r->fused);
    nn_optim_free(&r->optimizer);
    nn_trainer_free(&r->t);
    free(r->lr_mult);
    free(r->frozen);
    free(r->order);
    free(r->split_order);
    nn_run_data_free(&r->data);
}

int nn_train_main_teachers(const nn_model *m, const nn_model *const *teachers, int n_teachers, int argc,
                           char **argv)
{
    setvbuf(stdout, NULL, _IOLBF, 0); /* progress and errors interleave in order in logs and pipes */
    nn_flush_subnormals();
    nn_options opt;
    const int parsed = nn_options_parse(&opt, argc, argv, argv[0]);
    if (parsed != 0) return parsed > 0 ? 0 : 2;
    openblas_set_num_threads(opt.threads);
    omp_set_num_threads(opt.threads);
    if (opt.mode == NN_MODE_EVAL) return run_eval(m, &opt);
    if (opt.mode == NN_MODE_PREDICT) return nn_predict_main(m, &opt);
    nn_train_run run;
    start_run(&run, m, &opt, argc, argv);
    nn_stop_install();
    const int rc = run_stages(&run, teachers, n_teachers);
    teardown(&run); /* closes the logs, whatever happened */
    if (rc < 0) return 1;
    if (!nn_stop_signal()) return 0;
    nn_train_report_stop(&run); /* a signal during the test report ends the run the same way */
    nn_stop_exit();
}

int nn_train_main(const nn_model *m, int argc, char **argv)
{
    return nn_train_main_teachers(m, NULL, 0, argc, argv);
}

#include "prefetch.h"

#include "stop_signals.h"

#include <stdlib.h>

static void *reader(void *arg)
{
    nn_prefetch *p = arg;
    pthread_mutex_lock(&p->lock);
    for (;;) {
        while (!p->pending && !p->quit) pthread_cond_wait(&p->changed, &p->lock);
        if (p->quit) break;
        pthread_mutex_unlock(&p->lock);
        nn_trainer_gather_into(p->t, p->ds, p->samples, p->n, p->augment, p->x, p->target);
        pthread_mutex_lock(&p->lock);
        p->pending = 0;
        pthread_cond_broadcast(&p->changed);
    }
    pthread_mutex_unlock(&p->lock);
    return NULL;
}

int nn_prefetch_start(nn_prefetch *p, nn_trainer *t)
{
    const nn_model *m = t->m;
    *p = (nn_prefetch){ .t = t };
    p->x = nn_alloc((size_t)m->batch * m->input_size, sizeof(float), "prefetched input batch");
    p->target = nn_alloc((size_t)m->batch * m->output_size, sizeof(float), "prefetched target batch");
    pthread_mutex_init(&p->lock, NULL);
    pthread_cond_init(&p->changed, NULL);
    sigset_t old;
    nn_stop_block(&old); /* the thread starts with the signals blocked: the main thread handles them */
    p->running = pthread_create(&p->thread, NULL, reader, p) == 0;
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    if (!p->running) nn_prefetch_stop(p);
    return p->running ? 0 : -1;
}

void nn_prefetch_request(nn_prefetch *p, const nn_dataset *ds, const uint32_t *samples, int n,
                         const nn_augment *augment)
{
    pthread_mutex_lock(&p->lock);
    p->ds = ds;
    p->samples = samples;
    p->n = n;
    p->augment = augment;
    p->pending = 1;
    pthread_cond_broadcast(&p->changed);
    pthread_mutex_unlock(&p->lock);
}

void nn_prefetch_take(nn_prefetch *p)
{
    pthread_mutex_lock(&p->lock);
    while (p->pending) pthread_cond_wait(&p->changed, &p->lock);
    pthread_mutex_unlock(&p->lock);
    float *x = p->t->x, *target = p->t->target;
    p->t->x = p->x;
    p->t->target = p->target;
    p->x = x;
    p->target = target;
}

void nn_prefetch_stop(nn_prefetch *p)
{
    if (p->running) {
        pthread_mutex_lock(&p->lock);
        p->quit = 1;
        pthread_cond_broadcast(&p->changed);
        pthread_mutex_unlock(&p->lock);
        pthread_join(p->thread, NULL);
    }
    pthread_mutex_destroy(&p->lock);
    pthread_cond_destroy(&p->changed);
    free(p->x);
    free(p->target);
    *p = (nn_prefetch){ 0 };
}

#include "stop_signals.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <unistd.h>

static const int SIGNALS[] = { SIGINT, SIGTERM, SIGHUP };
enum { N_SIGNALS = sizeof SIGNALS / sizeof SIGNALS[0] };

static volatile sig_atomic_t first_signal, received, temp_armed;
static char temp_path[4352];
static int on_terminal; /* stdout is a terminal: the handler's line starts below the progress line */

const char *nn_stop_signal_name(int sig)
{
    return sig == SIGINT ? "SIGINT" : sig == SIGTERM ? "SIGTERM" : sig == SIGHUP ? "SIGHUP" : "a signal";
}

/* write(2) of a C string: the handler may call neither stdio nor strlen. */
static void say(const char *text)
{
    size_t n = 0;
    while (text[n]) ++n;
    const ssize_t ignored = write(STDERR_FILENO, text, n);
    (void)ignored;
}

static void on_signal(int sig)
{
    if (!received) {
        received = 1;
        first_signal = sig;
        if (on_terminal) say("\n");
        say("train: ");
        say(nn_stop_signal_name(sig));
        say(": finishing the current step, then stopping (a second signal stops at once)\n");
        return;
    }
    if (temp_armed) unlink(temp_path);
    say("train: ");
    say(nn_stop_signal_name(sig));
    say(" again: stopped at once\n");
    struct sigaction dfl = { .sa_handler = SIG_DFL };
    sigemptyset(&dfl.sa_mask);
    sigaction(sig, &dfl, NULL);
    sigset_t self;
    sigemptyset(&self);
    sigaddset(&self, sig);
    pthread_sigmask(SIG_UNBLOCK, &self, NULL); /* blocked while its handler runs */
    raise(sig);
    _exit(128 + sig);
}

void nn_stop_block(sigset_t *old)
{
    sigset_t set;
    sigemptyset(&set);
    for (int i = 0; i < N_SIGNALS; ++i) sigaddset(&set, SIGNALS[i]);
    pthread_sigmask(SIG_BLOCK, &set, old);
}

void nn_stop_install(void)
{
    sigset_t old;
    nn_stop_block(&old);
    int started = 0; /* an empty parallel region would be optimized away */
#pragma omp parallel
    { /* starts the OpenMP threads now, while the signals are blocked: they inherit the mask */
#pragma omp atomic
        ++started;
    }
    on_terminal = isatty(STDOUT_FILENO);
    struct sigaction sa = { .sa_handler = on_signal, .sa_flags = SA_RESTART }, was;
    sigemptyset(&sa.sa_mask);
    for (int i = 0; i < N_SIGNALS; ++i) sigaddset(&sa.sa_mask, SIGNALS[i]);
    for (int i = 0; i < N_SIGNALS; ++i)
        if (sigaction(SIGNALS[i], NULL, &was) == 0 && was.sa_handler != SIG_IGN) sigaction(SIGNALS[i], &sa, NULL);
    pthread_sigmask(SIG_SETMASK, &old, NULL);
}

int nn_stop_signal(void) { return first_signal; }

void nn_stop_temp_file(const char *path)
{
    temp_armed = 0;
    atomic_signal_fence(memory_order_seq_cst); /* disarmed before the path changes */
    if (!path) return;
    snprintf(temp_path, sizeof temp_path, "%s", path);
    atomic_signal_fence(memory_order_seq_cst); /* the path is whole before the handler may use it */
    temp_armed = 1;
}

_Noreturn void nn_stop_exit(void)
{
    const int sig = first_signal;
    fflush(NULL);
    struct sigaction dfl = { .sa_handler = SIG_DFL };
    sigemptyset(&dfl.sa_mask);
    sigaction(sig, &dfl, NULL);
    raise(sig);
    _exit(128 + sig);
}

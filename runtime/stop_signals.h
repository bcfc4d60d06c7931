/* SIGINT, SIGTERM and SIGHUP during training. The first one sets a flag that
 * the training loop reads between updates (nn_stop_signal): the run finishes
 * its update, saves its checkpoint, closes its logs, says how to resume and
 * ends by the same signal (nn_stop_exit). A second one ends the process at
 * once, first removing the temporary file being written (nn_stop_temp_file),
 * so that no PATH.tmp is left behind either way.
 *
 * Only the main thread runs the handler: nn_stop_install starts the OpenMP
 * threads with the signals blocked, and the prefetch thread starts with them
 * blocked too (nn_stop_block). So the handler shares a volatile sig_atomic_t
 * flag with the thread that reads it, as C allows. A signal that the parent
 * left ignored (nohup, a background job) stays ignored. */
#ifndef NN_STOP_SIGNALS_H
#define NN_STOP_SIGNALS_H

#include <signal.h>

/* Installs the handler of the three signals; call before any thread starts. */
void nn_stop_install(void);
/* The first of the signals received, or 0. */
int nn_stop_signal(void);
/* "SIGINT", "SIGTERM" or "SIGHUP". */
const char *nn_stop_signal_name(int sig);
/* The temporary file being written, which a second signal removes; NULL once it is renamed or removed. */
void nn_stop_temp_file(const char *path);
/* Blocks the three signals in the calling thread (its old mask into old),
 * around the start of a thread that must not handle them. */
void nn_stop_block(sigset_t *old);
/* Ends the process by the signal received, as its default action would (the shell sees 128 + its number). */
_Noreturn void nn_stop_exit(void);

#endif

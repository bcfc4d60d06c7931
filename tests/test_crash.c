/* Killing the trainer (SIGKILL) at random moments, many times, while it
 * writes a checkpoint every epoch and each run resumes from what the last
 * one left: the checkpoint on disk must always load (--eval reads and checks
 * all of it) and be byte-identical to the checkpoint an uninterrupted run
 * writes after the same epoch (itself built by resuming, which is
 * bit-identical, as test_trainer shows). */
#include "helpers.h"

#include <signal.h>
#include <sys/stat.h>
#include <time.h>

#define TRAINER BUILD_DIR "/fmnist_cnn/train"
#define KILLS 25
#define MAX_EPOCH 2000

static char dir[64];
static void setup(void) { make_dir(dir, sizeof dir, "crash"); }
static void teardown(void) { remove_dir(dir); }

static pid_t spawn(const char *cmd)
{
    const pid_t pid = fork();
    cr_assert_neq(pid, -1);
    if (pid == 0) {
        execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
        _exit(127);
    }
    return pid;
}

/* The epoch recorded in a checkpoint's metadata, or -1. */
static int epoch_of(const char *path)
{
    char head[512] = { 0 };
    FILE *f = fopen(path, "rb");
    if (!f) return -1;
    const size_t got = fread(head, 1, sizeof head - 1, f);
    fclose(f);
    head[got] = '\0';
    const char *p = strstr(head + 8, "\"epoch\":\"");
    return p ? atoi(p + 9) : -1;
}

static int exists(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0;
}

Test(crash, killed_while_saving_the_checkpoint_always_loads_and_is_complete, .init = setup, .fini = teardown,
     .timeout = 600)
{
    char cmd[2048], out[16384], last[256], ref[256];
    write_idx_set(dir, "train", 64, 28, 0, 1);
    write_idx_set(dir, "t10k", 20, 28, 0, 2);
    char common[512];
    snprintf(common, sizeof common, "--data %s --val-split 0 --limit 64 --threads 1 --lr 0.001", dir);
    snprintf(last, sizeof last, "%s/run/last.safetensors", dir);
    unsigned seed = 12345;
    int survived = 0, mid_write = 0, max_epoch = 0, ref_epoch = 0;
    for (int k = 0; k < KILLS; ++k) {
        const int resume = exists(last);
        snprintf(cmd, sizeof cmd, "exec " TRAINER " %s --epochs %d --save %s/run %s%s >/dev/null 2>&1", common,
                 MAX_EPOCH, dir, resume ? "--resume " : "", resume ? last : "");
        const pid_t pid = spawn(cmd);
        const long delay_ms = 150 + rand_r(&seed) % 450;
        nanosleep(&(struct timespec){ .tv_sec = delay_ms / 1000, .tv_nsec = delay_ms % 1000 * 1000000L }, NULL);
        cr_assert_eq(kill(pid, SIGKILL), 0);
        int status;
        cr_assert_eq(waitpid(pid, &status, 0), pid);
        cr_assert(WIFSIGNALED(status), "the trainer ended before it was killed (status %d)", status);
        snprintf(ref, sizeof ref, "%s/run/last.safetensors.tmp", dir);
        mid_write += exists(ref);
        if (!exists(last)) continue; /* killed before its first epoch ended */
        ++survived;
        /* the checkpoint loads... */
        snprintf(cmd, sizeof cmd, TRAINER " --data %s --eval %s --threads 1 2>&1", dir, last);
        cr_assert_eq(run_capture(cmd, out, sizeof out), 0, "kill %d: the checkpoint does not load:\n%s", k, out);
        /* ...and is the complete checkpoint of its epoch */
        const int epoch = epoch_of(last);
        cr_assert(epoch >= 1 && epoch < MAX_EPOCH, "kill %d: epoch %d", k, epoch);
        if (epoch > max_epoch) max_epoch = epoch;
        cr_assert_geq(epoch, ref_epoch, "kill %d: the checkpoint went back from epoch %d to %d", k, ref_epoch, epoch);
        if (epoch > ref_epoch) { /* the reference run continues up to this epoch, never killed */
            char from[300] = "";
            if (ref_epoch > 0) snprintf(from, sizeof from, "--resume %s/ref/last.safetensors", dir);
            snprintf(cmd, sizeof cmd, TRAINER " %s --epochs %d --save %s/ref %s >/dev/null 2>&1", common, epoch, dir,
                     from);
            cr_assert_eq(system(cmd), 0);
            ref_epoch = epoch;
        }
        snprintf(ref, sizeof ref, "%s/ref/last.safetensors", dir);
        snprintf(cmd, sizeof cmd, "cmp %s %s 2>&1", last, ref);
        cr_assert_eq(run_capture(cmd, out, sizeof out), 0,
                     "kill %d: the checkpoint of epoch %d differs from the uninterrupted run's: %s", k, epoch, out);
    }
    cr_log_info("%d kills: %d left a checkpoint (up to epoch %d), %d struck while a checkpoint was being written",
                KILLS, survived, max_epoch, mid_write);
    cr_expect_geq(survived, KILLS / 2, "too few kills came after a first checkpoint to test anything");
}

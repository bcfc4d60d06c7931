/* SIGINT, SIGTERM and SIGHUP sent to a training run. The first one lets the
 * update under way finish, saves DIR/last.safetensors (mid-epoch, when it
 * falls there), closes the logs and ends the trainer by the same signal, with
 * a line saying where it stopped and one with the command that resumes it; a
 * second one ends it at once. Each time: the messages, the exit status, the
 * last checkpoint loads (--eval reads and checks all of it), and no .tmp file
 * is left. A run stopped mid-epoch and resumed by the printed command ends
 * byte-identical to one never stopped, and only the main thread (which reads
 * the flag) can run the handler. NNCC_TEST_SAVE_DELAY_MS holds each
 * checkpoint between its write and its rename, so that signals land mid-save. */
#include "helpers.h"

#include <signal.h>
#include <sys/stat.h>
#include <time.h>

#define TRAINER BUILD_DIR "/fmnist_cnn/train"

static char dir[64];
static void setup(void)
{
    make_dir(dir, sizeof dir, "signals");
    write_idx_set(dir, "train", 1280, 28, 0, 1);
    write_idx_set(dir, "t10k", 64, 28, 0, 2);
}
static void teardown(void) { remove_dir(dir); }
TestSuite(signals, .init = setup, .fini = teardown, .timeout = 120);

typedef struct {
    pid_t pid;
    FILE *out;       /* its stdout */
    char err[256];   /* the file of its stderr */
    char seen[1 << 16]; /* stdout read so far */
} trainer;

/* The trainer with `args`, stdout piped here, stderr into DIR/stderr, and
 * NNCC_TEST_SAVE_DELAY_MS set to delay_ms when it is not NULL. */
static void start(trainer *t, const char *args, const char *delay_ms)
{
    int fds[2];
    cr_assert_eq(pipe(fds), 0);
    snprintf(t->err, sizeof t->err, "%s/stderr", dir);
    t->seen[0] = '\0';
    t->pid = fork();
    cr_assert_neq(t->pid, -1);
    if (t->pid == 0) {
        dup2(fds[1], STDOUT_FILENO);
        close(fds[0]);
        close(fds[1]);
        if (!freopen(t->err, "w", stderr)) _exit(127);
        if (delay_ms) setenv("NNCC_TEST_SAVE_DELAY_MS", delay_ms, 1);
        char cmd[1024];
        snprintf(cmd, sizeof cmd, "exec " TRAINER " --data %s --threads 1 %s", dir, args);
        execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
        _exit(127);
    }
    close(fds[1]);
    t->out = fdopen(fds[0], "r");
    cr_assert_not_null(t->out);
}

/* Reads the trainer's stdout up to a line that holds text. */
static void wait_line(trainer *t, const char *text)
{
    char line[4096];
    while (fgets(line, sizeof line, t->out)) {
        strncat(t->seen, line, sizeof t->seen - strlen(t->seen) - 1);
        if (strstr(line, text)) return;
    }
    cr_assert_fail("the trainer ended before printing '%s':\n%s", text, t->seen);
}

static int exists(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0;
}

/* Polls until path exists (or, with gone set, no longer exists). */
static void wait_file(const char *path, int gone)
{
    for (int i = 0; i < 6000 && exists(path) == gone; ++i) nanosleep(&(struct timespec){ 0, 10000000L }, NULL);
    cr_assert(exists(path) != gone, "%s never %s", path, gone ? "went" : "appeared");
}

/* Reads the rest of stdout and waits for the trainer; its stderr into err. Returns the wait status. */
static int finish(trainer *t, char *err, size_t len)
{
    char line[4096];
    while (fgets(line, sizeof line, t->out)) strncat(t->seen, line, sizeof t->seen - strlen(t->seen) - 1);
    fclose(t->out);
    int status;
    cr_assert_eq(waitpid(t->pid, &status, 0), t->pid);
    FILE *f = fopen(t->err, "r");
    cr_assert_not_null(f);
    err[fread(err, 1, len - 1, f)] = '\0';
    fclose(f);
    return status;
}

static void expect_killed_by(int status, int sig, const char *err)
{
    cr_expect(WIFSIGNALED(status) && WTERMSIG(status) == sig, "the trainer did not end by signal %d (status %#x):\n%s",
              sig, status, err);
}

/* No PATH.tmp of a checkpoint or a log in the run directory. */
static void expect_no_temp_files(void)
{
    char cmd[256], out[1024];
    snprintf(cmd, sizeof cmd, "ls -A %s/run 2>/dev/null | grep '\\.tmp$'", dir);
    cr_expect_neq(run_capture(cmd, out, sizeof out), 0, "temporary files left:\n%s", out);
}

/* The checkpoint loads: --eval reads and checks all of it. */
static void expect_loads(const char *path)
{
    char cmd[512], out[16384];
    snprintf(cmd, sizeof cmd, TRAINER " --data %s --threads 1 --eval %s 2>&1", dir, path);
    cr_expect_eq(run_capture(cmd, out, sizeof out), 0, "%s does not load:\n%s", path, out);
}

/* The value of a checkpoint's metadata field (as text) into out, or "" without it. */
static void field_of(const char *path, const char *key, char *out, size_t len)
{
    char head[4096] = { 0 }, pattern[64];
    FILE *f = fopen(path, "rb");
    cr_assert_not_null(f, "no %s", path);
    head[fread(head, 1, sizeof head - 1, f)] = '\0';
    fclose(f);
    snprintf(pattern, sizeof pattern, "\"%s\":\"", key);
    const char *at = strstr(head + 8, pattern);
    snprintf(out, len, "%.*s", at ? (int)strcspn(at + strlen(pattern), "\"") : 0, at ? at + strlen(pattern) : "");
}

/* DIR/run/NAME */
static const char *run_file(const char *name)
{
    static char path[4][160];
    static int next;
    char *p = path[next++ % 4];
    snprintf(p, sizeof path[0], "%s/run/%s", dir, name);
    return p;
}

static void expect_has(const char *err, const char *text)
{
    cr_expect(strstr(err, text) != NULL, "expected '%s' in:\n%s", text, err);
}

Test(signals, sigint_before_the_first_save_saves_mid_epoch_and_resumes_exactly)
{
    trainer t;
    char err[8192], args[256], text[512], updates[32];
    snprintf(args, sizeof args, "--epochs 2 --print-every 1 --save %s/run", dir);
    start(&t, args, NULL);
    wait_line(&t, "epoch 1 step 1:");
    cr_assert_eq(kill(t.pid, SIGINT), 0);
    const int status = finish(&t, err, sizeof err);
    expect_killed_by(status, SIGINT, err);
    expect_has(err, "train: SIGINT: finishing the current step, then stopping (a second signal stops at once)\n");
    expect_has(err, "train: stopped by SIGINT in epoch 1 after ");
    snprintf(text, sizeof text, "; last checkpoint: %s\n", run_file("last.safetensors"));
    expect_has(err, text);
    field_of(run_file("last.safetensors"), "epoch_updates", updates, sizeof updates);
    cr_expect(atoi(updates) >= 1, "not a checkpoint of epoch 1 under way: epoch_updates '%s'", updates);
    expect_no_temp_files();
    expect_loads(run_file("last.safetensors"));
    /* the printed command resumes the run, which ends as one never stopped */
    const char *resume = strstr(err, "train: resume with: ");
    cr_assert_not_null(resume, "%s", err);
    resume += strlen("train: resume with: ");
    snprintf(text, sizeof text, "%.*s >/dev/null 2>&1", (int)strcspn(resume, "\n"), resume);
    cr_assert_eq(system(text), 0, "%s", text);
    snprintf(text, sizeof text, TRAINER " --data %s --threads 1 --epochs 2 --print-every 1 --save %s/ref >/dev/null",
             dir, dir);
    cr_assert_eq(system(text), 0);
    snprintf(text, sizeof text, "cmp %s %s/ref/last.safetensors 2>&1", run_file("last.safetensors"), dir);
    char out[512];
    cr_expect_eq(run_capture(text, out, sizeof out), 0, "resumed and uninterrupted runs differ: %s", out);
}

Test(signals, sigint_without_save_says_there_is_no_checkpoint)
{
    trainer t;
    char err[8192];
    start(&t, "--epochs 2 --print-every 1", NULL);
    wait_line(&t, "epoch 1 step 1:");
    cr_assert_eq(kill(t.pid, SIGINT), 0);
    expect_killed_by(finish(&t, err, sizeof err), SIGINT, err);
    expect_has(err, "train: stopped by SIGINT in epoch 1 after ");
    expect_has(err, "; no checkpoint to resume from (--save DIR writes one)\n");
    cr_expect(strstr(err, "resume with") == NULL, "%s", err);
}

Test(signals, sigint_after_a_save_saves_the_epoch_under_way)
{
    trainer t;
    char err[8192], args[256], epoch[32], updates[32], out[1024], cmd[256];
    snprintf(args, sizeof args, "--epochs 3 --print-every 1 --save %s/run", dir);
    start(&t, args, NULL);
    wait_line(&t, "epoch 2 step"); /* epoch 1 is saved before epoch 2 begins */
    cr_assert_eq(kill(t.pid, SIGINT), 0);
    expect_killed_by(finish(&t, err, sizeof err), SIGINT, err);
    expect_has(err, "train: stopped by SIGINT in epoch 2 after ");
    expect_has(err, "train: resume with: " TRAINER " --data ");
    field_of(run_file("last.safetensors"), "epoch", epoch, sizeof epoch);
    field_of(run_file("last.safetensors"), "epoch_updates", updates, sizeof updates);
    cr_expect(!strcmp(epoch, "2") && atoi(updates) >= 1, "epoch '%s', epoch_updates '%s'", epoch, updates);
    expect_no_temp_files();
    expect_loads(run_file("last.safetensors"));
    snprintf(cmd, sizeof cmd, "cut -d, -f1 %s", run_file("log.csv"));
    run_capture(cmd, out, sizeof out);
    cr_expect_str_eq(out, "epoch\n1\n", "log.csv has a row for each whole epoch");
}

Test(signals, sigterm_during_a_checkpoint_write_lets_it_finish)
{
    trainer t;
    char err[8192], args[256], epoch[32], updates[32];
    snprintf(args, sizeof args, "--epochs 3 --save %s/run", dir);
    start(&t, args, "1500");
    wait_file(run_file("last.safetensors.tmp"), 0);
    cr_assert_eq(kill(t.pid, SIGTERM), 0);
    expect_killed_by(finish(&t, err, sizeof err), SIGTERM, err);
    expect_has(err, "train: SIGTERM: finishing the current step");
    expect_has(err, "train: stopped by SIGTERM after epoch 1 (step ");
    field_of(run_file("last.safetensors"), "epoch", epoch, sizeof epoch);
    field_of(run_file("last.safetensors"), "epoch_updates", updates, sizeof updates);
    cr_expect(!strcmp(epoch, "1") && !updates[0], "epoch '%s', epoch_updates '%s'", epoch, updates);
    expect_no_temp_files();
    expect_loads(run_file("last.safetensors"));
}

Test(signals, double_sigint_during_a_checkpoint_write_stops_at_once)
{
    trainer t;
    char err[8192], args[256], epoch[32];
    snprintf(args, sizeof args, "--epochs 3 --save %s/run", dir);
    start(&t, args, "1500");
    wait_file(run_file("last.safetensors.tmp"), 0); /* epoch 1's checkpoint... */
    wait_file(run_file("last.safetensors.tmp"), 1); /* ...renamed into place */
    wait_file(run_file("last.safetensors.tmp"), 0); /* epoch 2's, being written */
    cr_assert_eq(kill(t.pid, SIGINT), 0);
    nanosleep(&(struct timespec){ 0, 200000000L }, NULL);
    cr_assert_eq(kill(t.pid, SIGINT), 0);
    expect_killed_by(finish(&t, err, sizeof err), SIGINT, err);
    expect_has(err, "train: SIGINT: finishing the current step");
    expect_has(err, "train: SIGINT again: stopped at once\n");
    cr_expect(strstr(err, "stopped by") == NULL, "%s", err);
    expect_no_temp_files();
    field_of(run_file("last.safetensors"), "epoch", epoch, sizeof epoch);
    cr_expect_str_eq(epoch, "1", "the previous checkpoint is the last one");
    expect_loads(run_file("last.safetensors"));
}

Test(signals, sighup_stops_the_run_as_sigint_does)
{
    trainer t;
    char err[8192], args[256];
    snprintf(args, sizeof args, "--epochs 2 --print-every 1 --save %s/run", dir);
    start(&t, args, NULL);
    wait_line(&t, "epoch 1 step 1:");
    cr_assert_eq(kill(t.pid, SIGHUP), 0);
    expect_killed_by(finish(&t, err, sizeof err), SIGHUP, err);
    expect_has(err, "train: stopped by SIGHUP in epoch 1 after ");
    expect_no_temp_files();
    expect_loads(run_file("last.safetensors"));
}

/* Every thread but the main one (the OpenMP workers, the prefetch thread) blocks the three signals, so the
 * handler runs where the flag is read. */
Test(signals, only_the_main_thread_handles_the_signals)
{
    trainer t;
    char err[8192], cmd[256], masks[4096];
    start(&t, "--epochs 2 --print-every 1 --threads 2 --crop-pad 2", NULL);
    wait_line(&t, "epoch 1 step 1:");
    snprintf(cmd, sizeof cmd, "cd /proc/%d/task && for t in *; do [ $t = %d ] || grep SigBlk $t/status; done",
             (int)t.pid, (int)t.pid);
    run_capture(cmd, masks, sizeof masks);
    cr_assert_eq(kill(t.pid, SIGINT), 0);
    expect_killed_by(finish(&t, err, sizeof err), SIGINT, err);
    int threads = 0;
    for (const char *line = strstr(masks, "SigBlk:"); line; line = strstr(line + 1, "SigBlk:"), ++threads) {
        const unsigned long long blocked = strtoull(line + 7, NULL, 16), want = 1ull << (SIGINT - 1) |
                                           1ull << (SIGTERM - 1) | 1ull << (SIGHUP - 1);
        cr_expect_eq(blocked & want, want, "a thread does not block the signals:\n%s", masks);
    }
    cr_expect_geq(threads, 2, "expected an OpenMP worker and the prefetch thread:\n%s", masks);
}

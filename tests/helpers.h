/* Small helpers shared by the Criterion tests that run programs and write files. */
#ifndef NNCC_TEST_HELPERS_H
#define NNCC_TEST_HELPERS_H

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

/* Runs a shell command; returns its exit status (-1 if it did not exit) and
 * what it printed on stdout (add 2>&1 to the command for stderr). */
static inline int run_capture(const char *cmd, char *out, size_t len)
{
    FILE *p = popen(cmd, "r");
    cr_assert_not_null(p, "cannot run %s", cmd);
    const size_t got = fread(out, 1, len - 1, p);
    out[got] = '\0';
    const int status = pclose(p);
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

/* A fresh directory under /tmp named after `tag`, removed by remove_dir. */
static inline void make_dir(char *dir, size_t len, const char *tag)
{
    snprintf(dir, len, "/tmp/nncc-%s-XXXXXX", tag);
    cr_assert_not_null(mkdtemp(dir), "cannot create %s", dir);
}

static inline void remove_dir(const char *dir)
{
    char cmd[256];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    cr_assert_eq(system(cmd), 0);
}

#endif

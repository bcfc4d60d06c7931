/* The trainer's option table: the parser on good and bad command lines, the
 * defaults it sets against those the table shows, and --help and the
 * README's option table as printed from it. */
#include "options.h"

#include <criterion/criterion.h>
#include <criterion/redirect.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Parses `line`, split at spaces, after a program name "train"; the words live until the next call. */
static int parse(const char *line, nn_options *o)
{
    static char words[1024];
    char *argv[64] = { "train" };
    int argc = 1;
    snprintf(words, sizeof words, "%s", line);
    for (char *w = strtok(words, " "); w && argc < 64; w = strtok(NULL, " ")) argv[argc++] = w;
    return nn_options_parse(o, argc, argv, "train");
}

/* What print printed, in a buffer the caller frees. */
static char *printed(void (*print)(FILE *))
{
    FILE *f = tmpfile();
    cr_assert_not_null(f);
    print(f);
    const long len = ftell(f);
    rewind(f);
    char *text = calloc((size_t)len + 1, 1);
    cr_assert(text && fread(text, 1, (size_t)len, f) == (size_t)len);
    fclose(f);
    return text;
}

static void print_usage(FILE *out) { nn_options_usage(out, "train"); }

static char *read_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    cr_assert_not_null(f, "cannot open %s (the tests run from the repository's top directory)", path);
    char *text = calloc(1 << 20, 1);
    fread(text, 1, (1 << 20) - 1, f);
    fclose(f);
    return text;
}

Test(options, readme_table_is_the_one_the_table_prints)
{
    char *readme = read_file("README.md"), *table = printed(nn_options_markdown);
    const char *begin = strstr(readme, "<!-- options:begin -->\n"), *end = strstr(readme, "<!-- options:end -->\n");
    cr_assert(begin && end && begin < end, "README.md lacks the <!-- options:begin/end --> marker lines");
    begin += strlen("<!-- options:begin -->\n");
    const size_t len = (size_t)(end - begin);
    cr_expect(len == strlen(table) && !memcmp(begin, table, len),
              "README.md's option table is not the one runtime/option_table.c prints; run make readme-options");
    free(readme);
    free(table);
}

/* Characters, not bytes: the README has some Greek. */
static size_t utf8_length(const char *s, size_t bytes)
{
    size_t n = 0;
    for (size_t i = 0; i < bytes; ++i) n += ((unsigned char)s[i] & 0xc0) != 0x80;
    return n;
}

Test(options, readme_cells_stay_short)
{
    char *table = printed(nn_options_markdown);
    for (char *line = strtok(table, "\n"); line; line = strtok(NULL, "\n"))
        for (const char *cell = line; *cell;) {
            size_t len = 0;
            while (cell[len] && !(cell[len] == '|' && (len == 0 || cell[len - 1] != '\\'))) ++len;
            cr_expect_leq(utf8_length(cell, len), 300, "a cell over 300 characters: %.*s", (int)len, cell);
            cell += len + (cell[len] != '\0');
        }
    free(table);
}

Test(options, help_lists_every_option, .init = cr_redirect_stdout)
{
    char *help = printed(print_usage);
    int count;
    const nn_option_spec *table = nn_option_table(&count);
    for (int i = 0; i < count; ++i) {
        char line_start[64];
        snprintf(line_start, sizeof line_start, "\n  %s", table[i].name);
        const char *at = strstr(help, line_start);
        const char after = at ? at[strlen(line_start)] : '\0';
        cr_expect(at && (after == ' ' || after == ',' || after == '\n'), "--help has no line for %s:\n%s",
                  table[i].name, help);
    }
    nn_options o;
    cr_expect_eq(parse("--help", &o), 1);
    cr_expect_eq(parse("-h", &o), 1);
    free(help);
}

/* "0.2" or "`x`": the default the table shows, when it is a number or a name. */
static void expect_shown_default(const nn_option_spec *s, const nn_options *o)
{
    const void *field = (const char *)o + s->field;
    char *end;
    const double shown = strtod(s->fallback, &end);
    const int number = *s->fallback && !*end;
    if (s->kind == NN_OPT_INT && number) cr_expect_eq(*(const int *)field, shown, "%s", s->name);
    if (s->kind == NN_OPT_LONG && number) cr_expect_eq(*(const long *)field, shown, "%s", s->name);
    if (s->kind == NN_OPT_DOUBLE && number) cr_expect_eq(*(const double *)field, shown, "%s", s->name);
    const size_t len = strlen(s->fallback);
    if (s->kind == NN_OPT_TEXT && len > 2 && s->fallback[0] == '`' && s->fallback[len - 1] == '`') {
        const char *value = *(const char *const *)field;
        cr_expect(value && strlen(value) == len - 2 && !strncmp(value, s->fallback + 1, len - 2), "%s", s->name);
    }
}

Test(options, defaults_are_those_the_table_shows)
{
    nn_options o;
    cr_assert_eq(parse("", &o), 0);
    int count;
    const nn_option_spec *table = nn_option_table(&count);
    for (int i = 0; i < count; ++i) expect_shown_default(&table[i], &o);
    cr_expect_eq(o.optim.kind, NN_ADAM);
    cr_expect_eq(o.optim.lr, 0.001);
    cr_expect_eq(o.schedule.kind, NN_SCHED_CONSTANT);
    cr_expect_str_eq(o.arrays[3], "y_test");
    cr_expect_eq(o.seed, 1);
}

Test(options, reads_a_full_command_line)
{
    nn_options o;
    cr_assert_eq(parse("--lr 0.05 --momentum 0.9 --optimizer sgd --nesterov --epochs 7 --schedule multistep "
                       "--lr-milestones 2,5 --arrays a,b,c,d --freeze layer1.* --lr-mult linear.*=10 --flip "
                       "--mean 0.5,0.4 --std 0.2,0.1 --teacher fmnist_cnn:runs/t.safetensors --limit 100 "
                       "--seed 42 --keep-best r2 --save runs/x --data /tmp/d --eval e.safetensors",
                       &o), 0);
    cr_expect_eq(o.optim.kind, NN_SGD);
    cr_expect_eq(o.optim.lr, 0.05, "--lr wins over the optimizer's default in any order");
    cr_expect_eq(o.schedule.lr, 0.05);
    cr_expect_eq(o.optim.momentum, 0.9, "--optimizer keeps the momentum given before it");
    cr_expect(o.optim.nesterov);
    cr_expect_eq(o.epochs, 7);
    cr_expect_eq(o.schedule.epochs, 7);
    cr_expect_eq(o.schedule.kind, NN_SCHED_MULTISTEP);
    cr_expect(o.schedule.n_milestones == 2 && o.schedule.milestones[1] == 5);
    cr_expect(!strcmp(o.arrays[0], "a") && !strcmp(o.arrays[3], "d"));
    cr_assert_eq(o.n_lr_rules, 2);
    cr_expect(!strcmp(o.lr_rules[0].pattern, "layer1.*") && o.lr_rules[0].mult == 0.0);
    cr_expect(!strcmp(o.lr_rules[1].pattern, "linear.*") && o.lr_rules[1].mult == 10.0);
    cr_expect(o.augment.flip);
    cr_expect(o.n_mean == 2 && o.n_std == 2 && o.std[1] == 0.1);
    cr_expect(!strcmp(o.teacher_spec, "fmnist_cnn") && !strcmp(o.teacher_path, "runs/t.safetensors"));
    cr_expect_eq(o.limit, 100);
    cr_expect_eq(o.seed, 42);
    cr_expect_eq(o.keep_best, NN_KEEP_R2);
    cr_expect_str_eq(o.save_dir, "runs/x");
    cr_expect_str_eq(o.data_path, "/tmp/d");
    cr_expect(o.mode == NN_MODE_EVAL && !strcmp(o.checkpoint, "e.safetensors"));
}

Test(options, reads_init_skip_and_resize)
{
    nn_options o;
    cr_assert_eq(parse("--init w.safetensors --init-skip fc.* --init-skip bn? --resize 224", &o), 0);
    cr_assert_eq(o.n_init_skip, 2);
    cr_expect(!strcmp(o.init_skip[0], "fc.*") && !strcmp(o.init_skip[1], "bn?"));
    cr_expect(o.resize_h == 224 && o.resize_w == 224, "N is NxN");
    cr_assert_eq(parse("--resize 32x48", &o), 0);
    cr_expect(o.resize_h == 32 && o.resize_w == 48, "HxW");
    cr_expect(o.n_init_skip == 0 && o.resize_h == 32, "nothing skipped without --init-skip");
}

/* One bad command line: parse fails with exactly this line on stderr. */
static void expect_rejected(const char *line, const char *message)
{
    nn_options o;
    cr_expect_eq(parse(line, &o), -1, "%s", line);
    fflush(stderr);
    cr_expect_stderr_eq_str(message, "%s", line);
}

Test(options, rejects_an_unknown_option, .init = cr_redirect_stderr)
{
    expect_rejected("--epochs 2 --epoch 3", "train: unknown option '--epoch' (see --help)\n");
}

Test(options, rejects_a_missing_number, .init = cr_redirect_stderr)
{
    expect_rejected("--epochs", "train: --epochs needs a number in [0, 1e+06], got ''\n");
}

Test(options, rejects_a_missing_path, .init = cr_redirect_stderr)
{
    expect_rejected("--save", "train: --save needs a directory\n");
}

Test(options, rejects_a_bad_number, .init = cr_redirect_stderr)
{
    expect_rejected("--lr 1e-3x", "train: --lr needs a number in [0, 1000], got '1e-3x'\n");
}

Test(options, rejects_a_fraction_where_a_whole_number_goes, .init = cr_redirect_stderr)
{
    expect_rejected("--epochs 2.5", "train: --epochs needs a whole number, got '2.5'\n");
}

Test(options, rejects_a_number_out_of_range, .init = cr_redirect_stderr)
{
    expect_rejected("--val-split 0.95", "train: --val-split needs a number in [0, 0.9], got '0.95'\n");
}

Test(options, rejects_an_unknown_choice, .init = cr_redirect_stderr)
{
    expect_rejected("--keep-best f1", "train: --keep-best must be acc, loss or r2, got 'f1'\n");
}

Test(options, rejects_options_that_do_not_go_together, .init = cr_redirect_stderr)
{
    expect_rejected("--nesterov --momentum 0.9", "train: --nesterov needs --optimizer sgd and --momentum > 0\n");
}

Test(options, rejects_a_mean_or_std_that_is_not_finite, .init = cr_redirect_stderr)
{
    expect_rejected("--mean nan --std 1",
                    "train: --mean needs one finite number per channel like 0.5,0.5,0.5, got 'nan'\n");
}

Test(options, rejects_an_infinite_std, .init = cr_redirect_stderr)
{
    expect_rejected("--mean 0 --std 1,inf",
                    "train: --std needs one finite positive number per channel like 0.5,0.5,0.5, got '1,inf'\n");
}

Test(options, rejects_a_bad_resize, .init = cr_redirect_stderr)
{
    expect_rejected("--resize 224x", "train: --resize needs HxW or N, e.g. 224x224 or 224, at most 4096, got '224x'\n");
}

Test(options, rejects_init_skip_without_init, .init = cr_redirect_stderr)
{
    expect_rejected("--init-skip fc.*", "train: --init-skip needs --init FILE\n");
}

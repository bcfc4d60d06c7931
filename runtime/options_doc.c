/* --help and the README's option table, both printed from the option table. */
#include "options.h"

#include <string.h>

enum { HELP_COLUMN = 24, HELP_WIDTH = 100 };

/* Appends text to buf (of size cap) without markdown's backticks. */
static void append_plain(char *buf, size_t cap, const char *text)
{
    size_t len = strlen(buf);
    for (const char *c = text; *c && len + 1 < cap; ++c)
        if (*c != '`') buf[len++] = *c;
    buf[len] = '\0';
}

/* Prints text word by word from column `column`, starting new lines indented to it at HELP_WIDTH. */
static void print_wrapped(FILE *out, const char *text, int column)
{
    int at = column;
    for (const char *word = text; *word;) {
        const int len = (int)strcspn(word, " ");
        if (at > column && at + 1 + len > HELP_WIDTH) {
            fprintf(out, "\n%*s", column, "");
            at = column;
        } else if (at > column) {
            fputc(' ', out);
            ++at;
        }
        fprintf(out, "%.*s", len, word);
        at += len;
        word += len + (word[len] == ' ');
    }
    fputc('\n', out);
}

static void print_option_help(FILE *out, const nn_option_spec *s)
{
    char left[96] = "", text[1024] = "";
    snprintf(left, sizeof left, "  %s%s%s%s%s", s->name, s->alias ? ", " : "", s->alias ? s->alias : "",
             s->value ? " " : "", s->value ? s->value : "");
    append_plain(text, sizeof text, s->help);
    if (*s->fallback) {
        append_plain(text, sizeof text, " (default: ");
        append_plain(text, sizeof text, s->fallback);
        append_plain(text, sizeof text, ")");
    }
    const int len = (int)strlen(left);
    if (len < HELP_COLUMN - 1) fprintf(out, "%-*s", HELP_COLUMN, left);
    else fprintf(out, "%s\n%*s", left, HELP_COLUMN, "");
    print_wrapped(out, text, HELP_COLUMN);
}

void nn_options_usage(FILE *out, const char *program)
{
    int count;
    const nn_option_spec *table = nn_option_table(&count);
    fprintf(out, "usage: %s [options]\n", program);
    for (int i = 0; i < count; ++i) print_option_help(out, &table[i]);
}

/* A table cell's text: '|' escaped, as GitHub's tables need even inside code spans. */
static void put_cell(FILE *out, const char *text)
{
    for (const char *c = text; *c; ++c) {
        if (*c == '|') fputc('\\', out);
        fputc(*c, out);
    }
}

static void print_option_row(FILE *out, const nn_option_spec *s)
{
    fprintf(out, "| `%s", s->name);
    if (s->value) {
        fputc(' ', out);
        put_cell(out, s->value);
    }
    fputc('`', out);
    if (s->alias) fprintf(out, ", `%s`", s->alias);
    fputs(" |", out);
    if (*s->fallback) fputc(' ', out);
    put_cell(out, s->fallback);
    fputs(" | ", out);
    put_cell(out, s->help);
    if (s->details) {
        fputs("; ", out);
        put_cell(out, s->details);
    }
    fputs(" |\n", out);
}

void nn_options_markdown(FILE *out)
{
    int count;
    const nn_option_spec *table = nn_option_table(&count);
    fputs("\n| option | default | |\n| --- | --- | --- |\n", out);
    for (int i = 0; i < count; ++i) print_option_row(out, &table[i]);
    fputs("\n", out);
}

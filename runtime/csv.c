#include "csv.h"

#include "regular_file.h"

#include <float.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/types.h>

#define SHOWN 40                /* at most this many bytes of a bad cell in a message */
#define MAX_COLUMNS (1 << 24)   /* keeps column indices far from INT_MAX */
#define FIRST_CELLS 8192        /* the value buffer starts this large and doubles */
#define READ_BUFFER (1 << 20)   /* stdio buffer of a file */
#define EMPTY_FILE "empty file (expected a header row of column names)"

/* The file being read, a line at a time. */
typedef struct {
    const char *path;
    FILE *f;
    char *line; /* the current line without its line end, NUL-terminated */
    size_t len, cap;
    size_t number; /* its 1-based line number */
    char *err;
    size_t errlen;
} reader;

/* A cell of the current line: line[start .. start + len), unquoted. */
typedef struct {
    size_t start, len;
} cell;

/* Appends the message to the first `used` bytes of r->err; returns -1. */
static int vappend(reader *r, int used, const char *fmt, va_list ap)
{
    if (used >= 0 && (size_t)used < r->errlen) vsnprintf(r->err + used, r->errlen - (size_t)used, fmt, ap);
    return -1;
}

/* "path: " then the message; returns -1. */
static int fail_file(reader *r, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vappend(r, snprintf(r->err, r->errlen, "%s: ", r->path), fmt, ap);
    va_end(ap);
    return -1;
}

/* "path: line N[, column K[ (name)]]: " then the message; returns -1. col < 0: no column. */
static int fail_at(reader *r, int col, const char *name, const char *fmt, ...)
{
    int used;
    if (col < 0)
        used = snprintf(r->err, r->errlen, "%s: line %zu: ", r->path, r->number);
    else if (name)
        used = snprintf(r->err, r->errlen, "%s: line %zu, column %d (%s): ", r->path, r->number, col + 1, name);
    else
        used = snprintf(r->err, r->errlen, "%s: line %zu, column %d: ", r->path, r->number, col + 1);
    va_list ap;
    va_start(ap, fmt);
    vappend(r, used, fmt, ap);
    va_end(ap);
    return -1;
}

/* Reads the next line, without its LF or CRLF (and line 1 without a UTF-8
 * byte order mark); returns 1, or 0 at the end of the file or on an error. */
static int next_line(reader *r)
{
    const ssize_t got = getline(&r->line, &r->cap, r->f);
    if (got < 0) return 0;
    size_t len = (size_t)got;
    if (len > 0 && r->line[len - 1] == '\n') --len;
    if (len > 0 && r->line[len - 1] == '\r') --len;
    r->line[len] = '\0';
    if (++r->number == 1 && len >= 3 && memcmp(r->line, "\xEF\xBB\xBF", 3) == 0) {
        len -= 3;
        memmove(r->line, r->line + 3, len + 1);
    }
    r->len = len;
    return 1;
}

static int is_space(char ch)
{
    return ch == ' ' || ch == '\t';
}

static int is_blank(const char *s, size_t n)
{
    for (size_t i = 0; i < n; ++i)
        if (!is_space(s[i])) return 0;
    return 1;
}

/* The quoted cell opening at line[open]: unescapes "" in place and moves *pos
 * past the comma after it. Returns 1 if a comma ends it, 0 if the line does,
 * -1 with the reason in *why. */
static int scan_quoted(char *line, size_t n, size_t open, size_t *pos, cell *c, const char **why)
{
    size_t in = open + 1, out = open + 1;
    for (;;) {
        if (in >= n) {
            *why = "unterminated quote (a quoted cell cannot span lines)";
            return -1;
        }
        if (line[in] == '"' && (in + 1 >= n || line[in + 1] != '"')) break;
        in += line[in] == '"'; /* "" stands for one quote */
        line[out++] = line[in++];
    }
    *c = (cell){ open + 1, out - (open + 1) };
    for (++in; in < n && is_space(line[in]); ++in) {}
    if (in < n && line[in] != ',') {
        *why = "text after a closing quote";
        return -1;
    }
    *pos = in < n ? in + 1 : n;
    return in < n;
}

/* The cell starting at line[*pos], without the spaces around it, unquoted;
 * moves *pos past the comma that ends it. Returns as scan_quoted does. */
static int scan_cell(char *line, size_t n, size_t *pos, cell *c, const char **why)
{
    size_t i = *pos;
    while (i < n && is_space(line[i])) ++i;
    if (i < n && line[i] == '"') return scan_quoted(line, n, i, pos, c, why);
    const char *comma = memchr(line + i, ',', n - i);
    const size_t end = comma ? (size_t)(comma - line) : n;
    size_t last = end;
    while (last > i && is_space(line[last - 1])) --last;
    *c = (cell){ i, last - i };
    *pos = comma ? end + 1 : n;
    return comma != NULL;
}

/* Whether s[0 .. n) is [+-]digits[.digits][(e|E)[+-]digits] (digits on
 * either side of the point) and strtod reads all of it into *v. */
static int read_decimal(const char *s, size_t n, double *v)
{
    size_t i = s[0] == '+' || s[0] == '-', digits = 0, exponent = 1;
    for (; i < n && s[i] >= '0' && s[i] <= '9'; ++i) ++digits;
    if (i < n && s[i] == '.')
        for (++i; i < n && s[i] >= '0' && s[i] <= '9'; ++i) ++digits;
    if (i < n && (s[i] == 'e' || s[i] == 'E')) {
        i += 1 + (i + 1 < n && (s[i + 1] == '+' || s[i + 1] == '-'));
        for (exponent = 0; i < n && s[i] >= '0' && s[i] <= '9'; ++i) ++exponent;
    }
    if (digits == 0 || exponent == 0 || i != n) return 0;
    char *end;
    *v = strtod(s, &end);
    return end == s + n;
}

/* Whether s[0 .. n) is nan, inf or infinity, signed or not, in any case. */
static int is_nonfinite_word(const char *s, size_t n)
{
    if (n > 0 && (s[0] == '+' || s[0] == '-')) ++s, --n;
    return (n == 3 && (strncasecmp(s, "nan", 3) == 0 || strncasecmp(s, "inf", 3) == 0)) ||
           (n == 8 && strncasecmp(s, "infinity", 8) == 0);
}

/* The number in cell c of column col. */
static int parse_number(reader *r, const nn_csv *t, int col, cell c, double *v)
{
    const char *s = r->line + c.start, *name = t->names[col], *more = c.len > SHOWN ? "..." : "";
    const int shown = (int)(c.len > SHOWN ? SHOWN : c.len);
    if (c.len == 0) return fail_at(r, col, name, "empty cell");
    if (!read_decimal(s, c.len, v))
        return fail_at(r, col, name, "'%.*s%s' is not a %snumber", shown, s, more,
                       is_nonfinite_word(s, c.len) ? "finite " : "");
    if (isinf(*v)) return fail_at(r, col, name, "'%.*s%s' is too large for a double", shown, s, more);
    return 0;
}

/* Appends a copy of s[0 .. n) to the column names. */
static int add_name(nn_csv *t, const char *s, size_t n)
{
    if ((t->cols & (t->cols - 1)) == 0) { /* 0, 1, 2, 4, ...: the array is full */
        char **grown = realloc(t->names, sizeof *grown * (size_t)(t->cols ? 2 * t->cols : 1));
        if (!grown) return -1;
        t->names = grown;
    }
    char *name = malloc(n + 1);
    if (!name) return -1;
    memcpy(name, s, n);
    name[n] = '\0';
    t->names[t->cols++] = name;
    return 0;
}

typedef struct {
    const char *name;
    int col;
} named;

static int by_name_then_column(const void *a, const void *b)
{
    const named *x = a, *y = b;
    const int d = strcmp(x->name, y->name);
    return d ? d : (x->col > y->col) - (x->col < y->col);
}

/* Fails on the first column (in file order) whose name an earlier one has. */
static int check_duplicates(reader *r, const nn_csv *t)
{
    named *sorted = malloc(sizeof *sorted * (size_t)t->cols);
    if (!sorted) return fail_at(r, -1, NULL, "out of memory");
    for (int i = 0; i < t->cols; ++i) sorted[i] = (named){ t->names[i], i };
    qsort(sorted, (size_t)t->cols, sizeof *sorted, by_name_then_column);
    int first = -1, again = t->cols;
    for (int i = 1; i < t->cols; ++i)
        if (strcmp(sorted[i - 1].name, sorted[i].name) == 0 && sorted[i].col < again) {
            first = sorted[i - 1].col;
            again = sorted[i].col;
        }
    free(sorted);
    if (first < 0) return 0;
    return fail_at(r, again, t->names[again], "duplicate column name (also column %d)", first + 1);
}

static int read_header(reader *r, nn_csv *t)
{
    if (!next_line(r)) return fail_file(r, "%s", feof(r->f) ? EMPTY_FILE : "cannot read line 1");
    size_t pos = 0;
    for (int col = 0, more = 1; more; ++col) {
        cell c;
        const char *why;
        more = scan_cell(r->line, r->len, &pos, &c, &why);
        if (more < 0) return fail_at(r, col, NULL, "%s", why);
        if (c.len == 0) return fail_at(r, col, NULL, "empty column name");
        if (col == MAX_COLUMNS) return fail_at(r, col, NULL, "more than %d columns", MAX_COLUMNS);
        if (add_name(t, r->line + c.start, c.len) != 0) return fail_at(r, -1, NULL, "out of memory");
    }
    return check_duplicates(r, t);
}

/* Reads the current line's cells into row (t->cols values). */
static int read_row(reader *r, const nn_csv *t, double *row)
{
    size_t pos = 0;
    int col = 0;
    for (int more = 1; more; ++col) {
        cell c;
        const char *why;
        more = scan_cell(r->line, r->len, &pos, &c, &why);
        if (col == t->cols) return fail_at(r, col, NULL, "too many cells (the header has %d columns)", t->cols);
        if (more < 0) return fail_at(r, col, t->names[col], "%s", why);
        if (parse_number(r, t, col, c, &row[col]) != 0) return -1;
    }
    if (col < t->cols)
        return fail_at(r, col, t->names[col], "missing cell (the row has %d cells, the header %d)", col, t->cols);
    return 0;
}

/* Makes room in *values (*cap rows of cols values) for row number `rows`. */
static int make_room(double **values, size_t *cap, size_t rows, size_t cols)
{
    if (rows < *cap) return 0;
    const size_t want = *cap ? 2 * *cap : (FIRST_CELLS / cols ? FIRST_CELLS / cols : 1);
    if (want > SIZE_MAX / sizeof(double) / cols) return -1;
    double *grown = realloc(*values, want * cols * sizeof(double));
    if (!grown) return -1;
    *values = grown;
    *cap = want;
    return 0;
}

/* The rows after the header, into t->values. Blank lines may end the file
 * but not separate rows. */
static int read_rows(reader *r, nn_csv *t)
{
    const size_t cols = (size_t)t->cols;
    double *values = NULL;
    size_t rows = 0, cap = 0, blank = 0; /* the line number of the first blank line since the last row */
    int rc = 0;
    while (rc == 0 && next_line(r)) {
        if (is_blank(r->line, r->len)) {
            blank = blank ? blank : r->number;
        } else if (blank) {
            rc = fail_file(r, "line %zu: blank line between rows", blank);
        } else if (make_room(&values, &cap, rows, cols) != 0) {
            rc = fail_at(r, -1, NULL, "out of memory");
        } else if ((rc = read_row(r, t, values + rows * cols)) == 0) {
            ++rows;
        }
    }
    if (rc == 0 && !feof(r->f)) /* getline failed: out of memory or a read error */
        rc = fail_file(r, "cannot read line %zu", r->number + 1);
    if (rc == 0 && rows == 0) rc = fail_file(r, "no rows after the header");
    if (rc != 0) {
        free(values);
        return -1;
    }
    double *fit = realloc(values, rows * cols * sizeof(double));
    t->values = (nn_array){ .dtype = NN_F64, .ndims = 2, .dims = { rows, cols }, .count = rows * cols };
    t->values.owned = fit ? fit : values;
    t->values.data = t->values.owned;
    return 0;
}

/* The table of r's file; r->line is freed. */
static int read_table(reader *r, nn_csv *out)
{
    nn_csv t = { 0 };
    int rc = read_header(r, &t);
    if (rc == 0) rc = read_rows(r, &t);
    if (rc == 0 && !(t.path = strdup(r->path))) rc = fail_at(r, -1, NULL, "out of memory");
    free(r->line);
    if (rc != 0) {
        nn_csv_free(&t);
        return -1;
    }
    *out = t;
    return 0;
}

int nn_csv_read(const char *path, nn_csv *out, char *err, size_t errlen)
{
    size_t size;
    reader r = { .path = path, .f = nn_open_regular(path, &size, err, errlen), .err = err, .errlen = errlen };
    if (!r.f) return -1;
    setvbuf(r.f, NULL, _IOFBF, READ_BUFFER);
    const int rc = read_table(&r, out);
    fclose(r.f);
    return rc;
}

int nn_csv_parse(const char *name, const char *text, size_t len, nn_csv *out, char *err, size_t errlen)
{
    if (len == 0) { /* fmemopen may refuse an empty buffer */
        snprintf(err, errlen, "%s: %s", name, EMPTY_FILE);
        return -1;
    }
    reader r = { .path = name, .f = fmemopen((void *)text, len, "r"), .err = err, .errlen = errlen };
    if (!r.f) {
        snprintf(err, errlen, "%s: out of memory", name);
        return -1;
    }
    const int rc = read_table(&r, out);
    fclose(r.f);
    return rc;
}

/* The column named s[0 .. n), or -1. */
static int find_column(const nn_csv *c, const char *s, size_t n)
{
    for (int i = 0; i < c->cols; ++i)
        if (strlen(c->names[i]) == n && memcmp(c->names[i], s, n) == 0) return i;
    return -1;
}

int nn_csv_column(const nn_csv *c, const char *name)
{
    return find_column(c, name, strlen(name));
}

void nn_csv_free(nn_csv *c)
{
    for (int i = 0; i < c->cols; ++i) free(c->names[i]);
    free(c->names);
    free(c->path);
    nn_array_free(&c->values);
    *c = (nn_csv){ 0 };
}

/* "path: no column 'name' (columns: a, b, c)"; returns -1. */
static int no_column(const nn_csv *c, const char *s, size_t n, char *err, size_t errlen)
{
    size_t used = (size_t)snprintf(err, errlen, "%s: no column '%.*s' (columns:", c->path, (int)n, s);
    for (int i = 0; i < c->cols && used < errlen; ++i)
        used += (size_t)snprintf(err + used, errlen - used, "%s %s", i ? "," : "", c->names[i]);
    if (used < errlen) snprintf(err + used, errlen - used, ")");
    return -1;
}

/* The columns listed in `targets` into order[] (and marked in is_target);
 * returns how many, or -1 with the reason in err. */
static int pick_targets(const nn_csv *c, const char *targets, int *order, char *is_target, char *err, size_t errlen)
{
    if (targets == NN_CSV_LAST_COLUMN) {
        order[0] = c->cols - 1;
        is_target[c->cols - 1] = 1;
        return 1;
    }
    if (!*targets) return 0; /* NN_CSV_NO_TARGETS */
    int count = 0;
    for (const char *p = targets;; p++) {
        const char *end = strchr(p, ',');
        end = end ? end : p + strlen(p);
        const char *last = end;
        while (p < last && is_space(*p)) ++p;
        while (last > p && is_space(last[-1])) --last;
        const int col = find_column(c, p, (size_t)(last - p));
        if (col < 0) return no_column(c, p, (size_t)(last - p), err, errlen);
        if (is_target[col]) {
            snprintf(err, errlen, "%s: target column '%s' is listed twice", c->path, c->names[col]);
            return -1;
        }
        is_target[col] = 1;
        order[count++] = col;
        if (!*end) return count;
        p = end;
    }
}

/* Fails if a value does not fit a float32: "path: line N, column K (name): V does not fit a float32". */
static int check_float32_range(const nn_csv *c, char *err, size_t errlen)
{
    const double *v = (const double *)c->values.data;
    for (size_t i = 0; i < c->values.count; ++i)
        if (fabs(v[i]) > FLT_MAX) {
            const int col = (int)(i % (size_t)c->cols);
            snprintf(err, errlen, "%s: line %zu, column %d (%s): %g does not fit a float32", c->path,
                     i / (size_t)c->cols + 2, col + 1, c->names[col], v[i]); /* row k is on line k + 2 */
            return -1;
        }
    return 0;
}

/* An owned [rows][cols] array of dtype (no data when empty). */
static int alloc_matrix(nn_array *a, nn_dtype dtype, size_t rows, size_t cols)
{
    *a = (nn_array){ .dtype = dtype, .ndims = 2, .dims = { rows, cols }, .count = rows * cols };
    if (a->count == 0) return 0;
    a->owned = malloc(a->count * nn_dtype_size(dtype));
    a->data = a->owned;
    return a->owned ? 0 : -1;
}

static void put(nn_array *a, size_t i, double v)
{
    if (a->dtype == NN_F32)
        ((float *)a->owned)[i] = (float)v;
    else
        ((double *)a->owned)[i] = v;
}

/* Copies the features and the targets (in the order listed) of every row. */
static void fill(const nn_csv *c, const char *is_target, const int *order, nn_array *x, nn_array *y)
{
    const size_t cols = (size_t)c->cols, features = x->dims[1], targets = y->dims[1];
    for (size_t r = 0; r < c->values.dims[0]; ++r) {
        const double *row = (const double *)c->values.data + r * cols;
        size_t f = 0;
        for (size_t k = 0; k < cols; ++k)
            if (!is_target[k]) put(x, r * features + f++, row[k]);
        for (size_t k = 0; k < targets; ++k) put(y, r * targets + k, row[order[k]]);
    }
}

/* nn_csv_split with the column marks allocated. */
static int split(const nn_csv *c, const char *targets, nn_dtype dtype, int *order, char *is_target, nn_array *x,
                 nn_array *y, char *err, size_t errlen)
{
    const int count = pick_targets(c, targets, order, is_target, err, errlen);
    if (count < 0) return -1;
    if (count == c->cols) {
        snprintf(err, errlen, "%s: every column is a target, no features are left", c->path);
        return -1;
    }
    if (dtype == NN_F32 && check_float32_range(c, err, errlen) != 0) return -1;
    const size_t rows = c->values.dims[0];
    if (alloc_matrix(x, dtype, rows, (size_t)(c->cols - count)) != 0 ||
        alloc_matrix(y, dtype, rows, (size_t)count) != 0) {
        nn_array_free(x);
        snprintf(err, errlen, "%s: out of memory", c->path);
        return -1;
    }
    fill(c, is_target, order, x, y);
    return 0;
}

int nn_csv_split(const nn_csv *c, const char *targets, nn_dtype dtype, nn_array *x, nn_array *y, char *err,
                 size_t errlen)
{
    if (dtype != NN_F32 && dtype != NN_F64) {
        snprintf(err, errlen, "%s: features and targets are float32 or float64, not %s", c->path,
                 nn_dtype_name(dtype));
        return -1;
    }
    int *order = malloc(sizeof *order * (size_t)c->cols);
    char *is_target = calloc((size_t)c->cols, 1);
    int rc = -1;
    if (order && is_target)
        rc = split(c, targets, dtype, order, is_target, x, y, err, errlen);
    else
        snprintf(err, errlen, "%s: out of memory", c->path);
    free(order);
    free(is_target);
    return rc;
}

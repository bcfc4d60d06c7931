/* CSV tables of numbers: a header row of column names, then rows of numeric
 * cells, comma-separated. Accepted: a UTF-8 byte order mark, CRLF or LF line
 * ends, a last line without one, blank lines at the end of the file, spaces
 * or tabs around cells, RFC 4180 quoting ("a,b", "say ""hi""") in any cell
 * (a quoted cell cannot span lines). Numbers are decimal with an optional
 * sign, fraction and exponent ("-1.5e-3", ".5", "7."), read exactly as
 * strtod reads them in the C locale; nan, inf and numbers too large for a
 * double are rejected here, naming the line and column. Every error is one
 * line: "data.csv: line 7, column 3 (age): 'abc' is not a number". */
#ifndef NN_CSV_H
#define NN_CSV_H

#include "array.h"

typedef struct {
    char *path;      /* the file's name as given, for messages */
    int cols;        /* number of columns */
    char **names;    /* cols column names */
    nn_array values; /* float64 [rows][cols] */
} nn_csv;

/* Reads a file. Returns 0, or -1 with the reason in err (nothing allocated). */
int nn_csv_read(const char *path, nn_csv *out, char *err, size_t errlen);
/* Parses len bytes of CSV text; `name` stands for the file in messages. */
int nn_csv_parse(const char *name, const char *text, size_t len, nn_csv *out, char *err, size_t errlen);
/* The index of the column named `name`, or -1. */
int nn_csv_column(const nn_csv *c, const char *name);
void nn_csv_free(nn_csv *c);

#define NN_CSV_LAST_COLUMN NULL /* targets: the last column */
#define NN_CSV_NO_TARGETS ""    /* targets: none, every column is a feature (prediction) */

/* Splits the table into features x [rows][F] (the columns that are not
 * targets, in file order) and targets y [rows][T] (in the order listed),
 * both owned, of dtype NN_F32 or NN_F64. `targets` is a comma-separated list
 * of column names (spaces around names ignored), NN_CSV_LAST_COLUMN or
 * NN_CSV_NO_TARGETS (y is then [rows][0] with no data). Returns 0, or -1 with
 * e.g. "data.csv: no column 'price' (columns: a, b, c)" in err. */
int nn_csv_split(const nn_csv *c, const char *targets, nn_dtype dtype, nn_array *x, nn_array *y, char *err,
                 size_t errlen);

#endif

/* The CSV reader: line ends, byte order mark, quoting, spaces, exact
 * round trips of %.17g, long lines; every malformed case with its exact
 * message (file, line, column); and the split into features and targets. */
#include "csv.h"
#include "helpers.h"

#include <float.h>
#include <math.h>

static char dir[64];
static void setup(void) { make_dir(dir, sizeof dir, "csv"); }
static void teardown(void) { remove_dir(dir); }

TestSuite(csv, .init = setup, .fini = teardown);

static char err[512];

static void parse_ok(const char *text, nn_csv *c)
{
    cr_assert_eq(nn_csv_parse("data.csv", text, strlen(text), c, err, sizeof err), 0, "%s", err);
}

/* The text is rejected with exactly this message. */
static void expect_error(const char *text, const char *message)
{
    nn_csv c;
    err[0] = '\0';
    cr_assert_eq(nn_csv_parse("data.csv", text, strlen(text), &c, err, sizeof err), -1, "accepted: %s", text);
    cr_expect_str_eq(err, message, "for: %s", text);
}

static double value(const nn_csv *c, size_t row, size_t col)
{
    return ((const double *)c->values.data)[row * (size_t)c->cols + col];
}

static const char *write_text(const char *name, const char *text)
{
    static char path[128];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "wb");
    cr_assert_not_null(f);
    fputs(text, f);
    cr_assert_eq(fclose(f), 0);
    return path;
}

Test(csv, reads_names_and_values)
{
    nn_csv c;
    parse_ok("a,b,c\n1,-2.5,3e2\n+4,.5,6.\n", &c);
    cr_expect_eq(c.cols, 3);
    cr_expect_str_eq(c.names[1], "b");
    cr_expect_eq(c.values.dtype, NN_F64);
    cr_expect_eq(c.values.ndims, 2);
    cr_expect_eq(c.values.dims[0], 2);
    cr_expect_eq(c.values.dims[1], 3);
    const double want[6] = { 1, -2.5, 300, 4, 0.5, 6 };
    for (int i = 0; i < 6; ++i) cr_expect_eq(value(&c, (size_t)i / 3, (size_t)i % 3), want[i], "value %d", i);
    cr_expect_str_eq(c.path, "data.csv");
    nn_csv_free(&c);
}

Test(csv, accepts_crlf_bom_spaces_quotes_and_no_final_newline)
{
    nn_csv c;
    parse_ok("\xEF\xBB\xBF\"a,b\", \"say \"\"hi\"\"\" ,  c d \r\n 1 ,\t2\t, \"3\"\r\n4,5,6", &c);
    cr_expect_eq(c.cols, 3);
    cr_expect_str_eq(c.names[0], "a,b");
    cr_expect_str_eq(c.names[1], "say \"hi\"");
    cr_expect_str_eq(c.names[2], "c d");
    cr_expect_eq(c.values.dims[0], 2);
    cr_expect_eq(value(&c, 0, 2), 3);
    cr_expect_eq(value(&c, 1, 2), 6);
    cr_expect_eq(nn_csv_column(&c, "a,b"), 0);
    cr_expect_eq(nn_csv_column(&c, "c d"), 2);
    cr_expect_eq(nn_csv_column(&c, "c"), -1);
    nn_csv_free(&c);
    parse_ok("x\n1\n2\n\n \r\n", &c); /* blank lines at the end */
    cr_expect_eq(c.values.dims[0], 2);
    nn_csv_free(&c);
}

Test(csv, values_round_trip_exactly_through_a_file)
{
    enum { ROWS = 500, COLS = 4 };
    static double want[ROWS * COLS];
    srand(7);
    for (int i = 0; i < ROWS * COLS; ++i) {
        const double mantissa = (double)rand() / RAND_MAX - 0.5;
        want[i] = ldexp(mantissa, rand() % 2090 - 1070); /* subnormals to near DBL_MAX */
    }
    want[0] = DBL_MAX, want[1] = -DBL_MIN, want[2] = 4.9e-324, want[3] = -0.0;
    char path[128];
    snprintf(path, sizeof path, "%s/round.csv", dir);
    FILE *f = fopen(path, "w");
    cr_assert_not_null(f);
    fprintf(f, "w,x,y,z\n");
    for (int r = 0; r < ROWS; ++r)
        for (int k = 0; k < COLS; ++k) fprintf(f, "%.17g%c", want[r * COLS + k], k == COLS - 1 ? '\n' : ',');
    cr_assert_eq(fclose(f), 0);
    nn_csv c;
    cr_assert_eq(nn_csv_read(path, &c, err, sizeof err), 0, "%s", err);
    cr_assert_eq(c.values.count, ROWS * COLS);
    cr_expect_arr_eq(c.values.data, want, sizeof want, "values differ after %%.17g");
    cr_expect(signbit(value(&c, 0, 3)), "-0 keeps its sign");
    nn_csv_free(&c);
}

Test(csv, reads_long_lines_and_many_rows)
{
    enum { COLS = 100000, ROWS = 100000 };
    char path[128];
    snprintf(path, sizeof path, "%s/wide.csv", dir);
    FILE *f = fopen(path, "w");
    cr_assert_not_null(f);
    for (int k = 0; k < COLS; ++k) fprintf(f, "c%d%c", k, k == COLS - 1 ? '\n' : ',');
    for (int k = 0; k < COLS; ++k) fprintf(f, "%d%c", k % 10, k == COLS - 1 ? '\n' : ',');
    cr_assert_eq(fclose(f), 0);
    nn_csv c;
    cr_assert_eq(nn_csv_read(path, &c, err, sizeof err), 0, "%s", err);
    cr_expect_eq(c.cols, COLS);
    cr_expect_eq(value(&c, 0, COLS - 1), 9);
    cr_expect_eq(nn_csv_column(&c, "c99999"), COLS - 1);
    nn_csv_free(&c);
    snprintf(path, sizeof path, "%s/tall.csv", dir);
    f = fopen(path, "w");
    cr_assert_not_null(f);
    fprintf(f, "a,b\n");
    for (int r = 0; r < ROWS; ++r) fprintf(f, "%d,%d.25\n", r, -r);
    cr_assert_eq(fclose(f), 0);
    cr_assert_eq(nn_csv_read(path, &c, err, sizeof err), 0, "%s", err);
    cr_expect_eq(c.values.dims[0], ROWS);
    cr_expect_eq(value(&c, ROWS - 1, 1), -(ROWS - 1) - 0.25);
    nn_csv_free(&c);
}

Test(csv, rejects_text_cells)
{
    expect_error("a,b,age\n1,2,3\n4,5,abc\n", "data.csv: line 3, column 3 (age): 'abc' is not a number");
    expect_error("a\r\n1\r\n\"x\"\r\n", "data.csv: line 3, column 1 (a): 'x' is not a number");
    expect_error("a,b\n1, 2 3\n", "data.csv: line 2, column 2 (b): '2 3' is not a number");
}

Test(csv, rejects_what_is_almost_a_number)
{
    static const char *const cells[] = { "0x10", "1e", "1e+", "1.2.3", "--1", ".", "+", "1,5e", "1d", "e5", "٣" };
    for (size_t i = 0; i < sizeof cells / sizeof *cells; ++i) {
        char text[64], message[128];
        snprintf(text, sizeof text, "n\n\"%s\"\n", cells[i]);
        snprintf(message, sizeof message, "data.csv: line 2, column 1 (n): '%s' is not a number", cells[i]);
        expect_error(text, message);
    }
}

Test(csv, rejects_empty_cells)
{
    expect_error("a,b\n1,\n", "data.csv: line 2, column 2 (b): empty cell");
    expect_error("a,b\n1,2\n , 3\n", "data.csv: line 3, column 1 (a): empty cell");
    expect_error("a,b\n\"\",2\n", "data.csv: line 2, column 1 (a): empty cell");
}

Test(csv, rejects_ragged_rows)
{
    expect_error("a,b\n1,2,3\n", "data.csv: line 2, column 3: too many cells (the header has 2 columns)");
    expect_error("a,b\n1,2,\n", "data.csv: line 2, column 3: too many cells (the header has 2 columns)");
    expect_error("a,b,c\n1,2,3\n1,2\n", "data.csv: line 3, column 3 (c): missing cell (the row has 2 cells, the header 3)");
}

Test(csv, rejects_an_empty_file_and_a_header_alone)
{
    expect_error("", "data.csv: empty file (expected a header row of column names)");
    expect_error("a,b\n", "data.csv: no rows after the header");
    expect_error("a,b", "data.csv: no rows after the header");
    expect_error("a,b\r\n\r\n\n", "data.csv: no rows after the header");
}

Test(csv, rejects_bad_headers)
{
    expect_error("a,b,a\n1,2,3\n", "data.csv: line 1, column 3 (a): duplicate column name (also column 1)");
    expect_error("z,y,x,y,z\n1,2,3,4,5\n", "data.csv: line 1, column 4 (y): duplicate column name (also column 2)");
    expect_error("a,,c\n1,2,3\n", "data.csv: line 1, column 2: empty column name");
    expect_error("a,b,\n1,2,3\n", "data.csv: line 1, column 3: empty column name");
    expect_error("\n1\n", "data.csv: line 1, column 1: empty column name");
}

Test(csv, rejects_bad_quotes)
{
    expect_error("\"a,b\n1\n", "data.csv: line 1, column 1: unterminated quote (a quoted cell cannot span lines)");
    expect_error("a,\"b\"x\n1,2\n", "data.csv: line 1, column 2: text after a closing quote");
    expect_error("a,b\n1,\"2\n", "data.csv: line 2, column 2 (b): unterminated quote (a quoted cell cannot span lines)");
}

Test(csv, rejects_non_finite_and_huge_numbers)
{
    expect_error("x,y\n1,nan\n", "data.csv: line 2, column 2 (y): 'nan' is not a finite number");
    expect_error("x,y\n-Inf,1\n", "data.csv: line 2, column 1 (x): '-Inf' is not a finite number");
    expect_error("x,y\n1,infinity\n", "data.csv: line 2, column 2 (y): 'infinity' is not a finite number");
    expect_error("x\n1e999\n", "data.csv: line 2, column 1 (x): '1e999' is too large for a double");
}

Test(csv, rejects_blank_lines_between_rows)
{
    expect_error("x\n1\n\n \n2\n", "data.csv: line 3: blank line between rows");
}

Test(csv, shows_the_start_of_a_long_bad_cell)
{
    char text[256] = "x\n1";
    memset(text + 3, 'z', 100);
    strcpy(text + 103, "\n");
    expect_error(text, "data.csv: line 2, column 1 (x): '1zzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzz...' is not a number");
}

Test(csv, names_the_file_it_cannot_open_or_finds_empty)
{
    char path[128];
    nn_csv c;
    snprintf(path, sizeof path, "%s/none.csv", dir);
    cr_assert_eq(nn_csv_read(path, &c, err, sizeof err), -1);
    char message[256];
    snprintf(message, sizeof message, "%s: cannot open (No such file or directory)", path);
    cr_expect_str_eq(err, message);
    const char *empty = write_text("empty.csv", "");
    cr_assert_eq(nn_csv_read(empty, &c, err, sizeof err), -1);
    snprintf(message, sizeof message, "%s: empty file (expected a header row of column names)", empty);
    cr_expect_str_eq(err, message);
    const char *bad = write_text("bad.csv", "a,b\n1,2\n3,x\n");
    cr_assert_eq(nn_csv_read(bad, &c, err, sizeof err), -1);
    snprintf(message, sizeof message, "%s: line 3, column 2 (b): 'x' is not a number", bad);
    cr_expect_str_eq(err, message);
}

static const char table[] = "a,b,c,d\n1,2,3,4\n5,6,7,8\n";

Test(csv, splits_on_the_last_column_by_default)
{
    nn_csv c;
    nn_array x, y;
    parse_ok(table, &c);
    cr_assert_eq(nn_csv_split(&c, NN_CSV_LAST_COLUMN, NN_F32, &x, &y, err, sizeof err), 0, "%s", err);
    cr_expect_eq(x.dtype, NN_F32);
    cr_expect_eq(x.dims[0], 2);
    cr_expect_eq(x.dims[1], 3);
    cr_expect_eq(y.dims[1], 1);
    const float xw[6] = { 1, 2, 3, 5, 6, 7 }, yw[2] = { 4, 8 };
    cr_expect_arr_eq(x.data, xw, sizeof xw);
    cr_expect_arr_eq(y.data, yw, sizeof yw);
    nn_array_free(&x);
    nn_array_free(&y);
    nn_csv_free(&c);
}

Test(csv, splits_on_listed_targets_in_their_order)
{
    nn_csv c;
    nn_array x, y;
    parse_ok(table, &c);
    cr_assert_eq(nn_csv_split(&c, "c, a", NN_F64, &x, &y, err, sizeof err), 0, "%s", err);
    cr_expect_eq(x.dtype, NN_F64);
    cr_expect_eq(y.dims[1], 2);
    const double xw[4] = { 2, 4, 6, 8 }, yw[4] = { 3, 1, 7, 5 };
    cr_expect_arr_eq(x.data, xw, sizeof xw);
    cr_expect_arr_eq(y.data, yw, sizeof yw);
    nn_array_free(&x);
    nn_array_free(&y);
    cr_assert_eq(nn_csv_split(&c, NN_CSV_NO_TARGETS, NN_F32, &x, &y, err, sizeof err), 0, "%s", err);
    cr_expect_eq(x.dims[1], 4);
    cr_expect_eq(y.dims[0], 2);
    cr_expect_eq(y.dims[1], 0);
    cr_expect_eq(y.count, 0);
    cr_expect_eq(((const float *)x.data)[7], 8);
    nn_array_free(&x);
    nn_array_free(&y);
    nn_csv_free(&c);
}

/* The split is refused with exactly this message. */
static void expect_split_error(const nn_csv *c, const char *targets, nn_dtype dtype, const char *message)
{
    nn_array x, y;
    cr_assert_eq(nn_csv_split(c, targets, dtype, &x, &y, err, sizeof err), -1, "accepted: %s", targets);
    cr_expect_str_eq(err, message);
}

Test(csv, split_names_what_is_wrong)
{
    nn_csv c;
    parse_ok(table, &c);
    expect_split_error(&c, "price", NN_F32, "data.csv: no column 'price' (columns: a, b, c, d)");
    expect_split_error(&c, "a,,b", NN_F32, "data.csv: no column '' (columns: a, b, c, d)");
    expect_split_error(&c, "b, b", NN_F32, "data.csv: target column 'b' is listed twice");
    expect_split_error(&c, "a,b,c,d", NN_F32, "data.csv: every column is a target, no features are left");
    expect_split_error(&c, NULL, NN_I32, "data.csv: features and targets are float32 or float64, not int32");
    nn_csv_free(&c);
    parse_ok("a,b\n1,2\n3,1e39\n", &c);
    expect_split_error(&c, NULL, NN_F32, "data.csv: line 3, column 2 (b): 1e+39 does not fit a float32");
    nn_csv_free(&c);
}

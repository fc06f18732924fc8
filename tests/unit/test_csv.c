/* Unit tests: the RFC 4180 reader's acceptance and refusals, its limits, and the writer's
 * quoting and formula neutralisation. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "smesec/alloc.h"
#include "smesec/csv.h"
#include "smesec/err.h"

#include <stdio.h>
#include <string.h>

/* Reads every record of s, joining fields with '|' and records with '/'. Returns the
 * reader's final code (0 at a clean end). */
static int read_all(const char *s, size_t len, const struct sm_csv_limits *lim, char *out,
                    size_t size, struct sm_diag *d)
{
    struct sm_csv_reader r;
    const char *const *f;
    size_t n;
    int rc;
    out[0] = '\0';
    sm_csv_reader_init(&r, s, len, lim);
    while ((rc = sm_csv_next(&r, &f, &n, d)) == 1) {
        size_t used = strlen(out);
        if (used)
            snprintf(out + used, size - used, "/");
        for (size_t i = 0; i < n; i++) {
            used = strlen(out);
            snprintf(out + used, size - used, "%s%s", i ? "|" : "", f[i]);
        }
    }
    sm_csv_reader_release(&r);
    return rc;
}

static void reads_rfc4180(void **state)
{
    (void)state;
    char out[512];
    struct sm_diag d;
    const char in[] = SM_CSV_BOM "a,b,c\r\n1,\"x,y\",\"he said \"\"hi\"\"\"\r\n"
                                 "\"multi\r\nline\",,last\n"
                                 "日本語,\"\",end";
    assert_int_equal(read_all(in, sizeof in - 1, NULL, out, sizeof out, &d), 0);
    assert_string_equal(out, "a|b|c/1|x,y|he said \"hi\"/multi\r\nline||last/日本語||end");
    /* A final line break ends the last record; an empty input has no record. */
    assert_int_equal(read_all("x,y\n", 4, NULL, out, sizeof out, &d), 0);
    assert_string_equal(out, "x|y");
    assert_int_equal(read_all("", 0, NULL, out, sizeof out, &d), 0);
    assert_string_equal(out, "");
    assert_int_equal(read_all(SM_CSV_BOM, 3, NULL, out, sizeof out, &d), 0);
    assert_string_equal(out, "");
}

static void refuses_malformed_input(void **state)
{
    (void)state;
    char out[512];
    struct sm_diag d;

    static const struct {
        const char *in;
        long record;
    } bad[] = {
        { "a,b\nc\"d,e\n", 2 },    /* quote inside an unquoted field */
        { "\"abc\"x,1\n", 1 },     /* text after a closing quote */
        { "\"unterminated\n", 1 }, /* no closing quote */
        { "a,b\rc,d\n", 1 },       /* lone CR */
        { "a,b\nc\n", 2 },         /* field count differs from the first record */
        { "a,\xff\xfe\n", 1 },     /* invalid UTF-8 */
    };

    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        sm_diag_clear(&d);
        assert_int_equal(read_all(bad[i].in, strlen(bad[i].in), NULL, out, sizeof out, &d),
                         SM_EPARSE);
        assert_int_equal(d.line, bad[i].record);
        assert_true(d.offset >= 0);
        assert_non_null(strstr(d.msg, "csv record"));
    }
    /* A NUL byte is refused wherever it is. */
    const char nul[] = { 'a', ',', 'b', '\0', 'c', '\n' };
    assert_int_equal(read_all(nul, sizeof nul, NULL, out, sizeof out, &d), SM_EPARSE);
    const char qnul[] = { '"', 'a', '\0', '"', '\n' };
    assert_int_equal(read_all(qnul, sizeof qnul, NULL, out, sizeof out, &d), SM_EPARSE);
}

static void limits_hold(void **state)
{
    (void)state;
    char out[4096];
    struct sm_diag d;
    struct sm_csv_limits lim = { .max_fields = 3, .max_record = 16, .max_records = 2 };
    assert_int_equal(read_all("a,b,c,d\n", 8, &lim, out, sizeof out, &d), SM_ELIMIT);
    assert_int_equal(read_all("0123456789,0123456789\n", 22, &lim, out, sizeof out, &d), SM_ELIMIT);
    assert_int_equal(read_all("a\nb\nc\n", 6, &lim, out, sizeof out, &d), SM_ELIMIT);
    assert_int_equal(read_all("a\nb\n", 4, &lim, out, sizeof out, &d), 0);
    /* After a failure the reader stays failed. */
    struct sm_csv_reader r;
    const char *const *f;
    size_t n;
    sm_csv_reader_init(&r, "a,\"b\n", 5, NULL);
    assert_int_equal(sm_csv_next(&r, &f, &n, &d), SM_EPARSE);
    assert_int_equal(sm_csv_next(&r, &f, &n, &d), SM_EPARSE);
    sm_csv_reader_release(&r);
}

static void writer_quotes_and_neutralises(void **state)
{
    (void)state;
    struct sm_buf b;
    sm_buf_init(&b, 4096);
    const char *const row[] = { "plain", "a,b", "say \"x\"", "=SUM(A1)", "+81 3",      "-1",
                                "@cmd",  "\tx", "'=quoted",  NULL,       "line\nbreak" };
    assert_int_equal(sm_csv_put_record(&b, row, sizeof row / sizeof row[0], SM_CSV_NEUTRALISE),
                     SM_OK);
    assert_string_equal(b.data, "plain,\"a,b\",\"say \"\"x\"\"\",'=SUM(A1),'+81 3,'-1,'@cmd,"
                                "'\tx,''=quoted,,\"line\nbreak\"\r\n");
    /* Reading it back and undoing the neutralisation gives every field exactly. */
    struct sm_csv_reader r;
    const char *const *f;
    size_t n;
    struct sm_diag d;
    sm_csv_reader_init(&r, b.data, b.len, NULL);
    assert_int_equal(sm_csv_next(&r, &f, &n, &d), 1);
    assert_int_equal(n, sizeof row / sizeof row[0]);
    for (size_t i = 0; i < n; i++)
        assert_string_equal(sm_csv_unneutralise(f[i]), row[i] ? row[i] : "");
    sm_csv_reader_release(&r);
    /* Without the flag, nothing is prefixed. */
    sm_buf_reset(&b);
    const char *const one[] = { "=1" };
    assert_int_equal(sm_csv_put_record(&b, one, 1, 0), SM_OK);
    assert_string_equal(b.data, "=1\r\n");
    /* A field that does not fit leaves the buffer as it was. */
    struct sm_buf small;
    sm_buf_init(&small, 8);
    assert_int_equal(sm_buf_puts(&small, "ab"), SM_OK);
    const char *const big[] = { "0123456789" };
    assert_int_equal(sm_csv_put_record(&small, big, 1, 0), SM_ELIMIT);
    assert_string_equal(small.data, "ab");
    sm_buf_release(&small);
    sm_buf_release(&b);
}

/* Found by fuzz_registry_csv: a first field starting with U+FEFF was written bare and read
 * back as the file's byte-order mark. */
static void leading_bom_in_a_field_survives(void **state)
{
    (void)state;
    struct sm_buf b;
    sm_buf_init(&b, 256);
    const char *const row[] = { SM_CSV_BOM "x", "y" };
    assert_int_equal(sm_csv_put_record(&b, row, 2, 0), SM_OK);
    assert_string_equal(b.data, "\"" SM_CSV_BOM "x\",y\r\n");
    struct sm_csv_reader r;
    const char *const *f;
    size_t n;
    struct sm_diag d;
    sm_csv_reader_init(&r, b.data, b.len, NULL);
    assert_int_equal(sm_csv_next(&r, &f, &n, &d), 1);
    assert_string_equal(f[0], SM_CSV_BOM "x");
    sm_csv_reader_release(&r);
    sm_buf_release(&b);
}

static void out_of_memory_is_returned(void **state)
{
    (void)state;
    char out[512];
    struct sm_diag d;
    const char in[] = "a,\"b,c\",d\r\n1,2,3\r\n";
    int rc = SM_ENOMEM;
    for (long n = 0; rc != 0 && n < 100; n++) {
        sm_alloc_fail_after(n);
        rc = read_all(in, sizeof in - 1, NULL, out, sizeof out, &d);
        sm_alloc_fail_after(-1);
        if (rc != 0)
            assert_int_equal(rc, SM_ENOMEM);
    }
    assert_int_equal(rc, 0);
    assert_string_equal(out, "a|b,c|d/1|2|3");
}

static void unneutralise_is_exact(void **state)
{
    (void)state;
    assert_string_equal(sm_csv_unneutralise("'=x"), "=x");
    assert_string_equal(sm_csv_unneutralise("''=x"), "'=x");
    assert_string_equal(sm_csv_unneutralise("'x"), "'x");
    assert_string_equal(sm_csv_unneutralise("'"), "'");
    assert_string_equal(sm_csv_unneutralise("x"), "x");
    assert_true(sm_csv_needs_neutralising("\r", 1));
    assert_false(sm_csv_needs_neutralising("a=", 2));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(reads_rfc4180),
        cmocka_unit_test(refuses_malformed_input),
        cmocka_unit_test(limits_hold),
        cmocka_unit_test(writer_quotes_and_neutralises),
        cmocka_unit_test(leading_bom_in_a_field_survives),
        cmocka_unit_test(out_of_memory_is_returned),
        cmocka_unit_test(unneutralise_is_exact),
    };
    return cmocka_run_group_tests_name("csv", tests, NULL, NULL);
}

/* Unit tests: encoding detection and conversion to UTF-8 (src/text/encoding.c). */
/* cmocka needs these first, in this order. */
/* clang-format off */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
/* clang-format on */

#include "smesec/alloc.h"
#include "smesec/err.h"
#include "smesec/text.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Reads tests/data/docs/name whole (free with free). */
static char *fixture(const char *name, size_t *len)
{
    const char *root = getenv("SMESEC_SOURCE_DIR");
    char path[4096];
    snprintf(path, sizeof path, "%s/tests/data/docs/%s", root ? root : ".", name);
    FILE *f = fopen(path, "rb");
    if (!f)
        fail_msg("cannot open fixture %s (set SMESEC_SOURCE_DIR)", path);
    char *data = malloc(1 << 20);
    assert_non_null(data);
    *len = fread(data, 1, 1 << 20, f);
    fclose(f);
    return data;
}

static enum sm_encoding detect(const void *s, size_t n)
{
    enum sm_encoding enc = (enum sm_encoding) - 1;
    struct sm_diag diag;
    int rc = sm_encoding_detect(s, n, &enc, &diag);
    if (rc)
        fail_msg("detection failed: %s", diag.msg);
    return enc;
}

static char *to_utf8(const void *s, size_t n, enum sm_encoding enc, size_t *len)
{
    char *out = NULL;
    struct sm_diag diag;
    int rc = sm_text_to_utf8(s, n, enc, &out, len, &diag);
    if (rc)
        fail_msg("conversion failed: %s", diag.msg);
    assert_int_equal(out[*len], '\0');
    return out;
}

/* The same guideline in the three encodings is told apart and converts to the same text. */
static void tells_the_three_encodings_apart(void **state)
{
    (void)state;
    size_t nu, ns, ne;
    char *u = fixture("guideline.txt", &nu);
    char *s = fixture("guideline.sjis.txt", &ns);
    char *e = fixture("guideline.eucjp.txt", &ne);
    assert_int_equal(detect(u, nu), SM_ENC_UTF8);
    assert_int_equal(detect(s, ns), SM_ENC_SHIFT_JIS);
    assert_int_equal(detect(e, ne), SM_ENC_EUC_JP);

    size_t ls, le;
    char *from_s = to_utf8(s, ns, SM_ENC_SHIFT_JIS, &ls);
    char *from_e = to_utf8(e, ne, SM_ENC_EUC_JP, &le);
    /* Shift_JIS is read as CP932: U+FF5E comes back exactly, and the files are equal. */
    assert_int_equal(ls, nu);
    assert_memory_equal(from_s, u, nu);
    /* EUC-JP has U+301C where the UTF-8 file has U+FF5E; after normalisation they agree. */
    char *nu_out, *ne_out;
    size_t nu_len, ne_len;
    assert_int_equal(sm_text_normalize(u, nu, &nu_out, &nu_len, NULL), SM_OK);
    assert_int_equal(sm_text_normalize(from_e, le, &ne_out, &ne_len, NULL), SM_OK);
    assert_int_equal(nu_len, ne_len);
    assert_memory_equal(nu_out, ne_out, nu_len);
    sm_free(nu_out);
    sm_free(ne_out);
    sm_free(from_s);
    sm_free(from_e);
    free(u);
    free(s);
    free(e);
}

/* Short realistic lines, each in both legacy encodings (bytes written out by hand). */
static void short_lines(void **state)
{
    (void)state;
    /* "パスワードを設定する。" */
    static const char sjis[] = "\x83\x70\x83\x58\x83\x8f\x81\x5b\x83\x68\x82\xf0\x90\xdd\x92"
                               "\xe8\x82\xb7\x82\xe9\x81\x42";
    static const char euc[] = "\xa5\xd1\xa5\xb9\xa5\xef\xa1\xbc\xa5\xc9\xa4\xf2\xc0\xdf\xc4"
                              "\xea\xa4\xb9\xa4\xeb\xa1\xa3";
    assert_int_equal(detect(sjis, sizeof sjis - 1), SM_ENC_SHIFT_JIS);
    assert_int_equal(detect(euc, sizeof euc - 1), SM_ENC_EUC_JP);
    size_t n;
    char *t = to_utf8(sjis, sizeof sjis - 1, SM_ENC_SHIFT_JIS, &n);
    assert_string_equal(t, "パスワードを設定する。");
    sm_free(t);
    t = to_utf8(euc, sizeof euc - 1, SM_ENC_EUC_JP, &n);
    assert_string_equal(t, "パスワードを設定する。");
    sm_free(t);
    /* "ソ" is 83 5C in Shift_JIS: its second byte is a backslash, and stays part of it. */
    t = to_utf8("\x83\x5c\x83\x74\x83\x67", 6, SM_ENC_SHIFT_JIS, &n);
    assert_string_equal(t, "ソフト");
    sm_free(t);
    /* CP932, not JIS: 0x5C is a backslash, NEC row 13 has ①. */
    t = to_utf8("C:\\\x87\x40", 5, SM_ENC_SHIFT_JIS, &n);
    assert_string_equal(t, "C:\\①");
    sm_free(t);
}

static void utf8_and_byte_order_marks(void **state)
{
    (void)state;
    assert_int_equal(detect("plain ascii", 11), SM_ENC_UTF8);
    assert_int_equal(detect("", 0), SM_ENC_UTF8);
    assert_int_equal(detect("\xef\xbb\xbf\xe6\x97\xa5", 6), SM_ENC_UTF8);
    size_t n;
    char *t = to_utf8("\xef\xbb\xbf\xe6\x97\xa5", 6, SM_ENC_UTF8, &n);
    assert_string_equal(t, "日");
    assert_int_equal(n, 3);
    sm_free(t);

    enum sm_encoding enc;
    struct sm_diag diag;
    assert_int_equal(sm_encoding_detect("\xff\xfe"
                                        "a\0",
                                        4, &enc, &diag),
                     SM_EPARSE);
    assert_non_null(strstr(diag.msg, "UTF-16"));
}

/* UTF-8 with one broken byte is refused with its offset, not read as Shift_JIS (which the
 * bytes of UTF-8 Japanese often are, too). */
static void broken_utf8_is_not_mistaken(void **state)
{
    (void)state;
    size_t n;
    char *s = fixture("invalid-utf8.txt", &n);
    enum sm_encoding enc;
    struct sm_diag diag;
    assert_int_equal(sm_encoding_detect(s, n, &enc, &diag), SM_EPARSE);
    assert_int_equal(diag.offset, 183);
    assert_non_null(strstr(diag.msg, "UTF-8"));
    assert_non_null(strstr(diag.msg, "183"));
    char *out = NULL;
    assert_int_equal(sm_text_to_utf8(s, n, SM_ENC_UTF8, &out, &n, &diag), SM_EPARSE);
    assert_int_equal(diag.offset, 183);
    assert_null(out);
    free(s);
}

static void invalid_everywhere_names_a_byte(void **state)
{
    (void)state;
    enum sm_encoding enc;
    struct sm_diag diag;
    /* Valid Shift_JIS for two characters, then a lead byte with a bad trail byte. */
    static const char bad[] = "\x83\x70\x83\x58\x83\x0a\x80";
    assert_int_equal(sm_encoding_detect(bad, sizeof bad - 1, &enc, &diag), SM_EPARSE);
    assert_int_equal(diag.offset, 4);
    assert_non_null(strstr(diag.msg, "byte 4"));

    /* Conversion errors carry the offset too. */
    char *out = NULL;
    size_t n;
    assert_int_equal(sm_text_to_utf8("ab\x83", 3, SM_ENC_SHIFT_JIS, &out, &n, &diag), SM_EPARSE);
    assert_int_equal(diag.offset, 2);
    assert_non_null(strstr(diag.msg, "Shift_JIS"));
    assert_int_equal(sm_text_to_utf8("a\xa4\x10", 3, SM_ENC_EUC_JP, &out, &n, &diag), SM_EPARSE);
    assert_int_equal(diag.offset, 1);
    assert_null(out);
}

static void names(void **state)
{
    (void)state;
    assert_string_equal(sm_encoding_name(SM_ENC_UTF8), "UTF-8");
    assert_string_equal(sm_encoding_name(SM_ENC_SHIFT_JIS), "Shift_JIS");
    assert_string_equal(sm_encoding_name(SM_ENC_EUC_JP), "EUC-JP");
}

static void conversion_survives_allocation_failures(void **state)
{
    (void)state;
    size_t n;
    char *s = fixture("guideline.sjis.txt", &n);
    int rc = SM_ENOMEM;
    long k;
    for (k = 0; rc == SM_ENOMEM && k < 100; k++) {
        char *out = NULL;
        size_t len = 0;
        sm_alloc_fail_after(k);
        rc = sm_text_to_utf8(s, n, SM_ENC_SHIFT_JIS, &out, &len, NULL);
        sm_alloc_fail_after(-1);
        if (rc == SM_ENOMEM)
            assert_null(out);
        else
            sm_free(out);
    }
    assert_int_equal(rc, SM_OK);
    free(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(tells_the_three_encodings_apart),
        cmocka_unit_test(short_lines),
        cmocka_unit_test(utf8_and_byte_order_marks),
        cmocka_unit_test(broken_utf8_is_not_mistaken),
        cmocka_unit_test(invalid_everywhere_names_a_byte),
        cmocka_unit_test(names),
        cmocka_unit_test(conversion_survives_allocation_failures),
    };
    return cmocka_run_group_tests_name("text_encoding", tests, NULL, NULL);
}

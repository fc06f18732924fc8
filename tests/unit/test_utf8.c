/* Unit tests: UTF-8 validation at the boundaries. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "smesec/utf8.h"

#include <string.h>

static void check(const char *s, size_t n, bool valid, size_t bad_at)
{
    size_t off = 12345;
    assert_int_equal(sm_utf8_valid(s, n, &off), valid);
    if (!valid)
        assert_int_equal(off, bad_at);
}

static void accepts_well_formed(void **state)
{
    (void)state;
    const char *s = "ascii 日本語 ｶﾀｶﾅ 😀 é";
    check(s, strlen(s), true, 0);
    check("", 0, true, 0);
    check("\xF4\x8F\xBF\xBF", 4, true, 0); /* U+10FFFF */
    check("\xED\x9F\xBF", 3, true, 0);     /* U+D7FF, just below the surrogates */
}

static void rejects_malformed_with_offset(void **state)
{
    (void)state;
    check("ab\xC0\xAF", 4, false, 2);         /* overlong '/' */
    check("a\xE0\x80\xAF", 4, false, 1);      /* overlong 3-byte */
    check("\xED\xA0\x80", 3, false, 0);       /* surrogate U+D800 */
    check("xy\xF4\x90\x80\x80", 6, false, 2); /* above U+10FFFF */
    check("abc\xE6\x97", 5, false, 3);        /* truncated */
    check("\x80", 1, false, 0);               /* lone continuation */
    check("\xFF", 1, false, 0);
    check("日\xE6\x9C", 5, false, 3);
    check("\xE6\x97\x41", 3, false, 0); /* bad continuation */
}

static void counts_code_points(void **state)
{
    (void)state;
    const char *s = "a日本😀";
    assert_int_equal(sm_utf8_codepoints(s, strlen(s)), 4);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(accepts_well_formed),
        cmocka_unit_test(rejects_malformed_with_offset),
        cmocka_unit_test(counts_code_points),
    };
    return cmocka_run_group_tests_name("utf8", tests, NULL, NULL);
}

/* Unit tests: the growable buffer and its hard maximum. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "smesec/alloc.h"
#include "smesec/buf.h"
#include "smesec/err.h"

#include <string.h>

static void append_and_take(void **state)
{
    (void)state;
    struct sm_buf b;
    sm_buf_init(&b, 1024);
    assert_int_equal(sm_buf_puts(&b, "abc"), SM_OK);
    assert_int_equal(sm_buf_putc(&b, '-'), SM_OK);
    assert_int_equal(sm_buf_printf(&b, "%d/%s", 42, "x"), SM_OK);
    assert_string_equal(b.data, "abc-42/x");
    assert_int_equal(b.len, 8);
    size_t len = 0;
    char *s = sm_buf_take(&b, &len);
    assert_string_equal(s, "abc-42/x");
    assert_int_equal(len, 8);
    assert_null(b.data);
    assert_int_equal(b.len, 0);
    sm_free(s);
    /* Taking from an empty buffer gives an empty string, not NULL. */
    s = sm_buf_take(&b, NULL);
    assert_non_null(s);
    assert_string_equal(s, "");
    sm_free(s);
}

static void maximum_is_enforced_and_buffer_unchanged(void **state)
{
    (void)state;
    struct sm_buf b;
    sm_buf_init(&b, 5);
    assert_int_equal(sm_buf_puts(&b, "abcd"), SM_OK);
    assert_int_equal(sm_buf_puts(&b, "ef"), SM_ELIMIT);
    assert_string_equal(b.data, "abcd");
    assert_int_equal(sm_buf_printf(&b, "%s", "xy"), SM_ELIMIT);
    assert_string_equal(b.data, "abcd");
    assert_int_equal(sm_buf_putc(&b, 'e'), SM_OK);
    assert_int_equal(b.len, 5);
    assert_int_equal(sm_buf_putc(&b, 'f'), SM_ELIMIT);
    assert_true(b.cap <= 6);
    sm_buf_release(&b);
}

static void grows_across_many_appends(void **state)
{
    (void)state;
    struct sm_buf b;
    sm_buf_init(&b, 1 << 20);
    for (int i = 0; i < 10000; i++)
        assert_int_equal(sm_buf_printf(&b, "%04d", i % 10000), SM_OK);
    assert_int_equal(b.len, 40000);
    assert_memory_equal(b.data + 39996, "9999", 4);
    assert_int_equal(b.data[b.len], '\0');
    sm_buf_reset(&b);
    assert_int_equal(b.len, 0);
    assert_string_equal(b.data, "");
    sm_buf_release(&b);
}

static void html_escaping(void **state)
{
    (void)state;
    struct sm_buf b;
    sm_buf_init(&b, 1024);
    const char *in = "<a href=\"x\">Tom & 'Jerry'</a> 日本";
    assert_int_equal(sm_buf_put_html(&b, in, strlen(in)), SM_OK);
    assert_string_equal(b.data,
                        "&lt;a href=&quot;x&quot;&gt;Tom &amp; &#39;Jerry&#39;&lt;/a&gt; 日本");
    sm_buf_release(&b);

    /* Escaping that would pass the maximum leaves the buffer as it was. */
    sm_buf_init(&b, 8);
    assert_int_equal(sm_buf_puts(&b, "ok:"), SM_OK);
    assert_int_equal(sm_buf_put_html(&b, "<<", 2), SM_ELIMIT);
    assert_string_equal(b.data, "ok:");
    sm_buf_release(&b);
}

static void out_of_memory_leaves_buffer_unchanged(void **state)
{
    (void)state;
    struct sm_buf b;
    sm_buf_init(&b, 1 << 20);
    assert_int_equal(sm_buf_puts(&b, "keep"), SM_OK);
    char big[200];
    memset(big, 'x', sizeof big);
    sm_alloc_fail_after(0);
    int rc = sm_buf_append(&b, big, sizeof big);
    sm_alloc_fail_after(-1);
    assert_int_equal(rc, SM_ENOMEM);
    assert_string_equal(b.data, "keep");
    assert_int_equal(b.len, 4);
    sm_buf_release(&b);
}

static void errors_have_text(void **state)
{
    (void)state;
    for (int code = 0; code >= SM_EUNSUPPORTED; code--)
        assert_string_not_equal(sm_strerror(code), "unknown error");
    assert_string_equal(sm_strerror(-999), "unknown error");
    struct sm_diag d;
    sm_diag_clear(&d);
    assert_int_equal(d.line, -1);
    assert_int_equal(sm_diag_set(&d, SM_EINVAL, "bad '%s'", "x"), SM_EINVAL);
    assert_string_equal(d.msg, "bad 'x'");
    assert_int_equal(sm_diag_set(NULL, SM_EIO, "ignored"), SM_EIO);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(append_and_take),
        cmocka_unit_test(maximum_is_enforced_and_buffer_unchanged),
        cmocka_unit_test(grows_across_many_appends),
        cmocka_unit_test(html_escaping),
        cmocka_unit_test(out_of_memory_leaves_buffer_unchanged),
        cmocka_unit_test(errors_have_text),
    };
    return cmocka_run_group_tests_name("buf", tests, NULL, NULL);
}

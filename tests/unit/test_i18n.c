/*
 * Unit tests of the message catalogs: language codes, lookups in both languages, every way a
 * catalog can be rejected (with the file, key and line it names), and a run that fails each
 * allocation in turn.
 */
#include "smesec/alloc.h"
#include "smesec/embed.h"
#include "smesec/err.h"
#include "smesec/i18n.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "util/banned.h"

/* clang-format off */
#define ENTRY(name, text) {(name), (const unsigned char *)(text), sizeof(text) - 1}
#define END {NULL, NULL, 0}
/* clang-format on */

static const struct sm_embedded good[] = {
    ENTRY("ja.json", "{\n  \"nav.home\": \"ホーム\",\n  \"nav.search\": \"サービスを探す\",\n"
                     "  \"a\": \"あ\",\n  \"empty\": \"\"\n}\n"),
    ENTRY("en.json", "{\"empty\": \"\", \"a\": \"A\", \"nav.search\": \"Find a service\", "
                     "\"nav.home\": \"Home\"}"),
    ENTRY("other.json", "not looked at"), END
};

/* Loads ja and en from the given texts, expecting want_rc; returns the diag. */
static struct sm_diag load(const char *ja, const char *en, int want_rc)
{
    const struct sm_embedded files[] = { { "ja.json", (const unsigned char *)ja, strlen(ja) },
                                         { "en.json", (const unsigned char *)en, strlen(en) },
                                         END };
    struct sm_diag diag;
    sm_diag_clear(&diag);
    static char sentinel;
    struct sm_i18n *i18n = (struct sm_i18n *)(void *)&sentinel;
    int rc = sm_i18n_new(files, &i18n, &diag);
    if (rc != want_rc)
        fail_msg("ja %s en %s: rc %d (%s), want %d", ja, en, rc, diag.msg, want_rc);
    if (rc == SM_OK)
        sm_i18n_free(i18n);
    else
        assert_ptr_equal(i18n, (void *)&sentinel); /* untouched on failure */
    return diag;
}

static void test_lang_codes(void **state)
{
    (void)state;
    assert_string_equal(sm_lang_code(SM_LANG_JA), "ja");
    assert_string_equal(sm_lang_code(SM_LANG_EN), "en");
    enum sm_lang lang = SM_LANG_EN;
    assert_int_equal(sm_lang_parse("ja", &lang), SM_OK);
    assert_int_equal(lang, SM_LANG_JA);
    assert_int_equal(sm_lang_parse("en", &lang), SM_OK);
    assert_int_equal(lang, SM_LANG_EN);
    const char *bad[] = { "", "JA", "En", "jp", "ja-JP", "en ", " en", "e", "eng" };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        lang = SM_LANG_JA;
        assert_int_equal(sm_lang_parse(bad[i], &lang), SM_EINVAL);
        assert_int_equal(lang, SM_LANG_JA);
    }
    assert_int_equal(sm_lang_parse(NULL, &lang), SM_EINVAL);
    for (int l = 0; l < SM_LANG_COUNT; l++) {
        assert_int_equal(sm_lang_parse(sm_lang_code((enum sm_lang)l), &lang), SM_OK);
        assert_int_equal(lang, l);
    }
}

static void test_lookup(void **state)
{
    (void)state;
    struct sm_i18n *i18n = NULL;
    struct sm_diag diag;
    sm_diag_clear(&diag);
    assert_int_equal(sm_i18n_new(good, &i18n, &diag), SM_OK);
    assert_string_equal(sm_i18n_get(i18n, SM_LANG_JA, "nav.home"), "ホーム");
    assert_string_equal(sm_i18n_get(i18n, SM_LANG_EN, "nav.home"), "Home");
    assert_string_equal(sm_i18n_get(i18n, SM_LANG_JA, "nav.search"), "サービスを探す");
    assert_string_equal(sm_i18n_get(i18n, SM_LANG_EN, "nav.search"), "Find a service");
    assert_string_equal(sm_i18n_get(i18n, SM_LANG_JA, "a"), "あ");
    assert_string_equal(sm_i18n_get(i18n, SM_LANG_EN, "a"), "A");
    assert_string_equal(sm_i18n_get(i18n, SM_LANG_EN, "empty"), "");

    /* An unknown key comes back as itself, the same pointer. */
    const char *key = "nav.nothing";
    assert_ptr_equal(sm_i18n_get(i18n, SM_LANG_JA, key), key);
    assert_ptr_equal(sm_i18n_get(i18n, SM_LANG_EN, ""), sm_i18n_get(i18n, SM_LANG_EN, ""));
    assert_string_equal(sm_i18n_get(i18n, SM_LANG_EN, "nav"), "nav");
    assert_string_equal(sm_i18n_get(i18n, SM_LANG_EN, "nav.homes"), "nav.homes");
    assert_ptr_equal(sm_i18n_get(NULL, SM_LANG_JA, key), key);
    assert_non_null(sm_i18n_get(i18n, SM_LANG_JA, NULL));
    sm_i18n_free(i18n);
    sm_i18n_free(NULL);
}

/* Many keys in an order unrelated to byte order, to exercise the sorted lookup. */
static void test_many_keys(void **state)
{
    (void)state;
    char ja[16384] = "{";
    char en[16384] = "{";
    size_t jl = 1;
    size_t el = 1;
    for (int i = 0; i < 300; i++) {
        int k = (i * 7919) % 300;
        int n = snprintf(ja + jl, sizeof ja - jl, "%s\"k%d\":\"ja%d\"", i ? "," : "", k, k);
        jl += (size_t)n;
        /* en lists the same keys backwards. */
        k = ((299 - i) * 7919) % 300;
        n = snprintf(en + el, sizeof en - el, "%s\"k%d\":\"en%d\"", i ? "," : "", k, k);
        el += (size_t)n;
    }
    ja[jl++] = '}';
    en[el++] = '}';
    const struct sm_embedded files[] = { { "ja.json", (const unsigned char *)ja, jl },
                                         { "en.json", (const unsigned char *)en, el },
                                         END };
    struct sm_i18n *i18n = NULL;
    assert_int_equal(sm_i18n_new(files, &i18n, NULL), SM_OK);
    for (int k = 0; k < 300; k++) {
        char key[16];
        char want[16];
        snprintf(key, sizeof key, "k%d", k);
        snprintf(want, sizeof want, "ja%d", k);
        assert_string_equal(sm_i18n_get(i18n, SM_LANG_JA, key), want);
        snprintf(want, sizeof want, "en%d", k);
        assert_string_equal(sm_i18n_get(i18n, SM_LANG_EN, key), want);
    }
    assert_string_equal(sm_i18n_get(i18n, SM_LANG_EN, "k300"), "k300");
    sm_i18n_free(i18n);
}

static void test_empty_catalogs(void **state)
{
    (void)state;
    const struct sm_embedded files[] = { ENTRY("ja.json", "{}"), ENTRY("en.json", " { } "), END };
    struct sm_i18n *i18n = NULL;
    assert_int_equal(sm_i18n_new(files, &i18n, NULL), SM_OK);
    assert_string_equal(sm_i18n_get(i18n, SM_LANG_JA, "x"), "x");
    sm_i18n_free(i18n);
}

static void test_missing_keys(void **state)
{
    (void)state;
    struct sm_diag d =
        load("{\"a\":\"1\",\"b\":\"2\",\"c\":\"3\"}", "{\"a\":\"1\",\"c\":\"3\"}", SM_EINVAL);
    assert_non_null(strstr(d.msg, "'b'"));
    assert_non_null(strstr(d.msg, "missing from 'en.json'"));

    d = load("{\"a\":\"1\"}", "{\"a\":\"1\",\"z\":\"2\"}", SM_EINVAL);
    assert_non_null(strstr(d.msg, "'z'"));
    assert_non_null(strstr(d.msg, "of catalog 'en.json' is missing from 'ja.json'"));

    /* The first missing key in file order is the one named. */
    d = load("{\"x\":\"1\",\"m2\":\"2\",\"m1\":\"3\"}", "{\"x\":\"1\"}", SM_EINVAL);
    assert_non_null(strstr(d.msg, "'m2'"));

    d = load("{}", "{\"only\":\"en\"}", SM_EINVAL);
    assert_non_null(strstr(d.msg, "'only'"));
}

static void test_not_strings(void **state)
{
    (void)state;
    struct sm_diag d =
        load("{\n  \"a\": \"x\",\n  \"b\":\n    1\n}", "{\"a\":\"x\",\"b\":\"y\"}", SM_EPARSE);
    assert_non_null(strstr(d.msg, "'b'"));
    assert_non_null(strstr(d.msg, "'ja.json'"));
    assert_int_equal(d.line, 4);

    d = load("{\"a\":\"x\"}", "{\"a\":\n{\"nested\":\"no\"}}", SM_EPARSE);
    assert_non_null(strstr(d.msg, "'a'"));
    assert_non_null(strstr(d.msg, "'en.json'"));
    assert_int_equal(d.line, 2);

    /* Colons and braces inside strings and nested values do not confuse the line. */
    d = load("{\"k:{\": \"v:}\\\"{\",\n\"arr\": [1, {\"x\": 2}],\n\"n\": null}", "{}", SM_EPARSE);
    assert_non_null(strstr(d.msg, "'arr'"));
    assert_int_equal(d.line, 2);

    d = load("{\"a\":\"x\", \"t\": true}", "{}", SM_EPARSE);
    assert_non_null(strstr(d.msg, "'t'"));
    assert_int_equal(d.line, 1);

    d = load("[\"a\"]", "{}", SM_EPARSE);
    assert_non_null(strstr(d.msg, "'ja.json' is not a JSON object"));
    d = load("{}", "\"text\"", SM_EPARSE);
    assert_non_null(strstr(d.msg, "'en.json'"));
}

static void test_bad_json(void **state)
{
    (void)state;
    struct sm_diag d = load("{\n\"a\": \"x\",\n}", "{\"a\":\"x\"}", SM_EPARSE);
    assert_non_null(strstr(d.msg, "'ja.json' line 3"));
    assert_int_equal(d.line, 3);

    d = load("{\"a\":\"x\"}", "{\"a\":\"x\"\n\n\n\"b\":\"y\"}", SM_EPARSE);
    assert_non_null(strstr(d.msg, "'en.json' line 4"));
    assert_int_equal(d.line, 4);

    d = load("", "{}", SM_EPARSE);
    assert_non_null(strstr(d.msg, "'ja.json'"));

    /* Duplicate keys would make one translation silently win. */
    d = load("{\"a\":\"x\",\n\"a\":\"y\"}", "{\"a\":\"x\"}", SM_EPARSE);
    assert_non_null(strstr(d.msg, "'ja.json' line 2"));
    assert_int_equal(d.line, 2);

    /* Invalid UTF-8 and NUL characters are refused by the parser. */
    d = load("{\"a\":\"\xff\"}", "{\"a\":\"x\"}", SM_EPARSE);
    d = load("{\"a\":\"x\"}", "{\"a\":\"x\\u0000y\"}", SM_EPARSE);
    assert_non_null(strstr(d.msg, "'en.json'"));
}

static void test_missing_file(void **state)
{
    (void)state;
    const struct sm_embedded files[] = { ENTRY("ja.json", "{}"), END };
    struct sm_i18n *i18n = NULL;
    struct sm_diag diag;
    sm_diag_clear(&diag);
    assert_int_equal(sm_i18n_new(files, &i18n, &diag), SM_ENOTFOUND);
    assert_null(i18n);
    assert_non_null(strstr(diag.msg, "'en.json'"));
}

static void test_alloc_failures(void **state)
{
    (void)state;
    int failures = 0;
    for (long n = 0;; n++) {
        struct sm_i18n *i18n = NULL;
        struct sm_diag diag;
        sm_diag_clear(&diag);
        sm_alloc_fail_after(n);
        int rc = sm_i18n_new(good, &i18n, &diag);
        sm_alloc_fail_after(-1);
        if (rc == SM_OK) {
            assert_string_equal(sm_i18n_get(i18n, SM_LANG_EN, "nav.home"), "Home");
            sm_i18n_free(i18n);
            break;
        }
        assert_int_equal(rc, SM_ENOMEM);
        assert_null(i18n);
        assert_non_null(strstr(diag.msg, "out of memory"));
        failures++;
        assert_true(n < 1000);
    }
    assert_true(failures > 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_lang_codes),     cmocka_unit_test(test_lookup),
        cmocka_unit_test(test_many_keys),      cmocka_unit_test(test_empty_catalogs),
        cmocka_unit_test(test_missing_keys),   cmocka_unit_test(test_not_strings),
        cmocka_unit_test(test_bad_json),       cmocka_unit_test(test_missing_file),
        cmocka_unit_test(test_alloc_failures),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

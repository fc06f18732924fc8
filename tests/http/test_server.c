/*
 * HTTP tests of the public side of the server against the real binary on every backend: the
 * top page in both languages and the language cookie, the prefectures API, the health
 * check, security headers, static files with ETags, 404/405/413/400 answers with reasons,
 * and a graceful exit on SIGTERM after all of it.
 */
/* cmocka needs these first, in this order. */
/* clang-format off */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
/* clang-format on */

#include "harness.h"

#include <jansson.h>

static const char *backend;

static int setup(void **state)
{
    struct srv *s = calloc(1, sizeof(*s));
    if (s == NULL)
        return -1;
    *state = s;
    if (srv_start(s, backend) != 0) {
        srv_stop(s);
        return -1;
    }
    return 0;
}

/* Every test ends with SIGTERM: a non-zero exit fails it. */
static int teardown(void **state)
{
    struct srv *s = *state;
    int status = srv_stop(s);
    free(s);
    if (status != 0)
        fprintf(stderr, "the server exited with %d after SIGTERM\n", status);
    return status == 0 ? 0 : -1;
}

static void assert_contains(const char *haystack, const char *needle)
{
    if (strstr(haystack, needle) == NULL)
        fail_msg("expected to find '%s' in:\n%.2000s", needle, haystack);
}

static void assert_header(const struct res *r, const char *name, const char *want)
{
    char *v = header(r, name);
    if (v == NULL)
        fail_msg("no %s header", name);
    if (strcmp(v, want) != 0)
        fail_msg("%s is '%s', expected '%s'", name, v, want);
    free(v);
}

static void assert_security_headers(const struct res *r)
{
    assert_header(r, "Content-Security-Policy",
                  "default-src 'self'; script-src 'self'; style-src 'self'; "
                  "img-src 'self' data:; frame-ancestors 'none'; form-action 'self'; "
                  "base-uri 'none'");
    assert_header(r, "X-Content-Type-Options", "nosniff");
    assert_header(r, "Referrer-Policy", "same-origin");
    assert_header(r, "X-Frame-Options", "DENY");
}

static void top_page_ja(void **state)
{
    struct srv *s = *state;
    struct res r;
    assert_int_equal(http_get(s, "/", NULL, &r), 0);
    assert_int_equal(r.status, 200);
    assert_header(&r, "Content-Type", "text/html; charset=utf-8");
    assert_contains(r.body, "<html lang=\"ja\">");
    assert_contains(r.body, "<h1>");
    assert_contains(r.body, "id=\"lang-switch\" href=\"?lang=en\" hreflang=\"en\">English</a>");
    assert_contains(r.body, "<meta name=\"viewport\"");
    assert_contains(r.body, "class=\"skip-link\" href=\"#main\"");
    assert_int_equal(count_of(r.body, "<section class=\"region\" data-region=\""), 8);
    assert_int_equal(count_of(r.body, "<li data-pref=\""), 47);
    assert_int_equal(count_of(r.body, "<a href=\"/services?prefecture="), 47);
    assert_contains(r.body,
                    "<li data-pref=\"01\"><a href=\"/services?prefecture=01\">北海道</a></li>");
    assert_contains(r.body,
                    "<li data-pref=\"47\"><a href=\"/services?prefecture=47\">沖縄県</a></li>");
    assert_contains(r.body, "<section class=\"region\" data-region=\"8\"");
    /* No language was asked for: no cookie is set. */
    char *lang = set_cookie_line(&r, "lang");
    assert_null(lang);
    res_free(&r);
}

static void top_page_en_and_lang_cookie(void **state)
{
    struct srv *s = *state;
    struct res r;
    assert_int_equal(http_get(s, "/?lang=en", NULL, &r), 0);
    assert_int_equal(r.status, 200);
    assert_contains(r.body, "<html lang=\"en\">");
    assert_contains(r.body, "id=\"lang-switch\" href=\"?lang=ja\" hreflang=\"ja\">日本語</a>");
    assert_int_equal(count_of(r.body, "<section class=\"region\" data-region=\""), 8);
    assert_int_equal(count_of(r.body, "<li data-pref=\""), 47);
    assert_contains(r.body, ">Hokkaido</a></li>");
    assert_contains(r.body, ">Okinawa</a></li>");
    char *line = set_cookie_line(&r, "lang");
    assert_non_null(line);
    assert_contains(line, "lang=en");
    assert_contains(line, "Path=/");
    assert_contains(line, "SameSite=Lax");
    assert_contains(line, "Max-Age=31536000");
    free(line);
    res_free(&r);

    /* The cookie chooses on later requests. */
    assert_int_equal(http_get(s, "/", "lang=en", &r), 0);
    assert_contains(r.body, "<html lang=\"en\">");
    assert_null(set_cookie_line(&r, "lang"));
    res_free(&r);

    /* ?lang= wins over the cookie and replaces it. */
    assert_int_equal(http_get(s, "/?lang=ja", "lang=en", &r), 0);
    assert_contains(r.body, "<html lang=\"ja\">");
    char *v = set_cookie_value(&r, "lang");
    assert_non_null(v);
    assert_string_equal(v, "ja");
    free(v);
    res_free(&r);

    /* An unknown language falls back to Japanese without a cookie. */
    assert_int_equal(http_get(s, "/?lang=fr", NULL, &r), 0);
    assert_int_equal(r.status, 200);
    assert_contains(r.body, "<html lang=\"ja\">");
    assert_null(set_cookie_line(&r, "lang"));
    res_free(&r);

    /* Error pages follow the language too. */
    assert_int_equal(http_get(s, "/nowhere", "lang=en", &r), 0);
    assert_int_equal(r.status, 404);
    assert_contains(r.body, "<html lang=\"en\">");
    assert_contains(r.body, "hreflang=\"ja\"");
    res_free(&r);
}

static void api_prefectures(void **state)
{
    struct srv *s = *state;
    struct res r;
    assert_int_equal(http_get(s, "/api/v1/prefectures", NULL, &r), 0);
    assert_int_equal(r.status, 200);
    assert_header(&r, "Content-Type", "application/json; charset=utf-8");
    assert_security_headers(&r);
    json_error_t err;
    json_t *j = json_loadb(r.body, r.len, 0, &err);
    assert_non_null(j);
    json_t *regions = json_object_get(j, "regions");
    assert_true(json_is_array(regions));
    assert_int_equal(json_array_size(regions), 8);
    size_t total = 0;
    for (size_t i = 0; i < json_array_size(regions); i++) {
        json_t *reg = json_array_get(regions, i);
        assert_int_equal(json_integer_value(json_object_get(reg, "id")), (json_int_t)i + 1);
        assert_true(json_is_string(json_object_get(reg, "name_ja")));
        assert_true(json_is_string(json_object_get(reg, "name_en")));
        json_t *prefs = json_object_get(reg, "prefectures");
        assert_true(json_array_size(prefs) > 0);
        for (size_t k = 0; k < json_array_size(prefs); k++) {
            json_t *p = json_array_get(prefs, k);
            assert_int_equal(strlen(json_string_value(json_object_get(p, "code"))), 2);
            assert_true(json_is_string(json_object_get(p, "name_ja")));
            assert_true(json_is_string(json_object_get(p, "name_en")));
        }
        total += json_array_size(prefs);
    }
    assert_int_equal(total, 47);
    json_t *first = json_array_get(regions, 0);
    assert_string_equal(json_string_value(json_object_get(first, "name_ja")), "北海道");
    assert_string_equal(json_string_value(json_object_get(first, "name_en")), "Hokkaido");
    json_t *hokkaido = json_array_get(json_object_get(first, "prefectures"), 0);
    assert_string_equal(json_string_value(json_object_get(hokkaido, "code")), "01");
    assert_string_equal(json_string_value(json_object_get(hokkaido, "name_ja")), "北海道");
    assert_string_equal(json_string_value(json_object_get(hokkaido, "name_en")), "Hokkaido");

    json_t *flat = json_object_get(j, "prefectures");
    assert_int_equal(json_array_size(flat), 47);
    for (size_t k = 0; k < 47; k++) {
        json_t *p = json_array_get(flat, k);
        char code[3];
        snprintf(code, sizeof(code), "%02zu", k + 1);
        assert_string_equal(json_string_value(json_object_get(p, "code")), code);
        json_int_t region = json_integer_value(json_object_get(p, "region_id"));
        assert_true(region >= 1 && region <= 8);
    }
    json_t *okinawa = json_array_get(flat, 46);
    assert_string_equal(json_string_value(json_object_get(okinawa, "name_en")), "Okinawa");
    assert_int_equal(json_integer_value(json_object_get(okinawa, "region_id")), 8);
    json_decref(j);
    res_free(&r);
}

static void healthz(void **state)
{
    struct srv *s = *state;
    struct res r;
    assert_int_equal(http_get(s, "/healthz", NULL, &r), 0);
    assert_int_equal(r.status, 200);
    assert_header(&r, "Content-Type", "application/json; charset=utf-8");
    assert_string_equal(r.body, "{\"status\":\"ok\"}");
    res_free(&r);
}

static void security_headers_everywhere(void **state)
{
    struct srv *s = *state;
    const char *paths[] = { "/",
                            "/healthz",
                            "/login",
                            "/admin",
                            "/nowhere",
                            "/api/v1/nowhere",
                            "/static/style.css",
                            "/static/nothing.css",
                            "/?x=%ff" };
    for (size_t i = 0; i < sizeof(paths) / sizeof(paths[0]); i++) {
        struct res r;
        assert_int_equal(http_get(s, paths[i], NULL, &r), 0);
        assert_security_headers(&r);
        res_free(&r);
    }
    struct res r;
    assert_int_equal(http_full(s, "DELETE", "/", NULL, NULL, NULL, 0, NULL, &r), 0);
    assert_int_equal(r.status, 405);
    assert_security_headers(&r);
    res_free(&r);
}

static void static_file_and_etag(void **state)
{
    struct srv *s = *state;
    struct res r;
    assert_int_equal(http_get(s, "/static/style.css", NULL, &r), 0);
    assert_int_equal(r.status, 200);
    assert_header(&r, "Content-Type", "text/css; charset=utf-8");
    assert_header(&r, "Cache-Control", "public, max-age=86400");
    assert_true(r.len > 100);
    char *etag = header(&r, "ETag");
    assert_non_null(etag);
    assert_true(etag[0] == '"' && etag[strlen(etag) - 1] == '"');
    res_free(&r);

    char inm[128];
    snprintf(inm, sizeof(inm), "If-None-Match: %s", etag);
    assert_int_equal(http_full(s, "GET", "/static/style.css", NULL, NULL, NULL, 0, inm, &r), 0);
    assert_int_equal(r.status, 304);
    assert_int_equal(r.len, 0);
    char *etag2 = header(&r, "ETag");
    assert_non_null(etag2);
    assert_string_equal(etag, etag2);
    free(etag2);
    assert_security_headers(&r);
    res_free(&r);

    /* In a list, and weak, still matches; another tag does not. */
    snprintf(inm, sizeof(inm), "If-None-Match: \"abc\", W/%s", etag);
    assert_int_equal(http_full(s, "GET", "/static/style.css", NULL, NULL, NULL, 0, inm, &r), 0);
    assert_int_equal(r.status, 304);
    res_free(&r);
    assert_int_equal(http_full(s, "GET", "/static/style.css", NULL, NULL, NULL, 0,
                               "If-None-Match: \"0000000000000000\"", &r),
                     0);
    assert_int_equal(r.status, 200);
    res_free(&r);
    free(etag);

    assert_int_equal(http_get(s, "/static/missing.js", NULL, &r), 0);
    assert_int_equal(r.status, 404);
    res_free(&r);
    assert_int_equal(http_get(s, "/static/../server.c", NULL, &r), 0);
    assert_int_equal(r.status, 404);
    res_free(&r);
}

static void not_found_html_and_json(void **state)
{
    struct srv *s = *state;
    struct res r;
    assert_int_equal(http_get(s, "/no/such/page", NULL, &r), 0);
    assert_int_equal(r.status, 404);
    assert_header(&r, "Content-Type", "text/html; charset=utf-8");
    assert_contains(r.body, "<html lang=\"ja\">");
    assert_contains(r.body, "ページが見つかりません");
    res_free(&r);

    /* The prefecture links lead to the services search (tests/http/test_services.c). */
    assert_int_equal(http_get(s, "/services?prefecture=13", NULL, &r), 0);
    assert_int_equal(r.status, 200);
    res_free(&r);

    assert_int_equal(http_get(s, "/api/v1/nothing", NULL, &r), 0);
    assert_int_equal(r.status, 404);
    assert_header(&r, "Content-Type", "application/json; charset=utf-8");
    json_t *j = json_loadb(r.body, r.len, 0, NULL);
    assert_non_null(j);
    assert_true(strlen(json_string_value(json_object_get(j, "error"))) > 0);
    json_decref(j);
    res_free(&r);
}

static void method_not_allowed(void **state)
{
    struct srv *s = *state;
    struct res r;
    assert_int_equal(http_post_form(s, "/", NULL, "a=b", &r), 0);
    assert_int_equal(r.status, 405);
    assert_header(&r, "Allow", "GET, HEAD");
    assert_true(r.len > 0);
    res_free(&r);

    assert_int_equal(http_full(s, "PUT", "/login", NULL, NULL, "x", 1, NULL, &r), 0);
    assert_int_equal(r.status, 405);
    assert_header(&r, "Allow", "GET, HEAD, POST");
    res_free(&r);

    assert_int_equal(http_full(s, "DELETE", "/api/v1/prefectures", NULL, NULL, NULL, 0, NULL, &r),
                     0);
    assert_int_equal(r.status, 405);
    assert_header(&r, "Content-Type", "application/json; charset=utf-8");
    assert_contains(r.body, "\"error\"");
    res_free(&r);

    assert_int_equal(http_get(s, "/api/v1/session", NULL, &r), 0);
    assert_int_equal(r.status, 405);
    assert_header(&r, "Allow", "POST");
    res_free(&r);
}

static void head_has_no_body(void **state)
{
    struct srv *s = *state;
    struct res r;
    assert_int_equal(http_full(s, "HEAD", "/", NULL, NULL, NULL, 0, NULL, &r), 0);
    assert_int_equal(r.status, 200);
    assert_int_equal(r.len, 0);
    assert_header(&r, "Content-Type", "text/html; charset=utf-8");
    res_free(&r);
}

static void oversized_body(void **state)
{
    struct srv *s = *state;
    size_t n = 2u * 1024 * 1024;
    char *big = malloc(n);
    assert_non_null(big);
    memset(big, 'a', n);
    memcpy(big, "username=", 9);
    struct res r;
    /* A little over the limit: read, dropped, refused. */
    http_full(s, "POST", "/login", NULL, "application/x-www-form-urlencoded", big, n, NULL, &r);
    assert_int_equal(r.status, 413);
    assert_contains(r.body, "送信");
    res_free(&r);

    http_full(s, "POST", "/api/v1/session", NULL, "application/json", big, n, NULL, &r);
    assert_int_equal(r.status, 413);
    assert_contains(r.body, "\"error\"");
    res_free(&r);

    /* Chunked: no length up front, so the body is read, dropped, and then refused. */
    http_full(s, "POST", "/api/v1/session", NULL, "application/json", big, n,
              "Transfer-Encoding: chunked", &r);
    assert_int_equal(r.status, 413);
    res_free(&r);
    free(big);

    /* Just under the limit is fine as far as size goes (the form is then judged). */
    assert_int_equal(http_get(s, "/healthz", NULL, &r), 0);
    assert_int_equal(r.status, 200);
    res_free(&r);
}

static void malformed_json(void **state)
{
    struct srv *s = *state;
    struct res r;
    const char *bad[] = { "{bad", "", "[1,2]", "{\"username\": 1, \"password\": \"x\"}",
                          "{\"username\":\"a\",\"username\":\"b\",\"password\":\"c\"}" };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        assert_int_equal(http_full(s, "POST", "/api/v1/session", NULL, "application/json", bad[i],
                                   strlen(bad[i]), NULL, &r),
                         0);
        assert_int_equal(r.status, 400);
        assert_header(&r, "Content-Type", "application/json; charset=utf-8");
        json_t *j = json_loadb(r.body, r.len, 0, NULL);
        assert_non_null(j);
        const char *why = json_string_value(json_object_get(j, "error"));
        assert_non_null(why);
        assert_true(strlen(why) > 10);
        json_decref(j);
        res_free(&r);
    }
    /* A body that is not declared JSON is refused as such. */
    assert_int_equal(http_post_form(s, "/api/v1/session", NULL, "username=a&password=b", &r), 0);
    assert_int_equal(r.status, 415);
    assert_contains(r.body, "application/json");
    res_free(&r);
}

static void bad_input_is_400(void **state)
{
    struct srv *s = *state;
    const char *paths[] = { "/?q=%ff", "/?q=%zz", "/?q=%00", "/%ff", "/login?next=%e3%81" };
    for (size_t i = 0; i < sizeof(paths) / sizeof(paths[0]); i++) {
        struct res r;
        assert_int_equal(http_get(s, paths[i], NULL, &r), 0);
        if (r.status != 400)
            fail_msg("%s gave %ld", paths[i], r.status);
        assert_contains(r.body, "<html lang=\"ja\">");
        res_free(&r);
    }
    struct res r;
    assert_int_equal(http_get(s, "/api/v1/prefectures?x=%c3%28", NULL, &r), 0);
    assert_int_equal(r.status, 400);
    assert_contains(r.body, "\"error\"");
    assert_contains(r.body, "UTF-8");
    res_free(&r);

    /* A form with invalid UTF-8. */
    assert_int_equal(http_post_form(s, "/login", NULL, "username=%ff", &r), 0);
    assert_int_equal(r.status, 400);
    res_free(&r);

    /* Valid UTF-8 in a query is fine. */
    assert_int_equal(http_get(s, "/?q=%E6%9D%B1%E4%BA%AC", NULL, &r), 0);
    assert_int_equal(r.status, 200);
    res_free(&r);
}

static void keeps_serving_after_bad_requests(void **state)
{
    struct srv *s = *state;
    for (int round = 0; round < 3; round++) {
        struct res r;
        http_get(s, "/?q=%ff", NULL, &r);
        res_free(&r);
        http_full(s, "POST", "/api/v1/session", NULL, "application/json", "{", 1, NULL, &r);
        res_free(&r);
        http_full(s, "BREW", "/", NULL, NULL, NULL, 0, NULL, &r);
        res_free(&r);
        http_post_form(s, "/logout", "sm_session=garbage", "csrf=x", &r);
        res_free(&r);
        http_get(s, "/static/..%2f..%2fetc%2fpasswd", NULL, &r);
        res_free(&r);
    }
    struct res r;
    assert_int_equal(http_get(s, "/healthz", NULL, &r), 0);
    assert_int_equal(r.status, 200);
    res_free(&r);
    assert_int_equal(http_get(s, "/", NULL, &r), 0);
    assert_int_equal(r.status, 200);
    res_free(&r);
}

static void access_log(void **state)
{
    struct srv *s = *state;
    struct res r;
    assert_int_equal(http_get(s, "/healthz", NULL, &r), 0);
    res_free(&r);
    assert_int_equal(http_get(s, "/nowhere%0aforged", NULL, &r), 0);
    res_free(&r);
    /* A line is written when its request completes, just after the answer, by whichever
     * worker served it: the two lines may come in either order. */
    char *log = NULL;
    for (int i = 0; i < 100; i++) {
        free(log);
        log = srv_log(s);
        if (log != NULL && strstr(log, "/nowhere") != NULL && strstr(log, "/healthz") != NULL)
            break;
        struct timespec ts = { 0, 20 * 1000000L };
        nanosleep(&ts, NULL);
    }
    assert_non_null(log);
    assert_contains(log, "GET \"/healthz\" 200 15 ");
    /* A newline in the path cannot start a forged line. */
    assert_contains(log, "GET \"/nowhere\\x0aforged\" 404 ");
    free(log);
}

static void sigterm_exits_cleanly(void **state)
{
    struct srv *s = *state;
    struct res r;
    assert_int_equal(http_get(s, "/", NULL, &r), 0);
    res_free(&r);
    assert_int_equal(srv_stop(s), 0);
    /* The port no longer answers. */
    assert_int_not_equal(http_get(s, "/healthz", NULL, &r), 0);
    res_free(&r);
}

int main(void)
{
    curl_global_init(CURL_GLOBAL_DEFAULT);
    const char *names[SM_TEST_MAX_BACKENDS];
    int n = sm_test_backends(names, SM_TEST_MAX_BACKENDS);
    if (n < 0)
        return 1;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(top_page_ja, setup, teardown),
        cmocka_unit_test_setup_teardown(top_page_en_and_lang_cookie, setup, teardown),
        cmocka_unit_test_setup_teardown(api_prefectures, setup, teardown),
        cmocka_unit_test_setup_teardown(healthz, setup, teardown),
        cmocka_unit_test_setup_teardown(security_headers_everywhere, setup, teardown),
        cmocka_unit_test_setup_teardown(static_file_and_etag, setup, teardown),
        cmocka_unit_test_setup_teardown(not_found_html_and_json, setup, teardown),
        cmocka_unit_test_setup_teardown(method_not_allowed, setup, teardown),
        cmocka_unit_test_setup_teardown(head_has_no_body, setup, teardown),
        cmocka_unit_test_setup_teardown(oversized_body, setup, teardown),
        cmocka_unit_test_setup_teardown(malformed_json, setup, teardown),
        cmocka_unit_test_setup_teardown(bad_input_is_400, setup, teardown),
        cmocka_unit_test_setup_teardown(keeps_serving_after_bad_requests, setup, teardown),
        cmocka_unit_test_setup_teardown(access_log, setup, teardown),
        cmocka_unit_test_setup_teardown(sigterm_exits_cleanly, setup, teardown),
    };
    int failed = 0;
    for (int i = 0; i < n; i++) {
        backend = names[i];
        char group[64];
        snprintf(group, sizeof(group), "http server on %s", backend);
        failed += cmocka_run_group_tests_name(group, tests, NULL, NULL);
    }
    curl_global_cleanup();
    return failed ? 1 : 0;
}

/*
 * HTTP tests of logging in and out against the real binary on every backend: the login
 * form's double-submit CSRF cookie, wrong passwords and the rate limit, session cookies and
 * their rotation, the role-aware admin dashboard, logout with the session's CSRF token, and
 * the JSON login endpoint. Users are added through the CLI, as an operator would.
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

#define ALICE_PW "alice-password-1"
#define BOB_PW   "bob-password-1"

static const char *backend;

static int setup(void **state)
{
    struct srv *s = calloc(1, sizeof(*s));
    if (s == NULL)
        return -1;
    *state = s;
    if (srv_start(s, backend) != 0 ||
        srv_user_add(s, "alice", "operator", "アリス", ALICE_PW) != 0 ||
        srv_user_add(s, "bob", "analyst", NULL, BOB_PW) != 0) {
        srv_stop(s);
        return -1;
    }
    return 0;
}

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
        fail_msg("expected to find '%s' in:\n%.3000s", needle, haystack);
}

/* A login form's CSRF token: the cookie and the hidden field, which must agree. */
static char *login_csrf(const struct srv *s)
{
    struct res r;
    assert_int_equal(http_get(s, "/login", NULL, &r), 0);
    assert_int_equal(r.status, 200);
    char *cookie = set_cookie_value(&r, "sm_csrf");
    char *field = input_value(r.body, "csrf");
    assert_non_null(cookie);
    assert_non_null(field);
    assert_string_equal(cookie, field);
    free(field);
    res_free(&r);
    return cookie;
}

/* Posts the login form with a matching CSRF cookie and field. */
static void post_login(const struct srv *s, const char *user, const char *pw, const char *extra,
                       const char *extra_cookie, struct res *r)
{
    char *csrf = login_csrf(s);
    char cookie[256], form[512];
    snprintf(cookie, sizeof(cookie), "sm_csrf=%s%s%s", csrf, extra_cookie ? "; " : "",
             extra_cookie ? extra_cookie : "");
    snprintf(form, sizeof(form), "csrf=%s&username=%s&password=%s%s", csrf, user, pw,
             extra ? extra : "");
    free(csrf);
    assert_int_equal(http_post_form(s, "/login", cookie, form, r), 0);
}

/* Logs in and returns the Cookie header value "sm_session=TOKEN" (malloc'd). */
static char *login(const struct srv *s, const char *user, const char *pw)
{
    struct res r;
    post_login(s, user, pw, NULL, NULL, &r);
    assert_int_equal(r.status, 303);
    char *token = set_cookie_value(&r, "sm_session");
    assert_non_null(token);
    assert_int_equal(strlen(token), 43);
    res_free(&r);
    char *cookie = malloc(64);
    snprintf(cookie, 64, "sm_session=%s", token);
    free(token);
    return cookie;
}

static void login_page_sets_csrf_cookie(void **state)
{
    struct srv *s = *state;
    struct res r;
    assert_int_equal(http_get(s, "/login", NULL, &r), 0);
    assert_int_equal(r.status, 200);
    char *line = set_cookie_line(&r, "sm_csrf");
    assert_non_null(line);
    assert_contains(line, "HttpOnly");
    assert_contains(line, "SameSite=Strict");
    assert_contains(line, "Path=/");
    assert_null(strstr(line, "Secure"));
    free(line);
    assert_contains(r.body, "<form method=\"post\" action=\"/login\"");
    assert_contains(r.body, "id=\"username\" name=\"username\"");
    assert_contains(r.body, "id=\"password\" name=\"password\"");
    assert_contains(r.body, "<input type=\"hidden\" name=\"csrf\" value=\"");
    assert_contains(r.body, "<button type=\"submit\">");
    assert_contains(r.body, "<label for=\"username\">");
    assert_contains(r.body, "<label for=\"password\">");
    assert_null(strstr(r.body, "role=\"alert\""));
    char *token = set_cookie_value(&r, "sm_csrf");
    res_free(&r);

    /* A browser that has the cookie keeps it: the same token comes back in the form. */
    char cookie[128];
    snprintf(cookie, sizeof(cookie), "sm_csrf=%s", token);
    assert_int_equal(http_get(s, "/login?lang=en", cookie, &r), 0);
    assert_null(set_cookie_line(&r, "sm_csrf"));
    char *field = input_value(r.body, "csrf");
    assert_string_equal(field, token);
    assert_contains(r.body, "<html lang=\"en\">");
    free(field);
    free(token);
    res_free(&r);
}

static void login_bad_csrf_is_403(void **state)
{
    struct srv *s = *state;
    char *csrf = login_csrf(s);
    char cookie[128], form[256];
    struct res r;

    /* Field differs from cookie. */
    snprintf(cookie, sizeof(cookie), "sm_csrf=%s", csrf);
    snprintf(form, sizeof(form), "csrf=%s&username=alice&password=" ALICE_PW,
             "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA");
    assert_int_equal(http_post_form(s, "/login", cookie, form, &r), 0);
    assert_int_equal(r.status, 403);
    assert_contains(r.body, "<html lang=\"ja\">");
    assert_true(r.len > 200);
    assert_null(set_cookie_line(&r, "sm_session"));
    res_free(&r);

    /* No cookie at all (another site's form). */
    snprintf(form, sizeof(form), "csrf=%s&username=alice&password=" ALICE_PW, csrf);
    assert_int_equal(http_post_form(s, "/login", NULL, form, &r), 0);
    assert_int_equal(r.status, 403);
    res_free(&r);

    /* No field. */
    assert_int_equal(http_post_form(s, "/login", cookie, "username=alice&password=" ALICE_PW, &r),
                     0);
    assert_int_equal(r.status, 403);
    res_free(&r);
    free(csrf);
}

/* The text of the role="alert" element, malloc'd. */
static char *alert_text(const char *html)
{
    const char *p = strstr(html, "role=\"alert\">");
    if (p == NULL)
        return NULL;
    p += strlen("role=\"alert\">");
    size_t n = strcspn(p, "<");
    char *out = malloc(n + 1);
    memcpy(out, p, n);
    out[n] = '\0';
    return out;
}

static void wrong_password_is_401(void **state)
{
    struct srv *s = *state;
    struct res r;
    post_login(s, "alice", "not-the-password", NULL, NULL, &r);
    assert_int_equal(r.status, 401);
    assert_null(set_cookie_line(&r, "sm_session"));
    char *wrong_pw = alert_text(r.body);
    assert_non_null(wrong_pw);
    assert_true(strlen(wrong_pw) > 0);
    /* The form comes back with the name filled in, and a token that still works. */
    assert_contains(r.body, "value=\"alice\"");
    assert_contains(r.body, "action=\"/login\"");
    res_free(&r);

    post_login(s, "nobody", "not-the-password", NULL, NULL, &r);
    assert_int_equal(r.status, 401);
    char *no_user = alert_text(r.body);
    assert_non_null(no_user);
    /* The same answer for an unknown user: the form does not tell which names exist. */
    assert_string_equal(wrong_pw, no_user);
    free(wrong_pw);
    free(no_user);
    res_free(&r);
}

static void sixth_failure_is_429(void **state)
{
    struct srv *s = *state;
    struct res r;
    for (int i = 0; i < 5; i++) {
        post_login(s, "alice", "not-the-password", NULL, NULL, &r);
        assert_int_equal(r.status, 401);
        res_free(&r);
    }
    post_login(s, "alice", "not-the-password", NULL, NULL, &r);
    assert_int_equal(r.status, 429);
    char *retry = header(&r, "Retry-After");
    assert_non_null(retry);
    assert_true(strtol(retry, NULL, 10) > 0);
    free(retry);
    char *why = alert_text(r.body);
    assert_non_null(why);
    free(why);
    res_free(&r);

    /* Locked out: even the right password waits. */
    post_login(s, "alice", ALICE_PW, NULL, NULL, &r);
    assert_int_equal(r.status, 429);
    assert_null(set_cookie_line(&r, "sm_session"));
    res_free(&r);

    /* And the server still answers everything else. */
    assert_int_equal(http_get(s, "/healthz", NULL, &r), 0);
    assert_int_equal(r.status, 200);
    res_free(&r);
}

static void login_sets_session_and_redirects(void **state)
{
    struct srv *s = *state;
    struct res r;
    post_login(s, "alice", ALICE_PW, NULL, NULL, &r);
    assert_int_equal(r.status, 303);
    char *loc = header(&r, "Location");
    assert_string_equal(loc, "/admin");
    free(loc);
    char *line = set_cookie_line(&r, "sm_session");
    assert_non_null(line);
    assert_contains(line, "HttpOnly");
    assert_contains(line, "SameSite=Lax");
    assert_contains(line, "Path=/");
    free(line);
    /* The login form's token has done its job. */
    char *csrf = set_cookie_value(&r, "sm_csrf");
    assert_non_null(csrf);
    assert_string_equal(csrf, "");
    free(csrf);
    char *token = set_cookie_value(&r, "sm_session");
    res_free(&r);

    char cookie[64];
    snprintf(cookie, sizeof(cookie), "sm_session=%s", token);
    free(token);
    assert_int_equal(http_get(s, "/admin", cookie, &r), 0);
    assert_int_equal(r.status, 200);
    assert_contains(r.body, "<h1 id=\"admin-title\">");
    assert_contains(r.body, "アリス");
    assert_contains(r.body, "alice");
    assert_contains(r.body, "<form method=\"post\" action=\"/logout\"");
    assert_contains(r.body, "<button type=\"submit\">");
    res_free(&r);

    /* Other pages know the user too. */
    assert_int_equal(http_get(s, "/", cookie, &r), 0);
    assert_contains(r.body, "アリス");
    res_free(&r);
}

static void login_follows_local_next_only(void **state)
{
    struct srv *s = *state;
    struct res r;
    post_login(s, "alice", ALICE_PW, "&next=%2Fadmin%3Fx%3D1", NULL, &r);
    assert_int_equal(r.status, 303);
    char *loc = header(&r, "Location");
    assert_string_equal(loc, "/admin?x=1");
    free(loc);
    res_free(&r);

    const char *bad[] = { "&next=%2F%2Fevil.example%2F", "&next=https%3A%2F%2Fevil.example%2F",
                          "&next=%2F%5Cevil.example", "&next=admin" };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        post_login(s, "alice", ALICE_PW, bad[i], NULL, &r);
        assert_int_equal(r.status, 303);
        loc = header(&r, "Location");
        assert_string_equal(loc, "/admin");
        free(loc);
        res_free(&r);
    }

    /* The login page carries next through its form. */
    assert_int_equal(http_get(s, "/login?next=/admin", NULL, &r), 0);
    assert_contains(r.body, "<input type=\"hidden\" name=\"next\" value=\"/admin\">");
    res_free(&r);
}

static void admin_anonymous_redirects_to_login(void **state)
{
    struct srv *s = *state;
    struct res r;
    assert_int_equal(http_get(s, "/admin", NULL, &r), 0);
    assert_int_equal(r.status, 303);
    char *loc = header(&r, "Location");
    assert_string_equal(loc, "/login?next=/admin");
    free(loc);
    res_free(&r);

    /* A cookie that is not a live session is the same as none. */
    assert_int_equal(
        http_get(s, "/admin", "sm_session=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", &r), 0);
    assert_int_equal(r.status, 303);
    res_free(&r);
}

/* The dashboard is every role's: an analyst sees its own areas, not the operators'. */
static void admin_as_analyst_shows_its_areas(void **state)
{
    struct srv *s = *state;
    char *cookie = login(s, "bob", BOB_PW);
    struct res r;
    assert_int_equal(http_get(s, "/admin", cookie, &r), 0);
    assert_int_equal(r.status, 200);
    assert_contains(r.body, "id=\"admin-title\"");
    assert_contains(r.body, "href=\"/workspace\"");
    assert_null(strstr(r.body, "href=\"/operator\""));
    assert_null(strstr(r.body, "href=\"/portal\""));
    assert_null(strstr(r.body, "href=\"/review\""));
    res_free(&r);
    assert_int_equal(http_get(s, "/operator", cookie, &r), 0);
    assert_int_equal(r.status, 403);
    res_free(&r);
    free(cookie);
}

/* The session's CSRF token, read from the admin page's logout form. */
static char *session_csrf(const struct srv *s, const char *cookie)
{
    struct res r;
    assert_int_equal(http_get(s, "/admin", cookie, &r), 0);
    assert_int_equal(r.status, 200);
    char *csrf = input_value(r.body, "csrf");
    assert_non_null(csrf);
    res_free(&r);
    return csrf;
}

static void logout_bad_csrf_is_403(void **state)
{
    struct srv *s = *state;
    char *cookie = login(s, "alice", ALICE_PW);
    struct res r;
    assert_int_equal(http_post_form(s, "/logout", cookie,
                                    "csrf=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", &r),
                     0);
    assert_int_equal(r.status, 403);
    assert_true(r.len > 200);
    res_free(&r);
    assert_int_equal(http_post_form(s, "/logout", cookie, "", &r), 0);
    assert_int_equal(r.status, 403);
    res_free(&r);
    /* Still logged in. */
    assert_int_equal(http_get(s, "/admin", cookie, &r), 0);
    assert_int_equal(r.status, 200);
    res_free(&r);
    free(cookie);
}

static void logout_ends_the_session(void **state)
{
    struct srv *s = *state;
    char *cookie = login(s, "alice", ALICE_PW);
    char *csrf = session_csrf(s, cookie);
    char form[128];
    snprintf(form, sizeof(form), "csrf=%s", csrf);
    struct res r;
    assert_int_equal(http_post_form(s, "/logout", cookie, form, &r), 0);
    assert_int_equal(r.status, 303);
    char *loc = header(&r, "Location");
    assert_string_equal(loc, "/");
    free(loc);
    char *line = set_cookie_line(&r, "sm_session");
    assert_non_null(line);
    assert_contains(line, "Max-Age=0");
    free(line);
    res_free(&r);

    /* The old token is worth nothing now, even if a browser kept it. */
    assert_int_equal(http_get(s, "/admin", cookie, &r), 0);
    assert_int_equal(r.status, 303);
    res_free(&r);
    free(csrf);
    free(cookie);
}

static void login_rotates_the_session(void **state)
{
    struct srv *s = *state;
    char *old = login(s, "alice", ALICE_PW);
    struct res r;
    post_login(s, "alice", ALICE_PW, NULL, old, &r);
    assert_int_equal(r.status, 303);
    char *fresh = set_cookie_value(&r, "sm_session");
    assert_non_null(fresh);
    assert_string_not_equal(fresh, old + strlen("sm_session="));
    res_free(&r);

    assert_int_equal(http_get(s, "/admin", old, &r), 0);
    assert_int_equal(r.status, 303);
    res_free(&r);
    char cookie[64];
    snprintf(cookie, sizeof(cookie), "sm_session=%s", fresh);
    assert_int_equal(http_get(s, "/admin", cookie, &r), 0);
    assert_int_equal(r.status, 200);
    res_free(&r);
    free(fresh);
    free(old);
}

static int post_json(const struct srv *s, const char *body, struct res *r)
{
    return http_full(s, "POST", "/api/v1/session", NULL, "application/json", body, strlen(body),
                     NULL, r);
}

static void api_session_login(void **state)
{
    struct srv *s = *state;
    struct res r;
    assert_int_equal(post_json(s, "{\"username\":\"alice\",\"password\":\"wrong-one\"}", &r), 0);
    assert_int_equal(r.status, 401);
    assert_contains(r.body, "\"error\"");
    assert_null(set_cookie_line(&r, "sm_session"));
    res_free(&r);

    assert_int_equal(post_json(s, "{\"username\":\"alice\",\"password\":\"" ALICE_PW "\"}", &r), 0);
    assert_int_equal(r.status, 200);
    json_t *j = json_loadb(r.body, r.len, 0, NULL);
    assert_non_null(j);
    assert_string_equal(json_string_value(json_object_get(json_object_get(j, "user"), "username")),
                        "alice");
    assert_string_equal(json_string_value(json_object_get(json_object_get(j, "user"), "role")),
                        "operator");
    assert_int_equal(strlen(json_string_value(json_object_get(j, "csrf"))), 43);
    json_decref(j);
    char *token = set_cookie_value(&r, "sm_session");
    assert_non_null(token);
    res_free(&r);

    char cookie[64];
    snprintf(cookie, sizeof(cookie), "sm_session=%s", token);
    free(token);
    assert_int_equal(http_get(s, "/admin", cookie, &r), 0);
    assert_int_equal(r.status, 200);
    res_free(&r);
}

static void api_session_rate_limited(void **state)
{
    struct srv *s = *state;
    struct res r;
    for (int i = 0; i < 5; i++) {
        assert_int_equal(post_json(s, "{\"username\":\"bob\",\"password\":\"wrong-one\"}", &r), 0);
        assert_int_equal(r.status, 401);
        res_free(&r);
    }
    assert_int_equal(post_json(s, "{\"username\":\"bob\",\"password\":\"" BOB_PW "\"}", &r), 0);
    assert_int_equal(r.status, 429);
    char *retry = header(&r, "Retry-After");
    assert_non_null(retry);
    free(retry);
    assert_contains(r.body, "\"error\"");
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
        cmocka_unit_test_setup_teardown(login_page_sets_csrf_cookie, setup, teardown),
        cmocka_unit_test_setup_teardown(login_bad_csrf_is_403, setup, teardown),
        cmocka_unit_test_setup_teardown(wrong_password_is_401, setup, teardown),
        cmocka_unit_test_setup_teardown(sixth_failure_is_429, setup, teardown),
        cmocka_unit_test_setup_teardown(login_sets_session_and_redirects, setup, teardown),
        cmocka_unit_test_setup_teardown(login_follows_local_next_only, setup, teardown),
        cmocka_unit_test_setup_teardown(admin_anonymous_redirects_to_login, setup, teardown),
        cmocka_unit_test_setup_teardown(admin_as_analyst_shows_its_areas, setup, teardown),
        cmocka_unit_test_setup_teardown(logout_bad_csrf_is_403, setup, teardown),
        cmocka_unit_test_setup_teardown(logout_ends_the_session, setup, teardown),
        cmocka_unit_test_setup_teardown(login_rotates_the_session, setup, teardown),
        cmocka_unit_test_setup_teardown(api_session_login, setup, teardown),
        cmocka_unit_test_setup_teardown(api_session_rate_limited, setup, teardown),
    };
    int failed = 0;
    for (int i = 0; i < n; i++) {
        backend = names[i];
        char group[64];
        snprintf(group, sizeof(group), "http auth on %s", backend);
        failed += cmocka_run_group_tests_name(group, tests, NULL, NULL);
    }
    curl_global_cleanup();
    return failed ? 1 : 0;
}

/*
 * Logging in and out with HTML forms.
 *
 * CSRF: the login form has no session to bind a token to, so it uses a double-submit
 * cookie: GET /login sets sm_csrf (random, HttpOnly, SameSite=Strict) and puts the same value
 * in a hidden field; POST /login accepts only when both are present and equal. Another site
 * can make a browser post the form but can neither read nor set the cookie. Forms of a
 * logged-in user carry the session's own CSRF token instead (POST /logout).
 *
 * Sessions are rotated at login: any session the browser had is ended and a new token is
 * issued, so a token planted before login is worth nothing after it. The same message
 * answers an unknown user and a wrong password, so the form does not tell which names exist.
 */
#include "routes.h"

#include <stdio.h>
#include <string.h>

#include "util/banned.h"

/* next is followed only when it is a path on this site: one leading '/', not "//host" or
 * "/\host", which browsers would take as another host. */
static bool local_path(const char *next)
{
    if (next == NULL || next[0] != '/' || next[1] == '/' || next[1] == '\\')
        return false;
    for (const char *p = next; *p != '\0'; p++)
        if ((unsigned char)*p < 0x20 || *p == 0x7f)
            return false;
    return true;
}

static bool token_shaped(const char *t)
{
    return t != NULL && strlen(t) == SM_TOKEN_SIZE - 1;
}

/* Renders the login form with status; error_key (may be NULL) is shown as an alert. */
static int render_form(struct web_request *req, int status, const char *csrf, const char *next,
                       const char *username, const char *error_key)
{
    json_t *ctx =
        json_pack("{s:s,s:s}", "csrf_field", csrf, "username", username != NULL ? username : "");
    if (ctx == NULL)
        return SM_ENOMEM;
    int bad = 0;
    if (local_path(next))
        bad |= json_object_set_new(ctx, "next", json_string(next));
    if (error_key != NULL)
        bad |= json_object_set_new(ctx, "error", json_string(web_text(req, error_key)));
    int rc = bad ? SM_ENOMEM : web_render(req, status, "login.html", "login.title", ctx);
    json_decref(ctx);
    return rc;
}

int route_login_form(struct web_request *req)
{
    const char *csrf = web_cookie_get(req, WEB_COOKIE_CSRF);
    char fresh[SM_TOKEN_SIZE];
    if (!token_shaped(csrf)) {
        sm_token_new(fresh);
        int rc = web_cookie_set(req, WEB_COOKIE_CSRF, fresh, -1,
                                WEB_COOKIE_HTTPONLY | WEB_COOKIE_STRICT);
        if (rc != SM_OK)
            return rc;
        csrf = fresh;
    }
    return render_form(req, 200, csrf, web_query_get(req, "next"), NULL, NULL);
}

/* Ends the session the browser came with, if any (rotation and logout). */
static int end_old_session(struct web_request *req)
{
    const char *old = web_session_token(req);
    if (old == NULL)
        return SM_OK;
    struct sm_diag diag;
    sm_diag_clear(&diag);
    int rc = sm_session_destroy(web_store(req), old, &diag);
    sm_session_free(req->session);
    req->session = NULL;
    req->session_checked = true;
    return rc;
}

int route_login(struct web_request *req)
{
    struct sm_diag diag;
    sm_diag_clear(&diag);
    struct web_params form;
    int rc = web_form(req, &form, &diag);
    if (rc != SM_OK)
        return web_fail_err(req, rc, &diag);

    const char *cookie = web_cookie_get(req, WEB_COOKIE_CSRF);
    const char *field = web_params_get(&form, "csrf");
    if (!token_shaped(cookie) || !sm_token_equal(cookie, field))
        return web_fail(req, 403, "error.csrf", "the csrf field does not match the cookie");

    const char *username = web_params_get(&form, "username");
    const char *password = web_params_get(&form, "password");
    const char *next = web_params_get(&form, "next");
    if (username == NULL || password == NULL || username[0] == '\0' || password[0] == '\0')
        return render_form(req, 401, cookie, next, username, "login.failed");

    struct sm_user *user = NULL;
    int64_t retry_after = SM_LOGIN_WINDOW_SECONDS;
    rc = sm_login(web_store(req), username, password, req->client[0] ? req->client : NULL, req->now,
                  &user, &retry_after, &diag);
    if (rc == SM_EAUTH)
        return render_form(req, 401, cookie, next, username, "login.failed");
    if (rc == SM_ELIMIT) {
        rc = web_header_addf(req, "Retry-After", "%lld", (long long)retry_after);
        if (rc != SM_OK)
            return rc;
        return render_form(req, 429, cookie, next, username, "login.limited");
    }
    if (rc != SM_OK)
        return web_fail_err(req, rc, &diag);

    char token[SM_TOKEN_SIZE];
    rc = end_old_session(req);
    if (rc == SM_OK)
        rc = sm_session_create(web_store(req), user->id, req->now, token, NULL, &diag);
    sm_user_free(user);
    if (rc != SM_OK)
        return web_fail_err(req, rc, &diag);

    rc = web_cookie_set(req, WEB_COOKIE_SESSION, token, SM_SESSION_SECONDS, WEB_COOKIE_HTTPONLY);
    if (rc == SM_OK)
        rc = web_cookie_set(req, WEB_COOKIE_CSRF, "", 0, WEB_COOKIE_HTTPONLY | WEB_COOKIE_STRICT);
    if (rc == SM_OK)
        rc = web_redirect(req, local_path(next) ? next : "/admin");
    return rc;
}

int route_logout(struct web_request *req)
{
    struct sm_diag diag;
    sm_diag_clear(&diag);
    struct web_params form;
    int rc = web_form(req, &form, &diag);
    if (rc != SM_OK)
        return web_fail_err(req, rc, &diag);

    const struct sm_session *s = web_session(req, &rc);
    if (rc != SM_OK)
        return rc;
    if (s != NULL) {
        if (!sm_token_equal(s->csrf, web_params_get(&form, "csrf")))
            return web_fail(req, 403, "error.csrf", "the csrf field does not match the session");
        rc = end_old_session(req);
        if (rc != SM_OK)
            return web_fail_err(req, rc, &diag);
    }
    /* Without a live session there is nothing to end; the cookie is cleared all the same. */
    rc = web_cookie_set(req, WEB_COOKIE_SESSION, "", 0, WEB_COOKIE_HTTPONLY);
    if (rc == SM_OK)
        rc = web_redirect(req, "/");
    return rc;
}

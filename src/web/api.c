/*
 * The JSON API under /api/v1/ and the health check.
 *
 * Every answer is JSON with Content-Type application/json; charset=utf-8, errors included
 * ({"error": "reason"}, see web_fail). Bodies must be declared application/json: besides
 * being honest, that makes a cross-site form unable to post to the API (a browser sends
 * such a content type only after a CORS preflight, which this server never grants), which
 * is this API's protection against CSRF for the requests that carry no session yet.
 */
#include "routes.h"

#include <stdio.h>
#include <string.h>

#include "util/banned.h"

int route_healthz(struct web_request *req)
{
    struct sm_diag diag;
    sm_diag_clear(&diag);
    int rc = sm_store_ping(web_store(req), &diag);
    json_t *body;
    int status;
    if (rc == SM_OK) {
        status = 200;
        body = json_pack("{s:s}", "status", "ok");
    } else {
        status = 503;
        fprintf(stderr, "smesec: health check failed: %s\n", diag.msg);
        body = json_pack("{s:s,s:s}", "status", "unavailable", "error",
                         "the database does not answer");
    }
    if (body == NULL)
        return SM_ENOMEM;
    rc = web_respond_json(req, status, body);
    json_decref(body);
    return rc;
}

int route_api_prefectures(struct web_request *req)
{
    int rc = web_header_add(req, "Cache-Control", "public, max-age=3600");
    if (rc != SM_OK)
        return rc;
    web_respond_static(req, 200, "application/json; charset=utf-8", req->app->prefectures_json,
                       req->app->prefectures_json_len);
    return SM_OK;
}

/* Parses the request body as a JSON object into *out (caller owns it). Answers 415 or 400
 * itself on failure. */
static int json_body(struct web_request *req, json_t **out)
{
    if (!web_request_is_json(req))
        return web_fail(req, 415, "error.json_type", NULL);
    json_error_t err;
    json_t *v = json_loadb(req->body.data != NULL ? req->body.data : "", req->body.len,
                           JSON_REJECT_DUPLICATES, &err);
    if (v == NULL) {
        char detail[256];
        snprintf(detail, sizeof(detail), "line %d column %d: %s", err.line, err.column, err.text);
        return web_fail(req, 400, "error.bad_json", detail);
    }
    if (!json_is_object(v)) {
        json_decref(v);
        return web_fail(req, 400, "error.bad_json", "the body is not a JSON object");
    }
    *out = v;
    return SM_OK;
}

static int respond_error(struct web_request *req, int status, const char *key)
{
    return web_fail(req, status, key, NULL);
}

int route_api_session(struct web_request *req)
{
    json_t *in = NULL;
    int rc = json_body(req, &in);
    if (rc != SM_OK)
        return rc;
    const char *username = json_string_value(json_object_get(in, "username"));
    const char *password = json_string_value(json_object_get(in, "password"));
    if (username == NULL || password == NULL) {
        json_decref(in);
        return web_fail(req, 400, "error.bad_json",
                        "expected string fields \"username\" and \"password\"");
    }

    struct sm_diag diag;
    sm_diag_clear(&diag);
    struct sm_user *user = NULL;
    int64_t retry_after = SM_LOGIN_WINDOW_SECONDS;
    rc = sm_login(web_store(req), username, password, req->client[0] ? req->client : NULL, req->now,
                  &user, &retry_after, &diag);
    json_decref(in);
    if (rc == SM_EAUTH)
        return respond_error(req, 401, "login.failed");
    if (rc == SM_ELIMIT) {
        rc = web_header_addf(req, "Retry-After", "%lld", (long long)retry_after);
        if (rc != SM_OK)
            return rc;
        return respond_error(req, 429, "login.limited");
    }
    if (rc != SM_OK)
        return web_fail_err(req, rc, &diag);

    char token[SM_TOKEN_SIZE];
    const char *old = web_session_token(req);
    if (old != NULL)
        rc = sm_session_destroy(web_store(req), old, &diag);
    char csrf[SM_TOKEN_SIZE];
    if (rc == SM_OK)
        rc = sm_session_create(web_store(req), user->id, req->now, token, csrf, &diag);
    if (rc != SM_OK) {
        sm_user_free(user);
        return web_fail_err(req, rc, &diag);
    }
    const char *display = user->display_name != NULL && user->display_name[0] != '\0'
                              ? user->display_name
                              : user->username;
    json_t *out = json_pack("{s:{s:s,s:s,s:s},s:s,s:I}", "user", "username", user->username,
                            "display_name", display, "role", sm_role_name(user->role), "csrf", csrf,
                            "expires_at", (json_int_t)(req->now + SM_SESSION_SECONDS));
    sm_user_free(user);
    if (out == NULL)
        return SM_ENOMEM;
    rc = web_cookie_set(req, WEB_COOKIE_SESSION, token, SM_SESSION_SECONDS, WEB_COOKIE_HTTPONLY);
    if (rc == SM_OK)
        rc = web_respond_json(req, 200, out);
    json_decref(out);
    return rc;
}

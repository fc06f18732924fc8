/*
 * Building responses: headers, cookies, JSON and static bodies, redirects, and error
 * answers, including the one function that maps library error codes to HTTP statuses.
 *
 * Invariants: a response header value never contains CR or LF (web_header_add refuses it),
 * so nothing from a client can split a response; web_fail always leaves a response behind,
 * falling back to a fixed text when even the error page cannot be built, so a request never
 * goes unanswered and the server keeps living after SM_ENOMEM.
 */
#include "app.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "util/banned.h"

int web_status_for(int err)
{
    /* No default: a new enum value must be given a status here. */
    switch ((enum sm_err)err) {
    case SM_OK:
        return 200;
    case SM_ENOMEM:
        return 503;
    case SM_EINVAL:
        return 400;
    case SM_ENOTFOUND:
        return 404;
    case SM_EEXIST:
        return 409;
    case SM_EIO:
        return 500;
    case SM_EDB:
        return 503;
    case SM_EAUTH:
        return 401;
    case SM_EPERM:
        return 403;
    case SM_ELIMIT:
        return 429;
    case SM_EPARSE:
        return 400;
    case SM_EUNSUPPORTED:
        return 415;
    }
    return 500;
}

int web_header_add(struct web_request *req, const char *name, const char *value)
{
    if (strpbrk(value, "\r\n") != NULL)
        return SM_EINVAL;
    if (req->res.n_headers == WEB_MAX_HEADERS)
        return SM_ELIMIT;
    const char *v = sm_arena_strdup(&req->arena, value);
    if (v == NULL)
        return SM_ENOMEM;
    req->res.headers[req->res.n_headers].name = name;
    req->res.headers[req->res.n_headers].value = v;
    req->res.n_headers++;
    return SM_OK;
}

int web_header_addf(struct web_request *req, const char *name, const char *fmt, ...)
{
    char tmp[1024];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(tmp, sizeof(tmp), fmt, ap);
    va_end(ap);
    if (n < 0 || (size_t)n >= sizeof(tmp))
        return SM_ELIMIT;
    return web_header_add(req, name, tmp);
}

int web_cookie_set(struct web_request *req, const char *name, const char *value, long max_age,
                   unsigned flags)
{
    char age[64] = "";
    if (max_age == 0)
        snprintf(age, sizeof(age), "; Max-Age=0; Expires=Thu, 01 Jan 1970 00:00:00 GMT");
    else if (max_age > 0)
        snprintf(age, sizeof(age), "; Max-Age=%ld", max_age);
    return web_header_addf(req, "Set-Cookie", "%s=%s; Path=/%s%s; SameSite=%s%s", name, value, age,
                           (flags & WEB_COOKIE_HTTPONLY) ? "; HttpOnly" : "",
                           (flags & WEB_COOKIE_STRICT) ? "Strict" : "Lax",
                           req->app->config->secure_cookies ? "; Secure" : "");
}

/* Closes a file body a handler set, when another answer replaces it. */
static void drop_fd(struct web_request *req)
{
    if (req->res.fd >= 0)
        close(req->res.fd);
    req->res.fd = -1;
}

void web_respond_static(struct web_request *req, int status, const char *content_type,
                        const void *data, size_t len)
{
    drop_fd(req);
    sm_buf_reset(&req->res.body);
    req->res.status = status;
    req->res.content_type = content_type;
    req->res.static_body = data;
    req->res.static_len = len;
}

int web_respond_fd(struct web_request *req, int status, const char *content_type, int fd,
                   size_t len)
{
    sm_buf_reset(&req->res.body);
    req->res.static_body = NULL;
    drop_fd(req);
    req->res.fd = fd;
    req->res.fd_len = len;
    req->res.status = status;
    req->res.content_type = content_type;
    return SM_OK;
}

static int dump_cb(const char *buffer, size_t size, void *data)
{
    return sm_buf_append(data, buffer, size) == SM_OK ? 0 : -1;
}

int web_respond_json(struct web_request *req, int status, const json_t *json)
{
    drop_fd(req);
    sm_buf_reset(&req->res.body);
    req->res.static_body = NULL;
    if (json_dump_callback(json, dump_cb, &req->res.body, JSON_COMPACT) != 0) {
        sm_buf_reset(&req->res.body);
        return SM_ENOMEM;
    }
    req->res.status = status;
    req->res.content_type = "application/json; charset=utf-8";
    return SM_OK;
}

int web_redirect(struct web_request *req, const char *location)
{
    int rc = web_header_add(req, "Location", location);
    if (rc != SM_OK)
        return rc;
    drop_fd(req);
    sm_buf_reset(&req->res.body);
    req->res.static_body = NULL;
    req->res.status = 303;
    req->res.content_type = "text/plain; charset=utf-8";
    return SM_OK;
}

/* The last resort when not even an error page can be built. */
static void fail_plain(struct web_request *req, int status)
{
    static const char text[] = "the server cannot answer this request now; try again later\n";
    web_respond_static(req, status, "text/plain; charset=utf-8", text, sizeof(text) - 1);
}

static int fail_json(struct web_request *req, int status, const char *reason, const char *detail)
{
    char msg[768];
    if (detail != NULL && detail[0] != '\0') {
        /* "Malformed JSON." + detail reads "Malformed JSON: line 1 ...". */
        size_t n = strlen(reason);
        if (n > 0 && reason[n - 1] == '.')
            n--;
        snprintf(msg, sizeof(msg), "%.*s: %s", (int)n, reason, detail);
    } else {
        snprintf(msg, sizeof(msg), "%s", reason);
    }
    json_t *body = json_pack("{s:s}", "error", msg);
    if (body == NULL)
        return SM_ENOMEM;
    int rc = web_respond_json(req, status, body);
    json_decref(body);
    return rc;
}

static int fail_html(struct web_request *req, int status, const char *reason, const char *detail)
{
    char title_key[32];
    snprintf(title_key, sizeof(title_key), "error.%d.title", status);
    json_t *ctx = json_pack("{s:s,s:i}", "reason", reason, "status", status);
    if (ctx == NULL)
        return SM_ENOMEM;
    if (detail != NULL && detail[0] != '\0' &&
        json_object_set_new(ctx, "detail", json_string(detail)) != 0) {
        json_decref(ctx);
        return SM_ENOMEM;
    }
    int rc = web_render(req, status, "error.html", title_key, ctx);
    json_decref(ctx);
    return rc;
}

int web_fail(struct web_request *req, int status, const char *reason_key, const char *detail)
{
    char generic[32];
    if (reason_key == NULL) {
        snprintf(generic, sizeof(generic), "error.%d.reason", status);
        reason_key = generic;
    }
    if (status >= 500) {
        /* Server-side detail is for the operator's log, not for the client. */
        if (detail != NULL && detail[0] != '\0')
            fprintf(stderr, "smesec: %s %s: %d: %s\n", req->method_name, req->path, status, detail);
        detail = NULL;
    }
    drop_fd(req);
    sm_buf_reset(&req->res.body);
    req->res.static_body = NULL;
    int rc;
    if (web_wants_json(req)) {
        /* The API speaks English so that clients can log and match its reasons. */
        rc = fail_json(req, status, sm_i18n_get(req->app->i18n, SM_LANG_EN, reason_key), detail);
    } else {
        rc = fail_html(req, status, web_text(req, reason_key), detail);
    }
    if (rc != SM_OK)
        fail_plain(req, rc == SM_ENOMEM ? 503 : status);
    return status >= 500 ? SM_EIO : SM_EINVAL;
}

int web_fail_err(struct web_request *req, int err, const struct sm_diag *diag)
{
    return web_fail(req, web_status_for(err), NULL, diag != NULL ? diag->msg : NULL);
}

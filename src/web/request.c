/*
 * The request context: set-up and tear-down, the request target, query, cookies, language,
 * the lazily borrowed store and session, and the form body.
 *
 * Invariants: every string reachable from a struct web_request lives in its arena or is
 * borrowed from the app; values from the client are valid UTF-8 without NUL by the time a
 * handler sees them (form.c checks them); the store is borrowed from the pool at most once
 * and always given back by web_request_release, with no transaction left open.
 */
#include "app.h"

#include "smesec/alloc.h"
#include "smesec/utf8.h"

#include <string.h>
#include <unistd.h>

#include "util/banned.h"

void web_request_init(struct web_request *req, struct web_app *app)
{
    memset(req, 0, sizeof(*req));
    req->app = app;
    sm_arena_init(&req->arena, WEB_ARENA_MAX);
    sm_buf_init(&req->body, WEB_BODY_MAX);
    req->body_max = WEB_BODY_MAX;
    sm_buf_init(&req->res.body, WEB_PAGE_MAX);
    req->res.fd = -1;
    req->path = "/";
    req->query = "";
    req->method_name = "GET";
    req->lang = SM_LANG_JA;
}

void web_store_put(struct web_request *req)
{
    if (req->store == NULL)
        return;
    if (sm_store_in_transaction(req->store))
        sm_store_rollback(req->store);
    sm_store_pool_put(req->app->pool, req->store);
    req->store = NULL;
}

void web_request_release(struct web_request *req)
{
    web_store_put(req);
    sm_session_free(req->session);
    req->session = NULL;
    sm_buf_release(&req->body);
    sm_buf_release(&req->res.body);
    if (req->res.fd >= 0)
        close(req->res.fd);
    req->res.fd = -1;
    sm_arena_release(&req->arena);
}

static enum web_method parse_method(const char *m)
{
    static const struct {
        const char *name;
        enum web_method method;
    } methods[] = {
        { "GET", WEB_GET },         { "HEAD", WEB_HEAD },     { "POST", WEB_POST },
        { "PUT", WEB_PUT },         { "DELETE", WEB_DELETE }, { "PATCH", WEB_PATCH },
        { "OPTIONS", WEB_OPTIONS },
    };

    for (size_t i = 0; i < sizeof(methods) / sizeof(methods[0]); i++)
        if (strcmp(m, methods[i].name) == 0)
            return methods[i].method;
    return WEB_OTHER;
}

static int hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* Percent-decodes a path ('+' stays '+') into *out. SM_EPARSE on a broken escape, an
 * encoded NUL or bad UTF-8; SM_ENOMEM. */
static int decode_path(struct sm_arena *a, const char *s, size_t n, char **out)
{
    char *d = sm_arena_alloc(a, n + 1);
    if (d == NULL)
        return SM_ENOMEM;
    size_t j = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '%') {
            if (n - i < 3 || hexval(s[i + 1]) < 0 || hexval(s[i + 2]) < 0)
                return SM_EPARSE;
            int v = hexval(s[i + 1]) * 16 + hexval(s[i + 2]);
            if (v == 0)
                return SM_EPARSE;
            d[j++] = (char)v;
            i += 2;
        } else {
            d[j++] = s[i];
        }
    }
    d[j] = '\0';
    if (!sm_utf8_valid(d, j, NULL))
        return SM_EPARSE;
    *out = d;
    return SM_OK;
}

int web_request_set_target(struct web_request *req, const char *method, const char *uri)
{
    const char *m = sm_arena_strdup(&req->arena, method != NULL ? method : "");
    if (m == NULL)
        return SM_ENOMEM;
    req->method_name = m;
    req->method = parse_method(m);
    if (uri == NULL || uri[0] != '/') {
        req->bad_target = true;
        return SM_OK;
    }
    size_t n = strlen(uri);
    const char *q = memchr(uri, '?', n);
    size_t path_len = q != NULL ? (size_t)(q - uri) : n;
    if (q != NULL) {
        const char *query = sm_arena_strdup(&req->arena, q + 1);
        if (query == NULL)
            return SM_ENOMEM;
        req->query = query;
    }
    char *path = NULL;
    int rc = decode_path(&req->arena, uri, path_len, &path);
    if (rc == SM_EPARSE) {
        req->bad_target = true;
        return SM_OK;
    }
    if (rc != SM_OK)
        return rc;
    req->path = path;
    return SM_OK;
}

int web_request_prepare(struct web_request *req, struct sm_diag *diag)
{
    const char *cookie = web_header_get(req, "Cookie");
    if (cookie != NULL) {
        int rc = web_params_parse(&req->arena, cookie, strlen(cookie), WEB_PARAMS_COOKIE,
                                  &req->cookies, diag);
        if (rc != SM_OK)
            return rc;
    }
    /* The cookie chooses first, so that even the answer to a malformed query is in the
     * visitor's language; then ?lang= overrides it and is remembered in the cookie. With
     * neither, Japanese. An unknown value is ignored rather than refused: a stale link
     * should still show a page. */
    enum sm_lang lang;
    const char *c = web_cookie_get(req, WEB_COOKIE_LANG);
    if (c != NULL && sm_lang_parse(c, &lang) == SM_OK)
        req->lang = lang;

    int rc = web_params_parse(&req->arena, req->query, strlen(req->query), WEB_PARAMS_URLENCODED,
                              &req->query_params, diag);
    if (rc != SM_OK)
        return rc;
    const char *q = web_query_get(req, "lang");
    if (q != NULL && sm_lang_parse(q, &lang) == SM_OK) {
        req->lang = lang;
        if (c == NULL || strcmp(c, q) != 0)
            return web_cookie_set(req, WEB_COOKIE_LANG, sm_lang_code(lang), 365L * 24 * 3600, 0);
    }
    return SM_OK;
}

struct sm_store *web_store(struct web_request *req)
{
    if (req->store == NULL)
        req->store = sm_store_pool_get(req->app->pool);
    return req->store;
}

const char *web_session_token(const struct web_request *req)
{
    const char *t = web_cookie_get(req, WEB_COOKIE_SESSION);
    /* A token has a fixed length; anything else cannot be a session, and needs no query. */
    if (t == NULL || strlen(t) != SM_TOKEN_SIZE - 1)
        return NULL;
    return t;
}

const struct sm_session *web_session(struct web_request *req, int *rc)
{
    *rc = SM_OK;
    if (req->session_checked)
        return req->session;
    const char *token = web_session_token(req);
    if (token == NULL) {
        req->session_checked = true;
        return NULL;
    }
    struct sm_session *s = NULL;
    struct sm_diag diag;
    sm_diag_clear(&diag);
    int r = sm_session_lookup(web_store(req), token, req->now, &s, &diag);
    if (r == SM_EAUTH) {
        req->session_checked = true;
        return NULL;
    }
    if (r != SM_OK) {
        *rc = r;
        return NULL;
    }
    req->session_checked = true;
    req->session = s;
    return s;
}

/* True when the Content-Type header names type (case-insensitively, parameters allowed). */
static bool content_type_is(struct web_request *req, const char *type)
{
    const char *ct = web_header_get(req, "Content-Type");
    if (ct == NULL)
        return false;
    size_t n = strlen(type);
    for (size_t i = 0; i < n; i++) {
        char a = ct[i], b = type[i];
        if (a >= 'A' && a <= 'Z')
            a = (char)(a - 'A' + 'a');
        if (a != b)
            return false;
    }
    return ct[n] == '\0' || ct[n] == ';' || ct[n] == ' ' || ct[n] == '\t';
}

int web_form(struct web_request *req, struct web_params *out, struct sm_diag *diag)
{
    if (req->body.len > 0 && !content_type_is(req, "application/x-www-form-urlencoded"))
        return sm_diag_set(diag, SM_EUNSUPPORTED,
                           "expected a body of type application/x-www-form-urlencoded");
    return web_params_parse(&req->arena, req->body.data != NULL ? req->body.data : "",
                            req->body.len, WEB_PARAMS_URLENCODED, out, diag);
}

bool web_request_is_json(struct web_request *req)
{
    return content_type_is(req, "application/json");
}

const char *web_query_get(const struct web_request *req, const char *name)
{
    return web_params_get(&req->query_params, name);
}

const char *web_cookie_get(const struct web_request *req, const char *name)
{
    return web_params_get(&req->cookies, name);
}

bool web_wants_json(const struct web_request *req)
{
    return strncmp(req->path, "/api/", 5) == 0 || strcmp(req->path, "/api") == 0 ||
           strcmp(req->path, "/healthz") == 0;
}

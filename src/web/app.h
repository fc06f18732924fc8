/*
 * What the files of the web server share: the application state (read-only once serving
 * starts), the request being answered and the response being built, and the helpers that
 * handlers use. Only server.c sees libmicrohttpd; everything here is plain C over
 * libsmesec's public API, so handlers can be read without knowing the HTTP library.
 *
 * Internal names shared across files are prefixed web_; handlers are route_* (see
 * routes.h).
 */
#ifndef SM_WEB_APP_H
#define SM_WEB_APP_H

#include "form.h"
#include "smesec/arena.h"
#include "web.h"

#include "smesec/auth.h"
#include "smesec/buf.h"
#include "smesec/embed.h"
#include "smesec/err.h"
#include "smesec/geo.h"
#include "smesec/i18n.h"
#include "smesec/store.h"
#include "smesec/tmpl.h"

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Limits. A form or JSON body is at most 1 MiB (413 beyond; a route may allow more, see
 * web_body_limit); a request's arena at most 4 MiB (its body is copied into it once, parsed
 * values take about as much again); a page at most 4 MiB. */
#define WEB_BODY_MAX  (1024u * 1024u)
#define WEB_ARENA_MAX (4u * 1024u * 1024u)
#define WEB_PAGE_MAX  (4u * 1024u * 1024u)

/* Cookie names. */
#define WEB_COOKIE_SESSION "sm_session"
#define WEB_COOKIE_CSRF    "sm_csrf"
#define WEB_COOKIE_LANG    "lang"

/* One embedded static file with what is computed about it at start. */
struct web_static_file {
    const char *name; /* "style.css"; borrowed from the embedded table */
    const unsigned char *data;
    size_t len;
    const char *content_type; /* static string */
    char etag[20];            /* "\"" + 16 hex digits + "\"" */
};

/* Built by server.c before serving and read-only afterwards, so worker threads share it
 * without locks. The store pool is the one mutable part and is thread-safe itself. */
struct web_app {
    const struct sm_web_config *config;
    struct sm_store_pool *pool;
    struct sm_i18n *i18n;
    struct sm_tmpl_set *tmpl;
    struct sm_geo *geo;
    /* Reference data, prepared once: the top page's regions per language (for templates)
     * and the whole /api/v1/prefectures body. Jansson's reference counts are atomic, so
     * requests may take references to these from several threads. */
    json_t *regions[SM_LANG_COUNT];
    char *prefectures_json;
    size_t prefectures_json_len;
    struct web_static_file *statics;
    size_t n_statics;
    struct web_commons *commons; /* the guideline-commons pages' catalog and worker */
};

enum web_method {
    WEB_GET,
    WEB_HEAD,
    WEB_POST,
    WEB_PUT,
    WEB_DELETE,
    WEB_PATCH,
    WEB_OPTIONS,
    WEB_OTHER
};

struct web_header {
    const char *name;  /* static or arena */
    const char *value; /* arena */
};

#define WEB_MAX_HEADERS 12

/* The response under construction. status 0 means no handler has answered yet. The body is
 * either body (owned), or, when static_body is not NULL, bytes that outlive the request
 * (embedded files, reference data), or, when fd >= 0, fd_len bytes read from an open file
 * (owned: closed once sent, or with the request). */
struct web_response {
    int status;
    const char *content_type; /* static string */
    struct sm_buf body;
    const void *static_body;
    size_t static_len;
    struct web_header headers[WEB_MAX_HEADERS];
    size_t n_headers;
    size_t bytes; /* body bytes handed to the HTTP library, for the access log */
    int fd;       /* -1 when none */
    size_t fd_len;
};

/* One request, from the request line to the end of the response. Everything it points to
 * lives in its arena or is borrowed from the app; it is freed when the request completes. */
struct web_request {
    struct web_app *app;
    void *conn;             /* the HTTP library's connection; only server.c looks inside */
    bool started;           /* server.c: the access handler has seen the headers */
    const char *raw_target; /* server.c: the request target as sent, arena */
    size_t discarded;       /* server.c: body bytes dropped past the limit */
    struct sm_arena arena;

    enum web_method method;
    const char *method_name; /* as sent, arena */
    const char *path;        /* percent-decoded, valid UTF-8, starts with '/' */
    const char *query;       /* raw query string without '?', "" when none */
    struct web_params query_params;
    struct web_params cookies;
    char client[48];   /* client address as text, "" when unknown */
    int64_t now;       /* Unix seconds at the start of the request */
    uint64_t start_us; /* monotonic microseconds, for the access log */
    bool bad_target;   /* the path could not be decoded (400) */

    struct sm_buf body; /* the request body, up to body_max */
    size_t body_max;    /* WEB_BODY_MAX, or the route's own limit (web_body_limit) */
    bool body_too_large;

    enum sm_lang lang;

    /* Borrowed from the pool on first use and given back before the response is sent. */
    struct sm_store *store;
    /* The session from the sm_session cookie, looked up on first use; NULL when none. */
    bool session_checked;
    struct sm_session *session;

    struct web_response res;
};

/* The files compiled into the binary (see CMakeLists.txt): page templates by name
 * ("top.html"), the message catalogs ("ja.json", "en.json"), and the static files served
 * under /static/ ("style.css"). */
extern const struct sm_embedded sm_web_templates[];
extern const struct sm_embedded sm_web_i18n[];
extern const struct sm_embedded sm_web_static[];

/* --- server.c --- */

/* A request header (case-insensitive name), or NULL. Borrowed for the request's life. */
const char *web_header_get(struct web_request *req, const char *name);

/* --- request.c --- */

/* Sets up req for a new request: arena, body buffer, response. */
void web_request_init(struct web_request *req, struct web_app *app);
/* Frees everything the request holds. Gives back the store, frees the session. */
void web_request_release(struct web_request *req);
/* Parses the raw request target (path and query) into req; sets bad_target on a broken
 * escape or bad UTF-8 in the path. */
int web_request_set_target(struct web_request *req, const char *method, const char *uri);
/* Parses the query and Cookie header and chooses the language. SM_EPARSE (query not valid)
 * with the reason in diag. */
int web_request_prepare(struct web_request *req, struct sm_diag *diag);
/* The store for this request, borrowed from the pool on the first call (may wait). */
struct sm_store *web_store(struct web_request *req);
/* Gives the store back early (before slow work that does not need it). */
void web_store_put(struct web_request *req);
/* The logged-in session, or NULL; *rc gets SM_OK or a database error. */
const struct sm_session *web_session(struct web_request *req, int *rc);
/* The session cookie's token, or NULL. */
const char *web_session_token(const struct web_request *req);
/* The urlencoded body as pairs. SM_EUNSUPPORTED when the body is not a form, SM_EPARSE
 * (reason in diag) when malformed. */
int web_form(struct web_request *req, struct web_params *out, struct sm_diag *diag);
/* True when the body is declared application/json. */
bool web_request_is_json(struct web_request *req);
/* The query parameter name, or NULL. */
const char *web_query_get(const struct web_request *req, const char *name);
const char *web_cookie_get(const struct web_request *req, const char *name);
/* True for requests whose errors are answered in JSON (/api/, /healthz). */
bool web_wants_json(const struct web_request *req);

/* --- response.c --- */

/* The one mapping from enum sm_err to an HTTP status. */
int web_status_for(int err);
/* Adds a response header; value is copied. SM_ELIMIT past WEB_MAX_HEADERS, SM_ENOMEM. */
int web_header_add(struct web_request *req, const char *name, const char *value);
int web_header_addf(struct web_request *req, const char *name, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

enum web_cookie_flags {
    WEB_COOKIE_HTTPONLY = 1,
    WEB_COOKIE_STRICT = 2, /* SameSite=Strict instead of Lax */
};

/* Sets a cookie (Path=/, SameSite, Secure when configured). max_age < 0: a session cookie;
 * 0: delete it. */
int web_cookie_set(struct web_request *req, const char *name, const char *value, long max_age,
                   unsigned flags);
/* Answers with bytes that outlive the request (not copied). */
void web_respond_static(struct web_request *req, int status, const char *content_type,
                        const void *data, size_t len);
/* Answers with len bytes of the open file fd (taken over: closed once sent, or when the
 * request ends). */
int web_respond_fd(struct web_request *req, int status, const char *content_type, int fd,
                   size_t len);
/* Answers with json (borrowed) serialised. SM_ENOMEM. */
int web_respond_json(struct web_request *req, int status, const json_t *json);
/* 303 See Other to location. */
int web_redirect(struct web_request *req, const char *location);
/* Answers an error: status with the reason message key (and optional English detail, shown
 * for 4xx only) as an HTML page, or as {"error": ...} for JSON requests. Never fails: when
 * even that cannot be built it falls back to a fixed text. Returns the code to give back
 * from a handler (SM_EINVAL for 4xx, SM_EIO for 5xx), so `return web_fail(...)` reads well. */
int web_fail(struct web_request *req, int status, const char *reason_key, const char *detail);
/* web_fail for a library error code, with diag's message as detail. */
int web_fail_err(struct web_request *req, int err, const struct sm_diag *diag);

/* --- render.c --- */

/* Renders template name into the response with status. ctx (a JSON object, borrowed,
 * gets the common fields added) may hold page fields; title_key is the catalog key of the
 * page title. */
int web_render(struct web_request *req, int status, const char *name, const char *title_key,
               json_t *ctx);
/* The text of key in the request's language. */
const char *web_text(const struct web_request *req, const char *key);

#endif

/*
 * Static files (CSS, and JavaScript should a page ever need some) compiled into the binary
 * and served under /static/.
 *
 * Each file's ETag is a 64-bit FNV-1a hash of its content, computed at start: the content
 * cannot change while the process runs, so a client that revalidates with If-None-Match gets
 * 304 without a body, and one that does not may keep the file for a day.
 */
#include "routes.h"

#include "smesec/alloc.h"

#include <stdio.h>
#include <string.h>

#include "util/banned.h"

static uint64_t fnv1a(const unsigned char *p, size_t n)
{
    uint64_t h = 14695981039346656037u;
    for (size_t i = 0; i < n; i++) {
        h ^= p[i];
        h *= 1099511628211u;
    }
    return h;
}

static const char *content_type_for(const char *name)
{
    static const struct {
        const char *ext;
        const char *type;
    } types[] = {
        { ".css", "text/css; charset=utf-8" },
        { ".js", "text/javascript; charset=utf-8" },
        { ".svg", "image/svg+xml" },
        { ".png", "image/png" },
        { ".ico", "image/x-icon" },
        { ".txt", "text/plain; charset=utf-8" },
        { ".woff2", "font/woff2" },
    };

    const char *dot = strrchr(name, '.');
    if (dot != NULL)
        for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++)
            if (strcmp(dot, types[i].ext) == 0)
                return types[i].type;
    return "application/octet-stream";
}

int web_static_init(struct web_app *app, struct sm_diag *diag)
{
    size_t n = 0;
    while (sm_web_static[n].name != NULL)
        n++;
    app->statics = sm_calloc(n > 0 ? n : 1, sizeof(*app->statics));
    if (app->statics == NULL)
        return sm_diag_set(diag, SM_ENOMEM, "out of memory");
    for (size_t i = 0; i < n; i++) {
        struct web_static_file *f = &app->statics[i];
        f->name = sm_web_static[i].name;
        f->data = sm_web_static[i].data;
        f->len = sm_web_static[i].len;
        f->content_type = content_type_for(f->name);
        snprintf(f->etag, sizeof(f->etag), "\"%016llx\"",
                 (unsigned long long)fnv1a(f->data, f->len));
    }
    app->n_statics = n;
    return SM_OK;
}

void web_static_free(struct web_app *app)
{
    sm_free(app->statics);
    app->statics = NULL;
    app->n_statics = 0;
}

/* True when the If-None-Match list holds etag (or "*"). Weak validators (W/"...") match
 * too, as RFC 9110 asks for GET. */
static bool etag_matches(const char *header, const char *etag)
{
    size_t elen = strlen(etag);
    const char *p = header;
    while (*p != '\0') {
        while (*p == ' ' || *p == '\t' || *p == ',')
            p++;
        if (*p == '*')
            return true;
        if (p[0] == 'W' && p[1] == '/')
            p += 2;
        const char *end = strchr(p, ',');
        size_t n = end != NULL ? (size_t)(end - p) : strlen(p);
        while (n > 0 && (p[n - 1] == ' ' || p[n - 1] == '\t'))
            n--;
        if (n == elen && memcmp(p, etag, n) == 0)
            return true;
        if (end == NULL)
            break;
        p = end;
    }
    return false;
}

int route_static(struct web_request *req)
{
    const char *name = req->path + strlen("/static/");
    const struct web_static_file *f = NULL;
    for (size_t i = 0; i < req->app->n_statics; i++)
        if (strcmp(req->app->statics[i].name, name) == 0)
            f = &req->app->statics[i];
    if (f == NULL)
        return web_fail(req, 404, NULL, NULL);

    int rc = web_header_add(req, "Cache-Control", "public, max-age=86400");
    if (rc == SM_OK)
        rc = web_header_add(req, "ETag", f->etag);
    if (rc != SM_OK)
        return rc;
    const char *inm = web_header_get(req, "If-None-Match");
    if (inm != NULL && etag_matches(inm, f->etag)) {
        web_respond_static(req, 304, NULL, "", 0);
        return SM_OK;
    }
    web_respond_static(req, 200, f->content_type, f->data, f->len);
    return SM_OK;
}

/*
 * The operator's pages. For now one page with a heading, the operator's name and a logout
 * button; later issues fill it. Anonymous visitors are sent to the login page with a way
 * back; logged-in users without the operator role get 403.
 */
#include "routes.h"

#include <stdio.h>
#include <string.h>

#include "util/banned.h"

/* Percent-encodes path for a query value, leaving '/' and the unreserved characters. */
static int encode_next(struct web_request *req, const char *path, char **out)
{
    static const char hex[] = "0123456789ABCDEF";
    size_t n = strlen(path);
    char *d = sm_arena_alloc(&req->arena, 3 * n + 1);
    if (d == NULL)
        return SM_ENOMEM;
    size_t j = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)path[i];
        if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
            c == '/' || c == '-' || c == '.' || c == '_' || c == '~') {
            d[j++] = (char)c;
        } else {
            d[j++] = '%';
            d[j++] = hex[c >> 4];
            d[j++] = hex[c & 15];
        }
    }
    d[j] = '\0';
    *out = d;
    return SM_OK;
}

int route_admin(struct web_request *req)
{
    int rc = SM_OK;
    const struct sm_session *s = web_session(req, &rc);
    if (rc != SM_OK)
        return rc;
    if (s == NULL) {
        char *next = NULL;
        rc = encode_next(req, req->path, &next);
        if (rc != SM_OK)
            return rc;
        char location[1024];
        snprintf(location, sizeof(location), "/login?next=%s", next);
        return web_redirect(req, location);
    }
    if (s->user->role != SM_ROLE_OPERATOR)
        return web_fail(req, 403, "error.not_operator", NULL);

    json_t *ctx = json_object();
    if (ctx == NULL)
        return SM_ENOMEM;
    rc = web_render(req, 200, "admin.html", "admin.title", ctx);
    json_decref(ctx);
    return rc;
}

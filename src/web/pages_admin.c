/*
 * The dashboard every logged-in user lands on after logging in: links to the areas of the
 * user's role (the provider portal, review, the operators' pages, the guideline-commons
 * pages). Anonymous visitors are sent to the login page with a way back. Which pages a role
 * may use is decided by each page; this page only offers the links.
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
    enum sm_role role = s->user->role;
    bool op = role == SM_ROLE_OPERATOR;
    json_t *dash =
        json_pack("{s:b,s:b,s:b,s:b,s:b,s:b,s:b}", "provider", role == SM_ROLE_PROVIDER, "unlinked",
                  role == SM_ROLE_PROVIDER && s->user->provider_id <= 0, "review",
                  op || role == SM_ROLE_REVIEWER, "operator", op, "workspace",
                  op || role == SM_ROLE_ANALYST, "drafting", op || role == SM_ROLE_ASSOCIATION,
                  "industry", op || role == SM_ROLE_ASSOCIATION || role == SM_ROLE_ANALYST);
    json_t *ctx = dash != NULL ? json_pack("{s:o}", "dash", dash) : NULL;
    if (ctx == NULL)
        return SM_ENOMEM;
    rc = web_render(req, 200, "admin.html", "admin.title", ctx);
    json_decref(ctx);
    return rc;
}

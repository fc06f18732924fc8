/*
 * Rendering pages: every page template gets the same common fields, so the layout partials
 * (head.html, foot.html) can rely on them:
 *
 *   lang      "ja" or "en", for <html lang>
 *   is_ja     true on Japanese pages (chooses the language switch link)
 *   title     the page title in the page's language
 *   user      {username, display_name, role} when logged in
 *   csrf      the session's CSRF token when logged in (for forms that change state)
 *
 * Templates escape every {{value}}; nothing from a client is ever inserted raw.
 */
#include "app.h"

#include <stdio.h>

#include "util/banned.h"

const char *web_text(const struct web_request *req, const char *key)
{
    return sm_i18n_get(req->app->i18n, req->lang, key);
}

static int add_common(struct web_request *req, json_t *ctx, const char *title_key)
{
    int bad = 0;
    bad |= json_object_set_new(ctx, "lang", json_string(sm_lang_code(req->lang)));
    bad |= json_object_set_new(ctx, "is_ja", json_boolean(req->lang == SM_LANG_JA));
    bad |= json_object_set_new(ctx, "title", json_string(web_text(req, title_key)));
    /* The header shows who is logged in. Looking the session up costs a query only when a
     * session cookie came with the request; a database failure here just shows the page as
     * to an anonymous visitor. */
    int ignored = SM_OK;
    const struct sm_session *s = web_session(req, &ignored);
    if (s != NULL && s->user != NULL) {
        const struct sm_user *u = s->user;
        const char *display =
            u->display_name != NULL && u->display_name[0] != '\0' ? u->display_name : u->username;
        bad |=
            json_object_set_new(ctx, "user",
                                json_pack("{s:s,s:s,s:s}", "username", u->username, "display_name",
                                          display, "role", sm_role_name(u->role)));
        bad |= json_object_set_new(ctx, "csrf", json_string(s->csrf));
    }
    return bad ? SM_ENOMEM : SM_OK;
}

int web_render(struct web_request *req, int status, const char *name, const char *title_key,
               json_t *ctx)
{
    int rc = add_common(req, ctx, title_key);
    if (rc != SM_OK)
        return rc;
    sm_buf_reset(&req->res.body);
    req->res.static_body = NULL;
    struct sm_diag diag;
    sm_diag_clear(&diag);
    rc =
        sm_tmpl_render(req->app->tmpl, name, ctx, req->app->i18n, req->lang, &req->res.body, &diag);
    if (rc != SM_OK) {
        /* A template that does not render is a bug in this program; say so in the log. */
        if (rc != SM_ENOMEM)
            fprintf(stderr, "smesec: cannot render '%s': %s\n", name,
                    diag.msg[0] != '\0' ? diag.msg : sm_strerror(rc));
        sm_buf_reset(&req->res.body);
        return rc;
    }
    req->res.status = status;
    req->res.content_type = "text/html; charset=utf-8";
    return SM_OK;
}

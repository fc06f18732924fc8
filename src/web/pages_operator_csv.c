/*
 * The registry as CSV on the operators' side (the format is the library's: see
 * docs/registry.md, "CSV").
 *
 *   GET  /operator/export.csv   every registered service with its approved content
 *   GET  /operator/import       the upload form
 *   POST /operator/import       a multipart upload: checked row by row; nothing is imported
 *                               when any row fails, and every error is listed with its row
 *                               and column. "Check only" runs everything and imports nothing.
 *
 * The upload route has its own body limit (WEB_REG_IMPORT_MAX, in router.c's table), since
 * a registry file may be far larger than a form. The upload is multipart/form-data, so its
 * CSRF token travels as a text part and is compared with the session's like any form's.
 */
#include "multipart.h"
#include "pages_portal.h"
#include "routes.h"

#include <stdio.h>
#include <string.h>

#include "util/banned.h"

/* The export may be larger than a page: the library's import reads up to 64 MiB. */
#define EXPORT_MAX (64u * 1024u * 1024u)

int route_operator_export(struct web_request *req)
{
    struct web_reg u;
    int rc = web_reg_gate(req, WEB_REG_OPERATOR, &u);
    if (rc != SM_OK || u.session == NULL)
        return rc;
    struct sm_diag diag;
    sm_diag_clear(&diag);
    struct sm_buf out;
    sm_buf_init(&out, EXPORT_MAX);
    rc = sm_registry_export_csv(web_store(req), &u.who, &out, &diag);
    if (rc == SM_OK)
        rc = web_header_addf(req, "Content-Disposition",
                             "attachment; filename=\"otasuketai-registry-%s.csv\"", u.today);
    if (rc != SM_OK) {
        sm_buf_release(&out);
        return web_fail_err(req, rc, &diag);
    }
    /* The file becomes the response body as it is. */
    sm_buf_release(&req->res.body);
    req->res.body = out;
    req->res.static_body = NULL;
    req->res.status = 200;
    req->res.content_type = "text/csv; charset=utf-8";
    return SM_OK;
}

/* The import page: the form, and the report of an upload when there was one. */
static int show_import(struct web_request *req, int status, const struct sm_import_report *rep,
                       int rc_import, bool dry_run, const struct sm_diag *diag)
{
    json_t *ctx = json_object();
    if (ctx == NULL)
        return SM_ENOMEM;
    int rc = SM_OK;
    if (rep != NULL || rc_import != SM_OK) {
        json_t *errors = json_array();
        json_t *r = json_pack(
            "{s:b,s:b,s:I,s:I,s:I,s:o,s:o}", "ok", rc_import == SM_OK, "dry_run", dry_run, "rows",
            (json_int_t)(rep != NULL ? rep->rows : 0), "created",
            (json_int_t)(rep != NULL ? rep->created : 0), "updated",
            (json_int_t)(rep != NULL ? rep->updated : 0), "errors", errors, "detail",
            web_reg_str(rc_import != SM_OK && diag != NULL && diag->msg[0] != '\0' ? diag->msg
                                                                                   : NULL));
        if (r == NULL || json_object_set_new(ctx, "report", r) != 0)
            rc = SM_ENOMEM;
        for (size_t i = 0; rc == SM_OK && rep != NULL && i < rep->n_errors; i++) {
            const struct sm_import_error *e = &rep->errors[i];
            json_t *o =
                json_pack("{s:I,s:o,s:s}", "row", (json_int_t)e->row, "column",
                          web_reg_str(e->column), "message", e->message != NULL ? e->message : "");
            if (o == NULL || json_array_append_new(errors, o) != 0)
                rc = SM_ENOMEM;
        }
    }
    if (rc == SM_OK)
        rc = web_reg_notice(req, ctx);
    if (rc != SM_OK) {
        json_decref(ctx);
        return rc;
    }
    return web_reg_render(req, status, "operator_import.html", "operator.import.title", ctx);
}

int route_operator_import_form(struct web_request *req)
{
    struct web_reg u;
    int rc = web_reg_gate(req, WEB_REG_OPERATOR, &u);
    if (rc != SM_OK || u.session == NULL)
        return rc;
    return show_import(req, 200, NULL, SM_OK, false, NULL);
}

int route_operator_import(struct web_request *req)
{
    struct web_reg u;
    int rc = web_reg_gate(req, WEB_REG_OPERATOR, &u);
    if (rc != SM_OK || u.session == NULL)
        return rc;
    struct sm_diag diag;
    sm_diag_clear(&diag);
    char boundary[WEB_MULTIPART_BOUNDARY + 1];
    struct web_multipart mp = { 0 };
    rc = web_multipart_boundary(web_header_get(req, "Content-Type"), boundary, &diag);
    if (rc == SM_OK)
        rc = web_multipart_parse(&req->arena, req->body.data != NULL ? req->body.data : "",
                                 req->body.len, boundary, &mp, &diag);
    if (rc != SM_OK)
        return web_fail_err(req, rc, &diag);
    const char *csrf = NULL, *dry = NULL;
    rc = web_multipart_text(&req->arena, &mp, "csrf", 128, &csrf, &diag);
    if (rc == SM_OK)
        rc = web_multipart_text(&req->arena, &mp, "dry_run", 8, &dry, &diag);
    if (rc != SM_OK)
        return web_fail_err(req, rc, &diag);
    if (!sm_token_equal(u.session->csrf, csrf))
        return web_fail(req, 403, "error.csrf", "the csrf field does not match the session");
    const struct web_part *file = web_multipart_get(&mp, "file");
    if (file == NULL || file->len == 0) {
        sm_diag_set(&diag, SM_EINVAL, "choose a CSV file to upload");
        return show_import(req, 400, NULL, SM_EINVAL, false, &diag);
    }
    bool dry_run = dry != NULL && strcmp(dry, "1") == 0;
    struct sm_import_report *rep = NULL;
    rc =
        sm_registry_import_csv(web_store(req), &u.who, file->data, file->len, dry_run, &rep, &diag);
    int status = rc == SM_OK ? 200 : web_status_for(rc);
    if (rc == SM_OK || rc == SM_EINVAL || rc == SM_EPARSE || rc == SM_ELIMIT) {
        int r = show_import(req, status == 429 ? 413 : status, rep, rc, dry_run, &diag);
        sm_import_report_free(rep);
        return r;
    }
    sm_import_report_free(rep);
    return web_fail_err(req, rc, &diag);
}

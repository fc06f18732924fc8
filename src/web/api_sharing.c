/*
 * The incident-sharing API (docs/sharing.md has the contract):
 *
 *   POST /api/v1/incidents            a JSON array of reports; answers each one
 *   GET  /api/v1/sharing/stats        the anonymised statistics as JSON
 *   GET  /api/v1/sharing/export.stix  the same as a STIX 2.1 bundle
 *   GET  /api/v1/sharing/export.csv   the same as CSV
 *
 * A provider's program authenticates with "Authorization: Bearer TOKEN" (smesec provider
 * token). The GET endpoints also take a logged-in session of a provider's staff or an
 * operator; POST takes the token only, so no browser session can be made to post reports.
 * Bodies must be application/json (415 otherwise). Errors are JSON ({"error": ...}) with
 * the status from the one mapping, 401 with WWW-Authenticate when there is no valid token.
 */
#include "routes.h"
#include "sharing.h"

#include "smesec/date.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/banned.h"

/* The token of an "Authorization: Bearer ..." header, or NULL. */
static const char *bearer(struct web_request *req)
{
    const char *h = web_header_get(req, "Authorization");
    if (!h)
        return NULL;
    static const char scheme[] = "bearer ";
    for (size_t i = 0; i < sizeof scheme - 1; i++) {
        char c = h[i];
        if (c >= 'A' && c <= 'Z')
            c = (char)(c - 'A' + 'a');
        if (c != scheme[i])
            return NULL;
    }
    h += sizeof scheme - 1;
    while (*h == ' ')
        h++;
    return h;
}

static int unauthorised(struct web_request *req, const char *detail)
{
    int rc = web_header_add(req, "WWW-Authenticate", "Bearer realm=\"smesec\"");
    if (rc)
        return rc;
    return web_fail(req, 401, "sharing.error.token", detail);
}

/* Who acts for the request: the token's provider, or (when allow_session) the session's
 * user. Answers 401 itself when there is neither. *who's name lives in the request's arena. */
static int api_who(struct web_request *req, bool allow_session, struct sm_registry_who *who)
{
    struct sm_diag diag;
    sm_diag_clear(&diag);
    const char *token = bearer(req);
    if (token) {
        int64_t provider = 0;
        int rc = sm_sharing_token_provider(web_store(req), token, &provider, &diag);
        if (rc == SM_EAUTH)
            return unauthorised(req, "the token is not valid (it may have been replaced)");
        if (rc)
            return web_fail_err(req, rc, &diag);
        char name[48];
        snprintf(name, sizeof name, "api-token:provider-%lld", (long long)provider);
        const char *n = sm_arena_strdup(&req->arena, name);
        if (!n)
            return SM_ENOMEM;
        *who = (struct sm_registry_who){
            .user_id = 0, .name = n, .role = SM_ROLE_PROVIDER, .provider_id = provider
        };
        return SM_OK;
    }
    if (allow_session) {
        int rc = SM_OK;
        const struct sm_session *s = web_session(req, &rc);
        if (rc)
            return rc;
        if (s) {
            *who = sm_registry_who_user(s->user);
            return SM_OK;
        }
    }
    return unauthorised(req, "send Authorization: Bearer TOKEN (see 'smesec provider token')");
}

static json_t *errors_of(const struct sm_submit_result *res, size_t index)
{
    json_t *a = json_array();
    for (size_t e = 0; a && e < res->n_errors; e++) {
        const struct sm_incident_error *er = &res->errors[e];
        if (er->index != index)
            continue;
        if (json_array_append_new(
                a, json_pack("{s:s?,s:s}", "field", er->field, "message", er->message))) {
            json_decref(a);
            return NULL;
        }
    }
    return a;
}

int route_api_incidents(struct web_request *req)
{
    struct sm_registry_who who;
    int rc = api_who(req, false, &who);
    if (rc || req->res.status)
        return rc;
    if (!web_request_is_json(req))
        return web_fail(req, 415, "error.json_type", NULL);
    struct sm_diag diag;
    sm_diag_clear(&diag);
    struct sm_incident_batch *b = NULL;
    struct sm_incident_limits lim = { .max_bytes = WEB_SHARING_UPLOAD_MAX };
    rc = sm_incident_parse_json(req->body.data ? req->body.data : "", req->body.len, &lim, &b,
                                &diag);
    if (rc == SM_EPARSE)
        return web_fail(req, 400, "error.bad_json", diag.msg);
    if (rc == SM_ELIMIT)
        return web_fail(req, 413, NULL, diag.msg);
    if (rc)
        return web_fail_err(req, rc, &diag);
    char day[SM_DATE_SIZE];
    sm_date_today(day);
    struct sm_submit_result *res = NULL;
    rc = sm_sharing_submit(web_store(req), &who, b, false, day, &res, &diag);
    if (rc) {
        sm_incident_batch_free(b);
        if (rc == SM_EPERM)
            return web_fail(req, 403, "sharing.error.not_registered", diag.msg);
        return web_fail_err(req, rc, &diag);
    }
    json_t *results = json_array();
    int bad = !results;
    for (size_t i = 0; !bad && i < b->n; i++) {
        json_t *r = json_pack("{s:I,s:s?,s:s}", "index", (json_int_t)i, "id", b->items[i].ext_id,
                              "status", sm_submit_status_name(res->status[i]));
        if (r && res->status[i] == SM_SUBMIT_REFUSED)
            bad |= json_object_set_new(r, "errors", errors_of(res, i));
        bad |= !r || json_array_append_new(results, r);
    }
    json_t *out = NULL;
    if (bad)
        json_decref(results);
    else /* "o" takes results, even when the packing fails */
        out = json_pack("{s:I,s:I,s:I,s:I,s:o}", "accepted",
                        (json_int_t)(res->created + res->updated), "created",
                        (json_int_t)res->created, "updated", (json_int_t)res->updated, "refused",
                        (json_int_t)res->refused, "results", results);
    /* Notes about the whole batch (more errors than listed) go beside the results. */
    for (size_t e = 0; out && e < res->n_errors; e++)
        if (res->errors[e].index == SIZE_MAX &&
            json_object_set_new(out, "note", json_string(res->errors[e].message))) {
            json_decref(out);
            out = NULL;
        }
    sm_submit_result_free(res);
    sm_incident_batch_free(b);
    if (!out)
        return SM_ENOMEM;
    rc = web_header_add(req, "Cache-Control", "no-store");
    if (!rc)
        rc = web_respond_json(req, 200, out);
    json_decref(out);
    return rc;
}

/* The release for the GET endpoints: providers' for a token or a provider's session; the
 * operator's (or ?audience=providers|public) for an operator's session. */
static int api_release(struct web_request *req, json_t **doc)
{
    struct sm_registry_who who;
    int rc = api_who(req, true, &who);
    if (rc || req->res.status)
        return rc ? rc : SM_EAUTH;
    enum sm_audience a = SM_AUDIENCE_PROVIDERS;
    if (who.role == SM_ROLE_OPERATOR) {
        const char *q = web_query_get(req, "audience");
        a = SM_AUDIENCE_OPERATOR;
        if (q && strcmp(q, "providers") == 0)
            a = SM_AUDIENCE_PROVIDERS;
        else if (q && strcmp(q, "public") == 0)
            a = SM_AUDIENCE_PUBLIC;
    }
    struct sm_stats_options o;
    sm_stats_options_init(&o, a);
    o.narratives = a != SM_AUDIENCE_PUBLIC;
    rc = web_stats_period(req, &o);
    if (rc)
        return rc;
    struct sm_diag diag;
    sm_diag_clear(&diag);
    rc = sm_sharing_stats(web_store(req), &who, &o, doc, &diag);
    if (rc == SM_EPERM)
        return web_fail(req, 403, "sharing.error.stats_not_allowed", diag.msg);
    if (rc)
        return web_fail_err(req, rc, &diag);
    return SM_OK;
}

int route_api_sharing_stats(struct web_request *req)
{
    json_t *doc = NULL;
    int rc = api_release(req, &doc);
    if (rc)
        return req->res.status ? SM_OK : rc;
    rc = web_header_add(req, "Cache-Control", "no-store");
    if (!rc)
        rc = web_respond_json(req, 200, doc);
    json_decref(doc);
    return rc;
}

int route_api_sharing_stix(struct web_request *req)
{
    json_t *doc = NULL;
    int rc = api_release(req, &doc);
    if (rc)
        return req->res.status ? SM_OK : rc;
    json_t *bundle = NULL;
    struct sm_diag diag;
    sm_diag_clear(&diag);
    rc = sm_sharing_stix(doc, req->now, &bundle, &diag);
    json_decref(doc);
    if (rc)
        return web_fail_err(req, rc, &diag);
    rc = web_header_add(req, "Cache-Control", "no-store");
    if (!rc)
        rc = web_respond_json(req, 200, bundle);
    /* STIX's own media type, which clients of TAXII and STIX tools look for. */
    if (!rc)
        req->res.content_type = "application/stix+json;version=2.1";
    json_decref(bundle);
    return rc;
}

int route_api_sharing_csv(struct web_request *req)
{
    json_t *doc = NULL;
    int rc = api_release(req, &doc);
    if (rc)
        return req->res.status ? SM_OK : rc;
    sm_buf_reset(&req->res.body);
    req->res.static_body = NULL;
    rc = sm_sharing_stats_csv(doc, &req->res.body);
    json_decref(doc);
    if (!rc)
        rc = web_header_add(req, "Cache-Control", "no-store");
    if (!rc)
        rc = web_header_add(req, "Content-Disposition",
                            "attachment; filename=\"incident-statistics.csv\"");
    if (rc) {
        sm_buf_reset(&req->res.body);
        return rc;
    }
    req->res.status = 200;
    req->res.content_type = "text/csv; charset=utf-8";
    return SM_OK;
}

/*
 * Incident sharing in the portal and the public statistics page.
 *
 *   GET  /portal/incidents            a provider's own reports (raw, audited), the report
 *                                     form and the CSV upload; for operators, every
 *                                     provider's reports but TLP:RED
 *   POST /portal/incidents            one report from the form (a provider's staff)
 *   POST /portal/incidents/upload     a CSV file, all or nothing (multipart/form-data)
 *   GET  /portal/incidents/template.csv
 *   GET  /portal/stats                the shared statistics (registered providers, operators)
 *   GET  /portal/stats.csv, .stix     the same as CSV and as a STIX 2.1 bundle
 *   POST /portal/stats/publish        operators: store the public release as a snapshot
 *   POST /portal/stats/k              operators: the smallest count shown
 *   GET  /stats, /stats.csv           the published snapshots, for everyone
 *
 * Access follows the library (smesec/sharing.h): raw reports for the provider's own staff and
 * operators, statistics for providers with a currently registered service and operators,
 * published statistics for everyone. Every state-changing form carries the session's CSRF
 * token. Pages with raw reports are never cached.
 */
#include "multipart.h"
#include "routes.h"
#include "sharing.h"

#include "smesec/alloc.h"
#include "smesec/date.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/banned.h"

#define PAGE_SIZE 50

/* --- Who is asking ------------------------------------------------------------------------ */

/* Percent-encodes path for ?next=. */
static int login_redirect(struct web_request *req)
{
    static const char hex[] = "0123456789ABCDEF";
    struct sm_buf b;
    sm_buf_init(&b, 2048);
    int rc = sm_buf_puts(&b, "/login?next=");
    for (const unsigned char *p = (const unsigned char *)req->path; !rc && *p; p++) {
        if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
            strchr("/-._~", *p))
            rc = sm_buf_putc(&b, (char)*p);
        else
            rc = sm_buf_printf(&b, "%%%c%c", hex[*p >> 4], hex[*p & 15]);
    }
    if (!rc)
        rc = web_redirect(req, b.data);
    sm_buf_release(&b);
    return rc;
}

/* The logged-in session, or an answer: a redirect to the login page. */
static int need_session(struct web_request *req, const struct sm_session **out)
{
    int rc = SM_OK;
    const struct sm_session *s = web_session(req, &rc);
    if (rc)
        return rc;
    if (!s) {
        rc = login_redirect(req);
        return rc ? rc : SM_EAUTH;
    }
    *out = s;
    return SM_OK;
}

static bool is_operator(const struct sm_session *s)
{
    return s->user->role == SM_ROLE_OPERATOR;
}

static bool is_provider(const struct sm_session *s)
{
    return s->user->role == SM_ROLE_PROVIDER && s->user->provider_id > 0;
}

/* The pages' own stylesheet (head.html links it). */
static int styled(json_t *ctx)
{
    return json_object_set_new(ctx, "stylesheet", json_string("sharing.css")) ? SM_ENOMEM : SM_OK;
}

static int no_cache(struct web_request *req)
{
    return web_header_add(req, "Cache-Control", "no-store");
}

static void today(char out[SM_DATE_SIZE])
{
    sm_date_today(out);
}

/* Answers with a body built here (copied) and an attachment name. */
static int respond_file(struct web_request *req, const char *type, const char *filename,
                        const char *data, size_t len)
{
    int rc = web_header_addf(req, "Content-Disposition", "attachment; filename=\"%s\"", filename);
    if (!rc)
        rc = no_cache(req);
    if (rc)
        return rc;
    sm_buf_reset(&req->res.body);
    req->res.static_body = NULL;
    rc = sm_buf_append(&req->res.body, data, len);
    if (rc)
        return rc;
    req->res.status = 200;
    req->res.content_type = type;
    return SM_OK;
}

/* --- Form options -------------------------------------------------------------------------- */

static json_t *options(struct web_request *req, const char *vocab, const char *const *keys,
                       size_t n, const char *selected)
{
    json_t *a = json_array();
    for (size_t i = 0; a && i < n; i++)
        if (json_array_append_new(a, json_pack("{s:s,s:s,s:b}", "value", keys[i], "label",
                                               web_vocab_label(req, vocab, keys[i]), "selected",
                                               selected && strcmp(selected, keys[i]) == 0))) {
            json_decref(a);
            return NULL;
        }
    return a;
}

/* The form's select lists, with values (may be NULL) selected. */
static int form_options(struct web_request *req, json_t *ctx, const struct web_params *values,
                        const struct sm_registry_service_list *services)
{
    static const char *const threats[] = {
        "ransomware", "malware", "phishing", "unauthorized_access", "c2", "defacement", "other"
    };
    static const char *const sizes[] = { "1-5", "6-20", "21-50", "51-100", "101-300", "301+" };
    static const char *const detections[] = { "utm", "edr", "soc", "user" };
    static const char *const responses[] = { "remote", "onsite", "none" };
    static const char *const outcomes[] = { "blocked", "contained", "damage", "leak" };
    static const char *const costs[] = { "unknown", "none",   "lt_100k",
                                         "100k_1m", "1m_10m", "10m_plus" };
    static const char *const tlps[] = { "amber", "amber+strict", "green", "clear", "red" };
    static const char *const industries[] = { "A", "B", "C", "D", "E", "F", "G", "H", "I", "J",
                                              "K", "L", "M", "N", "O", "P", "Q", "R", "S", "T" };
#define V(name) (values ? web_params_get(values, name) : NULL)
    int bad = 0;
    bad |= json_object_set_new(ctx, "threats", options(req, "threat", threats, 7, V("threat")));
    bad |= json_object_set_new(ctx, "sizes", options(req, "size", sizes, 6, V("size")));
    bad |= json_object_set_new(ctx, "detections",
                               options(req, "detection", detections, 4, V("detection")));
    bad |= json_object_set_new(ctx, "responses",
                               options(req, "response", responses, 3, V("response")));
    bad |= json_object_set_new(ctx, "outcomes", options(req, "outcome", outcomes, 4, V("outcome")));
    bad |= json_object_set_new(ctx, "costs", options(req, "cost", costs, 6, V("cost_band")));
    bad |= json_object_set_new(ctx, "tlps",
                               options(req, "tlp", tlps, 5, V("tlp") ? V("tlp") : "amber"));
    bad |= json_object_set_new(ctx, "industries",
                               options(req, "industry", industries, 20, V("industry")));
    const char *pref = V("prefecture");
    json_t *prefs = json_array();
    const struct sm_geo *geo = req->app->geo;
    for (size_t i = 0; prefs && i < geo->n_prefectures; i++)
        bad |= json_array_append_new(
            prefs, json_pack("{s:s,s:s,s:b}", "value", geo->prefectures[i].code, "label",
                             req->lang == SM_LANG_JA ? geo->prefectures[i].name_ja
                                                     : geo->prefectures[i].name_en,
                             "selected", pref && strcmp(pref, geo->prefectures[i].code) == 0));
    bad |= json_object_set_new(ctx, "prefectures", prefs);
    json_t *svc = json_array();
    const char *sel = V("service_id");
    for (size_t i = 0; svc && services && i < services->n; i++) {
        const struct sm_registry_service_row *r = &services->items[i];
        if (!r->listed)
            continue;
        char id[24];
        snprintf(id, sizeof id, "%lld", (long long)r->id);
        bad |= json_array_append_new(
            svc, json_pack("{s:s,s:s,s:s?,s:b}", "value", id, "label", r->name ? r->name : id,
                           "number", r->registration_no, "selected", sel && strcmp(sel, id) == 0));
    }
    bad |= json_object_set_new(ctx, "services", svc);
    /* The text fields as sent, to fill the form again after an error. */
    static const char *const texts[] = { "id",    "detected_on",  "malware_family", "recovery_days",
                                         "notes", "customer_name" };
    json_t *form = json_object();
    for (size_t i = 0; form && i < sizeof texts / sizeof texts[0]; i++)
        if (V(texts[i]))
            bad |= json_object_set_new(form, texts[i], json_string(V(texts[i])));
    bad |= json_object_set_new(ctx, "form", form);
#undef V
    return bad ? SM_ENOMEM : SM_OK;
}

/* --- The reports page ----------------------------------------------------------------------- */

static json_t *report_row(struct web_request *req, const struct sm_incident_row *r)
{
    const struct sm_prefecture *p = sm_geo_prefecture(req->app->geo, r->in.prefecture);
    char recovery[24] = "";
    if (r->in.recovery_days >= 0)
        snprintf(recovery, sizeof recovery, "%lld", (long long)r->in.recovery_days);
    return json_pack(
        "{s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s?,s:s?,s:s?,s:s?,s:s?,s:I,s:I}",
        "provider", r->provider_name ? r->provider_name : "", "id", r->in.ext_id, "detected_on",
        r->in.detected_on, "prefecture",
        p ? (req->lang == SM_LANG_JA ? p->name_ja : p->name_en) : r->in.prefecture, "industry",
        web_vocab_label(req, "industry", r->in.industry), "size",
        web_vocab_label(req, "size", sm_size_name(r->in.size)), "threat",
        web_vocab_label(req, "threat", sm_threat_name(r->in.threat)), "detection",
        web_vocab_label(req, "detection", sm_detection_name(r->in.detection)), "response",
        web_vocab_label(req, "response", sm_response_name(r->in.response)), "outcome",
        web_vocab_label(req, "outcome", sm_outcome_name(r->in.outcome)), "cost",
        web_vocab_label(req, "cost", sm_cost_name(r->in.cost)), "tlp", sm_tlp_label(r->in.tlp),
        "recovery", recovery[0] ? recovery : NULL, "family", r->in.malware_family, "notes",
        r->in.notes, "customer", r->in.customer_name, "notes_shared", r->notes_shared, "service_id",
        (json_int_t)r->in.service_id, "revision", (json_int_t)r->revision);
}

/* Renders the reports page with status; errors (may be NULL) is a list of {field, message}
 * for the form, values the form as sent. */
static int render_reports(struct web_request *req, const struct sm_session *s, int status,
                          const struct web_params *values, json_t *errors, const char *notice)
{
    struct sm_registry_who who = sm_registry_who_user(s->user);
    struct sm_diag diag;
    sm_diag_clear(&diag);
    char day[SM_DATE_SIZE];
    today(day);
    int64_t provider = 0;
    if (is_provider(s)) {
        provider = s->user->provider_id;
    } else {
        const char *p = web_query_get(req, "provider");
        char *end = NULL;
        if (p && *p) {
            long long v = strtoll(p, &end, 10);
            if (*end || v <= 0)
                return web_fail(req, 400, NULL, "provider must be a provider's number");
            provider = v;
        }
    }
    size_t page = 0;
    const char *pg = web_query_get(req, "page");
    if (pg && *pg) {
        char *end = NULL;
        long long v = strtoll(pg, &end, 10);
        if (*end || v < 0 || v > 100000)
            return web_fail(req, 400, NULL, "page must be a number");
        page = (size_t)v;
    }
    struct sm_incident_list *list = NULL;
    int rc = sm_sharing_reports(web_store(req), &who, provider, PAGE_SIZE, page * PAGE_SIZE, &list,
                                &diag);
    if (rc)
        return web_fail_err(req, rc, &diag);
    json_t *ctx = json_object(), *rows = json_array();
    int bad = !ctx || !rows;
    for (size_t i = 0; !bad && i < list->n; i++)
        bad |= json_array_append_new(rows, report_row(req, &list->items[i]));
    bad |= json_object_set_new(ctx, "reports", rows);
    bad |= json_object_set_new(ctx, "total", json_integer((json_int_t)list->total));
    if (page > 0 || (page + 1) * PAGE_SIZE < list->total) {
        char prev[96] = "", next[96] = "", filter[40] = "";
        if (provider && !is_provider(s))
            snprintf(filter, sizeof filter, "&provider=%lld", (long long)provider);
        if (page > 0)
            snprintf(prev, sizeof prev, "/portal/incidents?page=%zu%s", page - 1, filter);
        if ((page + 1) * PAGE_SIZE < list->total)
            snprintf(next, sizeof next, "/portal/incidents?page=%zu%s", page + 1, filter);
        bad |= json_object_set_new(
            ctx, "pager",
            json_pack("{s:s?,s:s?}", "prev", prev[0] ? prev : NULL, "next", next[0] ? next : NULL));
    }
    sm_incident_list_free(list);
    bad |= json_object_set_new(ctx, "is_provider", json_boolean(is_provider(s)));
    bad |= json_object_set_new(ctx, "is_operator", json_boolean(is_operator(s)));
    if (notice)
        bad |= json_object_set_new(ctx, "notice", json_string(web_text(req, notice)));
    if (errors)
        bad |= json_object_set_new(ctx, "form_errors", json_pack("{s:O}", "items", errors));
    if (bad) {
        json_decref(ctx);
        return SM_ENOMEM;
    }
    if (is_provider(s)) {
        bool active = false;
        rc = sm_sharing_provider_active(web_store(req), provider, day, &active, &diag);
        struct sm_registry_service_list *services = NULL;
        if (!rc && active)
            rc = sm_registry_services(web_store(req), &who, provider, day, &services, &diag);
        if (!rc)
            rc = form_options(req, ctx, values, services);
        sm_registry_service_list_free(services);
        if (!rc && json_object_set_new(ctx, "active", json_boolean(active)))
            rc = SM_ENOMEM;
        if (rc) {
            json_decref(ctx);
            return web_fail_err(req, rc, &diag);
        }
    }
    rc = no_cache(req);
    if (!rc)
        rc = styled(ctx);
    if (!rc)
        rc = web_render(req, status, "sharing_incidents.html", "sharing.incidents.title", ctx);
    json_decref(ctx);
    return rc;
}

int route_portal_incidents(struct web_request *req)
{
    const struct sm_session *s = NULL;
    int rc = need_session(req, &s);
    if (rc)
        return rc == SM_EAUTH ? SM_OK : rc;
    if (!is_provider(s) && !is_operator(s))
        return web_fail(req, 403, "sharing.error.not_allowed", NULL);
    const char *done = web_query_get(req, "done");
    const char *notice = NULL;
    if (done && strcmp(done, "created") == 0)
        notice = "sharing.notice.created";
    else if (done && strcmp(done, "updated") == 0)
        notice = "sharing.notice.updated";
    return render_reports(req, s, 200, NULL, NULL, notice);
}

/* Submits a batch for the session's provider. */
static int submit_batch(struct web_request *req, const struct sm_session *s,
                        const struct sm_incident_batch *b, bool all_or_nothing,
                        struct sm_submit_result **res, struct sm_diag *diag)
{
    struct sm_registry_who who = sm_registry_who_user(s->user);
    char day[SM_DATE_SIZE];
    today(day);
    return sm_sharing_submit(web_store(req), &who, b, all_or_nothing, day, res, diag);
}

static json_t *errors_json(struct web_request *req, const struct sm_incident_error *e, size_t n)
{
    json_t *a = json_array();
    for (size_t i = 0; a && i < n; i++) {
        char row[24] = "";
        if (e[i].row > 0)
            snprintf(row, sizeof row, "%ld", e[i].row);
        if (json_array_append_new(
                a, json_pack("{s:s?,s:s?,s:s}", "row", row[0] ? row : NULL, "field",
                             e[i].field ? web_vocab_label(req, "field", e[i].field) : NULL,
                             "message", e[i].message))) {
            json_decref(a);
            return NULL;
        }
    }
    return a;
}

int route_portal_incidents_post(struct web_request *req)
{
    const struct sm_session *s = NULL;
    int rc = need_session(req, &s);
    if (rc)
        return rc == SM_EAUTH ? SM_OK : rc;
    struct sm_diag diag;
    sm_diag_clear(&diag);
    struct web_params form;
    rc = web_form(req, &form, &diag);
    if (rc)
        return web_fail_err(req, rc, &diag);
    if (!sm_token_equal(s->csrf, web_params_get(&form, "csrf")))
        return web_fail(req, 403, "error.csrf", "the csrf field does not match the session");
    if (!is_provider(s))
        return web_fail(req, 403, "sharing.error.providers_submit", NULL);

    struct sm_incident in;
    sm_incident_init(&in);
    bool bad = false;
    long row = -1;
    struct sm_incident_error errs[32];
    size_t n_errs = 0;
    for (size_t i = 0; i < sm_incident_n_fields; i++) {
        const char *f = sm_incident_fields[i];
        const char *v = web_params_get(&form, f);
        sm_diag_clear(&diag);
        if (sm_incident_set(&in, f, v ? v : "", &diag) == SM_EINVAL && n_errs < 32) {
            const char *msg = sm_arena_strdup(&req->arena, diag.msg);
            errs[n_errs++] = (struct sm_incident_error){
                .index = 0, .row = -1, .field = f, .message = msg ? msg : ""
            };
            bad = true;
        }
    }
    struct sm_incident_batch b = {
        .n = 1, .items = &in, .bad = &bad, .rows = &row, .n_errors = n_errs, .errors = errs
    };
    struct sm_submit_result *res = NULL;
    rc = submit_batch(req, s, &b, true, &res, &diag);
    if (rc == SM_EPERM) {
        sm_submit_result_free(res);
        return web_fail(req, 403, "sharing.error.not_registered", diag.msg);
    }
    if (rc == SM_EINVAL && res) {
        json_t *e = errors_json(req, res->errors, res->n_errors);
        sm_submit_result_free(res);
        if (!e)
            return SM_ENOMEM;
        rc = render_reports(req, s, 400, &form, e, NULL);
        json_decref(e);
        return rc;
    }
    if (rc) {
        sm_submit_result_free(res);
        return web_fail_err(req, rc, &diag);
    }
    bool updated = res->updated > 0;
    sm_submit_result_free(res);
    return web_redirect(req, updated ? "/portal/incidents?done=updated"
                                     : "/portal/incidents?done=created");
}

int route_portal_incidents_upload(struct web_request *req)
{
    const struct sm_session *s = NULL;
    int rc = need_session(req, &s);
    if (rc)
        return rc == SM_EAUTH ? SM_OK : rc;
    struct sm_diag diag;
    sm_diag_clear(&diag);
    char boundary[WEB_MULTIPART_BOUNDARY + 1];
    const char *ct = web_header_get(req, "Content-Type");
    rc = web_multipart_boundary(ct ? ct : "", boundary, &diag);
    if (rc)
        return web_fail_err(req, rc, &diag);
    struct web_multipart mp;
    rc = web_multipart_parse(&req->arena, req->body.data ? req->body.data : "", req->body.len,
                             boundary, &mp, &diag);
    if (rc)
        return web_fail_err(req, rc, &diag);
    const char *csrf = NULL;
    if (web_multipart_text(&req->arena, &mp, "csrf", 128, &csrf, &diag) ||
        !sm_token_equal(s->csrf, csrf))
        return web_fail(req, 403, "error.csrf", "the csrf field does not match the session");
    if (!is_provider(s))
        return web_fail(req, 403, "sharing.error.providers_submit", NULL);
    const struct web_part *file = web_multipart_get(&mp, "file");
    json_t *ctx = json_object();
    if (!ctx)
        return SM_ENOMEM;
    int status = 200;
    struct sm_submit_result *res = NULL;
    if (!file || file->len == 0) {
        status = 400;
        rc = json_object_set_new(ctx, "file_error",
                                 json_string(web_text(req, "sharing.upload.no_file")));
    } else {
        struct sm_incident_limits lim = { .max_bytes = WEB_SHARING_UPLOAD_MAX };
        struct sm_registry_who who = sm_registry_who_user(s->user);
        char day[SM_DATE_SIZE];
        today(day);
        rc = sm_sharing_import_csv(web_store(req), &who, file->data, file->len, &lim, day, &res,
                                   &diag);
        if (rc == SM_EPARSE || rc == SM_ELIMIT) {
            status = rc == SM_ELIMIT ? 413 : 400;
            rc = json_object_set_new(ctx, "file_error", json_string(diag.msg)) ? SM_ENOMEM : SM_OK;
        } else if (rc == SM_EPERM) {
            json_decref(ctx);
            return web_fail(req, 403, "sharing.error.not_registered", diag.msg);
        } else if (rc == SM_EINVAL && res) {
            status = 400;
            json_t *e = errors_json(req, res->errors, res->n_errors);
            rc = !e || json_object_set_new(ctx, "errors", e) ? SM_ENOMEM : SM_OK;
            if (!rc)
                rc = json_object_set_new(ctx, "summary", json_string(diag.msg)) ? SM_ENOMEM : SM_OK;
        } else if (!rc) {
            rc = json_object_set_new(ctx, "stored",
                                     json_pack("{s:I,s:I}", "created", (json_int_t)res->created,
                                               "updated", (json_int_t)res->updated))
                     ? SM_ENOMEM
                     : SM_OK;
        }
    }
    sm_submit_result_free(res);
    if (!rc && file && file->filename)
        rc = json_object_set_new(ctx, "filename", json_string(file->filename)) ? SM_ENOMEM : SM_OK;
    if (!rc)
        rc = no_cache(req);
    if (!rc)
        rc = styled(ctx);
    if (!rc)
        rc = web_render(req, status, "sharing_upload.html", "sharing.upload.title", ctx);
    json_decref(ctx);
    if (rc && req->res.status == 0)
        return web_fail_err(req, rc, &diag);
    return rc;
}

int route_portal_incidents_template(struct web_request *req)
{
    const struct sm_session *s = NULL;
    int rc = need_session(req, &s);
    if (rc)
        return rc == SM_EAUTH ? SM_OK : rc;
    if (!is_provider(s) && !is_operator(s))
        return web_fail(req, 403, "sharing.error.not_allowed", NULL);
    struct sm_buf b;
    sm_buf_init(&b, 64 * 1024);
    rc = sm_incident_csv_template(&b);
    if (!rc)
        rc = respond_file(req, "text/csv; charset=utf-8", "incident-template.csv", b.data, b.len);
    sm_buf_release(&b);
    return rc;
}

/* --- Statistics in the portal ---------------------------------------------------------------- */

/* The release the session may see, for the page and its downloads. */
static int portal_release(struct web_request *req, const struct sm_session *s, bool narratives,
                          json_t **doc, enum sm_audience *aud)
{
    struct sm_stats_options o;
    enum sm_audience a = SM_AUDIENCE_PROVIDERS;
    if (is_operator(s)) {
        const char *q = web_query_get(req, "audience");
        a = SM_AUDIENCE_OPERATOR;
        if (q && strcmp(q, "providers") == 0)
            a = SM_AUDIENCE_PROVIDERS;
        else if (q && strcmp(q, "public") == 0)
            a = SM_AUDIENCE_PUBLIC;
    }
    sm_stats_options_init(&o, a);
    o.narratives = narratives && a != SM_AUDIENCE_PUBLIC;
    int rc = web_stats_period(req, &o);
    if (rc)
        return rc;
    struct sm_registry_who who = sm_registry_who_user(s->user);
    struct sm_diag diag;
    sm_diag_clear(&diag);
    rc = sm_sharing_stats(web_store(req), &who, &o, doc, &diag);
    if (rc == SM_EPERM)
        return web_fail(req, 403, "sharing.error.stats_not_allowed", diag.msg);
    if (rc)
        return web_fail_err(req, rc, &diag);
    *aud = a;
    return SM_OK;
}

/* The query string that repeats the page's choices on its download links. */
static const char *download_query(struct web_request *req)
{
    struct sm_buf b;
    sm_buf_init(&b, 256);
    static const char *const keep[] = { "audience", "from", "to" };
    int rc = SM_OK;
    for (size_t i = 0; !rc && i < 3; i++) {
        const char *v = web_query_get(req, keep[i]);
        /* Only values that passed validation (a-z, digits, H) are repeated. */
        bool ok = v && *v && strlen(v) < 16;
        for (const char *p = v; ok && *p; p++)
            ok = (*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == 'H';
        if (ok)
            rc = sm_buf_printf(&b, "%s%s=%s", b.len ? "&" : "?", keep[i], v);
    }
    const char *out = rc ? "" : sm_arena_strdup(&req->arena, b.len ? b.data : "");
    sm_buf_release(&b);
    return out ? out : "";
}

int route_portal_stats(struct web_request *req)
{
    const struct sm_session *s = NULL;
    int rc = need_session(req, &s);
    if (rc)
        return rc == SM_EAUTH ? SM_OK : rc;
    if (!is_provider(s) && !is_operator(s))
        return web_fail(req, 403, "sharing.error.stats_not_allowed", NULL);
    json_t *doc = NULL;
    enum sm_audience aud;
    rc = portal_release(req, s, true, &doc, &aud);
    if (rc)
        return rc;
    json_t *ctx = json_object();
    if (!ctx) {
        json_decref(doc);
        return SM_ENOMEM;
    }
    rc = web_stats_view(req, doc, ctx);
    json_decref(doc);
    int bad = rc != SM_OK;
    bad |= json_object_set_new(ctx, "downloads", json_string(download_query(req)));
    bad |= json_object_set_new(ctx, "is_operator", json_boolean(is_operator(s)));
    bad |=
        json_object_set_new(ctx, "audience_label",
                            json_string(web_vocab_label(req, "audience", sm_audience_name(aud))));
    const char *from = web_query_get(req, "from"), *to = web_query_get(req, "to");
    bad |= json_object_set_new(ctx, "from_value", json_string(from ? from : ""));
    bad |= json_object_set_new(ctx, "to_value", json_string(to ? to : ""));
    const char *done = web_query_get(req, "done");
    if (done && strcmp(done, "k") == 0)
        bad |= json_object_set_new(ctx, "notice", json_string(web_text(req, "stats.notice.k")));
    if (is_operator(s)) {
        int k = 0;
        struct sm_diag diag;
        if (sm_sharing_k(web_store(req), &k, &diag) == SM_OK)
            bad |= json_object_set_new(ctx, "k_setting", json_integer(k));
        bad |= json_object_set_new(ctx, "aud_operator", json_boolean(aud == SM_AUDIENCE_OPERATOR));
        bad |=
            json_object_set_new(ctx, "aud_providers", json_boolean(aud == SM_AUDIENCE_PROVIDERS));
        bad |= json_object_set_new(ctx, "aud_public", json_boolean(aud == SM_AUDIENCE_PUBLIC));
    }
    rc = bad ? SM_ENOMEM : no_cache(req);
    if (!rc)
        rc = styled(ctx);
    if (!rc)
        rc = web_render(req, 200, "stats_portal.html", "stats.portal.title", ctx);
    json_decref(ctx);
    return rc;
}

static int portal_download(struct web_request *req, bool stix)
{
    const struct sm_session *s = NULL;
    int rc = need_session(req, &s);
    if (rc)
        return rc == SM_EAUTH ? SM_OK : rc;
    if (!is_provider(s) && !is_operator(s))
        return web_fail(req, 403, "sharing.error.stats_not_allowed", NULL);
    json_t *doc = NULL;
    enum sm_audience aud;
    rc = portal_release(req, s, false, &doc, &aud);
    if (rc)
        return rc;
    struct sm_diag diag;
    sm_diag_clear(&diag);
    if (stix) {
        json_t *bundle = NULL;
        rc = sm_sharing_stix(doc, req->now, &bundle, &diag);
        char *text = rc ? NULL : json_dumps(bundle, JSON_INDENT(2));
        json_decref(bundle);
        if (!rc && !text)
            rc = SM_ENOMEM;
        if (!rc)
            rc = respond_file(req, "application/stix+json;version=2.1",
                              "incident-statistics.stix.json", text, strlen(text));
        free(text);
    } else {
        struct sm_buf b;
        sm_buf_init(&b, 8u << 20);
        rc = sm_sharing_stats_csv(doc, &b);
        if (!rc)
            rc = respond_file(req, "text/csv; charset=utf-8", "incident-statistics.csv", b.data,
                              b.len);
        sm_buf_release(&b);
    }
    json_decref(doc);
    return rc;
}

int route_portal_stats_csv(struct web_request *req)
{
    return portal_download(req, false);
}

int route_portal_stats_stix(struct web_request *req)
{
    return portal_download(req, true);
}

/* The operator's forms: the session, the CSRF field, the operator role. */
static int operator_form(struct web_request *req, const struct sm_session **s,
                         struct web_params *form)
{
    int rc = need_session(req, s);
    if (rc)
        return rc == SM_EAUTH ? SM_EIO : rc;
    struct sm_diag diag;
    sm_diag_clear(&diag);
    rc = web_form(req, form, &diag);
    if (rc)
        return web_fail_err(req, rc, &diag);
    if (!sm_token_equal((*s)->csrf, web_params_get(form, "csrf")))
        return web_fail(req, 403, "error.csrf", "the csrf field does not match the session");
    if (!is_operator(*s))
        return web_fail(req, 403, "error.not_operator", NULL);
    return SM_OK;
}

int route_portal_stats_publish(struct web_request *req)
{
    const struct sm_session *s = NULL;
    struct web_params form;
    int rc = operator_form(req, &s, &form);
    if (rc)
        return req->res.status ? SM_OK : rc;
    struct sm_stats_options o;
    sm_stats_options_init(&o, SM_AUDIENCE_PUBLIC);
    static const char *const names[2] = { "from", "to" };
    char *slots[2] = { o.from, o.to };
    for (int i = 0; i < 2; i++) {
        const char *v = web_params_get(&form, names[i]);
        if (!v || !*v)
            continue;
        if (!sm_half_valid(v))
            return web_fail(req, 400, "stats.bad_period", "a period is a half-year like 2024H1");
        memcpy(slots[i], v, 7);
    }
    struct sm_registry_who who = sm_registry_who_user(s->user);
    struct sm_diag diag;
    sm_diag_clear(&diag);
    int64_t id = 0;
    rc = sm_sharing_publish(web_store(req), &who, &o, &id, &diag);
    if (rc)
        return web_fail_err(req, rc, &diag);
    char location[64];
    snprintf(location, sizeof location, "/stats?id=%lld", (long long)id);
    return web_redirect(req, location);
}

int route_portal_stats_k(struct web_request *req)
{
    const struct sm_session *s = NULL;
    struct web_params form;
    int rc = operator_form(req, &s, &form);
    if (rc)
        return req->res.status ? SM_OK : rc;
    const char *v = web_params_get(&form, "k");
    char *end = NULL;
    long k = v ? strtol(v, &end, 10) : 0;
    if (!v || !*v || *end)
        return web_fail(req, 400, NULL, "k must be a whole number");
    struct sm_registry_who who = sm_registry_who_user(s->user);
    struct sm_diag diag;
    sm_diag_clear(&diag);
    rc = sm_sharing_set_k(web_store(req), &who, (int)(k > 1000 ? 1000 : k < 0 ? 0 : k), &diag);
    if (rc)
        return web_fail_err(req, rc, &diag);
    return web_redirect(req, "/portal/stats?done=k");
}

/* --- The public page ------------------------------------------------------------------------- */

/* The snapshot ?id= asks for (0: the latest). SM_EINVAL answered for a bad id. */
static int snapshot_id(struct web_request *req, int64_t *id)
{
    const char *v = web_query_get(req, "id");
    *id = 0;
    if (!v || !*v)
        return SM_OK;
    char *end = NULL;
    long long x = strtoll(v, &end, 10);
    if (*end || x <= 0)
        return web_fail(req, 400, NULL, "id must be a snapshot's number");
    *id = x;
    return SM_OK;
}

int route_stats(struct web_request *req)
{
    int64_t id = 0;
    int rc = snapshot_id(req, &id);
    if (rc)
        return rc;
    struct sm_diag diag;
    sm_diag_clear(&diag);
    json_t *doc = NULL;
    rc = sm_sharing_snapshot(web_store(req), id, &doc, &diag);
    if (rc == SM_ENOTFOUND && id)
        return web_fail(req, 404, NULL, diag.msg);
    if (rc && rc != SM_ENOTFOUND)
        return web_fail_err(req, rc, &diag);
    json_t *ctx = json_object();
    if (!ctx) {
        json_decref(doc);
        return SM_ENOMEM;
    }
    int bad = 0;
    if (doc) {
        rc = web_stats_view(req, doc, ctx);
        bad |= rc != SM_OK;
        json_int_t sid =
            json_integer_value(json_object_get(json_object_get(doc, "snapshot"), "id"));
        json_int_t at =
            json_integer_value(json_object_get(json_object_get(doc, "snapshot"), "published_at"));
        char date[SM_DATE_SIZE];
        sm_date_format(sm_date_from_unix(at), date);
        bad |= json_object_set_new(ctx, "snapshot",
                                   json_pack("{s:I,s:s}", "id", sid, "published_on", date));
        json_decref(doc);
    }
    struct sm_snapshot_list *list = NULL;
    rc = sm_sharing_snapshots(web_store(req), &list, &diag);
    if (rc) {
        json_decref(ctx);
        return web_fail_err(req, rc, &diag);
    }
    json_t *others = json_array();
    for (size_t i = 0; others && i < list->n; i++) {
        char date[SM_DATE_SIZE];
        sm_date_format(sm_date_from_unix(list->items[i].published_at), date);
        bad |= json_array_append_new(
            others,
            json_pack("{s:I,s:s,s:s?,s:s?}", "id", (json_int_t)list->items[i].id, "published_on",
                      date, "from", list->items[i].period_from, "to", list->items[i].period_to));
    }
    sm_snapshot_list_free(list);
    bad |= json_object_set_new(ctx, "has_snapshots", json_boolean(json_array_size(others) > 0));
    bad |= json_object_set_new(ctx, "snapshots", others);
    rc = bad ? SM_ENOMEM : styled(ctx);
    if (!rc)
        rc = web_render(req, 200, "stats_public.html", "stats.public.title", ctx);
    json_decref(ctx);
    return rc;
}

int route_stats_csv(struct web_request *req)
{
    int64_t id = 0;
    int rc = snapshot_id(req, &id);
    if (rc)
        return rc;
    struct sm_diag diag;
    sm_diag_clear(&diag);
    json_t *doc = NULL;
    rc = sm_sharing_snapshot(web_store(req), id, &doc, &diag);
    if (rc)
        return web_fail_err(req, rc, &diag);
    struct sm_buf b;
    sm_buf_init(&b, 8u << 20);
    rc = sm_sharing_stats_csv(doc, &b);
    json_decref(doc);
    if (!rc)
        rc = respond_file(req, "text/csv; charset=utf-8", "incident-statistics-public.csv", b.data,
                          b.len);
    sm_buf_release(&b);
    return rc;
}

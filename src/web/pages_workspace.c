/*
 * The analysis workspace of the guideline commons, for analysts and operators:
 *
 *   GET  /workspace           the guidelines, the upload form, recent analysis jobs, outputs
 *   POST /workspace/upload    a guideline file with its metadata (multipart, up to 50 MiB):
 *                             read and stored at once (a bad file is refused with its reason
 *                             and nothing is stored), analysed in the background
 *   GET  /workspace/job       one job's progress (refreshes itself while it runs)
 *   POST /workspace/analyse   queues a re-analysis of one guideline or all
 *   POST /workspace/delete    deletes a guideline with everything about it
 *   GET  /workspace/matrix    items x guidelines as a heat map, common items in orange, and
 *                             the form that changes the criterion
 *   GET  /workspace/cell      one cell: its evidence with pages, review and override forms
 *   POST /workspace/review    accepts or rejects the analyser's proposal
 *   POST /workspace/override  sets (or clears) an analyst's score with a note
 *   GET  /workspace/queue     the proposals nobody reviewed, weakest first
 *   GET  /workspace/download  any output of the engine, generated for this request
 *
 * The criterion travels in the query (?criterion=share:0.5:min=1, or the form's kind, value
 * and min), so the matrix, the queue and every download can be looked at under another
 * criterion without changing anything stored. Everything reaches data through the library.
 */
#include "commons.h"
#include "routes.h"

#include "smesec/alloc.h"
#include "smesec/date.h"
#include "smesec/export.h"
#include "smesec/guideline.h"
#include "smesec/jobs.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util/banned.h"

#define ANALYSTS    (WEB_ROLE(SM_ROLE_ANALYST) | WEB_ROLE(SM_ROLE_OPERATOR))
#define QUEUE_SHOWN 200
#define NOTE_MAX    2000
#define META_MAX    500

/* --- shared ------------------------------------------------------------------------------ */

static const char *text_of(const struct web_request *req, const char *ja, const char *en)
{
    return req->lang == SM_LANG_EN && en && *en ? en : ja;
}

/* Percent-encodes s for a query value. Arena. */
static char *qenc(struct web_request *req, const char *s)
{
    static const char hex[] = "0123456789ABCDEF";
    size_t n = strlen(s);
    char *d = sm_arena_alloc(&req->arena, 3 * n + 1);
    if (!d)
        return NULL;
    size_t j = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
            c == '-' || c == '.' || c == '_' || c == '~') {
            d[j++] = (char)c;
        } else {
            d[j++] = '%';
            d[j++] = hex[c >> 4];
            d[j++] = hex[c & 15];
        }
    }
    d[j] = '\0';
    return d;
}

/* A path on this site for the return after a form: one leading '/', under /workspace. */
static bool workspace_path(const char *p)
{
    if (!p || strncmp(p, "/workspace", 10) != 0)
        return false;
    for (const char *c = p; *c; c++)
        if ((unsigned char)*c < 0x20 || *c == 0x7f || *c == '\\')
            return false;
    return true;
}

static int page_common(json_t *ctx, const char *nav)
{
    int bad = json_object_set_new(ctx, "stylesheet", json_string("commons.css"));
    bad |= json_object_set_new(ctx, "script", json_string("commons.js"));
    if (nav)
        bad |= json_object_set_new(ctx, nav, json_true());
    return bad ? SM_ENOMEM : SM_OK;
}

/* The criterion the request asks for: ?criterion=SPEC, or the form's kind/value/min, else
 * the default. *bad_reason (arena) is set when the request gave one that does not parse;
 * the default is used then. */
static int criterion_of(struct web_request *req, struct sm_criterion *c, const char **bad_reason)
{
    *bad_reason = NULL;
    sm_criterion_default(c);
    const char *spec = web_query_get(req, "criterion");
    const char *kind = web_query_get(req, "kind");
    char built[96];
    if ((!spec || !*spec) && kind && *kind) {
        const char *value = web_query_get(req, "value");
        const char *min = web_query_get(req, "min");
        if (strcmp(kind, "mean") == 0)
            snprintf(built, sizeof built, "mean:%.40s", value ? value : "");
        else
            snprintf(built, sizeof built, "%.8s:%.40s:min=%.4s", kind, value ? value : "",
                     min && *min ? min : "1");
        spec = built;
    }
    if (!spec || !*spec)
        return SM_OK;
    struct sm_diag diag;
    sm_diag_clear(&diag);
    int rc = sm_criterion_parse(spec, c, &diag);
    if (rc == SM_EINVAL || rc == SM_EPARSE) {
        sm_criterion_default(c);
        *bad_reason = sm_arena_strdup(&req->arena, diag.msg);
        return *bad_reason ? SM_OK : SM_ENOMEM;
    }
    return rc;
}

/* Adds the criterion's fields: its spec, its words in the page's language, and the form's
 * values. */
static int criterion_fields(struct web_request *req, json_t *ctx, const struct sm_criterion *c,
                            size_t n_guidelines)
{
    struct sm_buf words, spec;
    sm_buf_init(&words, 4096);
    sm_buf_init(&spec, 256);
    int rc = sm_criterion_describe(c, n_guidelines, req->lang, &words);
    if (!rc)
        rc = sm_criterion_format(c, &spec);
    char value[32];
    switch (c->kind) {
    case SM_CRIT_SHARE:
        snprintf(value, sizeof value, "%g", c->share);
        break;
    case SM_CRIT_COUNT:
        snprintf(value, sizeof value, "%d", c->count);
        break;
    case SM_CRIT_MEAN:
        snprintf(value, sizeof value, "%g", c->mean);
        break;
    }
    if (!rc) {
        char *q = qenc(req, spec.data ? spec.data : "");
        json_t *o = json_pack("{s:s,s:s,s:s?,s:s,s:b,s:b,s:b,s:b,s:b}", "spec",
                              spec.data ? spec.data : "", "words", words.data ? words.data : "",
                              "query", q, "value", value, "share", c->kind == SM_CRIT_SHARE,
                              "count", c->kind == SM_CRIT_COUNT, "mean", c->kind == SM_CRIT_MEAN,
                              "min2", c->min_score == 2, "min1", c->min_score != 2);
        rc = !o || !q || json_object_set_new(ctx, "criterion", o) ? SM_ENOMEM : SM_OK;
    }
    sm_buf_release(&words);
    sm_buf_release(&spec);
    return rc;
}

/* The matrix of the built-in catalog, judged by c. */
struct judged {
    struct sm_matrix_data *data;
    struct sm_judgement *j;
};

static void judged_release(struct judged *w)
{
    sm_judgement_free(w->j);
    sm_matrix_data_free(w->data);
    memset(w, 0, sizeof *w);
}

static int judged_load(struct web_request *req, const struct sm_criterion *c, struct judged *w,
                       struct sm_diag *diag)
{
    memset(w, 0, sizeof *w);
    int rc = sm_matrix_load(web_store(req), web_commons_catalog(req), &w->data, diag);
    if (!rc)
        rc = sm_judge(&w->data->m, c, &w->j);
    if (rc)
        judged_release(w);
    return rc;
}

static size_t find_guideline(const struct sm_matrix *m, int64_t id)
{
    for (size_t g = 0; g < m->n_guidelines; g++)
        if (m->guidelines[g].id == id)
            return g;
    return m->n_guidelines;
}

static const char *score_label(int score)
{
    static const char *const labels[] = { "0", "1", "2" };
    return score >= 0 && score <= 2 ? labels[score] : "—";
}

/* --- the overview and uploads -------------------------------------------------------------- */

/* The values the upload form had, to show them again with an error. */
struct upload_values {
    const char *industry, *publisher, *title, *version, *year;
};

static const char *job_state_key(enum sm_job_state s)
{
    switch (s) {
    case SM_JOB_QUEUED:
        return "commons.job.state.queued";
    case SM_JOB_RUNNING:
        return "commons.job.state.running";
    case SM_JOB_DONE:
        return "commons.job.state.done";
    case SM_JOB_FAILED:
        return "commons.job.state.failed";
    }
    return "commons.job.state.queued";
}

static const char *job_kind_key(enum sm_job_kind k)
{
    switch (k) {
    case SM_JOB_GUIDELINE:
        return "commons.job.kind.guideline";
    case SM_JOB_ALL:
        return "commons.job.kind.all";
    case SM_JOB_DRAFT:
        return "commons.job.kind.draft";
    }
    return "commons.job.kind.guideline";
}

static json_t *job_json(struct web_request *req, const struct sm_job *j)
{
    char created[SM_DATE_SIZE];
    sm_date_format(sm_date_from_unix(j->created_at), created);
    json_t *o = json_pack(
        "{s:I,s:s,s:I,s:s,s:s,s:I,s:I,s:s,s:s,s:b}", "id", (json_int_t)j->id, "kind",
        web_text(req, job_kind_key(j->kind)), "target", (json_int_t)j->target_id, "state",
        sm_job_state_name(j->state), "state_label", web_text(req, job_state_key(j->state)), "done",
        (json_int_t)j->done, "total", (json_int_t)j->total, "created", created, "by",
        j->requested_by, "pending", j->state == SM_JOB_QUEUED || j->state == SM_JOB_RUNNING);
    if (o && j->reason && json_object_set_new(o, "reason", json_string(j->reason))) {
        json_decref(o);
        return NULL;
    }
    if (o && j->kind == SM_JOB_GUIDELINE && json_object_set_new(o, "guideline", json_true())) {
        json_decref(o);
        return NULL;
    }
    return o;
}

static int render_overview(struct web_request *req, const struct sm_session *s, int status,
                           const char *error, const char *detail, const struct upload_values *v)
{
    struct sm_diag diag;
    sm_diag_clear(&diag);
    struct sm_guideline_list *list = NULL;
    struct sm_job_list *jobs = NULL;
    json_t *ctx = json_object();
    int rc = ctx ? SM_OK : SM_ENOMEM;
    if (!rc)
        rc = sm_guideline_list(web_store(req), &list, &diag);
    if (!rc)
        rc = sm_job_list(web_store(req), 10, &jobs, &diag);
    if (rc)
        goto out;
    json_t *gl = json_array(), *jl = json_array();
    int bad = json_object_set_new(ctx, "guidelines", gl);
    bad |= json_object_set_new(ctx, "jobs", jl);
    size_t analysed = 0;
    for (size_t i = 0; gl && i < list->n; i++) {
        const struct sm_guideline_info *g = &list->items[i];
        analysed += g->analysed_with ? 1 : 0;
        json_t *o =
            json_pack("{s:I,s:s,s:s,s:s,s:s,s:i,s:s?,s:i,s:s?,s:i}", "id", (json_int_t)g->id,
                      "industry", g->industry, "publisher", g->publisher, "title", g->title,
                      "version", g->version, "year", g->year, "filename", g->filename, "pages",
                      g->n_pages, "analysed", g->analysed_with, "overrides", (int)g->n_overrides);
        bad |= !o || json_array_append_new(gl, o);
    }
    bool pending = false;
    for (size_t i = 0; jl && i < jobs->n; i++) {
        pending |= jobs->items[i].state == SM_JOB_QUEUED || jobs->items[i].state == SM_JOB_RUNNING;
        json_t *o = job_json(req, &jobs->items[i]);
        bad |= !o || json_array_append_new(jl, o);
    }
    bad |= json_object_set_new(ctx, "n_guidelines", json_integer((json_int_t)list->n));
    bad |= json_object_set_new(ctx, "has_guidelines", json_boolean(list->n > 0));
    bad |= json_object_set_new(ctx, "n_analysed", json_integer((json_int_t)analysed));
    struct sm_criterion c;
    sm_criterion_default(&c);
    bad |= criterion_fields(req, ctx, &c, analysed) != SM_OK;
    bad |= json_object_set_new(ctx, "csrf", json_string(s->csrf));
    if (pending)
        bad |= json_object_set_new(ctx, "refresh", json_integer(5));
    if (error)
        bad |= json_object_set_new(ctx, "error", json_string(web_text(req, error)));
    if (detail && *detail)
        bad |= json_object_set_new(ctx, "error_detail", json_string(detail));
    if (v)
        bad |= json_object_set_new(ctx, "form",
                                   json_pack("{s:s?,s:s?,s:s?,s:s?,s:s?}", "industry", v->industry,
                                             "publisher", v->publisher, "title", v->title,
                                             "version", v->version, "year", v->year));
    rc = bad ? SM_ENOMEM : page_common(ctx, "nav_overview");
    if (!rc)
        rc = web_render(req, status, "commons_workspace.html", "commons.ws.title", ctx);
out:
    if (rc && rc != SM_ENOMEM && req->res.status == 0)
        web_fail_err(req, rc, &diag);
    json_decref(ctx);
    sm_job_list_free(jobs);
    sm_guideline_list_free(list);
    return rc;
}

int route_workspace(struct web_request *req)
{
    const struct sm_session *s = NULL;
    int rc = web_gate(req, ANALYSTS, &s);
    if (rc || !s)
        return rc;
    return render_overview(req, s, 200, NULL, NULL, NULL);
}

int route_workspace_upload(struct web_request *req)
{
    struct sm_diag diag;
    sm_diag_clear(&diag);
    const struct sm_session *s = NULL;
    int rc = web_gate(req, ANALYSTS, &s);
    if (rc || !s)
        return rc;
    struct web_multipart mp;
    rc = web_multipart(req, &mp, &diag);
    if (rc)
        return web_fail_err(req, rc, &diag);
    const char *csrf = NULL;
    struct upload_values v = { 0 };
    if (web_multipart_text(&req->arena, &mp, "csrf", 128, &csrf, &diag) || !web_csrf_ok(s, csrf))
        return web_fail(req, 403, "error.csrf", "the csrf field does not match the session");
    if ((rc = web_multipart_text(&req->arena, &mp, "industry", META_MAX, &v.industry, &diag)) ||
        (rc = web_multipart_text(&req->arena, &mp, "publisher", META_MAX, &v.publisher, &diag)) ||
        (rc = web_multipart_text(&req->arena, &mp, "title", META_MAX, &v.title, &diag)) ||
        (rc = web_multipart_text(&req->arena, &mp, "version", META_MAX, &v.version, &diag)) ||
        (rc = web_multipart_text(&req->arena, &mp, "year", 16, &v.year, &diag)))
        return render_overview(req, s, 400, "commons.upload.error.fields", diag.msg, &v);
    const struct web_part *file = web_multipart_get(&mp, "file");
    /* A browser sends an empty file name when none was chosen; an empty file that has a name
     * goes to the reader, which says what is wrong with it. */
    if (!file || !file->filename || !*file->filename)
        return render_overview(req, s, 400, "commons.upload.error.no_file", NULL, &v);
    int year = 0;
    if (v.year && *v.year && !web_parse_int(v.year, 1990, 2100, &year))
        return render_overview(req, s, 400, "commons.upload.error.year", NULL, &v);
    struct sm_guideline_meta meta = {
        .industry = v.industry,
        .publisher = v.publisher,
        .title = v.title && *v.title ? v.title : file->filename,
        .version = v.version,
        .year = year,
        .filename = file->filename,
    };
    rc = sm_guideline_meta_check(&meta, &diag);
    if (rc)
        return render_overview(req, s, 400, "commons.upload.error.fields", diag.msg, &v);

    /* Reading a large PDF takes a while and needs no database: give the connection back. */
    web_store_put(req);
    struct sm_read_limits limits;
    sm_read_limits_init(&limits);
    limits.max_file_bytes = WEB_UPLOAD_MAX;
    struct sm_document *doc = NULL;
    rc = sm_document_read_mem(file->data, file->len, file->filename, SM_DOC_AUTO, &limits, &doc,
                              &diag);
    if (rc)
        return render_overview(req, s, web_upload_error_status(rc), web_upload_error_key(rc),
                               diag.msg, &v);

    struct sm_actor actor = web_actor(s);
    int64_t id = 0, job = 0;
    rc = sm_guideline_add(web_store(req), &actor, &meta, doc, &id, &diag);
    sm_document_free(doc);
    if (rc == SM_EEXIST)
        return render_overview(req, s, 409, "commons.upload.error.duplicate", diag.msg, &v);
    if (rc)
        return web_fail_err(req, rc, &diag);
    rc = sm_job_add(web_store(req), &actor, SM_JOB_GUIDELINE, id, &job, &diag);
    if (rc)
        return web_fail_err(req, rc, &diag);
    web_commons_wake(req->app);
    char location[64];
    snprintf(location, sizeof location, "/workspace/job?id=%lld", (long long)job);
    return web_redirect(req, location);
}

int route_workspace_job(struct web_request *req)
{
    struct sm_diag diag;
    sm_diag_clear(&diag);
    const struct sm_session *s = NULL;
    int rc = web_gate(req, ANALYSTS, &s);
    if (rc || !s)
        return rc;
    int64_t id = 0;
    if (!web_parse_id(web_query_get(req, "id"), &id))
        return web_fail(req, 400, NULL, "give the job as ?id=N");
    struct sm_job *job = NULL;
    rc = sm_job_get(web_store(req), id, &job, &diag);
    if (rc)
        return web_fail_err(req, rc, &diag);
    json_t *ctx = json_object();
    json_t *jo = job_json(req, job);
    int bad = !ctx || !jo || json_object_set_new(ctx, "job", jo);
    if (!bad && (job->state == SM_JOB_QUEUED || job->state == SM_JOB_RUNNING))
        bad |= json_object_set_new(ctx, "refresh", json_integer(2));
    if (!bad && job->kind == SM_JOB_GUIDELINE) {
        struct sm_guideline_list *list = NULL;
        if (sm_guideline_list(web_store(req), &list, NULL) == SM_OK) {
            for (size_t i = 0; i < list->n; i++)
                if (list->items[i].id == job->target_id)
                    bad |= json_object_set_new(ctx, "guideline_title",
                                               json_string(list->items[i].title));
            sm_guideline_list_free(list);
        }
    }
    sm_job_free(job);
    rc = bad ? SM_ENOMEM : page_common(ctx, NULL);
    if (!rc)
        rc = web_render(req, 200, "commons_job.html", "commons.job.title", ctx);
    json_decref(ctx);
    return rc;
}

/* Reads a urlencoded form and checks its CSRF field against the session. Returns SM_OK
 * with *form filled, or answers (and returns the code to give back). */
static int checked_form(struct web_request *req, const struct sm_session *s,
                        struct web_params *form)
{
    struct sm_diag diag;
    sm_diag_clear(&diag);
    int rc = web_form(req, form, &diag);
    if (rc)
        return web_fail_err(req, rc, &diag);
    if (!web_csrf_ok(s, web_params_get(form, "csrf")))
        return web_fail(req, 403, "error.csrf", "the csrf field does not match the session");
    return SM_OK;
}

int route_workspace_analyse(struct web_request *req)
{
    struct sm_diag diag;
    sm_diag_clear(&diag);
    const struct sm_session *s = NULL;
    struct web_params form;
    int rc = web_gate(req, ANALYSTS, &s);
    if (rc || !s)
        return rc;
    if ((rc = checked_form(req, s, &form)))
        return rc;
    const char *which = web_params_get(&form, "guideline");
    int64_t id = 0;
    enum sm_job_kind kind = SM_JOB_GUIDELINE;
    if (which && strcmp(which, "all") == 0)
        kind = SM_JOB_ALL;
    else if (!web_parse_id(which, &id))
        return web_fail(req, 400, NULL, "give guideline=ID or guideline=all");
    struct sm_actor actor = web_actor(s);
    int64_t job = 0;
    rc = sm_job_add(web_store(req), &actor, kind, id, &job, &diag);
    if (rc)
        return web_fail_err(req, rc, &diag);
    web_commons_wake(req->app);
    char location[64];
    snprintf(location, sizeof location, "/workspace/job?id=%lld", (long long)job);
    return web_redirect(req, location);
}

int route_workspace_delete(struct web_request *req)
{
    struct sm_diag diag;
    sm_diag_clear(&diag);
    const struct sm_session *s = NULL;
    struct web_params form;
    int rc = web_gate(req, ANALYSTS, &s);
    if (rc || !s)
        return rc;
    if ((rc = checked_form(req, s, &form)))
        return rc;
    int64_t id = 0;
    if (!web_parse_id(web_params_get(&form, "guideline"), &id))
        return web_fail(req, 400, NULL, "give guideline=ID");
    struct sm_actor actor = web_actor(s);
    rc = sm_guideline_delete(web_store(req), &actor, id, &diag);
    if (rc)
        return web_fail_err(req, rc, &diag);
    return web_redirect(req, "/workspace");
}

/* --- the matrix -------------------------------------------------------------------------- */

int route_workspace_matrix(struct web_request *req)
{
    struct sm_diag diag;
    sm_diag_clear(&diag);
    const struct sm_session *s = NULL;
    int rc = web_gate(req, ANALYSTS, &s);
    if (rc || !s)
        return rc;
    struct sm_criterion c;
    const char *bad_criterion = NULL;
    if ((rc = criterion_of(req, &c, &bad_criterion)))
        return rc;
    struct judged w;
    rc = judged_load(req, &c, &w, &diag);
    if (rc)
        return web_fail_err(req, rc, &diag);
    const struct sm_matrix *m = &w.data->m;
    const struct sm_catalog *cat = web_commons_catalog(req);
    json_t *ctx = json_object();
    int bad = !ctx;
    if (!bad)
        bad |= criterion_fields(req, ctx, &c, m->n_guidelines) != SM_OK;
    const char *cq = "";
    json_t *crit = ctx ? json_object_get(ctx, "criterion") : NULL;
    if (crit)
        cq = json_string_value(json_object_get(crit, "query"));
    json_t *gl = json_array(), *rows = json_array();
    bad |= !ctx || json_object_set_new(ctx, "guidelines", gl);
    bad |= !ctx || json_object_set_new(ctx, "rows", rows);
    for (size_t g = 0; gl && g < m->n_guidelines; g++)
        bad |= json_array_append_new(gl, json_pack("{s:I,s:s,s:s,s:b}", "id",
                                                   (json_int_t)m->guidelines[g].id, "industry",
                                                   m->guidelines[g].industry, "title",
                                                   m->guidelines[g].title, "analysed", 1));
    for (size_t i = 0; rows && i < m->n_items; i++) {
        const struct sm_check_item *it = sm_catalog_item(cat, i);
        char mean[16];
        snprintf(mean, sizeof mean, "%.2f", w.j->mean[i]);
        json_t *cells = json_array();
        json_t *row =
            json_pack("{s:s,s:s,s:s,s:i,s:b,s:i,s:I,s:s,s:o*}", "id", it->id, "title",
                      text_of(req, it->title_ja, it->title_en), "category", it->category, "stage",
                      it->stage, "common", w.j->common[i], "reference", w.j->reference[i],
                      "written", (json_int_t)w.j->written[i], "mean", mean, "cells", cells);
        bad |= !row || json_array_append_new(rows, row);
        for (size_t g = 0; cells && g < m->n_guidelines; g++) {
            const struct sm_cell *cell = &m->cells[i * m->n_guidelines + g];
            char cls[48], url[512], label[256];
            bool below = sm_judgement_below(w.j, m, i, g);
            snprintf(cls, sizeof cls, "cell %s%s%s",
                     cell->score < 0    ? "na"
                     : cell->score == 0 ? "s0"
                     : cell->score == 1 ? "s1"
                                        : "s2",
                     below ? " below" : "", cell->method == SM_METHOD_MANUAL ? " manual" : "");
            snprintf(url, sizeof url, "/workspace/cell?g=%lld&item=%s&criterion=%s",
                     (long long)m->guidelines[g].id, it->id, cq ? cq : "");
            snprintf(label, sizeof label, "%s / %.120s: %s%s", it->id, m->guidelines[g].title,
                     score_label(cell->score), cell->method == SM_METHOD_MANUAL ? " (manual)" : "");
            bad |= json_array_append_new(cells, json_pack("{s:s,s:s,s:s,s:s}", "score",
                                                          score_label(cell->score), "cls", cls,
                                                          "url", url, "label", label));
        }
    }
    size_t reviewed = 0, total = 0;
    sm_matrix_review_counts(m, &reviewed, &total);
    if (ctx) {
        bad |= json_object_set_new(ctx, "n_guidelines", json_integer((json_int_t)m->n_guidelines));
        bad |= json_object_set_new(ctx, "n_common", json_integer((json_int_t)w.j->n_common));
        bad |= json_object_set_new(ctx, "n_items", json_integer((json_int_t)m->n_items));
        bad |= json_object_set_new(ctx, "reviewed", json_integer((json_int_t)reviewed));
        bad |= json_object_set_new(ctx, "total", json_integer((json_int_t)total));
        if (bad_criterion)
            bad |= json_object_set_new(ctx, "criterion_error", json_string(bad_criterion));
    }
    judged_release(&w);
    rc = bad ? SM_ENOMEM : page_common(ctx, "nav_matrix");
    if (!rc)
        rc = web_render(req, bad_criterion ? 400 : 200, "commons_matrix.html",
                        "commons.matrix.title", ctx);
    json_decref(ctx);
    return rc;
}

/* --- one cell ------------------------------------------------------------------------------ */

int route_workspace_cell(struct web_request *req)
{
    struct sm_diag diag;
    sm_diag_clear(&diag);
    const struct sm_session *s = NULL;
    int rc = web_gate(req, ANALYSTS, &s);
    if (rc || !s)
        return rc;
    int64_t gid = 0;
    size_t item = 0;
    const struct sm_catalog *cat = web_commons_catalog(req);
    const char *item_id = web_query_get(req, "item");
    if (!web_parse_id(web_query_get(req, "g"), &gid) || !item_id ||
        !sm_catalog_find(cat, item_id, &item))
        return web_fail(req, 400, NULL, "give the cell as ?g=GUIDELINE&item=ITEM");
    struct sm_criterion c;
    const char *bad_criterion = NULL;
    if ((rc = criterion_of(req, &c, &bad_criterion)))
        return rc;
    struct judged w;
    rc = judged_load(req, &c, &w, &diag);
    if (rc)
        return web_fail_err(req, rc, &diag);
    const struct sm_matrix *m = &w.data->m;
    size_t g = find_guideline(m, gid);
    if (g == m->n_guidelines) {
        judged_release(&w);
        return web_fail(req, 404, "commons.cell.not_analysed", NULL);
    }
    const struct sm_check_item *it = sm_catalog_item(cat, item);
    const struct sm_cell *cell = &m->cells[item * m->n_guidelines + g];
    const struct sm_matrix_guideline *mg = &m->guidelines[g];
    json_t *ctx = json_object();
    json_t *ev = json_array();
    int bad = !ctx || !ev;
    for (size_t k = 0; ev && k < cell->n_evidence; k++) {
        const struct sm_evidence *e = &cell->evidence[k];
        bad |= json_array_append_new(
            ev, json_pack("{s:i,s:s,s:s,s:i}", "page", e->page, "text", e->text ? e->text : "",
                          "matched", e->matched ? e->matched : "", "score", e->score));
    }
    const char *back = web_query_get(req, "back");
    char self[512];
    json_t *crit_obj = NULL;
    if (!bad)
        bad |= criterion_fields(req, ctx, &c, m->n_guidelines) != SM_OK;
    if (!bad)
        crit_obj = json_object_get(ctx, "criterion");
    snprintf(self, sizeof self, "/workspace/cell?g=%lld&item=%s&criterion=%s", (long long)gid,
             it->id, crit_obj ? json_string_value(json_object_get(crit_obj, "query")) : "");
    if (!bad) {
        bad |= json_object_set_new(ctx, "evidence", ev);
        ev = NULL;
        bad |= json_object_set_new(ctx, "guideline",
                                   json_pack("{s:I,s:s,s:s,s:s}", "id", (json_int_t)mg->id,
                                             "industry", mg->industry, "publisher", mg->publisher,
                                             "title", mg->title));
        bad |= json_object_set_new(
            ctx, "item",
            json_pack("{s:s,s:s,s:s,s:s,s:i}", "id", it->id, "title",
                      text_of(req, it->title_ja, it->title_en), "description",
                      text_of(req, it->description_ja, it->description_en), "howto",
                      text_of(req, it->howto_ja, it->howto_en), "stage", it->stage));
        bad |= json_object_set_new(
            ctx, "cell",
            json_pack("{s:s,s:s,s:i,s:s,s:b,s:s,s:s?,s:b,s:b,s:i,s:b}", "score",
                      score_label(cell->score), "proposed", score_label(cell->auto_score),
                      "strength", cell->strength, "relation", sm_relation_name(cell->relation),
                      "manual", cell->method == SM_METHOD_MANUAL, "review",
                      web_text(req, cell->review == SM_REVIEW_ACCEPTED ? "commons.review.accepted"
                                    : cell->review == SM_REVIEW_REJECTED
                                        ? "commons.review.rejected"
                                        : "commons.review.proposed"),
                      "note", cell->note, "common", w.j->common[item], "below",
                      sm_judgement_below(w.j, m, item, g), "reference", w.j->reference[item],
                      "has_proposal", cell->auto_score >= 0));
        bad |= json_object_set_new(ctx, "csrf", json_string(s->csrf));
        bad |= json_object_set_new(ctx, "back", json_string(workspace_path(back) ? back : self));
    }
    json_decref(ev);
    judged_release(&w);
    rc = bad ? SM_ENOMEM : page_common(ctx, NULL);
    if (!rc)
        rc = web_render(req, 200, "commons_cell.html", "commons.cell.title", ctx);
    json_decref(ctx);
    return rc;
}

int route_workspace_review(struct web_request *req)
{
    struct sm_diag diag;
    sm_diag_clear(&diag);
    const struct sm_session *s = NULL;
    struct web_params form;
    int rc = web_gate(req, ANALYSTS, &s);
    if (rc || !s)
        return rc;
    if ((rc = checked_form(req, s, &form)))
        return rc;
    int64_t gid = 0;
    enum sm_review review;
    const char *item = web_params_get(&form, "item");
    if (!web_parse_id(web_params_get(&form, "g"), &gid) || !item || !*item ||
        sm_review_parse(web_params_get(&form, "review") ? web_params_get(&form, "review") : "",
                        &review) ||
        review == SM_REVIEW_PROPOSED)
        return web_fail(req, 400, NULL, "give g, item and review=accepted|rejected");
    struct sm_actor actor = web_actor(s);
    rc = sm_guideline_review(web_store(req), &actor, gid, item, review, &diag);
    if (rc)
        return web_fail_err(req, rc, &diag);
    const char *back = web_params_get(&form, "back");
    return web_redirect(req, workspace_path(back) ? back : "/workspace/queue");
}

int route_workspace_override(struct web_request *req)
{
    struct sm_diag diag;
    sm_diag_clear(&diag);
    const struct sm_session *s = NULL;
    struct web_params form;
    int rc = web_gate(req, ANALYSTS, &s);
    if (rc || !s)
        return rc;
    if ((rc = checked_form(req, s, &form)))
        return rc;
    int64_t gid = 0;
    int score = -1;
    const char *item = web_params_get(&form, "item");
    const char *sc = web_params_get(&form, "score");
    const char *note = web_params_get(&form, "note");
    if (!web_parse_id(web_params_get(&form, "g"), &gid) || !item || !*item || !sc ||
        (strcmp(sc, "clear") != 0 && !web_parse_int(sc, 0, 2, &score)))
        return web_fail(req, 400, NULL, "give g, item and score=0|1|2|clear");
    if (note && strlen(note) > NOTE_MAX)
        return web_fail(req, 400, NULL, "the note is longer than 2000 bytes");
    struct sm_actor actor = web_actor(s);
    rc = sm_guideline_override(web_store(req), &actor, gid, item, score, note, &diag);
    if (rc == SM_EINVAL)
        return web_fail(req, 400, "commons.override.error", diag.msg);
    if (rc)
        return web_fail_err(req, rc, &diag);
    const char *back = web_params_get(&form, "back");
    return web_redirect(req, workspace_path(back) ? back : "/workspace/matrix");
}

/* --- the review queue ---------------------------------------------------------------------- */

struct queued {
    size_t item, g;
    int strength;
};

static int by_strength(const void *a, const void *b)
{
    const struct queued *x = a, *y = b;
    if (x->strength != y->strength)
        return x->strength < y->strength ? -1 : 1;
    if (x->g != y->g)
        return x->g < y->g ? -1 : 1;
    return x->item < y->item ? -1 : x->item > y->item;
}

int route_workspace_queue(struct web_request *req)
{
    struct sm_diag diag;
    sm_diag_clear(&diag);
    const struct sm_session *s = NULL;
    int rc = web_gate(req, ANALYSTS, &s);
    if (rc || !s)
        return rc;
    struct sm_criterion c;
    const char *bad_criterion = NULL;
    if ((rc = criterion_of(req, &c, &bad_criterion)))
        return rc;
    struct judged w;
    rc = judged_load(req, &c, &w, &diag);
    if (rc)
        return web_fail_err(req, rc, &diag);
    const struct sm_matrix *m = &w.data->m;
    const struct sm_catalog *cat = web_commons_catalog(req);
    size_t n = 0, total = m->n_items * m->n_guidelines;
    struct queued *q = sm_calloc(total ? total : 1, sizeof *q);
    if (!q) {
        judged_release(&w);
        return SM_ENOMEM;
    }
    for (size_t i = 0; i < m->n_items; i++)
        for (size_t g = 0; g < m->n_guidelines; g++) {
            const struct sm_cell *cell = &m->cells[i * m->n_guidelines + g];
            if (cell->auto_score < 0 || cell->method == SM_METHOD_MANUAL ||
                cell->review != SM_REVIEW_PROPOSED)
                continue;
            q[n++] = (struct queued){ .item = i, .g = g, .strength = cell->strength };
        }
    qsort(q, n, sizeof *q, by_strength);
    json_t *ctx = json_object();
    json_t *rows = json_array();
    int bad = !ctx || !rows || json_object_set_new(ctx, "rows", rows);
    for (size_t k = 0; !bad && k < n && k < QUEUE_SHOWN; k++) {
        const struct sm_check_item *it = sm_catalog_item(cat, q[k].item);
        const struct sm_cell *cell = &m->cells[q[k].item * m->n_guidelines + q[k].g];
        const struct sm_matrix_guideline *mg = &m->guidelines[q[k].g];
        char url[256];
        snprintf(url, sizeof url, "/workspace/cell?g=%lld&item=%s&back=/workspace/queue",
                 (long long)mg->id, it->id);
        json_t *o =
            json_pack("{s:i,s:I,s:s,s:s,s:s,s:s,s:s,s:s,s:b}", "strength", cell->strength, "g",
                      (json_int_t)mg->id, "industry", mg->industry, "guideline", mg->title, "item",
                      it->id, "title", text_of(req, it->title_ja, it->title_en), "score",
                      score_label(cell->auto_score), "url", url, "common", w.j->common[q[k].item]);
        if (o && cell->n_evidence > 0)
            bad |= json_object_set_new(
                o, "evidence",
                json_pack("{s:i,s:s}", "page", cell->evidence[0].page, "text",
                          cell->evidence[0].text ? cell->evidence[0].text : ""));
        bad |= !o || json_array_append_new(rows, o);
    }
    if (!bad) {
        bad |= json_object_set_new(ctx, "n_unreviewed", json_integer((json_int_t)n));
        bad |= json_object_set_new(ctx, "shown",
                                   json_integer(n < QUEUE_SHOWN ? (json_int_t)n : QUEUE_SHOWN));
        bad |= json_object_set_new(ctx, "csrf", json_string(s->csrf));
    }
    sm_free(q);
    judged_release(&w);
    rc = bad ? SM_ENOMEM : page_common(ctx, "nav_queue");
    if (!rc)
        rc = web_render(req, 200, "commons_queue.html", "commons.queue.title", ctx);
    json_decref(ctx);
    return rc;
}

/* --- downloads ----------------------------------------------------------------------------- */

#define XLSX_TYPE "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

/* Removes every file of dir and dir itself. */
static void remove_dir(const char *dir)
{
    DIR *d = opendir(dir);
    if (d) {
        struct dirent *e;
        while ((e = readdir(d)) != NULL) {
            if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
                continue;
            char path[1024];
            snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
            unlink(path);
        }
        closedir(d);
    }
    rmdir(dir);
}

int web_export_download(struct web_request *req, const char *file, int64_t gid,
                        const struct sm_criterion *c)
{
    struct sm_diag diag;
    sm_diag_clear(&diag);
    struct judged w;
    int rc = judged_load(req, c, &w, &diag);
    if (rc)
        return web_fail_err(req, rc, &diag);
    const struct sm_matrix *m = &w.data->m;
    if (m->n_guidelines == 0) {
        judged_release(&w);
        return web_fail(req, 404, "commons.download.none", NULL);
    }
    size_t g = m->n_guidelines;
    bool per_guideline = strcmp(file, "feedback") == 0 || strcmp(file, "oscal-results") == 0;
    if (per_guideline && (g = find_guideline(m, gid)) == m->n_guidelines) {
        judged_release(&w);
        return web_fail(req, 404, "commons.cell.not_analysed", NULL);
    }
    char today[SM_DATE_SIZE];
    sm_date_today(today);
    struct sm_report r = {
        .catalog = web_commons_catalog(req), .matrix = m, .judgement = w.j, .generated_at = today
    };
    const char *tmp = getenv("TMPDIR");
    char dir[512], path[640], other[640], name[600];
    snprintf(dir, sizeof dir, "%s/smesec-dl-XXXXXX", tmp && *tmp ? tmp : "/tmp");
    if (!mkdtemp(dir)) {
        judged_release(&w);
        return web_fail(req, 500, NULL, "cannot make a temporary folder");
    }
    const char *type = NULL;
    other[0] = '\0';
    if (strcmp(file, "workbook") == 0) {
        snprintf(name, sizeof name, "workbook.xlsx");
        type = XLSX_TYPE;
    } else if (strcmp(file, "checksheet-xlsx") == 0) {
        snprintf(name, sizeof name, "checksheet.xlsx");
        type = XLSX_TYPE;
    } else if (strcmp(file, "checksheet-html") == 0) {
        snprintf(name, sizeof name, "checksheet.html");
        type = "text/html; charset=utf-8";
    } else if (strcmp(file, "examples") == 0) {
        snprintf(name, sizeof name, "examples.html");
        type = "text/html; charset=utf-8";
    } else if (strcmp(file, "discussion-items") == 0 || strcmp(file, "discussion-coverage") == 0) {
        snprintf(name, sizeof name, "%s.csv", file);
        type = "text/csv; charset=utf-8";
    } else if (strcmp(file, "discussion-md") == 0) {
        snprintf(name, sizeof name, "discussion.md");
        type = "text/markdown; charset=utf-8";
    } else if (strcmp(file, "feedback") == 0) {
        snprintf(name, sizeof name, "feedback-%lld-%.200s.html", (long long)gid,
                 m->guidelines[g].industry);
        type = "text/html; charset=utf-8";
    } else if (strcmp(file, "oscal-catalog") == 0) {
        snprintf(name, sizeof name, "oscal-catalog.json");
        type = "application/json";
    } else if (strcmp(file, "oscal-results") == 0) {
        snprintf(name, sizeof name, "oscal-results-%lld.json", (long long)gid);
        type = "application/json";
    }
    if (!type) {
        remove_dir(dir);
        judged_release(&w);
        return web_fail(req, 404, "commons.download.unknown", NULL);
    }
    /* The file in the folder has a plain name; the one the browser saves may have the
     * industry's name in it (Content-Disposition's filename*). */
    snprintf(path, sizeof path, "%s/out", dir);
    if (strcmp(file, "workbook") == 0)
        rc = sm_export_workbook(&r, path, &diag);
    else if (strcmp(file, "checksheet-xlsx") == 0)
        rc = sm_export_checksheet_xlsx(&r, path, &diag);
    else if (strcmp(file, "checksheet-html") == 0)
        rc = sm_export_checksheet_html(&r, path, &diag);
    else if (strcmp(file, "examples") == 0)
        rc = sm_export_examples_html(&r, path, &diag);
    else if (strcmp(file, "discussion-items") == 0 || strcmp(file, "discussion-coverage") == 0) {
        snprintf(other, sizeof other, "%s/other", dir);
        bool items = strcmp(file, "discussion-items") == 0;
        rc = sm_export_discussion_csv(&r, items ? path : other, items ? other : path, &diag);
    } else if (strcmp(file, "discussion-md") == 0)
        rc = sm_export_discussion_md(&r, path, &diag);
    else if (strcmp(file, "feedback") == 0)
        rc = sm_export_feedback_html(&r, g, path, &diag);
    else if (strcmp(file, "oscal-catalog") == 0)
        rc = sm_export_oscal_catalog(&r, path, &diag);
    else
        rc = sm_export_oscal_results(&r, g, path, &diag);
    judged_release(&w);
    if (!rc)
        rc = web_send_file(req, path, type, name);
    remove_dir(dir);
    if (rc && req->res.status == 0)
        return web_fail_err(req, rc, &diag);
    return rc;
}

int route_workspace_download(struct web_request *req)
{
    const struct sm_session *s = NULL;
    int rc = web_gate(req, ANALYSTS, &s);
    if (rc || !s)
        return rc;
    const char *file = web_query_get(req, "file");
    int64_t gid = 0;
    const char *g = web_query_get(req, "g");
    if (!file || (g && *g && !web_parse_id(g, &gid)))
        return web_fail(req, 400, NULL, "give ?file=NAME (and g=ID for a guideline's file)");
    struct sm_criterion c;
    const char *bad_criterion = NULL;
    if ((rc = criterion_of(req, &c, &bad_criterion)))
        return rc;
    if (bad_criterion)
        return web_fail(req, 400, NULL, bad_criterion);
    return web_export_download(req, file, gid, &c);
}

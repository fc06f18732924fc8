/*
 * Drafting support (策定支援) and the industry view, for industry associations (operators
 * may use them too), and the handbook (手引き), public:
 *
 *   GET  /drafting            the association's drafts and the form to add one
 *   POST /drafting/upload     a draft guideline (multipart, up to 50 MiB; or no file, to
 *                             start from none) and the stage aimed at; analysed in the
 *                             background
 *   GET  /drafting/view       the gap report against the common items, for a stage
 *   GET  /drafting/starter    the starter guideline, Markdown or print-ready HTML
 *   POST /drafting/delete     deletes a draft
 *   GET  /industry            the association's industry's guidelines against the common
 *                             reference (analysts and operators choose the industry)
 *   GET  /industry/feedback   the feedback report of one of them
 *   GET  /handbook            how to write an industry guideline from the common items
 *
 * A draft is private to the user who added it (an operator sees every draft); asking for
 * someone else's answers 404, so ids do not tell whose drafts exist. The gap report and the
 * starter are built by the library (smesec/drafting.h).
 */
#include "commons.h"
#include "routes.h"

#include "smesec/alloc.h"
#include "smesec/date.h"
#include "smesec/drafting.h"
#include "smesec/guideline.h"
#include "smesec/jobs.h"

#include <stdio.h>
#include <string.h>

#include "util/banned.h"

#define DRAFTERS (WEB_ROLE(SM_ROLE_ASSOCIATION) | WEB_ROLE(SM_ROLE_OPERATOR))
#define INDUSTRY_VIEWERS \
 (WEB_ROLE(SM_ROLE_ASSOCIATION) | WEB_ROLE(SM_ROLE_OPERATOR) | WEB_ROLE(SM_ROLE_ANALYST))
#define META_MAX 500

static const char *text_of(const struct web_request *req, const char *ja, const char *en)
{
    return req->lang == SM_LANG_EN && en && *en ? en : ja;
}

static int page_common(json_t *ctx)
{
    int bad = json_object_set_new(ctx, "stylesheet", json_string("commons.css"));
    bad |= json_object_set_new(ctx, "script", json_string("commons.js"));
    return bad ? SM_ENOMEM : SM_OK;
}

static const char *stage_key(int stage)
{
    static const char *const keys[] = { "selfcheck.stage.1", "selfcheck.stage.2",
                                        "selfcheck.stage.3" };
    return keys[stage >= 1 && stage <= 3 ? stage - 1 : 0];
}

static json_t *stage_options(struct web_request *req, int selected)
{
    json_t *a = json_array();
    for (int st = 1; a && st <= SM_STAGES; st++) {
        json_t *o = json_pack("{s:i,s:s,s:b}", "value", st, "label", web_text(req, stage_key(st)),
                              "selected", st == selected);
        if (!o || json_array_append_new(a, o)) {
            json_decref(a);
            return NULL;
        }
    }
    return a;
}

/* --- the list and the upload ------------------------------------------------------------- */

struct draft_values {
    const char *title, *industry;
    int stage;
};

static int render_drafting(struct web_request *req, const struct sm_session *s, int status,
                           const char *error, const char *detail, const struct draft_values *v)
{
    struct sm_diag diag;
    sm_diag_clear(&diag);
    struct sm_draft_list *list = NULL;
    bool operator= s->user->role == SM_ROLE_OPERATOR;
    int rc = sm_draft_list(web_store(req), operator? 0 : s->user->id, &list, &diag);
    if (rc)
        return web_fail_err(req, rc, &diag);
    json_t *ctx = json_object();
    json_t *drafts = json_array();
    int bad = !ctx || !drafts || json_object_set_new(ctx, "drafts", drafts);
    for (size_t i = 0; !bad && i < list->n; i++) {
        const struct sm_draft *d = &list->items[i];
        char created[SM_DATE_SIZE];
        sm_date_format(sm_date_from_unix(d->created_at), created);
        json_t *o = json_pack("{s:I,s:s,s:s,s:s?,s:s,s:s,s:i,s:b}", "id", (json_int_t)d->id,
                              "title", d->title, "industry", d->industry, "filename", d->filename,
                              "stage", web_text(req, stage_key(d->stage)), "created", created,
                              "pages", d->n_pages, "analysed", d->analysed_at != 0);
        bad |= !o || json_array_append_new(drafts, o);
    }
    sm_draft_list_free(list);
    if (!bad) {
        const char *industry = s->user->industry;
        bad |= json_object_set_new(ctx, "csrf", json_string(s->csrf));
        bad |= json_object_set_new(ctx, "operator", json_boolean(operator));
        bad |= json_object_set_new(ctx, "industry", web_json_str(industry));
        bad |= json_object_set_new(ctx, "no_industry", json_boolean(!operator&& !industry));
        bad |= json_object_set_new(ctx, "stages", stage_options(req, v && v->stage ? v->stage : 1));
        if (v)
            bad |= json_object_set_new(
                ctx, "form", json_pack("{s:s?,s:s?}", "title", v->title, "industry", v->industry));
        if (error)
            bad |= json_object_set_new(ctx, "error", json_string(web_text(req, error)));
        if (detail && *detail)
            bad |= json_object_set_new(ctx, "error_detail", json_string(detail));
    }
    rc = bad ? SM_ENOMEM : page_common(ctx);
    if (!rc)
        rc = web_render(req, status, "commons_drafting.html", "commons.drafting.title", ctx);
    json_decref(ctx);
    return rc;
}

int route_drafting(struct web_request *req)
{
    const struct sm_session *s = NULL;
    int rc = web_gate(req, DRAFTERS, &s);
    if (rc || !s)
        return rc;
    return render_drafting(req, s, 200, NULL, NULL, NULL);
}

int route_drafting_upload(struct web_request *req)
{
    struct sm_diag diag;
    sm_diag_clear(&diag);
    const struct sm_session *s = NULL;
    int rc = web_gate(req, DRAFTERS, &s);
    if (rc || !s)
        return rc;
    struct web_multipart mp;
    rc = web_multipart(req, &mp, &diag);
    if (rc)
        return web_fail_err(req, rc, &diag);
    const char *csrf = NULL, *stage_text = NULL;
    struct draft_values v = { 0 };
    if (web_multipart_text(&req->arena, &mp, "csrf", 128, &csrf, &diag) || !web_csrf_ok(s, csrf))
        return web_fail(req, 403, "error.csrf", "the csrf field does not match the session");
    if ((rc = web_multipart_text(&req->arena, &mp, "title", META_MAX, &v.title, &diag)) ||
        (rc = web_multipart_text(&req->arena, &mp, "industry", META_MAX, &v.industry, &diag)) ||
        (rc = web_multipart_text(&req->arena, &mp, "stage", 8, &stage_text, &diag)))
        return render_drafting(req, s, 400, "commons.upload.error.fields", diag.msg, &v);
    if (!web_parse_int(stage_text, 1, 3, &v.stage))
        return render_drafting(req, s, 400, "commons.drafting.error.stage", NULL, &v);
    /* An association drafts for its own industry; an operator says which. */
    const char *industry = s->user->role == SM_ROLE_OPERATOR ? v.industry : s->user->industry;
    if (!industry || !*industry)
        return render_drafting(req, s, 400, "commons.drafting.error.industry", NULL, &v);
    const struct web_part *file = web_multipart_get(&mp, "file");
    /* No file chosen (an empty file name) starts from none; an empty file with a name goes
     * to the reader, which refuses it with its reason. */
    bool has_file = file && file->filename && *file->filename;
    struct sm_draft_meta meta = {
        .industry = industry,
        .title = v.title && *v.title ? v.title : (has_file ? file->filename : NULL),
        .filename = has_file ? file->filename : NULL,
        .stage = v.stage,
    };
    if (!meta.title)
        return render_drafting(req, s, 400, "commons.drafting.error.title", NULL, &v);
    struct sm_document *doc = NULL;
    if (has_file) {
        web_store_put(req);
        struct sm_read_limits limits;
        sm_read_limits_init(&limits);
        limits.max_file_bytes = WEB_UPLOAD_MAX;
        rc = sm_document_read_mem(file->data, file->len, file->filename, SM_DOC_AUTO, &limits, &doc,
                                  &diag);
        if (rc)
            return render_drafting(req, s, web_upload_error_status(rc), web_upload_error_key(rc),
                                   diag.msg, &v);
    }
    struct sm_actor actor = web_actor(s);
    int64_t id = 0;
    rc = sm_draft_add(web_store(req), &actor, s->user->id, &meta, doc, &id, &diag);
    sm_document_free(doc);
    if (rc == SM_EINVAL)
        return render_drafting(req, s, 400, "commons.upload.error.fields", diag.msg, &v);
    if (!rc && has_file) {
        rc = sm_job_add(web_store(req), &actor, SM_JOB_DRAFT, id, NULL, &diag);
        web_commons_wake(req->app);
    }
    if (rc)
        return web_fail_err(req, rc, &diag);
    char location[64];
    snprintf(location, sizeof location, "/drafting/view?id=%lld", (long long)id);
    return web_redirect(req, location);
}

/* The draft of ?id= (or the form's id) that s may see; answers 404 otherwise. */
static int own_draft(struct web_request *req, const struct sm_session *s, const char *id_text,
                     struct sm_draft **out)
{
    struct sm_diag diag;
    sm_diag_clear(&diag);
    int64_t id = 0;
    *out = NULL;
    if (!web_parse_id(id_text, &id))
        return web_fail(req, 400, NULL, "give the draft as id=N");
    int rc = sm_draft_get(web_store(req), id, out, &diag);
    if (rc == SM_ENOTFOUND ||
        (!rc && s->user->role != SM_ROLE_OPERATOR && (*out)->user_id != s->user->id)) {
        sm_draft_free(*out);
        *out = NULL;
        return web_fail(req, 404, "commons.drafting.not_found", NULL);
    }
    if (rc)
        return web_fail_err(req, rc, &diag);
    return SM_OK;
}

/* The stage of ?stage=, else the draft's. */
static int stage_of(struct web_request *req, const struct sm_draft *d)
{
    int stage = 0;
    if (web_parse_int(web_query_get(req, "stage"), 1, 3, &stage))
        return stage;
    return d->stage;
}

static const char *category_name(struct web_request *req, const struct sm_catalog *cat,
                                 const char *id)
{
    const struct sm_category *c = sm_catalog_find_category(cat, id);
    return c ? text_of(req, c->name_ja, c->name_en) : id;
}

static const char *score_text(int score)
{
    static const char *const labels[] = { "0", "1", "2" };
    return score >= 0 && score <= 2 ? labels[score] : "—";
}

int route_drafting_view(struct web_request *req)
{
    struct sm_diag diag;
    sm_diag_clear(&diag);
    const struct sm_session *s = NULL;
    int rc = web_gate(req, DRAFTERS, &s);
    if (rc || !s)
        return rc;
    struct sm_draft *d = NULL;
    if ((rc = own_draft(req, s, web_query_get(req, "id"), &d)) || !d)
        return rc;
    int stage = stage_of(req, d);
    json_t *ctx = json_object();
    int bad = !ctx;
    char created[SM_DATE_SIZE];
    sm_date_format(sm_date_from_unix(d->created_at), created);
    if (!bad)
        bad |= json_object_set_new(ctx, "draft",
                                   json_pack("{s:I,s:s,s:s,s:s?,s:i,s:s,s:i}", "id",
                                             (json_int_t)d->id, "title", d->title, "industry",
                                             d->industry, "filename", d->filename, "pages",
                                             d->n_pages, "created", created, "stage", stage));
    /* A draft with pages is waiting for, or failed, its analysis until it has scores. */
    bool waiting = false;
    if (!bad && d->n_pages > 0 && d->analysed_at == 0) {
        struct sm_job *job = NULL;
        if (sm_job_latest(web_store(req), SM_JOB_DRAFT, d->id, &job, NULL) == SM_OK) {
            if (job->state == SM_JOB_FAILED)
                bad |= json_object_set_new(ctx, "job_failed", web_json_str(job->reason));
            else
                waiting = true;
            sm_job_free(job);
        } else {
            waiting = true;
        }
    }
    if (!bad && waiting) {
        bad |= json_object_set_new(ctx, "waiting", json_true());
        bad |= json_object_set_new(ctx, "refresh", json_integer(2));
    }
    struct sm_common_ref *ref = NULL;
    struct sm_gap_report *r = NULL;
    if (!bad && !waiting) {
        rc = sm_common_ref_load(web_store(req), web_commons_catalog(req), NULL, &ref, &diag);
        if (!rc)
            rc = sm_gap_report_build(ref, d, stage, &r);
        if (rc) {
            sm_common_ref_free(ref);
            sm_draft_free(d);
            json_decref(ctx);
            return web_fail_err(req, rc, &diag);
        }
        json_t *rows = json_array();
        bad |= !rows || json_object_set_new(ctx, "rows", rows);
        for (size_t i = 0; !bad && i < r->n_rows; i++) {
            const struct sm_gap_row *row = &r->rows[i];
            const char *status = !row->gap        ? "commons.gap.covered"
                                 : row->score > 0 ? "commons.gap.below"
                                                  : "commons.gap.missing";
            json_t *o = json_pack(
                "{s:s,s:s,s:s,s:i,s:i,s:s,s:b,s:s,s:s,s:s}", "id", row->check->id, "title",
                text_of(req, row->check->title_ja, row->check->title_en), "category",
                category_name(req, web_commons_catalog(req), row->check->category), "stage",
                row->check->stage, "reference", row->reference, "score",
                r->has_draft ? score_text(row->score) : "—", "gap", row->gap, "status",
                web_text(req, status), "status_class", row->gap ? "failed" : "done", "example",
                row->example);
            if (o && row->evidence)
                bad |= json_object_set_new(
                    o, "evidence",
                    json_pack("{s:i,s:s}", "page", row->page, "text", row->evidence));
            bad |= !o || json_array_append_new(rows, o);
        }
        struct sm_buf words;
        sm_buf_init(&words, 4096);
        if (!bad && !ref->fallback &&
            sm_criterion_describe(&ref->criterion, ref->n_guidelines, req->lang, &words) == SM_OK)
            bad |= json_object_set_new(ctx, "criterion_words", json_string(words.data));
        sm_buf_release(&words);
        if (!bad) {
            bad |= json_object_set_new(
                ctx, "report",
                json_pack("{s:i,s:i,s:i,s:i,s:b,s:b,s:i}", "n_rows", (int)r->n_rows, "gaps",
                          (int)r->n_gaps, "missing", (int)r->n_missing, "covered",
                          (int)(r->n_rows - r->n_gaps), "has_draft", r->has_draft, "fallback",
                          r->fallback, "guidelines", (int)r->n_guidelines));
            bad |= json_object_set_new(ctx, "stage_label",
                                       json_string(web_text(req, stage_key(stage))));
            bad |= json_object_set_new(ctx, "has_rows", json_boolean(r->n_rows > 0));
        }
    }
    if (!bad) {
        bad |= json_object_set_new(ctx, "stages", stage_options(req, stage));
        bad |= json_object_set_new(ctx, "csrf", json_string(s->csrf));
    }
    sm_gap_report_free(r);
    sm_common_ref_free(ref);
    sm_draft_free(d);
    rc = bad ? SM_ENOMEM : page_common(ctx);
    if (!rc)
        rc = web_render(req, 200, "commons_draft.html", "commons.draft.title", ctx);
    json_decref(ctx);
    return rc;
}

int route_drafting_starter(struct web_request *req)
{
    struct sm_diag diag;
    sm_diag_clear(&diag);
    const struct sm_session *s = NULL;
    int rc = web_gate(req, DRAFTERS, &s);
    if (rc || !s)
        return rc;
    const char *format = web_query_get(req, "format");
    bool html = format && strcmp(format, "html") == 0;
    if (!format || (!html && strcmp(format, "md") != 0))
        return web_fail(req, 400, NULL, "give format=md or format=html");
    struct sm_draft *d = NULL;
    if ((rc = own_draft(req, s, web_query_get(req, "id"), &d)) || !d)
        return rc;
    int stage = stage_of(req, d);
    struct sm_common_ref *ref = NULL;
    struct sm_gap_report *r = NULL;
    struct sm_buf out, ja, en;
    sm_buf_init(&out, 16u * 1024u * 1024u);
    sm_buf_init(&ja, 4096);
    sm_buf_init(&en, 4096);
    rc = sm_common_ref_load(web_store(req), web_commons_catalog(req), NULL, &ref, &diag);
    if (!rc)
        rc = sm_gap_report_build(ref, d, stage, &r);
    if (!rc && !ref->fallback) {
        rc = sm_criterion_describe(&ref->criterion, ref->n_guidelines, SM_LANG_JA, &ja);
        if (!rc)
            rc = sm_criterion_describe(&ref->criterion, ref->n_guidelines, SM_LANG_EN, &en);
    }
    char today[SM_DATE_SIZE], name[600];
    sm_date_today(today);
    struct sm_starter_info info = { .industry = d->industry,
                                    .generated_at = today,
                                    .criterion_ja = ja.data,
                                    .criterion_en = en.data };
    if (!rc)
        rc = html ? sm_starter_html(r, &info, &out) : sm_starter_markdown(r, &info, &out);
    snprintf(name, sizeof name, "guideline-starter-%.200s-stage%d.%s", d->industry, stage,
             html ? "html" : "md");
    if (!rc)
        rc = web_send_buf(req, &out,
                          html ? "text/html; charset=utf-8" : "text/markdown; charset=utf-8", name);
    sm_buf_release(&out);
    sm_buf_release(&ja);
    sm_buf_release(&en);
    sm_gap_report_free(r);
    sm_common_ref_free(ref);
    sm_draft_free(d);
    if (rc && req->res.status == 0)
        return web_fail_err(req, rc, &diag);
    return rc;
}

int route_drafting_delete(struct web_request *req)
{
    struct sm_diag diag;
    sm_diag_clear(&diag);
    const struct sm_session *s = NULL;
    int rc = web_gate(req, DRAFTERS, &s);
    if (rc || !s)
        return rc;
    struct web_params form;
    rc = web_form(req, &form, &diag);
    if (rc)
        return web_fail_err(req, rc, &diag);
    if (!web_csrf_ok(s, web_params_get(&form, "csrf")))
        return web_fail(req, 403, "error.csrf", "the csrf field does not match the session");
    struct sm_draft *d = NULL;
    if ((rc = own_draft(req, s, web_params_get(&form, "id"), &d)) || !d)
        return rc;
    struct sm_actor actor = web_actor(s);
    rc = sm_draft_delete(web_store(req), &actor, d->id, &diag);
    sm_draft_free(d);
    if (rc)
        return web_fail_err(req, rc, &diag);
    return web_redirect(req, "/drafting");
}

/* --- the industry view ------------------------------------------------------------------- */

int route_industry(struct web_request *req)
{
    struct sm_diag diag;
    sm_diag_clear(&diag);
    const struct sm_session *s = NULL;
    int rc = web_gate(req, INDUSTRY_VIEWERS, &s);
    if (rc || !s)
        return rc;
    bool association = s->user->role == SM_ROLE_ASSOCIATION;
    const char *industry = association ? s->user->industry : web_query_get(req, "industry");
    struct sm_matrix_data *data = NULL;
    struct sm_judgement *j = NULL;
    struct sm_criterion c;
    sm_criterion_default(&c);
    rc = sm_matrix_load(web_store(req), web_commons_catalog(req), &data, &diag);
    if (!rc)
        rc = sm_judge(&data->m, &c, &j);
    if (rc) {
        sm_matrix_data_free(data);
        return web_fail_err(req, rc, &diag);
    }
    const struct sm_matrix *m = &data->m;
    const struct sm_catalog *cat = web_commons_catalog(req);
    json_t *ctx = json_object();
    json_t *industries = json_array(), *guidelines = json_array();
    int bad = !ctx || !industries || !guidelines;
    if (!bad) {
        bad |= json_object_set_new(ctx, "industries", industries);
        bad |= json_object_set_new(ctx, "guidelines", guidelines);
    }
    /* The industries with analysed guidelines, for the chooser. */
    for (size_t g = 0; !bad && g < m->n_guidelines; g++) {
        bool seen = false;
        for (size_t k = 0; k < g && !seen; k++)
            seen = strcmp(m->guidelines[k].industry, m->guidelines[g].industry) == 0;
        if (!seen)
            bad |= json_array_append_new(
                industries,
                json_pack("{s:s,s:b}", "name", m->guidelines[g].industry, "selected",
                          industry && strcmp(industry, m->guidelines[g].industry) == 0));
    }
    size_t shown = 0;
    for (size_t g = 0; !bad && industry && g < m->n_guidelines; g++) {
        const struct sm_matrix_guideline *mg = &m->guidelines[g];
        if (strcmp(mg->industry, industry) != 0)
            continue;
        shown++;
        json_t *rows = json_array();
        size_t met = 0, below = 0, missing = 0;
        for (size_t i = 0; rows && i < m->n_items; i++) {
            if (!j->common[i])
                continue;
            const struct sm_cell *cell = &m->cells[i * m->n_guidelines + g];
            const struct sm_check_item *it = sm_catalog_item(cat, i);
            const char *mark = cell->score < 0                  ? "—"
                               : cell->score >= j->reference[i] ? "○"
                               : cell->score > 0                ? "△"
                                                                : "×";
            met += cell->score >= 0 && cell->score >= j->reference[i];
            below += cell->score > 0 && cell->score < j->reference[i];
            missing += cell->score == 0;
            bad |= json_array_append_new(
                rows, json_pack("{s:s,s:s,s:i,s:s,s:s,s:b,s:s}", "id", it->id, "title",
                                text_of(req, it->title_ja, it->title_en), "reference",
                                j->reference[i], "score", score_text(cell->score), "mark", mark,
                                "manual", cell->method == SM_METHOD_MANUAL, "example",
                                it->example[it->stage >= 1 && it->stage <= 3 ? it->stage - 1 : 0]));
        }
        json_t *o = json_pack("{s:I,s:s,s:s,s:s,s:o*,s:i,s:i,s:i}", "id", (json_int_t)mg->id,
                              "title", mg->title, "publisher", mg->publisher, "version",
                              mg->version ? mg->version : "", "rows", rows, "met", (int)met,
                              "below", (int)below, "missing", (int)missing);
        bad |= !o || json_array_append_new(guidelines, o);
    }
    if (!bad) {
        struct sm_buf words;
        sm_buf_init(&words, 4096);
        if (sm_criterion_describe(&c, m->n_guidelines, req->lang, &words) == SM_OK)
            bad |= json_object_set_new(ctx, "criterion_words", json_string(words.data));
        sm_buf_release(&words);
        bad |= json_object_set_new(ctx, "industry", web_json_str(industry));
        bad |= json_object_set_new(ctx, "association", json_boolean(association));
        bad |= json_object_set_new(ctx, "shown", json_integer((json_int_t)shown));
        bad |= json_object_set_new(ctx, "n_common", json_integer((json_int_t)j->n_common));
        bad |= json_object_set_new(ctx, "n_guidelines", json_integer((json_int_t)m->n_guidelines));
    }
    sm_judgement_free(j);
    sm_matrix_data_free(data);
    rc = bad ? SM_ENOMEM : page_common(ctx);
    if (!rc)
        rc = web_render(req, 200, "commons_industry.html", "commons.industry.title", ctx);
    json_decref(ctx);
    return rc;
}

int route_industry_feedback(struct web_request *req)
{
    struct sm_diag diag;
    sm_diag_clear(&diag);
    const struct sm_session *s = NULL;
    int rc = web_gate(req, INDUSTRY_VIEWERS, &s);
    if (rc || !s)
        return rc;
    int64_t gid = 0;
    if (!web_parse_id(web_query_get(req, "g"), &gid))
        return web_fail(req, 400, NULL, "give the guideline as ?g=ID");
    if (s->user->role == SM_ROLE_ASSOCIATION) {
        /* An association gets the feedback on its own industry's guidelines only. */
        struct sm_guideline_list *list = NULL;
        rc = sm_guideline_list(web_store(req), &list, &diag);
        if (rc)
            return web_fail_err(req, rc, &diag);
        bool own = false;
        for (size_t i = 0; i < list->n; i++)
            if (list->items[i].id == gid)
                own = s->user->industry && strcmp(list->items[i].industry, s->user->industry) == 0;
        sm_guideline_list_free(list);
        if (!own)
            return web_fail(req, 404, "commons.cell.not_analysed", NULL);
    }
    struct sm_criterion c;
    sm_criterion_default(&c);
    return web_export_download(req, "feedback", gid, &c);
}

/* --- the handbook -------------------------------------------------------------------------- */

int route_handbook(struct web_request *req)
{
    json_t *ctx = json_object();
    if (!ctx)
        return SM_ENOMEM;
    int rc = page_common(ctx);
    if (!rc)
        rc = web_render(req, 200, "commons_handbook.html", "commons.handbook.title", ctx);
    json_decref(ctx);
    return rc;
}

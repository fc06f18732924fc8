/*
 * The feedback report for the industry that wrote one guideline (print-ready HTML): its
 * score on every common item against the item's reference score, and for each gap (an
 * analysed common item scoring below its reference, 0 included) the sentences found, the
 * analyst's note, and the example descriptions for the item's stage and the next one, so the
 * industry sees what to add.
 *
 * A cell that was not analysed (score -1) is neither met nor a gap; it is counted apart.
 */
#include "internal.h"

#include "smesec/alloc.h"
#include "smesec/catalog.h"
#include "smesec/commons.h"

#include <stdio.h>

#include "util/banned.h"

static const char *status_text(int score, int reference)
{
    if (score < 0)
        return "— 未分析";
    if (score == 0)
        return "× 記載なし";
    if (score < reference)
        return "△ 基準点未満";
    return "○ 基準点以上";
}

static int score_json(json_t *o, const char *key, int score)
{
    if (score < 0)
        return sm__jset_str(o, key, "—");
    return sm__jset_int(o, key, score);
}

static int row_json(const struct sm_report *r, size_t i, size_t g, json_t *rows)
{
    const struct sm_check_item *it = sm_catalog_item(r->catalog, i);
    const struct sm_cell *c = sm__cell(r, i, g);
    int ref = r->judgement->reference[i];
    json_t *o = json_object();
    if (!o)
        return SM_ENOMEM;
    int rc = sm__jset_str(o, "id", it->id);
    if (rc == SM_OK)
        rc = sm__jset_str(o, "title", it->title_ja);
    if (rc == SM_OK)
        rc = sm__jset_int(o, "stage", it->stage);
    if (rc == SM_OK)
        rc = score_json(o, "score", c->score);
    if (rc == SM_OK)
        rc = sm__jset_int(o, "reference", ref);
    if (rc == SM_OK)
        rc = sm__jset_bool(o, "below", c->score >= 0 && c->score < ref);
    if (rc == SM_OK)
        rc = sm__jset_bool(o, "manual", c->method == SM_METHOD_MANUAL);
    if (rc == SM_OK)
        rc = sm__jset_str(o, "status", status_text(c->score, ref));
    if (rc) {
        json_decref(o);
        return rc;
    }
    return sm__jpush(rows, o);
}

static int evidence_json(const struct sm_cell *c, json_t *o)
{
    json_t *arr = json_array();
    if (!arr)
        return SM_ENOMEM;
    int rc = SM_OK;
    for (size_t k = 0; k < c->n_evidence && rc == SM_OK; k++) {
        json_t *e = json_object();
        if (!e) {
            rc = SM_ENOMEM;
            break;
        }
        rc = sm__jset_int(e, "page", c->evidence[k].page);
        if (rc == SM_OK)
            rc = sm__jset_str(e, "text", c->evidence[k].text);
        if (rc == SM_OK)
            rc = sm__jpush(arr, e);
        else
            json_decref(e);
    }
    if (rc == SM_OK)
        rc = sm__jset_bool(o, "has_evidence", c->n_evidence > 0);
    if (rc) {
        json_decref(arr);
        return rc;
    }
    return sm__jset(o, "evidence", arr);
}

/* The example for the item's stage and, below stage 3, for the next stage. */
static int gap_examples_json(const struct sm_check_item *it, json_t *o)
{
    json_t *arr = json_array();
    if (!arr)
        return SM_ENOMEM;
    int rc = SM_OK;
    for (int s = it->stage; s <= it->stage + 1 && s <= SM_STAGES && rc == SM_OK; s++) {
        char label[96];
        snprintf(label, sizeof label,
                 s == it->stage ? "段階%dの記載例（この項目の出発点）"
                                : "段階%dの記載例（次の段階）",
                 s);
        json_t *e = json_object();
        if (!e) {
            rc = SM_ENOMEM;
            break;
        }
        rc = sm__jset_str(e, "label", label);
        if (rc == SM_OK)
            rc = sm__jset_str(e, "text", it->example[s - 1]);
        if (rc == SM_OK)
            rc = sm__jpush(arr, e);
        else
            json_decref(e);
    }
    if (rc) {
        json_decref(arr);
        return rc;
    }
    return sm__jset(o, "examples", arr);
}

static int gap_json(const struct sm_report *r, size_t i, size_t g, json_t *gaps)
{
    const struct sm_check_item *it = sm_catalog_item(r->catalog, i);
    const struct sm_cell *c = sm__cell(r, i, g);
    json_t *o = json_object();
    if (!o)
        return SM_ENOMEM;
    int rc = sm__jset_str(o, "id", it->id);
    if (rc == SM_OK)
        rc = sm__jset_str(o, "title", it->title_ja);
    if (rc == SM_OK)
        rc = sm__jset_str(o, "title_en", it->title_en);
    if (rc == SM_OK)
        rc = sm__jset_str(o, "category", sm__category_name(r, it->category));
    if (rc == SM_OK)
        rc = sm__jset_int(o, "stage", it->stage);
    if (rc == SM_OK)
        rc = sm__jset_int(o, "score", c->score);
    if (rc == SM_OK)
        rc = sm__jset_int(o, "reference", r->judgement->reference[i]);
    if (rc == SM_OK && c->note && c->note[0])
        rc = sm__jset_str(o, "note", c->note);
    if (rc == SM_OK)
        rc = evidence_json(c, o);
    if (rc == SM_OK)
        rc = gap_examples_json(it, o);
    if (rc) {
        json_decref(o);
        return rc;
    }
    return sm__jpush(gaps, o);
}

static int guideline_json(const struct sm_matrix_guideline *mg, json_t *ctx)
{
    json_t *o = json_object();
    if (!o)
        return SM_ENOMEM;
    int rc = sm__jset_str(o, "industry", mg->industry);
    if (rc == SM_OK)
        rc = sm__jset_str(o, "publisher", mg->publisher);
    if (rc == SM_OK)
        rc = sm__jset_str(o, "title", mg->title);
    if (rc == SM_OK)
        rc = sm__jset_str(o, "version", mg->version);
    if (rc == SM_OK)
        rc = sm__jset_int(o, "year", mg->year);
    if (rc) {
        json_decref(o);
        return rc;
    }
    return sm__jset(ctx, "guideline", o);
}

/* rows, gaps and summary for guideline g, common items in check-sheet order. */
static int body_json(const struct sm_report *r, size_t g, json_t *ctx)
{
    size_t *order = NULL;
    size_t n = 0;
    size_t met = 0, gaps_n = 0, unanalysed = 0;
    json_t *rows = json_array();
    json_t *gaps = json_array();
    json_t *summary = json_object();
    int rc = rows && gaps && summary ? SM_OK : SM_ENOMEM;
    if (rc == SM_OK)
        rc = sm__checksheet_order(r, &order, &n);
    for (size_t k = 0; k < n && rc == SM_OK; k++) {
        size_t i = order[k];
        int score = sm__cell(r, i, g)->score;
        rc = row_json(r, i, g, rows);
        if (score < 0) {
            unanalysed++;
        } else if (score < r->judgement->reference[i]) {
            gaps_n++;
            if (rc == SM_OK)
                rc = gap_json(r, i, g, gaps);
        } else {
            met++;
        }
    }
    if (rc == SM_OK)
        rc = sm__jset_int(summary, "common", (long long)n);
    if (rc == SM_OK)
        rc = sm__jset_int(summary, "met", (long long)met);
    if (rc == SM_OK)
        rc = sm__jset_int(summary, "gaps", (long long)gaps_n);
    if (rc == SM_OK)
        rc = sm__jset_int(summary, "unanalysed", (long long)unanalysed);
    sm_free(order);
    if (rc) {
        json_decref(rows);
        json_decref(gaps);
        json_decref(summary);
        return rc;
    }
    rc = sm__jset(ctx, "rows", rows);
    if (rc == SM_OK)
        rc = sm__jset(ctx, "gaps", gaps);
    else
        json_decref(gaps);
    if (rc == SM_OK)
        rc = sm__jset(ctx, "summary", summary);
    else
        json_decref(summary);
    return rc;
}

int sm_export_feedback_html(const struct sm_report *r, size_t g, const char *path,
                            struct sm_diag *diag)
{
    sm_diag_clear(diag);
    int rc = sm__report_check(r, diag);
    if (rc)
        return rc;
    if (g >= r->matrix->n_guidelines)
        return sm_diag_set(diag, SM_EINVAL, "cannot write feedback: no guideline %zu (of %zu)", g,
                           r->matrix->n_guidelines);
    struct sm__facts f;
    rc = sm__facts_init(&f, r, diag);
    if (rc)
        return rc;
    const struct sm_matrix_guideline *mg = &r->matrix->guidelines[g];
    struct sm_buf title;
    sm_buf_init(&title, SM__EXPORT_MAX);
    json_t *ctx = json_object();
    rc = ctx ? SM_OK : SM_ENOMEM;
    if (rc == SM_OK)
        rc = sm_buf_printf(&title, "共通項フィードバック: %s", mg->title ? mg->title : "");
    if (rc == SM_OK)
        rc = sm__facts_json(&f, ctx);
    if (rc == SM_OK)
        rc = sm__jset_str(ctx, "title", title.data);
    if (rc == SM_OK)
        rc = guideline_json(mg, ctx);
    if (rc == SM_OK)
        rc = body_json(r, g, ctx);
    if (rc == SM_OK)
        rc = sm__html_write("templates/feedback.html", ctx, path, diag);
    json_decref(ctx);
    sm_buf_release(&title);
    sm__facts_release(&f);
    return sm__fail(diag, rc, "the feedback", path);
}

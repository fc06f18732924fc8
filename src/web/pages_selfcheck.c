/*
 * The SME self-check (セルフチェック), public: no login, and nothing stored unless the SME
 * asks for it.
 *
 *   GET  /selfcheck             the check sheet of the common items as a form
 *   POST /selfcheck             the result (scored, not stored), with the forms below
 *   POST /selfcheck/save        keeps the answers under a private link, then goes there
 *   GET  /selfcheck/r/TOKEN     a kept result, with a form to delete it
 *   POST /selfcheck/delete      deletes a kept result
 *   POST /selfcheck/contribute  adds the scores, anonymously, to the peer comparison
 *
 * The answers travel in the result page's forms as one hidden field (the library's text
 * form, "GOV-01=done;..."), so saving or contributing needs nothing kept on the server in
 * between. Forms carry the double-submit CSRF token the login form uses (a cookie and a
 * field that must match), since there is no session to bind a token to.
 *
 * Scores, bands, the radar chart and the peers come from the library (smesec/selfcheck.h);
 * this file only turns them into page fields. Text that came from the SME never reaches the
 * page unescaped; the chart is the one raw insertion, built by the library with every text
 * escaped.
 */
#include "commons.h"
#include "routes.h"

#include "smesec/alloc.h"
#include "smesec/commons.h"
#include "smesec/date.h"
#include "smesec/selfcheck.h"

#include <stdio.h>
#include <string.h>

#include "util/banned.h"

#define ANSWERS_FIELD_MAX (64u * 1024u)

static const char *const answer_keys[SM_ANSWER_COUNT] = {
    "",
    "selfcheck.answer.done",
    "selfcheck.answer.partly",
    "selfcheck.answer.not_done",
    "selfcheck.answer.unknown",
    "selfcheck.answer.na",
};

/* The answers offered, in the order shown. */
static const enum sm_answer offered[] = { SM_ANSWER_DONE, SM_ANSWER_PARTLY, SM_ANSWER_NOT_DONE,
                                          SM_ANSWER_UNKNOWN, SM_ANSWER_NA };

static const char *text_of(const struct web_request *req, const char *ja, const char *en)
{
    return req->lang == SM_LANG_EN && en && *en ? en : ja;
}

static const char *category_name(const struct web_request *req, const struct sm_category *c)
{
    return text_of(req, c->name_ja, c->name_en);
}

static const char *stage_label(const struct web_request *req, int stage)
{
    static const char *const keys[] = { "selfcheck.stage.1", "selfcheck.stage.2",
                                        "selfcheck.stage.3" };
    return web_text(req, keys[stage >= 1 && stage <= 3 ? stage - 1 : 0]);
}

/* Common page fields: the stylesheet and script, and the basis of the questions. */
static int page_fields(json_t *ctx, const struct sm_common_ref *ref, size_t n_questions)
{
    int bad = json_object_set_new(ctx, "stylesheet", json_string("commons.css"));
    bad |= json_object_set_new(ctx, "script", json_string("commons.js"));
    bad |= json_object_set_new(ctx, "fallback", json_boolean(ref->fallback));
    bad |= json_object_set_new(ctx, "n_guidelines", json_integer((json_int_t)ref->n_guidelines));
    bad |= json_object_set_new(ctx, "n_common", json_integer((json_int_t)n_questions));
    return bad ? SM_ENOMEM : SM_OK;
}

/* The profile's select lists, with the given codes selected. */
static int profile_options(struct web_request *req, json_t *ctx,
                           const struct sm_selfcheck_profile *p)
{
    int rc = web_prefecture_options(req, ctx, "prefectures", p->prefecture);
    json_t *ind = json_array(), *sizes = json_array();
    if (rc || !ind || !sizes || json_object_set_new(ctx, "industries", ind) ||
        json_object_set_new(ctx, "sizes", sizes)) {
        json_decref(ind);
        json_decref(sizes);
        return rc ? rc : SM_ENOMEM;
    }
    for (size_t i = 0; i < sm_selfcheck_n_industries(); i++) {
        const struct sm_selfcheck_choice *c = sm_selfcheck_industry(i);
        char label[160];
        snprintf(label, sizeof label, "%s %s", c->code, text_of(req, c->name_ja, c->name_en));
        json_t *o = json_pack("{s:s,s:s,s:b}", "code", c->code, "name", label, "selected",
                              strcmp(p->industry, c->code) == 0);
        if (!o || json_array_append_new(ind, o))
            return SM_ENOMEM;
    }
    for (size_t i = 0; i < sm_selfcheck_n_sizes(); i++) {
        const struct sm_selfcheck_choice *c = sm_selfcheck_size(i);
        json_t *o = json_pack("{s:s,s:s,s:b}", "code", c->code, "name",
                              text_of(req, c->name_ja, c->name_en), "selected",
                              strcmp(p->size, c->code) == 0);
        if (!o || json_array_append_new(sizes, o))
            return SM_ENOMEM;
    }
    return SM_OK;
}

/* The sheet as categories > stages > questions, with answers checked where given. */
static json_t *sheet_json(struct web_request *req, const struct sm_selfcheck_sheet *sheet,
                          const enum sm_answer *answers)
{
    json_t *cats = json_array();
    if (!cats)
        return NULL;
    json_t *cat = NULL, *stages = NULL, *questions = NULL;
    const char *cat_id = NULL;
    int stage = 0;
    for (size_t i = 0; i < sheet->n; i++) {
        const struct sm_selfcheck_question *q = &sheet->q[i];
        if (!cat_id || strcmp(cat_id, q->check->category) != 0) {
            const struct sm_category *c =
                sm_catalog_find_category(sheet->catalog, q->check->category);
            stages = json_array();
            cat = json_pack("{s:s,s:s,s:o*}", "id", q->check->category, "name",
                            c ? category_name(req, c) : q->check->category, "stages", stages);
            if (!cat || json_array_append_new(cats, cat))
                goto fail;
            cat_id = q->check->category;
            stage = 0;
        }
        if (stage != q->check->stage) {
            questions = json_array();
            json_t *st = json_pack("{s:s,s:o*}", "label", stage_label(req, q->check->stage),
                                   "questions", questions);
            if (!st || json_array_append_new(stages, st))
                goto fail;
            stage = q->check->stage;
        }
        json_t *opts = json_array();
        json_t *jq =
            json_pack("{s:s,s:i,s:s,s:s,s:o*}", "id", q->check->id, "number", (int)i + 1,
                      "question", text_of(req, q->question_ja, q->question_en), "title",
                      text_of(req, q->check->title_ja, q->check->title_en), "options", opts);
        if (!jq || json_array_append_new(questions, jq))
            goto fail;
        for (size_t k = 0; k < sizeof offered / sizeof offered[0]; k++) {
            json_t *o = json_pack("{s:s,s:s,s:b}", "value", sm_answer_name(offered[k]), "label",
                                  web_text(req, answer_keys[offered[k]]), "checked",
                                  answers && answers[i] == offered[k]);
            if (!o || json_array_append_new(opts, o))
                goto fail;
        }
    }
    return cats;
fail:
    json_decref(cats);
    return NULL;
}

/* Loads the common reference and its sheet. */
static int load_sheet(struct web_request *req, struct sm_common_ref **ref,
                      struct sm_selfcheck_sheet **sheet, struct sm_diag *diag)
{
    *ref = NULL;
    *sheet = NULL;
    int rc = sm_common_ref_load(web_store(req), web_commons_catalog(req), NULL, ref, diag);
    if (!rc)
        rc = sm_selfcheck_sheet_new(*ref, sheet);
    if (rc) {
        sm_common_ref_free(*ref);
        *ref = NULL;
    }
    return rc;
}

/* Renders the form with status; answers (may be NULL) are checked, missing (may be NULL)
 * lists the unanswered questions in an alert. */
static int render_form(struct web_request *req, int status, const struct sm_common_ref *ref,
                       const struct sm_selfcheck_sheet *sheet, const enum sm_answer *answers,
                       const struct sm_selfcheck_profile *profile, json_t *missing)
{
    const char *csrf = NULL;
    int rc = web_public_csrf(req, &csrf);
    if (rc)
        return rc;
    json_t *ctx = json_object();
    json_t *cats = sheet_json(req, sheet, answers);
    if (!ctx || !cats) {
        json_decref(ctx);
        json_decref(cats);
        return SM_ENOMEM;
    }
    int bad = json_object_set_new(ctx, "categories", cats);
    bad |= json_object_set_new(ctx, "csrf_field", json_string(csrf));
    bad |= json_object_set_new(ctx, "n_questions", json_integer((json_int_t)sheet->n));
    if (missing) {
        bad |= json_object_set(ctx, "missing", missing);
        bad |= json_object_set_new(ctx, "missing_n",
                                   json_integer((json_int_t)json_array_size(missing)));
    }
    rc = bad ? SM_ENOMEM : page_fields(ctx, ref, sheet->n);
    if (!rc)
        rc = profile_options(req, ctx, profile);
    if (!rc)
        rc = web_render(req, status, "selfcheck_form.html", "selfcheck.title", ctx);
    json_decref(ctx);
    return rc;
}

int route_selfcheck_form(struct web_request *req)
{
    struct sm_diag diag;
    sm_diag_clear(&diag);
    struct sm_common_ref *ref = NULL;
    struct sm_selfcheck_sheet *sheet = NULL;
    int rc = load_sheet(req, &ref, &sheet, &diag);
    if (rc)
        return web_fail_err(req, rc, &diag);
    struct sm_selfcheck_profile profile;
    memset(&profile, 0, sizeof profile);
    /* A link from elsewhere may preselect the prefecture (?prefecture=13); a bad one is
     * ignored, not refused. */
    if (sm_selfcheck_profile_set(&profile, web_query_get(req, "prefecture"), NULL, NULL, NULL))
        memset(&profile, 0, sizeof profile);
    rc = render_form(req, 200, ref, sheet, NULL, &profile, NULL);
    sm_selfcheck_sheet_free(sheet);
    sm_common_ref_free(ref);
    return rc;
}

/* --- the result ------------------------------------------------------------------------ */

/* What a result page shows beyond the score. */
struct result_view {
    const struct sm_common_ref *ref; /* may be NULL for a kept result */
    const struct sm_selfcheck_sheet *sheet;
    const enum sm_answer *answers;
    struct sm_selfcheck_profile profile;
    const char *token;   /* a kept result's token, else NULL */
    int64_t created_at;  /* a kept result's time */
    bool contributed;    /* the scores were just contributed */
    const char *message; /* an alert to show (an error of a form on the page) */
};

/* Where to find Otasuketai services for a gap of kind help, for the SME's prefecture. */
static void services_url(const struct sm_selfcheck_profile *p, enum sm_selfcheck_help help,
                         char *out, size_t size)
{
    if (p->prefecture[0])
        snprintf(out, size, "/services?prefecture=%s%s", p->prefecture,
                 help == SM_HELP_INCIDENT ? "&onsite=1" : "");
    else
        snprintf(out, size, "/");
}

static json_t *gaps_json(struct web_request *req, const struct result_view *v)
{
    json_t *gaps = json_array();
    for (size_t i = 0; gaps && i < v->sheet->n; i++) {
        enum sm_answer a = v->answers[i];
        if (a == SM_ANSWER_DONE || a == SM_ANSWER_NA)
            continue;
        const struct sm_selfcheck_question *q = &v->sheet->q[i];
        const struct sm_check_item *it = q->check;
        json_t *g = json_pack("{s:s,s:s,s:s,s:s,s:s,s:s,s:s}", "id", it->id, "title",
                              text_of(req, it->title_ja, it->title_en), "question",
                              text_of(req, q->question_ja, q->question_en), "answer",
                              web_text(req, answer_keys[a]), "howto",
                              text_of(req, it->howto_ja, it->howto_en), "example",
                              it->example[it->stage >= 1 && it->stage <= 3 ? it->stage - 1 : 0],
                              "stage", stage_label(req, it->stage));
        if (!g || json_array_append_new(gaps, g)) {
            json_decref(gaps);
            return NULL;
        }
        if (q->help != SM_HELP_NONE) {
            char url[64];
            services_url(&v->profile, q->help, url, sizeof url);
            const char *key = q->help == SM_HELP_MONITORING
                                  ? (v->profile.prefecture[0] ? "selfcheck.help.monitoring"
                                                              : "selfcheck.help.monitoring_any")
                                  : (v->profile.prefecture[0] ? "selfcheck.help.incident"
                                                              : "selfcheck.help.incident_any");
            if (json_object_set_new(
                    g, "services",
                    json_pack("{s:s,s:s}", "url", url, "label", web_text(req, key)))) {
                json_decref(gaps);
                return NULL;
            }
        }
    }
    return gaps;
}

static json_t *answers_json(struct web_request *req, const struct result_view *v)
{
    json_t *list = json_array();
    for (size_t i = 0; list && i < v->sheet->n; i++) {
        const struct sm_selfcheck_question *q = &v->sheet->q[i];
        const struct sm_category *c =
            sm_catalog_find_category(v->sheet->catalog, q->check->category);
        json_t *o = json_pack("{s:i,s:s,s:s,s:s,s:i}", "number", (int)i + 1, "category",
                              c ? category_name(req, c) : q->check->category, "question",
                              text_of(req, q->question_ja, q->question_en), "answer",
                              web_text(req, answer_keys[v->answers[i]]), "points",
                              sm_answer_points(v->answers[i]));
        if (!o || json_array_append_new(list, o)) {
            json_decref(list);
            return NULL;
        }
    }
    return list;
}

static int render_result(struct web_request *req, const struct result_view *v)
{
    struct sm_diag diag;
    sm_diag_clear(&diag);
    struct sm_selfcheck_result *r = NULL;
    struct sm_selfcheck_peers *peers = NULL;
    struct sm_buf svg, answers_text;
    sm_buf_init(&svg, 256u * 1024u);
    sm_buf_init(&answers_text, ANSWERS_FIELD_MAX);
    json_t *ctx = json_object();
    const char *csrf = NULL;
    int rc = ctx ? SM_OK : SM_ENOMEM;
    if (!rc)
        rc = sm_selfcheck_score(v->sheet, v->answers, &r, &diag);
    if (!rc && v->profile.industry[0] && v->profile.size[0])
        rc =
            sm_selfcheck_peers(web_store(req), v->profile.industry, v->profile.size, &peers, &diag);
    if (!rc)
        rc = sm_selfcheck_radar_svg(r, peers, req->lang, &svg);
    if (!rc)
        rc = sm_selfcheck_answers_format(v->sheet, v->answers, &answers_text);
    if (!rc)
        rc = web_public_csrf(req, &csrf);
    if (rc)
        goto out;

    char band_title[48], band_advice[48];
    snprintf(band_title, sizeof band_title, "selfcheck.band.%s.title",
             sm_selfcheck_band_name(r->band));
    snprintf(band_advice, sizeof band_advice, "selfcheck.band.%s.advice",
             sm_selfcheck_band_name(r->band));
    int bad = json_object_set_new(ctx, "score", json_integer(r->score));
    bad |= json_object_set_new(ctx, "points", json_integer(r->points));
    bad |= json_object_set_new(ctx, "max_points", json_integer(r->max_points));
    bad |= json_object_set_new(ctx, "band", json_string(sm_selfcheck_band_name(r->band)));
    bad |= json_object_set_new(ctx, "band_title", json_string(web_text(req, band_title)));
    bad |= json_object_set_new(ctx, "band_advice", json_string(web_text(req, band_advice)));
    bad |= json_object_set_new(ctx, "radar_svg", json_string(svg.data ? svg.data : ""));
    bad |= json_object_set_new(ctx, "answers_text",
                               json_string(answers_text.data ? answers_text.data : ""));
    bad |= json_object_set_new(ctx, "csrf_field", json_string(csrf));
    bad |= json_object_set_new(ctx, "n_questions", json_integer((json_int_t)v->sheet->n));
    bad |= json_object_set_new(ctx, "prefecture", json_string(v->profile.prefecture));
    bad |= json_object_set_new(ctx, "industry", json_string(v->profile.industry));
    bad |= json_object_set_new(ctx, "size", json_string(v->profile.size));
    bad |= json_object_set_new(ctx, "contributed", json_boolean(v->contributed));
    if (v->message)
        bad |= json_object_set_new(ctx, "message", json_string(v->message));
    json_t *counts = json_array();
    bad |= json_object_set_new(ctx, "counts", counts);
    for (size_t k = 0; counts && k < sizeof offered / sizeof offered[0]; k++)
        bad |= json_array_append_new(counts, json_pack("{s:s,s:i}", "label",
                                                       web_text(req, answer_keys[offered[k]]), "n",
                                                       (int)r->counts[offered[k]]));
    bool with_peers = peers && peers->enough;
    json_t *cats = json_array();
    bad |= json_object_set_new(ctx, "categories", cats);
    for (size_t k = 0; cats && k < r->n_categories; k++) {
        const struct sm_selfcheck_category *c = &r->categories[k];
        json_t *o = json_pack("{s:s,s:i,s:i}", "name", category_name(req, c->category), "n",
                              (int)c->n_questions, "score", c->score);
        for (size_t p = 0; o && with_peers && p < peers->n_categories; p++) {
            if (strcmp(peers->categories[p].category, c->category->id) != 0)
                continue;
            char mean[32];
            snprintf(mean, sizeof mean, "%.1f", peers->categories[p].mean);
            bad |= json_object_set_new(o, "peer", json_string(mean));
        }
        bad |= !o || json_array_append_new(cats, o);
    }
    if (with_peers) {
        char mean[32];
        snprintf(mean, sizeof mean, "%.1f", peers->mean);
        bad |= json_object_set_new(ctx, "peers",
                                   json_pack("{s:i,s:s}", "n", (int)peers->n, "mean", mean));
    } else if (peers) {
        bad |= json_object_set_new(
            ctx, "peers_few",
            json_pack("{s:i,s:i}", "n", (int)peers->n, "min", SM_SELFCHECK_PEER_MIN));
    }
    json_t *gaps = gaps_json(req, v);
    json_t *all = answers_json(req, v);
    bad |= !gaps || !all;
    bad |= json_object_set_new(ctx, "gaps", gaps);
    bad |= json_object_set_new(ctx, "all_answers", all);
    char today[SM_DATE_SIZE];
    sm_date_today(today);
    bad |= json_object_set_new(ctx, "today", json_string(today));
    if (v->token) {
        char created[SM_DATE_SIZE], url[512];
        const char *host = web_header_get(req, "Host");
        sm_date_format(sm_date_from_unix(v->created_at), created);
        if (host && strpbrk(host, "<>\"' ") == NULL && strlen(host) < 200)
            snprintf(url, sizeof url, "%s://%s/selfcheck/r/%s",
                     req->app->config->secure_cookies ? "https" : "http", host, v->token);
        else
            snprintf(url, sizeof url, "/selfcheck/r/%s", v->token);
        bad |= json_object_set_new(
            ctx, "saved",
            json_pack("{s:s,s:s,s:s}", "token", v->token, "url", url, "created", created));
    }
    rc = bad ? SM_ENOMEM : SM_OK;
    if (!rc)
        rc = profile_options(req, ctx, &v->profile);
    if (!rc && v->ref)
        rc = page_fields(ctx, v->ref, v->sheet->n);
    else if (!rc) {
        bad = json_object_set_new(ctx, "stylesheet", json_string("commons.css"));
        bad |= json_object_set_new(ctx, "script", json_string("commons.js"));
        rc = bad ? SM_ENOMEM : SM_OK;
    }
    if (!rc)
        rc = web_render(req, 200, "selfcheck_result.html", "selfcheck.result.title", ctx);
out:
    if (rc && rc != SM_ENOMEM && req->res.status == 0)
        web_fail_err(req, rc, &diag);
    json_decref(ctx);
    sm_buf_release(&svg);
    sm_buf_release(&answers_text);
    sm_selfcheck_result_free(r);
    sm_selfcheck_peers_free(peers);
    return rc;
}

/* Reads the profile fields of a form; a bad value is a 400 with its reason. */
static int form_profile(const struct web_params *form, struct sm_selfcheck_profile *p,
                        struct sm_diag *diag)
{
    return sm_selfcheck_profile_set(p, web_params_get(form, "prefecture"),
                                    web_params_get(form, "industry"), web_params_get(form, "size"),
                                    diag);
}

int route_selfcheck_result(struct web_request *req)
{
    struct sm_diag diag;
    sm_diag_clear(&diag);
    struct web_params form;
    int rc = web_form(req, &form, &diag);
    if (rc)
        return web_fail_err(req, rc, &diag);
    if (!web_public_csrf_ok(req, web_params_get(&form, "csrf")))
        return web_fail(req, 403, "error.csrf", "the csrf field does not match the cookie");
    struct sm_selfcheck_profile profile;
    rc = form_profile(&form, &profile, &diag);
    if (rc)
        return web_fail_err(req, rc, &diag);
    struct sm_common_ref *ref = NULL;
    struct sm_selfcheck_sheet *sheet = NULL;
    rc = load_sheet(req, &ref, &sheet, &diag);
    if (rc)
        return web_fail_err(req, rc, &diag);
    enum sm_answer *answers = sm_calloc(sheet->n ? sheet->n : 1, sizeof *answers);
    json_t *missing = json_array();
    if (!answers || !missing) {
        rc = SM_ENOMEM;
        goto out;
    }
    for (size_t i = 0; i < sheet->n; i++) {
        char name[80];
        snprintf(name, sizeof name, "a-%s", sheet->q[i].check->id);
        const char *v = web_params_get(&form, name);
        if (v && *v && sm_answer_parse(v, &answers[i])) {
            rc = web_fail(req, 400, NULL, "an answer is not one of the choices");
            goto out;
        }
        if (answers[i] == SM_ANSWER_NONE &&
            json_array_append_new(missing, json_pack("{s:s,s:i,s:s}", "id", sheet->q[i].check->id,
                                                     "number", (int)i + 1, "question",
                                                     text_of(req, sheet->q[i].question_ja,
                                                             sheet->q[i].question_en)))) {
            rc = SM_ENOMEM;
            goto out;
        }
    }
    if (json_array_size(missing) > 0) {
        rc = render_form(req, 400, ref, sheet, answers, &profile, missing);
        goto out;
    }
    struct result_view v = { .ref = ref, .sheet = sheet, .answers = answers, .profile = profile };
    rc = render_result(req, &v);
out:
    json_decref(missing);
    sm_free(answers);
    sm_selfcheck_sheet_free(sheet);
    sm_common_ref_free(ref);
    return rc;
}

/* The answers of a result page's form, on the sheet of the items they name. */
static int form_answers(struct web_request *req, const struct web_params *form,
                        struct sm_selfcheck_sheet **sheet, enum sm_answer **answers,
                        struct sm_diag *diag)
{
    const char *text = web_params_get(form, "answers");
    if (!text || !*text)
        return sm_diag_set(diag, SM_EINVAL, "the form has no answers");
    int rc = sm_selfcheck_sheet_for_answers(web_commons_catalog(req), text, sheet, answers, diag);
    return rc == SM_EPARSE ? SM_EINVAL : rc;
}

int route_selfcheck_save(struct web_request *req)
{
    struct sm_diag diag;
    sm_diag_clear(&diag);
    struct web_params form;
    int rc = web_form(req, &form, &diag);
    if (rc)
        return web_fail_err(req, rc, &diag);
    if (!web_public_csrf_ok(req, web_params_get(&form, "csrf")))
        return web_fail(req, 403, "error.csrf", "the csrf field does not match the cookie");
    struct sm_selfcheck_profile profile;
    struct sm_selfcheck_sheet *sheet = NULL;
    enum sm_answer *answers = NULL;
    rc = form_profile(&form, &profile, &diag);
    if (!rc)
        rc = form_answers(req, &form, &sheet, &answers, &diag);
    char token[SM_TOKEN_SIZE];
    if (!rc)
        rc = sm_selfcheck_save(web_store(req), sheet, answers, &profile, req->now, token, &diag);
    sm_selfcheck_sheet_free(sheet);
    sm_free(answers);
    if (rc)
        return web_fail_err(req, rc, &diag);
    char location[96];
    snprintf(location, sizeof location, "/selfcheck/r/%s", token);
    return web_redirect(req, location);
}

int route_selfcheck_saved(struct web_request *req)
{
    struct sm_diag diag;
    sm_diag_clear(&diag);
    const char *token = req->path + strlen("/selfcheck/r/");
    struct sm_selfcheck_saved *saved = NULL;
    int rc = sm_selfcheck_load(web_store(req), web_commons_catalog(req), token, &saved, &diag);
    if (rc == SM_ENOTFOUND)
        return web_fail(req, 404, "selfcheck.error.not_found", NULL);
    if (rc)
        return web_fail_err(req, rc, &diag);
    /* A private page: not for search engines, whatever links to it. */
    rc = web_header_add(req, "X-Robots-Tag", "noindex, nofollow");
    struct result_view v = { .sheet = saved->sheet,
                             .answers = saved->answers,
                             .profile = saved->profile,
                             .token = token,
                             .created_at = saved->created_at };
    if (!rc)
        rc = render_result(req, &v);
    sm_selfcheck_saved_free(saved);
    return rc;
}

int route_selfcheck_delete(struct web_request *req)
{
    struct sm_diag diag;
    sm_diag_clear(&diag);
    struct web_params form;
    int rc = web_form(req, &form, &diag);
    if (rc)
        return web_fail_err(req, rc, &diag);
    if (!web_public_csrf_ok(req, web_params_get(&form, "csrf")))
        return web_fail(req, 403, "error.csrf", "the csrf field does not match the cookie");
    rc = sm_selfcheck_delete(web_store(req), web_params_get(&form, "token"), &diag);
    if (rc == SM_ENOTFOUND)
        return web_fail(req, 404, "selfcheck.error.not_found", NULL);
    if (rc)
        return web_fail_err(req, rc, &diag);
    json_t *ctx = json_pack("{s:s}", "stylesheet", "commons.css");
    if (!ctx)
        return SM_ENOMEM;
    rc = web_render(req, 200, "selfcheck_deleted.html", "selfcheck.deleted.title", ctx);
    json_decref(ctx);
    return rc;
}

int route_selfcheck_contribute(struct web_request *req)
{
    struct sm_diag diag;
    sm_diag_clear(&diag);
    struct web_params form;
    int rc = web_form(req, &form, &diag);
    if (rc)
        return web_fail_err(req, rc, &diag);
    if (!web_public_csrf_ok(req, web_params_get(&form, "csrf")))
        return web_fail(req, 403, "error.csrf", "the csrf field does not match the cookie");
    struct sm_selfcheck_profile profile;
    struct sm_selfcheck_sheet *sheet = NULL, *current = NULL;
    struct sm_common_ref *ref = NULL;
    enum sm_answer *answers = NULL;
    struct sm_selfcheck_result *result = NULL;
    const char *message = NULL;
    bool contributed = false;
    rc = form_profile(&form, &profile, &diag);
    if (!rc)
        rc = form_answers(req, &form, &sheet, &answers, &diag);
    if (!rc)
        rc = load_sheet(req, &ref, &current, &diag);
    if (rc)
        goto out;
    /* Peers are compared on the same questions: only answers to exactly today's sheet
     * are added. */
    bool same = current->n == sheet->n;
    for (size_t i = 0; same && i < sheet->n; i++)
        same = current->q[i].item == sheet->q[i].item;
    if (!profile.industry[0] || !profile.size[0])
        message = web_text(req, "selfcheck.error.profile_needed");
    else if (!same)
        message = web_text(req, "selfcheck.error.questions_changed");
    else {
        rc = sm_selfcheck_score(sheet, answers, &result, &diag);
        if (!rc)
            rc = sm_selfcheck_contribute(web_store(req), result, profile.industry, profile.size,
                                         req->now, &diag);
        if (rc)
            goto out;
        contributed = true;
    }
    struct result_view v = { .ref = same ? ref : NULL,
                             .sheet = sheet,
                             .answers = answers,
                             .profile = profile,
                             .contributed = contributed,
                             .message = message };
    rc = render_result(req, &v);
out:
    if (rc && req->res.status == 0 && rc != SM_ENOMEM)
        web_fail_err(req, rc, &diag);
    sm_selfcheck_result_free(result);
    sm_selfcheck_sheet_free(current);
    sm_selfcheck_sheet_free(sheet);
    sm_common_ref_free(ref);
    sm_free(answers);
    return rc;
}

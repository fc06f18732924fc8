/*
 * Case studies on the operators' side: drafted from a provider's periodic report or from a
 * user introduced at a webinar, sent to the provider, revised when the provider asks for
 * changes, and published once the provider has confirmed (see docs/registry.md).
 *
 *   GET  /operator/cases            every study with its state, and the drafting form
 *   POST /operator/cases/draft      drafts a study for the chosen service
 *   GET  /operator/case?id=N        a study: the provider's comment, the edit form, actions
 *   POST /operator/case             saves an edit (a draft, or one with changes requested)
 *   POST /operator/case/act         send to the provider, publish, unpublish
 *
 * The provider's side (confirm, ask for changes) is in pages_portal.c; the library keeps
 * each side to its own actions.
 */
#include "pages_portal.h"
#include "routes.h"

#include <stdio.h>
#include <string.h>

#include "util/banned.h"

static const enum sm_case_source sources[] = { SM_CASE_PROVIDER_REPORT, SM_CASE_WEBINAR,
                                               SM_CASE_OTHER };

static const char *opt(const struct web_reg *u, const char *name)
{
    const char *v = web_reg_field(u, name);
    return v != NULL && v[0] != '\0' ? v : NULL;
}

/* The case-study fields of a posted form; false when the service or source is not given. */
static bool case_from_form(const struct web_reg *u, struct sm_case_study_in *in)
{
    memset(in, 0, sizeof *in);
    const char *src = web_reg_field(u, "source");
    in->title = opt(u, "title");
    in->body = opt(u, "body");
    in->industry = opt(u, "industry");
    in->prefecture = opt(u, "prefecture");
    return web_reg_id(web_reg_field(u, "service_id"), &in->service_id) && src != NULL &&
           sm_case_source_parse(src, &in->source) == SM_OK;
}

/* Puts ctx.draft: the form's fields from in (NULL: empty), with the service, source and
 * prefecture options; services (may be NULL) are offered for a new draft. */
static int case_form(struct web_request *req, json_t *ctx, const struct sm_case_study_in *in,
                     const struct sm_registry_service_list *services)
{
    struct sm_case_study_in none = { .source = SM_CASE_PROVIDER_REPORT };
    if (in == NULL)
        in = &none;
    json_t *srcs = json_array(), *prefs = json_array(), *svcs = json_array();
    json_t *f = json_pack("{s:s,s:s,s:s,s:o,s:o,s:o}", "title", in->title ? in->title : "", "body",
                          in->body ? in->body : "", "industry", in->industry ? in->industry : "",
                          "sources", srcs, "prefectures", prefs, "services", svcs);
    if (f == NULL || json_object_set_new(ctx, "draft", f) != 0)
        return SM_ENOMEM;
    for (size_t i = 0; i < sizeof sources / sizeof sources[0]; i++) {
        const char *name = sm_case_source_name(sources[i]);
        json_t *o =
            json_pack("{s:s,s:s,s:b}", "value", name, "label", web_reg_label(req, "source", name),
                      "selected", in->source == sources[i]);
        if (o == NULL || json_array_append_new(srcs, o) != 0)
            return SM_ENOMEM;
    }
    const struct sm_geo *geo = req->app->geo;
    for (size_t i = 0; i < geo->n_prefectures; i++) {
        const struct sm_prefecture *p = &geo->prefectures[i];
        json_t *o =
            json_pack("{s:s,s:s,s:b}", "value", p->code, "label", web_reg_pref_name(req, p->code),
                      "selected", in->prefecture != NULL && strcmp(in->prefecture, p->code) == 0);
        if (o == NULL || json_array_append_new(prefs, o) != 0)
            return SM_ENOMEM;
    }
    for (size_t i = 0; services != NULL && i < services->n; i++) {
        const struct sm_registry_service_row *r = &services->items[i];
        char label[600];
        snprintf(label, sizeof label, "%s / %s (#%lld)", r->provider_name ? r->provider_name : "",
                 r->name ? r->name : "", (long long)r->id);
        char value[32];
        snprintf(value, sizeof value, "%lld", (long long)r->id);
        json_t *o = json_pack("{s:s,s:s,s:b}", "value", value, "label", label, "selected",
                              in->service_id == r->id);
        if (o == NULL || json_array_append_new(svcs, o) != 0)
            return SM_ENOMEM;
    }
    return SM_OK;
}

static int show_cases(struct web_request *req, const struct web_reg *u,
                      const struct sm_case_study_in *typed, int status, int rc_alert,
                      const struct sm_diag *alert_diag)
{
    struct sm_diag diag;
    sm_diag_clear(&diag);
    struct sm_case_study_list *list = NULL;
    struct sm_registry_service_list *services = NULL;
    int rc = sm_case_studies(web_store(req), &u->who, 0, &list, &diag);
    if (rc == SM_OK)
        rc = sm_registry_services(web_store(req), &u->who, 0, u->today, &services, &diag);
    if (rc != SM_OK) {
        sm_case_study_list_free(list);
        return web_fail_err(req, rc, &diag);
    }
    struct sm_case_study_in preset = { .source = SM_CASE_PROVIDER_REPORT };
    int64_t sid = 0;
    if (typed == NULL && web_reg_id(web_query_get(req, "service"), &sid)) {
        preset.service_id = sid;
        typed = &preset;
    }
    json_t *ctx = json_object(), *items = json_array();
    rc = ctx != NULL && items != NULL && json_object_set_new(ctx, "cases", items) == 0 ? SM_OK
                                                                                       : SM_ENOMEM;
    for (size_t i = 0; rc == SM_OK && i < list->n; i++) {
        json_t *o = web_reg_case(req, &list->items[i]);
        if (o == NULL || json_array_append_new(items, o) != 0)
            rc = SM_ENOMEM;
    }
    if (rc == SM_OK)
        rc = case_form(req, ctx, typed, services);
    sm_case_study_list_free(list);
    sm_registry_service_list_free(services);
    if (rc == SM_OK)
        rc = web_reg_notice(req, ctx);
    if (rc == SM_OK && rc_alert != SM_OK)
        rc = web_reg_alert(req, ctx, rc_alert, alert_diag);
    if (rc != SM_OK) {
        json_decref(ctx);
        return rc;
    }
    return web_reg_render(req, status, "operator_cases.html", "operator.cases.title", ctx);
}

int route_operator_cases(struct web_request *req)
{
    struct web_reg u;
    int rc = web_reg_gate(req, WEB_REG_OPERATOR, &u);
    if (rc != SM_OK || u.session == NULL)
        return rc;
    return show_cases(req, &u, NULL, 200, SM_OK, NULL);
}

int route_operator_case_draft(struct web_request *req)
{
    struct web_reg u;
    int rc = web_reg_post(req, WEB_REG_OPERATOR, &u);
    if (rc != SM_OK || u.session == NULL)
        return rc;
    struct sm_case_study_in in;
    struct sm_diag diag;
    sm_diag_clear(&diag);
    int64_t id = 0;
    if (!case_from_form(&u, &in)) {
        sm_diag_set(&diag, SM_EINVAL, "choose the service and the source");
        rc = SM_EINVAL;
    } else {
        rc = sm_case_study_draft(web_store(req), &u.who, &in, &id, &diag);
    }
    /* A service that does not exist is a choice the form offered no more: show it there. */
    if (web_reg_shown_in_form(rc) || rc == SM_ENOTFOUND)
        return show_cases(req, &u, &in, web_status_for(rc), rc == SM_ENOTFOUND ? SM_EINVAL : rc,
                          &diag);
    if (rc != SM_OK)
        return web_fail_err(req, rc, &diag);
    return web_reg_redirect(req, "/operator/case?id=%lld&done=drafted", (long long)id);
}

/* Finds study id in list, or NULL. */
static const struct sm_case_study *find_case(const struct sm_case_study_list *list, int64_t id)
{
    for (size_t i = 0; i < list->n; i++)
        if (list->items[i].id == id)
            return &list->items[i];
    return NULL;
}

static int show_case(struct web_request *req, const struct web_reg *u, int64_t id,
                     const struct sm_case_study_in *typed, int status, int rc_alert,
                     const struct sm_diag *alert_diag)
{
    struct sm_diag diag;
    sm_diag_clear(&diag);
    struct sm_case_study_list *list = NULL;
    int rc = sm_case_studies(web_store(req), &u->who, 0, &list, &diag);
    if (rc != SM_OK)
        return web_fail_err(req, rc, &diag);
    const struct sm_case_study *c = find_case(list, id);
    if (c == NULL) {
        sm_case_study_list_free(list);
        return web_fail(req, 404, NULL, "no such case study");
    }
    struct sm_case_study_in in = {
        .service_id = c->service_id,
        .source = c->source,
        .title = c->title,
        .body = c->body,
        .industry = c->industry,
        .prefecture = c->prefecture,
    };
    json_t *ctx = json_object();
    json_t *co = web_reg_case(req, c);
    rc = SM_ENOMEM;
    if (ctx != NULL && co != NULL) {
        rc = json_object_set_new(ctx, "case", co) == 0 ? SM_OK : SM_ENOMEM;
        co = NULL;
    }
    json_decref(co);
    if (rc == SM_OK)
        rc = case_form(req, ctx, typed != NULL ? typed : &in, NULL);
    sm_case_study_list_free(list);
    if (rc == SM_OK)
        rc = web_reg_notice(req, ctx);
    if (rc == SM_OK && rc_alert != SM_OK)
        rc = web_reg_alert(req, ctx, rc_alert, alert_diag);
    if (rc != SM_OK) {
        json_decref(ctx);
        return rc;
    }
    return web_reg_render(req, status, "operator_case.html", "operator.case.title", ctx);
}

int route_operator_case(struct web_request *req)
{
    struct web_reg u;
    int rc = web_reg_gate(req, WEB_REG_OPERATOR, &u);
    if (rc != SM_OK || u.session == NULL)
        return rc;
    int64_t id = 0;
    if (!web_reg_id(web_query_get(req, "id"), &id))
        return web_fail(req, 404, NULL, "give the case study as ?id=N");
    return show_case(req, &u, id, NULL, 200, SM_OK, NULL);
}

int route_operator_case_save(struct web_request *req)
{
    struct web_reg u;
    int rc = web_reg_post(req, WEB_REG_OPERATOR, &u);
    if (rc != SM_OK || u.session == NULL)
        return rc;
    int64_t id = 0;
    if (!web_reg_id(web_reg_field(&u, "id"), &id))
        return web_fail(req, 400, NULL, "the id field is not a case-study id");
    struct sm_case_study_in in;
    struct sm_diag diag;
    sm_diag_clear(&diag);
    if (!case_from_form(&u, &in)) {
        sm_diag_set(&diag, SM_EINVAL, "choose the service and the source");
        rc = SM_EINVAL;
    } else {
        rc = sm_case_study_edit(web_store(req), &u.who, id, &in, &diag);
    }
    if (web_reg_shown_in_form(rc))
        return show_case(req, &u, id, &in, web_status_for(rc), rc, &diag);
    if (rc != SM_OK)
        return web_fail_err(req, rc, &diag);
    return web_reg_redirect(req, "/operator/case?id=%lld&done=edited", (long long)id);
}

int route_operator_case_act(struct web_request *req)
{
    struct web_reg u;
    int rc = web_reg_post(req, WEB_REG_OPERATOR, &u);
    if (rc != SM_OK || u.session == NULL)
        return rc;
    int64_t id = 0;
    if (!web_reg_id(web_reg_field(&u, "id"), &id))
        return web_fail(req, 400, NULL, "the id field is not a case-study id");
    const char *action = web_reg_field(&u, "action");
    enum sm_case_action act;
    if (action == NULL || sm_case_action_parse(action, &act) != SM_OK ||
        (act != SM_CASE_SEND && act != SM_CASE_PUBLISH && act != SM_CASE_UNPUBLISH))
        return web_fail(req, 400, NULL, "action must be send, publish or unpublish");
    struct sm_diag diag;
    sm_diag_clear(&diag);
    rc = sm_case_study_act(web_store(req), &u.who, id, act, NULL, &diag);
    if (web_reg_shown_in_form(rc))
        return show_case(req, &u, id, NULL, web_status_for(rc), rc, &diag);
    if (rc != SM_OK)
        return web_fail_err(req, rc, &diag);
    const char *done = act == SM_CASE_SEND      ? "sent"
                       : act == SM_CASE_PUBLISH ? "published"
                                                : "unpublished";
    return web_reg_redirect(req, "/operator/case?id=%lld&done=%s", (long long)id, done);
}

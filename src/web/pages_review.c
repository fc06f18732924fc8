/*
 * The reviewers' pages (審査登録機関), for reviewers and operators:
 *
 *   GET  /review                    the queue of open applications (?all=1: every one)
 *   GET  /review/application?id=N   an application: content, the conformance report with
 *                                   the automatic results, a judgement form for each
 *                                   requirement left to a reviewer, and the decision
 *   POST /review/judge              records a judgement on one requirement
 *   POST /review/decide             approves, rejects or requests changes, with a note
 *   GET  /review/schedule           registrations due for renewal in 30/60/90 days, overdue
 *
 * The rules (an automatic failure cannot be judged a pass, approval needs every
 * requirement to pass, rejection needs a comment) are the library's; a refusal comes back
 * on the application page above its forms. An approval shows the registration number and
 * the renewal date the library gave the service.
 */
#include "pages_portal.h"
#include "routes.h"

#include <stdio.h>
#include <string.h>

#include "util/banned.h"

int route_review(struct web_request *req)
{
    struct web_reg u;
    int rc = web_reg_gate(req, WEB_REG_REVIEW, &u);
    if (rc != SM_OK || u.session == NULL)
        return rc;
    const char *all = web_query_get(req, "all");
    bool open_only = all == NULL || strcmp(all, "1") != 0;
    struct sm_diag diag;
    sm_diag_clear(&diag);
    struct sm_registry_application_list *list = NULL;
    rc = sm_registry_applications(web_store(req), &u.who, 0, open_only, &list, &diag);
    if (rc != SM_OK)
        return web_fail_err(req, rc, &diag);
    json_t *ctx = json_object(), *items = json_array();
    rc = ctx != NULL && items != NULL && json_object_set_new(ctx, "applications", items) == 0 &&
                 json_object_set_new(ctx, "open_only", json_boolean(open_only)) == 0
             ? SM_OK
             : SM_ENOMEM;
    for (size_t i = 0; rc == SM_OK && i < list->n; i++) {
        json_t *o = web_reg_application_row(req, &list->items[i]);
        if (o == NULL || json_array_append_new(items, o) != 0)
            rc = SM_ENOMEM;
    }
    sm_registry_application_list_free(list);
    if (rc == SM_OK)
        rc = web_reg_notice(req, ctx);
    if (rc != SM_OK) {
        json_decref(ctx);
        return rc;
    }
    return web_reg_render(req, 200, "review_queue.html", "review.queue.title", ctx);
}

/* The application page, with an alert for a refused judgement or decision. */
static int show_application(struct web_request *req, const struct web_reg *u, int64_t id,
                            int status, int rc_alert, const struct sm_diag *alert_diag)
{
    struct sm_diag diag;
    sm_diag_clear(&diag);
    struct sm_store *store = web_store(req);
    struct sm_registry_application *app = NULL;
    struct sm_registry_service *svc = NULL;
    int rc = sm_registry_application_get(store, &u->who, id, &app, &diag);
    if (rc == SM_OK)
        rc = sm_registry_service_get(store, &u->who, app->service_id, false, u->today, &svc, &diag);
    if (rc != SM_OK) {
        sm_registry_application_free(app);
        return web_fail_err(req, rc, &diag);
    }
    const char *kind = sm_app_kind_name(app->kind), *state = sm_app_state_name(app->state);
    bool open = app->state == SM_APP_SUBMITTED || app->state == SM_APP_UNDER_REVIEW ||
                app->state == SM_APP_CHANGES_REQUESTED;
    const char *status_name = sm_svc_status_name(svc->effective);
    json_t *ctx = json_object();
    json_t *a =
        json_pack("{s:I,s:I,s:I,s:s,s:s,s:s,s:s,s:s,s:o,s:o,s:o,s:o,s:s,s:o,s:b,s:b}", "id",
                  (json_int_t)app->id, "service_id", (json_int_t)app->service_id, "provider_id",
                  (json_int_t)app->provider_id, "provider_name",
                  app->provider_name != NULL ? app->provider_name : "", "kind_label",
                  web_reg_label(req, "kind", kind), "state", state, "state_label",
                  web_reg_label(req, "state", state), "kind", kind, "submitted_on",
                  web_reg_str(app->submitted_on), "submitted_by", web_reg_str(app->submitted_by),
                  "decided_by", web_reg_str(app->decided_by), "decision_comment",
                  web_reg_str(app->decision_comment), "decided_at",
                  web_reg_time(req, app->decided_at), "standard_version",
                  web_reg_str(app->standard_version), "open", open, "approvable", app->approvable);
    json_t *s =
        json_pack("{s:I,s:s,s:s,s:o,s:o,s:o,s:o,s:b}", "id", (json_int_t)svc->id, "status",
                  status_name, "status_label", web_reg_label(req, "status", status_name),
                  "registration_no", web_reg_str(svc->registration_no), "registered_on",
                  web_reg_str(svc->registered_on), "renewal_on", web_reg_str(svc->renewal_on),
                  "status_note", web_reg_str(svc->status_note), "listed", svc->listed);
    rc = SM_ENOMEM;
    if (ctx != NULL && a != NULL && s != NULL) {
        /* set_new takes each reference, also when it fails. */
        int bad = json_object_set_new(ctx, "application", a);
        bad |= json_object_set_new(ctx, "service", s);
        a = s = NULL;
        rc = bad ? SM_ENOMEM : SM_OK;
    }
    json_decref(a);
    json_decref(s);
    if (rc == SM_OK)
        rc = web_reg_content_view(req, ctx, &app->content);
    if (rc == SM_OK)
        rc = web_reg_checks(req, ctx, app);
    if (rc == SM_OK)
        rc = web_reg_notice(req, ctx);
    if (rc == SM_OK && rc_alert != SM_OK)
        rc = web_reg_alert(req, ctx, rc_alert, alert_diag);
    sm_registry_application_free(app);
    sm_registry_service_free(svc);
    if (rc != SM_OK) {
        json_decref(ctx);
        return rc;
    }
    return web_reg_render(req, status, "review_application.html", "review.application.title", ctx);
}

int route_review_application(struct web_request *req)
{
    struct web_reg u;
    int rc = web_reg_gate(req, WEB_REG_REVIEW, &u);
    if (rc != SM_OK || u.session == NULL)
        return rc;
    int64_t id = 0;
    if (!web_reg_id(web_query_get(req, "id"), &id))
        return web_fail(req, 404, NULL, "give the application as ?id=N");
    return show_application(req, &u, id, 200, SM_OK, NULL);
}

int route_review_judge(struct web_request *req)
{
    struct web_reg u;
    int rc = web_reg_post(req, WEB_REG_REVIEW, &u);
    if (rc != SM_OK || u.session == NULL)
        return rc;
    int64_t id = 0;
    if (!web_reg_id(web_reg_field(&u, "id"), &id))
        return web_fail(req, 400, NULL, "the id field is not an application id");
    const char *requirement = web_reg_field(&u, "requirement");
    const char *v = web_reg_field(&u, "verdict");
    enum sm_verdict verdict;
    struct sm_diag diag;
    sm_diag_clear(&diag);
    if (requirement == NULL || requirement[0] == '\0')
        return web_fail(req, 400, NULL, "give the requirement");
    if (v == NULL || sm_verdict_parse(v, &verdict) != SM_OK) {
        sm_diag_set(&diag, SM_EINVAL, "choose pass, fail or clear for '%s'", requirement);
        return show_application(req, &u, id, 400, SM_EINVAL, &diag);
    }
    const char *note = web_reg_field(&u, "note");
    if (note != NULL && note[0] == '\0')
        note = NULL;
    rc = sm_registry_judge(web_store(req), &u.who, id, requirement, verdict, note, &diag);
    if (web_reg_shown_in_form(rc))
        return show_application(req, &u, id, web_status_for(rc), rc, &diag);
    if (rc != SM_OK)
        return web_fail_err(req, rc, &diag);
    return web_reg_redirect(req, "/review/application?id=%lld&done=judged#judge-%s", (long long)id,
                            requirement);
}

int route_review_decide(struct web_request *req)
{
    struct web_reg u;
    int rc = web_reg_post(req, WEB_REG_REVIEW, &u);
    if (rc != SM_OK || u.session == NULL)
        return rc;
    int64_t id = 0;
    if (!web_reg_id(web_reg_field(&u, "id"), &id))
        return web_fail(req, 400, NULL, "the id field is not an application id");
    const char *d = web_reg_field(&u, "decision");
    enum sm_decision decision;
    struct sm_diag diag;
    sm_diag_clear(&diag);
    if (d == NULL || sm_decision_parse(d, &decision) != SM_OK) {
        sm_diag_set(&diag, SM_EINVAL, "choose a decision");
        return show_application(req, &u, id, 400, SM_EINVAL, &diag);
    }
    const char *comment = web_reg_field(&u, "comment");
    if (comment != NULL && comment[0] == '\0')
        comment = NULL;
    rc = sm_registry_decide(web_store(req), &u.who, id, decision, comment, u.today, &diag);
    if (web_reg_shown_in_form(rc))
        return show_application(req, &u, id, web_status_for(rc), rc, &diag);
    if (rc != SM_OK)
        return web_fail_err(req, rc, &diag);
    return web_reg_redirect(req, "/review/application?id=%lld&done=decided", (long long)id);
}

int route_review_schedule(struct web_request *req)
{
    struct web_reg u;
    int rc = web_reg_gate(req, WEB_REG_REVIEW, &u);
    if (rc != SM_OK || u.session == NULL)
        return rc;
    struct sm_diag diag;
    sm_diag_clear(&diag);
    struct sm_due_list *due = NULL;
    rc = sm_registry_due(web_store(req), u.today, &due, &diag);
    if (rc != SM_OK)
        return web_fail_err(req, rc, &diag);

    /* One table per bucket, most urgent first. */
    static const enum sm_due_bucket order[] = { SM_DUE_OVERDUE, SM_DUE_30, SM_DUE_60, SM_DUE_90 };

    json_t *ctx = json_object(), *buckets = json_array();
    rc = ctx != NULL && buckets != NULL && json_object_set_new(ctx, "buckets", buckets) == 0 &&
                 json_object_set_new(ctx, "today", json_string(u.today)) == 0 &&
                 json_object_set_new(ctx, "total", json_integer((json_int_t)due->n)) == 0
             ? SM_OK
             : SM_ENOMEM;
    for (size_t b = 0; rc == SM_OK && b < sizeof order / sizeof order[0]; b++) {
        const char *name = sm_due_bucket_name(order[b]);
        json_t *rows = json_array();
        json_t *bo = json_pack("{s:s,s:s,s:o}", "name", name, "label",
                               web_reg_label(req, "due", name), "rows", rows);
        if (bo == NULL || json_array_append_new(buckets, bo) != 0) {
            rc = SM_ENOMEM;
            break;
        }
        for (size_t i = 0; rc == SM_OK && i < due->n; i++) {
            const struct sm_due_row *r = &due->items[i];
            if (r->bucket != order[b])
                continue;
            json_t *o = json_pack("{s:I,s:s,s:s,s:o,s:s,s:i,s:b}", "service_id",
                                  (json_int_t)r->service_id, "provider_name", r->provider_name,
                                  "service_name", r->service_name, "registration_no",
                                  web_reg_str(r->registration_no), "renewal_on", r->renewal_on,
                                  "days_left", r->days_left, "renewal_open", r->renewal_open);
            if (o == NULL || json_array_append_new(rows, o) != 0)
                rc = SM_ENOMEM;
        }
        if (rc == SM_OK &&
            json_object_set_new(bo, "empty", json_boolean(json_array_size(rows) == 0)) != 0)
            rc = SM_ENOMEM;
    }
    sm_due_list_free(due);
    if (rc != SM_OK) {
        json_decref(ctx);
        return rc;
    }
    return web_reg_render(req, 200, "review_schedule.html", "review.schedule.title", ctx);
}

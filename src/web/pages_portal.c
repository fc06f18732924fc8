/*
 * The provider portal: what a provider's staff see and do, for their own provider only.
 *
 *   GET  /portal                       services, applications, what waits for them
 *   GET  /portal/service?id=N          a service: status, dates and the approved content
 *   GET  /portal/service/edit[?id=N]   the content form: a new service, or an edit
 *   POST /portal/service/edit          check against the standard, add device rows, or submit
 *   POST /portal/service/renew         apply for renewal with the approved content as it is
 *   GET  /portal/application?id=N      an application, its stored report and the decision
 *   POST /portal/application/withdraw  withdraw an open application
 *   GET  /portal/messages              renewal reminders and decisions
 *   POST /portal/messages/read         mark a message read
 *   GET  /portal/inquiries             SMEs' inquiries about its services
 *   GET  /portal/cases                 case-study drafts sent to it, and the published ones
 *   POST /portal/cases/act             confirm a draft, or ask for changes with a comment
 *   GET  /portal/profile, POST         its contact details
 *
 * Which provider is the session's (struct sm_user.provider_id); ids in URLs and forms name
 * services, applications, messages and case studies, and the library refuses (403) any that
 * belong to another provider. What a submitted change does: a new service becomes an
 * application; an edit of a registered service becomes a change application (or a renewal)
 * whose content stays hidden from the public until a reviewer approves it; an edit while
 * an application is still open amends that application.
 */
#include "pages_portal.h"
#include "routes.h"

#include <stdio.h>
#include <string.h>

#include "util/banned.h"

/* Empty device rows offered below the ones in use. */
#define SPARE_ROWS 2

/* The provider's own record, for the page header. */
static int provider_of(struct web_request *req, const struct web_reg *u, json_t *ctx)
{
    struct sm_provider_list *pl = NULL;
    struct sm_diag diag;
    sm_diag_clear(&diag);
    int rc = sm_registry_providers(web_store(req), u->who.provider_id, &pl, &diag);
    if (rc != SM_OK)
        return rc;
    const struct sm_provider *p = &pl->items[0];
    json_t *o = json_pack("{s:I,s:s,s:b}", "id", (json_int_t)p->id, "name", p->name, "fictitious",
                          p->fictitious);
    sm_provider_list_free(pl);
    return o != NULL && json_object_set_new(ctx, "provider", o) == 0 ? SM_OK : SM_ENOMEM;
}

/* --- the overview ------------------------------------------------------------------------ */

int route_portal(struct web_request *req)
{
    struct web_reg u;
    int rc = web_reg_gate(req, WEB_REG_PROVIDER, &u);
    if (rc != SM_OK || u.session == NULL)
        return rc;
    struct sm_store *store = web_store(req);
    struct sm_diag diag;
    sm_diag_clear(&diag);
    struct sm_registry_service_list *services = NULL;
    struct sm_registry_application_list *apps = NULL;
    struct sm_registry_message_list *messages = NULL;
    struct sm_case_study_list *cases = NULL;
    struct sm_inquiry_list *inquiries = NULL;
    json_t *ctx = json_object(), *svc = json_array(), *app = json_array();
    if (ctx == NULL || svc == NULL || app == NULL) {
        json_decref(svc);
        json_decref(app);
        json_decref(ctx);
        return SM_ENOMEM;
    }
    int bad = json_object_set_new(ctx, "services", svc);
    bad |= json_object_set_new(ctx, "applications", app);
    rc = bad ? SM_ENOMEM : provider_of(req, &u, ctx);
    if (rc == SM_OK)
        rc = web_reg_notice(req, ctx);
    if (rc == SM_OK)
        rc = sm_registry_services(store, &u.who, u.who.provider_id, u.today, &services, &diag);
    for (size_t i = 0; rc == SM_OK && i < services->n; i++) {
        json_t *o = web_reg_service_row(req, &services->items[i]);
        if (o == NULL || json_array_append_new(svc, o) != 0)
            rc = SM_ENOMEM;
    }
    if (rc == SM_OK)
        rc = sm_registry_applications(store, &u.who, u.who.provider_id, false, &apps, &diag);
    /* Newest first: the one just submitted is what the provider looks for. */
    for (size_t i = apps != NULL ? apps->n : 0; rc == SM_OK && i-- > 0;) {
        json_t *o = web_reg_application_row(req, &apps->items[i]);
        if (o == NULL || json_array_append_new(app, o) != 0)
            rc = SM_ENOMEM;
    }
    if (rc == SM_OK)
        rc = sm_registry_messages(store, &u.who, u.who.provider_id, &messages, &diag);
    if (rc == SM_OK)
        rc = sm_case_studies(store, &u.who, u.who.provider_id, &cases, &diag);
    if (rc == SM_OK)
        rc = sm_inquiries(store, &u.who, u.who.provider_id, &inquiries, &diag);
    if (rc == SM_OK) {
        size_t unread = 0, awaiting = 0;
        for (size_t i = 0; i < messages->n; i++)
            unread += messages->items[i].read_at == 0;
        for (size_t i = 0; i < cases->n; i++)
            awaiting += cases->items[i].state == SM_CASE_AWAITING_PROVIDER;
        bad = json_object_set_new(ctx, "unread", json_integer((json_int_t)unread));
        bad |= json_object_set_new(ctx, "awaiting", json_integer((json_int_t)awaiting));
        bad |= json_object_set_new(ctx, "n_inquiries", json_integer((json_int_t)inquiries->n));
        if (bad)
            rc = SM_ENOMEM;
    }
    sm_registry_service_list_free(services);
    sm_registry_application_list_free(apps);
    sm_registry_message_list_free(messages);
    sm_case_study_list_free(cases);
    sm_inquiry_list_free(inquiries);
    if (rc != SM_OK) {
        json_decref(ctx);
        return web_fail_err(req, rc, &diag);
    }
    return web_reg_render(req, 200, "portal_home.html", "portal.home.title", ctx);
}

/* --- a service ---------------------------------------------------------------------------- */

/* What an edit of svc submits. */
enum edit_mode {
    EDIT_NONE,    /* nothing can be submitted now */
    EDIT_NEW,     /* a new service */
    EDIT_AMEND,   /* the open application's content is replaced */
    EDIT_CHANGE,  /* a change to a registered service */
    EDIT_RENEWAL, /* a renewal, with the content as edited */
};

static enum edit_mode edit_mode_of(const struct sm_registry_service *svc)
{
    if (svc == NULL)
        return EDIT_NEW;
    if (svc->open_application != 0)
        return svc->open_state == SM_APP_SUBMITTED || svc->open_state == SM_APP_CHANGES_REQUESTED
                   ? EDIT_AMEND
                   : EDIT_NONE;
    switch (svc->effective) {
    case SM_SVC_REGISTERED:
    case SM_SVC_RENEWAL_DUE:
        return EDIT_CHANGE;
    case SM_SVC_LAPSED:
        return EDIT_RENEWAL;
    case SM_SVC_APPLIED:
    case SM_SVC_UNDER_REVIEW:
    case SM_SVC_SUSPENDED:
    case SM_SVC_WITHDRAWN:
    case SM_SVC_REJECTED:
        break;
    }
    return EDIT_NONE;
}

static const char *const mode_names[] = { "none", "new", "amend", "change", "renewal" };

/* The service's registration for a page: ctx.service. */
static int service_json(struct web_request *req, json_t *ctx, const struct sm_registry_service *s)
{
    const char *status = sm_svc_status_name(s->effective);
    enum edit_mode mode = edit_mode_of(s);
    bool renewable = s->open_application == 0 &&
                     (s->effective == SM_SVC_REGISTERED || s->effective == SM_SVC_RENEWAL_DUE ||
                      s->effective == SM_SVC_LAPSED);
    json_t *o = json_pack(
        "{s:I,s:I,s:s,s:s,s:s,s:o,s:o,s:o,s:o,s:b,s:b,s:s,s:b,s:b,s:b}", "id", (json_int_t)s->id,
        "provider_id", (json_int_t)s->provider_id, "provider_name",
        s->provider_name != NULL ? s->provider_name : "", "status", status, "status_label",
        web_reg_label(req, "status", status), "registration_no", web_reg_str(s->registration_no),
        "registered_on", web_reg_str(s->registered_on), "renewal_on", web_reg_str(s->renewal_on),
        "status_note", web_reg_str(s->status_note), "listed", s->listed, "content_is_public",
        s->content_is_public, "mode", mode_names[mode], "editable", mode != EDIT_NONE, "renewable",
        renewable, "due", s->effective == SM_SVC_RENEWAL_DUE);
    if (o == NULL || json_object_set_new(ctx, "service", o) != 0)
        return SM_ENOMEM;
    if (s->open_application == 0)
        return SM_OK;
    const char *kind = sm_app_kind_name(s->open_kind), *state = sm_app_state_name(s->open_state);
    json_t *open =
        json_pack("{s:I,s:s,s:s,s:s,s:b}", "id", (json_int_t)s->open_application, "kind_label",
                  web_reg_label(req, "kind", kind), "state", state, "state_label",
                  web_reg_label(req, "state", state), "pending", s->open_kind != SM_APP_NEW);
    return open != NULL && json_object_set_new(o, "open", open) == 0 ? SM_OK : SM_ENOMEM;
}

int route_portal_service(struct web_request *req)
{
    struct web_reg u;
    int rc = web_reg_gate(req, WEB_REG_PROVIDER, &u);
    if (rc != SM_OK || u.session == NULL)
        return rc;
    int64_t id = 0;
    if (!web_reg_id(web_query_get(req, "id"), &id))
        return web_fail(req, 404, NULL, "give the service as ?id=N");
    struct sm_diag diag;
    sm_diag_clear(&diag);
    struct sm_registry_service *svc = NULL;
    rc = sm_registry_service_get(web_store(req), &u.who, id, false, u.today, &svc, &diag);
    if (rc != SM_OK)
        return web_fail_err(req, rc, &diag);
    json_t *ctx = json_object();
    rc = ctx != NULL ? service_json(req, ctx, svc) : SM_ENOMEM;
    if (rc == SM_OK)
        rc = web_reg_content_view(req, ctx, &svc->content);
    if (rc == SM_OK)
        rc = web_reg_notice(req, ctx);
    sm_registry_service_free(svc);
    if (rc != SM_OK) {
        json_decref(ctx);
        return rc;
    }
    return web_reg_render(req, 200, "portal_service.html", "portal.service.title", ctx);
}

/* Renders the content form. svc is the service being edited (NULL for a new one); params
 * what the form shows; report_of (may be NULL) the content to check live; errors (taken,
 * may be NULL) problems with what was typed; rc_alert and diag a library refusal to show. */
static int show_form(struct web_request *req, const struct web_reg *u,
                     const struct sm_registry_service *svc, const struct web_params *params,
                     int extra_rows, const struct sm_service_content *report_of, json_t *errors,
                     int status, int rc_alert, const struct sm_diag *diag)
{
    struct sm_device_catalog *cat = NULL;
    struct sm_diag d2;
    sm_diag_clear(&d2);
    json_t *ctx = json_object();
    if (ctx == NULL) {
        json_decref(errors);
        return SM_ENOMEM;
    }
    int rc = SM_OK;
    if (errors != NULL && json_array_size(errors) > 0) {
        json_t *fe = json_pack("{s:O}", "items", errors);
        rc = fe != NULL && json_object_set_new(ctx, "form_errors", fe) == 0 ? SM_OK : SM_ENOMEM;
    }
    json_decref(errors);
    if (rc == SM_OK)
        rc = sm_registry_devices(web_store(req), &cat, &d2);
    if (rc == SM_OK)
        rc = web_reg_content_form(req, ctx, params, cat, extra_rows);
    sm_device_catalog_free(cat);
    enum edit_mode mode = edit_mode_of(svc);
    if (rc == SM_OK && svc != NULL)
        rc = service_json(req, ctx, svc);
    if (rc == SM_OK && json_object_set_new(ctx, "mode", json_string(mode_names[mode])) != 0)
        rc = SM_ENOMEM;
    if (rc == SM_OK && json_object_set_new(ctx, "is_new", json_boolean(svc == NULL)) != 0)
        rc = SM_ENOMEM;
    if (rc == SM_OK &&
        (json_object_set_new(ctx, "mode_amend", json_boolean(mode == EDIT_AMEND)) != 0 ||
         json_object_set_new(ctx, "mode_renewal", json_boolean(mode == EDIT_RENEWAL)) != 0))
        rc = SM_ENOMEM;
    /* A registered service may be renewed with its edit; a lapsed one can only be. */
    if (rc == SM_OK && json_object_set_new(ctx, "may_renew", json_boolean(mode == EDIT_CHANGE)))
        rc = SM_ENOMEM;
    if (rc == SM_OK && report_of != NULL)
        rc = web_reg_report(req, ctx, report_of, u->today);
    if (rc == SM_OK && rc_alert != SM_OK)
        rc = web_reg_alert(req, ctx, rc_alert, diag);
    if (rc != SM_OK) {
        json_decref(ctx);
        return web_fail_err(req, rc, &d2);
    }
    return web_reg_render(req, status, "portal_service_form.html",
                          svc == NULL ? "portal.form.title_new" : "portal.form.title_edit", ctx);
}

int route_portal_service_edit(struct web_request *req)
{
    struct web_reg u;
    int rc = web_reg_gate(req, WEB_REG_PROVIDER, &u);
    if (rc != SM_OK || u.session == NULL)
        return rc;
    const char *qid = web_query_get(req, "id");
    struct web_params empty = { 0 };
    if (qid == NULL)
        return show_form(req, &u, NULL, &empty, 3, NULL, NULL, 200, SM_OK, NULL);
    int64_t id = 0;
    if (!web_reg_id(qid, &id))
        return web_fail(req, 404, NULL, "give the service as ?id=N");
    struct sm_diag diag;
    sm_diag_clear(&diag);
    struct sm_registry_service *svc = NULL;
    rc = sm_registry_service_get(web_store(req), &u.who, id, true, u.today, &svc, &diag);
    if (rc != SM_OK)
        return web_fail_err(req, rc, &diag);
    if (edit_mode_of(svc) == EDIT_NONE) {
        sm_registry_service_free(svc);
        return web_fail(req, 409, "portal.error.not_editable", NULL);
    }
    struct web_params params;
    rc = web_reg_content_params(req, &svc->content, &params);
    if (rc == SM_OK)
        rc = show_form(req, &u, svc, &params, SPARE_ROWS, &svc->content, NULL, 200, SM_OK, NULL);
    sm_registry_service_free(svc);
    return rc;
}

int route_portal_service_save(struct web_request *req)
{
    struct web_reg u;
    int rc = web_reg_post(req, WEB_REG_PROVIDER, &u);
    if (rc != SM_OK || u.session == NULL)
        return rc;
    struct sm_store *store = web_store(req);
    struct sm_diag diag;
    sm_diag_clear(&diag);
    struct sm_registry_service *svc = NULL;
    const char *sid = web_reg_field(&u, "id");
    int64_t id = 0;
    if (sid != NULL && sid[0] != '\0') {
        if (!web_reg_id(sid, &id))
            return web_fail(req, 400, NULL, "the id field is not a service id");
        rc = sm_registry_service_get(store, &u.who, id, true, u.today, &svc, &diag);
        if (rc != SM_OK)
            return web_fail_err(req, rc, &diag);
    }
    struct sm_device_catalog *cat = NULL;
    struct sm_service_content content;
    json_t *errors = json_array();
    rc = errors != NULL ? sm_registry_devices(store, &cat, &diag) : SM_ENOMEM;
    if (rc == SM_OK)
        rc = web_reg_content_read(req, &u.form, cat, &content, errors);
    sm_device_catalog_free(cat);
    if (rc != SM_OK) {
        json_decref(errors);
        sm_registry_service_free(svc);
        return web_fail_err(req, rc, &diag);
    }

    const char *action = web_reg_field(&u, "action");
    bool submit = action != NULL && strcmp(action, "submit") == 0;
    bool more_rows = action != NULL && strcmp(action, "rows") == 0;
    enum edit_mode mode = edit_mode_of(svc);
    if (!submit || json_array_size(errors) > 0 || mode == EDIT_NONE) {
        int status = submit ? (mode == EDIT_NONE ? 409 : 400) : 200;
        if (submit && mode == EDIT_NONE)
            sm_diag_set(&diag, SM_EEXIST, "this service cannot be changed now");
        rc = show_form(req, &u, svc, &u.form, more_rows ? SPARE_ROWS : 0, &content, errors, status,
                       status == 409 ? SM_EEXIST : SM_OK, &diag);
        sm_registry_service_free(svc);
        return rc;
    }

    int64_t app = 0;
    const char *renew = web_reg_field(&u, "renewal");
    if (mode == EDIT_CHANGE && renew != NULL && strcmp(renew, "1") == 0)
        mode = EDIT_RENEWAL;
    const char *done = "submitted";
    switch (mode) {
    case EDIT_NEW:
        rc = sm_registry_apply(store, &u.who, SM_APP_NEW, u.who.provider_id, &content, u.today,
                               &app, NULL, &diag);
        break;
    case EDIT_AMEND:
        app = svc->open_application;
        rc = sm_registry_amend(store, &u.who, app, &content, u.today, &diag);
        done = "amended";
        break;
    case EDIT_CHANGE:
        rc = sm_registry_apply(store, &u.who, SM_APP_CHANGE, id, &content, u.today, &app, NULL,
                               &diag);
        break;
    case EDIT_RENEWAL:
        rc = sm_registry_apply(store, &u.who, SM_APP_RENEWAL, id, &content, u.today, &app, NULL,
                               &diag);
        done = "renewal";
        break;
    case EDIT_NONE:
        rc = SM_EINVAL;
        break;
    }
    if (rc == SM_OK) {
        json_decref(errors);
        sm_registry_service_free(svc);
        return web_reg_redirect(req, "/portal/application?id=%lld&done=%s", (long long)app, done);
    }
    if (web_reg_shown_in_form(rc)) {
        int status = web_status_for(rc);
        rc = show_form(req, &u, svc, &u.form, 0, &content, errors, status, rc, &diag);
        sm_registry_service_free(svc);
        return rc;
    }
    json_decref(errors);
    sm_registry_service_free(svc);
    return web_fail_err(req, rc, &diag);
}

int route_portal_service_renew(struct web_request *req)
{
    struct web_reg u;
    int rc = web_reg_post(req, WEB_REG_PROVIDER, &u);
    if (rc != SM_OK || u.session == NULL)
        return rc;
    int64_t id = 0, app = 0;
    if (!web_reg_id(web_reg_field(&u, "id"), &id))
        return web_fail(req, 400, NULL, "the id field is not a service id");
    struct sm_diag diag;
    sm_diag_clear(&diag);
    rc = sm_registry_apply(web_store(req), &u.who, SM_APP_RENEWAL, id, NULL, u.today, &app, NULL,
                           &diag);
    if (rc != SM_OK)
        return web_fail_err(req, rc, &diag);
    return web_reg_redirect(req, "/portal/application?id=%lld&done=renewal", (long long)app);
}

/* --- applications --------------------------------------------------------------------- */

int route_portal_application(struct web_request *req)
{
    struct web_reg u;
    int rc = web_reg_gate(req, WEB_REG_PROVIDER, &u);
    if (rc != SM_OK || u.session == NULL)
        return rc;
    int64_t id = 0;
    if (!web_reg_id(web_query_get(req, "id"), &id))
        return web_fail(req, 404, NULL, "give the application as ?id=N");
    struct sm_diag diag;
    sm_diag_clear(&diag);
    struct sm_registry_application *app = NULL;
    struct sm_registry_service *svc = NULL;
    struct sm_store *store = web_store(req);
    rc = sm_registry_application_get(store, &u.who, id, &app, &diag);
    if (rc == SM_OK)
        rc = sm_registry_service_get(store, &u.who, app->service_id, false, u.today, &svc, &diag);
    if (rc != SM_OK) {
        sm_registry_application_free(app);
        return web_fail_err(req, rc, &diag);
    }
    const char *kind = sm_app_kind_name(app->kind), *state = sm_app_state_name(app->state);
    bool open = app->state == SM_APP_SUBMITTED || app->state == SM_APP_UNDER_REVIEW ||
                app->state == SM_APP_CHANGES_REQUESTED;
    bool amendable = app->state == SM_APP_SUBMITTED || app->state == SM_APP_CHANGES_REQUESTED;
    json_t *ctx = json_object();
    json_t *a =
        json_pack("{s:I,s:I,s:s,s:s,s:s,s:s,s:o,s:o,s:o,s:s,s:o,s:b,s:b}", "id",
                  (json_int_t)app->id, "service_id", (json_int_t)app->service_id, "kind", kind,
                  "kind_label", web_reg_label(req, "kind", kind), "state", state, "state_label",
                  web_reg_label(req, "state", state), "submitted_on",
                  web_reg_str(app->submitted_on), "decided_by", web_reg_str(app->decided_by),
                  "decision_comment", web_reg_str(app->decision_comment), "decided_at",
                  web_reg_time(req, app->decided_at), "standard_version",
                  web_reg_str(app->standard_version), "open", open, "amendable", amendable);
    rc = ctx != NULL && a != NULL && json_object_set_new(ctx, "application", a) == 0 ? SM_OK
                                                                                     : SM_ENOMEM;
    if (rc == SM_OK)
        rc = service_json(req, ctx, svc);
    if (rc == SM_OK)
        rc = web_reg_content_view(req, ctx, &app->content);
    if (rc == SM_OK)
        rc = web_reg_checks(req, ctx, app);
    if (rc == SM_OK)
        rc = web_reg_notice(req, ctx);
    sm_registry_application_free(app);
    sm_registry_service_free(svc);
    if (rc != SM_OK) {
        json_decref(ctx);
        return rc;
    }
    return web_reg_render(req, 200, "portal_application.html", "portal.application.title", ctx);
}

int route_portal_application_withdraw(struct web_request *req)
{
    struct web_reg u;
    int rc = web_reg_post(req, WEB_REG_PROVIDER, &u);
    if (rc != SM_OK || u.session == NULL)
        return rc;
    int64_t id = 0;
    if (!web_reg_id(web_reg_field(&u, "id"), &id))
        return web_fail(req, 400, NULL, "the id field is not an application id");
    struct sm_diag diag;
    sm_diag_clear(&diag);
    rc = sm_registry_cancel(web_store(req), &u.who, id, &diag);
    if (rc != SM_OK)
        return web_fail_err(req, rc, &diag);
    return web_reg_redirect(req, "/portal?done=withdrawn");
}

/* --- messages and inquiries --------------------------------------------------------------- */

int route_portal_messages(struct web_request *req)
{
    struct web_reg u;
    int rc = web_reg_gate(req, WEB_REG_PROVIDER, &u);
    if (rc != SM_OK || u.session == NULL)
        return rc;
    struct sm_diag diag;
    sm_diag_clear(&diag);
    struct sm_registry_message_list *list = NULL;
    rc = sm_registry_messages(web_store(req), &u.who, u.who.provider_id, &list, &diag);
    if (rc != SM_OK)
        return web_fail_err(req, rc, &diag);
    json_t *ctx = json_object(), *items = json_array();
    rc = ctx != NULL && items != NULL && json_object_set_new(ctx, "messages", items) == 0
             ? SM_OK
             : SM_ENOMEM;
    bool en = req->lang == SM_LANG_EN;
    for (size_t i = 0; rc == SM_OK && i < list->n; i++) {
        const struct sm_registry_message *m = &list->items[i];
        json_t *o =
            json_pack("{s:I,s:I,s:s,s:s,s:s,s:s,s:b}", "id", (json_int_t)m->id, "service_id",
                      (json_int_t)m->service_id, "kind", m->kind, "subject",
                      en ? m->subject_en : m->subject_ja, "body", en ? m->body_en : m->body_ja,
                      "created", web_reg_time(req, m->created_at), "unread", m->read_at == 0);
        if (o == NULL || json_array_append_new(items, o) != 0)
            rc = SM_ENOMEM;
    }
    sm_registry_message_list_free(list);
    if (rc == SM_OK)
        rc = web_reg_notice(req, ctx);
    if (rc != SM_OK) {
        json_decref(ctx);
        return rc;
    }
    return web_reg_render(req, 200, "portal_messages.html", "portal.messages.title", ctx);
}

int route_portal_message_read(struct web_request *req)
{
    struct web_reg u;
    int rc = web_reg_post(req, WEB_REG_PROVIDER, &u);
    if (rc != SM_OK || u.session == NULL)
        return rc;
    int64_t id = 0;
    if (!web_reg_id(web_reg_field(&u, "id"), &id))
        return web_fail(req, 400, NULL, "the id field is not a message id");
    struct sm_diag diag;
    sm_diag_clear(&diag);
    rc = sm_registry_message_read(web_store(req), &u.who, id, req->now, &diag);
    if (rc != SM_OK)
        return web_fail_err(req, rc, &diag);
    return web_reg_redirect(req, "/portal/messages?done=read");
}

int route_portal_inquiries(struct web_request *req)
{
    struct web_reg u;
    int rc = web_reg_gate(req, WEB_REG_PROVIDER, &u);
    if (rc != SM_OK || u.session == NULL)
        return rc;
    struct sm_diag diag;
    sm_diag_clear(&diag);
    struct sm_inquiry_list *list = NULL;
    rc = sm_inquiries(web_store(req), &u.who, u.who.provider_id, &list, &diag);
    if (rc != SM_OK)
        return web_fail_err(req, rc, &diag);
    json_t *ctx = json_object(), *items = json_array();
    rc = ctx != NULL && items != NULL && json_object_set_new(ctx, "inquiries", items) == 0
             ? SM_OK
             : SM_ENOMEM;
    for (size_t i = 0; rc == SM_OK && i < list->n; i++) {
        const struct sm_inquiry *q = &list->items[i];
        const char *ref = sm_referrer_kind_name(q->referrer);
        json_t *o = json_pack(
            "{s:I,s:I,s:s,s:s,s:s,s:s,s:o,s:o,s:s,s:s,s:o,s:s}", "id", (json_int_t)q->id,
            "service_id", (json_int_t)q->service_id, "service_name",
            q->service_name != NULL ? q->service_name : "", "name", q->name, "company", q->company,
            "email", q->email, "phone", web_reg_str(q->phone), "prefecture",
            web_reg_str(q->prefecture != NULL ? web_reg_pref_name(req, q->prefecture) : NULL),
            "message", q->message, "created", web_reg_time(req, q->created_at), "utm_source",
            web_reg_str(q->utm_source), "referrer", web_reg_label(req, "referrer", ref));
        if (o == NULL || json_array_append_new(items, o) != 0)
            rc = SM_ENOMEM;
    }
    sm_inquiry_list_free(list);
    if (rc != SM_OK) {
        json_decref(ctx);
        return rc;
    }
    return web_reg_render(req, 200, "portal_inquiries.html", "portal.inquiries.title", ctx);
}

/* --- case studies ------------------------------------------------------------------------- */

static int show_cases(struct web_request *req, const struct web_reg *u, int status, int rc_alert,
                      const struct sm_diag *alert_diag)
{
    struct sm_diag diag;
    sm_diag_clear(&diag);
    struct sm_case_study_list *list = NULL;
    int rc = sm_case_studies(web_store(req), &u->who, u->who.provider_id, &list, &diag);
    if (rc != SM_OK)
        return web_fail_err(req, rc, &diag);
    json_t *ctx = json_object(), *items = json_array();
    rc = ctx != NULL && items != NULL && json_object_set_new(ctx, "cases", items) == 0 ? SM_OK
                                                                                       : SM_ENOMEM;
    for (size_t i = 0; rc == SM_OK && i < list->n; i++) {
        json_t *o = web_reg_case(req, &list->items[i]);
        if (o == NULL || json_array_append_new(items, o) != 0)
            rc = SM_ENOMEM;
    }
    sm_case_study_list_free(list);
    if (rc == SM_OK)
        rc = web_reg_notice(req, ctx);
    if (rc == SM_OK && rc_alert != SM_OK)
        rc = web_reg_alert(req, ctx, rc_alert, alert_diag);
    if (rc != SM_OK) {
        json_decref(ctx);
        return rc;
    }
    return web_reg_render(req, status, "portal_cases.html", "portal.cases.title", ctx);
}

int route_portal_cases(struct web_request *req)
{
    struct web_reg u;
    int rc = web_reg_gate(req, WEB_REG_PROVIDER, &u);
    if (rc != SM_OK || u.session == NULL)
        return rc;
    return show_cases(req, &u, 200, SM_OK, NULL);
}

int route_portal_case_act(struct web_request *req)
{
    struct web_reg u;
    int rc = web_reg_post(req, WEB_REG_PROVIDER, &u);
    if (rc != SM_OK || u.session == NULL)
        return rc;
    int64_t id = 0;
    if (!web_reg_id(web_reg_field(&u, "id"), &id))
        return web_fail(req, 400, NULL, "the id field is not a case-study id");
    const char *action = web_reg_field(&u, "action");
    enum sm_case_action act;
    if (action == NULL || sm_case_action_parse(action, &act) != SM_OK ||
        (act != SM_CASE_CONFIRM && act != SM_CASE_REQUEST_CHANGES))
        return web_fail(req, 400, NULL, "action must be confirm or request_changes");
    struct sm_diag diag;
    sm_diag_clear(&diag);
    const char *comment = web_reg_field(&u, "comment");
    if (act == SM_CASE_CONFIRM)
        comment = NULL;
    else if (comment != NULL && comment[0] == '\0')
        comment = NULL;
    rc = sm_case_study_act(web_store(req), &u.who, id, act, comment, &diag);
    if (web_reg_shown_in_form(rc))
        return show_cases(req, &u, web_status_for(rc), rc, &diag);
    if (rc != SM_OK)
        return web_fail_err(req, rc, &diag);
    return web_reg_redirect(req, "/portal/cases?done=%s",
                            act == SM_CASE_CONFIRM ? "confirmed" : "changes");
}

/* --- the provider's profile ------------------------------------------------------------- */

/* Fills ctx.profile from p, and the head-office prefecture options. */
static int profile_json(struct web_request *req, json_t *ctx, const struct sm_provider *p)
{
    json_t *o =
        json_pack("{s:I,s:s,s:b,s:o,s:o,s:o,s:o,s:o,s:o}", "id", (json_int_t)p->id, "name", p->name,
                  "fictitious", p->fictitious, "class1_first_on", web_reg_str(p->class1_first_on),
                  "contact_name", web_reg_str(p->contact_name), "contact_email",
                  web_reg_str(p->contact_email), "contact_phone", web_reg_str(p->contact_phone),
                  "website", web_reg_str(p->website), "note", web_reg_str(p->note));
    json_t *prefs = json_array();
    if (o == NULL || prefs == NULL || json_object_set_new(ctx, "profile", o) != 0 ||
        json_object_set_new(ctx, "prefectures", prefs) != 0)
        return SM_ENOMEM;
    const struct sm_geo *geo = req->app->geo;
    for (size_t i = 0; i < geo->n_prefectures; i++) {
        const struct sm_prefecture *pr = &geo->prefectures[i];
        json_t *po = json_pack(
            "{s:s,s:s,s:b}", "code", pr->code, "name", web_reg_pref_name(req, pr->code), "selected",
            p->head_office_pref != NULL && strcmp(p->head_office_pref, pr->code) == 0);
        if (po == NULL || json_array_append_new(prefs, po) != 0)
            return SM_ENOMEM;
    }
    return SM_OK;
}

static int show_profile(struct web_request *req, const struct web_reg *u,
                        const struct sm_provider *typed, int status, int rc_alert,
                        const struct sm_diag *alert_diag)
{
    struct sm_diag diag;
    sm_diag_clear(&diag);
    struct sm_provider_list *pl = NULL;
    int rc = sm_registry_providers(web_store(req), u->who.provider_id, &pl, &diag);
    if (rc != SM_OK)
        return web_fail_err(req, rc, &diag);
    json_t *ctx = json_object();
    rc = ctx != NULL ? profile_json(req, ctx, typed != NULL ? typed : &pl->items[0]) : SM_ENOMEM;
    sm_provider_list_free(pl);
    if (rc == SM_OK)
        rc = web_reg_notice(req, ctx);
    if (rc == SM_OK && rc_alert != SM_OK)
        rc = web_reg_alert(req, ctx, rc_alert, alert_diag);
    if (rc != SM_OK) {
        json_decref(ctx);
        return rc;
    }
    return web_reg_render(req, status, "portal_profile.html", "portal.profile.title", ctx);
}

int route_portal_profile(struct web_request *req)
{
    struct web_reg u;
    int rc = web_reg_gate(req, WEB_REG_PROVIDER, &u);
    if (rc != SM_OK || u.session == NULL)
        return rc;
    return show_profile(req, &u, NULL, 200, SM_OK, NULL);
}

static const char *opt(const struct web_reg *u, const char *name)
{
    const char *v = web_reg_field(u, name);
    return v != NULL && v[0] != '\0' ? v : NULL;
}

int route_portal_profile_save(struct web_request *req)
{
    struct web_reg u;
    int rc = web_reg_post(req, WEB_REG_PROVIDER, &u);
    if (rc != SM_OK || u.session == NULL)
        return rc;
    /* The form names its provider; the library refuses any but the user's own. */
    int64_t id = u.who.provider_id;
    const char *sid = web_reg_field(&u, "id");
    if (sid != NULL && !web_reg_id(sid, &id))
        return web_fail(req, 400, NULL, "the id field is not a provider id");
    struct sm_diag diag;
    sm_diag_clear(&diag);
    struct sm_provider_list *pl = NULL;
    rc = sm_registry_providers(web_store(req), id, &pl, &diag);
    if (rc != SM_OK)
        return web_fail_err(req, rc, &diag);
    /* Name, fictitious flag and class-1 date are the registry's: the library keeps them. */
    struct sm_provider p = pl->items[0];
    p.head_office_pref = opt(&u, "head_office_pref");
    p.contact_name = opt(&u, "contact_name");
    p.contact_email = opt(&u, "contact_email");
    p.contact_phone = opt(&u, "contact_phone");
    p.website = opt(&u, "website");
    p.note = opt(&u, "note");
    rc = sm_registry_provider_update(web_store(req), &u.who, &p, &diag);
    if (web_reg_shown_in_form(rc)) {
        rc = show_profile(req, &u, &p, web_status_for(rc), rc, &diag);
        sm_provider_list_free(pl);
        return rc;
    }
    sm_provider_list_free(pl);
    if (rc != SM_OK)
        return web_fail_err(req, rc, &diag);
    return web_reg_redirect(req, "/portal/profile?done=profile");
}

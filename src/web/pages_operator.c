/*
 * The operators' pages (IPA side): the registry's records and jobs.
 *
 *   GET  /operator                      overview, the renewal cycle, "send reminders now"
 *   POST /operator/settings             sets the renewal cycle in months
 *   POST /operator/remind               runs the reminder job now (as `smesec registry due`)
 *   GET  /operator/providers            providers, and a form to add one
 *   POST /operator/providers/add
 *   GET  /operator/provider?id=N        a provider's record, its services, linking users
 *   POST /operator/provider             saves the record
 *   POST /operator/provider/link        links (or unlinks) a provider user account
 *   GET  /operator/services             every service
 *   GET  /operator/service?id=N         a service with suspend / reinstate / withdraw
 *   POST /operator/service/status
 *   GET  /operator/inquiries            inquiries counted by channel over a period
 *   GET  /operator/outbox               the mail the registry sent or will send (read-only)
 *
 * Case studies are in pages_operator_cases.c, CSV export and import in
 * pages_operator_csv.c. Every change goes through the library, which checks the operator's
 * rights again and writes the audit record.
 */
#include "pages_portal.h"
#include "routes.h"

#include "smesec/date.h"

#include <stdio.h>
#include <string.h>

#include "util/banned.h"

static const char *opt(const struct web_reg *u, const char *name)
{
    const char *v = web_reg_field(u, name);
    return v != NULL && v[0] != '\0' ? v : NULL;
}

/* A small count from the query (the reminder job's figures after its redirect), or -1. */
static json_int_t query_count(struct web_request *req, const char *name)
{
    int64_t v = 0;
    const char *s = web_query_get(req, name);
    if (s != NULL && strcmp(s, "0") == 0)
        return 0;
    return web_reg_id(s, &v) && v < 1000000 ? (json_int_t)v : -1;
}

/* --- overview, settings and the reminder job -------------------------------------------- */

static int show_home(struct web_request *req, const struct web_reg *u, int status, int rc_alert,
                     const struct sm_diag *alert_diag)
{
    struct sm_store *store = web_store(req);
    struct sm_diag diag;
    sm_diag_clear(&diag);
    int months = 0;
    struct sm_registry_application_list *apps = NULL;
    struct sm_due_list *due = NULL;
    int rc = sm_registry_renewal_months(store, &months, &diag);
    if (rc == SM_OK)
        rc = sm_registry_applications(store, &u->who, 0, true, &apps, &diag);
    if (rc == SM_OK)
        rc = sm_registry_due(store, u->today, &due, &diag);
    if (rc != SM_OK) {
        sm_registry_application_list_free(apps);
        return web_fail_err(req, rc, &diag);
    }
    json_t *ctx = json_pack("{s:i,s:I,s:I,s:s}", "renewal_months", months, "open_applications",
                            (json_int_t)apps->n, "due", (json_int_t)due->n, "today", u->today);
    sm_registry_application_list_free(apps);
    sm_due_list_free(due);
    if (ctx == NULL)
        return SM_ENOMEM;
    rc = web_reg_notice(req, ctx);
    json_int_t sent = query_count(req, "sent"), marked = query_count(req, "marked");
    if (rc == SM_OK && sent >= 0 && marked >= 0) {
        json_t *r = json_pack("{s:I,s:I}", "sent", sent, "marked", marked);
        if (r == NULL || json_object_set_new(ctx, "reminded", r) != 0)
            rc = SM_ENOMEM;
    }
    if (rc == SM_OK && rc_alert != SM_OK)
        rc = web_reg_alert(req, ctx, rc_alert, alert_diag);
    if (rc != SM_OK) {
        json_decref(ctx);
        return rc;
    }
    return web_reg_render(req, status, "operator_home.html", "operator.home.title", ctx);
}

int route_operator(struct web_request *req)
{
    struct web_reg u;
    int rc = web_reg_gate(req, WEB_REG_OPERATOR, &u);
    if (rc != SM_OK || u.session == NULL)
        return rc;
    return show_home(req, &u, 200, SM_OK, NULL);
}

int route_operator_settings(struct web_request *req)
{
    struct web_reg u;
    int rc = web_reg_post(req, WEB_REG_OPERATOR, &u);
    if (rc != SM_OK || u.session == NULL)
        return rc;
    struct sm_diag diag;
    sm_diag_clear(&diag);
    int64_t months = 0;
    if (!web_reg_id(web_reg_field(&u, "renewal_months"), &months) || months > 120) {
        sm_diag_set(&diag, SM_EINVAL, "the renewal cycle is 1..120 months");
        return show_home(req, &u, 400, SM_EINVAL, &diag);
    }
    rc = sm_registry_set_renewal_months(web_store(req), &u.who, (int)months, &diag);
    if (web_reg_shown_in_form(rc))
        return show_home(req, &u, web_status_for(rc), rc, &diag);
    if (rc != SM_OK)
        return web_fail_err(req, rc, &diag);
    return web_reg_redirect(req, "/operator?done=settings");
}

int route_operator_remind(struct web_request *req)
{
    struct web_reg u;
    int rc = web_reg_post(req, WEB_REG_OPERATOR, &u);
    if (rc != SM_OK || u.session == NULL)
        return rc;
    struct sm_diag diag;
    sm_diag_clear(&diag);
    size_t sent = 0, marked = 0;
    rc = sm_registry_remind(web_store(req), &u.who, u.today, &sent, &marked, &diag);
    if (rc != SM_OK)
        return web_fail_err(req, rc, &diag);
    return web_reg_redirect(req, "/operator?done=reminded&sent=%zu&marked=%zu", sent, marked);
}

/* --- providers -------------------------------------------------------------------------- */

/* The head-office prefecture options, with code selected. */
static int pref_options(struct web_request *req, json_t *ctx, const char *selected)
{
    const struct sm_geo *geo = req->app->geo;
    json_t *prefs = json_array();
    if (prefs == NULL || json_object_set_new(ctx, "prefectures", prefs) != 0)
        return SM_ENOMEM;
    for (size_t i = 0; i < geo->n_prefectures; i++) {
        const struct sm_prefecture *p = &geo->prefectures[i];
        json_t *o =
            json_pack("{s:s,s:s,s:b}", "code", p->code, "name", web_reg_pref_name(req, p->code),
                      "selected", selected != NULL && strcmp(selected, p->code) == 0);
        if (o == NULL || json_array_append_new(prefs, o) != 0)
            return SM_ENOMEM;
    }
    return SM_OK;
}

static json_t *provider_json(struct web_request *req, const struct sm_provider *p)
{
    return json_pack("{s:I,s:s,s:b,s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:o}", "id", (json_int_t)p->id,
                     "name", p->name != NULL ? p->name : "", "fictitious", p->fictitious,
                     "head_office_pref", web_reg_str(p->head_office_pref), "head_office",
                     web_reg_str(p->head_office_pref != NULL
                                     ? web_reg_pref_name(req, p->head_office_pref)
                                     : NULL),
                     "class1_first_on", web_reg_str(p->class1_first_on), "contact_name",
                     web_reg_str(p->contact_name), "contact_email", web_reg_str(p->contact_email),
                     "contact_phone", web_reg_str(p->contact_phone), "website",
                     web_reg_str(p->website), "note", web_reg_str(p->note));
}

/* The provider fields of a posted form. */
static void provider_from_form(const struct web_reg *u, struct sm_provider *p)
{
    const char *fict = web_reg_field(u, "fictitious");
    p->name = opt(u, "name");
    p->head_office_pref = opt(u, "head_office_pref");
    p->contact_name = opt(u, "contact_name");
    p->contact_email = opt(u, "contact_email");
    p->contact_phone = opt(u, "contact_phone");
    p->website = opt(u, "website");
    p->fictitious = fict != NULL && strcmp(fict, "1") == 0;
    p->class1_first_on = opt(u, "class1_first_on");
    p->note = opt(u, "note");
}

/* The providers page; typed (may be NULL) refills the add form after a refusal. */
static int show_providers(struct web_request *req, const struct web_reg *u,
                          const struct sm_provider *typed, int status, int rc_alert,
                          const struct sm_diag *alert_diag)
{
    (void)u;
    struct sm_diag diag;
    sm_diag_clear(&diag);
    struct sm_provider_list *list = NULL;
    int rc = sm_registry_providers(web_store(req), 0, &list, &diag);
    if (rc != SM_OK)
        return web_fail_err(req, rc, &diag);
    json_t *ctx = json_object(), *items = json_array();
    rc = ctx != NULL && items != NULL && json_object_set_new(ctx, "providers", items) == 0
             ? SM_OK
             : SM_ENOMEM;
    for (size_t i = 0; rc == SM_OK && i < list->n; i++) {
        json_t *o = provider_json(req, &list->items[i]);
        if (o == NULL || json_array_append_new(items, o) != 0)
            rc = SM_ENOMEM;
    }
    sm_provider_list_free(list);
    struct sm_provider blank = { 0 };
    json_t *t = provider_json(req, typed != NULL ? typed : &blank);
    if (rc == SM_OK && (t == NULL || json_object_set_new(ctx, "typed", t) != 0))
        rc = SM_ENOMEM;
    else if (rc != SM_OK)
        json_decref(t);
    if (rc == SM_OK)
        rc = pref_options(req, ctx, typed != NULL ? typed->head_office_pref : NULL);
    if (rc == SM_OK)
        rc = web_reg_notice(req, ctx);
    if (rc == SM_OK && rc_alert != SM_OK)
        rc = web_reg_alert(req, ctx, rc_alert, alert_diag);
    if (rc != SM_OK) {
        json_decref(ctx);
        return rc;
    }
    return web_reg_render(req, status, "operator_providers.html", "operator.providers.title", ctx);
}

int route_operator_providers(struct web_request *req)
{
    struct web_reg u;
    int rc = web_reg_gate(req, WEB_REG_OPERATOR, &u);
    if (rc != SM_OK || u.session == NULL)
        return rc;
    return show_providers(req, &u, NULL, 200, SM_OK, NULL);
}

int route_operator_provider_add(struct web_request *req)
{
    struct web_reg u;
    int rc = web_reg_post(req, WEB_REG_OPERATOR, &u);
    if (rc != SM_OK || u.session == NULL)
        return rc;
    struct sm_provider p = { 0 };
    provider_from_form(&u, &p);
    struct sm_diag diag;
    sm_diag_clear(&diag);
    int64_t id = 0;
    rc = sm_registry_provider_add(web_store(req), &u.who, &p, &id, &diag);
    if (web_reg_shown_in_form(rc))
        return show_providers(req, &u, &p, web_status_for(rc), rc, &diag);
    if (rc != SM_OK)
        return web_fail_err(req, rc, &diag);
    return web_reg_redirect(req, "/operator/provider?id=%lld&done=added", (long long)id);
}

static int show_provider(struct web_request *req, const struct web_reg *u, int64_t id,
                         const struct sm_provider *typed, int status, int rc_alert,
                         const struct sm_diag *alert_diag)
{
    struct sm_diag diag;
    sm_diag_clear(&diag);
    struct sm_provider_list *pl = NULL;
    struct sm_registry_service_list *services = NULL;
    int rc = sm_registry_providers(web_store(req), id, &pl, &diag);
    if (rc == SM_OK)
        rc = sm_registry_services(web_store(req), &u->who, id, u->today, &services, &diag);
    if (rc != SM_OK) {
        sm_provider_list_free(pl);
        return web_fail_err(req, rc, &diag);
    }
    const struct sm_provider *p = typed != NULL ? typed : &pl->items[0];
    json_t *ctx = json_object(), *svc = json_array();
    json_t *po = provider_json(req, p);
    rc = SM_ENOMEM;
    if (ctx != NULL && svc != NULL && po != NULL) {
        int bad = json_object_set_new(ctx, "provider", po);
        bad |= json_object_set_new(ctx, "services", svc);
        po = svc = NULL;
        rc = bad ? SM_ENOMEM : SM_OK;
    }
    json_decref(po);
    json_decref(svc);
    json_t *list = rc == SM_OK ? json_object_get(ctx, "services") : NULL;
    for (size_t i = 0; rc == SM_OK && i < services->n; i++) {
        json_t *o = web_reg_service_row(req, &services->items[i]);
        if (o == NULL || json_array_append_new(list, o) != 0)
            rc = SM_ENOMEM;
    }
    if (rc == SM_OK)
        rc = pref_options(req, ctx, p->head_office_pref);
    sm_registry_service_list_free(services);
    sm_provider_list_free(pl);
    if (rc == SM_OK)
        rc = web_reg_notice(req, ctx);
    if (rc == SM_OK && rc_alert != SM_OK)
        rc = web_reg_alert(req, ctx, rc_alert, alert_diag);
    if (rc != SM_OK) {
        json_decref(ctx);
        return rc;
    }
    return web_reg_render(req, status, "operator_provider.html", "operator.provider.title", ctx);
}

int route_operator_provider(struct web_request *req)
{
    struct web_reg u;
    int rc = web_reg_gate(req, WEB_REG_OPERATOR, &u);
    if (rc != SM_OK || u.session == NULL)
        return rc;
    int64_t id = 0;
    if (!web_reg_id(web_query_get(req, "id"), &id))
        return web_fail(req, 404, NULL, "give the provider as ?id=N");
    return show_provider(req, &u, id, NULL, 200, SM_OK, NULL);
}

int route_operator_provider_save(struct web_request *req)
{
    struct web_reg u;
    int rc = web_reg_post(req, WEB_REG_OPERATOR, &u);
    if (rc != SM_OK || u.session == NULL)
        return rc;
    struct sm_provider p = { 0 };
    if (!web_reg_id(web_reg_field(&u, "id"), &p.id))
        return web_fail(req, 400, NULL, "the id field is not a provider id");
    provider_from_form(&u, &p);
    struct sm_diag diag;
    sm_diag_clear(&diag);
    rc = sm_registry_provider_update(web_store(req), &u.who, &p, &diag);
    if (web_reg_shown_in_form(rc))
        return show_provider(req, &u, p.id, &p, web_status_for(rc), rc, &diag);
    if (rc != SM_OK)
        return web_fail_err(req, rc, &diag);
    return web_reg_redirect(req, "/operator/provider?id=%lld&done=saved", (long long)p.id);
}

int route_operator_provider_link(struct web_request *req)
{
    struct web_reg u;
    int rc = web_reg_post(req, WEB_REG_OPERATOR, &u);
    if (rc != SM_OK || u.session == NULL)
        return rc;
    int64_t id = 0;
    if (!web_reg_id(web_reg_field(&u, "id"), &id))
        return web_fail(req, 400, NULL, "the id field is not a provider id");
    const char *username = web_reg_field(&u, "username");
    const char *action = web_reg_field(&u, "action");
    bool unlink = action != NULL && strcmp(action, "unlink") == 0;
    struct sm_diag diag;
    sm_diag_clear(&diag);
    if (username == NULL || username[0] == '\0') {
        sm_diag_set(&diag, SM_EINVAL, "give the user name");
        rc = SM_EINVAL;
    } else {
        rc = sm_user_set_provider(web_store(req), &u.actor, username, unlink ? 0 : id, &diag);
    }
    /* An unknown user name is the operator's typing, shown on the page like bad input. */
    if (web_reg_shown_in_form(rc) || rc == SM_ENOTFOUND)
        return show_provider(req, &u, id, NULL, web_status_for(rc),
                             rc == SM_ENOTFOUND ? SM_EINVAL : rc, &diag);
    if (rc != SM_OK)
        return web_fail_err(req, rc, &diag);
    return web_reg_redirect(req, "/operator/provider?id=%lld&done=%s", (long long)id,
                            unlink ? "unlinked" : "linked");
}

/* --- services ---------------------------------------------------------------------------- */

int route_operator_services(struct web_request *req)
{
    struct web_reg u;
    int rc = web_reg_gate(req, WEB_REG_OPERATOR, &u);
    if (rc != SM_OK || u.session == NULL)
        return rc;
    struct sm_diag diag;
    sm_diag_clear(&diag);
    struct sm_registry_service_list *list = NULL;
    rc = sm_registry_services(web_store(req), &u.who, 0, u.today, &list, &diag);
    if (rc != SM_OK)
        return web_fail_err(req, rc, &diag);
    json_t *ctx = json_object(), *items = json_array();
    rc = ctx != NULL && items != NULL && json_object_set_new(ctx, "services", items) == 0
             ? SM_OK
             : SM_ENOMEM;
    for (size_t i = 0; rc == SM_OK && i < list->n; i++) {
        json_t *o = web_reg_service_row(req, &list->items[i]);
        if (o == NULL || json_array_append_new(items, o) != 0)
            rc = SM_ENOMEM;
    }
    sm_registry_service_list_free(list);
    if (rc != SM_OK) {
        json_decref(ctx);
        return rc;
    }
    return web_reg_render(req, 200, "operator_services.html", "operator.services.title", ctx);
}

static int show_service(struct web_request *req, const struct web_reg *u, int64_t id, int status,
                        int rc_alert, const struct sm_diag *alert_diag)
{
    struct sm_diag diag;
    sm_diag_clear(&diag);
    struct sm_registry_service *svc = NULL;
    int rc = sm_registry_service_get(web_store(req), &u->who, id, false, u->today, &svc, &diag);
    if (rc != SM_OK)
        return web_fail_err(req, rc, &diag);
    const char *status_name = sm_svc_status_name(svc->effective);
    bool registered = svc->status == SM_SVC_REGISTERED || svc->status == SM_SVC_RENEWAL_DUE;
    json_t *s = json_pack(
        "{s:I,s:I,s:s,s:s,s:s,s:o,s:o,s:o,s:o,s:b,s:I,s:b,s:b,s:b}", "id", (json_int_t)svc->id,
        "provider_id", (json_int_t)svc->provider_id, "provider_name",
        svc->provider_name != NULL ? svc->provider_name : "", "status", status_name, "status_label",
        web_reg_label(req, "status", status_name), "registration_no",
        web_reg_str(svc->registration_no), "registered_on", web_reg_str(svc->registered_on),
        "renewal_on", web_reg_str(svc->renewal_on), "status_note", web_reg_str(svc->status_note),
        "listed", svc->listed, "open_application", (json_int_t)svc->open_application, "can_suspend",
        registered, "can_reinstate", svc->status == SM_SVC_SUSPENDED, "can_withdraw",
        svc->status != SM_SVC_WITHDRAWN);
    json_t *ctx = json_object();
    rc = SM_ENOMEM;
    if (ctx != NULL && s != NULL) {
        rc = json_object_set_new(ctx, "service", s) == 0 ? SM_OK : SM_ENOMEM;
        s = NULL;
    }
    json_decref(s);
    if (rc == SM_OK)
        rc = web_reg_content_view(req, ctx, &svc->content);
    sm_registry_service_free(svc);
    if (rc == SM_OK)
        rc = web_reg_notice(req, ctx);
    if (rc == SM_OK && rc_alert != SM_OK)
        rc = web_reg_alert(req, ctx, rc_alert, alert_diag);
    if (rc != SM_OK) {
        json_decref(ctx);
        return rc;
    }
    return web_reg_render(req, status, "operator_service.html", "operator.service.title", ctx);
}

int route_operator_service(struct web_request *req)
{
    struct web_reg u;
    int rc = web_reg_gate(req, WEB_REG_OPERATOR, &u);
    if (rc != SM_OK || u.session == NULL)
        return rc;
    int64_t id = 0;
    if (!web_reg_id(web_query_get(req, "id"), &id))
        return web_fail(req, 404, NULL, "give the service as ?id=N");
    return show_service(req, &u, id, 200, SM_OK, NULL);
}

int route_operator_service_status(struct web_request *req)
{
    struct web_reg u;
    int rc = web_reg_post(req, WEB_REG_OPERATOR, &u);
    if (rc != SM_OK || u.session == NULL)
        return rc;
    int64_t id = 0;
    if (!web_reg_id(web_reg_field(&u, "id"), &id))
        return web_fail(req, 400, NULL, "the id field is not a service id");
    const char *action = web_reg_field(&u, "action");
    const char *reason = opt(&u, "reason");
    struct sm_diag diag;
    sm_diag_clear(&diag);
    const char *done = NULL;
    if (action != NULL && strcmp(action, "suspend") == 0) {
        rc = sm_registry_suspend(web_store(req), &u.who, id, reason, &diag);
        done = "suspended";
    } else if (action != NULL && strcmp(action, "reinstate") == 0) {
        rc = sm_registry_reinstate(web_store(req), &u.who, id, reason, &diag);
        done = "reinstated";
    } else if (action != NULL && strcmp(action, "withdraw") == 0) {
        rc = sm_registry_withdraw(web_store(req), &u.who, id, reason, &diag);
        done = "removed";
    } else {
        return web_fail(req, 400, NULL, "action must be suspend, reinstate or withdraw");
    }
    if (web_reg_shown_in_form(rc))
        return show_service(req, &u, id, web_status_for(rc), rc, &diag);
    if (rc != SM_OK)
        return web_fail_err(req, rc, &diag);
    return web_reg_redirect(req, "/operator/service?id=%lld&done=%s", (long long)id, done);
}

/* --- inquiries by channel ---------------------------------------------------------------- */

/* Unix seconds of the start of day in Japan, or false when s is not a date. */
static bool day_start(const char *s, int64_t *out)
{
    int32_t d = 0;
    if (sm_date_parse(s, &d) != SM_OK)
        return false;
    *out = (int64_t)d * 86400 - 9 * 3600;
    return true;
}

/* Adds count to the row of key in the object by (one object per dimension). */
static int tally(json_t *by, const char *key, json_int_t count)
{
    json_t *old = json_object_get(by, key);
    json_int_t n = old != NULL ? json_integer_value(old) : 0;
    return json_object_set_new(by, key, json_integer(n + count)) == 0 ? SM_OK : SM_ENOMEM;
}

/* The object {key: count} as rows [{name, count}], most first. */
static json_t *rows_of(json_t *by)
{
    json_t *rows = json_array();
    const char *key;
    json_t *v;
    json_object_foreach(by, key, v)
    {
        json_int_t n = json_integer_value(v);
        size_t at = 0;
        while (at < json_array_size(rows) &&
               json_integer_value(json_object_get(json_array_get(rows, at), "count")) >= n)
            at++;
        json_t *o = json_pack("{s:s,s:I}", "name", key, "count", n);
        if (rows == NULL || o == NULL || json_array_insert_new(rows, at, o) != 0) {
            json_decref(rows);
            return NULL;
        }
    }
    return rows;
}

int route_operator_inquiries(struct web_request *req)
{
    struct web_reg u;
    int rc = web_reg_gate(req, WEB_REG_OPERATOR, &u);
    if (rc != SM_OK || u.session == NULL)
        return rc;
    const char *from_s = web_query_get(req, "from"), *to_s = web_query_get(req, "to");
    int64_t from = 0, to = 0;
    if (from_s != NULL && from_s[0] != '\0' && !day_start(from_s, &from))
        return web_fail(req, 400, NULL, "from is not YYYY-MM-DD");
    if (to_s != NULL && to_s[0] != '\0') {
        if (!day_start(to_s, &to))
            return web_fail(req, 400, NULL, "to is not YYYY-MM-DD");
        to += 86400; /* the last day counts */
    }
    struct sm_diag diag;
    sm_diag_clear(&diag);
    struct sm_inquiry_channel_list *list = NULL;
    rc = sm_inquiry_channels(web_store(req), &u.who, from, to, &list, &diag);
    if (rc != SM_OK)
        return web_fail_err(req, rc, &diag);
    const char *none = web_text(req, "operator.channels.none");
    json_t *ctx = json_pack("{s:s,s:s,s:I}", "from", from_s != NULL ? from_s : "", "to",
                            to_s != NULL ? to_s : "", "total", (json_int_t)list->total);
    json_t *channels = json_array();
    json_t *by[4] = { json_object(), json_object(), json_object(), json_object() };
    rc = ctx != NULL && channels != NULL && json_object_set_new(ctx, "channels", channels) == 0
             ? SM_OK
             : SM_ENOMEM;
    for (size_t k = 0; k < 4; k++)
        if (by[k] == NULL)
            rc = SM_ENOMEM;
    for (size_t i = 0; rc == SM_OK && i < list->n; i++) {
        const struct sm_inquiry_channel *c = &list->items[i];
        const char *ref = web_reg_label(req, "referrer", sm_referrer_kind_name(c->referrer));
        const char *src = c->utm_source[0] != '\0' ? c->utm_source : none;
        const char *med = c->utm_medium[0] != '\0' ? c->utm_medium : none;
        const char *cmp = c->utm_campaign[0] != '\0' ? c->utm_campaign : none;
        json_t *o = json_pack("{s:s,s:s,s:s,s:s,s:I}", "source", src, "medium", med, "campaign",
                              cmp, "referrer", ref, "count", (json_int_t)c->count);
        if (o == NULL || json_array_append_new(channels, o) != 0)
            rc = SM_ENOMEM;
        if (rc == SM_OK)
            rc = tally(by[0], src, c->count);
        if (rc == SM_OK)
            rc = tally(by[1], med, c->count);
        if (rc == SM_OK)
            rc = tally(by[2], cmp, c->count);
        if (rc == SM_OK)
            rc = tally(by[3], ref, c->count);
    }
    sm_inquiry_channel_list_free(list);
    static const char *const dims[] = { "by_source", "by_medium", "by_campaign", "by_referrer" };
    for (size_t k = 0; k < 4; k++) {
        json_t *rows = rc == SM_OK ? rows_of(by[k]) : NULL;
        if (rc == SM_OK && (rows == NULL || json_object_set_new(ctx, dims[k], rows) != 0))
            rc = SM_ENOMEM;
        json_decref(by[k]);
    }
    if (rc != SM_OK) {
        json_decref(ctx);
        return rc;
    }
    return web_reg_render(req, 200, "operator_inquiries.html", "operator.channels.title", ctx);
}

/* --- the outbox ------------------------------------------------------------------------- */

#define OUTBOX_SHOWN 200

int route_operator_outbox(struct web_request *req)
{
    struct web_reg u;
    int rc = web_reg_gate(req, WEB_REG_OPERATOR, &u);
    if (rc != SM_OK || u.session == NULL)
        return rc;
    struct sm_diag diag;
    sm_diag_clear(&diag);
    struct sm_outbox_list *list = NULL;
    rc = sm_outbox_recent(web_store(req), &u.who, OUTBOX_SHOWN, &list, &diag);
    if (rc != SM_OK)
        return web_fail_err(req, rc, &diag);
    json_t *ctx = json_object(), *items = json_array();
    rc = ctx != NULL && items != NULL && json_object_set_new(ctx, "mails", items) == 0 &&
                 json_object_set_new(ctx, "shown", json_integer(OUTBOX_SHOWN)) == 0
             ? SM_OK
             : SM_ENOMEM;
    for (size_t i = 0; rc == SM_OK && i < list->n; i++) {
        const struct sm_outbox_mail *m = &list->items[i];
        const char *state = m->sent_at != 0 ? "sent" : m->last_error != NULL ? "failed" : "pending";
        json_t *o =
            json_pack("{s:I,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:i,s:o}", "id", (json_int_t)m->id, "to",
                      m->to, "subject", m->subject, "body", m->body, "created",
                      web_reg_time(req, m->created_at), "sent", web_reg_time(req, m->sent_at),
                      "state", state, "state_label", web_reg_label(req, "mail", state), "attempts",
                      m->attempts, "last_error", web_reg_str(m->last_error));
        if (o == NULL || json_array_append_new(items, o) != 0)
            rc = SM_ENOMEM;
    }
    sm_outbox_list_free(list);
    if (rc != SM_OK) {
        json_decref(ctx);
        return rc;
    }
    return web_reg_render(req, 200, "operator_outbox.html", "operator.outbox.title", ctx);
}

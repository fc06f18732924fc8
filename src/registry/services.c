/*
 * Reading services (see smesec/registry.h): a service's page, public or behind login, and
 * the service lists of the portal and the reviewer and operator pages.
 *
 * Which content is shown: the public sees only the approved version (public_version_id) of
 * a service listed today; a provider, reviewer or operator may also see the version of the
 * open application. A service never approved shows its latest application's content behind
 * login. Listing is decided by SM__LISTED, the one condition the search uses too.
 */
#include "registry/internal.h"

#include "smesec/alloc.h"

#include <string.h>

#include "util/banned.h"

enum sm_svc_status sm_registry_status_at(enum sm_svc_status stored, const char *renewal_on,
                                         const char *today)
{
    int32_t due, now;
    switch (stored) {
    case SM_SVC_REGISTERED:
    case SM_SVC_RENEWAL_DUE:
        /* Without a known renewal date (a fact not yet entered) nothing can be computed. */
        if (sm_date_parse(renewal_on, &due) || sm_date_parse(today, &now))
            return stored;
        if (due < now)
            return SM_SVC_LAPSED;
        return due - now <= SM_RENEWAL_DUE_DAYS ? SM_SVC_RENEWAL_DUE : SM_SVC_REGISTERED;
    case SM_SVC_APPLIED:
    case SM_SVC_UNDER_REVIEW:
    case SM_SVC_SUSPENDED:
    case SM_SVC_WITHDRAWN:
    case SM_SVC_REJECTED:
    case SM_SVC_LAPSED:
        break;
    }
    return stored;
}

static bool listed(enum sm_svc_status stored, const char *renewal_on, int64_t public_version,
                   const char *today)
{
    if (public_version <= 0 || !renewal_on || !sm_date_valid(renewal_on))
        return false;
    if (stored != SM_SVC_REGISTERED && stored != SM_SVC_RENEWAL_DUE)
        return false;
    return strcmp(renewal_on, today) >= 0;
}

static int check_today(const char *today, struct sm_diag *diag)
{
    if (!sm_date_valid(today))
        return sm_diag_set(diag, SM_EINVAL, "date '%s' is not YYYY-MM-DD", today ? today : "");
    return SM_OK;
}

/* The open-application condition on applications aliased a. */
#define OPEN_STATES "a.state IN ('submitted', 'under_review', 'changes_requested')"

static int service_load(struct sm_store *store, int64_t id, const char *today, bool public_only,
                        bool latest, const struct sm_registry_who *who,
                        struct sm_registry_service **out, struct sm_diag *diag)
{
    int rc = check_today(today, diag);
    if (rc)
        return rc;
    struct sm_arena *a = NULL;
    struct sm_registry_service *svc = NULL;
    struct sm_sql *st = NULL;
    bool oom = false;
    int64_t open_version = 0, last_version = 0;
    if ((rc = sm__reg_new(sizeof *svc, &a, (void **)&svc)))
        return rc;
    svc->priv = a;
    rc = sm_sql_prepare(store,
                        "SELECT s.id, s.provider_id, p.name, p.fictitious, s.status,"
                        " s.registration_no, s.registered_on, s.renewal_on, s.status_note,"
                        " s.public_version_id, a.id, a.kind, a.state, a.version_id,"
                        " (SELECT MAX(x.version_id) FROM applications x WHERE x.service_id = s.id)"
                        " FROM services s JOIN providers p ON p.id = s.provider_id"
                        " LEFT JOIN applications a ON a.service_id = s.id AND " OPEN_STATES
                        " WHERE s.id = ?",
                        &st, diag);
    if (!rc)
        rc = sm_sql_bindv(st, "i", id);
    if (!rc)
        rc = sm_sql_step(st, diag);
    if (rc == SM_SQL_DONE)
        rc = sm_diag_set(diag, SM_ENOTFOUND, "no service %lld", (long long)id);
    if (rc == SM_SQL_ROW) {
        rc = SM_OK;
        svc->id = sm_sql_int64(st, 0);
        svc->provider_id = sm_sql_int64(st, 1);
        svc->provider_name = sm__col(a, st, 2, &oom);
        svc->fictitious = sm_sql_int64(st, 3) != 0;
        const char *status = sm_sql_text(st, 4);
        rc = sm__parse_stored(sm_svc_status_parse(status, &svc->status), "status", status, diag);
        svc->registration_no = sm__col(a, st, 5, &oom);
        svc->registered_on = sm__col(a, st, 6, &oom);
        svc->renewal_on = sm__col(a, st, 7, &oom);
        svc->status_note = sm__col(a, st, 8, &oom);
        svc->version_id = sm_sql_int64(st, 9);
        if (!sm_sql_is_null(st, 10)) {
            svc->open_application = sm_sql_int64(st, 10);
            const char *k = sm_sql_text(st, 11), *s = sm_sql_text(st, 12);
            if (!rc)
                rc = sm__parse_stored(sm_app_kind_parse(k, &svc->open_kind), "kind", k, diag);
            if (!rc)
                rc = sm__parse_stored(sm_app_state_parse(s, &svc->open_state), "state", s, diag);
            open_version = sm_sql_int64(st, 13);
        }
        last_version = sm_sql_int64(st, 14);
        if (!rc && oom)
            rc = SM_ENOMEM;
    }
    sm_sql_free(st);
    if (rc)
        goto fail;
    svc->effective = sm_registry_status_at(svc->status, svc->renewal_on, today);
    svc->listed = listed(svc->status, svc->renewal_on, svc->version_id, today);
    if (public_only && !svc->listed) {
        rc = sm_diag_set(diag, SM_ENOTFOUND, "service %lld is not listed", (long long)id);
        goto fail;
    }
    if (!public_only && !sm_registry_can_view(who, svc->provider_id)) {
        rc = sm_diag_set(diag, SM_EPERM, "not allowed to see service %lld", (long long)id);
        goto fail;
    }
    svc->content_is_public = svc->version_id > 0;
    if (latest && open_version > 0) {
        svc->version_id = open_version;
        svc->content_is_public = false;
    } else if (svc->version_id <= 0) {
        svc->version_id = last_version;
    }
    if (public_only) {
        /* Nothing of the review process shows on a public page. */
        svc->open_application = 0;
        svc->status_note = NULL;
    }
    if (svc->version_id > 0)
        rc = sm__content_load(store, svc->version_id, a, &svc->content, diag);
    else
        rc = sm_diag_set(diag, SM_EDB, "service %lld has no content", (long long)id);
    if (rc)
        goto fail;
    *out = svc;
    return SM_OK;
fail:
    sm__reg_free(a);
    return rc;
}

int sm_registry_service_public(struct sm_store *store, int64_t id, const char *today,
                               struct sm_registry_service **out, struct sm_diag *diag)
{
    return service_load(store, id, today, true, false, NULL, out, diag);
}

int sm_registry_service_get(struct sm_store *store, const struct sm_registry_who *who, int64_t id,
                            bool latest, const char *today, struct sm_registry_service **out,
                            struct sm_diag *diag)
{
    return service_load(store, id, today, false, latest, who, out, diag);
}

void sm_registry_service_free(struct sm_registry_service *svc)
{
    if (svc)
        sm__reg_free(svc->priv);
}

int sm_registry_services(struct sm_store *store, const struct sm_registry_who *who,
                         int64_t provider_id, const char *today,
                         struct sm_registry_service_list **out, struct sm_diag *diag)
{
    int rc = check_today(today, diag);
    if (rc)
        return rc;
    if (provider_id == 0 ? !sm_registry_can_review(who) : !sm_registry_can_view(who, provider_id))
        return sm_diag_set(diag, SM_EPERM, "not allowed to list these services");
    struct sm_arena *a = NULL;
    struct sm_registry_service_list *list = NULL;
    struct sm_sql *st = NULL;
    size_t cap = 0;
    bool oom = false;
    if ((rc = sm__reg_new(sizeof *list, &a, (void **)&list)))
        return rc;
    list->priv = a;
    rc = sm_sql_prepare(store,
                        "SELECT s.id, s.provider_id, p.name, p.fictitious,"
                        " COALESCE(v.name, f.name), COALESCE(v.service_class, f.service_class),"
                        " COALESCE(v.monitoring_type, f.monitoring_type), s.status,"
                        " s.registration_no, s.registered_on, s.renewal_on, a.id, a.kind,"
                        " a.state, s.public_version_id"
                        " FROM services s JOIN providers p ON p.id = s.provider_id"
                        " LEFT JOIN service_versions v ON v.id = s.public_version_id"
                        " LEFT JOIN applications a ON a.service_id = s.id AND " OPEN_STATES
                        " LEFT JOIN service_versions f ON f.id = (SELECT MAX(x.version_id)"
                        "   FROM applications x WHERE x.service_id = s.id)"
                        " WHERE ? = 0 OR s.provider_id = ? ORDER BY p.name, s.id",
                        &st, diag);
    if (!rc)
        rc = sm_sql_bindv(st, "ii", provider_id, provider_id);
    while (!rc && (rc = sm_sql_step(st, diag)) == SM_SQL_ROW) {
        rc = SM_OK;
        struct sm_registry_service_row *r =
            sm__vec_push(a, (void **)&list->items, &list->n, &cap, sizeof *r);
        if (!r) {
            rc = SM_ENOMEM;
            break;
        }
        r->id = sm_sql_int64(st, 0);
        r->provider_id = sm_sql_int64(st, 1);
        r->provider_name = sm__col(a, st, 2, &oom);
        r->fictitious = sm_sql_int64(st, 3) != 0;
        r->name = sm__col(a, st, 4, &oom);
        r->service_class = (int)sm_sql_int64(st, 5);
        const char *mon = sm_sql_text(st, 6), *status = sm_sql_text(st, 7);
        if (mon)
            rc = sm__parse_stored(sm_monitoring_parse(mon, &r->monitoring), "type", mon, diag);
        if (!rc)
            rc = sm__parse_stored(sm_svc_status_parse(status, &r->status), "status", status, diag);
        r->registration_no = sm__col(a, st, 8, &oom);
        r->registered_on = sm__col(a, st, 9, &oom);
        r->renewal_on = sm__col(a, st, 10, &oom);
        if (!rc && !sm_sql_is_null(st, 11)) {
            r->open_application = sm_sql_int64(st, 11);
            const char *k = sm_sql_text(st, 12), *s = sm_sql_text(st, 13);
            rc = sm__parse_stored(sm_app_kind_parse(k, &r->open_kind), "kind", k, diag);
            if (!rc)
                rc = sm__parse_stored(sm_app_state_parse(s, &r->open_state), "state", s, diag);
        }
        r->effective = sm_registry_status_at(r->status, r->renewal_on, today);
        r->listed = listed(r->status, r->renewal_on, sm_sql_int64(st, 14), today);
        if (!rc && oom)
            rc = SM_ENOMEM;
    }
    sm_sql_free(st);
    if (rc != SM_SQL_DONE) {
        sm__reg_free(a);
        return rc < 0 ? rc : SM_EDB;
    }
    *out = list;
    return SM_OK;
}

void sm_registry_service_list_free(struct sm_registry_service_list *list)
{
    if (list)
        sm__reg_free(list->priv);
}

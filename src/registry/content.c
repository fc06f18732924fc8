/*
 * Service content in the database: a version row with its devices and its search rows in
 * service_areas, and the conformance report stored with an application.
 *
 * Invariants: a version is never changed once written (an amendment writes a new one), so
 * what a reviewer approved is exactly what the public sees; a version's pref_mask and
 * nationwide flag always agree with its service_areas rows (both are written here, in the
 * caller's transaction, and nowhere else); ransomware_best is the best of its devices.
 */
#include "registry/internal.h"

#include "smesec/alloc.h"

#include <string.h>

#include "util/banned.h"

/* The content columns of service_versions, in the order both insert and load use. */
#define CONTENT_COLUMNS                                                               \
 "name, summary, service_class, monitoring_type, nationwide, pref_mask, monthly_yen," \
 " device_monthly_yen, initial_yen, price_note, helpdesk, helpdesk_hours,"            \
 " helpdesk_channels, monitoring_24h, monitoring_method, onsite, remote_support,"     \
 " insurance, insurance_initial_response, insurance_pays, insurance_user_pays,"       \
 " contract_terms, contract_min_months, desc_helpdesk, desc_monitoring, desc_onsite," \
 " desc_insurance, class1_since, customers_1y, monitored_endpoints, ransomware_best"
#define CONTENT_N 31

static int bind_content(struct sm_sql *st, const struct sm_service_content *c)
{
    int i = 1, rc;
    if ((rc = sm__bind_text(st, i++, c->name)) || (rc = sm__bind_text(st, i++, c->summary)) ||
        (rc = sm_sql_bind_int64(st, i++, c->service_class)) ||
        (rc = sm_sql_bind_text(st, i++, sm_monitoring_name(c->monitoring), (size_t)-1)) ||
        (rc = sm_sql_bind_int64(st, i++, c->nationwide ? 1 : 0)) ||
        (rc = sm_sql_bind_int64(st, i++, c->nationwide ? 0 : (int64_t)c->prefectures)) ||
        (rc = sm__bind_opt(st, i++, c->monthly_yen)) ||
        (rc = sm__bind_opt(st, i++, c->device_monthly_yen)) ||
        (rc = sm__bind_opt(st, i++, c->initial_yen)) ||
        (rc = sm__bind_text(st, i++, c->price_note)) || (rc = sm__bind_tri(st, i++, c->helpdesk)) ||
        (rc = sm__bind_text(st, i++, c->helpdesk_hours)) ||
        (rc = sm_sql_bind_int64(st, i++, c->helpdesk_channels)) ||
        (rc = sm__bind_tri(st, i++, c->monitoring_24h)) ||
        (rc = sm__bind_text(st, i++, c->monitoring_method)) ||
        (rc = sm__bind_tri(st, i++, c->onsite)) ||
        (rc = sm__bind_tri(st, i++, c->remote_support)) ||
        (rc = sm__bind_tri(st, i++, c->insurance)) ||
        (rc = sm__bind_tri(st, i++, c->insurance_initial_response)) ||
        (rc = sm__bind_text(st, i++, c->insurance_pays)) ||
        (rc = sm__bind_text(st, i++, c->insurance_user_pays)) ||
        (rc = sm__bind_text(st, i++, c->contract_terms)) ||
        (rc = sm__bind_opt(st, i++, c->contract_min_months)) ||
        (rc = sm__bind_text(st, i++, c->desc_helpdesk)) ||
        (rc = sm__bind_text(st, i++, c->desc_monitoring)) ||
        (rc = sm__bind_text(st, i++, c->desc_onsite)) ||
        (rc = sm__bind_text(st, i++, c->desc_insurance)) ||
        (rc = sm__bind_text(st, i++, c->class1_since)) ||
        (rc = sm__bind_opt(st, i++, c->customers_1y)) ||
        (rc = sm__bind_opt(st, i++, c->monitored_endpoints)) ||
        (rc = sm_sql_bind_text(st, i++, sm_effect_name(sm_service_ransomware_best(c)), (size_t)-1)))
        return rc;
    return SM_OK;
}

static int insert_devices(struct sm_store *store, int64_t version_id,
                          const struct sm_service_content *c, struct sm_diag *diag)
{
    if (c->n_devices == 0)
        return SM_OK;
    struct sm_sql *st = NULL;
    int rc = sm_sql_prepare(store,
                            "INSERT INTO service_devices (version_id, position, catalog_id, maker,"
                            " kind, product, functions, ransomware, reason)"
                            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                            &st, diag);
    for (size_t i = 0; !rc && i < c->n_devices; i++) {
        const struct sm_device *d = &c->devices[i];
        rc = sm_sql_bindv(st, "ii", version_id, (int64_t)i);
        if (!rc)
            rc = d->catalog_id > 0 ? sm_sql_bind_int64(st, 3, d->catalog_id)
                                   : sm_sql_bind_null(st, 3);
        if (!rc)
            rc = sm__bind_text(st, 4, d->maker);
        if (!rc)
            rc = sm_sql_bind_text(st, 5, sm_device_kind_name(d->kind), (size_t)-1);
        if (!rc)
            rc = sm__bind_text(st, 6, d->product);
        if (!rc)
            rc = sm__bind_text(st, 7, d->functions);
        if (!rc)
            rc = sm_sql_bind_text(st, 8, sm_effect_name(d->ransomware), (size_t)-1);
        if (!rc)
            rc = sm__bind_text(st, 9, d->reason);
        if (!rc)
            rc = sm__step_done(st, diag);
        if (!rc)
            rc = sm_sql_reset(st);
    }
    sm_sql_free(st);
    if (rc == SM_EEXIST)
        rc = sm_diag_set(diag, SM_EINVAL, "a device names a catalog entry that does not exist");
    return rc;
}

static int insert_areas(struct sm_store *store, int64_t version_id,
                        const struct sm_service_content *c, struct sm_diag *diag)
{
    if (c->nationwide)
        return sm_sql_run(store, NULL, diag,
                          "INSERT INTO service_areas (version_id, pref_code) VALUES (?, '00')", "i",
                          version_id);
    if (!c->prefectures)
        return SM_OK;
    struct sm_sql *st = NULL;
    int rc = sm_sql_prepare(
        store, "INSERT INTO service_areas (version_id, pref_code) VALUES (?, ?)", &st, diag);
    for (int n = 1; !rc && n <= 47; n++) {
        if (!(c->prefectures & ((uint64_t)1 << n)))
            continue;
        char code[3] = { (char)('0' + n / 10), (char)('0' + n % 10), '\0' };
        rc = sm_sql_bindv(st, "it", version_id, code);
        if (!rc)
            rc = sm__step_done(st, diag);
        if (!rc)
            rc = sm_sql_reset(st);
    }
    sm_sql_free(st);
    return rc;
}

int sm__content_insert(struct sm_store *store, int64_t service_id,
                       const struct sm_service_content *c, const char *by, int64_t *version_id,
                       struct sm_diag *diag)
{
    struct sm_sql *st = NULL;
    int64_t id = 0;
    int rc = sm_sql_prepare(store,
                            "INSERT INTO service_versions (" CONTENT_COLUMNS
                            ", service_id, created_at, created_by) VALUES (?, ?, ?, ?, ?, ?, ?,"
                            " ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?,"
                            " ?, ?, ?, ?, ?) RETURNING id",
                            &st, diag);
    if (!rc)
        rc = bind_content(st, c);
    if (!rc)
        rc = sm_sql_bind_int64(st, CONTENT_N + 1, service_id);
    if (!rc)
        rc = sm_sql_bind_int64(st, CONTENT_N + 2, sm__now());
    if (!rc)
        rc = sm_sql_bind_text(st, CONTENT_N + 3, by ? by : "system", (size_t)-1);
    if (!rc)
        rc = sm_sql_step(st, diag);
    if (rc == SM_SQL_ROW) {
        id = sm_sql_int64(st, 0);
        rc = sm_sql_step(st, diag);
    } else if (rc == SM_SQL_DONE) {
        rc = SM_EDB;
    }
    sm_sql_free(st);
    if (rc != SM_SQL_DONE)
        return rc < 0 ? rc : SM_EDB;
    rc = insert_devices(store, id, c, diag);
    if (!rc)
        rc = insert_areas(store, id, c, diag);
    if (!rc)
        *version_id = id;
    return rc;
}

static int load_devices(struct sm_store *store, int64_t version_id, struct sm_arena *a,
                        struct sm_service_content *c, struct sm_diag *diag)
{
    struct sm_sql *st = NULL;
    struct sm_device *items = NULL;
    size_t n = 0, cap = 0;
    bool oom = false;
    int rc = sm_sql_prepare(store,
                            "SELECT catalog_id, maker, kind, product, functions, ransomware,"
                            " reason FROM service_devices WHERE version_id = ? ORDER BY position",
                            &st, diag);
    if (!rc)
        rc = sm_sql_bindv(st, "i", version_id);
    while (!rc && (rc = sm_sql_step(st, diag)) == SM_SQL_ROW) {
        rc = SM_OK;
        struct sm_device *d = sm__vec_push(a, (void **)&items, &n, &cap, sizeof *d);
        if (!d) {
            rc = SM_ENOMEM;
            break;
        }
        d->catalog_id = sm_sql_int64(st, 0);
        d->maker = sm__col(a, st, 1, &oom);
        const char *kind = sm_sql_text(st, 2), *eff = sm_sql_text(st, 5);
        rc = sm__parse_stored(sm_device_kind_parse(kind, &d->kind), "device kind", kind, diag);
        if (!rc)
            rc = sm__parse_stored(sm_effect_parse(eff, &d->ransomware), "rating", eff, diag);
        d->product = sm__col(a, st, 3, &oom);
        d->functions = sm__col(a, st, 4, &oom);
        d->reason = sm__col(a, st, 6, &oom);
        if (!rc && oom)
            rc = SM_ENOMEM;
    }
    sm_sql_free(st);
    if (rc != SM_SQL_DONE)
        return rc < 0 ? rc : SM_EDB;
    c->devices = items;
    c->n_devices = n;
    return SM_OK;
}

int sm__content_load(struct sm_store *store, int64_t version_id, struct sm_arena *a,
                     struct sm_service_content *c, struct sm_diag *diag)
{
    struct sm_sql *st = NULL;
    bool oom = false;
    sm_service_content_init(c);
    int rc = sm_sql_prepare(store, "SELECT " CONTENT_COLUMNS " FROM service_versions WHERE id = ?",
                            &st, diag);
    if (!rc)
        rc = sm_sql_bindv(st, "i", version_id);
    if (!rc)
        rc = sm_sql_step(st, diag);
    if (rc == SM_SQL_DONE)
        rc = sm_diag_set(diag, SM_ENOTFOUND, "no service version %lld", (long long)version_id);
    if (rc != SM_SQL_ROW) {
        sm_sql_free(st);
        return rc;
    }
    int i = 0;
    c->name = sm__col(a, st, i++, &oom);
    c->summary = sm__col(a, st, i++, &oom);
    c->service_class = (int)sm_sql_int64(st, i++);
    const char *mon = sm_sql_text(st, i++);
    rc = sm__parse_stored(sm_monitoring_parse(mon, &c->monitoring), "monitoring type", mon, diag);
    c->nationwide = sm_sql_int64(st, i++) != 0;
    c->prefectures = (uint64_t)sm_sql_int64(st, i++) & SM_PREF_ALL_MASK;
    c->monthly_yen = sm__col_opt(st, i++);
    c->device_monthly_yen = sm__col_opt(st, i++);
    c->initial_yen = sm__col_opt(st, i++);
    c->price_note = sm__col(a, st, i++, &oom);
    c->helpdesk = sm__col_tri(st, i++);
    c->helpdesk_hours = sm__col(a, st, i++, &oom);
    c->helpdesk_channels = (unsigned)sm_sql_int64(st, i++) & SM_CHANNEL_ALL;
    c->monitoring_24h = sm__col_tri(st, i++);
    c->monitoring_method = sm__col(a, st, i++, &oom);
    c->onsite = sm__col_tri(st, i++);
    c->remote_support = sm__col_tri(st, i++);
    c->insurance = sm__col_tri(st, i++);
    c->insurance_initial_response = sm__col_tri(st, i++);
    c->insurance_pays = sm__col(a, st, i++, &oom);
    c->insurance_user_pays = sm__col(a, st, i++, &oom);
    c->contract_terms = sm__col(a, st, i++, &oom);
    c->contract_min_months = sm__col_opt(st, i++);
    c->desc_helpdesk = sm__col(a, st, i++, &oom);
    c->desc_monitoring = sm__col(a, st, i++, &oom);
    c->desc_onsite = sm__col(a, st, i++, &oom);
    c->desc_insurance = sm__col(a, st, i++, &oom);
    c->class1_since = sm__col(a, st, i++, &oom);
    c->customers_1y = sm__col_opt(st, i++);
    c->monitored_endpoints = sm__col_opt(st, i++);
    sm_sql_free(st);
    if (!rc && oom)
        rc = SM_ENOMEM;
    if (!rc)
        rc = load_devices(store, version_id, a, c, diag);
    return rc;
}

int sm__checks_store(struct sm_store *store, int64_t application_id,
                     const struct sm_service_content *content, const char *today,
                     struct sm_diag *diag)
{
    const struct sm_standard *std = NULL;
    struct sm_conformance *rep = NULL;
    struct sm_sql *st = NULL;
    int rc = sm_standard_builtin(&std, diag);
    if (!rc)
        rc = sm_standard_check(std, NULL, content, today, &rep, diag);
    if (!rc)
        rc =
            sm_sql_run(store, NULL, diag, "DELETE FROM application_checks WHERE application_id = ?",
                       "i", application_id);
    if (!rc)
        rc = sm_sql_run(store, NULL, diag,
                        "UPDATE applications SET standard_version = ? WHERE id = ?", "ti",
                        rep->version, application_id);
    if (!rc)
        rc = sm_sql_prepare(store,
                            "INSERT INTO application_checks (application_id, requirement_id,"
                            " position, check_kind, verdict, reason_ja, reason_en)"
                            " VALUES (?, ?, ?, ?, ?, ?, ?)",
                            &st, diag);
    for (size_t i = 0; !rc && i < rep->n; i++) {
        const struct sm_conformance_item *it = &rep->items[i];
        rc = sm_sql_bindv(st, "itittt", application_id, it->req->id, (int64_t)i,
                          sm_check_kind_name(it->req->check), sm_verdict_name(it->verdict),
                          it->reason_ja);
        if (!rc)
            rc = sm_sql_bind_text(st, 7, it->reason_en, (size_t)-1);
        if (!rc)
            rc = sm__step_done(st, diag);
        if (!rc)
            rc = sm_sql_reset(st);
    }
    sm_sql_free(st);
    sm_conformance_free(rep);
    return rc;
}

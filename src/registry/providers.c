/*
 * Providers and the device catalog (see smesec/registry.h).
 *
 * A provider's staff may keep its contact details current, but its name, its fictitious
 * flag and the date of its first class-1 registration are the registry's records: only an
 * operator changes those, and an update by the provider's staff keeps them as stored.
 */
#include "registry/internal.h"

#include "smesec/alloc.h"

#include <string.h>

#include "util/banned.h"

#define PROVIDER_FIELD_MAX 500

static int check_provider(const struct sm_provider *in, struct sm_diag *diag)
{
    int rc;
    if ((rc = sm__check_text("provider name", in->name, SM_SERVICE_NAME_MAX, true, diag)) ||
        (rc = sm__check_text("provider contact name", in->contact_name, PROVIDER_FIELD_MAX, false,
                             diag)) ||
        (rc = sm__check_text("provider e-mail", in->contact_email, PROVIDER_FIELD_MAX, false,
                             diag)) ||
        (rc = sm__check_text("provider phone", in->contact_phone, PROVIDER_FIELD_MAX, false,
                             diag)) ||
        (rc = sm__check_text("provider web site", in->website, PROVIDER_FIELD_MAX, false, diag)) ||
        (rc = sm__check_text("provider note", in->note, SM_SERVICE_TEXT_MAX, false, diag)))
        return rc;
    if (in->head_office_pref && *in->head_office_pref && !sm_pref_code_valid(in->head_office_pref))
        return sm_diag_set(diag, SM_EINVAL, "head-office prefecture '%s' is not 01..47",
                           in->head_office_pref);
    if (in->contact_email && *in->contact_email) {
        const char *at = strchr(in->contact_email, '@');
        if (!at || at == in->contact_email || !at[1] || strchr(at + 1, '@') ||
            strpbrk(in->contact_email, " \r\n\t,;<>"))
            return sm_diag_set(diag, SM_EINVAL, "provider e-mail '%s' is not an address",
                               in->contact_email);
    }
    if (in->class1_first_on && *in->class1_first_on && !sm_date_valid(in->class1_first_on))
        return sm_diag_set(diag, SM_EINVAL, "class-1 registration date '%s' is not YYYY-MM-DD",
                           in->class1_first_on);
    return SM_OK;
}

int sm_registry_provider_add(struct sm_store *store, const struct sm_registry_who *who,
                             const struct sm_provider *in, int64_t *id_out, struct sm_diag *diag)
{
    if (!sm_registry_can_operate(who))
        return sm_diag_set(diag, SM_EPERM, "only an operator adds providers");
    int rc = check_provider(in, diag);
    if (rc)
        return rc;
    int64_t id = 0, now = sm__now();
    struct sm_sql *st = NULL;
    if ((rc = sm__reg_begin(store, diag)))
        return rc;
    rc = sm_sql_prepare(store,
                        "INSERT INTO providers (name, head_office_pref, contact_name,"
                        " contact_email, contact_phone, website, fictitious, class1_first_on,"
                        " note, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
                        " RETURNING id",
                        &st, diag);
    if (!rc)
        rc = sm__bind_text(st, 1, in->name);
    if (!rc)
        rc = sm__bind_text(st, 2, in->head_office_pref);
    if (!rc)
        rc = sm__bind_text(st, 3, in->contact_name);
    if (!rc)
        rc = sm__bind_text(st, 4, in->contact_email);
    if (!rc)
        rc = sm__bind_text(st, 5, in->contact_phone);
    if (!rc)
        rc = sm__bind_text(st, 6, in->website);
    if (!rc)
        rc = sm_sql_bind_int64(st, 7, in->fictitious ? 1 : 0);
    if (!rc)
        rc = sm__bind_text(st, 8, in->class1_first_on);
    if (!rc)
        rc = sm__bind_text(st, 9, in->note);
    if (!rc)
        rc = sm_sql_bind_int64(st, 10, now);
    if (!rc)
        rc = sm_sql_bind_int64(st, 11, now);
    if (!rc)
        rc = sm_sql_step(st, diag);
    if (rc == SM_SQL_ROW) {
        id = sm_sql_int64(st, 0);
        rc = sm__step_done(st, diag);
    } else if (rc == SM_SQL_DONE) {
        rc = SM_EDB;
    }
    sm_sql_free(st);
    if (rc == SM_EEXIST)
        sm_diag_set(diag, rc, "provider '%s' already exists", in->name);
    if (!rc)
        rc = sm__reg_audit(store, who, "provider.add", "provider", id, in->name, diag);
    rc = sm__reg_finish(store, rc, diag);
    if (!rc && id_out)
        *id_out = id;
    return rc;
}

int sm_registry_provider_update(struct sm_store *store, const struct sm_registry_who *who,
                                const struct sm_provider *in, struct sm_diag *diag)
{
    if (!sm_registry_can_edit(who, in->id))
        return sm_diag_set(diag, SM_EPERM, "not allowed to change provider %lld",
                           (long long)in->id);
    int rc = check_provider(in, diag);
    if (rc)
        return rc;
    bool op = sm_registry_can_operate(who);
    int64_t changed = 0;
    struct sm_sql *st = NULL;
    if ((rc = sm__reg_begin(store, diag)))
        return rc;
    /* The registry's own records change only when an operator writes them. */
    rc = sm_sql_prepare(store,
                        "UPDATE providers SET head_office_pref = ?, contact_name = ?,"
                        " contact_email = ?, contact_phone = ?, website = ?, note = ?,"
                        " updated_at = ?,"
                        " name = CASE WHEN ? = 1 THEN ? ELSE name END,"
                        " fictitious = CASE WHEN ? = 1 THEN ? ELSE fictitious END,"
                        " class1_first_on = CASE WHEN ? = 1 THEN ? ELSE class1_first_on END"
                        " WHERE id = ?",
                        &st, diag);
    if (!rc)
        rc = sm__bind_text(st, 1, in->head_office_pref);
    if (!rc)
        rc = sm__bind_text(st, 2, in->contact_name);
    if (!rc)
        rc = sm__bind_text(st, 3, in->contact_email);
    if (!rc)
        rc = sm__bind_text(st, 4, in->contact_phone);
    if (!rc)
        rc = sm__bind_text(st, 5, in->website);
    if (!rc)
        rc = sm__bind_text(st, 6, in->note);
    if (!rc)
        rc = sm_sql_bind_int64(st, 7, sm__now());
    if (!rc)
        rc = sm_sql_bind_int64(st, 8, op);
    if (!rc)
        rc = sm__bind_text(st, 9, in->name);
    if (!rc)
        rc = sm_sql_bind_int64(st, 10, op);
    if (!rc)
        rc = sm_sql_bind_int64(st, 11, in->fictitious ? 1 : 0);
    if (!rc)
        rc = sm_sql_bind_int64(st, 12, op);
    if (!rc)
        rc = sm__bind_text(st, 13, in->class1_first_on);
    if (!rc)
        rc = sm_sql_bind_int64(st, 14, in->id);
    if (!rc)
        rc = sm__step_done(st, diag);
    if (!rc)
        changed = sm_sql_changes(st);
    sm_sql_free(st);
    if (rc == SM_EEXIST)
        sm_diag_set(diag, rc, "provider '%s' already exists", in->name);
    if (!rc && changed == 0)
        rc = sm_diag_set(diag, SM_ENOTFOUND, "no provider %lld", (long long)in->id);
    /* The public list shows the provider's name and flag. */
    if (!rc)
        rc = sm__listing_refresh(store, 0, in->id, diag);
    if (!rc)
        rc = sm__reg_audit(store, who, "provider.update", "provider", in->id, NULL, diag);
    return sm__reg_finish(store, rc, diag);
}

int sm_registry_providers(struct sm_store *store, int64_t id, struct sm_provider_list **out,
                          struct sm_diag *diag)
{
    struct sm_arena *a = NULL;
    struct sm_provider_list *list = NULL;
    struct sm_sql *st = NULL;
    size_t cap = 0;
    bool oom = false;
    int rc = sm__reg_new(sizeof *list, &a, (void **)&list);
    if (rc)
        return rc;
    list->priv = a;
    rc = sm_sql_prepare(store,
                        "SELECT id, name, head_office_pref, contact_name, contact_email,"
                        " contact_phone, website, fictitious, class1_first_on, note"
                        " FROM providers WHERE ? = 0 OR id = ? ORDER BY name, id",
                        &st, diag);
    if (!rc)
        rc = sm_sql_bindv(st, "ii", id, id);
    while (!rc && (rc = sm_sql_step(st, diag)) == SM_SQL_ROW) {
        rc = SM_OK;
        struct sm_provider *p = sm__vec_push(a, (void **)&list->items, &list->n, &cap, sizeof *p);
        if (!p) {
            rc = SM_ENOMEM;
            break;
        }
        p->id = sm_sql_int64(st, 0);
        p->name = sm__col(a, st, 1, &oom);
        p->head_office_pref = sm__col(a, st, 2, &oom);
        p->contact_name = sm__col(a, st, 3, &oom);
        p->contact_email = sm__col(a, st, 4, &oom);
        p->contact_phone = sm__col(a, st, 5, &oom);
        p->website = sm__col(a, st, 6, &oom);
        p->fictitious = sm_sql_int64(st, 7) != 0;
        p->class1_first_on = sm__col(a, st, 8, &oom);
        p->note = sm__col(a, st, 9, &oom);
        if (oom)
            rc = SM_ENOMEM;
    }
    sm_sql_free(st);
    if (rc == SM_SQL_DONE && id != 0 && list->n == 0)
        rc = sm_diag_set(diag, SM_ENOTFOUND, "no provider %lld", (long long)id);
    if (rc != SM_SQL_DONE) {
        sm__reg_free(a);
        return rc < 0 ? rc : SM_EDB;
    }
    *out = list;
    return SM_OK;
}

void sm_provider_list_free(struct sm_provider_list *list)
{
    if (list)
        sm__reg_free(list->priv);
}

int sm_registry_devices(struct sm_store *store, struct sm_device_catalog **out,
                        struct sm_diag *diag)
{
    struct sm_arena *a = NULL;
    struct sm_device_catalog *cat = NULL;
    struct sm_sql *st = NULL;
    size_t cap = 0, scap = 0, ns = 0;
    bool oom = false;
    int rc = sm__reg_new(sizeof *cat, &a, (void **)&cat);
    if (rc)
        return rc;
    cat->priv = a;
    rc = sm_sql_prepare(store,
                        "SELECT id, maker, kind, product, functions, ransomware, reason, source"
                        " FROM monitoring_devices ORDER BY id",
                        &st, diag);
    while (!rc && (rc = sm_sql_step(st, diag)) == SM_SQL_ROW) {
        rc = SM_OK;
        struct sm_device *d = sm__vec_push(a, (void **)&cat->items, &cat->n, &cap, sizeof *d);
        const char **src = sm__vec_push(a, (void **)&cat->sources, &ns, &scap, sizeof *src);
        if (!d || !src) {
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
        *src = sm__col(a, st, 7, &oom);
        if (!rc && oom)
            rc = SM_ENOMEM;
    }
    sm_sql_free(st);
    if (rc != SM_SQL_DONE) {
        sm__reg_free(a);
        return rc < 0 ? rc : SM_EDB;
    }
    *out = cat;
    return SM_OK;
}

void sm_device_catalog_free(struct sm_device_catalog *cat)
{
    if (cat)
        sm__reg_free(cat->priv);
}

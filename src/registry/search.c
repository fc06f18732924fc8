/*
 * Public search (see smesec/registry.h): one SQL statement per request, whatever the
 * filters.
 *
 * The statement reads service_listing, a narrow table of listed services that the library
 * rewrites (sm__listing_refresh) in the same transaction as every change that can affect
 * it: with a prefecture, the rows of that prefecture and the nationwide rows ('00') through
 * the primary key; without, the one 'ZZ' row of each service. Only the approved content of
 * a registered service is there, and the renewal date is compared with today in the query,
 * so lapsing needs no job. Every optional filter is written as "(? = <off> OR
 * <condition>)", so there are two statement texts in all, each prepared once per
 * connection by the PostgreSQL backend's cache. All matches are read (a few hundred per
 * prefecture at most), then sorted and cut to the page in C: the total costs nothing extra
 * and both backends order alike.
 *
 * The monthly cost compared with max_price and sorted on is, for N devices, the monthly
 * price plus N times the per-device price, each counting as 0 where the type has no such
 * part; a service missing the price of a part its type has gets no cost (NULL) and sorts
 * last.
 */
#include "registry/internal.h"

#include "smesec/alloc.h"

#include <stdlib.h>
#include <string.h>

#include "util/banned.h"

#define QUERY_LIMIT_MAX   500
#define QUERY_DEVICES_MAX 100000

void sm_registry_query_init(struct sm_registry_query *q)
{
    memset(q, 0, sizeof *q);
    q->monitoring = -1;
    q->max_price = -1;
    q->devices = 1;
    q->sort = SM_SORT_DEFAULT;
    q->limit = 100;
}

/* A whole number of at most 10 digits. */
static int number(const char *s, int64_t *out)
{
    size_t n = s ? strlen(s) : 0;
    if (n == 0 || n > 10)
        return SM_EINVAL;
    int64_t v = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return SM_EINVAL;
        v = v * 10 + (s[i] - '0');
    }
    *out = v;
    return SM_OK;
}

static int flag(const char *value, bool *out)
{
    if (!*value || strcmp(value, "0") == 0) {
        *out = false;
        return SM_OK;
    }
    if (strcmp(value, "1") == 0) {
        *out = true;
        return SM_OK;
    }
    return SM_EINVAL;
}

int sm_registry_query_set(struct sm_registry_query *q, const char *name, const char *value,
                          struct sm_diag *diag)
{
    int64_t v = 0;
    if (!name || !value)
        return sm_diag_set(diag, SM_EINVAL, "search parameter missing");
    if (strcmp(name, "prefecture") == 0) {
        if (*value && !sm_pref_code_valid(value))
            return sm_diag_set(diag, SM_EINVAL, "prefecture '%s' is not a code 01..47", value);
        memcpy(q->prefecture, value, *value ? 3 : 1);
        return SM_OK;
    }
    if (strcmp(name, "type") == 0) {
        enum sm_monitoring m;
        if (!*value) {
            q->monitoring = -1;
            return SM_OK;
        }
        if (sm_monitoring_parse(value, &m))
            return sm_diag_set(diag, SM_EINVAL, "type '%s' is not network, endpoint or combined",
                               value);
        q->monitoring = (int)m;
        return SM_OK;
    }
    if (strcmp(name, "class") == 0) {
        if (!*value) {
            q->service_class = 0;
            return SM_OK;
        }
        if (strcmp(value, "1") != 0 && strcmp(value, "2") != 0)
            return sm_diag_set(diag, SM_EINVAL, "class '%s' is not 1 or 2", value);
        q->service_class = value[0] - '0';
        return SM_OK;
    }
    if (strcmp(name, "onsite") == 0) {
        if (flag(value, &q->onsite))
            return sm_diag_set(diag, SM_EINVAL, "onsite '%s' is not 1 or 0", value);
        return SM_OK;
    }
    if (strcmp(name, "ransomware") == 0) {
        if (flag(value, &q->ransomware))
            return sm_diag_set(diag, SM_EINVAL, "ransomware '%s' is not 1 or 0", value);
        return SM_OK;
    }
    if (strcmp(name, "max_price") == 0) {
        if (!*value) {
            q->max_price = -1;
            return SM_OK;
        }
        if (number(value, &v) || v > SM_SERVICE_PRICE_MAX)
            return sm_diag_set(diag, SM_EINVAL, "max_price '%s' is not a number of yen", value);
        q->max_price = v;
        return SM_OK;
    }
    if (strcmp(name, "devices") == 0) {
        if (!*value) {
            q->devices = 1;
            return SM_OK;
        }
        if (number(value, &v) || v < 1 || v > QUERY_DEVICES_MAX)
            return sm_diag_set(diag, SM_EINVAL, "devices '%s' is not 1 to %d", value,
                               QUERY_DEVICES_MAX);
        q->devices = (int)v;
        return SM_OK;
    }
    if (strcmp(name, "sort") == 0) {
        if (!*value)
            q->sort = SM_SORT_DEFAULT;
        else if (strcmp(value, "price") == 0)
            q->sort = SM_SORT_PRICE;
        else if (strcmp(value, "price_desc") == 0)
            q->sort = SM_SORT_PRICE_DESC;
        else
            return sm_diag_set(diag, SM_EINVAL, "sort '%s' is not price or price_desc", value);
        return SM_OK;
    }
    if (strcmp(name, "limit") == 0) {
        if (number(value, &v) || v < 1 || v > QUERY_LIMIT_MAX)
            return sm_diag_set(diag, SM_EINVAL, "limit '%s' is not 1 to %d", value,
                               QUERY_LIMIT_MAX);
        q->limit = (size_t)v;
        return SM_OK;
    }
    if (strcmp(name, "offset") == 0) {
        if (number(value, &v))
            return sm_diag_set(diag, SM_EINVAL, "offset '%s' is not a number", value);
        q->offset = (size_t)v;
        return SM_OK;
    }
    return sm_diag_set(diag, SM_EINVAL, "unknown search parameter '%s'", name);
}

/* The monthly cost for the bound number of devices (one parameter), over alias x. */
#define PRICE_EXPR(x)                                                               \
 "CASE WHEN (" x ".monitoring_type <> 'endpoint' AND " x ".monthly_yen IS NULL)"    \
 " OR (" x ".monitoring_type <> 'network' AND " x ".device_monthly_yen IS NULL)"    \
 " THEN NULL ELSE COALESCE(" x ".monthly_yen, 0) + CAST(? AS BIGINT) * COALESCE(" x \
 ".device_monthly_yen, 0) END"

/* The listing columns, in the order both the refresh and the search use them. */
#define LISTING_COLUMNS                                                                     \
 "service_id, renewal_on, status, provider_id, provider_name, fictitious, name, summary,"   \
 " service_class, monitoring_type, nationwide, pref_mask, monthly_yen, device_monthly_yen," \
 " initial_yen, onsite, monitoring_24h, insurance, ransomware_best, registration_no"

/* The same values from services s, their approved versions v and providers p. */
#define LISTING_SOURCE                                                            \
 " s.id, s.renewal_on, s.status, s.provider_id, p.name, p.fictitious, v.name,"    \
 " substr(v.summary, 1, 120),"                                                    \
 " v.service_class, v.monitoring_type, v.nationwide, v.pref_mask, v.monthly_yen," \
 " v.device_monthly_yen, v.initial_yen, v.onsite, v.monitoring_24h, v.insurance," \
 " v.ransomware_best, s.registration_no FROM services s"                          \
 " JOIN service_versions v ON v.id = s.public_version_id"                         \
 " JOIN providers p ON p.id = s.provider_id"

#define LISTABLE " s.status IN ('registered', 'renewal_due') AND s.renewal_on IS NOT NULL"

int sm__listing_refresh(struct sm_store *store, int64_t service_id, int64_t provider_id,
                        struct sm_diag *diag)
{
    /* [by service][by provider] */
    static const char *const del[] = {
        "DELETE FROM service_listing WHERE service_id = ?",
        "DELETE FROM service_listing WHERE provider_id = ?",
    };
    static const char *const areas[] = {
        "INSERT INTO service_listing (pref_code, " LISTING_COLUMNS
        ") SELECT a.pref_code," LISTING_SOURCE " JOIN service_areas a ON a.version_id = v.id"
        " WHERE s.id = ? AND" LISTABLE,
        "INSERT INTO service_listing (pref_code, " LISTING_COLUMNS
        ") SELECT a.pref_code," LISTING_SOURCE " JOIN service_areas a ON a.version_id = v.id"
        " WHERE s.provider_id = ? AND" LISTABLE,
    };
    static const char *const all[] = {
        "INSERT INTO service_listing (pref_code, " LISTING_COLUMNS ") SELECT 'ZZ'," LISTING_SOURCE
        " WHERE s.id = ? AND" LISTABLE,
        "INSERT INTO service_listing (pref_code, " LISTING_COLUMNS ") SELECT 'ZZ'," LISTING_SOURCE
        " WHERE s.provider_id = ? AND" LISTABLE,
    };
    int k = service_id ? 0 : 1;
    int64_t key = service_id ? service_id : provider_id;
    int rc = sm_sql_run(store, NULL, diag, del[k], "i", key);
    if (!rc)
        rc = sm_sql_run(store, NULL, diag, areas[k], "i", key);
    if (!rc)
        rc = sm_sql_run(store, NULL, diag, all[k], "i", key);
    if (!rc)
        rc = sm_sql_run(store, NULL, diag,
                        "UPDATE registry_settings SET value = value + 1"
                        " WHERE name = 'listing_generation'",
                        "");
    return rc;
}

int sm_registry_listing_generation(struct sm_store *store, int64_t *generation,
                                   struct sm_diag *diag)
{
    return sm_sql_scalar_int64(
        store, "SELECT value FROM registry_settings WHERE name = 'listing_generation'", generation,
        diag);
}

#define SEARCH_COLUMNS                                                                      \
 "SELECT l.service_id, l.provider_id, l.provider_name, l.fictitious, l.name, l.summary,"    \
 " l.service_class, l.monitoring_type, l.nationwide, l.pref_mask, l.monthly_yen,"           \
 " l.device_monthly_yen, l.initial_yen, " PRICE_EXPR(                                       \
     "l") " AS price, l.onsite,"                                                            \
          " l.monitoring_24h, l.insurance, l.ransomware_best, l.status, l.registration_no," \
          " l.renewal_on FROM service_listing l"

#define SEARCH_FILTERS                                             \
 " l.renewal_on >= ? AND (? = '' OR l.monitoring_type = ?)"        \
 " AND (? = 0 OR l.service_class = ?) AND (? = 0 OR l.onsite = 1)" \
 " AND (? = 0 OR l.ransomware_best = 'effective')"                 \
 " AND (? < 0 OR " PRICE_EXPR("l") " <= ?)"

/* [with a prefecture]: the rows of that prefecture and the nationwide ones, or the one row
 * each service has for the list of all. */
static const char *const statements[2] = {
    SEARCH_COLUMNS " WHERE l.pref_code = 'ZZ' AND" SEARCH_FILTERS,
    SEARCH_COLUMNS " WHERE l.pref_code IN (?, '00') AND" SEARCH_FILTERS,
};

static bool sort_valid(enum sm_registry_sort s)
{
    switch (s) {
    case SM_SORT_DEFAULT:
    case SM_SORT_PRICE:
    case SM_SORT_PRICE_DESC:
        return true;
    }
    return false;
}

static int bind_query(struct sm_sql *st, const struct sm_registry_query *q, const char *today)
{
    int i = 1, rc;
    const char *type =
        q->monitoring < 0 ? "" : sm_monitoring_name((enum sm_monitoring)q->monitoring);
    int64_t devices = q->devices;
    if ((rc = sm_sql_bind_int64(st, i++, devices)))
        return rc;
    if (q->prefecture[0] && (rc = sm_sql_bind_text(st, i++, q->prefecture, (size_t)-1)))
        return rc;
    if ((rc = sm_sql_bind_text(st, i++, today, (size_t)-1)) ||
        (rc = sm_sql_bind_text(st, i++, type, (size_t)-1)) ||
        (rc = sm_sql_bind_text(st, i++, type, (size_t)-1)) ||
        (rc = sm_sql_bind_int64(st, i++, q->service_class)) ||
        (rc = sm_sql_bind_int64(st, i++, q->service_class)) ||
        (rc = sm_sql_bind_int64(st, i++, q->onsite ? 1 : 0)) ||
        (rc = sm_sql_bind_int64(st, i++, q->ransomware ? 1 : 0)) ||
        (rc = sm_sql_bind_int64(st, i++, q->max_price)) ||
        (rc = sm_sql_bind_int64(st, i++, devices)) ||
        (rc = sm_sql_bind_int64(st, i++, q->max_price)))
        return rc;
    return SM_OK;
}

/* Orders, sorted in C so both backends agree (names compare as bytes of UTF-8, that is by
 * code point, whatever the database's collation). Unknown prices go last either way. */
static int cmp_id(const struct sm_registry_hit *a, const struct sm_registry_hit *b)
{
    return (a->service_id > b->service_id) - (a->service_id < b->service_id);
}

static int cmp_default(const void *pa, const void *pb)
{
    const struct sm_registry_hit *a = pa, *b = pb;
    int c = (a->service_class > b->service_class) - (a->service_class < b->service_class);
    if (!c)
        c = strcmp(a->provider_name ? a->provider_name : "",
                   b->provider_name ? b->provider_name : "");
    if (!c)
        c = strcmp(a->name ? a->name : "", b->name ? b->name : "");
    return c ? c : cmp_id(a, b);
}

static int cmp_price(const struct sm_registry_hit *a, const struct sm_registry_hit *b, int dir)
{
    bool ua = a->price == SM_UNKNOWN, ub = b->price == SM_UNKNOWN;
    if (ua != ub)
        return ua ? 1 : -1;
    int c = ua ? 0 : dir * ((a->price > b->price) - (a->price < b->price));
    return c ? c : cmp_id(a, b);
}

static int cmp_price_asc(const void *a, const void *b)
{
    return cmp_price(a, b, 1);
}

static int cmp_price_desc(const void *a, const void *b)
{
    return cmp_price(a, b, -1);
}

static int check_query(const struct sm_registry_query *q, struct sm_diag *diag)
{
    if (q->prefecture[0] && !sm_pref_code_valid(q->prefecture))
        return sm_diag_set(diag, SM_EINVAL, "prefecture is not a code 01..47");
    if (q->monitoring < -1 || q->monitoring > (int)SM_MON_COMBINED)
        return sm_diag_set(diag, SM_EINVAL, "unknown monitoring type");
    if (q->service_class < 0 || q->service_class > 2)
        return sm_diag_set(diag, SM_EINVAL, "class %d is not 1 or 2", q->service_class);
    if (q->devices < 1 || q->devices > QUERY_DEVICES_MAX)
        return sm_diag_set(diag, SM_EINVAL, "devices %d is not 1 to %d", q->devices,
                           QUERY_DEVICES_MAX);
    if (q->limit < 1 || q->limit > QUERY_LIMIT_MAX)
        return sm_diag_set(diag, SM_EINVAL, "limit %zu is not 1 to %d", q->limit, QUERY_LIMIT_MAX);
    if (q->offset > (size_t)INT32_MAX)
        return sm_diag_set(diag, SM_EINVAL, "offset %zu is too large", q->offset);
    if (q->today[0] && !sm_date_valid(q->today))
        return sm_diag_set(diag, SM_EINVAL, "date '%s' is not YYYY-MM-DD", q->today);
    if (!sort_valid(q->sort))
        return sm_diag_set(diag, SM_EINVAL, "unknown sort");
    return SM_OK;
}

int sm_registry_search(struct sm_store *store, const struct sm_registry_query *q,
                       struct sm_registry_results **out, struct sm_diag *diag)
{
    int rc = check_query(q, diag);
    if (rc)
        return rc;
    char today[SM_DATE_SIZE];
    if (q->today[0])
        memcpy(today, q->today, SM_DATE_SIZE);
    else
        sm_date_today(today);
    struct sm_arena *a = NULL;
    struct sm_registry_results *res = NULL;
    struct sm_sql *st = NULL;
    size_t cap = 0;
    bool oom = false;
    if ((rc = sm__reg_new(sizeof *res, &a, (void **)&res)))
        return rc;
    res->priv = a;
    struct sm_registry_hit *all = NULL;
    size_t n_all = 0;
    rc = sm_sql_prepare(store, statements[q->prefecture[0] ? 1 : 0], &st, diag);
    if (!rc)
        rc = bind_query(st, q, today);
    while (!rc && (rc = sm_sql_step(st, diag)) == SM_SQL_ROW) {
        rc = SM_OK;
        struct sm_registry_hit *h = sm__vec_push(a, (void **)&all, &n_all, &cap, sizeof *h);
        if (!h) {
            rc = SM_ENOMEM;
            break;
        }
        int c = 0;
        h->service_id = sm_sql_int64(st, c++);
        h->provider_id = sm_sql_int64(st, c++);
        h->provider_name = sm__col(a, st, c++, &oom);
        h->fictitious = sm_sql_int64(st, c++) != 0;
        h->name = sm__col(a, st, c++, &oom);
        h->summary = sm__col(a, st, c++, &oom);
        h->service_class = (int)sm_sql_int64(st, c++);
        const char *mon = sm_sql_text(st, c++);
        rc = sm__parse_stored(sm_monitoring_parse(mon, &h->monitoring), "type", mon, diag);
        h->nationwide = sm_sql_int64(st, c++) != 0;
        h->prefectures = (uint64_t)sm_sql_int64(st, c++) & SM_PREF_ALL_MASK;
        h->monthly_yen = sm__col_opt(st, c++);
        h->device_monthly_yen = sm__col_opt(st, c++);
        h->initial_yen = sm__col_opt(st, c++);
        h->price = sm__col_opt(st, c++);
        h->onsite = sm__col_tri(st, c++);
        h->monitoring_24h = sm__col_tri(st, c++);
        h->insurance = sm__col_tri(st, c++);
        const char *eff = sm_sql_text(st, c++), *status = sm_sql_text(st, c++);
        if (!rc)
            rc = sm__parse_stored(sm_effect_parse(eff, &h->ransomware), "rating", eff, diag);
        if (!rc)
            rc = sm__parse_stored(sm_svc_status_parse(status, &h->status), "status", status, diag);
        h->registration_no = sm__col(a, st, c++, &oom);
        h->renewal_on = sm__col(a, st, c++, &oom);
        if (!rc && oom)
            rc = SM_ENOMEM;
    }
    sm_sql_free(st);
    if (rc != SM_SQL_DONE) {
        sm__reg_free(a);
        return rc < 0 ? rc : SM_EDB;
    }
    /* Every match was read (a few hundred at most per prefecture): sort, count, and hand
     * out the page. */
    int (*cmp)(const void *, const void *) = cmp_default;
    switch (q->sort) {
    case SM_SORT_DEFAULT:
        break;
    case SM_SORT_PRICE:
        cmp = cmp_price_asc;
        break;
    case SM_SORT_PRICE_DESC:
        cmp = cmp_price_desc;
        break;
    }
    if (n_all > 1)
        qsort(all, n_all, sizeof *all, cmp);
    res->total = n_all;
    if (q->offset < n_all) {
        res->hits = all + q->offset;
        res->n = n_all - q->offset < q->limit ? n_all - q->offset : q->limit;
    }
    *out = res;
    return SM_OK;
}

void sm_registry_results_free(struct sm_registry_results *res)
{
    if (res)
        sm__reg_free(res->priv);
}

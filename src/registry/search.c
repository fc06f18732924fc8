/*
 * Public search (see smesec/registry.h): one SQL statement per request, whatever the
 * filters.
 *
 * With a prefecture the statement starts from service_areas' (pref_code, version_id)
 * index, reading the rows of that prefecture and of '00' (nationwide), and joins each to
 * the service whose public version it is: only the approved content of a listed service
 * can match, and nothing is read per result afterwards. Every optional filter is written
 * as "(? = <off> OR <condition>)" so the statement text depends only on whether a
 * prefecture is given and on the sort: a handful of texts, each prepared once per
 * connection by the PostgreSQL backend's cache.
 *
 * The monthly cost compared with max_price and sorted on is, for N devices, the monthly
 * price plus N times the per-device price, each counting as 0 where the type has no such
 * part; a service missing the price of a part its type has gets no cost (NULL) and sorts
 * last.
 */
#include "registry/internal.h"

#include "smesec/alloc.h"

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

/* The monthly cost for the bound number of devices (one parameter). */
#define PRICE_EXPR                                                                          \
 "CASE WHEN (v.monitoring_type <> 'endpoint' AND v.monthly_yen IS NULL)"                    \
 " OR (v.monitoring_type <> 'network' AND v.device_monthly_yen IS NULL) THEN NULL"          \
 " ELSE COALESCE(v.monthly_yen, 0) + CAST(? AS BIGINT) * COALESCE(v.device_monthly_yen, 0)" \
 " END"

#define SELECT_COLUMNS                                                                   \
 "SELECT s.id, s.provider_id, p.name, p.fictitious, v.name, v.summary, v.service_class," \
 " v.monitoring_type, v.nationwide, v.pref_mask, v.monthly_yen, v.device_monthly_yen,"   \
 " v.initial_yen, " PRICE_EXPR " AS price, v.onsite, v.monitoring_24h, v.insurance,"     \
 " v.ransomware_best, s.status, s.registration_no, s.renewal_on, COUNT(*) OVER () AS total"

#define FROM_PREFECTURE                                                        \
 " FROM service_areas a JOIN services s ON s.public_version_id = a.version_id" \
 " JOIN service_versions v ON v.id = a.version_id"                             \
 " JOIN providers p ON p.id = s.provider_id"                                   \
 " WHERE a.pref_code IN (?, '00') AND "

#define FROM_ALL                                                          \
 " FROM services s JOIN service_versions v ON v.id = s.public_version_id" \
 " JOIN providers p ON p.id = s.provider_id WHERE "

#define FILTERS                                               \
 SM__LISTED " AND (? = '' OR v.monitoring_type = ?)"          \
            " AND (? = 0 OR v.service_class = ?)"             \
            " AND (? = 0 OR v.onsite = 1)"                    \
            " AND (? = 0 OR v.ransomware_best = 'effective')" \
            " AND (? < 0 OR " PRICE_EXPR " <= ?)"

#define ORDER_DEFAULT    " ORDER BY v.service_class, p.name, v.name, s.id LIMIT ? OFFSET ?"
#define ORDER_PRICE      " ORDER BY price ASC NULLS LAST, s.id LIMIT ? OFFSET ?"
#define ORDER_PRICE_DESC " ORDER BY price DESC NULLS LAST, s.id LIMIT ? OFFSET ?"

/* Every statement text the search runs: [with prefecture][sort]. */
static const char *const statements[2][3] = {
    {
        SELECT_COLUMNS FROM_ALL FILTERS ORDER_DEFAULT,
        SELECT_COLUMNS FROM_ALL FILTERS ORDER_PRICE,
        SELECT_COLUMNS FROM_ALL FILTERS ORDER_PRICE_DESC,
    },
    {
        SELECT_COLUMNS FROM_PREFECTURE FILTERS ORDER_DEFAULT,
        SELECT_COLUMNS FROM_PREFECTURE FILTERS ORDER_PRICE,
        SELECT_COLUMNS FROM_PREFECTURE FILTERS ORDER_PRICE_DESC,
    },
};

static int sort_index(enum sm_registry_sort s)
{
    switch (s) {
    case SM_SORT_DEFAULT:
        return 0;
    case SM_SORT_PRICE:
        return 1;
    case SM_SORT_PRICE_DESC:
        return 2;
    }
    return -1;
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
        (rc = sm_sql_bind_int64(st, i++, q->max_price)) ||
        (rc = sm_sql_bind_int64(st, i++, (int64_t)q->limit)) ||
        (rc = sm_sql_bind_int64(st, i++, (int64_t)q->offset)))
        return rc;
    return SM_OK;
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
    if (sort_index(q->sort) < 0)
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
    rc =
        sm_sql_prepare(store, statements[q->prefecture[0] ? 1 : 0][sort_index(q->sort)], &st, diag);
    if (!rc)
        rc = bind_query(st, q, today);
    while (!rc && (rc = sm_sql_step(st, diag)) == SM_SQL_ROW) {
        rc = SM_OK;
        struct sm_registry_hit *h = sm__vec_push(a, (void **)&res->hits, &res->n, &cap, sizeof *h);
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
        res->total = (size_t)sm_sql_int64(st, c++);
        if (!rc && oom)
            rc = SM_ENOMEM;
    }
    sm_sql_free(st);
    if (rc != SM_SQL_DONE) {
        sm__reg_free(a);
        return rc < 0 ? rc : SM_EDB;
    }
    *out = res;
    return SM_OK;
}

void sm_registry_results_free(struct sm_registry_results *res)
{
    if (res)
        sm__reg_free(res->priv);
}

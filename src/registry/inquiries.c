/*
 * Inquiries from SMEs to providers (see smesec/registry.h), with the channel that brought
 * the visitor, and the operator's count of inquiries by channel.
 *
 * An inquiry holds an SME's personal data addressed to one provider: only that provider's
 * staff read it. Operators see counts by channel, never the messages. The referrer is
 * classified from the host name alone (no path, no query string is kept).
 */
#include "registry/internal.h"

#include "smesec/alloc.h"

#include <string.h>

#include "util/banned.h"

#define INQUIRY_FIELD_MAX 200
#define INQUIRY_EMAIL_MAX 254
#define INQUIRY_UTM_MAX   100

/* --- Referrers ----------------------------------------------------------------------------- */

static char lower(char c)
{
    return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

/* True when host (n bytes, lower case) is domain or a subdomain of it. */
static bool host_in(const char *host, size_t n, const char *domain)
{
    size_t d = strlen(domain);
    if (n < d || memcmp(host + n - d, domain, d) != 0)
        return false;
    return n == d || host[n - d - 1] == '.';
}

/* True when one of host's labels is label (e.g. "google" in www.google.co.jp). */
static bool has_label(const char *host, size_t n, const char *label)
{
    size_t l = strlen(label);
    for (size_t i = 0; i + l <= n; i++) {
        bool start = i == 0 || host[i - 1] == '.';
        bool end = i + l == n || host[i + l] == '.';
        if (start && end && memcmp(host + i, label, l) == 0)
            return true;
    }
    return false;
}

enum sm_referrer_kind sm_referrer_classify(const char *referer, const char *own_host)
{
    if (!referer || !*referer)
        return SM_REF_DIRECT;
    const char *p = strstr(referer, "://");
    if (!p)
        return SM_REF_OTHER;
    p += 3;
    char host[256];
    size_t n = 0;
    /* Skip any user information before the host. */
    const char *end = p + strcspn(p, "/?#");
    const char *at = memchr(p, '@', (size_t)(end - p));
    if (at)
        p = at + 1;
    while (*p && *p != '/' && *p != ':' && *p != '?' && *p != '#' && n < sizeof host - 1)
        host[n++] = lower(*p++);
    host[n] = '\0';
    while (n > 0 && host[n - 1] == '.')
        host[--n] = '\0';
    if (n == 0)
        return SM_REF_OTHER;
    if (own_host && *own_host) {
        char own[256];
        size_t m = 0;
        for (; own_host[m] && own_host[m] != ':' && m < sizeof own - 1; m++)
            own[m] = lower(own_host[m]);
        own[m] = '\0';
        if (m == n && memcmp(own, host, n) == 0)
            return SM_REF_INTERNAL;
    }
    if (host_in(host, n, "go.jp") || host_in(host, n, "lg.jp"))
        return SM_REF_GOVERNMENT;
    static const char *const search[] = { "bing.com",         "search.yahoo.co.jp",
                                          "search.yahoo.com", "duckduckgo.com",
                                          "yandex.com",       "baidu.com" };
    if (has_label(host, n, "google"))
        return SM_REF_SEARCH;
    for (size_t i = 0; i < sizeof search / sizeof search[0]; i++)
        if (host_in(host, n, search[i]))
            return SM_REF_SEARCH;
    static const char *const social[] = { "twitter.com",  "x.com",         "t.co",
                                          "facebook.com", "instagram.com", "linkedin.com",
                                          "line.me",      "youtube.com",   "note.com" };
    for (size_t i = 0; i < sizeof social / sizeof social[0]; i++)
        if (host_in(host, n, social[i]))
            return SM_REF_SOCIAL;
    return SM_REF_OTHER;
}

/* --- Submitting ----------------------------------------------------------------------------- */

static int check_inquiry(const struct sm_inquiry_in *in, struct sm_diag *diag)
{
    int rc;
    if ((rc = sm__check_text("name", in->name, INQUIRY_FIELD_MAX, true, diag)) ||
        (rc = sm__check_text("company", in->company, INQUIRY_FIELD_MAX, true, diag)) ||
        (rc = sm__check_text("e-mail", in->email, INQUIRY_EMAIL_MAX, true, diag)) ||
        (rc = sm__check_text("phone", in->phone, 50, false, diag)) ||
        (rc = sm__check_text("message", in->message, SM_SERVICE_TEXT_MAX, true, diag)) ||
        (rc = sm__check_text("utm_source", in->utm_source, INQUIRY_UTM_MAX, false, diag)) ||
        (rc = sm__check_text("utm_medium", in->utm_medium, INQUIRY_UTM_MAX, false, diag)) ||
        (rc = sm__check_text("utm_campaign", in->utm_campaign, INQUIRY_UTM_MAX, false, diag)))
        return rc;
    const char *at = strchr(in->email, '@');
    if (!at || at == in->email || !at[1] || strchr(at + 1, '@') || !strchr(at + 1, '.') ||
        strpbrk(in->email, " \t\r\n,;<>\"()"))
        return sm_diag_set(diag, SM_EINVAL, "e-mail '%s' is not an address", in->email);
    if (in->phone) {
        for (const char *p = in->phone; *p; p++) {
            bool ok = (*p >= '0' && *p <= '9') || *p == '+' || *p == '-' || *p == ' ' ||
                      *p == '(' || *p == ')';
            if (!ok)
                return sm_diag_set(diag, SM_EINVAL,
                                   "phone may hold digits, spaces and + - ( ) only");
        }
    }
    if (in->prefecture && *in->prefecture && !sm_pref_code_valid(in->prefecture))
        return sm_diag_set(diag, SM_EINVAL, "prefecture '%s' is not 01..47", in->prefecture);
    switch (in->referrer) {
    case SM_REF_DIRECT:
    case SM_REF_INTERNAL:
    case SM_REF_SEARCH:
    case SM_REF_SOCIAL:
    case SM_REF_GOVERNMENT:
    case SM_REF_OTHER:
        return SM_OK;
    }
    return sm_diag_set(diag, SM_EINVAL, "unknown referrer kind");
}

int sm_inquiry_submit(struct sm_store *store, const struct sm_inquiry_in *in, const char *today,
                      int64_t now, int64_t *id_out, struct sm_diag *diag)
{
    if (!sm_date_valid(today))
        return sm_diag_set(diag, SM_EINVAL, "date '%s' is not YYYY-MM-DD", today ? today : "");
    int rc = check_inquiry(in, diag);
    if (rc)
        return rc;
    int64_t provider_id = 0, id = 0;
    rc = sm_sql_run_int64(store, &provider_id, diag,
                          "SELECT s.provider_id FROM services s WHERE s.id = ? AND " SM__LISTED,
                          "it", in->service_id, today);
    if (rc == SM_ENOTFOUND)
        return sm_diag_set(diag, rc, "service %lld is not listed", (long long)in->service_id);
    if (rc)
        return rc;
    if ((rc = sm__reg_begin(store, diag)))
        return rc;
    struct sm_sql *st = NULL;
    rc = sm_sql_prepare(store,
                        "INSERT INTO inquiries (service_id, provider_id, name, company, email,"
                        " phone, prefecture, message, utm_source, utm_medium, utm_campaign,"
                        " referrer_kind, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
                        " RETURNING id",
                        &st, diag);
    if (!rc)
        rc = sm_sql_bindv(st, "iittt", in->service_id, provider_id, in->name, in->company,
                          in->email);
    if (!rc)
        rc = sm__bind_text(st, 6, in->phone);
    if (!rc)
        rc = sm__bind_text(st, 7, in->prefecture);
    if (!rc)
        rc = sm__bind_text(st, 8, in->message);
    if (!rc)
        rc = sm__bind_text(st, 9, in->utm_source);
    if (!rc)
        rc = sm__bind_text(st, 10, in->utm_medium);
    if (!rc)
        rc = sm__bind_text(st, 11, in->utm_campaign);
    if (!rc)
        rc = sm_sql_bind_text(st, 12, sm_referrer_kind_name(in->referrer), (size_t)-1);
    if (!rc)
        rc = sm_sql_bind_int64(st, 13, now);
    if (!rc)
        rc = sm_sql_step(st, diag);
    if (rc == SM_SQL_ROW) {
        id = sm_sql_int64(st, 0);
        rc = sm__step_done(st, diag);
    } else if (rc == SM_SQL_DONE) {
        rc = SM_EDB;
    }
    sm_sql_free(st);
    /* The audit row names the inquiry, not the person: the log is read more widely. */
    if (!rc) {
        struct sm_actor public_actor = { .user_id = 0, .name = "public" };
        rc = sm__reg_audit_actor(store, &public_actor, "inquiry.submit", "inquiry", id, NULL, diag);
    }
    rc = sm__reg_finish(store, rc, diag);
    if (!rc && id_out)
        *id_out = id;
    return rc;
}

int sm_inquiries(struct sm_store *store, const struct sm_registry_who *who, int64_t provider_id,
                 struct sm_inquiry_list **out, struct sm_diag *diag)
{
    if (!sm_registry_can_read_inquiries(who, provider_id))
        return sm_diag_set(diag, SM_EPERM, "only provider %lld's staff read its inquiries",
                           (long long)provider_id);
    struct sm_arena *a = NULL;
    struct sm_inquiry_list *list = NULL;
    struct sm_sql *st = NULL;
    size_t cap = 0;
    bool oom = false;
    int rc = sm__reg_new(sizeof *list, &a, (void **)&list);
    if (rc)
        return rc;
    list->priv = a;
    rc = sm_sql_prepare(store,
                        "SELECT i.id, i.service_id, COALESCE(v.name, ''), i.name, i.company,"
                        " i.email, i.phone, i.prefecture, i.message, i.utm_source, i.utm_medium,"
                        " i.utm_campaign, i.referrer_kind, i.created_at FROM inquiries i"
                        " JOIN services s ON s.id = i.service_id"
                        " LEFT JOIN service_versions v ON v.id = s.public_version_id"
                        " WHERE i.provider_id = ? ORDER BY i.id DESC",
                        &st, diag);
    if (!rc)
        rc = sm_sql_bindv(st, "i", provider_id);
    while (!rc && (rc = sm_sql_step(st, diag)) == SM_SQL_ROW) {
        rc = SM_OK;
        struct sm_inquiry *q = sm__vec_push(a, (void **)&list->items, &list->n, &cap, sizeof *q);
        if (!q) {
            rc = SM_ENOMEM;
            break;
        }
        q->id = sm_sql_int64(st, 0);
        q->service_id = sm_sql_int64(st, 1);
        q->service_name = sm__col(a, st, 2, &oom);
        q->name = sm__col(a, st, 3, &oom);
        q->company = sm__col(a, st, 4, &oom);
        q->email = sm__col(a, st, 5, &oom);
        q->phone = sm__col(a, st, 6, &oom);
        q->prefecture = sm__col(a, st, 7, &oom);
        q->message = sm__col(a, st, 8, &oom);
        q->utm_source = sm__col(a, st, 9, &oom);
        q->utm_medium = sm__col(a, st, 10, &oom);
        q->utm_campaign = sm__col(a, st, 11, &oom);
        const char *ref = sm_sql_text(st, 12);
        rc = sm__parse_stored(sm_referrer_kind_parse(ref, &q->referrer), "referrer", ref, diag);
        q->created_at = sm_sql_int64(st, 13);
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

void sm_inquiry_list_free(struct sm_inquiry_list *list)
{
    if (list)
        sm__reg_free(list->priv);
}

int sm_inquiry_channels(struct sm_store *store, const struct sm_registry_who *who, int64_t from,
                        int64_t to, struct sm_inquiry_channel_list **out, struct sm_diag *diag)
{
    if (!sm_registry_can_operate(who))
        return sm_diag_set(diag, SM_EPERM, "only an operator counts inquiries by channel");
    struct sm_arena *a = NULL;
    struct sm_inquiry_channel_list *list = NULL;
    struct sm_sql *st = NULL;
    size_t cap = 0;
    bool oom = false;
    int rc = sm__reg_new(sizeof *list, &a, (void **)&list);
    if (rc)
        return rc;
    list->priv = a;
    rc = sm_sql_prepare(store,
                        "SELECT COALESCE(utm_source, ''), COALESCE(utm_medium, ''),"
                        " COALESCE(utm_campaign, ''), referrer_kind, COUNT(*) FROM inquiries"
                        " WHERE (? = 0 OR created_at >= ?) AND (? = 0 OR created_at < ?)"
                        " GROUP BY COALESCE(utm_source, ''), COALESCE(utm_medium, ''),"
                        " COALESCE(utm_campaign, ''), referrer_kind"
                        " ORDER BY COUNT(*) DESC, 1, 2, 3, 4",
                        &st, diag);
    if (!rc)
        rc = sm_sql_bindv(st, "iiii", from, from, to, to);
    while (!rc && (rc = sm_sql_step(st, diag)) == SM_SQL_ROW) {
        rc = SM_OK;
        struct sm_inquiry_channel *c =
            sm__vec_push(a, (void **)&list->items, &list->n, &cap, sizeof *c);
        if (!c) {
            rc = SM_ENOMEM;
            break;
        }
        c->utm_source = sm__col(a, st, 0, &oom);
        c->utm_medium = sm__col(a, st, 1, &oom);
        c->utm_campaign = sm__col(a, st, 2, &oom);
        const char *ref = sm_sql_text(st, 3);
        rc = sm__parse_stored(sm_referrer_kind_parse(ref, &c->referrer), "referrer", ref, diag);
        c->count = sm_sql_int64(st, 4);
        list->total += c->count;
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

void sm_inquiry_channel_list_free(struct sm_inquiry_channel_list *list)
{
    if (list)
        sm__reg_free(list->priv);
}

/*
 * What the registry's files share (see internal.h): result arenas, column and parameter
 * helpers for optional values, the transaction and audit pattern, provider messages with
 * their outbox mail, the access rules, and the names of the registry's enumerations.
 *
 * Invariant of the access rules: every public function that reads non-public data or
 * changes anything asks one of the sm_registry_can_* predicates first, so the rules live
 * here and nowhere else.
 */
#include "registry/internal.h"

#include "smesec/alloc.h"
#include "smesec/utf8.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "util/banned.h"

/* --- Results ----------------------------------------------------------------------------- */

int sm__reg_new(size_t size, struct sm_arena **arena, void **obj)
{
    struct sm_arena *a = sm_malloc(sizeof *a);
    if (!a)
        return SM_ENOMEM;
    sm_arena_init(a, SM__REG_ARENA_MAX);
    void *o = sm_arena_calloc(a, 1, size);
    if (!o) {
        sm_free(a);
        return SM_ENOMEM;
    }
    *arena = a;
    *obj = o;
    return SM_OK;
}

void sm__reg_free(void *priv)
{
    struct sm_arena *a = priv;
    if (!a)
        return;
    sm_arena_release(a);
    sm_free(a);
}

void *sm__vec_push(struct sm_arena *a, void **items, size_t *n, size_t *cap, size_t size)
{
    if (*n == *cap) {
        size_t ncap = *cap ? *cap * 2 : 16;
        void *p = sm_arena_calloc(a, ncap, size);
        if (!p)
            return NULL;
        if (*n)
            memcpy(p, *items, *n * size);
        *items = p;
        *cap = ncap;
    }
    unsigned char *slot = (unsigned char *)*items + (*n)++ * size;
    memset(slot, 0, size);
    return slot;
}

const char *sm__col(struct sm_arena *a, const struct sm_sql *st, int col, bool *oom)
{
    const char *s = sm_sql_text(st, col);
    if (!s)
        return NULL;
    char *copy = sm_arena_strdup(a, s);
    if (!copy)
        *oom = true;
    return copy;
}

int64_t sm__col_opt(const struct sm_sql *st, int col)
{
    return sm_sql_is_null(st, col) ? SM_UNKNOWN : sm_sql_int64(st, col);
}

enum sm_tri sm__col_tri(const struct sm_sql *st, int col)
{
    if (sm_sql_is_null(st, col))
        return SM_TRI_UNKNOWN;
    return sm_sql_int64(st, col) ? SM_TRI_YES : SM_TRI_NO;
}

int sm__bind_opt(struct sm_sql *st, int idx, int64_t v)
{
    return v < 0 ? sm_sql_bind_null(st, idx) : sm_sql_bind_int64(st, idx, v);
}

int sm__bind_tri(struct sm_sql *st, int idx, enum sm_tri t)
{
    switch (t) {
    case SM_TRI_YES:
        return sm_sql_bind_int64(st, idx, 1);
    case SM_TRI_NO:
        return sm_sql_bind_int64(st, idx, 0);
    case SM_TRI_UNKNOWN:
        break;
    }
    return sm_sql_bind_null(st, idx);
}

int sm__bind_text(struct sm_sql *st, int idx, const char *s)
{
    return sm_sql_bind_text(st, idx, s && *s ? s : NULL, (size_t)-1);
}

int sm__step_done(struct sm_sql *st, struct sm_diag *diag)
{
    int rc = sm_sql_step(st, diag);
    if (rc == SM_SQL_DONE)
        return SM_OK;
    return rc == SM_SQL_ROW ? SM_EDB : rc;
}

/* --- Changes ----------------------------------------------------------------------------- */

int sm__reg_begin(struct sm_store *store, struct sm_diag *diag)
{
    return sm_store_begin(store, diag);
}

int sm__reg_finish(struct sm_store *store, int rc, struct sm_diag *diag)
{
    if (!rc)
        rc = sm_store_commit(store, diag);
    if (rc)
        sm_store_rollback(store);
    return rc;
}

int sm__reg_audit_actor(struct sm_store *store, const struct sm_actor *actor, const char *action,
                        const char *kind, int64_t id, const char *detail, struct sm_diag *diag)
{
    char object[64];
    snprintf(object, sizeof object, "%s:%lld", kind, (long long)id);
    return sm_audit_record(store, actor, action, object, detail, diag);
}

int sm__reg_audit(struct sm_store *store, const struct sm_registry_who *who, const char *action,
                  const char *kind, int64_t id, const char *detail, struct sm_diag *diag)
{
    struct sm_actor actor = { .user_id = who->user_id, .name = who->name };
    return sm__reg_audit_actor(store, &actor, action, kind, id, detail, diag);
}

int64_t sm__now(void)
{
    return (int64_t)time(NULL);
}

int sm__check_text(const char *what, const char *s, size_t max, bool required, struct sm_diag *diag)
{
    if (!s || !*s) {
        if (required)
            return sm_diag_set(diag, SM_EINVAL, "%s is required", what);
        return SM_OK;
    }
    size_t n = strlen(s), bad = 0;
    if (n > max)
        return sm_diag_set(diag, SM_EINVAL, "%s is longer than %zu bytes", what, max);
    if (!sm_utf8_valid(s, n, &bad))
        return sm_diag_set(diag, SM_EINVAL, "%s is not valid UTF-8 at byte %zu", what, bad);
    return SM_OK;
}

int sm__parse_stored(int rc, const char *what, const char *value, struct sm_diag *diag)
{
    if (!rc)
        return SM_OK;
    return sm_diag_set(diag, SM_EDB, "stored %s '%s' is not known", what, value ? value : "");
}

int sm__service_owner(struct sm_store *store, int64_t service_id, int64_t *provider_id,
                      enum sm_svc_status *status, struct sm_diag *diag)
{
    struct sm_sql *st = NULL;
    int rc =
        sm_sql_prepare(store, "SELECT provider_id, status FROM services WHERE id = ?", &st, diag);
    if (!rc)
        rc = sm_sql_bindv(st, "i", service_id);
    if (!rc)
        rc = sm_sql_step(st, diag);
    if (rc == SM_SQL_ROW) {
        *provider_id = sm_sql_int64(st, 0);
        const char *s = sm_sql_text(st, 1);
        rc = sm__parse_stored(sm_svc_status_parse(s, status), "service status", s, diag);
    } else if (rc == SM_SQL_DONE) {
        rc = sm_diag_set(diag, SM_ENOTFOUND, "no service %lld", (long long)service_id);
    }
    sm_sql_free(st);
    return rc;
}

/* --- Messages -------------------------------------------------------------------------- */

int sm__message_post(struct sm_store *store, int64_t provider_id, int64_t service_id,
                     const char *kind, const char *dedupe_key, const char *subject_ja,
                     const char *body_ja, const char *subject_en, const char *body_en, bool *posted,
                     struct sm_diag *diag)
{
    int64_t now = sm__now(), id = 0;
    struct sm_sql *st = NULL;
    if (posted)
        *posted = false;
    int rc = sm_sql_prepare(store,
                            "INSERT INTO provider_messages (provider_id, service_id, kind,"
                            " dedupe_key, subject_ja, body_ja, subject_en, body_en, created_at)"
                            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"
                            " ON CONFLICT (dedupe_key) DO NOTHING RETURNING id",
                            &st, diag);
    if (!rc)
        rc = sm_sql_bind_int64(st, 1, provider_id);
    if (!rc)
        rc = service_id > 0 ? sm_sql_bind_int64(st, 2, service_id) : sm_sql_bind_null(st, 2);
    if (!rc)
        rc = sm_sql_bind_text(st, 3, kind, (size_t)-1);
    if (!rc)
        rc = sm_sql_bind_text(st, 4, dedupe_key, (size_t)-1);
    if (!rc)
        rc = sm_sql_bind_text(st, 5, subject_ja, (size_t)-1);
    if (!rc)
        rc = sm_sql_bind_text(st, 6, body_ja, (size_t)-1);
    if (!rc)
        rc = sm_sql_bind_text(st, 7, subject_en, (size_t)-1);
    if (!rc)
        rc = sm_sql_bind_text(st, 8, body_en, (size_t)-1);
    if (!rc)
        rc = sm_sql_bind_int64(st, 9, now);
    if (!rc)
        rc = sm_sql_step(st, diag);
    bool inserted = rc == SM_SQL_ROW;
    if (inserted) {
        id = sm_sql_int64(st, 0);
        rc = sm_sql_step(st, diag);
    }
    sm_sql_free(st);
    if (rc != SM_SQL_DONE)
        return rc < 0 ? rc : SM_EDB;
    if (!inserted)
        return SM_OK;

    /* Mail goes to the provider's contact address; without one the portal message is all. */
    char *to = NULL;
    rc = sm_sql_prepare(store, "SELECT contact_email FROM providers WHERE id = ?", &st, diag);
    if (!rc)
        rc = sm_sql_bindv(st, "i", provider_id);
    if (!rc)
        rc = sm_sql_step(st, diag);
    if (rc == SM_SQL_ROW) {
        const char *e = sm_sql_text(st, 0);
        rc = SM_OK;
        if (e && *e && !(to = sm_strdup(e)))
            rc = SM_ENOMEM;
    } else if (rc == SM_SQL_DONE) {
        rc = sm_diag_set(diag, SM_ENOTFOUND, "no provider %lld", (long long)provider_id);
    }
    sm_sql_free(st);
    if (!rc && to) {
        /* One mail in both languages, Japanese first. */
        struct sm_buf body;
        sm_buf_init(&body, (size_t)1 << 20);
        rc = sm_buf_printf(&body, "%s\n\n----\n%s\n", body_ja, body_en);
        char subject[600];
        snprintf(subject, sizeof subject, "%s / %s", subject_ja, subject_en);
        if (!rc)
            rc = sm_sql_run(store, NULL, diag,
                            "INSERT INTO outbox (message_id, to_addr, subject, body, created_at)"
                            " VALUES (?, ?, ?, ?, ?)",
                            "ittti", id, to, subject, body.data, now);
        sm_buf_release(&body);
    }
    sm_free(to);
    if (!rc && posted)
        *posted = true;
    return rc;
}

/* --- Access rules -------------------------------------------------------------------------- */

struct sm_registry_who sm_registry_who_user(const struct sm_user *user)
{
    struct sm_registry_who who = {
        .user_id = user->id,
        .name = user->username,
        .role = user->role,
        .provider_id = user->role == SM_ROLE_PROVIDER ? user->provider_id : 0,
    };
    return who;
}

struct sm_registry_who sm_registry_who_system(const char *name)
{
    struct sm_registry_who who = {
        .user_id = 0,
        .name = name ? name : "system",
        .role = SM_ROLE_OPERATOR,
        .provider_id = 0,
    };
    return who;
}

bool sm_registry_can_operate(const struct sm_registry_who *who)
{
    return who && who->role == SM_ROLE_OPERATOR;
}

bool sm_registry_can_review(const struct sm_registry_who *who)
{
    if (!who)
        return false;
    switch (who->role) {
    case SM_ROLE_OPERATOR:
    case SM_ROLE_REVIEWER:
        return true;
    case SM_ROLE_PROVIDER:
    case SM_ROLE_ANALYST:
    case SM_ROLE_ASSOCIATION:
        return false;
    }
    return false;
}

static bool own_provider(const struct sm_registry_who *who, int64_t provider_id)
{
    return who->role == SM_ROLE_PROVIDER && who->provider_id > 0 && who->provider_id == provider_id;
}

bool sm_registry_can_edit(const struct sm_registry_who *who, int64_t provider_id)
{
    if (!who)
        return false;
    switch (who->role) {
    case SM_ROLE_OPERATOR:
        return true;
    case SM_ROLE_PROVIDER:
        return own_provider(who, provider_id);
    case SM_ROLE_REVIEWER:
    case SM_ROLE_ANALYST:
    case SM_ROLE_ASSOCIATION:
        return false;
    }
    return false;
}

bool sm_registry_can_view(const struct sm_registry_who *who, int64_t provider_id)
{
    if (!who)
        return false;
    switch (who->role) {
    case SM_ROLE_OPERATOR:
    case SM_ROLE_REVIEWER:
        return true;
    case SM_ROLE_PROVIDER:
        return own_provider(who, provider_id);
    case SM_ROLE_ANALYST:
    case SM_ROLE_ASSOCIATION:
        return false;
    }
    return false;
}

bool sm_registry_can_read_inquiries(const struct sm_registry_who *who, int64_t provider_id)
{
    return who && own_provider(who, provider_id);
}

/* --- Names ------------------------------------------------------------------------------- */

static int parse_in(const char *const *names, size_t n, const char *s, int *out)
{
    for (size_t i = 0; s && i < n; i++) {
        if (strcmp(s, names[i]) == 0) {
            *out = (int)i;
            return SM_OK;
        }
    }
    return SM_EINVAL;
}

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

/* Each table is indexed by its enumeration's values, in order. */
static const char *const svc_status_names[] = {
    "applied",   "under_review", "registered", "renewal_due",
    "suspended", "withdrawn",    "rejected",   "lapsed",
};
static const char *const app_kind_names[] = { "new", "change", "renewal" };
static const char *const app_state_names[] = {
    "submitted", "under_review", "changes_requested", "approved", "rejected", "withdrawn",
};
static const char *const decision_names[] = { "approve", "reject", "request_changes" };
static const char *const due_names[] = { "overdue", "30", "60", "90" };
static const char *const case_source_names[] = { "provider_report", "webinar", "other" };
static const char *const case_state_names[] = {
    "draft", "awaiting_provider", "changes_requested", "confirmed", "published", "withdrawn",
};
static const char *const case_action_names[] = { "send", "confirm", "request_changes", "publish",
                                                 "unpublish" };
static const char *const referrer_names[] = { "direct", "internal",   "search",
                                              "social", "government", "other" };

const char *sm_svc_status_name(enum sm_svc_status s)
{
    switch (s) {
    case SM_SVC_APPLIED:
    case SM_SVC_UNDER_REVIEW:
    case SM_SVC_REGISTERED:
    case SM_SVC_RENEWAL_DUE:
    case SM_SVC_SUSPENDED:
    case SM_SVC_WITHDRAWN:
    case SM_SVC_REJECTED:
    case SM_SVC_LAPSED:
        return svc_status_names[s];
    }
    return "unknown";
}

int sm_svc_status_parse(const char *s, enum sm_svc_status *out)
{
    int v;
    int rc = parse_in(svc_status_names, COUNT(svc_status_names), s, &v);
    if (!rc)
        *out = (enum sm_svc_status)v;
    return rc;
}

const char *sm_app_kind_name(enum sm_app_kind k)
{
    switch (k) {
    case SM_APP_NEW:
    case SM_APP_CHANGE:
    case SM_APP_RENEWAL:
        return app_kind_names[k];
    }
    return "unknown";
}

int sm_app_kind_parse(const char *s, enum sm_app_kind *out)
{
    int v;
    int rc = parse_in(app_kind_names, COUNT(app_kind_names), s, &v);
    if (!rc)
        *out = (enum sm_app_kind)v;
    return rc;
}

const char *sm_app_state_name(enum sm_app_state s)
{
    switch (s) {
    case SM_APP_SUBMITTED:
    case SM_APP_UNDER_REVIEW:
    case SM_APP_CHANGES_REQUESTED:
    case SM_APP_APPROVED:
    case SM_APP_REJECTED:
    case SM_APP_WITHDRAWN:
        return app_state_names[s];
    }
    return "unknown";
}

int sm_app_state_parse(const char *s, enum sm_app_state *out)
{
    int v;
    int rc = parse_in(app_state_names, COUNT(app_state_names), s, &v);
    if (!rc)
        *out = (enum sm_app_state)v;
    return rc;
}

const char *sm_decision_name(enum sm_decision d)
{
    switch (d) {
    case SM_DECIDE_APPROVE:
    case SM_DECIDE_REJECT:
    case SM_DECIDE_REQUEST_CHANGES:
        return decision_names[d];
    }
    return "unknown";
}

int sm_decision_parse(const char *s, enum sm_decision *out)
{
    int v;
    int rc = parse_in(decision_names, COUNT(decision_names), s, &v);
    if (!rc)
        *out = (enum sm_decision)v;
    return rc;
}

const char *sm_due_bucket_name(enum sm_due_bucket b)
{
    switch (b) {
    case SM_DUE_OVERDUE:
    case SM_DUE_30:
    case SM_DUE_60:
    case SM_DUE_90:
        return due_names[b];
    }
    return "unknown";
}

const char *sm_case_source_name(enum sm_case_source s)
{
    switch (s) {
    case SM_CASE_PROVIDER_REPORT:
    case SM_CASE_WEBINAR:
    case SM_CASE_OTHER:
        return case_source_names[s];
    }
    return "unknown";
}

int sm_case_source_parse(const char *s, enum sm_case_source *out)
{
    int v;
    int rc = parse_in(case_source_names, COUNT(case_source_names), s, &v);
    if (!rc)
        *out = (enum sm_case_source)v;
    return rc;
}

const char *sm_case_state_name(enum sm_case_state s)
{
    switch (s) {
    case SM_CASE_DRAFT:
    case SM_CASE_AWAITING_PROVIDER:
    case SM_CASE_CHANGES_REQUESTED:
    case SM_CASE_CONFIRMED:
    case SM_CASE_PUBLISHED:
    case SM_CASE_WITHDRAWN:
        return case_state_names[s];
    }
    return "unknown";
}

int sm_case_state_parse(const char *s, enum sm_case_state *out)
{
    int v;
    int rc = parse_in(case_state_names, COUNT(case_state_names), s, &v);
    if (!rc)
        *out = (enum sm_case_state)v;
    return rc;
}

const char *sm_case_action_name(enum sm_case_action a)
{
    switch (a) {
    case SM_CASE_SEND:
    case SM_CASE_CONFIRM:
    case SM_CASE_REQUEST_CHANGES:
    case SM_CASE_PUBLISH:
    case SM_CASE_UNPUBLISH:
        return case_action_names[a];
    }
    return "unknown";
}

int sm_case_action_parse(const char *s, enum sm_case_action *out)
{
    int v;
    int rc = parse_in(case_action_names, COUNT(case_action_names), s, &v);
    if (!rc)
        *out = (enum sm_case_action)v;
    return rc;
}

const char *sm_referrer_kind_name(enum sm_referrer_kind k)
{
    switch (k) {
    case SM_REF_DIRECT:
    case SM_REF_INTERNAL:
    case SM_REF_SEARCH:
    case SM_REF_SOCIAL:
    case SM_REF_GOVERNMENT:
    case SM_REF_OTHER:
        return referrer_names[k];
    }
    return "unknown";
}

int sm_referrer_kind_parse(const char *s, enum sm_referrer_kind *out)
{
    int v;
    int rc = parse_in(referrer_names, COUNT(referrer_names), s, &v);
    if (!rc)
        *out = (enum sm_referrer_kind)v;
    return rc;
}

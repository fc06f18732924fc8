/*
 * Case studies (see smesec/registry.h): drafted by the operator from a provider's report or
 * a webinar, confirmed (or sent back with a comment) by the provider, published by the
 * operator.
 *
 * The transitions are one table: who may take each action and from which state. A provider
 * never sees an operator's draft before it is sent, and only published studies of listed
 * services are public.
 */
#include "registry/internal.h"

#include "smesec/alloc.h"

#include <stdio.h>
#include <string.h>

#include "util/banned.h"

#define CASE_TITLE_MAX 300

static int check_case(const struct sm_case_study_in *in, struct sm_diag *diag)
{
    int rc;
    if ((rc = sm__check_text("case study title", in->title, CASE_TITLE_MAX, true, diag)) ||
        (rc = sm__check_text("case study text", in->body, SM_SERVICE_TEXT_MAX * 4, true, diag)) ||
        (rc = sm__check_text("case study industry", in->industry, CASE_TITLE_MAX, false, diag)))
        return rc;
    if (in->prefecture && *in->prefecture && !sm_pref_code_valid(in->prefecture))
        return sm_diag_set(diag, SM_EINVAL, "prefecture '%s' is not 01..47", in->prefecture);
    switch (in->source) {
    case SM_CASE_PROVIDER_REPORT:
    case SM_CASE_WEBINAR:
    case SM_CASE_OTHER:
        return SM_OK;
    }
    return sm_diag_set(diag, SM_EINVAL, "unknown case-study source");
}

int sm_case_study_draft(struct sm_store *store, const struct sm_registry_who *who,
                        const struct sm_case_study_in *in, int64_t *id_out, struct sm_diag *diag)
{
    if (!sm_registry_can_operate(who))
        return sm_diag_set(diag, SM_EPERM, "only an operator drafts case studies");
    int64_t provider_id = 0, id = 0, now = sm__now();
    enum sm_svc_status status;
    int rc = check_case(in, diag);
    if (!rc)
        rc = sm__service_owner(store, in->service_id, &provider_id, &status, diag);
    if (rc)
        return rc;
    if ((rc = sm__reg_begin(store, diag)))
        return rc;
    struct sm_sql *st = NULL;
    rc = sm_sql_prepare(store,
                        "INSERT INTO case_studies (service_id, source, title, body, industry,"
                        " prefecture, state, created_by, created_at, updated_at)"
                        " VALUES (?, ?, ?, ?, ?, ?, 'draft', ?, ?, ?) RETURNING id",
                        &st, diag);
    if (!rc)
        rc = sm_sql_bindv(st, "itt", in->service_id, sm_case_source_name(in->source), in->title);
    if (!rc)
        rc = sm__bind_text(st, 4, in->body);
    if (!rc)
        rc = sm__bind_text(st, 5, in->industry);
    if (!rc)
        rc = sm__bind_text(st, 6, in->prefecture);
    if (!rc)
        rc = sm_sql_bind_text(st, 7, who->name, (size_t)-1);
    if (!rc)
        rc = sm_sql_bind_int64(st, 8, now);
    if (!rc)
        rc = sm_sql_bind_int64(st, 9, now);
    if (!rc)
        rc = sm_sql_step(st, diag);
    if (rc == SM_SQL_ROW) {
        id = sm_sql_int64(st, 0);
        rc = sm__step_done(st, diag);
    } else if (rc == SM_SQL_DONE) {
        rc = SM_EDB;
    }
    sm_sql_free(st);
    if (!rc)
        rc = sm__reg_audit(store, who, "case_study.draft", "case_study", id, in->title, diag);
    rc = sm__reg_finish(store, rc, diag);
    if (!rc && id_out)
        *id_out = id;
    return rc;
}

/* A study's service, provider and state. */
static int case_head(struct sm_store *store, int64_t id, int64_t *service_id, int64_t *provider_id,
                     enum sm_case_state *state, struct sm_diag *diag)
{
    struct sm_sql *st = NULL;
    int rc = sm_sql_prepare(store,
                            "SELECT c.service_id, s.provider_id, c.state FROM case_studies c"
                            " JOIN services s ON s.id = c.service_id WHERE c.id = ?",
                            &st, diag);
    if (!rc)
        rc = sm_sql_bindv(st, "i", id);
    if (!rc)
        rc = sm_sql_step(st, diag);
    if (rc == SM_SQL_ROW) {
        *service_id = sm_sql_int64(st, 0);
        *provider_id = sm_sql_int64(st, 1);
        const char *s = sm_sql_text(st, 2);
        rc = sm__parse_stored(sm_case_state_parse(s, state), "case-study state", s, diag);
    } else if (rc == SM_SQL_DONE) {
        rc = sm_diag_set(diag, SM_ENOTFOUND, "no case study %lld", (long long)id);
    }
    sm_sql_free(st);
    return rc;
}

int sm_case_study_edit(struct sm_store *store, const struct sm_registry_who *who, int64_t id,
                       const struct sm_case_study_in *in, struct sm_diag *diag)
{
    if (!sm_registry_can_operate(who))
        return sm_diag_set(diag, SM_EPERM, "only an operator edits case studies");
    int64_t service_id = 0, provider_id = 0;
    enum sm_case_state state;
    int rc = check_case(in, diag);
    if (!rc)
        rc = case_head(store, id, &service_id, &provider_id, &state, diag);
    if (rc)
        return rc;
    if (in->service_id != service_id)
        return sm_diag_set(diag, SM_EINVAL, "case study %lld belongs to service %lld",
                           (long long)id, (long long)service_id);
    if (state != SM_CASE_DRAFT && state != SM_CASE_CHANGES_REQUESTED)
        return sm_diag_set(diag, SM_EINVAL, "case study %lld is %s and cannot be edited",
                           (long long)id, sm_case_state_name(state));
    if ((rc = sm__reg_begin(store, diag)))
        return rc;
    struct sm_sql *st = NULL;
    rc = sm_sql_prepare(store,
                        "UPDATE case_studies SET source = ?, title = ?, body = ?, industry = ?,"
                        " prefecture = ?, updated_at = ? WHERE id = ?",
                        &st, diag);
    if (!rc)
        rc = sm_sql_bindv(st, "ttt", sm_case_source_name(in->source), in->title, in->body);
    if (!rc)
        rc = sm__bind_text(st, 4, in->industry);
    if (!rc)
        rc = sm__bind_text(st, 5, in->prefecture);
    if (!rc)
        rc = sm_sql_bind_int64(st, 6, sm__now());
    if (!rc)
        rc = sm_sql_bind_int64(st, 7, id);
    if (!rc)
        rc = sm__step_done(st, diag);
    sm_sql_free(st);
    if (!rc)
        rc = sm__reg_audit(store, who, "case_study.edit", "case_study", id, NULL, diag);
    return sm__reg_finish(store, rc, diag);
}

/* Who may take an action, from which state, to which state. */
struct transition {
    enum sm_case_action action;
    bool by_operator; /* else by the provider's staff */
    enum sm_case_state from, from2;
    enum sm_case_state to;
    const char *to_name;
};

static const struct transition transitions[] = {
    { SM_CASE_SEND, true, SM_CASE_DRAFT, SM_CASE_CHANGES_REQUESTED, SM_CASE_AWAITING_PROVIDER,
      "awaiting_provider" },
    { SM_CASE_CONFIRM, false, SM_CASE_AWAITING_PROVIDER, SM_CASE_AWAITING_PROVIDER,
      SM_CASE_CONFIRMED, "confirmed" },
    { SM_CASE_REQUEST_CHANGES, false, SM_CASE_AWAITING_PROVIDER, SM_CASE_AWAITING_PROVIDER,
      SM_CASE_CHANGES_REQUESTED, "changes_requested" },
    { SM_CASE_PUBLISH, true, SM_CASE_CONFIRMED, SM_CASE_CONFIRMED, SM_CASE_PUBLISHED, "published" },
    { SM_CASE_UNPUBLISH, true, SM_CASE_PUBLISHED, SM_CASE_PUBLISHED, SM_CASE_WITHDRAWN,
      "withdrawn" },
};

int sm_case_study_act(struct sm_store *store, const struct sm_registry_who *who, int64_t id,
                      enum sm_case_action action, const char *comment, struct sm_diag *diag)
{
    const struct transition *t = NULL;
    for (size_t i = 0; i < sizeof transitions / sizeof transitions[0]; i++)
        if (transitions[i].action == action)
            t = &transitions[i];
    if (!t)
        return sm_diag_set(diag, SM_EINVAL, "unknown case-study action");
    int64_t service_id = 0, provider_id = 0;
    enum sm_case_state state;
    int rc = case_head(store, id, &service_id, &provider_id, &state, diag);
    if (rc)
        return rc;
    /* The provider acts for itself only; the operator's actions are the operator's only. */
    bool allowed = t->by_operator ? sm_registry_can_operate(who)
                                  : who && who->role == SM_ROLE_PROVIDER &&
                                        sm_registry_can_edit(who, provider_id);
    if (!allowed)
        return sm_diag_set(diag, SM_EPERM, "not allowed to %s case study %lld",
                           sm_case_action_name(action), (long long)id);
    if (state != t->from && state != t->from2)
        return sm_diag_set(diag, SM_EINVAL, "case study %lld is %s: cannot %s it", (long long)id,
                           sm_case_state_name(state), sm_case_action_name(action));
    bool needs_comment = action == SM_CASE_REQUEST_CHANGES;
    if ((rc = sm__check_text("comment", comment, SM_SERVICE_TEXT_MAX, needs_comment, diag)))
        return rc;
    int64_t now = sm__now();
    if ((rc = sm__reg_begin(store, diag)))
        return rc;
    if (action == SM_CASE_REQUEST_CHANGES)
        rc = sm_sql_run(store, NULL, diag,
                        "UPDATE case_studies SET state = ?, provider_comment = ?, updated_at = ?"
                        " WHERE id = ?",
                        "ttii", t->to_name, comment, now, id);
    else if (action == SM_CASE_PUBLISH)
        rc = sm_sql_run(store, NULL, diag,
                        "UPDATE case_studies SET state = ?, published_at = ?, updated_at = ?"
                        " WHERE id = ?",
                        "tiii", t->to_name, now, now, id);
    else
        rc = sm_sql_run(store, NULL, diag,
                        "UPDATE case_studies SET state = ?, updated_at = ? WHERE id = ?", "tii",
                        t->to_name, now, id);
    if (!rc && action == SM_CASE_SEND) {
        char sj[200], bj[400], se[200], be[400];
        snprintf(sj, sizeof sj, "導入事例%lldの確認のお願い", (long long)id);
        snprintf(bj, sizeof bj,
                 "導入事例%lldの原稿を作成しました。ポータルで内容を確認し、確認済みにするか"
                 "修正を依頼してください。",
                 (long long)id);
        snprintf(se, sizeof se, "Please check case study %lld", (long long)id);
        snprintf(be, sizeof be,
                 "A draft of case study %lld is ready. Please read it in the portal and confirm "
                 "it or ask for changes.",
                 (long long)id);
        rc = sm__message_post(store, provider_id, service_id, "case_study_sent", NULL, sj, bj, se,
                              be, NULL, diag);
    }
    if (!rc) {
        char act[48];
        snprintf(act, sizeof act, "case_study.%s", sm_case_action_name(action));
        rc = sm__reg_audit(store, who, act, "case_study", id, comment, diag);
    }
    return sm__reg_finish(store, rc, diag);
}

#define CASE_COLUMNS                                                                    \
 "SELECT c.id, c.service_id, s.provider_id, v.name, p.name, c.source, c.title, c.body," \
 " c.industry, c.prefecture, c.state, c.provider_comment, c.updated_at,"                \
 " COALESCE(c.published_at, 0)"                                                         \
 " FROM case_studies c JOIN services s ON s.id = c.service_id"                          \
 " JOIN providers p ON p.id = s.provider_id"                                            \
 " JOIN service_versions v ON v.id = COALESCE(s.public_version_id, (SELECT"             \
 "   MAX(x.version_id) FROM applications x WHERE x.service_id = s.id))"

static int read_cases(struct sm_sql *st, struct sm_case_study_list *list, struct sm_arena *a,
                      struct sm_diag *diag)
{
    size_t cap = 0;
    bool oom = false;
    int rc;
    while ((rc = sm_sql_step(st, diag)) == SM_SQL_ROW) {
        struct sm_case_study *c = sm__vec_push(a, (void **)&list->items, &list->n, &cap, sizeof *c);
        if (!c)
            return SM_ENOMEM;
        c->id = sm_sql_int64(st, 0);
        c->service_id = sm_sql_int64(st, 1);
        c->provider_id = sm_sql_int64(st, 2);
        c->service_name = sm__col(a, st, 3, &oom);
        c->provider_name = sm__col(a, st, 4, &oom);
        const char *src = sm_sql_text(st, 5), *state = sm_sql_text(st, 10);
        rc = sm__parse_stored(sm_case_source_parse(src, &c->source), "source", src, diag);
        if (!rc)
            rc = sm__parse_stored(sm_case_state_parse(state, &c->state), "state", state, diag);
        if (rc)
            return rc;
        c->title = sm__col(a, st, 6, &oom);
        c->body = sm__col(a, st, 7, &oom);
        c->industry = sm__col(a, st, 8, &oom);
        c->prefecture = sm__col(a, st, 9, &oom);
        c->provider_comment = sm__col(a, st, 11, &oom);
        c->updated_at = sm_sql_int64(st, 12);
        c->published_at = sm_sql_int64(st, 13);
        if (oom)
            return SM_ENOMEM;
    }
    return rc == SM_SQL_DONE ? SM_OK : rc;
}

int sm_case_studies_public(struct sm_store *store, int64_t service_id, const char *today,
                           size_t limit, struct sm_case_study_list **out, struct sm_diag *diag)
{
    if (!sm_date_valid(today))
        return sm_diag_set(diag, SM_EINVAL, "date '%s' is not YYYY-MM-DD", today ? today : "");
    struct sm_arena *a = NULL;
    struct sm_case_study_list *list = NULL;
    struct sm_sql *st = NULL;
    int rc = sm__reg_new(sizeof *list, &a, (void **)&list);
    if (rc)
        return rc;
    list->priv = a;
    rc = sm_sql_prepare(store,
                        CASE_COLUMNS " WHERE c.state = 'published' AND " SM__LISTED
                                     " AND (? = 0 OR c.service_id = ?)"
                                     " ORDER BY c.published_at DESC, c.id DESC LIMIT ?",
                        &st, diag);
    if (!rc)
        rc =
            sm_sql_bindv(st, "tiii", today, service_id, service_id, (int64_t)(limit ? limit : 100));
    if (!rc)
        rc = read_cases(st, list, a, diag);
    sm_sql_free(st);
    if (rc) {
        sm__reg_free(a);
        return rc;
    }
    *out = list;
    return SM_OK;
}

int sm_case_study_public(struct sm_store *store, int64_t id, const char *today,
                         struct sm_case_study_list **out, struct sm_diag *diag)
{
    if (!sm_date_valid(today))
        return sm_diag_set(diag, SM_EINVAL, "date '%s' is not YYYY-MM-DD", today ? today : "");
    struct sm_arena *a = NULL;
    struct sm_case_study_list *list = NULL;
    struct sm_sql *st = NULL;
    int rc = sm__reg_new(sizeof *list, &a, (void **)&list);
    if (rc)
        return rc;
    list->priv = a;
    rc = sm_sql_prepare(
        store, CASE_COLUMNS " WHERE c.id = ? AND c.state = 'published' AND " SM__LISTED, &st, diag);
    if (!rc)
        rc = sm_sql_bindv(st, "it", id, today);
    if (!rc)
        rc = read_cases(st, list, a, diag);
    sm_sql_free(st);
    if (!rc && list->n == 0)
        rc = sm_diag_set(diag, SM_ENOTFOUND, "no published case study %lld", (long long)id);
    if (rc) {
        sm__reg_free(a);
        return rc;
    }
    *out = list;
    return SM_OK;
}

int sm_case_studies(struct sm_store *store, const struct sm_registry_who *who, int64_t provider_id,
                    struct sm_case_study_list **out, struct sm_diag *diag)
{
    bool op = sm_registry_can_operate(who);
    if (provider_id == 0 ? !op : !sm_registry_can_edit(who, provider_id))
        return sm_diag_set(diag, SM_EPERM, "not allowed to list these case studies");
    struct sm_arena *a = NULL;
    struct sm_case_study_list *list = NULL;
    struct sm_sql *st = NULL;
    int rc = sm__reg_new(sizeof *list, &a, (void **)&list);
    if (rc)
        return rc;
    list->priv = a;
    /* The operator's own drafts stay with the operator until sent. */
    rc = sm_sql_prepare(store,
                        CASE_COLUMNS " WHERE (? = 0 OR s.provider_id = ?) AND (? = 1 OR"
                                     " c.state <> 'draft') ORDER BY c.updated_at DESC, c.id DESC",
                        &st, diag);
    if (!rc)
        rc = sm_sql_bindv(st, "iii", provider_id, provider_id, (int64_t)(op ? 1 : 0));
    if (!rc)
        rc = read_cases(st, list, a, diag);
    sm_sql_free(st);
    if (rc) {
        sm__reg_free(a);
        return rc;
    }
    *out = list;
    return SM_OK;
}

void sm_case_study_list_free(struct sm_case_study_list *list)
{
    if (list)
        sm__reg_free(list->priv);
}

/*
 * Applications and their review, registration and renewal, and the operator's actions
 * (see smesec/registry.h and the life cycle in docs/registry.md).
 *
 * Invariants:
 *   - A service has at most one open application (a partial unique index enforces it).
 *   - The public content of a service (public_version_id) changes only when a reviewer
 *     approves an application or an operator imports the registry: an application's
 *     version stays private until then.
 *   - Approval needs every requirement's final verdict to be a pass; an automatic failure
 *     cannot be judged away.
 *   - Every step is one transaction with its audit record (and, for decisions, the
 *     provider's message).
 */
#include "registry/internal.h"

#include "smesec/alloc.h"

#include <stdio.h>
#include <string.h>

#include "util/banned.h"

#define COMMENT_MAX SM_SERVICE_TEXT_MAX

static int check_today(const char *today, struct sm_diag *diag)
{
    if (!sm_date_valid(today))
        return sm_diag_set(diag, SM_EINVAL, "date '%s' is not YYYY-MM-DD", today ? today : "");
    return SM_OK;
}

/* What the review steps need to know about an application. */
struct app_head {
    int64_t id;
    int64_t service_id;
    int64_t provider_id;
    int64_t version_id;
    enum sm_app_kind kind;
    enum sm_app_state state;
    enum sm_svc_status service_status;
};

static int app_head(struct sm_store *store, int64_t id, struct app_head *h, struct sm_diag *diag)
{
    struct sm_sql *st = NULL;
    int rc = sm_sql_prepare(store,
                            "SELECT a.id, a.service_id, s.provider_id, a.version_id, a.kind,"
                            " a.state, s.status FROM applications a"
                            " JOIN services s ON s.id = a.service_id WHERE a.id = ?",
                            &st, diag);
    if (!rc)
        rc = sm_sql_bindv(st, "i", id);
    if (!rc)
        rc = sm_sql_step(st, diag);
    if (rc == SM_SQL_DONE)
        rc = sm_diag_set(diag, SM_ENOTFOUND, "no application %lld", (long long)id);
    if (rc == SM_SQL_ROW) {
        h->id = sm_sql_int64(st, 0);
        h->service_id = sm_sql_int64(st, 1);
        h->provider_id = sm_sql_int64(st, 2);
        h->version_id = sm_sql_int64(st, 3);
        const char *k = sm_sql_text(st, 4), *s = sm_sql_text(st, 5), *ss = sm_sql_text(st, 6);
        rc = sm__parse_stored(sm_app_kind_parse(k, &h->kind), "application kind", k, diag);
        if (!rc)
            rc = sm__parse_stored(sm_app_state_parse(s, &h->state), "application state", s, diag);
        if (!rc)
            rc = sm__parse_stored(sm_svc_status_parse(ss, &h->service_status), "status", ss, diag);
    }
    sm_sql_free(st);
    return rc;
}

static bool is_open(enum sm_app_state s)
{
    switch (s) {
    case SM_APP_SUBMITTED:
    case SM_APP_UNDER_REVIEW:
    case SM_APP_CHANGES_REQUESTED:
        return true;
    case SM_APP_APPROVED:
    case SM_APP_REJECTED:
    case SM_APP_WITHDRAWN:
        return false;
    }
    return false;
}

/* The provider's stored class-1 date into buf ("" when none); SM_ENOTFOUND for no provider. */
static int provider_class1(struct sm_store *store, int64_t provider_id, char buf[SM_DATE_SIZE],
                           struct sm_diag *diag)
{
    struct sm_sql *st = NULL;
    buf[0] = '\0';
    int rc = sm_sql_prepare(store, "SELECT class1_first_on FROM providers WHERE id = ?", &st, diag);
    if (!rc)
        rc = sm_sql_bindv(st, "i", provider_id);
    if (!rc)
        rc = sm_sql_step(st, diag);
    if (rc == SM_SQL_ROW) {
        const char *d = sm_sql_text(st, 0);
        if (d && sm_date_valid(d))
            memcpy(buf, d, SM_DATE_SIZE);
        rc = SM_OK;
    } else if (rc == SM_SQL_DONE) {
        rc = sm_diag_set(diag, SM_ENOTFOUND, "no provider %lld", (long long)provider_id);
    }
    sm_sql_free(st);
    return rc;
}

static int renewal_of(struct sm_store *store, int64_t service_id, char buf[SM_DATE_SIZE],
                      int64_t *public_version, struct sm_diag *diag)
{
    struct sm_sql *st = NULL;
    buf[0] = '\0';
    int rc = sm_sql_prepare(
        store, "SELECT renewal_on, public_version_id FROM services WHERE id = ?", &st, diag);
    if (!rc)
        rc = sm_sql_bindv(st, "i", service_id);
    if (!rc)
        rc = sm_sql_step(st, diag);
    if (rc == SM_SQL_ROW) {
        const char *d = sm_sql_text(st, 0);
        if (d && sm_date_valid(d))
            memcpy(buf, d, SM_DATE_SIZE);
        *public_version = sm_sql_int64(st, 1);
        rc = SM_OK;
    } else if (rc == SM_SQL_DONE) {
        rc = sm_diag_set(diag, SM_ENOTFOUND, "no service %lld", (long long)service_id);
    }
    sm_sql_free(st);
    return rc;
}

int sm_registry_apply(struct sm_store *store, const struct sm_registry_who *who,
                      enum sm_app_kind kind, int64_t id, const struct sm_service_content *content,
                      const char *today, int64_t *application_id, int64_t *service_id,
                      struct sm_diag *diag)
{
    int rc = check_today(today, diag);
    if (rc)
        return rc;
    int64_t provider_id = 0, svc = 0, public_version = 0, version = 0, app = 0, now = sm__now();
    enum sm_svc_status status = SM_SVC_APPLIED;
    char class1[SM_DATE_SIZE], renewal[SM_DATE_SIZE];
    struct sm_arena arena;
    sm_arena_init(&arena, SM__REG_ARENA_MAX);
    struct sm_service_content c;

    switch (kind) {
    case SM_APP_NEW:
        provider_id = id;
        break;
    case SM_APP_CHANGE:
    case SM_APP_RENEWAL:
        svc = id;
        rc = sm__service_owner(store, svc, &provider_id, &status, diag);
        break;
    }
    if (rc)
        goto out;
    if (!sm_registry_can_edit(who, provider_id)) {
        rc = sm_diag_set(diag, SM_EPERM, "not allowed to apply for provider %lld",
                         (long long)provider_id);
        goto out;
    }
    if ((rc = provider_class1(store, provider_id, class1, diag)))
        goto out;
    if (kind != SM_APP_NEW) {
        if ((rc = renewal_of(store, svc, renewal, &public_version, diag)))
            goto out;
        bool registered = status == SM_SVC_REGISTERED || status == SM_SVC_RENEWAL_DUE;
        if (!registered || public_version <= 0) {
            rc = sm_diag_set(diag, SM_EINVAL,
                             "service %lld is %s: only a registered service can "
                             "apply for a %s",
                             (long long)svc, sm_svc_status_name(status), sm_app_kind_name(kind));
            goto out;
        }
        if (kind == SM_APP_CHANGE &&
            sm_registry_status_at(status, renewal, today) == SM_SVC_LAPSED) {
            rc = sm_diag_set(diag, SM_EINVAL,
                             "the registration of service %lld lapsed on %s: apply for renewal",
                             (long long)svc, renewal);
            goto out;
        }
    }
    if (content) {
        c = *content;
    } else if (kind == SM_APP_RENEWAL) {
        if ((rc = sm__content_load(store, public_version, &arena, &c, diag)))
            goto out;
    } else {
        rc = sm_diag_set(diag, SM_EINVAL, "an application needs the service's content");
        goto out;
    }
    if ((!c.class1_since || !*c.class1_since) && class1[0])
        c.class1_since = class1;
    if ((rc = sm_service_content_check(&c, diag)))
        goto out;

    if ((rc = sm__reg_begin(store, diag)))
        goto out;
    if (kind == SM_APP_NEW)
        rc = sm_sql_run_int64(store, &svc, diag,
                              "INSERT INTO services (provider_id, status, created_at, updated_at)"
                              " VALUES (?, 'applied', ?, ?) RETURNING id",
                              "iii", provider_id, now, now);
    if (!rc)
        rc = sm__content_insert(store, svc, &c, who->name, &version, diag);
    if (!rc) {
        rc =
            sm_sql_run_int64(store, &app, diag,
                             "INSERT INTO applications (service_id, version_id, kind, state,"
                             " standard_version, submitted_on, submitted_by, submitted_at)"
                             " VALUES (?, ?, ?, 'submitted', '', ?, ?, ?) RETURNING id",
                             "iittti", svc, version, sm_app_kind_name(kind), today, who->name, now);
        if (rc == SM_EEXIST)
            sm_diag_set(diag, rc, "service %lld already has an open application", (long long)svc);
    }
    if (!rc)
        rc = sm__checks_store(store, app, &c, today, diag);
    if (!rc)
        rc = sm__reg_audit(store, who, "application.submit", "application", app,
                           sm_app_kind_name(kind), diag);
    rc = sm__reg_finish(store, rc, diag);
    if (!rc) {
        if (application_id)
            *application_id = app;
        if (service_id)
            *service_id = svc;
    }
out:
    sm_arena_release(&arena);
    return rc;
}

int sm_registry_amend(struct sm_store *store, const struct sm_registry_who *who,
                      int64_t application_id, const struct sm_service_content *content,
                      const char *today, struct sm_diag *diag)
{
    struct app_head h;
    char class1[SM_DATE_SIZE];
    int64_t version = 0;
    int rc = check_today(today, diag);
    if (!rc)
        rc = app_head(store, application_id, &h, diag);
    if (rc)
        return rc;
    if (!sm_registry_can_edit(who, h.provider_id))
        return sm_diag_set(diag, SM_EPERM, "not allowed to amend application %lld",
                           (long long)application_id);
    if (h.state != SM_APP_SUBMITTED && h.state != SM_APP_CHANGES_REQUESTED)
        return sm_diag_set(diag, SM_EINVAL, "application %lld is %s and cannot be amended",
                           (long long)application_id, sm_app_state_name(h.state));
    if (!content)
        return sm_diag_set(diag, SM_EINVAL, "an amendment needs the service's content");
    struct sm_service_content c = *content;
    if ((rc = provider_class1(store, h.provider_id, class1, diag)))
        return rc;
    if ((!c.class1_since || !*c.class1_since) && class1[0])
        c.class1_since = class1;
    if ((rc = sm_service_content_check(&c, diag)))
        return rc;
    if ((rc = sm__reg_begin(store, diag)))
        return rc;
    rc = sm__content_insert(store, h.service_id, &c, who->name, &version, diag);
    if (!rc)
        rc = sm_sql_run(store, NULL, diag,
                        "UPDATE applications SET version_id = ?, state = 'submitted',"
                        " submitted_on = ?, submitted_at = ? WHERE id = ?",
                        "itii", version, today, sm__now(), application_id);
    if (!rc)
        rc = sm__checks_store(store, application_id, &c, today, diag);
    if (!rc)
        rc = sm__reg_audit(store, who, "application.amend", "application", application_id, NULL,
                           diag);
    return sm__reg_finish(store, rc, diag);
}

int sm_registry_cancel(struct sm_store *store, const struct sm_registry_who *who,
                       int64_t application_id, struct sm_diag *diag)
{
    struct app_head h;
    int rc = app_head(store, application_id, &h, diag);
    if (rc)
        return rc;
    if (!sm_registry_can_edit(who, h.provider_id))
        return sm_diag_set(diag, SM_EPERM, "not allowed to withdraw application %lld",
                           (long long)application_id);
    if (!is_open(h.state))
        return sm_diag_set(diag, SM_EINVAL, "application %lld is already %s",
                           (long long)application_id, sm_app_state_name(h.state));
    if ((rc = sm__reg_begin(store, diag)))
        return rc;
    rc = sm_sql_run(store, NULL, diag,
                    "UPDATE applications SET state = 'withdrawn', decided_by = ?, decided_at = ?"
                    " WHERE id = ?",
                    "tii", who->name, sm__now(), application_id);
    if (!rc && h.kind == SM_APP_NEW)
        rc = sm_sql_run(store, NULL, diag,
                        "UPDATE services SET status = 'withdrawn', updated_at = ? WHERE id = ?",
                        "ii", sm__now(), h.service_id);
    if (!rc)
        rc = sm__reg_audit(store, who, "application.withdraw", "application", application_id, NULL,
                           diag);
    return sm__reg_finish(store, rc, diag);
}

/* Moves a submitted application (and a new service) under review. */
static int start_review(struct sm_store *store, const struct app_head *h, struct sm_diag *diag)
{
    if (h->state != SM_APP_SUBMITTED)
        return SM_OK;
    int rc = sm_sql_run(store, NULL, diag,
                        "UPDATE applications SET state = 'under_review' WHERE id = ?", "i", h->id);
    if (!rc && h->kind == SM_APP_NEW)
        rc = sm_sql_run(store, NULL, diag,
                        "UPDATE services SET status = 'under_review', updated_at = ?"
                        " WHERE id = ? AND status = 'applied'",
                        "ii", sm__now(), h->service_id);
    return rc;
}

int sm_registry_judge(struct sm_store *store, const struct sm_registry_who *who,
                      int64_t application_id, const char *requirement_id, enum sm_verdict verdict,
                      const char *note, struct sm_diag *diag)
{
    if (!sm_registry_can_review(who))
        return sm_diag_set(diag, SM_EPERM, "only a reviewer judges applications");
    struct app_head h;
    int rc = app_head(store, application_id, &h, diag);
    if (rc)
        return rc;
    if (h.state != SM_APP_SUBMITTED && h.state != SM_APP_UNDER_REVIEW)
        return sm_diag_set(diag, SM_EINVAL, "application %lld is %s: nothing to judge",
                           (long long)application_id, sm_app_state_name(h.state));
    if ((rc =
             sm__check_text("judgement note", note, COMMENT_MAX, verdict == SM_VERDICT_FAIL, diag)))
        return rc;
    struct sm_sql *st = NULL;
    enum sm_verdict auto_verdict = SM_VERDICT_JUDGEMENT;
    rc = sm_sql_prepare(store,
                        "SELECT verdict FROM application_checks WHERE application_id = ?"
                        " AND requirement_id = ?",
                        &st, diag);
    if (!rc)
        rc = sm_sql_bindv(st, "it", application_id, requirement_id);
    if (!rc)
        rc = sm_sql_step(st, diag);
    if (rc == SM_SQL_ROW) {
        const char *v = sm_sql_text(st, 0);
        rc = sm__parse_stored(sm_verdict_parse(v, &auto_verdict), "verdict", v, diag);
    } else if (rc == SM_SQL_DONE) {
        rc = sm_diag_set(diag, SM_ENOTFOUND, "application %lld has no requirement '%s'",
                         (long long)application_id, requirement_id ? requirement_id : "");
    }
    sm_sql_free(st);
    if (rc)
        return rc;
    if (verdict == SM_VERDICT_PASS && auto_verdict == SM_VERDICT_FAIL)
        return sm_diag_set(diag, SM_EINVAL,
                           "requirement '%s' failed its automatic check; the content must change",
                           requirement_id);
    if ((rc = sm__reg_begin(store, diag)))
        return rc;
    if (verdict == SM_VERDICT_JUDGEMENT)
        rc = sm_sql_run(store, NULL, diag,
                        "UPDATE application_checks SET judgement = NULL, judgement_note = NULL,"
                        " judged_by = NULL, judged_at = NULL"
                        " WHERE application_id = ? AND requirement_id = ?",
                        "it", application_id, requirement_id);
    else
        rc = sm_sql_run(store, NULL, diag,
                        "UPDATE application_checks SET judgement = ?, judgement_note = ?,"
                        " judged_by = ?, judged_at = ? WHERE application_id = ?"
                        " AND requirement_id = ?",
                        "tttiit", sm_verdict_name(verdict), note && *note ? note : NULL, who->name,
                        sm__now(), application_id, requirement_id);
    if (!rc)
        rc = start_review(store, &h, diag);
    if (!rc) {
        char detail[160];
        snprintf(detail, sizeof detail, "%s=%s", requirement_id, sm_verdict_name(verdict));
        rc = sm__reg_audit(store, who, "application.judge", "application", application_id, detail,
                           diag);
    }
    return sm__reg_finish(store, rc, diag);
}

/* The first requirement whose final verdict is not a pass, into buf; "" when all pass. */
static int first_open_requirement(struct sm_store *store, int64_t application_id, char *buf,
                                  size_t size, struct sm_diag *diag)
{
    struct sm_sql *st = NULL;
    buf[0] = '\0';
    int rc = sm_sql_prepare(store,
                            "SELECT requirement_id FROM application_checks"
                            " WHERE application_id = ? AND COALESCE(judgement, verdict) <> 'pass'"
                            " ORDER BY position",
                            &st, diag);
    if (!rc)
        rc = sm_sql_bindv(st, "i", application_id);
    if (!rc)
        rc = sm_sql_step(st, diag);
    if (rc == SM_SQL_ROW) {
        snprintf(buf, size, "%s", sm_sql_text(st, 0));
        rc = SM_OK;
    } else if (rc == SM_SQL_DONE) {
        rc = SM_OK;
    }
    sm_sql_free(st);
    return rc;
}

static int registration_update(struct sm_store *store, const struct app_head *h, const char *today,
                               struct sm_diag *diag)
{
    int months = 0, rc = sm_registry_renewal_months(store, &months, diag);
    int32_t day;
    char renewal[SM_DATE_SIZE], number[32], old[SM_DATE_SIZE];
    int64_t now = sm__now(), public_version = 0;
    if (rc)
        return rc;
    if (sm_date_parse(today, &day))
        return SM_EINVAL;
    switch (h->kind) {
    case SM_APP_NEW: {
        sm_date_format(sm_date_add_months(day, months), renewal);
        snprintf(number, sizeof number, "OTS-%.4s-%05lld", today, (long long)h->service_id);
        rc = sm_sql_run(store, NULL, diag,
                        "UPDATE services SET status = 'registered', registration_no = ?,"
                        " registered_on = ?, renewal_on = ?, public_version_id = ?,"
                        " status_note = NULL, updated_at = ? WHERE id = ?",
                        "tttiii", number, today, renewal, h->version_id, now, h->service_id);
        /* The provider's first class-1 registration, for its class-2 entry later. */
        if (!rc)
            rc = sm_sql_run(store, NULL, diag,
                            "UPDATE providers SET class1_first_on = ?, updated_at = ?"
                            " WHERE id = ? AND class1_first_on IS NULL AND 1 = (SELECT"
                            " service_class FROM service_versions WHERE id = ?)",
                            "tiii", today, now, h->provider_id, h->version_id);
        return rc;
    }
    case SM_APP_CHANGE:
        return sm_sql_run(store, NULL, diag,
                          "UPDATE services SET public_version_id = ?, updated_at = ? WHERE id = ?",
                          "iii", h->version_id, now, h->service_id);
    case SM_APP_RENEWAL: {
        if ((rc = renewal_of(store, h->service_id, old, &public_version, diag)))
            return rc;
        /* One cycle on from the old date; from today when the registration had lapsed. */
        int32_t base = day, prev;
        if (old[0] && !sm_date_parse(old, &prev) && prev >= day)
            base = prev;
        sm_date_format(sm_date_add_months(base, months), renewal);
        return sm_sql_run(store, NULL, diag,
                          "UPDATE services SET renewal_on = ?, public_version_id = ?,"
                          " status = CASE WHEN status = 'suspended' THEN status"
                          " ELSE 'registered' END, updated_at = ? WHERE id = ?",
                          "tiii", renewal, h->version_id, now, h->service_id);
    }
    }
    return SM_EINVAL;
}

/* Registers, changes or renews, and rewrites the service's public list rows. */
static int registration_approve(struct sm_store *store, const struct app_head *h, const char *today,
                                struct sm_diag *diag)
{
    int rc = registration_update(store, h, today, diag);
    if (!rc)
        rc = sm__listing_refresh(store, h->service_id, 0, diag);
    return rc;
}

static void decision_message(enum sm_decision d, int64_t app, const char *comment, char *sj,
                             char *bj, char *se, char *be, size_t size)
{
    const char *ja = "", *en = "";
    switch (d) {
    case SM_DECIDE_APPROVE:
        ja = "承認されました";
        en = "approved";
        break;
    case SM_DECIDE_REJECT:
        ja = "却下されました";
        en = "rejected";
        break;
    case SM_DECIDE_REQUEST_CHANGES:
        ja = "修正を求められています";
        en = "sent back for changes";
        break;
    }
    snprintf(sj, size, "申請%lldが%s", (long long)app, ja);
    snprintf(se, size, "Application %lld %s", (long long)app, en);
    snprintf(bj, size, "申請%lldの審査結果：%s。%s%s", (long long)app, ja,
             comment && *comment ? "\nコメント：" : "", comment && *comment ? comment : "");
    snprintf(be, size, "Application %lld has been %s.%s%s", (long long)app, en,
             comment && *comment ? "\nComment: " : "", comment && *comment ? comment : "");
}

int sm_registry_decide(struct sm_store *store, const struct sm_registry_who *who,
                       int64_t application_id, enum sm_decision decision, const char *comment,
                       const char *today, struct sm_diag *diag)
{
    if (!sm_registry_can_review(who))
        return sm_diag_set(diag, SM_EPERM, "only a reviewer decides applications");
    struct app_head h;
    int rc = check_today(today, diag);
    if (!rc)
        rc = app_head(store, application_id, &h, diag);
    if (rc)
        return rc;
    if (h.state != SM_APP_SUBMITTED && h.state != SM_APP_UNDER_REVIEW)
        return sm_diag_set(diag, SM_EINVAL, "application %lld is %s and cannot be decided",
                           (long long)application_id, sm_app_state_name(h.state));
    const char *state = NULL;
    switch (decision) {
    case SM_DECIDE_APPROVE:
        state = "approved";
        rc = sm__check_text("decision comment", comment, COMMENT_MAX, false, diag);
        break;
    case SM_DECIDE_REJECT:
        state = "rejected";
        rc = sm__check_text("decision comment", comment, COMMENT_MAX, true, diag);
        break;
    case SM_DECIDE_REQUEST_CHANGES:
        state = "changes_requested";
        rc = sm__check_text("decision comment", comment, COMMENT_MAX, true, diag);
        break;
    }
    if (!state)
        return sm_diag_set(diag, SM_EINVAL, "unknown decision");
    if (rc)
        return rc;
    if (decision == SM_DECIDE_APPROVE) {
        char open[128];
        if ((rc = first_open_requirement(store, application_id, open, sizeof open, diag)))
            return rc;
        if (open[0])
            return sm_diag_set(diag, SM_EINVAL,
                               "application %lld cannot be approved: requirement '%s' has not "
                               "passed",
                               (long long)application_id, open);
    }
    if ((rc = sm__reg_begin(store, diag)))
        return rc;
    rc = sm_sql_run(store, NULL, diag,
                    "UPDATE applications SET state = ?, decided_by = ?, decided_at = ?,"
                    " decision_comment = ? WHERE id = ?",
                    "ttiti", state, who->name, sm__now(), comment && *comment ? comment : NULL,
                    application_id);
    if (!rc && decision == SM_DECIDE_APPROVE)
        rc = registration_approve(store, &h, today, diag);
    if (!rc && decision == SM_DECIDE_REJECT && h.kind == SM_APP_NEW)
        rc = sm_sql_run(store, NULL, diag,
                        "UPDATE services SET status = 'rejected', updated_at = ? WHERE id = ?",
                        "ii", sm__now(), h.service_id);
    if (!rc && decision == SM_DECIDE_REQUEST_CHANGES && h.kind == SM_APP_NEW)
        rc = sm_sql_run(store, NULL, diag,
                        "UPDATE services SET status = 'applied', updated_at = ? WHERE id = ?", "ii",
                        sm__now(), h.service_id);
    if (!rc) {
        char sj[COMMENT_MAX + 600], bj[COMMENT_MAX + 600], se[COMMENT_MAX + 600],
            be[COMMENT_MAX + 600], kind[48];
        decision_message(decision, application_id, comment, sj, bj, se, be, sizeof sj);
        snprintf(kind, sizeof kind, "application_%s", sm_decision_name(decision));
        rc = sm__message_post(store, h.provider_id, h.service_id, kind, NULL, sj, bj, se, be, NULL,
                              diag);
    }
    if (!rc)
        rc = sm__reg_audit(store, who, "application.decide", "application", application_id,
                           sm_decision_name(decision), diag);
    return sm__reg_finish(store, rc, diag);
}

/* --- Operator actions ---------------------------------------------------------------- */

static int operator_change(struct sm_store *store, const struct sm_registry_who *who,
                           int64_t service_id, const char *reason, bool reason_required,
                           const char *action, struct sm_diag *diag)
{
    if (!sm_registry_can_operate(who))
        return sm_diag_set(diag, SM_EPERM, "only an operator may %s a service", action);
    int64_t provider_id = 0;
    enum sm_svc_status status;
    int rc = sm__check_text("reason", reason, COMMENT_MAX, reason_required, diag);
    if (!rc)
        rc = sm__service_owner(store, service_id, &provider_id, &status, diag);
    if (rc)
        return rc;
    const char *to = NULL;
    bool ok = false;
    if (strcmp(action, "suspend") == 0) {
        ok = status == SM_SVC_REGISTERED || status == SM_SVC_RENEWAL_DUE;
        to = "suspended";
    } else if (strcmp(action, "reinstate") == 0) {
        ok = status == SM_SVC_SUSPENDED;
        to = "registered";
    } else {
        ok = status != SM_SVC_WITHDRAWN;
        to = "withdrawn";
    }
    if (!ok)
        return sm_diag_set(diag, SM_EINVAL, "service %lld is %s: cannot %s it",
                           (long long)service_id, sm_svc_status_name(status), action);
    if ((rc = sm__reg_begin(store, diag)))
        return rc;
    rc = sm_sql_run(store, NULL, diag,
                    "UPDATE services SET status = ?, status_note = ?, updated_at = ? WHERE id = ?",
                    "ttii", to, reason && *reason ? reason : NULL, sm__now(), service_id);
    if (!rc)
        rc = sm__listing_refresh(store, service_id, 0, diag);
    if (!rc && strcmp(to, "withdrawn") == 0)
        rc = sm_sql_run(store, NULL, diag,
                        "UPDATE applications SET state = 'withdrawn', decided_by = ?,"
                        " decided_at = ? WHERE service_id = ? AND state IN ('submitted',"
                        " 'under_review', 'changes_requested')",
                        "tii", who->name, sm__now(), service_id);
    if (!rc) {
        char act[32];
        snprintf(act, sizeof act, "service.%s", action);
        rc = sm__reg_audit(store, who, act, "service", service_id, reason, diag);
    }
    return sm__reg_finish(store, rc, diag);
}

int sm_registry_suspend(struct sm_store *store, const struct sm_registry_who *who,
                        int64_t service_id, const char *reason, struct sm_diag *diag)
{
    return operator_change(store, who, service_id, reason, true, "suspend", diag);
}

int sm_registry_reinstate(struct sm_store *store, const struct sm_registry_who *who,
                          int64_t service_id, const char *note, struct sm_diag *diag)
{
    return operator_change(store, who, service_id, note, false, "reinstate", diag);
}

int sm_registry_withdraw(struct sm_store *store, const struct sm_registry_who *who,
                         int64_t service_id, const char *reason, struct sm_diag *diag)
{
    return operator_change(store, who, service_id, reason, true, "withdraw", diag);
}

int sm_registry_renewal_months(struct sm_store *store, int *months, struct sm_diag *diag)
{
    int64_t v = 0;
    int rc = sm_sql_scalar_int64(
        store, "SELECT value FROM registry_settings WHERE name = 'renewal_months'", &v, diag);
    if (rc == SM_ENOTFOUND) {
        v = 24;
        rc = SM_OK;
    }
    if (!rc) {
        if (v < 1 || v > 120)
            return sm_diag_set(diag, SM_EDB, "stored renewal cycle %lld is out of range",
                               (long long)v);
        *months = (int)v;
    }
    return rc;
}

int sm_registry_set_renewal_months(struct sm_store *store, const struct sm_registry_who *who,
                                   int months, struct sm_diag *diag)
{
    if (!sm_registry_can_operate(who))
        return sm_diag_set(diag, SM_EPERM, "only an operator sets the renewal cycle");
    if (months < 1 || months > 120)
        return sm_diag_set(diag, SM_EINVAL, "renewal cycle %d is not 1 to 120 months", months);
    int rc = sm__reg_begin(store, diag);
    if (rc)
        return rc;
    rc = sm_sql_run(store, NULL, diag,
                    "INSERT INTO registry_settings (name, value) VALUES ('renewal_months', ?)"
                    " ON CONFLICT (name) DO UPDATE SET value = excluded.value",
                    "i", (int64_t)months);
    if (!rc) {
        char detail[16];
        snprintf(detail, sizeof detail, "%d", months);
        rc = sm__reg_audit(store, who, "registry.renewal_months", "registry", 0, detail, diag);
    }
    return sm__reg_finish(store, rc, diag);
}

/* --- Reading applications -------------------------------------------------------------- */

static int load_checks(struct sm_store *store, struct sm_registry_application *app,
                       struct sm_arena *a, struct sm_diag *diag)
{
    const struct sm_standard *std = NULL;
    struct sm_sql *st = NULL;
    size_t cap = 0;
    bool oom = false;
    int rc = sm_standard_builtin(&std, diag);
    if (!rc)
        rc = sm_sql_prepare(store,
                            "SELECT requirement_id, check_kind, verdict, reason_ja, reason_en,"
                            " judgement, judgement_note, judged_by FROM application_checks"
                            " WHERE application_id = ? ORDER BY position",
                            &st, diag);
    if (!rc)
        rc = sm_sql_bindv(st, "i", app->id);
    app->approvable = true;
    while (!rc && (rc = sm_sql_step(st, diag)) == SM_SQL_ROW) {
        rc = SM_OK;
        struct sm_registry_check *c =
            sm__vec_push(a, (void **)&app->checks, &app->n_checks, &cap, sizeof *c);
        if (!c) {
            rc = SM_ENOMEM;
            break;
        }
        c->requirement_id = sm__col(a, st, 0, &oom);
        c->req = c->requirement_id ? sm_standard_find(std, c->requirement_id) : NULL;
        const char *k = sm_sql_text(st, 1), *v = sm_sql_text(st, 2);
        c->kind = k && strcmp(k, "auto") == 0 ? SM_CHECK_AUTO : SM_CHECK_JUDGEMENT;
        rc = sm__parse_stored(sm_verdict_parse(v, &c->verdict), "verdict", v, diag);
        c->reason_ja = sm__col(a, st, 3, &oom);
        c->reason_en = sm__col(a, st, 4, &oom);
        c->judged = !sm_sql_is_null(st, 5);
        if (!rc && c->judged) {
            const char *j = sm_sql_text(st, 5);
            rc = sm__parse_stored(sm_verdict_parse(j, &c->judgement), "judgement", j, diag);
        }
        c->judgement_note = sm__col(a, st, 6, &oom);
        c->judged_by = sm__col(a, st, 7, &oom);
        c->final = c->judged ? c->judgement : c->verdict;
        if (c->final != SM_VERDICT_PASS)
            app->approvable = false;
        if (!rc && oom)
            rc = SM_ENOMEM;
    }
    sm_sql_free(st);
    if (rc != SM_SQL_DONE)
        return rc < 0 ? rc : SM_EDB;
    return SM_OK;
}

int sm_registry_application_get(struct sm_store *store, const struct sm_registry_who *who,
                                int64_t id, struct sm_registry_application **out,
                                struct sm_diag *diag)
{
    struct sm_arena *a = NULL;
    struct sm_registry_application *app = NULL;
    struct sm_sql *st = NULL;
    bool oom = false;
    int rc = sm__reg_new(sizeof *app, &a, (void **)&app);
    if (rc)
        return rc;
    app->priv = a;
    rc = sm_sql_prepare(store,
                        "SELECT a.id, a.service_id, s.provider_id, p.name, a.version_id, a.kind,"
                        " a.state, a.standard_version, a.submitted_on, a.submitted_by,"
                        " a.submitted_at, a.decided_by, a.decided_at, a.decision_comment"
                        " FROM applications a JOIN services s ON s.id = a.service_id"
                        " JOIN providers p ON p.id = s.provider_id WHERE a.id = ?",
                        &st, diag);
    if (!rc)
        rc = sm_sql_bindv(st, "i", id);
    if (!rc)
        rc = sm_sql_step(st, diag);
    if (rc == SM_SQL_DONE)
        rc = sm_diag_set(diag, SM_ENOTFOUND, "no application %lld", (long long)id);
    if (rc == SM_SQL_ROW) {
        rc = SM_OK;
        app->id = sm_sql_int64(st, 0);
        app->service_id = sm_sql_int64(st, 1);
        app->provider_id = sm_sql_int64(st, 2);
        app->provider_name = sm__col(a, st, 3, &oom);
        app->version_id = sm_sql_int64(st, 4);
        const char *k = sm_sql_text(st, 5), *s = sm_sql_text(st, 6);
        rc = sm__parse_stored(sm_app_kind_parse(k, &app->kind), "kind", k, diag);
        if (!rc)
            rc = sm__parse_stored(sm_app_state_parse(s, &app->state), "state", s, diag);
        app->standard_version = sm__col(a, st, 7, &oom);
        app->submitted_on = sm__col(a, st, 8, &oom);
        app->submitted_by = sm__col(a, st, 9, &oom);
        app->submitted_at = sm_sql_int64(st, 10);
        app->decided_by = sm__col(a, st, 11, &oom);
        app->decided_at = sm_sql_int64(st, 12);
        app->decision_comment = sm__col(a, st, 13, &oom);
        if (!rc && oom)
            rc = SM_ENOMEM;
    }
    sm_sql_free(st);
    if (!rc && !sm_registry_can_view(who, app->provider_id))
        rc = sm_diag_set(diag, SM_EPERM, "not allowed to see application %lld", (long long)id);
    if (!rc)
        rc = sm__content_load(store, app->version_id, a, &app->content, diag);
    if (!rc)
        rc = load_checks(store, app, a, diag);
    if (rc) {
        sm__reg_free(a);
        return rc;
    }
    *out = app;
    return SM_OK;
}

void sm_registry_application_free(struct sm_registry_application *app)
{
    if (app)
        sm__reg_free(app->priv);
}

int sm_registry_applications(struct sm_store *store, const struct sm_registry_who *who,
                             int64_t provider_id, bool open_only,
                             struct sm_registry_application_list **out, struct sm_diag *diag)
{
    if (provider_id == 0 ? !sm_registry_can_review(who) : !sm_registry_can_view(who, provider_id))
        return sm_diag_set(diag, SM_EPERM, "not allowed to list these applications");
    struct sm_arena *a = NULL;
    struct sm_registry_application_list *list = NULL;
    struct sm_sql *st = NULL;
    size_t cap = 0;
    bool oom = false;
    int rc = sm__reg_new(sizeof *list, &a, (void **)&list);
    if (rc)
        return rc;
    list->priv = a;
    rc = sm_sql_prepare(store,
                        "SELECT a.id, a.service_id, s.provider_id, p.name, v.name, a.kind,"
                        " a.state, a.submitted_on,"
                        " (SELECT COUNT(*) FROM application_checks c WHERE c.application_id ="
                        "  a.id AND c.verdict = 'fail'),"
                        " (SELECT COUNT(*) FROM application_checks c WHERE c.application_id ="
                        "  a.id AND c.verdict = 'judgement' AND c.judgement IS NULL)"
                        " FROM applications a JOIN services s ON s.id = a.service_id"
                        " JOIN providers p ON p.id = s.provider_id"
                        " JOIN service_versions v ON v.id = a.version_id"
                        " WHERE (? = 0 OR s.provider_id = ?) AND (? = 0 OR a.state IN"
                        " ('submitted', 'under_review', 'changes_requested')) ORDER BY a.id",
                        &st, diag);
    if (!rc)
        rc = sm_sql_bindv(st, "iii", provider_id, provider_id, (int64_t)(open_only ? 1 : 0));
    while (!rc && (rc = sm_sql_step(st, diag)) == SM_SQL_ROW) {
        rc = SM_OK;
        struct sm_registry_application_row *r =
            sm__vec_push(a, (void **)&list->items, &list->n, &cap, sizeof *r);
        if (!r) {
            rc = SM_ENOMEM;
            break;
        }
        r->id = sm_sql_int64(st, 0);
        r->service_id = sm_sql_int64(st, 1);
        r->provider_id = sm_sql_int64(st, 2);
        r->provider_name = sm__col(a, st, 3, &oom);
        r->service_name = sm__col(a, st, 4, &oom);
        const char *k = sm_sql_text(st, 5), *s = sm_sql_text(st, 6);
        rc = sm__parse_stored(sm_app_kind_parse(k, &r->kind), "kind", k, diag);
        if (!rc)
            rc = sm__parse_stored(sm_app_state_parse(s, &r->state), "state", s, diag);
        r->submitted_on = sm__col(a, st, 7, &oom);
        r->n_fail = (size_t)sm_sql_int64(st, 8);
        r->n_judgement = (size_t)sm_sql_int64(st, 9);
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

void sm_registry_application_list_free(struct sm_registry_application_list *list)
{
    if (list)
        sm__reg_free(list->priv);
}

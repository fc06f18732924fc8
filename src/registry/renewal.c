/*
 * The renewal schedule and the reminder job, provider messages and the outbox (see
 * smesec/registry.h).
 *
 * The job is idempotent by construction: each reminder carries a dedupe key made of the
 * service, its renewal date and the reminder's kind, and the message table's unique index
 * on it turns a second sending into nothing (the outbox mail is written only with a new
 * message). A renewal moves the renewal date, so the next cycle's reminders have new keys.
 * Lapsing is not the job's business: the listing condition compares the renewal date with
 * today, so a lapsed service leaves the public list even if the job never runs.
 */
#include "registry/internal.h"

#include "smesec/alloc.h"

#include <stdio.h>
#include <string.h>

#include "util/banned.h"

static int check_today(const char *today, int32_t *day, struct sm_diag *diag)
{
    if (sm_date_parse(today, day))
        return sm_diag_set(diag, SM_EINVAL, "date '%s' is not YYYY-MM-DD", today ? today : "");
    return SM_OK;
}

int sm_registry_due(struct sm_store *store, const char *today, struct sm_due_list **out,
                    struct sm_diag *diag)
{
    int32_t day;
    int rc = check_today(today, &day, diag);
    if (rc)
        return rc;
    char horizon[SM_DATE_SIZE];
    sm_date_format(day + SM_RENEWAL_DUE_DAYS, horizon);
    struct sm_arena *a = NULL;
    struct sm_due_list *list = NULL;
    struct sm_sql *st = NULL;
    size_t cap = 0;
    bool oom = false;
    if ((rc = sm__reg_new(sizeof *list, &a, (void **)&list)))
        return rc;
    list->priv = a;
    rc = sm_sql_prepare(store,
                        "SELECT s.id, s.provider_id, p.name, v.name, s.registration_no,"
                        " s.renewal_on, (SELECT COUNT(*) FROM applications x WHERE"
                        "  x.service_id = s.id AND x.kind = 'renewal' AND x.state IN"
                        "  ('submitted', 'under_review', 'changes_requested'))"
                        " FROM services s JOIN providers p ON p.id = s.provider_id"
                        " JOIN service_versions v ON v.id = s.public_version_id"
                        " WHERE s.status IN ('registered', 'renewal_due')"
                        " AND s.renewal_on IS NOT NULL AND s.renewal_on <= ?"
                        " ORDER BY s.renewal_on, s.id",
                        &st, diag);
    if (!rc)
        rc = sm_sql_bindv(st, "t", horizon);
    while (!rc && (rc = sm_sql_step(st, diag)) == SM_SQL_ROW) {
        rc = SM_OK;
        int32_t due;
        const char *renewal = sm_sql_text(st, 5);
        if (sm_date_parse(renewal, &due))
            continue; /* a malformed date (the schema checks only its length) is skipped */
        struct sm_due_row *r = sm__vec_push(a, (void **)&list->items, &list->n, &cap, sizeof *r);
        if (!r) {
            rc = SM_ENOMEM;
            break;
        }
        r->service_id = sm_sql_int64(st, 0);
        r->provider_id = sm_sql_int64(st, 1);
        r->provider_name = sm__col(a, st, 2, &oom);
        r->service_name = sm__col(a, st, 3, &oom);
        r->registration_no = sm__col(a, st, 4, &oom);
        r->renewal_on = sm__col(a, st, 5, &oom);
        r->renewal_open = sm_sql_int64(st, 6) > 0;
        r->days_left = (int)(due - day);
        r->bucket = r->days_left < 0     ? SM_DUE_OVERDUE
                    : r->days_left <= 30 ? SM_DUE_30
                    : r->days_left <= 60 ? SM_DUE_60
                                         : SM_DUE_90;
        if (oom)
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

void sm_due_list_free(struct sm_due_list *list)
{
    if (list)
        sm__reg_free(list->priv);
}

/* Which reminder, if any, is due days_left days before the renewal date. */
static const char *reminder_kind(int days_left)
{
    if (days_left >= 8 && days_left <= SM_REMIND_BEFORE_30)
        return "renewal_before_30";
    if (days_left >= 0 && days_left <= SM_REMIND_BEFORE_7)
        return "renewal_before_7";
    if (days_left <= -SM_REMIND_AFTER_7 && days_left >= -30)
        return "renewal_after_7";
    return NULL;
}

static int send_reminder(struct sm_store *store, const struct sm_registry_who *who,
                         const struct sm_due_row *r, const char *kind, bool *posted,
                         struct sm_diag *diag)
{
    char key[96], sj[700], bj[1600], se[700], be[1600];
    const char *no = r->registration_no ? r->registration_no : "-";
    snprintf(key, sizeof key, "%s:%lld:%s", kind, (long long)r->service_id, r->renewal_on);
    if (strcmp(kind, "renewal_after_7") == 0) {
        snprintf(sj, sizeof sj, "【更新期限切れ】%s（%s）", r->service_name, no);
        snprintf(bj, sizeof bj,
                 "%sの更新日（%s）を%d日過ぎました。登録は失効しており、公開一覧には表示されて"
                 "いません。更新申請を行ってください。",
                 r->service_name, r->renewal_on, -r->days_left);
        snprintf(se, sizeof se, "[Renewal overdue] %s (%s)", r->service_name, no);
        snprintf(be, sizeof be,
                 "The renewal date of %s (%s) passed %d days ago. The registration has lapsed "
                 "and the service is no longer listed. Please apply for renewal.",
                 r->service_name, r->renewal_on, -r->days_left);
    } else {
        snprintf(sj, sizeof sj, "【更新のお知らせ】%s（%s）", r->service_name, no);
        snprintf(bj, sizeof bj,
                 "%sの更新日は%s（あと%d日）です。更新日を過ぎると公開一覧から外れます。"
                 "更新申請を行ってください。",
                 r->service_name, r->renewal_on, r->days_left);
        snprintf(se, sizeof se, "[Renewal reminder] %s (%s)", r->service_name, no);
        snprintf(be, sizeof be,
                 "%s is due for renewal on %s (in %d days). After that date it leaves the "
                 "public list. Please apply for renewal.",
                 r->service_name, r->renewal_on, r->days_left);
    }
    int rc = sm__reg_begin(store, diag);
    if (rc)
        return rc;
    rc = sm__message_post(store, r->provider_id, r->service_id, kind, key, sj, bj, se, be, posted,
                          diag);
    if (!rc && *posted)
        rc = sm__reg_audit(store, who, "service.remind", "service", r->service_id, kind, diag);
    return sm__reg_finish(store, rc, diag);
}

int sm_registry_remind(struct sm_store *store, const struct sm_registry_who *who, const char *today,
                       size_t *sent, size_t *marked, struct sm_diag *diag)
{
    if (!sm_registry_can_operate(who))
        return sm_diag_set(diag, SM_EPERM, "only an operator runs the reminder job");
    struct sm_due_list *due = NULL;
    size_t n_sent = 0, n_marked = 0;
    int rc = sm_registry_due(store, today, &due, diag);
    for (size_t i = 0; !rc && i < due->n; i++) {
        const struct sm_due_row *r = &due->items[i];
        if (r->days_left >= 0) {
            int64_t changed = 0;
            rc = sm__reg_begin(store, diag);
            if (!rc)
                rc = sm_sql_run(store, &changed, diag,
                                "UPDATE services SET status = 'renewal_due', updated_at = ?"
                                " WHERE id = ? AND status = 'registered'",
                                "ii", sm__now(), r->service_id);
            if (!rc && changed)
                rc = sm__listing_refresh(store, r->service_id, 0, diag);
            if (!rc && changed)
                rc = sm__reg_audit(store, who, "service.renewal_due", "service", r->service_id,
                                   r->renewal_on, diag);
            rc = sm__reg_finish(store, rc, diag);
            if (!rc && changed)
                n_marked++;
        }
        const char *kind = reminder_kind(r->days_left);
        if (!rc && kind) {
            bool posted = false;
            rc = send_reminder(store, who, r, kind, &posted, diag);
            if (!rc && posted)
                n_sent++;
        }
    }
    sm_due_list_free(due);
    if (rc)
        return rc;
    if (sent)
        *sent = n_sent;
    if (marked)
        *marked = n_marked;
    return SM_OK;
}

/* --- Messages ---------------------------------------------------------------------------- */

int sm_registry_messages(struct sm_store *store, const struct sm_registry_who *who,
                         int64_t provider_id, struct sm_registry_message_list **out,
                         struct sm_diag *diag)
{
    if (!sm_registry_can_edit(who, provider_id))
        return sm_diag_set(diag, SM_EPERM, "not allowed to read provider %lld's messages",
                           (long long)provider_id);
    struct sm_arena *a = NULL;
    struct sm_registry_message_list *list = NULL;
    struct sm_sql *st = NULL;
    size_t cap = 0;
    bool oom = false;
    int rc = sm__reg_new(sizeof *list, &a, (void **)&list);
    if (rc)
        return rc;
    list->priv = a;
    rc = sm_sql_prepare(store,
                        "SELECT id, provider_id, service_id, kind, subject_ja, body_ja,"
                        " subject_en, body_en, created_at, read_at FROM provider_messages"
                        " WHERE provider_id = ? ORDER BY id DESC",
                        &st, diag);
    if (!rc)
        rc = sm_sql_bindv(st, "i", provider_id);
    while (!rc && (rc = sm_sql_step(st, diag)) == SM_SQL_ROW) {
        rc = SM_OK;
        struct sm_registry_message *m =
            sm__vec_push(a, (void **)&list->items, &list->n, &cap, sizeof *m);
        if (!m) {
            rc = SM_ENOMEM;
            break;
        }
        m->id = sm_sql_int64(st, 0);
        m->provider_id = sm_sql_int64(st, 1);
        m->service_id = sm_sql_int64(st, 2);
        m->kind = sm__col(a, st, 3, &oom);
        m->subject_ja = sm__col(a, st, 4, &oom);
        m->body_ja = sm__col(a, st, 5, &oom);
        m->subject_en = sm__col(a, st, 6, &oom);
        m->body_en = sm__col(a, st, 7, &oom);
        m->created_at = sm_sql_int64(st, 8);
        m->read_at = sm_sql_int64(st, 9);
        if (oom)
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

void sm_registry_message_list_free(struct sm_registry_message_list *list)
{
    if (list)
        sm__reg_free(list->priv);
}

int sm_registry_message_read(struct sm_store *store, const struct sm_registry_who *who, int64_t id,
                             int64_t now, struct sm_diag *diag)
{
    int64_t provider_id = 0;
    int rc = sm_sql_run_int64(store, &provider_id, diag,
                              "SELECT provider_id FROM provider_messages WHERE id = ?", "i", id);
    if (rc == SM_ENOTFOUND)
        return sm_diag_set(diag, rc, "no message %lld", (long long)id);
    if (rc)
        return rc;
    if (!sm_registry_can_edit(who, provider_id))
        return sm_diag_set(diag, SM_EPERM, "not allowed to mark message %lld", (long long)id);
    /* Reading is not a change to the registry: no audit record. */
    return sm_sql_run(store, NULL, diag,
                      "UPDATE provider_messages SET read_at = ? WHERE id = ? AND read_at IS NULL",
                      "ii", now, id);
}

/* --- Outbox ------------------------------------------------------------------------------- */

/* Reads the outbox rows st yields (id, to, subject, body, attempts, created_at, sent_at,
 * last_error) into a new list. */
static int outbox_read(struct sm_sql *st, struct sm_outbox_list **out, struct sm_diag *diag)
{
    struct sm_arena *a = NULL;
    struct sm_outbox_list *list = NULL;
    size_t cap = 0;
    bool oom = false;
    int rc = sm__reg_new(sizeof *list, &a, (void **)&list);
    if (rc)
        return rc;
    list->priv = a;
    while ((rc = sm_sql_step(st, diag)) == SM_SQL_ROW) {
        struct sm_outbox_mail *m =
            sm__vec_push(a, (void **)&list->items, &list->n, &cap, sizeof *m);
        if (!m) {
            rc = SM_ENOMEM;
            break;
        }
        m->id = sm_sql_int64(st, 0);
        m->to = sm__col(a, st, 1, &oom);
        m->subject = sm__col(a, st, 2, &oom);
        m->body = sm__col(a, st, 3, &oom);
        m->attempts = (int)sm_sql_int64(st, 4);
        m->created_at = sm_sql_int64(st, 5);
        m->sent_at = sm_sql_is_null(st, 6) ? 0 : sm_sql_int64(st, 6);
        m->last_error = sm__col(a, st, 7, &oom);
        if (oom) {
            rc = SM_ENOMEM;
            break;
        }
    }
    if (rc != SM_SQL_DONE) {
        sm__reg_free(a);
        return rc < 0 ? rc : SM_EDB;
    }
    *out = list;
    return SM_OK;
}

#define OUTBOX_COLUMNS                                                               \
 "SELECT id, to_addr, subject, body, attempts, created_at, sent_at, last_error FROM" \
 " outbox"

int sm_outbox_pending(struct sm_store *store, size_t max, struct sm_outbox_list **out,
                      struct sm_diag *diag)
{
    struct sm_sql *st = NULL;
    int rc = sm_sql_prepare(store, OUTBOX_COLUMNS " WHERE sent_at IS NULL ORDER BY id LIMIT ?", &st,
                            diag);
    if (!rc)
        rc = sm_sql_bindv(st, "i", (int64_t)(max ? max : 100));
    if (!rc)
        rc = outbox_read(st, out, diag);
    sm_sql_free(st);
    return rc;
}

int sm_outbox_recent(struct sm_store *store, const struct sm_registry_who *who, size_t max,
                     struct sm_outbox_list **out, struct sm_diag *diag)
{
    if (!sm_registry_can_operate(who))
        return sm_diag_set(diag, SM_EPERM, "only an operator reads the outbox");
    struct sm_sql *st = NULL;
    int rc = sm_sql_prepare(store, OUTBOX_COLUMNS " ORDER BY id DESC LIMIT ?", &st, diag);
    if (!rc)
        rc = sm_sql_bindv(st, "i", (int64_t)(max ? max : 100));
    if (!rc)
        rc = outbox_read(st, out, diag);
    sm_sql_free(st);
    return rc;
}

void sm_outbox_list_free(struct sm_outbox_list *list)
{
    if (list)
        sm__reg_free(list->priv);
}

int sm_outbox_done(struct sm_store *store, int64_t id, int64_t now, const char *error,
                   struct sm_diag *diag)
{
    int64_t changed = 0;
    int rc = error ? sm_sql_run(store, &changed, diag,
                                "UPDATE outbox SET attempts = attempts + 1, last_error = ?"
                                " WHERE id = ? AND sent_at IS NULL",
                                "ti", error, id)
                   : sm_sql_run(store, &changed, diag,
                                "UPDATE outbox SET attempts = attempts + 1, sent_at = ?,"
                                " last_error = NULL WHERE id = ? AND sent_at IS NULL",
                                "ii", now, id);
    if (!rc && changed == 0)
        rc = sm_diag_set(diag, SM_ENOTFOUND, "no unsent mail %lld", (long long)id);
    return rc;
}

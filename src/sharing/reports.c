/*
 * Storing and reading incident reports.
 *
 * Invariants:
 *   - A report is anonymised (sm_sharing_anonymise) in the same step that stores it, so the
 *     shared columns of a row never hold what the provider alone may see.
 *   - incident_tally always equals the counts of incidents per dimension, half-year, TLP and
 *     provider: every insert and update of incidents adjusts it in the same transaction
 *     (submission is the only code that writes incidents).
 *   - (provider, ext_id) is unique: resubmitting a report replaces it (revision + 1).
 *   - Every read of raw reports writes its audit record in the transaction it reads in.
 */
#include "sharing/internal.h"

#include "smesec/alloc.h"
#include "smesec/date.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/banned.h"

/* --- The tally of counts --------------------------------------------------------------- */

enum tally_dim {
    DIM_GEO,
    DIM_THREAT,
    DIM_FAMILY,
    DIM_IND_SIZE,
    DIM_RESPONSE,
    DIM_DETECTION,
    DIM_OUTCOME,
    DIM_RECOVERY,
    DIM_COST,
    DIM_COUNT
};

static const char *const dim_names[DIM_COUNT] = { "geo",      "threat",   "family",
                                                  "ind_size", "response", "detection",
                                                  "outcome",  "recovery", "cost" };

struct tally_entry {
    bool used;
    unsigned char dim, tlp;
    char half[7];
    char k1[52];
    char k2[8];
    int64_t delta;
};

/* An open-addressing hash of the count changes of one submission, flushed at its end. Its
 * size is bounded by the number of distinct keys, not by the number of reports. */
struct tally {
    struct tally_entry *e;
    size_t cap, n;
};

static uint64_t tally_hash(const struct tally_entry *k)
{
    uint64_t h = 1469598103934665603u;
    const unsigned char *parts[3] = { (const unsigned char *)k->half, (const unsigned char *)k->k1,
                                      (const unsigned char *)k->k2 };
    h = (h ^ k->dim) * 1099511628211u;
    h = (h ^ k->tlp) * 1099511628211u;
    for (int p = 0; p < 3; p++)
        for (const unsigned char *c = parts[p]; *c; c++)
            h = (h ^ *c) * 1099511628211u;
    return h;
}

static bool tally_same(const struct tally_entry *a, const struct tally_entry *b)
{
    return a->dim == b->dim && a->tlp == b->tlp && strcmp(a->half, b->half) == 0 &&
           strcmp(a->k1, b->k1) == 0 && strcmp(a->k2, b->k2) == 0;
}

static int tally_add(struct tally *t, const struct tally_entry *key, int64_t delta)
{
    if ((t->n + 1) * 2 > t->cap) {
        size_t ncap = t->cap ? t->cap * 2 : 256;
        struct tally_entry *ne = sm_calloc(ncap, sizeof *ne);
        if (!ne)
            return SM_ENOMEM;
        for (size_t i = 0; i < t->cap; i++) {
            if (!t->e[i].used)
                continue;
            size_t j = tally_hash(&t->e[i]) & (ncap - 1);
            while (ne[j].used)
                j = (j + 1) & (ncap - 1);
            ne[j] = t->e[i];
        }
        sm_free(t->e);
        t->e = ne;
        t->cap = ncap;
    }
    size_t j = tally_hash(key) & (t->cap - 1);
    while (t->e[j].used && !tally_same(&t->e[j], key))
        j = (j + 1) & (t->cap - 1);
    if (!t->e[j].used) {
        t->e[j] = *key;
        t->e[j].used = true;
        t->e[j].delta = 0;
        t->n++;
    }
    t->e[j].delta += delta;
    return SM_OK;
}

static void copy_key(char *dst, size_t size, const char *src)
{
    size_t n = src ? strlen(src) : 0;
    if (n >= size)
        n = size - 1;
    if (n)
        memcpy(dst, src, n);
    dst[n] = '\0';
}

/* The shared fields of a stored or new report, as the tally keys them. */
struct shared_fields {
    char half[7];
    char prefecture[3];
    char industry[2];
    char size[8];
    char threat[24];
    char family[52];
    bool has_family_dim; /* ransomware or malware */
    char response[8];
    char detection[8];
    char outcome[12];
    char recovery[8];
    char cost[12];
    enum sm_tlp tlp;
};

static void shared_from_anon(const struct sm_incident_anon *a, struct shared_fields *f)
{
    memset(f, 0, sizeof *f);
    copy_key(f->half, sizeof f->half, a->half);
    copy_key(f->prefecture, sizeof f->prefecture, a->prefecture);
    copy_key(f->industry, sizeof f->industry, a->industry);
    copy_key(f->size, sizeof f->size, sm_size_name(a->size));
    copy_key(f->threat, sizeof f->threat, sm_threat_name(a->threat));
    copy_key(f->family, sizeof f->family, a->family);
    f->has_family_dim = a->threat == SM_THREAT_RANSOMWARE || a->threat == SM_THREAT_MALWARE;
    copy_key(f->response, sizeof f->response, sm_response_name(a->response));
    copy_key(f->detection, sizeof f->detection, sm_detection_name(a->detection));
    copy_key(f->outcome, sizeof f->outcome, sm_outcome_name(a->outcome));
    copy_key(f->recovery, sizeof f->recovery, sm_recovery_band(a->recovery_days));
    copy_key(f->cost, sizeof f->cost, sm_cost_name(a->cost));
    f->tlp = a->tlp;
}

static int tally_report(struct tally *t, const struct shared_fields *f, int64_t delta)
{
    struct {
        enum tally_dim dim;
        const char *k1, *k2;
        bool on;
    } keys[] = {
        { DIM_GEO, f->prefecture, "", true },
        { DIM_THREAT, f->threat, "", true },
        { DIM_FAMILY, f->family, "", f->has_family_dim },
        { DIM_IND_SIZE, f->industry, f->size, true },
        { DIM_RESPONSE, f->response, "", true },
        { DIM_DETECTION, f->detection, "", true },
        { DIM_OUTCOME, f->outcome, "", true },
        { DIM_RECOVERY, f->recovery, "", true },
        { DIM_COST, f->cost, "", true },
    };

    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++) {
        if (!keys[i].on)
            continue;
        struct tally_entry k;
        memset(&k, 0, sizeof k);
        k.dim = (unsigned char)keys[i].dim;
        k.tlp = (unsigned char)f->tlp;
        copy_key(k.half, sizeof k.half, f->half);
        copy_key(k.k1, sizeof k.k1, keys[i].k1);
        copy_key(k.k2, sizeof k.k2, keys[i].k2);
        int rc = tally_add(t, &k, delta);
        if (rc)
            return rc;
    }
    return SM_OK;
}

static int tally_flush(struct sm_store *store, struct tally *t, int64_t provider_id,
                       struct sm_diag *diag)
{
    /* A count that grows may be new (an upsert); one that shrinks exists already, and is
     * updated in place so that no row ever holds a negative count, even for a moment. */
    struct sm_sql *up = NULL, *down = NULL;
    int rc = sm_sql_prepare(
        store,
        "INSERT INTO incident_tally (dim, half, k1, k2, tlp, provider_id, n)"
        " VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (dim, half, k1, k2, tlp, provider_id)"
        " DO UPDATE SET n = incident_tally.n + excluded.n",
        &up, diag);
    if (!rc)
        rc = sm_sql_prepare(store,
                            "UPDATE incident_tally SET n = n - ? WHERE dim = ? AND half = ?"
                            " AND k1 = ? AND k2 = ? AND tlp = ? AND provider_id = ? AND n >= ?",
                            &down, diag);
    for (size_t i = 0; !rc && i < t->cap; i++) {
        const struct tally_entry *e = &t->e[i];
        if (!e->used || e->delta == 0)
            continue;
        const char *tlp = sm_tlp_name((enum sm_tlp)e->tlp);
        struct sm_sql *st = e->delta > 0 ? up : down;
        rc = sm_sql_reset(st);
        if (!rc && e->delta > 0)
            rc = sm_sql_bindv(st, "tttttii", dim_names[e->dim], e->half, e->k1, e->k2, tlp,
                              provider_id, e->delta);
        else if (!rc)
            rc = sm_sql_bindv(st, "itttttii", -e->delta, dim_names[e->dim], e->half, e->k1, e->k2,
                              tlp, provider_id, -e->delta);
        if (!rc) {
            rc = sm_sql_step(st, diag);
            rc = rc == SM_SQL_DONE ? SM_OK : rc == SM_SQL_ROW ? SM_EDB : rc;
        }
        if (!rc && e->delta < 0 && sm_sql_changes(st) != 1)
            rc = sm_diag_set(diag, SM_EDB, "the %s tally does not match the reports",
                             dim_names[e->dim]);
    }
    sm_sql_free(up);
    sm_sql_free(down);
    if (!rc)
        rc = sm_sql_run(store, NULL, diag,
                        "DELETE FROM incident_tally WHERE provider_id = ? AND n = 0", "i",
                        provider_id);
    return rc;
}

/* --- Submission -------------------------------------------------------------------------- */

bool sm_sharing_can_submit(const struct sm_registry_who *who)
{
    return who && who->role == SM_ROLE_PROVIDER && who->provider_id > 0;
}

static bool listed(const int64_t *ids, size_t n, int64_t id)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (ids[mid] == id)
            return true;
        if (ids[mid] < id)
            lo = mid + 1;
        else
            hi = mid;
    }
    return false;
}

/* The checks sm_incident_set cannot make: completeness, dates, the provider's services.
 * Returns SM_OK or SM_EINVAL with the field and reason. */
static int check_report(const struct sm_incident *in, const int64_t *ids, size_t n_ids,
                        const char *today, const char **field, char *msg, size_t size)
{
    static const char *const required[] = { "id", "detected_on", "service_id", "prefecture",
                                            "industry" };
    const void *values[] = { in->ext_id, in->detected_on, in->service_id > 0 ? "" : NULL,
                             in->prefecture, in->industry };
    for (size_t k = 0; k < sizeof required / sizeof required[0]; k++)
        if (!values[k]) {
            *field = required[k];
            snprintf(msg, size, "%s is required", required[k]);
            return SM_EINVAL;
        }
    if (!sm_date_valid(in->detected_on) || !sm_pref_code_valid(in->prefecture) ||
        !sm_industry_valid(in->industry)) {
        *field = NULL;
        snprintf(msg, size, "the report has an invalid date, prefecture or industry");
        return SM_EINVAL;
    }
    if (strcmp(in->detected_on, today) > 0) {
        *field = "detected_on";
        snprintf(msg, size, "detected_on %s is after today (%s)", in->detected_on, today);
        return SM_EINVAL;
    }
    if (strcmp(in->detected_on, "2000-01-01") < 0) {
        *field = "detected_on";
        snprintf(msg, size, "detected_on %s is before 2000", in->detected_on);
        return SM_EINVAL;
    }
    if (!listed(ids, n_ids, in->service_id)) {
        *field = "service_id";
        snprintf(msg, size,
                 "service %lld is not one of this provider's currently registered services",
                 (long long)in->service_id);
        return SM_EINVAL;
    }
    if (in->malware_family && *in->malware_family && in->threat != SM_THREAT_RANSOMWARE &&
        in->threat != SM_THREAT_MALWARE) {
        *field = "malware_family";
        snprintf(msg, size, "malware_family is only for the threats ransomware and malware");
        return SM_EINVAL;
    }
    if (in->recovery_days < -1 || in->recovery_days > SM_INCIDENT_RECOVERY_MAX) {
        *field = "recovery_days";
        snprintf(msg, size, "recovery_days is out of range");
        return SM_EINVAL;
    }
    return SM_OK;
}

/* Reports are stored BATCH at a time: one statement looks up which of them the provider sent
 * before, one inserts the new ones, so a large import runs a few statements per BATCH reports
 * instead of one or two per report (which matters most over a network to PostgreSQL). */
#define BATCH 64

struct statements {
    struct sm_sql *insert, *old, *update;
    struct sm_sql *insert_batch; /* BATCH rows */
    struct sm_sql *lookup_batch; /* the stored reports among BATCH ids */
};

static void statements_free(struct statements *s)
{
    sm_sql_free(s->insert);
    sm_sql_free(s->old);
    sm_sql_free(s->update);
    sm_sql_free(s->insert_batch);
    sm_sql_free(s->lookup_batch);
}

#define INSERT_COLUMNS                                                                   \
 "INSERT INTO incidents (provider_id, ext_id, service_id, detected_on, customer_name,"   \
 " malware_family, notes, month, half, prefecture, industry, size_band, threat,"         \
 " family_shared, detection, response, outcome, recovery_days, cost_band, notes_shared," \
 " tlp, created_at, updated_at, submitted_by) VALUES "
#define INSERT_ROW  "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
#define INSERT_COLS 24

/* The statements whose text depends on BATCH. */
static int prepare_batch(struct sm_store *store, struct statements *s, struct sm_diag *diag)
{
    struct sm_buf b;
    sm_buf_init(&b, 64 * 1024);
    int rc = sm_buf_puts(&b, INSERT_COLUMNS);
    for (int i = 0; !rc && i < BATCH; i++)
        rc = sm_buf_printf(&b, "%s" INSERT_ROW, i ? ", " : "");
    if (!rc)
        rc = sm_buf_puts(&b, " ON CONFLICT (provider_id, ext_id) DO NOTHING");
    if (!rc)
        rc = sm_sql_prepare(store, b.data, &s->insert_batch, diag);
    sm_buf_reset(&b);
    if (!rc)
        rc =
            sm_buf_puts(&b, "SELECT ext_id, id, half, prefecture, industry, size_band, threat,"
                            " family_shared, detection, response, outcome, recovery_days,"
                            " cost_band, tlp FROM incidents WHERE provider_id = ? AND ext_id IN (");
    for (int i = 0; !rc && i < BATCH; i++)
        rc = sm_buf_puts(&b, i ? ", ?" : "?");
    if (!rc)
        rc = sm_buf_puts(&b, ")");
    if (!rc)
        rc = sm_sql_prepare(store, b.data, &s->lookup_batch, diag);
    sm_buf_release(&b);
    return rc;
}

static int statements_prepare(struct sm_store *store, struct statements *s, struct sm_diag *diag)
{
    memset(s, 0, sizeof *s);
    int rc = sm_sql_prepare(
        store, INSERT_COLUMNS INSERT_ROW " ON CONFLICT (provider_id, ext_id) DO NOTHING",
        &s->insert, diag);
    if (!rc)
        rc = sm_sql_prepare(store,
                            "SELECT id, half, prefecture, industry, size_band, threat,"
                            " family_shared, detection, response, outcome, recovery_days,"
                            " cost_band, tlp FROM incidents WHERE provider_id = ? AND ext_id = ?",
                            &s->old, diag);
    if (!rc)
        rc = sm_sql_prepare(
            store,
            "UPDATE incidents SET service_id = ?, detected_on = ?, customer_name = ?,"
            " malware_family = ?, notes = ?, month = ?, half = ?, prefecture = ?, industry = ?,"
            " size_band = ?, threat = ?, family_shared = ?, detection = ?, response = ?,"
            " outcome = ?, recovery_days = ?, cost_band = ?, notes_shared = ?, tlp = ?,"
            " revision = revision + 1, updated_at = ?, submitted_by = ? WHERE id = ?",
            &s->update, diag);
    if (!rc)
        rc = prepare_batch(store, s, diag);
    return rc;
}

/* Binds the report's columns from service_id to tlp, starting at parameter first. */
static int bind_report(struct sm_sql *st, int first, const struct sm_incident *in,
                       const struct sm_incident_anon *a)
{
    const char *texts[] = { in->detected_on,
                            in->customer_name,
                            in->malware_family,
                            in->notes,
                            a->month,
                            a->half,
                            a->prefecture,
                            a->industry,
                            sm_size_name(a->size),
                            sm_threat_name(a->threat),
                            a->family,
                            sm_detection_name(a->detection),
                            sm_response_name(a->response),
                            sm_outcome_name(a->outcome) };
    int rc = sm_sql_bind_int64(st, first, in->service_id);
    int idx = first + 1;
    for (size_t k = 0; !rc && k < sizeof texts / sizeof texts[0]; k++)
        rc = sm_sql_bind_text(st, idx++, texts[k], (size_t)-1);
    if (!rc)
        rc = a->recovery_days >= 0 ? sm_sql_bind_int64(st, idx, a->recovery_days)
                                   : sm_sql_bind_null(st, idx);
    idx++;
    if (!rc)
        rc = sm_sql_bind_text(st, idx++, sm_cost_name(a->cost), (size_t)-1);
    if (!rc)
        rc = sm_sql_bind_text(st, idx++, a->notes, (size_t)-1);
    if (!rc)
        rc = sm_sql_bind_text(st, idx++, sm_tlp_name(a->tlp), (size_t)-1);
    return rc;
}

/* Binds one report's 24 insert parameters from parameter first. */
static int bind_insert(struct sm_sql *st, int first, int64_t provider_id, const char *by,
                       int64_t now, const struct sm_incident *in, const struct sm_incident_anon *a)
{
    int rc = sm_sql_bind_int64(st, first, provider_id);
    if (!rc)
        rc = sm_sql_bind_text(st, first + 1, in->ext_id, (size_t)-1);
    if (!rc)
        rc = bind_report(st, first + 2, in, a);
    if (!rc)
        rc = sm_sql_bind_int64(st, first + 21, now);
    if (!rc)
        rc = sm_sql_bind_int64(st, first + 22, now);
    if (!rc)
        rc = sm_sql_bind_text(st, first + 23, by, (size_t)-1);
    return rc;
}

/* Reads a stored report's shared fields from the current row of st, the id in column col
 * and the fields after it. */
static int read_old(struct sm_sql *st, int col, const char *ext_id, int64_t *id,
                    struct shared_fields *old, struct sm_diag *diag)
{
    *id = sm_sql_int64(st, col);
    memset(old, 0, sizeof *old);
    copy_key(old->half, sizeof old->half, sm_sql_text(st, col + 1));
    copy_key(old->prefecture, sizeof old->prefecture, sm_sql_text(st, col + 2));
    copy_key(old->industry, sizeof old->industry, sm_sql_text(st, col + 3));
    copy_key(old->size, sizeof old->size, sm_sql_text(st, col + 4));
    copy_key(old->threat, sizeof old->threat, sm_sql_text(st, col + 5));
    copy_key(old->family, sizeof old->family, sm_sql_text(st, col + 6));
    old->has_family_dim =
        strcmp(old->threat, "ransomware") == 0 || strcmp(old->threat, "malware") == 0;
    copy_key(old->detection, sizeof old->detection, sm_sql_text(st, col + 7));
    copy_key(old->response, sizeof old->response, sm_sql_text(st, col + 8));
    copy_key(old->outcome, sizeof old->outcome, sm_sql_text(st, col + 9));
    copy_key(old->recovery, sizeof old->recovery,
             sm_recovery_band(sm_sql_is_null(st, col + 10) ? -1 : sm_sql_int64(st, col + 10)));
    copy_key(old->cost, sizeof old->cost, sm_sql_text(st, col + 11));
    enum sm_tlp tlp = SM_TLP_AMBER;
    if (sm_tlp_parse(sm_sql_text(st, col + 12), &tlp))
        return sm_diag_set(diag, SM_EDB, "stored tlp of report '%s' is not known", ext_id);
    old->tlp = tlp;
    return SM_OK;
}

/* Replaces stored report id (whose counts were old) with in. */
static int update_report(struct statements *s, struct tally *t, const char *by, int64_t now,
                         int64_t id, const struct shared_fields *old, const struct sm_incident *in,
                         const struct sm_incident_anon *a, struct sm_diag *diag)
{
    struct shared_fields now_f;
    shared_from_anon(a, &now_f);
    int rc = tally_report(t, old, -1);
    if (!rc)
        rc = tally_report(t, &now_f, 1);
    if (!rc)
        rc = sm_sql_reset(s->update);
    if (!rc)
        rc = bind_report(s->update, 1, in, a);
    if (!rc)
        rc = sm_sql_bind_int64(s->update, 20, now);
    if (!rc)
        rc = sm_sql_bind_text(s->update, 21, by, (size_t)-1);
    if (!rc)
        rc = sm_sql_bind_int64(s->update, 22, id);
    if (!rc) {
        rc = sm_sql_step(s->update, diag);
        rc = rc == SM_SQL_DONE ? SM_OK : rc == SM_SQL_ROW ? SM_EDB : rc;
    }
    return rc;
}

/* Stores one anonymised report; *status gets created or updated. */
static int store_report(struct statements *s, struct tally *t, int64_t provider_id, const char *by,
                        int64_t now, const struct sm_incident *in, const struct sm_incident_anon *a,
                        enum sm_submit_status *status, struct sm_diag *diag)
{
    int rc = sm_sql_reset(s->insert);
    if (!rc)
        rc = bind_insert(s->insert, 1, provider_id, by, now, in, a);
    if (rc)
        return rc;
    rc = sm_sql_step(s->insert, diag);
    if (rc != SM_SQL_DONE)
        return rc == SM_SQL_ROW ? SM_EDB : rc;
    /* One row changed: the report is new; none: the provider sent this id before. Counting
     * changes spares the RETURNING machinery on every row of a large import. */
    if (sm_sql_changes(s->insert) == 1) {
        struct shared_fields now_f;
        shared_from_anon(a, &now_f);
        *status = SM_SUBMIT_CREATED;
        return tally_report(t, &now_f, 1);
    }
    /* The provider sent this id before: take the old report out of the counts, replace it. */
    rc = sm_sql_reset(s->old);
    if (!rc)
        rc = sm_sql_bindv(s->old, "it", provider_id, in->ext_id);
    if (!rc)
        rc = sm_sql_step(s->old, diag);
    if (rc != SM_SQL_ROW)
        return rc == SM_SQL_DONE ? sm_diag_set(diag, SM_EDB, "report '%s' vanished", in->ext_id)
                                 : rc;
    int64_t id = 0;
    struct shared_fields old;
    rc = read_old(s->old, 0, in->ext_id, &id, &old, diag);
    if (!rc)
        rc = sm_sql_reset(s->old);
    if (!rc)
        rc = update_report(s, t, by, now, id, &old, in, a, diag);
    if (!rc)
        *status = SM_SUBMIT_UPDATED;
    return rc;
}

/* --- A submission: one transaction, report by report ------------------------------------ */

#define ERRORS_KEPT 1000

struct sm__submit {
    struct sm_store *store;
    const struct sm_registry_who *who;
    bool all_or_nothing;
    bool writing; /* all_or_nothing stops writing at the first refusal */
    bool began;
    char day[SM_DATE_SIZE];
    int64_t now;
    int64_t *ids; /* the provider's listed services, sorted */
    size_t n_ids;
    struct sm_scrub_dict *dict;
    struct sm__anon_cache cache;
    struct tally tally;
    struct statements st;
    struct sm_submit_result *r;
    struct sm_arena *a;
    size_t cap_errors;

    /* Reports checked and anonymised, waiting to be stored BATCH at a time; their strings
     * live in pend_arena (the caller's row buffers are reused). */
    struct {
        struct sm_incident in;
        struct sm_incident_anon anon;
        size_t index;
    } pend[BATCH];

    size_t n_pend;
    struct sm_arena pend_arena;
    size_t dropped; /* errors beyond ERRORS_KEPT */
    size_t n_status;
};

static int push_error(struct sm__submit *s, size_t index, long row, const char *field,
                      const char *message)
{
    struct sm_incident_error *e =
        sm__sh_push(s->a, (void **)&s->r->errors, &s->r->n_errors, &s->cap_errors, sizeof *e);
    if (!e)
        return SM_ENOMEM;
    e->index = index;
    e->row = row;
    e->field = field ? sm_arena_strdup(s->a, field) : NULL;
    e->message = sm_arena_strdup(s->a, message ? message : "");
    return (field && !e->field) || !e->message ? SM_ENOMEM : SM_OK;
}

int sm__submit_error(struct sm__submit *s, size_t index, long row, const char *field,
                     const char *message)
{
    if (s->r->n_errors >= ERRORS_KEPT) {
        s->dropped++;
        return SM_OK;
    }
    return push_error(s, index, row, field, message);
}

void sm_submit_result_free(struct sm_submit_result *res)
{
    if (res)
        sm__sh_free(res->priv);
}

static void pending_clear(struct sm__submit *s)
{
    for (size_t i = 0; i < s->n_pend; i++)
        sm_incident_anon_release(&s->pend[i].anon);
    s->n_pend = 0;
    sm_arena_release(&s->pend_arena);
}

static void submit_free(struct sm__submit *s)
{
    if (!s)
        return;
    pending_clear(s);
    if (s->began)
        sm_store_rollback(s->store);
    statements_free(&s->st);
    sm_free(s->tally.e);
    sm_scrub_dict_free(s->dict);
    sm__anon_cache_release(&s->cache);
    sm_free(s->ids);
    sm_submit_result_free(s->r);
    sm_free(s);
}

int sm__submit_open(struct sm_store *store, const struct sm_registry_who *who, bool all_or_nothing,
                    const char *today, size_t n_status, struct sm__submit **out,
                    struct sm_diag *diag)
{
    sm_diag_clear(diag);
    if (!sm_sharing_can_submit(who))
        return sm_diag_set(diag, SM_EPERM,
                           "only the staff of a provider may submit incident reports");
    struct sm__submit *s = sm_calloc(1, sizeof *s);
    if (!s)
        return SM_ENOMEM;
    s->store = store;
    s->who = who;
    s->all_or_nothing = all_or_nothing;
    s->writing = true;
    s->now = sm__sh_now();
    sm_arena_init(&s->pend_arena, (size_t)16 << 20);
    sm__sh_today(today, s->day);
    int rc = sm__sh_listed_services(store, who->provider_id, s->day, &s->ids, &s->n_ids, diag);
    if (!rc && s->n_ids == 0)
        rc = sm_diag_set(diag, SM_EPERM,
                         "provider %lld has no currently registered service (its registration "
                         "lapsed, was suspended or withdrawn, or is not yet approved): incident "
                         "reports are not accepted",
                         (long long)who->provider_id);
    void *obj = NULL;
    if (!rc)
        rc = sm__sh_new(sizeof(struct sm_submit_result), &s->a, &obj);
    if (!rc) {
        s->r = obj;
        s->r->priv = s->a;
        s->n_status = n_status;
        if (n_status) {
            s->r->status = sm_arena_calloc(s->a, n_status, sizeof *s->r->status);
            if (!s->r->status)
                rc = SM_ENOMEM;
        }
    }
    if (!rc)
        rc = sm_scrub_dict_new(&s->dict);
    if (!rc)
        rc = sm_scrub_dict_load(s->dict, store, s->day, diag);
    if (!rc)
        rc = sm_store_begin(store, diag);
    if (!rc) {
        s->began = true;
        rc = statements_prepare(store, &s->st, diag);
    }
    if (rc) {
        submit_free(s);
        return rc;
    }
    *out = s;
    return SM_OK;
}

static void stored(struct sm__submit *s, size_t index, enum sm_submit_status status)
{
    if (index < s->n_status)
        s->r->status[index] = status;
    if (status == SM_SUBMIT_CREATED)
        s->r->created++;
    else
        s->r->updated++;
}

/* Stores the pending reports: a full batch with one lookup and, when all are new, one
 * insert; a partial one (the end of a submission) report by report. */
static int flush(struct sm__submit *s, struct sm_diag *diag)
{
    const char *by = s->who->name ? s->who->name : "provider";
    int64_t provider = s->who->provider_id;
    int rc = SM_OK;
    if (s->n_pend < BATCH) {
        for (size_t i = 0; !rc && i < s->n_pend; i++) {
            enum sm_submit_status status = SM_SUBMIT_CREATED;
            rc = store_report(&s->st, &s->tally, provider, by, s->now, &s->pend[i].in,
                              &s->pend[i].anon, &status, diag);
            if (!rc)
                stored(s, s->pend[i].index, status);
        }
        pending_clear(s);
        return rc;
    }
    /* Which of them were sent before. */
    bool existing[BATCH] = { false };
    int64_t ids[BATCH];
    struct shared_fields old[BATCH];
    size_t n_existing = 0;
    struct sm_sql *q = s->st.lookup_batch;
    rc = sm_sql_reset(q);
    if (!rc)
        rc = sm_sql_bind_int64(q, 1, provider);
    for (int i = 0; !rc && i < BATCH; i++)
        rc = sm_sql_bind_text(q, 2 + i, s->pend[i].in.ext_id, (size_t)-1);
    while (!rc) {
        int step = sm_sql_step(q, diag);
        if (step == SM_SQL_DONE)
            break;
        if (step != SM_SQL_ROW) {
            rc = step;
            break;
        }
        const char *ext = sm_sql_text(q, 0);
        for (size_t i = 0; !rc && ext && i < BATCH; i++)
            if (!existing[i] && strcmp(s->pend[i].in.ext_id, ext) == 0) {
                existing[i] = true;
                n_existing++;
                rc = read_old(q, 1, ext, &ids[i], &old[i], diag);
                break;
            }
    }
    if (!rc)
        rc = sm_sql_reset(q);
    if (!rc && n_existing == 0) {
        /* All new: one insert. Another submission of the same provider storing one of these
         * ids meanwhile would make the insert skip it; that is refused, to be sent again. */
        struct sm_sql *ins = s->st.insert_batch;
        rc = sm_sql_reset(ins);
        for (int i = 0; !rc && i < BATCH; i++)
            rc = bind_insert(ins, 1 + i * INSERT_COLS, provider, by, s->now, &s->pend[i].in,
                             &s->pend[i].anon);
        if (!rc) {
            rc = sm_sql_step(ins, diag);
            rc = rc == SM_SQL_DONE ? SM_OK : rc == SM_SQL_ROW ? SM_EDB : rc;
        }
        if (!rc && sm_sql_changes(ins) != BATCH)
            rc = sm_diag_set(diag, SM_EEXIST,
                             "some of these reports were stored by another submission at the "
                             "same time; send them again");
        for (int i = 0; !rc && i < BATCH; i++) {
            struct shared_fields now_f;
            shared_from_anon(&s->pend[i].anon, &now_f);
            rc = tally_report(&s->tally, &now_f, 1);
            if (!rc)
                stored(s, s->pend[i].index, SM_SUBMIT_CREATED);
        }
    } else {
        for (size_t i = 0; !rc && i < BATCH; i++) {
            enum sm_submit_status status = SM_SUBMIT_UPDATED;
            if (existing[i])
                rc = update_report(&s->st, &s->tally, by, s->now, ids[i], &old[i], &s->pend[i].in,
                                   &s->pend[i].anon, diag);
            else
                rc = store_report(&s->st, &s->tally, provider, by, s->now, &s->pend[i].in,
                                  &s->pend[i].anon, &status, diag);
            if (!rc)
                stored(s, s->pend[i].index, status);
        }
    }
    pending_clear(s);
    return rc;
}

/* Keeps a checked, anonymised report for the next flush (taking over anon's strings). */
static int pend(struct sm__submit *s, size_t index, const struct sm_incident *in,
                struct sm_incident_anon *anon, struct sm_diag *diag)
{
    /* The same id twice in one batch: the first must be stored before the second replaces
     * it. */
    for (size_t i = 0; i < s->n_pend; i++)
        if (strcmp(s->pend[i].in.ext_id, in->ext_id) == 0) {
            int rc = flush(s, diag);
            if (rc) {
                sm_incident_anon_release(anon);
                return rc;
            }
            break;
        }
    struct sm_arena *a = &s->pend_arena;
    size_t k = s->n_pend;
    s->pend[k].in = *in;
    s->pend[k].index = index;
    const char **strs[] = { &s->pend[k].in.ext_id,         &s->pend[k].in.detected_on,
                            &s->pend[k].in.prefecture,     &s->pend[k].in.industry,
                            &s->pend[k].in.malware_family, &s->pend[k].in.notes,
                            &s->pend[k].in.customer_name };
    for (size_t i = 0; i < sizeof strs / sizeof strs[0]; i++)
        if (*strs[i] && !(*strs[i] = sm_arena_strdup(a, *strs[i]))) {
            sm_incident_anon_release(anon);
            return SM_ENOMEM;
        }
    s->pend[k].anon = *anon;
    memset(anon, 0, sizeof *anon);
    s->n_pend++;
    return s->n_pend == BATCH ? flush(s, diag) : SM_OK;
}

static void refuse(struct sm__submit *s, size_t index)
{
    if (index < s->n_status)
        s->r->status[index] = SM_SUBMIT_REFUSED;
    s->r->refused++;
    s->writing = s->writing && !s->all_or_nothing;
}

int sm__submit_one(struct sm__submit *s, size_t index, long row, const struct sm_incident *in,
                   bool bad, struct sm_diag *diag)
{
    s->r->n = index + 1 > s->r->n ? index + 1 : s->r->n;
    if (bad) {
        refuse(s, index);
        return SM_OK;
    }
    const char *field = NULL;
    char msg[200];
    if (check_report(in, s->ids, s->n_ids, s->day, &field, msg, sizeof msg)) {
        refuse(s, index);
        return sm__submit_error(s, index, row, field, msg);
    }
    if (!s->writing)
        return SM_OK;
    struct sm_incident_anon anon;
    struct sm_diag d;
    sm_diag_clear(&d);
    int rc = sm__anonymise_cached(&s->cache, s->dict, in, &anon, &d);
    if (rc == SM_EINVAL || rc == SM_EPARSE) {
        refuse(s, index);
        return sm__submit_error(s, index, row, NULL, d.msg);
    }
    if (rc)
        return rc;
    return pend(s, index, in, &anon, diag);
}

int sm__submit_close(struct sm__submit *s, int rc, struct sm_submit_result **out,
                     struct sm_diag *diag)
{
    if (!rc && s->writing)
        rc = flush(s, diag);
    if (!rc && s->dropped) {
        char msg[96];
        snprintf(msg, sizeof msg, "%zu more errors are not listed", s->dropped);
        rc = push_error(s, SIZE_MAX, -1, NULL, msg);
    }
    if (!rc && s->all_or_nothing && s->r->refused > 0) {
        /* Nothing is stored: say so for the reports that were fine. */
        for (size_t i = 0; i < s->n_status; i++)
            s->r->status[i] = SM_SUBMIT_REFUSED;
        size_t refused = s->r->refused;
        s->r->refused = s->r->n;
        s->r->created = s->r->updated = 0;
        sm_store_rollback(s->store);
        s->began = false;
        rc = sm_diag_set(diag, SM_EINVAL, "%zu of %zu reports have errors; nothing was stored",
                         refused, s->r->n);
        *out = s->r;
        s->r = NULL;
        submit_free(s);
        return rc;
    }
    if (!rc)
        rc = tally_flush(s->store, &s->tally, s->who->provider_id, diag);
    if (!rc) {
        char object[48], detail[96];
        snprintf(object, sizeof object, "provider:%lld", (long long)s->who->provider_id);
        snprintf(detail, sizeof detail, "created=%zu updated=%zu refused=%zu", s->r->created,
                 s->r->updated, s->r->refused);
        rc = sm__sh_audit(s->store, s->who, "sharing.submit", object, detail, diag);
    }
    if (!rc)
        rc = sm_store_commit(s->store, diag);
    if (!rc) {
        s->began = false;
        *out = s->r;
        s->r = NULL;
    }
    submit_free(s);
    return rc;
}

int sm_sharing_submit(struct sm_store *store, const struct sm_registry_who *who,
                      const struct sm_incident_batch *batch, bool all_or_nothing, const char *today,
                      struct sm_submit_result **out, struct sm_diag *diag)
{
    struct sm__submit *s = NULL;
    int rc = sm__submit_open(store, who, all_or_nothing, today, batch->n ? batch->n : 1, &s, diag);
    if (rc)
        return rc;
    for (size_t e = 0; !rc && e < batch->n_errors; e++) {
        const struct sm_incident_error *be = &batch->errors[e];
        rc = sm__submit_error(s, be->index, be->row, be->field, be->message);
    }
    for (size_t i = 0; !rc && i < batch->n; i++)
        rc = sm__submit_one(s, i, batch->rows ? batch->rows[i] : -1, &batch->items[i],
                            batch->bad && batch->bad[i], diag);
    s->r->n = batch->n;
    return sm__submit_close(s, rc, out, diag);
}

/* --- Reading raw reports ----------------------------------------------------------------- */

void sm_incident_list_free(struct sm_incident_list *list)
{
    if (list)
        sm__sh_free(list->priv);
}

static const char *col(struct sm_arena *a, const struct sm_sql *st, int c, bool *oom)
{
    const char *s = sm_sql_text(st, c);
    if (!s)
        return NULL;
    char *copy = sm_arena_strdup(a, s);
    if (!copy)
        *oom = true;
    return copy;
}

int sm_sharing_reports(struct sm_store *store, const struct sm_registry_who *who,
                       int64_t provider_id, size_t limit, size_t offset,
                       struct sm_incident_list **out, struct sm_diag *diag)
{
    sm_diag_clear(diag);
    bool operator_ = who && who->role == SM_ROLE_OPERATOR;
    bool own = who && who->role == SM_ROLE_PROVIDER && who->provider_id > 0 &&
               provider_id == who->provider_id;
    if (!operator_ && !own)
        return sm_diag_set(diag, SM_EPERM,
                           "only the provider's own staff and operators may see raw reports");
    if (limit == 0)
        limit = 100;
    if (limit > 1000)
        limit = 1000;
    /* RED never leaves the provider: not even the operator sees it. */
    bool hide_red = !own;
    struct sm_arena *a = NULL;
    void *obj = NULL;
    int rc = sm__sh_new(sizeof(struct sm_incident_list), &a, &obj);
    if (rc)
        return rc;
    struct sm_incident_list *list = obj;
    list->priv = a;
    struct sm_sql *st = NULL;
    rc = sm_store_begin(store, diag);
    if (rc)
        goto fail;
    char object[48], detail[64];
    snprintf(object, sizeof object, provider_id ? "provider:%lld" : "provider:all",
             (long long)provider_id);
    snprintf(detail, sizeof detail, "limit=%zu offset=%zu", limit, offset);
    rc = sm__sh_audit(store, who, "sharing.reports.view", object, detail, diag);
    int64_t total = 0;
    if (!rc)
        rc = sm_sql_run_int64(store, &total, diag,
                              "SELECT COUNT(*) FROM incidents WHERE (? = 0 OR provider_id = ?)"
                              " AND (? = 0 OR tlp <> 'red')",
                              "iii", provider_id, provider_id, (int64_t)hide_red);
    if (!rc)
        rc = sm_sql_prepare(
            store,
            "SELECT i.id, i.provider_id, p.name, i.ext_id, i.detected_on, i.service_id,"
            " i.prefecture, i.industry, i.size_band, i.threat, i.malware_family, i.detection,"
            " i.response, i.outcome, i.recovery_days, i.cost_band, i.notes, i.customer_name,"
            " i.tlp, i.family_shared, i.notes_shared, i.revision, i.created_at, i.updated_at"
            " FROM incidents i JOIN providers p ON p.id = i.provider_id"
            " WHERE (? = 0 OR i.provider_id = ?) AND (? = 0 OR i.tlp <> 'red')"
            " ORDER BY i.id DESC LIMIT ? OFFSET ?",
            &st, diag);
    if (!rc)
        rc = sm_sql_bindv(st, "iiiii", provider_id, provider_id, (int64_t)hide_red, (int64_t)limit,
                          (int64_t)offset);
    list->total = (size_t)total;
    size_t cap = 0;
    bool oom = false;
    while (!rc) {
        int s = sm_sql_step(st, diag);
        if (s == SM_SQL_DONE)
            break;
        if (s != SM_SQL_ROW) {
            rc = s;
            break;
        }
        struct sm_incident_row *r =
            sm__sh_push(a, (void **)&list->items, &list->n, &cap, sizeof *r);
        if (!r) {
            rc = SM_ENOMEM;
            break;
        }
        sm_incident_init(&r->in);
        r->id = sm_sql_int64(st, 0);
        r->provider_id = sm_sql_int64(st, 1);
        r->provider_name = col(a, st, 2, &oom);
        r->in.ext_id = col(a, st, 3, &oom);
        r->in.detected_on = col(a, st, 4, &oom);
        r->in.service_id = sm_sql_int64(st, 5);
        r->in.prefecture = col(a, st, 6, &oom);
        r->in.industry = col(a, st, 7, &oom);
        int bad = sm_size_parse(sm_sql_text(st, 8), &r->in.size);
        bad |= sm_threat_parse(sm_sql_text(st, 9), &r->in.threat);
        r->in.malware_family = col(a, st, 10, &oom);
        bad |= sm_detection_parse(sm_sql_text(st, 11), &r->in.detection);
        bad |= sm_response_parse(sm_sql_text(st, 12), &r->in.response);
        bad |= sm_outcome_parse(sm_sql_text(st, 13), &r->in.outcome);
        r->in.recovery_days = sm_sql_is_null(st, 14) ? -1 : sm_sql_int64(st, 14);
        bad |= sm_cost_parse(sm_sql_text(st, 15), &r->in.cost);
        r->in.notes = col(a, st, 16, &oom);
        r->in.customer_name = col(a, st, 17, &oom);
        bad |= sm_tlp_parse(sm_sql_text(st, 18), &r->in.tlp);
        r->family_shared = col(a, st, 19, &oom);
        r->notes_shared = col(a, st, 20, &oom);
        r->revision = sm_sql_int64(st, 21);
        r->created_at = sm_sql_int64(st, 22);
        r->updated_at = sm_sql_int64(st, 23);
        if (oom)
            rc = SM_ENOMEM;
        else if (bad)
            rc = sm_diag_set(diag, SM_EDB, "report %lld has a value the schema does not allow",
                             (long long)r->id);
    }
    sm_sql_free(st);
    if (!rc)
        rc = sm_store_commit(store, diag);
    if (rc)
        goto fail;
    *out = list;
    return SM_OK;
fail:
    sm_store_rollback(store);
    sm_incident_list_free(list);
    return rc;
}

/* --- Settings -------------------------------------------------------------------------- */

int sm_sharing_k(struct sm_store *store, int *k, struct sm_diag *diag)
{
    int64_t v = SM_SHARING_K_DEFAULT;
    int rc = sm_sql_run_int64(store, &v, diag,
                              "SELECT value FROM sharing_settings WHERE name = 'k'", "");
    if (rc == SM_ENOTFOUND) {
        v = SM_SHARING_K_DEFAULT;
        rc = SM_OK;
    }
    if (!rc)
        *k = v < SM_SHARING_K_MIN || v > SM_SHARING_K_MAX ? SM_SHARING_K_DEFAULT : (int)v;
    return rc;
}

int sm_sharing_set_k(struct sm_store *store, const struct sm_registry_who *who, int k,
                     struct sm_diag *diag)
{
    if (!who || who->role != SM_ROLE_OPERATOR)
        return sm_diag_set(diag, SM_EPERM, "only operators may change k");
    if (k < SM_SHARING_K_MIN || k > SM_SHARING_K_MAX)
        return sm_diag_set(diag, SM_EINVAL, "k must be from %d to %d", SM_SHARING_K_MIN,
                           SM_SHARING_K_MAX);
    int rc = sm_store_begin(store, diag);
    if (rc)
        return rc;
    rc = sm_sql_run(store, NULL, diag,
                    "INSERT INTO sharing_settings (name, value) VALUES ('k', ?)"
                    " ON CONFLICT (name) DO UPDATE SET value = excluded.value",
                    "i", (int64_t)k);
    char detail[32];
    snprintf(detail, sizeof detail, "k=%d", k);
    if (!rc)
        rc = sm__sh_audit(store, who, "sharing.k", "sharing_settings:k", detail, diag);
    if (!rc)
        rc = sm_store_commit(store, diag);
    if (rc)
        sm_store_rollback(store);
    return rc;
}

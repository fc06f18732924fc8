/*
 * The background analysis queue (see smesec/jobs.h).
 *
 * Invariants: a job leaves 'queued' only through the claiming UPDATE (state = 'queued' in
 * its WHERE clause), so two processes never run the same job; a running job's heartbeat is
 * refreshed after each guideline; a job always ends done or failed with its reason, and
 * whatever it saved before a failure stays (each guideline's analysis is its own
 * transaction). State changes of the queue are single statements outside any transaction
 * the analysis opens.
 */
#include "smesec/jobs.h"

#include "smesec/alloc.h"
#include "smesec/commons.h"
#include "smesec/drafting.h"
#include "smesec/guideline.h"
#include "store/sql.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "util/banned.h"

/* How often a claim may lose to another process before the call gives up for now. */
#define CLAIM_TRIES 8

static const char *const kind_names[] = { "guideline", "all", "draft" };
static const char *const state_names[] = { "queued", "running", "done", "failed" };

const char *sm_job_kind_name(enum sm_job_kind kind)
{
    switch (kind) {
    case SM_JOB_GUIDELINE:
    case SM_JOB_ALL:
    case SM_JOB_DRAFT:
        return kind_names[kind];
    }
    return "guideline";
}

const char *sm_job_state_name(enum sm_job_state state)
{
    switch (state) {
    case SM_JOB_QUEUED:
    case SM_JOB_RUNNING:
    case SM_JOB_DONE:
    case SM_JOB_FAILED:
        return state_names[state];
    }
    return "queued";
}

static int parse_name(const char *s, const char *const *names, size_t n, int *out)
{
    for (size_t i = 0; s && i < n; i++) {
        if (strcmp(s, names[i]) == 0) {
            *out = (int)i;
            return SM_OK;
        }
    }
    return SM_EDB;
}

void sm_job_free(struct sm_job *job)
{
    if (!job)
        return;
    sm_free(job->reason);
    sm_free(job->requested_by);
    sm_free(job);
}

int sm_job_add(struct sm_store *store, const struct sm_actor *actor, enum sm_job_kind kind,
               int64_t target_id, int64_t *id_out, struct sm_diag *diag)
{
    int64_t id = 0, n = 1;
    char object[48], detail[64];
    int rc = sm_store_begin(store, diag);
    if (rc)
        return rc;
    switch (kind) {
    case SM_JOB_GUIDELINE:
        rc = sm_sql_run_int64(store, &n, diag, "SELECT COUNT(*) FROM guidelines WHERE id = ?", "i",
                              target_id);
        if (!rc && !n)
            rc = sm_diag_set(diag, SM_ENOTFOUND, "no guideline %lld", (long long)target_id);
        break;
    case SM_JOB_DRAFT:
        rc = sm_sql_run_int64(store, &n, diag, "SELECT COUNT(*) FROM drafts WHERE id = ?", "i",
                              target_id);
        if (!rc && !n)
            rc = sm_diag_set(diag, SM_ENOTFOUND, "no draft %lld", (long long)target_id);
        break;
    case SM_JOB_ALL:
        target_id = 0;
        break;
    }
    if (!rc)
        rc = sm_sql_run_int64(store, &id, diag,
                              "INSERT INTO analysis_jobs (kind, target_id, state, user_id,"
                              " requested_by, created_at) VALUES (?, ?, 'queued', ?, ?, ?)"
                              " RETURNING id",
                              "tiiti", sm_job_kind_name(kind), target_id,
                              (int64_t)(actor ? actor->user_id : 0),
                              actor && actor->name ? actor->name : "", (int64_t)time(NULL));
    if (!rc) {
        snprintf(object, sizeof object, "job:%lld", (long long)id);
        snprintf(detail, sizeof detail, "%s:%lld", sm_job_kind_name(kind), (long long)target_id);
        rc = sm_audit_record(store, actor, "job.add", object, detail, diag);
    }
    if (!rc)
        rc = sm_store_commit(store, diag);
    if (rc) {
        sm_store_rollback(store);
        return rc;
    }
    if (id_out)
        *id_out = id;
    return SM_OK;
}

#define JOB_COLUMNS                                                                    \
 "id, kind, target_id, state, reason, done, total, user_id, requested_by, created_at," \
 " started_at, finished_at"

/* Fills j from a row of JOB_COLUMNS; j's strings are owned by j. */
static int job_from_row(struct sm_sql *st, struct sm_job *j)
{
    int kind = 0, state = 0;
    memset(j, 0, sizeof *j);
    if (parse_name(sm_sql_text(st, 1), kind_names, 3, &kind) ||
        parse_name(sm_sql_text(st, 3), state_names, 4, &state))
        return SM_EDB;
    j->id = sm_sql_int64(st, 0);
    j->kind = (enum sm_job_kind)kind;
    j->target_id = sm_sql_int64(st, 2);
    j->state = (enum sm_job_state)state;
    j->done = (size_t)sm_sql_int64(st, 5);
    j->total = (size_t)sm_sql_int64(st, 6);
    j->user_id = sm_sql_int64(st, 7);
    j->created_at = sm_sql_int64(st, 9);
    j->started_at = sm_sql_int64(st, 10);
    j->finished_at = sm_sql_int64(st, 11);
    if (!sm_sql_is_null(st, 4) && !(j->reason = sm_strdup(sm_sql_text(st, 4))))
        return SM_ENOMEM;
    if (!(j->requested_by = sm_strdup(sm_sql_text(st, 8) ? sm_sql_text(st, 8) : "")))
        return SM_ENOMEM;
    return SM_OK;
}

int sm_job_get(struct sm_store *store, int64_t id, struct sm_job **out, struct sm_diag *diag)
{
    struct sm_sql *st = NULL;
    struct sm_job *j = sm_calloc(1, sizeof *j);
    if (!j)
        return SM_ENOMEM;
    int rc =
        sm_sql_prepare(store, "SELECT " JOB_COLUMNS " FROM analysis_jobs WHERE id = ?", &st, diag);
    if (!rc)
        rc = sm_sql_bindv(st, "i", id);
    if (!rc)
        rc = sm_sql_step(st, diag);
    if (rc == SM_SQL_DONE)
        rc = sm_diag_set(diag, SM_ENOTFOUND, "no analysis job %lld", (long long)id);
    else if (rc == SM_SQL_ROW)
        rc = job_from_row(st, j);
    sm_sql_free(st);
    if (rc) {
        sm_job_free(j);
        return rc;
    }
    *out = j;
    return SM_OK;
}

int sm_job_latest(struct sm_store *store, enum sm_job_kind kind, int64_t target_id,
                  struct sm_job **out, struct sm_diag *diag)
{
    int64_t id = 0;
    int rc = sm_sql_run_int64(store, &id, diag,
                              "SELECT MAX(id) FROM analysis_jobs WHERE kind = ? AND target_id = ?",
                              "ti", sm_job_kind_name(kind), target_id);
    if (!rc && id == 0)
        rc = sm_diag_set(diag, SM_ENOTFOUND, "no %s job for %lld", sm_job_kind_name(kind),
                         (long long)target_id);
    return rc ? rc : sm_job_get(store, id, out, diag);
}

void sm_job_list_free(struct sm_job_list *list)
{
    if (!list)
        return;
    for (size_t i = 0; i < list->n; i++) {
        sm_free(list->items[i].reason);
        sm_free(list->items[i].requested_by);
    }
    sm_free(list->items);
    sm_free(list);
}

int sm_job_list(struct sm_store *store, size_t limit, struct sm_job_list **out,
                struct sm_diag *diag)
{
    if (limit < 1 || limit > 1000)
        return sm_diag_set(diag, SM_EINVAL, "a job list takes 1 to 1000 jobs, not %zu", limit);
    struct sm_job_list *list = sm_calloc(1, sizeof *list);
    if (!list || !(list->items = sm_calloc(limit, sizeof *list->items))) {
        sm_free(list);
        return SM_ENOMEM;
    }
    struct sm_sql *st = NULL;
    int rc = sm_sql_prepare(
        store, "SELECT " JOB_COLUMNS " FROM analysis_jobs ORDER BY id DESC LIMIT ?", &st, diag);
    if (!rc)
        rc = sm_sql_bindv(st, "i", (int64_t)limit);
    while (rc == SM_OK && list->n < limit && (rc = sm_sql_step(st, diag)) == SM_SQL_ROW) {
        rc = job_from_row(st, &list->items[list->n]);
        list->n++; /* counted even on failure, so its strings are freed */
    }
    sm_sql_free(st);
    if (rc != SM_OK) {
        sm_job_list_free(list);
        return rc;
    }
    *out = list;
    return SM_OK;
}

int sm_job_pending(struct sm_store *store, size_t *n, struct sm_diag *diag)
{
    int64_t count = 0;
    int rc = sm_sql_run_int64(store, &count, diag,
                              "SELECT COUNT(*) FROM analysis_jobs"
                              " WHERE state IN ('queued', 'running')",
                              "");
    if (!rc)
        *n = (size_t)count;
    return rc;
}

int sm_job_sweep(struct sm_store *store, int64_t now, int64_t stale_seconds, size_t *n,
                 struct sm_diag *diag)
{
    int64_t changed = 0;
    int rc =
        sm_sql_run(store, &changed, diag,
                   "UPDATE analysis_jobs SET state = 'failed', finished_at = ?,"
                   " reason = 'the analysis was interrupted (its server stopped); run it again'"
                   " WHERE state = 'running' AND COALESCE(heartbeat_at, started_at, 0) < ?",
                   "ii", now, now - stale_seconds);
    if (!rc && n)
        *n = (size_t)changed;
    return rc;
}

/* Claims the oldest queued job: SM_OK with *id set, SM_ENOTFOUND when none is queued. */
static int claim(struct sm_store *store, int64_t *id, struct sm_diag *diag)
{
    for (int tries = 0; tries < CLAIM_TRIES; tries++) {
        int64_t candidate = 0, changed = 0, now = (int64_t)time(NULL);
        int rc = sm_sql_run_int64(store, &candidate, diag,
                                  "SELECT id FROM analysis_jobs WHERE state = 'queued'"
                                  " ORDER BY id LIMIT 1",
                                  "");
        if (rc)
            return rc;
        rc = sm_sql_run(store, &changed, diag,
                        "UPDATE analysis_jobs SET state = 'running', started_at = ?,"
                        " heartbeat_at = ? WHERE id = ? AND state = 'queued'",
                        "iii", now, now, candidate);
        if (rc)
            return rc;
        if (changed == 1) {
            *id = candidate;
            return SM_OK;
        }
        /* Another process took it first: try the next one. */
    }
    return SM_ENOTFOUND;
}

static int progress(struct sm_store *store, int64_t id, size_t done, size_t total,
                    struct sm_diag *diag)
{
    return sm_sql_run(store, NULL, diag,
                      "UPDATE analysis_jobs SET done = ?, total = ?, heartbeat_at = ? WHERE id = ?",
                      "iiii", (int64_t)done, (int64_t)total, (int64_t)time(NULL), id);
}

/* Runs a draft's analysis: its pages through one analyser, the scores saved. */
static int run_draft(struct sm_store *store, const struct sm_actor *actor,
                     const struct sm_catalog *cat, int64_t draft_id, struct sm_diag *diag)
{
    struct sm_document *doc = NULL;
    struct sm_analyzer *an = NULL;
    struct sm_analysis *analysis = NULL;
    int rc = sm_draft_document(store, draft_id, &doc, diag);
    if (!rc && doc->n_pages == 0)
        goto out; /* nothing to analyse: the report shows every item as a gap */
    if (!rc)
        rc = sm_analyzer_new(cat, &an, diag);
    if (!rc)
        rc = sm_analyze(an, doc, &analysis, diag);
    if (!rc)
        rc =
            sm_draft_save_analysis(store, actor, draft_id, sm_catalog_version(cat), analysis, diag);
out:
    sm_analysis_free(analysis);
    sm_analyzer_free(an);
    sm_document_free(doc);
    return rc;
}

/* Runs job id (claimed). Returns the job's own outcome; *failed_at says which guideline. */
static int run_job(struct sm_store *store, const struct sm_job *job, unsigned threads,
                   struct sm_diag *jd)
{
    struct sm_actor actor = { .user_id = job->user_id,
                              .name = job->requested_by[0] ? job->requested_by : "job" };
    struct sm_catalog *cat = NULL;
    int64_t *ids = NULL;
    size_t n = 0;
    int rc = sm_commons_catalog(store, &actor, NULL, &cat, jd);
    if (rc)
        return rc;
    switch (job->kind) {
    case SM_JOB_DRAFT:
        rc = progress(store, job->id, 0, 1, jd);
        if (!rc)
            rc = run_draft(store, &actor, cat, job->target_id, jd);
        if (!rc)
            rc = progress(store, job->id, 1, 1, jd);
        break;
    case SM_JOB_GUIDELINE:
        ids = sm_malloc(sizeof *ids);
        if (!ids) {
            rc = SM_ENOMEM;
            break;
        }
        ids[0] = job->target_id;
        n = 1;
        break;
    case SM_JOB_ALL:
        rc = sm_guideline_ids(store, &ids, &n, jd);
        break;
    }
    if (!rc && n)
        rc = progress(store, job->id, 0, n, jd);
    /* One guideline at a time: each is saved in its own transaction, the heartbeat moves
     * between them, and a failure names the guideline and keeps what was saved before. */
    for (size_t i = 0; !rc && i < n; i++) {
        struct sm_diag one;
        sm_diag_clear(&one);
        rc = sm_commons_analyse(store, &actor, cat, &ids[i], 1, threads, NULL, NULL, &one);
        if (rc)
            sm_diag_set(jd, rc, "guideline %lld: %s", (long long)ids[i],
                        one.msg[0] ? one.msg : sm_strerror(rc));
        else
            rc = progress(store, job->id, i + 1, n, jd);
    }
    sm_free(ids);
    sm_catalog_free(cat);
    return rc;
}

int sm_job_run_next(struct sm_store *store, unsigned threads, bool *ran, struct sm_diag *diag)
{
    int64_t id = 0;
    struct sm_job *job = NULL;
    if (ran)
        *ran = false;
    int rc = claim(store, &id, diag);
    if (rc == SM_ENOTFOUND)
        return SM_OK;
    if (rc)
        return rc;
    if (ran)
        *ran = true;
    rc = sm_job_get(store, id, &job, diag);
    if (rc)
        return rc;
    struct sm_diag jd;
    sm_diag_clear(&jd);
    int outcome = run_job(store, job, threads, &jd);
    if (sm_store_in_transaction(store))
        sm_store_rollback(store);
    if (outcome)
        rc = sm_sql_run(store, NULL, diag,
                        "UPDATE analysis_jobs SET state = 'failed', reason = ?, finished_at = ?"
                        " WHERE id = ?",
                        "tii", jd.msg[0] ? jd.msg : sm_strerror(outcome), (int64_t)time(NULL), id);
    else
        rc = sm_sql_run(store, NULL, diag,
                        "UPDATE analysis_jobs SET state = 'done', reason = NULL, finished_at = ?"
                        " WHERE id = ?",
                        "ii", (int64_t)time(NULL), id);
    sm_job_free(job);
    return rc;
}

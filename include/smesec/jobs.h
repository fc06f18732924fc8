/*
 * Background analysis jobs: a queue in the database, so that a web request only records
 * what to analyse and any server process (or the command line) may run it.
 *
 * A job analyses one stored guideline, every stored guideline, or one association's draft
 * (smesec/drafting.h) against the catalog built into the program (stored first if it is
 * not yet, see sm_commons_catalog). Its state moves queued -> running -> done | failed; a
 * failed job keeps the reason, and since each guideline's analysis is saved in a
 * transaction of its own, a failure leaves the results saved before it intact.
 *
 * Claiming is safe between processes: a job is taken by moving it from queued to running
 * only where it is still queued. A running job refreshes heartbeat_at as it goes;
 * sm_job_sweep marks failed the running jobs whose heartbeat is older than a limit (their
 * process died).
 *
 * Every function takes a store used by one thread at a time; nothing here keeps global
 * state.
 */
#ifndef SMESEC_JOBS_H
#define SMESEC_JOBS_H

#include "smesec/audit.h"
#include "smesec/err.h"
#include "smesec/store.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum sm_job_kind {
    SM_JOB_GUIDELINE, /* target_id is a guideline */
    SM_JOB_ALL,       /* every stored guideline; target_id 0 */
    SM_JOB_DRAFT      /* target_id is a draft */
};

enum sm_job_state {
    SM_JOB_QUEUED,
    SM_JOB_RUNNING,
    SM_JOB_DONE,
    SM_JOB_FAILED
};

const char *sm_job_kind_name(enum sm_job_kind kind);    /* "guideline", "all", "draft" */
const char *sm_job_state_name(enum sm_job_state state); /* "queued", "running", ... */

/* A job as stored. Owned by the caller (sm_job_free), strings with it. */
struct sm_job {
    int64_t id;
    enum sm_job_kind kind;
    int64_t target_id;
    enum sm_job_state state;
    char *reason; /* why it failed; NULL otherwise */
    size_t done;  /* guidelines (or drafts) analysed so far */
    size_t total; /* to analyse; 0 until the job starts */
    int64_t user_id;
    char *requested_by;
    int64_t created_at, started_at, finished_at; /* Unix seconds; 0 when not yet */
};

void sm_job_free(struct sm_job *job);

/* Queues a job, in one transaction with its audit record ("job.add"). The target is
 * checked to exist (SM_ENOTFOUND otherwise). *id_out (may be NULL) gets the job's id. */
int sm_job_add(struct sm_store *store, const struct sm_actor *actor, enum sm_job_kind kind,
               int64_t target_id, int64_t *id_out, struct sm_diag *diag);

/* The job with id. SM_ENOTFOUND when there is none. */
int sm_job_get(struct sm_store *store, int64_t id, struct sm_job **out, struct sm_diag *diag);

/* The newest job of kind for target_id. SM_ENOTFOUND when there is none. */
int sm_job_latest(struct sm_store *store, enum sm_job_kind kind, int64_t target_id,
                  struct sm_job **out, struct sm_diag *diag);

/* The newest jobs first, at most limit (1..1000). Owned by the caller (sm_job_list_free). */
struct sm_job_list {
    size_t n;
    struct sm_job *items;
};

int sm_job_list(struct sm_store *store, size_t limit, struct sm_job_list **out,
                struct sm_diag *diag);
void sm_job_list_free(struct sm_job_list *list);

/* How many jobs are queued or running. */
int sm_job_pending(struct sm_store *store, size_t *n, struct sm_diag *diag);

/* Claims the oldest queued job and runs it to the end on this thread, recording done or
 * failed with the reason; *ran (may be NULL) says whether there was a job. threads is
 * passed to the analyser (0: one per core). The analyses are recorded in the audit log
 * under the user who queued the job. A job's own failure is not this function's: it
 * returns SM_OK having recorded it; an error is returned only when the queue itself cannot
 * be read or written. */
int sm_job_run_next(struct sm_store *store, unsigned threads, bool *ran, struct sm_diag *diag);

/* Marks failed every running job whose heartbeat is older than now - stale_seconds, with
 * the reason that its analysis was interrupted; *n (may be NULL) gets how many. */
int sm_job_sweep(struct sm_store *store, int64_t now, int64_t stale_seconds, size_t *n,
                 struct sm_diag *diag);

#endif

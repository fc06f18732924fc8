/*
 * Shared between the files of src/registry/; not part of the public API.
 *
 * Results: every result object lives in its own arena, which its priv field points to;
 * freeing the object releases the arena (and with it the object). sm__reg_new makes both.
 *
 * Changes: sm__reg_begin opens the transaction, sm__reg_audit writes the audit row inside
 * it, sm__reg_finish commits on success or rolls back on failure and passes rc on.
 */
#ifndef SM_REGISTRY_INTERNAL_H
#define SM_REGISTRY_INTERNAL_H

#include "smesec/arena.h"
#include "smesec/registry.h"
#include "store/sql.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SM__REG_ARENA_MAX ((size_t)256 << 20)

/* The SQL condition for "publicly listed on the date bound to its one parameter", over
 * services aliased s. */
#define SM__LISTED                                                 \
 "s.status IN ('registered', 'renewal_due') AND s.renewal_on >= ?" \
 " AND s.public_version_id IS NOT NULL"

/* --- Results ----------------------------------------------------------------------------- */

/* Makes an arena on the heap and a zeroed object of size bytes inside it. */
int sm__reg_new(size_t size, struct sm_arena **arena, void **obj);
/* Releases a result's arena (its priv). Accepts NULL. */
void sm__reg_free(void *priv);

/* A growable array inside an arena: makes room for one more element of size bytes and
 * returns it (zeroed), or NULL when out of memory. */
void *sm__vec_push(struct sm_arena *a, void **items, size_t *n, size_t *cap, size_t size);

/* Copies column col of the current row into the arena: NULL for SQL NULL. Sets *oom on
 * failure. */
const char *sm__col(struct sm_arena *a, const struct sm_sql *st, int col, bool *oom);
/* An integer column, SM_UNKNOWN for NULL. */
int64_t sm__col_opt(const struct sm_sql *st, int col);
/* A 0/1 column as a tri-state, unknown for NULL. */
enum sm_tri sm__col_tri(const struct sm_sql *st, int col);

/* Binds v, or NULL when v is SM_UNKNOWN (or negative). */
int sm__bind_opt(struct sm_sql *st, int idx, int64_t v);
/* Binds a tri-state as 1, 0 or NULL. */
int sm__bind_tri(struct sm_sql *st, int idx, enum sm_tri t);
/* Binds text, or NULL for NULL and "". */
int sm__bind_text(struct sm_sql *st, int idx, const char *s);

/* Runs a prepared statement to its end; SM_OK when it returned no row. */
int sm__step_done(struct sm_sql *st, struct sm_diag *diag);

/* --- Changes ----------------------------------------------------------------------------- */

int sm__reg_begin(struct sm_store *store, struct sm_diag *diag);
/* Commits when rc is SM_OK, else rolls back; returns the final code. */
int sm__reg_finish(struct sm_store *store, int rc, struct sm_diag *diag);
/* Writes the audit row of who's action on "<kind>:<id>". */
int sm__reg_audit(struct sm_store *store, const struct sm_registry_who *who, const char *action,
                  const char *kind, int64_t id, const char *detail, struct sm_diag *diag);
/* The same for an actor (demo seed). */
int sm__reg_audit_actor(struct sm_store *store, const struct sm_actor *actor, const char *action,
                        const char *kind, int64_t id, const char *detail, struct sm_diag *diag);

/* Seconds since the epoch, for created_at columns. */
int64_t sm__now(void);

/* --- Content ----------------------------------------------------------------------------- */

/* Stores content as a new version of service_id (with its devices and its rows in
 * service_areas); *version_id gets its id. Inside the caller's transaction; content must
 * have passed sm_service_content_check. */
int sm__content_insert(struct sm_store *store, int64_t service_id,
                       const struct sm_service_content *c, const char *by, int64_t *version_id,
                       struct sm_diag *diag);

/* Reads version_id into *c, its strings and devices allocated in a. */
int sm__content_load(struct sm_store *store, int64_t version_id, struct sm_arena *a,
                     struct sm_service_content *c, struct sm_diag *diag);

/* Runs the conformance check of content (latest built-in standard, as of today) and stores
 * it as application_id's report, replacing any earlier one. */
int sm__checks_store(struct sm_store *store, int64_t application_id,
                     const struct sm_service_content *content, const char *today,
                     struct sm_diag *diag);

/* --- The public list ------------------------------------------------------------------------ */

/* Rewrites the service_listing rows of service_id (or, with service_id 0, of every service
 * of provider_id) from the services, their approved versions and providers. Inside the
 * caller's transaction; every change to a service's status, dates, registration number or
 * approved version, or to a provider's name or flag, calls it. */
int sm__listing_refresh(struct sm_store *store, int64_t service_id, int64_t provider_id,
                        struct sm_diag *diag);

/* --- Messages -------------------------------------------------------------------------- */

/* Posts a message to provider_id (and mail to its contact address, if any), inside the
 * caller's transaction. With a dedupe_key already used nothing is posted and *posted (may be
 * NULL) is false. */
int sm__message_post(struct sm_store *store, int64_t provider_id, int64_t service_id,
                     const char *kind, const char *dedupe_key, const char *subject_ja,
                     const char *body_ja, const char *subject_en, const char *body_en, bool *posted,
                     struct sm_diag *diag);

/* --- Names ------------------------------------------------------------------------------- */

/* Parses a stored enumeration name; a name the schema does not allow means a damaged
 * database (SM_EDB). */
int sm__parse_stored(int rc, const char *what, const char *value, struct sm_diag *diag);

/* Checks an optional text field: valid UTF-8, at most max bytes; required means non-empty. */
int sm__check_text(const char *what, const char *s, size_t max, bool required,
                   struct sm_diag *diag);

/* The service's provider and stored status, for access checks. SM_ENOTFOUND when there is
 * no such service. */
int sm__service_owner(struct sm_store *store, int64_t service_id, int64_t *provider_id,
                      enum sm_svc_status *status, struct sm_diag *diag);

#endif

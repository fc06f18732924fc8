/*
 * Storage: one interface, two backends.
 *
 * A store is one connection to either an SQLite file (the embedded default) or a PostgreSQL
 * server. The URL chooses: "postgresql://..." or "postgres://..." means PostgreSQL through
 * libpq, "sqlite:PATH" or any other string means the SQLite file at that path. Both run the
 * same numbered migrations to the same schema.
 *
 * A struct sm_store is not thread-safe: use one per thread, or borrow one from a
 * struct sm_store_pool, which is.
 */
#ifndef SMESEC_STORE_H
#define SMESEC_STORE_H

#include "smesec/err.h"

#include <stdbool.h>

struct sm_store;

enum sm_store_kind {
    SM_STORE_SQLITE,
    SM_STORE_POSTGRESQL
};

/* Connects to url. SQLite files are created when missing and opened in WAL mode with foreign
 * keys on. On success *out is owned by the caller (free with sm_store_free). Does not
 * migrate. Returns SM_OK, SM_EINVAL (bad URL), SM_EDB or SM_ENOMEM. */
int sm_store_open(const char *url, struct sm_store **out, struct sm_diag *diag);

/* Closes the connection. Accepts NULL. */
void sm_store_free(struct sm_store *store);

enum sm_store_kind sm_store_kind(const struct sm_store *store);

/* "sqlite" or "postgresql". Static string. */
const char *sm_store_kind_name(const struct sm_store *store);

/* Applies every migration newer than the database's schema version, each in its own
 * transaction. *applied (may be NULL) gets how many ran. */
int sm_store_migrate(struct sm_store *store, int *applied, struct sm_diag *diag);

/* The newest migration applied to the database (0 for an empty one), and the newest this
 * build knows. */
int sm_store_schema_version(struct sm_store *store, int *version, struct sm_diag *diag);
int sm_store_latest_version(void);

/* Checks that the connection answers (a trivial query). For health checks. */
int sm_store_ping(struct sm_store *store, struct sm_diag *diag);

/* Transactions. Calls do not nest: begin while one is open returns SM_EINVAL. Every write
 * that belongs together runs between begin and commit; any failure in between is followed
 * by sm_store_rollback (safe to call when no transaction is open). */
int sm_store_begin(struct sm_store *store, struct sm_diag *diag);
int sm_store_commit(struct sm_store *store, struct sm_diag *diag);
void sm_store_rollback(struct sm_store *store);

/* Ends the open transaction by the outcome of the work done in it: commits when rc is SM_OK,
 * else rolls back. Returns rc, or the commit's failure. The usual last line of a change:
 * `return sm_store_finish(store, rc, diag);`. */
int sm_store_finish(struct sm_store *store, int rc, struct sm_diag *diag);
bool sm_store_in_transaction(const struct sm_store *store);

/* A fixed-size set of stores on one URL for a multi-threaded server. Thread-safe. */
struct sm_store_pool;

/* Opens size connections to url at once (so a bad URL fails at start, not at the first
 * request). On success *out is owned by the caller (sm_store_pool_free). */
int sm_store_pool_new(const char *url, unsigned size, struct sm_store_pool **out,
                      struct sm_diag *diag);

/* Closes every connection. All stores must have been put back. Accepts NULL. */
void sm_store_pool_free(struct sm_store_pool *pool);

/* Borrows a store, waiting until one is free. The caller must hand it back with
 * sm_store_pool_put, with no transaction open. */
struct sm_store *sm_store_pool_get(struct sm_store_pool *pool);
void sm_store_pool_put(struct sm_store_pool *pool, struct sm_store *store);

#endif

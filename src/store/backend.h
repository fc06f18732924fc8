/*
 * What a storage backend provides: a const table of functions, one instance per backend
 * (sm_sqlite_backend, sm_pg_backend). store.c and sql.c dispatch through it; nothing else
 * includes a database client header.
 */
#ifndef SM_STORE_BACKEND_H
#define SM_STORE_BACKEND_H

#include "store/sql.h"

struct sm_backend {
    enum sm_store_kind kind;
    const char *name;
    /* Connects; *conn is the backend's own handle. */
    int (*open)(const char *target, void **conn, struct sm_diag *diag);
    void (*close)(void *conn);
    /* Runs SQL with no parameters, possibly several statements. */
    int (*exec)(void *conn, const char *sql, struct sm_diag *diag);
    /* Rewrites the portable migration tokens (see migrations/README.md) for this dialect;
     * returns a new string owned by the caller. */
    char *(*dialect)(const char *sql);

    int (*prepare)(void *conn, const char *sql, void **stmt, int *n_params, struct sm_diag *diag);
    /* value == NULL binds NULL. Text is copied by the backend. */
    int (*bind_text)(void *stmt, int idx, const char *value, size_t n);
    int (*bind_int64)(void *stmt, int idx, int64_t v);
    int (*step)(void *stmt, struct sm_diag *diag);
    int (*column_count)(void *stmt);
    const char *(*column_text)(void *stmt, int col);
    int64_t (*column_int64)(void *stmt, int col);
    bool (*column_is_null)(void *stmt, int col);
    int64_t (*changes)(void *stmt);
    int (*reset)(void *stmt);
    void (*finalize)(void *stmt);
};

extern const struct sm_backend sm_sqlite_backend;
extern const struct sm_backend sm_pg_backend;

/* The struct behind the public opaque handle. */
struct sm_store {
    const struct sm_backend *be;
    void *conn;
    bool in_tx;
};

#endif

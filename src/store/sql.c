/*
 * The statement layer (see store/sql.h): checks parameter indexes and forwards to the
 * store's backend. A struct sm_sql belongs to one store and must be freed before it.
 */
#include "store/sql.h"

#include "smesec/alloc.h"
#include "store/backend.h"

#include <stdarg.h>
#include <string.h>

#include "util/banned.h"

struct sm_sql {
    const struct sm_backend *be;
    void *stmt;
    int n_params;
    bool done; /* stepped to SM_SQL_DONE: further steps answer DONE until a reset */
};

int sm_sql_prepare(struct sm_store *store, const char *sql, struct sm_sql **out,
                   struct sm_diag *diag)
{
    struct sm_sql *st = sm_calloc(1, sizeof *st);
    if (!st)
        return SM_ENOMEM;
    st->be = store->be;
    int rc = st->be->prepare(store->conn, sql, &st->stmt, &st->n_params, diag);
    if (rc) {
        sm_free(st);
        return rc;
    }
    *out = st;
    return SM_OK;
}

int sm_sql_bind_text(struct sm_sql *st, int idx, const char *s, size_t n)
{
    if (idx < 1 || idx > st->n_params)
        return SM_EINVAL;
    if (s && n == (size_t)-1)
        n = strlen(s);
    /* PostgreSQL text cannot hold NUL; refuse it on every backend alike. */
    if (s && memchr(s, '\0', n))
        return SM_EINVAL;
    return st->be->bind_text(st->stmt, idx, s, n);
}

int sm_sql_bind_int64(struct sm_sql *st, int idx, int64_t v)
{
    if (idx < 1 || idx > st->n_params)
        return SM_EINVAL;
    return st->be->bind_int64(st->stmt, idx, v);
}

int sm_sql_bind_null(struct sm_sql *st, int idx)
{
    return sm_sql_bind_text(st, idx, NULL, 0);
}

/* Binds parameters 1..strlen(types). exact: types must cover every parameter (a statement
 * about to run); otherwise it may bind the first few. Variadic types cannot be checked by
 * the compiler; the count at least can be. */
static int bind_va(struct sm_sql *st, bool exact, const char *types, va_list ap)
{
    size_t n = strlen(types);
    if (n > (size_t)st->n_params || (exact && n != (size_t)st->n_params))
        return SM_EINVAL;
    int rc = SM_OK;
    for (int i = 0; types[i] && rc == SM_OK; i++) {
        switch (types[i]) {
        case 't': {
            const char *s = va_arg(ap, const char *);
            rc = sm_sql_bind_text(st, i + 1, s, (size_t)-1);
            break;
        }
        case 'i':
            rc = sm_sql_bind_int64(st, i + 1, va_arg(ap, int64_t));
            break;
        default:
            rc = SM_EINVAL;
        }
    }
    return rc;
}

int sm_sql_bindv(struct sm_sql *st, const char *types, ...)
{
    va_list ap;
    va_start(ap, types);
    int rc = bind_va(st, false, types, ap);
    va_end(ap);
    return rc;
}

int sm_sql_run(struct sm_store *store, int64_t *changes, struct sm_diag *diag, const char *sql,
               const char *types, ...)
{
    struct sm_sql *st = NULL;
    int rc = sm_sql_prepare(store, sql, &st, diag);
    if (rc)
        return rc;
    va_list ap;
    va_start(ap, types);
    rc = bind_va(st, true, types, ap);
    va_end(ap);
    while (rc == SM_OK && (rc = sm_sql_step(st, diag)) == SM_SQL_ROW)
        rc = SM_OK;
    if (rc == SM_SQL_DONE) {
        rc = SM_OK;
        if (changes)
            *changes = sm_sql_changes(st);
    }
    sm_sql_free(st);
    return rc;
}

int sm_sql_run_int64(struct sm_store *store, int64_t *out, struct sm_diag *diag, const char *sql,
                     const char *types, ...)
{
    struct sm_sql *st = NULL;
    int rc = sm_sql_prepare(store, sql, &st, diag);
    if (rc)
        return rc;
    va_list ap;
    va_start(ap, types);
    rc = bind_va(st, true, types, ap);
    va_end(ap);
    if (!rc)
        rc = sm_sql_step(st, diag);
    if (rc == SM_SQL_DONE) {
        rc = SM_ENOTFOUND;
    } else if (rc == SM_SQL_ROW) {
        int64_t v = sm_sql_int64(st, 0);
        /* Finish the statement: SQLite refuses COMMIT while one is still running. */
        while ((rc = sm_sql_step(st, diag)) == SM_SQL_ROW)
            ;
        if (rc == SM_SQL_DONE) {
            *out = v;
            rc = SM_OK;
        }
    }
    sm_sql_free(st);
    return rc;
}

int sm_sql_step(struct sm_sql *st, struct sm_diag *diag)
{
    /* SQLite would silently run the statement again after DONE; pin one behaviour. */
    if (st->done)
        return SM_SQL_DONE;
    int rc = st->be->step(st->stmt, diag);
    st->done = rc == SM_SQL_DONE;
    return rc;
}

int sm_sql_column_count(const struct sm_sql *st)
{
    return st->be->column_count(st->stmt);
}

const char *sm_sql_text(const struct sm_sql *st, int col)
{
    return st->be->column_text(st->stmt, col);
}

int64_t sm_sql_int64(const struct sm_sql *st, int col)
{
    return st->be->column_int64(st->stmt, col);
}

bool sm_sql_is_null(const struct sm_sql *st, int col)
{
    return st->be->column_is_null(st->stmt, col);
}

int64_t sm_sql_changes(const struct sm_sql *st)
{
    return st->be->changes(st->stmt);
}

int sm_sql_reset(struct sm_sql *st)
{
    st->done = false;
    return st->be->reset(st->stmt);
}

void sm_sql_free(struct sm_sql *st)
{
    if (!st)
        return;
    st->be->finalize(st->stmt);
    sm_free(st);
}

int sm_sql_exec(struct sm_store *store, const char *sql, struct sm_diag *diag)
{
    return store->be->exec(store->conn, sql, diag);
}

int sm_sql_scalar_int64(struct sm_store *store, const char *sql, int64_t *out, struct sm_diag *diag)
{
    return sm_sql_run_int64(store, out, diag, sql, "");
}

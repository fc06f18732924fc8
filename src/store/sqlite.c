/*
 * The SQLite backend: the embedded default, one file, zero set-up. This is the only file that
 * includes sqlite3.h.
 *
 * Every connection runs in WAL mode (readers never block the writer), with foreign keys on and
 * a busy timeout so that concurrent writers from the server's threads wait for each other
 * instead of failing. A connection is used by one thread at a time (the pool guarantees it),
 * so it is opened without SQLite's own per-connection mutex.
 */
#include "store/backend.h"

#include "smesec/alloc.h"

#include <sqlite3.h>
#include <string.h>

#include "util/banned.h"

static int lite_open(const char *target, void **conn, struct sm_diag *diag)
{
    sqlite3 *db = NULL;
    int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX;
    int rc = sqlite3_open_v2(target, &db, flags, NULL);
    if (rc != SQLITE_OK) {
        sm_diag_set(diag, 0, "cannot open database '%s': %s", target,
                    db ? sqlite3_errmsg(db) : sqlite3_errstr(rc));
        sqlite3_close(db);
        return rc == SQLITE_NOMEM ? SM_ENOMEM : SM_EDB;
    }
    sqlite3_extended_result_codes(db, 1);
    sqlite3_busy_timeout(db, 10000);
    char *err = NULL;
    rc = sqlite3_exec(db,
                      "PRAGMA journal_mode=WAL; PRAGMA foreign_keys=ON;"
                      " PRAGMA synchronous=NORMAL;",
                      NULL, NULL, &err);
    if (rc != SQLITE_OK) {
        sm_diag_set(diag, 0, "cannot open database '%s': %s", target,
                    err ? err : sqlite3_errmsg(db));
        sqlite3_free(err);
        sqlite3_close(db);
        return SM_EDB;
    }
    *conn = db;
    return SM_OK;
}

static void lite_close(void *conn)
{
    sqlite3_close(conn);
}

static int map_error(sqlite3 *db, int rc, struct sm_diag *diag)
{
    if ((rc & 0xff) == SQLITE_CONSTRAINT) {
        int ext = rc;
        if (ext == SQLITE_CONSTRAINT_UNIQUE || ext == SQLITE_CONSTRAINT_PRIMARYKEY ||
            ext == SQLITE_CONSTRAINT_FOREIGNKEY) {
            sm_diag_set(diag, 0, "sqlite: %s", sqlite3_errmsg(db));
            return SM_EEXIST;
        }
    }
    sm_diag_set(diag, 0, "sqlite: %s", sqlite3_errmsg(db));
    if ((rc & 0xff) == SQLITE_NOMEM)
        return SM_ENOMEM;
    return SM_EDB;
}

static int lite_exec(void *conn, const char *sql, struct sm_diag *diag)
{
    char *err = NULL;
    int rc = sqlite3_exec(conn, sql, NULL, NULL, &err);
    if (rc != SQLITE_OK) {
        int code = map_error(conn, rc, NULL);
        sm_diag_set(diag, 0, "sqlite: %s", err ? err : sqlite3_errmsg(conn));
        sqlite3_free(err);
        return code;
    }
    return SM_OK;
}

/* Replaces every occurrence of token in s with rep, into a new string. */
static char *replace_all(const char *s, const char *token, const char *rep)
{
    size_t tl = strlen(token), rl = strlen(rep), n = 0;
    for (const char *p = strstr(s, token); p; p = strstr(p + tl, token))
        n++;
    size_t len = strlen(s) + n * rl + 1;
    char *out = sm_malloc(len), *o = out;
    if (!out)
        return NULL;
    for (const char *p = s;;) {
        const char *hit = strstr(p, token);
        size_t k = hit ? (size_t)(hit - p) : strlen(p);
        memcpy(o, p, k);
        o += k;
        if (!hit)
            break;
        memcpy(o, rep, rl);
        o += rl;
        p = hit + tl;
    }
    *o = '\0';
    return out;
}

static char *lite_dialect(const char *sql)
{
    char *a = replace_all(sql, "@ID@", "INTEGER PRIMARY KEY");
    if (!a)
        return NULL;
    char *b = replace_all(a, "@BLOB@", "BLOB");
    sm_free(a);
    return b;
}

static int lite_prepare(void *conn, const char *sql, void **stmt, int *n_params,
                        struct sm_diag *diag)
{
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v2(conn, sql, -1, &st, NULL);
    if (rc != SQLITE_OK)
        return map_error(conn, rc, diag);
    if (!st)
        return sm_diag_set(diag, SM_EINVAL, "sqlite: empty statement");
    *stmt = st;
    *n_params = sqlite3_bind_parameter_count(st);
    return SM_OK;
}

static int lite_bind_text(void *stmt, int idx, const char *value, size_t n)
{
    int rc = value ? sqlite3_bind_text64(stmt, idx, value, n, SQLITE_TRANSIENT, SQLITE_UTF8)
                   : sqlite3_bind_null(stmt, idx);
    return rc == SQLITE_OK ? SM_OK : rc == SQLITE_NOMEM ? SM_ENOMEM : SM_EINVAL;
}

static int lite_bind_int64(void *stmt, int idx, int64_t v)
{
    return sqlite3_bind_int64(stmt, idx, v) == SQLITE_OK ? SM_OK : SM_EINVAL;
}

static int lite_step(void *stmt, struct sm_diag *diag)
{
    int rc = sqlite3_step(stmt);
    if (rc == SQLITE_ROW)
        return SM_SQL_ROW;
    if (rc == SQLITE_DONE)
        return SM_SQL_DONE;
    return map_error(sqlite3_db_handle(stmt), rc, diag);
}

static int lite_column_count(void *stmt)
{
    return sqlite3_column_count(stmt);
}

static const char *lite_column_text(void *stmt, int col)
{
    return (const char *)sqlite3_column_text(stmt, col);
}

static int64_t lite_column_int64(void *stmt, int col)
{
    return sqlite3_column_int64(stmt, col);
}

static bool lite_column_is_null(void *stmt, int col)
{
    return sqlite3_column_type(stmt, col) == SQLITE_NULL;
}

static int64_t lite_changes(void *stmt)
{
    return sqlite3_changes64(sqlite3_db_handle(stmt));
}

static int lite_reset(void *stmt)
{
    sqlite3_reset(stmt);
    sqlite3_clear_bindings(stmt);
    return SM_OK;
}

static void lite_finalize(void *stmt)
{
    sqlite3_finalize(stmt);
}

const struct sm_backend sm_sqlite_backend = {
    .kind = SM_STORE_SQLITE,
    .name = "sqlite",
    .open = lite_open,
    .close = lite_close,
    .exec = lite_exec,
    .dialect = lite_dialect,
    .prepare = lite_prepare,
    .bind_text = lite_bind_text,
    .bind_int64 = lite_bind_int64,
    .step = lite_step,
    .column_count = lite_column_count,
    .column_text = lite_column_text,
    .column_int64 = lite_column_int64,
    .column_is_null = lite_column_is_null,
    .changes = lite_changes,
    .reset = lite_reset,
    .finalize = lite_finalize,
};

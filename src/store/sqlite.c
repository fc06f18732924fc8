/*
 * The SQLite backend: the embedded default, one file, zero set-up. This is the only file that
 * includes sqlite3.h.
 *
 * Every connection runs in WAL mode (readers never block the writer), with foreign keys on and
 * a busy timeout so that concurrent writers from the server's threads wait for each other
 * instead of failing. A connection is used by one thread at a time (the pool guarantees it),
 * so it is opened without SQLite's own per-connection mutex.
 *
 * Each connection keeps the statements it has prepared, idle and reset, keyed by their SQL
 * text: the server runs the same few statements constantly, and preparing one costs more than
 * running a small indexed query. A statement handed out is not in the cache, so two users of
 * the same SQL at once get two statements.
 */
#include "store/backend.h"

#include "smesec/alloc.h"

#include <sqlite3.h>
#include <stdint.h>
#include <string.h>

#include "util/banned.h"

#define CACHE_SIZE 64

struct lite_conn;

struct lite_stmt {
    sqlite3_stmt *st;
    struct lite_conn *conn;
    uint64_t hash;
    char *sql; /* the key, owned */
};

struct lite_conn {
    sqlite3 *db;
    size_t n_idle;
    struct lite_stmt *idle[CACHE_SIZE];
};

/* FNV-1a: cheap, and the cache compares the text anyway. */
static uint64_t sql_hash(const char *s)
{
    uint64_t h = 1469598103934665603u;
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211u;
    return h;
}

static void stmt_destroy(struct lite_stmt *s)
{
    sqlite3_finalize(s->st);
    sm_free(s->sql);
    sm_free(s);
}

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
    struct lite_conn *c = sm_calloc(1, sizeof *c);
    if (!c) {
        sqlite3_close(db);
        return SM_ENOMEM;
    }
    c->db = db;
    *conn = c;
    return SM_OK;
}

static void lite_close(void *conn)
{
    struct lite_conn *c = conn;
    for (size_t i = 0; i < c->n_idle; i++)
        stmt_destroy(c->idle[i]);
    sqlite3_close(c->db);
    sm_free(c);
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
    sqlite3 *db = ((struct lite_conn *)conn)->db;
    char *err = NULL;
    int rc = sqlite3_exec(db, sql, NULL, NULL, &err);
    if (rc != SQLITE_OK) {
        int code = map_error(db, rc, NULL);
        sm_diag_set(diag, 0, "sqlite: %s", err ? err : sqlite3_errmsg(db));
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
    struct lite_conn *c = conn;
    uint64_t hash = sql_hash(sql);
    for (size_t i = 0; i < c->n_idle; i++) {
        struct lite_stmt *s = c->idle[i];
        if (s->hash == hash && strcmp(s->sql, sql) == 0) {
            c->idle[i] = c->idle[--c->n_idle];
            *stmt = s;
            *n_params = sqlite3_bind_parameter_count(s->st);
            return SM_OK;
        }
    }
    struct lite_stmt *s = sm_calloc(1, sizeof *s);
    if (!s)
        return SM_ENOMEM;
    s->sql = sm_strdup(sql);
    if (!s->sql) {
        sm_free(s);
        return SM_ENOMEM;
    }
    int rc = sqlite3_prepare_v3(c->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &s->st, NULL);
    if (rc != SQLITE_OK || !s->st) {
        int code = rc != SQLITE_OK ? map_error(c->db, rc, diag)
                                   : sm_diag_set(diag, SM_EINVAL, "sqlite: empty statement");
        stmt_destroy(s);
        return code;
    }
    s->conn = c;
    s->hash = hash;
    *stmt = s;
    *n_params = sqlite3_bind_parameter_count(s->st);
    return SM_OK;
}

static sqlite3_stmt *st_of(void *stmt)
{
    return ((struct lite_stmt *)stmt)->st;
}

static int lite_bind_text(void *stmt, int idx, const char *value, size_t n)
{
    sqlite3_stmt *st = st_of(stmt);
    int rc = value ? sqlite3_bind_text64(st, idx, value, n, SQLITE_TRANSIENT, SQLITE_UTF8)
                   : sqlite3_bind_null(st, idx);
    return rc == SQLITE_OK ? SM_OK : rc == SQLITE_NOMEM ? SM_ENOMEM : SM_EINVAL;
}

static int lite_bind_int64(void *stmt, int idx, int64_t v)
{
    return sqlite3_bind_int64(st_of(stmt), idx, v) == SQLITE_OK ? SM_OK : SM_EINVAL;
}

static int lite_step(void *stmt, struct sm_diag *diag)
{
    sqlite3_stmt *st = st_of(stmt);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        return SM_SQL_ROW;
    if (rc == SQLITE_DONE)
        return SM_SQL_DONE;
    return map_error(sqlite3_db_handle(st), rc, diag);
}

static int lite_column_count(void *stmt)
{
    return sqlite3_column_count(st_of(stmt));
}

static const char *lite_column_text(void *stmt, int col)
{
    return (const char *)sqlite3_column_text(st_of(stmt), col);
}

static int64_t lite_column_int64(void *stmt, int col)
{
    return sqlite3_column_int64(st_of(stmt), col);
}

static bool lite_column_is_null(void *stmt, int col)
{
    return sqlite3_column_type(st_of(stmt), col) == SQLITE_NULL;
}

static int64_t lite_changes(void *stmt)
{
    return sqlite3_changes64(sqlite3_db_handle(st_of(stmt)));
}

static int lite_reset(void *stmt)
{
    sqlite3_reset(st_of(stmt));
    sqlite3_clear_bindings(st_of(stmt));
    return SM_OK;
}

/* Puts the statement back into its connection's cache, reset, or destroys it when the cache
 * is full. */
static void lite_finalize(void *stmt)
{
    struct lite_stmt *s = stmt;
    struct lite_conn *c = s->conn;
    if (c->n_idle == CACHE_SIZE) {
        stmt_destroy(s);
        return;
    }
    sqlite3_reset(s->st);
    sqlite3_clear_bindings(s->st);
    c->idle[c->n_idle++] = s;
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

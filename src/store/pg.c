/*
 * The PostgreSQL backend, over libpq. This is the only file that includes libpq-fe.h.
 *
 * A connection talks UTF-8, asks the server for warnings and errors only, and swallows any
 * notice that still arrives: the library never prints. Statements are written with '?' and
 * rewritten here to $1, $2, ... ('?' inside string literals, quoted identifiers and comments
 * is left alone). Parameters and results travel in text format; integers are formatted and
 * parsed here, so no server type OIDs are needed.
 *
 * Prepared statements are cached per connection, keyed by the rewritten SQL text. The server
 * holds one connection per thread and runs the same few dozen statements over and over, so
 * preparing each text once per connection (PQprepare under a generated name "sm_<n>") saves
 * parsing and planning on every request, while each sm_sql still owns only its parameters and
 * result. The cache is bounded: past SM_PG_CACHE_MAX distinct texts (dynamic SQL) a statement
 * is not prepared on the server but run with PQexecParams at its first step, which costs one
 * round trip and leaves nothing behind, at the price of reporting bad SQL at step rather than
 * at prepare. Names are never reused, so dropping an entry cannot make another statement run
 * the wrong SQL.
 *
 * A connection the server dropped is re-established at the next call made outside a
 * transaction (see ensure_connection). Nothing is retried behind the caller's back except a
 * statement the server refused before running any of it (see run).
 *
 * A connection and its statements are used by one thread at a time (the pool guarantees it),
 * so the cache needs no lock. Everything this file allocates goes through sm_malloc.
 */
#include "store/backend.h"

#include "smesec/alloc.h"
#include "smesec/utf8.h"

#include <errno.h>
#include <inttypes.h>
#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/banned.h"

/* Distinct statement texts prepared on the server per connection. */
#define SM_PG_CACHE_MAX 256
/* The protocol counts parameters in 16 bits. */
#define SM_PG_MAX_PARAMS 65535

struct pg_cached {
    uint64_t hash;
    char *sql; /* rewritten text, owned */
    char name[24];
};

struct pg_conn {
    PGconn *pg;
    struct pg_cached *cache; /* n_cache entries, room for cap_cache */
    size_t n_cache;
    size_t cap_cache;
    unsigned long next_name;
    unsigned long generation; /* counts reconnections; server-side names die with each */
    bool tx_open;             /* a transaction block was open when last seen */
};

struct pg_stmt {
    struct pg_conn *conn;     /* borrowed: the statement never outlives its store */
    char *sql;                /* rewritten text, owned */
    char name[24];            /* server-side name, or "" to run with PQexecParams */
    unsigned long generation; /* of the connection name was prepared on */
    int n_params;
    char **values; /* n_params slots, each owned or NULL for SQL NULL */
    PGresult *res; /* result of the last run, NULL before the first step */
    int n_rows;
    int row; /* current row; -1 before the first, n_rows after the last */
    int64_t changes;
};

static void ignore_notice(void *arg, const char *message)
{
    (void)arg;
    (void)message;
}

/* Writes "postgresql: what: msg" (or without msg when it is NULL or empty) to diag on one
 * line, for libpq ends its messages with a newline and indents continuation lines with tabs,
 * cut on a character boundary when it is too long (server messages may be translated).
 * Returns code. */
static int put_diag(struct sm_diag *diag, int code, const char *what, const char *msg)
{
    char full[1024];
    snprintf(full, sizeof full, "postgresql: %s%s%s", what, msg && *msg ? ": " : "",
             msg ? msg : "");
    char line[sizeof diag->msg];
    size_t n = 0;
    for (const char *p = full; *p && n + 1 < sizeof line; p++) {
        char c = *p == '\n' || *p == '\t' || *p == '\r' ? ' ' : *p;
        if (c == ' ' && (n == 0 || line[n - 1] == ' '))
            continue;
        line[n++] = c;
    }
    size_t bad = 0;
    if (!sm_utf8_valid(line, n, &bad))
        n = bad;
    while (n > 0 && line[n - 1] == ' ')
        n--;
    line[n] = '\0';
    return sm_diag_set(diag, code, "%s", line);
}

/* Maps a failed result (or NULL, when libpq could not even build one) to SM_EEXIST for
 * unique and foreign-key violations and SM_EDB otherwise, with the server's message. */
static int result_error(PGconn *pg, const PGresult *res, struct sm_diag *diag)
{
    const char *state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
    const char *primary = res ? PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY) : NULL;
    const char *detail = res ? PQresultErrorField(res, PG_DIAG_MESSAGE_DETAIL) : NULL;
    int code = SM_EDB;
    if (state && (strcmp(state, "23505") == 0 || strcmp(state, "23503") == 0))
        code = SM_EEXIST;
    if (!primary)
        return put_diag(diag, code, "statement failed", PQerrorMessage(pg));
    return put_diag(diag, code, primary, detail);
}

static bool result_ok(const PGresult *res)
{
    ExecStatusType s = PQresultStatus(res);
    return res && (s == PGRES_COMMAND_OK || s == PGRES_TUPLES_OK || s == PGRES_EMPTY_QUERY);
}

static void cache_release(struct pg_conn *c)
{
    for (size_t i = 0; i < c->n_cache; i++)
        sm_free(c->cache[i].sql);
    sm_free(c->cache);
    c->cache = NULL;
    c->n_cache = c->cap_cache = 0;
}

static void pg_close(void *conn)
{
    struct pg_conn *c = conn;
    if (!c)
        return;
    PQfinish(c->pg);
    cache_release(c);
    sm_free(c);
}

/* Reports a failed connection attempt. PQdb and PQhost name the target without the
 * password a URL may carry. */
static int connect_error(PGconn *pg, const char *verb, struct sm_diag *diag)
{
    char what[256];
    snprintf(what, sizeof what, "cannot %s to database '%s' on '%s'", verb,
             PQdb(pg) ? PQdb(pg) : "", PQhost(pg) ? PQhost(pg) : "");
    return put_diag(diag, SM_EDB, what, PQerrorMessage(pg));
}

/* Settings every new session gets, at open and after a reconnection. */
static int session_setup(struct pg_conn *c, struct sm_diag *diag)
{
    PQsetNoticeProcessor(c->pg, ignore_notice, NULL);
    if (PQsetClientEncoding(c->pg, "UTF8") != 0)
        return put_diag(diag, SM_EDB, "cannot set client encoding UTF8", PQerrorMessage(c->pg));
    PGresult *res = PQexec(c->pg, "SET client_min_messages = warning");
    int rc = result_ok(res) ? SM_OK : result_error(c->pg, res, diag);
    PQclear(res);
    return rc;
}

static int pg_open(const char *target, void **conn, struct sm_diag *diag)
{
    int rc = SM_OK;
    struct pg_conn *c = sm_calloc(1, sizeof *c);
    if (!c)
        return SM_ENOMEM;
    c->pg = PQconnectdb(target);
    if (!c->pg) {
        rc = sm_diag_set(diag, SM_ENOMEM, "postgresql: out of memory");
        goto out;
    }
    if (PQstatus(c->pg) != CONNECTION_OK) {
        rc = connect_error(c->pg, "connect", diag);
        goto out;
    }
    rc = session_setup(c, diag);
    if (rc != SM_OK)
        goto out;
    *conn = c;
    c = NULL;
out:
    pg_close(c);
    return rc;
}

/* Whether the first word of sql is word (upper case, compared without regard to ASCII
 * case). */
static bool first_word_is(const char *sql, const char *word)
{
    while (*sql == ' ' || *sql == '\t' || *sql == '\n' || *sql == '\r')
        sql++;
    for (; *word; word++, sql++) {
        char c = *sql >= 'a' && *sql <= 'z' ? (char)(*sql - 'a' + 'A') : *sql;
        if (c != *word)
            return false;
    }
    return !((*sql >= 'A' && *sql <= 'Z') || (*sql >= 'a' && *sql <= 'z') || *sql == '_');
}

/* Remembers whether a transaction block is open, while the connection can still tell. */
static void note_status(struct pg_conn *c)
{
    PGTransactionStatusType t = PQtransactionStatus(c->pg);
    if (t != PQTRANS_UNKNOWN)
        c->tx_open = t == PQTRANS_INTRANS || t == PQTRANS_INERROR;
}

/* A connection the server dropped (restart, failover, idle timeout) is re-established at the
 * next call that starts outside a transaction, so a pooled connection does not stay dead for
 * the life of the process. The call that met the broken connection has already failed with
 * SM_EDB, and nothing is retried: a write may or may not have been done. Inside a transaction
 * every call fails until ROLLBACK (or BEGIN) ends it, so later statements of the lost
 * transaction cannot quietly run on their own. sql is the statement about to run through
 * exec, or NULL. */
static int ensure_connection(struct pg_conn *c, const char *sql, struct sm_diag *diag)
{
    if (PQstatus(c->pg) == CONNECTION_OK)
        return SM_OK;
    bool ends_tx = sql && (first_word_is(sql, "ROLLBACK") || first_word_is(sql, "BEGIN"));
    if (c->tx_open && !ends_tx)
        return sm_diag_set(diag, SM_EDB, "postgresql: connection lost during a transaction");
    PQreset(c->pg);
    if (PQstatus(c->pg) != CONNECTION_OK)
        return connect_error(c->pg, "reconnect", diag);
    /* The server-side statements went with the old session. */
    cache_release(c);
    c->generation++;
    c->tx_open = false;
    return session_setup(c, diag);
}

static int pg_exec(void *conn, const char *sql, struct sm_diag *diag)
{
    struct pg_conn *c = conn;
    int rc = ensure_connection(c, sql, diag);
    if (rc != SM_OK)
        return rc;
    /* PQexec runs every statement of sql and returns the last result, or the first error. */
    PGresult *res = PQexec(c->pg, sql);
    note_status(c);
    rc = result_ok(res) ? SM_OK : result_error(c->pg, res, diag);
    /* COMMIT of a transaction in which a statement failed "succeeds" with the tag ROLLBACK.
     * Say so, or the caller would believe its writes were saved (SQLite keeps a transaction
     * usable after a failed statement; PostgreSQL does not). */
    if (rc == SM_OK && strcmp(PQcmdStatus(res), "ROLLBACK") == 0 &&
        (first_word_is(sql, "COMMIT") || first_word_is(sql, "END")))
        rc = sm_diag_set(diag, SM_EDB,
                         "postgresql: transaction rolled back because a statement in it failed");
    PQclear(res);
    return rc;
}

/* Replaces every occurrence of token in s with rep, into a new string. */
static char *replace_all(const char *s, const char *token, const char *rep)
{
    size_t tl = strlen(token), rl = strlen(rep), n = 0;
    for (const char *p = strstr(s, token); p; p = strstr(p + tl, token))
        n++;
    char *out = sm_malloc(strlen(s) - n * tl + n * rl + 1);
    if (!out)
        return NULL;
    char *o = out;
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

static char *pg_dialect(const char *sql)
{
    char *a = replace_all(sql, "@ID@", "BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY");
    if (!a)
        return NULL;
    char *b = replace_all(a, "@BLOB@", "BYTEA");
    sm_free(a);
    return b;
}

/* Copies sql to a new string with each '?' outside '...' literals, "..." identifiers, --
 * line comments and slash-star comments numbered $1, $2, ... and counts them. Quotes are
 * doubled inside both kinds of quoted text, which the scan handles by leaving and re-entering.
 * An unterminated literal or comment is copied as it is for the server to reject. E'...'
 * strings and dollar quoting are PostgreSQL's own, absent from the SQL both backends share,
 * and not recognised. */
static int rewrite_params(const char *sql, char **out, int *n_params)
{
    size_t len = strlen(sql), marks = 0;
    for (size_t i = 0; i < len; i++)
        marks += sql[i] == '?';
    if (marks > SM_PG_MAX_PARAMS)
        return SM_ELIMIT;
    /* "$65535" is five bytes longer than "?". */
    char *buf = sm_malloc(len + marks * 5 + 1);
    if (!buf)
        return SM_ENOMEM;
    size_t o = 0;
    int n = 0;
    for (size_t i = 0; i < len;) {
        char c = sql[i];
        size_t end = i + 1;
        if (c == '\'' || c == '"') {
            const char *close = strchr(sql + i + 1, c);
            end = close ? (size_t)(close - sql) + 1 : len;
        } else if (c == '-' && sql[i + 1] == '-') {
            const char *nl = strchr(sql + i, '\n');
            end = nl ? (size_t)(nl - sql) + 1 : len;
        } else if (c == '/' && sql[i + 1] == '*') {
            const char *close = strstr(sql + i + 2, "*/");
            end = close ? (size_t)(close - sql) + 2 : len;
        } else if (c == '?') {
            n++;
            o += (size_t)snprintf(buf + o, 7, "$%d", n);
            i++;
            continue;
        }
        memcpy(buf + o, sql + i, end - i);
        o += end - i;
        i = end;
    }
    buf[o] = '\0';
    *out = buf;
    *n_params = n;
    return SM_OK;
}

/* FNV-1a: cheap, and only ever confirmed by strcmp. */
static uint64_t hash_text(const char *s)
{
    uint64_t h = 14695981039346656037u;
    for (; *s; s++) {
        h ^= (unsigned char)*s;
        h *= 1099511628211u;
    }
    return h;
}

static struct pg_cached *cache_find(struct pg_conn *c, const char *sql, uint64_t hash)
{
    for (size_t i = 0; i < c->n_cache; i++)
        if (c->cache[i].hash == hash && strcmp(c->cache[i].sql, sql) == 0)
            return &c->cache[i];
    return NULL;
}

/* Forgets the entry named name. The server-side statement is deallocated when the
 * connection is idle; inside a failed transaction it is left until the connection closes,
 * which is harmless because the name is never reused. */
static void cache_forget(struct pg_conn *c, const char *name)
{
    for (size_t i = 0; i < c->n_cache; i++) {
        if (strcmp(c->cache[i].name, name) != 0)
            continue;
        if (PQtransactionStatus(c->pg) == PQTRANS_IDLE) {
            char sql[48];
            snprintf(sql, sizeof sql, "DEALLOCATE %s", name);
            PQclear(PQexec(c->pg, sql));
        }
        sm_free(c->cache[i].sql);
        c->cache[i] = c->cache[--c->n_cache];
        return;
    }
}

/* Finds sql in the cache or prepares it on the server and adds it. *name gets the
 * server-side name, or "" when the cache is full. */
static int cache_prepare(struct pg_conn *c, const char *sql, int n_params, char *name,
                         size_t name_size, struct sm_diag *diag)
{
    uint64_t hash = hash_text(sql);
    struct pg_cached *hit = cache_find(c, sql, hash);
    if (hit) {
        snprintf(name, name_size, "%s", hit->name);
        return SM_OK;
    }
    name[0] = '\0';
    if (c->n_cache >= SM_PG_CACHE_MAX)
        return SM_OK;
    if (c->n_cache == c->cap_cache) {
        size_t cap = c->cap_cache ? c->cap_cache * 2 : 16;
        struct pg_cached *grown = sm_realloc(c->cache, cap * sizeof *grown);
        if (!grown)
            return SM_ENOMEM;
        c->cache = grown;
        c->cap_cache = cap;
    }
    struct pg_cached *e = &c->cache[c->n_cache];
    e->sql = sm_strdup(sql);
    if (!e->sql)
        return SM_ENOMEM;
    e->hash = hash;
    snprintf(e->name, sizeof e->name, "sm_%lu", c->next_name++);
    PGresult *res = PQprepare(c->pg, e->name, sql, n_params, NULL);
    if (PQresultStatus(res) != PGRES_COMMAND_OK) {
        int rc = result_error(c->pg, res, diag);
        PQclear(res);
        sm_free(e->sql);
        return rc;
    }
    PQclear(res);
    c->n_cache++;
    snprintf(name, name_size, "%s", e->name);
    return SM_OK;
}

static void pg_finalize(void *stmt)
{
    struct pg_stmt *st = stmt;
    if (!st)
        return;
    PQclear(st->res);
    for (int i = 0; st->values && i < st->n_params; i++)
        sm_free(st->values[i]);
    sm_free(st->values);
    sm_free(st->sql);
    sm_free(st);
}

static int pg_prepare(void *conn, const char *sql, void **stmt, int *n_params, struct sm_diag *diag)
{
    struct pg_conn *c = conn;
    struct pg_stmt *st = sm_calloc(1, sizeof *st);
    if (!st)
        return SM_ENOMEM;
    st->conn = c;
    st->row = -1;
    int rc = rewrite_params(sql, &st->sql, &st->n_params);
    if (rc == SM_ELIMIT)
        sm_diag_set(diag, rc, "postgresql: more than %d parameters", SM_PG_MAX_PARAMS);
    if (rc != SM_OK)
        goto out;
    if (st->n_params > 0) {
        st->values = sm_calloc((size_t)st->n_params, sizeof *st->values);
        if (!st->values) {
            rc = SM_ENOMEM;
            goto out;
        }
    }
    rc = ensure_connection(c, NULL, diag);
    if (rc != SM_OK)
        goto out;
    st->generation = c->generation;
    rc = cache_prepare(c, st->sql, st->n_params, st->name, sizeof st->name, diag);
    note_status(c);
    if (rc != SM_OK)
        goto out;
    *stmt = st;
    *n_params = st->n_params;
    st = NULL;
out:
    pg_finalize(st);
    return rc;
}

static int set_value(struct pg_stmt *st, int idx, char *value)
{
    if (idx < 1 || idx > st->n_params) {
        sm_free(value);
        return SM_EINVAL;
    }
    sm_free(st->values[idx - 1]);
    st->values[idx - 1] = value;
    return SM_OK;
}

static int pg_bind_text(void *stmt, int idx, const char *value, size_t n)
{
    struct pg_stmt *st = stmt;
    if (idx < 1 || idx > st->n_params)
        return SM_EINVAL;
    if (!value)
        return set_value(st, idx, NULL);
    if (n == (size_t)-1)
        n = strlen(value);
    /* Text parameters are C strings and PostgreSQL text cannot hold NUL: refuse rather than
     * silently store a truncated value. */
    if (memchr(value, '\0', n))
        return SM_EINVAL;
    char *copy = sm_strndup(value, n);
    if (!copy)
        return SM_ENOMEM;
    return set_value(st, idx, copy);
}

static int pg_bind_int64(void *stmt, int idx, int64_t v)
{
    struct pg_stmt *st = stmt;
    if (idx < 1 || idx > st->n_params)
        return SM_EINVAL;
    char text[24];
    snprintf(text, sizeof text, "%" PRId64, v);
    char *copy = sm_strdup(text);
    if (!copy)
        return SM_ENOMEM;
    return set_value(st, idx, copy);
}

static PGresult *run_once(struct pg_stmt *st)
{
    const char *const *values = (const char *const *)st->values;
    if (st->name[0])
        return PQexecPrepared(st->conn->pg, st->name, st->n_params, values, NULL, NULL, 0);
    return PQexecParams(st->conn->pg, st->sql, st->n_params, NULL, values, NULL, NULL, 0);
}

/* Executes the statement. A prepared statement whose result columns changed since it was
 * planned (a table dropped and re-created differently) fails with SQLSTATE 0A000 "cached plan
 * must not change result type": such a statement leaves the cache and runs unprepared from
 * then on, and is retried at once when no transaction is open (inside one the transaction has
 * already failed, as it would for any error). */
static int run(struct pg_stmt *st, struct sm_diag *diag)
{
    int rc = ensure_connection(st->conn, NULL, diag);
    if (rc != SM_OK)
        return rc;
    /* Prepared before a reconnection: the name is gone, run the text instead. */
    if (st->generation != st->conn->generation) {
        st->name[0] = '\0';
        st->generation = st->conn->generation;
    }
    PGresult *res = run_once(st);
    if (!result_ok(res) && st->name[0]) {
        const char *state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
        if (state && strcmp(state, "0A000") == 0) {
            cache_forget(st->conn, st->name);
            st->name[0] = '\0';
            if (PQtransactionStatus(st->conn->pg) == PQTRANS_IDLE) {
                PQclear(res);
                res = run_once(st);
            }
        }
    }
    note_status(st->conn);
    if (!result_ok(res)) {
        rc = result_error(st->conn->pg, res, diag);
        PQclear(res);
        return rc;
    }
    st->res = res;
    st->n_rows = PQresultStatus(res) == PGRES_TUPLES_OK ? PQntuples(res) : 0;
    st->row = -1;
    const char *tuples = PQcmdTuples(res);
    st->changes = tuples && *tuples ? strtoll(tuples, NULL, 10) : 0;
    return SM_OK;
}

static int pg_step(void *stmt, struct sm_diag *diag)
{
    struct pg_stmt *st = stmt;
    if (!st->res) {
        int rc = run(st, diag);
        if (rc != SM_OK)
            return rc;
    }
    if (st->row + 1 < st->n_rows) {
        st->row++;
        return SM_SQL_ROW;
    }
    st->row = st->n_rows;
    return SM_SQL_DONE;
}

static int pg_column_count(void *stmt)
{
    struct pg_stmt *st = stmt;
    return st->res ? PQnfields(st->res) : 0;
}

/* The current row's value of col, or NULL for SQL NULL or when there is no such cell. */
static const char *cell(const struct pg_stmt *st, int col)
{
    if (!st->res || st->row < 0 || st->row >= st->n_rows || col < 0 || col >= PQnfields(st->res))
        return NULL;
    if (PQgetisnull(st->res, st->row, col))
        return NULL;
    return PQgetvalue(st->res, st->row, col);
}

static const char *pg_column_text(void *stmt, int col)
{
    return cell(stmt, col);
}

/* Integers come back as text. Booleans ("t"/"f", e.g. from EXISTS) read as 1/0 and a
 * numeric's fraction (from AVG or SUM) is cut off, as SQLite does; anything else that is not
 * an integer in range reads as 0. */
static int64_t pg_column_int64(void *stmt, int col)
{
    const char *s = cell(stmt, col);
    if (!s)
        return 0;
    if (strcmp(s, "t") == 0)
        return 1;
    if (strcmp(s, "f") == 0)
        return 0;
    errno = 0;
    char *end = NULL;
    long long v = strtoll(s, &end, 10);
    if (errno != 0 || end == s)
        return 0;
    if (*end == '.') {
        for (end++; *end >= '0' && *end <= '9'; end++) {
        }
    }
    if (*end != '\0')
        return 0;
    return (int64_t)v;
}

static bool pg_column_is_null(void *stmt, int col)
{
    struct pg_stmt *st = stmt;
    if (!st->res || st->row < 0 || st->row >= st->n_rows || col < 0 || col >= PQnfields(st->res))
        return true;
    return PQgetisnull(st->res, st->row, col) != 0;
}

static int64_t pg_changes(void *stmt)
{
    struct pg_stmt *st = stmt;
    return st->changes;
}

static int pg_reset(void *stmt)
{
    struct pg_stmt *st = stmt;
    PQclear(st->res);
    st->res = NULL;
    st->n_rows = 0;
    st->row = -1;
    st->changes = 0;
    for (int i = 0; i < st->n_params; i++) {
        sm_free(st->values[i]);
        st->values[i] = NULL;
    }
    return SM_OK;
}

const struct sm_backend sm_pg_backend = {
    .kind = SM_STORE_POSTGRESQL,
    .name = "postgresql",
    .open = pg_open,
    .close = pg_close,
    .exec = pg_exec,
    .dialect = pg_dialect,
    .prepare = pg_prepare,
    .bind_text = pg_bind_text,
    .bind_int64 = pg_bind_int64,
    .step = pg_step,
    .column_count = pg_column_count,
    .column_text = pg_column_text,
    .column_int64 = pg_column_int64,
    .column_is_null = pg_column_is_null,
    .changes = pg_changes,
    .reset = pg_reset,
    .finalize = pg_finalize,
};

/*
 * Opening stores, transactions and schema migrations (see smesec/store.h).
 *
 * The URL picks the backend. Migrations are the numbered SQL files in migrations/, compiled
 * into the binary; each runs in its own transaction together with its row in
 * schema_migrations, so a failed migration leaves the schema at the previous version. On
 * PostgreSQL an advisory lock serialises servers that start at the same moment; on SQLite
 * BEGIN IMMEDIATE takes the write lock up front.
 */
#include "smesec/store.h"

#include "smesec/alloc.h"
#include "smesec/embed.h"
#include "store/backend.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "util/banned.h"

extern const struct sm_embedded sm_migrations[];

static bool has_prefix(const char *s, const char *prefix)
{
    return strncmp(s, prefix, strlen(prefix)) == 0;
}

int sm_store_open(const char *url, struct sm_store **out, struct sm_diag *diag)
{
    sm_diag_clear(diag);
    if (!url || !*url)
        return sm_diag_set(diag, SM_EINVAL, "empty database url");
    const struct sm_backend *be = &sm_sqlite_backend;
    const char *target = url;
    if (has_prefix(url, "postgresql://") || has_prefix(url, "postgres://"))
        be = &sm_pg_backend;
    else if (has_prefix(url, "sqlite:"))
        target = url + strlen("sqlite:");
    if (!*target)
        return sm_diag_set(diag, SM_EINVAL, "empty database path in '%s'", url);

    struct sm_store *store = sm_calloc(1, sizeof *store);
    if (!store)
        return SM_ENOMEM;
    store->be = be;
    int rc = be->open(target, &store->conn, diag);
    if (rc) {
        sm_free(store);
        return rc;
    }
    *out = store;
    return SM_OK;
}

void sm_store_free(struct sm_store *store)
{
    if (!store)
        return;
    if (store->in_tx)
        sm_store_rollback(store);
    store->be->close(store->conn);
    sm_free(store);
}

enum sm_store_kind sm_store_kind(const struct sm_store *store)
{
    return store->be->kind;
}

const char *sm_store_kind_name(const struct sm_store *store)
{
    return store->be->name;
}

int sm_store_ping(struct sm_store *store, struct sm_diag *diag)
{
    int64_t one = 0;
    return sm_sql_scalar_int64(store, "SELECT 1", &one, diag);
}

int sm_store_begin(struct sm_store *store, struct sm_diag *diag)
{
    if (store->in_tx)
        return sm_diag_set(diag, SM_EINVAL, "a transaction is already open");
    const char *sql = NULL;
    switch (store->be->kind) {
    case SM_STORE_SQLITE:
        sql = "BEGIN IMMEDIATE";
        break;
    case SM_STORE_POSTGRESQL:
        sql = "BEGIN";
        break;
    }
    int rc = store->be->exec(store->conn, sql, diag);
    if (rc == SM_OK)
        store->in_tx = true;
    return rc;
}

int sm_store_commit(struct sm_store *store, struct sm_diag *diag)
{
    if (!store->in_tx)
        return sm_diag_set(diag, SM_EINVAL, "no transaction is open");
    int rc = store->be->exec(store->conn, "COMMIT", diag);
    if (rc) {
        sm_store_rollback(store);
        return rc;
    }
    store->in_tx = false;
    return SM_OK;
}

void sm_store_rollback(struct sm_store *store)
{
    if (!store->in_tx)
        return;
    /* Nothing useful can be done if ROLLBACK itself fails: the connection is then broken
     * and the next statement reports it. */
    (void)store->be->exec(store->conn, "ROLLBACK", NULL);
    store->in_tx = false;
}

int sm_store_finish(struct sm_store *store, int rc, struct sm_diag *diag)
{
    if (!rc)
        rc = sm_store_commit(store, diag);
    if (rc)
        sm_store_rollback(store);
    return rc;
}

bool sm_store_in_transaction(const struct sm_store *store)
{
    return store->in_tx;
}

/* Parses the version from "migrations/NNNN_name.sql"; -1 when the name has no number. */
static long migration_number(const char *name)
{
    const char *base = strrchr(name, '/');
    base = base ? base + 1 : name;
    char *end = NULL;
    errno = 0;
    long v = strtol(base, &end, 10);
    if (errno || end == base || *end != '_' || v <= 0)
        return -1;
    return v;
}

int sm_store_latest_version(void)
{
    long latest = 0;
    for (const struct sm_embedded *m = sm_migrations; m->name; m++) {
        long v = migration_number(m->name);
        if (v > latest)
            latest = v;
    }
    return (int)latest;
}

static int ensure_migrations_table(struct sm_store *store, struct sm_diag *diag)
{
    return store->be->exec(store->conn,
                           "CREATE TABLE IF NOT EXISTS schema_migrations ("
                           " version BIGINT PRIMARY KEY,"
                           " name TEXT NOT NULL,"
                           " applied_at BIGINT NOT NULL)",
                           diag);
}

static int read_version(struct sm_store *store, int *version, struct sm_diag *diag)
{
    int64_t v = 0;
    int rc = sm_sql_scalar_int64(store, "SELECT COALESCE(MAX(version), 0) FROM schema_migrations",
                                 &v, diag);
    if (rc == SM_OK)
        *version = (int)v;
    return rc;
}

/* Takes PostgreSQL's migration lock for the open transaction: servers starting at the same
 * moment on an empty database would otherwise race to create the tables. */
static int lock_for_migration(struct sm_store *store, struct sm_diag *diag)
{
    if (store->be->kind != SM_STORE_POSTGRESQL)
        return SM_OK;
    return store->be->exec(store->conn, "SELECT pg_advisory_xact_lock(736573)", diag);
}

int sm_store_schema_version(struct sm_store *store, int *version, struct sm_diag *diag)
{
    bool own_tx = !store->in_tx;
    int rc = own_tx ? sm_store_begin(store, diag) : SM_OK;
    if (!rc)
        rc = lock_for_migration(store, diag);
    if (!rc)
        rc = ensure_migrations_table(store, diag);
    if (!rc)
        rc = read_version(store, version, diag);
    if (own_tx) {
        if (!rc)
            rc = sm_store_commit(store, diag);
        else
            sm_store_rollback(store);
    }
    return rc;
}

/* Runs one migration and records it, in one transaction. */
static int apply_one(struct sm_store *store, const struct sm_embedded *m, long number,
                     bool *applied, struct sm_diag *diag)
{
    *applied = false;
    int current = 0;
    char *sql = NULL;
    int rc = sm_store_begin(store, diag);
    if (rc)
        return rc;
    /* Serialise concurrent migrators; the lock ends with the transaction. */
    rc = lock_for_migration(store, diag);
    if (rc)
        goto out;
    rc = read_version(store, &current, diag);
    if (rc || current >= number) /* another process got there first */
        goto out;
    sql = store->be->dialect((const char *)m->data);
    if (!sql) {
        rc = SM_ENOMEM;
        goto out;
    }
    rc = store->be->exec(store->conn, sql, diag);
    if (rc) {
        struct sm_diag inner;
        if (diag) {
            inner = *diag;
            sm_diag_set(diag, rc, "migration '%s' failed: %s", m->name, inner.msg);
        }
        goto out;
    }
    rc = sm_sql_run(store, NULL, diag,
                    "INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)",
                    "iti", (int64_t)number, m->name, (int64_t)time(NULL));
out:
    sm_free(sql);
    if (rc == SM_OK) {
        rc = sm_store_commit(store, diag);
        if (rc == SM_OK)
            *applied = current < number;
    } else {
        sm_store_rollback(store);
    }
    return rc;
}

int sm_store_migrate(struct sm_store *store, int *applied, struct sm_diag *diag)
{
    sm_diag_clear(diag);
    int count = 0, version = 0;
    int rc = sm_store_schema_version(store, &version, diag);
    if (rc)
        return rc;
    if (version > sm_store_latest_version())
        return sm_diag_set(diag, SM_EUNSUPPORTED,
                           "database schema version %d is newer than this program's (%d)", version,
                           sm_store_latest_version());
    long previous = 0;
    for (const struct sm_embedded *m = sm_migrations; m->name; m++) {
        long number = migration_number(m->name);
        if (number <= previous)
            return sm_diag_set(diag, SM_EINVAL, "migration '%s' is out of order", m->name);
        previous = number;
        if (number <= version)
            continue;
        bool did = false;
        rc = apply_one(store, m, number, &did, diag);
        if (rc)
            return rc;
        count += did;
    }
    if (applied)
        *applied = count;
    return SM_OK;
}

/*
 * Test databases: which storage backends a test runs on, and a fresh, empty database on each.
 *
 * Every storage and HTTP test runs once per backend: SQLite always, PostgreSQL as well when
 * the environment variable SMESEC_TEST_PG_URL holds the URL of a server's maintenance
 * database (for example postgresql://postgres@127.0.0.1:55432/postgres). With
 * SMESEC_REQUIRE_PG=1 a missing URL is a failure rather than a silent skip, so CI cannot
 * pass by not testing PostgreSQL.
 *
 * A fresh database is a new file in its own mkdtemp directory (under $TMPDIR or /tmp) for
 * SQLite, and a new database smesec_t_<pid>_<counter>_<random> on the server for PostgreSQL,
 * so tests never share state and never depend on order. The URL written out is one that
 * sm_store_open (and so the CLI and the server) accepts.
 *
 * These helpers report failures on stderr (tests may print; the library never does) and are
 * safe to call from several threads.
 */
#ifndef SM_TEST_TESTDB_H
#define SM_TEST_TESTDB_H

#include "smesec/store.h"

#include <stdbool.h>
#include <stddef.h>

/* Most backends sm_test_backends can return. */
#define SM_TEST_MAX_BACKENDS 2

/* Enough room for any URL sm_test_db_create writes. */
#define SM_TEST_URL_MAX 1024

/* Writes the names of the backends to test ("sqlite", then "postgresql" when configured) to
 * names[0..max-1] (static strings) and returns how many, at least 1 when max >= 1. Returns
 * -1, with a message on stderr, when SMESEC_REQUIRE_PG=1 and SMESEC_TEST_PG_URL is unset or
 * empty: the test program must then exit with a failure. */
int sm_test_backends(const char **names, size_t max);

/* The PostgreSQL maintenance URL from SMESEC_TEST_PG_URL, or NULL when unset or empty.
 * Borrowed from the environment. */
const char *sm_test_pg_url(void);

/* Creates a fresh, empty (not migrated) database on backend ("sqlite" or "postgresql") and
 * writes its URL to url_out (url_size bytes; SM_TEST_URL_MAX is enough). Remove it with
 * sm_test_db_drop. Returns SM_OK, SM_EINVAL (unknown backend, or PostgreSQL without
 * SMESEC_TEST_PG_URL), SM_ELIMIT (url_size too small), SM_EIO or SM_EDB. */
int sm_test_db_create(const char *backend, char *url_out, size_t url_size);

/* Removes a database made by sm_test_db_create: the SQLite file with its -wal, -shm and
 * -journal companions and its directory, or the PostgreSQL database (DROP DATABASE ... WITH
 * (FORCE), so connections still open do not stop it). Refuses, with a message, a URL that
 * sm_test_db_create did not make. NULL or "" is a no-op. */
void sm_test_db_drop(const char *backend, const char *url);

/* A fresh database and one open store on it: the usual fixture of a storage test. */
struct sm_test_db {
    const char *backend;       /* static name */
    char url[SM_TEST_URL_MAX]; /* as from sm_test_db_create */
    struct sm_store *store;    /* owned by the fixture */
};

/* Fills db: creates a database on backend, opens a store on it and, when migrate is true,
 * applies every migration. On failure nothing is left behind and db->store is NULL. */
int sm_test_db_open(struct sm_test_db *db, const char *backend, bool migrate);

/* Frees db->store and drops the database. Safe on a db that sm_test_db_open failed to fill,
 * and safe to call twice. */
void sm_test_db_close(struct sm_test_db *db);

#endif

/*
 * Test databases (see testdb.h). PostgreSQL databases are created and dropped through the
 * library's own store on the maintenance URL, so the test support needs no database client
 * header of its own. Names are checked before anything is removed: sm_test_db_drop only
 * touches what sm_test_db_create could have made.
 */
#include "testdb.h"

#include "store/sql.h"

#include <errno.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "util/banned.h"

#define SQLITE_PREFIX     "sqlite:"
#define SQLITE_DIR_PREFIX "smesec-t-"
#define SQLITE_FILE       "test.db"
#define PG_NAME_PREFIX    "smesec_t_"

static atomic_uint db_counter;

const char *sm_test_pg_url(void)
{
    const char *url = getenv("SMESEC_TEST_PG_URL");
    return url && *url ? url : NULL;
}

int sm_test_backends(const char **names, size_t max)
{
    const char *require = getenv("SMESEC_REQUIRE_PG");
    bool pg = sm_test_pg_url() != NULL;
    if (!pg && require && strcmp(require, "1") == 0) {
        fprintf(stderr, "testdb: SMESEC_REQUIRE_PG=1 but SMESEC_TEST_PG_URL is not set\n");
        return -1;
    }
    size_t n = 0;
    if (n < max)
        names[n++] = "sqlite";
    if (pg && n < max)
        names[n++] = "postgresql";
    return (int)n;
}

/* A random 32-bit value for database names, so runs that reuse a pid (containers) or run in
 * parallel against one server do not collide. */
static uint32_t random_u32(void)
{
    uint32_t v = 0;
    FILE *f = fopen("/dev/urandom", "rb");
    if (f) {
        size_t got = fread(&v, sizeof v, 1, f);
        fclose(f);
        if (got == 1)
            return v;
    }
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (uint32_t)ts.tv_nsec ^ (uint32_t)ts.tv_sec ^ ((uint32_t)getpid() << 16);
}

static int put_url(char *out, size_t size, const char *a, const char *b, const char *c)
{
    int n = snprintf(out, size, "%s%s%s", a, b, c);
    if (n < 0 || (size_t)n >= size) {
        fprintf(stderr, "testdb: url buffer of %zu bytes is too small\n", size);
        return SM_ELIMIT;
    }
    return SM_OK;
}

static int sqlite_create(char *url_out, size_t url_size)
{
    const char *tmp = getenv("TMPDIR");
    if (!tmp || !*tmp)
        tmp = "/tmp";
    char dir[SM_TEST_URL_MAX];
    int n = snprintf(dir, sizeof dir, "%s/" SQLITE_DIR_PREFIX "XXXXXX", tmp);
    if (n < 0 || (size_t)n >= sizeof dir) {
        fprintf(stderr, "testdb: TMPDIR '%s' is too long\n", tmp);
        return SM_ELIMIT;
    }
    if (!mkdtemp(dir)) {
        fprintf(stderr, "testdb: cannot create a directory in '%s': %s\n", tmp, strerror(errno));
        return SM_EIO;
    }
    int rc = put_url(url_out, url_size, SQLITE_PREFIX, dir, "/" SQLITE_FILE);
    if (rc != SM_OK)
        rmdir(dir);
    return rc;
}

static void unlink_quiet(const char *path, const char *suffix)
{
    char p[SM_TEST_URL_MAX];
    int n = snprintf(p, sizeof p, "%s%s", path, suffix);
    if (n < 0 || (size_t)n >= sizeof p)
        return;
    if (unlink(p) != 0 && errno != ENOENT)
        fprintf(stderr, "testdb: cannot remove '%s': %s\n", p, strerror(errno));
}

static void sqlite_drop(const char *url)
{
    if (strncmp(url, SQLITE_PREFIX, strlen(SQLITE_PREFIX)) != 0)
        goto refuse;
    const char *path = url + strlen(SQLITE_PREFIX);
    const char *slash = strrchr(path, '/');
    if (!slash || strcmp(slash + 1, SQLITE_FILE) != 0)
        goto refuse;
    size_t dir_len = (size_t)(slash - path);
    char dir[SM_TEST_URL_MAX];
    if (dir_len >= sizeof dir)
        goto refuse;
    memcpy(dir, path, dir_len);
    dir[dir_len] = '\0';
    const char *base = strrchr(dir, '/');
    base = base ? base + 1 : dir;
    if (strncmp(base, SQLITE_DIR_PREFIX, strlen(SQLITE_DIR_PREFIX)) != 0)
        goto refuse;

    static const char *const suffixes[] = { "", "-wal", "-shm", "-journal" };
    for (size_t i = 0; i < sizeof suffixes / sizeof suffixes[0]; i++)
        unlink_quiet(path, suffixes[i]);
    if (rmdir(dir) != 0 && errno != ENOENT)
        fprintf(stderr, "testdb: cannot remove '%s': %s\n", dir, strerror(errno));
    return;
refuse:
    fprintf(stderr, "testdb: refusing to remove '%s': not made by sm_test_db_create\n", url);
}

/* Where the database name sits in a PostgreSQL URL: after the first '/' that follows
 * "://" (the authority cannot contain one; socket directories go in ?host=), up to '?' or the
 * end. When the URL has no path, *start == *end at the '?' or the end and *has_slash is
 * false. Returns false when the URL is not a postgresql:// or postgres:// URL. */
static bool pg_dbname_span(const char *url, size_t *start, size_t *end, bool *has_slash)
{
    const char *scheme = strstr(url, "://");
    if (!scheme || (strncmp(url, "postgresql://", 13) != 0 && strncmp(url, "postgres://", 11) != 0))
        return false;
    const char *auth = scheme + 3;
    size_t auth_len = strcspn(auth, "/?");
    const char *p = auth + auth_len;
    *has_slash = *p == '/';
    if (*has_slash)
        p++;
    *start = (size_t)(p - url);
    *end = *start + strcspn(p, "?");
    return true;
}

static bool pg_test_name(const char *s, size_t n)
{
    size_t plen = strlen(PG_NAME_PREFIX);
    if (n <= plen || n > 63 || strncmp(s, PG_NAME_PREFIX, plen) != 0)
        return false;
    for (size_t i = plen; i < n; i++) {
        char c = s[i];
        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_'))
            return false;
    }
    return true;
}

/* Runs one statement on the maintenance database. */
static int pg_admin(const char *sql)
{
    const char *admin = sm_test_pg_url();
    if (!admin) {
        fprintf(stderr, "testdb: SMESEC_TEST_PG_URL is not set\n");
        return SM_EINVAL;
    }
    struct sm_diag diag;
    sm_diag_clear(&diag);
    struct sm_store *store = NULL;
    int rc = sm_store_open(admin, &store, &diag);
    if (rc == SM_OK)
        rc = sm_sql_exec(store, sql, &diag);
    if (rc != SM_OK)
        fprintf(stderr, "testdb: '%s' failed: %s: %s\n", sql, sm_strerror(rc), diag.msg);
    sm_store_free(store);
    return rc;
}

static int pg_create(char *url_out, size_t url_size)
{
    const char *admin = sm_test_pg_url();
    if (!admin) {
        fprintf(stderr, "testdb: SMESEC_TEST_PG_URL is not set\n");
        return SM_EINVAL;
    }
    size_t start, end;
    bool has_slash;
    if (!pg_dbname_span(admin, &start, &end, &has_slash)) {
        fprintf(stderr, "testdb: SMESEC_TEST_PG_URL '%s' is not a postgresql:// URL\n", admin);
        return SM_EINVAL;
    }
    char name[64];
    snprintf(name, sizeof name, PG_NAME_PREFIX "%ld_%u_%08x", (long)getpid(),
             atomic_fetch_add(&db_counter, 1u), (unsigned)random_u32());

    int n = snprintf(url_out, url_size, "%.*s%s%s%s", (int)start, admin, has_slash ? "" : "/", name,
                     admin + end);
    if (n < 0 || (size_t)n >= url_size) {
        fprintf(stderr, "testdb: url buffer of %zu bytes is too small\n", url_size);
        return SM_ELIMIT;
    }
    char sql[128];
    snprintf(sql, sizeof sql, "CREATE DATABASE %s ENCODING 'UTF8' TEMPLATE template0", name);
    return pg_admin(sql);
}

static void pg_drop(const char *url)
{
    size_t start, end;
    bool has_slash;
    if (!pg_dbname_span(url, &start, &end, &has_slash) || !pg_test_name(url + start, end - start)) {
        fprintf(stderr, "testdb: refusing to drop '%s': not made by sm_test_db_create\n", url);
        return;
    }
    char sql[128];
    snprintf(sql, sizeof sql, "DROP DATABASE IF EXISTS %.*s WITH (FORCE)", (int)(end - start),
             url + start);
    pg_admin(sql);
}

int sm_test_db_create(const char *backend, char *url_out, size_t url_size)
{
    if (url_size > 0)
        url_out[0] = '\0';
    if (backend && strcmp(backend, "sqlite") == 0)
        return sqlite_create(url_out, url_size);
    if (backend && strcmp(backend, "postgresql") == 0)
        return pg_create(url_out, url_size);
    fprintf(stderr, "testdb: unknown backend '%s'\n", backend ? backend : "(null)");
    return SM_EINVAL;
}

void sm_test_db_drop(const char *backend, const char *url)
{
    if (!url || !*url)
        return;
    if (backend && strcmp(backend, "sqlite") == 0)
        sqlite_drop(url);
    else if (backend && strcmp(backend, "postgresql") == 0)
        pg_drop(url);
    else
        fprintf(stderr, "testdb: unknown backend '%s'\n", backend ? backend : "(null)");
}

int sm_test_db_open(struct sm_test_db *db, const char *backend, bool migrate)
{
    db->backend = backend;
    db->url[0] = '\0';
    db->store = NULL;
    int rc = sm_test_db_create(backend, db->url, sizeof db->url);
    if (rc != SM_OK)
        return rc;
    struct sm_diag diag;
    sm_diag_clear(&diag);
    rc = sm_store_open(db->url, &db->store, &diag);
    if (rc == SM_OK && migrate)
        rc = sm_store_migrate(db->store, NULL, &diag);
    if (rc != SM_OK) {
        fprintf(stderr, "testdb: cannot prepare '%s': %s: %s\n", db->url, sm_strerror(rc),
                diag.msg);
        sm_test_db_close(db);
    }
    return rc;
}

void sm_test_db_close(struct sm_test_db *db)
{
    sm_store_free(db->store);
    db->store = NULL;
    sm_test_db_drop(db->backend, db->url);
    db->url[0] = '\0';
}

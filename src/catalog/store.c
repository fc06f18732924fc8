/*
 * Catalog versions in the database (tables catalogs and check_items, migration 0003).
 *
 * A stored version is immutable: reports name the catalog version their scores refer to,
 * so that version must mean the same items forever. What is stored is the catalog written
 * by sm_catalog_write_yaml (its canonical form) with that text's SHA-256, and one
 * check_items row per item for queries that join on items. Comparing canonical forms makes
 * "the same catalog" mean the same content, whatever the comments or quoting of the file it
 * came from; loading re-parses the stored text after checking its hash, and the round trip
 * of write_yaml guarantees the result equals what was saved.
 *
 * A save is one transaction with its audit row. Saving a version that is already stored
 * with the same hash writes nothing (not even an audit row: nothing changed); with another
 * hash it is refused. Two processes saving the same version at once are settled by the
 * primary key: the loser re-reads the winner's hash and answers as if it had come second.
 */
#include "catalog/internal.h"

#include "smesec/alloc.h"
#include "store/sql.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "util/banned.h"

/* The canonical form is at most a few times the size of the file it came from. */
#define SOURCE_MAX ((size_t)64 << 20)

static void sha256_hex(const char *s, size_t n, char hex[65])
{
    unsigned char h[crypto_hash_sha256_BYTES];
    crypto_hash_sha256(h, (const unsigned char *)s, (unsigned long long)n);
    for (size_t i = 0; i < sizeof h; i++)
        snprintf(hex + 2 * i, 3, "%02x", h[i]);
}

/* The stored hash of version into hash (65 bytes): SM_OK, SM_ENOTFOUND, or an error. */
static int stored_hash(struct sm_store *store, const char *version, char hash[65],
                       struct sm_diag *diag)
{
    struct sm_sql *st = NULL;
    int rc = sm_sql_prepare(store, "SELECT sha256 FROM catalogs WHERE version = ?", &st, diag);
    if (!rc)
        rc = sm_sql_bindv(st, "t", version);
    if (!rc)
        rc = sm_sql_step(st, diag);
    if (rc == SM_SQL_ROW) {
        const char *h = sm_sql_text(st, 0);
        snprintf(hash, 65, "%s", h ? h : "");
        rc = SM_OK;
    } else if (rc == SM_SQL_DONE) {
        rc = SM_ENOTFOUND;
    }
    sm_sql_free(st);
    return rc;
}

/* Compares a stored hash with ours: SM_OK when identical, SM_EEXIST (explained) otherwise. */
static int same_or_refuse(const char *version, const char *stored, const char *ours,
                          struct sm_diag *diag)
{
    if (strcmp(stored, ours) == 0)
        return SM_OK;
    return sm_diag_set(diag, SM_EEXIST,
                       "catalog version '%s' is already stored with different content; a "
                       "changed catalog needs a new version",
                       version);
}

static int insert_items(struct sm_store *store, const struct sm_catalog *c, struct sm_diag *diag)
{
    struct sm_sql *st = NULL;
    int rc = sm_sql_prepare(store,
                            "INSERT INTO check_items (catalog_version, item_id, position,"
                            " category, stage, title_ja, title_en)"
                            " VALUES (?, ?, ?, ?, ?, ?, ?)",
                            &st, diag);
    for (size_t i = 0; i < c->n_items && !rc; i++) {
        const struct sm_check_item *it = &c->items[i];
        rc = sm_sql_bindv(st, "ttititt", c->version, it->id, (int64_t)i, it->category,
                          (int64_t)it->stage, it->title_ja, it->title_en);
        if (!rc)
            rc = sm_sql_step(st, diag);
        if (rc == SM_SQL_DONE)
            rc = sm_sql_reset(st);
        else if (rc == SM_SQL_ROW)
            rc = SM_EDB;
    }
    sm_sql_free(st);
    return rc;
}

int sm_catalog_save(struct sm_store *store, const struct sm_actor *actor,
                    const struct sm_catalog *catalog, struct sm_diag *diag)
{
    struct sm_buf src;
    char hash[65], stored[65], object[96], detail[128];
    sm_diag_clear(diag);
    sm_buf_init(&src, SOURCE_MAX);
    int rc = sm_catalog_write_yaml(catalog, &src);
    if (rc) {
        sm_diag_set(diag, rc, "cannot write catalog '%s' for storing", catalog->version);
        goto out;
    }
    sha256_hex(src.data, src.len, hash);

    rc = sm_store_begin(store, diag);
    if (rc)
        goto out;
    rc = stored_hash(store, catalog->version, stored, diag);
    if (rc == SM_OK) {
        sm_store_rollback(store);
        rc = same_or_refuse(catalog->version, stored, hash, diag);
        goto out;
    }
    if (rc != SM_ENOTFOUND)
        goto rollback;
    rc = sm_sql_run(store, NULL, diag,
                    "INSERT INTO catalogs (version, title, source, sha256, loaded_at)"
                    " VALUES (?, ?, ?, ?, ?)",
                    "tttti", catalog->version, catalog->title, src.data, hash, (int64_t)time(NULL));
    if (rc == SM_EEXIST) {
        /* Another process stored this version after our check. */
        sm_store_rollback(store);
        rc = stored_hash(store, catalog->version, stored, diag);
        if (rc == SM_OK)
            rc = same_or_refuse(catalog->version, stored, hash, diag);
        goto out;
    }
    if (!rc)
        rc = insert_items(store, catalog, diag);
    if (!rc) {
        snprintf(object, sizeof object, "catalog:%s", catalog->version);
        snprintf(detail, sizeof detail, "%zu items, sha256 %s", catalog->n_items, hash);
        rc = sm_audit_record(store, actor, "catalog.save", object, detail, diag);
    }
    if (!rc)
        rc = sm_store_commit(store, diag);
rollback:
    if (rc)
        sm_store_rollback(store);
out:
    sm_buf_release(&src);
    return rc;
}

/* Natural order of versions: runs of digits compare as numbers, so "2026.10" > "2026.9". */
static int version_cmp(const char *a, const char *b)
{
    while (*a && *b) {
        if (*a >= '0' && *a <= '9' && *b >= '0' && *b <= '9') {
            while (*a == '0')
                a++;
            while (*b == '0')
                b++;
            size_t la = 0, lb = 0;
            while (a[la] >= '0' && a[la] <= '9')
                la++;
            while (b[lb] >= '0' && b[lb] <= '9')
                lb++;
            if (la != lb)
                return la < lb ? -1 : 1;
            int c = strncmp(a, b, la);
            if (c)
                return c;
            a += la;
            b += lb;
        } else {
            if (*a != *b)
                return (unsigned char)*a < (unsigned char)*b ? -1 : 1;
            a++;
            b++;
        }
    }
    return (*a != '\0') - (*b != '\0');
}

int sm_catalog_load_db(struct sm_store *store, const char *version, struct sm_catalog **out,
                       struct sm_diag *diag)
{
    struct sm_sql *st = NULL;
    char *want = NULL, *source = NULL, *sha = NULL;
    size_t source_len = 0;
    sm_diag_clear(diag);
    /* The newest is the one loaded last; versions stored in the same second are told apart
     * by their natural order, in C so that both backends agree. */
    int rc = version ? sm_sql_prepare(store,
                                      "SELECT version, source, sha256 FROM catalogs"
                                      " WHERE version = ?",
                                      &st, diag)
                     : sm_sql_prepare(store,
                                      "SELECT version, source, sha256 FROM catalogs"
                                      " WHERE loaded_at = (SELECT MAX(loaded_at) FROM catalogs)",
                                      &st, diag);
    if (!rc && version)
        rc = sm_sql_bindv(st, "t", version);
    while (!rc && (rc = sm_sql_step(st, diag)) == SM_SQL_ROW) {
        const char *v = sm_sql_text(st, 0);
        if (want && version_cmp(v, want) <= 0) {
            rc = SM_OK;
            continue;
        }
        sm_free(want);
        sm_free(source);
        sm_free(sha);
        want = sm_strdup(v);
        source = sm_strdup(sm_sql_text(st, 1));
        sha = sm_strdup(sm_sql_text(st, 2));
        rc = want && source && sha ? SM_OK : SM_ENOMEM;
    }
    sm_sql_free(st);
    if (rc == SM_SQL_DONE)
        rc = SM_OK;
    if (rc)
        goto out;
    if (!want) {
        rc = version ? sm_diag_set(diag, SM_ENOTFOUND, "no stored catalog version '%s'", version)
                     : sm_diag_set(diag, SM_ENOTFOUND, "no catalog stored");
        goto out;
    }
    source_len = strlen(source);
    char hash[65];
    sha256_hex(source, source_len, hash);
    if (strcmp(hash, sha) != 0) {
        rc = sm_diag_set(diag, SM_EDB, "stored catalog '%s' does not match its SHA-256", want);
        goto out;
    }
    char name[96];
    snprintf(name, sizeof name, "stored catalog %s", want);
    struct sm_catalog *c = NULL;
    rc = sm__catalog_from_yaml(source, source_len, name, &c, NULL, diag);
    if (rc == SM_ENOMEM)
        goto out;
    if (rc) {
        rc = SM_EDB;
        goto out;
    }
    if (strcmp(c->version, want) != 0) {
        rc = sm_diag_set(diag, SM_EDB, "stored catalog '%s' holds another version", want);
        sm_catalog_free(c);
        goto out;
    }
    *out = c;
out:
    sm_free(want);
    sm_free(source);
    sm_free(sha);
    return rc;
}

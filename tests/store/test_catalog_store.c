/*
 * Catalog versions in the database, on every backend (SQLite, and PostgreSQL when
 * configured): save and load back equal, an identical re-save is a no-op, a changed catalog
 * under a stored version is refused and changes nothing, the newest version, integrity of
 * the stored text, and the audit row.
 */
/* cmocka needs these first, in this order. */
/* clang-format off */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
/* clang-format on */

#include "smesec/catalog.h"
#include "smesec/smesec.h"
#include "store/sql.h"
#include "testdb.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *backend;
static const struct sm_actor cli = { .user_id = 0, .name = "test" };

static const char catalog_yaml[] = "version: \"%s\"\n"
                                   "title: テスト\n"
                                   "title_en: Test\n"
                                   "categories:\n"
                                   "  - {id: governance, name_ja: 組織, name_en: Org}\n"
                                   "items:\n"
                                   "  - id: GOV-01\n"
                                   "    category: governance\n"
                                   "    stage: 2\n"
                                   "    title_ja: 方針\n"
                                   "    title_en: %s\n"
                                   "    description_ja: 説明\n"
                                   "    description_en: Description\n"
                                   "    howto_ja: やり方\n"
                                   "    howto_en: How\n"
                                   "    examples: [一, 二, 三]\n"
                                   "    references: [IPA]\n"
                                   "    rules: {terms: [方針]}\n"
                                   "  - id: TEC-01\n"
                                   "    category: governance\n"
                                   "    stage: 1\n"
                                   "    title_ja: 技術\n"
                                   "    title_en: Technical\n"
                                   "    description_ja: 説明\n"
                                   "    description_en: Description\n"
                                   "    howto_ja: やり方\n"
                                   "    howto_en: How\n"
                                   "    examples: [一, 二, 三]\n"
                                   "    references: []\n"
                                   "    rules: {terms: [技術], exclude: [除外]}\n";

/* A catalog of version whose first item is titled title_en. */
static struct sm_catalog *make(const char *version, const char *title_en)
{
    char yaml[4096];
    snprintf(yaml, sizeof yaml, catalog_yaml, version, title_en);
    struct sm_catalog *c = NULL;
    struct sm_diag d;
    if (sm_catalog_parse(yaml, strlen(yaml), "test", &c, &d) != SM_OK)
        fail_msg("parse: %s", d.msg);
    return c;
}

/* The YAML of a catalog, for comparing two catalogs whole. */
static char *yaml_of(const struct sm_catalog *c)
{
    struct sm_buf b;
    sm_buf_init(&b, 1 << 24);
    assert_int_equal(sm_catalog_write_yaml(c, &b), SM_OK);
    return sm_buf_take(&b, NULL);
}

static void same(const struct sm_catalog *a, const struct sm_catalog *b)
{
    char *x = yaml_of(a), *y = yaml_of(b);
    assert_string_equal(x, y);
    sm_free(x);
    sm_free(y);
}

static int setup(void **state)
{
    struct sm_test_db *db = calloc(1, sizeof *db);
    if (!db || sm_test_db_open(db, backend, true) != SM_OK) {
        free(db);
        return -1;
    }
    *state = db;
    return 0;
}

static int teardown(void **state)
{
    struct sm_test_db *db = *state;
    sm_test_db_close(db);
    free(db);
    return 0;
}

static struct sm_store *store_of(void **state)
{
    return ((struct sm_test_db *)*state)->store;
}

static int64_t count(struct sm_store *s, const char *sql)
{
    int64_t n = -1;
    struct sm_diag d;
    if (sm_sql_scalar_int64(s, sql, &n, &d) != SM_OK)
        fail_msg("%s: %s", sql, d.msg);
    return n;
}

static long audits(struct sm_store *s)
{
    long n = -1;
    struct sm_diag d;
    assert_int_equal(sm_audit_count(s, "catalog.save", &n, &d), SM_OK);
    return n;
}

static void save_and_load(void **state)
{
    struct sm_store *s = store_of(state);
    struct sm_diag d;
    struct sm_catalog *c = make("2026.1", "Policy"), *back = NULL;
    assert_int_equal(sm_catalog_load_db(s, NULL, &back, &d), SM_ENOTFOUND);
    assert_int_equal(sm_catalog_load_db(s, "2026.1", &back, &d), SM_ENOTFOUND);
    assert_non_null(strstr(d.msg, "2026.1"));

    assert_int_equal(sm_catalog_save(s, &cli, c, &d), SM_OK);
    assert_false(sm_store_in_transaction(s));
    assert_int_equal(sm_catalog_load_db(s, "2026.1", &back, &d), SM_OK);
    same(c, back);
    assert_string_equal(sm_catalog_item(back, 1)->exclude.v[0], "除外");
    sm_catalog_free(back);
    assert_int_equal(sm_catalog_load_db(s, NULL, &back, &d), SM_OK);
    same(c, back);
    sm_catalog_free(back);

    /* One row per item, in catalog order, and the audit row. */
    assert_int_equal(count(s, "SELECT COUNT(*) FROM catalogs"), 1);
    assert_int_equal(count(s, "SELECT COUNT(*) FROM check_items WHERE catalog_version = '2026.1'"),
                     2);
    assert_int_equal(count(s, "SELECT position FROM check_items WHERE item_id = 'TEC-01'"), 1);
    assert_int_equal(count(s, "SELECT stage FROM check_items WHERE item_id = 'GOV-01'"), 2);
    assert_int_equal(count(s, "SELECT COUNT(*) FROM audit_log WHERE action = 'catalog.save'"
                              " AND object = 'catalog:2026.1' AND actor = 'test'"),
                     1);
    sm_catalog_free(c);
}

static void versions_are_immutable(void **state)
{
    struct sm_store *s = store_of(state);
    struct sm_diag d;
    struct sm_catalog *c = make("2026.1", "Policy");
    assert_int_equal(sm_catalog_save(s, &cli, c, &d), SM_OK);

    /* The same content again, even parsed afresh, is accepted and writes nothing. */
    struct sm_catalog *again = make("2026.1", "Policy");
    assert_int_equal(sm_catalog_save(s, &cli, again, &d), SM_OK);
    assert_int_equal(audits(s), 1);
    sm_catalog_free(again);

    /* Different content under the same version is refused and changes nothing. */
    struct sm_catalog *changed = make("2026.1", "Changed policy");
    sm_diag_clear(&d);
    assert_int_equal(sm_catalog_save(s, &cli, changed, &d), SM_EEXIST);
    assert_non_null(strstr(d.msg, "catalog version '2026.1' is already stored"));
    assert_non_null(strstr(d.msg, "new version"));
    assert_false(sm_store_in_transaction(s));
    struct sm_catalog *back = NULL;
    assert_int_equal(sm_catalog_load_db(s, "2026.1", &back, &d), SM_OK);
    same(c, back);
    assert_string_equal(sm_catalog_item(back, 0)->title_en, "Policy");
    sm_catalog_free(back);
    assert_int_equal(count(s, "SELECT COUNT(*) FROM check_items"), 2);
    assert_int_equal(audits(s), 1);

    /* The change under a new version is stored beside the old one. */
    struct sm_catalog *next = make("2026.2", "Changed policy");
    assert_int_equal(sm_catalog_save(s, &cli, next, &d), SM_OK);
    assert_int_equal(count(s, "SELECT COUNT(*) FROM check_items"), 4);
    assert_int_equal(audits(s), 2);
    assert_int_equal(sm_catalog_load_db(s, "2026.1", &back, &d), SM_OK);
    same(c, back);
    sm_catalog_free(back);
    sm_catalog_free(next);
    sm_catalog_free(changed);
    sm_catalog_free(c);
}

static void newest_version(void **state)
{
    struct sm_store *s = store_of(state);
    struct sm_diag d;
    /* Saved within the same second: the natural order of versions decides, "10" after "9". */
    const char *versions[] = { "2026.1", "2026.9", "2026.10" };
    for (size_t i = 0; i < 3; i++) {
        struct sm_catalog *c = make(versions[i], "Policy");
        assert_int_equal(sm_catalog_save(s, &cli, c, &d), SM_OK);
        sm_catalog_free(c);
    }
    struct sm_catalog *back = NULL;
    assert_int_equal(sm_catalog_load_db(s, NULL, &back, &d), SM_OK);
    assert_string_equal(sm_catalog_version(back), "2026.10");
    sm_catalog_free(back);
    /* The one saved last is the newest, whatever its name. */
    assert_int_equal(sm_sql_run(s, NULL, &d,
                                "UPDATE catalogs SET loaded_at = loaded_at + 60 WHERE version = ?",
                                "t", "2026.9"),
                     SM_OK);
    assert_int_equal(sm_catalog_load_db(s, NULL, &back, &d), SM_OK);
    assert_string_equal(sm_catalog_version(back), "2026.9");
    sm_catalog_free(back);
}

static void stored_text_is_checked(void **state)
{
    struct sm_store *s = store_of(state);
    struct sm_diag d;
    struct sm_catalog *c = make("2026.1", "Policy"), *back = NULL;
    assert_int_equal(sm_catalog_save(s, &cli, c, &d), SM_OK);
    sm_catalog_free(c);
    /* Someone edits the stored text behind the library's back. */
    assert_int_equal(sm_sql_run(s, NULL, &d,
                                "UPDATE catalogs SET source = REPLACE(source, 'Policy', 'Other')",
                                ""),
                     SM_OK);
    sm_diag_clear(&d);
    assert_int_equal(sm_catalog_load_db(s, "2026.1", &back, &d), SM_EDB);
    assert_non_null(strstr(d.msg, "does not match its SHA-256"));
    assert_null(back);
}

static void default_catalog_round_trip(void **state)
{
    struct sm_store *s = store_of(state);
    struct sm_diag d;
    struct sm_catalog *c = NULL, *back = NULL;
    assert_int_equal(sm_catalog_default(&c, &d), SM_OK);
    assert_int_equal(sm_catalog_save(s, &cli, c, &d), SM_OK);
    assert_int_equal(sm_catalog_save(s, &cli, c, &d), SM_OK);
    assert_int_equal(sm_catalog_load_db(s, sm_catalog_version(c), &back, &d), SM_OK);
    same(c, back);
    assert_int_equal(count(s, "SELECT COUNT(*) FROM check_items"), (int64_t)sm_catalog_n_items(c));
    assert_int_equal(audits(s), 1);
    sm_catalog_free(back);
    sm_catalog_free(c);
}

int main(void)
{
    const char *names[SM_TEST_MAX_BACKENDS];
    int n = sm_test_backends(names, SM_TEST_MAX_BACKENDS);
    if (n < 0)
        return 1;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(save_and_load, setup, teardown),
        cmocka_unit_test_setup_teardown(versions_are_immutable, setup, teardown),
        cmocka_unit_test_setup_teardown(newest_version, setup, teardown),
        cmocka_unit_test_setup_teardown(stored_text_is_checked, setup, teardown),
        cmocka_unit_test_setup_teardown(default_catalog_round_trip, setup, teardown),
    };
    int failed = 0;
    for (int i = 0; i < n; i++) {
        backend = names[i];
        char group[64];
        snprintf(group, sizeof group, "catalog storage on %s", backend);
        failed += cmocka_run_group_tests_name(group, tests, NULL, NULL);
    }
    return failed ? 1 : 0;
}

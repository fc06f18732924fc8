/*
 * The storage contract: what every backend must do the same way, run on each backend that
 * sm_test_backends names (SQLite always, PostgreSQL when SMESEC_TEST_PG_URL is set).
 *
 * Every case gets a fresh database from testdb (migrated unless the case is about
 * migrating), so cases never depend on order or on each other. Tables a case creates
 * itself are written in the SQL both backends accept, without the migration tokens.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "smesec/alloc.h"
#include "smesec/store.h"
#include "smesec/utf8.h"
#include "store/sql.h"
#include "testdb.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct backend_ctx {
    const char *name;
    char group[64];
};

struct fixture {
    struct sm_test_db db;
    struct sm_diag diag;
};

/* Fails the case with the diagnostics when call does not return SM_OK. */
#define OK(f, call)                                                \
 do {                                                              \
  int rc_ = (call);                                                \
  if (rc_ != SM_OK)                                                \
   fail_msg("%s: %s: %s", #call, sm_strerror(rc_), (f)->diag.msg); \
 } while (0)

static int setup_with(void **state, bool migrate)
{
    struct backend_ctx *ctx = *state;
    struct fixture *f = calloc(1, sizeof *f);
    if (!f)
        return -1;
    sm_diag_clear(&f->diag);
    if (sm_test_db_open(&f->db, ctx->name, migrate) != SM_OK) {
        free(f);
        return -1;
    }
    *state = f;
    return 0;
}

static int setup_migrated(void **state)
{
    return setup_with(state, true);
}

static int setup_empty(void **state)
{
    return setup_with(state, false);
}

static int teardown(void **state)
{
    struct fixture *f = *state;
    sm_test_db_close(&f->db);
    free(f);
    return 0;
}

static bool is_pg(const struct fixture *f)
{
    return strcmp(f->db.backend, "postgresql") == 0;
}

static int64_t scalar(struct fixture *f, struct sm_store *store, const char *sql)
{
    int64_t v = -1;
    OK(f, sm_sql_scalar_int64(store, sql, &v, &f->diag));
    return v;
}

/* A table of the shape most cases need. */
static void create_items(struct fixture *f)
{
    OK(f, sm_sql_exec(f->db.store,
                      "CREATE TABLE items (id BIGINT PRIMARY KEY, name TEXT UNIQUE, n BIGINT)",
                      &f->diag));
}

static void insert_item(struct fixture *f, struct sm_store *store, int64_t id, const char *name,
                        int64_t n)
{
    OK(f, sm_sql_run(store, NULL, &f->diag, "INSERT INTO items (id, name, n) VALUES (?, ?, ?)",
                     "iti", id, name, n));
}

static void test_migrate(void **state)
{
    struct fixture *f = *state;
    struct sm_store *s = f->db.store;
    assert_string_equal(sm_store_kind_name(s), f->db.backend);
    assert_int_equal(sm_store_kind(s), is_pg(f) ? SM_STORE_POSTGRESQL : SM_STORE_SQLITE);

    int version = -1;
    OK(f, sm_store_schema_version(s, &version, &f->diag));
    assert_int_equal(version, 0);

    int applied = -1;
    OK(f, sm_store_migrate(s, &applied, &f->diag));
    assert_true(sm_store_latest_version() > 0);
    assert_int_equal(applied, sm_store_latest_version());

    OK(f, sm_store_migrate(s, &applied, &f->diag));
    assert_int_equal(applied, 0);

    OK(f, sm_store_schema_version(s, &version, &f->diag));
    assert_int_equal(version, sm_store_latest_version());
    assert_int_equal(scalar(f, s, "SELECT COUNT(*) FROM schema_migrations"),
                     sm_store_latest_version());
    assert_false(sm_store_in_transaction(s));
}

/* A second store on the same database sees the schema and migrates nothing. */
static void test_migrate_second_connection(void **state)
{
    struct fixture *f = *state;
    struct sm_store *other = NULL;
    OK(f, sm_store_open(f->db.url, &other, &f->diag));
    int applied = -1;
    OK(f, sm_store_migrate(other, &applied, &f->diag));
    assert_int_equal(applied, 0);
    sm_store_free(other);
}

/* A migration interrupted by allocation failure leaves the schema at a whole version, and
 * the next run finishes the job. */
static void test_migrate_alloc_failures(void **state)
{
    struct fixture *f = *state;
    int rc = SM_ENOMEM;
    for (long n = 0; n < 10000 && rc != SM_OK; n++) {
        sm_alloc_fail_after(n);
        rc = sm_store_migrate(f->db.store, NULL, &f->diag);
        sm_alloc_fail_after(-1);
        if (rc != SM_OK)
            assert_int_equal(rc, SM_ENOMEM);
        assert_false(sm_store_in_transaction(f->db.store));
    }
    assert_int_equal(rc, SM_OK);
    int version = -1;
    OK(f, sm_store_schema_version(f->db.store, &version, &f->diag));
    assert_int_equal(version, sm_store_latest_version());
    assert_int_equal(scalar(f, f->db.store, "SELECT COUNT(*) FROM prefectures"), 47);
}

static void test_reference_data(void **state)
{
    struct fixture *f = *state;
    struct sm_store *s = f->db.store;
    assert_int_equal(scalar(f, s, "SELECT COUNT(*) FROM prefectures"), 47);
    assert_int_equal(scalar(f, s, "SELECT COUNT(*) FROM regions"), 8);
    assert_int_equal(scalar(f, s, "SELECT COUNT(DISTINCT region_id) FROM prefectures"), 8);
    assert_int_equal(
        scalar(f, s, "SELECT COUNT(*) FROM prefectures p JOIN regions r ON r.id = p.region_id"),
        47);

    struct sm_sql *q = NULL;
    OK(f, sm_sql_prepare(s,
                         "SELECT p.name_ja, p.name_en, r.name_ja FROM prefectures p"
                         " JOIN regions r ON r.id = p.region_id WHERE p.code = ?",
                         &q, &f->diag));
    OK(f, sm_sql_bind_text(q, 1, "13", (size_t)-1));
    assert_int_equal(sm_sql_step(q, &f->diag), SM_SQL_ROW);
    assert_string_equal(sm_sql_text(q, 0), "東京都");
    assert_string_equal(sm_sql_text(q, 1), "Tokyo");
    assert_string_equal(sm_sql_text(q, 2), "関東");
    assert_int_equal(sm_sql_step(q, &f->diag), SM_SQL_DONE);
    sm_sql_free(q);
}

static void test_round_trip(void **state)
{
    struct fixture *f = *state;
    struct sm_store *s = f->db.store;
    create_items(f);

    static const struct {
        int64_t id;
        const char *name;
        int64_t n;
    } rows[] = {
        { 1, "サイバーセキュリティお助け隊", INT64_MAX },
        { 2, "北海道・沖縄 ①②③ 𠮷野家 🛡️", INT64_MIN },
        { 3, "", 0 },
        { 4, "plain ASCII with 'quotes' and \"doubles\" and \\ backslash", -1 },
    };

    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++)
        insert_item(f, s, rows[i].id, rows[i].name, rows[i].n);
    /* NULLs, bound both ways; and a text bound by length, not to its end. */
    OK(f, sm_sql_run(s, NULL, &f->diag, "INSERT INTO items (id, name, n) VALUES (5, ?, ?)", "tt",
                     (const char *)NULL, (const char *)NULL));
    struct sm_sql *ins = NULL;
    OK(f, sm_sql_prepare(s, "INSERT INTO items (id, name, n) VALUES (6, ?, ?)", &ins, &f->diag));
    OK(f, sm_sql_bind_text(ins, 1, "東京都千代田区", strlen("東京都")));
    OK(f, sm_sql_bind_null(ins, 2));
    assert_int_equal(sm_sql_step(ins, &f->diag), SM_SQL_DONE);
    sm_sql_free(ins);

    struct sm_sql *q = NULL;
    OK(f, sm_sql_prepare(s, "SELECT id, name, n FROM items ORDER BY id", &q, &f->diag));
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        assert_int_equal(sm_sql_step(q, &f->diag), SM_SQL_ROW);
        assert_int_equal(sm_sql_column_count(q), 3);
        assert_int_equal(sm_sql_int64(q, 0), rows[i].id);
        assert_string_equal(sm_sql_text(q, 1), rows[i].name);
        assert_false(sm_sql_is_null(q, 1));
        assert_true(sm_sql_int64(q, 2) == rows[i].n);
    }
    assert_int_equal(sm_sql_step(q, &f->diag), SM_SQL_ROW);
    assert_int_equal(sm_sql_int64(q, 0), 5);
    assert_null(sm_sql_text(q, 1));
    assert_true(sm_sql_is_null(q, 1));
    assert_true(sm_sql_is_null(q, 2));
    assert_int_equal(sm_sql_int64(q, 2), 0);
    assert_int_equal(sm_sql_step(q, &f->diag), SM_SQL_ROW);
    assert_string_equal(sm_sql_text(q, 1), "東京都");
    assert_true(sm_sql_is_null(q, 2));
    assert_int_equal(sm_sql_step(q, &f->diag), SM_SQL_DONE);
    sm_sql_free(q);
}

/* Integers read back from what each backend returns for them: COUNT, SUM and AVG (numeric
 * on PostgreSQL), EXISTS (a boolean there) and digits stored as text. */
static void test_int64_columns(void **state)
{
    struct fixture *f = *state;
    struct sm_store *s = f->db.store;
    create_items(f);
    insert_item(f, s, 1, "42", 40);
    insert_item(f, s, 2, "-7", 2);
    assert_int_equal(scalar(f, s, "SELECT SUM(n) FROM items"), 42);
    assert_int_equal(scalar(f, s, "SELECT AVG(n) FROM items"), 21);
    assert_int_equal(scalar(f, s, "SELECT EXISTS (SELECT 1 FROM items WHERE n = 2)"), 1);
    assert_int_equal(scalar(f, s, "SELECT EXISTS (SELECT 1 FROM items WHERE n = 3)"), 0);
    assert_int_equal(scalar(f, s, "SELECT name FROM items WHERE id = 1"), 42);
    assert_int_equal(scalar(f, s, "SELECT name FROM items WHERE id = 2"), -7);

    int64_t v = 99;
    assert_int_equal(sm_sql_scalar_int64(s, "SELECT n FROM items WHERE id = 3", &v, &f->diag),
                     SM_ENOTFOUND);
    assert_int_equal(v, 99);
}

/* '?' is a parameter only outside string literals, quoted identifiers and comments. */
static void test_placeholders(void **state)
{
    struct fixture *f = *state;
    struct sm_store *s = f->db.store;
    OK(f, sm_sql_exec(s, "CREATE TABLE marks (\"a?\" TEXT, b TEXT)", &f->diag));

    struct sm_sql *ins = NULL;
    OK(f,
       sm_sql_prepare(s, "INSERT INTO marks (\"a?\", b) /* why? */ VALUES (?, 'it''s ?') -- ok?\n",
                      &ins, &f->diag));
    OK(f, sm_sql_bind_text(ins, 1, "first", (size_t)-1));
    assert_int_equal(sm_sql_bind_text(ins, 2, "no such parameter", (size_t)-1), SM_EINVAL);
    assert_int_equal(sm_sql_bind_int64(ins, 0, 1), SM_EINVAL);
    assert_int_equal(sm_sql_step(ins, &f->diag), SM_SQL_DONE);
    assert_int_equal(sm_sql_changes(ins), 1);
    sm_sql_free(ins);

    struct sm_sql *q = NULL;
    OK(f, sm_sql_prepare(s,
                         "SELECT \"a?\", b, ? FROM marks\n"
                         " WHERE b = 'it''s ?' -- a comment with ? in it\n"
                         " AND \"a?\" = ?",
                         &q, &f->diag));
    OK(f, sm_sql_bind_text(q, 1, "third column ?", (size_t)-1));
    OK(f, sm_sql_bind_text(q, 2, "first", (size_t)-1));
    assert_int_equal(sm_sql_bind_text(q, 3, "x", (size_t)-1), SM_EINVAL);
    assert_int_equal(sm_sql_step(q, &f->diag), SM_SQL_ROW);
    assert_string_equal(sm_sql_text(q, 0), "first");
    assert_string_equal(sm_sql_text(q, 1), "it's ?");
    assert_string_equal(sm_sql_text(q, 2), "third column ?");
    assert_int_equal(sm_sql_step(q, &f->diag), SM_SQL_DONE);
    sm_sql_free(q);

    /* Ten parameters: $10 must not be read as $1 followed by 0. */
    OK(f, sm_sql_prepare(s, "SELECT ? || ? || ? || ? || ? || ? || ? || ? || ? || ?", &q, &f->diag));
    static const char *const parts[] = { "a", "b", "c", "d", "e", "f", "g", "h", "i", "j" };
    for (int i = 0; i < 10; i++)
        OK(f, sm_sql_bind_text(q, i + 1, parts[i], (size_t)-1));
    assert_int_equal(sm_sql_step(q, &f->diag), SM_SQL_ROW);
    assert_string_equal(sm_sql_text(q, 0), "abcdefghij");
    sm_sql_free(q);
}

/* One prepared statement reused with new parameters after reset. */
static void test_reset_reuse(void **state)
{
    struct fixture *f = *state;
    struct sm_store *s = f->db.store;
    create_items(f);
    struct sm_sql *ins = NULL;
    OK(f, sm_sql_prepare(s, "INSERT INTO items (id, name, n) VALUES (?, ?, ?)", &ins, &f->diag));
    char name[32];
    for (int64_t i = 1; i <= 20; i++) {
        snprintf(name, sizeof name, "項目%d", (int)i);
        OK(f, sm_sql_bindv(ins, "iti", i, name, i * 10));
        assert_int_equal(sm_sql_step(ins, &f->diag), SM_SQL_DONE);
        OK(f, sm_sql_reset(ins));
    }
    /* Reset clears the bindings: an unbound parameter is NULL. */
    OK(f, sm_sql_bind_int64(ins, 1, 21));
    assert_int_equal(sm_sql_step(ins, &f->diag), SM_SQL_DONE);
    sm_sql_free(ins);
    assert_int_equal(scalar(f, s, "SELECT COUNT(*) FROM items"), 21);
    assert_int_equal(scalar(f, s, "SELECT COUNT(*) FROM items WHERE name IS NULL AND n IS NULL"),
                     1);

    struct sm_sql *q = NULL;
    OK(f, sm_sql_prepare(s, "SELECT name FROM items WHERE id = ?", &q, &f->diag));
    for (int64_t i = 1; i <= 20; i += 7) {
        OK(f, sm_sql_bind_int64(q, 1, i));
        assert_int_equal(sm_sql_step(q, &f->diag), SM_SQL_ROW);
        snprintf(name, sizeof name, "項目%d", (int)i);
        assert_string_equal(sm_sql_text(q, 0), name);
        OK(f, sm_sql_reset(q));
    }
    sm_sql_free(q);
}

static void test_returning_id(void **state)
{
    struct fixture *f = *state;
    struct sm_store *s = f->db.store;
    const char *sql = "INSERT INTO users (username, display_name, role, password_hash, created_at)"
                      " VALUES (?, ?, 'operator', 'x', 0) RETURNING id";
    int64_t ids[2];
    for (int i = 0; i < 2; i++) {
        struct sm_sql *q = NULL;
        OK(f, sm_sql_prepare(s, sql, &q, &f->diag));
        OK(f, sm_sql_bindv(q, "tt", i ? "suzuki" : "tanaka", i ? "鈴木" : "田中"));
        assert_int_equal(sm_sql_step(q, &f->diag), SM_SQL_ROW);
        ids[i] = sm_sql_int64(q, 0);
        assert_int_equal(sm_sql_step(q, &f->diag), SM_SQL_DONE);
        assert_int_equal(sm_sql_changes(q), 1);
        sm_sql_free(q);
    }
    assert_true(ids[0] > 0);
    assert_true(ids[1] > ids[0]);

    struct sm_sql *q = NULL;
    OK(f, sm_sql_prepare(s, "SELECT display_name FROM users WHERE id = ?", &q, &f->diag));
    OK(f, sm_sql_bind_int64(q, 1, ids[1]));
    assert_int_equal(sm_sql_step(q, &f->diag), SM_SQL_ROW);
    assert_string_equal(sm_sql_text(q, 0), "鈴木");
    sm_sql_free(q);
}

static void test_unique_violation(void **state)
{
    struct fixture *f = *state;
    struct sm_store *s = f->db.store;
    create_items(f);
    insert_item(f, s, 1, "same", 1);
    /* The UNIQUE column and the primary key. */
    int rc = sm_sql_run(s, NULL, &f->diag, "INSERT INTO items (id, name, n) VALUES (2, ?, 2)", "t",
                        "same");
    assert_int_equal(rc, SM_EEXIST);
    assert_true(f->diag.msg[0] != '\0');
    sm_diag_clear(&f->diag);
    rc =
        sm_sql_run(s, NULL, &f->diag, "INSERT INTO items (id, name, n) VALUES (1, 'other', 2)", "");
    assert_int_equal(rc, SM_EEXIST);
    assert_true(f->diag.msg[0] != '\0');
    /* Outside a transaction the store carries on. */
    insert_item(f, s, 2, "other", 2);
    assert_int_equal(scalar(f, s, "SELECT COUNT(*) FROM items"), 2);
}

static void test_foreign_key_violation(void **state)
{
    struct fixture *f = *state;
    struct sm_store *s = f->db.store;
    int rc = sm_sql_run(s, NULL, &f->diag,
                        "INSERT INTO prefectures (code, name_ja, name_en, region_id)"
                        " VALUES ('99', ?, 'Nowhere', 99)",
                        "t", "無県");
    assert_int_equal(rc, SM_EEXIST);
    assert_true(f->diag.msg[0] != '\0');
    assert_int_equal(scalar(f, s, "SELECT COUNT(*) FROM prefectures"), 47);

    /* Deleting a referenced row is refused too. */
    sm_diag_clear(&f->diag);
    rc = sm_sql_run(s, NULL, &f->diag, "DELETE FROM regions WHERE id = ?", "i", (int64_t)3);
    assert_int_equal(rc, SM_EEXIST);
    assert_int_equal(scalar(f, s, "SELECT COUNT(*) FROM regions"), 8);
}

static void test_rollback(void **state)
{
    struct fixture *f = *state;
    struct sm_store *s = f->db.store;
    create_items(f);
    assert_false(sm_store_in_transaction(s));
    OK(f, sm_store_begin(s, &f->diag));
    assert_true(sm_store_in_transaction(s));
    insert_item(f, s, 1, "gone", 1);
    insert_item(f, s, 2, "gone too", 2);
    assert_int_equal(scalar(f, s, "SELECT COUNT(*) FROM items"), 2);
    sm_store_rollback(s);
    assert_false(sm_store_in_transaction(s));
    assert_int_equal(scalar(f, s, "SELECT COUNT(*) FROM items"), 0);
    /* Rollback with no transaction open is harmless. */
    sm_store_rollback(s);
    assert_false(sm_store_in_transaction(s));
}

/* After a statement fails inside a transaction, rollback discards the whole transaction.
 * (PostgreSQL refuses anything but rollback once a statement failed, so a commit there must
 * report failure rather than pretend.) */
static void test_failure_in_transaction(void **state)
{
    struct fixture *f = *state;
    struct sm_store *s = f->db.store;
    create_items(f);
    OK(f, sm_store_begin(s, &f->diag));
    insert_item(f, s, 1, "kept?", 1);
    int rc =
        sm_sql_run(s, NULL, &f->diag, "INSERT INTO items (id, name, n) VALUES (1, 'x', 1)", "");
    assert_int_equal(rc, SM_EEXIST);
    if (is_pg(f)) {
        rc = sm_store_commit(s, &f->diag);
        assert_int_equal(rc, SM_EDB);
        assert_true(f->diag.msg[0] != '\0');
        assert_false(sm_store_in_transaction(s));
    } else {
        sm_store_rollback(s);
    }
    assert_false(sm_store_in_transaction(s));
    assert_int_equal(scalar(f, s, "SELECT COUNT(*) FROM items"), 0);
}

static void test_commit_visible_elsewhere(void **state)
{
    struct fixture *f = *state;
    struct sm_store *s = f->db.store;
    create_items(f);
    struct sm_store *other = NULL;
    OK(f, sm_store_open(f->db.url, &other, &f->diag));

    OK(f, sm_store_begin(s, &f->diag));
    insert_item(f, s, 1, "見える", 1);
    /* Not yet committed: the other connection does not see it. */
    assert_int_equal(scalar(f, other, "SELECT COUNT(*) FROM items"), 0);
    OK(f, sm_store_commit(s, &f->diag));
    assert_false(sm_store_in_transaction(s));

    struct sm_sql *q = NULL;
    OK(f, sm_sql_prepare(other, "SELECT name FROM items WHERE id = 1", &q, &f->diag));
    assert_int_equal(sm_sql_step(q, &f->diag), SM_SQL_ROW);
    assert_string_equal(sm_sql_text(q, 0), "見える");
    sm_sql_free(q);
    sm_store_free(other);

    /* And it survives closing every connection. */
    sm_store_free(f->db.store);
    f->db.store = NULL;
    OK(f, sm_store_open(f->db.url, &f->db.store, &f->diag));
    assert_int_equal(scalar(f, f->db.store, "SELECT COUNT(*) FROM items"), 1);
}

static void test_transaction_misuse(void **state)
{
    struct fixture *f = *state;
    struct sm_store *s = f->db.store;
    assert_int_equal(sm_store_commit(s, &f->diag), SM_EINVAL);
    OK(f, sm_store_begin(s, &f->diag));
    sm_diag_clear(&f->diag);
    assert_int_equal(sm_store_begin(s, &f->diag), SM_EINVAL);
    assert_true(f->diag.msg[0] != '\0');
    assert_true(sm_store_in_transaction(s));
    OK(f, sm_store_commit(s, &f->diag));
    assert_false(sm_store_in_transaction(s));

    /* A store freed with a transaction open rolls it back. */
    create_items(f);
    struct sm_store *other = NULL;
    OK(f, sm_store_open(f->db.url, &other, &f->diag));
    OK(f, sm_store_begin(other, &f->diag));
    insert_item(f, other, 1, "abandoned", 1);
    sm_store_free(other);
    assert_int_equal(scalar(f, s, "SELECT COUNT(*) FROM items"), 0);
}

static void test_bad_sql(void **state)
{
    struct fixture *f = *state;
    struct sm_store *s = f->db.store;
    struct sm_sql *q = NULL;
    assert_int_equal(sm_sql_prepare(s, "SELEC 1", &q, &f->diag), SM_EDB);
    assert_null(q);
    assert_true(f->diag.msg[0] != '\0');
    assert_true(f->diag.msg[0] < 'A' || f->diag.msg[0] > 'Z');

    sm_diag_clear(&f->diag);
    assert_int_equal(sm_sql_prepare(s, "SELECT * FROM no_such_table WHERE x = ?", &q, &f->diag),
                     SM_EDB);
    assert_true(strstr(f->diag.msg, "no_such_table") != NULL);

    sm_diag_clear(&f->diag);
    assert_int_equal(
        sm_sql_exec(s, "CREATE TABLE t (a TEXT); INSERT INTO nowhere VALUES (1)", &f->diag),
        SM_EDB);
    assert_true(f->diag.msg[0] != '\0');

    /* A failure at run time, not at prepare. */
    sm_diag_clear(&f->diag);
    assert_int_equal(sm_sql_run(s, NULL, &f->diag,
                                "INSERT INTO regions (id, name_ja, name_en) VALUES (9, ?, ?)", "tt",
                                "x", (const char *)NULL),
                     SM_EDB);
    assert_true(f->diag.msg[0] != '\0');

    /* A message too long for the diagnostics is cut on a character boundary. */
    if (is_pg(f)) {
        sm_diag_clear(&f->diag);
        assert_int_equal(
            sm_sql_exec(s, "DO $$ BEGIN RAISE EXCEPTION '%', repeat('あ', 400); END $$", &f->diag),
            SM_EDB);
        size_t len = strlen(f->diag.msg);
        assert_true(len > 400);
        assert_true(sm_utf8_valid(f->diag.msg, len, NULL));
    }

    /* The store still works. */
    assert_int_equal(scalar(f, s, "SELECT COUNT(*) FROM regions"), 8);
}

static void test_changes(void **state)
{
    struct fixture *f = *state;
    struct sm_store *s = f->db.store;
    create_items(f);
    for (int64_t i = 1; i <= 5; i++)
        insert_item(f, s, i, NULL, i);
    int64_t changes = -1;
    OK(f, sm_sql_run(s, &changes, &f->diag, "UPDATE items SET n = n * ? WHERE n > ?", "ii",
                     (int64_t)10, (int64_t)3));
    assert_int_equal(changes, 2);
    OK(f, sm_sql_run(s, &changes, &f->diag, "UPDATE items SET n = n + 1 WHERE n > ?", "i",
                     (int64_t)100));
    assert_int_equal(changes, 0);
    OK(f, sm_sql_run(s, &changes, &f->diag, "DELETE FROM items WHERE n < ?", "i", (int64_t)40));
    assert_int_equal(changes, 3);

    struct sm_sql *q = NULL;
    OK(f, sm_sql_prepare(s, "DELETE FROM items", &q, &f->diag));
    assert_int_equal(sm_sql_step(q, &f->diag), SM_SQL_DONE);
    assert_int_equal(sm_sql_changes(q), 2);
    sm_sql_free(q);
}

/* The same SQL text prepared again after the table it reads was re-created with other
 * columns (PostgreSQL caches prepared statements per connection by text). */
static void test_schema_change_same_sql(void **state)
{
    struct fixture *f = *state;
    struct sm_store *s = f->db.store;
    const char *select = "SELECT * FROM shifting";
    OK(f, sm_sql_exec(s, "CREATE TABLE shifting (a BIGINT); INSERT INTO shifting VALUES (1)",
                      &f->diag));
    struct sm_sql *q = NULL;
    OK(f, sm_sql_prepare(s, select, &q, &f->diag));
    assert_int_equal(sm_sql_step(q, &f->diag), SM_SQL_ROW);
    assert_int_equal(sm_sql_column_count(q), 1);
    sm_sql_free(q);

    OK(f, sm_sql_exec(s,
                      "DROP TABLE shifting; CREATE TABLE shifting (a BIGINT, b TEXT);"
                      " INSERT INTO shifting VALUES (2, 'two')",
                      &f->diag));
    for (int round = 0; round < 2; round++) {
        OK(f, sm_sql_prepare(s, select, &q, &f->diag));
        assert_int_equal(sm_sql_step(q, &f->diag), SM_SQL_ROW);
        assert_int_equal(sm_sql_column_count(q), 2);
        assert_int_equal(sm_sql_int64(q, 0), 2);
        assert_string_equal(sm_sql_text(q, 1), "two");
        sm_sql_free(q);
    }
}

/* Many distinct statements on one connection (more than any per-connection cache holds)
 * still run, interleaved with one that stays open, and bad SQL among them still fails. */
static void test_many_statements(void **state)
{
    struct fixture *f = *state;
    struct sm_store *s = f->db.store;
    struct sm_sql *outer = NULL;
    OK(f, sm_sql_prepare(s, "SELECT code FROM prefectures ORDER BY code", &outer, &f->diag));
    assert_int_equal(sm_sql_step(outer, &f->diag), SM_SQL_ROW);
    char sql[128];
    for (int i = 0; i < 400; i++) {
        snprintf(sql, sizeof sql, "SELECT ? + %d /* statement %d */", i, i);
        struct sm_sql *q = NULL;
        OK(f, sm_sql_prepare(s, sql, &q, &f->diag));
        OK(f, sm_sql_bind_int64(q, 1, 1000));
        assert_int_equal(sm_sql_step(q, &f->diag), SM_SQL_ROW);
        assert_int_equal(sm_sql_int64(q, 0), 1000 + i);
        sm_sql_free(q);
    }
    assert_string_equal(sm_sql_text(outer, 0), "01");
    assert_int_equal(sm_sql_step(outer, &f->diag), SM_SQL_ROW);
    assert_string_equal(sm_sql_text(outer, 0), "02");
    sm_sql_free(outer);

    /* Past any cache, an error may surface at prepare or at the first step. */
    struct sm_sql *bad = NULL;
    int rc = sm_sql_prepare(s, "SELECT ? FROM no_such_table", &bad, &f->diag);
    if (rc == SM_OK) {
        rc = sm_sql_step(bad, &f->diag);
        sm_sql_free(bad);
    }
    assert_int_equal(rc, SM_EDB);
}

/* Every allocation in open, prepare, bind and step may fail; each failure is reported as
 * SM_ENOMEM and leaks nothing (the sanitizer build checks the latter). */
static void test_alloc_failures(void **state)
{
    struct fixture *f = *state;
    int rc = SM_ENOMEM;
    for (long n = 0; n < 1000 && rc != SM_OK; n++) {
        struct sm_store *other = NULL;
        struct sm_sql *q = NULL;
        char sql[64];
        /* A new text each round, so no cache hides the allocations of a first prepare. */
        snprintf(sql, sizeof sql, "SELECT ?, ? /* %ld */", n);
        sm_alloc_fail_after(n);
        rc = sm_store_open(f->db.url, &other, NULL);
        if (rc == SM_OK)
            rc = sm_sql_prepare(other, sql, &q, NULL);
        if (rc == SM_OK)
            rc = sm_sql_bind_text(q, 1, "値", (size_t)-1);
        if (rc == SM_OK)
            rc = sm_sql_bind_int64(q, 2, INT64_MIN);
        if (rc == SM_OK) {
            rc = sm_sql_step(q, NULL);
            if (rc == SM_SQL_ROW) {
                assert_string_equal(sm_sql_text(q, 0), "値");
                assert_true(sm_sql_int64(q, 1) == INT64_MIN);
                rc = SM_OK;
            }
        }
        sm_alloc_fail_after(-1);
        sm_sql_free(q);
        sm_store_free(other);
        if (rc != SM_OK)
            assert_int_equal(rc, SM_ENOMEM);
    }
    assert_int_equal(rc, SM_OK);
}

/* Ends the server session behind store, as a server restart or failover would, and waits
 * until it is gone. PostgreSQL only. */
static void kill_session(struct fixture *f, struct sm_store *store)
{
    int64_t pid = scalar(f, store, "SELECT pg_backend_pid()");
    struct sm_store *other = NULL;
    OK(f, sm_store_open(f->db.url, &other, &f->diag));
    int64_t killed = 0;
    OK(f, sm_sql_run_int64(other, &killed, &f->diag, "SELECT pg_terminate_backend(?, 5000)", "i",
                           pid));
    assert_int_equal(killed, 1);
    sm_store_free(other);
}

/* A connection the server dropped fails the call that meets it and is re-established by the
 * next one outside a transaction; inside one, every call fails until rollback. */
static void test_reconnect(void **state)
{
    struct fixture *f = *state;
    if (!is_pg(f))
        skip();
    struct sm_store *s = f->db.store;
    create_items(f);
    struct sm_sql *before = NULL;
    OK(f, sm_sql_prepare(s, "SELECT COUNT(*) FROM items", &before, &f->diag));
    int64_t pid = scalar(f, s, "SELECT pg_backend_pid()");

    kill_session(f, s);
    int64_t v = 0;
    assert_int_equal(sm_sql_scalar_int64(s, "SELECT 1", &v, &f->diag), SM_EDB);
    assert_true(f->diag.msg[0] != '\0');
    assert_true(scalar(f, s, "SELECT pg_backend_pid()") != pid);
    insert_item(f, s, 1, "after", 1);
    /* A statement prepared on the old session still runs. */
    assert_int_equal(sm_sql_step(before, &f->diag), SM_SQL_ROW);
    assert_int_equal(sm_sql_int64(before, 0), 1);
    sm_sql_free(before);

    OK(f, sm_store_begin(s, &f->diag));
    insert_item(f, s, 2, "lost", 2);
    kill_session(f, s);
    assert_int_equal(sm_sql_run(s, NULL, &f->diag, "INSERT INTO items (id) VALUES (3)", ""),
                     SM_EDB);
    assert_int_equal(sm_sql_run(s, NULL, &f->diag, "INSERT INTO items (id) VALUES (4)", ""),
                     SM_EDB);
    assert_true(strstr(f->diag.msg, "transaction") != NULL);
    assert_int_equal(sm_store_commit(s, &f->diag), SM_EDB);
    assert_false(sm_store_in_transaction(s));
    assert_int_equal(scalar(f, s, "SELECT COUNT(*) FROM items"), 1);
}

struct pool_worker {
    struct sm_store_pool *pool;
    int first_id;
    int errors;
    char msg[600];
};

#define POOL_ROUNDS 25

static void *pool_work(void *arg)
{
    struct pool_worker *w = arg;
    for (int i = 0; i < POOL_ROUNDS; i++) {
        char name[32];
        snprintf(name, sizeof name, "並行%d", w->first_id + i);
        struct sm_store *s = sm_store_pool_get(w->pool);
        struct sm_diag diag;
        sm_diag_clear(&diag);
        int rc = sm_store_begin(s, &diag);
        if (rc == SM_OK)
            rc = sm_sql_run(s, NULL, &diag, "INSERT INTO items (id, name, n) VALUES (?, ?, ?)",
                            "iti", (int64_t)(w->first_id + i), name, (int64_t)i);
        if (rc == SM_OK)
            rc = sm_store_commit(s, &diag);
        if (rc != SM_OK) {
            sm_store_rollback(s);
            w->errors++;
            snprintf(w->msg, sizeof w->msg, "%s: %s", sm_strerror(rc), diag.msg);
        }
        sm_store_pool_put(w->pool, s);
    }
    return NULL;
}

static void test_pool(void **state)
{
    struct fixture *f = *state;
    create_items(f);
    struct sm_store_pool *pool = NULL;
    OK(f, sm_store_pool_new(f->db.url, 2, &pool, &f->diag));

    /* Two distinct stores; a store put back with a transaction open is rolled back. */
    struct sm_store *a = sm_store_pool_get(pool);
    struct sm_store *b = sm_store_pool_get(pool);
    assert_non_null(a);
    assert_non_null(b);
    assert_ptr_not_equal(a, b);
    OK(f, sm_store_begin(a, &f->diag));
    insert_item(f, a, 1000, "rolled back", 0);
    sm_store_pool_put(pool, a);
    sm_store_pool_put(pool, b);
    assert_int_equal(scalar(f, f->db.store, "SELECT COUNT(*) FROM items"), 0);

    struct pool_worker workers[3] = {
        { .pool = pool, .first_id = 1 },
        { .pool = pool, .first_id = 101 },
        { .pool = pool, .first_id = 201 },
    };
    pthread_t threads[3];
    for (int i = 0; i < 3; i++)
        assert_int_equal(pthread_create(&threads[i], NULL, pool_work, &workers[i]), 0);
    for (int i = 0; i < 3; i++)
        assert_int_equal(pthread_join(threads[i], NULL), 0);
    for (int i = 0; i < 3; i++)
        if (workers[i].errors)
            fail_msg("worker %d: %d errors, last: %s", i, workers[i].errors, workers[i].msg);
    sm_store_pool_free(pool);
    assert_int_equal(scalar(f, f->db.store, "SELECT COUNT(*) FROM items"), 3 * POOL_ROUNDS);
}

static void test_pool_bad_url(void **state)
{
    struct fixture *f = *state;
    struct sm_store_pool *pool = NULL;
    char url[SM_TEST_URL_MAX + 32];
    if (is_pg(f))
        snprintf(url, sizeof url, "postgresql://postgres@127.0.0.1:1/none?connect_timeout=2");
    else
        snprintf(url, sizeof url, "sqlite:/nonexistent-directory/smesec/test.db");
    sm_diag_clear(&f->diag);
    int rc = sm_store_pool_new(url, 2, &pool, &f->diag);
    assert_int_equal(rc, SM_EDB);
    assert_null(pool);
    assert_true(f->diag.msg[0] != '\0');
    assert_int_equal(sm_store_pool_new(f->db.url, 0, &pool, &f->diag), SM_EINVAL);
}

static int run_backend(struct backend_ctx *ctx)
{
#define CASE(fn)       cmocka_unit_test_prestate_setup_teardown(fn, setup_migrated, teardown, ctx)
#define CASE_EMPTY(fn) cmocka_unit_test_prestate_setup_teardown(fn, setup_empty, teardown, ctx)
    const struct CMUnitTest tests[] = {
        CASE_EMPTY(test_migrate),
        CASE(test_migrate_second_connection),
        CASE_EMPTY(test_migrate_alloc_failures),
        CASE(test_reference_data),
        CASE(test_round_trip),
        CASE(test_int64_columns),
        CASE(test_placeholders),
        CASE(test_reset_reuse),
        CASE(test_returning_id),
        CASE(test_unique_violation),
        CASE(test_foreign_key_violation),
        CASE(test_rollback),
        CASE(test_failure_in_transaction),
        CASE(test_commit_visible_elsewhere),
        CASE(test_transaction_misuse),
        CASE(test_bad_sql),
        CASE(test_changes),
        CASE(test_schema_change_same_sql),
        CASE(test_many_statements),
        CASE(test_alloc_failures),
        CASE(test_reconnect),
        CASE(test_pool),
        CASE(test_pool_bad_url),
    };
#undef CASE
#undef CASE_EMPTY
    return cmocka_run_group_tests_name(ctx->group, tests, NULL, NULL);
}

int main(void)
{
    const char *names[SM_TEST_MAX_BACKENDS];
    int n = sm_test_backends(names, SM_TEST_MAX_BACKENDS);
    if (n < 0)
        return 1;
    static struct backend_ctx ctx[SM_TEST_MAX_BACKENDS];
    int failed = 0;
    for (int i = 0; i < n; i++) {
        ctx[i].name = names[i];
        snprintf(ctx[i].group, sizeof ctx[i].group, "store_contract/%s", names[i]);
        failed += run_backend(&ctx[i]);
    }
    return failed ? 1 : 0;
}

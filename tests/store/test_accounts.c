/*
 * Storage-level tests of accounts, login throttling, sessions, the audit log, geography and
 * the demo seed, run on every backend (SQLite, and PostgreSQL when configured).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "smesec/smesec.h"
#include "testdb.h"

#include <stdio.h>
#include <string.h>

static const char *backend;
static const struct sm_actor cli = { .user_id = 0, .name = "test" };

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

static void add_get_and_duplicate(void **state)
{
    struct sm_store *s = store_of(state);
    struct sm_diag d;
    int64_t id = 0;
    assert_int_equal(
        sm_user_add(s, &cli, "alice", "アリス", SM_ROLE_OPERATOR, "password-1", &id, &d), SM_OK);
    assert_true(id > 0);
    struct sm_user *u = NULL;
    assert_int_equal(sm_user_get(s, "alice", &u, &d), SM_OK);
    assert_int_equal(u->id, id);
    assert_string_equal(u->display_name, "アリス");
    assert_int_equal(u->role, SM_ROLE_OPERATOR);
    sm_user_free(u);

    assert_int_equal(sm_user_add(s, &cli, "alice", NULL, SM_ROLE_ANALYST, "password-2", NULL, &d),
                     SM_EEXIST);
    assert_non_null(strstr(d.msg, "alice"));
    assert_false(sm_store_in_transaction(s));
    assert_int_equal(sm_user_get(s, "bob", &u, &d), SM_ENOTFOUND);
    /* Bad input is refused before anything is written. */
    assert_int_equal(
        sm_user_add(s, &cli, "Bad Name", NULL, SM_ROLE_ANALYST, "password-2", NULL, &d), SM_EINVAL);
    assert_int_equal(sm_user_add(s, &cli, "bob", NULL, SM_ROLE_ANALYST, "short", NULL, &d),
                     SM_EINVAL);
    assert_int_equal(sm_user_get(s, "bob", &u, &d), SM_ENOTFOUND);

    long n = 0;
    assert_int_equal(sm_audit_count(s, "user.add", &n, &d), SM_OK);
    assert_int_equal(n, 1);
}

static void login_and_throttling(void **state)
{
    struct sm_store *s = store_of(state);
    struct sm_diag d;
    struct sm_user *u = NULL;
    const int64_t now = 1800000000;
    assert_int_equal(sm_user_add(s, &cli, "carol", NULL, SM_ROLE_ANALYST, "carol-secret", NULL, &d),
                     SM_OK);
    assert_int_equal(sm_login(s, "carol", "carol-secret", "10.0.0.1", now, &u, NULL, &d), SM_OK);
    assert_string_equal(u->username, "carol");
    sm_user_free(u);

    /* Unknown user and wrong password give the same answer. */
    struct sm_diag d2;
    assert_int_equal(sm_login(s, "nobody", "whatever-pw", "10.0.0.1", now, &u, NULL, &d), SM_EAUTH);
    assert_int_equal(sm_login(s, "carol", "wrong-pass", "10.0.0.1", now, &u, NULL, &d2), SM_EAUTH);
    assert_string_equal(d.msg, d2.msg);

    for (int i = 1; i < SM_LOGIN_MAX_FAILURES; i++)
        assert_int_equal(sm_login(s, "carol", "wrong-pass", "10.0.0.2", now + i, &u, NULL, &d),
                         SM_EAUTH);
    /* Locked now, even with the right password, until the first failure leaves the window. */
    int64_t retry = 0;
    assert_int_equal(sm_login(s, "carol", "carol-secret", "10.0.0.3", now + 10, &u, &retry, &d),
                     SM_ELIMIT);
    assert_int_equal(retry, SM_LOGIN_WINDOW_SECONDS - 10);
    /* ...until the window has passed. */
    assert_int_equal(sm_login(s, "carol", "carol-secret", "10.0.0.3",
                              now + SM_LOGIN_WINDOW_SECONDS + 10, &u, NULL, &d),
                     SM_OK);
    sm_user_free(u);

    /* One client guessing across many usernames is throttled too. */
    for (int i = 0; i < SM_LOGIN_MAX_FAILURES_PER_CLIENT; i++) {
        char name[32];
        snprintf(name, sizeof name, "guess%d", i);
        assert_int_equal(sm_login(s, name, "wrong-pass", "192.0.2.9", now + 2000, &u, NULL, &d),
                         SM_EAUTH);
    }
    assert_int_equal(sm_login(s, "carol", "carol-secret", "192.0.2.9", now + 2001, &u, NULL, &d),
                     SM_ELIMIT);
    assert_int_equal(sm_login(s, "carol", "carol-secret", "192.0.2.10", now + 2001, &u, NULL, &d),
                     SM_OK);
    sm_user_free(u);
}

static void sessions_live_expire_and_end(void **state)
{
    struct sm_store *s = store_of(state);
    struct sm_diag d;
    const int64_t now = 1800000000;
    int64_t id = 0;
    assert_int_equal(sm_user_add(s, &cli, "dave", "Dave", SM_ROLE_REVIEWER, "dave-secret", &id, &d),
                     SM_OK);
    char token[SM_TOKEN_SIZE], csrf[SM_TOKEN_SIZE];
    assert_int_equal(sm_session_create(s, id, now, token, csrf, &d), SM_OK);
    struct sm_session *sess = NULL;
    assert_int_equal(sm_session_lookup(s, token, now + 60, &sess, &d), SM_OK);
    assert_string_equal(sess->csrf, csrf);
    assert_string_equal(sess->user->username, "dave");
    assert_int_equal(sess->user->role, SM_ROLE_REVIEWER);
    assert_int_equal(strlen(sess->csrf), SM_TOKEN_SIZE - 1);
    assert_string_not_equal(sess->csrf, token);
    sm_session_free(sess);

    assert_int_equal(sm_session_lookup(s, token, now + SM_SESSION_SECONDS + 1, &sess, &d),
                     SM_EAUTH);
    assert_int_equal(sm_session_lookup(s, "not-a-token", now, &sess, &d), SM_EAUTH);
    assert_int_equal(sm_session_lookup(s, NULL, now, &sess, &d), SM_EAUTH);

    assert_int_equal(sm_session_destroy(s, token, &d), SM_OK);
    assert_int_equal(sm_session_lookup(s, token, now + 60, &sess, &d), SM_EAUTH);

    /* A new password ends the user's sessions. */
    assert_int_equal(sm_session_create(s, id, now, token, NULL, &d), SM_OK);
    assert_int_equal(sm_user_set_password(s, &cli, "dave", "dave-secret-2", &d), SM_OK);
    assert_int_equal(sm_session_lookup(s, token, now + 60, &sess, &d), SM_EAUTH);
    assert_int_equal(sm_user_set_password(s, &cli, "nobody", "dave-secret-2", &d), SM_ENOTFOUND);

    long n = 0;
    assert_int_equal(sm_audit_count(s, "session.login", &n, &d), SM_OK);
    assert_int_equal(n, 2);
    assert_int_equal(sm_audit_count(s, "user.passwd", &n, &d), SM_OK);
    assert_int_equal(n, 1);
    assert_int_equal(sm_audit_count(s, NULL, &n, &d), SM_OK);
    assert_int_equal(n, 4); /* user.add, 2 x session.login, user.passwd */
}

static void audit_needs_a_transaction(void **state)
{
    struct sm_store *s = store_of(state);
    struct sm_diag d;
    assert_int_equal(sm_audit_record(s, &cli, "x.y", "thing", NULL, &d), SM_EINVAL);
    assert_int_equal(sm_store_begin(s, &d), SM_OK);
    assert_int_equal(sm_audit_record(s, &cli, "x.y", "thing", "detail", &d), SM_OK);
    sm_store_rollback(s);
    long n = -1;
    assert_int_equal(sm_audit_count(s, "x.y", &n, &d), SM_OK);
    assert_int_equal(n, 0);
}

static void geography(void **state)
{
    struct sm_store *s = store_of(state);
    struct sm_diag d;
    struct sm_geo *g = NULL;
    assert_int_equal(sm_geo_load(s, &g, &d), SM_OK);
    assert_int_equal(g->n_regions, 8);
    assert_int_equal(g->n_prefectures, 47);
    assert_string_equal(g->prefectures[0].code, "01");
    assert_string_equal(g->prefectures[0].name_ja, "北海道");
    assert_string_equal(g->prefectures[46].name_ja, "沖縄県");
    const struct sm_prefecture *tokyo = sm_geo_prefecture(g, "13");
    assert_non_null(tokyo);
    assert_string_equal(tokyo->name_en, "Tokyo");
    assert_int_equal(tokyo->region_id, 3);
    assert_string_equal(g->regions[2].name_ja, "関東");
    assert_null(sm_geo_prefecture(g, "48"));
    int per_region[9] = { 0 };
    for (size_t i = 0; i < g->n_prefectures; i++)
        per_region[g->prefectures[i].region_id]++;
    assert_int_equal(per_region[1], 1);
    assert_int_equal(per_region[3], 7);
    assert_int_equal(per_region[8], 8);
    sm_geo_free(g);
}

static void demo_seed_is_idempotent(void **state)
{
    struct sm_store *s = store_of(state);
    struct sm_diag d;
    assert_int_equal(sm_seed_demo(s, &cli, &d), SM_OK);
    assert_int_equal(sm_seed_demo(s, &cli, &d), SM_OK);
    struct sm_user *u = NULL;
    assert_int_equal(sm_login(s, "operator", "demo-password", NULL, 1800000000, &u, NULL, &d),
                     SM_OK);
    assert_int_equal(u->role, SM_ROLE_OPERATOR);
    sm_user_free(u);
    long n = 0;
    assert_int_equal(sm_audit_count(s, "user.add", &n, &d), SM_OK);
    assert_int_equal(n, 5);
    /* The demo association speaks for an industry; nobody else does. */
    assert_int_equal(sm_user_get(s, "association", &u, &d), SM_OK);
    assert_int_equal(u->role, SM_ROLE_ASSOCIATION);
    assert_non_null(u->industry);
    assert_string_equal(u->industry, "物流");
    sm_user_free(u);
    assert_int_equal(sm_user_get(s, "analyst", &u, &d), SM_OK);
    assert_null(u->industry);
    sm_user_free(u);
}

int main(void)
{
    if (sm_init() != SM_OK)
        return 1;
    const char *names[SM_TEST_MAX_BACKENDS];
    int n = sm_test_backends(names, SM_TEST_MAX_BACKENDS);
    if (n < 0)
        return 1;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(add_get_and_duplicate, setup, teardown),
        cmocka_unit_test_setup_teardown(login_and_throttling, setup, teardown),
        cmocka_unit_test_setup_teardown(sessions_live_expire_and_end, setup, teardown),
        cmocka_unit_test_setup_teardown(audit_needs_a_transaction, setup, teardown),
        cmocka_unit_test_setup_teardown(geography, setup, teardown),
        cmocka_unit_test_setup_teardown(demo_seed_is_idempotent, setup, teardown),
    };
    int failed = 0;
    for (int i = 0; i < n; i++) {
        backend = names[i];
        char group[64];
        snprintf(group, sizeof group, "accounts on %s", backend);
        failed += cmocka_run_group_tests_name(group, tests, NULL, NULL);
    }
    return failed ? 1 : 0;
}

/*
 * Accounts and login (see smesec/auth.h). Every change runs in one transaction with its
 * audit record. A failed login looks the same whether the username exists or not, in its
 * answer and (through a dummy hash check) in its timing.
 */
#include "smesec/auth.h"

#include "auth/internal.h"
#include "smesec/alloc.h"
#include "smesec/utf8.h"
#include "store/sql.h"

#include <stdio.h>
#include <string.h>
#include <threads.h>
#include <time.h>

#include "util/banned.h"

/* clang-format off */
static const char *const role_names[] = {
    [SM_ROLE_OPERATOR] = "operator",
    [SM_ROLE_REVIEWER] = "reviewer",
    [SM_ROLE_PROVIDER] = "provider",
    [SM_ROLE_ANALYST] = "analyst",
    [SM_ROLE_ASSOCIATION] = "association",
};

/* clang-format on */

const char *sm_role_name(enum sm_role role)
{
    switch (role) {
    case SM_ROLE_OPERATOR:
    case SM_ROLE_REVIEWER:
    case SM_ROLE_PROVIDER:
    case SM_ROLE_ANALYST:
    case SM_ROLE_ASSOCIATION:
        return role_names[role];
    }
    return "unknown";
}

int sm_role_parse(const char *name, enum sm_role *out)
{
    for (size_t i = 0; i < sizeof role_names / sizeof role_names[0]; i++) {
        if (strcmp(name, role_names[i]) == 0) {
            *out = (enum sm_role)i;
            return SM_OK;
        }
    }
    return SM_EINVAL;
}

int sm_username_check(const char *username, struct sm_diag *diag)
{
    size_t n = strlen(username);
    if (n == 0 || n > 64)
        return sm_diag_set(diag, SM_EINVAL, "username must be 1 to 64 characters");
    for (size_t i = 0; i < n; i++) {
        char c = username[i];
        bool ok =
            (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-';
        if (!ok)
            return sm_diag_set(diag, SM_EINVAL,
                               "username '%s' may use only a-z, 0-9, '.', '_' and '-'", username);
    }
    return SM_OK;
}

void sm_user_free(struct sm_user *user)
{
    if (!user)
        return;
    sm_free(user->username);
    sm_free(user->display_name);
    sm_free(user->industry);
    sm_free(user);
}

int sm__user_from_row(const struct sm_sql *st, int col, struct sm_user **out)
{
    struct sm_user *u = sm_calloc(1, sizeof *u);
    if (!u)
        return SM_ENOMEM;
    u->id = sm_sql_int64(st, col);
    u->username = sm_strdup(sm_sql_text(st, col + 1));
    u->display_name = sm_strdup(sm_sql_text(st, col + 2));
    if (!u->username || !u->display_name) {
        sm_user_free(u);
        return SM_ENOMEM;
    }
    if (sm_role_parse(sm_sql_text(st, col + 3), &u->role)) {
        sm_user_free(u);
        return SM_EDB;
    }
    u->provider_id = sm_sql_is_null(st, col + 4) ? 0 : sm_sql_int64(st, col + 4);
    if (!sm_sql_is_null(st, col + 5)) {
        u->industry = sm_strdup(sm_sql_text(st, col + 5));
        if (!u->industry) {
            sm_user_free(u);
            return SM_ENOMEM;
        }
    }
    *out = u;
    return SM_OK;
}

int sm_user_add(struct sm_store *store, const struct sm_actor *actor, const char *username,
                const char *display_name, enum sm_role role, const char *password, int64_t *id_out,
                struct sm_diag *diag)
{
    char hash[SM_PASSWORD_HASH_SIZE];
    char object[96];
    int64_t id = 0;
    int rc = sm_username_check(username, diag);
    if (rc)
        return rc;
    if (!display_name || !*display_name)
        display_name = username;
    rc = sm_password_hash(password, hash, diag);
    if (rc)
        return rc;
    rc = sm_store_begin(store, diag);
    if (rc)
        return rc;
    rc = sm_sql_run_int64(store, &id, diag,
                          "INSERT INTO users (username, display_name, role, password_hash,"
                          " created_at) VALUES (?, ?, ?, ?, ?) RETURNING id",
                          "tttti", username, display_name, sm_role_name(role), hash,
                          (int64_t)time(NULL));
    if (rc == SM_EEXIST)
        sm_diag_set(diag, rc, "user '%s' already exists", username);
    if (rc)
        goto out;
    snprintf(object, sizeof object, "user:%s", username);
    rc = sm_audit_record(store, actor, "user.add", object, sm_role_name(role), diag);
    if (!rc)
        rc = sm_store_commit(store, diag);
out:
    if (rc) {
        sm_store_rollback(store);
        return rc;
    }
    if (id_out)
        *id_out = id;
    return SM_OK;
}

int sm_user_set_password(struct sm_store *store, const struct sm_actor *actor, const char *username,
                         const char *password, struct sm_diag *diag)
{
    char hash[SM_PASSWORD_HASH_SIZE];
    char object[96];
    int64_t changed = 0;
    int rc = sm_password_hash(password, hash, diag);
    if (rc)
        return rc;
    rc = sm_store_begin(store, diag);
    if (rc)
        return rc;
    rc = sm_sql_run(store, &changed, diag, "UPDATE users SET password_hash = ? WHERE username = ?",
                    "tt", hash, username);
    if (!rc && changed == 0)
        rc = sm_diag_set(diag, SM_ENOTFOUND, "no user '%s'", username);
    /* A new password ends every session opened with the old one. */
    if (!rc)
        rc = sm_sql_run(store, NULL, diag,
                        "DELETE FROM sessions WHERE user_id ="
                        " (SELECT id FROM users WHERE username = ?)",
                        "t", username);
    if (!rc) {
        snprintf(object, sizeof object, "user:%s", username);
        rc = sm_audit_record(store, actor, "user.passwd", object, NULL, diag);
    }
    if (!rc)
        rc = sm_store_commit(store, diag);
    if (rc)
        sm_store_rollback(store);
    return rc;
}

int sm_user_get(struct sm_store *store, const char *username, struct sm_user **out,
                struct sm_diag *diag)
{
    struct sm_sql *st = NULL;
    int rc = sm_sql_prepare(store,
                            "SELECT id, username, display_name, role, provider_id, industry"
                            " FROM users WHERE username = ?",
                            &st, diag);
    if (rc)
        return rc;
    rc = sm_sql_bindv(st, "t", username);
    if (!rc)
        rc = sm_sql_step(st, diag);
    if (rc == SM_SQL_ROW)
        rc = sm__user_from_row(st, 0, out);
    else if (rc == SM_SQL_DONE)
        rc = sm_diag_set(diag, SM_ENOTFOUND, "no user '%s'", username);
    sm_sql_free(st);
    return rc;
}

int sm_user_set_provider(struct sm_store *store, const struct sm_actor *actor, const char *username,
                         int64_t provider_id, struct sm_diag *diag)
{
    char object[96], detail[32];
    struct sm_user *user = NULL;
    int64_t found = 0;
    int rc = sm_store_begin(store, diag);
    if (rc)
        return rc;
    rc = sm_user_get(store, username, &user, diag);
    if (!rc && provider_id != 0 && user->role != SM_ROLE_PROVIDER)
        rc = sm_diag_set(diag, SM_EINVAL, "user '%s' is not a provider's user", username);
    if (!rc && provider_id != 0) {
        rc = sm_sql_run_int64(store, &found, diag, "SELECT COUNT(*) FROM providers WHERE id = ?",
                              "i", provider_id);
        if (!rc && found == 0)
            rc = sm_diag_set(diag, SM_ENOTFOUND, "no provider %lld", (long long)provider_id);
    }
    if (!rc)
        rc = provider_id != 0
                 ? sm_sql_run(store, NULL, diag, "UPDATE users SET provider_id = ? WHERE id = ?",
                              "ii", provider_id, user->id)
                 : sm_sql_run(store, NULL, diag, "UPDATE users SET provider_id = NULL WHERE id = ?",
                              "i", user->id);
    if (!rc) {
        snprintf(object, sizeof object, "user:%s", username);
        snprintf(detail, sizeof detail, "provider:%lld", (long long)provider_id);
        rc = sm_audit_record(store, actor, "user.provider", object, detail, diag);
    }
    if (!rc)
        rc = sm_store_commit(store, diag);
    if (rc)
        sm_store_rollback(store);
    sm_user_free(user);
    return rc;
}

int sm_user_set_industry(struct sm_store *store, const struct sm_actor *actor, const char *username,
                         const char *industry, struct sm_diag *diag)
{
    char object[96];
    struct sm_user *user = NULL;
    size_t bad = 0;
    if (industry && !*industry)
        industry = NULL;
    if (industry && (strlen(industry) > 500 || !sm_utf8_valid(industry, strlen(industry), &bad)))
        return sm_diag_set(diag, SM_EINVAL, "an industry is valid UTF-8 of at most 500 bytes");
    int rc = sm_store_begin(store, diag);
    if (rc)
        return rc;
    rc = sm_user_get(store, username, &user, diag);
    if (!rc && industry && user->role != SM_ROLE_ASSOCIATION)
        rc = sm_diag_set(diag, SM_EINVAL, "user '%s' is not an industry association's user",
                         username);
    if (!rc)
        rc = sm_sql_run(store, NULL, diag, "UPDATE users SET industry = ? WHERE id = ?", "ti",
                        industry, user->id);
    if (!rc) {
        snprintf(object, sizeof object, "user:%s", username);
        rc = sm_audit_record(store, actor, "user.industry", object, industry, diag);
    }
    if (!rc)
        rc = sm_store_commit(store, diag);
    if (rc)
        sm_store_rollback(store);
    sm_user_free(user);
    return rc;
}

/* Counts failures for a username or a client within the window. */
static int count_failures(struct sm_store *store, const char *sql, const char *key, int64_t since,
                          int64_t *count, struct sm_diag *diag)
{
    return sm_sql_run_int64(store, count, diag, sql, "ti", key, since);
}

static int record_failure(struct sm_store *store, const char *username, const char *client,
                          int64_t now, struct sm_diag *diag)
{
    int rc = sm_sql_run(store, NULL, diag, "DELETE FROM login_failures WHERE at <= ?", "i",
                        now - SM_LOGIN_WINDOW_SECONDS);
    if (!rc)
        rc = sm_sql_run(store, NULL, diag,
                        "INSERT INTO login_failures (username, client, at) VALUES (?, ?, ?)", "tti",
                        username, client, now);
    return rc;
}

/* A hash to verify against when the username is unknown, so that answer takes as long as a
 * wrong password. Computed once. */
static char dummy_hash[SM_PASSWORD_HASH_SIZE];
static once_flag dummy_once = ONCE_FLAG_INIT;

static void make_dummy(void)
{
    char pw[SM_TOKEN_SIZE];
    /* Any password works; failing to hash only makes the unknown-user answer faster. */
    sm_token_new(pw);
    if (sm_password_hash(pw, dummy_hash, NULL) != SM_OK)
        dummy_hash[0] = '\0';
}

static int dummy_verify(const char *password)
{
    const char *dummy = dummy_hash;
    call_once(&dummy_once, make_dummy);
    return sm_password_verify(dummy[0] ? dummy : NULL, password);
}

/* Seconds until the oldest failure counted for key leaves the window. */
static int64_t seconds_to_unlock(struct sm_store *store, const char *sql, const char *key,
                                 int64_t since, int64_t now)
{
    int64_t oldest = now;
    if (sm_sql_run_int64(store, &oldest, NULL, sql, "ti", key, since) != SM_OK)
        return SM_LOGIN_WINDOW_SECONDS;
    int64_t left = oldest + SM_LOGIN_WINDOW_SECONDS - now;
    return left > 0 ? left : 1;
}

int sm_login(struct sm_store *store, const char *username, const char *password, const char *client,
             int64_t now, struct sm_user **out, int64_t *retry_after, struct sm_diag *diag)
{
    int64_t since = now - SM_LOGIN_WINDOW_SECONDS, by_user = 0, by_client = 0;
    struct sm_sql *st = NULL;
    struct sm_user *user = NULL;
    int rc =
        count_failures(store, "SELECT COUNT(*) FROM login_failures WHERE username = ? AND at > ?",
                       username, since, &by_user, diag);
    if (!rc && client)
        rc =
            count_failures(store, "SELECT COUNT(*) FROM login_failures WHERE client = ? AND at > ?",
                           client, since, &by_client, diag);
    if (rc)
        return rc;
    if (by_user >= SM_LOGIN_MAX_FAILURES || by_client >= SM_LOGIN_MAX_FAILURES_PER_CLIENT) {
        if (retry_after) {
            int64_t a = 0, b = 0;
            if (by_user >= SM_LOGIN_MAX_FAILURES)
                a = seconds_to_unlock(store,
                                      "SELECT MIN(at) FROM login_failures"
                                      " WHERE username = ? AND at > ?",
                                      username, since, now);
            if (client && by_client >= SM_LOGIN_MAX_FAILURES_PER_CLIENT)
                b = seconds_to_unlock(store,
                                      "SELECT MIN(at) FROM login_failures"
                                      " WHERE client = ? AND at > ?",
                                      client, since, now);
            *retry_after = a > b ? a : b;
        }
        return sm_diag_set(diag, SM_ELIMIT, "too many failed logins; try again later");
    }

    rc = sm_sql_prepare(store,
                        "SELECT id, username, display_name, role, provider_id, industry,"
                        " password_hash FROM users WHERE username = ? AND disabled = 0",
                        &st, diag);
    if (!rc)
        rc = sm_sql_bindv(st, "t", username);
    if (!rc)
        rc = sm_sql_step(st, diag);
    if (rc == SM_SQL_ROW) {
        if (sm_password_verify(sm_sql_text(st, 6), password) == SM_OK)
            rc = sm__user_from_row(st, 0, &user);
        else
            rc = SM_EAUTH;
    } else if (rc == SM_SQL_DONE) {
        (void)dummy_verify(password);
        rc = SM_EAUTH;
    }
    sm_sql_free(st);
    if (rc == SM_EAUTH) {
        int rec = record_failure(store, username, client, now, diag);
        if (rec)
            return rec;
        return sm_diag_set(diag, SM_EAUTH, "wrong username or password");
    }
    if (rc)
        return rc;
    rc = sm_sql_run(store, NULL, diag, "DELETE FROM login_failures WHERE username = ?", "t",
                    username);
    if (rc) {
        sm_user_free(user);
        return rc;
    }
    *out = user;
    return SM_OK;
}

/*
 * Sessions (see smesec/auth.h). The client holds a random token; the database holds only
 * its BLAKE2b hash, the user, a CSRF token for the session's forms and the expiry. Expired
 * rows are swept whenever a session is created.
 */
#include "smesec/auth.h"

#include "auth/internal.h"
#include "smesec/alloc.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "util/banned.h"

#define HASH_HEX_SIZE (crypto_generichash_BYTES * 2 + 1)

static void hash_token(const char *token, char out[HASH_HEX_SIZE])
{
    unsigned char h[crypto_generichash_BYTES];
    crypto_generichash(h, sizeof h, (const unsigned char *)token, strlen(token), NULL, 0);
    sodium_bin2hex(out, HASH_HEX_SIZE, h, sizeof h);
}

void sm_session_free(struct sm_session *session)
{
    if (!session)
        return;
    sm_user_free(session->user);
    sm_free(session);
}

int sm_session_create(struct sm_store *store, int64_t user_id, int64_t now,
                      char token_out[SM_TOKEN_SIZE], char *csrf_out, struct sm_diag *diag)
{
    char token[SM_TOKEN_SIZE], csrf[SM_TOKEN_SIZE], hash[HASH_HEX_SIZE], object[48];
    sm_token_new(token);
    sm_token_new(csrf);
    hash_token(token, hash);
    int rc = sm_store_begin(store, diag);
    if (rc)
        return rc;
    rc = sm_sql_run(store, NULL, diag, "DELETE FROM sessions WHERE expires_at <= ?", "i", now);
    if (!rc)
        rc = sm_sql_run(store, NULL, diag,
                        "INSERT INTO sessions (token_hash, user_id, csrf, created_at, expires_at)"
                        " VALUES (?, ?, ?, ?, ?)",
                        "titii", hash, user_id, csrf, now, now + SM_SESSION_SECONDS);
    if (!rc) {
        snprintf(object, sizeof object, "user#%lld", (long long)user_id);
        struct sm_actor actor = { .user_id = user_id, .name = object };
        rc = sm_audit_record(store, &actor, "session.login", object, NULL, diag);
    }
    if (!rc)
        rc = sm_store_commit(store, diag);
    if (rc) {
        sm_store_rollback(store);
        return rc;
    }
    memcpy(token_out, token, SM_TOKEN_SIZE);
    if (csrf_out)
        memcpy(csrf_out, csrf, SM_TOKEN_SIZE);
    return SM_OK;
}

int sm_session_lookup(struct sm_store *store, const char *token, int64_t now,
                      struct sm_session **out, struct sm_diag *diag)
{
    char hash[HASH_HEX_SIZE];
    if (!token || strlen(token) != SM_TOKEN_SIZE - 1)
        return sm_diag_set(diag, SM_EAUTH, "no session");
    hash_token(token, hash);
    struct sm_sql *st = NULL;
    struct sm_session *s = NULL;
    int rc = sm_sql_prepare(store,
                            "SELECT u.id, u.username, u.display_name, u.role, u.provider_id,"
                            " u.industry, s.csrf, s.expires_at"
                            " FROM sessions s JOIN users u ON u.id = s.user_id"
                            " WHERE s.token_hash = ? AND s.expires_at > ? AND u.disabled = 0",
                            &st, diag);
    if (rc)
        return rc;
    rc = sm_sql_bindv(st, "ti", hash, now);
    if (!rc)
        rc = sm_sql_step(st, diag);
    if (rc == SM_SQL_DONE) {
        rc = sm_diag_set(diag, SM_EAUTH, "no session");
        goto out;
    }
    if (rc != SM_SQL_ROW)
        goto out;
    const char *csrf = sm_sql_text(st, 6);
    if (!csrf || strlen(csrf) != SM_TOKEN_SIZE - 1) {
        rc = SM_EDB;
        goto out;
    }
    s = sm_calloc(1, sizeof *s);
    if (!s) {
        rc = SM_ENOMEM;
        goto out;
    }
    rc = sm__user_from_row(st, 0, &s->user);
    if (rc)
        goto out;
    memcpy(s->csrf, csrf, SM_TOKEN_SIZE);
    s->expires_at = sm_sql_int64(st, 7);
    *out = s;
    s = NULL;
out:
    sm_session_free(s);
    sm_sql_free(st);
    return rc;
}

int sm_session_destroy(struct sm_store *store, const char *token, struct sm_diag *diag)
{
    char hash[HASH_HEX_SIZE];
    if (!token)
        return SM_OK;
    hash_token(token, hash);
    return sm_sql_run(store, NULL, diag, "DELETE FROM sessions WHERE token_hash = ?", "t", hash);
}

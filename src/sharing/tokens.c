/*
 * Providers' API tokens for POST /api/v1/incidents and the sharing API.
 *
 * A token is 32 random bytes in base64url (sm_token_new), shown once; the database keeps
 * only its BLAKE2b hash, as for session tokens, so a copy of the database cannot submit
 * reports. One token per provider: a new one replaces the old at once.
 */
#include "sharing/internal.h"

#include "smesec/auth.h"

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

int sm_sharing_token_new(struct sm_store *store, const struct sm_registry_who *who,
                         int64_t provider_id, char *token_out, struct sm_diag *diag)
{
    sm_diag_clear(diag);
    if (!who || who->role != SM_ROLE_OPERATOR)
        return sm_diag_set(diag, SM_EPERM, "only operators may issue API tokens");
    int64_t exists = 0;
    int rc = sm_sql_run_int64(store, &exists, diag, "SELECT COUNT(*) FROM providers WHERE id = ?",
                              "i", provider_id);
    if (rc)
        return rc;
    if (!exists)
        return sm_diag_set(diag, SM_ENOTFOUND, "no provider %lld", (long long)provider_id);
    char token[SM_TOKEN_SIZE], hash[HASH_HEX_SIZE];
    sm_token_new(token);
    hash_token(token, hash);
    rc = sm_store_begin(store, diag);
    if (rc)
        return rc;
    rc = sm_sql_run(store, NULL, diag,
                    "INSERT INTO provider_tokens (provider_id, token_hash, created_at, created_by)"
                    " VALUES (?, ?, ?, ?) ON CONFLICT (provider_id) DO UPDATE SET"
                    " token_hash = excluded.token_hash, created_at = excluded.created_at,"
                    " created_by = excluded.created_by",
                    "itit", provider_id, hash, sm__sh_now(), who->name ? who->name : "operator");
    char object[48];
    snprintf(object, sizeof object, "provider:%lld", (long long)provider_id);
    if (!rc)
        rc = sm__sh_audit(store, who, "sharing.token.new", object, NULL, diag);
    if (!rc)
        rc = sm_store_commit(store, diag);
    if (rc) {
        sm_store_rollback(store);
        sodium_memzero(token, sizeof token);
        return rc;
    }
    memcpy(token_out, token, SM_TOKEN_SIZE);
    sodium_memzero(token, sizeof token);
    return SM_OK;
}

int sm_sharing_token_provider(struct sm_store *store, const char *token, int64_t *provider_id,
                              struct sm_diag *diag)
{
    /* A token has a fixed length; anything else needs no query. */
    if (!token || strlen(token) != SM_TOKEN_SIZE - 1)
        return sm_diag_set(diag, SM_EAUTH, "not a valid API token");
    char hash[HASH_HEX_SIZE];
    hash_token(token, hash);
    int64_t id = 0;
    int rc =
        sm_sql_run_int64(store, &id, diag,
                         "SELECT provider_id FROM provider_tokens WHERE token_hash = ?", "t", hash);
    if (rc == SM_ENOTFOUND)
        return sm_diag_set(diag, SM_EAUTH, "not a valid API token");
    if (!rc)
        *provider_id = id;
    return rc;
}

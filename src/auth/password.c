/*
 * Password hashing and random tokens, over libsodium (the only file with sodium.h besides
 * sessions.c). Hashes are Argon2id in the self-describing "$argon2id$..." string form.
 */
#include "smesec/auth.h"

#include "smesec/utf8.h"

#include <assert.h>
#include <sodium.h>
#include <string.h>

#include "util/banned.h"

static_assert(crypto_pwhash_STRBYTES <= SM_PASSWORD_HASH_SIZE, "hash buffer too small");

int sm_auth_init(void)
{
    return sodium_init() < 0 ? SM_EUNSUPPORTED : SM_OK;
}

int sm_password_check(const char *password, struct sm_diag *diag)
{
    size_t n = strlen(password), bad = 0;
    if (n < SM_PASSWORD_MIN)
        return sm_diag_set(diag, SM_EINVAL, "password too short: at least %d characters",
                           SM_PASSWORD_MIN);
    if (n > SM_PASSWORD_MAX)
        return sm_diag_set(diag, SM_EINVAL, "password too long: at most %d bytes", SM_PASSWORD_MAX);
    if (!sm_utf8_valid(password, n, &bad))
        return sm_diag_set(diag, SM_EINVAL, "password is not valid UTF-8 at byte %zu", bad);
    return SM_OK;
}

int sm_password_hash(const char *password, char out[SM_PASSWORD_HASH_SIZE], struct sm_diag *diag)
{
    int rc = sm_password_check(password, diag);
    if (rc)
        return rc;
    if (crypto_pwhash_str_alg(out, password, strlen(password), SM_PWHASH_OPSLIMIT,
                              SM_PWHASH_MEMLIMIT, crypto_pwhash_ALG_ARGON2ID13) != 0)
        return sm_diag_set(diag, SM_ENOMEM, "cannot hash password: out of memory");
    return SM_OK;
}

int sm_password_verify(const char *hash, const char *password)
{
    if (!hash || !password)
        return SM_EAUTH;
    return crypto_pwhash_str_verify(hash, password, strlen(password)) == 0 ? SM_OK : SM_EAUTH;
}

void sm_token_new(char out[SM_TOKEN_SIZE])
{
    unsigned char raw[32];
    randombytes_buf(raw, sizeof raw);
    sodium_bin2base64(out, SM_TOKEN_SIZE, raw, sizeof raw,
                      sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    sodium_memzero(raw, sizeof raw);
}

bool sm_token_equal(const char *a, const char *b)
{
    if (!a || !b)
        return false;
    size_t n = strlen(a);
    if (n != strlen(b) || n == 0)
        return false;
    return sodium_memcmp(a, b, n) == 0;
}

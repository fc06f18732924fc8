/*
 * Users, roles, passwords, sessions and login rate limiting.
 *
 * Passwords are hashed with libsodium's Argon2id (crypto_pwhash_str). Session and CSRF tokens
 * are 32 random bytes in base64url; the database keeps only a hash of the session token, so a
 * copy of the database does not let anyone log in. Failed logins are counted in the database
 * (not in memory), so the limit holds across several server processes.
 *
 * Call sm_init() (smesec.h) once before any other function here (it initialises libsodium).
 */
#ifndef SMESEC_AUTH_H
#define SMESEC_AUTH_H

#include "smesec/audit.h"
#include "smesec/err.h"
#include "smesec/store.h"

#include <stdbool.h>
#include <stdint.h>

enum sm_role {
    SM_ROLE_OPERATOR,
    SM_ROLE_REVIEWER,
    SM_ROLE_PROVIDER,
    SM_ROLE_ANALYST,
    SM_ROLE_ASSOCIATION /* an industry association, tied to its industry */
};

/* "operator", "reviewer", "provider", "analyst", "association". Static. */
const char *sm_role_name(enum sm_role role);
/* Parses a role name; SM_EINVAL when unknown. */
int sm_role_parse(const char *name, enum sm_role *out);

/* Initialises libsodium; sm_init calls it. Safe to call more than once. */
int sm_auth_init(void);

/* Argon2id cost: 2 passes over 19 MiB (OWASP's baseline). libsodium's "interactive" preset
 * takes 64 MiB per login, which would dwarf the server's whole memory budget when a few
 * logins arrive at once. Stored hashes carry their parameters, so raising these later still
 * verifies old hashes. */
#define SM_PWHASH_OPSLIMIT 2
#define SM_PWHASH_MEMLIMIT (19u * 1024u * 1024u)

/* Length of a hash from sm_password_hash, including the NUL. */
#define SM_PASSWORD_HASH_SIZE 128
/* Passwords are 8..256 bytes of valid UTF-8. */
#define SM_PASSWORD_MIN 8
#define SM_PASSWORD_MAX 256

/* Checks the password rules; SM_EINVAL with a reason in diag. */
int sm_password_check(const char *password, struct sm_diag *diag);
int sm_password_hash(const char *password, char out[SM_PASSWORD_HASH_SIZE], struct sm_diag *diag);
/* SM_OK when password matches hash, SM_EAUTH when it does not. */
int sm_password_verify(const char *hash, const char *password);

/* A user as read from the database; caller owns it (sm_user_free). */
struct sm_user {
    int64_t id;
    char *username;
    char *display_name;
    enum sm_role role;
    int64_t provider_id; /* the provider a 'provider' user works for; 0 for none */
    char *industry;      /* the industry an 'association' user speaks for; NULL for none */
};

void sm_user_free(struct sm_user *user);

/* Usernames are 1..64 bytes of [a-z0-9._-]. */
int sm_username_check(const char *username, struct sm_diag *diag);

/* Adds a user in one transaction with its audit record. SM_EEXIST when the name is taken.
 * *id_out (may be NULL) gets the new id. */
int sm_user_add(struct sm_store *store, const struct sm_actor *actor, const char *username,
                const char *display_name, enum sm_role role, const char *password, int64_t *id_out,
                struct sm_diag *diag);

/* Sets a new password and ends every session of the user. SM_ENOTFOUND when no such user. */
int sm_user_set_password(struct sm_store *store, const struct sm_actor *actor, const char *username,
                         const char *password, struct sm_diag *diag);

int sm_user_get(struct sm_store *store, const char *username, struct sm_user **out,
                struct sm_diag *diag);

/* Links a 'provider' user to the provider it works for (provider_id 0 unlinks), in one
 * transaction with its audit record. The caller checks that the actor may do this (an
 * operator). SM_ENOTFOUND for an unknown user or provider; SM_EINVAL when provider_id is
 * not 0 and the user's role is not 'provider'. */
int sm_user_set_provider(struct sm_store *store, const struct sm_actor *actor, const char *username,
                         int64_t provider_id, struct sm_diag *diag);

/* Ties an 'association' user to its industry, named as guidelines name it (e.g. "物流"), in
 * one transaction with its audit record; NULL or "" unties it. The caller checks that the
 * actor may do this (an operator). SM_ENOTFOUND for an unknown user; SM_EINVAL when industry
 * is set and the user's role is not 'association', or it is not valid UTF-8 of at most 500
 * bytes. */
int sm_user_set_industry(struct sm_store *store, const struct sm_actor *actor, const char *username,
                         const char *industry, struct sm_diag *diag);

/* How many failed logins within the window lock the next attempts out until the window has
 * passed: per username, and (higher, since an office may share one address) per client. */
#define SM_LOGIN_MAX_FAILURES            5
#define SM_LOGIN_MAX_FAILURES_PER_CLIENT 20
#define SM_LOGIN_WINDOW_SECONDS          900

/* Checks a login. On success *out is the user (caller owns it). Returns SM_EAUTH for a wrong
 * username or password (the same answer for both) and SM_ELIMIT when too many recent
 * failures for this username or this client address, with *retry_after (may be NULL) set to
 * the seconds until the oldest of them leaves the window; failures are recorded. now is Unix
 * seconds. client may be NULL. */
int sm_login(struct sm_store *store, const char *username, const char *password, const char *client,
             int64_t now, struct sm_user **out, int64_t *retry_after, struct sm_diag *diag);

#define SM_TOKEN_SIZE      44 /* 32 bytes in unpadded base64url (43 chars) and the NUL */
#define SM_SESSION_SECONDS (8 * 3600)

/* Fills out with a fresh random token. */
void sm_token_new(char out[SM_TOKEN_SIZE]);

/* A logged-in session; caller owns it (sm_session_free). */
struct sm_session {
    struct sm_user *user;
    char csrf[SM_TOKEN_SIZE];
    int64_t expires_at;
};

void sm_session_free(struct sm_session *session);

/* Starts a session for user_id and writes its token (give it to the client, keep no copy) to
 * token_out, and the session's CSRF token to csrf_out (may be NULL). Audit-logged as
 * "session.login". */
int sm_session_create(struct sm_store *store, int64_t user_id, int64_t now,
                      char token_out[SM_TOKEN_SIZE], char *csrf_out, struct sm_diag *diag);

/* Finds the live session for token. SM_EAUTH when none or expired. */
int sm_session_lookup(struct sm_store *store, const char *token, int64_t now,
                      struct sm_session **out, struct sm_diag *diag);

/* Ends the session for token (no error when there is none). */
int sm_session_destroy(struct sm_store *store, const char *token, struct sm_diag *diag);

/* Compares two tokens in constant time; false when either is NULL or lengths differ. */
bool sm_token_equal(const char *a, const char *b);

#endif

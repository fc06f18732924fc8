/*
 * Self-check results kept under a private link, anonymous contributions, and the peer
 * comparison (see smesec/selfcheck.h).
 *
 * Invariants: the database holds only a BLAKE2b hash of a link's token, never the token; a
 * contribution row holds the industry, size band, scores and month and nothing else (its
 * audit record names no row), so it cannot be tied to a saved result or a visit; every
 * change is one transaction with its audit record, under the actor "anonymous".
 */
#include "selfcheck/internal.h"

#include "smesec/alloc.h"
#include "smesec/audit.h"
#include "smesec/date.h"
#include "store/sql.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/banned.h"

#define HASH_HEX_SIZE   (crypto_generichash_BYTES * 2 + 1)
#define PEER_ROWS_MAX   10000
#define CATEGORY_ID_MAX 63

static const struct sm_actor anonymous = { .user_id = 0, .name = "anonymous" };

static void hash_token(const char *token, char out[HASH_HEX_SIZE])
{
    unsigned char h[crypto_generichash_BYTES];
    crypto_generichash(h, sizeof h, (const unsigned char *)token, strlen(token), NULL, 0);
    sodium_bin2hex(out, HASH_HEX_SIZE, h, sizeof h);
}

static bool token_shaped(const char *token)
{
    if (!token || strlen(token) != SM_TOKEN_SIZE - 1)
        return false;
    for (const char *p = token; *p; p++) {
        char c = *p;
        bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                  c == '-' || c == '_';
        if (!ok)
            return false;
    }
    return true;
}

static const char *or_null(const char *s)
{
    return s && *s ? s : NULL;
}

int sm_selfcheck_save(struct sm_store *store, const struct sm_selfcheck_sheet *sheet,
                      const enum sm_answer *answers, const struct sm_selfcheck_profile *profile,
                      int64_t now, char token_out[SM_TOKEN_SIZE], struct sm_diag *diag)
{
    char token[SM_TOKEN_SIZE], hash[HASH_HEX_SIZE], object[48];
    struct sm_buf text;
    int64_t id = 0;
    sm_buf_init(&text, 64u * 1024u);
    int rc = sm_selfcheck_answers_format(sheet, answers, &text);
    if (!rc && text.len == 0)
        rc = sm_diag_set(diag, SM_EINVAL, "there are no answers to save");
    if (rc) {
        sm_buf_release(&text);
        return rc;
    }
    sm_token_new(token);
    hash_token(token, hash);
    rc = sm_store_begin(store, diag);
    if (!rc)
        rc = sm_sql_run_int64(store, &id, diag,
                              "INSERT INTO selfcheck_results (token_hash, answers, catalog_version,"
                              " prefecture, industry, size_band, created_at)"
                              " VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id",
                              "tttttti", hash, text.data, sm_catalog_version(sheet->catalog),
                              or_null(profile->prefecture), or_null(profile->industry),
                              or_null(profile->size), now);
    if (!rc) {
        snprintf(object, sizeof object, "selfcheck:%lld", (long long)id);
        rc = sm_audit_record(store, &anonymous, "selfcheck.save", object, NULL, diag);
    }
    rc = sm_store_finish(store, rc, diag);
    sm_buf_release(&text);
    if (!rc)
        memcpy(token_out, token, SM_TOKEN_SIZE);
    sodium_memzero(token, sizeof token);
    return rc;
}

void sm_selfcheck_saved_free(struct sm_selfcheck_saved *saved)
{
    if (!saved)
        return;
    sm_selfcheck_sheet_free(saved->sheet);
    sm_free(saved->answers);
    sm_free(saved);
}

int sm_selfcheck_load(struct sm_store *store, const struct sm_catalog *catalog, const char *token,
                      struct sm_selfcheck_saved **out, struct sm_diag *diag)
{
    char hash[HASH_HEX_SIZE];
    if (!token_shaped(token))
        return sm_diag_set(diag, SM_ENOTFOUND, "no saved self-check for this link");
    hash_token(token, hash);
    struct sm_sql *st = NULL;
    struct sm_selfcheck_saved *saved = sm_calloc(1, sizeof *saved);
    if (!saved)
        return SM_ENOMEM;
    int rc = sm_sql_prepare(store,
                            "SELECT answers, prefecture, industry, size_band, created_at"
                            " FROM selfcheck_results WHERE token_hash = ?",
                            &st, diag);
    if (!rc)
        rc = sm_sql_bindv(st, "t", hash);
    if (!rc)
        rc = sm_sql_step(st, diag);
    if (rc == SM_SQL_DONE)
        rc = sm_diag_set(diag, SM_ENOTFOUND, "no saved self-check for this link");
    if (rc == SM_SQL_ROW) {
        rc = sm_selfcheck_sheet_for_answers(catalog, sm_sql_text(st, 0), &saved->sheet,
                                            &saved->answers, diag);
        /* A stored profile that no longer passes the lists is dropped, not fatal. */
        if (!rc && sm_selfcheck_profile_set(&saved->profile, sm_sql_text(st, 1), sm_sql_text(st, 2),
                                            sm_sql_text(st, 3), NULL))
            memset(&saved->profile, 0, sizeof saved->profile);
        saved->created_at = sm_sql_int64(st, 4);
        if (rc == SM_EPARSE || rc == SM_EINVAL)
            rc = sm_diag_set(diag, SM_EDB, "a saved self-check cannot be read: %s", diag->msg);
    }
    sm_sql_free(st);
    if (rc) {
        sm_selfcheck_saved_free(saved);
        return rc;
    }
    *out = saved;
    return SM_OK;
}

int sm_selfcheck_delete(struct sm_store *store, const char *token, struct sm_diag *diag)
{
    char hash[HASH_HEX_SIZE], object[48];
    int64_t id = 0;
    if (!token_shaped(token))
        return sm_diag_set(diag, SM_ENOTFOUND, "no saved self-check for this link");
    hash_token(token, hash);
    int rc = sm_store_begin(store, diag);
    if (rc)
        return rc;
    rc = sm_sql_run_int64(store, &id, diag, "SELECT id FROM selfcheck_results WHERE token_hash = ?",
                          "t", hash);
    if (rc == SM_ENOTFOUND)
        rc = sm_diag_set(diag, SM_ENOTFOUND, "no saved self-check for this link");
    if (!rc)
        rc = sm_sql_run(store, NULL, diag, "DELETE FROM selfcheck_results WHERE id = ?", "i", id);
    if (!rc) {
        snprintf(object, sizeof object, "selfcheck:%lld", (long long)id);
        rc = sm_audit_record(store, &anonymous, "selfcheck.delete", object, NULL, diag);
    }
    return sm_store_finish(store, rc, diag);
}

int sm_selfcheck_contribute(struct sm_store *store, const struct sm_selfcheck_result *result,
                            const char *industry, const char *size, int64_t now,
                            struct sm_diag *diag)
{
    if (!sm_selfcheck_find_industry(industry) || !sm_selfcheck_find_size(size))
        return sm_diag_set(diag, SM_EINVAL,
                           "a contribution needs the industry (JSIC major group) and the size");
    char date[SM_DATE_SIZE], month[8];
    sm_date_format(sm_date_from_unix(now), date);
    memcpy(month, date, 7);
    month[7] = '\0';
    struct sm_buf cats;
    sm_buf_init(&cats, 16u * 1024u);
    int rc = SM_OK;
    for (size_t i = 0; !rc && i < result->n_categories; i++)
        rc = sm_buf_printf(&cats, "%s%s=%d", i ? ";" : "", result->categories[i].category->id,
                           result->categories[i].score);
    if (!rc)
        rc = sm_store_begin(store, diag);
    if (rc) {
        sm_buf_release(&cats);
        return rc;
    }
    rc = sm_sql_run(store, NULL, diag,
                    "INSERT INTO selfcheck_contributions (industry, size_band, score,"
                    " category_scores, month) VALUES (?, ?, ?, ?, ?)",
                    "ttitt", industry, size, (int64_t)result->score, cats.data ? cats.data : "",
                    month);
    if (!rc)
        rc = sm_audit_record(store, &anonymous, "selfcheck.contribute", "selfcheck:contributions",
                             NULL, diag);
    sm_buf_release(&cats);
    return sm_store_finish(store, rc, diag);
}

void sm_selfcheck_peers_free(struct sm_selfcheck_peers *peers)
{
    if (!peers)
        return;
    sm_free(peers->categories);
    sm_free(peers);
}

/* Sums a row's "id=score;..." into peers' categories. Malformed parts are skipped. */
static int add_categories(struct sm_selfcheck_peers *peers, size_t *cap, const char *text,
                          double **sums_io)
{
    const char *p = text ? text : "";
    while (*p) {
        const char *semi = strchr(p, ';');
        size_t part = semi ? (size_t)(semi - p) : strlen(p);
        const char *eq = memchr(p, '=', part);
        if (eq && eq > p && (size_t)(eq - p) <= CATEGORY_ID_MAX) {
            size_t id_len = (size_t)(eq - p);
            char num[16];
            size_t nl = part - id_len - 1;
            if (nl > 0 && nl < sizeof num) {
                memcpy(num, eq + 1, nl);
                num[nl] = '\0';
                char *end = NULL;
                long v = strtol(num, &end, 10);
                if (*end == '\0' && v >= -25 && v <= 100) {
                    size_t k = 0;
                    while (k < peers->n_categories &&
                           !(strlen(peers->categories[k].category) == id_len &&
                             memcmp(peers->categories[k].category, p, id_len) == 0))
                        k++;
                    if (k == peers->n_categories) {
                        if (k == *cap) {
                            size_t ncap = *cap ? *cap * 2 : 16;
                            struct sm_selfcheck_peer_category *c =
                                sm_realloc(peers->categories, ncap * sizeof *c);
                            double *s = sm_realloc(*sums_io, ncap * sizeof *s);
                            if (c)
                                peers->categories = c;
                            if (s)
                                *sums_io = s;
                            if (!c || !s)
                                return SM_ENOMEM;
                            *cap = ncap;
                        }
                        memset(&peers->categories[k], 0, sizeof peers->categories[k]);
                        memcpy(peers->categories[k].category, p, id_len);
                        (*sums_io)[k] = 0;
                        peers->n_categories++;
                    }
                    peers->categories[k].n++;
                    (*sums_io)[k] += (double)v;
                }
            }
        }
        p = semi ? semi + 1 : p + part;
    }
    return SM_OK;
}

int sm_selfcheck_peers(struct sm_store *store, const char *industry, const char *size,
                       struct sm_selfcheck_peers **out, struct sm_diag *diag)
{
    struct sm_selfcheck_peers *peers = sm_calloc(1, sizeof *peers);
    double *sums = NULL, total = 0;
    size_t cap = 0;
    if (!peers)
        return SM_ENOMEM;
    struct sm_sql *st = NULL;
    int rc = sm_sql_prepare(store,
                            "SELECT score, category_scores FROM selfcheck_contributions"
                            " WHERE industry = ? AND size_band = ? ORDER BY id DESC LIMIT ?",
                            &st, diag);
    if (!rc)
        rc = sm_sql_bindv(st, "tti", industry ? industry : "", size ? size : "",
                          (int64_t)PEER_ROWS_MAX);
    while (rc == SM_OK && (rc = sm_sql_step(st, diag)) == SM_SQL_ROW) {
        peers->n++;
        total += (double)sm_sql_int64(st, 0);
        rc = add_categories(peers, &cap, sm_sql_text(st, 1), &sums);
    }
    sm_sql_free(st);
    if (rc != SM_SQL_DONE) {
        sm_free(sums);
        sm_selfcheck_peers_free(peers);
        return rc;
    }
    peers->mean = peers->n ? total / (double)peers->n : 0;
    peers->enough = peers->n >= SM_SELFCHECK_PEER_MIN;
    for (size_t k = 0; k < peers->n_categories; k++)
        peers->categories[k].mean =
            peers->categories[k].n ? sums[k] / (double)peers->categories[k].n : 0;
    sm_free(sums);
    *out = peers;
    return SM_OK;
}

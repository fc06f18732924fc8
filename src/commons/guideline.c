/*
 * Guidelines in the database (see smesec/guideline.h): adding one with its pages, saving the
 * analyser's proposals with evidence, reviews and overrides, deleting.
 *
 * Invariants: every change is one transaction with its audit row; overrides live in their
 * own table, so saving a new analysis never touches them; a review survives re-analysis only
 * while the proposal it reviewed keeps its score.
 */
#include "smesec/guideline.h"

#include "smesec/alloc.h"
#include "smesec/utf8.h"
#include "store/sql.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "util/banned.h"

#define META_MAX 500

static int check_field(const char *name, const char *value, bool required, struct sm_diag *diag)
{
    if (!value || !*value) {
        if (required)
            return sm_diag_set(diag, SM_EINVAL, "guideline %s is required", name);
        return SM_OK;
    }
    size_t n = strlen(value), bad = 0;
    if (n > META_MAX)
        return sm_diag_set(diag, SM_EINVAL, "guideline %s is longer than %d bytes", name, META_MAX);
    if (!sm_utf8_valid(value, n, &bad))
        return sm_diag_set(diag, SM_EINVAL, "guideline %s is not valid UTF-8 at byte %zu", name,
                           bad);
    return SM_OK;
}

int sm_guideline_meta_check(const struct sm_guideline_meta *meta, struct sm_diag *diag)
{
    int rc;
    if ((rc = check_field("industry", meta->industry, true, diag)) ||
        (rc = check_field("publisher", meta->publisher, true, diag)) ||
        (rc = check_field("title", meta->title, true, diag)) ||
        (rc = check_field("version", meta->version, false, diag)) ||
        (rc = check_field("file name", meta->filename, false, diag)))
        return rc;
    if (meta->year != 0 && (meta->year < 1990 || meta->year > 2100))
        return sm_diag_set(diag, SM_EINVAL, "guideline year %d is not between 1990 and 2100",
                           meta->year);
    return SM_OK;
}

/* SHA-256 over the pages' text, page numbers included, as 64 hex digits. */
static void document_hash(const struct sm_document *doc, char out[65])
{
    crypto_hash_sha256_state st;
    unsigned char h[crypto_hash_sha256_BYTES];
    crypto_hash_sha256_init(&st);
    for (size_t i = 0; i < doc->n_pages; i++) {
        char head[32];
        int k = snprintf(head, sizeof head, "\f%d\n", doc->pages[i].number);
        crypto_hash_sha256_update(&st, (const unsigned char *)head, (unsigned long long)k);
        crypto_hash_sha256_update(&st, (const unsigned char *)doc->pages[i].text,
                                  doc->pages[i].len);
    }
    crypto_hash_sha256_final(&st, h);
    sodium_bin2hex(out, 65, h, sizeof h);
}

int sm_guideline_add(struct sm_store *store, const struct sm_actor *actor,
                     const struct sm_guideline_meta *meta, const struct sm_document *doc,
                     int64_t *id_out, struct sm_diag *diag)
{
    char hash[65], object[48];
    int64_t id = 0;
    int rc = sm_guideline_meta_check(meta, diag);
    if (rc)
        return rc;
    if (doc->n_pages == 0)
        return sm_diag_set(diag, SM_EINVAL, "guideline '%s' has no pages", meta->title);
    document_hash(doc, hash);
    rc = sm_store_begin(store, diag);
    if (rc)
        return rc;
    rc = sm_sql_run_int64(store, &id, diag,
                          "INSERT INTO guidelines (industry, publisher, title, version, year,"
                          " filename, format, encoding, sha256, n_pages, added_at)"
                          " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
                          "ttttittttii", meta->industry, meta->publisher, meta->title,
                          meta->version ? meta->version : "", (int64_t)meta->year, meta->filename,
                          sm_doc_format_name(doc->format), sm_encoding_name(doc->encoding), hash,
                          (int64_t)doc->n_pages, (int64_t)time(NULL));
    if (rc == SM_EEXIST)
        sm_diag_set(diag, rc, "the same guideline text is already stored for industry '%s'",
                    meta->industry);
    if (rc)
        goto out;
    struct sm_sql *st = NULL;
    rc = sm_sql_prepare(store,
                        "INSERT INTO guideline_pages (guideline_id, page, text) VALUES (?, ?, ?)",
                        &st, diag);
    for (size_t i = 0; rc == SM_OK && i < doc->n_pages; i++) {
        rc = sm_sql_bind_int64(st, 1, id);
        if (!rc)
            rc = sm_sql_bind_int64(st, 2, doc->pages[i].number);
        if (!rc)
            rc = sm_sql_bind_text(st, 3, doc->pages[i].text, doc->pages[i].len);
        if (!rc)
            rc = sm_sql_step(st, diag);
        if (rc == SM_SQL_DONE)
            rc = sm_sql_reset(st);
        else if (rc == SM_SQL_ROW)
            rc = SM_EDB;
    }
    sm_sql_free(st);
    if (rc)
        goto out;
    snprintf(object, sizeof object, "guideline:%lld", (long long)id);
    rc = sm_audit_record(store, actor, "guideline.add", object, meta->title, diag);
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

int sm_guideline_document(struct sm_store *store, int64_t id, struct sm_document **out,
                          struct sm_diag *diag)
{
    struct sm_sql *st = NULL;
    struct sm_document *doc = sm_calloc(1, sizeof *doc);
    if (!doc)
        return SM_ENOMEM;
    int rc = sm_sql_prepare(store,
                            "SELECT g.format, g.encoding, p.page, p.text FROM guidelines g"
                            " JOIN guideline_pages p ON p.guideline_id = g.id"
                            " WHERE g.id = ? ORDER BY p.page",
                            &st, diag);
    if (!rc)
        rc = sm_sql_bindv(st, "i", id);
    size_t cap = 0;
    while (rc == SM_OK && (rc = sm_sql_step(st, diag)) == SM_SQL_ROW) {
        rc = SM_OK;
        if (doc->n_pages == 0) {
            const char *fmt = sm_sql_text(st, 0), *enc = sm_sql_text(st, 1);
            doc->format = SM_DOC_TEXT;
            for (int f = SM_DOC_TEXT; f <= SM_DOC_DOCX; f++)
                if (fmt && strcmp(fmt, sm_doc_format_name((enum sm_doc_format)f)) == 0)
                    doc->format = (enum sm_doc_format)f;
            doc->encoding = SM_ENC_UTF8;
            for (int e = SM_ENC_UTF8; e <= SM_ENC_EUC_JP; e++)
                if (enc && strcmp(enc, sm_encoding_name((enum sm_encoding)e)) == 0)
                    doc->encoding = (enum sm_encoding)e;
        }
        if (doc->n_pages == cap) {
            size_t ncap = cap ? cap * 2 : 16;
            struct sm_page *p = sm_realloc(doc->pages, ncap * sizeof *p);
            if (!p) {
                rc = SM_ENOMEM;
                break;
            }
            doc->pages = p;
            cap = ncap;
        }
        /* The stored text is already normalised: it is used as it is, so evidence offsets
         * from a re-analysis point into the same text as before. */
        const char *text = sm_sql_text(st, 3);
        struct sm_page *pg = &doc->pages[doc->n_pages];
        pg->number = (int)sm_sql_int64(st, 2);
        pg->len = text ? strlen(text) : 0;
        pg->text = sm_strndup(text ? text : "", pg->len);
        if (!pg->text) {
            rc = SM_ENOMEM;
            break;
        }
        doc->n_pages++;
    }
    sm_sql_free(st);
    if (rc == SM_SQL_DONE && doc->n_pages == 0)
        rc = sm_diag_set(diag, SM_ENOTFOUND, "no guideline %lld", (long long)id);
    if (rc != SM_SQL_DONE) {
        sm_document_free(doc);
        return rc;
    }
    *out = doc;
    return SM_OK;
}

int sm_guideline_ids(struct sm_store *store, int64_t **ids, size_t *n, struct sm_diag *diag)
{
    struct sm_sql *st = NULL;
    int64_t *v = NULL;
    size_t count = 0, cap = 0;
    int rc = sm_sql_prepare(store, "SELECT id FROM guidelines ORDER BY id", &st, diag);
    while (rc == SM_OK && (rc = sm_sql_step(st, diag)) == SM_SQL_ROW) {
        rc = SM_OK;
        if (count == cap) {
            size_t ncap = cap ? cap * 2 : 16;
            int64_t *p = sm_realloc(v, ncap * sizeof *p);
            if (!p) {
                rc = SM_ENOMEM;
                break;
            }
            v = p;
            cap = ncap;
        }
        v[count++] = sm_sql_int64(st, 0);
    }
    sm_sql_free(st);
    if (rc != SM_SQL_DONE) {
        sm_free(v);
        return rc;
    }
    *ids = v;
    *n = count;
    return SM_OK;
}

/* Adds the audit record of a change to guideline id, unless the change itself failed
 * (rc_of_change), whose code is then passed on. */
static int audited(struct sm_store *store, const struct sm_actor *actor, const char *action,
                   int64_t id, const char *detail, int rc_of_change, struct sm_diag *diag)
{
    char object[48];
    if (rc_of_change)
        return rc_of_change;
    snprintf(object, sizeof object, "guideline:%lld", (long long)id);
    return sm_audit_record(store, actor, action, object, detail, diag);
}

int sm_guideline_delete(struct sm_store *store, const struct sm_actor *actor, int64_t id,
                        struct sm_diag *diag)
{
    int64_t changed = 0;
    int rc = sm_store_begin(store, diag);
    if (rc)
        return rc;
    rc = sm_sql_run(store, &changed, diag, "DELETE FROM guidelines WHERE id = ?", "i", id);
    if (!rc && changed == 0)
        rc = sm_diag_set(diag, SM_ENOTFOUND, "no guideline %lld", (long long)id);
    rc = audited(store, actor, "guideline.delete", id, NULL, rc, diag);
    return sm_store_finish(store, rc, diag);
}

static int save_item(struct sm_store *store, int64_t id, const char *catalog_version,
                     const struct sm_item_result *r, int64_t now, struct sm_diag *diag)
{
    /* A review stays only while the score it reviewed stays. */
    int rc = sm_sql_run(
        store, NULL, diag,
        "INSERT INTO proposals (guideline_id, item_id, catalog_version, score, strength,"
        " relation, review, analysed_at) VALUES (?, ?, ?, ?, ?, ?, 'proposed', ?)"
        " ON CONFLICT (guideline_id, item_id) DO UPDATE SET"
        " catalog_version = excluded.catalog_version,"
        " review = CASE WHEN proposals.score = excluded.score THEN proposals.review"
        " ELSE 'proposed' END,"
        " reviewed_by = CASE WHEN proposals.score = excluded.score THEN proposals.reviewed_by"
        " ELSE NULL END,"
        " reviewed_at = CASE WHEN proposals.score = excluded.score THEN proposals.reviewed_at"
        " ELSE NULL END,"
        " score = excluded.score, strength = excluded.strength, relation = excluded.relation,"
        " analysed_at = excluded.analysed_at",
        "ittiiti", id, r->item_id, catalog_version, (int64_t)r->score, (int64_t)r->strength,
        sm_relation_name(r->relation), now);
    if (!rc)
        rc = sm_sql_run(store, NULL, diag,
                        "DELETE FROM evidence WHERE guideline_id = ? AND item_id = ?", "it", id,
                        r->item_id);
    for (size_t k = 0; rc == SM_OK && k < r->n_evidence; k++) {
        const struct sm_evidence *e = &r->evidence[k];
        rc = sm_sql_run(store, NULL, diag,
                        "INSERT INTO evidence (guideline_id, item_id, rank, page, byte_offset,"
                        " byte_length, text, score, matched) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                        "itiiiitit", id, r->item_id, (int64_t)k, (int64_t)e->page,
                        (int64_t)e->offset, (int64_t)e->len, e->text, (int64_t)e->score,
                        e->matched ? e->matched : "");
    }
    return rc;
}

int sm_guideline_save_analysis(struct sm_store *store, const struct sm_actor *actor, int64_t id,
                               const char *catalog_version, const struct sm_analysis *analysis,
                               struct sm_diag *diag)
{
    int64_t exists = 0, now = (int64_t)time(NULL);
    int rc = sm_store_begin(store, diag);
    if (rc)
        return rc;
    rc = sm_sql_run_int64(store, &exists, diag, "SELECT COUNT(*) FROM guidelines WHERE id = ?", "i",
                          id);
    if (!rc && !exists)
        rc = sm_diag_set(diag, SM_ENOTFOUND, "no guideline %lld", (long long)id);
    if (!rc)
        rc = sm_sql_run_int64(store, &exists, diag,
                              "SELECT COUNT(*) FROM catalogs WHERE version = ?", "t",
                              catalog_version);
    if (!rc && !exists)
        rc = sm_diag_set(diag, SM_ENOTFOUND, "catalog version '%s' is not stored", catalog_version);
    /* Proposals made against another catalog version no longer apply. */
    if (!rc)
        rc = sm_sql_run(store, NULL, diag,
                        "DELETE FROM proposals WHERE guideline_id = ? AND catalog_version <> ?",
                        "it", id, catalog_version);
    for (size_t i = 0; rc == SM_OK && i < analysis->n_items; i++)
        rc = save_item(store, id, catalog_version, &analysis->items[i], now, diag);
    rc = audited(store, actor, "guideline.analyse", id, catalog_version, rc, diag);
    return sm_store_finish(store, rc, diag);
}

int sm_guideline_review(struct sm_store *store, const struct sm_actor *actor, int64_t id,
                        const char *item_id, enum sm_review review, struct sm_diag *diag)
{
    int64_t changed = 0;
    char detail[128];
    int rc = sm_store_begin(store, diag);
    if (rc)
        return rc;
    rc = sm_sql_run(store, &changed, diag,
                    "UPDATE proposals SET review = ?, reviewed_by = ?, reviewed_at = ?"
                    " WHERE guideline_id = ? AND item_id = ?",
                    "ttiit", sm_review_name(review), actor && actor->name ? actor->name : "",
                    (int64_t)time(NULL), id, item_id);
    if (!rc && changed == 0)
        rc = sm_diag_set(diag, SM_ENOTFOUND, "no proposal for guideline %lld, item '%s'",
                         (long long)id, item_id);
    snprintf(detail, sizeof detail, "%s %s", item_id, sm_review_name(review));
    rc = audited(store, actor, "guideline.review", id, detail, rc, diag);
    return sm_store_finish(store, rc, diag);
}

int sm_guideline_override(struct sm_store *store, const struct sm_actor *actor, int64_t id,
                          const char *item_id, int score, const char *note, struct sm_diag *diag)
{
    char detail[600] = "";
    int64_t n = 0;
    if (score < -1 || score > SM_SCORE_CONCRETE)
        return sm_diag_set(diag, SM_EINVAL, "score %d is not 0, 1 or 2", score);
    if (score >= 0) {
        size_t bad = 0;
        if (!note || !*note)
            return sm_diag_set(diag, SM_EINVAL, "an override needs a note saying why");
        if (strlen(note) > 2000 || !sm_utf8_valid(note, strlen(note), &bad))
            return sm_diag_set(diag, SM_EINVAL,
                               "the note must be valid UTF-8, at most 2000"
                               " bytes");
    }
    int rc = sm_store_begin(store, diag);
    if (rc)
        return rc;
    rc = sm_sql_run_int64(store, &n, diag, "SELECT COUNT(*) FROM guidelines WHERE id = ?", "i", id);
    if (!rc && !n)
        rc = sm_diag_set(diag, SM_ENOTFOUND, "no guideline %lld", (long long)id);
    if (!rc)
        rc = sm_sql_run_int64(store, &n, diag, "SELECT COUNT(*) FROM check_items WHERE item_id = ?",
                              "t", item_id);
    if (!rc && !n)
        rc = sm_diag_set(diag, SM_ENOTFOUND, "no check item '%s'", item_id);
    if (!rc && score < 0) {
        rc = sm_sql_run(store, NULL, diag,
                        "DELETE FROM overrides WHERE guideline_id = ? AND item_id = ?", "it", id,
                        item_id);
        snprintf(detail, sizeof detail, "%s cleared", item_id);
    } else if (!rc) {
        rc = sm_sql_run(store, NULL, diag,
                        "INSERT INTO overrides (guideline_id, item_id, score, note, user_id,"
                        " actor, at) VALUES (?, ?, ?, ?, ?, ?, ?)"
                        " ON CONFLICT (guideline_id, item_id) DO UPDATE SET"
                        " score = excluded.score, note = excluded.note,"
                        " user_id = excluded.user_id, actor = excluded.actor, at = excluded.at",
                        "itititi", id, item_id, (int64_t)score, note,
                        (int64_t)(actor ? actor->user_id : 0),
                        actor && actor->name ? actor->name : "", (int64_t)time(NULL));
        snprintf(detail, sizeof detail, "%s = %d: %.500s", item_id, score, note);
    }
    rc = audited(store, actor, "guideline.override", id, detail, rc, diag);
    return sm_store_finish(store, rc, diag);
}

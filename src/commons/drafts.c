/*
 * Associations' drafts in the database (see smesec/drafting.h): adding one with its pages,
 * saving its analysis, reading, listing and deleting.
 *
 * Invariants: a draft's scores all belong to the catalog version in drafts.catalog_version
 * (saving an analysis replaces them all in one transaction); every change is one
 * transaction with its audit record; everything a loaded draft points to lives in its own
 * arena.
 */
#include "smesec/drafting.h"

#include "smesec/alloc.h"
#include "smesec/arena.h"
#include "smesec/utf8.h"
#include "store/sql.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "util/banned.h"

#define META_MAX  500
#define ARENA_MAX ((size_t)64 << 20)

struct draft_priv {
    struct sm_arena arena;
};

static int check_text(const char *name, const char *v, bool required, struct sm_diag *diag)
{
    size_t bad = 0;
    if (!v || !*v)
        return required ? sm_diag_set(diag, SM_EINVAL, "draft %s is required", name) : SM_OK;
    if (strlen(v) > META_MAX)
        return sm_diag_set(diag, SM_EINVAL, "draft %s is longer than %d bytes", name, META_MAX);
    if (!sm_utf8_valid(v, strlen(v), &bad))
        return sm_diag_set(diag, SM_EINVAL, "draft %s is not valid UTF-8 at byte %zu", name, bad);
    return SM_OK;
}

static int audited(struct sm_store *store, const struct sm_actor *actor, const char *action,
                   int64_t id, const char *detail, int rc, struct sm_diag *diag)
{
    char object[48];
    if (rc)
        return rc;
    snprintf(object, sizeof object, "draft:%lld", (long long)id);
    return sm_audit_record(store, actor, action, object, detail, diag);
}

int sm_draft_add(struct sm_store *store, const struct sm_actor *actor, int64_t user_id,
                 const struct sm_draft_meta *meta, const struct sm_document *doc, int64_t *id_out,
                 struct sm_diag *diag)
{
    int64_t id = 0;
    int rc;
    if ((rc = check_text("industry", meta->industry, true, diag)) ||
        (rc = check_text("title", meta->title, true, diag)) ||
        (rc = check_text("file name", meta->filename, false, diag)))
        return rc;
    if (meta->stage < 1 || meta->stage > SM_STAGES)
        return sm_diag_set(diag, SM_EINVAL, "stage %d is not 1, 2 or 3", meta->stage);
    size_t n_pages = doc ? doc->n_pages : 0;
    rc = sm_store_begin(store, diag);
    if (rc)
        return rc;
    rc = sm_sql_run_int64(store, &id, diag,
                          "INSERT INTO drafts (user_id, industry, title, filename, stage, n_pages,"
                          " created_at) VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id",
                          "itttiii", user_id, meta->industry, meta->title,
                          meta->filename && *meta->filename ? meta->filename : NULL,
                          (int64_t)meta->stage, (int64_t)n_pages, (int64_t)time(NULL));
    if (rc == SM_EEXIST)
        rc = sm_diag_set(diag, SM_ENOTFOUND, "no user %lld", (long long)user_id);
    for (size_t i = 0; rc == SM_OK && i < n_pages; i++)
        rc = sm_sql_run(store, NULL, diag,
                        "INSERT INTO draft_pages (draft_id, page, text) VALUES (?, ?, ?)", "iit",
                        id, (int64_t)doc->pages[i].number, doc->pages[i].text);
    rc = audited(store, actor, "draft.add", id, meta->title, rc, diag);
    rc = sm_store_finish(store, rc, diag);
    if (!rc && id_out)
        *id_out = id;
    return rc;
}

void sm_draft_free(struct sm_draft *draft)
{
    if (!draft)
        return;
    struct draft_priv *priv = draft->priv;
    if (priv) {
        sm_arena_release(&priv->arena);
        sm_free(priv);
    }
    sm_free(draft);
}

/* Fills d from a row of (id, user_id, industry, title, filename, stage, n_pages,
 * catalog_version, created_at, analysed_at). */
static int draft_from_row(struct sm_sql *st, struct sm_arena *a, struct sm_draft *d)
{
    d->id = sm_sql_int64(st, 0);
    d->user_id = sm_sql_int64(st, 1);
    d->industry = sm_arena_strdup(a, sm_sql_text(st, 2));
    d->title = sm_arena_strdup(a, sm_sql_text(st, 3));
    d->filename = sm_arena_strdup(a, sm_sql_text(st, 4));
    d->stage = (int)sm_sql_int64(st, 5);
    d->n_pages = (int)sm_sql_int64(st, 6);
    d->catalog_version = sm_arena_strdup(a, sm_sql_text(st, 7));
    d->created_at = sm_sql_int64(st, 8);
    d->analysed_at = sm_sql_int64(st, 9);
    bool lost = !d->industry || !d->title || (!sm_sql_is_null(st, 4) && !d->filename) ||
                (!sm_sql_is_null(st, 7) && !d->catalog_version);
    return lost ? SM_ENOMEM : SM_OK;
}

#define DRAFT_COLUMNS                                                                   \
 "id, user_id, industry, title, filename, stage, n_pages, catalog_version, created_at," \
 " analysed_at"

int sm_draft_get(struct sm_store *store, int64_t id, struct sm_draft **out, struct sm_diag *diag)
{
    struct sm_draft *d = sm_calloc(1, sizeof *d);
    struct draft_priv *priv = sm_calloc(1, sizeof *priv);
    if (!d || !priv) {
        sm_free(d);
        sm_free(priv);
        return SM_ENOMEM;
    }
    sm_arena_init(&priv->arena, ARENA_MAX);
    d->priv = priv;
    struct sm_arena *a = &priv->arena;
    struct sm_sql *st = NULL;
    int rc = sm_sql_prepare(store, "SELECT " DRAFT_COLUMNS " FROM drafts WHERE id = ?", &st, diag);
    if (!rc)
        rc = sm_sql_bindv(st, "i", id);
    if (!rc)
        rc = sm_sql_step(st, diag);
    if (rc == SM_SQL_DONE)
        rc = sm_diag_set(diag, SM_ENOTFOUND, "no draft %lld", (long long)id);
    else if (rc == SM_SQL_ROW)
        rc = draft_from_row(st, a, d);
    sm_sql_free(st);
    st = NULL;
    size_t cap = 0;
    if (!rc)
        rc = sm_sql_prepare(store,
                            "SELECT item_id, score, page, evidence FROM draft_scores"
                            " WHERE draft_id = ? ORDER BY item_id",
                            &st, diag);
    if (!rc)
        rc = sm_sql_bindv(st, "i", id);
    while (rc == SM_OK && (rc = sm_sql_step(st, diag)) == SM_SQL_ROW) {
        rc = SM_OK;
        if (d->n_scores == cap) {
            size_t ncap = cap ? cap * 2 : 64;
            struct sm_draft_score *p = sm_arena_alloc(a, ncap * sizeof *p);
            if (!p) {
                rc = SM_ENOMEM;
                break;
            }
            if (d->n_scores)
                memcpy(p, d->scores, d->n_scores * sizeof *p);
            d->scores = p;
            cap = ncap;
        }
        struct sm_draft_score *s = &d->scores[d->n_scores];
        s->item_id = sm_arena_strdup(a, sm_sql_text(st, 0));
        s->score = (int)sm_sql_int64(st, 1);
        s->page = (int)sm_sql_int64(st, 2);
        s->evidence = sm_arena_strdup(a, sm_sql_text(st, 3));
        if (!s->item_id || (!sm_sql_is_null(st, 3) && !s->evidence)) {
            rc = SM_ENOMEM;
            break;
        }
        d->n_scores++;
    }
    sm_sql_free(st);
    if (rc != SM_OK && rc != SM_SQL_DONE) {
        sm_draft_free(d);
        return rc;
    }
    *out = d;
    return SM_OK;
}

void sm_draft_list_free(struct sm_draft_list *list)
{
    if (!list)
        return;
    struct draft_priv *priv = list->priv;
    if (priv) {
        sm_arena_release(&priv->arena);
        sm_free(priv);
    }
    sm_free(list);
}

int sm_draft_list(struct sm_store *store, int64_t user_id, struct sm_draft_list **out,
                  struct sm_diag *diag)
{
    struct sm_draft_list *list = sm_calloc(1, sizeof *list);
    struct draft_priv *priv = sm_calloc(1, sizeof *priv);
    if (!list || !priv) {
        sm_free(list);
        sm_free(priv);
        return SM_ENOMEM;
    }
    sm_arena_init(&priv->arena, ARENA_MAX);
    list->priv = priv;
    struct sm_sql *st = NULL;
    size_t cap = 0;
    int rc = sm_sql_prepare(store,
                            user_id ? "SELECT " DRAFT_COLUMNS
                                      " FROM drafts WHERE user_id = ? ORDER BY id DESC"
                                    : "SELECT " DRAFT_COLUMNS " FROM drafts ORDER BY id DESC",
                            &st, diag);
    if (!rc && user_id)
        rc = sm_sql_bindv(st, "i", user_id);
    while (rc == SM_OK && (rc = sm_sql_step(st, diag)) == SM_SQL_ROW) {
        rc = SM_OK;
        if (list->n == cap) {
            size_t ncap = cap ? cap * 2 : 16;
            struct sm_draft *p = sm_arena_calloc(&priv->arena, ncap, sizeof *p);
            if (!p) {
                rc = SM_ENOMEM;
                break;
            }
            if (list->n)
                memcpy(p, list->items, list->n * sizeof *p);
            list->items = p;
            cap = ncap;
        }
        rc = draft_from_row(st, &priv->arena, &list->items[list->n]);
        if (rc)
            break;
        list->n++;
    }
    sm_sql_free(st);
    if (rc != SM_SQL_DONE) {
        sm_draft_list_free(list);
        return rc;
    }
    *out = list;
    return SM_OK;
}

int sm_draft_document(struct sm_store *store, int64_t id, struct sm_document **out,
                      struct sm_diag *diag)
{
    int64_t exists = 0;
    int rc =
        sm_sql_run_int64(store, &exists, diag, "SELECT COUNT(*) FROM drafts WHERE id = ?", "i", id);
    if (rc)
        return rc;
    if (!exists)
        return sm_diag_set(diag, SM_ENOTFOUND, "no draft %lld", (long long)id);
    struct sm_document *doc = sm_calloc(1, sizeof *doc);
    if (!doc)
        return SM_ENOMEM;
    doc->format = SM_DOC_TEXT;
    doc->encoding = SM_ENC_UTF8;
    struct sm_sql *st = NULL;
    size_t cap = 0;
    rc = sm_sql_prepare(
        store, "SELECT page, text FROM draft_pages WHERE draft_id = ? ORDER BY page", &st, diag);
    if (!rc)
        rc = sm_sql_bindv(st, "i", id);
    while (rc == SM_OK && (rc = sm_sql_step(st, diag)) == SM_SQL_ROW) {
        rc = SM_OK;
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
        /* Stored already normalised, as a guideline's pages are. */
        const char *text = sm_sql_text(st, 1);
        struct sm_page *pg = &doc->pages[doc->n_pages];
        pg->number = (int)sm_sql_int64(st, 0);
        pg->len = text ? strlen(text) : 0;
        pg->text = sm_strndup(text ? text : "", pg->len);
        if (!pg->text) {
            rc = SM_ENOMEM;
            break;
        }
        doc->n_pages++;
    }
    sm_sql_free(st);
    if (rc != SM_SQL_DONE) {
        sm_document_free(doc);
        return rc;
    }
    *out = doc;
    return SM_OK;
}

int sm_draft_save_analysis(struct sm_store *store, const struct sm_actor *actor, int64_t id,
                           const char *catalog_version, const struct sm_analysis *analysis,
                           struct sm_diag *diag)
{
    int64_t n = 0;
    int rc = sm_store_begin(store, diag);
    if (rc)
        return rc;
    rc = sm_sql_run_int64(store, &n, diag, "SELECT COUNT(*) FROM drafts WHERE id = ?", "i", id);
    if (!rc && !n)
        rc = sm_diag_set(diag, SM_ENOTFOUND, "no draft %lld", (long long)id);
    if (!rc)
        rc = sm_sql_run(store, NULL, diag, "DELETE FROM draft_scores WHERE draft_id = ?", "i", id);
    for (size_t i = 0; rc == SM_OK && i < analysis->n_items; i++) {
        const struct sm_item_result *r = &analysis->items[i];
        const struct sm_evidence *best = r->n_evidence ? &r->evidence[0] : NULL;
        rc = sm_sql_run(store, NULL, diag,
                        "INSERT INTO draft_scores (draft_id, item_id, score, page, evidence)"
                        " VALUES (?, ?, ?, ?, ?)",
                        "itiit", id, r->item_id, (int64_t)r->score,
                        (int64_t)(best ? best->page : 0), best ? best->text : NULL);
    }
    if (!rc)
        rc = sm_sql_run(store, NULL, diag,
                        "UPDATE drafts SET catalog_version = ?, analysed_at = ? WHERE id = ?",
                        "tii", catalog_version, (int64_t)time(NULL), id);
    rc = audited(store, actor, "draft.analyse", id, catalog_version, rc, diag);
    return sm_store_finish(store, rc, diag);
}

int sm_draft_delete(struct sm_store *store, const struct sm_actor *actor, int64_t id,
                    struct sm_diag *diag)
{
    int64_t changed = 0;
    int rc = sm_store_begin(store, diag);
    if (rc)
        return rc;
    rc = sm_sql_run(store, &changed, diag, "DELETE FROM drafts WHERE id = ?", "i", id);
    if (!rc && changed == 0)
        rc = sm_diag_set(diag, SM_ENOTFOUND, "no draft %lld", (long long)id);
    rc = audited(store, actor, "draft.delete", id, NULL, rc, diag);
    return sm_store_finish(store, rc, diag);
}

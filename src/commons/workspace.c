/*
 * The guideline-commons workflow over the database: choose the catalog, list guidelines,
 * analyse them, and write the outputs. The CLI and the web pages both call these, so the
 * steps happen the same way whichever starts them.
 */
#include "smesec/guideline.h"

#include "smesec/alloc.h"
#include "smesec/arena.h"
#include "smesec/export.h"
#include "store/sql.h"

#include <string.h>
#include <time.h>

#include "util/banned.h"

int sm_commons_catalog(struct sm_store *store, const struct sm_actor *actor, const char *path,
                       struct sm_catalog **out, struct sm_diag *diag)
{
    struct sm_catalog *catalog = NULL;
    int rc = path ? sm_catalog_load_file(path, &catalog, diag) : sm_catalog_default(&catalog, diag);
    if (rc)
        return rc;
    rc = sm_catalog_save(store, actor, catalog, diag);
    if (rc) {
        sm_catalog_free(catalog);
        return rc;
    }
    *out = catalog;
    return SM_OK;
}

struct list_priv {
    struct sm_arena arena;
};

void sm_guideline_list_free(struct sm_guideline_list *list)
{
    if (!list)
        return;
    struct list_priv *priv = list->priv;
    if (priv) {
        sm_arena_release(&priv->arena);
        sm_free(priv);
    }
    sm_free(list);
}

int sm_guideline_list(struct sm_store *store, struct sm_guideline_list **out, struct sm_diag *diag)
{
    struct sm_guideline_list *list = sm_calloc(1, sizeof *list);
    struct list_priv *priv = sm_calloc(1, sizeof *priv);
    if (!list || !priv) {
        sm_free(list);
        sm_free(priv);
        return SM_ENOMEM;
    }
    sm_arena_init(&priv->arena, (size_t)64 << 20);
    list->priv = priv;
    struct sm_arena *a = &priv->arena;
    struct sm_sql *st = NULL;
    size_t cap = 0;
    int rc = sm_sql_prepare(
        store,
        "SELECT g.id, g.industry, g.publisher, g.title, g.version, g.year, g.filename,"
        " g.n_pages, (SELECT MAX(p.catalog_version) FROM proposals p WHERE p.guideline_id ="
        " g.id), (SELECT COUNT(*) FROM overrides o WHERE o.guideline_id = g.id)"
        " FROM guidelines g ORDER BY g.id",
        &st, diag);
    while (rc == SM_OK && (rc = sm_sql_step(st, diag)) == SM_SQL_ROW) {
        rc = SM_OK;
        if (list->n == cap) {
            size_t ncap = cap ? cap * 2 : 16;
            struct sm_guideline_info *p = sm_arena_alloc(a, ncap * sizeof *p);
            if (!p) {
                rc = SM_ENOMEM;
                break;
            }
            if (list->n)
                memcpy(p, list->items, list->n * sizeof *p);
            list->items = p;
            cap = ncap;
        }
        struct sm_guideline_info *g = &list->items[list->n];
        g->id = sm_sql_int64(st, 0);
        g->industry = sm_arena_strdup(a, sm_sql_text(st, 1));
        g->publisher = sm_arena_strdup(a, sm_sql_text(st, 2));
        g->title = sm_arena_strdup(a, sm_sql_text(st, 3));
        g->version = sm_arena_strdup(a, sm_sql_text(st, 4));
        g->year = (int)sm_sql_int64(st, 5);
        g->filename = sm_arena_strdup(a, sm_sql_text(st, 6));
        g->n_pages = (int)sm_sql_int64(st, 7);
        g->analysed_with = sm_arena_strdup(a, sm_sql_text(st, 8));
        g->n_overrides = (size_t)sm_sql_int64(st, 9);
        if (!g->industry || !g->publisher || !g->title || !g->version) {
            rc = SM_ENOMEM;
            break;
        }
        list->n++;
    }
    sm_sql_free(st);
    if (rc != SM_SQL_DONE) {
        sm_guideline_list_free(list);
        return rc;
    }
    *out = list;
    return SM_OK;
}

int sm_commons_analyse(struct sm_store *store, const struct sm_actor *actor,
                       const struct sm_catalog *catalog, const int64_t *ids, size_t n,
                       unsigned threads, void (*progress)(void *ctx, size_t done, size_t total),
                       void *ctx, struct sm_diag *diag)
{
    if (n == 0)
        return SM_OK;
    struct sm_document **docs = sm_calloc(n, sizeof *docs);
    struct sm_analysis **results = sm_calloc(n, sizeof *results);
    int rc = docs && results ? SM_OK : SM_ENOMEM;
    for (size_t i = 0; rc == SM_OK && i < n; i++)
        rc = sm_guideline_document(store, ids[i], &docs[i], diag);
    if (!rc)
        rc = sm_analyze_many(catalog, (const struct sm_document *const *)docs, n, threads, results,
                             progress, ctx, diag);
    for (size_t i = 0; rc == SM_OK && i < n; i++)
        rc = sm_guideline_save_analysis(store, actor, ids[i], sm_catalog_version(catalog),
                                        results[i], diag);
    for (size_t i = 0; i < n; i++) {
        if (docs)
            sm_document_free(docs[i]);
        if (results)
            sm_analysis_free(results[i]);
    }
    sm_free(docs);
    sm_free(results);
    return rc;
}

int sm_commons_report(struct sm_store *store, const struct sm_catalog *catalog,
                      const struct sm_criterion *criterion, const char *dir, size_t *n_guidelines,
                      struct sm_diag *diag)
{
    struct sm_matrix_data *data = NULL;
    struct sm_judgement *judgement = NULL;
    int rc = sm_matrix_load(store, catalog, &data, diag);
    if (rc)
        return rc;
    if (data->m.n_guidelines == 0) {
        rc = sm_diag_set(diag, SM_ENOTFOUND,
                         "no guideline has been analysed against catalog version '%s'",
                         sm_catalog_version(catalog));
        goto out;
    }
    rc = sm_judge(&data->m, criterion, &judgement);
    if (rc)
        goto out;
    char date[16];
    time_t now = time(NULL);
    struct tm tm;
    gmtime_r(&now, &tm);
    strftime(date, sizeof date, "%Y-%m-%d", &tm);
    struct sm_report report = {
        .catalog = catalog,
        .matrix = &data->m,
        .judgement = judgement,
        .generated_at = date,
    };
    rc = sm_export_all(&report, dir, diag);
    if (!rc && n_guidelines)
        *n_guidelines = data->m.n_guidelines;
out:
    sm_judgement_free(judgement);
    sm_matrix_data_free(data);
    return rc;
}

/*
 * Loading the items × guidelines matrix (see sm_matrix_load in smesec/guideline.h) with
 * everything an output needs: guideline metadata, proposals, reviews, overrides and evidence.
 *
 * Everything the matrix points to lives in one arena owned by the sm_matrix_data, so the
 * caller frees it all at once. Cells are row-major (item, then guideline), items in catalog
 * order, guidelines by id.
 */
#include "smesec/guideline.h"

#include "smesec/alloc.h"
#include "smesec/arena.h"
#include "store/sql.h"

#include <string.h>

#include "util/banned.h"

/* A matrix of 100 guidelines × 60 items with 5 evidence sentences each stays well below. */
#define MATRIX_ARENA_MAX ((size_t)512 << 20)

struct matrix_priv {
    struct sm_arena arena;
};

void sm_matrix_data_free(struct sm_matrix_data *data)
{
    if (!data)
        return;
    struct matrix_priv *priv = data->priv;
    if (priv) {
        sm_arena_release(&priv->arena);
        sm_free(priv);
    }
    sm_free(data);
}

static int find_guideline(const struct sm_matrix *m, int64_t id, size_t *g)
{
    size_t lo = 0, hi = m->n_guidelines;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (m->guidelines[mid].id < id)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo < m->n_guidelines && m->guidelines[lo].id == id) {
        *g = lo;
        return SM_OK;
    }
    return SM_ENOTFOUND;
}

/* The cell for (guideline id, item id), or NULL when either is not in the matrix. */
static struct sm_cell *cell_of(struct sm_matrix *m, struct sm_cell *cells, int64_t gid,
                               const char *item_id)
{
    size_t g = 0, i = 0;
    if (find_guideline(m, gid, &g) || !sm_catalog_find(m->catalog, item_id, &i))
        return NULL;
    return &cells[i * m->n_guidelines + g];
}

static int load_guidelines(struct sm_store *store, const char *version, struct sm_arena *a,
                           struct sm_matrix *m, struct sm_diag *diag)
{
    struct sm_sql *st = NULL;
    struct sm_matrix_guideline *v = NULL;
    size_t n = 0, cap = 0;
    int rc = sm_sql_prepare(store,
                            "SELECT id, industry, publisher, title, version, year FROM guidelines"
                            " WHERE id IN (SELECT guideline_id FROM proposals"
                            " WHERE catalog_version = ?) ORDER BY id",
                            &st, diag);
    if (!rc)
        rc = sm_sql_bindv(st, "t", version);
    while (rc == SM_OK && (rc = sm_sql_step(st, diag)) == SM_SQL_ROW) {
        rc = SM_OK;
        if (n == cap) {
            size_t ncap = cap ? cap * 2 : 16;
            struct sm_matrix_guideline *p = sm_arena_alloc(a, ncap * sizeof *p);
            if (!p) {
                rc = SM_ENOMEM;
                break;
            }
            if (n)
                memcpy(p, v, n * sizeof *p);
            v = p;
            cap = ncap;
        }
        struct sm_matrix_guideline *g = &v[n];
        g->id = sm_sql_int64(st, 0);
        g->industry = sm_arena_strdup(a, sm_sql_text(st, 1));
        g->publisher = sm_arena_strdup(a, sm_sql_text(st, 2));
        g->title = sm_arena_strdup(a, sm_sql_text(st, 3));
        g->version = sm_arena_strdup(a, sm_sql_text(st, 4));
        g->year = (int)sm_sql_int64(st, 5);
        if (!g->industry || !g->publisher || !g->title || !g->version) {
            rc = SM_ENOMEM;
            break;
        }
        n++;
    }
    sm_sql_free(st);
    if (rc != SM_SQL_DONE)
        return rc;
    m->guidelines = v;
    m->n_guidelines = n;
    return SM_OK;
}

static int load_proposals(struct sm_store *store, const char *version, struct sm_matrix *m,
                          struct sm_cell *cells, struct sm_diag *diag)
{
    struct sm_sql *st = NULL;
    int rc = sm_sql_prepare(store,
                            "SELECT guideline_id, item_id, score, strength, relation, review"
                            " FROM proposals WHERE catalog_version = ?",
                            &st, diag);
    if (!rc)
        rc = sm_sql_bindv(st, "t", version);
    while (rc == SM_OK && (rc = sm_sql_step(st, diag)) == SM_SQL_ROW) {
        rc = SM_OK;
        struct sm_cell *c = cell_of(m, cells, sm_sql_int64(st, 0), sm_sql_text(st, 1));
        if (!c)
            continue; /* an item the catalog no longer has */
        c->auto_score = c->score = (int)sm_sql_int64(st, 2);
        c->strength = (int)sm_sql_int64(st, 3);
        const char *rel = sm_sql_text(st, 4);
        for (int r = SM_REL_EQUAL; r <= SM_REL_NOT_RELATED; r++)
            if (rel && strcmp(rel, sm_relation_name((enum sm_relation)r)) == 0)
                c->relation = (enum sm_relation)r;
        if (sm_review_parse(sm_sql_text(st, 5), &c->review))
            c->review = SM_REVIEW_PROPOSED;
    }
    sm_sql_free(st);
    return rc == SM_SQL_DONE ? SM_OK : rc;
}

static int load_overrides(struct sm_store *store, struct sm_arena *a, struct sm_matrix *m,
                          struct sm_cell *cells, struct sm_diag *diag)
{
    struct sm_sql *st = NULL;
    int rc = sm_sql_prepare(store, "SELECT guideline_id, item_id, score, note FROM overrides", &st,
                            diag);
    while (rc == SM_OK && (rc = sm_sql_step(st, diag)) == SM_SQL_ROW) {
        rc = SM_OK;
        struct sm_cell *c = cell_of(m, cells, sm_sql_int64(st, 0), sm_sql_text(st, 1));
        if (!c)
            continue;
        c->score = (int)sm_sql_int64(st, 2);
        c->method = SM_METHOD_MANUAL;
        c->note = sm_arena_strdup(a, sm_sql_text(st, 3));
        if (!c->note)
            rc = SM_ENOMEM;
    }
    sm_sql_free(st);
    return rc == SM_SQL_DONE ? SM_OK : rc;
}

static int load_evidence(struct sm_store *store, const char *version, struct sm_arena *a,
                         struct sm_matrix *m, struct sm_cell *cells, struct sm_diag *diag)
{
    struct sm_sql *st = NULL;
    /* The cells see their evidence as const; it is built through this parallel array. */
    struct sm_evidence **evs = sm_arena_calloc(a, m->n_items * m->n_guidelines, sizeof *evs);
    if (!evs)
        return SM_ENOMEM;
    int rc = sm_sql_prepare(store,
                            "SELECT e.guideline_id, e.item_id, e.page, e.byte_offset,"
                            " e.byte_length, e.text, e.score, e.matched FROM evidence e"
                            " JOIN proposals p ON p.guideline_id = e.guideline_id"
                            " AND p.item_id = e.item_id WHERE p.catalog_version = ?"
                            " ORDER BY e.guideline_id, e.item_id, e.rank",
                            &st, diag);
    if (!rc)
        rc = sm_sql_bindv(st, "t", version);
    while (rc == SM_OK && (rc = sm_sql_step(st, diag)) == SM_SQL_ROW) {
        rc = SM_OK;
        struct sm_cell *c = cell_of(m, cells, sm_sql_int64(st, 0), sm_sql_text(st, 1));
        if (!c || c->n_evidence >= SM_MAX_EVIDENCE)
            continue;
        struct sm_evidence **ev = &evs[c - cells];
        if (!*ev) {
            *ev = sm_arena_calloc(a, SM_MAX_EVIDENCE, sizeof **ev);
            if (!*ev) {
                rc = SM_ENOMEM;
                break;
            }
            c->evidence = *ev;
        }
        struct sm_evidence *e = &(*ev)[c->n_evidence];
        e->page = (int)sm_sql_int64(st, 2);
        e->offset = (size_t)sm_sql_int64(st, 3);
        e->len = (size_t)sm_sql_int64(st, 4);
        e->text = sm_arena_strdup(a, sm_sql_text(st, 5));
        e->score = (int)sm_sql_int64(st, 6);
        e->matched = sm_arena_strdup(a, sm_sql_text(st, 7));
        if (!e->text || !e->matched) {
            rc = SM_ENOMEM;
            break;
        }
        c->n_evidence++;
    }
    sm_sql_free(st);
    return rc == SM_SQL_DONE ? SM_OK : rc;
}

int sm_matrix_load(struct sm_store *store, const struct sm_catalog *catalog,
                   struct sm_matrix_data **out, struct sm_diag *diag)
{
    const char *version = sm_catalog_version(catalog);
    struct sm_matrix_data *data = sm_calloc(1, sizeof *data);
    struct matrix_priv *priv = sm_calloc(1, sizeof *priv);
    if (!data || !priv) {
        sm_free(data);
        sm_free(priv);
        return SM_ENOMEM;
    }
    sm_arena_init(&priv->arena, MATRIX_ARENA_MAX);
    data->priv = priv;
    struct sm_matrix *m = &data->m;
    m->catalog = catalog;
    m->n_items = sm_catalog_n_items(catalog);
    int rc = load_guidelines(store, version, &priv->arena, m, diag);
    struct sm_cell *cells = NULL;
    if (!rc && m->n_items && m->n_guidelines) {
        cells = sm_arena_calloc(&priv->arena, m->n_items * m->n_guidelines, sizeof *cells);
        if (!cells)
            rc = SM_ENOMEM;
        for (size_t k = 0; cells && k < m->n_items * m->n_guidelines; k++)
            cells[k].score = cells[k].auto_score = -1;
    }
    if (!rc && cells)
        rc = load_proposals(store, version, m, cells, diag);
    if (!rc && cells)
        rc = load_overrides(store, &priv->arena, m, cells, diag);
    if (!rc && cells)
        rc = load_evidence(store, version, &priv->arena, m, cells, diag);
    if (rc) {
        sm_matrix_data_free(data);
        return rc;
    }
    m->cells = cells;
    *out = data;
    return SM_OK;
}

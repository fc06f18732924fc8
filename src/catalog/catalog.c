/*
 * The catalog object: construction, lookup and the read-only accessors (see
 * smesec/catalog.h). A finished catalog is never written to again, which is what makes it
 * safe to share between threads. Lookups by id use indices sorted by id (binary search), so
 * a caller may look items up in its inner loops.
 */
#include "catalog/internal.h"

#include "smesec/alloc.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/banned.h"

const char *const sm__catalog_top_field_names[SM__TOP_COUNT] = {
    [SM__TOP_VERSION] = "version",       [SM__TOP_TITLE] = "title", [SM__TOP_TITLE_EN] = "title_en",
    [SM__TOP_CATEGORIES] = "categories", [SM__TOP_ITEMS] = "items",
};

const char *const sm__catalog_category_field_names[SM__CF_COUNT] = {
    [SM__CF_ID] = "id",
    [SM__CF_NAME_JA] = "name_ja",
    [SM__CF_NAME_EN] = "name_en",
};

const char *const sm__catalog_item_field_names[SM__IF_COUNT] = {
    [SM__IF_ID] = "id",
    [SM__IF_CATEGORY] = "category",
    [SM__IF_STAGE] = "stage",
    [SM__IF_TITLE_JA] = "title_ja",
    [SM__IF_TITLE_EN] = "title_en",
    [SM__IF_DESCRIPTION_JA] = "description_ja",
    [SM__IF_DESCRIPTION_EN] = "description_en",
    [SM__IF_HOWTO_JA] = "howto_ja",
    [SM__IF_HOWTO_EN] = "howto_en",
    [SM__IF_EXAMPLES] = "examples",
    [SM__IF_REFERENCES] = "references",
    [SM__IF_RULES] = "rules",
    [SM__IF_TERMS] = "terms",
    [SM__IF_CONTEXT] = "context",
    [SM__IF_EXCLUDE] = "exclude",
};

const char *const sm__catalog_no_strings[1] = { NULL };

struct sm_catalog *sm__catalog_new(void)
{
    return sm_calloc(1, sizeof(struct sm_catalog));
}

void sm_catalog_free(struct sm_catalog *catalog)
{
    if (!catalog)
        return;
    sm__cat_arena_release(&catalog->arena);
    sm_free(catalog);
}

/* qsort has no context argument, so the id arrays are sorted through these. */
struct by_id {
    const char *id;
    size_t index;
};

static int by_id_cmp(const void *a, const void *b)
{
    const struct by_id *x = a, *y = b;
    return strcmp(x->id, y->id);
}

/* Sorts n ids (all non-NULL and distinct: the catalog passed its check) into index order. */
static int sort_ids(struct sm__cat_arena *arena, size_t n,
                    const char *(*id_of)(const void *, size_t), const void *base, size_t **out)
{
    struct by_id *tmp = sm_calloc(n ? n : 1, sizeof *tmp);
    size_t *idx = sm__cat_calloc(arena, n ? n : 1, sizeof *idx);
    if (!tmp || !idx) {
        sm_free(tmp);
        return SM_ENOMEM;
    }
    for (size_t i = 0; i < n; i++)
        tmp[i] = (struct by_id){ .id = id_of(base, i), .index = i };
    qsort(tmp, n, sizeof *tmp, by_id_cmp);
    for (size_t i = 0; i < n; i++)
        idx[i] = tmp[i].index;
    sm_free(tmp);
    *out = idx;
    return SM_OK;
}

static const char *category_id(const void *base, size_t i)
{
    return ((const struct sm_category *)base)[i].id;
}

static const char *item_id(const void *base, size_t i)
{
    return ((const struct sm_check_item *)base)[i].id;
}

int sm__catalog_finish(struct sm_catalog *c)
{
    int rc = sort_ids(&c->arena, c->n_categories, category_id, c->categories, &c->category_by_id);
    if (!rc)
        rc = sort_ids(&c->arena, c->n_items, item_id, c->items, &c->item_by_id);
    return rc;
}

/* Binary search over an index sorted by id; SIZE_MAX when absent. */
static size_t find_sorted(const size_t *by_id, size_t n, const char *(*id_of)(const void *, size_t),
                          const void *base, const char *id)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int cmp = strcmp(id, id_of(base, by_id[mid]));
        if (cmp == 0)
            return by_id[mid];
        if (cmp < 0)
            hi = mid;
        else
            lo = mid + 1;
    }
    return (size_t)-1;
}

const char *sm_catalog_version(const struct sm_catalog *catalog)
{
    return catalog->version;
}

const char *sm_catalog_title(const struct sm_catalog *catalog)
{
    return catalog->title;
}

const char *sm_catalog_title_en(const struct sm_catalog *catalog)
{
    return catalog->title_en;
}

size_t sm_catalog_n_categories(const struct sm_catalog *catalog)
{
    return catalog->n_categories;
}

const struct sm_category *sm_catalog_category(const struct sm_catalog *catalog, size_t i)
{
    return i < catalog->n_categories ? &catalog->categories[i] : NULL;
}

const struct sm_category *sm_catalog_find_category(const struct sm_catalog *catalog, const char *id)
{
    if (!id || !catalog->category_by_id)
        return NULL;
    size_t i = find_sorted(catalog->category_by_id, catalog->n_categories, category_id,
                           catalog->categories, id);
    return i == (size_t)-1 ? NULL : &catalog->categories[i];
}

size_t sm_catalog_n_items(const struct sm_catalog *catalog)
{
    return catalog->n_items;
}

const struct sm_check_item *sm_catalog_item(const struct sm_catalog *catalog, size_t i)
{
    return i < catalog->n_items ? &catalog->items[i] : NULL;
}

const struct sm_check_item *sm_catalog_find(const struct sm_catalog *catalog, const char *id,
                                            size_t *index)
{
    if (!id || !catalog->item_by_id)
        return NULL;
    size_t i = find_sorted(catalog->item_by_id, catalog->n_items, item_id, catalog->items, id);
    if (i == (size_t)-1)
        return NULL;
    if (index)
        *index = i;
    return &catalog->items[i];
}

int sm_catalog_load_file(const char *path, struct sm_catalog **out, struct sm_diag *diag)
{
    sm_diag_clear(diag);
    FILE *f = fopen(path, "rb");
    if (!f)
        return sm_diag_set(diag, SM_EIO, "cannot open catalog '%s': %s", path, strerror(errno));
    struct sm_buf b;
    sm_buf_init(&b, SM__CATALOG_MAX_BYTES);
    char chunk[16384];
    size_t got;
    int rc = SM_OK;
    while (rc == SM_OK && (got = fread(chunk, 1, sizeof chunk, f)) > 0)
        rc = sm_buf_append(&b, chunk, got);
    if (rc == SM_OK && ferror(f))
        rc = sm_diag_set(diag, SM_EIO, "cannot read catalog '%s'", path);
    else if (rc == SM_ELIMIT)
        sm_diag_set(diag, rc, "catalog '%s' is larger than %zu MiB", path,
                    SM__CATALOG_MAX_BYTES >> 20);
    else if (rc == SM_ENOMEM)
        sm_diag_set(diag, rc, "out of memory reading catalog '%s'", path);
    fclose(f);
    if (!rc)
        rc = sm__catalog_from_yaml(b.data ? b.data : "", b.len, path, out, NULL, diag);
    sm_buf_release(&b);
    return rc;
}

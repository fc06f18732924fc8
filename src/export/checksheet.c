/*
 * The check sheet (チェックシート) of the common items: one line per common item with a box
 * to tick, its stage, its category and a short how-to, so an SME or an industry drafting its
 * first guideline can confirm each item is addressed. Written as print-ready HTML here and
 * as XLSX by workbook.c (the one file that speaks libxlsxwriter); both use the same order,
 * sm__checksheet_order: by category in the catalog's order, then by catalog order.
 *
 * Only common items appear; the criterion that made them common is printed on the sheet.
 */
#include "internal.h"

#include "smesec/alloc.h"
#include "smesec/catalog.h"
#include "smesec/commons.h"

#include <string.h>

#include "util/banned.h"

/* The index of category id in the catalog, or the category count when unknown (such items go
 * last, in catalog order). */
static size_t category_rank(const struct sm_catalog *c, const char *id)
{
    size_t n = sm_catalog_n_categories(c);
    for (size_t k = 0; k < n; k++) {
        const struct sm_category *cat = sm_catalog_category(c, k);
        if (cat && cat->id && id && strcmp(cat->id, id) == 0)
            return k;
    }
    return n;
}

int sm__checksheet_order(const struct sm_report *r, size_t **order, size_t *n)
{
    const struct sm_catalog *c = r->catalog;
    size_t n_items = r->matrix->n_items;
    size_t n_cat = sm_catalog_n_categories(c);
    size_t *v = sm_malloc((r->judgement->n_common + n_items + 1) * sizeof *v);
    if (!v)
        return SM_ENOMEM;
    size_t k = 0;
    /* A stable pass per category keeps catalog order inside each. */
    for (size_t rank = 0; rank <= n_cat; rank++) {
        for (size_t i = 0; i < n_items; i++) {
            if (!r->judgement->common[i])
                continue;
            if (category_rank(c, sm_catalog_item(c, i)->category) == rank)
                v[k++] = i;
        }
    }
    *order = v;
    *n = k;
    return SM_OK;
}

/* The JSON of one check line. */
static int item_json(const struct sm_report *r, size_t i, size_t no, json_t *items)
{
    const struct sm_check_item *it = sm_catalog_item(r->catalog, i);
    json_t *o = json_object();
    if (!o)
        return SM_ENOMEM;
    int rc = sm__jset_int(o, "no", (long long)no);
    if (rc == SM_OK)
        rc = sm__jset_str(o, "id", it->id);
    if (rc == SM_OK)
        rc = sm__jset_str(o, "title", it->title_ja);
    if (rc == SM_OK)
        rc = sm__jset_str(o, "title_en", it->title_en);
    if (rc == SM_OK)
        rc = sm__jset_int(o, "stage", it->stage);
    if (rc == SM_OK)
        rc = sm__jset_str(o, "howto", it->howto_ja);
    if (rc == SM_OK)
        rc = sm__jset_str(o, "howto_en", it->howto_en);
    if (rc == SM_OK)
        rc = sm__jset_int(o, "reference", r->judgement->reference[i]);
    if (rc) {
        json_decref(o);
        return rc;
    }
    return sm__jpush(items, o);
}

/* ctx.categories: [{name, name_en, items: [...]}] in check-sheet order. */
static int categories_json(const struct sm_report *r, const size_t *order, size_t n, json_t *ctx)
{
    json_t *cats = json_array();
    if (!cats)
        return SM_ENOMEM;
    int rc = SM_OK;
    json_t *items = NULL;
    const char *current = NULL;
    for (size_t k = 0; k < n && rc == SM_OK; k++) {
        const struct sm_check_item *it = sm_catalog_item(r->catalog, order[k]);
        const char *cat_id = it->category ? it->category : "";
        if (!items || !current || strcmp(current, cat_id) != 0) {
            json_t *cat = json_object();
            items = json_array();
            if (!cat || !items) {
                json_decref(cat);
                json_decref(items);
                rc = SM_ENOMEM;
                break;
            }
            const struct sm_category *c = sm_catalog_find_category(r->catalog, cat_id);
            rc = sm__jset_str(cat, "name", sm__category_name(r, cat_id));
            if (rc == SM_OK)
                rc = sm__jset_str(cat, "name_en", c && c->name_en ? c->name_en : "");
            if (rc == SM_OK)
                rc = sm__jset(cat, "items", items);
            else
                json_decref(items);
            if (rc == SM_OK)
                rc = sm__jpush(cats, cat);
            else
                json_decref(cat);
            current = cat_id;
        }
        if (rc == SM_OK)
            rc = item_json(r, order[k], k + 1, items);
    }
    if (rc) {
        json_decref(cats);
        return rc;
    }
    return sm__jset(ctx, "categories", cats);
}

int sm_export_checksheet_html(const struct sm_report *r, const char *path, struct sm_diag *diag)
{
    sm_diag_clear(diag);
    int rc = sm__report_check(r, diag);
    if (rc)
        return rc;
    struct sm__facts f;
    rc = sm__facts_init(&f, r, diag);
    if (rc)
        return rc;
    size_t *order = NULL;
    size_t n = 0;
    json_t *ctx = json_object();
    if (!ctx)
        rc = SM_ENOMEM;
    if (rc == SM_OK)
        rc = sm__checksheet_order(r, &order, &n);
    if (rc == SM_OK)
        rc = sm__facts_json(&f, ctx);
    if (rc == SM_OK)
        rc = sm__jset_str(ctx, "title", "共通項チェックシート");
    if (rc == SM_OK)
        rc = sm__jset_int(ctx, "n_items", (long long)n);
    if (rc == SM_OK)
        rc = categories_json(r, order, n, ctx);
    if (rc == SM_OK)
        rc = sm__html_write("templates/checksheet.html", ctx, path, diag);
    json_decref(ctx);
    sm_free(order);
    sm__facts_release(&f);
    return sm__fail(diag, rc, "the check sheet", path);
}

int sm_export_checksheet_xlsx(const struct sm_report *r, const char *path, struct sm_diag *diag)
{
    sm_diag_clear(diag);
    int rc = sm__report_check(r, diag);
    if (rc)
        return rc;
    struct sm__facts f;
    rc = sm__facts_init(&f, r, diag);
    if (rc)
        return rc;
    size_t *order = NULL;
    size_t n = 0;
    rc = sm__checksheet_order(r, &order, &n);
    if (rc == SM_OK)
        rc = sm__checksheet_xlsx(r, &f, order, n, path, diag);
    sm_free(order);
    sm__facts_release(&f);
    return sm__fail(diag, rc, "the check sheet", path);
}

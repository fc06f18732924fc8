/*
 * The example descriptions by stage (段階別の記載例) of the common items, print-ready HTML:
 * for each common item, in check-sheet order, how a guideline writes it at stage 1, 2 and 3,
 * with the stage the item starts at shaded. It is the reference the working group hands to
 * industries that have no guideline yet.
 *
 * The examples come from the catalog; only the choice of items (the common ones) and the
 * reference score come from the judgement.
 */
#include "internal.h"

#include "smesec/alloc.h"
#include "smesec/catalog.h"
#include "smesec/commons.h"

#include "util/banned.h"

static int examples_json(const struct sm_check_item *it, json_t *o)
{
    json_t *arr = json_array();
    if (!arr)
        return SM_ENOMEM;
    int rc = SM_OK;
    for (int s = 1; s <= SM_STAGES && rc == SM_OK; s++) {
        json_t *e = json_object();
        if (!e) {
            rc = SM_ENOMEM;
            break;
        }
        rc = sm__jset_int(e, "stage", s);
        if (rc == SM_OK)
            rc = sm__jset_str(e, "text", it->example[s - 1]);
        if (rc == SM_OK)
            rc = sm__jset_bool(e, "start", s == it->stage);
        if (rc == SM_OK)
            rc = sm__jpush(arr, e);
        else
            json_decref(e);
    }
    if (rc) {
        json_decref(arr);
        return rc;
    }
    return sm__jset(o, "examples", arr);
}

static int item_json(const struct sm_report *r, size_t i, json_t *items)
{
    const struct sm_check_item *it = sm_catalog_item(r->catalog, i);
    json_t *o = json_object();
    if (!o)
        return SM_ENOMEM;
    int rc = sm__jset_str(o, "id", it->id);
    if (rc == SM_OK)
        rc = sm__jset_str(o, "title", it->title_ja);
    if (rc == SM_OK)
        rc = sm__jset_str(o, "title_en", it->title_en);
    if (rc == SM_OK)
        rc = sm__jset_str(o, "category", sm__category_name(r, it->category));
    if (rc == SM_OK)
        rc = sm__jset_int(o, "stage", it->stage);
    if (rc == SM_OK)
        rc = sm__jset_int(o, "reference", r->judgement->reference[i]);
    if (rc == SM_OK)
        rc = sm__jset_str(o, "description", it->description_ja);
    if (rc == SM_OK)
        rc = sm__jset_str(o, "description_en", it->description_en);
    if (rc == SM_OK)
        rc = examples_json(it, o);
    if (rc) {
        json_decref(o);
        return rc;
    }
    return sm__jpush(items, o);
}

int sm_export_examples_html(const struct sm_report *r, const char *path, struct sm_diag *diag)
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
    json_t *items = json_array();
    if (!ctx || !items)
        rc = SM_ENOMEM;
    if (rc == SM_OK)
        rc = sm__checksheet_order(r, &order, &n);
    for (size_t k = 0; k < n && rc == SM_OK; k++)
        rc = item_json(r, order[k], items);
    if (rc == SM_OK) {
        rc = sm__jset(ctx, "items", items);
        items = NULL;
    }
    if (rc == SM_OK)
        rc = sm__facts_json(&f, ctx);
    if (rc == SM_OK)
        rc = sm__jset_str(ctx, "title", "共通項の段階別記載例");
    if (rc == SM_OK)
        rc = sm__jset_int(ctx, "n_items", (long long)n);
    if (rc == SM_OK)
        rc = sm__html_write("templates/examples.html", ctx, path, diag);
    json_decref(items);
    json_decref(ctx);
    sm_free(order);
    sm__facts_release(&f);
    return sm__fail(diag, rc, "the example descriptions", path);
}

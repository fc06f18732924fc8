/*
 * Regions and prefectures from the reference tables (migration 0002). The result is plain
 * fixed-size structs, so callers can keep it for the life of a process: the data changes
 * only with a new migration.
 */
#include "smesec/geo.h"

#include "smesec/alloc.h"
#include "store/sql.h"

#include <stdio.h>
#include <string.h>

#include "util/banned.h"

/* Copies a column into a fixed field; SM_EDB when it does not fit (the schema allows no such
 * value, so it means a damaged database). */
static int copy_text(char *dst, size_t size, const char *src, struct sm_diag *diag)
{
    size_t n = src ? strlen(src) : 0;
    if (n >= size)
        return sm_diag_set(diag, SM_EDB, "geography value '%s' too long", src);
    memcpy(dst, src ? src : "", n + 1);
    return SM_OK;
}

static int load_regions(struct sm_store *store, struct sm_geo *geo, struct sm_diag *diag)
{
    struct sm_sql *st = NULL;
    int rc =
        sm_sql_prepare(store, "SELECT id, name_ja, name_en FROM regions ORDER BY id", &st, diag);
    while (rc == SM_OK && (rc = sm_sql_step(st, diag)) == SM_SQL_ROW) {
        struct sm_region *r = sm_realloc(geo->regions, (geo->n_regions + 1) * sizeof *r);
        if (!r) {
            rc = SM_ENOMEM;
            break;
        }
        geo->regions = r;
        r = &geo->regions[geo->n_regions++];
        r->id = (int)sm_sql_int64(st, 0);
        if ((rc = copy_text(r->name_ja, sizeof r->name_ja, sm_sql_text(st, 1), diag)) ||
            (rc = copy_text(r->name_en, sizeof r->name_en, sm_sql_text(st, 2), diag)))
            break;
        rc = SM_OK;
    }
    sm_sql_free(st);
    return rc;
}

static int load_prefectures(struct sm_store *store, struct sm_geo *geo, struct sm_diag *diag)
{
    struct sm_sql *st = NULL;
    int rc = sm_sql_prepare(store,
                            "SELECT code, name_ja, name_en, region_id FROM prefectures"
                            " ORDER BY code",
                            &st, diag);
    while (rc == SM_OK && (rc = sm_sql_step(st, diag)) == SM_SQL_ROW) {
        struct sm_prefecture *p =
            sm_realloc(geo->prefectures, (geo->n_prefectures + 1) * sizeof *p);
        if (!p) {
            rc = SM_ENOMEM;
            break;
        }
        geo->prefectures = p;
        p = &geo->prefectures[geo->n_prefectures++];
        p->region_id = (int)sm_sql_int64(st, 3);
        if ((rc = copy_text(p->code, sizeof p->code, sm_sql_text(st, 0), diag)) ||
            (rc = copy_text(p->name_ja, sizeof p->name_ja, sm_sql_text(st, 1), diag)) ||
            (rc = copy_text(p->name_en, sizeof p->name_en, sm_sql_text(st, 2), diag)))
            break;
        rc = SM_OK;
    }
    sm_sql_free(st);
    return rc;
}

int sm_geo_load(struct sm_store *store, struct sm_geo **out, struct sm_diag *diag)
{
    struct sm_geo *geo = sm_calloc(1, sizeof *geo);
    if (!geo)
        return SM_ENOMEM;
    int rc = load_regions(store, geo, diag);
    if (rc == SM_SQL_DONE)
        rc = load_prefectures(store, geo, diag);
    if (rc != SM_SQL_DONE) {
        sm_geo_free(geo);
        return rc;
    }
    *out = geo;
    return SM_OK;
}

void sm_geo_free(struct sm_geo *geo)
{
    if (!geo)
        return;
    sm_free(geo->regions);
    sm_free(geo->prefectures);
    sm_free(geo);
}

const struct sm_prefecture *sm_geo_prefecture(const struct sm_geo *geo, const char *code)
{
    for (size_t i = 0; i < geo->n_prefectures; i++)
        if (strcmp(geo->prefectures[i].code, code) == 0)
            return &geo->prefectures[i];
    return NULL;
}

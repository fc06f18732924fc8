/*
 * Reference data served from memory: Japan's regions and prefectures, loaded from the
 * database once at start (they change only with a migration, which needs a restart anyway)
 * and prepared in the two shapes the server needs: a JSON tree per language for the top
 * page's template, and the finished body of GET /api/v1/prefectures. Both are built before
 * the workers start and only read afterwards.
 */
#include "routes.h"

#include "smesec/alloc.h"

#include "util/banned.h"

/* The regions of geo with their prefectures, names in lang:
 * [{"id":1,"name":"...","prefectures":[{"code":"01","name":"..."}]}] */
static json_t *regions_for(const struct sm_geo *geo, enum sm_lang lang)
{
    json_t *regions = json_array();
    if (regions == NULL)
        return NULL;
    for (size_t i = 0; i < geo->n_regions; i++) {
        const struct sm_region *r = &geo->regions[i];
        json_t *prefs = json_array();
        json_t *region =
            json_pack("{s:i,s:s,s:o*}", "id", r->id, "name",
                      lang == SM_LANG_JA ? r->name_ja : r->name_en, "prefectures", prefs);
        if (region == NULL || json_array_append_new(regions, region) != 0)
            goto fail;
        for (size_t k = 0; k < geo->n_prefectures; k++) {
            const struct sm_prefecture *p = &geo->prefectures[k];
            if (p->region_id != r->id)
                continue;
            json_t *pref = json_pack("{s:s,s:s}", "code", p->code, "name",
                                     lang == SM_LANG_JA ? p->name_ja : p->name_en);
            if (pref == NULL || json_array_append_new(prefs, pref) != 0)
                goto fail;
        }
    }
    return regions;
fail:
    json_decref(regions);
    return NULL;
}

/* The body of GET /api/v1/prefectures. */
static json_t *api_body(const struct sm_geo *geo)
{
    json_t *regions = json_array();
    json_t *flat = json_array();
    json_t *body = json_pack("{s:o*,s:o*}", "regions", regions, "prefectures", flat);
    if (body == NULL)
        return NULL;
    for (size_t i = 0; i < geo->n_regions; i++) {
        const struct sm_region *r = &geo->regions[i];
        json_t *prefs = json_array();
        json_t *region = json_pack("{s:i,s:s,s:s,s:o*}", "id", r->id, "name_ja", r->name_ja,
                                   "name_en", r->name_en, "prefectures", prefs);
        if (region == NULL || json_array_append_new(regions, region) != 0)
            goto fail;
        for (size_t k = 0; k < geo->n_prefectures; k++) {
            const struct sm_prefecture *p = &geo->prefectures[k];
            if (p->region_id != r->id)
                continue;
            json_t *pref = json_pack("{s:s,s:s,s:s}", "code", p->code, "name_ja", p->name_ja,
                                     "name_en", p->name_en);
            if (pref == NULL || json_array_append_new(prefs, pref) != 0)
                goto fail;
        }
    }
    for (size_t k = 0; k < geo->n_prefectures; k++) {
        const struct sm_prefecture *p = &geo->prefectures[k];
        json_t *pref = json_pack("{s:s,s:s,s:s,s:i}", "code", p->code, "name_ja", p->name_ja,
                                 "name_en", p->name_en, "region_id", p->region_id);
        if (pref == NULL || json_array_append_new(flat, pref) != 0)
            goto fail;
    }
    return body;
fail:
    json_decref(body);
    return NULL;
}

static int dump_cb(const char *buffer, size_t size, void *data)
{
    return sm_buf_append(data, buffer, size) == SM_OK ? 0 : -1;
}

int web_refdata_init(struct web_app *app, struct sm_diag *diag)
{
    for (int l = 0; l < SM_LANG_COUNT; l++) {
        app->regions[l] = regions_for(app->geo, (enum sm_lang)l);
        if (app->regions[l] == NULL)
            return sm_diag_set(diag, SM_ENOMEM, "out of memory preparing the regions");
    }
    json_t *body = api_body(app->geo);
    if (body == NULL)
        return sm_diag_set(diag, SM_ENOMEM, "out of memory preparing the prefectures");
    struct sm_buf buf;
    sm_buf_init(&buf, 1024u * 1024u);
    int bad = json_dump_callback(body, dump_cb, &buf, JSON_COMPACT);
    json_decref(body);
    if (bad != 0) {
        sm_buf_release(&buf);
        return sm_diag_set(diag, SM_ENOMEM, "out of memory preparing the prefectures");
    }
    app->prefectures_json = sm_buf_take(&buf, &app->prefectures_json_len);
    if (app->prefectures_json == NULL)
        return sm_diag_set(diag, SM_ENOMEM, "out of memory preparing the prefectures");
    return SM_OK;
}

void web_refdata_free(struct web_app *app)
{
    for (int l = 0; l < SM_LANG_COUNT; l++) {
        json_decref(app->regions[l]);
        app->regions[l] = NULL;
    }
    sm_free(app->prefectures_json);
    app->prefectures_json = NULL;
    app->prefectures_json_len = 0;
}

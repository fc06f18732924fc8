/*
 * The public Otasuketai site, for SME owners who do not log in: find services by
 * prefecture (a list or a tile map of Japan) and filters, read what a service does, see how
 * the monitoring devices cope with ransomware, and read case studies. The inquiry form is
 * in pages_services_inquiry.c, the JSON API in api_services.c.
 *
 * Everything shown comes from the registry's public functions, which only ever return
 * publicly listed services (registered, renewal date not passed, their approved content)
 * and published case studies of those; an unknown or unlisted id is a 404 like any other
 * missing page. Unknown facts stay unknown: a property the provider did not state shows as
 * "not stated", never as "no".
 *
 * The search page is the busiest page of the site, so its answers are cached per (listing
 * generation, date, language, normalised query) in pages_services_cache.c: the whole page
 * for visitors without a session, and for logged-in ones the inside of <main> (their page
 * frame shows who they are). A request then costs one indexed read of the generation and a
 * copy.
 */
#include "pages_services.h"
#include "routes.h"

#include "smesec/alloc.h"
#include "smesec/date.h"

#include <stdio.h>
#include <string.h>

#include "util/banned.h"

/* --- Small helpers -------------------------------------------------------------------- */

/* Replaces "{1}" and "{2}" in the message of key with a and b. */
static void fill(const struct web_request *req, const char *key, const char *a, const char *b,
                 char *out, size_t size)
{
    const char *t = web_text(req, key);
    size_t o = 0;
    while (*t != '\0' && o + 1 < size) {
        if (t[0] == '{' && (t[1] == '1' || t[1] == '2') && t[2] == '}') {
            const char *v = t[1] == '1' ? a : b;
            for (; v != NULL && *v != '\0' && o + 1 < size; v++)
                out[o++] = *v;
            t += 3;
        } else {
            out[o++] = *t++;
        }
    }
    out[o] = '\0';
}

static int set_text(json_t *obj, const char *name, const char *text)
{
    return json_object_set_new(obj, name, json_string(text)) == 0 ? SM_OK : SM_ENOMEM;
}

static int set_key(const struct web_request *req, json_t *obj, const char *name, const char *key)
{
    return set_text(obj, name, web_text(req, key));
}

/* The prefecture's name in the request's language, or NULL. */
static const char *pref_name(const struct web_request *req, const char *code)
{
    const struct sm_prefecture *p = sm_geo_prefecture(req->app->geo, code);
    if (p == NULL)
        return NULL;
    return req->lang == SM_LANG_JA ? p->name_ja : p->name_en;
}

bool svc_path_id(const char *path, const char *prefix, int64_t *id, const char **rest)
{
    size_t n = strlen(prefix);
    if (strncmp(path, prefix, n) != 0)
        return false;
    const char *p = path + n;
    int64_t v = 0;
    size_t digits = 0;
    for (; *p >= '0' && *p <= '9' && digits < 16; p++, digits++)
        v = v * 10 + (*p - '0');
    if (digits == 0 || digits > 15 || v <= 0 || path[n] == '0')
        return false;
    *id = v;
    *rest = p;
    return true;
}

/* The prefectures of a service as words: "全国", or up to six names and how many more. */
static int area_text(const struct web_request *req, bool nationwide, uint64_t mask, json_t *obj)
{
    if (nationwide)
        return set_key(req, obj, "area", "svc.area.nationwide");
    if ((mask & SM_PREF_ALL_MASK) == 0)
        return set_key(req, obj, "area", "svc.area.unstated");
    struct sm_buf b;
    sm_buf_init(&b, 4096);
    const char *sep = web_text(req, "svc.area.separator");
    int shown = 0, more = 0, rc = SM_OK;
    for (int n = 1; n <= 47 && rc == SM_OK; n++) {
        if (!(mask & ((uint64_t)1 << n)))
            continue;
        if (shown == 6) {
            more++;
            continue;
        }
        char code[3] = { (char)('0' + n / 10), (char)('0' + n % 10), '\0' };
        const char *name = pref_name(req, code);
        rc = sm_buf_printf(&b, "%s%s", shown ? sep : "", name != NULL ? name : code);
        shown++;
    }
    if (rc == SM_OK && more > 0) {
        char count[16], tail[128];
        snprintf(count, sizeof count, "%d", more);
        fill(req, "svc.area.more", count, NULL, tail, sizeof tail);
        rc = sm_buf_puts(&b, tail);
    }
    if (rc == SM_OK)
        rc = set_text(obj, "area", b.data != NULL ? b.data : "");
    sm_buf_release(&b);
    return rc;
}

/* What the lists and the service page show about a service at a glance. */
struct glance {
    enum sm_monitoring monitoring;
    int service_class;
    bool nationwide;
    uint64_t prefectures;
    int64_t monthly, per_device, initial;
    enum sm_tri onsite, insurance, monitoring_24h;
    enum sm_effect ransomware;
};

static int add_yen_line(const struct web_request *req, json_t *lines, const char *key, int64_t v)
{
    char yen[32], line[160];
    if (v < 0) {
        char k[64];
        snprintf(k, sizeof k, "%s_unstated", key);
        snprintf(line, sizeof line, "%s", web_text(req, k));
    } else {
        svc_format_yen(v, yen);
        fill(req, key, yen, NULL, line, sizeof line);
    }
    return json_array_append_new(lines, json_string(line)) == 0 ? SM_OK : SM_ENOMEM;
}

/* Adds type_label, class_label, price_lines, area, the yes/no labels and the ransomware
 * rating of g to obj. */
static int add_glance(const struct web_request *req, const struct glance *g, json_t *obj)
{
    char key[64];
    int rc = SM_OK;
    snprintf(key, sizeof key, "svc.type.%s", sm_monitoring_name(g->monitoring));
    rc = set_key(req, obj, "type_label", key);
    if (rc == SM_OK) {
        snprintf(key, sizeof key, "svc.class.%d", g->service_class == 2 ? 2 : 1);
        rc = set_key(req, obj, "class_label", key);
    }
    json_t *lines = json_array();
    if (rc == SM_OK && json_object_set_new(obj, "price_lines", lines) != 0)
        rc = SM_ENOMEM;
    if (rc == SM_OK && g->monitoring != SM_MON_ENDPOINT)
        rc = add_yen_line(req, lines, "svc.price.monthly", g->monthly);
    if (rc == SM_OK && g->monitoring != SM_MON_NETWORK)
        rc = add_yen_line(req, lines, "svc.price.per_device", g->per_device);
    if (rc == SM_OK)
        rc = add_yen_line(req, lines, "svc.price.initial", g->initial);
    if (rc == SM_OK)
        rc = area_text(req, g->nationwide, g->prefectures, obj);

    const struct {
        const char *what;
        enum sm_tri value;
    } tris[] = { { "onsite", g->onsite },
                 { "insurance", g->insurance },
                 { "monitoring_24h", g->monitoring_24h } };

    for (size_t i = 0; rc == SM_OK && i < sizeof tris / sizeof tris[0]; i++) {
        char name[48], cls[48];
        svc_tri_key(tris[i].what, tris[i].value, key);
        snprintf(name, sizeof name, "%s_label", tris[i].what);
        snprintf(cls, sizeof cls, "%s_class", tris[i].what);
        rc = set_key(req, obj, name, key);
        if (rc == SM_OK)
            rc = set_text(obj, cls, sm_tri_name(tris[i].value));
    }
    if (rc == SM_OK) {
        snprintf(key, sizeof key, "svc.effect.%s", sm_effect_name(g->ransomware));
        rc = set_key(req, obj, "rw_label", key);
    }
    if (rc == SM_OK)
        rc = set_text(obj, "rw_symbol", sm_effect_symbol(g->ransomware));
    if (rc == SM_OK)
        rc = set_text(obj, "rw_class", sm_effect_name(g->ransomware));
    return rc;
}

/* The page frame around a body part that was rendered (or cached) on its own. */
static int render_frame(struct web_request *req, int status, const char *title_key,
                        const char *title_detail, const char *lang_query, const char *main_html)
{
    json_t *ctx = json_pack("{s:s,s:s}", "stylesheet", "services.css", "main_html", main_html);
    if (ctx == NULL)
        return SM_ENOMEM;
    int rc = svc_set_str(ctx, "title_detail", title_detail);
    if (rc == SM_OK)
        rc = svc_set_lang_query(ctx, lang_query);
    if (rc == SM_OK)
        rc = web_render(req, status, "services_frame.html", title_key, ctx);
    json_decref(ctx);
    return rc;
}

/* Renders a part (a template without the page frame) with ctx into out. */
static int render_part(struct web_request *req, const char *name, const json_t *ctx,
                       struct sm_buf *out)
{
    struct sm_diag diag;
    sm_diag_clear(&diag);
    int rc = sm_tmpl_render(req->app->tmpl, name, ctx, req->app->i18n, req->lang, out, &diag);
    if (rc != SM_OK && rc != SM_ENOMEM)
        fprintf(stderr, "smesec: cannot render '%s': %s\n", name,
                diag.msg[0] != '\0' ? diag.msg : sm_strerror(rc));
    return rc;
}

/* --- The tile map of Japan ------------------------------------------------------------ */

/* Every prefecture as a square on a grid, roughly where it lies: Hokkaido at the top
 * right, Okinawa at the bottom left. A grid is easier to read and to hit than a traced
 * coastline, and small prefectures are as large as big ones. Okinawa sits beside
 * Kagoshima, as maps of Japan usually inset it. */
static const struct {
    char code[3];
    unsigned char col, row;
} tiles[47] = {
    { "01", 12, 0 }, { "02", 12, 1 }, { "03", 12, 2 }, { "04", 12, 3 }, { "05", 11, 2 },
    { "06", 11, 3 }, { "07", 11, 4 }, { "08", 12, 5 }, { "09", 11, 5 }, { "10", 10, 5 },
    { "11", 10, 6 }, { "12", 11, 6 }, { "13", 10, 7 }, { "14", 10, 8 }, { "15", 10, 4 },
    { "16", 9, 4 },  { "17", 8, 4 },  { "18", 7, 5 },  { "19", 9, 6 },  { "20", 9, 5 },
    { "21", 8, 5 },  { "22", 9, 7 },  { "23", 8, 6 },  { "24", 7, 7 },  { "25", 7, 6 },
    { "26", 6, 5 },  { "27", 6, 6 },  { "28", 5, 5 },  { "29", 6, 7 },  { "30", 6, 8 },
    { "31", 4, 5 },  { "32", 3, 5 },  { "33", 4, 6 },  { "34", 3, 6 },  { "35", 2, 6 },
    { "36", 4, 8 },  { "37", 4, 7 },  { "38", 3, 7 },  { "39", 3, 8 },  { "40", 1, 7 },
    { "41", 0, 7 },  { "42", 0, 8 },  { "43", 1, 8 },  { "44", 2, 7 },  { "45", 2, 8 },
    { "46", 1, 9 },  { "47", 0, 9 },
};

#define TILE      44
#define TILE_STEP 48
#define MAP_COLS  13
#define MAP_ROWS  10

/* The label on a tile: the Japanese name without 都, 府 or 県 (北海道 stays whole), or the
 * English name. */
static void tile_label(const struct sm_prefecture *p, enum sm_lang lang, char out[32])
{
    if (lang != SM_LANG_JA) {
        snprintf(out, 32, "%s", p->name_en);
        return;
    }
    snprintf(out, 32, "%s", p->name_ja);
    size_t n = strlen(out);
    static const char *const suffixes[] = { "県", "府", "都" };
    for (size_t i = 0; i < 3; i++) {
        size_t k = strlen(suffixes[i]);
        if (n > k && strcmp(out + n - k, suffixes[i]) == 0) {
            out[n - k] = '\0';
            break;
        }
    }
}

static int add_map(struct web_request *req, const struct svc_search *s, json_t *ctx)
{
    json_t *arr = json_array();
    if (arr == NULL || json_object_set_new(ctx, "map_tiles", arr) != 0)
        return SM_ENOMEM;
    int bad = json_object_set_new(ctx, "map_w", json_integer(MAP_COLS * TILE_STEP));
    bad |= json_object_set_new(ctx, "map_h", json_integer(MAP_ROWS * TILE_STEP));
    for (size_t i = 0; i < 47 && !bad; i++) {
        const struct sm_prefecture *p = sm_geo_prefecture(req->app->geo, tiles[i].code);
        if (p == NULL)
            continue;
        char label[32];
        tile_label(p, req->lang, label);
        struct sm_buf href;
        sm_buf_init(&href, 256);
        int rc = svc_search_href(s, "prefecture", p->code, &href);
        int x = tiles[i].col * TILE_STEP + 2, y = tiles[i].row * TILE_STEP + 2;
        size_t label_len = strlen(label);
        json_t *t = json_pack("{s:s,s:s,s:s,s:s,s:b,s:i,s:i,s:i,s:i,s:i,s:b}", "code", p->code,
                              "name", req->lang == SM_LANG_JA ? p->name_ja : p->name_en, "label",
                              label, "href", rc == SM_OK && href.data ? href.data : "", "current",
                              strcmp(s->q.prefecture, p->code) == 0, "x", x, "y", y, "tx",
                              x + TILE / 2, "ty", y + TILE / 2 + 5, "region", p->region_id, "long",
                              req->lang != SM_LANG_JA && label_len > 7);
        sm_buf_release(&href);
        if (rc != SM_OK || t == NULL || json_array_append_new(arr, t) != 0)
            bad = 1;
    }
    return bad ? SM_ENOMEM : SM_OK;
}

/* --- GET /services -------------------------------------------------------------------- */

static int add_choice(json_t *arr, const char *value, const char *label, bool on)
{
    json_t *o = json_pack("{s:s,s:s,s:b}", "value", value, "label", label, "on", on);
    return o != NULL && json_array_append_new(arr, o) == 0 ? SM_OK : SM_ENOMEM;
}

/* The filter form's fields, with the search's values chosen. */
static int add_form(struct web_request *req, const struct svc_search *s, json_t *ctx)
{
    const struct sm_registry_query *q = &s->q;
    json_t *prefs = json_array(), *types = json_array(), *classes = json_array(),
           *sorts = json_array();
    int bad = json_object_set_new(ctx, "prefectures", prefs);
    bad |= json_object_set_new(ctx, "types", types);
    bad |= json_object_set_new(ctx, "classes", classes);
    bad |= json_object_set_new(ctx, "sorts", sorts);
    if (bad)
        return SM_ENOMEM;
    const struct sm_geo *geo = req->app->geo;
    for (size_t i = 0; i < geo->n_prefectures; i++) {
        const struct sm_prefecture *p = &geo->prefectures[i];
        if (add_choice(prefs, p->code, req->lang == SM_LANG_JA ? p->name_ja : p->name_en,
                       strcmp(q->prefecture, p->code) == 0) != SM_OK)
            return SM_ENOMEM;
    }
    int rc = add_choice(types, "", web_text(req, "svc.filter.any"), q->monitoring < 0);
    for (int m = SM_MON_NETWORK; rc == SM_OK && m <= SM_MON_COMBINED; m++) {
        char key[64];
        snprintf(key, sizeof key, "svc.type.%s", sm_monitoring_name((enum sm_monitoring)m));
        rc = add_choice(types, sm_monitoring_name((enum sm_monitoring)m), web_text(req, key),
                        q->monitoring == m);
    }
    if (rc == SM_OK)
        rc = add_choice(classes, "", web_text(req, "svc.filter.any"), q->service_class == 0);
    if (rc == SM_OK)
        rc = add_choice(classes, "1", web_text(req, "svc.class.1"), q->service_class == 1);
    if (rc == SM_OK)
        rc = add_choice(classes, "2", web_text(req, "svc.class.2"), q->service_class == 2);
    if (rc == SM_OK)
        rc = add_choice(sorts, "", web_text(req, "svc.sort.default"), q->sort == SM_SORT_DEFAULT);
    if (rc == SM_OK)
        rc = add_choice(sorts, "price", web_text(req, "svc.sort.price"), q->sort == SM_SORT_PRICE);
    if (rc == SM_OK)
        rc = add_choice(sorts, "price_desc", web_text(req, "svc.sort.price_desc"),
                        q->sort == SM_SORT_PRICE_DESC);
    /* The less used fields stay folded unless one of them is in use. */
    bool more =
        q->service_class > 0 || q->devices != 1 || q->max_price >= 0 || q->sort != SM_SORT_DEFAULT;
    bad = json_object_set_new(ctx, "more_open", json_boolean(more));
    bad |= json_object_set_new(ctx, "onsite", json_boolean(q->onsite));
    bad |= json_object_set_new(ctx, "ransomware", json_boolean(q->ransomware));
    bad |= json_object_set_new(ctx, "devices", json_integer(q->devices));
    if (q->max_price >= 0)
        bad |= json_object_set_new(ctx, "max_price", json_integer(q->max_price));
    if (q->prefecture[0] != '\0')
        bad |= json_object_set_new(ctx, "prefecture", json_string(q->prefecture));
    return bad ? SM_ENOMEM : rc;
}

/* One search result for the list. */
static int add_hit(struct web_request *req, const struct svc_search *s,
                   const struct sm_registry_hit *h, json_t *arr)
{
    json_t *o =
        json_pack("{s:I,s:s,s:s,s:b}", "id", (json_int_t)h->service_id, "name",
                  h->name != NULL ? h->name : "", "provider",
                  h->provider_name != NULL ? h->provider_name : "", "fictitious", h->fictitious);
    if (o == NULL || json_array_append_new(arr, o) != 0)
        return SM_ENOMEM;
    struct glance g = {
        .monitoring = h->monitoring,
        .service_class = h->service_class,
        .nationwide = h->nationwide,
        .prefectures = h->prefectures,
        .monthly = h->monthly_yen,
        .per_device = h->device_monthly_yen,
        .initial = h->initial_yen,
        .onsite = h->onsite,
        .insurance = h->insurance,
        .monitoring_24h = h->monitoring_24h,
        .ransomware = h->ransomware,
    };
    int rc = add_glance(req, &g, o);
    if (rc == SM_OK)
        rc = svc_set_str(o, "summary", h->summary);
    if (rc == SM_OK && s->q.devices > 1) {
        /* What this SME would pay, as the price cap and the sort compare it. */
        char n[16], yen[32], line[160];
        snprintf(n, sizeof n, "%d", s->q.devices);
        if (h->price >= 0) {
            svc_format_yen(h->price, yen);
            fill(req, "svc.price.for_devices", n, yen, line, sizeof line);
        } else {
            fill(req, "svc.price.for_devices_unstated", n, NULL, line, sizeof line);
        }
        rc = set_text(o, "price_for_devices", line);
    }
    return rc;
}

/* Links that each drop one filter, for a search that found nothing. */
static int add_suggestions(struct web_request *req, const struct svc_search *s, json_t *ctx)
{
    const struct sm_registry_query *q = &s->q;

    const struct {
        bool active;
        const char *param;
        const char *key;
    } drops[] = {
        { q->max_price >= 0, "max_price", "svc.empty.drop_price" },
        { q->onsite, "onsite", "svc.empty.drop_onsite" },
        { q->ransomware, "ransomware", "svc.empty.drop_ransomware" },
        { q->monitoring >= 0, "type", "svc.empty.drop_type" },
        { q->service_class > 0, "class", "svc.empty.drop_class" },
    };

    json_t *arr = json_array();
    if (arr == NULL || json_object_set_new(ctx, "suggestions", arr) != 0)
        return SM_ENOMEM;
    for (size_t i = 0; i < sizeof drops / sizeof drops[0]; i++) {
        if (!drops[i].active)
            continue;
        struct sm_buf href;
        sm_buf_init(&href, 256);
        int rc = svc_search_href(s, drops[i].param, NULL, &href);
        json_t *o = json_pack("{s:s,s:s}", "href", href.data != NULL ? href.data : "", "label",
                              web_text(req, drops[i].key));
        sm_buf_release(&href);
        if (rc != SM_OK || o == NULL || json_array_append_new(arr, o) != 0)
            return SM_ENOMEM;
    }
    if (json_array_size(arr) > 0 && json_object_set_new(ctx, "has_suggestions", json_true()))
        return SM_ENOMEM;
    return SM_OK;
}

/* The pager under the list. */
static int add_pages(const struct svc_search *s, size_t total, json_t *ctx)
{
    int pages = (int)((total + SVC_PAGE_SIZE - 1) / SVC_PAGE_SIZE);
    if (pages <= 1)
        return SM_OK;
    json_t *o = json_pack("{s:i,s:i}", "page", s->page, "pages", pages);
    if (o == NULL || json_object_set_new(ctx, "pager", o) != 0)
        return SM_ENOMEM;

    const struct {
        const char *name;
        int page;
        bool show;
    } links[] = { { "prev", s->page - 1, s->page > 1 && s->page - 1 <= pages },
                  { "next", s->page + 1, s->page < pages } };

    for (size_t i = 0; i < 2; i++) {
        if (!links[i].show)
            continue;
        char n[16];
        snprintf(n, sizeof n, "%d", links[i].page);
        struct sm_buf href;
        sm_buf_init(&href, 256);
        int rc = svc_search_href(s, "page", links[i].page > 1 ? n : NULL, &href);
        if (rc == SM_OK)
            rc = set_text(o, links[i].name, href.data != NULL ? href.data : "");
        sm_buf_release(&href);
        if (rc != SM_OK)
            return rc;
    }
    return SM_OK;
}

/* Renders the inside of <main> of a search page into out. res is NULL when the search was
 * refused (error_text says why). */
static int render_search(struct web_request *req, const struct svc_search *s,
                         const struct sm_registry_results *res, const char *error_text,
                         struct sm_buf *out)
{
    json_t *ctx = json_object();
    if (ctx == NULL)
        return SM_ENOMEM;
    int rc = add_form(req, s, ctx);
    if (rc == SM_OK)
        rc = add_map(req, s, ctx);
    const char *pname = s->q.prefecture[0] ? pref_name(req, s->q.prefecture) : NULL;
    char heading[256];
    if (pname != NULL)
        fill(req, "svc.search.heading_in", pname, NULL, heading, sizeof heading);
    else
        snprintf(heading, sizeof heading, "%s", web_text(req, "svc.search.heading"));
    if (rc == SM_OK)
        rc = set_text(ctx, "heading", heading);
    if (rc == SM_OK)
        rc = svc_set_str(ctx, "error", error_text);
    if (rc == SM_OK && res != NULL) {
        char total[16], from[16], to[16], line[256];
        snprintf(total, sizeof total, "%zu", res->total);
        fill(req, res->total == 1 ? "svc.results.count_one" : "svc.results.count", total, NULL,
             line, sizeof line);
        rc = set_text(ctx, "results_heading", line);
        fill(req, "svc.search.jump", total, NULL, line, sizeof line);
        if (rc == SM_OK)
            rc = set_text(ctx, "jump", line);
        json_t *arr = json_array();
        if (rc == SM_OK && json_object_set_new(ctx, "results", arr) != 0)
            rc = SM_ENOMEM;
        for (size_t i = 0; rc == SM_OK && i < res->n; i++)
            rc = add_hit(req, s, &res->hits[i], arr);
        if (rc == SM_OK && json_object_set_new(ctx, "has_results", json_boolean(res->n > 0)))
            rc = SM_ENOMEM;
        if (rc == SM_OK && res->n > 0 && res->total > res->n) {
            snprintf(from, sizeof from, "%zu", s->q.offset + 1);
            snprintf(to, sizeof to, "%zu", s->q.offset + res->n);
            fill(req, "svc.results.range", from, to, line, sizeof line);
            rc = set_text(ctx, "range", line);
        }
        if (rc == SM_OK && res->n == 0) {
            bool past_end = res->total > 0;
            rc = json_object_set_new(ctx, past_end ? "past_end" : "empty", json_true()) == 0
                     ? SM_OK
                     : SM_ENOMEM;
            if (rc == SM_OK && !past_end)
                rc = add_suggestions(req, s, ctx);
            if (rc == SM_OK && past_end) {
                struct sm_buf first;
                sm_buf_init(&first, 256);
                rc = svc_search_href(s, "page", NULL, &first);
                if (rc == SM_OK)
                    rc = set_text(ctx, "first_page", first.data != NULL ? first.data : "");
                sm_buf_release(&first);
            }
        }
        if (rc == SM_OK)
            rc = add_pages(s, res->total, ctx);
    }
    if (rc == SM_OK)
        rc = render_part(req, "services_search.html", ctx, out);
    json_decref(ctx);
    return rc;
}

int route_services(struct web_request *req)
{
    svc_note_channel(req);
    struct sm_diag diag;
    sm_diag_clear(&diag);
    struct svc_search s;
    struct sm_buf main_html;
    sm_buf_init(&main_html, WEB_PAGE_MAX);
    int rc = svc_search_parse(req, false, &s, &diag);
    if (rc == SM_EINVAL) {
        /* A bad value (an old link, a typed URL): the form keeps what was read before the
         * bad parameter, with the reason, and no results rather than results for some
         * other search. */
        char label_key[64], reason[512];
        if (s.bad_name != NULL && strcmp(s.bad_name, "page") != 0)
            snprintf(label_key, sizeof label_key, "svc.filter.%s", s.bad_name);
        else
            snprintf(label_key, sizeof label_key, "svc.search.page_param");
        fill(req, "svc.search.bad_param", web_text(req, label_key), NULL, reason, sizeof reason);
        rc = render_search(req, &s, NULL, reason, &main_html);
        if (rc == SM_OK)
            rc = sm_buf_putc(&main_html, '\0');
        if (rc == SM_OK)
            rc = render_frame(req, 400, "svc.search.title", NULL, NULL, main_html.data);
        sm_buf_release(&main_html);
        return rc;
    }
    if (rc != SM_OK)
        return rc;

    char today[SM_DATE_SIZE];
    sm_date_today(today);
    memcpy(s.q.today, today, SM_DATE_SIZE);
    int64_t generation = 0;
    rc = sm_registry_listing_generation(web_store(req), &generation, &diag);
    /* A visitor without a session (nearly everyone here) gets a page that depends on the
     * search and the language alone: the whole page is cached. A logged-in one sees their
     * name in the header, so only the inside of <main> is taken from the cache. */
    bool anonymous = web_session_token(req) == NULL;
    char page_key[256], main_key[256];
    snprintf(page_key, sizeof page_key, "page|%s|%s", sm_lang_code(req->lang), s.canon);
    snprintf(main_key, sizeof main_key, "main|%s|%s", sm_lang_code(req->lang), s.canon);
    bool hit = false;
    if (rc == SM_OK && anonymous) {
        sm_buf_reset(&req->res.body);
        req->res.static_body = NULL;
        rc = svc_cache_get(generation, today, page_key, &req->res.body, &hit);
        if (rc == SM_OK && hit) {
            web_store_put(req);
            req->res.status = 200;
            req->res.content_type = "text/html; charset=utf-8";
            sm_buf_release(&main_html);
            return web_header_add(req, "X-Cache", "hit");
        }
    }
    if (rc == SM_OK)
        rc = svc_cache_get(generation, today, main_key, &main_html, &hit);
    if (rc == SM_OK && !hit) {
        struct sm_registry_results *res = NULL;
        rc = sm_registry_search(web_store(req), &s.q, &res, &diag);
        if (rc == SM_OK)
            rc = render_search(req, &s, res, NULL, &main_html);
        sm_registry_results_free(res);
        /* A full cache or a failed copy costs speed, not the answer. */
        if (rc == SM_OK)
            svc_cache_put(generation, today, main_key, main_html.data != NULL ? main_html.data : "",
                          main_html.len);
    }
    web_store_put(req);
    if (rc == SM_OK)
        rc = sm_buf_putc(&main_html, '\0');
    const char *pname = s.q.prefecture[0] ? pref_name(req, s.q.prefecture) : NULL;
    if (rc == SM_OK)
        rc = render_frame(req, 200, "svc.search.title", pname, s.canon, main_html.data);
    sm_buf_release(&main_html);
    if (rc == SM_OK && anonymous)
        svc_cache_put(generation, today, page_key, req->res.body.data, req->res.body.len);
    if (rc == SM_OK)
        rc = web_header_add(req, "X-Cache", hit ? "hit" : "miss");
    if (rc != SM_OK && req->res.status == 0)
        return web_fail_err(req, rc, &diag);
    return rc;
}

/* --- GET /services/{id} --------------------------------------------------------------- */

static int add_device(struct web_request *req, const struct sm_device *d, json_t *arr)
{
    char key[64];
    snprintf(key, sizeof key, "svc.device.%s", sm_device_kind_name(d->kind));
    json_t *o = json_pack("{s:s,s:s,s:s,s:s}", "kind_label", web_text(req, key), "symbol",
                          sm_effect_symbol(d->ransomware), "effect_class",
                          sm_effect_name(d->ransomware), "effect_label", "");
    if (o == NULL || json_array_append_new(arr, o) != 0)
        return SM_ENOMEM;
    snprintf(key, sizeof key, "svc.effect.%s", sm_effect_name(d->ransomware));
    int rc = set_key(req, o, "effect_label", key);
    if (rc == SM_OK)
        rc = svc_set_str(o, "maker", d->maker);
    if (rc == SM_OK)
        rc = svc_set_str(o, "product", d->product);
    if (rc == SM_OK)
        rc = svc_set_str(o, "functions", d->functions);
    if (rc == SM_OK)
        rc = svc_set_str(o, "reason", d->reason);
    return rc;
}

/* The help-desk channels as words ("電話、メール"). */
static int channels_text(struct web_request *req, unsigned channels, json_t *obj)
{
    static const struct {
        unsigned bit;
        const char *key;
    } names[] = { { SM_CHANNEL_PHONE, "svc.channel.phone" },
                  { SM_CHANNEL_EMAIL, "svc.channel.email" },
                  { SM_CHANNEL_WEB, "svc.channel.web" },
                  { SM_CHANNEL_CHAT, "svc.channel.chat" } };

    char out[256] = "";
    size_t o = 0;
    for (size_t i = 0; i < 4; i++) {
        if (!(channels & names[i].bit))
            continue;
        int w = snprintf(out + o, sizeof out - o, "%s%s",
                         o ? web_text(req, "svc.area.separator") : "", web_text(req, names[i].key));
        if (w > 0 && (size_t)w < sizeof out - o)
            o += (size_t)w;
    }
    return o > 0 ? set_text(obj, "channels", out) : SM_OK;
}

/* What the service page shows about svc. */
static int service_view(struct web_request *req, const struct sm_registry_service *svc, json_t *o)
{
    const struct sm_service_content *c = &svc->content;
    struct glance g = {
        .monitoring = c->monitoring,
        .service_class = c->service_class,
        .nationwide = c->nationwide,
        .prefectures = c->prefectures,
        .monthly = c->monthly_yen,
        .per_device = c->device_monthly_yen,
        .initial = c->initial_yen,
        .onsite = c->onsite,
        .insurance = c->insurance,
        .monitoring_24h = c->monitoring_24h,
        .ransomware = sm_service_ransomware_best(c),
    };
    int bad = json_object_set_new(o, "id", json_integer(svc->id));
    bad |= json_object_set_new(o, "name", json_string(c->name != NULL ? c->name : ""));
    bad |= json_object_set_new(o, "provider",
                               json_string(svc->provider_name ? svc->provider_name : ""));
    bad |= json_object_set_new(o, "fictitious", json_boolean(svc->fictitious));
    bad |= json_object_set_new(o, "due", json_boolean(svc->effective == SM_SVC_RENEWAL_DUE));
    if (bad)
        return SM_ENOMEM;
    int rc = add_glance(req, &g, o);

    const struct {
        const char *name;
        const char *text;
    } texts[] = {
        { "summary", c->summary },
        { "price_note", c->price_note },
        { "helpdesk_hours", c->helpdesk_hours },
        { "monitoring_method", c->monitoring_method },
        { "insurance_pays", c->insurance_pays },
        { "insurance_user_pays", c->insurance_user_pays },
        { "contract_terms", c->contract_terms },
        { "desc_helpdesk", c->desc_helpdesk },
        { "desc_monitoring", c->desc_monitoring },
        { "desc_onsite", c->desc_onsite },
        { "desc_insurance", c->desc_insurance },
        { "registration_no", svc->registration_no },
        { "registered_on", svc->registered_on },
        { "renewal_on", svc->renewal_on },
    };

    for (size_t i = 0; rc == SM_OK && i < sizeof texts / sizeof texts[0]; i++)
        rc = svc_set_str(o, texts[i].name, texts[i].text);

    const struct {
        const char *what;
        enum sm_tri value;
    } tris[] = { { "helpdesk", c->helpdesk },
                 { "remote_support", c->remote_support },
                 { "insurance_initial_response", c->insurance_initial_response } };

    for (size_t i = 0; rc == SM_OK && i < sizeof tris / sizeof tris[0]; i++) {
        char key[64], name[64];
        svc_tri_key(tris[i].what, tris[i].value, key);
        snprintf(name, sizeof name, "%s_label", tris[i].what);
        rc = set_key(req, o, name, key);
    }
    if (rc == SM_OK)
        rc = channels_text(req, c->helpdesk_channels, o);
    if (rc == SM_OK && c->contract_min_months >= 0) {
        char n[24], line[128];
        snprintf(n, sizeof n, "%lld", (long long)c->contract_min_months);
        fill(req, "svc.page.min_months", n, NULL, line, sizeof line);
        rc = set_text(o, "min_months", line);
    }
    if (rc == SM_OK && c->service_class == 2) {
        /* The class-2 entry statements, as the provider made them. */
        char n[32], line[160];
        if (c->customers_1y >= 0) {
            svc_format_yen(c->customers_1y, n);
            fill(req, "svc.page.customers_1y", n, NULL, line, sizeof line);
            rc = set_text(o, "customers_1y", line);
        }
        if (rc == SM_OK && c->monitored_endpoints >= 0) {
            svc_format_yen(c->monitored_endpoints, n);
            fill(req, "svc.page.endpoints", n, NULL, line, sizeof line);
            rc = set_text(o, "endpoints", line);
        }
    }
    json_t *devices = json_array();
    if (rc == SM_OK && json_object_set_new(o, "devices", devices) != 0)
        rc = SM_ENOMEM;
    for (size_t i = 0; rc == SM_OK && i < c->n_devices; i++)
        rc = add_device(req, &c->devices[i], devices);
    if (rc == SM_OK && json_object_set_new(o, "has_devices", json_boolean(c->n_devices > 0)))
        rc = SM_ENOMEM;
    return rc;
}

/* The provider's public details: its web site (only an http(s) address becomes a link) and
 * head office. A provider that cannot be read just shows less. */
static int provider_view(struct web_request *req, int64_t provider_id, json_t *o)
{
    struct sm_provider_list *list = NULL;
    struct sm_diag diag;
    int rc = sm_registry_providers(web_store(req), provider_id, &list, &diag);
    if (rc == SM_ENOTFOUND)
        return SM_OK;
    if (rc != SM_OK)
        return rc;
    const struct sm_provider *p = &list->items[0];
    if (p->website != NULL &&
        (strncmp(p->website, "https://", 8) == 0 || strncmp(p->website, "http://", 7) == 0))
        rc = svc_set_str(o, "website", p->website);
    if (rc == SM_OK && p->head_office_pref != NULL)
        rc = svc_set_str(o, "head_office", pref_name(req, p->head_office_pref));
    sm_provider_list_free(list);
    return rc;
}

static int case_item(struct web_request *req, const struct sm_case_study *c, json_t *arr)
{
    json_t *o = json_pack("{s:I,s:s,s:I,s:s,s:s}", "id", (json_int_t)c->id, "title",
                          c->title != NULL ? c->title : "", "service_id", (json_int_t)c->service_id,
                          "service_name", c->service_name != NULL ? c->service_name : "",
                          "provider_name", c->provider_name != NULL ? c->provider_name : "");
    if (o == NULL || json_array_append_new(arr, o) != 0)
        return SM_ENOMEM;
    int rc = svc_set_str(o, "industry", c->industry);
    if (rc == SM_OK && c->prefecture != NULL)
        rc = svc_set_str(o, "prefecture", pref_name(req, c->prefecture));
    if (rc == SM_OK)
        rc = svc_set_str(o, "body", c->body);
    if (rc == SM_OK && c->published_at > 0) {
        char date[SM_DATE_SIZE];
        sm_date_format(sm_date_from_unix(c->published_at), date);
        rc = svc_set_str(o, "published_on", date);
    }
    if (rc == SM_OK) {
        char key[64];
        snprintf(key, sizeof key, "svc.cases.source.%s", sm_case_source_name(c->source));
        rc = set_key(req, o, "source_label", key);
    }
    return rc;
}

int svc_render_service(struct web_request *req, int status, const struct sm_registry_service *svc,
                       json_t *form, const char *template_name)
{
    json_t *ctx = json_pack("{s:s}", "stylesheet", "services.css");
    json_t *view = json_object();
    int rc = ctx != NULL && view != NULL && json_object_set_new(ctx, "svc", view) == 0 ? SM_OK
                                                                                       : SM_ENOMEM;
    if (rc != SM_OK) {
        json_decref(view);
        json_decref(ctx);
        return SM_ENOMEM;
    }
    rc = service_view(req, svc, view);
    if (rc == SM_OK)
        rc = provider_view(req, svc->provider_id, view);
    if (rc == SM_OK && form != NULL && json_object_set(ctx, "form", form) != 0)
        rc = SM_ENOMEM;
    char today[SM_DATE_SIZE];
    sm_date_today(today);
    struct sm_case_study_list *cases = NULL;
    struct sm_diag diag;
    if (rc == SM_OK && strcmp(template_name, "services_page.html") == 0) {
        rc = sm_case_studies_public(web_store(req), svc->id, today, 20, &cases, &diag);
        json_t *arr = json_array();
        if (rc == SM_OK && json_object_set_new(view, "cases", arr) != 0)
            rc = SM_ENOMEM;
        for (size_t i = 0; rc == SM_OK && i < cases->n; i++)
            rc = case_item(req, &cases->items[i], arr);
        if (rc == SM_OK && json_object_set_new(view, "has_cases", json_boolean(cases->n > 0)))
            rc = SM_ENOMEM;
        sm_case_study_list_free(cases);
    }
    if (rc == SM_OK)
        rc = svc_set_str(ctx, "title_detail", svc->content.name);
    if (rc == SM_OK)
        rc = web_render(req, status, template_name,
                        strcmp(template_name, "services_page.html") == 0 ? "svc.page.title"
                                                                         : "svc.inq.title",
                        ctx);
    json_decref(ctx);
    return rc;
}

int route_service(struct web_request *req)
{
    int64_t id = 0;
    const char *rest = NULL;
    if (!svc_path_id(req->path, "/services/", &id, &rest))
        return web_fail(req, 404, NULL, NULL);
    if (strcmp(rest, "/inquiry") == 0)
        return svc_route_inquiry_form(req, id);
    if (strcmp(rest, "/inquiry/sent") == 0)
        return svc_route_inquiry_sent(req, id);
    if (rest[0] != '\0')
        return web_fail(req, 404, NULL, NULL);
    svc_note_channel(req);

    char today[SM_DATE_SIZE];
    sm_date_today(today);
    struct sm_registry_service *svc = NULL;
    struct sm_diag diag;
    sm_diag_clear(&diag);
    int rc = sm_registry_service_public(web_store(req), id, today, &svc, &diag);
    if (rc == SM_ENOTFOUND)
        return web_fail(req, 404, "svc.page.not_found", NULL);
    if (rc != SM_OK)
        return web_fail_err(req, rc, &diag);
    json_t *form = NULL;
    rc = svc_inquiry_form(req, id, NULL, NULL, &form);
    if (rc == SM_OK)
        rc = svc_render_service(req, 200, svc, form, "services_page.html");
    json_decref(form);
    sm_registry_service_free(svc);
    return rc;
}

/* --- GET /ransomware ------------------------------------------------------------------ */

int route_ransomware(struct web_request *req)
{
    svc_note_channel(req);
    struct sm_device_catalog *cat = NULL;
    struct sm_diag diag;
    sm_diag_clear(&diag);
    int rc = sm_registry_devices(web_store(req), &cat, &diag);
    if (rc != SM_OK)
        return web_fail_err(req, rc, &diag);
    json_t *ctx = json_pack("{s:s}", "stylesheet", "services.css");
    json_t *rows = json_array();
    if (ctx == NULL || rows == NULL || json_object_set_new(ctx, "devices", rows) != 0) {
        json_decref(rows);
        rc = SM_ENOMEM;
    }
    size_t counts[3] = { 0, 0, 0 };
    const char *source = NULL;
    for (size_t i = 0; rc == SM_OK && i < cat->n; i++) {
        rc = add_device(req, &cat->items[i], rows);
        counts[cat->items[i].ransomware]++;
        if (source == NULL && cat->sources != NULL)
            source = cat->sources[i];
    }
    if (rc == SM_OK)
        rc = svc_set_str(ctx, "source", source);
    for (int e = 0; rc == SM_OK && e < 3; e++) {
        char name[32];
        snprintf(name, sizeof name, "n_%s", sm_effect_name((enum sm_effect)e));
        rc = json_object_set_new(ctx, name, json_integer((json_int_t)counts[e])) == 0 ? SM_OK
                                                                                      : SM_ENOMEM;
    }
    if (rc == SM_OK)
        rc = json_object_set_new(ctx, "has_devices", json_boolean(cat->n > 0)) == 0 ? SM_OK
                                                                                    : SM_ENOMEM;
    sm_device_catalog_free(cat);
    web_store_put(req);
    if (rc == SM_OK)
        rc = web_render(req, 200, "ransomware.html", "svc.rw.title", ctx);
    json_decref(ctx);
    return rc;
}

/* --- GET /cases, GET /cases/{id} ------------------------------------------------------ */

int route_cases(struct web_request *req)
{
    svc_note_channel(req);
    char today[SM_DATE_SIZE];
    sm_date_today(today);
    struct sm_case_study_list *list = NULL;
    struct sm_diag diag;
    sm_diag_clear(&diag);
    int rc = sm_case_studies_public(web_store(req), 0, today, 100, &list, &diag);
    if (rc != SM_OK)
        return web_fail_err(req, rc, &diag);
    json_t *ctx = json_pack("{s:s}", "stylesheet", "services.css");
    json_t *arr = json_array();
    if (ctx == NULL || arr == NULL || json_object_set_new(ctx, "cases", arr) != 0) {
        json_decref(arr);
        rc = SM_ENOMEM;
    }
    for (size_t i = 0; rc == SM_OK && i < list->n; i++)
        rc = case_item(req, &list->items[i], arr);
    sm_case_study_list_free(list);
    web_store_put(req);
    if (rc == SM_OK)
        rc = web_render(req, 200, "cases_list.html", "svc.cases.title", ctx);
    json_decref(ctx);
    return rc;
}

int route_case(struct web_request *req)
{
    int64_t id = 0;
    const char *rest = NULL;
    if (!svc_path_id(req->path, "/cases/", &id, &rest) || rest[0] != '\0')
        return web_fail(req, 404, NULL, NULL);
    svc_note_channel(req);
    char today[SM_DATE_SIZE];
    sm_date_today(today);
    struct sm_case_study_list *list = NULL;
    struct sm_diag diag;
    sm_diag_clear(&diag);
    int rc = sm_case_study_public(web_store(req), id, today, &list, &diag);
    if (rc == SM_ENOTFOUND)
        return web_fail(req, 404, "svc.cases.not_found", NULL);
    if (rc != SM_OK)
        return web_fail_err(req, rc, &diag);
    json_t *ctx = json_pack("{s:s}", "stylesheet", "services.css");
    json_t *arr = json_array();
    if (ctx == NULL || arr == NULL || json_object_set_new(ctx, "one", arr) != 0) {
        json_decref(arr);
        rc = SM_ENOMEM;
    }
    if (rc == SM_OK)
        rc = case_item(req, &list->items[0], arr);
    if (rc == SM_OK)
        rc = svc_set_str(ctx, "title_detail", list->items[0].title);
    sm_case_study_list_free(list);
    web_store_put(req);
    if (rc == SM_OK)
        rc = web_render(req, 200, "cases_page.html", "svc.cases.title", ctx);
    json_decref(ctx);
    return rc;
}

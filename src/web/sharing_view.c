/*
 * A statistics release (the JSON document of sm_sharing_stats or of a published snapshot)
 * turned into what the templates render: for every table a chart and the same numbers as an
 * accessible table, labels in the page's language, and the suppression mark wherever the
 * release has null.
 *
 * Only what the release holds reaches the page: this file formats, it never computes a count,
 * so nothing the release suppressed can come back here.
 */
#include "sharing.h"

#include "smesec/alloc.h"

#include <stdio.h>
#include <string.h>

#include "util/banned.h"

const char *web_vocab_label(struct web_request *req, const char *vocab, const char *key)
{
    char k[128];
    int n = snprintf(k, sizeof k, "sharing.%s.%s", vocab, key ? key : "");
    if (n < 0 || (size_t)n >= sizeof k)
        return key ? key : "";
    const char *t = web_text(req, k);
    /* The catalog answers an unknown key with the key itself. */
    if (strcmp(t, k) == 0)
        return key ? key : "";
    return t;
}

/* "2024H1" as 2024年上期 / 2024 H1. */
static const char *half_label(struct web_request *req, const char *h)
{
    if (!h || !sm_half_valid(h))
        return h ? h : "";
    char buf[64];
    snprintf(buf, sizeof buf, "%.4s%s", h,
             web_text(req, h[5] == '1' ? "stats.half.first" : "stats.half.second"));
    const char *s = sm_arena_strdup(&req->arena, buf);
    return s ? s : h;
}

const char *web_count_text(struct web_request *req, const json_t *count)
{
    if (!json_is_integer(count))
        return web_text(req, "stats.suppressed_mark");
    char buf[32];
    snprintf(buf, sizeof buf, "%lld", (long long)json_integer_value(count));
    const char *s = sm_arena_strdup(&req->arena, buf);
    return s ? s : "";
}

int web_stats_period(struct web_request *req, struct sm_stats_options *o)
{
    static const char *const names[2] = { "from", "to" };
    char *slots[2] = { o->from, o->to };
    for (int i = 0; i < 2; i++) {
        const char *v = web_query_get(req, names[i]);
        if (!v || !*v)
            continue;
        if (!sm_half_valid(v))
            return web_fail(req, 400, "stats.bad_period", "a period is a half-year like 2024H1");
        memcpy(slots[i], v, 7);
    }
    return SM_OK;
}

/* --- Building the context --------------------------------------------------------------- */

struct view {
    struct web_request *req;
    json_t *ctx;
    int bad;
};

static json_t *cell(struct web_request *req, const json_t *count)
{
    return json_pack("{s:s,s:b}", "text", web_count_text(req, count), "hidden",
                     !json_is_integer(count));
}

static char *svg_take(struct sm_buf *b)
{
    char *s = sm_buf_take(b, NULL);
    return s;
}

/* Adds {id, heading, svg, caption, head, rows} to ctx's "sections" from a list table. */
static void list_section(struct view *v, const char *id, const char *heading_key, const json_t *t,
                         const char *vocab, const char *first_col_key)
{
    struct web_request *req = v->req;
    const json_t *rows = json_object_get(t, "rows"), *counts = json_object_get(t, "counts");
    size_t n = json_array_size(rows);
    struct web_bar *bars = sm_arena_calloc(&req->arena, n ? n : 1, sizeof *bars);
    json_t *trows = json_array();
    if (!bars || !trows) {
        v->bad = 1;
        json_decref(trows);
        return;
    }
    for (size_t i = 0; i < n; i++) {
        const json_t *row = json_array_get(rows, i);
        const char *key = json_string_value(json_object_get(row, "key"));
        const char *name = json_string_value(
            json_object_get(row, req->lang == SM_LANG_JA ? "name_ja" : "name_en"));
        const char *label = name ? name : web_vocab_label(req, vocab, key);
        const json_t *c = json_array_get(counts, i);
        bars[i] = (struct web_bar){ .label = label,
                                    .value = json_integer_value(c),
                                    .shown = json_is_integer(c) };
        v->bad |= json_array_append_new(
            trows, json_pack("{s:s,s:[o]}", "th", label, "cells", cell(req, c)));
    }
    v->bad |= json_array_append_new(
        trows, json_pack("{s:s,s:[o],s:b}", "th", web_text(req, "stats.total"), "cells",
                         cell(req, json_object_get(t, "total")), "total", 1));
    struct sm_buf svg;
    sm_buf_init(&svg, 1u << 20);
    const char *heading = web_text(req, heading_key);
    int rc = web_svg_bars(&svg, id, heading, web_text(req, "stats.suppressed_mark"), bars, n);
    char *s = rc ? NULL : svg_take(&svg);
    sm_buf_release(&svg);
    json_t *sec = json_pack("{s:s,s:s,s:s,s:[{s:s},{s:s}],s:o}", "id", id, "heading", heading,
                            "svg", s ? s : "", "head", "text", web_text(req, first_col_key), "text",
                            web_text(req, "stats.count"), "rows", trows);
    sm_free(s);
    if (!sec || rc) {
        v->bad = 1;
        json_decref(sec);
        return;
    }
    v->bad |= json_array_append_new(json_object_get(v->ctx, "sections"), sec);
}

/* A cross table as a table only, with optional charts of its row totals (bars) and column
 * totals (columns). */
static void cross_section(struct view *v, const char *id, const char *heading_key, const json_t *t,
                          const char *row_vocab, const char *col_vocab, const char *corner_key,
                          const char *bars_key, const char *columns_key)
{
    struct web_request *req = v->req;
    const json_t *rows = json_object_get(t, "rows"), *cols = json_object_get(t, "cols");
    const json_t *cells = json_object_get(t, "cells"), *rt = json_object_get(t, "row_totals");
    const json_t *ct = json_object_get(t, "col_totals");
    size_t R = json_array_size(rows), C = json_array_size(cols);
    json_t *head = json_array(), *trows = json_array();
    struct web_bar *rbars = sm_arena_calloc(&req->arena, R + 1, sizeof *rbars);
    struct web_bar *cbars = sm_arena_calloc(&req->arena, C + 1, sizeof *cbars);
    if (!head || !trows || !rbars || !cbars) {
        json_decref(head);
        json_decref(trows);
        v->bad = 1;
        return;
    }
    v->bad |= json_array_append_new(head, json_pack("{s:s}", "text", web_text(req, corner_key)));
    for (size_t j = 0; j < C; j++) {
        const char *key = json_string_value(json_object_get(json_array_get(cols, j), "key"));
        const char *label = strcmp(col_vocab, "half") == 0 ? half_label(req, key)
                                                           : web_vocab_label(req, col_vocab, key);
        v->bad |= json_array_append_new(head, json_pack("{s:s}", "text", label));
        const json_t *c = json_array_get(ct, j);
        cbars[j] = (struct web_bar){ .label = label,
                                     .value = json_integer_value(c),
                                     .shown = json_is_integer(c) };
    }
    v->bad |= json_array_append_new(head, json_pack("{s:s}", "text", web_text(req, "stats.total")));
    for (size_t i = 0; i < R; i++) {
        const char *key = json_string_value(json_object_get(json_array_get(rows, i), "key"));
        const char *label = web_vocab_label(req, row_vocab, key);
        json_t *rc_ = json_array();
        for (size_t j = 0; rc_ && j < C; j++)
            v->bad |=
                json_array_append_new(rc_, cell(req, json_array_get(json_array_get(cells, i), j)));
        const json_t *tot = json_array_get(rt, i);
        v->bad |= !rc_ || json_array_append_new(rc_, cell(req, tot));
        v->bad |= json_array_append_new(trows, json_pack("{s:s,s:o}", "th", label, "cells", rc_));
        rbars[i] = (struct web_bar){ .label = label,
                                     .value = json_integer_value(tot),
                                     .shown = json_is_integer(tot) };
    }
    json_t *tr = json_array();
    for (size_t j = 0; tr && j < C; j++)
        v->bad |= json_array_append_new(tr, cell(req, json_array_get(ct, j)));
    v->bad |= !tr || json_array_append_new(tr, cell(req, json_object_get(t, "total")));
    v->bad |=
        json_array_append_new(trows, json_pack("{s:s,s:o,s:b}", "th", web_text(req, "stats.total"),
                                               "cells", tr, "total", 1));

    const char *heading = web_text(req, heading_key);
    json_t *charts = json_array();
    const char *hidden = web_text(req, "stats.suppressed_mark");
    for (int k = 0; charts && k < 2; k++) {
        const char *key = k == 0 ? bars_key : columns_key;
        if (!key)
            continue;
        char cid[64];
        snprintf(cid, sizeof cid, "%s-%d", id, k);
        struct sm_buf svg;
        sm_buf_init(&svg, 1u << 20);
        int rc = k == 0 ? web_svg_bars(&svg, cid, web_text(req, key), hidden, rbars, R)
                        : web_svg_columns(&svg, cid, web_text(req, key), hidden, cbars, C);
        char *s = rc ? NULL : svg_take(&svg);
        sm_buf_release(&svg);
        v->bad |= !s || json_array_append_new(
                            charts, json_pack("{s:s,s:s}", "title", web_text(req, key), "svg", s));
        sm_free(s);
    }
    json_t *sec = json_pack("{s:s,s:s,s:o,s:o,s:o,s:b}", "id", id, "heading", heading, "head", head,
                            "rows", trows, "charts", charts, "wide", C > 3);
    if (!sec) {
        v->bad = 1;
        return;
    }
    v->bad |= json_array_append_new(json_object_get(v->ctx, "sections"), sec);
}

/* The geography: the tile map and a table of regions with their prefectures. */
static void geo_section(struct view *v, const json_t *t)
{
    struct web_request *req = v->req;
    bool ja = req->lang == SM_LANG_JA;
    const char *nk = ja ? "name_ja" : "name_en";
    const json_t *groups = json_object_get(t, "groups");
    struct web_tile tiles[47];
    size_t n = 0;
    json_t *trows = json_array();
    if (!trows) {
        v->bad = 1;
        return;
    }
    for (size_t g = 0; g < json_array_size(groups); g++) {
        const json_t *grp = json_array_get(groups, g);
        const char *gname = json_string_value(json_object_get(grp, nk));
        v->bad |= json_array_append_new(
            trows, json_pack("{s:s,s:[o],s:b}", "th", gname ? gname : "", "cells",
                             cell(req, json_object_get(grp, "count")), "group", 1));
        const json_t *items = json_object_get(grp, "items");
        for (size_t i = 0; i < json_array_size(items) && n < 47; i++) {
            const json_t *it = json_array_get(items, i);
            const char *name = json_string_value(json_object_get(it, nk));
            const json_t *c = json_object_get(it, "count");
            /* The tile shows the name without 都/府/県 (北海道 stays whole). */
            const char *ja_name = json_string_value(json_object_get(it, "name_ja"));
            char *label = NULL;
            if (ja && ja_name) {
                size_t len = strlen(ja_name);
                if (len > 6 && strcmp(ja_name, "北海道") != 0)
                    len -= 3;
                label = sm_arena_strndup(&req->arena, ja_name, len);
            } else if (name) {
                label = sm_arena_strndup(&req->arena, name, strlen(name) > 4 ? 4 : strlen(name));
            }
            tiles[n++] = (struct web_tile){
                .code = json_string_value(json_object_get(it, "key")),
                .label = label ? label : "",
                .name = name ? name : "",
                .value = json_integer_value(c),
                .shown = json_is_integer(c),
            };
            v->bad |=
                json_array_append_new(trows, json_pack("{s:s,s:[o],s:b}", "th", name ? name : "",
                                                       "cells", cell(req, c), "sub", 1));
        }
    }
    v->bad |= json_array_append_new(
        trows, json_pack("{s:s,s:[o],s:b}", "th", web_text(req, "stats.total"), "cells",
                         cell(req, json_object_get(t, "total")), "total", 1));
    struct sm_buf svg;
    sm_buf_init(&svg, 1u << 20);
    const char *heading = web_text(req, "stats.map.heading");
    int rc = web_svg_tilemap(&svg, "map", heading, tiles, n, web_text(req, "stats.map.hidden"),
                             web_text(req, "stats.map.none"), web_text(req, "stats.count_unit"));
    char *s = rc ? NULL : svg_take(&svg);
    sm_buf_release(&svg);
    json_t *sec =
        json_pack("{s:s,s:s,s:s,s:[{s:s},{s:s}],s:o,s:b}", "id", "geography", "heading", heading,
                  "svg", s ? s : "", "head", "text", web_text(req, "stats.col.area"), "text",
                  web_text(req, "stats.count"), "rows", trows, "map", 1);
    sm_free(s);
    if (!sec || rc) {
        json_decref(sec);
        v->bad = 1;
        return;
    }
    v->bad |= json_array_append_new(json_object_get(v->ctx, "sections"), sec);
}

int web_stats_view(struct web_request *req, const json_t *doc, json_t *ctx)
{
    struct view v = { .req = req, .ctx = ctx };
    v.bad |= json_object_set_new(ctx, "sections", json_array());
    const json_t *total = json_object_get(doc, "total");
    v.bad |= json_object_set_new(ctx, "too_few", json_boolean(!json_is_integer(total)));
    v.bad |= json_object_set(ctx, "k", json_object_get(doc, "k"));
    v.bad |= json_object_set_new(ctx, "total_text", json_string(web_count_text(req, total)));
    const json_t *period = json_object_get(doc, "period");
    const char *from = json_string_value(json_object_get(period, "from"));
    const char *to = json_string_value(json_object_get(period, "to"));
    const json_t *halves = json_object_get(doc, "halves");
    if (!from)
        from = json_string_value(json_array_get(halves, 0));
    if (!to)
        to = json_string_value(json_array_get(halves, json_array_size(halves) - 1));
    if (from && to)
        v.bad |= json_object_set_new(
            ctx, "period",
            json_pack("{s:s,s:s}", "from", half_label(req, from), "to", half_label(req, to)));
    const json_t *share = json_object_get(doc, "onsite_share");
    if (json_is_number(share)) {
        char buf[32];
        snprintf(buf, sizeof buf, "%.1f%%", json_number_value(share) * 100.0);
        v.bad |= json_object_set_new(ctx, "onsite_share", json_string(buf));
    }
    if (v.bad)
        return SM_ENOMEM;
    if (!json_is_integer(total))
        return SM_OK;

    const json_t *tables = json_object_get(doc, "tables");
    const json_t *t;
    if ((t = json_object_get(tables, "geography")))
        geo_section(&v, t);
    if ((t = json_object_get(tables, "regions")))
        list_section(&v, "regions", "stats.regions.heading", t, "region", "stats.col.region");
    if ((t = json_object_get(tables, "threat_by_half")))
        cross_section(&v, "threat_by_half", "stats.threat.heading", t, "threat", "half",
                      "stats.col.threat", "stats.threat.chart", "stats.trend.chart");
    t = json_object_get(tables, "malware_families");
    if (t && !json_is_true(json_object_get(t, "unavailable")))
        list_section(&v, "malware_families", "stats.family.heading", t, "family",
                     "stats.col.family");
    else if (t)
        v.bad |= json_object_set_new(ctx, "families_unavailable", json_true());
    if ((t = json_object_get(tables, "industry_by_size")))
        cross_section(&v, "industry_by_size", "stats.industry.heading", t, "industry", "size",
                      "stats.col.industry", "stats.industry.chart", "stats.size.chart");

    static const struct {
        const char *id, *heading, *vocab, *col;
    } lists[] = {
        { "response", "stats.response.heading", "response", "stats.col.response" },
        { "detection", "stats.detection.heading", "detection", "stats.col.detection" },
        { "outcome", "stats.outcome.heading", "outcome", "stats.col.outcome" },
        { "recovery", "stats.recovery.heading", "recovery", "stats.col.recovery" },
        { "cost", "stats.cost.heading", "cost", "stats.col.cost" },
    };

    for (size_t i = 0; i < sizeof lists / sizeof lists[0]; i++)
        if ((t = json_object_get(tables, lists[i].id)))
            list_section(&v, lists[i].id, lists[i].heading, t, lists[i].vocab, lists[i].col);

    const json_t *nar = json_object_get(doc, "narratives");
    if (json_array_size(nar) > 0) {
        json_t *out = json_array();
        for (size_t i = 0; out && i < json_array_size(nar); i++) {
            const json_t *n = json_array_get(nar, i);
            v.bad |= json_array_append_new(
                out, json_pack("{s:s,s:s}", "threat",
                               web_vocab_label(req, "threat",
                                               json_string_value(json_object_get(n, "threat"))),
                               "text", json_string_value(json_object_get(n, "text"))));
        }
        v.bad |= !out || json_object_set_new(ctx, "narratives", out);
        v.bad |= json_object_set_new(ctx, "has_narratives", json_true());
    }
    return v.bad ? SM_ENOMEM : SM_OK;
}

/*
 * Statistics releases: the anonymised counts of a period for one audience, with small
 * counts suppressed (suppress.c), as one JSON document, and the operator's published
 * snapshots of the public release.
 *
 * The tables of a release (docs/sharing.md):
 *   providers and operator: geography (prefectures within regions), threat kind by
 *     half-year, malware families, industry by size, and the lists of response, detection,
 *     outcome, recovery time and cost;
 *   public: regions, and threat kind by half-year.
 *
 * Invariants that keep suppression sound across the tables of one release:
 *   - every table is a network of sums (suppress.c) and is suppressed on its own;
 *   - no two tables share a count other than the grand total, which is shown (pinned) in
 *     every table, or the release shows nothing at all when it would need suppressing;
 *   - the malware-family list's total (ransomware + malware) is a sum of two counts of the
 *     threat table and is shown only when both are shown there; otherwise the family list is
 *     left out, since its total would tie hidden counts of two tables together;
 *   - a suppressed count is null, whatever the reason: the release never says which counts
 *     are under k and which were suppressed to protect them.
 * Counts come from incident_tally, so a release reads a few thousand rows however many
 * reports there are.
 */
#include "sharing/internal.h"

#include "smesec/alloc.h"
#include "smesec/date.h"
#include "smesec/geo.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/banned.h"

#define NARRATIVES_MAX 30

/* One row of incident_tally that counts for the release. */
struct trow {
    int dim;
    char half[7];
    const char *k1;
    const char *k2;
    size_t provider; /* index into the release's providers */
    int64_t n;
};

enum {
    D_GEO,
    D_THREAT,
    D_FAMILY,
    D_IND_SIZE,
    D_RESPONSE,
    D_DETECTION,
    D_OUTCOME,
    D_RECOVERY,
    D_COST,
    D_COUNT
};

static const char *const dims[D_COUNT] = { "geo",      "threat",   "family",
                                           "ind_size", "response", "detection",
                                           "outcome",  "recovery", "cost" };

struct release {
    struct sm_arena *a;
    int k;
    size_t n_rows, cap_rows;
    struct trow *rows;
    size_t n_providers, cap_providers;
    int64_t *providers; /* ids, in order of first appearance */
    char **halves;      /* contiguous half-years from the first to the last counted */
    size_t n_halves;
    int max_tlp; /* -1 when nothing is counted */
};

/* --- Reading the tally ------------------------------------------------------------------ */

static size_t provider_index(struct release *r, int64_t id, bool *oom)
{
    for (size_t p = 0; p < r->n_providers; p++)
        if (r->providers[p] == id)
            return p;
    int64_t *slot =
        sm__sh_push(r->a, (void **)&r->providers, &r->n_providers, &r->cap_providers, sizeof *slot);
    if (!slot) {
        *oom = true;
        return 0;
    }
    *slot = id;
    return r->n_providers - 1;
}

static int load_rows(struct sm_store *store, struct release *r, enum sm_audience audience,
                     const char *from, const char *to, struct sm_diag *diag)
{
    struct sm_sql *st = NULL;
    int rc = sm_sql_prepare(store,
                            "SELECT dim, half, k1, k2, tlp, provider_id, n FROM incident_tally"
                            " WHERE n > 0 AND (CAST(? AS TEXT) = '' OR half >= ?)"
                            " AND (CAST(? AS TEXT) = '' OR half <= ?)",
                            &st, diag);
    if (!rc)
        rc = sm_sql_bindv(st, "tttt", from, from, to, to);
    bool oom = false;
    r->max_tlp = -1;
    while (!rc) {
        int s = sm_sql_step(st, diag);
        if (s == SM_SQL_DONE)
            break;
        if (s != SM_SQL_ROW) {
            rc = s;
            break;
        }
        enum sm_tlp tlp;
        if (sm_tlp_parse(sm_sql_text(st, 4), &tlp)) {
            rc = sm_diag_set(diag, SM_EDB, "a tally row has an unknown tlp");
            break;
        }
        if (!sm_tlp_reaches(tlp, audience))
            continue;
        int dim = -1;
        const char *d = sm_sql_text(st, 0);
        for (int k = 0; k < D_COUNT; k++)
            if (d && strcmp(d, dims[k]) == 0)
                dim = k;
        if (dim < 0)
            continue;
        struct trow *t = sm__sh_push(r->a, (void **)&r->rows, &r->n_rows, &r->cap_rows, sizeof *t);
        if (!t) {
            rc = SM_ENOMEM;
            break;
        }
        t->dim = dim;
        const char *h = sm_sql_text(st, 1);
        snprintf(t->half, sizeof t->half, "%s", h ? h : "");
        t->k1 = sm_arena_strdup(r->a, sm_sql_text(st, 2) ? sm_sql_text(st, 2) : "");
        t->k2 = sm_arena_strdup(r->a, sm_sql_text(st, 3) ? sm_sql_text(st, 3) : "");
        t->provider = provider_index(r, sm_sql_int64(st, 5), &oom);
        t->n = sm_sql_int64(st, 6);
        if (!t->k1 || !t->k2 || oom) {
            rc = SM_ENOMEM;
            break;
        }
        if ((int)tlp > r->max_tlp)
            r->max_tlp = (int)tlp;
    }
    sm_sql_free(st);
    return rc;
}

/* The half-year after h. */
static void next_half(const char *h, char out[7])
{
    int y = (h[0] - '0') * 1000 + (h[1] - '0') * 100 + (h[2] - '0') * 10 + (h[3] - '0');
    char buf[24];
    if (h[5] == '1')
        snprintf(buf, sizeof buf, "%04dH2", y % 10000);
    else
        snprintf(buf, sizeof buf, "%04dH1", (y + 1) % 10000);
    memcpy(out, buf, 6);
    out[6] = '\0';
}

/* Every half-year from the first to the last with a count (threat rows count each report
 * once), so a trend shows the empty ones too. At most 200. */
static int make_halves(struct release *r)
{
    const char *lo = NULL, *hi = NULL;
    for (size_t i = 0; i < r->n_rows; i++) {
        if (r->rows[i].dim != D_THREAT)
            continue;
        if (!lo || strcmp(r->rows[i].half, lo) < 0)
            lo = r->rows[i].half;
        if (!hi || strcmp(r->rows[i].half, hi) > 0)
            hi = r->rows[i].half;
    }
    if (!lo)
        return SM_OK;
    size_t cap = 0;
    char cur[7];
    snprintf(cur, sizeof cur, "%s", lo);
    for (int guard = 0; guard < 200; guard++) {
        char **slot = sm__sh_push(r->a, (void **)&r->halves, &r->n_halves, &cap, sizeof *slot);
        if (!slot || !(*slot = sm_arena_strdup(r->a, cur)))
            return SM_ENOMEM;
        if (strcmp(cur, hi) >= 0)
            break;
        char nx[7];
        next_half(cur, nx);
        memcpy(cur, nx, sizeof cur);
    }
    return SM_OK;
}

/* --- Building tables ----------------------------------------------------------------------- */

struct tb {
    struct release *r;
    struct sm_supp_table t;
    size_t cap;
};

static void tb_init(struct tb *b, struct release *r, int n_nodes)
{
    memset(b, 0, sizeof *b);
    b->r = r;
    b->t.n_nodes = n_nodes;
    b->t.n_providers = r->n_providers;
}

/* Adds an arc with value and own parts (copied; NULL for none) and returns its index, or
 * (size_t)-1 when out of memory. */
static size_t tb_arc(struct tb *b, int from, int to, int64_t value, const int64_t *own, bool pinned)
{
    struct sm_supp_arc *a =
        sm__sh_push(b->r->a, (void **)&b->t.arcs, &b->t.n_arcs, &b->cap, sizeof *a);
    if (!a)
        return (size_t)-1;
    a->from = from;
    a->to = to;
    a->value = value;
    a->pinned = pinned;
    size_t P = b->r->n_providers;
    int64_t *o = sm_arena_calloc(b->r->a, P ? P : 1, sizeof *o);
    if (!o)
        return (size_t)-1;
    if (own)
        memcpy(o, own, P * sizeof *o);
    a->own = o;
    return b->t.n_arcs - 1;
}

/* Counts of dim's rows by key: value[i] and own[i * P + p] for keys[i]; with k2 the key is
 * (k1, k2) matched against keys and keys2. */
struct counts {
    size_t n;
    int64_t *value;
    int64_t *own;
};

static int count_by(struct release *r, int dim, const char *const *keys, size_t n_keys,
                    bool by_half, const char *const *keys2, size_t n_keys2, struct counts *c)
{
    size_t P = r->n_providers ? r->n_providers : 1;
    size_t n = n_keys * (keys2 ? n_keys2 : 1);
    c->n = n;
    c->value = sm_arena_calloc(r->a, n ? n : 1, sizeof *c->value);
    c->own = sm_arena_calloc(r->a, (n ? n : 1) * P, sizeof *c->own);
    if (!c->value || !c->own)
        return SM_ENOMEM;
    for (size_t i = 0; i < r->n_rows; i++) {
        const struct trow *t = &r->rows[i];
        if (t->dim != dim)
            continue;
        const char *k = by_half ? t->half : t->k1;
        size_t a = n_keys;
        for (size_t x = 0; x < n_keys && a == n_keys; x++)
            if (strcmp(k, keys[x]) == 0)
                a = x;
        if (a == n_keys)
            continue;
        size_t idx = a;
        if (keys2) {
            const char *k2 = by_half ? t->k1 : t->k2;
            size_t b = n_keys2;
            for (size_t x = 0; x < n_keys2 && b == n_keys2; x++)
                if (strcmp(k2, keys2[x]) == 0)
                    b = x;
            if (b == n_keys2)
                continue;
            idx = a * n_keys2 + b;
        }
        c->value[idx] += t->n;
        c->own[idx * P + t->provider] += t->n;
    }
    return SM_OK;
}

static json_t *count_json(const struct sm_supp_arc *a)
{
    return a->hidden ? json_null() : json_integer((json_int_t)a->value);
}

static json_t *keys_json(const char *const *keys, size_t n)
{
    json_t *arr = json_array();
    for (size_t i = 0; arr && i < n; i++)
        if (json_array_append_new(arr, json_pack("{s:s}", "key", keys[i]))) {
            json_decref(arr);
            return NULL;
        }
    return arr;
}

/* A list: rows summing to a pinned total. Arcs: rows then the total. */
static int list_table(struct release *r, const char *const *keys, const struct counts *c,
                      int64_t total, const int64_t *total_own, json_t **out)
{
    struct tb b;
    tb_init(&b, r, 2);
    size_t P = r->n_providers ? r->n_providers : 1;
    for (size_t i = 0; i < c->n; i++)
        if (tb_arc(&b, 0, 1, c->value[i], c->own + i * P, false) == (size_t)-1)
            return SM_ENOMEM;
    if (tb_arc(&b, 1, 0, total, total_own, true) == (size_t)-1)
        return SM_ENOMEM;
    int rc = sm_supp_run(&b.t, r->k);
    if (rc)
        return rc;
    json_t *counts = json_array();
    for (size_t i = 0; counts && i < c->n; i++)
        if (json_array_append_new(counts, count_json(&b.t.arcs[i]))) {
            json_decref(counts);
            counts = NULL;
        }
    json_t *t = json_pack("{s:s,s:o,s:o*,s:o}", "kind", "list", "rows", keys_json(keys, c->n),
                          "counts", counts, "total", count_json(&b.t.arcs[c->n]));
    if (!t)
        return SM_ENOMEM;
    *out = t;
    return SM_OK;
}

/* A cross table: cells rows x cols with their totals and the pinned grand total. shown_rows
 * (may be NULL) gets whether each row total is shown. */
static int cross_table(struct release *r, const char *const *rows, size_t R,
                       const char *const *cols, size_t C, const struct counts *c, int64_t total,
                       const int64_t *total_own, bool *shown_rows, json_t **out)
{
    size_t P = r->n_providers ? r->n_providers : 1;
    int TC = (int)(R + C), TR = (int)(R + C + 1);
    struct tb b;
    tb_init(&b, r, (int)(R + C + 2));
    int64_t *sum = sm_arena_calloc(r->a, (R + C) * (P + 1), sizeof *sum);
    if (!sum)
        return SM_ENOMEM;
    /* sum[x * (P+1)] the total of row (x < R) or column (x >= R), then the own parts. */
    for (size_t i = 0; i < R; i++)
        for (size_t j = 0; j < C; j++) {
            size_t idx = i * C + j;
            if (tb_arc(&b, (int)(R + j), (int)i, c->value[idx], c->own + idx * P, false) ==
                (size_t)-1)
                return SM_ENOMEM;
            int64_t *rs = sum + i * (P + 1), *cs = sum + (R + j) * (P + 1);
            rs[0] += c->value[idx];
            cs[0] += c->value[idx];
            for (size_t p = 0; p < r->n_providers; p++) {
                rs[1 + p] += c->own[idx * P + p];
                cs[1 + p] += c->own[idx * P + p];
            }
        }
    for (size_t i = 0; i < R; i++)
        if (tb_arc(&b, (int)i, TC, sum[i * (P + 1)], sum + i * (P + 1) + 1, false) == (size_t)-1)
            return SM_ENOMEM;
    for (size_t j = 0; j < C; j++)
        if (tb_arc(&b, TR, (int)(R + j), sum[(R + j) * (P + 1)], sum + (R + j) * (P + 1) + 1,
                   false) == (size_t)-1)
            return SM_ENOMEM;
    if (tb_arc(&b, TC, TR, total, total_own, true) == (size_t)-1)
        return SM_ENOMEM;
    int rc = sm_supp_run(&b.t, r->k);
    if (rc)
        return rc;
    const struct sm_supp_arc *arcs = b.t.arcs;
    json_t *cells = json_array(), *rt = json_array(), *ct = json_array();
    int bad = !cells || !rt || !ct;
    for (size_t i = 0; !bad && i < R; i++) {
        json_t *row = json_array();
        for (size_t j = 0; row && j < C; j++)
            bad |= json_array_append_new(row, count_json(&arcs[i * C + j]));
        bad |= !row || json_array_append_new(cells, row);
        bad |= json_array_append_new(rt, count_json(&arcs[R * C + i]));
        if (shown_rows)
            shown_rows[i] = !arcs[R * C + i].hidden;
    }
    for (size_t j = 0; !bad && j < C; j++)
        bad |= json_array_append_new(ct, count_json(&arcs[R * C + R + j]));
    if (bad) {
        json_decref(cells);
        json_decref(rt);
        json_decref(ct);
        return SM_ENOMEM;
    }
    json_t *t =
        json_pack("{s:s,s:o,s:o,s:o,s:o,s:o,s:o}", "kind", "cross", "rows", keys_json(rows, R),
                  "cols", keys_json(cols, C), "cells", cells, "row_totals", rt, "col_totals", ct,
                  "total", count_json(&arcs[b.t.n_arcs - 1]));
    if (!t)
        return SM_ENOMEM;
    *out = t;
    return SM_OK;
}

/* The geography tree: prefectures within regions within the pinned total. */
static int geo_table(struct release *r, const struct sm_geo *geo, int64_t total,
                     const int64_t *total_own, json_t **out)
{
    size_t P = r->n_providers ? r->n_providers : 1;
    size_t np = geo->n_prefectures, nr = geo->n_regions;
    const char **codes = sm_arena_calloc(r->a, np ? np : 1, sizeof *codes);
    if (!codes)
        return SM_ENOMEM;
    for (size_t i = 0; i < np; i++)
        codes[i] = geo->prefectures[i].code;
    struct counts c;
    int rc = count_by(r, D_GEO, codes, np, false, NULL, 0, &c);
    if (rc)
        return rc;
    /* Nodes: 0 outside, 1 the nation, 2 + region index. */
    struct tb b;
    tb_init(&b, r, (int)(2 + nr));
    int64_t *rs = sm_arena_calloc(r->a, nr * (P + 1) + 1, sizeof *rs);
    if (!rs)
        return SM_ENOMEM;
    size_t *reg_of = sm_arena_calloc(r->a, np ? np : 1, sizeof *reg_of);
    if (!reg_of)
        return SM_ENOMEM;
    for (size_t i = 0; i < np; i++) {
        size_t g = 0;
        for (size_t x = 0; x < nr; x++)
            if (geo->regions[x].id == geo->prefectures[i].region_id)
                g = x;
        reg_of[i] = g;
        if (tb_arc(&b, 0, (int)(2 + g), c.value[i], c.own + i * P, false) == (size_t)-1)
            return SM_ENOMEM;
        rs[g * (P + 1)] += c.value[i];
        for (size_t p = 0; p < r->n_providers; p++)
            rs[g * (P + 1) + 1 + p] += c.own[i * P + p];
    }
    for (size_t g = 0; g < nr; g++)
        if (tb_arc(&b, (int)(2 + g), 1, rs[g * (P + 1)], rs + g * (P + 1) + 1, false) == (size_t)-1)
            return SM_ENOMEM;
    if (tb_arc(&b, 1, 0, total, total_own, true) == (size_t)-1)
        return SM_ENOMEM;
    rc = sm_supp_run(&b.t, r->k);
    if (rc)
        return rc;
    json_t *groups = json_array();
    int bad = !groups;
    for (size_t g = 0; !bad && g < nr; g++) {
        json_t *items = json_array();
        for (size_t i = 0; items && !bad && i < np; i++) {
            if (reg_of[i] != g)
                continue;
            bad |= json_array_append_new(
                items, json_pack("{s:s,s:s,s:s,s:o}", "key", geo->prefectures[i].code, "name_ja",
                                 geo->prefectures[i].name_ja, "name_en",
                                 geo->prefectures[i].name_en, "count", count_json(&b.t.arcs[i])));
        }
        char key[8];
        snprintf(key, sizeof key, "%d", geo->regions[g].id);
        bad |= !items ||
               json_array_append_new(
                   groups, json_pack("{s:s,s:s,s:s,s:o,s:o}", "key", key, "name_ja",
                                     geo->regions[g].name_ja, "name_en", geo->regions[g].name_en,
                                     "count", count_json(&b.t.arcs[np + g]), "items", items));
    }
    if (bad) {
        json_decref(groups);
        return SM_ENOMEM;
    }
    json_t *t = json_pack("{s:s,s:o,s:o}", "kind", "grouped", "groups", groups, "total",
                          count_json(&b.t.arcs[np + nr]));
    if (!t)
        return SM_ENOMEM;
    *out = t;
    return SM_OK;
}

/* The public release's regions: a list of the eight regions. */
static int region_table(struct release *r, const struct sm_geo *geo, int64_t total,
                        const int64_t *total_own, json_t **out)
{
    size_t P = r->n_providers ? r->n_providers : 1;
    size_t np = geo->n_prefectures, nr = geo->n_regions;
    const char **codes = sm_arena_calloc(r->a, np ? np : 1, sizeof *codes);
    const char **rkeys = sm_arena_calloc(r->a, nr ? nr : 1, sizeof *rkeys);
    if (!codes || !rkeys)
        return SM_ENOMEM;
    for (size_t i = 0; i < np; i++)
        codes[i] = geo->prefectures[i].code;
    struct counts pc, rc_;
    int rc = count_by(r, D_GEO, codes, np, false, NULL, 0, &pc);
    if (rc)
        return rc;
    rc_.n = nr;
    rc_.value = sm_arena_calloc(r->a, nr ? nr : 1, sizeof *rc_.value);
    rc_.own = sm_arena_calloc(r->a, (nr ? nr : 1) * P, sizeof *rc_.own);
    if (!rc_.value || !rc_.own)
        return SM_ENOMEM;
    for (size_t g = 0; g < nr; g++) {
        char *key = sm_arena_alloc(r->a, 8);
        if (!key)
            return SM_ENOMEM;
        snprintf(key, 8, "%d", geo->regions[g].id);
        rkeys[g] = key;
        for (size_t i = 0; i < np; i++) {
            if (geo->prefectures[i].region_id != geo->regions[g].id)
                continue;
            rc_.value[g] += pc.value[i];
            for (size_t p = 0; p < r->n_providers; p++)
                rc_.own[g * P + p] += pc.own[i * P + p];
        }
    }
    rc = list_table(r, rkeys, &rc_, total, total_own, out);
    if (rc)
        return rc;
    /* Names for readers of the JSON. */
    json_t *rows = json_object_get(*out, "rows");
    for (size_t g = 0; g < nr; g++) {
        json_t *row = json_array_get(rows, g);
        if (json_object_set_new(row, "name_ja", json_string(geo->regions[g].name_ja)) ||
            json_object_set_new(row, "name_en", json_string(geo->regions[g].name_en)))
            return SM_ENOMEM;
    }
    return SM_OK;
}

/* Families: those whose count may be shown on its own, then every other family together
 * ("_other") and the reports without a family ("_unknown"), summing to v, the pinned sum
 * of the ransomware and malware counts of the threat table. */
static int family_table(struct release *r, int64_t v, const int64_t *v_own, json_t **out)
{
    size_t P = r->n_providers ? r->n_providers : 1;
    /* Distinct families. */
    const char **names = NULL;
    size_t n = 0, cap = 0;
    for (size_t i = 0; i < r->n_rows; i++) {
        const struct trow *t = &r->rows[i];
        if (t->dim != D_FAMILY || !t->k1[0])
            continue;
        bool seen = false;
        for (size_t x = 0; x < n && !seen; x++)
            seen = strcmp(names[x], t->k1) == 0;
        if (seen)
            continue;
        const char **slot = sm__sh_push(r->a, (void **)&names, &n, &cap, sizeof *slot);
        if (!slot)
            return SM_ENOMEM;
        *slot = t->k1;
    }
    struct counts fam;
    int rc = count_by(r, D_FAMILY, names, n, false, NULL, 0, &fam);
    if (rc)
        return rc;
    const char *unknown_key[] = { "" };
    struct counts unk;
    rc = count_by(r, D_FAMILY, unknown_key, 1, false, NULL, 0, &unk);
    if (rc)
        return rc;
    /* Rows: the families that stand on their own, sorted by count, then _other, _unknown. */
    const char **keys = sm_arena_calloc(r->a, n + 2, sizeof *keys);
    struct counts c = { .n = 0 };
    c.value = sm_arena_calloc(r->a, n + 2, sizeof *c.value);
    c.own = sm_arena_calloc(r->a, (n + 2) * P, sizeof *c.own);
    int64_t *other = sm_arena_calloc(r->a, P + 1, sizeof *other);
    if (!keys || !c.value || !c.own || !other)
        return SM_ENOMEM;
    for (size_t x = 0; x < n; x++) {
        struct sm_supp_arc probe = { .value = fam.value[x], .own = fam.own + x * P };
        struct sm_supp_table one = {
            .n_nodes = 2, .n_arcs = 1, .arcs = &probe, .n_providers = r->n_providers
        };
        bool alone = false;
        rc = sm_supp_safe(&one, r->k, &alone);
        if (rc)
            return rc;
        if (!alone) {
            other[0] += fam.value[x];
            for (size_t p = 0; p < r->n_providers; p++)
                other[1 + p] += fam.own[x * P + p];
            continue;
        }
        /* Insert sorted by count, largest first, then by name. */
        size_t at = c.n;
        while (at > 0 && (c.value[at - 1] < fam.value[x] ||
                          (c.value[at - 1] == fam.value[x] && strcmp(keys[at - 1], names[x]) > 0)))
            at--;
        memmove(keys + at + 1, keys + at, (c.n - at) * sizeof *keys);
        memmove(c.value + at + 1, c.value + at, (c.n - at) * sizeof *c.value);
        memmove(c.own + (at + 1) * P, c.own + at * P, (c.n - at) * P * sizeof *c.own);
        keys[at] = names[x];
        c.value[at] = fam.value[x];
        memcpy(c.own + at * P, fam.own + x * P, P * sizeof *c.own);
        c.n++;
    }
    keys[c.n] = "_other";
    c.value[c.n] = other[0];
    memcpy(c.own + c.n * P, other + 1, r->n_providers * sizeof *c.own);
    c.n++;
    keys[c.n] = "_unknown";
    c.value[c.n] = unk.value[0];
    memcpy(c.own + c.n * P, unk.own, P * sizeof *c.own);
    c.n++;
    return list_table(r, keys, &c, v, v_own, out);
}

/* --- The release ------------------------------------------------------------------------------ */

void sm_stats_options_init(struct sm_stats_options *o, enum sm_audience audience)
{
    memset(o, 0, sizeof *o);
    o->audience = audience;
}

int sm_sharing_can_see(struct sm_store *store, const struct sm_registry_who *who,
                       enum sm_audience audience, const char *today, bool *allowed,
                       struct sm_diag *diag)
{
    *allowed = false;
    switch (audience) {
    case SM_AUDIENCE_PUBLIC:
        *allowed = true;
        return SM_OK;
    case SM_AUDIENCE_OPERATOR:
        *allowed = who && who->role == SM_ROLE_OPERATOR;
        if (!*allowed)
            sm_diag_set(diag, SM_EPERM, "only operators may see the operator's statistics");
        return SM_OK;
    case SM_AUDIENCE_PROVIDERS:
        break;
    }
    if (who && who->role == SM_ROLE_OPERATOR) {
        *allowed = true;
        return SM_OK;
    }
    if (!who || who->role != SM_ROLE_PROVIDER || who->provider_id <= 0) {
        sm_diag_set(diag, SM_EPERM, "the shared statistics are for registered providers");
        return SM_OK;
    }
    int rc = sm_sharing_provider_active(store, who->provider_id, today, allowed, diag);
    if (!rc && !*allowed)
        sm_diag_set(diag, SM_EPERM,
                    "provider %lld has no currently registered service: the shared statistics "
                    "are for registered providers",
                    (long long)who->provider_id);
    return rc;
}

static const char *const threat_keys[SM_THREAT_COUNT] = {
    "ransomware", "malware", "phishing", "unauthorized_access", "c2", "defacement", "other"
};
static const char *const response_keys[] = { "remote", "onsite", "none" };
static const char *const detection_keys[] = { "utm", "edr", "soc", "user" };
static const char *const outcome_keys[] = { "blocked", "contained", "damage", "leak" };
static const char *const size_keys[] = { "1-5", "6-20", "21-50", "51-100", "101-300", "301+" };
static const char *const cost_keys[] = { "none",   "lt_100k",  "100k_1m",
                                         "1m_10m", "10m_plus", "unknown" };

static int add_table(json_t *tables, const char *id, json_t *t)
{
    return json_object_set_new(tables, id, t) ? SM_ENOMEM : SM_OK;
}

/* A list table of one dimension with the fixed keys. */
static int simple_list(struct release *r, json_t *tables, const char *id, int dim,
                       const char *const *keys, size_t n, int64_t total, const int64_t *own)
{
    struct counts c;
    int rc = count_by(r, dim, keys, n, false, NULL, 0, &c);
    json_t *t = NULL;
    if (!rc)
        rc = list_table(r, keys, &c, total, own, &t);
    if (!rc)
        rc = add_table(tables, id, t);
    return rc;
}

static int narratives(struct sm_store *store, enum sm_audience audience, const char *from,
                      const char *to, const bool *threat_shown, json_t **out, struct sm_diag *diag)
{
    /* The TLP lists are fixed strings, not input. */
    const char *sql =
        audience == SM_AUDIENCE_OPERATOR
            ? "SELECT threat, notes_shared FROM incidents WHERE notes_shared IS NOT NULL AND"
              " tlp IN ('clear', 'green', 'amber', 'amber+strict') AND (CAST(? AS TEXT) = ''"
              " OR half >= ?) AND (CAST(? AS TEXT) = '' OR half <= ?) ORDER BY id DESC LIMIT 200"
            : "SELECT threat, notes_shared FROM incidents WHERE notes_shared IS NOT NULL AND"
              " tlp IN ('clear', 'green', 'amber') AND (CAST(? AS TEXT) = '' OR half >= ?) AND"
              " (CAST(? AS TEXT) = '' OR half <= ?) ORDER BY id DESC LIMIT 200";
    struct sm_sql *st = NULL;
    json_t *arr = json_array();
    if (!arr)
        return SM_ENOMEM;
    int rc = sm_sql_prepare(store, sql, &st, diag);
    if (!rc)
        rc = sm_sql_bindv(st, "tttt", from, from, to, to);
    while (!rc && json_array_size(arr) < NARRATIVES_MAX) {
        int s = sm_sql_step(st, diag);
        if (s == SM_SQL_DONE)
            break;
        if (s != SM_SQL_ROW) {
            rc = s;
            break;
        }
        enum sm_threat t;
        if (sm_threat_parse(sm_sql_text(st, 0), &t) || !threat_shown[t])
            continue;
        if (json_array_append_new(arr, json_pack("{s:s,s:s}", "threat", sm_threat_name(t), "text",
                                                 sm_sql_text(st, 1))))
            rc = SM_ENOMEM;
    }
    sm_sql_free(st);
    if (rc) {
        json_decref(arr);
        return rc;
    }
    *out = arr;
    return SM_OK;
}

static int build(struct sm_store *store, struct release *r, const struct sm_stats_options *opt,
                 json_t *doc, struct sm_diag *diag)
{
    int rc = load_rows(store, r, opt->audience, opt->from, opt->to, diag);
    if (!rc)
        rc = make_halves(r);
    if (rc)
        return rc;
    size_t P = r->n_providers ? r->n_providers : 1;
    /* The grand total from the threat rows (each report has one threat). */
    int64_t total = 0;
    int64_t *total_own = sm_arena_calloc(r->a, P, sizeof *total_own);
    if (!total_own)
        return SM_ENOMEM;
    for (size_t i = 0; i < r->n_rows; i++)
        if (r->rows[i].dim == D_THREAT) {
            total += r->rows[i].n;
            total_own[r->rows[i].provider] += r->rows[i].n;
        }
    struct sm_supp_arc probe = { .value = total, .own = total_own };
    struct sm_supp_table one = {
        .n_nodes = 2, .n_arcs = 1, .arcs = &probe, .n_providers = r->n_providers
    };
    bool shown = false;
    rc = sm_supp_safe(&one, r->k, &shown);
    if (rc)
        return rc;
    json_t *halves = json_array();
    for (size_t h = 0; halves && h < r->n_halves; h++)
        if (json_array_append_new(halves, json_string(r->halves[h]))) {
            json_decref(halves);
            halves = NULL;
        }
    int bad = json_object_set_new(doc, "total", shown ? json_integer(total) : json_null());
    bad |= json_object_set_new(doc, "too_few", json_boolean(!shown));
    bad |= json_object_set_new(doc, "halves", shown && halves ? halves : json_array());
    if (!shown || !halves)
        json_decref(halves);
    bad |= json_object_set_new(
        doc, "max_tlp",
        r->max_tlp >= 0 && shown ? json_string(sm_tlp_name((enum sm_tlp)r->max_tlp)) : json_null());
    json_t *tables = json_object();
    bad |= json_object_set_new(doc, "tables", tables);
    if (bad || !tables)
        return SM_ENOMEM;
    if (!shown)
        return SM_OK;

    struct sm_geo *geo = NULL;
    rc = sm_geo_load(store, &geo, diag);
    if (rc)
        return rc;
    json_t *t = NULL;
    if (opt->audience == SM_AUDIENCE_PUBLIC)
        rc = region_table(r, geo, total, total_own, &t);
    else
        rc = geo_table(r, geo, total, total_own, &t);
    sm_geo_free(geo);
    if (!rc)
        rc = add_table(tables, opt->audience == SM_AUDIENCE_PUBLIC ? "regions" : "geography", t);
    if (rc)
        return rc;

    /* Threat by half-year. */
    struct counts th;
    rc = count_by(r, D_THREAT, (const char *const *)r->halves, r->n_halves, true, threat_keys,
                  SM_THREAT_COUNT, &th);
    if (rc)
        return rc;
    /* count_by keyed it half-major; the table is threat-major. */
    struct counts tm = { .n = th.n };
    tm.value = sm_arena_calloc(r->a, th.n ? th.n : 1, sizeof *tm.value);
    tm.own = sm_arena_calloc(r->a, (th.n ? th.n : 1) * P, sizeof *tm.own);
    if (!tm.value || !tm.own)
        return SM_ENOMEM;
    for (size_t h = 0; h < r->n_halves; h++)
        for (size_t x = 0; x < SM_THREAT_COUNT; x++) {
            size_t from = h * SM_THREAT_COUNT + x, to = x * r->n_halves + h;
            tm.value[to] = th.value[from];
            memcpy(tm.own + to * P, th.own + from * P, P * sizeof *tm.own);
        }
    bool threat_shown[SM_THREAT_COUNT] = { false };
    rc = cross_table(r, threat_keys, SM_THREAT_COUNT, (const char *const *)r->halves, r->n_halves,
                     &tm, total, total_own, threat_shown, &t);
    if (!rc)
        rc = add_table(tables, "threat_by_half", t);
    if (rc || opt->audience == SM_AUDIENCE_PUBLIC)
        return rc;

    /* Families, when the ransomware and malware totals are both shown. */
    if (threat_shown[SM_THREAT_RANSOMWARE] && threat_shown[SM_THREAT_MALWARE]) {
        int64_t v = 0;
        int64_t *v_own = sm_arena_calloc(r->a, P, sizeof *v_own);
        if (!v_own)
            return SM_ENOMEM;
        for (size_t h = 0; h < r->n_halves; h++)
            for (size_t x = 0; x < 2; x++) {
                size_t idx = x * r->n_halves + h;
                v += tm.value[idx];
                for (size_t p = 0; p < r->n_providers; p++)
                    v_own[p] += tm.own[idx * P + p];
            }
        rc = family_table(r, v, v_own, &t);
        if (!rc)
            rc = add_table(tables, "malware_families", t);
    } else {
        rc = add_table(tables, "malware_families",
                       json_pack("{s:s,s:b}", "kind", "list", "unavailable", 1));
    }
    if (rc)
        return rc;

    /* Industry by size. */
    struct counts is;
    rc = count_by(r, D_IND_SIZE, sm__industries, SM_INDUSTRY_COUNT, false, size_keys, SM_SIZE_COUNT,
                  &is);
    if (!rc)
        rc = cross_table(r, sm__industries, SM_INDUSTRY_COUNT, size_keys, SM_SIZE_COUNT, &is, total,
                         total_own, NULL, &t);
    if (!rc)
        rc = add_table(tables, "industry_by_size", t);

    if (!rc)
        rc = simple_list(r, tables, "response", D_RESPONSE, response_keys, 3, total, total_own);
    if (!rc)
        rc = simple_list(r, tables, "detection", D_DETECTION, detection_keys, 4, total, total_own);
    if (!rc)
        rc = simple_list(r, tables, "outcome", D_OUTCOME, outcome_keys, 4, total, total_own);
    if (!rc)
        rc = simple_list(r, tables, "recovery", D_RECOVERY, sm__recovery_bands, SM__RECOVERY_BANDS,
                         total, total_own);
    if (!rc)
        rc = simple_list(r, tables, "cost", D_COST, cost_keys, 6, total, total_own);
    if (rc)
        return rc;

    /* The share of incidents handled on site, when its count is shown. */
    json_t *onsite = json_array_get(json_object_get(json_object_get(tables, "response"), "counts"),
                                    SM_RESPONSE_ONSITE);
    double share = json_is_integer(onsite) && total > 0
                       ? (double)json_integer_value(onsite) / (double)total
                       : -1.0;
    if (json_object_set_new(doc, "onsite_share",
                            share >= 0
                                ? json_real((double)(long long)(share * 1000.0 + 0.5) / 1000.0)
                                : json_null()))
        return SM_ENOMEM;

    if (opt->narratives) {
        json_t *nar = NULL;
        rc = narratives(store, opt->audience, opt->from, opt->to, threat_shown, &nar, diag);
        if (!rc && json_object_set_new(doc, "narratives", nar))
            rc = SM_ENOMEM;
    }
    return rc;
}

int sm_sharing_stats(struct sm_store *store, const struct sm_registry_who *who,
                     const struct sm_stats_options *opt, json_t **out, struct sm_diag *diag)
{
    sm_diag_clear(diag);
    char day[SM_DATE_SIZE];
    sm__sh_today(opt->today[0] ? opt->today : NULL, day);
    if ((opt->from[0] && !sm_half_valid(opt->from)) || (opt->to[0] && !sm_half_valid(opt->to)))
        return sm_diag_set(diag, SM_EINVAL, "a period bound is not a half-year such as 2024H1");
    bool allowed = false;
    int rc = sm_sharing_can_see(store, who, opt->audience, day, &allowed, diag);
    if (rc)
        return rc;
    if (!allowed)
        return SM_EPERM;
    struct release r;
    memset(&r, 0, sizeof r);
    r.a = sm_malloc(sizeof *r.a);
    if (!r.a)
        return SM_ENOMEM;
    sm_arena_init(r.a, SM__SH_ARENA_MAX);
    r.k = opt->k;
    if (r.k == 0)
        rc = sm_sharing_k(store, &r.k, diag);
    else if (r.k < SM_SHARING_K_MIN || r.k > SM_SHARING_K_MAX)
        rc = sm_diag_set(diag, SM_EINVAL, "k must be from %d to %d", SM_SHARING_K_MIN,
                         SM_SHARING_K_MAX);
    json_t *doc = NULL;
    if (!rc) {
        doc = json_pack("{s:s,s:i,s:I,s:{s:s?,s:s?}}", "audience", sm_audience_name(opt->audience),
                        "k", r.k, "generated_at", (json_int_t)sm__sh_now(), "period", "from",
                        opt->from[0] ? opt->from : NULL, "to", opt->to[0] ? opt->to : NULL);
        if (!doc)
            rc = SM_ENOMEM;
    }
    if (!rc)
        rc = build(store, &r, opt, doc, diag);
    sm_arena_release(r.a);
    sm_free(r.a);
    if (rc) {
        json_decref(doc);
        return rc;
    }
    *out = doc;
    return SM_OK;
}

/* --- Snapshots ---------------------------------------------------------------------------- */

int sm_sharing_publish(struct sm_store *store, const struct sm_registry_who *who,
                       const struct sm_stats_options *opt, int64_t *id, struct sm_diag *diag)
{
    if (!who || who->role != SM_ROLE_OPERATOR)
        return sm_diag_set(diag, SM_EPERM, "only operators may publish statistics");
    struct sm_stats_options o = *opt;
    o.audience = SM_AUDIENCE_PUBLIC;
    o.narratives = false;
    json_t *doc = NULL;
    int rc = sm_sharing_stats(store, who, &o, &doc, diag);
    if (rc)
        return rc;
    char *body = json_dumps(doc, JSON_COMPACT | JSON_SORT_KEYS);
    json_int_t k = json_integer_value(json_object_get(doc, "k"));
    json_decref(doc);
    if (!body)
        return SM_ENOMEM;
    rc = sm_store_begin(store, diag);
    int64_t new_id = 0;
    if (!rc)
        rc = sm_sql_run_int64(store, &new_id, diag,
                              "INSERT INTO stats_snapshots (published_at, published_by,"
                              " period_from, period_to, k, body) VALUES (?, ?, ?, ?, ?, ?)"
                              " RETURNING id",
                              "ittiit", sm__sh_now(), who->name ? who->name : "operator",
                              o.from[0] ? o.from : NULL, o.to[0] ? o.to : NULL, (int64_t)k, body);
    sm_free(body);
    char object[48];
    snprintf(object, sizeof object, "stats_snapshot:%lld", (long long)new_id);
    if (!rc)
        rc = sm__sh_audit(store, who, "sharing.publish", object, NULL, diag);
    if (!rc)
        rc = sm_store_commit(store, diag);
    if (rc) {
        sm_store_rollback(store);
        return rc;
    }
    if (id)
        *id = new_id;
    return SM_OK;
}

int sm_sharing_snapshot(struct sm_store *store, int64_t id, json_t **out, struct sm_diag *diag)
{
    struct sm_sql *st = NULL;
    int rc = sm_sql_prepare(store,
                            "SELECT id, published_at, body FROM stats_snapshots"
                            " WHERE ? = 0 OR id = ? ORDER BY id DESC LIMIT 1",
                            &st, diag);
    if (!rc)
        rc = sm_sql_bindv(st, "ii", id, id);
    if (!rc)
        rc = sm_sql_step(st, diag);
    if (rc == SM_SQL_DONE)
        rc = sm_diag_set(diag, SM_ENOTFOUND, "no published statistics");
    if (rc == SM_SQL_ROW) {
        json_error_t err;
        const char *body = sm_sql_text(st, 2);
        json_t *doc = body ? json_loads(body, 0, &err) : NULL;
        if (!doc || !json_is_object(doc)) {
            json_decref(doc);
            rc = sm_diag_set(diag, SM_EDB, "published statistics %lld are damaged",
                             (long long)sm_sql_int64(st, 0));
        } else if (json_object_set_new(doc, "snapshot",
                                       json_pack("{s:I,s:I}", "id", (json_int_t)sm_sql_int64(st, 0),
                                                 "published_at",
                                                 (json_int_t)sm_sql_int64(st, 1)))) {
            json_decref(doc);
            rc = SM_ENOMEM;
        } else {
            *out = doc;
            rc = SM_OK;
        }
    }
    sm_sql_free(st);
    return rc;
}

void sm_snapshot_list_free(struct sm_snapshot_list *list)
{
    if (list)
        sm__sh_free(list->priv);
}

int sm_sharing_snapshots(struct sm_store *store, struct sm_snapshot_list **out,
                         struct sm_diag *diag)
{
    struct sm_arena *a = NULL;
    void *obj = NULL;
    int rc = sm__sh_new(sizeof(struct sm_snapshot_list), &a, &obj);
    if (rc)
        return rc;
    struct sm_snapshot_list *list = obj;
    list->priv = a;
    struct sm_sql *st = NULL;
    rc = sm_sql_prepare(store,
                        "SELECT id, published_at, period_from, period_to, k FROM stats_snapshots"
                        " ORDER BY id DESC LIMIT 100",
                        &st, diag);
    size_t cap = 0;
    while (!rc) {
        int s = sm_sql_step(st, diag);
        if (s == SM_SQL_DONE)
            break;
        if (s != SM_SQL_ROW) {
            rc = s;
            break;
        }
        struct sm_snapshot_info *i =
            sm__sh_push(a, (void **)&list->items, &list->n, &cap, sizeof *i);
        if (!i) {
            rc = SM_ENOMEM;
            break;
        }
        i->id = sm_sql_int64(st, 0);
        i->published_at = sm_sql_int64(st, 1);
        i->period_from = sm_sql_text(st, 2) ? sm_arena_strdup(a, sm_sql_text(st, 2)) : NULL;
        i->period_to = sm_sql_text(st, 3) ? sm_arena_strdup(a, sm_sql_text(st, 3)) : NULL;
        i->k = (int)sm_sql_int64(st, 4);
    }
    sm_sql_free(st);
    if (rc) {
        sm_snapshot_list_free(list);
        return rc;
    }
    *out = list;
    return SM_OK;
}

/*
 * The discussion data (考察): the figures behind what the working group wrote about the
 * commons, and a short summary generated from them.
 *
 *   items CSV     one row per item: written by how many of the guidelines analysed, the
 *                 share, the mean score, how many wrote it concretely, common or not, and the
 *                 reference score;
 *   coverage CSV  one row per category and one per industry: how many analysed cells are
 *                 written, the mean score, and how many cells of common items reach their
 *                 reference;
 *   Markdown      Japanese first, then English: the items common to most guidelines, the
 *                 items rarely written (share below 25%), coverage by category and by
 *                 industry, and what SMEs and industries will need next, each point derived
 *                 from those figures (lowest-covered categories, stage-1 items rarely written,
 *                 industries furthest below the references, common items seldom concrete).
 *
 * The CSVs are RFC 4180 with CRLF, UTF-8 with a byte-order mark (Excel in Japan reads UTF-8
 * only with it), text neutralised against formula injection; every row carries the
 * criterion, the catalog version, the date and the review counts in its last columns, so the
 * file stays one rectangular table and still states them.
 */
#include "internal.h"

#include "smesec/alloc.h"
#include "smesec/catalog.h"
#include "smesec/commons.h"
#include "smesec/csv.h"

#include <string.h>

#include "util/banned.h"

/* An item is rarely written when fewer than this share of the guidelines mention it. */
#define RARE_SHARE 0.25
/* How many items the summary lists as the most common. */
#define TOP_ITEMS 10
/* How many items a list in the summary names before "and N more". */
#define LIST_MAX 12

/* Figures per item. */
struct item_stats {
    size_t analysed; /* guidelines with a score for the item */
    size_t written;  /* ... scoring >= 1 */
    size_t concrete; /* ... scoring 2 */
    double share;    /* written / analysed, 0 when none analysed */
};

/* Figures of a group of cells (a category, or an industry's guidelines). */
struct group_stats {
    const char *key;
    const char *name;
    const char *name_en;
    size_t guidelines;
    size_t items;
    size_t common_items;
    size_t analysed;     /* cells with a score */
    size_t written;      /* cells scoring >= 1 */
    long sum;            /* sum of the scores of analysed cells */
    size_t common_cells; /* analysed cells of common items */
    size_t common_met;   /* ... at or above the reference */
};

struct stats {
    size_t n_items;
    size_t n_guidelines;
    struct item_stats *items;
    struct group_stats *cats; /* one per catalog category, then one for unknown categories */
    size_t n_cats;
    struct group_stats *inds; /* one per industry, in order of first appearance */
    size_t n_inds;
    size_t *ind_of; /* per guideline: its industry's index */
    struct group_stats all;
};

static void stats_free(struct stats *s)
{
    sm_free(s->items);
    sm_free(s->cats);
    sm_free(s->inds);
    sm_free(s->ind_of);
    memset(s, 0, sizeof *s);
}

static void add_cell(struct group_stats *gs, int score, bool common, int reference)
{
    if (score < 0)
        return;
    gs->analysed++;
    gs->sum += score;
    if (score >= 1)
        gs->written++;
    if (common) {
        gs->common_cells++;
        if (score >= reference)
            gs->common_met++;
    }
}

static double ratio(size_t a, size_t b)
{
    return b ? (double)a / (double)b : 0.0;
}

static double group_mean(const struct group_stats *gs)
{
    return gs->analysed ? (double)gs->sum / (double)gs->analysed : 0.0;
}

static const char *nonempty(const char *s, const char *fallback)
{
    return s && s[0] ? s : fallback;
}

static size_t cat_index(const struct sm_report *r, const char *id)
{
    size_t n = sm_catalog_n_categories(r->catalog);
    for (size_t k = 0; k < n; k++) {
        const struct sm_category *c = sm_catalog_category(r->catalog, k);
        if (c && c->id && id && strcmp(c->id, id) == 0)
            return k;
    }
    return n;
}

static int stats_init(struct stats *s, const struct sm_report *r)
{
    memset(s, 0, sizeof *s);
    const struct sm_matrix *m = r->matrix;
    const struct sm_judgement *j = r->judgement;
    s->n_items = m->n_items;
    s->n_guidelines = m->n_guidelines;
    s->n_cats = sm_catalog_n_categories(r->catalog) + 1;
    s->items = sm_calloc(s->n_items + 1, sizeof *s->items);
    s->cats = sm_calloc(s->n_cats, sizeof *s->cats);
    s->inds = sm_calloc(s->n_guidelines + 1, sizeof *s->inds);
    s->ind_of = sm_calloc(s->n_guidelines + 1, sizeof *s->ind_of);
    if (!s->items || !s->cats || !s->inds || !s->ind_of) {
        stats_free(s);
        return SM_ENOMEM;
    }
    for (size_t k = 0; k + 1 < s->n_cats; k++) {
        const struct sm_category *c = sm_catalog_category(r->catalog, k);
        s->cats[k].key = c && c->id ? c->id : "";
        s->cats[k].name = sm__category_name(r, s->cats[k].key);
        s->cats[k].name_en = c ? nonempty(c->name_en, s->cats[k].name) : s->cats[k].name;
        s->cats[k].guidelines = s->n_guidelines;
    }
    s->cats[s->n_cats - 1].key = "";
    s->cats[s->n_cats - 1].name = "（その他）";
    s->cats[s->n_cats - 1].name_en = "(other)";
    s->cats[s->n_cats - 1].guidelines = s->n_guidelines;

    for (size_t g = 0; g < s->n_guidelines; g++) {
        const char *ind = nonempty(m->guidelines[g].industry, "（業界不明）");
        size_t k = 0;
        while (k < s->n_inds && strcmp(s->inds[k].key, ind) != 0)
            k++;
        if (k == s->n_inds) {
            s->inds[k].key = ind;
            s->inds[k].name = ind;
            s->inds[k].name_en = ind;
            s->inds[k].items = s->n_items;
            s->inds[k].common_items = j->n_common;
            s->n_inds++;
        }
        s->inds[k].guidelines++;
        s->ind_of[g] = k;
    }
    s->all.key = "all";
    s->all.name = "全体";
    s->all.name_en = "all";
    s->all.guidelines = s->n_guidelines;
    s->all.items = s->n_items;
    s->all.common_items = j->n_common;

    for (size_t i = 0; i < s->n_items; i++) {
        const struct sm_check_item *it = sm_catalog_item(r->catalog, i);
        struct group_stats *cat = &s->cats[cat_index(r, it->category)];
        cat->items++;
        if (j->common[i])
            cat->common_items++;
        struct item_stats *is = &s->items[i];
        for (size_t g = 0; g < s->n_guidelines; g++) {
            int score = sm__cell(r, i, g)->score;
            add_cell(cat, score, j->common[i], j->reference[i]);
            add_cell(&s->inds[s->ind_of[g]], score, j->common[i], j->reference[i]);
            add_cell(&s->all, score, j->common[i], j->reference[i]);
            if (score < 0)
                continue;
            is->analysed++;
            if (score >= 1)
                is->written++;
            if (score >= SM_SCORE_CONCRETE)
                is->concrete++;
        }
        is->share = ratio(is->written, is->analysed);
    }
    return SM_OK;
}

/* ---- CSV --------------------------------------------------------------------------------- */

static int meta_header(struct sm_buf *b)
{
    return sm_buf_puts(b, ",criterion,criterion_en,catalog_version,generated,cells_reviewed,"
                          "cells_total\r\n");
}

static int meta_fields(struct sm_buf *b, const struct sm__facts *f)
{
    int rc = sm__csv_text(b, false, f->criterion_ja);
    if (rc == SM_OK)
        rc = sm__csv_text(b, false, f->criterion_en);
    if (rc == SM_OK)
        rc = sm__csv_text(b, false, f->catalog_version);
    if (rc == SM_OK)
        rc = sm__csv_text(b, false, f->generated);
    if (rc == SM_OK)
        rc = sm__csv_int(b, false, (long long)f->reviewed);
    if (rc == SM_OK)
        rc = sm__csv_int(b, false, (long long)f->total);
    if (rc == SM_OK)
        rc = sm__csv_eol(b);
    return rc;
}

static int items_csv(const struct sm_report *r, const struct stats *s, const struct sm__facts *f,
                     struct sm_buf *b)
{
    int rc = sm_buf_puts(b, SM_CSV_BOM "id,title,title_en,category_id,category,stage,written_by,"
                                       "guidelines,share,mean,concrete,common,reference");
    if (rc == SM_OK)
        rc = meta_header(b);
    for (size_t i = 0; i < s->n_items && rc == SM_OK; i++) {
        const struct sm_check_item *it = sm_catalog_item(r->catalog, i);
        const struct item_stats *is = &s->items[i];
        rc = sm__csv_text(b, true, it->id);
        if (rc == SM_OK)
            rc = sm__csv_text(b, false, it->title_ja);
        if (rc == SM_OK)
            rc = sm__csv_text(b, false, it->title_en);
        if (rc == SM_OK)
            rc = sm__csv_text(b, false, it->category);
        if (rc == SM_OK)
            rc = sm__csv_text(b, false, sm__category_name(r, it->category));
        if (rc == SM_OK)
            rc = sm__csv_int(b, false, it->stage);
        if (rc == SM_OK)
            rc = sm__csv_int(b, false, (long long)is->written);
        if (rc == SM_OK)
            rc = sm__csv_int(b, false, (long long)is->analysed);
        if (rc == SM_OK)
            rc = sm__csv_real(b, false, is->share, 3);
        if (rc == SM_OK)
            rc = sm__csv_real(b, false, r->judgement->mean[i], 2);
        if (rc == SM_OK)
            rc = sm__csv_int(b, false, (long long)is->concrete);
        if (rc == SM_OK)
            rc = sm__csv_text(b, false, r->judgement->common[i] ? "yes" : "no");
        if (rc == SM_OK)
            rc = sm__csv_int(b, false, r->judgement->reference[i]);
        if (rc == SM_OK)
            rc = meta_fields(b, f);
    }
    return rc;
}

static int group_row(struct sm_buf *b, const char *dimension, const struct group_stats *gs,
                     const struct sm__facts *f)
{
    int rc = sm__csv_text(b, true, dimension);
    if (rc == SM_OK)
        rc = sm__csv_text(b, false, gs->key);
    if (rc == SM_OK)
        rc = sm__csv_text(b, false, gs->name);
    if (rc == SM_OK)
        rc = sm__csv_int(b, false, (long long)gs->guidelines);
    if (rc == SM_OK)
        rc = sm__csv_int(b, false, (long long)gs->items);
    if (rc == SM_OK)
        rc = sm__csv_int(b, false, (long long)gs->common_items);
    if (rc == SM_OK)
        rc = sm__csv_int(b, false, (long long)gs->analysed);
    if (rc == SM_OK)
        rc = sm__csv_int(b, false, (long long)gs->written);
    if (rc == SM_OK)
        rc = sm__csv_real(b, false, ratio(gs->written, gs->analysed), 3);
    if (rc == SM_OK)
        rc = sm__csv_real(b, false, group_mean(gs), 2);
    if (rc == SM_OK)
        rc = sm__csv_int(b, false, (long long)gs->common_cells);
    if (rc == SM_OK)
        rc = sm__csv_int(b, false, (long long)gs->common_met);
    if (rc == SM_OK)
        rc = sm__csv_real(b, false, ratio(gs->common_met, gs->common_cells), 3);
    if (rc == SM_OK)
        rc = meta_fields(b, f);
    return rc;
}

static int coverage_csv(const struct stats *s, const struct sm__facts *f, struct sm_buf *b)
{
    int rc =
        sm_buf_puts(b, SM_CSV_BOM "dimension,key,name,guidelines,items,common_items,analysed_cells,"
                                  "written_cells,coverage,mean,common_cells,common_met,"
                                  "common_met_share");
    if (rc == SM_OK)
        rc = meta_header(b);
    if (rc == SM_OK)
        rc = group_row(b, "all", &s->all, f);
    for (size_t k = 0; k < s->n_cats && rc == SM_OK; k++) {
        if (k + 1 == s->n_cats && s->cats[k].items == 0)
            break; /* no item of an unknown category */
        rc = group_row(b, "category", &s->cats[k], f);
    }
    for (size_t k = 0; k < s->n_inds && rc == SM_OK; k++)
        rc = group_row(b, "industry", &s->inds[k], f);
    return rc;
}

int sm_export_discussion_csv(const struct sm_report *r, const char *items_path,
                             const char *coverage_path, struct sm_diag *diag)
{
    sm_diag_clear(diag);
    int rc = sm__report_check(r, diag);
    if (rc)
        return rc;
    struct sm__facts f;
    rc = sm__facts_init(&f, r, diag);
    if (rc)
        return rc;
    struct stats s;
    struct sm_buf items, coverage;
    sm_buf_init(&items, SM__EXPORT_MAX);
    sm_buf_init(&coverage, SM__EXPORT_MAX);
    rc = stats_init(&s, r);
    if (rc == SM_OK)
        rc = items_csv(r, &s, &f, &items);
    if (rc == SM_OK)
        rc = coverage_csv(&s, &f, &coverage);
    /* Both are built before either is written, so a failure leaves both files as they were
     * unless the second rename itself fails. */
    if (rc == SM_OK)
        rc = sm__write_file(items_path, items.data, items.len, diag);
    if (rc == SM_OK)
        rc = sm__write_file(coverage_path, coverage.data, coverage.len, diag);
    sm_buf_release(&items);
    sm_buf_release(&coverage);
    stats_free(&s);
    sm__facts_release(&f);
    return sm__fail(diag, rc, "the discussion CSV", items_path);
}

/* ---- Markdown ---------------------------------------------------------------------------- */

/* Sorts idx[0..n) by key descending (ascending when asc), ties in index order. Insertion
 * sort: n is the item count, a few dozen. */
static void sort_by(size_t *idx, size_t n, const double *key, bool asc)
{
    for (size_t a = 1; a < n; a++) {
        size_t v = idx[a];
        size_t b = a;
        while (b > 0) {
            double kp = key[idx[b - 1]], kv = key[v];
            bool before = asc ? kv < kp : kv > kp;
            if (!before)
                break;
            idx[b] = idx[b - 1];
            b--;
        }
        idx[b] = v;
    }
}

struct md {
    const struct sm_report *r;
    const struct stats *s;
    const struct sm__facts *f;
    struct sm_buf *b;
    bool en;
    size_t *top; /* common items by share, most written first */
    size_t n_top;
    size_t *rare; /* items with share < RARE_SHARE, least written first */
    size_t n_rare;
    size_t *cat_order; /* categories by coverage, lowest first (only those with items) */
    size_t n_cat_order;
    size_t *ind_order; /* industries by common_met share, lowest first */
};

static const char *item_title(const struct md *d, const struct sm_check_item *it)
{
    return d->en ? nonempty(it->title_en, it->title_ja) : it->title_ja;
}

static int put(struct md *d, const char *s)
{
    return sm_buf_puts(d->b, s);
}

static int text(struct md *d, const char *s)
{
    return sm__md_text(d->b, s);
}

/* "**ID** title" */
static int item_ref(struct md *d, size_t i)
{
    const struct sm_check_item *it = sm_catalog_item(d->r->catalog, i);
    int rc = put(d, "**");
    if (rc == SM_OK)
        rc = text(d, it->id);
    if (rc == SM_OK)
        rc = put(d, "** ");
    if (rc == SM_OK)
        rc = text(d, item_title(d, it));
    return rc;
}

/* A comma-separated list of items idx[0..n), at most LIST_MAX named. */
static int item_list(struct md *d, const size_t *idx, size_t n)
{
    int rc = SM_OK;
    for (size_t k = 0; k < n && k < LIST_MAX && rc == SM_OK; k++) {
        if (k > 0)
            rc = put(d, d->en ? ", " : "、");
        if (rc == SM_OK)
            rc = item_ref(d, idx[k]);
    }
    if (rc == SM_OK && n > LIST_MAX)
        rc = sm_buf_printf(d->b, d->en ? " and %zu more" : " ほか%zu件", n - LIST_MAX);
    return rc;
}

static int header(struct md *d)
{
    const struct sm__facts *f = d->f;
    int rc;
    if (!d->en)
        rc = sm_buf_puts(d->b, "# 業界ガイドライン共通項の考察データ\n\n- ");
    else
        rc = sm_buf_puts(d->b, "## English summary\n\n- ");
    if (rc == SM_OK)
        rc = text(d, d->en ? f->criterion_en : f->criterion_ja);
    if (rc == SM_OK)
        rc = put(d, d->en ? "\n- Catalog: " : "\n- チェック項目カタログ: ");
    if (rc == SM_OK)
        rc = text(d, d->en ? f->catalog_title_en : f->catalog_title);
    if (rc == SM_OK)
        rc = put(d, d->en ? ", version " : "（版 ");
    if (rc == SM_OK)
        rc = text(d, f->catalog_version);
    if (rc == SM_OK)
        rc = sm_buf_printf(
            d->b,
            d->en ? "\n- Generated %s; %s\n- %zu guidelines analysed, %zu check "
                    "items, %zu common items\n\n"
                  : "）\n- 作成日 %s ・ %s\n- 分析したガイドライン %zu件、チェック項目 "
                    "%zu件、共通項 %zu件\n\n",
            f->generated, d->en ? f->reviewed_en : f->reviewed_ja, d->s->n_guidelines,
            d->s->n_items, d->r->judgement->n_common);
    return rc;
}

static int section_top(struct md *d)
{
    int rc = put(d, d->en ? "### Items common to most guidelines\n\n"
                          : "## 多くのガイドラインに共通する項目（共通項）\n\n");
    if (rc == SM_OK && d->n_top == 0)
        rc = put(d, d->en ? "No item is common under this criterion.\n\n"
                          : "この基準で共通項となった項目はありません。\n\n");
    for (size_t k = 0; k < d->n_top && k < TOP_ITEMS && rc == SM_OK; k++) {
        size_t i = d->top[k];
        const struct item_stats *is = &d->s->items[i];
        rc = sm_buf_printf(d->b, "%zu. ", k + 1);
        if (rc == SM_OK)
            rc = item_ref(d, i);
        if (rc == SM_OK)
            rc = sm_buf_printf(d->b,
                               d->en ? ": written by %zu of %zu (%.0f%%), mean %.2f, reference "
                                       "score %d\n"
                                     : "：%zu件中%zu件が記載（%.0f%%）、平均 %.2f、基準点 %d\n",
                               d->en ? is->written : is->analysed,
                               d->en ? is->analysed : is->written, is->share * 100.0,
                               d->r->judgement->mean[i], d->r->judgement->reference[i]);
    }
    if (rc == SM_OK && d->n_top > TOP_ITEMS)
        rc = sm_buf_printf(d->b,
                           d->en ? "\n...and %zu more common items (see the items CSV).\n"
                                 : "\nほか共通項%zu件（項目別CSVを参照）。\n",
                           d->n_top - TOP_ITEMS);
    if (rc == SM_OK)
        rc = put(d, "\n");
    return rc;
}

static int section_rare(struct md *d)
{
    int rc = sm_buf_printf(d->b,
                           d->en ? "### Items rarely written (in fewer than %.0f%% of the "
                                   "guidelines)\n\n"
                                 : "## 記載の少ない項目（記載率%.0f%%未満）\n\n",
                           RARE_SHARE * 100.0);
    if (rc == SM_OK && d->n_rare == 0)
        rc = put(d, d->en ? "None.\n\n" : "該当する項目はありません。\n\n");
    for (size_t k = 0; k < d->n_rare && rc == SM_OK; k++) {
        size_t i = d->rare[k];
        const struct item_stats *is = &d->s->items[i];
        rc = put(d, "- ");
        if (rc == SM_OK)
            rc = item_ref(d, i);
        if (rc == SM_OK)
            rc = sm_buf_printf(
                d->b,
                d->en ? ": %zu of %zu (%.0f%%), stage %d\n" : "：%zu件中%zu件（%.0f%%）、段階%d\n",
                d->en ? is->written : is->analysed, d->en ? is->analysed : is->written,
                is->share * 100.0, sm_catalog_item(d->r->catalog, i)->stage);
    }
    if (rc == SM_OK && d->n_rare > 0)
        rc = put(d, "\n");
    return rc;
}

static int group_table(struct md *d, const struct group_stats *gs, size_t n, bool industry)
{
    int rc;
    if (industry)
        rc = put(d, d->en ? "| industry | guidelines | written | mean | common items at reference "
                            "|\n| --- | ---: | ---: | ---: | ---: |\n"
                          : "| 業界 | ガイドライン数 | 記載率 | 平均 | 共通項の基準点達成率 |\n"
                            "| --- | ---: | ---: | ---: | ---: |\n");
    else
        rc = put(d, d->en ? "| category | items | common | written | mean |\n"
                            "| --- | ---: | ---: | ---: | ---: |\n"
                          : "| 分類 | 項目数 | 共通項 | 記載率 | 平均 |\n"
                            "| --- | ---: | ---: | ---: | ---: |\n");
    for (size_t k = 0; k < n && rc == SM_OK; k++) {
        const struct group_stats *g = &gs[k];
        if (!industry && g->items == 0)
            continue;
        rc = put(d, "| ");
        if (rc == SM_OK)
            rc = text(d, d->en ? g->name_en : g->name);
        if (rc == SM_OK && industry)
            rc = sm_buf_printf(d->b, " | %zu | %.0f%% | %.2f | %.0f%% |\n", g->guidelines,
                               ratio(g->written, g->analysed) * 100.0, group_mean(g),
                               ratio(g->common_met, g->common_cells) * 100.0);
        else if (rc == SM_OK)
            rc = sm_buf_printf(d->b, " | %zu | %zu | %.0f%% | %.2f |\n", g->items, g->common_items,
                               ratio(g->written, g->analysed) * 100.0, group_mean(g));
    }
    if (rc == SM_OK)
        rc = put(d, "\n");
    return rc;
}

static int section_coverage(struct md *d)
{
    int rc = put(d, d->en ? "### Coverage by category\n\n" : "## 分類別の記載状況\n\n");
    if (rc == SM_OK)
        rc = group_table(d, d->s->cats, d->s->n_cats, false);
    if (rc == SM_OK)
        rc = put(d, d->en ? "### Coverage by industry\n\n" : "## 業界別の記載状況\n\n");
    if (rc == SM_OK && d->s->n_inds == 0)
        rc =
            put(d, d->en ? "No guideline analysed.\n\n" : "分析したガイドラインはありません。\n\n");
    else if (rc == SM_OK)
        rc = group_table(d, d->s->inds, d->s->n_inds, true);
    return rc;
}

/* The items of category k rarely written, into out; returns how many. */
static size_t rare_in_category(const struct md *d, size_t k, size_t *out)
{
    size_t n = 0;
    for (size_t r = 0; r < d->n_rare; r++) {
        const struct sm_check_item *it = sm_catalog_item(d->r->catalog, d->rare[r]);
        if (cat_index(d->r, it->category) == k)
            out[n++] = d->rare[r];
    }
    return n;
}

static int section_next(struct md *d, size_t *scratch)
{
    const struct stats *s = d->s;
    const struct sm_judgement *j = d->r->judgement;
    double overall = ratio(s->all.written, s->all.analysed);
    int rc = put(d, d->en ? "### What SMEs and industries will need next\n\n"
                          : "## 今後中小企業や業界に求められる対応\n\n");
    size_t points = 0;

    /* 1. The categories written least, with their rarely written items. */
    for (size_t c = 0; c < d->n_cat_order && c < 2 && rc == SM_OK; c++) {
        const struct group_stats *g = &s->cats[d->cat_order[c]];
        double cov = ratio(g->written, g->analysed);
        if (g->analysed == 0 || cov >= overall)
            break;
        points++;
        rc = put(d, "- ");
        if (rc == SM_OK)
            rc = put(d, d->en ? "Category \"" : "分類「");
        if (rc == SM_OK)
            rc = text(d, d->en ? g->name_en : g->name);
        if (rc == SM_OK)
            rc = sm_buf_printf(d->b,
                               d->en ? "\" is written in %.0f%% of its cells, below the %.0f%% "
                                       "overall: industries need example descriptions for it"
                                     : "」は記載率%.0f%%で、全体（%.0f%%）を下回ります。この分類の"
                                       "記載例を業界に示す必要があります",
                               cov * 100.0, overall * 100.0);
        size_t n = rare_in_category(d, d->cat_order[c], scratch);
        if (rc == SM_OK && n > 0) {
            rc = put(d, d->en ? " (rarely written: " : "（記載の少ない項目: ");
            if (rc == SM_OK)
                rc = item_list(d, scratch, n);
            if (rc == SM_OK)
                rc = put(d, d->en ? ")" : "）");
        }
        if (rc == SM_OK)
            rc = put(d, d->en ? ".\n" : "。\n");
    }

    /* 2. Stage-1 items (what every SME can start with) that few guidelines write. */
    size_t n1 = 0;
    for (size_t k = 0; k < d->n_rare; k++)
        if (sm_catalog_item(d->r->catalog, d->rare[k])->stage == 1)
            scratch[n1++] = d->rare[k];
    if (rc == SM_OK && n1 > 0) {
        points++;
        rc = put(d, d->en ? "- Stage-1 items, which every SME can start with, that few "
                            "guidelines write: "
                          : "- 段階1（まずできること）の項目でありながら記載の少ない項目: ");
        if (rc == SM_OK)
            rc = item_list(d, scratch, n1);
        if (rc == SM_OK)
            rc = put(d, d->en ? ". A handbook for SMEs should put them first.\n"
                              : "。中小企業向けの手引きでは最初に示すべき項目です。\n");
    }

    /* 3. Common items that guidelines mention but rarely make concrete. */
    size_t nc = 0;
    for (size_t k = 0; k < d->n_top; k++) {
        size_t i = d->top[k];
        if (j->reference[i] < SM_SCORE_CONCRETE && s->items[i].concrete * 2 < s->items[i].written)
            scratch[nc++] = i;
    }
    if (rc == SM_OK && nc > 0) {
        points++;
        rc = put(d, d->en ? "- Common items most guidelines only mention, without saying who, "
                            "how often or how: "
                          : "- 共通項だが、多くのガイドラインで具体的な記載（誰が・頻度・方法）が"
                            "ない項目: ");
        if (rc == SM_OK)
            rc = item_list(d, scratch, nc);
        if (rc == SM_OK)
            rc = put(d, d->en ? ". Their stage 2 and 3 examples show how to make them "
                                "concrete.\n"
                              : "。段階2・3の記載例で具体化を促す必要があります。\n");
    }

    /* 4. The industries furthest below the references, with their gaps. */
    for (size_t k = 0; k < s->n_inds && k < 3 && rc == SM_OK; k++) {
        size_t ind = d->ind_order[k];
        const struct group_stats *g = &s->inds[ind];
        if (g->common_cells == 0 || g->common_met == g->common_cells)
            break;
        size_t n = 0;
        for (size_t t = 0; t < d->n_top; t++) {
            size_t i = d->top[t];
            bool gap = false;
            for (size_t gl = 0; gl < s->n_guidelines && !gap; gl++) {
                int score = sm__cell(d->r, i, gl)->score;
                gap = s->ind_of[gl] == ind && score >= 0 && score < j->reference[i];
            }
            if (gap)
                scratch[n++] = i;
        }
        points++;
        rc = put(d, d->en ? "- Industry \"" : "- 業界「");
        if (rc == SM_OK)
            rc = text(d, g->name);
        if (rc == SM_OK)
            rc = sm_buf_printf(d->b,
                               d->en ? "\" reaches the reference score in %.0f%% of its common-"
                                       "item cells; below it: "
                                     : "」は共通項の基準点達成率が%.0f%%です。基準点未満の共通項: ",
                               ratio(g->common_met, g->common_cells) * 100.0);
        if (rc == SM_OK)
            rc = item_list(d, scratch, n);
        if (rc == SM_OK)
            rc = put(d, d->en ? ". Its feedback report lists the examples that would close "
                                "these gaps.\n"
                              : "。フィードバックで記載例を示し、見直しを促します。\n");
    }

    /* 5. How far the figures can be trusted yet. */
    if (rc == SM_OK && d->f->reviewed < d->f->total) {
        points++;
        rc = sm_buf_printf(d->b,
                           d->en ? "- %zu of %zu cells are reviewed; the rest are the analyser's "
                                   "proposals and should be reviewed before these conclusions "
                                   "are final.\n"
                                 : "- レビュー済みは%zu / %zuセルです。残りは自動分析の提案であり、"
                                   "結論を確定する前に確認が必要です。\n",
                           d->f->reviewed, d->f->total);
    }
    if (rc == SM_OK && points == 0)
        rc = put(d, d->en ? "- The guidelines analysed cover the catalog evenly; no gap stands "
                            "out.\n"
                          : "- 分析したガイドラインはカタログを偏りなく網羅しており、目立つ"
                            "不足はありません。\n");
    if (rc == SM_OK)
        rc = put(d, "\n");
    return rc;
}

static int summary(struct md *d, size_t *scratch)
{
    int rc = header(d);
    if (rc == SM_OK)
        rc = section_top(d);
    if (rc == SM_OK)
        rc = section_rare(d);
    if (rc == SM_OK)
        rc = section_coverage(d);
    if (rc == SM_OK)
        rc = section_next(d, scratch);
    return rc;
}

/* Fills the orderings of d from its stats; key is scratch of max(items, cats, inds) doubles. */
static void orderings(struct md *d, double *key)
{
    const struct stats *s = d->s;
    const struct sm_judgement *j = d->r->judgement;
    /* Most common first: share, then mean as tie-break (folded into one key). */
    for (size_t i = 0; i < s->n_items; i++)
        key[i] = s->items[i].share * 1000.0 + j->mean[i];
    d->n_top = 0;
    d->n_rare = 0;
    for (size_t i = 0; i < s->n_items; i++) {
        if (j->common[i])
            d->top[d->n_top++] = i;
        if (s->items[i].analysed > 0 && s->items[i].share < RARE_SHARE)
            d->rare[d->n_rare++] = i;
    }
    sort_by(d->top, d->n_top, key, false);
    sort_by(d->rare, d->n_rare, key, true);

    d->n_cat_order = 0;
    for (size_t k = 0; k < s->n_cats; k++) {
        key[k] = ratio(s->cats[k].written, s->cats[k].analysed);
        if (s->cats[k].items > 0)
            d->cat_order[d->n_cat_order++] = k;
    }
    sort_by(d->cat_order, d->n_cat_order, key, true);

    for (size_t k = 0; k < s->n_inds; k++) {
        key[k] = ratio(s->inds[k].common_met, s->inds[k].common_cells);
        d->ind_order[k] = k;
    }
    sort_by(d->ind_order, s->n_inds, key, true);
}

int sm_export_discussion_md(const struct sm_report *r, const char *path, struct sm_diag *diag)
{
    sm_diag_clear(diag);
    int rc = sm__report_check(r, diag);
    if (rc)
        return rc;
    struct sm__facts f;
    rc = sm__facts_init(&f, r, diag);
    if (rc)
        return rc;
    struct stats s;
    struct sm_buf b;
    sm_buf_init(&b, SM__EXPORT_MAX);
    rc = stats_init(&s, r);
    if (rc) {
        sm__facts_release(&f);
        return sm__fail(diag, rc, "the discussion", path);
    }
    size_t n = s.n_items + s.n_cats + s.n_guidelines + 1;
    size_t *idx = sm_calloc(4 * n, sizeof *idx);
    double *key = sm_calloc(n, sizeof *key);
    if (!idx || !key) {
        rc = SM_ENOMEM;
    } else {
        struct md d = { .r = r, .s = &s, .f = &f, .b = &b };
        d.top = idx;
        d.rare = idx + n;
        d.cat_order = idx + 2 * n;
        d.ind_order = idx + 3 * n;
        orderings(&d, key);
        size_t *scratch = sm_calloc(n, sizeof *scratch);
        rc = scratch ? summary(&d, scratch) : SM_ENOMEM;
        if (rc == SM_OK) {
            d.en = true;
            rc = summary(&d, scratch);
        }
        sm_free(scratch);
    }
    if (rc == SM_OK)
        rc = sm__write_file(path, b.data, b.len, diag);
    sm_free(idx);
    sm_free(key);
    sm_buf_release(&b);
    stats_free(&s);
    sm__facts_release(&f);
    return sm__fail(diag, rc, "the discussion", path);
}

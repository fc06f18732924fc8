/*
 * Reading a catalog back from a workbook (sm_catalog_import_xlsx), in the layout that
 * xlsx_export.c writes (see xlsx.h).
 *
 * Columns are found by their header (the first non-empty row of each sheet), not by
 * position, so a person may reorder columns or add a notes column without a header; a header
 * that is not a field name is reported (with the closest name: typos are the usual cause).
 * Each data row becomes an item or category whose every field is noted at that row, and the
 * same checks as for YAML (validate.c) then run on the whole catalog; problems on one row are
 * merged into one, so the list has one entry per bad row, named by sheet and row number.
 * All or nothing: with any problem, no catalog is returned.
 *
 * Lists are split at '|' and their entries trimmed of spaces (people type "a|b" and
 * "a | b"); single-valued cells are taken exactly as they are, so the round trip
 * export -> import gives back an equal catalog.
 */
#include "catalog/internal.h"
#include "catalog/xlsx.h"

#include "smesec/alloc.h"

#include <stdio.h>
#include <string.h>

#include "util/banned.h"

/* Reading state of one sheet: which layout column each spreadsheet column holds. */
struct sheet_state {
    const char *name;
    bool header_seen;
    bool header_bad;
    int column[SM__XLSX_MAX_COLS]; /* layout index, or -1 */
};

struct import {
    struct sm_catalog *c;
    struct sm__problems p;
    struct sheet_state sheet;
    /* Rows read so far; moved into the catalog's arena at the end. */
    struct sm_check_item *items;
    struct sm__cat_where *item_where;
    size_t n_items, cap_items;
    struct sm_category *categories;
    struct sm__cat_where *category_where;
    size_t n_categories, cap_categories;
    bool too_many;
};

static const char *const catalog_columns[] = { "field", "value" };

static bool blank(const char *s)
{
    if (!s)
        return true;
    for (; *s; s++)
        if (*s != ' ' && *s != '\t' && *s != '\n')
            return false;
    return true;
}

/* The header cell's text without surrounding spaces, in out. */
static const char *header_text(const char *s, char *out, size_t size)
{
    while (*s == ' ' || *s == '\t' || *s == '\n')
        s++;
    size_t n = strlen(s);
    while (n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\n'))
        n--;
    if (n >= size)
        n = size - 1;
    memcpy(out, s, n);
    out[n] = '\0';
    return out;
}

/* Maps the header row's names to layout columns; reports unknown, repeated and missing
 * ones. required[k] says whether layout column k must be there. */
static void read_header(struct import *im, long number, const struct sm__xlsx_cell *cells, size_t n,
                        const char *const *names, size_t n_names, const bool *required)
{
    struct sheet_state *sh = &im->sheet;
    bool seen[SM__XLSX_ITEM_COLUMNS] = { false };
    char text[80], q[80];
    sh->header_seen = true;
    for (size_t i = 0; i < SM__XLSX_MAX_COLS; i++)
        sh->column[i] = -1;
    for (size_t i = 0; i < n; i++) {
        if (blank(cells[i].text))
            continue;
        header_text(cells[i].text, text, sizeof text);
        char colname[4];
        sm__catalog_xlsx_column_name(i, colname);
        size_t k = 0;
        while (k < n_names && strcmp(names[k], text) != 0)
            k++;
        if (k < n_names && !seen[k]) {
            seen[k] = true;
            sh->column[i] = (int)k;
            continue;
        }
        sh->header_bad = true;
        if (k < n_names) {
            sm__catalog_problem_add(&im->p, number, "column %s repeats the header '%s'", colname,
                                    names[k]);
            continue;
        }
        const char *close = NULL;
        size_t best = 3;
        for (size_t j = 0; j < n_names; j++) {
            size_t d = sm__catalog_edit_distance(text, names[j]);
            if (d < best) {
                best = d;
                close = names[j];
            }
        }
        if (close)
            sm__catalog_problem_add(&im->p, number,
                                    "unknown column '%s' in %s (did you mean '%s'?)",
                                    sm__catalog_quote(q, sizeof q, text), colname, close);
        else
            sm__catalog_problem_add(&im->p, number, "unknown column '%s' in %s",
                                    sm__catalog_quote(q, sizeof q, text), colname);
    }
    for (size_t k = 0; k < n_names; k++) {
        if (required[k] && !seen[k]) {
            sm__catalog_problem_add(&im->p, number, "missing column '%s'", names[k]);
            sh->header_bad = true;
        }
    }
}

/* Copies a cell's text into the arena ("" for an empty cell). */
static const char *take(struct import *im, const char *s)
{
    const char *t = sm__cat_strndup(&im->c->arena, s ? s : "", s ? strlen(s) : 0);
    if (!t)
        im->p.oom = true;
    return t ? t : "";
}

/* Splits a cell at '|' into trimmed entries; an empty cell is an empty list. */
static void take_list(struct import *im, const char *s, struct sm_strings *out)
{
    out->n = 0;
    out->v = sm__catalog_no_strings;
    if (blank(s))
        return;
    size_t n = 1;
    for (const char *q = s; *q; q++)
        n += *q == '|';
    const char **v = sm__cat_calloc(&im->c->arena, n + 1, sizeof *v);
    if (!v) {
        im->p.oom = true;
        return;
    }
    size_t k = 0;
    const char *start = s;
    for (;;) {
        const char *bar = strchr(start, '|');
        const char *end = bar ? bar : start + strlen(start);
        const char *a = start, *b = end;
        while (a < b && (*a == ' ' || *a == '\t' || *a == '\n'))
            a++;
        while (b > a && (b[-1] == ' ' || b[-1] == '\t' || b[-1] == '\n'))
            b--;
        char *e = sm__cat_strndup(&im->c->arena, a, (size_t)(b - a));
        if (!e) {
            im->p.oom = true;
            return;
        }
        v[k++] = e;
        if (!bar)
            break;
        start = bar + 1;
    }
    out->n = k;
    out->v = v;
}

static bool grow(struct import *im, void **arr, void **where, size_t elem, size_t n, size_t *cap)
{
    if (n < *cap)
        return true;
    size_t ncap = *cap ? *cap * 2 : 64;
    void *a = sm_realloc(*arr, ncap * elem);
    if (a)
        *arr = a;
    void *w = a ? sm_realloc(*where, ncap * sizeof(struct sm__cat_where)) : NULL;
    if (w)
        *where = w;
    if (!a || !w) {
        im->p.oom = true;
        return false;
    }
    *cap = ncap;
    return true;
}

/* Reports error values (#REF!, #N/A...) in mapped cells; true when the row has any. */
static bool report_errors(struct import *im, long number, const struct sm__xlsx_cell *cells,
                          size_t n, const char *const *names)
{
    bool any = false;
    char q[40];
    for (size_t i = 0; i < n; i++) {
        if (!cells[i].error || im->sheet.column[i] < 0)
            continue;
        char colname[4];
        sm__catalog_xlsx_column_name(i, colname);
        sm__catalog_problem_add(&im->p, number, "'%s' (cell %s%ld) holds the error value '%s'",
                                names[im->sheet.column[i]], colname, number,
                                sm__catalog_quote(q, sizeof q, cells[i].text ? cells[i].text : ""));
        any = true;
    }
    return any;
}

/* True when no mapped cell holds anything: a notes-only or formatting-only row. */
static bool row_empty(const struct import *im, const struct sm__xlsx_cell *cells, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (im->sheet.column[i] >= 0 && !blank(cells[i].text))
            return false;
    return true;
}

static int item_row(void *ctx, long number, const struct sm__xlsx_cell *cells, size_t n)
{
    struct import *im = ctx;
    const char *names[SM__XLSX_ITEM_COLUMNS];
    bool required[SM__XLSX_ITEM_COLUMNS];
    for (size_t k = 0; k < SM__XLSX_ITEM_COLUMNS; k++) {
        int f = sm__catalog_xlsx_item_columns[k].field;
        names[k] = sm__catalog_xlsx_item_columns[k].name;
        required[k] = f != SM__IF_REFERENCES && f != SM__IF_CONTEXT && f != SM__IF_EXCLUDE;
    }
    if (!im->sheet.header_seen) {
        read_header(im, number, cells, n, names, SM__XLSX_ITEM_COLUMNS, required);
        return SM_OK;
    }
    if (im->sheet.header_bad || row_empty(im, cells, n))
        return SM_OK;
    if (im->n_items == SM__CATALOG_MAX_ITEMS) {
        if (!im->too_many)
            sm__catalog_problem_add(&im->p, number, "too many items (at most %d)",
                                    SM__CATALOG_MAX_ITEMS);
        im->too_many = im->p.too_large = true;
        return SM_OK;
    }
    if (!grow(im, (void **)&im->items, (void **)&im->item_where, sizeof *im->items, im->n_items,
              &im->cap_items))
        return SM_ENOMEM;
    struct sm_check_item *it = &im->items[im->n_items];
    struct sm__cat_where *w = &im->item_where[im->n_items];
    im->n_items++;
    memset(it, 0, sizeof *it);
    memset(w, 0, sizeof *w);
    it->references.v = it->terms.v = it->context.v = it->exclude.v = sm__catalog_no_strings;
    w->at = number;
    report_errors(im, number, cells, n, names);
    w->present[SM__IF_RULES] = true;
    w->line[SM__IF_RULES] = number;
    w->n_examples = SM_STAGES;
    /* Every column of the header: a cell past the row's last one is empty, so its field is
     * "" (present, empty), as an empty cell is. */
    for (size_t i = 0; i < SM__XLSX_MAX_COLS; i++) {
        int k = im->sheet.column[i];
        if (k < 0)
            continue;
        const struct sm__xlsx_column *col = &sm__catalog_xlsx_item_columns[k];
        const char *s = i < n ? cells[i].text : NULL;
        w->present[col->field] = true;
        w->line[col->field] = number;
        if (i < n && cells[i].error) {
            w->reported[col->field] = true;
            continue;
        }
        switch ((enum sm__item_field)col->field) {
        case SM__IF_ID:
            it->id = take(im, s);
            break;
        case SM__IF_CATEGORY:
            it->category = take(im, s);
            break;
        case SM__IF_STAGE:
            w->stage_text = take(im, s);
            if (strlen(w->stage_text) == 1 && w->stage_text[0] >= '1' &&
                w->stage_text[0] <= '0' + SM_STAGES)
                it->stage = w->stage_text[0] - '0';
            break;
        case SM__IF_TITLE_JA:
            it->title_ja = take(im, s);
            break;
        case SM__IF_TITLE_EN:
            it->title_en = take(im, s);
            break;
        case SM__IF_DESCRIPTION_JA:
            it->description_ja = take(im, s);
            break;
        case SM__IF_DESCRIPTION_EN:
            it->description_en = take(im, s);
            break;
        case SM__IF_HOWTO_JA:
            it->howto_ja = take(im, s);
            break;
        case SM__IF_HOWTO_EN:
            it->howto_en = take(im, s);
            break;
        case SM__IF_EXAMPLES:
            it->example[col->example] = take(im, s);
            break;
        case SM__IF_REFERENCES:
            take_list(im, s, &it->references);
            break;
        case SM__IF_TERMS:
            take_list(im, s, &it->terms);
            break;
        case SM__IF_CONTEXT:
            take_list(im, s, &it->context);
            break;
        case SM__IF_EXCLUDE:
            take_list(im, s, &it->exclude);
            break;
        case SM__IF_RULES:
        case SM__IF_COUNT:
            break;
        }
    }
    return im->p.oom ? SM_ENOMEM : SM_OK;
}

static int category_row(void *ctx, long number, const struct sm__xlsx_cell *cells, size_t n)
{
    struct import *im = ctx;
    static const bool required[SM__CF_COUNT] = { true, true, true };
    if (!im->sheet.header_seen) {
        read_header(im, number, cells, n, sm__catalog_category_field_names, SM__CF_COUNT, required);
        return SM_OK;
    }
    if (im->sheet.header_bad || row_empty(im, cells, n))
        return SM_OK;
    if (im->n_categories == SM__CATALOG_MAX_CATEGORIES) {
        if (!im->too_many)
            sm__catalog_problem_add(&im->p, number, "too many categories (at most %d)",
                                    SM__CATALOG_MAX_CATEGORIES);
        im->too_many = im->p.too_large = true;
        return SM_OK;
    }
    if (!grow(im, (void **)&im->categories, (void **)&im->category_where, sizeof *im->categories,
              im->n_categories, &im->cap_categories))
        return SM_ENOMEM;
    struct sm_category *cat = &im->categories[im->n_categories];
    struct sm__cat_where *w = &im->category_where[im->n_categories];
    im->n_categories++;
    memset(cat, 0, sizeof *cat);
    memset(w, 0, sizeof *w);
    w->at = number;
    report_errors(im, number, cells, n, sm__catalog_category_field_names);
    const char **dst[SM__CF_COUNT] = { &cat->id, &cat->name_ja, &cat->name_en };
    for (size_t i = 0; i < SM__XLSX_MAX_COLS; i++) {
        int k = im->sheet.column[i];
        if (k < 0)
            continue;
        w->present[k] = true;
        w->line[k] = number;
        if (i < n && cells[i].error)
            w->reported[k] = true;
        else
            *dst[k] = take(im, i < n ? cells[i].text : NULL);
    }
    return im->p.oom ? SM_ENOMEM : SM_OK;
}

static int catalog_row(void *ctx, long number, const struct sm__xlsx_cell *cells, size_t n)
{
    struct import *im = ctx;
    static const bool required[2] = { true, true };
    struct sm_catalog *c = im->c;
    if (!im->sheet.header_seen) {
        read_header(im, number, cells, n, catalog_columns, 2, required);
        return SM_OK;
    }
    if (im->sheet.header_bad || row_empty(im, cells, n))
        return SM_OK;
    const char *field = NULL, *value = NULL;
    bool error = false;
    for (size_t i = 0; i < n; i++) {
        if (im->sheet.column[i] == 0)
            field = cells[i].text;
        else if (im->sheet.column[i] == 1)
            value = cells[i].text, error = cells[i].error;
    }
    char text[80], q[80];
    header_text(field ? field : "", text, sizeof text);
    const char **dst[] = { &c->version, &c->title, &c->title_en };
    for (int f = SM__TOP_VERSION; f <= SM__TOP_TITLE_EN; f++) {
        if (strcmp(text, sm__catalog_top_field_names[f]) != 0)
            continue;
        if (c->where.present[f]) {
            sm__catalog_problem_add(&im->p, number, "'%s' is given twice (first at row %ld)", text,
                                    c->where.line[f]);
            return SM_OK;
        }
        c->where.present[f] = true;
        c->where.line[f] = number;
        if (error) {
            sm__catalog_problem_add(&im->p, number, "'%s' holds an error value", text);
            c->where.reported[f] = true;
        } else {
            *dst[f] = take(im, value);
        }
        return im->p.oom ? SM_ENOMEM : SM_OK;
    }
    sm__catalog_problem_add(&im->p, number,
                            "unknown field '%s' (expected version, title or title_en)",
                            sm__catalog_quote(q, sizeof q, text));
    return SM_OK;
}

/* Reads one sheet; a missing sheet is a problem, not a failure. */
static int read_sheet(struct import *im, struct sm__xlsx *x, const char *name, int section,
                      int (*row)(void *, long, const struct sm__xlsx_cell *, size_t),
                      struct sm_diag *diag)
{
    memset(&im->sheet, 0, sizeof im->sheet);
    im->sheet.name = name;
    im->p.section = section;
    im->too_many = false;
    if (!sm__catalog_xlsx_has_sheet(x, name)) {
        sm__catalog_problem_add(&im->p, 0, "the workbook has no sheet '%s'", name);
        return SM_ENOTFOUND;
    }
    int rc = sm__catalog_xlsx_rows(x, name, row, im, diag);
    if (rc == SM_ENOTFOUND)
        rc = SM_OK; /* listed but without a part: an empty sheet */
    if (!rc && !im->sheet.header_seen) {
        sm__catalog_problem_add(&im->p, 0, "sheet '%s' is empty (it needs a header row)", name);
        rc = SM_ENOTFOUND;
    } else if (!rc && im->sheet.header_bad) {
        rc = SM_ENOTFOUND;
    }
    return rc;
}

/* Moves the rows read into the catalog's arena. */
static int settle(struct import *im)
{
    struct sm_catalog *c = im->c;
    c->items = sm__cat_calloc(&c->arena, im->n_items, sizeof *c->items);
    c->item_where = sm__cat_calloc(&c->arena, im->n_items, sizeof *c->item_where);
    c->categories = sm__cat_calloc(&c->arena, im->n_categories, sizeof *c->categories);
    c->category_where = sm__cat_calloc(&c->arena, im->n_categories, sizeof *c->category_where);
    if (!c->items || !c->item_where || !c->categories || !c->category_where)
        return SM_ENOMEM;
    if (im->n_items) {
        memcpy(c->items, im->items, im->n_items * sizeof *c->items);
        memcpy(c->item_where, im->item_where, im->n_items * sizeof *c->item_where);
    }
    if (im->n_categories) {
        memcpy(c->categories, im->categories, im->n_categories * sizeof *c->categories);
        memcpy(c->category_where, im->category_where, im->n_categories * sizeof *c->category_where);
    }
    c->n_items = im->n_items;
    c->n_categories = im->n_categories;
    return SM_OK;
}

int sm_catalog_import_xlsx(const char *path, struct sm_catalog **out,
                           struct sm_catalog_problem **problems, size_t *n_problems,
                           struct sm_diag *diag)
{
    struct sm_diag local;
    struct sm_diag *d = diag ? diag : &local;
    struct sm__xlsx *x = NULL;
    struct import im = { 0 };
    *out = NULL;
    *problems = NULL;
    *n_problems = 0;
    sm_diag_clear(d);
    im.p.rows = true;
    im.p.prefix[SM__SEC_TOP] = "sheet '" SM__XLSX_SHEET_CATALOG "': ";
    im.p.prefix[SM__SEC_CATEGORIES] = "sheet '" SM__XLSX_SHEET_CATEGORIES "': ";
    im.p.prefix[SM__SEC_ITEMS] = "sheet '" SM__XLSX_SHEET_ITEMS "': ";

    int rc = sm__catalog_xlsx_open(path, &x, d);
    if (rc)
        goto out;
    im.c = sm__catalog_new();
    if (!im.c) {
        rc = SM_ENOMEM;
        goto out;
    }
    struct sm__cat_where *top = &im.c->where;
    rc = read_sheet(&im, x, SM__XLSX_SHEET_CATALOG, SM__SEC_TOP, catalog_row, d);
    if (rc == SM_ENOTFOUND) {
        for (int f = SM__TOP_VERSION; f <= SM__TOP_TITLE_EN; f++)
            top->reported[f] = true;
        rc = SM_OK;
    }
    if (!rc)
        rc = read_sheet(&im, x, SM__XLSX_SHEET_CATEGORIES, SM__SEC_CATEGORIES, category_row, d);
    top->present[SM__TOP_CATEGORIES] = true;
    if (rc == SM_ENOTFOUND) {
        top->reported[SM__TOP_CATEGORIES] = true;
        rc = SM_OK;
    }
    if (!rc)
        rc = read_sheet(&im, x, SM__XLSX_SHEET_ITEMS, SM__SEC_ITEMS, item_row, d);
    top->present[SM__TOP_ITEMS] = true;
    if (rc == SM_ENOTFOUND) {
        top->reported[SM__TOP_ITEMS] = true;
        rc = SM_OK;
    }
    if (!rc)
        rc = settle(&im);
    if (!rc && !im.p.oom)
        sm__catalog_check(im.c, &im.p);
    if (!rc && im.p.oom)
        rc = SM_ENOMEM;
    if (rc) {
        if (rc == SM_ENOMEM && !d->msg[0])
            sm_diag_set(d, rc, "out of memory reading workbook '%s'", path);
        goto out;
    }
    if (im.p.n) {
        rc = im.p.too_large ? SM_ELIMIT : SM_EINVAL;
        sm_diag_set(d, rc, "workbook '%s' has %zu bad row%s; nothing imported", path, im.p.n,
                    im.p.n == 1 ? "" : "s");
        sm__catalog_problems_sort(&im.p);
        *problems = sm__catalog_problems_take(&im.p, n_problems);
        goto out;
    }
    rc = sm__catalog_finish(im.c);
    if (rc) {
        sm_diag_set(d, rc, "out of memory reading workbook '%s'", path);
        goto out;
    }
    *out = im.c;
    im.c = NULL;
out:
    sm_catalog_free(im.c);
    sm__catalog_problems_release(&im.p);
    sm_free(im.items);
    sm_free(im.item_where);
    sm_free(im.categories);
    sm_free(im.category_where);
    sm__catalog_xlsx_free(x);
    return rc;
}

/*
 * Writing a catalog as an XLSX workbook for the working group to edit in Excel
 * (sm_catalog_export_xlsx); the only file in src/catalog that includes xlsxwriter.h.
 *
 * The layout (xlsx.h) is what sm_catalog_import_xlsx reads back: sheet "items" with a header
 * row of field names, a row per item; "categories"; and "catalog" with the version and
 * titles. The header row is frozen and filtered, long text wraps. Two details keep the round
 * trip exact: text that happens to look like OOXML's "_xHHHH_" escape gets its underscore
 * escaped as Excel does ("_x005F_"), so the import's decoding gives it back unchanged; and a
 * list whose joined cell would pass Excel's cell limit is refused rather than cut.
 *
 * The workbook is written to a temporary file beside path and renamed over it at the end,
 * so a failed export never leaves a half-written file under the name asked for.
 */
#include "catalog/internal.h"
#include "catalog/xlsx.h"

#include "smesec/alloc.h"
#include "smesec/utf8.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <xlsxwriter.h>

#include "util/banned.h"

const struct sm__xlsx_column sm__catalog_xlsx_item_columns[SM__XLSX_ITEM_COLUMNS] = {
    { "id", SM__IF_ID, 0, 10 },
    { "category", SM__IF_CATEGORY, 0, 13 },
    { "stage", SM__IF_STAGE, 0, 6 },
    { "title_ja", SM__IF_TITLE_JA, 0, 30 },
    { "title_en", SM__IF_TITLE_EN, 0, 30 },
    { "description_ja", SM__IF_DESCRIPTION_JA, 0, 50 },
    { "description_en", SM__IF_DESCRIPTION_EN, 0, 50 },
    { "howto_ja", SM__IF_HOWTO_JA, 0, 40 },
    { "howto_en", SM__IF_HOWTO_EN, 0, 40 },
    { "example_1", SM__IF_EXAMPLES, 0, 40 },
    { "example_2", SM__IF_EXAMPLES, 1, 40 },
    { "example_3", SM__IF_EXAMPLES, 2, 40 },
    { "references", SM__IF_REFERENCES, 0, 40 },
    { "terms", SM__IF_TERMS, 0, 40 },
    { "context", SM__IF_CONTEXT, 0, 25 },
    { "exclude", SM__IF_EXCLUDE, 0, 25 },
};

#define CELL_MAX ((size_t)SM__CATALOG_MAX_CELL * 4)

struct writer {
    lxw_workbook *wb;
    lxw_format *header;
    lxw_format *wrap;
    struct sm_buf cell; /* the text of the cell being written */
    const char *path;
    struct sm_diag *diag;
};

static bool is_hex(char c)
{
    return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'F') || (c >= 'a' && c <= 'f');
}

/* Appends s to the cell with the underscore of each "_xHHHH_" look-alike escaped as
 * "_x005F_", so "_x0041_" is written "_x005F_x0041_" and read back as itself. */
static int put_escaped(struct sm_buf *b, const char *s)
{
    int rc = SM_OK;
    size_t n = strlen(s), run = 0;
    for (size_t i = 0; i + 6 < n && !rc; i++) {
        if (s[i] == '_' && s[i + 1] == 'x' && is_hex(s[i + 2]) && is_hex(s[i + 3]) &&
            is_hex(s[i + 4]) && is_hex(s[i + 5]) && s[i + 6] == '_') {
            rc = sm_buf_append(b, s + run, i - run);
            if (!rc)
                rc = sm_buf_puts(b, "_x005F_");
            run = i + 1;
        }
    }
    if (!rc)
        rc = sm_buf_append(b, s + run, n - run);
    return rc;
}

/* UTF-16 units, as Excel counts a cell's length. */
static size_t utf16_units(const char *s, size_t n)
{
    size_t units = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if ((c & 0xC0) != 0x80)
            units += c >= 0xF0 ? 2 : 1;
    }
    return units;
}

static int check_lxw(struct writer *w, lxw_error e, const char *what)
{
    if (e == LXW_NO_ERROR)
        return SM_OK;
    if (e == LXW_ERROR_MAX_STRING_LENGTH_EXCEEDED)
        return sm_diag_set(w->diag, SM_ELIMIT, "%s is longer than a spreadsheet cell holds", what);
    if (e == LXW_ERROR_MEMORY_MALLOC_FAILED)
        return sm_diag_set(w->diag, SM_ENOMEM, "out of memory writing workbook '%s'", w->path);
    return sm_diag_set(w->diag, SM_EIO, "cannot write workbook '%s': %s", w->path, lxw_strerror(e));
}

/* Writes the cell's buffered text at (row, col). */
static int write_cell(struct writer *w, lxw_worksheet *ws, lxw_row_t row, lxw_col_t col,
                      lxw_format *fmt, const char *what)
{
    if (utf16_units(w->cell.data ? w->cell.data : "", w->cell.len) > SM__CATALOG_MAX_CELL)
        return sm_diag_set(w->diag, SM_ELIMIT,
                           "%s is longer than a spreadsheet cell holds (%d characters)", what,
                           SM__CATALOG_MAX_CELL);
    return check_lxw(w, worksheet_write_string(ws, row, col, w->cell.data ? w->cell.data : "", fmt),
                     what);
}

static int write_text(struct writer *w, lxw_worksheet *ws, lxw_row_t row, lxw_col_t col,
                      lxw_format *fmt, const char *s, const char *what)
{
    sm_buf_reset(&w->cell);
    int rc = put_escaped(&w->cell, s ? s : "");
    return rc ? rc : write_cell(w, ws, row, col, fmt, what);
}

static int write_list(struct writer *w, lxw_worksheet *ws, lxw_row_t row, lxw_col_t col,
                      const struct sm_strings *list, const char *what)
{
    int rc = SM_OK;
    sm_buf_reset(&w->cell);
    for (size_t i = 0; i < list->n && !rc; i++) {
        if (i)
            rc = sm_buf_puts(&w->cell, " | ");
        if (!rc)
            rc = put_escaped(&w->cell, list->v[i]);
    }
    if (rc == SM_ELIMIT)
        return sm_diag_set(w->diag, rc, "%s is longer than a spreadsheet cell holds", what);
    return rc ? rc : write_cell(w, ws, row, col, w->wrap, what);
}

static int write_header(struct writer *w, lxw_worksheet *ws, const char *const *names, size_t n)
{
    int rc = SM_OK;
    for (size_t i = 0; i < n && !rc; i++)
        rc = check_lxw(w, worksheet_write_string(ws, 0, (lxw_col_t)i, names[i], w->header),
                       "a header");
    if (!rc)
        worksheet_freeze_panes(ws, 1, 0);
    return rc;
}

static int write_items(struct writer *w, const struct sm_catalog *c)
{
    lxw_worksheet *ws = workbook_add_worksheet(w->wb, SM__XLSX_SHEET_ITEMS);
    if (!ws)
        return sm_diag_set(w->diag, SM_ENOMEM, "cannot add a sheet to workbook '%s'", w->path);
    const char *names[SM__XLSX_ITEM_COLUMNS];
    for (size_t k = 0; k < SM__XLSX_ITEM_COLUMNS; k++) {
        const struct sm__xlsx_column *col = &sm__catalog_xlsx_item_columns[k];
        names[k] = col->name;
        worksheet_set_column(ws, (lxw_col_t)k, (lxw_col_t)k, col->width,
                             col->width >= 25 ? w->wrap : NULL);
    }
    int rc = write_header(w, ws, names, SM__XLSX_ITEM_COLUMNS);
    if (!rc)
        worksheet_autofilter(ws, 0, 0, (lxw_row_t)c->n_items, SM__XLSX_ITEM_COLUMNS - 1);
    for (size_t i = 0; i < c->n_items && !rc; i++) {
        const struct sm_check_item *it = &c->items[i];
        lxw_row_t row = (lxw_row_t)(i + 1);
        for (size_t k = 0; k < SM__XLSX_ITEM_COLUMNS && !rc; k++) {
            const struct sm__xlsx_column *col = &sm__catalog_xlsx_item_columns[k];
            lxw_col_t cn = (lxw_col_t)k;
            char what[128];
            snprintf(what, sizeof what, "item '%s' %s", it->id, col->name);
            switch ((enum sm__item_field)col->field) {
            case SM__IF_ID:
                rc = write_text(w, ws, row, cn, NULL, it->id, what);
                break;
            case SM__IF_CATEGORY:
                rc = write_text(w, ws, row, cn, NULL, it->category, what);
                break;
            case SM__IF_STAGE:
                rc = check_lxw(w, worksheet_write_number(ws, row, cn, it->stage, NULL), what);
                break;
            case SM__IF_TITLE_JA:
                rc = write_text(w, ws, row, cn, w->wrap, it->title_ja, what);
                break;
            case SM__IF_TITLE_EN:
                rc = write_text(w, ws, row, cn, w->wrap, it->title_en, what);
                break;
            case SM__IF_DESCRIPTION_JA:
                rc = write_text(w, ws, row, cn, w->wrap, it->description_ja, what);
                break;
            case SM__IF_DESCRIPTION_EN:
                rc = write_text(w, ws, row, cn, w->wrap, it->description_en, what);
                break;
            case SM__IF_HOWTO_JA:
                rc = write_text(w, ws, row, cn, w->wrap, it->howto_ja, what);
                break;
            case SM__IF_HOWTO_EN:
                rc = write_text(w, ws, row, cn, w->wrap, it->howto_en, what);
                break;
            case SM__IF_EXAMPLES:
                rc = write_text(w, ws, row, cn, w->wrap, it->example[col->example], what);
                break;
            case SM__IF_REFERENCES:
                rc = write_list(w, ws, row, cn, &it->references, what);
                break;
            case SM__IF_TERMS:
                rc = write_list(w, ws, row, cn, &it->terms, what);
                break;
            case SM__IF_CONTEXT:
                rc = write_list(w, ws, row, cn, &it->context, what);
                break;
            case SM__IF_EXCLUDE:
                rc = write_list(w, ws, row, cn, &it->exclude, what);
                break;
            case SM__IF_RULES:
            case SM__IF_COUNT:
                break;
            }
        }
    }
    return rc;
}

static int write_categories(struct writer *w, const struct sm_catalog *c)
{
    lxw_worksheet *ws = workbook_add_worksheet(w->wb, SM__XLSX_SHEET_CATEGORIES);
    if (!ws)
        return sm_diag_set(w->diag, SM_ENOMEM, "cannot add a sheet to workbook '%s'", w->path);
    worksheet_set_column(ws, 0, 0, 14, NULL);
    worksheet_set_column(ws, 1, 2, 40, NULL);
    int rc = write_header(w, ws, sm__catalog_category_field_names, SM__CF_COUNT);
    for (size_t i = 0; i < c->n_categories && !rc; i++) {
        const struct sm_category *cat = &c->categories[i];
        lxw_row_t row = (lxw_row_t)(i + 1);
        rc = write_text(w, ws, row, 0, NULL, cat->id, "a category id");
        if (!rc)
            rc = write_text(w, ws, row, 1, NULL, cat->name_ja, "a category name");
        if (!rc)
            rc = write_text(w, ws, row, 2, NULL, cat->name_en, "a category name");
    }
    return rc;
}

static int write_about(struct writer *w, const struct sm_catalog *c)
{
    static const char *const header[] = { "field", "value" };
    lxw_worksheet *ws = workbook_add_worksheet(w->wb, SM__XLSX_SHEET_CATALOG);
    if (!ws)
        return sm_diag_set(w->diag, SM_ENOMEM, "cannot add a sheet to workbook '%s'", w->path);
    worksheet_set_column(ws, 0, 0, 12, NULL);
    worksheet_set_column(ws, 1, 1, 80, NULL);
    int rc = write_header(w, ws, header, 2);
    const char *values[] = { c->version, c->title, c->title_en };
    for (int f = SM__TOP_VERSION; f <= SM__TOP_TITLE_EN && !rc; f++) {
        lxw_row_t row = (lxw_row_t)(f + 1);
        rc = write_text(w, ws, row, 0, NULL, sm__catalog_top_field_names[f], "a field name");
        if (!rc)
            rc = write_text(w, ws, row, 1, NULL, values[f], sm__catalog_top_field_names[f]);
    }
    return rc;
}

int sm_catalog_export_xlsx(const struct sm_catalog *catalog, const char *path, struct sm_diag *diag)
{
    struct writer w = { .path = path, .diag = diag };
    struct sm_buf tmp;
    sm_diag_clear(diag);
    sm_buf_init(&w.cell, CELL_MAX);
    sm_buf_init(&tmp, 4096);
    int rc = sm_buf_printf(&tmp, "%s.tmp", path);
    if (rc) {
        rc = sm_diag_set(diag, rc, "cannot export to '%s': path too long", path);
        goto out;
    }
    /* libxlsxwriter reports a file it cannot create on stderr; the library must not print, so
     * that case (the usual one: a wrong folder, no permission) is caught here first. */
    FILE *probe = fopen(tmp.data, "wb");
    if (!probe) {
        rc = sm_diag_set(diag, SM_EIO, "cannot write workbook '%s': %s", path, strerror(errno));
        goto out;
    }
    fclose(probe);
    w.wb = workbook_new(tmp.data);
    if (!w.wb) {
        rc = sm_diag_set(diag, SM_EIO, "cannot create workbook '%s'", tmp.data);
        goto out;
    }
    /* libxlsxwriter takes char * but only reads the properties. */
    static char comments[] = "smesec check-item catalog";
    lxw_doc_properties props = { .title = (char *)(uintptr_t)catalog->title,
                                 .subject = (char *)(uintptr_t)catalog->version,
                                 .comments = comments };
    workbook_set_properties(w.wb, &props);
    w.header = workbook_add_format(w.wb);
    w.wrap = workbook_add_format(w.wb);
    if (!w.header || !w.wrap) {
        rc = sm_diag_set(diag, SM_ENOMEM, "out of memory writing workbook '%s'", path);
        goto out;
    }
    format_set_bold(w.header);
    format_set_bg_color(w.header, 0xDDEBF7);
    format_set_text_wrap(w.wrap);
    format_set_align(w.wrap, LXW_ALIGN_VERTICAL_TOP);

    rc = write_items(&w, catalog);
    if (!rc)
        rc = write_categories(&w, catalog);
    if (!rc)
        rc = write_about(&w, catalog);
    lxw_error e = workbook_close(w.wb);
    w.wb = NULL;
    if (!rc)
        rc = check_lxw(&w, e, "the workbook");
    if (!rc && rename(tmp.data, path) != 0)
        rc = sm_diag_set(diag, SM_EIO, "cannot write workbook '%s'", path);
out:
    if (w.wb) {
        /* Nothing written yet: closing is the only way to free it; the file goes below. */
        workbook_close(w.wb);
    }
    if (rc && tmp.data)
        remove(tmp.data);
    sm_buf_release(&tmp);
    sm_buf_release(&w.cell);
    return rc;
}

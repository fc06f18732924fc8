/*
 * Reading the cells of an XLSX workbook (xlsx_read.c, over libzip and libxml2), for the
 * catalog's import. Internal to src/catalog/.
 *
 * Rows are delivered one at a time, in the order of the sheet, to a callback; empty rows are
 * skipped. A workbook is outside input, so every part is read with hard limits: the file,
 * each part once expanded, the sum of the parts, the number of rows and of columns.
 */
#ifndef SM_CATALOG_XLSX_H
#define SM_CATALOG_XLSX_H

#include "smesec/err.h"

#include <stdbool.h>
#include <stddef.h>

#define SM__XLSX_MAX_FILE  ((size_t)64 << 20)  /* the .xlsx file itself */
#define SM__XLSX_MAX_PART  ((size_t)64 << 20)  /* one part, expanded */
#define SM__XLSX_MAX_TOTAL ((size_t)256 << 20) /* all parts read, expanded */
#define SM__XLSX_MAX_ROWS  20000               /* non-empty rows of one sheet */
#define SM__XLSX_MAX_COLS  64                  /* columns delivered; later ones dropped */

struct sm__xlsx;

/* One cell: its text (NULL when the cell is empty), and whether it holds an error value
 * (#REF!, #N/A, ...: text is then the error's name). Text is UTF-8 with line feeds only and
 * Excel's _xHHHH_ escapes decoded. */
struct sm__xlsx_cell {
    const char *text;
    bool error;
};

/* Opens a workbook and reads its list of sheets and its shared strings. SM_EIO (cannot
 * open), SM_EPARSE (not an XLSX workbook, bad XML), SM_ELIMIT, SM_ENOMEM, with the reason in
 * diag. *out is owned by the caller (sm__catalog_xlsx_free). */
int sm__catalog_xlsx_open(const char *path, struct sm__xlsx **out, struct sm_diag *diag);
void sm__catalog_xlsx_free(struct sm__xlsx *x);

/* True when the workbook has a sheet called name. */
bool sm__catalog_xlsx_has_sheet(const struct sm__xlsx *x, const char *name);

/* Calls row(ctx, number, cells, n) for each row of sheet name that has a non-empty cell:
 * number is the spreadsheet's row number (1-based), cells[i] is column i (A = 0) for
 * i < n <= SM__XLSX_MAX_COLS. Cells are borrowed for the call only. A non-zero return from
 * row stops the reading and is returned. SM_ENOTFOUND when there is no such sheet. */
int sm__catalog_xlsx_rows(struct sm__xlsx *x, const char *sheet,
                          int (*row)(void *ctx, long number, const struct sm__xlsx_cell *cells,
                                     size_t n),
                          void *ctx, struct sm_diag *diag);

/* The workbook's layout, shared by the export and the import. Three sheets: */
#define SM__XLSX_SHEET_ITEMS      "items"      /* a row per item, a column per field */
#define SM__XLSX_SHEET_CATEGORIES "categories" /* id, name_ja, name_en */
#define SM__XLSX_SHEET_CATALOG    "catalog"    /* field | value rows: version, title, title_en */

/* The items sheet's columns, in order; each header cell holds name. Lists are one cell, their
 * entries joined with " | "; examples are three columns, one per stage. */
struct sm__xlsx_column {
    const char *name;
    int field;    /* enum sm__item_field */
    int example;  /* for SM__IF_EXAMPLES: the stage's index, 0..2 */
    double width; /* in Excel's character widths */
};

#define SM__XLSX_ITEM_COLUMNS 16
extern const struct sm__xlsx_column sm__catalog_xlsx_item_columns[SM__XLSX_ITEM_COLUMNS];

/* Column name of index i (0 -> "A", 26 -> "AA") into out (at least 4 bytes). */
void sm__catalog_xlsx_column_name(size_t i, char *out);

#endif

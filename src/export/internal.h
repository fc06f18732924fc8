/*
 * Shared by the writers of src/export/: the facts every output prints (criterion, catalog
 * version, review counts), atomic file writes, CSV and Markdown escaping, JSON context
 * helpers and the HTML page renderer, the order of the check sheet, and the one file that
 * includes xlsxwriter.h (workbook.c) writing the check sheet's XLSX for checksheet.c.
 *
 * Nothing here is public API; names are sm__ because they cross files of this folder only.
 */
#ifndef SM_EXPORT_INTERNAL_H
#define SM_EXPORT_INTERNAL_H

#include "smesec/buf.h"
#include "smesec/embed.h"
#include "smesec/err.h"
#include "smesec/export.h"

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

/* The templates of src/export/templates/, compiled in by sm_embed (names "templates/..."). */
extern const struct sm_embedded sm_export_templates[];

/* Largest output any writer builds in memory (HTML, CSV, Markdown, JSON). */
#define SM__EXPORT_MAX ((size_t)256 << 20)

/* What every output states. Strings owned by the struct (sm__facts_release). */
struct sm__facts {
    char *criterion_ja;           /* sm_criterion_describe in Japanese */
    char *criterion_en;           /* ... and in English */
    char *criterion_spec;         /* sm_criterion_format, e.g. "share:0.5:min=1" */
    const char *catalog_title;    /* borrowed from the catalog; never NULL */
    const char *catalog_title_en; /* the English title, else the Japanese; never NULL */
    const char *catalog_version;  /* borrowed from the catalog; never NULL */
    char generated[16];           /* r->generated_at, or today's date in Japan when NULL */
    size_t reviewed;              /* sm_matrix_review_counts */
    size_t total;
    char reviewed_ja[96]; /* "レビュー済み: N / M セル" */
    char reviewed_en[96]; /* "N of M cells reviewed" */
};

/* Checks that r is complete and consistent (catalog, matrix and judgement of the same item
 * count, cells and guidelines present, every item's category known). SM_EINVAL with the
 * reason in diag. */
int sm__report_check(const struct sm_report *r, struct sm_diag *diag);

/* Fills f from r (which must have passed sm__report_check). SM_ENOMEM; f is left released on
 * failure. */
int sm__facts_init(struct sm__facts *f, const struct sm_report *r, struct sm_diag *diag);
void sm__facts_release(struct sm__facts *f);

/* The cell (item, g) of r's matrix. */
const struct sm_cell *sm__cell(const struct sm_report *r, size_t item, size_t g);

/* The Japanese (else English, else the id) name of category id, never NULL. */
const char *sm__category_name(const struct sm_report *r, const char *id);

/* ---- files ---------------------------------------------------------------------------- */

/* Writes data to path atomically: into a new file "path.tmp-XXXXXX" in the same folder
 * (created with O_EXCL, mode 0666 less the umask), flushed to disk, then renamed over path.
 * On any failure the temporary file is removed and path is untouched. SM_EIO / SM_ENOMEM. */
int sm__write_file(const char *path, const void *data, size_t n, struct sm_diag *diag);

/* The same in two steps, for writers that need a file name rather than bytes (XLSX):
 * sm__tmp_create makes the empty temporary file and hands over its name (*tmp, owned by the
 * caller); sm__tmp_commit flushes it and renames it to path, sm__tmp_discard removes it.
 * Both free *tmp. */
int sm__tmp_create(const char *path, char **tmp, struct sm_diag *diag);
int sm__tmp_commit(char *tmp, const char *path, struct sm_diag *diag);
void sm__tmp_discard(char *tmp);

/* ---- CSV (RFC 4180) and Markdown ---------------------------------------------------------- */

/* Appends one text field (NULL as empty) with sm_csv_put_field and SM_CSV_NEUTRALISE: a
 * leading ' when it starts with = + - @ TAB or CR (so a spreadsheet never runs it as a
 * formula), in double quotes (inner quotes doubled) when it holds a comma, a quote, CR or
 * LF; preceded by a comma unless first (the row's first field). */
int sm__csv_text(struct sm_buf *b, bool first, const char *s);
/* Appends a number field (never quoted or neutralised). */
int sm__csv_int(struct sm_buf *b, bool first, long long v);
int sm__csv_real(struct sm_buf *b, bool first, double v, int decimals);
/* Ends the row with CRLF. */
int sm__csv_eol(struct sm_buf *b);

/* Appends s as Markdown text: ASCII punctuation that Markdown or HTML would read as markup
 * (\ ` * _ [ ] < > | # !) backslash-escaped, line breaks as spaces. */
int sm__md_text(struct sm_buf *b, const char *s);

/* ---- JSON contexts and HTML --------------------------------------------------------------- */

/* Sets obj[key] = v, taking v (also on failure). SM_ENOMEM when v is NULL or the set fails. */
int sm__jset(json_t *obj, const char *key, json_t *v);
/* Sets a string (NULL as ""). SM_EINVAL when s is not valid UTF-8, SM_ENOMEM. */
int sm__jset_str(json_t *obj, const char *key, const char *s);
int sm__jset_int(json_t *obj, const char *key, long long v);
int sm__jset_bool(json_t *obj, const char *key, bool v);
/* Appends v to arr, taking v. SM_ENOMEM. */
int sm__jpush(json_t *arr, json_t *v);

/* Sets ctx.doc to the facts (criterion ja/en/spec, catalog title/version, generated date,
 * review counts and texts) for the shared header and footer partials. */
int sm__facts_json(const struct sm__facts *f, json_t *ctx);

/* Renders the export template name (e.g. "templates/checksheet.html") with ctx and writes
 * it atomically to path. */
int sm__html_write(const char *name, const json_t *ctx, const char *path, struct sm_diag *diag);

/* Turns a failed helper's code into a diag message naming path (when diag is still empty)
 * and returns code. */
int sm__fail(struct sm_diag *diag, int code, const char *what, const char *path);

/* ---- the check sheet ---------------------------------------------------------------------- */

/* The common items in check-sheet order: by category in the catalog's category order, then
 * in catalog order. *order (item indexes) is owned by the caller (sm_free); *n may be 0. */
int sm__checksheet_order(const struct sm_report *r, size_t **order, size_t *n);

/* The check sheet as XLSX; implemented in workbook.c, where libxlsxwriter is. */
int sm__checksheet_xlsx(const struct sm_report *r, const struct sm__facts *f, const size_t *order,
                        size_t n, const char *path, struct sm_diag *diag);

#endif

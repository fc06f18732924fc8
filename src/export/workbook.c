/*
 * The XLSX outputs, the one file of src/export/ that includes xlsxwriter.h: the matrix
 * workbook and the check sheet's workbook (for checksheet.c).
 *
 * The matrix workbook has, in this order:
 *
 *   マトリクス   items × guidelines with category and stage, a 共通項 column, the reference
 *                score, written-by count and mean. A common item's label cells and its
 *                reference are orange (#F4B183); a score below the item's reference has a
 *                red diagonal pattern and a red border, to be reviewed by its industry; a
 *                score an analyst set by hand is italic and carries the note as a comment.
 *                A legend above the table says so.
 *   one sheet per guideline  its score per item against the reference, the below-reference
 *                flag, method, review state, strength, and the evidence sentences with their
 *                page numbers.
 *   得点表       the scores alone, one row per guideline, set up to print on A4 landscape one
 *                page wide with the header rows repeated: the table sent back to industries.
 *   基準         the criterion in Japanese and English, its spec, the catalog version, the
 *                date, "N / M cells reviewed" and the legend.
 *
 * Sheet names are made from the industry (else the title): at most 31 UTF-16 units, none of
 * []:*?/\ or control characters, no apostrophe at either end, unique ignoring ASCII case,
 * never one of the fixed sheets' names; clashes get " (2)", " (3)", ...
 *
 * libxlsxwriter writes to a file name, so the file is written under a temporary name beside
 * the target (sm__tmp_create) and renamed into place only when workbook_close succeeded. The
 * first libxlsxwriter error is kept and reported; every call after it is still made, which
 * is harmless, so the code stays straight-line. Strings are capped below Excel's 32767
 * characters per cell at a UTF-8 boundary, so libxlsxwriter never refuses (or prints).
 *
 * NEEDSWORK: libxlsxwriter writes a line to stderr when workbook_close cannot write its file
 * (a full disk, say); the error still comes back as a code and is reported through diag,
 * but the library's rule that it never prints holds only up to that line.
 */
#include "internal.h"

#include "smesec/alloc.h"
#include "smesec/catalog.h"
#include "smesec/commons.h"
#include "smesec/utf8.h"

#include <stdio.h>
#include <string.h>
#include <xlsxwriter.h>

#include "util/banned.h"

#define ORANGE       0xF4B183
#define HEAD_GREY    0xD9D9D9
#define BELOW_RED    0xC00000
#define BELOW_STRIPE 0xE8A0A0

/* Bytes of one cell's text: Excel's limit is 32767 characters; bytes >= characters. */
#define CELL_MAX 32000

/* Room for a sheet name: 31 UTF-16 units, at most 4 UTF-8 bytes per unit. */
#define SHEET_NAME_UNITS 31
#define SHEET_NAME_BYTES (SHEET_NAME_UNITS * 4 + 1)

static const char SHEET_MATRIX[] = "マトリクス";
static const char SHEET_SUMMARY[] = "得点表";
static const char SHEET_CRITERION[] = "基準";
static const char SHEET_CHECK[] = "チェックシート";

struct fmts {
    lxw_format *title;
    lxw_format *note;
    lxw_format *head;
    lxw_format *head_common;
    lxw_format *head_rot;
    lxw_format *head_rot_common;
    lxw_format *cell; /* bordered, wrapped (rows get a height from row_height) */
    lxw_format *cell_common;
    lxw_format *plain; /* bordered, not wrapped: long text is cut at the next cell */
    lxw_format *plain_common;
    lxw_format *center;
    lxw_format *center_common;
    lxw_format *mean;
    lxw_format *score[2][2]; /* [below][manual] */
    lxw_format *box;
    lxw_format *label;
};

struct xw {
    lxw_workbook *wb;
    lxw_error err; /* the first error of any call */
    struct fmts f;
    struct sm_buf text; /* scratch for joined cell text */
};

static void keep(struct xw *x, lxw_error e)
{
    if (x->err == LXW_NO_ERROR && e != LXW_NO_ERROR)
        x->err = e;
}

static lxw_row_t ROW(size_t r)
{
    return (lxw_row_t)r;
}

static lxw_col_t COL(size_t c)
{
    return (lxw_col_t)c;
}

/* Copies at most CELL_MAX bytes of s, cut at a UTF-8 boundary, into x->text. */
static const char *capped(struct xw *x, const char *s)
{
    if (!s)
        return "";
    size_t n = strlen(s);
    if (n <= CELL_MAX)
        return s;
    while (n > CELL_MAX || ((unsigned char)s[n] & 0xC0) == 0x80)
        n--;
    sm_buf_reset(&x->text);
    if (sm_buf_append(&x->text, s, n) != SM_OK) {
        keep(x, LXW_ERROR_MEMORY_MALLOC_FAILED);
        return "";
    }
    return x->text.data;
}

static void put_str(struct xw *x, lxw_worksheet *ws, size_t r, size_t c, const char *s,
                    lxw_format *f)
{
    keep(x, worksheet_write_string(ws, ROW(r), COL(c), capped(x, s), f));
}

static void put_num(struct xw *x, lxw_worksheet *ws, size_t r, size_t c, double v, lxw_format *f)
{
    keep(x, worksheet_write_number(ws, ROW(r), COL(c), v, f));
}

static void set_col(struct xw *x, lxw_worksheet *ws, size_t c, double width)
{
    keep(x, worksheet_set_column(ws, COL(c), COL(c), width, NULL));
}

static lxw_format *fmt(struct xw *x)
{
    lxw_format *f = workbook_add_format(x->wb);
    if (!f)
        keep(x, LXW_ERROR_MEMORY_MALLOC_FAILED);
    return f;
}

/* Creates the formats; NULL formats (out of memory) are recorded in x->err and the calls
 * using them are skipped by the caller's check. */
static int make_formats(struct xw *x)
{
    struct fmts *f = &x->f;
    lxw_format **all[] = {
        &f->title,           &f->note,          &f->head,        &f->head_common, &f->head_rot,
        &f->head_rot_common, &f->cell,          &f->cell_common, &f->plain,       &f->plain_common,
        &f->center,          &f->center_common, &f->mean,        &f->score[0][0], &f->score[0][1],
        &f->score[1][0],     &f->score[1][1],   &f->box,         &f->label
    };
    for (size_t k = 0; k < sizeof all / sizeof all[0]; k++) {
        *all[k] = fmt(x);
        if (!*all[k])
            return SM_ENOMEM;
    }
    format_set_bold(f->title);
    format_set_font_size(f->title, 14);
    format_set_font_size(f->note, 9);

    lxw_format *heads[] = { f->head, f->head_common, f->head_rot, f->head_rot_common };
    for (size_t k = 0; k < 4; k++) {
        format_set_bold(heads[k]);
        format_set_border(heads[k], LXW_BORDER_THIN);
        format_set_text_wrap(heads[k]);
        format_set_align(heads[k], LXW_ALIGN_CENTER);
        format_set_align(heads[k], LXW_ALIGN_VERTICAL_CENTER);
        format_set_bg_color(heads[k], k % 2 ? ORANGE : HEAD_GREY);
    }
    format_set_rotation(f->head_rot, 90);
    format_set_rotation(f->head_rot_common, 90);
    format_set_font_size(f->head_rot, 8);
    format_set_font_size(f->head_rot_common, 8);

    lxw_format *cells[] = { f->cell,        f->cell_common,   f->plain,       f->plain_common,
                            f->center,      f->center_common, f->mean,        f->score[0][0],
                            f->score[0][1], f->score[1][0],   f->score[1][1], f->box,
                            f->label };
    for (size_t k = 0; k < sizeof cells / sizeof cells[0]; k++) {
        format_set_border(cells[k], LXW_BORDER_THIN);
        format_set_align(cells[k], LXW_ALIGN_VERTICAL_TOP);
    }
    format_set_text_wrap(f->cell);
    format_set_text_wrap(f->cell_common);
    format_set_bg_color(f->cell_common, ORANGE);
    format_set_bg_color(f->plain_common, ORANGE);
    format_set_bg_color(f->center_common, ORANGE);
    lxw_format *centred[] = { f->center,      f->center_common, f->mean,        f->score[0][0],
                              f->score[0][1], f->score[1][0],   f->score[1][1], f->box };
    for (size_t k = 0; k < sizeof centred / sizeof centred[0]; k++)
        format_set_align(centred[k], LXW_ALIGN_CENTER);
    format_set_num_format(f->mean, "0.00");
    for (int m = 0; m < 2; m++) {
        lxw_format *below = f->score[1][m];
        format_set_pattern(below, LXW_PATTERN_LIGHT_UP);
        format_set_fg_color(below, BELOW_STRIPE);
        format_set_bg_color(below, 0xFFFFFF);
        format_set_border(below, LXW_BORDER_MEDIUM);
        format_set_border_color(below, BELOW_RED);
        format_set_bold(below);
        format_set_font_color(below, BELOW_RED);
        format_set_italic(f->score[m][1]);
    }
    format_set_font_size(f->box, 14);
    format_set_bold(f->label);
    format_set_bg_color(f->label, HEAD_GREY);
    format_set_text_wrap(f->label);
    return SM_OK;
}

static int map_lxw(lxw_error e)
{
    return e == LXW_ERROR_MEMORY_MALLOC_FAILED ? SM_ENOMEM : SM_EIO;
}

/* Opens the workbook on a temporary file beside path. */
static int xw_open(struct xw *x, const char *path, const char *title, const struct sm__facts *f,
                   char **tmp, struct sm_diag *diag)
{
    memset(x, 0, sizeof *x);
    sm_buf_init(&x->text, CELL_MAX + 4096);
    int rc = sm__tmp_create(path, tmp, diag);
    if (rc)
        return rc;
    x->wb = workbook_new(*tmp);
    if (!x->wb) {
        sm__tmp_discard(*tmp);
        *tmp = NULL;
        return sm_diag_set(diag, SM_ENOMEM, "cannot write '%s': cannot start the workbook", path);
    }
    char author[] = "smesec";
    char *title_copy = sm_strdup(title);
    char *comments = sm_strdup(f->criterion_ja);
    lxw_doc_properties props = { .title = title_copy, .author = author, .comments = comments };
    if (title_copy && comments)
        keep(x, workbook_set_properties(x->wb, &props));
    else
        keep(x, LXW_ERROR_MEMORY_MALLOC_FAILED);
    sm_free(title_copy);
    sm_free(comments);
    if (make_formats(x) != SM_OK)
        keep(x, LXW_ERROR_MEMORY_MALLOC_FAILED);
    return SM_OK;
}

/* Closes the workbook (always: it frees it) and moves the file into place, or discards it. */
static int xw_close(struct xw *x, int rc, char *tmp, const char *path, struct sm_diag *diag)
{
    lxw_error e = workbook_close(x->wb);
    x->wb = NULL;
    sm_buf_release(&x->text);
    if (rc == SM_OK && x->err != LXW_NO_ERROR)
        rc =
            sm_diag_set(diag, map_lxw(x->err), "cannot write '%s': %s", path, lxw_strerror(x->err));
    if (rc == SM_OK && e != LXW_NO_ERROR)
        rc = sm_diag_set(diag, map_lxw(e), "cannot write '%s': %s", path, lxw_strerror(e));
    if (rc) {
        sm__tmp_discard(tmp);
        return rc;
    }
    return sm__tmp_commit(tmp, path, diag);
}

static lxw_worksheet *add_sheet(struct xw *x, const char *name)
{
    lxw_worksheet *ws = workbook_add_worksheet(x->wb, name);
    if (!ws)
        keep(x, LXW_ERROR_MEMORY_MALLOC_FAILED);
    return ws;
}

/* The lines every sheet opens with: title, criterion (ja, en), catalog, date and review. */
static size_t put_facts(struct xw *x, lxw_worksheet *ws, size_t row, const char *title,
                        const struct sm__facts *f)
{
    put_str(x, ws, row++, 0, title, x->f.title);
    put_str(x, ws, row++, 0, f->criterion_ja, NULL);
    put_str(x, ws, row++, 0, f->criterion_en, NULL);
    struct sm_buf line;
    sm_buf_init(&line, CELL_MAX);
    if (sm_buf_printf(&line, "チェック項目カタログ: %s（版 %s）・ 作成日 %s ・ %s（%s）",
                      f->catalog_title, f->catalog_version, f->generated, f->reviewed_ja,
                      f->reviewed_en) == SM_OK)
        put_str(x, ws, row++, 0, line.data, NULL);
    else
        keep(x, LXW_ERROR_MEMORY_MALLOC_FAILED);
    sm_buf_release(&line);
    return row;
}

/* The legend, a row each: a sample cell in column col and what it means beside it. */
static size_t put_legend(struct xw *x, lxw_worksheet *ws, size_t row, size_t col)
{
    put_str(x, ws, row, col, "共通項", x->f.center_common);
    put_str(x, ws, row++, col + 1,
            "オレンジ: 共通項とその基準点（共通項の判断） / Orange: a common item and its "
            "reference score",
            x->f.note);
    put_str(x, ws, row, col, "要見直し", x->f.score[1][0]);
    put_str(x, ws, row++, col + 1,
            "斜線・赤枠: 基準点より低い得点。業界での見直しの候補 / Red stripes and border: below "
            "the reference score, for the industry to review",
            x->f.note);
    put_str(x, ws, row, col, "手動", x->f.score[0][1]);
    put_str(x, ws, row++, col + 1,
            "斜体: 分析者が設定した得点。注記はセルのコメント / Italic: set by an analyst; the "
            "note is the cell's comment",
            x->f.note);
    put_str(x, ws, row++, col + 1,
            "得点: 0 記載なし ・ 1 記載あり ・ 2 具体的な記載（誰が・頻度・方法）・ — 未分析 / "
            "Scores: 0 not written, 1 mentioned, 2 concrete, — not analysed",
            x->f.note);
    return row;
}

/* How many lines s takes in a wrapped column of width units (Excel's unit, about one digit):
 * a rough count, two units for a character outside Latin scripts, for setting row heights
 * (spreadsheets do not grow rows to fit wrapped text on their own when opening a file). */
static size_t text_lines(const char *s, double width)
{
    size_t lines = 1;
    double col = 0;
    for (const unsigned char *p = (const unsigned char *)(s ? s : ""); *p; p++) {
        if (*p == '\n') {
            lines++;
            col = 0;
            continue;
        }
        if ((*p & 0xC0) == 0x80)
            continue;
        double w = *p < 0xE0 ? 1.0 : 2.0;
        if (col + w > width - 1) {
            lines++;
            col = 0;
        }
        col += w;
    }
    return lines;
}

/* Sets row r tall enough for lines lines of 10-11 pt text (Excel's maximum is 409 points). */
static void row_height(struct xw *x, lxw_worksheet *ws, size_t r, size_t lines)
{
    double h = 15.0 * (double)(lines ? lines : 1);
    keep(x, worksheet_set_row(ws, ROW(r), h > 409 ? 409 : h, NULL));
}

/* A score cell with its marks (below the reference, manual with the note as a comment). */
static void put_score(struct xw *x, lxw_worksheet *ws, size_t r, size_t c,
                      const struct sm_report *rep, size_t item, size_t g)
{
    const struct sm_cell *cell = sm__cell(rep, item, g);
    bool below = sm_judgement_below(rep->judgement, rep->matrix, item, g);
    bool manual = cell->method == SM_METHOD_MANUAL;
    lxw_format *f = x->f.score[below][manual];
    if (cell->score < 0)
        put_str(x, ws, r, c, "—", f);
    else
        put_num(x, ws, r, c, cell->score, f);
    if (!manual)
        return;
    struct sm_buf note;
    sm_buf_init(&note, CELL_MAX);
    int rc = sm_buf_printf(&note, "分析者が設定 / set by an analyst");
    if (rc == SM_OK && cell->auto_score >= 0)
        rc = sm_buf_printf(&note, "（自動の提案 / proposed: %d）", cell->auto_score);
    if (rc == SM_OK && cell->note && cell->note[0])
        rc = sm_buf_printf(&note, "\n%s", cell->note);
    if (rc == SM_OK || rc == SM_ELIMIT) {
        char author[] = "smesec";
        lxw_comment_options opt = { .author = author, .x_scale = 2.0, .y_scale = 1.5 };
        keep(x, worksheet_write_comment_opt(ws, ROW(r), COL(c), capped(x, note.data), &opt));
    } else {
        keep(x, LXW_ERROR_MEMORY_MALLOC_FAILED);
    }
    sm_buf_release(&note);
}

/* ---- sheet names ------------------------------------------------------------------------- */

static bool name_forbidden(unsigned char c)
{
    return c < 0x20 || c == 0x7F || c == '[' || c == ']' || c == ':' || c == '*' || c == '?' ||
           c == '/' || c == '\\';
}

/* Copies s into out (SHEET_NAME_BYTES) as a legal sheet name of at most max_units UTF-16
 * units; s must be valid UTF-8. */
static void name_from(const char *s, char *out, size_t max_units)
{
    size_t o = 0, units = 0;
    const unsigned char *p = (const unsigned char *)s;
    while (*p == ' ')
        p++;
    while (*p) {
        size_t len = *p < 0x80 ? 1 : *p < 0xE0 ? 2 : *p < 0xF0 ? 3 : 4;
        size_t u = len == 4 ? 2 : 1;
        if (units + u > max_units)
            break;
        if (len == 1 && name_forbidden(*p))
            out[o++] = '_';
        else {
            memcpy(out + o, p, len);
            o += len;
        }
        units += u;
        p += len;
    }
    while (o > 0 && out[o - 1] == ' ')
        o--;
    out[o] = '\0';
    if (o > 0 && out[0] == '\'')
        out[0] = '_';
    if (o > 0 && out[o - 1] == '\'')
        out[o - 1] = '_';
}

static size_t name_units(const char *s)
{
    size_t u = 0;
    for (const unsigned char *p = (const unsigned char *)s; *p; p++)
        if ((*p & 0xC0) != 0x80)
            u += *p >= 0xF0 ? 2 : 1;
    return u;
}

/* Equal ignoring ASCII case, as Excel compares sheet names (for ASCII at least). */
static bool name_eq(const char *a, const char *b)
{
    for (;; a++, b++) {
        unsigned char ca = (unsigned char)*a, cb = (unsigned char)*b;
        if (ca >= 'A' && ca <= 'Z')
            ca = (unsigned char)(ca - 'A' + 'a');
        if (cb >= 'A' && cb <= 'Z')
            cb = (unsigned char)(cb - 'A' + 'a');
        if (ca != cb)
            return false;
        if (!ca)
            return true;
    }
}

/* Names the sheet of each guideline into names[g] (SHEET_NAME_BYTES each), unique among
 * themselves and against the fixed sheets. */
static void guideline_sheet_names(const struct sm_matrix *m, char (*names)[SHEET_NAME_BYTES])
{
    static const char *const fixed[] = { SHEET_MATRIX, SHEET_SUMMARY, SHEET_CRITERION, "History" };
    for (size_t g = 0; g < m->n_guidelines; g++) {
        const struct sm_matrix_guideline *mg = &m->guidelines[g];
        char base[SHEET_NAME_BYTES];
        const char *src = mg->industry && mg->industry[0] ? mg->industry : mg->title;
        if (src && sm_utf8_valid(src, strlen(src), NULL))
            name_from(src, base, SHEET_NAME_UNITS);
        else
            base[0] = '\0';
        if (!base[0])
            snprintf(base, sizeof base, "G%lld", (long long)mg->id);
        for (unsigned n = 1;; n++) {
            char suffix[16] = "";
            if (n > 1)
                snprintf(suffix, sizeof suffix, " (%u)", n);
            char cand[SHEET_NAME_BYTES];
            name_from(base, cand, SHEET_NAME_UNITS - name_units(suffix));
            size_t len = strlen(cand);
            memcpy(cand + len, suffix, strlen(suffix) + 1);
            bool clash = false;
            for (size_t k = 0; k < sizeof fixed / sizeof fixed[0] && !clash; k++)
                clash = name_eq(cand, fixed[k]);
            for (size_t k = 0; k < g && !clash; k++)
                clash = name_eq(cand, names[k]);
            if (!clash) {
                memcpy(names[g], cand, strlen(cand) + 1);
                break;
            }
        }
    }
}

/* ---- the matrix workbook ----------------------------------------------------------------- */

static void matrix_sheet(struct xw *x, lxw_worksheet *ws, const struct sm_report *r,
                         const struct sm__facts *f)
{
    const struct sm_matrix *m = r->matrix;
    const struct sm_judgement *j = r->judgement;
    size_t ng = m->n_guidelines;
    size_t row =
        put_facts(x, ws, 0, "業界ガイドライン 共通項マトリクス（チェック項目 × ガイドライン）", f);
    row = put_legend(x, ws, row, 0) + 1;

    size_t head = row;
    size_t c_common = 4 + ng;
    const char *labels[] = { "ID", "チェック項目", "分類", "段階" };
    for (size_t c = 0; c < 4; c++)
        put_str(x, ws, head, c, labels[c], x->f.head);
    struct sm_buf h;
    sm_buf_init(&h, CELL_MAX);
    for (size_t g = 0; g < ng; g++) {
        const struct sm_matrix_guideline *mg = &m->guidelines[g];
        sm_buf_reset(&h);
        if (sm_buf_printf(&h, "%s\n%s", mg->industry ? mg->industry : "",
                          mg->title ? mg->title : "") != SM_OK)
            keep(x, LXW_ERROR_MEMORY_MALLOC_FAILED);
        put_str(x, ws, head, 4 + g, h.data ? h.data : "", x->f.head);
        set_col(x, ws, 4 + g, 14);
    }
    sm_buf_release(&h);
    put_str(x, ws, head, c_common, "共通項", x->f.head_common);
    put_str(x, ws, head, c_common + 1, "基準点", x->f.head_common);
    put_str(x, ws, head, c_common + 2, "記載数", x->f.head);
    put_str(x, ws, head, c_common + 3, "平均", x->f.head);
    keep(x, worksheet_set_row(ws, ROW(head), 100, NULL));

    for (size_t i = 0; i < m->n_items; i++) {
        const struct sm_check_item *it = sm_catalog_item(r->catalog, i);
        size_t rr = head + 1 + i;
        bool common = j->common[i];
        lxw_format *lab = common ? x->f.plain_common : x->f.plain;
        lxw_format *cen = common ? x->f.center_common : x->f.center;
        put_str(x, ws, rr, 0, it->id, lab);
        put_str(x, ws, rr, 1, it->title_ja, lab);
        put_str(x, ws, rr, 2, sm__category_name(r, it->category), lab);
        put_num(x, ws, rr, 3, it->stage, cen);
        for (size_t g = 0; g < ng; g++)
            put_score(x, ws, rr, 4 + g, r, i, g);
        put_str(x, ws, rr, c_common, common ? "○" : "", common ? cen : x->f.center);
        if (common)
            put_num(x, ws, rr, c_common + 1, j->reference[i], cen);
        else
            put_str(x, ws, rr, c_common + 1, "", x->f.center);
        put_num(x, ws, rr, c_common + 2, (double)j->written[i], x->f.center);
        put_num(x, ws, rr, c_common + 3, j->mean[i], x->f.mean);
    }
    set_col(x, ws, 0, 9);
    set_col(x, ws, 1, 36);
    set_col(x, ws, 2, 14);
    set_col(x, ws, 3, 6);
    set_col(x, ws, c_common, 8);
    set_col(x, ws, c_common + 1, 8);
    set_col(x, ws, c_common + 2, 8);
    set_col(x, ws, c_common + 3, 8);
    worksheet_freeze_panes(ws, ROW(head + 1), 2);
    if (m->n_items > 0)
        keep(x, worksheet_autofilter(ws, ROW(head), 0, ROW(head + m->n_items), COL(c_common + 3)));
    worksheet_set_landscape(ws);
    worksheet_set_paper(ws, 9);
    worksheet_fit_to_pages(ws, 1, 0);
    keep(x, worksheet_repeat_rows(ws, ROW(head), ROW(head)));
}

/* The evidence sentences of a cell, "p.N: sentence" a line each, into x->text. */
static const char *evidence_text(struct xw *x, const struct sm_cell *c)
{
    struct sm_buf *b = &x->text;
    sm_buf_reset(b);
    int rc = SM_OK;
    for (size_t k = 0; k < c->n_evidence && rc == SM_OK; k++) {
        const struct sm_evidence *e = &c->evidence[k];
        rc = sm_buf_printf(b, "%sp.%d: %s", k ? "\n" : "", e->page, e->text ? e->text : "");
    }
    if (rc == SM_ENOMEM)
        keep(x, LXW_ERROR_MEMORY_MALLOC_FAILED);
    /* On SM_ELIMIT the sentences that fitted stay; the cell cap is CELL_MAX. */
    if (b->len > CELL_MAX) {
        size_t n = CELL_MAX;
        while (n > 0 && ((unsigned char)b->data[n] & 0xC0) == 0x80)
            n--;
        b->len = n;
        b->data[n] = '\0';
    }
    return b->data ? b->data : "";
}

static void guideline_sheet(struct xw *x, lxw_worksheet *ws, const struct sm_report *r, size_t g,
                            const struct sm__facts *f)
{
    const struct sm_matrix *m = r->matrix;
    const struct sm_judgement *j = r->judgement;
    const struct sm_matrix_guideline *mg = &m->guidelines[g];
    size_t row = put_facts(x, ws, 0, mg->title ? mg->title : "", f);

    struct sm_buf line;
    sm_buf_init(&line, CELL_MAX);
    size_t met = 0, gaps = 0;
    for (size_t i = 0; i < m->n_items; i++) {
        int s = sm__cell(r, i, g)->score;
        if (j->common[i] && s >= j->reference[i])
            met++;
        else if (j->common[i] && s >= 0)
            gaps++;
    }
    int rc = sm_buf_printf(&line, "業界: %s ・ 発行: %s", mg->industry ? mg->industry : "",
                           mg->publisher ? mg->publisher : "");
    if (rc == SM_OK && mg->version && mg->version[0])
        rc = sm_buf_printf(&line, " ・ 版: %s", mg->version);
    if (rc == SM_OK && mg->year > 0)
        rc = sm_buf_printf(&line, " ・ %d年", mg->year);
    if (rc == SM_OK)
        rc = sm_buf_printf(&line, " ・ 共通項 %zu件のうち基準点以上 %zu件、基準点未満 %zu件",
                           j->n_common, met, gaps);
    if (rc)
        keep(x, LXW_ERROR_MEMORY_MALLOC_FAILED);
    put_str(x, ws, row++, 0, line.data ? line.data : "", NULL);
    sm_buf_release(&line);
    row = put_legend(x, ws, row, 0) + 1;

    size_t head = row;
    static const char *const labels[] = { "ID",       "チェック項目", "分類",
                                          "段階",     "共通項",       "得点",
                                          "基準点",   "基準未満",     "方法",
                                          "レビュー", "確からしさ",   "根拠（ページ: 文）",
                                          "注記" };
    static const double widths[] = { 9, 34, 12, 6, 7, 7, 8, 9, 8, 10, 9, 70, 30 };
    for (size_t c = 0; c < sizeof labels / sizeof labels[0]; c++) {
        bool orange = c == 4 || c == 6;
        put_str(x, ws, head, c, labels[c], orange ? x->f.head_common : x->f.head);
        set_col(x, ws, c, widths[c]);
    }
    for (size_t i = 0; i < m->n_items; i++) {
        const struct sm_check_item *it = sm_catalog_item(r->catalog, i);
        const struct sm_cell *c = sm__cell(r, i, g);
        size_t rr = head + 1 + i;
        bool common = j->common[i];
        bool below = sm_judgement_below(j, m, i, g);
        lxw_format *lab = common ? x->f.cell_common : x->f.cell;
        lxw_format *cen = common ? x->f.center_common : x->f.center;
        put_str(x, ws, rr, 0, it->id, lab);
        put_str(x, ws, rr, 1, it->title_ja, lab);
        put_str(x, ws, rr, 2, sm__category_name(r, it->category), lab);
        put_num(x, ws, rr, 3, it->stage, cen);
        put_str(x, ws, rr, 4, common ? "○" : "", cen);
        put_score(x, ws, rr, 5, r, i, g);
        if (common)
            put_num(x, ws, rr, 6, j->reference[i], cen);
        else
            put_str(x, ws, rr, 6, "", x->f.center);
        put_str(x, ws, rr, 7, below ? "要見直し" : "", below ? x->f.score[1][0] : x->f.center);
        bool analysed = c->score >= 0;
        put_str(x, ws, rr, 8, analysed ? sm_method_name(c->method) : "", x->f.center);
        put_str(x, ws, rr, 9, analysed ? sm_review_name(c->review) : "", x->f.center);
        if (analysed)
            put_num(x, ws, rr, 10, c->strength, x->f.center);
        else
            put_str(x, ws, rr, 10, "", x->f.center);
        const char *ev = evidence_text(x, c);
        size_t lines = text_lines(ev, widths[11]);
        size_t more = text_lines(c->note, widths[12]);
        lines = more > lines ? more : lines;
        more = text_lines(it->title_ja, widths[1]);
        lines = more > lines ? more : lines;
        put_str(x, ws, rr, 11, ev, x->f.cell);
        put_str(x, ws, rr, 12, c->note ? c->note : "", x->f.cell);
        if (lines > 1)
            row_height(x, ws, rr, lines);
    }
    worksheet_freeze_panes(ws, ROW(head + 1), 2);
    if (m->n_items > 0)
        keep(x, worksheet_autofilter(ws, ROW(head), 0, ROW(head + m->n_items), 12));
    worksheet_set_landscape(ws);
    worksheet_set_paper(ws, 9);
    worksheet_fit_to_pages(ws, 1, 0);
    keep(x, worksheet_repeat_rows(ws, ROW(head), ROW(head)));
}

static void summary_sheet(struct xw *x, lxw_worksheet *ws, const struct sm_report *r,
                          const struct sm__facts *f)
{
    const struct sm_matrix *m = r->matrix;
    const struct sm_judgement *j = r->judgement;
    size_t row = put_facts(x, ws, 0, "得点表（ガイドライン別の得点）", f);
    row = put_legend(x, ws, row, 0) + 1;

    size_t head = row;
    put_str(x, ws, head, 0, "業界", x->f.head);
    put_str(x, ws, head, 1, "ガイドライン", x->f.head);
    put_str(x, ws, head + 1, 0, "", x->f.head);
    put_str(x, ws, head + 1, 1, "", x->f.head);
    for (size_t i = 0; i < m->n_items; i++) {
        const struct sm_check_item *it = sm_catalog_item(r->catalog, i);
        bool common = j->common[i];
        lxw_format *rot = common ? x->f.head_rot_common : x->f.head_rot;
        put_str(x, ws, head, 2 + i, it->id, rot);
        put_str(x, ws, head + 1, 2 + i, it->title_ja, rot);
        set_col(x, ws, 2 + i, 3.8);
    }
    /* Narrow score columns under rotated headers keep some fifty items readable on one
     * landscape page. */
    keep(x, worksheet_set_row(ws, ROW(head), 42, NULL));
    keep(x, worksheet_set_row(ws, ROW(head + 1), 170, NULL));
    set_col(x, ws, 0, 14);
    set_col(x, ws, 1, 32);

    struct sm_buf t;
    sm_buf_init(&t, CELL_MAX);
    for (size_t g = 0; g < m->n_guidelines; g++) {
        const struct sm_matrix_guideline *mg = &m->guidelines[g];
        size_t rr = head + 2 + g;
        sm_buf_reset(&t);
        int rc = sm_buf_puts(&t, mg->title ? mg->title : "");
        if (rc == SM_OK && mg->version && mg->version[0])
            rc = sm_buf_printf(&t, "（%s）", mg->version);
        if (rc == SM_OK && mg->year > 0)
            rc = sm_buf_printf(&t, " %d", mg->year);
        if (rc)
            keep(x, LXW_ERROR_MEMORY_MALLOC_FAILED);
        put_str(x, ws, rr, 0, mg->industry, x->f.plain);
        put_str(x, ws, rr, 1, t.data ? t.data : "", x->f.plain);
        for (size_t i = 0; i < m->n_items; i++)
            put_score(x, ws, rr, 2 + i, r, i, g);
    }
    sm_buf_release(&t);
    size_t last = head + 2 + m->n_guidelines;
    put_str(x, ws, last, 0, "基準点", x->f.plain_common);
    put_str(x, ws, last, 1, "共通項の基準点 / reference score", x->f.plain_common);
    for (size_t i = 0; i < m->n_items; i++) {
        if (j->common[i])
            put_num(x, ws, last, 2 + i, j->reference[i], x->f.center_common);
        else
            put_str(x, ws, last, 2 + i, "", x->f.center);
    }

    /* Print-ready: A4 landscape, one page wide, the two header rows on every page. */
    worksheet_set_landscape(ws);
    worksheet_set_paper(ws, 9);
    worksheet_fit_to_pages(ws, 1, 0);
    worksheet_set_margins(ws, 0.4, 0.4, 0.6, 0.6);
    keep(x, worksheet_repeat_rows(ws, ROW(head), ROW(head + 1)));
    keep(x, worksheet_print_area(ws, 0, 0, ROW(last), COL(1 + m->n_items)));
    keep(x, worksheet_set_footer(ws, "&C&P / &N"));
    worksheet_freeze_panes(ws, ROW(head + 2), 2);
}

static void criterion_sheet(struct xw *x, lxw_worksheet *ws, const struct sm_report *r,
                            const struct sm__facts *f)
{
    size_t row = 0;
    put_str(x, ws, row++, 0, "共通項の基準とこのブックについて / About this workbook", x->f.title);
    row++;
    struct sm_buf b;
    sm_buf_init(&b, CELL_MAX);
    int rc =
        sm_buf_printf(&b, "%zu / %zu cells reviewed（%s）", f->reviewed, f->total, f->reviewed_ja);
    if (rc)
        keep(x, LXW_ERROR_MEMORY_MALLOC_FAILED);

    struct {
        const char *label;
        const char *value;
    } rows[] = {
        { "共通項の基準", f->criterion_ja },
        { "Common-item criterion", f->criterion_en },
        { "基準の指定 / Criterion spec", f->criterion_spec },
        { "チェック項目カタログ / Catalog", f->catalog_title },
        { "カタログの版 / Catalog version", f->catalog_version },
        { "作成日 / Generated", f->generated },
        { "レビュー済みセル / Reviewed cells", b.data ? b.data : "" },
    };

    for (size_t k = 0; k < sizeof rows / sizeof rows[0]; k++) {
        put_str(x, ws, row, 0, rows[k].label, x->f.label);
        put_str(x, ws, row++, 1, rows[k].value, x->f.cell);
    }
    sm_buf_release(&b);
    put_str(x, ws, row, 0, "分析したガイドライン / Guidelines analysed", x->f.label);
    put_num(x, ws, row++, 1, (double)r->matrix->n_guidelines, x->f.cell);
    put_str(x, ws, row, 0, "チェック項目 / Check items", x->f.label);
    put_num(x, ws, row++, 1, (double)r->matrix->n_items, x->f.cell);
    put_str(x, ws, row, 0, "共通項 / Common items", x->f.label);
    put_num(x, ws, row++, 1, (double)r->judgement->n_common, x->f.cell);
    row++;
    put_str(x, ws, row++, 0, "凡例 / Legend", x->f.title);
    put_str(x, ws, row, 0, "共通項・基準点", x->f.center_common);
    put_str(x, ws, row++, 1,
            "オレンジ: 共通項の行と基準点（共通項の判断）。Orange: a common item and its "
            "reference score.",
            x->f.cell);
    put_str(x, ws, row, 0, "基準点未満", x->f.score[1][0]);
    put_str(x, ws, row++, 1,
            "斜線・赤枠: 基準点より低い得点。業界でのチェック項目の見直しの候補。Red stripes "
            "and border: a score below the reference, for the industry to review.",
            x->f.cell);
    put_str(x, ws, row, 0, "手動で設定", x->f.score[0][1]);
    put_str(x, ws, row++, 1,
            "斜体: 分析者が設定した得点。注記はセルのコメント。Italic: a score set by an "
            "analyst; the note is the cell's comment.",
            x->f.cell);
    put_str(x, ws, row, 0, "0 / 1 / 2 / —", x->f.center);
    put_str(x, ws, row++, 1,
            "得点: 0 記載なし、1 記載あり、2 具体的な記載（誰が・頻度・方法）、— 未分析。Scores: "
            "0 not written, 1 mentioned, 2 concrete (who, how often, how), — not analysed.",
            x->f.cell);
    set_col(x, ws, 0, 34);
    set_col(x, ws, 1, 100);
    worksheet_set_landscape(ws);
    worksheet_set_paper(ws, 9);
    worksheet_fit_to_pages(ws, 1, 0);
}

static int check_limits(const struct sm_report *r, struct sm_diag *diag)
{
    /* Columns: 4 + guidelines + 4 on the matrix, 2 + items on the summary (of 16384); rows
     * stay far below Excel's million. */
    if (r->matrix->n_guidelines > 16000 || r->matrix->n_items > 16000)
        return sm_diag_set(diag, SM_ELIMIT,
                           "cannot write the workbook: %zu guidelines and %zu items exceed a "
                           "sheet's columns",
                           r->matrix->n_guidelines, r->matrix->n_items);
    return SM_OK;
}

int sm_export_workbook(const struct sm_report *r, const char *path, struct sm_diag *diag)
{
    sm_diag_clear(diag);
    int rc = sm__report_check(r, diag);
    if (rc == SM_OK)
        rc = check_limits(r, diag);
    if (rc)
        return rc;
    struct sm__facts f;
    rc = sm__facts_init(&f, r, diag);
    if (rc)
        return rc;
    size_t ng = r->matrix->n_guidelines;
    char(*names)[SHEET_NAME_BYTES] = sm_calloc(ng + 1, sizeof *names);
    if (!names) {
        sm__facts_release(&f);
        return sm__fail(diag, SM_ENOMEM, "the workbook", path);
    }
    guideline_sheet_names(r->matrix, names);

    struct xw x;
    char *tmp = NULL;
    rc = xw_open(&x, path, "業界ガイドライン共通項 得点表", &f, &tmp, diag);
    if (rc == SM_OK) {
        lxw_worksheet *ws = add_sheet(&x, SHEET_MATRIX);
        if (ws && x.err == LXW_NO_ERROR)
            matrix_sheet(&x, ws, r, &f);
        for (size_t g = 0; g < ng && x.err == LXW_NO_ERROR; g++) {
            ws = add_sheet(&x, names[g]);
            if (ws)
                guideline_sheet(&x, ws, r, g, &f);
        }
        ws = x.err == LXW_NO_ERROR ? add_sheet(&x, SHEET_SUMMARY) : NULL;
        if (ws)
            summary_sheet(&x, ws, r, &f);
        ws = x.err == LXW_NO_ERROR ? add_sheet(&x, SHEET_CRITERION) : NULL;
        if (ws)
            criterion_sheet(&x, ws, r, &f);
        rc = xw_close(&x, SM_OK, tmp, path, diag);
    }
    sm_free(names);
    sm__facts_release(&f);
    return sm__fail(diag, rc, "the workbook", path);
}

/* ---- the check sheet ------------------------------------------------------------------- */

int sm__checksheet_xlsx(const struct sm_report *r, const struct sm__facts *f, const size_t *order,
                        size_t n, const char *path, struct sm_diag *diag)
{
    struct xw x;
    char *tmp = NULL;
    int rc = xw_open(&x, path, "共通項チェックシート", f, &tmp, diag);
    if (rc)
        return rc;
    lxw_worksheet *ws = add_sheet(&x, SHEET_CHECK);
    if (ws && x.err == LXW_NO_ERROR) {
        size_t row =
            put_facts(&x, ws, 0, "共通項チェックシート / Check sheet of the common items", f);
        put_str(&x, ws, row++, 0,
                "会社・団体名: ＿＿＿＿＿＿＿＿＿＿　記入者: ＿＿＿＿＿＿　記入日: ＿＿＿＿＿＿",
                NULL);
        put_str(&x, ws, row++, 0,
                "対処できている項目の「確認」欄を ☑ にしてください（セルのリストから選べます）。",
                x.f.note);
        put_str(&x, ws, row++, 0,
                "段階は取り組み始める目安です（1: まずできることから、2: 仕組みとして定着、3: "
                "組織としての実践）。",
                x.f.note);
        row++;
        size_t head = row;
        static const char *const labels[] = { "確認",           "No.",  "ID",
                                              "分類",           "段階", "チェック項目",
                                              "対策のポイント", "備考" };
        static const double widths[] = { 5, 4.5, 8, 12, 5, 30, 40, 12 };
        for (size_t c = 0; c < 8; c++) {
            put_str(&x, ws, head, c, labels[c], x.f.head);
            set_col(&x, ws, c, widths[c]);
        }
        for (size_t k = 0; k < n; k++) {
            const struct sm_check_item *it = sm_catalog_item(r->catalog, order[k]);
            size_t rr = head + 1 + k;
            put_str(&x, ws, rr, 0, "☐", x.f.box);
            put_num(&x, ws, rr, 1, (double)(k + 1), x.f.center);
            put_str(&x, ws, rr, 2, it->id, x.f.cell);
            put_str(&x, ws, rr, 3, sm__category_name(r, it->category), x.f.cell);
            put_num(&x, ws, rr, 4, it->stage, x.f.center);
            put_str(&x, ws, rr, 5, it->title_ja, x.f.cell);
            put_str(&x, ws, rr, 6, it->howto_ja, x.f.cell);
            put_str(&x, ws, rr, 7, "", x.f.cell);
            size_t lines = text_lines(it->title_ja, widths[5]);
            size_t more = text_lines(it->howto_ja, widths[6]);
            row_height(&x, ws, rr, more > lines ? more : lines);
        }
        if (n > 0) {
            char unchecked[] = "☐";
            char checked[] = "☑";
            char *list[] = { unchecked, checked, NULL };
            lxw_data_validation dv = { .validate = LXW_VALIDATION_TYPE_LIST, .value_list = list };
            keep(&x, worksheet_data_validation_range(ws, ROW(head + 1), 0, ROW(head + n), 0, &dv));
        }
        worksheet_set_portrait(ws);
        worksheet_set_paper(ws, 9);
        worksheet_fit_to_pages(ws, 1, 0);
        worksheet_set_margins(ws, 0.5, 0.5, 0.6, 0.6);
        keep(&x, worksheet_repeat_rows(ws, ROW(head), ROW(head)));
        /* The print area stops at the table's last column, so the long instruction lines
         * above it do not shrink the page. */
        keep(&x, worksheet_print_area(ws, 0, 0, ROW(head + (n ? n : 1)), 7));
        keep(&x, worksheet_set_footer(ws, "&C&P / &N"));
        worksheet_freeze_panes(ws, ROW(head + 1), 0);
    }
    return xw_close(&x, SM_OK, tmp, path, diag);
}

/*
 * Unit tests of the XLSX outputs: the matrix workbook and the check sheet's workbook, read
 * back as what they are, a zip of XML parts (libzip): the scores in the matrix sheet's
 * cells, the orange fill on common items and references, the pattern on cells below the
 * reference, italics and a comment on manual cells, sanitised and unique sheet names, the
 * summary sheet's print setup (A4 landscape, one page wide, header rows repeated), the
 * criterion sheet's facts, and the check sheet's boxes. When LibreOffice is installed the
 * workbooks are also converted to PDF by it, as a check that they open.
 */
#include "export_fixture.h"

#include "smesec/buf.h"
#include "smesec/err.h"
#include "smesec/export.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <zip.h>

#include <cmocka.h>

#include "util/banned.h"

/* ---- reading the XLSX back ----------------------------------------------------------------- */

/* The part name of the zip at path, NUL-terminated (free()), or NULL when it is missing. */
static char *zip_part(const char *path, const char *name)
{
    int err = 0;
    zip_t *z = zip_open(path, ZIP_RDONLY, &err);
    if (!z)
        fail_msg("'%s' is not a zip (libzip error %d)", path, err);
    zip_stat_t st;
    char *buf = NULL;
    if (zip_stat(z, name, 0, &st) == 0 && (st.valid & ZIP_STAT_SIZE)) {
        zip_file_t *f = zip_fopen(z, name, 0);
        assert_non_null(f);
        buf = malloc(st.size + 1);
        assert_non_null(buf);
        assert_int_equal(zip_fread(f, buf, st.size), (zip_int64_t)st.size);
        buf[st.size] = '\0';
        zip_fclose(f);
    }
    zip_close(z);
    return buf;
}

/* Decodes the five XML entities of s in place. */
static void xml_unescape(char *s)
{
    static const struct {
        const char *ent;
        char c;
    } ents[] = {
        { "&lt;", '<' }, { "&gt;", '>' }, { "&amp;", '&' }, { "&quot;", '"' }, { "&apos;", '\'' }
    };

    char *o = s;
    for (const char *p = s; *p;) {
        size_t k = 0;
        for (; k < sizeof ents / sizeof ents[0]; k++) {
            size_t n = strlen(ents[k].ent);
            if (strncmp(p, ents[k].ent, n) == 0) {
                *o++ = ents[k].c;
                p += n;
                break;
            }
        }
        if (k == sizeof ents / sizeof ents[0])
            *o++ = *p++;
    }
    *o = '\0';
}

/* The shared strings of an XLSX, decoded. */
struct strings {
    char **v;
    size_t n;
};

static void strings_load(struct strings *s, const char *xlsx)
{
    s->v = NULL;
    s->n = 0;
    char *xml = zip_part(xlsx, "xl/sharedStrings.xml");
    assert_non_null(xml);
    for (const char *p = xml; (p = strstr(p, "<si>")) != NULL;) {
        const char *end = strstr(p, "</si>");
        assert_non_null(end);
        struct sm_buf b;
        sm_buf_init(&b, 1 << 20);
        for (const char *t = p; (t = strstr(t, "<t")) != NULL && t < end;) {
            t = strchr(t, '>') + 1;
            const char *te = strstr(t, "</t>");
            assert_int_equal(sm_buf_append(&b, t, (size_t)(te - t)), SM_OK);
            t = te;
        }
        char *str = strdup(b.data ? b.data : "");
        sm_buf_release(&b);
        xml_unescape(str);
        s->v = realloc(s->v, (s->n + 1) * sizeof *s->v);
        s->v[s->n++] = str;
        p = end;
    }
    free(xml);
}

static void strings_free(struct strings *s)
{
    for (size_t k = 0; k < s->n; k++)
        free(s->v[k]);
    free(s->v);
}

/* One cell of a sheet: its reference, style index, type and value (a shared string
 * resolved). */
struct cell {
    char ref[16];
    long style;
    char value[512];
    bool is_string;
};

struct sheet {
    struct cell *c;
    size_t n;
};

static void sheet_load(struct sheet *sh, const char *xlsx, const char *part,
                       const struct strings *ss)
{
    sh->c = NULL;
    sh->n = 0;
    char *xml = zip_part(xlsx, part);
    if (!xml)
        fail_msg("no part '%s' in '%s'", part, xlsx);
    for (const char *p = xml; (p = strstr(p, "<c r=\"")) != NULL;) {
        struct cell c = { .style = 0 };
        p += 6;
        size_t rn = strcspn(p, "\"");
        assert_true(rn < sizeof c.ref);
        memcpy(c.ref, p, rn);
        c.ref[rn] = '\0';
        const char *tag_end = strchr(p, '>');
        const char *s = strstr(p, " s=\"");
        if (s && s < tag_end)
            c.style = strtol(s + 4, NULL, 10);
        const char *t = strstr(p, " t=\"s\"");
        c.is_string = t && t < tag_end;
        const char *v = strstr(p, "<v>");
        const char *close = tag_end[-1] == '/' ? tag_end : strstr(p, "</c>");
        if (v && v < close) {
            v += 3;
            size_t vn = strcspn(v, "<");
            if (c.is_string) {
                long idx = strtol(v, NULL, 10);
                assert_true(idx >= 0 && (size_t)idx < ss->n);
                snprintf(c.value, sizeof c.value, "%s", ss->v[idx]);
            } else {
                snprintf(c.value, sizeof c.value, "%.*s", (int)vn, v);
            }
        }
        sh->c = realloc(sh->c, (sh->n + 1) * sizeof *sh->c);
        sh->c[sh->n++] = c;
    }
    free(xml);
}

static const struct cell *sheet_cell(const struct sheet *sh, const char *ref)
{
    for (size_t k = 0; k < sh->n; k++)
        if (strcmp(sh->c[k].ref, ref) == 0)
            return &sh->c[k];
    return NULL;
}

/* The row number of the cell in column col whose value is value, or 0. */
static long sheet_find_row(const struct sheet *sh, char col, const char *value)
{
    for (size_t k = 0; k < sh->n; k++)
        if (sh->c[k].ref[0] == col && sh->c[k].ref[1] >= '0' && sh->c[k].ref[1] <= '9' &&
            strcmp(sh->c[k].value, value) == 0)
            return strtol(sh->c[k].ref + 1, NULL, 10);
    return 0;
}

/* The cell at (col letter, row). */
static const struct cell *at(const struct sheet *sh, char col, long row)
{
    char ref[16];
    snprintf(ref, sizeof ref, "%c%ld", col, row);
    const struct cell *c = sheet_cell(sh, ref);
    if (!c)
        fail_msg("no cell %s", ref);
    return c;
}

/* The n-th (0-based) element called tag inside the first element called parent, as a copy
 * (free()), e.g. the 3rd <xf> of <cellXfs>. */
static char *nth_element(const char *xml, const char *parent, const char *tag, long n)
{
    char open[64], close[64], ptag[64];
    snprintf(ptag, sizeof ptag, "<%s", parent);
    snprintf(open, sizeof open, "<%s", tag);
    snprintf(close, sizeof close, "</%s>", tag);
    const char *p = strstr(xml, ptag);
    assert_non_null(p);
    for (long k = 0; (p = strstr(p + 1, open)) != NULL; k++) {
        char after = p[strlen(open)];
        if (after != ' ' && after != '>' && after != '/') {
            k--;
            continue;
        }
        if (k == n) {
            const char *self = strstr(p, "/>");
            const char *gt = strchr(p, '>');
            const char *end = self && self < gt + 1 ? self + 2 : strstr(p, close);
            assert_non_null(end);
            if (end != self + 2)
                end += strlen(close);
            return strndup(p, (size_t)(end - p));
        }
    }
    fail_msg("no %s %ld in %s", tag, n, parent);
    return NULL;
}

static long attr_long(const char *xml, const char *name)
{
    char key[64];
    snprintf(key, sizeof key, " %s=\"", name);
    const char *p = strstr(xml, key);
    return p ? strtol(p + strlen(key), NULL, 10) : -1;
}

/* The <fill> and <font> XML of cell style s. */
static void style_parts(const char *styles, long s, char **fill, char **font)
{
    char *xf = nth_element(styles, "cellXfs", "xf", s);
    *fill = nth_element(styles, "fills", "fill", attr_long(xf, "fillId"));
    *font = nth_element(styles, "fonts", "font", attr_long(xf, "fontId"));
    free(xf);
}

/* Sheet names of workbook.xml, decoded, in order. */
static size_t sheet_names(const char *xlsx, char names[][256], size_t max)
{
    char *xml = zip_part(xlsx, "xl/workbook.xml");
    assert_non_null(xml);
    size_t n = 0;
    for (const char *p = xml; n < max && (p = strstr(p, "<sheet name=\"")) != NULL; n++) {
        p += 13;
        size_t len = strcspn(p, "\"");
        assert_true(len < 256);
        memcpy(names[n], p, len);
        names[n][len] = '\0';
        xml_unescape(names[n]);
    }
    free(xml);
    return n;
}

static size_t utf16_units(const char *s)
{
    size_t u = 0;
    for (const unsigned char *p = (const unsigned char *)s; *p; p++)
        if ((*p & 0xC0) != 0x80)
            u += *p >= 0xF0 ? 2 : 1;
    return u;
}

/* ---- fixtures ---------------------------------------------------------------------------- */

struct ctx {
    struct sm_fix fix;
    char dir[512];
    char path[600];
};

static int setup(void **state)
{
    struct ctx *c = calloc(1, sizeof *c);
    if (!c || sm_fix_init(&c->fix) != 0 || !sm_fix_tmpdir(c->dir, sizeof c->dir))
        return -1;
    snprintf(c->path, sizeof c->path, "%s/workbook.xlsx", c->dir);
    *state = c;
    return 0;
}

static int teardown(void **state)
{
    struct ctx *c = *state;
    sm_fix_rmdir(c->dir);
    sm_fix_release(&c->fix);
    free(c);
    return 0;
}

static void write_workbook(struct ctx *c)
{
    struct sm_diag diag;
    int rc = sm_export_workbook(&c->fix.report, c->path, &diag);
    if (rc != SM_OK)
        fail_msg("sm_export_workbook: %s", diag.msg);
    /* Only the file itself: the temporary name is gone. */
    assert_int_equal(sm_fix_dir_entries(c->dir), 1);
}

/* ---- tests ------------------------------------------------------------------------------- */

static void matrix_sheet_holds_the_scores_and_marks(void **state)
{
    struct ctx *c = *state;
    write_workbook(c);
    struct strings ss;
    strings_load(&ss, c->path);
    struct sheet sh;
    sheet_load(&sh, c->path, "xl/worksheets/sheet1.xml", &ss);
    char *styles = zip_part(c->path, "xl/styles.xml");
    assert_non_null(styles);
    assert_non_null(strstr(styles, "FFF4B183"));

    /* Columns: A id, B title, C category, D stage, E..H guidelines 11..14, I common,
     * J reference, K written, L mean. */
    long tec01 = sheet_find_row(&sh, 'A', "TEC-01");
    long tec02 = sheet_find_row(&sh, 'A', "TEC-02");
    long peo01 = sheet_find_row(&sh, 'A', "PEO-01");
    long peo02 = sheet_find_row(&sh, 'A', "PEO-02");
    assert_true(tec01 > 0 && tec02 == tec01 + 1 && peo01 == tec01 + 2 && peo02 == tec01 + 3);
    assert_string_equal(at(&sh, 'B', tec02)->value, SM_FIX_EVIL_ITEM);
    const char scores01[] = "2212";
    for (int g = 0; g < 4; g++) {
        const struct cell *cell = at(&sh, (char)('E' + g), tec01);
        assert_false(cell->is_string);
        assert_int_equal(cell->value[0], scores01[g]);
        assert_int_equal(cell->value[1], '\0');
    }
    assert_string_equal(at(&sh, 'G', peo01)->value, "—"); /* not analysed */
    assert_string_equal(at(&sh, 'I', tec01)->value, "○");
    assert_string_equal(at(&sh, 'J', tec01)->value, "2");
    assert_string_equal(at(&sh, 'K', tec01)->value, "4");
    assert_string_equal(at(&sh, 'L', tec01)->value, "1.75");
    assert_string_equal(at(&sh, 'I', peo02)->value, "");

    char *fill, *font;
    /* A common item's label and reference are orange; a non-common one's are not. */
    style_parts(styles, at(&sh, 'A', tec01)->style, &fill, &font);
    assert_non_null(strstr(fill, "F4B183"));
    free(fill);
    free(font);
    style_parts(styles, at(&sh, 'J', tec01)->style, &fill, &font);
    assert_non_null(strstr(fill, "F4B183"));
    free(fill);
    free(font);
    style_parts(styles, at(&sh, 'A', peo02)->style, &fill, &font);
    assert_null(strstr(fill, "F4B183"));
    free(fill);
    free(font);
    /* Guideline 13 scores 1 on TEC-01 (reference 2): patterned; guideline 11's 2 is not. */
    style_parts(styles, at(&sh, 'G', tec01)->style, &fill, &font);
    assert_non_null(strstr(fill, "lightUp"));
    free(fill);
    free(font);
    style_parts(styles, at(&sh, 'E', tec01)->style, &fill, &font);
    assert_null(strstr(fill, "lightUp"));
    assert_null(strstr(font, "<i/>"));
    free(fill);
    free(font);
    /* The manual cell (TEC-02, guideline 12) is italic and carries the note as a comment. */
    style_parts(styles, at(&sh, 'F', tec02)->style, &fill, &font);
    assert_non_null(strstr(font, "<i/>"));
    free(fill);
    free(font);
    char *comments = zip_part(c->path, "xl/comments1.xml");
    assert_non_null(comments);
    char ref[32];
    snprintf(ref, sizeof ref, "ref=\"F%ld\"", tec02);
    assert_non_null(strstr(comments, ref));
    assert_non_null(strstr(comments, "&lt;b&gt;手動&lt;/b&gt;で確認"));
    free(comments);

    /* The criterion and the review counts head the sheet. */
    bool criterion = false, reviewed = false;
    for (size_t k = 0; k < sh.n; k++) {
        criterion |= strstr(sh.c[k].value, "共通項の基準") != NULL;
        reviewed |= strstr(sh.c[k].value, "5 of 23 cells reviewed") != NULL;
    }
    assert_true(criterion);
    assert_true(reviewed);

    free(styles);
    free(sh.c);
    strings_free(&ss);
}

static void sheet_names_are_legal_and_unique(void **state)
{
    struct ctx *c = *state;
    write_workbook(c);
    char names[16][256];
    size_t n = sheet_names(c->path, names, 16);
    assert_int_equal(n, 3 + SM_FIX_GUIDELINES);
    assert_string_equal(names[0], "マトリクス");
    assert_string_equal(names[1], "自動車");
    assert_string_equal(names[2], SM_FIX_LONG_SHEET);
    assert_string_equal(names[3], "=物流,倉庫 \"東\"_西");
    assert_string_equal(names[4], "自動車 (2)");
    assert_string_equal(names[5], "得点表");
    assert_string_equal(names[6], "基準");
    for (size_t k = 0; k < n; k++) {
        assert_true(utf16_units(names[k]) <= 31);
        assert_null(strpbrk(names[k], "[]:*?/\\"));
        assert_true(names[k][0] != '\'');
        for (size_t j = 0; j < k; j++)
            assert_true(strcasecmp(names[j], names[k]) != 0);
    }
}

static void hostile_sheet_names_are_rewritten(void **state)
{
    struct ctx *c = *state;
    c->fix.guidelines[0].industry = "'引用[a]:b*c?d/e\\f'";
    c->fix.guidelines[1].industry = "";
    c->fix.guidelines[1].title = "History";
    c->fix.guidelines[2].industry = "得点表";
    c->fix.guidelines[3].industry = "12345678901234567890123456789012345";
    write_workbook(c);
    char names[16][256];
    size_t n = sheet_names(c->path, names, 16);
    assert_int_equal(n, 7);
    assert_string_equal(names[1], "_引用_a__b_c_d_e_f_");
    assert_string_equal(names[2], "History (2)"); /* Excel reserves "History" */
    assert_string_equal(names[3], "得点表 (2)");
    assert_string_equal(names[4], "1234567890123456789012345678901");
}

static void summary_sheet_is_print_ready(void **state)
{
    struct ctx *c = *state;
    write_workbook(c);
    /* Sheets: matrix, four guidelines, then the summary (6th) and the criterion (7th). */
    char *xml = zip_part(c->path, "xl/worksheets/sheet6.xml");
    assert_non_null(xml);
    assert_non_null(strstr(xml, "<pageSetUpPr fitToPage=\"1\"/>"));
    assert_non_null(strstr(xml, "orientation=\"landscape\""));
    assert_non_null(strstr(xml, "paperSize=\"9\""));
    /* One page wide (fitToWidth defaults to 1), as many tall as needed. */
    assert_non_null(strstr(xml, "fitToHeight=\"0\""));
    assert_null(strstr(xml, "fitToWidth=\"0\""));
    free(xml);
    char *wb = zip_part(c->path, "xl/workbook.xml");
    assert_non_null(strstr(wb, "<definedName name=\"_xlnm.Print_Titles\" localSheetId=\"5\">"));
    free(wb);

    struct strings ss;
    strings_load(&ss, c->path);
    struct sheet sh;
    sheet_load(&sh, c->path, "xl/worksheets/sheet6.xml", &ss);
    long first = sheet_find_row(&sh, 'A', "自動車");
    assert_true(first > 0);
    assert_string_equal(at(&sh, 'A', first + 1)->value, SM_FIX_LONG_INDUSTRY);
    assert_string_equal(at(&sh, 'A', first + 2)->value, SM_FIX_FORMULA_INDUSTRY);
    assert_string_equal(at(&sh, 'A', first + 4)->value, "基準点");
    /* Guideline 13's row: TEC-01..GOV-02 = 1 0 - 0 1 0. */
    assert_string_equal(at(&sh, 'C', first + 2)->value, "1");
    assert_string_equal(at(&sh, 'E', first + 2)->value, "—");
    /* The reference row: 2 1 1 (blank) 1 (blank). */
    assert_string_equal(at(&sh, 'C', first + 4)->value, "2");
    assert_string_equal(at(&sh, 'F', first + 4)->value, "");
    free(sh.c);
    strings_free(&ss);
}

static void criterion_sheet_states_the_facts(void **state)
{
    struct ctx *c = *state;
    write_workbook(c);
    struct strings ss;
    strings_load(&ss, c->path);
    struct sheet sh;
    sheet_load(&sh, c->path, "xl/worksheets/sheet7.xml", &ss);
    struct sm_buf ja, en;
    sm_buf_init(&ja, 4096);
    sm_buf_init(&en, 4096);
    assert_int_equal(
        sm_criterion_describe(&c->fix.judgement.criterion, SM_FIX_GUIDELINES, SM_LANG_JA, &ja),
        SM_OK);
    assert_int_equal(
        sm_criterion_describe(&c->fix.judgement.criterion, SM_FIX_GUIDELINES, SM_LANG_EN, &en),
        SM_OK);
    bool saw_ja = false, saw_en = false, saw_version = false, saw_reviewed = false;
    for (size_t k = 0; k < sh.n; k++) {
        saw_ja |= strcmp(sh.c[k].value, ja.data) == 0;
        saw_en |= strcmp(sh.c[k].value, en.data) == 0;
        saw_version |= strcmp(sh.c[k].value, "fix-1.0") == 0;
        saw_reviewed |= strstr(sh.c[k].value, "5 / 23 cells reviewed") != NULL;
    }
    assert_true(saw_ja);
    assert_true(saw_en);
    assert_true(saw_version);
    assert_true(saw_reviewed);
    sm_buf_release(&ja);
    sm_buf_release(&en);
    free(sh.c);
    strings_free(&ss);
}

static void check_sheet_has_a_box_per_common_item(void **state)
{
    struct ctx *c = *state;
    snprintf(c->path, sizeof c->path, "%s/checksheet.xlsx", c->dir);
    struct sm_diag diag;
    if (sm_export_checksheet_xlsx(&c->fix.report, c->path, &diag) != SM_OK)
        fail_msg("sm_export_checksheet_xlsx: %s", diag.msg);
    struct strings ss;
    strings_load(&ss, c->path);
    struct sheet sh;
    sheet_load(&sh, c->path, "xl/worksheets/sheet1.xml", &ss);
    size_t boxes = 0;
    for (size_t k = 0; k < sh.n; k++)
        boxes += strcmp(sh.c[k].value, "☐") == 0;
    assert_int_equal(boxes, SM_FIX_COMMON);
    /* In check-sheet order: technical, people, governance. */
    long first = sheet_find_row(&sh, 'C', "TEC-01");
    assert_true(first > 0);
    assert_string_equal(at(&sh, 'C', first + 2)->value, "PEO-01");
    assert_string_equal(at(&sh, 'C', first + 3)->value, "GOV-01");
    assert_string_equal(at(&sh, 'G', first)->value, "自動更新を有効にしましょう。");
    char *xml = zip_part(c->path, "xl/worksheets/sheet1.xml");
    assert_non_null(strstr(xml, "<dataValidation type=\"list\""));
    assert_non_null(strstr(xml, "paperSize=\"9\""));
    free(xml);
    free(sh.c);
    strings_free(&ss);
}

/* Optional: LibreOffice (libreoffice-calc-nogui) opens and converts both workbooks. */
static void libreoffice_opens_the_workbooks(void **state)
{
    struct ctx *c = *state;
    if (!sm_fix_have("soffice"))
        skip();
    write_workbook(c);
    char cs[600], out[600], profile[700];
    snprintf(cs, sizeof cs, "%s/checksheet.xlsx", c->dir);
    assert_int_equal(sm_export_checksheet_xlsx(&c->fix.report, cs, NULL), SM_OK);
    snprintf(out, sizeof out, "%s/pdf", c->dir);
    snprintf(profile, sizeof profile, "-env:UserInstallation=file://%s/lo-profile", c->dir);
    const char *argv[] = { "soffice",      profile, "--headless", "--norestore",
                           "--convert-to", "pdf",   "--outdir",   out,
                           c->path,        cs,      NULL };
    assert_int_equal(sm_fix_run(argv), 0);
    char pdf[700];
    snprintf(pdf, sizeof pdf, "%s/workbook.pdf", out);
    size_t len = 0;
    char *data = sm_fix_read(pdf, &len);
    assert_non_null(data);
    assert_true(len > 1000 && memcmp(data, "%PDF", 4) == 0);
    free(data);
    snprintf(pdf, sizeof pdf, "%s/checksheet.pdf", out);
    data = sm_fix_read(pdf, &len);
    assert_non_null(data);
    assert_true(len > 1000 && memcmp(data, "%PDF", 4) == 0);
    free(data);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(matrix_sheet_holds_the_scores_and_marks, setup, teardown),
        cmocka_unit_test_setup_teardown(sheet_names_are_legal_and_unique, setup, teardown),
        cmocka_unit_test_setup_teardown(hostile_sheet_names_are_rewritten, setup, teardown),
        cmocka_unit_test_setup_teardown(summary_sheet_is_print_ready, setup, teardown),
        cmocka_unit_test_setup_teardown(criterion_sheet_states_the_facts, setup, teardown),
        cmocka_unit_test_setup_teardown(check_sheet_has_a_box_per_common_item, setup, teardown),
        cmocka_unit_test_setup_teardown(libreoffice_opens_the_workbooks, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

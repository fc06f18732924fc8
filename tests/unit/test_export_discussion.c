/*
 * Unit tests of the discussion outputs: the two CSVs (byte-order mark, CRLF, RFC 4180
 * quoting of commas, quotes and line breaks, formula neutralisation, one rectangular table
 * that carries the criterion and review counts, the figures per item, per category and per
 * industry) and the Markdown summary (the top items, the rarely written ones, the coverage
 * tables, the points derived from the gaps, an English section, Markdown escaping).
 */
#include "export_fixture.h"

#include "smesec/err.h"
#include "smesec/export.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "util/banned.h"

struct ctx {
    struct sm_fix fix;
    char dir[512];
    char items[600];
    char coverage[600];
    char md[600];
};

static int setup(void **state)
{
    struct ctx *c = calloc(1, sizeof *c);
    if (!c || sm_fix_init(&c->fix) != 0 || !sm_fix_tmpdir(c->dir, sizeof c->dir))
        return -1;
    snprintf(c->items, sizeof c->items, "%s/discussion-items.csv", c->dir);
    snprintf(c->coverage, sizeof c->coverage, "%s/discussion-coverage.csv", c->dir);
    snprintf(c->md, sizeof c->md, "%s/discussion.md", c->dir);
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

/* ---- a strict RFC 4180 reader, enough for the tests ---------------------------------------- */

#define MAX_ROWS   32
#define MAX_FIELDS 32

struct table {
    size_t rows;
    size_t fields[MAX_ROWS];
    char *v[MAX_ROWS][MAX_FIELDS];
};

/* Parses text (after the BOM) into t; fails the test on anything RFC 4180 forbids, and on
 * records that do not end with CRLF. */
static void parse_csv(const char *text, struct table *t)
{
    memset(t, 0, sizeof *t);
    const char *p = text;
    while (*p) {
        assert_true(t->rows < MAX_ROWS);
        size_t nf = 0;
        for (;;) {
            assert_true(nf < MAX_FIELDS);
            char *field = malloc(strlen(p) + 1);
            size_t o = 0;
            if (*p == '"') {
                p++;
                for (;;) {
                    assert_true(*p != '\0');
                    if (*p == '"' && p[1] == '"') {
                        field[o++] = '"';
                        p += 2;
                    } else if (*p == '"') {
                        p++;
                        break;
                    } else {
                        field[o++] = *p++;
                    }
                }
            } else {
                while (*p && *p != ',' && *p != '\r' && *p != '\n') {
                    assert_true(*p != '"');
                    field[o++] = *p++;
                }
            }
            field[o] = '\0';
            t->v[t->rows][nf++] = field;
            if (*p == ',') {
                p++;
                continue;
            }
            assert_true(p[0] == '\r' && p[1] == '\n');
            p += 2;
            break;
        }
        t->fields[t->rows++] = nf;
    }
}

static void table_free(struct table *t)
{
    for (size_t r = 0; r < t->rows; r++)
        for (size_t f = 0; f < t->fields[r]; f++)
            free(t->v[r][f]);
}

static long column(const struct table *t, const char *name)
{
    for (size_t f = 0; f < t->fields[0]; f++)
        if (strcmp(t->v[0][f], name) == 0)
            return (long)f;
    fail_msg("no column '%s'", name);
    return -1;
}

/* The row whose column col holds value. */
static size_t row_of(const struct table *t, long col, const char *value)
{
    for (size_t r = 1; r < t->rows; r++)
        if (strcmp(t->v[r][col], value) == 0)
            return r;
    fail_msg("no row with '%s'", value);
    return 0;
}

static char *read_csv(const char *path, struct table *t)
{
    char *text = sm_fix_read(path, NULL);
    assert_non_null(text);
    assert_memory_equal(text, "\xEF\xBB\xBF", 3);
    parse_csv(text + 3, t);
    for (size_t r = 1; r < t->rows; r++)
        assert_int_equal(t->fields[r], t->fields[0]);
    return text;
}

/* ---- tests -------------------------------------------------------------------------------- */

static void items_csv_has_the_figures_per_item(void **state)
{
    struct ctx *c = *state;
    struct sm_diag diag;
    if (sm_export_discussion_csv(&c->fix.report, c->items, c->coverage, &diag) != SM_OK)
        fail_msg("sm_export_discussion_csv: %s", diag.msg);
    struct table t;
    char *text = read_csv(c->items, &t);
    assert_int_equal(t.rows, 1 + SM_FIX_ITEMS);
    long id = column(&t, "id"), title = column(&t, "title"), written = column(&t, "written_by");
    long share = column(&t, "share"), mean = column(&t, "mean"), common = column(&t, "common");
    long ref = column(&t, "reference"), analysed = column(&t, "guidelines");
    size_t r = row_of(&t, id, "TEC-01");
    assert_string_equal(t.v[r][written], "4");
    assert_string_equal(t.v[r][share], "1.000");
    assert_string_equal(t.v[r][mean], "1.75");
    assert_string_equal(t.v[r][common], "yes");
    assert_string_equal(t.v[r][ref], "2");
    r = row_of(&t, id, "PEO-01");
    assert_string_equal(t.v[r][analysed], "3");
    assert_string_equal(t.v[r][share], "0.667");
    /* The title that starts with '=' and holds a comma and quotes: neutralised and quoted. */
    assert_string_equal(t.v[r][title], "'" SM_FIX_FORMULA_ITEM);
    assert_non_null(strstr(text, "\"'=HYPERLINK(\"\"http://x.example\"\",\"\"y\"\") 従業員教育\""));
    r = row_of(&t, id, "GOV-02");
    assert_string_equal(t.v[r][written], "0");
    assert_string_equal(t.v[r][common], "no");
    /* Every row states the criterion, the catalog version and the review counts. */
    long crit = column(&t, "criterion"), version = column(&t, "catalog_version");
    long reviewed = column(&t, "cells_reviewed"), total = column(&t, "cells_total");
    for (size_t k = 1; k < t.rows; k++) {
        assert_non_null(strstr(t.v[k][crit], "共通項の基準"));
        assert_string_equal(t.v[k][version], "fix-1.0");
        assert_string_equal(t.v[k][reviewed], "5");
        assert_string_equal(t.v[k][total], "23");
    }
    /* No field anywhere starts a formula. */
    for (size_t k = 1; k < t.rows; k++)
        for (size_t f = 0; f < t.fields[k]; f++)
            assert_true(strchr("=+-@\t\r", t.v[k][f][0]) == NULL || t.v[k][f][0] == '\0');
    table_free(&t);
    free(text);
}

static void coverage_csv_has_categories_and_industries(void **state)
{
    struct ctx *c = *state;
    assert_int_equal(sm_export_discussion_csv(&c->fix.report, c->items, c->coverage, NULL), SM_OK);
    struct table t;
    char *text = read_csv(c->coverage, &t);
    long dim = column(&t, "dimension"), key = column(&t, "key");
    long cov = column(&t, "coverage"), met = column(&t, "common_met_share");
    long guidelines = column(&t, "guidelines"), items = column(&t, "items");
    /* all, three categories, three industries (自動車 twice). */
    assert_int_equal(t.rows, 1 + 1 + 3 + 3);
    size_t r = row_of(&t, key, "all");
    assert_string_equal(t.v[r][cov], "0.522"); /* 12 of 23 analysed cells written */
    r = row_of(&t, key, "governance");
    assert_string_equal(t.v[r][dim], "category");
    assert_string_equal(t.v[r][cov], "0.250");
    assert_string_equal(t.v[r][items], "2");
    r = row_of(&t, key, "自動車");
    assert_string_equal(t.v[r][dim], "industry");
    assert_string_equal(t.v[r][guidelines], "2");
    assert_string_equal(t.v[r][met], "0.750");
    /* The industry with '=', a comma, quotes and a line break: quoted and neutralised. */
    r = row_of(&t, key, "'" SM_FIX_FORMULA_INDUSTRY);
    assert_string_equal(t.v[r][met], "0.333");
    assert_non_null(strstr(text, "\"'=物流,倉庫 \"\"東\"\"\n西\""));
    table_free(&t);
    free(text);
}

static void summary_names_top_and_rare_items(void **state)
{
    struct ctx *c = *state;
    struct sm_diag diag;
    if (sm_export_discussion_md(&c->fix.report, c->md, &diag) != SM_OK)
        fail_msg("sm_export_discussion_md: %s", diag.msg);
    char *md = sm_fix_read(c->md, NULL);
    assert_non_null(md);
    const char *top = strstr(md, "## 多くのガイドラインに共通する項目");
    const char *rare = strstr(md, "## 記載の少ない項目");
    const char *cats = strstr(md, "## 分類別の記載状況");
    const char *inds = strstr(md, "## 業界別の記載状況");
    const char *next = strstr(md, "## 今後中小企業や業界に求められる対応");
    const char *en = strstr(md, "## English summary");
    assert_true(top && rare && cats && inds && next && en);
    assert_true(top < rare && rare < cats && cats < inds && inds < next && next < en);
    /* The top items, most written first. */
    const char *t1 = strstr(top, "1. **TEC-01**");
    const char *t2 = strstr(top, "2. **TEC-02**");
    const char *t4 = strstr(top, "4. **GOV-01**");
    assert_true(t1 && t2 && t4 && t4 < rare);
    assert_non_null(strstr(top, "4件中4件が記載（100%）"));
    /* GOV-02 is written by none: rare; PEO-02 (25%) is not. */
    assert_non_null(strstr(rare, "**GOV-02** 委託先の管理"));
    const char *peo02 = strstr(rare, "PEO-02");
    assert_true(peo02 == NULL || peo02 > cats);
    /* Coverage tables and the derived points. */
    assert_non_null(strstr(cats, "| 組織的対策 | 2 | 1 | 25% | 0.25 |"));
    assert_non_null(strstr(next, "分類「組織的対策」は記載率25%"));
    assert_non_null(strstr(next, "業界「=物流,倉庫 \"東\" 西」は共通項の基準点達成率が33%"));
    assert_non_null(strstr(next, "レビュー済みは5 / 23セル"));
    /* The criterion and the catalog version; the English section has its own. */
    assert_non_null(strstr(md, "共通項の基準"));
    assert_non_null(strstr(md, "fix-1.0"));
    assert_non_null(strstr(en, "Common-item criterion"));
    assert_non_null(strstr(en, "Catalog: Test check items, version fix-1.0"));
    assert_non_null(strstr(en, "1. **TEC-01** Keep OS and software up to date"));
    assert_non_null(strstr(en, "5 of 23 cells reviewed"));
    /* Markup in titles is escaped: every '<' has its backslash. */
    for (const char *p = md; (p = strchr(p, '<')) != NULL; p++)
        assert_true(p > md && p[-1] == '\\');
    assert_non_null(strstr(md, "\\<script\\>alert(\"item\")\\</script\\>"));
    free(md);
}

static void bad_reports_are_refused(void **state)
{
    struct ctx *c = *state;
    struct sm_diag diag;
    struct sm_report r = c->fix.report;
    r.judgement = NULL;
    assert_int_equal(sm_export_discussion_md(&r, c->md, &diag), SM_EINVAL);
    r = c->fix.report;
    r.generated_at = "20 Feb 2026";
    assert_int_equal(sm_export_discussion_md(&r, c->md, &diag), SM_EINVAL);
    assert_non_null(strstr(diag.msg, "YYYY-MM-DD"));
    r.generated_at = "2026-02-30";
    assert_int_equal(sm_export_discussion_md(&r, c->md, &diag), SM_EINVAL);
    c->fix.matrix.n_items = SM_FIX_ITEMS - 1;
    assert_int_equal(sm_export_discussion_csv(&c->fix.report, c->items, c->coverage, &diag),
                     SM_EINVAL);
    c->fix.matrix.n_items = SM_FIX_ITEMS;
    c->fix.cells[0].score = 3;
    assert_int_equal(sm_export_discussion_md(&c->fix.report, c->md, &diag), SM_EINVAL);
    assert_non_null(strstr(diag.msg, "TEC-01"));
    assert_int_equal(sm_fix_dir_entries(c->dir), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(items_csv_has_the_figures_per_item, setup, teardown),
        cmocka_unit_test_setup_teardown(coverage_csv_has_categories_and_industries, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(summary_names_top_and_rare_items, setup, teardown),
        cmocka_unit_test_setup_teardown(bad_reports_are_refused, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

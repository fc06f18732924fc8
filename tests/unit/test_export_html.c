/*
 * Unit tests of the print-ready HTML outputs: the check sheet (a checkbox per common item,
 * A4 print CSS), the example descriptions by stage, and the per-guideline feedback (its
 * gaps with the examples of the item's stage and the next). Every hostile string in the
 * fixture must come out escaped: "<script" never appears raw. Each page states the
 * criterion, the catalog version and the review counts, and has no script at all. Ends with
 * an allocation-failure run over the check sheet: every failing allocation gives SM_ENOMEM,
 * leaves the file that was there untouched and no temporary file behind.
 */
#include "export_fixture.h"

#include "smesec/alloc.h"
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

#include <cmocka.h>

#include "util/banned.h"

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

/* Checks what every page must hold, and that nothing hostile came through raw. */
static void assert_page(const struct ctx *c, const char *html)
{
    assert_non_null(strstr(html, "<!DOCTYPE html>"));
    assert_non_null(strstr(html, "@page { size: A4"));
    assert_non_null(strstr(html, "page-break-inside: avoid"));
    assert_null(strstr(html, "<script"));
    assert_null(strstr(html, "<b>"));
    /* The policy forbids scripts even if one slipped in. */
    assert_non_null(strstr(html, "default-src 'none'"));
    struct sm_buf ja;
    sm_buf_init(&ja, 4096);
    assert_int_equal(
        sm_criterion_describe(&c->fix.judgement.criterion, SM_FIX_GUIDELINES, SM_LANG_JA, &ja),
        SM_OK);
    assert_non_null(strstr(html, ja.data));
    sm_buf_release(&ja);
    assert_non_null(strstr(html, "Test check items, catalog version fix-1.0"));
    assert_non_null(strstr(html, "5 of 23 cells reviewed"));
    assert_non_null(strstr(html, "2026-02-20"));
}

static char *read_page(const char *path)
{
    char *html = sm_fix_read(path, NULL);
    if (!html)
        fail_msg("cannot read '%s'", path);
    return html;
}

static void check_sheet_has_a_checkbox_per_common_item(void **state)
{
    struct ctx *c = *state;
    snprintf(c->path, sizeof c->path, "%s/checksheet.html", c->dir);
    struct sm_diag diag;
    if (sm_export_checksheet_html(&c->fix.report, c->path, &diag) != SM_OK)
        fail_msg("sm_export_checksheet_html: %s", diag.msg);
    char *html = read_page(c->path);
    assert_page(c, html);
    assert_int_equal(sm_fix_count(html, "type=\"checkbox\""), SM_FIX_COMMON);
    /* The evil title, escaped; the non-common items absent; categories in catalog order. */
    assert_non_null(strstr(html, "&lt;script&gt;alert(&quot;item&quot;)&lt;/script&gt;"));
    assert_null(strstr(html, "PEO-02"));
    assert_null(strstr(html, "GOV-02"));
    const char *tec = strstr(html, "技術的対策");
    const char *peo = strstr(html, "人的対策");
    const char *gov = strstr(html, "組織的対策");
    assert_true(tec && peo && gov && tec < peo && peo < gov);
    assert_non_null(strstr(html, "段階3"));
    assert_non_null(strstr(html, "ひな形から1枚にまとめましょう。"));
    free(html);
    assert_int_equal(sm_fix_dir_entries(c->dir), 1);
}

static void examples_show_three_stages_per_common_item(void **state)
{
    struct ctx *c = *state;
    snprintf(c->path, sizeof c->path, "%s/examples.html", c->dir);
    struct sm_diag diag;
    if (sm_export_examples_html(&c->fix.report, c->path, &diag) != SM_OK)
        fail_msg("sm_export_examples_html: %s", diag.msg);
    char *html = read_page(c->path);
    assert_page(c, html);
    assert_int_equal(sm_fix_count(html, "<section class=\"item\">"), SM_FIX_COMMON);
    static const char *const ids[] = { "TEC01", "TEC02", "PEO01", "GOV01" };
    for (size_t k = 0; k < 4; k++) {
        for (int s = 1; s <= 3; s++) {
            char want[64];
            snprintf(want, sizeof want, "%s段階%dの記載例", ids[k], s);
            assert_non_null(strstr(html, want));
        }
    }
    assert_null(strstr(html, "PEO02段階"));
    /* GOV-01 starts at stage 3: its third column is the shaded one. */
    const char *gov = strstr(html, "GOV-01 情報セキュリティ基本方針");
    assert_non_null(gov);
    assert_non_null(strstr(gov, "<th class=\"stage-now\">段階3（開始）</th>"));
    free(html);
}

static void feedback_lists_the_gaps_with_examples(void **state)
{
    struct ctx *c = *state;
    struct sm_diag diag;
    /* Guideline 13: TEC-01 1 < 2, TEC-02 0 < 1 are gaps; PEO-01 not analysed; GOV-01 met. */
    snprintf(c->path, sizeof c->path, "%s/feedback-13.html", c->dir);
    if (sm_export_feedback_html(&c->fix.report, 2, c->path, &diag) != SM_OK)
        fail_msg("sm_export_feedback_html: %s", diag.msg);
    char *html = read_page(c->path);
    assert_page(c, html);
    assert_non_null(strstr(html, "物流セキュリティガイドライン"));
    assert_non_null(strstr(html, "基準点以上: 1件、基準点未満（見直しの候補）: 2件、未分析: 1件"));
    assert_int_equal(sm_fix_count(html, "<section class=\"gap\">"), 2);
    const char *gaps = strstr(html, "<section class=\"gap\">");
    /* TEC-01 starts at stage 1: the examples of stages 1 and 2, and the sentence found. */
    assert_non_null(strstr(gaps, "TEC01段階1の記載例: 更新するよう努める。"));
    assert_non_null(strstr(gaps, "TEC01段階2の記載例: 担当者が更新を確認する。"));
    assert_null(strstr(gaps, "TEC01段階3"));
    assert_non_null(strstr(gaps, "p.4: ソフトウェアは更新する。"));
    assert_null(strstr(gaps, "GOV01"));
    free(html);

    /* Guideline 12 (the evil title): its one gap is GOV-01, which starts at stage 3, so
     * there is no next stage to show. */
    snprintf(c->path, sizeof c->path, "%s/feedback-12.html", c->dir);
    if (sm_export_feedback_html(&c->fix.report, 1, c->path, &diag) != SM_OK)
        fail_msg("sm_export_feedback_html: %s", diag.msg);
    html = read_page(c->path);
    assert_page(c, html);
    assert_non_null(strstr(html, "医療&lt;script&gt;alert(1)&lt;/script&gt;ガイドライン"));
    assert_int_equal(sm_fix_count(html, "<section class=\"gap\">"), 1);
    assert_non_null(strstr(html, "GOV01段階3の記載例"));
    assert_null(strstr(html, "GOV01段階2の記載例"));
    /* The manual score is marked, and its evidence is escaped. */
    assert_non_null(strstr(html, "2*</td>"));
    free(html);

    assert_int_equal(sm_export_feedback_html(&c->fix.report, SM_FIX_GUIDELINES, c->path, &diag),
                     SM_EINVAL);
}

static void an_empty_judgement_still_renders(void **state)
{
    struct ctx *c = *state;
    bool none[SM_FIX_ITEMS] = { false };
    int zero[SM_FIX_ITEMS] = { 0 };
    c->fix.judgement.common = none;
    c->fix.judgement.reference = zero;
    c->fix.judgement.n_common = 0;
    snprintf(c->path, sizeof c->path, "%s/checksheet.html", c->dir);
    assert_int_equal(sm_export_checksheet_html(&c->fix.report, c->path, NULL), SM_OK);
    char *html = read_page(c->path);
    assert_int_equal(sm_fix_count(html, "type=\"checkbox\""), 0);
    assert_non_null(strstr(html, "共通項はありません。"));
    free(html);
    snprintf(c->path, sizeof c->path, "%s/feedback.html", c->dir);
    assert_int_equal(sm_export_feedback_html(&c->fix.report, 0, c->path, NULL), SM_OK);
}

static void allocation_failures_leave_the_old_file(void **state)
{
    struct ctx *c = *state;
    snprintf(c->path, sizeof c->path, "%s/checksheet.html", c->dir);
    FILE *fp = fopen(c->path, "wb");
    assert_non_null(fp);
    fputs("old", fp);
    fclose(fp);
    int rc = SM_ENOMEM;
    long n = 0;
    for (; n < 100000 && rc == SM_ENOMEM; n++) {
        struct sm_diag diag;
        sm_alloc_fail_after(n);
        rc = sm_export_checksheet_html(&c->fix.report, c->path, &diag);
        sm_alloc_fail_after(-1);
        if (rc == SM_OK)
            break;
        if (rc != SM_ENOMEM)
            fail_msg("allocation %ld: rc %d (%s)", n, rc, diag.msg);
        assert_true(diag.msg[0] != '\0');
        char *old = sm_fix_read(c->path, NULL);
        assert_non_null(old);
        assert_string_equal(old, "old");
        free(old);
        assert_int_equal(sm_fix_dir_entries(c->dir), 1);
    }
    assert_int_equal(rc, SM_OK);
    assert_true(n > 10); /* the run did fail allocations before succeeding */
    char *html = read_page(c->path);
    assert_int_equal(sm_fix_count(html, "type=\"checkbox\""), SM_FIX_COMMON);
    free(html);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(check_sheet_has_a_checkbox_per_common_item, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(examples_show_three_stages_per_common_item, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(feedback_lists_the_gaps_with_examples, setup, teardown),
        cmocka_unit_test_setup_teardown(an_empty_judgement_still_renders, setup, teardown),
        cmocka_unit_test_setup_teardown(allocation_failures_leave_the_old_file, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

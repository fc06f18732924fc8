/*
 * Unit tests of the drafting support without a database: the gap report (no draft, a
 * draft's scores against the reference, a draft of another catalog version, the stage's
 * rows and examples) and the starter guideline in Markdown and HTML (laid out by category,
 * covered items marked, every outside text escaped), with every allocation failing in turn.
 */
/* cmocka needs these first, in this order. */
/* clang-format off */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
/* clang-format on */

#include "smesec/alloc.h"
#include "smesec/drafting.h"

#include <string.h>

static struct sm_catalog *builtin(void)
{
    struct sm_catalog *c = NULL;
    struct sm_diag d;
    assert_int_equal(sm_catalog_default(&c, &d), SM_OK);
    return c;
}

/* A reference where every item is common, reference 2 for GOV-01, else 1. */
static struct sm_common_ref *all_common(const struct sm_catalog *c)
{
    struct sm_common_ref *ref = NULL;
    assert_int_equal(sm_common_ref_build(c, NULL, NULL, NULL, &ref), SM_OK);
    ref->fallback = false;
    ref->n_guidelines = 4;
    ref->n_common = ref->n_items;
    for (size_t i = 0; i < ref->n_items; i++) {
        ref->common[i] = true;
        ref->reference[i] = strcmp(sm_catalog_item(c, i)->id, "GOV-01") == 0 ? 2 : 1;
    }
    return ref;
}

static size_t items_up_to(const struct sm_catalog *c, int stage)
{
    size_t n = 0;
    for (size_t i = 0; i < sm_catalog_n_items(c); i++)
        n += sm_catalog_item(c, i)->stage <= stage;
    return n;
}

static void no_draft_every_item_is_missing(void **state)
{
    (void)state;
    struct sm_catalog *c = builtin();
    struct sm_common_ref *ref = all_common(c);
    for (int stage = 1; stage <= 3; stage++) {
        struct sm_gap_report *r = NULL;
        assert_int_equal(sm_gap_report_build(ref, NULL, stage, &r), SM_OK);
        assert_false(r->has_draft);
        assert_int_equal(r->n_rows, items_up_to(c, stage));
        assert_int_equal(r->n_gaps, r->n_rows);
        assert_int_equal(r->n_missing, r->n_rows);
        for (size_t i = 0; i < r->n_rows; i++) {
            assert_true(r->rows[i].check->stage <= stage);
            assert_ptr_equal(r->rows[i].example, r->rows[i].check->example[stage - 1]);
            assert_null(r->rows[i].evidence);
            if (i > 0)
                assert_true(r->rows[i].item > r->rows[i - 1].item);
        }
        sm_gap_report_free(r);
    }
    struct sm_gap_report *r = NULL;
    assert_int_equal(sm_gap_report_build(ref, NULL, 0, &r), SM_EINVAL);
    assert_int_equal(sm_gap_report_build(ref, NULL, 4, &r), SM_EINVAL);
    sm_common_ref_free(ref);
    sm_catalog_free(c);
}

static void a_drafts_scores_against_the_reference(void **state)
{
    (void)state;
    struct sm_catalog *c = builtin();
    struct sm_common_ref *ref = all_common(c);
    /* Sorted by item id, as sm_draft_get returns them. */
    struct sm_draft_score scores[] = {
        { .item_id = "GOV-01", .score = 1, .page = 3, .evidence = "基本方針を定める。" },
        { .item_id = "GOV-10", .score = 2, .page = 1, .evidence = "毎月、情報を集める。" },
        { .item_id = "TEC-01", .score = 1, .page = 2, .evidence = "更新する。" },
    };
    struct sm_draft d = { .id = 1,
                          .industry = "物流",
                          .title = "草案",
                          .stage = 2,
                          .catalog_version = sm_catalog_version(c),
                          .n_scores = 3,
                          .scores = scores };
    struct sm_gap_report *r = NULL;
    assert_int_equal(sm_gap_report_build(ref, &d, 2, &r), SM_OK);
    assert_true(r->has_draft);
    assert_int_equal(r->n_rows, items_up_to(c, 2));
    /* GOV-01 is written below its reference 2: a gap, not missing. GOV-10 and TEC-01 are
     * covered. Every other row is missing. */
    assert_int_equal(r->n_gaps, r->n_rows - 2);
    assert_int_equal(r->n_missing, r->n_rows - 3);
    for (size_t i = 0; i < r->n_rows; i++) {
        const struct sm_gap_row *row = &r->rows[i];
        if (strcmp(row->check->id, "GOV-01") == 0) {
            assert_true(row->gap);
            assert_int_equal(row->score, 1);
            assert_int_equal(row->reference, 2);
            assert_int_equal(row->page, 3);
            assert_string_equal(row->evidence, "基本方針を定める。");
        } else if (strcmp(row->check->id, "GOV-10") == 0 || strcmp(row->check->id, "TEC-01") == 0) {
            assert_false(row->gap);
        } else {
            assert_true(row->gap);
            assert_int_equal(row->score, 0);
        }
    }
    sm_gap_report_free(r);

    /* Scores made against another catalog version do not count. */
    d.catalog_version = "1999.1";
    assert_int_equal(sm_gap_report_build(ref, &d, 2, &r), SM_OK);
    assert_false(r->has_draft);
    assert_int_equal(r->n_missing, r->n_rows);
    sm_gap_report_free(r);
    d.catalog_version = NULL;
    assert_int_equal(sm_gap_report_build(ref, &d, 2, &r), SM_OK);
    assert_false(r->has_draft);
    sm_gap_report_free(r);

    /* Items that are not common are not in the report; the fallback says so. */
    struct sm_common_ref *fb = NULL;
    assert_int_equal(sm_common_ref_build(c, NULL, NULL, NULL, &fb), SM_OK);
    assert_int_equal(sm_gap_report_build(fb, NULL, 3, &r), SM_OK);
    assert_true(r->fallback);
    assert_int_equal(r->n_rows, items_up_to(c, 2));
    sm_gap_report_free(r);
    sm_common_ref_free(fb);
    sm_common_ref_free(ref);
    sm_catalog_free(c);
}

static size_t count(const char *s, const char *needle)
{
    size_t n = 0;
    for (const char *p = strstr(s, needle); p; p = strstr(p + 1, needle))
        n++;
    return n;
}

static void starter_documents(void **state)
{
    (void)state;
    struct sm_catalog *c = builtin();
    struct sm_common_ref *ref = all_common(c);
    struct sm_draft_score scores[] = { { .item_id = "GOV-10", .score = 2, .page = 1 } };
    struct sm_draft d = { .industry = "x",
                          .title = "t",
                          .stage = 1,
                          .catalog_version = sm_catalog_version(c),
                          .n_scores = 1,
                          .scores = scores };
    struct sm_gap_report *r = NULL;
    assert_int_equal(sm_gap_report_build(ref, &d, 1, &r), SM_OK);
    struct sm_starter_info info = { .industry = "<script>A*B_[x]</script>",
                                    .generated_at = "2026-01-05",
                                    .criterion_ja = "共通項の基準: テスト",
                                    .criterion_en = "Common-item criterion: test" };
    struct sm_buf md;
    sm_buf_init(&md, 1u << 22);
    assert_int_equal(sm_starter_markdown(r, &info, &md), SM_OK);
    /* The industry's name is escaped as Markdown, and starts the title. */
    assert_non_null(strstr(md.data, "# \\<script\\>A\\*B\\_\\[x\\]\\</script\\> 情報セキュリティ"));
    assert_null(strstr(md.data, "<script>"));
    assert_non_null(strstr(md.data, "2026-01-05"));
    assert_non_null(strstr(md.data, "共通項の基準: テスト"));
    /* One section per row, chapters by category; the covered item is marked. */
    assert_int_equal(count(md.data, "\n### "), r->n_rows);
    assert_non_null(strstr(md.data, "## 1. 組織的対策"));
    assert_int_equal(count(md.data, "草案に記載あり"), 1);
    sm_buf_release(&md);

    struct sm_buf html;
    sm_buf_init(&html, 1u << 22);
    assert_int_equal(sm_starter_html(r, &info, &html), SM_OK);
    assert_int_equal(strncmp(html.data, "<!DOCTYPE html>", 15), 0);
    assert_null(strstr(html.data, "<script>"));
    assert_non_null(strstr(html.data, "&lt;script&gt;A*B_[x]&lt;/script&gt;"));
    assert_non_null(strstr(html.data, "@page { size: A4;"));
    assert_int_equal(count(html.data, "<section class=\"item\">"), r->n_rows);
    assert_non_null(strstr(html.data, "</html>"));
    sm_buf_release(&html);
    sm_gap_report_free(r);

    /* With the fallback the starter says where its items come from. */
    struct sm_common_ref *fb = NULL;
    assert_int_equal(sm_common_ref_build(c, NULL, NULL, NULL, &fb), SM_OK);
    assert_int_equal(sm_gap_report_build(fb, NULL, 2, &r), SM_OK);
    sm_buf_init(&md, 1u << 22);
    assert_int_equal(sm_starter_markdown(r, &info, &md), SM_OK);
    assert_non_null(strstr(md.data, "分析済みのガイドラインがまだないため"));
    sm_buf_release(&md);
    sm_gap_report_free(r);
    sm_common_ref_free(fb);
    sm_common_ref_free(ref);
    sm_catalog_free(c);
}

static int pure_path(const struct sm_catalog *c)
{
    struct sm_common_ref *ref = NULL;
    struct sm_gap_report *r = NULL;
    struct sm_buf b;
    sm_buf_init(&b, 1u << 22);
    struct sm_starter_info info = { .industry = "物流", .generated_at = "2026-01-05" };
    int rc = sm_common_ref_build(c, NULL, NULL, NULL, &ref);
    if (!rc)
        rc = sm_gap_report_build(ref, NULL, 2, &r);
    if (!rc)
        rc = sm_starter_markdown(r, &info, &b);
    if (!rc)
        rc = sm_starter_html(r, &info, &b);
    sm_buf_release(&b);
    sm_gap_report_free(r);
    sm_common_ref_free(ref);
    return rc;
}

static void allocation_failures(void **state)
{
    (void)state;
    struct sm_catalog *c = builtin();
    assert_int_equal(pure_path(c), SM_OK);
    for (long k = 0; k < 400; k++) {
        sm_alloc_fail_after(k);
        int rc = pure_path(c);
        sm_alloc_fail_after(-1);
        if (rc == SM_OK)
            break;
        assert_int_equal(rc, SM_ENOMEM);
    }
    sm_catalog_free(c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(no_draft_every_item_is_missing),
        cmocka_unit_test(a_drafts_scores_against_the_reference),
        cmocka_unit_test(starter_documents),
        cmocka_unit_test(allocation_failures),
    };
    return cmocka_run_group_tests_name("drafting", tests, NULL, NULL);
}

/*
 * Storage-level tests of the guideline commons on every backend: adding guidelines with
 * their pages, saving analyses, reviews that survive only an unchanged score, overrides that
 * survive re-analysis, the matrix, listing and deleting.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "smesec/smesec.h"
#include "testdb.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *backend;
static const struct sm_actor analyst = { .user_id = 0, .name = "test-analyst" };

struct fixture {
    struct sm_test_db db;
    struct sm_catalog *catalog;
};

static int setup(void **state)
{
    struct fixture *f = calloc(1, sizeof *f);
    struct sm_diag d;
    if (!f || sm_test_db_open(&f->db, backend, true) != SM_OK)
        goto fail;
    if (sm_commons_catalog(f->db.store, &analyst, NULL, &f->catalog, &d) != SM_OK) {
        fprintf(stderr, "catalog: %s\n", d.msg);
        sm_test_db_close(&f->db);
        goto fail;
    }
    *state = f;
    return 0;
fail:
    free(f);
    return -1;
}

static int teardown(void **state)
{
    struct fixture *f = *state;
    sm_catalog_free(f->catalog);
    sm_test_db_close(&f->db);
    free(f);
    return 0;
}

static struct sm_document *make_doc(const char *page1, const char *page2)
{
    const char *texts[] = { page1, page2 };
    const int numbers[] = { 1, 2 };
    struct sm_document *doc = NULL;
    struct sm_diag d;
    assert_int_equal(sm_document_from_pages(texts, numbers, page2 ? 2 : 1, &doc, &d), SM_OK);
    return doc;
}

static int64_t add(struct fixture *f, const char *industry, const char *title, const char *text)
{
    struct sm_document *doc = make_doc(text, "二ページ目。");
    struct sm_guideline_meta meta = {
        .industry = industry, .publisher = "（架空）協会", .title = title, .year = 2024
    };
    struct sm_diag d;
    int64_t id = 0;
    assert_int_equal(sm_guideline_add(f->db.store, &analyst, &meta, doc, &id, &d), SM_OK);
    sm_document_free(doc);
    return id;
}

/* An analysis scoring every item `base`, and item index `which` `score` with one evidence
 * sentence. */
static struct sm_analysis *fake_analysis(const struct sm_catalog *c, int base, size_t which,
                                         int score)
{
    struct sm_analysis *a = sm_calloc(1, sizeof *a);
    assert_non_null(a);
    a->n_items = sm_catalog_n_items(c);
    a->items = sm_calloc(a->n_items, sizeof *a->items);
    assert_non_null(a->items);
    for (size_t i = 0; i < a->n_items; i++) {
        struct sm_item_result *r = &a->items[i];
        r->item_id = sm_catalog_item(c, i)->id;
        r->score = i == which ? score : base;
        r->strength = r->score * 4;
        r->relation = r->score ? SM_REL_INTERSECTS : SM_REL_NOT_RELATED;
        if (i == which && score > 0) {
            r->n_evidence = 1;
            r->evidence = sm_calloc(1, sizeof *r->evidence);
            assert_non_null(r->evidence);
            r->evidence[0].page = 1;
            r->evidence[0].offset = 0;
            r->evidence[0].len = 9;
            r->evidence[0].text = sm_strdup("基本方針を定める。");
            r->evidence[0].matched = sm_strdup("基本方針");
            r->evidence[0].score = score;
        }
    }
    return a;
}

static const struct sm_cell *cell(const struct sm_matrix *m, size_t item, size_t g)
{
    return &m->cells[item * m->n_guidelines + g];
}

static void add_list_document_and_duplicates(void **state)
{
    struct fixture *f = *state;
    struct sm_diag d;
    int64_t id = add(f, "物流", "物流ガイドライン", "情報セキュリティ基本方針を定める。");
    assert_true(id > 0);

    /* The same text again for the same industry is refused, and stores nothing. */
    struct sm_document *doc = make_doc("情報セキュリティ基本方針を定める。", "二ページ目。");
    struct sm_guideline_meta meta = { .industry = "物流", .publisher = "p", .title = "again" };
    assert_int_equal(sm_guideline_add(f->db.store, &analyst, &meta, doc, NULL, &d), SM_EEXIST);
    /* Bad metadata is refused before anything is written. */
    meta.industry = "医療";
    meta.year = 1800;
    assert_int_equal(sm_guideline_add(f->db.store, &analyst, &meta, doc, NULL, &d), SM_EINVAL);
    meta.year = 0;
    meta.title = "";
    assert_int_equal(sm_guideline_add(f->db.store, &analyst, &meta, doc, NULL, &d), SM_EINVAL);
    sm_document_free(doc);

    struct sm_guideline_list *list = NULL;
    assert_int_equal(sm_guideline_list(f->db.store, &list, &d), SM_OK);
    assert_int_equal(list->n, 1);
    assert_string_equal(list->items[0].title, "物流ガイドライン");
    assert_int_equal(list->items[0].n_pages, 2);
    assert_null(list->items[0].analysed_with);
    sm_guideline_list_free(list);

    /* Pages come back exactly as stored, so evidence offsets stay valid. */
    struct sm_document *back = NULL;
    assert_int_equal(sm_guideline_document(f->db.store, id, &back, &d), SM_OK);
    assert_int_equal(back->n_pages, 2);
    assert_string_equal(back->pages[0].text, "情報セキュリティ基本方針を定める。");
    assert_int_equal(back->pages[1].number, 2);
    sm_document_free(back);
    assert_int_equal(sm_guideline_document(f->db.store, id + 100, &back, &d), SM_ENOTFOUND);
}

static void reviews_and_overrides_across_reanalysis(void **state)
{
    struct fixture *f = *state;
    struct sm_diag d;
    const char *version = sm_catalog_version(f->catalog);
    int64_t a = add(f, "自動車", "A", "本文A。");
    int64_t b = add(f, "医療", "B", "本文B。");
    const char *item0 = sm_catalog_item(f->catalog, 0)->id;
    const char *item1 = sm_catalog_item(f->catalog, 1)->id;

    struct sm_analysis *an = fake_analysis(f->catalog, 0, 0, 2);
    assert_int_equal(sm_guideline_save_analysis(f->db.store, &analyst, a, version, an, &d), SM_OK);
    assert_int_equal(sm_guideline_save_analysis(f->db.store, &analyst, b, version, an, &d), SM_OK);
    sm_analysis_free(an);

    assert_int_equal(sm_guideline_review(f->db.store, &analyst, a, item0, SM_REVIEW_ACCEPTED, &d),
                     SM_OK);
    assert_int_equal(sm_guideline_review(f->db.store, &analyst, b, item0, SM_REVIEW_REJECTED, &d),
                     SM_OK);
    assert_int_equal(
        sm_guideline_review(f->db.store, &analyst, a, "NO-SUCH", SM_REVIEW_ACCEPTED, &d),
        SM_ENOTFOUND);
    assert_int_equal(sm_guideline_override(f->db.store, &analyst, a, item1, 2, "人手で確認", &d),
                     SM_OK);
    assert_int_equal(sm_guideline_override(f->db.store, &analyst, a, item1, 1, "", &d), SM_EINVAL);
    assert_int_equal(sm_guideline_override(f->db.store, &analyst, a, item1, 3, "x", &d), SM_EINVAL);
    assert_int_equal(sm_guideline_override(f->db.store, &analyst, a, "NO-SUCH", 1, "x", &d),
                     SM_ENOTFOUND);

    /* Re-analysis: guideline a keeps item0's score (its review stays); b's score changes (its
     * review is dropped); a's override of item1 is untouched. */
    struct sm_analysis *again_a = fake_analysis(f->catalog, 0, 0, 2);
    struct sm_analysis *again_b = fake_analysis(f->catalog, 0, 0, 1);
    assert_int_equal(sm_guideline_save_analysis(f->db.store, &analyst, a, version, again_a, &d),
                     SM_OK);
    assert_int_equal(sm_guideline_save_analysis(f->db.store, &analyst, b, version, again_b, &d),
                     SM_OK);
    sm_analysis_free(again_a);
    sm_analysis_free(again_b);

    struct sm_matrix_data *md = NULL;
    assert_int_equal(sm_matrix_load(f->db.store, f->catalog, &md, &d), SM_OK);
    const struct sm_matrix *m = &md->m;
    assert_int_equal(m->n_guidelines, 2);
    assert_int_equal(m->n_items, sm_catalog_n_items(f->catalog));
    assert_int_equal(m->guidelines[0].id, a);
    assert_string_equal(m->guidelines[1].industry, "医療");

    assert_int_equal(cell(m, 0, 0)->score, 2);
    assert_int_equal(cell(m, 0, 0)->review, SM_REVIEW_ACCEPTED);
    assert_int_equal(cell(m, 0, 0)->n_evidence, 1);
    assert_string_equal(cell(m, 0, 0)->evidence[0].text, "基本方針を定める。");
    assert_int_equal(cell(m, 0, 0)->evidence[0].page, 1);
    assert_int_equal(cell(m, 0, 1)->score, 1);
    assert_int_equal(cell(m, 0, 1)->review, SM_REVIEW_PROPOSED);

    assert_int_equal(cell(m, 1, 0)->score, 2);
    assert_int_equal(cell(m, 1, 0)->auto_score, 0);
    assert_int_equal(cell(m, 1, 0)->method, SM_METHOD_MANUAL);
    assert_string_equal(cell(m, 1, 0)->note, "人手で確認");
    assert_int_equal(cell(m, 1, 1)->method, SM_METHOD_AUTO);

    size_t reviewed = 0, total = 0;
    sm_matrix_review_counts(m, &reviewed, &total);
    assert_int_equal(total, 2 * m->n_items);
    assert_int_equal(reviewed, 2); /* a's accepted item0 and a's manual item1 */
    sm_matrix_data_free(md);

    /* Clearing the override brings the proposal back. */
    assert_int_equal(sm_guideline_override(f->db.store, &analyst, a, item1, -1, NULL, &d), SM_OK);
    assert_int_equal(sm_matrix_load(f->db.store, f->catalog, &md, &d), SM_OK);
    assert_int_equal(cell(&md->m, 1, 0)->score, 0);
    assert_int_equal(cell(&md->m, 1, 0)->method, SM_METHOD_AUTO);
    sm_matrix_data_free(md);

    long n = 0;
    assert_int_equal(sm_audit_count(f->db.store, "guideline.override", &n, &d), SM_OK);
    assert_int_equal(n, 2);
    assert_int_equal(sm_audit_count(f->db.store, "guideline.analyse", &n, &d), SM_OK);
    assert_int_equal(n, 4);
}

static void analysis_needs_a_stored_catalog_and_guideline(void **state)
{
    struct fixture *f = *state;
    struct sm_diag d;
    int64_t a = add(f, "電力", "A", "本文。");
    struct sm_analysis *an = fake_analysis(f->catalog, 1, 0, 1);
    assert_int_equal(
        sm_guideline_save_analysis(f->db.store, &analyst, a, "no-such-version", an, &d),
        SM_ENOTFOUND);
    assert_int_equal(sm_guideline_save_analysis(f->db.store, &analyst, a + 1,
                                                sm_catalog_version(f->catalog), an, &d),
                     SM_ENOTFOUND);
    sm_analysis_free(an);
    struct sm_matrix_data *md = NULL;
    assert_int_equal(sm_matrix_load(f->db.store, f->catalog, &md, &d), SM_OK);
    assert_int_equal(md->m.n_guidelines, 0);
    sm_matrix_data_free(md);
}

static void delete_removes_everything(void **state)
{
    struct fixture *f = *state;
    struct sm_diag d;
    int64_t a = add(f, "建築", "A", "本文。");
    struct sm_analysis *an = fake_analysis(f->catalog, 1, 0, 2);
    assert_int_equal(sm_guideline_save_analysis(f->db.store, &analyst, a,
                                                sm_catalog_version(f->catalog), an, &d),
                     SM_OK);
    sm_analysis_free(an);
    assert_int_equal(sm_guideline_override(f->db.store, &analyst, a,
                                           sm_catalog_item(f->catalog, 2)->id, 0, "no", &d),
                     SM_OK);
    assert_int_equal(sm_guideline_delete(f->db.store, &analyst, a, &d), SM_OK);
    assert_int_equal(sm_guideline_delete(f->db.store, &analyst, a, &d), SM_ENOTFOUND);
    struct sm_matrix_data *md = NULL;
    assert_int_equal(sm_matrix_load(f->db.store, f->catalog, &md, &d), SM_OK);
    assert_int_equal(md->m.n_guidelines, 0);
    sm_matrix_data_free(md);
    int64_t *ids = NULL;
    size_t n = 9;
    assert_int_equal(sm_guideline_ids(f->db.store, &ids, &n, &d), SM_OK);
    assert_int_equal(n, 0);
    sm_free(ids);
}

static void analyse_and_report_end_to_end(void **state)
{
    struct fixture *f = *state;
    struct sm_diag d;
    int64_t ids[2];
    ids[0] = add(f, "物流", "物流", "情報セキュリティ基本方針を定め、全従業員に周知する。");
    ids[1] =
        add(f, "医療", "医療", "OSとソフトウェアは毎月更新する。パスワードは12文字以上とする。");
    assert_int_equal(
        sm_commons_analyse(f->db.store, &analyst, f->catalog, ids, 2, 2, NULL, NULL, &d), SM_OK);
    char dir[] = "/tmp/smesec-report-XXXXXX";
    assert_non_null(mkdtemp(dir));
    struct sm_criterion c;
    sm_criterion_default(&c);
    size_t n = 0;
    assert_int_equal(sm_commons_report(f->db.store, f->catalog, &c, dir, &n, &d), SM_OK);
    assert_int_equal(n, 2);
    char path[256];
    snprintf(path, sizeof path, "%s/workbook.xlsx", dir);
    FILE *fp = fopen(path, "rb");
    assert_non_null(fp);
    fclose(fp);
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    assert_int_equal(system(cmd), 0);
}

int main(void)
{
    if (sm_init() != SM_OK)
        return 1;
    const char *names[SM_TEST_MAX_BACKENDS];
    int n = sm_test_backends(names, SM_TEST_MAX_BACKENDS);
    if (n < 0)
        return 1;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(add_list_document_and_duplicates, setup, teardown),
        cmocka_unit_test_setup_teardown(reviews_and_overrides_across_reanalysis, setup, teardown),
        cmocka_unit_test_setup_teardown(analysis_needs_a_stored_catalog_and_guideline, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(delete_removes_everything, setup, teardown),
        cmocka_unit_test_setup_teardown(analyse_and_report_end_to_end, setup, teardown),
    };
    int failed = 0;
    for (int i = 0; i < n; i++) {
        backend = names[i];
        char group[64];
        snprintf(group, sizeof group, "guidelines on %s", backend);
        failed += cmocka_run_group_tests_name(group, tests, NULL, NULL);
    }
    return failed ? 1 : 0;
}

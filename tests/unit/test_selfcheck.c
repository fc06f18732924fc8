/*
 * Unit tests of the SME self-check without a database: answers and their points, the IPA
 * bands, the common reference and its fallback, the sheet's order and questions, scoring
 * (total and per category, IPA's arithmetic), answers to and from text, the profile's lists,
 * the radar chart's SVG (escaped, with and without peers), and every allocation failing in
 * turn.
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
#include "smesec/commonref.h"
#include "smesec/selfcheck.h"

#include <stdlib.h>
#include <string.h>

static struct sm_catalog *builtin(void)
{
    struct sm_catalog *c = NULL;
    struct sm_diag d;
    assert_int_equal(sm_catalog_default(&c, &d), SM_OK);
    return c;
}

/* A small catalog: two categories (one with markup in its names), four items. */
static const char small_yaml[] =
    "version: \"t.1\"\n"
    "title: \"t\"\n"
    "title_en: \"t\"\n"
    "categories:\n"
    "  - id: a\n"
    "    name_ja: \"<b>組織</b> & 人\"\n"
    "    name_en: \"Org <b> & people\"\n"
    "  - id: b\n"
    "    name_ja: \"技術\"\n"
    "    name_en: \"Tech\"\n"
    "items:\n"
    "  - {id: A-1, category: a, stage: 2, title_ja: a1, title_en: a1, description_ja: d,"
    " description_en: d, howto_ja: h, howto_en: h, examples: [e1, e2, e3], rules: {terms: [x]}}\n"
    "  - {id: A-2, category: a, stage: 1, title_ja: a2, title_en: a2, description_ja: d,"
    " description_en: d, howto_ja: h, howto_en: h, examples: [e1, e2, e3], rules: {terms: [x]}}\n"
    "  - {id: B-1, category: b, stage: 3, title_ja: b1, title_en: b1, description_ja: d,"
    " description_en: d, howto_ja: h, howto_en: h, examples: [e1, e2, e3], rules: {terms: [x]}}\n"
    "  - {id: B-2, category: b, stage: 1, title_ja: b2, title_en: b2, description_ja: d,"
    " description_en: d, howto_ja: h, howto_en: h, examples: [e1, e2, e3], rules: {terms: [x]}}\n";

static struct sm_catalog *small(void)
{
    struct sm_catalog *c = NULL;
    struct sm_diag d;
    int rc = sm_catalog_parse(small_yaml, sizeof small_yaml - 1, "small", &c, &d);
    if (rc)
        fail_msg("small catalog: %s", d.msg);
    return c;
}

static void answers_and_bands(void **state)
{
    (void)state;

    static const struct {
        const char *name;
        enum sm_answer a;
        int points;
    } cases[] = {
        { "done", SM_ANSWER_DONE, 4 },
        { "partly", SM_ANSWER_PARTLY, 2 },
        { "not_done", SM_ANSWER_NOT_DONE, 0 },
        { "unknown", SM_ANSWER_UNKNOWN, -1 },
        { "na", SM_ANSWER_NA, 4 },
    };

    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        enum sm_answer a = SM_ANSWER_NONE;
        assert_int_equal(sm_answer_parse(cases[i].name, &a), SM_OK);
        assert_int_equal(a, cases[i].a);
        assert_string_equal(sm_answer_name(a), cases[i].name);
        assert_int_equal(sm_answer_points(a), cases[i].points);
    }
    enum sm_answer a;
    assert_int_equal(sm_answer_parse("", &a), SM_EINVAL);
    assert_int_equal(sm_answer_parse("DONE", &a), SM_EINVAL);
    assert_int_equal(sm_answer_points(SM_ANSWER_NONE), 0);

    assert_int_equal(sm_selfcheck_band_of(100), SM_BAND_FULL);
    assert_int_equal(sm_selfcheck_band_of(99), SM_BAND_GOOD);
    assert_int_equal(sm_selfcheck_band_of(70), SM_BAND_GOOD);
    assert_int_equal(sm_selfcheck_band_of(69), SM_BAND_FAIR);
    assert_int_equal(sm_selfcheck_band_of(50), SM_BAND_FAIR);
    assert_int_equal(sm_selfcheck_band_of(49), SM_BAND_LOW);
    assert_int_equal(sm_selfcheck_band_of(-25), SM_BAND_LOW);
    assert_string_equal(sm_selfcheck_band_name(SM_BAND_FULL), "full");
    assert_string_equal(sm_selfcheck_band_name(SM_BAND_LOW), "low");
}

static void every_builtin_item_has_a_plain_question(void **state)
{
    (void)state;
    struct sm_catalog *c = builtin();
    for (size_t i = 0; i < sm_catalog_n_items(c); i++) {
        const struct sm_check_item *it = sm_catalog_item(c, i);
        const char *ja = NULL, *en = NULL;
        enum sm_selfcheck_help help = SM_HELP_NONE;
        if (sm_selfcheck_question_text(it->id, &ja, &en, &help) != SM_OK)
            fail_msg("item %s has no self-check question", it->id);
        assert_true(strlen(ja) > 10);
        assert_true(strlen(en) > 10);
        /* A question, in either language. */
        assert_non_null(strstr(ja, "か。"));
        assert_int_equal(en[strlen(en) - 1], '?');
    }
    enum sm_selfcheck_help help = SM_HELP_NONE;
    assert_int_equal(sm_selfcheck_question_text("TEC-10", NULL, NULL, &help), SM_OK);
    assert_int_equal(help, SM_HELP_MONITORING);
    assert_int_equal(sm_selfcheck_question_text("INC-01", NULL, NULL, &help), SM_OK);
    assert_int_equal(help, SM_HELP_INCIDENT);
    assert_int_equal(sm_selfcheck_question_text("NOPE-1", NULL, NULL, NULL), SM_ENOTFOUND);
    sm_catalog_free(c);
}

static void fallback_sheet_is_stages_one_and_two_in_order(void **state)
{
    (void)state;
    struct sm_catalog *c = builtin();
    struct sm_common_ref *ref = NULL;
    assert_int_equal(sm_common_ref_build(c, NULL, NULL, NULL, &ref), SM_OK);
    assert_true(ref->fallback);
    assert_int_equal(ref->n_guidelines, 0);
    struct sm_selfcheck_sheet *sheet = NULL;
    assert_int_equal(sm_selfcheck_sheet_new(ref, &sheet), SM_OK);
    assert_int_equal(sheet->n, ref->n_common);
    assert_int_equal(sheet->n, 33);
    /* By category in catalog order, then stage; each question its item's. */
    size_t cat = 0;
    int stage = 0;
    for (size_t i = 0; i < sheet->n; i++) {
        const struct sm_check_item *it = sheet->q[i].check;
        assert_true(it->stage <= 2);
        assert_int_equal(ref->reference[sheet->q[i].item], 1);
        while (strcmp(sm_catalog_category(c, cat)->id, it->category) != 0) {
            cat++;
            stage = 0;
            assert_true(cat < sm_catalog_n_categories(c));
        }
        assert_true(it->stage >= stage);
        stage = it->stage;
        assert_ptr_equal(sm_catalog_item(c, sheet->q[i].item), it);
    }
    sm_selfcheck_sheet_free(sheet);
    sm_common_ref_free(ref);
    sm_catalog_free(c);
}

/* A judged matrix of the small catalog: three guidelines, where A-1 and B-1 are written by
 * all (B-1 concretely), A-2 by one, B-2 by none. */
static void common_ref_from_a_judgement(void **state)
{
    (void)state;
    struct sm_catalog *c = small();
    struct sm_matrix_guideline g[3] = {
        { .id = 1, .industry = "x", .publisher = "p", .title = "t1", .version = "" },
        { .id = 2, .industry = "y", .publisher = "p", .title = "t2", .version = "" },
        { .id = 3, .industry = "z", .publisher = "p", .title = "t3", .version = "" },
    };
    int scores[4][3] = { { 1, 1, 2 }, { 1, 0, 0 }, { 2, 2, 2 }, { 0, 0, 0 } };
    struct sm_cell cells[12];
    memset(cells, 0, sizeof cells);
    for (int i = 0; i < 4; i++)
        for (int k = 0; k < 3; k++) {
            cells[i * 3 + k].score = scores[i][k];
            cells[i * 3 + k].auto_score = scores[i][k];
        }
    struct sm_matrix m = {
        .catalog = c, .n_items = 4, .n_guidelines = 3, .guidelines = g, .cells = cells
    };
    struct sm_criterion crit;
    sm_criterion_default(&crit);
    struct sm_judgement *j = NULL;
    assert_int_equal(sm_judge(&m, &crit, &j), SM_OK);
    struct sm_common_ref *ref = NULL;
    assert_int_equal(sm_common_ref_build(c, &crit, &m, j, &ref), SM_OK);
    assert_false(ref->fallback);
    assert_int_equal(ref->n_guidelines, 3);
    assert_int_equal(ref->n_common, 2);
    assert_true(ref->common[0] && !ref->common[1] && ref->common[2] && !ref->common[3]);
    assert_int_equal(ref->reference[0], 1);
    assert_int_equal(ref->reference[2], 2);
    struct sm_selfcheck_sheet *sheet = NULL;
    assert_int_equal(sm_selfcheck_sheet_new(ref, &sheet), SM_OK);
    assert_int_equal(sheet->n, 2);
    /* Without a built-in question an item is asked by its title. */
    assert_string_equal(sheet->q[0].question_ja, "a1");
    assert_string_equal(sheet->q[1].question_en, "b1");
    sm_selfcheck_sheet_free(sheet);
    sm_common_ref_free(ref);

    /* A criterion nothing meets falls back too. */
    struct sm_criterion none;
    struct sm_diag d;
    assert_int_equal(sm_criterion_parse("count:4", &none, &d), SM_OK);
    sm_judgement_free(j);
    assert_int_equal(sm_judge(&m, &none, &j), SM_OK);
    assert_int_equal(sm_common_ref_build(c, &none, &m, j, &ref), SM_OK);
    assert_true(ref->fallback);
    assert_int_equal(ref->n_common, 3); /* B-2: stages 1 and 2 */
    sm_common_ref_free(ref);
    sm_judgement_free(j);
    sm_catalog_free(c);
}

static struct sm_selfcheck_sheet *small_sheet(struct sm_catalog *c, struct sm_common_ref **ref)
{
    assert_int_equal(sm_common_ref_build(c, NULL, NULL, NULL, ref), SM_OK);
    (*ref)->common[2] = true; /* ask all four */
    (*ref)->n_common = 4;
    struct sm_selfcheck_sheet *sheet = NULL;
    assert_int_equal(sm_selfcheck_sheet_new(*ref, &sheet), SM_OK);
    assert_int_equal(sheet->n, 4);
    /* a: stage 1 before stage 2; then b: B-2 (1), B-1 (3). */
    assert_string_equal(sheet->q[0].check->id, "A-2");
    assert_string_equal(sheet->q[1].check->id, "A-1");
    assert_string_equal(sheet->q[2].check->id, "B-2");
    assert_string_equal(sheet->q[3].check->id, "B-1");
    return sheet;
}

static void scoring_the_ipa_way(void **state)
{
    (void)state;
    struct sm_catalog *c = small();
    struct sm_common_ref *ref = NULL;
    struct sm_selfcheck_sheet *sheet = small_sheet(c, &ref);
    struct sm_selfcheck_result *r = NULL;
    struct sm_diag d;

    enum sm_answer all_done[4] = { SM_ANSWER_DONE, SM_ANSWER_DONE, SM_ANSWER_NA, SM_ANSWER_DONE };

    assert_int_equal(sm_selfcheck_score(sheet, all_done, &r, &d), SM_OK);
    assert_int_equal(r->score, 100);
    assert_int_equal(r->points, 16);
    assert_int_equal(r->max_points, 16);
    assert_int_equal(r->band, SM_BAND_FULL);
    assert_int_equal(r->counts[SM_ANSWER_DONE], 3);
    assert_int_equal(r->counts[SM_ANSWER_NA], 1);
    sm_selfcheck_result_free(r);

    /* 4 + 2 + 0 - 1 = 5 of 16: 31 (truncated), low; a: (2+4)/8 = 75, b: (0-1)/8 = -12. */
    enum sm_answer mixed[4] = { SM_ANSWER_PARTLY, SM_ANSWER_DONE, SM_ANSWER_NOT_DONE,
                                SM_ANSWER_UNKNOWN };

    assert_int_equal(sm_selfcheck_score(sheet, mixed, &r, &d), SM_OK);
    assert_int_equal(r->points, 5);
    assert_int_equal(r->score, 31);
    assert_int_equal(r->band, SM_BAND_LOW);
    assert_int_equal(r->n_categories, 2);
    assert_string_equal(r->categories[0].category->id, "a");
    assert_int_equal(r->categories[0].n_questions, 2);
    assert_int_equal(r->categories[0].score, 75);
    assert_int_equal(r->categories[1].score, -12);
    sm_selfcheck_result_free(r);

    /* Every answer "don't know": the floor, -25. */
    enum sm_answer unknown[4] = { SM_ANSWER_UNKNOWN, SM_ANSWER_UNKNOWN, SM_ANSWER_UNKNOWN,
                                  SM_ANSWER_UNKNOWN };

    assert_int_equal(sm_selfcheck_score(sheet, unknown, &r, &d), SM_OK);
    assert_int_equal(r->score, -25);
    sm_selfcheck_result_free(r);

    /* 99.x is not 100: 15 of 16 points would be 93; three done and one partly. */
    enum sm_answer almost[4] = { SM_ANSWER_DONE, SM_ANSWER_DONE, SM_ANSWER_DONE, SM_ANSWER_PARTLY };

    assert_int_equal(sm_selfcheck_score(sheet, almost, &r, &d), SM_OK);
    assert_int_equal(r->score, 87);
    assert_int_equal(r->band, SM_BAND_GOOD);
    sm_selfcheck_result_free(r);

    enum sm_answer missing[4] = { SM_ANSWER_DONE, SM_ANSWER_NONE, SM_ANSWER_DONE, SM_ANSWER_NONE };

    r = NULL;
    assert_int_equal(sm_selfcheck_score(sheet, missing, &r, &d), SM_EINVAL);
    assert_null(r);
    assert_non_null(strstr(d.msg, "2 of 4"));
    sm_selfcheck_sheet_free(sheet);
    sm_common_ref_free(ref);
    sm_catalog_free(c);
}

static void answers_as_text(void **state)
{
    (void)state;
    struct sm_catalog *c = small();
    struct sm_common_ref *ref = NULL;
    struct sm_selfcheck_sheet *sheet = small_sheet(c, &ref);
    struct sm_diag d;

    enum sm_answer a[4] = { SM_ANSWER_PARTLY, SM_ANSWER_NONE, SM_ANSWER_NA, SM_ANSWER_UNKNOWN };
    struct sm_buf b;
    sm_buf_init(&b, 4096);
    assert_int_equal(sm_selfcheck_answers_format(sheet, a, &b), SM_OK);
    assert_string_equal(b.data, "A-2=partly;B-2=na;B-1=unknown");
    enum sm_answer back[4];
    assert_int_equal(sm_selfcheck_answers_parse(sheet, b.data, back, &d), SM_OK);
    assert_memory_equal(back, a, sizeof a);
    sm_buf_release(&b);

    /* Items not on the sheet are ignored; malformed text is refused and leaves nothing. */
    assert_int_equal(sm_selfcheck_answers_parse(sheet, "X-9=done;A-1=done", back, &d), SM_OK);
    assert_int_equal(back[1], SM_ANSWER_DONE);
    assert_int_equal(back[0], SM_ANSWER_NONE);
    const char *bad[] = { "A-1", "A-1=", "=done", "A-1=yes", "A-1=done;;", "A-1=done<script>" };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        back[0] = SM_ANSWER_DONE;
        if (sm_selfcheck_answers_parse(sheet, bad[i], back, &d) != SM_EPARSE)
            fail_msg("'%s' was accepted", bad[i]);
        assert_int_equal(back[0], SM_ANSWER_NONE);
    }
    char *long_text = malloc(70000);
    assert_non_null(long_text);
    memset(long_text, 'a', 69999);
    long_text[69999] = '\0';
    assert_int_equal(sm_selfcheck_answers_parse(sheet, long_text, back, &d), SM_EPARSE);
    free(long_text);

    /* A sheet of just the items an earlier answer named, in sheet order. */
    struct sm_selfcheck_sheet *own = NULL;
    enum sm_answer *answers = NULL;
    assert_int_equal(
        sm_selfcheck_sheet_for_answers(c, "B-1=done;ZZ-1=done;A-1=partly", &own, &answers, &d),
        SM_OK);
    assert_int_equal(own->n, 2);
    assert_string_equal(own->q[0].check->id, "A-1");
    assert_int_equal(answers[0], SM_ANSWER_PARTLY);
    assert_int_equal(answers[1], SM_ANSWER_DONE);
    sm_selfcheck_sheet_free(own);
    sm_free(answers);
    assert_int_equal(sm_selfcheck_sheet_for_answers(c, "ZZ-1=done", &own, &answers, &d), SM_EINVAL);
    assert_int_equal(sm_selfcheck_sheet_for_answers(c, "A-1=maybe", &own, &answers, &d), SM_EPARSE);
    sm_selfcheck_sheet_free(sheet);
    sm_common_ref_free(ref);
    sm_catalog_free(c);
}

static void profile_lists(void **state)
{
    (void)state;
    assert_int_equal(sm_selfcheck_n_industries(), 20);
    assert_string_equal(sm_selfcheck_industry(0)->code, "A");
    assert_string_equal(sm_selfcheck_industry(19)->code, "T");
    assert_null(sm_selfcheck_industry(20));
    assert_int_equal(sm_selfcheck_n_sizes(), 6);
    assert_non_null(sm_selfcheck_find_size("301-"));
    assert_null(sm_selfcheck_find_industry("U"));

    struct sm_selfcheck_profile p;
    struct sm_diag d;
    assert_int_equal(sm_selfcheck_profile_set(&p, "13", "E", "6-20", &d), SM_OK);
    assert_string_equal(p.prefecture, "13");
    assert_string_equal(p.industry, "E");
    assert_string_equal(p.size, "6-20");
    assert_int_equal(sm_selfcheck_profile_set(&p, NULL, "", NULL, &d), SM_OK);
    assert_string_equal(p.prefecture, "");
    const char *bad_pref[] = { "00", "48", "1", "013", "ab", "4x" };
    for (size_t i = 0; i < sizeof bad_pref / sizeof bad_pref[0]; i++)
        assert_int_equal(sm_selfcheck_profile_set(&p, bad_pref[i], NULL, NULL, &d), SM_EINVAL);
    assert_int_equal(sm_selfcheck_profile_set(&p, "47", NULL, NULL, &d), SM_OK);
    assert_int_equal(sm_selfcheck_profile_set(&p, NULL, "e", NULL, &d), SM_EINVAL);
    assert_int_equal(sm_selfcheck_profile_set(&p, NULL, NULL, "1-4", &d), SM_EINVAL);
}

static void radar_is_escaped_svg(void **state)
{
    (void)state;
    struct sm_catalog *c = small();
    struct sm_common_ref *ref = NULL;
    struct sm_selfcheck_sheet *sheet = small_sheet(c, &ref);

    enum sm_answer a[4] = { SM_ANSWER_PARTLY, SM_ANSWER_DONE, SM_ANSWER_NOT_DONE,
                            SM_ANSWER_UNKNOWN };
    struct sm_selfcheck_result *r = NULL;
    struct sm_diag d;
    assert_int_equal(sm_selfcheck_score(sheet, a, &r, &d), SM_OK);
    struct sm_buf b;
    sm_buf_init(&b, 1u << 20);
    assert_int_equal(sm_selfcheck_radar_svg(r, NULL, SM_LANG_JA, &b), SM_OK);
    assert_int_equal(strncmp(b.data, "<svg class=\"radar\"", 18), 0);
    assert_non_null(strstr(b.data, "</svg>"));
    assert_non_null(strstr(b.data, "role=\"img\""));
    assert_non_null(strstr(b.data, "<title id=\"radar-title\">"));
    /* Names from the catalog are escaped, never markup. */
    assert_null(strstr(b.data, "<b>"));
    assert_non_null(strstr(b.data, "&lt;b&gt;"));
    assert_non_null(strstr(b.data, "&amp;"));
    assert_null(strstr(b.data, "radar-peers"));
    /* Four rings and the score: one polygon each. */
    size_t polygons = 0;
    for (const char *p = strstr(b.data, "<polygon"); p; p = strstr(p + 1, "<polygon"))
        polygons++;
    assert_int_equal(polygons, 5);
    sm_buf_reset(&b);

    struct sm_selfcheck_peer_category pc[2];
    memset(pc, 0, sizeof pc);
    memcpy(pc[0].category, "a", 2);
    pc[0].n = 5;
    pc[0].mean = 60;
    memcpy(pc[1].category, "b", 2);
    pc[1].n = 5;
    pc[1].mean = 10;
    struct sm_selfcheck_peers peers = {
        .n = 5, .enough = true, .mean = 40, .n_categories = 2, .categories = pc
    };
    assert_int_equal(sm_selfcheck_radar_svg(r, &peers, SM_LANG_EN, &b), SM_OK);
    assert_non_null(strstr(b.data, "radar-peers"));
    assert_non_null(strstr(b.data, "Org &lt;b&gt; &amp; people"));
    /* Too few peers are not drawn. */
    peers.enough = false;
    sm_buf_reset(&b);
    assert_int_equal(sm_selfcheck_radar_svg(r, &peers, SM_LANG_EN, &b), SM_OK);
    assert_null(strstr(b.data, "radar-peers"));
    sm_buf_release(&b);
    sm_selfcheck_result_free(r);
    sm_selfcheck_sheet_free(sheet);
    sm_common_ref_free(ref);
    sm_catalog_free(c);
}

/* Runs the whole pure path with allocation n failing: it must fail cleanly or succeed. */
static int pure_path(struct sm_catalog *c)
{
    struct sm_common_ref *ref = NULL;
    struct sm_selfcheck_sheet *sheet = NULL, *own = NULL;
    struct sm_selfcheck_result *r = NULL;
    enum sm_answer *answers = NULL;
    struct sm_diag d;
    struct sm_buf b;
    sm_buf_init(&b, 1u << 20);
    int rc = sm_common_ref_build(c, NULL, NULL, NULL, &ref);
    if (!rc)
        rc = sm_selfcheck_sheet_new(ref, &sheet);
    if (!rc)
        rc = sm_selfcheck_sheet_for_answers(c, "A-1=done;A-2=partly;B-2=unknown", &own, &answers,
                                            &d);
    if (!rc)
        rc = sm_selfcheck_score(own, answers, &r, &d);
    if (!rc)
        rc = sm_selfcheck_radar_svg(r, NULL, SM_LANG_JA, &b);
    if (!rc)
        rc = sm_selfcheck_answers_format(own, answers, &b);
    sm_buf_release(&b);
    sm_selfcheck_result_free(r);
    sm_free(answers);
    sm_selfcheck_sheet_free(own);
    sm_selfcheck_sheet_free(sheet);
    sm_common_ref_free(ref);
    return rc;
}

static void allocation_failures(void **state)
{
    (void)state;
    struct sm_catalog *c = small();
    assert_int_equal(pure_path(c), SM_OK);
    for (long k = 0; k < 200; k++) {
        sm_alloc_fail_after(k);
        int rc = pure_path(c);
        sm_alloc_fail_after(-1);
        if (rc == SM_OK)
            break;
        assert_true(rc == SM_ENOMEM || rc == SM_ELIMIT);
    }
    sm_catalog_free(c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(answers_and_bands),
        cmocka_unit_test(every_builtin_item_has_a_plain_question),
        cmocka_unit_test(fallback_sheet_is_stages_one_and_two_in_order),
        cmocka_unit_test(common_ref_from_a_judgement),
        cmocka_unit_test(scoring_the_ipa_way),
        cmocka_unit_test(answers_as_text),
        cmocka_unit_test(profile_lists),
        cmocka_unit_test(radar_is_escaped_svg),
        cmocka_unit_test(allocation_failures),
    };
    return cmocka_run_group_tests_name("selfcheck", tests, NULL, NULL);
}

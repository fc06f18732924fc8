/*
 * Unit tests: the common-item criterion (parse, format, describe) and the judgement over
 * hand-built matrices (share, count, mean, min_score 2, unanalysed cells, reference scores,
 * below-reference marking, review counts), with every allocation failing in turn.
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
#include "smesec/buf.h"
#include "smesec/commons.h"

#include <string.h>

static struct sm_criterion parsed(const char *spec)
{
    struct sm_criterion c;
    struct sm_diag d;
    memset(&c, 0, sizeof c);
    assert_int_equal(sm_criterion_parse(spec, &c, &d), SM_OK);
    return c;
}

static void default_criterion(void **state)
{
    (void)state;
    struct sm_criterion c;
    sm_criterion_default(&c);
    assert_int_equal(c.kind, SM_CRIT_SHARE);
    assert_true(c.share == 0.5);
    assert_int_equal(c.min_score, 1);
    struct sm_buf b;
    sm_buf_init(&b, 256);
    assert_int_equal(sm_criterion_format(&c, &b), SM_OK);
    assert_string_equal(b.data, "share:0.5:min=1");
    sm_buf_release(&b);
}

static void parse_and_format_round_trip(void **state)
{
    (void)state;

    static const struct {
        const char *spec, *formatted;
    } cases[] = {
        { "share:0.5", "share:0.5:min=1" },
        { "share:0.5:min=2", "share:0.5:min=2" },
        { "share:1", "share:1:min=1" },
        { "share:0.333333", "share:0.333333:min=1" },
        { "share:0.60", "share:0.6:min=1" },
        { "count:3", "count:3:min=1" },
        { "count:3:min=2", "count:3:min=2" },
        { "mean:1.2", "mean:1.2" },
        { "mean:2", "mean:2" },
        { "mean:0.000001", "mean:0.000001" },
    };

    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct sm_criterion c = parsed(cases[i].spec), again;
        struct sm_buf b;
        sm_buf_init(&b, 256);
        assert_int_equal(sm_criterion_format(&c, &b), SM_OK);
        assert_string_equal(b.data, cases[i].formatted);
        again = parsed(b.data);
        assert_int_equal(again.kind, c.kind);
        assert_true(again.share == c.share);
        assert_int_equal(again.count, c.count);
        assert_true(again.mean == c.mean);
        assert_int_equal(again.min_score, c.min_score);
        sm_buf_release(&b);
    }
    struct sm_criterion c = parsed("count:3:min=2");
    assert_int_equal(c.kind, SM_CRIT_COUNT);
    assert_int_equal(c.count, 3);
    assert_int_equal(c.min_score, 2);
    c = parsed("mean:1.2");
    assert_int_equal(c.kind, SM_CRIT_MEAN);
    assert_true(c.mean == 1.2);
}

static void parse_errors(void **state)
{
    (void)state;

    static const struct {
        const char *spec, *says;
    } bad[] = {
        { "", "empty criterion" },
        { "shar:0.5", "unknown criterion 'shar:0.5'" },
        { "share:", "the share must be" },
        { "share:0", "the share must be" },
        { "share:1.5", "the share must be" },
        { "share:0.1234567", "the share must be" },
        { "share:.5", "the share must be" },
        { "share:5.", "the share must be" },
        { "share:abc", "the share must be" },
        { "share:-0.5", "the share must be" },
        { "count:0", "the count must be" },
        { "count:-1", "the count must be" },
        { "count:3.5", "unexpected '.5'" },
        { "count:99999999999", "the count must be" },
        { "mean:0", "the mean must be" },
        { "mean:2.5", "the mean must be" },
        { "mean:1:min=1", "'min=' applies to share and count" },
        { "share:0.5:min=3", "min must be 1 or 2" },
        { "share:0.5:min=0", "min must be 1 or 2" },
        { "share:0.5:max=1", "unexpected ':max=1'" },
        { "share:0.5 ", "unexpected ' '" },
        { "share:0.5:min=1:min=2", "unexpected ':min=2'" },
    };

    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        struct sm_criterion c;
        sm_criterion_default(&c);
        c.count = 77; /* a marker: failure leaves the output as it was */
        struct sm_diag d;
        sm_diag_clear(&d);
        assert_int_equal(sm_criterion_parse(bad[i].spec, &c, &d), SM_EINVAL);
        if (!strstr(d.msg, bad[i].says))
            fail_msg("'%s': message '%s' lacks '%s'", bad[i].spec, d.msg, bad[i].says);
        assert_int_equal(c.count, 77);
        assert_int_equal(c.kind, SM_CRIT_SHARE);
    }
    struct sm_criterion c;
    assert_int_equal(sm_criterion_parse(NULL, &c, NULL), SM_EINVAL);
}

static void describe_is(const char *spec, size_t n, enum sm_lang lang, const char *want)
{
    struct sm_criterion c = parsed(spec);
    struct sm_buf b;
    sm_buf_init(&b, 1024);
    assert_int_equal(sm_criterion_describe(&c, n, lang, &b), SM_OK);
    assert_string_equal(b.data, want);
    sm_buf_release(&b);
}

static void describe_in_both_languages(void **state)
{
    (void)state;
    describe_is("share:0.5", 12, SM_LANG_JA,
                "共通項の基準: 分析した12件のうち半数以上（6件以上）で得点1以上");
    describe_is("share:0.5", 12, SM_LANG_EN,
                "Common-item criterion: scored 1 or more in at least half (6 or more) of the 12 "
                "guidelines analysed");
    describe_is("share:0.5", 0, SM_LANG_JA,
                "共通項の基準: 分析したガイドラインの半数以上で得点1以上");
    describe_is("share:0.5", 0, SM_LANG_EN,
                "Common-item criterion: scored 1 or more in at least half of the guidelines "
                "analysed");
    /* ceil(0.5 * 5) = 3; ceil(0.6 * 7) = 5; ceil(0.1 * 30) = 3 exactly. */
    describe_is("share:0.5:min=2", 5, SM_LANG_JA,
                "共通項の基準: 分析した5件のうち半数以上（3件以上）で得点2以上");
    describe_is("share:0.6", 7, SM_LANG_JA,
                "共通項の基準: 分析した7件のうち60%以上（5件以上）で得点1以上");
    describe_is("share:0.6", 7, SM_LANG_EN,
                "Common-item criterion: scored 1 or more in at least 60% (5 or more) of the 7 "
                "guidelines analysed");
    describe_is("share:0.1", 30, SM_LANG_EN,
                "Common-item criterion: scored 1 or more in at least 10% (3 or more) of the 30 "
                "guidelines analysed");
    describe_is("share:0.5", 1, SM_LANG_EN,
                "Common-item criterion: scored 1 or more in at least half (1 or more) of the 1 "
                "guideline analysed");
    describe_is("share:1", 4, SM_LANG_JA, "共通項の基準: 分析した4件のすべてで得点1以上");
    describe_is("share:1", 4, SM_LANG_EN,
                "Common-item criterion: scored 1 or more in all 4 guidelines analysed");
    describe_is("share:1", 0, SM_LANG_EN,
                "Common-item criterion: scored 1 or more in every guideline analysed");
    describe_is("count:3", 12, SM_LANG_JA, "共通項の基準: 分析した12件のうち3件以上で得点1以上");
    describe_is("count:3:min=2", 12, SM_LANG_EN,
                "Common-item criterion: scored 2 or more in 3 or more of the 12 guidelines "
                "analysed");
    describe_is("count:3", 0, SM_LANG_JA, "共通項の基準: 3件以上のガイドラインで得点1以上");
    describe_is("count:3", 0, SM_LANG_EN,
                "Common-item criterion: scored 1 or more in 3 or more guidelines");
    describe_is("mean:1.2", 12, SM_LANG_JA, "共通項の基準: 分析した12件の平均得点が1.2以上");
    describe_is("mean:1.2", 12, SM_LANG_EN,
                "Common-item criterion: a mean score of 1.2 or more over the 12 guidelines "
                "analysed");
    describe_is("mean:1.2", 0, SM_LANG_JA, "共通項の基準: 分析したガイドラインの平均得点が1.2以上");

    /* A criterion no parse could give is refused, and the buffer is left as it was. */
    struct sm_criterion c = { .kind = SM_CRIT_SHARE, .share = 1.5, .min_score = 1 };
    struct sm_buf b;
    sm_buf_init(&b, 1024);
    assert_int_equal(sm_criterion_describe(&c, 3, SM_LANG_JA, &b), SM_EINVAL);
    assert_int_equal(sm_criterion_format(&c, &b), SM_EINVAL);
    c = (struct sm_criterion){ .kind = SM_CRIT_COUNT, .count = 2, .min_score = 3 };
    assert_int_equal(sm_criterion_format(&c, &b), SM_EINVAL);
    assert_int_equal(b.len, 0);
    /* Out of memory and over the maximum leave the buffer unchanged too. */
    sm_criterion_default(&c);
    sm_alloc_fail_after(0);
    assert_int_equal(sm_criterion_describe(&c, 3, SM_LANG_EN, &b), SM_ENOMEM);
    sm_alloc_fail_after(-1);
    assert_int_equal(b.len, 0);
    sm_buf_release(&b);
    sm_buf_init(&b, 10);
    assert_int_equal(sm_criterion_describe(&c, 3, SM_LANG_JA, &b), SM_ELIMIT);
    assert_int_equal(b.len, 0);
    sm_buf_release(&b);
}

/* A hand-built matrix: scores[i][g], -1 for not analysed. */
#define N_ITEMS      6
#define N_GUIDELINES 4

static const int scores[N_ITEMS][N_GUIDELINES] = {
    { 2, 2, 1, 0 },    /* common (3 of 4 write it), and concretely (2 of 4 score 2) */
    { 1, 1, 0, 0 },    /* common at score 1 only */
    { 1, 0, 0, 0 },    /* not common */
    { -1, -1, 1, 0 },  /* analysed by 2: 1 of 2 is half */
    { 2, 2, 2, 2 },    /* everyone, concretely */
    { -1, -1, -1, -1 } /* analysed by none */
};

static struct sm_cell cells[N_ITEMS * N_GUIDELINES];
static struct sm_matrix_guideline guidelines[N_GUIDELINES];

static struct sm_matrix matrix(void)
{
    for (size_t i = 0; i < N_ITEMS; i++)
        for (size_t g = 0; g < N_GUIDELINES; g++)
            cells[i * N_GUIDELINES + g] =
                (struct sm_cell){ .score = scores[i][g], .auto_score = scores[i][g] };
    for (size_t g = 0; g < N_GUIDELINES; g++)
        guidelines[g] = (struct sm_matrix_guideline){ .id = (int64_t)g + 1, .industry = "x" };
    return (struct sm_matrix){ .catalog = NULL,
                               .n_items = N_ITEMS,
                               .n_guidelines = N_GUIDELINES,
                               .guidelines = guidelines,
                               .cells = cells };
}

static struct sm_judgement *judged(const struct sm_matrix *m, const char *spec)
{
    struct sm_criterion c = parsed(spec);
    struct sm_judgement *j = NULL;
    assert_int_equal(sm_judge(m, &c, &j), SM_OK);
    assert_non_null(j);
    assert_int_equal(j->n_items, m->n_items);
    assert_int_equal(j->criterion.kind, c.kind);
    return j;
}

static void expect(const struct sm_judgement *j, const bool *common, const int *reference)
{
    size_t n_common = 0;
    for (size_t i = 0; i < j->n_items; i++) {
        if (j->common[i] != common[i] || j->reference[i] != reference[i])
            fail_msg("item %zu: common %d reference %d, want %d %d", i, j->common[i],
                     j->reference[i], common[i], reference[i]);
        n_common += common[i];
    }
    assert_int_equal(j->n_common, n_common);
}

static void judge_by_share(void **state)
{
    (void)state;
    struct sm_matrix m = matrix();
    struct sm_judgement *j = judged(&m, "share:0.5");
    expect(j, (const bool[]){ true, true, false, true, true, false },
           (const int[]){ 2, 1, 0, 1, 2, 0 });
    /* Means and written counts leave unanalysed cells out. */
    assert_true(j->mean[0] == 1.25);
    assert_true(j->mean[3] == 0.5);
    assert_true(j->mean[5] == 0.0);
    assert_int_equal(j->written[0], 3);
    assert_int_equal(j->written[3], 1);
    assert_int_equal(j->written[5], 0);
    /* Below the reference: a mention where the concrete form is common; nothing for items
     * that are not common or cells not analysed. */
    assert_false(sm_judgement_below(j, &m, 0, 0));
    assert_true(sm_judgement_below(j, &m, 0, 2));
    assert_true(sm_judgement_below(j, &m, 0, 3));
    assert_false(sm_judgement_below(j, &m, 1, 1));
    assert_true(sm_judgement_below(j, &m, 1, 2));
    assert_false(sm_judgement_below(j, &m, 2, 1));
    assert_false(sm_judgement_below(j, &m, 3, 0));
    assert_false(sm_judgement_below(j, &m, 3, 2));
    assert_true(sm_judgement_below(j, &m, 3, 3));
    assert_false(sm_judgement_below(j, &m, 4, 3));
    /* Out of range is never below. */
    assert_false(sm_judgement_below(j, &m, N_ITEMS, 0));
    assert_false(sm_judgement_below(j, &m, 0, N_GUIDELINES));
    sm_judgement_free(j);

    j = judged(&m, "share:0.5:min=2");
    expect(j, (const bool[]){ true, false, false, false, true, false },
           (const int[]){ 2, 0, 0, 0, 2, 0 });
    assert_true(sm_judgement_below(j, &m, 0, 2));
    assert_false(sm_judgement_below(j, &m, 1, 2));
    sm_judgement_free(j);

    j = judged(&m, "share:1");
    expect(j, (const bool[]){ false, false, false, false, true, false },
           (const int[]){ 0, 0, 0, 0, 2, 0 });
    sm_judgement_free(j);
    sm_judgement_free(NULL);
}

static void judge_by_count_and_mean(void **state)
{
    (void)state;
    struct sm_matrix m = matrix();
    struct sm_judgement *j = judged(&m, "count:3");
    expect(j, (const bool[]){ true, false, false, false, true, false },
           (const int[]){ 1, 0, 0, 0, 2, 0 });
    sm_judgement_free(j);
    j = judged(&m, "count:2");
    expect(j, (const bool[]){ true, true, false, false, true, false },
           (const int[]){ 2, 1, 0, 0, 2, 0 });
    sm_judgement_free(j);
    j = judged(&m, "count:2:min=2");
    expect(j, (const bool[]){ true, false, false, false, true, false },
           (const int[]){ 2, 0, 0, 0, 2, 0 });
    sm_judgement_free(j);

    /* Means 1.25, 0.5, 0.25, 0.5, 2, none. */
    j = judged(&m, "mean:1");
    expect(j, (const bool[]){ true, false, false, false, true, false },
           (const int[]){ 1, 0, 0, 0, 2, 0 });
    assert_true(sm_judgement_below(j, &m, 0, 3));
    assert_false(sm_judgement_below(j, &m, 0, 2));
    sm_judgement_free(j);
    /* Exactly at the bar counts: 0.5 >= 0.5. */
    j = judged(&m, "mean:0.5");
    expect(j, (const bool[]){ true, true, false, true, true, false },
           (const int[]){ 1, 1, 0, 1, 2, 0 });
    sm_judgement_free(j);
}

static void shares_are_exact(void **state)
{
    (void)state;
    /* 0.1 * 30 is 3.0000000000000004 in doubles; the judgement must still ask for 3. */
    struct sm_cell row[30];
    for (size_t g = 0; g < 30; g++)
        row[g] = (struct sm_cell){ .score = g < 3 ? 1 : 0 };
    struct sm_matrix m = { .n_items = 1, .n_guidelines = 30, .cells = row };
    struct sm_judgement *j = judged(&m, "share:0.1");
    assert_true(j->common[0]);
    sm_judgement_free(j);
    /* Half of 5 is 3 (rounded up): 2 is not enough. */
    row[0].score = row[1].score = 1;
    row[2].score = row[3].score = row[4].score = 0;
    m.n_guidelines = 5;
    j = judged(&m, "share:0.5");
    assert_false(j->common[0]);
    sm_judgement_free(j);
    row[2].score = 2;
    j = judged(&m, "share:0.5");
    assert_true(j->common[0]);
    assert_int_equal(j->reference[0], 1);
    sm_judgement_free(j);
}

static void zero_guidelines_and_bad_input(void **state)
{
    (void)state;
    struct sm_matrix m = { .n_items = 3, .n_guidelines = 0, .cells = NULL };
    struct sm_judgement *j = judged(&m, "share:0.5");
    for (size_t i = 0; i < 3; i++) {
        assert_false(j->common[i]);
        assert_int_equal(j->reference[i], 0);
        assert_true(j->mean[i] == 0.0);
    }
    assert_int_equal(j->n_common, 0);
    assert_false(sm_judgement_below(j, &m, 0, 0));
    sm_judgement_free(j);
    j = judged(&m, "count:1");
    assert_int_equal(j->n_common, 0);
    sm_judgement_free(j);

    /* No items at all. */
    struct sm_matrix empty = { 0 };
    j = judged(&empty, "mean:1");
    assert_int_equal(j->n_items, 0);
    sm_judgement_free(j);

    struct sm_matrix full = matrix();
    struct sm_criterion bad = { .kind = SM_CRIT_SHARE, .share = 0, .min_score = 1 };
    j = NULL;
    assert_int_equal(sm_judge(&full, &bad, &j), SM_EINVAL);
    bad = (struct sm_criterion){ .kind = SM_CRIT_COUNT, .count = 1, .min_score = 3 };
    assert_int_equal(sm_judge(&full, &bad, &j), SM_EINVAL);
    assert_null(j);
    struct sm_matrix no_cells = { .n_items = 2, .n_guidelines = 2, .cells = NULL };
    struct sm_criterion c;
    sm_criterion_default(&c);
    assert_int_equal(sm_judge(&no_cells, &c, &j), SM_EINVAL);
    assert_null(j);
}

static void review_counts(void **state)
{
    (void)state;
    struct sm_matrix m = matrix();
    size_t reviewed = 99, total = 99;
    sm_matrix_review_counts(&m, &reviewed, &total);
    assert_int_equal(reviewed, 0);
    assert_int_equal(total, 18); /* 24 cells, 6 not analysed */
    cells[0].review = SM_REVIEW_ACCEPTED;
    cells[1].review = SM_REVIEW_REJECTED;
    cells[2].method = SM_METHOD_MANUAL;
    cells[3].method = SM_METHOD_MANUAL;
    cells[3].review = SM_REVIEW_ACCEPTED;                /* counted once */
    cells[3 * N_GUIDELINES].review = SM_REVIEW_ACCEPTED; /* not analysed: not counted */
    sm_matrix_review_counts(&m, &reviewed, &total);
    assert_int_equal(reviewed, 4);
    assert_int_equal(total, 18);
    sm_matrix_review_counts(&m, NULL, &total);
    struct sm_matrix none = { 0 };
    sm_matrix_review_counts(&none, &reviewed, &total);
    assert_int_equal(reviewed, 0);
    assert_int_equal(total, 0);
}

static void judge_survives_allocation_failures(void **state)
{
    (void)state;
    struct sm_matrix m = matrix();
    struct sm_criterion c;
    sm_criterion_default(&c);
    int rc = SM_ENOMEM;
    long k;
    for (k = 0; rc == SM_ENOMEM && k < 100; k++) {
        struct sm_judgement *j = NULL;
        sm_alloc_fail_after(k);
        rc = sm_judge(&m, &c, &j);
        sm_alloc_fail_after(-1);
        if (rc == SM_ENOMEM)
            assert_null(j);
        else
            assert_int_equal(rc, SM_OK);
        sm_judgement_free(j);
    }
    assert_int_equal(rc, SM_OK);
    assert_true(k > 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(default_criterion), cmocka_unit_test(parse_and_format_round_trip),
        cmocka_unit_test(parse_errors),      cmocka_unit_test(describe_in_both_languages),
        cmocka_unit_test(judge_by_share),    cmocka_unit_test(judge_by_count_and_mean),
        cmocka_unit_test(shares_are_exact),  cmocka_unit_test(zero_guidelines_and_bad_input),
        cmocka_unit_test(review_counts),     cmocka_unit_test(judge_survives_allocation_failures),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

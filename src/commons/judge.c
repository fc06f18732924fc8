/*
 * Judging which items are common (sm_judge), marking the cells an industry should review
 * (sm_judgement_below), and counting reviewed cells (sm_matrix_review_counts).
 *
 * The edge cases, decided once here and documented in docs/catalog.md:
 *  - A cell with score -1 (the guideline was not analysed against the item) is left out of
 *    everything: of the item's denominator M, its counts and its mean. So M may differ from
 *    item to item when analyses are partial.
 *  - share: the item is common when at least ceil(share * M) guidelines (and at least one)
 *    score >= min_score. Shares are taken to millionths and the arithmetic is integer, so
 *    share 0.5 of 12 is exactly 6.
 *  - count: at least count guidelines score >= min_score, whatever M is.
 *  - mean: M > 0 and the mean score over the M analysed guidelines is >= mean (compared
 *    exactly, in millionths).
 *  - No analysed guideline (zero guidelines, or every cell -1): no item is common; mean 0.
 *  - Reference score: for share and count, the highest s in {min_score, .., 2} for which the
 *    criterion holds counting guidelines with score >= s (so 2 when the concrete form is
 *    itself common, else min_score); for mean, the highest score s <= the item's mean
 *    (2 when the mean reaches 2, else 1). 0 for an item that is not common.
 *  - A cell is below when its item is common, the cell was analysed, and its score is under
 *    the reference: with reference 2, a guideline that only mentions the item (1) is marked.
 *  - Scores outside 0..2 from a hand-built matrix count as the nearest of 0 and 2.
 */
#include "smesec/commons.h"

#include "smesec/alloc.h"

#include <stdint.h>

#include "util/banned.h"

#define MICRO 1000000

static int64_t to_micro(double x)
{
    return x <= 0 ? 0 : (int64_t)(x * MICRO + 0.5);
}

/* ceil(share * n), at least 1: the same as criterion.c's, which describes it. */
static uint64_t share_threshold(int64_t share_micro, uint64_t n)
{
    uint64_t s = (uint64_t)share_micro;
    uint64_t t = n / MICRO * s + (n % MICRO * s + MICRO - 1) / MICRO;
    return t < 1 ? 1 : t;
}

static bool criterion_valid(const struct sm_criterion *c)
{
    bool min_ok = c->min_score == SM_SCORE_MENTION || c->min_score == SM_SCORE_CONCRETE;
    switch (c->kind) {
    case SM_CRIT_SHARE:
        return min_ok && to_micro(c->share) > 0 && to_micro(c->share) <= MICRO;
    case SM_CRIT_COUNT:
        return min_ok && c->count >= 1;
    case SM_CRIT_MEAN:
        return to_micro(c->mean) > 0 && to_micro(c->mean) <= (int64_t)SM_SCORE_CONCRETE * MICRO;
    }
    return false;
}

/* Whether the criterion holds when counting at_least guidelines out of analysed. */
static bool holds(const struct sm_criterion *c, uint64_t at_least, uint64_t analysed)
{
    switch (c->kind) {
    case SM_CRIT_SHARE:
        return analysed > 0 && at_least >= share_threshold(to_micro(c->share), analysed);
    case SM_CRIT_COUNT:
        return at_least >= (uint64_t)c->count;
    case SM_CRIT_MEAN:
        break;
    }
    return false;
}

void sm_judgement_free(struct sm_judgement *j)
{
    if (!j)
        return;
    sm_free(j->common);
    sm_free(j->reference);
    sm_free(j->mean);
    sm_free(j->written);
    sm_free(j);
}

int sm_judge(const struct sm_matrix *m, const struct sm_criterion *c, struct sm_judgement **out)
{
    if (!m || !c || !criterion_valid(c))
        return SM_EINVAL;
    if (m->catalog && sm_catalog_n_items(m->catalog) != m->n_items)
        return SM_EINVAL;
    if (!m->cells && m->n_items && m->n_guidelines)
        return SM_EINVAL;
    size_t n = m->n_items, g_n = m->n_guidelines;
    struct sm_judgement *j = sm_calloc(1, sizeof *j);
    if (!j)
        return SM_ENOMEM;
    j->criterion = *c;
    j->n_items = n;
    j->common = sm_calloc(n, sizeof *j->common);
    j->reference = sm_calloc(n, sizeof *j->reference);
    j->mean = sm_calloc(n, sizeof *j->mean);
    j->written = sm_calloc(n, sizeof *j->written);
    if (!j->common || !j->reference || !j->mean || !j->written) {
        sm_judgement_free(j);
        return SM_ENOMEM;
    }
    for (size_t i = 0; i < n; i++) {
        uint64_t analysed = 0, sum = 0, ge[SM_SCORE_CONCRETE + 1] = { 0 };
        for (size_t g = 0; g < g_n; g++) {
            int s = m->cells[i * g_n + g].score;
            if (s < 0)
                continue;
            if (s > SM_SCORE_CONCRETE)
                s = SM_SCORE_CONCRETE;
            analysed++;
            sum += (uint64_t)s;
            for (int k = 0; k <= s; k++)
                ge[k]++;
        }
        j->written[i] = (size_t)ge[SM_SCORE_MENTION];
        j->mean[i] = analysed ? (double)sum / (double)analysed : 0.0;
        bool common;
        int reference = 0;
        if (c->kind == SM_CRIT_MEAN) {
            /* sum / analysed >= mean, in millionths without division. */
            common = analysed > 0 && sum * MICRO >= (uint64_t)to_micro(c->mean) * analysed;
            if (common)
                reference = sum >= (uint64_t)SM_SCORE_CONCRETE * analysed ? SM_SCORE_CONCRETE
                                                                          : SM_SCORE_MENTION;
        } else {
            common = holds(c, ge[c->min_score], analysed);
            for (int s = SM_SCORE_CONCRETE; common && s >= c->min_score && !reference; s--)
                if (holds(c, ge[s], analysed))
                    reference = s;
        }
        j->common[i] = common;
        j->reference[i] = reference;
        j->n_common += common;
    }
    *out = j;
    return SM_OK;
}

bool sm_judgement_below(const struct sm_judgement *j, const struct sm_matrix *m, size_t item,
                        size_t guideline)
{
    if (!j || !m || item >= j->n_items || item >= m->n_items || guideline >= m->n_guidelines)
        return false;
    if (!j->common[item])
        return false;
    int s = m->cells[item * m->n_guidelines + guideline].score;
    return s >= 0 && s < j->reference[item];
}

void sm_matrix_review_counts(const struct sm_matrix *m, size_t *reviewed, size_t *total)
{
    size_t r = 0, t = 0, cells = m && m->cells ? m->n_items * m->n_guidelines : 0;
    for (size_t k = 0; k < cells; k++) {
        const struct sm_cell *cell = &m->cells[k];
        if (cell->score < 0)
            continue;
        t++;
        if (cell->review != SM_REVIEW_PROPOSED || cell->method == SM_METHOD_MANUAL)
            r++;
    }
    if (reviewed)
        *reviewed = r;
    if (total)
        *total = t;
}

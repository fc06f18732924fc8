/*
 * Property tests of cell suppression (sm_supp_run) and of its audit (sm_supp_safe).
 *
 * Tables are built here the way the statistics build them (a list and its total, prefectures
 * within regions within a total, a cross table with its margins; the grand total pinned) from
 * random counts split among random providers. Two properties are checked:
 *
 *   1. The audit is right: on small tables with a random set of suppressed counts,
 *      sm_supp_safe agrees with a brute-force attacker who enumerates every assignment of
 *      whole numbers to the suppressed counts that is consistent with the shown ones (and, as
 *      a provider, with its own parts), and looks for a suppressed count with an unknown
 *      part between 1 and k-1 that takes one value only.
 *   2. Suppression is safe: after sm_supp_run, no shown count is under k or lets a provider
 *      learn a small part of the others', and no suppressed count can be worked out, by the
 *      brute-force attacker on small tables and by the audit on large ones.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "smesec/sharing.h"
#include "smesec/smesec.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define K          5
#define MAX_ARCS   256
#define MAX_PROV   4
#define MAX_LEAVES 12

/* A test table: arcs, and which arcs are leaves (the counts everything else sums). Each
 * non-leaf arc is the sum of the leaves in its list. */
struct ttable {
    struct sm_supp_table t;
    struct sm_supp_arc arcs[MAX_ARCS];
    int64_t own[MAX_ARCS][MAX_PROV];
    size_t n_leaves;
    size_t leaves[MAX_LEAVES]; /* arc index of each leaf */
    /* sums[a][l]: leaf l is part of arc a */
    bool sums[MAX_ARCS][MAX_LEAVES];
};

static uint64_t rng_state = 0x2545F4914F6CDD1Du;

static uint32_t rnd(uint32_t n)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return (uint32_t)(rng_state % n);
}

static size_t add_arc(struct ttable *tt, int from, int to, bool pinned)
{
    size_t i = tt->t.n_arcs++;
    assert_true(i < MAX_ARCS);
    tt->arcs[i] =
        (struct sm_supp_arc){ .from = from, .to = to, .pinned = pinned, .own = tt->own[i] };
    return i;
}

/* Gives leaf arc i a random value split among the providers (small values are likely). */
static void random_leaf(struct ttable *tt, size_t i, int max)
{
    int64_t v = rnd(3) == 0 ? rnd(4) : rnd((uint32_t)max + 1);
    tt->arcs[i].value = v;
    for (int64_t x = 0; x < v; x++)
        tt->own[i][rnd((uint32_t)tt->t.n_providers)]++;
}

/* Fills every sum from its leaves. */
static void fill_sums(struct ttable *tt)
{
    for (size_t a = 0; a < tt->t.n_arcs; a++) {
        bool leaf = false;
        for (size_t l = 0; l < tt->n_leaves; l++)
            leaf |= tt->leaves[l] == a;
        if (leaf)
            continue;
        tt->arcs[a].value = 0;
        memset(tt->own[a], 0, sizeof tt->own[a]);
        for (size_t l = 0; l < tt->n_leaves; l++) {
            if (!tt->sums[a][l])
                continue;
            size_t la = tt->leaves[l];
            tt->arcs[a].value += tt->arcs[la].value;
            for (size_t p = 0; p < MAX_PROV; p++)
                tt->own[a][p] += tt->own[la][p];
        }
    }
}

static void init(struct ttable *tt, int n_nodes, size_t providers)
{
    memset(tt, 0, sizeof *tt);
    tt->t.arcs = tt->arcs;
    tt->t.n_nodes = n_nodes;
    tt->t.n_providers = providers;
}

/* A list of n cells and its pinned total. */
static void make_list(struct ttable *tt, size_t n, int max, size_t providers)
{
    init(tt, 2, providers);
    for (size_t i = 0; i < n; i++) {
        size_t a = add_arc(tt, 0, 1, false);
        tt->leaves[tt->n_leaves++] = a;
        random_leaf(tt, a, max);
    }
    size_t total = add_arc(tt, 1, 0, true);
    for (size_t l = 0; l < n; l++)
        tt->sums[total][l] = true;
    fill_sums(tt);
}

/* groups x per leaves within groups within a pinned total. Leaves are tracked (for brute
 * force) only when they fit MAX_LEAVES; otherwise the sums are filled directly. */
static void make_tree(struct ttable *tt, size_t groups, size_t per, int max, size_t providers)
{
    init(tt, (int)(2 + groups), providers);
    bool track = groups * per <= MAX_LEAVES;
    for (size_t g = 0; g < groups; g++)
        for (size_t i = 0; i < per; i++) {
            size_t a = add_arc(tt, 0, (int)(2 + g), false);
            if (track)
                tt->leaves[tt->n_leaves++] = a;
            random_leaf(tt, a, max);
        }
    size_t total = 0;
    for (size_t g = 0; g < groups; g++) {
        size_t a = add_arc(tt, (int)(2 + g), 1, false);
        for (size_t i = 0; i < per; i++) {
            size_t leaf = g * per + i;
            if (track)
                tt->sums[a][leaf] = true;
            tt->arcs[a].value += tt->arcs[leaf].value;
            for (size_t p = 0; p < MAX_PROV; p++)
                tt->own[a][p] += tt->own[leaf][p];
        }
    }
    total = add_arc(tt, 1, 0, true);
    for (size_t g = 0; g < groups; g++) {
        size_t a = groups * per + g;
        if (track)
            for (size_t i = 0; i < per; i++)
                tt->sums[total][g * per + i] = true;
        tt->arcs[total].value += tt->arcs[a].value;
        for (size_t p = 0; p < MAX_PROV; p++)
            tt->own[total][p] += tt->own[a][p];
    }
}

/* An R x C cross table with row, column and pinned grand totals. Leaves only when R * C
 * fits MAX_LEAVES (for brute force); otherwise the sums are filled directly. */
static void make_cross(struct ttable *tt, size_t R, size_t C, int max, size_t providers)
{
    init(tt, (int)(R + C + 2), providers);
    int TC = (int)(R + C), TR = (int)(R + C + 1);
    bool track = R * C <= MAX_LEAVES;
    for (size_t i = 0; i < R; i++)
        for (size_t j = 0; j < C; j++) {
            size_t a = add_arc(tt, (int)(R + j), (int)i, false);
            if (track)
                tt->leaves[tt->n_leaves++] = a;
            random_leaf(tt, a, max);
        }
    for (size_t i = 0; i < R; i++) {
        size_t a = add_arc(tt, (int)i, TC, false);
        for (size_t j = 0; j < C; j++) {
            if (track)
                tt->sums[a][i * C + j] = true;
            tt->arcs[a].value += tt->arcs[i * C + j].value;
            for (size_t p = 0; p < MAX_PROV; p++)
                tt->own[a][p] += tt->own[i * C + j][p];
        }
    }
    for (size_t j = 0; j < C; j++) {
        size_t a = add_arc(tt, TR, (int)(R + j), false);
        for (size_t i = 0; i < R; i++) {
            if (track)
                tt->sums[a][i * C + j] = true;
            tt->arcs[a].value += tt->arcs[i * C + j].value;
            for (size_t p = 0; p < MAX_PROV; p++)
                tt->own[a][p] += tt->own[i * C + j][p];
        }
    }
    size_t g = add_arc(tt, TC, TR, true);
    for (size_t x = 0; x < R * C; x++) {
        if (track)
            tt->sums[g][x] = true;
        tt->arcs[g].value += tt->arcs[x].value;
        for (size_t p = 0; p < MAX_PROV; p++)
            tt->own[g][p] += tt->own[x][p];
    }
}

/* --- The brute-force attacker ----------------------------------------------------------- */

struct attack {
    const struct ttable *tt;
    long viewer; /* -1 outsider */
    int64_t x[MAX_LEAVES];
    int64_t bound;
    int64_t seen_min[MAX_ARCS], seen_max[MAX_ARCS];
    bool any;
};

static int64_t part(const struct ttable *tt, size_t a, long viewer, int64_t value)
{
    return viewer < 0 ? value : value - tt->own[a][viewer];
}

/* Checks the assignment of leaves and records the values the hidden arcs take. */
static void consider(struct attack *at)
{
    const struct ttable *tt = at->tt;
    int64_t val[MAX_ARCS];
    for (size_t a = 0; a < tt->t.n_arcs; a++) {
        int64_t v = 0;
        bool leaf = false;
        for (size_t l = 0; l < tt->n_leaves; l++) {
            if (tt->leaves[l] == a) {
                v = at->x[l];
                leaf = true;
            }
        }
        if (!leaf)
            for (size_t l = 0; l < tt->n_leaves; l++)
                if (tt->sums[a][l])
                    v += at->x[l];
        /* Shown counts are known; a provider knows its own part of every count. */
        if (!tt->arcs[a].hidden && v != tt->arcs[a].value)
            return;
        if (part(tt, a, at->viewer, v) < 0)
            return;
        val[a] = v;
    }
    for (size_t a = 0; a < tt->t.n_arcs; a++) {
        if (!at->any || val[a] < at->seen_min[a])
            at->seen_min[a] = val[a];
        if (!at->any || val[a] > at->seen_max[a])
            at->seen_max[a] = val[a];
    }
    at->any = true;
}

/* Every shape's pinned total is the sum of all its leaves, so the leaves are enumerated as
 * the ways to split that total (sum is what the leaves before l take). */
static void enumerate(struct attack *at, size_t l, int64_t sum)
{
    const struct ttable *tt = at->tt;
    if (l == tt->n_leaves) {
        if (sum == at->bound)
            consider(at);
        return;
    }
    size_t a = tt->leaves[l];
    if (!tt->arcs[a].hidden) {
        at->x[l] = tt->arcs[a].value;
        if (sum + at->x[l] <= at->bound)
            enumerate(at, l + 1, sum + at->x[l]);
        return;
    }
    int64_t lo = at->viewer < 0 ? 0 : tt->own[a][at->viewer];
    for (int64_t v = lo; sum + v <= at->bound; v++) {
        at->x[l] = v;
        enumerate(at, l + 1, sum + v);
    }
}

/* True when no viewer can pin down a suppressed count with a small unknown part. */
static bool brute_force_safe(const struct ttable *tt)
{
    for (size_t a = 0; a < tt->t.n_arcs; a++) {
        if (tt->arcs[a].hidden)
            continue;
        if (tt->arcs[a].value < K)
            return false;
        for (size_t p = 0; p < tt->t.n_providers; p++) {
            int64_t u = tt->arcs[a].value - tt->own[a][p];
            if (u >= 1 && u <= K - 1)
                return false;
        }
    }
    int64_t total = 0;
    for (size_t a = 0; a < tt->t.n_arcs; a++)
        if (tt->arcs[a].pinned)
            total = tt->arcs[a].value;
    for (long viewer = -1; viewer < (long)tt->t.n_providers; viewer++) {
        struct attack at;
        memset(&at, 0, sizeof at);
        at.tt = tt;
        at.viewer = viewer;
        at.bound = total; /* every leaf is at most the pinned total */
        enumerate(&at, 0, 0);
        assert_true(at.any); /* the truth is always an answer */
        for (size_t a = 0; a < tt->t.n_arcs; a++) {
            if (!tt->arcs[a].hidden)
                continue;
            int64_t u = part(tt, a, viewer, tt->arcs[a].value);
            if (u >= 1 && u <= K - 1 && at.seen_min[a] == at.seen_max[a]) {
                if (getenv("SUPP_DEBUG"))
                    fprintf(stderr, "viewer %ld determines arc %zu = %lld\n", viewer, a,
                            (long long)at.seen_min[a]);
                return false;
            }
        }
    }
    return true;
}

/* As the statistics do, a table whose pinned total itself is sensitive is never built (the
 * release then shows nothing). */
static bool total_shown(const struct ttable *tt)
{
    for (size_t a = 0; a < tt->t.n_arcs; a++) {
        if (!tt->arcs[a].pinned)
            continue;
        if (tt->arcs[a].value < K)
            return false;
        for (size_t p = 0; p < tt->t.n_providers; p++) {
            int64_t u = tt->arcs[a].value - tt->own[a][p];
            if (u >= 1 && u <= K - 1)
                return false;
        }
    }
    return true;
}

static void random_small_once(struct ttable *tt, int shape)
{
    size_t providers = 1 + rnd(3);
    switch (shape) {
    case 0:
        make_list(tt, 2 + rnd(3), 9, providers);
        break;
    case 1:
        make_tree(tt, 2, 2, 8, providers);
        break;
    case 2:
        make_cross(tt, 2, 2, 8, providers);
        break;
    default:
        make_cross(tt, 2, 3, 4, providers);
        break;
    }
}

static void random_small(struct ttable *tt, int shape)
{
    do
        random_small_once(tt, shape);
    while (!total_shown(tt));
}

static void audit_agrees_with_brute_force(void **state)
{
    (void)state;
    struct ttable *tt = calloc(1, sizeof *tt);
    int agreed_safe = 0, agreed_unsafe = 0;
    for (int round = 0; round < 400; round++) {
        random_small(tt, round % 4);
        for (size_t a = 0; a < tt->t.n_arcs; a++)
            tt->arcs[a].hidden = !tt->arcs[a].pinned && rnd(2) == 0;
        bool safe = false;
        assert_int_equal(sm_supp_safe(&tt->t, K, &safe), SM_OK);
        bool brute = brute_force_safe(tt);
        if (safe != brute)
            fail_msg("round %d: the audit says %s, the attacker %s", round,
                     safe ? "safe" : "unsafe", brute ? "safe" : "unsafe");
        if (safe)
            agreed_safe++;
        else
            agreed_unsafe++;
    }
    /* Both answers were exercised. */
    assert_true(agreed_safe > 20);
    assert_true(agreed_unsafe > 20);
    free(tt);
}

static void suppression_defeats_brute_force(void **state)
{
    (void)state;
    struct ttable *tt = calloc(1, sizeof *tt);
    int with_complements = 0;
    for (int round = 0; round < 400; round++) {
        random_small(tt, round % 4);
        assert_int_equal(sm_supp_run(&tt->t, K), SM_OK);
        if (!brute_force_safe(tt))
            fail_msg("round %d: a suppressed count can be worked out (SUPP_DEBUG=1 says which)",
                     round);
        for (size_t a = 0; a < tt->t.n_arcs; a++)
            if (tt->arcs[a].hidden && !tt->arcs[a].primary) {
                with_complements++;
                break;
            }
    }
    assert_true(with_complements > 20);
    free(tt);
}

static void suppression_is_safe_on_large_tables(void **state)
{
    (void)state;
    struct ttable *tt = calloc(1, sizeof *tt);
    for (int round = 0; round < 120; round++) {
        switch (round % 4) {
        case 0:
            make_cross(tt, 8, 7, 12, 1 + rnd(MAX_PROV));
            break;
        case 1:
            make_cross(tt, 20, 6, 6, 1 + rnd(MAX_PROV));
            break;
        case 2:
            init(tt, 0, 0);
            make_tree(tt, 8, 6, 10, 1 + rnd(MAX_PROV));
            break;
        default:
            make_list(tt, 12, 15, 1 + rnd(MAX_PROV));
            break;
        }
        if (!total_shown(tt))
            continue;
        assert_int_equal(sm_supp_run(&tt->t, K), SM_OK);
        bool safe = false;
        assert_int_equal(sm_supp_safe(&tt->t, K, &safe), SM_OK);
        assert_true(safe);
        for (size_t a = 0; a < tt->t.n_arcs; a++)
            if (!tt->arcs[a].hidden)
                assert_true(tt->arcs[a].value >= K);
    }
    free(tt);
}

/* The textbook case: a row total and one small cell; the smallest other cell goes too. */
static void one_small_cell_takes_a_complement(void **state)
{
    (void)state;
    struct ttable tt;
    init(&tt, 2, 0);
    int64_t values[] = { 3, 12, 7, 20 };
    for (size_t i = 0; i < 4; i++) {
        size_t a = add_arc(&tt, 0, 1, false);
        tt.arcs[a].value = values[i];
    }
    size_t total = add_arc(&tt, 1, 0, true);
    tt.arcs[total].value = 42;
    assert_int_equal(sm_supp_run(&tt.t, K), SM_OK);
    assert_true(tt.arcs[0].hidden && tt.arcs[0].primary);
    assert_true(tt.arcs[2].hidden && !tt.arcs[2].primary); /* 7, the smallest other */
    assert_false(tt.arcs[1].hidden);
    assert_false(tt.arcs[3].hidden);
    assert_false(tt.arcs[total].hidden);
}

/* A count of 6 of which one provider sent 4 would tell it the others sent 2. */
static void a_dominant_provider_makes_a_count_sensitive(void **state)
{
    (void)state;
    struct ttable tt;
    init(&tt, 2, 2);
    size_t a = add_arc(&tt, 0, 1, false), b = add_arc(&tt, 0, 1, false),
           c = add_arc(&tt, 0, 1, false);
    tt.arcs[a].value = 6;
    tt.own[a][0] = 4;
    tt.own[a][1] = 2;
    tt.arcs[b].value = 10;
    tt.own[b][0] = 10;
    tt.arcs[c].value = 15;
    tt.own[c][0] = 5;
    tt.own[c][1] = 10;
    size_t total = add_arc(&tt, 1, 0, true);
    tt.arcs[total].value = 31;
    tt.own[total][0] = 19;
    tt.own[total][1] = 12;
    assert_int_equal(sm_supp_run(&tt.t, K), SM_OK);
    assert_true(tt.arcs[a].hidden && tt.arcs[a].primary);
    /* 10 is all one provider's: shown. 15 is 5 + 10: shown, but one must go with 6. */
    assert_true(tt.arcs[b].hidden || tt.arcs[c].hidden);
    bool safe = false;
    assert_int_equal(sm_supp_safe(&tt.t, K, &safe), SM_OK);
    assert_true(safe);
}

int main(void)
{
    if (sm_init() != SM_OK)
        return 1;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(one_small_cell_takes_a_complement),
        cmocka_unit_test(a_dominant_provider_makes_a_count_sensitive),
        cmocka_unit_test(audit_agrees_with_brute_force),
        cmocka_unit_test(suppression_defeats_brute_force),
        cmocka_unit_test(suppression_is_safe_on_large_tables),
    };
    return cmocka_run_group_tests_name("sharing suppression", tests, NULL, NULL);
}

/*
 * Cell suppression with complementary suppression, over tables seen as flow networks.
 *
 * Every table the statistics publish is a set of counts tied by sums: a list and its total,
 * a region's prefectures and the region, a cross table's rows, columns and grand total.
 * Such a table is a network: every count appears in exactly two sums, with opposite signs
 * once the sums are written as "parts - whole = 0", so each sum can be a node and each count
 * an arc, and "the sum holds" becomes "what flows into the node flows out of it". For a
 * cross table with cells x(i,j), row totals T(i), column totals U(j) and grand total G:
 *
 *     x(i,j): col j -> row i      T(i): row i -> TC      G: TC -> TR      U(j): TR -> col j
 *
 * A viewer sees the shown counts and knows every count is a whole number >= 0 (a provider
 * also knows its own part of each count, so its unknowns are the others' parts, >= 0). A
 * suppressed count can be changed by one without changing any shown count exactly when it
 * lies on a cycle of suppressed counts along which the flow can be pushed: forward along an
 * arc always, backward only where the viewer's unknown part is at least one. So a
 * suppressed count is determined (worked out exactly) when, in that residual graph, there is
 * no path from its head back to its tail (to raise it) and none from its tail to its head
 * with its own unknown part at least one (to lower it). This is exact for the linear
 * relaxation and for whole numbers alike (conformal decomposition of circulations), and it
 * needs only breadth-first searches.
 *
 * The algorithm: first, primary suppression of every count under k and of every count from
 * which one provider could learn that the others' part is between 1 and k-1 (a count of 6
 * of which one provider sent 4 tells that provider the others sent 2). Then, while some
 * viewer can determine a suppressed count whose unknown part is between 1 and k-1, suppress
 * one more shown, unpinned count next to it (sharing one of its sums), the smallest first,
 * preferring one that makes it undetermined. Suppressing more only adds edges to the
 * residual graphs, so a count once undetermined stays undetermined: the viewers and counts
 * are visited once each, and each step suppresses one more count, so it ends, with every
 * such count undetermined, which sm_supp_safe checks on its own.
 */
#include "sharing/internal.h"

#include "smesec/alloc.h"

#include <string.h>

#include "util/banned.h"

/* The viewer's unknown part of a: the whole count for an outsider (viewer -1), the others'
 * part for provider viewer. */
static int64_t unknown_part(const struct sm_supp_arc *a, long viewer)
{
    if (viewer < 0 || !a->own)
        return a->value;
    return a->value - a->own[viewer];
}

static bool sensitive_for(const struct sm_supp_arc *a, long viewer, int k)
{
    int64_t u = unknown_part(a, viewer);
    return u >= 1 && u <= k - 1;
}

/* Primary sensitivity: under k, or some provider would learn a small others' part. */
static bool primary_sensitive(const struct sm_supp_arc *a, size_t n_providers, int k)
{
    if (a->value < k)
        return true;
    for (size_t p = 0; a->own && p < n_providers; p++)
        if (sensitive_for(a, (long)p, k))
            return true;
    return false;
}

struct graph {
    int n_nodes;
    int *head;   /* first edge of each node, -1 for none */
    int *next;   /* next edge of the same node */
    int *target; /* edge's target node */
    int n_edges;
    int *queue;
    unsigned char *seen;
};

static int graph_init(struct graph *g, int n_nodes, size_t n_arcs)
{
    memset(g, 0, sizeof *g);
    g->n_nodes = n_nodes;
    size_t edges = 2 * n_arcs + 1;
    g->head = sm_malloc((size_t)n_nodes * sizeof *g->head + 1);
    g->next = sm_malloc(edges * sizeof *g->next);
    g->target = sm_malloc(edges * sizeof *g->target);
    g->queue = sm_malloc((size_t)n_nodes * sizeof *g->queue + 1);
    g->seen = sm_malloc((size_t)n_nodes + 1);
    if (!g->head || !g->next || !g->target || !g->queue || !g->seen)
        return SM_ENOMEM;
    return SM_OK;
}

static void graph_release(struct graph *g)
{
    sm_free(g->head);
    sm_free(g->next);
    sm_free(g->target);
    sm_free(g->queue);
    sm_free(g->seen);
}

static void add_edge(struct graph *g, int from, int to)
{
    g->target[g->n_edges] = to;
    g->next[g->n_edges] = g->head[from];
    g->head[from] = g->n_edges++;
}

/* The residual graph of the hidden arcs for viewer, without arc skip. */
static void build_residual(struct graph *g, const struct sm_supp_table *t, long viewer, size_t skip)
{
    for (int v = 0; v < g->n_nodes; v++)
        g->head[v] = -1;
    g->n_edges = 0;
    for (size_t i = 0; i < t->n_arcs; i++) {
        const struct sm_supp_arc *a = &t->arcs[i];
        if (!a->hidden || i == skip)
            continue;
        add_edge(g, a->from, a->to);
        if (unknown_part(a, viewer) >= 1)
            add_edge(g, a->to, a->from);
    }
}

static bool reachable(struct graph *g, int from, int to)
{
    if (from == to)
        return true;
    memset(g->seen, 0, (size_t)g->n_nodes);
    int qh = 0, qt = 0;
    g->queue[qt++] = from;
    g->seen[from] = 1;
    while (qh < qt) {
        int v = g->queue[qh++];
        for (int e = g->head[v]; e >= 0; e = g->next[e]) {
            int w = g->target[e];
            if (g->seen[w])
                continue;
            if (w == to)
                return true;
            g->seen[w] = 1;
            g->queue[qt++] = w;
        }
    }
    return false;
}

/* Can viewer work out hidden arc i exactly? */
static bool determined(struct graph *g, const struct sm_supp_table *t, long viewer, size_t i)
{
    const struct sm_supp_arc *a = &t->arcs[i];
    build_residual(g, t, viewer, i);
    if (reachable(g, a->to, a->from))
        return false; /* it can be raised */
    if (unknown_part(a, viewer) >= 1 && reachable(g, a->from, a->to))
        return false; /* it can be lowered */
    return true;
}

/* Viewers worth checking: the outsider (-1) and every provider with a part in the table. */
static size_t viewers_of(const struct sm_supp_table *t, long *out)
{
    size_t n = 0;
    out[n++] = -1;
    for (size_t p = 0; p < t->n_providers; p++) {
        bool has = false;
        for (size_t i = 0; i < t->n_arcs && !has; i++)
            has = t->arcs[i].own && t->arcs[i].own[p] > 0;
        if (has)
            out[n++] = (long)p;
    }
    return n;
}

/* Finds a (viewer, arc) with a sensitive, determined hidden arc; false when none. */
static bool find_exposed(struct graph *g, const struct sm_supp_table *t, int k, const long *viewers,
                         size_t n_viewers, long *viewer, size_t *arc)
{
    for (size_t v = 0; v < n_viewers; v++)
        for (size_t i = 0; i < t->n_arcs; i++) {
            const struct sm_supp_arc *a = &t->arcs[i];
            if (!a->hidden || !sensitive_for(a, viewers[v], k))
                continue;
            if (determined(g, t, viewers[v], i)) {
                *viewer = viewers[v];
                *arc = i;
                return true;
            }
        }
    return false;
}

/* Shown, unpinned arcs sharing a node with arc, smallest value first (ties by index). */
static size_t complement_candidates(const struct sm_supp_table *t, size_t arc, size_t *out,
                                    bool anywhere)
{
    const struct sm_supp_arc *a = &t->arcs[arc];
    size_t n = 0;
    for (size_t i = 0; i < t->n_arcs; i++) {
        const struct sm_supp_arc *b = &t->arcs[i];
        if (b->hidden || b->pinned)
            continue;
        if (!anywhere && b->from != a->from && b->from != a->to && b->to != a->from &&
            b->to != a->to)
            continue;
        /* Insertion into the sorted list. */
        size_t at = n;
        while (at > 0 && t->arcs[out[at - 1]].value > b->value)
            at--;
        memmove(out + at + 1, out + at, (n - at) * sizeof *out);
        out[at] = i;
        n++;
    }
    return n;
}

int sm_supp_run(struct sm_supp_table *t, int k)
{
    for (size_t i = 0; i < t->n_arcs; i++) {
        struct sm_supp_arc *a = &t->arcs[i];
        a->hidden = a->primary = !a->pinned && primary_sensitive(a, t->n_providers, k);
    }
    struct graph g;
    size_t *cand = sm_malloc((t->n_arcs + 1) * sizeof *cand);
    long *viewers = sm_malloc((t->n_providers + 1) * sizeof *viewers);
    int rc = graph_init(&g, t->n_nodes, t->n_arcs);
    if (!cand || !viewers)
        rc = SM_ENOMEM;
    if (rc)
        goto out;
    size_t n_viewers = viewers_of(t, viewers);
    /* Suppressing one more count only adds edges to every viewer's residual graph, so a
     * count that one viewer cannot work out stays so: each (viewer, count) is settled once,
     * in one pass, adding complements until it is. */
    for (size_t v = 0; v < n_viewers; v++)
        for (size_t arc = 0; arc < t->n_arcs; arc++) {
            const struct sm_supp_arc *a = &t->arcs[arc];
            if (!a->hidden || !sensitive_for(a, viewers[v], k))
                continue;
            while (determined(&g, t, viewers[v], arc)) {
                size_t n = complement_candidates(t, arc, cand, false);
                if (n == 0)
                    n = complement_candidates(t, arc, cand, true);
                if (n == 0)
                    goto out; /* nothing left to suppress; sm_supp_safe will say so */
                size_t pick = cand[0];
                for (size_t c = 0; c < n; c++) {
                    t->arcs[cand[c]].hidden = true;
                    bool fixed = !determined(&g, t, viewers[v], arc);
                    t->arcs[cand[c]].hidden = false;
                    if (fixed) {
                        pick = cand[c];
                        break;
                    }
                }
                t->arcs[pick].hidden = true;
            }
        }
out:
    graph_release(&g);
    sm_free(cand);
    sm_free(viewers);
    return rc;
}

int sm_supp_safe(const struct sm_supp_table *t, int k, bool *safe)
{
    *safe = true;
    for (size_t i = 0; i < t->n_arcs && *safe; i++) {
        const struct sm_supp_arc *a = &t->arcs[i];
        if (!a->hidden && primary_sensitive(a, t->n_providers, k))
            *safe = false;
    }
    if (!*safe)
        return SM_OK;
    struct graph g;
    long *viewers = sm_malloc((t->n_providers + 1) * sizeof *viewers);
    int rc = graph_init(&g, t->n_nodes, t->n_arcs);
    if (!viewers)
        rc = SM_ENOMEM;
    if (!rc) {
        size_t n_viewers = viewers_of(t, viewers);
        long viewer;
        size_t arc;
        *safe = !find_exposed(&g, t, k, viewers, n_viewers, &viewer, &arc);
    }
    graph_release(&g);
    sm_free(viewers);
    return rc;
}

/*
 * The common reference: which check items are common (共通項) and the reference score of
 * each, as the self-check, the drafting support and the industry pages use it.
 *
 * It is the judgement of the analysed guidelines by a criterion (by default
 * sm_criterion_default). While no guideline has been analysed against the catalog, or the
 * criterion finds no common item, it falls back to the catalog's stage-1 and stage-2 items,
 * each with reference score 1; `fallback` says so, and every page built on it must say so
 * too.
 *
 * A struct sm_common_ref is read-only once built: safe to share between threads.
 */
#ifndef SMESEC_COMMONREF_H
#define SMESEC_COMMONREF_H

#include "smesec/catalog.h"
#include "smesec/commons.h"
#include "smesec/err.h"
#include "smesec/store.h"

#include <stdbool.h>
#include <stddef.h>

/* The stages the fallback takes: 1 and 2. */
#define SM_COMMON_REF_FALLBACK_STAGE 2

struct sm_common_ref {
    const struct sm_catalog *catalog; /* borrowed; must outlive the reference */
    struct sm_criterion criterion;    /* the criterion used (also for the fallback) */
    size_t n_guidelines;              /* analysed guidelines it is drawn from */
    bool fallback;                    /* the catalog's stage-1 and stage-2 items */
    size_t n_items;                   /* == sm_catalog_n_items(catalog) */
    bool *common;                     /* per item */
    int *reference;                   /* per item: 1 or 2 for a common item, else 0 */
    double *mean;                     /* per item: mean score (0 with the fallback) */
    size_t n_common;
};

/* Builds the reference from a judged matrix: m and j may both be NULL (nothing analysed),
 * and are only read during the call. SM_EINVAL when j's item count is not the catalog's.
 * *out is owned by the caller (sm_common_ref_free). */
int sm_common_ref_build(const struct sm_catalog *catalog, const struct sm_criterion *criterion,
                        const struct sm_matrix *m, const struct sm_judgement *j,
                        struct sm_common_ref **out);

/* Loads the matrix of catalog's version (sm_matrix_load), judges it by criterion (NULL: the
 * default) and builds the reference. Only reads the store. */
int sm_common_ref_load(struct sm_store *store, const struct sm_catalog *catalog,
                       const struct sm_criterion *criterion, struct sm_common_ref **out,
                       struct sm_diag *diag);

void sm_common_ref_free(struct sm_common_ref *ref);

#endif

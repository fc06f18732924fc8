/*
 * The common reference (see smesec/commonref.h): the judgement of the analysed guidelines
 * reduced to what the self-check, the drafting support and the industry pages need, with the
 * fallback to the catalog's early stages while there is nothing to judge.
 *
 * Invariant: n_common counts the items with common[i] set, and reference[i] is 1 or 2
 * exactly for those.
 */
#include "smesec/commonref.h"

#include "smesec/alloc.h"
#include "smesec/guideline.h"

#include <string.h>

#include "util/banned.h"

void sm_common_ref_free(struct sm_common_ref *ref)
{
    if (!ref)
        return;
    sm_free(ref->common);
    sm_free(ref->reference);
    sm_free(ref->mean);
    sm_free(ref);
}

int sm_common_ref_build(const struct sm_catalog *catalog, const struct sm_criterion *criterion,
                        const struct sm_matrix *m, const struct sm_judgement *j,
                        struct sm_common_ref **out)
{
    size_t n = sm_catalog_n_items(catalog);
    if (j && j->n_items != n)
        return SM_EINVAL;
    struct sm_common_ref *ref = sm_calloc(1, sizeof *ref);
    if (!ref)
        return SM_ENOMEM;
    ref->catalog = catalog;
    ref->n_items = n;
    if (criterion)
        ref->criterion = *criterion;
    else
        sm_criterion_default(&ref->criterion);
    ref->common = sm_calloc(n ? n : 1, sizeof *ref->common);
    ref->reference = sm_calloc(n ? n : 1, sizeof *ref->reference);
    ref->mean = sm_calloc(n ? n : 1, sizeof *ref->mean);
    if (!ref->common || !ref->reference || !ref->mean) {
        sm_common_ref_free(ref);
        return SM_ENOMEM;
    }
    ref->n_guidelines = m ? m->n_guidelines : 0;
    if (j && j->n_common > 0 && ref->n_guidelines > 0) {
        for (size_t i = 0; i < n; i++) {
            ref->common[i] = j->common[i];
            ref->reference[i] = j->common[i] ? (j->reference[i] > 0 ? j->reference[i] : 1) : 0;
            ref->mean[i] = j->mean[i];
            ref->n_common += j->common[i] ? 1 : 0;
        }
    } else {
        ref->fallback = true;
        for (size_t i = 0; i < n; i++) {
            bool early = sm_catalog_item(catalog, i)->stage <= SM_COMMON_REF_FALLBACK_STAGE;
            ref->common[i] = early;
            ref->reference[i] = early ? 1 : 0;
            ref->n_common += early ? 1 : 0;
        }
    }
    *out = ref;
    return SM_OK;
}

int sm_common_ref_load(struct sm_store *store, const struct sm_catalog *catalog,
                       const struct sm_criterion *criterion, struct sm_common_ref **out,
                       struct sm_diag *diag)
{
    struct sm_criterion c;
    if (criterion)
        c = *criterion;
    else
        sm_criterion_default(&c);
    struct sm_matrix_data *data = NULL;
    struct sm_judgement *j = NULL;
    int rc = sm_matrix_load(store, catalog, &data, diag);
    if (!rc && data->m.n_guidelines > 0)
        rc = sm_judge(&data->m, &c, &j);
    if (!rc)
        rc = sm_common_ref_build(catalog, &c, data->m.n_guidelines ? &data->m : NULL, j, out);
    sm_judgement_free(j);
    sm_matrix_data_free(data);
    return rc;
}

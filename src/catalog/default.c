/*
 * The catalog compiled into the binary: data/catalog/sc3-catalog.yaml, embedded by
 * src/catalog/CMakeLists.txt. Each call parses it afresh, so callers own and free what they
 * get like any other catalog; the file is small and parsing it takes a few milliseconds.
 * A problem in it is a build defect, which the unit tests catch before a release.
 */
#include "catalog/internal.h"

#include "smesec/embed.h"

#include "util/banned.h"

extern const struct sm_embedded sm_catalog_files[];

int sm_catalog_default(struct sm_catalog **out, struct sm_diag *diag)
{
    const struct sm_embedded *e = &sm_catalog_files[0];
    sm_diag_clear(diag);
    if (!e->name)
        return sm_diag_set(diag, SM_ENOTFOUND, "no catalog compiled into this build");
    return sm__catalog_from_yaml((const char *)e->data, e->len, "sc3-catalog.yaml (built in)", out,
                                 NULL, diag);
}

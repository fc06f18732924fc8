/*
 * Japan's regions and the 47 prefectures (JIS X 0401 codes), read from the database, where a
 * migration put them as reference data.
 */
#ifndef SMESEC_GEO_H
#define SMESEC_GEO_H

#include "smesec/err.h"
#include "smesec/store.h"

#include <stddef.h>

struct sm_region {
    int id; /* 1..8, north to south */
    char name_ja[32];
    char name_en[32];
};

struct sm_prefecture {
    char code[3]; /* "01".."47" */
    char name_ja[16];
    char name_en[16];
    int region_id;
};

/* The regions and prefectures in code order. Caller owns the result (sm_geo_free). */
struct sm_geo {
    size_t n_regions;
    struct sm_region *regions;
    size_t n_prefectures;
    struct sm_prefecture *prefectures;
};

int sm_geo_load(struct sm_store *store, struct sm_geo **out, struct sm_diag *diag);
void sm_geo_free(struct sm_geo *geo);

/* Returns the prefecture with the given code in geo, or NULL. Borrowed from geo. */
const struct sm_prefecture *sm_geo_prefecture(const struct sm_geo *geo, const char *code);

#endif

/*
 * Guidelines in the database: their metadata and extracted pages, the analyser's proposals
 * with evidence, analysts' reviews and overrides, and the matrix every output is built from.
 *
 * Re-analysis replaces the automatic proposals of a guideline and keeps everything people
 * did: an override stays (and is shown as manual), and a review stays where the proposal it
 * reviewed did not change its score.
 */
#ifndef SMESEC_GUIDELINE_H
#define SMESEC_GUIDELINE_H

#include "smesec/audit.h"
#include "smesec/catalog.h"
#include "smesec/commons.h"
#include "smesec/err.h"
#include "smesec/store.h"
#include "smesec/text.h"

#include <stdint.h>

/* What a person says about a guideline when adding it; all borrowed. */
struct sm_guideline_meta {
    const char *industry;  /* required, e.g. "自動車" */
    const char *publisher; /* required, e.g. "日本自動車工業会" */
    const char *title;     /* required */
    const char *version;   /* may be NULL or "" */
    int year;              /* 0 when unknown, else 1990..2100 */
    const char *filename;  /* the source file's base name; may be NULL */
};

/* Checks meta (required fields non-empty valid UTF-8 of at most 500 bytes, year range). */
int sm_guideline_meta_check(const struct sm_guideline_meta *meta, struct sm_diag *diag);

/* Stores the guideline and its pages in one transaction with its audit record. The same file
 * content (by SHA-256 of the pages' text) under the same industry is refused with SM_EEXIST. */
int sm_guideline_add(struct sm_store *store, const struct sm_actor *actor,
                     const struct sm_guideline_meta *meta, const struct sm_document *doc,
                     int64_t *id_out, struct sm_diag *diag);

/* Reads a stored guideline's pages back as a document (owned by the caller). */
int sm_guideline_document(struct sm_store *store, int64_t id, struct sm_document **out,
                          struct sm_diag *diag);

/* The ids of all stored guidelines, oldest first. *ids is owned by the caller (sm_free). */
int sm_guideline_ids(struct sm_store *store, int64_t **ids, size_t *n, struct sm_diag *diag);

/* Deletes a guideline with its pages, proposals, reviews and overrides. */
int sm_guideline_delete(struct sm_store *store, const struct sm_actor *actor, int64_t id,
                        struct sm_diag *diag);

/* Saves an analysis of guideline id against the catalog version catalog_version (which must
 * be stored, see sm_catalog_save), replacing earlier automatic proposals, in one
 * transaction. */
int sm_guideline_save_analysis(struct sm_store *store, const struct sm_actor *actor, int64_t id,
                               const char *catalog_version, const struct sm_analysis *analysis,
                               struct sm_diag *diag);

/* Accepts or rejects the proposal for (guideline, item). SM_ENOTFOUND when there is none. */
int sm_guideline_review(struct sm_store *store, const struct sm_actor *actor, int64_t id,
                        const char *item_id, enum sm_review review, struct sm_diag *diag);

/* Overrides the score of (guideline, item) with a note (required, non-empty). score -1 removes
 * the override, bringing back the automatic proposal. */
int sm_guideline_override(struct sm_store *store, const struct sm_actor *actor, int64_t id,
                          const char *item_id, int score, const char *note, struct sm_diag *diag);

/* A loaded matrix and everything it points into. Owned by the caller
 * (sm_matrix_data_free); m borrows from it. */
struct sm_matrix_data {
    struct sm_matrix m;
    void *priv;
};

/* Loads every analysed guideline (those with proposals for catalog's version) and its cells,
 * with evidence, overrides and reviews. The catalog is borrowed and must outlive the data. */
int sm_matrix_load(struct sm_store *store, const struct sm_catalog *catalog,
                   struct sm_matrix_data **out, struct sm_diag *diag);
void sm_matrix_data_free(struct sm_matrix_data *data);

/* A stored guideline as listed. */
struct sm_guideline_info {
    int64_t id;
    const char *industry;
    const char *publisher;
    const char *title;
    const char *version;
    int year;
    const char *filename; /* may be NULL */
    int n_pages;
    const char *analysed_with; /* catalog version of its proposals, or NULL when not analysed */
    size_t n_overrides;
};

/* Every stored guideline, oldest first. Owned by the caller (sm_guideline_list_free). */
struct sm_guideline_list {
    size_t n;
    struct sm_guideline_info *items;
    void *priv;
};

int sm_guideline_list(struct sm_store *store, struct sm_guideline_list **out, struct sm_diag *diag);
void sm_guideline_list_free(struct sm_guideline_list *list);

/* --- The workflow, as the CLI and the web pages run it ---------------------------------- */

/* The catalog to work with: the YAML file at path, or the catalog built into the program when
 * path is NULL; stored in the database if it is not yet (sm_catalog_save). *out is owned by
 * the caller (sm_catalog_free). */
int sm_commons_catalog(struct sm_store *store, const struct sm_actor *actor, const char *path,
                       struct sm_catalog **out, struct sm_diag *diag);

/* Analyses the stored guidelines ids[0..n) against catalog (which must be stored) on up to
 * threads threads, and saves each result (one transaction per guideline: a failure leaves
 * the earlier results of that guideline intact). progress may be NULL. */
int sm_commons_analyse(struct sm_store *store, const struct sm_actor *actor,
                       const struct sm_catalog *catalog, const int64_t *ids, size_t n,
                       unsigned threads, void (*progress)(void *ctx, size_t done, size_t total),
                       void *ctx, struct sm_diag *diag);

/* Loads the matrix for catalog, judges it by criterion and writes every output into dir
 * (see sm_export_all). *n_guidelines (may be NULL) gets how many guidelines the outputs
 * cover. SM_ENOTFOUND when no guideline has been analysed against catalog. */
int sm_commons_report(struct sm_store *store, const struct sm_catalog *catalog,
                      const struct sm_criterion *criterion, const char *dir, size_t *n_guidelines,
                      struct sm_diag *diag);

#endif

/*
 * The catalog of check items (チェック項目) that guidelines are mapped onto.
 *
 * A catalog is a versioned YAML file kept in the repository (data/catalog/) and compiled
 * into the binary as the default; `smesec catalog validate` checks a file and reports every
 * problem with its line; the working group edits lists in Excel, so a catalog also
 * round-trips through XLSX. Loading it into the database keeps each version that was used,
 * so a report always names the catalog version its scores refer to.
 *
 * A loaded struct sm_catalog is read-only: safe to share between threads.
 */
#ifndef SMESEC_CATALOG_H
#define SMESEC_CATALOG_H

#include "smesec/audit.h"
#include "smesec/buf.h"
#include "smesec/err.h"
#include "smesec/store.h"

#include <stddef.h>

#define SM_STAGES 3 /* 段階 1 (start with what you can) .. 3 (full organisational practice) */

struct sm_category {
    const char *id; /* e.g. "technical" */
    const char *name_ja;
    const char *name_en;
};

/* A string list; items borrowed from the catalog. */
struct sm_strings {
    size_t n;
    const char *const *v;
};

struct sm_check_item {
    const char *id;       /* stable, e.g. "TEC-03" */
    const char *category; /* a category id */
    int stage;            /* the stage the item first applies at, 1..SM_STAGES */
    const char *title_ja;
    const char *title_en;
    const char *description_ja;
    const char *description_en;
    const char *howto_ja; /* a short how-to for the check sheet */
    const char *howto_en;
    const char *example[SM_STAGES]; /* 記載例: how a guideline writes it at stage 1, 2, 3 (ja) */
    struct sm_strings references; /* public sources, e.g. "IPA 5分診断 Q1", "NIST CSF PR.PS-02" */
    /* Detection rules (phrases, matched on lemmas after tokenisation): */
    struct sm_strings terms;   /* any one present makes the sentence a candidate */
    struct sm_strings context; /* when non-empty, one of these must occur in the sentence too */
    struct sm_strings exclude; /* a sentence with any of these is not evidence */
};

struct sm_catalog;

/* Parses a catalog from YAML. SM_EPARSE / SM_EINVAL with the first problem's line in diag
 * (sm_catalog_validate lists them all). *out is owned by the caller (sm_catalog_free). */
int sm_catalog_parse(const char *yaml, size_t n, const char *name, struct sm_catalog **out,
                     struct sm_diag *diag);
int sm_catalog_load_file(const char *path, struct sm_catalog **out, struct sm_diag *diag);

/* The catalog compiled into this binary (data/catalog/). */
int sm_catalog_default(struct sm_catalog **out, struct sm_diag *diag);

void sm_catalog_free(struct sm_catalog *catalog);

/* One problem found by sm_catalog_validate. */
struct sm_catalog_problem {
    long line; /* 1-based; 0 when the problem concerns the whole file */
    char msg[256];
};

/* Checks a catalog file and lists every problem (bad YAML, missing or empty fields, duplicate
 * ids, unknown category, stage out of range, a stage's example missing, no detection terms,
 * ...). *problems is owned by the caller (sm_free) and *n_problems is 0 for a good file.
 * Returns SM_OK when it could check (whatever it found), SM_ENOMEM or SM_EIO. */
int sm_catalog_validate(const char *yaml, size_t n, struct sm_catalog_problem **problems,
                        size_t *n_problems);

const char *sm_catalog_version(const struct sm_catalog *catalog);
/* The catalog's title in Japanese (sm_catalog_title) and English; borrowed. */
const char *sm_catalog_title(const struct sm_catalog *catalog);
const char *sm_catalog_title_en(const struct sm_catalog *catalog);
size_t sm_catalog_n_categories(const struct sm_catalog *catalog);
const struct sm_category *sm_catalog_category(const struct sm_catalog *catalog, size_t i);
const struct sm_category *sm_catalog_find_category(const struct sm_catalog *catalog,
                                                   const char *id);
size_t sm_catalog_n_items(const struct sm_catalog *catalog);
const struct sm_check_item *sm_catalog_item(const struct sm_catalog *catalog, size_t i);
/* The item with id, or NULL; its index in *index when not NULL. */
const struct sm_check_item *sm_catalog_find(const struct sm_catalog *catalog, const char *id,
                                            size_t *index);

/* Writes the catalog as YAML that sm_catalog_parse reads back to an equal catalog. */
int sm_catalog_write_yaml(const struct sm_catalog *catalog, struct sm_buf *out);

/* XLSX round trip. Export writes one sheet of items (a row per item, a column per field;
 * lists joined with " | ") and one of categories. Import reads such a workbook into a new
 * catalog: every row is checked, and on any bad row nothing is returned and *problems lists
 * each bad row (line = the spreadsheet row number). */
int sm_catalog_export_xlsx(const struct sm_catalog *catalog, const char *path,
                           struct sm_diag *diag);
int sm_catalog_import_xlsx(const char *path, struct sm_catalog **out,
                           struct sm_catalog_problem **problems, size_t *n_problems,
                           struct sm_diag *diag);

/* Stores the catalog's version in the database (tables catalogs and check_items) in one
 * transaction with its audit record; a version already stored is left as it is (SM_OK) when
 * identical and refused (SM_EEXIST) when its content differs. */
int sm_catalog_save(struct sm_store *store, const struct sm_actor *actor,
                    const struct sm_catalog *catalog, struct sm_diag *diag);

/* Loads the stored catalog of version (NULL: the newest stored). SM_ENOTFOUND if none. */
int sm_catalog_load_db(struct sm_store *store, const char *version, struct sm_catalog **out,
                       struct sm_diag *diag);

#endif

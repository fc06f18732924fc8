/*
 * Shared between the files of src/catalog/; not part of the public API.
 *
 * A catalog is built in three steps, whatever its source (YAML or a workbook):
 *   1. a reader (parse.c, xlsx_import.c) fills a struct sm_catalog from the input and notes,
 *      for every value, where it came from (a YAML line or a spreadsheet row) in the
 *      struct sm__cat_where beside it, reporting what only it can see (bad YAML, wrong types,
 *      unknown keys or columns);
 *   2. sm__catalog_check (validate.c) checks the rules every catalog obeys, whatever its
 *      source, reporting each problem at the line the reader noted;
 *   3. when there was no problem, sm__catalog_finish (catalog.c) builds the lookup indices.
 * Every string and array of a catalog lives in its arena, freed at once by sm_catalog_free.
 */
#ifndef SM_CATALOG_INTERNAL_H
#define SM_CATALOG_INTERNAL_H

#include "smesec/catalog.h"

#include <stdbool.h>
#include <stddef.h>

/* Limits on outside input. */
#define SM__CATALOG_MAX_BYTES      ((size_t)16 << 20) /* a catalog file */
#define SM__CATALOG_MAX_ITEMS      10000
#define SM__CATALOG_MAX_CATEGORIES 1000
#define SM__CATALOG_MAX_LIST       1000  /* entries in one list (references, terms, ...) */
#define SM__CATALOG_MAX_PROBLEMS   1000  /* problems listed before giving up */
#define SM__CATALOG_MAX_CELL       32767 /* Excel's limit on a cell's text, in UTF-16 units */

/* --- Arena ------------------------------------------------------------------------------ */

struct sm__cat_chunk;

/* Many small allocations freed together. Zero-initialised is empty. */
struct sm__cat_arena {
    struct sm__cat_chunk *head;
};

void sm__cat_arena_release(struct sm__cat_arena *a);
/* n bytes aligned for any type (zeroed), or NULL when out of memory. */
void *sm__cat_alloc(struct sm__cat_arena *a, size_t n);
/* count * size bytes, zeroed, or NULL on overflow or out of memory. */
void *sm__cat_calloc(struct sm__cat_arena *a, size_t count, size_t size);
/* A NUL-terminated copy of s[0..n), or NULL. */
char *sm__cat_strndup(struct sm__cat_arena *a, const char *s, size_t n);

/* --- Where each value came from --------------------------------------------------------- */

enum sm__top_field {
    SM__TOP_VERSION,
    SM__TOP_TITLE,
    SM__TOP_TITLE_EN,
    SM__TOP_CATEGORIES,
    SM__TOP_ITEMS,
    SM__TOP_COUNT
};

enum sm__category_field {
    SM__CF_ID,
    SM__CF_NAME_JA,
    SM__CF_NAME_EN,
    SM__CF_COUNT
};

enum sm__item_field {
    SM__IF_ID,
    SM__IF_CATEGORY,
    SM__IF_STAGE,
    SM__IF_TITLE_JA,
    SM__IF_TITLE_EN,
    SM__IF_DESCRIPTION_JA,
    SM__IF_DESCRIPTION_EN,
    SM__IF_HOWTO_JA,
    SM__IF_HOWTO_EN,
    SM__IF_EXAMPLES,
    SM__IF_REFERENCES,
    SM__IF_RULES,
    SM__IF_TERMS,
    SM__IF_CONTEXT,
    SM__IF_EXCLUDE,
    SM__IF_COUNT
};

#define SM__WHERE_FIELDS 16

/* Lines (or spreadsheet rows) of one mapping and its fields; 0 where a field was absent. A
 * field that is present has a non-NULL value in the catalog (possibly ""); an absent one is
 * NULL (strings) or has present[f] false (lists, stage). */
struct sm__cat_where {
    long at;                     /* the mapping (or row) itself */
    long line[SM__WHERE_FIELDS]; /* indexed by the enums above */
    bool present[SM__WHERE_FIELDS];
    bool reported[SM__WHERE_FIELDS]; /* the reader already reported this field (wrong type) */
    size_t n_examples;               /* entries given under examples (must be SM_STAGES) */
    const char *stage_text;          /* the stage as written, for messages */
};

/* The names of the fields, as written in YAML and in the spreadsheet's header row. */
extern const char *const sm__catalog_top_field_names[SM__TOP_COUNT];
extern const char *const sm__catalog_category_field_names[SM__CF_COUNT];
extern const char *const sm__catalog_item_field_names[SM__IF_COUNT];

struct sm_catalog {
    struct sm__cat_arena arena;
    const char *version;
    const char *title;
    const char *title_en;
    size_t n_categories;
    struct sm_category *categories;
    size_t n_items;
    struct sm_check_item *items;
    /* Where things came from: used while checking, kept for messages. */
    struct sm__cat_where where;           /* the top-level fields */
    struct sm__cat_where *category_where; /* one per category */
    struct sm__cat_where *item_where;     /* one per item */
    /* Lookup, built by sm__catalog_finish: indices sorted by id. */
    size_t *category_by_id;
    size_t *item_by_id;
};

/* An empty list's entries (n == 0 but v not NULL). */
extern const char *const sm__catalog_no_strings[1];

/* A new, empty catalog (owned by the caller, sm_catalog_free). NULL when out of memory. */
struct sm_catalog *sm__catalog_new(void);

/* Builds the lookup indices of a catalog that passed sm__catalog_check without problems.
 * SM_OK or SM_ENOMEM. */
int sm__catalog_finish(struct sm_catalog *c);

/* --- Problems --------------------------------------------------------------------------- */

/* A growing list of problems. Zero-initialised is empty. Adding stops quietly after
 * SM__CATALOG_MAX_PROBLEMS (one last entry says so); running out of memory sets oom, which
 * the caller turns into SM_ENOMEM at the end, so checking code need not test every call. */
struct sm__problems {
    struct sm_catalog_problem *v;
    size_t n;
    size_t cap;
    bool oom;
    bool malformed; /* the input could not be read at all (bad YAML, not a workbook) */
    bool too_large; /* a size limit was passed */
    /* Put before each message about the top-level fields, a category or an item when not
     * NULL: the spreadsheet reader names the sheet ("sheet 'items': "). */
    const char *prefix[3];
    int section; /* which prefix applies now: enum sm__section */
    bool rows;   /* lines are spreadsheet rows (for messages: "row 12", not "line 12") */
};

enum sm__section {
    SM__SEC_TOP,
    SM__SEC_CATEGORIES,
    SM__SEC_ITEMS
};

void sm__catalog_problem_add(struct sm__problems *p, long line, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Sorts by line (stable: problems on one line keep the order they were found in). */
void sm__catalog_problems_sort(struct sm__problems *p);
void sm__catalog_problems_release(struct sm__problems *p);
/* Hands the list to the caller (sm_free), or frees it and returns NULL when it is empty. */
struct sm_catalog_problem *sm__catalog_problems_take(struct sm__problems *p, size_t *n);

/* Checks every rule of a catalog (validate.c), adding a problem for each break. For a catalog
 * read from YAML the messages name fields as YAML keys; the spreadsheet reader uses the same
 * names for its columns. */
void sm__catalog_check(const struct sm_catalog *c, struct sm__problems *p);

/* Reads YAML into a catalog and adds the problems only a reader sees (parse.c). *out is set
 * (caller owns it) whenever the YAML was well-formed enough to build one, even with
 * problems; SM_ENOMEM is the only failure. */
int sm__catalog_read_yaml(const char *yaml, size_t n, struct sm_catalog **out,
                          struct sm__problems *p);

/* The whole job of sm_catalog_parse: read, check, finish. On problems, *problems receives
 * them (when not NULL) and the result is SM_EPARSE, SM_EINVAL or SM_ELIMIT with the first
 * in diag. */
int sm__catalog_from_yaml(const char *yaml, size_t n, const char *name, struct sm_catalog **out,
                          struct sm__problems *problems, struct sm_diag *diag);

/* Copies s into out (size bytes) for quoting in a message, cut at a character boundary with
 * "..." when too long. Returns out. */
const char *sm__catalog_quote(char *out, size_t size, const char *s);

/* The Levenshtein distance between a and b, or a large number when either is long. */
size_t sm__catalog_edit_distance(const char *a, const char *b);

/* Checks one string value: valid UTF-8, no control characters but tab and line feed, at
 * most SM__CATALOG_MAX_CELL UTF-16 units. Adds a problem naming what at line. */
void sm__catalog_check_text(struct sm__problems *p, long line, const char *what, const char *s);

#endif

/*
 * Shared between the files of src/sharing/; not part of the public API.
 *
 * Results live in an arena their priv field points to, as in the registry: sm__sh_new makes
 * the arena and the zeroed object in it, sm__sh_free releases both.
 */
#ifndef SM_SHARING_INTERNAL_H
#define SM_SHARING_INTERNAL_H

#include "smesec/arena.h"
#include "smesec/sharing.h"
#include "store/sql.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SM__SH_ARENA_MAX ((size_t)512 << 20)

int sm__sh_new(size_t size, struct sm_arena **arena, void **obj);
void sm__sh_free(void *priv);
/* Makes room for one more zeroed element of size bytes in a growable arena array. */
void *sm__sh_push(struct sm_arena *a, void **items, size_t *n, size_t *cap, size_t size);

/* The audit record of who's action on object, inside the caller's transaction. */
int sm__sh_audit(struct sm_store *store, const struct sm_registry_who *who, const char *action,
                 const char *object, const char *detail, struct sm_diag *diag);

int64_t sm__sh_now(void);

/* Today's date into out: today when it is a valid date, else the real one. */
void sm__sh_today(const char *today, char out[11]);

/* The ids of provider_id's services listed today, sorted, in *ids (sm_free); SM_OK with
 * *n 0 when there are none. */
int sm__sh_listed_services(struct sm_store *store, int64_t provider_id, const char *today,
                           int64_t **ids, size_t *n, struct sm_diag *diag);

/* Checks that s (may be NULL) is valid UTF-8 without control characters other than TAB
 * and, when multiline, LF and CR, and at most max bytes. */
int sm__sh_check_text(const char *what, const char *s, size_t max, bool multiline,
                      struct sm_diag *diag);

/* The first max bytes of s (valid UTF-8) cut at a character boundary, with "…" when cut,
 * for quoting a value in a message. out needs max + 4 bytes. */
const char *sm__sh_quote(const char *s, size_t max, char *out);
#define SM__QUOTE_MAX 60

/* sm_incident_set for field number f of sm_incident_fields (the CSV import has the numbers
 * from the header, and spares the name lookup on every cell). */
int sm__incident_set_index(struct sm_incident *in, size_t f, const char *value,
                           struct sm_diag *diag);

/* Parses a whole decimal number in [lo, hi]. */
int sm__sh_parse_int(const char *s, int64_t lo, int64_t hi, int64_t *out);

/* The customer's dictionary of the last report anonymised, kept while the next reports
 * name the same customer (a provider's file often lists one customer's incidents together). */
struct sm__anon_cache {
    char *name;
    struct sm_scrub_dict *dict;
    char *family_in; /* the last family reported, and its answer */
    char *family_out;
    bool family_with_name; /* whether that answer was with the name's dictionary */
};

int sm__anonymise_cached(struct sm__anon_cache *c, const struct sm_scrub_dict *dict,
                         const struct sm_incident *in, struct sm_incident_anon *out,
                         struct sm_diag *diag);
void sm__anon_cache_release(struct sm__anon_cache *c);

/* The canonical family name of a reported one after scrubbing, or NULL (see anon.c). */
char *sm__family_shared(const struct sm_scrub_dict *dict, const char *extra, const char *family);

/* A submission in progress (reports.c): one transaction, the provider's checks made once,
 * statements prepared once, count changes gathered and written at the end. Used by
 * sm_sharing_submit for a batch and by sm_sharing_import_csv row by row, so that a million
 * rows need memory for one row at a time. n_status is the number of reports whose status
 * is kept (0: none, for a stream). */
struct sm__submit;
int sm__submit_open(struct sm_store *store, const struct sm_registry_who *who, bool all_or_nothing,
                    const char *today, size_t n_status, struct sm__submit **out,
                    struct sm_diag *diag);
/* Records an error of report index (row -1 when not from CSV); at most 1000 are kept. */
int sm__submit_error(struct sm__submit *s, size_t index, long row, const char *field,
                     const char *message);
/* Checks, anonymises and stores one report; bad: it had errors already recorded. */
int sm__submit_one(struct sm__submit *s, size_t index, long row, const struct sm_incident *in,
                   bool bad, struct sm_diag *diag);
/* Ends the submission with rc so far: commits, or rolls back (all-or-nothing with a refused
 * report gives SM_EINVAL and the result), and frees s. */
int sm__submit_close(struct sm__submit *s, int rc, struct sm_submit_result **out,
                     struct sm_diag *diag);

/* Vocabulary of the tables: JSIC letters and the recovery bands in order. */
extern const char *const sm__industries[SM_INDUSTRY_COUNT];
#define SM__RECOVERY_BANDS 6
extern const char *const sm__recovery_bands[SM__RECOVERY_BANDS];

#endif

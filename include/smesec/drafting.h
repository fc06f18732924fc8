/*
 * Drafting support (策定支援) for an industry that has no guideline yet, or is revising one:
 * the association uploads its draft (or starts from none), chooses the stage it aims at
 * (1 start with what you can, 2 organised work, 3 full organisational practice), and gets
 *
 *   - a gap report: every common item (smesec/commonref.h) of that stage or below that the
 *     draft does not write, or writes below the common reference score, with the example
 *     description (記載例) for the stage aimed at and the draft's best sentence, if any;
 *   - a starter guideline laid out by category, with the example descriptions of every
 *     common item up to that stage, for the association to edit (Markdown, and print-ready
 *     HTML for A4).
 *
 * A draft is stored with its pages (so it can be analysed in the background, see
 * smesec/jobs.h) and is private to the user who added it. The report and the starter are
 * pure functions of the common reference and the draft's scores, so they are tested
 * without a database.
 */
#ifndef SMESEC_DRAFTING_H
#define SMESEC_DRAFTING_H

#include "smesec/audit.h"
#include "smesec/buf.h"
#include "smesec/catalog.h"
#include "smesec/commonref.h"
#include "smesec/commons.h"
#include "smesec/err.h"
#include "smesec/store.h"
#include "smesec/text.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* --- Drafts in the database ------------------------------------------------------------ */

/* What the association says about its draft; all borrowed. */
struct sm_draft_meta {
    const char *industry; /* required, e.g. "物流" */
    const char *title;    /* required */
    const char *filename; /* the uploaded file's name; may be NULL */
    int stage;            /* 1..3 */
};

/* Stores a draft of user_id with its pages (doc may be NULL: no draft yet, the report then
 * shows every common item as a gap), in one transaction with its audit record
 * ("draft.add"). SM_EINVAL for bad meta (required fields: valid UTF-8, at most 500 bytes;
 * stage 1..3). */
int sm_draft_add(struct sm_store *store, const struct sm_actor *actor, int64_t user_id,
                 const struct sm_draft_meta *meta, const struct sm_document *doc, int64_t *id_out,
                 struct sm_diag *diag);

/* The draft's score on one check item. */
struct sm_draft_score {
    const char *item_id;
    int score;            /* SM_SCORE_* */
    int page;             /* the best sentence's page, 0 when none */
    const char *evidence; /* the best sentence, or NULL */
};

/* A stored draft. Owned by the caller (sm_draft_free); strings with it. */
struct sm_draft {
    int64_t id;
    int64_t user_id;
    const char *industry;
    const char *title;
    const char *filename; /* may be NULL */
    int stage;
    int n_pages;
    const char *catalog_version; /* of its scores; NULL until analysed */
    int64_t created_at;
    int64_t analysed_at; /* 0 until analysed */
    size_t n_scores;
    struct sm_draft_score *scores;
    void *priv;
};

int sm_draft_get(struct sm_store *store, int64_t id, struct sm_draft **out, struct sm_diag *diag);
void sm_draft_free(struct sm_draft *draft);

/* The drafts of user_id (0: every draft), newest first, without their scores. Owned by the
 * caller (sm_draft_list_free). */
struct sm_draft_list {
    size_t n;
    struct sm_draft *items;
    void *priv;
};

int sm_draft_list(struct sm_store *store, int64_t user_id, struct sm_draft_list **out,
                  struct sm_diag *diag);
void sm_draft_list_free(struct sm_draft_list *list);

/* The draft's pages as a document (owned by the caller). SM_ENOTFOUND for an unknown draft;
 * a draft without pages gives a document of no pages. */
int sm_draft_document(struct sm_store *store, int64_t id, struct sm_document **out,
                      struct sm_diag *diag);

/* Saves the analysis of draft id against the stored catalog version, replacing any earlier
 * one, in one transaction with its audit record ("draft.analyse"). */
int sm_draft_save_analysis(struct sm_store *store, const struct sm_actor *actor, int64_t id,
                           const char *catalog_version, const struct sm_analysis *analysis,
                           struct sm_diag *diag);

/* Deletes the draft with its pages and scores, in one transaction with its audit record. */
int sm_draft_delete(struct sm_store *store, const struct sm_actor *actor, int64_t id,
                    struct sm_diag *diag);

/* --- The gap report and the starter ---------------------------------------------------- */

/* One common item of the stage aimed at or below. */
struct sm_gap_row {
    size_t item;                       /* index in the catalog */
    const struct sm_check_item *check; /* borrowed */
    int score;                         /* the draft's (0 when not written or no draft) */
    int reference;                     /* the common reference score (1 or 2) */
    bool gap;                          /* score < reference */
    const char *example;               /* the example description for the stage aimed at */
    int page;                          /* the draft's best sentence's page, 0 when none */
    const char *evidence;              /* that sentence, or NULL */
};

/* Owned by the caller (sm_gap_report_free); borrows the reference's catalog and the draft,
 * which must outlive it. */
struct sm_gap_report {
    const struct sm_catalog *catalog;
    int stage;
    bool has_draft;      /* a draft with scores was given */
    bool fallback;       /* the reference is the fallback (see commonref.h) */
    size_t n_guidelines; /* behind the reference */
    size_t n_rows;       /* common items of stage <= stage, catalog order */
    size_t n_gaps;       /* rows with gap set */
    size_t n_missing;    /* gaps the draft does not write at all */
    struct sm_gap_row *rows;
};

/* Builds the report of draft (NULL: no draft) against ref for stage (1..3; SM_EINVAL
 * otherwise). A draft scored against another catalog version counts as not analysed. */
int sm_gap_report_build(const struct sm_common_ref *ref, const struct sm_draft *draft, int stage,
                        struct sm_gap_report **out);
void sm_gap_report_free(struct sm_gap_report *report);

/* What the starter document states on its first page; all borrowed. */
struct sm_starter_info {
    const char *industry;     /* the industry's name, e.g. "物流"; required */
    const char *generated_at; /* "YYYY-MM-DD" */
    const char *criterion_ja; /* the reference's criterion in words (may be NULL) */
    const char *criterion_en;
};

/* The starter guideline (業界ガイドラインのたたき台), by category: for every row of the
 * report, the item as a clause with its example description for the stage, marked where
 * the draft already writes it. Markdown (text escaped), or a complete print-ready HTML
 * document (A4, its own styles; text escaped). Appended to out. */
int sm_starter_markdown(const struct sm_gap_report *report, const struct sm_starter_info *info,
                        struct sm_buf *out);
int sm_starter_html(const struct sm_gap_report *report, const struct sm_starter_info *info,
                    struct sm_buf *out);

#endif

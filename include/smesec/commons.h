/*
 * Guideline commons: mapping a guideline onto the check items with evidence, and judging
 * which items are common.
 *
 * Mapping. Each page is split into sentences and tokenised by MeCab (IPA dictionary) into
 * lemmas, so matching survives inflection; the text was already normalised (widths,
 * variants). A sentence is evidence for an item when one of its terms occurs (as a lemma
 * sequence), one of its context phrases occurs too (when it has any), none of its exclusions
 * does, and the term is not negated ("…しない", "不要", "必要はない" right after it). A sentence
 * scores 2 when it is concrete — it says who (担当者, 責任者, 管理者…), how often (毎月, 年1回,
 * 定期的に…) or how (手順, 方法, 設定…) — else 1. An item's score is its best sentence's; 0 when
 * no sentence is evidence.
 *
 * Every result carries how it was made (method), how sure it is (strength 0-10) and the
 * relation in NIST OLIR / OSCAL mapping terms, and starts as a proposal an analyst accepts or
 * rejects; an analyst may override any cell with a note.
 *
 * Judgement. A criterion decides which items are common: by default an item is common when
 * at least half of the analysed guidelines score it >= 1; also "N of M" (count) or a minimum
 * mean score. Every output prints the criterion it used.
 */
#ifndef SMESEC_COMMONS_H
#define SMESEC_COMMONS_H

#include "smesec/buf.h"
#include "smesec/catalog.h"
#include "smesec/err.h"
#include "smesec/i18n.h"
#include "smesec/text.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SM_SCORE_NONE     0 /* not written */
#define SM_SCORE_MENTION  1 /* mentioned */
#define SM_SCORE_CONCRETE 2 /* a concrete measure: who, what, how often, how */

enum sm_relation {
    SM_REL_EQUAL,
    SM_REL_SUBSET,
    SM_REL_SUPERSET,
    SM_REL_INTERSECTS,
    SM_REL_NOT_RELATED
};

/* OSCAL's spelling: "equal-to", "subset-of", "superset-of", "intersects-with",
 * "no-relationship". */
const char *sm_relation_name(enum sm_relation rel);

enum sm_method {
    SM_METHOD_AUTO,  /* proposed by the analyser */
    SM_METHOD_MANUAL /* set by an analyst (an override) */
};

const char *sm_method_name(enum sm_method method); /* "auto" / "manual" */

enum sm_review {
    SM_REVIEW_PROPOSED,
    SM_REVIEW_ACCEPTED,
    SM_REVIEW_REJECTED
};

const char *sm_review_name(enum sm_review review); /* "proposed" / "accepted" / "rejected" */
int sm_review_parse(const char *name, enum sm_review *out);

/* A sentence that supports a score. */
struct sm_evidence {
    int page;      /* page number, from 1 */
    size_t offset; /* byte offset of the sentence in the page's normalised text */
    size_t len;    /* its length in bytes */
    char *text;    /* a copy of the sentence */
    int score;     /* what this sentence alone scores (1 or 2) */
    char *matched; /* the term that matched, as written in the catalog */
};

/* The analyser's result for one item of one guideline. */
struct sm_item_result {
    const char *item_id; /* borrowed from the catalog */
    int score;           /* SM_SCORE_* */
    int strength;        /* 0..10: how sure the analyser is */
    enum sm_relation relation;
    size_t n_evidence; /* best first; at most SM_MAX_EVIDENCE */
    struct sm_evidence *evidence;
};

#define SM_MAX_EVIDENCE 5

/* One document's results, one per catalog item in catalog order. Owned by the caller
 * (sm_analysis_free). */
struct sm_analysis {
    size_t n_items;
    struct sm_item_result *items;
};

void sm_analysis_free(struct sm_analysis *analysis);

/* An analyser holds a MeCab tagger and the catalog's rules compiled to lemma sequences. It is
 * not thread-safe: use one per thread (they may share the catalog). */
struct sm_analyzer;

/* SM_EUNSUPPORTED with a reason when MeCab or its IPA dictionary cannot be loaded. The
 * catalog is borrowed and must outlive the analyser. */
int sm_analyzer_new(const struct sm_catalog *catalog, struct sm_analyzer **out,
                    struct sm_diag *diag);
void sm_analyzer_free(struct sm_analyzer *analyzer);

/* Maps doc onto every item of the analyser's catalog. */
int sm_analyze(struct sm_analyzer *analyzer, const struct sm_document *doc,
               struct sm_analysis **out, struct sm_diag *diag);

/* Analyses several documents on up to threads threads (0: one per core), one analyser per
 * thread. out[i] receives doc i's result (owned by the caller); on failure every out[i] is
 * NULL and diag names the document. progress (may be NULL) is called after each document,
 * from the calling thread's view serialised, with the number done so far. */
int sm_analyze_many(const struct sm_catalog *catalog, const struct sm_document *const *docs,
                    size_t n_docs, unsigned threads, struct sm_analysis **out,
                    void (*progress)(void *ctx, size_t done, size_t total), void *ctx,
                    struct sm_diag *diag);

/* --- Judging the common items ----------------------------------------------------------- */

enum sm_criterion_kind {
    SM_CRIT_SHARE, /* at least share (0..1] of the guidelines score >= min_score */
    SM_CRIT_COUNT, /* at least count guidelines score >= min_score */
    SM_CRIT_MEAN   /* the mean score is at least mean */
};

struct sm_criterion {
    enum sm_criterion_kind kind;
    double share;
    int count;
    double mean;
    int min_score; /* 1 or 2 */
};

/* Share 0.5, min_score 1: common when at least half the guidelines mention the item. */
void sm_criterion_default(struct sm_criterion *c);

/* Parses "share:0.5", "share:0.5:min=2", "count:3", "count:3:min=2", "mean:1.2".
 * SM_EINVAL with the reason in diag. */
int sm_criterion_parse(const char *spec, struct sm_criterion *out, struct sm_diag *diag);

/* The criterion in words, for every output: e.g. "共通項の基準:
 * 分析した12件のうち半数以上（6件以上）で 得点1以上" / "Common-item criterion: scored 1 or more in
 * at least half (6 or more) of the 12 guidelines analysed". n_guidelines may be 0 when not known
 * yet. */
int sm_criterion_describe(const struct sm_criterion *c, size_t n_guidelines, enum sm_lang lang,
                          struct sm_buf *out);

/* The spec string that sm_criterion_parse reads back, e.g. "share:0.5:min=1". */
int sm_criterion_format(const struct sm_criterion *c, struct sm_buf *out);

/* One cell of the matrix: a guideline's standing on an item, after any override. */
struct sm_cell {
    int score;      /* -1 when the guideline was not analysed against this item */
    int auto_score; /* what the analyser proposed (-1 none) */
    int strength;
    enum sm_relation relation;
    enum sm_method method; /* SM_METHOD_MANUAL when an analyst overrode the score */
    enum sm_review review;
    const char *note; /* the override's note, or NULL */
    size_t n_evidence;
    const struct sm_evidence *evidence;
};

struct sm_matrix_guideline {
    int64_t id;
    const char *industry;
    const char *publisher;
    const char *title;
    const char *version;
    int year;
};

/* Items × guidelines. Built by sm_matrix_load (guideline.h) or by hand in tests; cells are
 * row-major: cell (item i, guideline g) is cells[i * n_guidelines + g]. */
struct sm_matrix {
    const struct sm_catalog *catalog; /* borrowed */
    size_t n_items;                   /* == sm_catalog_n_items(catalog) */
    size_t n_guidelines;
    const struct sm_matrix_guideline *guidelines;
    const struct sm_cell *cells;
};

/* How many cells are reviewed (accepted, rejected or manual) out of all analysed cells. */
void sm_matrix_review_counts(const struct sm_matrix *m, size_t *reviewed, size_t *total);

/* The judgement per item. Owned by the caller (sm_judgement_free). */
struct sm_judgement {
    struct sm_criterion criterion;
    size_t n_items;
    bool *common;    /* per item */
    int *reference;  /* per item: the common-item reference score (the highest score s such
                      * that the criterion holds counting guidelines with score >= s), or 0
                      * for an item that is not common */
    double *mean;    /* per item: mean score over the guidelines analysed */
    size_t *written; /* per item: guidelines scoring >= 1 */
    size_t n_common;
};

int sm_judge(const struct sm_matrix *m, const struct sm_criterion *c, struct sm_judgement **out);
void sm_judgement_free(struct sm_judgement *j);

/* True when cell (item, guideline) is below the item's reference score and so marked for the
 * industry's review. */
bool sm_judgement_below(const struct sm_judgement *j, const struct sm_matrix *m, size_t item,
                        size_t guideline);

#endif

/*
 * The SME self-check (セルフチェック): the common items as plain questions, answered "done",
 * "partly", "not done" or "don't know" (or "does not apply"), scored the way IPA's 5-minute
 * self-diagnosis scores its 25 questions:
 *
 *   done 4, partly 2, not done 0, don't know -1, does not apply 4 (as IPA counts it);
 *   total = points x 100 / (4 x questions), truncated toward zero, so 100 means every
 *   question is done (or does not apply) and the range is -25..100;
 *   bands: 100, 70-99, 50-69, 49 or less, each with its advice.
 *
 * A score per category is computed the same way over that category's questions.
 *
 * Which items are asked: the common items of a struct sm_common_ref (smesec/commonref.h),
 * grouped by category (catalog order), then by stage, then in catalog order. Each has a
 * question written for a small company's owner in Japanese and English; an item without
 * one is asked by its title.
 *
 * Nothing is stored unless the SME asks: a result may be saved under a private link (a
 * random token; only its hash is kept, and the holder of the link may delete it), and the
 * scores may be contributed anonymously with only the industry (JSIC major group) and size
 * band, for the peer comparison. Peers are shown only where at least
 * SM_SELFCHECK_PEER_MIN contributions exist.
 *
 * Functions without a store are pure and thread-safe; those with one use it from one thread
 * at a time.
 */
#ifndef SMESEC_SELFCHECK_H
#define SMESEC_SELFCHECK_H

#include "smesec/auth.h"
#include "smesec/buf.h"
#include "smesec/catalog.h"
#include "smesec/commonref.h"
#include "smesec/err.h"
#include "smesec/i18n.h"
#include "smesec/store.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum sm_answer {
    SM_ANSWER_NONE, /* not answered */
    SM_ANSWER_DONE,
    SM_ANSWER_PARTLY,
    SM_ANSWER_NOT_DONE,
    SM_ANSWER_UNKNOWN, /* don't know */
    SM_ANSWER_NA       /* does not apply to this company */
};

#define SM_ANSWER_COUNT 6

/* "", "done", "partly", "not_done", "unknown", "na". Static. */
const char *sm_answer_name(enum sm_answer a);
/* Parses a name other than ""; SM_EINVAL otherwise. */
int sm_answer_parse(const char *name, enum sm_answer *out);
/* 4, 2, 0, -1, 4; 0 for SM_ANSWER_NONE. */
int sm_answer_points(enum sm_answer a);

enum sm_selfcheck_band {
    SM_BAND_FULL, /* 100 */
    SM_BAND_GOOD, /* 70-99 */
    SM_BAND_FAIR, /* 50-69 */
    SM_BAND_LOW   /* 49 or less */
};

const char *sm_selfcheck_band_name(enum sm_selfcheck_band b); /* "full", "good", "fair", "low" */
enum sm_selfcheck_band sm_selfcheck_band_of(int score);

/* Where an Otasuketai service is the natural next step for a gap. */
enum sm_selfcheck_help {
    SM_HELP_NONE,
    SM_HELP_MONITORING, /* a device or service that watches the network or each PC */
    SM_HELP_INCIDENT    /* someone to call, and who comes, when something has happened */
};

struct sm_selfcheck_question {
    size_t item;                       /* index in the catalog */
    const struct sm_check_item *check; /* borrowed from the catalog */
    const char *question_ja;           /* static, or the item's title */
    const char *question_en;
    enum sm_selfcheck_help help;
};

/* The sheet: the questions in the order they are asked. Owned by the caller
 * (sm_selfcheck_sheet_free); borrows the catalog, which must outlive it. */
struct sm_selfcheck_sheet {
    const struct sm_catalog *catalog;
    size_t n;
    struct sm_selfcheck_question *q;
};

/* The sheet of ref's common items. SM_ENOMEM. */
int sm_selfcheck_sheet_new(const struct sm_common_ref *ref, struct sm_selfcheck_sheet **out);
void sm_selfcheck_sheet_free(struct sm_selfcheck_sheet *sheet);

/* The built-in question for item_id: *ja, *en (static) and *help (each may be NULL).
 * SM_ENOTFOUND when there is none. */
int sm_selfcheck_question_text(const char *item_id, const char **ja, const char **en,
                               enum sm_selfcheck_help *help);

/* Writes answers (one per question of sheet) as text, "GOV-01=done;TEC-01=partly", leaving
 * out unanswered questions. */
int sm_selfcheck_answers_format(const struct sm_selfcheck_sheet *sheet,
                                const enum sm_answer *answers, struct sm_buf *out);

/* Reads answers text back against sheet: answers[i] (sheet->n of them, set to
 * SM_ANSWER_NONE first) gets the answer for question i; pairs for items not on the sheet
 * are ignored. SM_EPARSE (reason in diag) for text that is not pairs of an item id and an
 * answer name, or longer than 64 KiB. */
int sm_selfcheck_answers_parse(const struct sm_selfcheck_sheet *sheet, const char *text,
                               enum sm_answer *answers, struct sm_diag *diag);

/* A sheet of exactly the items that answers text names (in sheet order; items the catalog
 * does not have are skipped), for a result answered on an earlier set of common items.
 * *answers_out (owned by the caller, sm_free) gets the answers. SM_EPARSE as above;
 * SM_EINVAL when no item of the catalog is named. */
int sm_selfcheck_sheet_for_answers(const struct sm_catalog *catalog, const char *text,
                                   struct sm_selfcheck_sheet **sheet_out,
                                   enum sm_answer **answers_out, struct sm_diag *diag);

/* The score of one category. */
struct sm_selfcheck_category {
    const struct sm_category *category; /* borrowed from the catalog */
    size_t n_questions;
    int points, max_points;
    int score; /* as the total, over this category's questions */
};

/* A scored self-check. Owned by the caller (sm_selfcheck_result_free). */
struct sm_selfcheck_result {
    int score; /* -25..100 */
    int points, max_points;
    enum sm_selfcheck_band band;
    size_t counts[SM_ANSWER_COUNT]; /* questions per answer */
    size_t n_categories;            /* categories with at least one question, catalog order */
    struct sm_selfcheck_category *categories;
};

/* Scores answers (one per question of sheet). SM_EINVAL when the sheet is empty or a
 * question is unanswered (diag says how many). */
int sm_selfcheck_score(const struct sm_selfcheck_sheet *sheet, const enum sm_answer *answers,
                       struct sm_selfcheck_result **out, struct sm_diag *diag);
void sm_selfcheck_result_free(struct sm_selfcheck_result *result);

/* --- Profile: where, what and how big (all optional) ----------------------------------- */

/* A choice of a closed list. Static. */
struct sm_selfcheck_choice {
    const char *code;
    const char *name_ja;
    const char *name_en;
};

/* The 20 major groups of the Japan Standard Industrial Classification (A..T). */
size_t sm_selfcheck_n_industries(void);
const struct sm_selfcheck_choice *sm_selfcheck_industry(size_t i);
/* Size bands by number of employees: "1-5", "6-20", "21-50", "51-100", "101-300", "301-". */
size_t sm_selfcheck_n_sizes(void);
const struct sm_selfcheck_choice *sm_selfcheck_size(size_t i);
/* The choice with code, or NULL. */
const struct sm_selfcheck_choice *sm_selfcheck_find_industry(const char *code);
const struct sm_selfcheck_choice *sm_selfcheck_find_size(const char *code);

/* What the SME told about itself; "" for not given. */
struct sm_selfcheck_profile {
    char prefecture[3]; /* "01".."47" */
    char industry[2];   /* "A".."T" */
    char size[8];       /* a size band code */
};

/* Sets the profile from the texts given (NULL or "" for none). SM_EINVAL (reason in diag)
 * for a value outside its list. */
int sm_selfcheck_profile_set(struct sm_selfcheck_profile *p, const char *prefecture,
                             const char *industry, const char *size, struct sm_diag *diag);

/* --- Kept results, contributions and peers --------------------------------------------- */

/* Saves the answers with the profile under a new private link, in one transaction with
 * its audit record ("selfcheck.save"; nothing in it identifies the SME). token_out gets
 * the link's token: give it to the SME and keep no copy. */
int sm_selfcheck_save(struct sm_store *store, const struct sm_selfcheck_sheet *sheet,
                      const enum sm_answer *answers, const struct sm_selfcheck_profile *profile,
                      int64_t now, char token_out[SM_TOKEN_SIZE], struct sm_diag *diag);

/* A saved result: the sheet it was answered on and the answers. Owned by the caller
 * (sm_selfcheck_saved_free). */
struct sm_selfcheck_saved {
    struct sm_selfcheck_sheet *sheet;
    enum sm_answer *answers;
    struct sm_selfcheck_profile profile;
    int64_t created_at;
};

/* Loads the result saved under token, answered against catalog. SM_ENOTFOUND when there is
 * none (or it was deleted). */
int sm_selfcheck_load(struct sm_store *store, const struct sm_catalog *catalog, const char *token,
                      struct sm_selfcheck_saved **out, struct sm_diag *diag);
void sm_selfcheck_saved_free(struct sm_selfcheck_saved *saved);

/* Deletes the result saved under token, in one transaction with its audit record.
 * SM_ENOTFOUND when there is none. */
int sm_selfcheck_delete(struct sm_store *store, const char *token, struct sm_diag *diag);

/* Adds result's scores to the peer comparison for industry (a JSIC code) and size (a band
 * code), both required (SM_EINVAL), with the month of now only; one transaction with its
 * audit record. */
int sm_selfcheck_contribute(struct sm_store *store, const struct sm_selfcheck_result *result,
                            const char *industry, const char *size, int64_t now,
                            struct sm_diag *diag);

/* Peers below this many contributions are not shown. */
#define SM_SELFCHECK_PEER_MIN 5

/* The contributions of one industry and size band. Owned by the caller
 * (sm_selfcheck_peers_free). */
struct sm_selfcheck_peers {
    size_t n;    /* contributions (the most recent 10,000 at most) */
    bool enough; /* n >= SM_SELFCHECK_PEER_MIN */
    double mean; /* mean total score; 0 when n is 0 */
    size_t n_categories;

    struct sm_selfcheck_peer_category {
        char category[64]; /* category id */
        size_t n;          /* contributions that scored it */
        double mean;
    } * categories;
};

int sm_selfcheck_peers(struct sm_store *store, const char *industry, const char *size,
                       struct sm_selfcheck_peers **out, struct sm_diag *diag);
void sm_selfcheck_peers_free(struct sm_selfcheck_peers *peers);

/* --- The radar chart ------------------------------------------------------------------- */

/* Writes a radar chart of result's category scores (0..100 on each axis; a negative score
 * is drawn at 0) as an SVG element with a title and description, labels in lang, and, when
 * peers is not NULL and enough, the peers' means as a second, dashed polygon. Text is
 * escaped; the element may be inserted into an HTML page as it is. */
int sm_selfcheck_radar_svg(const struct sm_selfcheck_result *result,
                           const struct sm_selfcheck_peers *peers, enum sm_lang lang,
                           struct sm_buf *out);

#endif

/*
 * The Otasuketai service standard (サービス基準) as versioned data, and the conformance
 * report of a service against it.
 *
 * The requirements live in data/standard/service-standard.yaml, compiled into the program:
 * each has an id, the standard versions and service classes it belongs to, titles and text
 * in Japanese and English, and "check: auto" (decided from the service content by a check
 * written in C and keyed by the requirement's id) or "check: judgement" (a reviewer
 * decides). Numbers an auto check compares with (price caps, minimum counts) are limits in
 * the data; a limit written as null is not known from public sources, and the check then
 * asks for a reviewer's judgement instead of inventing one. Loading fails when an auto
 * requirement has no check in C, so the data and the code cannot drift apart silently.
 *
 * A loaded standard is read-only and may be shared between threads.
 */
#ifndef SMESEC_STANDARD_H
#define SMESEC_STANDARD_H

#include "smesec/err.h"
#include "smesec/service.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum sm_check_kind {
    SM_CHECK_AUTO,
    SM_CHECK_JUDGEMENT
};

/* A verdict on one requirement. */
enum sm_verdict {
    SM_VERDICT_PASS,
    SM_VERDICT_FAIL,
    SM_VERDICT_JUDGEMENT /* needs a reviewer's judgement */
};

/* "pass", "fail", "judgement"; static. */
const char *sm_verdict_name(enum sm_verdict v);
int sm_verdict_parse(const char *s, enum sm_verdict *out);
const char *sm_check_kind_name(enum sm_check_kind k); /* "auto", "judgement" */

/* A named number a check compares with. value is SM_UNKNOWN when the data says null. */
struct sm_standard_limit {
    const char *name;
    int64_t value;
};

struct sm_requirement {
    const char *id;
    const char *title_ja;
    const char *title_en;
    const char *text_ja;
    const char *text_en;
    const char *note_ja; /* what is not confirmed, or NULL */
    const char *note_en;
    const char *source; /* where the requirement comes from, or NULL */
    enum sm_check_kind check;
    unsigned classes; /* bit 1 << 1 for class 1, 1 << 2 for class 2 */
    size_t n_versions;
    const char *const *versions;
    size_t n_limits;
    const struct sm_standard_limit *limits;
};

struct sm_standard_version {
    const char *id;        /* "1.1", "2.0" */
    const char *published; /* as the data writes it, e.g. "2024-03-15" */
    unsigned classes;      /* the classes this version defines, as in sm_requirement */
    const char *source;    /* may be NULL */
};

/* A loaded standard; every pointer inside is owned by it (sm_standard_free). */
struct sm_standard {
    const char *title_ja;
    const char *title_en;
    size_t n_versions;
    const struct sm_standard_version *versions; /* oldest first */
    size_t n_requirements;
    const struct sm_requirement *requirements; /* in the data's order */
    void *priv;
};

/* Parses a standard from YAML text yaml[0..n) (name is used in messages). *out is owned by
 * the caller. SM_EPARSE for bad YAML or a missing or mistyped field (diag->line says
 * where), SM_EINVAL for an auto requirement without a check, an unknown version in a
 * requirement, or a duplicate id; SM_ENOMEM. */
int sm_standard_parse(const char *yaml, size_t n, const char *name, struct sm_standard **out,
                      struct sm_diag *diag);

/* The standard compiled into the program, parsed on first use and kept for the life of the
 * process (never free it). Thread-safe. */
int sm_standard_builtin(const struct sm_standard **out, struct sm_diag *diag);

void sm_standard_free(struct sm_standard *std);

/* The newest version's id (the last listed). Borrowed. */
const char *sm_standard_latest(const struct sm_standard *std);
/* The version with this id, or NULL. */
const struct sm_standard_version *sm_standard_version(const struct sm_standard *std,
                                                      const char *id);
/* The requirement with this id, or NULL. */
const struct sm_requirement *sm_standard_find(const struct sm_standard *std, const char *id);
/* True when req belongs to version and to service_class. */
bool sm_requirement_applies(const struct sm_requirement *req, const char *version,
                            int service_class);
/* The limit called name: its value, or SM_UNKNOWN when it is null or absent. */
int64_t sm_requirement_limit(const struct sm_requirement *req, const char *name);

/* One requirement's result. Reasons are NULL on a pass. */
struct sm_conformance_item {
    const struct sm_requirement *req; /* borrowed from the standard */
    enum sm_verdict verdict;
    const char *reason_ja;
    const char *reason_en;
};

/* A conformance report: every requirement of the version and class, in the data's order.
 * Owned by the caller (sm_conformance_free); borrows the standard, which must outlive it. */
struct sm_conformance {
    const char *version;
    int service_class;
    size_t n;
    struct sm_conformance_item *items;
    size_t n_pass, n_fail, n_judgement;
    void *priv;
};

/* Checks content against version (NULL for the latest) of std as of today ("YYYY-MM-DD",
 * which the class-2 tenure check measures from). Auto requirements get pass or fail (or
 * judgement where the data leaves a limit unknown); judgement requirements get judgement.
 * SM_EINVAL for an unknown version, a class the version does not define, or a bad date;
 * SM_ENOMEM. Content that sm_service_content_check refuses can still be checked. */
int sm_standard_check(const struct sm_standard *std, const char *version,
                      const struct sm_service_content *content, const char *today,
                      struct sm_conformance **out, struct sm_diag *diag);

void sm_conformance_free(struct sm_conformance *report);

#endif

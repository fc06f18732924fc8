/*
 * Incident information sharing (情報共有の高度化): providers report the incidents they handled,
 * the library anonymises every report before anything of it leaves the reporting provider,
 * and the anonymised counts come back to providers (and, coarser, to the public) as
 * statistics with small counts suppressed, as CSV and as a STIX 2.1 bundle. See
 * docs/sharing.md for the data flow, the anonymisation rules, the suppression algorithm and
 * TLP handling.
 *
 * Conventions of this header:
 *   - Who acts is a struct sm_registry_who (smesec/registry.h): its role and provider decide
 *     what it may do. Reports come from a provider's staff or its API token; statistics for
 *     providers need a currently registered (publicly listed) service; the operator sees all.
 *   - Dates are "YYYY-MM-DD"; half-years are "YYYYH1" (January to June) or "YYYYH2".
 *     Functions that depend on the date take today from the caller.
 *   - Results are objects owned by the caller and freed with their _free function (which
 *     accepts NULL); strings inside are owned by the object. JSON results are jansson values
 *     owned by the caller (json_decref). Inputs are borrowed.
 *   - Return codes: SM_OK, SM_EINVAL (bad input, reason in diag), SM_EPERM (the access rules
 *     refuse), SM_ENOTFOUND, SM_EPARSE (malformed CSV or JSON, with the row or offset),
 *     SM_ELIMIT, SM_EDB, SM_ENOMEM.
 *   - Nothing here keeps global state: functions are thread-safe on distinct stores, and
 *     the pure ones (parsing, anonymising, suppressing, exporting) are thread-safe.
 */
#ifndef SMESEC_SHARING_H
#define SMESEC_SHARING_H

#include "smesec/buf.h"
#include "smesec/err.h"
#include "smesec/registry.h"
#include "smesec/store.h"

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* --- Vocabularies ---------------------------------------------------------------------- */

/* Traffic Light Protocol 2.0. Ordered from least to most restrictive. */
enum sm_tlp {
    SM_TLP_CLEAR,
    SM_TLP_GREEN,
    SM_TLP_AMBER, /* the default */
    SM_TLP_AMBER_STRICT,
    SM_TLP_RED
};

enum sm_threat {
    SM_THREAT_RANSOMWARE,
    SM_THREAT_MALWARE,  /* other malware; the family goes in malware_family */
    SM_THREAT_PHISHING, /* phishing and spoofed mail */
    SM_THREAT_UNAUTHORIZED_ACCESS,
    SM_THREAT_C2, /* command-and-control traffic */
    SM_THREAT_DEFACEMENT,
    SM_THREAT_OTHER
};

enum sm_detection {
    SM_DETECT_UTM,
    SM_DETECT_EDR,
    SM_DETECT_SOC,
    SM_DETECT_USER /* reported by the user */
};

enum sm_response {
    SM_RESPONSE_REMOTE,
    SM_RESPONSE_ONSITE, /* an engineer was dispatched */
    SM_RESPONSE_NONE    /* no response was needed */
};

enum sm_outcome {
    SM_OUTCOME_BLOCKED,
    SM_OUTCOME_CONTAINED,
    SM_OUTCOME_DAMAGE,
    SM_OUTCOME_LEAK /* data leaked */
};

/* Company size by employees. */
enum sm_size_band {
    SM_SIZE_1_5,
    SM_SIZE_6_20,
    SM_SIZE_21_50,
    SM_SIZE_51_100,
    SM_SIZE_101_300,
    SM_SIZE_301_PLUS
};

/* What the incident cost the customer, in yen. */
enum sm_cost_band {
    SM_COST_NONE,
    SM_COST_LT_100K,  /* under 100,000 */
    SM_COST_100K_1M,  /* 100,000 to under 1,000,000 */
    SM_COST_1M_10M,   /* 1,000,000 to under 10,000,000 */
    SM_COST_10M_PLUS, /* 10,000,000 or more */
    SM_COST_UNKNOWN
};

#define SM_TLP_COUNT       5
#define SM_THREAT_COUNT    7
#define SM_DETECTION_COUNT 4
#define SM_RESPONSE_COUNT  3
#define SM_OUTCOME_COUNT   4
#define SM_SIZE_COUNT      6
#define SM_COST_COUNT      6
#define SM_INDUSTRY_COUNT  20 /* JSIC major groups A..T */

/* The names used in the database, CSV, the API and URLs; static strings. The parse
 * functions return SM_OK or SM_EINVAL and accept exactly these names, except
 * sm_tlp_parse, which also takes "TLP:AMBER" forms and any letter case. */
const char *sm_tlp_name(enum sm_tlp t); /* "clear", "green", "amber", "amber+strict", "red" */
int sm_tlp_parse(const char *s, enum sm_tlp *out);
const char *sm_tlp_label(enum sm_tlp t); /* "TLP:CLEAR" ... "TLP:RED" */
/* The STIX 2.1 marking-definition id of the TLP 2.0 extension (oasis-open
 * cti-stix-common-objects), e.g. "marking-definition--94868c89-..." for CLEAR. */
const char *sm_tlp_stix_id(enum sm_tlp t);

const char *sm_threat_name(enum sm_threat t); /* "ransomware", "malware", "phishing",
                                                 "unauthorized_access", "c2", "defacement",
                                                 "other" */
int sm_threat_parse(const char *s, enum sm_threat *out);
const char *sm_detection_name(enum sm_detection d); /* "utm", "edr", "soc", "user" */
int sm_detection_parse(const char *s, enum sm_detection *out);
const char *sm_response_name(enum sm_response r); /* "remote", "onsite", "none" */
int sm_response_parse(const char *s, enum sm_response *out);
const char *sm_outcome_name(enum sm_outcome o); /* "blocked", "contained", "damage", "leak" */
int sm_outcome_parse(const char *s, enum sm_outcome *out);
const char *sm_size_name(enum sm_size_band s); /* "1-5", "6-20", "21-50", "51-100", "101-300",
                                                  "301+" */
int sm_size_parse(const char *s, enum sm_size_band *out);
const char *sm_cost_name(enum sm_cost_band c); /* "none", "lt_100k", "100k_1m", "1m_10m",
                                                  "10m_plus", "unknown" */
int sm_cost_parse(const char *s, enum sm_cost_band *out);
/* True for a JSIC (日本標準産業分類) major group letter, "A".."T". */
bool sm_industry_valid(const char *s);
/* The recovery band of a number of days, as the statistics count it: "0" (same day),
 * "1-3", "4-7", "8-30", "31+", or "unknown" for SM_UNKNOWN. Static. */
const char *sm_recovery_band(int64_t days);

/* The half-year of a valid date: "2024-05-01" -> "2024H1". out needs 7 bytes. */
void sm_half_of(const char *date, char out[7]);
/* True for "YYYYH1" / "YYYYH2" with a year in the date range. */
bool sm_half_valid(const char *s);

/* --- Reports --------------------------------------------------------------------------- */

/* Limits on one report (bytes of UTF-8). */
#define SM_INCIDENT_ID_MAX       64
#define SM_INCIDENT_NAME_MAX     200 /* customer_name, malware_family */
#define SM_INCIDENT_NOTES_MAX    4000
#define SM_INCIDENT_RECOVERY_MAX 3650

/* One report as the provider gives it. Strings borrowed (input) or owned by the batch. */
struct sm_incident {
    const char *ext_id;      /* the provider's own record id, 1..64 bytes, required */
    const char *detected_on; /* "YYYY-MM-DD", not after today, required */
    int64_t service_id;      /* one of the provider's currently registered services */
    const char *prefecture;  /* the customer's, "01".."47" */
    const char *industry;    /* "A".."T" */
    enum sm_size_band size;
    enum sm_threat threat;
    const char *malware_family; /* may be NULL */
    enum sm_detection detection;
    enum sm_response response;
    enum sm_outcome outcome;
    int64_t recovery_days; /* 0..3650, or SM_UNKNOWN */
    enum sm_cost_band cost;
    const char *notes;         /* free text, may be NULL */
    const char *customer_name; /* the provider's own records only; may be NULL */
    enum sm_tlp tlp;
};

/* Sets every field to "not given": strings NULL, service 0, recovery SM_UNKNOWN, cost
 * unknown, TLP:AMBER, enumerations their first value. */
void sm_incident_init(struct sm_incident *in);

/* The fields of a report, in the order of the CSV columns and the API's names: id,
 * detected_on, service_id, prefecture, industry, size, threat, malware_family, detection,
 * response, outcome, recovery_days, cost_band, notes, customer_name, tlp. */
extern const char *const sm_incident_fields[];
extern const size_t sm_incident_n_fields;
/* Fields that must be given (the others may be empty). */
bool sm_incident_field_required(const char *field);

/* Sets the field called name (one of sm_incident_fields) from its text value; value is
 * borrowed by in. "" leaves an optional field not given. SM_EINVAL with the reason in diag
 * for an unknown name or a bad value (a wrong enumeration name, a number that is not a
 * whole number in range, a date that is not YYYY-MM-DD, text that is not valid UTF-8 or is
 * too long). Does not check cross-field rules or the registry: sm_sharing_submit does. */
int sm_incident_set(struct sm_incident *in, const char *name, const char *value,
                    struct sm_diag *diag);

/* A problem with one report of a batch. */
struct sm_incident_error {
    size_t index;      /* of the report in the batch, from 0; SIZE_MAX for a note about
                          the whole batch */
    long row;          /* the CSV record number (the header is 1), or -1 */
    const char *field; /* NULL when not about one field */
    const char *message;
};

/* Reports parsed from CSV or JSON, each with the errors found in it so far. */
struct sm_incident_batch {
    size_t n;
    struct sm_incident *items;
    bool *bad;  /* bad[i]: items[i] has an error and is not submitted */
    long *rows; /* rows[i]: the CSV record number of items[i], or -1 */
    size_t n_errors;
    struct sm_incident_error *errors;
    void *priv;
};

void sm_incident_batch_free(struct sm_incident_batch *batch);

/* Bounds on what the parsers accept. Zero means the default. */
struct sm_incident_limits {
    size_t max_bytes;   /* default 64 MiB */
    size_t max_records; /* default 100,000 */
    size_t max_errors;  /* errors kept (the rest are counted); default 1,000 */
};

/* The CSV template: a UTF-8 byte-order mark (so spreadsheets read it as UTF-8), the header
 * row with the field names of sm_incident_fields, and one example row, CRLF-ended. */
int sm_incident_csv_template(struct sm_buf *out);

/* Parses CSV data[0..len): UTF-8 (a byte-order mark at the start is allowed and skipped),
 * RFC 4180, a header row naming every column of sm_incident_fields in any order (unknown
 * columns are an error). Refused whole (SM_EPARSE / SM_ELIMIT with the record and byte in
 * diag and no batch): text that is not UTF-8 (diag names the encoding it looks like),
 * UTF-16, a NUL byte, a byte-order mark after the start, malformed quoting, ragged rows,
 * input past the limits. Each cell that a spreadsheet would run as a formula (starting
 * with = + - @ TAB or CR) is an error of its row; a cell starting with "'" is taken without
 * the "'" (the way sm_csv_unneutralise reads it). A quoted line break is an error except in
 * notes. Row errors do not stop parsing: *out (owned by the caller) lists them all, and
 * the result is SM_OK. */
int sm_incident_parse_csv(const char *data, size_t len, const struct sm_incident_limits *lim,
                          struct sm_incident_batch **out, struct sm_diag *diag);

/* Parses the body of POST /api/v1/incidents: a JSON array of objects with the fields of
 * sm_incident_fields (id and detected_on strings, service_id and recovery_days integers or
 * null, prefecture a "13"-style string or an integer 1..47, the rest strings or null).
 * Unknown fields and wrong types are errors of their record. SM_EPARSE (offset in diag)
 * when the body is not JSON or not an array, SM_ELIMIT past the limits; otherwise SM_OK
 * with every record's errors in *out (owned by the caller). */
int sm_incident_parse_json(const char *data, size_t len, const struct sm_incident_limits *lim,
                           struct sm_incident_batch **out, struct sm_diag *diag);

enum sm_submit_status {
    SM_SUBMIT_CREATED,
    SM_SUBMIT_UPDATED, /* the provider had sent this id before: the report is replaced */
    SM_SUBMIT_REFUSED
};

const char *sm_submit_status_name(enum sm_submit_status s); /* "created", "updated",
                                                               "refused" */

struct sm_submit_result {
    size_t n;
    enum sm_submit_status *status; /* per report of the batch; NULL for a CSV import */
    size_t created, updated, refused;
    size_t n_errors; /* the batch's parse errors and the submission's, by index */
    struct sm_incident_error *errors;
    void *priv;
};

void sm_submit_result_free(struct sm_submit_result *res);

/* May who submit reports? Staff of a provider (role provider with a provider). */
bool sm_sharing_can_submit(const struct sm_registry_who *who);

/* Is provider_id allowed to take part today, i.e. does it have at least one publicly listed
 * (registered, not lapsed, not suspended) service? */
int sm_sharing_provider_active(struct sm_store *store, int64_t provider_id, const char *today,
                               bool *active, struct sm_diag *diag);

/* Submits the reports of batch for who's provider, in one transaction with one audit
 * record. Each report is checked (required fields, detected_on not after today, service_id
 * one of the provider's services that is listed today, malware_family only for ransomware
 * and malware) and anonymised (see sm_sharing_anonymise), then stored: a report whose id
 * the provider sent before replaces that report (an upsert; resubmitting is idempotent),
 * any other is added. With all_or_nothing (CSV uploads) any refused report, including the
 * batch's parse errors, stores nothing and returns SM_EINVAL; without it (the API) the good
 * reports are stored and the others refused, each with its reasons. SM_EPERM (with the
 * reason in diag, nothing stored) when who is not a provider's staff or the provider has no
 * listed service today: a lapsed or suspended registration ends the right to submit at
 * once. *out (owned by the caller) is set on SM_OK and SM_EINVAL. */
int sm_sharing_submit(struct sm_store *store, const struct sm_registry_who *who,
                      const struct sm_incident_batch *batch, bool all_or_nothing, const char *today,
                      struct sm_submit_result **out, struct sm_diag *diag);

/* Parses and submits the CSV file data[0..len) for who's provider row by row in one
 * transaction, all or nothing: the checks of sm_incident_parse_csv and sm_sharing_submit,
 * with memory for one row at a time (the file itself is borrowed; a server passes the
 * uploaded body, a batch job a mapped file), statements prepared once. The result has the
 * counts and at most 1000 errors, status NULL. SM_EPARSE / SM_ELIMIT (no result, nothing
 * stored) for a file refused whole; SM_EINVAL with the result when a row is refused;
 * SM_EPERM as sm_sharing_submit. */
int sm_sharing_import_csv(struct sm_store *store, const struct sm_registry_who *who,
                          const char *data, size_t len, const struct sm_incident_limits *lim,
                          const char *today, struct sm_submit_result **out, struct sm_diag *diag);

/* --- Anonymisation --------------------------------------------------------------------- */

/* Names to scrub from free text: provider names, their contact people and the services'
 * customer-facing names from the registry, plus any the caller adds. */
struct sm_scrub_dict;

/* An empty dictionary (owned by the caller, sm_scrub_dict_free). */
int sm_scrub_dict_new(struct sm_scrub_dict **out);
void sm_scrub_dict_free(struct sm_scrub_dict *dict);
/* Adds a name (and, for a company or a person, its variants: without the company-form
 * words, without spaces, each space-separated part); names shorter than two characters
 * (three for Latin letters) are ignored. SM_EINVAL for invalid UTF-8. */
int sm_scrub_dict_add(struct sm_scrub_dict *dict, const char *name);
/* Adds every provider name and contact name and every service name of the registry. */
int sm_scrub_dict_load(struct sm_scrub_dict *dict, struct sm_store *store, const char *today,
                       struct sm_diag *diag);

/* Scrubs free text s[0..n): normalises it (NFKC: full-width digits and letters become
 * ASCII), then replaces with a bracketed placeholder: URLs, e-mail addresses, IPv4, IPv6
 * and MAC addresses, host names, postal codes and addresses (〒 and 都道府県 + 市区町村),
 * Japanese phone numbers, the names in dict and in extra (the report's own customer name;
 * may be NULL), company-form words (株式会社, (株), 有限会社, 合同会社, Inc., ...) with the
 * name attached to them, and person names before honorifics (様, さん, 氏, 社長, ...).
 * dict may be NULL. *out (sm_free) is NUL-terminated. SM_EPARSE for invalid UTF-8. */
int sm_scrub_text(const struct sm_scrub_dict *dict, const char *extra, const char *s, size_t n,
                  char **out, size_t *out_len, struct sm_diag *diag);

/* What of a report may leave the reporting provider. Strings owned by the caller's buffer
 * (see sm_sharing_anonymise). */
struct sm_incident_anon {
    char month[8]; /* "YYYY-MM" */
    char half[7];  /* "YYYYH1" */
    char prefecture[3];
    char industry[2];
    enum sm_size_band size;
    enum sm_threat threat;
    char *family; /* normalised ("lockbit"), or NULL: not stated, or it held anything
                     identifying or was not a plain family name */
    enum sm_detection detection;
    enum sm_response response;
    enum sm_outcome outcome;
    int64_t recovery_days;
    enum sm_cost_band cost;
    char *notes; /* scrubbed, or NULL */
    enum sm_tlp tlp;
};

/* Anonymises a report that passed the checks: the date to its month and half-year, the
 * customer's location to the prefecture (already so), the customer's name and the
 * provider's record and service ids dropped, the family and notes scrubbed with dict and
 * the report's customer name. out's strings are owned by the caller (sm_incident_anon_release).
 */
int sm_sharing_anonymise(const struct sm_scrub_dict *dict, const struct sm_incident *in,
                         struct sm_incident_anon *out, struct sm_diag *diag);
void sm_incident_anon_release(struct sm_incident_anon *a);

/* --- Reading reports ------------------------------------------------------------------ */

/* One stored report as its provider sent it, with the anonymised fields beside. */
struct sm_incident_row {
    int64_t id;
    int64_t provider_id;
    const char *provider_name;
    struct sm_incident in; /* as sent; strings owned by the list */
    const char *family_shared;
    const char *notes_shared;
    int64_t revision; /* 1, and one more for each resubmission */
    int64_t created_at;
    int64_t updated_at;
};

struct sm_incident_list {
    size_t total; /* matching reports before limit and offset */
    size_t n;
    struct sm_incident_row *items; /* the most recently added first */
    void *priv;
};

/* The raw reports of provider_id (0: every provider's, operators only), the most recently
 * added first, at
 * most limit (0: 100, at most 1000) from offset. A provider's staff see their own reports
 * in every TLP; operators see any provider's except TLP:RED, which never leaves the
 * provider. Everyone else gets SM_EPERM. Every call writes an audit record
 * ("sharing.reports.view"), so every view of raw reports is in the audit log. */
int sm_sharing_reports(struct sm_store *store, const struct sm_registry_who *who,
                       int64_t provider_id, size_t limit, size_t offset,
                       struct sm_incident_list **out, struct sm_diag *diag);
void sm_incident_list_free(struct sm_incident_list *list);

/* --- Statistics ------------------------------------------------------------------------ */

/* Whom a statistics release is for; it decides which TLPs are counted (TLP 2.0):
 *   public    TLP:CLEAR only (disclosure is not limited);
 *   providers CLEAR, GREEN and AMBER (the registered providers are the scheme's community
 *             and the platform's clients, who get the anonymised counts on a need-to-know
 *             basis);
 *   operator  those and AMBER+STRICT (the platform's own organisation).
 * TLP:RED is counted in no release: it never leaves the provider. */
enum sm_audience {
    SM_AUDIENCE_PUBLIC,
    SM_AUDIENCE_PROVIDERS,
    SM_AUDIENCE_OPERATOR
};

const char *sm_audience_name(enum sm_audience a); /* "public", "providers", "operator" */
/* Does a report marked t count in a release for a? */
bool sm_tlp_reaches(enum sm_tlp t, enum sm_audience a);

/* The smallest count a release shows (k), stored in the database; default 5. Setting it
 * (2..100) is for operators. */
#define SM_SHARING_K_DEFAULT 5
#define SM_SHARING_K_MIN     2
#define SM_SHARING_K_MAX     100
int sm_sharing_k(struct sm_store *store, int *k, struct sm_diag *diag);
int sm_sharing_set_k(struct sm_store *store, const struct sm_registry_who *who, int k,
                     struct sm_diag *diag);

struct sm_stats_options {
    enum sm_audience audience;
    int k;           /* 0: the stored setting */
    char from[7];    /* the first half-year counted, "" for no bound */
    char to[7];      /* the last, "" for no bound */
    char today[11];  /* for the registration check; "" for sm_date_today */
    bool narratives; /* include scrubbed notes (providers and operator releases only) */
};

void sm_stats_options_init(struct sm_stats_options *o, enum sm_audience audience);

/* May who see a release for audience? The public release: anyone; providers: a provider's
 * staff whose provider is active today (sm_sharing_provider_active), and operators;
 * operator: operators. Sets *allowed; diag says why not. */
int sm_sharing_can_see(struct sm_store *store, const struct sm_registry_who *who,
                       enum sm_audience audience, const char *today, bool *allowed,
                       struct sm_diag *diag);

/* Computes a statistics release (SM_EPERM unless sm_sharing_can_see allows it) as a JSON
 * document owned by the caller. Every count in it is anonymised and suppressed: a count
 * built from fewer than k reports, or from which one provider could tell that the other
 * providers' part of it is under k, is null with "suppressed" marks, and further counts
 * are suppressed until no suppressed count can be worked out from the shown ones (see
 * docs/sharing.md for the tables and the algorithm). When the grand total itself would be
 * suppressed the release shows nothing but that. */
int sm_sharing_stats(struct sm_store *store, const struct sm_registry_who *who,
                     const struct sm_stats_options *opt, json_t **out, struct sm_diag *diag);

/* Writes a release (from sm_sharing_stats or a snapshot) as CSV, one row per count
 * (table, row, column, count, suppressed), UTF-8 with a BOM, CRLF, every cell neutralised. */
int sm_sharing_stats_csv(const json_t *stats, struct sm_buf *out);

/* Writes a release as a STIX 2.1 bundle: the platform's identity, the TLP 2.0 marking
 * definitions by their standard ids, a malware object per shown family and for ransomware
 * and malware, an attack-pattern per other threat kind, and a summary sighting (with its
 * count and half-year) per shown count of the threat-by-half-year and family tables, all
 * marked with the most restrictive TLP counted in the release. now is the bundle's time
 * (Unix seconds). Deterministic for the same input and now. *out owned by the caller. */
int sm_sharing_stix(const json_t *stats, int64_t now, json_t **out, struct sm_diag *diag);

/* --- Published statistics ---------------------------------------------------------------- */

/* Computes the public release for opt's period (audience and narratives are ignored) and
 * stores it as a snapshot (operators), with its audit record. *id (may be NULL) gets the
 * snapshot's id. */
int sm_sharing_publish(struct sm_store *store, const struct sm_registry_who *who,
                       const struct sm_stats_options *opt, int64_t *id, struct sm_diag *diag);

/* A published snapshot (id 0: the latest), as stored; public, no access check.
 * SM_ENOTFOUND when there is none. */
int sm_sharing_snapshot(struct sm_store *store, int64_t id, json_t **out, struct sm_diag *diag);

struct sm_snapshot_info {
    int64_t id;
    int64_t published_at;
    const char *period_from; /* NULL when open */
    const char *period_to;
    int k;
};

struct sm_snapshot_list {
    size_t n;
    struct sm_snapshot_info *items; /* newest first */
    void *priv;
};

int sm_sharing_snapshots(struct sm_store *store, struct sm_snapshot_list **out,
                         struct sm_diag *diag);
void sm_snapshot_list_free(struct sm_snapshot_list *list);

/* --- API tokens ------------------------------------------------------------------------ */

/* Makes a new API token for provider_id (operators and the command line), replacing any
 * earlier one, with its audit record. The token (SM_TOKEN_SIZE bytes with the NUL) is
 * written to token_out and not kept: the database holds only its hash. */
int sm_sharing_token_new(struct sm_store *store, const struct sm_registry_who *who,
                         int64_t provider_id, char *token_out, struct sm_diag *diag);

/* Finds the provider of an API token. SM_EAUTH when there is no such token. */
int sm_sharing_token_provider(struct sm_store *store, const char *token, int64_t *provider_id,
                              struct sm_diag *diag);

/* --- Demo data ------------------------------------------------------------------------ */

/* Loads demo incident reports from the registry's fictitious providers (never from a real
 * one), through sm_sharing_submit, over the four half-years before today (NULL for the real
 * date), and publishes a public snapshot when none exists. Deterministic; running it again
 * replaces the same reports. *stored (may be NULL) gets the number stored. The registry's
 * demo data must be loaded first. */
int sm_sharing_seed_demo(struct sm_store *store, const char *today, size_t *stored,
                         struct sm_diag *diag);

/* --- Complementary suppression (pure; used by the statistics, exposed for tests) ------- */

/* A table of published counts as a set of sums: every count is one arc of a flow network
 * whose nodes are the table's sums (row i = its cells, ...); see docs/sharing.md. */
struct sm_supp_arc {
    int from, to;       /* node numbers, 0..n_nodes-1 */
    int64_t value;      /* the true count */
    const int64_t *own; /* own[p]: provider p's part of value (n_providers entries) */
    bool pinned;        /* must stay shown (a total known from elsewhere) */
    bool hidden;        /* output: suppressed */
    bool primary;       /* output: suppressed for itself, not as a complement */
};

struct sm_supp_table {
    int n_nodes;
    size_t n_arcs;
    struct sm_supp_arc *arcs;
    size_t n_providers;
};

/* Suppresses the counts of t with threshold k: first every count under k, and every count
 * from which some provider could work out that the others' part of it is between 1 and
 * k-1; then, one at a time and smallest first, counts next to a suppressed one that
 * some viewer (anyone, or any provider knowing its own parts) could still work out
 * exactly from the shown counts, until none can be. Pinned counts are never chosen as
 * complements. SM_ENOMEM. */
int sm_supp_run(struct sm_supp_table *t, int k);

/* The audit the algorithm ends with, on its own: true when, for every viewer, no
 * suppressed count whose unknown part is between 1 and k-1 is determined by the shown
 * counts. For tests. */
int sm_supp_safe(const struct sm_supp_table *t, int k, bool *safe);

#endif

/*
 * The Otasuketai service registry: providers and their staff, services and their content
 * versions, applications and their review against the service standard, registration and
 * renewal with reminders, suspension and withdrawal, public search, case studies, inquiries,
 * and CSV export and import. See docs/registry.md for the data model and the life cycle.
 *
 * Conventions of this header:
 *   - Dates are "YYYY-MM-DD" strings (smesec/date.h). Functions that depend on the date take
 *     `today` from the caller (sm_date_today for the real one), so tests and jobs can choose.
 *   - Who acts is a struct sm_registry_who: the access rules below decide on its role and
 *     provider, and the audit log records its name. Every change is one transaction with its
 *     audit record; on failure nothing is written.
 *   - Results are objects owned by the caller and freed with their _free function (which
 *     accepts NULL); every string inside is owned by the object. Inputs are borrowed.
 *   - Return codes: SM_OK, SM_EINVAL (bad input, with the reason in diag), SM_EPERM (the
 *     access rules refuse), SM_ENOTFOUND, SM_EEXIST (a conflict, e.g. an open application
 *     already exists), SM_EDB, SM_ENOMEM.
 *   - A struct sm_store is used by one thread at a time; nothing here keeps global state
 *     other than the built-in standard (see smesec/standard.h), so the functions are
 *     thread-safe on distinct stores.
 */
#ifndef SMESEC_REGISTRY_H
#define SMESEC_REGISTRY_H

#include "smesec/auth.h"
#include "smesec/buf.h"
#include "smesec/date.h"
#include "smesec/err.h"
#include "smesec/service.h"
#include "smesec/standard.h"
#include "smesec/store.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* --- Who acts, and the access rules ---------------------------------------------------- */

/* Strings borrowed. */
struct sm_registry_who {
    int64_t user_id;  /* 0 for the command line and scheduled jobs */
    const char *name; /* recorded in the audit log */
    enum sm_role role;
    int64_t provider_id; /* the provider a SM_ROLE_PROVIDER user belongs to; 0 for none */
};

/* The who of a logged-in user; borrows user's strings. */
struct sm_registry_who sm_registry_who_user(const struct sm_user *user);
/* Operator rights for the command line and scheduled jobs; name is borrowed. */
struct sm_registry_who sm_registry_who_system(const char *name);

/* Operators do everything; reviewers review and see every service and application; a
 * provider's staff see and change only their own provider's services, applications,
 * case-study drafts, messages and inquiries. Analysts have no registry rights. */
bool sm_registry_can_operate(const struct sm_registry_who *who);
bool sm_registry_can_review(const struct sm_registry_who *who);
/* May who change (apply for, amend, withdraw applications of) services of provider_id, and
 * edit that provider's details? Operators and that provider's staff. */
bool sm_registry_can_edit(const struct sm_registry_who *who, int64_t provider_id);
/* May who see the non-public side (drafts, applications, messages) of provider_id? */
bool sm_registry_can_view(const struct sm_registry_who *who, int64_t provider_id);
/* May who read the inquiries sent to provider_id? Only that provider's staff: an inquiry is
 * an SME's message to one provider (operators see counts by channel only). */
bool sm_registry_can_read_inquiries(const struct sm_registry_who *who, int64_t provider_id);

/* Users are linked to their provider with sm_user_set_provider (smesec/auth.h). */

/* --- Providers -------------------------------------------------------------------------- */

struct sm_provider {
    int64_t id;                   /* ignored by add */
    const char *name;             /* required, unique */
    const char *head_office_pref; /* "01".."47", or NULL when not known */
    const char *contact_name;
    const char *contact_email; /* where reminders are mailed; NULL: portal messages only */
    const char *contact_phone;
    const char *website;
    bool fictitious;             /* a demo row, not a real provider */
    const char *class1_first_on; /* first class-1 registration, or NULL */
    const char *note;
};

/* Adds a provider. Operators only. SM_EEXIST when the name is taken. */
int sm_registry_provider_add(struct sm_store *store, const struct sm_registry_who *who,
                             const struct sm_provider *in, int64_t *id_out, struct sm_diag *diag);

/* Updates provider in->id. Operators, or the provider's own staff (who cannot change the
 * name, the fictitious flag or the class-1 date: those stay as stored). */
int sm_registry_provider_update(struct sm_store *store, const struct sm_registry_who *who,
                                const struct sm_provider *in, struct sm_diag *diag);

struct sm_provider_list {
    size_t n;
    struct sm_provider *items;
    void *priv;
};

/* All providers by name (id 0), or just provider id (SM_ENOTFOUND when there is none).
 * Public information: no access check. */
int sm_registry_providers(struct sm_store *store, int64_t id, struct sm_provider_list **out,
                          struct sm_diag *diag);
void sm_provider_list_free(struct sm_provider_list *list);

/* --- Device catalog --------------------------------------------------------------------- */

struct sm_device_catalog {
    size_t n;
    struct sm_device *items; /* catalog_id is each entry's id */
    const char **sources;    /* sources[i] for items[i]; may be NULL entries */
    void *priv;
};

/* The monitoring devices known to the registry (the working group's table in the demo),
 * for the provider portal to pick from and the public comparison page. */
int sm_registry_devices(struct sm_store *store, struct sm_device_catalog **out,
                        struct sm_diag *diag);
void sm_device_catalog_free(struct sm_device_catalog *cat);

/* --- Services: status and reading -------------------------------------------------------- */

enum sm_svc_status {
    SM_SVC_APPLIED,      /* a new service waiting for review */
    SM_SVC_UNDER_REVIEW, /* a reviewer has started on its first application */
    SM_SVC_REGISTERED,
    SM_SVC_RENEWAL_DUE, /* registered, renewal date within 90 days (set by sm_registry_remind) */
    SM_SVC_SUSPENDED,   /* by the operator; hidden from the public */
    SM_SVC_WITHDRAWN,   /* by the operator; final */
    SM_SVC_REJECTED,    /* its first application was rejected; final */
    SM_SVC_LAPSED       /* computed, never stored: registered but the renewal date passed */
};

/* "applied", "under_review", "registered", "renewal_due", "suspended", "withdrawn",
 * "rejected", "lapsed". */
const char *sm_svc_status_name(enum sm_svc_status s);
int sm_svc_status_parse(const char *s, enum sm_svc_status *out);

/* Days before the renewal date from which a registration counts as due. */
#define SM_RENEWAL_DUE_DAYS 90

/* The status as of today: SM_SVC_LAPSED for a registered (or renewal-due) service whose
 * renewal date is before today, SM_SVC_RENEWAL_DUE for one within SM_RENEWAL_DUE_DAYS of
 * it, else stored (also when the renewal date is not known: such a service is not listed,
 * but nothing says it lapsed). */
enum sm_svc_status sm_registry_status_at(enum sm_svc_status stored, const char *renewal_on,
                                         const char *today);

enum sm_app_kind {
    SM_APP_NEW,
    SM_APP_CHANGE,
    SM_APP_RENEWAL
};

enum sm_app_state {
    SM_APP_SUBMITTED,
    SM_APP_UNDER_REVIEW,
    SM_APP_CHANGES_REQUESTED,
    SM_APP_APPROVED,
    SM_APP_REJECTED,
    SM_APP_WITHDRAWN
};

const char *sm_app_kind_name(enum sm_app_kind k); /* "new", "change", "renewal" */
int sm_app_kind_parse(const char *s, enum sm_app_kind *out);
/* "submitted", "under_review", "changes_requested", "approved", "rejected", "withdrawn" */
const char *sm_app_state_name(enum sm_app_state s);
int sm_app_state_parse(const char *s, enum sm_app_state *out);

/* A service with one version of its content. */
struct sm_registry_service {
    int64_t id;
    int64_t provider_id;
    const char *provider_name;
    bool fictitious;
    enum sm_svc_status status;    /* as stored */
    enum sm_svc_status effective; /* as of the today given (sm_registry_status_at) */
    bool listed;                  /* publicly listed as of today */
    const char *registration_no;  /* NULL until registered */
    const char *registered_on;
    const char *renewal_on;
    const char *status_note; /* the operator's reason for a suspension or withdrawal */
    int64_t version_id;      /* of content */
    bool content_is_public;  /* content is the approved version the public sees */
    struct sm_service_content content;
    int64_t open_application; /* id of the open application, or 0 */
    enum sm_app_kind open_kind;
    enum sm_app_state open_state;
    void *priv;
};

/* The public page of a service: its approved content, SM_ENOTFOUND unless it is publicly
 * listed today. No access check. */
int sm_registry_service_public(struct sm_store *store, int64_t id, const char *today,
                               struct sm_registry_service **out, struct sm_diag *diag);

/* The service as who may see it: with latest, the content of its open application when
 * there is one (else the approved content); without, the approved content (or the first
 * application's for a service never approved). Reviewers, operators and the provider's
 * own staff; SM_EPERM for anyone else. */
int sm_registry_service_get(struct sm_store *store, const struct sm_registry_who *who, int64_t id,
                            bool latest, const char *today, struct sm_registry_service **out,
                            struct sm_diag *diag);

void sm_registry_service_free(struct sm_registry_service *svc);

/* A row of a service list (portal, reviewer and operator pages). */
struct sm_registry_service_row {
    int64_t id;
    int64_t provider_id;
    const char *provider_name;
    bool fictitious;
    const char *name; /* of the approved version, else of the latest application's */
    int service_class;
    enum sm_monitoring monitoring;
    enum sm_svc_status status;
    enum sm_svc_status effective;
    bool listed;
    const char *registration_no;
    const char *registered_on;
    const char *renewal_on;
    int64_t open_application; /* 0 when none */
    enum sm_app_kind open_kind;
    enum sm_app_state open_state;
};

struct sm_registry_service_list {
    size_t n;
    struct sm_registry_service_row *items;
    void *priv;
};

/* Every service of provider_id (0: every service, for reviewers and operators only), by
 * provider and id. SM_EPERM when who may not view them. */
int sm_registry_services(struct sm_store *store, const struct sm_registry_who *who,
                         int64_t provider_id, const char *today,
                         struct sm_registry_service_list **out, struct sm_diag *diag);
void sm_registry_service_list_free(struct sm_registry_service_list *list);

/* --- Applications and review ------------------------------------------------------------- */

/* Applies, checking content against the latest standard as of today and storing the
 * conformance report with the application (whatever it says: failures are the reviewer's
 * to see; only approval needs everything to pass).
 *   SM_APP_NEW:     id is the provider; a new service (status applied) is created.
 *   SM_APP_CHANGE:  id is a registered, unlapsed service; the change is hidden from the
 *                   public until approved.
 *   SM_APP_RENEWAL: id is a registered service, lapsed or not; content may be NULL to renew
 *                   the approved content unchanged.
 * The caller must be allowed to edit the provider's services. A content without
 * class1_since gets the provider's stored class-1 date when there is one. SM_EEXIST when
 * the service already has an open application. *application_id (may be NULL) gets the new
 * application's id, *service_id (may be NULL) the service's. */
int sm_registry_apply(struct sm_store *store, const struct sm_registry_who *who,
                      enum sm_app_kind kind, int64_t id, const struct sm_service_content *content,
                      const char *today, int64_t *application_id, int64_t *service_id,
                      struct sm_diag *diag);

/* Replaces the content of an application that is submitted or has changes requested, runs
 * the checks again (earlier judgements are cleared: the content they judged is gone), and
 * puts it back to submitted. */
int sm_registry_amend(struct sm_store *store, const struct sm_registry_who *who,
                      int64_t application_id, const struct sm_service_content *content,
                      const char *today, struct sm_diag *diag);

/* Withdraws an open application (the provider's staff or an operator). A new service whose
 * only application is withdrawn becomes withdrawn. */
int sm_registry_cancel(struct sm_store *store, const struct sm_registry_who *who,
                       int64_t application_id, struct sm_diag *diag);

/* Records a reviewer's judgement on one requirement of an open application: pass or fail
 * with a note (required for fail), or SM_VERDICT_JUDGEMENT to clear it. A requirement the
 * automatic check failed cannot be judged a pass. The first judgement moves a submitted
 * application to under_review (and a new service to under_review). Reviewers and operators. */
int sm_registry_judge(struct sm_store *store, const struct sm_registry_who *who,
                      int64_t application_id, const char *requirement_id, enum sm_verdict verdict,
                      const char *note, struct sm_diag *diag);

enum sm_decision {
    SM_DECIDE_APPROVE,
    SM_DECIDE_REJECT,
    SM_DECIDE_REQUEST_CHANGES
};

const char *sm_decision_name(enum sm_decision d); /* "approve", "reject", "request_changes" */
int sm_decision_parse(const char *s, enum sm_decision *out);

/* Decides an open application, as of today. Approval needs every requirement to pass (the
 * reviewer's judgement where there is one, else the automatic verdict; judgement-only
 * requirements need a reviewer's pass): SM_EINVAL names the first that does not. Reject
 * and request-changes need a comment. On approval:
 *   new:     the service is registered: registration number "OTS-<year>-<id, 5 digits>"
 *            (e.g. OTS-2024-00042), registered today, renewal date today + the renewal
 *            cycle (sm_registry_renewal_months); the provider's class-1 date is set if
 *            it had none and the service is class 1;
 *   change:  the new content becomes the public one; number and dates stay;
 *   renewal: the renewal date moves one cycle on from the old date (from today when the
 *            registration had lapsed), status back to registered, content made public.
 * A rejected new service becomes rejected. The provider gets a message (and mail) with the
 * decision. Reviewers and operators. */
int sm_registry_decide(struct sm_store *store, const struct sm_registry_who *who,
                       int64_t application_id, enum sm_decision decision, const char *comment,
                       const char *today, struct sm_diag *diag);

/* One requirement in a stored application. */
struct sm_registry_check {
    const char *requirement_id;
    const struct sm_requirement *req; /* in the built-in standard, or NULL if it has gone */
    enum sm_check_kind kind;
    enum sm_verdict verdict; /* the automatic one (judgement for judgement-only items) */
    const char *reason_ja;
    const char *reason_en;
    bool judged;
    enum sm_verdict judgement; /* the reviewer's, when judged */
    const char *judgement_note;
    const char *judged_by;
    enum sm_verdict final; /* the judgement when judged, else the verdict */
};

struct sm_registry_application {
    int64_t id;
    int64_t service_id;
    int64_t provider_id;
    const char *provider_name;
    int64_t version_id;
    enum sm_app_kind kind;
    enum sm_app_state state;
    const char *standard_version;
    const char *submitted_on;
    const char *submitted_by;
    int64_t submitted_at;
    const char *decided_by; /* NULL until decided */
    int64_t decided_at;
    const char *decision_comment;
    struct sm_service_content content;
    size_t n_checks;
    struct sm_registry_check *checks;
    bool approvable; /* every check's final verdict is pass */
    void *priv;
};

/* An application with its content and report. Reviewers, operators, the provider's staff. */
int sm_registry_application_get(struct sm_store *store, const struct sm_registry_who *who,
                                int64_t id, struct sm_registry_application **out,
                                struct sm_diag *diag);
void sm_registry_application_free(struct sm_registry_application *app);

struct sm_registry_application_row {
    int64_t id;
    int64_t service_id;
    int64_t provider_id;
    const char *provider_name;
    const char *service_name; /* as proposed */
    enum sm_app_kind kind;
    enum sm_app_state state;
    const char *submitted_on;
    size_t n_fail;      /* automatic failures */
    size_t n_judgement; /* requirements still needing a judgement */
};

struct sm_registry_application_list {
    size_t n;
    struct sm_registry_application_row *items;
    void *priv;
};

/* Applications, oldest first: of provider_id (0: all, reviewers and operators only), only
 * the open ones when open_only. */
int sm_registry_applications(struct sm_store *store, const struct sm_registry_who *who,
                             int64_t provider_id, bool open_only,
                             struct sm_registry_application_list **out, struct sm_diag *diag);
void sm_registry_application_list_free(struct sm_registry_application_list *list);

/* --- Operator actions ------------------------------------------------------------------ */

/* Suspends a registered service (hidden from the public at once), with a reason. */
int sm_registry_suspend(struct sm_store *store, const struct sm_registry_who *who,
                        int64_t service_id, const char *reason, struct sm_diag *diag);
/* Lifts a suspension: back to registered (still subject to its renewal date). */
int sm_registry_reinstate(struct sm_store *store, const struct sm_registry_who *who,
                          int64_t service_id, const char *note, struct sm_diag *diag);
/* Withdraws a service for good, with a reason; an open application is withdrawn with it. */
int sm_registry_withdraw(struct sm_store *store, const struct sm_registry_who *who,
                         int64_t service_id, const char *reason, struct sm_diag *diag);

/* The renewal cycle in months (default 24, an assumption: see docs/registry.md). Setting
 * it (1..120, operators) affects registrations and renewals approved afterwards. */
int sm_registry_renewal_months(struct sm_store *store, int *months, struct sm_diag *diag);
int sm_registry_set_renewal_months(struct sm_store *store, const struct sm_registry_who *who,
                                   int months, struct sm_diag *diag);

/* --- Renewal schedule and reminders ---------------------------------------------------- */

enum sm_due_bucket {
    SM_DUE_OVERDUE, /* the renewal date has passed: lapsed, off the public list */
    SM_DUE_30,      /* due within 30 days (today included) */
    SM_DUE_60,      /* within 31..60 days */
    SM_DUE_90       /* within 61..90 days */
};

const char *sm_due_bucket_name(enum sm_due_bucket b); /* "overdue", "30", "60", "90" */

struct sm_due_row {
    int64_t service_id;
    int64_t provider_id;
    const char *provider_name;
    const char *service_name;
    const char *registration_no;
    const char *renewal_on;
    int days_left; /* negative when overdue */
    enum sm_due_bucket bucket;
    bool renewal_open; /* a renewal application is open */
};

struct sm_due_list {
    size_t n;
    struct sm_due_row *items; /* by renewal date */
    void *priv;
};

/* Registered (or renewal-due) services whose renewal date is at most 90 days after today,
 * overdue ones included; suspended and withdrawn services are not listed. For reviewers,
 * operators and the scheduled job. */
int sm_registry_due(struct sm_store *store, const char *today, struct sm_due_list **out,
                    struct sm_diag *diag);
void sm_due_list_free(struct sm_due_list *list);

/* The reminder kinds and the day windows they are sent in (days_left as in sm_due_row). A
 * window the job did not run in is skipped rather than sent late, except that each window
 * is several days wide. */
#define SM_REMIND_BEFORE_30 30 /* sent when 8 <= days_left <= 30 */
#define SM_REMIND_BEFORE_7  7  /* sent when 0 <= days_left <= 7 */
#define SM_REMIND_AFTER_7   7  /* sent when -30 <= days_left <= -7 */

/* The scheduled job: marks registered services within SM_RENEWAL_DUE_DAYS as renewal_due,
 * and sends the reminders due as of today (a portal message, and mail in the outbox when
 * the provider has a contact address), each once per service and renewal date: running it
 * again sends nothing twice. One transaction per service. *sent and *marked (may be NULL)
 * get the number of reminders sent and services marked. */
int sm_registry_remind(struct sm_store *store, const struct sm_registry_who *who, const char *today,
                       size_t *sent, size_t *marked, struct sm_diag *diag);

/* --- Messages and outbox ------------------------------------------------------------- */

struct sm_registry_message {
    int64_t id;
    int64_t provider_id;
    int64_t service_id; /* 0 when none */
    const char *kind;   /* "renewal_before_30", "renewal_before_7", "renewal_after_7",
                           "application_<decision>", "case_study_sent" */
    const char *subject_ja;
    const char *body_ja;
    const char *subject_en;
    const char *body_en;
    int64_t created_at;
    int64_t read_at; /* 0 when unread */
};

struct sm_registry_message_list {
    size_t n;
    struct sm_registry_message *items; /* newest first */
    void *priv;
};

/* The messages of provider_id (the provider's staff and operators). */
int sm_registry_messages(struct sm_store *store, const struct sm_registry_who *who,
                         int64_t provider_id, struct sm_registry_message_list **out,
                         struct sm_diag *diag);
void sm_registry_message_list_free(struct sm_registry_message_list *list);
/* Marks a message read (the provider's staff). */
int sm_registry_message_read(struct sm_store *store, const struct sm_registry_who *who, int64_t id,
                             int64_t now, struct sm_diag *diag);

struct sm_outbox_mail {
    int64_t id;
    const char *to;
    const char *subject;
    const char *body;
    int attempts;
    int64_t created_at;
    int64_t sent_at;        /* 0 while unsent */
    const char *last_error; /* of the last failed attempt, or NULL */
};

struct sm_outbox_list {
    size_t n;
    struct sm_outbox_mail *items;
    void *priv;
};

/* Up to max unsent mails, oldest first, for a mailer. */
int sm_outbox_pending(struct sm_store *store, size_t max, struct sm_outbox_list **out,
                      struct sm_diag *diag);
void sm_outbox_list_free(struct sm_outbox_list *list);
/* The most recent max mails (0: 100), sent or not, newest first: the operator's read-only
 * view of what the reminders and decisions mailed. Operators only (SM_EPERM). */
int sm_outbox_recent(struct sm_store *store, const struct sm_registry_who *who, size_t max,
                     struct sm_outbox_list **out, struct sm_diag *diag);
/* Records a delivery attempt: sent when error is NULL, else failed with error. */
int sm_outbox_done(struct sm_store *store, int64_t id, int64_t now, const char *error,
                   struct sm_diag *diag);

/* --- Public search ---------------------------------------------------------------------- */

enum sm_registry_sort {
    SM_SORT_DEFAULT,   /* class, then provider and service name */
    SM_SORT_PRICE,     /* cheapest first (see max_price); unknown prices last */
    SM_SORT_PRICE_DESC /* dearest first; unknown prices last */
};

/* Filters of GET /api/v1/services and the search page. Start from sm_registry_query_init;
 * sm_registry_query_set fills one from a query parameter. */
struct sm_registry_query {
    char prefecture[3]; /* "01".."47", or "" for all; nationwide services match any */
    int monitoring;     /* -1 any, else an enum sm_monitoring */
    int service_class;  /* 0 any, 1 or 2 */
    bool onsite;        /* only services with on-site dispatch */
    bool ransomware;    /* only services with a device rated effective (○) */
    /* The most the SME pays a month, in yen, or -1 for no limit. What is compared is the
     * monthly cost for `devices` devices: network type its monthly price; endpoint type
     * devices x its per-device price; combined the sum of both. With devices 1 (the
     * default) an endpoint service is compared by its per-device price. A service whose
     * price for a needed part is unknown does not match a max_price filter. */
    int64_t max_price;
    int devices; /* 1..100000; default 1 */
    enum sm_registry_sort sort;
    size_t limit; /* 1..500; default 100 */
    size_t offset;
    char today[SM_DATE_SIZE]; /* the listing date; "" means sm_date_today */
};

void sm_registry_query_init(struct sm_registry_query *q);

/* Sets the field named by a query parameter from its text value: prefecture ("01".."47" or
 * ""), type ("network", "endpoint", "combined", "" any), class ("1", "2", "" any), onsite
 * ("1" / "0" / ""), ransomware ("1" / "0" / ""), max_price (yen, "" none), devices,
 * sort ("price", "price_desc", "" default), limit, offset. SM_EINVAL for a bad value or
 * unknown name, with the reason in diag. */
int sm_registry_query_set(struct sm_registry_query *q, const char *name, const char *value,
                          struct sm_diag *diag);

struct sm_registry_hit {
    int64_t service_id;
    int64_t provider_id;
    const char *provider_name;
    bool fictitious;
    const char *name;
    const char *summary; /* its first 120 characters, for a list; NULL when none */
    int service_class;
    enum sm_monitoring monitoring;
    bool nationwide;
    uint64_t prefectures;
    int64_t monthly_yen; /* SM_UNKNOWN when not stated */
    int64_t device_monthly_yen;
    int64_t initial_yen;
    int64_t price; /* the compared monthly cost for the query's devices, or
                      SM_UNKNOWN */
    enum sm_tri onsite;
    enum sm_tri monitoring_24h;
    enum sm_tri insurance;
    enum sm_effect ransomware; /* best of its devices */
    enum sm_svc_status status; /* registered or renewal_due */
    const char *registration_no;
    const char *renewal_on;
};

struct sm_registry_results {
    size_t total; /* matches before limit and offset */
    size_t n;
    struct sm_registry_hit *hits;
    void *priv;
};

/* Publicly listed services (registered or renewal_due, renewal date today or later, their
 * approved content) matching q, in one query. */
int sm_registry_search(struct sm_store *store, const struct sm_registry_query *q,
                       struct sm_registry_results **out, struct sm_diag *diag);
void sm_registry_results_free(struct sm_registry_results *res);

/* A number that grows whenever the public list changes (an approval, a status, an import,
 * a provider's name), in any process on the database. A server may cache search results
 * keyed by (generation, today, query): the list also changes with the date, as renewal
 * dates pass. One indexed read. */
int sm_registry_listing_generation(struct sm_store *store, int64_t *generation,
                                   struct sm_diag *diag);

/* --- Case studies ----------------------------------------------------------------------- */

enum sm_case_source {
    SM_CASE_PROVIDER_REPORT, /* from the provider's periodic report */
    SM_CASE_WEBINAR,         /* from a user introduced at a webinar */
    SM_CASE_OTHER
};

enum sm_case_state {
    SM_CASE_DRAFT,             /* the operator writes */
    SM_CASE_AWAITING_PROVIDER, /* sent to the provider to confirm */
    SM_CASE_CHANGES_REQUESTED, /* the provider asked for changes (see provider_comment) */
    SM_CASE_CONFIRMED,         /* the provider confirmed */
    SM_CASE_PUBLISHED,         /* public */
    SM_CASE_WITHDRAWN          /* taken down */
};

enum sm_case_action {
    SM_CASE_SEND,            /* operator: draft or changes_requested -> awaiting_provider */
    SM_CASE_CONFIRM,         /* provider: awaiting_provider -> confirmed */
    SM_CASE_REQUEST_CHANGES, /* provider, with a comment: awaiting_provider -> changes_requested */
    SM_CASE_PUBLISH,         /* operator: confirmed -> published */
    SM_CASE_UNPUBLISH        /* operator: published -> withdrawn */
};

const char *sm_case_source_name(enum sm_case_source s); /* "provider_report", "webinar", "other" */
int sm_case_source_parse(const char *s, enum sm_case_source *out);
const char *sm_case_state_name(enum sm_case_state s);
int sm_case_state_parse(const char *s, enum sm_case_state *out);
const char *sm_case_action_name(enum sm_case_action a); /* "send", "confirm", ... */
int sm_case_action_parse(const char *s, enum sm_case_action *out);

struct sm_case_study_in {
    int64_t service_id;
    enum sm_case_source source;
    const char *title;      /* required */
    const char *body;       /* required */
    const char *industry;   /* may be NULL */
    const char *prefecture; /* "01".."47" or NULL */
};

/* Drafts a case study (operators). */
int sm_case_study_draft(struct sm_store *store, const struct sm_registry_who *who,
                        const struct sm_case_study_in *in, int64_t *id_out, struct sm_diag *diag);
/* Rewrites a draft or a study with changes requested (operators); in->service_id must be
 * the study's. */
int sm_case_study_edit(struct sm_store *store, const struct sm_registry_who *who, int64_t id,
                       const struct sm_case_study_in *in, struct sm_diag *diag);
/* Moves a study along (see enum sm_case_action for who may do what, from which state).
 * SM_EINVAL for an action the state does not allow. Sending posts a message to the
 * provider. */
int sm_case_study_act(struct sm_store *store, const struct sm_registry_who *who, int64_t id,
                      enum sm_case_action action, const char *comment, struct sm_diag *diag);

struct sm_case_study {
    int64_t id;
    int64_t service_id;
    int64_t provider_id;
    const char *service_name;
    const char *provider_name;
    enum sm_case_source source;
    const char *title;
    const char *body;
    const char *industry;
    const char *prefecture;
    enum sm_case_state state;
    const char *provider_comment;
    int64_t updated_at;
    int64_t published_at; /* 0 unless published */
};

struct sm_case_study_list {
    size_t n;
    struct sm_case_study *items; /* newest first */
    void *priv;
};

/* Published studies of publicly listed services (service_id 0: of all), newest first, at
 * most limit (0: 100). No access check. */
int sm_case_studies_public(struct sm_store *store, int64_t service_id, const char *today,
                           size_t limit, struct sm_case_study_list **out, struct sm_diag *diag);
/* One published study of a publicly listed service, as a list of exactly one item (freed
 * like the others); SM_ENOTFOUND for any other study, as if it did not exist. No access
 * check. */
int sm_case_study_public(struct sm_store *store, int64_t id, const char *today,
                         struct sm_case_study_list **out, struct sm_diag *diag);
/* Every study of provider_id (0: all; operators only) in any state. A provider's staff see
 * their own provider's studies once sent to them (not the operator's drafts). */
int sm_case_studies(struct sm_store *store, const struct sm_registry_who *who, int64_t provider_id,
                    struct sm_case_study_list **out, struct sm_diag *diag);
void sm_case_study_list_free(struct sm_case_study_list *list);

/* --- Inquiries -------------------------------------------------------------------------- */

/* Where the visitor came from, as the web layer classifies the landing page's Referer. */
enum sm_referrer_kind {
    SM_REF_DIRECT,     /* no referrer */
    SM_REF_INTERNAL,   /* this site */
    SM_REF_SEARCH,     /* a search engine */
    SM_REF_SOCIAL,     /* a social network */
    SM_REF_GOVERNMENT, /* a .go.jp or .lg.jp site (IPA, METI, local government) */
    SM_REF_OTHER
};

const char *sm_referrer_kind_name(enum sm_referrer_kind k);
int sm_referrer_kind_parse(const char *s, enum sm_referrer_kind *out);
/* Classifies a Referer URL (NULL or "" is direct); own_host (may be NULL) is this site's
 * host name. */
enum sm_referrer_kind sm_referrer_classify(const char *referer, const char *own_host);

struct sm_inquiry_in {
    int64_t service_id;
    const char *name;       /* required */
    const char *company;    /* required */
    const char *email;      /* required, one '@' with text on both sides */
    const char *phone;      /* may be NULL */
    const char *prefecture; /* "01".."47" or NULL */
    const char *message;    /* required, at most SM_SERVICE_TEXT_MAX bytes */
    const char *utm_source; /* may be NULL; at most 100 bytes each */
    const char *utm_medium;
    const char *utm_campaign;
    enum sm_referrer_kind referrer;
};

/* Stores an SME's inquiry about a publicly listed service (no login; SM_ENOTFOUND when the
 * service is not listed today), with its audit record. now is Unix seconds. */
int sm_inquiry_submit(struct sm_store *store, const struct sm_inquiry_in *in, const char *today,
                      int64_t now, int64_t *id_out, struct sm_diag *diag);

struct sm_inquiry {
    int64_t id;
    int64_t service_id;
    const char *service_name;
    const char *name;
    const char *company;
    const char *email;
    const char *phone;
    const char *prefecture;
    const char *message;
    const char *utm_source;
    const char *utm_medium;
    const char *utm_campaign;
    enum sm_referrer_kind referrer;
    int64_t created_at;
};

struct sm_inquiry_list {
    size_t n;
    struct sm_inquiry *items; /* newest first */
    void *priv;
};

/* The inquiries sent to provider_id: its own staff only (sm_registry_can_read_inquiries). */
int sm_inquiries(struct sm_store *store, const struct sm_registry_who *who, int64_t provider_id,
                 struct sm_inquiry_list **out, struct sm_diag *diag);
void sm_inquiry_list_free(struct sm_inquiry_list *list);

struct sm_inquiry_channel {
    const char *utm_source; /* "" when none */
    const char *utm_medium;
    const char *utm_campaign;
    enum sm_referrer_kind referrer;
    int64_t count;
};

struct sm_inquiry_channel_list {
    size_t n;
    struct sm_inquiry_channel *items; /* most inquiries first */
    int64_t total;
    void *priv;
};

/* Inquiries counted by channel, received from `from` to `to` (Unix seconds, to excluded;
 * 0 for no bound). Operators only. */
int sm_inquiry_channels(struct sm_store *store, const struct sm_registry_who *who, int64_t from,
                        int64_t to, struct sm_inquiry_channel_list **out, struct sm_diag *diag);
void sm_inquiry_channel_list_free(struct sm_inquiry_channel_list *list);

/* --- CSV -------------------------------------------------------------------------------- */

/* The columns of the registry CSV, in order (export writes them as its header; import
 * requires the same header). */
extern const char *const sm_registry_csv_columns[];
extern const size_t sm_registry_csv_n_columns;

/* Writes every registered service (one with a registration number; applications in flight
 * are not part of the registry) with its approved content as CSV into out: UTF-8 with a
 * byte-order mark, CRLF, formula-like cells neutralised with a leading "'". Devices are one
 * cell holding one CSV line per device (kind, ransomware, maker, product, functions,
 * reason). Operators only. */
int sm_registry_export_csv(struct sm_store *store, const struct sm_registry_who *who,
                           struct sm_buf *out, struct sm_diag *diag);

struct sm_import_error {
    long row;           /* 1-based record number in the file, the header being 1 */
    const char *column; /* NULL when the error is not about one column */
    const char *message;
};

struct sm_import_report {
    size_t rows;    /* data rows read */
    size_t created; /* services that did not exist */
    size_t updated; /* services matched by registration number */
    size_t n_errors;
    struct sm_import_error *errors;
    void *priv;
};

/* Imports registered services from CSV data[0..len) in the export's format, in one
 * transaction: a row whose registration number exists replaces that service's approved
 * content, status and dates (recorded as an operator's import, not a review); another
 * creates the service, and its provider when no provider has that name. Every row is
 * checked and every error reported; when there is any, nothing is imported and the result
 * is SM_EINVAL (SM_EPARSE when the CSV itself is malformed, SM_ELIMIT past 10000 rows or
 * 256 KiB in a row) with *out listing them. A provider that exists is used as it is (its
 * details are not updated from the file). With
 * dry_run nothing is imported either way. Operators only. *out is owned by the caller
 * (sm_import_report_free) whenever it is set, also on SM_EINVAL and SM_EPARSE. */
int sm_registry_import_csv(struct sm_store *store, const struct sm_registry_who *who,
                           const char *data, size_t len, bool dry_run,
                           struct sm_import_report **out, struct sm_diag *diag);
void sm_import_report_free(struct sm_import_report *report);

/* --- Demo data ------------------------------------------------------------------------- */

/* Loads the registry's demo data: the working group's device table (facts), the one real
 * service known from public sources (the Osaka Chamber of Commerce and Industry, with only
 * what the sources state), and fictitious providers named 「（架空）…」 with their flag set,
 * whose services cover every prefecture several times over with varied types, classes and
 * prices, some lapsed, due or suspended, with published case studies. Dates are relative
 * to today (sm_date_today). Links the demo user "provider" (when it exists) to a
 * fictitious provider. Idempotent: rows that exist are left alone. The store must be
 * migrated. Each service is added in its own transaction with its audit record. */
int sm_registry_seed_demo(struct sm_store *store, const struct sm_actor *actor,
                          struct sm_diag *diag);

/* The same with the date the demo is relative to given; for tests. */
int sm_registry_seed_demo_at(struct sm_store *store, const struct sm_actor *actor,
                             const char *today, struct sm_diag *diag);

#endif

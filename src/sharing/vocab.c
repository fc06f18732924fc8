/*
 * The vocabularies of incident reports (TLP, threat kinds, detection, response, outcome,
 * size and cost bands, JSIC industries, recovery bands, half-years), the report's fields
 * and how each is set from text, and the helpers the other files of src/sharing/ share.
 *
 * Names here are the ones the database's CHECK constraints, the CSV header, the JSON API
 * and URLs use; they never change once released.
 */
#include "sharing/internal.h"

#include "smesec/alloc.h"
#include "smesec/date.h"
#include "smesec/utf8.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "util/banned.h"

/* --- Results and shared helpers ------------------------------------------------------- */

int sm__sh_new(size_t size, struct sm_arena **arena, void **obj)
{
    struct sm_arena *a = sm_malloc(sizeof *a);
    if (!a)
        return SM_ENOMEM;
    sm_arena_init(a, SM__SH_ARENA_MAX);
    void *o = sm_arena_calloc(a, 1, size);
    if (!o) {
        sm_free(a);
        return SM_ENOMEM;
    }
    *arena = a;
    *obj = o;
    return SM_OK;
}

void sm__sh_free(void *priv)
{
    struct sm_arena *a = priv;
    if (!a)
        return;
    sm_arena_release(a);
    sm_free(a);
}

void *sm__sh_push(struct sm_arena *a, void **items, size_t *n, size_t *cap, size_t size)
{
    if (*n == *cap) {
        size_t ncap = *cap ? *cap * 2 : 16;
        void *p = sm_arena_calloc(a, ncap, size);
        if (!p)
            return NULL;
        if (*n)
            memcpy(p, *items, *n * size);
        *items = p;
        *cap = ncap;
    }
    unsigned char *slot = (unsigned char *)*items + (*n)++ * size;
    memset(slot, 0, size);
    return slot;
}

int sm__sh_audit(struct sm_store *store, const struct sm_registry_who *who, const char *action,
                 const char *object, const char *detail, struct sm_diag *diag)
{
    struct sm_actor actor = { .user_id = who->user_id, .name = who->name };
    return sm_audit_record(store, &actor, action, object, detail, diag);
}

int64_t sm__sh_now(void)
{
    return (int64_t)time(NULL);
}

void sm__sh_today(const char *today, char out[11])
{
    if (today && sm_date_valid(today))
        memcpy(out, today, SM_DATE_SIZE);
    else
        sm_date_today(out);
}

static int cmp_id(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

int sm__sh_listed_services(struct sm_store *store, int64_t provider_id, const char *today,
                           int64_t **ids, size_t *n, struct sm_diag *diag)
{
    *ids = NULL;
    *n = 0;
    if (provider_id <= 0)
        return SM_OK;
    /* The registry decides what "listed" means (registered or renewal due, renewal date not
     * passed, an approved version); asking it keeps one definition. */
    struct sm_registry_who sys = sm_registry_who_system("sharing");
    struct sm_registry_service_list *list = NULL;
    int rc = sm_registry_services(store, &sys, provider_id, today, &list, diag);
    if (rc)
        return rc;
    int64_t *out = sm_calloc(list->n ? list->n : 1, sizeof *out);
    if (!out) {
        sm_registry_service_list_free(list);
        return SM_ENOMEM;
    }
    size_t k = 0;
    for (size_t i = 0; i < list->n; i++)
        if (list->items[i].listed)
            out[k++] = list->items[i].id;
    sm_registry_service_list_free(list);
    qsort(out, k, sizeof *out, cmp_id);
    *ids = out;
    *n = k;
    return SM_OK;
}

int sm_sharing_provider_active(struct sm_store *store, int64_t provider_id, const char *today,
                               bool *active, struct sm_diag *diag)
{
    char day[SM_DATE_SIZE];
    sm__sh_today(today, day);
    int64_t *ids = NULL;
    size_t n = 0;
    int rc = sm__sh_listed_services(store, provider_id, day, &ids, &n, diag);
    sm_free(ids);
    if (rc == SM_ENOTFOUND || rc == SM_EPERM)
        rc = SM_OK;
    if (!rc)
        *active = n > 0;
    return rc;
}

int sm__sh_check_text(const char *what, const char *s, size_t max, bool multiline,
                      struct sm_diag *diag)
{
    if (!s)
        return SM_OK;
    size_t n = strlen(s), bad = 0;
    if (n > max)
        return sm_diag_set(diag, SM_EINVAL, "%s is longer than %zu bytes", what, max);
    if (!sm_utf8_valid(s, n, &bad))
        return sm_diag_set(diag, SM_EINVAL, "%s is not valid UTF-8 at byte %zu", what, bad);
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == '\t' || (multiline && (c == '\n' || c == '\r')))
            continue;
        if (c < 0x20 || c == 0x7f)
            return sm_diag_set(diag, SM_EINVAL, "%s has a control character at byte %zu", what, i);
    }
    return SM_OK;
}

const char *sm__sh_quote(const char *s, size_t max, char *out)
{
    size_t n = s ? strlen(s) : 0;
    if (n && !sm_utf8_valid(s, n, NULL))
        return "(not UTF-8)";
    if (n <= max) {
        if (n)
            memcpy(out, s, n);
        out[n] = '\0';
        return out;
    }
    size_t cut = max;
    /* Back to the start of a character: never past one that would be cut in two. */
    while (cut > 0 && ((unsigned char)s[cut] & 0xC0) == 0x80)
        cut--;
    memcpy(out, s, cut);
    memcpy(out + cut, "\xE2\x80\xA6", 4);
    return out;
}

int sm__sh_parse_int(const char *s, int64_t lo, int64_t hi, int64_t *out)
{
    if (!s || !*s)
        return SM_EINVAL;
    int64_t v = 0;
    size_t i = 0;
    for (; s[i]; i++) {
        if (s[i] < '0' || s[i] > '9' || i >= 12)
            return SM_EINVAL;
        v = v * 10 + (s[i] - '0');
    }
    if (v < lo || v > hi)
        return SM_EINVAL;
    *out = v;
    return SM_OK;
}

/* --- Names ----------------------------------------------------------------------------- */

static const char *const tlp_names[SM_TLP_COUNT] = { "clear", "green", "amber", "amber+strict",
                                                     "red" };
static const char *const tlp_labels[SM_TLP_COUNT] = { "TLP:CLEAR", "TLP:GREEN", "TLP:AMBER",
                                                      "TLP:AMBER+STRICT", "TLP:RED" };
/* From oasis-open/cti-stix-common-objects, extension-definition-specifications/tlp-2.0. */
static const char *const tlp_stix[SM_TLP_COUNT] = {
    "marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487",
    "marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb",
    "marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421",
    "marking-definition--939a9414-2ddd-4d32-a0cd-375ea402b003",
    "marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1",
};
static const char *const threat_names[SM_THREAT_COUNT] = {
    "ransomware", "malware", "phishing", "unauthorized_access", "c2", "defacement", "other"
};
static const char *const detection_names[SM_DETECTION_COUNT] = { "utm", "edr", "soc", "user" };
static const char *const response_names[SM_RESPONSE_COUNT] = { "remote", "onsite", "none" };
static const char *const outcome_names[SM_OUTCOME_COUNT] = { "blocked", "contained", "damage",
                                                             "leak" };
static const char *const size_names[SM_SIZE_COUNT] = { "1-5",    "6-20",    "21-50",
                                                       "51-100", "101-300", "301+" };
static const char *const cost_names[SM_COST_COUNT] = { "none",   "lt_100k",  "100k_1m",
                                                       "1m_10m", "10m_plus", "unknown" };
const char *const sm__industries[SM_INDUSTRY_COUNT] = { "A", "B", "C", "D", "E", "F", "G",
                                                        "H", "I", "J", "K", "L", "M", "N",
                                                        "O", "P", "Q", "R", "S", "T" };
const char *const sm__recovery_bands[SM__RECOVERY_BANDS] = { "0",    "1-3", "4-7",
                                                             "8-30", "31+", "unknown" };

static int parse_name(const char *const *names, size_t n, const char *s, int *out)
{
    if (!s)
        return SM_EINVAL;
    for (size_t i = 0; i < n; i++)
        if (strcmp(s, names[i]) == 0) {
            *out = (int)i;
            return SM_OK;
        }
    return SM_EINVAL;
}

#define NAME_OF(arr, v) ((size_t)(v) < sizeof(arr) / sizeof((arr)[0]) ? (arr)[(v)] : "")

const char *sm_tlp_name(enum sm_tlp t)
{
    return NAME_OF(tlp_names, t);
}

const char *sm_tlp_label(enum sm_tlp t)
{
    return NAME_OF(tlp_labels, t);
}

const char *sm_tlp_stix_id(enum sm_tlp t)
{
    return NAME_OF(tlp_stix, t);
}

int sm_tlp_parse(const char *s, enum sm_tlp *out)
{
    if (!s)
        return SM_EINVAL;
    char low[24];
    size_t n = strlen(s);
    if (n >= sizeof low)
        return SM_EINVAL;
    for (size_t i = 0; i <= n; i++) {
        char c = s[i];
        low[i] = c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
    }
    const char *p = strncmp(low, "tlp:", 4) == 0 ? low + 4 : low;
    if (strcmp(p, "white") == 0) /* TLP 1.0's name for CLEAR */
        p = "clear";
    int v = 0;
    int rc = parse_name(tlp_names, SM_TLP_COUNT, p, &v);
    if (!rc)
        *out = (enum sm_tlp)v;
    return rc;
}

#define DEFINE_ENUM(type, prefix, arr, count)      \
 const char *prefix##_name(enum type v)            \
 {                                                 \
  return NAME_OF(arr, v);                          \
 }                                                 \
 int prefix##_parse(const char *s, enum type *out) \
 {                                                 \
  int v = 0;                                       \
  int rc = parse_name(arr, count, s, &v);          \
  if (!rc)                                         \
   *out = (enum type)v;                            \
  return rc;                                       \
 }

DEFINE_ENUM(sm_threat, sm_threat, threat_names, SM_THREAT_COUNT)
DEFINE_ENUM(sm_detection, sm_detection, detection_names, SM_DETECTION_COUNT)
DEFINE_ENUM(sm_response, sm_response, response_names, SM_RESPONSE_COUNT)
DEFINE_ENUM(sm_outcome, sm_outcome, outcome_names, SM_OUTCOME_COUNT)
DEFINE_ENUM(sm_size_band, sm_size, size_names, SM_SIZE_COUNT)
DEFINE_ENUM(sm_cost_band, sm_cost, cost_names, SM_COST_COUNT)

bool sm_industry_valid(const char *s)
{
    return s && s[0] >= 'A' && s[0] <= 'T' && s[1] == '\0';
}

const char *sm_recovery_band(int64_t days)
{
    if (days < 0)
        return sm__recovery_bands[5];
    if (days == 0)
        return sm__recovery_bands[0];
    if (days <= 3)
        return sm__recovery_bands[1];
    if (days <= 7)
        return sm__recovery_bands[2];
    if (days <= 30)
        return sm__recovery_bands[3];
    return sm__recovery_bands[4];
}

void sm_half_of(const char *date, char out[7])
{
    memcpy(out, date, 4);
    out[4] = 'H';
    out[5] = (date[5] == '0' && date[6] <= '6') ? '1' : '2';
    out[6] = '\0';
}

bool sm_half_valid(const char *s)
{
    if (!s || strlen(s) != 6 || s[4] != 'H' || (s[5] != '1' && s[5] != '2'))
        return false;
    int y = 0;
    for (int i = 0; i < 4; i++) {
        if (s[i] < '0' || s[i] > '9')
            return false;
        y = y * 10 + (s[i] - '0');
    }
    return y >= SM_DATE_MIN_YEAR && y <= SM_DATE_MAX_YEAR;
}

const char *sm_audience_name(enum sm_audience a)
{
    switch (a) {
    case SM_AUDIENCE_PUBLIC:
        return "public";
    case SM_AUDIENCE_PROVIDERS:
        return "providers";
    case SM_AUDIENCE_OPERATOR:
        return "operator";
    }
    return "";
}

bool sm_tlp_reaches(enum sm_tlp t, enum sm_audience a)
{
    switch (t) {
    case SM_TLP_CLEAR:
        return true;
    case SM_TLP_GREEN:
    case SM_TLP_AMBER:
        return a != SM_AUDIENCE_PUBLIC;
    case SM_TLP_AMBER_STRICT:
        return a == SM_AUDIENCE_OPERATOR;
    case SM_TLP_RED:
        return false;
    }
    return false;
}

const char *sm_submit_status_name(enum sm_submit_status s)
{
    switch (s) {
    case SM_SUBMIT_CREATED:
        return "created";
    case SM_SUBMIT_UPDATED:
        return "updated";
    case SM_SUBMIT_REFUSED:
        return "refused";
    }
    return "";
}

/* --- The report's fields ---------------------------------------------------------------- */

const char *const sm_incident_fields[] = {
    "id",        "detected_on",    "service_id",    "prefecture", "industry", "size",
    "threat",    "malware_family", "detection",     "response",   "outcome",  "recovery_days",
    "cost_band", "notes",          "customer_name", "tlp",
};
const size_t sm_incident_n_fields = sizeof sm_incident_fields / sizeof sm_incident_fields[0];

bool sm_incident_field_required(const char *field)
{
    static const char *const required[] = { "id",       "detected_on", "service_id", "prefecture",
                                            "industry", "size",        "threat",     "detection",
                                            "response", "outcome" };
    for (size_t i = 0; i < sizeof required / sizeof required[0]; i++)
        if (strcmp(field, required[i]) == 0)
            return true;
    return false;
}

void sm_incident_init(struct sm_incident *in)
{
    memset(in, 0, sizeof *in);
    in->recovery_days = -1;
    in->cost = SM_COST_UNKNOWN;
    in->tlp = SM_TLP_AMBER;
}

/* Lists the names of an enumeration for an error message. */
static int bad_enum(struct sm_diag *diag, const char *field, const char *value,
                    const char *const *names, size_t n)
{
    char list[256] = "";
    size_t len = 0;
    for (size_t i = 0; i < n && len < sizeof list; i++) {
        int w = snprintf(list + len, sizeof list - len, "%s%s", i ? ", " : "", names[i]);
        if (w < 0)
            break;
        len += (size_t)w;
    }
    char q[SM__QUOTE_MAX + 4];
    return sm_diag_set(diag, SM_EINVAL, "%s '%s' is not one of %s", field,
                       sm__sh_quote(value, SM__QUOTE_MAX, q), list);
}

enum field_index {
    F_ID,
    F_DETECTED_ON,
    F_SERVICE_ID,
    F_PREFECTURE,
    F_INDUSTRY,
    F_SIZE,
    F_THREAT,
    F_MALWARE_FAMILY,
    F_DETECTION,
    F_RESPONSE,
    F_OUTCOME,
    F_RECOVERY_DAYS,
    F_COST_BAND,
    F_NOTES,
    F_CUSTOMER_NAME,
    F_TLP,
};

int sm__incident_set_index(struct sm_incident *in, size_t f, const char *value,
                           struct sm_diag *diag)
{
    if (f >= sm_incident_n_fields || !value)
        return sm_diag_set(diag, SM_EINVAL, "no field or value");
    const char *name = sm_incident_fields[f];
    bool empty = value[0] == '\0';
    /* The fields sm_incident_field_required names, by number. */
    static const unsigned required = 1u << F_ID | 1u << F_DETECTED_ON | 1u << F_SERVICE_ID |
                                     1u << F_PREFECTURE | 1u << F_INDUSTRY | 1u << F_SIZE |
                                     1u << F_THREAT | 1u << F_DETECTION | 1u << F_RESPONSE |
                                     1u << F_OUTCOME;
    if (empty && (required >> f) & 1u)
        return sm_diag_set(diag, SM_EINVAL, "%s is required", name);
    int v = 0;
    int64_t num = 0;
    char q[SM__QUOTE_MAX + 4];
    if (f == F_ID) {
        int rc = sm__sh_check_text("id", value, SM_INCIDENT_ID_MAX, false, diag);
        if (rc)
            return rc;
        in->ext_id = empty ? NULL : value;
        return SM_OK;
    }
    if (f == F_DETECTED_ON) {
        if (!empty && !sm_date_valid(value))
            return sm_diag_set(diag, SM_EINVAL, "detected_on '%s' is not a date YYYY-MM-DD",
                               sm__sh_quote(value, SM__QUOTE_MAX, q));
        in->detected_on = empty ? NULL : value;
        return SM_OK;
    }
    if (f == F_SERVICE_ID) {
        if (empty) {
            in->service_id = 0;
            return SM_OK;
        }
        if (sm__sh_parse_int(value, 1, INT64_C(999999999999), &num))
            return sm_diag_set(diag, SM_EINVAL, "service_id '%s' is not a service number",
                               sm__sh_quote(value, SM__QUOTE_MAX, q));
        in->service_id = num;
        return SM_OK;
    }
    if (f == F_PREFECTURE) {
        if (!empty && !sm_pref_code_valid(value))
            return sm_diag_set(diag, SM_EINVAL, "prefecture '%s' is not a JIS code from 01 to 47",
                               sm__sh_quote(value, SM__QUOTE_MAX, q));
        in->prefecture = empty ? NULL : value;
        return SM_OK;
    }
    if (f == F_INDUSTRY) {
        if (!empty && !sm_industry_valid(value))
            return sm_diag_set(diag, SM_EINVAL,
                               "industry '%s' is not a JSIC major group letter A to T",
                               sm__sh_quote(value, SM__QUOTE_MAX, q));
        in->industry = empty ? NULL : value;
        return SM_OK;
    }
    if (f == F_MALWARE_FAMILY || f == F_CUSTOMER_NAME) {
        int rc = sm__sh_check_text(name, value, SM_INCIDENT_NAME_MAX, false, diag);
        if (rc)
            return rc;
        const char **slot = name[0] == 'm' ? &in->malware_family : &in->customer_name;
        *slot = empty ? NULL : value;
        return SM_OK;
    }
    if (f == F_NOTES) {
        int rc = sm__sh_check_text("notes", value, SM_INCIDENT_NOTES_MAX, true, diag);
        if (rc)
            return rc;
        in->notes = empty ? NULL : value;
        return SM_OK;
    }
    if (f == F_RECOVERY_DAYS) {
        if (empty) {
            in->recovery_days = -1;
            return SM_OK;
        }
        if (sm__sh_parse_int(value, 0, SM_INCIDENT_RECOVERY_MAX, &num))
            return sm_diag_set(diag, SM_EINVAL,
                               "recovery_days '%s' is not a number of days from 0 to %d",
                               sm__sh_quote(value, SM__QUOTE_MAX, q), SM_INCIDENT_RECOVERY_MAX);
        in->recovery_days = num;
        return SM_OK;
    }
    if (f == F_TLP) {
        if (empty) {
            in->tlp = SM_TLP_AMBER;
            return SM_OK;
        }
        enum sm_tlp t;
        if (sm_tlp_parse(value, &t))
            return bad_enum(diag, "tlp", value, tlp_names, SM_TLP_COUNT);
        in->tlp = t;
        return SM_OK;
    }
    if (f == F_COST_BAND) {
        if (empty) {
            in->cost = SM_COST_UNKNOWN;
            return SM_OK;
        }
        if (parse_name(cost_names, SM_COST_COUNT, value, &v))
            return bad_enum(diag, "cost_band", value, cost_names, SM_COST_COUNT);
        in->cost = (enum sm_cost_band)v;
        return SM_OK;
    }
    if (f == F_SIZE) {
        if (parse_name(size_names, SM_SIZE_COUNT, value, &v))
            return bad_enum(diag, name, value, size_names, SM_SIZE_COUNT);
        in->size = (enum sm_size_band)v;
        return SM_OK;
    }
    if (f == F_THREAT) {
        if (parse_name(threat_names, SM_THREAT_COUNT, value, &v))
            return bad_enum(diag, name, value, threat_names, SM_THREAT_COUNT);
        in->threat = (enum sm_threat)v;
        return SM_OK;
    }
    if (f == F_DETECTION) {
        if (parse_name(detection_names, SM_DETECTION_COUNT, value, &v))
            return bad_enum(diag, name, value, detection_names, SM_DETECTION_COUNT);
        in->detection = (enum sm_detection)v;
        return SM_OK;
    }
    if (f == F_RESPONSE) {
        if (parse_name(response_names, SM_RESPONSE_COUNT, value, &v))
            return bad_enum(diag, name, value, response_names, SM_RESPONSE_COUNT);
        in->response = (enum sm_response)v;
        return SM_OK;
    }
    if (f == F_OUTCOME) {
        if (parse_name(outcome_names, SM_OUTCOME_COUNT, value, &v))
            return bad_enum(diag, name, value, outcome_names, SM_OUTCOME_COUNT);
        in->outcome = (enum sm_outcome)v;
        return SM_OK;
    }
    return sm_diag_set(diag, SM_EINVAL, "unknown field '%s'", sm__sh_quote(name, SM__QUOTE_MAX, q));
}

int sm_incident_set(struct sm_incident *in, const char *name, const char *value,
                    struct sm_diag *diag)
{
    if (!name || !value)
        return sm_diag_set(diag, SM_EINVAL, "no field name or value");
    for (size_t f = 0; f < sm_incident_n_fields; f++)
        if (strcmp(name, sm_incident_fields[f]) == 0)
            return sm__incident_set_index(in, f, value, diag);
    char q[SM__QUOTE_MAX + 4];
    return sm_diag_set(diag, SM_EINVAL, "unknown field '%s'", sm__sh_quote(name, SM__QUOTE_MAX, q));
}

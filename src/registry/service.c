/*
 * Service content (see smesec/service.h): initialisation, the storage rules every content
 * obeys whatever its conformance, the names of the enumerations, and prefecture sets.
 *
 * The names here are the ones the database's CHECK constraints, the CSV columns and the API
 * use; each enumeration's name and parse functions are written as one table so the two
 * cannot disagree.
 */
#include "smesec/service.h"

#include "smesec/date.h"
#include "smesec/utf8.h"

#include <stdio.h>
#include <string.h>

#include "util/banned.h"

void sm_service_content_init(struct sm_service_content *c)
{
    memset(c, 0, sizeof *c);
    c->service_class = 1;
    c->monitoring = SM_MON_NETWORK;
    c->monthly_yen = SM_UNKNOWN;
    c->device_monthly_yen = SM_UNKNOWN;
    c->initial_yen = SM_UNKNOWN;
    c->contract_min_months = SM_UNKNOWN;
    c->customers_1y = SM_UNKNOWN;
    c->monitored_endpoints = SM_UNKNOWN;
}

/* --- Names --------------------------------------------------------------------------- */

static int parse_name(const char *const *names, size_t n, const char *s, int *out)
{
    if (!s)
        return SM_EINVAL;
    for (size_t i = 0; i < n; i++) {
        if (strcmp(s, names[i]) == 0) {
            *out = (int)i;
            return SM_OK;
        }
    }
    return SM_EINVAL;
}

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

static const char *const tri_names[] = { "unknown", "no", "yes" };
static const char *const monitoring_names[] = { "network", "endpoint", "combined" };
static const char *const device_kind_names[] = { "utm", "edr", "simple_edr", "soc" };
static const char *const effect_names[] = { "unknown", "partial", "effective" };
static const char *const effect_symbols[] = { "？", "△", "○" };

const char *sm_tri_name(enum sm_tri t)
{
    switch (t) {
    case SM_TRI_UNKNOWN:
    case SM_TRI_NO:
    case SM_TRI_YES:
        return tri_names[t];
    }
    return "unknown";
}

int sm_tri_parse(const char *s, enum sm_tri *out)
{
    int v;
    int rc = parse_name(tri_names, COUNT(tri_names), s, &v);
    if (!rc)
        *out = (enum sm_tri)v;
    return rc;
}

const char *sm_monitoring_name(enum sm_monitoring m)
{
    switch (m) {
    case SM_MON_NETWORK:
    case SM_MON_ENDPOINT:
    case SM_MON_COMBINED:
        return monitoring_names[m];
    }
    return "unknown";
}

int sm_monitoring_parse(const char *s, enum sm_monitoring *out)
{
    int v;
    int rc = parse_name(monitoring_names, COUNT(monitoring_names), s, &v);
    if (!rc)
        *out = (enum sm_monitoring)v;
    return rc;
}

const char *sm_device_kind_name(enum sm_device_kind k)
{
    switch (k) {
    case SM_DEV_UTM:
    case SM_DEV_EDR:
    case SM_DEV_SIMPLE_EDR:
    case SM_DEV_SOC:
        return device_kind_names[k];
    }
    return "unknown";
}

int sm_device_kind_parse(const char *s, enum sm_device_kind *out)
{
    int v;
    int rc = parse_name(device_kind_names, COUNT(device_kind_names), s, &v);
    if (!rc)
        *out = (enum sm_device_kind)v;
    return rc;
}

const char *sm_effect_name(enum sm_effect e)
{
    switch (e) {
    case SM_EFFECT_UNKNOWN:
    case SM_EFFECT_PARTIAL:
    case SM_EFFECT_EFFECTIVE:
        return effect_names[e];
    }
    return "unknown";
}

int sm_effect_parse(const char *s, enum sm_effect *out)
{
    int v;
    int rc = parse_name(effect_names, COUNT(effect_names), s, &v);
    if (!rc)
        *out = (enum sm_effect)v;
    return rc;
}

const char *sm_effect_symbol(enum sm_effect e)
{
    switch (e) {
    case SM_EFFECT_UNKNOWN:
    case SM_EFFECT_PARTIAL:
    case SM_EFFECT_EFFECTIVE:
        return effect_symbols[e];
    }
    return "？";
}

enum sm_effect sm_service_ransomware_best(const struct sm_service_content *c)
{
    enum sm_effect best = SM_EFFECT_UNKNOWN;
    for (size_t i = 0; i < c->n_devices; i++)
        if (c->devices[i].ransomware > best)
            best = c->devices[i].ransomware;
    return best;
}

/* --- Checks ---------------------------------------------------------------------------- */

static int check_text(const char *field, const char *s, size_t max, bool required,
                      struct sm_diag *diag)
{
    if (!s || !*s) {
        if (required)
            return sm_diag_set(diag, SM_EINVAL, "service %s is required", field);
        return SM_OK;
    }
    size_t n = strlen(s), bad = 0;
    if (n > max)
        return sm_diag_set(diag, SM_EINVAL, "service %s is longer than %zu bytes", field, max);
    if (!sm_utf8_valid(s, n, &bad))
        return sm_diag_set(diag, SM_EINVAL, "service %s is not valid UTF-8 at byte %zu", field,
                           bad);
    return SM_OK;
}

static int check_number(const char *field, int64_t v, int64_t max, struct sm_diag *diag)
{
    if (v == SM_UNKNOWN || (v >= 0 && v <= max))
        return SM_OK;
    return sm_diag_set(diag, SM_EINVAL, "service %s %lld is not between 0 and %lld", field,
                       (long long)v, (long long)max);
}

static int check_tri(const char *field, enum sm_tri t, struct sm_diag *diag)
{
    switch (t) {
    case SM_TRI_UNKNOWN:
    case SM_TRI_NO:
    case SM_TRI_YES:
        return SM_OK;
    }
    return sm_diag_set(diag, SM_EINVAL, "service %s is not yes, no or unknown", field);
}

/* Whether a value read from a caller is one of the enumeration's values. */
static bool kind_valid(enum sm_device_kind k)
{
    switch (k) {
    case SM_DEV_UTM:
    case SM_DEV_EDR:
    case SM_DEV_SIMPLE_EDR:
    case SM_DEV_SOC:
        return true;
    }
    return false;
}

static bool effect_valid(enum sm_effect e)
{
    switch (e) {
    case SM_EFFECT_UNKNOWN:
    case SM_EFFECT_PARTIAL:
    case SM_EFFECT_EFFECTIVE:
        return true;
    }
    return false;
}

static int check_device(size_t i, const struct sm_device *d, struct sm_diag *diag)
{
    char field[48];
    int rc;
    snprintf(field, sizeof field, "device %zu maker", i + 1);
    if ((rc = check_text(field, d->maker, SM_SERVICE_NAME_MAX, false, diag)))
        return rc;
    snprintf(field, sizeof field, "device %zu product", i + 1);
    if ((rc = check_text(field, d->product, SM_SERVICE_NAME_MAX, false, diag)))
        return rc;
    snprintf(field, sizeof field, "device %zu functions", i + 1);
    if ((rc = check_text(field, d->functions, SM_SERVICE_TEXT_MAX, false, diag)))
        return rc;
    snprintf(field, sizeof field, "device %zu reason", i + 1);
    if ((rc = check_text(field, d->reason, SM_SERVICE_TEXT_MAX, false, diag)))
        return rc;
    if (d->catalog_id < 0)
        return sm_diag_set(diag, SM_EINVAL, "service device %zu has a negative catalog id", i + 1);
    if (!kind_valid(d->kind))
        return sm_diag_set(diag, SM_EINVAL, "service device %zu has an unknown kind", i + 1);
    if (!effect_valid(d->ransomware))
        return sm_diag_set(diag, SM_EINVAL, "service device %zu has an unknown ransomware rating",
                           i + 1);
    return SM_OK;
}

int sm_service_content_check(const struct sm_service_content *c, struct sm_diag *diag)
{
    int rc;
    if ((rc = check_text("name", c->name, SM_SERVICE_NAME_MAX, true, diag)))
        return rc;

    const struct {
        const char *field;
        const char *value;
    } texts[] = {
        { "summary", c->summary },
        { "price note", c->price_note },
        { "help-desk hours", c->helpdesk_hours },
        { "monitoring method", c->monitoring_method },
        { "insurance payments", c->insurance_pays },
        { "insurance user share", c->insurance_user_pays },
        { "contract terms", c->contract_terms },
        { "help-desk description", c->desc_helpdesk },
        { "monitoring description", c->desc_monitoring },
        { "on-site description", c->desc_onsite },
        { "insurance description", c->desc_insurance },
    };

    for (size_t i = 0; i < COUNT(texts); i++)
        if ((rc = check_text(texts[i].field, texts[i].value, SM_SERVICE_TEXT_MAX, false, diag)))
            return rc;
    if (c->service_class != 1 && c->service_class != 2)
        return sm_diag_set(diag, SM_EINVAL, "service class %d is not 1 or 2", c->service_class);
    bool has_net = false, has_dev = false;
    switch (c->monitoring) {
    case SM_MON_NETWORK:
        has_net = true;
        break;
    case SM_MON_ENDPOINT:
        has_dev = true;
        break;
    case SM_MON_COMBINED:
        has_net = has_dev = true;
        break;
    }
    if (!has_net && !has_dev)
        return sm_diag_set(diag, SM_EINVAL, "service monitoring type is unknown");
    if (c->prefectures & ~SM_PREF_ALL_MASK)
        return sm_diag_set(diag, SM_EINVAL, "service prefectures hold a code outside 01..47");
    if (c->nationwide && c->prefectures)
        return sm_diag_set(diag, SM_EINVAL,
                           "service is nationwide and lists prefectures: give one or the other");
    if ((rc = check_number("monthly price", c->monthly_yen, SM_SERVICE_PRICE_MAX, diag)) ||
        (rc =
             check_number("per-device price", c->device_monthly_yen, SM_SERVICE_PRICE_MAX, diag)) ||
        (rc = check_number("initial cost", c->initial_yen, SM_SERVICE_PRICE_MAX, diag)) ||
        (rc = check_number("minimum contract months", c->contract_min_months, 1200, diag)) ||
        (rc = check_number("customers served", c->customers_1y, 100000000, diag)) ||
        (rc = check_number("monitored endpoints", c->monitored_endpoints, 100000000, diag)))
        return rc;
    if (!has_net && c->monthly_yen != SM_UNKNOWN)
        return sm_diag_set(diag, SM_EINVAL,
                           "an endpoint-type service has a per-device price, not a monthly one");
    if (!has_dev && c->device_monthly_yen != SM_UNKNOWN)
        return sm_diag_set(diag, SM_EINVAL,
                           "a network-type service has a monthly price, not a per-device one");
    if ((rc = check_tri("help desk", c->helpdesk, diag)) ||
        (rc = check_tri("24-hour monitoring", c->monitoring_24h, diag)) ||
        (rc = check_tri("on-site dispatch", c->onsite, diag)) ||
        (rc = check_tri("remote support", c->remote_support, diag)) ||
        (rc = check_tri("insurance", c->insurance, diag)) ||
        (rc = check_tri("insurance initial response", c->insurance_initial_response, diag)))
        return rc;
    if (c->helpdesk_channels & ~SM_CHANNEL_ALL)
        return sm_diag_set(diag, SM_EINVAL, "service help-desk channels hold an unknown bit");
    if (c->class1_since && *c->class1_since && !sm_date_valid(c->class1_since))
        return sm_diag_set(diag, SM_EINVAL, "class-1 registration date '%s' is not YYYY-MM-DD",
                           c->class1_since);
    if (c->n_devices > SM_SERVICE_DEVICES_MAX)
        return sm_diag_set(diag, SM_EINVAL, "service lists more than %d devices",
                           SM_SERVICE_DEVICES_MAX);
    if (c->n_devices && !c->devices)
        return sm_diag_set(diag, SM_EINVAL, "service devices missing");
    for (size_t i = 0; i < c->n_devices; i++)
        if ((rc = check_device(i, &c->devices[i], diag)))
            return rc;
    return SM_OK;
}

/* --- Prefecture sets --------------------------------------------------------------------- */

bool sm_pref_code_valid(const char *code)
{
    uint64_t bit;
    return sm_pref_bit(code, &bit) == SM_OK;
}

int sm_pref_bit(const char *code, uint64_t *bit)
{
    if (!code || strlen(code) != 2 || code[0] < '0' || code[0] > '4' || code[1] < '0' ||
        code[1] > '9')
        return SM_EINVAL;
    int n = (code[0] - '0') * 10 + (code[1] - '0');
    if (n < 1 || n > 47)
        return SM_EINVAL;
    *bit = (uint64_t)1 << n;
    return SM_OK;
}

int sm_prefs_parse(const char *s, bool *nationwide, uint64_t *mask, struct sm_diag *diag)
{
    if (!s || !*s) {
        *nationwide = false;
        *mask = 0;
        return SM_OK;
    }
    if (strcmp(s, "nationwide") == 0 || strcmp(s, "全国") == 0) {
        *nationwide = true;
        *mask = 0;
        return SM_OK;
    }
    uint64_t m = 0;
    const char *p = s;
    for (;;) {
        const char *end = strchr(p, ';');
        size_t n = end ? (size_t)(end - p) : strlen(p);
        char code[3];
        uint64_t bit;
        if (n != 2)
            return sm_diag_set(diag, SM_EINVAL,
                               "prefectures '%s': codes are two digits 01..47 joined by ';'", s);
        memcpy(code, p, 2);
        code[2] = '\0';
        if (sm_pref_bit(code, &bit))
            return sm_diag_set(diag, SM_EINVAL, "prefectures '%s': no prefecture '%s'", s, code);
        m |= bit;
        if (!end)
            break;
        p = end + 1;
    }
    *nationwide = false;
    *mask = m;
    return SM_OK;
}

int sm_prefs_format(struct sm_buf *b, bool nationwide, uint64_t mask)
{
    if (nationwide)
        return sm_buf_puts(b, "nationwide");
    size_t saved = b->len;
    int rc = SM_OK;
    bool first = true;
    for (int n = 1; n <= 47 && !rc; n++) {
        if (!(mask & ((uint64_t)1 << n)))
            continue;
        rc = sm_buf_printf(b, "%s%02d", first ? "" : ";", n);
        first = false;
    }
    if (rc && b->data) {
        b->len = saved;
        b->data[saved] = '\0';
    }
    return rc;
}

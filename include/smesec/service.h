/*
 * What an Otasuketai service offers: the content a provider proposes in an application, a
 * reviewer checks against the service standard, and the public site lists once approved.
 *
 * Facts may be missing: the scheme's public sources leave much unsaid, and demo or imported
 * rows must not invent it. So every yes/no property is three-valued (unknown, no, yes),
 * every number may be unknown (SM_UNKNOWN), and every text may be NULL. Start from
 * sm_service_content_init, which sets everything to unknown; a zeroed struct would claim
 * prices of 0 yen.
 *
 * Nothing here touches storage; everything is pure and thread-safe.
 */
#ifndef SMESEC_SERVICE_H
#define SMESEC_SERVICE_H

#include "smesec/buf.h"
#include "smesec/err.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* A number (price, count) that is not known or not stated. */
#define SM_UNKNOWN (-1)

/* A yes/no property that may be unknown. The zero value is "unknown". */
enum sm_tri {
    SM_TRI_UNKNOWN,
    SM_TRI_NO,
    SM_TRI_YES
};

/* How a service monitors (監視の形態). */
enum sm_monitoring {
    SM_MON_NETWORK,  /* ネットワーク一括監視型: a UTM or similar at the internet exit */
    SM_MON_ENDPOINT, /* 端末監視型: EDR or similar on each PC and server */
    SM_MON_COMBINED  /* 併用型: both (service standard 2.0) */
};

/* The kind of monitoring device or service a provider uses. */
enum sm_device_kind {
    SM_DEV_UTM,
    SM_DEV_EDR,
    SM_DEV_SIMPLE_EDR, /* 簡易EDR */
    SM_DEV_SOC         /* a monitoring service rather than a device */
};

/* How a device copes with ransomware, as the working group's table rated it. Ordered so
 * that a larger value is better. */
enum sm_effect {
    SM_EFFECT_UNKNOWN,  /* ？ */
    SM_EFFECT_PARTIAL,  /* △ */
    SM_EFFECT_EFFECTIVE /* ○ */
};

/* Help-desk channels, a bit set. */
#define SM_CHANNEL_PHONE 1u
#define SM_CHANNEL_EMAIL 2u
#define SM_CHANNEL_WEB   4u /* a web form or portal */
#define SM_CHANNEL_CHAT  8u
#define SM_CHANNEL_ALL   15u

/* Limits on content (bytes of UTF-8, counts). */
#define SM_SERVICE_NAME_MAX    200
#define SM_SERVICE_TEXT_MAX    4000
#define SM_SERVICE_DEVICES_MAX 20
#define SM_SERVICE_PRICE_MAX   100000000 /* yen; anything above is a typing error */

/* A monitoring device or service used by a service; strings borrowed (input) or owned by the
 * containing result (output). */
struct sm_device {
    int64_t catalog_id; /* the entry of the device catalog it was taken from, or 0 */
    const char *maker;  /* may be NULL (not stated) */
    enum sm_device_kind kind;
    const char *product;   /* may be NULL */
    const char *functions; /* may be NULL */
    enum sm_effect ransomware;
    const char *reason; /* why the rating, e.g. "検知のみ"; may be NULL */
};

/* Prefectures are a bit set: bit n stands for JIS X 0401 code n (1 = 北海道 .. 47 = 沖縄県). */
#define SM_PREF_ALL_MASK ((((uint64_t)1 << 48) - 1) & ~(uint64_t)1)

struct sm_service_content {
    const char *name;    /* required */
    const char *summary; /* a plain-words overview; may be NULL */
    int service_class;   /* 1 (1類) or 2 (2類) */
    enum sm_monitoring monitoring;

    /* Where the service is offered: everywhere, or the prefectures in the set. Neither
     * (false and 0) means not stated; the service then matches no prefecture search. */
    bool nationwide;
    uint64_t prefectures;

    /* Prices in yen, tax as the provider states it in price_note. Network type: monthly_yen
     * for the site; endpoint type: device_monthly_yen per device; combined: both, for their
     * parts. A price for a part the type does not have must be SM_UNKNOWN. */
    int64_t monthly_yen;
    int64_t device_monthly_yen;
    int64_t initial_yen;
    const char *price_note;

    enum sm_tri helpdesk;
    const char *helpdesk_hours; /* e.g. "平日 9:00-17:00" */
    unsigned helpdesk_channels; /* SM_CHANNEL_* */

    enum sm_tri monitoring_24h;
    const char *monitoring_method; /* how 24-hour monitoring is achieved */

    enum sm_tri onsite;         /* an engineer is sent on request (駆付け) */
    enum sm_tri remote_support; /* remote support (does not replace onsite) */

    enum sm_tri insurance;                  /* simple cyber insurance bundled */
    enum sm_tri insurance_initial_response; /* it pays initial-response costs */
    const char *insurance_pays;             /* what it pays, in plain words */
    const char *insurance_user_pays;        /* any part the user pays */

    const char *contract_terms;
    int64_t contract_min_months; /* SM_UNKNOWN when not stated */

    /* What each part covers, in plain words for SME owners. */
    const char *desc_helpdesk;
    const char *desc_monitoring;
    const char *desc_onsite;
    const char *desc_insurance;

    /* Statements for class-2 entry: the date ("YYYY-MM-DD") of the provider's first class-1
     * registration (NULL when not stated), customers served for a year or more, and how
     * many endpoints the service monitors (per customer). */
    const char *class1_since;
    int64_t customers_1y;
    int64_t monitored_endpoints;

    size_t n_devices;
    const struct sm_device *devices;
};

/* Sets every field to unknown: texts NULL, numbers SM_UNKNOWN, properties SM_TRI_UNKNOWN,
 * class 1, network type, no prefectures, no devices. */
void sm_service_content_init(struct sm_service_content *c);

/* Checks content for storage: name present, texts valid UTF-8 within the limits, class 1 or
 * 2, prices 0..SM_SERVICE_PRICE_MAX or SM_UNKNOWN and only for the parts the type has,
 * prefectures within 1..47 and not combined with nationwide, dates valid, devices valid.
 * Says nothing about conformance to the standard (see smesec/standard.h). SM_EINVAL with
 * the field's name in diag. */
int sm_service_content_check(const struct sm_service_content *c, struct sm_diag *diag);

/* The best ransomware rating among the devices (SM_EFFECT_UNKNOWN without devices). */
enum sm_effect sm_service_ransomware_best(const struct sm_service_content *c);

/* Names used in the database, CSV files, URLs and the API. Static strings. The parse
 * functions return SM_OK or SM_EINVAL. */
const char *sm_tri_name(enum sm_tri t); /* "unknown", "no", "yes" */
int sm_tri_parse(const char *s, enum sm_tri *out);
const char *sm_monitoring_name(enum sm_monitoring m); /* "network", "endpoint", "combined" */
int sm_monitoring_parse(const char *s, enum sm_monitoring *out);
const char *sm_device_kind_name(enum sm_device_kind k); /* "utm", "edr", "simple_edr", "soc" */
int sm_device_kind_parse(const char *s, enum sm_device_kind *out);
const char *sm_effect_name(enum sm_effect e); /* "unknown", "partial", "effective" */
int sm_effect_parse(const char *s, enum sm_effect *out);
/* The table's symbol: "？", "△" or "○". */
const char *sm_effect_symbol(enum sm_effect e);

/* --- Prefecture sets ------------------------------------------------------------------- */

/* True when code is "01".."47". */
bool sm_pref_code_valid(const char *code);
/* The bit of a valid code (SM_EINVAL otherwise). */
int sm_pref_bit(const char *code, uint64_t *bit);

/* Parses a set written as "nationwide" (or "全国"), "" (not stated), or codes separated by
 * ';' ("01;13;27"). SM_EINVAL for anything else. */
int sm_prefs_parse(const char *s, bool *nationwide, uint64_t *mask, struct sm_diag *diag);
/* Appends the set in the form sm_prefs_parse reads. */
int sm_prefs_format(struct sm_buf *b, bool nationwide, uint64_t mask);

#endif

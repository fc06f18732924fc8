/*
 * The service standard as data (see smesec/standard.h): the YAML reader, the automatic
 * checks keyed by requirement id, and the conformance report.
 *
 * The YAML is read with libyaml's document API (the file is small) and checked strictly:
 * unknown keys, wrong types and missing fields are errors with the line they are on, so a
 * typo in the data cannot quietly turn a requirement off. Every auto requirement must name
 * a check in the table below, and every check must find its limits; a null limit is not an
 * error but makes the check answer "needs judgement" with the data's note.
 *
 * A loaded standard and a report each live in one arena, freed at once.
 */
#include "smesec/standard.h"

#include "smesec/alloc.h"
#include "smesec/arena.h"
#include "smesec/date.h"
#include "smesec/embed.h"
#include "smesec/utf8.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <threads.h>
#include <yaml.h>

#include "util/banned.h"

#define STANDARD_MAX_BYTES ((size_t)1 << 20)
#define STANDARD_MAX_ITEMS 1000
#define STANDARD_ARENA_MAX ((size_t)16 << 20)
#define REPORT_ARENA_MAX   ((size_t)1 << 20)
#define CLASS_BIT(c)       (1u << (c))

/* The embedded data file (src/registry/CMakeLists.txt). */
extern const struct sm_embedded sm_standard_files[];

const char *sm_verdict_name(enum sm_verdict v)
{
    switch (v) {
    case SM_VERDICT_PASS:
        return "pass";
    case SM_VERDICT_FAIL:
        return "fail";
    case SM_VERDICT_JUDGEMENT:
        return "judgement";
    }
    return "unknown";
}

int sm_verdict_parse(const char *s, enum sm_verdict *out)
{
    static const enum sm_verdict all[] = { SM_VERDICT_PASS, SM_VERDICT_FAIL, SM_VERDICT_JUDGEMENT };

    for (size_t i = 0; s && i < sizeof all / sizeof all[0]; i++) {
        if (strcmp(s, sm_verdict_name(all[i])) == 0) {
            *out = all[i];
            return SM_OK;
        }
    }
    return SM_EINVAL;
}

const char *sm_check_kind_name(enum sm_check_kind k)
{
    switch (k) {
    case SM_CHECK_AUTO:
        return "auto";
    case SM_CHECK_JUDGEMENT:
        return "judgement";
    }
    return "unknown";
}

/* --- The automatic checks ----------------------------------------------------------------- */

/* A check's answer: a verdict and, unless it passes, why, in both languages. */
struct answer {
    enum sm_verdict verdict;
    char ja[512];
    char en[512];
};

struct check_input {
    const struct sm_requirement *req;
    const struct sm_service_content *c;
    int32_t today;
};

typedef void (*check_fn)(const struct check_input *in, struct answer *a);

/* Adds a reason (joined to earlier ones with a space) and makes the verdict at least
 * verdict: fail outranks judgement, which outranks pass. */
static void add_reason(struct answer *a, enum sm_verdict verdict, const char *ja, const char *en)
{
    if (verdict == SM_VERDICT_FAIL || a->verdict == SM_VERDICT_PASS)
        a->verdict = verdict;
    size_t nj = strlen(a->ja), ne = strlen(a->en);
    snprintf(a->ja + nj, sizeof a->ja - nj, "%s%s", nj ? " " : "", ja);
    snprintf(a->en + ne, sizeof a->en - ne, "%s%s", ne ? " " : "", en);
}

/* Writes yen with thousands separators ("12,000"). */
static void yen(int64_t v, char out[32])
{
    char digits[24];
    int n = snprintf(digits, sizeof digits, "%lld", (long long)v);
    int o = 0;
    for (int i = 0; i < n; i++) {
        if (i > 0 && digits[i - 1] != '-' && (n - i) % 3 == 0)
            out[o++] = ',';
        out[o++] = digits[i];
    }
    out[o] = '\0';
}

static void check_helpdesk(const struct check_input *in, struct answer *a)
{
    switch (in->c->helpdesk) {
    case SM_TRI_YES:
        return;
    case SM_TRI_NO:
        add_reason(a, SM_VERDICT_FAIL, "相談窓口がない。", "There is no help desk.");
        return;
    case SM_TRI_UNKNOWN:
        add_reason(a, SM_VERDICT_FAIL, "相談窓口の有無が記載されていない。",
                   "Whether there is a help desk is not stated.");
        return;
    }
}

static void check_monitoring(const struct check_input *in, struct answer *a)
{
    switch (in->c->monitoring_24h) {
    case SM_TRI_YES:
        return;
    case SM_TRI_NO:
        add_reason(a, SM_VERDICT_FAIL, "ネットワークまたは端末を24時間監視していない。",
                   "Neither the network nor the endpoints are monitored 24 hours a day.");
        return;
    case SM_TRI_UNKNOWN:
        add_reason(a, SM_VERDICT_FAIL, "24時間監視の有無が記載されていない。",
                   "Whether monitoring runs 24 hours a day is not stated.");
        return;
    }
}

static void check_onsite(const struct check_input *in, struct answer *a)
{
    switch (in->c->onsite) {
    case SM_TRI_YES:
        return;
    case SM_TRI_NO:
        if (in->c->remote_support == SM_TRI_YES)
            add_reason(a, SM_VERDICT_FAIL,
                       "リモート対応のみで、要請に応じた技術者の派遣（駆付け）がない。"
                       "リモート対応だけでは要件を満たさない。",
                       "Remote support only, with no engineer sent on request; remote support "
                       "alone does not meet the requirement.");
        else
            add_reason(a, SM_VERDICT_FAIL, "要請に応じた技術者の派遣（駆付け）がない。",
                       "No engineer is sent on request.");
        return;
    case SM_TRI_UNKNOWN:
        add_reason(a, SM_VERDICT_FAIL, "駆付け対応の有無が記載されていない。",
                   "Whether an engineer is sent on request is not stated.");
        return;
    }
}

static void check_insurance(const struct check_input *in, struct answer *a)
{
    switch (in->c->insurance) {
    case SM_TRI_YES:
        break;
    case SM_TRI_NO:
        add_reason(a, SM_VERDICT_FAIL, "簡易サイバー保険が付帯されていない。",
                   "No simple cyber insurance is bundled.");
        return;
    case SM_TRI_UNKNOWN:
        add_reason(a, SM_VERDICT_FAIL, "簡易サイバー保険の付帯が記載されていない。",
                   "Whether simple cyber insurance is bundled is not stated.");
        return;
    }
    switch (in->c->insurance_initial_response) {
    case SM_TRI_YES:
        return;
    case SM_TRI_NO:
        add_reason(a, SM_VERDICT_FAIL, "保険が駆付け等の初動対応費用を補償しない。",
                   "The insurance does not pay initial-response costs such as on-site "
                   "dispatch.");
        return;
    case SM_TRI_UNKNOWN:
        add_reason(a, SM_VERDICT_FAIL, "保険が初動対応費用を補償するか記載されていない。",
                   "Whether the insurance pays initial-response costs is not stated.");
        return;
    }
}

/* One part of the price against its cap. */
static void price_part(const struct check_input *in, struct answer *a, int64_t price,
                       const char *limit, const char *what_ja, const char *what_en)
{
    char p[32], cap[32], ja[512], en[512];
    int64_t max = sm_requirement_limit(in->req, limit);
    if (price == SM_UNKNOWN) {
        snprintf(ja, sizeof ja, "%sが記載されていない。", what_ja);
        snprintf(en, sizeof en, "The %s is not stated.", what_en);
        add_reason(a, SM_VERDICT_FAIL, ja, en);
        return;
    }
    yen(price, p);
    if (max == SM_UNKNOWN) {
        snprintf(ja, sizeof ja, "%s（%s円）の上限額は未確認のため、審査担当が判断する。", what_ja,
                 p);
        snprintf(en, sizeof en,
                 "The cap on the %s (%s yen) is not confirmed; a reviewer judges it.", what_en, p);
        add_reason(a, SM_VERDICT_JUDGEMENT, ja, en);
        return;
    }
    if (price > max) {
        yen(max, cap);
        snprintf(ja, sizeof ja, "%s%s円は上限%s円を超えている。", what_ja, p, cap);
        snprintf(en, sizeof en, "The %s of %s yen is above the cap of %s yen.", what_en, p, cap);
        add_reason(a, SM_VERDICT_FAIL, ja, en);
    }
}

/* Caps per part: network type the monthly price, endpoint type the price per device, the
 * combined type both, each against its own cap. */
static void check_price(const struct check_input *in, struct answer *a)
{
    const struct sm_service_content *c = in->c;
    bool net = c->monitoring != SM_MON_ENDPOINT, dev = c->monitoring != SM_MON_NETWORK;
    if (net)
        price_part(in, a, c->monthly_yen, "network_monthly_yen", "ネットワーク監視の月額料金",
                   "monthly price of network monitoring");
    if (dev)
        price_part(in, a, c->device_monthly_yen, "endpoint_device_monthly_yen",
                   "端末監視の1台あたり月額料金", "monthly price per monitored device");
}

static void limit_unknown(const struct check_input *in, struct answer *a)
{
    char ja[512], en[512];
    snprintf(ja, sizeof ja, "基準の数値が未確認のため、審査担当が判断する。%s",
             in->req->note_ja ? in->req->note_ja : "");
    snprintf(en, sizeof en, "The standard's number is not confirmed; a reviewer judges it. %s",
             in->req->note_en ? in->req->note_en : "");
    add_reason(a, SM_VERDICT_JUDGEMENT, ja, en);
}

static void check_tenure(const struct check_input *in, struct answer *a)
{
    int64_t years = sm_requirement_limit(in->req, "years");
    int32_t since;
    char ja[512], en[512], when[SM_DATE_SIZE];
    if (years == SM_UNKNOWN || years > 100) {
        limit_unknown(in, a);
        return;
    }
    if (!in->c->class1_since || sm_date_parse(in->c->class1_since, &since)) {
        add_reason(a, SM_VERDICT_FAIL, "事業者の1類登録日が記載されていない。",
                   "The date of the provider's class-1 registration is not stated.");
        return;
    }
    int32_t from = sm_date_add_months(since, (int)years * 12);
    if (in->today < from) {
        sm_date_format(from, when);
        snprintf(ja, sizeof ja, "1類登録（%s）から%lld年が経過していない（%s以降に申請可能）。",
                 in->c->class1_since, (long long)years, when);
        snprintf(en, sizeof en,
                 "Less than %lld years since the class-1 registration on %s (possible from %s).",
                 (long long)years, in->c->class1_since, when);
        add_reason(a, SM_VERDICT_FAIL, ja, en);
    }
}

static void check_customers(const struct check_input *in, struct answer *a)
{
    int64_t need = sm_requirement_limit(in->req, "customers");
    int64_t years = sm_requirement_limit(in->req, "served_years");
    char ja[512], en[512];
    if (need == SM_UNKNOWN || years == SM_UNKNOWN) {
        limit_unknown(in, a);
        return;
    }
    if (in->c->customers_1y == SM_UNKNOWN) {
        snprintf(ja, sizeof ja, "%lld年以上提供した顧客数が記載されていない。", (long long)years);
        snprintf(en, sizeof en,
                 "The number of customers served for %lld year(s) or more is not "
                 "stated.",
                 (long long)years);
        add_reason(a, SM_VERDICT_FAIL, ja, en);
    } else if (in->c->customers_1y < need) {
        snprintf(ja, sizeof ja, "%lld年以上提供した顧客が%lld社で、%lld社に満たない。",
                 (long long)years, (long long)in->c->customers_1y, (long long)need);
        snprintf(en, sizeof en,
                 "%lld customer(s) served for %lld year(s) or more, fewer than %lld.",
                 (long long)in->c->customers_1y, (long long)years, (long long)need);
        add_reason(a, SM_VERDICT_FAIL, ja, en);
    }
}

/* Only network and combined types have a minimum; endpoint types pass. */
static void check_endpoints(const struct check_input *in, struct answer *a)
{
    if (in->c->monitoring == SM_MON_ENDPOINT)
        return;
    int64_t need = sm_requirement_limit(in->req, "min_endpoints");
    char ja[512], en[512];
    if (need == SM_UNKNOWN) {
        limit_unknown(in, a);
        return;
    }
    if (in->c->monitored_endpoints == SM_UNKNOWN) {
        add_reason(a, SM_VERDICT_FAIL, "監視する端末数が記載されていない。",
                   "The number of monitored endpoints is not stated.");
    } else if (in->c->monitored_endpoints < need) {
        snprintf(ja, sizeof ja, "監視する端末数%lld台は%lld台に満たない。",
                 (long long)in->c->monitored_endpoints, (long long)need);
        snprintf(en, sizeof en, "%lld monitored endpoints, fewer than %lld.",
                 (long long)in->c->monitored_endpoints, (long long)need);
        add_reason(a, SM_VERDICT_FAIL, ja, en);
    }
}

static const struct {
    const char *id;
    check_fn fn;
} auto_checks[] = {
    { "helpdesk", check_helpdesk },          { "monitoring-24h", check_monitoring },
    { "onsite-response", check_onsite },     { "cyber-insurance", check_insurance },
    { "price-class1", check_price },         { "price-class2", check_price },
    { "class2-tenure", check_tenure },       { "class2-customers", check_customers },
    { "class2-endpoints", check_endpoints },
};

static check_fn find_check(const char *id)
{
    for (size_t i = 0; i < sizeof auto_checks / sizeof auto_checks[0]; i++)
        if (strcmp(auto_checks[i].id, id) == 0)
            return auto_checks[i].fn;
    return NULL;
}

/* --- Reading the YAML -------------------------------------------------------------------- */

struct reader {
    yaml_document_t *doc;
    struct sm_arena *arena;
    const char *name;
    struct sm_diag *diag;
};

static long line_of(const yaml_node_t *n)
{
    return n ? (long)n->start_mark.line + 1 : -1;
}

static int at(struct reader *r, const yaml_node_t *n, int code, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static int at(struct reader *r, const yaml_node_t *n, int code, const char *fmt, ...)
{
    char what[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(what, sizeof what, fmt, ap);
    va_end(ap);
    long line = line_of(n);
    sm_diag_set(r->diag, code, "standard '%s' line %ld: %s", r->name, line, what);
    if (r->diag)
        r->diag->line = line;
    return code;
}

static yaml_node_t *node(struct reader *r, int id)
{
    return yaml_document_get_node(r->doc, id);
}

static bool key_is(struct reader *r, yaml_node_pair_t *pair, const char *key)
{
    yaml_node_t *k = node(r, pair->key);
    return k && k->type == YAML_SCALAR_NODE && k->data.scalar.length == strlen(key) &&
           memcmp(k->data.scalar.value, key, k->data.scalar.length) == 0;
}

/* Checks that map is a mapping whose keys are all in keys (NULL-terminated). */
static int check_keys(struct reader *r, yaml_node_t *map, const char *what, const char *const *keys)
{
    if (!map || map->type != YAML_MAPPING_NODE)
        return at(r, map, SM_EPARSE, "%s is not a mapping", what);
    for (yaml_node_pair_t *p = map->data.mapping.pairs.start; p < map->data.mapping.pairs.top;
         p++) {
        bool known = false;
        for (size_t i = 0; keys[i] && !known; i++)
            known = key_is(r, p, keys[i]);
        if (!known) {
            yaml_node_t *k = node(r, p->key);
            char key[64] = "?";
            if (k && k->type == YAML_SCALAR_NODE)
                snprintf(key, sizeof key, "%.*s",
                         (int)(k->data.scalar.length > 60 ? 60 : k->data.scalar.length),
                         (const char *)k->data.scalar.value);
            return at(r, k, SM_EPARSE, "unknown key '%s'", key);
        }
    }
    return SM_OK;
}

static yaml_node_t *get(struct reader *r, yaml_node_t *map, const char *key)
{
    for (yaml_node_pair_t *p = map->data.mapping.pairs.start; p < map->data.mapping.pairs.top; p++)
        if (key_is(r, p, key))
            return node(r, p->value);
    return NULL;
}

static bool is_null(const yaml_node_t *n)
{
    if (n->type != YAML_SCALAR_NODE || n->data.scalar.style != YAML_PLAIN_SCALAR_STYLE)
        return false;
    const char *v = (const char *)n->data.scalar.value;
    size_t len = n->data.scalar.length;
    return len == 0 || (len == 1 && v[0] == '~') || (len == 4 && memcmp(v, "null", 4) == 0);
}

/* A scalar field of map as an arena string; NULL when absent and not required. */
static int text(struct reader *r, yaml_node_t *map, const char *key, bool required,
                const char **out)
{
    yaml_node_t *n = get(r, map, key);
    *out = NULL;
    if (!n || is_null(n)) {
        if (required)
            return at(r, map, SM_EPARSE, "missing '%s'", key);
        return SM_OK;
    }
    if (n->type != YAML_SCALAR_NODE)
        return at(r, n, SM_EPARSE, "'%s' is not a text", key);
    size_t len = n->data.scalar.length, bad = 0;
    const char *v = (const char *)n->data.scalar.value;
    if (memchr(v, '\0', len) || !sm_utf8_valid(v, len, &bad))
        return at(r, n, SM_EPARSE, "'%s' is not valid UTF-8 text", key);
    *out = sm_arena_strndup(r->arena, v, len);
    return *out ? SM_OK : SM_ENOMEM;
}

/* A {ja: ..., en: ...} field. */
static int bilingual(struct reader *r, yaml_node_t *map, const char *key, bool required,
                     const char **ja, const char **en)
{
    static const char *const keys[] = { "ja", "en", NULL };
    yaml_node_t *n = get(r, map, key);
    *ja = *en = NULL;
    if (!n) {
        if (required)
            return at(r, map, SM_EPARSE, "missing '%s'", key);
        return SM_OK;
    }
    int rc = check_keys(r, n, key, keys);
    if (!rc)
        rc = text(r, n, "ja", true, ja);
    if (!rc)
        rc = text(r, n, "en", true, en);
    return rc;
}

static int integer(struct reader *r, yaml_node_t *n, int64_t *out)
{
    if (n->type != YAML_SCALAR_NODE || n->data.scalar.style != YAML_PLAIN_SCALAR_STYLE ||
        n->data.scalar.length == 0 || n->data.scalar.length > 18)
        return at(r, n, SM_EPARSE, "%s", "expected a whole number");
    int64_t v = 0;
    for (size_t i = 0; i < n->data.scalar.length; i++) {
        unsigned char ch = n->data.scalar.value[i];
        if (ch < '0' || ch > '9')
            return at(r, n, SM_EPARSE, "%s", "expected a whole number");
        v = v * 10 + (ch - '0');
    }
    *out = v;
    return SM_OK;
}

/* classes: [1, 2] as a bit set. */
static int classes(struct reader *r, yaml_node_t *map, unsigned *out)
{
    yaml_node_t *n = get(r, map, "classes");
    if (!n)
        return at(r, map, SM_EPARSE, "missing '%s'", "classes");
    if (n->type != YAML_SEQUENCE_NODE)
        return at(r, n, SM_EPARSE, "'%s' is not a list", "classes");
    unsigned set = 0;
    for (yaml_node_item_t *i = n->data.sequence.items.start; i < n->data.sequence.items.top; i++) {
        yaml_node_t *item = node(r, *i);
        int64_t c = 0;
        int rc = integer(r, item, &c);
        if (rc)
            return rc;
        if (c != 1 && c != 2)
            return at(r, item, SM_EPARSE, "%s", "a class is 1 or 2");
        set |= CLASS_BIT(c);
    }
    if (!set)
        return at(r, n, SM_EPARSE, "%s", "'classes' is empty");
    *out = set;
    return SM_OK;
}

struct priv {
    struct sm_arena arena;
};

static int read_versions(struct reader *r, yaml_node_t *root, struct sm_standard *std)
{
    static const char *const keys[] = { "id", "published", "classes", "source", NULL };
    yaml_node_t *seq = get(r, root, "versions");
    if (!seq || seq->type != YAML_SEQUENCE_NODE)
        return at(r, seq ? seq : root, SM_EPARSE, "%s", "'versions' is missing or not a list");
    size_t n = (size_t)(seq->data.sequence.items.top - seq->data.sequence.items.start);
    if (n == 0 || n > STANDARD_MAX_ITEMS)
        return at(r, seq, SM_EPARSE, "%s", "'versions' must list 1 to 1000 versions");
    struct sm_standard_version *v = sm_arena_calloc(r->arena, n, sizeof *v);
    if (!v)
        return SM_ENOMEM;
    for (size_t i = 0; i < n; i++) {
        yaml_node_t *m = node(r, seq->data.sequence.items.start[i]);
        int rc = check_keys(r, m, "a version", keys);
        if (!rc)
            rc = text(r, m, "id", true, &v[i].id);
        if (!rc)
            rc = text(r, m, "published", false, &v[i].published);
        if (!rc)
            rc = text(r, m, "source", false, &v[i].source);
        if (!rc)
            rc = classes(r, m, &v[i].classes);
        if (rc)
            return rc;
        for (size_t j = 0; j < i; j++)
            if (strcmp(v[j].id, v[i].id) == 0)
                return at(r, m, SM_EINVAL, "version '%s' is listed twice", v[i].id);
    }
    std->versions = v;
    std->n_versions = n;
    return SM_OK;
}

static int read_limits(struct reader *r, yaml_node_t *m, struct sm_requirement *req)
{
    yaml_node_t *lim = get(r, m, "limits");
    if (!lim)
        return SM_OK;
    if (lim->type != YAML_MAPPING_NODE)
        return at(r, lim, SM_EPARSE, "%s", "'limits' is not a mapping");
    size_t n = (size_t)(lim->data.mapping.pairs.top - lim->data.mapping.pairs.start);
    struct sm_standard_limit *l = sm_arena_calloc(r->arena, n ? n : 1, sizeof *l);
    if (!l)
        return SM_ENOMEM;
    for (size_t i = 0; i < n; i++) {
        yaml_node_pair_t *p = &lim->data.mapping.pairs.start[i];
        yaml_node_t *k = node(r, p->key), *v = node(r, p->value);
        if (!k || k->type != YAML_SCALAR_NODE || !v)
            return at(r, lim, SM_EPARSE, "%s", "a limit needs a name and a value");
        l[i].name =
            sm_arena_strndup(r->arena, (const char *)k->data.scalar.value, k->data.scalar.length);
        if (!l[i].name)
            return SM_ENOMEM;
        if (is_null(v)) {
            l[i].value = SM_UNKNOWN;
        } else {
            int rc = integer(r, v, &l[i].value);
            if (rc)
                return rc;
        }
    }
    req->limits = l;
    req->n_limits = n;
    return SM_OK;
}

static int read_requirement(struct reader *r, yaml_node_t *m, const struct sm_standard *std,
                            struct sm_requirement *req)
{
    static const char *const keys[] = { "id",   "versions", "classes", "check",  "title",
                                        "text", "note",     "limits",  "source", NULL };
    const char *check = NULL;
    int rc = check_keys(r, m, "a requirement", keys);
    if (!rc)
        rc = text(r, m, "id", true, &req->id);
    if (!rc)
        rc = text(r, m, "check", true, &check);
    if (!rc)
        rc = bilingual(r, m, "title", true, &req->title_ja, &req->title_en);
    if (!rc)
        rc = bilingual(r, m, "text", true, &req->text_ja, &req->text_en);
    if (!rc)
        rc = bilingual(r, m, "note", false, &req->note_ja, &req->note_en);
    if (!rc)
        rc = text(r, m, "source", false, &req->source);
    if (!rc)
        rc = classes(r, m, &req->classes);
    if (!rc)
        rc = read_limits(r, m, req);
    if (rc)
        return rc;
    if (strcmp(check, "auto") == 0)
        req->check = SM_CHECK_AUTO;
    else if (strcmp(check, "judgement") == 0)
        req->check = SM_CHECK_JUDGEMENT;
    else
        return at(r, get(r, m, "check"), SM_EPARSE, "check '%s' is not auto or judgement", check);
    if (req->check == SM_CHECK_AUTO && !find_check(req->id))
        return at(r, m, SM_EINVAL,
                  "requirement '%s' is checked automatically but no check has "
                  "that id",
                  req->id);

    yaml_node_t *seq = get(r, m, "versions");
    if (!seq || seq->type != YAML_SEQUENCE_NODE)
        return at(r, seq ? seq : m, SM_EPARSE, "%s", "'versions' is missing or not a list");
    size_t n = (size_t)(seq->data.sequence.items.top - seq->data.sequence.items.start);
    if (n == 0 || n > std->n_versions)
        return at(r, seq, SM_EPARSE, "requirement '%s' must name its versions", req->id);
    const char **v = sm_arena_calloc(r->arena, n, sizeof *v);
    if (!v)
        return SM_ENOMEM;
    for (size_t i = 0; i < n; i++) {
        yaml_node_t *item = node(r, seq->data.sequence.items.start[i]);
        if (!item || item->type != YAML_SCALAR_NODE)
            return at(r, seq, SM_EPARSE, "%s", "a version is a text");
        v[i] = sm_arena_strndup(r->arena, (const char *)item->data.scalar.value,
                                item->data.scalar.length);
        if (!v[i])
            return SM_ENOMEM;
        if (!sm_standard_version(std, v[i]))
            return at(r, item, SM_EINVAL, "no version '%s' in 'versions'", v[i]);
    }
    req->versions = v;
    req->n_versions = n;
    return SM_OK;
}

static int read_standard(struct reader *r, struct sm_standard *std)
{
    static const char *const keys[] = { "schema", "title", "versions", "requirements", NULL };
    yaml_node_t *root = yaml_document_get_root_node(r->doc);
    if (!root)
        return sm_diag_set(r->diag, SM_EPARSE, "standard '%s' is empty", r->name);
    int rc = check_keys(r, root, "the standard", keys);
    if (rc)
        return rc;
    yaml_node_t *schema = get(r, root, "schema");
    int64_t version = 0;
    if (!schema)
        return at(r, root, SM_EPARSE, "missing '%s'", "schema");
    if ((rc = integer(r, schema, &version)))
        return rc;
    if (version != 1)
        return at(r, schema, SM_EUNSUPPORTED, "%s", "only schema 1 is understood");
    if ((rc = bilingual(r, root, "title", true, &std->title_ja, &std->title_en)) ||
        (rc = read_versions(r, root, std)))
        return rc;
    yaml_node_t *seq = get(r, root, "requirements");
    if (!seq || seq->type != YAML_SEQUENCE_NODE)
        return at(r, seq ? seq : root, SM_EPARSE, "%s", "'requirements' is missing or not a list");
    size_t n = (size_t)(seq->data.sequence.items.top - seq->data.sequence.items.start);
    if (n == 0 || n > STANDARD_MAX_ITEMS)
        return at(r, seq, SM_EPARSE, "%s", "'requirements' must list 1 to 1000 requirements");
    struct sm_requirement *reqs = sm_arena_calloc(r->arena, n, sizeof *reqs);
    if (!reqs)
        return SM_ENOMEM;
    for (size_t i = 0; i < n; i++) {
        yaml_node_t *m = node(r, seq->data.sequence.items.start[i]);
        if ((rc = read_requirement(r, m, std, &reqs[i])))
            return rc;
        for (size_t j = 0; j < i; j++)
            if (strcmp(reqs[j].id, reqs[i].id) == 0)
                return at(r, m, SM_EINVAL, "requirement '%s' is listed twice", reqs[i].id);
    }
    std->requirements = reqs;
    std->n_requirements = n;
    return SM_OK;
}

int sm_standard_parse(const char *yaml, size_t n, const char *name, struct sm_standard **out,
                      struct sm_diag *diag)
{
    if (!name)
        name = "standard";
    if (n > STANDARD_MAX_BYTES)
        return sm_diag_set(diag, SM_ELIMIT, "standard '%s' is larger than %zu bytes", name,
                           STANDARD_MAX_BYTES);
    struct priv *priv = sm_calloc(1, sizeof *priv);
    if (!priv)
        return SM_ENOMEM;
    sm_arena_init(&priv->arena, STANDARD_ARENA_MAX);
    struct sm_standard *std = sm_arena_calloc(&priv->arena, 1, sizeof *std);
    yaml_parser_t parser;
    yaml_document_t doc;
    bool have_parser = false, have_doc = false;
    int rc = SM_OK;
    if (!std) {
        rc = SM_ENOMEM;
        goto out;
    }
    std->priv = priv;
    if (!yaml_parser_initialize(&parser)) {
        rc = SM_ENOMEM;
        goto out;
    }
    have_parser = true;
    yaml_parser_set_input_string(&parser, (const unsigned char *)yaml, n);
    if (!yaml_parser_load(&parser, &doc)) {
        rc = parser.error == YAML_MEMORY_ERROR ? SM_ENOMEM : SM_EPARSE;
        if (rc == SM_EPARSE) {
            long line = (long)parser.problem_mark.line + 1;
            sm_diag_set(diag, rc, "standard '%s' line %ld: %s", name, line,
                        parser.problem ? parser.problem : "bad YAML");
            if (diag)
                diag->line = line;
        }
        goto out;
    }
    have_doc = true;
    struct reader r = { .doc = &doc, .arena = &priv->arena, .name = name, .diag = diag };
    rc = read_standard(&r, std);
out:
    if (have_doc)
        yaml_document_delete(&doc);
    if (have_parser)
        yaml_parser_delete(&parser);
    if (rc) {
        sm_arena_release(&priv->arena);
        sm_free(priv);
        return rc;
    }
    *out = std;
    return SM_OK;
}

void sm_standard_free(struct sm_standard *std)
{
    if (!std)
        return;
    struct priv *priv = std->priv;
    sm_arena_release(&priv->arena);
    sm_free(priv);
}

/* The built-in standard is parsed once; a failed attempt (out of memory) is retried by the
 * next caller rather than remembered. */
static mtx_t builtin_lock;
static once_flag builtin_once = ONCE_FLAG_INIT;
static struct sm_standard *builtin;

static void builtin_init(void)
{
    mtx_init(&builtin_lock, mtx_plain);
}

int sm_standard_builtin(const struct sm_standard **out, struct sm_diag *diag)
{
    call_once(&builtin_once, builtin_init);
    mtx_lock(&builtin_lock);
    int rc = SM_OK;
    if (!builtin) {
        const struct sm_embedded *e = &sm_standard_files[0];
        rc = sm_standard_parse((const char *)e->data, e->len, "service-standard.yaml", &builtin,
                               diag);
    }
    if (!rc)
        *out = builtin;
    mtx_unlock(&builtin_lock);
    return rc;
}

const char *sm_standard_latest(const struct sm_standard *std)
{
    return std->versions[std->n_versions - 1].id;
}

const struct sm_standard_version *sm_standard_version(const struct sm_standard *std, const char *id)
{
    for (size_t i = 0; id && i < std->n_versions; i++)
        if (std->versions[i].id && strcmp(std->versions[i].id, id) == 0)
            return &std->versions[i];
    return NULL;
}

const struct sm_requirement *sm_standard_find(const struct sm_standard *std, const char *id)
{
    for (size_t i = 0; id && i < std->n_requirements; i++)
        if (strcmp(std->requirements[i].id, id) == 0)
            return &std->requirements[i];
    return NULL;
}

bool sm_requirement_applies(const struct sm_requirement *req, const char *version,
                            int service_class)
{
    if (service_class < 1 || service_class > 2 || !(req->classes & CLASS_BIT(service_class)))
        return false;
    for (size_t i = 0; i < req->n_versions; i++)
        if (strcmp(req->versions[i], version) == 0)
            return true;
    return false;
}

int64_t sm_requirement_limit(const struct sm_requirement *req, const char *name)
{
    for (size_t i = 0; i < req->n_limits; i++)
        if (strcmp(req->limits[i].name, name) == 0)
            return req->limits[i].value;
    return SM_UNKNOWN;
}

/* --- The report ------------------------------------------------------------------------ */

int sm_standard_check(const struct sm_standard *std, const char *version,
                      const struct sm_service_content *content, const char *today,
                      struct sm_conformance **out, struct sm_diag *diag)
{
    if (!version)
        version = sm_standard_latest(std);
    const struct sm_standard_version *v = sm_standard_version(std, version);
    if (!v)
        return sm_diag_set(diag, SM_EINVAL, "the service standard has no version '%s'", version);
    int cls = content->service_class;
    if (cls < 1 || cls > 2 || !(v->classes & CLASS_BIT(cls)))
        return sm_diag_set(diag, SM_EINVAL, "service standard %s has no class %d", version, cls);
    int32_t day;
    if (sm_date_parse(today, &day))
        return sm_diag_set(diag, SM_EINVAL, "date '%s' is not YYYY-MM-DD", today ? today : "");

    struct priv *priv = sm_calloc(1, sizeof *priv);
    if (!priv)
        return SM_ENOMEM;
    sm_arena_init(&priv->arena, REPORT_ARENA_MAX);
    struct sm_conformance *rep = sm_arena_calloc(&priv->arena, 1, sizeof *rep);
    struct sm_conformance_item *items =
        sm_arena_calloc(&priv->arena, std->n_requirements, sizeof *items);
    if (!rep || !items)
        goto nomem;
    rep->priv = priv;
    rep->version = v->id;
    rep->service_class = cls;
    rep->items = items;
    for (size_t i = 0; i < std->n_requirements; i++) {
        const struct sm_requirement *req = &std->requirements[i];
        if (!sm_requirement_applies(req, v->id, cls))
            continue;
        struct answer a = { .verdict = SM_VERDICT_PASS };
        switch (req->check) {
        case SM_CHECK_AUTO: {
            struct check_input in = { .req = req, .c = content, .today = day };
            find_check(req->id)(&in, &a);
            break;
        }
        case SM_CHECK_JUDGEMENT:
            add_reason(&a, SM_VERDICT_JUDGEMENT, "審査担当が判断する。",
                       "A reviewer judges this requirement.");
            break;
        }
        struct sm_conformance_item *it = &items[rep->n++];
        it->req = req;
        it->verdict = a.verdict;
        if (a.verdict != SM_VERDICT_PASS) {
            it->reason_ja = sm_arena_strdup(&priv->arena, a.ja);
            it->reason_en = sm_arena_strdup(&priv->arena, a.en);
            if (!it->reason_ja || !it->reason_en)
                goto nomem;
        }
        switch (a.verdict) {
        case SM_VERDICT_PASS:
            rep->n_pass++;
            break;
        case SM_VERDICT_FAIL:
            rep->n_fail++;
            break;
        case SM_VERDICT_JUDGEMENT:
            rep->n_judgement++;
            break;
        }
    }
    *out = rep;
    return SM_OK;
nomem:
    sm_arena_release(&priv->arena);
    sm_free(priv);
    return SM_ENOMEM;
}

void sm_conformance_free(struct sm_conformance *report)
{
    if (!report)
        return;
    struct priv *priv = report->priv;
    sm_arena_release(&priv->arena);
    sm_free(priv);
}

/*
 * The search parameters of GET /services and GET /api/v1/services, read from the query
 * string into the registry's query (smesec/registry.h), with the one normalised form of
 * each search that the cache keys and the page's links use; and small formatting helpers
 * the public pages share.
 *
 * Invariant: svc_search.canon is built from the parsed values, never from the client's
 * text, so it holds only names, digits, codes and the fixed words of the enumerations, and
 * two spellings of one search give one string.
 */
#include "pages_services.h"

#include <stdio.h>
#include <string.h>

#include "util/banned.h"

#define SVC_PAGE_MAX 10000

/* The parameters, in the order of the normalised query. */
enum param {
    P_PREFECTURE,
    P_TYPE,
    P_CLASS,
    P_ONSITE,
    P_RANSOMWARE,
    P_MAX_PRICE,
    P_DEVICES,
    P_SORT,
    P_PAGE,   /* HTML only */
    P_LIMIT,  /* API only */
    P_OFFSET, /* API only */
    P_COUNT
};

static const char *const param_names[P_COUNT] = {
    "prefecture", "type", "class", "onsite", "ransomware", "max_price",
    "devices",    "sort", "page",  "limit",  "offset",
};

static bool param_applies(enum param p, bool api)
{
    if (p == P_PAGE)
        return !api;
    if (p == P_LIMIT || p == P_OFFSET)
        return api;
    return true;
}

/* A whole number 1..max from s. */
static bool small_number(const char *s, long max, long *out)
{
    size_t n = strlen(s);
    if (n == 0 || n > 9)
        return false;
    long v = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return false;
        v = v * 10 + (s[i] - '0');
    }
    if (v < 1 || v > max)
        return false;
    *out = v;
    return true;
}

/* The normalised text of parameter p of s, "" when it has its default. */
static void param_value(const struct svc_search *s, enum param p, char out[32])
{
    const struct sm_registry_query *q = &s->q;
    out[0] = '\0';
    switch (p) {
    case P_PREFECTURE:
        snprintf(out, 32, "%s", q->prefecture);
        break;
    case P_TYPE:
        if (q->monitoring >= 0)
            snprintf(out, 32, "%s", sm_monitoring_name((enum sm_monitoring)q->monitoring));
        break;
    case P_CLASS:
        if (q->service_class > 0)
            snprintf(out, 32, "%d", q->service_class);
        break;
    case P_ONSITE:
        if (q->onsite)
            snprintf(out, 32, "1");
        break;
    case P_RANSOMWARE:
        if (q->ransomware)
            snprintf(out, 32, "1");
        break;
    case P_MAX_PRICE:
        if (q->max_price >= 0)
            snprintf(out, 32, "%lld", (long long)q->max_price);
        break;
    case P_DEVICES:
        if (q->devices != 1)
            snprintf(out, 32, "%d", q->devices);
        break;
    case P_SORT:
        switch (q->sort) {
        case SM_SORT_DEFAULT:
            break;
        case SM_SORT_PRICE:
            snprintf(out, 32, "price");
            break;
        case SM_SORT_PRICE_DESC:
            snprintf(out, 32, "price_desc");
            break;
        }
        break;
    case P_PAGE:
        if (s->page > 1)
            snprintf(out, 32, "%d", s->page);
        break;
    case P_LIMIT:
        if (q->limit != SVC_API_LIMIT)
            snprintf(out, 32, "%zu", q->limit);
        break;
    case P_OFFSET:
        if (q->offset > 0)
            snprintf(out, 32, "%zu", q->offset);
        break;
    case P_COUNT:
        break;
    }
}

/* Appends the query of s with parameter `change` (P_COUNT for none) set to value. */
static int build(const struct svc_search *s, bool api, enum param change, const char *value,
                 struct sm_buf *out)
{
    bool first = true;
    for (int p = 0; p < P_COUNT; p++) {
        if (!param_applies((enum param)p, api))
            continue;
        char v[32];
        if ((enum param)p == change)
            snprintf(v, sizeof v, "%s", value != NULL ? value : "");
        else if (change != P_COUNT && change != P_PAGE && p == P_PAGE)
            v[0] = '\0'; /* another filter starts again at the first page */
        else
            param_value(s, (enum param)p, v);
        if (v[0] == '\0')
            continue;
        int rc = sm_buf_printf(out, "%s%s=%s", first ? "" : "&", param_names[p], v);
        if (rc != SM_OK)
            return rc;
        first = false;
    }
    return SM_OK;
}

int svc_search_parse(const struct web_request *req, bool api, struct svc_search *out,
                     struct sm_diag *diag)
{
    memset(out, 0, sizeof(*out));
    sm_registry_query_init(&out->q);
    out->page = 1;
    out->q.limit = api ? SVC_API_LIMIT : SVC_PAGE_SIZE;
    for (int p = 0; p < P_COUNT; p++) {
        if (!param_applies((enum param)p, api))
            continue;
        const char *v = web_query_get(req, param_names[p]);
        if (v == NULL)
            continue;
        int rc = SM_OK;
        if (p == P_PAGE) {
            long page = 1;
            if (v[0] != '\0' && !small_number(v, SVC_PAGE_MAX, &page))
                rc = sm_diag_set(diag, SM_EINVAL, "page '%s' is not 1 to %d", v, SVC_PAGE_MAX);
            out->page = (int)page;
        } else if (p == P_RANSOMWARE && strcmp(v, "effective") == 0) {
            /* The rating's own name reads better in a link than "1". */
            out->q.ransomware = true;
        } else {
            rc = sm_registry_query_set(&out->q, param_names[p], v, diag);
        }
        if (rc != SM_OK) {
            out->bad_name = param_names[p];
            return rc;
        }
    }
    if (!api)
        out->q.offset = (size_t)(out->page - 1) * SVC_PAGE_SIZE;

    struct sm_buf b;
    sm_buf_init(&b, sizeof(out->canon) - 1);
    int rc = build(out, api, P_COUNT, NULL, &b);
    if (rc == SM_OK && b.len > 0)
        memcpy(out->canon, b.data, b.len + 1);
    sm_buf_release(&b);
    return rc;
}

int svc_search_href(const struct svc_search *s, const char *name, const char *value,
                    struct sm_buf *out)
{
    for (int p = 0; p < P_COUNT; p++) {
        if (strcmp(param_names[p], name) != 0)
            continue;
        int rc = sm_buf_puts(out, "/services?");
        size_t mark = out->len;
        if (rc == SM_OK)
            rc = build(s, false, (enum param)p, value, out);
        if (rc == SM_OK && out->len == mark) {
            /* No parameter left: the plain address, without a dangling '?'. */
            out->len = mark - 1;
            out->data[out->len] = '\0';
        }
        return rc;
    }
    return SM_EINVAL;
}

int64_t svc_price_for(enum sm_monitoring m, int64_t monthly, int64_t per_device, int64_t devices)
{
    bool site = m != SM_MON_ENDPOINT, endpoints = m != SM_MON_NETWORK;
    if ((site && monthly < 0) || (endpoints && per_device < 0))
        return SM_UNKNOWN;
    return (site ? monthly : 0) + (endpoints ? per_device * devices : 0);
}

void svc_format_yen(int64_t v, char out[32])
{
    char digits[24];
    int n = snprintf(digits, sizeof digits, "%lld", (long long)(v < 0 ? -v : v));
    size_t o = 0;
    if (v < 0)
        out[o++] = '-';
    for (int i = 0; i < n; i++) {
        if (i > 0 && (n - i) % 3 == 0)
            out[o++] = ',';
        out[o++] = digits[i];
    }
    out[o] = '\0';
}

void svc_tri_key(const char *what, enum sm_tri t, char key[64])
{
    snprintf(key, 64, "svc.tri.%s.%s", what, sm_tri_name(t));
}

int svc_set_str(json_t *obj, const char *name, const char *text)
{
    if (text == NULL || text[0] == '\0')
        return SM_OK;
    return json_object_set_new(obj, name, json_string(text)) == 0 ? SM_OK : SM_ENOMEM;
}

int svc_set_lang_query(json_t *ctx, const char *query)
{
    if (query == NULL || query[0] == '\0')
        return SM_OK;
    char buf[256];
    snprintf(buf, sizeof buf, "%s&", query);
    return json_object_set_new(ctx, "lang_query", json_string(buf)) == 0 ? SM_OK : SM_ENOMEM;
}

/*
 * The services API: GET /api/v1/services (the public search) and GET /api/v1/services/{id}
 * (one publicly listed service). docs/api.md is the contract; outside programs depend on
 * its field names, so a change here is a change there.
 *
 * A service's summary has the same fields in the list and on its own: id, name, provider
 * (the provider's name), type, class, nationwide and prefectures (a nationwide service
 * lists all 47 codes and says nationwide: true), and price, an object whose
 * monthly_for_one_device is the number a client compares (the site's monthly price plus
 * one device's, by the search's rule). Unknown facts are null, never 0 or false.
 *
 * Search answers are cached with the HTML search's cache (pages_services_cache.c), keyed by
 * the normalised query, so the same search spelt differently is one entry.
 */
#include "pages_services.h"
#include "routes.h"

#include <stdio.h>
#include <string.h>

#include "util/banned.h"

static json_t *opt_int(int64_t v)
{
    return v < 0 ? json_null() : json_integer((json_int_t)v);
}

static json_t *opt_text(const char *s)
{
    return s != NULL ? json_string(s) : json_null();
}

static json_t *tri(enum sm_tri t)
{
    switch (t) {
    case SM_TRI_UNKNOWN:
        return json_null();
    case SM_TRI_NO:
        return json_false();
    case SM_TRI_YES:
        return json_true();
    }
    return json_null();
}

static json_t *pref_codes(bool nationwide, uint64_t mask)
{
    json_t *arr = json_array();
    for (int n = 1; arr != NULL && n <= 47; n++) {
        if (!nationwide && !(mask & ((uint64_t)1 << n)))
            continue;
        char code[3] = { (char)('0' + n / 10), (char)('0' + n % 10), '\0' };
        if (json_array_append_new(arr, json_string(code)) != 0) {
            json_decref(arr);
            return NULL;
        }
    }
    return arr;
}

/* The fields every service answer has. */
struct summary {
    int64_t id;
    const char *name;
    int64_t provider_id;
    const char *provider;
    bool fictitious;
    const char *summary;
    enum sm_monitoring monitoring;
    int service_class;
    bool nationwide;
    uint64_t prefectures;
    int64_t monthly, per_device, initial;
    int devices;
    enum sm_tri onsite, monitoring_24h, insurance;
    enum sm_effect ransomware;
    enum sm_svc_status status;
    const char *registration_no;
    const char *renewal_on;
};

static json_t *summary_json(const struct summary *s)
{
    char url[48];
    snprintf(url, sizeof url, "/services/%lld", (long long)s->id);
    json_t *price =
        json_pack("{s:o,s:o,s:o,s:o,s:i,s:o}", "monthly", opt_int(s->monthly), "per_device",
                  opt_int(s->per_device), "initial", opt_int(s->initial), "monthly_for_one_device",
                  opt_int(svc_price_for(s->monitoring, s->monthly, s->per_device, 1)), "devices",
                  s->devices, "monthly_for_devices",
                  opt_int(svc_price_for(s->monitoring, s->monthly, s->per_device, s->devices)));
    return json_pack(
        "{s:I,s:s,s:s,s:I,s:b,s:o,s:s,s:i,s:b,s:o,s:o,s:o,s:o,s:o,s:s,s:s,s:s,s:o,"
        "s:o,s:s}",
        "id", (json_int_t)s->id, "name", s->name != NULL ? s->name : "", "provider",
        s->provider != NULL ? s->provider : "", "provider_id", (json_int_t)s->provider_id,
        "fictitious", s->fictitious, "summary", opt_text(s->summary), "type",
        sm_monitoring_name(s->monitoring), "class", s->service_class, "nationwide", s->nationwide,
        "prefectures", pref_codes(s->nationwide, s->prefectures), "price", price, "onsite",
        tri(s->onsite), "monitoring_24h", tri(s->monitoring_24h), "insurance", tri(s->insurance),
        "ransomware", sm_effect_name(s->ransomware), "ransomware_symbol",
        sm_effect_symbol(s->ransomware), "status", sm_svc_status_name(s->status), "registration_no",
        opt_text(s->registration_no), "renewal_on", opt_text(s->renewal_on), "url", url);
}

/* Answers 400 with the reason and the parameter at fault. */
static int bad_parameter(struct web_request *req, const char *name, const struct sm_diag *diag)
{
    char msg[sizeof diag->msg + 32];
    snprintf(msg, sizeof msg, "bad search parameter: %s", diag->msg);
    json_t *body = json_pack("{s:s,s:s}", "error", msg, "parameter", name != NULL ? name : "");
    if (body == NULL)
        return SM_ENOMEM;
    int rc = web_respond_json(req, 400, body);
    json_decref(body);
    return rc;
}

static int dump_cb(const char *buffer, size_t size, void *data)
{
    return sm_buf_append(data, buffer, size) == SM_OK ? 0 : -1;
}

/* The search's answer as JSON text appended to out. */
static int search_body(const struct svc_search *s, const struct sm_registry_results *res,
                       struct sm_buf *out)
{
    json_t *list = json_array();
    json_t *query = json_object();
    json_t *body = json_pack("{s:I,s:I,s:I,s:I,s:o,s:o}", "total", (json_int_t)res->total, "count",
                             (json_int_t)res->n, "offset", (json_int_t)s->q.offset, "limit",
                             (json_int_t)s->q.limit, "query", query, "services", list);
    if (body == NULL)
        return SM_ENOMEM;
    int bad = 0;
    /* The search as understood, parameters at their defaults left out. */
    if (s->canon[0] != '\0') {
        char copy[sizeof s->canon];
        memcpy(copy, s->canon, sizeof copy);
        for (char *pair = copy; pair != NULL && !bad;) {
            char *next = strchr(pair, '&');
            if (next != NULL)
                *next++ = '\0';
            char *eq = strchr(pair, '=');
            if (eq != NULL) {
                *eq = '\0';
                bad = json_object_set_new(query, pair, json_string(eq + 1)) != 0;
            }
            pair = next;
        }
    }
    for (size_t i = 0; !bad && i < res->n; i++) {
        const struct sm_registry_hit *h = &res->hits[i];
        struct summary sum = {
            .id = h->service_id,
            .name = h->name,
            .provider_id = h->provider_id,
            .provider = h->provider_name,
            .fictitious = h->fictitious,
            .summary = h->summary,
            .monitoring = h->monitoring,
            .service_class = h->service_class,
            .nationwide = h->nationwide,
            .prefectures = h->prefectures,
            .monthly = h->monthly_yen,
            .per_device = h->device_monthly_yen,
            .initial = h->initial_yen,
            .devices = s->q.devices,
            .onsite = h->onsite,
            .monitoring_24h = h->monitoring_24h,
            .insurance = h->insurance,
            .ransomware = h->ransomware,
            .status = h->status,
            .registration_no = h->registration_no,
            .renewal_on = h->renewal_on,
        };
        json_t *o = summary_json(&sum);
        bad = o == NULL || json_array_append_new(list, o) != 0;
    }
    int rc = bad ? SM_ENOMEM : SM_OK;
    if (rc == SM_OK && json_dump_callback(body, dump_cb, out, JSON_COMPACT) != 0)
        rc = SM_ENOMEM;
    json_decref(body);
    return rc;
}

/* Answers 200 with the JSON text in body (copied). */
static int respond_body(struct web_request *req, const struct sm_buf *body)
{
    sm_buf_reset(&req->res.body);
    req->res.static_body = NULL;
    int rc = sm_buf_append(&req->res.body, body->data != NULL ? body->data : "", body->len);
    if (rc != SM_OK)
        return rc;
    req->res.status = 200;
    req->res.content_type = "application/json; charset=utf-8";
    return SM_OK;
}

int route_api_services(struct web_request *req)
{
    struct sm_diag diag;
    sm_diag_clear(&diag);
    struct svc_search s;
    int rc = svc_search_parse(req, true, &s, &diag);
    if (rc == SM_EINVAL)
        return bad_parameter(req, s.bad_name, &diag);
    if (rc != SM_OK)
        return rc;
    char today[SM_DATE_SIZE];
    sm_date_today(today);
    memcpy(s.q.today, today, SM_DATE_SIZE);
    int64_t generation = 0;
    rc = sm_registry_listing_generation(web_store(req), &generation, &diag);
    if (rc != SM_OK)
        return web_fail_err(req, rc, &diag);
    char key[256];
    snprintf(key, sizeof key, "api|%s", s.canon);
    struct sm_buf body;
    sm_buf_init(&body, WEB_PAGE_MAX);
    bool hit = false;
    rc = svc_cache_get(generation, today, key, &body, &hit);
    if (rc == SM_OK && !hit) {
        struct sm_registry_results *res = NULL;
        rc = sm_registry_search(web_store(req), &s.q, &res, &diag);
        if (rc == SM_OK)
            rc = search_body(&s, res, &body);
        sm_registry_results_free(res);
        if (rc == SM_OK)
            svc_cache_put(generation, today, key, body.data != NULL ? body.data : "", body.len);
    }
    web_store_put(req);
    if (rc == SM_OK)
        rc = web_header_add(req, "X-Cache", hit ? "hit" : "miss");
    if (rc == SM_OK)
        rc = web_header_add(req, "Cache-Control", "public, max-age=60");
    if (rc == SM_OK)
        rc = respond_body(req, &body);
    sm_buf_release(&body);
    if (rc != SM_OK && req->res.status == 0)
        return web_fail_err(req, rc, &diag);
    return rc;
}

static json_t *device_json(const struct sm_device *d)
{
    return json_pack("{s:s,s:o,s:o,s:o,s:s,s:s,s:o}", "kind", sm_device_kind_name(d->kind), "maker",
                     opt_text(d->maker), "product", opt_text(d->product), "functions",
                     opt_text(d->functions), "ransomware", sm_effect_name(d->ransomware),
                     "ransomware_symbol", sm_effect_symbol(d->ransomware), "reason",
                     opt_text(d->reason));
}

static json_t *channels_json(unsigned channels)
{
    static const struct {
        unsigned bit;
        const char *name;
    } names[] = { { SM_CHANNEL_PHONE, "phone" },
                  { SM_CHANNEL_EMAIL, "email" },
                  { SM_CHANNEL_WEB, "web" },
                  { SM_CHANNEL_CHAT, "chat" } };

    json_t *arr = json_array();
    for (size_t i = 0; arr != NULL && i < 4; i++) {
        if ((channels & names[i].bit) &&
            json_array_append_new(arr, json_string(names[i].name)) != 0) {
            json_decref(arr);
            return NULL;
        }
    }
    return arr;
}

/* Everything the public may know about svc. */
static json_t *service_json(const struct sm_registry_service *svc,
                            const struct sm_case_study_list *cases)
{
    const struct sm_service_content *c = &svc->content;
    struct summary sum = {
        .id = svc->id,
        .name = c->name,
        .provider_id = svc->provider_id,
        .provider = svc->provider_name,
        .fictitious = svc->fictitious,
        .summary = c->summary,
        .monitoring = c->monitoring,
        .service_class = c->service_class,
        .nationwide = c->nationwide,
        .prefectures = c->prefectures,
        .monthly = c->monthly_yen,
        .per_device = c->device_monthly_yen,
        .initial = c->initial_yen,
        .devices = 1,
        .onsite = c->onsite,
        .monitoring_24h = c->monitoring_24h,
        .insurance = c->insurance,
        .ransomware = sm_service_ransomware_best(c),
        .status = svc->effective,
        .registration_no = svc->registration_no,
        .renewal_on = svc->renewal_on,
    };
    json_t *o = summary_json(&sum);
    if (o == NULL)
        return NULL;
    json_t *devices = json_array(), *studies = json_array();
    int bad = json_object_set_new(o, "devices", devices);
    bad |= json_object_set_new(o, "case_studies", studies);
    bad |= json_object_set_new(o, "registered_on", opt_text(svc->registered_on));
    bad |= json_object_set_new(json_object_get(o, "price"), "note", opt_text(c->price_note));
    bad |= json_object_set_new(o, "helpdesk",
                               json_pack("{s:o,s:o,s:o,s:o}", "available", tri(c->helpdesk),
                                         "hours", opt_text(c->helpdesk_hours), "channels",
                                         channels_json(c->helpdesk_channels), "description",
                                         opt_text(c->desc_helpdesk)));
    bad |= json_object_set_new(
        o, "monitoring",
        json_pack("{s:o,s:o,s:o}", "around_the_clock", tri(c->monitoring_24h), "method",
                  opt_text(c->monitoring_method), "description", opt_text(c->desc_monitoring)));
    bad |= json_object_set_new(o, "onsite_response",
                               json_pack("{s:o,s:o,s:o}", "dispatch", tri(c->onsite),
                                         "remote_support", tri(c->remote_support), "description",
                                         opt_text(c->desc_onsite)));
    bad |= json_object_set_new(
        o, "cyber_insurance",
        json_pack("{s:o,s:o,s:o,s:o,s:o}", "included", tri(c->insurance), "pays_initial_response",
                  tri(c->insurance_initial_response), "pays", opt_text(c->insurance_pays),
                  "user_pays", opt_text(c->insurance_user_pays), "description",
                  opt_text(c->desc_insurance)));
    bad |= json_object_set_new(o, "contract",
                               json_pack("{s:o,s:o}", "terms", opt_text(c->contract_terms),
                                         "min_months", opt_int(c->contract_min_months)));
    for (size_t i = 0; !bad && i < c->n_devices; i++) {
        json_t *d = device_json(&c->devices[i]);
        bad = d == NULL || json_array_append_new(devices, d) != 0;
    }
    for (size_t i = 0; !bad && cases != NULL && i < cases->n; i++) {
        char url[48];
        snprintf(url, sizeof url, "/cases/%lld", (long long)cases->items[i].id);
        json_t *s =
            json_pack("{s:I,s:s,s:s}", "id", (json_int_t)cases->items[i].id, "title",
                      cases->items[i].title != NULL ? cases->items[i].title : "", "url", url);
        bad = s == NULL || json_array_append_new(studies, s) != 0;
    }
    if (bad) {
        json_decref(o);
        return NULL;
    }
    return o;
}

int route_api_service(struct web_request *req)
{
    int64_t id = 0;
    const char *rest = NULL;
    if (!svc_path_id(req->path, "/api/v1/services/", &id, &rest) || rest[0] != '\0')
        return web_fail(req, 404, NULL, "no such service");
    char today[SM_DATE_SIZE];
    sm_date_today(today);
    struct sm_registry_service *svc = NULL;
    struct sm_case_study_list *cases = NULL;
    struct sm_diag diag;
    sm_diag_clear(&diag);
    int rc = sm_registry_service_public(web_store(req), id, today, &svc, &diag);
    if (rc == SM_ENOTFOUND)
        return web_fail(req, 404, NULL, "no publicly listed service has this id");
    if (rc == SM_OK)
        rc = sm_case_studies_public(web_store(req), id, today, 100, &cases, &diag);
    web_store_put(req);
    json_t *body = NULL;
    if (rc == SM_OK) {
        body = service_json(svc, cases);
        if (body == NULL)
            rc = SM_ENOMEM;
    }
    sm_case_study_list_free(cases);
    sm_registry_service_free(svc);
    if (rc != SM_OK)
        return web_fail_err(req, rc, &diag);
    rc = web_header_add(req, "Cache-Control", "public, max-age=60");
    if (rc == SM_OK)
        rc = web_respond_json(req, 200, body);
    json_decref(body);
    return rc;
}

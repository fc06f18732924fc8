/*
 * The parts the registry's logged-in pages share (see pages_portal.h): the gate and CSRF
 * check, labels, notices and alerts, the service-content form and its reading view, the
 * conformance report, and list rows.
 *
 * The content form is one table of fields over struct sm_service_content, so reading a
 * request, filling a form from stored content and showing content for reading cannot
 * disagree about a field. A form is always rendered from name/value pairs: what was typed
 * (so a mistyped number comes back as typed, with its error), or the pairs a stored
 * content would send (web_reg_content_params).
 *
 * Nothing here decides who may see or change what: the gate only admits the roles of an
 * area, and the library's access rules answer every call with the "who" built here.
 */
#include "pages_portal.h"

#include "smesec/date.h"

#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "util/banned.h"

/* --- the gate ------------------------------------------------------------------------- */

/* Percent-encodes s for a query value, leaving the unreserved characters and '/'. */
static char *encode(struct sm_arena *a, const char *s)
{
    static const char hex[] = "0123456789ABCDEF";
    size_t n = strlen(s);
    char *d = sm_arena_alloc(a, 3 * n + 1);
    if (d == NULL)
        return NULL;
    size_t j = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
            c == '/' || c == '-' || c == '.' || c == '_' || c == '~') {
            d[j++] = (char)c;
        } else {
            d[j++] = '%';
            d[j++] = hex[c >> 4];
            d[j++] = hex[c & 15];
        }
    }
    d[j] = '\0';
    return d;
}

/* The login page with a way back: the same page for a GET (query and all), the area's
 * first page for a POST, which cannot be replayed after logging in. */
static int to_login(struct web_request *req)
{
    char target[1024];
    if (req->method == WEB_GET || req->method == WEB_HEAD) {
        if (req->query[0] != '\0')
            snprintf(target, sizeof target, "%s?%s", req->path, req->query);
        else
            snprintf(target, sizeof target, "%s", req->path);
    } else {
        const char *second = strchr(req->path + 1, '/');
        int n = second != NULL ? (int)(second - req->path) : (int)strlen(req->path);
        snprintf(target, sizeof target, "%.*s", n, req->path);
    }
    char *next = encode(&req->arena, target);
    if (next == NULL)
        return SM_ENOMEM;
    return web_reg_redirect(req, "/login?next=%s", next);
}

int web_reg_gate(struct web_request *req, unsigned roles, struct web_reg *u)
{
    memset(u, 0, sizeof *u);
    int rc = SM_OK;
    const struct sm_session *s = web_session(req, &rc);
    if (rc != SM_OK)
        return rc;
    if (s == NULL)
        return to_login(req);
    if ((roles & WEB_REG_ROLE(s->user->role)) == 0) {
        web_fail(req, 403, "reg.error.role", NULL);
        return SM_OK;
    }
    if (s->user->role == SM_ROLE_PROVIDER && s->user->provider_id <= 0) {
        web_fail(req, 403, "reg.error.unlinked", NULL);
        return SM_OK;
    }
    u->session = s;
    u->who = sm_registry_who_user(s->user);
    u->actor.user_id = s->user->id;
    u->actor.name = s->user->username;
    sm_date_today(u->today);
    return SM_OK;
}

int web_reg_post(struct web_request *req, unsigned roles, struct web_reg *u)
{
    int rc = web_reg_gate(req, roles, u);
    if (rc != SM_OK || u->session == NULL)
        return rc;
    struct sm_diag diag;
    sm_diag_clear(&diag);
    rc = web_form(req, &u->form, &diag);
    if (rc != SM_OK) {
        u->session = NULL;
        return web_fail_err(req, rc, &diag);
    }
    if (!sm_token_equal(u->session->csrf, web_params_get(&u->form, "csrf"))) {
        u->session = NULL;
        web_fail(req, 403, "error.csrf", "the csrf field does not match the session");
        return SM_OK;
    }
    return SM_OK;
}

const char *web_reg_field(const struct web_reg *u, const char *name)
{
    return web_params_get(&u->form, name);
}

bool web_reg_id(const char *s, int64_t *out)
{
    if (s == NULL || s[0] == '\0' || strlen(s) > 18)
        return false;
    int64_t v = 0;
    for (const char *p = s; *p != '\0'; p++) {
        if (*p < '0' || *p > '9')
            return false;
        v = v * 10 + (*p - '0');
    }
    if (v < 1)
        return false;
    *out = v;
    return true;
}

/* --- labels, notices, alerts ------------------------------------------------------------ */

const char *web_reg_label(const struct web_request *req, const char *group, const char *name)
{
    char key[96];
    snprintf(key, sizeof key, "reg.%s.%s", group, name);
    return web_text(req, key);
}

json_t *web_reg_str(const char *s)
{
    return s != NULL ? json_string(s) : json_null();
}

/* What a redirect after a change may announce; each is "reg.done.<name>". */
static const char *const notices[] = {
    "submitted", "amended",     "withdrawn", "renewal",  "profile", "judged", "decided",
    "read",      "confirmed",   "changes",   "added",    "saved",   "linked", "unlinked",
    "suspended", "reinstated",  "removed",   "settings", "drafted", "edited", "sent",
    "published", "unpublished", "reminded",  "imported",
};

int web_reg_notice(struct web_request *req, json_t *ctx)
{
    const char *done = web_query_get(req, "done");
    if (done == NULL)
        return SM_OK;
    for (size_t i = 0; i < sizeof notices / sizeof notices[0]; i++) {
        if (strcmp(done, notices[i]) == 0) {
            json_t *text = json_string(web_reg_label(req, "done", notices[i]));
            return text != NULL && json_object_set_new(ctx, "notice", text) == 0 ? SM_OK
                                                                                 : SM_ENOMEM;
        }
    }
    return SM_OK;
}

bool web_reg_shown_in_form(int rc)
{
    return rc == SM_EINVAL || rc == SM_EEXIST;
}

int web_reg_alert(struct web_request *req, json_t *ctx, int rc, const struct sm_diag *diag)
{
    const char *key = rc == SM_EEXIST ? "reg.error.exists" : "reg.error.invalid";
    json_t *alert = json_pack("{s:s,s:o}", "message", web_text(req, key), "detail",
                              web_reg_str(diag != NULL && diag->msg[0] != '\0' ? diag->msg : NULL));
    return alert != NULL && json_object_set_new(ctx, "alert", alert) == 0 ? SM_OK : SM_ENOMEM;
}

int web_reg_render(struct web_request *req, int status, const char *name, const char *title_key,
                   json_t *ctx)
{
    int ignored = SM_OK;
    const struct sm_session *s = web_session(req, &ignored);
    bool op = s != NULL && s->user->role == SM_ROLE_OPERATOR;
    int bad = json_object_set_new(ctx, "stylesheet", json_string("portal.css"));
    bad |= json_object_set_new(ctx, "is_operator", json_boolean(op));
    int rc = bad ? SM_ENOMEM : web_render(req, status, name, title_key, ctx);
    json_decref(ctx);
    return rc;
}

int web_reg_redirect(struct web_request *req, const char *fmt, ...)
{
    char location[2048];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(location, sizeof location, fmt, ap);
    va_end(ap);
    if (n < 0 || (size_t)n >= sizeof location)
        return SM_ELIMIT;
    return web_redirect(req, location);
}

const char *web_reg_time(struct web_request *req, int64_t t)
{
    if (t <= 0)
        return "";
    int64_t local = t + 9 * 3600; /* Japan: UTC+9, no daylight saving */
    int64_t secs = local % 86400;
    if (secs < 0)
        secs += 86400;
    char day[SM_DATE_SIZE], out[32];
    sm_date_format(sm_date_from_unix(t), day);
    snprintf(out, sizeof out, "%s %02d:%02d", day, (int)(secs / 3600), (int)(secs % 3600 / 60));
    char *copy = sm_arena_strdup(&req->arena, out);
    return copy != NULL ? copy : "";
}

const char *web_reg_pref_name(const struct web_request *req, const char *code)
{
    const struct sm_prefecture *p = code != NULL ? sm_geo_prefecture(req->app->geo, code) : NULL;
    if (p == NULL)
        return code != NULL ? code : "";
    return req->lang == SM_LANG_EN ? p->name_en : p->name_ja;
}

/* --- numbers ---------------------------------------------------------------------------- */

/* Writes v with thousands separators. */
static void group_digits(int64_t v, char *out, size_t size)
{
    char digits[32];
    snprintf(digits, sizeof digits, "%lld", (long long)(v < 0 ? -v : v));
    size_t n = strlen(digits), j = 0;
    if (v < 0 && j + 1 < size)
        out[j++] = '-';
    for (size_t i = 0; i < n && j + 2 < size; i++) {
        if (i > 0 && (n - i) % 3 == 0)
            out[j++] = ',';
        out[j++] = digits[i];
    }
    out[j] = '\0';
}

/* Parses a count or price typed into the form: digits, with ',' between groups allowed and
 * spaces around ignored; "" is unknown. false when it is not such a number or above max. */
static bool parse_amount(const char *s, int64_t max, int64_t *out)
{
    while (*s == ' ')
        s++;
    size_t n = strlen(s);
    while (n > 0 && s[n - 1] == ' ')
        n--;
    if (n == 0) {
        *out = SM_UNKNOWN;
        return true;
    }
    int64_t v = 0;
    size_t digits = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] == ',' && digits > 0 && i + 1 < n)
            continue;
        if (s[i] < '0' || s[i] > '9' || ++digits > 12)
            return false;
        v = v * 10 + (s[i] - '0');
    }
    if (v > max)
        return false;
    *out = v;
    return true;
}

/* --- the content form: its fields -------------------------------------------------------- */

enum field_kind {
    F_TEXT, /* const char *, one line */
    F_AREA, /* const char *, several lines */
    F_DATE, /* const char *, YYYY-MM-DD */
    F_YEN,  /* int64_t, yen */
    F_NUM,  /* int64_t, a count */
    F_TRI   /* enum sm_tri */
};

struct field {
    const char *name; /* form field, and "reg.f.<name>" its label */
    enum field_kind kind;
    size_t offset;
    const char *unit; /* "reg.unit.<unit>" after a number, or NULL */
};

#define FIELD(n, k, u)                             \
 {                                                 \
#  n, k, offsetof(struct sm_service_content, n), u \
 }

/* In the order the reading view lists them (class, type, coverage and devices are handled
 * on their own). */
static const struct field fields[] = {
    FIELD(name, F_TEXT, NULL),
    FIELD(summary, F_AREA, NULL),
    FIELD(monthly_yen, F_YEN, "yen"),
    FIELD(device_monthly_yen, F_YEN, "yen"),
    FIELD(initial_yen, F_YEN, "yen"),
    FIELD(price_note, F_AREA, NULL),
    FIELD(helpdesk, F_TRI, NULL),
    FIELD(helpdesk_hours, F_TEXT, NULL),
    FIELD(desc_helpdesk, F_AREA, NULL),
    FIELD(monitoring_24h, F_TRI, NULL),
    FIELD(monitoring_method, F_AREA, NULL),
    FIELD(desc_monitoring, F_AREA, NULL),
    FIELD(onsite, F_TRI, NULL),
    FIELD(remote_support, F_TRI, NULL),
    FIELD(desc_onsite, F_AREA, NULL),
    FIELD(insurance, F_TRI, NULL),
    FIELD(insurance_initial_response, F_TRI, NULL),
    FIELD(insurance_pays, F_AREA, NULL),
    FIELD(insurance_user_pays, F_AREA, NULL),
    FIELD(desc_insurance, F_AREA, NULL),
    FIELD(contract_terms, F_AREA, NULL),
    FIELD(contract_min_months, F_NUM, "months"),
    FIELD(class1_since, F_DATE, NULL),
    FIELD(customers_1y, F_NUM, "customers"),
    FIELD(monitored_endpoints, F_NUM, "endpoints"),
};

#define N_FIELDS (sizeof fields / sizeof fields[0])

static const char **text_at(struct sm_service_content *c, const struct field *f)
{
    return (const char **)(void *)((char *)c + f->offset);
}

static const char *text_of(const struct sm_service_content *c, const struct field *f)
{
    const char *const *p = (const char *const *)(const void *)((const char *)c + f->offset);
    return *p;
}

static int64_t *num_at(struct sm_service_content *c, const struct field *f)
{
    return (int64_t *)(void *)((char *)c + f->offset);
}

static int64_t num_of(const struct sm_service_content *c, const struct field *f)
{
    return *(const int64_t *)(const void *)((const char *)c + f->offset);
}

static enum sm_tri *tri_at(struct sm_service_content *c, const struct field *f)
{
    return (enum sm_tri *)(void *)((char *)c + f->offset);
}

static enum sm_tri tri_of(const struct sm_service_content *c, const struct field *f)
{
    return *(const enum sm_tri *)(const void *)((const char *)c + f->offset);
}

static const char *field_label(const struct web_request *req, const char *name)
{
    return web_reg_label(req, "f", name);
}

static const enum sm_monitoring monitorings[] = { SM_MON_NETWORK, SM_MON_ENDPOINT,
                                                  SM_MON_COMBINED };

static const struct {
    unsigned bit;
    const char *name;
} channels[] = {
    { SM_CHANNEL_PHONE, "phone" },
    { SM_CHANNEL_EMAIL, "email" },
    { SM_CHANNEL_WEB, "web" },
    { SM_CHANNEL_CHAT, "chat" },
};

static const enum sm_device_kind device_kinds[] = { SM_DEV_UTM, SM_DEV_EDR, SM_DEV_SIMPLE_EDR,
                                                    SM_DEV_SOC };

static const enum sm_effect effects[] = { SM_EFFECT_EFFECTIVE, SM_EFFECT_PARTIAL,
                                          SM_EFFECT_UNKNOWN };

#define DEVICE_FIELDS_MAX 32 /* "d19_functions" and the NUL */

static const char *row_get(const struct web_params *p, int row, const char *what)
{
    char name[DEVICE_FIELDS_MAX];
    snprintf(name, sizeof name, "d%d_%s", row, what);
    return web_params_get(p, name);
}

static const char *nz(const char *s)
{
    return s != NULL ? s : "";
}

static bool blank(const char *s)
{
    if (s == NULL)
        return true;
    for (; *s != '\0'; s++)
        if (*s != ' ' && *s != '\t' && *s != '\r' && *s != '\n')
            return false;
    return true;
}

/* Appends {label, message} to errors. */
static int add_error(struct web_request *req, json_t *errors, const char *label,
                     const char *message_key)
{
    json_t *e = json_pack("{s:s,s:s}", "label", label, "message", web_text(req, message_key));
    return e != NULL && json_array_append_new(errors, e) == 0 ? SM_OK : SM_ENOMEM;
}

/* The number of device rows a posted form had. */
static int posted_rows(const struct web_params *form)
{
    const char *s = web_params_get(form, "dev_rows");
    int64_t n = 0;
    if (!web_reg_id(s, &n))
        return 0;
    return n > SM_SERVICE_DEVICES_MAX ? SM_SERVICE_DEVICES_MAX : (int)n;
}

static const struct sm_device *catalog_find(const struct sm_device_catalog *cat, int64_t id)
{
    for (size_t i = 0; cat != NULL && i < cat->n; i++)
        if (cat->items[i].catalog_id == id)
            return &cat->items[i];
    return NULL;
}

static int read_devices(struct web_request *req, const struct web_params *form,
                        const struct sm_device_catalog *cat, struct sm_service_content *c,
                        json_t *errors)
{
    int rows = posted_rows(form);
    struct sm_device *devs =
        sm_arena_calloc(&req->arena, SM_SERVICE_DEVICES_MAX, sizeof(struct sm_device));
    if (devs == NULL)
        return SM_ENOMEM;
    size_t n = 0;
    for (int i = 0; i < rows; i++) {
        const char *remove = row_get(form, i, "remove");
        const char *catalog = row_get(form, i, "catalog");
        const char *maker = row_get(form, i, "maker"), *product = row_get(form, i, "product");
        const char *functions = row_get(form, i, "functions");
        const char *reason = row_get(form, i, "reason");
        const char *kind = row_get(form, i, "kind"), *effect = row_get(form, i, "effect");
        if (remove != NULL && strcmp(remove, "1") == 0)
            continue;
        if (blank(catalog) && blank(maker) && blank(product) && blank(functions) && blank(reason))
            continue;
        char label[96];
        snprintf(label, sizeof label, "%s %d", web_text(req, "reg.f.device"), i + 1);
        struct sm_device d = { .kind = SM_DEV_UTM, .ransomware = SM_EFFECT_UNKNOWN };
        bool kind_known = false;
        if (!blank(catalog)) {
            int64_t id = 0;
            const struct sm_device *from = web_reg_id(catalog, &id) ? catalog_find(cat, id) : NULL;
            if (from == NULL) {
                int rc = add_error(req, errors, label, "reg.form.bad_catalog");
                if (rc != SM_OK)
                    return rc;
            } else {
                d = *from;
                d.catalog_id = id;
                kind_known = true;
            }
        }
        if (!blank(maker))
            d.maker = maker;
        if (!blank(product))
            d.product = product;
        if (!blank(functions))
            d.functions = functions;
        if (!blank(reason))
            d.reason = reason;
        if (!blank(kind)) {
            if (sm_device_kind_parse(kind, &d.kind) == SM_OK)
                kind_known = true;
        }
        if (!blank(effect))
            sm_effect_parse(effect, &d.ransomware);
        if (!kind_known) {
            int rc = add_error(req, errors, label, "reg.form.need_kind");
            if (rc != SM_OK)
                return rc;
            continue;
        }
        if (n < SM_SERVICE_DEVICES_MAX)
            devs[n++] = d;
    }
    c->devices = devs;
    c->n_devices = n;
    return SM_OK;
}

int web_reg_content_read(struct web_request *req, const struct web_params *form,
                         const struct sm_device_catalog *cat, struct sm_service_content *c,
                         json_t *errors)
{
    sm_service_content_init(c);
    for (size_t i = 0; i < N_FIELDS; i++) {
        const struct field *f = &fields[i];
        const char *v = web_params_get(form, f->name);
        switch (f->kind) {
        case F_TEXT:
        case F_AREA:
        case F_DATE:
            *text_at(c, f) = blank(v) ? NULL : v;
            break;
        case F_YEN:
        case F_NUM: {
            int64_t n = SM_UNKNOWN;
            int64_t max = f->kind == F_YEN ? SM_SERVICE_PRICE_MAX : 1000000000;
            if (v != NULL && !parse_amount(v, max, &n)) {
                int rc = add_error(req, errors, field_label(req, f->name), "reg.form.bad_number");
                if (rc != SM_OK)
                    return rc;
                n = SM_UNKNOWN;
            }
            *num_at(c, f) = n;
            break;
        }
        case F_TRI:
            if (v == NULL || sm_tri_parse(v, tri_at(c, f)) != SM_OK)
                *tri_at(c, f) = SM_TRI_UNKNOWN;
            break;
        }
    }
    const char *cls = web_params_get(form, "service_class");
    c->service_class = cls != NULL && strcmp(cls, "2") == 0 ? 2 : 1;
    const char *mon = web_params_get(form, "monitoring");
    if (mon == NULL || sm_monitoring_parse(mon, &c->monitoring) != SM_OK)
        c->monitoring = SM_MON_NETWORK;
    const char *nw = web_params_get(form, "nationwide");
    c->nationwide = nw != NULL && strcmp(nw, "1") == 0;
    c->prefectures = 0;
    c->helpdesk_channels = 0;
    for (size_t i = 0; i < form->n; i++) {
        const struct web_param *p = &form->items[i];
        uint64_t bit = 0;
        if (strcmp(p->name, "pref") == 0 && sm_pref_bit(p->value, &bit) == SM_OK)
            c->prefectures |= bit;
        if (strcmp(p->name, "channel") == 0)
            for (size_t k = 0; k < sizeof channels / sizeof channels[0]; k++)
                if (strcmp(p->value, channels[k].name) == 0)
                    c->helpdesk_channels |= channels[k].bit;
    }
    /* Nationwide says it all: the prefectures ticked as well would be refused. */
    if (c->nationwide)
        c->prefectures = 0;
    return read_devices(req, form, cat, c, errors);
}

/* --- the content form: filling it ------------------------------------------------------- */

struct pairs {
    struct sm_arena *arena;
    struct web_param *items;
    size_t n, cap;
};

static int pair_add(struct pairs *p, const char *name, const char *value)
{
    if (p->n == p->cap) {
        size_t cap = p->cap ? p->cap * 2 : 64;
        struct web_param *items = sm_arena_calloc(p->arena, cap, sizeof *items);
        if (items == NULL)
            return SM_ENOMEM;
        if (p->n)
            memcpy(items, p->items, p->n * sizeof *items);
        p->items = items;
        p->cap = cap;
    }
    const char *n = sm_arena_strdup(p->arena, name);
    const char *v = sm_arena_strdup(p->arena, value != NULL ? value : "");
    if (n == NULL || v == NULL)
        return SM_ENOMEM;
    p->items[p->n].name = n;
    p->items[p->n].value = v;
    p->items[p->n].value_len = strlen(v);
    p->n++;
    return SM_OK;
}

int web_reg_content_params(struct web_request *req, const struct sm_service_content *c,
                           struct web_params *out)
{
    struct pairs p = { .arena = &req->arena };
    int rc = SM_OK;
    char num[32];
    for (size_t i = 0; i < N_FIELDS && rc == SM_OK; i++) {
        const struct field *f = &fields[i];
        switch (f->kind) {
        case F_TEXT:
        case F_AREA:
        case F_DATE:
            rc = pair_add(&p, f->name, text_of(c, f));
            break;
        case F_YEN:
        case F_NUM:
            num[0] = '\0';
            if (num_of(c, f) >= 0)
                snprintf(num, sizeof num, "%lld", (long long)num_of(c, f));
            rc = pair_add(&p, f->name, num);
            break;
        case F_TRI:
            rc = pair_add(&p, f->name, sm_tri_name(tri_of(c, f)));
            break;
        }
    }
    if (rc == SM_OK)
        rc = pair_add(&p, "service_class", c->service_class == 2 ? "2" : "1");
    if (rc == SM_OK)
        rc = pair_add(&p, "monitoring", sm_monitoring_name(c->monitoring));
    if (rc == SM_OK && c->nationwide)
        rc = pair_add(&p, "nationwide", "1");
    for (int code = 1; code <= 47 && rc == SM_OK; code++) {
        if (c->prefectures & ((uint64_t)1 << code)) {
            snprintf(num, sizeof num, "%02d", code);
            rc = pair_add(&p, "pref", num);
        }
    }
    for (size_t k = 0; k < sizeof channels / sizeof channels[0] && rc == SM_OK; k++)
        if (c->helpdesk_channels & channels[k].bit)
            rc = pair_add(&p, "channel", channels[k].name);
    size_t nd = c->n_devices < SM_SERVICE_DEVICES_MAX ? c->n_devices : SM_SERVICE_DEVICES_MAX;
    for (size_t i = 0; i < nd && rc == SM_OK; i++) {
        const struct sm_device *d = &c->devices[i];
        char name[DEVICE_FIELDS_MAX];
        const char *what[] = { "catalog",   "kind",   "maker", "product",
                               "functions", "effect", "reason" };
        char cat[32] = "";
        if (d->catalog_id > 0)
            snprintf(cat, sizeof cat, "%lld", (long long)d->catalog_id);
        const char *values[] = { cat,          sm_device_kind_name(d->kind),  d->maker, d->product,
                                 d->functions, sm_effect_name(d->ransomware), d->reason };
        for (size_t k = 0; k < sizeof what / sizeof what[0] && rc == SM_OK; k++) {
            snprintf(name, sizeof name, "d%zu_%s", i, what[k]);
            rc = pair_add(&p, name, values[k]);
        }
    }
    if (rc == SM_OK) {
        snprintf(num, sizeof num, "%zu", nd);
        rc = pair_add(&p, "dev_rows", num);
    }
    if (rc != SM_OK)
        return rc;
    out->items = p.items;
    out->n = p.n;
    return SM_OK;
}

/* True when params has name=value. */
static bool has_pair(const struct web_params *params, const char *name, const char *value)
{
    for (size_t i = 0; i < params->n; i++)
        if (strcmp(params->items[i].name, name) == 0 && strcmp(params->items[i].value, value) == 0)
            return true;
    return false;
}

/* Appends {value, label, selected} to list. */
static int option(json_t *list, const char *value, const char *label, bool selected)
{
    json_t *o = json_pack("{s:s,s:s,s:b}", "value", value, "label", label, "selected", selected);
    return o != NULL && json_array_append_new(list, o) == 0 ? SM_OK : SM_ENOMEM;
}

static json_t *tri_options(struct web_request *req, const char *current)
{
    static const enum sm_tri order[] = { SM_TRI_UNKNOWN, SM_TRI_YES, SM_TRI_NO };

    json_t *list = json_array();
    for (size_t i = 0; list != NULL && i < 3; i++) {
        const char *name = sm_tri_name(order[i]);
        bool sel = current != NULL ? strcmp(current, name) == 0 : order[i] == SM_TRI_UNKNOWN;
        if (option(list, name, web_reg_label(req, "tri", name), sel) != SM_OK) {
            json_decref(list);
            return NULL;
        }
    }
    return list;
}

static int form_regions(struct web_request *req, json_t *form, const struct web_params *params)
{
    const struct sm_geo *geo = req->app->geo;
    json_t *regions = json_array();
    if (regions == NULL || json_object_set_new(form, "regions", regions) != 0)
        return SM_ENOMEM;
    for (size_t r = 0; r < geo->n_regions; r++) {
        const struct sm_region *reg = &geo->regions[r];
        json_t *prefs = json_array();
        json_t *o =
            json_pack("{s:i,s:s,s:o}", "id", reg->id, "name",
                      req->lang == SM_LANG_EN ? reg->name_en : reg->name_ja, "prefs", prefs);
        if (o == NULL || json_array_append_new(regions, o) != 0)
            return SM_ENOMEM;
        for (size_t i = 0; i < geo->n_prefectures; i++) {
            const struct sm_prefecture *p = &geo->prefectures[i];
            if (p->region_id != reg->id)
                continue;
            json_t *po = json_pack("{s:s,s:s,s:b}", "code", p->code, "name",
                                   req->lang == SM_LANG_EN ? p->name_en : p->name_ja, "checked",
                                   has_pair(params, "pref", p->code));
            if (po == NULL || json_array_append_new(prefs, po) != 0)
                return SM_ENOMEM;
        }
    }
    return SM_OK;
}

/* The label of a catalog entry in a select: maker, product and kind. */
static const char *catalog_label(struct web_request *req, const struct sm_device *d)
{
    char label[400];
    snprintf(label, sizeof label, "%s %s（%s / %s）", d->maker != NULL ? d->maker : "",
             d->product != NULL ? d->product : "",
             web_reg_label(req, "device", sm_device_kind_name(d->kind)),
             sm_effect_symbol(d->ransomware));
    const char *copy = sm_arena_strdup(&req->arena, label);
    return copy != NULL ? copy : "";
}

static int form_devices(struct web_request *req, json_t *form, const struct web_params *params,
                        const struct sm_device_catalog *cat, int extra_rows)
{
    int rows = posted_rows(params) + extra_rows;
    if (rows > SM_SERVICE_DEVICES_MAX)
        rows = SM_SERVICE_DEVICES_MAX;
    json_t *list = json_array();
    if (list == NULL || json_object_set_new(form, "devices", list) != 0 ||
        json_object_set_new(form, "dev_rows", json_integer(rows)) != 0)
        return SM_ENOMEM;
    for (int i = 0; i < rows; i++) {
        const char *catalog = row_get(params, i, "catalog");
        const char *kind = row_get(params, i, "kind"), *effect = row_get(params, i, "effect");
        json_t *cats = json_array(), *kinds = json_array(), *effs = json_array();
        json_t *row = json_pack(
            "{s:i,s:i,s:s,s:s,s:s,s:s,s:o,s:o,s:o}", "i", i, "n", i + 1, "maker",
            nz(row_get(params, i, "maker")), "product", nz(row_get(params, i, "product")),
            "functions", nz(row_get(params, i, "functions")), "reason",
            nz(row_get(params, i, "reason")), "catalog", cats, "kinds", kinds, "effects", effs);
        if (row == NULL || json_array_append_new(list, row) != 0)
            return SM_ENOMEM;
        int rc = option(cats, "", web_text(req, "reg.form.no_catalog"), blank(catalog));
        for (size_t k = 0; cat != NULL && k < cat->n && rc == SM_OK; k++) {
            char id[32];
            snprintf(id, sizeof id, "%lld", (long long)cat->items[k].catalog_id);
            rc = option(cats, id, catalog_label(req, &cat->items[k]),
                        catalog != NULL && strcmp(catalog, id) == 0);
        }
        if (rc == SM_OK)
            rc = option(kinds, "", web_text(req, "reg.form.choose"), blank(kind));
        for (size_t k = 0; k < sizeof device_kinds / sizeof device_kinds[0] && rc == SM_OK; k++) {
            const char *name = sm_device_kind_name(device_kinds[k]);
            rc = option(kinds, name, web_reg_label(req, "device", name),
                        kind != NULL && strcmp(kind, name) == 0);
        }
        if (rc == SM_OK)
            rc = option(effs, "", web_text(req, "reg.form.choose"), blank(effect));
        for (size_t k = 0; k < sizeof effects / sizeof effects[0] && rc == SM_OK; k++) {
            const char *name = sm_effect_name(effects[k]);
            rc = option(effs, name, web_reg_label(req, "effect", name),
                        effect != NULL && strcmp(effect, name) == 0);
        }
        if (rc != SM_OK)
            return rc;
    }
    return SM_OK;
}

int web_reg_content_form(struct web_request *req, json_t *ctx, const struct web_params *params,
                         const struct sm_device_catalog *cat, int extra_rows)
{
    json_t *form = json_object();
    if (form == NULL || json_object_set_new(ctx, "form", form) != 0)
        return SM_ENOMEM;
    int bad = 0;
    for (size_t i = 0; i < N_FIELDS; i++) {
        const struct field *f = &fields[i];
        const char *v = web_params_get(params, f->name);
        if (f->kind == F_TRI)
            bad |= json_object_set_new(form, f->name, tri_options(req, v));
        else
            bad |= json_object_set_new(form, f->name, json_string(v != NULL ? v : ""));
    }
    json_t *classes = json_array(), *types = json_array(), *chans = json_array();
    bad |= json_object_set_new(form, "classes", classes);
    bad |= json_object_set_new(form, "types", types);
    bad |= json_object_set_new(form, "channels", chans);
    if (bad)
        return SM_ENOMEM;
    const char *cls = web_params_get(params, "service_class");
    int rc = option(classes, "1", web_reg_label(req, "class", "1"),
                    cls == NULL || strcmp(cls, "2") != 0);
    if (rc == SM_OK)
        rc = option(classes, "2", web_reg_label(req, "class", "2"),
                    cls != NULL && strcmp(cls, "2") == 0);
    const char *mon = web_params_get(params, "monitoring");
    for (size_t k = 0; k < sizeof monitorings / sizeof monitorings[0] && rc == SM_OK; k++) {
        const char *name = sm_monitoring_name(monitorings[k]);
        rc = option(types, name, web_reg_label(req, "monitoring", name),
                    mon != NULL ? strcmp(mon, name) == 0 : k == 0);
    }
    for (size_t k = 0; k < sizeof channels / sizeof channels[0] && rc == SM_OK; k++)
        rc = option(chans, channels[k].name, web_reg_label(req, "channel", channels[k].name),
                    has_pair(params, "channel", channels[k].name));
    if (rc == SM_OK && json_object_set_new(form, "nationwide",
                                           json_boolean(has_pair(params, "nationwide", "1"))) != 0)
        rc = SM_ENOMEM;
    if (rc == SM_OK)
        rc = form_regions(req, form, params);
    if (rc == SM_OK)
        rc = form_devices(req, form, params, cat, extra_rows);
    return rc;
}

/* --- reading content -------------------------------------------------------------------- */

/* Adds {label, value, unknown} to rows; value NULL or "" shows as not stated. */
static int view_row(struct web_request *req, json_t *rows, const char *label, const char *value)
{
    bool unknown = value == NULL || value[0] == '\0';
    json_t *o = json_pack("{s:s,s:s,s:b}", "label", label, "value",
                          unknown ? web_text(req, "reg.not_stated") : value, "unknown", unknown);
    return o != NULL && json_array_append_new(rows, o) == 0 ? SM_OK : SM_ENOMEM;
}

/* The coverage in words: nationwide, the prefectures' names, or NULL when not stated. */
static const char *coverage(struct web_request *req, const struct sm_service_content *c)
{
    if (c->nationwide)
        return web_text(req, "reg.nationwide");
    if (c->prefectures == 0)
        return NULL;
    struct sm_buf b;
    sm_buf_init(&b, 4096);
    const char *sep = req->lang == SM_LANG_EN ? ", " : "、";
    bool first = true;
    for (int code = 1; code <= 47; code++) {
        if (!(c->prefectures & ((uint64_t)1 << code)))
            continue;
        char cc[3];
        snprintf(cc, sizeof cc, "%02d", code);
        if (sm_buf_puts(&b, first ? "" : sep) != SM_OK ||
            sm_buf_puts(&b, web_reg_pref_name(req, cc)) != SM_OK) {
            sm_buf_release(&b);
            return "";
        }
        first = false;
    }
    const char *out = sm_arena_strdup(&req->arena, b.data != NULL ? b.data : "");
    sm_buf_release(&b);
    return out != NULL ? out : "";
}

static const char *channel_names(struct web_request *req, unsigned set)
{
    char out[256] = "";
    size_t len = 0;
    const char *sep = req->lang == SM_LANG_EN ? ", " : "、";
    for (size_t k = 0; k < sizeof channels / sizeof channels[0]; k++) {
        if (!(set & channels[k].bit))
            continue;
        int w = snprintf(out + len, sizeof out - len, "%s%s", len ? sep : "",
                         web_reg_label(req, "channel", channels[k].name));
        if (w > 0 && (size_t)w < sizeof out - len)
            len += (size_t)w;
    }
    return len > 0 ? sm_arena_strdup(&req->arena, out) : NULL;
}

int web_reg_content_view(struct web_request *req, json_t *ctx, const struct sm_service_content *c)
{
    json_t *rows = json_array(), *devices = json_array();
    json_t *view = json_pack("{s:o,s:o,s:s,s:b}", "rows", rows, "devices", devices, "name",
                             nz(c->name), "has_devices", c->n_devices > 0);
    if (view == NULL || json_object_set_new(ctx, "content", view) != 0)
        return SM_ENOMEM;
    char cls[4];
    snprintf(cls, sizeof cls, "%d", c->service_class);
    int rc =
        view_row(req, rows, field_label(req, "service_class"), web_reg_label(req, "class", cls));
    if (rc == SM_OK)
        rc = view_row(req, rows, field_label(req, "monitoring"),
                      web_reg_label(req, "monitoring", sm_monitoring_name(c->monitoring)));
    if (rc == SM_OK)
        rc = view_row(req, rows, field_label(req, "area"), coverage(req, c));
    for (size_t i = 0; i < N_FIELDS && rc == SM_OK; i++) {
        const struct field *f = &fields[i];
        char value[64];
        const char *v = NULL;
        if (strcmp(f->name, "name") == 0)
            continue;
        switch (f->kind) {
        case F_TEXT:
        case F_AREA:
        case F_DATE:
            v = text_of(c, f);
            break;
        case F_YEN:
        case F_NUM:
            if (num_of(c, f) >= 0) {
                char digits[40];
                group_digits(num_of(c, f), digits, sizeof digits);
                snprintf(value, sizeof value, "%s %s", digits, web_reg_label(req, "unit", f->unit));
                v = value;
            }
            break;
        case F_TRI:
            if (tri_of(c, f) != SM_TRI_UNKNOWN)
                v = web_reg_label(req, "tri", sm_tri_name(tri_of(c, f)));
            break;
        }
        rc = view_row(req, rows, field_label(req, f->name), v);
        if (rc == SM_OK && strcmp(f->name, "helpdesk_hours") == 0)
            rc = view_row(req, rows, field_label(req, "channels"),
                          channel_names(req, c->helpdesk_channels));
    }
    for (size_t i = 0; i < c->n_devices && rc == SM_OK; i++) {
        const struct sm_device *d = &c->devices[i];
        json_t *o =
            json_pack("{s:s,s:o,s:o,s:o,s:s,s:s,s:s,s:o}", "kind",
                      web_reg_label(req, "device", sm_device_kind_name(d->kind)), "maker",
                      web_reg_str(d->maker), "product", web_reg_str(d->product), "functions",
                      web_reg_str(d->functions), "effect", sm_effect_name(d->ransomware), "symbol",
                      sm_effect_symbol(d->ransomware), "effect_label",
                      web_reg_label(req, "effect", sm_effect_name(d->ransomware)), "reason",
                      web_reg_str(d->reason));
        if (o == NULL || json_array_append_new(devices, o) != 0)
            rc = SM_ENOMEM;
    }
    return rc;
}

/* --- the conformance report ------------------------------------------------------------- */

static const char *pick(const struct web_request *req, const char *ja, const char *en)
{
    return req->lang == SM_LANG_EN && en != NULL && en[0] != '\0' ? en : ja;
}

int web_reg_report(struct web_request *req, json_t *ctx, const struct sm_service_content *c,
                   const char *today)
{
    const struct sm_standard *std = NULL;
    struct sm_conformance *report = NULL;
    struct sm_diag diag;
    sm_diag_clear(&diag);
    int rc = sm_standard_builtin(&std, &diag);
    if (rc == SM_OK)
        rc = sm_standard_check(std, NULL, c, today, &report, &diag);
    if (rc == SM_EINVAL) {
        /* Content the standard cannot be checked against says so instead of a report. */
        json_t *r = json_pack("{s:s}", "error", diag.msg);
        return r != NULL && json_object_set_new(ctx, "report", r) == 0 ? SM_OK : SM_ENOMEM;
    }
    if (rc != SM_OK)
        return rc;
    json_t *items = json_array();
    json_t *r =
        json_pack("{s:s,s:i,s:i,s:i,s:i,s:o}", "version", report->version, "class",
                  report->service_class, "n_pass", (int)report->n_pass, "n_fail",
                  (int)report->n_fail, "n_judgement", (int)report->n_judgement, "items", items);
    if (r == NULL || json_object_set_new(ctx, "report", r) != 0) {
        sm_conformance_free(report);
        return SM_ENOMEM;
    }
    for (size_t i = 0; i < report->n && rc == SM_OK; i++) {
        const struct sm_conformance_item *it = &report->items[i];
        const char *verdict = sm_verdict_name(it->verdict);
        json_t *o =
            json_pack("{s:s,s:s,s:o,s:s,s:s,s:s,s:o,s:o}", "id", it->req->id, "title",
                      nz(pick(req, it->req->title_ja, it->req->title_en)), "text",
                      web_reg_str(pick(req, it->req->text_ja, it->req->text_en)), "kind",
                      web_reg_label(req, "check", sm_check_kind_name(it->req->check)), "verdict",
                      verdict, "verdict_label", web_reg_label(req, "verdict", verdict), "reason",
                      web_reg_str(pick(req, it->reason_ja, it->reason_en)), "note",
                      web_reg_str(pick(req, it->req->note_ja, it->req->note_en)));
        if (o == NULL || json_array_append_new(items, o) != 0)
            rc = SM_ENOMEM;
    }
    sm_conformance_free(report);
    return rc;
}

int web_reg_checks(struct web_request *req, json_t *ctx, const struct sm_registry_application *app)
{
    json_t *items = json_array();
    size_t n_pass = 0, n_fail = 0, n_open = 0;
    json_t *r = json_pack("{s:s,s:b,s:o}", "version",
                          app->standard_version != NULL ? app->standard_version : "", "approvable",
                          app->approvable, "items", items);
    if (r == NULL || json_object_set_new(ctx, "report", r) != 0)
        return SM_ENOMEM;
    for (size_t i = 0; i < app->n_checks; i++) {
        const struct sm_registry_check *k = &app->checks[i];
        const char *title =
            k->req != NULL ? pick(req, k->req->title_ja, k->req->title_en) : k->requirement_id;
        const char *text = k->req != NULL ? pick(req, k->req->text_ja, k->req->text_en) : NULL;
        const char *verdict = sm_verdict_name(k->verdict), *final = sm_verdict_name(k->final);
        json_t *o = json_pack(
            "{s:s,s:s,s:o,s:s,s:s,s:s,s:o,s:b,s:s,s:s,s:b,s:b}", "id", k->requirement_id, "title",
            title, "text", web_reg_str(text), "kind",
            web_reg_label(req, "check", sm_check_kind_name(k->kind)), "verdict", verdict,
            "verdict_label", web_reg_label(req, "verdict", verdict), "reason",
            web_reg_str(pick(req, k->reason_ja, k->reason_en)), "judged", k->judged, "final", final,
            "final_label", web_reg_label(req, "verdict", final), "needs_judgement",
            k->verdict == SM_VERDICT_JUDGEMENT, "failed_auto", k->verdict == SM_VERDICT_FAIL);
        if (o == NULL || json_array_append_new(items, o) != 0)
            return SM_ENOMEM;
        if (k->judged) {
            const char *j = sm_verdict_name(k->judgement);
            json_t *jo =
                json_pack("{s:s,s:s,s:o,s:o,s:b}", "verdict", j, "label",
                          web_reg_label(req, "verdict", j), "note", web_reg_str(k->judgement_note),
                          "by", web_reg_str(k->judged_by), "pass", k->judgement == SM_VERDICT_PASS);
            if (jo == NULL || json_object_set_new(o, "judgement", jo) != 0)
                return SM_ENOMEM;
        }
        if (k->final == SM_VERDICT_PASS)
            n_pass++;
        else if (k->final == SM_VERDICT_FAIL)
            n_fail++;
        else
            n_open++;
    }
    int bad = json_object_set_new(r, "n_pass", json_integer((json_int_t)n_pass));
    bad |= json_object_set_new(r, "n_fail", json_integer((json_int_t)n_fail));
    bad |= json_object_set_new(r, "n_judgement", json_integer((json_int_t)n_open));
    return bad ? SM_ENOMEM : SM_OK;
}

/* --- list rows ------------------------------------------------------------------------- */

json_t *web_reg_service_row(struct web_request *req, const struct sm_registry_service_row *r)
{
    char cls[4];
    snprintf(cls, sizeof cls, "%d", r->service_class);
    const char *status = sm_svc_status_name(r->effective);
    json_t *o = json_pack(
        "{s:I,s:I,s:s,s:b,s:s,s:s,s:s,s:s,s:s,s:o,s:o,s:o,s:b}", "id", (json_int_t)r->id,
        "provider_id", (json_int_t)r->provider_id, "provider_name",
        r->provider_name != NULL ? r->provider_name : "", "fictitious", r->fictitious, "name",
        r->name != NULL ? r->name : "", "class_label", web_reg_label(req, "class", cls),
        "monitoring_label", web_reg_label(req, "monitoring", sm_monitoring_name(r->monitoring)),
        "status", status, "status_label", web_reg_label(req, "status", status), "registration_no",
        web_reg_str(r->registration_no), "registered_on", web_reg_str(r->registered_on),
        "renewal_on", web_reg_str(r->renewal_on), "listed", r->listed);
    if (o == NULL || r->open_application == 0)
        return o;
    const char *kind = sm_app_kind_name(r->open_kind), *state = sm_app_state_name(r->open_state);
    json_t *open =
        json_pack("{s:I,s:s,s:s,s:s,s:s,s:b}", "id", (json_int_t)r->open_application, "kind", kind,
                  "kind_label", web_reg_label(req, "kind", kind), "state", state, "state_label",
                  web_reg_label(req, "state", state), "pending", r->open_kind != SM_APP_NEW);
    if (open == NULL || json_object_set_new(o, "open", open) != 0) {
        json_decref(o);
        return NULL;
    }
    return o;
}

json_t *web_reg_application_row(struct web_request *req,
                                const struct sm_registry_application_row *r)
{
    const char *kind = sm_app_kind_name(r->kind), *state = sm_app_state_name(r->state);
    bool open = r->state == SM_APP_SUBMITTED || r->state == SM_APP_UNDER_REVIEW ||
                r->state == SM_APP_CHANGES_REQUESTED;
    return json_pack(
        "{s:I,s:I,s:I,s:s,s:s,s:s,s:s,s:s,s:s,s:o,s:i,s:i,s:b}", "id", (json_int_t)r->id,
        "service_id", (json_int_t)r->service_id, "provider_id", (json_int_t)r->provider_id,
        "provider_name", r->provider_name != NULL ? r->provider_name : "", "service_name",
        r->service_name != NULL ? r->service_name : "", "kind", kind, "kind_label",
        web_reg_label(req, "kind", kind), "state", state, "state_label",
        web_reg_label(req, "state", state), "submitted_on", web_reg_str(r->submitted_on), "n_fail",
        (int)r->n_fail, "n_judgement", (int)r->n_judgement, "open", open);
}

json_t *web_reg_case(struct web_request *req, const struct sm_case_study *c)
{
    const char *state = sm_case_state_name(c->state), *source = sm_case_source_name(c->source);
    bool editable = c->state == SM_CASE_DRAFT || c->state == SM_CASE_CHANGES_REQUESTED;
    return json_pack(
        "{s:I,s:I,s:I,s:s,s:s,s:s,s:s,s:s,s:s,s:o,s:o,s:o,s:s,s:s,s:o,s:s,s:s,s:b,s:b,s:b,s:b}",
        "id", (json_int_t)c->id, "service_id", (json_int_t)c->service_id, "provider_id",
        (json_int_t)c->provider_id, "service_name", c->service_name != NULL ? c->service_name : "",
        "provider_name", c->provider_name != NULL ? c->provider_name : "", "source", source,
        "source_label", web_reg_label(req, "source", source), "title",
        c->title != NULL ? c->title : "", "body", c->body != NULL ? c->body : "", "industry",
        web_reg_str(c->industry), "prefecture", web_reg_str(c->prefecture), "prefecture_name",
        web_reg_str(c->prefecture != NULL ? web_reg_pref_name(req, c->prefecture) : NULL), "state",
        state, "state_label", web_reg_label(req, "case", state), "provider_comment",
        web_reg_str(c->provider_comment), "updated", web_reg_time(req, c->updated_at), "published",
        web_reg_time(req, c->published_at), "awaiting", c->state == SM_CASE_AWAITING_PROVIDER,
        "editable", editable, "can_publish", c->state == SM_CASE_CONFIRMED, "can_unpublish",
        c->state == SM_CASE_PUBLISHED);
}

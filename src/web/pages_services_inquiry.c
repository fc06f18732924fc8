/*
 * The inquiry form of a service page: GET /services/{id}/inquiry (the form on a page of its
 * own), POST /services/{id}/inquiry, and the thank-you page GET /services/{id}/inquiry/sent;
 * and the visitor's channel, which the registry stores with each inquiry.
 *
 * CSRF: visitors have no session, so the form uses the login form's double-submit cookie
 * (pages_auth.c): the page sets sm_csrf (random, HttpOnly, SameSite=Strict) when the
 * visitor has none and puts the same value in a hidden field; the POST is accepted only
 * when both are present and equal. Another site can make a browser post the form but can
 * neither read nor set the cookie.
 *
 * Channel: the campaign parameters of the landing URL (utm_source, utm_medium,
 * utm_campaign: a newspaper advertisement, a news site, the PR site) and the kind of site
 * the visitor came from (sm_referrer_classify: the host name only) are remembered at the
 * first public page the visitor opens, in the cookie sm_src for 30 days and never replaced
 * (first touch), and travel with the form as hidden fields. The cookie holds nothing else:
 * no identifier of the visitor.
 *
 * Rate limit: an address may send SVC_LIMIT_PER_CLIENT inquiries in SVC_LIMIT_WINDOW
 * seconds, and a service receives at most SVC_LIMIT_PER_SERVICE in SVC_SERVICE_WINDOW from
 * all addresses together, so the form cannot be used to flood a provider; beyond, 429 with
 * Retry-After and the form kept. The counts are fixed windows in a table of this process
 * (a deployment with several server processes multiplies the budget by their number); a
 * full table forgets its oldest entries, never refuses a visitor for lack of room.
 */
#include "pages_services.h"
#include "routes.h"

#include "smesec/utf8.h"

#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "util/banned.h"

#define COOKIE_SRC         "sm_src"
#define CHANNEL_MAX        100 /* bytes of each utm_* value the registry keeps */
#define CHANNEL_COOKIE_AGE (30L * 24 * 3600)

/* --- The rate limit ------------------------------------------------------------------- */

#define LIMIT_SLOTS 4096 /* a power of two */
#define LIMIT_PROBE 8

struct limit_slot {
    uint64_t hash;
    char key[64]; /* "" when free */
    int64_t start;
    int64_t window;
    int count;
};

static struct {
    pthread_mutex_t mu;
    struct limit_slot slots[LIMIT_SLOTS];
} limits = { .mu = PTHREAD_MUTEX_INITIALIZER };

static uint64_t hash_key(const char *s)
{
    uint64_t h = 0xcbf29ce484222325u;
    for (; *s != '\0'; s++) {
        h ^= (unsigned char)*s;
        h *= 0x100000001b3u;
    }
    return h;
}

/* The slot counting key, taken over from the stalest nearby slot when key has none (never
 * `avoid`). Its window is restarted when it has passed. */
static struct limit_slot *limit_slot(const char *key, int64_t now, int64_t window,
                                     const struct limit_slot *avoid)
{
    uint64_t h = hash_key(key);
    struct limit_slot *victim = NULL;
    for (size_t i = 0; i < LIMIT_PROBE; i++) {
        struct limit_slot *s = &limits.slots[(h + i) & (LIMIT_SLOTS - 1)];
        if (s->key[0] != '\0' && s->hash == h && strcmp(s->key, key) == 0) {
            if (now - s->start >= s->window) {
                s->start = now;
                s->count = 0;
            }
            return s;
        }
        if (s == avoid)
            continue;
        /* Prefer a free or expired slot; else the one whose window started longest ago. */
        bool s_free = s->key[0] == '\0' || now - s->start >= s->window;
        bool v_free =
            victim != NULL && (victim->key[0] == '\0' || now - victim->start >= victim->window);
        if (victim == NULL || (s_free && !v_free) ||
            (!s_free && !v_free && s->start < victim->start))
            victim = s;
    }
    *victim = (struct limit_slot){ .hash = h, .start = now, .window = window };
    snprintf(victim->key, sizeof victim->key, "%s", key);
    return victim;
}

/* Counts one inquiry from client to service, unless either is over its limit: then false
 * and *retry_after gets the seconds until the window that refused ends. */
static bool limit_admit(const char *client, int64_t service_id, int64_t now, int64_t *retry_after)
{
    char ckey[64], skey[64];
    snprintf(ckey, sizeof ckey, "c:%s", client[0] != '\0' ? client : "unknown");
    snprintf(skey, sizeof skey, "s:%lld", (long long)service_id);
    pthread_mutex_lock(&limits.mu);
    struct limit_slot *c = limit_slot(ckey, now, SVC_LIMIT_WINDOW, NULL);
    struct limit_slot *s = limit_slot(skey, now, SVC_SERVICE_WINDOW, c);
    bool ok = true;
    if (c->count >= SVC_LIMIT_PER_CLIENT) {
        ok = false;
        *retry_after = c->start + c->window - now;
    } else if (s->count >= SVC_LIMIT_PER_SERVICE) {
        ok = false;
        *retry_after = s->start + s->window - now;
    } else {
        c->count++;
        s->count++;
    }
    pthread_mutex_unlock(&limits.mu);
    if (!ok && *retry_after < 1)
        *retry_after = 1;
    return ok;
}

/* --- The channel ---------------------------------------------------------------------- */

struct channel {
    char source[CHANNEL_MAX + 1];
    char medium[CHANNEL_MAX + 1];
    char campaign[CHANNEL_MAX + 1];
    enum sm_referrer_kind referrer;
};

/* Copies at most CHANNEL_MAX bytes of s, cut at a character boundary. */
static void channel_copy(char out[CHANNEL_MAX + 1], const char *s)
{
    size_t n = s != NULL ? strlen(s) : 0;
    if (n > CHANNEL_MAX) {
        n = CHANNEL_MAX;
        while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80)
            n--;
    }
    if (n > 0)
        memcpy(out, s, n);
    out[n] = '\0';
}

static bool channel_any(const struct channel *ch)
{
    return ch->source[0] != '\0' || ch->medium[0] != '\0' || ch->campaign[0] != '\0' ||
           ch->referrer != SM_REF_DIRECT;
}

/* The channel as the current request shows it: its utm_* parameters and its Referer. */
static void channel_of_request(struct web_request *req, struct channel *ch)
{
    channel_copy(ch->source, web_query_get(req, "utm_source"));
    channel_copy(ch->medium, web_query_get(req, "utm_medium"));
    channel_copy(ch->campaign, web_query_get(req, "utm_campaign"));
    ch->referrer =
        sm_referrer_classify(web_header_get(req, "Referer"), web_header_get(req, "Host"));
}

static int hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    return -1;
}

/* Appends s with every byte but letters, digits, '-' and '_' written as %XX, which keeps
 * a cookie value free of separators. */
static int cookie_put(struct sm_buf *b, const char *s)
{
    static const char hex[] = "0123456789ABCDEF";
    int rc = SM_OK;
    for (const unsigned char *p = (const unsigned char *)s; *p != '\0' && rc == SM_OK; p++) {
        bool plain = (*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') ||
                     (*p >= '0' && *p <= '9') || *p == '-' || *p == '_';
        if (plain) {
            rc = sm_buf_putc(b, (char)*p);
        } else {
            char esc[3] = { '%', hex[*p >> 4], hex[*p & 15] };
            rc = sm_buf_append(b, esc, 3);
        }
    }
    return rc;
}

/* Decodes one '.'-separated field of the cookie at *p into out; false when malformed. */
static bool cookie_field(const char **p, char out[CHANNEL_MAX + 1])
{
    size_t n = 0;
    const char *s = *p;
    for (; *s != '\0' && *s != '.'; s++) {
        char c = *s;
        if (c == '%') {
            int hi = hexval(s[1]), lo = hi >= 0 ? hexval(s[2]) : -1;
            if (lo < 0)
                return false;
            c = (char)(hi * 16 + lo);
            s += 2;
        }
        if (c == '\0' || n == CHANNEL_MAX)
            return false;
        out[n++] = c;
    }
    out[n] = '\0';
    *p = *s == '.' ? s + 1 : s;
    return sm_utf8_valid(out, n, NULL);
}

/* Reads the sm_src cookie ("1.<source>.<medium>.<campaign>.<referrer kind>"). */
static bool channel_of_cookie(const struct web_request *req, struct channel *ch)
{
    const char *v = web_cookie_get(req, COOKIE_SRC);
    if (v == NULL || strncmp(v, "1.", 2) != 0)
        return false;
    const char *p = v + 2;
    char kind[CHANNEL_MAX + 1];
    if (!cookie_field(&p, ch->source) || !cookie_field(&p, ch->medium) ||
        !cookie_field(&p, ch->campaign) || !cookie_field(&p, kind) || *p != '\0')
        return false;
    return sm_referrer_kind_parse(kind, &ch->referrer) == SM_OK;
}

void svc_note_channel(struct web_request *req)
{
    if (web_cookie_get(req, COOKIE_SRC) != NULL)
        return; /* the first touch is kept */
    struct channel ch;
    channel_of_request(req, &ch);
    if (ch.referrer == SM_REF_INTERNAL)
        ch.referrer = SM_REF_DIRECT; /* a page of this site is not where anyone came from */
    if (!channel_any(&ch))
        return;
    struct sm_buf b;
    sm_buf_init(&b, 2048);
    int rc = sm_buf_puts(&b, "1.");
    if (rc == SM_OK)
        rc = cookie_put(&b, ch.source);
    if (rc == SM_OK)
        rc = sm_buf_putc(&b, '.');
    if (rc == SM_OK)
        rc = cookie_put(&b, ch.medium);
    if (rc == SM_OK)
        rc = sm_buf_putc(&b, '.');
    if (rc == SM_OK)
        rc = cookie_put(&b, ch.campaign);
    if (rc == SM_OK)
        rc = sm_buf_printf(&b, ".%s", sm_referrer_kind_name(ch.referrer));
    if (rc == SM_OK)
        web_cookie_set(req, COOKIE_SRC, b.data, CHANNEL_COOKIE_AGE, WEB_COOKIE_HTTPONLY);
    sm_buf_release(&b);
}

/* The channel to put in the form: the remembered first touch, else this request's. */
static void channel_for_form(struct web_request *req, struct channel *ch)
{
    if (channel_of_cookie(req, ch))
        return;
    channel_of_request(req, ch);
    if (ch->referrer == SM_REF_INTERNAL && ch->source[0] == '\0')
        ch->referrer = SM_REF_DIRECT;
}

/* The channel a submitted form carries, else the cookie's, else direct. */
static void channel_of_form(const struct web_request *req, const struct web_params *form,
                            struct channel *ch)
{
    memset(ch, 0, sizeof(*ch));
    const char *ref = web_params_get(form, "ref");
    if (ref == NULL) {
        if (!channel_of_cookie(req, ch))
            memset(ch, 0, sizeof(*ch));
        return;
    }
    channel_copy(ch->source, web_params_get(form, "utm_source"));
    channel_copy(ch->medium, web_params_get(form, "utm_medium"));
    channel_copy(ch->campaign, web_params_get(form, "utm_campaign"));
    if (sm_referrer_kind_parse(ref, &ch->referrer) != SM_OK)
        ch->referrer = SM_REF_DIRECT;
}

/* --- The form ------------------------------------------------------------------------- */

static bool token_shaped(const char *t)
{
    return t != NULL && strlen(t) == SM_TOKEN_SIZE - 1;
}

/* The fields of the form, with the limits the registry applies (sm_inquiry_submit). */
static const struct {
    const char *name;
    size_t max;
    bool required;
} fields[] = {
    { "name", 200, true },  { "company", 200, true },   { "email", 254, true },
    { "phone", 50, false }, { "prefecture", 2, false }, { "message", SM_SERVICE_TEXT_MAX, true },
};

#define N_FIELDS (sizeof fields / sizeof fields[0])

int svc_inquiry_form(struct web_request *req, int64_t service_id, const struct web_params *values,
                     json_t *errors, json_t **out)
{
    const char *csrf = web_cookie_get(req, WEB_COOKIE_CSRF);
    char fresh[SM_TOKEN_SIZE];
    if (!token_shaped(csrf)) {
        sm_token_new(fresh);
        int rc = web_cookie_set(req, WEB_COOKIE_CSRF, fresh, -1,
                                WEB_COOKIE_HTTPONLY | WEB_COOKIE_STRICT);
        if (rc != SM_OK)
            return rc;
        csrf = fresh;
    }
    struct channel ch;
    if (values != NULL)
        channel_of_form(req, values, &ch);
    else
        channel_for_form(req, &ch);
    json_t *form =
        json_pack("{s:s,s:I,s:s,s:s,s:s,s:s}", "csrf", csrf, "service_id", (json_int_t)service_id,
                  "utm_source", ch.source, "utm_medium", ch.medium, "utm_campaign", ch.campaign,
                  "ref", sm_referrer_kind_name(ch.referrer));
    json_t *prefs = json_array();
    int bad = form == NULL || json_object_set_new(form, "prefectures", prefs) != 0;
    const char *chosen = values != NULL ? web_params_get(values, "prefecture") : NULL;
    const struct sm_geo *geo = req->app->geo;
    for (size_t i = 0; !bad && i < geo->n_prefectures; i++) {
        const struct sm_prefecture *p = &geo->prefectures[i];
        json_t *o = json_pack("{s:s,s:s,s:b}", "code", p->code, "name",
                              req->lang == SM_LANG_JA ? p->name_ja : p->name_en, "selected",
                              chosen != NULL && strcmp(chosen, p->code) == 0);
        bad = o == NULL || json_array_append_new(prefs, o) != 0;
    }
    for (size_t i = 0; !bad && values != NULL && i < N_FIELDS; i++) {
        const char *v = web_params_get(values, fields[i].name);
        char name[32];
        snprintf(name, sizeof name, "v_%s", fields[i].name);
        if (v != NULL && v[0] != '\0')
            bad = json_object_set_new(form, name, json_string(v)) != 0;
    }
    size_t n_errors = json_array_size(errors);
    for (size_t i = 0; !bad && i < n_errors; i++) {
        json_t *e = json_array_get(errors, i);
        const char *field = json_string_value(json_object_get(e, "field"));
        char name[32];
        snprintf(name, sizeof name, "e_%s", field != NULL ? field : "form");
        bad = json_object_set(form, name, json_object_get(e, "message")) != 0;
    }
    if (!bad && n_errors > 0)
        bad = json_object_set(form, "errors", errors) != 0 ||
              json_object_set_new(form, "has_errors", json_true()) != 0;
    if (bad) {
        json_decref(form);
        return SM_ENOMEM;
    }
    *out = form;
    return SM_OK;
}

static int add_error(const struct web_request *req, json_t *errors, const char *field,
                     const char *key)
{
    json_t *e = json_pack("{s:s,s:s}", "field", field, "message", web_text(req, key));
    return e != NULL && json_array_append_new(errors, e) == 0 ? SM_OK : SM_ENOMEM;
}

/* True when email looks like an address, by the registry's rule. */
static bool email_shaped(const char *email)
{
    const char *at = strchr(email, '@');
    return at != NULL && at != email && at[1] != '\0' && strchr(at + 1, '@') == NULL &&
           strchr(at + 1, '.') != NULL && strpbrk(email, " \t\r\n,;<>\"()") == NULL;
}

static bool phone_shaped(const char *phone)
{
    for (const char *p = phone; *p != '\0'; p++) {
        bool ok = (*p >= '0' && *p <= '9') || *p == '+' || *p == '-' || *p == ' ' || *p == '(' ||
                  *p == ')';
        if (!ok)
            return false;
    }
    return true;
}

/* Checks the submitted fields one by one, so that every mistake gets its own message next
 * to its field (the registry stops at the first). */
static int check_fields(const struct web_request *req, const struct web_params *form,
                        json_t *errors)
{
    int rc = SM_OK;
    for (size_t i = 0; rc == SM_OK && i < N_FIELDS; i++) {
        const char *v = web_params_get(form, fields[i].name);
        const char *f = fields[i].name;
        char key[64];
        if (v == NULL || v[0] == '\0') {
            if (fields[i].required) {
                snprintf(key, sizeof key, "svc.inq.err.%s_required", f);
                rc = add_error(req, errors, f, key);
            }
            continue;
        }
        if (strlen(v) > fields[i].max && strcmp(f, "prefecture") != 0) {
            snprintf(key, sizeof key, "svc.inq.err.%s_long", f);
            rc = add_error(req, errors, f, key);
        } else if (strcmp(f, "email") == 0 && !email_shaped(v)) {
            rc = add_error(req, errors, f, "svc.inq.err.email_invalid");
        } else if (strcmp(f, "phone") == 0 && !phone_shaped(v)) {
            rc = add_error(req, errors, f, "svc.inq.err.phone_invalid");
        } else if (strcmp(f, "prefecture") == 0 && !sm_pref_code_valid(v)) {
            rc = add_error(req, errors, f, "svc.inq.err.prefecture_invalid");
        }
    }
    return rc;
}

/* The service as the public sees it, or a 404 answered. */
static int listed_service(struct web_request *req, int64_t id, struct sm_registry_service **out)
{
    char today[SM_DATE_SIZE];
    sm_date_today(today);
    struct sm_diag diag;
    sm_diag_clear(&diag);
    int rc = sm_registry_service_public(web_store(req), id, today, out, &diag);
    if (rc == SM_ENOTFOUND)
        return web_fail(req, 404, "svc.page.not_found", NULL);
    if (rc != SM_OK)
        return web_fail_err(req, rc, &diag);
    return SM_OK;
}

int svc_route_inquiry_form(struct web_request *req, int64_t service_id)
{
    svc_note_channel(req);
    struct sm_registry_service *svc = NULL;
    int rc = listed_service(req, service_id, &svc);
    if (rc != SM_OK)
        return rc;
    json_t *form = NULL;
    rc = svc_inquiry_form(req, service_id, NULL, NULL, &form);
    if (rc == SM_OK)
        rc = svc_render_service(req, 200, svc, form, "inquiry_form.html");
    json_decref(form);
    sm_registry_service_free(svc);
    return rc;
}

/* Answers the form again with status, the values sent and the messages. */
static int form_again(struct web_request *req, int status, const struct sm_registry_service *svc,
                      const struct web_params *values, json_t *errors)
{
    json_t *form = NULL;
    int rc = svc_inquiry_form(req, svc->id, values, errors, &form);
    if (rc == SM_OK)
        rc = svc_render_service(req, status, svc, form, "inquiry_form.html");
    json_decref(form);
    return rc;
}

/* Answers 405 for a POST to a page that only shows something. */
static int post_not_allowed(struct web_request *req)
{
    int rc = web_header_add(req, "Allow", "GET, HEAD");
    if (rc != SM_OK)
        return rc;
    return web_fail(req, 405, NULL, NULL);
}

int route_service_inquiry(struct web_request *req)
{
    int64_t id = 0;
    const char *rest = NULL;
    if (!svc_path_id(req->path, "/services/", &id, &rest))
        return web_fail(req, 404, NULL, NULL);
    if (rest[0] == '\0' || strcmp(rest, "/inquiry/sent") == 0)
        return post_not_allowed(req);
    if (strcmp(rest, "/inquiry") != 0)
        return web_fail(req, 404, NULL, NULL);

    struct sm_diag diag;
    sm_diag_clear(&diag);
    struct web_params form;
    int rc = web_form(req, &form, &diag);
    if (rc != SM_OK)
        return web_fail_err(req, rc, &diag);
    const char *cookie = web_cookie_get(req, WEB_COOKIE_CSRF);
    if (!token_shaped(cookie) || !sm_token_equal(cookie, web_params_get(&form, "csrf")))
        return web_fail(req, 403, "error.csrf", "the csrf field does not match the cookie");

    struct sm_registry_service *svc = NULL;
    rc = listed_service(req, id, &svc);
    if (rc != SM_OK)
        return rc;
    json_t *errors = json_array();
    if (errors == NULL) {
        sm_registry_service_free(svc);
        return SM_ENOMEM;
    }
    rc = check_fields(req, &form, errors);
    if (rc == SM_OK && json_array_size(errors) > 0) {
        rc = form_again(req, 400, svc, &form, errors);
        goto out;
    }
    int64_t retry_after = 0;
    if (rc == SM_OK && !limit_admit(req->client, id, req->now, &retry_after)) {
        rc = web_header_addf(req, "Retry-After", "%lld", (long long)retry_after);
        if (rc == SM_OK)
            rc = add_error(req, errors, "form", "svc.inq.err.limited");
        if (rc == SM_OK)
            rc = form_again(req, 429, svc, &form, errors);
        goto out;
    }

    struct channel ch;
    channel_of_form(req, &form, &ch);
    const char *phone = web_params_get(&form, "phone");
    const char *pref = web_params_get(&form, "prefecture");
    struct sm_inquiry_in in = {
        .service_id = id,
        .name = web_params_get(&form, "name"),
        .company = web_params_get(&form, "company"),
        .email = web_params_get(&form, "email"),
        .phone = phone != NULL && phone[0] != '\0' ? phone : NULL,
        .prefecture = pref != NULL && pref[0] != '\0' ? pref : NULL,
        .message = web_params_get(&form, "message"),
        .utm_source = ch.source[0] != '\0' ? ch.source : NULL,
        .utm_medium = ch.medium[0] != '\0' ? ch.medium : NULL,
        .utm_campaign = ch.campaign[0] != '\0' ? ch.campaign : NULL,
        .referrer = ch.referrer,
    };
    char today[SM_DATE_SIZE];
    sm_date_today(today);
    if (rc == SM_OK)
        rc = sm_inquiry_submit(web_store(req), &in, today, req->now, NULL, &diag);
    if (rc == SM_EINVAL) {
        /* Something the checks above let through (they mirror the registry's): say so with
         * the registry's reason rather than lose the visitor's text. */
        json_t *e = json_pack("{s:s,s:s}", "field", "form", "message", diag.msg);
        rc = e != NULL && json_array_append_new(errors, e) == 0 ? SM_OK : SM_ENOMEM;
        if (rc == SM_OK)
            rc = form_again(req, 400, svc, &form, errors);
        goto out;
    }
    if (rc == SM_ENOTFOUND) {
        rc = web_fail(req, 404, "svc.page.not_found", NULL);
        goto out;
    }
    if (rc != SM_OK) {
        rc = web_fail_err(req, rc, &diag);
        goto out;
    }
    char location[64];
    snprintf(location, sizeof location, "/services/%lld/inquiry/sent", (long long)id);
    rc = web_redirect(req, location);
out:
    json_decref(errors);
    sm_registry_service_free(svc);
    return rc;
}

int svc_route_inquiry_sent(struct web_request *req, int64_t service_id)
{
    struct sm_registry_service *svc = NULL;
    int rc = listed_service(req, service_id, &svc);
    if (rc != SM_OK)
        return rc;
    json_t *ctx =
        json_pack("{s:s,s:{s:I,s:s,s:s}}", "stylesheet", "services.css", "svc", "id",
                  (json_int_t)svc->id, "name", svc->content.name != NULL ? svc->content.name : "",
                  "provider", svc->provider_name != NULL ? svc->provider_name : "");
    if (ctx == NULL)
        rc = SM_ENOMEM;
    if (rc == SM_OK)
        rc = svc_set_str(ctx, "title_detail", svc->content.name);
    sm_registry_service_free(svc);
    web_store_put(req);
    if (rc == SM_OK)
        rc = web_render(req, 200, "inquiry_sent.html", "svc.inq.sent_title", ctx);
    json_decref(ctx);
    return rc;
}

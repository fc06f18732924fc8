/*
 * HTTP tests of the registry's logged-in pages against the real binary on every backend:
 * the provider portal, the reviewers' pages and the operators' pages.
 *
 * Access: an anonymous visitor is sent to the login page from every page and every form;
 * roles without rights get 403; a provider cannot read or change another provider's
 * services, applications, messages, inquiries, case studies or record, by id in the URL or
 * in the form; every state change needs the session's CSRF token. "Nothing changed" is
 * checked on a snapshot of the registry read through the library.
 *
 * Workflows: apply, review and approve until the service is public with its number and
 * renewal date; an edit of a registered service stays hidden until approved; a case study
 * from draft through the provider's request for changes to publication; the operator's
 * providers, statuses, settings, reminders, channels and CSV.
 *
 * Fixtures are made with the library on the server's database (users through the CLI), on
 * today's date, since the server works on today.
 */
/* cmocka needs these first, in this order. */
/* clang-format off */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
/* clang-format on */

#include "harness.h"

#include "smesec/smesec.h"

#define PW "portal-password-1"

static const char *backend;

/* What every test starts from. */
struct fixture {
    struct srv s;
    char today[SM_DATE_SIZE];
    int64_t p1, p2;     /* providers: pia works for p1, pete for p2 */
    int64_t svc1, svc2; /* a registered service of each */
    int64_t app2;       /* an open change application of p2 (svc2) */
    int64_t case2;      /* a case study of svc2 waiting for p2 */
    int64_t msg2;       /* a message to p2 */
};

static const struct sm_actor cli = { .user_id = 0, .name = "test" };

/* A class-1 network service that meets every automatic requirement. */
static void good_content(struct sm_service_content *c, const char *name)
{
    sm_service_content_init(c);
    c->name = name;
    c->service_class = 1;
    c->monitoring = SM_MON_NETWORK;
    c->prefectures = (uint64_t)1 << 13;
    c->monthly_yen = 9000;
    c->helpdesk = SM_TRI_YES;
    c->helpdesk_channels = SM_CHANNEL_PHONE;
    c->monitoring_24h = SM_TRI_YES;
    c->onsite = SM_TRI_YES;
    c->insurance = SM_TRI_YES;
    c->insurance_initial_response = SM_TRI_YES;
}

static int64_t register_with_library(struct sm_store *st, int64_t provider, const char *name,
                                     const char *today)
{
    struct sm_registry_who staff = { .name = "staff",
                                     .role = SM_ROLE_PROVIDER,
                                     .provider_id = provider };
    struct sm_registry_who rv = { .name = "rev", .role = SM_ROLE_REVIEWER };
    struct sm_service_content c;
    good_content(&c, name);
    struct sm_diag d;
    int64_t app = 0, svc = 0;
    if (sm_registry_apply(st, &staff, SM_APP_NEW, provider, &c, today, &app, &svc, &d) != SM_OK)
        return 0;
    struct sm_registry_application *a = NULL;
    if (sm_registry_application_get(st, &rv, app, &a, &d) != SM_OK)
        return 0;
    for (size_t i = 0; i < a->n_checks; i++)
        if (a->checks[i].verdict == SM_VERDICT_JUDGEMENT)
            sm_registry_judge(st, &rv, app, a->checks[i].requirement_id, SM_VERDICT_PASS, "seen",
                              &d);
    sm_registry_application_free(a);
    if (sm_registry_decide(st, &rv, app, SM_DECIDE_APPROVE, NULL, today, &d) != SM_OK)
        return 0;
    return svc;
}

static int make_fixtures(struct fixture *f)
{
    struct sm_store *st = NULL;
    struct sm_diag d;
    if (sm_store_open(f->s.db, &st, &d) != SM_OK)
        return -1;
    struct sm_registry_who op = sm_registry_who_system("test");
    struct sm_provider p1 = { .name = "ポータル一号株式会社", .contact_email = "p1@example.com" };
    struct sm_provider p2 = { .name = "ポータル二号株式会社", .contact_email = "p2@example.com" };
    int rc = sm_registry_provider_add(st, &op, &p1, &f->p1, &d);
    if (rc == SM_OK)
        rc = sm_registry_provider_add(st, &op, &p2, &f->p2, &d);
    if (rc == SM_OK)
        rc = sm_user_set_provider(st, &cli, "pia", f->p1, &d);
    if (rc == SM_OK)
        rc = sm_user_set_provider(st, &cli, "pete", f->p2, &d);
    if (rc == SM_OK) {
        f->svc1 = register_with_library(st, f->p1, "一号の見守りサービス", f->today);
        f->svc2 = register_with_library(st, f->p2, "二号の見守りサービス", f->today);
        if (f->svc1 == 0 || f->svc2 == 0)
            rc = SM_EDB;
    }
    struct sm_registry_who staff2 = { .name = "pete",
                                      .role = SM_ROLE_PROVIDER,
                                      .provider_id = f->p2 };
    struct sm_service_content c;
    good_content(&c, "二号の見守りサービス（改訂案）");
    if (rc == SM_OK)
        rc = sm_registry_apply(st, &staff2, SM_APP_CHANGE, f->svc2, &c, f->today, &f->app2, NULL,
                               &d);
    struct sm_inquiry_in q = { .service_id = f->svc2,
                               .name = "問合 太郎",
                               .company = "二号への問い合わせ株式会社",
                               .email = "sme@example.com",
                               .message = "二号サービスについて詳しく知りたい",
                               .utm_source = "newsletter",
                               .utm_medium = "email",
                               .utm_campaign = "spring",
                               .referrer = SM_REF_GOVERNMENT };
    if (rc == SM_OK)
        rc = sm_inquiry_submit(st, &q, f->today, (int64_t)time(NULL), NULL, &d);
    struct sm_case_study_in cs = { .service_id = f->svc2,
                                   .source = SM_CASE_PROVIDER_REPORT,
                                   .title = "二号の導入事例（確認待ち）",
                                   .body = "ある町工場が二号のサービスを導入した。" };
    if (rc == SM_OK)
        rc = sm_case_study_draft(st, &op, &cs, &f->case2, &d);
    if (rc == SM_OK)
        rc = sm_case_study_act(st, &op, f->case2, SM_CASE_SEND, NULL, &d);
    struct sm_registry_message_list *ml = NULL;
    if (rc == SM_OK)
        rc = sm_registry_messages(st, &op, f->p2, &ml, &d);
    if (rc == SM_OK) {
        f->msg2 = ml->n > 0 ? ml->items[0].id : 0;
        if (f->msg2 == 0)
            rc = SM_EDB;
    }
    sm_registry_message_list_free(ml);
    if (rc != SM_OK)
        fprintf(stderr, "fixtures: %s (%s)\n", sm_strerror(rc), d.msg);
    sm_store_free(st);
    return rc == SM_OK ? 0 : -1;
}

static int setup(void **state)
{
    struct fixture *f = calloc(1, sizeof(*f));
    if (f == NULL)
        return -1;
    *state = f;
    sm_date_today(f->today);
    const char *users[][2] = { { "olga", "operator" },   { "rita", "reviewer" },
                               { "pia", "provider" },    { "pete", "provider" },
                               { "nolink", "provider" }, { "ana", "analyst" },
                               { "asa", "association" } };
    if (srv_start(&f->s, backend) != 0)
        goto fail;
    for (size_t i = 0; i < sizeof(users) / sizeof(users[0]); i++)
        if (srv_user_add(&f->s, users[i][0], users[i][1], NULL, PW) != 0)
            goto fail;
    if (make_fixtures(f) != 0)
        goto fail;
    return 0;
fail:
    srv_stop(&f->s);
    return -1;
}

static int teardown(void **state)
{
    struct fixture *f = *state;
    int status = srv_stop(&f->s);
    free(f);
    if (status != 0)
        fprintf(stderr, "the server exited with %d after SIGTERM\n", status);
    return status == 0 ? 0 : -1;
}

static void assert_contains(const char *haystack, const char *needle)
{
    if (strstr(haystack, needle) == NULL)
        fail_msg("expected to find '%s' in:\n%.4000s", needle, haystack);
}

static void assert_lacks(const char *haystack, const char *needle)
{
    if (strstr(haystack, needle) != NULL)
        fail_msg("did not expect '%s' in:\n%.4000s", needle, haystack);
}

/* --- sessions and requests ------------------------------------------------------------- */

struct who {
    char cookie[128];
    char csrf[64];
};

static void login(const struct srv *s, const char *user, struct who *w)
{
    struct res r;
    assert_int_equal(http_get(s, "/login", NULL, &r), 0);
    char *csrf = set_cookie_value(&r, "sm_csrf");
    assert_non_null(csrf);
    res_free(&r);
    char cookie[128], form[256];
    snprintf(cookie, sizeof(cookie), "sm_csrf=%s", csrf);
    snprintf(form, sizeof(form), "csrf=%s&username=%s&password=%s", csrf, user, PW);
    free(csrf);
    assert_int_equal(http_post_form(s, "/login", cookie, form, &r), 0);
    assert_int_equal(r.status, 303);
    char *token = set_cookie_value(&r, "sm_session");
    assert_non_null(token);
    snprintf(w->cookie, sizeof(w->cookie), "sm_session=%s", token);
    free(token);
    res_free(&r);
    /* Every role's dashboard has the logout form with the session's token. */
    assert_int_equal(http_get(s, "/admin", w->cookie, &r), 0);
    assert_int_equal(r.status, 200);
    char *c = input_value(r.body, "csrf");
    assert_non_null(c);
    snprintf(w->csrf, sizeof(w->csrf), "%s", c);
    free(c);
    res_free(&r);
}

/* Percent-encodes s for a form value (malloc'd). */
static char *enc(const char *s)
{
    static const char hex[] = "0123456789ABCDEF";
    size_t n = strlen(s);
    char *d = malloc(3 * n + 1);
    size_t j = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
            c == '-' || c == '.' || c == '_' || c == '~') {
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

/* Posts form with the session's token in front (w->csrf; none when csrf is NULL). */
static void post(const struct srv *s, const struct who *w, const char *csrf, const char *path,
                 const char *form, struct res *r)
{
    size_t n = strlen(form) + 128;
    char *body = malloc(n);
    if (csrf != NULL)
        snprintf(body, n, "csrf=%s&%s", csrf, form);
    else
        snprintf(body, n, "%s", form);
    assert_int_equal(http_post_form(s, path, w != NULL ? w->cookie : NULL, body, r), 0);
    free(body);
}

/* GETs path and returns the status (the body is freed). */
static long get_status(const struct srv *s, const struct who *w, const char *path)
{
    struct res r;
    assert_int_equal(http_get(s, path, w != NULL ? w->cookie : NULL, &r), 0);
    long status = r.status;
    res_free(&r);
    return status;
}

/* The number after "id=" in the Location of a redirect. */
static int64_t location_id(const struct res *r)
{
    char *loc = header(r, "Location");
    if (loc == NULL)
        fail_msg("no Location in a %ld answer:\n%.2000s", r->status, r->body);
    const char *p = strstr(loc, "id=");
    assert_non_null(p);
    int64_t id = strtoll(p + 3, NULL, 10);
    free(loc);
    return id;
}

static struct sm_store *open_store(const struct fixture *f)
{
    struct sm_store *st = NULL;
    struct sm_diag d;
    assert_int_equal(sm_store_open(f->s.db, &st, &d), SM_OK);
    return st;
}

/* The registry's state as text, to prove a refused request changed nothing. */
static char *snapshot(const struct fixture *f)
{
    struct sm_store *st = open_store(f);
    struct sm_registry_who op = sm_registry_who_system("test");
    struct sm_diag d;
    size_t cap = 1 << 16, len = 0;
    char *out = malloc(cap);
    out[0] = '\0';
#define PUT(...) len += (size_t)snprintf(out + len, cap - len, __VA_ARGS__)
    struct sm_registry_service_list *sl = NULL;
    assert_int_equal(sm_registry_services(st, &op, 0, f->today, &sl, &d), SM_OK);
    for (size_t i = 0; i < sl->n; i++)
        PUT("s%lld:%s:%s;", (long long)sl->items[i].id, sm_svc_status_name(sl->items[i].status),
            sl->items[i].name);
    sm_registry_service_list_free(sl);
    struct sm_registry_application_list *al = NULL;
    assert_int_equal(sm_registry_applications(st, &op, 0, false, &al, &d), SM_OK);
    for (size_t i = 0; i < al->n; i++)
        PUT("a%lld:%s;", (long long)al->items[i].id, sm_app_state_name(al->items[i].state));
    sm_registry_application_list_free(al);
    struct sm_case_study_list *cl = NULL;
    assert_int_equal(sm_case_studies(st, &op, 0, &cl, &d), SM_OK);
    for (size_t i = 0; i < cl->n; i++)
        PUT("c%lld:%s:%s;", (long long)cl->items[i].id, sm_case_state_name(cl->items[i].state),
            cl->items[i].title);
    sm_case_study_list_free(cl);
    struct sm_provider_list *pl = NULL;
    assert_int_equal(sm_registry_providers(st, 0, &pl, &d), SM_OK);
    for (size_t i = 0; i < pl->n; i++)
        PUT("p%lld:%s:%s:%s;", (long long)pl->items[i].id, pl->items[i].name,
            pl->items[i].contact_email ? pl->items[i].contact_email : "",
            pl->items[i].contact_phone ? pl->items[i].contact_phone : "");
    sm_provider_list_free(pl);
    struct sm_registry_message_list *ml = NULL;
    assert_int_equal(sm_registry_messages(st, &op, f->p2, &ml, &d), SM_OK);
    for (size_t i = 0; i < ml->n; i++)
        PUT("m%lld:%d;", (long long)ml->items[i].id, ml->items[i].read_at != 0);
    sm_registry_message_list_free(ml);
    struct sm_outbox_list *ob = NULL;
    assert_int_equal(sm_outbox_recent(st, &op, 1000, &ob, &d), SM_OK);
    PUT("outbox:%zu;", ob->n);
    sm_outbox_list_free(ob);
    int months = 0;
    assert_int_equal(sm_registry_renewal_months(st, &months, &d), SM_OK);
    PUT("months:%d;", months);
    struct sm_user *u = NULL;
    assert_int_equal(sm_user_get(st, "nolink", &u, &d), SM_OK);
    PUT("nolink:%lld;", (long long)u->provider_id);
    sm_user_free(u);
#undef PUT
    sm_store_free(st);
    return out;
}

/* --- the routes ------------------------------------------------------------------------- */

enum area {
    PORTAL,
    REVIEW,
    OPERATOR
};

struct route {
    const char *path;
    enum area area;
};

static const struct route gets[] = {
    { "/portal", PORTAL },
    { "/portal/service?id=1", PORTAL },
    { "/portal/service/edit", PORTAL },
    { "/portal/application?id=1", PORTAL },
    { "/portal/messages", PORTAL },
    { "/portal/inquiries", PORTAL },
    { "/portal/cases", PORTAL },
    { "/portal/profile", PORTAL },
    { "/review", REVIEW },
    { "/review/application?id=1", REVIEW },
    { "/review/schedule", REVIEW },
    { "/operator", OPERATOR },
    { "/operator/providers", OPERATOR },
    { "/operator/provider?id=1", OPERATOR },
    { "/operator/services", OPERATOR },
    { "/operator/service?id=1", OPERATOR },
    { "/operator/cases", OPERATOR },
    { "/operator/case?id=1", OPERATOR },
    { "/operator/inquiries", OPERATOR },
    { "/operator/outbox", OPERATOR },
    { "/operator/export.csv", OPERATOR },
    { "/operator/import", OPERATOR },
};

/* The forms, for fixture f: every one would change the registry if accepted. */
static void post_form(const struct fixture *f, size_t i, const char **path, enum area *area,
                      char *form, size_t n)
{
    switch (i) {
    case 0:
        *path = "/portal/service/edit", *area = PORTAL;
        snprintf(form, n,
                 "action=submit&name=x&service_class=1&monitoring=network&pref=13"
                 "&monthly_yen=9000");
        return;
    case 1:
        *path = "/portal/service/renew", *area = PORTAL;
        snprintf(form, n, "id=%lld", (long long)f->svc2);
        return;
    case 2:
        *path = "/portal/application/withdraw", *area = PORTAL;
        snprintf(form, n, "id=%lld", (long long)f->app2);
        return;
    case 3:
        *path = "/portal/messages/read", *area = PORTAL;
        snprintf(form, n, "id=%lld", (long long)f->msg2);
        return;
    case 4:
        *path = "/portal/cases/act", *area = PORTAL;
        snprintf(form, n, "id=%lld&action=confirm", (long long)f->case2);
        return;
    case 5:
        *path = "/portal/profile", *area = PORTAL;
        snprintf(form, n, "id=%lld&contact_phone=000-0000-0000", (long long)f->p2);
        return;
    case 6:
        *path = "/review/judge", *area = REVIEW;
        snprintf(form, n, "id=%lld&requirement=ease-of-use&verdict=fail&note=no",
                 (long long)f->app2);
        return;
    case 7:
        *path = "/review/decide", *area = REVIEW;
        snprintf(form, n, "id=%lld&decision=reject&comment=no", (long long)f->app2);
        return;
    case 8:
        *path = "/operator/settings", *area = OPERATOR;
        snprintf(form, n, "renewal_months=12");
        return;
    case 9:
        *path = "/operator/remind", *area = OPERATOR;
        snprintf(form, n, "go=1");
        return;
    case 10:
        *path = "/operator/providers/add", *area = OPERATOR;
        snprintf(form, n, "name=intruder");
        return;
    case 11:
        *path = "/operator/provider", *area = OPERATOR;
        snprintf(form, n, "id=%lld&name=renamed", (long long)f->p2);
        return;
    case 12:
        *path = "/operator/provider/link", *area = OPERATOR;
        snprintf(form, n, "id=%lld&username=nolink&action=link", (long long)f->p2);
        return;
    case 13:
        *path = "/operator/service/status", *area = OPERATOR;
        snprintf(form, n, "id=%lld&action=suspend&reason=x", (long long)f->svc2);
        return;
    case 14:
        *path = "/operator/cases/draft", *area = OPERATOR;
        snprintf(form, n, "service_id=%lld&source=other&title=t&body=b", (long long)f->svc1);
        return;
    case 15:
        *path = "/operator/case", *area = OPERATOR;
        snprintf(form, n, "id=%lld&service_id=%lld&source=other&title=t&body=b",
                 (long long)f->case2, (long long)f->svc2);
        return;
    case 16:
        *path = "/operator/case/act", *area = OPERATOR;
        snprintf(form, n, "id=%lld&action=publish", (long long)f->case2);
        return;
    }
    *path = NULL;
}

#define N_POSTS 17

static bool area_admits(enum area a, const char *role)
{
    switch (a) {
    case PORTAL:
        return strcmp(role, "provider") == 0;
    case REVIEW:
        return strcmp(role, "reviewer") == 0 || strcmp(role, "operator") == 0;
    case OPERATOR:
        return strcmp(role, "operator") == 0;
    }
    return false;
}

/* --- access ------------------------------------------------------------------------------ */

static void anonymous_goes_to_login(void **state)
{
    struct fixture *f = *state;
    char *before = snapshot(f);
    struct res r;
    for (size_t i = 0; i < sizeof(gets) / sizeof(gets[0]); i++) {
        assert_int_equal(http_get(&f->s, gets[i].path, NULL, &r), 0);
        if (r.status != 303)
            fail_msg("GET %s without a session: %ld", gets[i].path, r.status);
        char *loc = header(&r, "Location");
        assert_non_null(loc);
        if (strncmp(loc, "/login?next=", 12) != 0)
            fail_msg("GET %s went to %s", gets[i].path, loc);
        free(loc);
        res_free(&r);
    }
    /* The way back keeps the query. */
    assert_int_equal(http_get(&f->s, "/portal/service?id=7", NULL, &r), 0);
    char *loc = header(&r, "Location");
    assert_string_equal(loc, "/login?next=/portal/service%3Fid%3D7");
    free(loc);
    res_free(&r);
    char form[512];
    for (size_t i = 0; i < N_POSTS; i++) {
        const char *path;
        enum area area;
        post_form(f, i, &path, &area, form, sizeof(form));
        post(&f->s, NULL, "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", path, form, &r);
        if (r.status != 303)
            fail_msg("POST %s without a session: %ld", path, r.status);
        char *l = header(&r, "Location");
        assert_non_null(l);
        assert_true(strncmp(l, "/login", 6) == 0);
        free(l);
        res_free(&r);
    }
    char *after = snapshot(f);
    assert_string_equal(before, after);
    free(before);
    free(after);
}

static void roles_without_rights_get_403(void **state)
{
    struct fixture *f = *state;
    const char *users[][2] = { { "ana", "analyst" },
                               { "asa", "association" },
                               { "rita", "reviewer" },
                               { "pia", "provider" },
                               { "olga", "operator" } };
    char *before = snapshot(f);
    char form[512];
    for (size_t u = 0; u < sizeof(users) / sizeof(users[0]); u++) {
        struct who w;
        login(&f->s, users[u][0], &w);
        for (size_t i = 0; i < sizeof(gets) / sizeof(gets[0]); i++) {
            if (area_admits(gets[i].area, users[u][1]))
                continue;
            long st = get_status(&f->s, &w, gets[i].path);
            if (st != 403)
                fail_msg("%s GET %s: %ld, not 403", users[u][0], gets[i].path, st);
        }
        for (size_t i = 0; i < N_POSTS; i++) {
            const char *path;
            enum area area;
            post_form(f, i, &path, &area, form, sizeof(form));
            if (area_admits(area, users[u][1]))
                continue;
            struct res r;
            post(&f->s, &w, w.csrf, path, form, &r);
            if (r.status != 403)
                fail_msg("%s POST %s: %ld, not 403", users[u][0], path, r.status);
            res_free(&r);
        }
    }
    /* A provider user not linked to a provider has no portal (but a dashboard saying so). */
    struct who nl;
    login(&f->s, "nolink", &nl);
    assert_int_equal(get_status(&f->s, &nl, "/portal"), 403);
    assert_int_equal(get_status(&f->s, &nl, "/portal/profile"), 403);
    char *after = snapshot(f);
    assert_string_equal(before, after);
    free(before);
    free(after);
}

static void state_changes_need_the_csrf_token(void **state)
{
    struct fixture *f = *state;
    struct who op, rv, p2;
    login(&f->s, "olga", &op);
    login(&f->s, "rita", &rv);
    login(&f->s, "pete", &p2);
    char *before = snapshot(f);
    char form[512];
    const char *bad = "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA";
    for (size_t i = 0; i < N_POSTS; i++) {
        const char *path;
        enum area area;
        post_form(f, i, &path, &area, form, sizeof(form));
        const struct who *w = area == PORTAL ? &p2 : area == REVIEW ? &rv : &op;
        struct res r;
        post(&f->s, w, NULL, path, form, &r);
        if (r.status != 403)
            fail_msg("POST %s without a token: %ld", path, r.status);
        res_free(&r);
        post(&f->s, w, bad, path, form, &r);
        if (r.status != 403)
            fail_msg("POST %s with a wrong token: %ld", path, r.status);
        res_free(&r);
        /* Another user's token is as wrong as any. */
        post(&f->s, w, w == &op ? rv.csrf : op.csrf, path, form, &r);
        if (r.status != 403)
            fail_msg("POST %s with another session's token: %ld", path, r.status);
        res_free(&r);
    }
    /* The upload: multipart without the token, or with a wrong one. */
    const char *csv = "not,a,registry\r\n";
    for (int k = 0; k < 2; k++) {
        char body[1024];
        int n = snprintf(body, sizeof(body),
                         "%s--XyZ\r\nContent-Disposition: form-data; name=\"file\";"
                         " filename=\"r.csv\"\r\nContent-Type: text/csv\r\n\r\n%s\r\n--XyZ--\r\n",
                         k == 0 ? ""
                                : "--XyZ\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\n"
                                  "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\r\n",
                         csv);
        struct res r;
        assert_int_equal(http_full(&f->s, "POST", "/operator/import", op.cookie,
                                   "multipart/form-data; boundary=XyZ", body, (size_t)n, NULL, &r),
                         0);
        assert_int_equal(r.status, 403);
        res_free(&r);
    }
    char *after = snapshot(f);
    assert_string_equal(before, after);
    free(before);
    free(after);
}

static void a_provider_reaches_only_its_own(void **state)
{
    struct fixture *f = *state;
    struct who pia;
    login(&f->s, "pia", &pia);
    char *before = snapshot(f);
    char path[128], form[512];
    struct res r;

    /* Its own pages list only its own. */
    assert_int_equal(http_get(&f->s, "/portal", pia.cookie, &r), 0);
    assert_int_equal(r.status, 200);
    assert_contains(r.body, "一号の見守りサービス");
    assert_lacks(r.body, "二号");
    res_free(&r);
    assert_int_equal(http_get(&f->s, "/portal/inquiries", pia.cookie, &r), 0);
    assert_int_equal(r.status, 200);
    assert_lacks(r.body, "二号への問い合わせ株式会社");
    assert_lacks(r.body, "sme@example.com");
    res_free(&r);
    assert_int_equal(http_get(&f->s, "/portal/cases", pia.cookie, &r), 0);
    assert_int_equal(r.status, 200);
    assert_lacks(r.body, "二号の導入事例");
    res_free(&r);
    assert_int_equal(http_get(&f->s, "/portal/messages", pia.cookie, &r), 0);
    assert_contains(r.body, "data-kind=\"application_approve\"");
    assert_lacks(r.body, "data-kind=\"case_study_sent\"");
    res_free(&r);
    assert_int_equal(http_get(&f->s, "/portal/profile", pia.cookie, &r), 0);
    assert_contains(r.body, "ポータル一号株式会社");
    assert_lacks(r.body, "ポータル二号株式会社");
    res_free(&r);

    /* Another provider's things by id in the URL. */
    snprintf(path, sizeof(path), "/portal/service?id=%lld", (long long)f->svc2);
    assert_int_equal(http_get(&f->s, path, pia.cookie, &r), 0);
    assert_int_equal(r.status, 403);
    assert_lacks(r.body, "二号の見守りサービス");
    res_free(&r);
    snprintf(path, sizeof(path), "/portal/service/edit?id=%lld", (long long)f->svc2);
    assert_int_equal(get_status(&f->s, &pia, path), 403);
    snprintf(path, sizeof(path), "/portal/application?id=%lld", (long long)f->app2);
    assert_int_equal(http_get(&f->s, path, pia.cookie, &r), 0);
    assert_int_equal(r.status, 403);
    assert_lacks(r.body, "改訂案");
    res_free(&r);

    /* ... and in the forms. */
    snprintf(form, sizeof(form),
             "id=%lld&action=submit&name=hijack&service_class=1&monitoring=network&pref=13",
             (long long)f->svc2);
    post(&f->s, &pia, pia.csrf, "/portal/service/edit", form, &r);
    assert_int_equal(r.status, 403);
    res_free(&r);
    for (size_t i = 1; i <= 5; i++) {
        const char *p;
        enum area area;
        post_form(f, i, &p, &area, form, sizeof(form));
        post(&f->s, &pia, pia.csrf, p, form, &r);
        if (r.status != 403)
            fail_msg("pia POST %s %s: %ld, not 403", p, form, r.status);
        res_free(&r);
    }
    snprintf(form, sizeof(form), "id=%lld&action=request_changes&comment=no", (long long)f->case2);
    post(&f->s, &pia, pia.csrf, "/portal/cases/act", form, &r);
    assert_int_equal(r.status, 403);
    res_free(&r);
    char *after = snapshot(f);
    assert_string_equal(before, after);
    free(before);
    free(after);

    /* The owner may do what the intruder could not. */
    struct who pete;
    login(&f->s, "pete", &pete);
    snprintf(form, sizeof(form), "id=%lld", (long long)f->msg2);
    post(&f->s, &pete, pete.csrf, "/portal/messages/read", form, &r);
    assert_int_equal(r.status, 303);
    res_free(&r);
    snprintf(form, sizeof(form), "id=%lld&contact_phone=011-000-0000", (long long)f->p2);
    post(&f->s, &pete, pete.csrf, "/portal/profile", form, &r);
    assert_int_equal(r.status, 303);
    res_free(&r);
    assert_int_equal(http_get(&f->s, "/portal/inquiries", pete.cookie, &r), 0);
    assert_contains(r.body, "二号への問い合わせ株式会社");
    res_free(&r);
    char *later = snapshot(f);
    assert_contains(later, "011-000-0000");
    free(later);
}

/* --- workflows -------------------------------------------------------------------------- */

/* The content form of a good class-1 network service named name (encoded here). */
static void good_form(char *out, size_t n, const char *name)
{
    char *e = enc(name);
    snprintf(out, n,
             "name=%s&summary=%s&service_class=1&monitoring=network&pref=13&pref=14"
             "&monthly_yen=9%%2C000&initial_yen=&helpdesk=yes&helpdesk_hours=%s&channel=phone"
             "&channel=email&monitoring_24h=yes&onsite=yes&remote_support=yes&insurance=yes"
             "&insurance_initial_response=yes&contract_min_months=12&dev_rows=2&d0_kind=utm"
             "&d0_maker=ACME&d0_product=UTM-1&d0_effect=effective&d0_reason=%s&d1_kind="
             "&d1_maker=&d1_product=",
             e, "%E3%81%8B%E3%82%93%E3%81%9F%E3%82%93", "%E5%B9%B3%E6%97%A5",
             "%E6%A4%9C%E7%9F%A5%E3%81%A8%E9%81%AE%E6%96%AD");
    free(e);
}

/* Judges every requirement the application page offers a form for a pass, as rita. */
static void judge_all_pass(const struct fixture *f, const struct who *rv, int64_t app)
{
    char path[128], form[256];
    snprintf(path, sizeof(path), "/review/application?id=%lld", (long long)app);
    struct res r;
    assert_int_equal(http_get(&f->s, path, rv->cookie, &r), 0);
    assert_int_equal(r.status, 200);
    char *page = strdup(r.body);
    res_free(&r);
    const char *pat = "name=\"requirement\" value=\"";
    int judged = 0;
    for (const char *p = strstr(page, pat); p != NULL; p = strstr(p + 1, pat)) {
        char req[64];
        snprintf(req, sizeof(req), "%.*s", (int)strcspn(p + strlen(pat), "\""), p + strlen(pat));
        snprintf(form, sizeof(form), "id=%lld&requirement=%s&verdict=pass&note=ok", (long long)app,
                 req);
        post(&f->s, rv, rv->csrf, "/review/judge", form, &r);
        if (r.status != 303)
            fail_msg("judge %s: %ld\n%.2000s", req, r.status, r.body);
        res_free(&r);
        judged++;
    }
    assert_true(judged > 0);
    free(page);
}

static void apply_review_approve_makes_it_public(void **state)
{
    struct fixture *f = *state;
    struct who pia, rita;
    login(&f->s, "pia", &pia);
    login(&f->s, "rita", &rita);
    struct res r;
    char form[4096];

    /* The empty form, with prefectures by region and the device catalog's rows. */
    assert_int_equal(http_get(&f->s, "/portal/service/edit", pia.cookie, &r), 0);
    assert_int_equal(r.status, 200);
    assert_contains(r.body, "action=\"/portal/service/edit\"");
    assert_contains(r.body, "name=\"nationwide\"");
    assert_int_equal(count_of(r.body, "name=\"pref\""), 47);
    assert_contains(r.body, "name=\"d0_effect\"");
    assert_contains(r.body, "name=\"insurance_user_pays\"");
    res_free(&r);

    /* A mistyped price comes back with the form and an error; nothing is applied. */
    char *before = snapshot(f);
    good_form(form, sizeof(form), "新規申請サービス");
    char bad[4200];
    snprintf(bad, sizeof(bad), "%s&action=submit&device_monthly_yen=abc", form);
    post(&f->s, &pia, pia.csrf, "/portal/service/edit", bad, &r);
    assert_int_equal(r.status, 400);
    assert_contains(r.body, "role=\"alert\"");
    assert_contains(r.body, "value=\"abc\"");
    res_free(&r);
    char *after = snapshot(f);
    assert_string_equal(before, after);
    free(after);

    /* Checking shows the live report, requirement by requirement; nothing is stored. */
    char check[4200];
    snprintf(check, sizeof(check), "%s&action=check", form);
    post(&f->s, &pia, pia.csrf, "/portal/service/edit", check, &r);
    assert_int_equal(r.status, 200);
    assert_contains(r.body, "data-requirement=\"helpdesk\" data-verdict=\"pass\"");
    assert_contains(r.body, "data-requirement=\"price-class1\" data-verdict=\"pass\"");
    assert_contains(r.body, "data-verdict=\"judgement\"");
    assert_lacks(r.body, "data-verdict=\"fail\"");
    assert_contains(r.body, "value=\"新規申請サービス\"");
    res_free(&r);
    /* Without on-site dispatch the report says why it fails. */
    snprintf(check, sizeof(check), "%s&action=check", form);
    char *onsite = strstr(check, "onsite=yes");
    memcpy(onsite, "onsite=no&", 10);
    post(&f->s, &pia, pia.csrf, "/portal/service/edit", check, &r);
    assert_int_equal(r.status, 200);
    assert_contains(r.body, "data-requirement=\"onsite-response\" data-verdict=\"fail\"");
    res_free(&r);
    after = snapshot(f);
    assert_string_equal(before, after);
    free(after);
    free(before);

    /* Submitting creates the application. */
    char submit[4200];
    snprintf(submit, sizeof(submit), "%s&action=submit", form);
    post(&f->s, &pia, pia.csrf, "/portal/service/edit", submit, &r);
    assert_int_equal(r.status, 303);
    int64_t app = location_id(&r);
    res_free(&r);
    char path[128];
    snprintf(path, sizeof(path), "/portal/application?id=%lld&done=submitted", (long long)app);
    assert_int_equal(http_get(&f->s, path, pia.cookie, &r), 0);
    assert_int_equal(r.status, 200);
    assert_contains(r.body, "role=\"status\"");
    assert_contains(r.body, "state-submitted");
    assert_contains(r.body, "ACME");
    res_free(&r);

    /* The reviewer's queue has it; approval before the judgements is refused. */
    assert_int_equal(http_get(&f->s, "/review", rita.cookie, &r), 0);
    snprintf(path, sizeof(path), "/review/application?id=%lld", (long long)app);
    assert_contains(r.body, path);
    res_free(&r);
    char dform[256];
    snprintf(dform, sizeof(dform), "id=%lld&decision=approve", (long long)app);
    post(&f->s, &rita, rita.csrf, "/review/decide", dform, &r);
    assert_int_equal(r.status, 400);
    assert_contains(r.body, "role=\"alert\"");
    res_free(&r);
    /* A failing judgement needs its note. */
    snprintf(dform, sizeof(dform), "id=%lld&requirement=ease-of-use&verdict=fail", (long long)app);
    post(&f->s, &rita, rita.csrf, "/review/judge", dform, &r);
    assert_int_equal(r.status, 400);
    assert_contains(r.body, "role=\"alert\"");
    res_free(&r);
    /* So does a verdict: the page says so above its forms. */
    snprintf(dform, sizeof(dform), "id=%lld&requirement=ease-of-use&note=x", (long long)app);
    post(&f->s, &rita, rita.csrf, "/review/judge", dform, &r);
    assert_int_equal(r.status, 400);
    assert_contains(r.body, "role=\"alert\"");
    assert_contains(r.body, "action=\"/review/judge\"");
    res_free(&r);

    judge_all_pass(f, &rita, app);
    snprintf(dform, sizeof(dform), "id=%lld&decision=approve&comment=%s", (long long)app,
             "%E6%89%BF%E8%AA%8D");
    post(&f->s, &rita, rita.csrf, "/review/decide", dform, &r);
    assert_int_equal(r.status, 303);
    res_free(&r);

    /* The application shows the registration number and the renewal date. */
    assert_int_equal(http_get(&f->s, path, rita.cookie, &r), 0);
    assert_int_equal(r.status, 200);
    assert_contains(r.body, "state-approved");
    char year[8];
    snprintf(year, sizeof(year), "%.4s", f->today);
    char number[32];
    snprintf(number, sizeof(number), "OTS-%s-", year);
    assert_contains(r.body, number);
    res_free(&r);

    struct sm_store *st = open_store(f);
    struct sm_registry_who op = sm_registry_who_system("test");
    struct sm_registry_application *a = NULL;
    struct sm_diag d;
    assert_int_equal(sm_registry_application_get(st, &op, app, &a, &d), SM_OK);
    int64_t svc = a->service_id;
    sm_registry_application_free(a);
    struct sm_registry_service *pub = NULL;
    assert_int_equal(sm_registry_service_public(st, svc, f->today, &pub, &d), SM_OK);
    assert_string_equal(pub->content.name, "新規申請サービス");
    assert_non_null(pub->registration_no);
    assert_true(strncmp(pub->registration_no, number, strlen(number)) == 0);
    assert_non_null(pub->renewal_on);
    assert_true(strcmp(pub->renewal_on, f->today) > 0);
    /* The provider's portal shows both. */
    snprintf(path, sizeof(path), "/portal/service?id=%lld", (long long)svc);
    struct res pr;
    assert_int_equal(http_get(&f->s, path, pia.cookie, &pr), 0);
    assert_contains(pr.body, pub->registration_no);
    assert_contains(pr.body, pub->renewal_on);
    res_free(&pr);
    /* And the public page lists it. */
    snprintf(path, sizeof(path), "/services/%lld", (long long)svc);
    assert_int_equal(http_get(&f->s, path, NULL, &pr), 0);
    assert_int_equal(pr.status, 200);
    assert_contains(pr.body, "新規申請サービス");
    res_free(&pr);
    sm_registry_service_free(pub);
    sm_store_free(st);

    /* The provider got a message with the decision. */
    assert_int_equal(http_get(&f->s, "/portal/messages", pia.cookie, &r), 0);
    assert_contains(r.body, "data-kind=\"application_approve\"");
    res_free(&r);
}

static void an_edit_stays_hidden_until_approved(void **state)
{
    struct fixture *f = *state;
    struct who pia, rita;
    login(&f->s, "pia", &pia);
    login(&f->s, "rita", &rita);
    struct res r;
    char path[128], form[4096], submit[4300];

    /* The edit form starts from the approved content. */
    snprintf(path, sizeof(path), "/portal/service/edit?id=%lld", (long long)f->svc1);
    assert_int_equal(http_get(&f->s, path, pia.cookie, &r), 0);
    assert_int_equal(r.status, 200);
    assert_contains(r.body, "value=\"一号の見守りサービス\"");
    assert_contains(r.body, "value=\"9000\"");
    assert_contains(r.body, "data-requirement=\"helpdesk\"");
    res_free(&r);

    good_form(form, sizeof(form), "一号の見守りサービス（改訂）");
    snprintf(submit, sizeof(submit), "id=%lld&%s&action=submit", (long long)f->svc1, form);
    post(&f->s, &pia, pia.csrf, "/portal/service/edit", submit, &r);
    assert_int_equal(r.status, 303);
    int64_t app = location_id(&r);
    res_free(&r);

    /* Pending review in the portal; the public keeps the approved version. */
    snprintf(path, sizeof(path), "/portal/service?id=%lld", (long long)f->svc1);
    assert_int_equal(http_get(&f->s, path, pia.cookie, &r), 0);
    assert_contains(r.body, "id=\"pending-note\"");
    assert_contains(r.body, "一号の見守りサービス");
    res_free(&r);
    assert_int_equal(http_get(&f->s, "/portal", pia.cookie, &r), 0);
    assert_contains(r.body, "class=\"pending\"");
    res_free(&r);
    struct sm_store *st = open_store(f);
    struct sm_registry_service *pub = NULL;
    struct sm_diag d;
    assert_int_equal(sm_registry_service_public(st, f->svc1, f->today, &pub, &d), SM_OK);
    assert_string_equal(pub->content.name, "一号の見守りサービス");
    sm_registry_service_free(pub);
    snprintf(path, sizeof(path), "/services/%lld", (long long)f->svc1);
    assert_int_equal(http_get(&f->s, path, NULL, &r), 0);
    assert_int_equal(r.status, 200);
    assert_lacks(r.body, "（改訂）");
    res_free(&r);

    /* Editing again amends the open application rather than opening a second one. */
    snprintf(path, sizeof(path), "/portal/service/edit?id=%lld", (long long)f->svc1);
    assert_int_equal(http_get(&f->s, path, pia.cookie, &r), 0);
    assert_contains(r.body, "value=\"一号の見守りサービス（改訂）\"");
    assert_contains(r.body, "id=\"mode-note\"");
    res_free(&r);
    post(&f->s, &pia, pia.csrf, "/portal/service/edit", submit, &r);
    assert_int_equal(r.status, 303);
    assert_int_equal(location_id(&r), app);
    res_free(&r);

    judge_all_pass(f, &rita, app);
    char dform[128];
    snprintf(dform, sizeof(dform), "id=%lld&decision=approve", (long long)app);
    post(&f->s, &rita, rita.csrf, "/review/decide", dform, &r);
    assert_int_equal(r.status, 303);
    res_free(&r);
    assert_int_equal(sm_registry_service_public(st, f->svc1, f->today, &pub, &d), SM_OK);
    assert_string_equal(pub->content.name, "一号の見守りサービス（改訂）");
    sm_registry_service_free(pub);
    sm_store_free(st);
    snprintf(path, sizeof(path), "/services/%lld", (long long)f->svc1);
    assert_int_equal(http_get(&f->s, path, NULL, &r), 0);
    assert_contains(r.body, "（改訂）");
    res_free(&r);
}

/* The state of case study id, through the library. */
static enum sm_case_state case_state(const struct fixture *f, int64_t id)
{
    struct sm_store *st = open_store(f);
    struct sm_registry_who op = sm_registry_who_system("test");
    struct sm_case_study_list *cl = NULL;
    struct sm_diag d;
    assert_int_equal(sm_case_studies(st, &op, 0, &cl, &d), SM_OK);
    enum sm_case_state state = SM_CASE_WITHDRAWN;
    bool found = false;
    for (size_t i = 0; i < cl->n; i++)
        if (cl->items[i].id == id) {
            state = cl->items[i].state;
            found = true;
        }
    sm_case_study_list_free(cl);
    sm_store_free(st);
    assert_true(found);
    return state;
}

static void case_study_from_draft_to_public(void **state)
{
    struct fixture *f = *state;
    struct who olga, pia;
    login(&f->s, "olga", &olga);
    login(&f->s, "pia", &pia);
    struct res r;
    char form[1024];

    /* The operator drafts from a webinar, choosing the service. */
    assert_int_equal(http_get(&f->s, "/operator/cases", olga.cookie, &r), 0);
    assert_int_equal(r.status, 200);
    assert_contains(r.body, "一号の見守りサービス");
    res_free(&r);
    char *title = enc("町の印刷会社がランサムウェアを防いだ話");
    char *body = enc("ウェビナーで紹介された利用者の声。");
    snprintf(form, sizeof(form), "service_id=%lld&source=webinar&title=%s&body=%s&prefecture=13",
             (long long)f->svc1, title, body);
    post(&f->s, &olga, olga.csrf, "/operator/cases/draft", form, &r);
    assert_int_equal(r.status, 303);
    int64_t id = location_id(&r);
    res_free(&r);
    assert_int_equal(case_state(f, id), SM_CASE_DRAFT);
    /* The provider does not see a draft before it is sent. */
    assert_int_equal(http_get(&f->s, "/portal/cases", pia.cookie, &r), 0);
    assert_lacks(r.body, "町の印刷会社");
    res_free(&r);

    snprintf(form, sizeof(form), "id=%lld&action=send", (long long)id);
    post(&f->s, &olga, olga.csrf, "/operator/case/act", form, &r);
    assert_int_equal(r.status, 303);
    res_free(&r);
    assert_int_equal(case_state(f, id), SM_CASE_AWAITING_PROVIDER);

    /* The provider asks for changes; a request without a comment is refused. */
    assert_int_equal(http_get(&f->s, "/portal/cases", pia.cookie, &r), 0);
    assert_contains(r.body, "町の印刷会社");
    char button[64];
    snprintf(button, sizeof(button), "id=\"confirm-%lld\"", (long long)id);
    assert_contains(r.body, button);
    res_free(&r);
    snprintf(form, sizeof(form), "id=%lld&action=request_changes&comment=", (long long)id);
    post(&f->s, &pia, pia.csrf, "/portal/cases/act", form, &r);
    assert_int_equal(r.status, 400);
    assert_contains(r.body, "role=\"alert\"");
    res_free(&r);
    assert_int_equal(case_state(f, id), SM_CASE_AWAITING_PROVIDER);
    char *comment = enc("社名は伏せてください");
    snprintf(form, sizeof(form), "id=%lld&action=request_changes&comment=%s", (long long)id,
             comment);
    free(comment);
    post(&f->s, &pia, pia.csrf, "/portal/cases/act", form, &r);
    assert_int_equal(r.status, 303);
    res_free(&r);
    assert_int_equal(case_state(f, id), SM_CASE_CHANGES_REQUESTED);

    /* The operator sees the request, revises and sends again. */
    char path[128];
    snprintf(path, sizeof(path), "/operator/case?id=%lld", (long long)id);
    assert_int_equal(http_get(&f->s, path, olga.cookie, &r), 0);
    assert_contains(r.body, "社名は伏せてください");
    assert_contains(r.body, "id=\"edit-form\"");
    res_free(&r);
    assert_int_equal(http_get(&f->s, "/operator/cases", olga.cookie, &r), 0);
    assert_contains(r.body, "社名は伏せてください");
    res_free(&r);
    char *title2 = enc("ある印刷会社がランサムウェアを防いだ話");
    snprintf(form, sizeof(form), "id=%lld&service_id=%lld&source=webinar&title=%s&body=%s",
             (long long)id, (long long)f->svc1, title2, body);
    post(&f->s, &olga, olga.csrf, "/operator/case", form, &r);
    assert_int_equal(r.status, 303);
    res_free(&r);
    snprintf(form, sizeof(form), "id=%lld&action=send", (long long)id);
    post(&f->s, &olga, olga.csrf, "/operator/case/act", form, &r);
    assert_int_equal(r.status, 303);
    res_free(&r);
    /* Publishing before the provider confirms is refused. */
    snprintf(form, sizeof(form), "id=%lld&action=publish", (long long)id);
    post(&f->s, &olga, olga.csrf, "/operator/case/act", form, &r);
    assert_int_equal(r.status, 400);
    res_free(&r);

    snprintf(form, sizeof(form), "id=%lld&action=confirm", (long long)id);
    post(&f->s, &pia, pia.csrf, "/portal/cases/act", form, &r);
    assert_int_equal(r.status, 303);
    res_free(&r);
    assert_int_equal(case_state(f, id), SM_CASE_CONFIRMED);
    snprintf(form, sizeof(form), "id=%lld&action=publish", (long long)id);
    post(&f->s, &olga, olga.csrf, "/operator/case/act", form, &r);
    assert_int_equal(r.status, 303);
    res_free(&r);
    assert_int_equal(case_state(f, id), SM_CASE_PUBLISHED);

    /* Public: through the library and on the public list of case studies. */
    struct sm_store *st = open_store(f);
    struct sm_case_study_list *pub = NULL;
    struct sm_diag d;
    assert_int_equal(sm_case_studies_public(st, 0, f->today, 0, &pub, &d), SM_OK);
    bool found = false;
    for (size_t i = 0; i < pub->n; i++)
        found |= pub->items[i].id == id &&
                 strcmp(pub->items[i].title, "ある印刷会社がランサムウェアを防いだ話") == 0;
    assert_true(found);
    sm_case_study_list_free(pub);
    sm_store_free(st);
    assert_int_equal(http_get(&f->s, "/cases", NULL, &r), 0);
    assert_int_equal(r.status, 200);
    assert_contains(r.body, "ある印刷会社がランサムウェアを防いだ話");
    res_free(&r);
    free(title);
    free(title2);
    free(body);
}

/* --- the operator's pages --------------------------------------------------------------- */

static void operator_keeps_providers_and_services(void **state)
{
    struct fixture *f = *state;
    struct who olga, nl;
    login(&f->s, "olga", &olga);
    login(&f->s, "nolink", &nl);
    struct res r;
    char form[512], path[128];

    char *name = enc("三号セキュリティ合同会社");
    snprintf(form, sizeof(form), "name=%s&head_office_pref=27&contact_email=p3%%40example.com",
             name);
    post(&f->s, &olga, olga.csrf, "/operator/providers/add", form, &r);
    assert_int_equal(r.status, 303);
    int64_t p3 = location_id(&r);
    res_free(&r);
    /* A name taken is shown on the form. */
    post(&f->s, &olga, olga.csrf, "/operator/providers/add", form, &r);
    assert_int_equal(r.status, 409);
    assert_contains(r.body, "role=\"alert\"");
    res_free(&r);
    free(name);

    /* Linking a provider user gives it the portal; unlinking takes it away. */
    assert_int_equal(get_status(&f->s, &nl, "/portal"), 403);
    snprintf(form, sizeof(form), "id=%lld&username=nolink&action=link", (long long)p3);
    post(&f->s, &olga, olga.csrf, "/operator/provider/link", form, &r);
    assert_int_equal(r.status, 303);
    res_free(&r);
    assert_int_equal(http_get(&f->s, "/portal", nl.cookie, &r), 0);
    assert_int_equal(r.status, 200);
    assert_contains(r.body, "三号セキュリティ合同会社");
    res_free(&r);
    snprintf(form, sizeof(form), "id=%lld&username=nobody&action=link", (long long)p3);
    post(&f->s, &olga, olga.csrf, "/operator/provider/link", form, &r);
    assert_int_equal(r.status, 404);
    assert_contains(r.body, "role=\"alert\"");
    res_free(&r);
    snprintf(form, sizeof(form), "id=%lld&username=nolink&action=unlink", (long long)p3);
    post(&f->s, &olga, olga.csrf, "/operator/provider/link", form, &r);
    assert_int_equal(r.status, 303);
    res_free(&r);
    assert_int_equal(get_status(&f->s, &nl, "/portal"), 403);

    /* The operator edits the record, name included. */
    snprintf(form, sizeof(form), "id=%lld&name=%s&contact_phone=06-0000-0000", (long long)p3,
             "%E4%B8%89%E5%8F%B7");
    post(&f->s, &olga, olga.csrf, "/operator/provider", form, &r);
    assert_int_equal(r.status, 303);
    res_free(&r);
    snprintf(path, sizeof(path), "/operator/provider?id=%lld", (long long)p3);
    assert_int_equal(http_get(&f->s, path, olga.cookie, &r), 0);
    assert_contains(r.body, "value=\"三号\"");
    assert_contains(r.body, "06-0000-0000");
    res_free(&r);

    /* Suspend (a reason is needed), reinstate, withdraw. */
    snprintf(form, sizeof(form), "id=%lld&action=suspend&reason=", (long long)f->svc2);
    post(&f->s, &olga, olga.csrf, "/operator/service/status", form, &r);
    assert_int_equal(r.status, 400);
    assert_contains(r.body, "role=\"alert\"");
    res_free(&r);
    snprintf(form, sizeof(form), "id=%lld&action=suspend&reason=%s", (long long)f->svc2,
             "%E8%AA%BF%E6%9F%BB%E4%B8%AD");
    post(&f->s, &olga, olga.csrf, "/operator/service/status", form, &r);
    assert_int_equal(r.status, 303);
    res_free(&r);
    struct sm_store *st = open_store(f);
    struct sm_registry_service *pub = NULL;
    struct sm_diag d;
    assert_int_equal(sm_registry_service_public(st, f->svc2, f->today, &pub, &d), SM_ENOTFOUND);
    snprintf(path, sizeof(path), "/operator/service?id=%lld", (long long)f->svc2);
    assert_int_equal(http_get(&f->s, path, olga.cookie, &r), 0);
    assert_contains(r.body, "status-suspended");
    assert_contains(r.body, "調査中");
    res_free(&r);
    snprintf(form, sizeof(form), "id=%lld&action=reinstate", (long long)f->svc2);
    post(&f->s, &olga, olga.csrf, "/operator/service/status", form, &r);
    assert_int_equal(r.status, 303);
    res_free(&r);
    assert_int_equal(sm_registry_service_public(st, f->svc2, f->today, &pub, &d), SM_OK);
    sm_registry_service_free(pub);
    snprintf(form, sizeof(form), "id=%lld&action=withdraw&reason=%s", (long long)f->svc2,
             "%E5%BB%83%E6%AD%A2");
    post(&f->s, &olga, olga.csrf, "/operator/service/status", form, &r);
    assert_int_equal(r.status, 303);
    res_free(&r);
    assert_int_equal(sm_registry_service_public(st, f->svc2, f->today, &pub, &d), SM_ENOTFOUND);

    /* The renewal cycle. */
    post(&f->s, &olga, olga.csrf, "/operator/settings", "renewal_months=0", &r);
    assert_int_equal(r.status, 400);
    res_free(&r);
    post(&f->s, &olga, olga.csrf, "/operator/settings", "renewal_months=36", &r);
    assert_int_equal(r.status, 303);
    res_free(&r);
    int months = 0;
    assert_int_equal(sm_registry_renewal_months(st, &months, &d), SM_OK);
    assert_int_equal(months, 36);
    sm_store_free(st);
    assert_int_equal(http_get(&f->s, "/operator", olga.cookie, &r), 0);
    assert_contains(r.body, "value=\"36\"");
    res_free(&r);
}

static void operator_reminders_outbox_and_channels(void **state)
{
    struct fixture *f = *state;
    struct who olga;
    login(&f->s, "olga", &olga);
    struct res r;

    post(&f->s, &olga, olga.csrf, "/operator/remind", "", &r);
    assert_int_equal(r.status, 303);
    char *loc = header(&r, "Location");
    assert_non_null(strstr(loc, "done=reminded&sent=0&marked=0"));
    res_free(&r);
    assert_int_equal(http_get(&f->s, loc, olga.cookie, &r), 0);
    assert_contains(r.body, "id=\"reminded\"");
    res_free(&r);
    free(loc);

    /* The approvals of the fixtures were mailed to the providers. */
    assert_int_equal(http_get(&f->s, "/operator/outbox", olga.cookie, &r), 0);
    assert_int_equal(r.status, 200);
    assert_contains(r.body, "p1@example.com");
    assert_contains(r.body, "p2@example.com");
    assert_contains(r.body, "data-state=\"pending\"");
    res_free(&r);

    /* Inquiries by channel: counts only, never who asked. */
    assert_int_equal(http_get(&f->s, "/operator/inquiries", olga.cookie, &r), 0);
    assert_int_equal(r.status, 200);
    assert_contains(r.body, "<strong id=\"channels-total\">1</strong>");
    assert_contains(r.body, "newsletter");
    assert_contains(r.body, "spring");
    assert_lacks(r.body, "sme@example.com");
    assert_lacks(r.body, "二号への問い合わせ株式会社");
    res_free(&r);
    assert_int_equal(
        http_get(&f->s, "/operator/inquiries?from=2000-01-01&to=2000-12-31", olga.cookie, &r), 0);
    assert_contains(r.body, "<strong id=\"channels-total\">0</strong>");
    res_free(&r);
    assert_int_equal(get_status(&f->s, &olga, "/operator/inquiries?from=yesterday"), 400);
}

static void operator_exports_and_imports_csv(void **state)
{
    struct fixture *f = *state;
    struct who olga;
    login(&f->s, "olga", &olga);
    struct res r;

    assert_int_equal(http_get(&f->s, "/operator/export.csv", olga.cookie, &r), 0);
    assert_int_equal(r.status, 200);
    char *ct = header(&r, "Content-Type");
    assert_non_null(strstr(ct, "text/csv"));
    free(ct);
    char *cd = header(&r, "Content-Disposition");
    assert_non_null(strstr(cd, "attachment"));
    assert_non_null(strstr(cd, ".csv"));
    free(cd);
    assert_true(r.len > 3 && memcmp(r.body, "\xEF\xBB\xBF", 3) == 0);
    assert_contains(r.body, "一号の見守りサービス");
    char *csv = malloc(r.len);
    memcpy(csv, r.body, r.len);
    size_t csv_len = r.len;
    res_free(&r);

    char *before = snapshot(f);
    /* Check only: the export comes back whole. */
    const char *b = "----portalBoundary";
    size_t cap = csv_len + 4096, n = 0;
    char *body = malloc(cap);
    n += (size_t)snprintf(body + n, cap - n,
                          "--%s\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\n%s\r\n"
                          "--%s\r\nContent-Disposition: form-data; name=\"dry_run\"\r\n\r\n1\r\n"
                          "--%s\r\nContent-Disposition: form-data; name=\"file\";"
                          " filename=\"registry.csv\"\r\nContent-Type: text/csv\r\n\r\n",
                          b, olga.csrf, b, b);
    memcpy(body + n, csv, csv_len);
    n += csv_len;
    n += (size_t)snprintf(body + n, cap - n, "\r\n--%s--\r\n", b);
    char ctype[128];
    snprintf(ctype, sizeof(ctype), "multipart/form-data; boundary=%s", b);
    assert_int_equal(
        http_full(&f->s, "POST", "/operator/import", olga.cookie, ctype, body, n, NULL, &r), 0);
    assert_int_equal(r.status, 200);
    assert_contains(r.body, "id=\"import-report\"");
    assert_contains(r.body, "role=\"status\"");
    res_free(&r);
    free(body);

    /* A file with a broken row: every error listed, nothing imported. */
    const char *nl = memchr(csv, '\n', csv_len);
    assert_non_null(nl);
    size_t head = (size_t)(nl - csv) + 1;
    cap = head + 8192;
    body = malloc(cap);
    n = (size_t)snprintf(body, cap,
                         "--%s\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\n%s\r\n"
                         "--%s\r\nContent-Disposition: form-data; name=\"file\";"
                         " filename=\"bad.csv\"\r\nContent-Type: text/csv\r\n\r\n",
                         b, olga.csrf, b);
    memcpy(body + n, csv, head);
    n += head;
    /* As many cells as the header, all of them wrong or empty. */
    size_t commas = 0;
    for (size_t i = 0; i < head; i++)
        commas += csv[i] == ',';
    n += (size_t)snprintf(body + n, cap - n, "OTS-BAD-1,not a class");
    for (size_t i = 1; i < commas; i++)
        body[n++] = ',';
    n += (size_t)snprintf(body + n, cap - n, "\r\n\r\n--%s--\r\n", b);
    assert_int_equal(
        http_full(&f->s, "POST", "/operator/import", olga.cookie, ctype, body, n, NULL, &r), 0);
    assert_int_equal(r.status, 400);
    assert_contains(r.body, "id=\"import-errors\"");
    assert_contains(r.body, "<td>2</td>");
    res_free(&r);
    free(body);

    /* The upload may be larger than an ordinary form (1 MiB). */
    size_t big = 2u * 1024u * 1024u;
    cap = big + 4096;
    body = malloc(cap);
    n = (size_t)snprintf(body, cap,
                         "--%s\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\n%s\r\n"
                         "--%s\r\nContent-Disposition: form-data; name=\"file\";"
                         " filename=\"big.csv\"\r\nContent-Type: text/csv\r\n\r\n",
                         b, olga.csrf, b);
    /* Lines of 300 bytes: under the library's row limits, but not the registry's header. */
    for (size_t done = 0; done + 302 <= big; done += 302) {
        memset(body + n, 'x', 300);
        memcpy(body + n + 300, "\r\n", 2);
        n += 302;
    }
    n += (size_t)snprintf(body + n, cap - n, "\r\n--%s--\r\n", b);
    assert_int_equal(
        http_full(&f->s, "POST", "/operator/import", olga.cookie, ctype, body, n, NULL, &r), 0);
    assert_int_equal(r.status, 400);
    assert_contains(r.body, "id=\"import-report\"");
    res_free(&r);
    free(body);

    char *after = snapshot(f);
    assert_string_equal(before, after);
    free(before);
    free(after);
    free(csv);
}

static void pages_speak_english_too(void **state)
{
    struct fixture *f = *state;
    struct who pia, rita, olga;
    login(&f->s, "pia", &pia);
    login(&f->s, "rita", &rita);
    login(&f->s, "olga", &olga);
    struct res r;
    assert_int_equal(http_get(&f->s, "/portal?lang=en", pia.cookie, &r), 0);
    assert_int_equal(r.status, 200);
    assert_contains(r.body, "<html lang=\"en\">");
    assert_contains(r.body, "Provider portal");
    assert_contains(r.body, "Registered");
    res_free(&r);
    char path[128];
    snprintf(path, sizeof(path), "/review/application?id=%lld&lang=en", (long long)f->app2);
    assert_int_equal(http_get(&f->s, path, rita.cookie, &r), 0);
    assert_int_equal(r.status, 200);
    assert_contains(r.body, "Record the decision");
    assert_contains(r.body, "Help desk");
    res_free(&r);
    assert_int_equal(http_get(&f->s, "/review/schedule?lang=en", rita.cookie, &r), 0);
    assert_contains(r.body, "Within 30 days");
    res_free(&r);
    assert_int_equal(http_get(&f->s, "/operator?lang=en", olga.cookie, &r), 0);
    assert_contains(r.body, "Send reminders now");
    res_free(&r);
    /* Japanese is the default. */
    assert_int_equal(http_get(&f->s, "/portal", pia.cookie, &r), 0);
    assert_contains(r.body, "<html lang=\"ja\">");
    assert_contains(r.body, "事業者ポータル");
    res_free(&r);
}

int main(void)
{
    curl_global_init(CURL_GLOBAL_DEFAULT);
    if (sm_init() != SM_OK)
        return 1;
    const char *names[SM_TEST_MAX_BACKENDS];
    int n = sm_test_backends(names, SM_TEST_MAX_BACKENDS);
    if (n < 0)
        return 1;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(anonymous_goes_to_login, setup, teardown),
        cmocka_unit_test_setup_teardown(roles_without_rights_get_403, setup, teardown),
        cmocka_unit_test_setup_teardown(state_changes_need_the_csrf_token, setup, teardown),
        cmocka_unit_test_setup_teardown(a_provider_reaches_only_its_own, setup, teardown),
        cmocka_unit_test_setup_teardown(apply_review_approve_makes_it_public, setup, teardown),
        cmocka_unit_test_setup_teardown(an_edit_stays_hidden_until_approved, setup, teardown),
        cmocka_unit_test_setup_teardown(case_study_from_draft_to_public, setup, teardown),
        cmocka_unit_test_setup_teardown(operator_keeps_providers_and_services, setup, teardown),
        cmocka_unit_test_setup_teardown(operator_reminders_outbox_and_channels, setup, teardown),
        cmocka_unit_test_setup_teardown(operator_exports_and_imports_csv, setup, teardown),
        cmocka_unit_test_setup_teardown(pages_speak_english_too, setup, teardown),
    };
    int failed = 0;
    for (int i = 0; i < n; i++) {
        backend = names[i];
        char group[64];
        snprintf(group, sizeof(group), "http portal on %s", backend);
        failed += cmocka_run_group_tests_name(group, tests, NULL, NULL);
    }
    curl_global_cleanup();
    return failed ? 1 : 0;
}

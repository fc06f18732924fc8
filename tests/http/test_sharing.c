/*
 * HTTP tests of incident sharing against the real binary on every backend:
 *
 *   - the API contract: tokens from `smesec provider token`, POST /api/v1/incidents with
 *     per-record answers and idempotent resubmission, the statistics as JSON, STIX and CSV;
 *   - the canary: reports full of a customer's name, e-mail address, phone number and IP
 *     address, sent by three providers through the API, the form and a CSV upload; then
 *     every statistics page, CSV, STIX bundle and API answer that anyone but the provider
 *     itself can get is searched byte by byte;
 *   - k: every count any release shows over HTTP is at least k or suppressed;
 *   - access: every role (anonymous, operator, reviewer, analyst, association, a provider
 *     with a current registration, one without, API tokens good, lapsed and bad) against
 *     every sharing page and endpoint, with the status each must get;
 *   - CSV uploads refused whole (wrong encoding, a formula, a 100 MB body) and the audit
 *     record of every view of raw reports.
 *
 * The database gets the demo data (`smesec seed --demo`), whose fictitious providers have
 * registered services and demo reports; the demo user "provider" works for provider 2.
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

#include "smesec/sharing.h"
#include "smesec/smesec.h"

#include <jansson.h>

#define PW "demo-password"

static const char *backend;

/* Runs smesec with args and returns its standard output's first line (malloc'd), or NULL. */
static char *smesec_line(const struct srv *s, const char *const *args)
{
    int out[2];
    if (pipe(out) != 0)
        return NULL;
    pid_t pid = fork();
    if (pid == 0) {
        dup2(out[1], STDOUT_FILENO);
        close(out[0]);
        close(out[1]);
        char *argv[16];
        size_t n = 0;
        argv[n++] = strdup("smesec");
        for (size_t i = 0; args[i] && n < 12; i++)
            argv[n++] = strdup(args[i]);
        argv[n++] = strdup("--db");
        argv[n++] = strdup(s->db);
        argv[n] = NULL;
        execv(smesec_bin(), argv);
        _exit(127);
    }
    close(out[1]);
    char buf[512];
    size_t len = 0;
    ssize_t r;
    while (len < sizeof buf - 1 && (r = read(out[0], buf + len, sizeof buf - 1 - len)) > 0)
        len += (size_t)r;
    close(out[0]);
    int status = 0;
    waitpid(pid, &status, 0);
    buf[len] = '\0';
    char *nl = strchr(buf, '\n');
    if (nl)
        *nl = '\0';
    return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? strdup(buf) : NULL;
}

struct fx {
    struct srv s;
    char tok2[64], tok3[64], tok_lapsed[64];
    int64_t svc2, svc3, svc4;
};

/* A store on the server's database, for checks the HTTP surface cannot make. */
static struct sm_store *side_store(const struct srv *s)
{
    struct sm_store *st = NULL;
    struct sm_diag d;
    if (sm_store_open(s->db, &st, &d) != SM_OK)
        fail_msg("cannot open %s: %s", s->db, d.msg);
    return st;
}

/* The first listed service of provider p. */
static int64_t listed_service(struct sm_store *st, int64_t p)
{
    struct sm_registry_who sys = sm_registry_who_system("test");
    struct sm_registry_service_list *l = NULL;
    struct sm_diag d;
    char today[SM_DATE_SIZE];
    sm_date_today(today);
    assert_int_equal(sm_registry_services(st, &sys, p, today, &l, &d), SM_OK);
    int64_t id = 0;
    for (size_t i = 0; i < l->n && !id; i++)
        if (l->items[i].listed)
            id = l->items[i].id;
    sm_registry_service_list_free(l);
    assert_true(id > 0);
    return id;
}

static int setup(void **state)
{
    struct fx *f = calloc(1, sizeof *f);
    if (!f)
        return -1;
    *state = f;
    if (srv_start(&f->s, backend) != 0)
        return -1;
    const char *seed[] = { "seed", "--demo", "--db", f->s.db, NULL };
    if (run_smesec(NULL, seed) != 0)
        return -1;
    if (srv_user_add(&f->s, "lapsed", "provider", "失効事業者", PW) != 0)
        return -1;
    struct sm_store *st = side_store(&f->s);
    struct sm_actor actor = { .user_id = 0, .name = "test" };
    struct sm_diag d;
    /* Provider 1 (the real one in the demo) has no renewal date: not listed, not active. */
    if (sm_user_set_provider(st, &actor, "lapsed", 1, &d) != SM_OK)
        fail_msg("link: %s", d.msg);
    f->svc2 = listed_service(st, 2);
    f->svc3 = listed_service(st, 3);
    f->svc4 = listed_service(st, 4);
    sm_store_free(st);
    static const char *const which[3] = { "2", "3", "1" };
    char *dst[3] = { f->tok2, f->tok3, f->tok_lapsed };
    for (int i = 0; i < 3; i++) {
        const char *args[] = { "provider", "token", which[i], NULL };
        char *t = smesec_line(&f->s, args);
        if (!t || strlen(t) != 43)
            return -1;
        snprintf(dst[i], 64, "%s", t);
        free(t);
    }
    return 0;
}

static int teardown(void **state)
{
    struct fx *f = *state;
    int status = srv_stop(&f->s);
    free(f);
    return status == 0 ? 0 : -1;
}

/* --- Clients ------------------------------------------------------------------------------ */

struct who {
    char cookie[128];
    char csrf[64];
};

/* Logs in through the JSON API: the cookie and the session's CSRF token. */
static void login(const struct srv *s, const char *user, struct who *w)
{
    char body[256];
    snprintf(body, sizeof body, "{\"username\":\"%s\",\"password\":\"%s\"}", user, PW);
    struct res r;
    assert_int_equal(http_full(s, "POST", "/api/v1/session", NULL, "application/json", body,
                               strlen(body), NULL, &r),
                     0);
    if (r.status != 200)
        fail_msg("login %s: %ld %s", user, r.status, r.body);
    char *tok = set_cookie_value(&r, "sm_session");
    snprintf(w->cookie, sizeof w->cookie, "sm_session=%s", tok);
    free(tok);
    json_t *j = json_loads(r.body, 0, NULL);
    snprintf(w->csrf, sizeof w->csrf, "%s", json_string_value(json_object_get(j, "csrf")));
    json_decref(j);
    res_free(&r);
}

static void api(const struct srv *s, const char *method, const char *path, const char *token,
                const char *body, struct res *r)
{
    char auth[128];
    snprintf(auth, sizeof auth, "Authorization: Bearer %s", token);
    assert_int_equal(http_full(s, method, path, NULL, body ? "application/json" : NULL, body,
                               body ? strlen(body) : 0, token ? auth : NULL, r),
                     0);
}

/* Posts a multipart form with the csrf field and a file. */
static void upload(const struct srv *s, const struct who *w, const char *csv, size_t len,
                   struct res *r)
{
    const char *b = "----smesec-test-boundary";
    size_t cap = len + 1024;
    char *body = malloc(cap);
    int n = snprintf(body, cap,
                     "--%s\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\n%s\r\n"
                     "--%s\r\nContent-Disposition: form-data; name=\"file\"; "
                     "filename=\"reports.csv\"\r\nContent-Type: text/csv\r\n\r\n",
                     b, w->csrf, b);
    memcpy(body + n, csv, len);
    size_t total = (size_t)n + len;
    total += (size_t)snprintf(body + total, cap - total, "\r\n--%s--\r\n", b);
    char ct[128];
    snprintf(ct, sizeof ct, "multipart/form-data; boundary=%s", b);
    assert_int_equal(
        http_full(s, "POST", "/portal/incidents/upload", w->cookie, ct, body, total, NULL, r), 0);
    free(body);
}

static void assert_contains(const char *haystack, const char *needle)
{
    if (!strstr(haystack, needle))
        fail_msg("expected to find '%s' in:\n%.2000s", needle, haystack);
}

/* --- The API contract -------------------------------------------------------------------- */

static void api_contract(void **state)
{
    struct fx *f = *state;
    char body[2048];
    snprintf(body, sizeof body,
             "[{\"id\":\"API-1\",\"detected_on\":\"2025-04-01\",\"service_id\":%lld,"
             "\"prefecture\":\"04\",\"industry\":\"E\",\"size\":\"21-50\","
             "\"threat\":\"ransomware\",\"malware_family\":\"LockBit\",\"detection\":\"edr\","
             "\"response\":\"onsite\",\"outcome\":\"contained\",\"recovery_days\":4,"
             "\"cost_band\":\"1m_10m\",\"notes\":\"note\",\"customer_name\":null,"
             "\"tlp\":\"green\"},"
             "{\"id\":\"API-2\",\"detected_on\":\"2025-04-02\",\"service_id\":%lld,"
             "\"prefecture\":\"99\",\"industry\":\"E\",\"size\":\"21-50\",\"threat\":\"worm\","
             "\"detection\":\"edr\",\"response\":\"onsite\",\"outcome\":\"contained\"}]",
             (long long)f->svc3, (long long)f->svc2);
    struct res r;
    api(&f->s, "POST", "/api/v1/incidents", f->tok3, body, &r);
    assert_int_equal(r.status, 200);
    json_t *j = json_loads(r.body, 0, NULL);
    assert_int_equal(json_integer_value(json_object_get(j, "accepted")), 1);
    assert_int_equal(json_integer_value(json_object_get(j, "refused")), 1);
    json_t *res = json_object_get(j, "results");
    assert_string_equal(json_string_value(json_object_get(json_array_get(res, 0), "status")),
                        "created");
    assert_string_equal(json_string_value(json_object_get(json_array_get(res, 0), "id")), "API-1");
    json_t *r1 = json_array_get(res, 1);
    assert_string_equal(json_string_value(json_object_get(r1, "status")), "refused");
    assert_true(json_array_size(json_object_get(r1, "errors")) >= 2); /* prefecture, threat */
    json_decref(j);
    res_free(&r);
    /* The same id again is an update, not a second report. */
    api(&f->s, "POST", "/api/v1/incidents", f->tok3, body, &r);
    assert_int_equal(r.status, 200);
    assert_contains(r.body, "\"status\":\"updated\"");
    res_free(&r);

    /* Content type and malformed bodies. */
    char auth[128];
    snprintf(auth, sizeof auth, "Authorization: Bearer %s", f->tok3);
    assert_int_equal(
        http_full(&f->s, "POST", "/api/v1/incidents", NULL, "text/plain", "[]", 2, auth, &r), 0);
    assert_int_equal(r.status, 415);
    res_free(&r);
    api(&f->s, "POST", "/api/v1/incidents", f->tok3, "{\"id\":1}", &r);
    assert_int_equal(r.status, 400);
    assert_contains(r.body, "\"error\"");
    res_free(&r);
    api(&f->s, "POST", "/api/v1/incidents", f->tok3, "[", &r);
    assert_int_equal(r.status, 400);
    res_free(&r);

    /* A new token replaces the old one at once. */
    const char *args[] = { "provider", "token", "（架空）みちのくネット見守り株式会社", NULL };
    char *fresh = smesec_line(&f->s, args);
    assert_non_null(fresh);
    api(&f->s, "GET", "/api/v1/sharing/stats", f->tok3, NULL, &r);
    assert_int_equal(r.status, 401);
    char *www = header(&r, "WWW-Authenticate");
    assert_non_null(www);
    assert_contains(www, "Bearer");
    free(www);
    res_free(&r);
    api(&f->s, "GET", "/api/v1/sharing/stats", fresh, NULL, &r);
    assert_int_equal(r.status, 200);
    j = json_loads(r.body, 0, NULL);
    assert_string_equal(json_string_value(json_object_get(j, "audience")), "providers");
    assert_true(json_is_integer(json_object_get(j, "total")));
    assert_non_null(json_object_get(json_object_get(j, "tables"), "geography"));
    json_decref(j);
    res_free(&r);
    api(&f->s, "GET", "/api/v1/sharing/export.stix", fresh, NULL, &r);
    assert_int_equal(r.status, 200);
    char *ct = header(&r, "Content-Type");
    assert_contains(ct, "application/stix+json");
    free(ct);
    j = json_loads(r.body, 0, NULL);
    assert_string_equal(json_string_value(json_object_get(j, "type")), "bundle");
    json_decref(j);
    res_free(&r);
    api(&f->s, "GET", "/api/v1/sharing/export.csv?from=2024H1", fresh, NULL, &r);
    assert_int_equal(r.status, 200);
    assert_contains(r.body, "table,row,row_name,column,count,suppressed");
    res_free(&r);
    api(&f->s, "GET", "/api/v1/sharing/stats?from=2024X1", fresh, NULL, &r);
    assert_int_equal(r.status, 400);
    res_free(&r);
    free(fresh);
}

/* --- The canary --------------------------------------------------------------------------- */

#define CANARY_NAME  "株式会社カナリア精密"
#define CANARY_MAIL  "kanaria.himitsu@kanaria-seimitsu.co.jp"
#define CANARY_PHONE "045-987-6543"
#define CANARY_IP    "172.31.254.77"

static const char *const canaries[] = {
    "カナリア精密", "kanaria", "KANARIA",       "himitsu", "987-6543",
    "9876543",      "９８７",  "172.31.254.77", "254.77",
};

/* Searches every byte (bodies may hold NULs in principle; strstr would stop there). */
static bool has_bytes(const char *hay, size_t n, const char *needle)
{
    size_t m = strlen(needle);
    for (size_t i = 0; m <= n && i <= n - m; i++)
        if (memcmp(hay + i, needle, m) == 0)
            return true;
    return false;
}

static void no_canary(const char *what, const struct res *r)
{
    for (size_t i = 0; i < sizeof canaries / sizeof canaries[0]; i++)
        if (has_bytes(r->body, r->len, canaries[i]) || has_bytes(r->headers, r->hlen, canaries[i]))
            fail_msg("the canary '%s' is in %s", canaries[i], what);
}

static const char *canary_notes = CANARY_NAME
    "の経理担当 鷲尾様 (" CANARY_MAIL ", " CANARY_PHONE ", ０４５－９８７－６５４３) の "
    "PC " CANARY_IP " がランサムウェアに感染し、" CANARY_NAME " の共有フォルダも"
    "暗号化された。現地に駆け付けて隔離した。";

static void canary_sent_every_way(struct fx *f)
{
    /* Through the API, by two providers, many times so the counts are shown. */
    const char *tokens[2] = { f->tok2, f->tok3 };
    int64_t svcs[2] = { f->svc2, f->svc3 };
    for (int p = 0; p < 2; p++) {
        size_t cap = 1 << 16, len = 0;
        char *body = malloc(cap);
        body[len++] = '[';
        for (int i = 0; i < 12; i++) {
            static const char *const fams[] = { CANARY_NAME, CANARY_MAIL, CANARY_PHONE, CANARY_IP };
            len += (size_t)snprintf(
                body + len, cap - len,
                "%s{\"id\":\"CANARY-%d\",\"detected_on\":\"2025-0%d-15\",\"service_id\":%lld,"
                "\"prefecture\":\"13\",\"industry\":\"E\",\"size\":\"6-20\","
                "\"threat\":\"%s\",\"malware_family\":\"%s\",\"detection\":\"edr\","
                "\"response\":\"onsite\",\"outcome\":\"damage\",\"recovery_days\":5,"
                "\"notes\":\"%s\",\"customer_name\":\"%s\",\"tlp\":\"%s\"}",
                i ? "," : "", i, 1 + i % 6, (long long)svcs[p], i % 2 ? "ransomware" : "malware",
                fams[i % 4], canary_notes, CANARY_NAME, i % 3 ? "amber" : "clear");
        }
        body[len++] = ']';
        body[len] = '\0';
        struct res r;
        api(&f->s, "POST", "/api/v1/incidents", tokens[p], body, &r);
        if (r.status != 200)
            fail_msg("canary API: %ld %s", r.status, r.body);
        assert_contains(r.body, "\"refused\":0");
        no_canary("the API's answer to its own provider", &r);
        res_free(&r);
        free(body);
    }
    /* Through the form, as the demo provider. */
    struct who w;
    login(&f->s, "provider", &w);
    char form[4096];
    char *notes = curl_easy_escape(NULL, canary_notes, 0);
    char *name = curl_easy_escape(NULL, CANARY_NAME, 0);
    snprintf(form, sizeof form,
             "csrf=%s&id=FORM-1&detected_on=2025-03-03&service_id=%lld&prefecture=13&industry=E"
             "&size=6-20&threat=ransomware&malware_family=%s&detection=utm&response=onsite"
             "&outcome=damage&recovery_days=3&cost_band=1m_10m&notes=%s&customer_name=%s&tlp=clear",
             w.csrf, (long long)f->svc2, name, notes, name);
    struct res r;
    assert_int_equal(http_post_form(&f->s, "/portal/incidents", w.cookie, form, &r), 0);
    if (r.status != 303)
        fail_msg("form: %ld %.2000s", r.status, r.body);
    res_free(&r);
    curl_free(notes);
    curl_free(name);
    /* Through a CSV upload. */
    char csv[8192];
    int n =
        snprintf(csv, sizeof csv,
                 "id,detected_on,service_id,prefecture,industry,size,threat,malware_family,"
                 "detection,response,outcome,recovery_days,cost_band,notes,customer_name,tlp\r\n");
    for (int i = 0; i < 6; i++)
        n += snprintf(csv + n, sizeof csv - (size_t)n,
                      "CSV-%d,2025-02-1%d,%lld,13,E,6-20,ransomware,%s,edr,onsite,damage,2,,"
                      "\"%s\",%s,amber\r\n",
                      i, i, (long long)f->svc2, i % 2 ? CANARY_IP : CANARY_NAME, canary_notes,
                      CANARY_NAME);
    upload(&f->s, &w, csv, (size_t)n, &r);
    if (r.status != 200)
        fail_msg("upload: %ld %.3000s", r.status, r.body);
    res_free(&r);
}

static void canary_never_reaches_anyone_else(void **state)
{
    struct fx *f = *state;
    canary_sent_every_way(f);
    struct who op, prov, other;
    login(&f->s, "operator", &op);
    login(&f->s, "provider", &prov);
    /* The operator publishes, so the public pages include the canary reports' period. */
    char form[256];
    snprintf(form, sizeof form, "csrf=%s", op.csrf);
    struct res r;
    assert_int_equal(http_post_form(&f->s, "/portal/stats/publish", op.cookie, form, &r), 0);
    assert_int_equal(r.status, 303);
    res_free(&r);

    /* The provider's own raw view has it (the test is not vacuous)... */
    bool seen = false;
    for (int page = 0; page < 5 && !seen; page++) {
        char path[64];
        snprintf(path, sizeof path, "/portal/incidents?page=%d", page);
        assert_int_equal(http_get(&f->s, path, prov.cookie, &r), 0);
        assert_int_equal(r.status, 200);
        seen = strstr(r.body, "カナリア精密") != NULL;
        res_free(&r);
    }
    assert_true(seen);
    /* ... another provider's does not. */
    assert_int_equal(srv_user_add(&f->s, "michinoku", "provider", NULL, PW), 0);
    struct sm_store *st = side_store(&f->s);
    struct sm_actor actor = { .user_id = 0, .name = "test" };
    struct sm_diag d;
    assert_int_equal(sm_user_set_provider(st, &actor, "michinoku", 4, &d), SM_OK);
    sm_store_free(st);
    login(&f->s, "michinoku", &other);
    assert_int_equal(http_get(&f->s, "/portal/incidents", other.cookie, &r), 0);
    assert_int_equal(r.status, 200);
    no_canary("another provider's reports page", &r);
    res_free(&r);

    /* Every statistics output, for every viewer that may have it. */
    static const char *const session_paths[] = {
        "/portal/stats",
        "/portal/stats.csv",
        "/portal/stats.stix",
        "/portal/stats?from=2025H1&to=2025H1",
        "/api/v1/sharing/stats",
        "/api/v1/sharing/export.stix",
        "/api/v1/sharing/export.csv",
        "/stats",
        "/stats.csv",
    };
    static const char *const operator_extra[] = {
        "/portal/stats?audience=providers",
        "/portal/stats?audience=public",
        "/portal/stats.stix?audience=operator",
        "/api/v1/sharing/stats?audience=providers",
        "/api/v1/sharing/export.csv?audience=operator",
    };
    const struct who *viewers[3] = { &prov, &other, &op };
    const char *names[3] = { "the provider", "another provider", "the operator" };
    char what[256];
    for (int v = 0; v < 3; v++)
        for (size_t i = 0; i < sizeof session_paths / sizeof session_paths[0]; i++) {
            assert_int_equal(http_get(&f->s, session_paths[i], viewers[v]->cookie, &r), 0);
            if (r.status != 200)
                fail_msg("%s %s: %ld", names[v], session_paths[i], r.status);
            snprintf(what, sizeof what, "%s as %s", session_paths[i], names[v]);
            no_canary(what, &r);
            res_free(&r);
        }
    for (size_t i = 0; i < sizeof operator_extra / sizeof operator_extra[0]; i++) {
        assert_int_equal(http_get(&f->s, operator_extra[i], op.cookie, &r), 0);
        assert_int_equal(r.status, 200);
        no_canary(operator_extra[i], &r);
        res_free(&r);
    }
    static const char *const token_paths[] = { "/api/v1/sharing/stats",
                                               "/api/v1/sharing/export.stix",
                                               "/api/v1/sharing/export.csv" };
    for (size_t i = 0; i < 3; i++) {
        api(&f->s, "GET", token_paths[i], f->tok2, NULL, &r);
        assert_int_equal(r.status, 200);
        no_canary(token_paths[i], &r);
        res_free(&r);
    }
    assert_int_equal(http_get(&f->s, "/stats", NULL, &r), 0);
    assert_int_equal(r.status, 200);
    no_canary("the public page", &r);
    res_free(&r);
    /* The narratives are there, scrubbed: the sharing is not empty. */
    assert_int_equal(http_get(&f->s, "/api/v1/sharing/stats", op.cookie, &r), 0);
    assert_contains(r.body, "ランサムウェアに感染");
    assert_contains(r.body, "〔組織名〕");
    res_free(&r);
}

/* --- k ----------------------------------------------------------------------------------- */

static int64_t smallest_shown(const json_t *t, int64_t low)
{
    const char *kind = json_string_value(json_object_get(t, "kind"));
    const json_t *v;
    size_t i, j;
    if (!kind)
        return low;
#define SEE(x)                                            \
 do {                                                     \
  if (json_is_integer(x) && json_integer_value(x) < low)  \
   low = json_integer_value(x);                           \
  else if (!json_is_integer(x) && !json_is_null(x))       \
   fail_msg("a count that is neither a number nor null"); \
 } while (0)
    SEE(json_object_get(t, "total"));
    json_array_foreach(json_object_get(t, "counts"), i, v) SEE(v);
    json_array_foreach(json_object_get(t, "row_totals"), i, v) SEE(v);
    json_array_foreach(json_object_get(t, "col_totals"), i, v) SEE(v);
    json_array_foreach(json_object_get(t, "cells"), i, v)
    {
        const json_t *c;
        json_array_foreach(v, j, c) SEE(c);
    }
    json_array_foreach(json_object_get(t, "groups"), i, v)
    {
        SEE(json_object_get(v, "count"));
        const json_t *it;
        json_array_foreach(json_object_get(v, "items"), j, it) SEE(json_object_get(it, "count"));
    }
#undef SEE
    return low;
}

static void every_count_shown_is_at_least_k(void **state)
{
    struct fx *f = *state;
    struct who op;
    login(&f->s, "operator", &op);
    static const char *const paths[] = {
        "/api/v1/sharing/stats",
        "/api/v1/sharing/stats?audience=providers",
        "/api/v1/sharing/stats?audience=public",
        "/api/v1/sharing/stats?from=2025H1&to=2025H2",
        "/api/v1/sharing/stats?from=2026H1",
    };
    int ks[] = { 5, 3, 10 };
    for (size_t ki = 0; ki < 3; ki++) {
        char form[128];
        snprintf(form, sizeof form, "csrf=%s&k=%d", op.csrf, ks[ki]);
        struct res r;
        assert_int_equal(http_post_form(&f->s, "/portal/stats/k", op.cookie, form, &r), 0);
        assert_int_equal(r.status, 303);
        res_free(&r);
        for (size_t i = 0; i < sizeof paths / sizeof paths[0]; i++) {
            assert_int_equal(http_get(&f->s, paths[i], op.cookie, &r), 0);
            assert_int_equal(r.status, 200);
            json_t *doc = json_loads(r.body, 0, NULL);
            assert_int_equal(json_integer_value(json_object_get(doc, "k")), ks[ki]);
            const char *id;
            json_t *t;
            json_object_foreach(json_object_get(doc, "tables"), id, t)
            {
                int64_t low = smallest_shown(t, INT64_MAX);
                if (low < ks[ki])
                    fail_msg("%s, k = %d: table %s shows %lld", paths[i], ks[ki], id,
                             (long long)low);
            }
            json_decref(doc);
            res_free(&r);
        }
    }
    /* The published snapshot too. */
    char form[128];
    snprintf(form, sizeof form, "csrf=%s&from=2024H1", op.csrf);
    struct res r;
    assert_int_equal(http_post_form(&f->s, "/portal/stats/publish", op.cookie, form, &r), 0);
    char *loc = header(&r, "Location");
    assert_non_null(loc);
    assert_contains(loc, "/stats?id=");
    res_free(&r);
    assert_int_equal(http_get(&f->s, loc, NULL, &r), 0);
    assert_int_equal(r.status, 200);
    assert_contains(r.body, "<table class=\"data\">");
    res_free(&r);
    free(loc);
}

/* --- Access ------------------------------------------------------------------------------ */

enum {
    ANON,
    OPERATOR,
    REVIEWER,
    ANALYST,
    ASSOCIATION,
    PROVIDER,
    LAPSED,
    TOKEN,
    TOKEN_LAPSED,
    TOKEN_BAD,
    N_ACTORS
};

static const char *const actor_names[N_ACTORS] = {
    "anonymous", "operator",        "reviewer", "analyst",      "association",
    "provider",  "lapsed provider", "token",    "lapsed token", "bad token",
};

struct endpoint {
    const char *method;
    const char *path;
    int body; /* 0 none, 1 form, 2 upload, 3 JSON reports, 4 publish, 5 k */
    int want[N_ACTORS];
};

/* 303 to the login page for a missing session; 401 for the API without a valid token. */
static const struct endpoint endpoints[] = {
    { "GET", "/portal/incidents", 0, { 303, 200, 403, 403, 403, 200, 200, 303, 303, 303 } },
    { "POST", "/portal/incidents", 1, { 303, 403, 403, 403, 403, 303, 403, 303, 303, 303 } },
    { "POST", "/portal/incidents/upload", 2, { 303, 403, 403, 403, 403, 200, 403, 303, 303, 303 } },
    { "GET",
      "/portal/incidents/template.csv",
      0,
      { 303, 200, 403, 403, 403, 200, 200, 303, 303, 303 } },
    { "GET", "/portal/stats", 0, { 303, 200, 403, 403, 403, 200, 403, 303, 303, 303 } },
    { "GET", "/portal/stats.csv", 0, { 303, 200, 403, 403, 403, 200, 403, 303, 303, 303 } },
    { "GET", "/portal/stats.stix", 0, { 303, 200, 403, 403, 403, 200, 403, 303, 303, 303 } },
    { "POST", "/portal/stats/publish", 4, { 303, 303, 403, 403, 403, 403, 403, 303, 303, 303 } },
    { "POST", "/portal/stats/k", 5, { 303, 303, 403, 403, 403, 403, 403, 303, 303, 303 } },
    { "GET", "/stats", 0, { 200, 200, 200, 200, 200, 200, 200, 200, 200, 200 } },
    { "GET", "/stats.csv", 0, { 200, 200, 200, 200, 200, 200, 200, 200, 200, 200 } },
    { "POST", "/api/v1/incidents", 3, { 401, 401, 401, 401, 401, 401, 401, 200, 403, 401 } },
    { "GET", "/api/v1/sharing/stats", 0, { 401, 200, 403, 403, 403, 200, 403, 200, 403, 401 } },
    { "GET",
      "/api/v1/sharing/export.stix",
      0,
      { 401, 200, 403, 403, 403, 200, 403, 200, 403, 401 } },
    { "GET",
      "/api/v1/sharing/export.csv",
      0,
      { 401, 200, 403, 403, 403, 200, 403, 200, 403, 401 } },
};

static void every_role_against_every_endpoint(void **state)
{
    struct fx *f = *state;
    struct who w[N_ACTORS];
    memset(w, 0, sizeof w);
    static const char *const users[N_ACTORS] = { NULL,          "operator", "reviewer", "analyst",
                                                 "association", "provider", "lapsed" };
    for (int a = OPERATOR; a <= LAPSED; a++)
        login(&f->s, users[a], &w[a]);
    const char *tokens[N_ACTORS] = { [TOKEN] = f->tok2,
                                     [TOKEN_LAPSED] = f->tok_lapsed,
                                     [TOKEN_BAD] = "x0x0x0x0x0x0x0x0x0x0x0x0x0x0x0x0x0x0x0x0x0x" };
    char reports[1024];
    snprintf(reports, sizeof reports,
             "[{\"id\":\"ACC-1\",\"detected_on\":\"2025-01-01\",\"service_id\":%lld,"
             "\"prefecture\":\"13\",\"industry\":\"E\",\"size\":\"6-20\",\"threat\":\"phishing\","
             "\"detection\":\"user\",\"response\":\"none\",\"outcome\":\"blocked\"}]",
             (long long)f->svc2);
    char csv[1024];
    int csv_len = snprintf(csv, sizeof csv,
                           "id,detected_on,service_id,prefecture,industry,size,threat,"
                           "malware_family,detection,response,outcome,recovery_days,cost_band,"
                           "notes,customer_name,tlp\r\nACC-2,2025-01-02,%lld,13,E,6-20,phishing,,"
                           "user,none,blocked,,,,,\r\n",
                           (long long)f->svc2);
    int checked = 0;
    for (size_t e = 0; e < sizeof endpoints / sizeof endpoints[0]; e++)
        for (int a = 0; a < N_ACTORS; a++) {
            const struct endpoint *ep = &endpoints[e];
            const char *cookie = w[a].cookie[0] ? w[a].cookie : NULL;
            char auth[128] = "";
            if (tokens[a])
                snprintf(auth, sizeof auth, "Authorization: Bearer %s", tokens[a]);
            struct res r;
            char form[512];
            /* Sessions post their own CSRF token; the others post a plausible one. */
            const char *csrf =
                w[a].csrf[0] ? w[a].csrf : "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA";
            switch (ep->body) {
            case 0:
                assert_int_equal(http_full(&f->s, ep->method, ep->path, cookie, NULL, NULL, 0,
                                           auth[0] ? auth : NULL, &r),
                                 0);
                break;
            case 1:
                snprintf(form, sizeof form,
                         "csrf=%s&id=ACC-F%d&detected_on=2025-01-03&service_id=%lld"
                         "&prefecture=13&industry=E&size=6-20&threat=phishing&detection=user"
                         "&response=none&outcome=blocked",
                         csrf, a, (long long)f->svc2);
                assert_int_equal(http_full(&f->s, "POST", ep->path, cookie,
                                           "application/x-www-form-urlencoded", form, strlen(form),
                                           auth[0] ? auth : NULL, &r),
                                 0);
                break;
            case 2: {
                struct who tmp = w[a];
                snprintf(tmp.csrf, sizeof tmp.csrf, "%s", csrf);
                upload(&f->s, &tmp, csv, (size_t)csv_len, &r);
                break;
            }
            case 3:
                assert_int_equal(http_full(&f->s, "POST", ep->path, cookie, "application/json",
                                           reports, strlen(reports), auth[0] ? auth : NULL, &r),
                                 0);
                break;
            default:
                snprintf(form, sizeof form, ep->body == 4 ? "csrf=%s" : "csrf=%s&k=5", csrf);
                assert_int_equal(http_full(&f->s, "POST", ep->path, cookie,
                                           "application/x-www-form-urlencoded", form, strlen(form),
                                           auth[0] ? auth : NULL, &r),
                                 0);
                break;
            }
            if (r.status != ep->want[a])
                fail_msg("%s %s as %s: %ld, expected %d\n%.1500s", ep->method, ep->path,
                         actor_names[a], r.status, ep->want[a], r.body);
            if (r.status == 303 && ep->want[a] == 303 && !cookie) {
                char *loc = header(&r, "Location");
                assert_non_null(loc);
                assert_contains(loc, "/login?next=");
                free(loc);
            }
            checked++;
            res_free(&r);
        }
    assert_int_equal(checked, (int)(sizeof endpoints / sizeof endpoints[0]) * N_ACTORS);
}

/* --- Uploads and the audit log ----------------------------------------------------------- */

static int64_t incidents(const struct srv *s)
{
    struct sm_store *st = side_store(s);
    struct sm_registry_who op = sm_registry_who_system("test");
    struct sm_incident_list *l = NULL;
    struct sm_diag d;
    assert_int_equal(sm_sharing_reports(st, &op, 0, 1, 0, &l, &d), SM_OK);
    int64_t n = (int64_t)l->total;
    sm_incident_list_free(l);
    sm_store_free(st);
    return n;
}

static void bad_uploads_store_nothing_and_views_are_audited(void **state)
{
    struct fx *f = *state;
    struct who w;
    login(&f->s, "provider", &w);
    int64_t before = incidents(&f->s);
    struct res r;
    /* Shift_JIS, the encoding Excel's plain "CSV" uses. */
    const char sjis[] = "id,detected_on\r\n\x83\x4A\x83\x69\x83\x8A\x83\x41,2025\r\n";
    upload(&f->s, &w, sjis, sizeof sjis - 1, &r);
    assert_int_equal(r.status, 400);
    assert_contains(r.body, "Shift_JIS");
    assert_contains(r.body, "role=\"alert\"");
    res_free(&r);
    /* A formula among good rows. */
    char csv[1024];
    int n =
        snprintf(csv, sizeof csv,
                 "id,detected_on,service_id,prefecture,industry,size,threat,malware_family,"
                 "detection,response,outcome,recovery_days,cost_band,notes,customer_name,tlp\r\n"
                 "UP-1,2025-01-02,%lld,13,E,6-20,phishing,,user,none,blocked,,,,,\r\n"
                 "UP-2,2025-01-02,%lld,13,E,6-20,phishing,,user,none,blocked,,,"
                 "\"=HYPERLINK(\"\"http://x\"\")\",,\r\n",
                 (long long)f->svc2, (long long)f->svc2);
    upload(&f->s, &w, csv, (size_t)n, &r);
    assert_int_equal(r.status, 400);
    assert_contains(r.body, "formula");
    res_free(&r);
    /* 100 MB: refused before it is read. */
    size_t big = (size_t)100 << 20;
    char *huge = malloc(big);
    memset(huge, 'a', big);
    assert_int_equal(http_full(&f->s, "POST", "/portal/incidents/upload", w.cookie,
                               "multipart/form-data; boundary=x", huge, big, NULL, &r),
                     0);
    assert_int_equal(r.status, 413);
    res_free(&r);
    free(huge);
    assert_int_equal(incidents(&f->s), before);

    /* Every view of raw reports is in the audit log. */
    struct sm_store *st = side_store(&f->s);
    long a0 = 0, a1 = 0;
    struct sm_diag d;
    assert_int_equal(sm_audit_count(st, "sharing.reports.view", &a0, &d), SM_OK);
    struct who op;
    login(&f->s, "operator", &op);
    assert_int_equal(http_get(&f->s, "/portal/incidents", w.cookie, &r), 0);
    assert_int_equal(r.status, 200);
    char *cc = header(&r, "Cache-Control");
    assert_string_equal(cc, "no-store");
    free(cc);
    res_free(&r);
    assert_int_equal(http_get(&f->s, "/portal/incidents?provider=3&page=0", op.cookie, &r), 0);
    assert_int_equal(r.status, 200);
    res_free(&r);
    assert_int_equal(sm_audit_count(st, "sharing.reports.view", &a1, &d), SM_OK);
    assert_int_equal(a1, a0 + 2);
    sm_store_free(st);
}

int main(void)
{
    if (sm_init() != SM_OK)
        return 1;
    curl_global_init(CURL_GLOBAL_DEFAULT);
    const char *names_[SM_TEST_MAX_BACKENDS];
    int n = sm_test_backends(names_, SM_TEST_MAX_BACKENDS);
    if (n < 0)
        return 1;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(api_contract, setup, teardown),
        cmocka_unit_test_setup_teardown(canary_never_reaches_anyone_else, setup, teardown),
        cmocka_unit_test_setup_teardown(every_count_shown_is_at_least_k, setup, teardown),
        cmocka_unit_test_setup_teardown(every_role_against_every_endpoint, setup, teardown),
        cmocka_unit_test_setup_teardown(bad_uploads_store_nothing_and_views_are_audited, setup,
                                        teardown),
    };
    int failed = 0;
    for (int i = 0; i < n; i++) {
        backend = names_[i];
        char group[64];
        snprintf(group, sizeof group, "sharing over HTTP on %s", backend);
        failed += cmocka_run_group_tests_name(group, tests, NULL, NULL);
    }
    curl_global_cleanup();
    return failed ? 1 : 0;
}

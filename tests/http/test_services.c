/*
 * HTTP tests of the public Otasuketai site and the services API against the real binary on
 * every backend, over the registry's demo data (smesec seed --demo): the search page and
 * each filter, the tile map, the API's contract fields, nationwide services matching every
 * prefecture, services that are lapsed, suspended, waiting for review or never registered
 * staying out of sight, 404s and 400s, the service page, the ransomware table, case
 * studies, the inquiry form (CSRF, validation, the channel stored with it, the rate limit)
 * and the search cache following changes to the registry.
 *
 * The tests read and change the database through the library as well (the harness's
 * database URL), the way another process of the deployment would.
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

#include <jansson.h>

static const char *backend;

static int setup(void **state)
{
    struct srv *s = calloc(1, sizeof(*s));
    if (s == NULL)
        return -1;
    *state = s;
    if (srv_start(s, backend) != 0) {
        srv_stop(s);
        return -1;
    }
    const char *args[] = { "seed", "--demo", "--db", s->db, NULL };
    if (run_smesec(NULL, args) != 0) {
        fprintf(stderr, "smesec seed --demo failed\n");
        srv_stop(s);
        return -1;
    }
    return 0;
}

static int teardown(void **state)
{
    struct srv *s = *state;
    int status = srv_stop(s);
    free(s);
    if (status != 0)
        fprintf(stderr, "the server exited with %d after SIGTERM\n", status);
    return status == 0 ? 0 : -1;
}

static void assert_contains(const char *haystack, const char *needle)
{
    if (strstr(haystack, needle) == NULL)
        fail_msg("expected to find '%s' in:\n%.3000s", needle, haystack);
}

static void assert_lacks(const char *haystack, const char *needle)
{
    if (strstr(haystack, needle) != NULL)
        fail_msg("did not expect '%s' in:\n%.3000s", needle, haystack);
}

static void assert_header_is(const struct res *r, const char *name, const char *want)
{
    char *v = header(r, name);
    if (v == NULL)
        fail_msg("no %s header", name);
    if (strcmp(v, want) != 0)
        fail_msg("%s is '%s', expected '%s'", name, v, want);
    free(v);
}

/* GET path, expecting status; the caller frees r. */
static void get_ok(const struct srv *s, const char *path, const char *cookie, long status,
                   struct res *r)
{
    assert_int_equal(http_get(s, path, cookie, r), 0);
    if (r->status != status)
        fail_msg("GET %s: status %ld, expected %ld:\n%.1500s", path, r->status, status, r->body);
}

/* GET path as JSON, expecting status. */
static json_t *get_json(const struct srv *s, const char *path, long status)
{
    struct res r;
    get_ok(s, path, NULL, status, &r);
    assert_header_is(&r, "Content-Type", "application/json; charset=utf-8");
    json_error_t err;
    json_t *j = json_loadb(r.body, r.len, 0, &err);
    if (j == NULL)
        fail_msg("GET %s: not JSON (%s):\n%.500s", path, err.text, r.body);
    res_free(&r);
    return j;
}

/* The services of an API answer. */
static json_t *services_of(json_t *j)
{
    json_t *list = json_object_get(j, "services");
    assert_true(json_is_array(list));
    return list;
}

static bool has_name(json_t *list, const char *name)
{
    for (size_t i = 0; i < json_array_size(list); i++)
        if (strcmp(json_string_value(json_object_get(json_array_get(list, i), "name")), name) == 0)
            return true;
    return false;
}

/* The id of a listed service by name, from the API. */
static long listed_id(const struct srv *s, const char *name)
{
    json_t *j = get_json(s, "/api/v1/services", 200);
    json_t *list = services_of(j);
    long id = 0;
    for (size_t i = 0; i < json_array_size(list); i++) {
        json_t *o = json_array_get(list, i);
        if (strcmp(json_string_value(json_object_get(o, "name")), name) == 0)
            id = (long)json_integer_value(json_object_get(o, "id"));
    }
    json_decref(j);
    if (id == 0)
        fail_msg("no listed service '%s'", name);
    return id;
}

static struct sm_store *open_store(const struct srv *s)
{
    struct sm_store *store = NULL;
    struct sm_diag d;
    if (sm_store_open(s->db, &store, &d) != SM_OK)
        fail_msg("cannot open %s: %s", s->db, d.msg);
    return store;
}

/* The id of any service by its (approved or proposed) name, through the library. */
static int64_t any_id(const struct srv *s, const char *name, int64_t *provider_id)
{
    struct sm_store *store = open_store(s);
    struct sm_registry_who who = sm_registry_who_system("test");
    struct sm_registry_service_list *list = NULL;
    struct sm_diag d;
    char today[SM_DATE_SIZE];
    sm_date_today(today);
    assert_int_equal(sm_registry_services(store, &who, 0, today, &list, &d), SM_OK);
    int64_t id = 0;
    for (size_t i = 0; i < list->n; i++) {
        if (strcmp(list->items[i].name, name) == 0) {
            id = list->items[i].id;
            if (provider_id != NULL)
                *provider_id = list->items[i].provider_id;
        }
    }
    sm_registry_service_list_free(list);
    sm_store_free(store);
    if (id == 0)
        fail_msg("no service '%s'", name);
    return id;
}

#define HOKKAIDO_EDR     "（架空）北海道 EDR駆付けプラン"
#define HOKKAIDO_UTM     "（架空）北海道 UTM見守りサービス"
#define NATIONWIDE_UTM   "（架空）全国お助けネット UTM見守りプラン"
#define NATIONWIDE_EDR   "（架空）端末まもるクラウド EDRプラン"
#define NATIONWIDE_MIXED "（架空）全国お助けネット 併用プレミアム"

/* --- The search page ------------------------------------------------------------------- */

static void search_by_prefecture(void **state)
{
    struct srv *s = *state;
    struct res r;
    get_ok(s, "/services?prefecture=01", NULL, 200, &r);
    assert_header_is(&r, "Content-Type", "text/html; charset=utf-8");
    assert_contains(r.body, "<h1>北海道で利用できるお助け隊サービス</h1>");
    assert_contains(r.body, "<title>北海道 - お助け隊サービスを探す | ");
    assert_contains(r.body, HOKKAIDO_EDR);
    assert_contains(r.body, HOKKAIDO_UTM);
    assert_contains(r.body, NATIONWIDE_UTM);
    assert_contains(r.body, NATIONWIDE_EDR);
    assert_lacks(r.body, "（架空）東北");
    assert_lacks(r.body, "（架空）関東");
    /* What each result offers at a glance. */
    assert_contains(r.body, "<dd class=\"f-type\">端末監視型（EDRなど）</dd>");
    assert_contains(r.body, "1台あたり月額 1,000円");
    assert_contains(r.body, "<dd class=\"f-onsite tri tri-yes\">技術者が駆け付けます</dd>");
    assert_contains(r.body, "<dd class=\"f-insurance tri tri-yes\">保険付き</dd>");
    assert_contains(r.body, "<span class=\"rw-symbol\" aria-hidden=\"true\">○</span> 有効");
    assert_contains(r.body, "架空のデモデータ");
    /* The form shows the choice; the language switch keeps the search. */
    assert_contains(r.body, "<option value=\"01\" selected>北海道</option>");
    assert_contains(r.body, "href=\"?prefecture=01&amp;lang=en\" hreflang=\"en\"");

    /* The page lists exactly what the API finds. */
    json_t *j = get_json(s, "/api/v1/services?prefecture=01", 200);
    size_t total = (size_t)json_integer_value(json_object_get(j, "total"));
    assert_true(total >= 5);
    assert_int_equal(count_of(r.body, "<li class=\"svc-card\""), (int)total);
    json_decref(j);
    res_free(&r);

    /* Every prefecture has services (the demo covers each several times over). */
    for (int p = 1; p <= 47; p++) {
        char path[64];
        snprintf(path, sizeof path, "/services?prefecture=%02d", p);
        get_ok(s, path, NULL, 200, &r);
        assert_true(count_of(r.body, "<li class=\"svc-card\"") >= 5);
        res_free(&r);
    }
}

static void search_filters(void **state)
{
    struct srv *s = *state;
    struct res r;
    /* 北海道, EDR type, on-site dispatch: the regional plan and the nationwide one. */
    get_ok(s, "/services?prefecture=01&type=endpoint&onsite=1", NULL, 200, &r);
    assert_int_equal(count_of(r.body, "<li class=\"svc-card\""), 2);
    assert_contains(r.body, HOKKAIDO_EDR);
    assert_contains(r.body, NATIONWIDE_EDR);
    assert_contains(r.body, "<input type=\"radio\" name=\"type\" value=\"endpoint\" checked>");
    assert_contains(r.body, "name=\"onsite\" value=\"1\" id=\"f-onsite\" checked");
    res_free(&r);

    /* Type alone. */
    get_ok(s, "/services?prefecture=01&type=network", NULL, 200, &r);
    assert_contains(r.body, HOKKAIDO_UTM);
    assert_contains(r.body, NATIONWIDE_UTM);
    assert_lacks(r.body, HOKKAIDO_EDR);
    assert_lacks(r.body, NATIONWIDE_MIXED);
    res_free(&r);
    get_ok(s, "/services?prefecture=01&type=combined", NULL, 200, &r);
    assert_int_equal(count_of(r.body, "<li class=\"svc-card\""), 1);
    assert_contains(r.body, NATIONWIDE_MIXED);
    res_free(&r);

    /* Class 2 in 東京: the nationwide premium and 関東's class-2 plan. */
    get_ok(s, "/services?prefecture=13&class=2", NULL, 200, &r);
    assert_int_equal(count_of(r.body, "<li class=\"svc-card\""), 2);
    assert_contains(r.body, NATIONWIDE_MIXED);
    assert_contains(r.body, "（架空）関東 見守りプラス（2類）");
    assert_int_equal(count_of(r.body, "<dd class=\"f-class\">1類</dd>"), 0);
    res_free(&r);

    /* A price cap: one device for at most 1,000 yen a month. */
    get_ok(s, "/services?prefecture=01&max_price=1000", NULL, 200, &r);
    assert_int_equal(count_of(r.body, "<li class=\"svc-card\""), 1);
    assert_contains(r.body, HOKKAIDO_EDR);
    assert_contains(r.body, "<input type=\"number\" id=\"f-max-price\" name=\"max_price\"");
    assert_contains(r.body, "value=\"1000\"");
    res_free(&r);

    /* With ten devices, each result shows its cost for ten, and the cap applies to it. */
    get_ok(s, "/services?prefecture=01&devices=10&max_price=10000&sort=price", NULL, 200, &r);
    assert_contains(r.body, "10台の場合の月額: 10,000円");
    assert_contains(r.body, HOKKAIDO_EDR);  /* 10 x 1,000 */
    assert_contains(r.body, HOKKAIDO_UTM);  /* 5,500 for the site */
    assert_lacks(r.body, NATIONWIDE_EDR);   /* 10 x 1,800 */
    assert_lacks(r.body, NATIONWIDE_MIXED); /* 25,000 + 10 x 3,500 */
    /* Cheapest first. */
    const char *utm = strstr(r.body, HOKKAIDO_UTM), *edr = strstr(r.body, HOKKAIDO_EDR);
    assert_non_null(utm);
    assert_non_null(edr);
    assert_true(utm < edr);
    res_free(&r);

    /* Ransomware: only services with a device rated effective. */
    json_t *j = get_json(s, "/api/v1/services?ransomware=1", 200);
    json_t *list = services_of(j);
    assert_true(json_array_size(list) > 0);
    for (size_t i = 0; i < json_array_size(list); i++)
        assert_string_equal(
            json_string_value(json_object_get(json_array_get(list, i), "ransomware")), "effective");
    json_t *all = get_json(s, "/api/v1/services", 200);
    assert_true(json_array_size(services_of(all)) > json_array_size(list));
    json_decref(all);
    json_decref(j);
    /* The rating's name works as well as 1. */
    get_ok(s, "/services?ransomware=effective", NULL, 200, &r);
    assert_contains(r.body, "name=\"ransomware\" value=\"1\" id=\"f-ransomware\" checked");
    res_free(&r);

    /* Empty values are "any" (what a GET form sends for untouched fields). */
    get_ok(s, "/services?prefecture=01&type=&class=&max_price=&devices=&sort=", NULL, 200, &r);
    assert_int_equal(count_of(r.body, "<li class=\"svc-card\""), 5);
    res_free(&r);
}

static void search_without_results_explains(void **state)
{
    struct srv *s = *state;
    struct res r;
    get_ok(s, "/services?prefecture=01&type=combined&max_price=100", NULL, 200, &r);
    assert_int_equal(count_of(r.body, "<li class=\"svc-card\""), 0);
    assert_contains(r.body, "id=\"no-results\"");
    assert_contains(r.body, "この条件に合うサービスは見つかりませんでした。");
    /* One link per active filter, each dropping just that one. */
    assert_contains(r.body,
                    "<a href=\"/services?prefecture=01&amp;type=combined\">月額の上限を外す</a>");
    assert_contains(r.body, "<a href=\"/services?prefecture=01&amp;max_price=100\">");
    assert_contains(r.body, "全国対応のサービスは");
    res_free(&r);
    /* Past the last page. */
    get_ok(s, "/services?prefecture=01&page=9", NULL, 200, &r);
    assert_contains(r.body, "このページに表示する結果はありません。");
    assert_contains(r.body, "<a href=\"/services?prefecture=01\">最初のページへ</a>");
    res_free(&r);
}

static void search_pages(void **state)
{
    struct srv *s = *state;
    struct res r;
    get_ok(s, "/services", NULL, 200, &r);
    json_t *j = get_json(s, "/api/v1/services", 200);
    int total = (int)json_integer_value(json_object_get(j, "total"));
    json_decref(j);
    assert_true(total > 20);
    assert_int_equal(count_of(r.body, "<li class=\"svc-card\""), 20);
    assert_contains(r.body, "<a href=\"/services?page=2\" rel=\"next\">");
    assert_lacks(r.body, "rel=\"prev\"");
    res_free(&r);
    get_ok(s, "/services?page=2", NULL, 200, &r);
    assert_int_equal(count_of(r.body, "<li class=\"svc-card\""), total - 20);
    assert_contains(r.body, "<a href=\"/services\" rel=\"prev\">");
    res_free(&r);
}

static void map_links_every_prefecture(void **state)
{
    struct srv *s = *state;
    struct res r;
    get_ok(s, "/services", NULL, 200, &r);
    assert_contains(r.body, "<svg class=\"pref-map\"");
    assert_int_equal(count_of(r.body, "class=\"tile r"), 47);
    assert_contains(r.body, "<a href=\"/services?prefecture=01\" aria-label=\"北海道\"");
    assert_contains(r.body, "<a href=\"/services?prefecture=47\" aria-label=\"沖縄県\"");
    assert_contains(r.body, ">神奈川</text>");
    assert_lacks(r.body, "aria-current");
    res_free(&r);
    /* With filters, a tile keeps them and changes only the prefecture; the chosen one is
     * marked. */
    get_ok(s, "/services?prefecture=13&type=endpoint&onsite=1", NULL, 200, &r);
    assert_contains(r.body, "<a href=\"/services?prefecture=27&amp;type=endpoint&amp;onsite=1\"");
    assert_contains(r.body,
                    "aria-label=\"東京都\" class=\"tile r3 current\" aria-current=\"page\"");
    res_free(&r);
    get_ok(s, "/services?lang=en", NULL, 200, &r);
    assert_contains(r.body, "aria-label=\"Hokkaido\"");
    assert_contains(r.body, ">Hiroshima</text>");
    res_free(&r);
}

static void search_in_english(void **state)
{
    struct srv *s = *state;
    struct res r;
    get_ok(s, "/services?prefecture=01&type=endpoint&lang=en", NULL, 200, &r);
    assert_contains(r.body, "<html lang=\"en\">");
    assert_contains(r.body, "<h1>Otasuketai services available in Hokkaido</h1>");
    assert_contains(r.body, "Endpoint type (EDR or similar)");
    assert_contains(r.body, "¥1,000 a month per device");
    assert_contains(r.body, "href=\"?prefecture=01&amp;type=endpoint&amp;lang=ja\"");
    res_free(&r);
}

static void search_bad_values_are_400(void **state)
{
    struct srv *s = *state;
    struct res r;
    get_ok(s, "/services?prefecture=48", NULL, 400, &r);
    assert_contains(r.body, "role=\"alert\"");
    assert_contains(r.body, "「都道府県（事業所の所在地）」の値が正しくありません。");
    assert_contains(r.body, "<form method=\"get\" action=\"/services\"");
    res_free(&r);
    get_ok(s, "/services?page=0", NULL, 400, &r);
    assert_contains(r.body, "「ページ番号」の値が正しくありません。");
    res_free(&r);
    get_ok(s, "/services?type=ups&lang=en", NULL, 400, &r);
    assert_contains(r.body, "role=\"alert\"");
    assert_contains(r.body, "The value given for “How it monitors” cannot be used");
    res_free(&r);

    const struct {
        const char *query;
        const char *param;
    } bad[] = {
        { "prefecture=1", "prefecture" },
        { "prefecture=00", "prefecture" },
        { "prefecture=48", "prefecture" },
        { "prefecture=tokyo", "prefecture" },
        { "type=ups", "type" },
        { "class=3", "class" },
        { "class=0", "class" },
        { "onsite=yes", "onsite" },
        { "onsite=2", "onsite" },
        { "max_price=-5", "max_price" },
        { "max_price=abc", "max_price" },
        { "max_price=1e5", "max_price" },
        { "devices=0", "devices" },
        { "sort=name", "sort" },
        { "ransomware=maybe", "ransomware" },
        { "limit=0", "limit" },
        { "limit=501", "limit" },
        { "offset=x", "offset" },
    };

    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        char path[128];
        snprintf(path, sizeof path, "/api/v1/services?%s", bad[i].query);
        json_t *j = get_json(s, path, 400);
        const char *error = json_string_value(json_object_get(j, "error"));
        assert_non_null(error);
        assert_true(strncmp(error, "bad search parameter: ", 22) == 0);
        assert_string_equal(json_string_value(json_object_get(j, "parameter")), bad[i].param);
        json_decref(j);
    }
    /* Unknown parameters are ignored (lang, utm_*, cache busters). */
    json_t *j = get_json(s, "/api/v1/services?prefecture=01&utm_source=x&foo=bar", 200);
    json_decref(j);
}

/* --- The API ----------------------------------------------------------------------------- */

static void check_service_fields(json_t *o)
{
    assert_true(json_is_integer(json_object_get(o, "id")));
    assert_true(json_integer_value(json_object_get(o, "id")) > 0);
    assert_true(json_string_length(json_object_get(o, "name")) > 0);
    assert_true(json_string_length(json_object_get(o, "provider")) > 0);
    const char *type = json_string_value(json_object_get(o, "type"));
    assert_non_null(type);
    assert_true(strcmp(type, "network") == 0 || strcmp(type, "endpoint") == 0 ||
                strcmp(type, "combined") == 0);
    json_int_t cls = json_integer_value(json_object_get(o, "class"));
    assert_true(cls == 1 || cls == 2);
    assert_true(json_is_boolean(json_object_get(o, "nationwide")));
    json_t *prefs = json_object_get(o, "prefectures");
    assert_true(json_is_array(prefs));
    for (size_t k = 0; k < json_array_size(prefs); k++) {
        const char *code = json_string_value(json_array_get(prefs, k));
        assert_non_null(code);
        assert_int_equal(strlen(code), 2);
        assert_true(strcmp(code, "01") >= 0 && strcmp(code, "47") <= 0);
    }
    if (json_is_true(json_object_get(o, "nationwide")))
        assert_int_equal(json_array_size(prefs), 47);
    json_t *price = json_object_get(o, "price");
    assert_true(json_is_object(price));
    json_t *one = json_object_get(price, "monthly_for_one_device");
    assert_true(json_is_integer(one) || json_is_null(one));
    json_t *monthly = json_object_get(price, "monthly");
    json_t *per_device = json_object_get(price, "per_device");
    /* The comparable number follows the type's parts. */
    if (strcmp(type, "network") == 0 && json_is_integer(monthly))
        assert_int_equal(json_integer_value(one), json_integer_value(monthly));
    if (strcmp(type, "endpoint") == 0 && json_is_integer(per_device))
        assert_int_equal(json_integer_value(one), json_integer_value(per_device));
    if (strcmp(type, "combined") == 0 && json_is_integer(monthly) && json_is_integer(per_device))
        assert_int_equal(json_integer_value(one),
                         json_integer_value(monthly) + json_integer_value(per_device));
    const char *rw = json_string_value(json_object_get(o, "ransomware"));
    assert_true(strcmp(rw, "effective") == 0 || strcmp(rw, "partial") == 0 ||
                strcmp(rw, "unknown") == 0);
    char url[64];
    snprintf(url, sizeof url, "/services/%lld",
             (long long)json_integer_value(json_object_get(o, "id")));
    assert_string_equal(json_string_value(json_object_get(o, "url")), url);
}

static bool has_code(json_t *prefs, const char *code)
{
    for (size_t k = 0; k < json_array_size(prefs); k++)
        if (strcmp(json_string_value(json_array_get(prefs, k)), code) == 0)
            return true;
    return false;
}

static void api_contract(void **state)
{
    struct srv *s = *state;
    json_t *j = get_json(s, "/api/v1/services", 200);
    json_t *list = services_of(j);
    assert_true(json_array_size(list) >= 28);
    assert_int_equal(json_integer_value(json_object_get(j, "total")),
                     (json_int_t)json_array_size(list));
    assert_int_equal(json_integer_value(json_object_get(j, "count")),
                     (json_int_t)json_array_size(list));
    for (size_t i = 0; i < json_array_size(list); i++)
        check_service_fields(json_array_get(list, i));
    json_decref(j);

    /* Every filter at once: each answer satisfies each of them. */
    j = get_json(s, "/api/v1/services?prefecture=13&type=network&class=1&onsite=1&max_price=9000",
                 200);
    list = services_of(j);
    assert_true(json_array_size(list) >= 1);
    assert_string_equal(
        json_string_value(json_object_get(json_object_get(j, "query"), "prefecture")), "13");
    for (size_t i = 0; i < json_array_size(list); i++) {
        json_t *o = json_array_get(list, i);
        check_service_fields(o);
        assert_true(json_is_true(json_object_get(o, "nationwide")) ||
                    has_code(json_object_get(o, "prefectures"), "13"));
        assert_string_equal(json_string_value(json_object_get(o, "type")), "network");
        assert_int_equal(json_integer_value(json_object_get(o, "class")), 1);
        assert_true(json_is_true(json_object_get(o, "onsite")));
        json_int_t one = json_integer_value(
            json_object_get(json_object_get(o, "price"), "monthly_for_one_device"));
        assert_true(one <= 9000);
    }
    json_decref(j);

    /* Each type and class on its own. */
    const char *types[] = { "network", "endpoint", "combined" };
    for (size_t t = 0; t < 3; t++) {
        char path[96];
        snprintf(path, sizeof path, "/api/v1/services?type=%s", types[t]);
        j = get_json(s, path, 200);
        list = services_of(j);
        assert_true(json_array_size(list) > 0);
        for (size_t i = 0; i < json_array_size(list); i++)
            assert_string_equal(json_string_value(json_object_get(json_array_get(list, i), "type")),
                                types[t]);
        json_decref(j);
    }
    for (int c = 1; c <= 2; c++) {
        char path[96];
        snprintf(path, sizeof path, "/api/v1/services?class=%d", c);
        j = get_json(s, path, 200);
        list = services_of(j);
        assert_true(json_array_size(list) > 0);
        for (size_t i = 0; i < json_array_size(list); i++)
            assert_int_equal(json_integer_value(json_object_get(json_array_get(list, i), "class")),
                             c);
        json_decref(j);
    }

    /* limit and offset page through the same order. */
    j = get_json(s, "/api/v1/services?limit=5&offset=5", 200);
    assert_int_equal(json_array_size(services_of(j)), 5);
    assert_int_equal(json_integer_value(json_object_get(j, "offset")), 5);
    json_t *whole = get_json(s, "/api/v1/services", 200);
    assert_int_equal(
        json_integer_value(json_object_get(json_array_get(services_of(j), 0), "id")),
        json_integer_value(json_object_get(json_array_get(services_of(whole), 5), "id")));
    json_decref(whole);
    json_decref(j);

    /* One service: the summary's fields and what the service does. */
    long id = listed_id(s, HOKKAIDO_EDR);
    char path[64];
    snprintf(path, sizeof path, "/api/v1/services/%ld", id);
    j = get_json(s, path, 200);
    check_service_fields(j);
    assert_string_equal(json_string_value(json_object_get(j, "name")), HOKKAIDO_EDR);
    assert_string_equal(json_string_value(json_object_get(j, "type")), "endpoint");
    assert_false(json_is_true(json_object_get(j, "nationwide")));
    assert_int_equal(json_array_size(json_object_get(j, "prefectures")), 1);
    assert_string_equal(json_string_value(json_array_get(json_object_get(j, "prefectures"), 0)),
                        "01");
    json_t *price = json_object_get(j, "price");
    assert_int_equal(json_integer_value(json_object_get(price, "per_device")), 1000);
    assert_true(json_is_null(json_object_get(price, "monthly")));
    assert_int_equal(json_integer_value(json_object_get(price, "monthly_for_one_device")), 1000);
    assert_true(json_is_true(json_object_get(json_object_get(j, "onsite_response"), "dispatch")));
    assert_true(json_array_size(json_object_get(j, "devices")) == 1);
    assert_true(json_array_size(json_object_get(j, "case_studies")) >= 1);
    assert_true(json_string_length(json_object_get(json_object_get(j, "helpdesk"), "description")) >
                0);
    json_decref(j);
}

static void api_nationwide_matches_every_prefecture(void **state)
{
    struct srv *s = *state;
    const char *nationwide[] = { NATIONWIDE_UTM, NATIONWIDE_EDR, NATIONWIDE_MIXED };
    for (int p = 1; p <= 47; p++) {
        char path[64], code[3];
        snprintf(code, sizeof code, "%02d", p);
        snprintf(path, sizeof path, "/api/v1/services?prefecture=%s", code);
        json_t *j = get_json(s, path, 200);
        json_t *list = services_of(j);
        for (size_t n = 0; n < 3; n++)
            assert_true(has_name(list, nationwide[n]));
        for (size_t i = 0; i < json_array_size(list); i++) {
            json_t *o = json_array_get(list, i);
            assert_true(has_code(json_object_get(o, "prefectures"), code));
            if (json_is_true(json_object_get(o, "nationwide")))
                assert_int_equal(json_array_size(json_object_get(o, "prefectures")), 47);
        }
        json_decref(j);
    }
}

/* --- What must not show ------------------------------------------------------------------ */

static void unlisted_services_stay_out(void **state)
{
    struct srv *s = *state;
    const char *hidden[] = {
        "（架空）関東 旧UTMプラン",             /* renewal date passed 10 days ago */
        "（架空）近畿 旧EDRプラン",             /* 40 days ago */
        "（架空）中国・四国 UTMベーシック",     /* suspended */
        "（架空）北海道 かんたんEDR（申請中）", /* a new application, not yet approved */
        "大阪商工会議所のお助け隊サービス（正式名称は未入力）", /* no renewal date known */
    };
    json_t *j = get_json(s, "/api/v1/services", 200);
    json_t *list = services_of(j);
    struct res all, p1, p2;
    get_ok(s, "/services", NULL, 200, &p1);
    get_ok(s, "/services?page=2", NULL, 200, &p2);
    for (size_t i = 0; i < sizeof hidden / sizeof hidden[0]; i++) {
        assert_false(has_name(list, hidden[i]));
        assert_lacks(p1.body, hidden[i]);
        assert_lacks(p2.body, hidden[i]);
        int64_t id = any_id(s, hidden[i], NULL);
        char path[64];
        snprintf(path, sizeof path, "/services/%lld", (long long)id);
        get_ok(s, path, NULL, 404, &all);
        assert_contains(all.body, "このサービスは見つかりません。");
        res_free(&all);
        snprintf(path, sizeof path, "/api/v1/services/%lld", (long long)id);
        json_t *e = get_json(s, path, 404);
        assert_non_null(json_object_get(e, "error"));
        json_decref(e);
        snprintf(path, sizeof path, "/services/%lld/inquiry", (long long)id);
        get_ok(s, path, NULL, 404, &all);
        res_free(&all);
    }
    res_free(&p1);
    res_free(&p2);
    json_decref(j);

    /* A change waiting for review does not show: the approved price does. */
    long utm = listed_id(s, HOKKAIDO_UTM);
    char path[64];
    snprintf(path, sizeof path, "/api/v1/services/%ld", utm);
    j = get_json(s, path, 200);
    assert_int_equal(json_integer_value(json_object_get(json_object_get(j, "price"), "monthly")),
                     5500);
    json_decref(j);
    snprintf(path, sizeof path, "/services/%ld", utm);
    get_ok(s, path, NULL, 200, &all);
    assert_contains(all.body, "月額 5,500円");
    assert_lacks(all.body, "6,200");
    res_free(&all);
}

static void not_found_and_methods(void **state)
{
    struct srv *s = *state;
    const char *html404[] = { "/services/999999",    "/services/abc",
                              "/services/0",         "/services/012",
                              "/services/1/nothing", "/services/",
                              "/cases/999999",       "/cases/x",
                              "/cases/1/more",       "/services/1/inquiry/sent/x" };
    for (size_t i = 0; i < sizeof html404 / sizeof html404[0]; i++) {
        struct res r;
        get_ok(s, html404[i], NULL, 404, &r);
        assert_contains(r.body, "<html lang=\"ja\">");
        res_free(&r);
    }
    const char *json404[] = { "/api/v1/services/999999", "/api/v1/services/abc",
                              "/api/v1/services/1/x" };
    for (size_t i = 0; i < sizeof json404 / sizeof json404[0]; i++) {
        json_t *j = get_json(s, json404[i], 404);
        assert_non_null(json_object_get(j, "error"));
        json_decref(j);
    }
    long id = listed_id(s, HOKKAIDO_EDR);
    char path[64];
    struct res r;
    snprintf(path, sizeof path, "/services/%ld", id);
    assert_int_equal(http_post_form(s, path, NULL, "a=b", &r), 0);
    assert_int_equal(r.status, 405);
    assert_header_is(&r, "Allow", "GET, HEAD");
    res_free(&r);
    assert_int_equal(http_post_form(s, "/services", NULL, "a=b", &r), 0);
    assert_int_equal(r.status, 405);
    res_free(&r);
    assert_int_equal(http_full(s, "HEAD", "/services?prefecture=01", NULL, NULL, NULL, 0, NULL, &r),
                     0);
    assert_int_equal(r.status, 200);
    assert_int_equal(r.len, 0);
    res_free(&r);
}

/* --- The service page ------------------------------------------------------------------ */

static void service_page(void **state)
{
    struct srv *s = *state;
    long id = listed_id(s, HOKKAIDO_EDR);
    char path[64];
    snprintf(path, sizeof path, "/services/%ld", id);
    struct res r;
    get_ok(s, path, NULL, 200, &r);
    assert_contains(r.body, "<h1 id=\"service-name\">" HOKKAIDO_EDR "</h1>");
    assert_contains(r.body, "<title>" HOKKAIDO_EDR " - お助け隊サービス | ");
    assert_contains(r.body, "（架空）北海道あんしんITサポート株式会社");
    assert_contains(r.body, "このサービスは、サイトの動きを確かめるための架空のデモデータです。");
    /* What each part covers. */
    assert_contains(r.body, "<h3 id=\"h-helpdesk\">相談窓口</h3>");
    assert_contains(r.body, "困ったときに電話やメールで相談");
    assert_contains(r.body, "平日 9:00〜17:00（架空）");
    assert_contains(r.body, "電話、メール");
    assert_contains(r.body, "<h3 id=\"h-monitoring\">24時間の見守り（異常の監視）</h3>");
    assert_contains(r.body, "24時間見守り");
    assert_contains(r.body, "<h3 id=\"h-onsite\">駆付け対応（緊急時の対応支援）</h3>");
    assert_contains(r.body, "技術者が会社まで駆け付けて対応します");
    assert_contains(r.body, "<h3 id=\"h-insurance\">簡易サイバー保険</h3>");
    assert_contains(r.body, "駆付け費用と初動調査の費用を年間100万円まで補償");
    /* An unknown fact says so. */
    assert_contains(r.body, "<dt>利用者の負担</dt><dd>記載なし</dd>");
    /* Price, devices with their rating in words, registration, case studies. */
    assert_contains(r.body, "<li>1台あたり月額 1,000円</li>");
    assert_contains(r.body, "<li>初期費用 0円</li>");
    assert_contains(r.body, "12か月");
    assert_contains(r.body, "<span class=\"rw-symbol\" aria-hidden=\"true\">○</span> 有効");
    assert_contains(r.body, "<dd id=\"registration-no\">OTS-DEMO-");
    assert_contains(r.body, "（架空の事例）雪の日でも駆け付けてくれた");
    /* The inquiry form with its double-submit token. */
    char *cookie = set_cookie_value(&r, "sm_csrf");
    char *field = input_value(r.body, "csrf");
    assert_non_null(cookie);
    assert_non_null(field);
    assert_string_equal(cookie, field);
    char *line = set_cookie_line(&r, "sm_csrf");
    assert_contains(line, "HttpOnly");
    assert_contains(line, "SameSite=Strict");
    free(line);
    char form_action[96];
    snprintf(form_action, sizeof form_action, "action=\"/services/%ld/inquiry\"", id);
    assert_contains(r.body, form_action);
    res_free(&r);

    /* A visitor who has the cookie keeps it. */
    char c[128];
    snprintf(c, sizeof c, "sm_csrf=%s", cookie);
    get_ok(s, path, c, 200, &r);
    assert_null(set_cookie_line(&r, "sm_csrf"));
    char *again = input_value(r.body, "csrf");
    assert_string_equal(again, cookie);
    free(again);
    res_free(&r);
    free(cookie);
    free(field);

    /* In English. */
    snprintf(path, sizeof path, "/services/%ld?lang=en", id);
    get_ok(s, path, NULL, 200, &r);
    assert_contains(r.body, "<h3 id=\"h-helpdesk\">Help desk</h3>");
    assert_contains(r.body, "¥1,000 a month per device");
    assert_contains(r.body, "Fictitious demo data");
    res_free(&r);

    /* The Osaka chamber's real service is not listed; a nationwide one shows 全国. */
    snprintf(path, sizeof path, "/services/%ld", listed_id(s, NATIONWIDE_MIXED));
    get_ok(s, path, NULL, 200, &r);
    assert_contains(r.body, "<dd class=\"f-area\">全国</dd>");
    assert_contains(r.body, "<dd class=\"f-class\">2類</dd>");
    assert_contains(r.body, "月額 25,000円");
    assert_contains(r.body, "1台あたり月額 3,500円");
    res_free(&r);
}

/* --- Ransomware and case studies --------------------------------------------------------- */

static void ransomware_page(void **state)
{
    struct srv *s = *state;
    struct res r;
    get_ok(s, "/ransomware", NULL, 200, &r);
    assert_contains(r.body, "<h1>監視機器はランサムウェアにどこまで有効か</h1>");
    assert_contains(r.body, "<table class=\"rw-table\">");
    /* The working group's 18 rows, each rating a symbol and a word. */
    const char *tbody = strstr(r.body, "<tbody>");
    assert_non_null(tbody);
    assert_int_equal(count_of(tbody, "<tr>"), 18);
    assert_int_equal(count_of(tbody, "○</span> 有効"), 12);
    assert_int_equal(count_of(tbody, "△</span> 一部有効"), 4);
    assert_int_equal(count_of(tbody, "？</span> 不明"), 2);
    assert_contains(tbody, "理由: C&amp;Cのみ");
    assert_contains(tbody, "理由: 検知のみ");
    assert_contains(tbody, "理由: マルウェア配布サイトへの接続防止");
    assert_contains(r.body, "id=\"rw-counts\">有効: 12 / 一部有効: 4 / 不明: 2");
    assert_contains(r.body, "SC3中小企業対策強化WG（2023-02-20）");
    assert_contains(r.body, "<a href=\"/services?ransomware=1\"");
    res_free(&r);
    get_ok(s, "/ransomware?lang=en", NULL, 200, &r);
    assert_contains(r.body, "○</span> Effective");
    res_free(&r);
}

static void case_studies(void **state)
{
    struct srv *s = *state;
    struct res r;
    get_ok(s, "/cases", NULL, 200, &r);
    assert_int_equal(count_of(r.body, "<article class=\"case-card\""), 3);
    assert_contains(r.body, "（架空の事例）雪の日でも駆け付けてくれた");
    assert_contains(r.body, "（架空の事例）偽の請求メールに気づけた");
    assert_contains(r.body, "（架空の事例）不審な通信を夜間に検知し、翌朝には復旧");
    /* The one still waiting for the provider is not public. */
    assert_lacks(r.body, "相談窓口で社内ルールづくり");
    /* Each names its service with a link. */
    char link[96];
    snprintf(link, sizeof link, "<a href=\"/services/%ld\">" HOKKAIDO_EDR "</a>",
             listed_id(s, HOKKAIDO_EDR));
    assert_contains(r.body, link);
    res_free(&r);

    /* One study; the unpublished one is a 404 like an unknown id. */
    struct sm_store *store = open_store(s);
    struct sm_registry_who op = sm_registry_who_system("test");
    struct sm_case_study_list *all = NULL;
    struct sm_diag d;
    assert_int_equal(sm_case_studies(store, &op, 0, &all, &d), SM_OK);
    int checked = 0;
    for (size_t i = 0; i < all->n; i++) {
        char path[64];
        snprintf(path, sizeof path, "/cases/%lld", (long long)all->items[i].id);
        bool published = all->items[i].state == SM_CASE_PUBLISHED;
        get_ok(s, path, NULL, published ? 200 : 404, &r);
        if (published) {
            assert_contains(r.body, all->items[i].title);
            snprintf(link, sizeof link, "<a href=\"/services/%lld\"",
                     (long long)all->items[i].service_id);
            assert_contains(r.body, link);
        }
        checked++;
        res_free(&r);
    }
    assert_int_equal(checked, 4);
    /* Unpublishing takes it down at once. */
    int64_t first = 0;
    for (size_t i = 0; i < all->n && first == 0; i++)
        if (all->items[i].state == SM_CASE_PUBLISHED)
            first = all->items[i].id;
    assert_int_equal(sm_case_study_act(store, &op, first, SM_CASE_UNPUBLISH, NULL, &d), SM_OK);
    char path[64];
    snprintf(path, sizeof path, "/cases/%lld", (long long)first);
    get_ok(s, path, NULL, 404, &r);
    res_free(&r);
    get_ok(s, "/cases", NULL, 200, &r);
    assert_int_equal(count_of(r.body, "<article class=\"case-card\""), 2);
    res_free(&r);
    sm_case_study_list_free(all);
    sm_store_free(store);
}

/* --- The inquiry form ------------------------------------------------------------------- */

/* The CSRF token (cookie and field) from a service page fetched with cookie. */
static char *page_csrf(const struct srv *s, long id, const char *cookie, char **body_out)
{
    char path[64];
    snprintf(path, sizeof path, "/services/%ld", id);
    struct res r;
    get_ok(s, path, cookie, 200, &r);
    char *field = input_value(r.body, "csrf");
    assert_non_null(field);
    if (body_out != NULL)
        *body_out = strdup(r.body);
    res_free(&r);
    return field;
}

/* The newest inquiry of a provider, through the library as its staff would read it. */
static struct sm_inquiry_list *inquiries_of(const struct srv *s, int64_t provider_id)
{
    struct sm_store *store = open_store(s);
    struct sm_registry_who staff = {
        .user_id = 1, .name = "staff", .role = SM_ROLE_PROVIDER, .provider_id = provider_id
    };
    struct sm_inquiry_list *list = NULL;
    struct sm_diag d;
    assert_int_equal(sm_inquiries(store, &staff, provider_id, &list, &d), SM_OK);
    sm_store_free(store);
    return list;
}

static const char valid_form[] =
    "name=%E5%B1%B1%E7%94%B0+%E8%8A%B1%E5%AD%90&company=%E5%B1%B1%E7%94%B0%E5%95%86%E5%BA%97"
    "&email=hanako%40example.com&phone=011-000-0000&prefecture=01"
    "&message=%E8%A6%8B%E7%A9%8D%E3%82%82%E3%82%8A%E3%82%92%E3%81%8A%E9%A1%98%E3%81%84";

static void inquiry_csrf(void **state)
{
    struct srv *s = *state;
    int64_t provider = 0;
    int64_t id = any_id(s, HOKKAIDO_EDR, &provider);
    char path[64], body[1024], cookie[128];
    snprintf(path, sizeof path, "/services/%lld/inquiry", (long long)id);
    char *token = page_csrf(s, (long)id, NULL, NULL);
    struct res r;
    /* No cookie, a wrong field, no field: refused, nothing stored. */
    snprintf(body, sizeof body, "csrf=%s&%s", token, valid_form);
    assert_int_equal(http_post_form(s, path, NULL, body, &r), 0);
    assert_int_equal(r.status, 403);
    res_free(&r);
    snprintf(cookie, sizeof cookie, "sm_csrf=%s", token);
    snprintf(body, sizeof body, "csrf=%.*sX&%s", (int)strlen(token) - 1, token, valid_form);
    assert_int_equal(http_post_form(s, path, cookie, body, &r), 0);
    assert_int_equal(r.status, 403);
    res_free(&r);
    snprintf(body, sizeof body, "%s", valid_form);
    assert_int_equal(http_post_form(s, path, cookie, body, &r), 0);
    assert_int_equal(r.status, 403);
    res_free(&r);
    struct sm_inquiry_list *list = inquiries_of(s, provider);
    size_t before = list->n;
    sm_inquiry_list_free(list);

    /* Matching cookie and field: stored, and the visitor is sent to the thank-you page. */
    snprintf(body, sizeof body, "csrf=%s&%s", token, valid_form);
    assert_int_equal(http_post_form(s, path, cookie, body, &r), 0);
    assert_int_equal(r.status, 303);
    char want[96];
    snprintf(want, sizeof want, "/services/%lld/inquiry/sent", (long long)id);
    assert_header_is(&r, "Location", want);
    res_free(&r);
    get_ok(s, want, NULL, 200, &r);
    assert_contains(r.body, "お問い合わせを送信しました");
    assert_contains(r.body, "role=\"status\"");
    assert_lacks(r.body, "hanako");
    res_free(&r);
    list = inquiries_of(s, provider);
    assert_int_equal(list->n, before + 1);
    assert_string_equal(list->items[0].name, "山田 花子");
    assert_string_equal(list->items[0].company, "山田商店");
    assert_string_equal(list->items[0].email, "hanako@example.com");
    assert_string_equal(list->items[0].phone, "011-000-0000");
    assert_string_equal(list->items[0].prefecture, "01");
    assert_string_equal(list->items[0].message, "見積もりをお願い");
    assert_int_equal(list->items[0].service_id, id);
    assert_int_equal(list->items[0].referrer, SM_REF_DIRECT);
    assert_null(list->items[0].utm_source);
    sm_inquiry_list_free(list);
    free(token);
}

static void inquiry_validation_keeps_input(void **state)
{
    struct srv *s = *state;
    int64_t provider = 0;
    int64_t id = any_id(s, HOKKAIDO_EDR, &provider);
    char *token = page_csrf(s, (long)id, NULL, NULL);
    char path[64], body[1024], cookie[128];
    snprintf(path, sizeof path, "/services/%lld/inquiry", (long long)id);
    snprintf(cookie, sizeof cookie, "sm_csrf=%s", token);
    snprintf(body, sizeof body,
             "csrf=%s&name=&company=%%E5%%B1%%B1%%E7%%94%%B0%%E5%%95%%86%%E5%%BA%%97"
             "&email=not-an-address&phone=abc&prefecture=99&message=",
             token);
    struct res r;
    assert_int_equal(http_post_form(s, path, cookie, body, &r), 0);
    assert_int_equal(r.status, 400);
    assert_contains(r.body, "role=\"alert\"");
    assert_contains(r.body, "入力内容を確認してください。");
    assert_contains(r.body, "<a href=\"#inq-name\">お名前を入力してください。</a>");
    assert_contains(r.body, "<a href=\"#inq-email\">メールアドレスの形式が正しくありません");
    assert_contains(r.body, "<a href=\"#inq-phone\">");
    assert_contains(r.body, "<a href=\"#inq-prefecture\">");
    assert_contains(r.body, "<a href=\"#inq-message\">お問い合わせの内容を入力してください。</a>");
    /* The values are kept, each bad field is marked and described. */
    assert_contains(r.body, "name=\"company\" value=\"山田商店\"");
    assert_contains(r.body, "name=\"email\" value=\"not-an-address\"");
    assert_contains(r.body, "aria-invalid=\"true\" aria-describedby=\"inq-email-error\"");
    assert_contains(r.body, "<span class=\"field-error\" id=\"inq-name-error\">");
    assert_contains(r.body, "name=\"csrf\" value=\"");
    res_free(&r);
    /* In English too. */
    snprintf(cookie, sizeof cookie, "sm_csrf=%s; lang=en", token);
    assert_int_equal(http_post_form(s, path, cookie, body, &r), 0);
    assert_int_equal(r.status, 400);
    assert_contains(r.body, "Enter your name.");
    res_free(&r);
    /* Nothing was stored. */
    struct sm_inquiry_list *list = inquiries_of(s, provider);
    for (size_t i = 0; i < list->n; i++)
        assert_string_not_equal(list->items[i].email, "not-an-address");
    sm_inquiry_list_free(list);
    /* A form that is not urlencoded is refused. */
    assert_int_equal(http_full(s, "POST", path, cookie, "text/plain", "x", 1, NULL, &r), 0);
    assert_int_equal(r.status, 415);
    res_free(&r);
    free(token);
}

static void inquiry_stores_channel(void **state)
{
    struct srv *s = *state;
    int64_t provider = 0;
    int64_t id = any_id(s, HOKKAIDO_EDR, &provider);
    /* The visitor lands on the search from a newspaper advertisement's link, coming from a
     * search engine. */
    struct res r;
    assert_int_equal(http_full(s, "GET",
                               "/services?prefecture=01&utm_source=nikkei-sangyo"
                               "&utm_medium=print&utm_campaign=2022-11-ad",
                               NULL, NULL, NULL, 0, "Referer: https://www.google.co.jp/", &r),
                     0);
    assert_int_equal(r.status, 200);
    char *src = set_cookie_value(&r, "sm_src");
    assert_non_null(src);
    assert_string_equal(src, "1.nikkei-sangyo.print.2022-11-ad.search");
    char *line = set_cookie_line(&r, "sm_src");
    assert_contains(line, "Max-Age=2592000");
    assert_contains(line, "HttpOnly");
    free(line);
    res_free(&r);

    /* First touch: a later landing does not replace it. */
    char cookie[256];
    snprintf(cookie, sizeof cookie, "sm_src=%s", src);
    assert_int_equal(http_full(s, "GET", "/services?utm_source=other", cookie, NULL, NULL, 0,
                               "Referer: https://www.facebook.com/", &r),
                     0);
    assert_null(set_cookie_line(&r, "sm_src"));
    res_free(&r);

    /* The service page carries the channel into the form. */
    char *body_html = NULL;
    char *token = page_csrf(s, (long)id, cookie, &body_html);
    assert_contains(body_html, "name=\"utm_source\" value=\"nikkei-sangyo\"");
    assert_contains(body_html, "name=\"utm_medium\" value=\"print\"");
    assert_contains(body_html, "name=\"utm_campaign\" value=\"2022-11-ad\"");
    assert_contains(body_html, "name=\"ref\" value=\"search\"");
    free(body_html);

    char path[64], body[2048];
    snprintf(path, sizeof path, "/services/%lld/inquiry", (long long)id);
    snprintf(cookie, sizeof cookie, "sm_csrf=%s; sm_src=%s", token, src);
    snprintf(body, sizeof body,
             "csrf=%s&utm_source=nikkei-sangyo&utm_medium=print&utm_campaign=2022-11-ad"
             "&ref=search&%s",
             token, valid_form);
    assert_int_equal(http_post_form(s, path, cookie, body, &r), 0);
    assert_int_equal(r.status, 303);
    res_free(&r);
    struct sm_inquiry_list *list = inquiries_of(s, provider);
    assert_string_equal(list->items[0].utm_source, "nikkei-sangyo");
    assert_string_equal(list->items[0].utm_medium, "print");
    assert_string_equal(list->items[0].utm_campaign, "2022-11-ad");
    assert_int_equal(list->items[0].referrer, SM_REF_SEARCH);
    sm_inquiry_list_free(list);

    /* Without hidden fields (an older form), the cookie says where the visitor came from;
     * a government site is its own kind. */
    snprintf(cookie, sizeof cookie, "sm_csrf=%s; sm_src=1.ipa.referral..government", token);
    snprintf(body, sizeof body, "csrf=%s&%s", token, valid_form);
    assert_int_equal(http_post_form(s, path, cookie, body, &r), 0);
    assert_int_equal(r.status, 303);
    res_free(&r);
    list = inquiries_of(s, provider);
    assert_string_equal(list->items[0].utm_source, "ipa");
    assert_string_equal(list->items[0].utm_medium, "referral");
    assert_null(list->items[0].utm_campaign);
    assert_int_equal(list->items[0].referrer, SM_REF_GOVERNMENT);
    sm_inquiry_list_free(list);

    /* A landing from a news site straight onto a service page. */
    char landing[96];
    snprintf(landing, sizeof landing, "/services/%lld?utm_source=yahoo-news&utm_medium=display",
             (long long)id);
    assert_int_equal(http_full(s, "GET", landing, NULL, NULL, NULL, 0,
                               "Referer: https://news.yahoo.co.jp/articles/x", &r),
                     0);
    char *src2 = set_cookie_value(&r, "sm_src");
    assert_string_equal(src2, "1.yahoo-news.display..other");
    assert_contains(r.body, "name=\"utm_source\" value=\"yahoo-news\"");
    assert_contains(r.body, "name=\"ref\" value=\"other\"");
    free(src2);
    res_free(&r);
    free(token);
    free(src);
}

static void inquiry_rate_limit(void **state)
{
    struct srv *s = *state;
    int64_t provider = 0;
    int64_t id = any_id(s, HOKKAIDO_EDR, &provider);
    char *token = page_csrf(s, (long)id, NULL, NULL);
    char path[64], body[1024], cookie[128];
    snprintf(path, sizeof path, "/services/%lld/inquiry", (long long)id);
    snprintf(cookie, sizeof cookie, "sm_csrf=%s", token);
    snprintf(body, sizeof body, "csrf=%s&%s", token, valid_form);
    struct sm_inquiry_list *list = inquiries_of(s, provider);
    size_t before = list->n;
    sm_inquiry_list_free(list);
    struct res r;
    for (int i = 0; i < 5; i++) {
        assert_int_equal(http_post_form(s, path, cookie, body, &r), 0);
        assert_int_equal(r.status, 303);
        res_free(&r);
    }
    assert_int_equal(http_post_form(s, path, cookie, body, &r), 0);
    assert_int_equal(r.status, 429);
    char *retry = header(&r, "Retry-After");
    assert_non_null(retry);
    long seconds = strtol(retry, NULL, 10);
    assert_true(seconds >= 1 && seconds <= 600);
    free(retry);
    assert_contains(r.body, "role=\"alert\"");
    assert_contains(r.body, "短い時間に多くのお問い合わせが送られたため");
    assert_contains(r.body, "name=\"company\" value=\"山田商店\"");
    res_free(&r);
    list = inquiries_of(s, provider);
    assert_int_equal(list->n, before + 5);
    sm_inquiry_list_free(list);
    /* The form itself still shows, with the message for the next attempt. */
    get_ok(s, path, NULL, 200, &r);
    res_free(&r);
    free(token);
}

/* --- The cache --------------------------------------------------------------------------- */

static void cache_follows_the_registry(void **state)
{
    struct srv *s = *state;
    struct res r;
    get_ok(s, "/services?prefecture=01&type=network", NULL, 200, &r);
    assert_header_is(&r, "X-Cache", "miss");
    assert_contains(r.body, HOKKAIDO_UTM);
    res_free(&r);
    /* The same search spelt differently is the same entry. */
    get_ok(s, "/services?type=network&prefecture=01&onsite=0&devices=1&sort=", NULL, 200, &r);
    assert_header_is(&r, "X-Cache", "hit");
    res_free(&r);
    /* Another language is another entry. */
    get_ok(s, "/services?prefecture=01&type=network&lang=en", NULL, 200, &r);
    assert_header_is(&r, "X-Cache", "miss");
    assert_contains(r.body, "Network type");
    res_free(&r);
    json_t *j = get_json(s, "/api/v1/services?prefecture=01&type=network", 200);
    assert_true(has_name(services_of(j), HOKKAIDO_UTM));
    json_decref(j);
    assert_int_equal(http_get(s, "/api/v1/services?type=network&prefecture=01", NULL, &r), 0);
    assert_header_is(&r, "X-Cache", "hit");
    res_free(&r);

    /* An operator suspends the service (in another process): the next search misses the
     * cache and the service is gone, from the page and the API. */
    int64_t id = any_id(s, HOKKAIDO_UTM, NULL);
    struct sm_store *store = open_store(s);
    struct sm_registry_who op = sm_registry_who_system("test");
    struct sm_diag d;
    assert_int_equal(sm_registry_suspend(store, &op, id, "checking the contract", &d), SM_OK);
    get_ok(s, "/services?prefecture=01&type=network", NULL, 200, &r);
    assert_header_is(&r, "X-Cache", "miss");
    assert_lacks(r.body, HOKKAIDO_UTM);
    assert_contains(r.body, NATIONWIDE_UTM);
    res_free(&r);
    j = get_json(s, "/api/v1/services?prefecture=01&type=network", 200);
    assert_false(has_name(services_of(j), HOKKAIDO_UTM));
    json_decref(j);
    char path[64];
    snprintf(path, sizeof path, "/services/%lld", (long long)id);
    get_ok(s, path, NULL, 404, &r);
    res_free(&r);
    /* And back when reinstated. */
    assert_int_equal(sm_registry_reinstate(store, &op, id, "fine", &d), SM_OK);
    get_ok(s, "/services?prefecture=01&type=network", NULL, 200, &r);
    assert_contains(r.body, HOKKAIDO_UTM);
    res_free(&r);
    sm_store_free(store);
}

static void cache_never_mixes_visitors(void **state)
{
    struct srv *s = *state;
    assert_int_equal(srv_user_add(s, "hana", "operator", "花子オペレーター", "hana-password-1"), 0);
    const char *login = "{\"username\":\"hana\",\"password\":\"hana-password-1\"}";
    struct res r;
    assert_int_equal(http_full(s, "POST", "/api/v1/session", NULL, "application/json", login,
                               strlen(login), NULL, &r),
                     0);
    assert_int_equal(r.status, 200);
    char *token = set_cookie_value(&r, "sm_session");
    assert_non_null(token);
    res_free(&r);
    char cookie[160];
    snprintf(cookie, sizeof cookie, "sm_session=%s", token);

    /* The logged-in visitor first: the page shows who is logged in ... */
    get_ok(s, "/services?prefecture=01", cookie, 200, &r);
    assert_header_is(&r, "X-Cache", "miss");
    assert_contains(r.body, "花子オペレーター");
    res_free(&r);
    /* ... and an anonymous visitor never gets that page from the cache. */
    get_ok(s, "/services?prefecture=01", NULL, 200, &r);
    assert_lacks(r.body, "花子オペレーター");
    assert_contains(r.body, "<a href=\"/login\">");
    res_free(&r);
    get_ok(s, "/services?prefecture=01", NULL, 200, &r);
    assert_header_is(&r, "X-Cache", "hit");
    assert_lacks(r.body, "花子オペレーター");
    res_free(&r);
    /* The logged-in one again: the search from the cache, the header their own. */
    get_ok(s, "/services?prefecture=01", cookie, 200, &r);
    assert_header_is(&r, "X-Cache", "hit");
    assert_contains(r.body, "花子オペレーター");
    assert_contains(r.body, HOKKAIDO_EDR);
    res_free(&r);
    free(token);
}

/* --- The top page and the navigation ----------------------------------------------------- */

static void top_page_leads_here(void **state)
{
    struct srv *s = *state;
    struct res r;
    get_ok(s, "/", NULL, 200, &r);
    assert_contains(r.body, "<a href=\"/services?prefecture=01\">北海道</a>");
    assert_contains(r.body, "<a href=\"/services\">サービスを探す</a>");
    assert_contains(r.body, "<a href=\"/cases\">導入事例</a>");
    assert_contains(r.body, "<a href=\"/ransomware\">");
    /* Pages without parameters keep the plain language switch. */
    assert_contains(r.body, "href=\"?lang=en\" hreflang=\"en\"");
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
        cmocka_unit_test_setup_teardown(search_by_prefecture, setup, teardown),
        cmocka_unit_test_setup_teardown(search_filters, setup, teardown),
        cmocka_unit_test_setup_teardown(search_without_results_explains, setup, teardown),
        cmocka_unit_test_setup_teardown(search_pages, setup, teardown),
        cmocka_unit_test_setup_teardown(map_links_every_prefecture, setup, teardown),
        cmocka_unit_test_setup_teardown(search_in_english, setup, teardown),
        cmocka_unit_test_setup_teardown(search_bad_values_are_400, setup, teardown),
        cmocka_unit_test_setup_teardown(api_contract, setup, teardown),
        cmocka_unit_test_setup_teardown(api_nationwide_matches_every_prefecture, setup, teardown),
        cmocka_unit_test_setup_teardown(unlisted_services_stay_out, setup, teardown),
        cmocka_unit_test_setup_teardown(not_found_and_methods, setup, teardown),
        cmocka_unit_test_setup_teardown(service_page, setup, teardown),
        cmocka_unit_test_setup_teardown(ransomware_page, setup, teardown),
        cmocka_unit_test_setup_teardown(case_studies, setup, teardown),
        cmocka_unit_test_setup_teardown(inquiry_csrf, setup, teardown),
        cmocka_unit_test_setup_teardown(inquiry_validation_keeps_input, setup, teardown),
        cmocka_unit_test_setup_teardown(inquiry_stores_channel, setup, teardown),
        cmocka_unit_test_setup_teardown(inquiry_rate_limit, setup, teardown),
        cmocka_unit_test_setup_teardown(cache_follows_the_registry, setup, teardown),
        cmocka_unit_test_setup_teardown(cache_never_mixes_visitors, setup, teardown),
        cmocka_unit_test_setup_teardown(top_page_leads_here, setup, teardown),
    };
    int failed = 0;
    for (int i = 0; i < n; i++) {
        backend = names[i];
        char group[64];
        snprintf(group, sizeof(group), "public services site on %s", backend);
        failed += cmocka_run_group_tests_name(group, tests, NULL, NULL);
    }
    curl_global_cleanup();
    return failed ? 1 : 0;
}

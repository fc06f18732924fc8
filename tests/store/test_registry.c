/*
 * Storage-level tests of the Otasuketai registry, run on every backend: the review
 * workflow, hidden edits, public search and its filters, the renewal schedule and
 * reminders, the access rules, case studies, inquiries by channel, CSV import and export,
 * and the demo seed.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "smesec/smesec.h"
#include "store/sql.h"
#include "testdb.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define T0 "2030-06-01"

static const char *backend;
static const struct sm_actor cli = { .user_id = 0, .name = "test" };

static int setup(void **state)
{
    struct sm_test_db *db = calloc(1, sizeof *db);
    if (!db || sm_test_db_open(db, backend, true) != SM_OK) {
        free(db);
        return -1;
    }
    *state = db;
    return 0;
}

static int teardown(void **state)
{
    struct sm_test_db *db = *state;
    sm_test_db_close(db);
    free(db);
    return 0;
}

static struct sm_store *store_of(void **state)
{
    return ((struct sm_test_db *)*state)->store;
}

static struct sm_registry_who operator_who(void)
{
    return sm_registry_who_system("test-operator");
}

static struct sm_registry_who reviewer_who(void)
{
    struct sm_registry_who w = { .user_id = 0, .name = "test-reviewer", .role = SM_ROLE_REVIEWER };
    return w;
}

static struct sm_registry_who staff_of(int64_t provider_id)
{
    struct sm_registry_who w = {
        .user_id = 0, .name = "test-staff", .role = SM_ROLE_PROVIDER, .provider_id = provider_id
    };
    return w;
}

static const char *date_plus(const char *date, int days, char out[SM_DATE_SIZE])
{
    int32_t d = 0;
    assert_int_equal(sm_date_parse(date, &d), SM_OK);
    sm_date_format(d + days, out);
    return out;
}

static int64_t add_provider(struct sm_store *s, const char *name, const char *email)
{
    struct sm_registry_who op = operator_who();
    struct sm_provider p = { .name = name, .contact_email = email, .head_office_pref = "13" };
    struct sm_diag d;
    int64_t id = 0;
    assert_int_equal(sm_registry_provider_add(s, &op, &p, &id, &d), SM_OK);
    return id;
}

/* A class-1 network service content that meets every automatic requirement. */
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

/* Judges every requirement left to a reviewer a pass. */
static void judge_all(struct sm_store *s, int64_t app)
{
    struct sm_registry_who rv = reviewer_who(), op = operator_who();
    struct sm_registry_application *a = NULL;
    struct sm_diag d;
    assert_int_equal(sm_registry_application_get(s, &op, app, &a, &d), SM_OK);
    for (size_t i = 0; i < a->n_checks; i++)
        if (a->checks[i].verdict == SM_VERDICT_JUDGEMENT)
            assert_int_equal(sm_registry_judge(s, &rv, app, a->checks[i].requirement_id,
                                               SM_VERDICT_PASS, "evidence seen", &d),
                             SM_OK);
    sm_registry_application_free(a);
}

/* Applies for, reviews and registers a new service on today; returns its id. */
static int64_t register_service(struct sm_store *s, int64_t provider,
                                const struct sm_service_content *c, const char *today)
{
    struct sm_registry_who staff = staff_of(provider), rv = reviewer_who();
    struct sm_diag d;
    int64_t app = 0, svc = 0;
    assert_int_equal(sm_registry_apply(s, &staff, SM_APP_NEW, provider, c, today, &app, &svc, &d),
                     SM_OK);
    judge_all(s, app);
    int rc = sm_registry_decide(s, &rv, app, SM_DECIDE_APPROVE, NULL, today, &d);
    if (rc)
        fail_msg("approve: %s", d.msg);
    return svc;
}

static struct sm_registry_results *search(struct sm_store *s, const char *today,
                                          const char *const *params)
{
    struct sm_registry_query q;
    struct sm_registry_results *r = NULL;
    struct sm_diag d;
    sm_registry_query_init(&q);
    memcpy(q.today, today, SM_DATE_SIZE);
    for (size_t i = 0; params && params[i]; i += 2)
        assert_int_equal(sm_registry_query_set(&q, params[i], params[i + 1], &d), SM_OK);
    int rc = sm_registry_search(s, &q, &r, &d);
    if (rc)
        fail_msg("search: %s", d.msg);
    return r;
}

/* The names of the hits joined by ',', in order. */
static const char *names(const struct sm_registry_results *r, char *buf, size_t size)
{
    buf[0] = '\0';
    for (size_t i = 0; i < r->n; i++) {
        size_t used = strlen(buf);
        snprintf(buf + used, size - used, "%s%s", i ? "," : "", r->hits[i].name);
    }
    return buf;
}

static const char *search_names(struct sm_store *s, const char *today, const char *const *params,
                                char *buf, size_t size)
{
    struct sm_registry_results *r = search(s, today, params);
    names(r, buf, size);
    sm_registry_results_free(r);
    return buf;
}

/* --- Review workflow ------------------------------------------------------------------- */

static void review_registers_with_number_and_renewal_date(void **state)
{
    struct sm_store *s = store_of(state);
    struct sm_diag d;
    int64_t prov = add_provider(s, "p1", "p1@example.com");
    struct sm_registry_who staff = staff_of(prov), rv = reviewer_who(), op = operator_who();
    struct sm_service_content c;
    good_content(&c, "alpha");
    int64_t app = 0, svc = 0;
    assert_int_equal(sm_registry_apply(s, &staff, SM_APP_NEW, prov, &c, T0, &app, &svc, &d), SM_OK);

    /* The application carries its report; judgement items block approval. */
    struct sm_registry_application *a = NULL;
    assert_int_equal(sm_registry_application_get(s, &staff, app, &a, &d), SM_OK);
    assert_int_equal(a->state, SM_APP_SUBMITTED);
    assert_string_equal(a->standard_version, "2.0");
    assert_true(a->n_checks >= 8);
    assert_false(a->approvable);
    sm_registry_application_free(a);
    assert_int_equal(sm_registry_decide(s, &rv, app, SM_DECIDE_APPROVE, NULL, T0, &d), SM_EINVAL);
    assert_non_null(strstr(d.msg, "has not passed"));
    /* Providers neither judge nor decide; rejections need a reason. */
    assert_int_equal(sm_registry_judge(s, &staff, app, "ease-of-use", SM_VERDICT_PASS, NULL, &d),
                     SM_EPERM);
    assert_int_equal(sm_registry_decide(s, &staff, app, SM_DECIDE_APPROVE, NULL, T0, &d), SM_EPERM);
    assert_int_equal(sm_registry_decide(s, &rv, app, SM_DECIDE_REJECT, "", T0, &d), SM_EINVAL);
    assert_int_equal(sm_registry_judge(s, &rv, app, "ease-of-use", SM_VERDICT_FAIL, NULL, &d),
                     SM_EINVAL);

    judge_all(s, app);
    assert_int_equal(sm_registry_application_get(s, &rv, app, &a, &d), SM_OK);
    assert_int_equal(a->state, SM_APP_UNDER_REVIEW);
    assert_true(a->approvable);
    sm_registry_application_free(a);
    /* Not listed before approval. */
    struct sm_registry_service *pub = NULL;
    assert_int_equal(sm_registry_service_public(s, svc, T0, &pub, &d), SM_ENOTFOUND);

    assert_int_equal(sm_registry_decide(s, &rv, app, SM_DECIDE_APPROVE, "ok", T0, &d), SM_OK);
    assert_int_equal(sm_registry_service_public(s, svc, T0, &pub, &d), SM_OK);
    char expect[32];
    snprintf(expect, sizeof expect, "OTS-2030-%05lld", (long long)svc);
    assert_string_equal(pub->registration_no, expect);
    assert_string_equal(pub->registered_on, T0);
    assert_string_equal(pub->renewal_on, "2032-06-01");
    assert_int_equal(pub->status, SM_SVC_REGISTERED);
    assert_true(pub->listed);
    assert_string_equal(pub->content.name, "alpha");
    assert_int_equal(pub->open_application, 0);
    sm_registry_service_free(pub);

    /* The provider's first class-1 registration is recorded, and a message was posted. */
    struct sm_provider_list *pl = NULL;
    assert_int_equal(sm_registry_providers(s, prov, &pl, &d), SM_OK);
    assert_string_equal(pl->items[0].class1_first_on, T0);
    sm_provider_list_free(pl);
    struct sm_registry_message_list *ml = NULL;
    assert_int_equal(sm_registry_messages(s, &staff, prov, &ml, &d), SM_OK);
    assert_int_equal(ml->n, 1);
    assert_string_equal(ml->items[0].kind, "application_approve");
    sm_registry_message_list_free(ml);
    long n = 0;
    assert_int_equal(sm_audit_count(s, "application.decide", &n, &d), SM_OK);
    assert_int_equal(n, 1);
    /* The renewal cycle is a setting. */
    assert_int_equal(sm_registry_set_renewal_months(s, &op, 36, &d), SM_OK);
    assert_int_equal(sm_registry_set_renewal_months(s, &staff, 12, &d), SM_EPERM);
    assert_int_equal(sm_registry_set_renewal_months(s, &op, 0, &d), SM_EINVAL);
    int months = 0;
    assert_int_equal(sm_registry_renewal_months(s, &months, &d), SM_OK);
    assert_int_equal(months, 36);
    assert_false(sm_store_in_transaction(s));
}

static void failed_auto_checks_cannot_be_judged_away(void **state)
{
    struct sm_store *s = store_of(state);
    struct sm_diag d;
    int64_t prov = add_provider(s, "p1", NULL);
    struct sm_registry_who staff = staff_of(prov), rv = reviewer_who();
    struct sm_service_content c;
    good_content(&c, "remote only");
    c.onsite = SM_TRI_NO;
    c.remote_support = SM_TRI_YES;
    int64_t app = 0, svc = 0;
    assert_int_equal(sm_registry_apply(s, &staff, SM_APP_NEW, prov, &c, T0, &app, &svc, &d), SM_OK);
    struct sm_registry_application *a = NULL;
    assert_int_equal(sm_registry_application_get(s, &rv, app, &a, &d), SM_OK);
    bool seen = false;
    for (size_t i = 0; i < a->n_checks; i++) {
        if (strcmp(a->checks[i].requirement_id, "onsite-response") == 0) {
            seen = true;
            assert_int_equal(a->checks[i].verdict, SM_VERDICT_FAIL);
            assert_non_null(strstr(a->checks[i].reason_en, "Remote support only"));
            assert_non_null(a->checks[i].req);
        }
    }
    assert_true(seen);
    sm_registry_application_free(a);
    assert_int_equal(sm_registry_judge(s, &rv, app, "onsite-response", SM_VERDICT_PASS, "x", &d),
                     SM_EINVAL);
    judge_all(s, app);
    assert_int_equal(sm_registry_decide(s, &rv, app, SM_DECIDE_APPROVE, NULL, T0, &d), SM_EINVAL);
    assert_non_null(strstr(d.msg, "onsite-response"));

    /* Sent back, amended, and then it passes. */
    assert_int_equal(
        sm_registry_decide(s, &rv, app, SM_DECIDE_REQUEST_CHANGES, "send an engineer", T0, &d),
        SM_OK);
    assert_int_equal(sm_registry_judge(s, &rv, app, "ease-of-use", SM_VERDICT_PASS, NULL, &d),
                     SM_EINVAL);
    c.onsite = SM_TRI_YES;
    struct sm_registry_who other = staff_of(prov + 1000);
    assert_int_equal(sm_registry_amend(s, &other, app, &c, T0, &d), SM_EPERM);
    assert_int_equal(sm_registry_amend(s, &staff, app, &c, T0, &d), SM_OK);
    assert_int_equal(sm_registry_application_get(s, &staff, app, &a, &d), SM_OK);
    assert_int_equal(a->state, SM_APP_SUBMITTED);
    for (size_t i = 0; i < a->n_checks; i++)
        assert_int_not_equal(a->checks[i].verdict, SM_VERDICT_FAIL);
    sm_registry_application_free(a);
    judge_all(s, app);
    assert_int_equal(sm_registry_decide(s, &rv, app, SM_DECIDE_APPROVE, NULL, T0, &d), SM_OK);

    /* A rejected new service stays rejected; one open application per service. */
    int64_t app2 = 0, svc2 = 0;
    assert_int_equal(sm_registry_apply(s, &staff, SM_APP_NEW, prov, &c, T0, &app2, &svc2, &d),
                     SM_OK);
    assert_int_equal(sm_registry_decide(s, &rv, app2, SM_DECIDE_REJECT, "duplicate", T0, &d),
                     SM_OK);
    struct sm_registry_service *g = NULL;
    assert_int_equal(sm_registry_service_get(s, &staff, svc2, true, T0, &g, &d), SM_OK);
    assert_int_equal(g->status, SM_SVC_REJECTED);
    sm_registry_service_free(g);
    assert_int_equal(sm_registry_apply(s, &staff, SM_APP_CHANGE, svc, &c, T0, &app2, NULL, &d),
                     SM_OK);
    assert_int_equal(sm_registry_apply(s, &staff, SM_APP_CHANGE, svc, &c, T0, NULL, NULL, &d),
                     SM_EEXIST);
    assert_int_equal(sm_registry_cancel(s, &staff, app2, &d), SM_OK);
    assert_int_equal(sm_registry_cancel(s, &staff, app2, &d), SM_EINVAL);
}

static void edits_stay_hidden_until_approved(void **state)
{
    struct sm_store *s = store_of(state);
    struct sm_diag d;
    char buf[512];
    int64_t prov = add_provider(s, "p1", NULL);
    struct sm_registry_who staff = staff_of(prov), rv = reviewer_who();
    struct sm_service_content c;
    good_content(&c, "before");
    int64_t gen0 = -1, gen1 = -1, gen2 = -1;
    assert_int_equal(sm_registry_listing_generation(s, &gen0, &d), SM_OK);
    int64_t svc = register_service(s, prov, &c, T0);
    const char *const tokyo[] = { "prefecture", "13", NULL };
    assert_string_equal(search_names(s, T0, tokyo, buf, sizeof buf), "before");
    assert_int_equal(sm_registry_listing_generation(s, &gen1, &d), SM_OK);
    assert_true(gen1 > gen0);

    good_content(&c, "after");
    c.monthly_yen = 8000;
    c.prefectures = ((uint64_t)1 << 13) | ((uint64_t)1 << 27);
    int64_t app = 0;
    assert_int_equal(sm_registry_apply(s, &staff, SM_APP_CHANGE, svc, &c, T0, &app, NULL, &d),
                     SM_OK);
    /* An application changes nothing public, not even the generation. */
    assert_int_equal(sm_registry_listing_generation(s, &gen2, &d), SM_OK);
    assert_int_equal(gen2, gen1);
    /* The public still sees the approved version everywhere. */
    assert_string_equal(search_names(s, T0, tokyo, buf, sizeof buf), "before");
    const char *const osaka[] = { "prefecture", "27", NULL };
    assert_string_equal(search_names(s, T0, osaka, buf, sizeof buf), "");
    struct sm_registry_service *g = NULL;
    assert_int_equal(sm_registry_service_public(s, svc, T0, &g, &d), SM_OK);
    assert_string_equal(g->content.name, "before");
    assert_int_equal(g->content.monthly_yen, 9000);
    sm_registry_service_free(g);
    /* Behind login the pending version is there. */
    assert_int_equal(sm_registry_service_get(s, &staff, svc, true, T0, &g, &d), SM_OK);
    assert_string_equal(g->content.name, "after");
    assert_false(g->content_is_public);
    assert_int_equal(g->open_application, app);
    assert_int_equal(g->open_kind, SM_APP_CHANGE);
    sm_registry_service_free(g);

    judge_all(s, app);
    assert_int_equal(sm_registry_decide(s, &rv, app, SM_DECIDE_APPROVE, NULL, T0, &d), SM_OK);
    assert_string_equal(search_names(s, T0, osaka, buf, sizeof buf), "after");
    assert_int_equal(sm_registry_service_public(s, svc, T0, &g, &d), SM_OK);
    assert_int_equal(g->content.monthly_yen, 8000);
    assert_string_equal(g->renewal_on, "2032-06-01");
    sm_registry_service_free(g);
}

/* --- Search ---------------------------------------------------------------------------- */

/* Registers the search fixture through the operator's import. */
static void search_fixture(struct sm_store *s)
{
    struct sm_registry_who op = operator_who();
    struct sm_buf b;
    struct sm_diag d;
    struct sm_import_report *rep = NULL;
    sm_buf_init(&b, 1 << 20);
    assert_int_equal(sm_csv_put_record(&b, sm_registry_csv_columns, sm_registry_csv_n_columns, 0),
                     SM_OK);

    static const struct {
        const char *no, *status, *renewal, *name, *cls, *type, *prefs, *monthly, *device, *onsite,
            *devices;
    } rows[] = {
        { "S1", "registered", "2031-01-01", "s1-net", "1", "network", "13", "9000", "", "yes",
          "utm,effective,,,," },
        { "S2", "registered", "2031-01-01", "s2-edr", "1", "endpoint", "13;14", "", "1500", "",
          "edr,partial,,,," },
        { "S3", "renewal_due", "2030-07-01", "s3-both", "2", "combined", "nationwide", "20000",
          "3000", "yes", "edr,effective,,,," },
        { "S4", "registered", "2030-05-31", "s4-lapsed", "1", "network", "01", "5000", "", "yes",
          "" },
        { "S5", "suspended", "2031-01-01", "s5-suspended", "1", "network", "13", "4000", "", "yes",
          "" },
        { "S6", "registered", "2031-01-01", "s6-noprice", "1", "endpoint", "13", "", "", "yes",
          "" },
        { "S7", "withdrawn", "2031-01-01", "s7-withdrawn", "1", "network", "27", "6000", "", "yes",
          "" },
        { "S8", "registered", T0, "s8-last-day", "1", "network", "01", "7000", "", "no", "" },
    };

    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        const char *cells[64] = { 0 };
        for (size_t k = 0; k < sm_registry_csv_n_columns; k++) {
            const char *col = sm_registry_csv_columns[k];
            const char *v = "";
            if (!strcmp(col, "registration_no"))
                v = rows[i].no;
            else if (!strcmp(col, "status"))
                v = rows[i].status;
            else if (!strcmp(col, "registered_on"))
                v = "2029-01-01";
            else if (!strcmp(col, "renewal_on"))
                v = rows[i].renewal;
            else if (!strcmp(col, "provider"))
                v = i % 2 ? "odd provider" : "even provider";
            else if (!strcmp(col, "name"))
                v = rows[i].name;
            else if (!strcmp(col, "class"))
                v = rows[i].cls;
            else if (!strcmp(col, "type"))
                v = rows[i].type;
            else if (!strcmp(col, "prefectures"))
                v = rows[i].prefs;
            else if (!strcmp(col, "monthly_yen"))
                v = rows[i].monthly;
            else if (!strcmp(col, "device_monthly_yen"))
                v = rows[i].device;
            else if (!strcmp(col, "onsite"))
                v = rows[i].onsite;
            else if (!strcmp(col, "devices"))
                v = rows[i].devices;
            cells[k] = v;
        }
        assert_int_equal(sm_csv_put_record(&b, cells, sm_registry_csv_n_columns, 0), SM_OK);
    }
    int rc = sm_registry_import_csv(s, &op, b.data, b.len, false, &rep, &d);
    if (rc)
        fail_msg("import: %s", d.msg);
    assert_int_equal(rep->created, 8);
    sm_import_report_free(rep);
    sm_buf_release(&b);
}

static void search_filters_and_sort(void **state)
{
    struct sm_store *s = store_of(state);
    char buf[512];
    search_fixture(s);
    /* Prefecture: local and nationwide, not suspended, withdrawn or lapsed. */
    const char *const p13[] = { "prefecture", "13", NULL };
    assert_string_equal(search_names(s, T0, p13, buf, sizeof buf),
                        "s1-net,s2-edr,s6-noprice,s3-both");
    const char *const p14[] = { "prefecture", "14", NULL };
    assert_string_equal(search_names(s, T0, p14, buf, sizeof buf), "s2-edr,s3-both");
    const char *const p01[] = { "prefecture", "01", NULL };
    assert_string_equal(search_names(s, T0, p01, buf, sizeof buf), "s8-last-day,s3-both");
    const char *const p47[] = { "prefecture", "47", NULL };
    assert_string_equal(search_names(s, T0, p47, buf, sizeof buf), "s3-both");
    /* Everything listed. */
    assert_string_equal(search_names(s, T0, NULL, buf, sizeof buf),
                        "s1-net,s2-edr,s6-noprice,s8-last-day,s3-both");
    /* The day after its renewal date a service has lapsed, by the query alone. */
    char next[SM_DATE_SIZE];
    assert_string_equal(search_names(s, date_plus(T0, 1, next), p01, buf, sizeof buf), "s3-both");

    const char *const endpoint[] = { "type", "endpoint", NULL };
    assert_string_equal(search_names(s, T0, endpoint, buf, sizeof buf), "s2-edr,s6-noprice");
    const char *const class2[] = { "class", "2", NULL };
    assert_string_equal(search_names(s, T0, class2, buf, sizeof buf), "s3-both");
    const char *const onsite[] = { "prefecture", "13", "onsite", "1", NULL };
    assert_string_equal(search_names(s, T0, onsite, buf, sizeof buf), "s1-net,s6-noprice,s3-both");
    const char *const ransom[] = { "ransomware", "1", NULL };
    assert_string_equal(search_names(s, T0, ransom, buf, sizeof buf), "s1-net,s3-both");
    /* Price: endpoint services compare per device by default, unknown prices never match. */
    const char *const cheap[] = { "max_price", "2000", NULL };
    assert_string_equal(search_names(s, T0, cheap, buf, sizeof buf), "s2-edr");
    const char *const ten[] = { "max_price", "16000", "devices", "10", NULL };
    assert_string_equal(search_names(s, T0, ten, buf, sizeof buf), "s1-net,s2-edr,s8-last-day");
    const char *const sorted[] = { "prefecture", "13", "sort", "price", NULL };
    struct sm_registry_results *r = search(s, T0, sorted);
    assert_string_equal(names(r, buf, sizeof buf), "s2-edr,s1-net,s3-both,s6-noprice");
    assert_int_equal(r->hits[0].price, 1500);
    assert_int_equal(r->hits[2].price, 23000);
    assert_int_equal(r->hits[3].price, SM_UNKNOWN);
    assert_true(r->hits[2].nationwide);
    assert_int_equal(r->hits[2].ransomware, SM_EFFECT_EFFECTIVE);
    assert_int_equal(r->hits[2].status, SM_SVC_RENEWAL_DUE);
    assert_int_equal(r->hits[0].prefectures, ((uint64_t)1 << 13) | ((uint64_t)1 << 14));
    sm_registry_results_free(r);
    const char *const desc[] = { "prefecture", "13", "sort", "price_desc", NULL };
    assert_string_equal(search_names(s, T0, desc, buf, sizeof buf),
                        "s3-both,s1-net,s2-edr,s6-noprice");
    /* Pages: total counts every match. */
    const char *const page[] = { "prefecture", "13",     "sort", "price", "limit",
                                 "2",          "offset", "1",    NULL };
    r = search(s, T0, page);
    assert_string_equal(names(r, buf, sizeof buf), "s1-net,s3-both");
    assert_int_equal(r->total, 4);
    sm_registry_results_free(r);

    /* Bad parameters are refused with a reason. */
    struct sm_registry_query q;
    struct sm_diag d;
    sm_registry_query_init(&q);
    assert_int_equal(sm_registry_query_set(&q, "prefecture", "48", &d), SM_EINVAL);
    assert_int_equal(sm_registry_query_set(&q, "type", "cloud", &d), SM_EINVAL);
    assert_int_equal(sm_registry_query_set(&q, "class", "3", &d), SM_EINVAL);
    assert_int_equal(sm_registry_query_set(&q, "max_price", "-1", &d), SM_EINVAL);
    assert_int_equal(sm_registry_query_set(&q, "limit", "0", &d), SM_EINVAL);
    assert_int_equal(sm_registry_query_set(&q, "color", "red", &d), SM_EINVAL);
    assert_non_null(strstr(d.msg, "color"));
    assert_int_equal(sm_registry_query_set(&q, "type", "", &d), SM_OK);
    assert_int_equal(q.monitoring, -1);
}

/* --- Renewal ------------------------------------------------------------------------- */

static size_t remind(struct sm_store *s, const char *today)
{
    struct sm_registry_who op = operator_who();
    struct sm_diag d;
    size_t sent = 99;
    int rc = sm_registry_remind(s, &op, today, &sent, NULL, &d);
    if (rc)
        fail_msg("remind: %s", d.msg);
    return sent;
}

static void renewal_schedule_reminders_and_lapse(void **state)
{
    struct sm_store *s = store_of(state);
    struct sm_diag d;
    char day[SM_DATE_SIZE], buf[512];
    int64_t prov = add_provider(s, "p1", "p1@example.com");
    struct sm_registry_who staff = staff_of(prov), rv = reviewer_who(), op = operator_who();
    struct sm_service_content c;
    good_content(&c, "renew me");
    int64_t svc = register_service(s, prov, &c, T0);
    const char *renewal = "2032-06-01";
    const char *const p13[] = { "prefecture", "13", NULL };

    /* The schedule: nothing due far ahead, then the 90/60/30 buckets and overdue. */
    struct sm_due_list *due = NULL;
    assert_int_equal(sm_registry_due(s, date_plus(renewal, -91, day), &due, &d), SM_OK);
    assert_int_equal(due->n, 0);
    sm_due_list_free(due);

    static const struct {
        int offset;
        enum sm_due_bucket bucket;
    } buckets[] = { { -90, SM_DUE_90 },   { -61, SM_DUE_90 }, { -60, SM_DUE_60 },
                    { -31, SM_DUE_60 },   { -30, SM_DUE_30 }, { 0, SM_DUE_30 },
                    { 1, SM_DUE_OVERDUE } };

    for (size_t i = 0; i < sizeof buckets / sizeof buckets[0]; i++) {
        assert_int_equal(sm_registry_due(s, date_plus(renewal, buckets[i].offset, day), &due, &d),
                         SM_OK);
        assert_int_equal(due->n, 1);
        assert_int_equal(due->items[0].bucket, buckets[i].bucket);
        assert_int_equal(due->items[0].days_left, -buckets[i].offset);
        assert_int_equal(due->items[0].service_id, svc);
        sm_due_list_free(due);
    }

    /* Reminders: 30 days before, 7 days before, 7 days after; each once. */
    assert_int_equal(remind(s, date_plus(renewal, -31, day)), 0);
    assert_int_equal(remind(s, date_plus(renewal, -30, day)), 1);
    assert_int_equal(remind(s, date_plus(renewal, -30, day)), 0);
    assert_int_equal(remind(s, date_plus(renewal, -29, day)), 0);
    struct sm_registry_service *g = NULL;
    assert_int_equal(sm_registry_service_get(s, &op, svc, false, day, &g, &d), SM_OK);
    assert_int_equal(g->status, SM_SVC_RENEWAL_DUE);
    sm_registry_service_free(g);
    assert_int_equal(remind(s, date_plus(renewal, -7, day)), 1);
    assert_int_equal(remind(s, date_plus(renewal, -3, day)), 0);
    assert_string_equal(search_names(s, renewal, p13, buf, sizeof buf), "renew me");
    /* The day after the renewal date it has lapsed and left the list without any job. */
    assert_string_equal(search_names(s, date_plus(renewal, 1, day), p13, buf, sizeof buf), "");
    assert_int_equal(sm_registry_service_public(s, svc, day, &g, &d), SM_ENOTFOUND);
    assert_int_equal(sm_registry_service_get(s, &op, svc, false, day, &g, &d), SM_OK);
    assert_int_equal(g->effective, SM_SVC_LAPSED);
    sm_registry_service_free(g);
    assert_int_equal(remind(s, date_plus(renewal, -1 + 7, day)), 0);
    assert_int_equal(remind(s, date_plus(renewal, 7, day)), 1);
    assert_int_equal(remind(s, date_plus(renewal, 7, day)), 0);
    assert_int_equal(remind(s, date_plus(renewal, 8, day)), 0);

    /* Portal messages and outbox mail, three of each (plus the approval's). */
    struct sm_registry_message_list *ml = NULL;
    assert_int_equal(sm_registry_messages(s, &staff, prov, &ml, &d), SM_OK);
    assert_int_equal(ml->n, 4);
    assert_string_equal(ml->items[0].kind, "renewal_after_7");
    assert_string_equal(ml->items[1].kind, "renewal_before_7");
    assert_string_equal(ml->items[2].kind, "renewal_before_30");
    assert_non_null(strstr(ml->items[0].body_en, "lapsed"));
    assert_int_equal(sm_registry_message_read(s, &staff, ml->items[0].id, 1, &d), SM_OK);
    struct sm_registry_who other = staff_of(prov + 1);
    assert_int_equal(sm_registry_message_read(s, &other, ml->items[0].id, 1, &d), SM_EPERM);
    sm_registry_message_list_free(ml);
    struct sm_outbox_list *ob = NULL;
    assert_int_equal(sm_outbox_pending(s, 10, &ob, &d), SM_OK);
    assert_int_equal(ob->n, 4);
    assert_string_equal(ob->items[1].to, "p1@example.com");
    assert_int_equal(sm_outbox_done(s, ob->items[0].id, 5, NULL, &d), SM_OK);
    assert_int_equal(sm_outbox_done(s, ob->items[0].id, 5, NULL, &d), SM_ENOTFOUND);
    assert_int_equal(sm_outbox_done(s, ob->items[1].id, 5, "smtp: refused", &d), SM_OK);
    sm_outbox_list_free(ob);
    assert_int_equal(sm_outbox_pending(s, 10, &ob, &d), SM_OK);
    assert_int_equal(ob->n, 3);
    assert_int_equal(ob->items[0].attempts, 1);
    assert_string_equal(ob->items[0].last_error, "smtp: refused");
    assert_int_equal(ob->items[0].sent_at, 0);
    sm_outbox_list_free(ob);
    /* The operator's read-only view: every mail, sent or not, newest first. */
    assert_int_equal(sm_outbox_recent(s, &staff, 10, &ob, &d), SM_EPERM);
    assert_int_equal(sm_outbox_recent(s, &rv, 10, &ob, &d), SM_EPERM);
    assert_int_equal(sm_outbox_recent(s, &op, 10, &ob, &d), SM_OK);
    assert_int_equal(ob->n, 4);
    assert_true(ob->items[0].id > ob->items[3].id);
    assert_int_equal(ob->items[3].sent_at, 5);
    assert_null(ob->items[3].last_error);
    assert_string_equal(ob->items[2].last_error, "smtp: refused");
    assert_true(ob->items[0].created_at > 0);
    sm_outbox_list_free(ob);
    assert_int_equal(sm_outbox_recent(s, &op, 2, &ob, &d), SM_OK);
    assert_int_equal(ob->n, 2);
    sm_outbox_list_free(ob);

    /* A lapsed registration cannot change, only renew; renewal brings it back. */
    assert_int_equal(sm_registry_apply(s, &staff, SM_APP_CHANGE, svc, &c, day, NULL, NULL, &d),
                     SM_EINVAL);
    int64_t app = 0;
    assert_int_equal(sm_registry_apply(s, &staff, SM_APP_RENEWAL, svc, NULL, day, &app, NULL, &d),
                     SM_OK);
    assert_int_equal(sm_registry_due(s, day, &due, &d), SM_OK);
    assert_true(due->items[0].renewal_open);
    sm_due_list_free(due);
    judge_all(s, app);
    assert_int_equal(sm_registry_decide(s, &rv, app, SM_DECIDE_APPROVE, NULL, day, &d), SM_OK);
    assert_string_equal(search_names(s, day, p13, buf, sizeof buf), "renew me");
    assert_int_equal(sm_registry_service_public(s, svc, day, &g, &d), SM_OK);
    /* Lapsed: the new cycle runs from the approval (renewal + 8 days, plus 24 months). */
    assert_string_equal(g->renewal_on, "2034-06-09");
    assert_int_equal(g->status, SM_SVC_REGISTERED);
    sm_registry_service_free(g);
    /* The new cycle's reminders are new. */
    assert_int_equal(remind(s, "2034-05-10"), 1);

    /* Renewed before it lapses, the next date runs on from the old one. */
    int64_t svc2 = register_service(s, prov, &c, T0);
    assert_int_equal(
        sm_registry_apply(s, &staff, SM_APP_RENEWAL, svc2, NULL, "2032-05-01", &app, NULL, &d),
        SM_OK);
    judge_all(s, app);
    assert_int_equal(sm_registry_decide(s, &rv, app, SM_DECIDE_APPROVE, NULL, "2032-05-01", &d),
                     SM_OK);
    assert_int_equal(sm_registry_service_public(s, svc2, "2032-05-01", &g, &d), SM_OK);
    assert_string_equal(g->renewal_on, "2034-06-01");
    sm_registry_service_free(g);
}

static void operator_suspends_and_withdraws(void **state)
{
    struct sm_store *s = store_of(state);
    struct sm_diag d;
    char buf[256];
    int64_t prov = add_provider(s, "p1", NULL);
    struct sm_registry_who staff = staff_of(prov), op = operator_who(), rv = reviewer_who();
    struct sm_service_content c;
    good_content(&c, "svc");
    int64_t svc = register_service(s, prov, &c, T0);
    const char *const p13[] = { "prefecture", "13", NULL };
    assert_int_equal(sm_registry_suspend(s, &staff, svc, "no", &d), SM_EPERM);
    assert_int_equal(sm_registry_suspend(s, &rv, svc, "no", &d), SM_EPERM);
    assert_int_equal(sm_registry_suspend(s, &op, svc, "", &d), SM_EINVAL);
    assert_int_equal(sm_registry_suspend(s, &op, svc, "complaint under review", &d), SM_OK);
    assert_string_equal(search_names(s, T0, p13, buf, sizeof buf), "");
    assert_int_equal(sm_registry_suspend(s, &op, svc, "again", &d), SM_EINVAL);
    assert_int_equal(sm_registry_reinstate(s, &op, svc, NULL, &d), SM_OK);
    assert_string_equal(search_names(s, T0, p13, buf, sizeof buf), "svc");
    int64_t app = 0;
    assert_int_equal(sm_registry_apply(s, &staff, SM_APP_CHANGE, svc, &c, T0, &app, NULL, &d),
                     SM_OK);
    assert_int_equal(sm_registry_withdraw(s, &op, svc, "provider left the scheme", &d), SM_OK);
    assert_string_equal(search_names(s, T0, p13, buf, sizeof buf), "");
    struct sm_registry_application *a = NULL;
    assert_int_equal(sm_registry_application_get(s, &op, app, &a, &d), SM_OK);
    assert_int_equal(a->state, SM_APP_WITHDRAWN);
    sm_registry_application_free(a);
    assert_int_equal(sm_registry_reinstate(s, &op, svc, NULL, &d), SM_EINVAL);
    long n = 0;
    assert_int_equal(sm_audit_count(s, "service.suspend", &n, &d), SM_OK);
    assert_int_equal(n, 1);
    assert_int_equal(sm_audit_count(s, "service.withdraw", &n, &d), SM_OK);
    assert_int_equal(n, 1);
}

/* --- Access rules ---------------------------------------------------------------------- */

static void providers_touch_only_their_own(void **state)
{
    struct sm_store *s = store_of(state);
    struct sm_diag d;
    int64_t a = add_provider(s, "provider a", NULL), b = add_provider(s, "provider b", NULL);
    struct sm_registry_who sa = staff_of(a), sb = staff_of(b), rv = reviewer_who();
    struct sm_registry_who analyst = { .name = "an", .role = SM_ROLE_ANALYST };
    struct sm_registry_who unlinked = staff_of(0);
    struct sm_service_content c;
    good_content(&c, "b's service");
    int64_t svc_b = register_service(s, b, &c, T0);

    assert_true(sm_registry_can_edit(&sb, b));
    assert_false(sm_registry_can_edit(&sa, b));
    assert_false(sm_registry_can_edit(&unlinked, 0));
    assert_false(sm_registry_can_edit(&rv, b));
    assert_true(sm_registry_can_view(&rv, b));
    assert_false(sm_registry_can_view(&analyst, b));
    assert_false(sm_registry_can_review(&sa));
    assert_false(sm_registry_can_operate(&rv));

    int64_t app = 0;
    assert_int_equal(sm_registry_apply(s, &sa, SM_APP_CHANGE, svc_b, &c, T0, &app, NULL, &d),
                     SM_EPERM);
    assert_int_equal(sm_registry_apply(s, &sa, SM_APP_NEW, b, &c, T0, &app, NULL, &d), SM_EPERM);
    assert_int_equal(sm_registry_apply(s, &rv, SM_APP_NEW, b, &c, T0, &app, NULL, &d), SM_EPERM);
    assert_int_equal(sm_registry_apply(s, &sb, SM_APP_CHANGE, svc_b, &c, T0, &app, NULL, &d),
                     SM_OK);
    assert_int_equal(sm_registry_amend(s, &sa, app, &c, T0, &d), SM_EPERM);
    assert_int_equal(sm_registry_cancel(s, &sa, app, &d), SM_EPERM);
    struct sm_registry_application *ap = NULL;
    assert_int_equal(sm_registry_application_get(s, &sa, app, &ap, &d), SM_EPERM);
    struct sm_registry_service *g = NULL;
    assert_int_equal(sm_registry_service_get(s, &sa, svc_b, true, T0, &g, &d), SM_EPERM);
    struct sm_registry_service_list *sl = NULL;
    assert_int_equal(sm_registry_services(s, &sa, b, T0, &sl, &d), SM_EPERM);
    assert_int_equal(sm_registry_services(s, &sa, 0, T0, &sl, &d), SM_EPERM);
    assert_int_equal(sm_registry_services(s, &sb, b, T0, &sl, &d), SM_OK);
    assert_int_equal(sl->n, 1);
    assert_int_equal(sl->items[0].open_application, app);
    assert_true(sl->items[0].listed);
    sm_registry_service_list_free(sl);
    struct sm_registry_application_list *al = NULL;
    assert_int_equal(sm_registry_applications(s, &sa, 0, true, &al, &d), SM_EPERM);
    assert_int_equal(sm_registry_applications(s, &rv, 0, true, &al, &d), SM_OK);
    assert_int_equal(al->n, 1);
    assert_string_equal(al->items[0].service_name, "b's service");
    sm_registry_application_list_free(al);
    struct sm_registry_message_list *ml = NULL;
    assert_int_equal(sm_registry_messages(s, &sa, b, &ml, &d), SM_EPERM);

    /* Provider details: own contact yes, others no, the registry's records stay. */
    struct sm_provider p = {
        .id = b, .name = "renamed", .contact_email = "new@example.com", .fictitious = true
    };
    assert_int_equal(sm_registry_provider_update(s, &sa, &p, &d), SM_EPERM);
    assert_int_equal(sm_registry_provider_update(s, &sb, &p, &d), SM_OK);
    struct sm_provider_list *pl = NULL;
    assert_int_equal(sm_registry_providers(s, b, &pl, &d), SM_OK);
    assert_string_equal(pl->items[0].name, "provider b");
    assert_string_equal(pl->items[0].contact_email, "new@example.com");
    assert_false(pl->items[0].fictitious);
    sm_provider_list_free(pl);
    p.name = "provider a";
    struct sm_registry_who op = operator_who();
    assert_int_equal(sm_registry_provider_update(s, &op, &p, &d), SM_EEXIST);
    assert_int_equal(sm_registry_provider_add(s, &sb, &p, NULL, &d), SM_EPERM);

    /* Users are linked to a provider; only 'provider' users can be. */
    int64_t uid = 0;
    assert_int_equal(
        sm_user_add(s, &cli, "staffer", NULL, SM_ROLE_PROVIDER, "password-1", &uid, &d), SM_OK);
    assert_int_equal(sm_user_add(s, &cli, "rev", NULL, SM_ROLE_REVIEWER, "password-1", NULL, &d),
                     SM_OK);
    assert_int_equal(sm_user_set_provider(s, &cli, "staffer", b, &d), SM_OK);
    assert_int_equal(sm_user_set_provider(s, &cli, "rev", b, &d), SM_EINVAL);
    assert_int_equal(sm_user_set_provider(s, &cli, "staffer", 99999, &d), SM_ENOTFOUND);
    assert_int_equal(sm_user_set_provider(s, &cli, "nobody", b, &d), SM_ENOTFOUND);
    struct sm_user *u = NULL;
    assert_int_equal(sm_user_get(s, "staffer", &u, &d), SM_OK);
    assert_int_equal(u->provider_id, b);
    struct sm_registry_who w = sm_registry_who_user(u);
    assert_true(sm_registry_can_edit(&w, b));
    assert_false(sm_registry_can_edit(&w, a));
    sm_user_free(u);
    /* The session carries it too. */
    char token[SM_TOKEN_SIZE];
    struct sm_session *sess = NULL;
    assert_int_equal(sm_session_create(s, uid, 1900000000, token, NULL, &d), SM_OK);
    assert_int_equal(sm_session_lookup(s, token, 1900000001, &sess, &d), SM_OK);
    assert_int_equal(sess->user->provider_id, b);
    sm_session_free(sess);
    assert_int_equal(sm_user_set_provider(s, &cli, "staffer", 0, &d), SM_OK);
    assert_int_equal(sm_user_get(s, "staffer", &u, &d), SM_OK);
    assert_int_equal(u->provider_id, 0);
    w = sm_registry_who_user(u);
    assert_false(sm_registry_can_edit(&w, b));
    sm_user_free(u);
}

/* --- Case studies ------------------------------------------------------------------------ */

static void case_study_workflow(void **state)
{
    struct sm_store *s = store_of(state);
    struct sm_diag d;
    int64_t a = add_provider(s, "provider a", NULL), b = add_provider(s, "provider b", NULL);
    struct sm_registry_who sa = staff_of(a), sb = staff_of(b), op = operator_who();
    struct sm_service_content c;
    good_content(&c, "a's service");
    int64_t svc = register_service(s, a, &c, T0);
    struct sm_case_study_in in = { .service_id = svc,
                                   .source = SM_CASE_WEBINAR,
                                   .title = "saved by the alarm",
                                   .body = "draft text",
                                   .industry = "製造業",
                                   .prefecture = "13" };
    int64_t id = 0;
    assert_int_equal(sm_case_study_draft(s, &sa, &in, &id, &d), SM_EPERM);
    assert_int_equal(sm_case_study_draft(s, &op, &in, &id, &d), SM_OK);

    struct sm_case_study_list *l = NULL;
    assert_int_equal(sm_case_studies(s, &sa, a, &l, &d), SM_OK);
    assert_int_equal(l->n, 0); /* the operator's draft is not shown yet */
    sm_case_study_list_free(l);
    assert_int_equal(sm_case_study_act(s, &op, id, SM_CASE_PUBLISH, NULL, &d), SM_EINVAL);
    assert_int_equal(sm_case_study_act(s, &sa, id, SM_CASE_SEND, NULL, &d), SM_EPERM);
    assert_int_equal(sm_case_study_act(s, &op, id, SM_CASE_SEND, NULL, &d), SM_OK);
    assert_int_equal(sm_case_studies(s, &sa, a, &l, &d), SM_OK);
    assert_int_equal(l->n, 1);
    assert_int_equal(l->items[0].state, SM_CASE_AWAITING_PROVIDER);
    sm_case_study_list_free(l);
    assert_int_equal(sm_case_studies(s, &sb, a, &l, &d), SM_EPERM);

    /* Only the service's own provider confirms or asks for changes, with a comment. */
    assert_int_equal(sm_case_study_act(s, &sb, id, SM_CASE_CONFIRM, NULL, &d), SM_EPERM);
    assert_int_equal(sm_case_study_act(s, &op, id, SM_CASE_CONFIRM, NULL, &d), SM_EPERM);
    assert_int_equal(sm_case_study_act(s, &sa, id, SM_CASE_REQUEST_CHANGES, "", &d), SM_EINVAL);
    assert_int_equal(
        sm_case_study_act(s, &sa, id, SM_CASE_REQUEST_CHANGES, "use our product name", &d), SM_OK);
    assert_int_equal(sm_case_studies(s, &op, 0, &l, &d), SM_OK);
    assert_int_equal(l->items[0].state, SM_CASE_CHANGES_REQUESTED);
    assert_string_equal(l->items[0].provider_comment, "use our product name");
    sm_case_study_list_free(l);
    in.body = "revised text";
    assert_int_equal(sm_case_study_edit(s, &op, id, &in, &d), SM_OK);
    assert_int_equal(sm_case_study_act(s, &op, id, SM_CASE_SEND, NULL, &d), SM_OK);
    assert_int_equal(sm_case_study_edit(s, &op, id, &in, &d), SM_EINVAL);
    assert_int_equal(sm_case_study_act(s, &sa, id, SM_CASE_CONFIRM, NULL, &d), SM_OK);

    /* Public only once published, and gone when unpublished. */
    assert_int_equal(sm_case_studies_public(s, svc, T0, 0, &l, &d), SM_OK);
    assert_int_equal(l->n, 0);
    sm_case_study_list_free(l);
    l = NULL;
    assert_int_equal(sm_case_study_public(s, id, T0, &l, &d), SM_ENOTFOUND);
    assert_null(l);
    assert_int_equal(sm_case_study_act(s, &sa, id, SM_CASE_PUBLISH, NULL, &d), SM_EPERM);
    assert_int_equal(sm_case_study_act(s, &op, id, SM_CASE_PUBLISH, NULL, &d), SM_OK);
    assert_int_equal(sm_case_studies_public(s, 0, T0, 0, &l, &d), SM_OK);
    assert_int_equal(l->n, 1);
    assert_string_equal(l->items[0].body, "revised text");
    assert_string_equal(l->items[0].service_name, "a's service");
    assert_true(l->items[0].published_at > 0);
    sm_case_study_list_free(l);
    /* One study by its id, only while published and its service listed. */
    assert_int_equal(sm_case_study_public(s, id, T0, &l, &d), SM_OK);
    assert_int_equal(l->n, 1);
    assert_int_equal(l->items[0].id, id);
    assert_int_equal(l->items[0].service_id, svc);
    assert_string_equal(l->items[0].title, "saved by the alarm");
    sm_case_study_list_free(l);
    assert_int_equal(sm_case_study_public(s, id + 1000, T0, &l, &d), SM_ENOTFOUND);
    assert_int_equal(sm_case_study_public(s, id, "2999-01-01", &l, &d), SM_ENOTFOUND);
    assert_int_equal(sm_case_study_public(s, id, "not a date", &l, &d), SM_EINVAL);
    assert_int_equal(sm_case_study_act(s, &op, id, SM_CASE_UNPUBLISH, NULL, &d), SM_OK);
    assert_int_equal(sm_case_study_public(s, id, T0, &l, &d), SM_ENOTFOUND);
    assert_int_equal(sm_case_studies_public(s, svc, T0, 0, &l, &d), SM_OK);
    assert_int_equal(l->n, 0);
    sm_case_study_list_free(l);
    /* The provider was told it had a draft to check, twice. */
    struct sm_registry_message_list *ml = NULL;
    assert_int_equal(sm_registry_messages(s, &sa, a, &ml, &d), SM_OK);
    size_t sent = 0;
    for (size_t i = 0; i < ml->n; i++)
        sent += strcmp(ml->items[i].kind, "case_study_sent") == 0;
    assert_int_equal(sent, 2);
    sm_registry_message_list_free(ml);
}

/* --- Inquiries ------------------------------------------------------------------------- */

static void inquiries_reach_only_their_provider(void **state)
{
    struct sm_store *s = store_of(state);
    struct sm_diag d;
    int64_t a = add_provider(s, "provider a", NULL), b = add_provider(s, "provider b", NULL);
    struct sm_registry_who sa = staff_of(a), sb = staff_of(b), op = operator_who();
    struct sm_service_content c;
    good_content(&c, "a's service");
    int64_t svc = register_service(s, a, &c, T0);
    struct sm_inquiry_in in = { .service_id = svc,
                                .name = "山田",
                                .company = "山田製作所",
                                .email = "y@example.com",
                                .message = "見積もりを",
                                .utm_source = "ipa",
                                .utm_medium = "referral",
                                .referrer = SM_REF_GOVERNMENT };
    int64_t id = 0;
    assert_int_equal(sm_inquiry_submit(s, &in, T0, 1900000000, &id, &d), SM_OK);
    assert_int_equal(sm_inquiry_submit(s, &in, T0, 1900000100, NULL, &d), SM_OK);
    in.utm_source = NULL;
    in.utm_medium = NULL;
    in.referrer = SM_REF_SEARCH;
    in.phone = "03-0000-0000";
    assert_int_equal(sm_inquiry_submit(s, &in, T0, 1900000200, NULL, &d), SM_OK);
    in.email = "not-an-address";
    assert_int_equal(sm_inquiry_submit(s, &in, T0, 1900000300, NULL, &d), SM_EINVAL);
    in.email = "y@example.com";
    in.phone = "call me";
    assert_int_equal(sm_inquiry_submit(s, &in, T0, 1900000300, NULL, &d), SM_EINVAL);
    in.phone = NULL;
    in.service_id = svc + 100;
    assert_int_equal(sm_inquiry_submit(s, &in, T0, 1900000300, NULL, &d), SM_ENOTFOUND);
    /* A lapsed service takes no inquiries. */
    in.service_id = svc;
    assert_int_equal(sm_inquiry_submit(s, &in, "2032-06-02", 1900000300, NULL, &d), SM_ENOTFOUND);

    struct sm_inquiry_list *l = NULL;
    assert_int_equal(sm_inquiries(s, &sb, a, &l, &d), SM_EPERM);
    assert_int_equal(sm_inquiries(s, &op, a, &l, &d), SM_EPERM);
    assert_int_equal(sm_inquiries(s, &sb, b, &l, &d), SM_OK);
    assert_int_equal(l->n, 0);
    sm_inquiry_list_free(l);
    assert_int_equal(sm_inquiries(s, &sa, a, &l, &d), SM_OK);
    assert_int_equal(l->n, 3);
    assert_string_equal(l->items[0].phone, "03-0000-0000");
    assert_int_equal(l->items[0].referrer, SM_REF_SEARCH);
    assert_string_equal(l->items[2].utm_source, "ipa");
    assert_string_equal(l->items[2].service_name, "a's service");
    sm_inquiry_list_free(l);

    struct sm_inquiry_channel_list *ch = NULL;
    assert_int_equal(sm_inquiry_channels(s, &sa, 0, 0, &ch, &d), SM_EPERM);
    assert_int_equal(sm_inquiry_channels(s, &op, 0, 0, &ch, &d), SM_OK);
    assert_int_equal(ch->total, 3);
    assert_int_equal(ch->n, 2);
    assert_string_equal(ch->items[0].utm_source, "ipa");
    assert_int_equal(ch->items[0].referrer, SM_REF_GOVERNMENT);
    assert_int_equal(ch->items[0].count, 2);
    assert_string_equal(ch->items[1].utm_source, "");
    assert_int_equal(ch->items[1].count, 1);
    sm_inquiry_channel_list_free(ch);
    assert_int_equal(sm_inquiry_channels(s, &op, 1900000050, 1900000150, &ch, &d), SM_OK);
    assert_int_equal(ch->total, 1);
    sm_inquiry_channel_list_free(ch);
    long n = 0;
    assert_int_equal(sm_audit_count(s, "inquiry.submit", &n, &d), SM_OK);
    assert_int_equal(n, 3);

    /* Referrers are classified by host name. */
    assert_int_equal(sm_referrer_classify(NULL, NULL), SM_REF_DIRECT);
    assert_int_equal(sm_referrer_classify("https://www.google.co.jp/search?q=x", NULL),
                     SM_REF_SEARCH);
    assert_int_equal(sm_referrer_classify("https://search.yahoo.co.jp/", NULL), SM_REF_SEARCH);
    assert_int_equal(sm_referrer_classify("https://www.ipa.go.jp/security/", NULL),
                     SM_REF_GOVERNMENT);
    assert_int_equal(sm_referrer_classify("https://t.co/abc", NULL), SM_REF_SOCIAL);
    assert_int_equal(sm_referrer_classify("https://Example.ORG:8443/x", "example.org"),
                     SM_REF_INTERNAL);
    assert_int_equal(sm_referrer_classify("https://notgoogle.com/", NULL), SM_REF_OTHER);
    assert_int_equal(sm_referrer_classify("https://evilgo.jp/", NULL), SM_REF_OTHER);
    assert_int_equal(sm_referrer_classify("garbage", NULL), SM_REF_OTHER);
}

/* --- CSV ------------------------------------------------------------------------------- */

static void export_csv(struct sm_store *s, struct sm_buf *out)
{
    struct sm_registry_who op = operator_who();
    struct sm_diag d;
    sm_buf_init(out, (size_t)64 << 20);
    int rc = sm_registry_export_csv(s, &op, out, &d);
    if (rc)
        fail_msg("export: %s", d.msg);
}

static void csv_import_is_all_or_nothing(void **state)
{
    struct sm_store *s = store_of(state);
    struct sm_registry_who op = operator_who(), staff = staff_of(1);
    struct sm_diag d;
    struct sm_import_report *rep = NULL;
    struct sm_buf b;
    sm_buf_init(&b, 1 << 20);
    assert_int_equal(sm_csv_put_record(&b, sm_registry_csv_columns, sm_registry_csv_n_columns, 0),
                     SM_OK);
    /* Row 2 is good, row 3 has three bad cells, row 4 breaks a content rule. */
    const char *good[64] = { 0 }, *bad[64] = { 0 }, *rule[64] = { 0 };
    for (size_t k = 0; k < sm_registry_csv_n_columns; k++) {
        const char *col = sm_registry_csv_columns[k];
        const char *v = "";
        if (!strcmp(col, "registration_no"))
            v = "R-1";
        else if (!strcmp(col, "status"))
            v = "registered";
        else if (!strcmp(col, "renewal_on"))
            v = "2031-01-01";
        else if (!strcmp(col, "provider"))
            v = "imported provider";
        else if (!strcmp(col, "name"))
            v = "imported";
        else if (!strcmp(col, "class"))
            v = "1";
        else if (!strcmp(col, "type"))
            v = "network";
        else if (!strcmp(col, "monthly_yen"))
            v = "5000";
        good[k] = bad[k] = rule[k] = v;
        if (!strcmp(col, "class"))
            bad[k] = "3";
        if (!strcmp(col, "renewal_on"))
            bad[k] = "2031-02-30";
        if (!strcmp(col, "onsite"))
            bad[k] = "maybe";
        if (!strcmp(col, "registration_no")) {
            bad[k] = "R-2";
            rule[k] = "R-3";
        }
        if (!strcmp(col, "device_monthly_yen"))
            rule[k] = "1000"; /* a per-device price on a network service */
    }
    assert_int_equal(sm_csv_put_record(&b, good, sm_registry_csv_n_columns, 0), SM_OK);
    assert_int_equal(sm_csv_put_record(&b, bad, sm_registry_csv_n_columns, 0), SM_OK);
    assert_int_equal(sm_csv_put_record(&b, rule, sm_registry_csv_n_columns, 0), SM_OK);
    assert_int_equal(sm_registry_import_csv(s, &staff, b.data, b.len, false, &rep, &d), SM_EPERM);
    assert_int_equal(sm_registry_import_csv(s, &op, b.data, b.len, false, &rep, &d), SM_EINVAL);
    assert_int_equal(rep->rows, 3);
    assert_int_equal(rep->n_errors, 4);
    assert_int_equal(rep->errors[0].row, 3);
    assert_string_equal(rep->errors[0].column, "renewal_on");
    assert_int_equal(rep->errors[1].row, 3);
    assert_string_equal(rep->errors[1].column, "class");
    assert_string_equal(rep->errors[2].column, "onsite");
    assert_int_equal(rep->errors[3].row, 4);
    assert_null(rep->errors[3].column);
    assert_non_null(strstr(rep->errors[3].message, "per-device"));
    assert_non_null(strstr(d.msg, "nothing was imported"));
    sm_import_report_free(rep);
    struct sm_buf out;
    export_csv(s, &out);
    assert_null(strstr(out.data, "R-1")); /* nothing went in */
    sm_buf_release(&out);

    /* Only the good row: a dry run writes nothing, the real run creates, the next updates. */
    size_t header_and_good = 0;
    {
        const char *p = strstr(b.data, "\r\n");
        p = strstr(p + 2, "\r\n");
        header_and_good = (size_t)(p + 2 - b.data);
    }
    assert_int_equal(sm_registry_import_csv(s, &op, b.data, header_and_good, true, &rep, &d),
                     SM_OK);
    assert_int_equal(rep->created, 1);
    sm_import_report_free(rep);
    export_csv(s, &out);
    assert_null(strstr(out.data, "R-1"));
    sm_buf_release(&out);
    assert_int_equal(sm_registry_import_csv(s, &op, b.data, header_and_good, false, &rep, &d),
                     SM_OK);
    assert_int_equal(rep->created, 1);
    sm_import_report_free(rep);
    assert_int_equal(sm_registry_import_csv(s, &op, b.data, header_and_good, false, &rep, &d),
                     SM_OK);
    assert_int_equal(rep->created, 0);
    assert_int_equal(rep->updated, 1);
    sm_import_report_free(rep);
    export_csv(s, &out);
    assert_non_null(strstr(out.data, "R-1"));
    sm_buf_release(&out);

    /* A wrong header, malformed CSV and duplicate numbers are reported too. */
    assert_int_equal(sm_registry_import_csv(s, &op, "a,b\r\n1,2\r\n", 10, false, &rep, &d),
                     SM_EINVAL);
    assert_int_equal(rep->errors[0].row, 1);
    sm_import_report_free(rep);
    char broken[8192];
    int n = snprintf(broken, sizeof broken, "%.*s\"oops\n", (int)header_and_good, b.data);
    assert_int_equal(sm_registry_import_csv(s, &op, broken, (size_t)n, false, &rep, &d), SM_EPARSE);
    assert_true(rep->n_errors >= 1);
    sm_import_report_free(rep);
    n = snprintf(broken, sizeof broken, "%s%s", b.data,
                 strstr(b.data, "\r\n") + 2); /* every row twice */
    assert_int_equal(sm_registry_import_csv(s, &op, broken, (size_t)n, false, &rep, &d), SM_EINVAL);
    bool dup = false;
    for (size_t i = 0; i < rep->n_errors; i++)
        dup = dup || strstr(rep->errors[i].message, "also on row") != NULL;
    assert_true(dup);
    sm_import_report_free(rep);
    sm_buf_release(&b);
}

static void csv_export_neutralises_and_round_trips(void **state)
{
    struct sm_store *s = store_of(state);
    struct sm_diag d;
    struct sm_registry_who op = operator_who();
    int64_t prov = add_provider(s, "=HYPERLINK(\"http://x\")", "p@example.com");
    struct sm_service_content c;
    good_content(&c, "+danger, \"quoted\"\nname");
    c.price_note = "-5% for members";
    c.helpdesk_hours = "@all hours";
    c.contract_terms = "'=already quoted";
    struct sm_device dev = { .maker = "NEC",
                             .kind = SM_DEV_UTM,
                             .product = "=cmd|' /C calc'!A0",
                             .ransomware = SM_EFFECT_PARTIAL,
                             .reason = "検知のみ" };
    c.devices = &dev;
    c.n_devices = 1;
    register_service(s, prov, &c, T0);

    struct sm_buf first;
    export_csv(s, &first);
    assert_memory_equal(first.data, SM_CSV_BOM, 3);
    assert_non_null(strstr(first.data, ",\"'=HYPERLINK(\"\"http://x\"\")\","));
    assert_non_null(strstr(first.data, "\"'+danger, \"\"quoted\"\"\nname\""));
    assert_non_null(strstr(first.data, ",'-5% for members,"));
    assert_non_null(strstr(first.data, ",'@all hours,"));
    assert_non_null(strstr(first.data, ",''=already quoted,"));
    /* No cell starts with a formula character. */
    struct sm_csv_reader r;
    const char *const *f;
    size_t nf;
    sm_csv_reader_init(&r, first.data, first.len, NULL);
    while (sm_csv_next(&r, &f, &nf, &d) == 1)
        for (size_t i = 0; i < nf; i++)
            assert_false(strchr("=+-@\t\r", f[i][0]) != NULL && f[i][0] != '\0');
    sm_csv_reader_release(&r);

    /* Into a fresh database and out again: the same file. */
    struct sm_test_db other;
    assert_int_equal(sm_test_db_open(&other, backend, true), SM_OK);
    struct sm_import_report *rep = NULL;
    int rc = sm_registry_import_csv(other.store, &op, first.data, first.len, false, &rep, &d);
    if (rc)
        fail_msg("import: %s (%s)", d.msg, rep && rep->n_errors ? rep->errors[0].message : "");
    sm_import_report_free(rep);
    struct sm_buf second;
    export_csv(other.store, &second);
    assert_int_equal(second.len, first.len);
    assert_memory_equal(second.data, first.data, first.len);
    struct sm_registry_results *res = search(other.store, T0, NULL);
    assert_int_equal(res->n, 1);
    assert_string_equal(res->hits[0].name, "+danger, \"quoted\"\nname");
    assert_string_equal(res->hits[0].provider_name, "=HYPERLINK(\"http://x\")");
    struct sm_registry_service *g = NULL;
    assert_int_equal(sm_registry_service_public(other.store, res->hits[0].service_id, T0, &g, &d),
                     SM_OK);
    assert_string_equal(g->content.devices[0].product, "=cmd|' /C calc'!A0");
    assert_string_equal(g->content.contract_terms, "'=already quoted");
    sm_registry_service_free(g);
    sm_registry_results_free(res);
    sm_test_db_close(&other);
    sm_buf_release(&first);
    sm_buf_release(&second);
}

/* --- Demo seed ------------------------------------------------------------------------- */

static void demo_seed_covers_every_prefecture(void **state)
{
    struct sm_store *s = store_of(state);
    struct sm_diag d;
    int64_t before = 0, after = 0;
    assert_int_equal(sm_seed_demo(s, &cli, &d), SM_OK);
    assert_int_equal(sm_sql_scalar_int64(s, "SELECT COUNT(*) FROM services", &before, &d), SM_OK);
    long audit_before = 0, audit_after = 0;
    assert_int_equal(sm_audit_count(s, NULL, &audit_before, &d), SM_OK);
    assert_int_equal(sm_seed_demo(s, &cli, &d), SM_OK);
    assert_int_equal(sm_sql_scalar_int64(s, "SELECT COUNT(*) FROM services", &after, &d), SM_OK);
    assert_int_equal(before, after);
    assert_int_equal(sm_audit_count(s, NULL, &audit_after, &d), SM_OK);
    assert_int_equal(audit_before, audit_after);

    char today[SM_DATE_SIZE];
    sm_date_today(today);
    for (int p = 1; p <= 47; p++) {
        char code[3];
        snprintf(code, sizeof code, "%02d", p);
        const char *const q[] = { "prefecture", code, NULL };
        struct sm_registry_results *r = search(s, today, q);
        if (r->n < 3)
            fail_msg("prefecture %s has %zu services", code, r->n);
        bool types[3] = { false, false, false };
        for (size_t i = 0; i < r->n; i++) {
            types[r->hits[i].monitoring] = true;
            assert_true(r->hits[i].fictitious);
            assert_non_null(strstr(r->hits[i].name, "（架空）"));
        }
        assert_true(types[SM_MON_NETWORK] && types[SM_MON_ENDPOINT] && types[SM_MON_COMBINED]);
        sm_registry_results_free(r);
    }
    /* An endpoint service in Hokkaido with on-site dispatch, and class 2 somewhere. */
    const char *const hokkaido[] = { "prefecture", "01", "type", "endpoint", "onsite", "1", NULL };
    struct sm_registry_results *r = search(s, today, hokkaido);
    bool local = false;
    for (size_t i = 0; i < r->n; i++)
        local = local || (!r->hits[i].nationwide && (r->hits[i].prefectures & 2));
    assert_true(local);
    sm_registry_results_free(r);
    const char *const c2[] = { "class", "2", NULL };
    r = search(s, today, c2);
    assert_true(r->n >= 2);
    sm_registry_results_free(r);

    /* Lapsed, due and suspended ones exist but only the due ones are listed. */
    struct sm_due_list *due = NULL;
    assert_int_equal(sm_registry_due(s, today, &due, &d), SM_OK);
    size_t overdue = 0, soon = 0;
    for (size_t i = 0; i < due->n; i++) {
        overdue += due->items[i].bucket == SM_DUE_OVERDUE;
        soon += due->items[i].bucket == SM_DUE_30;
    }
    assert_int_equal(overdue, 2);
    assert_true(soon >= 2);
    sm_due_list_free(due);

    /* The real service has only its facts, and no fact it lacks is made up. */
    struct sm_registry_who op = operator_who();
    struct sm_registry_service_list *sl = NULL;
    assert_int_equal(sm_registry_services(s, &op, 0, today, &sl, &d), SM_OK);
    bool real = false;
    for (size_t i = 0; i < sl->n; i++) {
        if (strcmp(sl->items[i].provider_name, "大阪商工会議所") != 0)
            continue;
        real = true;
        assert_false(sl->items[i].fictitious);
        assert_null(sl->items[i].registration_no);
        assert_null(sl->items[i].renewal_on);
        assert_false(sl->items[i].listed);
        struct sm_registry_service *g = NULL;
        assert_int_equal(sm_registry_service_get(s, &op, sl->items[i].id, false, today, &g, &d),
                         SM_OK);
        assert_int_equal(g->content.monthly_yen, 6600);
        assert_int_equal(g->content.onsite, SM_TRI_YES);
        assert_int_equal(g->content.helpdesk, SM_TRI_UNKNOWN);
        assert_int_equal(g->content.insurance, SM_TRI_UNKNOWN);
        assert_int_equal(g->content.prefectures, 0);
        assert_false(g->content.nationwide);
        sm_registry_service_free(g);
    }
    assert_true(real);
    sm_registry_service_list_free(sl);

    /* The working group's device table, case studies, the demo provider user's link. */
    struct sm_device_catalog *cat = NULL;
    assert_int_equal(sm_registry_devices(s, &cat, &d), SM_OK);
    assert_int_equal(cat->n, 18);
    assert_string_equal(cat->items[0].maker, "NEC");
    assert_null(cat->items[0].product);
    assert_int_equal(cat->items[7].ransomware, SM_EFFECT_UNKNOWN);
    assert_string_equal(cat->items[7].reason, "C&Cのみ");
    assert_int_equal(cat->items[11].kind, SM_DEV_SIMPLE_EDR);
    sm_device_catalog_free(cat);
    struct sm_case_study_list *cl = NULL;
    assert_int_equal(sm_case_studies_public(s, 0, today, 0, &cl, &d), SM_OK);
    assert_true(cl->n >= 3);
    sm_case_study_list_free(cl);
    struct sm_user *u = NULL;
    assert_int_equal(sm_user_get(s, "provider", &u, &d), SM_OK);
    assert_true(u->provider_id > 0);
    struct sm_registry_who w = sm_registry_who_user(u);
    struct sm_inquiry_list *il = NULL;
    assert_int_equal(sm_inquiries(s, &w, u->provider_id, &il, &d), SM_OK);
    assert_int_equal(il->n, 3);
    sm_inquiry_list_free(il);
    struct sm_registry_application_list *al = NULL;
    assert_int_equal(sm_registry_applications(s, &w, u->provider_id, true, &al, &d), SM_OK);
    assert_int_equal(al->n, 2);
    sm_registry_application_list_free(al);
    sm_user_free(u);

    /* And the demo registry survives a CSV round trip. */
    struct sm_buf first, second;
    export_csv(s, &first);
    struct sm_test_db other;
    assert_int_equal(sm_test_db_open(&other, backend, true), SM_OK);
    struct sm_import_report *rep = NULL;
    int rc = sm_registry_import_csv(other.store, &op, first.data, first.len, false, &rep, &d);
    if (rc)
        fail_msg("import: %s", d.msg);
    sm_import_report_free(rep);
    export_csv(other.store, &second);
    assert_int_equal(second.len, first.len);
    assert_memory_equal(second.data, first.data, first.len);
    sm_test_db_close(&other);
    sm_buf_release(&first);
    sm_buf_release(&second);
}

/* --- Out of memory ---------------------------------------------------------------------- */

/* Runs op with the Nth allocation failing, for N = 0, 1, ... until it succeeds: every
 * failure must be SM_ENOMEM (or the database's own refusal) with no transaction left open,
 * and ASan proves nothing leaks. */
#define EVERY_ALLOCATION_FAILING(op)                              \
 do {                                                             \
  int rc_ = SM_ENOMEM;                                            \
  for (long n_ = 0; rc_ != SM_OK && n_ < 100000; n_++) {          \
   sm_alloc_fail_after(n_);                                       \
   rc_ = (op);                                                    \
   sm_alloc_fail_after(-1);                                       \
   if (rc_ != SM_OK && rc_ != SM_ENOMEM && rc_ != SM_EDB)         \
    fail_msg("%s: %d with allocation %ld failing", #op, rc_, n_); \
   assert_false(sm_store_in_transaction(s));                      \
  }                                                               \
  assert_int_equal(rc_, SM_OK);                                   \
 } while (0)

static int search_once(struct sm_store *s)
{
    struct sm_registry_query q;
    struct sm_registry_results *r = NULL;
    sm_registry_query_init(&q);
    memcpy(q.today, T0, SM_DATE_SIZE);
    memcpy(q.prefecture, "13", 3);
    q.sort = SM_SORT_PRICE;
    int rc = sm_registry_search(s, &q, &r, NULL);
    sm_registry_results_free(r);
    return rc;
}

static int application_once(struct sm_store *s, int64_t app)
{
    struct sm_registry_who op = operator_who();
    struct sm_registry_application *a = NULL;
    int rc = sm_registry_application_get(s, &op, app, &a, NULL);
    sm_registry_application_free(a);
    return rc;
}

static int export_once(struct sm_store *s, struct sm_buf *out)
{
    struct sm_registry_who op = operator_who();
    sm_buf_reset(out);
    return sm_registry_export_csv(s, &op, out, NULL);
}

static int import_once(struct sm_store *s, const struct sm_buf *in)
{
    struct sm_registry_who op = operator_who();
    struct sm_import_report *rep = NULL;
    int rc = sm_registry_import_csv(s, &op, in->data, in->len, false, &rep, NULL);
    sm_import_report_free(rep);
    return rc;
}

static int apply_once(struct sm_store *s, int64_t prov, const struct sm_service_content *c)
{
    struct sm_registry_who staff = staff_of(prov);
    return sm_registry_apply(s, &staff, SM_APP_NEW, prov, c, T0, NULL, NULL, NULL);
}

static void allocation_failures_are_returned(void **state)
{
    struct sm_store *s = store_of(state);
    search_fixture(s);
    int64_t prov = add_provider(s, "p1", "p1@example.com");
    struct sm_service_content c;
    good_content(&c, "oom");
    EVERY_ALLOCATION_FAILING(apply_once(s, prov, &c));
    struct sm_registry_application_list *al = NULL;
    struct sm_registry_who op = operator_who();
    assert_int_equal(sm_registry_applications(s, &op, 0, true, &al, NULL), SM_OK);
    assert_int_equal(al->n, 1); /* failed attempts left nothing behind */
    int64_t app = al->items[0].id;
    sm_registry_application_list_free(al);
    EVERY_ALLOCATION_FAILING(search_once(s));
    EVERY_ALLOCATION_FAILING(application_once(s, app));
    struct sm_buf csv;
    sm_buf_init(&csv, 1 << 22);
    EVERY_ALLOCATION_FAILING(export_once(s, &csv));
    EVERY_ALLOCATION_FAILING(import_once(s, &csv));
    sm_buf_release(&csv);
}

int main(void)
{
    if (sm_init() != SM_OK)
        return 1;
    const char *names_[SM_TEST_MAX_BACKENDS];
    int n = sm_test_backends(names_, SM_TEST_MAX_BACKENDS);
    if (n < 0)
        return 1;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(review_registers_with_number_and_renewal_date, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(failed_auto_checks_cannot_be_judged_away, setup, teardown),
        cmocka_unit_test_setup_teardown(edits_stay_hidden_until_approved, setup, teardown),
        cmocka_unit_test_setup_teardown(search_filters_and_sort, setup, teardown),
        cmocka_unit_test_setup_teardown(renewal_schedule_reminders_and_lapse, setup, teardown),
        cmocka_unit_test_setup_teardown(operator_suspends_and_withdraws, setup, teardown),
        cmocka_unit_test_setup_teardown(providers_touch_only_their_own, setup, teardown),
        cmocka_unit_test_setup_teardown(case_study_workflow, setup, teardown),
        cmocka_unit_test_setup_teardown(inquiries_reach_only_their_provider, setup, teardown),
        cmocka_unit_test_setup_teardown(csv_import_is_all_or_nothing, setup, teardown),
        cmocka_unit_test_setup_teardown(csv_export_neutralises_and_round_trips, setup, teardown),
        cmocka_unit_test_setup_teardown(demo_seed_covers_every_prefecture, setup, teardown),
        cmocka_unit_test_setup_teardown(allocation_failures_are_returned, setup, teardown),
    };
    int failed = 0;
    for (int i = 0; i < n; i++) {
        backend = names_[i];
        char group[64];
        snprintf(group, sizeof group, "registry on %s", backend);
        failed += cmocka_run_group_tests_name(group, tests, NULL, NULL);
    }
    return failed ? 1 : 0;
}

/*
 * Unit tests: the service standard as data and its automatic checks. Each requirement has a
 * test with a service that passes it and one that fails it (or, where the data leaves a
 * number unknown, one that needs a reviewer's judgement), and the reader refuses data that
 * would silently turn a requirement off.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "smesec/alloc.h"
#include "smesec/standard.h"

#include <stdio.h>
#include <string.h>

#define TODAY "2025-06-01"

static const struct sm_standard *std(void)
{
    const struct sm_standard *s = NULL;
    struct sm_diag d;
    assert_int_equal(sm_standard_builtin(&s, &d), SM_OK);
    return s;
}

/* A class-1 network service that meets every automatic requirement. */
static void class1(struct sm_service_content *c)
{
    sm_service_content_init(c);
    c->name = "test service";
    c->service_class = 1;
    c->monitoring = SM_MON_NETWORK;
    c->monthly_yen = 10000;
    c->helpdesk = SM_TRI_YES;
    c->monitoring_24h = SM_TRI_YES;
    c->onsite = SM_TRI_YES;
    c->insurance = SM_TRI_YES;
    c->insurance_initial_response = SM_TRI_YES;
}

/* A class-2 network service that meets every automatic requirement it can. */
static void class2(struct sm_service_content *c)
{
    class1(c);
    c->service_class = 2;
    c->monthly_yen = 30000;
    c->class1_since = "2023-06-01";
    c->customers_1y = 10;
    c->monitored_endpoints = 50;
}

/* The verdict on requirement id, checking that reasons come in both languages. */
static enum sm_verdict verdict(const struct sm_service_content *c, const char *version,
                               const char *id, char *reason_en, size_t size)
{
    struct sm_conformance *rep = NULL;
    struct sm_diag d;
    assert_int_equal(sm_standard_check(std(), version, c, TODAY, &rep, &d), SM_OK);
    enum sm_verdict v = SM_VERDICT_PASS;
    bool found = false;
    for (size_t i = 0; i < rep->n; i++) {
        if (strcmp(rep->items[i].req->id, id) != 0)
            continue;
        found = true;
        v = rep->items[i].verdict;
        if (v == SM_VERDICT_PASS) {
            assert_null(rep->items[i].reason_ja);
        } else {
            assert_non_null(rep->items[i].reason_ja);
            assert_non_null(rep->items[i].reason_en);
            assert_true(strlen(rep->items[i].reason_ja) > 0);
            if (reason_en)
                snprintf(reason_en, size, "%s", rep->items[i].reason_en);
        }
    }
    sm_conformance_free(rep);
    assert_true(found);
    return v;
}

static void builtin_loads_with_both_versions(void **state)
{
    (void)state;
    const struct sm_standard *s = std();
    assert_int_equal(s->n_versions, 2);
    assert_string_equal(sm_standard_latest(s), "2.0");
    assert_non_null(sm_standard_version(s, "1.1"));
    const struct sm_requirement *r = sm_standard_find(s, "price-class1");
    assert_non_null(r);
    assert_int_equal(r->check, SM_CHECK_AUTO);
    assert_int_equal(sm_requirement_limit(r, "network_monthly_yen"), 10000);
    assert_int_equal(sm_requirement_limit(r, "endpoint_device_monthly_yen"), 2000);
    /* Facts not confirmed stay unknown in the data. */
    r = sm_standard_find(s, "price-class2");
    assert_int_equal(sm_requirement_limit(r, "network_monthly_yen"), SM_UNKNOWN);
    assert_non_null(r->note_en);
    assert_true(sm_requirement_applies(r, "2.0", 2));
    assert_false(sm_requirement_applies(r, "1.1", 2));
    assert_false(sm_requirement_applies(r, "2.0", 1));
    /* The same object every time. */
    const struct sm_standard *again = NULL;
    assert_int_equal(sm_standard_builtin(&again, NULL), SM_OK);
    assert_ptr_equal(again, s);
}

static void helpdesk(void **state)
{
    (void)state;
    struct sm_service_content c;
    char why[512];
    class1(&c);
    assert_int_equal(verdict(&c, NULL, "helpdesk", NULL, 0), SM_VERDICT_PASS);
    c.helpdesk = SM_TRI_NO;
    assert_int_equal(verdict(&c, NULL, "helpdesk", why, sizeof why), SM_VERDICT_FAIL);
    assert_non_null(strstr(why, "no help desk"));
    c.helpdesk = SM_TRI_UNKNOWN;
    assert_int_equal(verdict(&c, "1.1", "helpdesk", why, sizeof why), SM_VERDICT_FAIL);
    assert_non_null(strstr(why, "not stated"));
}

static void monitoring_24h(void **state)
{
    (void)state;
    struct sm_service_content c;
    class1(&c);
    c.monitoring = SM_MON_ENDPOINT;
    c.monthly_yen = SM_UNKNOWN;
    c.device_monthly_yen = 2000;
    assert_int_equal(verdict(&c, NULL, "monitoring-24h", NULL, 0), SM_VERDICT_PASS);
    c.monitoring_24h = SM_TRI_NO;
    assert_int_equal(verdict(&c, NULL, "monitoring-24h", NULL, 0), SM_VERDICT_FAIL);
}

static void onsite_response(void **state)
{
    (void)state;
    struct sm_service_content c;
    char why[512];
    class1(&c);
    assert_int_equal(verdict(&c, NULL, "onsite-response", NULL, 0), SM_VERDICT_PASS);
    /* Remote support alone does not meet it. */
    c.onsite = SM_TRI_NO;
    c.remote_support = SM_TRI_YES;
    assert_int_equal(verdict(&c, NULL, "onsite-response", why, sizeof why), SM_VERDICT_FAIL);
    assert_non_null(strstr(why, "Remote support only"));
    c.onsite = SM_TRI_UNKNOWN;
    assert_int_equal(verdict(&c, NULL, "onsite-response", NULL, 0), SM_VERDICT_FAIL);
}

static void cyber_insurance(void **state)
{
    (void)state;
    struct sm_service_content c;
    char why[512];
    class1(&c);
    assert_int_equal(verdict(&c, NULL, "cyber-insurance", NULL, 0), SM_VERDICT_PASS);
    c.insurance_initial_response = SM_TRI_NO;
    assert_int_equal(verdict(&c, NULL, "cyber-insurance", why, sizeof why), SM_VERDICT_FAIL);
    assert_non_null(strstr(why, "initial-response"));
    c.insurance = SM_TRI_NO;
    assert_int_equal(verdict(&c, NULL, "cyber-insurance", why, sizeof why), SM_VERDICT_FAIL);
    assert_non_null(strstr(why, "No simple cyber insurance"));
}

static void price_class1(void **state)
{
    (void)state;
    struct sm_service_content c;
    char why[512];
    class1(&c);
    assert_int_equal(verdict(&c, NULL, "price-class1", NULL, 0), SM_VERDICT_PASS);
    c.monthly_yen = 10001;
    assert_int_equal(verdict(&c, NULL, "price-class1", why, sizeof why), SM_VERDICT_FAIL);
    assert_non_null(strstr(why, "10,001 yen is above the cap of 10,000 yen"));
    c.monthly_yen = SM_UNKNOWN;
    assert_int_equal(verdict(&c, NULL, "price-class1", NULL, 0), SM_VERDICT_FAIL);

    /* Endpoint type: per device per month. */
    c.monitoring = SM_MON_ENDPOINT;
    c.device_monthly_yen = 2000;
    assert_int_equal(verdict(&c, NULL, "price-class1", NULL, 0), SM_VERDICT_PASS);
    c.device_monthly_yen = 2100;
    assert_int_equal(verdict(&c, "1.1", "price-class1", NULL, 0), SM_VERDICT_FAIL);

    /* Combined: each cap on its own part. */
    c.monitoring = SM_MON_COMBINED;
    c.monthly_yen = 9000;
    c.device_monthly_yen = 1500;
    assert_int_equal(verdict(&c, NULL, "price-class1", NULL, 0), SM_VERDICT_PASS);
    c.device_monthly_yen = 2500;
    assert_int_equal(verdict(&c, NULL, "price-class1", why, sizeof why), SM_VERDICT_FAIL);
    assert_non_null(strstr(why, "per monitored device"));
    assert_null(strstr(why, "network monitoring"));
}

static void price_class2_is_judged_while_unknown(void **state)
{
    (void)state;
    struct sm_service_content c;
    char why[512];
    class2(&c);
    assert_int_equal(verdict(&c, NULL, "price-class2", why, sizeof why), SM_VERDICT_JUDGEMENT);
    assert_non_null(strstr(why, "not confirmed"));
    /* A missing price is still a failure, whatever the cap. */
    c.monthly_yen = SM_UNKNOWN;
    assert_int_equal(verdict(&c, NULL, "price-class2", NULL, 0), SM_VERDICT_FAIL);
}

static void class2_tenure(void **state)
{
    (void)state;
    struct sm_service_content c;
    char why[512];
    class2(&c);
    assert_int_equal(verdict(&c, NULL, "class2-tenure", NULL, 0), SM_VERDICT_PASS);
    c.class1_since = "2023-06-02";
    assert_int_equal(verdict(&c, NULL, "class2-tenure", why, sizeof why), SM_VERDICT_FAIL);
    assert_non_null(strstr(why, "possible from 2025-06-02"));
    c.class1_since = NULL;
    assert_int_equal(verdict(&c, NULL, "class2-tenure", NULL, 0), SM_VERDICT_FAIL);
}

static void class2_customers(void **state)
{
    (void)state;
    struct sm_service_content c;
    class2(&c);
    assert_int_equal(verdict(&c, NULL, "class2-customers", NULL, 0), SM_VERDICT_PASS);
    c.customers_1y = 9;
    assert_int_equal(verdict(&c, NULL, "class2-customers", NULL, 0), SM_VERDICT_FAIL);
    c.customers_1y = SM_UNKNOWN;
    assert_int_equal(verdict(&c, NULL, "class2-customers", NULL, 0), SM_VERDICT_FAIL);
}

static void class2_endpoints(void **state)
{
    (void)state;
    struct sm_service_content c;
    class2(&c);
    assert_int_equal(verdict(&c, NULL, "class2-endpoints", NULL, 0), SM_VERDICT_PASS);
    c.monitored_endpoints = 49;
    assert_int_equal(verdict(&c, NULL, "class2-endpoints", NULL, 0), SM_VERDICT_FAIL);
    c.monitoring = SM_MON_COMBINED;
    c.device_monthly_yen = 3000;
    assert_int_equal(verdict(&c, NULL, "class2-endpoints", NULL, 0), SM_VERDICT_FAIL);
    /* The endpoint type has no minimum. */
    c.monitoring = SM_MON_ENDPOINT;
    c.monthly_yen = SM_UNKNOWN;
    assert_int_equal(verdict(&c, NULL, "class2-endpoints", NULL, 0), SM_VERDICT_PASS);
}

static void judgement_requirements(void **state)
{
    (void)state;
    struct sm_service_content c;
    class2(&c);
    static const char *const ids[] = { "class2-monitoring-consulting", "ease-of-use",
                                       "information-sharing", "contract-terms" };
    for (size_t i = 0; i < sizeof ids / sizeof ids[0]; i++)
        assert_int_equal(verdict(&c, NULL, ids[i], NULL, 0), SM_VERDICT_JUDGEMENT);
}

static void report_counts_and_versions(void **state)
{
    (void)state;
    struct sm_service_content c;
    struct sm_conformance *rep = NULL;
    struct sm_diag d;
    class1(&c);
    assert_int_equal(sm_standard_check(std(), "1.1", &c, TODAY, &rep, &d), SM_OK);
    assert_string_equal(rep->version, "1.1");
    assert_int_equal(rep->n_fail, 0);
    assert_int_equal(rep->n_pass + rep->n_judgement + rep->n_fail, rep->n);
    for (size_t i = 0; i < rep->n; i++)
        assert_false(strncmp(rep->items[i].req->id, "class2", 6) == 0);
    sm_conformance_free(rep);
    /* Version 1.1 has no class 2; unknown versions and bad dates are refused. */
    class2(&c);
    assert_int_equal(sm_standard_check(std(), "1.1", &c, TODAY, &rep, &d), SM_EINVAL);
    assert_non_null(strstr(d.msg, "no class 2"));
    assert_int_equal(sm_standard_check(std(), "9.9", &c, TODAY, &rep, &d), SM_EINVAL);
    assert_int_equal(sm_standard_check(std(), NULL, &c, "2025-13-01", &rep, &d), SM_EINVAL);
}

static void reader_refuses_bad_data(void **state)
{
    (void)state;
    static const char head[] = "schema: 1\n"
                               "title: {ja: t, en: t}\n"
                               "versions:\n"
                               "  - {id: \"1.0\", classes: [1]}\n"
                               "requirements:\n";

    static const struct {
        const char *req;
        int rc;
        const char *msg;
    } cases[] = {
        { "  - {id: helpdesk, versions: [\"1.0\"], classes: [1], check: auto,"
          " title: {ja: a, en: a}, text: {ja: b, en: b}}\n",
          SM_OK, NULL },
        { "  - {id: no-such-check, versions: [\"1.0\"], classes: [1], check: auto,"
          " title: {ja: a, en: a}, text: {ja: b, en: b}}\n",
          SM_EINVAL, "no check has that id" },
        { "  - {id: helpdesk, versions: [\"1.0\"], classes: [1], check: auto, titel: x,"
          " title: {ja: a, en: a}, text: {ja: b, en: b}}\n",
          SM_EPARSE, "unknown key 'titel'" },
        { "  - {id: helpdesk, versions: [\"3.0\"], classes: [1], check: auto,"
          " title: {ja: a, en: a}, text: {ja: b, en: b}}\n",
          SM_EINVAL, "no version '3.0'" },
        { "  - {id: helpdesk, versions: [\"1.0\"], classes: [3], check: auto,"
          " title: {ja: a, en: a}, text: {ja: b, en: b}}\n",
          SM_EPARSE, "class is 1 or 2" },
        { "  - {id: helpdesk, versions: [\"1.0\"], classes: [1], check: maybe,"
          " title: {ja: a, en: a}, text: {ja: b, en: b}}\n",
          SM_EPARSE, "not auto or judgement" },
        { "  - {id: helpdesk, versions: [\"1.0\"], classes: [1], check: auto,"
          " title: {ja: a}, text: {ja: b, en: b}}\n",
          SM_EPARSE, "missing 'en'" },
        { "  - [not, a, mapping\n", SM_EPARSE, NULL },
    };

    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char yaml[1024];
        struct sm_standard *s = NULL;
        struct sm_diag d;
        sm_diag_clear(&d);
        int n = snprintf(yaml, sizeof yaml, "%s%s", head, cases[i].req);
        int rc = sm_standard_parse(yaml, (size_t)n, "t.yaml", &s, &d);
        if (rc != cases[i].rc)
            fail_msg("case %zu: %d (%s)", i, rc, d.msg);
        if (cases[i].msg)
            assert_non_null(strstr(d.msg, cases[i].msg));
        if (rc == SM_OK)
            sm_standard_free(s);
        else
            assert_true(d.line > 0 || cases[i].msg == NULL);
    }
}

static void out_of_memory_is_returned(void **state)
{
    (void)state;
    /* Parse a standard with every allocation failing in turn. */
    struct sm_standard *s = NULL;
    struct sm_diag d;
    static const char yaml[] = "schema: 1\n"
                               "title: {ja: t, en: t}\n"
                               "versions:\n"
                               "  - {id: \"1.0\", classes: [1]}\n"
                               "requirements:\n"
                               "  - {id: helpdesk, versions: [\"1.0\"], classes: [1],"
                               " check: auto, title: {ja: a, en: a}, text: {ja: b, en: b}}\n";
    int rc = SM_ENOMEM;
    for (long n = 0; rc == SM_ENOMEM && n < 1000; n++) {
        sm_alloc_fail_after(n);
        rc = sm_standard_parse(yaml, sizeof yaml - 1, "t", &s, &d);
        sm_alloc_fail_after(-1);
        if (rc == SM_OK)
            sm_standard_free(s);
        else
            assert_int_equal(rc, SM_ENOMEM);
    }
    assert_int_equal(rc, SM_OK);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(builtin_loads_with_both_versions),
        cmocka_unit_test(helpdesk),
        cmocka_unit_test(monitoring_24h),
        cmocka_unit_test(onsite_response),
        cmocka_unit_test(cyber_insurance),
        cmocka_unit_test(price_class1),
        cmocka_unit_test(price_class2_is_judged_while_unknown),
        cmocka_unit_test(class2_tenure),
        cmocka_unit_test(class2_customers),
        cmocka_unit_test(class2_endpoints),
        cmocka_unit_test(judgement_requirements),
        cmocka_unit_test(report_counts_and_versions),
        cmocka_unit_test(reader_refuses_bad_data),
        cmocka_unit_test(out_of_memory_is_returned),
    };
    return cmocka_run_group_tests_name("standard", tests, NULL, NULL);
}

/*
 * Storage-level tests of incident sharing, on every backend: submission with its checks,
 * upserts and the tally kept beside the reports; the refusal of providers whose
 * registration lapsed or was suspended; CSV uploads that are all or nothing and refuse bad
 * files clearly; raw views with their audit records and TLP:RED kept home; statistics
 * releases checked against the truth (every shown count right and at least k, and no
 * suppressed count recoverable by any viewer, the providers included); the canary (nothing
 * identifying in any release, CSV, STIX bundle or snapshot); STIX validated against the
 * OASIS schemas; API tokens; k; published snapshots.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "smesec/sharing.h"
#include "smesec/smesec.h"
#include "store/sql.h"
#include "testdb.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#define TODAY "2026-03-01"

static const char *backend;

struct fx {
    struct sm_test_db db;
    int64_t providers[3];
    int64_t services[3];
};

static struct sm_registry_who operator_who(void)
{
    return sm_registry_who_system("test-operator");
}

static struct sm_registry_who staff_of(int64_t provider_id)
{
    struct sm_registry_who w = {
        .user_id = 0, .name = "test-staff", .role = SM_ROLE_PROVIDER, .provider_id = provider_id
    };
    return w;
}

/* A registered class-1 network service of provider, listed on TODAY. */
static int64_t register_service(struct sm_store *s, int64_t provider, const char *name)
{
    struct sm_service_content c;
    sm_service_content_init(&c);
    c.name = name;
    c.service_class = 1;
    c.monitoring = SM_MON_NETWORK;
    c.nationwide = true;
    c.monthly_yen = 9000;
    c.helpdesk = SM_TRI_YES;
    c.helpdesk_channels = SM_CHANNEL_PHONE;
    c.monitoring_24h = SM_TRI_YES;
    c.onsite = SM_TRI_YES;
    c.insurance = SM_TRI_YES;
    c.insurance_initial_response = SM_TRI_YES;
    struct sm_registry_who staff = staff_of(provider), op = operator_who();
    struct sm_diag d;
    int64_t app = 0, svc = 0;
    if (sm_registry_apply(s, &staff, SM_APP_NEW, provider, &c, TODAY, &app, &svc, &d))
        fail_msg("apply: %s", d.msg);
    struct sm_registry_application *a = NULL;
    assert_int_equal(sm_registry_application_get(s, &op, app, &a, &d), SM_OK);
    for (size_t i = 0; i < a->n_checks; i++)
        if (a->checks[i].verdict == SM_VERDICT_JUDGEMENT)
            assert_int_equal(sm_registry_judge(s, &op, app, a->checks[i].requirement_id,
                                               SM_VERDICT_PASS, "seen", &d),
                             SM_OK);
    sm_registry_application_free(a);
    if (sm_registry_decide(s, &op, app, SM_DECIDE_APPROVE, NULL, TODAY, &d))
        fail_msg("approve: %s", d.msg);
    return svc;
}

static int setup(void **state)
{
    struct fx *f = calloc(1, sizeof *f);
    if (!f || sm_test_db_open(&f->db, backend, true) != SM_OK) {
        free(f);
        return -1;
    }
    static const char *const names[3] = { "（架空）みなとセキュリティ株式会社",
                                          "（架空）北斗ネット", "（架空）さくら監視合同会社" };
    struct sm_registry_who op = operator_who();
    for (int i = 0; i < 3; i++) {
        struct sm_provider p = { .name = names[i], .contact_name = "窓口 一郎" };
        struct sm_diag d;
        if (sm_registry_provider_add(f->db.store, &op, &p, &f->providers[i], &d))
            return -1;
        char svc[64];
        snprintf(svc, sizeof svc, "お助けサービス%d号", i + 1);
        f->services[i] = register_service(f->db.store, f->providers[i], svc);
    }
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fx *f = *state;
    sm_test_db_close(&f->db);
    free(f);
    return 0;
}

/* --- Helpers ----------------------------------------------------------------------------- */

/* A batch over caller-owned arrays (no arena). */
struct sbatch {
    struct sm_incident_batch b;
    struct sm_incident items[400];
    bool bad[400];
    long rows[400];
    char ids[400][24];
    char dates[400][11];
    char prefs[400][3];
    char inds[400][2];
};

static void sbatch_init(struct sbatch *s)
{
    memset(s, 0, sizeof *s);
    s->b.items = s->items;
    s->b.bad = s->bad;
    s->b.rows = s->rows;
}

static struct sm_incident *sbatch_add(struct sbatch *s, const char *id, const char *date,
                                      int64_t service)
{
    size_t i = s->b.n++;
    assert_true(i < 400);
    struct sm_incident *in = &s->items[i];
    sm_incident_init(in);
    snprintf(s->ids[i], sizeof s->ids[i], "%s", id);
    snprintf(s->dates[i], sizeof s->dates[i], "%s", date);
    in->ext_id = s->ids[i];
    in->detected_on = s->dates[i];
    in->service_id = service;
    in->prefecture = "13";
    in->industry = "E";
    in->size = SM_SIZE_6_20;
    in->threat = SM_THREAT_RANSOMWARE;
    in->detection = SM_DETECT_UTM;
    in->response = SM_RESPONSE_ONSITE;
    in->outcome = SM_OUTCOME_CONTAINED;
    s->rows[i] = -1;
    return in;
}

static struct sm_submit_result *submit(struct fx *f, int p, const struct sm_incident_batch *b,
                                       bool aon, int want)
{
    struct sm_registry_who w = staff_of(f->providers[p]);
    struct sm_submit_result *r = NULL;
    struct sm_diag d;
    int rc = sm_sharing_submit(f->db.store, &w, b, aon, TODAY, &r, &d);
    if (rc != want)
        fail_msg("submit: %d, wanted %d: %s", rc, want, d.msg);
    return r;
}

static int64_t count_sql(struct sm_store *s, const char *sql)
{
    int64_t n = -1;
    struct sm_diag d;
    if (sm_sql_scalar_int64(s, sql, &n, &d))
        fail_msg("%s: %s", sql, d.msg);
    return n;
}

/* The tally agrees with the reports, dimension by dimension. */
static void check_tally(struct sm_store *s)
{
    static const char *const pairs[][2] = {
        { "geo", "prefecture" },      { "threat", "threat" },   { "response", "response" },
        { "detection", "detection" }, { "outcome", "outcome" }, { "cost", "cost_band" },
    };
    char sql[512];
    for (size_t i = 0; i < sizeof pairs / sizeof pairs[0]; i++) {
        snprintf(
            sql, sizeof sql,
            "SELECT COUNT(*) FROM (SELECT half, %s AS k, tlp, provider_id, COUNT(*) AS n"
            " FROM incidents GROUP BY half, %s, tlp, provider_id) x"
            " FULL OUTER JOIN (SELECT * FROM incident_tally WHERE dim = '%s' AND n > 0) t"
            " ON t.half = x.half AND t.k1 = x.k AND t.tlp = x.tlp"
            " AND t.provider_id = x.provider_id WHERE x.n IS NULL OR t.n IS NULL OR x.n <> t.n",
            pairs[i][1], pairs[i][1], pairs[i][0]);
        if (strcmp(backend, "sqlite") == 0) {
            /* SQLite before 3.39 has no FULL OUTER JOIN: compare both ways. */
            snprintf(sql, sizeof sql,
                     "SELECT (SELECT COUNT(*) FROM (SELECT half, %s AS k, tlp, provider_id,"
                     " COUNT(*) AS n FROM incidents GROUP BY half, %s, tlp, provider_id) x"
                     " WHERE NOT EXISTS (SELECT 1 FROM incident_tally t WHERE t.dim = '%s'"
                     " AND t.half = x.half AND t.k1 = x.k AND t.tlp = x.tlp"
                     " AND t.provider_id = x.provider_id AND t.n = x.n))"
                     " + (SELECT COUNT(*) FROM incident_tally WHERE dim = '%s' AND n > 0)"
                     " - (SELECT COUNT(*) FROM (SELECT DISTINCT half, %s, tlp, provider_id"
                     " FROM incidents) y)",
                     pairs[i][1], pairs[i][1], pairs[i][0], pairs[i][0], pairs[i][1]);
        }
        int64_t bad = count_sql(s, sql);
        if (bad != 0)
            fail_msg("the tally of %s is off by %lld rows", pairs[i][0], (long long)bad);
    }
}

/* --- Submission ------------------------------------------------------------------------ */

static void submission_checks_and_upserts(void **state)
{
    struct fx *f = *state;
    struct sbatch *s = calloc(1, sizeof *s);
    sbatch_init(s);
    sbatch_add(s, "A-1", "2025-05-01", f->services[0]);
    struct sm_incident *two = sbatch_add(s, "A-2", "2025-08-10", f->services[0]);
    two->threat = SM_THREAT_PHISHING;
    two->tlp = SM_TLP_GREEN;
    sbatch_add(s, "A-3", "2099-01-01", f->services[0]); /* in the future */
    sbatch_add(s, "A-4", "2025-01-01", f->services[1]); /* another provider's service */
    struct sm_incident *fam = sbatch_add(s, "A-5", "2025-02-01", f->services[0]);
    fam->threat = SM_THREAT_PHISHING;
    fam->malware_family = "Emotet"; /* a family only for malware */
    struct sm_submit_result *r = submit(f, 0, &s->b, false, SM_OK);
    assert_int_equal(r->created, 2);
    assert_int_equal(r->refused, 3);
    assert_int_equal(r->status[2], SM_SUBMIT_REFUSED);
    bool saw_service = false;
    for (size_t e = 0; e < r->n_errors; e++)
        if (r->errors[e].index == 3 && strcmp(r->errors[e].field, "service_id") == 0)
            saw_service = true;
    assert_true(saw_service);
    sm_submit_result_free(r);

    /* Sending A-1 again, changed, replaces it: no duplicate, the counts move with it. */
    sbatch_init(s);
    struct sm_incident *again = sbatch_add(s, "A-1", "2025-05-01", f->services[0]);
    again->prefecture = "27";
    again->threat = SM_THREAT_MALWARE;
    again->malware_family = "Qakbot";
    r = submit(f, 0, &s->b, false, SM_OK);
    assert_int_equal(r->updated, 1);
    assert_int_equal(r->status[0], SM_SUBMIT_UPDATED);
    sm_submit_result_free(r);
    r = submit(f, 0, &s->b, false, SM_OK); /* and again: still one report */
    sm_submit_result_free(r);
    assert_int_equal(count_sql(f->db.store, "SELECT COUNT(*) FROM incidents"), 2);
    assert_int_equal(count_sql(f->db.store, "SELECT revision FROM incidents WHERE ext_id = 'A-1'"),
                     3);
    assert_int_equal(
        count_sql(f->db.store,
                  "SELECT COUNT(*) FROM incidents WHERE ext_id = 'A-1' AND prefecture = '27'"
                  " AND family_shared = 'qakbot' AND month = '2025-05' AND half = '2025H1'"),
        1);
    check_tally(f->db.store);

    /* The same id from another provider is another report. */
    sbatch_init(s);
    sbatch_add(s, "A-1", "2025-05-02", f->services[1]);
    r = submit(f, 1, &s->b, false, SM_OK);
    assert_int_equal(r->created, 1);
    sm_submit_result_free(r);
    check_tally(f->db.store);

    /* Only a provider's staff submit. */
    struct sm_registry_who op = operator_who();
    struct sm_diag d;
    assert_int_equal(sm_sharing_submit(f->db.store, &op, &s->b, false, TODAY, &r, &d), SM_EPERM);
    free(s);
}

static void batches_mix_new_resent_and_repeated_ids(void **state)
{
    struct fx *f = *state;
    struct sbatch *s = calloc(1, sizeof *s);
    sbatch_init(s);
    for (int i = 0; i < 64; i++) {
        char id[16];
        snprintf(id, sizeof id, "M-%d", i);
        sbatch_add(s, id, "2025-03-01", f->services[0])->prefecture = i % 2 ? "13" : "27";
    }
    struct sm_submit_result *r = submit(f, 0, &s->b, false, SM_OK);
    assert_int_equal(r->created, 64);
    sm_submit_result_free(r);
    /* Every other id again (changed), new ones between, and one id twice in a batch. */
    sbatch_init(s);
    for (int i = 0; i < 96; i++) {
        char id[16];
        snprintf(id, sizeof id, i % 2 ? "N-%d" : "M-%d", i % 2 ? i : i / 2);
        if (i == 5)
            snprintf(id, sizeof id, "M-0");
        struct sm_incident *in = sbatch_add(s, id, "2025-09-01", f->services[0]);
        in->threat = SM_THREAT_PHISHING;
        in->prefecture = "01";
    }
    r = submit(f, 0, &s->b, false, SM_OK);
    assert_int_equal(r->created + r->updated, 96);
    assert_int_equal(r->updated, 49); /* M-0..M-47 and M-0 once more */
    assert_int_equal(r->status[0], SM_SUBMIT_UPDATED);
    assert_int_equal(r->status[1], SM_SUBMIT_CREATED);
    assert_int_equal(r->status[5], SM_SUBMIT_UPDATED);
    sm_submit_result_free(r);
    /* N-5 was never sent: its place held M-0 again. */
    assert_int_equal(count_sql(f->db.store, "SELECT COUNT(*) FROM incidents"), 64 + 47);
    assert_int_equal(count_sql(f->db.store, "SELECT revision FROM incidents WHERE ext_id = 'M-0'"),
                     3);
    assert_int_equal(
        count_sql(f->db.store, "SELECT COUNT(*) FROM incidents WHERE prefecture = '01'"), 48 + 47);
    check_tally(f->db.store);
    free(s);
}

static void lapsed_or_suspended_registration_ends_submission(void **state)
{
    struct fx *f = *state;
    struct sbatch *s = calloc(1, sizeof *s);
    sbatch_init(s);
    sbatch_add(s, "B-1", "2025-05-01", f->services[2]);
    struct sm_submit_result *r = submit(f, 2, &s->b, false, SM_OK);
    sm_submit_result_free(r);

    struct sm_registry_who op = operator_who();
    struct sm_diag d;
    assert_int_equal(sm_registry_suspend(f->db.store, &op, f->services[2], "test", &d), SM_OK);
    sbatch_init(s);
    sbatch_add(s, "B-2", "2025-05-02", f->services[2]);
    struct sm_registry_who w = staff_of(f->providers[2]);
    r = NULL;
    assert_int_equal(sm_sharing_submit(f->db.store, &w, &s->b, false, TODAY, &r, &d), SM_EPERM);
    assert_null(r);
    assert_non_null(strstr(d.msg, "no currently registered service"));
    bool active = true;
    assert_int_equal(sm_sharing_provider_active(f->db.store, f->providers[2], TODAY, &active, &d),
                     SM_OK);
    assert_false(active);
    /* Nor do its staff see the shared statistics any more. */
    struct sm_stats_options o;
    sm_stats_options_init(&o, SM_AUDIENCE_PROVIDERS);
    snprintf(o.today, sizeof o.today, "%s", TODAY);
    json_t *doc = NULL;
    assert_int_equal(sm_sharing_stats(f->db.store, &w, &o, &doc, &d), SM_EPERM);
    /* A registration whose renewal date passed lapses the same way. */
    assert_int_equal(
        sm_sharing_provider_active(f->db.store, f->providers[0], "2040-01-01", &active, &d), SM_OK);
    assert_false(active);
    assert_int_equal(count_sql(f->db.store, "SELECT COUNT(*) FROM incidents"), 1);
    free(s);
}

/* --- CSV ------------------------------------------------------------------------------- */

static const char *csv_header = "id,detected_on,service_id,prefecture,industry,size,threat,"
                                "malware_family,detection,response,outcome,recovery_days,"
                                "cost_band,notes,customer_name,tlp\r\n";

static int parse_csv(const char *data, size_t len, struct sm_incident_batch **b, struct sm_diag *d)
{
    return sm_incident_parse_csv(data, len, NULL, b, d);
}

static void csv_upload_is_all_or_nothing(void **state)
{
    struct fx *f = *state;
    char csv[4096];
    struct sm_diag d;
    struct sm_incident_batch *b = NULL;
    /* A good file with a BOM, a multi-line note, columns in another order is fine. */
    snprintf(csv, sizeof csv,
             "\xEF\xBB\xBF%s"
             "C-1,2025-04-01,%lld,13,E,6-20,ransomware,LockBit,edr,onsite,contained,3,100k_1m,"
             "\"一行目\r\n二行目\",,amber\r\n"
             "C-2,2025-04-02,%lld,01,A,1-5,phishing,,user,remote,blocked,,,,,clear\r\n",
             csv_header, (long long)f->services[0], (long long)f->services[0]);
    assert_int_equal(parse_csv(csv, strlen(csv), &b, &d), SM_OK);
    assert_int_equal(b->n, 2);
    assert_int_equal(b->n_errors, 0);
    struct sm_submit_result *r = submit(f, 0, b, true, SM_OK);
    assert_int_equal(r->created, 2);
    sm_submit_result_free(r);
    sm_incident_batch_free(b);

    /* One bad row among good ones stores nothing and lists every problem. */
    snprintf(csv, sizeof csv,
             "%s"
             "C-3,2025-04-03,%lld,13,E,6-20,ransomware,,edr,onsite,contained,,,,,\r\n"
             "C-4,2025-04-04,%lld,99,Z,7-9,worm,,edr,onsite,contained,,,,,\r\n"
             "C-5,2025-04-05,%lld,13,E,6-20,ransomware,,edr,onsite,contained,,,"
             "\"=cmd|' /C calc'!A0\",,\r\n",
             csv_header, (long long)f->services[0], (long long)f->services[0],
             (long long)f->services[0]);
    assert_int_equal(parse_csv(csv, strlen(csv), &b, &d), SM_OK);
    assert_int_equal(b->n, 3);
    assert_true(b->n_errors >= 5); /* prefecture, industry, size, threat, the formula */
    bool formula = false;
    for (size_t e = 0; e < b->n_errors; e++)
        if (b->errors[e].row == 4 && strcmp(b->errors[e].field, "notes") == 0 &&
            strstr(b->errors[e].message, "formula"))
            formula = true;
    assert_true(formula);
    struct sm_registry_who w = staff_of(f->providers[0]);
    r = NULL;
    assert_int_equal(sm_sharing_submit(f->db.store, &w, b, true, TODAY, &r, &d), SM_EINVAL);
    assert_non_null(r);
    assert_int_equal(r->created + r->updated, 0);
    assert_non_null(strstr(d.msg, "nothing was stored"));
    sm_submit_result_free(r);
    sm_incident_batch_free(b);
    assert_int_equal(count_sql(f->db.store, "SELECT COUNT(*) FROM incidents"), 2);
    check_tally(f->db.store);
}

static void csv_import_streams_all_or_nothing(void **state)
{
    struct fx *f = *state;
    struct sm_registry_who w = staff_of(f->providers[0]);
    struct sm_diag d;
    struct sm_submit_result *r = NULL;
    /* 300 good rows, one resubmitted. */
    struct sm_buf csv;
    sm_buf_init(&csv, 1 << 20);
    assert_int_equal(sm_buf_puts(&csv, csv_header), SM_OK);
    for (int i = 0; i < 300; i++)
        assert_int_equal(
            sm_buf_printf(&csv,
                          "S-%d,2025-0%d-01,%lld,13,E,6-20,ransomware,LockBit,edr,"
                          "onsite,contained,3,,\"株式会社カナリアの PC\",株式会社カナリア,"
                          "amber\r\n",
                          i % 299, 1 + i % 9, (long long)f->services[0]),
            SM_OK);
    assert_int_equal(sm_sharing_import_csv(f->db.store, &w, csv.data, csv.len, NULL, TODAY, &r, &d),
                     SM_OK);
    assert_int_equal(r->created, 299);
    assert_int_equal(r->updated, 1);
    assert_null(r->status);
    sm_submit_result_free(r);
    assert_int_equal(count_sql(f->db.store, "SELECT COUNT(*) FROM incidents"), 299);
    assert_int_equal(
        count_sql(f->db.store,
                  "SELECT COUNT(*) FROM incidents WHERE notes_shared LIKE '%カナリア%'"),
        0);
    check_tally(f->db.store);
    /* A bad row at the end stores nothing, and says which row. */
    assert_int_equal(sm_buf_printf(&csv,
                                   "S-X,2025-01-01,%lld,13,E,6-20,worm,,edr,onsite,"
                                   "contained,,,,,\r\n",
                                   (long long)f->services[0]),
                     SM_OK);
    r = NULL;
    assert_int_equal(sm_sharing_import_csv(f->db.store, &w, csv.data, csv.len, NULL, TODAY, &r, &d),
                     SM_EINVAL);
    assert_non_null(r);
    assert_int_equal(r->created + r->updated, 0);
    assert_int_equal(r->n_errors, 1);
    assert_int_equal(r->errors[0].row, 302);
    assert_string_equal(r->errors[0].field, "threat");
    sm_submit_result_free(r);
    /* A file malformed after good rows stores nothing either. */
    struct sm_buf broken;
    sm_buf_init(&broken, 1 << 20);
    assert_int_equal(sm_buf_append(&broken, csv.data, csv.len - 20), SM_OK);
    assert_int_equal(sm_buf_puts(&broken, "\"unterminated\r\n"), SM_OK);
    r = NULL;
    assert_int_equal(
        sm_sharing_import_csv(f->db.store, &w, broken.data, broken.len, NULL, TODAY, &r, &d),
        SM_EPARSE);
    assert_null(r);
    assert_int_equal(count_sql(f->db.store, "SELECT COUNT(*) FROM incidents"), 299);
    check_tally(f->db.store);
    sm_buf_release(&broken);
    sm_buf_release(&csv);
}

static void csv_bad_files_are_refused_clearly(void **state)
{
    (void)state;
    struct sm_diag d;
    struct sm_incident_batch *b = NULL;
    /* Shift_JIS (Excel's default "CSV"). */
    const char sjis[] = "id,detected_on\r\n\x83\x4A\x83\x69\x83\x8A\x83\x41,2025-01-01\r\n";
    assert_int_equal(parse_csv(sjis, sizeof sjis - 1, &b, &d), SM_EPARSE);
    assert_non_null(strstr(d.msg, "not UTF-8"));
    assert_non_null(strstr(d.msg, "Shift_JIS"));
    /* UTF-16 with its byte-order mark. */
    const char u16[] = "\xFF\xFEi\0d\0";
    assert_int_equal(parse_csv(u16, sizeof u16 - 1, &b, &d), SM_EPARSE);
    assert_non_null(strstr(d.msg, "UTF-16"));
    /* A byte-order mark in the middle: two files joined. */
    char joined[1024];
    snprintf(joined, sizeof joined, "%s\xEF\xBB\xBF%s", csv_header, csv_header);
    assert_int_equal(parse_csv(joined, strlen(joined), &b, &d), SM_EPARSE);
    assert_non_null(strstr(d.msg, "byte-order mark"));
    /* A quoted line break outside notes. */
    char qnl[1024];
    snprintf(qnl, sizeof qnl,
             "%sD-1,2025-04-01,1,13,E,6-20,ransomware,,edr,onsite,contained,,,,\"株式会社\n"
             "カナリア\",\r\n",
             csv_header);
    assert_int_equal(parse_csv(qnl, strlen(qnl), &b, &d), SM_OK);
    assert_int_equal(b->n_errors, 1);
    assert_string_equal(b->errors[0].field, "customer_name");
    sm_incident_batch_free(b);
    /* Unknown and missing columns, ragged rows, NUL bytes. */
    assert_int_equal(parse_csv("id,colour\r\n1,red\r\n", 18, &b, &d), SM_EPARSE);
    assert_non_null(strstr(d.msg, "unknown column"));
    assert_int_equal(parse_csv("id\r\n1\r\n", 7, &b, &d), SM_EPARSE);
    assert_non_null(strstr(d.msg, "missing"));
    char nul[600];
    int n = snprintf(nul, sizeof nul, "%sx", csv_header);
    nul[n - 1] = '\0';
    assert_int_equal(parse_csv(nul, (size_t)n, &b, &d), SM_EPARSE);
    /* 100 MB: refused before reading it. */
    size_t big = (size_t)100 << 20;
    char *huge = malloc(big);
    assert_non_null(huge);
    memset(huge, 'a', big);
    assert_int_equal(parse_csv(huge, big, &b, &d), SM_ELIMIT);
    assert_non_null(strstr(d.msg, "larger than"));
    free(huge);
    /* The template parses back to no reports and no errors. */
    struct sm_buf t;
    sm_buf_init(&t, 4096);
    assert_int_equal(sm_incident_csv_template(&t), SM_OK);
    assert_int_equal(parse_csv(t.data, t.len, &b, &d), SM_OK);
    assert_int_equal(b->n, 0);
    sm_incident_batch_free(b);
    sm_buf_release(&t);
}

static void json_records_are_checked_one_by_one(void **state)
{
    (void)state;
    const char *body =
        "[{\"id\":\"J-1\",\"detected_on\":\"2025-01-02\",\"service_id\":1,\"prefecture\":13,"
        "\"industry\":\"E\",\"size\":\"6-20\",\"threat\":\"ransomware\",\"detection\":\"edr\","
        "\"response\":\"onsite\",\"outcome\":\"damage\",\"recovery_days\":12,"
        "\"tlp\":\"TLP:GREEN\"},"
        "{\"id\":\"J-2\",\"detected_on\":\"2025-13-02\",\"service_id\":\"x\",\"colour\":1},"
        "42]";
    struct sm_incident_batch *b = NULL;
    struct sm_diag d;
    assert_int_equal(sm_incident_parse_json(body, strlen(body), NULL, &b, &d), SM_OK);
    assert_int_equal(b->n, 3);
    assert_false(b->bad[0]);
    assert_string_equal(b->items[0].prefecture, "13");
    assert_int_equal(b->items[0].tlp, SM_TLP_GREEN);
    assert_int_equal(b->items[0].recovery_days, 12);
    assert_true(b->bad[1]);
    assert_true(b->bad[2]);
    sm_incident_batch_free(b);
    assert_int_equal(sm_incident_parse_json("{\"id\":1}", 8, NULL, &b, &d), SM_EPARSE);
    assert_int_equal(sm_incident_parse_json("[1,", 3, NULL, &b, &d), SM_EPARSE);
}

/* --- Raw views ------------------------------------------------------------------------- */

static void raw_views_are_audited_and_red_stays_home(void **state)
{
    struct fx *f = *state;
    struct sbatch *s = calloc(1, sizeof *s);
    sbatch_init(s);
    sbatch_add(s, "R-1", "2025-05-01", f->services[0])->tlp = SM_TLP_RED;
    sbatch_add(s, "R-2", "2025-05-02", f->services[0])->tlp = SM_TLP_AMBER_STRICT;
    sbatch_add(s, "R-3", "2025-05-03", f->services[0])->customer_name = "株式会社カナリア";
    struct sm_submit_result *r = submit(f, 0, &s->b, false, SM_OK);
    sm_submit_result_free(r);
    free(s);

    struct sm_diag d;
    long before = 0, after = 0;
    assert_int_equal(sm_audit_count(f->db.store, "sharing.reports.view", &before, &d), SM_OK);
    struct sm_registry_who own = staff_of(f->providers[0]);
    struct sm_incident_list *l = NULL;
    assert_int_equal(sm_sharing_reports(f->db.store, &own, f->providers[0], 0, 0, &l, &d), SM_OK);
    assert_int_equal(l->n, 3);
    assert_string_equal(l->items[0].in.customer_name, "株式会社カナリア");
    sm_incident_list_free(l);
    struct sm_registry_who op = operator_who();
    assert_int_equal(sm_sharing_reports(f->db.store, &op, 0, 0, 0, &l, &d), SM_OK);
    assert_int_equal(l->n, 2); /* not the RED one */
    for (size_t i = 0; i < l->n; i++)
        assert_int_not_equal(l->items[i].in.tlp, SM_TLP_RED);
    sm_incident_list_free(l);
    assert_int_equal(sm_audit_count(f->db.store, "sharing.reports.view", &after, &d), SM_OK);
    assert_int_equal(after, before + 2);

    struct sm_registry_who other = staff_of(f->providers[1]);
    struct sm_registry_who reviewer = { .name = "rv", .role = SM_ROLE_REVIEWER };
    struct sm_registry_who analyst = { .name = "an", .role = SM_ROLE_ANALYST };
    assert_int_equal(sm_sharing_reports(f->db.store, &other, f->providers[0], 0, 0, &l, &d),
                     SM_EPERM);
    assert_int_equal(sm_sharing_reports(f->db.store, &other, 0, 0, 0, &l, &d), SM_EPERM);
    assert_int_equal(sm_sharing_reports(f->db.store, &reviewer, 0, 0, 0, &l, &d), SM_EPERM);
    assert_int_equal(sm_sharing_reports(f->db.store, &analyst, f->providers[0], 0, 0, &l, &d),
                     SM_EPERM);
}

/* --- Statistics against the truth ---------------------------------------------------------- */

/* Random reports from the three providers, in a few prefectures and half-years, with
 * small counts likely. */
static void random_reports(struct fx *f, unsigned seed, size_t per_provider)
{
    srand(seed);
    static const char *const prefs[] = { "01", "13", "13", "13", "27", "27", "40", "47", "02" };
    static const char *const months[] = { "2024-02-10", "2024-05-20", "2024-08-03",
                                          "2024-11-30", "2025-03-15", "2025-09-09" };
    static const char *const fams[] = { "LockBit", "Emotet", "Qakbot", "", "Akira" };
    struct sbatch *s = calloc(1, sizeof *s);
    for (int p = 0; p < 3; p++) {
        sbatch_init(s);
        for (size_t i = 0; i < per_provider; i++) {
            char id[24];
            snprintf(id, sizeof id, "P%d-%zu", p, i);
            struct sm_incident *in = sbatch_add(s, id, months[rand() % 6], f->services[p]);
            in->prefecture = prefs[rand() % 9];
            in->industry = (const char *[]){ "E", "E", "I", "P", "D", "G" }[rand() % 6];
            in->size = (enum sm_size_band)(rand() % 4);
            in->threat = (enum sm_threat)(rand() % 3 == 0 ? rand() % SM_THREAT_COUNT : rand() % 3);
            if (in->threat <= SM_THREAT_MALWARE)
                in->malware_family = fams[rand() % 5];
            in->detection = (enum sm_detection)(rand() % 4);
            in->response = (enum sm_response)(rand() % 3);
            in->outcome = (enum sm_outcome)(rand() % 4);
            in->recovery_days = rand() % 3 == 0 ? -1 : rand() % 40;
            in->cost = (enum sm_cost_band)(rand() % 6);
            in->tlp = (enum sm_tlp)(rand() % 10 < 6 ? SM_TLP_AMBER : rand() % 5);
        }
        struct sm_submit_result *r = submit(f, p, &s->b, false, SM_OK);
        assert_int_equal(r->refused, 0);
        sm_submit_result_free(r);
    }
    free(s);
}

/* The TLPs a release of audience counts, as an SQL list. */
static const char *tlp_sql(enum sm_audience a)
{
    switch (a) {
    case SM_AUDIENCE_PUBLIC:
        return "('clear')";
    case SM_AUDIENCE_PROVIDERS:
        return "('clear', 'green', 'amber')";
    case SM_AUDIENCE_OPERATOR:
        return "('clear', 'green', 'amber', 'amber+strict')";
    }
    return "()";
}

/* The true count and each provider's part of it, for the reports matching cond. */
static int64_t truth(struct fx *f, enum sm_audience a, const char *cond, int64_t own[3])
{
    char sql[600];
    int64_t total = 0;
    for (int p = 0; p < 3; p++) {
        snprintf(sql, sizeof sql,
                 "SELECT COUNT(*) FROM incidents WHERE tlp IN %s AND provider_id = %lld AND %s",
                 tlp_sql(a), (long long)f->providers[p], cond);
        own[p] = count_sql(f->db.store, sql);
        total += own[p];
    }
    return total;
}

/* Checks one shown or suppressed count against the truth; records it as an arc. */
struct audit_table {
    struct sm_supp_table t;
    struct sm_supp_arc arcs[200];
    int64_t own[200][3];
};

static void arc(struct fx *f, struct audit_table *at, enum sm_audience a, int k, int from, int to,
                const json_t *shown, const char *cond, bool pinned)
{
    size_t i = at->t.n_arcs++;
    assert_true(i < 200);
    int64_t v = truth(f, a, cond, at->own[i]);
    at->arcs[i] = (struct sm_supp_arc){ .from = from,
                                        .to = to,
                                        .value = v,
                                        .own = at->own[i],
                                        .pinned = pinned,
                                        .hidden = json_is_null(shown) };
    if (!json_is_null(shown)) {
        if (json_integer_value(shown) != v)
            fail_msg("%s: shown %lld, truth %lld", cond, (long long)json_integer_value(shown),
                     (long long)v);
        if (v < k)
            fail_msg("%s: shown %lld is under k = %d", cond, (long long)v, k);
    }
}

static void audit_safe(struct audit_table *at, int k, const char *what)
{
    at->t.arcs = at->arcs;
    at->t.n_providers = 3;
    bool safe = false;
    assert_int_equal(sm_supp_safe(&at->t, k, &safe), SM_OK);
    if (!safe)
        fail_msg("%s: a suppressed count can be worked out", what);
}

static void check_list(struct fx *f, enum sm_audience a, int k, const json_t *t, const char *column)
{
    struct audit_table *at = calloc(1, sizeof *at);
    at->t.n_nodes = 2;
    const json_t *rows = json_object_get(t, "rows"), *counts = json_object_get(t, "counts");
    char cond[200];
    for (size_t i = 0; i < json_array_size(rows); i++) {
        const char *key = json_string_value(json_object_get(json_array_get(rows, i), "key"));
        if (strcmp(column, "recovery") == 0) {
            static const char *const ranges[] = { "recovery_days = 0",
                                                  "recovery_days BETWEEN 1 AND 3",
                                                  "recovery_days BETWEEN 4 AND 7",
                                                  "recovery_days BETWEEN 8 AND 30",
                                                  "recovery_days > 30",
                                                  "recovery_days IS NULL" };
            snprintf(cond, sizeof cond, "%s", ranges[i]);
        } else {
            snprintf(cond, sizeof cond, "%s = '%s'", column, key);
        }
        arc(f, at, a, k, 0, 1, json_array_get(counts, i), cond, false);
    }
    arc(f, at, a, k, 1, 0, json_object_get(t, "total"), "1 = 1", true);
    audit_safe(at, k, column);
    free(at);
}

static void check_cross(struct fx *f, enum sm_audience a, int k, const json_t *t, const char *rcol,
                        const char *ccol)
{
    struct audit_table *at = calloc(1, sizeof *at);
    const json_t *rows = json_object_get(t, "rows"), *cols = json_object_get(t, "cols");
    size_t R = json_array_size(rows), C = json_array_size(cols);
    at->t.n_nodes = (int)(R + C + 2);
    char cond[200];
    for (size_t i = 0; i < R; i++)
        for (size_t j = 0; j < C; j++) {
            snprintf(cond, sizeof cond, "%s = '%s' AND %s = '%s'", rcol,
                     json_string_value(json_object_get(json_array_get(rows, i), "key")), ccol,
                     json_string_value(json_object_get(json_array_get(cols, j), "key")));
            arc(f, at, a, k, (int)(R + j), (int)i,
                json_array_get(json_array_get(json_object_get(t, "cells"), i), j), cond, false);
        }
    for (size_t i = 0; i < R; i++) {
        snprintf(cond, sizeof cond, "%s = '%s'", rcol,
                 json_string_value(json_object_get(json_array_get(rows, i), "key")));
        arc(f, at, a, k, (int)i, (int)(R + C), json_array_get(json_object_get(t, "row_totals"), i),
            cond, false);
    }
    for (size_t j = 0; j < C; j++) {
        snprintf(cond, sizeof cond, "%s = '%s'", ccol,
                 json_string_value(json_object_get(json_array_get(cols, j), "key")));
        arc(f, at, a, k, (int)(R + C + 1), (int)(R + j),
            json_array_get(json_object_get(t, "col_totals"), j), cond, false);
    }
    arc(f, at, a, k, (int)(R + C), (int)(R + C + 1), json_object_get(t, "total"), "1 = 1", true);
    audit_safe(at, k, rcol);
    free(at);
}

static void check_geography(struct fx *f, enum sm_audience a, int k, const json_t *t)
{
    struct audit_table *at = calloc(1, sizeof *at);
    const json_t *groups = json_object_get(t, "groups");
    at->t.n_nodes = (int)(2 + json_array_size(groups));
    char cond[300];
    for (size_t g = 0; g < json_array_size(groups); g++) {
        const json_t *items = json_object_get(json_array_get(groups, g), "items");
        for (size_t i = 0; i < json_array_size(items); i++) {
            const json_t *it = json_array_get(items, i);
            snprintf(cond, sizeof cond, "prefecture = '%s'",
                     json_string_value(json_object_get(it, "key")));
            arc(f, at, a, k, 0, (int)(2 + g), json_object_get(it, "count"), cond, false);
        }
    }
    for (size_t g = 0; g < json_array_size(groups); g++) {
        const json_t *grp = json_array_get(groups, g);
        snprintf(cond, sizeof cond,
                 "prefecture IN (SELECT code FROM prefectures WHERE region_id = %s)",
                 json_string_value(json_object_get(grp, "key")));
        arc(f, at, a, k, (int)(2 + g), 1, json_object_get(grp, "count"), cond, false);
    }
    arc(f, at, a, k, 1, 0, json_object_get(t, "total"), "1 = 1", true);
    audit_safe(at, k, "geography");
    free(at);
}

static json_t *release(struct fx *f, enum sm_audience a, int k, bool narratives)
{
    struct sm_registry_who w =
        a == SM_AUDIENCE_PROVIDERS ? staff_of(f->providers[1]) : operator_who();
    struct sm_stats_options o;
    sm_stats_options_init(&o, a);
    o.k = k;
    o.narratives = narratives;
    snprintf(o.today, sizeof o.today, "%s", TODAY);
    json_t *doc = NULL;
    struct sm_diag d;
    if (sm_sharing_stats(f->db.store, &w, &o, &doc, &d))
        fail_msg("stats: %s", d.msg);
    return doc;
}

static void releases_match_the_truth_and_hide_small_counts(void **state)
{
    struct fx *f = *state;
    random_reports(f, 7, 60);
    check_tally(f->db.store);

    static const enum sm_audience auds[] = { SM_AUDIENCE_PUBLIC, SM_AUDIENCE_PROVIDERS,
                                             SM_AUDIENCE_OPERATOR };

    int ks[] = { 5, 3, 8 };
    for (size_t ai = 0; ai < 3; ai++)
        for (size_t ki = 0; ki < 3; ki++) {
            enum sm_audience a = auds[ai];
            int k = ks[ki];
            json_t *doc = release(f, a, k, false);
            int64_t own[3];
            int64_t total = truth(f, a, "1 = 1", own);
            assert_false(json_is_true(json_object_get(doc, "too_few")));
            assert_int_equal(json_integer_value(json_object_get(doc, "total")), total);
            const json_t *tables = json_object_get(doc, "tables");
            check_cross(f, a, k, json_object_get(tables, "threat_by_half"), "threat", "half");
            if (a == SM_AUDIENCE_PUBLIC) {
                assert_null(json_object_get(tables, "geography"));
                assert_null(json_object_get(tables, "industry_by_size"));
                json_decref(doc);
                continue;
            }
            check_geography(f, a, k, json_object_get(tables, "geography"));
            check_cross(f, a, k, json_object_get(tables, "industry_by_size"), "industry",
                        "size_band");
            check_list(f, a, k, json_object_get(tables, "response"), "response");
            check_list(f, a, k, json_object_get(tables, "detection"), "detection");
            check_list(f, a, k, json_object_get(tables, "outcome"), "outcome");
            check_list(f, a, k, json_object_get(tables, "cost"), "cost_band");
            check_list(f, a, k, json_object_get(tables, "recovery"), "recovery");
            json_decref(doc);
        }
}

static void a_tiny_release_shows_nothing(void **state)
{
    struct fx *f = *state;
    struct sbatch *s = calloc(1, sizeof *s);
    sbatch_init(s);
    for (int i = 0; i < 4; i++) {
        char id[8];
        snprintf(id, sizeof id, "T-%d", i);
        sbatch_add(s, id, "2025-05-01", f->services[0]);
    }
    struct sm_submit_result *r = submit(f, 0, &s->b, false, SM_OK);
    sm_submit_result_free(r);
    free(s);
    json_t *doc = release(f, SM_AUDIENCE_OPERATOR, 5, true);
    assert_true(json_is_true(json_object_get(doc, "too_few")));
    assert_true(json_is_null(json_object_get(doc, "total")));
    assert_int_equal(json_object_size(json_object_get(doc, "tables")), 0);
    json_decref(doc);
}

/* --- The canary ------------------------------------------------------------------------------ */

/* A customer name (in Japanese and in Latin letters), a person, an e-mail address, a phone
 * number in two widths and an IP address, in every free-text and name field. */
static const char *const canaries[] = {
    "カナリア精機", "Kanaria",  "kanaria",     "KANARIA", "canary.secret",
    "9876",         "９８７６", "10.66.77.88", "山鳥",
};

static void assert_no_canary(const char *what, const char *text)
{
    for (size_t i = 0; i < sizeof canaries / sizeof canaries[0]; i++)
        if (strstr(text, canaries[i]))
            fail_msg("the canary '%s' is in %s", canaries[i], what);
}

static void canary_never_leaves_the_provider(void **state)
{
    struct fx *f = *state;
    random_reports(f, 11, 40);
    struct sbatch *s = calloc(1, sizeof *s);
    for (int p = 0; p < 3; p++) {
        sbatch_init(s);
        for (int i = 0; i < 12; i++) {
            char id[24];
            snprintf(id, sizeof id, "CANARY-%d-%d", p, i);
            struct sm_incident *in =
                sbatch_add(s, id, i % 2 ? "2025-05-01" : "2024-10-01", f->services[p]);
            static const char *const customers[] = { "株式会社カナリア精機",
                                                     "Kanaria Seiki Co., Ltd." };
            static const char *const families[] = { "カナリア精機", "Kanaria Seiki Co., Ltd.",
                                                    "canary.secret@kanaria-seiki.co.jp",
                                                    "03-9876-5432", "10.66.77.88" };
            static const char *const notes[] = {
                "株式会社カナリア精機の山鳥様 (canary.secret@kanaria-seiki.co.jp, "
                "０３－９８７６－５４３２, 03-9876-5432) の PC 10.66.77.88 がランサムウェアに"
                "感染。株式会社カナリア精機 本社サーバ fs.kanaria-seiki.local も停止。",
                "Kanaria Seiki Co., Ltd. の山鳥さん (canary.secret@kanaria-seiki.co.jp, "
                "+81-3-9876-5432) から連絡。Kanaria Seiki Co., Ltd. の 10.66.77.88 が"
                "ランサムウェアに感染。",
            };
            in->customer_name = customers[p == 1];
            in->threat = i % 3 ? SM_THREAT_RANSOMWARE : SM_THREAT_MALWARE;
            /* The customer name as this provider wrote it, or another canary. */
            size_t fi = (size_t)i % 4;
            in->malware_family = fi == 0 ? customers[p == 1] : families[fi + 1];
            in->notes = notes[p == 1];
            in->tlp = (enum sm_tlp)(i % 4 == 3 ? SM_TLP_CLEAR : i % 4);
        }
        struct sm_submit_result *r = submit(f, p, &s->b, false, SM_OK);
        assert_int_equal(r->refused, 0);
        sm_submit_result_free(r);
    }
    free(s);

    /* The provider's own raw view has it all back (the test is not vacuous). */
    struct sm_registry_who own = staff_of(f->providers[0]);
    struct sm_incident_list *l = NULL;
    struct sm_diag d;
    assert_int_equal(sm_sharing_reports(f->db.store, &own, f->providers[0], 1000, 0, &l, &d),
                     SM_OK);
    bool found = false;
    for (size_t i = 0; i < l->n; i++) {
        if (l->items[i].in.notes && strstr(l->items[i].in.notes, "canary.secret"))
            found = true;
        if (l->items[i].notes_shared)
            assert_no_canary("a report's shared notes", l->items[i].notes_shared);
        if (l->items[i].family_shared)
            assert_no_canary("a report's shared family", l->items[i].family_shared);
    }
    assert_true(found);
    sm_incident_list_free(l);

    /* Every release, its CSV and its STIX bundle, and a published snapshot. */
    static const enum sm_audience auds[] = { SM_AUDIENCE_PUBLIC, SM_AUDIENCE_PROVIDERS,
                                             SM_AUDIENCE_OPERATOR };

    bool narratives_seen = false;
    for (size_t ai = 0; ai < 3; ai++) {
        json_t *doc = release(f, auds[ai], 3, true);
        char *text = json_dumps(doc, 0);
        assert_no_canary("a release", text);
        if (strstr(text, "ランサムウェアに感染"))
            narratives_seen = true;
        free(text);
        struct sm_buf csv;
        sm_buf_init(&csv, 1 << 20);
        assert_int_equal(sm_sharing_stats_csv(doc, &csv), SM_OK);
        assert_no_canary("a release's CSV", csv.data);
        sm_buf_release(&csv);
        json_t *bundle = NULL;
        assert_int_equal(sm_sharing_stix(doc, 1767225600, &bundle, &d), SM_OK);
        text = json_dumps(bundle, 0);
        assert_no_canary("a STIX bundle", text);
        free(text);
        json_decref(bundle);
        json_decref(doc);
    }
    assert_true(narratives_seen);
    struct sm_registry_who op = operator_who();
    struct sm_stats_options o;
    sm_stats_options_init(&o, SM_AUDIENCE_PUBLIC);
    int64_t id = 0;
    assert_int_equal(sm_sharing_publish(f->db.store, &op, &o, &id, &d), SM_OK);
    json_t *snap = NULL;
    assert_int_equal(sm_sharing_snapshot(f->db.store, id, &snap, &d), SM_OK);
    char *text = json_dumps(snap, 0);
    assert_no_canary("a snapshot", text);
    free(text);
    json_decref(snap);
    /* Nor in the database's shared columns at all. */
    assert_int_equal(count_sql(f->db.store,
                               "SELECT COUNT(*) FROM incidents WHERE notes_shared LIKE '%canary%'"
                               " OR notes_shared LIKE '%9876%' OR notes_shared LIKE '%10.66%'"
                               " OR notes_shared LIKE '%anaria%' OR family_shared LIKE '%anaria%'"
                               " OR family_shared LIKE '%9876%' OR notes_shared LIKE '%カナリア%'"),
                     0);
}

/* --- STIX ------------------------------------------------------------------------------------ */

static int run(const char *const *argv)
{
    pid_t pid = fork();
    if (pid < 0)
        return -1;
    if (pid == 0) {
        char *args[8] = { NULL };
        for (size_t i = 0; i < 7 && argv[i]; i++)
            args[i] = strdup(argv[i]);
        execv(args[0], args);
        _exit(127);
    }
    int status = 0;
    if (waitpid(pid, &status, 0) < 0)
        return -1;
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

static void stix_bundle_is_valid(void **state)
{
    struct fx *f = *state;
    random_reports(f, 3, 80);
    json_t *doc = release(f, SM_AUDIENCE_PROVIDERS, 3, false);
    json_t *bundle = NULL;
    struct sm_diag d;
    assert_int_equal(sm_sharing_stix(doc, 1767225600, &bundle, &d), SM_OK);
    /* Marked with the most restrictive TLP counted, by its standard id. */
    assert_string_equal(json_string_value(json_object_get(doc, "max_tlp")), "amber");
    char *text = json_dumps(bundle, JSON_INDENT(1));
    assert_non_null(strstr(text, "marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421"));
    assert_non_null(strstr(text, "\"sighting\""));
    assert_non_null(strstr(text, "\"lockbit\""));
    /* Deterministic for the same release and time. */
    json_t *again = NULL;
    assert_int_equal(sm_sharing_stix(doc, 1767225600, &again, &d), SM_OK);
    char *text2 = json_dumps(again, JSON_INDENT(1));
    assert_string_equal(text, text2);
    free(text2);
    json_decref(again);

    char path[] = "/tmp/smesec-stix-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
    close(fd);
    free(text);
    const char *src = getenv("SMESEC_SOURCE_DIR");
    if (!src || !*src)
        fail_msg("SMESEC_SOURCE_DIR is not set");
    char script[1024], dir[1024];
    snprintf(script, sizeof script, "%s/tests/data/schemas/stix-2.1/validate.py", src);
    snprintf(dir, sizeof dir, "%s/tests/data/schemas/stix-2.1/schemas", src);
    const char *python = access("/usr/bin/python3", X_OK) == 0 ? "/usr/bin/python3" : "python3";
    const char *argv[] = { python, script, dir, path, NULL };
    int status = run(argv);
    unlink(path);
    if (status == 2 || status == 127)
        fail_msg("python3 with jsonschema is needed to validate STIX (Debian: "
                 "python3-jsonschema); validate.py exited %d",
                 status);
    assert_int_equal(status, 0);
    json_decref(bundle);
    json_decref(doc);
}

/* --- Tokens, k, snapshots ------------------------------------------------------------------ */

static void tokens_k_and_snapshots(void **state)
{
    struct fx *f = *state;
    struct sm_registry_who op = operator_who(), staff = staff_of(f->providers[0]);
    struct sm_diag d;
    char t1[SM_TOKEN_SIZE], t2[SM_TOKEN_SIZE];
    assert_int_equal(sm_sharing_token_new(f->db.store, &staff, f->providers[0], t1, &d), SM_EPERM);
    assert_int_equal(sm_sharing_token_new(f->db.store, &op, 99999, t1, &d), SM_ENOTFOUND);
    assert_int_equal(sm_sharing_token_new(f->db.store, &op, f->providers[0], t1, &d), SM_OK);
    int64_t pid = 0;
    assert_int_equal(sm_sharing_token_provider(f->db.store, t1, &pid, &d), SM_OK);
    assert_int_equal(pid, f->providers[0]);
    assert_int_equal(sm_sharing_token_new(f->db.store, &op, f->providers[0], t2, &d), SM_OK);
    assert_int_equal(sm_sharing_token_provider(f->db.store, t1, &pid, &d), SM_EAUTH);
    assert_int_equal(sm_sharing_token_provider(f->db.store, t2, &pid, &d), SM_OK);
    assert_int_equal(sm_sharing_token_provider(f->db.store, "short", &pid, &d), SM_EAUTH);
    /* Only the hash is stored. */
    char sql[200];
    snprintf(sql, sizeof sql, "SELECT COUNT(*) FROM provider_tokens WHERE token_hash = '%s'", t2);
    assert_int_equal(count_sql(f->db.store, sql), 0);

    int k = 0;
    assert_int_equal(sm_sharing_k(f->db.store, &k, &d), SM_OK);
    assert_int_equal(k, SM_SHARING_K_DEFAULT);
    assert_int_equal(sm_sharing_set_k(f->db.store, &staff, 7, &d), SM_EPERM);
    assert_int_equal(sm_sharing_set_k(f->db.store, &op, 1, &d), SM_EINVAL);
    assert_int_equal(sm_sharing_set_k(f->db.store, &op, 7, &d), SM_OK);
    assert_int_equal(sm_sharing_k(f->db.store, &k, &d), SM_OK);
    assert_int_equal(k, 7);

    random_reports(f, 5, 30);
    struct sm_stats_options o;
    sm_stats_options_init(&o, SM_AUDIENCE_PUBLIC);
    snprintf(o.from, sizeof o.from, "2024H2");
    int64_t id = 0;
    assert_int_equal(sm_sharing_publish(f->db.store, &staff, &o, &id, &d), SM_EPERM);
    json_t *snap = NULL;
    assert_int_equal(sm_sharing_snapshot(f->db.store, 0, &snap, &d), SM_ENOTFOUND);
    assert_int_equal(sm_sharing_publish(f->db.store, &op, &o, &id, &d), SM_OK);
    assert_int_equal(sm_sharing_snapshot(f->db.store, 0, &snap, &d), SM_OK);
    assert_string_equal(json_string_value(json_object_get(snap, "audience")), "public");
    assert_int_equal(json_integer_value(json_object_get(snap, "k")), 7);
    assert_string_equal(json_string_value(json_object_get(json_object_get(snap, "period"), "from")),
                        "2024H2");
    assert_null(json_object_get(snap, "narratives"));
    json_decref(snap);
    struct sm_snapshot_list *list = NULL;
    assert_int_equal(sm_sharing_snapshots(f->db.store, &list, &d), SM_OK);
    assert_int_equal(list->n, 1);
    assert_int_equal(list->items[0].id, id);
    sm_snapshot_list_free(list);
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
        cmocka_unit_test_setup_teardown(submission_checks_and_upserts, setup, teardown),
        cmocka_unit_test_setup_teardown(batches_mix_new_resent_and_repeated_ids, setup, teardown),
        cmocka_unit_test_setup_teardown(lapsed_or_suspended_registration_ends_submission, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(csv_upload_is_all_or_nothing, setup, teardown),
        cmocka_unit_test_setup_teardown(csv_import_streams_all_or_nothing, setup, teardown),
        cmocka_unit_test_setup_teardown(csv_bad_files_are_refused_clearly, setup, teardown),
        cmocka_unit_test_setup_teardown(json_records_are_checked_one_by_one, setup, teardown),
        cmocka_unit_test_setup_teardown(raw_views_are_audited_and_red_stays_home, setup, teardown),
        cmocka_unit_test_setup_teardown(releases_match_the_truth_and_hide_small_counts, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(a_tiny_release_shows_nothing, setup, teardown),
        cmocka_unit_test_setup_teardown(canary_never_leaves_the_provider, setup, teardown),
        cmocka_unit_test_setup_teardown(stix_bundle_is_valid, setup, teardown),
        cmocka_unit_test_setup_teardown(tokens_k_and_snapshots, setup, teardown),
    };
    int failed = 0;
    for (int i = 0; i < n; i++) {
        backend = names_[i];
        char group[64];
        snprintf(group, sizeof group, "sharing on %s", backend);
        failed += cmocka_run_group_tests_name(group, tests, NULL, NULL);
    }
    return failed ? 1 : 0;
}

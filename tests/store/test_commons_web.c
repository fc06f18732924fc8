/*
 * Storage tests, on every backend, of what the guideline-commons web pages keep: an
 * association's industry on its user (and in its session), the background analysis queue
 * (claiming once between two connections, running, failing with the reason while earlier
 * results stay, sweeping jobs whose process died), associations' drafts, and the
 * self-check's results under a private link and its anonymous contributions and peers.
 */
/* cmocka needs these first, in this order. */
/* clang-format off */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
/* clang-format on */

#include "smesec/smesec.h"
#include "store/sql.h"
#include "testdb.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static const char *backend;
static const struct sm_actor cli = { .user_id = 0, .name = "test" };

struct fixture {
    struct sm_test_db db;
    struct sm_catalog *catalog;
};

static int setup(void **state)
{
    struct fixture *f = calloc(1, sizeof *f);
    struct sm_diag d;
    if (!f || sm_test_db_open(&f->db, backend, true) != SM_OK) {
        free(f);
        return -1;
    }
    if (sm_commons_catalog(f->db.store, &cli, NULL, &f->catalog, &d) != SM_OK) {
        fprintf(stderr, "catalog: %s\n", d.msg);
        sm_test_db_close(&f->db);
        free(f);
        return -1;
    }
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *f = *state;
    sm_catalog_free(f->catalog);
    sm_test_db_close(&f->db);
    free(f);
    return 0;
}

static int64_t user(struct fixture *f, const char *name, enum sm_role role)
{
    int64_t id = 0;
    struct sm_diag d;
    assert_int_equal(sm_user_add(f->db.store, &cli, name, NULL, role, "password-1234", &id, &d),
                     SM_OK);
    return id;
}

static long audit(struct fixture *f, const char *action)
{
    long n = 0;
    struct sm_diag d;
    assert_int_equal(sm_audit_count(f->db.store, action, &n, &d), SM_OK);
    return n;
}

static int64_t scalar(struct fixture *f, const char *sql)
{
    int64_t v = 0;
    struct sm_diag d;
    assert_int_equal(sm_sql_scalar_int64(f->db.store, sql, &v, &d), SM_OK);
    return v;
}

static void industry_of_an_association(void **state)
{
    struct fixture *f = *state;
    struct sm_diag d;
    int64_t id = user(f, "assoc", SM_ROLE_ASSOCIATION);
    user(f, "ana", SM_ROLE_ANALYST);
    assert_int_equal(sm_user_set_industry(f->db.store, &cli, "assoc", "物流", &d), SM_OK);
    struct sm_user *u = NULL;
    assert_int_equal(sm_user_get(f->db.store, "assoc", &u, &d), SM_OK);
    assert_string_equal(u->industry, "物流");
    sm_user_free(u);
    /* Only associations speak for an industry. */
    assert_int_equal(sm_user_set_industry(f->db.store, &cli, "ana", "物流", &d), SM_EINVAL);
    assert_int_equal(sm_user_set_industry(f->db.store, &cli, "nobody", "物流", &d), SM_ENOTFOUND);
    assert_int_equal(sm_user_set_industry(f->db.store, &cli, "assoc", "\xff", &d), SM_EINVAL);
    assert_int_equal(audit(f, "user.industry"), 1);

    /* A session carries it, and a login returns it. */
    char token[SM_TOKEN_SIZE];
    assert_int_equal(sm_session_create(f->db.store, id, 1800000000, token, NULL, &d), SM_OK);
    struct sm_session *s = NULL;
    assert_int_equal(sm_session_lookup(f->db.store, token, 1800000001, &s, &d), SM_OK);
    assert_string_equal(s->user->industry, "物流");
    sm_session_free(s);
    assert_int_equal(
        sm_login(f->db.store, "assoc", "password-1234", NULL, 1800000002, &u, NULL, &d), SM_OK);
    assert_string_equal(u->industry, "物流");
    sm_user_free(u);

    /* Untied again with NULL or "". */
    assert_int_equal(sm_user_set_industry(f->db.store, &cli, "assoc", "", &d), SM_OK);
    assert_int_equal(sm_user_get(f->db.store, "assoc", &u, &d), SM_OK);
    assert_null(u->industry);
    sm_user_free(u);
}

static struct sm_document *doc_of(const char *text)
{
    const char *texts[] = { text };
    const int numbers[] = { 1 };
    struct sm_document *doc = NULL;
    struct sm_diag d;
    assert_int_equal(sm_document_from_pages(texts, numbers, 1, &doc, &d), SM_OK);
    return doc;
}

static int64_t guideline(struct fixture *f, const char *industry, const char *text)
{
    struct sm_document *doc = doc_of(text);
    struct sm_guideline_meta meta = { .industry = industry, .publisher = "p", .title = industry };
    struct sm_diag d;
    int64_t id = 0;
    assert_int_equal(sm_guideline_add(f->db.store, &cli, &meta, doc, &id, &d), SM_OK);
    sm_document_free(doc);
    return id;
}

static const char guideline_text[] =
    "経営者は情報セキュリティ基本方針を策定し、従業員に周知する。\n"
    "担当者は毎月、パソコンのOSとソフトウェアを最新の状態に更新する。\n"
    "パスワードは推測されにくいものにし、他人に教えない。\n";

static void jobs_queue_run_and_fail(void **state)
{
    struct fixture *f = *state;
    struct sm_diag d;
    int64_t a = guideline(f, "物流", guideline_text);
    int64_t b = guideline(f, "医療", "従業員に情報セキュリティ教育を年1回行う。");

    int64_t j1 = 0, j2 = 0;
    assert_int_equal(sm_job_add(f->db.store, &cli, SM_JOB_GUIDELINE, a, &j1, &d), SM_OK);
    assert_int_equal(sm_job_add(f->db.store, &cli, SM_JOB_GUIDELINE, 999, NULL, &d), SM_ENOTFOUND);
    assert_int_equal(sm_job_add(f->db.store, &cli, SM_JOB_DRAFT, 999, NULL, &d), SM_ENOTFOUND);
    assert_int_equal(audit(f, "job.add"), 1);
    size_t pending = 0;
    assert_int_equal(sm_job_pending(f->db.store, &pending, &d), SM_OK);
    assert_int_equal(pending, 1);
    struct sm_job *job = NULL;
    assert_int_equal(sm_job_get(f->db.store, j1, &job, &d), SM_OK);
    assert_int_equal(job->state, SM_JOB_QUEUED);
    assert_int_equal(job->kind, SM_JOB_GUIDELINE);
    assert_int_equal(job->target_id, a);
    assert_string_equal(job->requested_by, "test");
    sm_job_free(job);

    /* Running it analyses the guideline. */
    bool ran = false;
    assert_int_equal(sm_job_run_next(f->db.store, 1, &ran, &d), SM_OK);
    assert_true(ran);
    assert_int_equal(sm_job_get(f->db.store, j1, &job, &d), SM_OK);
    assert_int_equal(job->state, SM_JOB_DONE);
    assert_int_equal(job->done, 1);
    assert_int_equal(job->total, 1);
    assert_null(job->reason);
    assert_true(job->finished_at >= job->started_at && job->started_at > 0);
    sm_job_free(job);
    int64_t proposals = scalar(f, "SELECT COUNT(*) FROM proposals");
    assert_int_equal(proposals, (int64_t)sm_catalog_n_items(f->catalog));
    /* Nothing left: no job ran. */
    assert_int_equal(sm_job_run_next(f->db.store, 1, &ran, &d), SM_OK);
    assert_false(ran);

    /* A job whose guideline went away fails with the reason; the others' results stay. */
    assert_int_equal(sm_job_add(f->db.store, &cli, SM_JOB_GUIDELINE, b, &j2, &d), SM_OK);
    assert_int_equal(sm_guideline_delete(f->db.store, &cli, b, &d), SM_OK);
    assert_int_equal(sm_job_run_next(f->db.store, 1, &ran, &d), SM_OK);
    assert_true(ran);
    assert_int_equal(sm_job_get(f->db.store, j2, &job, &d), SM_OK);
    assert_int_equal(job->state, SM_JOB_FAILED);
    assert_non_null(job->reason);
    assert_non_null(strstr(job->reason, "no guideline"));
    sm_job_free(job);
    assert_int_equal(scalar(f, "SELECT COUNT(*) FROM proposals"), proposals);

    /* All guidelines at once. */
    guideline(f, "食品", "取引先との契約に秘密保持を定める。");
    int64_t j3 = 0;
    assert_int_equal(sm_job_add(f->db.store, &cli, SM_JOB_ALL, 0, &j3, &d), SM_OK);
    assert_int_equal(sm_job_run_next(f->db.store, 1, &ran, &d), SM_OK);
    assert_int_equal(sm_job_get(f->db.store, j3, &job, &d), SM_OK);
    assert_int_equal(job->state, SM_JOB_DONE);
    assert_int_equal(job->total, 2);
    assert_int_equal(job->done, 2);
    sm_job_free(job);

    struct sm_job_list *list = NULL;
    assert_int_equal(sm_job_list(f->db.store, 2, &list, &d), SM_OK);
    assert_int_equal(list->n, 2);
    assert_int_equal(list->items[0].id, j3); /* newest first */
    sm_job_list_free(list);
    assert_int_equal(sm_job_list(f->db.store, 0, &list, &d), SM_EINVAL);
    assert_int_equal(sm_job_latest(f->db.store, SM_JOB_GUIDELINE, a, &job, &d), SM_OK);
    assert_int_equal(job->id, j1);
    sm_job_free(job);
    assert_int_equal(sm_job_latest(f->db.store, SM_JOB_DRAFT, a, &job, &d), SM_ENOTFOUND);
}

static void a_job_is_claimed_once(void **state)
{
    struct fixture *f = *state;
    struct sm_diag d;
    int64_t a = guideline(f, "物流", guideline_text);
    struct sm_store *other = NULL;
    assert_int_equal(sm_store_open(f->db.url, &other, &d), SM_OK);
    int64_t id = 0;
    assert_int_equal(sm_job_add(f->db.store, &cli, SM_JOB_GUIDELINE, a, &id, &d), SM_OK);
    /* The first connection runs it; the second finds nothing queued. */
    bool first = false, second = false;
    assert_int_equal(sm_job_run_next(f->db.store, 1, &first, &d), SM_OK);
    assert_int_equal(sm_job_run_next(other, 1, &second, &d), SM_OK);
    assert_true(first);
    assert_false(second);
    sm_store_free(other);
    assert_int_equal(scalar(f, "SELECT COUNT(*) FROM analysis_jobs WHERE state = 'done'"), 1);
}

static void stale_running_jobs_are_swept(void **state)
{
    struct fixture *f = *state;
    struct sm_diag d;
    int64_t a = guideline(f, "物流", guideline_text);
    int64_t id = 0;
    assert_int_equal(sm_job_add(f->db.store, &cli, SM_JOB_GUIDELINE, a, &id, &d), SM_OK);
    /* A process claimed it, then died: running, its heartbeat long ago. */
    assert_int_equal(sm_sql_run(f->db.store, NULL, &d,
                                "UPDATE analysis_jobs SET state = 'running', started_at = 100,"
                                " heartbeat_at = 100 WHERE id = ?",
                                "i", id),
                     SM_OK);
    size_t n = 0;
    int64_t now = (int64_t)time(NULL);
    assert_int_equal(sm_job_sweep(f->db.store, now, 600, &n, &d), SM_OK);
    assert_int_equal(n, 1);
    struct sm_job *job = NULL;
    assert_int_equal(sm_job_get(f->db.store, id, &job, &d), SM_OK);
    assert_int_equal(job->state, SM_JOB_FAILED);
    assert_non_null(strstr(job->reason, "interrupted"));
    sm_job_free(job);
    /* A fresh one is left alone. */
    assert_int_equal(sm_job_add(f->db.store, &cli, SM_JOB_GUIDELINE, a, &id, &d), SM_OK);
    assert_int_equal(sm_sql_run(f->db.store, NULL, &d,
                                "UPDATE analysis_jobs SET state = 'running', started_at = ?,"
                                " heartbeat_at = ? WHERE id = ?",
                                "iii", now, now, id),
                     SM_OK);
    assert_int_equal(sm_job_sweep(f->db.store, now, 600, &n, &d), SM_OK);
    assert_int_equal(n, 0);
}

static void drafts_are_kept_analysed_and_deleted(void **state)
{
    struct fixture *f = *state;
    struct sm_diag d;
    int64_t owner = user(f, "assoc", SM_ROLE_ASSOCIATION);
    int64_t other = user(f, "assoc2", SM_ROLE_ASSOCIATION);
    struct sm_document *doc = doc_of(guideline_text);
    struct sm_draft_meta meta = {
        .industry = "物流", .title = "草案", .filename = "d.txt", .stage = 2
    };
    int64_t id = 0, none = 0;
    assert_int_equal(sm_draft_add(f->db.store, &cli, owner, &meta, doc, &id, &d), SM_OK);
    sm_document_free(doc);
    meta.filename = NULL;
    meta.stage = 1;
    assert_int_equal(sm_draft_add(f->db.store, &cli, other, &meta, NULL, &none, &d), SM_OK);
    meta.stage = 4;
    assert_int_equal(sm_draft_add(f->db.store, &cli, owner, &meta, NULL, NULL, &d), SM_EINVAL);
    meta.stage = 1;
    meta.title = "";
    assert_int_equal(sm_draft_add(f->db.store, &cli, owner, &meta, NULL, NULL, &d), SM_EINVAL);
    assert_int_equal(audit(f, "draft.add"), 2);

    struct sm_draft_list *list = NULL;
    assert_int_equal(sm_draft_list(f->db.store, owner, &list, &d), SM_OK);
    assert_int_equal(list->n, 1);
    assert_int_equal(list->items[0].id, id);
    assert_int_equal(list->items[0].n_pages, 1);
    sm_draft_list_free(list);
    assert_int_equal(sm_draft_list(f->db.store, 0, &list, &d), SM_OK);
    assert_int_equal(list->n, 2);
    assert_int_equal(list->items[0].id, none); /* newest first */
    assert_null(list->items[0].filename);
    sm_draft_list_free(list);

    /* Analysed in the background: the job saves a score per item with its best sentence. */
    int64_t job = 0;
    assert_int_equal(sm_job_add(f->db.store, &cli, SM_JOB_DRAFT, id, &job, &d), SM_OK);
    bool ran = false;
    assert_int_equal(sm_job_run_next(f->db.store, 1, &ran, &d), SM_OK);
    struct sm_job *j = NULL;
    assert_int_equal(sm_job_get(f->db.store, job, &j, &d), SM_OK);
    assert_int_equal(j->state, SM_JOB_DONE);
    sm_job_free(j);
    struct sm_draft *dr = NULL;
    assert_int_equal(sm_draft_get(f->db.store, id, &dr, &d), SM_OK);
    assert_string_equal(dr->catalog_version, sm_catalog_version(f->catalog));
    assert_true(dr->analysed_at > 0);
    assert_int_equal(dr->n_scores, sm_catalog_n_items(f->catalog));
    bool found = false;
    for (size_t i = 0; i < dr->n_scores; i++) {
        if (i > 0)
            assert_true(strcmp(dr->scores[i - 1].item_id, dr->scores[i].item_id) < 0);
        if (strcmp(dr->scores[i].item_id, "GOV-01") == 0) {
            found = true;
            assert_true(dr->scores[i].score >= 1);
            assert_int_equal(dr->scores[i].page, 1);
            assert_non_null(strstr(dr->scores[i].evidence, "基本方針"));
        }
    }
    assert_true(found);
    /* The report against the fallback: GOV-01 is covered. */
    struct sm_common_ref *ref = NULL;
    assert_int_equal(sm_common_ref_load(f->db.store, f->catalog, NULL, &ref, &d), SM_OK);
    assert_true(ref->fallback);
    struct sm_gap_report *r = NULL;
    assert_int_equal(sm_gap_report_build(ref, dr, 2, &r), SM_OK);
    assert_true(r->has_draft);
    assert_true(r->n_gaps < r->n_rows);
    sm_gap_report_free(r);
    sm_common_ref_free(ref);
    sm_draft_free(dr);

    /* A draft without pages gives an empty document, and its job has nothing to do. */
    struct sm_document *empty = NULL;
    assert_int_equal(sm_draft_document(f->db.store, none, &empty, &d), SM_OK);
    assert_int_equal(empty->n_pages, 0);
    sm_document_free(empty);
    assert_int_equal(sm_draft_document(f->db.store, 999, &empty, &d), SM_ENOTFOUND);

    /* Deleting takes its pages and scores with it. */
    assert_int_equal(sm_draft_delete(f->db.store, &cli, id, &d), SM_OK);
    assert_int_equal(sm_draft_get(f->db.store, id, &dr, &d), SM_ENOTFOUND);
    assert_int_equal(scalar(f, "SELECT COUNT(*) FROM draft_scores"), 0);
    assert_int_equal(scalar(f, "SELECT COUNT(*) FROM draft_pages"), 0);
    assert_int_equal(sm_draft_delete(f->db.store, &cli, id, &d), SM_ENOTFOUND);
}

static void selfcheck_results_under_a_private_link(void **state)
{
    struct fixture *f = *state;
    struct sm_diag d;
    struct sm_common_ref *ref = NULL;
    struct sm_selfcheck_sheet *sheet = NULL;
    assert_int_equal(sm_common_ref_load(f->db.store, f->catalog, NULL, &ref, &d), SM_OK);
    assert_int_equal(sm_selfcheck_sheet_new(ref, &sheet), SM_OK);
    enum sm_answer *a = calloc(sheet->n, sizeof *a);
    assert_non_null(a);
    for (size_t i = 0; i < sheet->n; i++)
        a[i] = i % 2 ? SM_ANSWER_DONE : SM_ANSWER_PARTLY;
    struct sm_selfcheck_profile p;
    assert_int_equal(sm_selfcheck_profile_set(&p, "13", "E", "6-20", &d), SM_OK);
    char token[SM_TOKEN_SIZE];
    assert_int_equal(sm_selfcheck_save(f->db.store, sheet, a, &p, 1800000000, token, &d), SM_OK);
    assert_int_equal(strlen(token), SM_TOKEN_SIZE - 1);
    assert_int_equal(audit(f, "selfcheck.save"), 1);

    /* Only a hash of the token is stored. */
    struct sm_sql *st = NULL;
    assert_int_equal(sm_sql_prepare(f->db.store,
                                    "SELECT COUNT(*) FROM selfcheck_results WHERE token_hash = ?"
                                    " OR answers LIKE ?",
                                    &st, &d),
                     SM_OK);
    char like[64];
    snprintf(like, sizeof like, "%%%s%%", token);
    assert_int_equal(sm_sql_bindv(st, "tt", token, like), SM_OK);
    assert_int_equal(sm_sql_step(st, &d), SM_SQL_ROW);
    assert_int_equal(sm_sql_int64(st, 0), 0);
    sm_sql_free(st);

    struct sm_selfcheck_saved *saved = NULL;
    assert_int_equal(sm_selfcheck_load(f->db.store, f->catalog, token, &saved, &d), SM_OK);
    assert_int_equal(saved->sheet->n, sheet->n);
    assert_memory_equal(saved->answers, a, sheet->n * sizeof *a);
    assert_string_equal(saved->profile.prefecture, "13");
    assert_string_equal(saved->profile.size, "6-20");
    assert_int_equal(saved->created_at, 1800000000);
    sm_selfcheck_saved_free(saved);

    char wrong[SM_TOKEN_SIZE];
    sm_token_new(wrong);
    assert_int_equal(sm_selfcheck_load(f->db.store, f->catalog, wrong, &saved, &d), SM_ENOTFOUND);
    assert_int_equal(sm_selfcheck_load(f->db.store, f->catalog, "x'; --", &saved, &d),
                     SM_ENOTFOUND);
    assert_int_equal(sm_selfcheck_delete(f->db.store, wrong, &d), SM_ENOTFOUND);
    assert_int_equal(sm_selfcheck_delete(f->db.store, token, &d), SM_OK);
    assert_int_equal(sm_selfcheck_load(f->db.store, f->catalog, token, &saved, &d), SM_ENOTFOUND);
    assert_int_equal(audit(f, "selfcheck.delete"), 1);

    /* Nothing answered is nothing to save. */
    for (size_t i = 0; i < sheet->n; i++)
        a[i] = SM_ANSWER_NONE;
    assert_int_equal(sm_selfcheck_save(f->db.store, sheet, a, &p, 1800000000, token, &d),
                     SM_EINVAL);
    free(a);
    sm_selfcheck_sheet_free(sheet);
    sm_common_ref_free(ref);
}

static void contributions_and_peers(void **state)
{
    struct fixture *f = *state;
    struct sm_diag d;
    struct sm_selfcheck_category cats[2] = { { .n_questions = 3, .score = 80 },
                                             { .n_questions = 2, .score = 40 } };
    cats[0].category = sm_catalog_category(f->catalog, 0);
    cats[1].category = sm_catalog_category(f->catalog, 3);
    struct sm_selfcheck_result r = { .score = 60, .n_categories = 2, .categories = cats };
    struct sm_selfcheck_peers *peers = NULL;
    for (int i = 1; i <= 5; i++) {
        r.score = 50 + 5 * i; /* 55, 60, 65, 70, 75 */
        assert_int_equal(sm_selfcheck_contribute(f->db.store, &r, "H", "1-5", 1800000000, &d),
                         SM_OK);
        assert_int_equal(sm_selfcheck_peers(f->db.store, "H", "1-5", &peers, &d), SM_OK);
        assert_int_equal(peers->n, (size_t)i);
        assert_int_equal(peers->enough, i >= SM_SELFCHECK_PEER_MIN);
        sm_selfcheck_peers_free(peers);
    }
    assert_int_equal(sm_selfcheck_peers(f->db.store, "H", "1-5", &peers, &d), SM_OK);
    assert_true(peers->mean == 65.0);
    assert_int_equal(peers->n_categories, 2);
    assert_string_equal(peers->categories[0].category, cats[0].category->id);
    assert_true(peers->categories[0].mean == 80.0);
    assert_true(peers->categories[1].mean == 40.0);
    sm_selfcheck_peers_free(peers);
    /* Another group has none. */
    assert_int_equal(sm_selfcheck_peers(f->db.store, "H", "6-20", &peers, &d), SM_OK);
    assert_int_equal(peers->n, 0);
    assert_false(peers->enough);
    sm_selfcheck_peers_free(peers);
    /* Both the industry and the size are needed, from their lists. */
    assert_int_equal(sm_selfcheck_contribute(f->db.store, &r, "H", "", 1800000000, &d), SM_EINVAL);
    assert_int_equal(sm_selfcheck_contribute(f->db.store, &r, "Z", "1-5", 1800000000, &d),
                     SM_EINVAL);
    /* Only the month is kept, and the audit record names no row. */
    struct sm_sql *st = NULL;
    assert_int_equal(
        sm_sql_prepare(f->db.store, "SELECT DISTINCT month FROM selfcheck_contributions", &st, &d),
        SM_OK);
    assert_int_equal(sm_sql_step(st, &d), SM_SQL_ROW);
    assert_string_equal(sm_sql_text(st, 0), "2027-01");
    sm_sql_free(st);
    assert_int_equal(audit(f, "selfcheck.contribute"), 5);
    assert_int_equal(scalar(f,
                            "SELECT COUNT(*) FROM audit_log WHERE action = 'selfcheck.contribute'"
                            " AND object <> 'selfcheck:contributions'"),
                     0);
}

int main(void)
{
    if (sm_init() != SM_OK)
        return 1;
    const char *names[SM_TEST_MAX_BACKENDS];
    int n = sm_test_backends(names, SM_TEST_MAX_BACKENDS);
    if (n < 0)
        return 1;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(industry_of_an_association, setup, teardown),
        cmocka_unit_test_setup_teardown(jobs_queue_run_and_fail, setup, teardown),
        cmocka_unit_test_setup_teardown(a_job_is_claimed_once, setup, teardown),
        cmocka_unit_test_setup_teardown(stale_running_jobs_are_swept, setup, teardown),
        cmocka_unit_test_setup_teardown(drafts_are_kept_analysed_and_deleted, setup, teardown),
        cmocka_unit_test_setup_teardown(selfcheck_results_under_a_private_link, setup, teardown),
        cmocka_unit_test_setup_teardown(contributions_and_peers, setup, teardown),
    };
    int failed = 0;
    for (int i = 0; i < n; i++) {
        backend = names[i];
        char group[64];
        snprintf(group, sizeof group, "commons web storage on %s", backend);
        failed += cmocka_run_group_tests_name(group, tests, NULL, NULL);
    }
    return failed ? 1 : 0;
}

/*
 * HTTP tests of the guideline-commons pages against the real binary on every backend: who
 * may use which page, the CSRF check on every form, upload limits and bad files (4xx with
 * the reason, nothing stored), the background analysis, reviews and overrides (an override
 * survives re-analysis), the criterion form, every download, drafting support with its gap
 * report and starter, the industry view, the handbook, and the public self-check with its
 * private link, deletion and the peer comparison's threshold.
 *
 * Users are added through the CLI; an association's industry is set through the library on
 * the server's database, as an operator's tool would.
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

#define PW "commons-password-1"

static const char *backend;

static int setup(void **state)
{
    struct srv *s = calloc(1, sizeof(*s));
    if (s == NULL)
        return -1;
    *state = s;
    const char *users[][2] = { { "olga", "operator" },   { "ana", "analyst" },
                               { "rita", "reviewer" },   { "paul", "provider" },
                               { "asa", "association" }, { "bob", "association" } };
    if (srv_start(s, backend) != 0)
        goto fail;
    for (size_t i = 0; i < sizeof(users) / sizeof(users[0]); i++)
        if (srv_user_add(s, users[i][0], users[i][1], NULL, PW) != 0)
            goto fail;
    /* The associations speak for their industries. */
    struct sm_store *store = NULL;
    struct sm_diag d;
    struct sm_actor cli = { .user_id = 0, .name = "test" };
    if (sm_store_open(s->db, &store, &d) != SM_OK)
        goto fail;
    int rc = sm_user_set_industry(store, &cli, "asa", "物流", &d);
    if (rc == SM_OK)
        rc = sm_user_set_industry(store, &cli, "bob", "医療", &d);
    sm_store_free(store);
    if (rc != SM_OK)
        goto fail;
    return 0;
fail:
    srv_stop(s);
    return -1;
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

/* --- sessions ---------------------------------------------------------------------------- */

/* A logged-in user: the Cookie header value and the session's CSRF token. */
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
    /* The session's CSRF token is in every form of a logged-in page. */
    assert_int_equal(http_get(s, "/handbook", w->cookie, &r), 0);
    assert_int_equal(r.status, 200);
    res_free(&r);
    const char *page =
        strcmp(user, "asa") == 0 || strcmp(user, "bob") == 0 ? "/drafting" : "/workspace";
    assert_int_equal(http_get(s, page, w->cookie, &r), 0);
    w->csrf[0] = '\0';
    if (r.status == 200) {
        char *c = input_value(r.body, "csrf");
        assert_non_null(c);
        snprintf(w->csrf, sizeof(w->csrf), "%s", c);
        free(c);
    }
    res_free(&r);
}

/* --- multipart --------------------------------------------------------------------------- */

#define BOUNDARY "----smesecTestBoundary7MA4YWxk"

struct body {
    char *data;
    size_t len;
};

static void body_add(struct body *b, const void *p, size_t n)
{
    b->data = realloc(b->data, b->len + n + 1);
    assert_non_null(b->data);
    memcpy(b->data + b->len, p, n);
    b->len += n;
    b->data[b->len] = '\0';
}

static void body_field(struct body *b, const char *name, const char *value)
{
    char head[256];
    int n = snprintf(head, sizeof(head),
                     "--" BOUNDARY "\r\nContent-Disposition: form-data; name=\"%s\"\r\n\r\n", name);
    body_add(b, head, (size_t)n);
    body_add(b, value, strlen(value));
    body_add(b, "\r\n", 2);
}

static void body_file(struct body *b, const char *name, const char *filename, const void *data,
                      size_t len)
{
    char head[512];
    int n = snprintf(head, sizeof(head),
                     "--" BOUNDARY "\r\nContent-Disposition: form-data; name=\"%s\";"
                     " filename=\"%s\"\r\nContent-Type: application/octet-stream\r\n\r\n",
                     name, filename);
    body_add(b, head, (size_t)n);
    body_add(b, data, len);
    body_add(b, "\r\n", 2);
}

static void body_end(struct body *b)
{
    body_add(b, "--" BOUNDARY "--\r\n", strlen("--" BOUNDARY "--\r\n"));
}

static int post_multipart(const struct srv *s, const char *path, const char *cookie,
                          const struct body *b, struct res *r)
{
    return http_full(s, "POST", path, cookie, "multipart/form-data; boundary=" BOUNDARY, b->data,
                     b->len, NULL, r);
}

/* Reads a file of the test data (tests/data/...) into *len bytes (malloc'd). */
static char *data_file(const char *rel, size_t *len)
{
    const char *src = getenv("SMESEC_SOURCE_DIR");
    char path[1024];
    snprintf(path, sizeof(path), "%s/tests/data/%s", src ? src : ".", rel);
    FILE *f = fopen(path, "rb");
    if (f == NULL)
        fail_msg("cannot open '%s'", path);
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *buf = malloc((size_t)n + 1);
    assert_non_null(buf);
    assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
    fclose(f);
    buf[n] = '\0';
    *len = (size_t)n;
    return buf;
}

/* Uploads a guideline; returns the response (the caller frees it). */
static void upload_bytes(const struct srv *s, const struct who *w, const char *csrf,
                         const char *industry, const char *filename, const void *data, size_t len,
                         struct res *r)
{
    struct body b = { 0 };
    body_field(&b, "csrf", csrf);
    body_field(&b, "industry", industry);
    body_field(&b, "publisher", "（架空）協会");
    body_field(&b, "title", "");
    body_field(&b, "version", "1.0");
    body_field(&b, "year", "2024");
    body_file(&b, "file", filename, data, len);
    body_end(&b);
    assert_int_equal(post_multipart(s, "/workspace/upload", w->cookie, &b, r), 0);
    free(b.data);
}

/* The job id from a redirect to /workspace/job?id=N. */
static long job_of(const struct res *r)
{
    char *loc = header(r, "Location");
    assert_non_null(loc);
    const char *p = strstr(loc, "/workspace/job?id=");
    assert_non_null(p);
    long id = strtol(p + strlen("/workspace/job?id="), NULL, 10);
    free(loc);
    return id;
}

/* Waits for a job to end and checks its final state. */
static void wait_job(const struct srv *s, const struct who *w, long id, const char *want)
{
    char path[64];
    snprintf(path, sizeof(path), "/workspace/job?id=%ld", id);
    for (int i = 0; i < 600; i++) {
        struct res r;
        assert_int_equal(http_get(s, path, w->cookie, &r), 0);
        assert_int_equal(r.status, 200);
        bool over =
            strstr(r.body, "data-state=\"done\"") || strstr(r.body, "data-state=\"failed\"");
        if (over) {
            char state[48];
            snprintf(state, sizeof(state), "data-state=\"%s\"", want);
            assert_contains(r.body, state);
            /* A finished job's page stops refreshing itself. */
            assert_lacks(r.body, "http-equiv=\"refresh\"");
            res_free(&r);
            return;
        }
        /* While it runs, the page refreshes itself. */
        assert_contains(r.body, "<meta http-equiv=\"refresh\" content=\"2\">");
        res_free(&r);
        struct timespec ts = { 0, 100 * 1000000L };
        nanosleep(&ts, NULL);
    }
    fail_msg("job %ld did not finish within 60 s", id);
}

/* Uploads one of the labelled excerpts and waits for its analysis; returns the guideline
 * count after it (from the workspace page). */
static void upload_labelled(const struct srv *s, const struct who *w, const char *name,
                            const char *industry)
{
    char rel[128], filename[64];
    snprintf(rel, sizeof(rel), "labelled/%s.txt", name);
    snprintf(filename, sizeof(filename), "%s.txt", name);
    size_t len = 0;
    char *data = data_file(rel, &len);
    struct res r;
    upload_bytes(s, w, w->csrf, industry, filename, data, len, &r);
    free(data);
    assert_int_equal(r.status, 303);
    long job = job_of(&r);
    res_free(&r);
    wait_job(s, w, job, "done");
}

static int stored_guidelines(const struct srv *s, const struct who *w)
{
    struct res r;
    assert_int_equal(http_get(s, "/workspace", w->cookie, &r), 0);
    assert_int_equal(r.status, 200);
    int n = count_of(r.body, "<tr data-guideline=");
    res_free(&r);
    return n;
}

/* --- access ------------------------------------------------------------------------------ */

static void expect_status(const struct srv *s, const char *path, const char *cookie, long status)
{
    struct res r;
    assert_int_equal(http_get(s, path, cookie, &r), 0);
    if (r.status != status)
        fail_msg("GET %s: expected %ld, got %ld:\n%.2000s", path, status, r.status, r.body);
    res_free(&r);
}

static void access_per_role(void **state)
{
    struct srv *s = *state;
    /* Anonymous visitors go to the login page, with a way back. */
    struct res r;
    assert_int_equal(http_get(s, "/workspace/matrix?kind=count&value=2", NULL, &r), 0);
    assert_int_equal(r.status, 303);
    char *loc = header(&r, "Location");
    assert_non_null(loc);
    assert_string_equal(loc, "/login?next=/workspace/matrix%3Fkind%3Dcount%26value%3D2");
    free(loc);
    res_free(&r);
    const char *private[] = { "/workspace",          "/workspace/matrix", "/workspace/queue",
                              "/workspace/job?id=1", "/drafting",         "/industry" };
    for (size_t i = 0; i < sizeof(private) / sizeof(private[0]); i++)
        expect_status(s, private[i], NULL, 303);
    /* Public pages. */
    expect_status(s, "/selfcheck", NULL, 200);
    expect_status(s, "/handbook", NULL, 200);

    struct who olga, ana, rita, paul, asa;
    login(s, "olga", &olga);
    login(s, "ana", &ana);
    login(s, "rita", &rita);
    login(s, "paul", &paul);
    login(s, "asa", &asa);
    const char *ws[] = { "/workspace", "/workspace/matrix", "/workspace/queue" };
    for (size_t i = 0; i < sizeof(ws) / sizeof(ws[0]); i++) {
        expect_status(s, ws[i], olga.cookie, 200);
        expect_status(s, ws[i], ana.cookie, 200);
        expect_status(s, ws[i], rita.cookie, 403);
        expect_status(s, ws[i], paul.cookie, 403);
        expect_status(s, ws[i], asa.cookie, 403);
    }
    expect_status(s, "/workspace/download?file=workbook", rita.cookie, 403);
    expect_status(s, "/workspace/download?file=workbook", asa.cookie, 403);
    /* Nothing analysed yet: nothing to download. */
    expect_status(s, "/workspace/download?file=workbook", ana.cookie, 404);
    expect_status(s, "/drafting", asa.cookie, 200);
    expect_status(s, "/drafting", olga.cookie, 200);
    expect_status(s, "/drafting", ana.cookie, 403);
    expect_status(s, "/drafting", rita.cookie, 403);
    expect_status(s, "/industry", asa.cookie, 200);
    expect_status(s, "/industry", ana.cookie, 200);
    expect_status(s, "/industry", olga.cookie, 200);
    expect_status(s, "/industry", paul.cookie, 403);
    /* A refused page explains itself. */
    assert_int_equal(http_get(s, "/workspace", rita.cookie, &r), 0);
    assert_contains(r.body, "権限");
    res_free(&r);
}

/* --- CSRF -------------------------------------------------------------------------------- */

static void every_form_checks_csrf(void **state)
{
    struct srv *s = *state;
    struct who ana, asa;
    login(s, "ana", &ana);
    login(s, "asa", &asa);
    assert_true(strlen(ana.csrf) > 20);
    upload_labelled(s, &ana, "logistics", "物流");

    const char *bad = "csrf=not-the-token";

    const struct {
        const char *path;
        const char *who;
        const char *form;
    } forms[] = {
        { "/workspace/analyse", "ana", "guideline=all" },
        { "/workspace/delete", "ana", "guideline=1" },
        { "/workspace/review", "ana", "g=1&item=GOV-01&review=accepted" },
        { "/workspace/override", "ana", "g=1&item=GOV-01&score=2&note=x" },
        { "/drafting/delete", "asa", "id=1" },
    };

    for (size_t i = 0; i < sizeof(forms) / sizeof(forms[0]); i++) {
        const struct who *w = strcmp(forms[i].who, "ana") == 0 ? &ana : &asa;
        for (int k = 0; k < 2; k++) {
            char body[256];
            snprintf(body, sizeof(body), "%s%s%s", k ? bad : "", k ? "&" : "", forms[i].form);
            struct res r;
            assert_int_equal(http_post_form(s, forms[i].path, w->cookie, body, &r), 0);
            if (r.status != 403)
                fail_msg("POST %s without a good token: %ld", forms[i].path, r.status);
            res_free(&r);
        }
    }
    /* The multipart forms. */
    size_t len = 0;
    char *data = data_file("labelled/food.txt", &len);
    struct res r;
    upload_bytes(s, &ana, "wrong", "食品", "food.txt", data, len, &r);
    assert_int_equal(r.status, 403);
    res_free(&r);
    struct body b = { 0 };
    body_field(&b, "csrf", "wrong");
    body_field(&b, "title", "草案");
    body_field(&b, "stage", "1");
    body_end(&b);
    assert_int_equal(post_multipart(s, "/drafting/upload", asa.cookie, &b, &r), 0);
    assert_int_equal(r.status, 403);
    res_free(&r);
    free(b.data);
    free(data);
    /* Nothing changed: still the one guideline, no draft, no override. */
    assert_int_equal(stored_guidelines(s, &ana), 1);
    assert_int_equal(http_get(s, "/drafting", asa.cookie, &r), 0);
    assert_contains(r.body, "まだ草案はありません");
    res_free(&r);
    assert_int_equal(http_get(s, "/workspace/cell?g=1&item=GOV-01", ana.cookie, &r), 0);
    assert_lacks(r.body, "id=\"cell-note\"");
    res_free(&r);

    /* The public forms use the double-submit cookie. */
    const char *public_forms[] = { "/selfcheck", "/selfcheck/save", "/selfcheck/contribute",
                                   "/selfcheck/delete" };
    for (size_t i = 0; i < sizeof(public_forms) / sizeof(public_forms[0]); i++) {
        assert_int_equal(
            http_post_form(
                s, public_forms[i], "sm_csrf=aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
                "csrf=bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb&answers=GOV-01=done", &r),
            0);
        if (r.status != 403)
            fail_msg("POST %s with a mismatched token: %ld", public_forms[i], r.status);
        res_free(&r);
        assert_int_equal(http_post_form(s, public_forms[i], NULL, "answers=GOV-01=done", &r), 0);
        assert_int_equal(r.status, 403);
        res_free(&r);
    }
}

/* --- uploads ----------------------------------------------------------------------------- */

static void bad_files_are_refused_with_a_reason(void **state)
{
    struct srv *s = *state;
    struct who ana;
    login(s, "ana", &ana);

    const struct {
        const char *file;
        long status;
    } bad[] = {
        { "docs/empty.txt", 400 },      { "docs/blank.txt", 400 },
        { "docs/corrupt.pdf", 400 },    { "docs/encrypted.pdf", 415 },
        { "docs/notext.pdf", 400 },     { "docs/invalid-utf8.txt", 400 },
        { "docs/truncated.docx", 400 }, { "docs/not-docx.zip", 400 },
    };

    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        size_t len = 0;
        char *data = data_file(bad[i].file, &len);
        const char *name = strrchr(bad[i].file, '/') + 1;
        struct res r;
        upload_bytes(s, &ana, ana.csrf, "検証", name, data, len, &r);
        free(data);
        if (r.status != bad[i].status)
            fail_msg("%s: expected %ld, got %ld:\n%.2000s", bad[i].file, bad[i].status, r.status,
                     r.body);
        /* The page says why, and keeps what was typed. */
        const char *main_part = strstr(r.body, "<main");
        if (main_part == NULL || strstr(main_part, "何も登録していません") == NULL)
            fail_msg("%s: no reason in:\n%.2000s", bad[i].file, main_part ? main_part : r.body);
        assert_contains(r.body, "id=\"upload-error\"");
        assert_contains(r.body, "何も登録していません");
        assert_contains(r.body, "value=\"（架空）協会\"");
        res_free(&r);
    }
    /* No file at all. */
    struct body b = { 0 };
    body_field(&b, "csrf", ana.csrf);
    body_field(&b, "industry", "検証");
    body_field(&b, "publisher", "x");
    body_end(&b);
    struct res r;
    assert_int_equal(post_multipart(s, "/workspace/upload", ana.cookie, &b, &r), 0);
    assert_int_equal(r.status, 400);
    res_free(&r);
    free(b.data);
    /* Not multipart at all. */
    char form[128];
    snprintf(form, sizeof(form), "csrf=%s&industry=x", ana.csrf);
    assert_int_equal(http_post_form(s, "/workspace/upload", ana.cookie, form, &r), 0);
    assert_int_equal(r.status, 415);
    res_free(&r);
    /* A broken multipart body. */
    assert_int_equal(http_full(s, "POST", "/workspace/upload", ana.cookie,
                               "multipart/form-data; boundary=" BOUNDARY, "--" BOUNDARY "\r\nxx",
                               strlen("--" BOUNDARY "\r\nxx"), NULL, &r),
                     0);
    assert_int_equal(r.status, 400);
    res_free(&r);
    assert_int_equal(stored_guidelines(s, &ana), 0);

    /* The same text twice in one industry is refused. */
    upload_labelled(s, &ana, "clinic", "医療");
    size_t len = 0;
    char *data = data_file("labelled/clinic.txt", &len);
    upload_bytes(s, &ana, ana.csrf, "医療", "clinic-copy.txt", data, len, &r);
    free(data);
    assert_int_equal(r.status, 409);
    res_free(&r);
    assert_int_equal(stored_guidelines(s, &ana), 1);
}

static void upload_limits(void **state)
{
    struct srv *s = *state;
    struct who ana;
    login(s, "ana", &ana);
    /* Uploads may be larger than 1 MiB: a 3 MiB text guideline is taken. */
    const char *sentence =
        "従業員は、パスワードを他人に教えない。情報セキュリティ基本方針を定める。\n";
    size_t sl = strlen(sentence), big_n = 3u * 1024 * 1024;
    char *big = malloc(big_n);
    assert_non_null(big);
    for (size_t i = 0; i + sl <= big_n; i += sl)
        memcpy(big + i, sentence, sl);
    size_t used = big_n - big_n % sl;
    struct res r;
    upload_bytes(s, &ana, ana.csrf, "大きな業界", "big.txt", big, used, &r);
    assert_int_equal(r.status, 303);
    long job = job_of(&r);
    res_free(&r);
    wait_job(s, &ana, job, "done");
    assert_int_equal(stored_guidelines(s, &ana), 1);
    free(big);

    /* Past 50 MiB the upload is refused with 413, and nothing is stored. */
    size_t huge_n = 50u * 1024 * 1024 + 4096;
    char *huge = malloc(huge_n);
    assert_non_null(huge);
    memset(huge, 'a', huge_n);
    upload_bytes(s, &ana, ana.csrf, "巨大", "huge.txt", huge, huge_n, &r);
    assert_int_equal(r.status, 413);
    assert_contains(r.body, "52428800");
    res_free(&r);
    free(huge);
    assert_int_equal(stored_guidelines(s, &ana), 1);

    /* Every other form keeps the 1 MiB limit. */
    size_t n = 2u * 1024 * 1024;
    char *form = malloc(n + 1);
    assert_non_null(form);
    memset(form, 'a', n);
    form[n] = '\0';
    memcpy(form, "guideline=", 10);
    assert_int_equal(http_full(s, "POST", "/workspace/analyse", ana.cookie,
                               "application/x-www-form-urlencoded", form, n, NULL, &r),
                     0);
    assert_int_equal(r.status, 413);
    assert_contains(r.body, "1048576");
    res_free(&r);
    assert_int_equal(http_full(s, "POST", "/selfcheck", NULL, "application/x-www-form-urlencoded",
                               form, n, NULL, &r),
                     0);
    assert_int_equal(r.status, 413);
    res_free(&r);
    free(form);
}

/* --- analysis, review and override --------------------------------------------------------- */

/* The value of the element with id in html (its text up to the next '<'), malloc'd. */
static char *text_of_id(const char *html, const char *id)
{
    char pat[96];
    snprintf(pat, sizeof(pat), "id=\"%s\"", id);
    const char *p = strstr(html, pat);
    if (p == NULL)
        fail_msg("no element '%s' in:\n%.3000s", id, html);
    p = strchr(p, '>');
    assert_non_null(p);
    p++;
    size_t n = strcspn(p, "<");
    char *out = malloc(n + 1);
    memcpy(out, p, n);
    out[n] = '\0';
    return out;
}

static void analysis_review_override(void **state)
{
    struct srv *s = *state;
    struct who ana;
    login(s, "ana", &ana);
    upload_labelled(s, &ana, "logistics", "物流");
    upload_labelled(s, &ana, "clinic", "医療");
    upload_labelled(s, &ana, "food", "食品");
    assert_int_equal(stored_guidelines(s, &ana), 3);

    /* The heat map: 3 guidelines, common items in orange, every cell a link. */
    struct res r;
    assert_int_equal(http_get(s, "/workspace/matrix", ana.cookie, &r), 0);
    assert_int_equal(r.status, 200);
    assert_contains(r.body, "<table class=\"heat\" id=\"matrix\">");
    assert_contains(r.body, "<tr class=\"common\"");
    assert_int_equal(count_of(r.body, "<td class=\"cell"), 3 * 53);
    assert_contains(r.body, "/workspace/cell?g=1&amp;item=GOV-01");
    char *share = text_of_id(r.body, "n-common");
    res_free(&r);
    /* Another criterion, other common items. */
    assert_int_equal(http_get(s, "/workspace/matrix?kind=count&value=3&min=2", ana.cookie, &r), 0);
    assert_int_equal(r.status, 200);
    char *strict = text_of_id(r.body, "n-common");
    assert_true(atoi(strict) < atoi(share));
    assert_contains(r.body, "count:3:min=2");
    res_free(&r);
    free(share);
    free(strict);
    assert_int_equal(http_get(s, "/workspace/matrix?criterion=share:7", ana.cookie, &r), 0);
    assert_int_equal(r.status, 400);
    assert_contains(r.body, "id=\"criterion-error\"");
    res_free(&r);

    /* The weakest proposals come first in the queue. */
    assert_int_equal(http_get(s, "/workspace/queue", ana.cookie, &r), 0);
    assert_int_equal(r.status, 200);
    assert_contains(r.body, "id=\"queue\"");
    const char *first = strstr(r.body, "data-cell=\"");
    assert_non_null(first);
    res_free(&r);

    /* Find a cell with evidence: TEC-03 (passwords) is in all three excerpts' basics. */
    const char *cell = "/workspace/cell?g=1&item=TEC-03";
    assert_int_equal(http_get(s, cell, ana.cookie, &r), 0);
    assert_int_equal(r.status, 200);
    char *proposed = text_of_id(r.body, "cell-proposed");
    res_free(&r);

    /* Accept, then override with a note. */
    char form[512];
    snprintf(form, sizeof(form), "csrf=%s&g=1&item=TEC-03&review=accepted&back=%s", ana.csrf,
             "/workspace/cell?g=1%26item=TEC-03");
    assert_int_equal(http_post_form(s, "/workspace/review", ana.cookie, form, &r), 0);
    assert_int_equal(r.status, 303);
    res_free(&r);
    assert_int_equal(http_get(s, cell, ana.cookie, &r), 0);
    char *review = text_of_id(r.body, "cell-review");
    assert_string_equal(review, "採用");
    free(review);
    res_free(&r);

    const char *target = strcmp(proposed, "2") == 0 ? "0" : "2";
    snprintf(form, sizeof(form), "csrf=%s&g=1&item=TEC-03&score=%s&note=%s&back=/workspace/matrix",
             ana.csrf, target, "%E7%A2%BA%E8%AA%8D%E6%B8%88%E3%81%BF%3Cb%3E"); /* 確認済み<b> */
    assert_int_equal(http_post_form(s, "/workspace/override", ana.cookie, form, &r), 0);
    assert_int_equal(r.status, 303);
    res_free(&r);
    /* An override needs a note. */
    snprintf(form, sizeof(form), "csrf=%s&g=1&item=TEC-03&score=1&note=", ana.csrf);
    assert_int_equal(http_post_form(s, "/workspace/override", ana.cookie, form, &r), 0);
    assert_int_equal(r.status, 400);
    res_free(&r);

    /* Re-analyse it in the background: the override stays. */
    snprintf(form, sizeof(form), "csrf=%s&guideline=1", ana.csrf);
    assert_int_equal(http_post_form(s, "/workspace/analyse", ana.cookie, form, &r), 0);
    assert_int_equal(r.status, 303);
    long job = job_of(&r);
    res_free(&r);
    wait_job(s, &ana, job, "done");
    snprintf(form, sizeof(form), "csrf=%s&guideline=all", ana.csrf);
    assert_int_equal(http_post_form(s, "/workspace/analyse", ana.cookie, form, &r), 0);
    job = job_of(&r);
    res_free(&r);
    wait_job(s, &ana, job, "done");
    assert_int_equal(http_get(s, cell, ana.cookie, &r), 0);
    char *score = text_of_id(r.body, "cell-score");
    assert_string_equal(score, target);
    free(score);
    char *still = text_of_id(r.body, "cell-proposed");
    assert_string_equal(still, proposed);
    free(still);
    /* The note is shown, escaped. */
    assert_contains(r.body, "確認済み&lt;b&gt;");
    assert_lacks(r.body, "確認済み<b>");
    res_free(&r);
    free(proposed);

    /* Clearing the override brings back the analyser's score. */
    snprintf(form, sizeof(form), "csrf=%s&g=1&item=TEC-03&score=clear", ana.csrf);
    assert_int_equal(http_post_form(s, "/workspace/override", ana.cookie, form, &r), 0);
    assert_int_equal(r.status, 303);
    res_free(&r);
    assert_int_equal(http_get(s, cell, ana.cookie, &r), 0);
    assert_lacks(r.body, "id=\"cell-note\"");
    res_free(&r);

    /* A failed analysis (its guideline deleted) keeps the others and says why. */
    snprintf(form, sizeof(form), "csrf=%s&guideline=3", ana.csrf);
    assert_int_equal(http_post_form(s, "/workspace/delete", ana.cookie, form, &r), 0);
    assert_int_equal(r.status, 303);
    res_free(&r);
    assert_int_equal(stored_guidelines(s, &ana), 2);
    assert_int_equal(http_post_form(s, "/workspace/analyse", ana.cookie, form, &r), 0);
    assert_int_equal(r.status, 404);
    res_free(&r);
}

static void downloads(void **state)
{
    struct srv *s = *state;
    struct who olga;
    login(s, "olga", &olga);
    upload_labelled(s, &olga, "logistics", "物流");
    upload_labelled(s, &olga, "printing", "印刷");

    const struct {
        const char *file;
        const char *type;
        const char *filename;
        const char *starts;
    } files[] = {
        { "workbook", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
          "workbook.xlsx", "PK" },
        { "checksheet-xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
          "checksheet.xlsx", "PK" },
        { "checksheet-html", "text/html; charset=utf-8", "checksheet.html", "<!DOCTYPE html>" },
        { "examples", "text/html; charset=utf-8", "examples.html", "<!DOCTYPE html>" },
        { "discussion-items", "text/csv; charset=utf-8", "discussion-items.csv", "\xEF\xBB\xBF" },
        { "discussion-coverage", "text/csv; charset=utf-8", "discussion-coverage.csv",
          "\xEF\xBB\xBF" },
        { "discussion-md", "text/markdown; charset=utf-8", "discussion.md", "#" },
        { "oscal-catalog", "application/json", "oscal-catalog.json", "{" },
        { "feedback&g=1", "text/html; charset=utf-8", "feedback-1-%E7%89%A9%E6%B5%81.html",
          "<!DOCTYPE html>" },
        { "oscal-results&g=2", "application/json", "oscal-results-2.json", "{" },
    };

    for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
        char path[128];
        snprintf(path, sizeof(path), "/workspace/download?file=%s&criterion=share:0.5:min%%3D1",
                 files[i].file);
        struct res r;
        assert_int_equal(http_get(s, path, olga.cookie, &r), 0);
        if (r.status != 200)
            fail_msg("%s: %ld\n%.1000s", path, r.status, r.body);
        char *type = header(&r, "Content-Type");
        assert_string_equal(type, files[i].type);
        free(type);
        char *cd = header(&r, "Content-Disposition");
        assert_non_null(cd);
        assert_contains(cd, "attachment; filename=\"");
        char want[160];
        snprintf(want, sizeof(want), "filename*=UTF-8''%s", files[i].filename);
        assert_contains(cd, want);
        free(cd);
        assert_true(r.len > 10);
        assert_memory_equal(r.body, files[i].starts, strlen(files[i].starts));
        res_free(&r);
    }
    /* An unknown output, an unknown guideline. */
    expect_status(s, "/workspace/download?file=nothing", olga.cookie, 404);
    expect_status(s, "/workspace/download?file=feedback&g=99", olga.cookie, 404);
    expect_status(s, "/workspace/download?file=workbook&criterion=bogus", olga.cookie, 400);
    /* Nothing is left behind in the temporary folder... checked by the file count in the
     * server's TMPDIR would need a private TMPDIR; the unit of cleanup is the handler. */
}

/* --- drafting and the industry view ---------------------------------------------------------- */

static long draft_of(const struct res *r)
{
    char *loc = header(r, "Location");
    assert_non_null(loc);
    const char *p = strstr(loc, "/drafting/view?id=");
    assert_non_null(p);
    long id = strtol(p + strlen("/drafting/view?id="), NULL, 10);
    free(loc);
    return id;
}

static void drafting_and_industry(void **state)
{
    struct srv *s = *state;
    struct who ana, asa, bob;
    login(s, "ana", &ana);
    login(s, "asa", &asa);
    login(s, "bob", &bob);
    upload_labelled(s, &ana, "logistics", "物流");
    upload_labelled(s, &ana, "clinic", "医療");
    upload_labelled(s, &ana, "retail", "小売");

    /* A draft from a file, aiming at stage 2. */
    size_t len = 0;
    char *data = data_file("labelled/small_shop.txt", &len);
    struct body b = { 0 };
    body_field(&b, "csrf", asa.csrf);
    body_field(&b, "title", "物流業セキュリティガイドライン（草案）");
    body_field(&b, "stage", "2");
    body_file(&b, "file", "draft.txt", data, len);
    body_end(&b);
    free(data);
    struct res r;
    assert_int_equal(post_multipart(s, "/drafting/upload", asa.cookie, &b, &r), 0);
    free(b.data);
    assert_int_equal(r.status, 303);
    long id = draft_of(&r);
    res_free(&r);
    char path[128];
    snprintf(path, sizeof(path), "/drafting/view?id=%ld", id);
    bool ready = false;
    for (int i = 0; i < 600 && !ready; i++) {
        assert_int_equal(http_get(s, path, asa.cookie, &r), 0);
        assert_int_equal(r.status, 200);
        ready = strstr(r.body, "id=\"draft-waiting\"") == NULL;
        if (ready) {
            assert_contains(r.body, "id=\"gap-table\"");
            assert_contains(r.body, "id=\"n-gaps\"");
            assert_lacks(r.body, "id=\"draft-failed\"");
            /* Some item is written in the draft and some is not. */
            assert_contains(r.body, "data-gap=\"true\"");
            assert_contains(r.body, "data-gap=\"false\"");
            assert_contains(r.body, "この段階の記載例");
        }
        res_free(&r);
        if (!ready) {
            struct timespec ts = { 0, 100 * 1000000L };
            nanosleep(&ts, NULL);
        }
    }
    assert_true(ready);
    /* Another stage, another set of rows. */
    snprintf(path, sizeof(path), "/drafting/view?id=%ld&stage=1", id);
    assert_int_equal(http_get(s, path, asa.cookie, &r), 0);
    int stage1 = count_of(r.body, "<tr data-item=");
    res_free(&r);
    snprintf(path, sizeof(path), "/drafting/view?id=%ld&stage=3", id);
    assert_int_equal(http_get(s, path, asa.cookie, &r), 0);
    int stage3 = count_of(r.body, "<tr data-item=");
    res_free(&r);
    assert_true(stage1 < stage3);

    /* The starter, in Markdown and print-ready HTML. */
    snprintf(path, sizeof(path), "/drafting/starter?id=%ld&stage=2&format=md", id);
    assert_int_equal(http_get(s, path, asa.cookie, &r), 0);
    assert_int_equal(r.status, 200);
    char *type = header(&r, "Content-Type");
    assert_string_equal(type, "text/markdown; charset=utf-8");
    free(type);
    char *cd = header(&r, "Content-Disposition");
    assert_contains(cd, "filename*=UTF-8''guideline-starter-%E7%89%A9%E6%B5%81-stage2.md");
    free(cd);
    assert_contains(r.body, "# 物流 情報セキュリティガイドライン（たたき台）");
    assert_contains(r.body, "## 1. ");
    res_free(&r);
    snprintf(path, sizeof(path), "/drafting/starter?id=%ld&stage=3&format=html", id);
    assert_int_equal(http_get(s, path, asa.cookie, &r), 0);
    assert_int_equal(r.status, 200);
    assert_contains(r.body, "@page { size: A4;");
    res_free(&r);

    /* Someone else's draft is not there for them. */
    snprintf(path, sizeof(path), "/drafting/view?id=%ld", id);
    expect_status(s, path, bob.cookie, 404);
    snprintf(path, sizeof(path), "/drafting/starter?id=%ld&format=md", id);
    expect_status(s, path, bob.cookie, 404);

    /* Start from none: every common item up to the stage is a gap. */
    b = (struct body){ 0 };
    body_field(&b, "csrf", bob.csrf);
    body_field(&b, "title", "医療（新規）");
    body_field(&b, "stage", "1");
    body_end(&b);
    assert_int_equal(post_multipart(s, "/drafting/upload", bob.cookie, &b, &r), 0);
    free(b.data);
    assert_int_equal(r.status, 303);
    long none = draft_of(&r);
    res_free(&r);
    snprintf(path, sizeof(path), "/drafting/view?id=%ld", none);
    assert_int_equal(http_get(s, path, bob.cookie, &r), 0);
    assert_int_equal(r.status, 200);
    assert_contains(r.body, "草案がないため");
    assert_lacks(r.body, "data-gap=\"false\"");
    res_free(&r);
    /* Deleting it. */
    char form[128];
    snprintf(form, sizeof(form), "csrf=%s&id=%ld", asa.csrf, none);
    assert_int_equal(http_post_form(s, "/drafting/delete", asa.cookie, form, &r), 0);
    assert_int_equal(r.status, 404); /* not asa's */
    res_free(&r);
    snprintf(form, sizeof(form), "csrf=%s&id=%ld", bob.csrf, none);
    assert_int_equal(http_post_form(s, "/drafting/delete", bob.cookie, form, &r), 0);
    assert_int_equal(r.status, 303);
    res_free(&r);
    expect_status(s, path, bob.cookie, 404);

    /* A bad draft file is refused with its reason, and nothing is stored. */
    data = data_file("docs/corrupt.pdf", &len);
    b = (struct body){ 0 };
    body_field(&b, "csrf", bob.csrf);
    body_field(&b, "title", "壊れた草案");
    body_field(&b, "stage", "2");
    body_file(&b, "file", "corrupt.pdf", data, len);
    body_end(&b);
    free(data);
    assert_int_equal(post_multipart(s, "/drafting/upload", bob.cookie, &b, &r), 0);
    free(b.data);
    assert_int_equal(r.status, 400);
    assert_contains(r.body, "id=\"draft-error\"");
    res_free(&r);
    assert_int_equal(http_get(s, "/drafting", bob.cookie, &r), 0);
    assert_contains(r.body, "まだ草案はありません");
    res_free(&r);

    /* The industry view: the association's own guideline against the reference. */
    assert_int_equal(http_get(s, "/industry", asa.cookie, &r), 0);
    assert_int_equal(r.status, 200);
    assert_contains(r.body, "業界のガイドラインと共通項: 物流");
    assert_contains(r.body, "data-guideline=\"1\"");
    assert_lacks(r.body, "data-guideline=\"2\"");
    assert_contains(r.body, "/industry/feedback?g=1");
    res_free(&r);
    assert_int_equal(http_get(s, "/industry/feedback?g=1", asa.cookie, &r), 0);
    assert_int_equal(r.status, 200);
    assert_contains(r.body, "<!DOCTYPE html>");
    res_free(&r);
    expect_status(s, "/industry/feedback?g=2", asa.cookie, 404);
    /* Analysts choose the industry. */
    assert_int_equal(http_get(s, "/industry?industry=%E5%8C%BB%E7%99%82", ana.cookie, &r), 0);
    assert_contains(r.body, "data-guideline=\"2\"");
    res_free(&r);
}

/* --- the self-check ------------------------------------------------------------------------ */

/* The self-check's form: the CSRF cookie (also in the field) and the question ids. */
struct sheet {
    char csrf[64];
    char ids[128][16];
    int n;
};

static void get_sheet(const struct srv *s, struct sheet *sh)
{
    struct res r;
    assert_int_equal(http_get(s, "/selfcheck", NULL, &r), 0);
    assert_int_equal(r.status, 200);
    char *cookie = set_cookie_value(&r, "sm_csrf");
    char *field = input_value(r.body, "csrf");
    assert_non_null(cookie);
    assert_non_null(field);
    assert_string_equal(cookie, field);
    snprintf(sh->csrf, sizeof(sh->csrf), "%s", cookie);
    free(cookie);
    free(field);
    /* Radio groups in fieldsets with legends. */
    assert_contains(r.body, "<fieldset class=\"sc-q\"");
    assert_contains(r.body, "<legend>");
    sh->n = 0;
    for (const char *p = strstr(r.body, "<fieldset class=\"sc-q\" id=\"q-"); p && sh->n < 128;
         p = strstr(p + 1, "<fieldset class=\"sc-q\" id=\"q-")) {
        const char *id = p + strlen("<fieldset class=\"sc-q\" id=\"q-");
        size_t n = strcspn(id, "\"");
        snprintf(sh->ids[sh->n], sizeof(sh->ids[0]), "%.*s", (int)n, id);
        sh->n++;
    }
    res_free(&r);
}

/* Posts answers: every question `answer`, except the first `first_n` which get `first`;
 * skip leaves the last one out. extra is appended (profile fields). */
static void post_answers(const struct srv *s, const struct sheet *sh, const char *answer,
                         int first_n, const char *first, bool skip, const char *extra,
                         struct res *r)
{
    size_t cap = 16384;
    char *form = malloc(cap);
    char cookie[96];
    int len = snprintf(form, cap, "csrf=%s%s", sh->csrf, extra ? extra : "");
    for (int i = 0; i < sh->n - (skip ? 1 : 0); i++)
        len += snprintf(form + len, cap - (size_t)len, "&a-%s=%s", sh->ids[i],
                        i < first_n ? first : answer);
    snprintf(cookie, sizeof(cookie), "sm_csrf=%s", sh->csrf);
    assert_int_equal(http_post_form(s, "/selfcheck", cookie, form, r), 0);
    free(form);
}

static void selfcheck_scores_keeps_and_deletes(void **state)
{
    struct srv *s = *state;
    struct sheet sh;
    get_sheet(s, &sh);
    /* Nothing analysed: the catalog's stage-1 and stage-2 items, and the page says so. */
    assert_int_equal(sh.n, 33);

    struct res r;
    /* One question left out: 400, the form again with the gap named. */
    post_answers(s, &sh, "done", 0, NULL, true, NULL, &r);
    assert_int_equal(r.status, 400);
    assert_contains(r.body, "role=\"alert\"");
    char anchor[64];
    snprintf(anchor, sizeof(anchor), "href=\"#q-%s\"", sh.ids[sh.n - 1]);
    assert_contains(r.body, anchor);
    assert_contains(r.body, "value=\"done\" checked");
    res_free(&r);

    /* Everything done: 100, the top band. */
    post_answers(s, &sh, "done", 0, NULL, false, "&prefecture=13", &r);
    assert_int_equal(r.status, 200);
    char *score = text_of_id(r.body, "score");
    assert_string_equal(score, "100");
    free(score);
    assert_contains(r.body, "data-band=\"full\"");
    assert_contains(r.body, "<svg class=\"radar\"");
    assert_contains(r.body, "id=\"category-table\"");
    res_free(&r);

    /* IPA's arithmetic: 33 questions, 4 partly (2 each), the rest not done (0):
     * 8 x 100 / 132 = 6.06, truncated to 6. */
    char extra[64];
    snprintf(extra, sizeof(extra), "&prefecture=27");
    post_answers(s, &sh, "not_done", 4, "partly", false, extra, &r);
    assert_int_equal(r.status, 200);
    score = text_of_id(r.body, "score");
    assert_string_equal(score, "6");
    free(score);
    assert_contains(r.body, "data-band=\"low\"");
    /* Gaps come with what to do, and monitoring / incident gaps with services nearby. */
    assert_contains(r.body, "id=\"gap-TEC-02\"");
    assert_contains(r.body, "href=\"/services?prefecture=27\"");
    assert_contains(r.body, "href=\"/services?prefecture=27&amp;onsite=1\"");
    char *answers = input_value(r.body, "answers");
    assert_non_null(answers);
    res_free(&r);

    /* Kept under a private link. */
    char cookie[96], form[8192];
    snprintf(cookie, sizeof(cookie), "sm_csrf=%s", sh.csrf);
    snprintf(form, sizeof(form), "csrf=%s&prefecture=27&industry=E&size=6-20&answers=%s", sh.csrf,
             answers);
    assert_int_equal(http_post_form(s, "/selfcheck/save", cookie, form, &r), 0);
    assert_int_equal(r.status, 303);
    char *loc = header(&r, "Location");
    assert_non_null(loc);
    assert_int_equal(strncmp(loc, "/selfcheck/r/", 13), 0);
    assert_int_equal(strlen(loc), 13 + 43);
    res_free(&r);
    assert_int_equal(http_get(s, loc, NULL, &r), 0);
    assert_int_equal(r.status, 200);
    score = text_of_id(r.body, "score");
    assert_string_equal(score, "6");
    free(score);
    assert_contains(r.body, "id=\"private-link\"");
    assert_contains(r.body, loc + 13);
    char *robots = header(&r, "X-Robots-Tag");
    assert_non_null(robots);
    free(robots);
    char *csrf = set_cookie_value(&r, "sm_csrf");
    char *field = input_value(r.body, "csrf");
    /* A new visitor (no cookie) got a fresh double-submit token with the page. */
    assert_non_null(csrf);
    assert_string_equal(csrf, field);
    free(field);
    res_free(&r);
    /* A wrong token opens nothing. */
    expect_status(s, "/selfcheck/r/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", NULL, 404);
    expect_status(s, "/selfcheck/r/short", NULL, 404);

    /* Deleted by the link's holder, gone afterwards. */
    snprintf(cookie, sizeof(cookie), "sm_csrf=%s", csrf);
    snprintf(form, sizeof(form), "csrf=%s&token=%s", csrf, loc + 13);
    assert_int_equal(http_post_form(s, "/selfcheck/delete", cookie, form, &r), 0);
    assert_int_equal(r.status, 200);
    res_free(&r);
    expect_status(s, loc, NULL, 404);
    assert_int_equal(http_post_form(s, "/selfcheck/delete", cookie, form, &r), 0);
    assert_int_equal(r.status, 404);
    res_free(&r);
    free(csrf);
    free(loc);
    free(answers);
}

static void selfcheck_peers_need_five(void **state)
{
    struct srv *s = *state;
    struct sheet sh;
    get_sheet(s, &sh);
    struct res r;
    post_answers(s, &sh, "partly", 0, NULL, false, "&industry=H&size=1-5", &r);
    assert_int_equal(r.status, 200);
    char *answers = input_value(r.body, "answers");
    assert_contains(r.body, "id=\"peers-few\"");
    res_free(&r);
    char cookie[96], form[8192];
    snprintf(cookie, sizeof(cookie), "sm_csrf=%s", sh.csrf);
    /* Contributing needs the industry and size. */
    snprintf(form, sizeof(form), "csrf=%s&answers=%s", sh.csrf, answers);
    assert_int_equal(http_post_form(s, "/selfcheck/contribute", cookie, form, &r), 0);
    assert_int_equal(r.status, 200);
    assert_contains(r.body, "業種と従業員数を選んでください");
    assert_lacks(r.body, "id=\"contributed\"");
    res_free(&r);
    snprintf(form, sizeof(form), "csrf=%s&industry=H&size=1-5&answers=%s", sh.csrf, answers);
    for (int i = 1; i <= 5; i++) {
        assert_int_equal(http_post_form(s, "/selfcheck/contribute", cookie, form, &r), 0);
        assert_int_equal(r.status, 200);
        assert_contains(r.body, "id=\"contributed\"");
        if (i < 5) {
            assert_contains(r.body, "id=\"peers-few\"");
            assert_lacks(r.body, "id=\"peers\"");
        } else {
            /* Five of the same industry and size: the comparison shows, also on the chart. */
            assert_contains(r.body, "id=\"peers\"");
            assert_contains(r.body, "5社）の平均は 50.0 点です。");
            assert_contains(r.body, "radar-peers");
        }
        res_free(&r);
    }
    /* Another size band has no peers. */
    post_answers(s, &sh, "partly", 0, NULL, false, "&industry=H&size=6-20", &r);
    assert_contains(r.body, "id=\"peers-few\"");
    res_free(&r);
    /* A bad profile value is refused. */
    post_answers(s, &sh, "partly", 0, NULL, false, "&industry=Z", &r);
    assert_int_equal(r.status, 400);
    res_free(&r);
    free(answers);
}

static void selfcheck_in_english_and_escaped(void **state)
{
    struct srv *s = *state;
    struct res r;
    assert_int_equal(http_get(s, "/selfcheck?lang=en", NULL, &r), 0);
    assert_int_equal(r.status, 200);
    assert_contains(r.body, "<html lang=\"en\">");
    assert_contains(r.body, "Information security self-check");
    assert_contains(r.body, "Does not apply");
    res_free(&r);
    assert_int_equal(http_get(s, "/handbook?lang=en", NULL, &r), 0);
    assert_contains(r.body, "Handbook");
    res_free(&r);
    /* Answers text from the client is checked, and escaped where shown. */
    struct sheet sh;
    get_sheet(s, &sh);
    char cookie[96], form[512];
    snprintf(cookie, sizeof(cookie), "sm_csrf=%s", sh.csrf);
    snprintf(form, sizeof(form), "csrf=%s&answers=GOV-01=done%%3Cscript%%3E", sh.csrf);
    assert_int_equal(http_post_form(s, "/selfcheck/save", cookie, form, &r), 0);
    assert_int_equal(r.status, 400);
    assert_lacks(r.body, "<script>");
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
        cmocka_unit_test_setup_teardown(access_per_role, setup, teardown),
        cmocka_unit_test_setup_teardown(every_form_checks_csrf, setup, teardown),
        cmocka_unit_test_setup_teardown(bad_files_are_refused_with_a_reason, setup, teardown),
        cmocka_unit_test_setup_teardown(upload_limits, setup, teardown),
        cmocka_unit_test_setup_teardown(analysis_review_override, setup, teardown),
        cmocka_unit_test_setup_teardown(downloads, setup, teardown),
        cmocka_unit_test_setup_teardown(drafting_and_industry, setup, teardown),
        cmocka_unit_test_setup_teardown(selfcheck_scores_keeps_and_deletes, setup, teardown),
        cmocka_unit_test_setup_teardown(selfcheck_peers_need_five, setup, teardown),
        cmocka_unit_test_setup_teardown(selfcheck_in_english_and_escaped, setup, teardown),
    };
    int failed = 0;
    for (int i = 0; i < n; i++) {
        backend = names[i];
        char group[64];
        snprintf(group, sizeof(group), "http commons on %s", backend);
        failed += cmocka_run_group_tests_name(group, tests, NULL, NULL);
    }
    curl_global_cleanup();
    return failed ? 1 : 0;
}

/*
 * The guideline-commons pages' shared parts (see commons.h): the catalog loaded once, the
 * background worker, access and CSRF checks, multipart uploads and file downloads.
 *
 * The worker. One thread per server process, on a database connection of its own (the pool
 * has one per request thread, and an analysis may take seconds). It runs queued jobs one
 * after another (sm_job_run_next) and otherwise sleeps on a condition variable: a handler
 * that queues a job wakes it at once, and it also wakes every few seconds to pick up jobs
 * that another server process queued (the queue is in the database, and any process may
 * run any job). Once a minute it marks failed the jobs whose process died mid-run
 * (sm_job_sweep). Stopping waits for the job in hand: an analysis is not cut off half-way,
 * and its guideline's earlier results stay intact either way.
 *
 * Downloads are generated into a private temporary folder per request and streamed from an
 * open descriptor; the file and the folder are removed before the response is sent, so
 * nothing is left behind even when the client goes away.
 */
#include "commons.h"

#include "smesec/alloc.h"
#include "smesec/jobs.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "util/banned.h"

#define WORKER_POLL_SECONDS 3
#define SWEEP_EVERY_SECONDS 60
/* A running job whose heartbeat is this old lost its process. Analyses save a heartbeat
 * after each guideline, which takes seconds, not minutes. */
#define STALE_SECONDS 600

struct web_commons {
    struct sm_catalog *catalog;
    const char *db_url;
    pthread_t thread;
    bool started;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    bool stop;
    bool wake;
};

int web_commons_init(struct web_app *app, struct sm_diag *diag)
{
    struct web_commons *c = sm_calloc(1, sizeof *c);
    if (!c)
        return sm_diag_set(diag, SM_ENOMEM, "out of memory");
    int rc = sm_catalog_default(&c->catalog, diag);
    if (rc) {
        sm_free(c);
        return rc;
    }
    c->db_url = app->config->db_url;
    pthread_mutex_init(&c->mu, NULL);
    pthread_cond_init(&c->cv, NULL);
    app->commons = c;
    return SM_OK;
}

static void *worker(void *arg)
{
    struct web_commons *c = arg;
    struct sm_store *store = NULL;
    struct sm_diag diag;
    sm_diag_clear(&diag);
    int64_t last_sweep = 0;
    for (;;) {
        pthread_mutex_lock(&c->mu);
        bool stop = c->stop;
        pthread_mutex_unlock(&c->mu);
        if (stop)
            break;
        bool ran = false;
        if (!store && sm_store_open(c->db_url, &store, &diag) != SM_OK) {
            fprintf(stderr, "smesec: analysis worker: %s\n", diag.msg);
            store = NULL;
        }
        if (store) {
            int64_t now = (int64_t)time(NULL);
            size_t swept = 0;
            if (now - last_sweep >= SWEEP_EVERY_SECONDS) {
                if (sm_job_sweep(store, now, STALE_SECONDS, &swept, &diag) == SM_OK && swept)
                    fprintf(stderr, "smesec: marked %zu interrupted analysis job(s) failed\n",
                            swept);
                last_sweep = now;
            }
            int rc = sm_job_run_next(store, 1, &ran, &diag);
            if (rc) {
                fprintf(stderr, "smesec: analysis worker: %s\n",
                        diag.msg[0] ? diag.msg : sm_strerror(rc));
                /* A broken connection is opened afresh on the next round. */
                sm_store_free(store);
                store = NULL;
                ran = false;
            }
        }
        if (ran)
            continue;
        pthread_mutex_lock(&c->mu);
        if (!c->stop && !c->wake) {
            struct timespec until;
            clock_gettime(CLOCK_REALTIME, &until);
            until.tv_sec += WORKER_POLL_SECONDS;
            while (!c->stop && !c->wake &&
                   pthread_cond_timedwait(&c->cv, &c->mu, &until) != ETIMEDOUT)
                ;
        }
        c->wake = false;
        pthread_mutex_unlock(&c->mu);
    }
    sm_store_free(store);
    return NULL;
}

int web_commons_start(struct web_app *app, struct sm_diag *diag)
{
    struct web_commons *c = app->commons;
    if (!c || c->started)
        return SM_OK;
    if (pthread_create(&c->thread, NULL, worker, c) != 0)
        return sm_diag_set(diag, SM_EIO, "cannot start the analysis worker");
    c->started = true;
    return SM_OK;
}

void web_commons_wake(struct web_app *app)
{
    struct web_commons *c = app->commons;
    if (!c)
        return;
    pthread_mutex_lock(&c->mu);
    c->wake = true;
    pthread_cond_signal(&c->cv);
    pthread_mutex_unlock(&c->mu);
}

void web_commons_stop(struct web_app *app)
{
    struct web_commons *c = app->commons;
    if (!c || !c->started)
        return;
    pthread_mutex_lock(&c->mu);
    c->stop = true;
    pthread_cond_signal(&c->cv);
    pthread_mutex_unlock(&c->mu);
    pthread_join(c->thread, NULL);
    c->started = false;
}

void web_commons_free(struct web_app *app)
{
    struct web_commons *c = app->commons;
    if (!c)
        return;
    web_commons_stop(app);
    sm_catalog_free(c->catalog);
    pthread_cond_destroy(&c->cv);
    pthread_mutex_destroy(&c->mu);
    sm_free(c);
    app->commons = NULL;
}

const struct sm_catalog *web_commons_catalog(const struct web_request *req)
{
    return req->app->commons->catalog;
}

/* --- access ---------------------------------------------------------------------------- */

/* Percent-encodes s for a query value, leaving the unreserved characters and '/'. */
static char *encode(struct sm_arena *a, const char *s)
{
    static const char hex[] = "0123456789ABCDEF";
    size_t n = strlen(s);
    char *d = sm_arena_alloc(a, 3 * n + 1);
    if (!d)
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

int web_gate(struct web_request *req, unsigned roles, const struct sm_session **out)
{
    int rc = SM_OK;
    *out = NULL;
    const struct sm_session *s = web_session(req, &rc);
    if (rc)
        return rc;
    if (!s) {
        /* Back to the same page after logging in, query and all (GET only: a form
         * posted without a session cannot be replayed). */
        char target[1024];
        if (req->method == WEB_GET && req->query[0])
            snprintf(target, sizeof target, "%s?%s", req->path, req->query);
        else
            snprintf(target, sizeof target, "%s", req->path);
        char *next = encode(&req->arena, target);
        if (!next)
            return SM_ENOMEM;
        char location[3200];
        snprintf(location, sizeof location, "/login?next=%s", next);
        return web_redirect(req, location);
    }
    if (!(roles & WEB_ROLE(s->user->role))) {
        web_fail(req, 403, "commons.error.role", NULL);
        return SM_OK;
    }
    *out = s;
    return SM_OK;
}

struct sm_actor web_actor(const struct sm_session *s)
{
    struct sm_actor a = { .user_id = s->user->id, .name = s->user->username };
    return a;
}

bool web_csrf_ok(const struct sm_session *s, const char *field)
{
    return s && field && sm_token_equal(s->csrf, field);
}

static bool token_shaped(const char *t)
{
    return t && strlen(t) == SM_TOKEN_SIZE - 1;
}

int web_public_csrf(struct web_request *req, const char **out)
{
    const char *c = web_cookie_get(req, WEB_COOKIE_CSRF);
    if (token_shaped(c)) {
        *out = c;
        return SM_OK;
    }
    char fresh[SM_TOKEN_SIZE];
    sm_token_new(fresh);
    char *copy = sm_arena_strdup(&req->arena, fresh);
    if (!copy)
        return SM_ENOMEM;
    int rc =
        web_cookie_set(req, WEB_COOKIE_CSRF, copy, -1, WEB_COOKIE_HTTPONLY | WEB_COOKIE_STRICT);
    if (rc)
        return rc;
    *out = copy;
    return SM_OK;
}

bool web_public_csrf_ok(struct web_request *req, const char *field)
{
    const char *c = web_cookie_get(req, WEB_COOKIE_CSRF);
    return token_shaped(c) && field && sm_token_equal(c, field);
}

/* --- input ----------------------------------------------------------------------------- */

bool web_parse_id(const char *s, int64_t *out)
{
    if (!s || !*s || strlen(s) > 18)
        return false;
    int64_t v = 0;
    for (const char *p = s; *p; p++) {
        if (*p < '0' || *p > '9')
            return false;
        v = v * 10 + (*p - '0');
    }
    if (v < 1)
        return false;
    *out = v;
    return true;
}

bool web_parse_int(const char *s, int lo, int hi, int *out)
{
    int64_t v = 0;
    if (s && strcmp(s, "0") == 0)
        v = 0;
    else if (!web_parse_id(s, &v))
        return false;
    if (v < lo || v > hi)
        return false;
    *out = (int)v;
    return true;
}

int web_multipart(struct web_request *req, struct web_multipart *out, struct sm_diag *diag)
{
    char boundary[WEB_MULTIPART_BOUNDARY + 1];
    int rc = web_multipart_boundary(web_header_get(req, "Content-Type"), boundary, diag);
    if (rc)
        return rc;
    return web_multipart_parse(&req->arena, req->body.data ? req->body.data : "", req->body.len,
                               boundary, out, diag);
}

/* --- output ---------------------------------------------------------------------------- */

int web_attachment(struct web_request *req, const char *filename)
{
    static const char hex[] = "0123456789ABCDEF";
    char ascii[128], encoded[1024];
    size_t a = 0, e = 0;
    for (const char *p = filename; *p; p++) {
        unsigned char c = (unsigned char)*p;
        bool plain = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                     c == '.' || c == '-' || c == '_';
        if (a + 1 < sizeof ascii)
            ascii[a++] = plain ? (char)c : '_';
        if (plain && e + 1 < sizeof encoded) {
            encoded[e++] = (char)c;
        } else if (!plain && e + 3 < sizeof encoded) {
            encoded[e++] = '%';
            encoded[e++] = hex[c >> 4];
            encoded[e++] = hex[c & 15];
        }
    }
    ascii[a] = '\0';
    encoded[e] = '\0';
    return web_header_addf(req, "Content-Disposition",
                           "attachment; filename=\"%s\"; filename*=UTF-8''%s", ascii, encoded);
}

int web_send_file(struct web_request *req, const char *path, const char *content_type,
                  const char *filename)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return SM_EIO;
    struct stat st;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        close(fd);
        return SM_EIO;
    }
    unlink(path);
    int rc = web_attachment(req, filename);
    if (rc) {
        close(fd);
        return rc;
    }
    return web_respond_fd(req, 200, content_type, fd, (size_t)st.st_size);
}

int web_send_buf(struct web_request *req, struct sm_buf *buf, const char *content_type,
                 const char *filename)
{
    int rc = web_attachment(req, filename);
    if (rc)
        return rc;
    sm_buf_release(&req->res.body);
    req->res.body = *buf;
    sm_buf_init(buf, buf->max);
    req->res.static_body = NULL;
    req->res.status = 200;
    req->res.content_type = content_type;
    return SM_OK;
}

int web_prefecture_options(struct web_request *req, json_t *ctx, const char *key,
                           const char *selected)
{
    const struct sm_geo *geo = req->app->geo;
    json_t *list = json_array();
    if (!list || json_object_set_new(ctx, key, list))
        return SM_ENOMEM;
    for (size_t i = 0; i < geo->n_prefectures; i++) {
        const struct sm_prefecture *p = &geo->prefectures[i];
        json_t *o = json_pack("{s:s,s:s,s:b}", "code", p->code, "name",
                              req->lang == SM_LANG_EN ? p->name_en : p->name_ja, "selected",
                              selected && strcmp(selected, p->code) == 0);
        if (!o || json_array_append_new(list, o))
            return SM_ENOMEM;
    }
    return SM_OK;
}

json_t *web_json_str(const char *s)
{
    return s ? json_string(s) : json_null();
}

/* The message key for a file the reader refused with rc. */
const char *web_upload_error_key(int rc)
{
    switch (rc) {
    case SM_ELIMIT:
        return "commons.upload.error.too_large";
    case SM_EUNSUPPORTED:
        return "commons.upload.error.unsupported";
    case SM_EPARSE:
        return "commons.upload.error.corrupt";
    default:
        return "commons.upload.error.empty";
    }
}

/* The status for a file the reader refused: too large 413, a format it cannot read 415,
 * anything else wrong with the file 400. */
int web_upload_error_status(int rc)
{
    switch (rc) {
    case SM_ELIMIT:
        return 413;
    case SM_EUNSUPPORTED:
        return 415;
    case SM_ENOMEM:
        return 503;
    default:
        return 400;
    }
}

/*
 * The HTTP server: libmicrohttpd set-up, the per-request life cycle, the access log, and
 * graceful shutdown. The only file that includes microhttpd.h.
 *
 * Threading model. libmicrohttpd runs a pool of N worker threads (N = configured threads,
 * default the number of cores), each with its own epoll instance, all accepting on the one
 * listening socket (MHD_USE_EPOLL_INTERNAL_THREAD + MHD_OPTION_THREAD_POOL_SIZE). We chose
 * this over thread-per-connection because the target is many short requests from many
 * keep-alive connections on a small machine (>= 15,000 req/s on 2 cores): a fixed number of
 * event-driven threads costs no thread creation or context switch per connection and keeps
 * memory flat (a thread per connection would need 32+ stacks for wrk -c32 alone and
 * thousands under a real load). epoll over poll/select because its cost does not grow with
 * the number of idle keep-alive connections. Handlers run on the worker thread and may
 * block on the database; the pool therefore has one database connection per worker, so a
 * worker never waits for another's connection. The reference data the busiest routes serve
 * (regions, prefectures, static files) is loaded once at start and answered from memory.
 * Measured on the 2-core development machine with wrk -t2 -c32 on loopback (wrk sharing the
 * two cores): /api/v1/prefectures about 79,000 req/s with p99 4.3 ms, the rendered top page
 * about 50,000 req/s, RSS about 11 MB.
 *
 * Request life cycle: the URI callback creates the struct web_request (so even a request
 * that fails before the handler is called is logged and freed), the access handler collects
 * the body up to WEB_BODY_MAX and then dispatches once, the completion callback writes the
 * access log line and frees the request with its arena.
 *
 * Shutdown: SIGINT and SIGTERM are blocked before the worker threads start (so they inherit
 * the mask) and the calling thread waits for them with sigwait. Then the daemon stops
 * accepting (MHD_quiesce_daemon), requests in flight get up to SHUTDOWN_GRACE_MS to finish,
 * and MHD_stop_daemon closes the rest.
 */
#include "app.h"
#include "commons.h"
#include "routes.h"

#include "smesec/alloc.h"
#include "smesec/smesec.h"

#include <arpa/inet.h>
#include <errno.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "util/banned.h"

#define CONNECTION_LIMIT     1000
#define CONNECTION_TIMEOUT_S 30
#define SHUTDOWN_GRACE_MS    10000
/* A body over the limit is read and dropped so the 413 can be sent; past this many bytes
 * over the route's limit (8 MiB in all for the 1 MiB default) the client is not worth the
 * bandwidth and the connection is closed instead. */
#define DISCARD_SLACK (7u * WEB_BODY_MAX)

struct server {
    struct web_app app;
    atomic_long in_flight;
};

static uint64_t now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

const char *web_header_get(struct web_request *req, const char *name)
{
    if (req->conn == NULL)
        return NULL;
    return MHD_lookup_connection_value(req->conn, MHD_HEADER_KIND, name);
}

static void client_address(struct MHD_Connection *conn, char *out, size_t size)
{
    out[0] = '\0';
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    if (ci == NULL || ci->client_addr == NULL)
        return;
    const struct sockaddr *sa = ci->client_addr;
    if (sa->sa_family == AF_INET) {
        const struct sockaddr_in *in = (const struct sockaddr_in *)(const void *)sa;
        inet_ntop(AF_INET, &in->sin_addr, out, (socklen_t)size);
    } else if (sa->sa_family == AF_INET6) {
        const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)(const void *)sa;
        inet_ntop(AF_INET6, &in6->sin6_addr, out, (socklen_t)size);
    }
}

/* Called by MHD with the raw request target, before any header is parsed; what it returns
 * becomes the request's context for every later callback. */
static void *on_uri(void *cls, const char *uri, struct MHD_Connection *conn)
{
    struct server *srv = cls;
    struct web_request *req = sm_malloc(sizeof(*req));
    if (req == NULL)
        return NULL;
    web_request_init(req, &srv->app);
    req->start_us = now_us();
    req->now = (int64_t)time(NULL);
    req->conn = conn;
    /* The method is not known yet; keep the target until the access handler runs. */
    req->raw_target = sm_arena_strdup(&req->arena, uri != NULL ? uri : "");
    atomic_fetch_add(&srv->in_flight, 1);
    return req;
}

static void add_security_headers(struct MHD_Response *r)
{
    MHD_add_response_header(r, "Content-Security-Policy",
                            "default-src 'self'; script-src 'self'; style-src 'self'; "
                            "img-src 'self' data:; frame-ancestors 'none'; "
                            "form-action 'self'; base-uri 'none'");
    MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
    MHD_add_response_header(r, "Referrer-Policy", "same-origin");
    MHD_add_response_header(r, "X-Frame-Options", "DENY");
}

/* Turns req->res into an MHD response and queues it. */
static enum MHD_Result send_response(struct MHD_Connection *conn, struct web_request *req)
{
    struct web_response *res = &req->res;
    struct MHD_Response *r;
    if (res->static_body != NULL) {
        r = MHD_create_response_from_buffer(res->static_len, (void *)(uintptr_t)res->static_body,
                                            MHD_RESPMEM_PERSISTENT);
        res->bytes = res->static_len;
    } else if (res->fd >= 0) {
        /* MHD owns the descriptor from here and closes it when the response is freed. */
        r = MHD_create_response_from_fd((uint64_t)res->fd_len, res->fd);
        if (r != NULL)
            res->fd = -1;
        res->bytes = res->fd_len;
    } else {
        size_t len = 0;
        char *body = sm_buf_take(&res->body, &len);
        if (body == NULL) {
            r = MHD_create_response_from_buffer(0, (void *)(uintptr_t) "", MHD_RESPMEM_PERSISTENT);
            res->status = 503;
        } else {
            r = MHD_create_response_from_buffer_with_free_callback(len, body, sm_free);
            if (r == NULL)
                sm_free(body);
        }
        res->bytes = len;
    }
    if (r == NULL)
        return MHD_NO;
    add_security_headers(r);
    if (res->content_type != NULL)
        MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, res->content_type);
    bool cache_control = false;
    for (size_t i = 0; i < res->n_headers; i++) {
        MHD_add_response_header(r, res->headers[i].name, res->headers[i].value);
        cache_control |= strcmp(res->headers[i].name, "Cache-Control") == 0;
    }
    /* Pages depend on the session and language cookies; nothing is cached unless the
     * handler said it may be. */
    if (!cache_control)
        MHD_add_response_header(r, "Cache-Control", "no-store");
    enum MHD_Result ok = MHD_queue_response(conn, (unsigned)res->status, r);
    MHD_destroy_response(r);
    return ok;
}

/* The first call of the access handler for a request: the headers are in, the body (if
 * any) is not. Returns true when the request was answered already. */
static bool start_request(struct web_request *req, struct MHD_Connection *conn, const char *method,
                          enum MHD_Result *result)
{
    req->started = true;
    if (req->raw_target == NULL || web_request_set_target(req, method, req->raw_target) != SM_OK) {
        web_fail(req, 503, NULL, NULL);
        *result = send_response(conn, req);
        return true;
    }
    client_address(conn, req->client, sizeof(req->client));
    /* Most routes take small forms; an upload route may take more (router.c). */
    size_t limit = web_body_limit(req->method, req->path);
    if (limit != req->body_max) {
        req->body_max = limit;
        sm_buf_init(&req->body, limit);
    }
    const char *cl =
        MHD_lookup_connection_value(conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);
    if (cl != NULL) {
        char *end = NULL;
        errno = 0;
        unsigned long long n = strtoull(cl, &end, 10);
        bool unreadable = errno != 0 || end == cl;
        if (unreadable || n > req->body_max) {
            req->body_too_large = true;
            /* A body a little over the limit is read and dropped, and the 413 follows: a
             * server that closes a connection with unread data makes the kernel reset it,
             * and the client may lose the answer. A body far over the limit is not worth
             * reading: answer now and let MHD close the connection. */
            if (unreadable || n > req->body_max + DISCARD_SLACK) {
                web_dispatch(req);
                *result = send_response(conn, req);
                return true;
            }
        }
    }
    return false;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url,
                                  const char *method, const char *version, const char *upload_data,
                                  size_t *upload_data_size, void **con_cls)
{
    (void)cls;
    (void)url;
    (void)version;
    struct web_request *req = *con_cls;
    if (req == NULL) {
        /* The URI callback could not allocate: answer without a request context. */
        static const char text[] = "out of memory; try again later\n";
        struct MHD_Response *r = MHD_create_response_from_buffer(
            sizeof(text) - 1, (void *)(uintptr_t)text, MHD_RESPMEM_PERSISTENT);
        if (r == NULL)
            return MHD_NO;
        add_security_headers(r);
        enum MHD_Result ok = MHD_queue_response(conn, 503, r);
        MHD_destroy_response(r);
        return ok;
    }

    if (!req->started) {
        enum MHD_Result result = MHD_YES;
        if (start_request(req, conn, method, &result))
            return result;
        return MHD_YES;
    }

    if (*upload_data_size > 0) {
        size_t n = *upload_data_size;
        *upload_data_size = 0;
        if (!req->body_too_large && sm_buf_append(&req->body, upload_data, n) != SM_OK) {
            /* Over the limit (or out of memory, which the client cannot tell apart and
             * which a smaller body would fix just the same). */
            req->body_too_large = true;
            sm_buf_release(&req->body);
        }
        if (req->body_too_large) {
            req->discarded += n;
            if (req->discarded > req->body_max + DISCARD_SLACK)
                return MHD_NO;
        }
        return MHD_YES;
    }

    web_dispatch(req);
    return send_response(conn, req);
}

/* Writes s to out with control bytes, quotes and backslashes escaped, so a path cannot
 * forge log lines. Truncates to the size of out. */
static void log_escape(const char *s, char *out, size_t size)
{
    size_t j = 0;
    for (; *s != '\0' && j + 5 < size; s++) {
        unsigned char c = (unsigned char)*s;
        if (c < 0x20 || c == 0x7f || c == '"' || c == '\\') {
            j += (size_t)snprintf(out + j, size - j, "\\x%02x", c);
        } else {
            out[j++] = (char)c;
        }
    }
    out[j] = '\0';
}

static void on_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
                         enum MHD_RequestTerminationCode toe)
{
    struct server *srv = cls;
    (void)conn;
    struct web_request *req = *con_cls;
    if (req == NULL)
        return;
    *con_cls = NULL;
    if (srv->app.config->access_log) {
        char path[512];
        log_escape(req->path, path, sizeof(path));
        char method[32];
        log_escape(req->method_name, method, sizeof(method));
        fprintf(stderr, "smesec: %s \"%s\" %d %zu %llu us%s\n", method, path, req->res.status,
                req->res.bytes, (unsigned long long)(now_us() - req->start_us),
                toe == MHD_REQUEST_TERMINATED_COMPLETED_OK ? "" : " (aborted)");
    }
    web_request_release(req);
    sm_free(req);
    atomic_fetch_sub(&srv->in_flight, 1);
}

void sm_web_config_init(struct sm_web_config *config)
{
    memset(config, 0, sizeof(*config));
    config->db_url = NULL;
    config->listen_addr = "127.0.0.1";
    config->port = 8080;
    config->threads = 0;
    config->access_log = true;
    config->secure_cookies = false;
}

/* Builds everything the workers share. On failure the caller still calls app_release. */
static int app_init(struct web_app *app, const struct sm_web_config *config, unsigned threads,
                    struct sm_diag *diag)
{
    app->config = config;
    int rc = sm_init();
    if (rc != SM_OK)
        return sm_diag_set(diag, rc, "cannot initialise the password library");
    rc = sm_i18n_new(sm_web_i18n, &app->i18n, diag);
    if (rc != SM_OK)
        return rc;
    rc = sm_tmpl_set_new(sm_web_templates, &app->tmpl, diag);
    if (rc != SM_OK)
        return rc;
    rc = sm_store_pool_new(config->db_url, threads, &app->pool, diag);
    if (rc != SM_OK)
        return rc;
    struct sm_store *store = sm_store_pool_get(app->pool);
    rc = sm_store_migrate(store, NULL, diag);
    if (rc == SM_OK)
        rc = sm_geo_load(store, &app->geo, diag);
    sm_store_pool_put(app->pool, store);
    if (rc != SM_OK)
        return rc;
    rc = web_refdata_init(app, diag);
    if (rc != SM_OK)
        return rc;
    rc = web_commons_init(app, diag);
    if (rc != SM_OK)
        return rc;
    return web_static_init(app, diag);
}

static void app_release(struct web_app *app)
{
    web_commons_free(app);
    web_static_free(app);
    web_refdata_free(app);
    sm_geo_free(app->geo);
    sm_store_pool_free(app->pool);
    sm_tmpl_set_free(app->tmpl);
    sm_i18n_free(app->i18n);
    memset(app, 0, sizeof(*app));
}

static unsigned worker_count(const struct sm_web_config *config)
{
    if (config->threads > 0)
        return config->threads > 256 ? 256 : config->threads;
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    if (n < 1)
        return 1;
    return n > 64 ? 64u : (unsigned)n;
}

static void sleep_ms(long ms)
{
    struct timespec ts = { .tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * 1000000L };
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
        ;
}

int sm_web_run(const struct sm_web_config *config, struct sm_diag *diag)
{
    sm_diag_clear(diag);
    if (config->db_url == NULL || config->listen_addr == NULL)
        return sm_diag_set(diag, SM_EINVAL, "no database URL or listen address given");

    union {
        struct sockaddr sa;
        struct sockaddr_in in;
        struct sockaddr_in6 in6;
    } addr;

    memset(&addr, 0, sizeof(addr));
    bool v6 = false;
    if (inet_pton(AF_INET, config->listen_addr, &addr.in.sin_addr) == 1) {
        addr.in.sin_family = AF_INET;
        addr.in.sin_port = htons(config->port);
    } else if (inet_pton(AF_INET6, config->listen_addr, &addr.in6.sin6_addr) == 1) {
        addr.in6.sin6_family = AF_INET6;
        addr.in6.sin6_port = htons(config->port);
        v6 = true;
    } else {
        return sm_diag_set(diag, SM_EINVAL,
                           "cannot use listen address '%s': not an IPv4 or "
                           "IPv6 literal",
                           config->listen_addr);
    }

    unsigned threads = worker_count(config);
    struct server *srv = sm_calloc(1, sizeof(*srv));
    if (srv == NULL)
        return sm_diag_set(diag, SM_ENOMEM, "out of memory");
    atomic_init(&srv->in_flight, 0);
    int rc = app_init(&srv->app, config, threads, diag);
    if (rc != SM_OK)
        goto out;

    /* Blocked before the workers exist, so that they inherit the mask and only sigwait
     * below receives the signals. */
    sigset_t sigs, old_sigs;
    sigemptyset(&sigs);
    sigaddset(&sigs, SIGINT);
    sigaddset(&sigs, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &sigs, &old_sigs);

    unsigned flags = MHD_USE_EPOLL_INTERNAL_THREAD | MHD_USE_ITC | MHD_USE_ERROR_LOG;
    if (v6)
        flags |= MHD_USE_IPv6;
    struct MHD_Daemon *d = MHD_start_daemon(
        flags, config->port, NULL, NULL, on_request, srv, MHD_OPTION_SOCK_ADDR, &addr.sa,
        MHD_OPTION_THREAD_POOL_SIZE, threads, MHD_OPTION_CONNECTION_LIMIT,
        (unsigned)CONNECTION_LIMIT, MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)CONNECTION_TIMEOUT_S,
        MHD_OPTION_LISTEN_BACKLOG_SIZE, 511u, MHD_OPTION_URI_LOG_CALLBACK, on_uri, srv,
        MHD_OPTION_NOTIFY_COMPLETED, on_completed, srv, MHD_OPTION_END);
    if (d == NULL) {
        pthread_sigmask(SIG_SETMASK, &old_sigs, NULL);
        rc = sm_diag_set(diag, SM_EIO, "cannot listen on '%s' port %u", config->listen_addr,
                         (unsigned)config->port);
        goto out;
    }
    /* The background analysis worker, started with the signals blocked like the workers. */
    rc = web_commons_start(&srv->app, diag);
    if (rc != SM_OK) {
        MHD_stop_daemon(d);
        pthread_sigmask(SIG_SETMASK, &old_sigs, NULL);
        goto out;
    }
    const union MHD_DaemonInfo *info = MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT);
    unsigned port = info != NULL ? info->port : config->port;
    printf("smesec: listening on http://%s%s%s:%u/\n", v6 ? "[" : "", config->listen_addr,
           v6 ? "]" : "", port);
    fflush(stdout);

    int sig = 0;
    while (sigwait(&sigs, &sig) != 0)
        ;

    /* Stop taking connections, let what is running finish, then close everything. */
    MHD_socket listener = MHD_quiesce_daemon(d);
    for (long waited = 0; atomic_load(&srv->in_flight) > 0 && waited < SHUTDOWN_GRACE_MS;
         waited += 10)
        sleep_ms(10);
    MHD_stop_daemon(d);
    if (listener != MHD_INVALID_SOCKET)
        close(listener);
    web_commons_stop(&srv->app);
    pthread_sigmask(SIG_SETMASK, &old_sigs, NULL);
    fprintf(stderr, "smesec: stopped on signal %d\n", sig);
    rc = SM_OK;
out:
    app_release(&srv->app);
    sm_free(srv);
    return rc;
}

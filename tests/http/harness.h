/*
 * What the HTTP tests share: a real `smesec serve` on a fresh database and a small libcurl
 * client.
 *
 * srv_start creates a database on the given backend (tests/support/testdb.h), spawns
 * $SMESEC_BIN serve on 127.0.0.1:0 with its stderr (the access log) in a temporary file, and
 * reads the "listening on" line from its stdout to learn the port. srv_stop sends SIGTERM and
 * returns the exit status, so every test also proves a graceful shutdown. Each test gets its
 * own server and database: the login limits count per client address, and every test comes
 * from 127.0.0.1, so sharing a server would make tests depend on each other's failures.
 *
 * Header-only (static functions) because each tests/http/test_*.c is its own program.
 */
#ifndef SM_TEST_HTTP_HARNESS_H
#define SM_TEST_HTTP_HARNESS_H

#include <curl/curl.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "testdb.h"

struct srv {
    const char *backend;
    char db[SM_TEST_URL_MAX];
    pid_t pid;
    int out_fd;   /* the server's stdout */
    char log[64]; /* the file its stderr goes to */
    unsigned port;
    char base[64]; /* "http://127.0.0.1:PORT" */
};

static inline const char *smesec_bin(void)
{
    const char *bin = getenv("SMESEC_BIN");
    return bin != NULL && bin[0] != '\0' ? bin : "smesec";
}

/* Runs smesec with args, feeding input (may be NULL) on stdin; returns the exit status or
 * -1. args ends with NULL. */
static inline int run_smesec(const char *input, const char *const *args)
{
    int in[2];
    if (pipe(in) != 0)
        return -1;
    pid_t pid = fork();
    if (pid < 0)
        return -1;
    if (pid == 0) {
        dup2(in[0], STDIN_FILENO);
        close(in[0]);
        close(in[1]);
        int devnull = open("/dev/null", O_WRONLY);
        if (devnull >= 0)
            dup2(devnull, STDOUT_FILENO);
        char *argv[32];
        size_t n = 0;
        argv[n++] = strdup("smesec");
        for (size_t i = 0; args[i] != NULL && n < 31; i++)
            argv[n++] = strdup(args[i]);
        argv[n] = NULL;
        execv(smesec_bin(), argv);
        _exit(127);
    }
    close(in[0]);
    if (input != NULL) {
        size_t len = strlen(input);
        if (write(in[1], input, len) != (ssize_t)len)
            fprintf(stderr, "short write to smesec\n");
    }
    close(in[1]);
    int status = 0;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
        ;
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

/* Adds a user through the CLI, as an operator would. */
static inline int srv_user_add(struct srv *s, const char *username, const char *role,
                               const char *display, const char *password)
{
    char line[300];
    snprintf(line, sizeof(line), "%s\n", password);
    const char *with_name[] = { "user",   "add",   username, "--role", role,
                                "--name", display, "--db",   s->db,    NULL };
    const char *without[] = { "user", "add", username, "--role", role, "--db", s->db, NULL };
    return run_smesec(line, display != NULL ? with_name : without);
}

/* Reads the "listening on" line from the server's stdout, waiting up to 30 s. */
static inline int read_port(struct srv *s)
{
    char buf[512];
    size_t len = 0;
    const char *prefix = "smesec: listening on http://127.0.0.1:";
    for (int waited = 0; waited < 30000;) {
        struct pollfd p = { .fd = s->out_fd, .events = POLLIN };
        int r = poll(&p, 1, 100);
        waited += 100;
        if (r < 0 && errno != EINTR)
            return -1;
        if (r <= 0)
            continue;
        ssize_t n = read(s->out_fd, buf + len, sizeof(buf) - 1 - len);
        if (n <= 0)
            return -1; /* the server exited before listening */
        len += (size_t)n;
        buf[len] = '\0';
        char *at = strstr(buf, prefix);
        if (at != NULL && strchr(at, '\n') != NULL) {
            s->port = (unsigned)strtoul(at + strlen(prefix), NULL, 10);
            snprintf(s->base, sizeof(s->base), "http://127.0.0.1:%u", s->port);
            return s->port > 0 ? 0 : -1;
        }
        if (len == sizeof(buf) - 1)
            return -1;
    }
    return -1;
}

/* Starts a server on a fresh database of backend. extra (may be NULL) are more arguments. */
static inline int srv_start_with(struct srv *s, const char *backend, const char *const *extra)
{
    memset(s, 0, sizeof(*s));
    s->backend = backend;
    s->pid = -1;
    s->out_fd = -1;
    if (sm_test_db_create(backend, s->db, sizeof(s->db)) != 0)
        return -1;
    snprintf(s->log, sizeof(s->log), "/tmp/smesec-http-XXXXXX");
    int log_fd = mkstemp(s->log);
    if (log_fd < 0)
        return -1;
    int out[2];
    if (pipe(out) != 0) {
        close(log_fd);
        return -1;
    }
    s->pid = fork();
    if (s->pid < 0)
        return -1;
    if (s->pid == 0) {
        dup2(out[1], STDOUT_FILENO);
        dup2(log_fd, STDERR_FILENO);
        close(out[0]);
        close(out[1]);
        close(log_fd);
        char *argv[32];
        size_t n = 0;
        const char *base[] = { "smesec",   "serve",       "--db",      s->db,
                               "--listen", "127.0.0.1:0", "--threads", "2" };
        for (size_t i = 0; i < sizeof(base) / sizeof(base[0]); i++)
            argv[n++] = strdup(base[i]);
        for (size_t i = 0; extra != NULL && extra[i] != NULL && n < 31; i++)
            argv[n++] = strdup(extra[i]);
        argv[n] = NULL;
        execv(smesec_bin(), argv);
        _exit(127);
    }
    close(out[1]);
    close(log_fd);
    s->out_fd = out[0];
    if (read_port(s) != 0) {
        fprintf(stderr, "the server did not start on %s\n", backend);
        return -1;
    }
    return 0;
}

static inline int srv_start(struct srv *s, const char *backend)
{
    return srv_start_with(s, backend, NULL);
}

/* Sends SIGTERM and waits (up to 30 s) for the exit. Returns the exit status, or -1 when the
 * server died of a signal or had to be killed. Then removes the database and the log. Safe
 * to call twice. */
static inline int srv_stop(struct srv *s)
{
    int result = 0;
    if (s->pid > 0) {
        kill(s->pid, SIGTERM);
        int status = 0;
        pid_t r = 0;
        for (int waited = 0; waited < 30000; waited += 20) {
            r = waitpid(s->pid, &status, WNOHANG);
            if (r != 0)
                break;
            struct timespec ts = { 0, 20 * 1000000L };
            nanosleep(&ts, NULL);
        }
        if (r == 0) {
            kill(s->pid, SIGKILL);
            waitpid(s->pid, &status, 0);
            result = -1;
        } else {
            result = r > 0 && WIFEXITED(status) ? WEXITSTATUS(status) : -1;
        }
        s->pid = -1;
    }
    if (s->out_fd >= 0) {
        close(s->out_fd);
        s->out_fd = -1;
    }
    if (s->log[0] != '\0') {
        unlink(s->log);
        s->log[0] = '\0';
    }
    if (s->db[0] != '\0') {
        sm_test_db_drop(s->backend, s->db);
        s->db[0] = '\0';
    }
    return result;
}

/* The server's stderr so far (malloc'd, NUL-terminated), or NULL. */
static inline char *srv_log(const struct srv *s)
{
    FILE *f = fopen(s->log, "rb");
    if (f == NULL)
        return NULL;
    char *buf = malloc(1 << 20);
    size_t n = buf != NULL ? fread(buf, 1, (1 << 20) - 1, f) : 0;
    fclose(f);
    if (buf != NULL)
        buf[n] = '\0';
    return buf;
}

/* --- the client --- */

struct res {
    long status;
    char *body;
    size_t len;
    char *headers; /* raw header block, "Name: value\r\n" lines */
    size_t hlen;
};

static inline void res_free(struct res *r)
{
    free(r->body);
    free(r->headers);
    memset(r, 0, sizeof(*r));
}

static inline size_t grow(char **buf, size_t *len, const char *p, size_t n)
{
    char *b = realloc(*buf, *len + n + 1);
    if (b == NULL)
        return 0;
    memcpy(b + *len, p, n);
    *len += n;
    b[*len] = '\0';
    *buf = b;
    return n;
}

static inline size_t on_body(char *p, size_t size, size_t n, void *data)
{
    struct res *r = data;
    return grow(&r->body, &r->len, p, size * n);
}

static inline size_t on_header(char *p, size_t size, size_t n, void *data)
{
    struct res *r = data;
    return grow(&r->headers, &r->hlen, p, size * n);
}

/* One request. cookie is a Cookie header value (may be NULL); content_type and body may be
 * NULL; extra_header (may be NULL) is one more "Name: value". Redirects are not followed. */
static inline int http_full(const struct srv *s, const char *method, const char *path,
                            const char *cookie, const char *content_type, const char *body,
                            size_t body_len, const char *extra_header, struct res *out)
{
    memset(out, 0, sizeof(*out));
    CURL *c = curl_easy_init();
    if (c == NULL)
        return -1;
    char url[2048];
    snprintf(url, sizeof(url), "%s%s", s->base, path);
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_PATH_AS_IS, 1L);
    curl_easy_setopt(c, CURLOPT_TIMEOUT, 30L);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, out);
    curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(c, CURLOPT_HEADERDATA, out);
    if (strcmp(method, "HEAD") == 0)
        curl_easy_setopt(c, CURLOPT_NOBODY, 1L);
    else if (strcmp(method, "GET") != 0)
        curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
    if (body != NULL) {
        curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
        curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)body_len);
    }
    if (cookie != NULL)
        curl_easy_setopt(c, CURLOPT_COOKIE, cookie);
    struct curl_slist *h = NULL;
    char ct[256];
    if (content_type != NULL) {
        snprintf(ct, sizeof(ct), "Content-Type: %s", content_type);
        h = curl_slist_append(h, ct);
    }
    if (extra_header != NULL)
        h = curl_slist_append(h, extra_header);
    /* No "Expect: 100-continue" pause for larger bodies. */
    h = curl_slist_append(h, "Expect:");
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
    CURLcode rc = curl_easy_perform(c);
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &out->status);
    curl_slist_free_all(h);
    curl_easy_cleanup(c);
    if (out->body == NULL)
        grow(&out->body, &out->len, "", 0);
    if (out->headers == NULL)
        grow(&out->headers, &out->hlen, "", 0);
    if (rc != CURLE_OK) {
        fprintf(stderr, "%s %s: %s\n", method, path, curl_easy_strerror(rc));
        return -1;
    }
    return 0;
}

static inline int http_get(const struct srv *s, const char *path, const char *cookie,
                           struct res *out)
{
    return http_full(s, "GET", path, cookie, NULL, NULL, 0, NULL, out);
}

static inline int http_post_form(const struct srv *s, const char *path, const char *cookie,
                                 const char *form, struct res *out)
{
    return http_full(s, "POST", path, cookie, "application/x-www-form-urlencoded", form,
                     strlen(form), NULL, out);
}

/* The value of the n-th (from 0) header called name, malloc'd, or NULL. */
static inline char *header_nth(const struct res *r, const char *name, int nth)
{
    size_t nl = strlen(name);
    const char *p = r->headers;
    while (p != NULL && *p != '\0') {
        const char *eol = strstr(p, "\r\n");
        size_t len = eol != NULL ? (size_t)(eol - p) : strlen(p);
        if (len > nl && strncasecmp(p, name, nl) == 0 && p[nl] == ':') {
            if (nth-- == 0) {
                const char *v = p + nl + 1;
                while (*v == ' ')
                    v++;
                size_t vl = len - (size_t)(v - p);
                char *out = malloc(vl + 1);
                memcpy(out, v, vl);
                out[vl] = '\0';
                return out;
            }
        }
        p = eol != NULL ? eol + 2 : NULL;
    }
    return NULL;
}

static inline char *header(const struct res *r, const char *name)
{
    return header_nth(r, name, 0);
}

/* The whole Set-Cookie line for cookie name, malloc'd, or NULL. */
static inline char *set_cookie_line(const struct res *r, const char *name)
{
    size_t nl = strlen(name);
    for (int i = 0;; i++) {
        char *v = header_nth(r, "Set-Cookie", i);
        if (v == NULL)
            return NULL;
        if (strncmp(v, name, nl) == 0 && v[nl] == '=')
            return v;
        free(v);
    }
}

/* The value set for cookie name ("" when deleted), malloc'd, or NULL when not set. */
static inline char *set_cookie_value(const struct res *r, const char *name)
{
    char *line = set_cookie_line(r, name);
    if (line == NULL)
        return NULL;
    const char *v = line + strlen(name) + 1;
    size_t n = strcspn(v, ";");
    char *out = malloc(n + 1);
    memcpy(out, v, n);
    out[n] = '\0';
    free(line);
    return out;
}

/* How many times needle occurs in haystack. */
static inline int count_of(const char *haystack, const char *needle)
{
    int n = 0;
    size_t nl = strlen(needle);
    for (const char *p = strstr(haystack, needle); p != NULL; p = strstr(p + nl, needle))
        n++;
    return n;
}

/* The value="..." of the input called name in html, malloc'd, or NULL. */
static inline char *input_value(const char *html, const char *name)
{
    char pat[128];
    snprintf(pat, sizeof(pat), "name=\"%s\" value=\"", name);
    const char *p = strstr(html, pat);
    if (p == NULL)
        return NULL;
    p += strlen(pat);
    size_t n = strcspn(p, "\"");
    char *out = malloc(n + 1);
    memcpy(out, p, n);
    out[n] = '\0';
    return out;
}

#endif

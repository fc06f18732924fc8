/*
 * What the export writers share: checking a report, the facts every output states, atomic
 * file writes, CSV and Markdown escaping, and rendering an HTML page from the embedded
 * templates.
 *
 * Invariants: a path handed to a writer is either left as it was or replaced whole by the
 * complete new file (write to "path.tmp-XXXXXX" in the same folder, fsync, rename; the
 * temporary file is removed on every failure). Text written to CSV can never start a
 * spreadsheet formula, and text written to Markdown can never open markup or raw HTML.
 */
#include "internal.h"

#include "smesec/alloc.h"
#include "smesec/catalog.h"
#include "smesec/commons.h"
#include "smesec/csv.h"
#include "smesec/date.h"
#include "smesec/tmpl.h"
#include "smesec/utf8.h"

#include <errno.h>
#include <fcntl.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "util/banned.h"

/* ---- the report and its facts ------------------------------------------------------------ */

int sm__report_check(const struct sm_report *r, struct sm_diag *diag)
{
    if (!r || !r->catalog || !r->matrix || !r->judgement)
        return sm_diag_set(diag, SM_EINVAL,
                           "cannot export: the report lacks a catalog, a "
                           "matrix or a judgement");
    const struct sm_matrix *m = r->matrix;
    const struct sm_judgement *j = r->judgement;
    size_t n = sm_catalog_n_items(r->catalog);
    if (m->n_items != n || j->n_items != n)
        return sm_diag_set(diag, SM_EINVAL,
                           "cannot export: the catalog has %zu items but the matrix %zu and "
                           "the judgement %zu",
                           n, m->n_items, j->n_items);
    if (m->n_guidelines > 0 && !m->guidelines)
        return sm_diag_set(diag, SM_EINVAL, "cannot export: the matrix has no guidelines");
    if (n > 0 && m->n_guidelines > 0 && !m->cells)
        return sm_diag_set(diag, SM_EINVAL, "cannot export: the matrix has no cells");
    if (n > 0 && (!j->common || !j->reference || !j->mean || !j->written))
        return sm_diag_set(diag, SM_EINVAL, "cannot export: the judgement is incomplete");
    for (size_t i = 0; i < n; i++) {
        const struct sm_check_item *it = sm_catalog_item(r->catalog, i);
        if (!it || !it->id || !it->title_ja)
            return sm_diag_set(diag, SM_EINVAL, "cannot export: catalog item %zu is incomplete",
                               i + 1);
        if (it->stage < 1 || it->stage > SM_STAGES)
            return sm_diag_set(diag, SM_EINVAL, "cannot export: item '%s' has stage %d", it->id,
                               it->stage);
        if (j->reference[i] < 0 || j->reference[i] > SM_SCORE_CONCRETE)
            return sm_diag_set(diag, SM_EINVAL, "cannot export: item '%s' has reference score %d",
                               it->id, j->reference[i]);
        for (size_t g = 0; g < m->n_guidelines; g++) {
            int s = m->cells[i * m->n_guidelines + g].score;
            if (s < -1 || s > SM_SCORE_CONCRETE)
                return sm_diag_set(diag, SM_EINVAL,
                                   "cannot export: item '%s' of guideline %zu has score %d", it->id,
                                   g + 1, s);
        }
    }
    return SM_OK;
}

const struct sm_cell *sm__cell(const struct sm_report *r, size_t item, size_t g)
{
    return &r->matrix->cells[item * r->matrix->n_guidelines + g];
}

const char *sm__category_name(const struct sm_report *r, const char *id)
{
    const struct sm_category *c = id ? sm_catalog_find_category(r->catalog, id) : NULL;
    if (c && c->name_ja && c->name_ja[0])
        return c->name_ja;
    if (c && c->name_en && c->name_en[0])
        return c->name_en;
    return id ? id : "";
}

void sm__facts_release(struct sm__facts *f)
{
    sm_free(f->criterion_ja);
    sm_free(f->criterion_en);
    sm_free(f->criterion_spec);
    memset(f, 0, sizeof *f);
    f->catalog_title = "";
    f->catalog_title_en = "";
    f->catalog_version = "";
}

/* Describes the criterion into *out (owned by the caller). */
static int describe(const struct sm_report *r, enum sm_lang lang, char **out)
{
    struct sm_buf b;
    sm_buf_init(&b, 4096);
    int rc = sm_criterion_describe(&r->judgement->criterion, r->matrix->n_guidelines, lang, &b);
    if (rc == SM_OK) {
        *out = sm_buf_take(&b, NULL);
        rc = *out ? SM_OK : SM_ENOMEM;
    }
    sm_buf_release(&b);
    return rc;
}

int sm__facts_init(struct sm__facts *f, const struct sm_report *r, struct sm_diag *diag)
{
    memset(f, 0, sizeof *f);
    f->catalog_title = "";
    f->catalog_title_en = "";
    f->catalog_version = "";
    int rc = describe(r, SM_LANG_JA, &f->criterion_ja);
    if (rc == SM_OK)
        rc = describe(r, SM_LANG_EN, &f->criterion_en);
    if (rc == SM_OK) {
        struct sm_buf b;
        sm_buf_init(&b, 256);
        rc = sm_criterion_format(&r->judgement->criterion, &b);
        if (rc == SM_OK) {
            f->criterion_spec = sm_buf_take(&b, NULL);
            rc = f->criterion_spec ? SM_OK : SM_ENOMEM;
        }
        sm_buf_release(&b);
    }
    if (rc != SM_OK) {
        sm__facts_release(f);
        return sm_diag_set(diag, rc, "cannot describe the common-item criterion: %s",
                           sm_strerror(rc));
    }
    const char *title = sm_catalog_title(r->catalog);
    const char *version = sm_catalog_version(r->catalog);
    const char *title_en = sm_catalog_title_en(r->catalog);
    f->catalog_title = title ? title : "";
    f->catalog_title_en = title_en && title_en[0] ? title_en : f->catalog_title;
    f->catalog_version = version ? version : "";

    if (r->generated_at) {
        if (!sm_date_valid(r->generated_at)) {
            sm__facts_release(f);
            return sm_diag_set(diag, SM_EINVAL,
                               "cannot export: generated date '%.40s' is not a date "
                               "YYYY-MM-DD",
                               r->generated_at);
        }
        memcpy(f->generated, r->generated_at, 11);
    } else {
        sm_date_today(f->generated); /* the date in Japan, where the scheme runs */
    }

    sm_matrix_review_counts(r->matrix, &f->reviewed, &f->total);
    snprintf(f->reviewed_ja, sizeof f->reviewed_ja, "レビュー済み: %zu / %zu セル", f->reviewed,
             f->total);
    snprintf(f->reviewed_en, sizeof f->reviewed_en, "%zu of %zu cells reviewed", f->reviewed,
             f->total);
    return SM_OK;
}

int sm__fail(struct sm_diag *diag, int code, const char *what, const char *path)
{
    if (code != SM_OK && diag && diag->msg[0] == '\0')
        sm_diag_set(diag, code, "cannot write %s '%s': %s", what, path, sm_strerror(code));
    return code;
}

/* ---- atomic files ------------------------------------------------------------------------ */

static int io_error(struct sm_diag *diag, const char *what, const char *path, int err)
{
    char msg[128];
    if (strerror_r(err, msg, sizeof msg) != 0)
        snprintf(msg, sizeof msg, "error %d", err);
    sm_diag_set(diag, SM_EIO, "cannot %s '%s': %s", what, path, msg);
    return SM_EIO;
}

/* A 64-bit mix (splitmix64's finaliser) to spread the temporary names. */
static uint64_t mix(uint64_t x)
{
    x ^= x >> 30;
    x *= 0xbf58476d1ce4e5b9u;
    x ^= x >> 27;
    x *= 0x94d049bb133111ebu;
    return x ^ (x >> 31);
}

/* Creates "path.tmp-XXXXXX" with O_EXCL; *tmp and *fd_out on success. The suffix need not be
 * unpredictable: O_EXCL makes a name someone else holds fail, and we try another. */
static int tmp_open(const char *path, char **tmp, int *fd_out, struct sm_diag *diag)
{
    static const char digits[] = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
    static atomic_uint_fast64_t counter;
    size_t plen = strlen(path);
    char *name = sm_malloc(plen + sizeof ".tmp-XXXXXX");
    if (!name) {
        sm_diag_set(diag, SM_ENOMEM, "cannot write '%s': out of memory", path);
        return SM_ENOMEM;
    }
    memcpy(name, path, plen);
    memcpy(name + plen, ".tmp-", 5);
    for (int attempt = 0; attempt < 100; attempt++) {
        struct timespec ts;
        timespec_get(&ts, TIME_UTC);
        uint64_t x = mix(((uint64_t)getpid() << 32) ^ (uint64_t)ts.tv_nsec ^
                         ((uint64_t)ts.tv_sec << 20) ^ atomic_fetch_add(&counter, 1) * 0x9e37u);
        for (size_t k = 0; k < 6; k++) {
            name[plen + 5 + k] = digits[x % 62];
            x /= 62;
        }
        name[plen + 11] = '\0';
        int fd = open(name, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
        if (fd >= 0) {
            *tmp = name;
            *fd_out = fd;
            return SM_OK;
        }
        if (errno != EEXIST && errno != EINTR) {
            int rc = io_error(diag, "create", name, errno);
            sm_free(name);
            return rc;
        }
    }
    sm_diag_set(diag, SM_EIO, "cannot create a temporary file beside '%s'", path);
    sm_free(name);
    return SM_EIO;
}

static int write_all(int fd, const char *p, size_t n)
{
    while (n > 0) {
        ssize_t w = write(fd, p, n);
        if (w < 0) {
            if (errno == EINTR)
                continue;
            return -1;
        }
        p += w;
        n -= (size_t)w;
    }
    return 0;
}

/* Flushes the named file to disk. */
static int sync_file(const char *name, struct sm_diag *diag)
{
    int fd = open(name, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return io_error(diag, "open", name, errno);
    if (fsync(fd) != 0) {
        int err = errno;
        close(fd);
        return io_error(diag, "flush", name, err);
    }
    close(fd);
    return SM_OK;
}

int sm__write_file(const char *path, const void *data, size_t n, struct sm_diag *diag)
{
    char *tmp = NULL;
    int fd = -1;
    int rc = tmp_open(path, &tmp, &fd, diag);
    if (rc)
        return rc;
    if (write_all(fd, data, n) != 0 || fsync(fd) != 0) {
        rc = io_error(diag, "write", tmp, errno);
        close(fd);
        goto fail;
    }
    if (close(fd) != 0) {
        rc = io_error(diag, "write", tmp, errno);
        goto fail;
    }
    if (rename(tmp, path) != 0) {
        rc = io_error(diag, "rename into", path, errno);
        goto fail;
    }
    sm_free(tmp);
    return SM_OK;
fail:
    unlink(tmp);
    sm_free(tmp);
    return rc;
}

int sm__tmp_create(const char *path, char **tmp, struct sm_diag *diag)
{
    int fd = -1;
    int rc = tmp_open(path, tmp, &fd, diag);
    if (rc)
        return rc;
    if (close(fd) != 0) {
        rc = io_error(diag, "create", *tmp, errno);
        unlink(*tmp);
        sm_free(*tmp);
        *tmp = NULL;
    }
    return rc;
}

int sm__tmp_commit(char *tmp, const char *path, struct sm_diag *diag)
{
    int rc = sync_file(tmp, diag);
    if (rc == SM_OK && rename(tmp, path) != 0)
        rc = io_error(diag, "rename into", path, errno);
    if (rc)
        unlink(tmp);
    sm_free(tmp);
    return rc;
}

void sm__tmp_discard(char *tmp)
{
    if (tmp)
        unlink(tmp);
    sm_free(tmp);
}

/* ---- CSV and Markdown -------------------------------------------------------------------- */

int sm__csv_text(struct sm_buf *b, bool first, const char *s)
{
    return sm_csv_put_field(b, s, s ? strlen(s) : 0, first, SM_CSV_NEUTRALISE);
}

int sm__csv_int(struct sm_buf *b, bool first, long long v)
{
    return sm_buf_printf(b, "%s%lld", first ? "" : ",", v);
}

int sm__csv_real(struct sm_buf *b, bool first, double v, int decimals)
{
    return sm_buf_printf(b, "%s%.*f", first ? "" : ",", decimals, v);
}

int sm__csv_eol(struct sm_buf *b)
{
    return sm_buf_append(b, "\r\n", 2);
}

int sm__md_text(struct sm_buf *b, const char *s)
{
    if (!s)
        return SM_OK;
    size_t start = b->len;
    int rc = SM_OK;
    for (const char *p = s; rc == SM_OK && *p; p++) {
        switch (*p) {
        case '\\':
        case '`':
        case '*':
        case '_':
        case '[':
        case ']':
        case '<':
        case '>':
        case '|':
        case '#':
        case '!':
        case '&':
            rc = sm_buf_putc(b, '\\');
            if (rc == SM_OK)
                rc = sm_buf_putc(b, *p);
            break;
        case '\r':
        case '\n':
            rc = sm_buf_putc(b, ' ');
            break;
        default:
            rc = sm_buf_putc(b, *p);
            break;
        }
    }
    if (rc) {
        b->len = start;
        if (b->data)
            b->data[start] = '\0';
    }
    return rc;
}

/* ---- JSON and HTML ----------------------------------------------------------------------- */

int sm__jset(json_t *obj, const char *key, json_t *v)
{
    if (!v)
        return SM_ENOMEM;
    return json_object_set_new(obj, key, v) == 0 ? SM_OK : SM_ENOMEM;
}

int sm__jset_str(json_t *obj, const char *key, const char *s)
{
    if (!s)
        s = "";
    size_t n = strlen(s);
    if (!sm_utf8_valid(s, n, NULL))
        return SM_EINVAL;
    return sm__jset(obj, key, json_stringn(s, n));
}

int sm__jset_int(json_t *obj, const char *key, long long v)
{
    return sm__jset(obj, key, json_integer((json_int_t)v));
}

int sm__jset_bool(json_t *obj, const char *key, bool v)
{
    return sm__jset(obj, key, json_boolean(v));
}

int sm__jpush(json_t *arr, json_t *v)
{
    if (!v)
        return SM_ENOMEM;
    return json_array_append_new(arr, v) == 0 ? SM_OK : SM_ENOMEM;
}

int sm__facts_json(const struct sm__facts *f, json_t *ctx)
{
    json_t *doc = json_object();
    if (!doc)
        return SM_ENOMEM;
    int rc = sm__jset_str(doc, "criterion_ja", f->criterion_ja);
    if (rc == SM_OK)
        rc = sm__jset_str(doc, "criterion_en", f->criterion_en);
    if (rc == SM_OK)
        rc = sm__jset_str(doc, "criterion_spec", f->criterion_spec);
    if (rc == SM_OK)
        rc = sm__jset_str(doc, "catalog_title", f->catalog_title);
    if (rc == SM_OK)
        rc = sm__jset_str(doc, "catalog_title_en", f->catalog_title_en);
    if (rc == SM_OK)
        rc = sm__jset_str(doc, "catalog_version", f->catalog_version);
    if (rc == SM_OK)
        rc = sm__jset_str(doc, "generated", f->generated);
    if (rc == SM_OK)
        rc = sm__jset_int(doc, "reviewed", (long long)f->reviewed);
    if (rc == SM_OK)
        rc = sm__jset_int(doc, "total", (long long)f->total);
    if (rc == SM_OK)
        rc = sm__jset_str(doc, "reviewed_ja", f->reviewed_ja);
    if (rc == SM_OK)
        rc = sm__jset_str(doc, "reviewed_en", f->reviewed_en);
    if (rc) {
        json_decref(doc);
        return rc;
    }
    return sm__jset(ctx, "doc", doc);
}

int sm__html_write(const char *name, const json_t *ctx, const char *path, struct sm_diag *diag)
{
    struct sm_tmpl_set *set = NULL;
    struct sm_buf out;
    sm_buf_init(&out, SM__EXPORT_MAX);
    int rc = sm_tmpl_set_new(sm_export_templates, &set, diag);
    if (rc == SM_OK)
        rc = sm_tmpl_render(set, name, ctx, NULL, SM_LANG_JA, &out, diag);
    if (rc == SM_OK)
        rc = sm__write_file(path, out.data ? out.data : "", out.len, diag);
    sm_tmpl_set_free(set);
    sm_buf_release(&out);
    return rc;
}

/*
 * sm_export_all: every output of the guideline commons into one folder, under fixed names:
 *
 *   workbook.xlsx                 the matrix workbook
 *   checksheet.xlsx, .html        the check sheet of the common items
 *   examples.html                 the example descriptions by stage
 *   discussion-items.csv          per-item figures
 *   discussion-coverage.csv       coverage per category and per industry
 *   discussion.md                 the generated summary
 *   oscal-catalog.json            the catalog in OSCAL
 *   feedback-<id>.html            per guideline, by its database id
 *   oscal-results-<id>.json       per guideline
 *
 * Each file is written atomically on its own; the first failure stops the run and names the
 * file, leaving the files already written (each complete) in place.
 */
#include "internal.h"

#include "smesec/alloc.h"
#include "smesec/buf.h"
#include "smesec/commons.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "util/banned.h"

static int ensure_dir(const char *dir, struct sm_diag *diag)
{
    if (mkdir(dir, 0777) == 0)
        return SM_OK;
    int err = errno;
    struct stat st;
    if (err == EEXIST && stat(dir, &st) == 0 && S_ISDIR(st.st_mode))
        return SM_OK;
    char msg[128];
    if (strerror_r(err == EEXIST ? ENOTDIR : err, msg, sizeof msg) != 0)
        snprintf(msg, sizeof msg, "error %d", err);
    return sm_diag_set(diag, SM_EIO, "cannot create folder '%s': %s", dir, msg);
}

/* dir + "/" + name (printf-formatted) into b. */
static int join(struct sm_buf *b, const char *dir, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int join(struct sm_buf *b, const char *dir, const char *fmt, ...)
{
    sm_buf_reset(b);
    size_t n = strlen(dir);
    int rc = sm_buf_append(b, dir, n);
    if (rc == SM_OK && (n == 0 || dir[n - 1] != '/'))
        rc = sm_buf_putc(b, '/');
    if (rc == SM_OK) {
        va_list ap;
        va_start(ap, fmt);
        rc = sm_buf_vprintf(b, fmt, ap);
        va_end(ap);
    }
    return rc;
}

int sm_export_all(const struct sm_report *r, const char *dir, struct sm_diag *diag)
{
    sm_diag_clear(diag);
    if (!dir || !dir[0])
        return sm_diag_set(diag, SM_EINVAL, "cannot export: no folder given");
    int rc = sm__report_check(r, diag);
    if (rc == SM_OK)
        rc = ensure_dir(dir, diag);
    if (rc)
        return rc;
    struct sm_buf a, b;
    sm_buf_init(&a, 8192);
    sm_buf_init(&b, 8192);

    rc = join(&a, dir, "workbook.xlsx");
    if (rc == SM_OK)
        rc = sm_export_workbook(r, a.data, diag);
    if (rc == SM_OK)
        rc = join(&a, dir, "checksheet.xlsx");
    if (rc == SM_OK)
        rc = sm_export_checksheet_xlsx(r, a.data, diag);
    if (rc == SM_OK)
        rc = join(&a, dir, "checksheet.html");
    if (rc == SM_OK)
        rc = sm_export_checksheet_html(r, a.data, diag);
    if (rc == SM_OK)
        rc = join(&a, dir, "examples.html");
    if (rc == SM_OK)
        rc = sm_export_examples_html(r, a.data, diag);
    if (rc == SM_OK)
        rc = join(&a, dir, "discussion-items.csv");
    if (rc == SM_OK)
        rc = join(&b, dir, "discussion-coverage.csv");
    if (rc == SM_OK)
        rc = sm_export_discussion_csv(r, a.data, b.data, diag);
    if (rc == SM_OK)
        rc = join(&a, dir, "discussion.md");
    if (rc == SM_OK)
        rc = sm_export_discussion_md(r, a.data, diag);
    if (rc == SM_OK)
        rc = join(&a, dir, "oscal-catalog.json");
    if (rc == SM_OK)
        rc = sm_export_oscal_catalog(r, a.data, diag);
    for (size_t g = 0; g < r->matrix->n_guidelines && rc == SM_OK; g++) {
        long long id = (long long)r->matrix->guidelines[g].id;
        rc = join(&a, dir, "feedback-%lld.html", id);
        if (rc == SM_OK)
            rc = sm_export_feedback_html(r, g, a.data, diag);
        if (rc == SM_OK)
            rc = join(&a, dir, "oscal-results-%lld.json", id);
        if (rc == SM_OK)
            rc = sm_export_oscal_results(r, g, a.data, diag);
    }
    if (rc && diag && diag->msg[0] == '\0')
        sm_diag_set(diag, rc, "cannot export into '%s': %s", dir, sm_strerror(rc));
    sm_buf_release(&a);
    sm_buf_release(&b);
    return rc;
}

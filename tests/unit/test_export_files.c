/*
 * Unit tests of how the exports reach the disk: sm_export_all writes exactly the documented
 * set of files into a folder it creates; every write is atomic, so a folder that is missing
 * or not writable, or a target that cannot be replaced, leaves no file and no temporary
 * file behind and the old file as it was; and a report that does not hold together is
 * refused before anything is written.
 */
#include "export_fixture.h"

#include "smesec/commons.h"
#include "smesec/err.h"
#include "smesec/export.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "util/banned.h"

struct ctx {
    struct sm_fix fix;
    char dir[512];
    char path[700];
};

static int setup(void **state)
{
    struct ctx *c = calloc(1, sizeof *c);
    if (!c || sm_fix_init(&c->fix) != 0 || !sm_fix_tmpdir(c->dir, sizeof c->dir))
        return -1;
    *state = c;
    return 0;
}

static int teardown(void **state)
{
    struct ctx *c = *state;
    chmod(c->dir, 0700);
    sm_fix_rmdir(c->dir);
    sm_fix_release(&c->fix);
    free(c);
    return 0;
}

static bool exists(const char *dir, const char *name)
{
    char p[1024];
    snprintf(p, sizeof p, "%s/%s", dir, name);
    return access(p, F_OK) == 0;
}

/* The fixture's hand-written judgement is what sm_judge makes of its matrix. */
static void fixture_agrees_with_sm_judge(void **state)
{
    struct ctx *c = *state;
    struct sm_judgement *j = NULL;
    assert_int_equal(sm_judge(&c->fix.matrix, &c->fix.judgement.criterion, &j), SM_OK);
    assert_int_equal(j->n_common, c->fix.judgement.n_common);
    for (size_t i = 0; i < SM_FIX_ITEMS; i++) {
        assert_int_equal(j->common[i], c->fix.common[i]);
        assert_int_equal(j->reference[i], c->fix.reference[i]);
        assert_int_equal(j->written[i], c->fix.written[i]);
        assert_true(j->mean[i] > c->fix.mean[i] - 1e-9 && j->mean[i] < c->fix.mean[i] + 1e-9);
    }
    size_t reviewed = 0, total = 0;
    sm_matrix_review_counts(&c->fix.matrix, &reviewed, &total);
    assert_int_equal(reviewed, SM_FIX_REVIEWED);
    assert_int_equal(total, SM_FIX_ANALYSED);
    sm_judgement_free(j);
}

static void export_all_writes_every_file(void **state)
{
    struct ctx *c = *state;
    char out[600];
    snprintf(out, sizeof out, "%s/out", c->dir); /* created by sm_export_all */
    struct sm_diag diag;
    if (sm_export_all(&c->fix.report, out, &diag) != SM_OK)
        fail_msg("sm_export_all: %s", diag.msg);
    static const char *const names[] = {
        "workbook.xlsx",         "checksheet.xlsx",       "checksheet.html",
        "examples.html",         "discussion-items.csv",  "discussion-coverage.csv",
        "discussion.md",         "oscal-catalog.json",    "feedback-11.html",
        "feedback-12.html",      "feedback-13.html",      "feedback-14.html",
        "oscal-results-11.json", "oscal-results-12.json", "oscal-results-13.json",
        "oscal-results-14.json",
    };
    for (size_t k = 0; k < sizeof names / sizeof names[0]; k++)
        if (!exists(out, names[k]))
            fail_msg("no '%s'", names[k]);
    /* Nothing else: no temporary file is left. */
    assert_int_equal(sm_fix_dir_entries(out), sizeof names / sizeof names[0]);
    /* Again into the same folder: files are replaced, still nothing else. */
    assert_int_equal(sm_export_all(&c->fix.report, out, &diag), SM_OK);
    assert_int_equal(sm_fix_dir_entries(out), sizeof names / sizeof names[0]);

    /* A folder name that is a file is refused with its name. */
    snprintf(c->path, sizeof c->path, "%s/workbook.xlsx", out);
    assert_int_equal(sm_export_all(&c->fix.report, c->path, &diag), SM_EIO);
    assert_non_null(strstr(diag.msg, "workbook.xlsx"));
}

static void a_missing_folder_leaves_nothing(void **state)
{
    struct ctx *c = *state;
    snprintf(c->path, sizeof c->path, "%s/missing/checksheet.html", c->dir);
    struct sm_diag diag;
    assert_int_equal(sm_export_checksheet_html(&c->fix.report, c->path, &diag), SM_EIO);
    assert_non_null(strstr(diag.msg, "missing/checksheet.html.tmp-"));
    snprintf(c->path, sizeof c->path, "%s/missing/workbook.xlsx", c->dir);
    assert_int_equal(sm_export_workbook(&c->fix.report, c->path, &diag), SM_EIO);
    assert_int_equal(sm_fix_dir_entries(c->dir), 0);
}

static void a_target_that_cannot_be_replaced_leaves_no_temporary(void **state)
{
    struct ctx *c = *state;
    /* rename() cannot put a file over a folder: the write fails after the temporary file
     * was complete, and that file must be gone. */
    snprintf(c->path, sizeof c->path, "%s/examples.html", c->dir);
    assert_int_equal(mkdir(c->path, 0700), 0);
    struct sm_diag diag;
    assert_int_equal(sm_export_examples_html(&c->fix.report, c->path, &diag), SM_EIO);
    assert_int_equal(sm_fix_dir_entries(c->dir), 1);
    snprintf(c->path, sizeof c->path, "%s/workbook.xlsx", c->dir);
    assert_int_equal(mkdir(c->path, 0700), 0);
    assert_int_equal(sm_export_workbook(&c->fix.report, c->path, &diag), SM_EIO);
    snprintf(c->path, sizeof c->path, "%s/discussion.md", c->dir);
    assert_int_equal(mkdir(c->path, 0700), 0);
    assert_int_equal(sm_export_discussion_md(&c->fix.report, c->path, &diag), SM_EIO);
    assert_int_equal(sm_fix_dir_entries(c->dir), 3);
}

static void a_read_only_folder_keeps_the_old_file(void **state)
{
    struct ctx *c = *state;
    if (geteuid() == 0)
        skip(); /* root writes anywhere; the missing-folder test covers the same path */
    snprintf(c->path, sizeof c->path, "%s/checksheet.html", c->dir);
    FILE *fp = fopen(c->path, "wb");
    assert_non_null(fp);
    fputs("old", fp);
    fclose(fp);
    assert_int_equal(chmod(c->dir, 0500), 0);
    struct sm_diag diag;
    assert_int_equal(sm_export_checksheet_html(&c->fix.report, c->path, &diag), SM_EIO);
    assert_int_equal(sm_export_checksheet_xlsx(&c->fix.report, c->path, &diag), SM_EIO);
    assert_int_equal(chmod(c->dir, 0700), 0);
    char *old = sm_fix_read(c->path, NULL);
    assert_string_equal(old, "old");
    free(old);
    assert_int_equal(sm_fix_dir_entries(c->dir), 1);
}

static void an_inconsistent_report_writes_nothing(void **state)
{
    struct ctx *c = *state;
    snprintf(c->path, sizeof c->path, "%s/x", c->dir);
    struct sm_diag diag;
    assert_int_equal(sm_export_all(NULL, c->dir, &diag), SM_EINVAL);
    struct sm_report r = c->fix.report;
    r.matrix = NULL;
    assert_int_equal(sm_export_workbook(&r, c->path, &diag), SM_EINVAL);
    c->fix.judgement.n_items = 2;
    assert_int_equal(sm_export_all(&c->fix.report, c->dir, &diag), SM_EINVAL);
    assert_non_null(strstr(diag.msg, "6 items"));
    c->fix.judgement.n_items = SM_FIX_ITEMS;
    c->fix.reference[0] = 7;
    assert_int_equal(sm_export_oscal_catalog(&c->fix.report, c->path, &diag), SM_EINVAL);
    assert_int_equal(sm_fix_dir_entries(c->dir), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(fixture_agrees_with_sm_judge, setup, teardown),
        cmocka_unit_test_setup_teardown(export_all_writes_every_file, setup, teardown),
        cmocka_unit_test_setup_teardown(a_missing_folder_leaves_nothing, setup, teardown),
        cmocka_unit_test_setup_teardown(a_target_that_cannot_be_replaced_leaves_no_temporary, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(a_read_only_folder_keeps_the_old_file, setup, teardown),
        cmocka_unit_test_setup_teardown(an_inconsistent_report_writes_nothing, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

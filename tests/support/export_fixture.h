/*
 * A hand-made report for the export tests: a six-item catalog parsed from inline YAML, four
 * guidelines, a matrix with evidence, overrides and reviews, and the judgement under the
 * default criterion filled in by hand, so the tests know every expected figure.
 *
 * The strings are hostile on purpose: an item title and a guideline title carry <script>,
 * an item title starts with '=' and holds a comma and quotes, an industry starts with '='
 * and holds a comma, quotes and a line break, another industry is longer than a sheet name
 * may be, and two guidelines share an industry (so their sheet names clash).
 *
 * Items (catalog order)  scores by guideline (ids 11, 12, 13, 14)   common  reference
 *   TEC-01                2  2  1  2                                 yes     2
 *   TEC-02 (<script>)     1  2* 0  1      (* manual override)        yes     1
 *   PEO-01 (=HYPERLINK)   2  1  -  0      (- not analysed)           yes     1
 *   PEO-02                0  1  0  0                                 no      0
 *   GOV-01                1  0  1  0                                 yes     1
 *   GOV-02                0  0  0  0                                 no      0
 *
 * 23 cells are analysed; 5 are reviewed (3 accepted, 1 rejected, 1 manual).
 */
#ifndef SM_TEST_EXPORT_FIXTURE_H
#define SM_TEST_EXPORT_FIXTURE_H

#include "smesec/catalog.h"
#include "smesec/commons.h"
#include "smesec/export.h"

#include <stdbool.h>
#include <stddef.h>

#define SM_FIX_ITEMS      6
#define SM_FIX_GUIDELINES 4
#define SM_FIX_COMMON     4
#define SM_FIX_ANALYSED   23
#define SM_FIX_REVIEWED   5

/* Strings the tests look for. */
#define SM_FIX_EVIL_ITEM        "<script>alert(\"item\")</script>ウイルス対策ソフトの導入"
#define SM_FIX_FORMULA_ITEM     "=HYPERLINK(\"http://x.example\",\"y\") 従業員教育"
#define SM_FIX_EVIL_TITLE       "医療<script>alert(1)</script>ガイドライン"
#define SM_FIX_FORMULA_INDUSTRY "=物流,倉庫 \"東\"\n西"
#define SM_FIX_LONG_INDUSTRY    "医療情報システムの安全管理に関するガイドライン対象の医療機関等・薬局"
/* Its first 31 characters: the sheet name it must get. */
#define SM_FIX_LONG_SHEET "医療情報システムの安全管理に関するガイドライン対象の医療機関等"

struct sm_fix {
    struct sm_catalog *catalog;
    struct sm_matrix_guideline guidelines[SM_FIX_GUIDELINES];
    struct sm_cell cells[SM_FIX_ITEMS * SM_FIX_GUIDELINES];
    struct sm_evidence evidence[4];
    struct sm_matrix matrix;
    bool common[SM_FIX_ITEMS];
    int reference[SM_FIX_ITEMS];
    double mean[SM_FIX_ITEMS];
    size_t written[SM_FIX_ITEMS];
    struct sm_judgement judgement;
    struct sm_report report;
};

/* Builds the fixture into *f. Returns 0, or -1 with the reason on stderr. */
int sm_fix_init(struct sm_fix *f);
void sm_fix_release(struct sm_fix *f);

/* A new empty folder under $TMPDIR or /tmp (mkdtemp) into buf; returns buf, or NULL. */
char *sm_fix_tmpdir(char *buf, size_t size);
/* Removes dir and the files in it (one level). */
void sm_fix_rmdir(const char *dir);

/* Reads a whole file (owned by the caller, free with free()); NULL when it cannot. */
char *sm_fix_read(const char *path, size_t *len);
/* Counts the non-overlapping occurrences of needle in hay. */
size_t sm_fix_count(const char *hay, const char *needle);
/* Counts the entries of dir other than . and .. */
size_t sm_fix_dir_entries(const char *dir);

/* Runs argv[0] (looked up in PATH) with argv and waits: its exit status, 127 when it cannot
 * be started, or -1 when it died of a signal. stdout and stderr are the test's. */
int sm_fix_run(const char *const argv[]);

/* True when program is an executable file in a folder of PATH. */
bool sm_fix_have(const char *program);

#endif

/*
 * The outputs of the guideline commons, built from a matrix and its judgement. Each writes
 * one file; nothing is left half-written: a file is written under a temporary name and
 * renamed into place only when complete.
 *
 * Every output states the criterion used, the catalog version, and how many of its cells are
 * reviewed.
 */
#ifndef SMESEC_EXPORT_H
#define SMESEC_EXPORT_H

#include "smesec/catalog.h"
#include "smesec/commons.h"
#include "smesec/err.h"

#include <stddef.h>

/* What every output is built from; all borrowed. */
struct sm_report {
    const struct sm_catalog *catalog;
    const struct sm_matrix *matrix;
    const struct sm_judgement *judgement;
    const char *generated_at; /* "YYYY-MM-DD", printed on every output */
};

/* The XLSX workbook: a matrix sheet (items × guidelines; common items and their reference
 * score in orange; cells below the reference marked for review), one sheet per guideline
 * (its scores against the reference, with evidence and page numbers), a print-ready summary
 * of the scores alone (one row per guideline, A4 landscape), and a sheet with the criterion,
 * the catalog version and the review counts. */
int sm_export_workbook(const struct sm_report *r, const char *path, struct sm_diag *diag);

/* The check sheet (チェックシート) of the common items: XLSX, and print-ready HTML (A4; a
 * checkbox per item, its stage and a short how-to). */
int sm_export_checksheet_xlsx(const struct sm_report *r, const char *path, struct sm_diag *diag);
int sm_export_checksheet_html(const struct sm_report *r, const char *path, struct sm_diag *diag);

/* The example descriptions by stage (段階別の記載例) of the common items, print-ready HTML. */
int sm_export_examples_html(const struct sm_report *r, const char *path, struct sm_diag *diag);

/* The discussion data (考察): a CSV of per-item figures (written by how many, mean, common),
 * a CSV of coverage per category and per industry, and a short Markdown summary (what is
 * common to most, what is rarely written, coverage by category and industry). */
int sm_export_discussion_csv(const struct sm_report *r, const char *items_path,
                             const char *coverage_path, struct sm_diag *diag);
int sm_export_discussion_md(const struct sm_report *r, const char *path, struct sm_diag *diag);

/* The feedback report for the industry that wrote guideline g (index into the matrix): its
 * gaps against the common items with the example descriptions that would close them,
 * print-ready HTML. */
int sm_export_feedback_html(const struct sm_report *r, size_t g, const char *path,
                            struct sm_diag *diag);

/* OSCAL 1.2.1 JSON: the catalog, and the assessment results of guideline g (one finding per
 * item, with the evidence as observations). Valid against NIST's published schemas. */
int sm_export_oscal_catalog(const struct sm_report *r, const char *path, struct sm_diag *diag);
int sm_export_oscal_results(const struct sm_report *r, size_t g, const char *path,
                            struct sm_diag *diag);

/* Writes every output above into the folder dir (created if missing), with per-guideline
 * files named by guideline id. */
int sm_export_all(const struct sm_report *r, const char *dir, struct sm_diag *diag);

#endif

/*
 * The statement layer every library module writes its queries through (internal to
 * libsmesec; the CLI and server never see SQL).
 *
 * SQL is written once, in the dialect both SQLite and PostgreSQL accept, with '?' for each
 * parameter (the PostgreSQL backend numbers them $1, $2, ...). Parameters are always bound,
 * never pasted into the text. Columns and parameters count from 1 and 0 respectively, as in
 * SQLite: bind index 1 is the first '?', column 0 is the first result column.
 *
 * Portable habits: integers are BIGINT, booleans INTEGER 0/1, times BIGINT Unix seconds,
 * "INSERT ... RETURNING id" for new ids, "ON CONFLICT ... DO ..." for upserts.
 */
#ifndef SM_STORE_SQL_H
#define SM_STORE_SQL_H

#include "smesec/err.h"
#include "smesec/store.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SM_SQL_ROW  1 /* sm_sql_step: a row is ready */
#define SM_SQL_DONE 0 /* sm_sql_step: no more rows */

struct sm_sql;

/* Prepares sql on store. *out is owned by the caller (sm_sql_free). SM_EDB with the
 * database's message in diag when the statement is invalid. */
int sm_sql_prepare(struct sm_store *store, const char *sql, struct sm_sql **out,
                   struct sm_diag *diag);

/* Binds parameter idx (1-based). Text is copied; n may be (size_t)-1 for strlen. A NULL s
 * binds SQL NULL. SM_EINVAL for an index out of range or text containing a NUL byte. */
int sm_sql_bind_text(struct sm_sql *st, int idx, const char *s, size_t n);
int sm_sql_bind_int64(struct sm_sql *st, int idx, int64_t v);
int sm_sql_bind_null(struct sm_sql *st, int idx);

/* Binds parameters 1..strlen(types) in order: 't' a const char * (NULL binds NULL), 'i' an
 * int64_t (cast narrower integers: variadic arguments are not converted). SM_EINVAL when
 * types names more parameters than the statement has. */
int sm_sql_bindv(struct sm_sql *st, const char *types, ...);

/* Runs the statement (on the first call) and moves to the next row: SM_SQL_ROW, SM_SQL_DONE,
 * SM_EEXIST for a unique or foreign-key violation, or SM_EDB with the message in diag. After
 * SM_SQL_DONE it keeps answering SM_SQL_DONE until sm_sql_reset. A failed statement inside a
 * transaction spoils it on PostgreSQL: the caller must roll back, never commit. */
int sm_sql_step(struct sm_sql *st, struct sm_diag *diag);

/* Column values of the current row. Text is borrowed until the next step or free; NULL for
 * SQL NULL. int64 of NULL is 0. */
int sm_sql_column_count(const struct sm_sql *st);
const char *sm_sql_text(const struct sm_sql *st, int col);
int64_t sm_sql_int64(const struct sm_sql *st, int col);
bool sm_sql_is_null(const struct sm_sql *st, int col);

/* Number of rows changed by the last INSERT/UPDATE/DELETE once stepped to SM_SQL_DONE. */
int64_t sm_sql_changes(const struct sm_sql *st);

/* Clears bindings and results so the statement can run again with new parameters. */
int sm_sql_reset(struct sm_sql *st);

void sm_sql_free(struct sm_sql *st);

/* Runs sql (one or more statements, no parameters) to completion. */
int sm_sql_exec(struct sm_store *store, const char *sql, struct sm_diag *diag);

/* Prepares sql, binds as sm_sql_bindv, and steps it to the end (any rows are discarded).
 * types must name every parameter (SM_EINVAL otherwise). *changes (may be NULL) gets the
 * rows changed. */
int sm_sql_run(struct sm_store *store, int64_t *changes, struct sm_diag *diag, const char *sql,
               const char *types, ...);

/* Like sm_sql_run for a statement that returns one row with an integer in its first column
 * ("INSERT ... RETURNING id", "SELECT COUNT(*) ..."): *out gets it. SM_ENOTFOUND when it
 * returns no row. The statement is finished before returning, so a COMMIT may follow. */
int sm_sql_run_int64(struct sm_store *store, int64_t *out, struct sm_diag *diag, const char *sql,
                     const char *types, ...);

/* Runs a statement with no parameters that returns one integer (e.g. SELECT COUNT(*)). */
int sm_sql_scalar_int64(struct sm_store *store, const char *sql, int64_t *out,
                        struct sm_diag *diag);

#endif

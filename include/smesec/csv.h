/*
 * CSV (RFC 4180) for bulk import and export: a strict reader with bounded sizes and a writer
 * that guards against spreadsheet formula injection.
 *
 * The reader takes the whole input as (pointer, length), which need not end with a NUL. It
 * accepts: an optional UTF-8 byte-order mark at the start; fields separated by ',' and
 * records ended by CRLF or a lone LF (the last record may end without one); quoted fields in
 * which '""' stands for '"' and which may hold commas and line breaks. It refuses, with the
 * record number and byte offset in the diagnostics: a '"' inside an unquoted field, anything
 * but ',' or an end of line after a closing quote, an unterminated quote, a lone CR, a NUL
 * byte, invalid UTF-8, a record whose field count differs from the first record's, and any
 * input past the limits. Fields are handed out NUL-terminated.
 *
 * The writer quotes a field only when it holds ',', '"', CR or LF, or starts with a
 * byte-order mark (which a reader would drop at the start of a file). With SM_CSV_NEUTRALISE
 * it prefixes "'" to any field that starts with '=', '+', '-', '@', TAB or CR (which a
 * spreadsheet would run as a formula), and also to a field that starts with one or more
 * "'" followed by one of those, so that sm_csv_unneutralise restores every field exactly.
 *
 * A reader is used by one thread at a time; the writer functions are thread-safe.
 */
#ifndef SMESEC_CSV_H
#define SMESEC_CSV_H

#include "smesec/buf.h"
#include "smesec/err.h"

#include <stdbool.h>
#include <stddef.h>

/* The UTF-8 byte-order mark spreadsheets look for to read a file as UTF-8. */
#define SM_CSV_BOM "\xEF\xBB\xBF"

/* Bounds on what the reader accepts. Zero in a field means its default. */
struct sm_csv_limits {
    size_t max_fields;  /* per record; default 256 */
    size_t max_record;  /* bytes of one record's field text; default 1 MiB */
    size_t max_records; /* records in the input, the header included; default 100000 */
};

struct sm_csv_reader {
    const char *data;
    size_t len;
    size_t pos;           /* byte offset of the next unread byte */
    long record;          /* 1-based number of the record last read; 0 before the first */
    size_t expect_fields; /* field count of the first record; 0 until it is read */
    struct sm_csv_limits lim;
    struct sm_buf text;  /* the current record's fields, each NUL-terminated */
    size_t *offsets;     /* start of each field in text */
    const char **fields; /* the pointers handed out */
    bool failed;
};

/* Starts reading data[0..len) (borrowed: it must outlive the reader). lim may be NULL for
 * the defaults. Allocates nothing. */
void sm_csv_reader_init(struct sm_csv_reader *r, const char *data, size_t len,
                        const struct sm_csv_limits *lim);

/* Frees the reader's storage. */
void sm_csv_reader_release(struct sm_csv_reader *r);

/* Reads the next record. Returns 1 with *fields (n_fields NUL-terminated strings, borrowed
 * until the next call or release) when there is one, 0 at the end of the input, or
 * SM_EPARSE (malformed; diag->line is the record number, diag->offset the byte offset),
 * SM_ELIMIT (past a limit) or SM_ENOMEM. After an error every further call returns
 * SM_EPARSE. */
int sm_csv_next(struct sm_csv_reader *r, const char *const **fields, size_t *n_fields,
                struct sm_diag *diag);

/* Writer flags. */
#define SM_CSV_NEUTRALISE 1u /* prefix "'" to cells a spreadsheet would run as formulas */

/* Appends one field (s[0..n), NULL for an empty field), quoted as needed, preceded by ','
 * unless first. SM_OK, SM_ENOMEM or SM_ELIMIT (the buffer's maximum). */
int sm_csv_put_field(struct sm_buf *b, const char *s, size_t n, bool first, unsigned flags);

/* Appends the fields and a CRLF. Each field is a NUL-terminated string or NULL (empty). */
int sm_csv_put_record(struct sm_buf *b, const char *const *fields, size_t n_fields, unsigned flags);

/* True when the writer with SM_CSV_NEUTRALISE would prefix s[0..n) with "'". */
bool sm_csv_needs_neutralising(const char *s, size_t n);

/* Undoes SM_CSV_NEUTRALISE: returns s + 1 when s is "'" followed by a field the writer
 * would have neutralised, else s. Borrowed from s. */
const char *sm_csv_unneutralise(const char *s);

#endif

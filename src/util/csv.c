/*
 * CSV reader and writer (see smesec/csv.h).
 *
 * The reader walks the input with a cursor and copies each record's fields, NUL-terminated,
 * into one buffer whose maximum is the record limit, so no input can make it allocate more
 * than (max_record + the pointer arrays). Spans of plain bytes are copied at once; only
 * quotes, separators and line ends are looked at one by one. A reader that failed stays
 * failed, so a caller cannot skip a bad record by accident.
 */
#include "smesec/csv.h"

#include "smesec/alloc.h"
#include "smesec/utf8.h"

#include <stdio.h>
#include <string.h>

#include "util/banned.h"

#define DEFAULT_MAX_FIELDS  256
#define DEFAULT_MAX_RECORD  ((size_t)1 << 20)
#define DEFAULT_MAX_RECORDS 100000

void sm_csv_reader_init(struct sm_csv_reader *r, const char *data, size_t len,
                        const struct sm_csv_limits *lim)
{
    memset(r, 0, sizeof *r);
    r->data = data;
    r->len = len;
    if (lim)
        r->lim = *lim;
    if (!r->lim.max_fields)
        r->lim.max_fields = DEFAULT_MAX_FIELDS;
    if (!r->lim.max_record)
        r->lim.max_record = DEFAULT_MAX_RECORD;
    if (!r->lim.max_records)
        r->lim.max_records = DEFAULT_MAX_RECORDS;
    sm_buf_init(&r->text, r->lim.max_record);
    if (len >= 3 && memcmp(data, SM_CSV_BOM, 3) == 0)
        r->pos = 3;
}

void sm_csv_reader_release(struct sm_csv_reader *r)
{
    sm_buf_release(&r->text);
    sm_free(r->offsets);
    sm_free(r->fields);
    r->offsets = NULL;
    r->fields = NULL;
}

/* Records a failure: the reader stays failed, diag says where. */
static int fail(struct sm_csv_reader *r, int code, size_t at, struct sm_diag *diag,
                const char *what)
{
    r->failed = true;
    sm_diag_set(diag, code, "csv record %ld: %s (byte %zu)", r->record, what, at);
    if (diag) {
        diag->line = r->record;
        diag->offset = (long)at;
    }
    return code;
}

static int append(struct sm_csv_reader *r, const char *p, size_t n, size_t at, struct sm_diag *diag)
{
    int rc = sm_buf_append(&r->text, p, n);
    if (rc == SM_ELIMIT)
        return fail(r, rc, at, diag, "record too long");
    if (rc)
        return fail(r, rc, at, diag, "out of memory");
    return SM_OK;
}

/* Reads one field starting at r->pos into the buffer. *end_of_record tells whether the
 * record ended after it. */
static int read_field(struct sm_csv_reader *r, bool *end_of_record, struct sm_diag *diag)
{
    const char *d = r->data;
    size_t len = r->len, pos = r->pos;
    int rc;
    if (pos < len && d[pos] == '"') {
        pos++;
        for (;;) {
            size_t start = pos;
            while (pos < len && d[pos] != '"' && d[pos] != '\0')
                pos++;
            if ((rc = append(r, d + start, pos - start, start, diag)))
                return rc;
            if (pos >= len)
                return fail(r, SM_EPARSE, pos, diag, "unterminated quoted field");
            if (d[pos] == '\0')
                return fail(r, SM_EPARSE, pos, diag, "NUL byte");
            if (pos + 1 < len && d[pos + 1] == '"') {
                if ((rc = append(r, "\"", 1, pos, diag)))
                    return rc;
                pos += 2;
                continue;
            }
            pos++; /* the closing quote */
            break;
        }
        if (pos >= len) {
            *end_of_record = true;
        } else if (d[pos] == ',') {
            pos++;
            *end_of_record = false;
        } else if (d[pos] == '\n') {
            pos++;
            *end_of_record = true;
        } else if (d[pos] == '\r' && pos + 1 < len && d[pos + 1] == '\n') {
            pos += 2;
            *end_of_record = true;
        } else {
            return fail(r, SM_EPARSE, pos, diag, "unexpected character after a closing quote");
        }
        r->pos = pos;
        return SM_OK;
    }
    size_t start = pos;
    while (pos < len && d[pos] != ',' && d[pos] != '\n' && d[pos] != '\r' && d[pos] != '"' &&
           d[pos] != '\0')
        pos++;
    if ((rc = append(r, d + start, pos - start, start, diag)))
        return rc;
    if (pos >= len) {
        *end_of_record = true;
    } else if (d[pos] == ',') {
        pos++;
        *end_of_record = false;
    } else if (d[pos] == '\n') {
        pos++;
        *end_of_record = true;
    } else if (d[pos] == '\r') {
        if (pos + 1 >= len || d[pos + 1] != '\n')
            return fail(r, SM_EPARSE, pos, diag, "carriage return without a line feed");
        pos += 2;
        *end_of_record = true;
    } else if (d[pos] == '"') {
        return fail(r, SM_EPARSE, pos, diag, "quote inside an unquoted field");
    } else {
        return fail(r, SM_EPARSE, pos, diag, "NUL byte");
    }
    r->pos = pos;
    return SM_OK;
}

int sm_csv_next(struct sm_csv_reader *r, const char *const **fields, size_t *n_fields,
                struct sm_diag *diag)
{
    if (r->failed)
        return sm_diag_set(diag, SM_EPARSE, "csv reader already failed");
    if (r->pos >= r->len)
        return 0;
    if ((size_t)r->record >= r->lim.max_records) {
        r->record++;
        return fail(r, SM_ELIMIT, r->pos, diag, "too many records");
    }
    if (!r->offsets) {
        r->offsets = sm_calloc(r->lim.max_fields, sizeof *r->offsets);
        r->fields = sm_calloc(r->lim.max_fields, sizeof *r->fields);
        if (!r->offsets || !r->fields) {
            sm_free(r->offsets);
            sm_free(r->fields);
            r->offsets = NULL;
            r->fields = NULL;
            return SM_ENOMEM;
        }
    }
    r->record++;
    sm_buf_reset(&r->text);
    size_t n = 0;
    bool end = false;
    while (!end) {
        size_t at = r->pos;
        if (n == r->lim.max_fields)
            return fail(r, SM_ELIMIT, at, diag, "too many fields");
        r->offsets[n] = r->text.len;
        int rc = read_field(r, &end, diag);
        if (rc)
            return rc;
        size_t flen = r->text.len - r->offsets[n], bad = 0;
        const char *ftext = r->text.data ? r->text.data + r->offsets[n] : "";
        if (!sm_utf8_valid(ftext, flen, &bad))
            return fail(r, SM_EPARSE, at + bad, diag, "invalid UTF-8");
        if ((rc = append(r, "", 1, r->pos, diag)))
            return rc;
        n++;
    }
    if (r->expect_fields == 0) {
        r->expect_fields = n;
    } else if (n != r->expect_fields) {
        char what[96];
        snprintf(what, sizeof what, "%zu fields where the first record has %zu", n,
                 r->expect_fields);
        return fail(r, SM_EPARSE, r->pos, diag, what);
    }
    for (size_t i = 0; i < n; i++)
        r->fields[i] = r->text.data + r->offsets[i];
    *fields = r->fields;
    *n_fields = n;
    return 1;
}

bool sm_csv_needs_neutralising(const char *s, size_t n)
{
    size_t i = 0;
    while (i < n && s[i] == '\'')
        i++;
    if (i >= n)
        return false;
    char c = s[i];
    return c == '=' || c == '+' || c == '-' || c == '@' || c == '\t' || c == '\r';
}

const char *sm_csv_unneutralise(const char *s)
{
    if (s && s[0] == '\'' && sm_csv_needs_neutralising(s + 1, strlen(s + 1)))
        return s + 1;
    return s;
}

int sm_csv_put_field(struct sm_buf *b, const char *s, size_t n, bool first, unsigned flags)
{
    size_t saved = b->len;
    if (!s)
        n = 0;
    /* A field that starts with a byte-order mark is quoted, or at the start of a file a
     * reader would take it for the file's own mark and drop it. */
    bool quote = n >= 3 && memcmp(s, SM_CSV_BOM, 3) == 0;
    for (size_t i = 0; i < n && !quote; i++)
        quote = s[i] == ',' || s[i] == '"' || s[i] == '\r' || s[i] == '\n';
    bool prefix = (flags & SM_CSV_NEUTRALISE) && n > 0 && sm_csv_needs_neutralising(s, n);
    int rc = first ? SM_OK : sm_buf_putc(b, ',');
    if (!rc && quote)
        rc = sm_buf_putc(b, '"');
    if (!rc && prefix)
        rc = sm_buf_putc(b, '\'');
    size_t i = 0;
    while (!rc && i < n) {
        const char *q = quote ? memchr(s + i, '"', n - i) : NULL;
        size_t span = q ? (size_t)(q - (s + i)) + 1 : n - i;
        rc = sm_buf_append(b, s + i, span);
        if (!rc && q)
            rc = sm_buf_putc(b, '"'); /* doubles the quote just copied */
        i += span;
    }
    if (!rc && quote)
        rc = sm_buf_putc(b, '"');
    if (rc && b->data) {
        b->len = saved;
        b->data[saved] = '\0';
    }
    return rc;
}

int sm_csv_put_record(struct sm_buf *b, const char *const *fields, size_t n_fields, unsigned flags)
{
    size_t saved = b->len;
    int rc = SM_OK;
    for (size_t i = 0; i < n_fields && !rc; i++)
        rc = sm_csv_put_field(b, fields[i], fields[i] ? strlen(fields[i]) : 0, i == 0, flags);
    if (!rc)
        rc = sm_buf_append(b, "\r\n", 2);
    if (rc && b->data) {
        b->len = saved;
        b->data[saved] = '\0';
    }
    return rc;
}

/*
 * Incident reports from outside: the CSV upload (and its template) and the JSON API body,
 * both parsed into a batch of reports, each with its own errors.
 *
 * Both parsers are strict and bounded (fuzzed by fuzz/fuzz_incident_csv.c and
 * fuzz_incident_json.c): the file or body as a whole is refused with a clear reason when it
 * is not what it must be (not UTF-8, UTF-16, malformed CSV, not a JSON array, too large);
 * otherwise every record is read and every problem of every record listed, so one upload
 * shows the provider all its mistakes at once. Everything a batch points to lives in its
 * arena; the input may be freed once parsing returns.
 */
#include "sharing/internal.h"

#include "smesec/alloc.h"
#include "smesec/csv.h"
#include "smesec/text.h"
#include "smesec/utf8.h"

#include <jansson.h>
#include <stdio.h>
#include <string.h>

#include "util/banned.h"

#define DEFAULT_MAX_BYTES   ((size_t)64 << 20)
#define DEFAULT_MAX_RECORDS 100000
#define DEFAULT_MAX_ERRORS  1000

struct builder {
    struct sm_incident_batch *b;
    struct sm_arena *a;
    size_t cap_items, cap_errors, cap_flags;
    size_t max_errors;
    size_t dropped; /* errors beyond max_errors */
};

static void limits_of(const struct sm_incident_limits *lim, struct sm_incident_limits *out)
{
    out->max_bytes = lim && lim->max_bytes ? lim->max_bytes : DEFAULT_MAX_BYTES;
    out->max_records = lim && lim->max_records ? lim->max_records : DEFAULT_MAX_RECORDS;
    out->max_errors = lim && lim->max_errors ? lim->max_errors : DEFAULT_MAX_ERRORS;
}

static int builder_new(struct builder *bl, size_t max_errors)
{
    memset(bl, 0, sizeof *bl);
    void *obj = NULL;
    int rc = sm__sh_new(sizeof(struct sm_incident_batch), &bl->a, &obj);
    if (rc)
        return rc;
    bl->b = obj;
    bl->b->priv = bl->a;
    bl->max_errors = max_errors;
    return SM_OK;
}

void sm_incident_batch_free(struct sm_incident_batch *batch)
{
    if (batch)
        sm__sh_free(batch->priv);
}

/* Adds an error for item index (marking it bad). field and message are copied. */
static int add_error(struct builder *bl, size_t index, long row, const char *field,
                     const char *message)
{
    if (index < bl->b->n)
        bl->b->bad[index] = true;
    if (bl->b->n_errors >= bl->max_errors) {
        bl->dropped++;
        return SM_OK;
    }
    struct sm_incident_error *e =
        sm__sh_push(bl->a, (void **)&bl->b->errors, &bl->b->n_errors, &bl->cap_errors, sizeof *e);
    if (!e)
        return SM_ENOMEM;
    e->index = index;
    e->row = row;
    e->field = field ? sm_arena_strdup(bl->a, field) : NULL;
    e->message = sm_arena_strdup(bl->a, message);
    if ((field && !e->field) || !e->message)
        return SM_ENOMEM;
    return SM_OK;
}

/* Appends a new report, initialised; *index gets its position. */
static struct sm_incident *add_item(struct builder *bl, long row, size_t *index)
{
    struct sm_incident_batch *b = bl->b;
    size_t n = b->n, cap = bl->cap_items;
    struct sm_incident *in = sm__sh_push(bl->a, (void **)&b->items, &n, &cap, sizeof *in);
    if (!in)
        return NULL;
    size_t nf = b->n, capf = bl->cap_flags;
    bool *bad = sm__sh_push(bl->a, (void **)&b->bad, &nf, &capf, sizeof *bad);
    size_t nr = b->n;
    size_t capr = bl->cap_flags;
    long *r = bad ? sm__sh_push(bl->a, (void **)&b->rows, &nr, &capr, sizeof *r) : NULL;
    if (!bad || !r)
        return NULL;
    /* The three arrays grow together. */
    bl->cap_items = cap;
    bl->cap_flags = capf;
    b->n = n;
    sm_incident_init(in);
    *r = row;
    *index = n - 1;
    return in;
}

/* Ends the batch: a note about errors beyond the limit. */
static int builder_finish(struct builder *bl)
{
    if (!bl->dropped)
        return SM_OK;
    char msg[128];
    snprintf(msg, sizeof msg, "%zu more errors are not listed", bl->dropped);
    bl->max_errors++;
    return add_error(bl, SIZE_MAX, -1, NULL, msg);
}

/* Sets one field from text, recording the error when it is refused. value is copied. */
static int set_field(struct builder *bl, size_t index, long row, const char *field,
                     const char *value)
{
    /* A spreadsheet drops the leading zero of "04": take "4" as the JIS code 04. */
    char pref[3];
    if (strcmp(field, "prefecture") == 0 && value[0] >= '1' && value[0] <= '9' && !value[1]) {
        pref[0] = '0';
        pref[1] = value[0];
        pref[2] = '\0';
        value = pref;
    }
    const char *copy = sm_arena_strdup(bl->a, value);
    if (!copy)
        return SM_ENOMEM;
    struct sm_diag d;
    sm_diag_clear(&d);
    int rc = sm_incident_set(&bl->b->items[index], field, copy, &d);
    if (rc == SM_EINVAL)
        return add_error(bl, index, row, field, d.msg);
    return rc;
}

/* --- CSV --------------------------------------------------------------------------------- */

int sm_incident_csv_template(struct sm_buf *out)
{
    int rc = sm_buf_puts(out, SM_CSV_BOM);
    if (!rc)
        rc = sm_csv_put_record(out, (const char *const *)sm_incident_fields, sm_incident_n_fields,
                               SM_CSV_NEUTRALISE);
    return rc;
}

/* The whole-file checks the CSV reader does not make: encoding, byte-order marks. */
static int check_encoding(const char *data, size_t len, struct sm_diag *diag)
{
    const unsigned char *u = (const unsigned char *)data;
    if (len >= 2 && ((u[0] == 0xFF && u[1] == 0xFE) || (u[0] == 0xFE && u[1] == 0xFF)))
        return sm_diag_set(diag, SM_EPARSE,
                           "the file is UTF-16; save it as CSV UTF-8 (comma-separated) and "
                           "upload it again");
    size_t bad = 0;
    if (!sm_utf8_valid(data, len, &bad)) {
        enum sm_encoding enc;
        struct sm_diag ignore;
        const char *looks = sm_encoding_detect(data, len, &enc, &ignore) == SM_OK
                                ? sm_encoding_name(enc)
                                : "an unknown encoding";
        if (diag)
            diag->offset = (long)bad;
        return sm_diag_set(diag, SM_EPARSE,
                           "the file is not UTF-8 (invalid byte at offset %zu; it looks like "
                           "%s): save it as CSV UTF-8 and upload it again",
                           bad, looks);
    }
    size_t start = len >= 3 && memcmp(data, SM_CSV_BOM, 3) == 0 ? 3 : 0;
    for (size_t i = start; i + 2 < len; i++)
        if (memcmp(data + i, SM_CSV_BOM, 3) == 0) {
            if (diag)
                diag->offset = (long)i;
            return sm_diag_set(diag, SM_EPARSE,
                               "a byte-order mark at offset %zu inside the file (were several "
                               "files joined?)",
                               i);
        }
    return SM_OK;
}

static bool all_empty(const char *const *fields, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (fields[i][0])
            return false;
    return true;
}

/* The header: which report field each column holds. */
static int read_header(struct sm_csv_reader *r, int col_field[64], size_t *n_cols,
                       struct sm_diag *diag)
{
    const char *const *fields = NULL;
    size_t nf = 0;
    int rc = sm_csv_next(r, &fields, &nf, diag);
    if (rc == 0)
        return sm_diag_set(diag, SM_EPARSE, "the file has no header row");
    if (rc < 0)
        return rc;
    bool seen[32] = { false };
    for (size_t c = 0; c < nf; c++) {
        int f = -1;
        for (size_t k = 0; k < sm_incident_n_fields; k++)
            if (strcmp(fields[c], sm_incident_fields[k]) == 0)
                f = (int)k;
        char q[SM__QUOTE_MAX + 4];
        if (f < 0)
            return sm_diag_set(diag, SM_EPARSE,
                               "row 1: unknown column '%s' (the header must name the "
                               "template's columns)",
                               sm__sh_quote(fields[c], SM__QUOTE_MAX, q));
        if (seen[f])
            return sm_diag_set(diag, SM_EPARSE, "row 1: column '%s' appears twice",
                               sm_incident_fields[f]);
        seen[f] = true;
        col_field[c] = f;
    }
    for (size_t k = 0; k < sm_incident_n_fields; k++)
        if (!seen[k])
            return sm_diag_set(diag, SM_EPARSE, "row 1: column '%s' is missing",
                               sm_incident_fields[k]);
    *n_cols = nf;
    return SM_OK;
}

/* Where a row's problems go. */
typedef int (*row_error_fn)(void *ctx, const char *field, const char *message);

/* Fills in from one row's fields (borrowed: they stay valid until the next row is read;
 * pref holds a padded prefecture code). *bad is set when the row has an error. */
static int row_incident(const char *const *fields, size_t nf, const int *col_field,
                        struct sm_incident *in, char pref[3], bool *bad, row_error_fn err,
                        void *ctx)
{
    sm_incident_init(in);
    *bad = false;
    int rc = SM_OK;
    for (size_t c = 0; !rc && c < nf; c++) {
        const char *field = sm_incident_fields[col_field[c]];
        const char *v = fields[c];
        size_t vl = strlen(v);
        char msg[200];
        if (sm_csv_needs_neutralising(v, vl)) {
            snprintf(msg, sizeof msg,
                     "starts with '%c', which a spreadsheet runs as a formula; remove it or put "
                     "' before it",
                     v[0] == '\t' || v[0] == '\r' ? ' ' : v[0]);
            *bad = true;
            rc = err(ctx, field, msg);
            continue;
        }
        v = sm_csv_unneutralise(v);
        if (strcmp(field, "notes") != 0 && strpbrk(v, "\r\n")) {
            *bad = true;
            rc = err(ctx, field, "has a line break (only notes may)");
            continue;
        }
        /* A spreadsheet drops the leading zero of "04": take "4" as the JIS code 04. */
        if (strcmp(field, "prefecture") == 0 && v[0] >= '1' && v[0] <= '9' && !v[1]) {
            pref[0] = '0';
            pref[1] = v[0];
            pref[2] = '\0';
            v = pref;
        }
        struct sm_diag d;
        sm_diag_clear(&d);
        int s = sm__incident_set_index(in, (size_t)col_field[c], v, &d);
        if (s == SM_EINVAL) {
            *bad = true;
            rc = err(ctx, field, d.msg);
        } else if (s) {
            rc = s;
        }
    }
    return rc;
}

struct batch_row {
    struct builder *bl;
    size_t index;
    long row;
};

static int batch_error(void *ctx, const char *field, const char *message)
{
    struct batch_row *br = ctx;
    return add_error(br->bl, br->index, br->row, field, message);
}

/* Copies the strings of in into the batch's arena (the row's fields are reused). */
static int keep_strings(struct builder *bl, struct sm_incident *in)
{
    const char **slots[] = { &in->ext_id,       &in->detected_on,    &in->prefecture,
                             &in->industry,     &in->malware_family, &in->notes,
                             &in->customer_name };
    for (size_t i = 0; i < sizeof slots / sizeof slots[0]; i++)
        if (*slots[i] && !(*slots[i] = sm_arena_strdup(bl->a, *slots[i])))
            return SM_ENOMEM;
    return SM_OK;
}

static int open_reader(const char *data, size_t len, const struct sm_incident_limits *l,
                       struct sm_csv_reader *r, struct sm_diag *diag)
{
    if (len > l->max_bytes)
        return sm_diag_set(diag, SM_ELIMIT, "the file is larger than %zu bytes", l->max_bytes);
    if (len == 0)
        return sm_diag_set(diag, SM_EPARSE, "the file is empty");
    int rc = check_encoding(data, len, diag);
    if (rc)
        return rc;
    struct sm_csv_limits cl = { .max_fields = 64,
                                .max_record = 64 * 1024,
                                .max_records = l->max_records + 1 };
    sm_csv_reader_init(r, data, len, &cl);
    return SM_OK;
}

static int reader_failed(int rc, const struct sm_incident_limits *l, struct sm_diag *diag)
{
    if (rc == SM_ELIMIT && diag && !diag->msg[0])
        sm_diag_set(diag, SM_ELIMIT, "the file has more than %zu rows", l->max_records);
    return rc;
}

int sm_incident_parse_csv(const char *data, size_t len, const struct sm_incident_limits *lim,
                          struct sm_incident_batch **out, struct sm_diag *diag)
{
    struct sm_incident_limits l;
    limits_of(lim, &l);
    sm_diag_clear(diag);
    struct sm_csv_reader r;
    int rc = open_reader(data, len, &l, &r, diag);
    if (rc)
        return rc;
    struct builder bl;
    rc = builder_new(&bl, l.max_errors);
    int col_field[64];
    size_t n_cols = 0;
    if (!rc)
        rc = read_header(&r, col_field, &n_cols, diag);
    while (!rc) {
        const char *const *fields = NULL;
        size_t nf = 0;
        rc = sm_csv_next(&r, &fields, &nf, diag);
        if (rc <= 0)
            break;
        rc = SM_OK;
        if (all_empty(fields, nf))
            continue; /* a blank line a spreadsheet left */
        struct batch_row br = { .bl = &bl, .row = r.record };
        if (!add_item(&bl, br.row, &br.index)) {
            rc = SM_ENOMEM;
            break;
        }
        char pref[3];
        bool bad = false;
        rc = row_incident(fields, nf, col_field, &bl.b->items[br.index], pref, &bad, batch_error,
                          &br);
        if (!rc)
            rc = keep_strings(&bl, &bl.b->items[br.index]);
        bl.b->bad[br.index] = bl.b->bad[br.index] || bad;
    }
    if (!rc)
        rc = builder_finish(&bl);
    sm_csv_reader_release(&r);
    if (rc) {
        if (bl.b)
            sm_incident_batch_free(bl.b);
        return reader_failed(rc, &l, diag);
    }
    *out = bl.b;
    return SM_OK;
}

struct stream_row {
    struct sm__submit *s;
    size_t index;
    long row;
};

static int stream_error(void *ctx, const char *field, const char *message)
{
    struct stream_row *sr = ctx;
    return sm__submit_error(sr->s, sr->index, sr->row, field, message);
}

int sm_sharing_import_csv(struct sm_store *store, const struct sm_registry_who *who,
                          const char *data, size_t len, const struct sm_incident_limits *lim,
                          const char *today, struct sm_submit_result **out, struct sm_diag *diag)
{
    struct sm_incident_limits l;
    limits_of(lim, &l);
    sm_diag_clear(diag);
    struct sm_csv_reader r;
    int rc = open_reader(data, len, &l, &r, diag);
    if (rc)
        return rc;
    int col_field[64];
    size_t n_cols = 0;
    rc = read_header(&r, col_field, &n_cols, diag);
    struct sm__submit *s = NULL;
    if (!rc)
        rc = sm__submit_open(store, who, true, today, 0, &s, diag);
    if (rc) {
        sm_csv_reader_release(&r);
        return reader_failed(rc, &l, diag);
    }
    size_t index = 0;
    bool file_failed = false;
    while (!rc) {
        const char *const *fields = NULL;
        size_t nf = 0;
        rc = sm_csv_next(&r, &fields, &nf, diag);
        if (rc <= 0) {
            file_failed = rc < 0;
            break;
        }
        rc = SM_OK;
        if (all_empty(fields, nf))
            continue;
        struct stream_row sr = { .s = s, .index = index, .row = r.record };
        struct sm_incident in;
        char pref[3];
        bool bad = false;
        rc = row_incident(fields, nf, col_field, &in, pref, &bad, stream_error, &sr);
        if (!rc)
            rc = sm__submit_one(s, index, sr.row, &in, bad, diag);
        index++;
    }
    sm_csv_reader_release(&r);
    if (file_failed) {
        /* The file itself is malformed past some row: nothing is stored, and the reason is
         * the file's, not a row's. */
        struct sm_diag keep = *diag;
        struct sm_submit_result *res = NULL;
        sm__submit_close(s, SM_EPARSE, &res, NULL);
        *diag = keep;
        return reader_failed(rc, &l, diag);
    }
    return sm__submit_close(s, rc, out, diag);
}

/* --- JSON ---------------------------------------------------------------------------------- */

/* The text form of a JSON value for field, or NULL with *why set. */
static const char *json_text(const char *field, json_t *v, char *buf, size_t size, const char **why)
{
    bool integer_field = strcmp(field, "service_id") == 0 || strcmp(field, "recovery_days") == 0;
    if (json_is_null(v))
        return "";
    if (json_is_string(v)) {
        if (strlen(json_string_value(v)) != json_string_length(v)) {
            *why = "must not contain NUL characters";
            return NULL;
        }
        return json_string_value(v);
    }
    if (json_is_integer(v)) {
        json_int_t x = json_integer_value(v);
        if (strcmp(field, "prefecture") == 0) {
            if (x < 1 || x > 47) {
                *why = "must be a JIS code from 1 to 47";
                return NULL;
            }
            snprintf(buf, size, "%02d", (int)x);
            return buf;
        }
        if (integer_field || strcmp(field, "id") == 0) {
            if (x < 0) {
                *why = "must not be negative";
                return NULL;
            }
            snprintf(buf, size, "%lld", (long long)x);
            return buf;
        }
    }
    *why = integer_field ? "must be a whole number or null" : "must be a string or null";
    return NULL;
}

int sm_incident_parse_json(const char *data, size_t len, const struct sm_incident_limits *lim,
                           struct sm_incident_batch **out, struct sm_diag *diag)
{
    struct sm_incident_limits l;
    limits_of(lim, &l);
    sm_diag_clear(diag);
    if (len > l.max_bytes)
        return sm_diag_set(diag, SM_ELIMIT, "the body is larger than %zu bytes", l.max_bytes);
    json_error_t err;
    json_t *root = json_loadb(data ? data : "", len, JSON_REJECT_DUPLICATES, &err);
    if (!root) {
        if (diag)
            diag->offset = (long)err.position;
        return sm_diag_set(diag, SM_EPARSE, "line %d column %d: %s", err.line, err.column,
                           err.text);
    }
    if (!json_is_array(root)) {
        json_decref(root);
        return sm_diag_set(diag, SM_EPARSE, "the body must be a JSON array of incident records");
    }
    if (json_array_size(root) > l.max_records) {
        json_decref(root);
        return sm_diag_set(diag, SM_ELIMIT, "more than %zu records in one request", l.max_records);
    }
    struct builder bl;
    int rc = builder_new(&bl, l.max_errors);
    if (rc) {
        json_decref(root);
        return rc;
    }
    size_t i;
    json_t *rec;
    json_array_foreach(root, i, rec)
    {
        size_t index = 0;
        if (!add_item(&bl, -1, &index)) {
            rc = SM_ENOMEM;
            break;
        }
        if (!json_is_object(rec)) {
            rc = add_error(&bl, index, -1, NULL, "the record is not a JSON object");
            if (rc)
                break;
            continue;
        }
        const char *key;
        json_t *v;
        json_object_foreach(rec, key, v)
        {
            bool known = false;
            for (size_t k = 0; k < sm_incident_n_fields && !known; k++)
                known = strcmp(key, sm_incident_fields[k]) == 0;
            if (!known) {
                char msg[120];
                char q[SM__QUOTE_MAX + 4];
                snprintf(msg, sizeof msg, "unknown field '%s'",
                         sm__sh_quote(key, SM__QUOTE_MAX, q));
                rc = add_error(&bl, index, -1, NULL, msg);
            } else {
                char buf[32];
                const char *why = NULL;
                const char *text = json_text(key, v, buf, sizeof buf, &why);
                rc = text ? set_field(&bl, index, -1, key, text)
                          : add_error(&bl, index, -1, key, why);
            }
            if (rc)
                break;
        }
        for (size_t k = 0; !rc && k < sm_incident_n_fields; k++) {
            const char *f = sm_incident_fields[k];
            if (sm_incident_field_required(f) && !json_object_get(rec, f)) {
                char msg[64];
                snprintf(msg, sizeof msg, "%s is required", f);
                rc = add_error(&bl, index, -1, f, msg);
            }
        }
        if (rc)
            break;
    }
    json_decref(root);
    if (!rc)
        rc = builder_finish(&bl);
    if (rc) {
        sm_incident_batch_free(bl.b);
        return rc;
    }
    *out = bl.b;
    return SM_OK;
}

/*
 * Fuzz target for the CSV reader (src/util/csv.c) that the registry import and the
 * incident-sharing work read outside files with. The first byte chooses the limits (small
 * ones sometimes, so the limit paths run) and the rest is the input, handed over without a
 * terminating NUL so reads past the end are caught.
 *
 * Whatever the reader accepts must keep its promises: every record has the first record's
 * field count and at most max_fields fields, every field is valid UTF-8 without NUL, and
 * writing the records back (with formula neutralisation) and reading them again gives the
 * same fields once the neutralisation is undone. A refusal is SM_EPARSE, SM_ELIMIT or
 * SM_ENOMEM and nothing else.
 */
#include "smesec/alloc.h"
#include "smesec/buf.h"
#include "smesec/csv.h"
#include "smesec/utf8.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "util/banned.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAX_RECORDS_KEPT 64

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0)
        return 0;
    struct sm_csv_limits lim = { 0 };
    if (data[0] & 1) {
        lim.max_fields = 1 + (data[0] >> 4);
        lim.max_record = 8 + (size_t)(data[0] & 0x0e) * 4;
        lim.max_records = 1 + (data[0] >> 5);
    }
    size_t n = size - 1;
    char *input = sm_malloc(n > 0 ? n : 1);
    if (!input)
        return 0;
    if (n > 0)
        memcpy(input, data + 1, n);

    struct sm_csv_reader r;
    struct sm_buf out;
    sm_csv_reader_init(&r, input, n, &lim);
    sm_buf_init(&out, (size_t)16 << 20);
    const char *const *fields;
    size_t nf = 0, first = 0, records = 0;
    int rc;
    struct sm_diag diag;
    while ((rc = sm_csv_next(&r, &fields, &nf, &diag)) == 1) {
        if (nf == 0 || nf > r.lim.max_fields)
            abort();
        if (records == 0)
            first = nf;
        else if (nf != first)
            abort();
        for (size_t i = 0; i < nf; i++)
            if (!sm_utf8_valid(fields[i], strlen(fields[i]), NULL))
                abort();
        if (records < MAX_RECORDS_KEPT &&
            sm_csv_put_record(&out, fields, nf, SM_CSV_NEUTRALISE) != SM_OK)
            break;
        records++;
    }
    if (rc != 0 && rc != 1 && rc != SM_EPARSE && rc != SM_ELIMIT && rc != SM_ENOMEM)
        abort();
    sm_csv_reader_release(&r);

    /* What was written reads back to the same fields. */
    if (rc == 0 && records > 0 && records <= MAX_RECORDS_KEPT && out.data) {
        struct sm_csv_reader again, orig;
        const char *const *f2;
        size_t n2;
        sm_csv_reader_init(&orig, input, n, &lim);
        sm_csv_reader_init(&again, out.data, out.len, NULL);
        for (size_t k = 0; k < records; k++) {
            /* The original record must be read before the writer's copy is compared. */
            if (sm_csv_next(&orig, &fields, &nf, &diag) != 1)
                abort();
            int rc2 = sm_csv_next(&again, &f2, &n2, &diag);
            if (rc2 == SM_ENOMEM)
                break;
            if (rc2 != 1 || n2 != nf)
                abort();
            for (size_t i = 0; i < nf; i++)
                if (strcmp(sm_csv_unneutralise(f2[i]), fields[i]) != 0)
                    abort();
        }
        sm_csv_reader_release(&orig);
        sm_csv_reader_release(&again);
    }
    sm_buf_release(&out);
    sm_free(input);
    return 0;
}

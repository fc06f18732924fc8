/*
 * Fuzz target for the incident CSV upload (sm_incident_parse_csv in src/sharing/parse.c) and,
 * through it, the anonymisation of every report it accepts (src/sharing/anon.c). The first
 * byte chooses the limits (small ones sometimes, so the limit paths run); the rest is the
 * file, handed over without a terminating NUL so reads past the end are caught.
 *
 * Promises checked: a refusal is SM_EPARSE, SM_ELIMIT or SM_ENOMEM; an accepted file gives
 * a batch whose every error names a report in it (or the whole batch), whose reports marked
 * good have their required fields set, and whose strings are valid UTF-8; anonymising a
 * good report never fails on valid input, and its scrubbed notes are valid UTF-8 without an
 * e-mail address left in them.
 */
#include "fuzz_incident.h"

#include "smesec/alloc.h"
#include "smesec/sharing.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "util/banned.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0)
        return 0;
    struct sm_incident_limits lim = { 0 };
    if (data[0] & 1) {
        lim.max_bytes = 64 + (size_t)(data[0] >> 1) * 64;
        lim.max_records = 1 + (data[0] >> 5);
        lim.max_errors = 1 + ((data[0] >> 2) & 3);
    }
    size_t n = size - 1;
    char *input = sm_malloc(n > 0 ? n : 1);
    if (!input)
        return 0;
    if (n > 0)
        memcpy(input, data + 1, n);
    struct sm_incident_batch *b = NULL;
    struct sm_diag diag;
    int rc = sm_incident_parse_csv(input, n, &lim, &b, &diag);
    if (rc == SM_OK)
        fuzz_check_batch(b);
    else if (rc != SM_EPARSE && rc != SM_ELIMIT && rc != SM_ENOMEM)
        abort();
    else if (b)
        abort(); /* no batch on failure */
    sm_incident_batch_free(b);
    sm_free(input);
    return 0;
}

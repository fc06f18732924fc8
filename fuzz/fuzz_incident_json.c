/*
 * Fuzz target for the body of POST /api/v1/incidents (sm_incident_parse_json in
 * src/sharing/parse.c) and, through it, the anonymisation of every report it accepts. The
 * first byte chooses the limits; the rest is the body, without a terminating NUL.
 *
 * Promises checked: as for the CSV target (fuzz_incident.h): a refusal is SM_EPARSE,
 * SM_ELIMIT or SM_ENOMEM with no batch; an accepted body gives a consistent batch, and every
 * good report anonymises to valid UTF-8 with no e-mail address left in its notes.
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
    int rc = sm_incident_parse_json(input, n, &lim, &b, &diag);
    if (rc == SM_OK)
        fuzz_check_batch(b);
    else if (rc != SM_EPARSE && rc != SM_ELIMIT && rc != SM_ENOMEM)
        abort();
    else if (b)
        abort();
    sm_incident_batch_free(b);
    sm_free(input);
    return 0;
}

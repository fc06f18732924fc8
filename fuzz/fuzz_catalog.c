/*
 * Fuzz target for the catalog reader: the input is one catalog file. It is validated
 * (every problem listed) and parsed, and the two must agree: a file parses exactly when it
 * has no problem. A catalog that parses is written back as YAML, which must parse again to a
 * catalog that writes the same text (the round trip of sm_catalog_write_yaml). Any
 * disagreement aborts, so the fuzzer reports it like a crash.
 */
#include "smesec/alloc.h"
#include "smesec/buf.h"
#include "smesec/catalog.h"
#include "smesec/err.h"

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "util/banned.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *yaml = (const char *)data;
    struct sm_catalog_problem *problems = NULL;
    size_t n_problems = 0;
    if (sm_catalog_validate(yaml, size, &problems, &n_problems) != SM_OK)
        abort(); /* only SM_ENOMEM could fail, and nothing fails allocations here */
    for (size_t i = 0; i < n_problems; i++)
        if (problems[i].line < 0 || !memchr(problems[i].msg, '\0', sizeof problems[i].msg))
            abort();
    sm_free(problems);

    struct sm_catalog *c = NULL;
    struct sm_diag diag;
    int rc = sm_catalog_parse(yaml, size, "fuzz.yaml", &c, &diag);
    if ((rc == SM_OK) != (n_problems == 0))
        abort();
    if (rc != SM_OK)
        return 0;

    struct sm_buf first, second;
    sm_buf_init(&first, (size_t)256 << 20);
    sm_buf_init(&second, (size_t)256 << 20);
    if (sm_catalog_write_yaml(c, &first) != SM_OK)
        abort();
    struct sm_catalog *back = NULL;
    if (sm_catalog_parse(first.data, first.len, "written.yaml", &back, &diag) != SM_OK)
        abort();
    if (sm_catalog_write_yaml(back, &second) != SM_OK)
        abort();
    if (first.len != second.len || memcmp(first.data, second.data, first.len) != 0)
        abort();
    if (sm_catalog_n_items(back) != sm_catalog_n_items(c))
        abort();
    sm_buf_release(&first);
    sm_buf_release(&second);
    sm_catalog_free(back);
    sm_catalog_free(c);
    return 0;
}

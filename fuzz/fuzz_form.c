/*
 * Fuzz target for the server's parsers of name=value input: urlencoded forms and query
 * strings, and Cookie headers (src/web/form.c). The first byte chooses the syntax, the rest
 * is the input, handed over without a terminating NUL so reads past the end are caught.
 * Whatever the parser accepts must keep its promises: every name and value is valid UTF-8,
 * NUL-free, and value_len is the value's length; lookups find the first pair of a name.
 */
#include "web/form.h"

#include "smesec/alloc.h"
#include "smesec/utf8.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "util/banned.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0)
        return 0;
    enum web_params_syntax syntax = (data[0] & 1) ? WEB_PARAMS_COOKIE : WEB_PARAMS_URLENCODED;
    size_t n = size - 1;
    /* A copy of exactly n bytes on the heap, so ASan sees any read past the end. */
    char *input = sm_malloc(n > 0 ? n : 1);
    if (input == NULL)
        return 0;
    if (n > 0)
        memcpy(input, data + 1, n);

    struct sm_arena arena;
    /* A small maximum sometimes, so the out-of-memory paths run as well. */
    sm_arena_init(&arena, (data[0] & 2) ? 512 : 4u * 1024 * 1024);
    struct web_params params;
    struct sm_diag diag;
    sm_diag_clear(&diag);
    int rc = web_params_parse(&arena, input, n, syntax, &params, &diag);
    if (rc == SM_OK) {
        if (params.n > WEB_PARAMS_MAX)
            abort();
        for (size_t i = 0; i < params.n; i++) {
            const struct web_param *p = &params.items[i];
            size_t nl = strlen(p->name);
            if (strlen(p->value) != p->value_len || !sm_utf8_valid(p->name, nl, NULL) ||
                !sm_utf8_valid(p->value, p->value_len, NULL))
                abort();
            if (web_params_get(&params, p->name) == NULL)
                abort();
        }
    } else if (rc != SM_EPARSE && rc != SM_ENOMEM) {
        abort();
    } else if (params.n != 0) {
        abort();
    }
    sm_arena_release(&arena);
    sm_free(input);
    return 0;
}

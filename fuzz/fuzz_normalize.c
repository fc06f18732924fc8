/*
 * Fuzz target for text normalisation and sentence splitting. The input is any bytes. When
 * sm_text_normalize accepts it, the result must be valid UTF-8 with no NUL, CR or tab, and
 * normalising it again must change nothing (stored pages are normalised twice and evidence
 * offsets point into them). Its sentences must lie in order inside the text, be non-empty,
 * start and end on character boundaries and not start or end with white space. Sentence
 * splitting is also run on the raw input, which may be invalid UTF-8.
 */
#include "smesec/alloc.h"
#include "smesec/err.h"
#include "smesec/text.h"
#include "smesec/utf8.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "util/banned.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static bool is_space(char c)
{
    return c == ' ' || c == '\n' || c == '\f';
}

static void check_sentences(const char *s, size_t n)
{
    struct sm_sentence *v = NULL;
    size_t count = 0;
    int rc = sm_text_sentences(s, n, &v, &count);
    if (rc == SM_ENOMEM)
        return;
    if (rc == SM_EPARSE) {
        if (sm_utf8_valid(s, n, NULL))
            __builtin_trap();
        return;
    }
    if (rc != SM_OK || (count == 0) != (v == NULL))
        __builtin_trap();
    size_t end = 0;
    for (size_t i = 0; i < count; i++) {
        size_t off = v[i].offset, len = v[i].len;
        if (len == 0 || off < end || off > n || len > n - off)
            __builtin_trap();
        if (is_space(s[off]) || is_space(s[off + len - 1]))
            __builtin_trap();
        if (!sm_utf8_valid(s + off, len, NULL))
            __builtin_trap();
        end = off + len;
    }
    sm_free(v);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *s = (const char *)data;
    check_sentences(s, size);

    char *out = NULL, *again = NULL;
    size_t len = 0, len2 = 0;
    struct sm_diag diag;
    int rc = sm_text_normalize(s, size, &out, &len, &diag);
    if (rc == SM_EPARSE) {
        /* Only for invalid UTF-8, at the offset it names. */
        size_t bad = 0;
        if (sm_utf8_valid(s, size, &bad) || diag.offset != (long)bad)
            __builtin_trap();
        return 0;
    }
    if (rc != SM_OK)
        __builtin_trap();
    if (!sm_utf8_valid(out, len, NULL) || out[len] != '\0' || memchr(out, '\0', len) ||
        memchr(out, '\r', len) || memchr(out, '\t', len))
        __builtin_trap();
    if (sm_text_normalize(out, len, &again, &len2, &diag) != SM_OK)
        __builtin_trap();
    if (len2 != len || memcmp(again, out, len) != 0)
        __builtin_trap(); /* not idempotent */
    check_sentences(out, len);
    sm_free(out);
    sm_free(again);
    return 0;
}

/*
 * Parsers for what a client sends as name=value pairs: application/x-www-form-urlencoded
 * bodies and query strings, and Cookie headers. Outside input, so they are fuzzed
 * (fuzz/fuzz_form.c).
 */
#ifndef SM_WEB_FORM_H
#define SM_WEB_FORM_H

#include "smesec/arena.h"

#include "smesec/err.h"

#include <stddef.h>

/* One pair. name and value are NUL-terminated, valid UTF-8 and contain no NUL; value_len
 * is strlen(value). Both are owned by the arena the parser was given. */
struct web_param {
    const char *name;
    const char *value;
    size_t value_len;
};

struct web_params {
    struct web_param *items;
    size_t n;
};

enum web_params_syntax {
    /* a=1&b=x+y%21: '&' separates pairs, '+' is a space, %XX a byte; an empty pair is
     * skipped and a pair without '=' has the value "". */
    WEB_PARAMS_URLENCODED,
    /* a=1; b=2 (RFC 6265): '; ' separates pairs, values are taken as they are (no percent
     * decoding) with one pair of surrounding double quotes removed. Cookies are not ours
     * alone (other software on the same host may set some), so a malformed or non-UTF-8
     * cookie is skipped rather than failing the request. */
    WEB_PARAMS_COOKIE
};

/* The most pairs one form, query or Cookie header may carry. */
#define WEB_PARAMS_MAX 256

/* Parses s[0..n) (need not be NUL-terminated) into *out, allocating in arena. Returns SM_OK;
 * SM_EPARSE for a broken percent escape, an encoded NUL, invalid UTF-8 or more than
 * WEB_PARAMS_MAX pairs (diag says which and where); SM_ENOMEM. On failure *out is empty. */
int web_params_parse(struct sm_arena *arena, const char *s, size_t n, enum web_params_syntax syntax,
                     struct web_params *out, struct sm_diag *diag);

/* The value of the first pair called name, or NULL. Borrowed from params' arena. */
const char *web_params_get(const struct web_params *params, const char *name);

#endif

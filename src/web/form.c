/*
 * Form, query and cookie parsing (see form.h).
 *
 * The parser walks the input once with a cursor and never reads past s + n, so it works on
 * bodies that are not NUL-terminated. Each pair is decoded into the arena and checked there:
 * whatever it returns is valid UTF-8 without NUL bytes, so the rest of the server can treat
 * values as C strings and print them safely.
 */
#include "form.h"

#include "smesec/utf8.h"

#include <string.h>

#include "util/banned.h"

static int hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* Decodes s[0..n) of an urlencoded part into a fresh arena string. */
static int url_decode(struct sm_arena *arena, const char *s, size_t n, const char **out,
                      size_t *out_len, struct sm_diag *diag)
{
    char *d = sm_arena_alloc(arena, n + 1);
    if (d == NULL)
        return SM_ENOMEM;
    size_t j = 0;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (c == '+') {
            d[j++] = ' ';
        } else if (c == '%') {
            if (n - i < 3 || hexval(s[i + 1]) < 0 || hexval(s[i + 2]) < 0)
                return sm_diag_set(diag, SM_EPARSE, "bad percent escape at byte %zu", i);
            int v = hexval(s[i + 1]) * 16 + hexval(s[i + 2]);
            if (v == 0)
                return sm_diag_set(diag, SM_EPARSE, "encoded NUL byte at byte %zu", i);
            d[j++] = (char)v;
            i += 2;
        } else if (c == '\0') {
            return sm_diag_set(diag, SM_EPARSE, "NUL byte at byte %zu", i);
        } else {
            d[j++] = c;
        }
    }
    d[j] = '\0';
    size_t bad = 0;
    if (!sm_utf8_valid(d, j, &bad))
        return sm_diag_set(diag, SM_EPARSE, "invalid UTF-8 at byte %zu of a decoded field", bad);
    *out = d;
    *out_len = j;
    return SM_OK;
}

static size_t count_byte(const char *s, size_t n, char c)
{
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        k += s[i] == c;
    return k;
}

static int parse_urlencoded(struct sm_arena *arena, const char *s, size_t n, struct web_params *out,
                            struct sm_diag *diag)
{
    size_t pos = 0;
    while (pos < n) {
        const char *seg = s + pos;
        const char *amp = memchr(seg, '&', n - pos);
        size_t len = amp != NULL ? (size_t)(amp - seg) : n - pos;
        pos += len + (amp != NULL);
        if (len == 0)
            continue;
        const char *eq = memchr(seg, '=', len);
        size_t name_len = eq != NULL ? (size_t)(eq - seg) : len;
        struct web_param *p = &out->items[out->n];
        size_t ignored = 0;
        int rc = url_decode(arena, seg, name_len, &p->name, &ignored, diag);
        if (rc == SM_OK && eq != NULL)
            rc = url_decode(arena, eq + 1, len - name_len - 1, &p->value, &p->value_len, diag);
        else if (rc == SM_OK)
            rc = url_decode(arena, "", 0, &p->value, &p->value_len, diag);
        if (rc != SM_OK)
            return rc;
        out->n++;
    }
    return SM_OK;
}

static bool cookie_octet_ok(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c < 0x20 || c == 0x7f)
            return false;
    }
    return sm_utf8_valid(s, n, NULL);
}

static int parse_cookie(struct sm_arena *arena, const char *s, size_t n, struct web_params *out)
{
    size_t pos = 0;
    while (pos < n) {
        const char *seg = s + pos;
        const char *semi = memchr(seg, ';', n - pos);
        size_t len = semi != NULL ? (size_t)(semi - seg) : n - pos;
        pos += len + (semi != NULL);
        while (len > 0 && (seg[0] == ' ' || seg[0] == '\t')) {
            seg++;
            len--;
        }
        while (len > 0 && (seg[len - 1] == ' ' || seg[len - 1] == '\t'))
            len--;
        const char *eq = memchr(seg, '=', len);
        if (eq == NULL || eq == seg)
            continue;
        size_t name_len = (size_t)(eq - seg);
        while (name_len > 0 && (seg[name_len - 1] == ' ' || seg[name_len - 1] == '\t'))
            name_len--;
        const char *v = eq + 1;
        size_t vlen = len - (size_t)(v - seg);
        while (vlen > 0 && (v[0] == ' ' || v[0] == '\t')) {
            v++;
            vlen--;
        }
        if (vlen >= 2 && v[0] == '"' && v[vlen - 1] == '"') {
            v++;
            vlen -= 2;
        }
        if (name_len == 0 || !cookie_octet_ok(seg, name_len) || !cookie_octet_ok(v, vlen))
            continue;
        struct web_param *p = &out->items[out->n];
        char *name = sm_arena_strndup(arena, seg, name_len);
        char *value = sm_arena_strndup(arena, v, vlen);
        if (name == NULL || value == NULL)
            return SM_ENOMEM;
        p->name = name;
        p->value = value;
        p->value_len = vlen;
        out->n++;
    }
    return SM_OK;
}

int web_params_parse(struct sm_arena *arena, const char *s, size_t n, enum web_params_syntax syntax,
                     struct web_params *out, struct sm_diag *diag)
{
    out->items = NULL;
    out->n = 0;
    if (n == 0)
        return SM_OK;
    char sep = syntax == WEB_PARAMS_COOKIE ? ';' : '&';
    size_t max = count_byte(s, n, sep) + 1;
    if (max > WEB_PARAMS_MAX) {
        /* Count real pairs before refusing: "a=1&&&&" is not 5 fields. */
        size_t real = 0;
        for (size_t i = 0; i < n; i++)
            real += s[i] != sep && (i + 1 == n || s[i + 1] == sep);
        if (real > WEB_PARAMS_MAX)
            return sm_diag_set(diag, SM_EPARSE, "more than %d fields", WEB_PARAMS_MAX);
        max = real;
    }
    struct web_params tmp = { .items = sm_arena_alloc(arena, max * sizeof(*tmp.items)), .n = 0 };
    if (tmp.items == NULL)
        return SM_ENOMEM;
    int rc = SM_EINVAL;
    switch (syntax) {
    case WEB_PARAMS_URLENCODED:
        rc = parse_urlencoded(arena, s, n, &tmp, diag);
        break;
    case WEB_PARAMS_COOKIE:
        rc = parse_cookie(arena, s, n, &tmp);
        break;
    }
    if (rc != SM_OK)
        return rc;
    *out = tmp;
    return SM_OK;
}

const char *web_params_get(const struct web_params *params, const char *name)
{
    for (size_t i = 0; i < params->n; i++)
        if (strcmp(params->items[i].name, name) == 0)
            return params->items[i].value;
    return NULL;
}

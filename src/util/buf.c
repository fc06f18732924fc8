/*
 * Growable buffer with a hard maximum (see smesec/buf.h for the invariants). Growth doubles
 * the capacity, capped at max + 1 (room for the NUL), so a buffer never holds more than its
 * owner allowed, whatever the input.
 */
#include "smesec/buf.h"

#include "smesec/alloc.h"
#include "smesec/err.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "util/banned.h"

void sm_buf_init(struct sm_buf *b, size_t max)
{
    b->data = NULL;
    b->len = 0;
    b->cap = 0;
    b->max = max;
}

void sm_buf_release(struct sm_buf *b)
{
    sm_free(b->data);
    b->data = NULL;
    b->len = 0;
    b->cap = 0;
}

void sm_buf_reset(struct sm_buf *b)
{
    b->len = 0;
    if (b->data)
        b->data[0] = '\0';
}

/* Makes room for extra more bytes plus the NUL. */
static int grow(struct sm_buf *b, size_t extra)
{
    if (extra > b->max - b->len)
        return SM_ELIMIT;
    size_t want = b->len + extra + 1;
    if (want <= b->cap)
        return SM_OK;
    size_t cap = b->cap ? b->cap : 64;
    while (cap < want)
        cap = cap > SIZE_MAX / 2 ? want : cap * 2;
    if (cap > b->max + 1)
        cap = b->max + 1;
    char *p = sm_realloc(b->data, cap);
    if (!p)
        return SM_ENOMEM;
    if (!b->data)
        p[0] = '\0';
    b->data = p;
    b->cap = cap;
    return SM_OK;
}

int sm_buf_append(struct sm_buf *b, const void *p, size_t n)
{
    int rc = grow(b, n);
    if (rc)
        return rc;
    if (n)
        memcpy(b->data + b->len, p, n);
    b->len += n;
    b->data[b->len] = '\0';
    return SM_OK;
}

int sm_buf_puts(struct sm_buf *b, const char *s)
{
    return sm_buf_append(b, s, strlen(s));
}

int sm_buf_putc(struct sm_buf *b, char c)
{
    return sm_buf_append(b, &c, 1);
}

int sm_buf_vprintf(struct sm_buf *b, const char *fmt, va_list ap)
{
    va_list copy;
    va_copy(copy, ap);
    int n = vsnprintf(NULL, 0, fmt, copy);
    va_end(copy);
    if (n < 0)
        return SM_EINVAL;
    int rc = grow(b, (size_t)n);
    if (rc)
        return rc;
    vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
    b->len += (size_t)n;
    return SM_OK;
}

int sm_buf_printf(struct sm_buf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int rc = sm_buf_vprintf(b, fmt, ap);
    va_end(ap);
    return rc;
}

int sm_buf_put_html(struct sm_buf *b, const char *s, size_t n)
{
    size_t start = b->len;
    size_t run = 0; /* start of the pending run of plain bytes */
    for (size_t i = 0; i < n; i++) {
        const char *rep;
        switch (s[i]) {
        case '&':
            rep = "&amp;";
            break;
        case '<':
            rep = "&lt;";
            break;
        case '>':
            rep = "&gt;";
            break;
        case '"':
            rep = "&quot;";
            break;
        case '\'':
            rep = "&#39;";
            break;
        default:
            continue;
        }
        int rc = sm_buf_append(b, s + run, i - run);
        if (!rc)
            rc = sm_buf_puts(b, rep);
        if (rc) {
            /* Leave the buffer as it was before the call. */
            b->len = start;
            if (b->data)
                b->data[start] = '\0';
            return rc;
        }
        run = i + 1;
    }
    int rc = sm_buf_append(b, s + run, n - run);
    if (rc) {
        b->len = start;
        if (b->data)
            b->data[start] = '\0';
    }
    return rc;
}

char *sm_buf_take(struct sm_buf *b, size_t *len_out)
{
    char *p = b->data;
    size_t len = b->len;
    if (!p) {
        p = sm_malloc(1);
        if (!p)
            return NULL;
        p[0] = '\0';
    }
    b->data = NULL;
    b->len = 0;
    b->cap = 0;
    if (len_out)
        *len_out = len;
    return p;
}

/*
 * A growable byte buffer with a mandatory maximum size.
 *
 * Invariants: len < cap whenever data != NULL, and data[len] == '\0', so data can be used as a
 * C string when the content has no NUL. len never exceeds max: an append that would pass it
 * fails with SM_ELIMIT and leaves the buffer unchanged. struct sm_buf is embedded by the
 * caller (sm_buf_init / sm_buf_release).
 */
#ifndef SMESEC_BUF_H
#define SMESEC_BUF_H

#include <stdarg.h>
#include <stddef.h>

struct sm_buf {
    char *data;
    size_t len;
    size_t cap;
    size_t max;
};

/* Starts an empty buffer that may hold at most max bytes. Allocates nothing. */
void sm_buf_init(struct sm_buf *b, size_t max);
/* Frees the storage and leaves the buffer empty (re-usable). */
void sm_buf_release(struct sm_buf *b);
/* Empties the buffer, keeping its storage. */
void sm_buf_reset(struct sm_buf *b);

/* Appends. Return SM_OK, SM_ENOMEM or SM_ELIMIT; on failure the buffer is unchanged. */
int sm_buf_append(struct sm_buf *b, const void *p, size_t n);
int sm_buf_puts(struct sm_buf *b, const char *s);
int sm_buf_putc(struct sm_buf *b, char c);
int sm_buf_printf(struct sm_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int sm_buf_vprintf(struct sm_buf *b, const char *fmt, va_list ap)
    __attribute__((format(printf, 2, 0)));

/* Appends s with HTML's five special characters escaped (& < > " '). */
int sm_buf_put_html(struct sm_buf *b, const char *s, size_t n);

/* Hands the content to the caller (free with sm_free); *len_out gets its length when not
 * NULL. The buffer is left empty. Returns an empty string, not NULL, for an empty buffer,
 * or NULL when out of memory. */
char *sm_buf_take(struct sm_buf *b, size_t *len_out);

#endif

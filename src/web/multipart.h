/*
 * A bounded parser for multipart/form-data bodies (RFC 7578, RFC 2046 section 5.1): the
 * upload forms of the guideline workspace and the drafting support. Outside input, so it is
 * fuzzed (fuzz/fuzz_multipart.c).
 *
 * The parser never copies a part's content: a part's data points into the body it was
 * given, which must outlive the result. Names, file names and content types are copied
 * into the arena, NUL-terminated and checked to be valid UTF-8. Limits: at most
 * WEB_MULTIPART_MAX_PARTS parts, a part's header block at most WEB_MULTIPART_HEADER_MAX
 * bytes, names at most 256 bytes, file names at most 500 bytes (path parts removed).
 */
#ifndef SM_WEB_MULTIPART_H
#define SM_WEB_MULTIPART_H

#include "smesec/arena.h"
#include "smesec/err.h"

#include <stddef.h>

#define WEB_MULTIPART_MAX_PARTS  64
#define WEB_MULTIPART_HEADER_MAX 8192
#define WEB_MULTIPART_BOUNDARY   70 /* RFC 2046: 1 to 70 characters */

struct web_part {
    const char *name;         /* the form field's name; arena */
    const char *filename;     /* the file's base name for a file field, else NULL; arena */
    const char *content_type; /* as sent, or NULL; arena */
    const char *data;         /* into the body; not NUL-terminated */
    size_t len;
};

struct web_multipart {
    struct web_part *parts; /* arena */
    size_t n;
};

/* Finds the boundary in a Content-Type header value ("multipart/form-data;
 * boundary=..." with the value quoted or not) and writes it to out. SM_EUNSUPPORTED when
 * the type is not multipart/form-data, SM_EPARSE (reason in diag) when the boundary is
 * missing, empty, longer than 70 or uses characters RFC 2046 does not allow. */
int web_multipart_boundary(const char *content_type, char out[WEB_MULTIPART_BOUNDARY + 1],
                           struct sm_diag *diag);

/* Parses body[0..n) delimited by boundary into *out. SM_EPARSE (reason and byte offset in
 * diag) for a body that does not follow the syntax, lacks the closing delimiter, has a part
 * without a form-data name or with bad UTF-8 in its headers; SM_ELIMIT past a limit;
 * SM_ENOMEM. On failure *out is empty. */
int web_multipart_parse(struct sm_arena *arena, const char *body, size_t n, const char *boundary,
                        struct web_multipart *out, struct sm_diag *diag);

/* The first part called name, or NULL. */
const struct web_part *web_multipart_get(const struct web_multipart *mp, const char *name);

/* The value of the text field name as a NUL-terminated string in the arena: NULL (and
 * SM_OK) when there is no such field; SM_EPARSE when it holds a NUL byte or bad UTF-8,
 * SM_ELIMIT when it is longer than max bytes. */
int web_multipart_text(struct sm_arena *arena, const struct web_multipart *mp, const char *name,
                       size_t max, const char **out, struct sm_diag *diag);

#endif

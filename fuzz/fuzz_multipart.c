/*
 * Fuzz target for the server's multipart/form-data parser (src/web/multipart.c) and the
 * boundary it reads from a Content-Type header. The input's first line (up to '\n', at most
 * 200 bytes) is the Content-Type value; the rest is the body, handed over without a
 * terminating NUL so reads past the end are caught. Whatever the parser accepts must keep
 * its promises: every part's data lies inside the body, names and file names are valid
 * UTF-8 without NUL, there are at most WEB_MULTIPART_MAX_PARTS parts, and lookups find the
 * first part of a name.
 */
#include "web/multipart.h"

#include "smesec/alloc.h"
#include "smesec/utf8.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "util/banned.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_string(const char *s)
{
    if (s != NULL && !sm_utf8_valid(s, strlen(s), NULL))
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const uint8_t *nl = memchr(data, '\n', size < 200 ? size : 200);
    if (nl == NULL)
        return 0;
    char content_type[201];
    size_t ctl = (size_t)(nl - data);
    memcpy(content_type, data, ctl);
    content_type[ctl] = '\0';
    size_t n = size - ctl - 1;
    /* A copy of exactly n bytes on the heap, so ASan sees any read past the end. */
    char *body = sm_malloc(n > 0 ? n : 1);
    if (body == NULL)
        return 0;
    if (n > 0)
        memcpy(body, nl + 1, n);

    struct sm_diag diag;
    sm_diag_clear(&diag);
    char boundary[WEB_MULTIPART_BOUNDARY + 1];
    int rc = web_multipart_boundary(content_type, boundary, &diag);
    if (rc == SM_OK) {
        size_t bl = strlen(boundary);
        if (bl == 0 || bl > WEB_MULTIPART_BOUNDARY)
            abort();
        struct sm_arena arena;
        /* A small maximum sometimes, so the out-of-memory paths run as well. */
        sm_arena_init(&arena, (content_type[0] & 1) ? 512 : 4u * 1024 * 1024);
        struct web_multipart mp;
        rc = web_multipart_parse(&arena, body, n, boundary, &mp, &diag);
        if (rc == SM_OK) {
            if (mp.n > WEB_MULTIPART_MAX_PARTS)
                abort();
            for (size_t i = 0; i < mp.n; i++) {
                const struct web_part *p = &mp.parts[i];
                if (p->name == NULL || p->data < body || p->data + p->len > body + n)
                    abort();
                check_string(p->name);
                check_string(p->filename);
                check_string(p->content_type);
                if (web_multipart_get(&mp, p->name) == NULL)
                    abort();
                const char *text = NULL;
                int trc = web_multipart_text(&arena, &mp, p->name, 1u << 20, &text, &diag);
                if (trc == SM_OK && text != NULL)
                    check_string(text);
            }
        } else if (rc != SM_EPARSE && rc != SM_ELIMIT && rc != SM_ENOMEM) {
            abort();
        } else if (mp.n != 0) {
            abort();
        }
        sm_arena_release(&arena);
    } else if (rc != SM_EPARSE && rc != SM_EUNSUPPORTED) {
        abort();
    }
    sm_free(body);
    return 0;
}

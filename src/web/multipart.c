/*
 * multipart/form-data (see multipart.h). The parser advances a cursor over the body: find
 * the first delimiter line, then for each part read its header block up to the empty line,
 * find the next delimiter ("\r\n--" boundary), and stop at the closing one ("--" after the
 * boundary). Anything the syntax does not allow is refused with the byte offset where it
 * went wrong; nothing is guessed.
 *
 * Invariants: every part's data lies inside the body; every string in the result is valid
 * UTF-8 without NUL; at most WEB_MULTIPART_MAX_PARTS parts; no header block is read past
 * WEB_MULTIPART_HEADER_MAX bytes.
 */
#include "multipart.h"

#include "smesec/utf8.h"

#include <stdbool.h>
#include <string.h>

#include "util/banned.h"

#define NAME_MAX_BYTES     256
#define FILENAME_MAX_BYTES 500

static char lower(char c)
{
    return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

/* True when s[0..n) starts with prefix, ignoring ASCII case. */
static bool starts_ci(const char *s, size_t n, const char *prefix)
{
    size_t k = strlen(prefix);
    if (n < k)
        return false;
    for (size_t i = 0; i < k; i++)
        if (lower(s[i]) != lower(prefix[i]))
            return false;
    return true;
}

/* RFC 2046 bchars: DIGIT / ALPHA / "'()+_,-./:=?" and space (not last). */
static bool bchar(char c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
           strchr("'()+_,-./:=? ", c) != NULL;
}

int web_multipart_boundary(const char *content_type, char out[WEB_MULTIPART_BOUNDARY + 1],
                           struct sm_diag *diag)
{
    const char *ct = content_type ? content_type : "";
    size_t n = strlen(ct);
    if (!starts_ci(ct, n, "multipart/form-data") ||
        (ct[19] != '\0' && ct[19] != ';' && ct[19] != ' ' && ct[19] != '\t'))
        return sm_diag_set(diag, SM_EUNSUPPORTED, "expected a body of type multipart/form-data");
    const char *p = ct + 19;
    while (*p) {
        while (*p == ';' || *p == ' ' || *p == '\t')
            p++;
        if (starts_ci(p, strlen(p), "boundary=")) {
            p += 9;
            size_t len = 0;
            if (*p == '"') {
                const char *end = strchr(p + 1, '"');
                if (!end)
                    return sm_diag_set(diag, SM_EPARSE, "the multipart boundary is not closed");
                p++;
                len = (size_t)(end - p);
            } else {
                len = strcspn(p, "; \t");
            }
            if (len == 0 || len > WEB_MULTIPART_BOUNDARY || p[len - 1] == ' ')
                return sm_diag_set(diag, SM_EPARSE,
                                   "the multipart boundary must be 1 to %d"
                                   " characters",
                                   WEB_MULTIPART_BOUNDARY);
            for (size_t i = 0; i < len; i++)
                if (!bchar(p[i]))
                    return sm_diag_set(diag, SM_EPARSE,
                                       "the multipart boundary has a character RFC 2046"
                                       " does not allow");
            memcpy(out, p, len);
            out[len] = '\0';
            return SM_OK;
        }
        p += strcspn(p, ";");
    }
    return sm_diag_set(diag, SM_EPARSE, "the multipart body has no boundary");
}

/* The offset of the first occurrence of needle[0..k) in s[from..n), or n when none. */
static size_t find(const char *s, size_t n, size_t from, const char *needle, size_t k)
{
    while (from + k <= n) {
        const char *hit = memchr(s + from, needle[0], n - from - k + 1);
        if (!hit)
            return n;
        size_t at = (size_t)(hit - s);
        if (memcmp(s + at, needle, k) == 0)
            return at;
        from = at + 1;
    }
    return n;
}

/* Reads a parameter value at *p (a quoted string with backslash escapes, or a token) into
 * the arena. */
static int param_value(struct sm_arena *a, const char **p, const char *end, char **out)
{
    const char *s = *p;
    char *v = sm_arena_alloc(a, (size_t)(end - s) + 1);
    size_t j = 0;
    if (!v)
        return SM_ENOMEM;
    if (s < end && *s == '"') {
        s++;
        while (s < end && *s != '"') {
            if (*s == '\\' && s + 1 < end)
                s++;
            v[j++] = *s++;
        }
        if (s >= end)
            return SM_EPARSE;
        s++;
    } else {
        while (s < end && *s != ';' && *s != ' ' && *s != '\t')
            v[j++] = *s++;
    }
    v[j] = '\0';
    *p = s;
    *out = v;
    return SM_OK;
}

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

/* Decodes an RFC 8187 ext-value "UTF-8''percent%20encoded" in place; false when it is not
 * one (another charset, a broken escape, an encoded NUL). */
static bool ext_value(char *v)
{
    if (!starts_ci(v, strlen(v), "utf-8'"))
        return false;
    char *q = strchr(v + 6, '\'');
    if (!q)
        return false;
    const char *s = q + 1;
    size_t j = 0;
    while (*s) {
        if (*s == '%') {
            int hi = hexval(s[1]), lo = hi < 0 ? -1 : hexval(s[2]);
            if (hi < 0 || lo < 0 || (hi == 0 && lo == 0))
                return false;
            v[j++] = (char)(hi * 16 + lo);
            s += 3;
        } else {
            v[j++] = *s++;
        }
    }
    v[j] = '\0';
    return true;
}

/* The part of a file name after its last '/' or '\': browsers of old sent whole paths. */
static const char *base_name(const char *name)
{
    const char *b = name;
    for (const char *p = name; *p; p++)
        if (*p == '/' || *p == '\\')
            b = p + 1;
    return b;
}

/* Parses a Content-Disposition value: form-data; name="x"; filename="y". */
static int disposition(struct sm_arena *a, const char *v, const char *end, struct web_part *part,
                       struct sm_diag *diag, size_t at)
{
    while (v < end && (*v == ' ' || *v == '\t'))
        v++;
    if (!starts_ci(v, (size_t)(end - v), "form-data"))
        return sm_diag_set(diag, SM_EPARSE, "part at byte %zu is not form-data", at);
    v += 9;
    char *filename = NULL, *filename_ext = NULL;
    while (v < end) {
        while (v < end && (*v == ';' || *v == ' ' || *v == '\t'))
            v++;
        const char *key = v;
        while (v < end && *v != '=' && *v != ';')
            v++;
        if (v >= end || *v != '=')
            continue; /* a parameter without a value says nothing we use */
        size_t kl = (size_t)(v - key);
        v++;
        char *value = NULL;
        int rc = param_value(a, &v, end, &value);
        if (rc == SM_EPARSE)
            return sm_diag_set(diag, SM_EPARSE, "unclosed quoted value in part at byte %zu", at);
        if (rc)
            return rc;
        if (kl == 4 && starts_ci(key, kl, "name"))
            part->name = value;
        else if (kl == 8 && starts_ci(key, kl, "filename"))
            filename = value;
        else if (kl == 9 && starts_ci(key, kl, "filename*"))
            filename_ext = value;
    }
    if (filename_ext && ext_value(filename_ext))
        filename = filename_ext;
    if (!part->name || !*part->name)
        return sm_diag_set(diag, SM_EPARSE, "part at byte %zu has no name", at);
    if (strlen(part->name) > NAME_MAX_BYTES || !sm_utf8_valid(part->name, strlen(part->name), NULL))
        return sm_diag_set(diag, SM_EPARSE, "the name of the part at byte %zu is not valid", at);
    if (filename) {
        const char *b = base_name(filename);
        if (strlen(b) > FILENAME_MAX_BYTES || !sm_utf8_valid(b, strlen(b), NULL))
            return sm_diag_set(diag, SM_EPARSE,
                               "the file name of the part at byte %zu is not valid UTF-8 of at"
                               " most %d bytes",
                               at, FILENAME_MAX_BYTES);
        part->filename = b;
    }
    return SM_OK;
}

/* Parses the header block s[0..n) of the part that starts at byte at. */
static int headers(struct sm_arena *a, const char *s, size_t n, struct web_part *part,
                   struct sm_diag *diag, size_t at)
{
    size_t i = 0;
    while (i < n) {
        size_t eol = find(s, n, i, "\r\n", 2);
        const char *line = s + i;
        size_t len = eol - i;
        if (memchr(line, '\0', len))
            return sm_diag_set(diag, SM_EPARSE, "a NUL byte in the headers of the part at byte %zu",
                               at);
        if (starts_ci(line, len, "content-disposition:")) {
            int rc = disposition(a, line + 20, line + len, part, diag, at);
            if (rc)
                return rc;
        } else if (starts_ci(line, len, "content-type:")) {
            const char *v = line + 13;
            while (v < line + len && (*v == ' ' || *v == '\t'))
                v++;
            char *ct = sm_arena_strndup(a, v, (size_t)(line + len - v));
            if (!ct)
                return SM_ENOMEM;
            if (!sm_utf8_valid(ct, strlen(ct), NULL))
                return sm_diag_set(diag, SM_EPARSE, "bad content type in the part at byte %zu", at);
            part->content_type = ct;
        }
        i = eol + 2;
    }
    if (!part->name)
        return sm_diag_set(diag, SM_EPARSE, "part at byte %zu has no Content-Disposition", at);
    return SM_OK;
}

/* After a delimiter at *pos: "--" ends the body (*last = true); else optional white space
 * and CRLF begin the next part. */
static int after_delimiter(const char *body, size_t n, size_t *pos, bool *last,
                           struct sm_diag *diag)
{
    size_t p = *pos;
    if (p + 2 <= n && body[p] == '-' && body[p + 1] == '-') {
        *last = true;
        *pos = p + 2;
        return SM_OK;
    }
    while (p < n && (body[p] == ' ' || body[p] == '\t'))
        p++;
    if (p + 2 > n || body[p] != '\r' || body[p + 1] != '\n')
        return sm_diag_set(diag, SM_EPARSE, "expected a line break after the boundary at byte %zu",
                           p);
    *last = false;
    *pos = p + 2;
    return SM_OK;
}

int web_multipart_parse(struct sm_arena *arena, const char *body, size_t n, const char *boundary,
                        struct web_multipart *out, struct sm_diag *diag)
{
    out->parts = NULL;
    out->n = 0;
    char delim[WEB_MULTIPART_BOUNDARY + 5];
    size_t bl = strlen(boundary);
    if (bl == 0 || bl > WEB_MULTIPART_BOUNDARY)
        return sm_diag_set(diag, SM_EPARSE, "bad multipart boundary");
    /* "\r\n--" boundary: the delimiter between parts; the first may start the body. */
    memcpy(delim, "\r\n--", 4);
    memcpy(delim + 4, boundary, bl);
    size_t dl = bl + 4;

    size_t pos;
    if (n >= dl - 2 && memcmp(body, delim + 2, dl - 2) == 0) {
        pos = dl - 2;
    } else {
        size_t at = find(body, n, 0, delim, dl);
        if (at == n)
            return sm_diag_set(diag, SM_EPARSE, "the body has no multipart boundary");
        pos = at + dl;
    }
    struct web_part *parts = sm_arena_calloc(arena, WEB_MULTIPART_MAX_PARTS, sizeof *parts);
    if (!parts)
        return SM_ENOMEM;
    size_t count = 0;
    bool last = false;
    int rc = after_delimiter(body, n, &pos, &last, diag);
    while (!rc && !last) {
        if (count == WEB_MULTIPART_MAX_PARTS) {
            rc = sm_diag_set(diag, SM_ELIMIT, "more than %d parts", WEB_MULTIPART_MAX_PARTS);
            break;
        }
        size_t start = pos, head_end, data;
        if (n - pos >= 2 && body[pos] == '\r' && body[pos + 1] == '\n') {
            head_end = pos; /* no headers at all */
            data = pos + 2;
        } else {
            size_t limit = n - pos > WEB_MULTIPART_HEADER_MAX ? pos + WEB_MULTIPART_HEADER_MAX : n;
            head_end = find(body, limit, pos, "\r\n\r\n", 4);
            if (head_end == limit) {
                rc = limit < n ? sm_diag_set(diag, SM_ELIMIT,
                                             "the headers of the part at byte %zu are longer"
                                             " than %d bytes",
                                             start, WEB_MULTIPART_HEADER_MAX)
                               : sm_diag_set(diag, SM_EPARSE,
                                             "the part at byte %zu ends inside its headers", start);
                break;
            }
            data = head_end + 4;
        }
        struct web_part *part = &parts[count];
        rc = headers(arena, body + start, head_end - start, part, diag, start);
        if (rc)
            break;
        size_t end = find(body, n, data, delim, dl);
        if (end == n) {
            rc = sm_diag_set(diag, SM_EPARSE, "the body ends before the closing boundary");
            break;
        }
        part->data = body + data;
        part->len = end - data;
        count++;
        pos = end + dl;
        rc = after_delimiter(body, n, &pos, &last, diag);
    }
    if (rc)
        return rc;
    out->parts = parts;
    out->n = count;
    return SM_OK;
}

const struct web_part *web_multipart_get(const struct web_multipart *mp, const char *name)
{
    for (size_t i = 0; i < mp->n; i++)
        if (strcmp(mp->parts[i].name, name) == 0)
            return &mp->parts[i];
    return NULL;
}

int web_multipart_text(struct sm_arena *arena, const struct web_multipart *mp, const char *name,
                       size_t max, const char **out, struct sm_diag *diag)
{
    *out = NULL;
    const struct web_part *p = web_multipart_get(mp, name);
    if (!p)
        return SM_OK;
    if (p->len > max)
        return sm_diag_set(diag, SM_ELIMIT, "field '%s' is longer than %zu bytes", name, max);
    if (memchr(p->data, '\0', p->len) || !sm_utf8_valid(p->data, p->len, NULL))
        return sm_diag_set(diag, SM_EPARSE, "field '%s' is not valid UTF-8 text", name);
    char *v = sm_arena_strndup(arena, p->data, p->len);
    if (!v)
        return SM_ENOMEM;
    *out = v;
    return SM_OK;
}

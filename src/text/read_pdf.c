/*
 * PDF: text per page through poppler-glib, the only file that includes poppler.
 *
 * A PDF that needs a password to open is refused (SM_EUNSUPPORTED); one encrypted only with
 * an owner password (copy and print restrictions, common in published guidelines) opens
 * without one and is read, since reading its text for analysis is what any viewer does.
 * Anything poppler cannot open is corrupt (SM_EPARSE).
 *
 * Running headers and footers are dropped: a line among the first or last HEADER_LINES
 * non-blank lines of a page is a header or footer when a line of the same form stands in
 * the same place on at least two pages and on more than half of all pages. "The same form"
 * ignores spaces and treats every run of digits as one digit, so "- 3 -", "3 / 12" and
 * "Page 3" repeat across pages like a fixed title does. Lines in the body of a page are
 * never dropped. Broken lines are left for the normaliser to join, like every format's.
 * Poppler's text is scrubbed of invalid UTF-8 (a broken ToUnicode map can produce it) so
 * one bad glyph cannot make a whole document unreadable.
 */
#include "smesec/alloc.h"
#include "smesec/buf.h"
#include "smesec/text.h"
#include "smesec/utf8.h"
#include "text/internal.h"

#include <poppler.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "util/banned.h"

/* Lines at the top and at the bottom of a page that may be a header or a footer. */
#define HEADER_LINES 2

/* A non-blank line of a page: text[start..end), trimmed. */
struct span {
    size_t start;
    size_t end;
};

/* A line in the header or footer zone of a page. */
struct zone_line {
    uint64_t key; /* the line's form; see line_key */
    size_t page;
    int zone; /* 0 top, 1 bottom */
};

struct page_lines {
    char *text; /* scrubbed UTF-8, NUL-terminated, owned */
    size_t len;
    struct span *lines;
    size_t n_lines;
};

/* FNV-1a over the line's form: spaces (ASCII, tab, no-break, ideographic) skipped, each run
 * of digits (ASCII or full-width) hashed as one '#'. */
static uint64_t line_key(const char *s, size_t n)
{
    const unsigned char *p = (const unsigned char *)s;
    uint64_t h = 0xcbf29ce484222325u;
    bool digits = false;
    size_t i = 0;
    while (i < n) {
        unsigned c;
        size_t w = 1;
        bool digit = false, space = false;
        if (p[i] >= '0' && p[i] <= '9')
            digit = true;
        else if (p[i] == ' ' || p[i] == '\t' || p[i] == '\r')
            space = true;
        else if (i + 1 < n && p[i] == 0xC2 && p[i + 1] == 0xA0)
            space = true, w = 2;
        else if (i + 2 < n && p[i] == 0xE3 && p[i + 1] == 0x80 && p[i + 2] == 0x80)
            space = true, w = 3;
        else if (i + 2 < n && p[i] == 0xEF && p[i + 1] == 0xBC && p[i + 2] >= 0x90 &&
                 p[i + 2] <= 0x99)
            digit = true, w = 3;
        if (space) {
            i += w;
            continue;
        }
        if (digit) {
            if (!digits) {
                h = (h ^ '#') * 0x100000001b3u;
                digits = true;
            }
            i += w;
            continue;
        }
        digits = false;
        c = p[i++];
        h = (h ^ c) * 0x100000001b3u;
    }
    return h;
}

static int cmp_zone_line(const void *a, const void *b)
{
    const struct zone_line *x = a, *y = b;
    if (x->zone != y->zone)
        return x->zone < y->zone ? -1 : 1;
    if (x->key != y->key)
        return x->key < y->key ? -1 : 1;
    if (x->page != y->page)
        return x->page < y->page ? -1 : 1;
    return 0;
}

/* Copies s[0..n) with each invalid UTF-8 byte replaced by U+FFFD. */
static int scrub(const char *s, size_t n, char **out, size_t *out_len)
{
    struct sm_buf b;
    sm_buf_init(&b, SIZE_MAX / 4);
    size_t i = 0;
    int rc = SM_OK;
    while (i < n && !rc) {
        size_t bad = 0;
        if (sm_utf8_valid(s + i, n - i, &bad)) {
            rc = sm_buf_append(&b, s + i, n - i);
            break;
        }
        rc = sm_buf_append(&b, s + i, bad);
        if (!rc)
            rc = sm_buf_append(&b, "\xEF\xBF\xBD", 3);
        i += bad + 1;
    }
    if (!rc) {
        *out = sm_buf_take(&b, out_len);
        if (!*out)
            rc = SM_ENOMEM;
    }
    sm_buf_release(&b);
    return rc;
}

/* Splits a page's text into its non-blank lines. */
static int split_lines(struct page_lines *pl)
{
    size_t cap = 0;
    size_t i = 0;
    while (i < pl->len) {
        const char *nl = memchr(pl->text + i, '\n', pl->len - i);
        size_t e = nl ? (size_t)(nl - pl->text) : pl->len;
        size_t a = i, z = e;
        while (a < z && (pl->text[a] == ' ' || pl->text[a] == '\t' || pl->text[a] == '\r'))
            a++;
        while (z > a &&
               (pl->text[z - 1] == ' ' || pl->text[z - 1] == '\t' || pl->text[z - 1] == '\r'))
            z--;
        if (z > a) {
            if (pl->n_lines == cap) {
                size_t ncap = cap ? cap * 2 : 32;
                struct span *p = sm_realloc(pl->lines, ncap * sizeof *p);
                if (!p)
                    return SM_ENOMEM;
                pl->lines = p;
                cap = ncap;
            }
            pl->lines[pl->n_lines].start = a;
            pl->lines[pl->n_lines].end = z;
            pl->n_lines++;
        }
        i = e + 1;
    }
    return SM_OK;
}

/* Zone of line k of a page with n lines: 0 top, 1 bottom, -1 body. Top wins on short pages. */
static int zone_of(size_t k, size_t n)
{
    if (k < HEADER_LINES)
        return 0;
    if (n - k <= HEADER_LINES)
        return 1;
    return -1;
}

/* True when (zone, key) is in the sorted array of repeated lines. */
static bool repeated(const struct zone_line *rep, size_t n_rep, int zone, uint64_t key)
{
    struct zone_line probe = { .key = key, .zone = zone, .page = 0 };
    size_t lo = 0, hi = n_rep;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        const struct zone_line *m = &rep[mid];
        int c = m->zone != probe.zone ? (m->zone < probe.zone ? -1 : 1)
                : m->key != probe.key ? (m->key < probe.key ? -1 : 1)
                                      : 0;
        if (c == 0)
            return true;
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return false;
}

/* Drops the repeated header and footer lines and appends each page to doc. */
static int emit_pages(struct page_lines *pages, size_t n_pages, struct sm__rawdoc *doc,
                      struct sm_diag *diag)
{
    int rc = SM_OK;
    struct zone_line *zl = NULL;
    size_t n_zl = 0;
    struct sm_buf b;
    sm_buf_init(&b, doc->limits->max_text_bytes);
    if (n_pages > SIZE_MAX / (2 * HEADER_LINES * sizeof *zl)) {
        rc = SM_ELIMIT;
        goto out;
    }
    zl = sm_malloc((n_pages ? n_pages : 1) * 2 * HEADER_LINES * sizeof *zl);
    if (!zl) {
        rc = SM_ENOMEM;
        goto out;
    }
    for (size_t p = 0; p < n_pages; p++) {
        const struct page_lines *pl = &pages[p];
        for (size_t k = 0; k < pl->n_lines; k++) {
            int z = zone_of(k, pl->n_lines);
            if (z < 0) {
                k = pl->n_lines - HEADER_LINES - 1; /* skip the body */
                continue;
            }
            const struct span *sp = &pl->lines[k];
            zl[n_zl].key = line_key(pl->text + sp->start, sp->end - sp->start);
            zl[n_zl].page = p;
            zl[n_zl].zone = z;
            n_zl++;
        }
    }
    qsort(zl, n_zl, sizeof *zl, cmp_zone_line);
    /* Keep one entry per (zone, key) seen on enough distinct pages, in place. */
    size_t n_rep = 0;
    for (size_t i = 0; i < n_zl;) {
        size_t j = i, pages_seen = 0;
        while (j < n_zl && zl[j].zone == zl[i].zone && zl[j].key == zl[i].key) {
            if (j == i || zl[j].page != zl[j - 1].page)
                pages_seen++;
            j++;
        }
        if (pages_seen >= 2 && pages_seen * 2 > n_pages)
            zl[n_rep++] = zl[i];
        i = j;
    }
    for (size_t p = 0; p < n_pages && !rc; p++) {
        const struct page_lines *pl = &pages[p];
        sm_buf_reset(&b);
        for (size_t k = 0; k < pl->n_lines && !rc; k++) {
            const struct span *sp = &pl->lines[k];
            int z = zone_of(k, pl->n_lines);
            if (z >= 0 && n_rep &&
                repeated(zl, n_rep, z, line_key(pl->text + sp->start, sp->end - sp->start)))
                continue;
            rc = sm_buf_append(&b, pl->text + sp->start, sp->end - sp->start);
            if (!rc)
                rc = sm_buf_putc(&b, '\n');
        }
        if (rc == SM_ELIMIT)
            rc = sm_diag_set(diag, SM_ELIMIT, "more than %zu bytes of text",
                             doc->limits->max_text_bytes);
        if (!rc)
            rc = sm__rawdoc_add(doc, b.data ? b.data : "", b.len, diag);
    }
out:
    sm_buf_release(&b);
    sm_free(zl);
    return rc;
}

int sm__read_pdf(const char *data, size_t n, struct sm__rawdoc *doc, struct sm_diag *diag)
{
    int rc = SM_OK;
    GError *err = NULL;
    struct page_lines *pages = NULL;
    size_t n_pages = 0;
    GBytes *bytes = g_bytes_new_static(data, n);
    PopplerDocument *pd = poppler_document_new_from_bytes(bytes, NULL, &err);
    if (!pd) {
        if (err && err->domain == POPPLER_ERROR && err->code == POPPLER_ERROR_ENCRYPTED)
            rc = sm_diag_set(diag, SM_EUNSUPPORTED, "encrypted PDF (it needs a password)");
        else
            rc = sm_diag_set(diag, SM_EPARSE, "not a readable PDF (%s)",
                             err && err->message ? err->message : "unknown error");
        goto out;
    }
    int count = poppler_document_get_n_pages(pd);
    if (count < 0 || (size_t)count > doc->limits->max_pages) {
        rc = sm_diag_set(diag, SM_ELIMIT, "more than %zu pages", doc->limits->max_pages);
        goto out;
    }
    pages = sm_calloc(count ? (size_t)count : 1, sizeof *pages);
    if (!pages) {
        rc = SM_ENOMEM;
        goto out;
    }
    size_t total = 0;
    for (int i = 0; i < count && !rc; i++) {
        PopplerPage *page = poppler_document_get_page(pd, i);
        char *text = page ? poppler_page_get_text(page) : NULL;
        size_t len = text ? strlen(text) : 0;
        if (len > doc->limits->max_text_bytes - total)
            rc = sm_diag_set(diag, SM_ELIMIT, "more than %zu bytes of text",
                             doc->limits->max_text_bytes);
        else
            rc = scrub(text ? text : "", len, &pages[i].text, &pages[i].len);
        total += len;
        n_pages++;
        g_free(text);
        if (page)
            g_object_unref(page);
        if (!rc)
            rc = split_lines(&pages[i]);
    }
    if (!rc)
        rc = emit_pages(pages, n_pages, doc, diag);
out:
    for (size_t i = 0; i < n_pages; i++) {
        sm_free(pages[i].text);
        sm_free(pages[i].lines);
    }
    sm_free(pages);
    if (pd)
        g_object_unref(pd);
    if (err)
        g_error_free(err);
    g_bytes_unref(bytes);
    return rc;
}

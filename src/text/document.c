/*
 * Documents: reading a file into normalised pages, whatever its format.
 *
 * The flow is: check the size, pick the format (magic bytes, then the file name's
 * extension), let the format's reader extract raw pages (read_text.c, read_pdf.c,
 * read_docx.c), then normalise every page here, in one place, so that every format yields
 * text of the same form and evidence offsets mean the same thing whatever the source.
 *
 * Invariants: a document is refused whole or returned whole; the limits hold before any
 * large allocation (the file size before reading, pages and text bytes as readers extract
 * them); every message names the file ("cannot read 'x.pdf': encrypted PDF"); page numbers
 * are the source's (PDF pages, DOCX page breaks, form feeds), empty pages included, so a
 * reader can find the page in the original.
 */
#include "smesec/text.h"

#include "smesec/alloc.h"
#include "text/internal.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "util/banned.h"

#define DEFAULT_MAX_BYTES ((size_t)64 * 1024 * 1024)
#define DEFAULT_MAX_PAGES 5000

void sm_read_limits_init(struct sm_read_limits *limits)
{
    limits->max_file_bytes = DEFAULT_MAX_BYTES;
    limits->max_text_bytes = DEFAULT_MAX_BYTES;
    limits->max_pages = DEFAULT_MAX_PAGES;
}

const char *sm_doc_format_name(enum sm_doc_format format)
{
    switch (format) {
    case SM_DOC_AUTO:
        return "auto";
    case SM_DOC_TEXT:
        return "text";
    case SM_DOC_MARKDOWN:
        return "markdown";
    case SM_DOC_PDF:
        return "pdf";
    case SM_DOC_DOCX:
        return "docx";
    }
    return "unknown";
}

/* --- Raw pages ---------------------------------------------------------------------------- */

void sm__rawdoc_init(struct sm__rawdoc *d, const struct sm_read_limits *limits)
{
    memset(d, 0, sizeof *d);
    d->limits = limits;
}

void sm__rawdoc_release(struct sm__rawdoc *d)
{
    for (size_t i = 0; i < d->n; i++)
        sm_free(d->text[i]);
    sm_free(d->text);
    sm_free(d->len);
    d->text = NULL;
    d->len = NULL;
    d->n = d->cap = d->total = 0;
}

int sm__rawdoc_add(struct sm__rawdoc *d, const char *text, size_t len, struct sm_diag *diag)
{
    if (d->n >= d->limits->max_pages)
        return sm_diag_set(diag, SM_ELIMIT, "more than %zu pages", d->limits->max_pages);
    if (len > d->limits->max_text_bytes - d->total)
        return sm_diag_set(diag, SM_ELIMIT, "more than %zu bytes of text",
                           d->limits->max_text_bytes);
    if (d->n == d->cap) {
        size_t ncap = d->cap ? d->cap * 2 : 8;
        char **t = sm_realloc(d->text, ncap * sizeof *t);
        if (!t)
            return SM_ENOMEM;
        d->text = t;
        size_t *l = sm_realloc(d->len, ncap * sizeof *l);
        if (!l)
            return SM_ENOMEM;
        d->len = l;
        d->cap = ncap;
    }
    char *copy = sm_strndup(text, len);
    if (!copy)
        return SM_ENOMEM;
    d->text[d->n] = copy;
    d->len[d->n] = len;
    d->n++;
    d->total += len;
    return SM_OK;
}

int sm__rawdoc_add_split(struct sm__rawdoc *d, const char *text, size_t len, struct sm_diag *diag)
{
    size_t start = 0;
    bool split = false;
    for (;;) {
        const char *ff = memchr(text + start, '\f', len - start);
        size_t end = ff ? (size_t)(ff - text) : len;
        if (!ff && split) {
            /* White space after the last form feed is not a page of its own. */
            bool blank = true;
            for (size_t i = start; i < end && blank; i++)
                blank = text[i] == ' ' || text[i] == '\t' || text[i] == '\r' || text[i] == '\n';
            if (blank)
                return SM_OK;
        }
        int rc = sm__rawdoc_add(d, text + start, end - start, diag);
        if (rc || !ff)
            return rc;
        split = true;
        start = end + 1;
    }
}

/* --- Format detection --------------------------------------------------------------------- */

/* ASCII-only, locale-free case-insensitive suffix test. */
static bool ends_with(const char *name, const char *suffix)
{
    size_t n = strlen(name), k = strlen(suffix);
    if (k > n)
        return false;
    for (size_t i = 0; i < k; i++) {
        char c = name[n - k + i];
        if (c >= 'A' && c <= 'Z')
            c = (char)(c - 'A' + 'a');
        if (c != suffix[i])
            return false;
    }
    return true;
}

static bool has_pdf_magic(const char *d, size_t n)
{
    /* The PDF header may follow up to 1024 bytes of junk, which readers accept. */
    size_t lim = n < 1024 ? n : 1024;
    for (size_t i = 0; i + 5 <= lim; i++)
        if (memcmp(d + i, "%PDF-", 5) == 0)
            return true;
    return false;
}

/* Picks the format, or refuses a format we know and cannot read. */
static int guess_format(const char *d, size_t n, const char *name, enum sm_doc_format *out,
                        struct sm_diag *diag)
{
    if (has_pdf_magic(d, n)) {
        *out = SM_DOC_PDF;
        return SM_OK;
    }
    if (n >= 4 && memcmp(d, "PK\x03\x04", 4) == 0) {
        *out = SM_DOC_DOCX;
        return SM_OK;
    }
    if (n >= 8 && memcmp(d, "\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1", 8) == 0)
        return sm_diag_set(diag, SM_EUNSUPPORTED,
                           "a Word 97-2003 file or a password-protected Office file is not "
                           "supported (save it as DOCX or PDF without a password)");
    if (n >= 5 && memcmp(d, "{\\rtf", 5) == 0)
        return sm_diag_set(diag, SM_EUNSUPPORTED, "RTF is not supported (save it as DOCX)");
    *out = SM_DOC_TEXT;
    if (name) {
        if (ends_with(name, ".pdf"))
            *out = SM_DOC_PDF;
        else if (ends_with(name, ".docx"))
            *out = SM_DOC_DOCX;
        else if (ends_with(name, ".md") || ends_with(name, ".markdown"))
            *out = SM_DOC_MARKDOWN;
    }
    return SM_OK;
}

/* --- Documents ---------------------------------------------------------------------------- */

void sm_document_free(struct sm_document *doc)
{
    if (!doc)
        return;
    for (size_t i = 0; i < doc->n_pages; i++)
        sm_free(doc->pages[i].text);
    sm_free(doc->pages);
    sm_free(doc);
}

/* Normalises texts[i] (of lens[i] bytes) into a new document. */
static int build(const char *const *texts, const size_t *lens, const int *numbers, size_t n_pages,
                 struct sm_document **out, struct sm_diag *diag)
{
    int rc = SM_OK;
    struct sm_document *doc = sm_calloc(1, sizeof *doc);
    if (!doc)
        return SM_ENOMEM;
    if (n_pages) {
        doc->pages = sm_calloc(n_pages, sizeof *doc->pages);
        if (!doc->pages) {
            rc = SM_ENOMEM;
            goto out;
        }
    }
    for (size_t i = 0; i < n_pages; i++) {
        struct sm_page *pg = &doc->pages[i];
        int number = numbers ? numbers[i] : (int)(i + 1);
        struct sm_diag inner;
        rc = sm_text_normalize(texts[i], lens[i], &pg->text, &pg->len, &inner);
        if (rc) {
            if (rc != SM_ENOMEM) {
                sm_diag_set(diag, rc, "page %d: %s", number, inner.msg);
                if (diag)
                    diag->offset = inner.offset;
            }
            goto out;
        }
        pg->number = number;
        doc->n_pages++;
    }
out:
    if (rc) {
        sm_document_free(doc);
        return rc;
    }
    *out = doc;
    return SM_OK;
}

/* Prefixes diag's message with the file's name, keeping the offset. */
static int name_failure(struct sm_diag *diag, int rc, const char *name)
{
    if (!diag)
        return rc;
    char inner[sizeof diag->msg];
    memcpy(inner, diag->msg, sizeof inner);
    inner[sizeof inner - 1] = '\0';
    if (!inner[0])
        snprintf(inner, sizeof inner, "%s", sm_strerror(rc));
    if (name)
        return sm_diag_set(diag, rc, "cannot read '%s': %s", name, inner);
    return sm_diag_set(diag, rc, "cannot read document: %s", inner);
}

static int read_mem(const char *data, size_t n, const char *name, enum sm_doc_format format,
                    const struct sm_read_limits *limits, struct sm_document **out,
                    struct sm_diag *diag)
{
    int rc;
    struct sm__rawdoc raw;
    sm__rawdoc_init(&raw, limits);
    enum sm_encoding enc = SM_ENC_UTF8;
    if (n == 0)
        return sm_diag_set(diag, SM_EINVAL, "empty file");
    if (n > limits->max_file_bytes)
        return sm_diag_set(diag, SM_ELIMIT, "file is larger than %zu bytes",
                           limits->max_file_bytes);
    if ((int)format < (int)SM_DOC_AUTO || (int)format > (int)SM_DOC_DOCX)
        return sm_diag_set(diag, SM_EINVAL, "unknown format %d", (int)format);
    if (format == SM_DOC_AUTO) {
        rc = guess_format(data, n, name, &format, diag);
        if (rc)
            return rc;
    }
    switch (format) {
    case SM_DOC_AUTO: /* not reached: guessed above */
    case SM_DOC_TEXT:
        rc = sm__read_text(data, n, false, &raw, &enc, diag);
        break;
    case SM_DOC_MARKDOWN:
        rc = sm__read_text(data, n, true, &raw, &enc, diag);
        break;
    case SM_DOC_PDF:
        rc = sm__read_pdf(data, n, &raw, diag);
        break;
    case SM_DOC_DOCX:
        rc = sm__read_docx(data, n, &raw, diag);
        break;
    }
    if (rc)
        goto out;
    struct sm_document *doc = NULL;
    rc = build((const char *const *)raw.text, raw.len, NULL, raw.n, &doc, diag);
    if (rc)
        goto out;
    bool text = false;
    for (size_t i = 0; i < doc->n_pages && !text; i++)
        text = doc->pages[i].len > 0;
    if (!text) {
        sm_document_free(doc);
        rc = sm_diag_set(diag, SM_EINVAL,
                         format == SM_DOC_PDF ? "no text (a scanned PDF holds only images)"
                                              : "no text");
        goto out;
    }
    doc->format = format;
    doc->encoding = enc;
    *out = doc;
out:
    sm__rawdoc_release(&raw);
    return rc;
}

int sm_document_read_mem(const void *data, size_t n, const char *name, enum sm_doc_format format,
                         const struct sm_read_limits *limits, struct sm_document **out,
                         struct sm_diag *diag)
{
    struct sm_read_limits defaults;
    if (!limits) {
        sm_read_limits_init(&defaults);
        limits = &defaults;
    }
    sm_diag_clear(diag);
    int rc = read_mem(data, n, name, format, limits, out, diag);
    if (rc && rc != SM_ENOMEM)
        return name_failure(diag, rc, name);
    return rc;
}

int sm_document_read_file(const char *path, enum sm_doc_format format,
                          const struct sm_read_limits *limits, struct sm_document **out,
                          struct sm_diag *diag)
{
    int rc = SM_OK;
    char *data = NULL;
    struct sm_read_limits defaults;
    if (!limits) {
        sm_read_limits_init(&defaults);
        limits = &defaults;
    }
    sm_diag_clear(diag);
    FILE *f = fopen(path, "rb");
    struct stat st;
    if (!f || fstat(fileno(f), &st) != 0) {
        int e = errno;
        char why[128];
        if (strerror_r(e, why, sizeof why) != 0)
            snprintf(why, sizeof why, "error %d", e);
        rc = sm_diag_set(diag, e == ENOENT ? SM_ENOTFOUND : SM_EIO, "cannot open '%s': %s", path,
                         why);
        goto out;
    }
    if (!S_ISREG(st.st_mode)) {
        rc = sm_diag_set(diag, SM_EINVAL, "cannot read '%s': not a regular file", path);
        goto out;
    }
    size_t size = (size_t)st.st_size;
    if (size == 0) {
        rc = sm_diag_set(diag, SM_EINVAL, "cannot read '%s': empty file", path);
        goto out;
    }
    if ((uintmax_t)st.st_size > limits->max_file_bytes) {
        rc = sm_diag_set(diag, SM_ELIMIT, "cannot read '%s': file is larger than %zu bytes", path,
                         limits->max_file_bytes);
        goto out;
    }
    data = sm_malloc(size);
    if (!data) {
        rc = SM_ENOMEM;
        goto out;
    }
    if (fread(data, 1, size, f) != size) {
        rc = sm_diag_set(diag, SM_EIO, "cannot read '%s': short read", path);
        goto out;
    }
    rc = sm_document_read_mem(data, size, path, format, limits, out, diag);
out:
    sm_free(data);
    if (f)
        fclose(f);
    return rc;
}

int sm_document_from_pages(const char *const *texts, const int *numbers, size_t n_pages,
                           struct sm_document **out, struct sm_diag *diag)
{
    int rc = SM_OK;
    sm_diag_clear(diag);
    size_t *lens = NULL;
    if (n_pages) {
        lens = sm_malloc(n_pages * sizeof *lens);
        if (!lens)
            return SM_ENOMEM;
    }
    for (size_t i = 0; i < n_pages; i++) {
        if (numbers && numbers[i] < 1) {
            rc = sm_diag_set(diag, SM_EINVAL, "page number %d is not positive", numbers[i]);
            goto out;
        }
        lens[i] = strlen(texts[i]);
    }
    struct sm_document *doc = NULL;
    rc = build(texts, lens, numbers, n_pages, &doc, diag);
    if (rc)
        goto out;
    doc->format = SM_DOC_TEXT;
    doc->encoding = SM_ENC_UTF8;
    *out = doc;
out:
    sm_free(lens);
    return rc;
}

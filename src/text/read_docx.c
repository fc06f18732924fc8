/*
 * DOCX: the text of word/document.xml, through libzip and libxml2 (the only file that
 * includes them).
 *
 * Text: each w:p paragraph ends with a blank line (paragraphs are never joined; a DOCX
 * paragraph is already whole), w:t gives text, w:tab a tab, w:br and w:cr a line break.
 * Pages: only explicit breaks count (w:br w:type="page", and w:pageBreakBefore on a
 * paragraph that does not start a page); w:lastRenderedPageBreak is where Word last happened
 * to lay out a page and differs between machines, so it is ignored. Deleted text (w:delText),
 * field codes (w:instrText) and the fallback copy of mc:AlternateContent (which repeats the
 * text of text boxes) are left out; headers, footers and footnotes live in other parts and
 * are not read.
 *
 * Hostile input: the ZIP member's declared size is checked against max_text_bytes before
 * reading, so is its compression ratio (deflate of real XML stays far below MAX_RATIO; a ZIP
 * bomb goes to about 1000), and the bytes actually inflated are counted against both the
 * declared size and the limit, since the declaration may lie. The XML is parsed without
 * network access and without entity substitution (XML_PARSE_NOENT is never set); a document
 * type declaration, which a DOCX never has, is refused before anything it declares is used;
 * libxml2's default depth limit stays on (no XML_PARSE_HUGE).
 */
#include "smesec/alloc.h"
#include "smesec/buf.h"
#include "smesec/text.h"
#include "text/internal.h"

#include <libxml/xmlreader.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <zip.h>

#include "util/banned.h"

#define MAIN_PART "word/document.xml"
/* Members smaller than this are not checked for their ratio: tiny XML compresses well. */
#define RATIO_MIN_SIZE (1024 * 1024)
#define MAX_RATIO      100

static const char w_ns[] = "http://schemas.openxmlformats.org/wordprocessingml/2006/main";
static const char w_strict_ns[] = "http://purl.oclc.org/ooxml/wordprocessingml/main";
static const char mc_ns[] = "http://schemas.openxmlformats.org/markup-compatibility/2006";

static pthread_once_t xml_once = PTHREAD_ONCE_INIT;

static void xml_init(void)
{
    xmlInitParser();
}

/* The first error libxml2 reports, kept instead of printed. */
struct xml_error {
    char msg[160];
    int line;
};

static void on_xml_error(void *ctx, xmlErrorPtr e)
{
    struct xml_error *x = ctx;
    if (x->msg[0] || !e)
        return;
    snprintf(x->msg, sizeof x->msg, "%s", e->message ? e->message : "error");
    size_t n = strlen(x->msg);
    while (n && (x->msg[n - 1] == '\n' || x->msg[n - 1] == ' '))
        x->msg[--n] = '\0';
    x->line = e->line;
}

static bool is_w(const xmlChar *ns)
{
    return ns &&
           (strcmp((const char *)ns, w_ns) == 0 || strcmp((const char *)ns, w_strict_ns) == 0);
}

static bool named(const xmlChar *name, const char *want)
{
    return strcmp((const char *)name, want) == 0;
}

/* The value of attribute w:name (in either WordprocessingML namespace); xmlFree it. */
static xmlChar *w_attr(xmlTextReaderPtr rd, const char *name)
{
    xmlChar *v = xmlTextReaderGetAttributeNs(rd, (const xmlChar *)name, (const xmlChar *)w_ns);
    if (!v)
        v = xmlTextReaderGetAttributeNs(rd, (const xmlChar *)name, (const xmlChar *)w_strict_ns);
    return v;
}

/* A w:val that turns a property off. */
static bool is_off(const xmlChar *v)
{
    return v && (named(v, "0") || named(v, "false") || named(v, "off"));
}

/* Walks the XML and writes its text to b (pages separated by form feeds). */
static int extract(const char *xml, size_t n, struct sm_buf *b, struct sm_diag *diag)
{
    int rc = SM_OK;
    struct xml_error err = { .line = 0 };
    if (n > INT_MAX)
        return sm_diag_set(diag, SM_ELIMIT, "%s is too large", MAIN_PART);
    xmlTextReaderPtr rd = xmlReaderForMemory(
        xml, (int)n, MAIN_PART, NULL, XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
    if (!rd)
        return SM_ENOMEM;
    xmlTextReaderSetStructuredErrorHandler(rd, on_xml_error, &err);
    bool in_text = false;   /* inside w:t */
    bool page_text = false; /* the current page has text */
    int r = xmlTextReaderRead(rd);
    while (r == 1 && !rc) {
        int type = xmlTextReaderNodeType(rd);
        if (type == XML_READER_TYPE_DOCUMENT_TYPE) {
            rc = sm_diag_set(diag, SM_EPARSE, "%s has a document type declaration", MAIN_PART);
            break;
        }
        if (type == XML_READER_TYPE_ELEMENT || type == XML_READER_TYPE_END_ELEMENT) {
            const xmlChar *ns = xmlTextReaderConstNamespaceUri(rd);
            const xmlChar *name = xmlTextReaderConstLocalName(rd);
            bool end = type == XML_READER_TYPE_END_ELEMENT;
            if (!name) {
                rc = SM_ENOMEM;
                break;
            }
            if (!end && ns && strcmp((const char *)ns, mc_ns) == 0 && named(name, "Fallback")) {
                r = xmlTextReaderNext(rd); /* skip the copy */
                continue;
            }
            if (is_w(ns)) {
                if (named(name, "t")) {
                    in_text = !end && !xmlTextReaderIsEmptyElement(rd);
                } else if (end && named(name, "p")) {
                    rc = sm_buf_puts(b, "\n\n");
                } else if (!end && (named(name, "tab") || named(name, "ptab"))) {
                    rc = sm_buf_putc(b, '\t');
                } else if (!end && named(name, "cr")) {
                    rc = sm_buf_putc(b, '\n');
                } else if (!end && named(name, "noBreakHyphen")) {
                    rc = sm_buf_putc(b, '-');
                } else if (!end && named(name, "br")) {
                    xmlChar *kind = w_attr(rd, "type");
                    bool page = kind && named(kind, "page");
                    xmlFree(kind);
                    rc = sm_buf_putc(b, page ? '\f' : '\n');
                    if (page)
                        page_text = false;
                } else if (!end && named(name, "pageBreakBefore")) {
                    xmlChar *val = w_attr(rd, "val");
                    bool on = !is_off(val);
                    xmlFree(val);
                    if (on && page_text) {
                        rc = sm_buf_putc(b, '\f');
                        page_text = false;
                    }
                }
            }
        } else if (in_text && (type == XML_READER_TYPE_TEXT ||
                               type == XML_READER_TYPE_SIGNIFICANT_WHITESPACE ||
                               type == XML_READER_TYPE_CDATA)) {
            const xmlChar *v = xmlTextReaderConstValue(rd);
            if (v && v[0]) {
                rc = sm_buf_puts(b, (const char *)v);
                page_text = true;
            }
        }
        if (!rc)
            r = xmlTextReaderRead(rd);
    }
    if (rc == SM_ELIMIT)
        rc = sm_diag_set(diag, SM_ELIMIT, "more than %zu bytes of text", b->max);
    else if (!rc && r < 0)
        rc = sm_diag_set(diag, SM_EPARSE, "malformed %s (line %d: %s)", MAIN_PART, err.line,
                         err.msg[0] ? err.msg : "parse error");
    xmlFreeTextReader(rd);
    return rc;
}

/* Reads the main part into b, with the ZIP bomb checks. */
static int read_member(zip_t *za, const struct sm_read_limits *limits, struct sm_buf *xml,
                       struct sm_diag *diag)
{
    int rc = SM_OK;
    zip_int64_t idx = zip_name_locate(za, MAIN_PART, ZIP_FL_NOCASE);
    if (idx < 0)
        return sm_diag_set(diag, SM_EPARSE, "not a DOCX file (no %s)", MAIN_PART);
    zip_stat_t st;
    zip_stat_init(&st);
    if (zip_stat_index(za, (zip_uint64_t)idx, 0, &st) != 0 || !(st.valid & ZIP_STAT_SIZE))
        return sm_diag_set(diag, SM_EPARSE, "corrupt ZIP entry %s", MAIN_PART);
    if ((st.valid & ZIP_STAT_ENCRYPTION_METHOD) && st.encryption_method != ZIP_EM_NONE)
        return sm_diag_set(diag, SM_EUNSUPPORTED, "encrypted ZIP entry %s", MAIN_PART);
    if (st.size > limits->max_text_bytes)
        return sm_diag_set(diag, SM_ELIMIT, "%s would expand to %llu bytes, over %zu", MAIN_PART,
                           (unsigned long long)st.size, limits->max_text_bytes);
    if ((st.valid & ZIP_STAT_COMP_SIZE) && st.size >= RATIO_MIN_SIZE &&
        st.size / (st.comp_size ? st.comp_size : 1) > MAX_RATIO)
        return sm_diag_set(
            diag, SM_ELIMIT, "%s would expand %llu times (compression ratio over %d)", MAIN_PART,
            (unsigned long long)(st.size / (st.comp_size ? st.comp_size : 1)), MAX_RATIO);
    zip_file_t *zf = zip_fopen_index(za, (zip_uint64_t)idx, 0);
    if (!zf) {
        zip_error_t *ze = zip_get_error(za);
        int code = zip_error_code_zip(ze);
        if (code == ZIP_ER_NOPASSWD || code == ZIP_ER_WRONGPASSWD || code == ZIP_ER_ENCRNOTSUPP)
            return sm_diag_set(diag, SM_EUNSUPPORTED, "encrypted ZIP entry %s", MAIN_PART);
        if (code == ZIP_ER_COMPNOTSUPP)
            return sm_diag_set(diag, SM_EUNSUPPORTED, "unsupported compression of %s", MAIN_PART);
        if (code == ZIP_ER_MEMORY)
            return SM_ENOMEM;
        return sm_diag_set(diag, SM_EPARSE, "cannot open %s (%s)", MAIN_PART,
                           zip_error_strerror(ze));
    }
    /* Never more than the declared size, which is within the limit. */
    sm_buf_init(xml, (size_t)st.size);
    char chunk[16384];
    for (;;) {
        zip_int64_t got = zip_fread(zf, chunk, sizeof chunk);
        if (got < 0) {
            zip_error_t *ze = zip_file_get_error(zf);
            rc = zip_error_code_zip(ze) == ZIP_ER_MEMORY
                     ? SM_ENOMEM
                     : sm_diag_set(diag, SM_EPARSE, "corrupt ZIP entry %s (%s)", MAIN_PART,
                                   zip_error_strerror(ze));
            break;
        }
        if (got == 0)
            break;
        rc = sm_buf_append(xml, chunk, (size_t)got);
        if (rc == SM_ELIMIT) {
            /* The declaration lied: stop here rather than inflate a bomb to the limit. */
            rc = sm_diag_set(diag, SM_ELIMIT,
                             "%s expands past the %llu bytes its ZIP entry "
                             "declares",
                             MAIN_PART, (unsigned long long)st.size);
            break;
        }
        if (rc)
            break;
    }
    zip_fclose(zf);
    if (!rc && xml->len != st.size)
        rc = sm_diag_set(diag, SM_EPARSE, "%s is shorter than its ZIP entry declares", MAIN_PART);
    return rc;
}

int sm__read_docx(const char *data, size_t n, struct sm__rawdoc *doc, struct sm_diag *diag)
{
    int rc = SM_OK;
    zip_t *za = NULL;
    struct sm_buf xml, text;
    sm_buf_init(&xml, 0);
    sm_buf_init(&text, doc->limits->max_text_bytes);
    pthread_once(&xml_once, xml_init);
    zip_error_t ze;
    zip_error_init(&ze);
    zip_source_t *src = zip_source_buffer_create(data, n, 0, &ze);
    if (!src) {
        rc = SM_ENOMEM;
        goto out;
    }
    za = zip_open_from_source(src, ZIP_RDONLY, &ze);
    if (!za) {
        zip_source_free(src);
        rc = zip_error_code_zip(&ze) == ZIP_ER_MEMORY
                 ? SM_ENOMEM
                 : sm_diag_set(diag, SM_EPARSE, "not a DOCX file (%s)", zip_error_strerror(&ze));
        goto out;
    }
    rc = read_member(za, doc->limits, &xml, diag);
    if (!rc)
        rc = extract(xml.data ? xml.data : "", xml.len, &text, diag);
    if (!rc)
        rc = sm__rawdoc_add_split(doc, text.data ? text.data : "", text.len, diag);
out:
    if (za)
        zip_discard(za);
    zip_error_fini(&ze);
    sm_buf_release(&xml);
    sm_buf_release(&text);
    return rc;
}

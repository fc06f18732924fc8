/*
 * Reading cells out of an XLSX workbook (see xlsx.h): the only file in src/catalog that
 * includes zip.h and the libxml2 headers.
 *
 * An XLSX file is a ZIP archive of XML parts. The reader follows the package's
 * relationships as the standard says (_rels/.rels names the workbook, the workbook's rels
 * name its sheets and shared strings) rather than assuming Excel's file names, so workbooks
 * from Excel, LibreOffice and libxlsxwriter all read. Text comes from shared strings (t="s"),
 * inline strings (t="inlineStr"), formula results (t="str") and plain values; rich-text runs
 * are joined and phonetic guides (<rPh>, which Japanese Excel adds) are left out.
 *
 * Outside input, so: the file, each part as it expands and the sum of all parts have hard
 * limits, checked while bytes are inflated (a zip bomb stops at the limit, whatever its
 * headers claim); parts are streamed through libxml2's reader, never built as a tree, so a
 * huge sheet costs one row of memory; the XML parser never touches the network, loads no
 * DTD, expands no entities and refuses any document type declaration outright; its messages
 * are captured, never printed. libxml2 and libzip allocate with malloc, outside sm_malloc's
 * failure hook.
 */
#include "catalog/xlsx.h"

#include "smesec/alloc.h"
#include "smesec/buf.h"

#include <errno.h>
#include <libxml/parser.h>
#include <libxml/xmlreader.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <threads.h>
#include <zip.h>

#include "util/banned.h"

#define XML_OPTIONS (XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING | XML_PARSE_NOCDATA)
#define MAX_SHEETS  256
#define MAX_ENTRIES 10000
#define MAX_COLUMN  16384 /* XFD */
#define MAX_ROW     1048576

struct sheet {
    char *name;
    char *part;
};

struct sm__xlsx {
    zip_t *zip;
    char *path;
    size_t total; /* bytes inflated so far, all parts */
    size_t n_sheets;
    struct sheet sheets[MAX_SHEETS];
    /* Shared strings, decoded, NUL-terminated one after another in sst. */
    char *sst;
    size_t *sst_off;
    size_t n_sst;
};

/* --- Streaming one part through libxml2 --------------------------------------------------- */

struct part {
    struct sm__xlsx *x;
    const char *name;
    zip_file_t *zf;
    xmlTextReaderPtr reader;
    size_t read;
    bool over_part, over_total, io_error;
    char err[160];
    int err_line;
};

static int io_read(void *ctx, char *buf, int len)
{
    struct part *p = ctx;
    if (len <= 0)
        return 0;
    zip_int64_t k = zip_fread(p->zf, buf, (zip_uint64_t)len);
    if (k < 0) {
        p->io_error = true;
        return -1;
    }
    p->read += (size_t)k;
    p->x->total += (size_t)k;
    if (p->read > SM__XLSX_MAX_PART) {
        p->over_part = true;
        return -1;
    }
    if (p->x->total > SM__XLSX_MAX_TOTAL) {
        p->over_total = true;
        return -1;
    }
    return (int)k;
}

static int io_close(void *ctx)
{
    (void)ctx; /* the zip file is closed by part_close */
    return 0;
}

static void on_xml_error(void *ctx, xmlErrorPtr e)
{
    struct part *p = ctx;
    if (p->err[0] || !e)
        return;
    snprintf(p->err, sizeof p->err, "%s", e->message ? e->message : "malformed XML");
    /* libxml2's messages end with a line feed. */
    size_t n = strlen(p->err);
    while (n && (p->err[n - 1] == '\n' || p->err[n - 1] == '\r'))
        p->err[--n] = '\0';
    p->err_line = e->line;
}

static once_flag xml_once = ONCE_FLAG_INIT;

static void xml_init(void)
{
    xmlInitParser();
}

/* Normalises a part name: drops a leading '/', resolves "." and ".." segments. */
static int normalise(const char *in, char *out, size_t size)
{
    size_t n = 0;
    const char *s = in;
    while (*s == '/')
        s++;
    while (*s) {
        const char *slash = strchr(s, '/');
        size_t len = slash ? (size_t)(slash - s) : strlen(s);
        if (len == 2 && s[0] == '.' && s[1] == '.') {
            /* Back up over the last segment written. */
            if (n > 0)
                n--;
            while (n > 0 && out[n - 1] != '/')
                n--;
        } else if (!(len == 1 && s[0] == '.') && len > 0) {
            if (n + len + 2 > size)
                return SM_ELIMIT;
            memcpy(out + n, s, len);
            n += len;
            if (slash)
                out[n++] = '/';
        }
        s += len;
        while (*s == '/')
            s++;
    }
    if (n > 0 && out[n - 1] == '/')
        n--;
    out[n] = '\0';
    return n ? SM_OK : SM_EINVAL;
}

static int part_open(struct sm__xlsx *x, const char *name, struct part *p, struct sm_diag *diag)
{
    memset(p, 0, sizeof *p);
    p->x = x;
    p->name = name;
    zip_int64_t idx = zip_name_locate(x->zip, name, ZIP_FL_NOCASE);
    if (idx < 0)
        return SM_ENOTFOUND;
    p->zf = zip_fopen_index(x->zip, (zip_uint64_t)idx, 0);
    if (!p->zf)
        return sm_diag_set(diag, SM_EPARSE, "cannot read part '%s' of workbook '%s': %s", name,
                           x->path, zip_strerror(x->zip));
    call_once(&xml_once, xml_init);
    p->reader = xmlReaderForIO(io_read, io_close, p, name, NULL, XML_OPTIONS);
    if (!p->reader) {
        zip_fclose(p->zf);
        p->zf = NULL;
        return sm_diag_set(diag, SM_ENOMEM, "cannot start reading part '%s'", name);
    }
    xmlTextReaderSetStructuredErrorHandler(p->reader, on_xml_error, p);
    return SM_OK;
}

static void part_close(struct part *p)
{
    if (p->reader)
        xmlFreeTextReader(p->reader);
    if (p->zf)
        zip_fclose(p->zf);
    p->reader = NULL;
    p->zf = NULL;
}

/* Moves to the next node: 1 when there is one, 0 at the end, or a negative sm_err. */
static int part_next(struct part *p, struct sm_diag *diag)
{
    int k = xmlTextReaderRead(p->reader);
    if (k == 1) {
        if (xmlTextReaderNodeType(p->reader) == XML_READER_TYPE_DOCUMENT_TYPE)
            return sm_diag_set(diag, SM_EPARSE,
                               "part '%s' of workbook '%s' has a document type declaration, "
                               "which a workbook never needs",
                               p->name, p->x->path);
        return 1;
    }
    if (k == 0)
        return 0;
    if (p->over_part)
        return sm_diag_set(diag, SM_ELIMIT,
                           "part '%s' of workbook '%s' expands to more than %zu MiB", p->name,
                           p->x->path, SM__XLSX_MAX_PART >> 20);
    if (p->over_total)
        return sm_diag_set(diag, SM_ELIMIT, "workbook '%s' expands to more than %zu MiB",
                           p->x->path, SM__XLSX_MAX_TOTAL >> 20);
    if (p->io_error)
        return sm_diag_set(diag, SM_EPARSE, "cannot inflate part '%s' of workbook '%s'", p->name,
                           p->x->path);
    return sm_diag_set(diag, SM_EPARSE, "bad XML in part '%s' of workbook '%s' (line %d): %s",
                       p->name, p->x->path, p->err_line, p->err[0] ? p->err : "malformed");
}

static int node_type(const struct part *p)
{
    return xmlTextReaderNodeType(p->reader);
}

static bool is_element(const struct part *p, const char *local)
{
    const xmlChar *n = xmlTextReaderConstLocalName(p->reader);
    return node_type(p) == XML_READER_TYPE_ELEMENT && n && strcmp((const char *)n, local) == 0;
}

static bool is_end(const struct part *p, const char *local)
{
    const xmlChar *n = xmlTextReaderConstLocalName(p->reader);
    return node_type(p) == XML_READER_TYPE_END_ELEMENT && n && strcmp((const char *)n, local) == 0;
}

static bool is_text(const struct part *p)
{
    int t = node_type(p);
    return t == XML_READER_TYPE_TEXT || t == XML_READER_TYPE_CDATA ||
           t == XML_READER_TYPE_WHITESPACE || t == XML_READER_TYPE_SIGNIFICANT_WHITESPACE;
}

/* Copies attribute local (in any namespace when ns_any, else in none) into out; false when
 * absent or too long. */
static bool attr(struct part *p, const char *local, bool ns_any, char *out, size_t size)
{
    bool found = false;
    if (xmlTextReaderMoveToFirstAttribute(p->reader) != 1)
        return false;
    do {
        const char *name = (const char *)xmlTextReaderConstLocalName(p->reader);
        const xmlChar *ns = xmlTextReaderConstNamespaceUri(p->reader);
        if (name && strcmp(name, local) == 0 && (ns_any ? ns != NULL : ns == NULL)) {
            const char *v = (const char *)xmlTextReaderConstValue(p->reader);
            size_t n = v ? strlen(v) : 0;
            if (n < size) {
                memcpy(out, v ? v : "", n + 1);
                found = true;
            }
            break;
        }
    } while (xmlTextReaderMoveToNextAttribute(p->reader) == 1);
    xmlTextReaderMoveToElement(p->reader);
    return found;
}

static int append_text(struct part *p, struct sm_buf *b)
{
    const char *v = (const char *)xmlTextReaderConstValue(p->reader);
    return v ? sm_buf_puts(b, v) : SM_OK;
}

/* --- Text: Excel's escapes and line ends --------------------------------------------------- */

static int hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    return -1;
}

static int put_codepoint(struct sm_buf *b, unsigned cp)
{
    char u[4];
    size_t n;
    if (cp < 0x80) {
        u[0] = (char)cp;
        n = 1;
    } else if (cp < 0x800) {
        u[0] = (char)(0xC0 | (cp >> 6));
        u[1] = (char)(0x80 | (cp & 0x3F));
        n = 2;
    } else {
        u[0] = (char)(0xE0 | (cp >> 12));
        u[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        u[2] = (char)(0x80 | (cp & 0x3F));
        n = 3;
    }
    return sm_buf_append(b, u, n);
}

/* Appends s decoded: "_xHHHH_" is the character U+HHHH (OOXML's escape for what XML cannot
 * hold; "_x005F_" escapes a literal underscore), and CR LF or a lone CR become LF. */
static int decode_into(struct sm_buf *b, const char *s, size_t n)
{
    int rc = SM_OK;
    bool cr = false;
    for (size_t i = 0; i < n && !rc;) {
        unsigned cp = 0;
        size_t used = 1;
        bool escaped = false;
        if (s[i] == '_' && i + 6 < n && s[i + 1] == 'x' && s[i + 6] == '_') {
            int h[4] = { hexval(s[i + 2]), hexval(s[i + 3]), hexval(s[i + 4]), hexval(s[i + 5]) };
            if (h[0] >= 0 && h[1] >= 0 && h[2] >= 0 && h[3] >= 0) {
                cp = (unsigned)(h[0] << 12 | h[1] << 8 | h[2] << 4 | h[3]);
                /* A surrogate cannot be written in UTF-8 and a NUL would end the string:
                 * keep those as the text they are. */
                escaped = cp != 0 && (cp < 0xD800 || cp > 0xDFFF);
                used = escaped ? 7 : 1;
            }
        }
        char ch = escaped ? (cp == '\r' ? '\r' : 0) : s[i];
        if (ch == '\r') {
            rc = sm_buf_putc(b, '\n');
            cr = true;
        } else if (ch == '\n' && cr && !escaped) {
            cr = false; /* the LF of a CR LF already written */
        } else {
            cr = false;
            rc = escaped ? put_codepoint(b, cp) : sm_buf_putc(b, s[i]);
        }
        i += used;
    }
    return rc;
}

/* --- Package structure -------------------------------------------------------------------- */

/* The target of the first relationship in rels part whose Type ends with type_suffix, or
 * whose Id is id when id is not NULL, resolved against base (a folder, "" or "xl/"). */
static int find_rel(struct sm__xlsx *x, const char *rels, const char *base, const char *type_suffix,
                    const char *id, char *target, size_t size, struct sm_diag *diag)
{
    struct part p;
    int rc = part_open(x, rels, &p, diag);
    if (rc)
        return rc;
    bool found = false;
    while ((rc = part_next(&p, diag)) == 1) {
        if (!is_element(&p, "Relationship"))
            continue;
        char type[512], rid[128], tgt[512], mode[32];
        if (!attr(&p, "Type", false, type, sizeof type) ||
            !attr(&p, "Target", false, tgt, sizeof tgt))
            continue;
        if (attr(&p, "TargetMode", false, mode, sizeof mode) && strcmp(mode, "External") == 0)
            continue;
        if (id) {
            if (!attr(&p, "Id", false, rid, sizeof rid) || strcmp(rid, id) != 0)
                continue;
        } else {
            size_t lt = strlen(type), ls = strlen(type_suffix);
            if (lt < ls || strcmp(type + lt - ls, type_suffix) != 0)
                continue;
        }
        char joined[1600];
        int k = tgt[0] == '/' ? snprintf(joined, sizeof joined, "%s", tgt)
                              : snprintf(joined, sizeof joined, "%s%s", base, tgt);
        if (k < 0 || (size_t)k >= sizeof joined)
            continue;
        if (normalise(joined, target, size) == SM_OK) {
            found = true;
            break;
        }
    }
    part_close(&p);
    if (rc < 0)
        return rc;
    return found ? SM_OK : SM_ENOTFOUND;
}

/* The folder of part (ending in '/', or "") and the name of its relationships part. */
static int rels_of(const char *part, char *base, size_t base_size, char *rels, size_t rels_size)
{
    const char *slash = strrchr(part, '/');
    size_t dir = slash ? (size_t)(slash - part) + 1 : 0;
    int k1 = snprintf(base, base_size, "%.*s", (int)dir, part);
    int k2 = snprintf(rels, rels_size, "%.*s_rels/%s.rels", (int)dir, part, part + dir);
    if (k1 < 0 || (size_t)k1 >= base_size || k2 < 0 || (size_t)k2 >= rels_size)
        return SM_ELIMIT;
    return SM_OK;
}

/* Reads the workbook's sheet names and finds each one's part through rels (the workbook's
 * relationships), resolved against base (the workbook's folder). */
static int read_sheet_list(struct sm__xlsx *x, const char *workbook, const char *base,
                           const char *rels, struct sm_diag *diag)
{
    struct part p;
    int rc = part_open(x, workbook, &p, diag);
    if (rc == SM_ENOTFOUND)
        return sm_diag_set(diag, SM_EPARSE, "workbook '%s' has no part '%s'", x->path, workbook);
    if (rc)
        return rc;
    /* Collect names and relationship ids first: the rels part is read afterwards. */
    char ids[MAX_SHEETS][64];
    while ((rc = part_next(&p, diag)) == 1) {
        if (!is_element(&p, "sheet"))
            continue;
        char name[256], rid[64];
        if (!attr(&p, "name", false, name, sizeof name) || !attr(&p, "id", true, rid, sizeof rid))
            continue;
        if (x->n_sheets == MAX_SHEETS) {
            rc = sm_diag_set(diag, SM_ELIMIT, "workbook '%s' has more than %d sheets", x->path,
                             MAX_SHEETS);
            break;
        }
        struct sheet *s = &x->sheets[x->n_sheets];
        s->name = sm_strdup(name);
        if (!s->name) {
            rc = SM_ENOMEM;
            break;
        }
        snprintf(ids[x->n_sheets], sizeof ids[0], "%s", rid);
        x->n_sheets++;
    }
    part_close(&p);
    if (rc < 0)
        return rc;
    for (size_t i = 0; i < x->n_sheets; i++) {
        char target[1024];
        rc = find_rel(x, rels, base, NULL, ids[i], target, sizeof target, diag);
        if (rc == SM_ENOTFOUND)
            continue; /* a sheet without a part: it can hold nothing */
        if (rc)
            return rc;
        x->sheets[i].part = sm_strdup(target);
        if (!x->sheets[i].part)
            return SM_ENOMEM;
    }
    return SM_OK;
}

static int read_shared_strings(struct sm__xlsx *x, const char *part_name, struct sm_diag *diag)
{
    struct part p;
    struct sm_buf all, one;
    size_t *off = NULL, n = 0, cap = 0;
    int rc = part_open(x, part_name, &p, diag);
    if (rc == SM_ENOTFOUND)
        return SM_OK; /* a workbook without text */
    if (rc)
        return rc;
    sm_buf_init(&all, SM__XLSX_MAX_PART);
    sm_buf_init(&one, SM__XLSX_MAX_PART);
    bool in_si = false, in_t = false;
    int in_rph = 0;
    while ((rc = part_next(&p, diag)) == 1) {
        bool empty = xmlTextReaderIsEmptyElement(p.reader) == 1;
        if (is_element(&p, "si")) {
            in_si = true;
            sm_buf_reset(&one);
            if (!empty)
                continue;
        } else if (in_si && is_element(&p, "rPh") && !empty) {
            in_rph++;
            continue;
        } else if (in_si && is_end(&p, "rPh")) {
            in_rph--;
            continue;
        } else if (in_si && is_element(&p, "t")) {
            in_t = !empty;
            continue;
        } else if (is_end(&p, "t")) {
            in_t = false;
            continue;
        } else if (in_si && in_t && in_rph == 0 && is_text(&p)) {
            rc = append_text(&p, &one);
            if (rc)
                break;
            continue;
        } else if (!is_end(&p, "si")) {
            continue;
        }
        /* The end of a string (or an empty <si/>). */
        in_si = in_t = false;
        in_rph = 0;
        if (n == cap) {
            size_t ncap = cap ? cap * 2 : 256;
            size_t *v = sm_realloc(off, ncap * sizeof *v);
            if (!v) {
                rc = SM_ENOMEM;
                break;
            }
            off = v;
            cap = ncap;
        }
        off[n++] = all.len;
        rc = decode_into(&all, one.data ? one.data : "", one.len);
        if (!rc)
            rc = sm_buf_putc(&all, '\0');
        if (rc)
            break;
    }
    part_close(&p);
    sm_buf_release(&one);
    if (rc == SM_ELIMIT && diag && !diag->msg[0])
        sm_diag_set(diag, rc, "the shared strings of workbook '%s' are too large", x->path);
    if (rc < 0) {
        sm_buf_release(&all);
        sm_free(off);
        return rc;
    }
    x->sst = sm_buf_take(&all, NULL);
    x->sst_off = off;
    x->n_sst = n;
    return x->sst ? SM_OK : SM_ENOMEM;
}

void sm__catalog_xlsx_free(struct sm__xlsx *x)
{
    if (!x)
        return;
    if (x->zip)
        zip_discard(x->zip);
    for (size_t i = 0; i < x->n_sheets; i++) {
        sm_free(x->sheets[i].name);
        sm_free(x->sheets[i].part);
    }
    sm_free(x->sst);
    sm_free(x->sst_off);
    sm_free(x->path);
    sm_free(x);
}

int sm__catalog_xlsx_open(const char *path, struct sm__xlsx **out, struct sm_diag *diag)
{
    struct stat st;
    if (stat(path, &st) != 0)
        return sm_diag_set(diag, SM_EIO, "cannot open workbook '%s': %s", path, strerror(errno));
    if ((size_t)st.st_size > SM__XLSX_MAX_FILE)
        return sm_diag_set(diag, SM_ELIMIT, "workbook '%s' is larger than %zu MiB", path,
                           SM__XLSX_MAX_FILE >> 20);
    struct sm__xlsx *x = sm_calloc(1, sizeof *x);
    if (!x)
        return SM_ENOMEM;
    int rc = SM_OK, zerr = 0;
    x->path = sm_strdup(path);
    if (!x->path) {
        rc = SM_ENOMEM;
        goto out;
    }
    x->zip = zip_open(path, ZIP_RDONLY, &zerr);
    if (!x->zip) {
        zip_error_t ze;
        zip_error_init_with_code(&ze, zerr);
        bool io = zerr == ZIP_ER_OPEN || zerr == ZIP_ER_READ || zerr == ZIP_ER_NOENT;
        rc = sm_diag_set(diag, io ? SM_EIO : SM_EPARSE, "cannot open workbook '%s': %s", path,
                         io ? zip_error_strerror(&ze) : "not an XLSX (ZIP) file");
        zip_error_fini(&ze);
        goto out;
    }
    if (zip_get_num_entries(x->zip, 0) > MAX_ENTRIES) {
        rc =
            sm_diag_set(diag, SM_ELIMIT, "workbook '%s' has more than %d parts", path, MAX_ENTRIES);
        goto out;
    }
    char workbook[1024], target[1024];
    rc = find_rel(x, "_rels/.rels", "", "/officeDocument", NULL, workbook, sizeof workbook, diag);
    if (rc == SM_ENOTFOUND)
        rc =
            sm_diag_set(diag, SM_EPARSE, "'%s' is not an XLSX workbook (no office document)", path);
    if (rc)
        goto out;
    char base[1024], rels[1200];
    if (rels_of(workbook, base, sizeof base, rels, sizeof rels) != SM_OK) {
        rc = sm_diag_set(diag, SM_EPARSE, "workbook '%s' names a part with too long a name", path);
        goto out;
    }
    rc = read_sheet_list(x, workbook, base, rels, diag);
    if (rc)
        goto out;
    rc = find_rel(x, rels, base, "/sharedStrings", NULL, target, sizeof target, diag);
    if (rc == SM_OK)
        rc = read_shared_strings(x, target, diag);
    else if (rc == SM_ENOTFOUND)
        rc = SM_OK;
out:
    if (rc) {
        if (rc == SM_ENOMEM && diag && !diag->msg[0])
            sm_diag_set(diag, rc, "out of memory reading workbook '%s'", path);
        sm__catalog_xlsx_free(x);
        return rc;
    }
    *out = x;
    return SM_OK;
}

bool sm__catalog_xlsx_has_sheet(const struct sm__xlsx *x, const char *name)
{
    for (size_t i = 0; i < x->n_sheets; i++)
        if (strcmp(x->sheets[i].name, name) == 0)
            return true;
    return false;
}

void sm__catalog_xlsx_column_name(size_t i, char *out)
{
    char tmp[4];
    size_t n = 0;
    i++;
    while (i > 0 && n < 3) {
        tmp[n++] = (char)('A' + (i - 1) % 26);
        i = (i - 1) / 26;
    }
    for (size_t k = 0; k < n; k++)
        out[k] = tmp[n - 1 - k];
    out[n] = '\0';
}

/* --- Sheets --------------------------------------------------------------------------------- */

/* Parses a cell reference ("B12"): column index and row number. */
static bool parse_ref(const char *ref, size_t *col, long *row)
{
    size_t c = 0, i = 0;
    while ((ref[i] >= 'A' && ref[i] <= 'Z') || (ref[i] >= 'a' && ref[i] <= 'z')) {
        c = c * 26 + (size_t)((ref[i] | 0x20) - 'a' + 1);
        if (++i > 3 || c > MAX_COLUMN)
            return false;
    }
    if (i == 0)
        return false;
    long r = 0;
    size_t digits = 0;
    while (ref[i] >= '0' && ref[i] <= '9') {
        r = r * 10 + (ref[i++] - '0');
        if (++digits > 7 || r > MAX_ROW)
            return false;
    }
    if (ref[i] || r < 1)
        return false;
    *col = c - 1;
    *row = r;
    return true;
}

static bool parse_row_number(const char *s, long *row)
{
    long r = 0;
    size_t i = 0;
    for (; s[i] >= '0' && s[i] <= '9'; i++) {
        r = r * 10 + (s[i] - '0');
        if (i >= 7 || r > MAX_ROW)
            return false;
    }
    if (i == 0 || s[i] || r < 1)
        return false;
    *row = r;
    return true;
}

struct row_state {
    long number;
    size_t n;                      /* columns holding something: highest + 1 */
    size_t off[SM__XLSX_MAX_COLS]; /* offsets of cell texts in text */
    bool has[SM__XLSX_MAX_COLS];
    bool error[SM__XLSX_MAX_COLS];
    struct sm_buf text; /* this row's cell texts, NUL-separated */
};

/* Finishes one cell: its text from its type and raw value, stored at column col. */
static int end_cell(struct sm__xlsx *x, struct row_state *row, size_t col, const char *type,
                    const struct sm_buf *value, const struct sm_buf *inline_text, const char *sheet,
                    struct sm_diag *diag)
{
    const char *v = value->data ? value->data : "";
    const char *src = v;
    size_t n = value->len;
    bool error = false, decode = false;
    if (strcmp(type, "s") == 0) {
        size_t idx = 0, i = 0;
        for (; v[i] >= '0' && v[i] <= '9' && i < 10; i++)
            idx = idx * 10 + (size_t)(v[i] - '0');
        if (i == 0 || v[i] || idx >= x->n_sst)
            return sm_diag_set(diag, SM_EPARSE,
                               "sheet '%s' of workbook '%s' refers to a shared string that does "
                               "not exist (row %ld)",
                               sheet, x->path, row->number);
        src = x->sst + x->sst_off[idx];
        n = strlen(src);
    } else if (strcmp(type, "inlineStr") == 0) {
        src = inline_text->data ? inline_text->data : "";
        n = inline_text->len;
        decode = true;
    } else if (strcmp(type, "b") == 0) {
        src = strcmp(v, "1") == 0 ? "TRUE" : "FALSE";
        n = strlen(src);
    } else if (strcmp(type, "e") == 0) {
        error = true;
    } else {
        decode = strcmp(type, "str") == 0;
    }
    if (n == 0 && !error)
        return SM_OK;
    if (col >= SM__XLSX_MAX_COLS)
        return SM_OK;
    size_t at = row->text.len;
    int rc = decode ? decode_into(&row->text, src, n) : sm_buf_append(&row->text, src, n);
    if (!rc)
        rc = sm_buf_putc(&row->text, '\0');
    if (rc)
        return rc;
    row->off[col] = at;
    row->has[col] = true;
    row->error[col] = error;
    if (col + 1 > row->n)
        row->n = col + 1;
    return SM_OK;
}

int sm__catalog_xlsx_rows(struct sm__xlsx *x, const char *sheet,
                          int (*row_cb)(void *ctx, long number, const struct sm__xlsx_cell *cells,
                                        size_t n),
                          void *ctx, struct sm_diag *diag)
{
    const struct sheet *sh = NULL;
    for (size_t i = 0; i < x->n_sheets; i++)
        if (strcmp(x->sheets[i].name, sheet) == 0)
            sh = &x->sheets[i];
    if (!sh || !sh->part)
        return SM_ENOTFOUND;
    struct part p;
    int rc = part_open(x, sh->part, &p, diag);
    if (rc == SM_ENOTFOUND)
        return sm_diag_set(diag, SM_EPARSE, "workbook '%s' has no part '%s' for sheet '%s'",
                           x->path, sh->part, sheet);
    if (rc)
        return rc;
    struct row_state *row = sm_calloc(1, sizeof *row);
    struct sm_buf value, inline_text;
    sm_buf_init(&value, SM__XLSX_MAX_PART);
    sm_buf_init(&inline_text, SM__XLSX_MAX_PART);
    if (!row) {
        rc = SM_ENOMEM;
        goto out;
    }
    sm_buf_init(&row->text, SM__XLSX_MAX_PART);
    long rows = 0, last_row = 0;
    size_t col = 0, next_col = 0;
    char type[16] = "n";
    bool in_row = false, in_cell = false, in_v = false, in_is = false, in_t = false;
    int in_rph = 0;
    int k;
    while ((k = part_next(&p, diag)) == 1) {
        bool empty = xmlTextReaderIsEmptyElement(p.reader) == 1;
        bool row_ends = false, cell_ends = false;
        if (is_element(&p, "row")) {
            char r[16];
            long number = last_row + 1;
            if (attr(&p, "r", false, r, sizeof r) && !parse_row_number(r, &number)) {
                rc = sm_diag_set(diag, SM_EPARSE,
                                 "sheet '%s' of workbook '%s' has a bad row number '%s'", sheet,
                                 x->path, r);
                break;
            }
            in_row = true;
            row->number = last_row = number;
            row->n = 0;
            memset(row->has, 0, sizeof row->has);
            sm_buf_reset(&row->text);
            next_col = 0;
            row_ends = empty;
        } else if (in_row && is_element(&p, "c")) {
            char ref[24];
            long r = 0;
            col = next_col;
            if (attr(&p, "r", false, ref, sizeof ref)) {
                if (!parse_ref(ref, &col, &r)) {
                    rc = sm_diag_set(diag, SM_EPARSE,
                                     "sheet '%s' of workbook '%s' has a bad cell reference '%s'",
                                     sheet, x->path, ref);
                    break;
                }
            }
            next_col = col + 1;
            if (!attr(&p, "t", false, type, sizeof type))
                snprintf(type, sizeof type, "n");
            sm_buf_reset(&value);
            sm_buf_reset(&inline_text);
            in_cell = true;
            in_v = in_is = in_t = false;
            in_rph = 0;
            cell_ends = empty;
        } else if (in_cell && is_element(&p, "v")) {
            in_v = !empty;
        } else if (in_cell && is_end(&p, "v")) {
            in_v = false;
        } else if (in_cell && is_element(&p, "is")) {
            in_is = !empty;
        } else if (in_cell && is_end(&p, "is")) {
            in_is = false;
        } else if (in_is && is_element(&p, "rPh")) {
            in_rph += !empty;
        } else if (in_is && is_end(&p, "rPh")) {
            in_rph--;
        } else if (in_is && is_element(&p, "t")) {
            in_t = !empty;
        } else if (in_is && is_end(&p, "t")) {
            in_t = false;
        } else if (in_cell && is_text(&p)) {
            if (in_v)
                rc = append_text(&p, &value);
            else if (in_is && in_t && in_rph == 0)
                rc = append_text(&p, &inline_text);
        } else if (in_cell && is_end(&p, "c")) {
            cell_ends = true;
        } else if (in_row && is_end(&p, "row")) {
            row_ends = true;
        }
        if (!rc && cell_ends) {
            in_cell = false;
            rc = end_cell(x, row, col, type, &value, &inline_text, sheet, diag);
        }
        if (!rc && row_ends) {
            in_row = false;
            if (row->n == 0)
                continue;
            if (++rows > SM__XLSX_MAX_ROWS) {
                rc = sm_diag_set(diag, SM_ELIMIT,
                                 "sheet '%s' of workbook '%s' has more than %d rows", sheet,
                                 x->path, SM__XLSX_MAX_ROWS);
                break;
            }
            struct sm__xlsx_cell cells[SM__XLSX_MAX_COLS];
            for (size_t i = 0; i < row->n; i++) {
                cells[i].text = row->has[i] ? row->text.data + row->off[i] : NULL;
                cells[i].error = row->has[i] && row->error[i];
            }
            rc = row_cb(ctx, row->number, cells, row->n);
        }
        if (rc)
            break;
    }
    if (!rc && k < 0)
        rc = k;
    if (rc == SM_ELIMIT && diag && !diag->msg[0])
        sm_diag_set(diag, rc, "sheet '%s' of workbook '%s' is too large", sheet, x->path);
out:
    part_close(&p);
    if (row)
        sm_buf_release(&row->text);
    sm_free(row);
    sm_buf_release(&value);
    sm_buf_release(&inline_text);
    return rc;
}

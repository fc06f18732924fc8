/*
 * Plain text and Markdown: the encoding is detected and converted to UTF-8 (encoding.c),
 * form feeds separate pages, and everything else is left to the normaliser.
 *
 * Markdown is read as the text a person sees, with the structure the normaliser and the
 * sentence splitter understand:
 *  - headings (# …, and a line underlined with === or ---) lose their marks and stand as a
 *    paragraph of their own, so they are never joined to the text after them;
 *  - list markers (- * + 1.) are kept: they make each item a line and a sentence of its own;
 *  - block quote marks (>) are dropped; fenced code keeps its lines and loses its fences;
 *  - links and images keep their text ([text](url) → text), emphasis and code marks
 *    (** __ `) are dropped, a backslash escape keeps the escaped character;
 *  - table rows are kept (a row is one line), their delimiter rows (|---|) and thematic
 *    breaks dropped; YAML front matter at the top is dropped.
 * Single * and _ are left alone: in Japanese text they are more often literal than
 * emphasis. The conversion is one pass over the lines with no allocation per line.
 */
#include "smesec/alloc.h"
#include "smesec/buf.h"
#include "smesec/text.h"
#include "text/internal.h"

#include <string.h>

#include "util/banned.h"

static bool is_ascii_punct(char c)
{
    return (c >= '!' && c <= '/') || (c >= ':' && c <= '@') || (c >= '[' && c <= '`') ||
           (c >= '{' && c <= '~');
}

#define UNKNOWN (SIZE_MAX - 1)

/* The position of the first c at or after from in s[0..n), or SIZE_MAX. *cache keeps the
 * last answer, so a line full of unmatched brackets is still scanned once: from only grows
 * within a line. */
static size_t find(const char *s, size_t n, size_t from, char c, size_t *cache)
{
    if (*cache == SIZE_MAX || (*cache != UNKNOWN && *cache >= from))
        return *cache;
    const char *p = from < n ? memchr(s + from, c, n - from) : NULL;
    *cache = p ? (size_t)(p - s) : SIZE_MAX;
    return *cache;
}

/* Appends one line with its inline markup removed. */
static int put_inline(struct sm_buf *b, const char *s, size_t n)
{
    size_t run = 0; /* start of the bytes not yet copied */
    size_t i = 0;
    size_t next_bracket = UNKNOWN, next_paren = UNKNOWN, next_angle = UNKNOWN;
    int rc;
    while (i < n) {
        char c = s[i];
        size_t skip_from = i, skip_to = i; /* markup s[skip_from..skip_to) to drop */
        size_t keep = 0, keep_len = 0;     /* then text to keep, from elsewhere */
        if (c == '\\' && i + 1 < n && is_ascii_punct(s[i + 1])) {
            skip_to = i + 1;
        } else if ((c == '*' || c == '_') && i + 1 < n && s[i + 1] == c) {
            skip_to = i + 2;
        } else if (c == '`') {
            skip_to = i + 1;
        } else if (c == '[' || (c == '!' && i + 1 < n && s[i + 1] == '[')) {
            /* [text](target) or ![alt](target): keep text or alt. */
            size_t open = c == '!' ? i + 1 : i;
            size_t cl = find(s, n, open, ']', &next_bracket);
            size_t end = cl != SIZE_MAX && cl + 1 < n && s[cl + 1] == '('
                             ? find(s, n, cl + 2, ')', &next_paren)
                             : SIZE_MAX;
            if (end != SIZE_MAX) {
                keep = open + 1;
                keep_len = cl - open - 1;
                skip_to = end + 1;
            }
        } else if (c == '<' && i + 5 < n && memcmp(s + i + 1, "http", 4) == 0) {
            size_t end = find(s, n, i, '>', &next_angle);
            if (end != SIZE_MAX) {
                keep = i + 1;
                keep_len = end - i - 1;
                skip_to = end + 1;
            }
        }
        if (skip_to == skip_from) {
            i++;
            continue;
        }
        rc = sm_buf_append(b, s + run, skip_from - run);
        if (!rc && keep_len)
            rc = put_inline(b, s + keep, keep_len);
        if (rc)
            return rc;
        i = run = skip_to;
        if (c == '\\')
            i++; /* the escaped character is kept as it is */
    }
    return sm_buf_append(b, s + run, n - run);
}

/* A line made only of c (at least min of them) and spaces. */
static bool only(const char *s, size_t n, char c, size_t min)
{
    size_t count = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] == c)
            count++;
        else if (s[i] != ' ' && s[i] != '\t')
            return false;
    }
    return count >= min;
}

/* A table delimiter row: |, -, : and spaces, with at least one | and one -. */
static bool table_delimiter(const char *s, size_t n)
{
    bool bar = false, dash = false;
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '|')
            bar = true;
        else if (s[i] == '-')
            dash = true;
        else if (s[i] != ':' && s[i] != ' ' && s[i] != '\t')
            return false;
    }
    return bar && dash;
}

static int markdown_to_text(const char *s, size_t n, struct sm_buf *b)
{
    int rc = SM_OK;
    size_t i = 0;
    bool fenced = false;
    bool first = true;
    while (i < n && rc == SM_OK) {
        const char *nl = memchr(s + i, '\n', n - i);
        size_t e = nl ? (size_t)(nl - s) : n;
        size_t next = nl ? e + 1 : n;
        size_t len = e - i;
        if (len && s[e - 1] == '\r')
            len--;
        const char *line = s + i;
        /* Up to three spaces of indentation do not change what a line is. */
        size_t ind = 0;
        while (ind < len && ind < 3 && line[ind] == ' ')
            ind++;
        const char *t = line + ind;
        size_t tn = len - ind;
        if (first && only(line, len, '-', 3)) {
            /* YAML front matter: dropped up to its closing --- or ..., when it has one. */
            size_t k = next;
            while (k < n) {
                const char *l2 = memchr(s + k, '\n', n - k);
                size_t e2 = l2 ? (size_t)(l2 - s) : n;
                size_t n2 = e2 - k - (e2 > k && s[e2 - 1] == '\r');
                if (only(s + k, n2, '-', 3) || only(s + k, n2, '.', 3))
                    break;
                k = l2 ? e2 + 1 : n;
            }
            if (k < n) {
                const char *l2 = memchr(s + k, '\n', n - k);
                i = l2 ? (size_t)(l2 - s) + 1 : n;
                first = false;
                continue;
            }
        }
        first = false;
        if (tn >= 3 && (memcmp(t, "```", 3) == 0 || memcmp(t, "~~~", 3) == 0)) {
            fenced = !fenced;
            rc = sm_buf_putc(b, '\n');
        } else if (fenced) {
            rc = sm_buf_append(b, line, len);
            if (!rc)
                rc = sm_buf_putc(b, '\n');
        } else if (tn && t[0] == '#') {
            size_t h = 0;
            while (h < tn && t[h] == '#')
                h++;
            if (h <= 6 && (h == tn || t[h] == ' ' || t[h] == '\t')) {
                size_t end = tn;
                while (end > h && (t[end - 1] == '#' || t[end - 1] == ' '))
                    end--;
                rc = sm_buf_putc(b, '\n');
                if (!rc && end > h)
                    rc = put_inline(b, t + h, end - h);
                if (!rc)
                    rc = sm_buf_puts(b, "\n\n");
            } else {
                rc = put_inline(b, line, len);
                if (!rc)
                    rc = sm_buf_putc(b, '\n');
            }
        } else if (only(t, tn, '=', 1) || only(t, tn, '-', 3) || only(t, tn, '*', 3) ||
                   only(t, tn, '_', 3) || table_delimiter(t, tn)) {
            /* Setext underline, thematic break or table delimiter: a paragraph break. */
            rc = sm_buf_puts(b, "\n\n");
        } else {
            while (tn && t[0] == '>') {
                t++;
                tn--;
                while (tn && t[0] == ' ') {
                    t++;
                    tn--;
                }
            }
            rc = put_inline(b, t, tn);
            if (!rc)
                rc = sm_buf_putc(b, '\n');
        }
        i = next;
    }
    return rc;
}

int sm__read_text(const char *data, size_t n, bool markdown, struct sm__rawdoc *doc,
                  enum sm_encoding *enc, struct sm_diag *diag)
{
    char *text = NULL;
    size_t len = 0;
    struct sm_buf md;
    sm_buf_init(&md, doc->limits->max_text_bytes);
    int rc = sm_encoding_detect(data, n, enc, diag);
    if (!rc)
        rc = sm_text_to_utf8(data, n, *enc, &text, &len, diag);
    if (rc)
        goto out;
    if (len > doc->limits->max_text_bytes) {
        rc = sm_diag_set(diag, SM_ELIMIT, "more than %zu bytes of text",
                         doc->limits->max_text_bytes);
        goto out;
    }
    if (markdown) {
        rc = markdown_to_text(text, len, &md);
        if (rc == SM_ELIMIT)
            rc = sm_diag_set(diag, SM_ELIMIT, "more than %zu bytes of text",
                             doc->limits->max_text_bytes);
        if (rc)
            goto out;
        rc = sm__rawdoc_add_split(doc, md.data ? md.data : "", md.len, diag);
    } else {
        rc = sm__rawdoc_add_split(doc, text, len, diag);
    }
out:
    sm_buf_release(&md);
    sm_free(text);
    return rc;
}

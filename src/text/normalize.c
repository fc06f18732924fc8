/*
 * Text normalisation: the one place where guideline text takes the form that analysis,
 * storage and evidence offsets all see (docs/internals/text.md explains each rule).
 *
 * Two linear passes over the text, with no allocation per character:
 *  1. characters: control characters dropped or made line breaks (CR LF and CR become LF,
 *     a tab becomes a space), invisible zero-width characters dropped, wave dashes and
 *     tildes made U+301C, then Unicode NFKC by utf8proc. The NFKC runs over a bounded
 *     scratch array of code points that is flushed only before a character that cannot
 *     combine with what precedes it (ASCII, hiragana, CJK ideographs), so the result is the
 *     same as for the whole text at once. Enclosed numbers and letters (①, Ⓐ, ㋐) are kept
 *     as they are: they mark list items, and NFKC would make ① a plain digit.
 *  2. lines: spaces trimmed at line ends, runs collapsed to one, removed between two
 *     Japanese characters; a hyphen-like mark after katakana made the long vowel mark; a line
 *     break inside a sentence removed; blank lines collapsed to one; form feeds kept.
 *
 * Invariant: normalising is idempotent, sm_text_normalize(sm_text_normalize(x)) ==
 * sm_text_normalize(x). Stored pages are normalised text that sm_document_from_pages
 * normalises again, and evidence offsets point into it, so a second pass must not move a
 * byte. Every decision of pass 2 therefore looks only at what it has written on the current
 * output line and at what the next line starts with, both of which pass 2 leaves unchanged,
 * and every edit it makes keeps the text in NFKC. The fuzz target checks this property.
 */
#include "smesec/text.h"

#include "smesec/alloc.h"
#include "smesec/utf8.h"
#include "text/internal.h"

#include <stdint.h>
#include <string.h>
#include <utf8proc.h>

#include "util/banned.h"

/* Code points decomposed before the scratch array is flushed (when it may be). */
#define FLUSH_AT 4096
/* Room kept for one character's decomposition; the longest in Unicode is 18. */
#define DECOMP_ROOM 32
/* A line of at least this many code points is full: it is a line that was broken because
 * the page was too narrow, so a sentence may go on on the next line. A shorter one that does
 * not end with a comma is a heading or the end of a paragraph. */
#define FULL_LINE 20

#define NFKC_OPTIONS (UTF8PROC_STABLE | UTF8PROC_COMPAT | UTF8PROC_COMPOSE)

/* A growable output with a hard maximum (a plain array: sm_buf has no reserve). */
struct outbuf {
    char *data;
    size_t len;
    size_t cap;
    size_t max;
};

/* Makes room for extra more bytes and a NUL. */
static int reserve(struct outbuf *o, size_t extra)
{
    if (extra > o->max - o->len)
        return SM_ELIMIT;
    size_t want = o->len + extra + 1;
    if (want <= o->cap)
        return SM_OK;
    size_t cap = o->cap ? o->cap : 256;
    while (cap < want)
        cap = cap > SIZE_MAX / 2 ? want : cap * 2;
    if (cap > o->max + 1)
        cap = o->max + 1;
    char *p = sm_realloc(o->data, cap);
    if (!p)
        return SM_ENOMEM;
    o->data = p;
    o->cap = cap;
    return SM_OK;
}

/* --- Pass 1: characters and NFKC ---------------------------------------------------------- */

struct nfkc {
    int32_t *cps; /* decomposed code points not yet composed */
    size_t len;
    size_t cap;
    struct outbuf *out;
};

static int combining_class(int32_t cp)
{
    if (cp < 0x300 || (cp >= 0x3041 && cp <= 0x3096) || (cp >= 0x30A1 && cp <= 0x30FA) ||
        (cp >= 0x4E00 && cp <= 0x9FFF))
        return 0;
    return utf8proc_get_property(cp)->combining_class;
}

/* Sorts the run of marks b[0..n) by combining class, stably. Short runs (all real text)
 * by insertion; a long run (only made-up input has one) by distributing it over the classes
 * present, which stays linear where insertion would be quadratic. */
static int sort_marks(int32_t *b, size_t n)
{
    if (n <= 32) {
        for (size_t i = 1; i < n; i++) {
            int32_t cp = b[i];
            int c = combining_class(cp);
            size_t j = i;
            while (j > 0 && combining_class(b[j - 1]) > c) {
                b[j] = b[j - 1];
                j--;
            }
            b[j] = cp;
        }
        return SM_OK;
    }
    int32_t *tmp = sm_malloc(n * sizeof *tmp);
    if (!tmp)
        return SM_ENOMEM;
    size_t count[256] = { 0 };
    for (size_t i = 0; i < n; i++)
        count[combining_class(b[i]) & 0xFF]++;
    size_t start[256], pos = 0;
    for (size_t c = 0; c < 256; c++) {
        start[c] = pos;
        pos += count[c];
    }
    for (size_t i = 0; i < n; i++)
        tmp[start[combining_class(b[i]) & 0xFF]++] = b[i];
    memcpy(b, tmp, n * sizeof *b);
    sm_free(tmp);
    return SM_OK;
}

/* Canonical ordering: each run of marks (non-zero combining class) sorted by class. */
static int reorder(int32_t *b, size_t n)
{
    size_t i = 0;
    while (i < n) {
        if (combining_class(b[i]) == 0) {
            i++;
            continue;
        }
        size_t j = i + 1;
        while (j < n && combining_class(b[j]) != 0)
            j++;
        if (j - i > 1) {
            int rc = sort_marks(b + i, j - i);
            if (rc)
                return rc;
        }
        i = j;
    }
    return SM_OK;
}

/* Composes the scratch array and appends it to the output as UTF-8. */
static int flush(struct nfkc *k)
{
    if (k->len == 0)
        return SM_OK;
    int rc = reorder(k->cps, k->len);
    if (rc)
        return rc;
    utf8proc_ssize_t m =
        utf8proc_normalize_utf32(k->cps, (utf8proc_ssize_t)k->len, UTF8PROC_COMPOSE);
    if (m < 0)
        return SM_EPARSE; /* not reached: every code point came from valid UTF-8 */
    rc = reserve(k->out, (size_t)m * 4);
    if (rc)
        return rc;
    char *o = k->out->data + k->out->len;
    for (utf8proc_ssize_t i = 0; i < m; i++)
        o += sm__utf8_put((uint32_t)k->cps[i], o);
    k->out->len = (size_t)(o - k->out->data);
    k->len = 0;
    return SM_OK;
}

/* True when nothing before cp can combine with it or be reordered across it, so the
 * scratch array may be flushed before it. */
static bool safe_start(uint32_t cp)
{
    return cp < 0x80 || (cp >= 0x3041 && cp <= 0x3096) || (cp >= 0x4E00 && cp <= 0x9FFF);
}

/* The character rules applied before NFKC. Returns the code point to use, or UINT32_MAX
 * to drop it. next is the following byte (0 at the end), for CR LF. */
static uint32_t premap(uint32_t cp, unsigned char next)
{
    if (cp < 0x20 || (cp >= 0x7F && cp <= 0x9F)) {
        switch (cp) {
        case '\n':
        case '\f':
            return cp;
        case '\r':
            return next == '\n' ? UINT32_MAX : '\n';
        case '\t':
            return ' ';
        case 0x85: /* NEL */
            return '\n';
        default:
            return UINT32_MAX;
        }
    }
    switch (cp) {
    case 0x2028: /* line separator */
    case 0x2029: /* paragraph separator */
        return '\n';
    case 0x00AD: /* soft hyphen */
    case 0x200B: /* zero width space */
    case 0x2060: /* word joiner */
    case 0xFEFF: /* zero width no-break space (a byte order mark) */
        return UINT32_MAX;
    case 0xFF5E: /* fullwidth tilde: NFKC would make it '~' */
    case 0x223C: /* tilde operator */
        return 0x301C;
    default:
        return cp;
    }
}

static int pass_chars(const char *s, size_t n, struct outbuf *mid)
{
    struct nfkc k = { .out = mid };
    k.cap = FLUSH_AT + DECOMP_ROOM;
    k.cps = sm_malloc(k.cap * sizeof *k.cps);
    if (!k.cps)
        return SM_ENOMEM;
    int rc = SM_OK;
    size_t i = 0;
    while (i < n) {
        uint32_t cp;
        if ((unsigned char)s[i] < 0x80) {
            cp = (unsigned char)s[i++];
            if (cp < 0x20 || cp == 0x7F)
                cp = premap(cp, i < n ? (unsigned char)s[i] : 0);
        } else {
            cp = premap(sm__utf8_next(s, &i), 0);
        }
        if (cp == UINT32_MAX)
            continue;
        if (k.len >= FLUSH_AT && safe_start(cp)) {
            rc = flush(&k);
            if (rc)
                goto out;
        }
        if (k.cap - k.len < DECOMP_ROOM) {
            size_t ncap = k.cap * 2;
            int32_t *p = sm_realloc(k.cps, ncap * sizeof *p);
            if (!p) {
                rc = SM_ENOMEM;
                goto out;
            }
            k.cps = p;
            k.cap = ncap;
        }
        if (cp < 0x80 || (cp >= 0x4E00 && cp <= 0x9FFF) || sm__is_enclosed_marker(cp)) {
            /* No decomposition (or, for enclosed markers, none wanted). */
            k.cps[k.len++] = (int32_t)cp;
            continue;
        }
        utf8proc_ssize_t r = utf8proc_decompose_char((utf8proc_int32_t)cp, k.cps + k.len,
                                                     DECOMP_ROOM, NFKC_OPTIONS, NULL);
        if (r < 0 || r > DECOMP_ROOM) {
            rc = SM_EPARSE; /* not reached for valid code points */
            goto out;
        }
        k.len += (size_t)r;
    }
    rc = flush(&k);
out:
    sm_free(k.cps);
    return rc;
}

/* --- Pass 2: lines and spaces ------------------------------------------------------------- */

/* The output line being written. */
struct line {
    struct outbuf *out;
    size_t cps;              /* code points written on it */
    uint32_t last;           /* the last one, 0 when none */
    enum sm__line_kind kind; /* what it started with */
};

static bool is_hyphen(uint32_t cp)
{
    return cp == '-' || (cp >= 0x2010 && cp <= 0x2015) || cp == 0x2212 || cp == 0xFF0D;
}

/* Ends a sentence or a clause for line joining: 。．！？： (their NFKC forms). */
static bool ends_sentence(uint32_t cp)
{
    return cp == 0x3002 || cp == '.' || cp == '!' || cp == '?' || cp == ':';
}

/* Marks (and Hangul vowel and final jamo) combine with the character before them: a line
 * starting with one is never joined to the previous line, or the join would compose. */
static bool is_mark(uint32_t cp)
{
    if (cp < 0x300)
        return false;
    if ((cp >= 0x1160 && cp <= 0x11FF) || (cp >= 0xD7B0 && cp <= 0xD7FF))
        return true;
    utf8proc_category_t c = utf8proc_category((utf8proc_int32_t)cp);
    return c == UTF8PROC_CATEGORY_MN || c == UTF8PROC_CATEGORY_MC || c == UTF8PROC_CATEGORY_ME;
}

/* Decides whether the line break before the line b[0..n) (from its first non-space
 * character, of kind kind) is inside a sentence. */
static bool continues(const struct line *ln, const char *b, size_t n, enum sm__line_kind kind)
{
    if (ln->kind == SM__LINE_HEADING || kind != SM__LINE_TEXT)
        return false;
    if (ends_sentence(ln->last) || sm__is_closing(ln->last))
        return false;
    if (ln->cps < FULL_LINE && ln->last != 0x3001 && ln->last != ',')
        return false;
    size_t i = 0;
    return n > 0 && !is_mark(sm__utf8_next(b, &i));
}

/* Writes the characters of one line, s[0..n) from its first non-space character. */
static void put_line(struct line *ln, const char *s, size_t n)
{
    /* The caller reserved 3 bytes per input byte: a '-' may become U+30FC. */
    char *o = ln->out->data + ln->out->len;
    bool space = false;
    size_t i = 0;
    while (i < n) {
        uint32_t cp;
        if (s[i] == ' ') {
            space = true;
            i++;
            continue;
        }
        if ((unsigned char)s[i] < 0x80)
            cp = (unsigned char)s[i++];
        else
            cp = sm__utf8_next(s, &i);
        if (space) {
            if (!sm__is_japanese(ln->last) || !sm__is_japanese(cp)) {
                *o++ = ' ';
                ln->last = ' ';
                ln->cps++;
            }
            space = false;
        }
        if (is_hyphen(cp) && sm__is_katakana(ln->last))
            cp = 0x30FC;
        o += sm__utf8_put(cp, o);
        ln->last = cp;
        ln->cps++;
    }
    ln->out->len = (size_t)(o - ln->out->data);
}

static int pass_lines(const char *m, size_t n, struct outbuf *out)
{
    struct line ln = { .out = out };
    bool any = false; /* a line has been written */
    size_t breaks = 0;
    bool form_feed = false;
    size_t i = 0;
    while (i < n) {
        size_t e = i;
        while (e < n && m[e] != '\n' && m[e] != '\f')
            e++;
        size_t p = i;
        while (p < e && m[p] == ' ')
            p++;
        if (p < e) {
            enum sm__line_kind kind = sm__line_kind(m + p, e - p);
            bool join = false;
            /* At most 2 separator bytes, a joining space and 3 bytes per input byte. */
            if ((e - p) > (SIZE_MAX - 3) / 3)
                return SM_ELIMIT;
            int rc = reserve(out, 3 + 3 * (e - p));
            if (rc)
                return rc;
            if (any) {
                if (form_feed) {
                    out->data[out->len++] = '\f';
                } else if (breaks >= 2) {
                    out->data[out->len++] = '\n';
                    out->data[out->len++] = '\n';
                } else if (continues(&ln, m + p, e - p, kind)) {
                    join = true;
                    size_t k = p;
                    uint32_t first = sm__utf8_next(m, &k);
                    if (!sm__is_japanese(ln.last) && !sm__is_japanese(first)) {
                        out->data[out->len++] = ' ';
                        ln.last = ' ';
                        ln.cps++;
                    }
                } else {
                    out->data[out->len++] = '\n';
                }
            }
            if (!join) {
                ln.cps = 0;
                ln.last = 0;
                ln.kind = kind;
            }
            put_line(&ln, m + p, e - p);
            any = true;
            breaks = 0;
            form_feed = false;
        }
        if (e < n) {
            if (m[e] == '\f')
                form_feed = true;
            else
                breaks++;
        }
        i = e + 1;
    }
    return SM_OK;
}

/* --- Line kinds --------------------------------------------------------------------------- */

/* Skips spaces from *i. */
static void skip_spaces(const char *s, size_t n, size_t *i)
{
    while (*i < n && s[*i] == ' ')
        (*i)++;
}

/* The code point at *i (0 at the end), not advancing. */
static uint32_t peek(const char *s, size_t n, size_t i)
{
    return i < n ? sm__utf8_next(s, &i) : 0;
}

static bool is_digit(uint32_t cp)
{
    return cp >= '0' && cp <= '9';
}

static bool is_ascii_letter(uint32_t cp)
{
    return (cp >= 'a' && cp <= 'z') || (cp >= 'A' && cp <= 'Z');
}

static bool is_roman(uint32_t cp)
{
    return cp == 'i' || cp == 'v' || cp == 'x' || cp == 'I' || cp == 'V' || cp == 'X';
}

/* "(1)", "(12)", "(a)", "(iv)", "(ア)", "(注)", "(参考)": s[i] is just after the '('. */
static bool paren_item(const char *s, size_t n, size_t i)
{
    size_t count = 0, digits = 0, roman = 0, letters = 0, japanese = 0;
    uint32_t prev = '(';
    for (;;) {
        size_t at = i;
        skip_spaces(s, n, &i);
        if (i > at)
            prev = ' ';
        if (i >= n)
            return false;
        uint32_t cp = sm__utf8_next(s, &i);
        if (cp == ')')
            break;
        /* Counted as pass 2 will write it: "(ア-)" is "(アー)". */
        if (is_hyphen(cp) && sm__is_katakana(prev))
            cp = 0x30FC;
        prev = cp;
        if (++count > 4)
            return false;
        digits += is_digit(cp);
        roman += is_roman(cp);
        letters += is_ascii_letter(cp);
        japanese += sm__is_japanese(cp);
    }
    if (count == 0)
        return false;
    return (digits == count && count <= 3) || (letters == 1 && count == 1) || (roman == count) ||
           (japanese == count && count <= 2);
}

static bool is_kanji_numeral(uint32_t cp)
{
    switch (cp) {
    case 0x3007: /* 〇 */
    case 0x4E00: /* 一 */
    case 0x4E8C: /* 二 */
    case 0x4E09: /* 三 */
    case 0x56DB: /* 四 */
    case 0x4E94: /* 五 */
    case 0x516D: /* 六 */
    case 0x4E03: /* 七 */
    case 0x516B: /* 八 */
    case 0x4E5D: /* 九 */
    case 0x5341: /* 十 */
    case 0x767E: /* 百 */
        return true;
    default:
        return false;
    }
}

/* "第1章", "第 三 節", "第12条": s[i] is just after 第. */
static enum sm__line_kind numbered_part(const char *s, size_t n, size_t i)
{
    size_t count = 0;
    uint32_t cp;
    for (;;) {
        skip_spaces(s, n, &i);
        cp = peek(s, n, i);
        if (!is_digit(cp) && !is_kanji_numeral(cp))
            break;
        sm__utf8_next(s, &i);
        if (++count > 6)
            return SM__LINE_TEXT;
    }
    if (count == 0)
        return SM__LINE_TEXT;
    switch (cp) {
    case 0x7AE0: /* 章 */
    case 0x7BC0: /* 節 */
    case 0x7DE8: /* 編 */
    case 0x90E8: /* 部 */
    case 0x6B3E: /* 款 */
        return SM__LINE_HEADING;
    case 0x6761: /* 条 */
    case 0x9805: /* 項 */
        return SM__LINE_ITEM;
    default:
        return SM__LINE_TEXT;
    }
}

/* "1.", "1)", "1.2", "1.2.3 ", "1 目的": s[0] is a digit. */
static enum sm__line_kind numbered_item(const char *s, size_t n)
{
    size_t i = 0, digits = 0;
    while (i < n && is_digit((unsigned char)s[i]) && digits < 4) {
        i++;
        digits++;
    }
    if (digits > 3)
        return SM__LINE_TEXT;
    bool section = false;
    while (i + 1 < n && s[i] == '.' && is_digit((unsigned char)s[i + 1])) {
        section = true;
        i++;
        while (i < n && is_digit((unsigned char)s[i]))
            i++;
    }
    if (i < n && (s[i] == '.' || s[i] == ')')) {
        i++;
        section = true;
    } else if (!section) {
        /* "1 目的": a number, a space, then Japanese. */
        if (i >= n || s[i] != ' ')
            return SM__LINE_TEXT;
        skip_spaces(s, n, &i);
        return sm__is_japanese(peek(s, n, i)) ? SM__LINE_ITEM : SM__LINE_TEXT;
    }
    uint32_t next = peek(s, n, i);
    return (next == 0 || next == ' ' || sm__is_japanese(next)) ? SM__LINE_ITEM : SM__LINE_TEXT;
}

enum sm__line_kind sm__line_kind(const char *s, size_t n)
{
    size_t i = 0;
    if (n == 0)
        return SM__LINE_TEXT;
    uint32_t c0 = sm__utf8_next(s, &i);
    if (sm__is_bullet(c0) || sm__is_enclosed_marker(c0) || c0 == 0x3010 /* 【 */ || c0 == '|')
        return SM__LINE_ITEM;
    /* A marker alone counts as one followed by a space: the normaliser trims trailing
     * spaces, and "- " must be classified as its normalised form "-" is. */
    if (c0 == '-' || c0 == '*' || c0 == '+')
        return i == n || s[i] == ' ' ? SM__LINE_ITEM : SM__LINE_TEXT;
    if (c0 == '#') {
        while (i < n && s[i] == '#')
            i++;
        return i == n || s[i] == ' ' ? SM__LINE_HEADING : SM__LINE_TEXT;
    }
    if (c0 == '(')
        return paren_item(s, n, i) ? SM__LINE_ITEM : SM__LINE_TEXT;
    if (is_digit(c0))
        return numbered_item(s, n);
    if (c0 == 0x7B2C) /* 第 */
        return numbered_part(s, n, i);
    if (is_ascii_letter(c0) || (c0 >= 0x30A2 && c0 <= 0x30F3)) {
        /* "a) ", "A. ", "ア)", "イ." */
        uint32_t c1 = peek(s, n, i);
        if (c1 != ')' && c1 != '.')
            return SM__LINE_TEXT;
        i++;
        uint32_t c2 = peek(s, n, i);
        return c2 == 0 || c2 == ' ' || (c1 == ')' && !is_ascii_letter(c0)) ? SM__LINE_ITEM
                                                                           : SM__LINE_TEXT;
    }
    return SM__LINE_TEXT;
}

/* --- Entry point -------------------------------------------------------------------------- */

int sm_text_normalize(const char *s, size_t n, char **out, size_t *out_len, struct sm_diag *diag)
{
    int rc;
    sm_diag_clear(diag);
    size_t bad = 0;
    if (!sm_utf8_valid(s, n, &bad)) {
        if (diag)
            diag->offset = (long)bad;
        return sm_diag_set(diag, SM_EPARSE, "invalid UTF-8 at byte %zu", bad);
    }
    /* NFKC may expand a character many times over (U+FDFA becomes 18 code points); a text
     * made of such characters is refused rather than allowed to take unbounded memory. */
    size_t max = n <= (SIZE_MAX - 4096) / 8 ? 8 * n + 4096 : SIZE_MAX - 1;
    struct outbuf mid = { .max = max };
    struct outbuf res = { .max = max };
    rc = pass_chars(s, n, &mid);
    if (!rc)
        rc = pass_lines(mid.data ? mid.data : "", mid.len, &res);
    if (!rc)
        rc = reserve(&res, 0);
    if (rc) {
        if (rc == SM_ELIMIT)
            sm_diag_set(diag, rc, "normalised text would be more than %zu bytes", max);
        sm_free(res.data);
        goto out;
    }
    res.data[res.len] = '\0';
    *out = res.data;
    *out_len = res.len;
out:
    sm_free(mid.data);
    return rc;
}

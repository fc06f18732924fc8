/*
 * Sentence splitting of normalised text: one pass, no allocation but the growing result.
 *
 * A sentence ends
 *  - after 。 (with the closing brackets and quotes right after it), unless it is inside a
 *    「」 or 『』 quotation: 「…する。」と定める。 is one sentence;
 *  - after ! or ? (NFKC's forms of ！？) followed by a space, a line end, the end or Japanese;
 *  - after . followed by the same, when it ends Japanese text (the ． style) or an English
 *    sentence ("policy. The"), but not after a number or an abbreviation ("1. ", "e.g. the");
 *  - at a line break or form feed (the normaliser has already joined lines that were broken
 *    inside a sentence, so a line break left is a real one);
 *  - before a list marker in the middle of a line: a bullet (●■◆…) always; an enclosed
 *    number (①) only after a space, a comma or a closing bracket, and not when the marker is
 *    referred to ("①〜③を実施", "手順①の"), which a following 〜、・と etc. shows.
 * A quotation left open for more than QUOTE_MAX code points is taken to be unbalanced and
 * closed, so one stray 「 cannot swallow a page. Spaces around a sentence are trimmed; empty
 * sentences are not reported. Invariant: sentences are in order, do not overlap, and each
 * starts and ends on a character boundary of the text.
 */
#include "smesec/text.h"

#include "smesec/alloc.h"
#include "smesec/utf8.h"
#include "text/internal.h"

#include <stdint.h>

#include "util/banned.h"

#define QUOTE_MAX 200

#define NONE SIZE_MAX

struct splitter {
    struct sm_sentence *v;
    size_t n;
    size_t cap;
    size_t start; /* first byte of the open sentence, or NONE */
    size_t end;   /* just past its last non-space character */
};

/* Closes the open sentence, if it has any text. */
static int close_sentence(struct splitter *sp)
{
    if (sp->start == NONE)
        return SM_OK;
    if (sp->end > sp->start) {
        if (sp->n == sp->cap) {
            size_t ncap = sp->cap ? sp->cap * 2 : 32;
            struct sm_sentence *p = sm_realloc(sp->v, ncap * sizeof *p);
            if (!p)
                return SM_ENOMEM;
            sp->v = p;
            sp->cap = ncap;
        }
        sp->v[sp->n].offset = sp->start;
        sp->v[sp->n].len = sp->end - sp->start;
        sp->n++;
    }
    sp->start = NONE;
    return SM_OK;
}

/* The code point at i, or 0 at the end. */
static uint32_t peek(const char *s, size_t n, size_t i)
{
    return i < n ? sm__utf8_next(s, &i) : 0;
}

/* After a sentence-ending mark at s[i]: a space, a line end, the end or Japanese. */
static bool boundary_after(const char *s, size_t n, size_t i)
{
    uint32_t next = peek(s, n, i);
    return next == 0 || next == ' ' || next == '\n' || next == '\f' || sm__is_japanese(next);
}

/* Whether '.' just before s[i] (prev before it) ends a sentence. */
static bool dot_ends(const char *s, size_t n, size_t i, uint32_t prev)
{
    if (!boundary_after(s, n, i))
        return false;
    if (sm__is_japanese(prev) || sm__is_closing(prev))
        return true;
    if (!(prev >= 'a' && prev <= 'z'))
        return false;
    uint32_t next = peek(s, n, i);
    if (next != ' ')
        return true; /* the end, a line end or Japanese */
    uint32_t after = peek(s, n, i + 1);
    return (after >= 'A' && after <= 'Z') || sm__is_japanese(after);
}

static bool mid_line_bullet(uint32_t cp)
{
    switch (cp) {
    case 0x25CF: /* ● */
    case 0x25A0: /* ■ */
    case 0x25C6: /* ◆ */
    case 0x25C7: /* ◇ */
    case 0x25A1: /* □ */
    case 0x25AA: /* ▪ */
    case 0x25B6: /* ▶ */
    case 0x25BA: /* ► */
        return true;
    default:
        return false;
    }
}

/* Characters after an enclosed number that show it is referred to, not listed. */
static bool refers(uint32_t cp)
{
    switch (cp) {
    case 0x301C: /* 〜 */
    case '-':
    case '~':
    case 0x3001: /* 、 */
    case ',':
    case 0x30FB: /* ・ */
    case 0x3068: /* と */
    case 0x3084: /* や */
    case 0x306E: /* の */
    case 0x3092: /* を */
    case 0x306B: /* に */
    case 0x304C: /* が */
    case 0x306F: /* は */
    case 0x304B: /* か */
    case 0x3067: /* で */
    case 0x3082: /* も */
        return true;
    default:
        return false;
    }
}

int sm_text_sentences(const char *s, size_t n, struct sm_sentence **out, size_t *count)
{
    if (!sm_utf8_valid(s, n, NULL))
        return SM_EPARSE;
    struct splitter sp = { .start = NONE };
    int rc = SM_OK;
    unsigned depth = 0;  /* open 「 and 『 */
    size_t quoted = 0;   /* code points since the last one opened */
    uint32_t prev = 0;   /* the previous non-space code point of the sentence */
    bool spaced = false; /* a space came between prev and this one */
    size_t i = 0;
    while (i < n) {
        unsigned char c = (unsigned char)s[i];
        if (c == '\n' || c == '\f') {
            rc = close_sentence(&sp);
            if (rc)
                goto out;
            depth = 0;
            prev = 0;
            i++;
            continue;
        }
        if (c == ' ') {
            spaced = true;
            i++;
            continue;
        }
        size_t at = i;
        uint32_t cp = c < 0x80 ? (i++, c) : sm__utf8_next(s, &i);
        if (sp.start != NONE && prev != 0) {
            bool split = mid_line_bullet(cp);
            if (sm__is_enclosed_marker(cp) &&
                (spaced || prev == 0x3001 || prev == ',' || sm__is_closing(prev)) &&
                !refers(peek(s, n, i)))
                split = true;
            if (split) {
                rc = close_sentence(&sp);
                if (rc)
                    goto out;
                depth = 0;
            }
        }
        spaced = false;
        if (sp.start == NONE)
            sp.start = at;
        sp.end = i;
        if (depth > 0 && ++quoted > QUOTE_MAX)
            depth = 0;
        if (cp == 0x300C || cp == 0x300E) { /* 「 『 */
            if (depth < 16)
                depth++;
            quoted = 0;
        } else if ((cp == 0x300D || cp == 0x300F) && depth > 0) {
            depth--;
        }
        bool ends = false;
        if (depth == 0) {
            if (cp == 0x3002)
                ends = true;
            else if (cp == '!' || cp == '?')
                ends = boundary_after(s, n, i);
            else if (cp == '.')
                ends = dot_ends(s, n, i, prev);
        }
        prev = cp;
        if (!ends)
            continue;
        /* Closing brackets and quotes right after the end belong to the sentence. */
        while (i < n) {
            size_t k = i;
            uint32_t next = sm__utf8_next(s, &k);
            if (!sm__is_closing(next))
                break;
            i = k;
            sp.end = i;
        }
        rc = close_sentence(&sp);
        if (rc)
            goto out;
        prev = 0;
    }
    rc = close_sentence(&sp);
out:
    if (rc) {
        sm_free(sp.v);
        return rc;
    }
    *out = sp.v;
    *count = sp.n;
    return SM_OK;
}

/*
 * Shared between the files of src/text/; not part of the public API.
 *
 * Character classes used by the normaliser and the sentence splitter (they must agree, so
 * they live in one place), a decoder for UTF-8 already known to be valid, and the raw page
 * list the format readers fill before document.c normalises each page.
 */
#ifndef SM_TEXT_INTERNAL_H
#define SM_TEXT_INTERNAL_H

#include "smesec/err.h"
#include "smesec/text.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Decodes the code point at s[*i] of valid UTF-8 and advances *i past it. */
static inline uint32_t sm__utf8_next(const char *s, size_t *i)
{
    const unsigned char *p = (const unsigned char *)s + *i;
    if (p[0] < 0x80) {
        *i += 1;
        return p[0];
    }
    if (p[0] < 0xE0) {
        *i += 2;
        return (uint32_t)(p[0] & 0x1F) << 6 | (p[1] & 0x3F);
    }
    if (p[0] < 0xF0) {
        *i += 3;
        return (uint32_t)(p[0] & 0x0F) << 12 | (uint32_t)(p[1] & 0x3F) << 6 | (p[2] & 0x3F);
    }
    *i += 4;
    return (uint32_t)(p[0] & 0x07) << 18 | (uint32_t)(p[1] & 0x3F) << 12 |
           (uint32_t)(p[2] & 0x3F) << 6 | (p[3] & 0x3F);
}

/* Encodes cp (<= U+10FFFF) into out (4 bytes of room) and returns the byte count. */
static inline size_t sm__utf8_put(uint32_t cp, char *out)
{
    unsigned char *o = (unsigned char *)out;
    if (cp < 0x80) {
        o[0] = (unsigned char)cp;
        return 1;
    }
    if (cp < 0x800) {
        o[0] = (unsigned char)(0xC0 | cp >> 6);
        o[1] = (unsigned char)(0x80 | (cp & 0x3F));
        return 2;
    }
    if (cp < 0x10000) {
        o[0] = (unsigned char)(0xE0 | cp >> 12);
        o[1] = (unsigned char)(0x80 | (cp >> 6 & 0x3F));
        o[2] = (unsigned char)(0x80 | (cp & 0x3F));
        return 3;
    }
    o[0] = (unsigned char)(0xF0 | cp >> 18);
    o[1] = (unsigned char)(0x80 | (cp >> 12 & 0x3F));
    o[2] = (unsigned char)(0x80 | (cp >> 6 & 0x3F));
    o[3] = (unsigned char)(0x80 | (cp & 0x3F));
    return 4;
}

/* Japanese script and punctuation, as it stands after NFKC: CJK symbols (、。「」〜…),
 * hiragana and katakana letters with their marks of iteration and length, and ideographs.
 * Combining marks (the voiced-sound marks U+3099/U+309A, the tone marks U+302A..U+302F) are
 * not included: a space before one must stay, or removing it would let the mark compose or
 * reorder with the letter before the space, and normalising twice would differ. */
static inline bool sm__is_japanese(uint32_t cp)
{
    if (cp < 0x3001)
        return false;
    if (cp <= 0x303F)
        return cp < 0x302A || cp > 0x302F; /* U+302A..302F are combining tone marks */
    if (cp >= 0x3041 && cp <= 0x3096)
        return true;
    if (cp >= 0x309D && cp <= 0x30FF)
        return true;
    if (cp >= 0x31F0 && cp <= 0x31FF)
        return true;
    if (cp >= 0x3400 && cp <= 0x4DBF)
        return true;
    if (cp >= 0x4E00 && cp <= 0x9FFF)
        return true;
    if (cp >= 0xF900 && cp <= 0xFAFF)
        return true;
    return cp >= 0x20000 && cp <= 0x3FFFF;
}

/* Katakana letters and the long vowel mark: what a hyphen-like mark may lengthen. */
static inline bool sm__is_katakana(uint32_t cp)
{
    return (cp >= 0x30A1 && cp <= 0x30FA) || cp == 0x30FC || (cp >= 0x31F0 && cp <= 0x31FF);
}

/* Enclosed numbers, letters and katakana (①, ⑳, ㉑, Ⓐ, ㊀, ㋐): list markers in Japanese
 * documents. NFKC would turn ① into a plain "1" and lose the list, so the normaliser keeps
 * these as they are. */
static inline bool sm__is_enclosed_marker(uint32_t cp)
{
    return (cp >= 0x2460 && cp <= 0x2473) || (cp >= 0x24B6 && cp <= 0x24FF) ||
           (cp >= 0x2776 && cp <= 0x2793) || (cp >= 0x3251 && cp <= 0x325F) ||
           (cp >= 0x3280 && cp <= 0x3289) || (cp >= 0x32B1 && cp <= 0x32BF) ||
           (cp >= 0x32D0 && cp <= 0x32FE);
}

/* Bullets that start a list item: ・●○◆◇■□▪▫▶▷►◎★☆※•◦‣⁃✓✔➢➤. */
static inline bool sm__is_bullet(uint32_t cp)
{
    switch (cp) {
    case 0x30FB: /* ・ */
    case 0x25CF: /* ● */
    case 0x25CB: /* ○ */
    case 0x25C6: /* ◆ */
    case 0x25C7: /* ◇ */
    case 0x25A0: /* ■ */
    case 0x25A1: /* □ */
    case 0x25AA: /* ▪ */
    case 0x25AB: /* ▫ */
    case 0x25B6: /* ▶ */
    case 0x25B7: /* ▷ */
    case 0x25BA: /* ► */
    case 0x25CE: /* ◎ */
    case 0x2605: /* ★ */
    case 0x2606: /* ☆ */
    case 0x203B: /* ※ */
    case 0x2022: /* • */
    case 0x25E6: /* ◦ */
    case 0x2023: /* ‣ */
    case 0x2043: /* ⁃ */
    case 0x2713: /* ✓ */
    case 0x2714: /* ✔ */
    case 0x27A2: /* ➢ */
    case 0x27A4: /* ➤ */
        return true;
    default:
        return false;
    }
}

/* Closing brackets and quotes as they stand after NFKC. */
static inline bool sm__is_closing(uint32_t cp)
{
    switch (cp) {
    case ')':
    case ']':
    case '}':
    case 0x300D: /* 」 */
    case 0x300F: /* 』 */
    case 0x3011: /* 】 */
    case 0x3015: /* 〕 */
    case 0x3009: /* 〉 */
    case 0x300B: /* 》 */
    case 0x3017: /* 〗 */
    case 0x3019: /* 〙 */
    case 0x301B: /* 〛 */
    case 0x201D: /* ” */
    case 0x2019: /* ’ */
        return true;
    default:
        return false;
    }
}

/* What a line starts with, for line joining and sentence splitting. */
enum sm__line_kind {
    SM__LINE_TEXT,   /* running text */
    SM__LINE_ITEM,   /* a list item, numbered item, note, label or table row */
    SM__LINE_HEADING /* a chapter-level heading (第1章, # ...): never continued */
};

/* Classifies the line s[0..n) (valid UTF-8 from its first non-space character to the end of
 * the line, without the line break). Spaces inside a marker are skipped where they may be,
 * so a line and its normalised form are classified alike. Defined in normalize.c. */
enum sm__line_kind sm__line_kind(const char *s, size_t n);

/* --- Raw pages, as the readers extract them ---------------------------------------------- */

/* The pages of a document before normalisation: UTF-8 text (may still contain form feeds,
 * CR and the like), in order. Each reader appends pages; document.c normalises them. */
struct sm__rawdoc {
    char **text;
    size_t *len;
    size_t n;
    size_t cap;
    size_t total;                        /* bytes of text so far, held to max_text_bytes */
    const struct sm_read_limits *limits; /* borrowed */
};

void sm__rawdoc_init(struct sm__rawdoc *d, const struct sm_read_limits *limits);
void sm__rawdoc_release(struct sm__rawdoc *d);

/* Appends a copy of text[0..len) as the next page. SM_ELIMIT (with the reason in diag) past
 * max_pages or max_text_bytes; SM_ENOMEM. */
int sm__rawdoc_add(struct sm__rawdoc *d, const char *text, size_t len, struct sm_diag *diag);

/* Appends text[0..len) as pages separated by form feeds; white space after the last form
 * feed is not a page. */
int sm__rawdoc_add_split(struct sm__rawdoc *d, const char *text, size_t len, struct sm_diag *diag);

/* The readers. data[0..n) is the whole file (n > 0); diag messages do not name the file
 * (document.c adds "cannot read 'name': "). text and markdown also set *enc. */
int sm__read_text(const char *data, size_t n, bool markdown, struct sm__rawdoc *doc,
                  enum sm_encoding *enc, struct sm_diag *diag);
int sm__read_pdf(const char *data, size_t n, struct sm__rawdoc *doc, struct sm_diag *diag);
int sm__read_docx(const char *data, size_t n, struct sm__rawdoc *doc, struct sm_diag *diag);

#endif

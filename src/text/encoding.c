/*
 * Encodings of plain-text documents: detection and conversion to UTF-8.
 *
 * Japanese text files come in UTF-8, Shift_JIS (really Windows-31J, CP932: Windows wrote it)
 * or EUC-JP (older Unix systems). Detection never guesses when the bytes decide:
 *  1. a UTF-8 byte order mark, or bytes that are valid UTF-8, mean UTF-8;
 *  2. a UTF-16 byte order mark is refused by name (it is common and would otherwise be
 *     reported as a bad byte at offset 0 with no hint);
 *  3. bytes that are almost all valid UTF-8 (at least eight good multibyte sequences per bad
 *     byte) are UTF-8 with a mistake in it, refused with the offset of the first bad byte:
 *     UTF-8 Japanese text is often also well-formed Shift_JIS, so without this rule a single
 *     broken byte would turn a whole document into mojibake;
 *  4. otherwise the bytes are checked against the structure of Shift_JIS and of EUC-JP; when
 *     only one fits it wins; when both fit (EUC-JP text is often well-formed Shift_JIS, read
 *     as half-width katakana pairs), each reading is scored by how much of it falls in the
 *     rows ordinary Japanese uses (kana, punctuation, level-1 kanji) and the higher score
 *     wins, Shift_JIS on a tie;
 *  5. when nothing fits, the reading that got furthest names the first bad byte.
 * Every scan is one linear pass over the bytes. Conversion goes through iconv (CP932, or
 * EUC-JP-MS, falling back to the plain names), one iconv_t per call, so it is thread-safe.
 */
#include "smesec/text.h"

#include "smesec/alloc.h"
#include "smesec/utf8.h"

#include <errno.h>
#include <iconv.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "util/banned.h"

const char *sm_encoding_name(enum sm_encoding enc)
{
    switch (enc) {
    case SM_ENC_UTF8:
        return "UTF-8";
    case SM_ENC_SHIFT_JIS:
        return "Shift_JIS";
    case SM_ENC_EUC_JP:
        return "EUC-JP";
    }
    return "unknown";
}

/* The result of reading bytes as one legacy encoding. */
struct reading {
    bool valid;
    size_t bad;   /* offset of the first byte that does not fit, when !valid */
    size_t score; /* how Japanese the reading looks; see score_* */
};

/* Shift_JIS (CP932): single bytes 00-7F and A1-DF (half-width katakana), double bytes with
 * a lead 81-9F or E0-FC and a trail 40-7E or 80-FC. Full-width characters in the common
 * rows (81 punctuation, 82 kana and alphanumerics, 83 katakana, 88-98 level-1 kanji) score
 * 4, other double bytes 2, half-width katakana 1: EUC-JP text read as Shift_JIS turns into
 * pairs of half-width katakana, which must not outscore its own reading. */
static void read_sjis(const unsigned char *p, size_t n, struct reading *r)
{
    size_t i = 0;
    r->score = 0;
    while (i < n) {
        unsigned char c = p[i];
        if (c < 0x80) {
            i++;
            continue;
        }
        if (c >= 0xA1 && c <= 0xDF) {
            r->score += 1;
            i++;
            continue;
        }
        if (((c >= 0x81 && c <= 0x9F) || (c >= 0xE0 && c <= 0xFC)) && i + 1 < n) {
            unsigned char t = p[i + 1];
            if (t >= 0x40 && t <= 0xFC && t != 0x7F) {
                r->score += (c <= 0x83 || (c >= 0x88 && c <= 0x98)) ? 4 : 2;
                i += 2;
                continue;
            }
        }
        r->valid = false;
        r->bad = i;
        return;
    }
    r->valid = true;
}

/* EUC-JP: JIS X 0208 as two bytes A1-FE, half-width katakana as 8E A1-DF, JIS X 0212 as
 * 8F and two bytes A1-FE. Characters in the common rows (A1 punctuation, A3 alphanumerics,
 * A4 hiragana, A5 katakana, B0-CF level-1 kanji) score 4, other JIS X 0208 characters 2. */
static void read_eucjp(const unsigned char *p, size_t n, struct reading *r)
{
    size_t i = 0;
    r->score = 0;
    while (i < n) {
        unsigned char c = p[i];
        if (c < 0x80) {
            i++;
            continue;
        }
        if (c == 0x8E && i + 1 < n && p[i + 1] >= 0xA1 && p[i + 1] <= 0xDF) {
            i += 2;
            continue;
        }
        if (c == 0x8F && i + 2 < n && p[i + 1] >= 0xA1 && p[i + 1] <= 0xFE && p[i + 2] >= 0xA1 &&
            p[i + 2] <= 0xFE) {
            i += 3;
            continue;
        }
        if (c >= 0xA1 && c <= 0xFE && i + 1 < n && p[i + 1] >= 0xA1 && p[i + 1] <= 0xFE) {
            bool common =
                c == 0xA1 || c == 0xA3 || c == 0xA4 || c == 0xA5 || (c >= 0xB0 && c <= 0xCF);
            r->score += common ? 4 : 2;
            i += 2;
            continue;
        }
        r->valid = false;
        r->bad = i;
        return;
    }
    r->valid = true;
}

/* Counts well-formed multibyte UTF-8 sequences and bad bytes (resynchronising one byte
 * after each bad one); *first_bad gets the first bad offset. Linear: each call of
 * sm_utf8_valid starts where the previous one stopped. */
static void read_utf8(const char *s, size_t n, size_t *good, size_t *bad, size_t *first_bad)
{
    size_t i = 0;
    *good = 0;
    *bad = 0;
    while (i < n) {
        size_t off = 0;
        bool ok = sm_utf8_valid(s + i, n - i, &off);
        size_t end = ok ? n : i + off;
        for (size_t k = i; k < end; k++)
            if (((unsigned char)s[k] & 0xC0) == 0xC0)
                (*good)++;
        if (ok)
            break;
        if (*bad == 0)
            *first_bad = end;
        (*bad)++;
        i = end + 1;
    }
}

int sm_encoding_detect(const void *data, size_t n, enum sm_encoding *out, struct sm_diag *diag)
{
    const unsigned char *p = data;
    const char *s = data;
    sm_diag_clear(diag);
    if (n >= 3 && p[0] == 0xEF && p[1] == 0xBB && p[2] == 0xBF) {
        *out = SM_ENC_UTF8;
        return SM_OK;
    }
    if (n >= 2 && ((p[0] == 0xFF && p[1] == 0xFE) || (p[0] == 0xFE && p[1] == 0xFF))) {
        if (diag)
            diag->offset = 0;
        return sm_diag_set(diag, SM_EPARSE, "UTF-16 text is not supported (save it as UTF-8)");
    }
    size_t good, bad, first_bad = 0;
    read_utf8(s, n, &good, &bad, &first_bad);
    if (bad == 0) {
        *out = SM_ENC_UTF8;
        return SM_OK;
    }
    if (good >= 4 && good >= 8 * bad) {
        if (diag)
            diag->offset = (long)first_bad;
        return sm_diag_set(diag, SM_EPARSE, "invalid UTF-8 at byte %zu", first_bad);
    }
    struct reading sjis, euc;
    read_sjis(p, n, &sjis);
    read_eucjp(p, n, &euc);
    if (sjis.valid && (!euc.valid || sjis.score >= euc.score)) {
        *out = SM_ENC_SHIFT_JIS;
        return SM_OK;
    }
    if (euc.valid) {
        *out = SM_ENC_EUC_JP;
        return SM_OK;
    }
    /* Nothing fits: report the reading that went furthest. */
    const char *name = "UTF-8";
    size_t at = first_bad;
    if (sjis.bad > at) {
        name = "Shift_JIS";
        at = sjis.bad;
    }
    if (euc.bad > at) {
        name = "EUC-JP";
        at = euc.bad;
    }
    if (diag)
        diag->offset = (long)at;
    return sm_diag_set(diag, SM_EPARSE,
                       "not valid UTF-8, Shift_JIS or EUC-JP text (invalid %s at byte %zu)", name,
                       at);
}

/* Opens a converter to UTF-8 from the first name the C library knows. */
static iconv_t open_converter(enum sm_encoding enc)
{
    static const char *const sjis[] = { "CP932", "WINDOWS-31J", "SHIFT_JIS", NULL };
    static const char *const euc[] = { "EUC-JP-MS", "EUC-JP", NULL };
    const char *const *names = enc == SM_ENC_SHIFT_JIS ? sjis : euc;
    for (size_t i = 0; names[i]; i++) {
        iconv_t cd = iconv_open("UTF-8", names[i]);
        if (cd != (iconv_t)-1)
            return cd;
    }
    return (iconv_t)-1;
}

static int convert_legacy(const char *data, size_t n, enum sm_encoding enc, char **out,
                          size_t *out_len, struct sm_diag *diag)
{
    int rc = SM_OK;
    char *buf = NULL;
    iconv_t cd = open_converter(enc);
    if (cd == (iconv_t)-1)
        return sm_diag_set(diag, SM_EUNSUPPORTED, "this system cannot convert from %s",
                           sm_encoding_name(enc));
    /* Double bytes become three bytes of UTF-8, half-width katakana one byte three. */
    size_t cap = n <= SIZE_MAX / 2 - 16 ? n + n / 2 + 16 : n;
    buf = sm_malloc(cap);
    if (!buf) {
        rc = SM_ENOMEM;
        goto out;
    }
    /* iconv's interface is not const-correct; it does not write through inbuf. */
    char *in = (char *)(uintptr_t)data;
    size_t in_left = n;
    size_t used = 0;
    for (;;) {
        char *o = buf + used;
        size_t o_left = cap - used - 1; /* keep room for the NUL */
        size_t r =
            in_left ? iconv(cd, &in, &in_left, &o, &o_left) : iconv(cd, NULL, NULL, &o, &o_left);
        used = (size_t)(o - buf);
        if (r != (size_t)-1) {
            if (in_left == 0)
                break;
            continue;
        }
        if (errno == E2BIG) {
            if (cap > SIZE_MAX / 2) {
                rc = SM_ELIMIT;
                goto out;
            }
            char *grown = sm_realloc(buf, cap * 2);
            if (!grown) {
                rc = SM_ENOMEM;
                goto out;
            }
            buf = grown;
            cap *= 2;
            continue;
        }
        size_t at = (size_t)(in - data);
        if (diag)
            diag->offset = (long)at;
        rc = sm_diag_set(diag, SM_EPARSE, "%s %s sequence at byte %zu",
                         errno == EINVAL ? "truncated" : "invalid", sm_encoding_name(enc), at);
        goto out;
    }
    buf[used] = '\0';
    /* A byte order mark carried over from the source is dropped, as for UTF-8. */
    size_t skip = used >= 3 && memcmp(buf, "\xEF\xBB\xBF", 3) == 0 ? 3 : 0;
    if (skip)
        memmove(buf, buf + skip, used - skip + 1);
    *out = buf;
    *out_len = used - skip;
    buf = NULL;
out:
    sm_free(buf);
    iconv_close(cd);
    return rc;
}

int sm_text_to_utf8(const void *data, size_t n, enum sm_encoding enc, char **out, size_t *out_len,
                    struct sm_diag *diag)
{
    const char *s = data;
    sm_diag_clear(diag);
    switch (enc) {
    case SM_ENC_UTF8: {
        size_t skip = n >= 3 && memcmp(s, "\xEF\xBB\xBF", 3) == 0 ? 3 : 0;
        size_t bad = 0;
        if (!sm_utf8_valid(s + skip, n - skip, &bad)) {
            if (diag)
                diag->offset = (long)(skip + bad);
            return sm_diag_set(diag, SM_EPARSE, "invalid UTF-8 at byte %zu", skip + bad);
        }
        char *copy = sm_strndup(s + skip, n - skip);
        if (!copy)
            return SM_ENOMEM;
        *out = copy;
        *out_len = n - skip;
        return SM_OK;
    }
    case SM_ENC_SHIFT_JIS:
    case SM_ENC_EUC_JP:
        return convert_legacy(s, n, enc, out, out_len, diag);
    }
    return sm_diag_set(diag, SM_EINVAL, "unknown encoding %d", (int)enc);
}

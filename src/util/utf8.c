/*
 * UTF-8 validation (RFC 3629): rejects overlong forms, surrogates (U+D800..U+DFFF), code
 * points above U+10FFFF and truncated sequences. Works on bytes; no locale involved.
 */
#include "smesec/utf8.h"

#include "util/banned.h"

bool sm_utf8_valid(const char *s, size_t n, size_t *bad_offset)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t i = 0;
    while (i < n) {
        unsigned char c = p[i];
        size_t need;
        unsigned char lo = 0x80, hi = 0xBF; /* allowed range of the second byte */
        if (c < 0x80) {
            i++;
            continue;
        } else if (c >= 0xC2 && c <= 0xDF) {
            need = 1;
        } else if (c >= 0xE0 && c <= 0xEF) {
            need = 2;
            if (c == 0xE0)
                lo = 0xA0; /* no overlongs */
            else if (c == 0xED)
                hi = 0x9F; /* no surrogates */
        } else if (c >= 0xF0 && c <= 0xF4) {
            need = 3;
            if (c == 0xF0)
                lo = 0x90;
            else if (c == 0xF4)
                hi = 0x8F; /* <= U+10FFFF */
        } else {
            goto bad;
        }
        if (n - i <= need)
            goto bad;
        if (p[i + 1] < lo || p[i + 1] > hi)
            goto bad;
        for (size_t k = 2; k <= need; k++)
            if ((p[i + k] & 0xC0) != 0x80)
                goto bad;
        i += need + 1;
        continue;
bad:
        if (bad_offset)
            *bad_offset = i;
        return false;
    }
    return true;
}

size_t sm_utf8_codepoints(const char *s, size_t n)
{
    size_t count = 0;
    for (size_t i = 0; i < n; i++)
        if (((unsigned char)s[i] & 0xC0) != 0x80)
            count++;
    return count;
}

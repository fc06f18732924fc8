/*
 * Anonymisation: what of an incident report may leave the reporting provider, and the
 * scrubbing of free text (docs/sharing.md lists every rule with examples).
 *
 * Free text is first normalised (sm_text_normalize: NFKC, so full-width digits, letters,
 * '＠' and '（株）' take their ASCII forms and one pattern covers both), then scrubbed in
 * passes, each replacing what it finds with a bracketed placeholder such as 〔電話番号〕:
 *
 *   1. URLs (http, https, ftp, their defanged hxxp forms, www.) and UNC paths;
 *   2. e-mail addresses (also with [at] / (at));
 *   3. IPv4 (with ports and prefixes, and defanged [.] dots), IPv6 and MAC addresses;
 *   4. host names: two or more dot-separated ASCII labels ending in a letters-only label,
 *      except a file name (one dot and a usual file extension);
 *   5. Japanese phone numbers: 10 or 11 digits starting with 0, or +81 and 11 or 12, with
 *      any of the usual separators (hyphens, dashes, ー, spaces, dots, parentheses);
 *   6. postal codes (〒 and NNN-NNNN) and addresses: a prefecture name followed by a
 *      municipality (市区町村郡) and the rest of the address, or a municipality followed by
 *      block numbers (1-2-3, 丁目, 番地);
 *   7. names from the dictionary (the registry's providers, contact people and service
 *      names) and the report's own customer name, with their variants, ASCII letters in
 *      any case;
 *   8. company-form words (株式会社, (株), 有限会社, 合同会社, 一般社団法人, Co., Ltd.,
 *      Inc., ...) together with the name written before or after them;
 *   9. person names before honorifics and titles (山田様, 佐藤さん, 鈴木部長) and after
 *      titles (代表取締役 山田), and Mr./Ms./Dr. with the capitalised words after them.
 *
 * The passes run in this order so that a later one never sees what an earlier one
 * replaced: placeholders are bracketed with 〔 〕, which no pattern takes as part of a name.
 * Scrubbing errs on the side of removing too much: a word that looks like a host or a name
 * is removed even when it was not one.
 */
#include "sharing/internal.h"

#include "smesec/alloc.h"
#include "smesec/buf.h"
#include "smesec/text.h"
#include "smesec/utf8.h"

#include <stdio.h>
#include <string.h>

#include "util/banned.h"

#define PH_URL     "〔URL〕"
#define PH_EMAIL   "〔メール〕"
#define PH_IP      "〔IPアドレス〕"
#define PH_HOST    "〔ホスト名〕"
#define PH_PHONE   "〔電話番号〕"
#define PH_ADDRESS "〔住所〕"
#define PH_ORG     "〔組織名〕"
#define PH_PERSON  "〔氏名〕"

/* Scrubbed text is at most this much larger than its input (each placeholder is at most
 * 21 bytes and replaces at least one byte). */
#define SCRUB_MAX(n) ((n)*24 + 4096)

/* --- Characters ------------------------------------------------------------------------- */

/* Decodes the code point at s[i] (s is valid UTF-8); *len gets its byte length. */
static uint32_t cp_at(const char *s, size_t n, size_t i, size_t *len)
{
    const unsigned char *u = (const unsigned char *)s + i;
    size_t left = n - i;
    if (u[0] < 0x80 || left < 2) {
        *len = 1;
        return u[0];
    }
    if (u[0] < 0xE0) {
        *len = 2;
        return ((uint32_t)(u[0] & 0x1F) << 6) | (u[1] & 0x3F);
    }
    if (u[0] < 0xF0 || left < 4) {
        if (left < 3) {
            *len = 1;
            return u[0];
        }
        *len = 3;
        return ((uint32_t)(u[0] & 0x0F) << 12) | ((uint32_t)(u[1] & 0x3F) << 6) | (u[2] & 0x3F);
    }
    *len = 4;
    return ((uint32_t)(u[0] & 0x07) << 18) | ((uint32_t)(u[1] & 0x3F) << 12) |
           ((uint32_t)(u[2] & 0x3F) << 6) | (u[3] & 0x3F);
}

/* The start of the code point before s[i] (i > 0). */
static size_t cp_before(const char *s, size_t i)
{
    size_t j = i - 1;
    while (j > 0 && ((unsigned char)s[j] & 0xC0) == 0x80)
        j--;
    return j;
}

static uint32_t cp_prev(const char *s, size_t n, size_t i)
{
    if (i == 0)
        return 0;
    size_t len;
    return cp_at(s, n, cp_before(s, i), &len);
}

static bool is_digit(uint32_t c)
{
    return c >= '0' && c <= '9';
}

static bool is_alpha(uint32_t c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static bool is_alnum(uint32_t c)
{
    return is_digit(c) || is_alpha(c);
}

static bool is_hex(uint32_t c)
{
    return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

static bool is_kanji(uint32_t c)
{
    return (c >= 0x4E00 && c <= 0x9FFF) || (c >= 0x3400 && c <= 0x4DBF) ||
           (c >= 0xF900 && c <= 0xFAFF) || c == 0x3005 || c == 0x3006 || c == 0x30F6 || c == 0x30F5;
}

static bool is_katakana(uint32_t c)
{
    return (c >= 0x30A1 && c <= 0x30FA) || c == 0x30FC || c == 0x30FB ||
           (c >= 0x31F0 && c <= 0x31FF);
}

static bool is_hiragana(uint32_t c)
{
    return c >= 0x3041 && c <= 0x309F;
}

/* A hyphen or dash as people write them between digits. */
static bool is_dash(uint32_t c)
{
    return c == '-' || (c >= 0x2010 && c <= 0x2015) || c == 0x2212 || c == 0x30FC || c == 0xFF70;
}

/* Characters a Japanese or Latin name is written with. */
static bool is_name_char(uint32_t c)
{
    return is_kanji(c) || is_katakana(c) || is_alnum(c) || c == '&' || c == 0x30FB;
}

static char lower(char c)
{
    return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

/* Case-insensitive (ASCII) prefix test of s[i..n) against lit. */
static size_t starts_ci(const char *s, size_t n, size_t i, const char *lit)
{
    /* The first byte rules out almost every position cheaply. */
    if (lower(s[i]) != lower(lit[0]))
        return 0;
    size_t m = strlen(lit);
    if (n - i < m)
        return 0;
    for (size_t k = 0; k < m; k++)
        if (lower(s[i + k]) != lower(lit[k]))
            return 0;
    return m;
}

/* True when the character at s[i] is one of the three-byte characters in set (UTF-8, one
 * after the other): the cheap test before trying a list of words that start with them. */
static bool first_char_in(const char *s, size_t n, size_t i, const char *set)
{
    unsigned char c = (unsigned char)s[i];
    if (c < 0xE0 || c > 0xEF || n - i < 3)
        return false;
    for (const char *p = set; p[0] && p[1] && p[2]; p += 3)
        if (p[0] == s[i] && p[1] == s[i + 1] && p[2] == s[i + 2])
            return true;
    return false;
}

/* --- The pass driver -------------------------------------------------------------------- */

/* A matcher looks at s[i..n) and returns how many bytes of it to replace (0: no match). It
 * may also set *from_back: bytes already written to the output that belong to the match (a
 * name before a company-form word) and are to be taken back. */
struct pass_ctx {
    const struct sm_scrub_dict *dict;
    const struct sm_scrub_dict *extra;
    const char *lowered; /* s with ASCII letters lowered, for the dictionary pass */
};

typedef size_t (*matcher_fn)(const char *s, size_t n, size_t i, const struct pass_ctx *ctx,
                             const char **placeholder, size_t *from_back);

static size_t char_len(unsigned char c)
{
    return c < 0x80 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
}

static int run_pass(const char *s, size_t n, matcher_fn match, const struct pass_ctx *ctx,
                    char **out, size_t *out_len)
{
    struct sm_buf b;
    sm_buf_init(&b, SCRUB_MAX(n));
    /* Room for the text as it is, at once: most passes change little. */
    int rc = sm_buf_append(&b, s, n);
    b.len = 0;
    if (!rc)
        b.data[0] = '\0';
    size_t i = 0;
    size_t verbatim = 0; /* s[verbatim..i) is copied to the output as it is, once a match or
                            the end comes */
    while (!rc && i < n) {
        const char *ph = NULL;
        size_t back = 0;
        size_t m = match(s, n, i, ctx, &ph, &back);
        if (m == 0) {
            size_t len = char_len((unsigned char)s[i]);
            i += len <= n - i ? len : n - i;
            continue;
        }
        /* Only what this pass copies as it is can be taken back. */
        if (back > i - verbatim)
            back = i - verbatim;
        rc = sm_buf_append(&b, s + verbatim, i - back - verbatim);
        /* Two placeholders of the same kind in a row read as one. */
        size_t pl = strlen(ph);
        if (!rc && !(b.len >= pl && memcmp(b.data + b.len - pl, ph, pl) == 0))
            rc = sm_buf_append(&b, ph, pl);
        i += m;
        verbatim = i;
    }
    if (!rc)
        rc = sm_buf_append(&b, s + verbatim, n - verbatim);
    if (rc) {
        sm_buf_release(&b);
        return rc;
    }
    *out = sm_buf_take(&b, out_len);
    return *out ? SM_OK : SM_ENOMEM;
}

/* --- 1. URLs and UNC paths --------------------------------------------------------------- */

static bool url_char(unsigned char c)
{
    return c > 0x20 && c < 0x7f && c != '"' && c != '<' && c != '>' && c != '\'' && c != '`';
}

static size_t match_url(const char *s, size_t n, size_t i, const struct pass_ctx *ctx,
                        const char **ph, size_t *back)
{
    (void)ctx;
    (void)back;
    static const char *const schemes[] = { "https://", "http://", "hxxps://", "hxxp://",
                                           "ftp://",   "sftp://", "file://",  "www." };
    if (!strchr("hHfFsSwW\\", s[i]) || (i > 0 && is_alnum((unsigned char)s[i - 1])))
        return 0;
    size_t m = 0;
    for (size_t k = 0; k < sizeof schemes / sizeof schemes[0] && !m; k++)
        m = starts_ci(s, n, i, schemes[k]);
    if (m == 0 && s[i] == '\\' && i + 2 < n && s[i + 1] == '\\' &&
        is_alnum((unsigned char)s[i + 2]))
        m = 2; /* \\server\share */
    if (m == 0)
        return 0;
    size_t j = i + m;
    while (j < n && url_char((unsigned char)s[j]))
        j++;
    while (j > i + m && strchr(".,;:!?)]", s[j - 1]))
        j--;
    if (j == i + m)
        return 0;
    *ph = PH_URL;
    return j - i;
}

/* --- 2. E-mail addresses -------------------------------------------------------------------- */

static bool local_char(unsigned char c)
{
    return is_alnum(c) || c == '.' || c == '_' || c == '%' || c == '+' || c == '-';
}

static bool domain_char(unsigned char c)
{
    return is_alnum(c) || c == '.' || c == '-';
}

/* Matches at the '@' (or "[at]", "(at)" with optional spaces) and takes the local part back:
 * starting from the '@' means a local part that runs on from an address this pass already
 * replaced (a_b@c right after x@y_) is still found, cut where the replaced one ended. */
static size_t match_email(const char *s, size_t n, size_t i, const struct pass_ctx *ctx,
                          const char **ph, size_t *back)
{
    (void)ctx;
    if (i == 0 || !local_char((unsigned char)s[i - 1]))
        return 0;
    size_t at = 0;
    if (s[i] == '@') {
        at = 1;
    } else if (s[i] == ' ' || s[i] == '[' || s[i] == '(') {
        size_t sp = s[i] == ' ' ? 1 : 0;
        size_t m = 0;
        if (i + sp < n)
            m = starts_ci(s, n, i + sp, "[at]");
        if (!m && i + sp < n)
            m = starts_ci(s, n, i + sp, "(at)");
        if (m) {
            at = sp + m;
            if (i + at < n && s[i + at] == ' ')
                at++;
        }
    }
    if (!at)
        return 0;
    size_t j = i;
    while (j > 0 && local_char((unsigned char)s[j - 1]))
        j--;
    size_t d = i + at, e = d;
    while (e < n && (domain_char((unsigned char)s[e]) ||
                     (s[e] == '[' && e + 2 < n && s[e + 1] == '.' && s[e + 2] == ']')))
        e += s[e] == '[' ? 3 : 1;
    while (e > d && (s[e - 1] == '.' || s[e - 1] == '-'))
        e--;
    if (e == d)
        return 0;
    *back = i - j;
    *ph = PH_EMAIL;
    return e - i;
}

/* --- 3. IP and MAC addresses -------------------------------------------------------------- */

/* A dot, or a defanged one ("[.]", "(.)"); returns its length. */
static size_t dot_at(const char *s, size_t n, size_t i)
{
    if (i < n && s[i] == '.')
        return 1;
    if (i + 2 < n && (s[i] == '[' || s[i] == '(') && s[i + 1] == '.' &&
        (s[i + 2] == ']' || s[i + 2] == ')'))
        return 3;
    return 0;
}

static size_t match_ipv4(const char *s, size_t n, size_t i)
{
    if (i > 0 && (is_alnum((unsigned char)s[i - 1]) || s[i - 1] == '.'))
        return 0;
    size_t j = i;
    for (int part = 0; part < 4; part++) {
        size_t d = 0;
        while (j < n && is_digit((unsigned char)s[j]) && d < 4) {
            j++;
            d++;
        }
        if (d == 0 || d > 3)
            return 0;
        if (part < 3) {
            size_t dl = dot_at(s, n, j);
            if (!dl)
                return 0;
            j += dl;
        }
    }
    if (j < n && (is_alnum((unsigned char)s[j]) ||
                  (s[j] == '.' && j + 1 < n && is_digit((unsigned char)s[j + 1]))))
        return 0;
    /* A prefix length or a port belongs to the address. */
    if (j + 1 < n && (s[j] == '/' || s[j] == ':') && is_digit((unsigned char)s[j + 1])) {
        j++;
        while (j < n && is_digit((unsigned char)s[j]))
            j++;
    }
    return j - i;
}

static size_t match_ipv6_or_mac(const char *s, size_t n, size_t i)
{
    uint32_t prev = cp_prev(s, n, i);
    if (is_alnum(prev) || prev == ':' || prev == '-')
        return 0;
    if (!(is_hex((unsigned char)s[i]) || s[i] == ':'))
        return 0;
    /* MAC with dashes: six groups of two hex digits. */
    size_t j = i;
    int groups = 0;
    while (groups < 6 && j + 1 < n && is_hex((unsigned char)s[j]) &&
           is_hex((unsigned char)s[j + 1])) {
        j += 2;
        groups++;
        if (groups < 6) {
            if (j < n && s[j] == '-')
                j++;
            else
                break;
        }
    }
    if (groups == 6 && !(j < n && is_alnum((unsigned char)s[j])))
        return j - i;

    /* Colon forms: IPv6 (with "::" or at least five colons) and MAC with colons. */
    j = i;
    int colons = 0, hexrun = 0, digits = 0;
    bool dbl = false, bad = false;
    while (j < n) {
        unsigned char c = (unsigned char)s[j];
        if (c == ':') {
            if (j + 1 < n && s[j + 1] == ':') {
                if (dbl)
                    break;
                dbl = true;
                colons += 2;
                j += 2;
                hexrun = 0;
                continue;
            }
            colons++;
            hexrun = 0;
            j++;
            continue;
        }
        if (is_hex(c)) {
            if (++hexrun > 4) {
                bad = true;
                break;
            }
            digits++;
            j++;
            continue;
        }
        /* An embedded IPv4 tail (::ffff:192.0.2.1). */
        if (c == '.' && dbl) {
            size_t v4 = 0, st = j;
            while (st > i && s[st - 1] != ':')
                st--;
            v4 = match_ipv4(s, n, st);
            if (v4 > j - st) {
                j = st + v4;
                break;
            }
        }
        break;
    }
    if (bad || digits == 0 || !(dbl || colons >= 5))
        return 0;
    while (j > i && s[j - 1] == ':' && !(j >= i + 2 && s[j - 2] == ':'))
        j--; /* a sentence's colon after the address */
    if (j < n && is_alnum((unsigned char)s[j]))
        return 0;
    if (j < n && s[j] == '%') { /* zone id */
        j++;
        while (j < n && is_alnum((unsigned char)s[j]))
            j++;
    }
    if (j + 1 < n && s[j] == '/' && is_digit((unsigned char)s[j + 1])) {
        j++;
        while (j < n && is_digit((unsigned char)s[j]))
            j++;
    }
    return j - i;
}

static size_t match_ip(const char *s, size_t n, size_t i, const struct pass_ctx *ctx,
                       const char **ph, size_t *back)
{
    (void)ctx;
    (void)back;
    size_t m = is_digit((unsigned char)s[i]) ? match_ipv4(s, n, i) : 0;
    if (!m)
        m = match_ipv6_or_mac(s, n, i);
    if (m)
        *ph = PH_IP;
    return m;
}

/* --- 4. Host names ------------------------------------------------------------------------- */

static bool file_extension(const char *s, size_t len)
{
    static const char *const ext[] = {
        "exe",  "dll", "bat", "cmd", "ps1",  "vbs", "vbe",  "js",   "jse", "wsf",  "hta",  "lnk",
        "iso",  "img", "scr", "msi", "pdf",  "doc", "docx", "docm", "xls", "xlsx", "xlsm", "ppt",
        "pptx", "txt", "csv", "rtf", "html", "htm", "zip",  "rar",  "7z",  "tar",  "gz",   "jpg",
        "jpeg", "png", "gif", "one", "eml",  "msg", "log",  "cab",  "jar", "py",   "sh",   "vhd",
    };
    for (size_t k = 0; k < sizeof ext / sizeof ext[0]; k++)
        if (strlen(ext[k]) == len && starts_ci(s, len, 0, ext[k]) == len)
            return true;
    return false;
}

static size_t match_host(const char *s, size_t n, size_t i, const struct pass_ctx *ctx,
                         const char **ph, size_t *back)
{
    (void)ctx;
    (void)back;
    if (!is_alnum((unsigned char)s[i]))
        return 0;
    if (i > 0) {
        unsigned char p = (unsigned char)s[i - 1];
        if (is_alnum(p) || p == '.' || p == '-' || p == '@' || p == '_')
            return 0;
    }
    size_t j = i, labels = 0, last_start = i, last_len = 0;
    bool last_alpha = false;
    for (;;) {
        size_t st = j;
        bool alpha = true;
        while (j < n && (is_alnum((unsigned char)s[j]) || s[j] == '-' || s[j] == '_')) {
            if (!is_alpha((unsigned char)s[j]))
                alpha = false;
            j++;
        }
        if (j == st || j - st > 63)
            return 0;
        labels++;
        last_start = st;
        last_len = j - st;
        last_alpha = alpha;
        size_t dl = dot_at(s, n, j);
        if (!dl || j + dl >= n || !is_alnum((unsigned char)s[j + dl]))
            break;
        j += dl;
    }
    if (labels < 2 || !last_alpha || last_len < 2)
        return 0;
    if (labels == 2 && file_extension(s + last_start, last_len))
        return 0;
    if (j < n && (is_alnum((unsigned char)s[j]) || s[j] == '@'))
        return 0;
    *ph = PH_HOST;
    return j - i;
}

/* --- 5. Phone numbers ------------------------------------------------------------------------ */

static size_t match_phone(const char *s, size_t n, size_t i, const struct pass_ctx *ctx,
                          const char **ph, size_t *back)
{
    (void)ctx;
    (void)back;
    uint32_t prev = cp_prev(s, n, i);
    if (is_digit(prev) || prev == '+' || is_dash(prev) || prev == '.')
        return 0;
    size_t j = i;
    bool plus = false;
    if (s[j] == '+') {
        if (j + 2 >= n || s[j + 1] != '8' || s[j + 2] != '1')
            return 0;
        plus = true;
    } else if (s[j] == '(') {
        if (j + 1 >= n || s[j + 1] != '0')
            return 0;
    } else if (s[j] != '0') {
        return 0;
    }
    /* Scan the run of digits and separators, remembering where each digit ends. */
    size_t ends[16];
    int digits = 0;
    size_t seps = 0;
    while (j < n && digits < 16 && seps < 4) {
        size_t len;
        uint32_t c = cp_at(s, n, j, &len);
        if (is_digit(c)) {
            ends[digits++] = j + 1;
            seps = 0;
        } else if (c == '+' && j == i) {
            /* the leading plus */
        } else if (is_dash(c) || c == ' ' || c == '.' || c == '(' || c == ')') {
            seps++;
        } else {
            break;
        }
        j += len;
    }
    int lo = plus ? 11 : 10, hi = plus ? 12 : 11;
    for (int d = hi; d >= lo; d--) {
        if (d > digits)
            continue;
        size_t end = ends[d - 1];
        if (end < n && is_digit((unsigned char)s[end]))
            continue;
        /* A closing parenthesis right after belongs to the number. */
        *ph = PH_PHONE;
        return end - i;
    }
    return 0;
}

/* --- 6. Postal codes and addresses ---------------------------------------------------------- */

static const char *const prefectures[] = {
    "北海道", "青森県", "岩手県", "宮城県", "秋田県", "山形県",   "福島県", "茨城県",
    "栃木県", "群馬県", "埼玉県", "千葉県", "東京都", "神奈川県", "新潟県", "富山県",
    "石川県", "福井県", "山梨県", "長野県", "岐阜県", "静岡県",   "愛知県", "三重県",
    "滋賀県", "京都府", "大阪府", "兵庫県", "奈良県", "和歌山県", "鳥取県", "島根県",
    "岡山県", "広島県", "山口県", "徳島県", "香川県", "愛媛県",   "高知県", "福岡県",
    "佐賀県", "長崎県", "熊本県", "大分県", "宮崎県", "鹿児島県", "沖縄県",
};

static bool is_municipal(uint32_t c)
{
    return c == 0x5E02 /* 市 */ || c == 0x533A /* 区 */ || c == 0x753A /* 町 */ ||
           c == 0x6751 /* 村 */ || c == 0x90E1 /* 郡 */;
}

/* Characters the body of an address runs on with: names, digits, dashes, の/ノ/ヶ, 丁目
 * 番地 号 are kanji already. */
static bool address_char(uint32_t c)
{
    return is_kanji(c) || is_katakana(c) || is_alnum(c) || is_dash(c) || c == 0x306E /* の */ ||
           c == 0x30CE /* ノ */;
}

/* The address body from s[j]: at most 40 characters of address_char. */
static size_t address_tail(const char *s, size_t n, size_t j)
{
    int k = 0;
    while (j < n && k < 40) {
        size_t len;
        uint32_t c = cp_at(s, n, j, &len);
        if (!address_char(c))
            break;
        j += len;
        k++;
    }
    while (j > 0 && is_dash((unsigned char)s[j - 1]))
        j--;
    return j;
}

/* Block numbers at s[j]: digits joined by dashes (1-2-3), or digits followed by 丁目, 番 or
 * 号. */
static bool block_number(const char *s, size_t n, size_t j)
{
    size_t d = j;
    while (d < n && is_digit((unsigned char)s[d]))
        d++;
    if (d == j || d >= n)
        return false;
    size_t len;
    uint32_t c = cp_at(s, n, d, &len);
    if (is_dash(c))
        return d + len < n && is_digit((unsigned char)s[d + len]);
    return c == 0x4E01 /* 丁 */ || c == 0x756A /* 番 */ || c == 0x53F7 /* 号 */;
}

static size_t match_address(const char *s, size_t n, size_t i, const struct pass_ctx *ctx,
                            const char **ph, size_t *back)
{
    (void)ctx;
    (void)back;
    size_t len;
    uint32_t c = cp_at(s, n, i, &len);
    /* 〒 and a postal code, or a bare NNN-NNNN. */
    if (c == 0x3012 || (is_digit(c) && !is_digit(cp_prev(s, n, i)) && !is_dash(cp_prev(s, n, i)))) {
        size_t j = c == 0x3012 ? i + len : i;
        while (c == 0x3012 && j < n && s[j] == ' ')
            j++;
        size_t d = j;
        while (d < n && is_digit((unsigned char)s[d]) && d - j < 4)
            d++;
        if (d - j == 3) {
            size_t dl = 0;
            uint32_t sep = d < n ? cp_at(s, n, d, &dl) : 0;
            size_t e = is_dash(sep) ? d + dl : (c == 0x3012 ? d : 0);
            size_t f = e;
            while (e && f < n && is_digit((unsigned char)s[f]) && f - e < 5)
                f++;
            if (e && f - e == 4 &&
                !(f < n && (is_digit((unsigned char)s[f]) || is_dash((unsigned char)s[f])))) {
                *ph = PH_ADDRESS;
                /* An address right after the code is part of it. */
                size_t g = f;
                while (g < n && s[g] == ' ')
                    g++;
                size_t t = address_tail(s, n, g);
                return (t > g ? t : f) - i;
            }
        }
        if (c == 0x3012) {
            *ph = PH_ADDRESS;
            size_t t = address_tail(s, n, j);
            return (t > j ? t : i + len) - i;
        }
        return 0;
    }
    /* A prefecture and a municipality. */
    for (size_t k = 0; c >= 0x4E00 && k < sizeof prefectures / sizeof prefectures[0]; k++) {
        if (s[i] != prefectures[k][0] || s[i + 1] != prefectures[k][1] ||
            s[i + 2] != prefectures[k][2])
            continue;
        size_t pl = strlen(prefectures[k]);
        if (n - i < pl || memcmp(s + i, prefectures[k], pl) != 0)
            continue;
        size_t j = i + pl, count = 0;
        bool municipal = false;
        uint32_t first = j < n ? cp_at(s, n, j, &len) : 0;
        if (!(is_kanji(first) || is_katakana(first) ||
              (n - j >= 12 && memcmp(s + j, "さいたま", 12) == 0)))
            return 0;
        while (j < n && count < 12) {
            uint32_t m = cp_at(s, n, j, &len);
            if (!(is_kanji(m) || is_katakana(m) || m == 0x306E || is_hiragana(m)))
                break;
            j += len;
            count++;
            if (is_municipal(m)) {
                municipal = true;
                break;
            }
        }
        if (!municipal)
            return 0;
        *ph = PH_ADDRESS;
        return address_tail(s, n, j) - i;
    }
    /* A municipality followed by block numbers. */
    if (!(is_kanji(c) || is_katakana(c)))
        return 0;
    uint32_t p = cp_prev(s, n, i);
    if (is_kanji(p) || is_katakana(p))
        return 0;
    size_t j = i, count = 0;
    bool municipal = false;
    while (j < n && count < 20) {
        uint32_t m = cp_at(s, n, j, &len);
        if (!(is_kanji(m) || is_katakana(m) || m == 0x306E || m == 0x30CE))
            break;
        if (is_municipal(m) && count > 0)
            municipal = true;
        j += len;
        count++;
    }
    if (!municipal || !block_number(s, n, j))
        return 0;
    *ph = PH_ADDRESS;
    return address_tail(s, n, j) - i;
}

/* --- 7. Names from the dictionary ---------------------------------------------------------- */

#define BUCKETS 1024

struct sm_scrub_dict {
    char **names; /* normalised, ASCII letters lowered, longest first within a bucket */
    size_t n, cap;
    size_t *bucket_start; /* BUCKETS + 1 offsets into order, built lazily */
    size_t *order;
    bool sorted;
};

static unsigned bucket_of(const char *s)
{
    uint32_t h = 2166136261u;
    for (int k = 0; k < 3; k++) {
        h ^= (unsigned char)lower(s[k]);
        h *= 16777619u;
    }
    return h % BUCKETS;
}

int sm_scrub_dict_new(struct sm_scrub_dict **out)
{
    struct sm_scrub_dict *d = sm_calloc(1, sizeof *d);
    if (!d)
        return SM_ENOMEM;
    *out = d;
    return SM_OK;
}

void sm_scrub_dict_free(struct sm_scrub_dict *dict)
{
    if (!dict)
        return;
    for (size_t i = 0; i < dict->n; i++)
        sm_free(dict->names[i]);
    sm_free(dict->names);
    sm_free(dict->bucket_start);
    sm_free(dict->order);
    sm_free(dict);
}

/* Adds one normalised form of s[0..n) unless it is too short or already there. */
static int dict_put(struct sm_scrub_dict *d, const char *s, size_t n)
{
    while (n > 0 && s[0] == ' ') {
        s++;
        n--;
    }
    while (n > 0 && s[n - 1] == ' ')
        n--;
    size_t cps = sm_utf8_codepoints(s, n);
    bool latin = true;
    for (size_t k = 0; k < n; k++)
        if ((unsigned char)s[k] >= 0x80)
            latin = false;
    if (cps < 2 || (latin && n < 3) || n < 3)
        return SM_OK;
    for (size_t k = 0; k < d->n; k++)
        if (strlen(d->names[k]) == n && memcmp(d->names[k], s, n) == 0)
            return SM_OK;
    if (d->n == d->cap) {
        size_t ncap = d->cap ? d->cap * 2 : 32;
        char **p = sm_realloc(d->names, ncap * sizeof *p);
        if (!p)
            return SM_ENOMEM;
        d->names = p;
        d->cap = ncap;
    }
    char *copy = sm_strndup(s, n);
    if (!copy)
        return SM_ENOMEM;
    for (size_t k = 0; k < n; k++)
        copy[k] = lower(copy[k]);
    d->names[d->n++] = copy;
    d->sorted = false;
    return SM_OK;
}

/* Company-form words, as NFKC leaves them. The longer ones come first so that 医療法人社団
 * is taken whole rather than as 医療法人. */
static const char *const company_forms[] = {
    "特定非営利活動法人",
    "一般社団法人",
    "一般財団法人",
    "公益社団法人",
    "公益財団法人",
    "医療法人社団",
    "医療法人財団",
    "社会福祉法人",
    "事業協同組合",
    "株式会社",
    "有限会社",
    "合同会社",
    "合資会社",
    "合名会社",
    "社団法人",
    "財団法人",
    "医療法人",
    "学校法人",
    "宗教法人",
    "NPO法人",
    "協同組合",
    "(株)",
    "(有)",
    "(合)",
    "(同)",
    "(資)",
    "(名)",
    "(社)",
    "(財)",
    "(医)",
    "(学)",
    "(福)",
};

static const char *const latin_forms[] = {
    "co., ltd.", "co.,ltd.", "co. ltd.", "co.,ltd", "co., ltd", "corporation", "ltd.", "inc.",
    "corp.",     "k.k.",     "g.k.",     "y.k.",    "llc",      "ltd",         "inc",  "corp",
};

/* Adds a name and its variants: without company-form words, without spaces, and each
 * space-separated part. */
static int dict_add_variants(struct sm_scrub_dict *d, const char *name)
{
    char *norm = NULL;
    size_t len = 0;
    int rc = sm_text_normalize(name, strlen(name), &norm, &len, NULL);
    if (rc)
        return rc == SM_EPARSE ? SM_EINVAL : rc;
    /* Line breaks are no part of a name. */
    for (size_t k = 0; k < len; k++)
        if (norm[k] == '\n' || norm[k] == '\f')
            norm[k] = ' ';
    rc = dict_put(d, norm, len);
    /* Without parenthesised remarks such as (架空) or (本社). */
    struct sm_buf np;
    sm_buf_init(&np, len + 1);
    int depth = 0;
    for (size_t i = 0; !rc && i < len; i++) {
        if (norm[i] == '(')
            depth++;
        else if (norm[i] == ')' && depth > 0)
            depth--;
        else if (depth == 0)
            rc = sm_buf_putc(&np, norm[i]);
    }
    if (!rc && np.len && np.len < len) {
        rc = dict_put(d, np.data, np.len);
        if (!rc) {
            memcpy(norm, np.data, np.len);
            norm[np.len] = '\0';
            len = np.len;
        }
    }
    sm_buf_release(&np);
    /* Without company-form words. */
    struct sm_buf b;
    sm_buf_init(&b, len + 1);
    for (size_t i = 0; !rc && i < len;) {
        size_t m = 0;
        for (size_t k = 0; k < sizeof company_forms / sizeof company_forms[0] && !m; k++)
            m = starts_ci(norm, len, i, company_forms[k]);
        for (size_t k = 0; k < sizeof latin_forms / sizeof latin_forms[0] && !m; k++) {
            size_t lm = starts_ci(norm, len, i, latin_forms[k]);
            if (lm && (i == 0 || norm[i - 1] == ' ' || norm[i - 1] == ',') &&
                (i + lm == len || !is_alnum((unsigned char)norm[i + lm])))
                m = lm;
        }
        if (m) {
            i += m;
            continue;
        }
        rc = sm_buf_putc(&b, norm[i]);
        i++;
    }
    if (!rc && b.len > 0) {
        /* A trailing comma of "Canary, Inc." */
        while (b.len > 0 && (b.data[b.len - 1] == ',' || b.data[b.len - 1] == ' '))
            b.len--;
        rc = dict_put(d, b.data, b.len);
    }
    /* Without spaces, and each part. */
    const char *base = b.len ? b.data : norm;
    size_t blen = b.len ? b.len : len;
    struct sm_buf nos;
    sm_buf_init(&nos, blen + 1);
    for (size_t i = 0; !rc && i < blen; i++)
        if (base[i] != ' ')
            rc = sm_buf_putc(&nos, base[i]);
    if (!rc && nos.len)
        rc = dict_put(d, nos.data, nos.len);
    for (size_t i = 0; !rc && i < blen;) {
        size_t j = i;
        while (j < blen && base[j] != ' ')
            j++;
        if (j > i && (i > 0 || j < blen))
            rc = dict_put(d, base + i, j - i);
        i = j + 1;
    }
    sm_buf_release(&nos);
    sm_buf_release(&b);
    sm_free(norm);
    return rc;
}

int sm_scrub_dict_add(struct sm_scrub_dict *dict, const char *name)
{
    if (!name || !*name)
        return SM_OK;
    size_t n = strlen(name);
    if (!sm_utf8_valid(name, n, NULL))
        return SM_EINVAL;
    int rc = dict_add_variants(dict, name);
    /* Each part of a name written with spaces (高橋 花子): normalising would join Japanese
     * parts, so they are split first, at ASCII and ideographic spaces. */
    for (size_t i = 0; !rc && i < n;) {
        size_t j = i;
        while (j < n && name[j] != ' ' && !(n - j >= 3 && memcmp(name + j, "\xE3\x80\x80", 3) == 0))
            j++;
        if (j > i && (i > 0 || j < n)) {
            char *part = sm_strndup(name + i, j - i);
            if (!part)
                return SM_ENOMEM;
            char *norm = NULL;
            size_t len = 0;
            rc = sm_text_normalize(part, j - i, &norm, &len, NULL);
            sm_free(part);
            if (!rc)
                rc = dict_put(dict, norm, len);
            sm_free(norm);
        }
        i = j < n && name[j] == ' ' ? j + 1 : j + 3;
    }
    return rc;
}

static int cmp_len_desc(const void *a, const void *b)
{
    size_t x = strlen(*(char *const *)a), y = strlen(*(char *const *)b);
    return (x < y) - (x > y);
}

/* Sorts the names longest first and indexes them by the hash of their first three bytes. */
static int dict_index(struct sm_scrub_dict *d)
{
    if (d->sorted)
        return SM_OK;
    if (d->n)
        qsort(d->names, d->n, sizeof *d->names, cmp_len_desc);
    size_t *start = sm_calloc(BUCKETS + 1, sizeof *start);
    size_t *order = sm_calloc(d->n ? d->n : 1, sizeof *order);
    if (!start || !order) {
        sm_free(start);
        sm_free(order);
        return SM_ENOMEM;
    }
    for (size_t k = 0; k < d->n; k++)
        start[bucket_of(d->names[k]) + 1]++;
    for (size_t b = 0; b < BUCKETS; b++)
        start[b + 1] += start[b];
    size_t *fill = sm_calloc(BUCKETS, sizeof *fill);
    if (!fill) {
        sm_free(start);
        sm_free(order);
        return SM_ENOMEM;
    }
    for (size_t k = 0; k < d->n; k++) {
        unsigned b = bucket_of(d->names[k]);
        order[start[b] + fill[b]++] = k;
    }
    sm_free(fill);
    sm_free(d->bucket_start);
    sm_free(d->order);
    d->bucket_start = start;
    d->order = order;
    d->sorted = true;
    return SM_OK;
}

static size_t dict_match(const struct sm_scrub_dict *d, const char *low, size_t n, size_t i)
{
    if (!d || !d->n || !d->sorted || n - i < 3)
        return 0;
    unsigned b = bucket_of(low + i);
    for (size_t k = d->bucket_start[b]; k < d->bucket_start[b + 1]; k++) {
        const char *name = d->names[d->order[k]];
        size_t m = strlen(name);
        if (m <= n - i && memcmp(low + i, name, m) == 0)
            return m;
    }
    return 0;
}

static size_t match_dict(const char *s, size_t n, size_t i, const struct pass_ctx *ctx,
                         const char **ph, size_t *back)
{
    (void)s;
    (void)back;
    /* Only at the start of a character. */
    if (((unsigned char)s[i] & 0xC0) == 0x80)
        return 0;
    size_t m = dict_match(ctx->extra, ctx->lowered, n, i);
    size_t m2 = dict_match(ctx->dict, ctx->lowered, n, i);
    if (m2 > m)
        m = m2;
    if (m)
        *ph = PH_ORG;
    return m;
}

/* --- 8. Company-form words with their names --------------------------------------------------- */

/* Particles that end a hiragana name after a company-form word. */
static bool particle(uint32_t c)
{
    static const uint32_t p[] = { 0x306F, 0x304C, 0x3092, 0x306B, 0x3067,
                                  0x3068, 0x3082, 0x3078, 0x306E };
    for (size_t k = 0; k < sizeof p / sizeof p[0]; k++)
        if (c == p[k])
            return true;
    return false;
}

/* Bytes of the name written right before s[i]: name characters, or failing those a
 * hiragana run back to a particle; at most 20 characters. */
static size_t name_before(const char *s, size_t n, size_t i, bool latin)
{
    size_t j = i;
    int k = 0;
    if (latin) {
        /* Up to four words of letters, digits, & ' - . separated by single spaces. */
        while (j > 0 && (s[j - 1] == ' ' || s[j - 1] == ','))
            j--;
        int words = 0;
        while (j > 0 && words < 4) {
            size_t e = j;
            while (j > 0 && (is_alnum((unsigned char)s[j - 1]) || strchr("&'-.", s[j - 1])))
                j--;
            if (j == e)
                break;
            words++;
            if (j > 0 && s[j - 1] == ' ' && j > 1 && is_alnum((unsigned char)s[j - 2]))
                j--;
            else
                break;
        }
        while (j < i && s[j] == ' ')
            j++;
        return i - j;
    }
    /* Name characters, then (for a name such as やまだ屋) a hiragana run back to a
     * particle. */
    while (j > 0 && k < 20) {
        size_t p = cp_before(s, j), len;
        uint32_t c = cp_at(s, n, p, &len);
        if (!is_name_char(c))
            break;
        j = p;
        k++;
    }
    while (j > 0 && k < 20) {
        size_t p = cp_before(s, j), len;
        uint32_t c = cp_at(s, n, p, &len);
        if (!is_hiragana(c) || particle(c))
            break;
        j = p;
        k++;
    }
    return i - j;
}

static size_t name_after(const char *s, size_t n, size_t j)
{
    size_t st = j;
    int k = 0;
    /* A name that starts in hiragana (さくら, やまだ屋) runs to a particle first. */
    while (j < n && k < 20) {
        size_t len;
        uint32_t c = cp_at(s, n, j, &len);
        if (!is_hiragana(c) || particle(c))
            break;
        j += len;
        k++;
    }
    while (j < n && k < 20) {
        size_t len;
        uint32_t c = cp_at(s, n, j, &len);
        if (!is_name_char(c) &&
            !(c == ' ' && j > st && j + 1 < n && is_alnum((unsigned char)s[j - 1]) &&
              is_alnum((unsigned char)s[j + 1])))
            break;
        j += len;
        k++;
    }
    return j - st;
}

static size_t match_company(const char *s, size_t n, size_t i, const struct pass_ctx *ctx,
                            const char **ph, size_t *back)
{
    (void)ctx;
    /* The forms start with one of these characters, or with "(" or "N" (NPO法人). */
    bool jp = s[i] == '(' || s[i] == 'N' || first_char_in(s, n, i, "特一公医社事株有合財学宗協");
    bool latin = strchr("cCiIlLkKgGyY", s[i]) != NULL;
    if (!jp && !latin)
        return 0;
    size_t m = 0;
    for (size_t k = 0; jp && k < sizeof company_forms / sizeof company_forms[0] && !m; k++)
        m = starts_ci(s, n, i, company_forms[k]);
    if (m) {
        size_t before = name_before(s, n, i, false);
        size_t after = name_after(s, n, i + m);
        *back = before;
        *ph = PH_ORG;
        return m + after;
    }
    if (!is_alpha((unsigned char)s[i]) || (i > 0 && is_alnum((unsigned char)s[i - 1])))
        return 0;
    for (size_t k = 0; k < sizeof latin_forms / sizeof latin_forms[0] && !m; k++) {
        size_t lm = starts_ci(s, n, i, latin_forms[k]);
        if (lm && (i + lm == n || !is_alnum((unsigned char)s[i + lm])))
            m = lm;
    }
    if (!m)
        return 0;
    size_t before = name_before(s, n, i, true);
    if (before == 0)
        return 0; /* "Inc." alone is a word, not a company */
    *back = before;
    *ph = PH_ORG;
    return m;
}

/* --- 9. Person names around honorifics and titles --------------------------------------------- */

static const char *const honorifics[] = {
    "理事長", "ちゃん", "社長", "会長", "専務", "常務", "部長", "課長", "係長", "主任", "店長",
    "院長",   "園長",   "先生", "さま", "さん", "くん", "様",   "氏",   "殿",   "君",
};

/* Words before an honorific that are not a name. */
static const char *const not_names[] = {
    "お客",     "客",     "顧客",   "皆",     "各位",   "利用者", "担当者", "担当", "社員",
    "従業員",   "御社",   "貴社",   "弊社",   "当社",   "同社",   "先方",   "相手", "取引先",
    "役員",     "社内",   "同",     "前",     "元",     "新",     "副",     "代表", "当該",
    "事務",     "経営者", "責任者", "管理者", "お医者", "医者",   "患者",   "利用", "ユーザー",
    "オーナー", "お子",   "子",     "息子",   "娘",     "奥",     "皆々",   "職員", "店",
};

static const char *const titles_before[] = { "代表取締役社長", "代表取締役", "取締役",
                                             "代表者",         "担当者",     "社長" };

static bool is_not_name(const char *s, size_t len)
{
    for (size_t k = 0; k < sizeof not_names / sizeof not_names[0]; k++)
        if (strlen(not_names[k]) == len && memcmp(s, not_names[k], len) == 0)
            return true;
    return false;
}

static size_t match_person(const char *s, size_t n, size_t i, const struct pass_ctx *ctx,
                           const char **ph, size_t *back)
{
    (void)ctx;
    if (!strchr("mMdD", s[i]) &&
        !first_char_in(s, n, i, "理ち社会専常部課係主店院園先さく様氏殿君"))
        return 0;
    /* Mr. / Ms. / Mrs. / Dr. and capitalised words. */
    static const char *const latin_titles[] = { "mr. ", "ms. ", "mrs. ", "dr. ", "mr ", "ms " };
    if (i == 0 || !is_alnum((unsigned char)s[i - 1]))
        for (size_t k = 0; k < sizeof latin_titles / sizeof latin_titles[0]; k++) {
            size_t m = starts_ci(s, n, i, latin_titles[k]);
            if (!m || i + m >= n || !(s[i + m] >= 'A' && s[i + m] <= 'Z'))
                continue;
            size_t j = i + m;
            for (int words = 0; words < 3; words++) {
                while (j < n && is_alpha((unsigned char)s[j]))
                    j++;
                if (j + 1 < n && s[j] == ' ' && s[j + 1] >= 'A' && s[j + 1] <= 'Z')
                    j++;
                else
                    break;
            }
            *ph = PH_PERSON;
            return j - i;
        }
    /* A name, then an honorific: the match starts at the honorific and takes the name back. */
    for (size_t k = 0; k < sizeof honorifics / sizeof honorifics[0]; k++) {
        if (s[i] != honorifics[k][0] || (n - i > 1 && s[i + 1] != honorifics[k][1]))
            continue;
        size_t m = strlen(honorifics[k]);
        if (n - i < m || memcmp(s + i, honorifics[k], m) != 0)
            continue;
        size_t j = i;
        int count = 0;
        while (j > 0 && count < 8) {
            size_t p = cp_before(s, j), len;
            uint32_t c = cp_at(s, n, p, &len);
            if (!(is_kanji(c) || is_katakana(c) || is_alpha(c)))
                break;
            j = p;
            count++;
        }
        if (count == 0 || is_not_name(s + j, i - j))
            return 0;
        /* A name that ends in a word that is not one (担当の佐藤さん is fine; 営業担当さん is
         * not a name): check the longest trailing part too. */
        *back = i - j;
        *ph = PH_PERSON;
        return m;
    }
    return 0;
}

/* Names after titles: a separate pass, since the title stays and only the name goes. */
static size_t match_titled(const char *s, size_t n, size_t i, const struct pass_ctx *ctx,
                           const char **ph, size_t *back)
{
    (void)ctx;
    (void)back;
    if (((unsigned char)s[i] & 0xC0) == 0x80 || i == 0)
        return 0;
    /* A title ends in 役, 者 or 長, and may be followed by a space, a colon or の. */
    if (s[i - 1] != ' ' && s[i - 1] != ':' && !(i >= 3 && first_char_in(s, n, i - 3, "役者長の")))
        return 0;
    /* The match starts after a title that ends right before s[i] (with optional space). */
    size_t t = i;
    while (t > 0 && (s[t - 1] == ' ' || s[t - 1] == ':'))
        t--;
    if (t >= 3 && memcmp(s + t - 3, "の", 3) == 0)
        t -= 3;
    bool titled = false;
    for (size_t k = 0; k < sizeof titles_before / sizeof titles_before[0] && !titled; k++) {
        size_t m = strlen(titles_before[k]);
        if (t >= m && memcmp(s + t - m, titles_before[k], m) == 0)
            titled = true;
    }
    if (!titled)
        return 0;
    size_t j = i, len;
    int count = 0;
    while (j < n && count < 8) {
        uint32_t c = cp_at(s, n, j, &len);
        if (!(is_kanji(c) || is_katakana(c) || is_alpha(c)))
            break;
        j += len;
        count++;
    }
    if (count < 2 || is_not_name(s + i, j - i))
        return 0;
    *ph = PH_PERSON;
    return j - i;
}

/* --- Scrubbing --------------------------------------------------------------------------- */

/* Makes a placeholder repeated right after itself (with at most a space between) one. */
static void collapse(char *s, size_t *len)
{
    static const char *const all[] = { PH_URL,   PH_EMAIL,   PH_IP,  PH_HOST,
                                       PH_PHONE, PH_ADDRESS, PH_ORG, PH_PERSON };
    /* Every placeholder ends with 〕 (E3 80 95) and starts with 〔 (E3 80 94). */
    size_t w = 0;
    for (size_t r = 0; r < *len;) {
        bool dropped = false;
        if (w >= 3 && (unsigned char)s[w - 1] == 0x95 && (unsigned char)s[w - 2] == 0x80) {
            size_t sp = s[r] == ' ' ? 1 : 0;
            for (size_t k = 0; k < sizeof all / sizeof all[0] && !dropped; k++) {
                size_t pl = strlen(all[k]);
                if (w < pl || *len - r < sp + pl || memcmp(s + w - pl, all[k], pl) != 0)
                    continue;
                if (memcmp(s + r + sp, all[k], pl) == 0) {
                    r += sp + pl;
                    dropped = true;
                }
            }
        }
        if (!dropped)
            s[w++] = s[r++];
    }
    s[w] = '\0';
    *len = w;
}

static char *lowered_copy(const char *s, size_t n)
{
    char *l = sm_malloc(n + 1);
    if (!l)
        return NULL;
    for (size_t k = 0; k < n; k++)
        l[k] = lower(s[k]);
    l[n] = '\0';
    return l;
}

/* Which passes can match at all: a cheap look over the text first, since most notes hold no
 * address, mail or number and each pass copies the text. Every test is a necessary
 * condition of its pass matching anything. */
enum {
    NEED_URL = 1 << 0,
    NEED_EMAIL = 1 << 1,
    NEED_IP = 1 << 2,
    NEED_HOST = 1 << 3,
    NEED_PHONE = 1 << 4,
    NEED_ADDRESS = 1 << 5,
    NEED_COMPANY = 1 << 6,
    NEED_PERSON = 1 << 7,
};

static unsigned needed_passes(const char *s, size_t n)
{
    bool digit = false, letter = false, dot = false, colon = false, dash = false, at = false;
    bool backslash = false, paren = false, bracket = false;
    bool jp_address = false, jp_company = false, jp_person = false;
    for (size_t i = 0; i < n;) {
        unsigned char c = (unsigned char)s[i];
        if (c < 0x80) {
            digit |= is_digit(c);
            letter |= is_alpha(c);
            dot |= c == '.';
            colon |= c == ':';
            dash |= c == '-';
            at |= c == '@';
            backslash |= c == '\\';
            paren |= c == '(';
            bracket |= c == '[' || c == ']' || c == ')';
            i++;
            continue;
        }
        size_t len;
        uint32_t cp = cp_at(s, n, i, &len);
        i += len;
        /* One character of each word the passes look for (over-approximating is fine). */
        switch (cp) {
        case 0x3012: /* 〒 */
        case 0x770C: /* 県 */
        case 0x90FD: /* 都 */
        case 0x5E9C: /* 府 */
        case 0x9053: /* 道 */
            jp_address = true;
            break;
        case 0x793E: /* 社 (会社) */
        case 0x4EBA: /* 人 (法人) */
        case 0x5408: /* 合 (組合) */
            jp_company = true;
            break;
        case 0x69D8: /* 様 */
        case 0x3093: /* ん (さん, くん, ちゃん) */
        case 0x307E: /* ま (さま) */
        case 0x6C0F: /* 氏 */
        case 0x6BBF: /* 殿 */
        case 0x541B: /* 君 */
        case 0x9577: /* 長 */
        case 0x52D9: /* 務 */
        case 0x4EFB: /* 任 */
        case 0x751F: /* 生 (先生) */
        case 0x8868: /* 表 (代表) */
        case 0x7DE0: /* 締 (取締役) */
        case 0x5F53: /* 当 (担当) */
            jp_person = true;
            break;
        default:
            break;
        }
        /* 社長 is a title too. */
        if (cp == 0x793E)
            jp_person = true;
    }
    unsigned need = 0;
    if (letter || backslash)
        need |= NEED_URL; /* the schemes and www. are letters; UNC paths start with \\ */
    if (at || ((letter || digit) && bracket))
        need |= NEED_EMAIL; /* also name [at] example.jp */
    if ((digit && (dot || dash)) || colon)
        need |= NEED_IP;
    if ((letter || digit) && (dot || paren))
        need |= NEED_HOST;
    if (digit)
        need |= NEED_PHONE;
    if (digit || jp_address)
        need |= NEED_ADDRESS;
    if (paren || letter || jp_company)
        need |= NEED_COMPANY;
    if (letter || jp_person)
        need |= NEED_PERSON;
    return need;
}

/* The scrubbing itself, with the report's own names already in a dictionary (may be
 * NULL). */
static int scrub(const struct sm_scrub_dict *dict, const struct sm_scrub_dict *ex, const char *s,
                 size_t n, bool normalized, char **out, size_t *out_len, struct sm_diag *diag)
{
    char *cur = NULL;
    size_t len = 0;
    int rc = SM_OK;
    if (normalized) {
        cur = sm_strndup(s, n);
        len = n;
        if (!cur)
            return SM_ENOMEM;
    } else {
        rc = sm_text_normalize(s, n, &cur, &len, diag);
        if (rc)
            return rc;
    }
    if (dict && !dict->sorted) {
        /* Indexing is a one-time cost of a dictionary built and then shared read-only. */
        rc = dict_index((struct sm_scrub_dict *)(uintptr_t)dict);
        if (rc)
            goto out;
    }

    static const struct {
        matcher_fn match;
        unsigned need; /* 0: always */
    } passes[] = {
        { match_url, NEED_URL },
        { match_email, NEED_EMAIL },
        { match_ip, NEED_IP },
        { match_host, NEED_HOST },
        { match_phone, NEED_PHONE },
        { match_address, NEED_ADDRESS },
        { match_dict, 0 },
        { match_company, NEED_COMPANY },
        { match_person, NEED_PERSON },
        { match_titled, NEED_PERSON },
    };

    unsigned need = needed_passes(cur, len);
    bool any_names = (dict && dict->n) || (ex && ex->n);
    for (size_t p = 0; p < sizeof passes / sizeof passes[0]; p++) {
        if (passes[p].need && !(need & passes[p].need))
            continue;
        if (passes[p].match == match_dict && !any_names)
            continue;
        struct pass_ctx ctx = { .dict = dict, .extra = ex, .lowered = NULL };
        char *low = NULL;
        if (passes[p].match == match_dict) {
            low = lowered_copy(cur, len);
            if (!low) {
                rc = SM_ENOMEM;
                goto out;
            }
            ctx.lowered = low;
        }
        char *next = NULL;
        size_t next_len = 0;
        rc = run_pass(cur, len, passes[p].match, &ctx, &next, &next_len);
        sm_free(low);
        if (rc) {
            if (rc == SM_ELIMIT)
                sm_diag_set(diag, rc, "scrubbed text grew past its limit");
            goto out;
        }
        sm_free(cur);
        cur = next;
        len = next_len;
    }
    collapse(cur, &len);
    *out = cur;
    *out_len = len;
    cur = NULL;
out:
    sm_free(cur);
    return rc;
}

/* A dictionary of one name (the report's customer), or NULL for none. */
static int extra_dict(const char *extra, struct sm_scrub_dict **out)
{
    *out = NULL;
    if (!extra || !*extra)
        return SM_OK;
    struct sm_scrub_dict *ex = NULL;
    int rc = sm_scrub_dict_new(&ex);
    if (!rc)
        rc = sm_scrub_dict_add(ex, extra);
    if (!rc)
        rc = dict_index(ex);
    if (rc == SM_EINVAL)
        rc = SM_OK; /* a customer name that is not UTF-8 was refused earlier */
    if (rc) {
        sm_scrub_dict_free(ex);
        return rc;
    }
    *out = ex;
    return SM_OK;
}

int sm_scrub_text(const struct sm_scrub_dict *dict, const char *extra, const char *s, size_t n,
                  char **out, size_t *out_len, struct sm_diag *diag)
{
    struct sm_scrub_dict *ex = NULL;
    int rc = extra_dict(extra, &ex);
    if (!rc)
        rc = scrub(dict, ex, s, n, false, out, out_len, diag);
    sm_scrub_dict_free(ex);
    return rc;
}

/* --- Families ------------------------------------------------------------------------------- */

static char *family_shared(const struct sm_scrub_dict *dict, const struct sm_scrub_dict *ex,
                           const char *family)
{
    if (!family || !*family)
        return NULL;
    char *norm = NULL, *scrubbed = NULL;
    size_t nlen = 0, slen = 0;
    if (sm_text_normalize(family, strlen(family), &norm, &nlen, NULL))
        return NULL;
    char *res = NULL;
    /* Only a plain Latin name can be a family; anything else is dropped without scrubbing. */
    if (nlen < 2 || nlen > 48 || !is_alpha((unsigned char)norm[0]))
        goto out;
    for (size_t k = 0; k < nlen; k++) {
        unsigned char c = (unsigned char)norm[k];
        if (!(is_alnum(c) || c == ' ' || c == '.' || c == '_' || c == '/' || c == '+' || c == '-'))
            goto out;
    }
    if (scrub(dict, ex, norm, nlen, true, &scrubbed, &slen, NULL))
        goto out;
    /* Anything the scrubber touched means the family held more than a family name. */
    if (slen != nlen || memcmp(scrubbed, norm, nlen) != 0)
        goto out;
    res = lowered_copy(norm, nlen);
out:
    sm_free(norm);
    sm_free(scrubbed);
    return res;
}

char *sm__family_shared(const struct sm_scrub_dict *dict, const char *extra, const char *family)
{
    struct sm_scrub_dict *ex = NULL;
    if (extra_dict(extra, &ex))
        return NULL;
    char *res = family_shared(dict, ex, family);
    sm_scrub_dict_free(ex);
    return res;
}

/* --- The report ------------------------------------------------------------------------------ */

/* Anonymises with the customer's dictionary ex already built (may be NULL). */
static int anonymise(const struct sm_scrub_dict *dict, const struct sm_scrub_dict *ex,
                     struct sm__anon_cache *c, const struct sm_incident *in,
                     struct sm_incident_anon *out, struct sm_diag *diag)
{
    memset(out, 0, sizeof *out);
    if (!in->detected_on || strlen(in->detected_on) != 10 || !in->prefecture || !in->industry)
        return sm_diag_set(diag, SM_EINVAL, "the report is incomplete");
    memcpy(out->month, in->detected_on, 7);
    out->month[7] = '\0';
    sm_half_of(in->detected_on, out->half);
    memcpy(out->prefecture, in->prefecture, 2);
    out->prefecture[2] = '\0';
    out->industry[0] = in->industry[0];
    out->industry[1] = '\0';
    out->size = in->size;
    out->threat = in->threat;
    out->detection = in->detection;
    out->response = in->response;
    out->outcome = in->outcome;
    out->recovery_days = in->recovery_days;
    out->cost = in->cost;
    out->tlp = in->tlp;
    if ((in->threat == SM_THREAT_RANSOMWARE || in->threat == SM_THREAT_MALWARE) &&
        in->malware_family && *in->malware_family) {
        /* Families repeat from report to report: the last one's answer is kept. */
        if (c && c->family_in && c->family_with_name == (ex != NULL) &&
            strcmp(c->family_in, in->malware_family) == 0) {
            if (c->family_out && !(out->family = sm_strdup(c->family_out)))
                return SM_ENOMEM;
        } else {
            out->family = family_shared(dict, ex, in->malware_family);
            if (c) {
                sm_free(c->family_in);
                sm_free(c->family_out);
                c->family_in = sm_strdup(in->malware_family);
                c->family_out = out->family ? sm_strdup(out->family) : NULL;
                c->family_with_name = ex != NULL;
                if (!c->family_in || (out->family && !c->family_out)) {
                    sm_free(c->family_in);
                    sm_free(c->family_out);
                    c->family_in = c->family_out = NULL;
                }
            }
        }
    }
    if (in->notes && *in->notes) {
        size_t len = 0;
        int rc = scrub(dict, ex, in->notes, strlen(in->notes), false, &out->notes, &len, diag);
        if (rc) {
            sm_free(out->family);
            out->family = NULL;
            return rc;
        }
        /* A note that was only a name leaves nothing worth sharing. */
        if (len == 0) {
            sm_free(out->notes);
            out->notes = NULL;
        }
    }
    return SM_OK;
}

int sm_sharing_anonymise(const struct sm_scrub_dict *dict, const struct sm_incident *in,
                         struct sm_incident_anon *out, struct sm_diag *diag)
{
    struct sm_scrub_dict *ex = NULL;
    int rc = extra_dict(in->customer_name, &ex);
    if (!rc)
        rc = anonymise(dict, ex, NULL, in, out, diag);
    sm_scrub_dict_free(ex);
    return rc;
}

void sm__anon_cache_release(struct sm__anon_cache *c)
{
    sm_scrub_dict_free(c->dict);
    sm_free(c->name);
    sm_free(c->family_in);
    sm_free(c->family_out);
    memset(c, 0, sizeof *c);
}

int sm__anonymise_cached(struct sm__anon_cache *c, const struct sm_scrub_dict *dict,
                         const struct sm_incident *in, struct sm_incident_anon *out,
                         struct sm_diag *diag)
{
    /* A report without a customer name keeps the last name's dictionary for the next. */
    const char *name = in->customer_name && *in->customer_name ? in->customer_name : NULL;
    if (name && !(c->name && strcmp(name, c->name) == 0)) {
        sm__anon_cache_release(c);
        c->name = sm_strdup(name);
        if (!c->name)
            return SM_ENOMEM;
        int rc = extra_dict(name, &c->dict);
        if (rc) {
            sm__anon_cache_release(c);
            return rc;
        }
    }
    return anonymise(dict, name ? c->dict : NULL, c, in, out, diag);
}

void sm_incident_anon_release(struct sm_incident_anon *a)
{
    if (!a)
        return;
    sm_free(a->family);
    sm_free(a->notes);
    a->family = NULL;
    a->notes = NULL;
}

/* --- Loading the registry's names --------------------------------------------------------------
 */

int sm_scrub_dict_load(struct sm_scrub_dict *dict, struct sm_store *store, const char *today,
                       struct sm_diag *diag)
{
    struct sm_provider_list *providers = NULL;
    int rc = sm_registry_providers(store, 0, &providers, diag);
    if (rc == SM_ENOTFOUND)
        rc = SM_OK;
    for (size_t i = 0; !rc && providers && i < providers->n; i++) {
        rc = sm_scrub_dict_add(dict, providers->items[i].name);
        if (!rc && providers->items[i].contact_name)
            rc = sm_scrub_dict_add(dict, providers->items[i].contact_name);
        if (rc == SM_EINVAL)
            rc = SM_OK;
    }
    sm_provider_list_free(providers);
    if (rc)
        return rc;
    char day[SM_DATE_SIZE];
    sm__sh_today(today, day);
    struct sm_registry_who sys = sm_registry_who_system("sharing");
    struct sm_registry_service_list *services = NULL;
    rc = sm_registry_services(store, &sys, 0, day, &services, diag);
    for (size_t i = 0; !rc && i < services->n; i++) {
        if (services->items[i].name)
            rc = sm_scrub_dict_add(dict, services->items[i].name);
        if (rc == SM_EINVAL)
            rc = SM_OK;
    }
    sm_registry_service_list_free(services);
    if (!rc)
        rc = dict_index(dict);
    return rc;
}

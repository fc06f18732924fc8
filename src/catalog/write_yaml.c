/*
 * Writing a catalog as YAML (sm_catalog_write_yaml), in the layout of
 * data/catalog/sc3-catalog.yaml, so that a catalog imported from Excel can be diffed against
 * the file in the repository and committed in its place.
 *
 * The invariant is the round trip: sm_catalog_parse of the output gives back an equal
 * catalog. Each string therefore takes the plainest style that is certain to read back
 * exactly: plain when it is made only of characters that mean nothing to YAML, a literal
 * block ("|-") for multi-line text that block style keeps as it is, and otherwise double
 * quotes with every character YAML might fold, trim or refuse written as an escape. The
 * writer does not depend on libyaml (parse.c is the only file that does): the rules below are
 * deliberately narrower than YAML's.
 */
#include "catalog/internal.h"

#include <stdio.h>
#include <string.h>

#include "util/banned.h"

/* Characters that may appear in a plain scalar anywhere: ASCII letters, digits, space and a
 * few punctuation marks without meaning in block context; every non-ASCII character but the
 * few YAML treats as line breaks or a byte-order mark (see needs_escape). */
static bool plain_ascii(unsigned char ch)
{
    return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
           ch == ' ' || ch == '.' || ch == '_' || ch == '-' || ch == '/' || ch == '(' ||
           ch == ')' || ch == '+' || ch == '=' || ch == ';' || ch == '$' || ch == '^' ||
           ch == '~' || ch == '<' || ch == '>';
}

/* The length of the UTF-8 character at s[i] that YAML would not keep verbatim inside a
 * scalar (NEL, LINE SEPARATOR, PARAGRAPH SEPARATOR, BOM, the non-characters U+FFFE and U+FFFF,
 * C1 controls), or 0. */
static size_t needs_escape(const unsigned char *s, size_t n, size_t i)
{
    if (s[i] == 0xC2 && i + 1 < n && s[i + 1] < 0xA0)
        return 2;
    if (s[i] == 0xE2 && i + 2 < n && s[i + 1] == 0x80 && (s[i + 2] == 0xA8 || s[i + 2] == 0xA9))
        return 3;
    if (s[i] == 0xEF && i + 2 < n &&
        ((s[i + 1] == 0xBB && s[i + 2] == 0xBF) || (s[i + 1] == 0xBF && s[i + 2] >= 0xBE)))
        return 3;
    return 0;
}

static bool is_special_word(const char *s)
{
    /* Words other YAML readers take for null or booleans; quoted so they stay strings for
     * anyone who reads the file with a general YAML library. */
    static const char *const words[] = { "~",  "null", "true", "false", "yes",
                                         "no", "on",   "off",  "y",     "n" };
    size_t n = strlen(s);
    for (size_t w = 0; w < sizeof words / sizeof words[0]; w++) {
        if (strlen(words[w]) != n)
            continue;
        size_t i = 0;
        while (i < n && (s[i] | 0x20) == words[w][i])
            i++;
        if (i == n)
            return true;
    }
    return false;
}

static bool can_be_plain(const char *str)
{
    const unsigned char *s = (const unsigned char *)str;
    size_t n = strlen(str);
    if (n == 0 || s[0] == ' ' || s[n - 1] == ' ' || is_special_word(str))
        return false;
    /* Leading characters that start another construct, and anything number-like. */
    if (s[0] == '-' || s[0] == '.' || s[0] == '+' || s[0] == '~' || s[0] == '<' || s[0] == '>' ||
        (s[0] >= '0' && s[0] <= '9'))
        return false;
    for (size_t i = 0; i < n; i++) {
        if (s[i] < 0x80 ? !plain_ascii(s[i]) : needs_escape(s, n, i) != 0)
            return false;
    }
    return true;
}

/* The indicator of a literal block that keeps str exactly ("|-" without a final line feed,
 * "|" with one), or NULL when block style cannot: it cannot say that the text starts with a
 * space or an empty line (indentation), ends with several line feeds, or holds tabs and
 * trailing spaces, which editors change. */
static const char *literal_style(const char *str)
{
    const unsigned char *s = (const unsigned char *)str;
    size_t n = strlen(str);
    if (n == 0 || !memchr(str, '\n', n) || s[0] == '\n' || s[0] == ' ')
        return NULL;
    if (n >= 2 && s[n - 1] == '\n' && s[n - 2] == '\n')
        return NULL;
    for (size_t i = 0; i < n; i++) {
        bool line_end = i + 1 == n || s[i + 1] == '\n';
        if ((s[i] < 0x20 && s[i] != '\n') || s[i] == 0x7F)
            return NULL;
        if (s[i] == ' ' && line_end)
            return NULL;
        if (s[i] >= 0x80 && needs_escape(s, n, i))
            return NULL;
    }
    return s[n - 1] == '\n' ? "|" : "|-";
}

static int put_quoted(struct sm_buf *out, const char *str)
{
    const unsigned char *s = (const unsigned char *)str;
    size_t n = strlen(str);
    int rc = sm_buf_putc(out, '"');
    size_t run = 0; /* start of the bytes not yet written */
    for (size_t i = 0; i < n && !rc;) {
        char esc[16] = "";
        size_t len = 1;
        if (s[i] == '"' || s[i] == '\\') {
            snprintf(esc, sizeof esc, "\\%c", s[i]);
        } else if (s[i] == '\n') {
            snprintf(esc, sizeof esc, "\\n");
        } else if (s[i] == '\t') {
            snprintf(esc, sizeof esc, "\\t");
        } else if (s[i] < 0x20 || s[i] == 0x7F) {
            snprintf(esc, sizeof esc, "\\x%02X", s[i]);
        } else if (s[i] >= 0x80 && (len = needs_escape(s, n, i)) != 0) {
            unsigned cp = len == 2 ? s[i + 1]
                                   : ((unsigned)(s[i] & 0x0F) << 12) |
                                         ((unsigned)(s[i + 1] & 0x3F) << 6) | (s[i + 2] & 0x3Fu);
            snprintf(esc, sizeof esc, "\\u%04X", cp);
        } else {
            len = 1;
        }
        if (esc[0]) {
            rc = sm_buf_append(out, str + run, i - run);
            if (!rc)
                rc = sm_buf_puts(out, esc);
            run = i + len;
        }
        i += len;
    }
    if (!rc)
        rc = sm_buf_append(out, str + run, n - run);
    if (!rc)
        rc = sm_buf_putc(out, '"');
    return rc;
}

/* Writes the value of a "key: value" line (after "key:"), ending the line. indent is the
 * indentation of the key, for a literal block's lines. */
static int put_value(struct sm_buf *out, const char *s, int indent)
{
    int rc;
    const char *style = NULL;
    if (can_be_plain(s)) {
        rc = sm_buf_printf(out, " %s\n", s);
    } else if ((style = literal_style(s)) != NULL) {
        rc = sm_buf_printf(out, " %s\n", style);
        /* Each line indented; empty lines stay empty. A final line feed ends the last line. */
        const char *line = s;
        while (!rc && *line) {
            const char *nl = strchr(line, '\n');
            size_t len = nl ? (size_t)(nl - line) : strlen(line);
            if (len)
                rc = sm_buf_printf(out, "%*s%.*s\n", indent + 2, "", (int)len, line);
            else
                rc = sm_buf_putc(out, '\n');
            if (!nl)
                break;
            line = nl + 1;
        }
    } else {
        rc = sm_buf_putc(out, ' ');
        if (!rc)
            rc = put_quoted(out, s);
        if (!rc)
            rc = sm_buf_putc(out, '\n');
    }
    return rc;
}

static int put_field(struct sm_buf *out, int indent, const char *key, const char *value)
{
    int rc = sm_buf_printf(out, "%*s%s:", indent, "", key);
    return rc ? rc : put_value(out, value, indent);
}

/* A list: "key: []" when empty, else a block sequence ("- " entries under the key). */
static int put_list(struct sm_buf *out, int indent, const char *key, size_t n, const char *const *v)
{
    if (n == 0)
        return sm_buf_printf(out, "%*s%s: []\n", indent, "", key);
    int rc = sm_buf_printf(out, "%*s%s:\n", indent, "", key);
    for (size_t i = 0; i < n && !rc; i++) {
        rc = sm_buf_printf(out, "%*s-", indent + 2, "");
        if (!rc)
            rc = put_value(out, v[i], indent + 2);
    }
    return rc;
}

int sm_catalog_write_yaml(const struct sm_catalog *c, struct sm_buf *out)
{
    size_t start = out->len;
    int rc =
        sm_buf_puts(out, "# Check-item catalog; the format is described in docs/catalog.md.\n");
    if (!rc)
        rc = put_field(out, 0, "version", c->version);
    if (!rc)
        rc = put_field(out, 0, "title", c->title);
    if (!rc)
        rc = put_field(out, 0, "title_en", c->title_en);
    if (!rc)
        rc = sm_buf_puts(out, "\ncategories:\n");
    for (size_t i = 0; i < c->n_categories && !rc; i++) {
        const struct sm_category *cat = &c->categories[i];
        rc = sm_buf_puts(out, "  - id:");
        if (!rc)
            rc = put_value(out, cat->id, 4);
        if (!rc)
            rc = put_field(out, 4, "name_ja", cat->name_ja);
        if (!rc)
            rc = put_field(out, 4, "name_en", cat->name_en);
    }
    if (!rc)
        rc = sm_buf_puts(out, "\nitems:\n");
    for (size_t i = 0; i < c->n_items && !rc; i++) {
        const struct sm_check_item *it = &c->items[i];
        rc = i ? sm_buf_puts(out, "\n  - id:") : sm_buf_puts(out, "  - id:");
        if (!rc)
            rc = put_value(out, it->id, 4);
        if (!rc)
            rc = put_field(out, 4, "category", it->category);
        if (!rc)
            rc = sm_buf_printf(out, "    stage: %d\n", it->stage);
        if (!rc)
            rc = put_field(out, 4, "title_ja", it->title_ja);
        if (!rc)
            rc = put_field(out, 4, "title_en", it->title_en);
        if (!rc)
            rc = put_field(out, 4, "description_ja", it->description_ja);
        if (!rc)
            rc = put_field(out, 4, "description_en", it->description_en);
        if (!rc)
            rc = put_field(out, 4, "howto_ja", it->howto_ja);
        if (!rc)
            rc = put_field(out, 4, "howto_en", it->howto_en);
        if (!rc)
            rc = put_list(out, 4, "examples", SM_STAGES, it->example);
        if (!rc)
            rc = put_list(out, 4, "references", it->references.n, it->references.v);
        if (!rc)
            rc = sm_buf_puts(out, "    rules:\n");
        if (!rc)
            rc = put_list(out, 6, "terms", it->terms.n, it->terms.v);
        if (!rc && it->context.n)
            rc = put_list(out, 6, "context", it->context.n, it->context.v);
        if (!rc && it->exclude.n)
            rc = put_list(out, 6, "exclude", it->exclude.n, it->exclude.v);
    }
    if (rc) {
        /* Leave the buffer as it was. */
        out->len = start;
        if (out->data)
            out->data[start] = '\0';
    }
    return rc;
}

/*
 * The self-check's radar chart as SVG, drawn on the server so that the result page needs no
 * script and prints as it shows.
 *
 * Geometry: the centre at (240, 240), radius 130, in a view box with room around it for the
 * labels; axis k points up and turns clockwise by 360/n degrees per category. Rings at 25,
 * 50, 75 and 100. A label is the category's name wrapped on short lines (a narrow phone
 * still shows it whole) with the score on a line of its own.
 * The chart has role="img" with a <title> and <desc>; the page puts the same figures in a
 * table beside it for screen readers. Every text is escaped (category names come from the
 * catalog, but the chart never assumes its input is markup-free).
 */
#include "smesec/selfcheck.h"

#include <math.h>
#include <string.h>

#include "util/banned.h"

#define CX      240.0
#define CY      240.0
#define RADIUS  130.0
#define LABEL_R 162.0 /* labels start this far from the centre */
#define LINE_H  21.0
#define PI      3.14159265358979323846

static void point(size_t k, size_t n, double value, double *x, double *y)
{
    double angle = 2.0 * PI * (double)k / (double)n - PI / 2.0;
    double r = RADIUS * (value < 0 ? 0 : value > 100 ? 100 : value) / 100.0;
    *x = CX + r * cos(angle);
    *y = CY + r * sin(angle);
}

static int put_text(struct sm_buf *out, const char *s)
{
    return sm_buf_put_html(out, s, strlen(s));
}

/* Bytes of the UTF-8 sequence that starts with c (1 for a stray continuation byte). */
static size_t seq_len(unsigned char c)
{
    return c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC0 ? 2 : 1;
}

#define MAX_LINES 4

/* Splits a label into at most MAX_LINES lines: at spaces for text with spaces (about 12
 * characters a line), else every 6 characters, preferring a break after '・' or '、'. Each
 * line is a (start, length) byte range of s. Returns the number of lines. */
static size_t wrap(const char *s, size_t start[MAX_LINES], size_t len[MAX_LINES])
{
    size_t n = strlen(s), lines = 0, i = 0;
    bool spaced = memchr(s, ' ', n) != NULL;
    size_t width = spaced ? 12 : 6;
    while (i < n && lines < MAX_LINES) {
        size_t j = i, chars = 0, cut = 0;
        while (j < n && chars < width) {
            size_t k = seq_len((unsigned char)s[j]);
            if (j + k > n)
                k = n - j;
            if (spaced && s[j] == ' ')
                cut = j;
            j += k;
            chars++;
            if (!spaced && k == 3 &&
                (memcmp(s + j - 3, "・", 3) == 0 || memcmp(s + j - 3, "、", 3) == 0))
                cut = j;
        }
        if (j < n && spaced && s[j] != ' ' && cut > i)
            j = cut;
        else if (j < n && !spaced && cut > i && chars == width)
            j = cut;
        if (lines == MAX_LINES - 1)
            j = n; /* the rest goes on the last line */
        start[lines] = i;
        len[lines] = j - i;
        lines++;
        i = j;
        while (i < n && s[i] == ' ')
            i++;
    }
    return lines;
}

static const char *cat_name(const struct sm_category *c, enum sm_lang lang)
{
    return lang == SM_LANG_EN && c->name_en && *c->name_en ? c->name_en : c->name_ja;
}

static const struct sm_selfcheck_peer_category *peer_of(const struct sm_selfcheck_peers *peers,
                                                        const char *id)
{
    for (size_t i = 0; peers && i < peers->n_categories; i++)
        if (strcmp(peers->categories[i].category, id) == 0)
            return &peers->categories[i];
    return NULL;
}

int sm_selfcheck_radar_svg(const struct sm_selfcheck_result *result,
                           const struct sm_selfcheck_peers *peers, enum sm_lang lang,
                           struct sm_buf *out)
{
    size_t n = result->n_categories;
    bool ja = lang != SM_LANG_EN;
    bool with_peers = peers && peers->enough;
    int rc = sm_buf_puts(out, "<svg class=\"radar\" xmlns=\"http://www.w3.org/2000/svg\""
                              " viewBox=\"-55 5 590 490\" role=\"img\""
                              " aria-labelledby=\"radar-title radar-desc\">");
    if (!rc)
        rc = sm_buf_printf(out, "<title id=\"radar-title\">%s</title><desc id=\"radar-desc\">",
                           ja ? "分野別の得点（レーダーチャート）"
                              : "Score by category (radar chart)");
    for (size_t k = 0; !rc && k < n; k++) {
        rc = put_text(out, cat_name(result->categories[k].category, lang));
        if (!rc)
            rc = sm_buf_printf(out, "%s%d%s", ja ? ": " : ": ", result->categories[k].score,
                               k + 1 < n ? (ja ? "点、" : ", ") : (ja ? "点。" : "."));
    }
    if (!rc)
        rc = sm_buf_puts(out, "</desc>");
    /* Rings and axes. */
    for (int ring = 25; !rc && ring <= 100; ring += 25) {
        rc = sm_buf_puts(out, "<polygon class=\"radar-ring\" points=\"");
        for (size_t k = 0; !rc && k < n; k++) {
            double x, y;
            point(k, n, ring, &x, &y);
            rc = sm_buf_printf(out, "%s%.1f,%.1f", k ? " " : "", x, y);
        }
        if (!rc)
            rc = sm_buf_puts(out, "\" fill=\"none\" stroke=\"#c8ced6\" stroke-width=\"1\"/>");
    }
    for (size_t k = 0; !rc && k < n; k++) {
        double x, y;
        point(k, n, 100, &x, &y);
        rc = sm_buf_printf(out,
                           "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\""
                           " stroke=\"#c8ced6\" stroke-width=\"1\"/>",
                           CX, CY, x, y);
    }
    if (!rc && with_peers) {
        rc = sm_buf_puts(out, "<polygon class=\"radar-peers\" points=\"");
        for (size_t k = 0; !rc && k < n; k++) {
            const struct sm_selfcheck_peer_category *pc =
                peer_of(peers, result->categories[k].category->id);
            double x, y;
            point(k, n, pc ? pc->mean : 0, &x, &y);
            rc = sm_buf_printf(out, "%s%.1f,%.1f", k ? " " : "", x, y);
        }
        if (!rc)
            rc = sm_buf_puts(out, "\" fill=\"none\" stroke=\"#57606a\" stroke-width=\"2\""
                                  " stroke-dasharray=\"6 4\"/>");
    }
    if (!rc)
        rc = sm_buf_puts(out, "<polygon class=\"radar-score\" points=\"");
    for (size_t k = 0; !rc && k < n; k++) {
        double x, y;
        point(k, n, result->categories[k].score, &x, &y);
        rc = sm_buf_printf(out, "%s%.1f,%.1f", k ? " " : "", x, y);
    }
    if (!rc)
        rc = sm_buf_puts(out, "\" fill=\"#0b5cad\" fill-opacity=\"0.25\" stroke=\"#0b5cad\""
                              " stroke-width=\"2.5\"/>");
    for (size_t k = 0; !rc && k < n; k++) {
        double x, y;
        point(k, n, result->categories[k].score, &x, &y);
        rc = sm_buf_printf(out, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"4\" fill=\"#0b5cad\"/>", x, y);
    }
    /* Labels just outside the 100 ring, anchored away from the centre; a label above the
     * centre grows upwards, one below it downwards. */
    for (size_t k = 0; !rc && k < n; k++) {
        const char *name = cat_name(result->categories[k].category, lang);
        size_t start[MAX_LINES], len[MAX_LINES];
        size_t lines = wrap(name, start, len);
        double x, y;
        point(k, n, 100.0 * LABEL_R / RADIUS, &x, &y);
        const char *anchor = x < CX - 10 ? "end" : x > CX + 10 ? "start" : "middle";
        /* A little air between a label and a vertex drawn at 100. */
        x += x < CX - 10 ? -6 : x > CX + 10 ? 6 : 0;
        double block = (double)(lines + 1) * LINE_H; /* the name's lines and the score's */
        double top = y + 12;                         /* the first line's baseline */
        if (y < CY - 10)
            top = y - block + 14;
        else if (y <= CY + 10)
            top = y - block / 2.0 + 13;
        rc = sm_buf_printf(out,
                           "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"%s\" font-size=\"18\""
                           " fill=\"#1b1f24\">",
                           x, top, anchor);
        for (size_t l = 0; !rc && l < lines; l++) {
            rc = sm_buf_printf(out, "<tspan x=\"%.1f\" dy=\"%s\">", x, l ? "21" : "0");
            if (!rc)
                rc = sm_buf_put_html(out, name + start[l], len[l]);
            if (!rc)
                rc = sm_buf_puts(out, "</tspan>");
        }
        if (!rc)
            rc = sm_buf_printf(out,
                               "<tspan x=\"%.1f\" dy=\"21\" font-weight=\"700\">%d</tspan></text>",
                               x, result->categories[k].score);
    }
    if (!rc)
        rc = sm_buf_puts(out, "</svg>");
    return rc;
}

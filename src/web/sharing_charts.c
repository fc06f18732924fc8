/*
 * Charts for the statistics pages, drawn on the server as SVG: horizontal bars, columns for a
 * trend, and a tile map of Japan's 47 prefectures.
 *
 * Each chart is an <svg role="img"> with a <title> naming it; the numbers are in a table
 * beside it (the page puts one after every chart), so a screen reader reads the table and
 * the chart is for the eye. Every piece of text is HTML-escaped here, and the SVG is
 * inserted into the page raw ({{{svg}}}) only because this file built it. Sizes are in
 * viewBox units, so a chart scales to the width of a phone. A suppressed count is drawn as a
 * hatched stub with its mark, never as a bar of a guessed length.
 */
#include "sharing.h"

#include <stdio.h>
#include <string.h>

#include "util/banned.h"

#define BAR_H   22
#define BAR_GAP 6
#define LABEL_W 190
#define PLOT_W  380
#define VALUE_W 70
#define CHART_W (LABEL_W + PLOT_W + VALUE_W)

static int put_text(struct sm_buf *b, const char *s)
{
    return sm_buf_put_html(b, s ? s : "", s ? strlen(s) : 0);
}

/* The hatch pattern for suppressed counts, defined once per chart (ids are per chart so that
 * several charts on a page do not depend on each other). */
static int defs(struct sm_buf *b, const char *id)
{
    int rc = sm_buf_puts(b, "<defs><pattern id=\"hatch-");
    if (!rc)
        rc = put_text(b, id);
    if (!rc)
        rc = sm_buf_puts(b, "\" width=\"6\" height=\"6\" patternUnits=\"userSpaceOnUse\" "
                            "patternTransform=\"rotate(45)\"><rect width=\"6\" height=\"6\" "
                            "fill=\"#eceff3\"/><line x1=\"0\" y1=\"0\" x2=\"0\" y2=\"6\" "
                            "stroke=\"#8a94a6\" stroke-width=\"2\"/></pattern></defs>");
    return rc;
}

static int open_svg(struct sm_buf *b, const char *id, const char *title, int w, int h)
{
    int rc =
        sm_buf_printf(b,
                      "<svg class=\"chart\" viewBox=\"0 0 %d %d\" width=\"100%%\" font-size=\"13\" "
                      "role=\"img\" aria-labelledby=\"chart-",
                      w, h);
    if (!rc)
        rc = put_text(b, id);
    if (!rc)
        rc = sm_buf_puts(b, "-title\" preserveAspectRatio=\"xMinYMin meet\" "
                            "xmlns=\"http://www.w3.org/2000/svg\"><title id=\"chart-");
    if (!rc)
        rc = put_text(b, id);
    if (!rc)
        rc = sm_buf_puts(b, "-title\">");
    if (!rc)
        rc = put_text(b, title);
    if (!rc)
        rc = sm_buf_puts(b, "</title>");
    if (!rc)
        rc = defs(b, id);
    return rc;
}

static int64_t max_shown(const struct web_bar *bars, size_t n)
{
    int64_t m = 0;
    for (size_t i = 0; i < n; i++)
        if (bars[i].shown && bars[i].value > m)
            m = bars[i].value;
    return m;
}

int web_svg_bars(struct sm_buf *out, const char *id, const char *title, const char *hidden_text,
                 const struct web_bar *bars, size_t n)
{
    int h = (int)n * (BAR_H + BAR_GAP) + BAR_GAP;
    int rc = open_svg(out, id, title, CHART_W, h > 0 ? h : BAR_H);
    int64_t m = max_shown(bars, n);
    for (size_t i = 0; !rc && i < n; i++) {
        int y = BAR_GAP + (int)i * (BAR_H + BAR_GAP);
        rc = sm_buf_printf(out, "<text x=\"%d\" y=\"%d\" text-anchor=\"end\" fill=\"#1a1a1a\">",
                           LABEL_W - 8, y + BAR_H - 6);
        if (!rc)
            rc = put_text(out, bars[i].label);
        if (!rc)
            rc = sm_buf_puts(out, "</text>");
        if (rc)
            break;
        if (bars[i].shown) {
            int w = m > 0 ? (int)((double)bars[i].value / (double)m * PLOT_W) : 0;
            if (w < 2 && bars[i].value > 0)
                w = 2;
            rc = sm_buf_printf(out,
                               "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" "
                               "fill=\"#2f6db5\"/><text x=\"%d\" y=\"%d\" "
                               "fill=\"#1a1a1a\">%lld</text>",
                               LABEL_W, y, w, BAR_H, LABEL_W + w + 6, y + BAR_H - 6,
                               (long long)bars[i].value);
        } else {
            rc = sm_buf_printf(out,
                               "<rect x=\"%d\" y=\"%d\" width=\"24\" height=\"%d\" "
                               "fill=\"url(#hatch-",
                               LABEL_W, y, BAR_H);
            if (!rc)
                rc = put_text(out, id);
            if (!rc)
                rc = sm_buf_printf(out, ")\"/><text x=\"%d\" y=\"%d\" fill=\"#4a5568\">",
                                   LABEL_W + 30, y + BAR_H - 6);
            if (!rc)
                rc = put_text(out, hidden_text);
            if (!rc)
                rc = sm_buf_puts(out, "</text>");
        }
    }
    if (!rc)
        rc = sm_buf_puts(out, "</svg>");
    return rc;
}

int web_svg_columns(struct sm_buf *out, const char *id, const char *title, const char *hidden_text,
                    const struct web_bar *bars, size_t n)
{
    const int plot_h = 180, top = 24, bottom = 40;
    int col_w = n ? (CHART_W - 20) / (int)n : CHART_W;
    if (col_w > 90)
        col_w = 90;
    int rc = open_svg(out, id, title, CHART_W, plot_h + top + bottom);
    int64_t m = max_shown(bars, n);
    if (!rc)
        rc = sm_buf_printf(out, "<line x1=\"10\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#666\"/>",
                           top + plot_h, CHART_W - 10, top + plot_h);
    for (size_t i = 0; !rc && i < n; i++) {
        int x = 10 + (int)i * col_w + col_w / 8;
        int w = col_w - col_w / 4;
        int cx = x + w / 2;
        if (bars[i].shown) {
            int hh = m > 0 ? (int)((double)bars[i].value / (double)m * plot_h) : 0;
            rc = sm_buf_printf(out,
                               "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" "
                               "fill=\"#2f6db5\"/><text x=\"%d\" y=\"%d\" "
                               "text-anchor=\"middle\" fill=\"#1a1a1a\">%lld</text>",
                               x, top + plot_h - hh, w, hh, cx, top + plot_h - hh - 6,
                               (long long)bars[i].value);
        } else {
            rc = sm_buf_printf(out,
                               "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"16\" "
                               "fill=\"url(#hatch-",
                               x, top + plot_h - 16, w);
            if (!rc)
                rc = put_text(out, id);
            if (!rc)
                rc = sm_buf_printf(out,
                                   ")\"/><text x=\"%d\" y=\"%d\" text-anchor=\"middle\" "
                                   "fill=\"#4a5568\">",
                                   cx, top + plot_h - 22);
            if (!rc)
                rc = put_text(out, hidden_text);
            if (!rc)
                rc = sm_buf_puts(out, "</text>");
        }
        if (!rc)
            rc = sm_buf_printf(out,
                               "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\" "
                               "fill=\"#1a1a1a\">",
                               cx, top + plot_h + 22);
        if (!rc)
            rc = put_text(out, bars[i].label);
        if (!rc)
            rc = sm_buf_puts(out, "</text>");
    }
    if (!rc)
        rc = sm_buf_puts(out, "</svg>");
    return rc;
}

/* Where each prefecture sits on the tile grid: column, row (north-east to south-west). */
static const struct {
    const char code[3];
    unsigned char x, y;
} grid[47] = {
    { "01", 12, 0 }, { "02", 12, 1 }, { "03", 12, 2 }, { "04", 12, 3 }, { "05", 11, 2 },
    { "06", 11, 3 }, { "07", 12, 4 }, { "08", 12, 6 }, { "09", 12, 5 }, { "10", 11, 5 },
    { "11", 11, 6 }, { "12", 12, 7 }, { "13", 11, 7 }, { "14", 11, 8 }, { "15", 11, 4 },
    { "16", 9, 5 },  { "17", 8, 5 },  { "18", 8, 6 },  { "19", 10, 6 }, { "20", 10, 5 },
    { "21", 9, 6 },  { "22", 10, 7 }, { "23", 9, 7 },  { "24", 9, 8 },  { "25", 8, 7 },
    { "26", 7, 7 },  { "27", 7, 8 },  { "28", 6, 8 },  { "29", 8, 8 },  { "30", 7, 9 },
    { "31", 5, 7 },  { "32", 4, 7 },  { "33", 5, 8 },  { "34", 4, 8 },  { "35", 3, 8 },
    { "36", 5, 11 }, { "37", 5, 10 }, { "38", 4, 10 }, { "39", 4, 11 }, { "40", 2, 9 },
    { "41", 1, 9 },  { "42", 0, 9 },  { "43", 1, 10 }, { "44", 2, 10 }, { "45", 2, 11 },
    { "46", 1, 11 }, { "47", 0, 13 },
};

#define TILE 46
#define TGAP 3

int web_svg_tilemap(struct sm_buf *out, const char *id, const char *title,
                    const struct web_tile *tiles, size_t n, const char *legend_hidden,
                    const char *legend_none, const char *count_word)
{
    /* A sequential blue scale; the text on each class keeps a contrast of 4.5:1 or more. */
    static const char *const fills[4] = { "#dbe9f6", "#9ecae1", "#3f84c4", "#08457e" };
    static const char *const inks[4] = { "#1a1a1a", "#1a1a1a", "#ffffff", "#ffffff" };
    const int w = 13 * (TILE + TGAP) + TGAP, legend_h = 40;
    const int h = 14 * (TILE + TGAP) + TGAP + legend_h;
    int rc = open_svg(out, id, title, w, h);
    int64_t m = 0;
    for (size_t i = 0; i < n; i++)
        if (tiles[i].shown && tiles[i].value > m)
            m = tiles[i].value;
    for (size_t i = 0; !rc && i < n; i++) {
        int gx = -1, gy = -1;
        for (size_t g = 0; g < 47; g++)
            if (strcmp(grid[g].code, tiles[i].code) == 0) {
                gx = grid[g].x;
                gy = grid[g].y;
            }
        if (gx < 0)
            continue;
        int x = TGAP + gx * (TILE + TGAP), y = TGAP + gy * (TILE + TGAP);
        rc = sm_buf_printf(out, "<g class=\"map-tile\" data-pref=\"%.2s\"><title>", tiles[i].code);
        if (!rc)
            rc = put_text(out, tiles[i].name);
        if (!rc && tiles[i].shown)
            rc = sm_buf_printf(out, ": %lld ", (long long)tiles[i].value);
        if (!rc && tiles[i].shown)
            rc = put_text(out, count_word);
        if (!rc && !tiles[i].shown) {
            rc = sm_buf_puts(out, ": ");
            if (!rc)
                rc = put_text(out, legend_hidden);
        }
        if (!rc)
            rc = sm_buf_printf(
                out, "</title><rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" rx=\"4\"", x, y,
                TILE, TILE);
        int c = 0;
        if (!rc && tiles[i].shown) {
            c = m > 0 ? (int)((tiles[i].value * 4 - 1) / m) : 0;
            if (c > 3)
                c = 3;
            if (c < 0)
                c = 0;
            rc = sm_buf_printf(out, " fill=\"%s\"/>", fills[c]);
        } else if (!rc) {
            rc = sm_buf_puts(out, " fill=\"url(#hatch-");
            if (!rc)
                rc = put_text(out, id);
            if (!rc)
                rc = sm_buf_puts(out, ")\" stroke=\"#8a94a6\"/>");
        }
        if (!rc)
            rc = sm_buf_printf(
                out, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\" fill=\"%s\" font-size=\"13\">",
                x + TILE / 2, y + TILE / 2 + 5, tiles[i].shown ? inks[c] : "#1a1a1a");
        if (!rc)
            rc = put_text(out, tiles[i].label);
        if (!rc)
            rc = sm_buf_puts(out, "</text></g>");
    }
    /* Legend: the four classes as ranges of the largest count, and the hatch. */
    int ly = h - legend_h + 8;
    for (int c = 0; !rc && c < 4 && m > 0; c++) {
        int64_t lo = c * m / 4 + 1, hi = (c + 1) * m / 4;
        rc = sm_buf_printf(out,
                           "<rect x=\"%d\" y=\"%d\" width=\"16\" height=\"16\" fill=\"%s\"/>"
                           "<text x=\"%d\" y=\"%d\" fill=\"#1a1a1a\">%lld–%lld</text>",
                           TGAP + c * 100, ly, fills[c], TGAP + c * 100 + 20, ly + 13,
                           (long long)lo, (long long)hi);
    }
    if (!rc)
        rc = sm_buf_printf(out,
                           "<rect x=\"%d\" y=\"%d\" width=\"16\" height=\"16\" fill=\"url(#hatch-",
                           TGAP + 400, ly);
    if (!rc)
        rc = put_text(out, id);
    if (!rc)
        rc = sm_buf_printf(out, ")\"/><text x=\"%d\" y=\"%d\" fill=\"#1a1a1a\">", TGAP + 420,
                           ly + 13);
    if (!rc)
        rc = put_text(out, m > 0 ? legend_hidden : legend_none);
    if (!rc)
        rc = sm_buf_puts(out, "</text></svg>");
    return rc;
}

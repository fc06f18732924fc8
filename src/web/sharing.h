/*
 * What the incident-sharing pages share (pages_sharing.c, api_sharing.c,
 * sharing_charts.c, sharing_view.c): the upload limit, who is asking, the charts drawn as
 * server-side SVG, and the view of a statistics release that the portal and the public page
 * render.
 */
#ifndef SM_WEB_SHARING_H
#define SM_WEB_SHARING_H

#include "app.h"

#include "smesec/sharing.h"

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* A CSV upload or an API body of reports: a half-year's reports of a large provider fit
 * with room to spare; beyond it the server answers 413 (router.c's body limits). */
#define WEB_SHARING_UPLOAD_MAX (16u * 1024u * 1024u)

/* --- sharing_charts.c: SVG, every text escaped, sized by viewBox so it fits a phone --- */

struct web_bar {
    const char *label; /* borrowed */
    int64_t value;
    bool shown; /* false: suppressed, drawn as a hatched stub */
};

/* A horizontal bar chart. id is unique on the page (for the title's id); title is the
 * chart's accessible name; hidden_text is what a suppressed bar says. */
int web_svg_bars(struct sm_buf *out, const char *id, const char *title, const char *hidden_text,
                 const struct web_bar *bars, size_t n);

/* Vertical columns, one per half-year, for a trend. */
int web_svg_columns(struct sm_buf *out, const char *id, const char *title, const char *hidden_text,
                    const struct web_bar *bars, size_t n);

struct web_tile {
    const char *code;  /* "01".."47" */
    const char *label; /* short name for the tile */
    const char *name;  /* full name for the tooltip */
    int64_t value;
    bool shown;
};

/* A tile map of the 47 prefectures coloured by count in four classes of the largest shown
 * count, suppressed ones hatched; legend_* are the legend's texts. */
int web_svg_tilemap(struct sm_buf *out, const char *id, const char *title,
                    const struct web_tile *tiles, size_t n, const char *legend_hidden,
                    const char *legend_none, const char *count_word);

/* --- sharing_view.c: a release as the template context --- */

/* Fills ctx with what stats_body.html renders from the release doc: the total, the charts
 * with their tables, the map, the on-site share, the narratives. downloads is the query
 * string the page's CSV and STIX links carry (may be ""). */
int web_stats_view(struct web_request *req, const json_t *doc, json_t *ctx);

/* A count as text in the page's language: the number, or the "suppressed" mark. */
const char *web_count_text(struct web_request *req, const json_t *count);

/* The label of a key in one of the sharing vocabularies ("threat", "size", ...): the
 * catalog's "sharing.<vocab>.<key>", or key itself. Borrowed (catalog or arena). */
const char *web_vocab_label(struct web_request *req, const char *vocab, const char *key);

/* Reads the period from the query (from, to: "2024H1"; empty for open). SM_EINVAL with a
 * 400 answered for a malformed one. */
int web_stats_period(struct web_request *req, struct sm_stats_options *o);

#endif

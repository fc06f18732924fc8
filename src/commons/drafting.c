/*
 * The gap report and the starter guideline of the drafting support (see
 * smesec/drafting.h). Pure functions of a common reference and a draft's scores.
 *
 * Invariants: a report's rows are the common items of stage <= the stage aimed at, in
 * catalog order, and n_gaps / n_missing count its rows; the starter writes every row,
 * grouped by category in catalog order, and escapes every text it did not write itself
 * (Markdown and HTML alike), including the industry's name, which a user typed.
 */
#include "smesec/drafting.h"

#include "smesec/alloc.h"

#include <string.h>

#include "util/banned.h"

void sm_gap_report_free(struct sm_gap_report *report)
{
    if (!report)
        return;
    sm_free(report->rows);
    sm_free(report);
}

static const struct sm_draft_score *score_of(const struct sm_draft *d, const char *item_id)
{
    /* Scores are sorted by item id (sm_draft_get). */
    size_t lo = 0, hi = d->n_scores;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = strcmp(d->scores[mid].item_id, item_id);
        if (c == 0)
            return &d->scores[mid];
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return NULL;
}

int sm_gap_report_build(const struct sm_common_ref *ref, const struct sm_draft *draft, int stage,
                        struct sm_gap_report **out)
{
    if (stage < 1 || stage > SM_STAGES)
        return SM_EINVAL;
    const struct sm_catalog *cat = ref->catalog;
    bool scored = draft && draft->catalog_version &&
                  strcmp(draft->catalog_version, sm_catalog_version(cat)) == 0;
    struct sm_gap_report *r = sm_calloc(1, sizeof *r);
    struct sm_gap_row *rows = sm_calloc(ref->n_items ? ref->n_items : 1, sizeof *rows);
    if (!r || !rows) {
        sm_free(r);
        sm_free(rows);
        return SM_ENOMEM;
    }
    r->catalog = cat;
    r->stage = stage;
    r->has_draft = scored;
    r->fallback = ref->fallback;
    r->n_guidelines = ref->n_guidelines;
    r->rows = rows;
    for (size_t i = 0; i < ref->n_items; i++) {
        const struct sm_check_item *it = sm_catalog_item(cat, i);
        if (!ref->common[i] || it->stage > stage)
            continue;
        struct sm_gap_row *row = &rows[r->n_rows++];
        const struct sm_draft_score *s = scored ? score_of(draft, it->id) : NULL;
        row->item = i;
        row->check = it;
        row->score = s ? s->score : 0;
        row->reference = ref->reference[i] > 0 ? ref->reference[i] : 1;
        row->gap = row->score < row->reference;
        row->example = it->example[stage - 1];
        row->page = s && s->evidence ? s->page : 0;
        row->evidence = s ? s->evidence : NULL;
        r->n_gaps += row->gap ? 1 : 0;
        r->n_missing += row->gap && row->score == 0 ? 1 : 0;
    }
    *out = r;
    return SM_OK;
}

/* --- Markdown --------------------------------------------------------------------------- */

/* Appends s with the characters Markdown gives meaning to escaped, and line breaks turned
 * into spaces, so text from the catalog or a user never becomes markup. */
static int md(struct sm_buf *out, const char *s)
{
    int rc = SM_OK;
    for (const char *p = s ? s : ""; !rc && *p; p++) {
        char c = *p;
        if (c == '\n' || c == '\r')
            rc = sm_buf_putc(out, ' ');
        else if (strchr("\\`*_{}[]()#+-.!|<>~", c))
            rc = sm_buf_printf(out, "\\%c", c);
        else
            rc = sm_buf_putc(out, c);
    }
    return rc;
}

static const char *stage_name_ja(int stage)
{
    switch (stage) {
    case 1:
        return "段階1（できるところから始める）";
    case 2:
        return "段階2（組織的な取り組みを始める）";
    default:
        return "段階3（組織として本格的に取り組む）";
    }
}

static const char *stage_name_en(int stage)
{
    switch (stage) {
    case 1:
        return "Stage 1 (start with what you can)";
    case 2:
        return "Stage 2 (start organised work)";
    default:
        return "Stage 3 (full organisational practice)";
    }
}

/* The number of rows of category cat. */
static size_t rows_in(const struct sm_gap_report *r, const char *cat)
{
    size_t n = 0;
    for (size_t i = 0; i < r->n_rows; i++)
        n += strcmp(r->rows[i].check->category, cat) == 0 ? 1 : 0;
    return n;
}

int sm_starter_markdown(const struct sm_gap_report *r, const struct sm_starter_info *info,
                        struct sm_buf *out)
{
    int rc = sm_buf_puts(out, "# ");
    if (!rc)
        rc = md(out, info->industry);
    if (!rc)
        rc = sm_buf_printf(out, " 情報セキュリティガイドライン（たたき台）\n\n"
                                "*Information security guideline for the industry: a starter"
                                " draft*\n\n");
    if (!rc)
        rc = sm_buf_printf(out,
                           "- 目指す段階 / Stage aimed at: %s / %s\n"
                           "- 作成日 / Generated: %s\n",
                           stage_name_ja(r->stage), stage_name_en(r->stage),
                           info->generated_at ? info->generated_at : "");
    if (!rc && r->fallback)
        rc =
            sm_buf_puts(out, "- 共通項の基準 / Common items: 分析済みのガイドラインがまだないため、"
                             "チェック項目の段階1・2を共通項としています。 / No guideline has"
                             " been analysed yet: the catalog's stage-1 and stage-2 items stand"
                             " in for the common items.\n");
    else if (!rc && info->criterion_ja) {
        rc = sm_buf_puts(out, "- ");
        if (!rc)
            rc = md(out, info->criterion_ja);
        if (!rc && info->criterion_en) {
            rc = sm_buf_puts(out, " / ");
            if (!rc)
                rc = md(out, info->criterion_en);
        }
        if (!rc)
            rc = sm_buf_puts(out, "\n");
    }
    if (!rc)
        rc = sm_buf_puts(
            out,
            "\n> このたたき台は、業界ガイドラインの共通項と段階別の記載例から作成しました。"
            "【　】の部分を貴団体の言葉に置き換え、業界の事情に合わせて加筆・修正してください。"
            "\n>\n> This starter is built from the common items of industry"
            " guidelines and their example descriptions by stage. Replace the"
            " parts in 【　】 and adapt the text to your industry.\n\n");
    if (!rc)
        rc = sm_buf_puts(
            out, "## はじめに / Introduction\n\n"
                 "本ガイドラインは、【団体名】の会員企業が取り組むべき情報セキュリティ対策を示す"
                 "ものです。\n\n");
    int chapter = 0;
    for (size_t c = 0; !rc && c < sm_catalog_n_categories(r->catalog); c++) {
        const struct sm_category *cat = sm_catalog_category(r->catalog, c);
        if (rows_in(r, cat->id) == 0)
            continue;
        chapter++;
        rc = sm_buf_printf(out, "## %d. ", chapter);
        if (!rc)
            rc = md(out, cat->name_ja);
        if (!rc)
            rc = sm_buf_puts(out, " / ");
        if (!rc)
            rc = md(out, cat->name_en);
        if (!rc)
            rc = sm_buf_puts(out, "\n\n");
        int section = 0;
        for (size_t i = 0; !rc && i < r->n_rows; i++) {
            const struct sm_gap_row *row = &r->rows[i];
            if (strcmp(row->check->category, cat->id) != 0)
                continue;
            section++;
            rc = sm_buf_printf(out, "### %d.%d ", chapter, section);
            if (!rc)
                rc = md(out, row->check->title_ja);
            if (!rc)
                rc = sm_buf_printf(out, " (%s)\n\n", row->check->id);
            if (!rc)
                rc = md(out, row->example);
            if (!rc)
                rc = sm_buf_puts(out, "\n\n");
            if (!rc && r->has_draft && !row->gap)
                rc = sm_buf_puts(out, "*草案に記載あり / already in the draft*\n\n");
            else if (!rc && r->has_draft && row->score > 0)
                rc = sm_buf_puts(out, "*草案の記載は共通の基準より簡略です。誰が・いつ・どのように"
                                      "行うかを書き加えてください。 / The draft mentions this"
                                      " but less concretely than the common reference.*\n\n");
        }
    }
    return rc;
}

/* --- HTML ------------------------------------------------------------------------------- */

static int html(struct sm_buf *out, const char *s)
{
    return sm_buf_put_html(out, s ? s : "", s ? strlen(s) : 0);
}

static const char starter_css[] =
    "@page { size: A4; margin: 18mm 16mm 20mm; }\n"
    "* { box-sizing: border-box; }\n"
    "body { font-family: \"IPAPGothic\", \"IPAexGothic\", \"Noto Sans CJK JP\", \"Yu Gothic\","
    " \"Meiryo\", sans-serif; font-size: 10.5pt; line-height: 1.7; color: #000;"
    " background: #fff; margin: 0; }\n"
    "@media screen { body { max-width: 210mm; margin: 1.5em auto; padding: 0 1em; } }\n"
    "h1 { font-size: 18pt; margin: 0 0 .2em; }\n"
    ".en { display: block; color: #444; font-size: 9pt; font-weight: normal; }\n"
    "h2 { font-size: 13.5pt; margin: 1.4em 0 .5em; border-bottom: 2px solid #C55A11;"
    " break-after: avoid; page-break-after: avoid; }\n"
    "h3 { font-size: 11pt; margin: 1em 0 .3em; break-after: avoid; page-break-after: avoid; }\n"
    "section.item { break-inside: avoid; page-break-inside: avoid; }\n"
    "dl.facts { display: grid; grid-template-columns: 10em 1fr; gap: .2em .8em;"
    " padding: .5em .8em; border: 1px solid #999; font-size: 9.5pt; }\n"
    "dl.facts dt { font-weight: bold; } dl.facts dd { margin: 0; }\n"
    ".note { border-left: 4px solid #C55A11; padding: .3em .8em; background: #FBE5D6; }\n"
    ".clause { margin: .2em 0 .2em 1em; }\n"
    ".mark { font-size: 9pt; color: #333; margin-left: 1em; }\n"
    ".id { color: #555; font-size: 9pt; font-weight: normal; }\n";

int sm_starter_html(const struct sm_gap_report *r, const struct sm_starter_info *info,
                    struct sm_buf *out)
{
    int rc =
        sm_buf_puts(out, "<!DOCTYPE html>\n<html lang=\"ja\">\n<head>\n<meta charset=\"utf-8\">\n"
                         "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src"
                         " 'none'; style-src 'unsafe-inline'\">\n"
                         "<meta name=\"viewport\" content=\"width=device-width,"
                         " initial-scale=1\">\n<meta name=\"generator\" content=\"smesec\">\n"
                         "<title>");
    if (!rc)
        rc = html(out, info->industry);
    if (!rc)
        rc =
            sm_buf_printf(out,
                          " 情報セキュリティガイドライン（たたき台）</title>\n<style>\n%s</style>\n"
                          "</head>\n<body>\n<h1>",
                          starter_css);
    if (!rc)
        rc = html(out, info->industry);
    if (!rc)
        rc = sm_buf_puts(out, " 情報セキュリティガイドライン（たたき台）<span class=\"en\">"
                              "Information security guideline for the industry: a starter draft"
                              "</span></h1>\n<dl class=\"facts\">\n");
    if (!rc)
        rc = sm_buf_printf(out,
                           "<dt>目指す段階 <span class=\"en\">Stage aimed at</span></dt><dd>%s"
                           "<span class=\"en\">%s</span></dd>\n"
                           "<dt>作成日 <span class=\"en\">Generated</span></dt><dd>",
                           stage_name_ja(r->stage), stage_name_en(r->stage));
    if (!rc)
        rc = html(out, info->generated_at);
    if (!rc)
        rc = sm_buf_puts(out, "</dd>\n<dt>共通項 <span class=\"en\">Common items</span></dt><dd>");
    if (!rc && r->fallback)
        rc = sm_buf_puts(out,
                         "分析済みのガイドラインがまだないため、チェック項目の段階1・2を共通項と"
                         "しています。<span class=\"en\">No guideline has been analysed yet:"
                         " the catalog's stage-1 and stage-2 items stand in for the common"
                         " items.</span>");
    else if (!rc) {
        rc = html(out, info->criterion_ja);
        if (!rc && info->criterion_en) {
            rc = sm_buf_puts(out, "<span class=\"en\">");
            if (!rc)
                rc = html(out, info->criterion_en);
            if (!rc)
                rc = sm_buf_puts(out, "</span>");
        }
    }
    if (!rc)
        rc = sm_buf_puts(
            out, "</dd>\n</dl>\n<p class=\"note\">このたたき台は、業界ガイドラインの共通項と"
                 "段階別の記載例から作成しました。【　】の部分を貴団体の言葉に置き換え、"
                 "業界の事情に合わせて加筆・修正してください。<span class=\"en\">This"
                 " starter is built from the common items of industry guidelines and"
                 " their example descriptions by stage. Replace the parts in 【　】"
                 " and adapt the text to your industry.</span></p>\n"
                 "<h2>はじめに <span class=\"en\">Introduction</span></h2>\n"
                 "<p>本ガイドラインは、【団体名】の会員企業が取り組むべき情報セキュリティ"
                 "対策を示すものです。</p>\n");
    int chapter = 0;
    for (size_t c = 0; !rc && c < sm_catalog_n_categories(r->catalog); c++) {
        const struct sm_category *cat = sm_catalog_category(r->catalog, c);
        if (rows_in(r, cat->id) == 0)
            continue;
        chapter++;
        rc = sm_buf_printf(out, "<h2>%d. ", chapter);
        if (!rc)
            rc = html(out, cat->name_ja);
        if (!rc)
            rc = sm_buf_puts(out, " <span class=\"en\">");
        if (!rc)
            rc = html(out, cat->name_en);
        if (!rc)
            rc = sm_buf_puts(out, "</span></h2>\n");
        int section = 0;
        for (size_t i = 0; !rc && i < r->n_rows; i++) {
            const struct sm_gap_row *row = &r->rows[i];
            if (strcmp(row->check->category, cat->id) != 0)
                continue;
            section++;
            rc = sm_buf_printf(out, "<section class=\"item\">\n<h3>%d.%d ", chapter, section);
            if (!rc)
                rc = html(out, row->check->title_ja);
            if (!rc)
                rc = sm_buf_puts(out, " <span class=\"id\">");
            if (!rc)
                rc = html(out, row->check->id);
            if (!rc)
                rc = sm_buf_puts(out, "</span><span class=\"en\">");
            if (!rc)
                rc = html(out, row->check->title_en);
            if (!rc)
                rc = sm_buf_puts(out, "</span></h3>\n<p class=\"clause\">");
            if (!rc)
                rc = html(out, row->example);
            if (!rc)
                rc = sm_buf_puts(out, "</p>\n");
            if (!rc && r->has_draft && !row->gap)
                rc = sm_buf_puts(out, "<p class=\"mark\">草案に記載あり <span class=\"en\">"
                                      "already in the draft</span></p>\n");
            else if (!rc && r->has_draft && row->score > 0)
                rc = sm_buf_puts(out,
                                 "<p class=\"mark\">草案の記載は共通の基準より簡略です。誰が・"
                                 "いつ・どのように行うかを書き加えてください。<span class=\"en\">"
                                 "The draft mentions this but less concretely than the common"
                                 " reference.</span></p>\n");
            if (!rc)
                rc = sm_buf_puts(out, "</section>\n");
        }
    }
    if (!rc)
        rc = sm_buf_puts(out, "</body>\n</html>\n");
    return rc;
}

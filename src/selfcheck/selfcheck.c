/*
 * The self-check's questions, answers and scores (see smesec/selfcheck.h): building the
 * sheet of the common items, answers to and from text, IPA-style scoring with the score
 * per category, and the profile's closed lists.
 *
 * Invariants: a sheet's questions are ordered by category (catalog order), then stage, then
 * catalog order, and each item appears once; a result's categories are those with at least
 * one question, in catalog order; scores are integers computed in integers.
 */
#include "selfcheck/internal.h"

#include "smesec/alloc.h"

#include <stdio.h>
#include <string.h>

#include "util/banned.h"

#define ANSWERS_TEXT_MAX (64u * 1024u)

/* clang-format off */
static const char *const answer_names[SM_ANSWER_COUNT] = {
    [SM_ANSWER_NONE] = "",
    [SM_ANSWER_DONE] = "done",
    [SM_ANSWER_PARTLY] = "partly",
    [SM_ANSWER_NOT_DONE] = "not_done",
    [SM_ANSWER_UNKNOWN] = "unknown",
    [SM_ANSWER_NA] = "na",
};

/* clang-format on */

const char *sm_answer_name(enum sm_answer a)
{
    switch (a) {
    case SM_ANSWER_NONE:
    case SM_ANSWER_DONE:
    case SM_ANSWER_PARTLY:
    case SM_ANSWER_NOT_DONE:
    case SM_ANSWER_UNKNOWN:
    case SM_ANSWER_NA:
        return answer_names[a];
    }
    return "";
}

int sm_answer_parse(const char *name, enum sm_answer *out)
{
    if (!name || !*name)
        return SM_EINVAL;
    for (int a = SM_ANSWER_DONE; a < SM_ANSWER_COUNT; a++) {
        if (strcmp(name, answer_names[a]) == 0) {
            *out = (enum sm_answer)a;
            return SM_OK;
        }
    }
    return SM_EINVAL;
}

int sm_answer_points(enum sm_answer a)
{
    switch (a) {
    case SM_ANSWER_NONE:
        return 0;
    case SM_ANSWER_DONE:
        return 4;
    case SM_ANSWER_PARTLY:
        return 2;
    case SM_ANSWER_NOT_DONE:
        return 0;
    case SM_ANSWER_UNKNOWN:
        return -1;
    case SM_ANSWER_NA:
        return 4; /* IPA counts a question that does not apply as done */
    }
    return 0;
}

const char *sm_selfcheck_band_name(enum sm_selfcheck_band b)
{
    switch (b) {
    case SM_BAND_FULL:
        return "full";
    case SM_BAND_GOOD:
        return "good";
    case SM_BAND_FAIR:
        return "fair";
    case SM_BAND_LOW:
        return "low";
    }
    return "low";
}

enum sm_selfcheck_band sm_selfcheck_band_of(int score)
{
    if (score >= 100)
        return SM_BAND_FULL;
    if (score >= 70)
        return SM_BAND_GOOD;
    if (score >= 50)
        return SM_BAND_FAIR;
    return SM_BAND_LOW;
}

int sm_selfcheck_question_text(const char *item_id, const char **ja, const char **en,
                               enum sm_selfcheck_help *help)
{
    const struct sm__question *q = item_id ? sm__question_find(item_id) : NULL;
    if (!q)
        return SM_ENOTFOUND;
    if (ja)
        *ja = q->ja;
    if (en)
        *en = q->en;
    if (help)
        *help = q->help;
    return SM_OK;
}

void sm_selfcheck_sheet_free(struct sm_selfcheck_sheet *sheet)
{
    if (!sheet)
        return;
    sm_free(sheet->q);
    sm_free(sheet);
}

/* Builds the sheet of the catalog items with want[i] set, in sheet order. */
static int sheet_of(const struct sm_catalog *catalog, const bool *want,
                    struct sm_selfcheck_sheet **out)
{
    size_t n_items = sm_catalog_n_items(catalog), n = 0;
    for (size_t i = 0; i < n_items; i++)
        n += want[i] ? 1 : 0;
    struct sm_selfcheck_sheet *sheet = sm_calloc(1, sizeof *sheet);
    struct sm_selfcheck_question *q = sm_calloc(n ? n : 1, sizeof *q);
    if (!sheet || !q) {
        sm_free(sheet);
        sm_free(q);
        return SM_ENOMEM;
    }
    sheet->catalog = catalog;
    sheet->q = q;
    for (size_t c = 0; c < sm_catalog_n_categories(catalog); c++) {
        const char *cat = sm_catalog_category(catalog, c)->id;
        for (int stage = 1; stage <= SM_STAGES; stage++) {
            for (size_t i = 0; i < n_items; i++) {
                const struct sm_check_item *it = sm_catalog_item(catalog, i);
                if (!want[i] || it->stage != stage || strcmp(it->category, cat) != 0)
                    continue;
                struct sm_selfcheck_question *x = &q[sheet->n++];
                x->item = i;
                x->check = it;
                x->question_ja = it->title_ja;
                x->question_en = it->title_en;
                x->help = SM_HELP_NONE;
                sm_selfcheck_question_text(it->id, &x->question_ja, &x->question_en, &x->help);
            }
        }
    }
    *out = sheet;
    return SM_OK;
}

int sm_selfcheck_sheet_new(const struct sm_common_ref *ref, struct sm_selfcheck_sheet **out)
{
    return sheet_of(ref->catalog, ref->common, out);
}

int sm_selfcheck_answers_format(const struct sm_selfcheck_sheet *sheet,
                                const enum sm_answer *answers, struct sm_buf *out)
{
    bool first = true;
    for (size_t i = 0; i < sheet->n; i++) {
        if (answers[i] == SM_ANSWER_NONE)
            continue;
        int rc = sm_buf_printf(out, "%s%s=%s", first ? "" : ";", sheet->q[i].check->id,
                               sm_answer_name(answers[i]));
        if (rc)
            return rc;
        first = false;
    }
    return SM_OK;
}

/* Calls fn for each "ID=answer" pair of text. SM_EPARSE with the reason for a malformed
 * pair or text over the limit. */
static int each_pair(const char *text, struct sm_diag *diag,
                     int (*fn)(void *ctx, const char *id, size_t id_len, enum sm_answer a),
                     void *ctx)
{
    size_t n = strlen(text);
    if (n > ANSWERS_TEXT_MAX)
        return sm_diag_set(diag, SM_EPARSE, "the answers are longer than %u bytes",
                           ANSWERS_TEXT_MAX);
    const char *p = text, *end = text + n;
    while (p < end) {
        const char *semi = memchr(p, ';', (size_t)(end - p));
        const char *stop = semi ? semi : end;
        const char *eq = memchr(p, '=', (size_t)(stop - p));
        char name[16];
        size_t id_len = eq ? (size_t)(eq - p) : 0, an_len = eq ? (size_t)(stop - eq - 1) : 0;
        enum sm_answer a = SM_ANSWER_NONE;
        if (!eq || id_len == 0 || id_len > 64 || an_len == 0 || an_len >= sizeof name)
            return sm_diag_set(diag, SM_EPARSE, "answer %zu is not ITEM=ANSWER",
                               (size_t)(p - text));
        memcpy(name, eq + 1, an_len);
        name[an_len] = '\0';
        if (sm_answer_parse(name, &a))
            return sm_diag_set(diag, SM_EPARSE, "unknown answer '%s'", name);
        int rc = fn(ctx, p, id_len, a);
        if (rc)
            return rc;
        p = semi ? semi + 1 : end;
    }
    return SM_OK;
}

struct onto_sheet {
    const struct sm_selfcheck_sheet *sheet;
    enum sm_answer *answers;
};

static int put_on_sheet(void *ctx, const char *id, size_t id_len, enum sm_answer a)
{
    struct onto_sheet *o = ctx;
    for (size_t i = 0; i < o->sheet->n; i++) {
        const char *qid = o->sheet->q[i].check->id;
        if (strlen(qid) == id_len && memcmp(qid, id, id_len) == 0) {
            o->answers[i] = a;
            break;
        }
    }
    return SM_OK;
}

int sm_selfcheck_answers_parse(const struct sm_selfcheck_sheet *sheet, const char *text,
                               enum sm_answer *answers, struct sm_diag *diag)
{
    for (size_t i = 0; i < sheet->n; i++)
        answers[i] = SM_ANSWER_NONE;
    struct onto_sheet o = { sheet, answers };
    int rc = each_pair(text, diag, put_on_sheet, &o);
    if (rc)
        for (size_t i = 0; i < sheet->n; i++)
            answers[i] = SM_ANSWER_NONE;
    return rc;
}

struct wanted {
    const struct sm_catalog *catalog;
    bool *want;
    size_t n;
};

static int mark_wanted(void *ctx, const char *id, size_t id_len, enum sm_answer a)
{
    struct wanted *w = ctx;
    char buf[65];
    (void)a;
    memcpy(buf, id, id_len);
    buf[id_len] = '\0';
    size_t index = 0;
    if (sm_catalog_find(w->catalog, buf, &index) && !w->want[index]) {
        w->want[index] = true;
        w->n++;
    }
    return SM_OK;
}

int sm_selfcheck_sheet_for_answers(const struct sm_catalog *catalog, const char *text,
                                   struct sm_selfcheck_sheet **sheet_out,
                                   enum sm_answer **answers_out, struct sm_diag *diag)
{
    size_t n_items = sm_catalog_n_items(catalog);
    struct wanted w = { catalog, sm_calloc(n_items ? n_items : 1, sizeof(bool)), 0 };
    struct sm_selfcheck_sheet *sheet = NULL;
    enum sm_answer *answers = NULL;
    if (!w.want)
        return SM_ENOMEM;
    int rc = each_pair(text, diag, mark_wanted, &w);
    if (!rc && w.n == 0)
        rc = sm_diag_set(diag, SM_EINVAL, "the answers name no check item of catalog '%s'",
                         sm_catalog_version(catalog));
    if (!rc)
        rc = sheet_of(catalog, w.want, &sheet);
    if (!rc) {
        answers = sm_calloc(sheet->n, sizeof *answers);
        rc = answers ? sm_selfcheck_answers_parse(sheet, text, answers, diag) : SM_ENOMEM;
    }
    sm_free(w.want);
    if (rc) {
        sm_selfcheck_sheet_free(sheet);
        sm_free(answers);
        return rc;
    }
    *sheet_out = sheet;
    *answers_out = answers;
    return SM_OK;
}

/* points x 100 / max, truncated toward zero; 0 when there is nothing to score. */
static int scaled(int points, int max_points)
{
    return max_points > 0 ? points * 100 / max_points : 0;
}

void sm_selfcheck_result_free(struct sm_selfcheck_result *result)
{
    if (!result)
        return;
    sm_free(result->categories);
    sm_free(result);
}

int sm_selfcheck_score(const struct sm_selfcheck_sheet *sheet, const enum sm_answer *answers,
                       struct sm_selfcheck_result **out, struct sm_diag *diag)
{
    if (sheet->n == 0)
        return sm_diag_set(diag, SM_EINVAL, "the self-check has no questions");
    size_t missing = 0;
    for (size_t i = 0; i < sheet->n; i++)
        missing += answers[i] == SM_ANSWER_NONE ? 1 : 0;
    if (missing)
        return sm_diag_set(diag, SM_EINVAL, "%zu of %zu questions are not answered", missing,
                           sheet->n);
    size_t n_cat = sm_catalog_n_categories(sheet->catalog);
    struct sm_selfcheck_result *r = sm_calloc(1, sizeof *r);
    struct sm_selfcheck_category *cats = sm_calloc(n_cat ? n_cat : 1, sizeof *cats);
    if (!r || !cats) {
        sm_free(r);
        sm_free(cats);
        return SM_ENOMEM;
    }
    r->categories = cats;
    for (size_t c = 0; c < n_cat; c++) {
        const struct sm_category *cat = sm_catalog_category(sheet->catalog, c);
        struct sm_selfcheck_category *rc = &cats[r->n_categories];
        rc->category = cat;
        for (size_t i = 0; i < sheet->n; i++) {
            if (strcmp(sheet->q[i].check->category, cat->id) != 0)
                continue;
            rc->n_questions++;
            rc->points += sm_answer_points(answers[i]);
            rc->max_points += 4;
        }
        if (rc->n_questions == 0)
            continue;
        rc->score = scaled(rc->points, rc->max_points);
        r->n_categories++;
    }
    for (size_t i = 0; i < sheet->n; i++) {
        r->points += sm_answer_points(answers[i]);
        r->max_points += 4;
        r->counts[answers[i]]++;
    }
    r->score = scaled(r->points, r->max_points);
    r->band = sm_selfcheck_band_of(r->score);
    *out = r;
    return SM_OK;
}

/* --- the profile's lists ---------------------------------------------------------------- */

/* clang-format off */
static const struct sm_selfcheck_choice industries[] = {
    { "A", "農業，林業", "Agriculture and forestry" },
    { "B", "漁業", "Fisheries" },
    { "C", "鉱業，採石業，砂利採取業", "Mining and quarrying of stone and gravel" },
    { "D", "建設業", "Construction" },
    { "E", "製造業", "Manufacturing" },
    { "F", "電気・ガス・熱供給・水道業", "Electricity, gas, heat supply and water" },
    { "G", "情報通信業", "Information and communications" },
    { "H", "運輸業，郵便業", "Transport and postal activities" },
    { "I", "卸売業，小売業", "Wholesale and retail trade" },
    { "J", "金融業，保険業", "Finance and insurance" },
    { "K", "不動産業，物品賃貸業", "Real estate and goods rental and leasing" },
    { "L", "学術研究，専門・技術サービス業", "Scientific research, professional and technical services" },
    { "M", "宿泊業，飲食サービス業", "Accommodations, eating and drinking services" },
    { "N", "生活関連サービス業，娯楽業", "Living-related and personal services and amusement services" },
    { "O", "教育，学習支援業", "Education, learning support" },
    { "P", "医療，福祉", "Medical, health care and welfare" },
    { "Q", "複合サービス事業", "Compound services" },
    { "R", "サービス業（他に分類されないもの）", "Services, not elsewhere classified" },
    { "S", "公務（他に分類されるものを除く）", "Government, except elsewhere classified" },
    { "T", "分類不能の産業", "Industries unable to classify" },
};

static const struct sm_selfcheck_choice sizes[] = {
    { "1-5", "1〜5人", "1 to 5 people" },
    { "6-20", "6〜20人", "6 to 20 people" },
    { "21-50", "21〜50人", "21 to 50 people" },
    { "51-100", "51〜100人", "51 to 100 people" },
    { "101-300", "101〜300人", "101 to 300 people" },
    { "301-", "301人以上", "301 people or more" },
};

/* clang-format on */

size_t sm_selfcheck_n_industries(void)
{
    return sizeof industries / sizeof industries[0];
}

const struct sm_selfcheck_choice *sm_selfcheck_industry(size_t i)
{
    return i < sm_selfcheck_n_industries() ? &industries[i] : NULL;
}

size_t sm_selfcheck_n_sizes(void)
{
    return sizeof sizes / sizeof sizes[0];
}

const struct sm_selfcheck_choice *sm_selfcheck_size(size_t i)
{
    return i < sm_selfcheck_n_sizes() ? &sizes[i] : NULL;
}

static const struct sm_selfcheck_choice *find(const struct sm_selfcheck_choice *v, size_t n,
                                              const char *code)
{
    for (size_t i = 0; code && i < n; i++)
        if (strcmp(v[i].code, code) == 0)
            return &v[i];
    return NULL;
}

const struct sm_selfcheck_choice *sm_selfcheck_find_industry(const char *code)
{
    return find(industries, sm_selfcheck_n_industries(), code);
}

const struct sm_selfcheck_choice *sm_selfcheck_find_size(const char *code)
{
    return find(sizes, sm_selfcheck_n_sizes(), code);
}

static bool prefecture_code(const char *s)
{
    if (strlen(s) != 2 || s[0] < '0' || s[0] > '4' || s[1] < '0' || s[1] > '9')
        return false;
    int v = (s[0] - '0') * 10 + (s[1] - '0');
    return v >= 1 && v <= 47;
}

int sm_selfcheck_profile_set(struct sm_selfcheck_profile *p, const char *prefecture,
                             const char *industry, const char *size, struct sm_diag *diag)
{
    struct sm_selfcheck_profile np;
    memset(&np, 0, sizeof np);
    if (prefecture && *prefecture) {
        if (!prefecture_code(prefecture))
            return sm_diag_set(diag, SM_EINVAL, "prefecture '%.8s' is not 01 to 47", prefecture);
        memcpy(np.prefecture, prefecture, 3);
    }
    if (industry && *industry) {
        if (!sm_selfcheck_find_industry(industry))
            return sm_diag_set(diag, SM_EINVAL, "industry '%.8s' is not a JSIC major group",
                               industry);
        memcpy(np.industry, industry, 2);
    }
    if (size && *size) {
        const struct sm_selfcheck_choice *c = sm_selfcheck_find_size(size);
        if (!c)
            return sm_diag_set(diag, SM_EINVAL, "size '%.16s' is not a size band", size);
        snprintf(np.size, sizeof np.size, "%s", c->code);
    }
    *p = np;
    return SM_OK;
}

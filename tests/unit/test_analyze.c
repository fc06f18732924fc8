/*
 * Unit tests: the analyser's mechanics on a small catalog written here (lemma matching,
 * negation, context and exclusions, concreteness, offsets, evidence order and cap,
 * strength, relations, threads, allocation failures, a missing dictionary).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "smesec/alloc.h"
#include "smesec/buf.h"
#include "smesec/catalog.h"
#include "smesec/commons.h"
#include "smesec/text.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* One item of the test catalog: rules as YAML flow lists. */
struct spec {
    const char *id, *terms, *context, *exclude;
};

static const struct spec specs[] = {
    { "BAK-01", "[\"バックアップ\"]", "[]", "[]" },
    { "UPD-01", "[\"更新する\", \"OS…最新\"]", "[]", "[]" },
    { "USB-01", "[\"USBメモリ\"]", "[]", "[]" },
    { "PWD-01", "[\"パスワード\"]", "[]", "[\"添付ファイル\"]" },
    { "EDU-01", "[\"教育\"]", "[\"セキュリティ\"]", "[]" },
    { "CLD-01", "[\"クラウドサービス\", \"クラウド\"]", "[]", "[]" },
    { "DSP-01", "[\"廃棄\"]", "[]", "[]" },
    { "RUL-01", "[\"決まり\"]", "[]", "[]" },
};

#define N_SPECS (sizeof specs / sizeof specs[0])

static struct sm_catalog *make_catalog(void)
{
    struct sm_buf b;
    sm_buf_init(&b, 1 << 20);
    sm_buf_puts(&b, "version: \"test.1\"\ntitle: \"テスト\"\ntitle_en: \"Test\"\n"
                    "categories:\n  - id: technical\n    name_ja: \"技術\"\n"
                    "    name_en: \"Technical\"\nitems:\n");
    for (size_t i = 0; i < N_SPECS; i++)
        sm_buf_printf(&b,
                      "  - id: %s\n    category: technical\n    stage: 1\n"
                      "    title_ja: \"t\"\n    title_en: \"t\"\n"
                      "    description_ja: \"d\"\n    description_en: \"d\"\n"
                      "    howto_ja: \"h\"\n    howto_en: \"h\"\n"
                      "    examples: [\"a\", \"b\", \"c\"]\n    references: [\"r\"]\n"
                      "    rules:\n      terms: %s\n      context: %s\n      exclude: %s\n",
                      specs[i].id, specs[i].terms, specs[i].context, specs[i].exclude);
    struct sm_catalog *cat = NULL;
    struct sm_diag d;
    sm_diag_clear(&d);
    int rc = sm_catalog_parse(b.data, b.len, "test", &cat, &d);
    if (rc != SM_OK)
        fail_msg("catalog: %s (line %ld)", d.msg, d.line);
    sm_buf_release(&b);
    return cat;
}

static int setup(void **state)
{
    *state = make_catalog();
    return 0;
}

static int teardown(void **state)
{
    sm_catalog_free(*state);
    return 0;
}

static struct sm_document *doc_of(const char *const *pages, size_t n)
{
    int numbers[8];
    for (size_t i = 0; i < n; i++)
        numbers[i] = (int)i + 1;
    struct sm_document *doc = NULL;
    assert_int_equal(sm_document_from_pages(pages, numbers, n, &doc, NULL), SM_OK);
    return doc;
}

/* Analyses one page of text; the result is owned by the caller. */
static struct sm_analysis *analyze_text(const struct sm_catalog *cat, const char *text)
{
    struct sm_analyzer *an = NULL;
    struct sm_diag d;
    assert_int_equal(sm_analyzer_new(cat, &an, &d), SM_OK);
    struct sm_document *doc = doc_of(&text, 1);
    struct sm_analysis *res = NULL;
    assert_int_equal(sm_analyze(an, doc, &res, &d), SM_OK);
    sm_document_free(doc);
    sm_analyzer_free(an);
    return res;
}

static const struct sm_item_result *item(const struct sm_analysis *a, const char *id)
{
    for (size_t i = 0; i < a->n_items; i++)
        if (strcmp(a->items[i].item_id, id) == 0)
            return &a->items[i];
    fail_msg("no item %s", id);
    return NULL;
}

/* The score the sentence alone gives item id. */
static int score_of(const struct sm_catalog *cat, const char *id, const char *sentence)
{
    struct sm_analysis *a = analyze_text(cat, sentence);
    int s = item(a, id)->score;
    sm_analysis_free(a);
    return s;
}

static void names(void **state)
{
    (void)state;
    assert_string_equal(sm_relation_name(SM_REL_EQUAL), "equal-to");
    assert_string_equal(sm_relation_name(SM_REL_SUBSET), "subset-of");
    assert_string_equal(sm_relation_name(SM_REL_SUPERSET), "superset-of");
    assert_string_equal(sm_relation_name(SM_REL_INTERSECTS), "intersects-with");
    assert_string_equal(sm_relation_name(SM_REL_NOT_RELATED), "no-relationship");
    assert_string_equal(sm_method_name(SM_METHOD_AUTO), "auto");
    assert_string_equal(sm_method_name(SM_METHOD_MANUAL), "manual");
    enum sm_review r;
    const char *all[] = { "proposed", "accepted", "rejected" };
    for (size_t i = 0; i < 3; i++) {
        assert_int_equal(sm_review_parse(all[i], &r), SM_OK);
        assert_string_equal(sm_review_name(r), all[i]);
    }
    assert_int_equal(sm_review_parse("Accepted", &r), SM_EINVAL);
    assert_int_equal(sm_review_parse(NULL, &r), SM_EINVAL);
}

static void lemmas_match_across_inflections(void **state)
{
    const struct sm_catalog *cat = *state;
    /* "更新する" is written in dictionary form and matches every inflection. */
    assert_int_equal(score_of(cat, "UPD-01", "ソフトウェアを更新した。"), 1);
    assert_int_equal(score_of(cat, "UPD-01", "ソフトウェアは更新されている。"), 1);
    assert_int_equal(score_of(cat, "UPD-01", "ソフトウェアを更新し、記録する。"), 2);
    /* A gap phrase: OS and then 最新, in the same sentence only. */
    assert_int_equal(score_of(cat, "UPD-01", "OSは常に最新の状態にする。"), 1);
    assert_int_equal(score_of(cat, "UPD-01", "OSを使う。最新の機器を買う。"), 0);
    /* Full-width letters and half-width katakana are normalised first. */
    assert_int_equal(score_of(cat, "USB-01", "ＵＳＢメモリを使う。"), 1);
    assert_int_equal(score_of(cat, "PWD-01", "ﾊﾟｽﾜｰﾄﾞは長くする。"), 1);
    /* A katakana run reads the same however MeCab splits it, and a shorter rule word
     * matches at its start or end. */
    assert_int_equal(score_of(cat, "CLD-01", "クラウドサービスを選ぶ。"), 1);
    assert_int_equal(score_of(cat, "CLD-01", "無料のメールサービスやクラウドサービスに置かない。"),
                     1);
    assert_int_equal(score_of(cat, "BAK-01", "バックアップデータを別の場所に置く。"), 1);
    /* A phrase MeCab reads alone as a verb (決まる) still matches the noun in a sentence. */
    assert_int_equal(score_of(cat, "RUL-01", "社内の決まりを紙にまとめる。"), 1);
}

static void negation(void **state)
{
    const struct sm_catalog *cat = *state;
    /* Negated measures are not evidence. */
    assert_int_equal(score_of(cat, "BAK-01", "バックアップは取得していない。"), 0);
    assert_int_equal(score_of(cat, "BAK-01", "バックアップは不要である。"), 0);
    assert_int_equal(score_of(cat, "BAK-01", "バックアップは必要ない。"), 0);
    assert_int_equal(score_of(cat, "BAK-01", "バックアップは求めない。"), 0);
    assert_int_equal(score_of(cat, "BAK-01", "バックアップはしなくてもよい。"), 0);
    assert_int_equal(score_of(cat, "BAK-01", "バックアップの取得は任意とする。"), 0);
    assert_int_equal(score_of(cat, "BAK-01", "小規模事業者はバックアップの対象外とする。"), 0);
    assert_int_equal(score_of(cat, "BAK-01", "バックアップの詳細は本編を参照されたい。"), 0);
    assert_int_equal(score_of(cat, "BAK-01", "バックアップについては、特に定めていない。"), 0);
    assert_int_equal(score_of(cat, "USB-01", "USBメモリは使用していない。"), 0);
    assert_int_equal(score_of(cat, "BAK-01", "バックアップ:なし"), 0);
    assert_int_equal(score_of(cat, "BAK-01", "バックアップの担当者がいない。"), 0);
    assert_int_equal(score_of(cat, "BAK-01", "バックアップについて特に定めはない。"), 0);
    assert_int_equal(score_of(cat, "PWD-01", "パスワードを他人に教えることはない。"), 1);
    /* A topic reaches over a clause to the predicate ... */
    assert_int_equal(
        score_of(cat, "BAK-01", "バックアップについては、規模を考慮し、実施を必須とはしない。"), 0);
    /* ... until another topic starts. */
    assert_int_equal(score_of(cat, "PWD-01", "パスワードは8文字以上とし、定期的な変更は求めない。"),
                     2);
    /* Obligations, prohibitions and conditions are measures. */
    assert_int_equal(score_of(cat, "BAK-01", "バックアップを取得しなければならない。"), 1);
    assert_int_equal(score_of(cat, "BAK-01", "バックアップを取得しなくてはならない。"), 1);
    assert_int_equal(score_of(cat, "PWD-01", "パスワードを付箋に書かないこと。"), 1);
    assert_int_equal(score_of(cat, "PWD-01", "パスワードを使い回さない。"), 1);
    assert_int_equal(score_of(cat, "PWD-01", "パスワードを他人に教えないでください。"), 1);
    assert_int_equal(score_of(cat, "USB-01", "USBメモリの使用を禁止する。"), 1);
    assert_int_equal(score_of(cat, "USB-01", "USBメモリは使用しない。"), 1);
    assert_int_equal(score_of(cat, "USB-01", "USBメモリの使用を禁止しない。"), 0);
    assert_int_equal(score_of(cat, "DSP-01", "不要になったパソコンは廃棄する。"), 1);
    assert_int_equal(score_of(cat, "DSP-01", "不要な書類は廃棄する。"), 1);
    assert_int_equal(score_of(cat, "BAK-01", "バックアップを取得していない端末は接続しない。"), 1);
    /* A negation in a later clause belongs to that clause. */
    assert_int_equal(score_of(cat, "BAK-01", "バックアップを取得し、外部には送らない。"), 1);
}

static void context_and_exclusions(void **state)
{
    const struct sm_catalog *cat = *state;
    assert_int_equal(score_of(cat, "EDU-01", "従業員に衛生教育を行う。"), 0);
    assert_int_equal(score_of(cat, "EDU-01", "従業員にセキュリティ教育を行う。"), 1);
    assert_int_equal(score_of(cat, "PWD-01", "パスワードは10文字以上とする。"), 2);
    assert_int_equal(score_of(cat, "PWD-01", "添付ファイルにパスワードを付けて送る。"), 0);
}

static void concreteness(void **state)
{
    const struct sm_catalog *cat = *state;
    assert_int_equal(score_of(cat, "BAK-01", "バックアップを取得する。"), 1);
    assert_int_equal(score_of(cat, "BAK-01", "年1回バックアップを取得する。"), 2);
    assert_int_equal(score_of(cat, "BAK-01", "バックアップは90日間保存する。"), 2);
    assert_int_equal(score_of(cat, "BAK-01", "担当者がバックアップを取得する。"), 2);
    assert_int_equal(score_of(cat, "BAK-01", "バックアップは毎週取得する。"), 2);
    assert_int_equal(score_of(cat, "BAK-01", "バックアップは定期的に取得する。"), 2);
    assert_int_equal(score_of(cat, "BAK-01", "バックアップの手順を定める。"), 2);
    assert_int_equal(score_of(cat, "BAK-01", "工場長がバックアップを確認する。"), 2);
    assert_int_equal(score_of(cat, "BAK-01", "退職時にバックアップを返却させる。"), 2);
    /* An incident's own condition is not a schedule. */
    assert_int_equal(score_of(cat, "BAK-01", "事故発生時はバックアップから戻す。"), 1);
    /* The version of a document is not how often. */
    assert_int_equal(score_of(cat, "BAK-01", "第3.1版のバックアップの章。"), 1);
}

static void offsets_point_at_the_sentence(void **state)
{
    const struct sm_catalog *cat = *state;
    const char *pages[] = { "はじめに。ここには関係のない文がある。\n",
                            "見出し\n重要なデータは\n毎日バックアップを取得する。次の文。" };
    struct sm_document *doc = doc_of(pages, 2);
    struct sm_analyzer *an = NULL;
    assert_int_equal(sm_analyzer_new(cat, &an, NULL), SM_OK);
    struct sm_analysis *res = NULL;
    assert_int_equal(sm_analyze(an, doc, &res, NULL), SM_OK);
    const struct sm_item_result *r = item(res, "BAK-01");
    assert_int_equal(r->score, 2);
    assert_int_equal(r->n_evidence, 1);
    const struct sm_evidence *e = &r->evidence[0];
    assert_int_equal(e->page, 2);
    assert_string_equal(e->matched, "バックアップ");
    /* The range is exactly one of sm_text_sentences' ranges of that page's text. */
    const struct sm_page *pg = &doc->pages[1];
    struct sm_sentence *sents = NULL;
    size_t n = 0;
    assert_int_equal(sm_text_sentences(pg->text, pg->len, &sents, &n), SM_OK);
    int found = 0;
    for (size_t i = 0; i < n; i++)
        found += sents[i].offset == e->offset && sents[i].len == e->len;
    assert_int_equal(found, 1);
    sm_free(sents);
    assert_true(e->offset + e->len <= pg->len);
    assert_memory_equal(pg->text + e->offset, e->text, e->len);
    assert_int_equal(strlen(e->text), e->len);
    assert_non_null(strstr(e->text, "毎日バックアップを取得する"));
    sm_analysis_free(res);
    sm_analyzer_free(an);
    sm_document_free(doc);
}

static void evidence_order_and_cap(void **state)
{
    const struct sm_catalog *cat = *state;
    const char *text = "バックアップを取る。\n"         /* 1 */
                       "バックアップを確認する。\n"     /* 1 */
                       "毎月バックアップを取る。\n"     /* 2 */
                       "バックアップは大事だ。\n"       /* 1 */
                       "担当者がバックアップを取る。\n" /* 2 */
                       "バックアップを保管する。\n"     /* 1 */
                       "バックアップを試す。\n"         /* 1 */
                       "年1回バックアップを試す。\n";   /* 2 */
    struct sm_analysis *a = analyze_text(cat, text);
    const struct sm_item_result *r = item(a, "BAK-01");
    assert_int_equal(r->score, 2);
    assert_int_equal(r->n_evidence, SM_MAX_EVIDENCE);
    /* Score first, then document order. */
    const char *want[] = { "毎月", "担当者", "年1回", "バックアップを取る。",
                           "バックアップを確認" };
    for (size_t k = 0; k < SM_MAX_EVIDENCE; k++) {
        assert_non_null(strstr(r->evidence[k].text, want[k]));
        if (k > 0) {
            assert_true(r->evidence[k - 1].score >= r->evidence[k].score);
            if (r->evidence[k - 1].score == r->evidence[k].score)
                assert_true(r->evidence[k - 1].offset < r->evidence[k].offset);
        }
    }
    assert_int_equal(r->relation, SM_REL_EQUAL);
    /* 5 (concrete) + 2 (more sentences) + 1 (a specific term) + 1 (concrete twice); one
     * term only, so not 10. */
    assert_int_equal(r->strength, 9);
    sm_analysis_free(a);
}

static void strength_and_relation(void **state)
{
    const struct sm_catalog *cat = *state;
    struct sm_analysis *a = analyze_text(cat, "関係のない文。");
    for (size_t i = 0; i < a->n_items; i++) {
        assert_int_equal(a->items[i].score, 0);
        assert_int_equal(a->items[i].strength, 0);
        assert_int_equal(a->items[i].relation, SM_REL_NOT_RELATED);
        assert_int_equal(a->items[i].n_evidence, 0);
        assert_null(a->items[i].evidence);
    }
    assert_int_equal(a->n_items, N_SPECS);
    assert_string_equal(a->items[0].item_id, "BAK-01");
    sm_analysis_free(a);

    a = analyze_text(cat, "USBメモリを使う。");
    const struct sm_item_result *one = item(a, "USB-01");
    assert_int_equal(one->relation, SM_REL_INTERSECTS);
    int weak = one->strength;
    assert_true(weak >= 1 && weak <= 10);
    sm_analysis_free(a);

    a = analyze_text(cat,
                     "USBメモリを使う。USBメモリは毎月点検する。担当者がUSBメモリを管理する。");
    const struct sm_item_result *more = item(a, "USB-01");
    assert_int_equal(more->relation, SM_REL_EQUAL);
    assert_true(more->strength > weak && more->strength <= 10);
    sm_analysis_free(a);
}

static void empty_document(void **state)
{
    const struct sm_catalog *cat = *state;
    struct sm_analyzer *an = NULL;
    assert_int_equal(sm_analyzer_new(cat, &an, NULL), SM_OK);
    struct sm_document doc = { .format = SM_DOC_TEXT, .n_pages = 0, .pages = NULL };
    struct sm_analysis *res = NULL;
    assert_int_equal(sm_analyze(an, &doc, &res, NULL), SM_OK);
    assert_int_equal(res->n_items, N_SPECS);
    sm_analysis_free(res);
    sm_analyzer_free(an);
    sm_analysis_free(NULL);
    sm_analyzer_free(NULL);
}

static size_t progress_calls, progress_last;

static void on_progress(void *ctx, size_t done, size_t total)
{
    (void)ctx;
    progress_calls++;
    assert_true(done > progress_last && done <= total);
    progress_last = done;
}

static void many_equals_sequential(void **state)
{
    const struct sm_catalog *cat = *state;
    static const char *texts[] = {
        "バックアップを取る。パスワードは8文字以上。",
        "USBメモリは使用しない。年1回セキュリティ教育を行う。",
        "OSは最新にする。不要になった機器は廃棄する。",
        "クラウドサービスを使う。バックアップは不要である。",
        "担当者が毎月バックアップを確認する。",
        "関係のない文。",
        "パスワードを使い回さない。ソフトウェアを更新した。",
    };

    enum {
        N = sizeof texts / sizeof texts[0]
    };
    struct sm_document *docs[N];
    for (size_t i = 0; i < N; i++)
        docs[i] = doc_of(&texts[i], 1);
    struct sm_analysis *seq[N], *par[N];
    struct sm_analyzer *an = NULL;
    assert_int_equal(sm_analyzer_new(cat, &an, NULL), SM_OK);
    for (size_t i = 0; i < N; i++)
        assert_int_equal(sm_analyze(an, docs[i], &seq[i], NULL), SM_OK);
    sm_analyzer_free(an);

    progress_calls = progress_last = 0;
    struct sm_diag d;
    assert_int_equal(sm_analyze_many(cat, (const struct sm_document *const *)docs, N, 3, par,
                                     on_progress, NULL, &d),
                     SM_OK);
    assert_int_equal(progress_calls, N);
    assert_int_equal(progress_last, N);
    for (size_t i = 0; i < N; i++) {
        assert_int_equal(seq[i]->n_items, par[i]->n_items);
        for (size_t k = 0; k < seq[i]->n_items; k++) {
            const struct sm_item_result *a = &seq[i]->items[k], *b = &par[i]->items[k];
            assert_string_equal(a->item_id, b->item_id);
            assert_int_equal(a->score, b->score);
            assert_int_equal(a->strength, b->strength);
            assert_int_equal(a->relation, b->relation);
            assert_int_equal(a->n_evidence, b->n_evidence);
            for (size_t e = 0; e < a->n_evidence; e++) {
                assert_int_equal(a->evidence[e].offset, b->evidence[e].offset);
                assert_string_equal(a->evidence[e].text, b->evidence[e].text);
                assert_string_equal(a->evidence[e].matched, b->evidence[e].matched);
            }
        }
        sm_analysis_free(seq[i]);
        sm_analysis_free(par[i]);
    }
    /* One core's worth of threads (0) and no documents at all. */
    assert_int_equal(
        sm_analyze_many(cat, (const struct sm_document *const *)docs, N, 0, par, NULL, NULL, NULL),
        SM_OK);
    for (size_t i = 0; i < N; i++)
        sm_analysis_free(par[i]);
    assert_int_equal(sm_analyze_many(cat, NULL, 0, 2, par, NULL, NULL, NULL), SM_OK);
    for (size_t i = 0; i < N; i++)
        sm_document_free(docs[i]);
}

static void allocation_failures(void **state)
{
    const struct sm_catalog *cat = *state;
    const char *text = "担当者が毎月バックアップを取る。USBメモリは使用しない。\n"
                       "クラウドサービスを使う。パスワードは10文字以上とする。";
    struct sm_document *doc = doc_of(&text, 1);
    int ok = 0;
    for (long n = 0; n < 100000 && !ok; n++) {
        sm_alloc_fail_after(n);
        struct sm_analyzer *an = NULL;
        struct sm_analysis *res = NULL;
        struct sm_diag d;
        int rc = sm_analyzer_new(cat, &an, &d);
        if (rc == SM_OK) {
            rc = sm_analyze(an, doc, &res, &d);
            if (rc != SM_OK)
                assert_null(res);
        } else {
            assert_null(an);
        }
        sm_alloc_fail_after(-1);
        if (rc == SM_OK) {
            assert_int_equal(item(res, "BAK-01")->score, 2);
            ok = 1;
        } else {
            assert_int_equal(rc, SM_ENOMEM);
        }
        sm_analysis_free(res);
        sm_analyzer_free(an);
    }
    assert_true(ok);
    /* And through the thread pool. */
    const struct sm_document *docs[] = { doc, doc, doc };
    ok = 0;
    for (long n = 0; n < 100000 && !ok; n += 7) {
        struct sm_analysis *out[3] = { NULL, NULL, NULL };
        sm_alloc_fail_after(n);
        int rc = sm_analyze_many(cat, docs, 3, 2, out, NULL, NULL, NULL);
        sm_alloc_fail_after(-1);
        if (rc == SM_OK) {
            ok = 1;
        } else {
            assert_int_equal(rc, SM_ENOMEM);
            for (size_t i = 0; i < 3; i++)
                assert_null(out[i]);
        }
        for (size_t i = 0; i < 3; i++)
            sm_analysis_free(out[i]);
    }
    assert_true(ok);
    sm_document_free(doc);
}

static void missing_dictionary(void **state)
{
    const struct sm_catalog *cat = *state;
    const char *old = getenv("MECABRC");
    char *saved = old ? strdup(old) : NULL;
    setenv("MECABRC", "/nonexistent/smesec-test/mecabrc", 1);
    struct sm_analyzer *an = NULL;
    struct sm_diag d;
    sm_diag_clear(&d);
    int rc = sm_analyzer_new(cat, &an, &d);
    if (saved)
        setenv("MECABRC", saved, 1);
    else
        unsetenv("MECABRC");
    free(saved);
    assert_int_equal(rc, SM_EUNSUPPORTED);
    assert_null(an);
    assert_non_null(strstr(d.msg, "MeCab dictionary"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(names),
        cmocka_unit_test(lemmas_match_across_inflections),
        cmocka_unit_test(negation),
        cmocka_unit_test(context_and_exclusions),
        cmocka_unit_test(concreteness),
        cmocka_unit_test(offsets_point_at_the_sentence),
        cmocka_unit_test(evidence_order_and_cap),
        cmocka_unit_test(strength_and_relation),
        cmocka_unit_test(empty_document),
        cmocka_unit_test(many_equals_sequential),
        cmocka_unit_test(allocation_failures),
        cmocka_unit_test(missing_dictionary),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}

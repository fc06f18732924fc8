/* Unit tests: text normalisation and sentence splitting (src/text/normalize.c, sentences.c). */
/* cmocka needs these first, in this order. */
/* clang-format off */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
/* clang-format on */

#include "smesec/alloc.h"
#include "smesec/err.h"
#include "smesec/text.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Normalises s and checks the result is want, and that normalising it again changes
 * nothing (stored pages are normalised twice, and evidence offsets point into them). */
static void norm_is(const char *s, const char *want)
{
    char *out = NULL, *again = NULL;
    size_t len = 0, len2 = 0;
    struct sm_diag diag;
    assert_int_equal(sm_text_normalize(s, strlen(s), &out, &len, &diag), SM_OK);
    assert_string_equal(out, want);
    assert_int_equal(len, strlen(want));
    assert_int_equal(sm_text_normalize(out, len, &again, &len2, &diag), SM_OK);
    assert_string_equal(again, out);
    sm_free(out);
    sm_free(again);
}

static void nfkc_widths(void **state)
{
    (void)state;
    norm_is("ｶﾀｶﾅ", "カタカナ");
    norm_is("ｶﾞｲﾄﾞﾗｲﾝ", "ガイドライン"); /* voiced marks compose */
    norm_is("ＡＢＣ１２３", "ABC123");
    norm_is("（注）", "(注)");
    norm_is("㈱と㍿", "(株)と株式会社");
    norm_is("パソコン", "パソコン"); /* decomposed パ composes */
}

static void wave_dash_and_tildes(void **state)
{
    (void)state;
    norm_is("9時～17時", "9時〜17時"); /* U+FF5E */
    norm_is("9時〜17時", "9時〜17時"); /* U+301C stays */
    norm_is("9時∼17時", "9時〜17時");  /* U+223C */
    norm_is("~/docs", "~/docs");       /* ASCII tilde is left alone */
}

static void long_vowel_after_katakana(void **state)
{
    (void)state;
    norm_is("サーバ-", "サーバー");
    norm_is("サーバ－の設定", "サーバーの設定"); /* U+FF0D */
    norm_is("ユーザ‐", "ユーザー");              /* U+2010 */
    norm_is("コンピュータ−", "コンピューター");  /* U+2212 */
    norm_is("ﾕｰｻﾞｰ", "ユーザー");
    norm_is("A-B", "A-B"); /* not after katakana */
    norm_is("第1-2条", "第1-2条");
    norm_is("データ - 項目", "データ - 項目"); /* a spaced dash is a dash */
}

static void control_characters_and_line_ends(void **state)
{
    (void)state;
    norm_is("あ\r\nい", "あ\nい");
    norm_is("あ\rい", "あ\nい");
    norm_is("a\tb", "a b");
    norm_is("ab\x01\x7f"
            "c",
            "abc");
    norm_is("a\xc2\x85"
            "b",
            "a\nb"); /* NEL */
    norm_is("a\xe2\x80\x8b"
            "b\xef\xbb\xbf",
            "ab"); /* zero width space, BOM */
    norm_is("page1\fpage2", "page1\fpage2");
    norm_is("", "");
    norm_is(" \n\t\n ", "");
    /* A NUL byte is a control character: the result is a C string. */
    char *out;
    size_t len;
    assert_int_equal(sm_text_normalize("a\0b", 3, &out, &len, NULL), SM_OK);
    assert_int_equal(len, 2);
    assert_string_equal(out, "ab");
    sm_free(out);
}

static void spaces(void **state)
{
    (void)state;
    norm_is("情報 セキュリティ", "情報セキュリティ");
    norm_is("情　報　資　産", "情報資産"); /* ideographic spaces */
    norm_is("Windows  Update  を適用", "Windows Update を適用");
    norm_is("  前後の空白  ", "前後の空白");
    norm_is("第 1 章", "第 1 章");                 /* digits are not Japanese */
    norm_is("か \xe3\x82\x99", "か \xe3\x82\x99"); /* a space before a combining mark stays */
}

static void line_joining(void **state)
{
    (void)state;
    /* A full line broken inside a sentence is joined, without a space in Japanese. */
    norm_is("本ガイドラインは、中小規模の事業者が情報セキュリティ対策を段階的に\n"
            "進めるための考え方を示す。",
            "本ガイドラインは、中小規模の事業者が情報セキュリティ対策を段階的に"
            "進めるための考え方を示す。");
    /* But not after 。 ．！？： or a closing bracket. */
    norm_is("経営者は情報セキュリティを経営課題として認識する。\n次に",
            "経営者は情報セキュリティを経営課題として認識する。\n次に");
    norm_is("経営者は情報セキュリティを経営課題として認識する．\n次に",
            "経営者は情報セキュリティを経営課題として認識する.\n次に");
    norm_is("経営者は情報セキュリティを経営課題として次のとおり定める：\n次に",
            "経営者は情報セキュリティを経営課題として次のとおり定める:\n次に");
    norm_is("経営者は情報セキュリティを経営課題として認識する（必須）\n次に",
            "経営者は情報セキュリティを経営課題として認識する(必須)\n次に");
    /* Nor before a list item or a heading. */
    norm_is("以下の対策を講じることとし、その実施状況を定期的に確認する\n・パスワード",
            "以下の対策を講じることとし、その実施状況を定期的に確認する\n・パスワード");
    norm_is("以下の対策を講じることとし、その実施状況を定期的に確認する\n(1) 教育",
            "以下の対策を講じることとし、その実施状況を定期的に確認する\n(1) 教育");
    norm_is("以下の対策を講じることとし、その実施状況を定期的に確認する\n第2章 対策",
            "以下の対策を講じることとし、その実施状況を定期的に確認する\n第2章対策");
    norm_is("以下の対策を講じることとし、その実施状況を定期的に確認する\n①教育",
            "以下の対策を講じることとし、その実施状況を定期的に確認する\n①教育");
    /* A short line is a heading, unless it ends with a comma. */
    norm_is("総則\n本章では", "総則\n本章では");
    norm_is("1. 目的\n本ガイドラインは", "1. 目的\n本ガイドラインは");
    norm_is("責任者は、\n年に1回確認する。", "責任者は、年に1回確認する。");
    /* A chapter heading is never continued, however long. */
    norm_is("第1章 中小企業における情報セキュリティ対策の基本的な考え方\n本章では",
            "第1章中小企業における情報セキュリティ対策の基本的な考え方\n本章では");
    /* A wrapped list item is joined. */
    norm_is("・ウイルス対策ソフトを導入し、定義ファイルを常に最新の状態に\n保つこと。",
            "・ウイルス対策ソフトを導入し、定義ファイルを常に最新の状態に保つこと。");
    /* Latin words keep a space where the line broke. */
    norm_is("All employees must complete the security training and review\nthe policy.",
            "All employees must complete the security training and review the policy.");
    /* A hyphen that starts the continued line after katakana is a long vowel. */
    norm_is("バックアップの対象は、社内のすべてのファイルサーバ\n-とする。",
            "バックアップの対象は、社内のすべてのファイルサーバーとする。");
    /* Blank lines separate paragraphs and collapse to one. */
    norm_is("段落一の文章であり句点で終わらないが長さは十分にある行です\n\n\n\n段落二",
            "段落一の文章であり句点で終わらないが長さは十分にある行です\n\n段落二");
    /* Form feeds are kept and never joined across. */
    norm_is("段落一の文章であり句点で終わらないが長さは十分にある行です\n\f\n次",
            "段落一の文章であり句点で終わらないが長さは十分にある行です\f次");
}

static void enclosed_numbers_are_kept(void **state)
{
    (void)state;
    norm_is("①パスワード ②更新", "①パスワード ②更新");
    norm_is("㉑ ㋐ Ⓐ", "㉑ ㋐ Ⓐ");
    norm_is("⑴ 目的", "(1) 目的"); /* parenthesised numbers become (1), still a list item */
}

static void invalid_utf8_has_offset(void **state)
{
    (void)state;
    char unchanged[] = "unchanged";
    char *out = unchanged;
    size_t len = 99;
    struct sm_diag diag;
    assert_int_equal(sm_text_normalize("abc\xe3\x81", 5, &out, &len, &diag), SM_EPARSE);
    assert_int_equal(diag.offset, 3);
    assert_non_null(strstr(diag.msg, "byte 3"));
    assert_string_equal(out, "unchanged");
    assert_int_equal(len, 99);
}

/* Normalising normalised text changes nothing, on awkward input too. */
static void idempotent_on_awkward_input(void **state)
{
    (void)state;
    static const char *const cases[] = {
        "ア-\n-イ",
        "サ - -",
        "e\xcc\x81 \xcc\x81",
        "か\xe3\x82\x9b",
        "\xe3\x82\x99先頭",
        "ー\n-",
        "x\n\xcc\x81y",
        "a  \n  b",
        "#\n##\n### x\nfoo",
        "(1)\n(ア)\n(注)\n(ACL)",
        "長い行の文章であり句点で終わらないが長さは十分にある行です\n\xe1\x85\xa1",
        "１．２\n1.2.3目的\n1)項目\n1 目的\nア.イ\na) b\nA. B",
        "ｶﾞ\xef\xbe\x9e",
        "\f\f\n\f",
        "全角スペース　と　半角 スペース と\t タブ",
        /* A marker counted as the second pass sees it: (ア-) is (アー). */
        "長い行の文章であり句点で終わらないが長さは十分にある行です\n(ア-)項目\n(ア -)項目",
        /* A list marker followed only by a trailing space is still a list marker. */
        "長い行の文章であり句点で終わらないが長さは十分にある行です\n- \n次\n* \n+",
        ("長い行の文章であり句点で終わらないが長さは十分にある行で、\n"
         "短い行\n続き"),
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        char *a, *b;
        size_t na, nb;
        assert_int_equal(sm_text_normalize(cases[i], strlen(cases[i]), &a, &na, NULL), SM_OK);
        assert_int_equal(sm_text_normalize(a, na, &b, &nb, NULL), SM_OK);
        if (na != nb || memcmp(a, b, na) != 0)
            fail_msg("case %zu: '%s' -> '%s' -> '%s'", i, cases[i], a, b);
        sm_free(a);
        sm_free(b);
    }
}

/* A long text goes through the bounded scratch array in several pieces with the same result
 * as its parts. */
static void long_text_is_normalised_in_pieces(void **state)
{
    (void)state;
    const char *unit = "ｶﾞｲﾄﾞﾗｲﾝ　ＡＢＣ、サーバ-を確認する。\n";
    size_t ulen = strlen(unit), reps = 2000;
    char *s = malloc(ulen * reps);
    assert_non_null(s);
    for (size_t i = 0; i < reps; i++)
        memcpy(s + i * ulen, unit, ulen);
    char *out;
    size_t len;
    assert_int_equal(sm_text_normalize(s, ulen * reps, &out, &len, NULL), SM_OK);
    /* The ideographic space stays a space between ン and A: only one side is Japanese. */
    const char *want = "ガイドライン ABC、サーバーを確認する。\n";
    size_t wlen = strlen(want);
    assert_int_equal(len, wlen * reps - 1);
    for (size_t i = 0; i < reps; i++)
        assert_memory_equal(out + i * wlen, want, i + 1 < reps ? wlen : wlen - 1);
    sm_free(out);
    free(s);
}

/* Every allocation of sm_text_normalize can fail, and each failure is SM_ENOMEM with the
 * outputs unchanged (and, under ASan, nothing leaked). */
static void normalize_survives_allocation_failures(void **state)
{
    (void)state;
    /* Long enough to grow the scratch array and the output several times. */
    size_t reps = 600;
    const char *unit = "ｶﾀｶﾅ　情報 セキュリティ、サーバ-の\n設定を確認する。①②\r\n";
    size_t ulen = strlen(unit);
    char *s = malloc(ulen * reps);
    assert_non_null(s);
    for (size_t i = 0; i < reps; i++)
        memcpy(s + i * ulen, unit, ulen);
    char *ref;
    size_t ref_len;
    assert_int_equal(sm_text_normalize(s, ulen * reps, &ref, &ref_len, NULL), SM_OK);
    int rc = SM_ENOMEM;
    long n;
    for (n = 0; rc == SM_ENOMEM && n < 1000; n++) {
        char *out = NULL;
        size_t len = 0;
        sm_alloc_fail_after(n);
        rc = sm_text_normalize(s, ulen * reps, &out, &len, NULL);
        sm_alloc_fail_after(-1);
        if (rc == SM_ENOMEM) {
            assert_null(out);
            assert_int_equal(len, 0);
        } else {
            assert_int_equal(rc, SM_OK);
            assert_int_equal(len, ref_len);
            assert_memory_equal(out, ref, len);
            sm_free(out);
        }
    }
    assert_int_equal(rc, SM_OK);
    assert_true(n > 2); /* the loop did fail some allocations */
    sm_free(ref);
    free(s);
}

/* Writes head then reps copies of unit into out (of cap bytes), NUL-terminated. */
static size_t repeat(char *out, size_t cap, const char *head, const char *unit, int reps)
{
    size_t len = strlen(head), ulen = strlen(unit);
    assert_true(len + ulen * (size_t)reps < cap);
    memcpy(out, head, len);
    for (int i = 0; i < reps; i++, len += ulen)
        memcpy(out + len, unit, ulen);
    out[len] = '\0';
    return len;
}

/* --- Sentences ---------------------------------------------------------------------------- */

/* Splits s and checks the sentences are exactly want (NULL-terminated). */
static void sentences_are(const char *s, const char *const *want)
{
    struct sm_sentence *v = NULL;
    size_t n = 0, k = 0;
    assert_int_equal(sm_text_sentences(s, strlen(s), &v, &n), SM_OK);
    for (; want[k]; k++) {
        if (k >= n)
            fail_msg("missing sentence %zu '%s'", k, want[k]);
        char got[512];
        snprintf(got, sizeof got, "%.*s", (int)v[k].len, s + v[k].offset);
        if (strcmp(got, want[k]) != 0)
            fail_msg("sentence %zu: got '%s', want '%s'", k, got, want[k]);
    }
    if (n != k)
        fail_msg("%zu sentences, want %zu", n, k);
    sm_free(v);
}

static void sentences_split(void **state)
{
    (void)state;
    sentences_are("責任者を置く。年に1回確認する。",
                  (const char *const[]){ "責任者を置く。", "年に1回確認する。", NULL });
    sentences_are("重要です!次に確認?はい。 English here. Next one",
                  (const char *const[]){ "重要です!", "次に確認?", "はい。", "English here.",
                                         "Next one", NULL });
    /* Line breaks end sentences; spaces around them are trimmed. */
    sentences_are("  第1章総則  \n\n1. 目的\n本書は定める。 \n",
                  (const char *const[]){ "第1章総則", "1. 目的", "本書は定める。", NULL });
    /* A quotation keeps its 。; closing brackets stay with their sentence. */
    sentences_are(
        "「パスワードを共有しない。」と定める。(以上。)次",
        (const char *const[]){ "「パスワードを共有しない。」と定める。", "(以上。)", "次", NULL });
    /* ． style, numbers and abbreviations. */
    sentences_are(
        "管理する.次に 1. 目的 e.g. the policy. The end",
        (const char *const[]){ "管理する.", "次に 1. 目的 e.g. the policy.", "The end", NULL });
    /* List markers in the middle of a line. */
    sentences_are(
        "次の対策を講じる ①教育、②訓練 ●掲示 ■点検",
        (const char *const[]){ "次の対策を講じる", "①教育、", "②訓練", "●掲示", "■点検", NULL });
    sentences_are("手順①〜③を実施し、手順①の結果を記録する。",
                  (const char *const[]){ "手順①〜③を実施し、手順①の結果を記録する。", NULL });
    /* Form feeds end sentences too. */
    sentences_are("一\f二", (const char *const[]){ "一", "二", NULL });
}

static void sentences_edge_cases(void **state)
{
    (void)state;
    struct sm_sentence *v = (struct sm_sentence *)&v;
    size_t n = 99;
    assert_int_equal(sm_text_sentences("", 0, &v, &n), SM_OK);
    assert_int_equal(n, 0);
    assert_null(v);
    assert_int_equal(sm_text_sentences(" \n \f ", 5, &v, &n), SM_OK);
    assert_int_equal(n, 0);
    assert_int_equal(sm_text_sentences("\xe3\x81", 2, &v, &n), SM_EPARSE);
    /* An unbalanced 「 does not swallow the rest of a long line. */
    char s[4096];
    size_t len = repeat(s, sizeof s, "「引用が閉じない。", "文。", 400);
    assert_int_equal(sm_text_sentences(s, len, &v, &n), SM_OK);
    assert_true(n > 250);
    sm_free(v);
}

static void sentences_survive_allocation_failures(void **state)
{
    (void)state;
    char s[8192];
    repeat(s, sizeof s, "", "文を書く。", 200);
    int rc = SM_ENOMEM;
    long n;
    for (n = 0; rc == SM_ENOMEM && n < 100; n++) {
        struct sm_sentence *v = NULL;
        size_t count = 12345;
        sm_alloc_fail_after(n);
        rc = sm_text_sentences(s, strlen(s), &v, &count);
        sm_alloc_fail_after(-1);
        if (rc == SM_ENOMEM) {
            assert_null(v);
            assert_int_equal(count, 12345);
        } else {
            assert_int_equal(rc, SM_OK);
            assert_int_equal(count, 200);
            sm_free(v);
        }
    }
    assert_int_equal(rc, SM_OK);
    assert_true(n > 2);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(nfkc_widths),
        cmocka_unit_test(wave_dash_and_tildes),
        cmocka_unit_test(long_vowel_after_katakana),
        cmocka_unit_test(control_characters_and_line_ends),
        cmocka_unit_test(spaces),
        cmocka_unit_test(line_joining),
        cmocka_unit_test(enclosed_numbers_are_kept),
        cmocka_unit_test(invalid_utf8_has_offset),
        cmocka_unit_test(idempotent_on_awkward_input),
        cmocka_unit_test(long_text_is_normalised_in_pieces),
        cmocka_unit_test(normalize_survives_allocation_failures),
        cmocka_unit_test(sentences_split),
        cmocka_unit_test(sentences_edge_cases),
        cmocka_unit_test(sentences_survive_allocation_failures),
    };
    return cmocka_run_group_tests_name("text_normalize", tests, NULL, NULL);
}

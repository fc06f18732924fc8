/*
 * Unit tests: reading documents (src/text/document.c and the readers) from the fixtures in
 * tests/data/docs/ (made by make_fixtures.py there): pages, normalised text, headers and
 * footers gone, and every kind of bad input refused with its code and the file's name.
 */
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

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *path_of(const char *name)
{
    static char path[4096];
    const char *root = getenv("SMESEC_SOURCE_DIR");
    snprintf(path, sizeof path, "%s/tests/data/docs/%s", root ? root : ".", name);
    return path;
}

/* Reads a fixture whole into memory (free with free). */
static char *load(const char *name, size_t *len)
{
    FILE *f = fopen(path_of(name), "rb");
    if (!f)
        fail_msg("cannot open fixture %s (set SMESEC_SOURCE_DIR)", path_of(name));
    size_t cap = 1 << 20;
    char *data = malloc(cap);
    assert_non_null(data);
    *len = fread(data, 1, cap, f);
    fclose(f);
    return data;
}

static struct sm_document *read_ok(const char *name)
{
    struct sm_document *doc = NULL;
    struct sm_diag diag;
    int rc = sm_document_read_file(path_of(name), SM_DOC_AUTO, NULL, &doc, &diag);
    if (rc)
        fail_msg("reading %s: %s", name, diag.msg);
    return doc;
}

/* Reads name expecting the error code, a message naming the file and containing what. */
static void read_fails(const char *name, const struct sm_read_limits *limits, int code,
                       const char *what)
{
    struct sm_document *doc = NULL;
    struct sm_diag diag;
    int rc = sm_document_read_file(path_of(name), SM_DOC_AUTO, limits, &doc, &diag);
    if (rc != code)
        fail_msg("%s: got %d (%s), want %d", name, rc, rc ? diag.msg : "ok", code);
    assert_null(doc);
    if (!strstr(diag.msg, name))
        fail_msg("%s: message does not name the file: %s", name, diag.msg);
    if (!strstr(diag.msg, "cannot read '"))
        fail_msg("%s: message does not start as it should: %s", name, diag.msg);
    if (what && !strstr(diag.msg, what))
        fail_msg("%s: message '%s' does not say '%s'", name, diag.msg, what);
}

static bool page_has(const struct sm_page *p, const char *s)
{
    return strstr(p->text, s) != NULL;
}

/* The number of sentences of a page, and whether one of them is exactly s. */
static size_t sentences_of(const struct sm_page *p, const char *s, bool *found)
{
    struct sm_sentence *v;
    size_t n;
    assert_int_equal(sm_text_sentences(p->text, p->len, &v, &n), SM_OK);
    *found = false;
    for (size_t i = 0; i < n; i++)
        if (strlen(s) == v[i].len && memcmp(p->text + v[i].offset, s, v[i].len) == 0)
            *found = true;
    sm_free(v);
    return n;
}

/* Normalising a document's pages again changes nothing, so offsets stay valid. */
static void check_stable(const struct sm_document *doc)
{
    const char **texts = calloc(doc->n_pages, sizeof *texts);
    int *numbers = calloc(doc->n_pages, sizeof *numbers);
    assert_non_null(texts);
    assert_non_null(numbers);
    for (size_t i = 0; i < doc->n_pages; i++) {
        texts[i] = doc->pages[i].text;
        numbers[i] = doc->pages[i].number;
    }
    struct sm_document *again = NULL;
    assert_int_equal(sm_document_from_pages(texts, numbers, doc->n_pages, &again, NULL), SM_OK);
    assert_int_equal(again->n_pages, doc->n_pages);
    for (size_t i = 0; i < doc->n_pages; i++) {
        assert_int_equal(again->pages[i].number, doc->pages[i].number);
        assert_int_equal(again->pages[i].len, doc->pages[i].len);
        assert_string_equal(again->pages[i].text, doc->pages[i].text);
    }
    sm_document_free(again);
    free(texts);
    free(numbers);
}

static void plain_text(void **state)
{
    (void)state;
    struct sm_document *doc = read_ok("guideline.txt");
    assert_int_equal(doc->format, SM_DOC_TEXT);
    assert_int_equal(doc->encoding, SM_ENC_UTF8);
    assert_int_equal(doc->n_pages, 2); /* a form feed */
    const struct sm_page *p1 = &doc->pages[0], *p2 = &doc->pages[1];
    assert_int_equal(p1->number, 1);
    assert_int_equal(p2->number, 2);
    /* Joined inside a sentence, not after 。 */
    assert_true(page_has(p1, "情報セキュリティ対策を段階的に進めるための"));
    assert_true(page_has(p1, "示すものである。\n経営者は"));
    assert_true(page_has(p1, "1. 目的\n本ガイドラインは")); /* a heading stays a line */
    /* NFKC. */
    assert_true(page_has(p1, "ABC123株式会社"));
    assert_true(page_has(p1, "スマートフォン"));
    assert_int_equal(strlen(p1->text), p1->len);
    /* Wave dash, long vowel, a line joined after a comma. */
    assert_true(page_has(p2, "9時〜17時"));
    assert_true(page_has(p2, "ファイルサーバーの全データ"));
    assert_true(page_has(p2, "週に1回、外部媒体に保存する。"));
    bool found;
    size_t n = sentences_of(
        p2, "・ウイルス対策ソフトを導入し、定義ファイルを常に最新の状態に保つ。", &found);
    assert_true(found);
    assert_int_equal(n, 6);
    check_stable(doc);
    sm_document_free(doc);
}

/* The three encodings, and a BOM with CR LF, give the same pages. */
static void encodings_give_the_same_pages(void **state)
{
    (void)state;
    struct sm_document *u = read_ok("guideline.txt");
    static const char *const others[] = { "guideline.sjis.txt", "guideline.eucjp.txt",
                                          "guideline.bom-crlf.txt" };

    static const enum sm_encoding encs[] = { SM_ENC_SHIFT_JIS, SM_ENC_EUC_JP, SM_ENC_UTF8 };

    for (size_t k = 0; k < 3; k++) {
        struct sm_document *d = read_ok(others[k]);
        assert_int_equal(d->encoding, encs[k]);
        assert_int_equal(d->n_pages, u->n_pages);
        for (size_t i = 0; i < u->n_pages; i++)
            assert_string_equal(d->pages[i].text, u->pages[i].text);
        sm_document_free(d);
    }
    sm_document_free(u);
}

static void markdown(void **state)
{
    (void)state;
    struct sm_document *doc = read_ok("guideline.md");
    assert_int_equal(doc->format, SM_DOC_MARKDOWN);
    assert_int_equal(doc->n_pages, 1);
    const struct sm_page *p = &doc->pages[0];
    assert_false(page_has(p, "title:"));   /* front matter */
    assert_false(page_has(p, "#"));        /* heading marks */
    assert_false(page_has(p, "**"));       /* emphasis */
    assert_false(page_has(p, "https://")); /* link targets */
    assert_false(page_has(p, "`"));
    assert_false(page_has(p, "---"));
    assert_true(page_has(p, "第3章組織的対策\n\n3.1 体制\n\n情報セキュリティ責任者を必ず任命し"));
    assert_true(page_has(p, "実施状況をチェックシートで確認する。"));
    assert_true(page_has(p, "- 従業員への教育を年2回実施する\n- 退職者"));
    assert_true(page_has(p, "速やかに相談窓口へ報告する。"));
    bool found;
    sentences_of(p, "- 従業員への教育を年2回実施する", &found);
    assert_true(found);
    check_stable(doc);
    sm_document_free(doc);
}

static void docx(void **state)
{
    (void)state;
    struct sm_document *doc = read_ok("guideline.docx");
    assert_int_equal(doc->format, SM_DOC_DOCX);
    assert_int_equal(doc->encoding, SM_ENC_UTF8);
    assert_int_equal(doc->n_pages, 3); /* an explicit break and a page-break-before */
    const struct sm_page *p1 = &doc->pages[0], *p2 = &doc->pages[1], *p3 = &doc->pages[2];
    /* Runs of a paragraph make one line; the rendered page break is ignored. */
    assert_true(page_has(p1, "サーバーへのアクセスは、担当者ごとに IDを発行して管理する。"));
    /* Paragraphs are never joined. */
    assert_true(page_has(p1, "第4章技術的対策\n\nサーバー"));
    /* Deleted text and field codes are not text. */
    assert_false(page_has(p1, "削除された文"));
    assert_false(page_has(p1, "PAGE"));
    assert_true(page_has(p1, "ログは3か月以上保存する。"));
    /* The text box is read once, not again from its fallback copy. */
    const char *box = "【注意】不審なメールの添付ファイルは開かない。";
    const char *at = strstr(p1->text, box);
    assert_non_null(at);
    assert_null(strstr(at + 1, box));
    assert_true(page_has(p2, "第5章物理的対策"));
    assert_true(page_has(p2, "入退室管理\n\nICカードで記録する。"));
    assert_true(page_has(p3, "附則"));
    assert_true(page_has(p3, "令和6年4月1日から施行する。"));
    assert_false(page_has(p2, "附則"));
    check_stable(doc);
    sm_document_free(doc);
}

static void pdf(void **state)
{
    (void)state;
    struct sm_document *doc = read_ok("guideline.pdf");
    assert_int_equal(doc->format, SM_DOC_PDF);
    assert_int_equal(doc->n_pages, 3);
    for (size_t i = 0; i < 3; i++) {
        const struct sm_page *p = &doc->pages[i];
        assert_int_equal(p->number, (int)i + 1);
        /* The running header, the footer and the page number are gone. */
        assert_false(page_has(p, "ガイドライン(記載例)"));
        assert_false(page_has(p, "第1.0版"));
        assert_false(page_has(p, "サンプル工業会"));
        assert_false(page_has(p, "-1-"));
        assert_null(strchr(p->text, '-'));
    }
    /* Chapter titles in the top lines differ from page to page, so they stay. */
    assert_true(page_has(&doc->pages[0], "第1章はじめに\n"));
    assert_true(page_has(&doc->pages[2], "第3章インシデント対応\n"));
    /* Lines broken inside a sentence are joined; after 。 they are not. */
    assert_true(page_has(&doc->pages[0], "取引先と情報をやり取りする際に守るべき最低限の対策を、"
                                         "段階別の記載例として示すものである。\n各社は"));
    assert_true(page_has(&doc->pages[1],
                         "(1) 情報セキュリティ責任者は、年に1回、全従業員を対象とした教育を"
                         "実施し、その記録を保存する。\n(2) 社外から"));
    bool found;
    size_t n = sentences_of(&doc->pages[2],
                            "責任者は、被害の範囲を確認し、必要に応じて取引先へ連絡する。", &found);
    assert_true(found);
    assert_int_equal(n, 3);
    check_stable(doc);
    sm_document_free(doc);
}

/* A PDF with only an owner password (copy restrictions) opens without one and is read. */
static void pdf_with_owner_password_only(void **state)
{
    (void)state;
    struct sm_document *doc = read_ok("owner-only.pdf");
    struct sm_document *plain = read_ok("guideline.pdf");
    assert_int_equal(doc->n_pages, plain->n_pages);
    for (size_t i = 0; i < doc->n_pages; i++)
        assert_string_equal(doc->pages[i].text, plain->pages[i].text);
    sm_document_free(doc);
    sm_document_free(plain);
}

static void bad_input_is_refused_by_name(void **state)
{
    (void)state;
    read_fails("encrypted.pdf", NULL, SM_EUNSUPPORTED, "encrypted PDF");
    read_fails("corrupt.pdf", NULL, SM_EPARSE, "PDF");
    read_fails("notext.pdf", NULL, SM_EINVAL, "no text");
    read_fails("notext.docx", NULL, SM_EINVAL, "no text");
    read_fails("not-docx.zip", NULL, SM_EPARSE, "not a DOCX");
    read_fails("truncated.docx", NULL, SM_EPARSE, "not a DOCX");
    read_fails("entities.docx", NULL, SM_EPARSE, NULL);
    read_fails("doctype.docx", NULL, SM_EPARSE, "document type declaration");
    read_fails("invalid-utf8.txt", NULL, SM_EPARSE, "byte 183");
    read_fails("empty.txt", NULL, SM_EINVAL, "empty file");
    read_fails("blank.txt", NULL, SM_EINVAL, "no text");

    struct sm_document *doc = NULL;
    struct sm_diag diag;
    assert_int_equal(
        sm_document_read_file(path_of("invalid-utf8.txt"), SM_DOC_AUTO, NULL, &doc, &diag),
        SM_EPARSE);
    assert_int_equal(diag.offset, 183);
    assert_int_equal(
        sm_document_read_file(path_of("no-such-file.pdf"), SM_DOC_AUTO, NULL, &doc, &diag),
        SM_ENOTFOUND);
    assert_non_null(strstr(diag.msg, "no-such-file.pdf"));
    assert_null(doc);
}

static void zip_bombs(void **state)
{
    (void)state;
    /* The declared size is over the default limit: refused before inflating. */
    read_fails("bomb.docx", NULL, SM_ELIMIT, "would expand to");
    /* Under a larger limit, its compression ratio gives it away. */
    struct sm_read_limits big;
    sm_read_limits_init(&big);
    big.max_text_bytes = 256u * 1024 * 1024;
    read_fails("bomb.docx", &big, SM_ELIMIT, "compression ratio");
    /* The declaration lies: the bytes actually inflated are counted. */
    read_fails("lying.docx", NULL, SM_ELIMIT, "declares");
    /* A small limit refuses even a real document. */
    struct sm_read_limits small;
    sm_read_limits_init(&small);
    small.max_text_bytes = 100;
    read_fails("guideline.docx", &small, SM_ELIMIT, NULL);
}

static void limits(void **state)
{
    (void)state;
    struct sm_read_limits lim;
    sm_read_limits_init(&lim);
    assert_int_equal(lim.max_file_bytes, 64u * 1024 * 1024);
    assert_int_equal(lim.max_text_bytes, 64u * 1024 * 1024);
    assert_int_equal(lim.max_pages, 5000);

    lim.max_file_bytes = 1000; /* guideline.pdf is about 3 KB */
    read_fails("guideline.pdf", &lim, SM_ELIMIT, "larger than 1000 bytes");
    sm_read_limits_init(&lim);
    lim.max_pages = 2;
    read_fails("guideline.pdf", &lim, SM_ELIMIT, "more than 2 pages");
    read_fails("guideline.docx", &lim, SM_ELIMIT, "more than 2 pages");
    lim.max_pages = 1;
    read_fails("guideline.txt", &lim, SM_ELIMIT, "more than 1 pages");
    sm_read_limits_init(&lim);
    lim.max_text_bytes = 200;
    read_fails("guideline.txt", &lim, SM_ELIMIT, "bytes of text");
    read_fails("guideline.pdf", &lim, SM_ELIMIT, "bytes of text");
    read_fails("guideline.md", &lim, SM_ELIMIT, "bytes of text");
}

/* Magic bytes decide over the name; the name decides for text and Markdown. */
static void format_detection(void **state)
{
    (void)state;
    size_t n;
    char *pdf = load("guideline.pdf", &n);
    struct sm_document *doc = NULL;
    struct sm_diag diag;
    assert_int_equal(sm_document_read_mem(pdf, n, "misnamed.txt", SM_DOC_AUTO, NULL, &doc, &diag),
                     SM_OK);
    assert_int_equal(doc->format, SM_DOC_PDF);
    sm_document_free(doc);
    /* Read as what the caller says it is. */
    assert_int_equal(sm_document_read_mem(pdf, n, "x.pdf", SM_DOC_DOCX, NULL, &doc, &diag),
                     SM_EPARSE);
    assert_non_null(strstr(diag.msg, "cannot read 'x.pdf'"));
    free(pdf);

    char *md = load("guideline.md", &n);
    assert_int_equal(sm_document_read_mem(md, n, "notes.MD", SM_DOC_AUTO, NULL, &doc, NULL), SM_OK);
    assert_int_equal(doc->format, SM_DOC_MARKDOWN);
    sm_document_free(doc);
    assert_int_equal(sm_document_read_mem(md, n, NULL, SM_DOC_AUTO, NULL, &doc, &diag), SM_OK);
    assert_int_equal(doc->format, SM_DOC_TEXT);
    sm_document_free(doc);
    free(md);

    /* A Word 97-2003 file (or a password-protected Office file) is named as such. */
    static const char ole[] = "\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1 rest of the file";
    assert_int_equal(
        sm_document_read_mem(ole, sizeof ole - 1, "old.doc", SM_DOC_AUTO, NULL, &doc, &diag),
        SM_EUNSUPPORTED);
    assert_non_null(strstr(diag.msg, "cannot read 'old.doc': a Word 97-2003"));
    /* Without a name the message still says what failed. */
    assert_int_equal(sm_document_read_mem("", 0, NULL, SM_DOC_AUTO, NULL, &doc, &diag), SM_EINVAL);
    assert_string_equal(diag.msg, "cannot read document: empty file");

    assert_string_equal(sm_doc_format_name(SM_DOC_AUTO), "auto");
    assert_string_equal(sm_doc_format_name(SM_DOC_TEXT), "text");
    assert_string_equal(sm_doc_format_name(SM_DOC_MARKDOWN), "markdown");
    assert_string_equal(sm_doc_format_name(SM_DOC_PDF), "pdf");
    assert_string_equal(sm_doc_format_name(SM_DOC_DOCX), "docx");
}

static void from_pages(void **state)
{
    (void)state;
    const char *texts[] = { "ｶﾀｶﾅ　と　ＡＢＣ", "", "本文。\r\n次。" };
    const int numbers[] = { 2, 3, 7 };
    struct sm_document *doc = NULL;
    assert_int_equal(sm_document_from_pages(texts, numbers, 3, &doc, NULL), SM_OK);
    assert_int_equal(doc->n_pages, 3);
    assert_string_equal(doc->pages[0].text, "カタカナと ABC");
    assert_int_equal(doc->pages[0].number, 2);
    assert_string_equal(doc->pages[1].text, "");
    assert_int_equal(doc->pages[2].number, 7);
    assert_string_equal(doc->pages[2].text, "本文。\n次。");
    sm_document_free(doc);

    assert_int_equal(sm_document_from_pages(texts, NULL, 1, &doc, NULL), SM_OK);
    assert_int_equal(doc->pages[0].number, 1);
    sm_document_free(doc);

    struct sm_diag diag;
    const char *bad[] = { "ok", "\xff" };
    doc = NULL;
    assert_int_equal(sm_document_from_pages(bad, numbers, 2, &doc, &diag), SM_EPARSE);
    assert_null(doc);
    assert_non_null(strstr(diag.msg, "page 3"));
    sm_document_free(NULL);
}

/* Our allocations can each fail while reading every format (the libraries' own are not
 * hooked); each failure is SM_ENOMEM and leaks nothing. */
static void readers_survive_allocation_failures(void **state)
{
    (void)state;
    static const char *const names[] = { "guideline.md", "guideline.sjis.txt", "guideline.docx",
                                         "guideline.pdf" };
    for (size_t k = 0; k < sizeof names / sizeof *names; k++) {
        size_t n;
        char *data = load(names[k], &n);
        int rc = SM_ENOMEM;
        long i;
        for (i = 0; rc == SM_ENOMEM && i < 5000; i++) {
            struct sm_document *doc = NULL;
            sm_alloc_fail_after(i);
            rc = sm_document_read_mem(data, n, names[k], SM_DOC_AUTO, NULL, &doc, NULL);
            sm_alloc_fail_after(-1);
            if (rc == SM_ENOMEM)
                assert_null(doc);
            sm_document_free(doc);
        }
        if (rc != SM_OK)
            fail_msg("%s: %d after %ld allocations", names[k], rc, i);
        assert_true(i > 5);
        free(data);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(plain_text),
        cmocka_unit_test(encodings_give_the_same_pages),
        cmocka_unit_test(markdown),
        cmocka_unit_test(docx),
        cmocka_unit_test(pdf),
        cmocka_unit_test(pdf_with_owner_password_only),
        cmocka_unit_test(bad_input_is_refused_by_name),
        cmocka_unit_test(zip_bombs),
        cmocka_unit_test(limits),
        cmocka_unit_test(format_detection),
        cmocka_unit_test(from_pages),
        cmocka_unit_test(readers_survive_allocation_failures),
    };
    return cmocka_run_group_tests_name("text_readers", tests, NULL, NULL);
}

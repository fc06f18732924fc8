/*
 * Unit tests of the check-item catalog: parsing, every kind of validation problem with its
 * exact line, the YAML and XLSX round trips, importing workbooks with bad rows (written here
 * with libxlsxwriter), hostile workbooks (a zip bomb, a DTD with entities, too many rows),
 * the compiled-in default catalog, and every allocation failing in turn.
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
#include "smesec/buf.h"
#include "smesec/catalog.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <xlsxwriter.h>
#include <zip.h>

static char tmpdir[256];

/* A path in the test's folder. Two buffers in turn, so two paths can be used at once. */
static const char *tmp_path(const char *name)
{
    static char path[2][512];
    static int turn;
    turn = !turn;
    snprintf(path[turn], sizeof path[turn], "%s/%s", tmpdir, name);
    return path[turn];
}

/* --- Sample catalogs ------------------------------------------------------------------------ */

static const char small_yaml[] = "# a small catalog\n"
                                 "version: \"2026.1\"\n"
                                 "title: テスト用カタログ\n"
                                 "title_en: Test catalog\n"
                                 "categories:\n"
                                 "  - id: governance\n"
                                 "    name_ja: 組織的対策\n"
                                 "    name_en: Organisational measures\n"
                                 "  - id: technical\n"
                                 "    name_ja: 技術的対策\n"
                                 "    name_en: Technical measures\n"
                                 "items:\n"
                                 "  - id: GOV-01\n"
                                 "    category: governance\n"
                                 "    stage: 2\n"
                                 "    title_ja: 基本方針\n"
                                 "    title_en: A basic policy\n"
                                 "    description_ja: |\n"
                                 "      方針を定める。\n"
                                 "      周知する。\n"
                                 "    description_en: A policy is written.\n"
                                 "    howto_ja: ひな形を使う。\n"
                                 "    howto_en: Use the sample.\n"
                                 "    examples: [\"努める。\", \"策定する。\", \"見直す。\"]\n"
                                 "    references: [\"IPA 5分診断 Q1\", \"NIST CSF 2.0 GV.PO-01\"]\n"
                                 "    rules:\n"
                                 "      terms: [\"基本方針\", \"セキュリティポリシー\"]\n"
                                 "      context: [\"情報\"]\n"
                                 "      exclude: [\"本ガイドラインの基本方針\"]\n"
                                 "  - id: TEC-01\n"
                                 "    category: technical\n"
                                 "    stage: 1\n"
                                 "    title_ja: パスワード\n"
                                 "    title_en: Passwords\n"
                                 "    description_ja: 強いパスワード。\n"
                                 "    description_en: Strong passwords.\n"
                                 "    howto_ja: 長くする。\n"
                                 "    howto_en: Make them long.\n"
                                 "    examples:\n"
                                 "      - 推測されにくいものにする。\n"
                                 "      - 規程で長さを定める。\n"
                                 "      - 多要素認証を使う。\n"
                                 "    references: []\n"
                                 "    rules:\n"
                                 "      terms: [パスワード]\n";

/* Strings that need every style of the YAML writer and the spreadsheet escapes. */
static const char tricky_yaml[] =
    "version: \"2026.1-test_x\"\n"
    "title: \"タイトル: \\\"引用\\\" # ハッシュ\"\n"
    "title_en: \"null\"\n"
    "categories:\n"
    "  - id: c1\n"
    "    name_ja: \"  先頭の空白\"\n"
    "    name_en: \"yes\"\n"
    "items:\n"
    "  - id: T_1.a\n"
    "    category: c1\n"
    "    stage: 3\n"
    "    title_ja: \"行1\\n行2\\n\"\n"
    "    title_en: \"tab\\there\"\n"
    "    description_ja: \"行1\\n  字下げ\\n\\n行4\"\n"
    "    description_en: \"ends with two\\n\\n\"\n"
    "    howto_ja: \"\\u2028 and \\uFEFF and \\u3000全角 and \\\\ and \\u00A0\"\n"
    "    howto_en: \"_x0041_ stays, _x005F_ too, trailing space \"\n"
    "    examples: [\"- dash\", \"[bracket\", \"{brace}: x\"]\n"
    "    references: [\"a: b\", \"#x\", \"'q'\", \"2026\"]\n"
    "    rules:\n"
    "      terms: [\"~\", \"0.5\", \"@at\", \"true\", \"Null\", \">x\"]\n"
    "      context: [\"…\"]\n"
    "      exclude: [\"%p\", \"!tag\", \"&amp\", \"*star\"]\n";

static struct sm_catalog *parse_ok(const char *yaml)
{
    struct sm_catalog *c = NULL;
    struct sm_diag d;
    int rc = sm_catalog_parse(yaml, strlen(yaml), "test.yaml", &c, &d);
    if (rc)
        fail_msg("parse failed (%d): %s", rc, d.msg);
    return c;
}

static void strings_equal(const struct sm_strings *a, const struct sm_strings *b)
{
    assert_int_equal(a->n, b->n);
    assert_non_null(a->v);
    assert_non_null(b->v);
    for (size_t i = 0; i < a->n; i++)
        assert_string_equal(a->v[i], b->v[i]);
}

/* Equal through the public API: every field of every category and item. */
static void catalogs_equal(const struct sm_catalog *a, const struct sm_catalog *b)
{
    assert_string_equal(sm_catalog_version(a), sm_catalog_version(b));
    assert_string_equal(sm_catalog_title(a), sm_catalog_title(b));
    assert_string_equal(sm_catalog_title_en(a), sm_catalog_title_en(b));
    assert_int_equal(sm_catalog_n_categories(a), sm_catalog_n_categories(b));
    for (size_t i = 0; i < sm_catalog_n_categories(a); i++) {
        const struct sm_category *x = sm_catalog_category(a, i), *y = sm_catalog_category(b, i);
        assert_string_equal(x->id, y->id);
        assert_string_equal(x->name_ja, y->name_ja);
        assert_string_equal(x->name_en, y->name_en);
    }
    assert_int_equal(sm_catalog_n_items(a), sm_catalog_n_items(b));
    for (size_t i = 0; i < sm_catalog_n_items(a); i++) {
        const struct sm_check_item *x = sm_catalog_item(a, i), *y = sm_catalog_item(b, i);
        assert_string_equal(x->id, y->id);
        assert_string_equal(x->category, y->category);
        assert_int_equal(x->stage, y->stage);
        assert_string_equal(x->title_ja, y->title_ja);
        assert_string_equal(x->title_en, y->title_en);
        assert_string_equal(x->description_ja, y->description_ja);
        assert_string_equal(x->description_en, y->description_en);
        assert_string_equal(x->howto_ja, y->howto_ja);
        assert_string_equal(x->howto_en, y->howto_en);
        for (int s = 0; s < SM_STAGES; s++)
            assert_string_equal(x->example[s], y->example[s]);
        strings_equal(&x->references, &y->references);
        strings_equal(&x->terms, &y->terms);
        strings_equal(&x->context, &y->context);
        strings_equal(&x->exclude, &y->exclude);
    }
}

/* --- Parsing -------------------------------------------------------------------------------- */

static void parse_small_catalog(void **state)
{
    (void)state;
    struct sm_catalog *c = parse_ok(small_yaml);
    assert_string_equal(sm_catalog_version(c), "2026.1");
    assert_string_equal(sm_catalog_title(c), "テスト用カタログ");
    assert_string_equal(sm_catalog_title_en(c), "Test catalog");
    assert_int_equal(sm_catalog_n_categories(c), 2);
    assert_string_equal(sm_catalog_category(c, 1)->name_en, "Technical measures");
    assert_null(sm_catalog_category(c, 2));
    assert_string_equal(sm_catalog_find_category(c, "governance")->name_ja, "組織的対策");
    assert_null(sm_catalog_find_category(c, "nope"));
    assert_int_equal(sm_catalog_n_items(c), 2);

    const struct sm_check_item *it = sm_catalog_item(c, 0);
    assert_string_equal(it->id, "GOV-01");
    assert_string_equal(it->category, "governance");
    assert_int_equal(it->stage, 2);
    assert_string_equal(it->description_ja, "方針を定める。\n周知する。\n");
    assert_string_equal(it->example[0], "努める。");
    assert_string_equal(it->example[2], "見直す。");
    assert_int_equal(it->references.n, 2);
    assert_string_equal(it->references.v[1], "NIST CSF 2.0 GV.PO-01");
    assert_int_equal(it->terms.n, 2);
    assert_string_equal(it->terms.v[1], "セキュリティポリシー");
    assert_int_equal(it->context.n, 1);
    assert_int_equal(it->exclude.n, 1);

    it = sm_catalog_item(c, 1);
    assert_string_equal(it->example[1], "規程で長さを定める。");
    assert_int_equal(it->references.n, 0);
    assert_int_equal(it->context.n, 0);
    assert_non_null(it->context.v);
    assert_null(sm_catalog_item(c, 2));

    size_t index = 99;
    assert_ptr_equal(sm_catalog_find(c, "TEC-01", &index), it);
    assert_int_equal(index, 1);
    assert_non_null(sm_catalog_find(c, "GOV-01", NULL));
    assert_null(sm_catalog_find(c, "GOV-02", &index));
    assert_null(sm_catalog_find(c, "", NULL));
    sm_catalog_free(c);
    sm_catalog_free(NULL);
}

/* Expected problems: a line and a part of the message. */
struct want {
    long line;
    const char *says;
};

static void expect_problems(const char *yaml, size_t n, const struct want *want, size_t n_want)
{
    struct sm_catalog_problem *p = NULL;
    size_t np = 0;
    assert_int_equal(sm_catalog_validate(yaml, n, &p, &np), SM_OK);
    for (size_t i = 0; i < np && i < n_want; i++) {
        if (p[i].line != want[i].line || !strstr(p[i].msg, want[i].says))
            fail_msg("problem %zu is %ld: '%s'; expected %ld: '...%s...'", i, p[i].line, p[i].msg,
                     want[i].line, want[i].says);
    }
    if (np != n_want) {
        for (size_t i = 0; i < np; i++)
            print_message("%ld: %s\n", p[i].line, p[i].msg);
        fail_msg("%zu problems, expected %zu", np, n_want);
    }
    sm_free(p);
}

static const char bad_yaml[] = "title: テスト\n"                     /* 1 */
                               "title_en: \"\"\n"                    /* 2 */
                               "categories:\n"                       /* 3 */
                               "  - id: governance\n"                /* 4 */
                               "    name_ja: 組織\n"                 /* 5 */
                               "    name_en: Org\n"                  /* 6 */
                               "  - id: governance\n"                /* 7 */
                               "    name_ja: 重複\n"                 /* 8 */
                               "    name_en: Duplicate\n"            /* 9 */
                               "items:\n"                            /* 10 */
                               "  - id: GOV-01\n"                    /* 11 */
                               "    category: governance\n"          /* 12 */
                               "    stage: 1\n"                      /* 13 */
                               "    title_ja: 方針\n"                /* 14 */
                               "    title_en: Policy\n"              /* 15 */
                               "    description_ja: 説明\n"          /* 16 */
                               "    description_en: Description\n"   /* 17 */
                               "    howto_ja: やり方\n"              /* 18 */
                               "    howto_en: How\n"                 /* 19 */
                               "    examples: [一, 二, 三]\n"        /* 20 */
                               "    references: &ref [IPA]\n"        /* 21 */
                               "    rules:\n"                        /* 22 */
                               "      terms: [方針]\n"               /* 23 */
                               "  - id: GOV-01\n"                    /* 24 */
                               "    category: govrnance\n"           /* 25 */
                               "    stage: 4\n"                      /* 26 */
                               "    titel_ja: 方針\n"                /* 27 */
                               "    title_en: \"\"\n"                /* 28 */
                               "    description_ja: [a]\n"           /* 29 */
                               "    description_en: d\n"             /* 30 */
                               "    howto_ja: h\n"                   /* 31 */
                               "    howto_en: h\n"                   /* 32 */
                               "    howto_en: again\n"               /* 33 */
                               "    examples: [一, \"\"]\n"          /* 34 */
                               "    references: [\"a|b\", \" x\"]\n" /* 35 */
                               "    rules:\n"                        /* 36 */
                               "      terms: []\n"                   /* 37 */
                               "  - id: \"bad id\"\n"                /* 38 */
                               "    category: governance\n"          /* 39 */
                               "    stage: x\n"                      /* 40 */
                               "    title_ja: \"bell \\a\"\n"        /* 41 */
                               "    title_en: t\n"                   /* 42 */
                               "    description_ja: d\n"             /* 43 */
                               "    description_en: d\n"             /* 44 */
                               "    howto_ja: h\n"                   /* 45 */
                               "    howto_en: h\n"                   /* 46 */
                               "    examples: [a, b, c]\n"           /* 47 */
                               "    rules: {}\n"                     /* 48 */
                               "  - id: GOV-03\n"                    /* 49 */
                               "    category: governance\n"          /* 50 */
                               "    stage: 2\n"                      /* 51 */
                               "    title_ja: t\n"                   /* 52 */
                               "    title_en: t\n"                   /* 53 */
                               "    description_ja: d\n"             /* 54 */
                               "    description_en: d\n"             /* 55 */
                               "    howto_ja: h\n"                   /* 56 */
                               "    howto_en: h\n"                   /* 57 */
                               "    examples: [a, \"\", c]\n"        /* 58 */
                               "    references: *ref\n"              /* 59 */
                               "    rule:\n"                         /* 60 */
                               "      terms: [x]\n";                 /* 61 */

static const struct want bad_yaml_problems[] = {
    { 0, "missing 'version'" },
    { 2, "'title_en' is empty" },
    { 7, "duplicate category id 'governance' (first at line 4)" },
    { 24, "item 'GOV-01': missing 'title_ja'" },
    { 24, "duplicate item id 'GOV-01' (first at line 11)" },
    { 25, "unknown category 'govrnance' (did you mean 'governance'?)" },
    { 26, "'stage' must be 1, 2 or 3, not '4'" },
    { 27, "unknown key 'titel_ja' in item 'GOV-01' (did you mean 'title_ja'?)" },
    { 28, "item 'GOV-01': 'title_en' is empty" },
    { 29, "'description_ja' in item 'GOV-01' must be a string, not a list" },
    { 33, "key 'howto_en' repeated in item 'GOV-01'" },
    { 34, "'examples' must have exactly 3 entries (stages 1 to 3), not 2" },
    { 35, "'references' entry 'a|b' contains '|'" },
    { 35, "'references' entry ' x' begins or ends with a space" },
    { 37, "'rules.terms' is empty" },
    { 38, "item id 'bad id' must be 1 to 64 of A-Z" },
    { 40, "item 'bad id': 'stage' must be 1, 2 or 3, not 'x'" },
    { 41, "'title_ja': control character U+0007 is not allowed" },
    { 48, "item 'bad id': missing 'rules.terms'" },
    { 49, "item 'GOV-03': missing 'rules'" },
    { 58, "item 'GOV-03': example for stage 2 is empty" },
    { 59, "aliases ('*ref') are not allowed" },
    { 60, "unknown key 'rule' in item 'GOV-03' (did you mean 'rules'?)" },
};

static void every_problem_with_its_line(void **state)
{
    (void)state;
    expect_problems(bad_yaml, strlen(bad_yaml), bad_yaml_problems,
                    sizeof bad_yaml_problems / sizeof bad_yaml_problems[0]);
    /* sm_catalog_parse refuses with the first problem in diag. */
    struct sm_catalog *c = NULL;
    struct sm_diag d;
    assert_int_equal(sm_catalog_parse(bad_yaml, strlen(bad_yaml), "bad.yaml", &c, &d), SM_EINVAL);
    assert_null(c);
    assert_int_equal(d.line, 0);
    assert_non_null(strstr(d.msg, "invalid catalog 'bad.yaml': line 0: missing 'version'"));
    assert_non_null(strstr(d.msg, "(and 22 more)"));
    /* A good catalog has no problem. */
    struct sm_catalog_problem *p = (void *)1;
    size_t np = 9;
    assert_int_equal(sm_catalog_validate(small_yaml, strlen(small_yaml), &p, &np), SM_OK);
    assert_int_equal(np, 0);
    assert_null(p);
}

static void malformed_files(void **state)
{
    (void)state;
    static const char syntax[] = "version: \"1\"\ntitle: [unclosed\ntitle_en: x\n";
    expect_problems(syntax, strlen(syntax), (const struct want[]){ { 3, "bad YAML" } }, 1);
    struct sm_catalog *c = NULL;
    struct sm_diag d;
    assert_int_equal(sm_catalog_parse(syntax, strlen(syntax), NULL, &c, &d), SM_EPARSE);
    assert_int_equal(d.line, 3);

    static const char utf8[] = "version: \"1\"\ntitle: \"ok\"\ntitle_en: \"\xC3\x28\"\n";
    expect_problems(utf8, strlen(utf8), (const struct want[]){ { 3, "invalid UTF-8 at byte 36" } },
                    1);
    assert_int_equal(sm_catalog_parse(utf8, strlen(utf8), NULL, &c, &d), SM_EPARSE);

    static const char nul[] = "version: \"1\"\n\0title: x\n";
    expect_problems(nul, sizeof nul - 1, (const struct want[]){ { 2, "NUL byte at byte 13" } }, 1);

    expect_problems("", 0, (const struct want[]){ { 0, "holds no catalog" } }, 1);
    expect_problems("# only a comment\n", 17, (const struct want[]){ { 0, "holds no catalog" } },
                    1);
    static const char list[] = "- a\n- b\n";
    expect_problems(list, strlen(list), (const struct want[]){ { 1, "a catalog is a mapping" } },
                    1);
    static const char two[] = "version: \"1\"\n---\nversion: \"2\"\n";
    expect_problems(two, strlen(two), (const struct want[]){ { 2, "one YAML document" } }, 1);
    static const char wrong[] = "version: [1]\ntitle: {a: b}\ntitle_en: x\ncategories: x\n"
                                "items: {a: b}\n";
    expect_problems(wrong, strlen(wrong),
                    (const struct want[]){ { 1, "'version' in the catalog must be a string" },
                                           { 2, "'title' in the catalog must be a string" },
                                           { 4, "'categories' must be a list" },
                                           { 5, "'items' must be a list" } },
                    4);

    /* Deep nesting stops at a fixed depth. */
    struct sm_buf deep;
    sm_buf_init(&deep, 1 << 20);
    assert_int_equal(sm_buf_puts(&deep, "version: "), SM_OK);
    for (int i = 0; i < 100; i++)
        assert_int_equal(sm_buf_putc(&deep, '['), SM_OK);
    expect_problems(deep.data, deep.len, (const struct want[]){ { 1, "nested deeper than" } }, 1);
    sm_buf_release(&deep);
}

static void size_limits(void **state)
{
    (void)state;
    /* More than 10,000 items. */
    struct sm_buf b;
    sm_buf_init(&b, 8 << 20);
    assert_int_equal(sm_buf_puts(&b, "version: \"1\"\ntitle: t\ntitle_en: t\n"
                                     "categories: [{id: c, name_ja: c, name_en: c}]\nitems:\n"),
                     SM_OK);
    for (int i = 0; i <= 10000; i++)
        assert_int_equal(sm_buf_printf(&b, "  - {id: I-%d}\n", i), SM_OK);
    struct sm_catalog_problem *p = NULL;
    size_t np = 0;
    assert_int_equal(sm_catalog_validate(b.data, b.len, &p, &np), SM_OK);
    assert_int_equal(np, 1);
    assert_int_equal(p[0].line, 6);
    assert_non_null(strstr(p[0].msg, "too many items: 10001 (at most 10000)"));
    sm_free(p);
    struct sm_catalog *c = NULL;
    struct sm_diag d;
    assert_int_equal(sm_catalog_parse(b.data, b.len, NULL, &c, &d), SM_ELIMIT);

    /* The list stops at a fixed number of problems: 2,000 items lacking most fields. */
    sm_buf_reset(&b);
    assert_int_equal(sm_buf_puts(&b, "version: \"1\"\ntitle: t\ntitle_en: t\n"
                                     "categories: [{id: c, name_ja: c, name_en: c}]\nitems:\n"),
                     SM_OK);
    for (int i = 0; i < 2000; i++)
        assert_int_equal(sm_buf_printf(&b, "  - {id: I-%d}\n", i), SM_OK);
    assert_int_equal(sm_catalog_validate(b.data, b.len, &p, &np), SM_OK);
    assert_int_equal(np, 1001);
    assert_non_null(strstr(p[1000].msg, "too many problems; stopped after 1000"));
    sm_free(p);
    sm_buf_release(&b);

    /* A file over 16 MiB is refused before it is read as YAML. */
    size_t big = ((size_t)16 << 20) + 1;
    char *text = malloc(big);
    assert_non_null(text);
    memset(text, '#', big);
    assert_int_equal(sm_catalog_validate(text, big, &p, &np), SM_OK);
    assert_int_equal(np, 1);
    assert_int_equal(p[0].line, 0);
    assert_non_null(strstr(p[0].msg, "larger than 16 MiB"));
    sm_free(p);
    assert_int_equal(sm_catalog_parse(text, big, NULL, &c, &d), SM_ELIMIT);
    FILE *f = fopen(tmp_path("big.yaml"), "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(text, 1, big, f), big);
    fclose(f);
    free(text);
    assert_int_equal(sm_catalog_load_file(tmp_path("big.yaml"), &c, &d), SM_ELIMIT);
    assert_non_null(strstr(d.msg, "larger than 16 MiB"));
    remove(tmp_path("big.yaml"));
    assert_int_equal(sm_catalog_load_file(tmp_path("missing.yaml"), &c, &d), SM_EIO);
    assert_non_null(strstr(d.msg, "missing.yaml"));
}

/* --- YAML round trip ------------------------------------------------------------------------ */

static void yaml_round_trip_of(const struct sm_catalog *c)
{
    struct sm_buf out, again;
    sm_buf_init(&out, 64 << 20);
    sm_buf_init(&again, 64 << 20);
    assert_int_equal(sm_catalog_write_yaml(c, &out), SM_OK);
    struct sm_catalog *back = parse_ok(out.data);
    catalogs_equal(c, back);
    /* And the writer is stable: writing what was read back gives the same text. */
    assert_int_equal(sm_catalog_write_yaml(back, &again), SM_OK);
    assert_int_equal(out.len, again.len);
    assert_memory_equal(out.data, again.data, out.len);
    sm_catalog_free(back);
    sm_buf_release(&out);
    sm_buf_release(&again);
}

static void yaml_round_trip(void **state)
{
    (void)state;
    struct sm_catalog *c = parse_ok(small_yaml);
    yaml_round_trip_of(c);
    sm_catalog_free(c);
    c = parse_ok(tricky_yaml);
    const struct sm_check_item *it = sm_catalog_item(c, 0);
    assert_string_equal(it->description_en, "ends with two\n\n");
    assert_string_equal(it->terms.v[0], "~");
    yaml_round_trip_of(c);
    sm_catalog_free(c);
    struct sm_diag d;
    assert_int_equal(sm_catalog_default(&c, &d), SM_OK);
    yaml_round_trip_of(c);
    sm_catalog_free(c);

    /* Multi-line text is written as a literal block, not an escaped line. */
    c = parse_ok(small_yaml);
    struct sm_buf out;
    sm_buf_init(&out, 1 << 20);
    assert_int_equal(sm_catalog_write_yaml(c, &out), SM_OK);
    assert_non_null(strstr(out.data, "    description_ja: |\n      方針を定める。\n"));
    assert_non_null(strstr(out.data, "version: \"2026.1\"\n"));
    /* A full buffer fails and leaves the buffer as it was. */
    struct sm_buf small;
    sm_buf_init(&small, 100);
    assert_int_equal(sm_buf_puts(&small, "keep"), SM_OK);
    assert_int_equal(sm_catalog_write_yaml(c, &small), SM_ELIMIT);
    assert_string_equal(small.data, "keep");
    sm_buf_release(&small);
    sm_buf_release(&out);
    sm_catalog_free(c);
}

/* --- The default catalog ---------------------------------------------------------------------- */

static void default_catalog(void **state)
{
    (void)state;
    struct sm_catalog *c = NULL;
    struct sm_diag d;
    assert_int_equal(sm_catalog_default(&c, &d), SM_OK);
    assert_true(sm_catalog_n_items(c) >= 40);
    assert_int_equal(sm_catalog_n_categories(c), 8);
    /* Every item's category exists and every item can be found by its id. */
    for (size_t i = 0; i < sm_catalog_n_items(c); i++) {
        const struct sm_check_item *it = sm_catalog_item(c, i);
        size_t index = 0;
        assert_non_null(sm_catalog_find_category(c, it->category));
        assert_ptr_equal(sm_catalog_find(c, it->id, &index), it);
        assert_int_equal(index, i);
        assert_true(it->terms.n > 0);
    }
    sm_catalog_free(c);

    /* The file in the repository validates with no problem at all. */
    const char *src = getenv("SMESEC_SOURCE_DIR");
    if (!src)
        skip();
    char path[1024];
    snprintf(path, sizeof path, "%s/data/catalog/sc3-catalog.yaml", src);
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    struct sm_buf b;
    sm_buf_init(&b, 16 << 20);
    char chunk[8192];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
        assert_int_equal(sm_buf_append(&b, chunk, n), SM_OK);
    fclose(f);
    struct sm_catalog_problem *p = NULL;
    size_t np = 0;
    assert_int_equal(sm_catalog_validate(b.data, b.len, &p, &np), SM_OK);
    for (size_t i = 0; i < np; i++)
        print_message("%s:%ld: %s\n", path, p[i].line, p[i].msg);
    assert_int_equal(np, 0);
    sm_buf_release(&b);
    assert_int_equal(sm_catalog_load_file(path, &c, &d), SM_OK);
    assert_int_equal(sm_catalog_n_categories(c), 8);
    sm_catalog_free(c);
}

/* --- XLSX ----------------------------------------------------------------------------------- */

static void xlsx_round_trip_of(const struct sm_catalog *c)
{
    struct sm_diag d;
    const char *path = tmp_path("round.xlsx");
    assert_int_equal(sm_catalog_export_xlsx(c, path, &d), SM_OK);
    struct sm_catalog *back = NULL;
    struct sm_catalog_problem *p = NULL;
    size_t np = 0;
    int rc = sm_catalog_import_xlsx(path, &back, &p, &np, &d);
    for (size_t i = 0; i < np; i++)
        print_message("row %ld: %s\n", p[i].line, p[i].msg);
    if (rc)
        fail_msg("import: %s", d.msg);
    assert_int_equal(np, 0);
    assert_null(p);
    catalogs_equal(c, back);
    sm_catalog_free(back);
    /* No temporary file is left beside the workbook. */
    assert_int_equal(access(tmp_path("round.xlsx.tmp"), F_OK), -1);
    remove(path);
}

static void xlsx_round_trip(void **state)
{
    (void)state;
    struct sm_catalog *c = NULL;
    struct sm_diag d;
    assert_int_equal(sm_catalog_default(&c, &d), SM_OK);
    xlsx_round_trip_of(c);
    sm_catalog_free(c);
    c = parse_ok(tricky_yaml);
    xlsx_round_trip_of(c);
    sm_catalog_free(c);
    c = parse_ok(small_yaml);
    xlsx_round_trip_of(c);
    /* Export to a folder that does not exist fails and says where. */
    assert_int_equal(sm_catalog_export_xlsx(c, tmp_path("no/such/dir.xlsx"), &d), SM_EIO);
    assert_non_null(strstr(d.msg, "dir.xlsx"));
    sm_catalog_free(c);
}

/* A sheet to write: rows of cells, NULL for an empty cell. */
struct sheet {
    const char *name;
    size_t n_rows, n_cols;
    const char *const *cells;
};

static void write_workbook(const char *path, bool inline_strings, const struct sheet *sheets,
                           size_t n)
{
    lxw_workbook_options opt = { .constant_memory = inline_strings };
    lxw_workbook *wb = workbook_new_opt(path, &opt);
    assert_non_null(wb);
    for (size_t s = 0; s < n; s++) {
        lxw_worksheet *ws = workbook_add_worksheet(wb, sheets[s].name);
        assert_non_null(ws);
        for (size_t r = 0; r < sheets[s].n_rows; r++)
            for (size_t col = 0; col < sheets[s].n_cols; col++) {
                const char *v = sheets[s].cells[r * sheets[s].n_cols + col];
                if (v)
                    worksheet_write_string(ws, (lxw_row_t)r, (lxw_col_t)col, v, NULL);
            }
    }
    assert_int_equal(workbook_close(wb), LXW_NO_ERROR);
}

static const char *const about_cells[] = {
    "field", "value", "version", "2026.2", "title", "タイトル", "title_en", "Title",
};

static const char *const category_cells[] = {
    "id",         "name_ja", "name_en", /* */
    "governance", "組織",    "Org",     /* */
};

/* Columns in another order than the export's, and a notes column without a header. */
#define ITEM_COLS 17
static const char *const item_header[ITEM_COLS] = {
    "id",         "category",       "stage",          "title_en",
    "title_ja",   "description_ja", "description_en", "howto_ja",
    "howto_en",   "example_1",      "example_2",      "example_3",
    "references", "terms",          "context",        "exclude",
    NULL,
};

/* One item row, in the layout above. */
#define ROW(id, cat, stage, title_ja, terms, note)                                            \
 id, cat, stage, "Title", title_ja, "説明", "Description", "やり方", "How", "一", "二", "三", \
     "IPA | NIST", terms, NULL, NULL, note

static void write_items_workbook(const char *path, bool inline_strings, const char *const *rows,
                                 size_t n_rows)
{
    const char **cells = calloc((n_rows + 1) * ITEM_COLS, sizeof *cells);
    assert_non_null(cells);
    memcpy(cells, item_header, sizeof item_header);
    memcpy(cells + ITEM_COLS, rows, n_rows * ITEM_COLS * sizeof *cells);
    const struct sheet sheets[] = {
        { "items", n_rows + 1, ITEM_COLS, cells },
        { "categories", 2, 3, category_cells },
        { "catalog", 4, 2, about_cells },
    };
    write_workbook(path, inline_strings, sheets, 3);
    free(cells);
}

static void xlsx_import_written_by_hand(void **state)
{
    (void)state;
    /* Inline strings (constant memory mode), lists typed as "a|b | c", a notes column. */
    static const char *const rows[] = {
        ROW("GOV-01", "governance", "1", "方針", "a|b | c", "a note"),
        ROW("GOV-02", "governance", "3", "二番", "x", NULL),
    };
    const char *path = tmp_path("hand.xlsx");
    write_items_workbook(path, true, rows, 2);
    struct sm_catalog *c = NULL;
    struct sm_catalog_problem *p = NULL;
    size_t np = 0;
    struct sm_diag d;
    int rc = sm_catalog_import_xlsx(path, &c, &p, &np, &d);
    for (size_t i = 0; i < np; i++)
        print_message("row %ld: %s\n", p[i].line, p[i].msg);
    assert_int_equal(rc, SM_OK);
    assert_string_equal(sm_catalog_version(c), "2026.2");
    assert_string_equal(sm_catalog_title_en(c), "Title");
    const struct sm_check_item *it = sm_catalog_item(c, 0);
    assert_string_equal(it->title_ja, "方針");
    assert_string_equal(it->title_en, "Title");
    assert_int_equal(it->terms.n, 3);
    assert_string_equal(it->terms.v[0], "a");
    assert_string_equal(it->terms.v[1], "b");
    assert_string_equal(it->terms.v[2], "c");
    assert_int_equal(it->references.n, 2);
    assert_string_equal(it->references.v[1], "NIST");
    assert_int_equal(it->context.n, 0);
    assert_int_equal(sm_catalog_item(c, 1)->stage, 3);
    sm_catalog_free(c);
    remove(path);
}

static void xlsx_import_bad_rows(void **state)
{
    (void)state;
    static const char *const rows[] = {
        ROW("GOV-01", "governance", "1", "方針", "方針", NULL), /* row 2: good */
        ROW("GOV-02", "governance", "4", "二", "x", NULL),      /* row 3: stage */
        ROW("GOV-03", "governance", "2", "三", "x", NULL),      /* row 4: good */
        ROW("GOV-04", "nope", "2", NULL, "x", NULL),            /* row 5: two */
        ROW("GOV-01", "governance", "2", "重複", "x", NULL),    /* row 6: duplicate */
        ROW("GOV-07", "governance", "2", "七", NULL, NULL),     /* row 7: no terms */
        NULL,
        NULL,
        NULL,
        NULL,
        NULL,
        NULL,
        NULL,
        NULL,
        NULL,
        NULL,
        NULL,
        NULL,
        NULL,
        NULL,
        NULL,
        NULL,
        "row 8 holds only a note: skipped",
        ROW("GOV-09", "governance", "2", "九", "a||b", NULL), /* row 9: empty entry */
    };
    const char *path = tmp_path("bad.xlsx");
    write_items_workbook(path, false, rows, sizeof rows / sizeof rows[0] / ITEM_COLS);
    struct sm_catalog *c = (void *)1;
    struct sm_catalog_problem *p = NULL;
    size_t np = 0;
    struct sm_diag d;
    assert_int_equal(sm_catalog_import_xlsx(path, &c, &p, &np, &d), SM_EINVAL);
    assert_null(c);
    assert_non_null(strstr(d.msg, "5 bad rows; nothing imported"));
    static const struct want want[] = {
        { 3, "sheet 'items': item 'GOV-02': 'stage' must be 1, 2 or 3, not '4'" },
        { 5, "unknown category 'nope'" },
        { 6, "duplicate item id 'GOV-01' (first at row 2)" },
        { 7, "'rules.terms' is empty" },
        { 9, "'rules.terms' entry 2 is empty" },
    };
    assert_int_equal(np, sizeof want / sizeof want[0]);
    for (size_t i = 0; i < np; i++) {
        if (p[i].line != want[i].line || !strstr(p[i].msg, want[i].says))
            fail_msg("problem %zu is row %ld: '%s'", i, p[i].line, p[i].msg);
    }
    /* Two problems on one row are one entry, without repeating the label. */
    assert_non_null(
        strstr(p[1].msg, "item 'GOV-04': unknown category 'nope'; 'title_ja' is empty"));
    sm_free(p);
    remove(path);

    /* A header with a typo: reported once on row 1, and no data row is read. */
    static const char *const typo[] = { "id", "category", "titel_ja", "GOV-1", "governance", "x" };
    const struct sheet sheets[] = {
        { "items", 2, 3, typo },
        { "categories", 2, 3, category_cells },
        { "catalog", 4, 2, about_cells },
    };
    write_workbook(path, false, sheets, 3);
    assert_int_equal(sm_catalog_import_xlsx(path, &c, &p, &np, &d), SM_EINVAL);
    assert_int_equal(np, 1);
    assert_int_equal(p[0].line, 1);
    assert_non_null(strstr(p[0].msg, "sheet 'items': unknown column 'titel_ja' in C (did you "
                                     "mean 'title_ja'?); missing column 'stage'"));
    sm_free(p);

    /* A missing sheet. */
    write_workbook(path, false, sheets + 1, 2);
    assert_int_equal(sm_catalog_import_xlsx(path, &c, &p, &np, &d), SM_EINVAL);
    assert_int_equal(np, 1);
    assert_int_equal(p[0].line, 0);
    assert_non_null(strstr(p[0].msg, "the workbook has no sheet 'items'"));
    sm_free(p);
    remove(path);
}

/* Writes a ZIP with the given parts (name, text) for hostile-workbook tests. */
static void write_zip(const char *path, const char *const *parts, const size_t *lens, size_t n)
{
    int err = 0;
    remove(path);
    zip_t *z = zip_open(path, ZIP_CREATE | ZIP_TRUNCATE, &err);
    assert_non_null(z);
    for (size_t i = 0; i < n; i++) {
        zip_source_t *src = zip_source_buffer(z, parts[2 * i + 1], lens[i], 0);
        assert_non_null(src);
        assert_true(zip_file_add(z, parts[2 * i], src, ZIP_FL_OVERWRITE) >= 0);
    }
    assert_int_equal(zip_close(z), 0);
}

static const char rels[] =
    "<?xml version=\"1.0\"?><Relationships "
    "xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\"><Relationship "
    "Id=\"rId1\" "
    "Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument\" "
    "Target=\"xl/workbook.xml\"/></Relationships>";
static const char workbook_rels[] =
    "<?xml version=\"1.0\"?><Relationships "
    "xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">"
    "<Relationship Id=\"rId1\" "
    "Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet\" "
    "Target=\"worksheets/sheet1.xml\"/><Relationship Id=\"rId2\" "
    "Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings\" "
    "Target=\"sharedStrings.xml\"/></Relationships>";
static const char workbook[] =
    "<?xml version=\"1.0\"?><workbook "
    "xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\" "
    "xmlns:r=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships\"><sheets>"
    "<sheet name=\"items\" sheetId=\"1\" r:id=\"rId1\"/></sheets></workbook>";

static void xlsx_hostile_workbooks(void **state)
{
    (void)state;
    const char *path = tmp_path("hostile.xlsx");
    struct sm_catalog *c = NULL;
    struct sm_catalog_problem *p = NULL;
    size_t np = 0;
    struct sm_diag d;

    /* A zip bomb: 65 MiB of empty elements in the shared strings, a few hundred KiB
     * compressed. (One huge text node would stop at libxml2's own limit first.) */
    size_t big = ((size_t)65 << 20);
    char *bomb = malloc(big);
    assert_non_null(bomb);
    memcpy(bomb, "<sst>", 5);
    for (size_t i = 5; i + 4 <= big; i += 4)
        memcpy(bomb + i, "<b/>", 4);
    const char *parts[] = { "_rels/.rels",
                            rels,
                            "xl/workbook.xml",
                            workbook,
                            "xl/_rels/workbook.xml.rels",
                            workbook_rels,
                            "xl/sharedStrings.xml",
                            bomb };
    size_t lens[] = { strlen(rels), strlen(workbook), strlen(workbook_rels), big };
    write_zip(path, parts, lens, 4);
    free(bomb);
    assert_int_equal(sm_catalog_import_xlsx(path, &c, &p, &np, &d), SM_ELIMIT);
    assert_non_null(strstr(d.msg, "expands to more than 64 MiB"));
    assert_null(c);
    assert_int_equal(np, 0);

    /* A document type declaration with entities (billion laughs) is refused outright. */
    static const char laughs[] =
        "<?xml version=\"1.0\"?><!DOCTYPE workbook [<!ENTITY a \"aaaaaaaaaa\">"
        "<!ENTITY b \"&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;\"><!ENTITY c \"&b;&b;&b;&b;&b;&b;&b;&b;\">"
        "]><workbook><sheets><sheet name=\"&c;\"/></sheets></workbook>";
    const char *parts2[] = { "_rels/.rels", rels, "xl/workbook.xml", laughs };
    size_t lens2[] = { strlen(rels), strlen(laughs) };
    write_zip(path, parts2, lens2, 2);
    assert_int_equal(sm_catalog_import_xlsx(path, &c, &p, &np, &d), SM_EPARSE);
    assert_non_null(strstr(d.msg, "document type declaration"));

    /* Bad XML is reported with its part, not printed. */
    static const char broken[] = "<workbook><sheets><sheet name=\"x\"></workbook>";
    const char *parts3[] = { "_rels/.rels", rels, "xl/workbook.xml", broken };
    size_t lens3[] = { strlen(rels), strlen(broken) };
    write_zip(path, parts3, lens3, 2);
    assert_int_equal(sm_catalog_import_xlsx(path, &c, &p, &np, &d), SM_EPARSE);
    assert_non_null(strstr(d.msg, "bad XML in part 'xl/workbook.xml'"));

    /* Not a ZIP at all, and no file. */
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    fputs("version: 1\n", f);
    fclose(f);
    assert_int_equal(sm_catalog_import_xlsx(path, &c, &p, &np, &d), SM_EPARSE);
    assert_non_null(strstr(d.msg, "not an XLSX"));
    remove(path);
    assert_int_equal(sm_catalog_import_xlsx(path, &c, &p, &np, &d), SM_EIO);

    /* Too many rows. */
    lxw_workbook_options opt = { .constant_memory = 1 };
    lxw_workbook *wb = workbook_new_opt(path, &opt);
    lxw_worksheet *ws = workbook_add_worksheet(wb, "items");
    for (lxw_row_t r = 0; r <= 20001; r++)
        worksheet_write_string(ws, r, 0, "x", NULL);
    workbook_add_worksheet(wb, "categories");
    assert_int_equal(workbook_close(wb), LXW_NO_ERROR);
    assert_int_equal(sm_catalog_import_xlsx(path, &c, &p, &np, &d), SM_ELIMIT);
    assert_non_null(strstr(d.msg, "more than 20000 rows"));
    remove(path);
}

/* --- Allocation failures ---------------------------------------------------------------------- */

/* Runs fn with the kth allocation failing, for k = 0, 1, ... until it succeeds; every
 * failure must be SM_ENOMEM. */
#define FAIL_EACH_ALLOCATION(call, cleanup)              \
 do {                                                    \
  int rc_ = SM_ENOMEM;                                   \
  long k_;                                               \
  for (k_ = 0; rc_ == SM_ENOMEM && k_ < 100000; k_++) {  \
   sm_alloc_fail_after(k_);                              \
   rc_ = (call);                                         \
   sm_alloc_fail_after(-1);                              \
   if (rc_ != SM_ENOMEM && rc_ != SM_OK)                 \
    fail_msg("allocation %ld failing gave %d", k_, rc_); \
   cleanup;                                              \
  }                                                      \
  assert_int_equal(rc_, SM_OK);                          \
  assert_true(k_ > 1);                                   \
 } while (0)

static void allocation_failures(void **state)
{
    (void)state;
    struct sm_catalog *c = NULL;
    struct sm_diag d;
    FAIL_EACH_ALLOCATION(sm_catalog_parse(small_yaml, strlen(small_yaml), "x", &c, &d),
                         (sm_catalog_free(c), c = NULL));
    FAIL_EACH_ALLOCATION(sm_catalog_parse(tricky_yaml, strlen(tricky_yaml), "x", &c, &d),
                         (sm_catalog_free(c), c = NULL));

    struct sm_catalog_problem *p = NULL;
    size_t np = 0;
    FAIL_EACH_ALLOCATION(sm_catalog_validate(bad_yaml, strlen(bad_yaml), &p, &np),
                         (assert_true(p == NULL || np == 23), sm_free(p), p = NULL));

    c = parse_ok(small_yaml);
    struct sm_buf b;
    sm_buf_init(&b, 1 << 20);
    FAIL_EACH_ALLOCATION(sm_catalog_write_yaml(c, &b), sm_buf_release(&b));

    const char *path = tmp_path("alloc.xlsx");
    FAIL_EACH_ALLOCATION(sm_catalog_export_xlsx(c, path, &d), (void)0);
    struct sm_catalog *back = NULL;
    FAIL_EACH_ALLOCATION(sm_catalog_import_xlsx(path, &back, &p, &np, &d),
                         (assert_null(p), sm_catalog_free(back), back = NULL));
    remove(path);
    sm_catalog_free(c);
}

static int setup(void **state)
{
    (void)state;
    const char *base = getenv("TMPDIR");
    snprintf(tmpdir, sizeof tmpdir, "%s/smesec-catalog-XXXXXX", base && *base ? base : "/tmp");
    return mkdtemp(tmpdir) ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    return rmdir(tmpdir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(parse_small_catalog),  cmocka_unit_test(every_problem_with_its_line),
        cmocka_unit_test(malformed_files),      cmocka_unit_test(size_limits),
        cmocka_unit_test(yaml_round_trip),      cmocka_unit_test(default_catalog),
        cmocka_unit_test(xlsx_round_trip),      cmocka_unit_test(xlsx_import_written_by_hand),
        cmocka_unit_test(xlsx_import_bad_rows), cmocka_unit_test(xlsx_hostile_workbooks),
        cmocka_unit_test(allocation_failures),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}

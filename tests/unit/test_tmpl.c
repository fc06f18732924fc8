/*
 * Unit tests of the template engine: output of every tag kind, scope rules, partials,
 * messages, every compile error with its line, the output limit, the partial depth limit,
 * and a run that fails each allocation in turn.
 */
#include "smesec/alloc.h"
#include "smesec/buf.h"
#include "smesec/embed.h"
#include "smesec/err.h"
#include "smesec/i18n.h"
#include "smesec/tmpl.h"

#include <jansson.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "util/banned.h"

/* clang-format off */
#define ENTRY(name, text) {(name), (const unsigned char *)(text), sizeof(text) - 1}
#define END {NULL, NULL, 0}

/* clang-format on */

static json_t *parse_json(const char *text)
{
    json_error_t err;
    json_t *v = json_loads(text, JSON_DECODE_ANY, &err);
    if (!v)
        fail_msg("bad test JSON '%s': %s", text, err.text);
    return v;
}

/* Renders "t.html" of files with ctx (JSON text, may be NULL) and returns its rc; *text gets
 * the output (owned by the caller) when it succeeds. */
static int render_files(const struct sm_embedded *files, const char *name, const char *ctx_json,
                        const struct sm_i18n *i18n, enum sm_lang lang, char **text,
                        struct sm_diag *diag)
{
    struct sm_tmpl_set *set = NULL;
    int rc = sm_tmpl_set_new(files, &set, diag);
    if (rc)
        return rc;
    json_t *ctx = ctx_json ? parse_json(ctx_json) : NULL;
    struct sm_buf out;
    sm_buf_init(&out, 1 << 20);
    rc = sm_tmpl_render(set, name, ctx, i18n, lang, &out, diag);
    if (!rc)
        *text = sm_buf_take(&out, NULL);
    sm_buf_release(&out);
    json_decref(ctx);
    sm_tmpl_set_free(set);
    return rc;
}

static void expect(const char *tmpl, const char *ctx_json, const char *want)
{
    const struct sm_embedded files[] = { { "t.html", (const unsigned char *)tmpl, strlen(tmpl) },
                                         END };
    struct sm_diag diag;
    sm_diag_clear(&diag);
    char *got = NULL;
    int rc = render_files(files, "t.html", ctx_json, NULL, SM_LANG_JA, &got, &diag);
    if (rc)
        fail_msg("template '%s': %s (%s)", tmpl, sm_strerror(rc), diag.msg);
    if (strcmp(got, want) != 0)
        fail_msg("template '%s' with %s: got '%s', want '%s'", tmpl, ctx_json ? ctx_json : "NULL",
                 got, want);
    sm_free(got);
}

/* Compiles tmpl as "t.html" (with a partial "p.html" available) and checks the error. */
static void expect_error(const char *tmpl, int want_rc, long want_line, const char *want_msg)
{
    const struct sm_embedded files[] = { { "t.html", (const unsigned char *)tmpl, strlen(tmpl) },
                                         ENTRY("p.html", "partial"),
                                         END };
    struct sm_diag diag;
    sm_diag_clear(&diag);
    struct sm_tmpl_set *set = (struct sm_tmpl_set *)&diag; /* must stay untouched */
    int rc = sm_tmpl_set_new(files, &set, &diag);
    if (rc != want_rc)
        fail_msg("template '%s': rc %d (%s), want %d", tmpl, rc, diag.msg, want_rc);
    assert_ptr_equal(set, (struct sm_tmpl_set *)&diag);
    if (diag.line != want_line)
        fail_msg("template '%s': line %ld, want %ld (%s)", tmpl, diag.line, want_line, diag.msg);
    assert_non_null(strstr(diag.msg, "template 't.html'"));
    if (!strstr(diag.msg, want_msg))
        fail_msg("template '%s': message '%s' lacks '%s'", tmpl, diag.msg, want_msg);
}

static void test_text_kept_exactly(void **state)
{
    (void)state;
    expect("", NULL, "");
    expect("plain text\n  with { single } braces and } }\n", NULL,
           "plain text\n  with { single } braces and } }\n");
    expect("日本語のテキスト", "{}", "日本語のテキスト");
    /* No standalone-line trimming: the newlines around section tags stay. */
    expect("<ul>\n{{#a}}\n  <li>x</li>\n{{/a}}\n</ul>\n", "{\"a\":true}",
           "<ul>\n\n  <li>x</li>\n\n</ul>\n");
    expect("a{{! a comment }}b{{!\nspanning\nlines}}c", NULL, "abc");
    expect("{{ x }}|{{\tx\n}}", "{\"x\":\"v\"}", "v|v");
}

static void test_escaping(void **state)
{
    (void)state;
    const char *ctx = "{\"x\":\"a & b < c > d \\\" e ' f\"}";
    expect("{{x}}", ctx, "a &amp; b &lt; c &gt; d &quot; e &#39; f");
    expect("{{{x}}}", ctx, "a & b < c > d \" e ' f");
    expect("{{{ x }}}", ctx, "a & b < c > d \" e ' f");
    expect("<p title=\"{{x}}\">", "{\"x\":\"\\\"><script>\"}",
           "<p title=\"&quot;&gt;&lt;script&gt;\">");
    expect("{{x}}", "{\"x\":\"&amp;\"}", "&amp;amp;");
}

static void test_scalars(void **state)
{
    (void)state;
    expect("{{i}} {{n}} {{big}}", "{\"i\":42,\"n\":-7,\"big\":9007199254740993}",
           "42 -7 9007199254740993");
    expect("{{r}} {{s}} {{e}}", "{\"r\":1.5,\"s\":-0.25,\"e\":1e20}", "1.5 -0.25 1e+20");
    expect("[{{t}}][{{f}}][{{z}}]", "{\"t\":true,\"f\":false,\"z\":null}", "[true][false][]");
    expect("[{{missing}}][{{o}}][{{a}}]", "{\"o\":{\"k\":1},\"a\":[1,2]}", "[][][]");
    expect("[{{x}}]", NULL, "[]");
    expect("[{{.}}]", "{\"x\":1}", "[]");
}

static void test_sections(void **state)
{
    (void)state;
    /* Arrays: once per element, each element the new scope. */
    expect("{{#items}}<{{name}}>{{/items}}", "{\"items\":[{\"name\":\"a\"},{\"name\":\"b&\"}]}",
           "<a><b&amp;>");
    expect("{{#xs}}[{{.}}]{{/xs}}", "{\"xs\":[1,\"two\",true,null]}", "[1][two][true][]");
    expect("{{#xs}}[{{#.}}{{.}}{{/.}}]{{/xs}}", "{\"xs\":[[1,2],[],[3]]}", "[12][][3]");
    /* Objects: once, as the new scope; even an empty one. */
    expect("{{#user}}{{name}}/{{id}}{{/user}}", "{\"user\":{\"name\":\"ann\",\"id\":3}}", "ann/3");
    expect("{{#o}}yes{{/o}}", "{\"o\":{}}", "yes");
    /* Truthy scalars: once, with the value as {{.}}. */
    expect("{{#t}}T{{/t}}{{#s}}<{{.}}>{{/s}}{{#n}}[{{.}}]{{/n}}{{#r}}R{{/r}}",
           "{\"t\":true,\"s\":\"str\",\"n\":-1,\"r\":0.5}", "T<str>[-1]R");
    /* Falsy values and missing names: not at all. */
    expect("{{#f}}F{{/f}}{{#z}}Z{{/z}}{{#s}}S{{/s}}{{#n}}N{{/n}}{{#r}}R{{/r}}{{#a}}A{{/a}}"
           "{{#m}}M{{/m}}|",
           "{\"f\":false,\"z\":null,\"s\":\"\",\"n\":0,\"r\":0.0,\"a\":[]}", "|");
    /* Nested sections with the same name close correctly. */
    expect("{{#a}}({{#a}}in{{/a}}){{/a}}", "{\"a\":{\"a\":true}}", "(in)");
    expect("{{#a}}({{#a}}in{{/a}}){{/a}}", "{\"a\":{\"a\":false}}", "()");
}

static void test_inverted(void **state)
{
    (void)state;
    const char *t = "{{^f}}F{{/f}}{{^z}}Z{{/z}}{{^s}}S{{/s}}{{^n}}N{{/n}}{{^r}}R{{/r}}"
                    "{{^a}}A{{/a}}{{^m}}M{{/m}}|";
    expect(t, "{\"f\":false,\"z\":null,\"s\":\"\",\"n\":0,\"r\":0.0,\"a\":[]}", "FZSNRAM|");
    expect(t, "{\"f\":true,\"z\":{},\"s\":\"x\",\"n\":2,\"r\":0.1,\"a\":[0],\"m\":[null]}", "|");
    expect("{{#items}}<{{.}}>{{/items}}{{^items}}none{{/items}}", "{\"items\":[]}", "none");
    expect("{{#items}}<{{.}}>{{/items}}{{^items}}none{{/items}}", "{\"items\":[1]}", "<1>");
    /* The inverted body renders in the enclosing scope. */
    expect("{{^e}}{{name}}{{/e}}", "{\"name\":\"n\",\"e\":[]}", "n");
}

static void test_paths_and_scopes(void **state)
{
    (void)state;
    expect("{{a.b.c}}", "{\"a\":{\"b\":{\"c\":\"deep\"}}}", "deep");
    expect("[{{a.x.c}}][{{a.b.c.d}}][{{s.len}}]", "{\"a\":{\"b\":{\"c\":1}},\"s\":\"str\"}",
           "[][][]");
    expect("{{#a.b}}{{c}}{{/a.b}}", "{\"a\":{\"b\":{\"c\":\"via section\"}}}", "via section");
    /* A name missing from the inner scope is looked up outwards. */
    expect("{{#items}}{{name}}@{{site}} {{/items}}",
           "{\"site\":\"S\",\"items\":[{\"name\":\"a\"},{\"name\":\"b\",\"site\":\"T\"}]}",
           "a@S b@T ");
    expect("{{#o}}{{#p}}{{x}}{{y}}{{z}}{{/p}}{{/o}}", "{\"x\":1,\"o\":{\"y\":2,\"p\":{\"z\":3}}}",
           "123");
    /* The first segment found ends the search: the rest of the path does not fall back. */
    expect("{{#z}}[{{x.y}}]{{/z}}", "{\"x\":{\"y\":1},\"z\":{\"x\":{}}}", "[]");
    /* A scalar scope is skipped when looking names up. */
    expect("{{#xs}}{{.}}{{sep}}{{/xs}}", "{\"sep\":\",\",\"xs\":[\"a\",\"b\"]}", "a,b,");
}

static void test_partials(void **state)
{
    (void)state;
    const struct sm_embedded files[] = {
        ENTRY("page.html", "<h1>{{title}}</h1>{{> rows.html}}{{>foot.html}}"),
        ENTRY("rows.html", "{{#rows}}<tr>{{#cells}}{{>cell.html}}{{/cells}}</tr>{{/rows}}"),
        ENTRY("cell.html", "<td>{{.}}{{unit}}</td>"),
        ENTRY("foot.html", "<footer>{{title}}</footer>"), END
    };
    char *got = NULL;
    struct sm_diag diag;
    sm_diag_clear(&diag);
    int rc = render_files(files, "page.html",
                          "{\"title\":\"T<\",\"unit\":\"kg\",\"rows\":[{\"cells\":[1,2]},"
                          "{\"cells\":[3],\"unit\":\"g\"}]}",
                          NULL, SM_LANG_JA, &got, &diag);
    assert_int_equal(rc, SM_OK);
    assert_string_equal(got, "<h1>T&lt;</h1><tr><td>1kg</td><td>2kg</td></tr><tr><td>3g</td></tr>"
                             "<footer>T&lt;</footer>");
    sm_free(got);

    /* Each template of a set is renderable by name; unknown names are not found. */
    got = NULL;
    rc = render_files(files, "cell.html", "[5]", NULL, SM_LANG_JA, &got, &diag);
    assert_int_equal(rc, SM_OK);
    /* The root is an array: {{.}} and {{unit}} find no scalar and write nothing. */
    assert_string_equal(got, "<td></td>");
    sm_free(got);
    rc = render_files(files, "nope.html", NULL, NULL, SM_LANG_JA, &got, &diag);
    assert_int_equal(rc, SM_ENOTFOUND);
    assert_non_null(strstr(diag.msg, "'nope.html'"));
}

/* Builds {"next": {"next": ... {"next": false}}} with levels links; the last next is false
 * so that the lookup does not fall back to an outer next. */
static json_t *chain(int levels)
{
    json_t *v = json_object();
    json_object_set_new(v, "next", json_false());
    for (int i = 0; i < levels; i++) {
        json_t *up = json_object();
        json_object_set_new(up, "next", v);
        v = up;
    }
    return v;
}

static void test_partial_depth(void **state)
{
    (void)state;
    const struct sm_embedded files[] = { ENTRY("r.html", "{{#next}}{{>r.html}}{{/next}}x"), END };
    struct sm_tmpl_set *set = NULL;
    struct sm_diag diag;
    sm_diag_clear(&diag);
    assert_int_equal(sm_tmpl_set_new(files, &set, &diag), SM_OK);
    struct sm_buf out;
    sm_buf_init(&out, 4096);

    /* 16 nested partials render. */
    json_t *ctx = chain(16);
    assert_int_equal(sm_tmpl_render(set, "r.html", ctx, NULL, SM_LANG_JA, &out, &diag), SM_OK);
    assert_int_equal(out.len, 17);
    assert_string_equal(out.data, "xxxxxxxxxxxxxxxxx");
    json_decref(ctx);

    /* The 17th fails and leaves the buffer as it was. */
    sm_buf_reset(&out);
    assert_int_equal(sm_buf_puts(&out, "keep"), SM_OK);
    ctx = chain(17);
    assert_int_equal(sm_tmpl_render(set, "r.html", ctx, NULL, SM_LANG_JA, &out, &diag), SM_ELIMIT);
    assert_string_equal(out.data, "keep");
    assert_int_equal(out.len, 4);
    assert_non_null(strstr(diag.msg, "deeper than 16"));
    assert_int_equal(diag.line, 1);
    json_decref(ctx);

    sm_buf_release(&out);
    sm_tmpl_set_free(set);
}

static const struct sm_embedded catalogs[] = {
    ENTRY("ja.json", "{\"nav.home\": \"ホーム\", \"q\": \"<b>&\"}"),
    ENTRY("en.json", "{\"nav.home\": \"Home\", \"q\": \"<i>&\"}"), END
};

static void test_messages(void **state)
{
    (void)state;
    struct sm_i18n *i18n = NULL;
    struct sm_diag diag;
    sm_diag_clear(&diag);
    assert_int_equal(sm_i18n_new(catalogs, &i18n, &diag), SM_OK);
    const struct sm_embedded files[] = {
        ENTRY("t.html", "<a>{{_ nav.home}}</a>|{{_q}}|{{_ nope.key }}|{{#s}}{{_ nav.home}}{{/s}}"),
        END
    };
    char *got = NULL;
    assert_int_equal(render_files(files, "t.html", "{\"s\":[1,2]}", i18n, SM_LANG_JA, &got, &diag),
                     SM_OK);
    assert_string_equal(got, "<a>ホーム</a>|&lt;b&gt;&amp;|nope.key|ホームホーム");
    sm_free(got);
    got = NULL;
    assert_int_equal(render_files(files, "t.html", "{\"s\":[1,2]}", i18n, SM_LANG_EN, &got, &diag),
                     SM_OK);
    assert_string_equal(got, "<a>Home</a>|&lt;i&gt;&amp;|nope.key|HomeHome");
    sm_free(got);

    /* Without a catalog, a message tag is a caller error, not a silent blank. */
    assert_int_equal(render_files(files, "t.html", NULL, NULL, SM_LANG_JA, &got, &diag), SM_EINVAL);
    assert_non_null(strstr(diag.msg, "'nav.home'"));
    assert_int_equal(diag.line, 1);
    sm_i18n_free(i18n);
}

static void test_parse_errors(void **state)
{
    (void)state;
    expect_error("a\n{{#x}}\nb", SM_EPARSE, 2, "unclosed section 'x'");
    expect_error("{{#x}}{{#y}}\n{{/y}}", SM_EPARSE, 1, "unclosed section 'x'");
    expect_error("{{#x}}\n\n{{/y}}", SM_EPARSE, 3,
                 "'{{/y}}' does not close '{{#x}}' opened on "
                 "line 1");
    expect_error("{{^x}}\n{{/y}}", SM_EPARSE, 2, "does not close '{{^x}}'");
    expect_error("\n\n{{/x}}", SM_EPARSE, 3, "'{{/x}}' closes no open section");
    expect_error("a\n\nb {{name", SM_EPARSE, 3, "unterminated tag '{{'");
    expect_error("{{{x}}", SM_EPARSE, 1, "unterminated tag '{{{'");
    expect_error("x\n{{! never closed\n", SM_EPARSE, 2, "unterminated tag");
    expect_error("{{}}", SM_EPARSE, 1, "empty name");
    expect_error("\n{{ }}", SM_EPARSE, 2, "empty name");
    expect_error("{{{}}}", SM_EPARSE, 1, "empty name");
    expect_error("{{#}}{{/}}", SM_EPARSE, 1, "empty name");
    expect_error("{{> }}", SM_EPARSE, 1, "empty name");
    expect_error("{{_}}", SM_EPARSE, 1, "empty name");
    expect_error("ok {{>p.html}}\n{{>q.html}}", SM_EPARSE, 2, "unknown partial 'q.html'");
    expect_error("{{a b}}", SM_EPARSE, 1, "bad name 'a b'");
    expect_error("{{a..b}}", SM_EPARSE, 1, "bad name 'a..b'");
    expect_error("{{.a}}", SM_EPARSE, 1, "bad name '.a'");
    expect_error("{{#a.}}{{/a.}}", SM_EPARSE, 1, "bad name 'a.'");
    expect_error("{{a{{b}}", SM_EPARSE, 1, "bad name 'a{{b'");
    expect_error("{{&x}}", SM_EPARSE, 1, "unsupported tag '{{&'");
    expect_error("{{=<% %>=}}", SM_EPARSE, 1, "unsupported tag '{{='");
    /* Lines are counted through multi-line tags and comments. */
    expect_error("{{!\n\n}}\n{{#x}}", SM_EPARSE, 4, "unclosed section 'x'");
    expect_error("{{\nx\n}}{{/y}}", SM_EPARSE, 3, "closes no open section");
    expect_error("ok\n\xff", SM_EPARSE, 2, "invalid UTF-8 at byte 3");

    char deep[65 * 6 + 1] = "";
    for (int i = 0; i < 65; i++)
        memcpy(deep + i * 6, "{{#a}}", 7);
    expect_error(deep, SM_ELIMIT, 1, "sections nest deeper than 64");

    /* 64 levels are fine. */
    char ok[64 * 12 + 1] = "";
    for (int i = 0; i < 64; i++) {
        memcpy(ok + i * 6, "{{#a}}", 6);
        memcpy(ok + 64 * 6 + i * 6, "{{/a}}", 7);
    }
    expect(ok, "{\"a\":true}", "");

    /* The error is reported for whichever file of the set has it. */
    const struct sm_embedded files[] = { ENTRY("good.html", "fine"), ENTRY("bad.html", "\n{{/x}}"),
                                         END };
    struct sm_tmpl_set *set = NULL;
    struct sm_diag diag;
    sm_diag_clear(&diag);
    assert_int_equal(sm_tmpl_set_new(files, &set, &diag), SM_EPARSE);
    assert_null(set);
    assert_non_null(strstr(diag.msg, "template 'bad.html' line 2"));
    assert_int_equal(diag.line, 2);
    assert_int_equal(diag.offset, 1);

    const struct sm_embedded dup[] = { ENTRY("a.html", "1"), ENTRY("a.html", "2"), END };
    assert_int_equal(sm_tmpl_set_new(dup, &set, &diag), SM_EINVAL);
    assert_null(set);
    assert_non_null(strstr(diag.msg, "duplicate template 'a.html'"));
}

static void test_output_limit(void **state)
{
    (void)state;
    const struct sm_embedded files[] = { ENTRY("t.html", "0123456789{{x}}"), END };
    struct sm_tmpl_set *set = NULL;
    struct sm_diag diag;
    sm_diag_clear(&diag);
    assert_int_equal(sm_tmpl_set_new(files, &set, &diag), SM_OK);
    json_t *ctx = parse_json("{\"x\":\"<>\"}"); /* renders as 8 bytes escaped */

    /* Exactly the maximum fits. */
    struct sm_buf out;
    sm_buf_init(&out, 20);
    assert_int_equal(sm_buf_puts(&out, "ab"), SM_OK);
    assert_int_equal(sm_tmpl_render(set, "t.html", ctx, NULL, SM_LANG_JA, &out, &diag), SM_OK);
    assert_string_equal(out.data, "ab0123456789&lt;&gt;");
    sm_buf_release(&out);

    /* One byte less fails in the middle of the escaped value, and nothing is appended. */
    sm_buf_init(&out, 19);
    assert_int_equal(sm_buf_puts(&out, "ab"), SM_OK);
    sm_diag_clear(&diag);
    assert_int_equal(sm_tmpl_render(set, "t.html", ctx, NULL, SM_LANG_JA, &out, &diag), SM_ELIMIT);
    assert_string_equal(out.data, "ab");
    assert_int_equal(out.len, 2);
    assert_non_null(strstr(diag.msg, "'t.html'"));
    sm_buf_release(&out);

    /* Failing in the literal text as well. */
    sm_buf_init(&out, 5);
    assert_int_equal(sm_tmpl_render(set, "t.html", ctx, NULL, SM_LANG_JA, &out, &diag), SM_ELIMIT);
    assert_int_equal(out.len, 0);
    sm_buf_release(&out);

    json_decref(ctx);
    sm_tmpl_set_free(set);
}

static void test_render_appends(void **state)
{
    (void)state;
    const struct sm_embedded files[] = { ENTRY("t.html", "[{{x}}]"), END };
    struct sm_tmpl_set *set = NULL;
    assert_int_equal(sm_tmpl_set_new(files, &set, NULL), SM_OK);
    json_t *ctx = parse_json("{\"x\":1}");
    struct sm_buf out;
    sm_buf_init(&out, 100);
    assert_int_equal(sm_tmpl_render(set, "t.html", ctx, NULL, SM_LANG_JA, &out, NULL), SM_OK);
    assert_int_equal(sm_tmpl_render(set, "t.html", ctx, NULL, SM_LANG_JA, &out, NULL), SM_OK);
    assert_string_equal(out.data, "[1][1]");
    assert_int_equal(sm_tmpl_render(set, "x.html", ctx, NULL, SM_LANG_JA, &out, NULL),
                     SM_ENOTFOUND);
    sm_buf_release(&out);
    json_decref(ctx);
    sm_tmpl_set_free(set);
    sm_tmpl_set_free(NULL);

    /* The set keeps its own copy: the table it was built from may go away. */
    char src[] = "{{x}}!";
    struct sm_embedded tmp[] = { { "t.html", (const unsigned char *)src, sizeof src - 1 }, END };
    assert_int_equal(sm_tmpl_set_new(tmp, &set, NULL), SM_OK);
    memset(src, 'Z', sizeof src - 1);
    tmp[0].name = "gone";
    ctx = parse_json("{\"x\":2}");
    sm_buf_init(&out, 100);
    assert_int_equal(sm_tmpl_render(set, "t.html", ctx, NULL, SM_LANG_JA, &out, NULL), SM_OK);
    assert_string_equal(out.data, "2!");
    sm_buf_release(&out);
    json_decref(ctx);
    sm_tmpl_set_free(set);
}

static void test_alloc_failures(void **state)
{
    (void)state;
    const struct sm_embedded files[] = {
        ENTRY("page.html",
              "<h1>{{_ nav.home}}</h1>{{#rows}}{{>row.html}}{{/rows}}{{^rows}}-{{/rows}}"
              "{{! c }}{{{raw}}}{{a.b}}"),
        ENTRY("row.html", "<tr>{{name}}</tr>"),
        ENTRY("other.html", "{{#x}}{{#y}}{{#z}}{{.}}{{/z}}{{/y}}{{/x}}"), END
    };
    json_t *ctx =
        parse_json("{\"raw\":\"<br>\",\"a\":{\"b\":3},\"rows\":["
                   "{\"name\":\"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\"},"
                   "{\"name\":\"bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb\"},"
                   "{\"name\":\"cccccccccccccccccccccccccccccccccccccccccccccccccccccc\"}]}");
    const char *want = "<h1>ホーム</h1>"
                       "<tr>aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa</tr>"
                       "<tr>bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb</tr>"
                       "<tr>cccccccccccccccccccccccccccccccccccccccccccccccccccccc</tr><br>3";
    int failures = 0;
    for (long n = 0;; n++) {
        struct sm_i18n *i18n = NULL;
        struct sm_tmpl_set *set = NULL;
        struct sm_buf out;
        struct sm_diag diag;
        sm_buf_init(&out, 1 << 16);
        sm_diag_clear(&diag);
        sm_alloc_fail_after(n);
        int rc = sm_i18n_new(catalogs, &i18n, &diag);
        if (!rc)
            rc = sm_tmpl_set_new(files, &set, &diag);
        if (!rc)
            rc = sm_tmpl_render(set, "page.html", ctx, i18n, SM_LANG_JA, &out, &diag);
        sm_alloc_fail_after(-1);
        if (rc) {
            if (rc != SM_ENOMEM)
                fail_msg("allocation %ld: rc %d (%s)", n, rc, diag.msg);
            assert_true(out.len == 0);
            assert_true(diag.msg[0] != '\0');
            failures++;
        } else {
            assert_string_equal(out.data, want);
        }
        sm_buf_release(&out);
        sm_tmpl_set_free(set);
        sm_i18n_free(i18n);
        if (!rc)
            break;
        assert_true(n < 10000);
    }
    assert_true(failures > 5);
    json_decref(ctx);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_text_kept_exactly), cmocka_unit_test(test_escaping),
        cmocka_unit_test(test_scalars),           cmocka_unit_test(test_sections),
        cmocka_unit_test(test_inverted),          cmocka_unit_test(test_paths_and_scopes),
        cmocka_unit_test(test_partials),          cmocka_unit_test(test_partial_depth),
        cmocka_unit_test(test_messages),          cmocka_unit_test(test_parse_errors),
        cmocka_unit_test(test_output_limit),      cmocka_unit_test(test_render_appends),
        cmocka_unit_test(test_alloc_failures),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

/*
 * Unit tests of the OSCAL outputs. The catalog and each guideline's assessment results are
 * validated against NIST's OSCAL 1.2.1 JSON schemas (tests/data/schemas/oscal/, checked by
 * validate.py with python3-jsonschema), then read back with jansson: categories as groups,
 * items as controls with their stage, statement, guidance and examples; one finding per
 * analysed item with the right status and props; the evidence with page numbers as
 * observations; the criterion and the review counts; stable UUIDs inside a document and a
 * new one for each document; ids that are not OSCAL tokens rewritten.
 */
#include "export_fixture.h"

#include "smesec/catalog.h"
#include "smesec/err.h"
#include "smesec/export.h"

#include <jansson.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "util/banned.h"

struct ctx {
    struct sm_fix fix;
    char dir[512];
    char catalog[600];
    char results[SM_FIX_GUIDELINES][600];
};

static int setup(void **state)
{
    struct ctx *c = calloc(1, sizeof *c);
    if (!c || sm_fix_init(&c->fix) != 0 || !sm_fix_tmpdir(c->dir, sizeof c->dir))
        return -1;
    snprintf(c->catalog, sizeof c->catalog, "%s/oscal-catalog.json", c->dir);
    for (size_t g = 0; g < SM_FIX_GUIDELINES; g++)
        snprintf(c->results[g], sizeof c->results[g], "%s/oscal-results-%lld.json", c->dir,
                 (long long)c->fix.guidelines[g].id);
    *state = c;
    return 0;
}

static int teardown(void **state)
{
    struct ctx *c = *state;
    sm_fix_rmdir(c->dir);
    sm_fix_release(&c->fix);
    free(c);
    return 0;
}

static void write_all(struct ctx *c)
{
    struct sm_diag diag;
    if (sm_export_oscal_catalog(&c->fix.report, c->catalog, &diag) != SM_OK)
        fail_msg("sm_export_oscal_catalog: %s", diag.msg);
    for (size_t g = 0; g < SM_FIX_GUIDELINES; g++)
        if (sm_export_oscal_results(&c->fix.report, g, c->results[g], &diag) != SM_OK)
            fail_msg("sm_export_oscal_results %zu: %s", g, diag.msg);
}

/* Runs validate.py on files against schema (a file name under tests/data/schemas/oscal). */
static void validate(const char *schema, const char *const *files, size_t n)
{
    const char *src = getenv("SMESEC_SOURCE_DIR");
    if (!src || !src[0])
        fail_msg("SMESEC_SOURCE_DIR is not set");
    char script[1024], schema_path[1024];
    snprintf(script, sizeof script, "%s/tests/data/schemas/oscal/validate.py", src);
    snprintf(schema_path, sizeof schema_path, "%s/tests/data/schemas/oscal/%s", src, schema);
    /* Debian's python3, where scripts/deps.sh installs python3-jsonschema; another python3
     * earlier on PATH may lack it. */
    const char *python = access("/usr/bin/python3", X_OK) == 0 ? "/usr/bin/python3" : "python3";
    const char *argv[16] = { python, script, schema_path };
    assert_true(n <= 12);
    for (size_t k = 0; k < n; k++)
        argv[3 + k] = files[k];
    int status = sm_fix_run(argv);
    if (status == 2 || status == 127)
        fail_msg("python3 with jsonschema is needed to validate OSCAL (Debian: "
                 "python3-jsonschema); validate.py exited %d",
                 status);
    assert_int_equal(status, 0);
}

static json_t *load(const char *path)
{
    json_error_t err;
    json_t *v = json_load_file(path, 0, &err);
    if (!v)
        fail_msg("'%s' line %d: %s", path, err.line, err.text);
    return v;
}

/* The value of the prop called name in the props array of obj, or NULL. */
static const char *prop(const json_t *obj, const char *name)
{
    size_t k;
    json_t *p;
    json_array_foreach(json_object_get(obj, "props"), k, p)
    {
        if (strcmp(json_string_value(json_object_get(p, "name")), name) == 0)
            return json_string_value(json_object_get(p, "value"));
    }
    return NULL;
}

static const char *str(const json_t *obj, const char *key)
{
    const char *s = json_string_value(json_object_get(obj, key));
    if (!s)
        fail_msg("no string '%s'", key);
    return s;
}

static bool uuid_version(const char *u, char version)
{
    return strlen(u) == 36 && u[8] == '-' && u[13] == '-' && u[14] == version && u[18] == '-' &&
           strchr("89ab", u[19]) != NULL && u[23] == '-';
}

/* The finding whose target is item id's statement. */
static const json_t *finding_for(const json_t *findings, const char *id)
{
    char target[64];
    snprintf(target, sizeof target, "%s_smt", id);
    size_t k;
    json_t *f;
    json_array_foreach(findings, k, f)
    {
        if (strcmp(str(json_object_get(f, "target"), "target-id"), target) == 0)
            return f;
    }
    return NULL;
}

static void outputs_are_valid_oscal(void **state)
{
    struct ctx *c = *state;
    write_all(c);
    const char *cat[] = { c->catalog };
    validate("oscal_catalog_schema.json", cat, 1);
    const char *res[SM_FIX_GUIDELINES];
    for (size_t g = 0; g < SM_FIX_GUIDELINES; g++)
        res[g] = c->results[g];
    validate("oscal_assessment-results_schema.json", res, SM_FIX_GUIDELINES);
}

static void catalog_has_groups_controls_and_parts(void **state)
{
    struct ctx *c = *state;
    write_all(c);
    json_t *root = load(c->catalog);
    const json_t *cat = json_object_get(root, "catalog");
    assert_true(uuid_version(str(cat, "uuid"), '4'));
    const json_t *meta = json_object_get(cat, "metadata");
    assert_string_equal(str(meta, "oscal-version"), "1.2.1");
    assert_string_equal(str(meta, "version"), "fix-1.0");
    assert_non_null(strstr(str(meta, "remarks"), "共通項の基準"));
    assert_non_null(strstr(str(meta, "remarks"), "5 of 23 cells reviewed"));
    assert_string_equal(prop(meta, "reviewed-cells"), "5");

    const json_t *groups = json_object_get(cat, "groups");
    assert_int_equal(json_array_size(groups), 3);
    assert_string_equal(str(json_array_get(groups, 0), "id"), "technical");
    assert_string_equal(str(json_array_get(groups, 0), "title"), "技術的対策");
    assert_string_equal(str(json_array_get(groups, 2), "id"), "governance");
    const json_t *controls = json_object_get(json_array_get(groups, 0), "controls");
    assert_int_equal(json_array_size(controls), 2);
    const json_t *tec01 = json_array_get(controls, 0);
    assert_string_equal(str(tec01, "id"), "TEC-01");
    assert_string_equal(prop(tec01, "stage"), "1");
    assert_string_equal(prop(tec01, "common"), "yes");
    assert_string_equal(prop(tec01, "reference-score"), "2");
    const json_t *parts = json_object_get(tec01, "parts");
    assert_string_equal(str(json_array_get(parts, 0), "name"), "statement");
    assert_string_equal(str(json_array_get(parts, 0), "id"), "TEC-01_smt");
    assert_string_equal(str(json_array_get(parts, 1), "name"), "guidance");
    const json_t *ex = json_object_get(json_array_get(parts, 2), "parts");
    assert_int_equal(json_array_size(ex), 3);
    assert_string_equal(str(json_array_get(ex, 1), "prose"),
                        "TEC01段階2の記載例: 担当者が更新を確認する。");
    /* The evil title is escaped as Markdown, the markup type of OSCAL titles. */
    const json_t *tec02 = json_array_get(controls, 1);
    assert_string_equal(str(tec02, "title"),
                        "\\<script\\>alert(\"item\")\\</script\\>ウイルス対策ソフトの導入");
    /* References are back-matter resources, linked by uuid, each once. */
    const json_t *res = json_object_get(json_object_get(cat, "back-matter"), "resources");
    assert_int_equal(json_array_size(res), 6); /* Q1, CSF PR.PS-02, Q2, Q20, Q21, GV.SC-05 */
    const char *href = str(json_array_get(json_object_get(tec01, "links"), 0), "href");
    assert_int_equal(href[0], '#');
    assert_string_equal(href + 1, str(json_array_get(res, 0), "uuid"));
    assert_true(uuid_version(href + 1, '5'));
    json_decref(root);
}

static void results_have_a_finding_per_analysed_item(void **state)
{
    struct ctx *c = *state;
    write_all(c);
    /* Guideline 13: PEO-01 not analysed, so five findings. */
    json_t *root = load(c->results[2]);
    const json_t *ar = json_object_get(root, "assessment-results");
    assert_true(uuid_version(str(ar, "uuid"), '4'));
    const char *ap = str(json_object_get(ar, "import-ap"), "href");
    assert_int_equal(ap[0], '#');
    const json_t *result = json_array_get(json_object_get(ar, "results"), 0);
    assert_non_null(strstr(str(result, "remarks"), "共通項の基準"));
    assert_non_null(strstr(str(result, "remarks"), "Common-item criterion"));
    assert_non_null(prop(result, "criterion"));
    assert_string_equal(prop(result, "catalog-version"), "fix-1.0");
    assert_string_equal(prop(result, "analysed-cells"), "5");
    const json_t *findings = json_object_get(result, "findings");
    assert_int_equal(json_array_size(findings), 5);
    assert_null(finding_for(findings, "PEO-01"));

    const json_t *f = finding_for(findings, "TEC-01");
    assert_non_null(f);
    assert_string_equal(str(json_object_get(json_object_get(f, "target"), "status"), "state"),
                        "not-satisfied");
    assert_string_equal(prop(f, "score"), "1");
    assert_string_equal(prop(f, "reference-score"), "2");
    assert_string_equal(prop(f, "below-reference"), "yes");
    assert_string_equal(prop(f, "method"), "auto");
    assert_string_equal(prop(f, "review"), "proposed");
    /* Its evidence: one observation, the sentence with its page. */
    const char *obs_uuid =
        str(json_array_get(json_object_get(f, "related-observations"), 0), "observation-uuid");
    const json_t *obs = json_array_get(json_object_get(result, "observations"), 0);
    assert_string_equal(str(obs, "uuid"), obs_uuid);
    const json_t *ev = json_array_get(json_object_get(obs, "relevant-evidence"), 0);
    assert_string_equal(str(ev, "description"), "p.4: ソフトウェアは更新する。");
    assert_string_equal(prop(ev, "page"), "4");

    f = finding_for(findings, "GOV-01");
    assert_string_equal(str(json_object_get(json_object_get(f, "target"), "status"), "state"),
                        "satisfied");
    f = finding_for(findings, "PEO-02"); /* not common: satisfied only when written */
    assert_string_equal(prop(f, "common"), "no");
    assert_string_equal(str(json_object_get(json_object_get(f, "target"), "status"), "state"),
                        "not-satisfied");
    json_decref(root);

    /* Guideline 12: the manual override with its note as remarks. */
    root = load(c->results[1]);
    result =
        json_array_get(json_object_get(json_object_get(root, "assessment-results"), "results"), 0);
    f = finding_for(json_object_get(result, "findings"), "TEC-02");
    assert_string_equal(prop(f, "method"), "manual");
    assert_string_equal(prop(f, "proposed-score"), "1");
    assert_string_equal(str(f, "remarks"), "\\<b\\>手動\\</b\\>で確認: 別紙に具体的な手順あり");
    json_decref(root);
}

static void uuids_are_stable_inside_and_new_per_document(void **state)
{
    struct ctx *c = *state;
    write_all(c);
    json_t *a = load(c->results[0]);
    assert_int_equal(sm_export_oscal_results(&c->fix.report, 0, c->results[0], NULL), SM_OK);
    json_t *b = load(c->results[0]);
    const json_t *ara = json_object_get(a, "assessment-results");
    const json_t *arb = json_object_get(b, "assessment-results");
    assert_string_not_equal(str(ara, "uuid"), str(arb, "uuid"));
    const json_t *fa =
        json_object_get(json_array_get(json_object_get(ara, "results"), 0), "findings");
    const json_t *fb =
        json_object_get(json_array_get(json_object_get(arb, "results"), 0), "findings");
    assert_int_equal(json_array_size(fa), json_array_size(fb));
    for (size_t k = 0; k < json_array_size(fa); k++) {
        const char *ua = str(json_array_get(fa, k), "uuid");
        assert_true(uuid_version(ua, '5'));
        assert_string_equal(ua, str(json_array_get(fb, k), "uuid"));
        for (size_t j = 0; j < k; j++)
            assert_string_not_equal(ua, str(json_array_get(fa, j), "uuid"));
    }
    /* RFC 4122 version 5 of "finding:<guideline id>:<item id>" in smesec's namespace
     * ac68a924-e5ea-49d3-af01-8980f94deddd, as Python's uuid.uuid5 computes it. */
    assert_string_equal(str(finding_for(fa, "TEC-01"), "uuid"),
                        "9dbecd4f-fd3d-5381-bd98-61a6ac62c9dd");
    json_decref(a);
    json_decref(b);
    assert_int_equal(sm_export_oscal_results(&c->fix.report, 9, c->results[0], NULL), SM_EINVAL);
}

/* Ids a catalog allows but OSCAL tokens do not (a leading digit) are rewritten. */
static void non_token_ids_are_rewritten(void **state)
{
    struct ctx *c = *state;
    static const char yaml[] = "version: \"1\"\n"
                               "title: \"t\"\n"
                               "title_en: \"t\"\n"
                               "categories:\n"
                               "  - id: 1st\n"
                               "    name_ja: \"第一\"\n"
                               "    name_en: \"First\"\n"
                               "items:\n"
                               "  - id: 01-A\n"
                               "    category: 1st\n"
                               "    stage: 2\n"
                               "    title_ja: \"項目\"\n"
                               "    title_en: \"Item\"\n"
                               "    description_ja: \"説明\"\n"
                               "    description_en: \"Description\"\n"
                               "    howto_ja: \"方法\"\n"
                               "    howto_en: \"How\"\n"
                               "    examples: [\"例1\", \"例2\", \"例3\"]\n"
                               "    references: [\"ref\"]\n"
                               "    rules:\n"
                               "      terms: [\"項目\"]\n";
    struct sm_catalog *cat = NULL;
    struct sm_diag diag;
    if (sm_catalog_parse(yaml, sizeof yaml - 1, "t.yaml", &cat, &diag) != SM_OK)
        fail_msg("catalog: %s", diag.msg);
    bool common[1] = { false };
    int reference[1] = { 0 };
    double mean[1] = { 0 };
    size_t written[1] = { 0 };
    struct sm_matrix m = { .catalog = cat, .n_items = 1, .n_guidelines = 0 };
    struct sm_judgement j = { .criterion = c->fix.judgement.criterion,
                              .n_items = 1,
                              .common = common,
                              .reference = reference,
                              .mean = mean,
                              .written = written };
    struct sm_report r = { cat, &m, &j, NULL };
    if (sm_export_oscal_catalog(&r, c->catalog, &diag) != SM_OK)
        fail_msg("sm_export_oscal_catalog: %s", diag.msg);
    const char *files[] = { c->catalog };
    validate("oscal_catalog_schema.json", files, 1);
    json_t *root = load(c->catalog);
    const json_t *g =
        json_array_get(json_object_get(json_object_get(root, "catalog"), "groups"), 0);
    assert_true(strncmp(str(g, "id"), "_1st-", 5) == 0);
    const json_t *ctl = json_array_get(json_object_get(g, "controls"), 0);
    assert_true(strncmp(str(ctl, "id"), "_01-A-", 6) == 0);
    assert_string_equal(prop(ctl, "label"), "01-A");
    json_decref(root);
    sm_catalog_free(cat);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(outputs_are_valid_oscal, setup, teardown),
        cmocka_unit_test_setup_teardown(catalog_has_groups_controls_and_parts, setup, teardown),
        cmocka_unit_test_setup_teardown(results_have_a_finding_per_analysed_item, setup, teardown),
        cmocka_unit_test_setup_teardown(uuids_are_stable_inside_and_new_per_document, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(non_token_ids_are_rewritten, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

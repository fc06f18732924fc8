/*
 * Fuzz target for the template compiler and renderer. The input is one template file,
 * "f.html", in a set with a fixed partial; when it compiles it is rendered against a small
 * fixed context (objects, arrays, scalars of every type, a string needing escapes) and a
 * two-key catalog, into a bounded buffer so output limits are exercised too. The input may
 * name itself as a partial, which drives the partial depth limit.
 */
#include "smesec/buf.h"
#include "smesec/embed.h"
#include "smesec/err.h"
#include "smesec/i18n.h"
#include "smesec/tmpl.h"

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "util/banned.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char context_json[] =
    "{\"title\":\"a <b> & 'c' \\\"d\\\"\",\"n\":42,\"r\":-1.5,\"t\":true,\"f\":false,"
    "\"z\":null,\"e\":\"\",\"zero\":0,\"empty\":[],\"obj\":{\"a\":{\"b\":\"deep\"},\"n\":1},"
    "\"items\":[{\"name\":\"one\",\"tags\":[\"x\",\"y\"]},{\"name\":\"two\",\"items\":[]},3,"
    "\"s\",null,[1,[2]]]}";

static const char ja_json[] = "{\"k\":\"値<\",\"nav.home\":\"ホーム\"}";
static const char en_json[] = "{\"k\":\"value<\",\"nav.home\":\"Home\"}";
static const char partial[] = "<p>{{name}}{{#tags}}[{{.}}]{{/tags}}</p>";

static const struct sm_embedded catalogs[] = {
    { "ja.json", (const unsigned char *)ja_json, sizeof ja_json - 1 },
    { "en.json", (const unsigned char *)en_json, sizeof en_json - 1 },
    { NULL, NULL, 0 }
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* Built once and kept for the life of the process (read-only, so not a leak). */
    static json_t *ctx;
    static struct sm_i18n *i18n;
    if (!ctx) {
        ctx = json_loads(context_json, 0, NULL);
        if (!ctx || sm_i18n_new(catalogs, &i18n, NULL) != SM_OK)
            __builtin_trap();
    }

    const struct sm_embedded files[] = { { "f.html", data, size },
                                         { "p.html", (const unsigned char *)partial,
                                           sizeof partial - 1 },
                                         { NULL, NULL, 0 } };
    struct sm_tmpl_set *set = NULL;
    struct sm_diag diag;
    sm_diag_clear(&diag);
    if (sm_tmpl_set_new(files, &set, &diag) != SM_OK)
        return 0;

    /* Sections nested n deep over the context's arrays loop about 6^n times while writing
     * nothing (names fall back to outer scopes), which no output limit stops; the language
     * has no loop bound, as its templates are the program's own. Render only inputs with a
     * few sections so the fuzzer hunts for bugs rather than for slow inputs. */
    int sections = 0;
    for (size_t i = 0; i + 2 < size; i++)
        sections += data[i] == '{' && data[i + 1] == '{' && data[i + 2] == '#';
    if (sections > 6) {
        sm_tmpl_set_free(set);
        return 0;
    }

    struct sm_buf out;
    sm_buf_init(&out, 1 << 16);
    for (int lang = 0; lang < SM_LANG_COUNT; lang++) {
        size_t before = out.len;
        int rc = sm_tmpl_render(set, "f.html", ctx, i18n, (enum sm_lang)lang, &out, &diag);
        /* A failed render must leave the buffer exactly as it was. */
        if (rc != SM_OK && out.len != before)
            __builtin_trap();
    }
    sm_buf_release(&out);
    sm_tmpl_set_free(set);
    return 0;
}

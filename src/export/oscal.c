/*
 * OSCAL 1.2.1 JSON: the catalog of check items, and the assessment results of one guideline.
 *
 * Catalog: groups are the categories, controls the items (prop "label" = the item id, and in
 * our namespace "stage", "common", "reference-score", "title-en"); parts "statement"
 * (description), "guidance" (the how-to) and, in our namespace, "example" with one sub-part
 * per stage; the public references become back-matter resources linked from each control.
 *
 * Assessment results: one result per file, whose findings are one per analysed item
 * (target: the item's statement part; status satisfied when the score reaches the reference
 * score of a common item, or is at least 1 for an item that is not common), with props for
 * score, reference, method, review state, strength and relation; the evidence sentences with
 * their page numbers are the relevant-evidence of one observation per item. The criterion,
 * the catalog version and the review counts are in the result's props and remarks. There is
 * no separate assessment plan: import-ap points at a back-matter resource that says so and
 * names the catalog file.
 *
 * Identifiers: each document's uuid is random (version 4, from libsodium), since OSCAL asks
 * for a new one whenever a document is regenerated; everything inside (results, findings,
 * observations, resources) gets a version 5 UUID (SHA-1, RFC 4122) from a fixed namespace and
 * what it is about, so the same finding keeps its uuid across exports as OSCAL recommends.
 * Control and group ids are OSCAL tokens: an id that is not one is rewritten with '_' and a
 * hash suffix, the same way everywhere. Text in markup fields is escaped as Markdown (the
 * markup types are CommonMark), single-line fields have line breaks folded, and string
 * values are trimmed and never empty, as the schema's patterns require.
 */
#include "internal.h"

#include "smesec/alloc.h"
#include "smesec/catalog.h"
#include "smesec/commons.h"
#include "smesec/utf8.h"

#include <sodium.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "util/banned.h"

#define OSCAL_VERSION "1.2.1"
/* Our namespace for props and parts OSCAL does not define. NEEDSWORK: a URL the operator
 * controls once the project has one. */
#define NS "urn:smesec:oscal"

/* The namespace of our version 5 UUIDs (itself a random UUID, fixed forever). */
static const uint8_t UUID_NS[16] = { 0xac, 0x68, 0xa9, 0x24, 0xe5, 0xea, 0x49, 0xd3,
                                     0xaf, 0x01, 0x89, 0x80, 0xf9, 0x4d, 0xed, 0xdd };

#define UUID_LEN 36

/* ---- SHA-1, for version 5 UUIDs only (not for security) --------------------------------- */

struct sha1 {
    uint32_t h[5];
    uint64_t len;
    uint8_t block[64];
    size_t fill;
};

static uint32_t rol(uint32_t x, unsigned n)
{
    return (x << n) | (x >> (32 - n));
}

static void sha1_block(struct sha1 *s, const uint8_t *p)
{
    uint32_t w[80];
    for (size_t t = 0; t < 16; t++)
        w[t] = (uint32_t)p[4 * t] << 24 | (uint32_t)p[4 * t + 1] << 16 |
               (uint32_t)p[4 * t + 2] << 8 | (uint32_t)p[4 * t + 3];
    for (int t = 16; t < 80; t++)
        w[t] = rol(w[t - 3] ^ w[t - 8] ^ w[t - 14] ^ w[t - 16], 1);
    uint32_t a = s->h[0], b = s->h[1], c = s->h[2], d = s->h[3], e = s->h[4];
    for (int t = 0; t < 80; t++) {
        uint32_t f, k;
        if (t < 20) {
            f = (b & c) | (~b & d);
            k = 0x5A827999;
        } else if (t < 40) {
            f = b ^ c ^ d;
            k = 0x6ED9EBA1;
        } else if (t < 60) {
            f = (b & c) | (b & d) | (c & d);
            k = 0x8F1BBCDC;
        } else {
            f = b ^ c ^ d;
            k = 0xCA62C1D6;
        }
        uint32_t tmp = rol(a, 5) + f + e + k + w[t];
        e = d;
        d = c;
        c = rol(b, 30);
        b = a;
        a = tmp;
    }
    s->h[0] += a;
    s->h[1] += b;
    s->h[2] += c;
    s->h[3] += d;
    s->h[4] += e;
}

static void sha1_init(struct sha1 *s)
{
    static const uint32_t h0[5] = { 0x67452301, 0xEFCDAB89, 0x98BADCFE, 0x10325476, 0xC3D2E1F0 };
    memcpy(s->h, h0, sizeof h0);
    s->len = 0;
    s->fill = 0;
}

static void sha1_update(struct sha1 *s, const void *data, size_t n)
{
    const uint8_t *p = data;
    s->len += n;
    while (n > 0) {
        size_t take = 64 - s->fill < n ? 64 - s->fill : n;
        memcpy(s->block + s->fill, p, take);
        s->fill += take;
        p += take;
        n -= take;
        if (s->fill == 64) {
            sha1_block(s, s->block);
            s->fill = 0;
        }
    }
}

static void sha1_final(struct sha1 *s, uint8_t out[20])
{
    uint64_t bits = s->len * 8;
    uint8_t pad = 0x80;
    sha1_update(s, &pad, 1);
    pad = 0;
    while (s->fill != 56)
        sha1_update(s, &pad, 1);
    uint8_t len[8];
    for (int k = 0; k < 8; k++)
        len[k] = (uint8_t)(bits >> (56 - 8 * k));
    sha1_update(s, len, 8);
    for (size_t k = 0; k < 5; k++) {
        out[4 * k] = (uint8_t)(s->h[k] >> 24);
        out[4 * k + 1] = (uint8_t)(s->h[k] >> 16);
        out[4 * k + 2] = (uint8_t)(s->h[k] >> 8);
        out[4 * k + 3] = (uint8_t)s->h[k];
    }
}

/* ---- UUIDs and times -------------------------------------------------------------------- */

static void uuid_format(const uint8_t u[16], char out[UUID_LEN + 1])
{
    static const char hex[] = "0123456789abcdef";
    size_t o = 0;
    for (int k = 0; k < 16; k++) {
        if (k == 4 || k == 6 || k == 8 || k == 10)
            out[o++] = '-';
        out[o++] = hex[u[k] >> 4];
        out[o++] = hex[u[k] & 15];
    }
    out[o] = '\0';
}

/* RFC 4122 version 5: SHA-1 of namespace and name, version and variant bits set. */
static void uuid_v5(const uint8_t ns[16], const char *name, size_t n, char out[UUID_LEN + 1])
{
    struct sha1 s;
    uint8_t h[20];
    sha1_init(&s);
    sha1_update(&s, ns, 16);
    sha1_update(&s, name, n);
    sha1_final(&s, h);
    h[6] = (uint8_t)((h[6] & 0x0F) | 0x50);
    h[8] = (uint8_t)((h[8] & 0x3F) | 0x80);
    uuid_format(h, out);
}

static int uuid_v4(char out[UUID_LEN + 1])
{
    if (sodium_init() < 0)
        return SM_EIO;
    uint8_t u[16];
    randombytes_buf(u, sizeof u);
    u[6] = (uint8_t)((u[6] & 0x0F) | 0x40);
    u[8] = (uint8_t)((u[8] & 0x3F) | 0x80);
    uuid_format(u, out);
    return SM_OK;
}

/* A version 5 UUID of a printf-formatted name, as a JSON string. */
static json_t *uuid_of(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static json_t *uuid_of(const char *fmt, ...)
{
    struct sm_buf b;
    sm_buf_init(&b, 1 << 16);
    va_list ap;
    va_start(ap, fmt);
    int rc = sm_buf_vprintf(&b, fmt, ap);
    va_end(ap);
    json_t *v = NULL;
    if (rc == SM_OK) {
        char u[UUID_LEN + 1];
        uuid_v5(UUID_NS, b.data, b.len, u);
        v = json_string(u);
    }
    sm_buf_release(&b);
    return v;
}

static void rfc3339_now(char out[32])
{
    time_t now = time(NULL);
    struct tm tm;
    if (!gmtime_r(&now, &tm) || strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
        memcpy(out, "1970-01-01T00:00:00Z", 21);
}

/* ---- strings the schema accepts ----------------------------------------------------------- */

static bool token_char(unsigned char c, bool first)
{
    if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_')
        return true;
    return !first && ((c >= '0' && c <= '9') || c == '.' || c == '-');
}

/* s as an OSCAL token: itself when it is an ASCII token, else with every other byte as '_',
 * a leading '_' when it does not start with a letter, and "-" + 8 hex digits of its SHA-1 so
 * different ids stay different. */
static int token(const char *s, struct sm_buf *out)
{
    sm_buf_reset(out);
    bool changed = !s[0] || !token_char((unsigned char)s[0], true);
    int rc = changed ? sm_buf_putc(out, '_') : SM_OK;
    for (const char *p = s; *p && rc == SM_OK; p++) {
        bool ok = token_char((unsigned char)*p, false);
        changed |= !ok;
        rc = sm_buf_putc(out, (char)(ok ? *p : '_'));
    }
    if (rc == SM_OK && changed) {
        struct sha1 h;
        uint8_t d[20];
        sha1_init(&h);
        sha1_update(&h, s, strlen(s));
        sha1_final(&h, d);
        rc = sm_buf_printf(out, "-%02x%02x%02x%02x", d[0], d[1], d[2], d[3]);
    }
    return rc;
}

/* Markdown-escaped, line breaks folded, trimmed; fallback when that leaves nothing. The
 * result matches both MarkupLine (^[^\n]+$) and String (^\S(.*\S)?$). */
static json_t *md_line(const char *s, const char *fallback)
{
    struct sm_buf b;
    sm_buf_init(&b, SM__EXPORT_MAX);
    json_t *v = NULL;
    if (sm__md_text(&b, s ? s : "") == SM_OK) {
        const char *p = b.data ? b.data : "";
        size_t n = b.len;
        while (n > 0 && (*p == ' ' || *p == '\t')) {
            p++;
            n--;
        }
        while (n > 0 && (p[n - 1] == ' ' || p[n - 1] == '\t'))
            n--;
        v = n > 0 ? json_stringn(p, n) : json_string(fallback);
    }
    sm_buf_release(&b);
    return v;
}

/* A property {name, ns?, value}; value folded to one trimmed line. NULL when out of memory;
 * an empty value gives an empty object that prop_add skips. */
static int prop_add(json_t *props, const char *name, bool ours, const char *value)
{
    if (!value)
        return SM_OK;
    size_t n = strlen(value);
    while (n > 0 && (value[0] == ' ' || value[0] == '\n' || value[0] == '\r' || value[0] == '\t')) {
        value++;
        n--;
    }
    while (n > 0 && (value[n - 1] == ' ' || value[n - 1] == '\n' || value[n - 1] == '\r' ||
                     value[n - 1] == '\t'))
        n--;
    if (n == 0)
        return SM_OK;
    char *v = sm_strndup(value, n);
    if (!v)
        return SM_ENOMEM;
    for (char *p = v; *p; p++)
        if (*p == '\n' || *p == '\r' || *p == '\t')
            *p = ' ';
    json_t *o = json_object();
    int rc = o ? SM_OK : SM_ENOMEM;
    if (rc == SM_OK)
        rc = sm__jset_str(o, "name", name);
    if (rc == SM_OK && ours)
        rc = sm__jset_str(o, "ns", NS);
    if (rc == SM_OK)
        rc = sm__jset_str(o, "value", v);
    sm_free(v);
    if (rc) {
        json_decref(o);
        return rc;
    }
    return sm__jpush(props, o);
}

static int prop_int(json_t *props, const char *name, long long v)
{
    char s[32];
    snprintf(s, sizeof s, "%lld", v);
    return prop_add(props, name, true, s);
}

/* Sets obj[key] = arr when arr has elements (OSCAL arrays have minItems 1), else drops it. */
static int set_nonempty(json_t *obj, const char *key, json_t *arr)
{
    if (json_array_size(arr) == 0) {
        json_decref(arr);
        return SM_OK;
    }
    return sm__jset(obj, key, arr);
}

static int dump_cb(const char *buffer, size_t size, void *data)
{
    return sm_buf_append(data, buffer, size) == SM_OK ? 0 : -1;
}

static int write_json(const json_t *root, const char *path, struct sm_diag *diag)
{
    struct sm_buf b;
    sm_buf_init(&b, SM__EXPORT_MAX);
    int rc = json_dump_callback(root, dump_cb, &b, JSON_INDENT(2)) == 0 ? SM_OK : SM_ENOMEM;
    if (rc == SM_OK)
        rc = sm_buf_putc(&b, '\n');
    if (rc == SM_OK)
        rc = sm__write_file(path, b.data, b.len, diag);
    sm_buf_release(&b);
    return rc;
}

/* "criterion (ja)\n\ncriterion (en)\n\nN of M cells reviewed", Markdown-escaped. */
static json_t *facts_remarks(const struct sm__facts *f)
{
    struct sm_buf b;
    sm_buf_init(&b, SM__EXPORT_MAX);
    int rc = sm__md_text(&b, f->criterion_ja);
    if (rc == SM_OK)
        rc = sm_buf_puts(&b, "\n\n");
    if (rc == SM_OK)
        rc = sm__md_text(&b, f->criterion_en);
    if (rc == SM_OK)
        rc = sm_buf_printf(&b, "\n\n%s (%s); catalog version ", f->reviewed_en, f->reviewed_ja);
    if (rc == SM_OK)
        rc = sm__md_text(&b, f->catalog_version);
    json_t *v = rc == SM_OK ? json_stringn(b.data, b.len) : NULL;
    sm_buf_release(&b);
    return v;
}

static int metadata(json_t *root, const char *title, const char *version, const struct sm__facts *f,
                    const char *now)
{
    json_t *m = json_object();
    json_t *props = json_array();
    int rc = m && props ? SM_OK : SM_ENOMEM;
    if (rc == SM_OK)
        rc = sm__jset(m, "title", md_line(title, "smesec"));
    if (rc == SM_OK)
        rc = sm__jset_str(m, "last-modified", now);
    if (rc == SM_OK)
        rc = sm__jset(m, "version", md_line(version, "unversioned"));
    if (rc == SM_OK)
        rc = sm__jset_str(m, "oscal-version", OSCAL_VERSION);
    if (rc == SM_OK)
        rc = prop_add(props, "generated", true, f->generated);
    if (rc == SM_OK)
        rc = prop_add(props, "catalog-version", true, f->catalog_version);
    if (rc == SM_OK)
        rc = prop_add(props, "catalog-title-en", true, f->catalog_title_en);
    if (rc == SM_OK)
        rc = prop_add(props, "criterion", true, f->criterion_spec);
    if (rc == SM_OK)
        rc = prop_int(props, "reviewed-cells", (long long)f->reviewed);
    if (rc == SM_OK)
        rc = prop_int(props, "analysed-cells", (long long)f->total);
    if (rc == SM_OK) {
        rc = set_nonempty(m, "props", props);
        props = NULL;
    }
    if (rc == SM_OK)
        rc = sm__jset(m, "remarks", facts_remarks(f));
    json_decref(props);
    if (rc) {
        json_decref(m);
        return rc;
    }
    return sm__jset(root, "metadata", m);
}

/* ---- the catalog -------------------------------------------------------------------------- */

static int part_new(const char *id, const char *name, bool ours, const char *title,
                    const char *prose, json_t **out)
{
    json_t *p = json_object();
    int rc = p ? SM_OK : SM_ENOMEM;
    if (rc == SM_OK)
        rc = sm__jset_str(p, "id", id);
    if (rc == SM_OK)
        rc = sm__jset_str(p, "name", name);
    if (rc == SM_OK && ours)
        rc = sm__jset_str(p, "ns", NS);
    if (rc == SM_OK && title)
        rc = sm__jset(p, "title", md_line(title, name));
    if (rc == SM_OK && prose && prose[0])
        rc = sm__jset(p, "prose", md_line(prose, "-"));
    if (rc) {
        json_decref(p);
        return rc;
    }
    *out = p;
    return SM_OK;
}

/* Pushes part_new's part onto parts. */
static int part_add(json_t *parts, const char *id, const char *name, bool ours, const char *title,
                    const char *prose)
{
    json_t *p = NULL;
    int rc = part_new(id, name, ours, title, prose, &p);
    return rc ? rc : sm__jpush(parts, p);
}

static int control_parts(const struct sm_check_item *it, const char *tok, json_t *control)
{
    json_t *parts = json_array();
    json_t *ex = NULL;
    json_t *sub = json_array();
    struct sm_buf id;
    sm_buf_init(&id, 4096);
    int rc = parts && sub ? SM_OK : SM_ENOMEM;
    if (rc == SM_OK)
        rc = sm_buf_printf(&id, "%s_smt", tok);
    if (rc == SM_OK)
        rc = part_add(parts, id.data, "statement", false, NULL,
                      it->description_ja && it->description_ja[0] ? it->description_ja
                                                                  : it->title_ja);
    sm_buf_reset(&id);
    if (rc == SM_OK && it->howto_ja && it->howto_ja[0]) {
        rc = sm_buf_printf(&id, "%s_gdn", tok);
        if (rc == SM_OK)
            rc = part_add(parts, id.data, "guidance", false, NULL, it->howto_ja);
    }
    for (int s = 1; s <= SM_STAGES && rc == SM_OK; s++) {
        if (!it->example[s - 1] || !it->example[s - 1][0])
            continue;
        char title[32];
        snprintf(title, sizeof title, "段階%d", s);
        sm_buf_reset(&id);
        json_t *p = NULL;
        rc = sm_buf_printf(&id, "%s_ex.%d", tok, s);
        if (rc == SM_OK)
            rc = part_new(id.data, "example", true, title, it->example[s - 1], &p);
        if (rc == SM_OK) {
            json_t *props = json_array();
            rc = props ? prop_int(props, "stage", s) : SM_ENOMEM;
            if (rc == SM_OK)
                rc = sm__jset(p, "props", props);
            else
                json_decref(props);
            if (rc == SM_OK)
                rc = sm__jpush(sub, p);
            else
                json_decref(p);
        }
    }
    if (rc == SM_OK && json_array_size(sub) > 0) {
        sm_buf_reset(&id);
        rc = sm_buf_printf(&id, "%s_ex", tok);
        if (rc == SM_OK)
            rc = part_new(id.data, "examples", true, "段階別の記載例", NULL, &ex);
        if (rc == SM_OK) {
            rc = sm__jset(ex, "parts", sub);
            sub = NULL;
        }
        if (rc == SM_OK) {
            rc = sm__jpush(parts, ex);
            ex = NULL;
        }
    }
    json_decref(ex);
    json_decref(sub);
    sm_buf_release(&id);
    if (rc) {
        json_decref(parts);
        return rc;
    }
    return set_nonempty(control, "parts", parts);
}

static json_t *reference_uuid(const char *ref)
{
    return uuid_of("reference:%s", ref);
}

static int control_json(const struct sm_report *r, size_t i, struct sm_buf *tok, json_t *controls)
{
    const struct sm_check_item *it = sm_catalog_item(r->catalog, i);
    json_t *c = json_object();
    json_t *props = json_array();
    json_t *links = json_array();
    int rc = c && props && links ? SM_OK : SM_ENOMEM;
    if (rc == SM_OK)
        rc = token(it->id, tok);
    if (rc == SM_OK)
        rc = sm__jset_str(c, "id", tok->data);
    if (rc == SM_OK)
        rc = sm__jset_str(c, "class", "check-item");
    if (rc == SM_OK)
        rc = sm__jset(c, "title", md_line(it->title_ja, it->id));
    if (rc == SM_OK)
        rc = prop_add(props, "label", false, it->id);
    if (rc == SM_OK)
        rc = prop_int(props, "stage", it->stage);
    if (rc == SM_OK)
        rc = prop_add(props, "title-en", true, it->title_en);
    if (rc == SM_OK)
        rc = prop_add(props, "common", true, r->judgement->common[i] ? "yes" : "no");
    if (rc == SM_OK && r->judgement->common[i])
        rc = prop_int(props, "reference-score", r->judgement->reference[i]);
    for (size_t k = 0; k < it->references.n && rc == SM_OK; k++) {
        const char *ref = it->references.v[k];
        if (!ref || !ref[0])
            continue;
        json_t *l = json_object();
        json_t *u = reference_uuid(ref);
        rc = l && u ? SM_OK : SM_ENOMEM;
        if (rc == SM_OK)
            rc = sm__jset(l, "href", json_sprintf("#%s", json_string_value(u)));
        if (rc == SM_OK)
            rc = sm__jset_str(l, "rel", "reference");
        if (rc == SM_OK)
            rc = sm__jset(l, "text", md_line(ref, "reference"));
        if (rc == SM_OK) {
            rc = sm__jpush(links, l);
            l = NULL;
        }
        json_decref(l);
        json_decref(u);
    }
    if (rc == SM_OK) {
        rc = set_nonempty(c, "props", props);
        props = NULL;
    }
    if (rc == SM_OK) {
        rc = set_nonempty(c, "links", links);
        links = NULL;
    }
    if (rc == SM_OK)
        rc = control_parts(it, tok->data, c);
    json_decref(props);
    json_decref(links);
    if (rc) {
        json_decref(c);
        return rc;
    }
    return sm__jpush(controls, c);
}

/* One group per category (and one for items of an unknown category), in catalog order. */
static int groups_json(const struct sm_report *r, json_t *catalog)
{
    json_t *groups = json_array();
    struct sm_buf tok;
    sm_buf_init(&tok, 4096);
    int rc = groups ? SM_OK : SM_ENOMEM;
    size_t n_cat = sm_catalog_n_categories(r->catalog);
    for (size_t k = 0; k <= n_cat && rc == SM_OK; k++) {
        const struct sm_category *cat = k < n_cat ? sm_catalog_category(r->catalog, k) : NULL;
        json_t *controls = json_array();
        rc = controls ? SM_OK : SM_ENOMEM;
        for (size_t i = 0; i < r->matrix->n_items && rc == SM_OK; i++) {
            const char *ci = sm_catalog_item(r->catalog, i)->category;
            const struct sm_category *ic = ci ? sm_catalog_find_category(r->catalog, ci) : NULL;
            if (cat ? ic == cat : ic == NULL)
                rc = control_json(r, i, &tok, controls);
        }
        if (rc || json_array_size(controls) == 0) {
            json_decref(controls);
            continue;
        }
        json_t *g = json_object();
        json_t *props = json_array();
        rc = g && props ? SM_OK : SM_ENOMEM;
        if (rc == SM_OK)
            rc = token(cat && cat->id ? cat->id : "uncategorised", &tok);
        if (rc == SM_OK)
            rc = sm__jset_str(g, "id", tok.data);
        if (rc == SM_OK)
            rc = sm__jset_str(g, "class", "category");
        if (rc == SM_OK)
            rc = sm__jset(g, "title",
                          md_line(cat ? sm__category_name(r, cat->id) : "その他", "category"));
        if (rc == SM_OK && cat)
            rc = prop_add(props, "title-en", true, cat->name_en);
        if (rc == SM_OK) {
            rc = set_nonempty(g, "props", props);
            props = NULL;
        }
        if (rc == SM_OK) {
            rc = sm__jset(g, "controls", controls);
            controls = NULL;
        }
        if (rc == SM_OK) {
            rc = sm__jpush(groups, g);
            g = NULL;
        }
        json_decref(props);
        json_decref(controls);
        json_decref(g);
    }
    sm_buf_release(&tok);
    if (rc) {
        json_decref(groups);
        return rc;
    }
    return set_nonempty(catalog, "groups", groups);
}

/* The references of every item as back-matter resources, each once. */
static int references_json(const struct sm_report *r, json_t *catalog)
{
    json_t *resources = json_array();
    json_t *seen = json_object();
    int rc = resources && seen ? SM_OK : SM_ENOMEM;
    for (size_t i = 0; i < r->matrix->n_items && rc == SM_OK; i++) {
        const struct sm_check_item *it = sm_catalog_item(r->catalog, i);
        for (size_t k = 0; k < it->references.n && rc == SM_OK; k++) {
            const char *ref = it->references.v[k];
            if (!ref || !ref[0] || json_object_get(seen, ref))
                continue;
            rc = sm__jset(seen, ref, json_true());
            json_t *res = rc == SM_OK ? json_object() : NULL;
            json_t *cit = res ? json_object() : NULL;
            if (rc == SM_OK && !cit)
                rc = SM_ENOMEM;
            if (rc == SM_OK)
                rc = sm__jset(res, "uuid", reference_uuid(ref));
            if (rc == SM_OK)
                rc = sm__jset(res, "title", md_line(ref, "reference"));
            if (rc == SM_OK)
                rc = sm__jset(cit, "text", md_line(ref, "reference"));
            if (rc == SM_OK) {
                rc = sm__jset(res, "citation", cit);
                cit = NULL;
            }
            if (rc == SM_OK) {
                rc = sm__jpush(resources, res);
                res = NULL;
            }
            json_decref(cit);
            json_decref(res);
        }
    }
    json_decref(seen);
    if (rc) {
        json_decref(resources);
        return rc;
    }
    if (json_array_size(resources) == 0) {
        json_decref(resources);
        return SM_OK;
    }
    json_t *bm = json_object();
    if (!bm) {
        json_decref(resources);
        return SM_ENOMEM;
    }
    rc = sm__jset(bm, "resources", resources);
    if (rc) {
        json_decref(bm);
        return rc;
    }
    return sm__jset(catalog, "back-matter", bm);
}

int sm_export_oscal_catalog(const struct sm_report *r, const char *path, struct sm_diag *diag)
{
    sm_diag_clear(diag);
    int rc = sm__report_check(r, diag);
    if (rc)
        return rc;
    struct sm__facts f;
    rc = sm__facts_init(&f, r, diag);
    if (rc)
        return rc;
    char now[32], uuid[UUID_LEN + 1];
    rfc3339_now(now);
    json_t *root = json_object();
    json_t *cat = json_object();
    rc = root && cat ? SM_OK : SM_ENOMEM;
    if (rc == SM_OK)
        rc = uuid_v4(uuid);
    if (rc == SM_OK)
        rc = sm__jset_str(cat, "uuid", uuid);
    if (rc == SM_OK)
        rc = metadata(cat, f.catalog_title, f.catalog_version, &f, now);
    if (rc == SM_OK)
        rc = groups_json(r, cat);
    if (rc == SM_OK)
        rc = references_json(r, cat);
    if (rc == SM_OK) {
        rc = sm__jset(root, "catalog", cat);
        cat = NULL;
    }
    if (rc == SM_OK)
        rc = write_json(root, path, diag);
    json_decref(cat);
    json_decref(root);
    sm__facts_release(&f);
    return sm__fail(diag, rc, "the OSCAL catalog", path);
}

/* ---- the assessment results ------------------------------------------------------------- */

struct ar {
    const struct sm_report *r;
    size_t g;
    int64_t gid;
    const char *now;
    struct sm_buf tok;
    json_t *observations;
    json_t *findings;
};

static bool satisfied(const struct sm_report *r, size_t i, int score)
{
    return r->judgement->common[i] ? score >= r->judgement->reference[i] : score >= 1;
}

/* The observation of one cell's evidence; *uuid gets its uuid (a new reference). */
static int observation(struct ar *a, size_t i, const struct sm_cell *c, json_t **uuid)
{
    const struct sm_check_item *it = sm_catalog_item(a->r->catalog, i);
    json_t *o = json_object();
    json_t *evidence = json_array();
    json_t *props = json_array();
    int rc = o && evidence && props ? SM_OK : SM_ENOMEM;
    *uuid = NULL;
    if (rc == SM_OK) {
        *uuid = uuid_of("observation:%lld:%s", (long long)a->gid, it->id);
        rc = *uuid ? sm__jset(o, "uuid", json_incref(*uuid)) : SM_ENOMEM;
    }
    if (rc == SM_OK)
        rc = sm__jset(o, "title", md_line(it->id, "evidence"));
    if (rc == SM_OK)
        rc = sm__jset(o, "description",
                      json_sprintf("根拠となる文 %zu件 / %zu sentence(s) of evidence",
                                   c->n_evidence, c->n_evidence));
    if (rc == SM_OK)
        rc = prop_add(props, "method", true, sm_method_name(c->method));
    if (rc == SM_OK) {
        rc = set_nonempty(o, "props", props);
        props = NULL;
    }
    json_t *methods = rc == SM_OK ? json_pack("[s]", "EXAMINE") : NULL;
    if (rc == SM_OK)
        rc = sm__jset(o, "methods", methods);
    for (size_t k = 0; k < c->n_evidence && rc == SM_OK; k++) {
        const struct sm_evidence *e = &c->evidence[k];
        json_t *ev = json_object();
        json_t *ep = json_array();
        rc = ev && ep ? SM_OK : SM_ENOMEM;
        if (rc == SM_OK) {
            struct sm_buf d;
            sm_buf_init(&d, SM__EXPORT_MAX);
            rc = sm_buf_printf(&d, "p.%d: ", e->page);
            if (rc == SM_OK)
                rc = sm__md_text(&d, e->text);
            if (rc == SM_OK)
                rc = sm__jset(ev, "description", json_stringn(d.data, d.len));
            sm_buf_release(&d);
        }
        if (rc == SM_OK)
            rc = prop_int(ep, "page", e->page);
        if (rc == SM_OK)
            rc = prop_int(ep, "score", e->score);
        if (rc == SM_OK)
            rc = prop_add(ep, "matched-term", true, e->matched);
        if (rc == SM_OK) {
            rc = set_nonempty(ev, "props", ep);
            ep = NULL;
        }
        if (rc == SM_OK) {
            rc = sm__jpush(evidence, ev);
            ev = NULL;
        }
        json_decref(ep);
        json_decref(ev);
    }
    if (rc == SM_OK) {
        rc = set_nonempty(o, "relevant-evidence", evidence);
        evidence = NULL;
    }
    if (rc == SM_OK)
        rc = sm__jset_str(o, "collected", a->now);
    json_decref(props);
    json_decref(evidence);
    if (rc == SM_OK) {
        rc = sm__jpush(a->observations, o);
        o = NULL;
    }
    json_decref(o);
    if (rc) {
        json_decref(*uuid);
        *uuid = NULL;
    }
    return rc;
}

static int finding(struct ar *a, size_t i)
{
    const struct sm_report *r = a->r;
    const struct sm_check_item *it = sm_catalog_item(r->catalog, i);
    const struct sm_cell *c = sm__cell(r, i, a->g);
    bool common = r->judgement->common[i];
    int ref = r->judgement->reference[i];
    bool ok = satisfied(r, i, c->score);
    json_t *obs_uuid = NULL;
    int rc = c->n_evidence > 0 ? observation(a, i, c, &obs_uuid) : SM_OK;
    if (rc)
        return rc;
    json_t *f = json_object();
    json_t *props = json_array();
    json_t *target = json_object();
    json_t *status = json_object();
    struct sm_buf title;
    sm_buf_init(&title, SM__EXPORT_MAX);
    rc = f && props && target && status ? SM_OK : SM_ENOMEM;
    if (rc == SM_OK)
        rc = sm__jset(f, "uuid", uuid_of("finding:%lld:%s", (long long)a->gid, it->id));
    if (rc == SM_OK)
        rc = sm_buf_printf(&title, "%s %s", it->id, it->title_ja);
    if (rc == SM_OK)
        rc = sm__jset(f, "title", md_line(title.data, it->id));
    if (rc == SM_OK) {
        json_t *d;
        if (common)
            d = json_sprintf("得点 %d / 基準点 %d（%s）。Score %d against the reference score %d "
                             "of a common item.",
                             c->score, ref, ok ? "基準点以上" : "基準点未満", c->score, ref);
        else
            d = json_sprintf("得点 %d（共通項ではない項目）。Score %d; the item is not common.",
                             c->score, c->score);
        rc = sm__jset(f, "description", d);
    }
    if (rc == SM_OK)
        rc = prop_int(props, "score", c->score);
    if (rc == SM_OK && c->auto_score >= 0)
        rc = prop_int(props, "proposed-score", c->auto_score);
    if (rc == SM_OK)
        rc = prop_add(props, "common", true, common ? "yes" : "no");
    if (rc == SM_OK && common)
        rc = prop_int(props, "reference-score", ref);
    if (rc == SM_OK)
        rc = prop_add(props, "below-reference", true,
                      sm_judgement_below(r->judgement, r->matrix, i, a->g) ? "yes" : "no");
    if (rc == SM_OK)
        rc = prop_add(props, "method", true, sm_method_name(c->method));
    if (rc == SM_OK)
        rc = prop_add(props, "review", true, sm_review_name(c->review));
    if (rc == SM_OK)
        rc = prop_int(props, "strength", c->strength);
    if (rc == SM_OK)
        rc = prop_add(props, "relation", true, sm_relation_name(c->relation));
    if (rc == SM_OK) {
        rc = set_nonempty(f, "props", props);
        props = NULL;
    }
    if (rc == SM_OK)
        rc = token(it->id, &a->tok);
    if (rc == SM_OK)
        rc = sm_buf_puts(&a->tok, "_smt");
    if (rc == SM_OK)
        rc = sm__jset_str(target, "type", "statement-id");
    if (rc == SM_OK)
        rc = sm__jset_str(target, "target-id", a->tok.data);
    if (rc == SM_OK)
        rc = sm__jset_str(status, "state", ok ? "satisfied" : "not-satisfied");
    if (rc == SM_OK)
        rc = sm__jset_str(status, "reason", ok ? "pass" : "fail");
    if (rc == SM_OK) {
        rc = sm__jset(target, "status", status);
        status = NULL;
    }
    if (rc == SM_OK) {
        rc = sm__jset(f, "target", target);
        target = NULL;
    }
    if (rc == SM_OK && obs_uuid) {
        json_t *rel = json_pack("[{s:O}]", "observation-uuid", obs_uuid);
        rc = sm__jset(f, "related-observations", rel);
    }
    if (rc == SM_OK && c->note && c->note[0])
        rc = sm__jset(f, "remarks", md_line(c->note, "-"));
    if (rc == SM_OK) {
        rc = sm__jpush(a->findings, f);
        f = NULL;
    }
    sm_buf_release(&title);
    json_decref(obs_uuid);
    json_decref(f);
    json_decref(props);
    json_decref(target);
    json_decref(status);
    return rc;
}

static int result_json(struct ar *a, const struct sm__facts *f, json_t *results)
{
    const struct sm_report *r = a->r;
    const struct sm_matrix_guideline *mg = &r->matrix->guidelines[a->g];
    json_t *res = json_object();
    json_t *props = json_array();
    json_t *reviewed = json_pack("{s:[{s:{}}]}", "control-selections", "include-all");
    struct sm_buf b;
    sm_buf_init(&b, SM__EXPORT_MAX);
    size_t g_reviewed = 0, g_total = 0;
    for (size_t i = 0; i < r->matrix->n_items; i++) {
        const struct sm_cell *c = sm__cell(r, i, a->g);
        if (c->score < 0)
            continue;
        g_total++;
        if (c->review != SM_REVIEW_PROPOSED || c->method == SM_METHOD_MANUAL)
            g_reviewed++;
    }
    int rc = res && props && reviewed ? SM_OK : SM_ENOMEM;
    if (rc == SM_OK)
        rc =
            sm__jset(res, "uuid", uuid_of("result:%lld:%s", (long long)a->gid, f->catalog_version));
    if (rc == SM_OK)
        rc = sm_buf_printf(&b, "共通項チェック（カタログ %s）", f->catalog_version);
    if (rc == SM_OK)
        rc = sm__jset(res, "title", md_line(b.data, "check"));
    sm_buf_reset(&b);
    if (rc == SM_OK)
        rc = sm_buf_puts(&b, "ガイドライン「");
    if (rc == SM_OK)
        rc = sm__md_text(&b, mg->title);
    if (rc == SM_OK)
        rc = sm_buf_puts(&b, "」をチェック項目カタログ（版 ");
    if (rc == SM_OK)
        rc = sm__md_text(&b, f->catalog_version);
    if (rc == SM_OK)
        rc = sm_buf_printf(&b,
                           "）に照らした結果。このガイドラインのレビュー済みセル: %zu / "
                           "%zu。\n\nThe guideline mapped onto the check items; %zu of "
                           "%zu of its cells reviewed.",
                           g_reviewed, g_total, g_reviewed, g_total);
    if (rc == SM_OK)
        rc = sm__jset(res, "description", json_stringn(b.data, b.len));
    if (rc == SM_OK)
        rc = sm__jset_str(res, "start", a->now);
    if (rc == SM_OK)
        rc = prop_add(props, "criterion", true, f->criterion_spec);
    if (rc == SM_OK)
        rc = prop_add(props, "catalog-version", true, f->catalog_version);
    if (rc == SM_OK)
        rc = prop_int(props, "reviewed-cells", (long long)g_reviewed);
    if (rc == SM_OK)
        rc = prop_int(props, "analysed-cells", (long long)g_total);
    if (rc == SM_OK) {
        rc = set_nonempty(res, "props", props);
        props = NULL;
    }
    if (rc == SM_OK) {
        rc = sm__jset(res, "reviewed-controls", reviewed);
        reviewed = NULL;
    }
    for (size_t i = 0; i < r->matrix->n_items && rc == SM_OK; i++)
        if (sm__cell(r, i, a->g)->score >= 0)
            rc = finding(a, i);
    if (rc == SM_OK) {
        rc = set_nonempty(res, "observations", a->observations);
        a->observations = NULL;
    }
    if (rc == SM_OK) {
        rc = set_nonempty(res, "findings", a->findings);
        a->findings = NULL;
    }
    if (rc == SM_OK)
        rc = sm__jset(res, "remarks", facts_remarks(f));
    sm_buf_release(&b);
    json_decref(props);
    json_decref(reviewed);
    if (rc) {
        json_decref(res);
        return rc;
    }
    return sm__jpush(results, res);
}

/* back-matter: the stand-in for the assessment plan, and the guideline itself. */
static int results_back_matter(struct ar *a, json_t *doc, json_t *plan_uuid)
{
    const struct sm_matrix_guideline *mg = &a->r->matrix->guidelines[a->g];
    json_t *plan = json_object();
    json_t *guide = json_object();
    json_t *gprops = json_array();
    json_t *resources = json_array();
    json_t *bm = json_object();
    int rc = plan && guide && gprops && resources && bm ? SM_OK : SM_ENOMEM;
    if (rc == SM_OK)
        rc = sm__jset(plan, "uuid", json_incref(plan_uuid));
    if (rc == SM_OK)
        rc = sm__jset_str(plan, "title", "評価計画なし: チェック項目カタログに照らした分析");
    if (rc == SM_OK)
        rc = sm__jset_str(plan, "description",
                          "There is no separate assessment plan: every analysed guideline is "
                          "mapped onto every control of the check-item catalog "
                          "(oscal-catalog.json).");
    if (rc == SM_OK)
        rc = sm__jset(plan, "rlinks",
                      json_pack("[{s:s,s:s}]", "href", "oscal-catalog.json", "media-type",
                                "application/oscal.catalog+json"));
    if (rc == SM_OK)
        rc = sm__jset(guide, "uuid", uuid_of("guideline:%lld", (long long)a->gid));
    if (rc == SM_OK)
        rc = sm__jset(guide, "title", md_line(mg->title, "guideline"));
    if (rc == SM_OK)
        rc = prop_add(gprops, "industry", true, mg->industry);
    if (rc == SM_OK)
        rc = prop_add(gprops, "publisher", true, mg->publisher);
    if (rc == SM_OK)
        rc = prop_add(gprops, "version", true, mg->version);
    if (rc == SM_OK && mg->year > 0)
        rc = prop_int(gprops, "year", mg->year);
    if (rc == SM_OK)
        rc = prop_int(gprops, "guideline-id", (long long)mg->id);
    if (rc == SM_OK) {
        rc = set_nonempty(guide, "props", gprops);
        gprops = NULL;
    }
    if (rc == SM_OK) {
        rc = sm__jpush(resources, plan);
        plan = NULL;
    }
    if (rc == SM_OK) {
        rc = sm__jpush(resources, guide);
        guide = NULL;
    }
    if (rc == SM_OK) {
        rc = sm__jset(bm, "resources", resources);
        resources = NULL;
    }
    if (rc == SM_OK) {
        rc = sm__jset(doc, "back-matter", bm);
        bm = NULL;
    }
    json_decref(plan);
    json_decref(guide);
    json_decref(gprops);
    json_decref(resources);
    json_decref(bm);
    return rc;
}

int sm_export_oscal_results(const struct sm_report *r, size_t g, const char *path,
                            struct sm_diag *diag)
{
    sm_diag_clear(diag);
    int rc = sm__report_check(r, diag);
    if (rc)
        return rc;
    if (g >= r->matrix->n_guidelines)
        return sm_diag_set(diag, SM_EINVAL,
                           "cannot write OSCAL results: no guideline %zu (of "
                           "%zu)",
                           g, r->matrix->n_guidelines);
    struct sm__facts f;
    rc = sm__facts_init(&f, r, diag);
    if (rc)
        return rc;
    char now[32], uuid[UUID_LEN + 1];
    rfc3339_now(now);
    const struct sm_matrix_guideline *mg = &r->matrix->guidelines[g];
    struct ar a = { .r = r, .g = g, .gid = mg->id, .now = now };
    sm_buf_init(&a.tok, 4096);
    a.observations = json_array();
    a.findings = json_array();
    json_t *root = json_object();
    json_t *doc = json_object();
    json_t *results = json_array();
    json_t *plan_uuid = NULL;
    struct sm_buf title;
    sm_buf_init(&title, SM__EXPORT_MAX);
    rc = a.observations && a.findings && root && doc && results ? SM_OK : SM_ENOMEM;
    if (rc == SM_OK)
        rc = uuid_v4(uuid);
    if (rc == SM_OK)
        rc = sm__jset_str(doc, "uuid", uuid);
    if (rc == SM_OK)
        rc = sm_buf_printf(&title, "共通項チェック結果: %s", mg->title ? mg->title : "");
    if (rc == SM_OK)
        rc = metadata(doc, title.data, f.generated, &f, now);
    /* No assessment plan exists; import-ap points at the back-matter resource saying so. */
    if (rc == SM_OK) {
        plan_uuid = uuid_of("plan:%lld", (long long)a.gid);
        rc = plan_uuid ? SM_OK : SM_ENOMEM;
    }
    if (rc == SM_OK)
        rc = sm__jset(doc, "import-ap",
                      json_pack("{s:o,s:s}", "href",
                                json_sprintf("#%s", json_string_value(plan_uuid)), "remarks",
                                "No separate assessment plan; see the back-matter resource."));
    if (rc == SM_OK)
        rc = result_json(&a, &f, results);
    if (rc == SM_OK) {
        rc = sm__jset(doc, "results", results);
        results = NULL;
    }
    if (rc == SM_OK)
        rc = results_back_matter(&a, doc, plan_uuid);
    if (rc == SM_OK) {
        rc = sm__jset(root, "assessment-results", doc);
        doc = NULL;
    }
    if (rc == SM_OK)
        rc = write_json(root, path, diag);
    json_decref(plan_uuid);
    json_decref(results);
    json_decref(doc);
    json_decref(root);
    json_decref(a.observations);
    json_decref(a.findings);
    sm_buf_release(&a.tok);
    sm_buf_release(&title);
    sm__facts_release(&f);
    return sm__fail(diag, rc, "the OSCAL results", path);
}

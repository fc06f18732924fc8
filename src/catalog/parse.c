/*
 * Reading a catalog from YAML (the only file that includes yaml.h), and sm_catalog_parse.
 *
 * libyaml's event API turns the text into a small tree of scalars, sequences and mappings,
 * each with its line; the tree is then walked against the catalog's layout. The event API
 * rather than libyaml's document loader because it shows aliases (refused here: a catalog
 * needs none, and "billion laughs" documents multiply through them) and lets the reader
 * bound the depth and the number of nodes, so a hostile file costs at most a fixed multiple
 * of its size. All scalars are strings; a plain "~", "null" or empty value is an empty
 * value, so "title_en:" with nothing after it reports "'title_en' is empty".
 *
 * The reader reports what only it can see (bad YAML, bad UTF-8, a value of the wrong type,
 * unknown or repeated keys, an alias); the rules of a catalog are checked by validate.c on
 * the result. Scalars are copied into the catalog's arena, where the finished catalog's
 * strings then are.
 */
#include "catalog/internal.h"

#include "smesec/alloc.h"
#include "smesec/utf8.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <yaml.h>

#include "util/banned.h"

#define MAX_DEPTH 32
#define MAX_NODES 1000000u
#define NONE      UINT32_MAX

enum node_kind {
    N_SCALAR,
    N_SEQ,
    N_MAP,
    N_BAD /* an alias: already reported, ignored by the walk */
};

struct node {
    unsigned char kind; /* enum node_kind */
    bool plain;         /* a scalar written without quotes or block indicators */
    long line;
    const char *s; /* scalar text, NUL-terminated, in the catalog's arena */
    size_t len;
    uint32_t first, last, next; /* children, in order; for a mapping key, value, key, ... */
    uint32_t n;
};

struct reader {
    struct node *v;
    uint32_t n, cap;
    struct sm_catalog *c;
    struct sm__problems *p;
    bool oom;
};

/* The line of byte offset off (1-based). */
static long line_of(const char *s, size_t off)
{
    long line = 1;
    for (size_t i = 0; i < off; i++)
        if (s[i] == '\n')
            line++;
    return line;
}

static uint32_t add_node(struct reader *r, enum node_kind kind, long line, uint32_t parent)
{
    if (r->n == r->cap) {
        uint32_t cap = r->cap ? r->cap * 2 : 256;
        struct node *v = sm_realloc(r->v, (size_t)cap * sizeof *v);
        if (!v) {
            r->oom = true;
            return NONE;
        }
        r->v = v;
        r->cap = cap;
    }
    uint32_t id = r->n++;
    r->v[id] = (struct node){
        .kind = (unsigned char)kind, .line = line, .first = NONE, .last = NONE, .next = NONE
    };
    if (parent != NONE) {
        struct node *pa = &r->v[parent];
        if (pa->last == NONE)
            pa->first = id;
        else
            r->v[pa->last].next = id;
        pa->last = id;
        pa->n++;
    }
    return id;
}

/* Builds the tree; returns the root's index or NONE (with a problem) when the text is not
 * one well-formed YAML document within the limits. */
static uint32_t build_tree(struct reader *r, const char *yaml, size_t n)
{
    yaml_parser_t parser;
    uint32_t stack[MAX_DEPTH], root = NONE;
    int depth = 0, docs = 0;
    bool done = false, failed = false;

    if (!yaml_parser_initialize(&parser)) {
        r->oom = true;
        return NONE;
    }
    yaml_parser_set_input_string(&parser, (const unsigned char *)yaml, n);
    yaml_parser_set_encoding(&parser, YAML_UTF8_ENCODING);
    while (!done && !failed && !r->oom) {
        yaml_event_t ev;
        if (!yaml_parser_parse(&parser, &ev)) {
            if (parser.error == YAML_MEMORY_ERROR) {
                r->oom = true;
            } else {
                long line = (long)parser.problem_mark.line + 1;
                if (parser.context)
                    sm__catalog_problem_add(r->p, line, "bad YAML: %s %s", parser.problem,
                                            parser.context);
                else
                    sm__catalog_problem_add(r->p, line, "bad YAML: %s",
                                            parser.problem ? parser.problem : "cannot parse");
                r->p->malformed = true;
            }
            failed = true;
            break;
        }
        long line = (long)ev.start_mark.line + 1;
        uint32_t parent = depth ? stack[depth - 1] : NONE;
        uint32_t id = NONE;
        switch (ev.type) {
        case YAML_NO_EVENT:
        case YAML_STREAM_START_EVENT:
        case YAML_DOCUMENT_END_EVENT:
            break;
        case YAML_STREAM_END_EVENT:
            done = true;
            break;
        case YAML_DOCUMENT_START_EVENT:
            if (++docs > 1) {
                sm__catalog_problem_add(r->p, line,
                                        "a catalog file holds one YAML document, not more");
                r->p->malformed = true;
                failed = true;
            }
            break;
        case YAML_ALIAS_EVENT:
            sm__catalog_problem_add(r->p, line, "aliases ('*%s') are not allowed in a catalog",
                                    (const char *)ev.data.alias.anchor);
            id = add_node(r, N_BAD, line, parent);
            break;
        case YAML_SCALAR_EVENT:
            id = add_node(r, N_SCALAR, line, parent);
            if (id != NONE) {
                struct node *nd = &r->v[id];
                nd->plain = ev.data.scalar.style == YAML_PLAIN_SCALAR_STYLE;
                nd->len = ev.data.scalar.length;
                nd->s = sm__cat_strndup(&r->c->arena, (const char *)ev.data.scalar.value,
                                        ev.data.scalar.length);
                if (!nd->s)
                    r->oom = true;
            }
            break;
        case YAML_SEQUENCE_START_EVENT:
        case YAML_MAPPING_START_EVENT:
            if (depth == MAX_DEPTH) {
                sm__catalog_problem_add(r->p, line, "nested deeper than %d levels", MAX_DEPTH);
                r->p->malformed = true;
                failed = true;
                break;
            }
            id = add_node(r, ev.type == YAML_SEQUENCE_START_EVENT ? N_SEQ : N_MAP, line, parent);
            if (id != NONE)
                stack[depth++] = id;
            break;
        case YAML_SEQUENCE_END_EVENT:
        case YAML_MAPPING_END_EVENT:
            if (depth > 0)
                depth--;
            break;
        }
        if (id != NONE && parent == NONE && root == NONE)
            root = id;
        if (r->n > MAX_NODES && !failed) {
            sm__catalog_problem_add(r->p, line, "too many values (more than %u)", MAX_NODES);
            r->p->too_large = true;
            failed = true;
        }
        yaml_event_delete(&ev);
    }
    yaml_parser_delete(&parser);
    return failed || r->oom ? NONE : root;
}

/* --- Walking the tree ------------------------------------------------------------------- */

static bool is_null(const struct node *nd)
{
    if (nd->kind != N_SCALAR || !nd->plain)
        return false;
    static const char *const nulls[] = { "", "~", "null", "Null", "NULL" };
    for (size_t i = 0; i < sizeof nulls / sizeof nulls[0]; i++)
        if (strcmp(nd->s, nulls[i]) == 0)
            return true;
    return false;
}

/* Looks key up in names; reports unknown keys (with the closest known one) and repeats. */
static int key_index(struct reader *r, const struct node *key, const char *const *names, int count,
                     const char *where, bool *seen)
{
    char q[80];
    if (key->kind != N_SCALAR) {
        if (key->kind != N_BAD)
            sm__catalog_problem_add(r->p, key->line, "keys in %s must be plain names", where);
        return -1;
    }
    for (int i = 0; i < count; i++) {
        if (strcmp(key->s, names[i]) == 0) {
            if (seen[i]) {
                sm__catalog_problem_add(r->p, key->line, "key '%s' repeated in %s", names[i],
                                        where);
                return -1;
            }
            seen[i] = true;
            return i;
        }
    }
    const char *close = NULL;
    size_t best = 3;
    for (int i = 0; i < count; i++) {
        size_t d = sm__catalog_edit_distance(key->s, names[i]);
        if (d < best) {
            best = d;
            close = names[i];
        }
    }
    if (strlen(key->s) != key->len) /* a NUL inside: quote only what prints */
        sm__catalog_problem_add(r->p, key->line, "unknown key in %s", where);
    else if (close)
        sm__catalog_problem_add(r->p, key->line, "unknown key '%s' in %s (did you mean '%s'?)",
                                sm__catalog_quote(q, sizeof q, key->s), where, close);
    else
        sm__catalog_problem_add(r->p, key->line, "unknown key '%s' in %s",
                                sm__catalog_quote(q, sizeof q, key->s), where);
    return -1;
}

/* A string value: NULL (with a problem) when the node is not a scalar. */
static const char *string_value(struct reader *r, const struct node *nd, const char *name,
                                const char *where)
{
    if (nd->kind == N_BAD)
        return NULL;
    if (nd->kind != N_SCALAR) {
        sm__catalog_problem_add(r->p, nd->line, "'%s' in %s must be a string, not a %s", name,
                                where, nd->kind == N_SEQ ? "list" : "mapping");
        return NULL;
    }
    if (strlen(nd->s) != nd->len) {
        sm__catalog_problem_add(r->p, nd->line, "'%s' in %s contains a NUL character", name, where);
        return NULL;
    }
    return is_null(nd) ? "" : nd->s;
}

/* A string-valued field: sets *dst and the field's line, or marks it reported. */
static void take_string(struct reader *r, const struct node *nd, const char *name,
                        const char *where, struct sm__cat_where *w, int field, const char **dst)
{
    w->present[field] = true;
    w->line[field] = nd->line;
    *dst = string_value(r, nd, name, where);
    if (!*dst)
        w->reported[field] = true;
}

/* A list of strings. Returns false (reported) when the node is not one. */
static bool take_list(struct reader *r, const struct node *nd, const char *name, const char *where,
                      struct sm__cat_where *w, int field, struct sm_strings *dst)
{
    w->present[field] = true;
    w->line[field] = nd->line;
    dst->n = 0;
    dst->v = sm__catalog_no_strings;
    if (nd->kind == N_BAD || is_null(nd))
        return nd->kind != N_BAD;
    if (nd->kind != N_SEQ) {
        sm__catalog_problem_add(r->p, nd->line, "'%s' in %s must be a list of strings", name,
                                where);
        w->reported[field] = true;
        return false;
    }
    const char **v = sm__cat_calloc(&r->c->arena, nd->n + 1, sizeof *v);
    if (!v) {
        r->oom = true;
        return false;
    }
    size_t k = 0;
    bool ok = true;
    for (uint32_t e = nd->first; e != NONE; e = r->v[e].next) {
        const char *s = string_value(r, &r->v[e], name, where);
        if (!s)
            ok = false;
        else
            v[k++] = s;
    }
    if (!ok) {
        w->reported[field] = true;
        return false;
    }
    dst->n = k;
    dst->v = v;
    return true;
}

/* Names the i-th entry of a list in messages: "item 'GOV-01'" when the mapping has a usable
 * id, else "item 3". */
static void entry_label(const struct reader *r, const struct node *map, const char *kind, size_t i,
                        char *out, size_t size)
{
    for (uint32_t k = map->first; k != NONE && r->v[k].next != NONE; k = r->v[r->v[k].next].next) {
        const struct node *key = &r->v[k], *val = &r->v[key->next];
        if (key->kind == N_SCALAR && strcmp(key->s, "id") == 0 && val->kind == N_SCALAR &&
            val->len > 0 && strlen(val->s) == val->len && !is_null(val)) {
            char q[80];
            snprintf(out, size, "%s '%s'", kind, sm__catalog_quote(q, sizeof q, val->s));
            return;
        }
    }
    snprintf(out, size, "%s %zu", kind, i + 1);
}

static void read_category(struct reader *r, const struct node *map, size_t i)
{
    struct sm_category *cat = &r->c->categories[i];
    struct sm__cat_where *w = &r->c->category_where[i];
    bool seen[SM__CF_COUNT] = { false };
    char where[128];
    entry_label(r, map, "category", i, where, sizeof where);
    w->at = map->line;
    for (uint32_t k = map->first; k != NONE && r->v[k].next != NONE; k = r->v[r->v[k].next].next) {
        const struct node *key = &r->v[k], *val = &r->v[key->next];
        const char **dst = NULL;
        int f = key_index(r, key, sm__catalog_category_field_names, SM__CF_COUNT, where, seen);
        switch (f) {
        case SM__CF_ID:
            dst = &cat->id;
            break;
        case SM__CF_NAME_JA:
            dst = &cat->name_ja;
            break;
        case SM__CF_NAME_EN:
            dst = &cat->name_en;
            break;
        default:
            continue;
        }
        take_string(r, val, sm__catalog_category_field_names[f], where, w, f, dst);
    }
}

static void read_rules(struct reader *r, const struct node *map, struct sm_check_item *it,
                       struct sm__cat_where *w, const char *where)
{
    static const char *const names[] = { "terms", "context", "exclude" };
    static const int fields[] = { SM__IF_TERMS, SM__IF_CONTEXT, SM__IF_EXCLUDE };
    struct sm_strings *lists[] = { &it->terms, &it->context, &it->exclude };
    bool seen[3] = { false };
    char rwhere[160];
    snprintf(rwhere, sizeof rwhere, "the rules of %s", where);
    for (uint32_t k = map->first; k != NONE && r->v[k].next != NONE; k = r->v[r->v[k].next].next) {
        const struct node *key = &r->v[k], *val = &r->v[key->next];
        int f = key_index(r, key, names, 3, rwhere, seen);
        if (f >= 0)
            take_list(r, val, names[f], rwhere, w, fields[f], lists[f]);
    }
}

static void read_item(struct reader *r, const struct node *map, size_t i)
{
    struct sm_check_item *it = &r->c->items[i];
    struct sm__cat_where *w = &r->c->item_where[i];
    bool seen[SM__IF_COUNT] = { false };
    char where[128];
    entry_label(r, map, "item", i, where, sizeof where);
    it->references.v = it->terms.v = it->context.v = it->exclude.v = sm__catalog_no_strings;
    w->at = map->line;
    /* terms, context and exclude live under rules, not directly in the item. */
    const int item_keys = SM__IF_RULES + 1;
    for (uint32_t k = map->first; k != NONE && r->v[k].next != NONE; k = r->v[r->v[k].next].next) {
        const struct node *key = &r->v[k], *val = &r->v[key->next];
        int f = key_index(r, key, sm__catalog_item_field_names, item_keys, where, seen);
        const char *name = f >= 0 ? sm__catalog_item_field_names[f] : "";
        switch (f) {
        case SM__IF_ID:
            take_string(r, val, name, where, w, f, &it->id);
            break;
        case SM__IF_CATEGORY:
            take_string(r, val, name, where, w, f, &it->category);
            break;
        case SM__IF_STAGE:
            take_string(r, val, name, where, w, f, &w->stage_text);
            if (w->stage_text && strlen(w->stage_text) == 1 && w->stage_text[0] >= '1' &&
                w->stage_text[0] <= '0' + SM_STAGES)
                it->stage = w->stage_text[0] - '0';
            break;
        case SM__IF_TITLE_JA:
            take_string(r, val, name, where, w, f, &it->title_ja);
            break;
        case SM__IF_TITLE_EN:
            take_string(r, val, name, where, w, f, &it->title_en);
            break;
        case SM__IF_DESCRIPTION_JA:
            take_string(r, val, name, where, w, f, &it->description_ja);
            break;
        case SM__IF_DESCRIPTION_EN:
            take_string(r, val, name, where, w, f, &it->description_en);
            break;
        case SM__IF_HOWTO_JA:
            take_string(r, val, name, where, w, f, &it->howto_ja);
            break;
        case SM__IF_HOWTO_EN:
            take_string(r, val, name, where, w, f, &it->howto_en);
            break;
        case SM__IF_EXAMPLES: {
            struct sm_strings ex = { 0 };
            if (take_list(r, val, name, where, w, f, &ex)) {
                w->n_examples = ex.n;
                for (size_t s = 0; s < ex.n && s < SM_STAGES; s++)
                    it->example[s] = ex.v[s];
            }
            break;
        }
        case SM__IF_REFERENCES:
            take_list(r, val, name, where, w, f, &it->references);
            break;
        case SM__IF_RULES:
            w->present[f] = true;
            w->line[f] = val->line;
            if (val->kind == N_MAP) {
                read_rules(r, val, it, w, where);
            } else if (val->kind == N_BAD) {
                w->reported[f] = true;
            } else if (!is_null(val)) {
                sm__catalog_problem_add(
                    r->p, val->line, "'rules' in %s must be a mapping with terms, context, exclude",
                    where);
                w->reported[f] = true;
            }
            break;
        default:
            break;
        }
    }
}

/* Reads a sequence of mappings (categories or items) into *n entries of the catalog. */
static bool read_list_of_maps(struct reader *r, const struct node *seq, const char *name,
                              size_t max, size_t *count)
{
    *count = 0;
    if (seq->kind == N_BAD)
        return false;
    if (is_null(seq))
        return true;
    if (seq->kind != N_SEQ) {
        sm__catalog_problem_add(r->p, seq->line, "'%s' must be a list", name);
        return false;
    }
    size_t n = 0;
    for (uint32_t e = seq->first; e != NONE; e = r->v[e].next) {
        if (r->v[e].kind == N_MAP)
            n++;
        else if (r->v[e].kind != N_BAD)
            sm__catalog_problem_add(r->p, r->v[e].line, "each entry of '%s' must be a mapping",
                                    name);
    }
    if (n > max) {
        sm__catalog_problem_add(r->p, seq->line, "too many %s: %zu (at most %zu)", name, n, max);
        r->p->too_large = true;
        n = max;
    }
    *count = n;
    return true;
}

static void read_top(struct reader *r, uint32_t root)
{
    struct sm_catalog *c = r->c;
    const struct node *map = &r->v[root];
    bool seen[SM__TOP_COUNT] = { false };
    c->where.at = 0;
    if (map->kind != N_MAP) {
        if (map->kind != N_BAD)
            sm__catalog_problem_add(
                r->p, map->line,
                "a catalog is a mapping with version, title, title_en, categories "
                "and items");
        for (int f = 0; f < SM__TOP_COUNT; f++)
            c->where.reported[f] = true;
        return;
    }
    for (uint32_t k = map->first; k != NONE && r->v[k].next != NONE; k = r->v[r->v[k].next].next) {
        const struct node *key = &r->v[k], *val = &r->v[key->next];
        int f = key_index(r, key, sm__catalog_top_field_names, SM__TOP_COUNT, "the catalog", seen);
        struct sm__cat_where *w = &c->where;
        switch (f) {
        case SM__TOP_VERSION:
            take_string(r, val, "version", "the catalog", w, f, &c->version);
            break;
        case SM__TOP_TITLE:
            take_string(r, val, "title", "the catalog", w, f, &c->title);
            break;
        case SM__TOP_TITLE_EN:
            take_string(r, val, "title_en", "the catalog", w, f, &c->title_en);
            break;
        case SM__TOP_CATEGORIES:
        case SM__TOP_ITEMS: {
            bool items = f == SM__TOP_ITEMS;
            size_t n = 0;
            w->present[f] = true;
            w->line[f] = val->line;
            if (!read_list_of_maps(r, val, sm__catalog_top_field_names[f],
                                   items ? SM__CATALOG_MAX_ITEMS : SM__CATALOG_MAX_CATEGORIES,
                                   &n)) {
                w->reported[f] = true;
                break;
            }
            size_t size = items ? sizeof *c->items : sizeof *c->categories;
            void *arr = sm__cat_calloc(&c->arena, n, size);
            struct sm__cat_where *wh = sm__cat_calloc(&c->arena, n, sizeof *wh);
            if (!arr || !wh) {
                r->oom = true;
                return;
            }
            if (items) {
                c->items = arr;
                c->item_where = wh;
                c->n_items = n;
            } else {
                c->categories = arr;
                c->category_where = wh;
                c->n_categories = n;
            }
            size_t i = 0;
            for (uint32_t e = val->kind == N_SEQ ? val->first : NONE; e != NONE && i < n;
                 e = r->v[e].next) {
                if (r->v[e].kind != N_MAP)
                    continue;
                if (items)
                    read_item(r, &r->v[e], i++);
                else
                    read_category(r, &r->v[e], i++);
                if (r->oom)
                    return;
            }
            break;
        }
        default:
            break;
        }
    }
}

int sm__catalog_read_yaml(const char *yaml, size_t n, struct sm_catalog **out,
                          struct sm__problems *p)
{
    struct reader r = { .p = p };
    size_t bad = 0;
    *out = NULL;
    if (n > SM__CATALOG_MAX_BYTES) {
        sm__catalog_problem_add(p, 0, "the file is larger than %zu MiB",
                                SM__CATALOG_MAX_BYTES >> 20);
        p->too_large = true;
        return p->oom ? SM_ENOMEM : SM_OK;
    }
    if (!sm_utf8_valid(yaml, n, &bad)) {
        sm__catalog_problem_add(p, line_of(yaml, bad), "invalid UTF-8 at byte %zu", bad);
        p->malformed = true;
        return p->oom ? SM_ENOMEM : SM_OK;
    }
    const char *nul = memchr(yaml, '\0', n);
    if (nul) {
        size_t off = (size_t)(nul - yaml);
        sm__catalog_problem_add(p, line_of(yaml, off), "NUL byte at byte %zu", off);
        p->malformed = true;
        return p->oom ? SM_ENOMEM : SM_OK;
    }
    r.c = sm__catalog_new();
    if (!r.c)
        return SM_ENOMEM;
    uint32_t root = build_tree(&r, yaml, n);
    if (!r.oom && root == NONE && !p->malformed && !p->too_large) {
        sm__catalog_problem_add(
            p, 0,
            "the file holds no catalog (a mapping with version, title, title_en, "
            "categories and items)");
        for (int f = 0; f < SM__TOP_COUNT; f++)
            r.c->where.reported[f] = true;
    } else if (!r.oom && root != NONE) {
        read_top(&r, root);
    }
    sm_free(r.v);
    if (r.oom || p->oom) {
        sm_catalog_free(r.c);
        return SM_ENOMEM;
    }
    if (p->malformed || p->too_large) {
        sm_catalog_free(r.c);
        return SM_OK;
    }
    *out = r.c;
    return SM_OK;
}

int sm__catalog_from_yaml(const char *yaml, size_t n, const char *name, struct sm_catalog **out,
                          struct sm__problems *problems, struct sm_diag *diag)
{
    struct sm__problems local = { 0 };
    struct sm__problems *p = problems ? problems : &local;
    struct sm_catalog *c = NULL;
    int rc = sm__catalog_read_yaml(yaml, n, &c, p);
    if (!rc && c)
        sm__catalog_check(c, p);
    if (!rc && p->oom)
        rc = SM_ENOMEM;
    if (rc) {
        sm_diag_set(diag, rc, "out of memory reading catalog '%s'", name);
        goto out;
    }
    if (p->n) {
        sm__catalog_problems_sort(p);
        rc = p->too_large ? SM_ELIMIT : p->malformed ? SM_EPARSE : SM_EINVAL;
        if (diag) {
            if (p->n > 1)
                sm_diag_set(diag, rc, "invalid catalog '%s': line %ld: %s (and %zu more)", name,
                            p->v[0].line, p->v[0].msg, p->n - 1);
            else
                sm_diag_set(diag, rc, "invalid catalog '%s': line %ld: %s", name, p->v[0].line,
                            p->v[0].msg);
            diag->line = p->v[0].line;
        }
        goto out;
    }
    rc = sm__catalog_finish(c);
    if (rc) {
        sm_diag_set(diag, rc, "out of memory reading catalog '%s'", name);
        goto out;
    }
    *out = c;
    c = NULL;
out:
    sm_catalog_free(c);
    if (p == &local)
        sm__catalog_problems_release(&local);
    return rc;
}

int sm_catalog_parse(const char *yaml, size_t n, const char *name, struct sm_catalog **out,
                     struct sm_diag *diag)
{
    sm_diag_clear(diag);
    return sm__catalog_from_yaml(yaml, n, name ? name : "catalog", out, NULL, diag);
}

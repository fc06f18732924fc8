/*
 * The template engine: a Mustache subset over jansson values (the language is documented in
 * smesec/tmpl.h).
 *
 * sm_tmpl_set_new copies every file and compiles it once into a flat array of nodes (text,
 * variable, raw variable, section, inverted section, partial, message). A section node's body
 * is the run of nodes after it up to its end index, so the tree needs no pointers; dotted
 * names are split into (ptr, len) segments at compile time and partials are resolved to the
 * index of their template, so rendering never looks at template source again and allocates
 * nothing but the output buffer's growth. Scopes are a chain of stack frames.
 *
 * Invariants: a compiled set owns all its bytes (it borrows nothing from the embedded table);
 * templates are sorted by name; every section node's end lies within its template's node
 * array; every partial index names a template of the same set. After sm_tmpl_set_new returns
 * the set is never written again, so it can be shared between threads.
 *
 * Whitespace is kept byte for byte: a tag is replaced where it stands, and a line holding only
 * a section tag keeps its newline (there is no Mustache "standalone line" trimming). A tag's
 * name may be padded with spaces, tabs or newlines inside the braces ({{ name }}).
 */
#include "smesec/tmpl.h"

#include "smesec/alloc.h"
#include "smesec/utf8.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/banned.h"

/* Deepest chain of partials a render follows (the header's contract). */
#define MAX_PARTIAL_DEPTH 16
/* Deepest nesting of sections within one template. Real templates nest a handful; the cap
 * keeps render recursion (sections times partials) far from the end of the stack whatever the
 * input, which matters for the fuzzer. */
#define MAX_SECTION_DEPTH 64

#define NO_NODE SIZE_MAX

enum node_kind {
    NODE_TEXT,     /* bytes copied as they are */
    NODE_VAR,      /* {{name}}, escaped */
    NODE_RAW,      /* {{{name}}}, unescaped */
    NODE_SECTION,  /* {{#name}} .. {{/name}} */
    NODE_INVERTED, /* {{^name}} .. {{/name}} */
    NODE_PARTIAL,  /* {{>name}} */
    NODE_MESSAGE   /* {{_ key}} */
};

/* One segment of a dotted name, a view into the template's source copy. */
struct seg {
    const char *s;
    size_t len;
};

struct node {
    enum node_kind kind;
    /* TEXT: the bytes; MESSAGE: the NUL-terminated key; other tags: the name as written. */
    const char *s;
    size_t len;
    /* VAR, RAW, SECTION, INVERTED: the path is segs[seg .. seg + nseg); nseg 0 is {{.}}. */
    size_t seg;
    size_t nseg;
    /* SECTION, INVERTED: one past the last body node (while compiling an open section: the
     * index of the enclosing open section, or NO_NODE). PARTIAL: the template's index. */
    size_t end;
    long line; /* 1-based line of the tag in its file, for diagnostics */
};

struct tmpl {
    char *name;
    char *src; /* copy of the file, NUL-terminated; message keys are NUL-terminated in place */
    size_t src_len;
    struct node *nodes;
    size_t n_nodes;
    size_t cap_nodes;
    struct seg *segs;
    size_t n_segs;
    size_t cap_segs;
};

struct sm_tmpl_set {
    struct tmpl *tmpls; /* sorted by name, byte order */
    size_t count;
};

/* Sets diag's message, line and offset in one go (sm_diag_set leaves line and offset). */
static int diag_at(struct sm_diag *diag, int code, long line, long offset, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));

static int diag_at(struct sm_diag *diag, int code, long line, long offset, const char *fmt, ...)
{
    if (diag) {
        char msg[sizeof diag->msg];
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(msg, sizeof msg, fmt, ap);
        va_end(ap);
        sm_diag_set(diag, code, "%s", msg);
        diag->line = line;
        diag->offset = offset;
    }
    return code;
}

/* Orders (a, alen) against (b, blen) as strcmp would order the NUL-terminated strings. */
static int name_cmp(const char *a, size_t alen, const char *b, size_t blen)
{
    int c = memcmp(a, b, alen < blen ? alen : blen);
    if (c)
        return c;
    return alen < blen ? -1 : alen > blen ? 1 : 0;
}

static int tmpl_sort_cmp(const void *a, const void *b)
{
    const struct tmpl *ta = a;
    const struct tmpl *tb = b;
    return strcmp(ta->name, tb->name);
}

/* Returns the index of the template called (name, len), or NO_NODE. */
static size_t set_find(const struct sm_tmpl_set *set, const char *name, size_t len)
{
    size_t lo = 0;
    size_t hi = set->count;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        const char *m = set->tmpls[mid].name;
        int c = name_cmp(name, len, m, strlen(m));
        if (c == 0)
            return mid;
        if (c < 0)
            hi = mid;
        else
            lo = mid + 1;
    }
    return NO_NODE;
}

/* ---- compiling ---------------------------------------------------------------------------- */

struct compiler {
    struct tmpl *t;
    const struct sm_tmpl_set *set; /* every template named, for resolving partials */
    struct sm_diag *diag;
    size_t open; /* innermost open section node, or NO_NODE */
    int depth;   /* open sections */
};

static bool is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

static long count_lines(const char *s, size_t n)
{
    long lines = 0;
    for (const char *p = s, *e = s + n; (p = memchr(p, '\n', (size_t)(e - p))) != NULL; p++)
        lines++;
    return lines;
}

/* Returns the offset of the first occurrence of pat (plen bytes) in s[from .. n), or n. */
static size_t find(const char *s, size_t n, size_t from, const char *pat, size_t plen)
{
    while (from + plen <= n) {
        const char *p = memchr(s + from, pat[0], n - from - plen + 1);
        if (!p)
            break;
        size_t at = (size_t)(p - s);
        if (memcmp(p, pat, plen) == 0)
            return at;
        from = at + 1;
    }
    return n;
}

static int compile_error(struct compiler *c, int code, long line, size_t offset, const char *fmt,
                         ...) __attribute__((format(printf, 5, 6)));

static int compile_error(struct compiler *c, int code, long line, size_t offset, const char *fmt,
                         ...)
{
    char what[400];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(what, sizeof what, fmt, ap);
    va_end(ap);
    return diag_at(c->diag, code, line, (long)offset, "template '%s' line %ld: %s", c->t->name,
                   line, what);
}

static int push_node(struct compiler *c, enum node_kind kind, const char *s, size_t len, long line)
{
    struct tmpl *t = c->t;
    if (t->n_nodes == t->cap_nodes) {
        size_t cap = t->cap_nodes ? t->cap_nodes * 2 : 16;
        struct node *p = sm_realloc(t->nodes, cap * sizeof *p);
        if (!p)
            return SM_ENOMEM;
        t->nodes = p;
        t->cap_nodes = cap;
    }
    t->nodes[t->n_nodes++] = (struct node){
        .kind = kind, .s = s, .len = len, .seg = 0, .nseg = 0, .end = NO_NODE, .line = line
    };
    return SM_OK;
}

static int push_seg(struct compiler *c, const char *s, size_t len)
{
    struct tmpl *t = c->t;
    if (t->n_segs == t->cap_segs) {
        size_t cap = t->cap_segs ? t->cap_segs * 2 : 16;
        struct seg *p = sm_realloc(t->segs, cap * sizeof *p);
        if (!p)
            return SM_ENOMEM;
        t->segs = p;
        t->cap_segs = cap;
    }
    t->segs[t->n_segs++] = (struct seg){ .s = s, .len = len };
    return SM_OK;
}

/* Checks that a trimmed tag name is non-empty and has no space or brace in it. */
static int check_name(struct compiler *c, const char *name, size_t len, long line, size_t off)
{
    if (len == 0)
        return compile_error(c, SM_EPARSE, line, off, "empty name in tag");
    for (size_t i = 0; i < len; i++) {
        if (is_space(name[i]) || name[i] == '{' || name[i] == '}')
            return compile_error(c, SM_EPARSE, line, off, "bad name '%.*s'", (int)len, name);
    }
    return SM_OK;
}

/* Splits the dotted name of the last node into path segments ("." alone has none). */
static int split_path(struct compiler *c, size_t off)
{
    struct node *n = &c->t->nodes[c->t->n_nodes - 1];
    const char *name = n->s;
    size_t len = n->len;
    size_t first = c->t->n_segs;
    size_t nseg = 0;
    if (!(len == 1 && name[0] == '.')) {
        size_t start = 0;
        for (size_t i = 0; i <= len; i++) {
            if (i < len && name[i] != '.')
                continue;
            if (i == start)
                return compile_error(c, SM_EPARSE, n->line, off, "bad name '%.*s'", (int)len, name);
            int rc = push_seg(c, name + start, i - start);
            if (rc)
                return rc;
            nseg++;
            start = i + 1;
        }
    }
    n->seg = first;
    n->nseg = nseg;
    return SM_OK;
}

/* Compiles the tag whose inside is src[in .. in_end), which began at byte off on line. */
static int compile_tag(struct compiler *c, bool triple, size_t off, size_t in, size_t in_end,
                       long line)
{
    char *src = c->t->src;
    char sigil = '\0';
    if (!triple && in < in_end) {
        switch (src[in]) {
        case '!':
            return SM_OK; /* a comment */
        case '#':
        case '^':
        case '/':
        case '>':
        case '_':
            sigil = src[in++];
            break;
        case '&':
        case '=':
            return compile_error(c, SM_EPARSE, line, off, "unsupported tag '{{%c'", src[in]);
        default:
            break;
        }
    }
    while (in < in_end && is_space(src[in]))
        in++;
    while (in_end > in && is_space(src[in_end - 1]))
        in_end--;
    const char *name = src + in;
    size_t len = in_end - in;
    int rc = check_name(c, name, len, line, off);
    if (rc)
        return rc;

    switch (sigil) {
    case '#':
    case '^':
        if (c->depth == MAX_SECTION_DEPTH)
            return compile_error(c, SM_ELIMIT, line, off, "sections nest deeper than %d",
                                 MAX_SECTION_DEPTH);
        rc = push_node(c, sigil == '#' ? NODE_SECTION : NODE_INVERTED, name, len, line);
        if (!rc)
            rc = split_path(c, off);
        if (rc)
            return rc;
        /* Chain the open sections through end until the close tag sets it for real. */
        c->t->nodes[c->t->n_nodes - 1].end = c->open;
        c->open = c->t->n_nodes - 1;
        c->depth++;
        return SM_OK;
    case '/': {
        if (c->open == NO_NODE)
            return compile_error(c, SM_EPARSE, line, off, "'{{/%.*s}}' closes no open section",
                                 (int)len, name);
        struct node *o = &c->t->nodes[c->open];
        if (name_cmp(name, len, o->s, o->len) != 0)
            return compile_error(c, SM_EPARSE, line, off,
                                 "'{{/%.*s}}' does not close '{{%c%.*s}}' opened on line %ld",
                                 (int)len, name, o->kind == NODE_SECTION ? '#' : '^', (int)o->len,
                                 o->s, o->line);
        c->open = o->end;
        o->end = c->t->n_nodes;
        c->depth--;
        return SM_OK;
    }
    case '>': {
        size_t idx = set_find(c->set, name, len);
        if (idx == NO_NODE)
            return compile_error(c, SM_EPARSE, line, off, "unknown partial '%.*s'", (int)len, name);
        rc = push_node(c, NODE_PARTIAL, name, len, line);
        if (!rc)
            c->t->nodes[c->t->n_nodes - 1].end = idx;
        return rc;
    }
    case '_':
        /* The byte after the key is a space or a brace of this tag, never output: end the
         * key there so it can be handed to sm_i18n_get as it is. */
        src[in_end] = '\0';
        return push_node(c, NODE_MESSAGE, name, len, line);
    default:
        rc = push_node(c, triple ? NODE_RAW : NODE_VAR, name, len, line);
        if (!rc)
            rc = split_path(c, off);
        return rc;
    }
}

static int compile(struct compiler *c)
{
    struct tmpl *t = c->t;
    const char *src = t->src;
    size_t n = t->src_len;

    size_t bad;
    if (!sm_utf8_valid(src, n, &bad))
        return compile_error(c, SM_EPARSE, 1 + count_lines(src, bad), bad,
                             "invalid UTF-8 at byte %zu", bad);

    long line = 1;
    size_t p = 0;
    while (p < n) {
        size_t q = find(src, n, p, "{{", 2);
        if (q > p) {
            int rc = push_node(c, NODE_TEXT, src + p, q - p, line);
            if (rc)
                return rc;
            line += count_lines(src + p, q - p);
        }
        if (q == n)
            break;

        bool triple = q + 2 < n && src[q + 2] == '{';
        size_t in = q + (triple ? 3 : 2);
        size_t close = find(src, n, in, triple ? "}}}" : "}}", triple ? 3 : 2);
        if (close == n)
            return compile_error(c, SM_EPARSE, line, q, "unterminated tag '%s'",
                                 triple ? "{{{" : "{{");
        int rc = compile_tag(c, triple, q, in, close, line);
        if (rc)
            return rc;
        line += count_lines(src + in, close - in);
        p = close + (triple ? 3 : 2);
    }
    if (c->open != NO_NODE) {
        const struct node *o = &t->nodes[c->open];
        return compile_error(c, SM_EPARSE, o->line, (size_t)(o->s - src), "unclosed section '%.*s'",
                             (int)o->len, o->s);
    }
    return SM_OK;
}

static void tmpl_release(struct tmpl *t)
{
    sm_free(t->name);
    sm_free(t->src);
    sm_free(t->nodes);
    sm_free(t->segs);
}

void sm_tmpl_set_free(struct sm_tmpl_set *set)
{
    if (!set)
        return;
    for (size_t i = 0; i < set->count; i++)
        tmpl_release(&set->tmpls[i]);
    sm_free(set->tmpls);
    sm_free(set);
}

int sm_tmpl_set_new(const struct sm_embedded *files, struct sm_tmpl_set **out, struct sm_diag *diag)
{
    if (!files || !out)
        return diag_at(diag, SM_EINVAL, -1, -1, "cannot compile templates: no file table");

    int rc = SM_ENOMEM;
    size_t count = 0;
    while (files[count].name)
        count++;

    struct sm_tmpl_set *set = sm_calloc(1, sizeof *set);
    if (!set)
        goto out;
    set->tmpls = sm_calloc(count, sizeof *set->tmpls);
    if (!set->tmpls)
        goto out;
    for (size_t i = 0; i < count; i++) {
        struct tmpl *t = &set->tmpls[set->count];
        t->name = sm_strdup(files[i].name);
        t->src = sm_malloc(files[i].len + 1);
        set->count++; /* counted before checking, so the cleanup frees what was allocated */
        if (!t->name || !t->src)
            goto out;
        if (files[i].len)
            memcpy(t->src, files[i].data, files[i].len);
        t->src[files[i].len] = '\0';
        t->src_len = files[i].len;
    }
    if (count > 1)
        qsort(set->tmpls, count, sizeof *set->tmpls, tmpl_sort_cmp);
    for (size_t i = 1; i < count; i++) {
        if (strcmp(set->tmpls[i - 1].name, set->tmpls[i].name) == 0) {
            rc = diag_at(diag, SM_EINVAL, -1, -1, "duplicate template '%s'", set->tmpls[i].name);
            goto out;
        }
    }
    for (size_t i = 0; i < count; i++) {
        struct compiler c = { .t = &set->tmpls[i], .set = set, .diag = diag, .open = NO_NODE };
        rc = compile(&c);
        if (rc)
            goto out;
    }
    *out = set;
    set = NULL;
    rc = SM_OK;
out:
    if (rc == SM_ENOMEM)
        diag_at(diag, rc, -1, -1, "cannot compile templates: out of memory");
    sm_tmpl_set_free(set);
    return rc;
}

/* ---- rendering ---------------------------------------------------------------------------- */

/* One level of the context stack; the chain lives in the render's stack frames. */
struct scope {
    const json_t *v;
    const struct scope *up;
};

struct render {
    const struct sm_tmpl_set *set;
    const struct sm_i18n *i18n;
    enum sm_lang lang;
    struct sm_buf *out;
    struct sm_diag *diag;
    int depth;      /* partials entered */
    bool diag_done; /* diag already describes the failure */
};

/* The value a path names: its first segment looked up from the innermost scope outwards, the
 * rest within what that found (no fallback after the first segment, as in Mustache). */
static const json_t *lookup(const struct tmpl *t, const struct node *n, const struct scope *sc)
{
    if (n->nseg == 0)
        return sc->v;
    const struct seg *seg = &t->segs[n->seg];
    const json_t *v = NULL;
    for (; sc && !v; sc = sc->up) {
        if (json_is_object(sc->v))
            v = json_object_getn(sc->v, seg[0].s, seg[0].len);
    }
    for (size_t k = 1; v && k < n->nseg; k++)
        v = json_is_object(v) ? json_object_getn(v, seg[k].s, seg[k].len) : NULL;
    return v;
}

static bool truthy(const json_t *v)
{
    if (!v)
        return false;
    switch (json_typeof(v)) {
    case JSON_OBJECT:
        return true;
    case JSON_ARRAY:
        return json_array_size(v) > 0;
    case JSON_STRING:
        return json_string_length(v) > 0;
    case JSON_INTEGER:
        return json_integer_value(v) != 0;
    case JSON_REAL:
        return json_real_value(v) < 0.0 || json_real_value(v) > 0.0;
    case JSON_TRUE:
        return true;
    case JSON_FALSE:
    case JSON_NULL:
        return false;
    }
    return false;
}

/* Writes a scalar; objects, arrays, null and missing values write nothing. */
static int put_value(struct sm_buf *out, const json_t *v, bool escape)
{
    if (!v)
        return SM_OK;
    switch (json_typeof(v)) {
    case JSON_STRING:
        if (escape)
            return sm_buf_put_html(out, json_string_value(v), json_string_length(v));
        return sm_buf_append(out, json_string_value(v), json_string_length(v));
    case JSON_INTEGER:
        return sm_buf_printf(out, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
    case JSON_REAL:
        return sm_buf_printf(out, "%g", json_real_value(v));
    case JSON_TRUE:
        return sm_buf_puts(out, "true");
    case JSON_FALSE:
        return sm_buf_puts(out, "false");
    case JSON_NULL:
    case JSON_OBJECT:
    case JSON_ARRAY:
        return SM_OK;
    }
    return SM_OK;
}

static int render_nodes(struct render *r, const struct tmpl *t, size_t i, size_t end,
                        const struct scope *sc);

static int render_section(struct render *r, const struct tmpl *t, size_t i, const struct scope *sc)
{
    const struct node *n = &t->nodes[i];
    const json_t *v = lookup(t, n, sc);
    if (!truthy(v))
        return SM_OK;
    if (json_is_array(v)) {
        for (size_t k = 0; k < json_array_size(v); k++) {
            struct scope item = { .v = json_array_get(v, k), .up = sc };
            int rc = render_nodes(r, t, i + 1, n->end, &item);
            if (rc)
                return rc;
        }
        return SM_OK;
    }
    struct scope inner = { .v = v, .up = sc };
    return render_nodes(r, t, i + 1, n->end, &inner);
}

static int render_nodes(struct render *r, const struct tmpl *t, size_t i, size_t end,
                        const struct scope *sc)
{
    int rc = SM_OK;
    while (i < end && rc == SM_OK) {
        const struct node *n = &t->nodes[i];
        switch (n->kind) {
        case NODE_TEXT:
            rc = sm_buf_append(r->out, n->s, n->len);
            i++;
            break;
        case NODE_VAR:
        case NODE_RAW:
            rc = put_value(r->out, lookup(t, n, sc), n->kind == NODE_VAR);
            i++;
            break;
        case NODE_SECTION:
            rc = render_section(r, t, i, sc);
            i = n->end;
            break;
        case NODE_INVERTED:
            if (!truthy(lookup(t, n, sc)))
                rc = render_nodes(r, t, i + 1, n->end, sc);
            i = n->end;
            break;
        case NODE_PARTIAL: {
            if (r->depth == MAX_PARTIAL_DEPTH) {
                r->diag_done = true;
                return diag_at(r->diag, SM_ELIMIT, n->line, -1,
                               "template '%s' line %ld: partials nest deeper than %d", t->name,
                               n->line, MAX_PARTIAL_DEPTH);
            }
            const struct tmpl *p = &r->set->tmpls[n->end];
            r->depth++;
            rc = render_nodes(r, p, 0, p->n_nodes, sc);
            r->depth--;
            i++;
            break;
        }
        case NODE_MESSAGE: {
            if (!r->i18n) {
                r->diag_done = true;
                return diag_at(r->diag, SM_EINVAL, n->line, -1,
                               "template '%s' line %ld: message '%s' rendered without a catalog",
                               t->name, n->line, n->s);
            }
            const char *text = sm_i18n_get(r->i18n, r->lang, n->s);
            rc = sm_buf_put_html(r->out, text, strlen(text));
            i++;
            break;
        }
        }
    }
    return rc;
}

int sm_tmpl_render(const struct sm_tmpl_set *set, const char *name, const json_t *ctx,
                   const struct sm_i18n *i18n, enum sm_lang lang, struct sm_buf *out,
                   struct sm_diag *diag)
{
    if (!set || !name || !out)
        return diag_at(diag, SM_EINVAL, -1, -1, "cannot render template: missing argument");
    size_t idx = set_find(set, name, strlen(name));
    if (idx == NO_NODE)
        return diag_at(diag, SM_ENOTFOUND, -1, -1, "no template '%s'", name);

    const struct tmpl *t = &set->tmpls[idx];
    struct render r = { .set = set, .i18n = i18n, .lang = lang, .out = out, .diag = diag };
    struct scope root = { .v = ctx, .up = NULL };
    size_t start = out->len;
    int rc = render_nodes(&r, t, 0, t->n_nodes, &root);
    if (rc) {
        /* Leave out as it was: a half page must never be sent. */
        out->len = start;
        if (out->data)
            out->data[start] = '\0';
        if (!r.diag_done) {
            if (rc == SM_ELIMIT)
                diag_at(diag, rc, -1, -1, "cannot render template '%s': output exceeds %zu bytes",
                        name, out->max);
            else
                diag_at(diag, rc, -1, -1, "cannot render template '%s': %s", name, sm_strerror(rc));
        }
    }
    return rc;
}

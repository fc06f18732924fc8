/*
 * The rules every catalog obeys, whatever it was read from (see internal.h), and
 * sm_catalog_validate, which lists every break of them with its line.
 *
 * The checks never stop at the first problem: an analyst fixing a file wants the whole list
 * at once. Each check reports at the most precise line the reader noted (the field's own
 * line, else its item's), and messages quote the subject, cut to a readable length at a
 * character boundary so they stay valid UTF-8. Rules beyond "present and not empty" exist for
 * the round trip through Excel: list entries may not contain '|' (the spreadsheet's separator)
 * or begin or end with a space, and no text may be longer than a cell holds.
 */
#include "catalog/internal.h"

#include "smesec/alloc.h"
#include "smesec/utf8.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/banned.h"

#define ID_MAX 64

/* --- Problems --------------------------------------------------------------------------- */

/* Cuts a string that snprintf truncated back to its last whole UTF-8 character. */
static void trim_partial_utf8(char *s)
{
    size_t n = strlen(s);
    size_t i = n;
    /* Step back over continuation bytes to the lead byte of the last character. */
    while (i > 0 && ((unsigned char)s[i - 1] & 0xC0) == 0x80)
        i--;
    if (i == 0)
        return;
    unsigned char lead = (unsigned char)s[i - 1];
    size_t want = lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : lead >= 0xC0 ? 2 : 1;
    if (n - (i - 1) < want)
        s[i - 1] = '\0';
}

/* Which section's prefix msg starts with (0 when none matches). */
static int section_of(const struct sm__problems *p, const char *msg)
{
    for (int k = 0; k < 3; k++)
        if (p->prefix[k] && strncmp(msg, p->prefix[k], strlen(p->prefix[k])) == 0)
            return k;
    return 0;
}

/* Spreadsheet rows get one problem each: a second problem on a row is appended to the
 * first, without repeating the label ("item 'X': ") the two share. */
static bool merge_into_row(struct sm__problems *p, long line, const char *prefix, const char *text)
{
    size_t plen = prefix ? strlen(prefix) : 0;
    for (size_t j = p->n; j-- > 0;) {
        struct sm_catalog_problem *pr = &p->v[j];
        if (pr->line != line || (plen && strncmp(pr->msg, prefix, plen) != 0))
            continue;
        const char *old = pr->msg + plen;
        size_t cut = 0;
        for (size_t k = 0; text[k] && text[k] == old[k]; k++)
            if (text[k] == ':' && text[k + 1] == ' ' && old[k + 1] == ' ')
                cut = k + 2;
        size_t len = strlen(pr->msg);
        snprintf(pr->msg + len, sizeof pr->msg - len, "; %s", text + cut);
        trim_partial_utf8(pr->msg);
        return true;
    }
    return false;
}

void sm__catalog_problem_add(struct sm__problems *p, long line, const char *fmt, ...)
{
    char text[sizeof p->v[0].msg];
    const char *prefix = p->prefix[p->section];
    if (p->n > SM__CATALOG_MAX_PROBLEMS)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(text, sizeof text, fmt, ap);
    va_end(ap);
    if (line < 0)
        line = 0;
    if (p->rows && line > 0 && merge_into_row(p, line, prefix, text))
        return;
    if (p->n == p->cap) {
        size_t cap = p->cap ? p->cap * 2 : 16;
        struct sm_catalog_problem *v = sm_realloc(p->v, cap * sizeof *v);
        if (!v) {
            p->oom = true;
            return;
        }
        p->v = v;
        p->cap = cap;
    }
    struct sm_catalog_problem *pr = &p->v[p->n++];
    if (p->n > SM__CATALOG_MAX_PROBLEMS) {
        pr->line = 0;
        snprintf(pr->msg, sizeof pr->msg, "too many problems; stopped after %d",
                 SM__CATALOG_MAX_PROBLEMS);
        return;
    }
    pr->line = line;
    snprintf(pr->msg, sizeof pr->msg, "%s%s", prefix ? prefix : "", text);
    trim_partial_utf8(pr->msg);
}

/* Orders problems by section (for a workbook: its sheet) and line. */
static bool goes_before(const struct sm__problems *p, const struct sm_catalog_problem *a,
                        const struct sm_catalog_problem *b)
{
    int sa = p->rows ? section_of(p, a->msg) : 0, sb = p->rows ? section_of(p, b->msg) : 0;
    return sa != sb ? sa < sb : a->line < b->line;
}

void sm__catalog_problems_sort(struct sm__problems *p)
{
    /* Insertion sort: stable, and the list is at most SM__CATALOG_MAX_PROBLEMS + 1 long and
     * nearly sorted already. The "too many" entry stays last. */
    size_t n = p->n > SM__CATALOG_MAX_PROBLEMS ? SM__CATALOG_MAX_PROBLEMS : p->n;
    for (size_t i = 1; i < n; i++) {
        struct sm_catalog_problem tmp = p->v[i];
        size_t j = i;
        while (j > 0 && goes_before(p, &tmp, &p->v[j - 1])) {
            p->v[j] = p->v[j - 1];
            j--;
        }
        p->v[j] = tmp;
    }
}

void sm__catalog_problems_release(struct sm__problems *p)
{
    sm_free(p->v);
    p->v = NULL;
    p->n = p->cap = 0;
}

struct sm_catalog_problem *sm__catalog_problems_take(struct sm__problems *p, size_t *n)
{
    struct sm_catalog_problem *v = p->v;
    *n = p->n;
    if (p->n == 0) {
        sm_free(v);
        v = NULL;
    }
    p->v = NULL;
    p->n = p->cap = 0;
    return v;
}

const char *sm__catalog_quote(char *out, size_t size, const char *s)
{
    size_t n = strlen(s);
    if (n < size) {
        memcpy(out, s, n + 1);
        return out;
    }
    /* Keep room for "..." and the NUL, and cut at the start of a character. */
    size_t keep = size - 4;
    while (keep > 0 && ((unsigned char)s[keep] & 0xC0) == 0x80)
        keep--;
    memcpy(out, s, keep);
    memcpy(out + keep, "...", 4);
    return out;
}

size_t sm__catalog_edit_distance(const char *a, const char *b)
{
    enum {
        MAXLEN = 40
    };

    size_t la = strlen(a), lb = strlen(b);
    if (la > MAXLEN || lb > MAXLEN)
        return SIZE_MAX;
    size_t row[MAXLEN + 1];
    for (size_t j = 0; j <= lb; j++)
        row[j] = j;
    for (size_t i = 1; i <= la; i++) {
        size_t diag = row[0];
        row[0] = i;
        for (size_t j = 1; j <= lb; j++) {
            size_t up = row[j];
            size_t best = diag + (a[i - 1] != b[j - 1]);
            if (up + 1 < best)
                best = up + 1;
            if (row[j - 1] + 1 < best)
                best = row[j - 1] + 1;
            row[j] = best;
            diag = up;
        }
    }
    return row[lb];
}

/* --- Text ------------------------------------------------------------------------------- */

void sm__catalog_check_text(struct sm__problems *p, long line, const char *what, const char *s)
{
    size_t n = strlen(s), bad = 0;
    if (!sm_utf8_valid(s, n, &bad)) {
        sm__catalog_problem_add(p, line, "%s: invalid UTF-8 at byte %zu of the text", what, bad);
        return;
    }
    size_t units = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if ((c < 0x20 && c != '\t' && c != '\n') || c == 0x7F) {
            sm__catalog_problem_add(p, line, "%s: control character U+%04X is not allowed", what,
                                    c);
            return;
        }
        /* C1 controls U+0080..U+009F are encoded C2 80..C2 9F. */
        if (c == 0xC2 && i + 1 < n && (unsigned char)s[i + 1] < 0xA0) {
            sm__catalog_problem_add(p, line, "%s: control character U+%04X is not allowed", what,
                                    (unsigned)(unsigned char)s[i + 1]);
            return;
        }
        /* UTF-16 units, as Excel counts: one per character, two for those above U+FFFF. */
        if ((c & 0xC0) != 0x80)
            units += c >= 0xF0 ? 2 : 1;
    }
    if (units > SM__CATALOG_MAX_CELL)
        sm__catalog_problem_add(
            p, line, "%s: text is longer than %d characters (a spreadsheet cell's limit)", what,
            SM__CATALOG_MAX_CELL);
}

/* --- The rules -------------------------------------------------------------------------- */

static bool id_char(char ch)
{
    return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
           ch == '-' || ch == '_' || ch == '.';
}

/* Ids (and the version) appear in URLs, file names and spreadsheet cells: a safe alphabet. */
static bool id_valid(const char *s)
{
    size_t n = strlen(s);
    if (n == 0 || n > ID_MAX || !id_char(s[0]) || s[0] == '.' || s[0] == '-')
        return false;
    for (size_t i = 0; i < n; i++)
        if (!id_char(s[i]))
            return false;
    return true;
}

static long at(const struct sm__cat_where *w, int field)
{
    return w->line[field] ? w->line[field] : w->at;
}

/* A required string: missing (reported at the mapping's line), empty, or checked text. */
static void check_string(struct sm__problems *p, const char *label, const struct sm__cat_where *w,
                         int field, const char *name, const char *s)
{
    if (w->reported[field])
        return;
    if (!s)
        sm__catalog_problem_add(p, w->at, "%smissing '%s'", label, name);
    else if (!*s)
        sm__catalog_problem_add(p, at(w, field), "%s'%s' is empty", label, name);
    else {
        char what[128];
        snprintf(what, sizeof what, "%s'%s'", label, name);
        sm__catalog_check_text(p, at(w, field), what, s);
    }
}

static void check_id(struct sm__problems *p, const char *label, long line, const char *kind,
                     const char *id)
{
    char q[80];
    if (id && *id && !id_valid(id))
        sm__catalog_problem_add(
            p, line,
            "%s%s '%s' must be 1 to %d of A-Z, a-z, 0-9, '.', '_', '-' and start "
            "with a letter or digit",
            label, kind, sm__catalog_quote(q, sizeof q, id), ID_MAX);
}

static bool has_space_at_ends(const char *s)
{
    size_t n = strlen(s);
    return n && (s[0] == ' ' || s[0] == '\t' || s[0] == '\n' || s[n - 1] == ' ' ||
                 s[n - 1] == '\t' || s[n - 1] == '\n');
}

/* A list of strings: every entry non-empty, trimmed, without '|', and valid text. */
static void check_list(struct sm__problems *p, const char *label, const struct sm__cat_where *w,
                       int field, const char *name, const struct sm_strings *list)
{
    char q[80], what[128];
    long line = at(w, field);
    if (w->reported[field])
        return;
    if (list->n > SM__CATALOG_MAX_LIST)
        sm__catalog_problem_add(p, line, "%s'%s' has more than %d entries", label, name,
                                SM__CATALOG_MAX_LIST);
    for (size_t i = 0; i < list->n; i++) {
        const char *s = list->v[i];
        if (!*s) {
            sm__catalog_problem_add(p, line, "%s'%s' entry %zu is empty", label, name, i + 1);
            continue;
        }
        snprintf(what, sizeof what, "%s'%s' entry %zu", label, name, i + 1);
        sm__catalog_check_text(p, line, what, s);
        if (strchr(s, '|'))
            sm__catalog_problem_add(
                p, line,
                "%s'%s' entry '%s' contains '|', which separates entries in the "
                "spreadsheet",
                label, name, sm__catalog_quote(q, sizeof q, s));
        else if (has_space_at_ends(s))
            sm__catalog_problem_add(p, line, "%s'%s' entry '%s' begins or ends with a space", label,
                                    name, sm__catalog_quote(q, sizeof q, s));
    }
}

/* Reports ids that occur twice (at the second, naming the first's line). */
struct id_ref {
    const char *id;
    size_t index;
};

static int id_ref_cmp(const void *a, const void *b)
{
    const struct id_ref *x = a, *y = b;
    int c = strcmp(x->id, y->id);
    return c ? c : (x->index > y->index) - (x->index < y->index);
}

static void check_duplicates(struct sm__problems *p, const char *kind, size_t n,
                             const char *(*id_of)(const struct sm_catalog *, size_t),
                             const struct sm__cat_where *where, int id_field,
                             const struct sm_catalog *c)
{
    if (n < 2)
        return;
    struct id_ref *refs = sm_calloc(n, sizeof *refs);
    if (!refs) {
        p->oom = true;
        return;
    }
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        const char *id = id_of(c, i);
        if (id && *id)
            refs[k++] = (struct id_ref){ .id = id, .index = i };
    }
    qsort(refs, k, sizeof *refs, id_ref_cmp);
    /* Report in file order: mark the duplicates, then walk the items. */
    bool *dup = sm_calloc(n, sizeof *dup);
    size_t *first = sm_calloc(n, sizeof *first);
    if (!dup || !first) {
        p->oom = true;
        goto out;
    }
    for (size_t i = 1; i < k; i++) {
        if (strcmp(refs[i].id, refs[i - 1].id) == 0) {
            dup[refs[i].index] = true;
            first[refs[i].index] =
                dup[refs[i - 1].index] ? first[refs[i - 1].index] : refs[i - 1].index;
        }
    }
    for (size_t i = 0; i < n; i++) {
        if (!dup[i])
            continue;
        char q[80];
        sm__catalog_problem_add(p, at(&where[i], id_field),
                                "duplicate %s id '%s' (first at %s %ld)", kind,
                                sm__catalog_quote(q, sizeof q, id_of(c, i)),
                                p->rows ? "row" : "line", at(&where[first[i]], id_field));
    }
out:
    sm_free(first);
    sm_free(dup);
    sm_free(refs);
}

static const char *nth_category_id(const struct sm_catalog *c, size_t i)
{
    return c->categories[i].id;
}

static const char *nth_item_id(const struct sm_catalog *c, size_t i)
{
    return c->items[i].id;
}

/* A list the catalog cannot do without (categories, items): present and not empty. */
static void check_list_present(struct sm__problems *p, const struct sm__cat_where *w, int field,
                               const char *name, size_t n)
{
    if (w->reported[field])
        return;
    if (!w->present[field])
        sm__catalog_problem_add(p, w->at, "missing '%s'", name);
    else if (n == 0)
        sm__catalog_problem_add(p, at(w, field), "'%s' is empty", name);
}

static void check_top(const struct sm_catalog *c, struct sm__problems *p)
{
    const struct sm__cat_where *w = &c->where;
    p->section = SM__SEC_TOP;
    check_string(p, "", w, SM__TOP_VERSION, "version", c->version);
    if (c->version && *c->version && !id_valid(c->version)) {
        char q[80];
        sm__catalog_problem_add(p, at(w, SM__TOP_VERSION),
                                "version '%s' must be 1 to %d of A-Z, a-z, 0-9, '.', '_', '-'",
                                sm__catalog_quote(q, sizeof q, c->version), ID_MAX);
    }
    check_string(p, "", w, SM__TOP_TITLE, "title", c->title);
    check_string(p, "", w, SM__TOP_TITLE_EN, "title_en", c->title_en);
    check_list_present(p, w, SM__TOP_CATEGORIES, "categories", c->n_categories);
    check_list_present(p, w, SM__TOP_ITEMS, "items", c->n_items);
}

/* "category 'x': " or, without a usable id, "category 3: ". */
static void label_of(char *label, size_t size, const char *kind, const char *id, size_t i)
{
    char q[80];
    if (id && *id)
        snprintf(label, size, "%s '%s': ", kind, sm__catalog_quote(q, sizeof q, id));
    else
        snprintf(label, size, "%s %zu: ", kind, i + 1);
}

static void check_categories(const struct sm_catalog *c, struct sm__problems *p)
{
    char label[128];
    p->section = SM__SEC_CATEGORIES;
    for (size_t i = 0; i < c->n_categories; i++) {
        const struct sm_category *cat = &c->categories[i];
        const struct sm__cat_where *w = &c->category_where[i];
        label_of(label, sizeof label, "category", cat->id, i);
        check_string(p, label, w, SM__CF_ID, "id", cat->id);
        check_id(p, "", at(w, SM__CF_ID), "category id", cat->id);
        check_string(p, label, w, SM__CF_NAME_JA, "name_ja", cat->name_ja);
        check_string(p, label, w, SM__CF_NAME_EN, "name_en", cat->name_en);
    }
    check_duplicates(p, "category", c->n_categories, nth_category_id, c->category_where, SM__CF_ID,
                     c);
}

static bool category_defined(const struct sm_catalog *c, const char *id, const char **close)
{
    size_t best = 3;
    *close = NULL;
    for (size_t i = 0; i < c->n_categories; i++) {
        const char *cid = c->categories[i].id;
        if (!cid)
            continue;
        if (strcmp(cid, id) == 0)
            return true;
        size_t d = sm__catalog_edit_distance(cid, id);
        if (d < best) {
            best = d;
            *close = cid;
        }
    }
    return false;
}

/* examples: exactly one non-empty text per stage. */
static void check_examples(struct sm__problems *p, const char *label,
                           const struct sm_check_item *it, const struct sm__cat_where *w)
{
    if (w->reported[SM__IF_EXAMPLES])
        return;
    if (!w->present[SM__IF_EXAMPLES]) {
        sm__catalog_problem_add(p, w->at, "%smissing 'examples' (one per stage, 1 to 3)", label);
        return;
    }
    if (w->n_examples != SM_STAGES) {
        sm__catalog_problem_add(
            p, at(w, SM__IF_EXAMPLES),
            "%s'examples' must have exactly %d entries (stages 1 to 3), not %zu", label, SM_STAGES,
            w->n_examples);
        return;
    }
    for (int s = 0; s < SM_STAGES; s++) {
        const char *ex = it->example[s];
        if (!ex || !*ex) {
            sm__catalog_problem_add(p, at(w, SM__IF_EXAMPLES), "%sexample for stage %d is empty",
                                    label, s + 1);
        } else {
            char what[160];
            snprintf(what, sizeof what, "%sexample for stage %d", label, s + 1);
            sm__catalog_check_text(p, at(w, SM__IF_EXAMPLES), what, ex);
        }
    }
}

/* rules: at least one term. The lists themselves are checked by check_list. */
static void check_rules(struct sm__problems *p, const char *label, const struct sm_check_item *it,
                        const struct sm__cat_where *w)
{
    if (w->reported[SM__IF_RULES] || w->reported[SM__IF_TERMS])
        return; /* the reader said what is wrong with them */
    if (!w->present[SM__IF_RULES])
        sm__catalog_problem_add(p, w->at, "%smissing 'rules' (with at least one entry in 'terms')",
                                label);
    else if (!w->present[SM__IF_TERMS])
        sm__catalog_problem_add(p, at(w, SM__IF_RULES), "%smissing 'rules.terms'", label);
    else if (it->terms.n == 0)
        sm__catalog_problem_add(
            p, at(w, SM__IF_TERMS),
            "%s'rules.terms' is empty: an item needs at least one detection term", label);
}

static void check_item(const struct sm_catalog *c, size_t i, struct sm__problems *p)
{
    static const int strings[] = { SM__IF_TITLE_JA,       SM__IF_TITLE_EN, SM__IF_DESCRIPTION_JA,
                                   SM__IF_DESCRIPTION_EN, SM__IF_HOWTO_JA, SM__IF_HOWTO_EN };
    const struct sm_check_item *it = &c->items[i];
    const struct sm__cat_where *w = &c->item_where[i];
    const char *values[SM__IF_COUNT] = {
        [SM__IF_TITLE_JA] = it->title_ja,
        [SM__IF_TITLE_EN] = it->title_en,
        [SM__IF_DESCRIPTION_JA] = it->description_ja,
        [SM__IF_DESCRIPTION_EN] = it->description_en,
        [SM__IF_HOWTO_JA] = it->howto_ja,
        [SM__IF_HOWTO_EN] = it->howto_en,
    };
    char label[128], q[80];
    label_of(label, sizeof label, "item", it->id, i);

    check_string(p, label, w, SM__IF_ID, "id", it->id);
    check_id(p, "", at(w, SM__IF_ID), "item id", it->id);

    check_string(p, label, w, SM__IF_CATEGORY, "category", it->category);
    const char *close = NULL;
    if (it->category && *it->category && !category_defined(c, it->category, &close)) {
        if (close)
            sm__catalog_problem_add(p, at(w, SM__IF_CATEGORY),
                                    "%sunknown category '%s' (did you mean '%s'?)", label,
                                    sm__catalog_quote(q, sizeof q, it->category), close);
        else
            sm__catalog_problem_add(p, at(w, SM__IF_CATEGORY), "%sunknown category '%s'", label,
                                    sm__catalog_quote(q, sizeof q, it->category));
    }

    if (!w->reported[SM__IF_STAGE] && !w->present[SM__IF_STAGE])
        sm__catalog_problem_add(p, w->at, "%smissing 'stage'", label);
    else if (!w->reported[SM__IF_STAGE] && (it->stage < 1 || it->stage > SM_STAGES))
        sm__catalog_problem_add(p, at(w, SM__IF_STAGE), "%s'stage' must be 1, 2 or 3, not '%s'",
                                label,
                                sm__catalog_quote(q, sizeof q, w->stage_text ? w->stage_text : ""));

    for (size_t k = 0; k < sizeof strings / sizeof strings[0]; k++)
        check_string(p, label, w, strings[k], sm__catalog_item_field_names[strings[k]],
                     values[strings[k]]);

    check_examples(p, label, it, w);
    check_list(p, label, w, SM__IF_REFERENCES, "references", &it->references);

    check_rules(p, label, it, w);
    check_list(p, label, w, SM__IF_TERMS, "rules.terms", &it->terms);
    check_list(p, label, w, SM__IF_CONTEXT, "rules.context", &it->context);
    check_list(p, label, w, SM__IF_EXCLUDE, "rules.exclude", &it->exclude);
}

void sm__catalog_check(const struct sm_catalog *c, struct sm__problems *p)
{
    check_top(c, p);
    check_categories(c, p);
    p->section = SM__SEC_ITEMS;
    for (size_t i = 0; i < c->n_items; i++)
        check_item(c, i, p);
    check_duplicates(p, "item", c->n_items, nth_item_id, c->item_where, SM__IF_ID, c);
    p->section = SM__SEC_TOP;
}

int sm_catalog_validate(const char *yaml, size_t n, struct sm_catalog_problem **problems,
                        size_t *n_problems)
{
    struct sm__problems p = { 0 };
    struct sm_catalog *c = NULL;
    *problems = NULL;
    *n_problems = 0;
    int rc = sm__catalog_read_yaml(yaml, n, &c, &p);
    if (!rc && c)
        sm__catalog_check(c, &p);
    sm_catalog_free(c);
    if (!rc && p.oom)
        rc = SM_ENOMEM;
    if (rc) {
        sm__catalog_problems_release(&p);
        return rc;
    }
    sm__catalog_problems_sort(&p);
    *problems = sm__catalog_problems_take(&p, n_problems);
    return SM_OK;
}

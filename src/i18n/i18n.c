/*
 * Message catalogs (see smesec/i18n.h).
 *
 * sm_i18n_new parses ja.json and en.json with jansson, checks that each is a flat object of
 * strings and that both have the same keys, then copies everything into one table sorted by
 * key, each row holding the key and its text in every language, with all the strings in one
 * pool. The jansson values are dropped after loading, so a lookup is a binary search over
 * plain memory: cheap, allocation-free and safe from any number of threads.
 *
 * Invariants: rows are sorted by key in byte order with no duplicates (jansson rejects
 * duplicate keys while parsing); every row has a non-NULL text for every language; nothing
 * is written after sm_i18n_new returns.
 */
#include "smesec/i18n.h"

#include "smesec/alloc.h"

#include <jansson.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/banned.h"

struct msg {
    const char *key;
    const char *text[SM_LANG_COUNT];
};

struct sm_i18n {
    struct msg *msgs; /* sorted by key */
    size_t count;
    char *pool; /* every key and text, NUL-terminated */
};

/* The catalog file of each language, indexed by enum sm_lang. */
static const char *const catalog_files[SM_LANG_COUNT] = { "ja.json", "en.json" };

const char *sm_lang_code(enum sm_lang lang)
{
    switch (lang) {
    case SM_LANG_JA:
        return "ja";
    case SM_LANG_EN:
        return "en";
    }
    return "ja"; /* not a language: fall back to the primary one */
}

int sm_lang_parse(const char *code, enum sm_lang *out)
{
    if (!code || !out)
        return SM_EINVAL;
    if (strcmp(code, "ja") == 0)
        *out = SM_LANG_JA;
    else if (strcmp(code, "en") == 0)
        *out = SM_LANG_EN;
    else
        return SM_EINVAL;
    return SM_OK;
}

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

/*
 * Returns the line on which the value of the index-th member of a top-level JSON object
 * starts. Only called on text jansson has accepted as an object, whose members it iterates
 * in file order, so this scanner need not validate anything.
 */
static long member_line(const char *s, size_t n, size_t index)
{
    long line = 1;
    int depth = 0;
    size_t member = 0;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (c == '\n') {
            line++;
        } else if (c == '"') {
            for (i++; i < n && s[i] != '"'; i++) {
                if (s[i] == '\\')
                    i++;
            }
        } else if (c == '{' || c == '[') {
            depth++;
        } else if (c == '}' || c == ']') {
            depth--;
        } else if (c == ':' && depth == 1) {
            if (member++ < index)
                continue;
            for (i++; i < n && (s[i] == ' ' || s[i] == '\t' || s[i] == '\r' || s[i] == '\n'); i++) {
                if (s[i] == '\n')
                    line++;
            }
            return line;
        }
    }
    return -1;
}

/* Parses one catalog file into *out (a new reference) and checks it is a flat object of
 * strings. */
static int load_file(const struct sm_embedded *f, json_t **out, struct sm_diag *diag)
{
    const char *file = f->name;
    json_error_t err;
    json_t *root = json_loadb((const char *)f->data, f->len, JSON_REJECT_DUPLICATES, &err);
    if (!root)
        return diag_at(diag, SM_EPARSE, err.line, err.position,
                       "cannot parse message catalog '%s' line %d: %s", file, err.line, err.text);
    if (!json_is_object(root)) {
        json_decref(root);
        return diag_at(diag, SM_EPARSE, 1, 0, "message catalog '%s' is not a JSON object", file);
    }

    size_t index = 0;
    const char *key;
    json_t *value;
    json_object_foreach(root, key, value)
    {
        if (!json_is_string(value)) {
            /* key belongs to root: report before letting go of it. */
            long line = member_line((const char *)f->data, f->len, index);
            diag_at(diag, SM_EPARSE, line, -1,
                    "message '%s' in catalog '%s' line %ld is not a string", key, file, line);
            json_decref(root);
            return SM_EPARSE;
        }
        index++;
    }
    *out = root;
    return SM_OK;
}

/* True when name is the language's catalog "ja.json" or one of its parts "ja-<part>.json":
 * each part of the program keeps its strings in a file of its own. */
static bool is_catalog_of(const char *name, const char *code)
{
    size_t c = strlen(code), n = strlen(name);
    if (strncmp(name, code, c) != 0 || n < c + 5 || strcmp(name + n - 5, ".json") != 0)
        return false;
    return n == c + 5 || (name[c] == '-' && n > c + 6);
}

/* Loads the language's catalog and every part of it into one object (a new reference). A key
 * defined in two files is an error naming it. */
static int load_catalog(const struct sm_embedded *files, enum sm_lang lang, json_t **out,
                        struct sm_diag *diag)
{
    const char *code = sm_lang_code(lang);
    if (!sm_embedded_find(files, catalog_files[lang]))
        return diag_at(diag, SM_ENOTFOUND, -1, -1, "cannot find message catalog '%s'",
                       catalog_files[lang]);
    json_t *all = json_object();
    if (!all)
        return SM_ENOMEM;
    int rc = SM_OK;
    for (const struct sm_embedded *f = files; f->name && rc == SM_OK; f++) {
        if (!is_catalog_of(f->name, code))
            continue;
        json_t *part = NULL;
        rc = load_file(f, &part, diag);
        const char *key;
        json_t *value;
        if (rc == SM_OK) {
            json_object_foreach(part, key, value)
            {
                if (json_object_get(all, key)) {
                    rc = diag_at(diag, SM_EINVAL, -1, -1,
                                 "message '%s' of catalog '%s' is defined in another '%s*.json'"
                                 " too",
                                 key, f->name, code);
                    break;
                }
                if (json_object_set(all, key, value) != 0) {
                    rc = SM_ENOMEM;
                    break;
                }
            }
        }
        json_decref(part);
    }
    if (rc) {
        json_decref(all);
        return rc;
    }
    *out = all;
    return SM_OK;
}

/* Checks that every key of catalogs[a] is in catalogs[b]. */
static int check_keys(json_t *const catalogs[SM_LANG_COUNT], int a, int b, struct sm_diag *diag)
{
    const char *key;
    json_t *value;
    json_object_foreach(catalogs[a], key, value)
    {
        if (!json_object_get(catalogs[b], key))
            return diag_at(diag, SM_EINVAL, -1, -1,
                           "message '%s' of catalog '%s' is missing from '%s'", key,
                           catalog_files[a], catalog_files[b]);
    }
    return SM_OK;
}

static int msg_cmp(const void *a, const void *b)
{
    const struct msg *ma = a;
    const struct msg *mb = b;
    return strcmp(ma->key, mb->key);
}

/* Appends s and its NUL at *at in pool, returns where it went. */
static const char *pool_put(char *pool, size_t *at, const char *s)
{
    size_t n = strlen(s) + 1;
    char *dst = pool + *at;
    memcpy(dst, s, n);
    *at += n;
    return dst;
}

/* Copies the checked catalogs into a new sorted table. */
static int build(json_t *const catalogs[SM_LANG_COUNT], struct sm_i18n **out)
{
    int rc = SM_ENOMEM;
    json_t *first = catalogs[0];
    size_t count = json_object_size(first);
    size_t pool_len = 0;
    const char *key;
    json_t *value;
    json_object_foreach(first, key, value)
    {
        pool_len += strlen(key) + 1;
        for (int l = 0; l < SM_LANG_COUNT; l++)
            pool_len += json_string_length(json_object_get(catalogs[l], key)) + 1;
    }

    struct sm_i18n *i18n = sm_calloc(1, sizeof *i18n);
    if (!i18n)
        goto out;
    i18n->msgs = sm_calloc(count, sizeof *i18n->msgs);
    i18n->pool = sm_malloc(pool_len);
    if (!i18n->msgs || !i18n->pool)
        goto out;

    size_t at = 0;
    json_object_foreach(first, key, value)
    {
        struct msg *m = &i18n->msgs[i18n->count++];
        m->key = pool_put(i18n->pool, &at, key);
        for (int l = 0; l < SM_LANG_COUNT; l++)
            m->text[l] =
                pool_put(i18n->pool, &at, json_string_value(json_object_get(catalogs[l], key)));
    }
    if (i18n->count > 1)
        qsort(i18n->msgs, i18n->count, sizeof *i18n->msgs, msg_cmp);
    *out = i18n;
    i18n = NULL;
    rc = SM_OK;
out:
    sm_i18n_free(i18n);
    return rc;
}

int sm_i18n_new(const struct sm_embedded *files, struct sm_i18n **out, struct sm_diag *diag)
{
    if (!files || !out)
        return diag_at(diag, SM_EINVAL, -1, -1, "cannot load message catalogs: no file table");

    json_t *catalogs[SM_LANG_COUNT] = { NULL };
    int rc = SM_OK;
    for (int l = 0; l < SM_LANG_COUNT && !rc; l++)
        rc = load_catalog(files, (enum sm_lang)l, &catalogs[l], diag);
    /* Both directions, so the report names a key whichever catalog lacks it. */
    for (int l = 1; l < SM_LANG_COUNT && !rc; l++) {
        rc = check_keys(catalogs, 0, l, diag);
        if (!rc)
            rc = check_keys(catalogs, l, 0, diag);
    }
    if (!rc) {
        rc = build(catalogs, out);
        if (rc)
            diag_at(diag, rc, -1, -1, "cannot load message catalogs: %s", sm_strerror(rc));
    }
    for (int l = 0; l < SM_LANG_COUNT; l++)
        json_decref(catalogs[l]);
    return rc;
}

void sm_i18n_free(struct sm_i18n *i18n)
{
    if (!i18n)
        return;
    sm_free(i18n->msgs);
    sm_free(i18n->pool);
    sm_free(i18n);
}

const char *sm_i18n_get(const struct sm_i18n *i18n, enum sm_lang lang, const char *key)
{
    if (!key)
        return "";
    if (!i18n || (unsigned)lang >= SM_LANG_COUNT)
        return key;
    size_t lo = 0;
    size_t hi = i18n->count;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = strcmp(key, i18n->msgs[mid].key);
        if (c == 0)
            return i18n->msgs[mid].text[lang];
        if (c < 0)
            hi = mid;
        else
            lo = mid + 1;
    }
    return key;
}

/*
 * MeCab tokenisation: the one file that includes mecab.h.
 *
 * Taggers share one MeCab model (the dictionary, memory-mapped: some 50 MB of the IPA
 * dictionary, which every thread would otherwise map and touch again), loaded by the first
 * tagger and released with the last under a mutex; the model is thread-safe. Each tagger has
 * its own MeCab tagger and lattice, which are not: a lattice holds one parse, so a tagger is
 * used by one thread at a time. The IPA dictionary's
 * feature string is "品詞,細分類1,細分類2,細分類3,活用型,活用形,基本形,読み,発音"; field 7
 * (基本形) is the lemma, and "*" or a missing field (unknown words) means the surface is used.
 * Tokens are kept in an array owned by the tagger and reused from one parse to the next.
 * Adjacent katakana-only tokens are merged into one (see tokenize.h for why).
 */
#include "commons/tokenize.h"

#include "smesec/alloc.h"

#include <mecab.h>
#include <pthread.h>
#include <string.h>

#include "util/banned.h"

/* The shared model and how many taggers use it. */
static pthread_mutex_t model_mutex = PTHREAD_MUTEX_INITIALIZER;
static mecab_model_t *shared_model;
static size_t model_users;

static int charset_is_utf8(const char *cs)
{
    return cs && (strcmp(cs, "utf8") == 0 || strcmp(cs, "UTF-8") == 0 || strcmp(cs, "utf-8") == 0 ||
                  strcmp(cs, "UTF8") == 0);
}

/* Takes a reference to the shared model, loading it first when no tagger holds it. */
static int model_acquire(mecab_model_t **out, struct sm_diag *diag)
{
    int rc = SM_OK;
    pthread_mutex_lock(&model_mutex);
    if (!shared_model) {
        /* "" reads mecabrc and the default dictionary, as the mecab command does. */
        mecab_model_t *m = mecab_model_new2("");
        if (!m) {
            const char *why = mecab_strerror(NULL);
            rc = sm_diag_set(diag, SM_EUNSUPPORTED,
                             "cannot load the MeCab dictionary: %s (install mecab-ipadic-utf8)",
                             why && *why ? why : "no reason given");
            goto out;
        }
        const mecab_dictionary_info_t *info = mecab_model_dictionary_info(m);
        if (!info || !charset_is_utf8(info->charset)) {
            rc = sm_diag_set(diag, SM_EUNSUPPORTED,
                             "the MeCab dictionary is in '%s', not UTF-8 (install "
                             "mecab-ipadic-utf8)",
                             info && info->charset ? info->charset : "unknown");
            mecab_model_destroy(m);
            goto out;
        }
        shared_model = m;
    }
    model_users++;
    *out = shared_model;
out:
    pthread_mutex_unlock(&model_mutex);
    return rc;
}

static void model_release(void)
{
    pthread_mutex_lock(&model_mutex);
    if (model_users > 0 && --model_users == 0) {
        mecab_model_destroy(shared_model);
        shared_model = NULL;
    }
    pthread_mutex_unlock(&model_mutex);
}

struct sm__tagger {
    mecab_model_t *model; /* shared; a reference held */
    mecab_t *mecab;
    mecab_lattice_t *lattice;
    struct sm__token *tokens;
    size_t cap;
};

int sm__tagger_new(struct sm__tagger **out, struct sm_diag *diag)
{
    struct sm__tagger *t = sm_calloc(1, sizeof *t);
    if (!t)
        return sm_diag_set(diag, SM_ENOMEM, "cannot allocate the tokeniser");
    int rc = model_acquire(&t->model, diag);
    if (rc != SM_OK) {
        sm__tagger_free(t);
        return rc;
    }
    t->mecab = mecab_model_new_tagger(t->model);
    t->lattice = t->mecab ? mecab_model_new_lattice(t->model) : NULL;
    if (!t->mecab || !t->lattice) {
        sm__tagger_free(t);
        return sm_diag_set(diag, SM_EUNSUPPORTED, "cannot start the MeCab tagger");
    }
    *out = t;
    return SM_OK;
}

void sm__tagger_free(struct sm__tagger *t)
{
    if (!t)
        return;
    if (t->lattice)
        mecab_lattice_destroy(t->lattice);
    if (t->mecab)
        mecab_destroy(t->mecab);
    if (t->model)
        model_release();
    sm_free(t->tokens);
    sm_free(t);
}

/* Byte-prefix tests on the UTF-8 POS names (all are 2-4 kanji; a prefix decides). */
static int starts(const char *s, size_t n, const char *lit)
{
    size_t k = strlen(lit);
    return n >= k && memcmp(s, lit, k) == 0;
}

static unsigned char pos_of(const char *f, size_t n)
{
    if (starts(f, n, "名詞"))
        return SM__POS_NOUN;
    if (starts(f, n, "動詞"))
        return SM__POS_VERB;
    if (starts(f, n, "形容詞"))
        return SM__POS_ADJ;
    if (starts(f, n, "助動詞"))
        return SM__POS_AUX;
    if (starts(f, n, "助詞"))
        return SM__POS_PARTICLE;
    if (starts(f, n, "記号"))
        return SM__POS_SYMBOL;
    if (starts(f, n, "接頭詞"))
        return SM__POS_PREFIX;
    return SM__POS_OTHER;
}

static unsigned char sub_of(unsigned char pos, const char *f, size_t n)
{
    switch ((enum sm__pos)pos) {
    case SM__POS_NOUN:
        if (starts(f, n, "数"))
            return SM__SUB_NUMBER;
        if (starts(f, n, "非自立"))
            return SM__SUB_DEPENDENT;
        if (starts(f, n, "接尾"))
            return SM__SUB_SUFFIX;
        return SM__SUB_NONE;
    case SM__POS_PARTICLE:
        if (starts(f, n, "格助詞"))
            return SM__SUB_CASE;
        if (starts(f, n, "係助詞"))
            return SM__SUB_BINDING;
        if (starts(f, n, "副助詞"))
            return SM__SUB_ADVERBIAL;
        if (starts(f, n, "接続助詞"))
            return SM__SUB_CONJUNCTIVE;
        if (starts(f, n, "連体化"))
            return SM__SUB_ADNOMINAL;
        return SM__SUB_NONE;
    case SM__POS_SYMBOL:
        if (starts(f, n, "句点"))
            return SM__SUB_PERIOD;
        if (starts(f, n, "読点"))
            return SM__SUB_COMMA;
        return SM__SUB_NONE;
    case SM__POS_VERB:
        return starts(f, n, "非自立") ? SM__SUB_DEPENDENT : SM__SUB_NONE;
    case SM__POS_OTHER:
    case SM__POS_ADJ:
    case SM__POS_AUX:
    case SM__POS_PREFIX:
        return SM__SUB_NONE;
    }
    return SM__SUB_NONE;
}

/* Fills tok's class and lemma from a feature string. */
static void read_feature(struct sm__token *tok, const char *feature)
{
    const char *field[7] = { 0 };
    size_t flen[7] = { 0 };
    size_t k = 0;
    const char *p = feature ? feature : "";
    field[0] = p;
    for (; *p && k < 7; p++) {
        if (*p == ',') {
            flen[k] = (size_t)(p - field[k]);
            if (++k < 7)
                field[k] = p + 1;
        }
    }
    if (k < 7 && field[k])
        flen[k] = (size_t)(p - field[k]);
    tok->pos = field[0] ? pos_of(field[0], flen[0]) : SM__POS_OTHER;
    tok->sub = field[1] ? sub_of(tok->pos, field[1], flen[1]) : SM__SUB_NONE;
    /* The IPA dictionary guesses ASCII punctuation after NFKC (":" from "：") to be a noun. */
    if (tok->surface_len == 1) {
        unsigned char c = (unsigned char)tok->surface[0];
        if ((c >= 0x21 && c <= 0x2F) || (c >= 0x3A && c <= 0x40) || (c >= 0x5B && c <= 0x60) ||
            (c >= 0x7B && c <= 0x7E)) {
            tok->pos = SM__POS_SYMBOL;
            tok->sub = SM__SUB_NONE;
        }
    }
    /* A lemma only when the seventh field exists and is not "*". */
    if (field[6] && flen[6] > 0 && !(flen[6] == 1 && field[6][0] == '*')) {
        tok->lemma = field[6];
        tok->lemma_len = flen[6];
    } else {
        tok->lemma = tok->surface;
        tok->lemma_len = tok->surface_len;
    }
}

/* Whether s[0, n) is only katakana letters and the long vowel mark (U+30A1..U+30FA, U+30FC;
 * not the middle dot U+30FB, which separates words). */
static int all_katakana(const char *s, size_t n)
{
    if (n == 0 || n % 3 != 0)
        return 0;
    for (size_t i = 0; i < n; i += 3) {
        unsigned char a = (unsigned char)s[i], b = (unsigned char)s[i + 1],
                      c = (unsigned char)s[i + 2];
        if (a != 0xE3)
            return 0;
        if (b == 0x82 && c >= 0xA1 && c <= 0xBF)
            continue;
        if (b == 0x83 && ((c >= 0x80 && c <= 0xBA) || c == 0xBC))
            continue;
        return 0;
    }
    return 1;
}

int sm__tagger_parse(struct sm__tagger *t, const char *s, size_t n, const struct sm__token **tokens,
                     size_t *count, struct sm_diag *diag)
{
    *tokens = t->tokens;
    *count = 0;
    if (n == 0)
        return SM_OK;
    mecab_lattice_set_sentence2(t->lattice, s, n);
    if (!mecab_parse_lattice(t->mecab, t->lattice)) {
        const char *why = mecab_lattice_strerror(t->lattice);
        return sm_diag_set(diag, SM_EINVAL, "mecab cannot parse the text: %s",
                           why ? why : "no reason given");
    }
    size_t m = 0;
    for (const mecab_node_t *node = mecab_lattice_get_bos_node(t->lattice); node;
         node = node->next) {
        if (node->stat == MECAB_BOS_NODE || node->stat == MECAB_EOS_NODE || node->length == 0)
            continue;
        if (m == t->cap) {
            size_t cap = t->cap ? t->cap * 2 : 256;
            struct sm__token *grown = sm_realloc(t->tokens, cap * sizeof *grown);
            if (!grown)
                return sm_diag_set(diag, SM_ENOMEM, "cannot allocate tokens");
            t->tokens = grown;
            t->cap = cap;
        }
        int kata = all_katakana(node->surface, node->length);
        if (kata && m > 0 && t->tokens[m - 1].katakana &&
            t->tokens[m - 1].surface + t->tokens[m - 1].surface_len == node->surface) {
            struct sm__token *prev = &t->tokens[m - 1];
            prev->surface_len += node->length;
            prev->lemma = prev->surface;
            prev->lemma_len = prev->surface_len;
            prev->pos = SM__POS_NOUN;
            prev->sub = SM__SUB_NONE;
            continue;
        }
        struct sm__token *tok = &t->tokens[m++];
        tok->surface = node->surface;
        tok->surface_len = node->length;
        tok->katakana = (unsigned char)kata;
        read_feature(tok, node->feature);
        if (kata) {
            /* A katakana word's lemma is its surface, so a merged run reads the same. */
            tok->lemma = tok->surface;
            tok->lemma_len = tok->surface_len;
        }
    }
    *tokens = t->tokens;
    *count = m;
    return SM_OK;
}

/*
 * The analyser: maps a document onto the catalog's check items, sentence by sentence.
 *
 * At sm_analyzer_new every rule phrase of the catalog (terms, context, exclusions) and every
 * concreteness cue is normalised like document text, tokenised by the same MeCab tagger and
 * stored as a sequence of lemma ids (ASCII letters case-folded); a phrase MeCab reads
 * differently inside a sentence than alone gets that reading too. Phrases are indexed by
 * their first lemma id, so a sentence is matched in one pass over its tokens: each token's
 * lemma is looked up once in the vocabulary (an open-addressing hash of the lemmas the rules
 * use; any other word has id 0 and costs nothing more), and only phrases starting with that
 * id are tried. A katakana run (one token, see tokenize.h) also reads as the rule words it
 * starts or ends with. A phrase "A…B" matches A and then B later in the same sentence.
 *
 * Rules, in the order they are applied to a sentence and an item:
 *  1. a term matches (lemma sequence); 2. when the item has context phrases, one matches
 *  anywhere in the sentence; 3. no exclusion phrase matches; 4. the term is not negated
 *  (is_negated below); 5. the sentence scores 2 when a concreteness cue occurs outside the
 *  words of the matched term: a word of the cue tables below (who, how often, how), a number
 *  with a unit (年1回, 90日, 10文字), or a noun with 時/前/後 (採用時) or the suffix 長 (工場長);
 *  else 1. Of several terms of an item in one sentence, one that is not negated and leaves
 *  the sentence concrete wins, then the most specific.
 * An item's score is its best sentence's; its evidence is the SM_MAX_EVIDENCE best sentences
 * (score first, then document order), each with the byte range sm_text_sentences gave for
 * the page's normalised text (a run-on "sentence" over PIECE_MAX bytes is analysed, and
 * reported, in pieces).
 *
 * Relation (NIST OLIR / OSCAL): score 2 -> equal-to (the guideline states the item's measure
 * concretely), score 1 -> intersects-with (it mentions it), 0 -> no-relationship. subset-of and
 * superset-of need a reader's judgement of scope and are left to analysts' overrides.
 * Strength 0..10: 0 without evidence; else 3 (score 1) or 5 (score 2), +1 for each further
 * evidence sentence up to +2, +1 when the best sentence's term is specific (two lemmas or
 * more, or four characters or more), +1 when two different terms matched, +1 when two
 * sentences or more are concrete.
 *
 * An analyser is not thread-safe; sm_analyze_many runs one per thread over a shared,
 * read-only catalog.
 */
#include "smesec/alloc.h"
#include "smesec/commons.h"
#include "smesec/text.h"

#include "commons/tokenize.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>

#include "util/banned.h"

/* --- Names ------------------------------------------------------------------------------ */

const char *sm_relation_name(enum sm_relation rel)
{
    switch (rel) {
    case SM_REL_EQUAL:
        return "equal-to";
    case SM_REL_SUBSET:
        return "subset-of";
    case SM_REL_SUPERSET:
        return "superset-of";
    case SM_REL_INTERSECTS:
        return "intersects-with";
    case SM_REL_NOT_RELATED:
        return "no-relationship";
    }
    return "no-relationship";
}

const char *sm_method_name(enum sm_method method)
{
    switch (method) {
    case SM_METHOD_AUTO:
        return "auto";
    case SM_METHOD_MANUAL:
        return "manual";
    }
    return "auto";
}

const char *sm_review_name(enum sm_review review)
{
    switch (review) {
    case SM_REVIEW_PROPOSED:
        return "proposed";
    case SM_REVIEW_ACCEPTED:
        return "accepted";
    case SM_REVIEW_REJECTED:
        return "rejected";
    }
    return "proposed";
}

int sm_review_parse(const char *name, enum sm_review *out)
{
    static const enum sm_review all[] = { SM_REVIEW_PROPOSED, SM_REVIEW_ACCEPTED,
                                          SM_REVIEW_REJECTED };

    if (!name)
        return SM_EINVAL;
    for (size_t i = 0; i < sizeof all / sizeof all[0]; i++) {
        if (strcmp(name, sm_review_name(all[i])) == 0) {
            *out = all[i];
            return SM_OK;
        }
    }
    return SM_EINVAL;
}

void sm_analysis_free(struct sm_analysis *a)
{
    if (!a)
        return;
    for (size_t i = 0; i < a->n_items; i++) {
        struct sm_item_result *r = &a->items[i];
        for (size_t k = 0; k < r->n_evidence; k++) {
            sm_free(r->evidence[k].text);
            sm_free(r->evidence[k].matched);
        }
        sm_free(r->evidence);
    }
    sm_free(a->items);
    sm_free(a);
}

/* --- Word lists: every cue the rules use, in one place ---------------------------------- */

/* Concreteness: the sentence says who does it ... */
/* clang-format off */
static const char *const cue_who[] = {
    "担当者", "責任者", "管理者", "担当部署", "担当部門", "所管部署", "部門長", "所属長", "上長",
    "上司", "経営者", "代表者", "社長", "院長", "所長", "店長", "部長", "課長", "事務長",
    "支配人", "本部", "事務局", "人事部", "委員会", "情報システム部門", "総務部", "人事担当",
    "専門業者", "外部専門家", "最終退出者", NULL};
/* ... how often or when ... */
static const char *const cue_when[] = {
    "毎日", "毎週", "毎月", "毎年", "毎", "定期", "定期的", "四半期", "半期", "半年", "都度",
    "月次", "年次", "週次", "日次", "隔月", "入社時", "終業時", "始業時", "年度ごと", "までに",
    "事前", "当日", "当日中", "その日のうち", NULL};
/* ... or how. */
static const char *const cue_how[] = {
    "手順", "手順書", "マニュアル", "方法", "設定", "チェックリスト", "台帳", "管理簿", "記録簿",
    "記録する", "記録を残す", "記録に残す", "記録を保存", "申請", "承認", "様式", "文書化",
    "一覧", "自動", "一括", "ごと", NULL};
/* A number followed by one of these counts as how often or how much (年1回, 90日, 10文字). */
static const char *const units[] = {
    "回", "度", "日", "週", "週間", "月", "ヶ月", "か月", "カ月", "ケ月", "箇月", "年", "年間",
    "年度", "時間", "分", "秒", "文字", "桁", "日間", "営業日", "世代", "名", NULL};
/* A noun followed by 時, 前 or 後 says when (採用時, 公開前, 閉店後) and by the suffix 長 says
 * who (工場長), except after these nouns, which only restate an incident item's own
 * condition (発生時, 緊急時). */
static const char *const event_nouns[] = {
    "発生", "緊急", "非常", "災害", "事故", "異常", "障害", "感染", "被害", NULL};
/* clang-format on */

/* Negation. A negating auxiliary (ない, ぬ for ず, ん for ません) or adjective ない after a
 * term, in its clause, negates it when the word it negates is the measure itself: a token of
 * the term, a verb or noun of doing or requiring the measure (measure_words), or する right
 * after one of those or after を/は/も. Negating any other verb is a prohibition of a bad
 * practice (パスワードを書かない, 使い回さない) and so a measure. The use_words count only in the
 * descriptive "…ていない" form (使用していない, 保存していない), since "使用しない" and "…に保存
 * しない" are themselves rules. */
static const char *const measure_words[] = {
    "行う",   "実施",     "導入",   "設定", "定める",   "設ける",     "作成", "取得",   "整備",
    "講じる", "求める",   "要する", "必要", "義務",     "義務付ける", "規定", "実行",   "適用",
    "確認",   "管理",     "対応",   "策定", "準備",     "用意",       "採用", "整える", "持つ",
    "考慮",   "禁止",     "制限",   "取る", "とる",     "決める",     "徹底", "確保",   "締結",
    "周知",   "実装",     "検討",   "把握", "受ける",   "受講",       "運用", "更新",   "見直す",
    "点検",   "評価",     "分析",   "構築", "任命",     "選任",       "指名", "設置",   "明記",
    "配布",   "契約",     "交わす", "結ぶ", "取り組む", "実践",       "遵守", "守る",   "対策",
    "報告",   "届け出る", "連絡",   "訓練", "必須",     "教育",       "監査", "暗号",   "施錠",
    "扱う",   "取り扱う", NULL
};
static const char *const use_words[] = { "使う", "使用", "利用", "入れる", "保存",
                                         "保管", "記録", "持つ", NULL };
static const char *const neg_auxes[] = { "ない", "ぬ", "ん", NULL };
/* Nouns that negate as a predicate ("…は不要である", "…は対象外とする", "…は任意とする"), but
 * not when they modify a noun or say something became unneeded (不要な書類, 不要になった機器).
 * A cross-reference ("…の詳細は本編を参照") is not evidence either: it says where the measure
 * is written, not that this document writes it. */
static const char *const neg_nouns[] = { "不要", "省略", "任意", "参照",
                                         NULL }; /* 不+必要, 対象+外 */
/* Connective particles that end a clause. */
static const char *const clause_ends[] = { "が",   "けれど", "けれども", "のに",
                                           "ので", "し",     "ながら",   NULL };
/* Verbs that only carry aspect, skipped when looking for the negated word. */
static const char *const aspect_verbs[] = { "いる", "おる", "ある", "しまう", NULL };

/* Word flags, per lemma id. */
enum {
    W_MEASURE = 1 << 0,
    W_USE = 1 << 1,
    W_NEG_AUX = 1 << 2,
    W_NEG_NOUN = 1 << 3,
    W_UNIT = 1 << 4,
    W_CLAUSE_END = 1 << 5,
    W_ASPECT = 1 << 6,
    W_EVENT = 1 << 7
};

/* Lemma ids of single words the negation rules test. */
struct words {
    uint32_t suru, ba, te, ha, ga, mo, wo, ka, to, mono, ni, naru, da, no, de, fu, hitsuyo, taisho,
        gai;
    uint32_t ji, mae, ato, cho; /* 時, 前, 後, 長 */
};

/* --- Vocabulary: lemma string -> id (1..n); 0 means a word no rule uses ------------------ */

struct vocab {
    uint32_t *slots; /* id or 0, cap entries (a power of two) */
    size_t cap;
    uint32_t *hash;       /* per id (index id - 1) */
    size_t *off;          /* per id: offset in pool */
    uint32_t *len;        /* per id */
    unsigned char *flags; /* per id, index id (flags[0] unused) */
    size_t n, ncap;
    char *pool;
    size_t pool_len, pool_cap;
};

static unsigned char lower(unsigned char c)
{
    return (c >= 'A' && c <= 'Z') ? (unsigned char)(c + ('a' - 'A')) : c;
}

static uint32_t hash_word(const char *s, size_t n)
{
    uint32_t h = 2166136261u;
    for (size_t i = 0; i < n; i++) {
        h ^= lower((unsigned char)s[i]);
        h *= 16777619u;
    }
    return h;
}

static bool same_word(const struct vocab *v, uint32_t id, const char *s, size_t n)
{
    if (v->len[id - 1] != n)
        return false;
    const char *w = v->pool + v->off[id - 1];
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)w[i] != lower((unsigned char)s[i]))
            return false;
    return true;
}

static uint32_t vocab_find(const struct vocab *v, const char *s, size_t n)
{
    if (!v->cap)
        return 0;
    uint32_t h = hash_word(s, n);
    for (size_t i = h & (v->cap - 1);; i = (i + 1) & (v->cap - 1)) {
        uint32_t id = v->slots[i];
        if (!id)
            return 0;
        if (v->hash[id - 1] == h && same_word(v, id, s, n))
            return id;
    }
}

static int vocab_grow_slots(struct vocab *v)
{
    size_t cap = v->cap ? v->cap * 2 : 1024;
    uint32_t *slots = sm_calloc(cap, sizeof *slots);
    if (!slots)
        return SM_ENOMEM;
    for (size_t id = 1; id <= v->n; id++) {
        size_t i = v->hash[id - 1] & (cap - 1);
        while (slots[i])
            i = (i + 1) & (cap - 1);
        slots[i] = (uint32_t)id;
    }
    sm_free(v->slots);
    v->slots = slots;
    v->cap = cap;
    return SM_OK;
}

/* The id of s, adding it when new. */
static int vocab_add(struct vocab *v, const char *s, size_t n, uint32_t *id_out)
{
    uint32_t id = vocab_find(v, s, n);
    if (id) {
        *id_out = id;
        return SM_OK;
    }
    if ((v->n + 1) * 2 > v->cap && vocab_grow_slots(v) != SM_OK)
        return SM_ENOMEM;
    if (v->n == v->ncap) {
        size_t ncap = v->ncap ? v->ncap * 2 : 512;
        uint32_t *hash = sm_realloc(v->hash, ncap * sizeof *hash);
        if (!hash)
            return SM_ENOMEM;
        v->hash = hash;
        size_t *off = sm_realloc(v->off, ncap * sizeof *off);
        if (!off)
            return SM_ENOMEM;
        v->off = off;
        uint32_t *len = sm_realloc(v->len, ncap * sizeof *len);
        if (!len)
            return SM_ENOMEM;
        v->len = len;
        unsigned char *flags = sm_realloc(v->flags, ncap + 1);
        if (!flags)
            return SM_ENOMEM;
        size_t from = v->ncap ? v->ncap + 1 : 0;
        memset(flags + from, 0, ncap + 1 - from);
        v->flags = flags;
        v->ncap = ncap;
    }
    if (v->pool_len + n > v->pool_cap) {
        size_t cap = v->pool_cap ? v->pool_cap : 8192;
        while (cap < v->pool_len + n)
            cap *= 2;
        char *pool = sm_realloc(v->pool, cap);
        if (!pool)
            return SM_ENOMEM;
        v->pool = pool;
        v->pool_cap = cap;
    }
    for (size_t i = 0; i < n; i++)
        v->pool[v->pool_len + i] = (char)lower((unsigned char)s[i]);
    id = (uint32_t)(v->n + 1);
    v->hash[v->n] = hash_word(s, n);
    v->off[v->n] = v->pool_len;
    v->len[v->n] = (uint32_t)n;
    v->flags[id] = 0;
    v->pool_len += n;
    v->n++;
    size_t i = v->hash[id - 1] & (v->cap - 1);
    while (v->slots[i])
        i = (i + 1) & (v->cap - 1);
    v->slots[i] = id;
    *id_out = id;
    return SM_OK;
}

static void vocab_release(struct vocab *v)
{
    sm_free(v->slots);
    sm_free(v->hash);
    sm_free(v->off);
    sm_free(v->len);
    sm_free(v->flags);
    sm_free(v->pool);
}

/* --- Compiled phrases ------------------------------------------------------------------- */

enum phrase_kind {
    K_TERM,
    K_CONTEXT,
    K_EXCLUDE,
    K_CUE
};

/* A phrase's lemmas live in the analyser's pool at 'at' as parts: [len, id, id, ...] per
 * part, n_parts times. */
struct phrase {
    size_t at;
    uint32_t item;   /* item index (K_CUE: unused) */
    uint32_t string; /* index in the item's list (the term as written) */
    uint16_t n_parts;
    uint16_t n_lemmas;  /* over all parts */
    unsigned char kind; /* enum phrase_kind */
    bool specific;      /* two lemmas or more, or four characters or more */
};

/* A phrase found in the current sentence: tokens [start, end). */
struct hit {
    uint32_t phrase;
    uint32_t start, end;
};

/* One candidate evidence sentence kept for an item. */
struct cand {
    size_t page; /* index into doc->pages */
    size_t offset, len;
    int score;
    uint32_t phrase;
};

/* Per item, while one document is analysed. */
struct acc {
    int score;
    size_t n_sentences, n_concrete;
    uint64_t terms_seen; /* bit per term index (mod 64) */
    size_t n_best;
    struct cand best[SM_MAX_EVIDENCE];
};

struct sm_analyzer {
    const struct sm_catalog *catalog;
    size_t n_items;
    struct sm__tagger *tagger;
    struct vocab vocab;
    struct words w;
    /* phrases and their lemma pool */
    struct phrase *phrases;
    size_t n_phrases, cap_phrases;
    uint32_t *pool;
    size_t pool_len, pool_cap;
    /* index: phrases starting with lemma id x are index[first[x] .. first[x + 1]) */
    uint32_t *first;
    uint32_t *index;
    bool *has_context; /* per item */
    /* scratch, reused per sentence */
    uint32_t *ids;       /* per token: its lemma's id */
    uint32_t *alt_first; /* per token: its other ids are alts[alt_first[i] .. alt_first[i+1]) */
    size_t ids_cap;
    uint32_t *alts; /* vocabulary words a katakana run starts or ends with */
    size_t n_alts, alts_cap;
    struct hit *hits;
    size_t n_hits, hits_cap;
    struct hit *cues;
    size_t n_cues, cues_cap;
    uint32_t *cand_items;
    uint32_t *stamp_term, *stamp_ctx, *stamp_excl; /* per item: last sentence seen */
    uint32_t sentence_no;
    struct acc *acc; /* per item */
};

static int pool_push(struct sm_analyzer *an, uint32_t v)
{
    if (an->pool_len == an->pool_cap) {
        size_t cap = an->pool_cap ? an->pool_cap * 2 : 4096;
        uint32_t *pool = sm_realloc(an->pool, cap * sizeof *pool);
        if (!pool)
            return SM_ENOMEM;
        an->pool = pool;
        an->pool_cap = cap;
    }
    an->pool[an->pool_len++] = v;
    return SM_OK;
}

static size_t utf8_chars(const char *s, size_t n)
{
    size_t c = 0;
    for (size_t i = 0; i < n; i++)
        if (((unsigned char)s[i] & 0xC0) != 0x80)
            c++;
    return c;
}

/* Tokenises one part of a phrase (already split at "…") and appends [len, ids...]. framed
 * tokenises it between "の" and "を", as a noun phrase usually stands in a sentence: MeCab
 * reads a short phrase alone differently at times (決まり alone is the verb 決まる). Returns
 * SM_OK, SM_EINVAL for no words, SM_ENOMEM, or 1 when the frame did not split cleanly. */
static int compile_part(struct sm_analyzer *an, const char *s, size_t n, bool framed,
                        uint16_t *n_lemmas, struct sm_diag *diag)
{
    static const char pre[] = "の", post[] = "を";
    char *norm = NULL, *text = NULL;
    size_t norm_len = 0;
    int rc = sm_text_normalize(s, n, &norm, &norm_len, diag);
    if (rc != SM_OK)
        return rc;
    size_t text_len = norm_len;
    text = norm;
    if (framed) {
        text_len = sizeof pre - 1 + norm_len + sizeof post - 1;
        text = sm_malloc(text_len + 1);
        if (!text) {
            rc = SM_ENOMEM;
            goto out;
        }
        memcpy(text, pre, sizeof pre - 1);
        memcpy(text + sizeof pre - 1, norm, norm_len);
        memcpy(text + sizeof pre - 1 + norm_len, post, sizeof post);
    }
    const struct sm__token *toks;
    size_t count;
    rc = sm__tagger_parse(an->tagger, text, text_len, &toks, &count, diag);
    if (rc != SM_OK)
        goto out;
    if (framed) {
        /* Keep the inner tokens only when the frame's words stand apart. */
        if (count < 3 || toks[0].surface != text || toks[0].surface_len != sizeof pre - 1 ||
            toks[count - 1].surface != text + text_len - (sizeof post - 1) ||
            toks[count - 1].surface_len != sizeof post - 1) {
            rc = 1;
            goto out;
        }
        toks++;
        count -= 2;
    }
    if (count == 0 || count > 255) {
        rc = SM_EINVAL;
        goto out;
    }
    rc = pool_push(an, (uint32_t)count);
    for (size_t i = 0; rc == SM_OK && i < count; i++) {
        uint32_t id;
        rc = vocab_add(&an->vocab, toks[i].lemma, toks[i].lemma_len, &id);
        if (rc == SM_OK)
            rc = pool_push(an, id);
    }
    if (rc == SM_OK)
        *n_lemmas = (uint16_t)(*n_lemmas + count);
out:
    if (text != norm)
        sm_free(text);
    sm_free(norm);
    return rc;
}

static const char ELLIPSIS[] = "\xE2\x80\xA6"; /* U+2026, separates the parts of a phrase */

/* Compiles text, read alone (framed false) or framed, into phrase *ph at the end of the pool.
 * Returns SM_OK, SM_EINVAL, SM_ENOMEM or 1 (the frame did not split cleanly). */
static int compile_variant(struct sm_analyzer *an, const char *text, bool framed, struct phrase *ph,
                           struct sm_diag *diag)
{
    const char *s = text;
    const char *end = text + strlen(text);
    ph->at = an->pool_len;
    ph->n_parts = 0;
    ph->n_lemmas = 0;
    for (;;) {
        const char *cut = strstr(s, ELLIPSIS);
        size_t n = cut ? (size_t)(cut - s) : (size_t)(end - s);
        int rc = ph->n_parts == UINT16_MAX ? SM_EINVAL
                                           : compile_part(an, s, n, framed, &ph->n_lemmas, diag);
        if (rc != SM_OK) {
            an->pool_len = ph->at;
            return rc;
        }
        ph->n_parts++;
        if (!cut)
            return SM_OK;
        s = cut + sizeof ELLIPSIS - 1;
    }
}

/* Compiles text into a new phrase, and into a second one when MeCab reads it differently
 * inside a sentence frame (see compile_part). SM_EINVAL (with diag) for a phrase with no
 * words. */
static int add_phrase(struct sm_analyzer *an, const char *text, enum phrase_kind kind,
                      uint32_t item, uint32_t string, struct sm_diag *diag)
{
    if (an->n_phrases + 2 > an->cap_phrases) {
        size_t cap = an->cap_phrases ? an->cap_phrases * 2 : 1024;
        struct phrase *p = sm_realloc(an->phrases, cap * sizeof *p);
        if (!p)
            return sm_diag_set(diag, SM_ENOMEM, "cannot compile the catalog's rules");
        an->phrases = p;
        an->cap_phrases = cap;
    }
    struct phrase ph = { .item = item, .string = string, .kind = (unsigned char)kind };
    int rc = compile_variant(an, text, false, &ph, diag);
    if (rc == SM_ENOMEM)
        return sm_diag_set(diag, SM_ENOMEM, "cannot compile the catalog's rules");
    if (rc != SM_OK)
        return sm_diag_set(diag, SM_EINVAL, "cannot compile the phrase '%s': no words", text);
    ph.specific = ph.n_lemmas >= 2 || utf8_chars(text, strlen(text)) >= 4;
    an->phrases[an->n_phrases++] = ph;

    struct phrase alt = ph;
    rc = compile_variant(an, text, true, &alt, diag);
    if (rc == SM_ENOMEM)
        return sm_diag_set(diag, SM_ENOMEM, "cannot compile the catalog's rules");
    if (rc != SM_OK)
        return SM_OK; /* the frame did not split cleanly: the plain reading stands alone */
    size_t len = an->pool_len - alt.at;
    if (len == alt.at - ph.at &&
        memcmp(an->pool + ph.at, an->pool + alt.at, len * sizeof *an->pool) == 0) {
        an->pool_len = alt.at; /* the same reading */
        return SM_OK;
    }
    an->phrases[an->n_phrases++] = alt;
    return SM_OK;
}

static int add_strings(struct sm_analyzer *an, const struct sm_strings *list, enum phrase_kind kind,
                       uint32_t item, const char *item_id, struct sm_diag *diag)
{
    for (size_t k = 0; k < list->n; k++) {
        int rc = add_phrase(an, list->v[k], kind, item, (uint32_t)k, diag);
        if (rc != SM_OK) {
            if (rc == SM_EINVAL)
                sm_diag_set(diag, rc, "item '%s': cannot compile the phrase '%s': no words",
                            item_id, list->v[k]);
            return rc;
        }
    }
    return SM_OK;
}

/* Gives each word of list the flag (adding it to the vocabulary). */
static int flag_words(struct sm_analyzer *an, const char *const *list, unsigned char flag)
{
    for (size_t i = 0; list[i]; i++) {
        uint32_t id;
        if (vocab_add(&an->vocab, list[i], strlen(list[i]), &id) != SM_OK)
            return SM_ENOMEM;
        an->vocab.flags[id] |= flag;
    }
    return SM_OK;
}

static int word_id(struct sm_analyzer *an, const char *s, uint32_t *id)
{
    return vocab_add(&an->vocab, s, strlen(s), id);
}

static int build_index(struct sm_analyzer *an)
{
    size_t nv = an->vocab.n + 2;
    an->first = sm_calloc(nv, sizeof *an->first);
    an->index = sm_calloc(an->n_phrases ? an->n_phrases : 1, sizeof *an->index);
    if (!an->first || !an->index)
        return SM_ENOMEM;
    for (size_t p = 0; p < an->n_phrases; p++)
        an->first[an->pool[an->phrases[p].at + 1] + 1]++;
    for (size_t x = 1; x < nv; x++)
        an->first[x] += an->first[x - 1];
    uint32_t *fill = sm_calloc(nv, sizeof *fill);
    if (!fill)
        return SM_ENOMEM;
    for (size_t p = 0; p < an->n_phrases; p++) {
        uint32_t x = an->pool[an->phrases[p].at + 1];
        an->index[an->first[x] + fill[x]++] = (uint32_t)p;
    }
    sm_free(fill);
    return SM_OK;
}

void sm_analyzer_free(struct sm_analyzer *an)
{
    if (!an)
        return;
    sm__tagger_free(an->tagger);
    vocab_release(&an->vocab);
    sm_free(an->phrases);
    sm_free(an->pool);
    sm_free(an->first);
    sm_free(an->index);
    sm_free(an->has_context);
    sm_free(an->ids);
    sm_free(an->alt_first);
    sm_free(an->alts);
    sm_free(an->hits);
    sm_free(an->cues);
    sm_free(an->cand_items);
    sm_free(an->stamp_term);
    sm_free(an->stamp_ctx);
    sm_free(an->stamp_excl);
    sm_free(an->acc);
    sm_free(an);
}

int sm_analyzer_new(const struct sm_catalog *catalog, struct sm_analyzer **out,
                    struct sm_diag *diag)
{
    struct sm_analyzer *an = sm_calloc(1, sizeof *an);
    if (!an)
        return sm_diag_set(diag, SM_ENOMEM, "cannot allocate the analyser");
    an->catalog = catalog;
    an->n_items = sm_catalog_n_items(catalog);
    int rc = sm__tagger_new(&an->tagger, diag);
    if (rc != SM_OK)
        goto out;
    rc = SM_ENOMEM;
    size_t ni = an->n_items ? an->n_items : 1;
    an->has_context = sm_calloc(ni, sizeof *an->has_context);
    an->cand_items = sm_calloc(ni, sizeof *an->cand_items);
    an->stamp_term = sm_calloc(ni, sizeof *an->stamp_term);
    an->stamp_ctx = sm_calloc(ni, sizeof *an->stamp_ctx);
    an->stamp_excl = sm_calloc(ni, sizeof *an->stamp_excl);
    an->acc = sm_calloc(ni, sizeof *an->acc);
    if (!an->has_context || !an->cand_items || !an->stamp_term || !an->stamp_ctx ||
        !an->stamp_excl || !an->acc)
        goto nomem;
    for (size_t i = 0; i < an->n_items; i++) {
        const struct sm_check_item *it = sm_catalog_item(catalog, i);
        uint32_t ii = (uint32_t)i;
        rc = add_strings(an, &it->terms, K_TERM, ii, it->id, diag);
        if (rc == SM_OK)
            rc = add_strings(an, &it->context, K_CONTEXT, ii, it->id, diag);
        if (rc == SM_OK)
            rc = add_strings(an, &it->exclude, K_EXCLUDE, ii, it->id, diag);
        if (rc != SM_OK)
            goto out;
        an->has_context[i] = it->context.n > 0;
    }
    rc = SM_ENOMEM;
    const char *const *cue_lists[] = { cue_who, cue_when, cue_how };
    for (size_t l = 0; l < 3; l++) {
        for (size_t k = 0; cue_lists[l][k]; k++) {
            rc = add_phrase(an, cue_lists[l][k], K_CUE, 0, 0, diag);
            if (rc != SM_OK)
                goto out;
        }
    }
    rc = SM_ENOMEM;
    if (flag_words(an, measure_words, W_MEASURE) || flag_words(an, use_words, W_USE) ||
        flag_words(an, neg_auxes, W_NEG_AUX) || flag_words(an, neg_nouns, W_NEG_NOUN) ||
        flag_words(an, units, W_UNIT) || flag_words(an, clause_ends, W_CLAUSE_END) ||
        flag_words(an, aspect_verbs, W_ASPECT) || flag_words(an, event_nouns, W_EVENT))
        goto nomem;
    struct words *w = &an->w;
    if (word_id(an, "する", &w->suru) || word_id(an, "ば", &w->ba) || word_id(an, "て", &w->te) ||
        word_id(an, "は", &w->ha) || word_id(an, "が", &w->ga) || word_id(an, "も", &w->mo) ||
        word_id(an, "を", &w->wo) || word_id(an, "か", &w->ka) || word_id(an, "と", &w->to) ||
        word_id(an, "もの", &w->mono) || word_id(an, "に", &w->ni) ||
        word_id(an, "なる", &w->naru) || word_id(an, "だ", &w->da) || word_id(an, "の", &w->no) ||
        word_id(an, "で", &w->de) || word_id(an, "不", &w->fu) ||
        word_id(an, "必要", &w->hitsuyo) || word_id(an, "対象", &w->taisho) ||
        word_id(an, "外", &w->gai) || word_id(an, "時", &w->ji) || word_id(an, "前", &w->mae) ||
        word_id(an, "後", &w->ato) || word_id(an, "長", &w->cho))
        goto nomem;
    if (build_index(an) != SM_OK)
        goto nomem;
    *out = an;
    return SM_OK;
nomem:
    rc = sm_diag_set(diag, SM_ENOMEM, "cannot compile the catalog's rules");
out:
    sm_analyzer_free(an);
    return rc;
}

/* --- Matching one sentence -------------------------------------------------------------- */

static int push_hit(struct hit **arr, size_t *n, size_t *cap, struct hit h)
{
    if (*n == *cap) {
        size_t c = *cap ? *cap * 2 : 64;
        struct hit *grown = sm_realloc(*arr, c * sizeof *grown);
        if (!grown)
            return SM_ENOMEM;
        *arr = grown;
        *cap = c;
    }
    (*arr)[(*n)++] = h;
    return SM_OK;
}

/* Whether token i reads as word id: its lemma, or a word its katakana run starts or ends
 * with (パスワード in パスワードリスト). */
static bool token_is(const struct sm_analyzer *an, size_t i, uint32_t id)
{
    if (an->ids[i] == id)
        return true;
    for (uint32_t k = an->alt_first[i]; k < an->alt_first[i + 1]; k++)
        if (an->alts[k] == id)
            return true;
    return false;
}

/* Whether part (len ids at p) occurs at token i. */
static bool part_at(const struct sm_analyzer *an, size_t m, size_t i, const uint32_t *p,
                    uint32_t len)
{
    if (i + len > m)
        return false;
    for (uint32_t k = 0; k < len; k++)
        if (!token_is(an, i + k, p[k]))
            return false;
    return true;
}

/* Tries phrase ph at token i; on a match sets [*start, *end) and, when parts is not NULL,
 * each part's token range (up to MAX_PARTS; later parts are not recorded). */
#define MAX_PARTS 8

static bool match_phrase(const struct sm_analyzer *an, const struct phrase *ph, size_t m, size_t i,
                         uint32_t *start, uint32_t *end, uint32_t (*parts)[2])
{
    const uint32_t *p = an->pool + ph->at;
    uint32_t len = p[0];
    if (!part_at(an, m, i, p + 1, len))
        return false;
    if (parts) {
        parts[0][0] = (uint32_t)i;
        parts[0][1] = (uint32_t)(i + len);
    }
    size_t pos = i + len;
    p += 1 + len;
    for (uint16_t part = 1; part < ph->n_parts; part++) {
        len = p[0];
        size_t j = pos;
        while (j + len <= m && !part_at(an, m, j, p + 1, len))
            j++;
        if (j + len > m)
            return false;
        if (parts && part < MAX_PARTS) {
            parts[part][0] = (uint32_t)j;
            parts[part][1] = (uint32_t)(j + len);
        }
        pos = j + len;
        p += 1 + len;
    }
    *start = (uint32_t)i;
    *end = (uint32_t)pos;
    return true;
}

static unsigned char flags_of(const struct sm_analyzer *an, uint32_t id)
{
    return id ? an->vocab.flags[id] : 0;
}

/* Whether the term found at tokens [start, end) is negated in its clause (see measure_words
 * for the rule). */
static bool is_negated(const struct sm_analyzer *an, const struct sm__token *tok,
                       const uint32_t *ids, size_t m, uint32_t end)
{
    const struct words *w = &an->w;
    bool topic = false;    /* the term is the topic (…は、…については) of what follows */
    bool past_end = false; /* a clause boundary was crossed (only when topic) */
    for (size_t j = end; j < m; j++) {
        const struct sm__token *t = &tok[j];
        unsigned char f = flags_of(an, ids[j]);
        /* Clause boundaries: a full stop, a comma after a verb or an auxiliary (a comma after
         * a particle, as in "…については、", keeps the clause), a connective particle. A
         * topic term reaches over them to the sentence's predicate, until another topic
         * (a noun with は or も) starts. */
        if (t->pos == SM__POS_SYMBOL && t->sub == SM__SUB_PERIOD)
            return false;
        bool boundary =
            (t->pos == SM__POS_SYMBOL && t->sub == SM__SUB_COMMA && j > end &&
             tok[j - 1].pos != SM__POS_PARTICLE) ||
            (t->pos == SM__POS_PARTICLE && t->sub == SM__SUB_CONJUNCTIVE && (f & W_CLAUSE_END));
        if (boundary) {
            if (!topic)
                return false;
            past_end = true;
            continue;
        }
        if (t->pos == SM__POS_PARTICLE && t->sub == SM__SUB_BINDING &&
            (ids[j] == w->ha || ids[j] == w->mo)) {
            if (!past_end)
                topic = true;
            else if (j > 0 && tok[j - 1].pos == SM__POS_NOUN)
                return false;
        }
        /* A negating noun: 不要, 省略, 不+必要, 対象+外. */
        size_t nn = m;
        if ((f & W_NEG_NOUN) && t->pos == SM__POS_NOUN)
            nn = j;
        else if (j + 1 < m &&
                 ((ids[j] == w->taisho && ids[j + 1] == w->gai) ||
                  (t->pos == SM__POS_PREFIX && ids[j] == w->fu && ids[j + 1] == w->hitsuyo)))
            nn = j + 1;
        if (nn < m) {
            j = nn;
            /* 不要な/不要の + noun, 不要に/と なる, 省略しない: not a negation. */
            uint32_t next = j + 1 < m ? ids[j + 1] : 0;
            bool adnominal = (next == w->da && tok[j + 1].pos == SM__POS_AUX && j + 2 < m &&
                              tok[j + 2].pos == SM__POS_NOUN) ||
                             next == w->no;
            bool becomes = (next == w->ni || next == w->to) && j + 2 < m && ids[j + 2] == w->naru;
            bool denied = next == w->suru && j + 2 < m && (flags_of(an, ids[j + 2]) & W_NEG_AUX);
            if (!adnominal && !becomes && !denied)
                return true;
            continue;
        }
        bool neg_aux = (f & W_NEG_AUX) && (t->pos == SM__POS_AUX || t->pos == SM__POS_ADJ);
        if (!neg_aux)
            continue;
        /* What follows: obligation (なければ, なくては), prohibition or question (ないこと,
         * ないよう, ないか), a relative clause or condition (ない端末, ない場合, ないと). */
        if (j + 1 < m) {
            uint32_t next = ids[j + 1];
            const struct sm__token *nt = &tok[j + 1];
            if (next == w->ba)
                continue;
            if (next == w->te && j + 2 < m && ids[j + 2] == w->ha)
                continue;
            if (next == w->ka || (next == w->to && nt->sub == SM__SUB_CONJUNCTIVE))
                continue;
            /* "…しないでください", "…しないで済ませる": a request not to, or "without". */
            if (next == w->de && nt->pos == SM__POS_PARTICLE)
                continue;
            if (nt->pos == SM__POS_NOUN) {
                /* "…ないものとする" is a formal sentence end, still a negation. */
                bool formal =
                    next == w->mono && j + 3 < m && ids[j + 2] == w->to && ids[j + 3] == w->suru;
                if (!formal)
                    continue;
            }
        }
        /* Find the negated word: walk back over particles, auxiliaries and aspect verbs. */
        bool aspect = false;
        size_t h = j;
        while (h > end) {
            const struct sm__token *b = &tok[h - 1];
            unsigned char bf = flags_of(an, ids[h - 1]);
            if (b->pos == SM__POS_PARTICLE || b->pos == SM__POS_AUX ||
                (b->pos == SM__POS_SYMBOL && b->sub != SM__SUB_COMMA)) {
                h--; /* and a colon, as in "バックアップ:なし" */
                continue;
            }
            if (b->pos == SM__POS_VERB && (bf & W_ASPECT) && b->sub == SM__SUB_DEPENDENT) {
                aspect = true;
                h--;
                continue;
            }
            break;
        }
        if (h == end) {
            /* The negation follows the term directly: it negates the measure (バックアップし
             * ない), unless the term ends in a verb of a bad practice (添付ファイル…開かない). */
            const struct sm__token *last = &tok[end - 1];
            if (last->pos == SM__POS_VERB && !(flags_of(an, ids[end - 1]) & W_MEASURE) &&
                ids[end - 1] != w->suru)
                continue;
            return true;
        }
        size_t head = h - 1;
        uint32_t hid = ids[head];
        unsigned char hf = flags_of(an, hid);
        if (hid == w->suru) {
            if (head == end)
                return true; /* term + する */
            uint32_t prev = ids[head - 1];
            if (prev == w->wo || prev == w->ha || prev == w->mo)
                return true;
            unsigned char pf = flags_of(an, prev);
            if (pf & W_MEASURE)
                return true;
            if ((pf & W_USE) && aspect)
                return true;
            continue;
        }
        if (hf & W_MEASURE)
            return true;
        if ((hf & W_USE) && aspect)
            return true;
        /* "Xがいない" / "Xはない" / "Xがない": nothing of the kind exists. */
        if (tok[head].pos == SM__POS_VERB && (hf & W_ASPECT))
            return true;
        if (tok[head].pos == SM__POS_NOUN && tok[head].sub != SM__SUB_DEPENDENT && head + 1 < j &&
            (ids[head + 1] == w->ha || ids[head + 1] == w->ga || ids[head + 1] == w->mo))
            return true;
    }
    return false;
}

/* Whether any cue lies outside the words of the term found by hit h (a cue in the gap of
 * "A…B" counts: it is not part of the term). */
static bool concrete_outside(const struct sm_analyzer *an, const struct hit *h, size_t m)
{
    const struct phrase *ph = &an->phrases[h->phrase];
    uint32_t parts[MAX_PARTS][2];
    uint32_t s, e;
    size_t np = ph->n_parts < MAX_PARTS ? ph->n_parts : MAX_PARTS;
    if (!match_phrase(an, ph, m, h->start, &s, &e, parts))
        return false;
    if (ph->n_parts > MAX_PARTS)
        parts[np - 1][1] = e; /* treat the unrecorded parts as one */
    for (size_t c = 0; c < an->n_cues; c++) {
        bool inside = false;
        for (size_t k = 0; k < np && !inside; k++)
            inside = an->cues[c].start < parts[k][1] && an->cues[c].end > parts[k][0];
        if (!inside)
            return true;
    }
    return false;
}

static void keep_best(struct acc *a, const struct cand *c)
{
    size_t pos = a->n_best;
    while (pos > 0 && a->best[pos - 1].score < c->score)
        pos--;
    if (pos >= SM_MAX_EVIDENCE)
        return;
    size_t last = a->n_best < SM_MAX_EVIDENCE ? a->n_best : SM_MAX_EVIDENCE - 1;
    for (size_t k = last; k > pos; k--)
        a->best[k] = a->best[k - 1];
    a->best[pos] = *c;
    if (a->n_best < SM_MAX_EVIDENCE)
        a->n_best++;
}

/* Records the vocabulary words (two characters or more) that katakana run t starts or ends
 * with, so that バックアップ matches in バックアップデータ and セキュリティ in
 * サイバーセキュリティ. */
static int add_alternatives(struct sm_analyzer *an, const struct sm__token *t, uint32_t self)
{
    const char *s = t->surface;
    size_t n = t->surface_len;
    for (size_t b = 6; b + 6 <= n; b += 3) {
        uint32_t found[2] = { vocab_find(&an->vocab, s, b), vocab_find(&an->vocab, s + b, n - b) };
        for (size_t k = 0; k < 2; k++) {
            if (!found[k] || found[k] == self)
                continue;
            if (an->n_alts == an->alts_cap) {
                size_t cap = an->alts_cap ? an->alts_cap * 2 : 64;
                uint32_t *grown = sm_realloc(an->alts, cap * sizeof *grown);
                if (!grown)
                    return SM_ENOMEM;
                an->alts = grown;
                an->alts_cap = cap;
            }
            an->alts[an->n_alts++] = found[k];
        }
    }
    return SM_OK;
}

/* Whether tokens i - 1 and i make a cue: a number and a unit (年1回), or a noun and 時, 前,
 * 後 (採用時) or the suffix 長 (工場長); see units and event_nouns. */
static bool is_cue_pair(const struct sm_analyzer *an, const struct sm__token *tok, size_t i)
{
    uint32_t id = an->ids[i];
    const struct sm__token *prev = &tok[i - 1];
    if (prev->sub == SM__SUB_NUMBER)
        return (an->vocab.flags[id] & W_UNIT) != 0;
    const struct words *w = &an->w;
    if (prev->pos != SM__POS_NOUN || (flags_of(an, an->ids[i - 1]) & W_EVENT))
        return false;
    if (id == w->cho)
        return tok[i].sub == SM__SUB_SUFFIX;
    return id == w->ji || id == w->mae || id == w->ato;
}

static int analyze_sentence(struct sm_analyzer *an, size_t page, const char *text, size_t off,
                            size_t len, struct sm_diag *diag)
{
    const struct sm__token *tok;
    size_t m;
    int rc = sm__tagger_parse(an->tagger, text + off, len, &tok, &m, diag);
    if (rc != SM_OK)
        return rc;
    if (m == 0)
        return SM_OK;
    if (m + 1 > an->ids_cap) {
        size_t cap = an->ids_cap ? an->ids_cap : 256;
        while (cap < m + 1)
            cap *= 2;
        uint32_t *ids = sm_realloc(an->ids, cap * sizeof *ids);
        if (!ids)
            return sm_diag_set(diag, SM_ENOMEM, "cannot allocate tokens");
        an->ids = ids;
        uint32_t *first = sm_realloc(an->alt_first, cap * sizeof *first);
        if (!first)
            return sm_diag_set(diag, SM_ENOMEM, "cannot allocate tokens");
        an->alt_first = first;
        an->ids_cap = cap;
    }
    an->n_alts = 0;
    for (size_t i = 0; i < m; i++) {
        an->ids[i] = vocab_find(&an->vocab, tok[i].lemma, tok[i].lemma_len);
        an->alt_first[i] = (uint32_t)an->n_alts;
        if (tok[i].katakana && add_alternatives(an, &tok[i], an->ids[i]) != SM_OK)
            return sm_diag_set(diag, SM_ENOMEM, "cannot allocate tokens");
    }
    an->alt_first[m] = (uint32_t)an->n_alts;

    if (++an->sentence_no == 0) {
        /* The stamps wrapped: forget them all. */
        size_t ni = an->n_items ? an->n_items : 1;
        memset(an->stamp_term, 0, ni * sizeof *an->stamp_term);
        memset(an->stamp_ctx, 0, ni * sizeof *an->stamp_ctx);
        memset(an->stamp_excl, 0, ni * sizeof *an->stamp_excl);
        an->sentence_no = 1;
    }
    uint32_t sno = an->sentence_no;
    size_t n_cand = 0;
    an->n_hits = 0;
    an->n_cues = 0;
    const uint32_t *ids = an->ids;
    for (size_t i = 0; i < m; i++) {
        uint32_t id = ids[i];
        if (id && i > 0 && is_cue_pair(an, tok, i)) {
            struct hit h = { .phrase = UINT32_MAX,
                             .start = (uint32_t)i - 1,
                             .end = (uint32_t)i + 1 };
            if (push_hit(&an->cues, &an->n_cues, &an->cues_cap, h))
                return sm_diag_set(diag, SM_ENOMEM, "cannot allocate matches");
        }
        /* The token's own word, then any its katakana run starts or ends with. */
        for (uint32_t a = an->alt_first[i]; a <= an->alt_first[i + 1]; a++) {
            if (a > an->alt_first[i])
                id = an->alts[a - 1];
            if (!id)
                continue;
            for (uint32_t k = an->first[id]; k < an->first[id + 1]; k++) {
                uint32_t p = an->index[k];
                const struct phrase *ph = &an->phrases[p];
                struct hit h = { .phrase = p };
                if (!match_phrase(an, ph, m, i, &h.start, &h.end, NULL))
                    continue;
                switch ((enum phrase_kind)ph->kind) {
                case K_CUE:
                    if (push_hit(&an->cues, &an->n_cues, &an->cues_cap, h))
                        return sm_diag_set(diag, SM_ENOMEM, "cannot allocate matches");
                    break;
                case K_CONTEXT:
                    an->stamp_ctx[ph->item] = sno;
                    break;
                case K_EXCLUDE:
                    an->stamp_excl[ph->item] = sno;
                    break;
                case K_TERM:
                    if (push_hit(&an->hits, &an->n_hits, &an->hits_cap, h))
                        return sm_diag_set(diag, SM_ENOMEM, "cannot allocate matches");
                    if (an->stamp_term[ph->item] != sno) {
                        an->stamp_term[ph->item] = sno;
                        an->cand_items[n_cand++] = ph->item;
                    }
                    break;
                }
            }
        }
    }

    for (size_t c = 0; c < n_cand; c++) {
        uint32_t item = an->cand_items[c];
        if (an->stamp_excl[item] == sno)
            continue;
        if (an->has_context[item] && an->stamp_ctx[item] != sno)
            continue;
        /* The term of this item that is not negated, preferring one with a cue outside it
         * (the sentence is concrete), then the most specific. */
        const struct hit *best = NULL;
        bool best_concrete = false;
        for (size_t k = 0; k < an->n_hits; k++) {
            const struct hit *h = &an->hits[k];
            const struct phrase *ph = &an->phrases[h->phrase];
            if (ph->item != item || is_negated(an, tok, ids, m, h->end))
                continue;
            bool concrete = an->n_cues && concrete_outside(an, h, m);
            if (best &&
                (best_concrete > concrete ||
                 (best_concrete == concrete && an->phrases[best->phrase].n_lemmas >= ph->n_lemmas)))
                continue;
            best = h;
            best_concrete = concrete;
        }
        if (!best)
            continue;
        const struct phrase *ph = &an->phrases[best->phrase];
        int score = best_concrete ? SM_SCORE_CONCRETE : SM_SCORE_MENTION;
        struct acc *a = &an->acc[item];
        a->n_sentences++;
        if (score == SM_SCORE_CONCRETE)
            a->n_concrete++;
        if (score > a->score)
            a->score = score;
        a->terms_seen |= (uint64_t)1 << (ph->string % 64);
        struct cand cd = {
            .page = page, .offset = off, .len = len, .score = score, .phrase = best->phrase
        };
        keep_best(a, &cd);
    }
    return SM_OK;
}

/* Sentences longer than this are analysed in pieces (cut after a comma or a space when one
 * is near), so one run-on paragraph cannot make MeCab's lattice huge. */
#define PIECE_MAX 8192

static size_t piece_len(const char *s, size_t n)
{
    if (n <= PIECE_MAX)
        return n;
    for (size_t i = PIECE_MAX; i > PIECE_MAX / 2; i--) {
        if (s[i - 1] == ' ' || (i >= 3 && (unsigned char)s[i - 3] == 0xE3 &&
                                (unsigned char)s[i - 2] == 0x80 && (unsigned char)s[i - 1] == 0x81))
            return i;
    }
    size_t i = PIECE_MAX;
    while (i > 0 && ((unsigned char)s[i] & 0xC0) == 0x80)
        i--;
    return i ? i : n;
}

static int strength_of(const struct sm_analyzer *an, const struct acc *a)
{
    if (a->score == 0)
        return 0;
    int s = a->score == SM_SCORE_CONCRETE ? 5 : 3;
    s += a->n_sentences >= 3 ? 2 : (int)a->n_sentences - 1;
    if (a->n_best && an->phrases[a->best[0].phrase].specific)
        s++;
    if (a->terms_seen & (a->terms_seen - 1))
        s++;
    if (a->n_concrete >= 2)
        s++;
    return s > 10 ? 10 : s;
}

static int build_result(struct sm_analyzer *an, const struct sm_document *doc,
                        struct sm_analysis **out)
{
    struct sm_analysis *res = sm_calloc(1, sizeof *res);
    if (!res)
        return SM_ENOMEM;
    res->items = sm_calloc(an->n_items ? an->n_items : 1, sizeof *res->items);
    if (!res->items) {
        sm_free(res);
        return SM_ENOMEM;
    }
    res->n_items = an->n_items;
    for (size_t i = 0; i < an->n_items; i++) {
        const struct sm_check_item *it = sm_catalog_item(an->catalog, i);
        const struct acc *a = &an->acc[i];
        struct sm_item_result *r = &res->items[i];
        r->item_id = it->id;
        r->score = a->score;
        r->strength = strength_of(an, a);
        r->relation = a->score == SM_SCORE_CONCRETE  ? SM_REL_EQUAL
                      : a->score == SM_SCORE_MENTION ? SM_REL_INTERSECTS
                                                     : SM_REL_NOT_RELATED;
        if (!a->n_best)
            continue;
        r->evidence = sm_calloc(a->n_best, sizeof *r->evidence);
        if (!r->evidence)
            goto nomem;
        for (size_t k = 0; k < a->n_best; k++) {
            const struct cand *c = &a->best[k];
            const struct phrase *ph = &an->phrases[c->phrase];
            struct sm_evidence *e = &r->evidence[k];
            e->page = doc->pages[c->page].number;
            e->offset = c->offset;
            e->len = c->len;
            e->score = c->score;
            e->text = sm_strndup(doc->pages[c->page].text + c->offset, c->len);
            e->matched = sm_strdup(it->terms.v[ph->string]);
            r->n_evidence = k + 1;
            if (!e->text || !e->matched)
                goto nomem;
        }
    }
    *out = res;
    return SM_OK;
nomem:
    sm_analysis_free(res);
    return SM_ENOMEM;
}

int sm_analyze(struct sm_analyzer *an, const struct sm_document *doc, struct sm_analysis **out,
               struct sm_diag *diag)
{
    memset(an->acc, 0, (an->n_items ? an->n_items : 1) * sizeof *an->acc);
    for (size_t p = 0; p < doc->n_pages; p++) {
        const struct sm_page *page = &doc->pages[p];
        struct sm_sentence *sents = NULL;
        size_t n_sents = 0;
        int rc = sm_text_sentences(page->text, page->len, &sents, &n_sents);
        if (rc != SM_OK)
            return sm_diag_set(diag, rc, "cannot split page %d into sentences", page->number);
        for (size_t s = 0; s < n_sents && rc == SM_OK; s++) {
            size_t off = sents[s].offset, left = sents[s].len;
            while (left > 0 && rc == SM_OK) {
                size_t n = piece_len(page->text + off, left);
                rc = analyze_sentence(an, p, page->text, off, n, diag);
                off += n;
                left -= n;
            }
        }
        sm_free(sents);
        if (rc != SM_OK)
            return rc;
    }
    if (build_result(an, doc, out) != SM_OK)
        return sm_diag_set(diag, SM_ENOMEM, "cannot allocate the analysis");
    return SM_OK;
}

/* --- Several documents on several threads ----------------------------------------------- */

struct pool {
    const struct sm_catalog *catalog;
    const struct sm_document *const *docs;
    size_t n_docs;
    struct sm_analysis **out;
    void (*progress)(void *ctx, size_t done, size_t total);
    void *ctx;
    pthread_mutex_t mu;
    size_t next, done;
    bool stop;
    int rc;
    size_t failed; /* the document that failed, or n_docs for the set-up */
    struct sm_diag diag;
};

static void fail(struct pool *pl, int rc, size_t doc, const struct sm_diag *d)
{
    if (pl->rc == SM_OK) {
        pl->rc = rc;
        pl->failed = doc;
        pl->diag = *d;
    }
    pl->stop = true;
}

static void *worker(void *arg)
{
    struct pool *pl = arg;
    struct sm_diag d;
    sm_diag_clear(&d);
    struct sm_analyzer *an = NULL;
    int rc = sm_analyzer_new(pl->catalog, &an, &d);
    if (rc != SM_OK) {
        pthread_mutex_lock(&pl->mu);
        fail(pl, rc, pl->n_docs, &d);
        pthread_mutex_unlock(&pl->mu);
        return NULL;
    }
    for (;;) {
        pthread_mutex_lock(&pl->mu);
        if (pl->stop || pl->next >= pl->n_docs) {
            pthread_mutex_unlock(&pl->mu);
            break;
        }
        size_t i = pl->next++;
        pthread_mutex_unlock(&pl->mu);
        struct sm_analysis *res = NULL;
        rc = sm_analyze(an, pl->docs[i], &res, &d);
        pthread_mutex_lock(&pl->mu);
        if (rc != SM_OK) {
            fail(pl, rc, i, &d);
        } else {
            pl->out[i] = res;
            pl->done++;
            if (pl->progress)
                pl->progress(pl->ctx, pl->done, pl->n_docs);
        }
        pthread_mutex_unlock(&pl->mu);
    }
    sm_analyzer_free(an);
    return NULL;
}

int sm_analyze_many(const struct sm_catalog *catalog, const struct sm_document *const *docs,
                    size_t n_docs, unsigned threads, struct sm_analysis **out,
                    void (*progress)(void *ctx, size_t done, size_t total), void *ctx,
                    struct sm_diag *diag)
{
    for (size_t i = 0; i < n_docs; i++)
        out[i] = NULL;
    if (n_docs == 0)
        return SM_OK;
    if (threads == 0) {
        long cores = sysconf(_SC_NPROCESSORS_ONLN);
        threads = cores > 0 ? (unsigned)cores : 1;
    }
    if (threads > n_docs)
        threads = (unsigned)n_docs;
    if (threads > 256)
        threads = 256;

    struct pool pl = { .catalog = catalog,
                       .docs = docs,
                       .n_docs = n_docs,
                       .out = out,
                       .progress = progress,
                       .ctx = ctx,
                       .rc = SM_OK };
    sm_diag_clear(&pl.diag);
    if (pthread_mutex_init(&pl.mu, NULL) != 0)
        return sm_diag_set(diag, SM_ENOMEM, "cannot create a mutex");
    pthread_t tids[256];
    unsigned started = 0;
    /* The calling thread works too, so threads - 1 helpers are started. */
    for (unsigned t = 1; t < threads; t++) {
        if (pthread_create(&tids[started], NULL, worker, &pl) != 0)
            break;
        started++;
    }
    worker(&pl);
    for (unsigned t = 0; t < started; t++)
        pthread_join(tids[t], NULL);
    pthread_mutex_destroy(&pl.mu);

    if (pl.rc != SM_OK) {
        for (size_t i = 0; i < n_docs; i++) {
            sm_analysis_free(out[i]);
            out[i] = NULL;
        }
        if (pl.failed < n_docs)
            return sm_diag_set(diag, pl.rc, "document %zu: %s", pl.failed + 1, pl.diag.msg);
        return sm_diag_set(diag, pl.rc, "%s", pl.diag.msg);
    }
    return SM_OK;
}

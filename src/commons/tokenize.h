/*
 * Japanese tokenisation for the analyser (internal to libsmesec).
 *
 * A thin wrapper over MeCab with the IPA dictionary: tokenize.c is the only file that includes
 * mecab.h, so swapping the tokeniser touches one place. A tagger owns its own MeCab model,
 * tagger and lattice; it is not thread-safe (use one per thread).
 */
#ifndef SM_COMMONS_TOKENIZE_H
#define SM_COMMONS_TOKENIZE_H

#include "smesec/err.h"

#include <stddef.h>

/* Coarse part of speech, from the IPA dictionary's first feature field. */
enum sm__pos {
    SM__POS_OTHER,
    SM__POS_NOUN,     /* 名詞 */
    SM__POS_VERB,     /* 動詞 */
    SM__POS_ADJ,      /* 形容詞 */
    SM__POS_AUX,      /* 助動詞 */
    SM__POS_PARTICLE, /* 助詞 */
    SM__POS_SYMBOL,   /* 記号 */
    SM__POS_PREFIX    /* 接頭詞 */
};

/* Finer class, from the second feature field; only the ones the analyser asks about. */
enum sm__sub {
    SM__SUB_NONE,
    SM__SUB_NUMBER, /* 名詞,数 */
    SM__SUB_DEPENDENT, /* 名詞,非自立 (こと, もの, よう, ため ...) and 動詞,非自立 (ている) */
    SM__SUB_SUFFIX,      /* 名詞,接尾 */
    SM__SUB_CASE,        /* 助詞,格助詞 */
    SM__SUB_BINDING,     /* 助詞,係助詞 */
    SM__SUB_ADVERBIAL,   /* 助詞,副助詞 */
    SM__SUB_CONJUNCTIVE, /* 助詞,接続助詞 */
    SM__SUB_ADNOMINAL,   /* 助詞,連体化 (の) */
    SM__SUB_PERIOD,      /* 記号,句点 */
    SM__SUB_COMMA        /* 記号,読点 */
};

/* One token. surface points into the parsed text; lemma (基本形, or the surface when the
 * dictionary has none) may point into MeCab's memory and is valid until the next parse.
 *
 * A run of adjacent katakana-only tokens is one token (a noun whose lemma is its surface):
 * the IPA dictionary lacks many loanwords and splits them differently by context (クラウド
 * サービス is one unknown word after や but クラ|ウド|サービス at the start of a line), so
 * merging the run makes a phrase and a sentence agree whatever MeCab guessed. */
struct sm__token {
    const char *surface;
    size_t surface_len;
    const char *lemma;
    size_t lemma_len;
    unsigned char pos;      /* enum sm__pos */
    unsigned char sub;      /* enum sm__sub */
    unsigned char katakana; /* 1 for a (merged) katakana run */
};

struct sm__tagger;

/* Loads MeCab's default dictionary. SM_EUNSUPPORTED with the reason when MeCab cannot load
 * it or it is not a UTF-8 dictionary; SM_ENOMEM. *out is owned by the caller. */
int sm__tagger_new(struct sm__tagger **out, struct sm_diag *diag);
void sm__tagger_free(struct sm__tagger *tagger);

/* Tokenises s[0, n). *tokens (owned by the tagger, valid until the next parse or free) gets
 * *count tokens in order; white space is not a token. SM_ENOMEM, or SM_EINVAL when MeCab
 * refuses the text. */
int sm__tagger_parse(struct sm__tagger *tagger, const char *s, size_t n,
                     const struct sm__token **tokens, size_t *count, struct sm_diag *diag);

#endif

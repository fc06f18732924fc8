/*
 * Message catalogs: every user-visible string of the pages, in Japanese (first) and English.
 *
 * Catalogs are flat JSON objects, key -> text, one file per language (ja.json, en.json),
 * embedded in the binary. Loading checks that both languages define exactly the same keys, so
 * a missing translation is caught at start (and by the unit tests), not by a user.
 */
#ifndef SMESEC_I18N_H
#define SMESEC_I18N_H

#include "smesec/embed.h"
#include "smesec/err.h"

enum sm_lang {
    SM_LANG_JA,
    SM_LANG_EN
};

#define SM_LANG_COUNT 2

/* "ja" / "en". Static. */
const char *sm_lang_code(enum sm_lang lang);
/* Parses "ja" or "en" (exactly); SM_EINVAL otherwise. */
int sm_lang_parse(const char *code, enum sm_lang *out);

struct sm_i18n;

/* Loads "ja.json" and "en.json" from files, each merged with its parts "ja-<part>.json" /
 * "en-<part>.json" when there are any (each part of the program may keep its strings in a
 * file of its own). SM_EPARSE (with the file and line in diag) when a file is not a flat
 * object of strings, SM_EINVAL when a key is defined in two files of one language or when the
 * languages' key sets differ (diag names the first such key). *out is owned by the caller
 * (sm_i18n_free). The result is read-only and safe to share between threads. */
int sm_i18n_new(const struct sm_embedded *files, struct sm_i18n **out, struct sm_diag *diag);
void sm_i18n_free(struct sm_i18n *i18n);

/* The text for key in lang, borrowed from i18n. Never NULL: an unknown key returns the key
 * itself, so a typo shows on the page instead of crashing it. */
const char *sm_i18n_get(const struct sm_i18n *i18n, enum sm_lang lang, const char *key);

#endif

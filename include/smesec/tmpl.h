/*
 * HTML templates that escape by default.
 *
 * A small logic-less language (a subset of Mustache) rendered from a jansson value:
 *
 *   {{name}}         the value at name, HTML-escaped. Names are dotted paths (a.b.c) looked up
 *                    from the innermost section outwards; {{.}} is the current item.
 *   {{{name}}}       the value unescaped: the one raw insertion, only for HTML the program
 *                    built itself (for example a server-side SVG chart). Never user input.
 *   {{#name}}..{{/name}}  a section: once per element of an array, once with the object as
 *                    the new scope, once for true / a non-empty string / a non-zero number;
 *                    not at all for false, null, "", 0, an empty array or a missing name.
 *   {{^name}}..{{/name}}  an inverted section: once exactly when {{#name}} would not render.
 *   {{>name}}        another template of the same set, rendered in the current scope.
 *   {{_ key}}        the message key from the catalog in the render's language, escaped.
 *   {{! text }}      a comment.
 *
 * Strings render as they are, integers and reals in decimal, true/false as "true"/"false",
 * null and missing names as nothing.
 */
#ifndef SMESEC_TMPL_H
#define SMESEC_TMPL_H

#include "smesec/buf.h"
#include "smesec/embed.h"
#include "smesec/err.h"
#include "smesec/i18n.h"

#include <jansson.h>

struct sm_tmpl_set;

/* Compiles every file in files (templates are referred to by their embedded name, such as
 * "top.html"). SM_EPARSE with the file name and line in diag for an unclosed or mismatched
 * section, an unterminated tag, or a partial that is not in the set. *out is owned by the
 * caller (sm_tmpl_set_free); it is read-only and safe to share between threads. */
int sm_tmpl_set_new(const struct sm_embedded *files, struct sm_tmpl_set **out,
                    struct sm_diag *diag);
void sm_tmpl_set_free(struct sm_tmpl_set *set);

/* Renders the template name with ctx (borrowed) into out (appended). i18n may be NULL when
 * the template uses no {{_ key}}. Returns SM_ENOTFOUND for an unknown name, SM_ELIMIT when
 * out's maximum is reached or partials nest deeper than 16, SM_ENOMEM. */
int sm_tmpl_render(const struct sm_tmpl_set *set, const char *name, const json_t *ctx,
                   const struct sm_i18n *i18n, enum sm_lang lang, struct sm_buf *out,
                   struct sm_diag *diag);

#endif

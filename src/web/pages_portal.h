/*
 * What the registry's logged-in pages share: the provider portal (pages_portal.c), the
 * reviewers' pages (pages_review.c) and the operators' pages (pages_operator*.c).
 *
 *   - The gate admits the roles of an area, builds the registry's "who" from the session
 *     (the library's access rules decide everything else) and answers for everyone else:
 *     an anonymous visitor goes to the login page with a way back, another role gets 403,
 *     and so does a provider user who is not linked to a provider.
 *   - A state change is a POST: web_reg_post adds the urlencoded form and its CSRF check
 *     against the session's token (403 and nothing done when it does not match).
 *   - The service-content form: read from a request into a struct sm_service_content, and
 *     written back as page fields, from the content or from what was typed.
 *   - The conformance report (live, or as stored with an application), lists of services
 *     and applications, and the labels of the registry's enumerations in the page's
 *     language ("reg.<group>.<name>" in i18n/ja-portal.json and en-portal.json).
 *
 * Internal names are web_reg_*; handlers are route_* (routes.h).
 */
#ifndef SM_WEB_PAGES_PORTAL_H
#define SM_WEB_PAGES_PORTAL_H

#include "app.h"

#include "smesec/registry.h"

#include <stdbool.h>
#include <stdint.h>

/* Roles admitted by an area. */
#define WEB_REG_ROLE(r)  (1u << (unsigned)(r))
#define WEB_REG_PROVIDER WEB_REG_ROLE(SM_ROLE_PROVIDER)
#define WEB_REG_REVIEW   (WEB_REG_ROLE(SM_ROLE_REVIEWER) | WEB_REG_ROLE(SM_ROLE_OPERATOR))
#define WEB_REG_OPERATOR WEB_REG_ROLE(SM_ROLE_OPERATOR)

/* The registry CSV upload may be as large as the library reads (64 MiB), with room for the
 * multipart framing around it; every other body keeps WEB_BODY_MAX. */
#define WEB_REG_IMPORT_MAX (65u * 1024u * 1024u)

/* Who is asking, once the gate let them in. */
struct web_reg {
    const struct sm_session *session; /* NULL when the gate answered instead */
    struct sm_registry_who who;       /* borrows the session */
    struct sm_actor actor;            /* for functions of auth.h */
    char today[SM_DATE_SIZE];         /* the date in Japan */
    struct web_params form;           /* the posted form (web_reg_post), else empty */
};

/* Lets the request through when the session's role is in roles (and, for provider staff,
 * when the user is linked to a provider): u->session is set. Otherwise answers (login
 * redirect, 403) and leaves u->session NULL; the handler then returns what this returns. */
int web_reg_gate(struct web_request *req, unsigned roles, struct web_reg *u);

/* web_reg_gate, then the urlencoded form and its CSRF field: a missing or wrong token is
 * answered 403 and u->session is left NULL. */
int web_reg_post(struct web_request *req, unsigned roles, struct web_reg *u);

/* A posted field, or NULL. */
const char *web_reg_field(const struct web_reg *u, const char *name);

/* Parses an id (1..10^18). */
bool web_reg_id(const char *s, int64_t *out);

/* The page's text for the enumeration value name of group ("reg.<group>.<name>"). */
const char *web_reg_label(const struct web_request *req, const char *group, const char *name);

/* A JSON string, or null for NULL. */
json_t *web_reg_str(const char *s);

/* Sets ctx.notice from the ?done= parameter a redirect after a change carries (only the
 * names in the table of pages_portal_common.c; anything else is ignored). */
int web_reg_notice(struct web_request *req, json_t *ctx);

/* Sets ctx.alert = {message, detail} for a library error that the page shows above the
 * form it came from. */
int web_reg_alert(struct web_request *req, json_t *ctx, int rc, const struct sm_diag *diag);

/* True for the errors a form page shows itself (bad input, a conflict); access refusals and
 * failures are answered as error pages instead. The status to answer with is
 * web_status_for(rc). */
bool web_reg_shown_in_form(int rc);

/* Renders a page of these areas (their stylesheet added, and is_operator for the navigation)
 * and releases ctx. */
int web_reg_render(struct web_request *req, int status, const char *name, const char *title_key,
                   json_t *ctx);

/* 303 to the location written from fmt. */
int web_reg_redirect(struct web_request *req, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* "YYYY-MM-DD HH:MM" in Japan for Unix seconds t, into the request's arena ("" for 0). */
const char *web_reg_time(struct web_request *req, int64_t t);

/* The prefecture's name in the page's language, or code when unknown. */
const char *web_reg_pref_name(const struct web_request *req, const char *code);

/* --- the service-content form --------------------------------------------------------- */

/* Reads the content form's fields into *c (strings and devices live in the request's
 * arena). Problems the page can name (a number that is not one, an unknown device from the
 * catalog) are appended to errors as text; the content is still filled as far as it goes.
 * cat (may be NULL) is the device catalog rows may refer to. SM_ENOMEM. */
int web_reg_content_read(struct web_request *req, const struct web_params *form,
                         const struct sm_device_catalog *cat, struct sm_service_content *c,
                         json_t *errors);

/* Writes the content as the fields a form would send (to fill a form from stored content).
 * Arena. */
int web_reg_content_params(struct web_request *req, const struct sm_service_content *c,
                           struct web_params *out);

/* Puts ctx.form: every field of the content form as the template needs it, from params (as
 * typed, or from web_reg_content_params), with extra_rows empty device rows added. */
int web_reg_content_form(struct web_request *req, json_t *ctx, const struct web_params *params,
                         const struct sm_device_catalog *cat, int extra_rows);

/* The content as rows of {label, value} and its devices, for reading: ctx.content. */
int web_reg_content_view(struct web_request *req, json_t *ctx, const struct sm_service_content *c);

/* Checks content against the latest standard as of u's today and puts ctx.report. */
int web_reg_report(struct web_request *req, json_t *ctx, const struct sm_service_content *c,
                   const char *today);

/* An application's stored report with the reviewers' judgements: ctx.report. */
int web_reg_checks(struct web_request *req, json_t *ctx, const struct sm_registry_application *app);

/* --- lists ---------------------------------------------------------------------------- */

/* A service row for a list. */
json_t *web_reg_service_row(struct web_request *req, const struct sm_registry_service_row *r);
/* An application row for a list. */
json_t *web_reg_application_row(struct web_request *req,
                                const struct sm_registry_application_row *r);
/* A case study for a list or a page. */
json_t *web_reg_case(struct web_request *req, const struct sm_case_study *c);

#endif

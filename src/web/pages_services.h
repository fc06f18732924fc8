/*
 * What the files of the public Otasuketai site share (pages_services*.c, api_services.c):
 * the search parameters read from a request, the cache of search answers, the rate limit of
 * the inquiry form, the visitor's first-touch channel, and small formatting helpers.
 *
 * Names shared across these files are prefixed svc_. Everything here is server-side
 * adapter code over the registry's public API (smesec/registry.h); none of it touches SQL.
 */
#ifndef SM_WEB_PAGES_SERVICES_H
#define SM_WEB_PAGES_SERVICES_H

#include "app.h"

#include "smesec/registry.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Results per page of the HTML search; the API takes limit and offset instead. */
#define SVC_PAGE_SIZE 20
/* The API's default and largest page: every match of a prefecture fits in one answer. */
#define SVC_API_LIMIT 500

/* --- Search parameters (pages_services_query.c) ------------------------------------------ */

/* A search as read from the query string. */
struct svc_search {
    struct sm_registry_query q;
    int page; /* the HTML page, 1-based */
    /* The normalised query: every parameter in a fixed order with its parsed value, so
     * that spellings of the same search ("onsite=0", "onsite=", none) share one cache
     * entry and one link. Safe in a URL query as it is. */
    char canon[200];
    /* The first bad parameter (static name) and why, when parsing failed. */
    const char *bad_name;
};

/* Reads the search parameters of req into *out: prefecture, type, class, onsite,
 * ransomware (1, 0 or effective), max_price, devices and sort, and for the HTML page page,
 * for the API limit and offset. Empty values mean "any", and other names are ignored (lang,
 * utm_*, ...). SM_EINVAL with the reason in diag and out->bad_name set for a bad value. */
int svc_search_parse(const struct web_request *req, bool api, struct svc_search *out,
                     struct sm_diag *diag);

/* Appends the address of the HTML search s with one parameter changed: name set to value,
 * or removed when value is NULL or "" ("/services?prefecture=01&type=endpoint", or just
 * "/services"). page is dropped unless name is "page", so a changed filter starts at the
 * first page. SM_EINVAL for an unknown name. */
int svc_search_href(const struct svc_search *s, const char *name, const char *value,
                    struct sm_buf *out);

/* The monthly cost of a service of type m for `devices` devices: the site's monthly price
 * where the type has one, plus devices times the per-device price where it has one; the
 * search's rule (docs/registry.md). SM_UNKNOWN when a price its type has is not stated. */
int64_t svc_price_for(enum sm_monitoring m, int64_t monthly, int64_t per_device, int64_t devices);

/* --- The cache of search answers (pages_services_cache.c) -------------------------------- */

/* A cache of rendered search answers (an HTML fragment or a JSON body) keyed by a string,
 * valid for one listing generation and one date: when either moves on, everything is
 * dropped. Bounded by entries and bytes, least recently used first out. Thread-safe (one
 * mutex); it is process-wide and lives as long as the process. */

/* Copies the entry for key, valid for (generation, today), into out (appended). *hit says
 * whether there was one. SM_ENOMEM (or SM_ELIMIT from out) when the copy fails. */
int svc_cache_get(int64_t generation, const char *today, const char *key, struct sm_buf *out,
                  bool *hit);
/* Stores a copy of data[0..len) for key and (generation, today). An entry for an older
 * generation than the cache holds is dropped silently, as is one larger than the bound. */
int svc_cache_put(int64_t generation, const char *today, const char *key, const char *data,
                  size_t len);

/* --- The inquiry form's rate limit (pages_services_inquiry.c) ---------------------------- */

/* Inquiries one client address may send in SVC_LIMIT_WINDOW seconds, and one service may
 * receive in SVC_SERVICE_WINDOW seconds from all addresses together. */
#define SVC_LIMIT_PER_CLIENT  5
#define SVC_LIMIT_WINDOW      600
#define SVC_LIMIT_PER_SERVICE 60
#define SVC_SERVICE_WINDOW    3600

/* --- Formatting (pages_services_query.c) ------------------------------------------------- */

/* Writes v with thousands separators ("12,800") into out (size at least 32). */
void svc_format_yen(int64_t v, char out[32]);

/* The message key for a tri-state of a property: "svc.tri.<what>.yes|no|unknown". Writes it
 * into key (size 64). */
void svc_tri_key(const char *what, enum sm_tri t, char key[64]);

/* Adds text to the object when not NULL (as a string), else nothing. */
int svc_set_str(json_t *obj, const char *name, const char *text);

/* Sets "lang_query" on ctx to query followed by '&' (nothing when query is NULL or ""), so
 * that the language switch in head.html keeps the page's parameters. query must be a
 * normalised one (svc_search.canon). */
int svc_set_lang_query(json_t *ctx, const char *query);

/* --- Pages shared between the files ------------------------------------------------- */

/* Renders the service page (template "services_page.html", with its case studies) or the
 * inquiry page ("inquiry_form.html") of svc with status; form (borrowed, may be NULL) is
 * the inquiry form's fields from svc_inquiry_form. */
int svc_render_service(struct web_request *req, int status, const struct sm_registry_service *svc,
                       json_t *form, const char *template_name);

/* Builds the inquiry form's fields into *out (a new object the caller owns): the CSRF
 * token (setting the sm_csrf cookie when the visitor has none), the channel as hidden
 * fields, the prefecture choices, and after a failed submission the values sent (values,
 * may be NULL) and the messages (errors: an array of {"field", "message"}, borrowed, may be
 * NULL). */
int svc_inquiry_form(struct web_request *req, int64_t service_id, const struct web_params *values,
                     json_t *errors, json_t **out);

/* GET /services/{id}/inquiry and GET /services/{id}/inquiry/sent (route_service passes
 * them on). */
int svc_route_inquiry_form(struct web_request *req, int64_t service_id);
int svc_route_inquiry_sent(struct web_request *req, int64_t service_id);

/* Parses "<prefix><id>[rest]" with a positive decimal id of at most 15 digits and no
 * leading zero; *rest gets what follows the id. */
bool svc_path_id(const char *path, const char *prefix, int64_t *id, const char **rest);

/* The visitor's first-touch channel (pages_services_inquiry.c): on a landing request with
 * utm_* parameters or a Referer from another site, and no channel cookie yet, remembers
 * them in the sm_src cookie for 30 days. Never fails a page: errors are ignored. */
void svc_note_channel(struct web_request *req);

#endif

/*
 * What the guideline-commons pages share (pages_workspace.c, pages_drafting.c,
 * pages_selfcheck.c): the built-in catalog loaded once, the background worker that runs
 * queued analyses, and small helpers for access checks, CSRF, uploads and file downloads.
 *
 * Internal names are web_commons_* / web_*; handlers are route_* (routes.h).
 */
#ifndef SM_WEB_COMMONS_H
#define SM_WEB_COMMONS_H

#include "app.h"
#include "multipart.h"

#include "smesec/catalog.h"
#include "smesec/commonref.h"

#include <stdbool.h>
#include <stdint.h>

/* Uploads (guidelines, drafts) may be this large; every other body keeps WEB_BODY_MAX. */
#define WEB_UPLOAD_MAX (50u * 1024u * 1024u)

/* --- set-up (server.c) ----------------------------------------------------------------- */

/* Loads the catalog built into the program. Before the workers start. */
int web_commons_init(struct web_app *app, struct sm_diag *diag);
/* Starts the background worker on its own database connection. Call with SIGINT and
 * SIGTERM blocked, so the worker inherits the mask. */
int web_commons_start(struct web_app *app, struct sm_diag *diag);
/* Asks the worker to stop and waits for the job it is running to finish. */
void web_commons_stop(struct web_app *app);
void web_commons_free(struct web_app *app);
/* Tells the worker that a job was queued. */
void web_commons_wake(struct web_app *app);

/* The built-in catalog (read-only, shared). */
const struct sm_catalog *web_commons_catalog(const struct web_request *req);

/* --- access -------------------------------------------------------------------------- */

/* Role masks for web_gate. */
#define WEB_ROLE(r) (1u << (unsigned)(r))

/* Lets the request through when its session's role is in roles: *out gets the session.
 * Otherwise answers (an anonymous visitor is sent to the login page with a way back, a
 * user of another role gets 403) and sets *out to NULL; the handler then returns SM_OK. */
int web_gate(struct web_request *req, unsigned roles, const struct sm_session **out);

/* The actor for the library's audit records. Borrows the session. */
struct sm_actor web_actor(const struct sm_session *s);

/* True when field matches the session's CSRF token. */
bool web_csrf_ok(const struct sm_session *s, const char *field);

/* The double-submit CSRF token of pages without a login (as the login form uses): the
 * sm_csrf cookie when it has one, else a new one set as the cookie. Arena. */
int web_public_csrf(struct web_request *req, const char **out);
/* True when field and the sm_csrf cookie agree. */
bool web_public_csrf_ok(struct web_request *req, const char *field);

/* --- input ----------------------------------------------------------------------------- */

/* Parses a query or form value as an id (1..2^62). */
bool web_parse_id(const char *s, int64_t *out);
/* Parses a small integer lo..hi. */
bool web_parse_int(const char *s, int lo, int hi, int *out);

/* Parses the multipart body of req. SM_EUNSUPPORTED (415) for another body type,
 * SM_EPARSE / SM_ELIMIT with the reason in diag. */
int web_multipart(struct web_request *req, struct web_multipart *out, struct sm_diag *diag);

/* For an uploaded file the document reader refused with rc: the message key to show, and the
 * status (too large 413, a format it cannot read 415, out of memory 503, else 400). */
const char *web_upload_error_key(int rc);
int web_upload_error_status(int rc);

/* --- output ---------------------------------------------------------------------------- */

/* Sets Content-Disposition: attachment with filename (ASCII fallback) and filename*
 * (UTF-8, percent-encoded). */
int web_attachment(struct web_request *req, const char *filename);

/* Streams the file at path as an attachment called filename with content_type, then
 * removes the file (it stays readable through the open descriptor until sent). */
int web_send_file(struct web_request *req, const char *path, const char *content_type,
                  const char *filename);

/* Answers 200 with the bytes of buf (taken over) as an attachment. */
int web_send_buf(struct web_request *req, struct sm_buf *buf, const char *content_type,
                 const char *filename);

/* Answers with one output of the engine (file: workbook, checksheet-xlsx, checksheet-html,
 * examples, discussion-items, discussion-coverage, discussion-md, feedback, oscal-catalog,
 * oscal-results; the last two but one for guideline gid), generated under criterion c into
 * a temporary folder for this request and streamed (pages_workspace.c). */
int web_export_download(struct web_request *req, const char *file, int64_t gid,
                        const struct sm_criterion *c);

/* Puts a list of the 47 prefectures ({code, name, selected}) into ctx at key, with code
 * selected when it matches. */
int web_prefecture_options(struct web_request *req, json_t *ctx, const char *key,
                           const char *selected);

/* A JSON string or null for s. */
json_t *web_json_str(const char *s);

#endif

/*
 * The handlers and the table that maps method and path to them (router.c).
 *
 * A handler fills req->res and returns SM_OK, or returns an error code: when it has not
 * answered (res.status still 0) the router answers for it through web_fail_err, so each
 * handler only answers the cases it knows better (a re-rendered form, a JSON reason).
 */
#ifndef SM_WEB_ROUTES_H
#define SM_WEB_ROUTES_H

#include "app.h"

/* Answers req: limits, target and query checks, route lookup, 404/405, the handler. */
void web_dispatch(struct web_request *req);

/* pages_public.c */
int route_top(struct web_request *req);

/* pages_auth.c */
int route_login_form(struct web_request *req);
int route_login(struct web_request *req);
int route_logout(struct web_request *req);

/* pages_admin.c */
int route_admin(struct web_request *req);

/* api.c */
int route_healthz(struct web_request *req);
int route_api_prefectures(struct web_request *req);
int route_api_session(struct web_request *req);

/* static.c */
int route_static(struct web_request *req);
/* Finds the embedded static files and computes their ETags. */
int web_static_init(struct web_app *app, struct sm_diag *diag);
void web_static_free(struct web_app *app);

/* refdata.c: the reference data the pages and API serve from memory. */
int web_refdata_init(struct web_app *app, struct sm_diag *diag);
void web_refdata_free(struct web_app *app);

#endif

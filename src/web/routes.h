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
/* The most body bytes a request for method and path may send. */
size_t web_body_limit(enum web_method method, const char *path);

/* pages_public.c */
int route_top(struct web_request *req);

/* pages_auth.c */
int route_login_form(struct web_request *req);
int route_login(struct web_request *req);
int route_logout(struct web_request *req);

/* pages_admin.c */
int route_admin(struct web_request *req);

/* pages_workspace.c: the analysis workspace (analysts and operators) */
int route_workspace(struct web_request *req);
int route_workspace_upload(struct web_request *req);
int route_workspace_job(struct web_request *req);
int route_workspace_analyse(struct web_request *req);
int route_workspace_delete(struct web_request *req);
int route_workspace_matrix(struct web_request *req);
int route_workspace_cell(struct web_request *req);
int route_workspace_review(struct web_request *req);
int route_workspace_override(struct web_request *req);
int route_workspace_queue(struct web_request *req);
int route_workspace_download(struct web_request *req);

/* pages_drafting.c: drafting support and the industry view (associations), the handbook */
int route_drafting(struct web_request *req);
int route_drafting_upload(struct web_request *req);
int route_drafting_view(struct web_request *req);
int route_drafting_starter(struct web_request *req);
int route_drafting_delete(struct web_request *req);
int route_industry(struct web_request *req);
int route_industry_feedback(struct web_request *req);
int route_handbook(struct web_request *req);

/* pages_selfcheck.c: the SME self-check (public) */
int route_selfcheck_form(struct web_request *req);
int route_selfcheck_result(struct web_request *req);
int route_selfcheck_save(struct web_request *req);
int route_selfcheck_contribute(struct web_request *req);
int route_selfcheck_delete(struct web_request *req);
int route_selfcheck_saved(struct web_request *req);

/* pages_services*.c, api_services.c: the public Otasuketai site and its API */
int route_services(struct web_request *req);
int route_service(struct web_request *req);
int route_service_inquiry(struct web_request *req);
int route_ransomware(struct web_request *req);
int route_cases(struct web_request *req);
int route_case(struct web_request *req);
int route_api_services(struct web_request *req);
int route_api_service(struct web_request *req);

/* pages_sharing.c: incident reports in the portal, shared and published statistics */
int route_portal_incidents(struct web_request *req);
int route_portal_incidents_post(struct web_request *req);
int route_portal_incidents_upload(struct web_request *req);
int route_portal_incidents_template(struct web_request *req);
int route_portal_stats(struct web_request *req);
int route_portal_stats_csv(struct web_request *req);
int route_portal_stats_stix(struct web_request *req);
int route_portal_stats_publish(struct web_request *req);
int route_portal_stats_k(struct web_request *req);
int route_stats(struct web_request *req);
int route_stats_csv(struct web_request *req);

/* api_sharing.c: the incident-sharing API */
int route_api_incidents(struct web_request *req);
int route_api_sharing_stats(struct web_request *req);
int route_api_sharing_stix(struct web_request *req);
int route_api_sharing_csv(struct web_request *req);

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

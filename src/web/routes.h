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

/* pages_portal.c: the provider portal (provider staff, their own provider only) */
int route_portal(struct web_request *req);
int route_portal_service(struct web_request *req);
int route_portal_service_edit(struct web_request *req);
int route_portal_service_save(struct web_request *req);
int route_portal_service_renew(struct web_request *req);
int route_portal_application(struct web_request *req);
int route_portal_application_withdraw(struct web_request *req);
int route_portal_messages(struct web_request *req);
int route_portal_message_read(struct web_request *req);
int route_portal_inquiries(struct web_request *req);
int route_portal_cases(struct web_request *req);
int route_portal_case_act(struct web_request *req);
int route_portal_profile(struct web_request *req);
int route_portal_profile_save(struct web_request *req);

/* pages_review.c: applications and renewals (reviewers and operators) */
int route_review(struct web_request *req);
int route_review_application(struct web_request *req);
int route_review_judge(struct web_request *req);
int route_review_decide(struct web_request *req);
int route_review_schedule(struct web_request *req);

/* pages_operator*.c: the registry's records and jobs (operators) */
int route_operator(struct web_request *req);
int route_operator_settings(struct web_request *req);
int route_operator_remind(struct web_request *req);
int route_operator_providers(struct web_request *req);
int route_operator_provider_add(struct web_request *req);
int route_operator_provider(struct web_request *req);
int route_operator_provider_save(struct web_request *req);
int route_operator_provider_link(struct web_request *req);
int route_operator_services(struct web_request *req);
int route_operator_service(struct web_request *req);
int route_operator_service_status(struct web_request *req);
int route_operator_cases(struct web_request *req);
int route_operator_case_draft(struct web_request *req);
int route_operator_case(struct web_request *req);
int route_operator_case_save(struct web_request *req);
int route_operator_case_act(struct web_request *req);
int route_operator_inquiries(struct web_request *req);
int route_operator_outbox(struct web_request *req);
int route_operator_export(struct web_request *req);
int route_operator_import_form(struct web_request *req);
int route_operator_import(struct web_request *req);

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

/*
 * The route table and dispatch: method and path to a handler.
 *
 * Paths match exactly, or by prefix for entries ending in '/' (static files). HEAD is
 * answered by the GET handler (the HTTP layer drops the body). A path that matches with
 * another method gets 405 with an Allow header listing the methods that would work; no
 * match at all gets 404, as an HTML page or as JSON under /api/.
 *
 * Before any handler runs, dispatch refuses what no handler should see: a body over the
 * limit (413), a request target that does not decode to UTF-8 (400), a query string that
 * does not parse (400).
 */
#include "commons.h"
#include "pages_portal.h"
#include "routes.h"
#include "sharing.h"

#include <stdio.h>
#include <string.h>

#include "util/banned.h"

struct route {
    enum web_method method;
    const char *path;
    int (*handler)(struct web_request *req);
};

static const struct route routes[] = {
    { WEB_GET, "/", route_top },
    { WEB_GET, "/healthz", route_healthz },
    { WEB_GET, "/login", route_login_form },
    { WEB_POST, "/login", route_login },
    { WEB_POST, "/logout", route_logout },
    { WEB_GET, "/admin", route_admin },
    { WEB_GET, "/api/v1/prefectures", route_api_prefectures },
    { WEB_POST, "/api/v1/session", route_api_session },
    { WEB_GET, "/static/", route_static },
    /* The public Otasuketai site and its API (pages_services*.c, api_services.c). */
    { WEB_GET, "/services", route_services },
    { WEB_GET, "/services/", route_service },
    { WEB_POST, "/services/", route_service_inquiry },
    { WEB_GET, "/ransomware", route_ransomware },
    { WEB_GET, "/cases", route_cases },
    { WEB_GET, "/cases/", route_case },
    { WEB_GET, "/api/v1/services", route_api_services },
    { WEB_GET, "/api/v1/services/", route_api_service },
    /* Guideline commons: the analysis workspace, drafting support, the industry view, the
     * handbook and the SME self-check (pages_workspace.c, pages_drafting.c,
     * pages_selfcheck.c). */
    { WEB_GET, "/workspace", route_workspace },
    { WEB_POST, "/workspace/upload", route_workspace_upload },
    { WEB_GET, "/workspace/job", route_workspace_job },
    { WEB_POST, "/workspace/analyse", route_workspace_analyse },
    { WEB_POST, "/workspace/delete", route_workspace_delete },
    { WEB_GET, "/workspace/matrix", route_workspace_matrix },
    { WEB_GET, "/workspace/cell", route_workspace_cell },
    { WEB_POST, "/workspace/review", route_workspace_review },
    { WEB_POST, "/workspace/override", route_workspace_override },
    { WEB_GET, "/workspace/queue", route_workspace_queue },
    { WEB_GET, "/workspace/download", route_workspace_download },
    { WEB_GET, "/drafting", route_drafting },
    { WEB_POST, "/drafting/upload", route_drafting_upload },
    { WEB_GET, "/drafting/view", route_drafting_view },
    { WEB_GET, "/drafting/starter", route_drafting_starter },
    { WEB_POST, "/drafting/delete", route_drafting_delete },
    { WEB_GET, "/industry", route_industry },
    { WEB_GET, "/industry/feedback", route_industry_feedback },
    { WEB_GET, "/handbook", route_handbook },
    { WEB_GET, "/selfcheck", route_selfcheck_form },
    { WEB_POST, "/selfcheck", route_selfcheck_result },
    { WEB_POST, "/selfcheck/save", route_selfcheck_save },
    { WEB_POST, "/selfcheck/contribute", route_selfcheck_contribute },
    { WEB_POST, "/selfcheck/delete", route_selfcheck_delete },
    { WEB_GET, "/selfcheck/r/", route_selfcheck_saved },
    /* Incident sharing (pages_sharing.c, api_sharing.c). */
    { WEB_GET, "/portal/incidents", route_portal_incidents },
    { WEB_POST, "/portal/incidents", route_portal_incidents_post },
    { WEB_POST, "/portal/incidents/upload", route_portal_incidents_upload },
    { WEB_GET, "/portal/incidents/template.csv", route_portal_incidents_template },
    { WEB_GET, "/portal/stats", route_portal_stats },
    { WEB_GET, "/portal/stats.csv", route_portal_stats_csv },
    { WEB_GET, "/portal/stats.stix", route_portal_stats_stix },
    { WEB_POST, "/portal/stats/publish", route_portal_stats_publish },
    { WEB_POST, "/portal/stats/k", route_portal_stats_k },
    { WEB_GET, "/stats", route_stats },
    { WEB_GET, "/stats.csv", route_stats_csv },
    { WEB_POST, "/api/v1/incidents", route_api_incidents },
    { WEB_GET, "/api/v1/sharing/stats", route_api_sharing_stats },
    { WEB_GET, "/api/v1/sharing/export.stix", route_api_sharing_stix },
    { WEB_GET, "/api/v1/sharing/export.csv", route_api_sharing_csv },
    /* The registry behind login: the provider portal, the reviewers' and the operators'
     * pages (pages_portal*.c, pages_review.c, pages_operator*.c). */
    { WEB_GET, "/portal", route_portal },
    { WEB_GET, "/portal/service", route_portal_service },
    { WEB_GET, "/portal/service/edit", route_portal_service_edit },
    { WEB_POST, "/portal/service/edit", route_portal_service_save },
    { WEB_POST, "/portal/service/renew", route_portal_service_renew },
    { WEB_GET, "/portal/application", route_portal_application },
    { WEB_POST, "/portal/application/withdraw", route_portal_application_withdraw },
    { WEB_GET, "/portal/messages", route_portal_messages },
    { WEB_POST, "/portal/messages/read", route_portal_message_read },
    { WEB_GET, "/portal/inquiries", route_portal_inquiries },
    { WEB_GET, "/portal/cases", route_portal_cases },
    { WEB_POST, "/portal/cases/act", route_portal_case_act },
    { WEB_GET, "/portal/profile", route_portal_profile },
    { WEB_POST, "/portal/profile", route_portal_profile_save },
    { WEB_GET, "/review", route_review },
    { WEB_GET, "/review/application", route_review_application },
    { WEB_POST, "/review/judge", route_review_judge },
    { WEB_POST, "/review/decide", route_review_decide },
    { WEB_GET, "/review/schedule", route_review_schedule },
    { WEB_GET, "/operator", route_operator },
    { WEB_POST, "/operator/settings", route_operator_settings },
    { WEB_POST, "/operator/remind", route_operator_remind },
    { WEB_GET, "/operator/providers", route_operator_providers },
    { WEB_POST, "/operator/providers/add", route_operator_provider_add },
    { WEB_GET, "/operator/provider", route_operator_provider },
    { WEB_POST, "/operator/provider", route_operator_provider_save },
    { WEB_POST, "/operator/provider/link", route_operator_provider_link },
    { WEB_GET, "/operator/services", route_operator_services },
    { WEB_GET, "/operator/service", route_operator_service },
    { WEB_POST, "/operator/service/status", route_operator_service_status },
    { WEB_GET, "/operator/cases", route_operator_cases },
    { WEB_POST, "/operator/cases/draft", route_operator_case_draft },
    { WEB_GET, "/operator/case", route_operator_case },
    { WEB_POST, "/operator/case", route_operator_case_save },
    { WEB_POST, "/operator/case/act", route_operator_case_act },
    { WEB_GET, "/operator/inquiries", route_operator_inquiries },
    { WEB_GET, "/operator/outbox", route_operator_outbox },
    { WEB_GET, "/operator/export.csv", route_operator_export },
    { WEB_GET, "/operator/import", route_operator_import_form },
    { WEB_POST, "/operator/import", route_operator_import },
};

#define N_ROUTES (sizeof(routes) / sizeof(routes[0]))

/* Routes that take a body larger than WEB_BODY_MAX, with their own limit; every other
 * request keeps WEB_BODY_MAX. Kept beside the route table rather than as a fourth field of
 * it, so that the table's three-field lines stay as they are. */
static const struct {
    enum web_method method;
    const char *path;
    size_t max;
} body_limits[] = {
    { WEB_POST, "/workspace/upload", WEB_UPLOAD_MAX },
    { WEB_POST, "/drafting/upload", WEB_UPLOAD_MAX },
    { WEB_POST, "/portal/incidents/upload", WEB_SHARING_UPLOAD_MAX },
    { WEB_POST, "/api/v1/incidents", WEB_SHARING_UPLOAD_MAX },
    { WEB_POST, "/operator/import", WEB_REG_IMPORT_MAX },
};

size_t web_body_limit(enum web_method method, const char *path)
{
    for (size_t i = 0; i < sizeof(body_limits) / sizeof(body_limits[0]); i++)
        if (body_limits[i].method == method && strcmp(body_limits[i].path, path) == 0)
            return body_limits[i].max;
    return WEB_BODY_MAX;
}

static const char *method_name(enum web_method m)
{
    switch (m) {
    case WEB_GET:
        return "GET";
    case WEB_HEAD:
        return "HEAD";
    case WEB_POST:
        return "POST";
    case WEB_PUT:
        return "PUT";
    case WEB_DELETE:
        return "DELETE";
    case WEB_PATCH:
        return "PATCH";
    case WEB_OPTIONS:
        return "OPTIONS";
    case WEB_OTHER:
        return "";
    }
    return "";
}

static bool path_matches(const struct route *r, const char *path)
{
    size_t n = strlen(r->path);
    if (n > 1 && r->path[n - 1] == '/')
        return strncmp(path, r->path, n) == 0;
    return strcmp(path, r->path) == 0;
}

/* Answers 405 with the methods that path accepts. */
static int method_not_allowed(struct web_request *req)
{
    char allow[128] = "";
    size_t len = 0;
    for (size_t i = 0; i < N_ROUTES; i++) {
        if (!path_matches(&routes[i], req->path))
            continue;
        const char *names[2] = { method_name(routes[i].method),
                                 routes[i].method == WEB_GET ? "HEAD" : NULL };
        for (size_t k = 0; k < 2 && names[k] != NULL; k++) {
            if (strstr(allow, names[k]) != NULL)
                continue;
            int w = snprintf(allow + len, sizeof(allow) - len, "%s%s", len ? ", " : "", names[k]);
            if (w > 0 && (size_t)w < sizeof(allow) - len)
                len += (size_t)w;
        }
    }
    int rc = web_header_add(req, "Allow", allow);
    if (rc != SM_OK)
        return web_fail_err(req, rc, NULL);
    return web_fail(req, 405, NULL, NULL);
}

static void run(struct web_request *req)
{
    struct sm_diag diag;
    sm_diag_clear(&diag);

    if (req->body_too_large) {
        char detail[96];
        snprintf(detail, sizeof(detail), "the request body is larger than %zu bytes",
                 req->body_max);
        web_fail(req, 413, NULL, detail);
        return;
    }
    if (req->bad_target) {
        web_fail(req, 400, NULL, "the request path is not valid percent-encoded UTF-8");
        return;
    }
    int rc = web_request_prepare(req, &diag);
    if (rc != SM_OK) {
        web_fail_err(req, rc, &diag);
        return;
    }

    enum web_method m = req->method == WEB_HEAD ? WEB_GET : req->method;
    const struct route *found = NULL;
    bool path_known = false;
    for (size_t i = 0; i < N_ROUTES && found == NULL; i++) {
        if (!path_matches(&routes[i], req->path))
            continue;
        path_known = true;
        if (routes[i].method == m)
            found = &routes[i];
    }
    if (found == NULL) {
        if (path_known)
            method_not_allowed(req);
        else
            web_fail(req, 404, NULL, NULL);
        return;
    }

    rc = found->handler(req);
    if (rc != SM_OK && req->res.status == 0)
        web_fail_err(req, rc, NULL);
    else if (rc == SM_OK && req->res.status == 0)
        web_fail(req, 500, NULL, "handler gave no answer");
}

void web_dispatch(struct web_request *req)
{
    run(req);
    /* The connection to the database is only needed while the handler runs; giving it back
     * before the response is sent lets the next request on this thread use it at once. */
    web_store_put(req);
}

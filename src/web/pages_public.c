/*
 * Public pages, for SME owners who do not log in. For now the top page: the 47 prefectures
 * grouped by region, each a link to the services available there.
 */
#include "routes.h"

#include "util/banned.h"

int route_top(struct web_request *req)
{
    json_t *ctx = json_object();
    if (ctx == NULL || json_object_set(ctx, "regions", req->app->regions[req->lang]) != 0) {
        json_decref(ctx);
        return SM_ENOMEM;
    }
    int rc = web_render(req, 200, "top.html", "top.title", ctx);
    json_decref(ctx);
    return rc;
}

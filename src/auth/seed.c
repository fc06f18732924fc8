/*
 * Demo data (see smesec/seed.h). Idempotent: accounts that exist are left alone, so running
 * the seed on a live database never resets anyone's password.
 */
#include "smesec/seed.h"

#include "smesec/auth.h"
#include "smesec/registry.h"

#include "util/banned.h"

static const struct {
    const char *username;
    const char *display_name;
    enum sm_role role;
} demo_users[] = {
    { "operator", "運用担当（デモ）", SM_ROLE_OPERATOR },
    { "reviewer", "審査担当（デモ）", SM_ROLE_REVIEWER },
    { "provider", "サービス事業者（デモ）", SM_ROLE_PROVIDER },
    { "analyst", "分析担当（デモ）", SM_ROLE_ANALYST },
    { "association", "業界団体（デモ）", SM_ROLE_ASSOCIATION },
};

/* The demo association speaks for this industry, as guidelines name it. */
#define DEMO_INDUSTRY "物流"

int sm_seed_demo(struct sm_store *store, const struct sm_actor *actor, struct sm_diag *diag)
{
    for (size_t i = 0; i < sizeof demo_users / sizeof demo_users[0]; i++) {
        int rc = sm_user_add(store, actor, demo_users[i].username, demo_users[i].display_name,
                             demo_users[i].role, "demo-password", NULL, diag);
        if (rc == SM_EEXIST)
            continue;
        if (!rc && demo_users[i].role == SM_ROLE_ASSOCIATION)
            rc = sm_user_set_industry(store, actor, demo_users[i].username, DEMO_INDUSTRY, diag);
        if (rc)
            return rc;
    }
    /* The registry's providers, services, case studies and inquiries; it links the demo
     * user "provider" to one of its fictitious providers. */
    return sm_registry_seed_demo(store, actor, diag);
}

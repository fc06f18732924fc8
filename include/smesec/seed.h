/* Demo data for a new installation, so the site shows something real on first start. */
#ifndef SMESEC_SEED_H
#define SMESEC_SEED_H

#include "smesec/audit.h"
#include "smesec/err.h"
#include "smesec/store.h"

/* Loads the demo data: demo accounts "operator", "reviewer", "provider", "analyst" and
 * "association" (tied to the industry "物流") with those roles, each with password
 * "demo-password" (printed by the CLI; for local trials only), each added in its own
 * transaction with its audit record, then the registry's demo
 * data (sm_registry_seed_demo in smesec/registry.h). Running it again changes nothing and
 * returns SM_OK. The store must be migrated. */
int sm_seed_demo(struct sm_store *store, const struct sm_actor *actor, struct sm_diag *diag);

#endif

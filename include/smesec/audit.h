/*
 * The audit log: who changed what, and when. Every change a person makes writes one row in
 * the same transaction as the change, so a change and its record stand or fall together.
 */
#ifndef SMESEC_AUDIT_H
#define SMESEC_AUDIT_H

#include "smesec/err.h"
#include "smesec/store.h"

#include <stdint.h>

/* Who acts: a logged-in user (user_id > 0), or a command-line operator (user_id 0 and a name
 * such as "cli"). Borrowed. */
struct sm_actor {
    int64_t user_id;
    const char *name;
};

/* Records action ("user.add") on object ("user:alice") with optional detail (may be NULL).
 * Must run inside the caller's open transaction: returns SM_EINVAL otherwise. */
int sm_audit_record(struct sm_store *store, const struct sm_actor *actor, const char *action,
                    const char *object, const char *detail, struct sm_diag *diag);

/* Counts audit rows for action (all rows when action is NULL). For tests and the admin page. */
int sm_audit_count(struct sm_store *store, const char *action, long *count, struct sm_diag *diag);

#endif

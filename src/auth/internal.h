/* Shared between the files of src/auth/; not part of the public API. */
#ifndef SM_AUTH_INTERNAL_H
#define SM_AUTH_INTERNAL_H

#include "smesec/auth.h"
#include "store/sql.h"

/* Builds a user (caller owns it) from the columns id, username, display_name, role,
 * provider_id, industry that start at column col of the current row of st. */
int sm__user_from_row(const struct sm_sql *st, int col, struct sm_user **out);

#endif

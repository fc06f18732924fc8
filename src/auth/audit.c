/* The audit log (see smesec/audit.h). Rows are only ever inserted, never updated. */
#include "smesec/audit.h"

#include "store/sql.h"

#include <time.h>

#include "util/banned.h"

int sm_audit_record(struct sm_store *store, const struct sm_actor *actor, const char *action,
                    const char *object, const char *detail, struct sm_diag *diag)
{
    if (!sm_store_in_transaction(store))
        return sm_diag_set(diag, SM_EINVAL, "audit record '%s' outside a transaction", action);
    struct sm_sql *st = NULL;
    int rc = sm_sql_prepare(store,
                            "INSERT INTO audit_log (at, user_id, actor, action, object, detail)"
                            " VALUES (?, ?, ?, ?, ?, ?)",
                            &st, diag);
    if (rc)
        return rc;
    const char *who = actor && actor->name ? actor->name : "system";
    rc = sm_sql_bindv(st, "i", (int64_t)time(NULL));
    if (!rc)
        rc = actor && actor->user_id > 0 ? sm_sql_bind_int64(st, 2, actor->user_id)
                                         : sm_sql_bind_null(st, 2);
    if (!rc)
        rc = sm_sql_bind_text(st, 3, who, (size_t)-1);
    if (!rc)
        rc = sm_sql_bind_text(st, 4, action, (size_t)-1);
    if (!rc)
        rc = sm_sql_bind_text(st, 5, object, (size_t)-1);
    if (!rc)
        rc = sm_sql_bind_text(st, 6, detail, (size_t)-1);
    if (!rc)
        rc = sm_sql_step(st, diag);
    sm_sql_free(st);
    return rc == SM_SQL_DONE ? SM_OK : rc == SM_SQL_ROW ? SM_EDB : rc;
}

int sm_audit_count(struct sm_store *store, const char *action, long *count, struct sm_diag *diag)
{
    int64_t n = 0;
    int rc = sm_sql_run_int64(store, &n, diag,
                              "SELECT COUNT(*) FROM audit_log"
                              " WHERE CAST(? AS TEXT) IS NULL OR action = ?",
                              "tt", action, action);
    if (rc == SM_OK)
        *count = (long)n;
    return rc;
}

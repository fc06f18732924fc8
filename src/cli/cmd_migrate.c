/* smesec migrate: brings the database schema up to this program's version. */
#include "cli/cli.h"

#include <stdio.h>

#include "util/banned.h"

int cmd_migrate(int argc, char **argv)
{
    struct cli_common common;
    cli_common_init(&common);
    for (int i = 1; i < argc; i++) {
        bool bad = false;
        if (cli_take_common(argc, argv, &i, &common, &bad)) {
            if (bad)
                return EXIT_USAGE;
            continue;
        }
        return cli_usage_error("migrate: unknown argument '%s'", argv[i]);
    }
    struct sm_diag diag;
    struct sm_store *store = NULL;
    int rc = sm_store_open(common.db_url, &store, &diag);
    if (rc)
        return cli_fail(rc, "cannot open database", &diag);
    int applied = 0, version = 0;
    rc = sm_store_migrate(store, &applied, &diag);
    if (!rc)
        rc = sm_store_schema_version(store, &version, &diag);
    sm_store_free(store);
    if (rc)
        return cli_fail(rc, "cannot migrate database", &diag);
    if (applied)
        printf("applied %d migration%s; schema version %d\n", applied, applied == 1 ? "" : "s",
               version);
    else
        printf("schema is up to date (version %d)\n", version);
    return EXIT_OK;
}

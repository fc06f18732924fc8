/* smesec seed --demo: loads demo data into a migrated database. */
#include "cli/cli.h"

#include "smesec/sharing.h"

#include <stdio.h>
#include <string.h>

#include "util/banned.h"

int cmd_seed(int argc, char **argv)
{
    struct cli_common common;
    cli_common_init(&common);
    bool demo = false;
    for (int i = 1; i < argc; i++) {
        bool bad = false;
        if (cli_take_common(argc, argv, &i, &common, &bad)) {
            if (bad)
                return EXIT_USAGE;
        } else if (strcmp(argv[i], "--demo") == 0) {
            demo = true;
        } else {
            return cli_usage_error("seed: unknown argument '%s'", argv[i]);
        }
    }
    if (!demo)
        return cli_usage_error("seed: say what to load: --demo");
    struct sm_store *store = NULL;
    int status = cli_open_store(&common, &store);
    if (status)
        return status;
    struct sm_diag diag;
    struct sm_actor actor = { .user_id = 0, .name = "cli:seed" };
    int rc = sm_seed_demo(store, &actor, &diag);
    /* Demo incident reports of the fictitious providers, for the sharing pages. */
    if (!rc)
        rc = sm_sharing_seed_demo(store, NULL, NULL, &diag);
    sm_store_free(store);
    if (rc)
        return cli_fail(rc, "cannot load demo data", &diag);
    printf("demo data loaded; demo accounts operator, reviewer, provider, analyst, association"
           " (password 'demo-password', for local trials only)\n");
    return EXIT_OK;
}

/*
 * smesec provider token PROVIDER: issues a provider's API token for the incident-sharing API
 * (POST /api/v1/incidents and /api/v1/sharing/...). PROVIDER is the provider's id or its
 * exact name. The token is printed once on standard output, alone on its line, so a script
 * can capture it; the database keeps only its hash, and the new token replaces any earlier
 * one at once. Acts as the operator "cli" in the audit log.
 */
#include "cli/cli.h"

#include "smesec/sharing.h"

#include <stdio.h>
#include <string.h>

#include "util/banned.h"

/* Finds the provider by id ("12") or exact name. */
static int find_provider(struct sm_store *store, const char *arg, int64_t *id, struct sm_diag *diag)
{
    struct sm_provider_list *list = NULL;
    int rc = sm_registry_providers(store, 0, &list, diag);
    if (rc == SM_ENOTFOUND)
        return sm_diag_set(diag, SM_ENOTFOUND, "no provider '%s'", arg);
    if (rc)
        return rc;
    bool numeric = *arg != '\0' && strlen(arg) <= 18;
    int64_t n = 0;
    for (const char *p = arg; numeric && *p; p++) {
        if (*p < '0' || *p > '9')
            numeric = false;
        else
            n = n * 10 + (*p - '0');
    }
    rc = sm_diag_set(diag, SM_ENOTFOUND, "no provider '%s'", arg);
    for (size_t i = 0; i < list->n; i++)
        if ((numeric && list->items[i].id == n) || strcmp(list->items[i].name, arg) == 0) {
            *id = list->items[i].id;
            rc = SM_OK;
            break;
        }
    sm_provider_list_free(list);
    return rc;
}

static int provider_token(int argc, char **argv)
{
    struct cli_common common;
    cli_common_init(&common);
    const char *which = NULL;
    for (int i = 2; i < argc; i++) {
        bool bad = false;
        if (cli_take_common(argc, argv, &i, &common, &bad)) {
            if (bad)
                return EXIT_USAGE;
        } else if (argv[i][0] == '-' && argv[i][1] != '\0') {
            return cli_usage_error("provider token: unknown option '%s'", argv[i]);
        } else if (!which) {
            which = argv[i];
        } else {
            return cli_usage_error("provider token: unexpected argument '%s'", argv[i]);
        }
    }
    if (!which || !*which)
        return cli_usage_error("provider token: which provider? (its id or exact name)");
    struct sm_store *store = NULL;
    int status = cli_open_store(&common, &store);
    if (status)
        return status;
    struct sm_diag diag;
    sm_diag_clear(&diag);
    int64_t id = 0;
    int rc = find_provider(store, which, &id, &diag);
    char token[SM_TOKEN_SIZE];
    if (!rc) {
        struct sm_registry_who who = sm_registry_who_system("cli");
        rc = sm_sharing_token_new(store, &who, id, token, &diag);
    }
    sm_store_free(store);
    if (rc)
        return cli_fail(rc, "cannot issue an API token", &diag);
    printf("%s\n", token);
    return EXIT_OK;
}

int cmd_provider(int argc, char **argv)
{
    if (argc < 2)
        return cli_usage_error("provider: which subcommand? (token)");
    if (strcmp(argv[1], "token") == 0)
        return provider_token(argc, argv);
    return cli_usage_error("provider: unknown subcommand '%s'", argv[1]);
}

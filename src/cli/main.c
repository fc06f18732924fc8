/*
 * smesec: the command-line tool. Parses the subcommand and hands over to cmd_<verb>; every
 * command goes through libsmesec's public API. Exit 0 on success, 1 on failure, 2 on usage.
 */
#include "cli/cli.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/banned.h"

static const char usage[] =
    "usage: smesec [--help] [--version] <command> [<args>]\n"
    "\n"
    "Runs the SC3 SME cybersecurity programmes: guideline commons and the Otasuketai\n"
    "service scheme.\n"
    "\n"
    "commands:\n"
    "  serve [--listen ADDR:PORT] [--threads N] [--no-access-log] [--secure-cookies]\n"
    "                          migrate the database and serve the web site and API\n"
    "                          (default listen address 127.0.0.1:8080)\n"
    "  migrate                 apply database schema migrations\n"
    "  guidelines add FILE... --industry NAME --publisher NAME [--title T] [--version V]\n"
    "             [--year N] [--format auto|text|markdown|pdf|docx] [--no-analyse]\n"
    "                          store guidelines (PDF, DOCX, text) and map them onto the\n"
    "                          check items\n"
    "  guidelines list | analyse [ID...] | delete ID\n"
    "  guidelines review ID ITEM accept|reject\n"
    "  guidelines override ID ITEM SCORE --note TEXT | override ID ITEM --clear\n"
    "  guidelines report --out DIR [--criterion SPEC]\n"
    "                          write the workbook, check sheet, example descriptions,\n"
    "                          discussion, feedback and OSCAL files; SPEC is\n"
    "                          share:0.5[:min=1|2] (default), count:N[:min=1|2] or mean:X\n"
    "                          (add, analyse and report take --catalog FILE, --threads N)\n"
    "  catalog validate FILE | export --xlsx OUT [--file F] | load [FILE]\n"
    "  catalog import FILE.xlsx [--dry-run] [--out FILE.yaml]\n"
    "                          the check-item catalog, and its round trip through Excel\n"
    "  registry due [--today YYYY-MM-DD]\n"
    "                          print the renewal schedule and send the reminders due\n"
    "                          (idempotent; run it daily)\n"
    "  registry export --csv FILE\n"
    "                          write the Otasuketai registry as CSV ('-': stdout)\n"
    "  registry import FILE.csv [--dry-run]\n"
    "                          import registered services, all or nothing\n"
    "  provider token PROVIDER print a new API token for the provider (its id or exact\n"
    "                          name) for POST /api/v1/incidents; replaces the old one\n"
    "  seed --demo             load demo data (accounts with password 'demo-password')\n"
    "  user add USERNAME --role ROLE [--name DISPLAY]\n"
    "                          add an account; the password is read from stdin\n"
    "                          roles: operator, reviewer, provider, analyst, association\n"
    "  user passwd USERNAME    set an account's password, read from stdin\n"
    "  user industry USERNAME [INDUSTRY]\n"
    "                          tie an association's account to its industry (as guidelines\n"
    "                          name it, e.g. 物流); without INDUSTRY, untie it\n"
    "\n"
    "every command that touches data takes --db URL: a file path means SQLite,\n"
    "a postgresql:// URL means PostgreSQL; default $SMESEC_DB, else smesec.db.\n";

void cli_common_init(struct cli_common *common)
{
    const char *env = getenv("SMESEC_DB");
    common->db_url = env && *env ? env : "smesec.db";
}

bool cli_take_common(int argc, char **argv, int *i, struct cli_common *common, bool *bad)
{
    const char *arg = argv[*i];
    if (strcmp(arg, "--db") == 0) {
        if (*i + 1 >= argc || !*argv[*i + 1]) {
            cli_usage_error("--db needs a value");
            *bad = true;
            return true;
        }
        common->db_url = argv[++*i];
        return true;
    }
    if (strncmp(arg, "--db=", 5) == 0) {
        common->db_url = arg + 5;
        if (!*common->db_url) {
            cli_usage_error("--db needs a value");
            *bad = true;
        }
        return true;
    }
    return false;
}

int cli_usage_error(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("smesec: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputs("\n(see 'smesec --help')\n", stderr);
    va_end(ap);
    return EXIT_USAGE;
}

/* Every library failure is a runtime failure (1); usage errors (2) are found by the CLI's own
 * argument checks before the library is called. */
int cli_fail(int rc, const char *what, const struct sm_diag *diag)
{
    const char *detail = diag && diag->msg[0] ? diag->msg : sm_strerror(rc);
    fprintf(stderr, "smesec: %s: %s\n", what, detail);
    switch ((enum sm_err)rc) {
    case SM_OK:
        return EXIT_OK;
    case SM_EINVAL:
    case SM_EPARSE:
    case SM_ENOMEM:
    case SM_ENOTFOUND:
    case SM_EEXIST:
    case SM_EIO:
    case SM_EDB:
    case SM_EAUTH:
    case SM_EPERM:
    case SM_ELIMIT:
    case SM_EUNSUPPORTED:
        return EXIT_FAIL;
    }
    return EXIT_FAIL;
}

int cli_open_store(const struct cli_common *common, struct sm_store **out)
{
    struct sm_diag diag;
    struct sm_store *store = NULL;
    int rc = sm_store_open(common->db_url, &store, &diag);
    if (rc)
        return cli_fail(rc, "cannot open database", &diag);
    rc = sm_store_migrate(store, NULL, &diag);
    if (rc) {
        sm_store_free(store);
        return cli_fail(rc, "cannot migrate database", &diag);
    }
    *out = store;
    return EXIT_OK;
}

int main(int argc, char **argv)
{
    if (argc < 2)
        return cli_usage_error("no command given");
    const char *cmd = argv[1];
    if (strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0 || strcmp(cmd, "help") == 0) {
        fputs(usage, stdout);
        return EXIT_OK;
    }
    if (strcmp(cmd, "--version") == 0) {
        printf("smesec %s\n", sm_version());
        return EXIT_OK;
    }
    if (sm_init() != SM_OK) {
        fputs("smesec: cannot initialise libsodium\n", stderr);
        return EXIT_FAIL;
    }
    /* Subcommands see their own arguments from argv[1] (their name) on. */
    if (strcmp(cmd, "migrate") == 0)
        return cmd_migrate(argc - 1, argv + 1);
    if (strcmp(cmd, "guidelines") == 0)
        return cmd_guidelines(argc - 1, argv + 1);
    if (strcmp(cmd, "catalog") == 0)
        return cmd_catalog(argc - 1, argv + 1);
    if (strcmp(cmd, "registry") == 0)
        return cmd_registry(argc - 1, argv + 1);
    if (strcmp(cmd, "provider") == 0)
        return cmd_provider(argc - 1, argv + 1);
    if (strcmp(cmd, "seed") == 0)
        return cmd_seed(argc - 1, argv + 1);
    if (strcmp(cmd, "user") == 0)
        return cmd_user(argc - 1, argv + 1);
    if (strcmp(cmd, "serve") == 0)
        return cmd_serve(argc - 1, argv + 1);
    return cli_usage_error("unknown command '%s'", cmd);
}

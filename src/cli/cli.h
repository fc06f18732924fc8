/*
 * Shared pieces of the smesec command-line tool: one function per subcommand (cmd_<verb>),
 * option helpers, and the single place that maps library error codes to exit statuses.
 */
#ifndef SM_CLI_H
#define SM_CLI_H

#include "smesec/smesec.h"

#include <stdbool.h>

/* Exit statuses of every command. */
enum {
    EXIT_OK = 0,
    EXIT_FAIL = 1, /* the command ran and failed (database, file, conflict, ...) */
    EXIT_USAGE = 2 /* bad arguments */
};

/* Options every data command takes. db_url defaults to $SMESEC_DB, else "smesec.db". */
struct cli_common {
    const char *db_url;
};

/* If argv[*i] is "--db" (with a value after it) or "--db=URL", consumes it into common and
 * returns true. On a missing value prints an error and sets *bad. */
bool cli_take_common(int argc, char **argv, int *i, struct cli_common *common, bool *bad);
void cli_common_init(struct cli_common *common);

/* Prints "smesec: <what>: <diag or strerror>" to stderr and returns the exit status for rc. */
int cli_fail(int rc, const char *what, const struct sm_diag *diag);

/* Opens and migrates the store; on failure prints and returns the exit status (non-zero). */
int cli_open_store(const struct cli_common *common, struct sm_store **out);

/* Prints a usage error to stderr and returns EXIT_USAGE. */
int cli_usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

int cmd_catalog(int argc, char **argv);
int cmd_guidelines(int argc, char **argv);
int cmd_migrate(int argc, char **argv);
int cmd_provider(int argc, char **argv);
int cmd_registry(int argc, char **argv);
int cmd_seed(int argc, char **argv);
int cmd_user(int argc, char **argv);
int cmd_serve(int argc, char **argv);

#endif

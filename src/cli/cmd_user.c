/*
 * smesec user add / passwd: manages accounts. The password is read from stdin (one line),
 * never from the arguments, so it does not show in the process list or shell history; on a
 * terminal the echo is turned off while it is typed.
 */
#include "cli/cli.h"

#include <stdio.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "util/banned.h"

/* Reads one line (without its newline) into buf. Returns false on EOF or a too-long line. */
static bool read_password(char *buf, size_t size)
{
    bool tty = isatty(STDIN_FILENO);
    struct termios old, quiet;
    if (tty) {
        fputs("password: ", stderr);
        if (tcgetattr(STDIN_FILENO, &old) == 0) {
            quiet = old;
            quiet.c_lflag &= ~(tcflag_t)ECHO;
            tcsetattr(STDIN_FILENO, TCSANOW, &quiet);
        } else {
            tty = false;
        }
    }
    bool ok = fgets(buf, (int)size, stdin) != NULL;
    if (tty) {
        tcsetattr(STDIN_FILENO, TCSANOW, &old);
        fputc('\n', stderr);
    }
    if (!ok)
        return false;
    size_t n = strlen(buf);
    if (n && buf[n - 1] == '\n')
        buf[--n] = '\0';
    else if (n == size - 1)
        return false; /* the line did not fit */
    if (n && buf[n - 1] == '\r')
        buf[--n] = '\0';
    return true;
}

static int user_add(int argc, char **argv)
{
    struct cli_common common;
    cli_common_init(&common);
    const char *username = NULL, *role_name = NULL, *display = NULL;
    for (int i = 2; i < argc; i++) {
        bool bad = false;
        if (cli_take_common(argc, argv, &i, &common, &bad)) {
            if (bad)
                return EXIT_USAGE;
        } else if (strcmp(argv[i], "--role") == 0 && i + 1 < argc) {
            role_name = argv[++i];
        } else if (strcmp(argv[i], "--name") == 0 && i + 1 < argc) {
            display = argv[++i];
        } else if (argv[i][0] != '-' && !username) {
            username = argv[i];
        } else {
            return cli_usage_error("user add: unexpected argument '%s'", argv[i]);
        }
    }
    if (!username)
        return cli_usage_error("user add: give a USERNAME");
    if (!role_name)
        return cli_usage_error("user add: give --role (operator, reviewer, provider, analyst,"
                               " association)");
    enum sm_role role;
    if (sm_role_parse(role_name, &role))
        return cli_usage_error("user add: unknown role '%s' (operator, reviewer, provider,"
                               " analyst, association)",
                               role_name);
    struct sm_diag diag;
    if (sm_username_check(username, &diag))
        return cli_usage_error("user add: %s", diag.msg);
    char password[SM_PASSWORD_MAX + 2];
    if (!read_password(password, sizeof password))
        return cli_usage_error("user add: give the password on stdin (one line, at most %d"
                               " bytes)",
                               SM_PASSWORD_MAX);
    struct sm_store *store = NULL;
    int status = cli_open_store(&common, &store);
    if (status)
        return status;
    struct sm_actor actor = { .user_id = 0, .name = "cli" };
    int rc = sm_user_add(store, &actor, username, display, role, password, NULL, &diag);
    memset(password, 0, sizeof password);
    sm_store_free(store);
    if (rc)
        return cli_fail(rc, "cannot add user", &diag);
    printf("added user '%s' (%s)\n", username, sm_role_name(role));
    return EXIT_OK;
}

static int user_passwd(int argc, char **argv)
{
    struct cli_common common;
    cli_common_init(&common);
    const char *username = NULL;
    for (int i = 2; i < argc; i++) {
        bool bad = false;
        if (cli_take_common(argc, argv, &i, &common, &bad)) {
            if (bad)
                return EXIT_USAGE;
        } else if (argv[i][0] != '-' && !username) {
            username = argv[i];
        } else {
            return cli_usage_error("user passwd: unexpected argument '%s'", argv[i]);
        }
    }
    if (!username)
        return cli_usage_error("user passwd: give a USERNAME");
    char password[SM_PASSWORD_MAX + 2];
    if (!read_password(password, sizeof password))
        return cli_usage_error("user passwd: give the password on stdin (one line)");
    struct sm_store *store = NULL;
    int status = cli_open_store(&common, &store);
    if (status)
        return status;
    struct sm_diag diag;
    struct sm_actor actor = { .user_id = 0, .name = "cli" };
    int rc = sm_user_set_password(store, &actor, username, password, &diag);
    memset(password, 0, sizeof password);
    sm_store_free(store);
    if (rc)
        return cli_fail(rc, "cannot set password", &diag);
    printf("password of '%s' changed; its sessions were ended\n", username);
    return EXIT_OK;
}

/* smesec user industry USERNAME [INDUSTRY]: ties an association's account to the industry
 * it speaks for (as guidelines name it); without INDUSTRY, unties it. */
static int user_industry(int argc, char **argv)
{
    struct cli_common common;
    cli_common_init(&common);
    const char *username = NULL, *industry = NULL;
    for (int i = 2; i < argc; i++) {
        bool bad = false;
        if (cli_take_common(argc, argv, &i, &common, &bad)) {
            if (bad)
                return EXIT_USAGE;
        } else if (argv[i][0] != '-' && !username) {
            username = argv[i];
        } else if (argv[i][0] != '-' && !industry) {
            industry = argv[i];
        } else {
            return cli_usage_error("user industry: unexpected argument '%s'", argv[i]);
        }
    }
    if (!username)
        return cli_usage_error("user industry: give a USERNAME (and the INDUSTRY)");
    struct sm_store *store = NULL;
    int status = cli_open_store(&common, &store);
    if (status)
        return status;
    struct sm_diag diag;
    struct sm_actor actor = { .user_id = 0, .name = "cli" };
    int rc = sm_user_set_industry(store, &actor, username, industry, &diag);
    sm_store_free(store);
    if (rc)
        return cli_fail(rc, "cannot set the industry", &diag);
    if (industry && *industry)
        printf("'%s' speaks for the industry '%s'\n", username, industry);
    else
        printf("'%s' speaks for no industry\n", username);
    return EXIT_OK;
}

int cmd_user(int argc, char **argv)
{
    if (argc < 2)
        return cli_usage_error("user: give a subcommand: add, passwd, industry");
    if (strcmp(argv[1], "add") == 0)
        return user_add(argc, argv);
    if (strcmp(argv[1], "passwd") == 0)
        return user_passwd(argc, argv);
    if (strcmp(argv[1], "industry") == 0)
        return user_industry(argc, argv);
    return cli_usage_error("user: unknown subcommand '%s'", argv[1]);
}

/* smesec serve: runs the web server (see src/web/web.h) until SIGINT or SIGTERM. */
#include "cli/cli.h"

#include "web/web.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/banned.h"

/* Splits "ADDR:PORT" (or "[v6]:PORT") into addr (written into buf) and port. */
static bool parse_listen(const char *s, char *buf, size_t size, uint16_t *port)
{
    const char *colon = strrchr(s, ':');
    if (!colon || colon == s)
        return false;
    const char *host = s;
    size_t hl = (size_t)(colon - s);
    if (host[0] == '[' && hl >= 2 && host[hl - 1] == ']') {
        host++;
        hl -= 2;
    }
    if (hl == 0 || hl >= size)
        return false;
    char *end = NULL;
    errno = 0;
    long p = strtol(colon + 1, &end, 10);
    if (errno || end == colon + 1 || *end || p < 0 || p > 65535)
        return false;
    memcpy(buf, host, hl);
    buf[hl] = '\0';
    *port = (uint16_t)p;
    return true;
}

int cmd_serve(int argc, char **argv)
{
    struct cli_common common;
    cli_common_init(&common);
    struct sm_web_config config;
    sm_web_config_init(&config);
    char addr[64];
    for (int i = 1; i < argc; i++) {
        bool bad = false;
        if (cli_take_common(argc, argv, &i, &common, &bad)) {
            if (bad)
                return EXIT_USAGE;
        } else if (strcmp(argv[i], "--listen") == 0 && i + 1 < argc) {
            if (!parse_listen(argv[++i], addr, sizeof addr, &config.port))
                return cli_usage_error("serve: --listen wants ADDR:PORT, not '%s'", argv[i]);
            config.listen_addr = addr;
        } else if (strcmp(argv[i], "--threads") == 0 && i + 1 < argc) {
            char *end = NULL;
            errno = 0;
            long n = strtol(argv[++i], &end, 10);
            if (errno || *end || n < 1 || n > 256)
                return cli_usage_error("serve: --threads wants 1 to 256, not '%s'", argv[i]);
            config.threads = (unsigned)n;
        } else if (strcmp(argv[i], "--no-access-log") == 0) {
            config.access_log = false;
        } else if (strcmp(argv[i], "--secure-cookies") == 0) {
            config.secure_cookies = true;
        } else {
            return cli_usage_error("serve: unknown argument '%s'", argv[i]);
        }
    }
    config.db_url = common.db_url;
    struct sm_diag diag;
    sm_diag_clear(&diag);
    int rc = sm_web_run(&config, &diag);
    if (rc)
        return cli_fail(rc, "cannot serve", &diag);
    return EXIT_OK;
}

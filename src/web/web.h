/*
 * The web server: server-rendered pages (Japanese first, English second), the JSON API under
 * /api/v1/, sessions and roles, over libmicrohttpd. An adapter: it reaches data only through
 * libsmesec's public API.
 */
#ifndef SM_WEB_H
#define SM_WEB_H

#include "smesec/err.h"

#include <stdbool.h>
#include <stdint.h>

struct sm_web_config {
    const char *db_url;      /* store URL (see smesec/store.h); borrowed */
    const char *listen_addr; /* IPv4/IPv6 literal to bind, e.g. "127.0.0.1" or "0.0.0.0" */
    uint16_t port;           /* 0 picks a free port */
    unsigned threads;        /* worker threads (and database connections); 0 = number of cores */
    bool access_log;         /* one line per request on stderr */
    bool secure_cookies;     /* add "Secure" to cookies (behind HTTPS) */
};

/* Fills config with the defaults: 127.0.0.1:8080, threads 0, access log on. */
void sm_web_config_init(struct sm_web_config *config);

/* Migrates the database, starts serving and prints one line to stdout once ready:
 *   smesec: listening on http://ADDR:PORT/
 * (tests read it to learn the port), then serves until SIGINT or SIGTERM, finishes the
 * requests in flight and returns SM_OK. Returns an error before serving when the database
 * cannot be opened or migrated or the address cannot be bound. Call once per process. */
int sm_web_run(const struct sm_web_config *config, struct sm_diag *diag);

#endif

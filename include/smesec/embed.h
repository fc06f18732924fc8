/*
 * Files compiled into the binary (migrations, templates, message catalogs, static assets) by
 * cmake/embed.cmake. Each table ends with an entry whose name is NULL.
 */
#ifndef SMESEC_EMBED_H
#define SMESEC_EMBED_H

#include <stddef.h>

struct sm_embedded {
    const char *name;          /* path relative to the folder it was embedded from */
    const unsigned char *data; /* NUL-terminated for convenience; len excludes the NUL */
    size_t len;
};

/* Returns the entry called name in table, or NULL. */
const struct sm_embedded *sm_embedded_find(const struct sm_embedded *table, const char *name);

#endif

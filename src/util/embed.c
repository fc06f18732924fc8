/* Lookup in the tables of files compiled into the binary (see cmake/embed.cmake). */
#include "smesec/embed.h"

#include <string.h>

#include "util/banned.h"

const struct sm_embedded *sm_embedded_find(const struct sm_embedded *table, const char *name)
{
    for (const struct sm_embedded *e = table; e && e->name; e++)
        if (strcmp(e->name, name) == 0)
            return e;
    return NULL;
}

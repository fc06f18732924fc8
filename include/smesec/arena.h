/*
 * An arena: many small allocations released together. Used where a result owns many
 * strings (a loaded matrix, a parsed catalog) or where a piece of work does (a request).
 * Memory comes from sm_malloc in chunks; a mandatory maximum bounds the total.
 */
#ifndef SMESEC_ARENA_H
#define SMESEC_ARENA_H

#include <stddef.h>

struct sm_arena_chunk;

struct sm_arena {
    struct sm_arena_chunk *head; /* the chunk allocations come from; older ones follow */
    size_t used;                 /* bytes handed out in total */
    size_t max;                  /* allocations fail past this many bytes */
};

/* Starts an empty arena (allocates nothing). */
void sm_arena_init(struct sm_arena *a, size_t max);
/* Frees every chunk; the arena is empty and usable again. */
void sm_arena_release(struct sm_arena *a);

/* n bytes aligned for any type (zeroed by sm_arena_calloc), owned by the arena; NULL when out
 * of memory or past the maximum. */
void *sm_arena_alloc(struct sm_arena *a, size_t n);
void *sm_arena_calloc(struct sm_arena *a, size_t count, size_t n);
/* NUL-terminated copies owned by the arena; NULL in, NULL out is not an error for strdup. */
char *sm_arena_strndup(struct sm_arena *a, const char *s, size_t n);
char *sm_arena_strdup(struct sm_arena *a, const char *s);

#endif

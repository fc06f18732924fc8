/*
 * A per-request arena: many small allocations, one free when the request completes.
 *
 * Memory comes from sm_malloc in chunks; nothing long-lived may point into an arena. The
 * arena has a mandatory maximum so one request cannot take the server's memory.
 */
#ifndef SM_WEB_ARENA_H
#define SM_WEB_ARENA_H

#include <stddef.h>

struct web_arena_chunk;

struct web_arena {
    struct web_arena_chunk *head; /* the chunk allocations are taken from; older ones follow */
    size_t used;                  /* bytes handed out in total */
    size_t max;                   /* web_arena_alloc fails past this many bytes */
};

/* Starts an empty arena (allocates nothing). */
void web_arena_init(struct web_arena *a, size_t max);
/* Frees every chunk; the arena is empty and usable again. */
void web_arena_release(struct web_arena *a);

/* n bytes aligned for any type, or NULL when out of memory or past the maximum. Owned by
 * the arena. */
void *web_arena_alloc(struct web_arena *a, size_t n);
/* A NUL-terminated copy of s[0..n), owned by the arena, or NULL. */
char *web_arena_strndup(struct web_arena *a, const char *s, size_t n);
char *web_arena_strdup(struct web_arena *a, const char *s);

#endif

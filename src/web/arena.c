/*
 * The per-request arena (see arena.h). Chunks form a singly linked list, newest first; an
 * allocation larger than a quarter of the default chunk size gets a chunk of its own so
 * that big bodies do not waste the tail of the current chunk. Alignment is that of
 * max_align_t, so any object may live here.
 */
#include "arena.h"

#include "smesec/alloc.h"

#include <stdalign.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "util/banned.h"

#define CHUNK_SIZE 4096u

struct web_arena_chunk {
    struct web_arena_chunk *next;
    size_t cap;  /* bytes of data[] */
    size_t used; /* bytes of data[] handed out */
    alignas(max_align_t) unsigned char data[];
};

void web_arena_init(struct web_arena *a, size_t max)
{
    a->head = NULL;
    a->used = 0;
    a->max = max;
}

void web_arena_release(struct web_arena *a)
{
    struct web_arena_chunk *c = a->head;
    while (c != NULL) {
        struct web_arena_chunk *next = c->next;
        sm_free(c);
        c = next;
    }
    a->head = NULL;
    a->used = 0;
}

static size_t round_up(size_t n)
{
    size_t al = alignof(max_align_t);
    return (n + al - 1) / al * al;
}

void *web_arena_alloc(struct web_arena *a, size_t n)
{
    if (n == 0)
        n = 1;
    if (n > SIZE_MAX / 2)
        return NULL;
    size_t need = round_up(n);
    if (need > a->max || a->used > a->max - need)
        return NULL;

    struct web_arena_chunk *c = a->head;
    if (c == NULL || c->cap - c->used < need) {
        size_t cap = need > CHUNK_SIZE / 4 ? need : CHUNK_SIZE;
        struct web_arena_chunk *nc = sm_malloc(sizeof(*nc) + cap);
        if (nc == NULL)
            return NULL;
        nc->cap = cap;
        nc->used = 0;
        if (c != NULL && need > CHUNK_SIZE / 4) {
            /* A dedicated chunk goes behind the current one, which keeps serving the small
             * allocations that follow. */
            nc->next = c->next;
            c->next = nc;
        } else {
            nc->next = c;
            a->head = nc;
        }
        c = nc;
    }
    void *p = c->data + c->used;
    c->used += need;
    a->used += need;
    return p;
}

char *web_arena_strndup(struct web_arena *a, const char *s, size_t n)
{
    if (n == SIZE_MAX)
        return NULL;
    char *p = web_arena_alloc(a, n + 1);
    if (p == NULL)
        return NULL;
    if (n > 0)
        memcpy(p, s, n);
    p[n] = '\0';
    return p;
}

char *web_arena_strdup(struct web_arena *a, const char *s)
{
    return web_arena_strndup(a, s, strlen(s));
}

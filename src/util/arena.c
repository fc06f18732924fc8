/*
 * Arena allocation (see smesec/arena.h). Chunks grow geometrically from 4 KiB to 1 MiB; a
 * request larger than a chunk gets a chunk of its own. Every pointer handed out is aligned
 * to max_align_t.
 */
#include "smesec/arena.h"

#include "smesec/alloc.h"

#include <stdalign.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "util/banned.h"

struct sm_arena_chunk {
    struct sm_arena_chunk *next;
    size_t size; /* usable bytes in data */
    size_t off;  /* bytes used in data */
    alignas(max_align_t) unsigned char data[];
};

#define ALIGN alignof(max_align_t)

void sm_arena_init(struct sm_arena *a, size_t max)
{
    a->head = NULL;
    a->used = 0;
    a->max = max;
}

void sm_arena_release(struct sm_arena *a)
{
    struct sm_arena_chunk *c = a->head;
    while (c) {
        struct sm_arena_chunk *next = c->next;
        sm_free(c);
        c = next;
    }
    a->head = NULL;
    a->used = 0;
}

void *sm_arena_alloc(struct sm_arena *a, size_t n)
{
    if (n == 0)
        n = 1;
    if (n > SIZE_MAX - ALIGN)
        return NULL;
    size_t rounded = (n + ALIGN - 1) & ~(ALIGN - 1);
    if (rounded > a->max - a->used)
        return NULL;
    struct sm_arena_chunk *c = a->head;
    if (!c || c->size - c->off < rounded) {
        size_t size = c ? c->size * 2 : 4096;
        if (size > (1u << 20))
            size = 1u << 20;
        if (size < rounded)
            size = rounded;
        struct sm_arena_chunk *fresh = sm_malloc(sizeof *fresh + size);
        if (!fresh)
            return NULL;
        fresh->size = size;
        fresh->off = 0;
        fresh->next = c;
        a->head = c = fresh;
    }
    void *p = c->data + c->off;
    c->off += rounded;
    a->used += rounded;
    return p;
}

void *sm_arena_calloc(struct sm_arena *a, size_t count, size_t n)
{
    if (n && count > SIZE_MAX / n)
        return NULL;
    void *p = sm_arena_alloc(a, count * n);
    if (p)
        memset(p, 0, count * n);
    return p;
}

char *sm_arena_strndup(struct sm_arena *a, const char *s, size_t n)
{
    char *p = sm_arena_alloc(a, n + 1);
    if (!p)
        return NULL;
    memcpy(p, s, n);
    p[n] = '\0';
    return p;
}

char *sm_arena_strdup(struct sm_arena *a, const char *s)
{
    return s ? sm_arena_strndup(a, s, strlen(s)) : NULL;
}

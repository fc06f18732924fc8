/*
 * The catalog's arena (see internal.h). A catalog holds thousands of small strings that live
 * and die together, so they come from chunks freed in one go. Chunks form a list, newest
 * first; a request bigger than a quarter of a chunk gets a chunk of its own behind the
 * current one, so the current chunk's tail keeps serving small strings. Memory is zeroed
 * and aligned for any type.
 */
#include "catalog/internal.h"

#include "smesec/alloc.h"

#include <stdalign.h>
#include <stdint.h>
#include <string.h>

#include "util/banned.h"

#define CHUNK_SIZE ((size_t)64 * 1024)

struct sm__cat_chunk {
    struct sm__cat_chunk *next;
    size_t cap;
    size_t used;
    alignas(max_align_t) unsigned char data[];
};

void sm__cat_arena_release(struct sm__cat_arena *a)
{
    struct sm__cat_chunk *c = a->head;
    while (c) {
        struct sm__cat_chunk *next = c->next;
        sm_free(c);
        c = next;
    }
    a->head = NULL;
}

void *sm__cat_alloc(struct sm__cat_arena *a, size_t n)
{
    size_t al = alignof(max_align_t);
    if (n == 0)
        n = 1;
    if (n > SIZE_MAX / 2)
        return NULL;
    size_t need = (n + al - 1) / al * al;
    struct sm__cat_chunk *c = a->head;
    if (!c || c->cap - c->used < need) {
        bool own = need > CHUNK_SIZE / 4;
        size_t cap = own ? need : CHUNK_SIZE;
        struct sm__cat_chunk *nc = sm_malloc(sizeof *nc + cap);
        if (!nc)
            return NULL;
        nc->cap = cap;
        nc->used = 0;
        if (c && own) {
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
    memset(p, 0, n);
    return p;
}

void *sm__cat_calloc(struct sm__cat_arena *a, size_t count, size_t size)
{
    if (size && count > SIZE_MAX / 2 / size)
        return NULL;
    return sm__cat_alloc(a, count * size);
}

char *sm__cat_strndup(struct sm__cat_arena *a, const char *s, size_t n)
{
    if (n >= SIZE_MAX / 2)
        return NULL;
    char *p = sm__cat_alloc(a, n + 1);
    if (!p)
        return NULL;
    if (n)
        memcpy(p, s, n);
    p[n] = '\0';
    return p;
}
